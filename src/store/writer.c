// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The writer thread: snapshots queue in memory, so a locked database or full disk never stalls
 * collection. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/clock.h"
#include "core/log.h"
#include "store/store_int.h"

#define RETRY_MS 1000

struct store_writer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct snapshot **q; /* ring of owned references, oldest at head */
	size_t cap;
	size_t head;
	size_t n;
	bool stop;
	struct store *st; /* used by the thread only */
	char path[1024];
	struct store_writer_stats stats;
	uint64_t outage_mono_ns; /* when the current outage began; 0: none */
	uint64_t outage_dropped;
	uint64_t late; /* written while an outage was in progress */
};

static struct snapshot *q_pop(struct store_writer *w)
{
	struct snapshot *s;

	if (!w->n)
		return NULL;
	s = w->q[w->head];
	w->head = (w->head + 1) % w->cap;
	w->n--;
	return s;
}

/* Puts a snapshot that failed back at the front, unless newer ones filled the ring. */
static void q_unpop(struct store_writer *w, struct snapshot *s)
{
	if (w->n == w->cap) {
		snapshot_put(s);
		w->stats.dropped++;
		w->outage_dropped++;
		return;
	}
	w->head = (w->head + w->cap - 1) % w->cap;
	w->q[w->head] = s;
	w->n++;
}

void store_writer_push(struct store_writer *w, struct snapshot *s)
{
	pthread_mutex_lock(&w->mu);
	if (w->n == w->cap) {
		snapshot_put(q_pop(w));
		w->stats.dropped++;
		if (!w->outage_dropped++)
			log_warn(
			    "history: %zu intervals wait for %s; dropping the oldest from now on\n",
			    w->cap, w->path);
	}
	w->q[(w->head + w->n) % w->cap] = snapshot_get(s);
	w->n++;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static enum store_writer_state state_of(int err)
{
	switch (err) {
	case -EBUSY:
		return STORE_LOCKED;
	case -ENOSPC:
		return STORE_FULL;
	default:
		return STORE_FAILING;
	}
}

/* One log line per change of state, not per failed interval. Called with mu held. */
static void note_failure(struct store_writer *w, int err)
{
	enum store_writer_state s = state_of(err);
	const char *why = store_errmsg(w->st);

	if (w->stats.state == s)
		return;
	if (w->stats.state == STORE_OK) {
		w->outage_mono_ns = clock_mono_ns();
		w->outage_dropped = 0;
		w->late = 0;
	}
	w->stats.state = s;
	snprintf(w->stats.error, sizeof(w->stats.error), "%s", why);
	switch (s) {
	case STORE_LOCKED:
		log_warn("history: %s is locked by another process (waited %u ms); collection "
			 "continues, up to %zu intervals wait in memory and writing is retried\n",
			 w->path, w->st->opts.busy_ms, w->cap);
		break;
	case STORE_FULL:
		log_warn("history: no space left on the device of %s; collection continues, up to "
			 "%zu intervals wait in memory and writing is retried\n",
			 w->path, w->cap);
		break;
	default:
		log_warn("history: writing %s failed (%s); collection continues, up to %zu "
			 "intervals wait in memory and writing is retried\n",
			 w->path, why, w->cap);
		break;
	}
}

static void note_success(struct store_writer *w, const struct snapshot *s)
{
	w->stats.written++;
	w->stats.last_write_wall_ns = s->wall_ns;
	if (w->stats.state == STORE_OK)
		return;
	w->late++;
	if (w->n)
		return; /* announce once the backlog is written */
	log_warn("history: writing %s resumed after %.1f s (%llu intervals written late, %llu "
		 "dropped)\n",
		 w->path, (double)(clock_mono_ns() - w->outage_mono_ns) / 1e9,
		 (unsigned long long)w->late, (unsigned long long)w->outage_dropped);
	w->stats.state = STORE_OK;
	w->stats.error[0] = '\0';
}

static void wait_retry(struct store_writer *w)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += RETRY_MS / 1000;
	ts.tv_nsec += (long)(RETRY_MS % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&w->cv, &w->mu, &ts);
}

static void *writer_main(void *arg)
{
	struct store_writer *w = arg;
	bool final_failed = false;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct snapshot *s;
		int err;

		while (!w->n && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->n)
			break;
		if (w->stop && final_failed) {
			/* One more attempt was made at stop; what is left is lost. */
			snapshot_put(q_pop(w));
			w->stats.dropped++;
			continue;
		}
		s = q_pop(w);
		pthread_mutex_unlock(&w->mu);
		err = store_write(w->st, s);
		pthread_mutex_lock(&w->mu);
		if (!err) {
			note_success(w, s);
			snapshot_put(s);
			continue;
		}
		note_failure(w, err);
		q_unpop(w, s);
		if (w->stop)
			final_failed = true;
		else
			wait_retry(w);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int store_writer_start(struct store_writer **out, const char *path, const struct store_opts *o,
		       char *msg, size_t msglen)
{
	struct store_writer *w = calloc(1, sizeof(*w));
	sigset_t all, old;
	int err;

	*out = NULL;
	if (!w) {
		snprintf(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	snprintf(w->path, sizeof(w->path), "%s", path);
	err = store_open(&w->st, path, STORE_WRITE, o, msg, msglen);
	if (err) {
		free(w);
		return err;
	}
	w->cap = w->st->opts.backlog ? w->st->opts.backlog : 1;
	w->q = calloc(w->cap, sizeof(*w->q));
	if (!w->q) {
		store_close(w->st);
		free(w);
		snprintf(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	/* Signals are for the sampling loop; the writer finishes its transaction regardless. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&w->thread, NULL, writer_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		snprintf(msg, msglen, "cannot start the writer thread: %s", strerror(-err));
		store_close(w->st);
		free(w->q);
		free(w);
		return err;
	}
	*out = w;
	return 0;
}

int store_writer_stop(struct store_writer *w)
{
	uint64_t dropped;

	if (!w)
		return 0;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	dropped = w->stats.dropped;
	if (dropped)
		log_warn("history: %llu intervals could not be written to %s\n",
			 (unsigned long long)dropped, w->path);
	store_close(w->st);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w->q);
	free(w);
	return dropped ? -EIO : 0;
}

void store_writer_get_stats(struct store_writer *w, struct store_writer_stats *out)
{
	pthread_mutex_lock(&w->mu);
	*out = w->stats;
	out->pending = w->n;
	pthread_mutex_unlock(&w->mu);
}

static int sink_consume(void *ctx, struct snapshot *snap, const struct sink_info *info)
{
	(void)info;
	store_writer_push(ctx, snap);
	return 0;
}

static void sink_close(void *ctx)
{
	/* A loss is logged by store_writer_stop itself. */
	(void)store_writer_stop(ctx);
}

struct snapshot_sink store_writer_sink(struct store_writer *w)
{
	return (struct snapshot_sink){"history", sink_consume, sink_close, w};
}
