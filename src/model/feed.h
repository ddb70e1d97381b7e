/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The latest snapshot, handed from a collecting thread to consumers without blocking either. */
#ifndef EBTOP_FEED_H
#define EBTOP_FEED_H

#include <stdbool.h>
#include <stdint.h>
#include "model/model.h"

/*
 * One producer publishes snapshots on its own cadence; consumers take a
 * reference to the latest one whenever they like. The lock is held only to
 * swap or copy a pointer, so neither side ever waits for the other's work.
 * feed_fd() becomes readable when something was published (poll it).
 */
struct feed;

enum feed_wait { FEED_TIMEOUT, FEED_STOP, FEED_CHANGED };

struct feed *feed_new(double interval_s);
void feed_free(struct feed *f);

/* Producer side. publish takes its own reference; the caller keeps theirs. */
void feed_publish(struct feed *f, struct snapshot *s);
/* A problem the consumer should show (NULL or "" clears it). */
void feed_set_error(struct feed *f, const char *msg);
/* Sleeps until the CLOCK_MONOTONIC deadline, a stop request or an interval change. */
enum feed_wait feed_wait_until(struct feed *f, uint64_t mono_deadline_ns);
uint64_t feed_interval_ns(struct feed *f);
bool feed_stopping(struct feed *f);

/* Consumer side. */
struct snapshot *feed_latest(struct feed *f); /* a new reference, or NULL before the first */
int feed_fd(const struct feed *f);
void feed_drain(struct feed *f); /* clears feed_fd()'s readiness */
/* Copies the current error into buf ("" when none). */
void feed_error(struct feed *f, char *buf, size_t len);
void feed_set_interval(struct feed *f, double interval_s);
void feed_stop(struct feed *f);

#endif
