// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The main screen: header with graphs and status, the process table, the key bar. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/sysinfo.h>
#include "core/clock.h"
#include "output/render.h"
#include "tui/tui_int.h"

#define LINE_MAX_BYTES 8192

void tui_put(struct tui *t, int y, int *x, int maxx, enum tui_style st, const char *s)
{
	char buf[LINE_MAX_BYTES];
	size_t pos = 0;
	int room = (maxx < COLS ? maxx : COLS) - *x, w;

	if (room <= 0 || y < 0 || y >= LINES)
		return;
	w = tui_text_width(s, t->fmt.utf8);
	if (w > room)
		w = room;
	tui_put_fit(buf, sizeof(buf), &pos, s, w, true, t->fmt.utf8);
	attrset(t->style[st]);
	mvaddstr(y, *x, buf);
	*x += w;
}

void tui_fill(struct tui *t, int y, int x, int w, enum tui_style st)
{
	if (w <= 0 || y < 0 || y >= LINES)
		return;
	attrset(t->style[st]);
	mvhline(y, x, ' ', w);
}

void tui_chgat(struct tui *t, int y, int x, int w, enum tui_style st)
{
	attr_t a = t->style[st];

	if (w > 0)
		mvchgat(y, x, w, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
}

void tui_box(struct tui *t, int y, int x, int h, int w, const char *title)
{
	int tx;

	/* Clipped to the screen: a small terminal still gets a usable box. */
	x = x < 0 ? 0 : x;
	y = y < 0 ? 0 : y;
	w = w > COLS - x ? COLS - x : w;
	h = h > LINES - y ? LINES - y : h;
	if (w < 4 || h < 3)
		return;
	tx = x + 2;

	for (int i = 0; i < h; i++)
		tui_fill(t, y + i, x, w, ST_NORMAL);
	attrset(t->style[ST_LABEL]);
	mvhline(y, x + 1, ACS_HLINE, w - 2);
	mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
	mvvline(y + 1, x, ACS_VLINE, h - 2);
	mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
	mvaddch(y, x, ACS_ULCORNER);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	mvaddch(y + h - 1, x, ACS_LLCORNER);
	mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	if (title) {
		tui_put(t, y, &tx, x + w - 2, ST_VALUE, " ");
		tui_put(t, y, &tx, x + w - 2, ST_VALUE, title);
		tui_put(t, y, &tx, x + w - 2, ST_VALUE, " ");
	}
}

void tui_draw_graph(struct tui *t, int y, int x, int rows, int w, const float *v, int n, double max,
		    enum tui_style st)
{
	char bufs[8][LINE_MAX_BYTES / 2];
	char *lines[8] = {NULL};

	if (rows > 8)
		rows = 8;
	if (w * 3 >= (int)sizeof(bufs[0]))
		w = (int)sizeof(bufs[0]) / 3 - 1;
	for (int r = 0; r < rows; r++)
		lines[r] = bufs[r];
	tui_braille(lines, sizeof(bufs[0]), rows, w, v, n, max, t->fmt.utf8);
	attrset(t->style[st]);
	for (int r = 0; r < rows; r++)
		mvaddstr(y + r, x, lines[r]);
}

/*
 * "TX 2.30G/s ▁▂▅█ ↑2.41G": a label, the latest value, a sparkline and its
 * scale. CPU is the share of all CPUs, on a fixed 0-100% scale.
 */
static void meter(struct tui *t, int y, int x, int w, const char *label, int metric,
		  enum tui_style st)
{
	float v[HIST_SYS_LEN];
	char val[32], peak[32], spark[LINE_MAX_BYTES], cell[16];
	int gw = w - 4 - 10 - 11, xx = x;
	bool pct = metric == HM_CPU;
	double ncpus = t->snap->ncpus ? t->snap->ncpus : 1;
	double cur = hist_value(&t->hist, metric, &t->snap->total), max;
	size_t pos = 0;

	if (pct)
		snprintf(val, sizeof(val), isnan(cur) ? "-" : "%.1f%%", cur / ncpus);
	else
		tui_fmt_value(val, sizeof(val), cur, UNIT_BYTES_RATE, &t->fmt);
	if (!pct && !isnan(cur))
		strcat(val, "/s");
	tui_put(t, y, &xx, x + w, ST_LABEL, label);
	xx = x + 4;
	tui_put_fit(cell, sizeof(cell), &pos, val, 9, false, t->fmt.utf8);
	tui_put(t, y, &xx, x + w, ST_VALUE, cell);
	if (gw < 4)
		return;
	if (gw > HIST_SYS_LEN)
		gw = HIST_SYS_LEN;
	hist_sys(&t->hist, metric, v, gw);
	if (pct) {
		for (int i = 0; i < gw; i++)
			v[i] = (float)(v[i] / ncpus);
		max = 100;
	} else {
		/* A floor keeps an idle machine's noise from filling the graph. */
		max = tui_graph_max(v, gw, 1024.0);
	}
	tui_sparkline(spark, sizeof(spark), v, gw, gw, max, t->fmt.utf8);
	xx = x + 14;
	tui_put(t, y, &xx, x + w, st, spark);
	if (pct) {
		snprintf(peak, sizeof(peak), " of %.0f CPU%s", ncpus, ncpus > 1 ? "s" : "");
	} else {
		char m[16];

		tui_fmt_value(m, sizeof(m), max, UNIT_BYTES_RATE, &t->fmt);
		snprintf(peak, sizeof(peak), " %s%s", t->fmt.utf8 ? "\u2191" : "^", m);
	}
	tui_put(t, y, &xx, x + w, ST_DIM, peak);
}

/* Counters that cost time but lose nothing (a slower path taken, a missed event repaired). */
static bool is_loss(int i)
{
	switch (i) {
	case EBTOP_ERR_SLOT:
	case EBTOP_ERR_SCHED_SLOT:
	case EBTOP_ERR_SCHED_MISSED:
		return false;
	default:
		return render_err_name(i) != NULL;
	}
}

/* Degraded features and drops; when all is well, what runs and what ebtop costs. */
static void status_line(struct tui *t, int y)
{
	char text[1024];
	size_t pos = 0;
	int x = 0;
	bool alert = false;
	const struct snapshot *s = t->snap;

	text[0] = '\0';
	if (t->feed_err[0]) {
		x = 0;
		snprintf(text, sizeof(text), " ! %s", t->feed_err);
		tui_fill(t, y, 0, COLS, ST_ERROR);
		tui_put(t, y, &x, COLS, ST_ERROR, text);
		return;
	}
	if (s->status[0]) {
		pos += (size_t)snprintf(text + pos, sizeof(text) - pos, "%s", s->status);
		alert = true;
	}
	for (int i = 0; i < EBTOP_NERR && pos < sizeof(text); i++) {
		if (!is_loss(i) || !s->errors[i])
			continue;
		pos +=
		    (size_t)snprintf(text + pos, sizeof(text) - pos, "%s%s %llu", pos ? "; " : "",
				     render_err_name(i), (unsigned long long)s->errors[i]);
		if (t->err_delta[i] && pos < sizeof(text))
			pos += (size_t)snprintf(text + pos, sizeof(text) - pos, " (+%llu)",
						(unsigned long long)t->err_delta[i]);
		alert = true;
	}
	if (alert) {
		tui_put(t, y, &x, COLS, ST_ALERT, t->fmt.utf8 ? " \u26a0 " : " ! ");
		tui_put(t, y, &x, COLS, ST_ALERT, text);
		return;
	}
	pos = (size_t)snprintf(text, sizeof(text), " collecting:%s%s%s%s  ebtop %.1f%% CPU",
			       (s->avail & NEED_NET) ? " net" : "",
			       (s->avail & NEED_SCHED) ? " cpu" : "",
			       (s->avail & NEED_DISK) ? " disk" : "",
			       (s->avail & NEED_CONN) ? " connections" : "", s->self_cpu_pct);
	if (!isnan(t->bpf_pct))
		snprintf(text + pos, sizeof(text) - pos, " + BPF %.1f%% (kernel-side)", t->bpf_pct);
	strncat(text, "  drops: none", sizeof(text) - strlen(text) - 1);
	tui_put(t, y, &x, COLS, ST_OK, text);
}

/* A label at the right end of the title line, left of the previous one, if it fits. */
static void badge(struct tui *t, int y, int left, int *right, const char *text)
{
	int w = tui_text_width(text, t->fmt.utf8) + 2, x;
	char buf[TUI_TEXT + 8];

	if (*right - w - 1 <= left)
		return;
	*right -= w + 1;
	x = *right;
	snprintf(buf, sizeof(buf), " %s ", text);
	tui_put(t, y, &x, x + w, ST_BADGE, buf);
}

static void title_line(struct tui *t, int y)
{
	char buf[TUI_TEXT], up[32], when[16];
	struct sysinfo si;
	size_t exited = 0;
	int x = 0, right = COLS;
	time_t now;
	struct tm tm;

	tui_put(t, y, &x, COLS, ST_BADGE, " ebtop ");
	snprintf(buf, sizeof(buf), " %s", t->host);
	tui_put(t, y, &x, COLS, ST_VALUE, buf);
	if (!sysinfo(&si)) {
		tui_fmt_duration(up, sizeof(up), (double)si.uptime);
		snprintf(buf, sizeof(buf), "  up %s", up);
		tui_put(t, y, &x, COLS, ST_NORMAL, buf);
	}
	now = t->snap ? (time_t)(t->snap->wall_ns / 1000000000ULL) : time(NULL);
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	snprintf(buf, sizeof(buf), "  %s  every %gs", when, t->set.interval_s);
	tui_put(t, y, &x, COLS, ST_NORMAL, buf);
	if (t->snap) {
		for (size_t i = 0; i < t->snap->nprocs; i++)
			exited += (t->snap->procs[i].flags & ROW_EXITED) != 0;
		snprintf(buf, sizeof(buf), "  %zu procs", t->snap->nprocs - exited);
		tui_put(t, y, &x, COLS, ST_NORMAL, buf);
		if (exited) {
			snprintf(buf, sizeof(buf), " (+%zu exited)", exited);
			tui_put(t, y, &x, COLS, ST_DIM, buf);
		}
		snprintf(buf, sizeof(buf), ", %.0f threads", t->snap->total.v[F_THREADS]);
		tui_put(t, y, &x, COLS, ST_NORMAL, buf);
	}
	if (t->paused)
		badge(t, y, x, &right, "PAUSED");
	if (t->match.text[0]) {
		snprintf(buf, sizeof(buf), "filter: %.40s", t->match.text);
		badge(t, y, x, &right, buf);
	}
	if (t->set.cumulative)
		badge(t, y, x, &right, "TOTALS");
	if (t->set.tree && !t->set.threads)
		badge(t, y, x, &right, "TREE");
	if (t->set.threads)
		badge(t, y, x, &right, "THREADS");
}

/* Header lines; returns the first free line. */
int tui_draw_header(struct tui *t)
{
	int y = 0, half = COLS / 2;
	bool cpu, disk;

	title_line(t, y++);
	if (!t->snap)
		return y + 1;
	if (t->snap->avail & NEED_NET) {
		meter(t, y, 0, half - 1, " TX", HM_TX, ST_TX);
		meter(t, y, half, COLS - half, " RX", HM_RX, ST_RX);
		y++;
	}
	cpu = hist_metric_avail(&t->hist, HM_CPU, t->snap->avail);
	disk = hist_metric_avail(&t->hist, HM_DISK, t->snap->avail);
	if (cpu || disk) {
		if (cpu)
			meter(t, y, 0, half - 1, " CPU", HM_CPU, ST_CPU);
		if (disk)
			meter(t, y, cpu ? half : 0, cpu ? COLS - half : half - 1, " DSK", HM_DISK,
			      ST_DISK);
		y++;
	}
	status_line(t, y++);
	return y;
}

enum tui_style tui_cell_style(const struct tui *t, const struct row *r, int f)
{
	switch (tui_cell_class(r, f, &t->thr)) {
	case CLS_DIM:
		return ST_DIM;
	case CLS_BIG:
		return ST_BIG;
	case CLS_WARN:
		return ST_WARN;
	case CLS_HOT:
		return ST_HOT;
	default:
		return ST_NORMAL;
	}
}

static void draw_row(struct tui *t, int y, const struct tui_line *l, bool selected)
{
	char line[LINE_MAX_BYTES], prefix[512];
	struct tui_span spans[TUI_MAX_COLS];
	enum tui_row_cls rc = tui_row_class(l->r, &t->thr);
	enum tui_style base = rc == RCLS_EXITED ? ST_DIM : rc == RCLS_RETX ? ST_RETX : ST_NORMAL;

	prefix[0] = '\0';
	if (t->set.tree && !t->set.threads)
		tui_tree_prefix(prefix, sizeof(prefix), l->depth, l->more, l->last, l->folded,
				t->fmt.utf8);
	tui_format_row(line, sizeof(line), l->r, t->cols, t->ncols, COLS, prefix, &t->fmt, spans);
	attrset(t->style[selected ? ST_SEL : base]);
	mvaddstr(y, 0, line);
	if (selected || rc == RCLS_EXITED)
		return;
	for (int c = 0; c < t->ncols; c++) {
		int f = t->cols[c].field;
		enum tui_style st = tui_cell_style(t, l->r, f);

		if (f == F_CMD && rc == RCLS_KTHREAD)
			st = ST_DIM;
		if (st != ST_NORMAL && !(rc == RCLS_RETX && st == ST_DIM))
			tui_chgat(t, y, spans[c].x, spans[c].w, st);
	}
}

static void draw_table(struct tui *t, int y, int h)
{
	char line[LINE_MAX_BYTES];
	int sort = tui_shown_field(t, t->set.sort_field), x;
	int ph = tui_conn_panel_height(t, h);

	/* The selected process's connections take the bottom of the table's area. */
	t->clist_h = 0;
	if (ph)
		tui_draw_conn_panel(t, y + h - ph, ph);
	else
		t->conn_focus = false;
	h -= ph;
	t->titles_y = y;
	t->list_y = y + 1;
	t->list_h = h - 1 > 0 ? h - 1 : 0;
	tui_format_titles(line, sizeof(line), t->cols, t->ncols, COLS, sort, t->set.sort_desc,
			  t->set.threads, &t->fmt, t->spans);
	attrset(t->style[ST_TITLE]);
	mvaddstr(y, 0, line);
	for (int c = 0; c < t->ncols; c++) {
		if (t->cols[c].field == sort)
			tui_chgat(t, y, t->spans[c].x, t->spans[c].w, ST_TITLE_SORT);
	}
	if (t->top > t->sel)
		t->top = t->sel;
	if (t->list_h && t->sel >= t->top + t->list_h)
		t->top = t->sel - t->list_h + 1;
	if (t->top > 0 && t->top + t->list_h > t->nlines)
		t->top = t->nlines - t->list_h > 0 ? t->nlines - t->list_h : 0;
	for (int i = 0; i < t->list_h && t->top + i < t->nlines; i++)
		draw_row(t, t->list_y + i, &t->lines[t->top + i], t->top + i == t->sel);
	x = 2;
	if (!t->snap)
		tui_put(t, t->list_y + 1, &x, COLS, ST_DIM, "collecting the first snapshot...");
	else if (!t->nlines && t->match.text[0]) {
		snprintf(line, sizeof(line),
			 "no process matches the filter '%s' (Esc in / clears it)", t->match.text);
		tui_put(t, t->list_y + 1, &x, COLS, ST_DIM, line);
	}
}

/* The filter's error, its expression and a caret under the problem, just above the prompt. */
static void filter_error_box(struct tui *t, int footer)
{
	const char *p = t->match.error;
	int lines = 1, y;

	for (const char *q = p; *q; q++)
		lines += *q == '\n';
	y = footer - lines;
	for (int i = 0; i < lines && *p; i++) {
		char line[TUI_TEXT + 64];
		size_t n = strcspn(p, "\n");
		int x = 0;

		snprintf(line, sizeof(line), " %.*s", (int)n, p);
		tui_fill(t, y + i, 0, COLS, i ? ST_NORMAL : ST_ALERT);
		tui_put(t, y + i, &x, COLS, i ? ST_NORMAL : ST_ALERT, line);
		p += n + (p[n] == '\n');
	}
}

struct fkey_def {
	int key;
	const char *name;
	const char *label;
};

void tui_draw_footer(struct tui *t)
{
	static const struct fkey_def keys[] = {
	    {KEY_F(1), "F1", "Help"},	{KEY_F(2), "F2", "Setup"}, {KEY_F(3), "F3", "Search"},
	    {KEY_F(4), "F4", "Filter"}, {KEY_F(5), "F5", "Pause"}, {KEY_F(6), "F6", "SortBy"},
	    {'t', " t", "Tree"},	{KEY_F(9), "F9", "Kill"},  {KEY_F(10), "F10", "Quit"},
	};
	int y = LINES - 1, x = 0;
	char buf[TUI_TEXT + 32];

	t->footer_y = y;
	t->nfkeys = 0;
	move(y, 0);
	attrset(t->style[ST_NORMAL]);
	clrtoeol();
	if (t->prompt == PR_FILTER && t->match.error[0])
		filter_error_box(t, y);
	if (t->prompt) {
		const char *what = t->prompt == PR_FILTER   ? "Filter: "
				   : t->prompt == PR_SEARCH ? "Search: "
							    : "Go to time: ";

		tui_put(t, y, &x, COLS, ST_KEYLABEL, what);
		tui_put(t, y, &x, COLS, ST_VALUE, t->edit);
		curs_set(1);
		{
			int cx = x;

			if (t->prompt == PR_SEARCH && t->edit[0] &&
			    tui_list_search(t->lines, t->nlines, t->sel, t->edit, false) < 0)
				tui_put(t, y, &x, COLS, ST_ALERT, "   (no match)");
			else if (t->prompt == PR_FILTER)
				tui_put(
				    t, y, &x, COLS, ST_DIM,
				    !t->edit[0]		? "   e.g. tx > 1MB/s and user = root"
				    : t->match.error[0] ? "   (not applied: see above)"
				    : tui_match_is_expr(&t->match)
					? "   expression  Enter: keep  Esc: clear"
					: "   text in the command line  Enter: keep  Esc: clear");
			else if (t->prompt == PR_TIME)
				tui_put(t, y, &x, COLS, ST_DIM,
					"   HH:MM[:SS], YYYY-MM-DD HH:MM, first, last, -5m");
			move(y, cx);
		}
		return;
	}
	curs_set(0);
	if (t->msg[0] && clock_mono_ns() < t->msg_until) {
		snprintf(buf, sizeof(buf), " %s", t->msg);
		tui_put(t, y, &x, COLS, t->msg_alert ? ST_ALERT : ST_VALUE, buf);
		return;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *label = keys[i].label;
		int x0 = x;

		if (keys[i].key == KEY_F(5) && t->paused)
			label = "Resume";
		tui_put(t, y, &x, COLS, ST_KEY, keys[i].name);
		snprintf(buf, sizeof(buf), "%-*s", strlen(label) < 6 ? 6 : (int)strlen(label) + 1,
			 label);
		tui_put(t, y, &x, COLS, ST_KEYLABEL, buf);
		if (t->nfkeys < TUI_FKEYS)
			t->fkeys[t->nfkeys++] = (struct tui_fkey){x0, x - x0, keys[i].key};
	}
	tui_fill(t, y, x, COLS - x, ST_KEYLABEL);
}

void tui_draw(struct tui *t)
{
	int y;

	erase();
	if (LINES < 8 || COLS < 40) {
		int x = 0;

		tui_put(t, 0, &x, COLS, ST_ALERT, "ebtop: terminal too small (40x8 at least)");
		refresh();
		return;
	}
	y = tui_draw_header(t);
	if (t->screen == SCR_DETAIL)
		tui_draw_detail(t, y, LINES - 1 - y);
	else if (t->screen == SCR_CONNS)
		tui_draw_conn_view(t, y, LINES - 1 - y);
	else
		draw_table(t, y, LINES - 1 - y);
	if (t->overlay)
		tui_draw_overlay(t);
	tui_draw_footer(t);
	refresh();
}
