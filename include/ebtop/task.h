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

/* Bytes next to calls: one event touches one cache line. */
struct ebtop_pair {
	__u64 bytes;
	__u64 calls;
};

/* Socket bytes and calls by protocol, address family and direction. */
struct ebtop_net_counters {
	struct ebtop_pair c[EBTOP_NPROTO][EBTOP_NFAM][EBTOP_NDIR];
};

/*
 * One slot of the per-CPU direct-mapped table the network hooks count in:
 * slot (tid % slots) belongs to the first thread that used it on that CPU
 * until the thread exits. A thread that finds its slot taken counts in task
 * storage instead, which costs more per event but is never wrong.
 */
struct ebtop_net_slot {
	__u32 tid; /* owner; 0 when free */
	__u32 __pad;
	__u64 __pad2;
	struct ebtop_net_counters net;
};

/*
 * Block requests a thread caused (the submitter, or for page-cache writeback
 * by a kernel thread the process that dirtied the file) and its file I/O.
 */
struct ebtop_disk_counters {
	__u64 bytes[2]; /* block bytes by enum ebtop_disk_op, merged bios included */
	__u64 ios[2];	/* requests started */
	__u64 seq[2];	/* requests that began where the owner's previous one ended */
	__u64 file_rd;	/* bytes read by read()-family calls (task->ioac.rchar) */
	__u64 file_wr;	/* bytes written by write()-family calls (task->ioac.wchar) */
	__u64 dirtied;	/* bytes sent toward storage, counted when dirtied (ioac.write_bytes) */
	__u64 cancelled; /* dirtied bytes truncated before write-back (cancelled_write_bytes) */
};

/*
 * Scheduler counters of one thread (sched_switch, sched_wakeup*,
 * sched_migrate_task, sched_process_fork/exec). Times are nanoseconds of
 * CLOCK_MONOTONIC; a thread is always in exactly one of on CPU, waiting on a
 * run queue (runnable, not running) or off CPU (blocked), so the three times
 * add up to the time it was watched.
 */
struct ebtop_sched_counters {
	__u64 oncpu_ns;
	__u64 runq_ns;
	__u64 offcpu_ns;
	__u64 nvcsw;      /* switched out blocking (voluntary) */
	__u64 nivcsw;     /* switched out still runnable: preempted or yielded */
	__u64 migrations; /* moved to another CPU */
	__u64 forks;      /* new processes this thread created (threads not counted) */
	__u64 execs;
};

/* Upper bound on CPUs the readers walk; more CPUs are refused at load time. */
#define EBTOP_MAX_CPUS 1024

/*
 * Everything ebtop counts for one thread. Only monotonic __u64 counters live
 * here: user space diffs the struct word by word to get rates, so state such
 * as timestamps belongs in struct ebtop_task (bpf/ebtop.bpf.h) instead.
 */
struct ebtop_task_stats {
	struct ebtop_net_counters net;
	struct ebtop_disk_counters disk;
	struct ebtop_sched_counters sched;
};

#define EBTOP_STATS_WORDS (sizeof(struct ebtop_task_stats) / sizeof(__u64))

enum ebtop_rec_kind { EBTOP_REC_LIVE = 0, EBTOP_REC_EXIT = 1, EBTOP_REC_TAIL = 2 };

/*
 * What a thread did on the CPU after its exit record, up to its last switch:
 * the rest of do_exit (closing files, releasing memory, waking the parent).
 * Sent on the same ring buffer, right behind the exit record it completes.
 */
struct ebtop_tail_rec {
	__u32 kind; /* EBTOP_REC_TAIL */
	__u32 tid;
	__u64 start_ns; /* with tid, names the exit record */
	struct ebtop_sched_counters sched;
};

/* One thread as seen by the task iterator, or at its exit (ring buffer). */
struct ebtop_task_rec {
	__u32 kind;
	__u32 tid;
	__u32 tgid;
	__u32 ppid;
	__u32 uid;
	__u32 has_stats; /* 0: the thread never touched a hook */
	__u32 state;     /* __state, or exit_state when nonzero */
	__u32 pflags;    /* task->flags (PF_KTHREAD, PF_EXITING) */
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
	EBTOP_ERR_SLOT = 2,    /* network event counted in task storage: slot taken (slower, exact) */
	EBTOP_ERR_DISK_INFLIGHT = 3, /* block request not timed: in-flight request table full */
	EBTOP_ERR_DISK_PROC = 4,     /* request latency not kept: per-process latency table full */
	EBTOP_ERR_DISK_DEV = 5,      /* request not counted per disk: disk table full */
	EBTOP_ERR_SCHED_SLOT = 6, /* thread's scheduler state in task storage: slot taken */
	EBTOP_ERR_SCHED_LOST = 7, /* scheduler event not counted: no slot and no task storage */
	EBTOP_ERR_SCHED_MISSED = 8, /* switch or wakeup the tracepoints did not report: repaired */
	EBTOP_ERR_CONN_STORAGE = 9,  /* socket storage for a connection could not be created */
	EBTOP_ERR_CONN_PEERS = 10,   /* peers table full: a UDP peer or shared socket not tracked */
	EBTOP_ERR_CONN_FINAL = 11,   /* final record of a closed connection lost: ring buffer full */
	EBTOP_ERR_EVENTS = 12,       /* connect/accept/close/exec event lost: ring buffer full */
	EBTOP_NERR = 16,
};

#ifndef __BPF__
_Static_assert(sizeof(struct ebtop_net_counters) == 192, "net counters layout");
_Static_assert(sizeof(struct ebtop_sched_counters) == 64, "sched counters layout");
_Static_assert(sizeof(struct ebtop_task_stats) % 8 == 0, "task stats are __u64 words");
_Static_assert(sizeof(struct ebtop_task_rec) % 8 == 0, "task record alignment");
#endif

#endif
