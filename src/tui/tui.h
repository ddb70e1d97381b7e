/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The interactive view: an htop-like screen over the snapshots of a feed. */
#ifndef EBTOP_TUI_H
#define EBTOP_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/feed.h"
#include "model/source.h"

/* Command-line choices; each *_set one overrides the saved settings for this run. */
struct tui_opts {
	double interval_s;
	bool interval_set;
	int sort_field;
	bool sort_desc;
	bool sort_set;
	const int *cols; /* (borrowed) */
	size_t ncols;	 /* 0: the saved or default columns */
	bool raw;	 /* whole numbers, no K/M/G */
	bool threads;
	const uint32_t *pids; /* (borrowed) */
	size_t npids;
	/* ebtop replay: the feed shows a recording and keys step through it. NULL: live. */
	const struct snap_source *replay; /* (borrowed) */
};

/*
 * Runs until the user quits or SIGINT/SIGTERM/SIGHUP arrives, reading only the
 * feed. The terminal is restored on every way out, including crashes. Returns
 * 0, or 1 with one sentence in err.
 */
int tui_run(struct feed *feed, const struct tui_opts *o, char *err, size_t errlen);

#endif
