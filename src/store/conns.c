// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Connection rows and events of the history: written with each sample, read back into snapshots. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/grow.h"
#include "store/store_int.h"

#define SQL_MAX 8192

/* The fixed columns of conn_sample, in order; numeric connection fields follow. */
static const char *const conn_fixed[] = {
    "sample_id",    "idx",	    "proc_id",	    "cookie",	    "pstart_ns",   "open_ns",
    "ts_ns",	    "flags",	    "family",	    "proto",	    "tcp_state",   "errno",
    "laddr",	    "raddr",	    "srtt_us",	    "rst_in",	    "rst_out",	   "comm",
    "tot_tx_bytes", "tot_rx_bytes", "tot_tx_calls", "tot_rx_calls", "tot_retrans", "tot_segs_out",
    "tot_segs_in",  "d_tx_bytes",   "d_rx_bytes",   "d_tx_calls",   "d_rx_calls",  "d_retrans",
    "d_segs_out",   "d_segs_in",    NULL,
};

#define NFIXED 32

static const char *const event_cols[] = {
    "sample_id", "wall_ns",  "kind",	"ts_ns",    "pid",	 "tid",
    "comm",	 "ppid",     "uid",	"cmdline",  "argv",	 "truncated",
    "cookie",	 "flags",    "family",	"proto",    "tcp_state", "errno",
    "laddr",	 "lport",    "raddr",	"rport",    "pstart_ns", "open_ns",
    "estab_ns",	 "srtt_us",  "rst_in",	"rst_out",  "tx_bytes",	 "rx_bytes",
    "tx_calls",	 "rx_calls", "retrans", "segs_out", "segs_in",	 NULL,
};

#define NEVCOLS 35

_Static_assert(sizeof(conn_fixed) / sizeof(conn_fixed[0]) == NFIXED + 1, "conn columns");
_Static_assert(sizeof(event_cols) / sizeof(event_cols[0]) == NEVCOLS + 1, "event columns");

static const char *const kind_names[] = {
    [EBTOP_EV_CONNECT] = "connect",
    [EBTOP_EV_ACCEPT] = "accept",
    [EBTOP_EV_CLOSE] = "close",
    [EBTOP_EV_EXEC] = "exec",
};

/* Column name of a numeric connection field, or NULL when it is not a column. */
static const char *conn_column(int f)
{
	if (f < 0 || f >= CF_NUM || conn_fields[f].type != FT_NUM || !conn_fields[f].name)
		return NULL;
	for (int i = 0; conn_fixed[i]; i++) {
		if (!strcmp(conn_fixed[i], conn_fields[f].name))
			return NULL;
	}
	for (const char *p = conn_fields[f].name; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return NULL;
	}
	return conn_fields[f].name;
}

int store_conns_columns(struct store *st, bool add)
{
	sqlite3_stmt *q = NULL;
	bool has[CF_NUM] = {0};
	int rc, err;

	err = store_prepare(st, "PRAGMA table_info(conn_sample)", &q);
	if (err)
		return err;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(q, 1);

		for (int f = 0; name && f < CF_NUM; f++) {
			if (conn_column(f) && !strcmp(conn_column(f), name))
				has[f] = true;
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_errno(rc);
	st->nccols = 0;
	for (int f = 0; f < CF_NUM; f++) {
		if (add && conn_column(f) && !has[f]) {
			char sql[128];

			snprintf(sql, sizeof(sql),
				 "ALTER TABLE conn_sample ADD COLUMN \"%s\" NUMERIC",
				 conn_column(f));
			err = store_exec(st, sql);
			if (err)
				return err;
			has[f] = true;
		}
		st->ccol[f] = has[f];
		st->nccols += has[f];
	}
	return 0;
}

static int lazy(struct store *st, sqlite3_stmt **q, const char *sql)
{
	if (*q) {
		sqlite3_reset(*q);
		sqlite3_clear_bindings(*q);
		return 0;
	}
	return store_prepare(st, sql, q);
}

/*
 * Appends "a, b, c" to sql (SQL_MAX bytes, len used): cols, then with fields
 * the connection field columns the database has. Returns the new length.
 */
static size_t col_list(const struct store *st, char *sql, size_t len, const char *const *cols,
		       bool fields)
{
	for (int i = 0; cols[i]; i++)
		len += (size_t)snprintf(sql + len, SQL_MAX - len, "%s%s", i ? ", " : "", cols[i]);
	for (int f = 0; fields && f < CF_NUM; f++) {
		if (st->ccol[f])
			len += (size_t)snprintf(sql + len, SQL_MAX - len, ", \"%s\"", conn_column(f));
	}
	return len;
}

/* "INSERT INTO table (columns) VALUES (?, ...)" into sql (SQL_MAX bytes); see col_list(). */
static void insert_sql(const struct store *st, char *sql, const char *table,
		       const char *const *cols, bool fields)
{
	size_t len = (size_t)snprintf(sql, SQL_MAX, "INSERT INTO %s (", table);
	int n = fields ? st->nccols : 0;

	for (int i = 0; cols[i]; i++)
		n++;
	len = col_list(st, sql, len, cols, fields);
	len += (size_t)snprintf(sql + len, SQL_MAX - len, ") VALUES (?");
	for (int i = 1; i < n; i++)
		len += (size_t)snprintf(sql + len, SQL_MAX - len, ", ?");
	snprintf(sql + len, SQL_MAX - len, ")");
}

static int prepare_conn_insert(struct store *st)
{
	char sql[SQL_MAX];

	insert_sql(st, sql, "conn_sample", conn_fixed, true);
	return lazy(st, &st->ins_conn, sql);
}

static void addr_text(char *buf, size_t len, uint8_t family, const uint8_t *addr)
{
	if (!family ||
	    !inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)len))
		buf[0] = '\0';
}

static void bind_addr(sqlite3_stmt *q, int i, uint8_t family, const uint8_t *addr)
{
	char buf[INET6_ADDRSTRLEN];

	addr_text(buf, sizeof(buf), family, addr);
	if (buf[0])
		sqlite3_bind_text(q, i, buf, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(q, i);
}

static void read_addr(sqlite3_stmt *q, int i, uint8_t family, uint8_t *addr)
{
	const char *t = (const char *)sqlite3_column_text(q, i);

	memset(addr, 0, 16);
	if (t && family)
		inet_pton(family == AF_INET6 ? AF_INET6 : AF_INET, t, addr);
}

static int64_t owner_id(const struct ident *ids, size_t n, uint32_t pid, uint64_t start)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ids[mid].pid < pid || (ids[mid].pid == pid && ids[mid].start_ns < start))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ids[lo].pid == pid && ids[lo].start_ns == start ? ids[lo].id : -1;
}

static uint64_t activity(const struct conn *c)
{
	return c->delta.tx_bytes + c->delta.rx_bytes;
}

static int by_activity(const void *pa, const void *pb, void *arg)
{
	const struct conn *c = arg;
	uint64_t a = activity(&c[*(const uint32_t *)pa]), b = activity(&c[*(const uint32_t *)pb]);

	if (a != b)
		return a > b ? -1 : 1;
	return *(const uint32_t *)pa < *(const uint32_t *)pb ? -1 : 1;
}

static int by_index(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return a < b ? -1 : a > b;
}

static int write_conn(struct store *st, int64_t sample_id, uint32_t idx, const struct conn *c,
		      const struct ident *ids, size_t nids)
{
	sqlite3_stmt *q = st->ins_conn;
	const uint64_t *tot = (const uint64_t *)&c->tot, *d = (const uint64_t *)&c->delta;
	int64_t owner = c->pid ? owner_id(ids, nids, c->pid, c->pstart_ns) : -1;
	int i = 1, err = 0;

	sqlite3_reset(q);
	sqlite3_bind_int64(q, i++, sample_id);
	sqlite3_bind_int64(q, i++, idx);
	if (owner >= 0)
		sqlite3_bind_int64(q, i++, owner);
	else
		sqlite3_bind_null(q, i++);
	sqlite3_bind_int64(q, i++, (sqlite3_int64)c->cookie);
	sqlite3_bind_int64(q, i++, (sqlite3_int64)c->pstart_ns);
	sqlite3_bind_int64(q, i++, (sqlite3_int64)c->open_ns);
	sqlite3_bind_int64(q, i++, (sqlite3_int64)c->ts_ns);
	sqlite3_bind_int64(q, i++, c->flags);
	sqlite3_bind_int(q, i++, c->family);
	sqlite3_bind_int(q, i++, c->proto);
	sqlite3_bind_int(q, i++, c->state);
	sqlite3_bind_int(q, i++, c->err);
	bind_addr(q, i++, c->family, c->laddr);
	bind_addr(q, i++, c->family, c->raddr);
	sqlite3_bind_int64(q, i++, c->srtt_us);
	sqlite3_bind_int64(q, i++, c->rst_in);
	sqlite3_bind_int64(q, i++, c->rst_out);
	sqlite3_bind_text(q, i++, c->comm, (int)strnlen(c->comm, sizeof(c->comm)),
			  SQLITE_TRANSIENT);
	for (size_t k = 0; k < CONN_COUNTER_WORDS; k++)
		sqlite3_bind_int64(q, i++, (sqlite3_int64)tot[k]);
	for (size_t k = 0; k < CONN_COUNTER_WORDS; k++)
		sqlite3_bind_int64(q, i++, (sqlite3_int64)d[k]);
	for (int f = 0; f < CF_NUM; f++) {
		if (!st->ccol[f])
			continue;
		if (isnan(c->v[f]))
			sqlite3_bind_null(q, i++);
		else
			sqlite3_bind_double(q, i++, c->v[f]);
	}
	if (sqlite3_step(q) != SQLITE_DONE) {
		store_set_err(st, "adding a connection row");
		err = store_errno(sqlite3_extended_errcode(st->db));
	}
	sqlite3_reset(q);
	return err;
}

int store_conns_write(struct store *st, int64_t sample_id, const struct snapshot *s,
		      const struct ident *ids, size_t nids)
{
	size_t n = s->nconns, keep;
	uint32_t *pick;
	int err;

	if (!n)
		return 0;
	err = prepare_conn_insert(st);
	if (err)
		return err;
	pick = malloc(n * sizeof(*pick));
	if (!pick)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		pick[i] = (uint32_t)i;
	/* The busiest connections of the interval when there are more than the cap. */
	keep = st->opts.max_conns && n > st->opts.max_conns ? st->opts.max_conns : n;
	if (keep < n) {
		qsort_r(pick, n, sizeof(*pick), by_activity, (void *)s->conns);
		qsort(pick, keep, sizeof(*pick), by_index);
	}
	for (size_t i = 0; !err && i < keep; i++)
		err = write_conn(st, sample_id, pick[i], &s->conns[pick[i]], ids, nids);
	free(pick);
	return err;
}

/* Event text and argv: the arguments NUL-separated as the kernel gave them, and joined. */
static void bind_exec(sqlite3_stmt *q, const struct ebtop_exec_event *e, int i)
{
	size_t n = e->args_len < EBTOP_ARGV_MAX ? e->args_len : EBTOP_ARGV_MAX;
	char line[EBTOP_ARGV_MAX + 1];

	memcpy(line, e->argv, n);
	while (n && !line[n - 1])
		n--;
	for (size_t k = 0; k < n; k++)
		line[k] = line[k] ? line[k] : ' ';
	line[n] = '\0';
	sqlite3_bind_int64(q, i + 4, e->ppid);
	sqlite3_bind_int64(q, i + 5, e->uid);
	sqlite3_bind_text(q, i + 6, line, -1, SQLITE_TRANSIENT);
	n = e->args_len < EBTOP_ARGV_MAX ? e->args_len : EBTOP_ARGV_MAX;
	sqlite3_bind_blob(q, i + 7, e->argv, (int)n, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, i + 8, (int)e->truncated);
}

static void bind_conn_event(sqlite3_stmt *q, const struct ebtop_conn_rec *r, int i)
{
	sqlite3_bind_int64(q, i, (sqlite3_int64)r->cookie);
	sqlite3_bind_int64(q, i + 1, r->flags);
	sqlite3_bind_int(q, i + 2, r->family);
	sqlite3_bind_int(q, i + 3, r->proto);
	sqlite3_bind_int(q, i + 4, r->state);
	sqlite3_bind_int(q, i + 5, r->err);
	bind_addr(q, i + 6, r->family, r->laddr);
	sqlite3_bind_int(q, i + 7, r->lport);
	bind_addr(q, i + 8, r->family, r->raddr);
	sqlite3_bind_int(q, i + 9, r->rport);
	sqlite3_bind_int64(q, i + 10, (sqlite3_int64)r->pstart_ns);
	sqlite3_bind_int64(q, i + 11, (sqlite3_int64)r->open_ns);
	sqlite3_bind_int64(q, i + 12, (sqlite3_int64)r->estab_ns);
	sqlite3_bind_int64(q, i + 13, r->srtt_us);
	sqlite3_bind_int64(q, i + 14, r->rst_in);
	sqlite3_bind_int64(q, i + 15, r->rst_out);
	sqlite3_bind_int64(q, i + 16, (sqlite3_int64)r->tx_bytes);
	sqlite3_bind_int64(q, i + 17, (sqlite3_int64)r->rx_bytes);
	sqlite3_bind_int64(q, i + 18, (sqlite3_int64)r->tx_calls);
	sqlite3_bind_int64(q, i + 19, (sqlite3_int64)r->rx_calls);
	sqlite3_bind_int64(q, i + 20, (sqlite3_int64)r->retrans);
	sqlite3_bind_int64(q, i + 21, (sqlite3_int64)r->segs_out);
	sqlite3_bind_int64(q, i + 22, (sqlite3_int64)r->segs_in);
}

int store_events_write(struct store *st, int64_t sample_id, const struct snapshot *s)
{
	char sql[SQL_MAX];
	int err = 0;

	if (!s->nevents)
		return 0;
	insert_sql(st, sql, "event", event_cols, false);
	err = lazy(st, &st->ins_event, sql);
	for (size_t k = 0; !err && k < s->nevents; k++) {
		const struct event *e = &s->events[k];
		sqlite3_stmt *q = st->ins_event;
		uint32_t kind = e->kind < sizeof(kind_names) / sizeof(kind_names[0]) ? e->kind : 0;

		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
		sqlite3_bind_int64(q, 1, sample_id);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)e->wall_ns);
		sqlite3_bind_text(q, 3, kind_names[kind] ? kind_names[kind] : "other", -1,
				  SQLITE_STATIC);
		if (e->kind == EBTOP_EV_EXEC) {
			sqlite3_bind_int64(q, 4, (sqlite3_int64)e->exec.ts_ns);
			sqlite3_bind_int64(q, 5, e->exec.pid);
			sqlite3_bind_int64(q, 6, e->exec.tid);
			sqlite3_bind_text(q, 7, e->exec.comm,
					  (int)strnlen(e->exec.comm, sizeof(e->exec.comm)),
					  SQLITE_TRANSIENT);
			bind_exec(q, &e->exec, 4);
		} else {
			sqlite3_bind_int64(q, 4, (sqlite3_int64)e->conn.ts_ns);
			sqlite3_bind_int64(q, 5, e->conn.tgid);
			sqlite3_bind_int64(q, 6, e->conn.tid);
			sqlite3_bind_text(q, 7, e->conn.comm,
					  (int)strnlen(e->conn.comm, sizeof(e->conn.comm)),
					  SQLITE_TRANSIENT);
			bind_conn_event(q, &e->conn, 13);
		}
		if (sqlite3_step(q) != SQLITE_DONE) {
			store_set_err(st, "adding an event");
			err = store_errno(sqlite3_extended_errcode(st->db));
		}
		sqlite3_reset(q);
	}
	return err;
}

/* ---- reading ---- */

static uint64_t col_u64(sqlite3_stmt *q, int i)
{
	return (uint64_t)sqlite3_column_int64(q, i);
}

static int read_conn(struct store *st, sqlite3_stmt *q, struct conn *c)
{
	uint64_t *tot = (uint64_t *)&c->tot, *d = (uint64_t *)&c->delta;
	const char *comm;
	int i = 3, k = NFIXED;

	memset(c, 0, sizeof(*c));
	c->cookie = col_u64(q, i++);
	c->pstart_ns = col_u64(q, i++);
	c->open_ns = col_u64(q, i++);
	c->ts_ns = col_u64(q, i++);
	c->flags = (uint32_t)sqlite3_column_int64(q, i++);
	c->family = (uint8_t)sqlite3_column_int(q, i++);
	c->proto = (uint8_t)sqlite3_column_int(q, i++);
	c->state = (uint8_t)sqlite3_column_int(q, i++);
	c->err = (uint8_t)sqlite3_column_int(q, i++);
	read_addr(q, i++, c->family, c->laddr);
	read_addr(q, i++, c->family, c->raddr);
	c->srtt_us = (uint32_t)sqlite3_column_int64(q, i++);
	c->rst_in = (uint32_t)sqlite3_column_int64(q, i++);
	c->rst_out = (uint32_t)sqlite3_column_int64(q, i++);
	comm = (const char *)sqlite3_column_text(q, i++);
	snprintf(c->comm, sizeof(c->comm), "%s", comm ? comm : "");
	for (size_t w = 0; w < CONN_COUNTER_WORDS; w++)
		tot[w] = col_u64(q, i++);
	for (size_t w = 0; w < CONN_COUNTER_WORDS; w++)
		d[w] = col_u64(q, i++);
	for (int f = 0; f < CF_NUM; f++) {
		c->v[f] = NAN;
		if (!st->ccol[f])
			continue;
		if (sqlite3_column_type(q, k) != SQLITE_NULL)
			c->v[f] = sqlite3_column_double(q, k);
		k++;
	}
	/* The identity the model keeps outside v[]. */
	c->pid = isnan(c->v[CF_PID]) ? 0 : (uint32_t)c->v[CF_PID];
	c->tid = isnan(c->v[CF_TID]) ? 0 : (uint32_t)c->v[CF_TID];
	c->lport = isnan(c->v[CF_LPORT]) ? 0 : (uint16_t)c->v[CF_LPORT];
	c->rport = isnan(c->v[CF_RPORT]) ? 0 : (uint16_t)c->v[CF_RPORT];
	return 0;
}

static int key_cmp_r(const void *pa, const void *pb, void *base)
{
	const struct conn *c = base;

	return conn_key_cmp(&c[*(const uint32_t *)pa], &c[*(const uint32_t *)pb]);
}

/*
 * Prepares "SELECT columns" and then tail into *q (once) and binds the sample
 * id to its one parameter; see col_list().
 */
static int select_sample(struct store *st, sqlite3_stmt **q, const char *const *cols,
			 bool fields, const char *tail, int64_t sample_id)
{
	char sql[SQL_MAX];
	size_t len = col_list(st, sql, (size_t)snprintf(sql, SQL_MAX, "SELECT "), cols, fields);
	int err;

	snprintf(sql + len, SQL_MAX - len, "%s", tail);
	err = lazy(st, q, sql);
	if (!err)
		sqlite3_bind_int64(*q, 1, sample_id);
	return err;
}

int store_conns_read(struct store *st, int64_t sample_id, struct snapshot *s)
{
	size_t cap = 0;
	int rc, err;

	err = select_sample(st, &st->get_conns, conn_fixed, true,
			    " FROM conn_sample WHERE sample_id = ? ORDER BY idx", sample_id);
	if (err)
		return err;
	while ((rc = sqlite3_step(st->get_conns)) == SQLITE_ROW) {
		err = grow_array((void **)&s->conns, &cap, s->nconns + 1, sizeof(*s->conns), 64);
		if (err)
			break;
		read_conn(st, st->get_conns, &s->conns[s->nconns++]);
	}
	err = store_rows_end(st, rc, err, "reading connection rows");
	sqlite3_reset(st->get_conns);
	if (err)
		return err;
	s->conn_by_key = malloc((s->nconns ? s->nconns : 1) * sizeof(*s->conn_by_key));
	if (!s->conn_by_key)
		return -ENOMEM;
	for (size_t i = 0; i < s->nconns; i++)
		s->conn_by_key[i] = (uint32_t)i;
	qsort_r(s->conn_by_key, s->nconns, sizeof(*s->conn_by_key), key_cmp_r, s->conns);
	conn_link_rows(s); /* process rows point at their connections, as the model links them */
	return 0;
}

static void read_conn_event(sqlite3_stmt *q, struct ebtop_conn_rec *r, int i)
{
	r->cookie = col_u64(q, i);
	r->flags = (uint32_t)sqlite3_column_int64(q, i + 1);
	r->family = (uint8_t)sqlite3_column_int(q, i + 2);
	r->proto = (uint8_t)sqlite3_column_int(q, i + 3);
	r->state = (uint8_t)sqlite3_column_int(q, i + 4);
	r->err = (uint8_t)sqlite3_column_int(q, i + 5);
	read_addr(q, i + 6, r->family, r->laddr);
	r->lport = (uint16_t)sqlite3_column_int(q, i + 7);
	read_addr(q, i + 8, r->family, r->raddr);
	r->rport = (uint16_t)sqlite3_column_int(q, i + 9);
	r->pstart_ns = col_u64(q, i + 10);
	r->open_ns = col_u64(q, i + 11);
	r->estab_ns = col_u64(q, i + 12);
	r->srtt_us = (uint32_t)sqlite3_column_int64(q, i + 13);
	r->rst_in = (uint32_t)sqlite3_column_int64(q, i + 14);
	r->rst_out = (uint32_t)sqlite3_column_int64(q, i + 15);
	r->tx_bytes = col_u64(q, i + 16);
	r->rx_bytes = col_u64(q, i + 17);
	r->tx_calls = col_u64(q, i + 18);
	r->rx_calls = col_u64(q, i + 19);
	r->retrans = col_u64(q, i + 20);
	r->segs_out = col_u64(q, i + 21);
	r->segs_in = col_u64(q, i + 22);
}

int store_events_read(struct store *st, int64_t sample_id, struct snapshot *s)
{
	size_t cap = 0;
	int rc, err;

	err = select_sample(st, &st->get_events, event_cols, false,
			    " FROM event WHERE sample_id = ? ORDER BY id", sample_id);
	if (err)
		return err;
	while ((rc = sqlite3_step(st->get_events)) == SQLITE_ROW) {
		sqlite3_stmt *q = st->get_events;
		const char *kind = (const char *)sqlite3_column_text(q, 2), *comm;
		struct event *e;
		uint32_t k = 0;

		for (uint32_t j = 0; kind && j < sizeof(kind_names) / sizeof(kind_names[0]); j++) {
			if (kind_names[j] && !strcmp(kind, kind_names[j]))
				k = j;
		}
		if (!k)
			continue; /* a kind this build does not know */
		err = grow_array((void **)&s->events, &cap, s->nevents + 1, sizeof(*s->events), 32);
		if (err)
			break;
		e = &s->events[s->nevents++];
		memset(e, 0, sizeof(*e));
		e->kind = k;
		e->wall_ns = col_u64(q, 1);
		comm = (const char *)sqlite3_column_text(q, 6);
		if (k == EBTOP_EV_EXEC) {
			int n = sqlite3_column_bytes(q, 10);

			e->exec.kind = k;
			e->exec.ts_ns = col_u64(q, 3);
			e->exec.pid = (uint32_t)sqlite3_column_int64(q, 4);
			e->exec.tid = (uint32_t)sqlite3_column_int64(q, 5);
			snprintf(e->exec.comm, sizeof(e->exec.comm), "%s", comm ? comm : "");
			e->exec.ppid = (uint32_t)sqlite3_column_int64(q, 7);
			e->exec.uid = (uint32_t)sqlite3_column_int64(q, 8);
			n = n < EBTOP_ARGV_MAX ? n : EBTOP_ARGV_MAX;
			if (n > 0)
				memcpy(e->exec.argv, sqlite3_column_blob(q, 10), (size_t)n);
			e->exec.args_len = (uint32_t)n;
			e->exec.truncated = (uint32_t)sqlite3_column_int(q, 11);
		} else {
			e->conn.kind = k;
			e->conn.ts_ns = col_u64(q, 3);
			e->conn.tgid = (uint32_t)sqlite3_column_int64(q, 4);
			e->conn.tid = (uint32_t)sqlite3_column_int64(q, 5);
			snprintf(e->conn.comm, sizeof(e->conn.comm), "%s", comm ? comm : "");
			read_conn_event(q, &e->conn, 12);
		}
	}
	err = store_rows_end(st, rc, err, "reading events");
	sqlite3_reset(st->get_events);
	return err;
}
