// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The Prometheus exporter: bounded, monotonic per-series counters and their text formats. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "serve/prom.h"
#include "serve/prom_int.h"
#include "serve/prom_conn.h"
#include "serve/series.h"
#include "core/clock.h"

/*
 * How counters stay monotonic while processes come and go:
 *
 * A series is a label set (comm, user, cgroup[, pid]). Its value is
 *   acc (final counters of member processes that left) +
 *   sum over live members of (counter - base),
 * where base is what a process had already contributed to another series
 * before it joined this one (after an exec changed its comm, say). A member
 * that ends or changes series moves its contribution into acc, so the sum
 * never drops.
 *
 * Only the top N series are exported one by one; the others are folded into
 * one "other" series. A folded series' increments go to "other" and are
 * remembered in its folded[] so that, exported again later, it resumes at
 * the value it had when it was folded: no series goes backwards and no byte
 * is counted in two series.
 */

/* A series' labels, in key order; PROM_L_* is the same order as bits. */
enum { PL_COMM, PL_USER, PL_CGROUP, PL_PID, PL_NUM };
_Static_assert(PROM_L_COMM == 1u << PL_COMM && PROM_L_USER == 1u << PL_USER &&
		   PROM_L_CGROUP == 1u << PL_CGROUP && PROM_L_PID == 1u << PL_PID,
	       "PROM_L_* bits follow the label order");
static const char *const label_names[PL_NUM] = {"comm", "user", "cgroup", "pid"};

/* A live process and what it contributes to its series. */
struct ptrack {
	uint32_t pid;
	uint64_t start_ns;
	struct series *s; /* NULL: filtered out */
	double *base;	  /* [nm] (in the tracker value block) */
	double *last;	  /* [nm] */
};

/* User names seen on rows with /proc details, for rows without (processes too short to read). */
#define UID_CACHE 64

struct uid_name {
	uint32_t uid;
	char name[33];
};

/* Histogram bounds for disk request latency, seconds (the last bucket is +Inf). */
static const double disk_le[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
				 0.05,	 0.1,	  0.25,	  0.5,	 1,	 2.5,	10};
#define NLE	  (sizeof(disk_le) / sizeof(disk_le[0]))
#define MAX_DISKS 256

/* A disk's counters as the model gives them, and its latency histogram summed over intervals. */
struct pdisk {
	uint32_t dev;
	char name[32];
	uint64_t bytes[2], ios[2];
	uint64_t le[NLE + 1]; /* not cumulative; rendered as Prometheus' cumulative buckets */
	uint64_t count;
	double sum_s;
};

struct prom_exporter {
	struct prom_opts o;
	struct pdisk disks[MAX_DISKS];
	size_t ndisks;
	struct uid_name uids[UID_CACHE];
	size_t nuids;
	int mf[F_NUM]; /* exported fields, in table order */
	size_t nm;
	struct series_table t; /* values: mf[] */
	struct ptrack *trk;
	double *trkv;
	size_t ntrk;
	struct snapshot *last;	  /* (owned reference) */
	struct prom_conns *conns; /* NULL unless per-connection series are on */
};

void prom_opts_default(struct prom_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->labels = PROM_L_COMM | PROM_L_USER | PROM_L_CGROUP;
	o->top = 50;
	o->sort_field = F_NET_RATE;
	o->idle_ttl_ns = 300 * NSEC_PER_SEC; /* Prometheus' default lookback */
	o->max_series = 10000;
	o->conns_top = 100;
}

struct prom_exporter *prom_exporter_new(const struct prom_opts *o)
{
	struct prom_exporter *e = calloc(1, sizeof(*e));
	static const char other_key[] = "other\0\0\0";

	if (!e)
		return NULL;
	e->o = *o;
	for (int f = 0; f < F_NUM; f++) {
		if (fields[f].prom.name && fields[f].prom.type != PROM_NONE &&
		    fields[f].type == FT_NUM)
			e->mf[e->nm++] = f;
	}
	if (series_table_init(&e->t, e->nm, PL_NUM, o->max_series, other_key,
			      sizeof(other_key) - 1)) {
		free(e);
		return NULL;
	}
	for (size_t k = 0; k < e->nm; k++)
		e->t.gauge[k] = fields[e->mf[k]].prom.type != PROM_COUNTER;
	if (o->conns) {
		struct prom_conns_opts co = {
		    .top = o->conns_top,
		    .max_series = o->max_series,
		    .idle_ttl_ns = o->idle_ttl_ns,
		    .match = o->match_conn,
		    .match_ctx = o->match_conn_ctx,
		};

		e->conns = prom_conns_new(&co);
	}
	if (o->conns && !e->conns) {
		prom_exporter_free(e);
		return NULL;
	}
	return e;
}

void prom_exporter_free(struct prom_exporter *e)
{
	if (!e)
		return;
	series_table_fini(&e->t);
	free(e->trk);
	free(e->trkv);
	prom_conns_free(e->conns);
	snapshot_put(e->last);
	free(e);
}

static bool is_counter(const struct prom_exporter *e, size_t k)
{
	return !e->t.gauge[k];
}

static const char *uid_user(struct prom_exporter *e, const struct row *r)
{
	const char *name = row_str(r, F_USER);
	size_t i;

	for (i = 0; i < e->nuids && e->uids[i].uid != r->uid; i++)
		;
	if (name) {
		if (i == e->nuids && i < UID_CACHE)
			e->nuids++;
		if (i < UID_CACHE) {
			e->uids[i].uid = r->uid;
			snprintf(e->uids[i].name, sizeof(e->uids[i].name), "%s", name);
		}
		return name;
	}
	return i < e->nuids ? e->uids[i].name : NULL;
}

/*
 * The labels of a process, joined by NUL bytes; returns the length. A
 * process that ended before its /proc details were read takes its user from
 * its uid and its cgroup from its parent (where it was forked), so that
 * short-lived processes land in the same series as their long-lived peers.
 */
static size_t row_key(struct prom_exporter *e, const struct snapshot *snap, const struct row *r,
		      char *key, size_t len)
{
	const char *user = (e->o.labels & PROM_L_USER) ? uid_user(e, r) : "";
	const char *cg = (e->o.labels & PROM_L_CGROUP) ? row_str(r, F_CGROUP) : "";
	char uid[16] = "", pid[16] = "";
	int n, depth = 0;

	if (!user) {
		snprintf(uid, sizeof(uid), "%u", r->uid);
		user = uid;
	}
	/* Up to a few ancestors: a shell's short-lived subshell forks the short-lived command. */
	for (const struct row *a = r; !cg && !a->info && a != &snap->total;) {
		const struct row *parent = snapshot_find(snap, a->ppid);

		if (!parent || parent == a || ++depth > 8)
			break;
		a = parent;
		cg = row_str(a, F_CGROUP);
	}
	if (e->o.labels & PROM_L_PID)
		snprintf(pid, sizeof(pid), "%u", r->pid);
	/* The start time keeps a reused pid apart; it is not a label. */
	n = snprintf(key, len, "%s%c%s%c%s%c%s%c%llu", (e->o.labels & PROM_L_COMM) ? r->comm : "",
		     0, user, 0, cg ? cg : "", 0, pid, 0,
		     (e->o.labels & PROM_L_PID) ? (unsigned long long)r->start_ns : 0ULL);
	if (n < 0)
		return 0;
	return (size_t)n < len ? (size_t)n + 1 : len;
}

/* A member leaves its series: what it contributed stays there. */
static void retire(const struct prom_exporter *e, const struct ptrack *t)
{
	if (t->s)
		series_retire(&e->t, t->s, t->last, t->base);
}

struct walk {
	struct ptrack *trk;
	double *trkv;
	size_t ntrk;
};

static int account(struct prom_exporter *e, struct walk *w, const struct snapshot *snap,
		   const struct row *r, const struct ptrack *old)
{
	char key[1024];
	size_t keylen;
	struct series *s = NULL;
	double cur[e->nm ? e->nm : 1];
	const double *base;

	if (!e->o.match || e->o.match(r, e->o.match_ctx)) {
		keylen = row_key(e, snap, r, key, sizeof(key));
		s = series_table_get(&e->t, key, keylen);
		if (!s)
			return -ENOMEM;
	}
	for (size_t k = 0; k < e->nm; k++) {
		const struct field_desc *fd = &fields[e->mf[k]];
		double v = r->v[e->mf[k]] * (fd->prom.scale ? fd->prom.scale : 1.0);

		if (isnan(v))
			v = old && is_counter(e, k) ? old->last[k] : 0;
		/* The model keeps process totals monotonic; this keeps the export so regardless. */
		if (old && is_counter(e, k) && v < old->last[k])
			v = old->last[k];
		cur[k] = v;
	}
	if (old && old->s != s) {
		retire(e, old);
		base = old->last; /* counted in the old series, or filtered out */
	} else {
		base = old ? old->base : NULL;
	}
	if (s)
		series_add(&e->t, s, cur, base, r->flags & ROW_EXITED,
			   isnan(r->v[e->o.sort_field]) ? 0 : r->v[e->o.sort_field]);
	if (!(r->flags & ROW_EXITED)) {
		struct ptrack *t = &w->trk[w->ntrk];

		t->pid = r->pid;
		t->start_ns = r->start_ns;
		t->s = s;
		t->base = w->trkv + w->ntrk * 2 * e->nm;
		t->last = t->base + e->nm;
		for (size_t k = 0; k < e->nm; k++) {
			t->base[k] = base ? base[k] : 0;
			t->last[k] = cur[k];
		}
		w->ntrk++;
	}
	return 0;
}

/* Exported series in label order, pids as numbers. */
static int shown_cmp(const void *pa, const void *pb)
{
	const struct series *a = *(const struct series *const *)pa;
	const struct series *b = *(const struct series *const *)pb;
	const char *ap = a->label[PL_PID], *bp = b->label[PL_PID];
	int c;

	if ((c = strcmp(a->label[PL_COMM], b->label[PL_COMM])) ||
	    (c = strcmp(a->label[PL_USER], b->label[PL_USER])) ||
	    (c = strcmp(a->label[PL_CGROUP], b->label[PL_CGROUP])))
		return c;
	if (strlen(ap) != strlen(bp))
		return strlen(ap) < strlen(bp) ? -1 : 1;
	if ((c = strcmp(ap, bp)))
		return c;
	return a->keylen < b->keylen ? -1 : a->keylen > b->keylen;
}

/* Maps a latency bucket [lo, hi) to the first bound that holds all of it. */
static size_t le_index(uint32_t bucket)
{
	double hi = (double)ebtop_hist_lower(bucket + 1) / 1e9;
	size_t i = 0;

	while (i < NLE && disk_le[i] < hi)
		i++;
	return i;
}

static void update_disks(struct prom_exporter *e, const struct snapshot *snap)
{
	for (size_t i = 0; i < snap->ndisks; i++) {
		const struct disk_row *d = &snap->disks[i];
		struct pdisk *p = NULL;
		uint64_t n = 0;

		for (size_t j = 0; j < e->ndisks && !p; j++)
			p = e->disks[j].dev == d->dev ? &e->disks[j] : NULL;
		if (!p && e->ndisks == MAX_DISKS)
			continue;
		if (!p) {
			p = &e->disks[e->ndisks++];
			memset(p, 0, sizeof(*p));
			p->dev = d->dev;
		}
		snprintf(p->name, sizeof(p->name), "%s", d->name);
		for (int op = 0; op < 2; op++) {
			/* Cumulative in the model; never let the export go backwards. */
			if (d->bytes[op] > p->bytes[op])
				p->bytes[op] = d->bytes[op];
			if (d->ios[op] > p->ios[op])
				p->ios[op] = d->ios[op];
		}
		for (uint32_t b = 0; b < EBTOP_HIST_BUCKETS; b++) {
			if (d->hist[b]) {
				p->le[le_index(b)] += d->hist[b];
				n += d->hist[b];
			}
		}
		p->count += n;
		/* The interval's mean is exact (the kernel sums latencies); times the count. */
		if (n && !isnan(d->lat.avg))
			p->sum_s += d->lat.avg * (double)n / 1e9;
	}
}

int prom_exporter_update(struct prom_exporter *e, const struct snapshot *snap)
{
	size_t cap = snap->nprocs ? snap->nprocs : 1, i = 0, j = 0;
	struct walk w = {
	    .trk = calloc(cap, sizeof(struct ptrack)),
	    .trkv = calloc(cap * 2 * (e->nm ? e->nm : 1), sizeof(double)),
	};
	int err = 0;

	if (!w.trk || !w.trkv) {
		free(w.trk);
		free(w.trkv);
		return -ENOMEM;
	}
	series_table_begin(&e->t);
	/* Both lists are sorted by (pid, start): one merge pass. */
	while (!err && (i < snap->nprocs || j < e->ntrk)) {
		const struct row *r = i < snap->nprocs ? &snap->procs[i] : NULL;
		const struct ptrack *t = j < e->ntrk ? &e->trk[j] : NULL;
		int c = !r ? 1 : !t ? -1 : task_key_cmp(r->pid, r->start_ns, t->pid, t->start_ns);

		if (c > 0) {
			retire(e, t); /* vanished without an exit row */
			j++;
		} else {
			err = account(e, &w, snap, r, c == 0 ? t : NULL);
			i++;
			j += c == 0;
		}
	}
	/*
	 * Out of memory mid-walk leaves partial sums: the series' acc may already
	 * hold some retirements. Tracking restarts from the new list, which keeps
	 * counters monotonic; only this interval's attribution is approximate.
	 */
	free(e->trk);
	free(e->trkv);
	e->trk = w.trk;
	e->trkv = w.trkv;
	e->ntrk = w.ntrk;
	if (err)
		return err;
	update_disks(e, snap);
	/*
	 * Before the fold chooses the exported series, so that none of them is
	 * freed; an idle series has nothing left to fold (no members, no increment).
	 */
	err = series_table_expire(&e->t, snap->mono_ns, e->o.idle_ttl_ns, false);
	if (!err)
		err = series_table_fold(&e->t, e->o.top, shown_cmp);
	if (!err && e->conns)
		err = prom_conns_update(e->conns, snap);
	snapshot_put(e->last);
	e->last = snapshot_get((struct snapshot *)snap);
	return err;
}

void prom_exporter_stats(const struct prom_exporter *e, struct prom_stats *st)
{
	const struct series_counts *c = &e->t.counts;

	st->tracked = c->tracked;
	st->exported = c->exported;
	st->folded_series = c->folded;
	st->folded_processes = c->folded_members;
}

/* ---- rendering ---- */

void prom_fmt_double(char *out, size_t len, double v)
{
	if (isnan(v)) {
		snprintf(out, len, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(out, len, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(out, len, "%.0f", v);
		return;
	}
	snprintf(out, len, "%.15g", v);
	if (strtod(out, NULL) != v)
		snprintf(out, len, "%.17g", v);
}

/* Length of a valid UTF-8 sequence at p, or 0. */
static size_t utf8_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf && (p[1] & 0xc0) == 0x80)
		return 2;
	if (p[0] >= 0xe0 && p[0] <= 0xef && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80) {
		if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0))
			return 0; /* overlong or a surrogate */
		return 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80 &&
	    (p[3] & 0xc0) == 0x80) {
		if ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

/*
 * A label value or HELP text, escaped. Both formats escape backslash and
 * newline; label values (and OpenMetrics HELP) also the double quote. Bytes
 * that are not UTF-8 (a comm can hold anything) become U+FFFD.
 */
int prom_escape(struct buf *b, const char *s, bool quote)
{
	const unsigned char *p = (const unsigned char *)s;
	int err = 0;

	while (*p && !err) {
		size_t n = utf8_len(p);

		if (*p == '\\')
			err = buf_puts(b, "\\\\");
		else if (*p == '\n')
			err = buf_puts(b, "\\n");
		else if (*p == '"' && quote)
			err = buf_puts(b, "\\\"");
		else if (n)
			err = buf_append(b, (const char *)p, n);
		else
			err = buf_puts(b, "\xef\xbf\xbd");
		p += n ? n : 1;
	}
	return err;
}

int prom_family(struct buf *b, enum prom_format f, const char *name, const char *type,
		const char *help)
{
	size_t n = strlen(name);
	int err;

	if (f == PROM_FMT_OPENMETRICS && !strcmp(type, "counter") && n > 6 &&
	    !strcmp(name + n - 6, "_total"))
		n -= 6;
	err = buf_printf(b, "# HELP %.*s ", (int)n, name);
	if (!err)
		err = prom_escape(b, help, f == PROM_FMT_OPENMETRICS);
	if (!err)
		err = buf_printf(b, "\n# TYPE %.*s %s\n", (int)n, name, type);
	return err;
}

int prom_sample(struct buf *b, const char *name, const struct series *s, const char *const *names,
		unsigned mask, double v)
{
	char num[32];
	bool first = true;
	int err = buf_puts(b, name);

	for (int i = 0; !err && i < SERIES_MAX_LABELS; i++) {
		if (!(mask & (1u << i)) || !s->label[i] || !s->label[i][0])
			continue; /* an empty label is the same as none */
		err = buf_printf(b, "%s%s=\"", first ? "{" : ",", names[i]);
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

int prom_single(struct buf *b, enum prom_format f, const char *name, const char *type,
		const char *help, double v)
{
	char num[32];
	int err = prom_family(b, f, name, type, help);

	prom_fmt_double(num, sizeof(num), v);
	return err ? err : buf_printf(b, "%s %s\n", name, num);
}

static bool field_available(const struct snapshot *s, int f)
{
	return !fields[f].need || (s->avail & fields[f].need);
}

static int render_processes(const struct prom_exporter *e, enum prom_format f, struct buf *b)
{
	const struct series *o = e->t.other;
	unsigned labels = e->o.labels;
	int err = 0;

	for (size_t k = 0; !err && k < e->nm; k++) {
		const struct field_desc *fd = &fields[e->mf[k]];
		bool counter = fd->prom.type == PROM_COUNTER;

		if (!field_available(e->last, e->mf[k]))
			continue;
		err = prom_family(b, f, fd->prom.name, counter ? "counter" : "gauge", fd->help);
		for (size_t i = 0; !err && i < e->t.nshown; i++) {
			const struct series *s = e->t.shown[i];
			double v = s->acc[k] + s->live[k] - (counter ? s->folded[k] : 0);

			err = prom_sample(b, fd->prom.name, s, label_names, labels, v);
		}
		if (!err)
			err = prom_sample(b, fd->prom.name, o, label_names, labels,
					  o->acc[k] + o->live[k] + e->t.other_fold[k]);
	}
	if (!err)
		err = prom_family(b, f, "ebtop_processes", "gauge",
				  "live processes counted in the series");
	for (size_t i = 0; !err && i < e->t.nshown; i++)
		err = prom_sample(b, "ebtop_processes", e->t.shown[i], label_names, labels,
				  e->t.shown[i]->members);
	if (!err)
		err = prom_sample(b, "ebtop_processes", o, label_names, labels,
				  (double)e->t.counts.folded_members);
	return err;
}

static int disk_counter(const struct prom_exporter *e, enum prom_format f, struct buf *b,
			const char *name, const char *help, bool ios, int op)
{
	int err = prom_family(b, f, name, "counter", help);

	for (size_t i = 0; !err && i < e->ndisks; i++) {
		const struct pdisk *d = &e->disks[i];

		err = buf_puts(b, name);
		if (!err)
			err = buf_puts(b, "{disk=\"");
		if (!err)
			err = prom_escape(b, d->name, true);
		if (!err)
			err = buf_printf(b, "\"} %llu\n",
					 (unsigned long long)(ios ? d->ios[op] : d->bytes[op]));
	}
	return err;
}

static int render_disks(const struct prom_exporter *e, enum prom_format f, struct buf *b)
{
	static const char *const hname = "ebtop_disk_request_duration_seconds";
	int err;

	if (!e->ndisks || !(e->last->avail & NEED_DISK))
		return 0;
	err = disk_counter(e, f, b, "ebtop_disk_read_bytes_total", "bytes read from the disk",
			   false, EBTOP_DISK_READ);
	if (!err)
		err = disk_counter(e, f, b, "ebtop_disk_written_bytes_total",
				   "bytes written to the disk", false, EBTOP_DISK_WRITE);
	if (!err)
		err = disk_counter(e, f, b, "ebtop_disk_read_requests_total",
				   "read requests completed", true, EBTOP_DISK_READ);
	if (!err)
		err = disk_counter(e, f, b, "ebtop_disk_write_requests_total",
				   "write requests completed", true, EBTOP_DISK_WRITE);
	if (!err)
		err = prom_family(b, f, hname, "histogram",
				  "block request latency, queue and device (from request start)");
	for (size_t i = 0; !err && i < e->ndisks; i++) {
		const struct pdisk *d = &e->disks[i];
		uint64_t cum = 0;
		char num[32];

		for (size_t k = 0; !err && k <= NLE; k++) {
			cum += d->le[k];
			if (k < NLE)
				prom_fmt_double(num, sizeof(num), disk_le[k]);
			err = buf_printf(b, "%s_bucket{disk=\"", hname);
			if (!err)
				err = prom_escape(b, d->name, true);
			if (!err)
				err = buf_printf(b, "\",le=\"%s\"} %llu\n", k < NLE ? num : "+Inf",
						 (unsigned long long)cum);
		}
		prom_fmt_double(num, sizeof(num), d->sum_s);
		if (!err)
			err = buf_printf(b, "%s_sum{disk=\"", hname);
		if (!err)
			err = prom_escape(b, d->name, true);
		if (!err)
			err = buf_printf(b, "\"} %s\n%s_count{disk=\"", num, hname);
		if (!err)
			err = prom_escape(b, d->name, true);
		if (!err)
			err = buf_printf(b, "\"} %llu\n", (unsigned long long)d->count);
	}
	return err;
}

#define HELP_MAP "BPF map updates that failed (out of memory or table full): events not counted"
#define HELP_RB	 "ring buffer records dropped because the buffer was full"

/* The snapshot's error counters: one family per name, one series per map or ring buffer. */
static const struct {
	int index;
	const char *name;
	const char *label; /* label name; NULL: one unlabelled series */
	const char *value; /* label value */
	unsigned need;	   /* left out unless this collector runs (the first of a family: 0) */
	const char *help;
} err_metrics[] = {
    {EBTOP_ERR_STORAGE, "ebtop_map_update_failures_total", "map", "task_storage", 0, HELP_MAP},
    {EBTOP_ERR_DISK_INFLIGHT, "ebtop_map_update_failures_total", "map", "disk_inflight", NEED_DISK,
     NULL},
    {EBTOP_ERR_DISK_PROC, "ebtop_map_update_failures_total", "map", "disk_latency", NEED_DISK,
     NULL},
    {EBTOP_ERR_DISK_DEV, "ebtop_map_update_failures_total", "map", "disks", NEED_DISK, NULL},
    {EBTOP_ERR_CONN_STORAGE, "ebtop_map_update_failures_total", "map", "conn_storage", NEED_CONN,
     NULL},
    {EBTOP_ERR_CONN_PEERS, "ebtop_map_update_failures_total", "map", "conn_peers", NEED_CONN, NULL},
    {EBTOP_ERR_RINGBUF, "ebtop_ringbuf_lost_events_total", "ringbuf", "exits", 0, HELP_RB},
    {EBTOP_ERR_CONN_FINAL, "ebtop_ringbuf_lost_events_total", "ringbuf", "conn_final", NEED_CONN,
     NULL},
    {EBTOP_ERR_EVENTS, "ebtop_ringbuf_lost_events_total", "ringbuf", "events", NEED_EVENTS, NULL},
    {EBTOP_ERR_SLOT, "ebtop_net_slot_fallbacks_total", NULL, NULL, 0,
     "network events counted in task storage because the per-CPU slot was taken (exact, "
     "slower)"},
};

static int render_progs(const struct snapshot *s, enum prom_format f, struct buf *b)
{
	static const char *const names[3] = {"ebtop_bpf_program_runs_total",
					     "ebtop_bpf_program_run_seconds_total",
					     "ebtop_bpf_program_event_cost_seconds"};
	static const char *const helps[3] = {
	    "events handled by each BPF program (needs --bpf-stats)",
	    "time spent in each BPF program, from the kernel's bpf_stats (needs --bpf-stats)",
	    "mean time per event of each BPF program over the last interval"};
	int err = 0;
	bool any = false;

	/* Runs the kernel skipped (the program already running on that CPU): lost events. */
	if (s->nprogs)
		err = prom_family(b, f, "ebtop_bpf_program_missed_runs_total", "counter",
				  "events a BPF program did not see because the kernel skipped a "
				  "nested run on the same CPU");
	for (int i = 0; !err && i < s->nprogs; i++) {
		err = buf_puts(b, "ebtop_bpf_program_missed_runs_total{program=\"");
		if (!err)
			err = prom_escape(b, s->progs[i].name, true);
		if (!err)
			err = buf_printf(b, "\"} %llu\n", (unsigned long long)s->progs[i].missed);
	}
	for (int i = 0; i < s->nprogs; i++)
		any |= s->progs[i].run_cnt > 0;
	if (err || !any)
		return err;
	for (int m = 0; !err && m < 3; m++) {
		err = prom_family(b, f, names[m], m < 2 ? "counter" : "gauge", helps[m]);
		for (int i = 0; !err && i < s->nprogs; i++) {
			const struct prog_cost *p = &s->progs[i];
			double v = m == 0   ? (double)p->run_cnt
				   : m == 1 ? (double)p->run_time_ns / 1e9
					    : p->ns_per_event / 1e9;
			char num[32];

			if (isnan(v))
				continue;
			prom_fmt_double(num, sizeof(num), v);
			err = buf_printf(b, "%s{program=\"", names[m]);
			if (!err)
				err = prom_escape(b, p->name, true);
			if (!err)
				err = buf_printf(b, "\"} %s\n", num);
		}
	}
	return err;
}

/* 1 for each wanted feature that runs, 0 for one the kernel lacks or refused. */
static int render_features(const struct snapshot *s, enum prom_format f, struct buf *b)
{
	int err = 0;
	bool any = false;

	for (int i = 0; i < FEAT_NUM; i++)
		any |= s->features.f[i].wanted;
	if (any)
		err = prom_family(b, f, "ebtop_feature_available", "gauge",
				  "whether a feature's BPF programs run on this kernel (see /health "
				  "for the reason when 0)");
	for (int i = 0; !err && i < FEAT_NUM; i++) {
		const struct feature_state *st = &s->features.f[i];

		if (st->wanted)
			err = buf_printf(b,
					 "ebtop_feature_available{feature=\"%s\",hooks=\"%s\"} %d\n",
					 feature_descs[i].name, st->on ? st->how : "", st->on);
	}
	return err;
}

static int render_self(const struct prom_exporter *e, const struct prom_self *self,
		       enum prom_format f, struct buf *b)
{
	const struct snapshot *s = e->last;
	const struct series_counts *c = &e->t.counts;
	int err = 0;

	for (size_t i = 0; !err && i < sizeof(err_metrics) / sizeof(err_metrics[0]); i++) {
		char num[32];

		if (err_metrics[i].help)
			err =
			    prom_family(b, f, err_metrics[i].name, "counter", err_metrics[i].help);
		if (err || (err_metrics[i].need && !(s->avail & err_metrics[i].need)))
			continue;
		prom_fmt_double(num, sizeof(num), (double)s->errors[err_metrics[i].index]);
		if (err_metrics[i].label)
			err = buf_printf(b, "%s{%s=\"%s\"} %s\n", err_metrics[i].name,
					 err_metrics[i].label, err_metrics[i].value, num);
		else
			err = buf_printf(b, "%s %s\n", err_metrics[i].name, num);
	}
	/* Read from the ring buffer, then dropped: more in one interval than the collector keeps.
	 */
	if (!err && (s->avail & NEED_EVENTS))
		err = prom_single(b, f, "ebtop_events_dropped_total", "counter",
				  "connect/accept/close/exec events dropped in user space "
				  "(more in one interval than the collector keeps)",
				  (double)s->conn_occ.events_dropped);
	if (!err)
		err = prom_single(b, f, "ebtop_collect_duration_seconds", "gauge",
				  "time the last collection took (BPF maps, /proc, snapshot)",
				  self ? self->collect_s : NAN);
	if (!err)
		err = prom_single(b, f, "ebtop_collections_total", "counter", "snapshots taken",
				  (double)s->seq);
	if (!err)
		err = prom_single(b, f, "ebtop_self_cpu_ratio", "gauge",
				  "ebtop's own CPU use over the last interval (1 = one core)",
				  s->self_cpu_pct / 100.0);
	if (!err)
		err = prom_single(b, f, "ebtop_metrics_tracked_series", "gauge",
				  "process series held by the exporter", (double)c->tracked);
	if (!err)
		err = prom_single(b, f, "ebtop_metrics_folded_series", "gauge",
				  "process series folded into comm=\"other\" "
				  "(beyond --metrics-top)",
				  (double)c->folded);
	if (!err)
		err = prom_single(b, f, "ebtop_metrics_folded_processes", "gauge",
				  "live processes counted in comm=\"other\"",
				  (double)c->folded_members);
	if (!err)
		err = render_progs(s, f, b);
	if (!err)
		err = render_features(s, f, b);
	if (!err && self && self->version) {
		if (f == PROM_FMT_OPENMETRICS)
			err = buf_puts(b, "# HELP ebtop_build ebtop's version\n"
					  "# TYPE ebtop_build info\n");
		else
			err = prom_family(b, f, "ebtop_build_info", "gauge", "ebtop's version");
		if (!err)
			err = buf_puts(b, "ebtop_build_info{version=\"");
		if (!err)
			err = prom_escape(b, self->version, true);
		if (!err)
			err = buf_puts(b, "\"} 1\n");
	}
	return err;
}

int prom_render(const struct prom_exporter *e, const struct prom_self *self, enum prom_format f,
		struct buf *b)
{
	int err;

	if (!e->last)
		return 0;
	err = render_processes(e, f, b);
	if (!err)
		err = render_disks(e, f, b);
	if (!err && e->conns)
		err = prom_conns_render(e->conns, f, b);
	return err ? err : render_self(e, self, f, b);
}

int prom_render_tail(struct buf *b, enum prom_format f, bool up)
{
	int err = prom_family(b, f, "ebtop_up", "gauge",
			      "1 when the last collection succeeded and is recent, else 0");

	if (!err)
		err = buf_printf(b, "ebtop_up %d\n", up ? 1 : 0);
	if (!err && f == PROM_FMT_OPENMETRICS)
		err = buf_puts(b, "# EOF\n");
	return err;
}
