// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Decides which connection clauses must hold for the same connection of a process. */
#include "filter_int.h"

/*
 * Connection comparisons joined by 'and'/'or' (at any parenthesis depth) form
 * one group, which holds for a process when ONE of its connections makes the
 * whole group true: "conn.lport = 1 and conn.rport = 2" asks for a single
 * connection with both ports. In a mixed chain ("name = java and conn.lport =
 * 1 and conn.rport = 2") the connection operands are gathered into one group.
 * 'not' ends a group: "not conn.rport = 22" is "no connection has remote port
 * 22", while "conn.rport != 22" is "some connection has another remote port".
 */
static bool conn_only(const struct fnode *n)
{
	const struct fnode *k;

	if (n->kind == FN_CMP)
		return n->flags & FILTER_F_CONN;
	if (n->kind != FN_AND && n->kind != FN_OR)
		return false;
	for (k = n->kids; k; k = k->next)
		if (!conn_only(k))
			return false;
	return true;
}

static struct fnode *wrap(struct filter *f, enum fnode_kind kind, struct fnode *kids)
{
	struct fnode *n = flt_arena_alloc(&f->arena, sizeof(*n));

	if (n) {
		n->kind = kind;
		n->kids = kids;
	}
	return n;
}

/* Rewrites the subtree at *slot, which is evaluated against a process. */
static int group(struct filter *f, struct fnode **slot)
{
	struct fnode *n = *slot, *k, *next, *conns = NULL, **ctail = &conns, **ptail, *g, *any;

	if (conn_only(n)) {
		any = wrap(f, FN_ANYCONN, n);
		if (!any)
			return -1;
		any->next = n->next;
		n->next = NULL;
		*slot = any;
		return 0;
	}
	if (n->kind == FN_NOT)
		return group(f, &n->kids);
	if (n->kind != FN_AND && n->kind != FN_OR)
		return 0;
	/* Keep the process operands in place, move the connection ones out. */
	for (ptail = &n->kids, k = n->kids; k; k = next) {
		next = k->next;
		if (conn_only(k)) {
			k->next = NULL;
			*ctail = k;
			ctail = &k->next;
			*ptail = next;
		} else {
			if (group(f, ptail) < 0)
				return -1;
			ptail = &(*ptail)->next;
		}
	}
	if (!conns)
		return 0;
	g = conns->next ? wrap(f, n->kind, conns) : conns;
	any = g ? wrap(f, FN_ANYCONN, g) : NULL;
	if (!any)
		return -1;
	*ptail = any;
	return 0;
}

int flt_group_conns(struct filter *f)
{
	return group(f, &f->root);
}
