// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* What the table's filter keeps: a filter-language expression, or a substring of the command. */
#include <stdio.h>
#include <string.h>
#include "tui/list.h"
#include "tui/match.h"

void tui_match_init(struct tui_match *m)
{
	memset(m, 0, sizeof(*m));
}

void tui_match_free(struct tui_match *m)
{
	row_filter_free(m->f);
	m->f = NULL;
}

/* Operators, parentheses or keywords: the user meant an expression. */
static bool looks_like_expr(const char *s)
{
	static const char *const words[] = {" and ", " or ", "not ", " in ", NULL};

	if (strpbrk(s, "=<>~()!"))
		return true;
	for (int i = 0; words[i]; i++) {
		if (strstr(s, words[i]))
			return true;
	}
	return false;
}

bool tui_match_set(struct tui_match *m, const char *text)
{
	struct row_filter *f;

	m->error[0] = '\0';
	f = *text ? row_filter_new(text, m->error, sizeof(m->error)) : NULL;
	if (!f && *text && looks_like_expr(text))
		return false;
	m->error[0] = '\0';
	row_filter_free(m->f);
	m->f = f;
	snprintf(m->text, sizeof(m->text), "%s", text);
	return true;
}

bool tui_match_is_expr(const struct tui_match *m)
{
	return m->f != NULL;
}

bool tui_match_row(const struct row *r, void *ctx)
{
	const struct tui_match *m = ctx;

	if (m->f)
		return row_filter_match(m->f, r);
	return tui_match_substr(r, (void *)m->text);
}
