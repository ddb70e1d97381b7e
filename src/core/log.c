// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Diagnostics on stderr, filtered by verbosity. */
#include <stdio.h>
#include "core/log.h"

/* The one process-wide setting: written before any thread starts, read-only after. */
static enum log_level max_level = LOG_WARN;

void log_set_level(enum log_level level)
{
	max_level = level;
}

enum log_level log_get_level(void)
{
	return max_level;
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	if (level > max_level)
		return;
	fputs("ebtop: ", stderr);
	vfprintf(stderr, fmt, ap);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
