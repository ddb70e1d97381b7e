// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests of the history store: round trip, identities, migrations, retention, queries, parsers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "store/replay.h"
#include "store/store.h"
#include "store/store_int.h"

int store_migrate_to(struct store *st, int target);
int store_size_chunk(int64_t used, int64_t max, int64_t nsamples);
int64_t store_used_bytes(struct store *st);

#define T0 (1700000000ULL * NSEC_PER_SEC)

static char dir[] = "/tmp/ebtop-store-test.XXXXXX";
static int ndb;

static const char *db_path(char *buf, size_t len)
{
	snprintf(buf, len, "%s/h%d.db", dir, ++ndb);
	return buf;
}

static int setup_dir(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- synthetic snapshots ---- */

struct fake_proc {
	uint32_t pid;
	uint64_t start_ns;
	const char *comm;
	const char *cmd;
	double tx; /* rate; tx_total grows by tx * dt */
	bool exited;
};

/* Every numeric field gets a distinct value, some NaN, so the round trip checks them all. */
static void fill_row(struct row *r, const struct fake_proc *fp, uint64_t seq, double dt)
{
	for (int f = 0; f < F_NUM; f++)
		r->v[f] = fields[f].type == FT_NUM ? (double)(f * 1000 + fp->pid) + 0.25 : NAN;
	r->v[F_RX_RATE] = NAN; /* "unavailable" must come back as NaN, not 0 */
	r->v[F_UDP_TX_RATE] = 0;
	r->v[F_PID] = r->v[F_TGID] = fp->pid;
	r->v[F_PPID] = 1;
	r->v[F_UID] = 1000;
	r->v[F_THREADS] = 2;
	r->v[F_TX_RATE] = fp->tx;
	r->v[F_TX_TOTAL] = fp->tx * dt * (double)seq;
	r->pid = r->tgid = fp->pid;
	r->ppid = 1;
	r->uid = 1000;
	r->start_ns = r->pstart_ns = fp->start_ns;
	r->nthreads = 2;
	r->state = fp->exited ? 'X' : 'S';
	r->flags = fp->exited ? ROW_EXITED : 0;
	snprintf(r->comm, sizeof(r->comm), "%s", fp->comm);
	r->info = proc_info_new(fp->cmd, "/user.slice", "alice");
}

static struct snapshot *make_snap(uint64_t seq, uint64_t wall_ns, uint64_t dt_ns,
				  const struct fake_proc *procs, size_t n)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->refs = 1;
	s->seq = seq;
	s->wall_ns = wall_ns;
	s->mono_ns = wall_ns - T0 + 5 * NSEC_PER_SEC;
	s->interval_ns = dt_ns;
	s->avail = NEED_NET;
	s->ncpus = 6;
	s->self_cpu_pct = 0.125 * (double)seq;
	s->errors[EBTOP_ERR_SLOT] = seq * 3;
	s->nprogs = 2;
	snprintf(s->progs[0].name, sizeof(s->progs[0].name), "net_send");
	s->progs[0].run_cnt = 100 * seq;
	s->progs[0].run_time_ns = 8000 * seq;
	s->progs[0].ns_per_event = 80.5;
	snprintf(s->progs[1].name, sizeof(s->progs[1].name), "dump_task");
	s->progs[1].ns_per_event = NAN;
	snprintf(s->status, sizeof(s->status), "seq %llu", (unsigned long long)seq);
	s->procs = calloc(n ? n : 1, sizeof(*s->procs));
	assert_non_null(s->procs);
	s->nprocs = n;
	for (size_t i = 0; i < n; i++)
		fill_row(&s->procs[i], &procs[i], seq, (double)dt_ns / 1e9);
	for (int f = 0; f < F_NUM; f++)
		s->total.v[f] = (fields[f].flags & FIELD_SUM) ? 7.5 * (double)f : NAN;
	s->total.v[F_THREADS] = (double)(2 * n);
	/* Two disks, the second idle (latencies unavailable). */
	s->disks = calloc(2, sizeof(*s->disks));
	assert_non_null(s->disks);
	s->ndisks = 2;
	snprintf(s->disks[0].name, sizeof(s->disks[0].name), "vda");
	s->disks[0].dev = 254u << 20;
	s->disks[0].bytes_rate[EBTOP_DISK_READ] = 4096.5 * (double)seq;
	s->disks[0].iops[EBTOP_DISK_WRITE] = 1.0 / 3;
	s->disks[0].bytes[EBTOP_DISK_READ] = 1ULL << 40;
	s->disks[0].ios[EBTOP_DISK_WRITE] = seq;
	s->disks[0].lat = (struct lat_summary){1000, 1500.25, 1400, 9000, 9100};
	s->disks[0].svc = (struct lat_summary){900, 1000, 950, 2000, 2100};
	s->disks[0].op_lat[EBTOP_DISK_READ] = (struct lat_summary){800, 850, 840, 990, 999};
	s->disks[0].op_lat[EBTOP_DISK_WRITE] = (struct lat_summary){NAN, NAN, NAN, NAN, NAN};
	s->disks[0].hist[0] = 1;
	s->disks[0].hist[100] = 7;
	s->disks[0].hist[EBTOP_HIST_BUCKETS - 1] = 4000000000u;
	snprintf(s->disks[1].name, sizeof(s->disks[1].name), "nvme0n1");
	s->disks[1].dev = (259u << 20) | 1;
	s->disks[1].lat = s->disks[1].svc = (struct lat_summary){NAN, NAN, NAN, NAN, NAN};
	s->disks[1].op_lat[0] = s->disks[1].op_lat[1] = s->disks[1].lat;
	return s;
}

static struct store_opts test_opts(void)
{
	struct store_opts o;

	store_opts_default(&o);
	o.retain_ns = 0;
	o.max_bytes = 0;
	o.ntiers = 0;
	o.busy_ms = 50;
	return o;
}

static struct store *open_w(const char *path, const struct store_opts *o)
{
	struct store *st = NULL;
	char msg[256];
	int err = store_open(&st, path, STORE_WRITE, o, msg, sizeof(msg));

	if (err)
		fprintf(stderr, "store_open: %s\n", msg);
	assert_int_equal(err, 0);
	return st;
}

static int64_t q_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return v;
}

static void assert_query_text(const char *path, const char *sql, const char *want)
{
	sqlite3 *db;
	sqlite3_stmt *q;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), want);
	sqlite3_finalize(q);
	sqlite3_close(db);
}

static void assert_same_value(double a, double b)
{
	if (isnan(a) || isnan(b))
		assert_true(isnan(a) && isnan(b));
	else
		assert_true(a == b); /* exact: the store keeps doubles bit for bit */
}

static const struct fake_proc procs3[] = {
    {100, 5000, "nginx", "nginx -g daemon off;", 1000.5, false},
    {200, 6000, "sshd", NULL, 0, false},
    {300, 7000, "short", "short --once", 333.25, true},
};

/* ---- tests ---- */

static void test_roundtrip(void **state)
{
	struct store_opts o = test_opts();
	struct snapshot *in[5];
	struct replay *rp;
	struct store *st;
	char path[256], msg[256];
	int err;

	(void)state;
	db_path(path, sizeof(path));
	st = open_w(path, &o);
	for (int i = 0; i < 5; i++) {
		in[i] = make_snap((uint64_t)i + 1, T0 + (uint64_t)i * NSEC_PER_SEC, NSEC_PER_SEC,
				  procs3, 3);
		assert_int_equal(store_write(st, in[i]), 0);
	}
	store_close(st);

	assert_query_text(path, "PRAGMA integrity_check", "ok");
	assert_int_equal(q_int(path, "SELECT count(*) FROM sample"), 5);
	assert_int_equal(q_int(path, "SELECT count(*) FROM process"), 3);
	assert_int_equal(q_int(path, "SELECT count(*) FROM proc_sample"), 15);
	assert_int_equal(q_int(path, "SELECT count(*) FROM history WHERE comm = 'nginx'"), 5);

	assert_int_equal(replay_open(&rp, path, msg, sizeof(msg)), 0);
	assert_int_equal(replay_count(rp), 5);
	for (size_t i = 0; i < 5; i++) {
		struct snapshot *out = replay_load(rp, i, &err);
		const struct snapshot *s = in[i];

		assert_non_null(out);
		assert_int_equal(out->seq, s->seq);
		assert_int_equal(out->wall_ns, s->wall_ns);
		assert_int_equal(out->mono_ns, s->mono_ns);
		assert_int_equal(out->interval_ns, s->interval_ns);
		assert_int_equal(out->avail, s->avail);
		assert_int_equal(out->ncpus, s->ncpus);
		assert_string_equal(out->status, s->status);
		assert_true(out->self_cpu_pct == s->self_cpu_pct);
		assert_memory_equal(out->errors, s->errors, sizeof(s->errors));
		assert_int_equal(out->nprogs, 2);
		assert_string_equal(out->progs[0].name, "net_send");
		assert_int_equal(out->progs[0].run_cnt, s->progs[0].run_cnt);
		assert_int_equal(out->progs[0].run_time_ns, s->progs[0].run_time_ns);
		assert_true(out->progs[0].ns_per_event == 80.5);
		assert_true(isnan(out->progs[1].ns_per_event));
		assert_int_equal(out->nprocs, 3);
		for (size_t k = 0; k < 3; k++) {
			const struct row *a = &s->procs[k], *b = &out->procs[k];

			assert_int_equal(b->pid, a->pid);
			assert_int_equal(b->start_ns, a->start_ns);
			assert_int_equal(b->ppid, a->ppid);
			assert_int_equal(b->uid, a->uid);
			assert_int_equal(b->flags, a->flags);
			assert_int_equal(b->state, a->state);
			assert_int_equal(b->nthreads, a->nthreads);
			assert_string_equal(b->comm, a->comm);
			assert_string_equal(row_str(b, F_USER), "alice");
			assert_string_equal(row_str(b, F_CGROUP), "/user.slice");
			if (a->info->cmdline)
				assert_string_equal(row_str(b, F_CMD), a->info->cmdline);
			else
				assert_null(row_str(b, F_CMD));
			for (int f = 0; f < F_NUM; f++)
				assert_same_value(b->v[f], a->v[f]);
		}
		for (int f = 0; f < F_NUM; f++)
			if (fields[f].type == FT_NUM)
				assert_same_value(out->total.v[f], s->total.v[f]);
		assert_int_equal(out->ndisks, 2);
		for (size_t k = 0; k < 2; k++) {
			const struct disk_row *a = &s->disks[k], *b = &out->disks[k];

			assert_string_equal(b->name, a->name);
			assert_int_equal(b->dev, a->dev);
			for (int op = 0; op < EBTOP_DISK_NOPS; op++) {
				assert_same_value(b->bytes_rate[op], a->bytes_rate[op]);
				assert_same_value(b->iops[op], a->iops[op]);
				assert_int_equal(b->bytes[op], a->bytes[op]);
				assert_int_equal(b->ios[op], a->ios[op]);
			}
			assert_same_value(b->lat.avg, a->lat.avg);
			assert_same_value(b->lat.p99, a->lat.p99);
			assert_same_value(b->svc.min, a->svc.min);
			assert_same_value(b->svc.max, a->svc.max);
			assert_same_value(b->op_lat[0].p50, a->op_lat[0].p50);
			assert_same_value(b->op_lat[1].max, a->op_lat[1].max);
			assert_memory_equal(b->hist, a->hist, sizeof(a->hist));
		}
		snapshot_put(out);
	}
	assert_int_equal(replay_find(rp, T0 + 2500 * NSEC_PER_MSEC), 2);
	assert_int_equal(replay_find(rp, T0 - 1), 0);
	assert_int_equal(replay_find(rp, T0 + 100 * NSEC_PER_SEC), 4);
	assert_null(replay_load(rp, 5, &err));
	assert_int_equal(err, -ERANGE);
	replay_close(rp);
	for (int i = 0; i < 5; i++)
		snapshot_put(in[i]);
}

/* One identity per process across snapshots and runs; an exec or a new boot makes another. */
static void test_identities(void **state)
{
	struct store_opts o = test_opts();
	struct fake_proc p[2] = {{10, 111, "bash", "bash", 0, false},
				 {11, 222, "make", "make", 0, false}};
	struct snapshot *s;
	struct store *st;
	char path[256];

	(void)state;
	db_path(path, sizeof(path));
	st = open_w(path, &o);
	for (int i = 0; i < 3; i++) {
		s = make_snap((uint64_t)i + 1, T0 + (uint64_t)i * NSEC_PER_SEC, NSEC_PER_SEC, p, 2);
		assert_int_equal(store_write(st, s), 0);
		snapshot_put(s);
	}
	/* pid 11 execs: same (pid, start), new name and command line. */
	p[1].comm = "cc1";
	p[1].cmd = "cc1 -O2";
	s = make_snap(4, T0 + 3 * NSEC_PER_SEC, NSEC_PER_SEC, p, 2);
	assert_int_equal(store_write(st, s), 0);
	snapshot_put(s);
	store_close(st);
	assert_int_equal(q_int(path, "SELECT count(*) FROM process"), 3);

	/* A restart (new run, same boot) continues the same identities. */
	st = open_w(path, &o);
	s = make_snap(1, T0 + 10 * NSEC_PER_SEC, NSEC_PER_SEC, p, 2);
	assert_int_equal(store_write(st, s), 0);
	snapshot_put(s);
	store_close(st);
	assert_int_equal(q_int(path, "SELECT count(*) FROM run"), 2);
	assert_int_equal(q_int(path, "SELECT count(*) FROM process"), 3);
	assert_int_equal(q_int(path, "SELECT count(*) FROM proc_sample WHERE proc_id ="
				     " (SELECT id FROM process WHERE comm = 'bash')"),
			 5);

	/* After a reboot, (pid, start_ns) may repeat for another process. */
	{
		sqlite3 *db;

		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(
		    sqlite3_exec(db, "UPDATE run SET boot_id = 'another boot'", NULL, NULL, NULL),
		    SQLITE_OK);
		sqlite3_close(db);
	}
	st = open_w(path, &o);
	s = make_snap(1, T0 + 20 * NSEC_PER_SEC, NSEC_PER_SEC, p, 2);
	assert_int_equal(store_write(st, s), 0);
	snapshot_put(s);
	store_close(st);
	assert_int_equal(q_int(path, "SELECT count(*) FROM process"), 5);
}

/* A database made by the first schema version, with data, opens and upgrades in order. */
static void test_migrations(void **state)
{
	struct store_opts o = test_opts();
	struct store raw = {0};
	struct snapshot *s;
	struct store *st;
	char path[256], msg[256];

	(void)state;
	db_path(path, sizeof(path));
	assert_int_equal(sqlite3_open(path, &raw.db), SQLITE_OK);
	assert_int_equal(store_migrate_to(&raw, 1), 0);
	assert_int_equal(store_schema_version(&raw), 1);
	/* Data as a version-1 writer left it: one run, one sample, one process row. */
	assert_int_equal(
	    sqlite3_exec(
		raw.db,
		"PRAGMA application_id = 1700951152;" /* set by every writer, before any table */
		"ALTER TABLE proc_sample ADD COLUMN tx NUMERIC;"
		"ALTER TABLE total_sample ADD COLUMN tx NUMERIC;"
		"INSERT INTO run (id, started_ns) VALUES (1, 1);"
		"INSERT INTO sample VALUES (1, 1, 1, 1700000000000000000, 1,"
		" 1000000000, 1, 0.5, 1, '', '[]', '[]');"
		"INSERT INTO process VALUES (1, 1, 42, 9, 'old', NULL, NULL, NULL, 0, 1, 1);"
		"INSERT INTO proc_sample (sample_id, proc_id, state, flags, tx)"
		" VALUES (1, 1, 'S', 0, 123.5);",
		NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(raw.db);

	st = open_w(path, &o);
	assert_int_equal(store_schema_version(st), store_schema_latest());
	s = make_snap(1, T0, NSEC_PER_SEC, procs3, 3);
	assert_int_equal(store_write(st, s), 0);
	snapshot_put(s);
	store_close(st);
	assert_int_equal(q_int(path, "SELECT count(*) FROM schema_migration"),
			 store_schema_latest());
	assert_int_equal(q_int(path, "SELECT max(version) FROM schema_migration"),
			 store_schema_latest());
	assert_int_equal(q_int(path, "SELECT count(*) FROM sample"), 2);
	assert_int_equal(q_int(path, "SELECT tx * 2 FROM proc_sample WHERE proc_id = 1"), 247);
	/* Columns were added for every other field; the old row has NULL there. */
	assert_int_equal(q_int(path, "SELECT rx IS NULL FROM proc_sample WHERE proc_id = 1"), 1);

	/* Newer than this build: refused, not damaged. */
	assert_int_equal(sqlite3_open(path, &raw.db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw.db, "PRAGMA user_version = 999", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(raw.db);
	assert_int_equal(store_open(&st, path, STORE_WRITE, &o, msg, sizeof(msg)), -EPROTO);
	assert_non_null(strstr(msg, "newer"));

	/* Someone else's SQLite file. */
	db_path(path, sizeof(path));
	assert_int_equal(sqlite3_open(path, &raw.db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(raw.db, "PRAGMA application_id = 42; CREATE TABLE t(x)", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(raw.db);
	assert_int_equal(store_open(&st, path, STORE_WRITE, &o, msg, sizeof(msg)), -EPROTO);
	assert_non_null(strstr(msg, "not an ebtop history database"));

	/* Without an application_id at all: refused too, and left as it was. */
	db_path(path, sizeof(path));
	assert_int_equal(sqlite3_open(path, &raw.db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(raw.db, "CREATE TABLE t(x); INSERT INTO t VALUES (1)", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(raw.db);
	assert_int_equal(store_open(&st, path, STORE_WRITE, &o, msg, sizeof(msg)), -EPROTO);
	assert_non_null(strstr(msg, "not an ebtop history database"));
	assert_non_null(strstr(msg, path));
	assert_int_equal(q_int(path, "PRAGMA application_id"), 0);
	assert_int_equal(q_int(path, "SELECT count(*) FROM sqlite_master"), 1);
	assert_int_equal(store_open(&st, path, STORE_READ, &o, msg, sizeof(msg)), -EPROTO);
}

/* One writer per file: a second one is refused at once; readers still read. */
static void test_one_writer(void **state)
{
	struct store_opts o = test_opts();
	struct store *st, *st2, *rd;
	char path[256], msg[256];

	(void)state;
	db_path(path, sizeof(path));
	st = open_w(path, &o);
	assert_int_equal(store_open(&st2, path, STORE_WRITE, &o, msg, sizeof(msg)), -EBUSY);
	assert_null(st2);
	assert_non_null(strstr(msg, path));
	assert_int_equal(store_open(&rd, path, STORE_READ, &o, msg, sizeof(msg)), 0);
	store_close(rd);
	store_close(st);
	/* The lock goes with the writer. */
	st = open_w(path, &o);
	store_close(st);
}

/* A field the database lacks (recorded by an older build) gets a column; old rows read NaN. */
static void test_field_columns(void **state)
{
	struct store_opts o = test_opts();
	struct snapshot *s, *out;
	struct replay *rp;
	struct store *st;
	sqlite3 *db;
	char path[256], msg[256];
	int err;

	(void)state;
	db_path(path, sizeof(path));
	st = open_w(path, &o);
	s = make_snap(1, T0, NSEC_PER_SEC, procs3, 3);
	assert_int_equal(store_write(st, s), 0);
	snapshot_put(s);
	store_close(st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "ALTER TABLE proc_sample DROP COLUMN udp_rx_total;"
				      "ALTER TABLE total_sample DROP COLUMN udp_rx_total",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);

	/* A reader copes with the missing column. */
	assert_int_equal(replay_open(&rp, path, msg, sizeof(msg)), 0);
	out = replay_load(rp, 0, &err);
	assert_non_null(out);
	assert_true(isnan(out->procs[0].v[F_UDP_RX_TOTAL]));
	assert_true(out->procs[0].v[F_TX_RATE] == procs3[0].tx);
	snapshot_put(out);
	replay_close(rp);

	/* A writer adds it back. */
	st = open_w(path, &o);
	s = make_snap(2, T0 + NSEC_PER_SEC, NSEC_PER_SEC, procs3, 3);
	assert_int_equal(store_write(st, s), 0);
	store_close(st);
	assert_int_equal(replay_open(&rp, path, msg, sizeof(msg)), 0);
	out = replay_load(rp, 0, &err);
	assert_true(isnan(out->procs[0].v[F_UDP_RX_TOTAL]));
	snapshot_put(out);
	out = replay_load(rp, 1, &err);
	assert_true(out->procs[0].v[F_UDP_RX_TOTAL] == s->procs[0].v[F_UDP_RX_TOTAL]);
	snapshot_put(out);
	replay_close(rp);
	snapshot_put(s);
}

/* Age retention: nothing older than retain_ns survives; orphaned identities go too. */
static void test_retention_age(void **state)
{
	struct store_opts o = test_opts();
	struct fake_proc early = {1, 1, "early", NULL, 0, false},
			 late = {2, 2, "late", NULL, 0, false};
	struct store *st;
	char path[256];

	(void)state;
	o.retain_ns = 7 * 86400 * NSEC_PER_SEC;
	db_path(path, sizeof(path));
	st = open_w(path, &o);
	/* Ten days, one sample an hour: the first day's process is gone by the end. */
	for (uint64_t h = 0; h < 240; h++) {
		struct snapshot *s = make_snap(h + 1, T0 + h * 3600 * NSEC_PER_SEC,
					       3600 * NSEC_PER_SEC, h < 24 ? &early : &late, 1);

		assert_int_equal(store_write(st, s), 0);
		snapshot_put(s);
	}
	store_close(st);
	/* Hours 71..239 are within 7 days (168 h) of hour 239; older ones are not. */
	assert_int_equal(q_int(path, "SELECT count(*) FROM sample"), 169);
	assert_int_equal(
	    q_int(path, "SELECT (max(wall_ns) - min(wall_ns)) / 3600000000000 FROM sample"), 168);
	assert_int_equal(q_int(path, "SELECT count(*) FROM process"), 1);
	assert_int_equal(q_int(path, "SELECT count(*) FROM proc_sample"), 169);
	assert_int_equal(q_int(path, "SELECT count(*) FROM total_sample"), 169);
	assert_int_equal(q_int(path, "SELECT count(*) FROM disk_sample"), 2 * 169);
}

static void test_retention_size_math(void **state)
{
	static const struct {
		int64_t used, max, n;
		int want;
	} cases[] = {
	    {1000, 0, 10, 0},	      /* no limit */
	    {1000, 2000, 10, 0},      /* under */
	    {2000, 2000, 10, 0},      /* at the limit */
	    {2100, 2000, 10, 1},      /* 100 over, 200 per sample: one */
	    {3000, 2000, 10, 4},      /* 1000 over, 300 per sample: ceil = 4 */
	    {100000, 1000, 1000, 32}, /* capped at one chunk per interval */
	    {100000, 1000, 5, 4},     /* never the newest sample */
	    {5000, 1000, 1, 0},	      /* one sample: nothing to delete */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(store_size_chunk(cases[i].used, cases[i].max, cases[i].n),
				 cases[i].want);
}

/* Size retention keeps the data near the limit and always the newest samples. */
static void test_retention_size(void **state)
{
	struct store_opts o = test_opts();
	struct fake_proc many[50];
	struct store *st;
	char path[256];
	int64_t used;

	(void)state;
	for (int i = 0; i < 50; i++)
		many[i] =
		    (struct fake_proc){(uint32_t)(1000 + i), 1, "worker", "worker --x", i, false};
	o.max_bytes = 256 * 1024;
	db_path(path, sizeof(path));
	st = open_w(path, &o);
	for (uint64_t i = 0; i < 400; i++) {
		struct snapshot *s =
		    make_snap(i + 1, T0 + i * NSEC_PER_SEC, NSEC_PER_SEC, many, 50);

		assert_int_equal(store_write(st, s), 0);
		snapshot_put(s);
	}
	used = store_used_bytes(st);
	store_close(st);
	print_message("size retention: %lld bytes in use, %lld samples kept\n", (long long)used,
		      (long long)q_int(path, "SELECT count(*) FROM sample"));
	/* One chunk per interval may lag the limit by about a chunk's worth. */
	assert_true(used <= 256 * 1024 * 1.2);
	assert_true(q_int(path, "SELECT count(*) FROM sample") < 400);
	assert_int_equal(q_int(path, "SELECT max(seq) FROM sample"), 400);
	/* Samples go oldest first: what is left is contiguous. */
	assert_int_equal(q_int(path, "SELECT max(seq) - min(seq) + 1 - count(*) FROM sample"), 0);
}

/* ---- connections and events ---- */

static void add_conns(struct snapshot *s)
{
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 7};
	struct conn *c = calloc(3, sizeof(*c));

	assert_non_null(c);
	/* Owner order, as the model keeps them: pid 100 twice, then pid 300. */
	for (int i = 0; i < 3; i++) {
		c[i].cookie = 1000 + (uint64_t)i;
		c[i].pid = i < 2 ? 100 : 300;
		c[i].tid = c[i].pid + 1;
		c[i].pstart_ns = i < 2 ? 5000 : 7000;
		c[i].ts_ns = 99;
		c[i].open_ns = 9;
		c[i].family = AF_INET;
		c[i].proto = IPPROTO_TCP;
		c[i].state = 1;
		c[i].lport = (uint16_t)(40000 + i);
		c[i].rport = 443;
		c[i].laddr[0] = 10;
		c[i].laddr[3] = (uint8_t)i;
		c[i].raddr[0] = 192;
		c[i].raddr[3] = 1;
		c[i].srtt_us = 250;
		c[i].flags = EBTOP_CONN_F_ESTAB;
		snprintf(c[i].comm, sizeof(c[i].comm), "curl");
		c[i].tot.tx_bytes = 1000000 * (uint64_t)(i + 1);
		c[i].delta.tx_bytes = 1000 * (uint64_t)(3 - i); /* the first is the busiest */
		c[i].tot.segs_out = 77;
		for (int f = 0; f < CF_NUM; f++)
			c[i].v[f] = conn_fields[f].type == FT_NUM ? 0.5 + f + i : NAN;
		c[i].v[CF_PID] = c[i].pid;
		c[i].v[CF_TID] = c[i].tid;
		c[i].v[CF_LPORT] = c[i].lport;
		c[i].v[CF_RPORT] = c[i].rport;
	}
	c[1].family = AF_INET6;
	c[1].proto = IPPROTO_UDP;
	memcpy(c[1].laddr, v6, 16);
	memcpy(c[1].raddr, v6, 16);
	c[1].flags = EBTOP_CONN_F_CLOSED;
	c[1].v[CF_AGE] = NAN;
	s->conns = c;
	s->nconns = 3;
	s->avail |= NEED_CONN | NEED_EVENTS;
	s->conn_occ = (struct conn_occupancy){3, 1, 4096, 4096, 2};
	s->total.conn.open = 2;
	s->total.conn.delta.refused = 1;
	s->events = calloc(2, sizeof(*s->events));
	assert_non_null(s->events);
	s->nevents = 2;
	s->events[0].kind = s->events[0].conn.kind = EBTOP_EV_CONNECT;
	s->events[0].wall_ns = s->wall_ns - 5;
	s->events[0].conn = (struct ebtop_conn_rec){.kind = EBTOP_EV_CONNECT,
						    .cookie = 1000,
						    .tgid = 100,
						    .family = AF_INET,
						    .proto = 6,
						    .err = ECONNREFUSED,
						    .lport = 40000,
						    .rport = 443,
						    .tx_bytes = 12};
	memcpy(s->events[0].conn.raddr, c[0].raddr, 16);
	s->events[1].kind = EBTOP_EV_EXEC;
	s->events[1].wall_ns = s->wall_ns - 3;
	s->events[1].exec = (struct ebtop_exec_event){
	    .kind = EBTOP_EV_EXEC, .pid = 300, .ppid = 1, .uid = 1000, .args_len = 8, .comm = "ls"};
	memcpy(s->events[1].exec.argv, "ls\0-la\0/\0", 8);
}

static void test_conns_events(void **state)
{
	struct store_opts o = test_opts();
	struct snapshot *in, *out;
	struct replay *rp;
	struct store *st;
	char path[256], msg[256];
	int err;

	(void)state;
	db_path(path, sizeof(path));
	st = open_w(path, &o);
	in = make_snap(1, T0, NSEC_PER_SEC, procs3, 3);
	add_conns(in);
	assert_int_equal(store_write(st, in), 0);
	store_close(st);
	assert_int_equal(replay_open(&rp, path, msg, sizeof(msg)), 0);
	out = replay_load(rp, 0, &err);
	assert_non_null(out);
	assert_true(out->avail & NEED_CONN);
	assert_int_equal(out->nconns, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct conn *a = &in->conns[i], *b = &out->conns[i];

		assert_int_equal(b->cookie, a->cookie);
		assert_int_equal(b->pid, a->pid);
		assert_int_equal(b->tid, a->tid);
		assert_int_equal(b->pstart_ns, a->pstart_ns);
		assert_int_equal(b->flags, a->flags);
		assert_int_equal(b->family, a->family);
		assert_int_equal(b->proto, a->proto);
		assert_int_equal(b->lport, a->lport);
		assert_int_equal(b->rport, a->rport);
		assert_memory_equal(b->laddr, a->laddr, 16);
		assert_memory_equal(b->raddr, a->raddr, 16);
		assert_string_equal(b->comm, a->comm);
		assert_memory_equal(&b->tot, &a->tot, sizeof(a->tot));
		assert_memory_equal(&b->delta, &a->delta, sizeof(a->delta));
		for (int f = 0; f < CF_NUM; f++)
			assert_same_value(b->v[f], a->v[f]);
	}
	/* Linked like the model's: pid 100's row owns the first two. */
	assert_int_equal(out->procs[0].pid, 100);
	assert_int_equal(out->procs[0].conn.count, 2);
	assert_int_equal(out->procs[0].conn.open, 1);
	assert_ptr_equal(out->conns[0].owner, &out->procs[0]);
	assert_int_equal(out->procs[2].conn.first, 2);
	assert_int_equal(out->conn_occ.peers_max, 4096);
	assert_int_equal(out->total.conn.delta.refused, 1);
	assert_non_null(out->conn_by_key);
	assert_int_equal(out->nevents, 2);
	assert_int_equal(out->events[0].kind, EBTOP_EV_CONNECT);
	assert_int_equal(out->events[0].wall_ns, in->events[0].wall_ns);
	assert_int_equal(out->events[0].conn.err, ECONNREFUSED);
	assert_memory_equal(out->events[0].conn.raddr, in->events[0].conn.raddr, 16);
	assert_int_equal(out->events[1].exec.args_len, 8);
	assert_memory_equal(out->events[1].exec.argv, "ls\0-la\0/\0", 8);
	assert_string_equal(out->events[1].exec.comm, "ls");
	snapshot_put(out);
	replay_close(rp);
	assert_query_text(path, "SELECT cmdline FROM event WHERE kind = 'exec'", "ls -la /");
	assert_query_text(path, "SELECT raddr FROM conn_sample WHERE idx = 1", "2001:db8::7");

	/* A cap keeps the busiest connections, in their order. */
	o.max_conns = 2;
	db_path(path, sizeof(path));
	st = open_w(path, &o);
	assert_int_equal(store_write(st, in), 0);
	store_close(st);
	assert_query_text(path, "SELECT group_concat(cookie) FROM conn_sample", "1000,1001");
	snapshot_put(in);
}

/* ---- downsampling ---- */

static double q_real(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	double v = NAN;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
		v = sqlite3_column_double(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return v;
}

/* A whole five minutes, so 1 and 5 min buckets start with the first sample. */
#define T0M (1700000100ULL * NSEC_PER_SEC)

/*
 * Two hours of 10 s samples; "blip" (pid 7) exists only every third sample.
 * Latency fields of pid 100 vary so min, max and mean are distinguishable.
 */
static void write_two_hours(const char *path, const struct store_opts *o)
{
	struct store *st = open_w(path, o);

	for (uint64_t i = 0; i < 720; i++) {
		struct fake_proc p[2] = {{100, 1, "steady", NULL, 1000, false},
					 {7, 2, "blip", NULL, 300, false}};
		struct snapshot *s = make_snap(i + 1, T0M + i * 10 * NSEC_PER_SEC,
					       10 * NSEC_PER_SEC, p, i % 3 ? 1 : 2);

		/* Whole numbers are stored as integers: sums of rate x ns must not overflow. */
		s->procs[0].v[F_RX_RATE] = 5e8;
		s->procs[0].v[F_IO_LAT_MAX] = (double)(i % 6);
		s->procs[0].v[F_IO_LAT_MIN] = (double)(10 + i % 6);
		s->procs[0].v[F_IO_LAT] = i % 2 ? NAN : (double)(i % 6);
		s->disks[0].hist[100] = (uint32_t)i;
		assert_int_equal(store_write(st, s), 0);
		snapshot_put(s);
	}
	store_close(st);
}

static void test_downsample(void **state)
{
	struct store_opts o = test_opts();
	char path[256], ref[256];
	double bytes_before, blip_before;

	(void)state;
	/* The same data without downsampling, for reference. */
	db_path(ref, sizeof(ref));
	write_two_hours(ref, &o);
	bytes_before =
	    q_real(ref, "SELECT sum(tx * interval_ns / 1e9) FROM history WHERE pid = 100");
	blip_before = q_real(ref, "SELECT sum(tx * interval_ns / 1e9) FROM history WHERE pid = 7");

	assert_int_equal(store_parse_tiers("1h:1m", &o), 0);
	db_path(path, sizeof(path));
	write_two_hours(path, &o);
	/*
	 * The last sample is at 7190 s: buckets ending by 3590 s are merged, six
	 * 10 s samples each (0..3539 s: 59 buckets); 3540 s on stays as it was.
	 */
	assert_int_equal(q_int(path, "SELECT count(*) FROM sample WHERE step_s = 60"), 59);
	assert_int_equal(q_int(path, "SELECT sum(merged) FROM sample WHERE step_s = 60"), 354);
	assert_int_equal(q_int(path, "SELECT count(*) FROM sample WHERE step_s = 0"), 720 - 354);
	assert_int_equal(q_int(path, "SELECT min(interval_ns) / 1000000000 FROM sample"
				     " WHERE step_s = 60"),
			 60);
	/* Bytes are conserved: a merged rate times its interval is what was sent. */
	assert_true(fabs(q_real(path, "SELECT sum(tx * interval_ns / 1e9) FROM history"
				      " WHERE pid = 100") -
			 bytes_before) < 1e-6 * bytes_before);
	assert_true(fabs(q_real(path, "SELECT sum(tx * interval_ns / 1e9) FROM history"
				      " WHERE pid = 7") -
			 blip_before) < 1e-6 * blip_before);
	assert_true(
	    q_real(path, "SELECT rx FROM history WHERE pid = 100 AND step_s = 60 LIMIT 1") == 5e8);
	/* The blip was in 2 of 6 samples of each bucket: one third of its rate. */
	assert_true(fabs(q_real(path, "SELECT tx FROM history WHERE pid = 7 AND step_s = 60"
				      " LIMIT 1") -
			 100.0) < 1e-9);
	/* Totals keep the bucket's last value. */
	assert_true(q_real(path, "SELECT tx_total FROM history WHERE pid = 100 AND step_s = 60"
				 " ORDER BY time LIMIT 1") == 1000.0 * 10 * 6);
	/* Min, max, and a mean over the samples that had a value (i % 6 even: 0, 2, 4). */
	assert_true(q_real(path, "SELECT io_lat_max FROM history WHERE pid = 100 AND step_s = 60"
				 " LIMIT 1") == 5);
	assert_true(q_real(path, "SELECT io_lat_min FROM history WHERE pid = 100 AND step_s = 60"
				 " LIMIT 1") == 10);
	assert_true(q_real(path, "SELECT io_lat FROM history WHERE pid = 100 AND step_s = 60"
				 " LIMIT 1") == 2);
	/* Disk rows: rates weighted by time, histograms summed (0 + 1 + ... + 5). */
	assert_true(q_real(path, "SELECT json_extract(lat_hist, '$[1][2]') FROM disk_sample"
				 " ORDER BY sample_id LIMIT 1") == 15);
	assert_int_equal(q_int(path, "SELECT count(*) FROM disk_sample"),
			 2 * q_int(path, "SELECT count(*) FROM sample"));
	/* A process's last row moved to the merged sample: rows are still found by lifetime. */
	assert_int_equal(q_int(path, "SELECT count(*) FROM process WHERE last_sample IS NOT NULL"
				     " AND last_sample NOT IN (SELECT id FROM sample)"),
			 0);
	assert_query_text(path, "PRAGMA integrity_check", "ok");
}

/* Maintenance is incremental: with no time budget, one bucket per call. */
static void test_downsample_incremental(void **state)
{
	struct store_opts o = test_opts();
	struct store *st;
	char path[256];
	int64_t before;

	(void)state;
	db_path(path, sizeof(path));
	write_two_hours(path, &o);
	before = q_int(path, "SELECT count(*) FROM sample");
	assert_int_equal(store_parse_tiers("1h:1m", &o), 0);
	st = open_w(path, &o);
	{
		int r = store_maintain(st, T0M + 7190 * NSEC_PER_SEC, 0);

		if (r != 1)
			fprintf(stderr, "maintain: %d %s\n", r, store_errmsg(st));
		assert_int_equal(r, 1);
	}
	store_close(st);
	assert_int_equal(q_int(path, "SELECT count(*) FROM sample"), before - 5);
	/* A coarser second tier merges the first tier's buckets in turn. */
	assert_int_equal(store_parse_tiers("1h:1m,90m:5m", &o), 0);
	st = open_w(path, &o);
	for (int i = 0; i < 200 && store_maintain(st, T0M + 7190 * NSEC_PER_SEC, 0) == 1; i++)
		;
	store_close(st);
	/* Before 5390 s - 90 min = 1790 s: 5 min buckets (0..1799 s would reach past it). */
	assert_int_equal(q_int(path, "SELECT count(*) FROM sample WHERE step_s = 300"), 5);
	assert_int_equal(q_int(path, "SELECT sum(merged) FROM sample WHERE step_s = 300"), 150);
}

/* A bucket larger than one unit merges over several units; nothing changes until the last. */
static void test_downsample_ranges(void **state)
{
	struct store_opts o = test_opts();
	struct fake_proc *p = calloc(1500, sizeof(*p));
	struct store *st;
	char path[256];
	double before;
	int r, units = 0;

	(void)state;
	assert_non_null(p);
	for (int i = 0; i < 1500; i++)
		p[i] = (struct fake_proc){(uint32_t)(10 + i), 5, "w", NULL, (double)i, false};
	db_path(path, sizeof(path));
	st = open_w(path, &o);
	/* Two minutes of 10 s samples. */
	for (uint64_t i = 0; i < 12; i++) {
		struct snapshot *s =
		    make_snap(i + 1, T0M + i * 10 * NSEC_PER_SEC, 10 * NSEC_PER_SEC, p, 1500);

		assert_int_equal(store_write(st, s), 0);
		snapshot_put(s);
	}
	store_close(st);
	before = q_real(path, "SELECT sum(tx * interval_ns / 1e9) FROM history");
	assert_int_equal(store_parse_tiers("1s:1m", &o), 0);
	st = open_w(path, &o);
	/* 6 samples x 1500 processes: 682 processes (4092 rows) per unit, so three units. */
	assert_int_equal(store_exec(st, "BEGIN"), 0);
	assert_int_equal(store_maintain(st, T0M + 121 * NSEC_PER_SEC, 0), 1);
	assert_int_equal(store_exec(st, "COMMIT"), 0);
	assert_int_equal(q_int(path, "SELECT count(*) FROM sample"), 12);
	do {
		assert_int_equal(store_exec(st, "BEGIN"), 0);
		r = store_maintain(st, T0M + 121 * NSEC_PER_SEC, 0);
		assert_int_equal(store_exec(st, "COMMIT"), 0);
		units++;
	} while (r == 1 && units < 100);
	store_close(st);
	assert_int_equal(r, 0);
	assert_int_equal(q_int(path, "SELECT count(*) FROM sample"), 2);
	assert_int_equal(q_int(path, "SELECT count(*) FROM sample_gc"), 0);
	assert_int_equal(q_int(path, "SELECT count(*) FROM proc_sample"), 2 * 1500);
	assert_int_equal(q_int(path, "SELECT min(nprocs) FROM sample"), 1500);
	assert_true(fabs(q_real(path, "SELECT sum(tx * interval_ns / 1e9) FROM history") - before) <
		    1e-9 * before);
	assert_true(q_real(path, "SELECT tx FROM history WHERE pid = 1509 LIMIT 1") == 1499);
	assert_query_text(path, "PRAGMA integrity_check", "ok");
	free(p);
}

/* ---- queries ---- */

struct got {
	int nseries;
	uint32_t pid[8];
	size_t npts[8];
	struct store_point pts[8][64];
};

static int collect(void *ctx, const struct store_series *s)
{
	struct got *g = ctx;
	int k = g->nseries++;

	assert_true(k < 8 && s->npts <= 64);
	g->pid[k] = s->pid;
	g->npts[k] = s->npts;
	memcpy(g->pts[k], s->pts, s->npts * sizeof(*s->pts));
	return 0;
}

/*
 * Twelve 1 s samples. Process "a" (pid 1) sends 100 B/s throughout; "b" (pid
 * 2, also named "a") sends 50 B/s but exists only in samples 1..6; 30 idle
 * processes make a selector cheaper to answer by seeking than by scanning.
 */
static struct store *query_db(char *path, size_t len)
{
	struct store_opts o = test_opts();
	struct fake_proc p[32], later[31];
	struct store *st;
	char msg[256];

	p[0] = (struct fake_proc){1, 10, "a", NULL, 100, false};
	p[1] = (struct fake_proc){2, 20, "a", NULL, 50, false};
	for (int i = 2; i < 32; i++)
		p[i] = (struct fake_proc){(uint32_t)(1000 + i), 30, "idle", NULL, 0, false};
	/* From sample 7 on, pid 2 is gone. */
	later[0] = p[0];
	memcpy(later + 1, p + 2, 30 * sizeof(*p));
	db_path(path, len);
	st = open_w(path, &o);
	for (uint64_t i = 0; i < 12; i++) {
		struct snapshot *s = make_snap(i + 1, T0 + (i + 1) * NSEC_PER_SEC, NSEC_PER_SEC,
					       i < 6 ? p : later, i < 6 ? 32 : 31);

		assert_int_equal(store_write(st, s), 0);
		snapshot_put(s);
	}
	store_close(st);
	assert_int_equal(store_open(&st, path, STORE_READ, NULL, msg, sizeof(msg)), 0);
	return st;
}

static void test_query_raw(void **state)
{
	struct store_series_query q = {
	    .comm = "a", .field = F_TX_RATE, .from_ns = T0, .to_ns = T0 + 100 * NSEC_PER_SEC};
	struct got g = {0};
	char path[256];
	struct store *st = query_db(path, sizeof(path));

	(void)state;
	assert_int_equal(store_query_series(st, &q, collect, &g), 0);
	assert_int_equal(g.nseries, 1);
	assert_int_equal(g.npts[0], 12);
	assert_true(g.pts[0][0].v == 150 && g.pts[0][5].v == 150 && g.pts[0][6].v == 100);
	assert_int_equal(g.pts[0][0].t_ns, T0 + NSEC_PER_SEC);

	memset(&g, 0, sizeof(g));
	q.per_process = true;
	assert_int_equal(store_query_series(st, &q, collect, &g), 0);
	assert_int_equal(g.nseries, 2);
	assert_int_equal(g.pid[0], 1);
	assert_int_equal(g.npts[0], 12);
	assert_int_equal(g.pid[1], 2);
	assert_int_equal(g.npts[1], 6);

	memset(&g, 0, sizeof(g));
	q.per_process = false;
	q.comm = NULL;
	q.pid = 2;
	q.from_ns = T0 + 3 * NSEC_PER_SEC;
	q.to_ns = T0 + 4 * NSEC_PER_SEC;
	assert_int_equal(store_query_series(st, &q, collect, &g), 0);
	assert_int_equal(g.npts[0], 2);
	assert_true(g.pts[0][1].v == 50);
	store_close(st);
}

static void test_query_buckets(void **state)
{
	struct store_series_query q = {.pid = 2,
				       .field = F_TX_RATE,
				       .from_ns = T0 + NSEC_PER_SEC,
				       .to_ns = T0 + 12 * NSEC_PER_SEC,
				       .step_ns = 4 * NSEC_PER_SEC};
	struct got g = {0};
	char path[256];
	struct store *st = query_db(path, sizeof(path));

	(void)state;
	/* Buckets [1,5) [5,9) [9,13): b sends 50 B/s in samples 1..6, is absent after. */
	assert_int_equal(store_query_series(st, &q, collect, &g), 0);
	assert_int_equal(g.npts[0], 2);
	assert_true(g.pts[0][0].v == 50);
	assert_int_equal(g.pts[0][0].t_ns, T0 + NSEC_PER_SEC);
	/* Present in 2 of 4 samples: the bucket's mean rate is half, bytes stay right. */
	assert_true(g.pts[0][1].v == 25);

	/* Totals keep the last value in the bucket: tx_total = 50 * seq. */
	memset(&g, 0, sizeof(g));
	q.field = F_TX_TOTAL;
	assert_int_equal(store_query_series(st, &q, collect, &g), 0);
	assert_int_equal(g.npts[0], 2);
	assert_true(g.pts[0][0].v == 200 && g.pts[0][1].v == 300);

	/* Summed over both processes named "a". */
	memset(&g, 0, sizeof(g));
	q.pid = 0;
	q.comm = "a";
	q.field = F_TX_RATE;
	assert_int_equal(store_query_series(st, &q, collect, &g), 0);
	assert_int_equal(g.npts[0], 3);
	assert_true(g.pts[0][0].v == 150 && g.pts[0][1].v == 125 && g.pts[0][2].v == 100);

	/* Everything summed (a scan): the idle processes add nothing. */
	memset(&g, 0, sizeof(g));
	q.comm = NULL;
	assert_int_equal(store_query_series(st, &q, collect, &g), 0);
	assert_int_equal(g.npts[0], 3);
	assert_true(g.pts[0][0].v == 150 && g.pts[0][1].v == 125 && g.pts[0][2].v == 100);
	/* One series per process without a selector: 32 identities, over a limit of 8. */
	q.per_process = true;
	q.max_series = 8;
	assert_int_equal(store_query_series(st, &q, collect, &g), -E2BIG);
	q.per_process = false;
	q.max_series = 0;

	/* Bad requests. */
	q.field = F_COMM;
	assert_int_equal(store_query_series(st, &q, collect, &g), -EINVAL);
	q.field = F_TX_RATE;
	q.step_ns = 1;
	assert_int_equal(store_query_series(st, &q, collect, &g), -E2BIG);
	q.step_ns = NSEC_PER_SEC;
	q.from_ns = q.to_ns + 1;
	assert_int_equal(store_query_series(st, &q, collect, &g), -EINVAL);
	/* Nothing in range: one empty summed series. */
	memset(&g, 0, sizeof(g));
	q.from_ns = T0 + 1000 * NSEC_PER_SEC;
	q.to_ns = q.from_ns + 10 * NSEC_PER_SEC;
	assert_int_equal(store_query_series(st, &q, collect, &g), 0);
	assert_int_equal(g.nseries, 1);
	assert_int_equal(g.npts[0], 0);
	store_close(st);
}

/* ---- the writer thread and a locked database ---- */

static void test_writer_locked(void **state)
{
	struct store_opts o = test_opts();
	struct store_writer_stats ws;
	struct store_writer *w;
	struct snapshot *s;
	struct store *st;
	sqlite3 *other;
	char path[256], msg[256];

	(void)state;
	db_path(path, sizeof(path));
	assert_int_equal(store_writer_start(&w, path, &o, msg, sizeof(msg)), 0);
	s = make_snap(1, T0, NSEC_PER_SEC, procs3, 3);
	store_writer_push(w, s);
	snapshot_put(s);
	for (int i = 0; i < 200; i++) {
		store_writer_get_stats(w, &ws);
		if (ws.written == 1)
			break;
		usleep(10000);
	}
	assert_int_equal(ws.written, 1);

	/* Another process holds the write lock: the writer queues and retries. */
	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	for (uint64_t i = 2; i <= 4; i++) {
		s = make_snap(i, T0 + i * NSEC_PER_SEC, NSEC_PER_SEC, procs3, 3);
		store_writer_push(w, s);
		snapshot_put(s);
	}
	for (int i = 0; i < 200; i++) {
		store_writer_get_stats(w, &ws);
		if (ws.state == STORE_LOCKED)
			break;
		usleep(10000);
	}
	assert_int_equal(ws.state, STORE_LOCKED);
	assert_int_equal(ws.written, 1);
	assert_true(ws.pending >= 2);
	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	assert_int_equal(store_writer_stop(w), 0);

	assert_int_equal(q_int(path, "SELECT count(*) FROM sample"), 4);
	assert_int_equal(q_int(path, "SELECT max(seq) FROM sample"), 4);

	/* A direct write while locked fails with -EBUSY and changes nothing. */
	st = open_w(path, &o);
	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	s = make_snap(5, T0 + 5 * NSEC_PER_SEC, NSEC_PER_SEC, procs3, 3);
	assert_int_equal(store_write(st, s), -EBUSY);
	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	assert_int_equal(store_write(st, s), 0);
	snapshot_put(s);
	store_close(st);
	assert_int_equal(q_int(path, "SELECT count(*) FROM sample"), 5);
}

/* ---- option parsers ---- */

static void test_parse(void **state)
{
	struct store_opts o;
	struct store_time t;
	uint64_t v;

	(void)state;
	store_opts_default(&o);
	assert_int_equal(store_parse_duration("7d", &v), 0);
	assert_int_equal(v, 7 * 86400 * NSEC_PER_SEC);
	assert_int_equal(store_parse_duration("90", &v), 0);
	assert_int_equal(v, 90 * NSEC_PER_SEC);
	assert_int_equal(store_parse_duration("1.5h", &v), 0);
	assert_int_equal(v, 5400 * NSEC_PER_SEC);
	assert_int_equal(store_parse_duration("off", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(store_parse_duration("7x", &v), -EINVAL);
	assert_int_equal(store_parse_duration("-1d", &v), -EINVAL);
	assert_int_equal(store_parse_duration("", &v), -EINVAL);

	assert_int_equal(store_parse_size("1G", &v), 0);
	assert_int_equal(v, 1ULL << 30);
	assert_int_equal(store_parse_size("500MB", &v), 0);
	assert_int_equal(v, 500ULL << 20);
	assert_int_equal(store_parse_size("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(store_parse_size("12", &v), -EINVAL); /* below a page */
	assert_int_equal(store_parse_size("1Q", &v), -EINVAL);

	assert_int_equal(store_parse_tiers("1d:1m,7d:10m", &o), 0);
	assert_int_equal(o.ntiers, 2);
	assert_int_equal(o.tiers[1].age_ns, 7 * 86400 * NSEC_PER_SEC);
	assert_int_equal(o.tiers[1].step_s, 600);
	assert_int_equal(store_parse_tiers("off", &o), 0);
	assert_int_equal(o.ntiers, 0);
	assert_int_equal(store_parse_tiers("1d:1m,7d:90s", &o), -EINVAL); /* not a multiple */
	assert_int_equal(store_parse_tiers("7d:10m,1d:1m", &o), -EINVAL); /* out of order */
	assert_int_equal(store_parse_tiers("1d:0.5s", &o), -EINVAL);
	assert_int_equal(store_parse_tiers("1d", &o), -EINVAL);

	assert_int_equal(store_parse_time("1700000000.123456789", &t), 0);
	assert_int_equal(t.kind, STIME_ABS);
	assert_int_equal(t.ns, 1700000000123456789ULL);
	assert_int_equal(store_parse_time("@1700000000", &t), 0);
	assert_int_equal(t.ns, T0);
	assert_int_equal(store_parse_time("-5m", &t), 0);
	assert_int_equal(t.kind, STIME_LAST);
	assert_int_equal(store_time_resolve(&t, T0, T0 + 3600 * NSEC_PER_SEC),
			 T0 + 3300 * NSEC_PER_SEC);
	assert_int_equal(store_parse_time("first", &t), 0);
	assert_int_equal(store_time_resolve(&t, T0, T0 + 5), T0);
	assert_int_equal(store_parse_time("12:30", &t), 0);
	assert_int_equal(t.kind, STIME_TOD);
	assert_int_equal(t.ns, (12 * 3600 + 30 * 60) * NSEC_PER_SEC);
	assert_int_equal(store_parse_time("2023-11-14 22:13:20", &t), 0);
	assert_int_equal(t.kind, STIME_ABS);
	assert_int_equal(store_parse_time("25:00", &t), -EINVAL);
	assert_int_equal(store_parse_time("yesterday", &t), -EINVAL);
	assert_int_equal(store_parse_time("17000x", &t), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_identities),
	    cmocka_unit_test(test_migrations),
	    cmocka_unit_test(test_one_writer),
	    cmocka_unit_test(test_field_columns),
	    cmocka_unit_test(test_retention_age),
	    cmocka_unit_test(test_retention_size_math),
	    cmocka_unit_test(test_retention_size),
	    cmocka_unit_test(test_conns_events),
	    cmocka_unit_test(test_downsample),
	    cmocka_unit_test(test_downsample_incremental),
	    cmocka_unit_test(test_downsample_ranges),
	    cmocka_unit_test(test_query_raw),
	    cmocka_unit_test(test_query_buckets),
	    cmocka_unit_test(test_writer_locked),
	    cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
