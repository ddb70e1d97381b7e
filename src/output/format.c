// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Numbers to text in a field's unit, human-scaled or raw. */
#include <math.h>
#include <stdio.h>
#include "output/format.h"

void fmt_bytes(char *buf, size_t len, double v)
{
	static const char units[] = "KMGTPE";
	int u = -1;

	if (v < 1024) {
		snprintf(buf, len, "%.0f", v);
		return;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	/* Three significant digits: 1.23M, 12.3M, 123M. */
	if (v < 9.995)
		snprintf(buf, len, "%.2f%c", v, units[u]);
	else if (v < 99.95)
		snprintf(buf, len, "%.1f%c", v, units[u]);
	else
		snprintf(buf, len, "%.0f%c", v, units[u]);
}

static void fmt_count(char *buf, size_t len, double v)
{
	if (v < 100000)
		snprintf(buf, len, "%.0f", v);
	else if (v < 1e7)
		snprintf(buf, len, "%.0fk", v / 1e3);
	else if (v < 1e10)
		snprintf(buf, len, "%.0fM", v / 1e6);
	else
		snprintf(buf, len, "%.0fG", v / 1e9);
}

static void fmt_ns(char *buf, size_t len, double v)
{
	if (v < 1e3)
		snprintf(buf, len, "%.0fns", v);
	else if (v < 1e6)
		snprintf(buf, len, "%.1fus", v / 1e3);
	else if (v < 1e9)
		snprintf(buf, len, "%.1fms", v / 1e6);
	else if (v < 600e9)
		snprintf(buf, len, "%.2fs", v / 1e9);
	else
		snprintf(buf, len, "%.0fm", v / 60e9);
}

void fmt_value(char *buf, size_t len, double v, enum field_unit unit, bool raw)
{
	if (isnan(v)) {
		snprintf(buf, len, "-");
		return;
	}
	switch (unit) {
	case UNIT_BYTES:
	case UNIT_BYTES_RATE:
		if (raw)
			snprintf(buf, len, "%.0f", v);
		else
			fmt_bytes(buf, len, v);
		break;
	case UNIT_PERCENT:
		snprintf(buf, len, "%.1f", v);
		break;
	case UNIT_RATE:
		if (raw || v < 100)
			snprintf(buf, len, v < 100 && !raw ? "%.1f" : "%.0f", v);
		else
			fmt_count(buf, len, v);
		break;
	case UNIT_COUNT:
		if (raw)
			snprintf(buf, len, "%.0f", v);
		else
			fmt_count(buf, len, v);
		break;
	case UNIT_NS:
		if (raw)
			snprintf(buf, len, "%.0f", v);
		else
			fmt_ns(buf, len, v);
		break;
	case UNIT_NONE:
	default:
		snprintf(buf, len, "%.0f", v);
		break;
	}
}

void fmt_field(char *buf, size_t len, const struct row *r, int field, bool raw)
{
	const char *s;

	if (fields[field].type == FT_NUM) {
		fmt_value(buf, len, r->v[field], fields[field].unit, raw);
		return;
	}
	s = row_str(r, field);
	if (field == F_CMD && (!s || !*s)) {
		/* No command line: kernel threads as ps shows them, exited ones by name. */
		snprintf(buf, len, (r->flags & ROW_KTHREAD) ? "[%s]" : "%s", r->comm);
		return;
	}
	snprintf(buf, len, "%s", s ? s : "-");
}
