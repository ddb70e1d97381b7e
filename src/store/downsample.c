// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Downsampling: the samples of one old time bucket merged into one, a bucket per unit of work. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/clock.h"
#include "core/log.h"
#include "model/hist.h"
#include "store/store_int.h"

#define SQL_MAX 32768

/*
 * The value columns of a table and how each merges: fields this build knows
 * by store_field_agg(), columns of fields it does not know keep the last value.
 */
static int load_cols(struct store *st, const char *table, struct store_col **out, size_t *nout)
{
	char sql[96];
	sqlite3_stmt *q = NULL;
	struct store_col *cols = NULL;
	size_t n = 0, cap = 0;
	int rc, err;

	snprintf(sql, sizeof(sql), "PRAGMA table_info(%s)", table);
	err = store_prepare(st, sql, &q);
	if (err)
		return err;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(q, 1);
		struct store_col *c;

		if (!name || !strcmp(name, "sample_id") || !strcmp(name, "proc_id") ||
		    !strcmp(name, "state") || !strcmp(name, "flags") ||
		    strlen(name) >= sizeof(c->name))
			continue;
		if (n == cap) {
			struct store_col *nc =
			    realloc(cols, (cap = cap ? cap * 2 : 64) * sizeof(*nc));

			if (!nc) {
				err = -ENOMEM;
				break;
			}
			cols = nc;
		}
		c = &cols[n++];
		snprintf(c->name, sizeof(c->name), "%s", name);
		c->agg = STORE_AGG_LAST;
		for (int f = 0; f < F_NUM; f++) {
			const char *fc = store_field_column(f);

			if (fc && !strcmp(fc, name))
				c->agg = store_field_agg(f);
		}
	}
	if (!err && rc != SQLITE_DONE)
		err = store_errno(rc);
	sqlite3_finalize(q);
	if (err) {
		free(cols);
		return err;
	}
	*out = cols;
	*nout = n;
	return 0;
}

/* appends printf-style text; returns nonzero once the buffer is full */
static int add(char *buf, size_t *len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int add(char *buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= SQL_MAX)
		return -E2BIG;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, SQL_MAX - *len, fmt, ap);
	va_end(ap);
	*len += n > 0 ? (size_t)n : 0;
	return *len >= SQL_MAX ? -E2BIG : 0;
}

/*
 * SQL that merges the bucket's rows of a value table, one row per key
 * (proc_id; none for total_sample): aggregates over the bucket joined with
 * the key's latest row, after prefix ("CREATE TEMP TABLE x AS ", "INSERT
 * INTO x "). ?1 is the bucket's total time; process rows take the proc_id
 * range [?2, ?3).
 */
static int merge_sql(const struct store_col *cols, size_t n, bool per_proc, const char *prefix,
		     char *sql)
{
	size_t len = 0;
	const char *table = per_proc ? "proc_sample" : "total_sample";
	int err = add(sql, &len, "%sSELECT %s", prefix,
		      per_proc ? "a.proc_id AS proc_id, l.state AS state, l.flags AS flags" : "0");

	for (size_t i = 0; !err && i < n; i++) {
		const char *c = cols[i].name;

		switch (cols[i].agg) {
		case STORE_AGG_RATE:
			err = add(sql, &len, ", a.\"%s\" / ?1 AS \"%s\"", c, c);
			break;
		case STORE_AGG_MEAN:
			err = add(sql, &len, ", a.\"%s\" / a.\"w_%s\" AS \"%s\"", c, c, c);
			break;
		case STORE_AGG_MIN:
		case STORE_AGG_MAX:
			err = add(sql, &len, ", a.\"%s\" AS \"%s\"", c, c);
			break;
		default:
			err = add(sql, &len, ", l.\"%s\" AS \"%s\"", c, c);
			break;
		}
	}
	if (!err)
		err = add(sql, &len, " FROM (SELECT %smax(v.sample_id) AS last_id",
			  per_proc ? "v.proc_id AS proc_id, " : "");
	for (size_t i = 0; !err && i < n; i++) {
		const char *c = cols[i].name;

		switch (cols[i].agg) {
		case STORE_AGG_RATE:
			err = add(sql, &len, ", sum(v.\"%s\" * b.dt) AS \"%s\"", c, c);
			break;
		case STORE_AGG_MEAN:
			err = add(sql, &len,
				  ", sum(v.\"%s\" * b.dt) AS \"%s\","
				  " sum(CASE WHEN v.\"%s\" IS NOT NULL THEN b.dt END) AS \"w_%s\"",
				  c, c, c, c);
			break;
		case STORE_AGG_MIN:
			err = add(sql, &len, ", min(v.\"%s\") AS \"%s\"", c, c);
			break;
		case STORE_AGG_MAX:
			err = add(sql, &len, ", max(v.\"%s\") AS \"%s\"", c, c);
			break;
		default:
			break;
		}
	}
	if (!err)
		err = add(sql, &len,
			  " FROM temp.bucket b JOIN %s v ON v.sample_id = b.id%s) a"
			  " JOIN %s l ON l.sample_id = a.last_id%s",
			  table,
			  per_proc ? " AND v.proc_id >= ?2 AND v.proc_id < ?3 GROUP BY v.proc_id"
				   : "",
			  table, per_proc ? " AND l.proc_id = a.proc_id" : "");
	return err;
}

static int run_merge(struct store *st, const char *sql, int64_t total_dt, int64_t lo, int64_t hi)
{
	sqlite3_stmt *q = NULL;
	int err = store_prepare(st, sql, &q);

	if (err)
		return err;
	sqlite3_bind_int64(q, 1, total_dt);
	if (sqlite3_bind_parameter_count(q) >= 3) {
		sqlite3_bind_int64(q, 2, lo);
		sqlite3_bind_int64(q, 3, hi);
	}
	if (sqlite3_step(q) != SQLITE_DONE) {
		store_set_err(st, "merging rows");
		err = store_errno(sqlite3_extended_errcode(st->db));
	}
	sqlite3_finalize(q);
	return err;
}

/* Merged process rows of procs [lo, hi) into temp.staging (created by the first range). */
static int stage_procs(struct store *st, bool first, int64_t lo, int64_t hi)
{
	char *sql = malloc(SQL_MAX);
	int err;

	if (!sql)
		return -ENOMEM;
	err = merge_sql(st->pcols, st->npcols, true,
			first ? "CREATE TEMP TABLE staging AS " : "INSERT INTO temp.staging ", sql);
	if (!err)
		err = run_merge(st, sql, st->ds.total_dt, lo, hi);
	free(sql);
	return err;
}

/* The keeper's rows become the merged ones (the other samples' rows go with them later). */
static int swap_procs(struct store *st)
{
	char *sql = malloc(SQL_MAX);
	size_t len = 0;
	int err;

	if (!sql)
		return -ENOMEM;
	err = add(sql, &len,
		  "DELETE FROM proc_sample WHERE sample_id = %lld;"
		  " INSERT INTO proc_sample (sample_id, proc_id, state, flags",
		  (long long)st->ds.keeper);
	for (size_t i = 0; !err && i < st->npcols; i++)
		err = add(sql, &len, ", \"%s\"", st->pcols[i].name);
	if (!err)
		err = add(sql, &len, ") SELECT %lld, proc_id, state, flags",
			  (long long)st->ds.keeper);
	for (size_t i = 0; !err && i < st->npcols; i++)
		err = add(sql, &len, ", \"%s\"", st->pcols[i].name);
	if (!err)
		err = add(sql, &len, " FROM temp.staging; DROP TABLE temp.staging");
	if (!err)
		err = store_exec(st, sql);
	free(sql);
	return err;
}

/* The bucket's total rows: one merged row under the keeper's id (a few rows: one unit). */
static int merge_totals(struct store *st)
{
	char *sql = malloc(SQL_MAX);
	size_t len = 0;
	int err;

	if (!sql)
		return -ENOMEM;
	err = store_exec(st, "DROP TABLE IF EXISTS temp.merged");
	if (!err)
		err = merge_sql(st->tcols, st->ntcols, false, "CREATE TEMP TABLE merged AS ", sql);
	if (!err)
		err = run_merge(st, sql, st->ds.total_dt, 0, 0);
	if (!err) {
		len = 0;
		err = add(sql, &len,
			  "DELETE FROM total_sample WHERE sample_id IN"
			  " (SELECT id FROM temp.bucket); INSERT INTO total_sample (sample_id");
		for (size_t i = 0; !err && i < st->ntcols; i++)
			err = add(sql, &len, ", \"%s\"", st->tcols[i].name);
		if (!err)
			err = add(sql, &len, ") SELECT %lld", (long long)st->ds.keeper);
		for (size_t i = 0; !err && i < st->ntcols; i++)
			err = add(sql, &len, ", \"%s\"", st->tcols[i].name);
		if (!err)
			err = add(sql, &len, " FROM temp.merged; DROP TABLE temp.merged");
		if (!err)
			err = store_exec(st, sql);
	}
	free(sql);
	return err;
}

static void merge_lat(struct lat_summary *acc, double *w, const struct lat_summary *l, double n)
{
	if (isnan(l->avg) || n <= 0)
		return;
	acc->min = isnan(acc->min) ? l->min : fmin(acc->min, l->min);
	acc->max = isnan(acc->max) ? l->max : fmax(acc->max, l->max);
	/* Means weighted by requests; percentiles too, an approximation (no histogram kept). */
	acc->avg = (isnan(acc->avg) ? 0 : acc->avg * *w) + l->avg * n;
	acc->p50 = (isnan(acc->p50) ? 0 : acc->p50 * *w) + l->p50 * n;
	acc->p99 = (isnan(acc->p99) ? 0 : acc->p99 * *w) + l->p99 * n;
	*w += n;
	acc->avg /= *w;
	acc->p50 /= *w;
	acc->p99 /= *w;
}

struct disk_acc {
	struct disk_row d;
	double w_lat, w_svc, w_op[EBTOP_DISK_NOPS];
	double rate_dt[2][EBTOP_DISK_NOPS]; /* sum(bytes_rate * dt), sum(iops * dt) */
};

static void disk_acc_init(struct disk_acc *a, const struct disk_row *d)
{
	const struct lat_summary none = {NAN, NAN, NAN, NAN, NAN};

	memset(a, 0, sizeof(*a));
	snprintf(a->d.name, sizeof(a->d.name), "%s", d->name);
	a->d.dev = d->dev;
	a->d.lat = a->d.svc = a->d.op_lat[0] = a->d.op_lat[1] = none;
}

static void disk_acc_add(struct disk_acc *a, const struct disk_row *d, double dt_s)
{
	double n = 0;

	for (int op = 0; op < EBTOP_DISK_NOPS; op++) {
		double ops = isnan(d->iops[op]) ? 0 : d->iops[op] * dt_s;

		if (!isnan(d->bytes_rate[op]))
			a->rate_dt[0][op] += d->bytes_rate[op] * dt_s;
		a->rate_dt[1][op] += ops;
		n += ops;
		merge_lat(&a->d.op_lat[op], &a->w_op[op], &d->op_lat[op], ops);
		a->d.bytes[op] = d->bytes[op];
		a->d.ios[op] = d->ios[op];
	}
	for (uint32_t b = 0; b < EBTOP_HIST_BUCKETS; b++)
		a->d.hist[b] += d->hist[b];
	merge_lat(&a->d.lat, &a->w_lat, &d->lat, n);
	merge_lat(&a->d.svc, &a->w_svc, &d->svc, n);
}

/* Disk rows merge in C: histograms add up, and the queue+service percentiles come from them. */
static int merge_disks(struct store *st)
{
	struct disk_acc *acc = NULL;
	struct snapshot merged = {0};
	sqlite3_stmt *q = NULL;
	double total_s = (double)st->ds.total_dt / 1e9;
	size_t nacc = 0;
	int rc, err;

	/* In time order: totals keep the last sample's. */
	err = store_prepare(st,
			    "SELECT b.id, b.dt FROM temp.bucket b JOIN sample s ON s.id = b.id"
			    " ORDER BY s.wall_ns, s.id",
			    &q);
	while (!err && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct snapshot s = {0};
		double dt_s = (double)sqlite3_column_int64(q, 1) / 1e9;

		err = store_disks_read(st, sqlite3_column_int64(q, 0), &s);
		for (size_t k = 0; !err && k < s.ndisks; k++) {
			struct disk_acc *a = NULL;

			for (size_t j = 0; j < nacc; j++) {
				if (acc[j].d.dev == s.disks[k].dev &&
				    !strcmp(acc[j].d.name, s.disks[k].name))
					a = &acc[j];
			}
			if (!a) {
				struct disk_acc *na = realloc(acc, (nacc + 1) * sizeof(*na));

				if (!na) {
					err = -ENOMEM;
					break;
				}
				acc = na;
				a = &acc[nacc++];
				disk_acc_init(a, &s.disks[k]);
			}
			disk_acc_add(a, &s.disks[k], dt_s);
		}
		free(s.disks);
	}
	sqlite3_finalize(q);
	if (!err && nacc) {
		merged.disks = calloc(nacc, sizeof(*merged.disks));
		if (!merged.disks)
			err = -ENOMEM;
	}
	for (size_t j = 0; !err && j < nacc; j++) {
		struct disk_row *d = &merged.disks[merged.ndisks++];
		uint64_t count = 0;

		*d = acc[j].d;
		for (int op = 0; op < EBTOP_DISK_NOPS; op++) {
			d->bytes_rate[op] = total_s > 0 ? acc[j].rate_dt[0][op] / total_s : NAN;
			d->iops[op] = total_s > 0 ? acc[j].rate_dt[1][op] / total_s : NAN;
		}
		for (uint32_t b = 0; b < EBTOP_HIST_BUCKETS; b++)
			count += d->hist[b];
		if (count) {
			d->lat.p50 = hist_percentile(d->hist, 0.50);
			d->lat.p99 = hist_percentile(d->hist, 0.99);
		}
	}
	if (!err)
		err = store_exec(st, "DELETE FROM disk_sample"
				     " WHERE sample_id IN (SELECT id FROM temp.bucket)");
	if (!err)
		err = store_disks_write(st, st->ds.keeper, &merged);
	free(merged.disks);
	free(acc);
	return err;
}

static int64_t one_int(struct store *st, const char *sql, int64_t a, int64_t b, int *err)
{
	sqlite3_stmt *q = NULL;
	int64_t v = -1;
	int rc;

	*err = store_prepare(st, sql, &q);
	if (*err)
		return -1;
	sqlite3_bind_int64(q, 1, a);
	sqlite3_bind_int64(q, 2, b);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(q, 0);
	else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		*err = store_errno(rc);
	sqlite3_finalize(q);
	return v;
}

/* The oldest sample a tier may merge: finer than the tier and older than its age. */
static int64_t oldest_finer(struct store *st, int tier, uint64_t cutoff, int *err)
{
	int64_t best = -1;

	/* One index seek per finer level (raw, then each finer tier). */
	for (int j = -1; j < tier; j++) {
		int64_t w = one_int(st,
				    "SELECT wall_ns FROM sample WHERE step_s = ?1 AND wall_ns < ?2"
				    " ORDER BY wall_ns LIMIT 1",
				    j < 0 ? 0 : st->opts.tiers[j].step_s, (int64_t)cutoff, err);

		if (*err)
			return -1;
		if (w >= 0 && (best < 0 || w < best))
			best = w;
	}
	return best;
}

/* The bucket's samples into temp.bucket (id, dt); their number, or a negative errno. */
static long load_bucket(struct store *st, int64_t b0, int64_t b1, uint32_t step_s)
{
	sqlite3_stmt *q = NULL;
	int err;

	err = store_exec(st, "CREATE TEMP TABLE IF NOT EXISTS bucket (id INTEGER PRIMARY KEY, dt);"
			     "DELETE FROM temp.bucket");
	if (!err)
		err =
		    store_prepare(st,
				  /* dt as REAL: whole rates (stored as integers) x ns
				   * would overflow sum() over 64-bit integers */
				  "INSERT INTO temp.bucket SELECT id, interval_ns * 1.0 FROM sample"
				  " WHERE wall_ns >= ?1 AND wall_ns < ?2 AND step_s < ?3",
				  &q);
	if (err)
		return err;
	sqlite3_bind_int64(q, 1, b0);
	sqlite3_bind_int64(q, 2, b1);
	sqlite3_bind_int64(q, 3, step_s);
	if (sqlite3_step(q) != SQLITE_DONE) {
		store_set_err(st, "choosing a bucket");
		err = store_errno(sqlite3_extended_errcode(st->db));
	}
	sqlite3_finalize(q);
	return err ? err : (long)sqlite3_changes(st->db);
}

static int finish_sample(struct store *st, int64_t keeper, uint32_t step_s, int64_t total_dt)
{
	/*
	 * Events keep their own times: they all move to the merged sample. The
	 * other samples' process and connection rows are many: deleted later, a
	 * bounded number per unit (maint.c); the merged sample keeps the
	 * connections of the bucket's last sample.
	 */
	int err0 = store_exec(st, "UPDATE event SET sample_id = (SELECT max(id) FROM temp.bucket)"
				  " WHERE sample_id IN (SELECT id FROM temp.bucket);"
				  "INSERT OR IGNORE INTO sample_gc SELECT id FROM temp.bucket"
				  " WHERE id != (SELECT max(id) FROM temp.bucket)");

	if (err0)
		return err0;
	{
		sqlite3_stmt *q = NULL;
		int err;

		err = store_prepare(
		    st,
		    "UPDATE sample SET interval_ns = ?2, step_s = ?3,"
		    " merged = (SELECT sum(merged) FROM sample WHERE id IN (SELECT id FROM "
		    "temp.bucket)),"
		    " self_cpu_pct = (SELECT sum(self_cpu_pct * interval_ns) / ?2 FROM sample"
		    "  WHERE id IN (SELECT id FROM temp.bucket)),"
		    " nprocs = (SELECT count(*) FROM proc_sample WHERE sample_id = ?1)"
		    " WHERE id = ?1",
		    &q);
		if (err)
			return err;
		sqlite3_bind_int64(q, 1, keeper);
		sqlite3_bind_int64(q, 2, total_dt);
		sqlite3_bind_int64(q, 3, step_s);
		if (sqlite3_step(q) != SQLITE_DONE) {
			store_set_err(st, "updating a merged sample");
			err = store_errno(sqlite3_extended_errcode(st->db));
		}
		sqlite3_finalize(q);
		if (err)
			return err;
		err = store_prepare(st,
				    "UPDATE process SET last_sample = ?1"
				    " WHERE last_sample IN (SELECT id FROM temp.bucket)",
				    &q);
		if (err)
			return err;
		sqlite3_bind_int64(q, 1, keeper);
		if (sqlite3_step(q) != SQLITE_DONE) {
			store_set_err(st, "moving process lifetimes");
			err = store_errno(sqlite3_extended_errcode(st->db));
		}
		sqlite3_finalize(q);
		if (!err)
			err = store_exec(
			    st, "DELETE FROM sample WHERE id IN (SELECT id FROM temp.bucket)"
				" AND id != (SELECT max(id) FROM temp.bucket)");
		return err;
	}
}

/* Starts merging the oldest eligible bucket of a tier: 1 started, 0 none, or a negative errno. */
static int begin_bucket(struct store *st, uint64_t now_ns, int tier)
{
	const struct store_tier *t = &st->opts.tiers[tier];
	uint64_t step_ns = (uint64_t)t->step_s * NSEC_PER_SEC, cutoff;
	int64_t oldest, b0;
	long n;
	int err = 0;

	/* Retention would delete the data first: merging it is wasted work. */
	if (now_ns <= t->age_ns || (st->opts.retain_ns && st->opts.retain_ns <= t->age_ns))
		return 0;
	cutoff = now_ns - t->age_ns;
	oldest = oldest_finer(st, tier, cutoff, &err);
	if (err || oldest < 0)
		return err;
	b0 = (int64_t)(((uint64_t)oldest / step_ns) * step_ns);
	if ((uint64_t)b0 + step_ns > cutoff)
		return 0; /* the bucket is not entirely old enough yet */
	if (!st->pcols) {
		err = load_cols(st, "proc_sample", &st->pcols, &st->npcols);
		if (!err)
			err = load_cols(st, "total_sample", &st->tcols, &st->ntcols);
		if (err)
			return err;
	}
	err = store_exec(st, "DROP TABLE IF EXISTS temp.staging");
	n = err ? err : load_bucket(st, b0, b0 + (int64_t)step_ns, t->step_s);
	if (n <= 0)
		return n < 0 ? (int)n : -EIO; /* the oldest sample lies in it: never empty */
	/*
	 * The bucket's last sample (the highest id: rows merge by "latest id" too)
	 * keeps its id, time, errors, status and BPF costs.
	 */
	st->ds.keeper = one_int(st, "SELECT max(id) + ?1 - ?2 FROM temp.bucket", 0, 0, &err);
	if (!err)
		st->ds.total_dt =
		    one_int(st, "SELECT sum(dt) + ?1 - ?2 FROM temp.bucket", 0, 0, &err);
	if (err)
		return err;
	st->ds.active = true;
	st->ds.tier = tier;
	st->ds.nsamples = (size_t)n;
	st->ds.next_proc = 0;
	st->ds.staged = false;
	return 1;
}

/*
 * Where the next range of processes ends: about STORE_ROWS_PER_UNIT rows of
 * the bucket. The keeper sample's processes mark the bounds; processes only
 * in earlier samples fall in whichever range spans their id. -1: the rest.
 */
static int64_t range_end(struct store *st, size_t per, int *err)
{
	sqlite3_stmt *q = NULL;
	int64_t v = -1;
	int rc;

	*err =
	    store_prepare(st,
			  "SELECT proc_id FROM proc_sample WHERE sample_id = ?1 AND proc_id >= ?2"
			  " ORDER BY proc_id LIMIT 1 OFFSET ?3",
			  &q);
	if (*err)
		return -1;
	sqlite3_bind_int64(q, 1, st->ds.keeper);
	sqlite3_bind_int64(q, 2, st->ds.next_proc);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)per);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	else if (rc != SQLITE_DONE)
		*err = store_errno(rc);
	sqlite3_finalize(q);
	return v;
}

/* Merges the next range of processes; the last range also swaps the rows and the sample. */
static int continue_bucket(struct store *st)
{
	struct store_ds *ds = &st->ds;
	size_t per = STORE_ROWS_PER_UNIT / (ds->nsamples ? ds->nsamples : 1);
	int64_t hi;
	int err = 0;

	hi = range_end(st, per ? per : 1, &err);
	if (err)
		return err;
	if (hi < 0)
		hi = INT64_MAX;
	err = stage_procs(st, !ds->staged, ds->next_proc, hi);
	if (err)
		return err;
	ds->staged = true;
	ds->next_proc = hi;
	if (hi != INT64_MAX)
		return 1;
	/* Retention may have taken the bucket meanwhile (a short --retain): start over. */
	if (one_int(st,
		    "SELECT count(*) + ?1 - ?2 FROM sample WHERE id = (SELECT max(id) FROM"
		    " temp.bucket)",
		    0, 0, &err) != 1 ||
	    err) {
		ds->active = false;
		return err;
	}
	err = swap_procs(st);
	if (!err)
		err = merge_totals(st);
	if (!err)
		err = merge_disks(st);
	if (!err)
		err = finish_sample(st, ds->keeper, st->opts.tiers[ds->tier].step_s, ds->total_dt);
	if (!err)
		log_debug("history: %zu samples merged into one of %u s\n", ds->nsamples,
			  st->opts.tiers[ds->tier].step_s);
	ds->active = false;
	return err ? err : 1;
}

int store_downsample_unit(struct store *st, uint64_t now_ns, int tier)
{
	int r;

	if (!st->ds.active) {
		r = begin_bucket(st, now_ns, tier);
		if (r <= 0)
			return r;
	}
	/* One bucket at a time: another tier's waits until this one is done. */
	if (st->ds.tier != tier)
		return 0;
	return continue_bucket(st);
}
