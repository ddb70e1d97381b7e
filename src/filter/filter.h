/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Filter expressions over process and connection rows: compile once, match many times. */
#ifndef EBTOP_FILTER_H
#define EBTOP_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The filter knows no field names of its own: the caller passes a schema, so a
 * new column is filterable without touching the parser, and the filter never
 * sees the caller's row structs, only opaque pointers read through
 * struct filter_ops. The language and its semantics are described in
 * docs/filter.md.
 */

/* Longest expression filter_compile() accepts, in bytes. */
#define FILTER_MAX_LEN 4096
/* Deepest nesting of parentheses and 'not' that filter_compile() accepts. */
#define FILTER_MAX_DEPTH 64

enum filter_vtype {
	FILTER_NUM,  /* read with filter_ops.num */
	FILTER_STR,  /* read with filter_ops.str */
	FILTER_ADDR, /* read with filter_ops.addr */
};

/* A connection field: read from a connection row, not from a process row. */
#define FILTER_F_CONN (1u << 0)
/* Bytes per second: accepts 10MB/s, 1.5Mbit/s, 2KiB/s, 100k. */
#define FILTER_F_RATE (1u << 1)
/* Bytes: accepts 100k, 2GiB, 8Mbit ('/s' is refused). */
#define FILTER_F_BYTES (1u << 2)
/* Percent, as the accessor returns it (50 means 50%): accepts 50% and 50. */
#define FILTER_F_PERCENT (1u << 3)
/* Nanoseconds: accepts 10ms, 5us, 2s, 1min, 1h; a bare number is nanoseconds. */
#define FILTER_F_NS (1u << 4)

/* One entry of the caller's schema. */
struct filter_field {
	const char *name; /* "tx", "name", "conn.lport"; matched case-insensitively */
	enum filter_vtype type;
	int id;		/* the caller's field id, passed back to the accessors */
	unsigned flags; /* FILTER_F_* */
};

struct filter_schema {
	const struct filter_field *fields; /* (borrowed) only during filter_compile() */
	size_t nfields;
};

/* An address: AF_INET uses a[0..3] (network order), AF_INET6 all 16 bytes. */
struct filter_addr {
	int family;
	uint8_t a[16];
};

/*
 * How the filter reads the caller's rows. Every member may be NULL, which
 * reads as "unavailable" (or "no connections" for nconns).
 * A process field is read from a process row, a connection field
 * (FILTER_F_CONN) from a connection row.
 */
struct filter_ops {
	/* false (or a NaN in *out): the value is unavailable */
	bool (*num)(const void *row, int id, double *out);
	/* NULL: the value is unavailable; the string must stay valid during the match */
	const char *(*str)(const void *row, int id);
	/* false, or a family other than AF_INET/AF_INET6: unavailable */
	bool (*addr)(const void *row, int id, struct filter_addr *out);
	/* the connections of a process, for filter_match_proc() */
	size_t (*nconns)(const void *proc);
	const void *(*conn)(const void *proc, size_t i);
	/* the process that owns a connection, for filter_match_conn(); NULL if unknown */
	const void *(*conn_owner)(const void *conn);
};

/*
 * Columns count bytes from 0, so in "name = java and and pid > 1" the second
 * 'and' is at column 16.
 */
#define FILTER_NO_COLUMN (-1)

struct filter_error {
	int column;    /* where: a byte offset counted from 0, or FILTER_NO_COLUMN */
	char msg[160]; /* one line, no trailing newline; "" on success */
};

struct filter;

/*
 * Compiles expr against schema s. Returns NULL on error and, when err is not
 * NULL, fills it in; on success err->column is FILTER_NO_COLUMN and err->msg is "".
 * The result is immutable: several threads may match with it at once.
 */
struct filter *filter_compile(const char *expr, const struct filter_schema *s,
			      struct filter_error *err) __attribute__((warn_unused_result));

/* Does process proc match? Connection clauses hold if one of its connections matches. */
bool filter_match_proc(const struct filter *f, const struct filter_ops *ops, const void *proc);

/* Does connection conn match? Process clauses are read from ops->conn_owner(conn). */
bool filter_match_conn(const struct filter *f, const struct filter_ops *ops, const void *conn);

/* Does f read connection fields? If not, callers need not build connection lists. */
bool filter_uses_conns(const struct filter *f);

/* Does f read the field with this schema id? Lets a collector skip unneeded work. */
bool filter_uses_field(const struct filter *f, int id);

/* NULL-safe. */
void filter_free(struct filter *f);

/*
 * Writes f's canonical syntax tree as an S-expression, for golden tests and
 * debugging. Like snprintf: returns the full length (excluding the NUL), and
 * the output is truncated (always NUL-terminated) when that is >= len.
 * Returns -1 if f is NULL, or buf is NULL with len > 0.
 */
int filter_dump(const struct filter *f, char *buf, size_t len);

/*
 * Formats an error for a terminal, as two or three lines separated by '\n'
 * (no trailing newline): the message, the expression (or a window of it),
 * and a '^' under the error column. Without a column (FILTER_NO_COLUMN)
 * there is no caret line. Returns the full length like snprintf, or -1 if buf is NULL with len > 0.
 */
int filter_error_format(const char *expr, const struct filter_error *e, char *buf, size_t len);

#endif /* EBTOP_FILTER_H */
