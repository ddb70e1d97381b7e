// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Keys and mouse of the main screen and of the filter and search prompts. */
#include <stdlib.h>
#include <string.h>
#include "tui/tui_int.h"

#define KEY_ESC	   27
#define KEY_CTRL_U 21
#define KEY_CTRL_L 12

static void open_prompt(struct tui *t, enum tui_prompt p)
{
	t->prompt = p;
	snprintf(t->edit_old, sizeof(t->edit_old), "%s",
		 p == PR_FILTER	  ? t->match.text
		 : p == PR_SEARCH ? t->search
				  : "");
	snprintf(t->edit, sizeof(t->edit), "%s", t->edit_old);
}

static void search_next(struct tui *t, const char *text, long from, bool back)
{
	long i;

	if (!text[0] || !t->nlines)
		return;
	i = tui_list_search(t->lines, t->nlines, from, text, back);
	if (i >= 0)
		tui_select_center(t, i);
}

/* The prompt's text changed: a filter applies at once, a search jumps to the first match. */
static void edited(struct tui *t)
{
	if (t->prompt == PR_FILTER)
		tui_apply_filter(t, t->edit);
	else if (t->prompt == PR_SEARCH)
		search_next(t, t->edit, t->sel, false);
}

static void prompt_key(struct tui *t, int ch)
{
	size_t n = strlen(t->edit);

	switch (ch) {
	case KEY_ESC:
		/* Esc drops the filter altogether; a search just ends. */
		if (t->prompt == PR_FILTER)
			tui_apply_filter(t, "");
		t->prompt = PR_NONE;
		return;
	case '\n':
	case '\r':
	case KEY_ENTER:
		/* The error stays on screen above the prompt until fixed or cleared. */
		if (t->prompt == PR_FILTER && t->match.error[0])
			return;
		if (t->prompt == PR_SEARCH)
			snprintf(t->search, sizeof(t->search), "%s", t->edit);
		if (t->prompt == PR_TIME) {
			t->prompt = PR_NONE;
			tui_replay_seek(t, t->edit);
			return;
		}
		t->prompt = PR_NONE;
		return;
	case KEY_F(3):
		if (t->prompt == PR_SEARCH)
			search_next(t, t->edit, t->sel + 1, false);
		return;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		/* Remove a whole UTF-8 character. */
		while (n > 0 && ((unsigned char)t->edit[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0)
			n--;
		t->edit[n] = '\0';
		edited(t);
		return;
	case KEY_CTRL_U:
		t->edit[0] = '\0';
		edited(t);
		return;
	default:
		if (ch >= 32 && ch < 256 && ch != 127 && n + 1 < sizeof(t->edit)) {
			t->edit[n] = (char)ch;
			t->edit[n + 1] = '\0';
			edited(t);
		}
	}
}

static void move_sel(struct tui *t, long delta)
{
	tui_select(t, t->sel + delta);
}

/* A column shows a cumulative twin in 'c' mode; sorting remembers the rate it stands for. */
static int base_field(const struct tui *t, int f)
{
	for (int g = 0; t->set.cumulative && g < F_NUM; g++) {
		if (g != f && t->cum_of[g] == f)
			return g;
	}
	return f;
}

/* Sort by the column left or right of the current sort column. */
static void sort_step(struct tui *t, int dir)
{
	int cur = -1;

	for (int c = 0; c < t->ncols; c++) {
		if (t->cols[c].field == tui_shown_field(t, t->set.sort_field))
			cur = c;
	}
	cur = cur < 0 ? 0 : (cur + dir + t->ncols) % t->ncols;
	t->set.sort_field = base_field(t, t->cols[cur].field);
	t->set.sort_desc = !(fields[t->set.sort_field].flags & FIELD_ASC);
	tui_resorted(t);
}

static void sort_by(struct tui *t, int f)
{
	f = base_field(t, f);
	if (t->set.sort_field == f || tui_shown_field(t, t->set.sort_field) == f)
		t->set.sort_desc = !t->set.sort_desc;
	else {
		t->set.sort_field = f;
		t->set.sort_desc = !(fields[f].flags & FIELD_ASC);
	}
	tui_resorted(t);
}

static void toggle_fold(struct tui *t, int want) /* want: 1 fold, 0 unfold, -1 toggle */
{
	const struct row *r = tui_selected(t);
	struct tui_key k, *hit, *p;

	if (!r || !t->set.tree || t->set.threads || !t->lines[t->sel].parent)
		return;
	k = tui_key_of(r);
	hit = t->nfolded ? bsearch(&k, t->folded, t->nfolded, sizeof(k), tui_key_cmp) : NULL;
	if (hit && want != 1) {
		memmove(hit, hit + 1, (size_t)(t->folded + t->nfolded - hit - 1) * sizeof(*hit));
		t->nfolded--;
	} else if (!hit && want != 0) {
		p = realloc(t->folded, (t->nfolded + 1) * sizeof(*p));
		if (!p)
			return;
		t->folded = p;
		t->folded[t->nfolded++] = k;
		qsort(t->folded, t->nfolded, sizeof(k), tui_key_cmp);
	}
	tui_rebuild(t);
}

static void open_detail(struct tui *t)
{
	const struct row *r = tui_selected(t);

	if (!r)
		return;
	/* A thread row opens its process. */
	if (r->flags & ROW_THREAD) {
		const struct row *p = NULL;

		for (size_t i = 0; t->snap && i < t->snap->nprocs; i++) {
			if (t->snap->procs[i].pid == r->tgid &&
			    t->snap->procs[i].start_ns == r->pstart_ns)
				p = &t->snap->procs[i];
		}
		if (!p)
			return;
		r = p;
	}
	t->detail_key = tui_key_of(r);
	t->detail_top = 0;
	t->screen = SCR_DETAIL;
}

static void on_mouse(struct tui *t)
{
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return;
	if ((ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) &&
	    (t->screen == SCR_CONNS || (t->conn_focus && t->screen == SCR_MAIN))) {
		tui_conn_key(t, (ev.bstate & BUTTON4_PRESSED) ? KEY_UP : KEY_DOWN);
		return;
	}
	if (ev.bstate & BUTTON4_PRESSED) {
		if (t->screen == SCR_DETAIL)
			tui_detail_key(t, KEY_UP);
		else
			move_sel(t, -3);
		return;
	}
	if (ev.bstate & BUTTON5_PRESSED) {
		if (t->screen == SCR_DETAIL)
			tui_detail_key(t, KEY_DOWN);
		else
			move_sel(t, 3);
		return;
	}
	if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED)))
		return;
	if (ev.y == t->footer_y && !t->prompt) {
		for (int i = 0; i < t->nfkeys; i++) {
			if (ev.x >= t->fkeys[i].x && ev.x < t->fkeys[i].x + t->fkeys[i].w) {
				tui_key(t, t->fkeys[i].key);
				return;
			}
		}
		return;
	}
	if (t->overlay || t->screen == SCR_DETAIL)
		return;
	if (tui_conn_mouse(t, &ev) || t->screen != SCR_MAIN)
		return;
	t->conn_focus = false;
	if (ev.y == t->titles_y) {
		for (int c = 0; c < t->ncols; c++) {
			if (ev.x >= t->spans[c].x && ev.x <= t->spans[c].x + t->spans[c].w) {
				sort_by(t, t->cols[c].field);
				return;
			}
		}
		return;
	}
	if (ev.y >= t->list_y && ev.y < t->list_y + t->list_h &&
	    t->top + (ev.y - t->list_y) < t->nlines) {
		tui_select(t, t->top + (ev.y - t->list_y));
		if (ev.bstate & BUTTON1_DOUBLE_CLICKED)
			open_detail(t);
	}
}

static bool nav_key(struct tui *t, int ch)
{
	long page = t->list_h > 1 ? t->list_h - 1 : 1;

	switch (ch) {
	case KEY_UP:
		move_sel(t, -1);
		return true;
	case KEY_DOWN:
		move_sel(t, 1);
		return true;
	case KEY_PPAGE:
		move_sel(t, -page);
		t->top = t->top > page ? t->top - page : 0;
		return true;
	case KEY_NPAGE:
		move_sel(t, page);
		t->top += page;
		return true;
	case KEY_HOME:
		tui_select(t, 0);
		return true;
	case KEY_RIGHT:
		t->fmt.hscroll += 8;
		return true;
	case KEY_LEFT:
		t->fmt.hscroll = t->fmt.hscroll > 8 ? t->fmt.hscroll - 8 : 0;
		return true;
	case KEY_END:
		tui_select(t, t->nlines - 1);
		return true;
	}
	return false;
}

static void main_key(struct tui *t, int ch)
{
	if (nav_key(t, ch))
		return;
	if (t->replay && ch == 'g') {
		open_prompt(t, PR_TIME);
		return;
	}
	if (t->replay && tui_replay_key(t, ch))
		return;
	switch (ch) {
	case 'q':
	case 'Q':
	case KEY_F(10):
	case KEY_ESC:
		t->quit = true;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		open_detail(t);
		break;
	case '/':
	case KEY_F(4):
		open_prompt(t, PR_FILTER);
		break;
	case KEY_F(3):
		open_prompt(t, PR_SEARCH);
		break;
	case 'n':
		search_next(t, t->search, t->sel + 1, false);
		break;
	case 'N':
		search_next(t, t->search, t->sel - 1, true);
		break;
	case '<':
	case ',':
		sort_step(t, -1);
		break;
	case '>':
	case '.':
		sort_step(t, 1);
		break;
	case KEY_F(6):
		tui_open_sort_menu(t);
		break;
	case 'I':
		t->set.sort_desc = !t->set.sort_desc;
		tui_resorted(t);
		break;
	case 't':
	case 'T':
		t->set.tree = !t->set.tree;
		tui_rebuild(t);
		break;
	case '+':
	case '=':
		toggle_fold(t, 0);
		break;
	case '-':
		toggle_fold(t, 1);
		break;
	case '\t':
		if (tui_conn_panel_height(t, t->list_h + 1) || t->clist_h)
			t->conn_focus = true;
		break;
	case 'C':
		if (!tui_conns_avail(t)) {
			tui_message(t, true,
				    "connections are not collected here (see the status line)");
			break;
		}
		t->screen = SCR_CONNS;
		t->csel = t->ctop = 0;
		break;
	case 'c':
		t->set.cumulative = !t->set.cumulative;
		tui_rebuild(t);
		tui_message(t, false, "%s",
			    t->set.cumulative ? "showing totals since ebtop started"
					      : "showing rates per second");
		break;
	case ' ':
	case KEY_F(5):
	case 'p':
	case 'P':
		t->paused = !t->paused;
		break;
	case 'H':
		t->set.threads = !t->set.threads;
		tui_rebuild(t);
		break;
	case 'K':
		t->set.hide_kthreads = !t->set.hide_kthreads;
		tui_rebuild(t);
		break;
	case 'u':
		t->set.bits = !t->set.bits;
		break;
	case KEY_F(2):
	case 'S':
		tui_open_setup(t);
		break;
	case KEY_F(1):
	case '?':
	case 'h':
		t->overlay = OV_HELP;
		break;
	case 'k':
	case KEY_F(9):
		tui_open_signal_menu(t);
		break;
	case KEY_CTRL_L:
		clearok(curscr, TRUE);
		break;
	}
}

void tui_key(struct tui *t, int ch)
{
	if (ch == KEY_RESIZE)
		return; /* the next frame is drawn at the new size */
	if (ch == KEY_MOUSE) {
		if (t->overlay)
			tui_overlay_key(t, ch);
		else
			on_mouse(t);
		return;
	}
	if (t->prompt) {
		prompt_key(t, ch);
		return;
	}
	if (t->overlay) {
		tui_overlay_key(t, ch);
		return;
	}
	if (t->screen == SCR_DETAIL && tui_detail_key(t, ch))
		return;
	if ((t->screen == SCR_CONNS || (t->screen == SCR_MAIN && t->conn_focus)) &&
	    tui_conn_key(t, ch))
		return;
	main_key(t, ch);
}
