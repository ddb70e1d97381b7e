/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The BPF collector: loads the programs it is asked for and reads them once per interval. */
#ifndef EBTOP_COLLECTOR_H
#define EBTOP_COLLECTOR_H

#include <stdbool.h>
#include "model/feature.h"
#include "model/model.h"

struct collect_opts {
	unsigned need;		  /* NEED_* bits the consumers asked for */
	unsigned ringbuf_kb;	  /* exit-record ring buffer size */
	unsigned net_slots;	  /* per-CPU network slots, a power of two (0: default) */
	unsigned disk_procs;	  /* processes with block-latency histograms at once (0: default) */
	unsigned disk_inflight;	  /* block requests timed at once (0: default) */
	unsigned conn_peers_max;  /* entries in the UDP peers / shared sockets table (0: 65536) */
	unsigned udp_peers;	  /* remote peers with their own row per UDP socket (0: 16) */
	unsigned conn_ringbuf_kb; /* closed-connection and event ring buffer (0: 4096) */
	bool bpf_stats;		  /* ask the kernel to time our programs (costs ~20 ns per event) */
	bool verbose;		  /* libbpf's own log on stderr */
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
/*
 * Events mode: waits up to timeout_ms for connect/accept/close/exec events
 * and returns those that arrived (borrowed until the next call). Needs
 * NEED_EVENTS; returns a negative errno on failure.
 */
int collector_poll_events(struct collector *c, int timeout_ms, const struct event **ev, size_t *n)
    __attribute__((warn_unused_result));
/* The kernel side's cumulative error counters (enum ebtop_err). */
void collector_errors(struct collector *c, uint64_t *errors);
/*
 * Runs of the connection and network programs the kernel skipped because the
 * same program was already running on that CPU (an interrupt arriving during
 * it): cumulative.
 */
uint64_t collector_prog_misses(struct collector *c);
/* NEED_* bits whose programs are running. */
unsigned collector_avail(const struct collector *c);
const char *collector_status(const struct collector *c);
/* Each feature: wanted, running, and why not (or with what less). */
const struct features *collector_features(const struct collector *c);
/* The model's source of /proc details. */
struct proc_info *collector_proc_info(void *collector, uint32_t pid, uint64_t start_ns,
				      uint32_t uid);
/* CLOCK_MONOTONIC time the programs were attached: counting begins here. */
uint64_t collector_start_ns(const struct collector *c);

#endif
