// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The lines of the process table: filtered, sorted, optionally as a tree; pure. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "tui/list.h"

int tui_key_cmp(const void *pa, const void *pb)
{
	const struct tui_key *a = pa, *b = pb;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->start_ns != b->start_ns)
		return a->start_ns < b->start_ns ? -1 : 1;
	return 0;
}

bool tui_match_substr(const struct row *r, void *text)
{
	const char *t = text, *cmd = row_str(r, F_CMD);

	if (!t || !*t)
		return true;
	return (cmd && strcasestr(cmd, t)) || strcasestr(r->comm, t);
}

static bool wanted(const struct row *r, const struct tui_list_opts *o)
{
	if (o->hide_kthreads && (r->flags & ROW_KTHREAD))
		return false;
	if (o->npids) {
		size_t i;

		for (i = 0; i < o->npids && o->pids[i] != r->tgid; i++)
			;
		if (i == o->npids)
			return false;
	}
	return !o->match || o->match(r, o->match_ctx);
}

static bool is_folded(const struct tui_list_opts *o, const struct row *r)
{
	struct tui_key k = tui_key_of(r);

	return o->nfolded && bsearch(&k, o->folded, o->nfolded, sizeof(k), tui_key_cmp);
}

/*
 * The parent among the selected rows (sorted by pid, start): a live row with
 * pid == ppid that started no later than the child, so a reused pid is never
 * taken for the parent. -1 for roots.
 */
static long parent_of(const struct row *const *sel, size_t n, const struct row *c)
{
	size_t lo = 0, hi = n;
	long best = -1;

	if (c->ppid == 0 || c->ppid == c->pid)
		return -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sel[mid]->pid < c->ppid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && sel[lo]->pid == c->ppid; lo++) {
		if (sel[lo]->start_ns > c->start_ns)
			continue;
		best = (long)lo;
		if (!(sel[lo]->flags & ROW_EXITED))
			break;
	}
	return best;
}

struct tree {
	const struct tui_list_opts *o;
	const struct row **sel; /* selected rows in snapshot (pid, start) order */
	long *first;		/* children of i: kids[first[i] .. first[i + 1]) in sort order */
	long *kids;
	bool *seen;
	long *hide; /* a work stack for hide_subtree() */
	struct tui_line *out;
	long nout;
};

struct frame {
	long node;
	long next; /* next position in kids[] */
	uint64_t more;
	uint16_t depth;
	bool last;
};

static void emit(struct tree *t, long node, const struct frame *f)
{
	struct tui_line *l = &t->out[t->nout++];

	t->seen[node] = true;
	l->r = t->sel[node];
	l->depth = f->depth;
	l->more = f->more;
	l->last = f->last;
	l->parent = t->first[node + 1] > t->first[node];
	l->folded = l->parent && is_folded(t->o, t->sel[node]);
}

/* A folded node's descendants are not shown; marking them keeps them from turning into roots. */
static void hide_subtree(struct tree *t, long node)
{
	long sp = 0;

	t->hide[sp++] = node;
	while (sp > 0) {
		long n = t->hide[--sp];

		for (long k = t->first[n]; k < t->first[n + 1]; k++) {
			if (!t->seen[t->kids[k]]) {
				t->seen[t->kids[k]] = true;
				t->hide[sp++] = t->kids[k];
			}
		}
	}
}

/* Depth-first from root with an explicit stack, so a deep chain cannot overflow ours. */
static void walk(struct tree *t, long root, struct frame *stack)
{
	long sp = 0;

	stack[0] = (struct frame){.node = root, .next = t->first[root], .last = true};
	emit(t, root, &stack[0]);
	if (t->out[t->nout - 1].folded) {
		hide_subtree(t, root);
		stack[0].next = t->first[root + 1];
	}
	while (sp >= 0) {
		struct frame *f = &stack[sp], *c;
		long end = t->first[f->node + 1], child;

		if (f->next >= end) {
			sp--;
			continue;
		}
		child = t->kids[f->next++];
		if (t->seen[child])
			continue;
		c = &stack[++sp];
		c->node = child;
		c->next = t->first[child];
		c->depth = f->depth < 0xfffe ? f->depth + 1 : f->depth;
		c->last = f->next >= end;
		/* Below a parent that has later siblings, its vertical bar continues. */
		c->more = f->more;
		if (f->depth >= 1 && f->depth < 64 && !f->last)
			c->more |= 1ULL << f->depth;
		emit(t, child, c);
		if (t->out[t->nout - 1].folded) {
			hide_subtree(t, child);
			c->next = t->first[child + 1];
		}
	}
}

/* sel: the selected rows in snapshot order, all pointing into rows[0..nrows). */
static long build_tree(const struct row *rows, size_t nrows, const struct row **sel,
		       const struct row **ord, size_t n, const struct tui_list_opts *o,
		       struct tui_line *out)
{
	struct tree t = {.o = o, .sel = sel, .out = out};
	long *idx = malloc((nrows ? nrows : 1) * sizeof(*idx));
	long *parent = calloc(n ? n : 1, sizeof(*parent));
	long *pos = calloc(n + 1, sizeof(*pos));
	struct frame *stack = calloc(n + 1, sizeof(*stack));
	long rc = -ENOMEM;

	t.first = calloc(n + 2, sizeof(*t.first));
	t.kids = calloc(n ? n : 1, sizeof(*t.kids));
	t.seen = calloc(n ? n : 1, sizeof(*t.seen));
	t.hide = calloc(n ? n : 1, sizeof(*t.hide));
	if (!idx || !parent || !pos || !stack || !t.first || !t.kids || !t.seen || !t.hide)
		goto out;
	for (size_t i = 0; i < n; i++) {
		idx[sel[i] - rows] = (long)i;
		parent[i] = parent_of(sel, n, sel[i]);
		if (parent[i] >= 0)
			t.first[parent[i] + 1]++;
	}
	/* Children lists in sort order: counts, prefix sums, then a fill walking ord. */
	for (size_t i = 0; i < n; i++)
		t.first[i + 1] += t.first[i];
	t.first[n + 1] = t.first[n];
	memcpy(pos, t.first, (n + 1) * sizeof(*pos));
	for (size_t k = 0; k < n; k++) {
		long i = idx[ord[k] - rows];

		if (parent[i] >= 0)
			t.kids[pos[parent[i]]++] = i;
	}
	for (size_t k = 0; k < n; k++) {
		long i = idx[ord[k] - rows];

		if (parent[i] < 0)
			walk(&t, i, stack);
	}
	/* Rows on a parent cycle (never from a sane kernel) still show, as roots. */
	for (size_t k = 0; k < n; k++) {
		long i = idx[ord[k] - rows];

		if (!t.seen[i])
			walk(&t, i, stack);
	}
	rc = t.nout;
out:
	free(idx);
	free(parent);
	free(pos);
	free(stack);
	free(t.first);
	free(t.kids);
	free(t.seen);
	free(t.hide);
	return rc;
}

/* Like the model's order (unavailable last, ties by pid), with a second key before the pid. */
static int cmp_field(const struct row *a, const struct row *b, int f, bool desc)
{
	int c;

	if (fields[f].type == FT_STR) {
		const char *x = row_str(a, f), *y = row_str(b, f);

		c = strcmp(x ? x : "", y ? y : "");
	} else {
		double x = a->v[f], y = b->v[f];

		if (isnan(x) || isnan(y))
			return isnan(x) - isnan(y);
		c = x < y ? -1 : x > y ? 1 : 0;
	}
	return desc ? -c : c;
}

static int cmp_rows(const void *pa, const void *pb, void *arg)
{
	const struct tui_list_opts *o = arg;
	const struct row *a = *(const struct row *const *)pa, *b = *(const struct row *const *)pb;
	struct tui_key ka = tui_key_of(a), kb = tui_key_of(b);
	int c = cmp_field(a, b, o->sort_field, o->desc);

	if (!c && o->then_field > 0 && o->then_field != o->sort_field)
		c = cmp_field(a, b, o->then_field, true);
	return c ? c : tui_key_cmp(&ka, &kb);
}

long tui_list_build(const struct snapshot *s, const struct tui_list_opts *o, struct tui_line **out)
{
	const struct row *rows = o->threads ? s->threads : s->procs;
	size_t n = o->threads ? s->nthreads : s->nprocs, k = 0;
	const struct row **sel = calloc(n ? n : 1, sizeof(*sel));
	const struct row **ord = calloc(n ? n : 1, sizeof(*ord));
	struct tui_line *lines = calloc(n ? n : 1, sizeof(*lines));
	long rc = -ENOMEM;

	*out = NULL;
	if (!sel || !ord || !lines)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (wanted(&rows[i], o))
			sel[k++] = &rows[i];
	}
	memcpy(ord, sel, k * sizeof(*ord));
	qsort_r(ord, k, sizeof(*ord), cmp_rows, (void *)o);
	if (o->tree && !o->threads) {
		rc = build_tree(rows, n, sel, ord, k, o, lines);
		if (rc < 0)
			goto fail;
	} else {
		for (size_t i = 0; i < k; i++)
			lines[i] = (struct tui_line){.r = ord[i], .last = true};
		rc = (long)k;
	}
	free(sel);
	free(ord);
	*out = lines;
	return rc;
fail:
	free(sel);
	free(ord);
	free(lines);
	return rc;
}

long tui_list_find_key(const struct tui_line *l, long n, struct tui_key key)
{
	for (long i = 0; i < n; i++) {
		if (l[i].r->pid == key.pid && l[i].r->start_ns == key.start_ns)
			return i;
	}
	return -1;
}

long tui_list_search(const struct tui_line *l, long n, long from, const char *text, bool back)
{
	for (long k = 0; k < n; k++) {
		long i = back ? ((from - k) % n + n) % n : (from + k) % n;

		if (tui_match_substr(l[i].r, (void *)text))
			return i;
	}
	return -1;
}
