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
