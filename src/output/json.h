/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The JSON objects of batch output, shared with the REST API so both speak one schema. */
#ifndef EBTOP_OUTPUT_JSON_H
#define EBTOP_OUTPUT_JSON_H

#include <jansson.h>
#include "core/buf.h"
#include "model/model.h"

/* Every field by name, plus start_ns, exited and kernel_thread; NaN as null. */
json_t *row_json(const struct row *r);
/* System totals of summable fields. */
json_t *totals_json(const struct snapshot *s);
/* ebtop's own cost: cpu_pct, bpf_programs[], errors{}. */
json_t *self_json(const struct snapshot *s);
/* Per-disk throughput, IOPS, latency summaries and histogram (nonzero buckets). */
json_t *disks_json(const struct snapshot *s);
/* One connect/accept/close/exec event, as `ebtop events --json` prints it. */
json_t *event_to_json(const struct event *e);

/* A number, whole values as integers (exact downstream); NaN as null. */
json_t *num_json(double v);
/* An interval's object with what every batch line starts with: seq, time, interval_s, status. */
json_t *interval_json(const struct snapshot *s);
/* Each wanted feature: {"available", "hooks" in use, "reason" when off or degraded}. */
json_t *features_json(const struct features *fs);
/* Appends o as one compact line to b and drops the reference. 0, -ENOMEM or b's error. */
int put_json_line(struct buf *b, json_t *o) BUF_CHECK;

#endif
