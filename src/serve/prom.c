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

struct pseries {
	char *key; /* labels joined by NUL bytes */
	size_t keylen;
	uint64_t hash;
	const char *comm, *user, *cgroup, *pid; /* point into key */
	uint32_t members;     /* live processes this interval */
	bool touched;         /* a member left this interval */
	bool exported;        /* exported one by one this interval */
	bool other;           /* the aggregate of everything not exported */
	uint64_t idle_since;  /* mono ns since it has had no members; 0 while it has */
	double score;         /* the sort field summed over members */
	double *acc;          /* [nm] counters of members that left */
	double *live;         /* [nm] members' contributions (gauges: their sum) */
	double *prev;         /* [nm] value at the previous update */
	double *folded;       /* [nm] increments credited to "other" */
	double data[];
};

/* A live process and what it contributes to its series. */
struct ptrack {
	uint32_t pid;
	uint64_t start_ns;
	struct pseries *s; /* NULL: filtered out */
	double *base;      /* [nm] (in the tracker value block) */
	double *last;      /* [nm] */
};

/* User names seen on rows with /proc details, for rows without (processes too short to read). */
#define UID_CACHE 64

struct uid_name {
	uint32_t uid;
	char name[33];
};

/* Histogram bounds for disk request latency, seconds (the last bucket is +Inf). */
static const double disk_le[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
				 0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5,  10};
#define NLE (sizeof(disk_le) / sizeof(disk_le[0]))
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
	struct pseries **series;
	size_t nseries, series_cap;
	struct pseries **index; /* open addressing by hash */
	size_t index_cap;
	struct pseries *other;
	struct ptrack *trk;
	double *trkv;
	size_t ntrk;
	struct pseries **shown; /* exported series, sorted by labels */
	size_t nshown;
	double *other_fold; /* [nm] increments of folded series */
	struct prom_stats st;
	struct snapshot *last; /* (owned reference) */
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

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static struct pseries *series_alloc(size_t nm, const char *key, size_t keylen)
{
	struct pseries *s = calloc(1, sizeof(*s) + 4 * nm * sizeof(double));
	const char *p;

	if (!s)
		return NULL;
	/* NUL padding: a truncated key still parses into four strings. */
	s->key = calloc(1, keylen + 4);
	if (!s->key) {
		free(s);
		return NULL;
	}
	memcpy(s->key, key, keylen);
	s->keylen = keylen;
	s->hash = fnv1a(key, keylen);
	p = s->key;
	s->comm = p;
	p += strlen(p) + 1;
	s->user = p;
	p += strlen(p) + 1;
	s->cgroup = p;
	p += strlen(p) + 1;
	s->pid = p;
	s->acc = s->data;
	s->live = s->acc + nm;
	s->prev = s->live + nm;
	s->folded = s->prev + nm;
	return s;
}

static void series_free(struct pseries *s)
{
	if (s)
		free(s->key);
	free(s);
}

static int index_rebuild(struct prom_exporter *e)
{
	size_t cap = 64;
	struct pseries **idx;

	while (cap < e->nseries * 2)
		cap *= 2;
	idx = calloc(cap, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < e->nseries; i++) {
		size_t h = e->series[i]->hash & (cap - 1);

		while (idx[h])
			h = (h + 1) & (cap - 1);
		idx[h] = e->series[i];
	}
	free(e->index);
	e->index = idx;
	e->index_cap = cap;
	return 0;
}

struct prom_exporter *prom_exporter_new(const struct prom_opts *o)
{
	struct prom_exporter *e = calloc(1, sizeof(*e));
	static const char other_key[] = "other\0\0\0";

	if (!e)
		return NULL;
	e->o = *o;
	for (int f = 0; f < F_NUM; f++) {
		if (fields[f].prom.name && fields[f].prom.type != PROM_NONE && fields[f].type == FT_NUM)
			e->mf[e->nm++] = f;
	}
	e->other = series_alloc(e->nm, other_key, sizeof(other_key) - 1);
	e->other_fold = calloc(e->nm ? e->nm : 1, sizeof(double));
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
	if (!e->other || !e->other_fold || index_rebuild(e) || (o->conns && !e->conns)) {
		prom_exporter_free(e);
		return NULL;
	}
	e->other->other = true;
	return e;
}

void prom_exporter_free(struct prom_exporter *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nseries; i++)
		series_free(e->series[i]);
	series_free(e->other);
	free(e->series);
	free(e->index);
	free(e->trk);
	free(e->trkv);
	free(e->shown);
	free(e->other_fold);
	prom_conns_free(e->conns);
	snapshot_put(e->last);
	free(e);
}

static bool is_counter(const struct prom_exporter *e, size_t k)
{
	return fields[e->mf[k]].prom.type == PROM_COUNTER;
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

static struct pseries *series_find(struct prom_exporter *e, const char *key, size_t keylen,
				   uint64_t hash)
{
	size_t h = hash & (e->index_cap - 1);

	for (; e->index[h]; h = (h + 1) & (e->index_cap - 1)) {
		struct pseries *s = e->index[h];

		if (s->hash == hash && s->keylen == keylen && !memcmp(s->key, key, keylen))
			return s;
	}
	return NULL;
}

/* The series of a label set, created when new; "other" once the table is full. */
static struct pseries *series_get(struct prom_exporter *e, const char *key, size_t keylen)
{
	uint64_t hash = fnv1a(key, keylen);
	struct pseries *s = series_find(e, key, keylen, hash);

	if (s)
		return s;
	if (e->nseries >= e->o.max_series)
		return e->other;
	if (e->nseries == e->series_cap) {
		size_t cap = e->series_cap ? e->series_cap * 2 : 64;
		struct pseries **p = realloc(e->series, cap * sizeof(*p));

		if (!p)
			return NULL;
		e->series = p;
		e->series_cap = cap;
	}
	s = series_alloc(e->nm, key, keylen);
	if (!s)
		return NULL;
	e->series[e->nseries++] = s;
	if (e->nseries * 2 > e->index_cap) {
		if (index_rebuild(e)) {
			series_free(e->series[--e->nseries]);
			return NULL;
		}
	} else {
		size_t h = hash & (e->index_cap - 1);

		while (e->index[h])
			h = (h + 1) & (e->index_cap - 1);
		e->index[h] = s;
	}
	return s;
}

/* A member leaves its series: what it contributed stays there. */
static void retire(const struct prom_exporter *e, const struct ptrack *t)
{
	if (!t->s)
		return;
	for (size_t k = 0; k < e->nm; k++) {
		if (is_counter(e, k))
			t->s->acc[k] += t->last[k] - t->base[k];
	}
	t->s->touched = true;
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
	struct pseries *s = NULL;
	double cur[e->nm ? e->nm : 1];
	const double *base;

	if (!e->o.match || e->o.match(r, e->o.match_ctx)) {
		keylen = row_key(e, snap, r, key, sizeof(key));
		s = series_get(e, key, keylen);
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
	if (s) {
		for (size_t k = 0; k < e->nm; k++) {
			double b = base ? base[k] : 0;

			if (!is_counter(e, k))
				s->live[k] += (r->flags & ROW_EXITED) ? 0 : cur[k];
			else if (r->flags & ROW_EXITED)
				s->acc[k] += cur[k] - b;
			else
				s->live[k] += cur[k] - b;
		}
		if (!isnan(r->v[e->o.sort_field]))
			s->score += r->v[e->o.sort_field];
		if (r->flags & ROW_EXITED)
			s->touched = true;
		else
			s->members++;
	}
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

struct rank {
	struct pseries *s;
	double eff;
};

/* Highest score first; an exported series keeps its place over an equal challenger. */
static int rank_cmp(const void *pa, const void *pb)
{
	const struct rank *a = pa, *b = pb;
	int c;

	if (a->eff != b->eff)
		return a->eff > b->eff ? -1 : 1;
	if (a->s->exported != b->s->exported)
		return a->s->exported ? -1 : 1;
	c = memcmp(a->s->key, b->s->key, a->s->keylen < b->s->keylen ? a->s->keylen : b->s->keylen);
	return c ? c : (a->s->keylen < b->s->keylen ? -1 : a->s->keylen > b->s->keylen);
}

static int shown_cmp(const void *pa, const void *pb)
{
	const struct pseries *a = *(const struct pseries *const *)pa;
	const struct pseries *b = *(const struct pseries *const *)pb;
	int c;

	if ((c = strcmp(a->comm, b->comm)) || (c = strcmp(a->user, b->user)) ||
	    (c = strcmp(a->cgroup, b->cgroup)))
		return c;
	if (strlen(a->pid) != strlen(b->pid))
		return strlen(a->pid) < strlen(b->pid) ? -1 : 1;
	if ((c = strcmp(a->pid, b->pid)))
		return c;
	return a->keylen < b->keylen ? -1 : a->keylen > b->keylen;
}

static int idle_cmp(const void *pa, const void *pb)
{
	const struct pseries *a = *(const struct pseries *const *)pa;
	const struct pseries *b = *(const struct pseries *const *)pb;

	/* Live series last; among idle ones the longest idle first. */
	if (!a->idle_since != !b->idle_since)
		return a->idle_since ? -1 : 1;
	return a->idle_since < b->idle_since ? -1 : a->idle_since > b->idle_since;
}

/*
 * Drops series idle past the TTL, and the longest idle beyond max_series.
 * Runs before fold() chooses the exported series, so that none of them is
 * freed; an idle series has nothing left to fold (no members, no increment).
 */
static int expire(struct prom_exporter *e, uint64_t now)
{
	size_t w = 0;

	for (size_t i = 0; i < e->nseries; i++) {
		struct pseries *s = e->series[i];

		if (s->members || s->touched)
			s->idle_since = 0;
		else if (!s->idle_since)
			s->idle_since = now ? now : 1;
		if (s->idle_since && now - s->idle_since >= e->o.idle_ttl_ns)
			series_free(s);
		else
			e->series[w++] = s;
	}
	if (w > e->o.max_series) {
		qsort(e->series, w, sizeof(*e->series), idle_cmp);
		while (w > e->o.max_series && e->series[0]->idle_since) {
			series_free(e->series[0]);
			memmove(e->series, e->series + 1, (w - 1) * sizeof(*e->series));
			w--;
		}
	}
	if (w == e->nseries)
		return 0;
	e->nseries = w;
	return index_rebuild(e);
}

/* Chooses the exported series and credits the others' increments to "other". */
static int fold(struct prom_exporter *e)
{
	struct rank *rk = calloc(e->nseries ? e->nseries : 1, sizeof(*rk));
	struct pseries **shown;
	size_t n = 0;

	if (!rk)
		return -ENOMEM;
	shown = realloc(e->shown, (e->o.top < e->nseries ? e->o.top : e->nseries) * sizeof(*shown) +
					  sizeof(*shown));
	if (!shown) {
		free(rk);
		return -ENOMEM;
	}
	e->shown = shown;
	for (size_t i = 0; i < e->nseries; i++) {
		struct pseries *s = e->series[i];

		/* Hysteresis: a challenger must beat an exported series by a quarter to replace it. */
		rk[i].s = s;
		rk[i].eff = s->exported ? s->score * 1.25 : s->score;
	}
	qsort(rk, e->nseries, sizeof(*rk), rank_cmp);
	memset(&e->st, 0, sizeof(e->st));
	e->st.tracked = e->nseries;
	for (size_t i = 0; i < e->nseries; i++) {
		struct pseries *s = rk[i].s;

		s->exported = i < e->o.top;
		for (size_t k = 0; k < e->nm; k++) {
			double val = s->acc[k] + s->live[k], d = val - s->prev[k];

			if (!is_counter(e, k)) {
				if (!s->exported)
					e->other_fold[k] += s->live[k];
				continue;
			}
			if (d < 0)
				d = 0;
			if (!s->exported) {
				s->folded[k] += d;
				e->other_fold[k] += d;
			}
			s->prev[k] = val;
		}
		if (s->exported) {
			e->shown[n++] = s;
		} else {
			e->st.folded_series++;
			e->st.folded_processes += s->members;
		}
	}
	e->st.exported = n;
	e->st.folded_processes += e->other->members;
	e->nshown = n;
	qsort(e->shown, n, sizeof(*e->shown), shown_cmp);
	free(rk);
	return 0;
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
	for (size_t k = 0; k < e->nseries; k++) {
		struct pseries *s = e->series[k];

		s->members = 0;
		s->touched = false;
		s->score = 0;
		memset(s->live, 0, e->nm * sizeof(double));
	}
	e->other->members = 0;
	memset(e->other->live, 0, e->nm * sizeof(double));
	for (size_t k = 0; k < e->nm; k++) {
		if (!is_counter(e, k))
			e->other_fold[k] = 0;
	}
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
	err = expire(e, snap->mono_ns);
	if (!err)
		err = fold(e);
	if (!err && e->conns)
		err = prom_conns_update(e->conns, snap);
	snapshot_put(e->last);
	e->last = snapshot_get((struct snapshot *)snap);
	return err;
}

void prom_exporter_stats(const struct prom_exporter *e, struct prom_stats *st)
{
	*st = e->st;
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

static int label(struct buf *b, bool *first, const char *name, const char *value)
{
	int err;

	if (!value[0])
		return 0; /* an empty label is the same as none */
	err = buf_printf(b, "%s%s=\"", *first ? "{" : ",", name);
	if (!err)
		err = prom_escape(b, value, true);
	if (!err)
		err = buf_puts(b, "\"");
	*first = false;
	return err;
}

static int sample(struct buf *b, const char *name, const struct pseries *s, unsigned labels,
		  double v)
{
	char num[32];
	bool first = true;
	int err = buf_puts(b, name);

	if (!err && (labels & PROM_L_COMM))
		err = label(b, &first, "comm", s->comm);
	if (!err && (labels & PROM_L_USER))
		err = label(b, &first, "user", s->user);
	if (!err && (labels & PROM_L_CGROUP))
		err = label(b, &first, "cgroup", s->cgroup);
	if (!err && (labels & PROM_L_PID))
		err = label(b, &first, "pid", s->pid);
	if (!err && !first)
		err = buf_puts(b, "}");
	prom_fmt_double(num, sizeof(num), v);
	if (!err)
		err = buf_printf(b, " %s\n", num);
	return err;
}

static int one(struct buf *b, enum prom_format f, const char *name, const char *type,
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
	unsigned labels = e->o.labels;
	int err = 0;

	for (size_t k = 0; !err && k < e->nm; k++) {
		const struct field_desc *fd = &fields[e->mf[k]];
		bool counter = fd->prom.type == PROM_COUNTER;

		if (!field_available(e->last, e->mf[k]))
			continue;
		err = prom_family(b, f, fd->prom.name, counter ? "counter" : "gauge", fd->help);
		for (size_t i = 0; !err && i < e->nshown; i++) {
			const struct pseries *s = e->shown[i];
			double v = s->acc[k] + s->live[k] - (counter ? s->folded[k] : 0);

			err = sample(b, fd->prom.name, s, labels, v);
		}
		if (!err)
			err = sample(b, fd->prom.name, e->other, labels,
				     e->other->acc[k] + e->other->live[k] + e->other_fold[k]);
	}
	if (!err)
		err = prom_family(b, f, "ebtop_processes", "gauge",
			     "live processes counted in the series");
	for (size_t i = 0; !err && i < e->nshown; i++)
		err = sample(b, "ebtop_processes", e->shown[i], labels, e->shown[i]->members);
	if (!err)
		err = sample(b, "ebtop_processes", e->other, labels,
			     (double)e->st.folded_processes);
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
	const char *label;  /* label name; NULL: one unlabelled series */
	const char *value;  /* label value */
	unsigned need;	    /* left out unless this collector runs (the first of a family: 0) */
	const char *help;
} err_metrics[] = {
	{EBTOP_ERR_STORAGE, "ebtop_map_update_failures_total", "map", "task_storage", 0, HELP_MAP},
	{EBTOP_ERR_DISK_INFLIGHT, "ebtop_map_update_failures_total", "map", "disk_inflight",
	 NEED_DISK, NULL},
	{EBTOP_ERR_DISK_PROC, "ebtop_map_update_failures_total", "map", "disk_latency", NEED_DISK,
	 NULL},
	{EBTOP_ERR_DISK_DEV, "ebtop_map_update_failures_total", "map", "disks", NEED_DISK, NULL},
	{EBTOP_ERR_CONN_STORAGE, "ebtop_map_update_failures_total", "map", "conn_storage",
	 NEED_CONN, NULL},
	{EBTOP_ERR_CONN_PEERS, "ebtop_map_update_failures_total", "map", "conn_peers", NEED_CONN,
	 NULL},
	{EBTOP_ERR_RINGBUF, "ebtop_ringbuf_lost_events_total", "ringbuf", "exits", 0, HELP_RB},
	{EBTOP_ERR_CONN_FINAL, "ebtop_ringbuf_lost_events_total", "ringbuf", "conn_final",
	 NEED_CONN, NULL},
	{EBTOP_ERR_EVENTS, "ebtop_ringbuf_lost_events_total", "ringbuf", "events", NEED_EVENTS,
	 NULL},
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

static int render_self(const struct prom_exporter *e, const struct prom_self *self,
		       enum prom_format f, struct buf *b)
{
	const struct snapshot *s = e->last;
	int err = 0;

	for (size_t i = 0; !err && i < sizeof(err_metrics) / sizeof(err_metrics[0]); i++) {
		char num[32];

		if (err_metrics[i].help)
			err = prom_family(b, f, err_metrics[i].name, "counter", err_metrics[i].help);
		if (err || (err_metrics[i].need && !(s->avail & err_metrics[i].need)))
			continue;
		prom_fmt_double(num, sizeof(num), (double)s->errors[err_metrics[i].index]);
		if (err_metrics[i].label)
			err = buf_printf(b, "%s{%s=\"%s\"} %s\n", err_metrics[i].name,
					 err_metrics[i].label, err_metrics[i].value, num);
		else
			err = buf_printf(b, "%s %s\n", err_metrics[i].name, num);
	}
	/* Read from the ring buffer, then dropped: more in one interval than the collector keeps. */
	if (!err && (s->avail & NEED_EVENTS))
		err = one(b, f, "ebtop_events_dropped_total", "counter",
			  "connect/accept/close/exec events dropped in user space (more in one "
			  "interval than the collector keeps)",
			  (double)s->conn_occ.events_dropped);
	if (!err)
		err = one(b, f, "ebtop_collect_duration_seconds", "gauge",
			  "time the last collection took (BPF maps, /proc, snapshot)",
			  self ? self->collect_s : NAN);
	if (!err)
		err = one(b, f, "ebtop_collections_total", "counter", "snapshots taken",
			  (double)s->seq);
	if (!err)
		err = one(b, f, "ebtop_self_cpu_ratio", "gauge",
			  "ebtop's own CPU use over the last interval (1 = one core)",
			  s->self_cpu_pct / 100.0);
	if (!err)
		err = one(b, f, "ebtop_metrics_tracked_series", "gauge",
			  "process series held by the exporter", (double)e->st.tracked);
	if (!err)
		err = one(b, f, "ebtop_metrics_folded_series", "gauge",
			  "process series folded into comm=\"other\" (beyond --metrics-top)",
			  (double)e->st.folded_series);
	if (!err)
		err = one(b, f, "ebtop_metrics_folded_processes", "gauge",
			  "live processes counted in comm=\"other\"",
			  (double)e->st.folded_processes);
	if (!err)
		err = render_progs(s, f, b);
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
