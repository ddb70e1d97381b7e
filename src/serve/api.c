// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The REST/JSON API: one parsed request and one snapshot in, a status and a JSON body out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <jansson.h>
#include "serve/api.h"
#include "serve/evring.h"
#include "model/rowfilter.h"
#include "model/view.h"
#include "output/json.h"
#include "output/json_conn.h"

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

/*
 * The sort and filter parameters of a listing over the fields of tab: sort
 * and desc keep the view's defaults unless given. *filter (NULL: none) is the
 * caller's to free. Returns 0, or the status of the error written into out.
 */
static int list_params(const struct request *rq, const struct field_desc *tab, int *sort,
		       bool *desc, struct row_filter **filter, struct buf *out)
{
	*filter = NULL;
	if (rq->sort_field >= 0) {
		*sort = rq->sort_field;
		*desc = !(tab[rq->sort_field].flags & FIELD_ASC);
	}
	if (rq->sort_desc >= 0)
		*desc = rq->sort_desc;
	if (rq->filter[0]) {
		char err[1024];

		*filter = row_filter_new(rq->filter, err, sizeof(err));
		if (!*filter)
			return api_error(out, "filter", err) ? 500 : 400;
	}
	return 0;
}

/* A listing's answer before its rows: the snapshot, its status, the order, the rows matched. */
static json_t *list_root(const struct snapshot *s, const struct field_desc *tab, int sort,
			 bool desc, long n)
{
	json_t *root = envelope(s);

	json_object_set_new(root, "status", json_string(s->status));
	json_object_set_new(root, "sort", json_string(tab[sort].name));
	json_object_set_new(root, "order", json_string(desc ? "desc" : "asc"));
	json_object_set_new(root, "total", json_integer(n));
	return root;
}

static int processes(const struct request *rq, const struct snapshot *s, struct buf *out)
{
	struct row_filter *filter;
	struct view_opts vo;
	const struct row **rows;
	json_t *root, *arr;
	long n;
	int status;

	view_opts_default(&vo);
	status = list_params(rq, fields, &vo.sort_field, &vo.sort_desc, &filter, out);
	if (status)
		return status;
	if (filter) {
		vo.match = row_filter_view_match;
		vo.match_ctx = filter;
	}
	n = view_select(s, &vo, &rows);
	row_filter_free(filter);
	if (n < 0)
		return 500;
	arr = json_array();
	for (long i = 0; i < n && i < rq->limit; i++)
		json_array_append_new(arr, row_json(rows[i]));
	free(rows);
	root = list_root(s, fields, vo.sort_field, vo.sort_desc, n);
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
	/* Without the connection collector: null, not an empty list that would say "none". */
	json_object_set_new(root, "connections",
			    (s->avail & NEED_CONN) ? row_conns_json(s, p) : json_null());
	json_object_set_new(root, "connections_collected", json_boolean(s->avail & NEED_CONN));
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

/*
 * Why a list is empty on this machine: the feature's own reason (the
 * kernel's words when it refused the programs), else the whole status.
 */
static int not_here(const struct snapshot *s, const char *key, const char *what, enum feature f,
		    struct buf *out)
{
	char reason[1024], why[1200];

	feature_reason(&s->features, f, reason, sizeof(reason));
	if (!reason[0])
		snprintf(reason, sizeof(reason), "%s", s->status);
	snprintf(why, sizeof(why), "%s not collected%s%s", what, reason[0] ? ": " : "", reason);
	return not_collected(s, key, why, out);
}

static int connections(const struct request *rq, const struct snapshot *s, struct buf *out)
{
	struct row_filter *filter;
	const struct conn **conns;
	struct view_opts vo;
	json_t *root, *arr;
	long n;
	int status;

	if (!(s->avail & NEED_CONN))
		return not_here(s, "connections", "connections are", FEAT_CONN, out);
	view_opts_default(&vo);
	status =
	    list_params(rq, conn_fields, &vo.conn_sort_field, &vo.conn_sort_desc, &filter, out);
	if (status)
		return status;
	if (filter) {
		vo.conn_match = row_filter_view_match_conn;
		vo.conn_match_ctx = filter;
	}
	n = view_select_conns(s, &vo, &conns);
	row_filter_free(filter);
	if (n < 0)
		return 500;
	arr = json_array();
	for (long i = 0; i < n && i < rq->limit; i++)
		json_array_append_new(arr, conn_to_json(conns[i]));
	free(conns);
	root = list_root(s, conn_fields, vo.conn_sort_field, vo.conn_sort_desc, n);
	json_object_set_new(root, "collected", json_true());
	json_object_set_new(root, "occupancy", conn_occupancy_json(s));
	json_object_set_new(root, "connections", arr);
	return finish(out, root, 200);
}

struct ev_walk {
	json_t *arr;
	uint64_t oldest_lost; /* lost_before of the oldest event returned */
};

static void ev_add(const struct event *e, uint64_t seq, uint64_t lost_before, void *ctx)
{
	struct ev_walk *w = ctx;

	(void)seq;
	json_array_append_new(w->arr, event_to_json(e));
	w->oldest_lost = lost_before;
}

/* Events lost by the collector so far: ring buffer full, or beyond one interval's bound. */
static uint64_t events_lost(const struct snapshot *s)
{
	return s->errors[EBTOP_ERR_EVENTS] + s->conn_occ.events_dropped;
}

static int events(const struct request *rq, const struct snapshot *s, struct evring *ring,
		  const char *what, enum feature f, struct buf *out)
{
	struct ev_walk w = {0};
	size_t total, cap, limit;
	uint64_t lost = events_lost(s);
	json_t *root;

	if (!(s->avail & NEED_EVENTS) || !ring || (s->features.f[f].wanted && !s->features.f[f].on))
		return not_here(s, "events", what, f, out);
	cap = evring_cap(ring);
	limit = rq->limit_set || (size_t)rq->limit <= cap ? (size_t)rq->limit : cap;
	if (limit > cap) {
		char msg[96];

		snprintf(msg, sizeof(msg), "limit must be from 1 to %zu (the events kept)", cap);
		return api_error(out, "limit", msg) ? 500 : 400;
	}
	w.arr = json_array();
	total = evring_visit(ring, s->seq, rq->pid, limit, ev_add, &w);
	root = envelope(s);
	json_object_set_new(root, "status", json_string(s->status));
	json_object_set_new(root, "total", json_integer((json_int_t)total));
	json_object_set_new(root, "kept", json_integer((json_int_t)cap));
	json_object_set_new(root, "collected", json_true());
	json_object_set_new(root, "lost", json_integer((json_int_t)lost));
	/* Lost since the oldest returned event's interval began: gaps in this list, at most. */
	json_object_set_new(
	    root, "lost_in_range",
	    json_array_size(w.arr)
		? json_integer((json_int_t)(lost >= w.oldest_lost ? lost - w.oldest_lost : 0))
		: json_null());
	json_object_set_new(root, "events", w.arr);
	return finish(out, root, 200);
}

static int disks(const struct snapshot *s, struct buf *out)
{
	json_t *root = envelope(s);

	if (!(s->avail & NEED_DISK)) {
		json_decref(root);
		return not_collected(
		    s, "disks", "disk I/O is not collected (see the status of /api/v1/processes)",
		    out);
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
		return api_error(out, "", "no snapshot yet: the first interval has not ended")
			   ? 500
			   : 503;
	switch (rq->route) {
	case ROUTE_PROCESSES:
		return processes(rq, s, out);
	case ROUTE_PROCESS:
		return process(rq, s, out);
	case ROUTE_CONNECTIONS:
		return connections(rq, s, out);
	case ROUTE_DISKS:
		return disks(s, out);
	case ROUTE_EVENTS_EXEC:
		return events(rq, s, ctx->exec_events, "exec events are", FEAT_EXEC, out);
	case ROUTE_EVENTS_CONNECT:
		return events(rq, s, ctx->conn_events, "connection events are", FEAT_CONN, out);
	default:
		return api_error(out, "", "no such path") ? 500 : 404;
	}
}
