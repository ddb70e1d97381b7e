// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Which rows of a snapshot a consumer shows, in what order. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "model/view.h"

void view_opts_default(struct view_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sort_field = F_NET_RATE;
	o->sort_desc = true;
	o->conn_sort_field = CF_TX_RATE;
	o->conn_sort_desc = true;
}

static bool pid_wanted(const struct view_opts *o, const struct row *r)
{
	if (!o->npids)
		return true;
	for (size_t i = 0; i < o->npids; i++) {
		if (o->pids[i] == r->tgid)
			return true;
	}
	return false;
}

long view_select(const struct snapshot *s, const struct view_opts *o, const struct row ***out)
{
	const struct row *rows = o->threads ? s->threads : s->procs;
	size_t n = o->threads ? s->nthreads : s->nprocs, k = 0;
	const struct row **sel = calloc(n ? n : 1, sizeof(*sel));

	*out = NULL;
	if (!sel)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		double v = r->v[o->sort_field];

		if (!pid_wanted(o, r))
			continue;
		if (o->active && fields[o->sort_field].type == FT_NUM && (isnan(v) || v == 0))
			continue;
		if (o->match && !o->match(r, o->match_ctx))
			continue;
		sel[k++] = r;
	}
	row_ptrs_sort(sel, k, o->sort_field, o->sort_desc);
	if (o->top && k > o->top)
		k = o->top;
	*out = sel;
	return (long)k;
}

/* The process row a connection belongs to, or NULL (owner unknown or not in the snapshot). */
static const struct row *conn_owner(const struct snapshot *s, const struct conn *c)
{
	size_t lo = 0, hi = s->nprocs;

	if (!c->pid)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct row *p = &s->procs[mid];

		if (p->pid < c->pid || (p->pid == c->pid && p->start_ns < c->pstart_ns))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->nprocs && s->procs[lo].pid == c->pid && s->procs[lo].start_ns == c->pstart_ns)
		return &s->procs[lo];
	return NULL;
}

long view_select_conns(const struct snapshot *s, const struct view_opts *o,
		       const struct conn ***out)
{
	const struct conn **sel = calloc(s->nconns ? s->nconns : 1, sizeof(*sel));
	size_t k = 0;

	*out = NULL;
	if (!sel)
		return -ENOMEM;
	for (size_t i = 0; i < s->nconns; i++) {
		const struct conn *c = &s->conns[i];
		const struct row *owner = conn_owner(s, c);
		double v = c->v[o->conn_sort_field];

		if (o->npids) {
			bool hit = false;

			for (size_t j = 0; j < o->npids && !hit; j++)
				hit = o->pids[j] == c->pid;
			if (!hit)
				continue;
		}
		if (o->active && conn_fields[o->conn_sort_field].type == FT_NUM && (isnan(v) || v == 0))
			continue;
		if (o->conn_match && !o->conn_match(c, owner, o->conn_match_ctx))
			continue;
		sel[k++] = c;
	}
	conn_ptrs_sort(sel, k, o->conn_sort_field, o->conn_sort_desc);
	if (o->top && k > o->top)
		k = o->top;
	*out = sel;
	return (long)k;
}
