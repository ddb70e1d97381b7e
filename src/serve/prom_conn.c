// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Per-connection Prometheus series: opt-in, the busiest N by bytes, monotonic counters. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "serve/prom_conn.h"
#include "serve/prom_int.h"
#include "serve/series.h"

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

enum { CL_COMM, CL_PROTO, CL_LADDR, CL_LPORT, CL_RADDR, CL_RPORT, NLABELS };
static const char *const label_names[NLABELS] = {"comm",  "proto", "laddr",
						 "lport", "raddr", "rport"};
#define ALL_LABELS ((1u << NLABELS) - 1)

/* An open connection and what it contributes to its series. */
struct ctrack {
	const struct conn *c; /* (borrowed) in prom_conns.last */
	struct series *s;     /* NULL: filtered out */
	double base[CM_NUM];
	double last[CM_NUM];
};

struct prom_conns {
	struct prom_conns_opts o;
	struct series_table t; /* values: CM_* */
	struct ctrack *trk;
	size_t ntrk;
	struct snapshot *last; /* (owned reference) trk points into it */
};

struct prom_conns *prom_conns_new(const struct prom_conns_opts *o)
{
	static const char other_key[] = "other\0\0\0\0\0";
	struct prom_conns *pc = calloc(1, sizeof(*pc));

	if (!pc)
		return NULL;
	pc->o = *o;
	if (!pc->o.max_series)
		pc->o.max_series = 10000;
	if (series_table_init(&pc->t, CM_NUM, NLABELS, pc->o.max_series, other_key,
			      sizeof(other_key) - 1)) {
		free(pc);
		return NULL;
	}
	return pc;
}

void prom_conns_free(struct prom_conns *pc)
{
	if (!pc)
		return;
	series_table_fini(&pc->t);
	free(pc->trk);
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

/* A member leaves its series: what it counted there stays. */
static void retire(const struct prom_conns *pc, const struct ctrack *t)
{
	if (t->s)
		series_retire(&pc->t, t->s, t->last, t->base);
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
	struct series *s = NULL;
	const double *base;
	char key[256];

	/*
	 * Most rows keep their labels: formatting them is most of the cost. A
	 * member of "other" looks again once the table has room.
	 */
	if (old && old->s && (old->s != pc->t.other || pc->t.nseries >= pc->o.max_series) &&
	    !pc->o.match && same_labels(c, old->c)) {
		s = old->s;
	} else if (!pc->o.match || pc->o.match(c, c->owner, pc->o.match_ctx)) {
		s = series_table_get(&pc->t, key, conn_labels(c, key, sizeof(key)));
		if (!s)
			return -ENOMEM;
	}
	/* The model's counters are cumulative; this keeps the export so regardless. */
	for (int k = 0; old && k < CM_NUM; k++) {
		if (cur[k] < old->last[k])
			cur[k] = old->last[k];
	}
	if (old && old->s != s) {
		retire(pc, old);
		base = old->last; /* counted in the old series, or filtered out */
	} else {
		base = old ? old->base : NULL;
	}
	if (s)
		series_add(&pc->t, s, cur, base, closed,
			   (double)(c->delta.tx_bytes + c->delta.rx_bytes));
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

static int shown_cmp(const void *pa, const void *pb)
{
	const struct series *a = *(const struct series *const *)pa;
	const struct series *b = *(const struct series *const *)pb;
	int c;

	for (int i = 0; i < NLABELS; i++) {
		/* Ports as numbers, so the output reads in order. */
		if (i == CL_LPORT || i == CL_RPORT) {
			long x = strtol(a->label[i], NULL, 10), y = strtol(b->label[i], NULL, 10);

			if (x != y)
				return x < y ? -1 : 1;
		}
		if ((c = strcmp(a->label[i], b->label[i])))
			return c;
	}
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
	series_table_begin(&pc->t);
	/* Both lists are in the model's key order: one merge pass. */
	while (!err && (i < snap->nconns || j < nold)) {
		const struct conn *c = i < snap->nconns ? &snap->conns[snap->conn_by_key[i]] : NULL;
		const struct ctrack *t = j < nold ? &old[j] : NULL;
		int cmp = !c ? 1 : !t ? -1 : conn_key_cmp(c, t->c);

		if (cmp > 0) {
			retire(pc, t); /* gone without a closed row */
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
	/* Idle and never exported: nobody has seen it, and its bytes are in "other". */
	err = series_table_expire(&pc->t, snap->mono_ns, pc->o.idle_ttl_ns, true);
	return err ? err : series_table_fold(&pc->t, pc->o.top, shown_cmp);
}

void prom_conns_stats(const struct prom_conns *pc, struct prom_conns_stats *st)
{
	const struct series_counts *c = &pc->t.counts;

	st->tracked = c->tracked;
	st->exported = c->exported;
	st->folded_series = c->folded_live;
	st->folded_connections = c->folded_members;
}

int prom_conns_render(const struct prom_conns *pc, enum prom_format f, struct buf *b)
{
	const struct series *o = pc->t.other;
	int err = 0;

	if (!pc->last || !(pc->last->avail & NEED_CONN))
		return 0;
	for (int k = 0; !err && k < CM_NUM; k++) {
		err = prom_family(b, f, cmetrics[k].name, "counter", cmetrics[k].help);
		for (size_t i = 0; !err && i < pc->t.nshown; i++) {
			const struct series *s = pc->t.shown[i];

			if (cmetrics[k].tcp_only && strcmp(s->label[CL_PROTO], "tcp"))
				continue;
			err = prom_sample(b, cmetrics[k].name, s, label_names, ALL_LABELS,
					  s->acc[k] + s->live[k] - s->folded[k]);
		}
		if (!err)
			err = prom_sample(b, cmetrics[k].name, o, label_names, ALL_LABELS,
					  o->acc[k] + o->live[k] + pc->t.other_fold[k]);
	}
	if (!err)
		err = prom_single(b, f, "ebtop_metrics_connection_tracked_series", "gauge",
				  "connection series held by the exporter",
				  (double)pc->t.counts.tracked);
	if (!err)
		err = prom_single(b, f, "ebtop_metrics_connection_folded_series", "gauge",
				  "open connection series folded into comm=\"other\" (beyond "
				  "--metrics-connections-top)",
				  (double)pc->t.counts.folded_live);
	if (!err)
		err =
		    prom_single(b, f, "ebtop_metrics_folded_connections", "gauge",
				"open connections counted in the comm=\"other\" connection series",
				(double)pc->t.counts.folded_members);
	return err;
}
