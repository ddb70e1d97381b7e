// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Retention by age and size, in small units of work so one interval never waits long. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "core/clock.h"
#include "core/log.h"
#include "core/testable.h"
#include "store/store_int.h"

/* Samples deleted per unit: a few milliseconds of work with hundreds of processes. */
#define DELETE_CHUNK 32

static int64_t query_int(struct store *st, const char *sql, int64_t dflt)
{
	sqlite3_stmt *q = NULL;
	int64_t v = dflt;

	if (store_prepare(st, sql, &q))
		return dflt;
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* Bytes the database holds in use (pages not on the free list). */
TESTABLE int64_t store_used_bytes(struct store *st)
{
	int64_t pages = query_int(st, "PRAGMA page_count", 0);
	int64_t free_pages = query_int(st, "PRAGMA freelist_count", 0);
	int64_t size = query_int(st, "PRAGMA page_size", 4096);

	return (pages - free_pages) * size;
}

/*
 * Deletes the samples listed in temp.gone and queues their rows for
 * gc_unit(): the sample rows go at once (readers no longer see them), the
 * many process rows a bounded number per unit. Process identities whose last
 * row went with them go too (all rows of a process lie at or before its
 * last_sample). The newest sample is never listed: the writer's identity
 * cache relies on it.
 */
static int delete_gone(struct store *st)
{
	return store_exec(st,
			  "INSERT OR IGNORE INTO sample_gc SELECT id FROM temp.gone;"
			  "DELETE FROM sample WHERE id IN (SELECT id FROM temp.gone);"
			  "DELETE FROM process WHERE last_sample < (SELECT min(id) FROM sample);"
			  "DELETE FROM temp.gone");
}

/* Removes up to STORE_ROWS_PER_UNIT rows of a deleted sample: 1 when it did, 0 when none wait. */
static int gc_unit(struct store *st)
{
	sqlite3_stmt *q = NULL;
	int64_t id;
	int err, rows;

	id = query_int(st, "SELECT id FROM sample_gc ORDER BY id LIMIT 1", -1);
	if (id < 0)
		return 0;
	err = store_prepare(st,
			    "DELETE FROM proc_sample WHERE sample_id = ?1 AND proc_id <= coalesce("
			    "(SELECT proc_id FROM proc_sample WHERE sample_id = ?1 ORDER BY proc_id"
			    " LIMIT 1 OFFSET ?2), 9223372036854775807)",
			    &q);
	if (err)
		return err;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int(q, 2, STORE_ROWS_PER_UNIT - 1);
	if (sqlite3_step(q) != SQLITE_DONE) {
		store_set_err(st, "removing rows of deleted samples");
		err = store_errno(sqlite3_extended_errcode(st->db));
	}
	sqlite3_finalize(q);
	if (err)
		return err;
	rows = sqlite3_changes(st->db);
	if (rows >= STORE_ROWS_PER_UNIT)
		return 1; /* more next time */
	err = store_prepare(st, "DELETE FROM total_sample WHERE sample_id = ?1", &q);
	if (err)
		return err;
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) != SQLITE_DONE)
		err = store_errno(sqlite3_extended_errcode(st->db));
	sqlite3_finalize(q);
	if (!err) {
		char sql[320];

		snprintf(sql, sizeof(sql),
			 "DELETE FROM disk_sample WHERE sample_id = %lld;"
			 "DELETE FROM conn_sample WHERE sample_id = %lld;"
			 "DELETE FROM event WHERE sample_id = %lld;"
			 "DELETE FROM sample_gc WHERE id = %lld",
			 (long long)id, (long long)id, (long long)id, (long long)id);
		err = store_exec(st, sql);
	}
	return err ? err : 1;
}

static int temp_tables(struct store *st)
{
	return store_exec(st, "CREATE TEMP TABLE IF NOT EXISTS gone (id INTEGER PRIMARY KEY);"
			      "DELETE FROM temp.gone");
}

/* Lists up to limit of the oldest samples (older than before_ns when nonzero) in temp.gone. */
static int list_oldest(struct store *st, uint64_t before_ns, int limit, int *found)
{
	sqlite3_stmt *q = NULL;
	int err;

	err = store_prepare(st,
			    "INSERT INTO temp.gone SELECT id FROM sample"
			    " WHERE (?1 = 0 OR wall_ns < ?1)"
			    " AND id != (SELECT max(id) FROM sample)"
			    " ORDER BY wall_ns LIMIT ?2",
			    &q);
	if (err)
		return err;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)before_ns);
	sqlite3_bind_int(q, 2, limit);
	if (sqlite3_step(q) != SQLITE_DONE) {
		store_set_err(st, "choosing old samples");
		err = store_errno(sqlite3_extended_errcode(st->db));
	}
	sqlite3_finalize(q);
	*found = err ? 0 : sqlite3_changes(st->db);
	return err;
}

/* One unit of age retention: 1 when it deleted something, 0 when nothing is too old. */
static int retain_age_unit(struct store *st, uint64_t now_ns)
{
	int found, err;

	if (!st->opts.retain_ns || now_ns <= st->opts.retain_ns)
		return 0;
	err = list_oldest(st, now_ns - st->opts.retain_ns, DELETE_CHUNK, &found);
	if (err || !found)
		return err;
	err = delete_gone(st);
	return err ? err : 1;
}

/*
 * Samples to delete for a size excess: the excess over the average sample's
 * size, rounded up, at most one chunk (the next interval measures again; free
 * pages are reused, so the file stops growing rather than shrinks).
 */
TESTABLE int store_size_chunk(int64_t used, int64_t max, int64_t nsamples)
{
	int64_t per, n;

	if (max <= 0 || used <= max || nsamples <= 1)
		return 0;
	per = used / nsamples;
	if (per <= 0)
		per = 1;
	n = (used - max + per - 1) / per;
	if (n > DELETE_CHUNK)
		n = DELETE_CHUNK;
	if (n > nsamples - 1)
		n = nsamples - 1;
	return (int)(n > 0 ? n : 1);
}

static int retain_size_unit(struct store *st)
{
	int64_t used, nsamples;
	int n, found, err;

	if (!st->opts.max_bytes)
		return 0;
	/* Rows of deleted samples still take pages: measure once they are gone. */
	if (query_int(st, "SELECT count(*) FROM sample_gc", 0))
		return 0;
	used = store_used_bytes(st);
	if (used <= (int64_t)st->opts.max_bytes)
		return 0;
	nsamples = query_int(st, "SELECT count(*) FROM sample", 0);
	n = store_size_chunk(used, (int64_t)st->opts.max_bytes, nsamples);
	if (!n)
		return 0;
	err = list_oldest(st, 0, n, &found);
	if (err || !found)
		return err;
	err = delete_gone(st);
	if (!err)
		log_debug(
		    "history: %lld bytes in use over the %llu limit: deleted %d oldest samples\n",
		    (long long)used, (unsigned long long)st->opts.max_bytes, found);
	return err ? err : 1;
}

int store_maintain(struct store *st, uint64_t now_ns, uint64_t budget_ns)
{
	uint64_t t0 = clock_mono_ns();
	int err = temp_tables(st), r, any;

	if (err)
		return err;
	/* One unit of each kind per round, rounds while the budget lasts (at least one). */
	do {
		any = 0;
		r = gc_unit(st);
		if (r >= 0) {
			any |= r;
			r = retain_age_unit(st, now_ns);
		}
		if (r >= 0) {
			any |= r;
			/* Finer tiers first: their buckets feed the coarser ones. */
			r = 0;
			for (int i = 0; r == 0 && i < st->opts.ntiers; i++)
				r = store_downsample_unit(st, now_ns, i);
		}
		if (r < 0) {
			st->ds.active = false; /* rolled back with the savepoint: start over */
			return r;
		}
		any |= r;
	} while (any && clock_mono_ns() - t0 < budget_ns);
	if (any)
		return 1;
	/*
	 * One size unit per call: freed pages show up unevenly (index pages free
	 * only when emptied), so measure again next interval rather than chase.
	 */
	return retain_size_unit(st);
}
