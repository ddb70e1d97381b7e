// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The filter language over snapshot rows: the field table as its schema. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "filter/filter.h"
#include "model/rowfilter.h"

struct row_filter {
	struct filter *f;
	unsigned needs;
};

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
	*out = ((const struct row *)row)->v[id];
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

struct row_filter *row_filter_new(const char *expr, char *err, size_t errlen)
{
	struct filter_field schema[F_NUM];
	struct filter_schema s = {.fields = schema, .nfields = 0};
	struct filter_error fe;
	struct row_filter *rf;

	for (int i = 0; i < F_NUM; i++) {
		if (!fields[i].name)
			continue;
		schema[s.nfields++] = (struct filter_field){
			.name = fields[i].name,
			.type = fields[i].type == FT_STR ? FILTER_STR : FILTER_NUM,
			.id = i,
			.flags = unit_flags(fields[i].unit),
		};
	}
	rf = calloc(1, sizeof(*rf));
	if (!rf) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rf->f = filter_compile(expr, &s, &fe);
	if (!rf->f) {
		filter_error_format(expr, &fe, err, errlen);
		free(rf);
		return NULL;
	}
	for (int i = 0; i < F_NUM; i++) {
		if (filter_uses_field(rf->f, i))
			rf->needs |= fields[i].need;
	}
	return rf;
}

void row_filter_free(struct row_filter *rf)
{
	if (!rf)
		return;
	filter_free(rf->f);
	free(rf);
}

bool row_filter_match(const struct row_filter *rf, const struct row *r)
{
	return !rf || filter_match_proc(rf->f, &row_ops, r);
}

unsigned row_filter_needs(const struct row_filter *rf)
{
	return rf ? rf->needs : 0;
}

bool row_filter_view_match(const struct row *r, void *ctx)
{
	return row_filter_match(ctx, r);
}
