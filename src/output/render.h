/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Snapshot renderers for batch mode: top-style table, JSON lines, CSV. */
#ifndef EBTOP_RENDER_H
#define EBTOP_RENDER_H

#include <stdbool.h>
#include "core/buf.h"
#include "model/model.h"

#define RENDER_MAX_COLS 48

struct render_opts {
	int cols[RENDER_MAX_COLS];
	size_t ncols;
	bool raw;     /* --bytes: whole numbers, no K/M/G */
	bool threads; /* rows are threads */
	int width;    /* truncate lines to this many columns; 0: no limit */
	int conn_cols[RENDER_MAX_COLS]; /* the connection table (enum conn_field_id) */
	size_t nconn_cols;
	bool verbose; /* -v: table occupancy in the header */
};

/* The default columns: PID USER CPU% RUNQ% TX/s RX/s TX RX COMMAND. */
void render_opts_default(struct render_opts *o);
/* "a,b,c" to field ids through lookup; -1 with "unknown WHAT 'x'" in err. */
int render_parse_list(const char *list, int (*lookup)(const char *name), const char *what,
		      int *cols, size_t *ncols, char *err, size_t errlen);
/* Parses "pid,user,tx" into o->cols; returns -1 and names the bad field in err. */
int render_parse_cols(struct render_opts *o, const char *list, char *err, size_t errlen);
/* Same for the connection table's columns (connection field names). */
int render_parse_conn_cols(struct render_opts *o, const char *list, char *err, size_t errlen);

/* What a loss counter (enum ebtop_err) counts, for any consumer; NULL for unused slots. */
const char *render_err_name(int i);

int render_header(struct buf *b, const struct snapshot *s, const struct render_opts *o) BUF_CHECK;
int render_table(struct buf *b, const struct snapshot *s, const struct row *const *rows, size_t n,
		 const struct render_opts *o) BUF_CHECK;
/* One line: a JSON object for the interval, with the selected rows. */
int render_json(struct buf *b, const struct snapshot *s, const struct row *const *rows, size_t n,
		const struct render_opts *o) BUF_CHECK;
/* CSV rows (every numeric field, raw); the column line first when header is set. */
int render_csv(struct buf *b, const struct snapshot *s, const struct row *const *rows, size_t n,
	       const struct render_opts *o, bool header) BUF_CHECK;

/* Header lines about connections (and, with verbose, table occupancy); nothing without them. */
int render_conn_header(struct buf *b, const struct snapshot *s, const struct render_opts *o) BUF_CHECK;
/* The connection table (ebtop -b --connections). */
int render_conn_table(struct buf *b, const struct snapshot *s, const struct conn *const *c,
		      size_t n, const struct render_opts *o) BUF_CHECK;
/* One JSON object for the interval with the selected connections (--connections --json). */
int render_conn_json(struct buf *b, const struct snapshot *s, const struct conn *const *c,
		     size_t n, const struct render_opts *o) BUF_CHECK;
/* One event: a line of text or a JSON object (ebtop events). */
int render_event(struct buf *b, const struct event *e, bool json) BUF_CHECK;
/* The column line of the text event stream. */
int render_event_header(struct buf *b) BUF_CHECK;
/*
 * Events lost since the last report: ring buffer full (lost), and runs of
 * ebtop's programs the kernel skipped, which may have carried events (missed).
 */
int render_events_lost(struct buf *b, uint64_t lost, uint64_t missed, bool json) BUF_CHECK;

#endif
