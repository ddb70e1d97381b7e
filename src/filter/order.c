// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Puts the cheapest operands of every 'and'/'or' first, so that short-circuits save the most. */
#include "filter_int.h"

/*
 * Kleene's 'and' and 'or' are commutative and comparisons have no side
 * effects, so the order of operands changes the cost, never the result. A
 * rough price per row is enough: a number costs less than a string, a string
 * less than a regex, and a connection group costs per connection.
 */
static unsigned long cost(struct fnode *n)
{
	const struct fvalue *v;
	unsigned long c = 0;
	struct fnode *k;

	switch (n->kind) {
	case FN_CMP:
		for (v = n->vals; v; v = v->next)
			c++;
		if (n->op == OP_RE || n->op == OP_NRE)
			return 16;
		return c + (n->type == FILTER_STR ? 2 : 0);
	case FN_NOT:
		return cost(n->kids);
	case FN_ANYCONN:
		return 8 * cost(n->kids);
	default:
		for (k = n->kids; k; k = k->next)
			c += k->cost;
		return c;
	}
}

/* Computes n->cost bottom-up and sorts every list of operands by it, stably. */
static void order(struct fnode *n)
{
	struct fnode *k, *next, *sorted = NULL, **p;

	for (k = n->kids; k; k = k->next)
		order(k);
	if (n->kind == FN_AND || n->kind == FN_OR) {
		/* Insertion sort: lists are short, and it keeps equal costs in the user's order. */
		for (k = n->kids; k; k = next) {
			next = k->next;
			for (p = &sorted; *p && (*p)->cost <= k->cost; p = &(*p)->next)
				;
			k->next = *p;
			*p = k;
		}
		n->kids = sorted;
	}
	n->cost = cost(n);
}

void flt_order_operands(struct filter *f)
{
	order(f->root);
}
