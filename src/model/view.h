/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Which rows of a snapshot a consumer shows, in what order. */
#ifndef EBTOP_VIEW_H
#define EBTOP_VIEW_H

#include "model/model.h"

#define VIEW_MAX_PIDS 64

struct view_opts {
	int sort_field;
	bool sort_desc;
	size_t top;     /* 0: every row */
	bool threads;   /* thread rows instead of process rows */
	bool active;    /* only rows with a nonzero value in the sort field */
	uint32_t pids[VIEW_MAX_PIDS];
	size_t npids;   /* 0: every pid */
	/* An extra predicate (the filter language); NULL: everything matches. */
	bool (*match)(const struct row *r, void *ctx);
	void *match_ctx;
	/* The connection table: sort key (enum conn_field_id) and an optional predicate. */
	int conn_sort_field;
	bool conn_sort_desc;
	bool (*conn_match)(const struct conn *c, const struct row *owner, void *ctx);
	void *conn_match_ctx;
};

void view_opts_default(struct view_opts *o);
/* Selected rows, sorted; *out is malloc'd and borrows rows from s. Returns the count or -ENOMEM. */
long view_select(const struct snapshot *s, const struct view_opts *o, const struct row ***out);
/*
 * Selected connections, sorted by conn_sort_field, --pid and --top applied;
 * *out is malloc'd and borrows from s. Returns the count or -ENOMEM.
 */
long view_select_conns(const struct snapshot *s, const struct view_opts *o,
		       const struct conn ***out);

#endif
