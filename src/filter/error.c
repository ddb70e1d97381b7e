// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Error messages: quoting what was found, suggesting field names, pointing at the column. */
#include <stdio.h>
#include <string.h>

#include "filter_int.h"

/* Names longer than this get no suggestion: it bounds the distance table. */
#define SUGGEST_MAX 64
/* Expressions longer than this are shown as a window around the error. */
#define SHOW_MAX    100
#define SHOW_BEFORE 40

void flt_error_set(struct filter_error *err, int column, const char *fmt, ...)
{
	va_list ap;

	err->column = column;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

static bool is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

static const char *quote(const char *s, size_t n, char open, char close, char *buf, size_t len)
{
	char tmp[QUOTE_BUF];
	size_t o = 0, i, cut = n > QUOTE_MAX ? QUOTE_MAX : n;

	/* Cutting inside a UTF-8 sequence would print a broken character. */
	while (cut < n && cut > 0 && is_cont((unsigned char)s[cut]))
		cut--;
	if (open)
		tmp[o++] = open;
	for (i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(tmp + o, sizeof(tmp) - o, "\\x%02x", c);
		} else {
			tmp[o++] = (char)c;
		}
	}
	if (cut < n) {
		memcpy(tmp + o, "...", 3);
		o += 3;
	}
	if (close)
		tmp[o++] = close;
	tmp[o] = '\0';
	snprintf(buf, len, "%s", tmp);
	return buf;
}

const char *flt_error_quote(const char *s, size_t n, char *buf, size_t len)
{
	return quote(s, n, '\'', '\'', buf, len);
}

const char *flt_error_token(const struct token *t, char *buf, size_t len)
{
	if (t->kind == TOK_END) {
		snprintf(buf, len, "end of input");
		return buf;
	}
	/* A string shows its own quotes. */
	if (t->kind == TOK_STRING)
		return quote(t->s, t->len, 0, 0, buf, len);
	return quote(t->s, t->len, '\'', '\'', buf, len);
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int flt_ascii_casecmp_n(const char *a, size_t n, const char *b)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!b[i] || lower(a[i]) != lower(b[i]))
			return 1;
	}
	return b[n] != '\0';
}

/* Optimal string alignment distance: a swap of two letters ("nmae") costs 1. */
TESTABLE size_t flt_edit_distance(const char *a, size_t na, const char *b, size_t nb)
{
	size_t rows[3][SUGGEST_MAX + 1], *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *t;
	size_t i, j, best;

	if (na > SUGGEST_MAX || nb > SUGGEST_MAX)
		return (size_t)-1;
	for (j = 0; j <= nb; j++)
		prev[j] = j;
	for (i = 1; i <= na; i++) {
		cur[0] = i;
		for (j = 1; j <= nb; j++) {
			size_t cost = lower(a[i - 1]) != lower(b[j - 1]);

			best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (prev[j - 1] + cost < best)
				best = prev[j - 1] + cost;
			if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
			    lower(a[i - 2]) == lower(b[j - 1]) && prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[nb];
}

const char *flt_error_suggest(const char *name, size_t n, const struct filter_schema *s)
{
	size_t i, d, best = (size_t)-1, limit = n <= 4 ? 1 : 2;
	const char *pick = NULL;

	/* "lport" for "conn.lport": the prefix is what people forget. */
	for (i = 0; i < s->nfields; i++) {
		const char *f = s->fields[i].name;

		if (f && !strncmp(f, "conn.", 5) && !flt_ascii_casecmp_n(name, n, f + 5))
			return f;
	}
	for (i = 0; i < s->nfields; i++) {
		const char *f = s->fields[i].name;

		if (!f)
			continue;
		d = flt_edit_distance(name, n, f, strlen(f));
		if (d < best) {
			best = d;
			pick = f;
		}
	}
	return best <= limit && best < n ? pick : NULL;
}

/* Copies s[0..n) for display: one byte per byte, so the caret stays aligned. */
static void put_shown(char *out, size_t *o, size_t cap, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, (*o)++) {
		unsigned char c = (unsigned char)s[i];

		if (*o + 1 >= cap)
			continue;
		if (c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
			c = ' ';
		else if (c < 0x20 || c == 0x7f)
			c = '?';
		out[*o] = (char)c;
	}
}

static void put_str(char *out, size_t *o, size_t cap, const char *s)
{
	for (; *s; s++, (*o)++)
		if (*o + 1 < cap)
			out[*o] = *s;
}

int filter_error_format(const char *expr, const struct filter_error *e, char *buf, size_t len)
{
	size_t o = 0, n, col, start = 0, end, i, cells;
	char line[sizeof(e->msg) + 40];

	if ((!buf && len) || !e)
		return -1;
	if (e->column >= 0)
		snprintf(line, sizeof(line), "error at column %d: %s", e->column, e->msg);
	else
		snprintf(line, sizeof(line), "error: %s", e->msg);
	put_str(buf, &o, len, line);
	if (!expr)
		goto out;
	col = e->column >= 0 ? (size_t)e->column : 0;
	/* The expression may be huge (it was refused for its length): look near col only. */
	n = strnlen(expr, col + SHOW_MAX);
	if (col > n)
		col = n;
	end = n;
	if (n > SHOW_MAX) {
		start = col > SHOW_BEFORE ? col - SHOW_BEFORE : 0;
		end = start + SHOW_MAX - 20 < n ? start + SHOW_MAX - 20 : n;
		while (start < col && is_cont((unsigned char)expr[start]))
			start++;
		while (end > col && end < n && is_cont((unsigned char)expr[end]))
			end--;
	}
	put_str(buf, &o, len, "\n");
	if (start > 0)
		put_str(buf, &o, len, "...");
	put_shown(buf, &o, len, expr + start, end - start);
	if (end < n)
		put_str(buf, &o, len, "...");
	if (e->column < 0)
		goto out;
	put_str(buf, &o, len, "\n");
	/* One cell per character: UTF-8 continuation bytes take none. */
	cells = start > 0 ? 3 : 0;
	for (i = start; i < col; i++)
		cells += !is_cont((unsigned char)expr[i]);
	for (i = 0; i < cells; i++)
		put_str(buf, &o, len, " ");
	put_str(buf, &o, len, "^");
out:
	if (len)
		buf[o < len ? o : len - 1] = '\0';
	return (int)o;
}
