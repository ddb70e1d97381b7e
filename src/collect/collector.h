/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The BPF collector: loads the programs it is asked for and reads them once per interval. */
#ifndef EBTOP_COLLECTOR_H
#define EBTOP_COLLECTOR_H

#include <stdbool.h>
#include "model/model.h"

struct collect_opts {
	unsigned need;       /* NEED_* bits the consumers asked for */
	unsigned ringbuf_kb; /* exit-record ring buffer size */
	unsigned net_slots;  /* per-CPU network slots, a power of two (0: default) */
	unsigned disk_procs;    /* processes with block-latency histograms at once (0: default) */
	unsigned disk_inflight; /* block requests timed at once (0: default) */
	bool bpf_stats;      /* ask the kernel to time our programs (costs ~20 ns per event) */
	bool verbose;        /* libbpf's own log on stderr */
};

struct collector;

/*
 * Probes the kernel, loads and attaches. On failure returns a negative errno
 * and writes one sentence for the user into msg.
 */
int collector_open(struct collector **out, const struct collect_opts *opts, char *msg,
		   size_t msglen) __attribute__((warn_unused_result));
/* Reads every map once; the sample borrows memory owned by the collector. */
int collector_sample(struct collector *c, struct sample *s) __attribute__((warn_unused_result));
void collector_close(struct collector *c);
/* The model's source of /proc details. */
struct proc_info *collector_proc_info(void *collector, uint32_t pid, uint64_t start_ns,
				       uint32_t uid);
/* CLOCK_MONOTONIC time the programs were attached: counting begins here. */
uint64_t collector_start_ns(const struct collector *c);

#endif
