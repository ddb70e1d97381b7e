/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Connection tables: the columns and one line of text per connection; pure. */
#ifndef EBTOP_TUI_CONNS_H
#define EBTOP_TUI_CONNS_H

#include "model/conn.h"
#include "tui/fmt.h"

#define TUI_CONN_COLS 16

/* The columns of a connection table; with owner, the owning process comes first. */
int tui_conn_cols(struct tui_col *cols, bool owner);
/* One line of exactly width display columns, like tui_format_row(). */
void tui_format_conn(char *buf, size_t len, const struct conn *c, const struct tui_col *cols,
		     int ncols, int width, const struct tui_fmt *o, struct tui_span *spans);
/* Closed sockets are dim, retransmitting or failed ones stand out. */
enum tui_row_cls tui_conn_class(const struct conn *c);

#endif
