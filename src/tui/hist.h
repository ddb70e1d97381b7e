/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Recent history of system totals and of every process, for the graphs; pure. */
#ifndef EBTOP_TUI_HIST_H
#define EBTOP_TUI_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/model.h"

#define HIST_PROC_LEN 300 /* samples per process: five minutes at the default interval */
#define HIST_SYS_LEN  600

enum hist_metric { HM_TX, HM_RX, HM_CPU, HM_DISK, HM_NUM };

struct hist_proc {
	uint32_t pid;
	uint64_t start_ns;
	uint64_t born; /* sample number of its first snapshot */
	float *v;      /* HM_NUM rings of HIST_PROC_LEN; NULL while it has done nothing */
};

struct hist {
	int fields[HM_NUM][2]; /* the fields summed into each metric; -1: none */
	uint64_t count;	       /* snapshots recorded */
	struct hist_proc *p;   /* sorted by (pid, start_ns), like snapshot procs */
	size_t n;
	float sys[HM_NUM][HIST_SYS_LEN];
};

/* Finds the fields of each metric in the field table (CPU and disk exist once collected). */
void hist_init(struct hist *h);
void hist_free(struct hist *h);
/* Records one snapshot; processes that left it are forgotten. -ENOMEM leaves h consistent. */
int hist_update(struct hist *h, const struct snapshot *s);
/* Whether a metric exists in this build and its collector runs in s. */
bool hist_metric_avail(const struct hist *h, int metric, unsigned avail);
/* The metric's value in a row (NaN when unavailable). */
double hist_value(const struct hist *h, int metric, const struct row *r);
/* The last n values, oldest first, into out; returns how many are real (the rest are NaN). */
int hist_sys(const struct hist *h, int metric, float *out, int n);
int hist_proc(const struct hist *h, uint32_t pid, uint64_t start_ns, int metric, float *out, int n);

#endif
