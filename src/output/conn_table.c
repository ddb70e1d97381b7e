// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The connection table and the header's connection lines for batch mode. */
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include "output/render.h"
#include "output/format.h"

static const int default_conn_cols[] = {
    CF_PID,	CF_COMM,     CF_PROTO,	  CF_LOCAL,   CF_REMOTE, CF_STATE, CF_TX_RATE,
    CF_RX_RATE, CF_TX_TOTAL, CF_RX_TOTAL, CF_RETRANS, CF_SRTT,	 CF_AGE};

static void conn_cols_default(struct render_opts *o)
{
	if (o->nconn_cols)
		return;
	memcpy(o->conn_cols, default_conn_cols, sizeof(default_conn_cols));
	o->nconn_cols = sizeof(default_conn_cols) / sizeof(default_conn_cols[0]);
}

int render_parse_conn_cols(struct render_opts *o, const char *list, char *err, size_t errlen)
{
	return render_parse_list(list, conn_field_lookup, "connection column", o->conn_cols,
				 &o->nconn_cols, err, errlen);
}

int render_conn_header(struct buf *b, const struct snapshot *s, const struct render_opts *o)
{
	size_t tcp = 0, udp = 0, closed = 0;
	uint64_t retx = 0, segs = 0;
	const double *v = s->total.v;
	const struct conn_sums *d = &s->total.conn.delta;
	char nr[16];
	int err;

	if (!(s->avail & NEED_CONN))
		return 0;
	for (size_t i = 0; i < s->nconns; i++) {
		const struct conn *c = &s->conns[i];

		if (c->flags & EBTOP_CONN_F_CLOSED)
			closed++;
		else if (c->proto == IPPROTO_TCP)
			tcp++;
		else
			udp++;
		if (c->proto == IPPROTO_TCP && !(c->flags & EBTOP_CONN_F_SHARED)) {
			retx += c->delta.retrans;
			segs += c->delta.segs_out;
		}
	}
	fmt_value(nr, sizeof(nr), v[F_CONN_NEW_RATE], UNIT_RATE, o->raw);
	/* Errors of this interval: connections that failed or ended with one. */
	err = buf_printf(b,
			 "Conn: %zu open (TCP %zu, UDP %zu)  closed %zu  new %s/s  retx %.2f%%  "
			 "errors %llu (refused %llu, reset %llu, timeout %llu)\n",
			 tcp + udp, tcp, udp, closed, nr,
			 segs ? 100.0 * (double)retx / (double)segs : 0.0,
			 (unsigned long long)(d->refused + d->reset + d->timeout + d->other),
			 (unsigned long long)d->refused, (unsigned long long)d->reset,
			 (unsigned long long)d->timeout);
	if (err || !o->verbose)
		return err;
	return buf_printf(
	    b,
	    "Maps: connection sockets %llu  peers %llu/%llu  conn ring %lluK  "
	    "events dropped %llu\n",
	    (unsigned long long)s->conn_occ.sockets, (unsigned long long)s->conn_occ.peers,
	    (unsigned long long)s->conn_occ.peers_max, (unsigned long long)s->conn_occ.ring_kb,
	    (unsigned long long)s->conn_occ.events_dropped);
}

static void cell_text(char *buf, size_t len, const struct conn *c, int f, bool raw)
{
	const char *t;

	if (conn_fields[f].type == FT_NUM) {
		fmt_value(buf, len, c->v[f], conn_fields[f].unit, raw);
		return;
	}
	t = conn_str(c, f, buf, len);
	if (t != buf)
		snprintf(buf, len, "%s", t ? t : "-");
}

int render_conn_table(struct buf *b, const struct snapshot *s, const struct conn *const *c,
		      size_t n, const struct render_opts *opts)
{
	struct render_opts o = *opts;
	int width[RENDER_MAX_COLS];
	size_t start;
	int err = 0;

	(void)s;
	conn_cols_default(&o);
	/* Addresses vary from 9 to 47 characters: size those columns to their rows. */
	for (size_t k = 0; k < o.nconn_cols; k++) {
		int f = o.conn_cols[k];

		width[k] = conn_fields[f].width;
		if (f != CF_LOCAL && f != CF_REMOTE && f != CF_LADDR && f != CF_RADDR)
			continue;
		width[k] = (int)strlen(conn_fields[f].title);
		for (size_t i = 0; i < n; i++) {
			char cell[128];

			cell_text(cell, sizeof(cell), c[i], f, o.raw);
			if ((int)strlen(cell) > width[k])
				width[k] = (int)strlen(cell);
		}
	}
	if (!b->p)
		err = buf_puts(b, "");
	for (size_t i = 0; !err && i <= n; i++) {
		start = b->len;
		for (size_t k = 0; !err && k < o.nconn_cols; k++) {
			int f = o.conn_cols[k];
			char cell[128];

			if (i == 0)
				snprintf(cell, sizeof(cell), "%s", conn_fields[f].title);
			else
				cell_text(cell, sizeof(cell), c[i - 1], f, o.raw);
			if (conn_fields[f].flags & FIELD_LEFT)
				err = buf_printf(b, "%-*.*s ", width[k], width[k], cell);
			else
				err = buf_printf(b, "%*s ", width[k], cell);
		}
		while (!err && b->len > start && b->p[b->len - 1] == ' ')
			b->len--;
		if (!err)
			err = buf_puts(b, "\n");
	}
	return err;
}
