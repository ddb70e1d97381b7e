// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* CPU and scheduler field values from the per-thread scheduler counters. */
#include <math.h>
#include "model/fill.h"

/* Nanoseconds over the interval as a percentage: 100 = the whole interval. */
static double pct(uint64_t ns, double dt)
{
	return 100.0 * (double)ns / (dt * 1e9);
}

void fill_sched(struct row *r, double dt)
{
	const struct ebtop_sched_counters *t = &r->tot.sched, *d = &r->delta.sched;
	double sw = (double)d->nvcsw + (double)d->nivcsw;
	double *v = r->v;

	v[F_CPU_PCT] = pct(d->oncpu_ns, dt);
	v[F_RUNQ_PCT] = pct(d->runq_ns, dt);
	v[F_OFFCPU_PCT] = pct(d->offcpu_ns, dt);
	v[F_ONCPU] = (double)t->oncpu_ns;
	v[F_RUNQ_TIME] = (double)t->runq_ns;
	v[F_OFFCPU] = (double)t->offcpu_ns;
	/* No switch in the interval: no wait ended, the mean is undefined. */
	v[F_RUNQ_LAT] = sw > 0 ? (double)d->runq_ns / sw : NAN;
	v[F_CSW_RATE] = sw / dt;
	v[F_NVCSW_RATE] = (double)d->nvcsw / dt;
	v[F_NIVCSW_RATE] = (double)d->nivcsw / dt;
	v[F_NVCSW] = (double)t->nvcsw;
	v[F_NIVCSW] = (double)t->nivcsw;
	v[F_MIGR_RATE] = (double)d->migrations / dt;
	v[F_MIGR] = (double)t->migrations;
	v[F_FORKS] = (double)t->forks;
	v[F_EXECS] = (double)t->execs;
}
