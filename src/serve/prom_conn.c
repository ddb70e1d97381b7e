// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Per-connection Prometheus series: opt-in, the busiest N by bytes, monotonic counters. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "serve/prom_conn.h"
#include "serve/prom_int.h"

/*
 * The process exporter's rules, applied to connections.
 *
 * A series is a label set: comm (the owning process's name), proto, laddr,
 * lport, raddr, rport. Its members are the snapshot's connection rows with
 * those labels; a member is identified as the model identifies a connection
 * (the socket cookie, plus pid and remote for UDP peer rows and shared
 * sockets), never by its labels. A series' value is
 *   acc (what members that closed or changed labels counted) +
 *   what its open members counted since they joined,
 * so a connection that closes and a new one on the same 4-tuple from the
 * same program make one continuing series: its rate is that 4-tuple's
 * traffic and the counter never goes backwards. A new socket's counters
 * start at zero, so treating it as a new series would be a counter reset
 * with the same labels, which Prometheus cannot tell from a restart; adding
 * the cookie as a label would avoid that but make every connection a series
 * even where the ports do not (a client reconnecting from a fixed port).
 *
 * Only the top N series by bytes over the interval (sent and received) are
 * exported; the others' increments go to one comm="other" series and are
 * remembered so that a series exported again resumes where it was. A series
 * whose connections have all closed stays exported (with its final counters)
 * for idle_ttl_ns if it was ever exported, and is dropped at once if it was
 * not: nobody has seen it, and its bytes are in "other".
 */

enum { CM_TX, CM_RX, CM_RETRANS, CM_NUM };

static const struct {
	const char *name;
	const char *help;
	bool tcp_only;
} cmetrics[CM_NUM] = {
    [CM_TX] = {"ebtop_connection_transmit_bytes_total",
	       "bytes sent on the connections with these labels (opt-in: --metrics-connections)",
	       false},
    [CM_RX] = {"ebtop_connection_receive_bytes_total",
	       "bytes received on the connections with these labels", false},
    [CM_RETRANS] = {"ebtop_connection_retransmits_total",
		    "TCP segments retransmitted on the connections with these labels", true},
};

#define NLABELS 6
static const char *const label_names[NLABELS] = {"comm",  "proto", "laddr",
						 "lport", "raddr", "rport"};

struct cseries {
	char *key; /* label values joined by NUL bytes */
	size_t keylen;
	uint64_t hash;
	const char *label[NLABELS]; /* point into key */
	bool tcp;
	bool touched;	    /* a member closed or left this interval */
	bool exported;	    /* exported one by one this interval */
	bool ever_exported; /* a scrape may have seen it */
	uint32_t members;   /* open connections this interval */
	uint64_t idle_since;
	double score; /* bytes over the interval */
	double acc[CM_NUM];
	double live[CM_NUM];
	double prev[CM_NUM];
	double folded[CM_NUM];
};

/* An open connection and what it contributes to its series. */
struct ctrack {
	const struct conn *c; /* (borrowed) in prom_conns.last */
	struct cseries *s;    /* NULL: filtered out */
	double base[CM_NUM];
	double last[CM_NUM];
};

struct prom_conns {
	struct prom_conns_opts o;
	struct cseries **series;
	size_t nseries, series_cap;
	struct cseries **index; /* open addressing by hash */
	size_t index_cap;
	struct cseries *other;
	double other_fold[CM_NUM];
	struct ctrack *trk;
	size_t ntrk;
	struct cseries **shown; /* exported series, sorted by labels */
	size_t nshown;
	struct prom_conns_stats st;
	struct snapshot *last; /* (owned reference) trk points into it */
};

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static struct cseries *series_alloc(const char *key, size_t keylen)
{
	struct cseries *s = calloc(1, sizeof(*s));
	const char *p;

	if (!s)
		return NULL;
	/* NUL padding: a truncated key still parses into every label. */
	s->key = calloc(1, keylen + NLABELS);
	if (!s->key) {
		free(s);
		return NULL;
	}
	memcpy(s->key, key, keylen);
	s->keylen = keylen;
	s->hash = fnv1a(key, keylen);
	p = s->key;
	for (int i = 0; i < NLABELS; i++) {
		s->label[i] = p;
		p += strlen(p) + 1;
	}
	s->tcp = !strcmp(s->label[1], "tcp");
	return s;
}

static void series_free(struct cseries *s)
{
	if (s)
		free(s->key);
	free(s);
}

static int index_rebuild(struct prom_conns *pc)
{
	size_t cap = 64;
	struct cseries **idx;

	while (cap < pc->nseries * 2)
		cap *= 2;
	idx = calloc(cap, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < pc->nseries; i++) {
		size_t h = pc->series[i]->hash & (cap - 1);

		while (idx[h])
			h = (h + 1) & (cap - 1);
		idx[h] = pc->series[i];
	}
	free(pc->index);
	pc->index = idx;
	pc->index_cap = cap;
	return 0;
}

struct prom_conns *prom_conns_new(const struct prom_conns_opts *o)
{
	static const char other_key[] = "other\0\0\0\0\0";
	struct prom_conns *pc = calloc(1, sizeof(*pc));

	if (!pc)
		return NULL;
	pc->o = *o;
	if (!pc->o.max_series)
		pc->o.max_series = 10000;
	pc->other = series_alloc(other_key, sizeof(other_key) - 1);
	if (!pc->other || index_rebuild(pc)) {
		prom_conns_free(pc);
		return NULL;
	}
	pc->other->tcp = true; /* it holds every kind */
	return pc;
}

void prom_conns_free(struct prom_conns *pc)
{
	if (!pc)
		return;
	for (size_t i = 0; i < pc->nseries; i++)
		series_free(pc->series[i]);
	series_free(pc->other);
	free(pc->series);
	free(pc->index);
	free(pc->trk);
	free(pc->shown);
	snapshot_put(pc->last);
	free(pc);
}

static const char *label_comm(const struct conn *c)
{
	return c->owner ? c->owner->comm : c->comm;
}

/* Whether two rows of one connection have the same labels (without formatting them). */
static bool same_labels(const struct conn *a, const struct conn *b)
{
	return a->proto == b->proto && a->family == b->family && a->lport == b->lport &&
	       a->rport == b->rport &&
	       (a->flags & EBTOP_CONN_F_OTHER) == (b->flags & EBTOP_CONN_F_OTHER) &&
	       !memcmp(a->laddr, b->laddr, sizeof(a->laddr)) &&
	       !memcmp(a->raddr, b->raddr, sizeof(a->raddr)) &&
	       !strncmp(label_comm(a), label_comm(b), sizeof(a->comm));
}

/* The labels of a connection joined by NUL bytes; returns the length with the last NUL. */
static size_t conn_labels(const struct conn *c, char *key, size_t len)
{
	char la[64], ra[64], rp[8] = "";
	const char *comm = label_comm(c);
	int n;

	conn_str(c, CF_LADDR, la, sizeof(la));
	conn_str(c, CF_RADDR, ra, sizeof(ra));
	if (!(c->flags & EBTOP_CONN_F_OTHER))
		snprintf(rp, sizeof(rp), "%u", c->rport);
	n = snprintf(key, len, "%.16s%c%s%c%s%c%u%c%s%c%s", comm, 0,
		     c->proto == IPPROTO_TCP   ? "tcp"
		     : c->proto == IPPROTO_UDP ? "udp"
					       : "ip",
		     0, la, 0, c->lport, 0, ra, 0, rp);
	if (n < 0)
		return 0;
	return (size_t)n < len ? (size_t)n + 1 : len;
}

static struct cseries *series_find(struct prom_conns *pc, const char *key, size_t keylen,
				   uint64_t hash)
{
	for (size_t h = hash & (pc->index_cap - 1); pc->index[h];
	     h = (h + 1) & (pc->index_cap - 1)) {
		struct cseries *s = pc->index[h];

		if (s->hash == hash && s->keylen == keylen && !memcmp(s->key, key, keylen))
			return s;
	}
	return NULL;
}

/* The series of a label set, created when new; "other" once the table is full. */
static struct cseries *series_get(struct prom_conns *pc, const char *key, size_t keylen)
{
	uint64_t hash = fnv1a(key, keylen);
	struct cseries *s = series_find(pc, key, keylen, hash);

	if (s)
		return s;
	if (pc->nseries >= pc->o.max_series)
		return pc->other;
	if (pc->nseries == pc->series_cap) {
		size_t cap = pc->series_cap ? pc->series_cap * 2 : 64;
		struct cseries **p = realloc(pc->series, cap * sizeof(*p));

		if (!p)
			return NULL;
		pc->series = p;
		pc->series_cap = cap;
	}
	s = series_alloc(key, keylen);
	if (!s)
		return NULL;
	pc->series[pc->nseries++] = s;
	if (pc->nseries * 2 > pc->index_cap) {
		if (index_rebuild(pc)) {
			series_free(pc->series[--pc->nseries]);
			return NULL;
		}
	} else {
		size_t h = hash & (pc->index_cap - 1);

		while (pc->index[h])
			h = (h + 1) & (pc->index_cap - 1);
		pc->index[h] = s;
	}
	return s;
}

/* A member leaves its series: what it counted there stays. */
static void retire(const struct ctrack *t)
{
	if (!t->s)
		return;
	for (int k = 0; k < CM_NUM; k++)
		t->s->acc[k] += t->last[k] - t->base[k];
	t->s->touched = true;
}

/* One connection row of the new snapshot, with its tracker from the previous one (or NULL). */
static int account(struct prom_conns *pc, const struct conn *c, const struct ctrack *old)
{
	bool closed = (c->flags & EBTOP_CONN_F_CLOSED) != 0;
	double cur[CM_NUM] = {
	    [CM_TX] = (double)c->tot.tx_bytes,
	    [CM_RX] = (double)c->tot.rx_bytes,
	    [CM_RETRANS] = c->proto == IPPROTO_TCP ? (double)c->tot.retrans : 0,
	};
	struct cseries *s = NULL;
	const double *base;
	char key[256];

	/*
	 * Most rows keep their labels: formatting them is most of the cost. A
	 * member of "other" looks again once the table has room.
	 */
	if (old && old->s && (old->s != pc->other || pc->nseries >= pc->o.max_series) &&
	    !pc->o.match && same_labels(c, old->c)) {
		s = old->s;
	} else if (!pc->o.match || pc->o.match(c, c->owner, pc->o.match_ctx)) {
		s = series_get(pc, key, conn_labels(c, key, sizeof(key)));
		if (!s)
			return -ENOMEM;
	}
	/* The model's counters are cumulative; this keeps the export so regardless. */
	for (int k = 0; old && k < CM_NUM; k++) {
		if (cur[k] < old->last[k])
			cur[k] = old->last[k];
	}
	if (old && old->s != s) {
		retire(old);
		base = old->last; /* counted in the old series, or filtered out */
	} else {
		base = old ? old->base : NULL;
	}
	if (s) {
		for (int k = 0; k < CM_NUM; k++) {
			double d = cur[k] - (base ? base[k] : 0);

			if (closed)
				s->acc[k] += d;
			else
				s->live[k] += d;
		}
		s->score += (double)(c->delta.tx_bytes + c->delta.rx_bytes);
		if (closed)
			s->touched = true;
		else
			s->members++;
	}
	if (!closed) {
		struct ctrack *t = &pc->trk[pc->ntrk++];

		t->c = c;
		t->s = s;
		for (int k = 0; k < CM_NUM; k++) {
			t->base[k] = base ? base[k] : 0;
			t->last[k] = cur[k];
		}
	}
	return 0;
}

/* Drops series that nobody needs: idle and never exported, or idle past the TTL. */
static int expire(struct prom_conns *pc, uint64_t now)
{
	size_t w = 0;

	for (size_t i = 0; i < pc->nseries; i++) {
		struct cseries *s = pc->series[i];

		if (s->members || s->touched)
			s->idle_since = 0;
		else if (!s->idle_since)
			s->idle_since = now ? now : 1;
		if (s->idle_since &&
		    (!s->ever_exported || now - s->idle_since >= pc->o.idle_ttl_ns))
			series_free(s);
		else
			pc->series[w++] = s;
	}
	if (w == pc->nseries)
		return 0;
	pc->nseries = w;
	return index_rebuild(pc);
}

struct rank {
	struct cseries *s;
	double eff;
};

/* Most bytes first; an exported series keeps its place over an equal challenger. */
static int rank_cmp(const void *pa, const void *pb)
{
	const struct rank *a = pa, *b = pb;
	size_t n;
	int c;

	if (a->eff != b->eff)
		return a->eff > b->eff ? -1 : 1;
	if (a->s->exported != b->s->exported)
		return a->s->exported ? -1 : 1;
	n = a->s->keylen < b->s->keylen ? a->s->keylen : b->s->keylen;
	c = memcmp(a->s->key, b->s->key, n);
	return c ? c : (a->s->keylen > b->s->keylen) - (a->s->keylen < b->s->keylen);
}

static int shown_cmp(const void *pa, const void *pb)
{
	const struct cseries *a = *(const struct cseries *const *)pa;
	const struct cseries *b = *(const struct cseries *const *)pb;
	int c;

	for (int i = 0; i < NLABELS; i++) {
		/* Ports as numbers, so the output reads in order. */
		if (i == 3 || i == 5) {
			long x = strtol(a->label[i], NULL, 10), y = strtol(b->label[i], NULL, 10);

			if (x != y)
				return x < y ? -1 : 1;
		}
		if ((c = strcmp(a->label[i], b->label[i])))
			return c;
	}
	return 0;
}

/* Chooses the exported series and credits the others' increments to "other". */
static int fold(struct prom_conns *pc)
{
	size_t top = pc->o.top < pc->nseries ? pc->o.top : pc->nseries, n = 0;
	struct rank *rk = calloc(pc->nseries ? pc->nseries : 1, sizeof(*rk));
	struct cseries **shown = realloc(pc->shown, (top + 1) * sizeof(*shown));

	if (!rk || !shown) {
		free(rk);
		if (shown)
			pc->shown = shown;
		return -ENOMEM;
	}
	pc->shown = shown;
	for (size_t i = 0; i < pc->nseries; i++) {
		struct cseries *s = pc->series[i];

		/* Hysteresis: a challenger must beat an exported series by a quarter. */
		rk[i].s = s;
		rk[i].eff = s->exported ? s->score * 1.25 : s->score;
	}
	qsort(rk, pc->nseries, sizeof(*rk), rank_cmp);
	memset(&pc->st, 0, sizeof(pc->st));
	pc->st.tracked = pc->nseries;
	for (size_t i = 0; i < pc->nseries; i++) {
		struct cseries *s = rk[i].s;

		s->exported = i < top;
		for (int k = 0; k < CM_NUM; k++) {
			double val = s->acc[k] + s->live[k], d = val - s->prev[k];

			if (d < 0)
				d = 0;
			if (!s->exported) {
				s->folded[k] += d;
				pc->other_fold[k] += d;
			}
			s->prev[k] = val;
		}
		if (s->exported) {
			s->ever_exported = true;
			shown[n++] = s;
		} else if (s->members) {
			pc->st.folded_series++;
			pc->st.folded_connections += s->members;
		}
	}
	pc->st.exported = n;
	pc->st.folded_connections += pc->other->members;
	pc->nshown = n;
	qsort(shown, n, sizeof(*shown), shown_cmp);
	free(rk);
	return 0;
}

int prom_conns_update(struct prom_conns *pc, const struct snapshot *snap)
{
	const struct ctrack *old = pc->trk;
	size_t nold = pc->ntrk, i = 0, j = 0;
	int err = 0;

	pc->trk = calloc(snap->nconns ? snap->nconns : 1, sizeof(*pc->trk));
	pc->ntrk = 0;
	if (!pc->trk) {
		pc->trk = (struct ctrack *)old;
		pc->ntrk = nold;
		return -ENOMEM;
	}
	for (size_t k = 0; k < pc->nseries; k++) {
		struct cseries *s = pc->series[k];

		s->members = 0;
		s->touched = false;
		s->score = 0;
		memset(s->live, 0, sizeof(s->live));
	}
	pc->other->members = 0;
	memset(pc->other->live, 0, sizeof(pc->other->live));
	/* Both lists are in the model's key order: one merge pass. */
	while (!err && (i < snap->nconns || j < nold)) {
		const struct conn *c = i < snap->nconns ? &snap->conns[snap->conn_by_key[i]] : NULL;
		const struct ctrack *t = j < nold ? &old[j] : NULL;
		int cmp = !c ? 1 : !t ? -1 : conn_key_cmp(c, t->c);

		if (cmp > 0) {
			retire(t); /* gone without a closed row */
			j++;
		} else {
			err = account(pc, c, cmp == 0 ? t : NULL);
			i++;
			j += cmp == 0;
		}
	}
	/*
	 * Out of memory mid-walk: the trackers not reached are dropped without
	 * retiring, so their series miss one interval's attribution but never
	 * go backwards (acc only grows).
	 */
	free((void *)old);
	snapshot_put(pc->last);
	pc->last = snapshot_get((struct snapshot *)snap);
	if (err)
		return err;
	err = expire(pc, snap->mono_ns);
	return err ? err : fold(pc);
}

void prom_conns_stats(const struct prom_conns *pc, struct prom_conns_stats *st)
{
	*st = pc->st;
}

static int sample(struct buf *b, const char *name, const struct cseries *s, double v)
{
	char num[32];
	bool first = true;
	int err = buf_puts(b, name);

	for (int i = 0; !err && i < NLABELS; i++) {
		if (!s->label[i][0])
			continue; /* an empty label is the same as none */
		err = buf_printf(b, "%s%s=\"", first ? "{" : ",", label_names[i]);
		if (!err)
			err = prom_escape(b, s->label[i], true);
		if (!err)
			err = buf_puts(b, "\"");
		first = false;
	}
	if (!err && !first)
		err = buf_puts(b, "}");
	prom_fmt_double(num, sizeof(num), v);
	return err ? err : buf_printf(b, " %s\n", num);
}

static int gauge(struct buf *b, enum prom_format f, const char *name, const char *help, double v)
{
	char num[32];
	int err = prom_family(b, f, name, "gauge", help);

	prom_fmt_double(num, sizeof(num), v);
	return err ? err : buf_printf(b, "%s %s\n", name, num);
}

int prom_conns_render(const struct prom_conns *pc, enum prom_format f, struct buf *b)
{
	const struct cseries *o = pc->other;
	int err = 0;

	if (!pc->last || !(pc->last->avail & NEED_CONN))
		return 0;
	for (int k = 0; !err && k < CM_NUM; k++) {
		err = prom_family(b, f, cmetrics[k].name, "counter", cmetrics[k].help);
		for (size_t i = 0; !err && i < pc->nshown; i++) {
			const struct cseries *s = pc->shown[i];

			if (cmetrics[k].tcp_only && !s->tcp)
				continue;
			err = sample(b, cmetrics[k].name, s, s->acc[k] + s->live[k] - s->folded[k]);
		}
		if (!err)
			err = sample(b, cmetrics[k].name, o,
				     o->acc[k] + o->live[k] + pc->other_fold[k]);
	}
	if (!err)
		err = gauge(b, f, "ebtop_metrics_connection_tracked_series",
			    "connection series held by the exporter", (double)pc->st.tracked);
	if (!err)
		err = gauge(b, f, "ebtop_metrics_connection_folded_series",
			    "open connection series folded into comm=\"other\" (beyond "
			    "--metrics-connections-top)",
			    (double)pc->st.folded_series);
	if (!err)
		err = gauge(b, f, "ebtop_metrics_folded_connections",
			    "open connections counted in the comm=\"other\" connection series",
			    (double)pc->st.folded_connections);
	return err;
}
