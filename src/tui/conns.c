// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Connection tables: the columns and one line of text per connection; pure. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "tui/conns.h"

int tui_conn_cols(struct tui_col *cols, bool owner)
{
	static const int with_owner[] = {CF_PID, CF_COMM};
	static const int base[] = {CF_PROTO,	CF_LOCAL,   CF_REMOTE,	 CF_STATE,
				   CF_TX_RATE,	CF_RX_RATE, CF_TX_TOTAL, CF_RX_TOTAL,
				   CF_RETX_PCT, CF_SRTT,    CF_AGE,	 CF_ERR};
	int n = 0;

	for (size_t i = 0; owner && i < sizeof(with_owner) / sizeof(with_owner[0]); i++)
		cols[n++] = (struct tui_col){with_owner[i], conn_fields[with_owner[i]].width};
	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		cols[n++] = (struct tui_col){base[i], conn_fields[base[i]].width};
	return n;
}

struct conn_ctx {
	const struct conn *c;
	const struct tui_col *cols;
	const struct tui_fmt *o;
};

static void conn_cell(char *out, size_t len, int col, void *arg)
{
	const struct conn_ctx *x = arg;
	int f = x->cols[col].field;
	const char *s;

	if (conn_fields[f].type == FT_NUM) {
		tui_fmt_value(out, len, x->c->v[f], conn_fields[f].unit, x->o);
		return;
	}
	s = conn_str(x->c, f, out, len);
	if (s != out)
		snprintf(out, len, "%s", s ? s : "-");
}

void tui_format_conn(char *buf, size_t len, const struct conn *c, const struct tui_col *cols,
		     int ncols, int width, const struct tui_fmt *o, struct tui_span *spans)
{
	struct conn_ctx ctx = {c, cols, o};

	tui_layout(buf, len, conn_fields, cols, ncols, width, o, spans, conn_cell, &ctx);
}

enum tui_row_cls tui_conn_class(const struct conn *c)
{
	if (c->flags & EBTOP_CONN_F_CLOSED)
		return RCLS_EXITED;
	if ((!isnan(c->v[CF_RETX_PCT]) && c->v[CF_RETX_PCT] > 0) || c->err)
		return RCLS_RETX;
	return RCLS_NORMAL;
}
