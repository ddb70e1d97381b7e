/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Interval summaries (min, mean, percentiles, max) of the kernel's log-linear latency histograms.
 */
#ifndef EBTOP_HIST_H
#define EBTOP_HIST_H

#include <stdint.h>
#include "ebtop/disk.h"

/* Nanoseconds; NaN when no request ended in the interval. */
struct lat_summary {
	double min, avg, p50, p99, max;
};

/*
 * The interval's histogram: cur minus prev bucket by bucket (modulo 2^32, as the kernel's
 * counts wrap). prev NULL, or older than cur's entry (the process's entry was recreated):
 * cur as it is. Returns the number of requests; *sum_ns gets their total latency.
 */
uint64_t hist_delta(uint32_t out[EBTOP_HIST_BUCKETS], const struct ebtop_hist *cur,
		    const struct ebtop_hist *prev, uint64_t *sum_ns);
/* The value below which a share p (0..1) of the counts lie, interpolated within its bucket. */
double hist_percentile(const uint32_t b[EBTOP_HIST_BUCKETS], double p);
/* min and max are bucket bounds (within 6.25%); avg is exact (from the sum). */
void hist_summary(struct lat_summary *o, const uint32_t b[EBTOP_HIST_BUCKETS], uint64_t count,
		  uint64_t sum_ns);

#endif
