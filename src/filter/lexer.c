// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Splits a filter expression into words, quoted strings, operators and punctuation. */
#include <string.h>

#include "filter_int.h"

/*
 * Fields, keywords and unquoted values are all one kind of token, a word, so
 * that addresses (::1/128), units (10MB/s) and ranges (8000..8100) need no
 * lexer states: the parser decides what a word means from where it stands.
 * Character classes are ASCII-only on purpose: <ctype.h> follows the locale.
 */
static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static bool is_word(unsigned char c)
{
	return !is_space(c) && !is_control(c) && !strchr("(),\"'=!<>~", c);
}

static int lex_op(struct lexer *lx, struct token *t, struct filter_error *err)
{
	const char *p = lx->src + lx->pos;
	char c = p[0], d = lx->pos + 1 < lx->len ? p[1] : '\0';

	t->kind = TOK_OP;
	t->len = 1;
	switch (c) {
	case '=':
		/* '==' and '=~' are what people type from other tools. */
		if (d == '=' || d == '~')
			t->len = 2;
		t->op = d == '~' ? OP_RE : OP_EQ;
		break;
	case '!':
		if (d != '=' && d != '~') {
			flt_error_set(err, t->column,
				      "unexpected '!' (did you mean '!=', '!~' or 'not'?)");
			return -1;
		}
		t->len = 2;
		t->op = d == '=' ? OP_NE : OP_NRE;
		break;
	case '<':
	case '>':
		if (d == '=')
			t->len = 2;
		if (c == '<')
			t->op = d == '=' ? OP_LE : OP_LT;
		else
			t->op = d == '=' ? OP_GE : OP_GT;
		break;
	default: /* '~' */
		t->op = OP_RE;
		break;
	}
	lx->pos += t->len;
	return 0;
}

static int lex_string(struct lexer *lx, struct token *t, struct filter_error *err)
{
	char q = lx->src[lx->pos];
	size_t i = lx->pos + 1;

	while (i < lx->len && lx->src[i] != q) {
		/* Skipping the escaped byte keeps \" inside the string. */
		if (lx->src[i] == '\\' && i + 1 < lx->len)
			i++;
		i++;
	}
	if (i >= lx->len) {
		flt_error_set(err, t->column, "unterminated string (missing %c)", q);
		return -1;
	}
	t->kind = TOK_STRING;
	t->len = i + 1 - lx->pos;
	lx->pos = i + 1;
	return 0;
}

int flt_lexer_next(struct lexer *lx, struct token *t, struct filter_error *err)
{
	unsigned char c;

	while (lx->pos < lx->len && is_space(lx->src[lx->pos]))
		lx->pos++;
	t->s = lx->src + lx->pos;
	t->len = 0;
	t->column = (int)lx->pos;
	if (lx->pos >= lx->len) {
		t->kind = TOK_END;
		return 0;
	}
	c = lx->src[lx->pos];
	switch (c) {
	case '(':
	case ')':
	case ',':
		t->kind = c == '(' ? TOK_LPAREN : c == ')' ? TOK_RPAREN : TOK_COMMA;
		t->len = 1;
		lx->pos++;
		return 0;
	case '"':
	case '\'':
		return lex_string(lx, t, err);
	case '=':
	case '!':
	case '<':
	case '>':
	case '~':
		return lex_op(lx, t, err);
	}
	if (is_control(c)) {
		flt_error_set(err, t->column, "unexpected control character \\x%02x", c);
		return -1;
	}
	t->kind = TOK_WORD;
	while (lx->pos < lx->len && is_word(lx->src[lx->pos]))
		lx->pos++;
	t->len = (size_t)(lx->src + lx->pos - t->s);
	return 0;
}

enum keyword flt_token_keyword(const struct token *t)
{
	static const struct {
		const char *word;
		enum keyword kw;
	} kws[] = {
	    {"and", KW_AND},
	    {"or", KW_OR},
	    {"not", KW_NOT},
	    {"in", KW_IN},
	};
	size_t i;

	if (t->kind != TOK_WORD)
		return KW_NONE;
	for (i = 0; i < sizeof(kws) / sizeof(kws[0]); i++)
		if (!flt_ascii_casecmp_n(t->s, t->len, kws[i].word))
			return kws[i].kw;
	return KW_NONE;
}

size_t flt_token_unquote(const struct token *t, char *out)
{
	const char *p = t->s + 1, *end = t->s + t->len - 1;
	size_t n = 0;

	for (; p < end; p++) {
		if (*p != '\\' || p + 1 >= end) {
			out[n++] = *p;
			continue;
		}
		switch (p[1]) {
		case '"':
		case '\'':
		case '\\':
			out[n++] = p[1];
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 't':
			out[n++] = '\t';
			break;
		default:
			/* Kept whole, so that regex escapes such as "\." reach regcomp. */
			out[n++] = '\\';
			out[n++] = p[1];
			break;
		}
		p++;
	}
	return n;
}
