/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A bounded ring of recent events for the API: appended once per snapshot, read newest first. */
#ifndef EBTOP_SERVE_EVRING_H
#define EBTOP_SERVE_EVRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/model.h"

#define EVRING_KEEP_DEFAULT 10000
#define EVRING_KEEP_MAX	    1000000

/* Which events a ring keeps. */
enum evring_kind {
	EVRING_EXEC,	/* EBTOP_EV_EXEC */
	EVRING_CONNECT, /* EBTOP_EV_CONNECT, EBTOP_EV_ACCEPT, EBTOP_EV_CLOSE */
};

struct evring;

/* cap: events kept (1 .. EVRING_KEEP_MAX); the oldest is overwritten. NULL: out of memory. */
struct evring *evring_new(enum evring_kind kind, size_t cap);
void evring_free(struct evring *r);
size_t evring_cap(const struct evring *r);
/* Whether an event belongs to this ring. */
bool evring_wants(const struct evring *r, const struct event *e);

/*
 * Appends the events of snapshot seq that belong to this ring, in order.
 * lost_before: events the collector had lost (cumulative) before this
 * snapshot's interval; it lets a reader say how many may be missing from what
 * it returns. Called by one thread (the sampling loop); readers may run at
 * the same time.
 */
void evring_push(struct evring *r, uint64_t seq, uint64_t lost_before, const struct event *ev,
		 size_t n);

/*
 * Walks the kept events of snapshots up to max_seq, newest first, that
 * belong to pid (0: any; the owner for connection events). fn is called for
 * the first limit of them with a copy valid during the call. Returns how
 * many matched in all.
 */
typedef void (*evring_fn)(const struct event *e, uint64_t seq, uint64_t lost_before, void *ctx);
size_t evring_visit(struct evring *r, uint64_t max_seq, uint32_t pid, size_t limit, evring_fn fn,
		    void *ctx);

/* Events appended since the ring was made, and how many of them were overwritten. */
void evring_counts(struct evring *r, uint64_t *appended, uint64_t *overwritten);

#endif
