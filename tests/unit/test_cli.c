// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Command-line parsing and /proc parsers, table-driven. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "cli.h"
#include "collect/procfs.h"

#define MAXARGS 12

static int parse(struct cli *c, const char *const *args, char *err, size_t errlen)
{
	char *argv[MAXARGS + 2] = {"ebtop"};
	int argc = 1;

	for (; args[argc - 1]; argc++)
		argv[argc] = (char *)args[argc - 1];
	return cli_parse(c, argc, argv, err, errlen);
}

static void test_valid_arguments(void **state)
{
	static const char *const a1[] = {"-b", "-n", "3", "-d", "0.5", "--top", "7", NULL};
	static const char *const a2[] = {"-b", "--sort", "tx_total", "--asc", "--pid", "12,34",
					 "--threads", "--json", "--bytes", NULL};
	static const char *const a3[] = {"-b", "--csv", "-o", "pid,name,tx", "-s", "PID", NULL};
	struct cli c;
	char err[256];

	(void)state;
	assert_int_equal(parse(&c, a1, err, sizeof(err)), 0);
	assert_int_equal(c.mode, MODE_BATCH);
	assert_int_equal(c.count, 3);
	assert_true(c.interval_s == 0.5);
	assert_int_equal(c.view.top, 7);
	assert_int_equal(c.view.sort_field, F_NET_RATE); /* default: total bandwidth */
	assert_true(c.view.sort_desc);

	assert_int_equal(parse(&c, a2, err, sizeof(err)), 0);
	assert_int_equal(c.view.sort_field, F_TX_TOTAL);
	assert_false(c.view.sort_desc);
	assert_int_equal(c.view.npids, 2);
	assert_int_equal(c.view.pids[1], 34);
	assert_true(c.view.threads && c.render.threads && c.render.raw);
	assert_int_equal(c.format, FMT_JSON);

	assert_int_equal(parse(&c, a3, err, sizeof(err)), 0);
	assert_int_equal(c.render.ncols, 3);
	assert_int_equal(c.render.cols[1], F_COMM);
	assert_int_equal(c.view.sort_field, F_PID); /* by column title, ascending by default */
	assert_false(c.view.sort_desc);
}

static void test_bad_arguments(void **state)
{
	static const struct {
		const char *args[4];
		const char *msg;
	} cases[] = {
		{{"--bogus"}, "unknown option '--bogus'"},
		{{"-x"}, "unknown option '-x'"},
		{{"-b", "-n"}, "needs a value"},
		{{"-b", "-n", "0"}, "invalid value '0'"},
		{{"-b", "-d", "0.01"}, "invalid value '0.01'"},
		{{"-b", "-d", "nan"}, "invalid value 'nan'"},
		{{"-b", "--sort", "nope"}, "unknown field 'nope'"},
		{{"-b", "--pid", "1,x"}, "'x' is not a process id"},
		{{"-b", "-o", "pid,zz"}, "unknown column 'zz'"},
		/* decimal seconds only: strtod() would read hex and exponents */
		{{"-b", "-d", "0x10"}, "invalid value '0x10'"},
		{{"-b", "-d", "1e1"}, "invalid value '1e1'"},
		{{"-b", "-n", "+3"}, "invalid value '+3'"},
		{{"-b", "-n", " 3"}, "invalid value ' 3'"},
		/* empty list elements are typos, not skipped */
		{{"-b", "--pid", "1,"}, "empty element"},
		{{"-b", "--pid", ",1"}, "empty element"},
		{{"-b", "-o", "pid,,cmd"}, "empty element"},
		{{"-b", "-o", "pid,"}, "empty element"},
		{{"serve", "--metrics-labels", "comm,"}, "--metrics-labels"},
		{{"serve", "-d", "0x10"}, "invalid value '0x10' for --delay"},
		{{"--json"}, "need batch mode"},
		{{"-b", "extra"}, "unexpected argument 'extra'"},
		{{"-b", "--ringbuf-kb", "1000"}, "power of two"},
	};
	struct cli c;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(&c, cases[i].args, err, sizeof(err)), CLI_USAGE_EXIT);
		if (!strstr(err, cases[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].msg);
	}
}

/* An error quotes a bounded prefix of the argument, whatever its length. */
static void test_long_argument_quoted_bounded(void **state)
{
	static const struct {
		const char *mode, *opt;
		bool quoted; /* false: refused as too long before it is quoted */
	} cases[] = {
		{"-b", "--sort", true}, {"-b", "-n", true}, {"serve", "--metrics-sort", true},
		{"-b", "--pid", false}, {"-b", "-o", false},
	};
	static char big[100 * 1024];
	char err[256 * 1024];
	struct cli c;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[] = {cases[i].mode, cases[i].opt, big, NULL};

		assert_int_equal(parse(&c, args, err, sizeof(err)), CLI_USAGE_EXIT);
		if (strlen(err) > 200 || (cases[i].quoted && !strstr(err, "xxx...")))
			fail_msg("case %zu: %zu bytes: '%.100s'", i, strlen(err), err);
	}
}

static void test_proc_stat_starttime(void **state)
{
	/* comm with spaces and parentheses must not shift the fields. */
	static const char stat[] = "1234 (a) b (c)) S 1 1234 1234 0 -1 4194560 100 0 0 0 5 6 0 0 "
				   "20 0 1 0 987654 12345 67 18446744073709551615";

	(void)state;
	assert_int_equal(procfs_parse_starttime(stat), 987654);
	assert_int_equal(procfs_parse_starttime("garbage"), 0);
	assert_int_equal(procfs_parse_starttime("1 (x) S 1 2"), 0);
}

static void test_proc_cmdline_and_cgroup(void **state)
{
	char cmd[] = "iperf3\0-c\0" "127.0.0.1\0\0"; /* split: \0127 would be octal */
	const char *cg;
	size_t len;

	(void)state;
	assert_int_equal(procfs_join_cmdline(cmd, sizeof(cmd) - 1), 19);
	assert_string_equal(cmd, "iperf3 -c 127.0.0.1");
	cg = procfs_parse_cgroup("12:pids:/old\n0::/system.slice/ssh.service\n", &len);
	assert_non_null(cg);
	assert_int_equal(len, strlen("/system.slice/ssh.service"));
	assert_int_equal(strncmp(cg, "/system.slice/ssh.service", len), 0);
	assert_null(procfs_parse_cgroup("3:cpu:/x\n", &len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_arguments),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_proc_stat_starttime),
		cmocka_unit_test(test_long_argument_quoted_bounded),
		cmocka_unit_test(test_proc_cmdline_and_cgroup),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
