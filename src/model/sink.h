/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Snapshot consumers of the sampling loop: the HTTP publisher, the history writer, ... */
#ifndef EBTOP_SINK_H
#define EBTOP_SINK_H

#include <stdint.h>
#include "model/model.h"

/* Facts about an interval that are not part of the snapshot. */
struct sink_info {
	double collect_s; /* reading the collector and building the snapshot */
};

/*
 * One consumer. The loop calls every sink in order, once per snapshot, from
 * one thread. consume() borrows snap (take a reference to keep it); a
 * nonzero return is logged and the loop goes on, so one failing consumer
 * (a full disk) never stops the others. close() runs once at shutdown,
 * after the last snapshot: flush there. Either may be NULL.
 */
struct snapshot_sink {
	const char *name;
	int (*consume)(void *ctx, struct snapshot *snap, const struct sink_info *info);
	void (*close)(void *ctx);
	void *ctx;
};

#endif
