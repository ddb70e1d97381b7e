/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Loading BPF programs feature by feature: a program the kernel refuses costs its feature only. */
#ifndef EBTOP_LOADER_H
#define EBTOP_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include "model/feature.h"

struct ebtop_bpf;
struct btf;

/* Programs that stand or fall together: one feature, through one kind of hook. */
enum hookset {
	HS_TASKS,
	HS_NET_SLOTS,  /* the task walk reading per-CPU network slots (bpf_loop, 5.19 helpers) */
	HS_NET_TP,     /* sock:sock_send_length / sock_recv_length (6.3+) */
	HS_NET_FEXIT,  /* fexit on inet(6)_sendmsg / recvmsg / inet_sendpage */
	HS_NET_KPROBE, /* the same functions through kprobes */
	HS_CONN,
	HS_CONN_RESETS,
	HS_CONN_SEED,
	HS_CONN_OWNERS,
	HS_UDP_PEERS,
	HS_EXEC,
	HS_SCHED_BTF,
	HS_SCHED_RAW,
	HS_DISK_IO, /* block:block_io_start/done (6.5+) */
	HS_DISK_RQ, /* block:block_rq_insert/issue/complete */
	HS_WRITEBACK,
	HS_NUM
};

/* The hook set a program belongs to; -1 for a name the table does not know. */
int hookset_of(const char *prog);
enum feature hookset_feature(enum hookset hs);
const char *hookset_how(enum hookset hs);

struct refusal {
	int err;	 /* negative errno */
	char prog[32];	 /* the program refused */
	char words[200]; /* the kernel's words: errno text and the verifier's last line */
};

struct loader {
	unsigned long refused; /* hook sets, by bit */
	struct refusal ref[HS_NUM];
	char inject[256]; /* EBTOP_REFUSE: program names treated as refused, for the tests */
	bool slots;	  /* this round's programs use the per-CPU network slots */
	bool verbose;
};

/* What the programs' selectors work with before load. */
struct select_ctx {
	const struct btf *vmlinux;
	const struct loader *ld;
	struct features *fs;
};

void loader_init(struct loader *ld, bool verbose);
bool loader_refused(const struct loader *ld, enum hookset hs);
/* Does the kernel's BTF know tracepoint `name` (a btf_trace_NAME typedef)? */
bool kernel_has_tracepoint(const struct btf *vmlinux, const char *name);
/* Does it know the kernel function `name` (for fexit and kprobes)? */
bool kernel_has_function(const struct btf *vmlinux, const char *name);

/*
 * Loads, then attaches every program marked for it. 0 on success. -EAGAIN
 * when the kernel refused a program of a hook set that may be dropped: the
 * refusal is recorded, and the caller opens the object again and selects
 * without it. Other negative errnos are final, with one sentence in msg.
 */
int loader_load_attach(struct loader *ld, struct ebtop_bpf *skel, char *msg, size_t len)
    __attribute__((warn_unused_result));
/* After success: each feature on with the hooks in use; refusals as sentences. */
void loader_features(const struct loader *ld, struct ebtop_bpf *skel, struct features *fs);
/* Does the process hold the capabilities BPF needs (CAP_BPF+CAP_PERFMON, or CAP_SYS_ADMIN)? */
bool loader_privileged(void);

#endif
