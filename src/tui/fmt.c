// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Text of the interactive view (cells, rows, units, graphs); pure, testable without a terminal. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include "output/format.h"
#include "tui/fmt.h"

void tui_fmt_rate(char *buf, size_t len, double v, const struct tui_fmt *o)
{
	static const char si[] = "KMGTPE";
	int u = -1;

	if (isnan(v)) {
		snprintf(buf, len, "-");
		return;
	}
	if (!o->bits) {
		if (o->raw)
			snprintf(buf, len, "%.0f", v);
		else
			fmt_bytes(buf, len, v);
		return;
	}
	v *= 8;
	if (o->raw || v < 1000) {
		snprintf(buf, len, o->raw ? "%.0f" : "%.0fb", v);
		return;
	}
	while (v >= 1000 && u < 5) {
		v /= 1000;
		u++;
	}
	if (v < 9.995)
		snprintf(buf, len, "%.2f%cb", v, si[u]);
	else if (v < 99.95)
		snprintf(buf, len, "%.1f%cb", v, si[u]);
	else
		snprintf(buf, len, "%.0f%cb", v, si[u]);
}

void tui_fmt_value(char *buf, size_t len, double v, enum field_unit unit, const struct tui_fmt *o)
{
	if (unit == UNIT_BYTES_RATE)
		tui_fmt_rate(buf, len, v, o);
	else
		fmt_value(buf, len, v, unit, o->raw);
}

/* One UTF-8 sequence: its code point, or -1 for a malformed one (then *n is 1). */
static int utf8_next(const unsigned char *s, int *n)
{
	int cp, need, i;

	if (s[0] < 0x80) {
		*n = 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		cp = s[0] & 0x1f;
		need = 1;
	} else if ((s[0] & 0xf0) == 0xe0) {
		cp = s[0] & 0x0f;
		need = 2;
	} else if ((s[0] & 0xf8) == 0xf0) {
		cp = s[0] & 0x07;
		need = 3;
	} else {
		*n = 1;
		return -1;
	}
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*n = 1;
			return -1;
		}
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms and surrogates are malformed too. */
	if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
		*n = 1;
		return -1;
	}
	*n = need + 1;
	return cp;
}

/* Display width of one character, or -1 when it must print as '?'. */
static int char_width(int cp, bool utf8)
{
	int w;

	if (cp < 0 || cp < 0x20 || cp == 0x7f)
		return -1;
	if (cp < 0x80)
		return 1;
	if (!utf8 || (cp >= 0x80 && cp < 0xa0))
		return -1;
	w = wcwidth((wchar_t)cp);
	return w < 0 ? -1 : w;
}

int tui_text_width(const char *s, bool utf8)
{
	const unsigned char *p = (const unsigned char *)s;
	int w = 0, n;

	while (*p) {
		int cw = char_width(utf8_next(p, &n), utf8);

		w += cw < 0 ? 1 : cw;
		p += n;
	}
	return w;
}

const char *tui_skip_cols(const char *s, int n, bool utf8)
{
	const unsigned char *p = (const unsigned char *)s;
	int used = 0, len;

	while (*p && used < n) {
		int cw = char_width(utf8_next(p, &len), utf8);

		used += cw < 0 ? 1 : cw;
		p += len;
	}
	return (const char *)p;
}

static void put_bytes(char *dst, size_t cap, size_t *pos, const char *s, size_t n)
{
	if (*pos + n >= cap)
		n = *pos < cap ? cap - 1 - *pos : 0;
	memcpy(dst + *pos, s, n);
	*pos += n;
	dst[*pos] = '\0';
}

static void put_spaces(char *dst, size_t cap, size_t *pos, int n)
{
	for (; n > 0; n--)
		put_bytes(dst, cap, pos, " ", 1);
}

void tui_put_fit(char *dst, size_t cap, size_t *pos, const char *s, int w, bool left, bool utf8)
{
	const unsigned char *p = (const unsigned char *)s;
	int tw, used = 0, n;

	if (!cap)
		return;
	if (w <= 0) {
		dst[*pos < cap ? *pos : cap - 1] = '\0';
		return;
	}
	tw = tui_text_width(s, utf8);
	if (!left && tw < w)
		put_spaces(dst, cap, pos, w - tw);
	while (*p) {
		int cw = char_width(utf8_next(p, &n), utf8);

		if (used + (cw < 0 ? 1 : cw) > w)
			break;
		if (cw < 0)
			put_bytes(dst, cap, pos, "?", 1);
		else
			put_bytes(dst, cap, pos, (const char *)p, (size_t)n);
		used += cw < 0 ? 1 : cw;
		p += n;
	}
	if (left || tw > w)
		put_spaces(dst, cap, pos, w - used);
}

int tui_col_width(int field)
{
	int tw = (int)strlen(fields[field].title) + 1;

	if (field == F_CMD)
		return 0;
	return fields[field].width > tw ? fields[field].width : tw;
}

const char *tui_col_title(int field, bool threads)
{
	if (threads && field == F_PID)
		return "TID";
	return fields[field].title;
}

/* The text of one cell, without alignment. */
static void cell_text(char *buf, size_t len, const struct row *r, int f, const struct tui_fmt *o)
{
	size_t n;

	if (fields[f].type == FT_NUM) {
		tui_fmt_value(buf, len, r->v[f], fields[f].unit, o);
		return;
	}
	/* A thread shows its own name where its process shows the command line. */
	if (f == F_CMD && (r->flags & ROW_THREAD) && r->pid != r->tgid)
		snprintf(buf, len, "%s", r->comm);
	else
		fmt_field(buf, len, r, f, o->raw);
	n = strlen(buf);
	if ((f == F_CMD || f == F_COMM) && (r->flags & ROW_EXITED) && n + 10 < len)
		strcpy(buf + n, " <exited>");
}

/* The column that carries the tree drawing: the command, or else the name. */
static int tree_column(const struct tui_col *cols, int ncols)
{
	int comm = -1;

	for (int c = 0; c < ncols; c++) {
		if (cols[c].field == F_CMD)
			return c;
		if (cols[c].field == F_COMM && comm < 0)
			comm = c;
	}
	return comm;
}

void tui_layout(char *buf, size_t len, const struct field_desc *table, const struct tui_col *cols,
		int ncols, int width, const struct tui_fmt *o, struct tui_span *spans,
		void (*text)(char *out, size_t outlen, int c, void *ctx), void *ctx)
{
	size_t pos = 0;
	int x = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (int c = 0; c < ncols; c++) {
		char cell[4096];
		bool last = c + 1 == ncols, left = (table[cols[c].field].flags & FIELD_LEFT) != 0;
		/* Text at the end takes the rest of the line; a number keeps its width. */
		int w = (last && left) || !cols[c].width ? width - x : cols[c].width;

		/* Text may be cut; a cut number would read as another number, so it is left out. */
		if (w > width - x)
			w = left ? width - x : 0;
		if (w < 0)
			w = 0;
		if (spans) {
			spans[c].x = x;
			spans[c].w = w;
		}
		if (!w)
			continue;
		text(cell, sizeof(cell), c, ctx);
		tui_put_fit(buf, len, &pos, cell, w, left, o->utf8);
		x += w;
		if (!last && x < width) {
			put_spaces(buf, len, &pos, 1);
			x++;
		}
	}
	put_spaces(buf, len, &pos, width - x);
}

struct row_ctx {
	const struct row *r;
	const struct tui_col *cols;
	int ncols;
	int tree_col;
	const char *prefix;
	const struct tui_fmt *o;
};

static void row_cell(char *out, size_t outlen, int c, void *arg)
{
	const struct row_ctx *x = arg;
	size_t n = 0;

	out[0] = '\0';
	if (c == x->tree_col && x->prefix) {
		snprintf(out, outlen, "%s", x->prefix);
		n = strlen(out);
	}
	cell_text(out + n, outlen - n, x->r, x->cols[c].field, x->o);
	if (c + 1 == x->ncols && x->o->hscroll > 0) {
		const char *rest = tui_skip_cols(out, x->o->hscroll, x->o->utf8);

		memmove(out, rest, strlen(rest) + 1);
	}
}

void tui_format_row(char *buf, size_t len, const struct row *r, const struct tui_col *cols,
		    int ncols, int width, const char *prefix, const struct tui_fmt *o,
		    struct tui_span *spans)
{
	struct row_ctx ctx = {r, cols, ncols, tree_column(cols, ncols), prefix, o};

	tui_layout(buf, len, fields, cols, ncols, width, o, spans, row_cell, &ctx);
}

struct title_ctx {
	const struct field_desc *table;
	const struct tui_col *cols;
	int ncols;
	int sort_field;
	bool desc;
	bool threads;
	const struct tui_fmt *o;
};

static void title_cell(char *out, size_t outlen, int c, void *arg)
{
	const struct title_ctx *x = arg;
	int f = x->cols[c].field;
	const char *t = x->table == fields ? tui_col_title(f, x->threads) : x->table[f].title;
	const char *arrow = x->o->utf8 ? (x->desc ? "\u25bc" : "\u25b2") : (x->desc ? "v" : "^");

	if (c + 1 == x->ncols && x->o->hscroll > 0)
		snprintf(out, outlen, "%s [+%d]", t, x->o->hscroll);
	else if (f != x->sort_field)
		snprintf(out, outlen, "%s", t);
	else if (x->table[f].flags & FIELD_LEFT)
		snprintf(out, outlen, "%s%s", t, arrow);
	else
		snprintf(out, outlen, "%s%s", arrow, t);
}

void tui_format_titles_of(char *buf, size_t len, const struct field_desc *table,
			  const struct tui_col *cols, int ncols, int width, int sort_field,
			  bool desc, bool threads, const struct tui_fmt *o, struct tui_span *spans)
{
	struct title_ctx ctx = {table, cols, ncols, sort_field, desc, threads, o};

	tui_layout(buf, len, table, cols, ncols, width, o, spans, title_cell, &ctx);
}

void tui_format_titles(char *buf, size_t len, const struct tui_col *cols, int ncols, int width,
		       int sort_field, bool desc, bool threads, const struct tui_fmt *o,
		       struct tui_span *spans)
{
	tui_format_titles_of(buf, len, fields, cols, ncols, width, sort_field, desc, threads, o,
			     spans);
}

void tui_tree_prefix(char *buf, size_t len, int depth, uint64_t more, bool last, bool folded,
		     bool utf8)
{
	const char *bar = utf8 ? "\u2502  " : "|  ";
	const char *mid = utf8 ? (folded ? "\u251c+ " : "\u251c\u2500 ") : (folded ? "|+ " : "|- ");
	const char *end = utf8 ? (folded ? "\u2514+ " : "\u2514\u2500 ") : (folded ? "`+ " : "`- ");
	size_t pos = 0;

	if (!len)
		return;
	buf[0] = '\0';
	if (depth <= 0) {
		if (folded)
			put_bytes(buf, len, &pos, "+ ", 2);
		return;
	}
	for (int i = 1; i < depth; i++) {
		const char *s = i < 64 && (more & (1ULL << i)) ? bar : "   ";

		put_bytes(buf, len, &pos, s, strlen(s));
	}
	put_bytes(buf, len, &pos, last ? end : mid, strlen(last ? end : mid));
}

double tui_graph_max(const float *v, int n, double floor)
{
	double m = floor;

	for (int i = 0; i < n; i++) {
		if (!isnan(v[i]) && v[i] > m)
			m = v[i];
	}
	return m;
}

/* How many of steps levels a value fills: 0 only for zero, NaN or negative. */
static int level(float v, double max, int steps)
{
	int l;

	if (isnan(v) || v <= 0 || max <= 0)
		return 0;
	l = (int)ceil((double)v / max * steps);
	return l < 1 ? 1 : l > steps ? steps : l;
}

void tui_sparkline(char *buf, size_t len, const float *v, int n, int w, double max, bool utf8)
{
	static const char *const blocks[] = {" ",      "\u2581", "\u2582", "\u2583", "\u2584",
					     "\u2585", "\u2586", "\u2587", "\u2588"};
	static const char ascii[] = " .:-=+*#%";
	size_t pos = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (int c = 0; c < w; c++) {
		int i = n - w + c;
		int l = i < 0 ? 0 : level(v[i], max, 8);

		if (utf8)
			put_bytes(buf, len, &pos, blocks[l], strlen(blocks[l]));
		else
			put_bytes(buf, len, &pos, &ascii[l], 1);
	}
}

static void put_braille(char *buf, size_t len, size_t *pos, unsigned bits)
{
	unsigned cp = 0x2800 + bits;
	char u[3] = {(char)(0xe0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3f)),
		     (char)(0x80 | (cp & 0x3f))};

	if (!bits)
		put_bytes(buf, len, pos, " ", 1);
	else
		put_bytes(buf, len, pos, u, 3);
}

/* Braille dots filled from the bottom: left column 7,3,2,1; right column 8,6,5,4. */
static unsigned dots(int k, bool right)
{
	static const unsigned l[] = {0x00, 0x40, 0x44, 0x46, 0x47};
	static const unsigned r[] = {0x00, 0x80, 0xa0, 0xb0, 0xb8};

	k = k < 0 ? 0 : k > 4 ? 4 : k;
	return right ? r[k] : l[k];
}

void tui_braille(char *const *lines, size_t len, int rows, int w, const float *v, int n, double max,
		 bool utf8)
{
	int per = utf8 ? 2 : 1, height = rows * (utf8 ? 4 : 2);

	for (int r = 0; r < rows; r++) {
		int below = (rows - 1 - r) * (utf8 ? 4 : 2); /* dots under this text row */
		size_t pos = 0;

		if (!len)
			continue;
		lines[r][0] = '\0';
		for (int c = 0; c < w; c++) {
			int i = n - (w - c) * per;

			if (utf8) {
				int a = i >= 0 ? level(v[i], max, height) : 0;
				int b = i + 1 >= 0 ? level(v[i + 1], max, height) : 0;

				put_braille(lines[r], len, &pos,
					    dots(a - below, false) | dots(b - below, true));
			} else {
				int a = i >= 0 ? level(v[i], max, height) - below : 0;

				put_bytes(lines[r], len, &pos,
					  a >= 2   ? "#"
					  : a == 1 ? "."
						   : " ",
					  1);
			}
		}
	}
}

void tui_thresholds_default(struct tui_thresholds *t)
{
	t->runq_field = field_lookup("runq");
	t->runq_hot = 20;
	t->lat_field = field_lookup("io_lat");
	t->lat_warn = 20e6;
	t->retx_field = field_lookup("retx");
}

enum tui_cls tui_cell_class(const struct row *r, int f, const struct tui_thresholds *t)
{
	double v;

	if (fields[f].type != FT_NUM)
		return CLS_NORMAL;
	v = r->v[f];
	if (isnan(v) || v == 0)
		return CLS_DIM;
	if (f == t->runq_field && v >= t->runq_hot)
		return CLS_HOT;
	if (f == t->lat_field && v >= t->lat_warn)
		return CLS_WARN;
	if (fields[f].unit == UNIT_BYTES_RATE && v >= 1048576)
		return CLS_BIG;
	if (fields[f].unit == UNIT_PERCENT && v >= 90)
		return CLS_BIG;
	return CLS_NORMAL;
}

enum tui_row_cls tui_row_class(const struct row *r, const struct tui_thresholds *t)
{
	if (r->flags & ROW_EXITED)
		return RCLS_EXITED;
	if (t->retx_field >= 0 && r->v[t->retx_field] > 0)
		return RCLS_RETX;
	if (r->flags & ROW_KTHREAD)
		return RCLS_KTHREAD;
	return RCLS_NORMAL;
}

void tui_fmt_duration(char *buf, size_t len, double s)
{
	long t = s > 0 ? (long)s : 0;

	if (t >= 86400)
		snprintf(buf, len, "%ldd %02ld:%02ld", t / 86400, t / 3600 % 24, t / 60 % 60);
	else if (t >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%02ld:%02ld", t / 60, t % 60);
}
