// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Model: rates, exits, pid reuse, counter resets, thread grouping, from synthetic records. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "model/model.h"
#include "testutil.h"

#define SEC 1000000000ULL

struct recs {
	struct ebtop_task_rec r[16];
	size_t n;
};

static void add(struct recs *rs, uint32_t kind, uint32_t tid, uint32_t tgid, uint64_t start,
		uint64_t pstart, uint64_t tx, uint64_t rx)
{
	struct ebtop_task_rec *r = &rs->r[rs->n++];

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->tid = tid;
	r->tgid = tgid;
	r->start_ns = start;
	r->pstart_ns = pstart;
	r->ppid = 1;
	snprintf(r->comm, sizeof(r->comm), "t%u", tid);
	r->st.net.c[EBTOP_TCP][EBTOP_V4][EBTOP_TX].bytes = tx;
	r->st.net.c[EBTOP_TCP][EBTOP_V4][EBTOP_TX].calls = tx ? 1 : 0;
	r->st.net.c[EBTOP_UDP][EBTOP_V6][EBTOP_RX].bytes = rx;
}

static struct snapshot *step(struct model *m, struct recs *rs, uint64_t t)
{
	struct sample s = {.mono_ns = t, .recs = rs->r, .nrecs = rs->n, .avail = NEED_NET | NEED_SCHED};
	struct snapshot *snap = model_update(m, &s);

	assert_non_null(snap);
	rs->n = 0;
	return snap;
}

static const struct row *find(const struct snapshot *s, uint32_t pid, uint64_t start)
{
	for (size_t i = 0; i < s->nprocs; i++) {
		if (s->procs[i].pid == pid && s->procs[i].start_ns == start)
			return &s->procs[i];
	}
	return NULL;
}

static void test_rates_over_interval(void **state)
{
	struct model *m = model_new(0, NULL, NULL);
	struct recs rs = {0};
	struct snapshot *s1, *s2;
	const struct row *p;

	(void)state;
	add(&rs, EBTOP_REC_LIVE, 10, 10, 5, 5, 1000, 200);
	s1 = step(m, &rs, 2 * SEC); /* first interval: since the model started at 0 */
	p = find(s1, 10, 5);
	assert_non_null(p);
	assert_near(p->v[F_TX_RATE], 500.0, 1e-9);
	assert_near(p->v[F_RX_RATE], 100.0, 1e-9);
	assert_near(p->v[F_TX_TOTAL], 1000.0, 0);

	add(&rs, EBTOP_REC_LIVE, 10, 10, 5, 5, 4000, 200);
	s2 = step(m, &rs, 2 * SEC + SEC / 2);
	p = find(s2, 10, 5);
	assert_near(p->v[F_TX_RATE], 6000.0, 1e-9); /* 3000 bytes in 0.5 s */
	assert_near(p->v[F_RX_RATE], 0.0, 0);
	assert_near(p->v[F_TCP_TX_TOTAL], 4000.0, 0);
	assert_near(p->v[F_UDP_RX_TOTAL], 200.0, 0);
	assert_near(p->v[F_V6_RX_TOTAL], 200.0, 0);
	assert_near(p->v[F_NET_RATE], 6000.0, 1e-9);
	assert_int_equal(s2->interval_ns, SEC / 2);
	snapshot_put(s1);
	snapshot_put(s2);
	model_free(m);
}

static void test_counter_reset_saturates(void **state)
{
	struct model *m = model_new(0, NULL, NULL);
	struct recs rs = {0};
	struct snapshot *s;

	(void)state;
	add(&rs, EBTOP_REC_LIVE, 10, 10, 5, 5, 1000, 0);
	snapshot_put(step(m, &rs, SEC));
	/* Same key, smaller counter: state was lost; the rate is 0, never negative or huge. */
	add(&rs, EBTOP_REC_LIVE, 10, 10, 5, 5, 10, 0);
	s = step(m, &rs, 2 * SEC);
	assert_near(find(s, 10, 5)->v[F_TX_RATE], 0.0, 0);
	snapshot_put(s);
	model_free(m);
}

static void test_pid_reuse_is_a_new_process(void **state)
{
	struct model *m = model_new(0, NULL, NULL);
	struct recs rs = {0};
	struct snapshot *s;
	const struct row *old, *new;

	(void)state;
	add(&rs, EBTOP_REC_LIVE, 42, 42, 100, 100, 5000, 0);
	snapshot_put(step(m, &rs, SEC));
	/* pid 42 exits unseen and a new process gets pid 42 with a later start time. */
	add(&rs, EBTOP_REC_LIVE, 42, 42, 900, 900, 300, 0);
	s = step(m, &rs, 2 * SEC);
	old = find(s, 42, 100);
	new = find(s, 42, 900);
	assert_non_null(old);
	assert_non_null(new);
	assert_true(old->flags & ROW_EXITED);
	assert_false(new->flags & ROW_EXITED);
	assert_near(old->v[F_TX_TOTAL], 5000.0, 0);
	assert_near(new->v[F_TX_TOTAL], 300.0, 0);
	assert_near(new->v[F_TX_RATE], 300.0, 1e-9); /* not 300 - 5000 */
	assert_ptr_equal(snapshot_find(s, 42), new);          /* the live one */
	snapshot_put(s);
	model_free(m);
}

static void test_short_lived_process_counted_once(void **state)
{
	struct model *m = model_new(0, NULL, NULL);
	struct recs rs = {0};
	struct snapshot *s;

	(void)state;
	/* Lived and died inside one interval: only its exit record exists. */
	add(&rs, EBTOP_REC_EXIT, 77, 77, 50, 50, 1048576, 0);
	s = step(m, &rs, SEC);
	assert_int_equal(s->nprocs, 1);
	assert_true(s->procs[0].flags & ROW_EXITED);
	assert_near(s->procs[0].v[F_TX_TOTAL], 1048576.0, 0);
	assert_near(s->total.v[F_TX_TOTAL], 1048576.0, 0);
	snapshot_put(s);
	s = step(m, &rs, 2 * SEC);
	assert_int_equal(s->nprocs, 0); /* shown once */
	/* The system total keeps what exited processes did. */
	assert_near(s->total.v[F_TX_TOTAL], 1048576.0, 0);
	assert_near(s->total.v[F_TX_RATE], 0.0, 0);
	snapshot_put(s);
	model_free(m);
}

static void test_threads_sum_and_thread_exit_keeps_total(void **state)
{
	struct model *m = model_new(0, NULL, NULL);
	struct recs rs = {0};
	struct snapshot *s;
	const struct row *p;

	(void)state;
	add(&rs, EBTOP_REC_LIVE, 20, 20, 1, 1, 100, 0);
	add(&rs, EBTOP_REC_LIVE, 21, 20, 2, 1, 200, 0);
	add(&rs, EBTOP_REC_LIVE, 22, 20, 3, 1, 300, 0);
	s = step(m, &rs, SEC);
	p = find(s, 20, 1);
	assert_int_equal(p->nthreads, 3);
	assert_int_equal(p->thread_count, 3);
	assert_near(p->v[F_TX_TOTAL], 600.0, 0);
	snapshot_put(s);

	/* 21 exits with a final count; 22 vanishes without a record (lost); 20 continues. */
	add(&rs, EBTOP_REC_LIVE, 20, 20, 1, 1, 150, 0);
	add(&rs, EBTOP_REC_EXIT, 21, 20, 2, 1, 250, 0);
	s = step(m, &rs, 2 * SEC);
	p = find(s, 20, 1);
	assert_int_equal(p->nthreads, 1);
	assert_false(p->flags & ROW_EXITED);
	assert_near(p->v[F_TX_TOTAL], 150.0 + 250 + 300, 0);
	assert_near(p->v[F_TX_RATE], 100.0, 1e-9);
	assert_int_equal(s->nthreads, 3); /* 20 live, 21 and 22 shown once as exited */
	snapshot_put(s);

	add(&rs, EBTOP_REC_LIVE, 20, 20, 1, 1, 150, 0);
	s = step(m, &rs, 3 * SEC);
	p = find(s, 20, 1);
	assert_near(p->v[F_TX_TOTAL], 700.0, 0); /* never goes backwards */
	assert_int_equal(s->nthreads, 1);
	snapshot_put(s);
	model_free(m);
}

static void test_live_and_exit_record_in_one_sample(void **state)
{
	struct model *m = model_new(0, NULL, NULL);
	struct recs rs = {0};
	struct snapshot *s;

	(void)state;
	/* The iterator saw the thread, then it exited before the ring buffer was read. */
	add(&rs, EBTOP_REC_LIVE, 30, 30, 7, 7, 100, 0);
	add(&rs, EBTOP_REC_EXIT, 30, 30, 7, 7, 180, 0);
	s = step(m, &rs, SEC);
	assert_int_equal(s->nprocs, 1);
	assert_int_equal(s->nthreads, 1);
	assert_near(s->procs[0].v[F_TX_TOTAL], 180.0, 0);
	assert_true(s->procs[0].flags & ROW_EXITED);
	snapshot_put(s);
	/* A stale live record of the dead thread in the next pass is ignored. */
	add(&rs, EBTOP_REC_LIVE, 30, 30, 7, 7, 180, 0);
	s = step(m, &rs, 2 * SEC);
	assert_int_equal(s->nprocs, 0);
	snapshot_put(s);
	model_free(m);
}

static void test_unavailable_collector_is_nan(void **state)
{
	struct model *m = model_new(0, NULL, NULL);
	struct recs rs = {0};
	struct sample smp = {.mono_ns = SEC, .recs = rs.r, .avail = NEED_NONE};
	struct snapshot *s;

	(void)state;
	/* A kernel without the socket tracepoints: the columns say "unavailable", not 0. */
	add(&rs, EBTOP_REC_LIVE, 10, 10, 5, 5, 0, 0);
	smp.nrecs = rs.n;
	s = model_update(m, &smp);
	assert_true(isnan(s->procs[0].v[F_TX_RATE]));
	assert_true(isnan(s->total.v[F_TX_TOTAL]));
	assert_near(s->procs[0].v[F_PID], 10, 0);
	snapshot_put(s);
	model_free(m);
}

static void test_sort_by_field(void **state)
{
	struct model *m = model_new(0, NULL, NULL);
	struct recs rs = {0};
	struct snapshot *s;
	const struct row *ptrs[3];

	(void)state;
	add(&rs, EBTOP_REC_LIVE, 1, 1, 1, 1, 10, 0);
	add(&rs, EBTOP_REC_LIVE, 2, 2, 1, 1, 30, 0);
	add(&rs, EBTOP_REC_LIVE, 3, 3, 1, 1, 20, 0);
	s = step(m, &rs, SEC);
	for (int i = 0; i < 3; i++)
		ptrs[i] = &s->procs[i];
	row_ptrs_sort(ptrs, 3, F_TX_RATE, true);
	assert_int_equal(ptrs[0]->pid, 2);
	assert_int_equal(ptrs[1]->pid, 3);
	assert_int_equal(ptrs[2]->pid, 1);
	row_ptrs_sort(ptrs, 3, F_COMM, false);
	assert_string_equal(ptrs[0]->comm, "t1");
	snapshot_put(s);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates_over_interval),
		cmocka_unit_test(test_counter_reset_saturates),
		cmocka_unit_test(test_pid_reuse_is_a_new_process),
		cmocka_unit_test(test_short_lived_process_counted_once),
		cmocka_unit_test(test_threads_sum_and_thread_exit_keeps_total),
		cmocka_unit_test(test_live_and_exit_record_in_one_sample),
		cmocka_unit_test(test_unavailable_collector_is_nan),
		cmocka_unit_test(test_sort_by_field),
	};

	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
