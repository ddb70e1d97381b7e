// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Recursive-descent parser: tokens to a type-checked syntax tree, with bounded nesting. */
#include <stdio.h>
#include <string.h>

#include "filter_int.h"

struct parser {
	struct filter *f;
	const struct filter_schema *s;
	struct lexer lx;
	struct token tok; /* the lookahead */
	struct filter_error *err;
	int depth; /* enclosing '(' and 'not': bounds the recursion */
};

static const char *const op_names[] = {
    [OP_EQ] = "=",  [OP_NE] = "!=", [OP_LT] = "<",   [OP_LE] = "<=", [OP_GT] = ">",
    [OP_GE] = ">=", [OP_RE] = "~",  [OP_NRE] = "!~", [OP_IN] = "in", [OP_NIN] = "not in",
};

static struct fnode *parse_or(struct parser *p);

static int advance(struct parser *p)
{
	return flt_lexer_next(&p->lx, &p->tok, p->err);
}

static void *alloc(struct parser *p, size_t size)
{
	void *m = flt_arena_alloc(&p->f->arena, size);

	if (!m)
		flt_error_set(p->err, FILTER_NO_COLUMN, "out of memory");
	return m;
}

static int fail_found(struct parser *p, const char *what)
{
	char q[QUOTE_BUF];

	flt_error_set(p->err, p->tok.column, "%s, found %s", what,
		      flt_error_token(&p->tok, q, sizeof(q)));
	return -1;
}

static int enter(struct parser *p)
{
	if (p->depth >= FILTER_MAX_DEPTH) {
		flt_error_set(p->err, p->tok.column,
			      "expression nested too deeply (more than %d levels)",
			      FILTER_MAX_DEPTH);
		return -1;
	}
	p->depth++;
	return 0;
}

static bool is_ident(const struct token *t)
{
	size_t i;

	if (t->kind != TOK_WORD)
		return false;
	for (i = 0; i < t->len; i++) {
		char c = t->s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' ||
		      (i > 0 && c >= '0' && c <= '9')))
			return false;
	}
	return true;
}

static const struct filter_field *find_field(struct parser *p)
{
	const struct filter_field *fl = p->s->fields;
	char q[QUOTE_BUF];
	const char *sug;
	size_t i;

	for (i = 0; fl && i < p->s->nfields; i++) {
		if (!fl[i].name || flt_ascii_casecmp_n(p->tok.s, p->tok.len, fl[i].name))
			continue;
		if (fl[i].type != FILTER_NUM && fl[i].type != FILTER_STR &&
		    fl[i].type != FILTER_ADDR) {
			flt_error_set(p->err, p->tok.column,
				      "field '%s' has no valid type in the schema", fl[i].name);
			return NULL;
		}
		return &fl[i];
	}
	if (!is_ident(&p->tok)) {
		fail_found(p, "expected a field");
		return NULL;
	}
	flt_error_quote(p->tok.s, p->tok.len, q, sizeof(q));
	sug = fl ? flt_error_suggest(p->tok.s, p->tok.len, p->s) : NULL;
	if (sug)
		flt_error_set(p->err, p->tok.column, "unknown field %s (did you mean '%s'?)", q,
			      sug);
	else
		flt_error_set(p->err, p->tok.column, "unknown field %s", q);
	return NULL;
}

static int check_op(struct parser *p, const struct fnode *n, int column)
{
	bool order = n->op >= OP_LT && n->op <= OP_GE, re = n->op == OP_RE || n->op == OP_NRE;

	if (n->type == FILTER_NUM && re) {
		flt_error_set(p->err, column,
			      "operator '%s' needs a string field, but '%s' is a number",
			      op_names[n->op], n->name);
		return -1;
	}
	if (n->type == FILTER_STR && order) {
		flt_error_set(p->err, column,
			      "operator '%s' needs a numeric field, but '%s' is a string",
			      op_names[n->op], n->name);
		return -1;
	}
	if (n->type == FILTER_ADDR && (order || re)) {
		flt_error_set(p->err, column,
			      "operator '%s' does not apply to an address; use =, !=, in or not in",
			      op_names[n->op]);
		return -1;
	}
	return 0;
}

/* The text of a value token, with a string's quotes and escapes removed, in the arena. */
static char *token_text(struct parser *p, size_t *n)
{
	char *s = alloc(p, p->tok.len + 1);

	if (!s)
		return NULL;
	if (p->tok.kind == TOK_STRING) {
		*n = flt_token_unquote(&p->tok, s);
	} else {
		memcpy(s, p->tok.s, p->tok.len);
		*n = p->tok.len;
	}
	s[*n] = '\0';
	return s;
}

/* Where "a..b" splits, or NULL; a leading ".." belongs to no range. */
static const char *find_dots(const char *s, size_t len)
{
	size_t i;

	for (i = 1; i + 1 < len; i++)
		if (s[i] == '.' && s[i + 1] == '.')
			return s + i;
	return NULL;
}

static int num_value(struct parser *p, const struct fnode *n, struct fvalue *v, bool in_set)
{
	const char *s = p->tok.s, *dots;
	size_t len = p->tok.len, bad;
	char msg[sizeof(p->err->msg)];

	if (p->tok.kind == TOK_STRING) {
		char what[80];

		snprintf(what, sizeof(what), "expected a number for '%s'", n->name);
		return fail_found(p, what);
	}
	dots = find_dots(s, len);
	if (dots && in_set) {
		size_t nlo = (size_t)(dots - s);

		v->kind = FV_RANGE;
		if (flt_value_quantity(s, nlo, n->name, n->flags, &v->lo, &bad, msg, sizeof(msg)) <
		    0)
			goto fail;
		s = dots + 2;
		if (flt_value_quantity(s, len - nlo - 2, n->name, n->flags, &v->hi, &bad, msg,
				       sizeof(msg)) < 0)
			goto fail;
		if (v->lo > v->hi) {
			flt_error_set(p->err, p->tok.column,
				      "empty range: its start is above its end");
			return -1;
		}
		return 0;
	}
	v->kind = FV_NUM;
	if (flt_value_quantity(s, len, n->name, n->flags, &v->lo, &bad, msg, sizeof(msg)) < 0)
		goto fail;
	return 0;
fail:
	flt_error_set(p->err, p->tok.column + (int)(s - p->tok.s) + (int)bad, "%s", msg);
	return -1;
}

static int str_value(struct parser *p, struct fnode *n, struct fvalue *v)
{
	char msg[sizeof(p->err->msg)];
	size_t len;

	if (p->tok.kind == TOK_WORD && flt_value_looks_like_cidr(p->tok.s, p->tok.len)) {
		flt_error_set(p->err, p->tok.column,
			      "a network needs an address field, but '%s' is a string (quote it to "
			      "match the text)",
			      n->name);
		return -1;
	}
	v->kind = FV_STR;
	v->str = token_text(p, &len);
	if (!v->str)
		return -1;
	if (n->op != OP_RE && n->op != OP_NRE)
		return 0;
	n->re = alloc(p, sizeof(*n->re));
	if (!n->re)
		return -1;
	if (flt_regex_compile(n->re, v->str, msg, sizeof(msg)) < 0) {
		n->re = NULL;
		flt_error_set(p->err, p->tok.column, "%s", msg);
		return -1;
	}
	n->next_re = p->f->regexes;
	p->f->regexes = n;
	return 0;
}

static int addr_value(struct parser *p, struct fvalue *v, bool in_set)
{
	char msg[sizeof(p->err->msg)];
	const char *s;
	size_t len;

	s = token_text(p, &len);
	if (!s)
		return -1;
	v->kind = FV_NET;
	if (flt_value_net(s, len, in_set, &v->net, msg, sizeof(msg)) < 0) {
		flt_error_set(p->err, p->tok.column, "%s", msg);
		return -1;
	}
	return 0;
}

/* One value, or one element of an 'in' list (where ranges and networks are allowed). */
static struct fvalue *parse_value(struct parser *p, struct fnode *n, bool in_set)
{
	struct fvalue *v;
	char what[80];
	int rc;

	if (p->tok.kind != TOK_WORD && p->tok.kind != TOK_STRING) {
		snprintf(what, sizeof(what), "expected a value for '%s'%s", n->name,
			 p->tok.kind == TOK_LPAREN && !in_set ? " (a list needs 'in')" : "");
		fail_found(p, what);
		return NULL;
	}
	if (flt_token_keyword(&p->tok) != KW_NONE) {
		char q[QUOTE_BUF];

		flt_error_set(p->err, p->tok.column,
			      "expected a value for '%s', found %s (quote it to use it as a word)",
			      n->name, flt_error_token(&p->tok, q, sizeof(q)));
		return NULL;
	}
	v = alloc(p, sizeof(*v));
	if (!v)
		return NULL;
	if (n->type == FILTER_NUM)
		rc = num_value(p, n, v, in_set);
	else if (n->type == FILTER_STR)
		rc = str_value(p, n, v);
	else
		rc = addr_value(p, v, in_set);
	if (rc < 0 || advance(p) < 0)
		return NULL;
	return v;
}

/* 'in' x, or 'in' (x, y, ...) */
static int parse_set(struct parser *p, struct fnode *n)
{
	struct fvalue **tail = &n->vals;

	if (p->tok.kind != TOK_LPAREN) {
		n->vals = parse_value(p, n, true);
		return n->vals ? 0 : -1;
	}
	if (advance(p) < 0)
		return -1;
	if (p->tok.kind == TOK_RPAREN) {
		flt_error_set(p->err, p->tok.column, "empty list");
		return -1;
	}
	for (;;) {
		*tail = parse_value(p, n, true);
		if (!*tail)
			return -1;
		tail = &(*tail)->next;
		if (p->tok.kind == TOK_RPAREN)
			return advance(p);
		if (p->tok.kind != TOK_COMMA)
			return fail_found(p, "expected ',' or ')' in the list");
		if (advance(p) < 0)
			return -1;
	}
}

static struct fnode *parse_cmp(struct parser *p)
{
	const struct filter_field *fl;
	struct fnode *n;
	char what[80];
	int opcol;

	if (p->tok.kind != TOK_WORD || flt_token_keyword(&p->tok) != KW_NONE) {
		fail_found(p, "expected a field");
		return NULL;
	}
	fl = find_field(p);
	if (!fl)
		return NULL;
	n = alloc(p, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = FN_CMP;
	n->name = flt_arena_strndup(&p->f->arena, fl->name, strlen(fl->name));
	if (!n->name) {
		flt_error_set(p->err, FILTER_NO_COLUMN, "out of memory");
		return NULL;
	}
	n->id = fl->id;
	n->type = fl->type;
	n->flags = fl->flags;
	if (advance(p) < 0)
		return NULL;
	opcol = p->tok.column;
	if (p->tok.kind == TOK_OP) {
		n->op = p->tok.op;
	} else if (flt_token_keyword(&p->tok) == KW_IN) {
		n->op = OP_IN;
	} else if (flt_token_keyword(&p->tok) == KW_NOT) {
		if (advance(p) < 0)
			return NULL;
		if (flt_token_keyword(&p->tok) != KW_IN) {
			fail_found(p, "expected 'in' after 'not'");
			return NULL;
		}
		n->op = OP_NIN;
	} else {
		snprintf(what, sizeof(what), "expected an operator after '%s'", n->name);
		fail_found(p, what);
		return NULL;
	}
	if (check_op(p, n, opcol) < 0 || advance(p) < 0)
		return NULL;
	if (n->op == OP_IN || n->op == OP_NIN) {
		if (parse_set(p, n) < 0)
			return NULL;
	} else {
		n->vals = parse_value(p, n, false);
		if (!n->vals)
			return NULL;
	}
	return n;
}

static struct fnode *parse_primary(struct parser *p)
{
	struct fnode *n;
	int open;

	if (p->tok.kind != TOK_LPAREN)
		return parse_cmp(p);
	open = p->tok.column;
	if (enter(p) < 0 || advance(p) < 0)
		return NULL;
	n = parse_or(p);
	if (!n)
		return NULL;
	if (p->tok.kind == TOK_END) {
		flt_error_set(p->err, p->tok.column, "missing ')' to close '(' at column %d", open);
		return NULL;
	}
	if (p->tok.kind != TOK_RPAREN) {
		fail_found(p, "expected 'and', 'or' or ')'");
		return NULL;
	}
	p->depth--;
	return advance(p) < 0 ? NULL : n;
}

static struct fnode *parse_not(struct parser *p)
{
	struct fnode *n, *k;

	if (flt_token_keyword(&p->tok) != KW_NOT)
		return parse_primary(p);
	if (enter(p) < 0 || advance(p) < 0)
		return NULL;
	k = parse_not(p);
	if (!k)
		return NULL;
	p->depth--;
	n = alloc(p, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = FN_NOT;
	n->kids = k;
	return n;
}

/* Appends k to *tail, merging k's children if it is the same operator: 'and' is associative. */
static struct fnode **append(struct fnode **tail, struct fnode *k, enum fnode_kind kind)
{
	*tail = k->kind == kind ? k->kids : k;
	while ((*tail)->next)
		tail = &(*tail)->next;
	return &(*tail)->next;
}

static struct fnode *parse_chain(struct parser *p, enum keyword kw, enum fnode_kind kind,
				 struct fnode *(*sub)(struct parser *))
{
	struct fnode *first, *n, **tail;

	first = sub(p);
	if (!first || flt_token_keyword(&p->tok) != kw)
		return first;
	n = alloc(p, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = kind;
	tail = append(&n->kids, first, kind);
	while (flt_token_keyword(&p->tok) == kw) {
		struct fnode *k;

		if (advance(p) < 0)
			return NULL;
		k = sub(p);
		if (!k)
			return NULL;
		tail = append(tail, k, kind);
	}
	return n;
}

static struct fnode *parse_and(struct parser *p)
{
	return parse_chain(p, KW_AND, FN_AND, parse_not);
}

static struct fnode *parse_or(struct parser *p)
{
	return parse_chain(p, KW_OR, FN_OR, parse_and);
}

int flt_parse_expr(struct filter *f, const char *expr, size_t len, const struct filter_schema *s,
		   struct filter_error *err)
{
	struct parser p = {
	    .f = f,
	    .s = s,
	    .lx = {.src = expr, .len = len},
	    .err = err,
	};

	if (advance(&p) < 0)
		return -1;
	if (p.tok.kind == TOK_END) {
		flt_error_set(err, 0, "empty expression");
		return -1;
	}
	f->root = parse_or(&p);
	if (!f->root)
		return -1;
	if (p.tok.kind == TOK_RPAREN) {
		flt_error_set(err, p.tok.column, "unexpected ')' without a matching '('");
		return -1;
	}
	if (p.tok.kind != TOK_END)
		return fail_found(&p, "expected 'and', 'or' or end of input");
	return 0;
}
