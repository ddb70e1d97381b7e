/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* History database (SQLite): open and migrate, write snapshots, retention, series queries. */
#ifndef EBTOP_STORE_H
#define EBTOP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/model.h"
#include "model/sink.h"

/* Where `ebtop serve` keeps its history unless --db says otherwise. */
#define STORE_DEFAULT_PATH "/var/lib/ebtop/history.db"

#define STORE_MAX_TIERS 4

/* Samples older than age_ns are merged into buckets of step_s seconds. */
struct store_tier {
	uint64_t age_ns;
	uint32_t step_s;
};

struct store_opts {
	uint64_t retain_ns; /* delete samples older than this; 0: keep forever */
	uint64_t max_bytes; /* delete the oldest samples while the data is larger; 0: no limit */
	struct store_tier tiers[STORE_MAX_TIERS]; /* by increasing age and step */
	int ntiers;
	unsigned busy_ms; /* how long one write waits for another writer's lock */
	/* Retention and downsampling time per interval, at least one unit of work;
	 * 0: a quarter of the interval, 20 ms to 1 s. */
	unsigned maint_budget_ms;
	size_t backlog;	  /* snapshots the writer thread keeps while the database is unwritable */
	size_t max_conns; /* connection rows kept per interval, the busiest first; 0: all */
	uint64_t interval_ns; /* the requested interval, recorded with the run */
};

/* Retain 7 days, at most 1 GiB; samples merged into 1 min after an hour, 10 min after a day. */
void store_opts_default(struct store_opts *o);

struct store;

enum store_mode {
	STORE_READ,  /* an existing database; migrated first when older and writable */
	STORE_WRITE, /* created when missing, migrated, new field columns added, a run begun */
};

/*
 * Opens (and for STORE_WRITE creates) the database at path. On failure returns
 * a negative errno and one sentence for the user in msg. A handle belongs to
 * one thread at a time: a server opens one STORE_READ handle per thread (or
 * guards one with a mutex); WAL mode lets readers run while a writer commits.
 */
int store_open(struct store **out, const char *path, enum store_mode mode,
	       const struct store_opts *o, char *msg, size_t msglen)
    __attribute__((warn_unused_result));
void store_close(struct store *st);

/*
 * Writes one snapshot's process rows and totals in one transaction, then
 * spends up to maint_budget_ms on retention and downsampling in the same
 * transaction (a failure there rolls back only the maintenance). Returns 0,
 * -EBUSY (locked by another writer), -ENOSPC (disk or database full) or
 * another negative errno; the database is unchanged on failure.
 */
int store_write(struct store *st, const struct snapshot *s) __attribute__((warn_unused_result));
/* The last SQLite error text of this handle, for logs. */
const char *store_errmsg(const struct store *st);

/*
 * Retention and downsampling as of wall time now_ns, for up to budget_ns
 * (at least one unit of work). store_write calls it; exposed for tests and
 * tools. Returns 1 when work remains, 0 when done, or a negative errno.
 */
int store_maintain(struct store *st, uint64_t now_ns, uint64_t budget_ns)
    __attribute__((warn_unused_result));

/* ---- Background writer: collection never waits for the disk ---- */

struct store_writer;

/* Opens path for writing and starts the writer thread. msg as for store_open. */
int store_writer_start(struct store_writer **out, const char *path, const struct store_opts *o,
		       char *msg, size_t msglen) __attribute__((warn_unused_result));
/*
 * Queues a snapshot (takes a new reference; never blocks on the database).
 * When the database is locked or the disk full, up to backlog snapshots wait
 * in memory and are written when possible; beyond that the oldest are dropped.
 */
void store_writer_push(struct store_writer *w, struct snapshot *s);
/*
 * Writes what is queued (one more attempt when the database is unwritable),
 * closes the database cleanly and frees w. Returns 0 when every pushed
 * snapshot was written, -EIO otherwise (the log says how many were lost).
 */
int store_writer_stop(struct store_writer *w);

/*
 * The writer as a consumer of the sampling loop (model/sink.h): consume
 * queues the snapshot, close stops the writer (flush, close the file). For
 * `ebtop serve --db PATH`: store_writer_start(), then add this sink.
 */
struct snapshot_sink store_writer_sink(struct store_writer *w);

enum store_writer_state { STORE_OK, STORE_LOCKED, STORE_FULL, STORE_FAILING };

struct store_writer_stats {
	uint64_t written;	     /* snapshots committed */
	uint64_t dropped;	     /* snapshots lost: backlog overflow or unwritable at stop */
	uint64_t pending;	     /* queued now */
	uint64_t last_write_wall_ns; /* wall time of the last committed snapshot; 0: none */
	enum store_writer_state state;
	char error[160]; /* the last failure, one line; empty when state is STORE_OK */
};

/* Thread-safe; for /health and self-metrics. */
void store_writer_get_stats(struct store_writer *w, struct store_writer_stats *out);

/* ---- History queries (GET /api/v1/history) ---- */

/* Bound on points per series; a request for more gets -E2BIG. */
#define STORE_MAX_POINTS 11000

struct store_series_query {
	uint32_t pid;	  /* 0: any pid */
	const char *comm; /* exact command name; NULL: any */
	int field;	  /* enum field_id of a numeric field (fields[f].type == FT_NUM) */
	uint64_t from_ns; /* wall-clock range, inclusive */
	uint64_t to_ns;
	uint64_t step_ns;  /* bucket width; 0: every stored sample as it is */
	bool per_process;  /* one series per process instead of one summed series */
	size_t max_series; /* with per_process: at most this many (0: 1000); more gives -E2BIG */
};

struct store_point {
	uint64_t t_ns; /* sample time, or the bucket start when step_ns > 0 */
	double v;
};

struct store_series {
	uint32_t pid;	   /* per_process: the process; summed: the query's pid (maybe 0) */
	uint64_t start_ns; /* per_process: boot-time start; 0 when summed */
	const char *comm;  /* per_process: its name; summed: the query's comm (maybe NULL) */
	const char *cmd;   /* per_process: its command line, or NULL */
	const struct store_point *pts; /* (borrowed) time-ordered, buckets without data left out */
	size_t npts;
};

/* Called once per series; a nonzero return stops the query and is returned. */
typedef int (*store_series_fn)(void *ctx, const struct store_series *s);

/*
 * Time series of one field for the processes matching pid and/or comm.
 * Summed series add the matching processes' values at each sample. With a
 * step, a bucket [t, t + step) combines its samples as store_field_agg()
 * says (a rate's mean x bucket time is what was transferred). Returns 0,
 * -EINVAL (not a numeric field, from > to), -E2BIG (too many points or
 * series), -ENOMEM, -EIO, or the callback's nonzero value. Downsampled data
 * answers at its own resolution (a 1 min bucket is one sample lasting 60 s).
 */
int store_query_series(struct store *st, const struct store_series_query *q, store_series_fn fn,
		       void *ctx) __attribute__((warn_unused_result));

/* How samples of a field combine, in step buckets and when old data is downsampled. */
enum store_agg {
	STORE_AGG_LAST, /* the latest value: totals, counters, ids, gauges */
	STORE_AGG_RATE, /* sum(v * dt) over the bucket's time, absent samples 0: rates, CPU% */
	STORE_AGG_MEAN, /* sum(v * dt) / dt of the samples that have a value: latencies, ratios */
	STORE_AGG_MIN,
	STORE_AGG_MAX,
};

/*
 * By unit and name: UNIT_RATE and UNIT_BYTES_RATE are RATE; UNIT_PERCENT is
 * RATE when summable (CPU%), MEAN otherwise (SEQ%, CACHE%: shares of
 * requests); UNIT_NS named *_total is LAST (cumulative), *_min MIN, *_max
 * MAX, other UNIT_NS fields (means, percentiles) MEAN, an approximation for
 * percentiles; everything else LAST.
 */
enum store_agg store_field_agg(int field);

/* ---- Option values (no database needed) ---- */

/* "90", "90s", "15m", "2h", "7d", "1w", "1.5h" -> ns; "0" or "off": 0. Returns -EINVAL. */
int store_parse_duration(const char *s, uint64_t *ns);
/* "1G", "500M", "64k", "123" bytes (IEC multiples) ; "0" or "off": 0. Returns -EINVAL. */
int store_parse_size(const char *s, uint64_t *bytes);
/* "1d:1m" or "1d:1m,7d:10m" (after AGE merge into STEP buckets); "off": none. */
int store_parse_tiers(const char *s, struct store_opts *o);

/* A point in a recording, as given to --at / --to. */
enum store_time_kind {
	STIME_ABS,   /* ns: wall clock */
	STIME_FIRST, /* the first sample */
	STIME_LAST,  /* ns before the last sample (0: the last) */
	STIME_TOD,   /* ns after local midnight, on the day of the last sample */
};

struct store_time {
	enum store_time_kind kind;
	uint64_t ns;
};

/*
 * "1700000000.5" or "@1700000000" (epoch seconds), "2024-05-01 12:30[:05]"
 * or with a T (local time), "12:30[:05]" (that day of the last sample),
 * "first", "last", "-5m" (before the last sample). Returns -EINVAL.
 */
int store_parse_time(const char *s, struct store_time *t);
/* The wall-clock ns a parsed time means for a recording spanning [first_ns, last_ns]. */
uint64_t store_time_resolve(const struct store_time *t, uint64_t first_ns, uint64_t last_ns);

#endif
