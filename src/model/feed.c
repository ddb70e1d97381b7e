// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The latest snapshot, handed from a collecting thread to consumers without blocking either. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include "model/feed.h"

struct feed {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC: wakes the producer on stop or a new interval */
	struct snapshot *latest;
	uint64_t interval_ns;
	unsigned interval_gen; /* bumped on every change, so a wait can tell */
	bool stop;
	int efd;
	char error[256];
};

struct feed *feed_new(double interval_s)
{
	struct feed *f = calloc(1, sizeof(*f));
	pthread_condattr_t ca;

	if (!f)
		return NULL;
	f->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (f->efd < 0) {
		free(f);
		return NULL;
	}
	pthread_mutex_init(&f->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&f->cond, &ca);
	pthread_condattr_destroy(&ca);
	f->interval_ns = (uint64_t)(interval_s * 1e9);
	return f;
}

void feed_free(struct feed *f)
{
	if (!f)
		return;
	snapshot_put(f->latest);
	close(f->efd);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

static void wake_consumer(struct feed *f)
{
	uint64_t one = 1;

	/* EAGAIN means the counter is already nonzero: the consumer will wake anyway. */
	if (write(f->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return;
}

void feed_publish(struct feed *f, struct snapshot *s)
{
	struct snapshot *old;

	snapshot_get(s);
	pthread_mutex_lock(&f->lock);
	old = f->latest;
	f->latest = s;
	pthread_mutex_unlock(&f->lock);
	/* The last reference may free a large snapshot: never under the lock. */
	snapshot_put(old);
	wake_consumer(f);
}

void feed_set_error(struct feed *f, const char *msg)
{
	pthread_mutex_lock(&f->lock);
	snprintf(f->error, sizeof(f->error), "%s", msg ? msg : "");
	pthread_mutex_unlock(&f->lock);
	wake_consumer(f);
}

void feed_error(struct feed *f, char *buf, size_t len)
{
	pthread_mutex_lock(&f->lock);
	snprintf(buf, len, "%s", f->error);
	pthread_mutex_unlock(&f->lock);
}

enum feed_wait feed_wait_until(struct feed *f, uint64_t deadline)
{
	struct timespec ts = {
	    .tv_sec = (time_t)(deadline / 1000000000ULL),
	    .tv_nsec = (long)(deadline % 1000000000ULL),
	};
	enum feed_wait res = FEED_TIMEOUT;
	unsigned gen;
	int rc = 0;

	pthread_mutex_lock(&f->lock);
	gen = f->interval_gen;
	while (!f->stop && f->interval_gen == gen && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&f->cond, &f->lock, &ts);
	if (f->stop)
		res = FEED_STOP;
	else if (f->interval_gen != gen)
		res = FEED_CHANGED;
	pthread_mutex_unlock(&f->lock);
	return res;
}

uint64_t feed_interval_ns(struct feed *f)
{
	uint64_t ns;

	pthread_mutex_lock(&f->lock);
	ns = f->interval_ns;
	pthread_mutex_unlock(&f->lock);
	return ns;
}

bool feed_stopping(struct feed *f)
{
	bool stop;

	pthread_mutex_lock(&f->lock);
	stop = f->stop;
	pthread_mutex_unlock(&f->lock);
	return stop;
}

struct snapshot *feed_latest(struct feed *f)
{
	struct snapshot *s;

	pthread_mutex_lock(&f->lock);
	s = snapshot_get(f->latest);
	pthread_mutex_unlock(&f->lock);
	return s;
}

int feed_fd(const struct feed *f)
{
	return f->efd;
}

void feed_drain(struct feed *f)
{
	uint64_t n;

	while (read(f->efd, &n, sizeof(n)) > 0)
		;
}

void feed_set_interval(struct feed *f, double interval_s)
{
	pthread_mutex_lock(&f->lock);
	f->interval_ns = (uint64_t)(interval_s * 1e9);
	f->interval_gen++;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

void feed_stop(struct feed *f)
{
	pthread_mutex_lock(&f->lock);
	f->stop = true;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}
