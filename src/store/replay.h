/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Recorded snapshots read back from a history database, stepped through in time. */
#ifndef EBTOP_REPLAY_H
#define EBTOP_REPLAY_H

#include <stddef.h>
#include <stdint.h>
#include "model/model.h"
#include "model/source.h"

/*
 * A recording as a sequence of snapshots in time order. A rebuilt snapshot
 * has what the live one had for its process rows: identity (pid, start_ns,
 * comm, flags, state), /proc details (user, cmdline, cgroup), every stored
 * numeric field in v[] (NaN for fields recorded before they existed), the
 * totals, and the interval, status, loss counters and BPF costs. It has no
 * thread rows and no raw counters (tot/delta are zero): consumers use v[].
 */
struct replay;

int replay_open(struct replay **out, const char *path, char *msg, size_t msglen)
    __attribute__((warn_unused_result));
void replay_close(struct replay *r);

/* Picks up samples written since open (the file may be recorded into meanwhile). */
int replay_refresh(struct replay *r) __attribute__((warn_unused_result));

size_t replay_count(const struct replay *r);
/* Wall-clock time of the sample at index i (0 .. count-1), in time order. */
uint64_t replay_time(const struct replay *r, size_t i);
/* Index of the last sample at or before wall_ns; 0 when all are later; -1 when empty. */
long replay_find(const struct replay *r, uint64_t wall_ns);

/*
 * Rebuilds the snapshot at index i; the caller owns the reference. NULL on
 * failure with a negative errno in *err (and a sentence in replay_errmsg).
 */
struct snapshot *replay_load(struct replay *r, size_t i, int *err);
const char *replay_errmsg(const struct replay *r);

/*
 * The recording as a snapshot source for the interactive view, positioned at
 * index start. Its snapshots carry the sample's row id as seq (recorded seq
 * numbers restart with each run), so every position is a distinct snapshot.
 */
void replay_source(struct replay *r, size_t start, struct snap_source *out);
/* The snapshot at the source's position (a new reference), or NULL. */
struct snapshot *replay_source_current(struct replay *r, char *err, size_t errlen);

#endif
