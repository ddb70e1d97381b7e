// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Prints a compiled filter as a canonical S-expression, for golden tests and debugging. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "filter_int.h"

/* Counts what it could not store, so filter_dump() can answer like snprintf. */
struct sbuf {
	char *buf;
	size_t len, pos;
};

static void put(struct sbuf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, b->pos++)
		if (b->pos + 1 < b->len)
			b->buf[b->pos] = s[i];
}

static void puts_(struct sbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void put_num(struct sbuf *b, double v)
{
	char tmp[40];

	/* Integers print whole; the rest with 15 digits, which never shows 0.1 as 0.1000...01. */
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(tmp, sizeof(tmp), "%.0f", v == 0 ? 0.0 : v);
	else
		snprintf(tmp, sizeof(tmp), "%.15g", v);
	puts_(b, tmp);
}

static void put_str(struct sbuf *b, const char *s)
{
	char tmp[8];

	put(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)c;
			put(b, tmp, 2);
		} else if (c == '\n') {
			put(b, "\\n", 2);
		} else if (c == '\t') {
			put(b, "\\t", 2);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
			puts_(b, tmp);
		} else {
			put(b, (const char *)&c, 1);
		}
	}
	put(b, "\"", 1);
}

static void put_value(struct sbuf *b, const struct fvalue *v)
{
	char tmp[64];

	switch (v->kind) {
	case FV_NUM:
		put_num(b, v->lo);
		break;
	case FV_RANGE:
		put_num(b, v->lo);
		puts_(b, "..");
		put_num(b, v->hi);
		break;
	case FV_STR:
		put_str(b, v->str);
		break;
	case FV_NET:
		puts_(b, flt_value_net_format(&v->net, tmp, sizeof(tmp)));
		break;
	}
}

static const char *const dump_ops[] = {
    [OP_EQ] = "=",  [OP_NE] = "!=", [OP_LT] = "<",   [OP_LE] = "<=", [OP_GT] = ">",
    [OP_GE] = ">=", [OP_RE] = "~",  [OP_NRE] = "!~", [OP_IN] = "in", [OP_NIN] = "not-in",
};

static void dump(struct sbuf *b, const struct fnode *n)
{
	static const char *const kinds[] = {
	    [FN_AND] = "and",
	    [FN_OR] = "or",
	    [FN_NOT] = "not",
	    [FN_ANYCONN] = "any-conn",
	};
	const struct fnode *k;
	const struct fvalue *v;

	put(b, "(", 1);
	if (n->kind == FN_CMP) {
		puts_(b, dump_ops[n->op]);
		put(b, " ", 1);
		puts_(b, n->name);
		for (v = n->vals; v; v = v->next) {
			put(b, " ", 1);
			put_value(b, v);
		}
	} else {
		puts_(b, kinds[n->kind]);
		for (k = n->kids; k; k = k->next) {
			put(b, " ", 1);
			dump(b, k);
		}
	}
	put(b, ")", 1);
}

int filter_dump(const struct filter *f, char *buf, size_t len)
{
	struct sbuf b = {.buf = buf, .len = len};

	if (!f || (!buf && len))
		return -1;
	dump(&b, f->root);
	if (len)
		buf[b.pos < len ? b.pos : len - 1] = '\0';
	return (int)b.pos;
}
