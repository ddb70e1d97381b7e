// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Process detail, help, setup, sort menu and the signal dialog. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "core/clock.h"
#include "tui/tui_int.h"

#define KEY_ESC 27

/* ---- process detail ---- */

static const char *const metric_names[HM_NUM] = {"TX/s", "RX/s", "CPU%", "DISK/s"};
static const enum tui_style metric_styles[HM_NUM] = {ST_TX, ST_RX, ST_CPU, ST_DISK};

static void detail_graph(struct tui *t, int y, int rows, int metric, const struct row *r)
{
	float v[HIST_PROC_LEN];
	char val[32], peak[48], span[32];
	int real;
	int x = 1, gx = 18, gw = COLS - gx - 1, n;
	double cur = hist_value(&t->hist, metric, r), max;
	bool pct = metric == HM_CPU;

	if (gw > HIST_PROC_LEN / (t->fmt.utf8 ? 2 : 1))
		gw = HIST_PROC_LEN / (t->fmt.utf8 ? 2 : 1);
	n = gw * (t->fmt.utf8 ? 2 : 1);
	real = hist_proc(&t->hist, r->pid, r->start_ns, metric, v, n);
	max = tui_graph_max(v, n, pct ? 10.0 : 1024.0);
	if (pct) {
		snprintf(val, sizeof(val), isnan(cur) ? "-" : "%.1f", cur);
		snprintf(peak, sizeof(peak), "peak %.0f%%", max);
	} else {
		char m[16];

		tui_fmt_value(val, sizeof(val), cur, UNIT_BYTES_RATE, &t->fmt);
		tui_fmt_value(m, sizeof(m), max, UNIT_BYTES_RATE, &t->fmt);
		snprintf(peak, sizeof(peak), "peak %s", m);
	}
	tui_put(t, y, &x, gx, ST_LABEL, metric_names[metric]);
	x = 8;
	tui_put(t, y, &x, gx, ST_VALUE, val);
	if (rows > 1) {
		x = 1;
		tui_put(t, y + 1, &x, gx, ST_DIM, peak);
	}
	if (rows > 2) {
		x = 1;
		tui_fmt_duration(span, sizeof(span), (double)real * t->set.interval_s);
		snprintf(peak, sizeof(peak), "over %s", span);
		tui_put(t, y + 2, &x, gx, ST_DIM, peak);
	}
	tui_draw_graph(t, y, gx, rows, gw, v, n, max, metric_styles[metric]);
}

/* The fields the grid shows: numbers the running collectors provide for this row. */
static bool grid_field(const struct tui *t, const struct row *r, int f)
{
	return fields[f].type == FT_NUM && f != F_PID && f != F_TGID && f != F_PPID && f != F_UID &&
	       tui_offered(t, f) && !isnan(r->v[f]);
}

#define GRID_CELL 22

static int grid_lines(const struct tui *t, const struct row *r)
{
	int per = COLS / GRID_CELL > 0 ? COLS / GRID_CELL : 1, n = 0;

	for (int f = 0; f < F_NUM; f++)
		n += grid_field(t, r, f);
	return (n + per - 1) / per;
}

/* Every number collected for the process, as "TITLE value" cells. */
static int detail_fields(struct tui *t, int y, int maxy, const struct row *r)
{
	int per = COLS / GRID_CELL > 0 ? COLS / GRID_CELL : 1, i = 0;

	for (int f = 0; f < F_NUM && y < maxy; f++) {
		char val[32], cell[64];
		int x;

		if (!grid_field(t, r, f))
			continue;
		tui_fmt_value(val, sizeof(val), r->v[f], fields[f].unit, &t->fmt);
		x = 1 + (i % per) * GRID_CELL;
		snprintf(cell, sizeof(cell), "%-8s", fields[f].title);
		tui_put(t, y, &x, x + GRID_CELL, ST_LABEL, cell);
		snprintf(cell, sizeof(cell), "%10s", val);
		tui_put(t, y, &x, x + GRID_CELL, tui_cell_style(t, r, f), cell);
		if (++i % per == 0)
			y++;
	}
	return i % per ? y + 1 : y;
}

/* Where the process's time went over the interval: on a CPU, waiting for one, blocked. */
static int detail_wait(struct tui *t, int y, const struct row *r)
{
	static const char *const names[] = {"on CPU", "run queue", "blocked"};
	static const enum tui_style styles[] = {ST_TX, ST_HOT, ST_DIM};
	int f[3] = {field_lookup("cpu"), field_lookup("runq"), field_lookup("offcpu_pct")};
	int bw = COLS - 62, x = 1, used = 0;
	double v[3], sum = 0;
	char buf[64];

	for (int i = 0; i < 3; i++) {
		if (f[i] < 0 || !tui_offered(t, f[i]) || isnan(r->v[f[i]]))
			return y;
		v[i] = r->v[f[i]];
		sum += v[i];
	}
	if (sum <= 0)
		return y;
	bw = bw < 10 ? 10 : bw > 60 ? 60 : bw;
	tui_put(t, y, &x, COLS, ST_LABEL, "Time    ");
	for (int i = 0; i < 3; i++) {
		int n = i == 2 ? bw - used : (int)lround(v[i] / sum * bw);
		char bar[256];
		size_t pos = 0;

		for (int k = 0; k < n && pos + 4 < sizeof(bar); k++) {
			const char *c = t->fmt.utf8 ? "\u2588" : i == 0 ? "#" : i == 1 ? "=" : ".";

			memcpy(bar + pos, c, strlen(c));
			pos += strlen(c);
		}
		bar[pos] = '\0';
		used += n;
		tui_put(t, y, &x, COLS, styles[i], bar);
	}
	for (int i = 0; i < 3; i++) {
		snprintf(buf, sizeof(buf), "  %s %.0f%%", names[i], v[i]);
		tui_put(t, y, &x, COLS, i == 1 && v[i] >= t->thr.runq_hot ? ST_HOT : ST_NORMAL,
			buf);
	}
	return y + 2;
}

/* Threads of the process, with the table's columns that mean something per thread. */
static void detail_threads(struct tui *t, int y, int h, const struct row *p)
{
	struct tui_col cols[TUI_MAX_COLS];
	char line[8192], title[64];
	int n = 0, x = 1;
	long count = p->thread_count;

	for (int c = 0; c < t->ncols; c++) {
		if (fields[t->cols[c].field].flags & FIELD_THREAD)
			cols[n++] = t->cols[c];
	}
	if (!n || h < 2)
		return;
	snprintf(title, sizeof(title), "Threads (%ld)", count);
	tui_put(t, y, &x, COLS, ST_LABEL, title);
	if (count > h - 2)
		tui_put(t, y, &x, COLS, ST_DIM, "   Up/Down scroll");
	tui_format_titles(line, sizeof(line), cols, n, COLS, -1, true, true, &t->fmt, NULL);
	attrset(t->style[ST_TITLE]);
	mvaddstr(y + 1, 0, line);
	if (t->detail_top > count - (h - 2))
		t->detail_top = count - (h - 2) > 0 ? count - (h - 2) : 0;
	for (int i = 0; i < h - 2 && t->detail_top + i < count; i++) {
		const struct row *th = &t->snap->threads[p->thread_first + t->detail_top + i];
		struct tui_span spans[TUI_MAX_COLS];

		tui_format_row(line, sizeof(line), th, cols, n, COLS, NULL, &t->fmt, spans);
		attrset(t->style[(th->flags & ROW_EXITED) ? ST_DIM : ST_NORMAL]);
		mvaddstr(y + 2 + i, 0, line);
		for (int c = 0; c < n && !(th->flags & ROW_EXITED); c++) {
			enum tui_style st = tui_cell_style(t, th, cols[c].field);

			if (st != ST_NORMAL)
				tui_chgat(t, y + 2 + i, spans[c].x, spans[c].w, st);
		}
	}
}

/* The process's connections, in the connection table's order; returns the line below them. */
static int detail_conns(struct tui *t, int y, int h, const struct row *r)
{
	struct tui_col cols[TUI_CONN_COLS];
	const struct conn **list;
	char line[8192], title[64];
	int ncols = tui_conn_cols(cols, false), x = 1;
	long n;

	if (!tui_conns_avail(t) || h < 3)
		return y;
	n = tui_conn_list(t, r, &list);
	if (n < 0)
		return y;
	snprintf(title, sizeof(title), "Connections (%ld)", n);
	tui_put(t, y, &x, COLS, ST_LABEL, title);
	tui_format_titles_of(line, sizeof(line), conn_fields, cols, ncols, COLS, t->csort, t->cdesc,
			     false, &t->fmt, NULL);
	attrset(t->style[ST_TITLE]);
	mvaddstr(y + 1, 0, line);
	for (long i = 0; i < n && i < h - 2; i++) {
		enum tui_row_cls rc = tui_conn_class(list[i]);

		tui_format_conn(line, sizeof(line), list[i], cols, ncols, COLS, &t->fmt, NULL);
		attrset(t->style[rc == RCLS_EXITED ? ST_DIM
				 : rc == RCLS_RETX ? ST_RETX
						   : ST_NORMAL]);
		mvaddstr(y + 2 + (int)i, 0, line);
	}
	if (!n) {
		x = 2;
		tui_put(t, y + 2, &x, COLS, ST_DIM, "none seen since ebtop started");
	}
	free(list);
	return y + 2 + (int)(n < h - 2 ? (n ? n : 1) : h - 2) + 1;
}

void tui_draw_detail(struct tui *t, int y, int h)
{
	const struct row *r = t->snap ? tui_find_row(t, t->detail_key) : NULL;
	char buf[1024], age[32];
	int x = 0, maxy = y + h, rows, metrics = 0, conn_lines;
	const char *cmd;
	size_t nconn;

	if (!r) {
		x = 2;
		snprintf(buf, sizeof(buf), "process %u has exited.  Esc: back to the list",
			 t->detail_key.pid);
		tui_put(t, y + 1, &x, COLS, ST_ALERT, buf);
		return;
	}
	cmd = row_str(r, F_CMD);
	snprintf(buf, sizeof(buf), " %s  pid %u ", r->comm, r->pid);
	tui_fill(t, y, 0, COLS, ST_TITLE);
	tui_put(t, y, &x, COLS, ST_BADGE, buf);
	snprintf(buf, sizeof(buf), " %s", cmd ? cmd : r->comm);
	tui_put(t, y, &x, COLS - 12, ST_TITLE, buf);
	x = COLS - 11;
	tui_put(t, y, &x, COLS, ST_TITLE, "Esc: back");
	y++;
	if (r->flags & ROW_EXITED)
		snprintf(age, sizeof(age), "exited");
	else
		tui_fmt_duration(age, sizeof(age), (double)(clock_boot_ns() - r->start_ns) / 1e9);
	snprintf(buf, sizeof(buf), " user %s  state %s  ppid %u  threads %u  %s%s%s%s",
		 row_str(r, F_USER) ? row_str(r, F_USER) : "?", row_str(r, F_STATE), r->ppid,
		 r->nthreads, (r->flags & ROW_EXITED) ? "" : "running ", age,
		 row_str(r, F_CGROUP) ? "  cgroup " : "",
		 row_str(r, F_CGROUP) ? row_str(r, F_CGROUP) : "");
	x = 0;
	tui_put(t, y++, &x, COLS, (r->flags & ROW_EXITED) ? ST_ALERT : ST_NORMAL, buf);
	for (int m = 0; m < HM_NUM; m++)
		metrics += hist_metric_avail(&t->hist, m, t->snap->avail);
	/* Up to four connections keep their place below the fields. */
	row_conns(t->snap, r, &nconn);
	conn_lines = tui_conns_avail(t) ? 3 + (nconn < 4 ? (int)nconn : 4) : 0;
	/* Graphs take what the fields, the time bar, connections and a few threads leave. */
	rows = h - 3 - grid_lines(t, r) - 3 - 2 - conn_lines -
	       (int)(r->thread_count < 6 ? r->thread_count : 6);
	rows = metrics ? rows / metrics - 1 : 0;
	rows = rows > 4 ? 4 : rows < 1 ? 1 : rows;
	y++;
	for (int m = 0; m < HM_NUM && rows >= 1; m++) {
		if (!hist_metric_avail(&t->hist, m, t->snap->avail))
			continue;
		detail_graph(t, y, rows, m, r);
		y += rows + (rows > 1);
	}
	y = detail_wait(t, y, r);
	y = detail_fields(t, y, maxy - 3 - conn_lines, r) + 1;
	y = detail_conns(t, y, (maxy - y) / 2 > conn_lines ? (maxy - y) / 2 : conn_lines, r);
	detail_threads(t, y, maxy - y, r);
}

bool tui_detail_key(struct tui *t, int ch)
{
	switch (ch) {
	case KEY_ESC:
	case KEY_LEFT:
	case KEY_BACKSPACE:
	case 127:
		t->screen = SCR_MAIN;
		return true;
	case KEY_UP:
		t->detail_top = t->detail_top > 0 ? t->detail_top - 1 : 0;
		return true;
	case KEY_DOWN:
		t->detail_top++;
		return true;
	case KEY_PPAGE:
		t->detail_top = t->detail_top > 10 ? t->detail_top - 10 : 0;
		return true;
	case KEY_NPAGE:
		t->detail_top += 10;
		return true;
	case KEY_HOME:
		t->detail_top = 0;
		return true;
	case KEY_END:
		t->detail_top = 1L << 30;
		return true;
	case '\n':
	case '\r':
	case KEY_ENTER:
	case '\t':
		return true;
	}
	return false;
}

/* ---- help ---- */

static const char *const help_text[] = {
    "ebtop shows what every process does to the machine, measured with eBPF.",
    "",
    "Up Down PgUp PgDn Home End   move; mouse: click selects, wheel scrolls",
    "Enter                        details: history graphs, every field, connections, threads",
    "Tab    C                     focus the connection panel; all connections (Enter: owner)",
    "/  F4                        filter: tx > 1MB/s and user = root, or text in the command",
    "F3   n  N                    search the command line; next / previous match",
    "<  >  F6   click a title     sort by another column (click again: reverse)",
    "I                            invert the sort order",
    "t    -  +                    tree of processes under parents; fold / unfold",
    "c                            rates per second <-> totals since ebtop started",
    "u                            units: bytes <-> bits per second",
    "H    K                       threads instead of processes; hide kernel threads",
    "Space  F5                    pause / resume (history keeps recording)",
    "F2  S                        setup: interval, columns, units, colors",
    "k  F9                        send a signal to the process (asks first)",
    "q  F10  Esc  Ctrl-C          quit",
    "[ ]  { }  g                  replay: previous / next sample, 10 back / on, go to a time",
    "",
    "Colors: red = run-queue wait high (CPU saturation), yellow = I/O latency",
    "spike, magenta row = TCP retransmissions, cyan = large rate, dim = zero",
    "or not available. NO_COLOR or F2 gives a monochrome screen.",
    "Settings are kept in ~/.config/ebtop/tui.conf.",
    NULL,
};

static void draw_help(struct tui *t)
{
	int n = 0, w = 92, h, y0, x0;

	while (help_text[n])
		n++;
	w = w > COLS - 2 ? COLS - 2 : w;
	h = n + 4 > LINES - 2 ? LINES - 2 : n + 4;
	y0 = (LINES - h) / 2;
	x0 = (COLS - w) / 2;
	tui_box(t, y0, x0, h, w, "Help - any key closes");
	for (int i = 0; i < n && i < h - 4; i++) {
		int x = x0 + 2;

		tui_put(t, y0 + 2 + i, &x, x0 + w - 2, i >= n - 4 ? ST_DIM : ST_NORMAL,
			help_text[i]);
	}
}

/* ---- setup ---- */

enum setup_kind {
	SI_INTERVAL,
	SI_UNITS,
	SI_RATES,
	SI_COLOR,
	SI_TREE,
	SI_THREADS,
	SI_KTHREADS,
	SI_CONNS,
	SI_COLUMN
};

struct setup_item {
	enum setup_kind kind;
	int field;
	bool on; /* columns: shown */
};

/* Options, then the shown columns in order, then every other collected field. */
static int setup_items(const struct tui *t, struct setup_item *it)
{
	int n = 0;

	for (int k = SI_INTERVAL; k < SI_COLUMN; k++)
		it[n++] = (struct setup_item){(enum setup_kind)k, -1, false};
	for (int i = 0; i < t->set.ncols; i++) {
		if (tui_offered(t, t->set.cols[i]))
			it[n++] = (struct setup_item){SI_COLUMN, t->set.cols[i], true};
	}
	for (int f = 0; f < F_NUM; f++) {
		bool shown = false;

		for (int i = 0; i < t->set.ncols; i++)
			shown |= t->set.cols[i] == f;
		if (!shown && tui_offered(t, f))
			it[n++] = (struct setup_item){SI_COLUMN, f, false};
	}
	return n;
}

static void setup_value(const struct tui *t, const struct setup_item *it, char *label, char *val,
			size_t len)
{
	static const char *const labels[] = {"Interval", "Units", "Numbers",	    "Colors",
					     "Tree",	 "Rows",  "Kernel threads", "Connections"};

	if (it->kind == SI_COLUMN) {
		snprintf(label, len, "[%c] %-8s", it->on ? 'x' : ' ', fields[it->field].title);
		snprintf(val, len, "%s", fields[it->field].help);
		return;
	}
	snprintf(label, len, "%s", labels[it->kind]);
	switch (it->kind) {
	case SI_INTERVAL:
		snprintf(val, len, "%gs   (- / + change)", t->set.interval_s);
		break;
	case SI_UNITS:
		snprintf(val, len, "%s", t->set.bits ? "bits per second" : "bytes per second");
		break;
	case SI_RATES:
		snprintf(val, len, "%s",
			 t->set.cumulative ? "totals since start" : "rates per second");
		break;
	case SI_COLOR:
		snprintf(val, len, "%s",
			 !t->can_color	? "monochrome (the terminal has no colors)"
			 : t->set.color ? "on"
					: "off (monochrome)");
		break;
	case SI_TREE:
		snprintf(val, len, "%s", t->set.tree ? "on" : "off");
		break;
	case SI_THREADS:
		snprintf(val, len, "%s", t->set.threads ? "threads" : "processes");
		break;
	case SI_KTHREADS:
		snprintf(val, len, "%s", t->set.hide_kthreads ? "hidden" : "shown");
		break;
	case SI_CONNS:
		snprintf(val, len, "%s",
			 t->set.no_conn_panel ? "no panel (C: all connections)"
					      : "panel under the processes (Tab focuses it)");
		break;
	default:
		val[0] = '\0';
	}
}

static void draw_setup(struct tui *t)
{
	struct setup_item it[SI_COLUMN + F_NUM];
	int n = setup_items(t, it), w = COLS - 4 > 96 ? 96 : COLS - 4, h = LINES - 4, y0 = 2,
	    x0 = (COLS - w) / 2, rows = h - 4;

	if (t->menu_sel >= n)
		t->menu_sel = n - 1;
	if (t->menu_top > t->menu_sel)
		t->menu_top = t->menu_sel;
	if (t->menu_sel >= t->menu_top + rows)
		t->menu_top = t->menu_sel - rows + 1;
	tui_box(t, y0, x0, h, w, "Setup");
	{
		int x = x0 + 2;

		tui_put(t, y0 + 1, &x, x0 + w - 2, ST_DIM,
			"Up/Down move  Space change  [ ] move a column  Esc close");
	}
	for (int i = 0; i < rows && t->menu_top + i < n; i++) {
		const struct setup_item *s = &it[t->menu_top + i];
		char label[64], val[256], line[512];
		int x = x0 + 2;
		bool sel = t->menu_top + i == t->menu_sel;

		setup_value(t, s, label, val, sizeof(label));
		snprintf(line, sizeof(line), " %-16s %s", label, val);
		if (sel)
			tui_fill(t, y0 + 3 + i, x0 + 1, w - 2, ST_SEL);
		tui_put(t, y0 + 3 + i, &x, x0 + w - 2,
			sel				 ? ST_SEL
			: s->kind == SI_COLUMN && !s->on ? ST_DIM
							 : ST_NORMAL,
			line);
	}
}

/* Moves a shown column one place; dir -1 earlier, +1 later. */
static void move_column(struct tui *t, int field, int dir)
{
	for (int i = 0; i < t->set.ncols; i++) {
		int j = i + dir, tmp;

		if (t->set.cols[i] != field || j < 0 || j >= t->set.ncols)
			continue;
		tmp = t->set.cols[j];
		t->set.cols[j] = field;
		t->set.cols[i] = tmp;
		t->menu_sel += dir;
		return;
	}
}

static void toggle_column(struct tui *t, int field, bool on)
{
	if (on) {
		int k = 0;

		for (int i = 0; i < t->set.ncols; i++) {
			if (t->set.cols[i] != field)
				t->set.cols[k++] = t->set.cols[i];
		}
		t->set.ncols = k;
		return;
	}
	if (t->set.ncols >= TUI_MAX_COLS)
		return;
	/* A new column goes before the command, which reads best last. */
	if (t->set.ncols && t->set.cols[t->set.ncols - 1] == F_CMD) {
		t->set.cols[t->set.ncols - 1] = field;
		t->set.cols[t->set.ncols++] = F_CMD;
	} else {
		t->set.cols[t->set.ncols++] = field;
	}
}

static void setup_change(struct tui *t, const struct setup_item *s, int dir)
{
	static const double steps[] = {0.25, 0.5, 1, 2, 3, 5, 10, 30, 60};
	int k = 0;

	switch (s->kind) {
	case SI_INTERVAL:
		while (k < 8 && steps[k] < t->set.interval_s - 1e-9)
			k++;
		k += dir;
		k = k < 0 ? 0 : k > 8 ? 8 : k;
		tui_set_interval(t, steps[k]);
		break;
	case SI_UNITS:
		t->set.bits = !t->set.bits;
		break;
	case SI_RATES:
		t->set.cumulative = !t->set.cumulative;
		break;
	case SI_COLOR:
		t->set.color = !t->set.color;
		tui_term_styles(t);
		break;
	case SI_TREE:
		t->set.tree = !t->set.tree;
		break;
	case SI_THREADS:
		t->set.threads = !t->set.threads;
		break;
	case SI_KTHREADS:
		t->set.hide_kthreads = !t->set.hide_kthreads;
		break;
	case SI_CONNS:
		t->set.no_conn_panel = !t->set.no_conn_panel;
		break;
	case SI_COLUMN:
		toggle_column(t, s->field, s->on);
		break;
	}
	tui_rebuild(t);
}

static void setup_key(struct tui *t, int ch)
{
	struct setup_item it[SI_COLUMN + F_NUM];
	int n = setup_items(t, it);
	const struct setup_item *s = t->menu_sel < n ? &it[t->menu_sel] : NULL;

	switch (ch) {
	case KEY_UP:
		t->menu_sel = t->menu_sel > 0 ? t->menu_sel - 1 : 0;
		break;
	case KEY_DOWN:
		t->menu_sel = t->menu_sel + 1 < n ? t->menu_sel + 1 : n - 1;
		break;
	case KEY_PPAGE:
		t->menu_sel = t->menu_sel > 10 ? t->menu_sel - 10 : 0;
		break;
	case KEY_NPAGE:
		t->menu_sel = t->menu_sel + 10 < n ? t->menu_sel + 10 : n - 1;
		break;
	case ' ':
	case '\n':
	case '\r':
	case KEY_ENTER:
	case KEY_RIGHT:
	case '+':
		if (s)
			setup_change(t, s, 1);
		break;
	case KEY_LEFT:
	case '-':
		if (s)
			setup_change(t, s, -1);
		break;
	case '[':
		if (s && s->kind == SI_COLUMN && s->on)
			move_column(t, s->field, -1);
		tui_rebuild(t);
		break;
	case ']':
		if (s && s->kind == SI_COLUMN && s->on)
			move_column(t, s->field, 1);
		tui_rebuild(t);
		break;
	case KEY_ESC:
	case KEY_F(2):
	case KEY_F(10):
	case 'q':
	case 'S':
		t->overlay = OV_NONE;
		break;
	}
}

void tui_open_setup(struct tui *t)
{
	t->overlay = OV_SETUP;
	t->menu_sel = 0;
	t->menu_top = 0;
}

/* ---- sort menu ---- */

static int sort_items(const struct tui *t, int *it)
{
	int n = 0;

	for (int f = 0; f < F_NUM; f++) {
		if (tui_offered(t, f))
			it[n++] = f;
	}
	return n;
}

void tui_open_sort_menu(struct tui *t)
{
	int it[F_NUM], n = sort_items(t, it);

	t->overlay = OV_SORT;
	t->menu_sel = 0;
	t->menu_top = 0;
	t->menu_typed[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (it[i] == t->set.sort_field)
			t->menu_sel = i;
	}
}

static void draw_sort(struct tui *t)
{
	int it[F_NUM], n = sort_items(t, it), w = 40, h = LINES - 4, y0 = 2, x0 = 2, rows = h - 4;

	if (t->menu_sel >= t->menu_top + rows)
		t->menu_top = t->menu_sel - rows + 1;
	if (t->menu_top > t->menu_sel)
		t->menu_top = t->menu_sel;
	tui_box(t, y0, x0, h, w, "Sort by");
	{
		int x = x0 + 2;
		char hint[64];

		snprintf(hint, sizeof(hint), "type to find: %s", t->menu_typed);
		tui_put(t, y0 + 1, &x, x0 + w - 2, ST_DIM, hint);
	}
	for (int i = 0; i < rows && t->menu_top + i < n; i++) {
		int f = it[t->menu_top + i], x = x0 + 2;
		bool sel = t->menu_top + i == t->menu_sel;
		char line[128];

		snprintf(line, sizeof(line), "%c %-9s %s", f == t->set.sort_field ? '*' : ' ',
			 fields[f].title, fields[f].name);
		if (sel)
			tui_fill(t, y0 + 3 + i, x0 + 1, w - 2, ST_SEL);
		tui_put(t, y0 + 3 + i, &x, x0 + w - 2, sel ? ST_SEL : ST_NORMAL, line);
	}
}

static bool prefix_match(const char *s, const char *p)
{
	return !strncasecmp(s, p, strlen(p));
}

static void sort_key(struct tui *t, int ch)
{
	int it[F_NUM], n = sort_items(t, it);
	size_t len = strlen(t->menu_typed);

	switch (ch) {
	case KEY_UP:
		t->menu_sel = t->menu_sel > 0 ? t->menu_sel - 1 : 0;
		return;
	case KEY_DOWN:
		t->menu_sel = t->menu_sel + 1 < n ? t->menu_sel + 1 : n - 1;
		return;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (t->menu_sel < n) {
			int f = it[t->menu_sel];

			if (f != t->set.sort_field)
				t->set.sort_desc = !(fields[f].flags & FIELD_ASC);
			t->set.sort_field = f;
			tui_resorted(t);
		}
		t->overlay = OV_NONE;
		return;
	case KEY_ESC:
	case KEY_F(6):
		t->overlay = OV_NONE;
		return;
	case KEY_BACKSPACE:
	case 127:
		if (len)
			t->menu_typed[len - 1] = '\0';
		return;
	}
	if (ch < 32 || ch >= 127 || len + 1 >= sizeof(t->menu_typed))
		return;
	t->menu_typed[len] = (char)ch;
	t->menu_typed[len + 1] = '\0';
	/* An exact name first ("tx" is TX/s, not TX_CALLS), then a prefix of name or title. */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < n; i++) {
			const struct field_desc *d = &fields[it[i]];
			bool hit = pass == 0 ? !strcasecmp(d->name, t->menu_typed) ||
						   !strcasecmp(d->title, t->menu_typed)
					     : prefix_match(d->name, t->menu_typed) ||
						   prefix_match(d->title, t->menu_typed);

			if (hit) {
				t->menu_sel = i;
				return;
			}
		}
	}
}

/* ---- signals ---- */

static const struct {
	int sig;
	const char *name;
} signals_menu[] = {
    {SIGTERM, "TERM"}, {SIGKILL, "KILL"}, {SIGINT, "INT"},   {SIGHUP, "HUP"},	{SIGQUIT, "QUIT"},
    {SIGSTOP, "STOP"}, {SIGCONT, "CONT"}, {SIGUSR1, "USR1"}, {SIGUSR2, "USR2"},
};
#define NSIGNALS ((int)(sizeof(signals_menu) / sizeof(signals_menu[0])))

void tui_open_signal_menu(struct tui *t)
{
	const struct row *r =
	    t->screen == SCR_DETAIL ? tui_find_row(t, t->detail_key) : tui_selected(t);
	const char *cmd;

	if (!r || (r->flags & ROW_EXITED)) {
		tui_message(t, true, "no running process selected");
		return;
	}
	if (r->flags & ROW_THREAD && r->pid != r->tgid) {
		tui_message(t, true, "select a process, not a thread, to send a signal");
		return;
	}
	cmd = row_str(r, F_CMD);
	t->kill_key = tui_key_of(r);
	snprintf(t->kill_what, sizeof(t->kill_what), "%u (%.60s)", r->pid, cmd ? cmd : r->comm);
	t->sig_sel = 0;
	t->overlay = OV_SIGNAL;
}

static void draw_signal(struct tui *t)
{
	int w = COLS - 2 < 48 ? COLS - 2 : 48,
	    h = NSIGNALS + 4 > LINES - 2 ? LINES - 2 : NSIGNALS + 4, y0 = (LINES - h) / 2,
	    x0 = (COLS - w) / 2;

	tui_box(t, y0, x0, h, w, "Send signal");
	{
		int x = x0 + 2;
		char line[128];

		snprintf(line, sizeof(line), "to %s", t->kill_what);
		tui_put(t, y0 + 1, &x, x0 + w - 2, ST_VALUE, line);
	}
	for (int i = 0; i < NSIGNALS && i < h - 4; i++) {
		char line[64];
		int x = x0 + 2;
		bool sel = i == t->sig_sel;

		snprintf(line, sizeof(line), "%2d  SIG%s", signals_menu[i].sig,
			 signals_menu[i].name);
		if (sel)
			tui_fill(t, y0 + 3 + i, x0 + 1, w - 2, ST_SEL);
		tui_put(t, y0 + 3 + i, &x, x0 + w - 2, sel ? ST_SEL : ST_NORMAL, line);
	}
}

static void draw_confirm(struct tui *t)
{
	int w = COLS - 4 > 72 ? 72 : COLS - 4, h = 5, y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;
	char line[256];
	int x = x0 + 2;

	tui_box(t, y0, x0, h, w, "Confirm");
	snprintf(line, sizeof(line), "Send SIG%s to %s?", signals_menu[t->sig_sel].name,
		 t->kill_what);
	tui_put(t, y0 + 1, &x, x0 + w - 2, ST_ALERT, line);
	x = x0 + 2;
	tui_put(t, y0 + 3, &x, x0 + w - 2, ST_NORMAL, "y: send    any other key: cancel");
}

/* Start time of a live pid in clock ticks since boot, from /proc/PID/stat; 0 when gone. */
static unsigned long long proc_start_ticks(uint32_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long v = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* Field 22 (starttime) is the 20th after the command name. */
	for (int i = 0; p && i < 20; i++)
		p = strchr(p + 1, ' ');
	if (p)
		v = strtoull(p + 1, NULL, 10);
	return v;
}

/*
 * Signals the exact process that was on screen: a pidfd pins it, and its start
 * time must match, so a pid reused meanwhile is never hit.
 */
static void send_signal(struct tui *t)
{
	int sig = signals_menu[t->sig_sel].sig, fd;
	long tck = sysconf(_SC_CLK_TCK);
	unsigned long long want, have;

	fd = (int)syscall(SYS_pidfd_open, (pid_t)t->kill_key.pid, 0);
	if (fd < 0) {
		tui_message(t, true, "pid %u: %s", t->kill_key.pid,
			    errno == ESRCH ? "has already exited" : strerror(errno));
		return;
	}
	want = tck > 0 ? t->kill_key.start_ns / (1000000000ULL / (unsigned long long)tck) : 0;
	have = proc_start_ticks(t->kill_key.pid);
	if (!have || (have > want ? have - want : want - have) > 1) {
		close(fd);
		tui_message(t, true, "pid %u has exited (the pid now belongs to another process)",
			    t->kill_key.pid);
		return;
	}
	if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0))
		tui_message(t, true, "SIG%s to %u failed: %s", signals_menu[t->sig_sel].name,
			    t->kill_key.pid, strerror(errno));
	else
		tui_message(t, false, "sent SIG%s to %s", signals_menu[t->sig_sel].name,
			    t->kill_what);
	close(fd);
}

static void signal_key(struct tui *t, int ch)
{
	switch (ch) {
	case KEY_UP:
		t->sig_sel = t->sig_sel > 0 ? t->sig_sel - 1 : 0;
		return;
	case KEY_DOWN:
		t->sig_sel = t->sig_sel + 1 < NSIGNALS ? t->sig_sel + 1 : NSIGNALS - 1;
		return;
	case '\n':
	case '\r':
	case KEY_ENTER:
		t->overlay = OV_CONFIRM;
		return;
	case KEY_ESC:
	case 'q':
	case KEY_F(9):
		t->overlay = OV_NONE;
		return;
	}
	for (int i = 0; i < NSIGNALS; i++) {
		if (ch >= '1' && ch <= '9' && signals_menu[i].sig == ch - '0')
			t->sig_sel = i;
	}
}

/* ---- dispatch ---- */

void tui_draw_overlay(struct tui *t)
{
	switch (t->overlay) {
	case OV_HELP:
		draw_help(t);
		break;
	case OV_SETUP:
		draw_setup(t);
		break;
	case OV_SORT:
		draw_sort(t);
		break;
	case OV_SIGNAL:
		draw_signal(t);
		break;
	case OV_CONFIRM:
		draw_confirm(t);
		break;
	default:
		break;
	}
}

void tui_overlay_key(struct tui *t, int ch)
{
	MEVENT ev;

	if (ch == KEY_MOUSE) {
		/* Wheel scrolls lists; clicks outside are ignored. */
		if (getmouse(&ev) != OK)
			return;
		if (ev.bstate & BUTTON4_PRESSED)
			ch = KEY_UP;
		else if (ev.bstate & BUTTON5_PRESSED)
			ch = KEY_DOWN;
		else
			return;
	}
	switch (t->overlay) {
	case OV_HELP:
		t->overlay = OV_NONE;
		break;
	case OV_SETUP:
		setup_key(t, ch);
		break;
	case OV_SORT:
		sort_key(t, ch);
		break;
	case OV_SIGNAL:
		signal_key(t, ch);
		break;
	case OV_CONFIRM:
		t->overlay = OV_NONE;
		if (ch == 'y' || ch == 'Y')
			send_signal(t);
		else
			tui_message(t, false, "nothing sent");
		break;
	default:
		t->overlay = OV_NONE;
	}
}
