// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A thread that samples the collector on a monotonic cadence and publishes snapshots to a feed. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sampler.h"
#include "core/clock.h"

struct sampler {
	pthread_t thread;
	struct collector *col; /* (borrowed) */
	struct model *model;   /* (borrowed) */
	struct feed *feed;     /* (borrowed) */
	uint64_t first_delay_ns;
};

/* Returns false when this interval produced no snapshot (the feed says why). */
static bool sample_once(struct sampler *s)
{
	struct sample smp;
	struct snapshot *snap;
	char msg[160];
	int err = collector_sample(s->col, &smp);

	if (err) {
		snprintf(msg, sizeof(msg), "reading the BPF maps failed: %s", strerror(-err));
		feed_set_error(s->feed, msg);
		return false;
	}
	snap = model_update(s->model, &smp);
	if (!snap) {
		feed_set_error(s->feed, "out of memory building a snapshot");
		return false;
	}
	feed_publish(s->feed, snap);
	snapshot_put(snap);
	return true;
}

static void *sampler_main(void *arg)
{
	struct sampler *s = arg;
	uint64_t step = feed_interval_ns(s->feed);
	uint64_t last = collector_start_ns(s->col);
	uint64_t next = last + (s->first_delay_ns < step ? s->first_delay_ns : step);
	bool failing = false;

	for (;;) {
		enum feed_wait w = feed_wait_until(s->feed, next);
		uint64_t now = clock_mono_ns();

		if (w == FEED_STOP)
			break;
		if (w == FEED_CHANGED) {
			step = feed_interval_ns(s->feed);
			next = last + step > now ? last + step : now;
			continue;
		}
		if (sample_once(s)) {
			if (failing)
				feed_set_error(s->feed, NULL);
			failing = false;
		} else {
			failing = true;
		}
		last = next;
		next += step;
		/* Fell behind (a suspended machine, a huge read): skip, never burst. */
		if (next <= now)
			next = now + step;
	}
	return NULL;
}

int sampler_start(struct sampler **out, struct collector *col, struct model *model,
		  struct feed *feed, uint64_t first_delay_ns)
{
	struct sampler *s = calloc(1, sizeof(*s));
	sigset_t all, old;
	int err;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->col = col;
	s->model = model;
	s->feed = feed;
	s->first_delay_ns = first_delay_ns;
	/* Signals belong to the interface thread; this one must never be interrupted by them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&s->thread, NULL, sampler_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		free(s);
		return -err;
	}
	*out = s;
	return 0;
}

void sampler_stop(struct sampler *s)
{
	if (!s)
		return;
	feed_stop(s->feed);
	pthread_join(s->thread, NULL);
	free(s);
}
