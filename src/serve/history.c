// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* GET /api/v1/history: time series read from the history store. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "serve/history.h"
#include "serve/api.h"
#include "model/fields.h"
#include "store/store.h"

/* Default window when from/to are not given. */
#define HISTORY_DEFAULT_S 3600

struct history {
	pthread_mutex_t lock; /* one read handle, one query at a time */
	char *path;
	struct store *st;
};

struct history *history_new(const char *path)
{
	struct history *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->path = strdup(path);
	if (!h->path) {
		free(h);
		return NULL;
	}
	pthread_mutex_init(&h->lock, NULL);
	return h;
}

void history_free(struct history *h)
{
	if (!h)
		return;
	store_close(h->st);
	pthread_mutex_destroy(&h->lock);
	free(h->path);
	free(h);
}

static json_t *num(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static int on_series(void *ctx, const struct store_series *s)
{
	json_t *arr = ctx, *o = json_object(), *pts = json_array();

	if (s->pid)
		json_object_set_new(o, "pid", json_integer(s->pid));
	if (s->start_ns)
		json_object_set_new(o, "start_ns", json_integer((json_int_t)s->start_ns));
	if (s->comm)
		json_object_set_new(o, "comm", json_string(s->comm));
	if (s->cmd)
		json_object_set_new(o, "cmd", json_string(s->cmd));
	for (size_t i = 0; i < s->npts; i++) {
		json_t *p = json_array();

		json_array_append_new(p, json_real((double)s->pts[i].t_ns / 1e9));
		json_array_append_new(p, num(s->pts[i].v));
		json_array_append_new(pts, p);
	}
	json_object_set_new(o, "points", pts);
	return json_array_append_new(arr, o) ? -ENOMEM : 0;
}

static int fail(struct buf *out, int status, const char *param, const char *msg)
{
	return api_error(out, param, msg) ? 500 : status;
}

int history_respond(struct history *h, const struct request *rq, double now_s, struct buf *out)
{
	double to = isnan(rq->to) ? now_s : rq->to;
	double from = isnan(rq->from) ? to - HISTORY_DEFAULT_S : rq->from;
	struct store_series_query q = {
		.pid = rq->pid,
		.comm = rq->comm[0] ? rq->comm : NULL,
		.field = rq->metric,
		.from_ns = (uint64_t)(from > 0 ? from * 1e9 : 0),
		.to_ns = (uint64_t)(to > 0 ? to * 1e9 : 0), /* a negative double is no uint64_t */
		.step_ns = (uint64_t)(rq->step * 1e9),
	};
	json_t *root, *series = json_array();
	char msg[256], *text;
	int err;

	if (!h) {
		json_decref(series);
		return fail(out, 503, "", "history is not available: ebtop serve runs without a "
					  "history database (--db)");
	}
	pthread_mutex_lock(&h->lock);
	if (!h->st && store_open(&h->st, h->path, STORE_READ, NULL, msg, sizeof(msg))) {
		pthread_mutex_unlock(&h->lock);
		json_decref(series);
		return fail(out, 503, "", msg);
	}
	err = store_query_series(h->st, &q, on_series, series);
	pthread_mutex_unlock(&h->lock);
	if (err) {
		json_decref(series);
		if (err == -E2BIG)
			return fail(out, 400, "step", "too many points: give a larger step");
		if (err == -EINVAL)
			return fail(out, 400, "metric", "not a numeric field, or from is after to");
		snprintf(msg, sizeof(msg), "history query failed: %s", strerror(-err));
		return fail(out, 500, "", msg);
	}
	root = json_object();
	json_object_set_new(root, "metric", json_string(fields[rq->metric].name));
	if (rq->pid)
		json_object_set_new(root, "pid", json_integer(rq->pid));
	if (rq->comm[0])
		json_object_set_new(root, "comm", json_string(rq->comm));
	json_object_set_new(root, "from", json_real(from));
	json_object_set_new(root, "to", json_real(to));
	json_object_set_new(root, "step", json_real(rq->step));
	json_object_set_new(root, "series", series);
	text = json_dumps(root, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(15));
	json_decref(root);
	if (!text)
		return 500;
	buf_reset(out);
	err = buf_puts(out, text);
	if (!err)
		err = buf_puts(out, "\n");
	free(text);
	if (err == -ENOSPC)
		return fail(out, 400, "step", "response too large: give a larger step");
	return err ? 500 : 200;
}
