// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Empty programs on the hooks `ebtop -b` attaches: what the hooks cost before any work is done. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* A program that reads nothing and returns: the kernel's dispatch to it is all it costs. */
#define FLOOR(name, hook)                  \
	SEC("tp_btf/" hook)                \
	int name(unsigned long long *ctx) \
	{                                  \
		return 0;                  \
	}

FLOOR(floor_send, "sock_send_length")
FLOOR(floor_recv, "sock_recv_length")
FLOOR(floor_switch, "sched_switch")
FLOOR(floor_migrate, "sched_migrate_task")
FLOOR(floor_exit, "sched_process_exit")
FLOOR(floor_io_start, "block_io_start")
FLOOR(floor_io_done, "block_io_done")
FLOOR(floor_rq_issue, "block_rq_issue")
FLOOR(floor_dirty, "writeback_dirty_folio")

char LICENSE[] SEC("license") = "Dual BSD/GPL";
