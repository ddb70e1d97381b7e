// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The REST/JSON API: one parsed request and one snapshot in, a status and a JSON body out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <jansson.h>
#include "serve/api.h"
#include "model/rowfilter.h"
#include "model/view.h"
#include "output/json.h"

/* Serializes and frees root; a body too large for out becomes a 500 by the caller. */
static int put_json(struct buf *out, json_t *root)
{
	char *text;
	int err;

	if (!root)
		return -ENOMEM;
	text = json_dumps(root, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(15));
	json_decref(root);
	if (!text)
		return -ENOMEM;
	err = buf_puts(out, text);
	if (!err)
		err = buf_puts(out, "\n");
	free(text);
	return err;
}

int api_error(struct buf *out, const char *param, const char *msg)
{
	json_t *o = json_object();

	json_object_set_new(o, "error", json_string(msg));
	if (param && param[0])
		json_object_set_new(o, "parameter", json_string(param));
	buf_reset(out);
	return put_json(out, o);
}

/* seq, time, interval_s: which snapshot an answer comes from. */
static json_t *envelope(const struct snapshot *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "seq", json_integer((json_int_t)s->seq));
	json_object_set_new(o, "time", json_real((double)s->wall_ns / 1e9));
	json_object_set_new(o, "interval_s", json_real((double)s->interval_ns / 1e9));
	return o;
}

static int finish(struct buf *out, json_t *root, int status)
{
	int err = put_json(out, root);

	if (err == -ENOSPC)
		return api_error(out, "limit", "response too large: ask for fewer rows") ? 500
											  : 413;
	return err ? 500 : status;
}

static int processes(const struct request *rq, const struct snapshot *s, struct buf *out)
{
	struct row_filter *filter = NULL;
	struct view_opts vo;
	const struct row **rows;
	json_t *root, *arr;
	long n;

	view_opts_default(&vo);
	if (rq->sort_field >= 0) {
		vo.sort_field = rq->sort_field;
		vo.sort_desc = !(fields[rq->sort_field].flags & FIELD_ASC);
	}
	if (rq->sort_desc >= 0)
		vo.sort_desc = rq->sort_desc;
	if (rq->filter[0]) {
		char err[1024];

		filter = row_filter_new(rq->filter, err, sizeof(err));
		if (!filter)
			return api_error(out, "filter", err) ? 500 : 400;
		vo.match = row_filter_view_match;
		vo.match_ctx = filter;
	}
	n = view_select(s, &vo, &rows);
	row_filter_free(filter);
	if (n < 0)
		return 500;
	root = envelope(s);
	arr = json_array();
	for (long i = 0; i < n && i < rq->limit; i++)
		json_array_append_new(arr, row_json(rows[i]));
	free(rows);
	json_object_set_new(root, "status", json_string(s->status));
	json_object_set_new(root, "sort", json_string(fields[vo.sort_field].name));
	json_object_set_new(root, "order", json_string(vo.sort_desc ? "desc" : "asc"));
	json_object_set_new(root, "total", json_integer(n));
	json_object_set_new(root, "processes", arr);
	return finish(out, root, 200);
}

static int process(const struct request *rq, const struct snapshot *s, struct buf *out)
{
	const struct row *p = snapshot_find(s, rq->pid);
	json_t *root, *threads;
	char msg[64];

	if (!p) {
		snprintf(msg, sizeof(msg), "no process with pid %u", rq->pid);
		return api_error(out, "", msg) ? 500 : 404;
	}
	root = envelope(s);
	threads = json_array();
	for (uint32_t i = 0; i < p->thread_count; i++)
		json_array_append_new(threads, row_json(&s->threads[p->thread_first + i]));
	json_object_set_new(root, "process", row_json(p));
	json_object_set_new(root, "threads", threads);
	/* Connections are not collected yet: say so rather than return an empty list. */
	json_object_set_new(root, "connections", json_null());
	json_object_set_new(root, "connections_collected", json_false());
	return finish(out, root, 200);
}

/* An endpoint whose data this build does not collect: an empty list and why. */
static int not_collected(const struct snapshot *s, const char *key, const char *why,
			 struct buf *out)
{
	json_t *root = envelope(s);

	json_object_set_new(root, key, json_array());
	json_object_set_new(root, "total", json_integer(0));
	json_object_set_new(root, "collected", json_false());
	json_object_set_new(root, "reason", json_string(why));
	return finish(out, root, 200);
}

static int disks(const struct snapshot *s, struct buf *out)
{
	json_t *root = envelope(s);

	if (!(s->avail & NEED_DISK)) {
		json_decref(root);
		return not_collected(s, "disks", "disk I/O is not collected (see the status of /api/v1/processes)", out);
	}
	json_object_set_new(root, "disks", disks_json(s));
	json_object_set_new(root, "total", json_integer((json_int_t)s->ndisks));
	json_object_set_new(root, "collected", json_true());
	return finish(out, root, 200);
}

int api_respond(const struct request *rq, const struct api_ctx *ctx, struct buf *out)
{
	const struct snapshot *s = ctx->snap;

	buf_reset(out);
	if (rq->route == ROUTE_HISTORY)
		return api_error(out, "",
				 "history is not available: this build has no history store (--db)")
			       ? 500
			       : 503;
	if (!s)
		return api_error(out, "", "no snapshot yet: the first interval has not ended") ? 500
												: 503;
	switch (rq->route) {
	case ROUTE_PROCESSES:
		return processes(rq, s, out);
	case ROUTE_PROCESS:
		return process(rq, s, out);
	case ROUTE_CONNECTIONS:
		return not_collected(s, "connections", "connections are not collected by this build",
				     out);
	case ROUTE_DISKS:
		return disks(s, out);
	case ROUTE_EVENTS_EXEC:
		return not_collected(s, "events", "exec events are not collected by this build",
				     out);
	case ROUTE_EVENTS_CONNECT:
		return not_collected(s, "events", "connect events are not collected by this build",
				     out);
	default:
		return api_error(out, "", "no such path") ? 500 : 404;
	}
}
