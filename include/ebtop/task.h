/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Per-task counters kept in BPF task storage, shared by bpf/ and src/. */
#ifndef EBTOP_TASK_H
#define EBTOP_TASK_H

#ifdef __BPF__
/* vmlinux.h provides the __u* types on the BPF side. */
#else
#include <linux/types.h>
#endif

enum ebtop_net_proto { EBTOP_TCP = 0, EBTOP_UDP = 1, EBTOP_OTHER = 2, EBTOP_NPROTO = 3 };
enum ebtop_net_family { EBTOP_V4 = 0, EBTOP_V6 = 1, EBTOP_NFAM = 2 };
enum ebtop_dir { EBTOP_TX = 0, EBTOP_RX = 1, EBTOP_NDIR = 2 };

/* Socket bytes and calls by protocol, address family and direction. */
struct ebtop_net_counters {
	__u64 bytes[EBTOP_NPROTO][EBTOP_NFAM][EBTOP_NDIR];
	__u64 calls[EBTOP_NPROTO][EBTOP_NFAM][EBTOP_NDIR];
};

/* Set in ebtop_task_stats.flags once the exit record has been queued. */
#define EBTOP_TASK_EXITED 1u

/*
 * Everything ebtop counts for one thread. Only the owning thread and the
 * scheduler hooks write it; user space never writes it.
 */
struct ebtop_task_stats {
	struct ebtop_net_counters net;
	__u32 flags;
	__u32 __pad;
};

enum ebtop_rec_kind { EBTOP_REC_LIVE = 0, EBTOP_REC_EXIT = 1 };

/* One thread as seen by the task iterator, or at its exit (ring buffer). */
struct ebtop_task_rec {
	__u32 kind;
	__u32 tid;
	__u32 tgid;
	__u32 ppid;
	__u32 uid;
	__u32 has_stats; /* 0: the thread never touched a hook */
	__u64 start_ns;  /* task start, boot-time clock: (tid, start_ns) is unique */
	__u64 pstart_ns; /* start of the thread group leader */
	__u64 now_ns;    /* bpf_ktime_get_boot_ns() when the record was made */
	char comm[16];
	struct ebtop_task_stats st;
};

/* Error and loss counters, a per-CPU array indexed by this enum. */
enum ebtop_err {
	EBTOP_ERR_STORAGE = 0, /* task storage could not be created (out of memory) */
	EBTOP_ERR_RINGBUF = 1, /* exit record dropped: ring buffer full */
	EBTOP_NERR = 8,
};

#ifndef __BPF__
_Static_assert(sizeof(struct ebtop_net_counters) == 192, "net counters layout");
_Static_assert(sizeof(struct ebtop_task_stats) % 8 == 0, "task stats alignment");
_Static_assert(sizeof(struct ebtop_task_rec) % 8 == 0, "task record alignment");
#endif

#endif
