/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The filter language over snapshot rows: the field table as its schema. */
#ifndef EBTOP_ROWFILTER_H
#define EBTOP_ROWFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include "model/model.h"

struct row_filter;

/*
 * Compiles expr against every field of the field table. On error returns
 * NULL and writes the message, the expression and a caret line into err.
 */
struct row_filter *row_filter_new(const char *expr, char *err, size_t errlen)
	__attribute__((warn_unused_result));
void row_filter_free(struct row_filter *f);
/* A process (or thread) row; NULL filter matches everything. */
bool row_filter_match(const struct row_filter *f, const struct row *r);
/* NEED_* bits of the fields the expression reads: their collectors must run. */
unsigned row_filter_needs(const struct row_filter *f);
/* A connection row of the connection view: conn.* clauses read it, others its owner. */
bool row_filter_match_conn(const struct row_filter *f, const struct conn *c);
/* Adapter for struct view_opts.conn_match (ctx is the struct row_filter). */
bool row_filter_view_match_conn(const struct conn *c, const struct row *owner, void *ctx);
/* Adapter for struct view_opts.match (ctx is the struct row_filter). */
bool row_filter_view_match(const struct row *r, void *ctx);

#endif
