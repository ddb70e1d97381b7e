// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* History schema: numbered migrations applied in order, and one column per numeric field. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "core/clock.h"
#include "core/testable.h"
#include "store/store_int.h"

/*
 * Every change to the schema is a new entry here, never an edit of an old one:
 * a database records the versions it has (PRAGMA user_version and the
 * schema_migration table) and open applies the missing ones in order, each in
 * the same transaction as its bookkeeping.
 *
 * Numeric fields are not listed here: proc_sample and total_sample get one
 * REAL column per numeric field of the field table, named after the field,
 * added by store_schema_sync_fields() when a build knows a field the database
 * lacks. Zero and NULL (unavailable) cost no payload in an SQLite record, so
 * idle processes stay small, and users query plain columns.
 *
 * proc_sample has no index by process on purpose: every interval would touch
 * one index page per process (measured: 1.35 MB of WAL per commit with 300
 * processes instead of 36 KB). A process's rows are found by seeking
 * (sample_id, proc_id) in the samples between process.first_sample and
 * last_sample.
 */
struct migration {
	int version;
	const char *description;
	const char *sql;
};

static const struct migration migrations[] = {
    {1, "runs, samples, process identities, per-process and total rows, field dictionary",
     "CREATE TABLE run ("
     " id INTEGER PRIMARY KEY,"
     " started_ns INTEGER NOT NULL," /* wall clock */
     " boot_id TEXT,"		     /* start_ns values compare only within one boot */
     " hostname TEXT,"
     " version TEXT,"
     " interval_ns INTEGER);"
     "CREATE TABLE sample ("
     " id INTEGER PRIMARY KEY,"
     " run_id INTEGER NOT NULL REFERENCES run(id),"
     " seq INTEGER NOT NULL,"	  /* snapshot number within the run */
     " wall_ns INTEGER NOT NULL," /* wall-clock time of the snapshot */
     " mono_ns INTEGER NOT NULL,"
     " interval_ns INTEGER NOT NULL," /* time the rates are averaged over */
     " nprocs INTEGER NOT NULL,"
     " self_cpu_pct REAL,"
     " avail INTEGER NOT NULL," /* NEED_* bits whose collectors ran */
     " status TEXT NOT NULL,"
     " errors TEXT NOT NULL," /* JSON array, cumulative loss counters */
     " progs TEXT NOT NULL,"  /* JSON array of {name, run_cnt, run_time_ns, ns_per_event} */
     " time REAL GENERATED ALWAYS AS (wall_ns / 1e9) VIRTUAL);"
     "CREATE INDEX sample_wall ON sample(wall_ns);"
     "CREATE TABLE process ("
     " id INTEGER PRIMARY KEY,"
     " run_id INTEGER NOT NULL REFERENCES run(id)," /* the run that first saw it */
     " pid INTEGER NOT NULL,"
     " start_ns INTEGER NOT NULL," /* boot-time start: (pid, start_ns) is one process */
     " comm TEXT NOT NULL,"
     " cmd TEXT,"
     " cgroup TEXT,"
     " user TEXT,"
     " kthread INTEGER NOT NULL,"
     " first_sample INTEGER NOT NULL," /* sample.id of its first row */
     " last_sample INTEGER);"	       /* of its last row; NULL while it runs */
     "CREATE INDEX process_pid ON process(pid, start_ns);"
     "CREATE INDEX process_comm ON process(comm);"
     "CREATE INDEX process_last ON process(last_sample);"
     "CREATE TABLE proc_sample ("
     " sample_id INTEGER NOT NULL,"
     " proc_id INTEGER NOT NULL,"
     " state TEXT NOT NULL,"	/* R S D T Z I X */
     " flags INTEGER NOT NULL," /* 1 exited during the interval, 2 kernel thread */
     " PRIMARY KEY (sample_id, proc_id)) WITHOUT ROWID;"
     "CREATE TABLE total_sample (sample_id INTEGER PRIMARY KEY);"
     "CREATE TABLE field ("
     " name TEXT PRIMARY KEY,"
     " title TEXT NOT NULL,"
     " unit TEXT NOT NULL,"
     " summable INTEGER NOT NULL,"
     " help TEXT NOT NULL,"
     " added_ns INTEGER NOT NULL);"
     "CREATE VIEW history AS"
     " SELECT s.time, s.wall_ns, s.interval_ns, p.comm, p.cmd, p.user, p.cgroup, p.start_ns,"
     " ps.* FROM proc_sample ps JOIN sample s ON s.id = ps.sample_id"
     " JOIN process p ON p.id = ps.proc_id;"},
    {2, "per-disk rows: throughput, IOPS, latency summaries and histograms",
     "CREATE TABLE disk ("
     " id INTEGER PRIMARY KEY,"
     " name TEXT NOT NULL,"
     " dev INTEGER NOT NULL," /* major << 20 | minor */
     " UNIQUE (name, dev));"
     "CREATE TABLE disk_sample ("
     " sample_id INTEGER NOT NULL,"
     " disk_id INTEGER NOT NULL,"
     " read_bytes_s REAL, write_bytes_s REAL, read_iops REAL, write_iops REAL,"
     " read_bytes_total INTEGER, write_bytes_total INTEGER,"
     " read_ios_total INTEGER, write_ios_total INTEGER,"
     " lat_min_ns REAL, lat_avg_ns REAL, lat_p50_ns REAL, lat_p99_ns REAL, lat_max_ns REAL,"
     " svc_min_ns REAL, svc_avg_ns REAL, svc_p50_ns REAL, svc_p99_ns REAL, svc_max_ns REAL,"
     " read_lat_min_ns REAL, read_lat_avg_ns REAL, read_lat_p50_ns REAL, read_lat_p99_ns REAL,"
     " read_lat_max_ns REAL, write_lat_min_ns REAL, write_lat_avg_ns REAL,"
     " write_lat_p50_ns REAL, write_lat_p99_ns REAL, write_lat_max_ns REAL,"
     " lat_hist TEXT," /* JSON [[lo_ns, hi_ns, count], ...]: the nonzero buckets */
     " PRIMARY KEY (sample_id, disk_id)) WITHOUT ROWID;"},
    {3, "online CPUs per sample (100% CPU per CPU)",
     "ALTER TABLE sample ADD COLUMN ncpus INTEGER;"},
    {4, "downsampling: a sample's bucket width and how many samples it merges",
     "ALTER TABLE sample ADD COLUMN step_s INTEGER NOT NULL DEFAULT 0;" /* 0: as collected */
     "ALTER TABLE sample ADD COLUMN merged INTEGER NOT NULL DEFAULT 1;"
     "CREATE INDEX sample_step ON sample(step_s, wall_ns);"
     /* Samples deleted (retention, downsampling) whose rows are still being removed. */
     "CREATE TABLE sample_gc (id INTEGER PRIMARY KEY);"
     "DROP VIEW history;"
     "CREATE VIEW history AS"
     " SELECT s.time, s.wall_ns, s.interval_ns, s.step_s, p.comm, p.cmd, p.user, p.cgroup,"
     " p.start_ns, ps.* FROM proc_sample ps JOIN sample s ON s.id = ps.sample_id"
     " JOIN process p ON p.id = ps.proc_id;"},
    {5, "connection rows (the busiest per interval) and events (connect, accept, close, exec)",
     "CREATE TABLE conn_sample ("
     " sample_id INTEGER NOT NULL,"
     " idx INTEGER NOT NULL," /* position among the snapshot's connections */
     " proc_id INTEGER,"      /* the owner's process identity; NULL while unknown */
     " cookie INTEGER NOT NULL, pstart_ns INTEGER, open_ns INTEGER, ts_ns INTEGER,"
     " flags INTEGER NOT NULL," /* 1 passive, 2 open before ebtop, 4 closed, 8 other peers,"
				   16 shared socket, 32 established */
     " family INTEGER, proto INTEGER, tcp_state INTEGER, errno INTEGER,"
     " laddr TEXT, raddr TEXT, srtt_us INTEGER, rst_in INTEGER, rst_out INTEGER, comm TEXT,"
     " tot_tx_bytes INTEGER, tot_rx_bytes INTEGER, tot_tx_calls INTEGER, tot_rx_calls INTEGER,"
     " tot_retrans INTEGER, tot_segs_out INTEGER, tot_segs_in INTEGER,"
     " d_tx_bytes INTEGER, d_rx_bytes INTEGER, d_tx_calls INTEGER, d_rx_calls INTEGER,"
     " d_retrans INTEGER, d_segs_out INTEGER, d_segs_in INTEGER,"
     " PRIMARY KEY (sample_id, idx)) WITHOUT ROWID;"
     "CREATE TABLE event ("
     " id INTEGER PRIMARY KEY, sample_id INTEGER NOT NULL, wall_ns INTEGER NOT NULL,"
     " kind TEXT NOT NULL," /* connect, accept, close, exec */
     " ts_ns INTEGER, pid INTEGER, tid INTEGER, comm TEXT,"
     " ppid INTEGER, uid INTEGER, cmdline TEXT, argv BLOB, truncated INTEGER," /* exec */
     " cookie INTEGER, flags INTEGER, family INTEGER, proto INTEGER, tcp_state INTEGER,"
     " errno INTEGER, laddr TEXT, lport INTEGER, raddr TEXT, rport INTEGER,"
     " pstart_ns INTEGER, open_ns INTEGER, estab_ns INTEGER, srtt_us INTEGER,"
     " rst_in INTEGER, rst_out INTEGER, tx_bytes INTEGER, rx_bytes INTEGER,"
     " tx_calls INTEGER, rx_calls INTEGER, retrans INTEGER, segs_out INTEGER,"
     " segs_in INTEGER);"
     "CREATE INDEX event_sample ON event(sample_id);"
     "CREATE INDEX event_time ON event(wall_ns);"
     "ALTER TABLE sample ADD COLUMN conn_occ TEXT;"    /* JSON: connection table occupancy */
     "ALTER TABLE sample ADD COLUMN conn_totals TEXT;" /* JSON: the system's connection sums */
     "CREATE VIEW conn_history AS SELECT s.time, s.wall_ns, s.interval_ns, c.*"
     " FROM conn_sample c JOIN sample s ON s.id = c.sample_id;"},
    {6, "each feature's state: available, the hooks in use, why not",
     /* JSON {"network": {"available": true, "hooks": "fexit", "reason": "..."}, ...} */
     "ALTER TABLE sample ADD COLUMN features TEXT;"},
};

#define NMIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

/* Names the fixed columns take; a field with one of these names is not stored. */
static const char *const reserved[] = {"sample_id", "proc_id", "state", "flags", NULL};

int store_schema_latest(void)
{
	return migrations[NMIGRATIONS - 1].version;
}

static bool valid_ident(const char *s)
{
	if (!s || !*s || strlen(s) > 48)
		return false;
	for (const char *p = s; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	}
	return !(s[0] >= '0' && s[0] <= '9');
}

const char *store_field_column(int f)
{
	if (f < 0 || f >= F_NUM || fields[f].type != FT_NUM || !valid_ident(fields[f].name))
		return NULL;
	for (int i = 0; reserved[i]; i++) {
		if (!strcmp(fields[f].name, reserved[i]))
			return NULL;
	}
	return fields[f].name;
}

int store_schema_version(struct store *st)
{
	sqlite3_stmt *q = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return v;
}

static int record_migration(struct store *st, const struct migration *m)
{
	sqlite3_stmt *ins = NULL;
	char sql[64];
	int err;

	err = store_prepare(st, "INSERT INTO schema_migration VALUES (?, ?, ?)", &ins);
	if (err)
		return err;
	sqlite3_bind_int(ins, 1, m->version);
	sqlite3_bind_int64(ins, 2, (sqlite3_int64)clock_wall_ns());
	sqlite3_bind_text(ins, 3, m->description, -1, SQLITE_STATIC);
	if (sqlite3_step(ins) != SQLITE_DONE) {
		store_set_err(st, "recording a migration");
		err = -EIO;
	}
	sqlite3_finalize(ins);
	if (err)
		return err;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", m->version);
	return store_exec(st, sql);
}

/* Applies migrations above the current version up to target, each in its own transaction. */
TESTABLE int store_migrate_to(struct store *st, int target)
{
	for (size_t i = 0; i < NMIGRATIONS; i++) {
		const struct migration *m = &migrations[i];
		int err, cur;

		if (m->version > target)
			break;
		err = store_exec(st, "BEGIN IMMEDIATE");
		if (err)
			return err;
		/* Re-read inside the lock: another process may have migrated meanwhile. */
		cur = store_schema_version(st);
		if (cur < 0) {
			err = -EIO;
			goto rollback;
		}
		if (m->version <= cur) {
			store_exec(st, "ROLLBACK");
			continue;
		}
		if (cur == 0) {
			err = store_exec(st, "CREATE TABLE IF NOT EXISTS schema_migration ("
					     " version INTEGER PRIMARY KEY,"
					     " applied_ns INTEGER NOT NULL,"
					     " description TEXT NOT NULL)");
			if (err)
				goto rollback;
		}
		err = store_exec(st, m->sql);
		if (err)
			goto rollback;
		err = record_migration(st, m);
		if (err)
			goto rollback;
		err = store_exec(st, "COMMIT");
		if (err)
			goto rollback;
		continue;
	rollback:
		store_exec(st, "ROLLBACK");
		return err;
	}
	return 0;
}

int store_schema_upgrade(struct store *st, char *msg, size_t msglen)
{
	int v = store_schema_version(st), err;

	if (v < 0) {
		snprintf(msg, msglen, "not an SQLite database or unreadable: %s",
			 sqlite3_errmsg(st->db));
		return -EIO;
	}
	if (v > store_schema_latest()) {
		snprintf(msg, msglen,
			 "the database has schema version %d, newer than this ebtop knows (%d)", v,
			 store_schema_latest());
		return -EPROTO;
	}
	if (v == store_schema_latest())
		return 0;
	err = store_migrate_to(st, store_schema_latest());
	if (err)
		snprintf(msg, msglen, "upgrading the database schema from version %d failed: %s", v,
			 st->errmsg);
	return err;
}

static const char *unit_name(enum field_unit u)
{
	switch (u) {
	case UNIT_COUNT:
		return "count";
	case UNIT_RATE:
		return "per_second";
	case UNIT_BYTES:
		return "bytes";
	case UNIT_BYTES_RATE:
		return "bytes_per_second";
	case UNIT_PERCENT:
		return "percent";
	case UNIT_NS:
		return "ns";
	default:
		return "none";
	}
}

/* Which field columns a table has; a field counts when both value tables have it. */
static int read_columns(struct store *st, const char *table, bool *has)
{
	char sql[96];
	sqlite3_stmt *q = NULL;
	int rc, err;

	snprintf(sql, sizeof(sql), "PRAGMA table_info(%s)", table);
	err = store_prepare(st, sql, &q);
	if (err)
		return err;
	memset(has, 0, sizeof(bool) * F_NUM);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(q, 1);

		for (int f = 0; name && f < F_NUM; f++) {
			const char *c = store_field_column(f);

			if (c && !strcmp(c, name))
				has[f] = true;
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		store_set_err(st, "reading the table layout");
		return store_errno(rc);
	}
	return 0;
}

int store_schema_read_fields(struct store *st)
{
	bool a[F_NUM], b[F_NUM];
	int err = read_columns(st, "proc_sample", a);

	if (!err)
		err = read_columns(st, "total_sample", b);
	if (err)
		return err;
	st->ncols = 0;
	for (int f = 0; f < F_NUM; f++) {
		st->col[f] = a[f] && b[f];
		st->ncols += st->col[f];
	}
	return 0;
}

static int add_column(struct store *st, const char *table, const char *name)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN \"%s\" NUMERIC", table, name);
	return store_exec(st, sql);
}

int store_schema_sync_fields(struct store *st)
{
	bool a[F_NUM], b[F_NUM];
	sqlite3_stmt *up = NULL;
	int err;

	err = store_exec(st, "BEGIN IMMEDIATE");
	if (err)
		return err;
	err = read_columns(st, "proc_sample", a);
	if (!err)
		err = read_columns(st, "total_sample", b);
	for (int f = 0; !err && f < F_NUM; f++) {
		const char *c = store_field_column(f);

		if (!c)
			continue;
		if (!a[f])
			err = add_column(st, "proc_sample", c);
		if (!err && !b[f])
			err = add_column(st, "total_sample", c);
	}
	/* The dictionary follows the build: titles and help may be reworded. */
	if (!err)
		err = store_prepare(st,
				    "INSERT INTO field VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
				    " ON CONFLICT(name) DO UPDATE SET title = ?2, unit = ?3,"
				    " summable = ?4, help = ?5",
				    &up);
	for (int f = 0; !err && f < F_NUM; f++) {
		const char *c = store_field_column(f);

		if (!c)
			continue;
		sqlite3_reset(up);
		sqlite3_bind_text(up, 1, c, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 2, fields[f].title, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 3, unit_name(fields[f].unit), -1, SQLITE_STATIC);
		sqlite3_bind_int(up, 4, !!(fields[f].flags & FIELD_SUM));
		sqlite3_bind_text(up, 5, fields[f].help ? fields[f].help : "", -1, SQLITE_STATIC);
		sqlite3_bind_int64(up, 6, (sqlite3_int64)clock_wall_ns());
		if (sqlite3_step(up) != SQLITE_DONE) {
			store_set_err(st, "updating the field dictionary");
			err = -EIO;
		}
	}
	sqlite3_finalize(up);
	if (!err)
		err = store_exec(st, "COMMIT");
	if (err) {
		store_exec(st, "ROLLBACK");
		return err;
	}
	return store_schema_read_fields(st);
}
