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
 * SQL that merges the bucket's rows of a value table into temp.merged, one
 * row per key (proc_id; none for total_sample): aggregates over the bucket
 * joined with the key's latest row. ?1 is the bucket's total time.
 */
static int merge_sql(const struct store_col *cols, size_t n, bool per_proc, char *sql)
{
	size_t len = 0;
	const char *table = per_proc ? "proc_sample" : "total_sample";
	int err = add(sql, &len, "CREATE TEMP TABLE merged AS SELECT %s",
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
			  " FROM %s v JOIN temp.bucket b ON b.id = v.sample_id%s) a"
			  " JOIN %s l ON l.sample_id = a.last_id%s",
			  table, per_proc ? " GROUP BY v.proc_id" : "", table,
			  per_proc ? " AND l.proc_id = a.proc_id" : "");
	return err;
}

/* Replaces the bucket's rows of a value table by the merged ones, under the keeper's id. */
static int merge_table(struct store *st, bool per_proc, int64_t keeper, int64_t total_dt)
{
	const struct store_col *cols = per_proc ? st->pcols : st->tcols;
	size_t n = per_proc ? st->npcols : st->ntcols;
	const char *table = per_proc ? "proc_sample" : "total_sample";
	char *sql = malloc(SQL_MAX);
	sqlite3_stmt *q = NULL;
	size_t len = 0;
	int err;

	if (!sql)
		return -ENOMEM;
	err = store_exec(st, "DROP TABLE IF EXISTS temp.merged");
	if (!err)
		err = merge_sql(cols, n, per_proc, sql);
	if (!err)
		err = store_prepare(st, sql, &q);
	if (!err) {
		sqlite3_bind_int64(q, 1, total_dt);
		if (sqlite3_step(q) != SQLITE_DONE) {
			store_set_err(st, "merging rows");
			err = store_errno(sqlite3_extended_errcode(st->db));
		}
		sqlite3_finalize(q);
	}
	if (!err) {
		len = 0;
		err = add(sql, &len,
			  "DELETE FROM %s WHERE sample_id IN (SELECT id FROM temp.bucket);"
			  " INSERT INTO %s (sample_id%s",
			  table, table, per_proc ? ", proc_id, state, flags" : "");
		for (size_t i = 0; !err && i < n; i++)
			err = add(sql, &len, ", \"%s\"", cols[i].name);
		if (!err)
			err = add(sql, &len, ") SELECT %lld%s", (long long)keeper,
				  per_proc ? ", proc_id, state, flags" : "");
		for (size_t i = 0; !err && i < n; i++)
			err = add(sql, &len, ", \"%s\"", cols[i].name);
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
static int merge_disks(struct store *st, const int64_t *ids, size_t n, int64_t keeper,
		       double total_s)
{
	struct disk_acc *acc = NULL;
	struct snapshot merged = {0};
	size_t nacc = 0;
	int err = 0;

	for (size_t i = 0; !err && i < n; i++) {
		struct snapshot s = {0};
		double dt_s;
		sqlite3_stmt *q = NULL;

		err = store_prepare(st, "SELECT interval_ns FROM sample WHERE id = ?", &q);
		if (err)
			break;
		sqlite3_bind_int64(q, 1, ids[i]);
		dt_s = sqlite3_step(q) == SQLITE_ROW ? (double)sqlite3_column_int64(q, 0) / 1e9 : 0;
		sqlite3_finalize(q);
		err = store_disks_read(st, ids[i], &s);
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
		err = store_disks_write(st, keeper, &merged);
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

static int load_bucket(struct store *st, int64_t b0, int64_t b1, uint32_t step_s, int64_t **ids,
		       size_t *n)
{
	sqlite3_stmt *q = NULL;
	size_t cap = 0;
	int rc, err;

	*ids = NULL;
	*n = 0;
	err = store_exec(st, "CREATE TEMP TABLE IF NOT EXISTS bucket (id INTEGER PRIMARY KEY, dt);"
			     "DELETE FROM temp.bucket");
	if (!err)
		err = store_prepare(st,
				    "INSERT INTO temp.bucket SELECT id, interval_ns FROM sample"
				    " WHERE wall_ns >= ?1 AND wall_ns < ?2 AND step_s < ?3"
				    " ORDER BY wall_ns, id RETURNING id",
				    &q);
	if (err)
		return err;
	sqlite3_bind_int64(q, 1, b0);
	sqlite3_bind_int64(q, 2, b1);
	sqlite3_bind_int64(q, 3, step_s);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (*n == cap) {
			int64_t *ni = realloc(*ids, (cap = cap ? cap * 2 : 64) * sizeof(*ni));

			if (!ni) {
				err = -ENOMEM;
				break;
			}
			*ids = ni;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(q, 0);
	}
	if (!err && rc != SQLITE_DONE) {
		store_set_err(st, "choosing a bucket");
		err = store_errno(sqlite3_extended_errcode(st->db));
	}
	sqlite3_finalize(q);
	return err;
}

static int finish_sample(struct store *st, int64_t keeper, uint32_t step_s, int64_t total_dt)
{
	sqlite3_stmt *q = NULL;
	int err;

	err = store_prepare(
	    st,
	    "UPDATE sample SET interval_ns = ?2, step_s = ?3,"
	    " merged = (SELECT sum(merged) FROM sample WHERE id IN (SELECT id FROM temp.bucket)),"
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
		err = store_exec(st, "DELETE FROM sample WHERE id IN (SELECT id FROM temp.bucket)"
				     " AND id != (SELECT max(id) FROM temp.bucket)");
	return err;
}

int store_downsample_unit(struct store *st, uint64_t now_ns, int tier)
{
	const struct store_tier *t = &st->opts.tiers[tier];
	uint64_t step_ns = (uint64_t)t->step_s * NSEC_PER_SEC, cutoff;
	int64_t oldest, b0, keeper, total_dt, *ids = NULL;
	size_t n = 0;
	int err = 0;

	if (now_ns <= t->age_ns)
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
	err = load_bucket(st, b0, b0 + (int64_t)step_ns, t->step_s, &ids, &n);
	if (!err && !n)
		err = -EIO; /* the oldest sample lies in it: cannot be empty */
	if (err)
		goto out;
	/*
	 * The bucket's last sample (the highest id: rows merge by "latest id" too)
	 * keeps its id, time, errors, status and BPF costs.
	 */
	keeper = ids[0];
	for (size_t i = 1; i < n; i++)
		keeper = ids[i] > keeper ? ids[i] : keeper;
	total_dt = one_int(st, "SELECT sum(dt) + ?1 - ?2 FROM temp.bucket", 0, 0, &err);
	if (!err)
		err = merge_table(st, true, keeper, total_dt);
	if (!err)
		err = merge_table(st, false, keeper, total_dt);
	if (!err)
		err = merge_disks(st, ids, n, keeper, (double)total_dt / 1e9);
	if (!err)
		err = finish_sample(st, keeper, t->step_s, total_dt);
	if (!err)
		log_debug("history: %zu samples merged into one of %u s\n", n, t->step_s);
out:
	free(ids);
	return err ? err : 1;
}
