// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Per-process connection fields, from the sums over the process's connection rows. */
#include "model/fill.h"

static double errs(const struct conn_sums *c)
{
	return (double)(c->refused + c->reset + c->timeout + c->other);
}

void fill_conn(struct row *r, double dt)
{
	const struct row_conns *c = &r->conn;
	double *v = r->v;

	/* Connection rows link to process rows; a thread row has none of its own. */
	if (r->flags & ROW_THREAD)
		return;
	v[F_CONNS] = c->open;
	v[F_CONN_NEW_RATE] = (double)c->delta.opened / dt;
	v[F_CONN_ERR_RATE] = errs(&c->delta) / dt;
	v[F_RETX_PCT] = c->segs_out ? 100.0 * (double)c->retrans / (double)c->segs_out : 0;
	v[F_CONN_OUT_TOTAL] = (double)c->out;
	v[F_CONN_IN_TOTAL] = (double)c->in;
	v[F_CONN_REFUSED_TOTAL] = (double)c->tot.refused;
	v[F_CONN_RESET_TOTAL] = (double)c->tot.reset;
	v[F_CONN_TIMEOUT_TOTAL] = (double)c->tot.timeout;
	v[F_CONN_ERR_TOTAL] = errs(&c->tot);
	v[F_TCP_RETRANS_TOTAL] = (double)c->retrans_tot;
	v[F_TCP_SEGS_OUT_TOTAL] = (double)c->segs_out_tot;
}
