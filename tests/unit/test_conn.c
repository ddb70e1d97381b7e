// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Connection rows: rates, closed and vanished rows, process sums, names; event and table text. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "model/model.h"
#include "model/view.h"
#include "output/render.h"
#include "testutil.h"

#define SEC 1000000000ULL

void conn_unmap(struct conn *c);

struct input {
	struct ebtop_task_rec t[8];
	size_t nt;
	struct ebtop_conn_rec c[16];
	size_t nc;
};

/* A process with one thread; start times are pid * SEC so keys stay readable. */
static void proc(struct input *in, uint32_t pid)
{
	struct ebtop_task_rec *r = &in->t[in->nt++];

	memset(r, 0, sizeof(*r));
	r->tid = r->tgid = pid;
	r->start_ns = r->pstart_ns = pid * SEC;
	snprintf(r->comm, sizeof(r->comm), "p%u", pid);
}

static struct ebtop_conn_rec *tcp(struct input *in, uint32_t kind, uint64_t cookie, uint32_t pid,
				  uint64_t tx, uint64_t rx)
{
	struct ebtop_conn_rec *c = &in->c[in->nc++];

	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->cookie = cookie;
	c->tgid = c->tid = pid;
	c->pstart_ns = pid * SEC;
	c->family = AF_INET;
	c->proto = IPPROTO_TCP;
	c->state = 1;
	c->flags = EBTOP_CONN_F_ESTAB;
	c->lport = 40000 + (uint16_t)cookie;
	c->rport = 80;
	inet_pton(AF_INET, "127.0.0.1", c->laddr);
	inet_pton(AF_INET, "10.1.2.3", c->raddr);
	c->open_ns = 1 * SEC;
	c->ts_ns = 3 * SEC;
	c->tx_bytes = tx;
	c->rx_bytes = rx;
	snprintf(c->comm, sizeof(c->comm), "p%u", pid);
	return c;
}

static struct snapshot *step(struct model *m, struct input *in, uint64_t t)
{
	struct sample s = {.mono_ns = t,
			   .recs = in->t,
			   .nrecs = in->nt,
			   .conns = in->c,
			   .nconns = in->nc,
			   .avail = NEED_NET | NEED_CONN};
	struct snapshot *snap = model_update(m, &s);

	assert_non_null(snap);
	in->nc = 0;
	return snap;
}

static const struct row *find_proc(const struct snapshot *s, uint32_t pid)
{
	for (size_t i = 0; i < s->nprocs; i++) {
		if (s->procs[i].pid == pid)
			return &s->procs[i];
	}
	return NULL;
}

static const struct conn *find_conn(const struct snapshot *s, uint64_t cookie)
{
	for (size_t i = 0; i < s->nconns; i++) {
		if (s->conns[i].cookie == cookie)
			return &s->conns[i];
	}
	return NULL;
}

static void test_rates_and_links(void **state)
{
	struct model *m = model_new(0, NULL, NULL);
	struct input in = {0};
	struct snapshot *a, *b;
	const struct row *p1, *p2;
	const struct conn *c;

	(void)state;
	proc(&in, 100);
	proc(&in, 200);
	tcp(&in, EBTOP_CONN_LIVE, 1, 100, 1000, 10);
	tcp(&in, EBTOP_CONN_LIVE, 2, 200, 0, 1000);
	tcp(&in, EBTOP_CONN_LIVE, 3, 100, 5, 0);
	a = step(m, &in, 1 * SEC);
	tcp(&in, EBTOP_CONN_LIVE, 1, 100, 3000, 10);
	tcp(&in, EBTOP_CONN_LIVE, 2, 200, 0, 3000);
	tcp(&in, EBTOP_CONN_LIVE, 3, 100, 5, 0);
	b = step(m, &in, 3 * SEC);
	c = find_conn(b, 1);
	assert_non_null(c);
	assert_near(c->v[CF_TX_RATE], 1000, 1e-9); /* 2000 bytes over 2 s */
	assert_near(c->v[CF_TX_TOTAL], 3000, 0);
	assert_near(c->v[CF_AGE], 2e9, 0);
	p1 = find_proc(b, 100);
	p2 = find_proc(b, 200);
	assert_int_equal(p1->conn.count, 2);
	assert_int_equal(p2->conn.count, 1);
	for (uint32_t i = 0; i < p1->conn.count; i++) {
		assert_int_equal(p1->conn.rows[i].pid, 100);
		assert_ptr_equal(p1->conn.rows[i].owner, p1);
	}
	assert_near(p1->v[F_CONNS], 2, 0);
	assert_near(p2->v[F_CONNS], 1, 0);
	assert_near(b->total.v[F_CONNS], 3, 0);
	snapshot_put(a);
	snapshot_put(b);
	model_free(m);
}

static void test_closed_once_and_vanished(void **state)
{
	struct model *m = model_new(0, NULL, NULL);
	struct input in = {0};
	struct snapshot *a, *b, *c;
	const struct conn *x;

	(void)state;
	proc(&in, 100);
	tcp(&in, EBTOP_CONN_LIVE, 1, 100, 100, 0);
	tcp(&in, EBTOP_CONN_LIVE, 2, 100, 100, 0);
	a = step(m, &in, 1 * SEC);
	/* 1: seen live and then its final record in the same read; 2: gone without one. */
	tcp(&in, EBTOP_CONN_LIVE, 1, 100, 150, 0);
	tcp(&in, EBTOP_CONN_FINAL, 1, 100, 200, 0);
	b = step(m, &in, 2 * SEC);
	assert_int_equal(b->nconns, 2);
	x = find_conn(b, 1);
	assert_true(x->flags & EBTOP_CONN_F_CLOSED);
	assert_near(x->v[CF_TX_TOTAL], 200, 0);
	assert_near(x->v[CF_TX_RATE], 100, 1e-9);
	assert_string_equal(conn_state_name(x->proto, x->state, x->flags), "CLOSED");
	x = find_conn(b, 2);
	assert_true(x->flags & EBTOP_CONN_F_CLOSED);
	assert_near(x->v[CF_TX_TOTAL], 100, 0); /* its last counters */
	assert_near(find_proc(b, 100)->v[F_CONNS], 0, 0);
	/* A late live record of a connection shown closed is stale. */
	tcp(&in, EBTOP_CONN_LIVE, 1, 100, 200, 0);
	c = step(m, &in, 3 * SEC);
	assert_int_equal(c->nconns, 0);
	snapshot_put(a);
	snapshot_put(b);
	snapshot_put(c);
	model_free(m);
}

static void test_process_sums(void **state)
{
	struct model *m = model_new(0, NULL, NULL);
	struct input in = {0};
	struct snapshot *a, *b;
	struct ebtop_conn_rec *r;
	const struct row *p;

	(void)state;
	proc(&in, 100);
	r = tcp(&in, EBTOP_CONN_LIVE, 1, 100, 0, 0); /* made, established */
	r->segs_out = 100;
	r = tcp(&in, EBTOP_CONN_FINAL, 2, 100, 0, 0); /* refused */
	r->flags = 0;
	r->err = ECONNREFUSED;
	r = tcp(&in, EBTOP_CONN_LIVE, 3, 100, 0, 0); /* accepted */
	r->flags |= EBTOP_CONN_F_PASSIVE;
	r = tcp(&in, EBTOP_CONN_LIVE, 4, 100, 0, 0); /* open before ebtop: not new */
	r->flags |= EBTOP_CONN_F_PREEXIST;
	a = step(m, &in, 1 * SEC);
	p = find_proc(a, 100);
	assert_near(p->v[F_CONN_OUT_TOTAL], 1, 0);
	assert_near(p->v[F_CONN_IN_TOTAL], 1, 0);
	assert_near(p->v[F_CONN_NEW_RATE], 2, 1e-9);
	assert_near(p->v[F_CONN_REFUSED_TOTAL], 1, 0);
	assert_near(p->v[F_CONN_ERR_RATE], 1, 1e-9);
	assert_near(p->v[F_CONNS], 3, 0);
	/* Next interval: 10 of 200 segments retransmitted; the reset counts once. */
	r = tcp(&in, EBTOP_CONN_LIVE, 1, 100, 0, 0);
	r->segs_out = 300;
	r->retrans = 10;
	r->err = ECONNRESET;
	r = tcp(&in, EBTOP_CONN_LIVE, 3, 100, 0, 0);
	r->flags |= EBTOP_CONN_F_PASSIVE;
	tcp(&in, EBTOP_CONN_LIVE, 4, 100, 0, 0)->flags |= EBTOP_CONN_F_PREEXIST;
	b = step(m, &in, 2 * SEC);
	p = find_proc(b, 100);
	assert_near(p->v[F_RETX_PCT], 5, 1e-9);
	assert_near(p->v[F_CONN_NEW_RATE], 0, 0);
	assert_near(p->v[F_CONN_OUT_TOTAL], 1, 0);
	assert_near(p->v[F_CONN_RESET_TOTAL], 1, 0);
	assert_near(p->v[F_CONN_ERR_TOTAL], 2, 0);
	snapshot_put(a);
	snapshot_put(b);
	model_free(m);
}

static void test_names_and_addresses(void **state)
{
	struct conn c = {0};
	char buf[64];

	(void)state;
	assert_int_equal(conn_field_lookup("tx"), CF_TX_RATE);
	assert_int_equal(conn_field_lookup("conn.rport"), CF_RPORT);
	assert_int_equal(conn_field_lookup("SRTT"), CF_SRTT);
	assert_int_equal(conn_field_lookup("nope"), -1);
	assert_string_equal(conn_state_name(IPPROTO_TCP, 2, 0), "SYN-SENT");
	assert_string_equal(conn_state_name(IPPROTO_UDP, 1, 0), "ESTAB");
	assert_string_equal(conn_state_name(IPPROTO_UDP, 7, 0), "UNCONN");
	assert_string_equal(conn_err_name(ECONNREFUSED), "refused");
	assert_null(conn_err_name(0));
	c.family = AF_INET6;
	inet_pton(AF_INET6, "::ffff:192.0.2.7", c.laddr);
	inet_pton(AF_INET6, "::ffff:198.51.100.1", c.raddr);
	c.lport = 5000;
	c.rport = 53;
	conn_unmap(&c);
	assert_int_equal(c.family, AF_INET);
	assert_string_equal(conn_str(&c, CF_LOCAL, buf, sizeof(buf)), "192.0.2.7:5000");
	assert_string_equal(conn_str(&c, CF_RADDR, buf, sizeof(buf)), "198.51.100.1");
	c.family = AF_INET6;
	inet_pton(AF_INET6, "::1", c.raddr);
	assert_string_equal(conn_str(&c, CF_REMOTE, buf, sizeof(buf)), "[::1]:53");
	c.flags = EBTOP_CONN_F_OTHER;
	assert_string_equal(conn_str(&c, CF_RADDR, buf, sizeof(buf)), "*");
	assert_null(conn_str(&c, CF_LADDR, NULL, 0)); /* no buffer, no address text */
}

static void test_event_text(void **state)
{
	struct event e = {0};
	struct buf b;

	(void)state;
	setenv("TZ", "UTC", 1);
	buf_init(&b, 1 << 20);
	e.kind = EBTOP_EV_CLOSE;
	e.wall_ns = 1700000000ULL * SEC + 5 * 1000000;
	e.conn.kind = EBTOP_EV_CLOSE;
	e.conn.tgid = e.conn.tid = 42;
	snprintf(e.conn.comm, sizeof(e.conn.comm), "curl");
	e.conn.family = AF_INET;
	e.conn.proto = IPPROTO_TCP;
	inet_pton(AF_INET, "127.0.0.1", e.conn.laddr);
	inet_pton(AF_INET, "127.0.0.1", e.conn.raddr);
	e.conn.lport = 40000;
	e.conn.rport = 80;
	e.conn.open_ns = 10 * SEC;
	e.conn.ts_ns = 12 * SEC;
	e.conn.tx_bytes = 102400;
	assert_int_equal(render_event(&b, &e, false), 0);
	assert_string_equal(b.p,
			    "22:13:20.005 close        42 curl            tcp 127.0.0.1:40000 -> "
			    "127.0.0.1:80 dur 2.00s tx 102400 rx 0 retrans 0\n");
	buf_reset(&b);
	assert_int_equal(render_event(&b, &e, true), 0);
	assert_non_null(strstr(b.p, "\"type\":\"close\",\"pid\":42,"));
	assert_non_null(
	    strstr(b.p, "\"duration_ns\":2000000000,\"tx_bytes\":102400,\"rx_bytes\":0"));
	buf_reset(&b);
	memset(&e, 0, sizeof(e));
	e.kind = EBTOP_EV_EXEC;
	e.wall_ns = 1700000000ULL * SEC;
	e.exec.pid = 7;
	e.exec.ppid = 1;
	snprintf(e.exec.comm, sizeof(e.exec.comm), "ls");
	memcpy(e.exec.argv, "ls\0-l\0/tmp", 10);
	e.exec.args_len = 10;
	assert_int_equal(render_event(&b, &e, true), 0);
	assert_non_null(strstr(b.p, "\"argv\":[\"ls\",\"-l\",\"/tmp\"]"));
	buf_reset(&b);
	assert_int_equal(render_events_lost(&b, 3, 1, true), 0);
	assert_string_equal(b.p, "{\"type\":\"lost\",\"count\":3,\"missed\":1}\n");
	buf_free(&b);
}

static void test_table(void **state)
{
	struct model *m = model_new(0, NULL, NULL);
	struct input in = {0};
	struct render_opts o;
	struct view_opts v;
	const struct conn **sel;
	struct snapshot *s;
	struct buf b;
	long n;

	(void)state;
	proc(&in, 100);
	tcp(&in, EBTOP_CONN_LIVE, 1, 100, 5000, 0);
	tcp(&in, EBTOP_CONN_LIVE, 2, 100, 9000, 0);
	tcp(&in, EBTOP_CONN_LIVE, 3, 100, 7000, 0);
	s = step(m, &in, 1 * SEC);
	view_opts_default(&v);
	v.conn_sort_field = CF_TX_TOTAL;
	v.top = 2;
	n = view_select_conns(s, &v, &sel);
	assert_int_equal(n, 2);
	assert_int_equal(sel[0]->cookie, 2);
	assert_int_equal(sel[1]->cookie, 3);
	render_opts_default(&o);
	o.raw = true;
	buf_init(&b, 1 << 20);
	assert_int_equal(render_conn_table(&b, s, sel, (size_t)n, &o), 0);
	assert_non_null(strstr(b.p, "127.0.0.1:40002 10.1.2.3:80 ESTAB"));
	assert_non_null(strstr(b.p, "9000"));
	assert_null(strstr(b.p, "40001"));
	buf_free(&b);
	free(sel);
	snapshot_put(s);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rates_and_links), cmocka_unit_test(test_closed_once_and_vanished),
	    cmocka_unit_test(test_process_sums),    cmocka_unit_test(test_names_and_addresses),
	    cmocka_unit_test(test_event_text),	    cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
