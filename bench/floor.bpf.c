// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Empty programs on the hooks `ebtop -b` attaches: what the hooks cost before any work is done. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("tp_btf/sock_send_length")
int BPF_PROG(floor_send, struct sock *sk, int ret, int flags)
{
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(floor_recv, struct sock *sk, int ret, int flags)
{
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(floor_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return 0;
}

SEC("tp_btf/sched_migrate_task")
int BPF_PROG(floor_migrate, struct task_struct *p, int dest_cpu)
{
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(floor_exit, struct task_struct *p)
{
	return 0;
}

SEC("tp_btf/block_io_start")
int BPF_PROG(floor_io_start, struct request *rq)
{
	return 0;
}

SEC("tp_btf/block_io_done")
int BPF_PROG(floor_io_done, struct request *rq)
{
	return 0;
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(floor_rq_issue, struct request *rq)
{
	return 0;
}

SEC("tp_btf/writeback_dirty_folio")
int BPF_PROG(floor_dirty, struct folio *folio, struct address_space *mapping)
{
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
