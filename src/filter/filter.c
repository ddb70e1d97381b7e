// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A filter's lifecycle: compile, free, and what a compiled filter reads. */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "filter_int.h"

/*
 * Nodes live in an arena so that every error path in the parser can just
 * return: filter_free() releases a half-built filter as well as a finished one.
 */
struct arena_chunk {
	struct arena_chunk *next;
	size_t size, used;
	alignas(max_align_t) unsigned char data[];
};

#define ARENA_CHUNK 4096

void *flt_arena_alloc(struct arena *a, size_t size)
{
	const size_t align = alignof(max_align_t);
	struct arena_chunk *c = a->head;
	void *p;

	size = (size + align - 1) & ~(align - 1);
	if (!c || c->size - c->used < size) {
		size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->size = cap;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

char *flt_arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = flt_arena_alloc(a, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void flt_arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head, *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

void filter_free(struct filter *f)
{
	struct fnode *n;

	if (!f)
		return;
	for (n = f->regexes; n; n = n->next_re)
		regfree(n->re);
	flt_arena_free(&f->arena);
	free(f);
}

static void scan_uses(struct filter *f, const struct fnode *n)
{
	const struct fnode *k;

	if (n->kind == FN_CMP) {
		if (n->flags & FILTER_F_CONN)
			f->uses_conns = true;
		else
			f->uses_proc = true;
		return;
	}
	for (k = n->kids; k; k = k->next)
		scan_uses(f, k);
}

struct filter *filter_compile(const char *expr, const struct filter_schema *s,
			      struct filter_error *err)
{
	struct filter_error dummy;
	struct filter *f;
	size_t len;

	if (!err)
		err = &dummy;
	err->column = FILTER_NO_COLUMN;
	err->msg[0] = '\0';
	if (!expr || !s) {
		flt_error_set(err, FILTER_NO_COLUMN, "no expression or no schema");
		return NULL;
	}
	len = strnlen(expr, FILTER_MAX_LEN + 1);
	if (len > FILTER_MAX_LEN) {
		flt_error_set(err, FILTER_MAX_LEN, "expression too long (more than %d bytes)",
			      FILTER_MAX_LEN);
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		flt_error_set(err, FILTER_NO_COLUMN, "out of memory");
		return NULL;
	}
	if (flt_parse_expr(f, expr, len, s, err) < 0)
		goto fail;
	if (flt_group_conns(f) < 0) {
		flt_error_set(err, FILTER_NO_COLUMN, "out of memory");
		goto fail;
	}
	flt_order_operands(f);
	scan_uses(f, f->root);
	return f;
fail:
	filter_free(f);
	return NULL;
}

bool filter_uses_conns(const struct filter *f)
{
	return f && f->uses_conns;
}

static bool uses_field(const struct fnode *n, int id)
{
	const struct fnode *k;

	if (n->kind == FN_CMP)
		return n->id == id;
	for (k = n->kids; k; k = k->next)
		if (uses_field(k, id))
			return true;
	return false;
}

bool filter_uses_field(const struct filter *f, int id)
{
	return f && uses_field(f->root, id);
}
