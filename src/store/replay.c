// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Rebuilds snapshots from the history database: a snapshot source for batch output and the TUI. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/grow.h"
#include "core/log.h"
#include <jansson.h>
#include "store/replay.h"
#include "store/store_int.h"

#define SQL_MAX 16384

struct replay {
	struct store *st;
	int64_t *id; /* sample ids in time order */
	uint64_t *wall;
	size_t n;
	size_t cap;
	int64_t max_id;	     /* newest id seen, for refresh */
	size_t pos;	     /* replay_source's position */
	int colfield[F_NUM]; /* result column -> field id */
	int ncol;
	sqlite3_stmt *get_sample, *get_rows, *get_total, *get_errors, *get_progs;
	char errmsg[256];
};

static int fail(struct replay *r, int err, const char *what)
{
	snprintf(r->errmsg, sizeof(r->errmsg), "%s: %s", what, sqlite3_errmsg(r->st->db));
	return err ? err : -EIO;
}

/* ", ps."tx", ps."rx" ..." for every stored field; fills colfield. */
static size_t value_list(struct replay *r, const char *alias, char *buf, size_t len)
{
	size_t n = 0;

	r->ncol = 0;
	buf[0] = '\0';
	for (int f = 0; f < F_NUM && n < len; f++) {
		if (!r->st->col[f])
			continue;
		n +=
		    (size_t)snprintf(buf + n, len - n, ", %s.\"%s\"", alias, store_field_column(f));
		r->colfield[r->ncol++] = f;
	}
	return n;
}

static int prepare(struct replay *r)
{
	char *cols = malloc(SQL_MAX), *sql = malloc(SQL_MAX);
	int err = -ENOMEM;

	if (!cols || !sql)
		goto out;
	if (value_list(r, "ps", cols, SQL_MAX) >= SQL_MAX) {
		err = -E2BIG;
		goto out;
	}
	snprintf(sql, SQL_MAX,
		 "SELECT p.pid, p.start_ns, p.comm, p.cmd, p.cgroup, p.user, p.kthread, ps.state,"
		 " ps.flags%s FROM proc_sample ps JOIN process p ON p.id = ps.proc_id"
		 " WHERE ps.sample_id = ? ORDER BY p.pid, p.start_ns",
		 cols);
	err = store_prepare(r->st, sql, &r->get_rows);
	if (err)
		goto out;
	/* Same column order: value_list fills colfield identically for both. */
	value_list(r, "t", cols, SQL_MAX);
	snprintf(sql, SQL_MAX, "SELECT 0%s FROM total_sample t WHERE t.sample_id = ?", cols);
	err = store_prepare(r->st, sql, &r->get_total);
	if (!err)
		err = store_prepare(
		    r->st,
		    "SELECT seq, wall_ns, mono_ns, interval_ns, self_cpu_pct, avail,"
		    " status, errors, progs, ncpus,"
		    " json_extract(conn_occ, '$.sockets'), json_extract(conn_occ, '$.peers'),"
		    " json_extract(conn_occ, '$.peers_max'),"
		    " json_extract(conn_occ, '$.ring_kb'),"
		    " json_extract(conn_occ, '$.events_dropped'),"
		    " json_extract(conn_totals, '$.open'), json_extract(conn_totals, '$.retrans'),"
		    " json_extract(conn_totals, '$.segs_out'), json_extract(conn_totals, '$.out'),"
		    " json_extract(conn_totals, '$.in'), json_extract(conn_totals, '$.opened'),"
		    " json_extract(conn_totals, '$.refused'),"
		    " json_extract(conn_totals, '$.reset'),"
		    " json_extract(conn_totals, '$.timeout'),"
		    " json_extract(conn_totals, '$.other'), features FROM sample WHERE id = ?",
		    &r->get_sample);
	if (!err)
		err = store_prepare(r->st, "SELECT CAST(key AS INTEGER), value FROM json_each(?)",
				    &r->get_errors);
	if (!err)
		err = store_prepare(r->st,
				    "SELECT json_extract(value, '$.name'),"
				    " json_extract(value, '$.run_cnt'),"
				    " json_extract(value, '$.run_time_ns'),"
				    " json_extract(value, '$.ns_per_event') FROM json_each(?)",
				    &r->get_progs);
out:
	free(cols);
	free(sql);
	if (err && !r->errmsg[0])
		snprintf(r->errmsg, sizeof(r->errmsg), "%s", store_errmsg(r->st));
	return err;
}

int replay_refresh(struct replay *r)
{
	sqlite3_stmt *q = NULL;
	bool sorted = true;
	int rc, err;

	err = store_prepare(r->st, "SELECT id, wall_ns FROM sample WHERE id > ? ORDER BY id", &q);
	if (err)
		return fail(r, err, "listing samples");
	sqlite3_bind_int64(q, 1, r->max_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (r->n == r->cap) {
			size_t nc = r->cap ? r->cap * 2 : 1024;
			int64_t *id = realloc(r->id, nc * sizeof(*id));
			uint64_t *w;

			if (!id)
				break;
			r->id = id;
			w = realloc(r->wall, nc * sizeof(*w));
			if (!w)
				break;
			r->wall = w;
			r->cap = nc;
		}
		r->id[r->n] = sqlite3_column_int64(q, 0);
		r->wall[r->n] = (uint64_t)sqlite3_column_int64(q, 1);
		if (r->n && r->wall[r->n] < r->wall[r->n - 1])
			sorted = false;
		r->max_id = r->id[r->n];
		r->n++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return fail(r, store_errno(rc), "listing samples");
	if (rc == SQLITE_ROW)
		return fail(r, -ENOMEM, "listing samples");
	/* The wall clock stepped back while recording: order by time, as a user reads it. */
	for (size_t i = 1; !sorted && i < r->n; i++) {
		for (size_t j = i; j > 0 && r->wall[j] < r->wall[j - 1]; j--) {
			int64_t ti = r->id[j];
			uint64_t tw = r->wall[j];

			r->id[j] = r->id[j - 1];
			r->wall[j] = r->wall[j - 1];
			r->id[j - 1] = ti;
			r->wall[j - 1] = tw;
		}
	}
	return 0;
}

int replay_open(struct replay **out, const char *path, char *msg, size_t msglen)
{
	struct replay *r = calloc(1, sizeof(*r));
	int err;

	*out = NULL;
	if (!r) {
		snprintf(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	err = store_open(&r->st, path, STORE_READ, NULL, msg, msglen);
	if (!err) {
		err = prepare(r);
		if (!err)
			err = replay_refresh(r);
		if (err)
			snprintf(msg, msglen, "reading %s: %s", path, r->errmsg);
	}
	if (err) {
		replay_close(r);
		return err;
	}
	*out = r;
	return 0;
}

void replay_close(struct replay *r)
{
	if (!r)
		return;
	sqlite3_finalize(r->get_sample);
	sqlite3_finalize(r->get_rows);
	sqlite3_finalize(r->get_total);
	sqlite3_finalize(r->get_errors);
	sqlite3_finalize(r->get_progs);
	store_close(r->st);
	free(r->id);
	free(r->wall);
	free(r);
}

size_t replay_count(const struct replay *r)
{
	return r->n;
}

uint64_t replay_time(const struct replay *r, size_t i)
{
	return i < r->n ? r->wall[i] : 0;
}

long replay_find(const struct replay *r, uint64_t wall_ns)
{
	size_t lo = 0, hi = r->n;

	if (!r->n)
		return -1;
	/* First index with a time after wall_ns; the one before it is the answer. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->wall[mid] <= wall_ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? (long)lo - 1 : 0;
}

const char *replay_errmsg(const struct replay *r)
{
	return r->errmsg;
}

static const char *col_text(sqlite3_stmt *q, int i)
{
	return (const char *)sqlite3_column_text(q, i);
}

static void read_values(struct replay *r, sqlite3_stmt *q, int first, double *v)
{
	for (int f = 0; f < F_NUM; f++)
		v[f] = NAN;
	for (int c = 0; c < r->ncol; c++) {
		if (sqlite3_column_type(q, first + c) != SQLITE_NULL)
			v[r->colfield[c]] = sqlite3_column_double(q, first + c);
	}
}

static uint32_t v_u32(double v, uint32_t dflt)
{
	return isnan(v) || v < 0 || v > 4294967295.0 ? dflt : (uint32_t)v;
}

static int load_self(struct replay *r, struct snapshot *s, const char *errors, const char *progs)
{
	sqlite3_stmt *q = r->get_errors;
	int rc;

	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, errors ? errors : "[]", -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int k = sqlite3_column_int(q, 0);

		if (k >= 0 && k < EBTOP_NERR)
			s->errors[k] = (uint64_t)sqlite3_column_int64(q, 1);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return fail(r, -EIO, "reading loss counters");
	q = r->get_progs;
	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, progs ? progs : "[]", -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW && s->nprogs < MAX_PROGS) {
		struct prog_cost *p = &s->progs[s->nprogs++];

		snprintf(p->name, sizeof(p->name), "%s", col_text(q, 0) ? col_text(q, 0) : "");
		p->run_cnt = (uint64_t)sqlite3_column_int64(q, 1);
		p->run_time_ns = (uint64_t)sqlite3_column_int64(q, 2);
		p->ns_per_event =
		    sqlite3_column_type(q, 3) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 3);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return fail(r, -EIO, "reading BPF program costs");
	return 0;
}

/* The features as recorded (none before schema version 6): the JSON of features_json(). */
static void load_features(struct features *fs, const char *text)
{
	json_t *o = text ? json_loads(text, 0, NULL) : NULL;
	const char *name;
	json_t *v;

	memset(fs, 0, sizeof(*fs));
	json_object_foreach(o, name, v)
	{
		int f = feature_by_name(name);
		struct feature_state *st;

		if (f < 0)
			continue; /* a feature this version does not know */
		st = &fs->f[f];
		st->wanted = true;
		st->on = json_is_true(json_object_get(v, "available"));
		snprintf(st->how, sizeof(st->how), "%s",
			 json_string_value(json_object_get(v, "hooks")) ?: "");
		snprintf(st->why, sizeof(st->why), "%s",
			 json_string_value(json_object_get(v, "reason")) ?: "");
	}
	json_decref(o);
}

static int load_sample(struct replay *r, struct snapshot *s, int64_t id)
{
	sqlite3_stmt *q = r->get_sample;
	int rc, err;

	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(q);
		return fail(r, rc == SQLITE_DONE ? -ENOENT : -EIO, "reading a sample");
	}
	s->seq = (uint64_t)sqlite3_column_int64(q, 0);
	s->wall_ns = (uint64_t)sqlite3_column_int64(q, 1);
	s->mono_ns = (uint64_t)sqlite3_column_int64(q, 2);
	s->interval_ns = (uint64_t)sqlite3_column_int64(q, 3);
	s->self_cpu_pct =
	    sqlite3_column_type(q, 4) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 4);
	s->avail = (unsigned)sqlite3_column_int64(q, 5);
	s->ncpus = (unsigned)sqlite3_column_int64(q, 9); /* NULL (before version 3): 0 */
	s->conn_occ.sockets = (uint64_t)sqlite3_column_int64(q, 10);
	s->conn_occ.peers = (uint64_t)sqlite3_column_int64(q, 11);
	s->conn_occ.peers_max = (uint64_t)sqlite3_column_int64(q, 12);
	s->conn_occ.ring_kb = (uint64_t)sqlite3_column_int64(q, 13);
	s->conn_occ.events_dropped = (uint64_t)sqlite3_column_int64(q, 14);
	s->total.conn.open = (uint32_t)sqlite3_column_int64(q, 15);
	s->total.conn.retrans = (uint64_t)sqlite3_column_int64(q, 16);
	s->total.conn.segs_out = (uint64_t)sqlite3_column_int64(q, 17);
	s->total.conn.out = (uint64_t)sqlite3_column_int64(q, 18);
	s->total.conn.in = (uint64_t)sqlite3_column_int64(q, 19);
	s->total.conn.delta.opened = (uint64_t)sqlite3_column_int64(q, 20);
	s->total.conn.delta.refused = (uint64_t)sqlite3_column_int64(q, 21);
	s->total.conn.delta.reset = (uint64_t)sqlite3_column_int64(q, 22);
	s->total.conn.delta.timeout = (uint64_t)sqlite3_column_int64(q, 23);
	s->total.conn.delta.other = (uint64_t)sqlite3_column_int64(q, 24);
	snprintf(s->status, sizeof(s->status), "%s", col_text(q, 6) ? col_text(q, 6) : "");
	load_features(&s->features, col_text(q, 25));
	err = load_self(r, s, col_text(q, 7), col_text(q, 8));
	sqlite3_reset(q);
	return err;
}

static int load_rows(struct replay *r, struct snapshot *s, int64_t id)
{
	sqlite3_stmt *q = r->get_rows;
	size_t cap = 0;
	int rc;

	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct row *p;

		if (grow_array((void **)&s->procs, &cap, s->nprocs + 1, sizeof(*s->procs), 256)) {
			sqlite3_reset(q);
			return fail(r, -ENOMEM, "rebuilding process rows");
		}
		p = &s->procs[s->nprocs++];
		memset(p, 0, sizeof(*p));
		read_values(r, q, 9, p->v);
		p->pid = (uint32_t)sqlite3_column_int64(q, 0);
		p->tgid = v_u32(p->v[F_TGID], p->pid);
		p->ppid = v_u32(p->v[F_PPID], 0);
		p->uid = v_u32(p->v[F_UID], 0);
		p->start_ns = p->pstart_ns = (uint64_t)sqlite3_column_int64(q, 1);
		snprintf(p->comm, sizeof(p->comm), "%s", col_text(q, 2) ? col_text(q, 2) : "");
		p->flags = (uint32_t)sqlite3_column_int(q, 8) & (ROW_EXITED | ROW_KTHREAD);
		if (sqlite3_column_int(q, 6))
			p->flags |= ROW_KTHREAD;
		p->state = col_text(q, 7) ? col_text(q, 7)[0] : '?';
		p->nthreads = v_u32(p->v[F_THREADS], 0);
		if (col_text(q, 3) || col_text(q, 4) || col_text(q, 5)) {
			p->info = proc_info_new(col_text(q, 3), col_text(q, 4), col_text(q, 5));
			if (!p->info) {
				sqlite3_reset(q);
				return fail(r, -ENOMEM, "rebuilding process rows");
			}
		}
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return fail(r, store_errno(rc), "reading process rows");
	return 0;
}

static int load_total(struct replay *r, struct snapshot *s, int64_t id)
{
	sqlite3_stmt *q = r->get_total;
	int rc;

	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	for (int f = 0; f < F_NUM; f++)
		s->total.v[f] = NAN;
	if (rc == SQLITE_ROW)
		read_values(r, q, 1, s->total.v);
	sqlite3_reset(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(r, store_errno(rc), "reading totals");
	s->total.nthreads = v_u32(s->total.v[F_THREADS], 0);
	snprintf(s->total.comm, sizeof(s->total.comm), "total");
	return 0;
}

struct snapshot *replay_load(struct replay *r, size_t i, int *err)
{
	struct snapshot *s;
	int e;

	r->errmsg[0] = '\0';
	if (i >= r->n) {
		*err = -ERANGE;
		snprintf(r->errmsg, sizeof(r->errmsg), "no sample %zu (the recording has %zu)", i,
			 r->n);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		*err = -ENOMEM;
		return NULL;
	}
	s->refs = 1;
	e = load_sample(r, s, r->id[i]);
	if (!e)
		e = load_rows(r, s, r->id[i]);
	if (!e)
		e = load_total(r, s, r->id[i]);
	if (!e && store_disks_read(r->st, r->id[i], s))
		e = fail(r, -EIO, "reading disk rows");
	if (!e && store_conns_read(r->st, r->id[i], s))
		e = fail(r, -EIO, "reading connection rows");
	if (!e && store_events_read(r->st, r->id[i], s))
		e = fail(r, -EIO, "reading events");
	if (e) {
		snapshot_put(s);
		*err = e;
		return NULL;
	}
	*err = 0;
	return s;
}

/* Times typed in seconds carry ~0.1 us of rounding: compare to the microsecond. */
#define SEEK_SLACK_NS 1000

static struct snapshot *load_at(struct replay *r, size_t i, char *err, size_t errlen)
{
	struct snapshot *s;
	int e;

	s = replay_load(r, i, &e);
	if (!s) {
		snprintf(err, errlen, "%s", r->errmsg[0] ? r->errmsg : strerror(-e));
		return NULL;
	}
	s->seq = (uint64_t)r->id[i];
	r->pos = i;
	return s;
}

static struct snapshot *src_move(void *ctx, long delta, char *err, size_t errlen)
{
	struct replay *r = ctx;
	long to = (long)r->pos + delta;

	/* A recording still being written grows at the end. */
	if (to >= (long)r->n && replay_refresh(r))
		log_debug("replay: %s\n", r->errmsg);
	if (to < 0)
		to = 0;
	if (to >= (long)r->n)
		to = (long)r->n - 1;
	if (to < 0 || (size_t)to == r->pos) {
		snprintf(err, errlen, "%s",
			 delta < 0 ? "at the first sample" : "at the last sample");
		return NULL;
	}
	return load_at(r, (size_t)to, err, errlen);
}

static struct snapshot *src_seek(void *ctx, const char *when, char *err, size_t errlen)
{
	struct replay *r = ctx;
	struct store_time t;
	uint64_t at;

	if (store_parse_time(when, &t)) {
		snprintf(err, errlen,
			 "'%s' is not a time: HH:MM[:SS], YYYY-MM-DD HH:MM[:SS], epoch seconds, "
			 "first, last or -5m",
			 when);
		return NULL;
	}
	if (replay_refresh(r))
		log_debug("replay: %s\n", r->errmsg);
	if (!r->n) {
		snprintf(err, errlen, "the recording is empty");
		return NULL;
	}
	at = store_time_resolve(&t, r->wall[0], r->wall[r->n - 1]) + SEEK_SLACK_NS;
	if (at < r->wall[0]) {
		snprintf(err, errlen, "%s is before the recording", when);
		return NULL;
	}
	return load_at(r, (size_t)replay_find(r, at), err, errlen);
}

static void src_where(void *ctx, size_t *index, size_t *count)
{
	struct replay *r = ctx;

	*index = r->pos;
	*count = r->n;
}

void replay_source(struct replay *r, size_t start, struct snap_source *out)
{
	r->pos = start < r->n ? start : 0;
	*out = (struct snap_source){src_move, src_seek, src_where, r};
}

struct snapshot *replay_source_current(struct replay *r, char *err, size_t errlen)
{
	if (!r->n) {
		snprintf(err, errlen, "the recording is empty");
		return NULL;
	}
	return load_at(r, r->pos, err, errlen);
}
