// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Time series of one field from the history, per process or summed, raw or in step buckets. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/store_int.h"

/* Samples one query may span (a week of 1 s samples is 604800). */
#define MAX_SAMPLES (16u << 20)
/* Identities one selector may match within the range. */
#define MAX_IDENTS (1u << 20)

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

enum store_agg store_field_agg(int f)
{
	if (f < 0 || f >= F_NUM || fields[f].type != FT_NUM)
		return STORE_AGG_LAST;
	switch (fields[f].unit) {
	case UNIT_RATE:
	case UNIT_BYTES_RATE:
		return STORE_AGG_RATE;
	case UNIT_PERCENT:
		return (fields[f].flags & FIELD_SUM) ? STORE_AGG_RATE : STORE_AGG_MEAN;
	case UNIT_NS:
		if (ends_with(fields[f].name, "_total"))
			return STORE_AGG_LAST;
		if (ends_with(fields[f].name, "_min"))
			return STORE_AGG_MIN;
		if (ends_with(fields[f].name, "_max"))
			return STORE_AGG_MAX;
		return STORE_AGG_MEAN;
	default:
		return STORE_AGG_LAST;
	}
}

/* The samples in the range: time order for output, id order for lookups. */
struct span {
	int64_t *id;
	uint64_t *wall;
	uint64_t *dt;
	uint64_t rows; /* process rows in these samples (sample.nprocs) */
	size_t n;
	size_t *by_id; /* indexes sorted by id */
};

/* An identity matching the selector whose lifetime overlaps the range. */
struct ident_q {
	int64_t id;
	uint32_t pid;
	uint64_t start_ns;
	int64_t first, last; /* sample ids; last INT64_MAX while it runs */
	char comm[16];
	char *cmd;
};

/* One value of a series: process p (index in the identity list) at sample i (time order). */
struct obs {
	size_t p;
	size_t i;
	double v;
};

struct qstate {
	struct store *st;
	const struct store_series_query *q;
	struct span sp;
	struct ident_q *ids; /* sorted by id */
	size_t nids;
	double *bucket_dt; /* per bucket: the samples' total interval */
	enum store_agg agg;
	struct obs *obs;
	size_t nobs;
	size_t obs_cap;
	double *sum; /* summed series: per sample */
	bool *has;
	struct store_point *pts;
	store_series_fn fn;
	void *ctx;
};

static void span_free(struct span *sp)
{
	free(sp->id);
	free(sp->wall);
	free(sp->dt);
	free(sp->by_id);
}

static int by_id_cmp(const void *a, const void *b, void *ids)
{
	const int64_t *id = ids;
	int64_t x = id[*(const size_t *)a], y = id[*(const size_t *)b];

	return x < y ? -1 : x > y;
}

static int span_grow(struct span *sp, size_t cap)
{
	int64_t *id;
	uint64_t *w, *d;

	if (cap > MAX_SAMPLES)
		return -E2BIG;
	id = realloc(sp->id, cap * sizeof(*id));
	if (!id)
		return -ENOMEM;
	sp->id = id;
	w = realloc(sp->wall, cap * sizeof(*w));
	if (!w)
		return -ENOMEM;
	sp->wall = w;
	d = realloc(sp->dt, cap * sizeof(*d));
	if (!d)
		return -ENOMEM;
	sp->dt = d;
	return 0;
}

static int span_load(struct store *st, uint64_t from, uint64_t to, struct span *sp)
{
	sqlite3_stmt *q = NULL;
	size_t cap = 0;
	int rc, err;

	memset(sp, 0, sizeof(*sp));
	err = store_prepare(st,
			    "SELECT id, wall_ns, interval_ns, nprocs FROM sample"
			    " WHERE wall_ns BETWEEN ? AND ? ORDER BY wall_ns, id",
			    &q);
	if (err)
		return err;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)(from > INT64_MAX ? INT64_MAX : from));
	sqlite3_bind_int64(q, 2, (sqlite3_int64)(to > INT64_MAX ? INT64_MAX : to));
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (sp->n == cap) {
			cap = cap ? cap * 2 : 256;
			err = span_grow(sp, cap);
			if (err)
				break;
		}
		sp->id[sp->n] = sqlite3_column_int64(q, 0);
		sp->wall[sp->n] = (uint64_t)sqlite3_column_int64(q, 1);
		sp->dt[sp->n] = (uint64_t)sqlite3_column_int64(q, 2);
		sp->rows += (uint64_t)sqlite3_column_int64(q, 3);
		sp->n++;
	}
	err = store_rows_end(st, rc, err, "reading samples");
	sqlite3_finalize(q);
	if (!err && sp->n) {
		sp->by_id = malloc(sp->n * sizeof(*sp->by_id));
		if (!sp->by_id)
			err = -ENOMEM;
		for (size_t i = 0; !err && i < sp->n; i++)
			sp->by_id[i] = i;
		if (!err)
			qsort_r(sp->by_id, sp->n, sizeof(*sp->by_id), by_id_cmp, sp->id);
	}
	if (err)
		span_free(sp);
	return err;
}

/* Position in by_id of the first sample with an id >= id. */
static size_t span_lower(const struct span *sp, int64_t id)
{
	size_t lo = 0, hi = sp->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sp->id[sp->by_id[mid]] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Time-order index of a sample id, or -1 when it is not in the range. */
static long span_find(const struct span *sp, int64_t id)
{
	size_t k = span_lower(sp, id);

	return k < sp->n && sp->id[sp->by_id[k]] == id ? (long)sp->by_id[k] : -1;
}

static void idents_free(struct qstate *qs)
{
	for (size_t i = 0; i < qs->nids; i++)
		free(qs->ids[i].cmd);
	free(qs->ids);
}

/* Identities matching pid and/or comm (any without a selector) alive within [lo, hi]. */
static int idents_load(struct qstate *qs, int64_t lo, int64_t hi)
{
	const struct store_series_query *q = qs->q;
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	char sql[512];
	int rc, err, i = 3;

	snprintf(sql, sizeof(sql),
		 "SELECT id, pid, start_ns, comm, cmd, first_sample, last_sample FROM process"
		 " WHERE first_sample <= ?2 AND (last_sample IS NULL OR last_sample >= ?1)%s%s"
		 " ORDER BY id",
		 q->pid ? " AND pid = ?3" : "",
		 q->comm ? (q->pid ? " AND comm = ?4" : " AND comm = ?3") : "");
	err = store_prepare(qs->st, sql, &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, lo);
	sqlite3_bind_int64(s, 2, hi);
	if (q->pid)
		sqlite3_bind_int64(s, i++, q->pid);
	if (q->comm)
		sqlite3_bind_text(s, i, q->comm, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct ident_q *p;
		const char *t;

		if (qs->nids == cap) {
			struct ident_q *np;

			cap = cap ? cap * 2 : 64;
			np = cap > MAX_IDENTS ? NULL : realloc(qs->ids, cap * sizeof(*np));
			if (!np) {
				err = cap > MAX_IDENTS ? -E2BIG : -ENOMEM;
				break;
			}
			qs->ids = np;
		}
		p = &qs->ids[qs->nids++];
		memset(p, 0, sizeof(*p));
		p->id = sqlite3_column_int64(s, 0);
		p->pid = (uint32_t)sqlite3_column_int64(s, 1);
		p->start_ns = (uint64_t)sqlite3_column_int64(s, 2);
		t = (const char *)sqlite3_column_text(s, 3);
		snprintf(p->comm, sizeof(p->comm), "%s", t ? t : "");
		t = (const char *)sqlite3_column_text(s, 4);
		if (t && !(p->cmd = strdup(t))) {
			err = -ENOMEM;
			break;
		}
		p->first = sqlite3_column_int64(s, 5);
		p->last = sqlite3_column_type(s, 6) == SQLITE_NULL ? INT64_MAX
								   : sqlite3_column_int64(s, 6);
	}
	err = store_rows_end(qs->st, rc, err, "reading processes");
	sqlite3_finalize(s);
	return err;
}

static long ident_find(const struct qstate *qs, int64_t id)
{
	size_t lo = 0, hi = qs->nids;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (qs->ids[mid].id == id)
			return (long)mid;
		if (qs->ids[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int observe(struct qstate *qs, size_t p, size_t i, double v)
{
	if (!qs->q->per_process) {
		qs->sum[i] += v;
		qs->has[i] = true;
		return 0;
	}
	if (qs->nobs == qs->obs_cap) {
		size_t nc = qs->obs_cap ? qs->obs_cap * 2 : 256;
		struct obs *o = realloc(qs->obs, nc * sizeof(*o));

		if (!o)
			return -ENOMEM;
		qs->obs = o;
		qs->obs_cap = nc;
	}
	qs->obs[qs->nobs++] = (struct obs){p, i, v};
	return 0;
}

/* Seeks (sample_id, proc_id) for each identity over the samples of its lifetime. */
static int collect_seek(struct qstate *qs)
{
	char sql[160];
	sqlite3_stmt *s = NULL;
	int err;

	snprintf(sql, sizeof(sql),
		 "SELECT \"%s\" FROM proc_sample WHERE sample_id = ? AND proc_id = ?",
		 store_field_column(qs->q->field));
	err = store_prepare(qs->st, sql, &s);
	for (size_t p = 0; !err && p < qs->nids; p++) {
		const struct ident_q *id = &qs->ids[p];

		for (size_t k = span_lower(&qs->sp, id->first); !err && k < qs->sp.n; k++) {
			size_t i = qs->sp.by_id[k];
			int rc;

			if (qs->sp.id[i] > id->last)
				break;
			sqlite3_reset(s);
			sqlite3_bind_int64(s, 1, qs->sp.id[i]);
			sqlite3_bind_int64(s, 2, id->id);
			rc = sqlite3_step(s);
			if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
				err = observe(qs, p, i, sqlite3_column_double(s, 0));
			else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
				err = store_errno(rc);
		}
	}
	if (err && err != -ENOMEM)
		store_set_err(qs->st, "reading history rows");
	sqlite3_finalize(s);
	return err;
}

/* Reads every row of the range once; for broad selectors and sums over everything. */
static int collect_scan(struct qstate *qs, bool filter)
{
	int64_t lo = qs->sp.id[qs->sp.by_id[0]], hi = qs->sp.id[qs->sp.by_id[qs->sp.n - 1]];
	char sql[192];
	sqlite3_stmt *s = NULL;
	int rc = SQLITE_DONE, err;

	snprintf(sql, sizeof(sql),
		 "SELECT sample_id, proc_id, \"%s\" FROM proc_sample"
		 " WHERE sample_id BETWEEN ? AND ?",
		 store_field_column(qs->q->field));
	err = store_prepare(qs->st, sql, &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, lo);
	sqlite3_bind_int64(s, 2, hi);
	while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		long i, p = 0;

		if (sqlite3_column_type(s, 2) == SQLITE_NULL)
			continue;
		i = span_find(&qs->sp, sqlite3_column_int64(s, 0));
		if (i >= 0 && filter)
			p = ident_find(qs, sqlite3_column_int64(s, 1));
		if (i >= 0 && p >= 0)
			err = observe(qs, (size_t)p, (size_t)i, sqlite3_column_double(s, 2));
	}
	if (!err && rc != SQLITE_DONE) {
		store_set_err(qs->st, "reading history rows");
		err = store_errno(sqlite3_extended_errcode(qs->st->db));
	}
	sqlite3_finalize(s);
	return err;
}

/* Lookups the seek path would do; compared with the rows a scan reads. */
static uint64_t seek_cost(const struct qstate *qs)
{
	uint64_t n = 0;

	for (size_t p = 0; p < qs->nids; p++) {
		size_t a = span_lower(&qs->sp, qs->ids[p].first);
		size_t b = qs->ids[p].last == INT64_MAX ? qs->sp.n
							: span_lower(&qs->sp, qs->ids[p].last + 1);

		n += b > a ? b - a : 0;
	}
	return n;
}

/*
 * Observations of one series (sorted by sample) to points. Raw: one point
 * each. Buckets: combined as store_field_agg() says; RATE divides by the dt
 * of all the bucket's samples (absent counts 0), MEAN by the dt of those
 * with a value.
 */
static size_t to_points(const struct qstate *qs, const struct obs *o, size_t n)
{
	const struct span *sp = &qs->sp;
	uint64_t from = qs->q->from_ns, step = qs->q->step_ns;
	size_t np = 0;

	if (!step) {
		for (size_t k = 0; k < n; k++)
			qs->pts[np++] = (struct store_point){sp->wall[o[k].i], o[k].v};
		return np;
	}
	for (size_t k = 0; k < n;) {
		uint64_t b = (sp->wall[o[k].i] - from) / step;
		double num = 0, w = 0, last = NAN, lo = INFINITY, hi = -INFINITY, v;

		for (; k < n && (sp->wall[o[k].i] - from) / step == b; k++) {
			num += o[k].v * (double)sp->dt[o[k].i];
			w += (double)sp->dt[o[k].i];
			last = o[k].v;
			lo = fmin(lo, o[k].v);
			hi = fmax(hi, o[k].v);
		}
		switch (qs->agg) {
		case STORE_AGG_RATE:
			v = qs->bucket_dt[b] > 0 ? num / qs->bucket_dt[b] : NAN;
			break;
		case STORE_AGG_MEAN:
			v = w > 0 ? num / w : NAN;
			break;
		case STORE_AGG_MIN:
			v = lo;
			break;
		case STORE_AGG_MAX:
			v = hi;
			break;
		default:
			v = last;
			break;
		}
		qs->pts[np].t_ns = from + b * step;
		qs->pts[np].v = v;
		np++;
	}
	return np;
}

static int obs_cmp(const void *pa, const void *pb)
{
	const struct obs *a = pa, *b = pb;

	if (a->p != b->p)
		return a->p < b->p ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

static int emit_all(struct qstate *qs)
{
	const struct store_series_query *q = qs->q;
	struct store_series s = {.pid = q->pid, .comm = q->comm};
	size_t n = 0;
	int err = 0;

	if (!q->per_process) {
		for (size_t i = 0; i < qs->sp.n; i++) {
			if (qs->has[i])
				qs->obs[n++] = (struct obs){0, i, qs->sum[i]};
		}
		s.pts = qs->pts;
		s.npts = to_points(qs, qs->obs, n);
		return qs->fn(qs->ctx, &s);
	}
	if (qs->nobs)
		qsort(qs->obs, qs->nobs, sizeof(*qs->obs), obs_cmp);
	for (size_t k = 0; !err && k < qs->nobs; k += n) {
		const struct ident_q *id = &qs->ids[qs->obs[k].p];

		for (n = 1; k + n < qs->nobs && qs->obs[k + n].p == qs->obs[k].p; n++)
			;
		s.pid = id->pid;
		s.start_ns = id->start_ns;
		s.comm = id->comm;
		s.cmd = id->cmd;
		s.pts = qs->pts;
		s.npts = to_points(qs, qs->obs + k, n);
		err = qs->fn(qs->ctx, &s);
	}
	return err;
}

static int run(struct qstate *qs)
{
	const struct store_series_query *q = qs->q;
	size_t maxpts = q->step_ns ? (size_t)((q->to_ns - q->from_ns) / q->step_ns + 1) : qs->sp.n;
	bool selector = q->pid || q->comm;
	int err;

	qs->pts = malloc((maxpts ? maxpts : 1) * sizeof(*qs->pts));
	if (!qs->pts)
		return -ENOMEM;
	if (q->step_ns) {
		qs->bucket_dt = calloc(maxpts, sizeof(*qs->bucket_dt));
		if (!qs->bucket_dt)
			return -ENOMEM;
		for (size_t i = 0; i < qs->sp.n; i++)
			qs->bucket_dt[(qs->sp.wall[i] - q->from_ns) / q->step_ns] +=
			    (double)qs->sp.dt[i];
	}
	if (!q->per_process) {
		size_t n = qs->sp.n ? qs->sp.n : 1;

		qs->sum = calloc(n, sizeof(*qs->sum));
		qs->has = calloc(n, sizeof(*qs->has));
		qs->obs = malloc(n * sizeof(*qs->obs));
		if (!qs->sum || !qs->has || !qs->obs)
			return -ENOMEM;
	}
	if (!qs->sp.n)
		return emit_all(qs);
	if (selector || q->per_process) {
		err = idents_load(qs, qs->sp.id[qs->sp.by_id[0]],
				  qs->sp.id[qs->sp.by_id[qs->sp.n - 1]]);
		if (err)
			return err;
		if (q->per_process && qs->nids > (q->max_series ? q->max_series : 1000))
			return -E2BIG;
	}
	/* A point lookup costs about what reading a few rows in order does. */
	if (selector && seek_cost(qs) * 4 < qs->sp.rows)
		err = collect_seek(qs);
	else
		err = collect_scan(qs, selector || q->per_process);
	return err ? err : emit_all(qs);
}

int store_query_series(struct store *st, const struct store_series_query *q, store_series_fn fn,
		       void *ctx)
{
	struct qstate qs = {.st = st, .q = q, .fn = fn, .ctx = ctx};
	int err;

	if (q->field < 0 || q->field >= F_NUM || fields[q->field].type != FT_NUM ||
	    q->from_ns > q->to_ns)
		return -EINVAL;
	if (q->step_ns && (q->to_ns - q->from_ns) / q->step_ns + 1 > STORE_MAX_POINTS)
		return -E2BIG;
	if (!st->col[q->field]) {
		/* Recorded before this field existed: no data rather than an error. */
		struct store_series empty = {.pid = q->pid, .comm = q->comm};

		return q->per_process ? 0 : fn(ctx, &empty);
	}
	err = span_load(st, q->from_ns, q->to_ns, &qs.sp);
	if (err)
		return err;
	qs.agg = store_field_agg(q->field);
	if (!q->step_ns && qs.sp.n > STORE_MAX_POINTS)
		err = -E2BIG;
	else
		err = run(&qs);
	span_free(&qs.sp);
	idents_free(&qs);
	free(qs.bucket_dt);
	free(qs.pts);
	free(qs.obs);
	free(qs.sum);
	free(qs.has);
	return err;
}
