/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the table's filter keeps: a filter-language expression, or a substring of the command. */
#ifndef EBTOP_TUI_MATCH_H
#define EBTOP_TUI_MATCH_H

#include <stdbool.h>
#include "model/model.h"
#include "model/rowfilter.h"

#define TUI_MATCH_TEXT 256

struct tui_match {
	struct row_filter *f;	   /* the compiled expression; NULL: substring or nothing */
	char text[TUI_MATCH_TEXT]; /* what is applied */
	char error[320];	   /* why the text being typed is not an expression */
};

void tui_match_init(struct tui_match *m);
void tui_match_free(struct tui_match *m);
/*
 * Applies text: an expression when it compiles ("tx > 1MB/s and user = root"),
 * a substring of the command line when it is plain words ("iperf3", "-p 5201").
 * Text that looks like an expression but does not compile changes nothing and
 * returns false, with the reason (and a caret line) in m->error.
 */
bool tui_match_set(struct tui_match *m, const char *text);
/* For tui_list_opts.match; ctx is the struct tui_match. */
bool tui_match_row(const struct row *r, void *ctx);
/* Whether an expression (not a substring) is in force. */
bool tui_match_is_expr(const struct tui_match *m);

#endif
