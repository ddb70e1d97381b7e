/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A thread that samples the collector on a monotonic cadence and publishes snapshots to a feed. */
#ifndef EBTOP_SAMPLER_H
#define EBTOP_SAMPLER_H

#include "collect/collector.h"
#include "model/feed.h"
#include "model/model.h"

struct sampler;

/*
 * Starts the thread. col, model and feed are borrowed and must outlive
 * sampler_stop(). The first snapshot comes after first_delay_ns (or the
 * interval, if shorter) so a screen fills quickly; then one per interval.
 */
int sampler_start(struct sampler **out, struct collector *col, struct model *model,
		  struct feed *feed, uint64_t first_delay_ns) __attribute__((warn_unused_result));
/* Stops and joins the thread; NULL-safe. Returns within one collector read. */
void sampler_stop(struct sampler *s);

#endif
