// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* History store cost: write time and WAL per interval, bytes per row, queries, replay,
 * downsampling. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "store/replay.h"
#include "store/store.h"
#include "store/store_int.h"

#define T0 1700000100ULL /* a whole minute */

int64_t store_used_bytes(struct store *st); /* TESTABLE in maint.c */
#define ACTIVE	10			    /* one process in ACTIVE sends and receives */
#define WORKERS 10			    /* processes named "worker" (a comm= query) */

struct wal_count {
	int prev;
	long pages;
	long commits;
};

/* Pages each commit appended to the WAL; checkpoints as SQLite's default would. */
static int on_wal(void *ctx, sqlite3 *db, const char *name, int pages)
{
	struct wal_count *w = ctx;

	w->pages += pages > w->prev ? pages - w->prev : pages;
	w->commits++;
	w->prev = pages;
	if (pages >= 1000)
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

static struct snapshot *make(size_t nprocs, uint64_t i)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	s->refs = 1;
	s->seq = i + 1;
	s->wall_ns = (T0 + i) * NSEC_PER_SEC;
	s->interval_ns = NSEC_PER_SEC;
	s->avail = NEED_NET | NEED_DISK | NEED_SCHED;
	s->ncpus = 2;
	s->procs = calloc(nprocs, sizeof(*s->procs));
	s->nprocs = nprocs;
	for (size_t k = 0; k < nprocs; k++) {
		struct row *r = &s->procs[k];
		bool active = k % ACTIVE == 0;

		r->pid = r->tgid = (uint32_t)(100 + k);
		r->start_ns = 1000 + k;
		r->state = 'S';
		snprintf(r->comm, sizeof(r->comm), "%s", k < WORKERS ? "worker" : "proc");
		for (int f = 0; f < F_NUM; f++) {
			if (fields[f].type != FT_NUM)
				r->v[f] = NAN;
			else if (fields[f].unit == UNIT_NONE)
				r->v[f] = (double)(f + k);
			else if (!active)
				r->v[f] = 0; /* most processes are idle in an interval */
			else if (fields[f].unit == UNIT_BYTES || fields[f].unit == UNIT_COUNT)
				r->v[f] = (double)(1000 * i + k); /* totals grow */
			else
				r->v[f] = 1000.0 * (double)(k + 1) / 3.0 + (double)i; /* rates */
		}
		r->v[F_PID] = r->pid;
	}
	for (int f = 0; f < F_NUM; f++)
		s->total.v[f] = (fields[f].flags & FIELD_SUM) ? 12345.678 : NAN;
	return s;
}

static double now_ms(void)
{
	return (double)clock_mono_ns() / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int count_points(void *ctx, const struct store_series *s)
{
	*(size_t *)ctx += s->npts;
	return 0;
}

static double time_query(struct store *st, const struct store_series_query *q, size_t *pts)
{
	double t = now_ms();

	*pts = 0;
	if (store_query_series(st, q, count_points, pts))
		fprintf(stderr, "query failed\n");
	return now_ms() - t;
}

static void run(const char *dir, size_t nprocs, size_t nsamples)
{
	char path[512], msg[256];
	struct store_opts o;
	struct wal_count wal = {0};
	struct store *st;
	struct replay *rp;
	double *t = calloc(nsamples, sizeof(*t)), sum = 0, t0;
	int64_t used;
	size_t pts, merged = 0;
	struct store_series_query q = {.field = F_TX_RATE,
				       .from_ns = T0 * NSEC_PER_SEC,
				       .to_ns = (T0 + nsamples) * NSEC_PER_SEC};

	snprintf(path, sizeof(path), "%s/bench-%zu.db", dir, nprocs);
	unlink(path);
	store_opts_default(&o);
	o.retain_ns = 0;
	o.max_bytes = 0;
	o.ntiers = 0;
	if (store_open(&st, path, STORE_WRITE, &o, msg, sizeof(msg))) {
		fprintf(stderr, "%s\n", msg);
		exit(1);
	}
	sqlite3_wal_hook(st->db, on_wal, &wal);
	for (size_t i = 0; i < nsamples; i++) {
		struct snapshot *s = make(nprocs, i);

		t0 = now_ms();
		if (store_write(st, s))
			fprintf(stderr, "write failed: %s\n", store_errmsg(st));
		t[i] = now_ms() - t0;
		sum += t[i];
		snapshot_put(s);
	}
	used = store_used_bytes(st);
	store_close(st);
	qsort(t, nsamples, sizeof(*t), cmp_d);
	printf("%6zu procs  write %6.2f ms mean %6.2f p99 %6.2f max  WAL %6.1f KiB/interval"
	       "  %5.1f bytes/row\n",
	       nprocs, sum / (double)nsamples, t[nsamples * 99 / 100], t[nsamples - 1],
	       (double)wal.pages * 4096 / 1024 / (double)(wal.commits ? wal.commits : 1),
	       (double)used / (double)(nsamples * nprocs));

	if (store_open(&st, path, STORE_READ, NULL, msg, sizeof(msg)))
		exit(1);
	q.pid = 100 + ACTIVE; /* an active process */
	printf("              pid=, %zu samples raw     %7.2f ms", nsamples,
	       time_query(st, &q, &pts));
	printf(" (%zu points)\n", pts);
	q.step_ns = 60 * NSEC_PER_SEC;
	printf("              pid=, step 60 s           %7.2f ms", time_query(st, &q, &pts));
	printf(" (%zu points)\n", pts);
	q.pid = 0;
	q.comm = "worker";
	printf("              comm= (%d procs), summed  %7.2f ms", WORKERS,
	       time_query(st, &q, &pts));
	printf(" (%zu points)\n", pts);
	q.comm = NULL;
	printf("              everything summed       %7.2f ms", time_query(st, &q, &pts));
	printf(" (%zu points)\n", pts);
	store_close(st);

	if (replay_open(&rp, path, msg, sizeof(msg)))
		exit(1);
	t0 = now_ms();
	for (size_t i = 0; i < 50 && i < replay_count(rp); i++) {
		int err;

		snapshot_put(replay_load(rp, i, &err));
	}
	printf("              replay: one snapshot    %7.2f ms\n", (now_ms() - t0) / 50);
	replay_close(rp);

	/*
	 * Every whole minute merged, one round of maintenance units per call (as
	 * with a zero budget): the longest a round holds the writer back.
	 */
	if (getenv("NODS")) {
		free(t);
		return;
	}
	store_parse_tiers("1s:1m", &o);
	if (store_open(&st, path, STORE_WRITE, &o, msg, sizeof(msg)))
		exit(1);
	{
		double worst = 0, total = 0;
		size_t rounds = 0;

		while (store_exec(st, "BEGIN IMMEDIATE") == 0) {
			int r;

			t0 = now_ms();
			r = store_maintain(st, (T0 + nsamples) * NSEC_PER_SEC, 0);
			store_exec(st, "COMMIT");
			t0 = now_ms() - t0;
			if (r != 1)
				break;
			rounds++;
			total += t0;
			worst = t0 > worst ? t0 : worst;
		}
		merged = (size_t)(nsamples / 60);
		printf("              downsample + cleanup: %zu rounds, %.1f ms mean, %.1f ms max,"
		       " %.1f ms per 60-sample bucket\n",
		       rounds, rounds ? total / (double)rounds : 0, worst,
		       merged ? total / (double)merged : 0);
	}
	store_close(st);
	free(t);
	if (!getenv("KEEP"))
		unlink(path);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	size_t nsamples = argc > 2 ? (size_t)atol(argv[2]) : 600;
	static const size_t all[] = {200, 1000, 5000};
	size_t one[1];
	const size_t *sizes = all;
	size_t nsizes = 3;

	if (argc > 3) {
		one[0] = (size_t)atol(argv[3]);
		sizes = one;
		nsizes = 1;
	}

	printf("History store, %zu one-second intervals per size, %d numeric fields per row, "
	       "1 process in %d active\n",
	       nsamples, F_NUM, ACTIVE);
	for (size_t i = 0; i < nsizes; i++)
		run(dir, sizes[i], nsamples);
	return 0;
}
