// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Task iterator (a snapshot of every thread's counters) and exit records. */
#include "ebtop.bpf.h"

#define PF_KTHREAD 0x00200000

/* Scratch record: struct ebtop_task_rec is too large for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ebtop_task_rec);
} scratch SEC(".maps");

struct slot_walk {
	struct ebtop_net_counters *dst;
	__u32 tid;
	__u32 idx;
	bool release; /* the thread is exiting: free its slots */
};

static void net_add(struct ebtop_net_counters *dst, const struct ebtop_net_counters *src)
{
	for (int p = 0; p < EBTOP_NPROTO; p++)
		for (int f = 0; f < EBTOP_NFAM; f++)
			for (int d = 0; d < EBTOP_NDIR; d++) {
				dst->c[p][f][d].bytes += src->c[p][f][d].bytes;
				dst->c[p][f][d].calls += src->c[p][f][d].calls;
			}
}

/* Adds what the thread counted in its slot on one CPU. */
static long slot_visit(__u32 cpu, void *ctx)
{
	struct slot_walk *w = ctx;
	struct ebtop_net_slot *slot;

	slot = bpf_map_lookup_percpu_elem(&net_slots, &w->idx, cpu);
	if (!slot || slot->tid != w->tid)
		return 0;
	net_add(w->dst, &slot->net);
	if (w->release) {
		/* Nobody else writes this slot: only its owner does, and it is exiting here. */
		__builtin_memset(&slot->net, 0, sizeof(slot->net));
		slot->tid = 0;
	}
	return 0;
}

/* Adds the thread's slots on every CPU to dst; frees them when the thread exits. */
static __always_inline void add_slots(struct ebtop_net_counters *dst, __u32 tid, bool release)
{
	struct slot_walk w = {
	    .dst = dst, .tid = tid, .idx = tid & (net_nslots - 1), .release = release};

	if (tid && net_use_slots)
		bpf_loop(nr_cpus, slot_visit, &w, 0);
}

/*
 * File bytes come from the kernel's own per-task I/O accounting (what
 * /proc/PID/io shows as rchar/wchar): no hook, no per-call cost. Threads older
 * than ebtop count from the baseline taken at their first sight.
 */
static __always_inline void ioac_base(struct ebtop_task *st, struct task_struct *t)
{
	if (st->flags & EBTOP_TASK_IOAC_BASE)
		return;
	if (t->start_boottime < start_boot_ns) {
		st->file_rd_base = t->ioac.rchar;
		st->file_wr_base = t->ioac.wchar;
		st->dirtied_base = t->ioac.write_bytes;
		st->cancelled_base = t->ioac.cancelled_write_bytes;
	}
	st->flags |= EBTOP_TASK_IOAC_BASE;
}

static __always_inline void fill_file(struct ebtop_task_rec *r, struct task_struct *t,
				      const struct ebtop_task *st)
{
	__u64 rd = t->ioac.rchar, wr = t->ioac.wchar;
	__u64 dirtied = t->ioac.write_bytes, cancelled = t->ioac.cancelled_write_bytes;

	if (st) {
		rd = rd > st->file_rd_base ? rd - st->file_rd_base : 0;
		wr = wr > st->file_wr_base ? wr - st->file_wr_base : 0;
		dirtied = dirtied > st->dirtied_base ? dirtied - st->dirtied_base : 0;
		cancelled = cancelled > st->cancelled_base ? cancelled - st->cancelled_base : 0;
	}
	r->st.disk.file_rd = rd;
	r->st.disk.file_wr = wr;
	r->st.disk.dirtied = dirtied;
	r->st.disk.cancelled = cancelled;
}

/*
 * Adds the thread's scheduler counters and the stretch of its current state
 * up to now (a thread running through the whole interval is charged for it,
 * and an exiting one up to its exit). At exit the slot starts over from the
 * instant charged: the thread keeps it for the rest of do_exit, and its last
 * switch sends what that took (a tail record) and frees it. A thread not seen
 * on CPU frees it at once.
 */
static __always_inline void add_sched(struct ebtop_sched_counters *dst, struct task_struct *t,
				      const struct ebtop_task *st, bool release)
{
	struct ebtop_sched_slot none = {}, *s;
	__u32 tid = t->pid, idx = tid & (sched_nslots - 1);
	bool found = false;
	__u64 until;

	if (!sched_on || !tid)
		return;
	s = bpf_map_lookup_elem(&sched_slots, &idx);
	if (s && s->tid == tid) {
		until = sched_slot_read(dst, s, t);
		found = true;
		if (release) {
			/* Counters first, owner last: a claimer finds a zeroed slot. */
			s->seq++;
			sched_barrier();
			__builtin_memset(&s->oncpu_ns, 0,
					 sizeof(*s) - offsetof(struct ebtop_sched_slot, oncpu_ns));
			s->stamp = until ? (until & ~SCHED_STATE_MASK) | SCHED_ONCPU : 0;
			sched_barrier();
			s->seq++;
			if (!until)
				s->tid = 0;
		}
	}
	if (st && st->sched.tid == tid) {
		sched_slot_read(dst, &st->sched, t);
		found = true;
	}
	if (!found)
		sched_slot_read(dst, &none, t); /* no event yet: its state since ebtop started */
}

static __always_inline void fill_rec(struct ebtop_task_rec *r, struct task_struct *t,
				     const struct ebtop_task *st, __u32 kind)
{
	r->kind = kind;
	r->tid = t->pid;
	r->tgid = t->tgid;
	r->ppid = BPF_CORE_READ(t, real_parent, tgid);
	r->uid = BPF_CORE_READ(t, cred, uid.val);
	r->state = t->exit_state ? t->exit_state : t->__state;
	r->pflags = t->flags;
	r->start_ns = t->start_boottime;
	r->pstart_ns = BPF_CORE_READ(t, group_leader, start_boottime);
	r->now_ns = bpf_ktime_get_boot_ns();
	BPF_CORE_READ_STR_INTO(&r->comm, t, comm);
	if (st) {
		r->has_stats = 1;
		r->st = st->c;
	} else {
		r->has_stats = 0;
		__builtin_memset(&r->st, 0, sizeof(r->st));
	}
	add_slots(&r->st.net, r->tid, kind == EBTOP_REC_EXIT);
	fill_file(r, t, st);
	add_sched(&r->st.sched, t, st, kind == EBTOP_REC_EXIT);
}

/* Moves the thread's sched slot into its task storage, where the iterator finds it. */
static __always_inline void keep_sched(struct ebtop_task *st, __u32 tid)
{
	__u32 idx = tid & (sched_nslots - 1);
	struct ebtop_sched_slot *s = bpf_map_lookup_elem(&sched_slots, &idx);

	if (!s || !tid || s->tid != tid || st->sched.tid == tid)
		return;
	st->sched = *s;
	__builtin_memset(&s->stamp, 0, sizeof(*s) - offsetof(struct ebtop_sched_slot, stamp));
	sched_barrier();
	s->tid = 0;
}

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct ebtop_task *st;
	struct ebtop_task_rec *r;
	__u32 zero = 0;

	if (!t)
		return 0;
	st = bpf_task_storage_get(&task_stats, t, 0, 0);
	/* Its exit record carries the final counters; don't count them twice. */
	if (st && (st->flags & EBTOP_TASK_EXITED))
		return 0;
	/* A thread older than ebtop needs storage for its file-byte baseline. */
	if (!st && t->start_boottime < start_boot_ns)
		st = bpf_task_storage_get(&task_stats, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (st)
		ioac_base(st, t);
	r = bpf_map_lookup_elem(&scratch, &zero);
	if (!r)
		return 0;
	fill_rec(r, t, st, EBTOP_REC_LIVE);
	bpf_seq_write(ctx->meta->seq, r, sizeof(*r));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(task_exit, struct task_struct *t)
{
	struct ebtop_task *st;
	struct ebtop_task_rec *r;

	/* Created here if need be: the flag below must outlive the exit. */
	st = bpf_task_storage_get(&task_stats, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st) {
		count_error(EBTOP_ERR_STORAGE);
		return 0;
	}
	ioac_base(st, t);
	r = bpf_ringbuf_reserve(&exits, sizeof(*r), 0);
	if (!r) {
		/* Lost: keep the counts where the iterator sees them while the task lingers. */
		count_error(EBTOP_ERR_RINGBUF);
		add_slots(&st->c.net, t->pid, true);
		keep_sched(st, t->pid);
		return 0;
	}
	fill_rec(r, t, st, EBTOP_REC_EXIT);
	bpf_ringbuf_submit(r, 0);
	/* After the submit: a task the iterator skips always has its record queued. */
	st->flags |= EBTOP_TASK_EXITED;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
