// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* serve with many connections: per-connection metrics (update, render, size), the connection
 * endpoint, and the event ring, each timed against the same work without connections. */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "serve/api.h"
#include "serve/evring.h"
#include "serve/prom.h"
#include "serve/request.h"

void conn_fill(struct conn *c, double dt); /* TESTABLE in model/conn.c */

#define NPROCS 500
/* About the busiest fifth of the 50,000 connections (rates are 1000 + i bytes/s). */
#define FILTERED   \
	"/api/v1/" \
	"connections?filter=conn.rport%20%3D%20443%20and%20conn.tx%20%3E%2040000&sort=rx_total"
#define STEPS 20

static int key_cmp_r(const void *a, const void *b, void *base)
{
	const struct conn *c = base;

	return conn_key_cmp(&c[*(const uint32_t *)a], &c[*(const uint32_t *)b]);
}

/*
 * NPROCS processes and nconns TCP connections spread over them; every step
 * 5% of the connections are replaced by new ones and all of them send.
 */
static struct snapshot *make(size_t nconns, uint64_t step)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	s->refs = 1;
	s->seq = step + 1;
	s->mono_ns = (step + 1) * NSEC_PER_SEC;
	s->wall_ns = 1700000000ULL * NSEC_PER_SEC + s->mono_ns;
	s->interval_ns = NSEC_PER_SEC;
	s->avail = NEED_NET | (nconns ? NEED_CONN : 0);
	s->nprocs = NPROCS;
	s->procs = calloc(NPROCS, sizeof(*s->procs));
	for (size_t i = 0; i < NPROCS; i++) {
		struct row *r = &s->procs[i];

		r->pid = r->tgid = (uint32_t)(100 + i);
		r->start_ns = r->pstart_ns = 1;
		r->state = 'S';
		snprintf(r->comm, sizeof(r->comm), "proc%zu", i % 50);
		for (int k = 0; k < F_NUM; k++)
			r->v[k] = NAN;
		r->v[F_TX_TOTAL] = (double)(step * 1000 * (i + 1));
		r->v[F_NET_RATE] = (double)(1000 * (i + 1));
	}
	s->conns = calloc(nconns ? nconns : 1, sizeof(*s->conns));
	s->conn_by_key = calloc(nconns ? nconns : 1, sizeof(*s->conn_by_key));
	s->nconns = nconns;
	for (size_t i = 0; i < nconns; i++) {
		struct conn *c = &s->conns[i];
		/* Slot i holds generation g: a new socket (cookie) every 20 steps, staggered. */
		uint64_t g = (step + i % 20) / 20, age = (step + i % 20) % 20 + 1;
		struct row *owner = &s->procs[i % NPROCS];

		c->cookie = (g << 32) | i;
		c->pid = owner->pid;
		c->pstart_ns = 1;
		c->owner = owner;
		memcpy(c->comm, owner->comm, sizeof(c->comm));
		c->family = AF_INET;
		c->proto = IPPROTO_TCP;
		c->state = 1;
		c->laddr[0] = 10;
		c->laddr[3] = 1;
		c->raddr[0] = 10;
		c->raddr[2] = (uint8_t)(i >> 8);
		c->raddr[3] = (uint8_t)i;
		c->lport = (uint16_t)(32768 + (i + g * 7919) % 28000);
		c->rport = 443;
		c->tot.tx_bytes = age * (1000 + i);
		c->tot.rx_bytes = age * 10 * (1000 + i);
		c->delta.tx_bytes = 1000 + i;
		c->delta.rx_bytes = 10 * (1000 + i);
		conn_fill(c, 1.0);
		s->conn_by_key[i] = (uint32_t)i;
	}
	qsort_r(s->conn_by_key, nconns, sizeof(*s->conn_by_key), key_cmp_r, s->conns);
	return s;
}

struct cost {
	double update_ms, render_ms;
	size_t bytes;
};

static struct cost metrics(size_t nconns, bool conns)
{
	struct prom_self self = {.collect_s = 0.01, .version = "bench"};
	struct cost c = {0};
	struct prom_opts o;
	struct prom_exporter *e;
	struct buf b;

	prom_opts_default(&o);
	o.conns = conns;
	e = prom_exporter_new(&o);
	buf_init(&b, 1u << 30);
	for (uint64_t step = 0; step < STEPS; step++) {
		struct snapshot *s = make(nconns, step);
		uint64_t t0 = clock_mono_ns(), t1;

		if (prom_exporter_update(e, s))
			abort();
		t1 = clock_mono_ns();
		buf_reset(&b);
		if (prom_render(e, &self, PROM_FMT_TEXT, &b))
			abort();
		c.update_ms += (double)(t1 - t0) / 1e6 / STEPS;
		c.render_ms += (double)(clock_mono_ns() - t1) / 1e6 / STEPS;
		c.bytes = b.len;
		snapshot_put(s);
	}
	buf_free(&b);
	prom_exporter_free(e);
	return c;
}

/* Mean time of one API request over the last snapshot, in ms. */
static double api_ms(const struct api_ctx *ctx, const char *uri, size_t *len)
{
	struct request rq;
	struct req_error err;
	struct buf b;
	uint64_t t0;
	int reps = 20;

	if (request_parse(uri, 0, &rq, &err))
		abort();
	buf_init(&b, 1u << 30);
	t0 = clock_mono_ns();
	for (int i = 0; i < reps; i++) {
		buf_reset(&b);
		if (api_respond(&rq, ctx, &b) != 200)
			abort();
	}
	*len = b.len;
	buf_free(&b);
	return (double)(clock_mono_ns() - t0) / 1e6 / reps;
}

static void events(void)
{
	struct evring *r = evring_new(EVRING_CONNECT, EVRING_KEEP_DEFAULT);
	struct snapshot *s = make(0, 0);
	struct event *ev = calloc(1000, sizeof(*ev));
	struct api_ctx ctx = {s, NULL, r};
	uint64_t t0;
	size_t len;

	s->avail |= NEED_EVENTS;
	for (int i = 0; i < 1000; i++) {
		ev[i].kind = i % 3 == 0	  ? EBTOP_EV_CONNECT
			     : i % 3 == 1 ? EBTOP_EV_CLOSE
					  : EBTOP_EV_ACCEPT;
		ev[i].conn.kind = ev[i].kind;
		ev[i].conn.tgid = 100 + i % 500;
		ev[i].conn.family = AF_INET;
		ev[i].conn.proto = IPPROTO_TCP;
	}
	t0 = clock_mono_ns();
	for (int i = 0; i < 100; i++)
		evring_push(r, 1, 0, ev, 1000);
	printf("event ring: %.0f ns per event appended (100,000 events into a ring of %d)\n",
	       (double)(clock_mono_ns() - t0) / 1e5, EVRING_KEEP_DEFAULT);
	printf("GET /api/v1/events/connect                 %8.2f ms",
	       api_ms(&ctx, "/api/v1/events/connect", &len));
	printf("  %8zu bytes\n", len);
	printf("GET /api/v1/events/connect?limit=10000     %8.2f ms",
	       api_ms(&ctx, "/api/v1/events/connect?limit=10000", &len));
	printf("  %8zu bytes\n", len);
	printf("GET /api/v1/events/connect?pid=123         %8.2f ms",
	       api_ms(&ctx, "/api/v1/events/connect?pid=123", &len));
	printf("  %8zu bytes\n", len);
	evring_free(r);
	snapshot_put(s);
	free(ev);
}

int main(void)
{
	static const size_t sizes[] = {1000, 10000, 50000};
	struct cost base = metrics(0, false);

	printf("%d processes; per interval: exporter update, /metrics render, /metrics size\n",
	       NPROCS);
	printf("%-34s %8.2f ms %8.2f ms %9zu bytes\n", "no connections", base.update_ms,
	       base.render_ms, base.bytes);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct cost off = metrics(sizes[i], false), on = metrics(sizes[i], true);
		char name[64];

		snprintf(name, sizeof(name), "%zu conns, series off", sizes[i]);
		printf("%-34s %8.2f ms %8.2f ms %9zu bytes\n", name, off.update_ms, off.render_ms,
		       off.bytes);
		snprintf(name, sizeof(name), "%zu conns, --metrics-connections", sizes[i]);
		printf("%-34s %8.2f ms %8.2f ms %9zu bytes  (update x%.1f)\n", name, on.update_ms,
		       on.render_ms, on.bytes,
		       on.update_ms / (off.update_ms > 0 ? off.update_ms : 1e-9));
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct snapshot *s = make(sizes[i], 5);
		struct api_ctx ctx = {s, NULL, NULL};
		size_t len;
		double ms = api_ms(&ctx, "/api/v1/connections", &len);

		printf("GET /api/v1/connections, %6zu conns  %8.2f ms  %8zu bytes\n", sizes[i], ms,
		       len);
		ms = api_ms(&ctx, FILTERED, &len);
		printf("  ?filter=...&sort=rx_total                  %8.2f ms  %8zu bytes\n", ms,
		       len);
		snapshot_put(s);
	}
	events();
	return 0;
}
