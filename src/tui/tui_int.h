/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* State shared by the files of the interactive view. */
#ifndef EBTOP_TUI_INT_H
#define EBTOP_TUI_INT_H

#include <curses.h>
#include "model/feed.h"
#include "tui/conns.h"
#include "tui/fmt.h"
#include "tui/hist.h"
#include "tui/list.h"
#include "tui/match.h"
#include "tui/settings.h"
#include "tui/tui.h"

enum tui_style {
	ST_NORMAL,
	ST_DIM,
	ST_BIG,
	ST_WARN,
	ST_HOT,
	ST_RETX,
	ST_TITLE,
	ST_TITLE_SORT,
	ST_SEL,
	ST_LABEL,
	ST_VALUE,
	ST_TX,
	ST_RX,
	ST_CPU,
	ST_DISK,
	ST_OK,
	ST_ALERT,
	ST_ERROR,
	ST_KEY,
	ST_KEYLABEL,
	ST_BADGE,
	ST_NUM
};

enum tui_screen { SCR_MAIN, SCR_DETAIL, SCR_CONNS };
enum tui_overlay { OV_NONE, OV_HELP, OV_SETUP, OV_SORT, OV_SIGNAL, OV_CONFIRM };
enum tui_prompt { PR_NONE, PR_FILTER, PR_SEARCH, PR_TIME };

#define TUI_FKEYS 10
#define TUI_TEXT  256

/* One function key of the bottom bar, for mouse clicks. */
struct tui_fkey {
	int x, w, key;
};

struct tui {
	struct feed *feed; /* (borrowed) */
	struct tui_settings set;
	struct tui_settings saved; /* as loaded, to save only real changes */
	char conf_path[4096];
	struct tui_fmt fmt;
	struct tui_thresholds thr;
	bool can_color;
	attr_t style[ST_NUM];
	int cum_of[F_NUM];    /* the cumulative twin of a rate field, or itself */
	int then_field; /* second sort key */
	const uint32_t *pids; /* (borrowed) */
	size_t npids;
	const struct snap_source *replay; /* (borrowed) NULL: live */
	char host[64];

	struct snapshot *snap; /* the one on screen; NULL before the first */
	struct hist hist;
	uint64_t last_seq, last_mono_ns; /* the snapshot last recorded into hist */
	uint64_t err_prev[EBTOP_NERR];	 /* errors in the previous snapshot, for "+N" */
	uint64_t err_delta[EBTOP_NERR];
	struct prog_cost prog_prev[MAX_PROGS]; /* the previous snapshot's, for BPF CPU time */
	int nprog_prev;
	double bpf_pct; /* CPU the BPF programs took over the last interval; NaN unknown */
	struct tui_line *lines;
	long nlines;
	long sel, top;
	struct tui_key sel_key;
	bool have_sel;
	struct tui_key *folded; /* sorted */
	size_t nfolded;

	/* The columns of the last frame and where they were. */
	struct tui_col cols[TUI_MAX_COLS];
	int ncols;
	struct tui_span spans[TUI_MAX_COLS];
	int titles_y, list_y, list_h;
	struct tui_fkey fkeys[TUI_FKEYS];
	int nfkeys, footer_y;

	bool paused, quit;
	enum tui_screen screen;
	enum tui_overlay overlay;
	enum tui_prompt prompt;
	struct tui_match match; /* the filter in force; match.text is what the badge shows */
	char search[TUI_TEXT];
	char edit[TUI_TEXT];	 /* the prompt's text while typing */
	char edit_old[TUI_TEXT]; /* restored by Esc */
	char msg[TUI_TEXT];
	uint64_t msg_until; /* CLOCK_MONOTONIC ns */
	bool msg_alert;
	char feed_err[TUI_TEXT];

	struct tui_key detail_key;
	long detail_top; /* first thread line shown */

	/* Connection tables: the panel under the processes, or the all-connections view. */
	bool conn_focus; /* keys go to the connection panel (Tab) */
	long csel, ctop;
	int csort;
	bool cdesc;
	struct tui_col ccols[TUI_CONN_COLS];
	int nccols;
	struct tui_span cspans[TUI_CONN_COLS];
	int ctitles_y, clist_y, clist_h; /* where the last frame put it; clist_h 0: none */
	long menu_sel, menu_top;
	char menu_typed[32];
	int sig_sel;
	struct tui_key kill_key;
	char kill_what[96];
};

/* term.c */
int tui_term_start(struct tui *t, char *err, size_t errlen);
void tui_term_stop(void);
int tui_term_signal_fd(void);
int tui_term_take_signal(void); /* the quit signal caught, or 0 */
void tui_term_styles(struct tui *t);

/* tui.c */
void tui_on_feed(struct tui *t); /* takes the feed's latest snapshot onto the screen */
void tui_rebuild(struct tui *t);
/* After the user picks another sort: rebuilt, and the view starts at the top. */
void tui_resorted(struct tui *t);
bool tui_offered(const struct tui *t, int field);
int tui_shown_field(const struct tui *t, int field); /* cumulative twin in 'c' mode */
void tui_message(struct tui *t, bool alert, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tui_select(struct tui *t, long index);
/* A jump (search): when the row is off screen, it lands mid-screen with context around it. */
void tui_select_center(struct tui *t, long index);
const struct row *tui_selected(const struct tui *t);
const struct row *tui_find_row(const struct tui *t, struct tui_key key);
/* false: text looks like an expression but does not compile (t->match.error says why). */
bool tui_apply_filter(struct tui *t, const char *text);
void tui_set_interval(struct tui *t, double s);

/* replay.c: keys that step through a recording; true when ch was one. */
bool tui_replay_key(struct tui *t, int ch);
void tui_replay_seek(struct tui *t, const char *when);
void tui_replay_hint(struct tui *t);

/* draw.c */
void tui_draw(struct tui *t);
void tui_put(struct tui *t, int y, int *x, int maxx, enum tui_style st, const char *s);
void tui_fill(struct tui *t, int y, int x, int w, enum tui_style st);
void tui_chgat(struct tui *t, int y, int x, int w, enum tui_style st);
void tui_box(struct tui *t, int y, int x, int h, int w, const char *title);
int tui_draw_header(struct tui *t);
void tui_draw_footer(struct tui *t);
enum tui_style tui_cell_style(const struct tui *t, const struct row *r, int field);
void tui_draw_graph(struct tui *t, int y, int x, int rows, int w, const float *v, int n, double max,
		    enum tui_style st);

/* panels.c */
void tui_draw_detail(struct tui *t, int y, int h);
void tui_draw_overlay(struct tui *t);
bool tui_detail_key(struct tui *t, int ch);
void tui_overlay_key(struct tui *t, int ch);
void tui_open_signal_menu(struct tui *t);
void tui_open_sort_menu(struct tui *t);
void tui_open_setup(struct tui *t);

/* conn_view.c */
bool tui_conns_avail(const struct tui *t);
/* Lines the panel under the process table takes out of h (0: no panel). */
int tui_conn_panel_height(const struct tui *t, int h);
void tui_draw_conn_panel(struct tui *t, int y, int h);
void tui_draw_conn_view(struct tui *t, int y, int h);
/* The connections of owner (NULL: all), sorted as the table is; *out is malloc'd. */
long tui_conn_list(const struct tui *t, const struct row *owner, const struct conn ***out);
bool tui_conn_key(struct tui *t, int ch);
bool tui_conn_mouse(struct tui *t, const MEVENT *ev);

/* input.c */
void tui_key(struct tui *t, int ch);

#endif
