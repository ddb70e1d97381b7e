// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The loader's tables and its reading of libbpf's messages: every program has a feature. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/libbpf.h>
#include "ebtop.skel.h"
#include "collect/loader.h"
#include "model/feature.h"

struct capture {
	char prog[32];
	char last[160];
};
void capture_message(struct capture *cap, const char *m);
bool name_matches(const char *pat, const char *name);

/* A program without a hook set could not be dropped alone when the kernel refuses it. */
static void test_every_program_has_a_hookset(void **state)
{
	struct ebtop_bpf *skel = ebtop_bpf__open();
	struct bpf_program *prog;
	int n = 0;

	(void)state;
	assert_non_null(skel);
	bpf_object__for_each_program(prog, skel->obj)
	{
		const char *name = bpf_program__name(prog);
		int hs = hookset_of(name);

		if (hs < 0)
			fail_msg("program %s belongs to no hook set", name);
		assert_true(hs < HS_NUM);
		assert_true(hookset_feature((enum hookset)hs) < FEAT_NUM);
		n++;
	}
	assert_true(n > 30);
	ebtop_bpf__destroy(skel);
}

static void test_hookset_table(void **state)
{
	static const struct {
		const char *prog;
		int hs;
	} cases[] = {
	    {"dump_task", HS_TASKS},
	    {"net_send", HS_NET_TP},
	    {"net_fx_recv6", HS_NET_FEXIT},
	    {"net_kp_send4_ret", HS_NET_KPROBE},
	    {"conn_dump_udp", HS_CONN},
	    {"conn_rst_out", HS_CONN_RESETS},
	    {"conn_seed_owner", HS_CONN_OWNERS},
	    {"conn_udp_recv6", HS_UDP_PEERS},
	    {"sched_switch", HS_SCHED_BTF},
	    {"sched_switch_raw", HS_SCHED_RAW},
	    {"disk_rq_issue", HS_DISK_IO},
	    {"disk_rq_issue_old", HS_DISK_RQ},
	    {"disk_dirty_folio", HS_WRITEBACK},
	    {"no_such_prog", -1},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(hookset_of(cases[i].prog), cases[i].hs);
	assert_int_equal(hookset_feature(HS_NET_KPROBE), FEAT_NET);
	assert_string_equal(hookset_how(HS_SCHED_RAW), "raw_tp");
}

static void test_name_matches(void **state)
{
	(void)state;
	assert_true(name_matches("sched_*_raw", "sched_switch_raw"));
	assert_false(name_matches("sched_*_raw", "sched_switch"));
	assert_false(name_matches("sched_*_raw", "sched_raw")); /* prefix and suffix overlap */
	assert_true(name_matches("net_fx_*", "net_fx_"));
	assert_true(name_matches("dump_task", "dump_task"));
	assert_false(name_matches("dump_task", "dump_tasks"));
}

/* libbpf 1.1's own words, as it prints them on a refusal. */
static void test_capture(void **state)
{
	struct capture cap = {};

	(void)state;
	capture_message(&cap, "libbpf: prog 'conn_dump': BPF program load failed: Operation not "
			      "permitted\n");
	assert_string_equal(cap.prog, "conn_dump");
	capture_message(&cap, "libbpf: prog 'conn_seed_owner': -- BEGIN PROG LOAD LOG --\n"
			      "0: R1=ctx() R10=fp0\n; sk = sock->sk;\n"
			      "R2 type=untrusted_ptr_ expected=ptr_, trusted_ptr_, rcu_ptr_\n"
			      "processed 42 insns\n\n-- END PROG LOAD LOG --\n");
	assert_string_equal(cap.last, "R2 type=untrusted_ptr_ expected=ptr_, trusted_ptr_, rcu_ptr_");
	/* The first program libbpf gave up on is the one refused; later messages do not move it. */
	capture_message(&cap, "libbpf: prog 'other': failed to load: -1\n");
	assert_string_equal(cap.prog, "conn_dump");

	memset(&cap, 0, sizeof(cap));
	capture_message(&cap, "libbpf: prog 'net_fx_send4': failed to find kernel BTF type ID of "
			      "'inet_sendmsg': -3\n");
	assert_string_equal(cap.prog, "net_fx_send4");
	capture_message(&cap,
			"libbpf: prog 'x': -- BEGIN PROG LOAD LOG --\n-- END PROG LOAD LOG --\n");
	assert_string_equal(cap.last, "");
	/* Not about a program. */
	memset(&cap, 0, sizeof(cap));
	capture_message(&cap, "libbpf: failed to load object 'ebtop_bpf'\n");
	assert_string_equal(cap.prog, "");
}

static void test_features_status(void **state)
{
	struct features fs = {};
	char buf[256];

	(void)state;
	fs.f[FEAT_NET].wanted = fs.f[FEAT_NET].on = true;
	fs.f[FEAT_DISK].wanted = fs.f[FEAT_DISK].on = true;
	features_say(&fs, FEAT_NET, true, "network gone (%d)", 1);
	features_say(&fs, FEAT_NET, false, "and more");
	features_say(&fs, FEAT_CONN, true, "not wanted: not shown");
	features_status(&fs, buf, sizeof(buf));
	assert_string_equal(buf, "network gone (1); and more");
	assert_false(fs.f[FEAT_NET].on);
	assert_true(fs.f[FEAT_DISK].on);
	features_say(&fs, FEAT_DISK, false, "disk degraded");
	features_status(&fs, buf, 20);
	assert_int_equal(strlen(buf), 19); /* cut, still terminated */
	assert_int_equal(feature_by_name("udp_peers"), FEAT_UDP_PEERS);
	assert_int_equal(feature_by_name("nope"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_program_has_a_hookset),
	    cmocka_unit_test(test_hookset_table),
	    cmocka_unit_test(test_name_matches),
	    cmocka_unit_test(test_capture),
	    cmocka_unit_test(test_features_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
