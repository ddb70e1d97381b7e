// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Connection rows: from kernel records to snapshot rows with rates, linked to their processes. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "model/model.h"
#include "core/testable.h"

#define CSTR (FIELD_LEFT)
#define CID  (FIELD_ASC)

const struct field_desc conn_fields[CF_NUM] = {
    [CF_PID] = {"pid", "PID", "owner process (unknown until it first uses an accepted socket)",
		FT_NUM, UNIT_NONE, 7, CID, NEED_CONN},
    [CF_TID] = {"tid", "TID", "owner thread that last sent or received", FT_NUM, UNIT_NONE, 7, CID,
		NEED_CONN},
    [CF_COMM] = {"name", "NAME", "owner thread's name", FT_STR, UNIT_NONE, 15, CID | CSTR,
		 NEED_CONN},
    [CF_PROTO] = {"proto", "PROTO", "tcp or udp", FT_STR, UNIT_NONE, 5, CID | CSTR, NEED_CONN},
    [CF_LADDR] = {"laddr", "LADDR", "local address", FT_STR, UNIT_NONE, 15, CID | CSTR, NEED_CONN},
    [CF_LPORT] = {"lport", "LPORT", "local port", FT_NUM, UNIT_NONE, 5, CID, NEED_CONN},
    [CF_RADDR] = {"raddr", "RADDR", "remote address (* for a UDP socket's other peers)", FT_STR,
		  UNIT_NONE, 15, CID | CSTR, NEED_CONN},
    [CF_RPORT] = {"rport", "RPORT", "remote port", FT_NUM, UNIT_NONE, 5, CID, NEED_CONN},
    [CF_STATE] = {"state", "STATE", "TCP state as ss names it; UDP ESTAB (connected) or UNCONN",
		  FT_STR, UNIT_NONE, 10, CID | CSTR, NEED_CONN},
    [CF_TX_RATE] = {"tx", "TX/s", "bytes sent per second", FT_NUM, UNIT_BYTES_RATE, 9, 0,
		    NEED_CONN},
    [CF_RX_RATE] = {"rx", "RX/s", "bytes received per second", FT_NUM, UNIT_BYTES_RATE, 9, 0,
		    NEED_CONN},
    [CF_TX_TOTAL] = {"tx_total", "TX", "bytes sent since the connection opened or ebtop started",
		     FT_NUM, UNIT_BYTES, 9, 0, NEED_CONN},
    [CF_RX_TOTAL] = {"rx_total", "RX", "bytes received since opened or ebtop started", FT_NUM,
		     UNIT_BYTES, 9, 0, NEED_CONN},
    [CF_RETRANS] = {"retrans", "RETR", "TCP segments retransmitted since the socket opened", FT_NUM,
		    UNIT_COUNT, 6, 0, NEED_CONN},
    [CF_RETX_PCT] = {"retx", "RETX%", "retransmitted segments, % of segments sent in the interval",
		     FT_NUM, UNIT_PERCENT, 6, 0, NEED_CONN},
    [CF_SRTT] = {"srtt", "SRTT", "smoothed round-trip time (ns in JSON)", FT_NUM, UNIT_NS, 8, 0,
		 NEED_CONN},
    [CF_AGE] = {"age", "AGE", "time since opened; duration once closed (ns in JSON)", FT_NUM,
		UNIT_NS, 8, 0, NEED_CONN},
    [CF_ERR] = {"err", "ERR", "how it failed: refused, reset, timeout, ...", FT_STR, UNIT_NONE, 8,
		CID | CSTR, NEED_CONN},
    [CF_LOCAL] = {"local", "LOCAL", "local address:port", FT_STR, UNIT_NONE, 21, CID | CSTR,
		  NEED_CONN},
    [CF_REMOTE] = {"remote", "REMOTE", "remote address:port", FT_STR, UNIT_NONE, 21, CID | CSTR,
		   NEED_CONN},
};

int conn_field_lookup(const char *name)
{
	if (!strncasecmp(name, "conn.", 5))
		name += 5;
	for (int i = 0; i < CF_NUM; i++) {
		if (!strcasecmp(name, conn_fields[i].name) ||
		    !strcasecmp(name, conn_fields[i].title))
			return i;
	}
	return -1;
}

const char *conn_state_name(uint8_t proto, uint8_t state, uint32_t flags)
{
	static const char *const tcp[] = {
	    [1] = "ESTAB",	[2] = "SYN-SENT",  [3] = "SYN-RECV", [4] = "FIN-WAIT-1",
	    [5] = "FIN-WAIT-2", [6] = "TIME-WAIT", [7] = "CLOSE",    [8] = "CLOSE-WAIT",
	    [9] = "LAST-ACK",	[10] = "LISTEN",   [11] = "CLOSING", [12] = "NEW-SYN-RECV",
	};

	if (flags & EBTOP_CONN_F_CLOSED)
		return "CLOSED";
	if (proto == IPPROTO_UDP)
		return state == 1 ? "ESTAB" : "UNCONN";
	if (state < sizeof(tcp) / sizeof(tcp[0]) && tcp[state])
		return tcp[state];
	return "?";
}

const char *conn_err_name(uint8_t err)
{
	switch (err) {
	case 0:
		return NULL;
	case ECONNREFUSED:
		return "refused";
	case ECONNRESET:
	case EPIPE:
		return "reset";
	case ETIMEDOUT:
		return "timeout";
	case EHOSTUNREACH:
	case ENETUNREACH:
		return "unreachable";
	case ECONNABORTED:
		return "aborted";
	default:
		return "error";
	}
}

void conn_addr_text(char *buf, size_t len, uint8_t family, const uint8_t *addr, int port)
{
	char a[INET6_ADDRSTRLEN];

	if (!family) {
		snprintf(buf, len, "*");
		return;
	}
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	if (port < 0)
		snprintf(buf, len, "%s", a);
	else if (family == AF_INET6)
		snprintf(buf, len, "[%s]:%d", a, port);
	else
		snprintf(buf, len, "%s:%d", a, port);
}

static bool other_peers(const struct conn *c)
{
	return (c->flags & EBTOP_CONN_F_OTHER) != 0;
}

const char *conn_str(const struct conn *c, int field, char *buf, size_t len)
{
	switch (field) {
	case CF_COMM:
		return c->comm[0] ? c->comm : NULL;
	case CF_PROTO:
		return c->proto == IPPROTO_TCP ? "tcp" : c->proto == IPPROTO_UDP ? "udp" : "ip";
	case CF_LADDR:
		conn_addr_text(buf, len, c->family, c->laddr, -1);
		return buf;
	case CF_RADDR:
		conn_addr_text(buf, len, other_peers(c) ? 0 : c->family, c->raddr, -1);
		return buf;
	case CF_LOCAL:
		conn_addr_text(buf, len, c->family, c->laddr, c->lport);
		return buf;
	case CF_REMOTE:
		if (other_peers(c)) {
			snprintf(buf, len, "* (other peers)");
			return buf;
		}
		conn_addr_text(buf, len, c->family, c->raddr, c->rport);
		return buf;
	case CF_STATE:
		return conn_state_name(c->proto, c->state, c->flags);
	case CF_ERR:
		return conn_err_name(c->err);
	default:
		return NULL;
	}
}

const struct conn *row_conns(const struct snapshot *s, const struct row *r, size_t *n)
{
	*n = 0;
	if (!s->conns || (r->flags & ROW_THREAD) || !r->conn.count)
		return NULL;
	*n = r->conn.count;
	return &s->conns[r->conn.first];
}

static int u64_cmp(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b ? 1 : 0;
}

/*
 * A TCP socket is one row whoever owns it (the owner becomes known later for
 * accepted sockets); peer rows are one per (socket, process, remote).
 */
int conn_key_cmp(const struct conn *a, const struct conn *b)
{
	uint32_t pa = a->flags & (EBTOP_CONN_F_SHARED | EBTOP_CONN_F_OTHER);
	uint32_t pb = b->flags & (EBTOP_CONN_F_SHARED | EBTOP_CONN_F_OTHER);
	bool rowa = a->proto == IPPROTO_UDP || pa, rowb = b->proto == IPPROTO_UDP || pb;
	int c = u64_cmp(a->cookie, b->cookie);

	if (c)
		return c;
	if (rowa != rowb)
		return rowa ? 1 : -1;
	if (!rowa)
		return 0;
	if (pa != pb)
		return pa < pb ? -1 : 1;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->rport != b->rport)
		return a->rport < b->rport ? -1 : 1;
	return memcmp(a->raddr, b->raddr, sizeof(a->raddr));
}

/* snapshot.conns order: by owner, so a process's connections are one range. */
static int conn_owner_cmp(const void *pa, const void *pb)
{
	const struct conn *a = pa, *b = pb;
	int c;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	c = u64_cmp(a->pstart_ns, b->pstart_ns);
	if (c)
		return c;
	c = conn_key_cmp(a, b);
	if (c)
		return c;
	/* The closed record of a connection sorts first: it wins over a live one. */
	return (int)(b->flags & EBTOP_CONN_F_CLOSED) - (int)(a->flags & EBTOP_CONN_F_CLOSED);
}

static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* ::ffff:a.b.c.d is a.b.c.d: one address, one text, whatever socket family carried it. */
TESTABLE void conn_unmap(struct conn *c)
{
	if (c->family != AF_INET6 || memcmp(c->laddr, v4mapped, 12) ||
	    (memcmp(c->raddr, v4mapped, 12) && memcmp(c->raddr, (uint8_t[16]){0}, 16)))
		return;
	c->family = AF_INET;
	memmove(c->laddr, c->laddr + 12, 4);
	memset(c->laddr + 4, 0, 12);
	memmove(c->raddr, c->raddr + 12, 4);
	memset(c->raddr + 4, 0, 12);
}

void conn_from_rec(struct conn *c, const struct ebtop_conn_rec *r)
{
	memset(c, 0, sizeof(*c));
	c->cookie = r->cookie;
	c->pid = r->tgid;
	c->tid = r->tid;
	c->pstart_ns = r->tgid ? r->pstart_ns : 0;
	c->open_ns = r->open_ns;
	c->ts_ns = r->ts_ns;
	c->flags = r->flags;
	if (r->kind == EBTOP_CONN_FINAL)
		c->flags |= EBTOP_CONN_F_CLOSED;
	c->family = r->family;
	c->proto = r->proto;
	c->state = r->state;
	c->err = r->err;
	c->lport = r->lport;
	c->rport = r->rport;
	c->srtt_us = r->srtt_us;
	c->rst_in = r->rst_in;
	c->rst_out = r->rst_out;
	memcpy(c->laddr, r->laddr, sizeof(c->laddr));
	memcpy(c->raddr, r->raddr, sizeof(c->raddr));
	memcpy(c->comm, r->comm, sizeof(c->comm));
	c->comm[sizeof(c->comm) - 1] = '\0';
	c->tot.tx_bytes = r->tx_bytes;
	c->tot.rx_bytes = r->rx_bytes;
	c->tot.tx_calls = r->tx_calls;
	c->tot.rx_calls = r->rx_calls;
	c->tot.retrans = r->retrans;
	c->tot.segs_out = r->segs_out;
	c->tot.segs_in = r->segs_in;
	conn_unmap(c);
}

static const struct conn *find_key(const struct snapshot *s, const struct conn *key)
{
	size_t lo = 0, hi = s ? s->nconns : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct conn *c = &s->conns[s->conn_by_key[mid]];
		int r = conn_key_cmp(c, key);

		if (r == 0)
			return c;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void counters_delta(struct conn_counters *d, const struct conn_counters *cur,
			   const struct conn_counters *prev)
{
	const uint64_t *c = (const uint64_t *)cur, *p = (const uint64_t *)prev;
	uint64_t *o = (uint64_t *)d;

	for (size_t i = 0; i < CONN_COUNTER_WORDS; i++)
		o[i] = c[i] > p[i] ? c[i] - p[i] : 0;
}

TESTABLE void conn_fill(struct conn *c, double dt)
{
	double *v = c->v;

	for (int i = 0; i < CF_NUM; i++)
		v[i] = NAN;
	v[CF_PID] = c->pid ? c->pid : NAN;
	v[CF_TID] = c->tid ? c->tid : NAN;
	v[CF_LPORT] = c->lport;
	v[CF_RPORT] = (c->flags & EBTOP_CONN_F_OTHER) ? NAN : c->rport;
	v[CF_TX_RATE] = (double)c->delta.tx_bytes / dt;
	v[CF_RX_RATE] = (double)c->delta.rx_bytes / dt;
	v[CF_TX_TOTAL] = (double)c->tot.tx_bytes;
	v[CF_RX_TOTAL] = (double)c->tot.rx_bytes;
	if (c->proto == IPPROTO_TCP) {
		v[CF_RETRANS] = (double)c->tot.retrans;
		v[CF_RETX_PCT] = c->delta.segs_out
				     ? 100.0 * (double)c->delta.retrans / (double)c->delta.segs_out
				     : 0;
		if (c->srtt_us)
			v[CF_SRTT] = (double)c->srtt_us * 1e3;
	}
	if (c->open_ns && c->ts_ns >= c->open_ns)
		v[CF_AGE] = (double)(c->ts_ns - c->open_ns);
}

static int conn_bsearch_cmp(const void *key, const void *elem)
{
	return conn_key_cmp(key, elem);
}

static int idx_key_cmp_r(const void *pa, const void *pb, void *base)
{
	const struct conn *c = base;

	return conn_key_cmp(&c[*(const uint32_t *)pa], &c[*(const uint32_t *)pb]);
}

static uint32_t *key_index(const struct conn *c, size_t n)
{
	uint32_t *idx = malloc((n ? n : 1) * sizeof(*idx));

	if (!idx)
		return NULL;
	for (size_t i = 0; i < n; i++)
		idx[i] = (uint32_t)i;
	qsort_r(idx, n, sizeof(*idx), idx_key_cmp_r, (void *)c);
	return idx;
}

/* A connection that counts as opened: established, owned, seen from its start. */
static bool conn_counts_opened(const struct conn *c)
{
	return c->proto == IPPROTO_TCP && c->pid && (c->flags & EBTOP_CONN_F_ESTAB) &&
	       !(c->flags & (EBTOP_CONN_F_PREEXIST | EBTOP_CONN_F_SHARED));
}

/* What this row adds to its process's opened and failed counts, against its previous self. */
static void conn_sums_add(struct row_conns *rc, const struct conn *c, const struct conn *old)
{
	bool passive = (c->flags & EBTOP_CONN_F_PASSIVE) != 0;

	if (c->proto != IPPROTO_TCP || (c->flags & EBTOP_CONN_F_SHARED))
		return;
	if (conn_counts_opened(c) && !(old && conn_counts_opened(old))) {
		rc->delta.opened++;
		if (passive)
			rc->in++;
		else
			rc->out++;
	}
	/* An error counts once, when the connection first shows it. */
	if (!c->err || (old && old->err && old->pid))
		return;
	if (c->err == ECONNREFUSED)
		rc->delta.refused++;
	else if (c->err == ECONNRESET || c->err == EPIPE)
		rc->delta.reset++;
	else if (c->err == ETIMEDOUT)
		rc->delta.timeout++;
	else
		rc->delta.other++;
}

static const struct row *find_proc(const struct snapshot *s, uint32_t pid, uint64_t start)
{
	size_t lo = 0, hi = s ? s->nprocs : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct row *p = &s->procs[mid];

		if (p->pid < pid || (p->pid == pid && p->start_ns < start))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (s && lo < s->nprocs && s->procs[lo].pid == pid && s->procs[lo].start_ns == start)
		return &s->procs[lo];
	return NULL;
}

void conn_link_rows(struct snapshot *s)
{
	size_t j = 0;

	for (size_t i = 0; i < s->nprocs; i++) {
		struct row *p = &s->procs[i];
		struct row_conns *rc = &p->conn;

		memset(rc, 0, sizeof(*rc));
		while (j < s->nconns &&
		       (s->conns[j].pid < p->pid ||
			(s->conns[j].pid == p->pid && s->conns[j].pstart_ns < p->start_ns)))
			j++;
		rc->first = (uint32_t)j;
		for (; j < s->nconns && s->conns[j].pid == p->pid &&
		       s->conns[j].pstart_ns == p->start_ns;
		     j++) {
			struct conn *c = &s->conns[j];

			c->owner = p;
			rc->count++;
			if (!(c->flags & EBTOP_CONN_F_CLOSED))
				rc->open++;
			if (c->proto == IPPROTO_TCP && !(c->flags & EBTOP_CONN_F_SHARED)) {
				rc->retrans += c->delta.retrans;
				rc->segs_out += c->delta.segs_out;
			}
		}
		rc->rows = rc->count ? &s->conns[rc->first] : NULL;
	}
}

/*
 * Links process rows to their range of conns and sums what the process
 * fields need; cumulative sums carry over from the process's previous row.
 */
static void link_procs(struct snapshot *s, const struct snapshot *prev)
{
	conn_link_rows(s);
	for (size_t i = 0; i < s->nprocs; i++) {
		struct row *p = &s->procs[i];
		struct row_conns *rc = &p->conn;
		const struct row *old = find_proc(prev, p->pid, p->start_ns);

		if (old) {
			rc->tot = old->conn.tot;
			rc->out = old->conn.out;
			rc->in = old->conn.in;
			rc->retrans_tot = old->conn.retrans_tot;
			rc->segs_out_tot = old->conn.segs_out_tot;
		}
		for (uint32_t k = 0; k < rc->count; k++) {
			const struct conn *c = &rc->rows[k];

			conn_sums_add(rc, c, find_key(prev, c));
		}
		rc->retrans_tot += rc->retrans;
		rc->segs_out_tot += rc->segs_out;
		rc->tot.opened += rc->delta.opened;
		rc->tot.refused += rc->delta.refused;
		rc->tot.reset += rc->delta.reset;
		rc->tot.timeout += rc->delta.timeout;
		rc->tot.other += rc->delta.other;
	}
}

int conn_build(struct snapshot *s, const struct snapshot *prev, const struct ebtop_conn_rec *recs,
	       size_t n, double dt)
{
	size_t nprev = prev ? prev->nconns : 0, w = 0, live;
	struct conn *c = calloc(n ? n : 1, sizeof(*c));
	struct conn *kept = malloc((n + nprev + 1) * sizeof(*kept));
	uint32_t *idx = NULL;

	if (!c || !kept)
		goto nomem;
	for (size_t i = 0; i < n; i++)
		conn_from_rec(&c[i], &recs[i]);
	idx = key_index(c, n);
	if (!idx)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		const struct conn *cur = &c[idx[i]], *old;

		/* One row per key: the closed record of a connection beats a live one. */
		if (w > 0 && conn_key_cmp(&kept[w - 1], cur) == 0) {
			if (cur->flags & EBTOP_CONN_F_CLOSED)
				kept[w - 1] = *cur;
			continue;
		}
		/* Closed and shown last interval: a late live record is stale. */
		old = find_key(prev, cur);
		if (old && (old->flags & EBTOP_CONN_F_CLOSED))
			continue;
		kept[w++] = *cur;
	}
	free(c);
	c = NULL;
	free(idx);
	idx = NULL;
	/* Rows of prev that vanished without a final record end here, with their last counters. */
	live = w;
	for (size_t i = 0; i < nprev; i++) {
		const struct conn *old = &prev->conns[i];

		if (old->flags & EBTOP_CONN_F_CLOSED)
			continue;
		if (bsearch(old, kept, live, sizeof(*kept), conn_bsearch_cmp))
			continue;
		kept[w] = *old;
		kept[w].flags |= EBTOP_CONN_F_CLOSED;
		w++;
	}
	for (size_t i = 0; i < w; i++) {
		const struct conn *old = find_key(prev, &kept[i]);

		if (old)
			counters_delta(&kept[i].delta, &kept[i].tot, &old->tot);
		else
			kept[i].delta =
			    kept[i].tot; /* counting began when it opened or ebtop started */
		conn_fill(&kept[i], dt);
	}
	qsort(kept, w, sizeof(*kept), conn_owner_cmp);
	idx = key_index(kept, w);
	if (!idx)
		goto nomem;
	s->conns = kept;
	s->nconns = w;
	s->conn_by_key = idx;
	link_procs(s, prev);
	return 0;
nomem:
	free(c);
	free(kept);
	free(idx);
	return -ENOMEM;
}

void conn_total_add(struct row *total, const struct row *p)
{
	struct row_conns *t = &total->conn;
	const struct row_conns *c = &p->conn;

	t->open += c->open;
	t->retrans += c->retrans;
	t->segs_out += c->segs_out;
	t->delta.opened += c->delta.opened;
	t->delta.refused += c->delta.refused;
	t->delta.reset += c->delta.reset;
	t->delta.timeout += c->delta.timeout;
	t->delta.other += c->delta.other;
}

int conn_events_copy(struct snapshot *s, const struct event *ev, size_t n)
{
	if (!n)
		return 0;
	s->events = malloc(n * sizeof(*ev));
	if (!s->events)
		return -ENOMEM;
	memcpy(s->events, ev, n * sizeof(*ev));
	s->nevents = n;
	return 0;
}

struct conn_sort_ctx {
	int field;
	bool desc;
};

static int conn_ptr_cmp_r(const void *pa, const void *pb, void *arg)
{
	const struct conn *a = *(const struct conn *const *)pa,
			  *b = *(const struct conn *const *)pb;
	const struct conn_sort_ctx *ctx = arg;
	int c = 0;

	if (conn_fields[ctx->field].type == FT_STR) {
		char ba[64], bb[64];
		const char *x = conn_str(a, ctx->field, ba, sizeof(ba));
		const char *y = conn_str(b, ctx->field, bb, sizeof(bb));

		c = strcmp(x ? x : "", y ? y : "");
	} else {
		double x = a->v[ctx->field], y = b->v[ctx->field];

		if (isnan(x) || isnan(y)) {
			if (isnan(x) != isnan(y))
				return isnan(x) - isnan(y);
		} else {
			c = x < y ? -1 : x > y ? 1 : 0;
		}
	}
	if (ctx->desc)
		c = -c;
	if (c == 0)
		c = conn_key_cmp(a, b);
	return c;
}

void conn_ptrs_sort(const struct conn **c, size_t n, int field, bool desc)
{
	struct conn_sort_ctx ctx = {field, desc};

	if (n > 1)
		qsort_r(c, n, sizeof(*c), conn_ptr_cmp_r, &ctx);
}
