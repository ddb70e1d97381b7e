// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* CSV: one line per row and interval, every field, raw numbers. */
#include <string.h>
#include "output/render.h"
#include "output/format.h"

/* RFC 4180: quote when the text holds a comma, quote or line break. */
static int put_text(struct buf *b, const char *s)
{
	int err;

	if (!strpbrk(s, ",\"\r\n"))
		return buf_puts(b, s);
	err = buf_puts(b, "\"");
	for (; !err && *s; s++)
		err = *s == '"' ? buf_puts(b, "\"\"") : buf_append(b, s, 1);
	return err ? err : buf_puts(b, "\"");
}

int render_csv(struct buf *b, const struct snapshot *s, const struct row *const *rows, size_t n,
	       const struct render_opts *o, bool header)
{
	int err = 0;

	(void)o;
	if (header) {
		err = buf_puts(b, "time,seq,exited");
		for (int f = 0; !err && f < F_NUM; f++)
			err = buf_printf(b, ",%s", fields[f].name);
		if (!err)
			err = buf_puts(b, "\n");
	}
	for (size_t i = 0; !err && i < n; i++) {
		err = buf_printf(b, "%.3f,%llu,%d", (double)s->wall_ns / 1e9,
				 (unsigned long long)s->seq, (rows[i]->flags & ROW_EXITED) != 0);
		for (int f = 0; !err && f < F_NUM; f++) {
			char cell[4096];

			fmt_field(cell, sizeof(cell), rows[i], f, true);
			if (fields[f].type == FT_NUM && !strcmp(cell, "-"))
				cell[0] = '\0'; /* unavailable: an empty cell, never 0 */
			err = buf_puts(b, ",");
			if (!err)
				err = put_text(b, cell);
		}
		if (!err)
			err = buf_puts(b, "\n");
	}
	return err;
}
