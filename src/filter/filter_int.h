/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Private to src/filter: tokens, the syntax tree, the arena and the helpers between files. */
#ifndef EBTOP_FILTER_INT_H
#define EBTOP_FILTER_INT_H

#include <regex.h>
#include <stdarg.h>

#include "core/testable.h"
#include "filter.h"

/* ---- arena: every node and value of a filter, freed at once ---- */

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
};

void *flt_arena_alloc(struct arena *a, size_t size);
char *flt_arena_strndup(struct arena *a, const char *s, size_t n);
void flt_arena_free(struct arena *a);

/* ---- lexer ---- */

enum tok_kind {
	TOK_END,
	TOK_WORD,   /* a field, a keyword or an unquoted value */
	TOK_STRING, /* "..." or '...'; the span includes the quotes */
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_COMMA,
	TOK_OP,
};

enum filter_op {
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_RE,
	OP_NRE,
	OP_IN,
	OP_NIN,
};

enum keyword { KW_NONE, KW_AND, KW_OR, KW_NOT, KW_IN };

struct token {
	enum tok_kind kind;
	enum filter_op op; /* TOK_OP */
	const char *s;	   /* into the expression */
	size_t len;
	int column; /* byte offset, from 0 */
};

struct lexer {
	const char *src;
	size_t len;
	size_t pos;
};

int flt_lexer_next(struct lexer *lx, struct token *t, struct filter_error *err);
enum keyword flt_token_keyword(const struct token *t);
/* Decodes a TOK_STRING's escapes into out (room for t->len bytes); returns the length. */
size_t flt_token_unquote(const struct token *t, char *out);

/* ---- values ---- */

/* An address or a network, always held as IPv6 (IPv4 as ::ffff:a.b.c.d, prefix + 96). */
struct fnet {
	uint8_t a[16];
	unsigned prefix; /* 0..128 */
};

enum fval_kind { FV_NUM, FV_RANGE, FV_STR, FV_NET };

struct fvalue {
	enum fval_kind kind;
	struct fvalue *next; /* the next element of an 'in' list */
	double lo, hi;	     /* FV_NUM: lo; FV_RANGE: lo..hi, inclusive */
	const char *str;     /* FV_STR, in the arena */
	struct fnet net;     /* FV_NET */
};

/*
 * Reads a number with the units that flags allow. On error returns -1, with
 * *bad the byte offset in s where the problem starts and a message in msg.
 */
int flt_value_quantity(const char *s, size_t n, const char *field, unsigned flags, double *out,
		       size_t *bad, char *msg, size_t msglen);
/* Parses "addr" or, if allow_prefix, "addr/len"; -1 with a message on error. */
int flt_value_net(const char *s, size_t n, bool allow_prefix, struct fnet *out, char *msg,
		  size_t msglen);
/* Converts a row's address; false for an unknown family. */
bool flt_value_addr_to_net(const struct filter_addr *in, struct fnet *out);
bool flt_value_net_contains(const struct fnet *net, const struct fnet *addr);
/* Formats a network (IPv4-mapped ones as IPv4); returns buf. */
const char *flt_value_net_format(const struct fnet *n, char *buf, size_t len);
/* Does s..s+n look like addr/len (so it is an error on a string field)? */
bool flt_value_looks_like_cidr(const char *s, size_t n);

/* ---- regular expressions ---- */

/* Rejects what would make regcomp/regexec blow up, then compiles; -1 with a message. */
int flt_regex_compile(regex_t *re, const char *pat, char *msg, size_t msglen);

/* ---- syntax tree ---- */

enum fnode_kind {
	FN_AND,
	FN_OR,
	FN_NOT,
	FN_ANYCONN, /* true if one connection of the process makes kids true */
	FN_CMP,
};

struct fnode {
	enum fnode_kind kind;
	struct fnode *next; /* sibling under FN_AND / FN_OR */
	struct fnode *kids; /* first child; FN_NOT and FN_ANYCONN have exactly one */
	/* FN_CMP */
	const char *name; /* the field's schema name, in the arena */
	int id;
	enum filter_vtype type;
	unsigned flags;
	enum filter_op op;
	struct fvalue *vals;   /* one value, or the 'in' list */
	regex_t *re;	       /* OP_RE / OP_NRE */
	struct fnode *next_re; /* compiled regexes, for filter_free */
	unsigned long cost;    /* a rough price of evaluating it, to order operands */
};

struct filter {
	struct arena arena;
	struct fnode *root;
	struct fnode *regexes;
	bool uses_conns;
	bool uses_proc;
};

/* Parses the whole expression into f->root; -1 with err filled in. */
int flt_parse_expr(struct filter *f, const char *expr, size_t len, const struct filter_schema *s,
		   struct filter_error *err);
/* Wraps maximal connection-only subtrees in FN_ANYCONN; -1 if out of memory. */
int flt_group_conns(struct filter *f);
/* Sorts the operands of every 'and' and 'or' cheapest first. */
void flt_order_operands(struct filter *f);

/* ---- errors ---- */

/* Longest piece of user input quoted in a message, and a buffer that always holds it. */
#define QUOTE_MAX 40
#define QUOTE_BUF (2 + 4 * QUOTE_MAX + 3 + 1)

void flt_error_set(struct filter_error *err, int column, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Writes t quoted for a message ('and', "str", end of input), shortened and escaped. */
const char *flt_error_token(const struct token *t, char *buf, size_t len);
/* Writes the n bytes at s quoted, shortened and escaped. */
const char *flt_error_quote(const char *s, size_t n, char *buf, size_t len);
/* The schema field nearest to name, or NULL if none is near enough. */
const char *flt_error_suggest(const char *name, size_t n, const struct filter_schema *s);

int flt_ascii_casecmp_n(const char *a, size_t n, const char *b);

#ifdef EBTOP_TESTING
size_t flt_edit_distance(const char *a, size_t na, const char *b, size_t nb);
#endif

#endif /* EBTOP_FILTER_INT_H */
