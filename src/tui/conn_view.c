// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Connection tables on screen: under the process table, in the detail, or all of them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tui/tui_int.h"

#define KEY_ESC 27

bool tui_conns_avail(const struct tui *t)
{
	return t->snap && (t->snap->avail & NEED_CONN);
}

int tui_conn_panel_height(const struct tui *t, int h)
{
	int ph = h / 3;

	/* The processes keep at least 12 lines; the panel is 2 title lines and 3 to 10 rows. */
	if (!tui_conns_avail(t) || t->set.no_conn_panel || t->set.threads || h < 12 + 5)
		return 0;
	ph = ph < 5 ? 5 : ph > 12 ? 12 : ph;
	return h - ph < 12 ? h - 12 : ph;
}

/* The process a connection belongs to, if it is in the snapshot. */
static const struct row *owner_of(const struct tui *t, const struct conn *c)
{
	struct tui_key k = {c->pid, c->pstart_ns};

	return c->pid ? tui_find_row(t, k) : NULL;
}

long tui_conn_list(const struct tui *t, const struct row *owner, const struct conn ***out)
{
	const struct conn *all = owner ? NULL : t->snap->conns;
	size_t n = owner ? 0 : t->snap->nconns, k = 0;
	const struct conn **sel;

	*out = NULL;
	if (owner)
		all = row_conns(t->snap, owner, &n);
	sel = calloc(n ? n : 1, sizeof(*sel));
	if (!sel)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct row *r;

		/* The whole-machine view follows the process filter, by each connection's owner. */
		if (!owner && t->match.text[0] &&
		    (!(r = owner_of(t, &all[i])) || !tui_match_row(r, (void *)&t->match)))
			continue;
		sel[k++] = &all[i];
	}
	conn_ptrs_sort(sel, k, t->csort, t->cdesc);
	*out = sel;
	return (long)k;
}

static void clamp_sel(struct tui *t, long n, int rows)
{
	if (t->csel >= n)
		t->csel = n - 1;
	if (t->csel < 0)
		t->csel = 0;
	if (t->ctop > t->csel)
		t->ctop = t->csel;
	if (rows > 0 && t->csel >= t->ctop + rows)
		t->ctop = t->csel - rows + 1;
	if (t->ctop < 0)
		t->ctop = 0;
}

/* Titles and rows of a connection table; focus highlights the selected row. */
static void draw_rows(struct tui *t, int y, int h, const struct row *owner, bool focus)
{
	const struct conn **list;
	char line[8192];
	long n = tui_conn_list(t, owner, &list);
	int rows = h - 1;

	t->nccols = tui_conn_cols(t->ccols, owner == NULL);
	t->ctitles_y = y;
	t->clist_y = y + 1;
	t->clist_h = rows;
	tui_format_titles_of(line, sizeof(line), conn_fields, t->ccols, t->nccols, COLS, t->csort,
			     t->cdesc, false, &t->fmt, t->cspans);
	attrset(t->style[ST_TITLE]);
	mvaddstr(y, 0, line);
	for (int c = 0; c < t->nccols; c++) {
		if (t->ccols[c].field == t->csort)
			tui_chgat(t, y, t->cspans[c].x, t->cspans[c].w, ST_TITLE_SORT);
	}
	if (n < 0)
		return;
	clamp_sel(t, n, rows);
	for (int i = 0; i < rows && t->ctop + i < n; i++) {
		const struct conn *c = list[t->ctop + i];
		struct tui_span sp[TUI_CONN_COLS];
		enum tui_row_cls rc = tui_conn_class(c);
		bool sel = focus && t->ctop + i == t->csel;

		tui_format_conn(line, sizeof(line), c, t->ccols, t->nccols, COLS, &t->fmt, sp);
		attrset(t->style[sel		     ? ST_SEL
				 : rc == RCLS_EXITED ? ST_DIM
				 : rc == RCLS_RETX   ? ST_RETX
						     : ST_NORMAL]);
		mvaddstr(y + 1 + i, 0, line);
	}
	if (!n) {
		int x = 2;

		tui_put(t, y + 1, &x, COLS, ST_DIM,
			owner ? "no connections" : "no connections match");
	}
	free(list);
}

void tui_draw_conn_panel(struct tui *t, int y, int h)
{
	const struct row *r = tui_selected(t);
	char label[160];
	size_t n = 0;
	int x = 0;

	if (r)
		row_conns(t->snap, r, &n);
	if (r)
		snprintf(label, sizeof(label), " Connections of %s (pid %u): %zu", r->comm, r->pid,
			 n);
	else
		snprintf(label, sizeof(label), " Connections");
	tui_fill(t, y, 0, COLS, t->conn_focus ? ST_TITLE_SORT : ST_DIM);
	tui_put(t, y, &x, COLS, t->conn_focus ? ST_TITLE_SORT : ST_DIM, label);
	x = COLS - 30 > x ? COLS - 30 : x;
	tui_put(t, y, &x, COLS, t->conn_focus ? ST_TITLE_SORT : ST_DIM,
		t->conn_focus ? "Tab: processes  C: all" : "Tab: focus here  C: all");
	if (!r) {
		t->clist_h = 0;
		return;
	}
	draw_rows(t, y + 1, h - 1, r, t->conn_focus);
}

void tui_draw_conn_view(struct tui *t, int y, int h)
{
	char label[160];
	int x = 0;

	if (!tui_conns_avail(t)) {
		x = 2;
		tui_put(t, y + 1, &x, COLS, ST_ALERT,
			"connections are not collected on this machine (see the status line)");
		return;
	}
	snprintf(label, sizeof(label), " All connections: %zu%s%.60s", t->snap->nconns,
		 t->match.text[0] ? " of processes matching " : "", t->match.text);
	tui_fill(t, y, 0, COLS, ST_TITLE_SORT);
	tui_put(t, y, &x, COLS, ST_TITLE_SORT, label);
	x = COLS - 40 > x ? COLS - 40 : x;
	tui_put(t, y, &x, COLS, ST_TITLE_SORT, "Enter: its process  Esc/C: back");
	draw_rows(t, y + 1, h - 1, NULL, true);
}

/* The selected connection's owner opens in the detail view. */
static void open_owner(struct tui *t)
{
	const struct conn **list;
	long n = tui_conn_list(t, t->screen == SCR_CONNS ? NULL : tui_selected(t), &list);

	if (n > 0 && t->csel < n && list[t->csel]->pid) {
		t->detail_key = (struct tui_key){list[t->csel]->pid, list[t->csel]->pstart_ns};
		t->detail_top = 0;
		t->screen = SCR_DETAIL;
	}
	free(list);
}

static void sort_step(struct tui *t, int dir)
{
	int cur = 0;

	for (int c = 0; c < t->nccols; c++) {
		if (t->ccols[c].field == t->csort)
			cur = c;
	}
	cur = (cur + dir + t->nccols) % t->nccols;
	t->csort = t->ccols[cur].field;
	t->cdesc = !(conn_fields[t->csort].flags & FIELD_ASC);
	t->csel = t->ctop = 0;
}

/* Keys of a focused connection table; false leaves the key to the rest. */
bool tui_conn_key(struct tui *t, int ch)
{
	long page = t->clist_h > 1 ? t->clist_h - 1 : 1;

	switch (ch) {
	case KEY_UP:
		t->csel--;
		return true;
	case KEY_DOWN:
		t->csel++;
		return true;
	case KEY_PPAGE:
		t->csel -= page;
		return true;
	case KEY_NPAGE:
		t->csel += page;
		return true;
	case KEY_HOME:
		t->csel = 0;
		return true;
	case KEY_END:
		t->csel = 1L << 40; /* clamped at the next frame */
		return true;
	case '<':
	case ',':
		sort_step(t, -1);
		return true;
	case '>':
	case '.':
		sort_step(t, 1);
		return true;
	case 'I':
		t->cdesc = !t->cdesc;
		return true;
	case '\n':
	case '\r':
	case KEY_ENTER:
		open_owner(t);
		return true;
	case '\t':
		if (t->screen == SCR_MAIN)
			t->conn_focus = false;
		return t->screen == SCR_MAIN;
	case KEY_ESC:
	case 'C':
		if (t->screen == SCR_CONNS) {
			t->screen = SCR_MAIN;
			return true;
		}
		t->conn_focus = false;
		return ch == KEY_ESC;
	}
	return false;
}

/* Clicks on a connection table: a title sorts, a row selects (and focuses the panel). */
bool tui_conn_mouse(struct tui *t, const MEVENT *ev)
{
	if (!t->clist_h || ev->y < t->ctitles_y || ev->y >= t->clist_y + t->clist_h)
		return false;
	if (ev->y == t->ctitles_y) {
		for (int c = 0; c < t->nccols; c++) {
			if (ev->x >= t->cspans[c].x && ev->x <= t->cspans[c].x + t->cspans[c].w) {
				if (t->csort == t->ccols[c].field)
					t->cdesc = !t->cdesc;
				else {
					t->csort = t->ccols[c].field;
					t->cdesc = !(conn_fields[t->csort].flags & FIELD_ASC);
				}
			}
		}
		return true;
	}
	t->csel = t->ctop + (ev->y - t->clist_y);
	if (t->screen == SCR_MAIN)
		t->conn_focus = true;
	return true;
}
