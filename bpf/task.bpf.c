// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Task iterator (a snapshot of every thread's counters) and exit records. */
#include "ebtop.bpf.h"

#define PF_KTHREAD 0x00200000

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20); /* resized from user space */
} exits SEC(".maps");

/* Scratch record: struct ebtop_task_rec is too large for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ebtop_task_rec);
} scratch SEC(".maps");

static __always_inline void fill_rec(struct ebtop_task_rec *r, struct task_struct *t,
				     const struct ebtop_task_stats *st, __u32 kind)
{
	r->kind = kind;
	r->tid = t->pid;
	r->tgid = t->tgid;
	r->ppid = BPF_CORE_READ(t, real_parent, tgid);
	r->uid = BPF_CORE_READ(t, cred, uid.val);
	r->start_ns = t->start_boottime;
	r->pstart_ns = BPF_CORE_READ(t, group_leader, start_boottime);
	r->now_ns = bpf_ktime_get_boot_ns();
	BPF_CORE_READ_STR_INTO(&r->comm, t, comm);
	if (st) {
		r->has_stats = 1;
		r->st = *st;
	} else {
		r->has_stats = 0;
		__builtin_memset(&r->st, 0, sizeof(r->st));
	}
}

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct ebtop_task_stats *st;
	struct ebtop_task_rec *r;
	__u32 zero = 0;

	if (!t)
		return 0;
	st = bpf_task_storage_get(&task_stats, t, 0, 0);
	/* Its exit record carries the final counters; don't count them twice. */
	if (st && (st->flags & EBTOP_TASK_EXITED))
		return 0;
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
	struct ebtop_task_stats *st;
	struct ebtop_task_rec *r;

	st = bpf_task_storage_get(&task_stats, t, 0, 0);
	if (!st)
		return 0; /* nothing counted: the iterator notices it is gone */
	r = bpf_ringbuf_reserve(&exits, sizeof(*r), 0);
	if (!r) {
		/* Keep it visible to the iterator while it lingers. */
		count_error(EBTOP_ERR_RINGBUF);
		return 0;
	}
	fill_rec(r, t, st, EBTOP_REC_EXIT);
	bpf_ringbuf_submit(r, 0);
	/* After the submit: a task the iterator skips always has its record queued. */
	st->flags |= EBTOP_TASK_EXITED;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
