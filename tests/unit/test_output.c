// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Renderers and unit formatting: golden table lines, JSON fields, CSV quoting. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "model/model.h"
#include "model/view.h"
#include "output/format.h"
#include "output/render.h"

static void test_fmt_bytes(void **state)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {
		{0, "0"},          {1023, "1023"},     {1024, "1.00K"},     {1536, "1.50K"},
		{10240, "10.0K"},  {1048575, "1024K"}, {1048576, "1.00M"},  {123456789, "118M"},
		{5e9, "4.66G"},    {1e13, "9.09T"},
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fmt_bytes(buf, sizeof(buf), cases[i].v);
		assert_string_equal(buf, cases[i].want);
	}
	fmt_value(buf, sizeof(buf), NAN, UNIT_BYTES, false);
	assert_string_equal(buf, "-");
	fmt_value(buf, sizeof(buf), 123456789, UNIT_BYTES_RATE, true);
	assert_string_equal(buf, "123456789");
	fmt_value(buf, sizeof(buf), 2.5e6, UNIT_NS, false);
	assert_string_equal(buf, "2.5ms");
	fmt_value(buf, sizeof(buf), 1234567, UNIT_COUNT, false);
	assert_string_equal(buf, "1235k");
}

static struct proc_info *fake_info(void *ctx, uint32_t pid, uint64_t start, uint32_t uid)
{
	(void)ctx;
	(void)start;
	(void)uid;
	if (pid == 300)
		return proc_info_new("curl -o out,file \"http://x\"", "/user.slice", "alice");
	return proc_info_new(pid == 200 ? "iperf3 -c 127.0.0.1" : NULL, NULL, "root");
}

static struct snapshot *make_snapshot(void)
{
	struct ebtop_task_rec r[3];
	struct model *m = model_new(0, fake_info, NULL);
	uint32_t pids[3] = {100, 200, 300};
	uint64_t tx[3] = {0, 3 * 1048576, 2048};
	uint64_t oncpu_ms[3] = {0, 250, 5}, runq_ms[3] = {0, 50, 0};
	struct sample s;
	struct snapshot *snap;

	memset(r, 0, sizeof(r));
	for (int i = 0; i < 3; i++) {
		r[i].tid = r[i].tgid = pids[i];
		r[i].start_ns = r[i].pstart_ns = 1000 + (uint64_t)i;
		snprintf(r[i].comm, sizeof(r[i].comm), i == 0 ? "kworker/0:1" : "p%u", pids[i]);
		r[i].pflags = i == 0 ? 0x00200000 : 0;
		r[i].st.net.c[EBTOP_TCP][EBTOP_V4][EBTOP_TX].bytes = tx[i];
		r[i].st.net.c[EBTOP_TCP][EBTOP_V4][EBTOP_RX].bytes = tx[i] / 2;
		r[i].st.sched.oncpu_ns = oncpu_ms[i] * 1000000;
		r[i].st.sched.runq_ns = runq_ms[i] * 1000000;
	}
	r[2].kind = EBTOP_REC_EXIT;
	memset(&s, 0, sizeof(s));
	s.mono_ns = 1000000000ULL;
	s.recs = r;
	s.nrecs = 3;
	s.avail = NEED_NET | NEED_SCHED;
	snap = model_update(m, &s);
	model_free(m);
	return snap;
}

static const struct row **select_rows(const struct snapshot *s, size_t *n)
{
	struct view_opts v;
	const struct row **rows;
	long k;

	view_opts_default(&v);
	k = view_select(s, &v, &rows);
	assert_true(k >= 0);
	*n = (size_t)k;
	return rows;
}

static void test_table_golden(void **state)
{
	struct snapshot *s = make_snapshot();
	struct render_opts o;
	struct buf b;
	size_t n;
	const struct row **rows = select_rows(s, &n);

	(void)state;
	render_opts_default(&o);
	buf_init(&b, 1 << 20);
	assert_int_equal(render_table(&b, s, rows, n, &o), 0);
	assert_string_equal(b.p,
		"    PID USER        CPU%  RUNQ%      TX/s      RX/s        TX        RX COMMAND\n"
		"    200 root        25.0    5.0     3.00M     1.50M     3.00M     1.50M iperf3 -c 127.0.0.1\n"
		"    300 alice        0.5    0.0     2.00K     1.00K     2.00K     1.00K curl -o out,file \"http://x\" <exited>\n"
		"    100 root         0.0    0.0         0         0         0         0 [kworker/0:1]\n");
	buf_reset(&b);
	o.raw = true;
	o.width = 40;
	assert_int_equal(render_table(&b, s, rows, 1, &o), 0);
	assert_string_equal(b.p, "    PID USER        CPU%  RUNQ%      TX/\n"
				 "    200 root        25.0    5.0   314572\n");
	buf_free(&b);
	free(rows);
	snapshot_put(s);
}

static void test_json_fields(void **state)
{
	struct snapshot *s = make_snapshot();
	struct render_opts o;
	json_error_t jerr;
	struct buf b;
	size_t n;
	const struct row **rows = select_rows(s, &n);
	json_t *root, *p;

	(void)state;
	render_opts_default(&o);
	buf_init(&b, 1 << 20);
	assert_int_equal(render_json(&b, s, rows, n, &o), 0);
	assert_non_null(strchr(b.p, '\n'));
	assert_ptr_equal(strchr(b.p, '\n'), b.p + b.len - 1); /* exactly one line */
	root = json_loads(b.p, 0, &jerr);
	assert_non_null(root);
	assert_int_equal(json_integer_value(json_object_get(root, "seq")), 1);
	p = json_array_get(json_object_get(root, "processes"), 0);
	assert_int_equal(json_integer_value(json_object_get(p, "pid")), 200);
	assert_int_equal(json_integer_value(json_object_get(p, "tx_total")), 3 * 1048576);
	assert_string_equal(json_string_value(json_object_get(p, "cmd")), "iperf3 -c 127.0.0.1");
	assert_true(json_is_false(json_object_get(p, "exited")));
	p = json_array_get(json_object_get(root, "processes"), 1);
	assert_true(json_is_true(json_object_get(p, "exited")));
	p = json_array_get(json_object_get(root, "processes"), 2);
	assert_true(json_is_null(json_object_get(p, "cgroup"))); /* unavailable is null */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "totals"), "tx_total")),
			 3 * 1048576 + 2048);
	json_decref(root);
	buf_free(&b);
	free(rows);
	snapshot_put(s);
}

static void test_csv_quoting_and_header(void **state)
{
	struct snapshot *s = make_snapshot();
	struct render_opts o;
	struct buf b;
	size_t n;
	const struct row **rows = select_rows(s, &n);
	char *line2;

	(void)state;
	render_opts_default(&o);
	buf_init(&b, 1 << 20);
	assert_int_equal(render_csv(&b, s, rows, n, &o, true), 0);
	assert_int_equal(strncmp(b.p, "time,seq,exited,pid,tgid,", 25), 0);
	line2 = strchr(b.p, '\n') + 1;
	line2 = strchr(line2, '\n') + 1; /* the curl row: quoted command line */
	assert_non_null(strstr(line2, ",\"curl -o out,file \"\"http://x\"\"\","));
	buf_free(&b);
	free(rows);
	snapshot_put(s);
}

static void test_bounded_buffer(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "1234567"), 0);
	assert_int_equal(buf_puts(&b, "8"), 0);
	assert_int_not_equal(buf_puts(&b, "9"), 0); /* over the maximum: an error, not an abort */
	assert_string_equal(b.p, "12345678");
	assert_int_not_equal(buf_printf(&b, "%d", 1), 0);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt_bytes),
		cmocka_unit_test(test_table_golden),
		cmocka_unit_test(test_json_fields),
		cmocka_unit_test(test_csv_quoting_and_header),
		cmocka_unit_test(test_bounded_buffer),
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
