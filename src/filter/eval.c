// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Evaluates a compiled filter on a process or a connection, in three-valued logic. */
#include <math.h>
#include <string.h>

#include "filter_int.h"

/*
 * A comparison on an unavailable value is neither true nor false but
 * unknown, as NULL is in SQL: 'and', 'or' and 'not' follow Kleene's logic and
 * a row matches only if the whole filter is true. So "x != 1" and
 * "not x = 1" agree, and neither matches a row without x.
 */
enum tv { TV_FALSE, TV_TRUE, TV_UNKNOWN };

struct ctx {
	const struct filter_ops *ops;
	const void *proc;
	const void *conn;
	bool conn_view; /* matching one connection: FN_ANYCONN looks at it alone */
};

static enum tv tv_of(bool b)
{
	return b ? TV_TRUE : TV_FALSE;
}

static bool num_in(const struct fvalue *v, double x)
{
	for (; v; v = v->next)
		if (v->kind == FV_RANGE ? (x >= v->lo && x <= v->hi) : x == v->lo)
			return true;
	return false;
}

static enum tv cmp_num(const struct ctx *c, const struct fnode *n, const void *row)
{
	double x, y = n->vals->lo;

	if (!c->ops->num || !c->ops->num(row, n->id, &x) || isnan(x))
		return TV_UNKNOWN;
	switch (n->op) {
	case OP_EQ:
		return tv_of(x == y);
	case OP_NE:
		return tv_of(x != y);
	case OP_LT:
		return tv_of(x < y);
	case OP_LE:
		return tv_of(x <= y);
	case OP_GT:
		return tv_of(x > y);
	case OP_GE:
		return tv_of(x >= y);
	case OP_IN:
		return tv_of(num_in(n->vals, x));
	case OP_NIN:
		return tv_of(!num_in(n->vals, x));
	default:
		return TV_UNKNOWN;
	}
}

static bool str_in(const struct fvalue *v, const char *s)
{
	for (; v; v = v->next)
		if (!strcmp(s, v->str))
			return true;
	return false;
}

static enum tv cmp_str(const struct ctx *c, const struct fnode *n, const void *row)
{
	const char *s = c->ops->str ? c->ops->str(row, n->id) : NULL;

	if (!s)
		return TV_UNKNOWN;
	switch (n->op) {
	case OP_EQ:
		return tv_of(!strcmp(s, n->vals->str));
	case OP_NE:
		return tv_of(strcmp(s, n->vals->str) != 0);
	case OP_RE:
		return tv_of(!regexec(n->re, s, 0, NULL, 0));
	case OP_NRE:
		return tv_of(regexec(n->re, s, 0, NULL, 0) != 0);
	case OP_IN:
		return tv_of(str_in(n->vals, s));
	case OP_NIN:
		return tv_of(!str_in(n->vals, s));
	default:
		return TV_UNKNOWN;
	}
}

static bool net_in(const struct fvalue *v, const struct fnet *a)
{
	for (; v; v = v->next)
		if (flt_value_net_contains(&v->net, a))
			return true;
	return false;
}

static enum tv cmp_addr(const struct ctx *c, const struct fnode *n, const void *row)
{
	struct filter_addr fa;
	struct fnet a;

	if (!c->ops->addr || !c->ops->addr(row, n->id, &fa) || !flt_value_addr_to_net(&fa, &a))
		return TV_UNKNOWN;
	switch (n->op) {
	case OP_EQ:
	case OP_IN:
		return tv_of(net_in(n->vals, &a));
	case OP_NE:
	case OP_NIN:
		return tv_of(!net_in(n->vals, &a));
	default:
		return TV_UNKNOWN;
	}
}

static enum tv cmp(const struct ctx *c, const struct fnode *n)
{
	const void *row = n->flags & FILTER_F_CONN ? c->conn : c->proc;

	if (!row)
		return TV_UNKNOWN;
	switch (n->type) {
	case FILTER_NUM:
		return cmp_num(c, n, row);
	case FILTER_STR:
		return cmp_str(c, n, row);
	default:
		return cmp_addr(c, n, row);
	}
}

static enum tv eval(const struct ctx *c, const struct fnode *n);

/* Kleene: 'and' is false if one operand is, 'or' true if one is; else unknown wins. */
static enum tv eval_chain(const struct ctx *c, const struct fnode *n, enum tv stop)
{
	enum tv r = stop == TV_FALSE ? TV_TRUE : TV_FALSE, x;
	const struct fnode *k;

	for (k = n->kids; k; k = k->next) {
		x = eval(c, k);
		if (x == stop)
			return stop;
		if (x == TV_UNKNOWN)
			r = TV_UNKNOWN;
	}
	return r;
}

static enum tv eval_anyconn(const struct ctx *c, const struct fnode *n)
{
	const struct filter_ops *ops = c->ops;
	size_t i, nc;
	struct ctx sub = *c;
	enum tv r = TV_FALSE, x;

	if (c->conn_view)
		return eval(c, n->kids);
	nc = ops->nconns && c->proc ? ops->nconns(c->proc) : 0;
	for (i = 0; i < nc; i++) {
		sub.conn = ops->conn ? ops->conn(c->proc, i) : NULL;
		x = eval(&sub, n->kids);
		if (x == TV_TRUE)
			return TV_TRUE;
		if (x == TV_UNKNOWN)
			r = TV_UNKNOWN;
	}
	return r;
}

static enum tv eval(const struct ctx *c, const struct fnode *n)
{
	enum tv x;

	switch (n->kind) {
	case FN_AND:
		return eval_chain(c, n, TV_FALSE);
	case FN_OR:
		return eval_chain(c, n, TV_TRUE);
	case FN_NOT:
		x = eval(c, n->kids);
		return x == TV_UNKNOWN ? TV_UNKNOWN : tv_of(x == TV_FALSE);
	case FN_ANYCONN:
		return eval_anyconn(c, n);
	default:
		return cmp(c, n);
	}
}

/* Reading through NULL ops gives "unavailable" everywhere instead of a crash. */
static const struct filter_ops no_ops;

bool filter_match_proc(const struct filter *f, const struct filter_ops *ops, const void *proc)
{
	struct ctx c = {.ops = ops ? ops : &no_ops, .proc = proc};

	if (!f)
		return true;
	return eval(&c, f->root) == TV_TRUE;
}

bool filter_match_conn(const struct filter *f, const struct filter_ops *ops, const void *conn)
{
	struct ctx c = {.ops = ops ? ops : &no_ops, .conn = conn, .conn_view = true};

	if (!f)
		return true;
	if (f->uses_proc && conn && c.ops->conn_owner)
		c.proc = c.ops->conn_owner(conn);
	return eval(&c, f->root) == TV_TRUE;
}
