// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Builds snapshots from raw samples: thread records -> process rows, rates, exits. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/model.h"
#include "model/fill.h"
#include "model/disk.h"
#include "core/testable.h"

#define PF_KTHREAD 0x00200000u

/* Final counters of threads that ended, per process, until the process ends. */
struct dead_acc {
	uint32_t tgid;
	uint64_t pstart_ns;
	struct ebtop_task_stats sum;
};

struct model {
	uint64_t start_mono_ns;
	proc_info_fn info_fn;
	void *info_ctx;
	struct snapshot *prev;
	struct dead_acc *dead; /* sorted by (tgid, pstart_ns) */
	size_t ndead;
	size_t dead_cap;
	uint64_t seq;
	struct ebtop_task_stats sys_tot; /* every process's deltas since start: never drops */
	struct disk_model *disk;
};

/* Every row function and consumer sees the same ordering of fillers. */
/* A concern's fields stay unavailable (NaN) when its collector is not running. */
static const struct {
	row_fill_fn fn;
	unsigned need;
} fillers[] = {
	{fill_ident, NEED_NONE},
	{fill_net, NEED_NET},
	{fill_disk, NEED_DISK},
	{fill_sched, NEED_SCHED},
	{fill_conn, NEED_CONN},
};

static void fill_row(struct row *r, unsigned avail, double dt)
{
	for (size_t f = 0; f < sizeof(fillers) / sizeof(fillers[0]); f++) {
		if ((avail & fillers[f].need) == fillers[f].need)
			fillers[f].fn(r, dt);
	}
}

struct proc_info *proc_info_new(const char *cmdline, const char *cgroup, const char *user)
{
	struct proc_info *pi = calloc(1, sizeof(*pi));

	if (!pi)
		return NULL;
	pi->refs = 1;
	pi->cmdline = cmdline ? strdup(cmdline) : NULL;
	pi->cgroup = cgroup ? strdup(cgroup) : NULL;
	if (user)
		snprintf(pi->user, sizeof(pi->user), "%s", user);
	return pi;
}

struct proc_info *proc_info_get(struct proc_info *pi)
{
	if (pi)
		__atomic_add_fetch(&pi->refs, 1, __ATOMIC_RELAXED);
	return pi;
}

void proc_info_put(struct proc_info *pi)
{
	if (!pi || __atomic_sub_fetch(&pi->refs, 1, __ATOMIC_ACQ_REL))
		return;
	free(pi->cmdline);
	free(pi->cgroup);
	free(pi);
}

struct snapshot *snapshot_get(struct snapshot *s)
{
	if (s)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
	return s;
}

void snapshot_put(struct snapshot *s)
{
	if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (size_t i = 0; i < s->nprocs; i++)
		proc_info_put(s->procs[i].info);
	for (size_t i = 0; i < s->nthreads; i++)
		proc_info_put(s->threads[i].info);
	free(s->procs);
	free(s->threads);
	free(s->disks);
	free(s->conns);
	free(s->conn_by_key);
	free(s->events);
	free(s);
}

/* Process rows are ordered by (pid, start_ns). */
static int proc_key_cmp(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;

	return task_key_cmp(a->pid, a->start_ns, b->pid, b->start_ns);
}

/* Thread rows by process, then thread; an exit record sorts before a live one. */
static int thread_key_cmp(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	int c = task_key_cmp(a->tgid, a->pstart_ns, b->tgid, b->pstart_ns);

	if (c)
		return c;
	c = task_key_cmp(a->pid, a->start_ns, b->pid, b->start_ns);
	if (c)
		return c;
	return (int)(b->flags & ROW_EXITED) - (int)(a->flags & ROW_EXITED);
}

const struct row *snapshot_find(const struct snapshot *s, uint32_t pid)
{
	const struct row *found = NULL;
	size_t lo = 0, hi = s->nprocs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* A pid may have an exited row and a new live one: prefer the live one. */
	for (; lo < s->nprocs && s->procs[lo].pid == pid; lo++) {
		found = &s->procs[lo];
		if (!(found->flags & ROW_EXITED))
			break;
	}
	return found;
}

static void stats_add(struct ebtop_task_stats *dst, const struct ebtop_task_stats *src)
{
	__u64 *d = (__u64 *)dst;
	const __u64 *s = (const __u64 *)src;

	for (size_t i = 0; i < EBTOP_STATS_WORDS; i++)
		d[i] += s[i];
}

/* Counters only grow for one key; a smaller value means lost state, so the rate is 0. */
static void stats_delta(struct ebtop_task_stats *dst, const struct ebtop_task_stats *cur,
			const struct ebtop_task_stats *prev)
{
	__u64 *d = (__u64 *)dst;
	const __u64 *c = (const __u64 *)cur, *p = (const __u64 *)prev;

	for (size_t i = 0; i < EBTOP_STATS_WORDS; i++)
		d[i] = c[i] > p[i] ? c[i] - p[i] : 0;
}

TESTABLE char state_char(uint32_t state)
{
	if (state & 0x20)
		return 'Z';
	if (state & 0x10)
		return 'X';
	if (state == 0)
		return 'R';
	if ((state & 0x402) == 0x402)
		return 'I';
	if (state & 0x1)
		return 'S';
	if (state & 0x2)
		return 'D';
	if (state & 0xc)
		return 'T';
	return 'S';
}

void fill_ident(struct row *r, double dt)
{
	(void)dt;
	for (int i = 0; i < F_NUM; i++)
		r->v[i] = NAN;
	r->v[F_PID] = r->pid;
	r->v[F_TGID] = r->tgid;
	r->v[F_PPID] = r->ppid;
	r->v[F_UID] = r->uid;
	r->v[F_THREADS] = r->nthreads;
}

static void row_from_rec(struct row *r, const struct ebtop_task_rec *rec)
{
	memset(r, 0, sizeof(*r));
	r->pid = rec->tid;
	r->tgid = rec->tgid;
	r->ppid = rec->ppid;
	r->uid = rec->uid;
	r->start_ns = rec->start_ns;
	r->pstart_ns = rec->pstart_ns;
	r->flags = ROW_THREAD;
	if (rec->kind == EBTOP_REC_EXIT)
		r->flags |= ROW_EXITED;
	if (rec->pflags & PF_KTHREAD)
		r->flags |= ROW_KTHREAD;
	r->state = rec->kind == EBTOP_REC_EXIT ? 'X' : state_char(rec->state);
	memcpy(r->comm, rec->comm, sizeof(r->comm));
	r->comm[sizeof(r->comm) - 1] = '\0';
	r->tot = rec->st;
}

static struct dead_acc *dead_find(struct model *m, uint32_t tgid, uint64_t pstart)
{
	size_t lo = 0, hi = m->ndead;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = task_key_cmp(m->dead[mid].tgid, m->dead[mid].pstart_ns, tgid, pstart);

		if (c == 0)
			return &m->dead[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int dead_add(struct model *m, uint32_t tgid, uint64_t pstart,
		    const struct ebtop_task_stats *st)
{
	struct dead_acc *d = dead_find(m, tgid, pstart);
	size_t pos;

	if (d) {
		stats_add(&d->sum, st);
		return 0;
	}
	if (m->ndead == m->dead_cap) {
		size_t cap = m->dead_cap ? m->dead_cap * 2 : 64;
		struct dead_acc *p = realloc(m->dead, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		m->dead = p;
		m->dead_cap = cap;
	}
	for (pos = m->ndead; pos > 0; pos--) {
		struct dead_acc *q = &m->dead[pos - 1];

		if (task_key_cmp(q->tgid, q->pstart_ns, tgid, pstart) < 0)
			break;
	}
	memmove(&m->dead[pos + 1], &m->dead[pos], (m->ndead - pos) * sizeof(*m->dead));
	m->dead[pos].tgid = tgid;
	m->dead[pos].pstart_ns = pstart;
	m->dead[pos].sum = *st;
	m->ndead++;
	return 0;
}

/* Keeps the accumulators of processes that are still in the snapshot and alive. */
static void dead_sweep(struct model *m, const struct snapshot *s)
{
	size_t w = 0;

	for (size_t i = 0; i < m->ndead; i++) {
		const struct row *p = snapshot_find(s, m->dead[i].tgid);

		if (p && p->start_ns == m->dead[i].pstart_ns && !(p->flags & ROW_EXITED))
			m->dead[w++] = m->dead[i];
	}
	m->ndead = w;
}

static const struct row *bsearch_row(const struct row *rows, size_t n, const struct row *key,
				     int (*cmp)(const void *, const void *))
{
	return bsearch(key, rows, n, sizeof(*rows), cmp);
}

/* Same thread, ignoring whether either side is an exit record. */
static int thread_same_cmp(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	int c = task_key_cmp(a->tgid, a->pstart_ns, b->tgid, b->pstart_ns);

	return c ? c : task_key_cmp(a->pid, a->start_ns, b->pid, b->start_ns);
}

struct model *model_new(uint64_t start_mono_ns, proc_info_fn info_fn, void *info_ctx)
{
	struct model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->start_mono_ns = start_mono_ns;
	m->info_fn = info_fn;
	m->info_ctx = info_ctx;
	m->disk = disk_model_new();
	if (!m->disk) {
		free(m);
		return NULL;
	}
	return m;
}

void model_free(struct model *m)
{
	if (!m)
		return;
	snapshot_put(m->prev);
	disk_model_free(m->disk);
	free(m->dead);
	free(m);
}

/*
 * Thread rows for this interval: the sample's records, deduplicated, plus an
 * exited row for every thread of the previous snapshot that vanished without
 * an exit record. Every ended thread's final counters go to its process's
 * accumulator, so process totals never go backwards.
 */
static int build_threads(struct model *m, const struct sample *s, struct row **out, size_t *nout)
{
	const struct snapshot *prev = m->prev;
	size_t cap = s->nrecs + (prev ? prev->nthreads : 0);
	struct row *th = calloc(cap ? cap : 1, sizeof(*th));
	size_t n = 0, w = 0;

	if (!th)
		return -ENOMEM;
	for (size_t i = 0; i < s->nrecs; i++)
		row_from_rec(&th[n++], &s->recs[i]);
	qsort(th, n, sizeof(*th), thread_key_cmp);
	for (size_t i = 0; i < n; i++) {
		const struct row *old;

		/* One row per thread: the exit record sorts first and carries the final counters. */
		if (w > 0 && thread_same_cmp(&th[w - 1], &th[i]) == 0)
			continue;
		/* Already ended last interval; a late live record is stale. */
		old = prev ? bsearch_row(prev->threads, prev->nthreads, &th[i], thread_same_cmp)
			   : NULL;
		if (old && (old->flags & ROW_EXITED))
			continue;
		th[w++] = th[i];
	}
	n = w;
	for (size_t i = 0; i < n; i++) {
		if ((th[i].flags & ROW_EXITED) && dead_add(m, th[i].tgid, th[i].pstart_ns, &th[i].tot))
			goto nomem;
	}
	for (size_t i = 0; prev && i < prev->nthreads; i++) {
		const struct row *old = &prev->threads[i];

		if (old->flags & ROW_EXITED)
			continue;
		if (bsearch_row(th, w, old, thread_same_cmp))
			continue;
		th[n] = *old;
		th[n].info = NULL;
		th[n].flags |= ROW_EXITED;
		th[n].state = 'X';
		if (dead_add(m, old->tgid, old->pstart_ns, &old->tot))
			goto nomem;
		n++;
	}
	qsort(th, n, sizeof(*th), thread_key_cmp);
	*out = th;
	*nout = n;
	return 0;
nomem:
	free(th);
	return -ENOMEM;
}

/* Process rows from grouped thread rows; threads[] must be sorted by thread_key_cmp. */
static int build_procs(struct model *m, struct snapshot *snap)
{
	const struct snapshot *prev = m->prev;
	size_t cap = snap->nthreads + (prev ? prev->nprocs : 0);
	struct row *pr = calloc(cap ? cap : 1, sizeof(*pr));
	size_t np = 0;

	if (!pr)
		return -ENOMEM;
	for (size_t i = 0; i < snap->nthreads;) {
		const struct row *t = &snap->threads[i], *lead = t;
		struct row *p = &pr[np++];
		struct dead_acc *d;
		size_t j = i;
		uint32_t live = 0;

		memset(&p->tot, 0, sizeof(p->tot));
		for (; j < snap->nthreads && snap->threads[j].tgid == t->tgid &&
		       snap->threads[j].pstart_ns == t->pstart_ns;
		     j++) {
			const struct row *x = &snap->threads[j];

			if (x->pid == x->tgid)
				lead = x;
			if (!(x->flags & ROW_EXITED)) {
				stats_add(&p->tot, &x->tot);
				live++;
			}
		}
		d = dead_find(m, t->tgid, t->pstart_ns);
		if (d)
			stats_add(&p->tot, &d->sum);
		p->pid = t->tgid;
		p->tgid = t->tgid;
		p->ppid = lead->ppid;
		p->uid = lead->uid;
		p->start_ns = t->pstart_ns;
		p->pstart_ns = t->pstart_ns;
		p->flags = (lead->flags & ROW_KTHREAD) | (live ? 0 : ROW_EXITED);
		p->state = live ? lead->state : 'X';
		if (live && (lead->flags & ROW_EXITED))
			p->state = 'Z'; /* leader gone, other threads still running */
		memcpy(p->comm, lead->comm, sizeof(p->comm));
		p->nthreads = live;
		p->thread_first = (uint32_t)i;
		p->thread_count = (uint32_t)(j - i);
		i = j;
	}
	/* Processes whose every thread vanished unseen: shown once as exited. */
	for (size_t i = 0; prev && i < prev->nprocs; i++) {
		const struct row *old = &prev->procs[i];
		struct dead_acc *d;
		struct row *p;

		if ((old->flags & ROW_EXITED) || bsearch_row(pr, np, old, proc_key_cmp))
			continue;
		p = &pr[np++];
		*p = *old;
		p->info = NULL;
		p->flags |= ROW_EXITED;
		p->state = 'X';
		p->nthreads = 0;
		p->thread_first = 0;
		p->thread_count = 0;
		d = dead_find(m, old->pid, old->start_ns);
		if (d)
			p->tot = d->sum;
	}
	qsort(pr, np, sizeof(*pr), proc_key_cmp);
	snap->procs = pr;
	snap->nprocs = np;
	return 0;
}

/* Shares /proc details with the previous snapshot; asks the collector for new processes. */
static void attach_info(struct model *m, struct row *p, const struct row *old)
{
	if (old && old->info && !strcmp(old->comm, p->comm)) {
		p->info = proc_info_get(old->info);
		return;
	}
	if (old && old->info && (p->flags & ROW_EXITED)) {
		p->info = proc_info_get(old->info); /* /proc has nothing left to say */
		return;
	}
	if (m->info_fn)
		p->info = m->info_fn(m->info_ctx, p->pid, p->start_ns, p->uid);
}

static void finish_rows(struct row *rows, size_t n, const struct row *prev, size_t nprev,
			int (*cmp)(const void *, const void *), unsigned avail, double dt)
{
	for (size_t i = 0; i < n; i++) {
		struct row *r = &rows[i];
		const struct row *old = prev ? bsearch_row(prev, nprev, r, cmp) : NULL;

		if (old)
			stats_delta(&r->delta, &r->tot, &old->tot);
		else
			r->delta = r->tot; /* counting began at zero when it started or we did */
		fill_row(r, avail, dt);
	}
}

/* Connection rows and events; process rows without connections get an empty range. */
static int conn_stage(struct snapshot *snap, const struct snapshot *prev, const struct sample *s,
		      double dt)
{
	for (size_t i = 0; i < snap->nprocs; i++)
		memset(&snap->procs[i].conn, 0, sizeof(snap->procs[i].conn));
	snap->conn_occ = s->conn_occ;
	if ((s->avail & NEED_CONN) && conn_build(snap, prev, s->conns, s->nconns, dt))
		return -ENOMEM;
	return conn_events_copy(snap, s->events, s->nevents);
}

static void sum_totals(struct model *m, struct snapshot *snap, double dt)
{
	struct row *t = &snap->total;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < snap->nprocs; i++) {
		stats_add(&t->delta, &snap->procs[i].delta);
		t->nthreads += snap->procs[i].nthreads;
		conn_total_add(t, &snap->procs[i]);
	}
	/* Exited processes leave the table, their bytes stay in the total. */
	stats_add(&m->sys_tot, &t->delta);
	t->tot = m->sys_tot;
	fill_row(t, snap->avail, dt);
	for (int f = 0; f < F_NUM; f++) {
		if (!(fields[f].flags & FIELD_SUM))
			t->v[f] = NAN;
	}
	t->v[F_THREADS] = t->nthreads;
	snprintf(t->comm, sizeof(t->comm), "total");
}

struct snapshot *model_update(struct model *m, const struct sample *s)
{
	const struct snapshot *prev = m->prev;
	struct snapshot *snap = calloc(1, sizeof(*snap));
	uint64_t since = prev ? prev->mono_ns : m->start_mono_ns;
	double dt;

	if (!snap)
		return NULL;
	snap->refs = 1;
	snap->seq = ++m->seq;
	snap->mono_ns = s->mono_ns;
	snap->wall_ns = s->wall_ns;
	snap->interval_ns = s->mono_ns > since ? s->mono_ns - since : 1;
	dt = (double)snap->interval_ns / 1e9;
	memcpy(snap->errors, s->errors, sizeof(snap->errors));
	snap->avail = s->avail;
	snap->ncpus = s->ncpus;
	snap->self_cpu_pct = s->self_cpu_pct;
	snap->nprogs = s->nprogs < MAX_PROGS ? s->nprogs : MAX_PROGS;
	memcpy(snap->progs, s->progs, sizeof(snap->progs[0]) * (size_t)snap->nprogs);
	if (s->status)
		snprintf(snap->status, sizeof(snap->status), "%s", s->status);
	if (s->features)
		snap->features = *s->features;

	if (build_threads(m, s, &snap->threads, &snap->nthreads) || build_procs(m, snap)) {
		snapshot_put(snap);
		return NULL;
	}
	for (size_t i = 0; i < snap->nprocs; i++) {
		struct row *p = &snap->procs[i];
		const struct row *old =
			prev ? bsearch_row(prev->procs, prev->nprocs, p, proc_key_cmp) : NULL;

		attach_info(m, p, old);
		for (uint32_t k = 0; k < p->thread_count; k++) {
			struct row *t = &snap->threads[p->thread_first + k];

			t->info = proc_info_get(p->info);
			t->ppid = p->ppid;
		}
	}
	if (conn_stage(snap, prev, s, dt)) {
		snapshot_put(snap);
		return NULL;
	}
	finish_rows(snap->procs, snap->nprocs, prev ? prev->procs : NULL,
		    prev ? prev->nprocs : 0, proc_key_cmp, snap->avail, dt);
	finish_rows(snap->threads, snap->nthreads, prev ? prev->threads : NULL,
		    prev ? prev->nthreads : 0, thread_same_cmp, snap->avail, dt);
	sum_totals(m, snap, dt);
	if (disk_model_update(m->disk, snap, s, dt)) {
		snapshot_put(snap);
		return NULL;
	}

	dead_sweep(m, snap);
	snapshot_put(m->prev);
	m->prev = snapshot_get(snap);
	return snap;
}

struct sort_ctx {
	int field;
	bool desc;
};

static int row_cmp(const struct row *a, const struct row *b, int field, bool desc)
{
	int c = 0;

	if (fields[field].type == FT_STR) {
		const char *x = row_str(a, field), *y = row_str(b, field);

		c = strcmp(x ? x : "", y ? y : "");
	} else {
		double x = a->v[field], y = b->v[field];

		/* Unavailable values sort last in either direction. */
		if (isnan(x) || isnan(y))
			return isnan(x) - isnan(y);
		c = x < y ? -1 : x > y ? 1 : 0;
	}
	if (desc)
		c = -c;
	if (c == 0)
		c = task_key_cmp(a->pid, a->start_ns, b->pid, b->start_ns);
	return c;
}

static int row_cmp_r(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *ctx = arg;

	return row_cmp(pa, pb, ctx->field, ctx->desc);
}

static int row_ptr_cmp_r(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *ctx = arg;

	return row_cmp(*(const struct row *const *)pa, *(const struct row *const *)pb, ctx->field,
		       ctx->desc);
}

void rows_sort(struct row *rows, size_t n, int field, bool desc)
{
	struct sort_ctx ctx = {field, desc};

	if (n > 1)
		qsort_r(rows, n, sizeof(*rows), row_cmp_r, &ctx);
}

void row_ptrs_sort(const struct row **rows, size_t n, int field, bool desc)
{
	struct sort_ctx ctx = {field, desc};

	if (n > 1)
		qsort_r(rows, n, sizeof(*rows), row_ptr_cmp_r, &ctx);
}

const char *row_str(const struct row *r, int field)
{
	static const char *const states[] = {"R", "S", "D", "T", "Z", "X", "I"};
	const char *st = "RSDTZXI", *hit;

	switch (field) {
	case F_COMM:
		return r->comm;
	case F_USER:
		return r->info && r->info->user[0] ? r->info->user : NULL;
	case F_CMD:
		return r->info && r->info->cmdline ? r->info->cmdline : NULL;
	case F_CGROUP:
		return r->info ? r->info->cgroup : NULL;
	case F_STATE:
		hit = strchr(st, r->state);
		return hit && r->state ? states[hit - st] : "?";
	default:
		return NULL;
	}
}
