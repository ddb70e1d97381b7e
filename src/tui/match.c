// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* What the table's filter keeps: a filter-language expression, or a substring of the command. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "tui/list.h"
#include "tui/match.h"

static unsigned unit_flags(enum field_unit u)
{
	switch (u) {
	case UNIT_BYTES_RATE:
		return FILTER_F_RATE;
	case UNIT_BYTES:
		return FILTER_F_BYTES;
	case UNIT_PERCENT:
		return FILTER_F_PERCENT;
	case UNIT_NS:
		return FILTER_F_NS;
	default:
		return 0;
	}
}

static bool row_num(const void *row, int id, double *out)
{
	const struct row *r = row;

	*out = r->v[id];
	return !isnan(*out);
}

static const char *row_text(const void *row, int id)
{
	return row_str(row, id);
}

static const struct filter_ops row_ops = {
    .num = row_num,
    .str = row_text,
};

void tui_match_init(struct tui_match *m)
{
	memset(m, 0, sizeof(*m));
	for (int f = 0; f < F_NUM; f++) {
		m->schema[f] = (struct filter_field){
		    .name = fields[f].name,
		    .type = fields[f].type == FT_STR ? FILTER_STR : FILTER_NUM,
		    .id = f,
		    .flags = unit_flags(fields[f].unit),
		};
	}
}

void tui_match_free(struct tui_match *m)
{
	filter_free(m->f);
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
	struct filter_schema schema = {m->schema, F_NUM};
	struct filter_error err;
	struct filter *f;

	m->error[0] = '\0';
	f = *text ? filter_compile(text, &schema, &err) : NULL;
	if (!f && *text && looks_like_expr(text)) {
		filter_error_format(text, &err, m->error, sizeof(m->error));
		return false;
	}
	filter_free(m->f);
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
		return filter_match_proc(m->f, &row_ops, r);
	return tui_match_substr(r, (void *)m->text);
}
