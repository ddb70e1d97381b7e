/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Growable text buffer with a hard maximum size. */
#ifndef EBTOP_BUF_H
#define EBTOP_BUF_H

#include <stddef.h>
#include <stdarg.h>

#define BUF_CHECK __attribute__((warn_unused_result))

/* Owns p. Always NUL-terminated once anything was appended. */
struct buf {
	char *p;
	size_t len;
	size_t cap;
	size_t max; /* appends that would exceed this fail with -ENOSPC */
};

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
int buf_append(struct buf *b, const char *s, size_t n) BUF_CHECK;
int buf_puts(struct buf *b, const char *s) BUF_CHECK;
int buf_printf(struct buf *b, const char *fmt, ...) BUF_CHECK __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) BUF_CHECK;

#endif
