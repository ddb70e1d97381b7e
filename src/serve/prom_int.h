/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Text-format pieces shared by the process and the connection exporters. */
#ifndef EBTOP_SERVE_PROM_INT_H
#define EBTOP_SERVE_PROM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include "core/buf.h"
#include "serve/prom.h"

struct series;

/* "# HELP" and "# TYPE" lines; OpenMetrics names a counter family without _total. */
int prom_family(struct buf *b, enum prom_format f, const char *name, const char *type,
		const char *help) BUF_CHECK;
/* A label value or HELP text, escaped; bytes that are not UTF-8 become U+FFFD. */
int prom_escape(struct buf *b, const char *s, bool quote) BUF_CHECK;
/* A sample of a series: name{label="value",...} value; the labels named in mask, if not empty. */
int prom_sample(struct buf *b, const char *name, const struct series *s, const char *const *names,
		unsigned mask, double v) BUF_CHECK;
/* A family of one unlabelled sample. */
int prom_single(struct buf *b, enum prom_format f, const char *name, const char *type,
		const char *help, double v) BUF_CHECK;
/* Shortest text that reads back as the same double. */
void prom_fmt_double(char *out, size_t len, double v);

#endif
