/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What ebtop collects, feature by feature: asked for, running, and if not (or not fully), why. */
#ifndef EBTOP_FEATURE_H
#define EBTOP_FEATURE_H

#include <stdbool.h>
#include <stddef.h>

/* Each BPF program belongs to one; a program the kernel refuses costs its feature only. */
enum feature {
	FEAT_TASKS,	  /* per-thread counters and exit records: without it nothing runs */
	FEAT_NET,	  /* network bytes per thread */
	FEAT_CONN,	  /* the connection table (and connect/accept/close events) */
	FEAT_CONN_RESETS, /* resets per connection */
	FEAT_CONN_SEED,	  /* connections open before ebtop, listed while idle */
	FEAT_CONN_OWNERS, /* their owners */
	FEAT_UDP_PEERS,	  /* remote addresses of unconnected UDP sockets */
	FEAT_EXEC,	  /* exec events */
	FEAT_SCHED,	  /* CPU and scheduler */
	FEAT_DISK,	  /* block I/O */
	FEAT_WRITEBACK,	  /* write-back credited to the dirtying thread */
	FEAT_BPF_STATS,	  /* the kernel's timing of ebtop's programs */
	FEAT_NUM
};

struct feature_desc {
	const char *name;   /* stable: JSON keys, Prometheus label values */
	const char *title;  /* for sentences: "network bytes unavailable: ..." */
	enum feature needs; /* what it cannot run without (FEAT_TASKS: nothing more) */
};

extern const struct feature_desc feature_descs[FEAT_NUM];

struct feature_state {
	bool wanted;   /* a consumer asked for it */
	bool on;       /* its programs are loaded and attached */
	bool derived;  /* off only because what it needs is off: the status names that instead */
	char how[16];  /* the hooks in use, e.g. "tp_btf", "fexit", "kprobe" */
	char why[480]; /* when off, or on with less: what is missing and the kernel's words */
};

struct features {
	struct feature_state f[FEAT_NUM];
};

/* Marks a wanted feature off (off) or degraded, appending one sentence to its why. */
void features_say(struct features *fs, enum feature f, bool off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Every feature's why, in table order, "; "-separated: the one-line status. */
void features_status(const struct features *fs, char *buf, size_t len);
/* Wanted features that are off because what they need is off: marked derived, with a why. */
void features_derive(struct features *fs);
/* Why f is off, with the reasons of what it needs down the chain: for one answer that says all. */
void feature_reason(const struct features *fs, enum feature f, char *buf, size_t len);
/* By stable name; -1 when unknown. */
int feature_by_name(const char *name);

#endif
