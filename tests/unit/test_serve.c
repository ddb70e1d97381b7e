// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The exporter (golden text, monotonic counters under churn), content negotiation, request
 * parameters and the web config. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "model/model.h"
#include "serve/prom.h"
#include "serve/request.h"
#include "serve/webconfig.h"
#include "promcheck.h"

void prom_fmt_double(char *out, size_t len, double v);
int prom_escape(struct buf *b, const char *s, bool quote);

/* A process as the test describes it; the snapshot is built by hand, not by the model. */
struct fake {
	uint32_t pid;
	uint64_t start;
	const char *comm;
	const char *user;
	const char *cgroup;
	double tx; /* cumulative */
	bool exited;
};

static struct snapshot *snap_of(const struct fake *f, size_t n, uint64_t seq)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->refs = 1;
	s->seq = seq;
	s->mono_ns = seq * 1000000000ULL;
	s->wall_ns = 1700000000ULL * 1000000000ULL + s->mono_ns;
	s->interval_ns = 1000000000ULL;
	s->avail = NEED_NET;
	s->procs = calloc(n ? n : 1, sizeof(*s->procs));
	s->nprocs = n;
	for (size_t i = 0; i < n; i++) {
		struct row *r = &s->procs[i];

		r->pid = r->tgid = f[i].pid;
		r->start_ns = r->pstart_ns = f[i].start;
		r->ppid = 1;
		r->flags = f[i].exited ? ROW_EXITED : 0;
		r->nthreads = f[i].exited ? 0 : 1;
		r->state = f[i].exited ? 'X' : 'S';
		snprintf(r->comm, sizeof(r->comm), "%s", f[i].comm);
		if (f[i].user)
			r->info = proc_info_new(NULL, f[i].cgroup, f[i].user);
		for (int k = 0; k < F_NUM; k++)
			r->v[k] = NAN;
		r->v[F_THREADS] = r->nthreads;
		r->v[F_TX_TOTAL] = f[i].tx;
		r->v[F_RX_TOTAL] = f[i].tx / 2;
		r->v[F_NET_RATE] = f[i].tx / 10; /* ranks the series */
	}
	/* Rows are sorted by (pid, start), as the model makes them. */
	for (size_t i = 1; i < n; i++)
		assert_true(f[i - 1].pid < f[i].pid ||
			    (f[i - 1].pid == f[i].pid && f[i - 1].start < f[i].start));
	return s;
}

static char *render(struct prom_exporter *e, enum prom_format fmt)
{
	struct prom_self self = {.collect_s = 0.25, .version = "test"};
	struct buf b;
	char *out;

	buf_init(&b, 1u << 20);
	assert_int_equal(prom_render(e, &self, fmt, &b), 0);
	assert_int_equal(prom_render_tail(&b, fmt, true), 0);
	out = strdup(b.p);
	buf_free(&b);
	return out;
}

static void feed(struct prom_exporter *e, const struct fake *f, size_t n, uint64_t seq)
{
	struct snapshot *s = snap_of(f, n, seq);

	assert_int_equal(prom_exporter_update(e, s), 0);
	snapshot_put(s);
}

static char *read_golden(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *text = calloc(1, 1 << 20);

	assert_non_null(fp);
	assert_true(fread(text, 1, (1 << 20) - 1, fp) > 0);
	fclose(fp);
	return text;
}

/* EBTOP_UPDATE_GOLDEN=1 rewrites the file (after a deliberate change, e.g. a new metric). */
static void check_golden(const char *path, const char *got)
{
	char *want;

	if (getenv("EBTOP_UPDATE_GOLDEN")) {
		FILE *fp = fopen(path, "w");

		assert_non_null(fp);
		fputs(got, fp);
		fclose(fp);
	}
	want = read_golden(path);
	if (strcmp(want, got))
		fail_msg("%s differs; got:\n%s", path, got);
	free(want);
}

static const struct fake golden_procs[] = {
	{100, 1, "nginx", "www-data", "/system.slice/nginx.service", 5000, false},
	{101, 2, "nginx", "www-data", "/system.slice/nginx.service", 7000, false},
	{200, 3, "curl", "alice", "/user.slice", 300, false},
	{300, 4, "sleep", "bob", "/user.slice", 0, false},
	{400, 5, "we\"ird\\", "root", NULL, 42, true},
};

static void test_golden(void **state)
{
	struct prom_opts o;
	struct prom_exporter *e;
	char *text, *om;

	(void)state;
	prom_opts_default(&o);
	o.top = 3;
	e = prom_exporter_new(&o);
	assert_non_null(e);
	feed(e, golden_procs, 5, 1);
	text = render(e, PROM_FMT_TEXT);
	om = render(e, PROM_FMT_OPENMETRICS);
	check_golden("tests/unit/golden/prom_text.txt", text);
	check_golden("tests/unit/golden/prom_openmetrics.txt", om);
	free(text);
	free(om);
	prom_exporter_free(e);
}

/*
 * Processes start, send, exec into another comm and end (with or without a
 * final row) while --metrics-top folds series in and out. No series may go
 * backwards, even across a fold, and the increases a scraper sees must add
 * up to every byte sent: nothing lost, nothing counted twice.
 */
static void test_monotonic_under_churn(void **state)
{
	static const char *const comms[] = {"a", "b", "c", "d", "e", "f", "g"};
	enum { NP = 40, STEPS = 400, MAXK = 64 };
	struct fake live[NP];
	struct prom_opts o;
	struct prom_exporter *e;
	char (*keys)[256] = calloc(MAXK, 256);
	struct seen *seen = calloc(MAXK, sizeof(*seen));
	double vals[MAXK], ended = 0, counted = 0;
	size_t np = 0, nseen = 0;
	uint32_t next_pid = 10;
	uint64_t start = 1;

	(void)state;
	srand(7);
	prom_opts_default(&o);
	o.top = 3;
	o.idle_ttl_ns = UINT64_MAX / 2; /* no series expires during the test */
	e = prom_exporter_new(&o);
	assert_non_null(e);
	for (int step = 1; step <= STEPS; step++) {
		struct fake rows[NP + 1];
		size_t nr = 0, w = 0, n;
		double truth = ended;
		char *text;

		while (np < NP && rand() % 3 == 0) {
			live[np] = (struct fake){next_pid++, start++, comms[rand() % 7], "u", "/",
						 0, false};
			np++;
		}
		for (size_t i = 0; i < np; i++) {
			int r = rand() % 20;

			if (r == 2) {
				/* Vanishes without a final row: it keeps what the last snapshot showed. */
				ended += live[i].tx;
				truth += live[i].tx;
				continue;
			}
			live[i].tx += rand() % 1000;
			if (r == 0)
				live[i].comm = comms[rand() % 7]; /* exec */
			if (r == 1) {                           /* ends with a final row */
				rows[nr] = live[i];
				rows[nr++].exited = true;
				ended += live[i].tx;
				truth += live[i].tx;
				continue;
			}
			rows[nr++] = live[i];
			live[w++] = live[i];
			truth += live[i].tx;
		}
		np = w;
		feed(e, rows, nr, (uint64_t)step);
		text = render(e, PROM_FMT_TEXT);
		n = parse_metric(text, "ebtop_process_network_transmit_bytes_total", keys, vals, MAXK);
		assert_true(n <= o.top + 1);
		counted += increase(seen, &nseen, MAXK, keys, vals, n, step);
		if (counted != truth)
			fail_msg("step %d: scrapers counted %.0f, %.0f bytes were sent", step,
				 counted, truth);
		free(text);
	}
	prom_exporter_free(e);
	free(keys);
	free(seen);
}

/* A fold in both directions and an exit, by hand. */
static void test_fold_by_hand(void **state)
{
	struct fake p[3] = {
		{10, 1, "x", "u", "/", 100, false},
		{11, 2, "y", "u", "/", 200, false},
		{12, 3, "z", "u", "/", 300, false},
	};
	static const char xk[] = "ebtop_process_network_transmit_bytes_total{comm=\"x\",user=\"u\","
				 "cgroup=\"/\"}";
	static const char zk[] = "ebtop_process_network_transmit_bytes_total{comm=\"z\",user=\"u\","
				 "cgroup=\"/\"}";
	static const char ok[] = "ebtop_process_network_transmit_bytes_total{comm=\"other\"}";
	char keys[8][256];
	double vals[8];
	struct prom_opts o;
	struct prom_exporter *e;
	char *text;

	(void)state;
	prom_opts_default(&o);
	o.top = 1;
	e = prom_exporter_new(&o);
	feed(e, p, 3, 1); /* z leads: z 300, other = x + y */
	text = render(e, PROM_FMT_TEXT);
	assert_int_equal(parse_metric(text, "ebtop_process_network_transmit_bytes_total", keys, vals,
				      8), 2);
	assert_string_equal(keys[0], zk);
	assert_true(vals[0] == 300);
	assert_string_equal(keys[1], ok);
	assert_true(vals[1] == 300);
	free(text);
	p[0].tx = 5000; /* x overtakes z: x shows only what it sent since (100 stayed in other) */
	feed(e, p, 3, 2);
	text = render(e, PROM_FMT_TEXT);
	assert_int_equal(parse_metric(text, "ebtop_process_network_transmit_bytes_total", keys, vals,
				      8), 2);
	assert_string_equal(keys[0], xk);
	assert_true(vals[0] == 4900);
	assert_true(vals[1] == 300);
	free(text);
	p[2].tx = 400;
	p[2].exited = true; /* z ends while folded: its last 100 bytes go to other */
	feed(e, p, 3, 3);
	text = render(e, PROM_FMT_TEXT);
	assert_int_equal(parse_metric(text, "ebtop_process_network_transmit_bytes_total", keys, vals,
				      8), 2);
	assert_true(vals[0] == 4900);
	assert_true(vals[1] == 400);
	free(text);
	prom_exporter_free(e);
}

/*
 * An exported series whose processes are gone expires after the TTL: it
 * leaves the output the same interval, and rendering never reads it again.
 */
static void test_expire_exported(void **state)
{
	struct fake p[1] = {{10, 1, "x", "u", "/", 100, false}};
	struct prom_opts o;
	struct prom_exporter *e;
	char *text;

	(void)state;
	prom_opts_default(&o);
	o.idle_ttl_ns = 2000000000ULL; /* snapshots are 1 s apart */
	e = prom_exporter_new(&o);
	feed(e, p, 1, 1);
	for (uint64_t seq = 2; seq <= 4; seq++) {
		feed(e, NULL, 0, seq); /* gone at 2, idle from 3 */
		text = render(e, PROM_FMT_TEXT);
		assert_non_null(strstr(text, "comm=\"x\""));
		free(text);
	}
	feed(e, NULL, 0, 5); /* idle for 2 s: dropped */
	text = render(e, PROM_FMT_TEXT);
	assert_null(strstr(text, "comm=\"x\""));
	free(text);
	prom_exporter_free(e);
}

/* 500 processes, top 20: at most 21 series per metric and a gauge of what was folded. */
static void test_cardinality(void **state)
{
	enum { N = 500 };
	struct fake *p = calloc(N, sizeof(*p));
	char names[N][16];
	char (*keys)[256] = calloc(64, 256);
	double vals[64];
	struct prom_opts o;
	struct prom_exporter *e;
	struct prom_stats st;
	char *text;

	(void)state;
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "p%d", i);
		p[i] = (struct fake){(uint32_t)(i + 1), (uint64_t)i, names[i], "u", "/", i, false};
	}
	prom_opts_default(&o);
	o.top = 20;
	o.labels |= PROM_L_PID;
	e = prom_exporter_new(&o);
	feed(e, p, N, 1);
	text = render(e, PROM_FMT_TEXT);
	assert_int_equal(parse_metric(text, "ebtop_process_network_transmit_bytes_total", keys, vals,
				      64),
			 21);
	prom_exporter_stats(e, &st);
	assert_int_equal(st.exported, 20);
	assert_int_equal(st.folded_processes, N - 20);
	assert_non_null(strstr(text, "\nebtop_metrics_folded_processes 480\n"));
	free(text);
	prom_exporter_free(e);
	free(p);
	free(keys);
}

static void test_negotiation(void **state)
{
	static const struct {
		const char *accept;
		bool om;
	} cases[] = {
		{NULL, false},
		{"", false},
		{"*/*", false},
		{"text/plain", false},
		{"application/openmetrics-text", true},
		{"application/openmetrics-text; version=1.0.0; charset=utf-8", true},
		{"application/openmetrics-text;version=0.0.1", false},
		{"application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
		 "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
		 true},
		{"text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.5", false},
		{"application/openmetrics-text;q=0", false},
		{"APPLICATION/OPENMETRICS-TEXT", true},
		{";;;,,,=q", false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (req_wants_openmetrics(cases[i].accept) != cases[i].om)
			fail_msg("Accept: %s", cases[i].accept ? cases[i].accept : "(none)");
	}
}

static void test_escape_and_numbers(void **state)
{
	struct buf b;
	char num[32];

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(prom_escape(&b, "a\"b\\c\nd\xff\xc3\xa9", true), 0);
	assert_string_equal(b.p, "a\\\"b\\\\c\\nd\xef\xbf\xbd\xc3\xa9");
	buf_reset(&b);
	assert_int_equal(prom_escape(&b, "say \"hi\"", false), 0);
	assert_string_equal(b.p, "say \"hi\"");
	buf_free(&b);
	prom_fmt_double(num, sizeof(num), 12345678901234.0);
	assert_string_equal(num, "12345678901234");
	prom_fmt_double(num, sizeof(num), 0.1);
	assert_string_equal(num, "0.1");
	prom_fmt_double(num, sizeof(num), NAN);
	assert_string_equal(num, "NaN");
	prom_fmt_double(num, sizeof(num), INFINITY);
	assert_string_equal(num, "+Inf");
}

static void test_request_ok(void **state)
{
	struct request rq;
	struct req_error err;

	(void)state;
	assert_int_equal(request_parse("/api/v1/processes?limit=5&sort=tx&order=asc", 1e9, &rq,
				       &err),
			 0);
	assert_int_equal(rq.route, ROUTE_PROCESSES);
	assert_int_equal(rq.limit, 5);
	assert_int_equal(rq.sort_field, F_TX_RATE);
	assert_int_equal(rq.sort_desc, 0);
	assert_int_equal(request_parse("/api/v1/processes/", 0, &rq, &err), 0);
	assert_int_equal(rq.limit, REQ_LIMIT_DEFAULT);
	assert_int_equal(request_parse("/api/v1/processes/4242", 0, &rq, &err), 0);
	assert_int_equal(rq.route, ROUTE_PROCESS);
	assert_int_equal(rq.pid, 4242);
	assert_int_equal(request_parse("/metrics?anything=goes", 0, &rq, &err), 0);
	assert_int_equal(rq.route, ROUTE_METRICS);
	assert_int_equal(request_parse("/api/v1/processes?filter=name%20%3D%20%22a%2Bb%22", 0, &rq,
				       &err),
			 0);
	assert_string_equal(rq.filter, "name = \"a+b\"");
	assert_int_equal(request_parse("/api/v1/history?metric=tx_total&comm=nginx&from=-1h&to=now&"
				       "step=30s",
				       10000, &rq, &err),
			 0);
	assert_int_equal(rq.metric, F_TX_TOTAL);
	assert_string_equal(rq.comm, "nginx");
	assert_true(rq.from == 10000 - 3600 && rq.to == 10000 && rq.step == 30);
}

static void test_request_errors(void **state)
{
	static const struct {
		const char *uri;
		int status;
		const char *param;
	} cases[] = {
		{"/nope", 404, ""},
		{"/api/v1/processes/abc", 400, "pid"},
		{"/api/v1/processes/0", 400, "pid"},
		{"/api/v1/processes/1?limit=1", 400, "limit"},
		{"/api/v1/processes?limit=0", 400, "limit"},
		{"/api/v1/processes?limit=-1", 400, "limit"},
		{"/api/v1/processes?limit=1e3", 400, "limit"},
		{"/api/v1/processes?limit=99999999999999999999", 400, "limit"},
		{"/api/v1/processes?limit", 400, "limit"},
		{"/api/v1/processes?limit=1&limit=2", 400, "limit"},
		{"/api/v1/processes?sort=bogus", 400, "sort"},
		{"/api/v1/processes?order=up", 400, "order"},
		{"/api/v1/processes?filter=", 400, "filter"},
		{"/api/v1/processes?bogus=1", 400, "bogus"},
		{"/api/v1/processes?limit=%zz", 400, "limit"},
		{"/api/v1/processes?limit=%00", 400, "limit"},
		{"/api/v1/events/exec?sort=tx", 400, "sort"},
		{"/api/v1/disks?limit=1", 400, "limit"},
		{"/api/v1/history?pid=1", 400, "metric"},
		{"/api/v1/history?metric=cmd", 400, "metric"},
		{"/api/v1/history?metric=tx&pid=1&comm=x", 400, "comm"},
		{"/api/v1/history?metric=tx&from=yesterday", 400, "from"},
		{"/api/v1/history?metric=tx&from=200&to=100", 400, "from"},
		{"/api/v1/history?metric=tx&step=0s", 400, "step"},
		{"/api/v1/history?metric=tx&step=-5", 400, "step"},
		{"/api/v1/history?metric=tx&comm=0123456789abcdef", 400, "comm"},
		/* beyond ten years, or past 2^64 ns: no wrap to a tiny step or an early time */
		{"/api/v1/history?metric=tx&step=18446744074s", 400, "step"},
		{"/api/v1/history?metric=tx&step=3700d", 400, "step"},
		{"/api/v1/history?metric=tx&step=1e300", 400, "step"},
		{"/api/v1/history?metric=tx&from=-18446744074s", 400, "from"},
		{"/api/v1/history?metric=tx&to=-1e300d", 400, "to"},
		{"/api/v1/history?metric=tx&to=20000000000", 400, "to"},
	};
	struct request rq;
	struct req_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (request_parse(cases[i].uri, 1000, &rq, &err) != -1 ||
		    err.status != cases[i].status || strcmp(err.param, cases[i].param))
			fail_msg("%s: status %d param '%s' (%s)", cases[i].uri, err.status,
				 err.param, err.msg);
	}
}

static const char bcrypt_s3cret[] = "$2b$04$PiMDgrIz8ndJUm9oxgN5BuAkx9jMi/2DPWhGmgRxuAz1agkjm4jcW";

static void test_webconfig(void **state)
{
	char yaml[512], msg[256];
	struct webconfig *wc;

	(void)state;
	snprintf(yaml, sizeof(yaml),
		 "tls_server_config:\n  cert_file: server.crt\n  key_file: /etc/k.pem\n"
		 "basic_auth_users:\n  alice: '%s'\n",
		 bcrypt_s3cret);
	wc = webconfig_parse(yaml, strlen(yaml), "/etc/ebtop", msg, sizeof(msg));
	assert_non_null(wc);
	assert_string_equal(wc->cert_file, "/etc/ebtop/server.crt");
	assert_string_equal(wc->key_file, "/etc/k.pem");
	assert_int_equal(wc->nusers, 1);
	assert_true(webconfig_check(wc, "alice", "s3cret"));
	assert_true(webconfig_check(wc, "alice", "s3cret")); /* the cached path */
	assert_false(webconfig_check(wc, "alice", "s3cre"));
	assert_false(webconfig_check(wc, "alice", "s3cret "));
	assert_false(webconfig_check(wc, "bob", "s3cret"));
	webconfig_free(wc);

	static const char *const bad[] = {
		"tls_server_config:\n  cert_file: a\n",
		"tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n",
		"basic_auth_users:\n  alice: plaintext\n",
		"basic_auth_users: [alice]\n",
		"unknown: 1\n",
		"basic_auth_users:\n  alice: '$2b$04$x'\n  alice: '$2b$04$y'\n",
		"key: [unclosed\n",
		"- a\n- b\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg[0] = '\0';
		wc = webconfig_parse(bad[i], strlen(bad[i]), ".", msg, sizeof(msg));
		if (wc || !msg[0])
			fail_msg("accepted: %s", bad[i]);
	}
	/* A directory opens but does not read: an error, not an empty config. */
	msg[0] = '\0';
	assert_null(webconfig_load("/tmp", msg, sizeof(msg)));
	if (!strstr(msg, "/tmp") || !strstr(msg, strerror(EISDIR)))
		fail_msg("directory: '%s'", msg);
	wc = webconfig_parse("", 0, ".", msg, sizeof(msg));
	assert_non_null(wc);
	assert_int_equal(wc->nusers, 0);
	webconfig_free(wc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_monotonic_under_churn),
		cmocka_unit_test(test_fold_by_hand),
		cmocka_unit_test(test_expire_exported),
		cmocka_unit_test(test_cardinality),
		cmocka_unit_test(test_negotiation),
		cmocka_unit_test(test_escape_and_numbers),
		cmocka_unit_test(test_request_ok),
		cmocka_unit_test(test_request_errors),
		cmocka_unit_test(test_webconfig),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
