// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* CPU and scheduler fields: percentages over the interval, rates, thread sums, exits, NaN. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "model/fill.h"
#include "model/model.h"
#include "output/render.h"
#include "testutil.h"

bool exit_tail_apply(struct ebtop_task_rec *recs, size_t n, const struct ebtop_tail_rec *t);

#define SEC 1000000000ULL
#define MS  1000000ULL

struct recs {
	struct ebtop_task_rec r[8];
	size_t n;
};

/* A thread record whose scheduler counters are on, runq, off (ns) and the switches. */
static void add(struct recs *rs, uint32_t kind, uint32_t tid, uint32_t tgid, uint64_t on,
		uint64_t runq, uint64_t off, uint64_t nv, uint64_t niv)
{
	struct ebtop_task_rec *r = &rs->r[rs->n++];

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->tid = tid;
	r->tgid = tgid;
	r->start_ns = 100 + tid;
	r->pstart_ns = 100 + tgid;
	r->ppid = 1;
	snprintf(r->comm, sizeof(r->comm), "t%u", tid);
	r->st.sched.oncpu_ns = on;
	r->st.sched.runq_ns = runq;
	r->st.sched.offcpu_ns = off;
	r->st.sched.nvcsw = nv;
	r->st.sched.nivcsw = niv;
}

static struct snapshot *step(struct model *m, struct recs *rs, uint64_t t, unsigned avail)
{
	struct sample s = {.mono_ns = t, .recs = rs->r, .nrecs = rs->n, .avail = avail, .ncpus = 2};
	struct snapshot *snap = model_update(m, &s);

	assert_non_null(snap);
	rs->n = 0;
	return snap;
}

static const struct row *proc(const struct snapshot *s, uint32_t pid)
{
	return snapshot_find(s, pid);
}

/* A row filled directly: the percentages and rates of one interval. */
static void test_fill_percentages_and_rates(void **state)
{
	struct row r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.delta.sched.oncpu_ns = 250 * MS;
	r.delta.sched.runq_ns = 150 * MS;
	r.delta.sched.offcpu_ns = 100 * MS;
	r.delta.sched.nvcsw = 30;
	r.delta.sched.nivcsw = 20;
	r.delta.sched.migrations = 5;
	r.tot = r.delta;
	r.tot.sched.forks = 3;
	r.tot.sched.execs = 2;
	fill_sched(&r, 0.5);
	assert_near(r.v[F_CPU_PCT], 50.0, 1e-9); /* 250 ms of 500 ms */
	assert_near(r.v[F_RUNQ_PCT], 30.0, 1e-9);
	assert_near(r.v[F_OFFCPU_PCT], 20.0, 1e-9);
	assert_near(r.v[F_CSW_RATE], 100.0, 1e-9);
	assert_near(r.v[F_NVCSW_RATE], 60.0, 1e-9);
	assert_near(r.v[F_NIVCSW_RATE], 40.0, 1e-9);
	assert_near(r.v[F_MIGR_RATE], 10.0, 1e-9);
	assert_near(r.v[F_RUNQ_LAT], 3.0 * MS, 1e-3); /* 150 ms over 50 switches */
	assert_near(r.v[F_ONCPU], 250.0 * MS, 0);
	assert_near(r.v[F_FORKS], 3, 0);
	assert_near(r.v[F_EXECS], 2, 0);

	/* No switch in the interval: no wait ended, the mean wait is unavailable, not 0. */
	memset(&r, 0, sizeof(r));
	r.delta.sched.runq_ns = 500 * MS;
	fill_sched(&r, 0.5);
	assert_true(isnan(r.v[F_RUNQ_LAT]));
	assert_near(r.v[F_RUNQ_PCT], 100.0, 1e-9);
}

/* Two threads of one process: the process sums them (200% = two CPUs); rates over the interval. */
static void test_process_sums_threads(void **state)
{
	struct model *m = model_new(0, NULL, NULL);
	struct recs rs = {0};
	struct snapshot *s;
	const struct row *p;

	(void)state;
	add(&rs, EBTOP_REC_LIVE, 10, 10, 100 * MS, 0, 0, 1, 1);
	add(&rs, EBTOP_REC_LIVE, 11, 10, 100 * MS, 0, 0, 1, 1);
	snapshot_put(step(m, &rs, SEC, NEED_SCHED));
	add(&rs, EBTOP_REC_LIVE, 10, 10, 600 * MS, 0, 0, 1, 51);
	add(&rs, EBTOP_REC_LIVE, 11, 10, 550 * MS, 50 * MS, 0, 1, 41);
	s = step(m, &rs, SEC + SEC / 2, NEED_SCHED);
	p = proc(s, 10);
	assert_non_null(p);
	assert_near(p->v[F_CPU_PCT], 190.0, 1e-9); /* (500 + 450) ms in 0.5 s */
	assert_near(p->v[F_RUNQ_PCT], 10.0, 1e-9);
	assert_near(p->v[F_NIVCSW_RATE], 180.0, 1e-9);
	assert_near(p->v[F_ONCPU], 1150.0 * MS, 0);
	assert_near(s->total.v[F_CPU_PCT], 190.0, 1e-9);
	assert_int_equal(s->ncpus, 2);
	snapshot_put(s);
	model_free(m);
}

/*
 * A thread that ends keeps its CPU time in its process; a process that lived
 * inside one interval is shown once with all of it; the system total keeps both.
 */
static void test_exits_keep_cpu_time(void **state)
{
	struct model *m = model_new(0, NULL, NULL);
	struct recs rs = {0};
	struct snapshot *s;
	const struct row *p;

	(void)state;
	add(&rs, EBTOP_REC_LIVE, 20, 20, 100 * MS, 0, 0, 0, 0);
	add(&rs, EBTOP_REC_LIVE, 21, 20, 200 * MS, 0, 0, 0, 0);
	snapshot_put(step(m, &rs, SEC, NEED_SCHED));
	/* Thread 21 exits after 50 ms more; a child lives 5 ms and exits, both in the interval. */
	add(&rs, EBTOP_REC_LIVE, 20, 20, 300 * MS, 0, 0, 0, 0);
	add(&rs, EBTOP_REC_EXIT, 21, 20, 250 * MS, 0, 0, 0, 0);
	add(&rs, EBTOP_REC_EXIT, 30, 30, 5 * MS, 0, 0, 1, 0);
	s = step(m, &rs, 2 * SEC, NEED_SCHED);
	p = proc(s, 20);
	assert_near(p->v[F_ONCPU], 550.0 * MS, 0);
	assert_near(p->v[F_CPU_PCT], 25.0, 1e-9); /* 200 + 50 ms in 1 s */
	p = proc(s, 30);
	assert_non_null(p);
	assert_true(p->flags & ROW_EXITED);
	assert_near(p->v[F_ONCPU], 5.0 * MS, 0);
	assert_near(p->v[F_CPU_PCT], 0.5, 1e-9);
	assert_near(s->total.v[F_CPU_PCT], 25.5, 1e-9);
	snapshot_put(s);
	/* Next interval: the live thread goes on; the exited one stays in the process total. */
	add(&rs, EBTOP_REC_LIVE, 20, 20, 400 * MS, 0, 0, 0, 0);
	s = step(m, &rs, 3 * SEC, NEED_SCHED);
	p = proc(s, 20);
	assert_near(p->v[F_ONCPU], 650.0 * MS, 0);
	assert_near(p->v[F_CPU_PCT], 10.0, 1e-9);
	assert_null(proc(s, 30)); /* shown once */
	assert_near(s->total.v[F_ONCPU], 655.0 * MS, 0);
	snapshot_put(s);
	model_free(m);
}

/* Without the scheduler programs every CPU field is unavailable, in rows and totals. */
/* A tail completes the exit record it names, among this interval's exit records only. */
static void test_exit_tail_completes_its_record(void **state)
{
	struct recs rs = {0};
	struct ebtop_tail_rec t = {.kind = EBTOP_REC_TAIL};

	(void)state;
	add(&rs, EBTOP_REC_LIVE, 40, 40, 10 * MS, 0, 0, 0, 0);
	add(&rs, EBTOP_REC_EXIT, 41, 41, 5 * MS, 1 * MS, 0, 3, 1);
	add(&rs, EBTOP_REC_EXIT, 42, 42, 7 * MS, 0, 0, 0, 0);
	t.tid = 41;
	t.start_ns = 100 + 41;
	t.sched.oncpu_ns = 150000;
	t.sched.runq_ns = 20000;
	t.sched.nvcsw = 1;
	assert_true(exit_tail_apply(rs.r, rs.n, &t));
	assert_int_equal(rs.r[1].st.sched.oncpu_ns, 5 * MS + 150000);
	assert_int_equal(rs.r[1].st.sched.runq_ns, 1 * MS + 20000);
	assert_int_equal(rs.r[1].st.sched.nvcsw, 4);
	assert_int_equal(rs.r[1].st.sched.nivcsw, 1);
	assert_int_equal(rs.r[2].st.sched.oncpu_ns, 7 * MS);
	/* Same tid, another start: a reused pid is another thread. */
	t.start_ns = 999;
	assert_false(exit_tail_apply(rs.r, rs.n, &t));
	/* The search stops at the walk's records: its exit record went with an earlier sample. */
	t.tid = 40;
	t.start_ns = 100 + 40;
	assert_false(exit_tail_apply(rs.r, rs.n, &t));
	assert_int_equal(rs.r[0].st.sched.oncpu_ns, 10 * MS);
	assert_false(exit_tail_apply(rs.r, 0, &t));
}

static void test_without_sched_is_nan(void **state)
{
	struct model *m = model_new(0, NULL, NULL);
	struct recs rs = {0};
	struct snapshot *s;
	const int f[] = {F_CPU_PCT, F_ONCPU, F_RUNQ_PCT, F_OFFCPU, F_NVCSW, F_MIGR, F_FORKS};

	(void)state;
	add(&rs, EBTOP_REC_LIVE, 40, 40, 100 * MS, 0, 0, 1, 1);
	s = step(m, &rs, SEC, NEED_NET);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		assert_true(isnan(proc(s, 40)->v[f[i]]));
		assert_true(isnan(s->total.v[f[i]]));
	}
	assert_false(isnan(proc(s, 40)->v[F_TX_RATE]));
	snapshot_put(s);
	model_free(m);
}

/* The header's CPU line: busy and waiting as shares of all CPUs, switches per second. */
static void test_header_cpu_line(void **state)
{
	struct model *m = model_new(0, NULL, NULL);
	struct recs rs = {0};
	struct render_opts o;
	struct snapshot *s;
	struct buf b;

	(void)state;
	add(&rs, EBTOP_REC_LIVE, 50, 50, 900 * MS, 600 * MS, 0, 30, 10);
	add(&rs, EBTOP_REC_LIVE, 51, 50, 1000 * MS, 400 * MS, 0, 0, 60);
	s = step(m, &rs, SEC, NEED_SCHED);
	render_opts_default(&o);
	buf_init(&b, 1 << 16);
	assert_int_equal(render_header(&b, s, &o), 0);
	assert_non_null(strstr(b.p, "CPU:  busy 95.0% of 2 CPUs  run-queue wait 50.0%  context "
				    "switches 100/s (voluntary 30.0, involuntary 70.0)"));
	buf_free(&b);
	snapshot_put(s);
	model_free(m);
}

/* The CPU fields are registered: names the filter language and --sort use, summable or not. */
static void test_field_table(void **state)
{
	(void)state;
	assert_int_equal(field_lookup("cpu"), F_CPU_PCT);
	assert_int_equal(field_lookup("runq"), F_RUNQ_PCT);
	assert_int_equal(field_lookup("CPU%"), F_CPU_PCT);
	assert_int_equal(field_lookup("nivcsw"), F_NIVCSW);
	assert_true(fields[F_CPU_PCT].flags & FIELD_SUM);
	assert_false(fields[F_RUNQ_LAT].flags & FIELD_SUM);
	for (int i = F_CPU_PCT; i <= F_EXECS; i++)
		assert_int_equal(fields[i].need, NEED_SCHED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fill_percentages_and_rates),
		cmocka_unit_test(test_process_sums_threads),
		cmocka_unit_test(test_exits_keep_cpu_time),
		cmocka_unit_test(test_exit_tail_completes_its_record),
		cmocka_unit_test(test_without_sched_is_nan),
		cmocka_unit_test(test_header_cpu_line),
		cmocka_unit_test(test_field_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
