// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The filter language over snapshot rows: the field table as its schema. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

/*
 * Schema ids below F_NUM are process fields read from a struct row; ids from
 * CONN_ID are connection fields (CONN_ID + enum conn_field_id) read from a
 * struct conn. Rows and connections point at each other within a snapshot.
 */
#define CONN_ID F_NUM

static bool row_num(const void *obj, int id, double *out)
{
	*out = id >= CONN_ID ? ((const struct conn *)obj)->v[id - CONN_ID]
			     : ((const struct row *)obj)->v[id];
	return !isnan(*out);
}

static const char *row_text(const void *obj, int id)
{
	char unused[1];

	if (id >= CONN_ID)
		return conn_str(obj, id - CONN_ID, unused, 0);
	return row_str(obj, id);
}

static bool conn_addr(const void *obj, int id, struct filter_addr *out)
{
	const struct conn *c = obj;
	const uint8_t *a = id - CONN_ID == CF_LADDR ? c->laddr : c->raddr;

	if (id - CONN_ID == CF_RADDR && (c->flags & EBTOP_CONN_F_OTHER))
		return false; /* the "other peers" row stands for many addresses */
	out->family = c->family;
	memcpy(out->a, a, sizeof(out->a));
	return c->family == AF_INET || c->family == AF_INET6;
}

static size_t proc_nconns(const void *proc)
{
	return ((const struct row *)proc)->conn.count;
}

static const void *proc_conn(const void *proc, size_t i)
{
	return &((const struct row *)proc)->conn.rows[i];
}

static const void *conn_owner(const void *conn)
{
	return ((const struct conn *)conn)->owner;
}

static const struct filter_ops row_ops = {
	.num = row_num,
	.str = row_text,
	.addr = conn_addr,
	.nconns = proc_nconns,
	.conn = proc_conn,
	.conn_owner = conn_owner,
};

/* "conn.lport": the language's name for a connection field. */
static void conn_name(char *buf, size_t len, int cf)
{
	snprintf(buf, len, "conn.%s", conn_fields[cf].name);
}

struct row_filter *row_filter_new(const char *expr, char *err, size_t errlen)
{
	struct filter_field schema[F_NUM + CF_NUM];
	char names[CF_NUM][32];
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
	for (int i = 0; i < CF_NUM; i++) {
		/* Text forms of an address pair are served by laddr/lport and raddr/rport. */
		if (i == CF_LOCAL || i == CF_REMOTE)
			continue;
		conn_name(names[i], sizeof(names[i]), i);
		schema[s.nfields++] = (struct filter_field){
			.name = names[i],
			.type = i == CF_LADDR || i == CF_RADDR	     ? FILTER_ADDR
				: conn_fields[i].type == FT_STR ? FILTER_STR
								 : FILTER_NUM,
			.id = CONN_ID + i,
			.flags = FILTER_F_CONN | unit_flags(conn_fields[i].unit),
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
	for (int i = 0; i < CF_NUM; i++) {
		if (filter_uses_field(rf->f, CONN_ID + i))
			rf->needs |= conn_fields[i].need | NEED_CONN;
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

bool row_filter_match_conn(const struct row_filter *rf, const struct conn *c)
{
	return !rf || filter_match_conn(rf->f, &row_ops, c);
}

bool row_filter_view_match_conn(const struct conn *c, const struct row *owner, void *ctx)
{
	(void)owner; /* c->owner is the same row */
	return row_filter_match_conn(ctx, c);
}
