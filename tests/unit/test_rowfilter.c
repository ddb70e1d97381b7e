// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The filter language over model rows, with the field table as its schema. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "model/model.h"
#include "model/rowfilter.h"
#include "model/view.h"

static struct proc_info *info(void *ctx, uint32_t pid, uint64_t start, uint32_t uid)
{
	(void)ctx;
	(void)start;
	(void)uid;
	return proc_info_new(pid == 2 ? "java -jar zk.jar" : "nginx: worker", "/system.slice/x",
			     pid == 2 ? "zk" : "www-data");
}

/* pid 1 sends 3 MB/s, pid 2 sends 500 kB/s, pid 3 nothing, over one second. */
static struct snapshot *snapshot3(void)
{
	struct ebtop_task_rec r[3];
	uint64_t tx[3] = {3000000, 500000, 0};
	struct model *m = model_new(0, info, NULL);
	struct sample s = {.mono_ns = 1000000000ULL, .recs = r, .nrecs = 3, .avail = NEED_NET};
	struct snapshot *snap;

	memset(r, 0, sizeof(r));
	for (int i = 0; i < 3; i++) {
		r[i].tid = r[i].tgid = (uint32_t)i + 1;
		r[i].uid = i == 1 ? 1000 : 33;
		snprintf(r[i].comm, sizeof(r[i].comm), i == 1 ? "java" : "nginx");
		r[i].st.net.c[EBTOP_TCP][EBTOP_V4][EBTOP_TX].bytes = tx[i];
	}
	snap = model_update(m, &s);
	model_free(m);
	return snap;
}

static void test_matches(void **state)
{
	static const struct {
		const char *expr;
		const char *pids; /* matching pids, in pid order */
	} cases[] = {
		{"name = java", "2"},
		{"name = nginx and tx > 1MB/s", "1"},
		{"tx >= 500k", "12"},
		{"tx > 0.4Mbit/s", "12"}, /* 0.4 Mbit/s = 50 kB/s */
		{"user = zk or uid = 33", "123"},
		{"cmd ~ '^nginx:'", "13"},
		{"cgroup = '/system.slice/x' and not pid in (1, 3)", "2"},
		{"tx_total > 1M", "1"},
		{"pid in 2..3", "23"},
		{"NAME = JAVA", ""}, /* keywords and field names fold case, values do not */
	};
	struct snapshot *s = snapshot3();
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct row_filter *f = row_filter_new(cases[i].expr, err, sizeof(err));
		char got[8] = "";

		if (!f)
			fail_msg("'%s': %s", cases[i].expr, err);
		for (size_t k = 0; k < s->nprocs; k++) {
			if (row_filter_match(f, &s->procs[k]))
				got[strlen(got)] = (char)('0' + s->procs[k].pid);
		}
		if (strcmp(got, cases[i].pids))
			fail_msg("'%s' matched '%s', expected '%s'", cases[i].expr, got, cases[i].pids);
		assert_int_equal(row_filter_needs(f) & ~(unsigned)NEED_NET, 0);
		row_filter_free(f);
	}
	snapshot_put(s);
}

static void test_view_uses_filter(void **state)
{
	struct snapshot *s = snapshot3();
	struct view_opts v;
	const struct row **rows;
	char err[512];
	struct row_filter *f = row_filter_new("name = nginx", err, sizeof(err));
	long n;

	(void)state;
	assert_non_null(f);
	view_opts_default(&v);
	v.match = row_filter_view_match;
	v.match_ctx = f;
	n = view_select(s, &v, &rows);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0]->pid, 1); /* sorted by bandwidth */
	free(rows);
	row_filter_free(f);
	snapshot_put(s);
}

static void test_errors_point_at_the_problem(void **state)
{
	char err[512];

	(void)state;
	assert_null(row_filter_new("name = java and and pid > 1", err, sizeof(err)));
	assert_string_equal(err, "error at column 16: expected a field, found 'and'\n"
				 "name = java and and pid > 1\n"
				 "                ^");
	assert_null(row_filter_new("txx > 1", err, sizeof(err)));
	assert_non_null(strstr(err, "did you mean 'tx'"));
	assert_null(row_filter_new("name > 1MB/s", err, sizeof(err)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_view_uses_filter),
		cmocka_unit_test(test_errors_point_at_the_problem),
	};

	return cmocka_run_group_tests_name("rowfilter", tests, NULL, NULL);
}
