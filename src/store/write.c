// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Writes one snapshot per transaction: a sample row, process rows, totals, then maintenance. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/clock.h"
#include "core/log.h"
#include "core/testable.h"
#include "output/json.h"
#include "store/store_int.h"

#define SQL_MAX 16384

static int build_insert(struct store *st, const char *table, const char *fixed, int nfixed,
			sqlite3_stmt **out)
{
	char *sql = malloc(SQL_MAX);
	size_t len;
	int err;

	if (!sql)
		return -ENOMEM;
	len = (size_t)snprintf(sql, SQL_MAX, "INSERT INTO %s (%s", table, fixed);
	for (int f = 0; f < F_NUM && len < SQL_MAX; f++) {
		if (st->col[f])
			len += (size_t)snprintf(sql + len, SQL_MAX - len, ", \"%s\"",
						store_field_column(f));
	}
	if (len < SQL_MAX)
		len += (size_t)snprintf(sql + len, SQL_MAX - len, ") VALUES (?");
	for (int i = 1; i < nfixed + st->ncols && len < SQL_MAX; i++)
		len += (size_t)snprintf(sql + len, SQL_MAX - len, ", ?");
	if (len < SQL_MAX)
		len += (size_t)snprintf(sql + len, SQL_MAX - len, ")");
	if (len >= SQL_MAX) {
		free(sql);
		snprintf(st->errmsg, sizeof(st->errmsg), "insert statement too long");
		return -E2BIG;
	}
	err = store_prepare(st, sql, out);
	free(sql);
	return err;
}

int store_writer_prepare(struct store *st)
{
	int err;

	err = store_prepare(
	    st,
	    "INSERT INTO sample (run_id, seq, wall_ns, mono_ns, interval_ns, nprocs,"
	    " self_cpu_pct, avail, status, errors, progs, ncpus, conn_occ, conn_totals,"
	    " features) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    &st->ins_sample);
	if (!err)
		err = build_insert(st, "proc_sample", "sample_id, proc_id, state, flags", 4,
				   &st->ins_proc);
	if (!err)
		err = build_insert(st, "total_sample", "sample_id", 1, &st->ins_total);
	if (!err)
		err = store_prepare(st,
				    "SELECT p.id FROM process p JOIN run r ON r.id = p.run_id"
				    " WHERE p.pid = ?1 AND p.start_ns = ?2 AND p.comm = ?3"
				    " AND p.cmd IS ?4 AND p.cgroup IS ?5 AND p.user IS ?6"
				    " AND p.kthread = ?7 AND r.boot_id IS ?8"
				    " ORDER BY p.id DESC LIMIT 1",
				    &st->find_ident);
	if (!err)
		err = store_prepare(
		    st,
		    "INSERT INTO process (run_id, pid, start_ns, comm, cmd, cgroup,"
		    " user, kthread, first_sample) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    &st->ins_ident);
	if (!err)
		err = store_prepare(st, "UPDATE process SET last_sample = NULL WHERE id = ?",
				    &st->reopen_ident);
	if (!err)
		err = store_prepare(st, "UPDATE process SET last_sample = ? WHERE id = ?",
				    &st->end_ident);
	return err;
}

static void idents_free(struct ident *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		proc_info_put(v[i].info);
	free(v);
}

void store_writer_release(struct store *st)
{
	sqlite3_finalize(st->ins_sample);
	sqlite3_finalize(st->ins_proc);
	sqlite3_finalize(st->ins_total);
	sqlite3_finalize(st->find_ident);
	sqlite3_finalize(st->ins_ident);
	sqlite3_finalize(st->reopen_ident);
	sqlite3_finalize(st->end_ident);
	st->ins_sample = st->ins_proc = st->ins_total = st->find_ident = st->ins_ident = NULL;
	st->reopen_ident = st->end_ident = NULL;
	idents_free(st->idents, st->nidents);
	st->idents = NULL;
	st->nidents = 0;
}

static int ident_cmp(const void *pa, const void *pb)
{
	const struct ident *a = pa, *b = pb;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->start_ns != b->start_ns)
		return a->start_ns < b->start_ns ? -1 : 1;
	return 0;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static const char *info_user(const struct proc_info *pi)
{
	return pi && pi->user[0] ? pi->user : NULL;
}

/* The identity of a row is its key, name and /proc details: an exec makes a new one. */
static bool ident_matches(const struct ident *id, const struct row *r)
{
	const struct proc_info *a = id->info, *b = r->info;

	if (strcmp(id->comm, r->comm))
		return false;
	if (a == b)
		return true;
	if (!a || !b)
		return false;
	return str_eq(a->cmdline, b->cmdline) && str_eq(a->cgroup, b->cgroup) &&
	       str_eq(info_user(a), info_user(b));
}

static void bind_text_or_null(sqlite3_stmt *q, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(q, i);
}

static int step_done(struct store *st, sqlite3_stmt *q, const char *what)
{
	int rc = sqlite3_step(q);

	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	store_set_err(st, what);
	return store_errno(sqlite3_extended_errcode(st->db));
}

/* process.id for a row: from the cache, an earlier run of this boot, or a new identity. */
static int resolve_ident(struct store *st, const struct row *r, int64_t sample_id, int64_t *id)
{
	const struct ident key = {.pid = r->pid, .start_ns = r->start_ns};
	const struct ident *hit =
	    st->nidents ? bsearch(&key, st->idents, st->nidents, sizeof(key), ident_cmp) : NULL;
	const struct proc_info *pi = r->info;
	sqlite3_stmt *q;
	int rc, err;

	if (hit && ident_matches(hit, r)) {
		*id = hit->id;
		return 0;
	}
	q = st->find_ident;
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	sqlite3_bind_int64(q, 1, r->pid);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)r->start_ns);
	sqlite3_bind_text(q, 3, r->comm, -1, SQLITE_TRANSIENT);
	bind_text_or_null(q, 4, pi ? pi->cmdline : NULL);
	bind_text_or_null(q, 5, pi ? pi->cgroup : NULL);
	bind_text_or_null(q, 6, info_user(pi));
	sqlite3_bind_int(q, 7, !!(r->flags & ROW_KTHREAD));
	bind_text_or_null(q, 8, st->boot_id[0] ? st->boot_id : NULL);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		/* Seen by an earlier run of this boot: it runs again from here. */
		*id = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
		q = st->reopen_ident;
		sqlite3_reset(q);
		sqlite3_bind_int64(q, 1, *id);
		err = step_done(st, q, "reopening a process");
		sqlite3_reset(q);
		return err;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		store_set_err(st, "looking up a process");
		return store_errno(sqlite3_extended_errcode(st->db));
	}
	q = st->ins_ident;
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	sqlite3_bind_int64(q, 1, st->run_id);
	sqlite3_bind_int64(q, 2, r->pid);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)r->start_ns);
	sqlite3_bind_text(q, 4, r->comm, -1, SQLITE_TRANSIENT);
	bind_text_or_null(q, 5, pi ? pi->cmdline : NULL);
	bind_text_or_null(q, 6, pi ? pi->cgroup : NULL);
	bind_text_or_null(q, 7, info_user(pi));
	sqlite3_bind_int(q, 8, !!(r->flags & ROW_KTHREAD));
	sqlite3_bind_int64(q, 9, sample_id);
	err = step_done(st, q, "adding a process");
	sqlite3_reset(q);
	if (!err)
		*id = sqlite3_last_insert_rowid(st->db);
	return err;
}

/* NaN is "unavailable": NULL in the database, never 0. */
static void bind_values(struct store *st, sqlite3_stmt *q, int first, const double *v)
{
	int i = first;

	for (int f = 0; f < F_NUM; f++) {
		if (!st->col[f])
			continue;
		if (isnan(v[f]))
			sqlite3_bind_null(q, i++);
		else
			sqlite3_bind_double(q, i++, v[f]);
	}
}

/* JSON text for the sample's loss counters and BPF program costs (names are identifiers). */
TESTABLE void store_self_json(const struct snapshot *s, char *errors, size_t elen, char *progs,
			      size_t plen)
{
	size_t n = 0;

	n += (size_t)snprintf(errors, elen, "[");
	for (int i = 0; i < EBTOP_NERR && n < elen; i++)
		n += (size_t)snprintf(errors + n, elen - n, "%s%llu", i ? "," : "",
				      (unsigned long long)s->errors[i]);
	if (n < elen)
		snprintf(errors + n, elen - n, "]");
	n = (size_t)snprintf(progs, plen, "[");
	for (int i = 0; i < s->nprogs && n < plen; i++) {
		const struct prog_cost *p = &s->progs[i];
		char name[sizeof(p->name)];
		char npe[32];
		size_t k;

		for (k = 0; k < sizeof(name) - 1 && p->name[k]; k++) {
			char c = p->name[k];

			name[k] = (c == '"' || c == '\\' || (unsigned char)c < 0x20) ? '_' : c;
		}
		name[k] = '\0';
		if (isnan(p->ns_per_event) || isinf(p->ns_per_event))
			snprintf(npe, sizeof(npe), "null");
		else
			snprintf(npe, sizeof(npe), "%.17g", p->ns_per_event);
		n += (size_t)snprintf(progs + n, plen - n,
				      "%s{\"name\":\"%s\",\"run_cnt\":%llu,\"run_time_ns\":%llu,"
				      "\"ns_per_event\":%s}",
				      i ? "," : "", name, (unsigned long long)p->run_cnt,
				      (unsigned long long)p->run_time_ns, npe);
	}
	if (n < plen)
		snprintf(progs + n, plen - n, "]");
	else
		snprintf(progs, plen, "[]");
}

/* Connection table occupancy and the system's connection sums, as JSON. */
TESTABLE void store_conn_json(const struct snapshot *s, char *occ, size_t olen, char *tot,
			      size_t tlen)
{
	const struct conn_occupancy *o = &s->conn_occ;
	const struct row_conns *c = &s->total.conn;

	snprintf(occ, olen,
		 "{\"sockets\":%llu,\"peers\":%llu,\"peers_max\":%llu,\"ring_kb\":%llu,"
		 "\"events_dropped\":%llu}",
		 (unsigned long long)o->sockets, (unsigned long long)o->peers,
		 (unsigned long long)o->peers_max, (unsigned long long)o->ring_kb,
		 (unsigned long long)o->events_dropped);
	snprintf(tot, tlen,
		 "{\"open\":%u,\"retrans\":%llu,\"segs_out\":%llu,\"out\":%llu,\"in\":%llu,"
		 "\"opened\":%llu,\"refused\":%llu,\"reset\":%llu,\"timeout\":%llu,"
		 "\"other\":%llu}",
		 c->open, (unsigned long long)c->retrans, (unsigned long long)c->segs_out,
		 (unsigned long long)c->out, (unsigned long long)c->in,
		 (unsigned long long)c->delta.opened, (unsigned long long)c->delta.refused,
		 (unsigned long long)c->delta.reset, (unsigned long long)c->delta.timeout,
		 (unsigned long long)c->delta.other);
}

static int insert_sample(struct store *st, const struct snapshot *s, int64_t *sample_id)
{
	sqlite3_stmt *q = st->ins_sample;
	char errors[256], progs[MAX_PROGS * 160], *features;
	json_t *fj;
	int err;

	store_self_json(s, errors, sizeof(errors), progs, sizeof(progs));
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	sqlite3_bind_int64(q, 1, st->run_id);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)s->seq);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)s->wall_ns);
	sqlite3_bind_int64(q, 4, (sqlite3_int64)s->mono_ns);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)s->interval_ns);
	sqlite3_bind_int64(q, 6, (sqlite3_int64)s->nprocs);
	if (isnan(s->self_cpu_pct))
		sqlite3_bind_null(q, 7);
	else
		sqlite3_bind_double(q, 7, s->self_cpu_pct);
	sqlite3_bind_int64(q, 8, s->avail);
	sqlite3_bind_text(q, 9, s->status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 10, errors, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 11, progs, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 12, s->ncpus);
	if (s->avail & NEED_CONN) {
		char occ[256], tot[512];

		store_conn_json(s, occ, sizeof(occ), tot, sizeof(tot));
		sqlite3_bind_text(q, 13, occ, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 14, tot, -1, SQLITE_TRANSIENT);
	}
	fj = features_json(&s->features);
	features = json_dumps(fj, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(fj);
	if (!features)
		return -ENOMEM;
	sqlite3_bind_text(q, 15, features, -1, SQLITE_TRANSIENT);
	free(features);
	err = step_done(st, q, "adding a sample");
	sqlite3_reset(q);
	if (!err)
		*sample_id = sqlite3_last_insert_rowid(st->db);
	return err;
}

static int insert_proc(struct store *st, int64_t sample_id, int64_t proc_id, const struct row *r)
{
	sqlite3_stmt *q = st->ins_proc;
	char state[2] = {r->state ? r->state : '?', '\0'};
	int err;

	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, sample_id);
	sqlite3_bind_int64(q, 2, proc_id);
	sqlite3_bind_text(q, 3, state, 1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 4, (int)(r->flags & (ROW_EXITED | ROW_KTHREAD)));
	bind_values(st, q, 5, r->v);
	err = step_done(st, q, "adding a process row");
	sqlite3_reset(q);
	return err;
}

static int insert_total(struct store *st, int64_t sample_id, const struct row *t)
{
	sqlite3_stmt *q = st->ins_total;
	int err;

	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, sample_id);
	bind_values(st, q, 2, t->v);
	err = step_done(st, q, "adding totals");
	sqlite3_reset(q);
	return err;
}

static int end_ident(struct store *st, int64_t id, int64_t last)
{
	sqlite3_stmt *q = st->end_ident;
	int err;

	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, last);
	sqlite3_bind_int64(q, 2, id);
	err = step_done(st, q, "ending a process");
	sqlite3_reset(q);
	return err;
}

/* Identities of the previous sample that this one lacks ended there. */
static int end_vanished(struct store *st, const struct ident *now, size_t n)
{
	for (size_t i = 0; i < st->nidents; i++) {
		const struct ident *old = &st->idents[i];
		const struct ident *hit = bsearch(old, now, n, sizeof(*now), ident_cmp);
		int err;

		if (hit && hit->id == old->id)
			continue;
		err = end_ident(st, old->id, st->last_sample_id);
		if (err)
			return err;
	}
	return 0;
}

int store_close_stale(struct store *st)
{
	return store_exec(st, "UPDATE process SET last_sample = (SELECT max(id) FROM sample)"
			      " WHERE last_sample IS NULL");
}

void store_end_all(struct store *st)
{
	if (!st->end_ident || !st->nidents || store_exec(st, "BEGIN IMMEDIATE"))
		return;
	for (size_t i = 0; i < st->nidents; i++) {
		if (end_ident(st, st->idents[i].id, st->last_sample_id)) {
			store_exec(st, "ROLLBACK");
			return; /* the next open closes them (store_close_stale) */
		}
	}
	if (store_exec(st, "COMMIT"))
		store_exec(st, "ROLLBACK");
}

/* Rows and a new identity cache; the cache replaces the old one only after COMMIT. */
static int insert_rows(struct store *st, const struct snapshot *s, int64_t sample_id,
		       struct ident **out, size_t *nout)
{
	struct ident *ids = calloc(s->nprocs ? s->nprocs : 1, sizeof(*ids));
	size_t n = 0;
	int err = 0;

	if (!ids)
		return -ENOMEM;
	for (size_t i = 0; !err && i < s->nprocs; i++) {
		const struct row *r = &s->procs[i];
		struct ident *id = &ids[n];

		err = resolve_ident(st, r, sample_id, &id->id);
		if (!err)
			err = insert_proc(st, sample_id, id->id, r);
		if (err)
			break;
		id->pid = r->pid;
		id->start_ns = r->start_ns;
		memcpy(id->comm, r->comm, sizeof(id->comm));
		id->info = proc_info_get(r->info);
		n++;
	}
	if (!err)
		err = insert_total(st, sample_id, &s->total);
	if (!err)
		err = store_disks_write(st, sample_id, s);
	if (!err) {
		qsort(ids, n, sizeof(*ids), ident_cmp);
		err = end_vanished(st, ids, n);
	}
	if (err) {
		idents_free(ids, n);
		return err;
	}
	*out = ids;
	*nout = n;
	return 0;
}

static void rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Maintenance in a savepoint: its failure must not cost the interval just written. */
static void maintain_in_savepoint(struct store *st)
{
	uint64_t budget = (uint64_t)st->opts.maint_budget_ms * NSEC_PER_MSEC;

	/* The writer has its own thread: a quarter of each interval is affordable. */
	if (!budget) {
		budget = st->opts.interval_ns / 4;
		budget = budget < 20 * NSEC_PER_MSEC ? 20 * NSEC_PER_MSEC : budget;
		budget = budget > NSEC_PER_SEC ? NSEC_PER_SEC : budget;
	}
	int err;

	if (store_exec(st, "SAVEPOINT maint"))
		return;
	err = store_maintain(st, st->last_wall_ns, budget);
	if (err < 0) {
		log_debug("history: maintenance failed, retried next interval: %s\n", st->errmsg);
		store_exec(st, "ROLLBACK TO maint");
	}
	store_exec(st, "RELEASE maint");
}

int store_write(struct store *st, const struct snapshot *s)
{
	struct ident *ids = NULL;
	int64_t sample_id = 0;
	size_t nids = 0;
	uint64_t prev_wall = st->last_wall_ns;
	int err;

	if (st->mode != STORE_WRITE)
		return -EBADF;
	err = store_exec(st, "BEGIN IMMEDIATE");
	if (err)
		return err;
	err = insert_sample(st, s, &sample_id);
	if (!err)
		err = insert_rows(st, s, sample_id, &ids, &nids);
	if (!err)
		err = store_conns_write(st, sample_id, s, ids, nids);
	if (!err)
		err = store_events_write(st, sample_id, s);
	if (err) {
		rollback(st);
		st->ndisk_ids = 0;
		idents_free(ids, nids);
		return err;
	}
	if (s->wall_ns > st->last_wall_ns)
		st->last_wall_ns = s->wall_ns;
	maintain_in_savepoint(st);
	err = store_exec(st, "COMMIT");
	if (err) {
		rollback(st);
		st->ndisk_ids = 0;
		st->ds.active = false; /* its staged rows went with the transaction */
		idents_free(ids, nids);
		st->last_wall_ns = prev_wall;
		return err;
	}
	idents_free(st->idents, st->nidents);
	st->idents = ids;
	st->nidents = nids;
	st->last_sample_id = sample_id;
	return 0;
}
