// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* On-CPU, run-queue and off-CPU time, switches, migrations, forks and execs per thread. */
#include "ebtop.bpf.h"

#define PF_EXITING 0x00000004
#define TASK_DEAD  0x00000080

/*
 * Takes a free slot. Two CPUs may race for it (two threads with the same
 * index), hence the compare-and-swap, on the 64-bit word holding tid and seq
 * (clang emits 32-bit atomics only for -mcpu=v3). A freed slot is zeroed but
 * for seq: state unknown, no counts.
 */
static __always_inline bool slot_claim(struct ebtop_sched_slot *s, __u32 tid)
{
	__u64 *word = (__u64 *)s, old = *word;

	if ((__u32)old != 0)
		return false;
	return __sync_val_compare_and_swap(word, old, old | tid) == old;
}

/*
 * Where the thread's scheduler state lives when its slot belongs to another
 * thread, or is free: claim a free slot (compare-and-swap, as two CPUs may
 * race for it), else use task storage. An exiting thread whose exit record
 * has freed its slot claims nothing: what it does after that is not shown.
 * trusted: p may be given to bpf_task_storage_get (tp_btf); raw_tp's
 * arguments are plain numbers, so there a taken slot means a lost event.
 */
static __always_inline struct ebtop_sched_slot *
sched_get_slow(struct task_struct *p, __u32 tid, struct ebtop_sched_slot *s, bool trusted)
{
	bool exiting = BPF_CORE_READ(p, flags) & PF_EXITING;
	struct ebtop_task *st = NULL;

	if (trusted) {
		st = bpf_task_storage_get(&task_stats, p, 0, 0);
		if (st && st->sched.tid == tid)
			return &st->sched;
	}
	if (exiting)
		return NULL;
	if (slot_claim(s, tid))
		return s;
	if (s->tid == tid)
		return s;
	if (!trusted) {
		count_error(EBTOP_ERR_SCHED_LOST);
		return NULL;
	}
	st = bpf_task_storage_get(&task_stats, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st) {
		count_error(EBTOP_ERR_STORAGE);
		return NULL;
	}
	if (st->sched.tid != tid) {
		st->sched.tid = tid;
		count_error(EBTOP_ERR_SCHED_SLOT);
	}
	return &st->sched;
}

/* The fast path: one array element, computed inline by the verifier, owned by tid. */
static __always_inline struct ebtop_sched_slot *sched_get(struct task_struct *p, __u32 tid,
							  bool trusted)
{
	__u32 idx = tid & (sched_nslots - 1);
	struct ebtop_sched_slot *s = bpf_map_lookup_elem(&sched_slots, &idx);

	if (!s)
		return NULL;
	if (s->tid == tid)
		return s;
	return sched_get_slow(p, tid, s, trusted);
}

static __always_inline void slot_begin(struct ebtop_sched_slot *s)
{
	s->seq++;
	sched_barrier();
}

static __always_inline void slot_end(struct ebtop_sched_slot *s)
{
	sched_barrier();
	s->seq++;
}

static __always_inline __u64 stamp_of(__u64 when, int state)
{
	return (when & ~SCHED_STATE_MASK) | (__u64)state;
}

/* The run queue clocks of the queue p is on, just updated by the scheduler. */
static __always_inline void rq_clocks(struct task_struct *p, bool trusted, struct sched_clocks *n)
{
	struct rq *rq;

	if (!bpf_core_field_exists(p->se.cfs_rq)) {
		n->c = n->t = bpf_ktime_get_ns(); /* no task groups: no way to the run queue */
		return;
	}
	if (trusted) {
		rq = p->se.cfs_rq->rq;
		n->c = rq->clock;
		n->t = rq->clock_task;
	} else {
		rq = BPF_CORE_READ(p, se.cfs_rq, rq);
		n->c = BPF_CORE_READ(rq, clock);
		n->t = BPF_CORE_READ(rq, clock_task);
	}
}

/* next's enqueue stamp: a plain load for tp_btf. */
static __always_inline __u64 queued_of(struct task_struct *p, bool trusted)
{
	if (!bpf_core_field_exists(p->sched_info))
		return 0;
	return trusted ? p->sched_info.last_queued : BPF_CORE_READ(p, sched_info.last_queued);
}

/* Refreshes CLOCK_MONOTONIC - rq->clock, and the start instant on rq->clock. */
static __always_inline void calibrate(__u64 c)
{
	__u64 off = bpf_ktime_get_ns() - c;

	sched_off_c = off;
	sched_calib_c = c;
	if (sched_start_ns && !sched_start_c)
		sched_start_c = sched_start_ns - off;
	sched_calibrated = 1;
}

/*
 * prev is leaving the CPU, but no event said it arrived: running since before
 * ebtop started, or its arrival was not reported (see sched_place_arrival).
 */
static __always_inline void on_cpu_unseen(struct ebtop_sched_slot *s, struct task_struct *p,
					  int state, __u64 since, const struct sched_clocks *now)
{
	if (state == SCHED_UNKNOWN)
		since = sched_first_since(p);
	else
		since = sched_clip(since);
	if (!since)
		return; /* before counting started */
	if (sched_place_arrival(&s->oncpu_ns, &s->runq_ns, &s->offcpu_ns, p, state, since, now->c,
				true)) {
		count_error(EBTOP_ERR_SCHED_MISSED);
		return;
	}
	if (state == SCHED_UNKNOWN && now->c > since)
		s->oncpu_ns += now->c - since; /* on CPU since before ebtop started */
	else if (state != SCHED_UNKNOWN)
		count_error(EBTOP_ERR_SCHED_LOST);
}

/*
 * A dead thread's last switch: its slot counted the rest of do_exit since the
 * exit record (see add_sched). Sends that as a tail record and frees the
 * slot. A thread whose state was in task storage has no tail: its exit
 * record was final.
 */
static __always_inline void sched_tail(struct task_struct *p, __u32 tid, bool trusted)
{
	__u32 idx = tid & (sched_nslots - 1);
	struct ebtop_sched_slot *s = bpf_map_lookup_elem(&sched_slots, &idx);
	struct ebtop_tail_rec *r;

	if (!s || s->tid != tid)
		return;
	r = bpf_ringbuf_reserve(&exits, sizeof(*r), 0);
	if (r) {
		r->kind = EBTOP_REC_TAIL;
		r->tid = tid;
		r->start_ns = trusted ? p->start_boottime : BPF_CORE_READ(p, start_boottime);
		r->sched.oncpu_ns = s->oncpu_ns;
		r->sched.runq_ns = s->runq_ns;
		r->sched.offcpu_ns = s->offcpu_ns;
		r->sched.nvcsw = s->nvcsw;
		r->sched.nivcsw = s->nivcsw;
		r->sched.migrations = s->migrations;
		r->sched.forks = 0;
		r->sched.execs = 0;
		/* Read at the next sample: no wake-up from inside the scheduler. */
		bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	} else {
		count_error(EBTOP_ERR_RINGBUF);
	}
	__builtin_memset(&s->stamp, 0, sizeof(*s) - offsetof(struct ebtop_sched_slot, stamp));
	sched_barrier();
	s->tid = 0;
}

/*
 * prev leaves the CPU: its running stretch ends; it waits on the run queue
 * when preempted or still runnable (involuntary, as the kernel counts
 * nivcsw), else it blocks (voluntary). next arrives: its run-queue wait ends.
 */
static __always_inline void on_switch(struct task_struct *prev, struct task_struct *next,
				      __u32 prev_tid, __u32 next_tid, unsigned int prev_state,
				      bool preempt, bool trusted)
{
	bool involuntary = preempt || prev_state == 0;
	struct ebtop_sched_slot *s;
	struct sched_clocks now;
	__u64 stamp, since, start;
	int state;

	rq_clocks(prev, trusted, &now);
	if (now.c - sched_calib_c > SCHED_CALIB_NS)
		calibrate(now.c);
	start = sched_start_c;
	if (prev_tid) { /* 0: this CPU's idle task */
		s = sched_get(prev, prev_tid, trusted);
		if (s) {
			stamp = s->stamp;
			state = stamp & SCHED_STATE_MASK;
			since = stamp & ~SCHED_STATE_MASK;
			slot_begin(s);
			if (state == SCHED_ONCPU) {
				__u64 ran = now.t > since ? now.t - since : 0;

				/* Not longer than since counting started. */
				if (start && now.c - start < ran)
					ran = now.c > start ? now.c - start : 0;
				s->oncpu_ns += ran;
			} else {
				on_cpu_unseen(s, prev, state, since, &now);
			}
			if (involuntary) {
				s->nivcsw++;
				s->stamp = stamp_of(now.c, SCHED_RUNNABLE);
			} else {
				s->nvcsw++;
				s->stamp = stamp_of(now.c, SCHED_BLOCKED);
			}
			slot_end(s);
			if (prev_state & TASK_DEAD)
				sched_tail(prev, prev_tid, trusted);
		}
	}
	if (next_tid) {
		s = sched_get(next, next_tid, trusted);
		if (s) {
			stamp = s->stamp;
			state = stamp & SCHED_STATE_MASK;
			since = sched_clip(stamp & ~SCHED_STATE_MASK);
			slot_begin(s);
			if (state == SCHED_RUNNABLE) {
				if (now.c > since)
					s->runq_ns += now.c - since;
			} else if (state == SCHED_UNKNOWN) {
				/*
				 * Blocked since before ebtop started and woken unseen (split at
				 * its enqueue), else counted off CPU: the kernel's enqueue stamp
				 * can be stale, so "waiting since then" is not assumed.
				 */
				since = sched_first_since(next);
				if (since)
					sched_place_wakeup(&s->runq_ns, &s->offcpu_ns,
							   queued_of(next, trusted), since, now.c,
							   false);
			} else if (state == SCHED_BLOCKED) {
				/* Its wakeup was not reported, or sched_wakeup is not loaded. */
				if (sched_wakeups)
					count_error(EBTOP_ERR_SCHED_MISSED);
				sched_place_wakeup(&s->runq_ns, &s->offcpu_ns,
						   queued_of(next, trusted), since, now.c, false);
			}
			s->stamp = stamp_of(now.t, SCHED_ONCPU);
			slot_end(s);
		}
	}
}

/* A blocked thread becomes runnable: its off-CPU stretch ends, its run-queue wait begins. */
static __always_inline void on_wakeup(struct task_struct *p, __u32 tid, bool fresh, bool trusted)
{
	struct ebtop_sched_slot *s;
	struct sched_clocks now;
	__u64 since;
	int state;

	if (!tid)
		return;
	s = sched_get(p, tid, trusted);
	if (!s)
		return;
	state = s->stamp & SCHED_STATE_MASK;
	/* Woken before it got to sleep, or woken twice: nothing changes. */
	if (state == SCHED_ONCPU || state == SCHED_RUNNABLE)
		return;
	if (state == SCHED_UNKNOWN && !fresh && BPF_CORE_READ(p, on_cpu))
		return; /* running since before ebtop started */
	rq_clocks(p, trusted, &now);
	since = state == SCHED_UNKNOWN ? sched_first_since(p)
				       : sched_clip(s->stamp & ~SCHED_STATE_MASK);
	slot_begin(s);
	/* Unknown: blocked since before ebtop started (a new thread was nowhere). */
	if (!fresh && since && now.c > since)
		s->offcpu_ns += now.c - since;
	s->stamp = stamp_of(now.c, SCHED_RUNNABLE);
	slot_end(s);
}

static __always_inline void on_migrate(struct task_struct *p, __u32 tid, bool trusted)
{
	struct ebtop_sched_slot *s;

	if (!tid)
		return;
	s = sched_get(p, tid, trusted);
	if (!s)
		return;
	slot_begin(s);
	s->migrations++;
	slot_end(s);
}

/* Rare events: counted in the calling thread's task storage. */
static __always_inline void on_fork(__u32 child_pid, __u32 child_tgid)
{
	struct ebtop_task *st;

	if (child_pid != child_tgid)
		return; /* a new thread, not a new process */
	st = current_task_stats();
	if (st)
		st->c.sched.forks++;
}

static __always_inline void on_exec(void)
{
	struct ebtop_task *st = current_task_stats();

	if (st)
		st->c.sched.execs++;
}

/* tp_btf: arguments are typed kernel pointers, read directly. */

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	on_switch(prev, next, prev->pid, next->pid, prev_state, preempt, true);
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(sched_wakeup, struct task_struct *p)
{
	on_wakeup(p, p->pid, false, true);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new, struct task_struct *p)
{
	on_wakeup(p, p->pid, true, true);
	return 0;
}

SEC("tp_btf/sched_migrate_task")
int BPF_PROG(sched_migrate, struct task_struct *p, int dest_cpu)
{
	on_migrate(p, p->pid, true);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_fork, struct task_struct *parent, struct task_struct *child)
{
	on_fork(child->pid, child->tgid);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	on_exec();
	return 0;
}

/* raw_tp: the same programs where tp_btf does not load; pointers read with CO-RE. */

SEC("raw_tp/sched_switch")
int BPF_PROG(sched_switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	on_switch(prev, next, BPF_CORE_READ(prev, pid), BPF_CORE_READ(next, pid), prev_state,
		  preempt, false);
	return 0;
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(sched_wakeup_raw, struct task_struct *p)
{
	on_wakeup(p, BPF_CORE_READ(p, pid), false, false);
	return 0;
}

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new_raw, struct task_struct *p)
{
	on_wakeup(p, BPF_CORE_READ(p, pid), true, false);
	return 0;
}

SEC("raw_tp/sched_migrate_task")
int BPF_PROG(sched_migrate_raw, struct task_struct *p, int dest_cpu)
{
	on_migrate(p, BPF_CORE_READ(p, pid), false);
	return 0;
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(sched_fork_raw, struct task_struct *parent, struct task_struct *child)
{
	on_fork(BPF_CORE_READ(child, pid), BPF_CORE_READ(child, tgid));
	return 0;
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(sched_exec_raw, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	on_exec();
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
