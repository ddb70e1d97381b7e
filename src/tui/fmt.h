/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Text of the interactive view (cells, rows, units, graphs); pure, testable without a terminal. */
#ifndef EBTOP_TUI_FMT_H
#define EBTOP_TUI_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/fields.h"
#include "model/model.h"

struct tui_fmt {
	bool bits;   /* byte rates as bit/s with SI multiples (network people think in bits) */
	bool raw;    /* whole numbers, no K/M/G */
	bool utf8;   /* box drawing, arrows, blocks and braille; ASCII otherwise */
	int hscroll; /* display columns of the last column's text scrolled out to the left */
};

struct tui_col {
	int field;
	int width; /* display columns; the last column of a line takes what is left */
};

/* Where a column landed on a line, for colors and mouse hits. */
struct tui_span {
	int x;
	int w;
};

/* Value in the unit of the field; NaN is "-". */
void tui_fmt_value(char *buf, size_t len, double v, enum field_unit unit, const struct tui_fmt *o);
/* A byte rate: "2.30G" (IEC) or, with bits, "18.4Gb" (SI). */
void tui_fmt_rate(char *buf, size_t len, double bytes_per_s, const struct tui_fmt *o);

/* The rest of s after its first n display columns (a wide character is skipped whole). */
const char *tui_skip_cols(const char *s, int n, bool utf8);
/* Display columns of UTF-8 text as tui_put_fit() would print it. */
int tui_text_width(const char *s, bool utf8);
/*
 * Appends s into dst at *pos (dst holds cap bytes), fitted to exactly w display
 * columns: padded with spaces, or cut when longer. Control characters and,
 * without utf8, every non-ASCII character print as '?'. Always NUL-terminates.
 */
void tui_put_fit(char *dst, size_t cap, size_t *pos, const char *s, int w, bool left, bool utf8);

/* Default width of a column: the field's, and never narrower than its title plus an arrow. */
int tui_col_width(int field);
/* The title a column shows; thread rows call the pid a TID. */
const char *tui_col_title(int field, bool threads);

/*
 * One table line of exactly width display columns into buf (NUL-terminated).
 * Columns are separated by a space; the last one takes the rest of the line.
 * prefix (tree drawing, may be NULL) goes in front of the command or name.
 * spans, when not NULL, receives ncols entries.
 */
void tui_format_row(char *buf, size_t len, const struct row *r, const struct tui_col *cols,
		    int ncols, int width, const char *prefix, const struct tui_fmt *o,
		    struct tui_span *spans);
/*
 * Lays out one line of columns whose alignment comes from table (the process
 * field table, or another such as the connection fields): text(c) writes the
 * text of column c. Exactly width display columns; spans as above.
 */
void tui_layout(char *buf, size_t len, const struct field_desc *table, const struct tui_col *cols,
		int ncols, int width, const struct tui_fmt *o, struct tui_span *spans,
		void (*text)(char *out, size_t outlen, int c, void *ctx), void *ctx);
/* Titles of columns from table, with an arrow on the sort column (-1: none). */
void tui_format_titles_of(char *buf, size_t len, const struct field_desc *table,
			  const struct tui_col *cols, int ncols, int width, int sort_field,
			  bool desc, bool threads, const struct tui_fmt *o, struct tui_span *spans);
/* The column titles, with an arrow on the sort column. */
void tui_format_titles(char *buf, size_t len, const struct tui_col *cols, int ncols, int width,
		       int sort_field, bool desc, bool threads, const struct tui_fmt *o,
		       struct tui_span *spans);

/*
 * Tree drawing before a row's name: depth 0 is a root. more has bit i set when
 * the ancestor at depth i (1-based) has siblings still to come; last says the
 * row is its parent's last child; folded marks hidden children.
 */
void tui_tree_prefix(char *buf, size_t len, int depth, uint64_t more, bool last, bool folded,
		     bool utf8);

/* n values (oldest first, NaN = gap) as w cells of block characters, newest at the right. */
void tui_sparkline(char *buf, size_t len, const float *v, int n, int w, double max, bool utf8);
/*
 * An area graph rows cells high and w cells wide, two values per cell (braille
 * dots; ASCII: one value per cell), newest at the right. lines[0] is the top
 * row; each holds len bytes.
 */
void tui_braille(char *const *lines, size_t len, int rows, int w, const float *v, int n, double max,
		 bool utf8);
/* Largest value of the last n (ignoring NaN), never below floor. */
double tui_graph_max(const float *v, int n, double floor);

/* How a cell or row should look; the screen maps these to colors or attributes. */
enum tui_cls {
	CLS_NORMAL,
	CLS_DIM,  /* zero or unavailable */
	CLS_BIG,  /* a large rate */
	CLS_WARN, /* yellow: an I/O latency spike */
	CLS_HOT,  /* red: high run-queue wait (CPU saturation) */
};

enum tui_row_cls {
	RCLS_NORMAL,
	RCLS_KTHREAD,
	RCLS_EXITED,
	RCLS_RETX, /* retransmitting: the whole row stands out */
};

/* Which fields trigger the warning colors; -1 when that field does not exist yet. */
struct tui_thresholds {
	int runq_field;
	double runq_hot; /* percent of the interval */
	int lat_field;
	double lat_warn; /* nanoseconds */
	int retx_field;
};

void tui_thresholds_default(struct tui_thresholds *t);
enum tui_cls tui_cell_class(const struct row *r, int field, const struct tui_thresholds *t);
enum tui_row_cls tui_row_class(const struct row *r, const struct tui_thresholds *t);

/* "3d 04:12", "04:12:07", "12:07": an uptime or age. */
void tui_fmt_duration(char *buf, size_t len, double seconds);

#endif
