// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Interval summaries (min, mean, percentiles, max) of the kernel's log-linear latency histograms.
 */
#include <math.h>
#include <string.h>
#include "model/hist.h"

uint64_t hist_delta(uint32_t out[EBTOP_HIST_BUCKETS], const struct ebtop_hist *cur,
		    const struct ebtop_hist *prev, uint64_t *sum_ns)
{
	if (prev && prev->count > cur->count)
		prev = NULL;
	for (unsigned i = 0; i < EBTOP_HIST_BUCKETS; i++)
		out[i] = prev ? cur->b[i] - prev->b[i] : cur->b[i];
	*sum_ns = prev ? cur->sum_ns - prev->sum_ns : cur->sum_ns;
	return prev ? cur->count - prev->count : cur->count;
}

static uint64_t total_of(const uint32_t b[EBTOP_HIST_BUCKETS])
{
	uint64_t t = 0;

	for (unsigned i = 0; i < EBTOP_HIST_BUCKETS; i++)
		t += b[i];
	return t;
}

double hist_percentile(const uint32_t b[EBTOP_HIST_BUCKETS], double p)
{
	uint64_t total = total_of(b), cum = 0;
	double rank;

	if (!total)
		return NAN;
	if (p < 0)
		p = 0;
	if (p > 1)
		p = 1;
	rank = p * (double)total;
	for (unsigned i = 0; i < EBTOP_HIST_BUCKETS; i++) {
		double lo, hi;

		if (!b[i])
			continue;
		if ((double)(cum + b[i]) < rank) {
			cum += b[i];
			continue;
		}
		lo = (double)ebtop_hist_lower(i);
		hi = (double)ebtop_hist_lower(i + 1);
		return lo + (hi - lo) * ((rank - (double)cum) / (double)b[i]);
	}
	return NAN; /* not reached: rank <= total */
}

void hist_summary(struct lat_summary *o, const uint32_t b[EBTOP_HIST_BUCKETS], uint64_t count,
		  uint64_t sum_ns)
{
	int first = -1, last = -1;

	o->min = o->avg = o->p50 = o->p99 = o->max = NAN;
	for (unsigned i = 0; i < EBTOP_HIST_BUCKETS; i++) {
		if (!b[i])
			continue;
		if (first < 0)
			first = (int)i;
		last = (int)i;
	}
	if (first < 0 || !count)
		return;
	o->min = (double)ebtop_hist_lower((uint32_t)first);
	o->max = (double)ebtop_hist_lower((uint32_t)last + 1);
	o->avg = (double)sum_ns / (double)count;
	o->p50 = hist_percentile(b, 0.50);
	o->p99 = hist_percentile(b, 0.99);
	/* The exact mean narrows the bounds of a single-bucket interval. */
	if (o->avg < o->min)
		o->min = o->avg;
	if (o->avg > o->max)
		o->max = o->avg;
}
