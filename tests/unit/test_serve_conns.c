// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Connections in serve: the event ring, per-connection series (monotonic under churn, capped),
 * and the connection and event endpoints of the API. */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "model/model.h"
#include "serve/api.h"
#include "serve/evring.h"
#include "serve/prom.h"
#include "serve/prom_conn.h"
#include "serve/request.h"
#include "promcheck.h"

void conn_fill(struct conn *c, double dt);

/* ---- fake snapshots ---- */

/* A connection as a test describes it: addresses are 10.0.0.<laddr> and 10.0.0.<raddr>. */
struct fconn {
	uint64_t cookie;
	const char *comm;
	uint8_t proto;
	uint8_t laddr;
	uint16_t lport;
	uint8_t raddr;
	uint16_t rport;
	uint64_t tx, rx, retrans; /* cumulative */
	bool closed;
};

static int key_cmp_r(const void *a, const void *b, void *base)
{
	const struct conn *c = base;

	return conn_key_cmp(&c[*(const uint32_t *)a], &c[*(const uint32_t *)b]);
}

static const struct conn *prev_conn(const struct snapshot *prev, uint64_t cookie)
{
	for (size_t i = 0; prev && i < prev->nconns; i++) {
		if (prev->conns[i].cookie == cookie)
			return &prev->conns[i];
	}
	return NULL;
}

/* A snapshot holding only connections (owners unknown), with deltas against prev. */
static struct snapshot *conn_snap(const struct fconn *f, size_t n, uint64_t seq,
				  const struct snapshot *prev)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->refs = 1;
	s->seq = seq;
	s->mono_ns = seq * 1000000000ULL;
	s->wall_ns = 1700000000ULL * 1000000000ULL + s->mono_ns;
	s->interval_ns = 1000000000ULL;
	s->avail = NEED_NET | NEED_CONN | NEED_EVENTS;
	s->conns = calloc(n ? n : 1, sizeof(*s->conns));
	s->conn_by_key = calloc(n ? n : 1, sizeof(*s->conn_by_key));
	s->nconns = n;
	for (size_t i = 0; i < n; i++) {
		struct conn *c = &s->conns[i];
		const struct conn *old = prev_conn(prev, f[i].cookie);

		c->cookie = f[i].cookie;
		c->pid = 1000 + (uint32_t)f[i].cookie;
		c->family = AF_INET;
		c->proto = f[i].proto ? f[i].proto : IPPROTO_TCP;
		c->state = 1;
		c->flags = f[i].closed ? EBTOP_CONN_F_CLOSED : 0;
		c->laddr[0] = c->raddr[0] = 10;
		c->laddr[3] = f[i].laddr;
		c->raddr[3] = f[i].raddr;
		c->lport = f[i].lport;
		c->rport = f[i].rport;
		snprintf(c->comm, sizeof(c->comm), "%s", f[i].comm);
		c->tot.tx_bytes = f[i].tx;
		c->tot.rx_bytes = f[i].rx;
		c->tot.retrans = f[i].retrans;
		c->delta = c->tot;
		if (old) {
			c->delta.tx_bytes -= old->tot.tx_bytes;
			c->delta.rx_bytes -= old->tot.rx_bytes;
			c->delta.retrans -= old->tot.retrans;
		}
		conn_fill(c, 1.0);
		s->conn_by_key[i] = (uint32_t)i;
	}
	qsort_r(s->conn_by_key, n, sizeof(*s->conn_by_key), key_cmp_r, s->conns);
	return s;
}

static char *render_conns(struct prom_exporter *e, enum prom_format fmt)
{
	struct prom_self self = {.collect_s = 0.25, .version = "test"};
	struct buf b;
	char *out;

	buf_init(&b, 1u << 22);
	assert_int_equal(prom_render(e, &self, fmt, &b), 0);
	out = strdup(b.p);
	buf_free(&b);
	return out;
}

static struct prom_exporter *conn_exporter(size_t top, size_t max_series)
{
	struct prom_opts o;
	struct prom_exporter *e;

	prom_opts_default(&o);
	o.conns = true;
	o.conns_top = top;
	if (max_series)
		o.max_series = max_series;
	o.idle_ttl_ns = UINT64_MAX / 2; /* nothing expires unless a test says so */
	e = prom_exporter_new(&o);
	assert_non_null(e);
	return e;
}

/* Feeds one step; keeps the snapshot as *prev for the next step's deltas. */
static void feed_conns(struct prom_exporter *e, const struct fconn *f, size_t n, uint64_t seq,
		       struct snapshot **prev)
{
	struct snapshot *s = conn_snap(f, n, seq, *prev);

	assert_int_equal(prom_exporter_update(e, s), 0);
	snapshot_put(*prev);
	*prev = s;
}

#define TX "ebtop_connection_transmit_bytes_total"
#define RX "ebtop_connection_receive_bytes_total"
#define RT "ebtop_connection_retransmits_total"

static double value_of(const char *text, const char *series)
{
	const char *p = strstr(text, series);

	if (!p)
		return NAN;
	return strtod(p + strlen(series), NULL);
}

/* ---- per-connection series ---- */

/*
 * A connection closes and a new socket opens on the same 4-tuple from the
 * same program: one series that continues from where it was.
 */
static void test_conn_tuple_reuse_continues(void **state)
{
	static const char a[] = TX "{comm=\"web\",proto=\"tcp\",laddr=\"10.0.0.1\",lport=\"40000\","
				   "raddr=\"10.0.0.2\",rport=\"80\"}";
	static const char ar[] =
	    RT "{comm=\"web\",proto=\"tcp\",laddr=\"10.0.0.1\",lport=\"40000\","
	       "raddr=\"10.0.0.2\",rport=\"80\"}";
	static const char u[] = "{comm=\"dns\",proto=\"udp\"";
	struct fconn c[2] = {
	    {1, "web", IPPROTO_TCP, 1, 40000, 2, 80, 100, 10, 0, false},
	    {9, "dns", IPPROTO_UDP, 1, 5353, 3, 53, 60, 60, 0, false},
	};
	struct snapshot *prev = NULL;
	struct prom_exporter *e = conn_exporter(10, 0);
	char *t;

	(void)state;
	feed_conns(e, c, 2, 1, &prev);
	t = render_conns(e, PROM_FMT_TEXT);
	assert_true(value_of(t, a) == 100);
	assert_true(value_of(t, ar) == 0);
	/* UDP series have no retransmits line. */
	assert_non_null(strstr(t, TX "{comm=\"dns\",proto=\"udp\""));
	assert_null(strstr(t, RT "{comm=\"dns\""));
	assert_non_null(strstr(t, u));
	free(t);
	c[0].tx = 250;
	c[0].retrans = 3;
	feed_conns(e, c, 2, 2, &prev);
	t = render_conns(e, PROM_FMT_TEXT);
	assert_true(value_of(t, a) == 250);
	assert_true(value_of(t, ar) == 3);
	free(t);
	c[0].tx = 300;
	c[0].closed = true; /* final counters */
	feed_conns(e, c, 2, 3, &prev);
	feed_conns(e, c + 1, 1, 4, &prev); /* gone: the series keeps its final value */
	t = render_conns(e, PROM_FMT_TEXT);
	assert_true(value_of(t, a) == 300);
	free(t);
	c[0] = (struct fconn){2, "web", IPPROTO_TCP, 1, 40000, 2, 80, 40, 0, 1, false};
	feed_conns(e, c, 2, 5, &prev); /* a new socket, same 4-tuple */
	t = render_conns(e, PROM_FMT_TEXT);
	assert_true(value_of(t, a) == 340);
	assert_true(value_of(t, ar) == 4);
	free(t);
	snapshot_put(prev);
	prom_exporter_free(e);
}

/*
 * Connections open, send, close (with or without a final row) and reopen on
 * a few 4-tuples, their programs exec into another name, while the top 4
 * are exported. No series goes backwards, and the increases a scraper sees
 * add up to every byte: nothing lost, nothing counted twice.
 */
static void test_conn_monotonic_under_churn(void **state)
{
	static const char *const comms[] = {"a", "b", "c"};
	enum { NC = 24, STEPS = 400, MAXK = 256, TOP = 4 };
	struct fconn live[NC];
	char(*keys)[256] = calloc(MAXK, 256);
	struct seen *seen = calloc(MAXK, sizeof(*seen));
	double vals[MAXK], ended = 0, counted = 0;
	struct snapshot *prev = NULL;
	struct prom_exporter *e = conn_exporter(TOP, 0);
	size_t nc = 0, nseen = 0;
	uint64_t cookie = 1;

	(void)state;
	srand(11);
	for (int step = 1; step <= STEPS; step++) {
		struct fconn rows[NC];
		size_t nr = 0, w = 0, n;
		double truth = ended;
		char *text;

		while (nc < NC && rand() % 2 == 0) {
			/* Few tuples, so that new sockets often reuse one. */
			live[nc] = (struct fconn){cookie++,
						  comms[rand() % 3],
						  IPPROTO_TCP,
						  1,
						  (uint16_t)(40000 + rand() % 6),
						  2,
						  80,
						  0,
						  0,
						  0,
						  false};
			nc++;
		}
		for (size_t i = 0; i < nc; i++) {
			int r = rand() % 12;

			if (r == 2) { /* vanishes: counts what the last snapshot showed */
				ended += (double)live[i].tx;
				truth += (double)live[i].tx;
				continue;
			}
			live[i].tx += (uint64_t)(rand() % (i < 3 ? 5000 : 500));
			if (r == 0)
				live[i].comm = comms[rand() % 3]; /* its owner exec'd */
			if (r == 1) {
				rows[nr] = live[i];
				rows[nr++].closed = true;
				ended += (double)live[i].tx;
				truth += (double)live[i].tx;
				continue;
			}
			rows[nr++] = live[i];
			live[w++] = live[i];
			truth += (double)live[i].tx;
		}
		nc = w;
		feed_conns(e, rows, nr, (uint64_t)step, &prev);
		text = render_conns(e, PROM_FMT_TEXT);
		n = parse_metric(text, TX, keys, vals, MAXK);
		assert_true(n <= TOP + 1);
		counted += increase(seen, &nseen, MAXK, keys, vals, n, step);
		if (counted != truth)
			fail_msg("step %d: scrapers counted %.0f, %.0f bytes were sent", step,
				 counted, truth);
		free(text);
	}
	snapshot_put(prev);
	prom_exporter_free(e);
	free(keys);
	free(seen);
}

/* Beyond max_series new label sets count in "other"; the gauges say how many were folded. */
static void test_conn_caps(void **state)
{
	enum { N = 8 };
	struct fconn c[N];
	char keys[16][256];
	double vals[16], sum = 0;
	struct snapshot *prev = NULL;
	struct prom_exporter *e = conn_exporter(2, 5);
	char *t;
	size_t n;

	(void)state;
	for (int i = 0; i < N; i++)
		c[i] = (struct fconn){
		    (uint64_t)(i + 1),	      "x", IPPROTO_TCP, 1,    (uint16_t)(50000 + i), 2, 443,
		    (uint64_t)(i + 1) * 1000, 0,   0,		false};
	feed_conns(e, c, N, 1, &prev);
	t = render_conns(e, PROM_FMT_TEXT);
	n = parse_metric(t, TX, keys, vals, 16);
	assert_int_equal(n, 3); /* top 2 and other */
	for (size_t i = 0; i < n; i++)
		sum += vals[i];
	assert_true(sum == 36000);
	assert_non_null(strstr(t, "\nebtop_metrics_connection_tracked_series 5\n"));
	assert_non_null(strstr(t, "\nebtop_metrics_connection_folded_series 3\n"));
	/* 3 tracked but not exported, 3 beyond the table: all in other. */
	assert_non_null(strstr(t, "\nebtop_metrics_folded_connections 6\n"));
	free(t);
	snapshot_put(prev);
	prom_exporter_free(e);
}

static bool only_https(const struct conn *c, const struct row *owner, void *ctx)
{
	(void)owner;
	(void)ctx;
	return c->rport == 443;
}

/* --metrics-filter: connections that do not match are not exported, not even in other. */
static void test_conn_filter_and_format(void **state)
{
	struct fconn c[2] = {
	    {1, "we\"b", IPPROTO_TCP, 1, 40000, 2, 443, 100, 0, 0, false},
	    {2, "web", IPPROTO_TCP, 1, 40001, 2, 80, 900, 0, 0, false},
	};
	struct snapshot *prev = NULL;
	struct prom_opts o;
	struct prom_exporter *e;
	char *t;

	(void)state;
	prom_opts_default(&o);
	o.conns = true;
	o.match_conn = only_https;
	e = prom_exporter_new(&o);
	feed_conns(e, c, 2, 1, &prev);
	t = render_conns(e, PROM_FMT_TEXT);
	assert_non_null(strstr(t, "# TYPE " TX " counter\n"));
	assert_true(value_of(t, TX "{comm=\"we\\\"b\",proto=\"tcp\",laddr=\"10.0.0.1\","
				   "lport=\"40000\",raddr=\"10.0.0.2\",rport=\"443\"}") == 100);
	assert_null(strstr(t, "rport=\"80\""));
	assert_true(value_of(t, TX "{comm=\"other\"}") == 0);
	free(t);
	t = render_conns(e, PROM_FMT_OPENMETRICS);
	assert_non_null(strstr(t, "# TYPE ebtop_connection_transmit_bytes counter\n"));
	free(t);
	snapshot_put(prev);
	prom_exporter_free(e);
}

/* ---- the event ring ---- */

static struct event conn_event(uint32_t kind, uint32_t pid, uint16_t lport, uint64_t tx)
{
	struct event e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.wall_ns = 1700000000ULL * 1000000000ULL + lport;
	e.conn.kind = kind;
	e.conn.tgid = pid;
	e.conn.family = AF_INET;
	e.conn.proto = IPPROTO_TCP;
	e.conn.lport = lport;
	e.conn.rport = 80;
	e.conn.cookie = 7000 + lport;
	e.conn.tx_bytes = tx;
	snprintf(e.conn.comm, sizeof(e.conn.comm), "c%u", pid);
	return e;
}

static struct event exec_event(uint32_t pid, const char *argv0, const char *argv1)
{
	struct event e;
	size_t a = strlen(argv0) + 1, b = strlen(argv1) + 1;

	memset(&e, 0, sizeof(e));
	e.kind = EBTOP_EV_EXEC;
	e.exec.kind = EBTOP_EV_EXEC;
	e.exec.pid = pid;
	memcpy(e.exec.argv, argv0, a);
	memcpy(e.exec.argv + a, argv1, b);
	e.exec.args_len = (uint32_t)(a + b);
	snprintf(e.exec.comm, sizeof(e.exec.comm), "%s", argv0);
	return e;
}

struct collected {
	struct event ev[16];
	uint64_t seq[16], lost[16];
	size_t n;
};

static void collect(const struct event *e, uint64_t seq, uint64_t lost, void *ctx)
{
	struct collected *c = ctx;

	assert_true(c->n < 16);
	c->ev[c->n] = *e;
	c->seq[c->n] = seq;
	c->lost[c->n++] = lost;
}

static void test_evring(void **state)
{
	struct evring *conns = evring_new(EVRING_CONNECT, 4);
	struct evring *execs = evring_new(EVRING_EXEC, 4);
	struct event batch1[3] = {conn_event(EBTOP_EV_CONNECT, 10, 1, 0),
				  exec_event(11, "/bin/sh", "-c"),
				  conn_event(EBTOP_EV_ACCEPT, 12, 2, 0)};
	struct event batch2[4] = {
	    conn_event(EBTOP_EV_CLOSE, 10, 1, 12345), conn_event(EBTOP_EV_CONNECT, 10, 3, 0),
	    conn_event(EBTOP_EV_CONNECT, 13, 4, 0), exec_event(14, "curl", "http://x")};
	struct collected got = {0};
	uint64_t appended, overwritten;
	size_t total;

	(void)state;
	assert_null(evring_new(EVRING_EXEC, 0));
	assert_non_null(conns);
	assert_non_null(execs);
	evring_push(conns, 1, 0, batch1, 3);
	evring_push(execs, 1, 0, batch1, 3);
	evring_push(conns, 2, 5, batch2, 4);
	evring_push(execs, 2, 5, batch2, 4);

	/* Newest first; 5 connection events in a ring of 4: the first is gone. */
	total = evring_visit(conns, 2, 0, 16, collect, &got);
	assert_int_equal(total, 4);
	assert_int_equal(got.n, 4);
	assert_int_equal(got.ev[0].conn.lport, 4);
	assert_int_equal(got.ev[3].conn.lport, 2);
	assert_int_equal(got.ev[3].kind, EBTOP_EV_ACCEPT);
	assert_int_equal(got.seq[3], 1);
	assert_int_equal(got.lost[0], 5);
	assert_int_equal(got.lost[3], 0);
	/* A compact slot keeps everything a connection event has. */
	assert_int_equal(got.ev[2].kind, EBTOP_EV_CLOSE);
	assert_int_equal(got.ev[2].conn.tx_bytes, 12345);
	assert_int_equal(got.ev[2].conn.cookie, 7001);
	assert_string_equal(got.ev[2].conn.comm, "c10");
	evring_counts(conns, &appended, &overwritten);
	assert_int_equal(appended, 5);
	assert_int_equal(overwritten, 1);

	/* A reader of snapshot 1 does not see what snapshot 2 appended. */
	memset(&got, 0, sizeof(got));
	assert_int_equal(evring_visit(conns, 1, 0, 16, collect, &got), 1);
	/* By pid, with a limit: every match is counted, the first ones delivered. */
	memset(&got, 0, sizeof(got));
	assert_int_equal(evring_visit(conns, 2, 10, 1, collect, &got), 2);
	assert_int_equal(got.n, 1);
	assert_int_equal(got.ev[0].conn.lport, 3);

	memset(&got, 0, sizeof(got));
	assert_int_equal(evring_visit(execs, 2, 0, 16, collect, &got), 2);
	assert_int_equal(got.ev[0].exec.pid, 14);
	assert_string_equal(got.ev[0].exec.argv + 5, "http://x");
	assert_int_equal(got.ev[1].exec.pid, 11);
	evring_free(conns);
	evring_free(execs);
}

/* ---- the API ---- */

struct api_fixture {
	struct snapshot *s;
	struct evring *exec, *conn;
	struct api_ctx ctx;
};

/* One process (pid 100) with two connections, and a second (pid 200) with none. */
static void fixture(struct api_fixture *fx, unsigned avail)
{
	struct fconn c[2] = {
	    {1, "srv", IPPROTO_TCP, 1, 8080, 2, 51000, 100, 5000, 0, false},
	    {2, "srv", IPPROTO_TCP, 1, 40000, 3, 443, 900, 100, 1, true},
	};
	struct snapshot *s = conn_snap(c, 2, 7, NULL);
	struct event ev[3] = {conn_event(EBTOP_EV_CONNECT, 100, 40000, 0),
			      exec_event(200, "sleep", "60"),
			      conn_event(EBTOP_EV_CLOSE, 100, 40000, 900)};

	s->avail = avail;
	s->nprocs = 2;
	s->procs = calloc(2, sizeof(*s->procs));
	for (int i = 0; i < 2; i++) {
		struct row *r = &s->procs[i];

		r->pid = r->tgid = i ? 200 : 100;
		r->start_ns = r->pstart_ns = 5;
		r->state = 'S';
		snprintf(r->comm, sizeof(r->comm), "%s", i ? "sleep" : "srv");
		for (int k = 0; k < F_NUM; k++)
			r->v[k] = NAN;
	}
	for (size_t i = 0; i < s->nconns; i++) {
		s->conns[i].pid = 100;
		s->conns[i].pstart_ns = 5;
		s->conns[i].owner = &s->procs[0];
		conn_fill(&s->conns[i], 1.0);
	}
	s->procs[0].conn.count = 2;
	s->procs[0].conn.rows = s->conns;
	s->errors[EBTOP_ERR_EVENTS] = 3;
	s->conn_occ.events_dropped = 1;
	fx->s = s;
	fx->exec = evring_new(EVRING_EXEC, 50);
	fx->conn = evring_new(EVRING_CONNECT, 50);
	evring_push(fx->exec, 7, 2, ev, 3);
	evring_push(fx->conn, 7, 2, ev, 3);
	fx->ctx = (struct api_ctx){s, fx->exec, fx->conn};
}

static void fixture_free(struct api_fixture *fx)
{
	snapshot_put(fx->s);
	evring_free(fx->exec);
	evring_free(fx->conn);
}

/* GET uri: the status, and the body parsed (NULL when not JSON). */
static int get(struct api_fixture *fx, const char *uri, json_t **body, char *param, size_t plen)
{
	struct request *rq = malloc(sizeof(*rq));
	struct req_error err;
	struct buf b;
	int status;

	buf_init(&b, 1u << 20);
	if (request_parse(uri, 1700000000.0, rq, &err)) {
		snprintf(param, plen, "%s", err.param);
		free(rq);
		*body = NULL;
		return err.status;
	}
	status = api_respond(rq, &fx->ctx, &b);
	*body = json_loadb(b.p ? b.p : "", b.len, 0, NULL);
	if (*body && json_is_string(json_object_get(*body, "parameter")))
		snprintf(param, plen, "%s", json_string_value(json_object_get(*body, "parameter")));
	else
		param[0] = '\0';
	buf_free(&b);
	free(rq);
	return status;
}

static json_int_t jint(json_t *o, const char *path)
{
	json_t *v = json_object_get(o, path);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void test_api_connections(void **state)
{
	struct api_fixture fx;
	char param[32];
	json_t *j, *arr;

	(void)state;
	fixture(&fx, NEED_NET | NEED_CONN | NEED_EVENTS);
	assert_int_equal(get(&fx, "/api/v1/connections?sort=rport&order=asc", &j, param, 32), 200);
	arr = json_object_get(j, "connections");
	assert_int_equal(json_array_size(arr), 2);
	assert_int_equal(jint(json_array_get(arr, 0), "rport"), 443);
	assert_int_equal(jint(json_array_get(arr, 1), "rport"), 51000);
	assert_int_equal(jint(json_array_get(arr, 0), "tx_total"), 900);
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "state")),
			    "CLOSED");
	assert_string_equal(json_string_value(json_object_get(j, "sort")), "rport");
	assert_true(json_is_true(json_object_get(j, "collected")));
	json_decref(j);
	/* The default order is the busiest sender first; limit keeps the total. */
	assert_int_equal(get(&fx, "/api/v1/connections?limit=1", &j, param, 32), 200);
	assert_int_equal(json_array_size(json_object_get(j, "connections")), 1);
	assert_int_equal(jint(j, "total"), 2);
	json_decref(j);
	assert_int_equal(
	    get(&fx, "/api/v1/connections?filter=conn.lport%20%3D%208080", &j, param, 32), 200);
	arr = json_object_get(j, "connections");
	assert_int_equal(json_array_size(arr), 1);
	assert_int_equal(jint(json_array_get(arr, 0), "rx_total"), 5000);
	json_decref(j);
	/* A process clause reads the owner. */
	assert_int_equal(get(&fx, "/api/v1/connections?filter=name%20%3D%20nobody", &j, param, 32),
			 200);
	assert_int_equal(jint(j, "total"), 0);
	json_decref(j);
	assert_int_equal(get(&fx, "/api/v1/connections?sort=nosuch", &j, param, 32), 400);
	assert_string_equal(param, "sort");
	assert_int_equal(
	    get(&fx, "/api/v1/connections?filter=conn.nosuch%20%3D%201", &j, param, 32), 400);
	assert_string_equal(param, "filter");
	json_decref(j);
	assert_int_equal(get(&fx, "/api/v1/connections?limit=0", &j, param, 32), 400);
	assert_string_equal(param, "limit");

	assert_int_equal(get(&fx, "/api/v1/processes/100", &j, param, 32), 200);
	assert_int_equal(json_array_size(json_object_get(j, "connections")), 2);
	assert_true(json_is_true(json_object_get(j, "connections_collected")));
	json_decref(j);
	assert_int_equal(get(&fx, "/api/v1/processes/200", &j, param, 32), 200);
	assert_int_equal(json_array_size(json_object_get(j, "connections")), 0);
	json_decref(j);
	fixture_free(&fx);

	/* Without the connection collector: an empty list that says so. */
	fixture(&fx, NEED_NET);
	assert_int_equal(get(&fx, "/api/v1/connections", &j, param, 32), 200);
	assert_true(json_is_false(json_object_get(j, "collected")));
	assert_true(json_is_string(json_object_get(j, "reason")));
	json_decref(j);
	assert_int_equal(get(&fx, "/api/v1/processes/100", &j, param, 32), 200);
	assert_true(json_is_null(json_object_get(j, "connections")));
	json_decref(j);
	assert_int_equal(get(&fx, "/api/v1/events/connect", &j, param, 32), 200);
	assert_true(json_is_false(json_object_get(j, "collected")));
	json_decref(j);
	fixture_free(&fx);
}

static void test_api_events(void **state)
{
	struct api_fixture fx;
	char param[32];
	json_t *j, *arr;

	(void)state;
	fixture(&fx, NEED_NET | NEED_CONN | NEED_EVENTS);
	assert_int_equal(get(&fx, "/api/v1/events/connect", &j, param, 32), 200);
	arr = json_object_get(j, "events");
	assert_int_equal(json_array_size(arr), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "type")),
			    "close");
	assert_int_equal(jint(json_array_get(arr, 0), "tx_bytes"), 900);
	assert_int_equal(jint(json_array_get(arr, 1), "lport"), 40000);
	assert_int_equal(jint(j, "lost"), 4);
	assert_int_equal(jint(j, "lost_in_range"), 2);
	assert_int_equal(jint(j, "kept"), 50);
	json_decref(j);
	assert_int_equal(get(&fx, "/api/v1/events/exec?pid=200", &j, param, 32), 200);
	arr = json_object_get(j, "events");
	assert_int_equal(json_array_size(arr), 1);
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(json_array_get(arr, 0), "argv"), 1)),
	    "60");
	json_decref(j);
	assert_int_equal(get(&fx, "/api/v1/events/exec?pid=999", &j, param, 32), 200);
	assert_int_equal(jint(j, "total"), 0);
	assert_true(json_is_null(json_object_get(j, "lost_in_range")));
	json_decref(j);
	assert_int_equal(get(&fx, "/api/v1/events/connect?limit=51", &j, param, 32), 400);
	assert_string_equal(param, "limit");
	json_decref(j);
	assert_int_equal(get(&fx, "/api/v1/events/connect?sort=tx", &j, param, 32), 400);
	assert_string_equal(param, "sort");
	fixture_free(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_conn_tuple_reuse_continues),
	    cmocka_unit_test(test_conn_monotonic_under_churn),
	    cmocka_unit_test(test_conn_caps),
	    cmocka_unit_test(test_conn_filter_and_format),
	    cmocka_unit_test(test_evring),
	    cmocka_unit_test(test_api_connections),
	    cmocka_unit_test(test_api_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
