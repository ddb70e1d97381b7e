/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Recorded snapshots a viewer steps through in time (ebtop replay), without knowing the file. */
#ifndef EBTOP_SOURCE_H
#define EBTOP_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include "model/model.h"

/*
 * A recording positioned at one sample. Every call that moves (step, seek) returns the
 * snapshot at the new position (a new reference the caller puts), or NULL
 * when it cannot move (then the position is unchanged and err says why).
 * Snapshots from a source carry process rows, totals and disks, no threads.
 * Used from one thread.
 */
struct snap_source {
	/* By delta samples (negative: back in time), clamped to the recording. */
	struct snapshot *(*step)(void *ctx, long delta, char *err, size_t errlen);
	/*
	 * To the last sample at or before a time given as text: epoch seconds,
	 * "YYYY-MM-DD HH:MM[:SS]", "HH:MM[:SS]", "first", "last" or "-5m".
	 */
	struct snapshot *(*seek)(void *ctx, const char *when, char *err, size_t errlen);
	/* Where it is: index (0-based) of count samples. */
	void (*where)(void *ctx, size_t *index, size_t *count);
	void *ctx;
};

#endif
