// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The block I/O part of the BPF collector: program choice, map sizes, per-interval reads. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "ebtop.skel.h"
#include "collect/disk.h"
#include "collect/loader.h"
#include "core/grow.h"

void disk_configure(struct ebtop_bpf *skel, const struct collect_opts *o)
{
	bpf_map__set_max_entries(skel->maps.disk_proc_lat, o->disk_procs ? o->disk_procs : 4096);
	bpf_map__set_max_entries(skel->maps.disk_inflight,
				 o->disk_inflight ? o->disk_inflight : 16384);
}

bool disk_select(struct ebtop_bpf *skel, const struct select_ctx *sc, bool want)
{
	const struct btf *vmlinux = sc->vmlinux;
	struct bpf_program *io[] = {skel->progs.disk_io_start, skel->progs.disk_rq_issue,
				    skel->progs.disk_io_done, skel->progs.disk_bio_backmerge,
				    skel->progs.disk_bio_frontmerge};
	struct bpf_program *rq[] = {skel->progs.disk_rq_insert, skel->progs.disk_rq_issue_old,
				    skel->progs.disk_rq_complete};
	bool new_hooks = !loader_refused(sc->ld, HS_DISK_IO) &&
			 kernel_has_tracepoint(vmlinux, "block_io_start") &&
			 kernel_has_tracepoint(vmlinux, "block_io_done") &&
			 kernel_has_tracepoint(vmlinux, "block_rq_issue") &&
			 kernel_has_tracepoint(vmlinux, "block_bio_backmerge") &&
			 kernel_has_tracepoint(vmlinux, "block_bio_frontmerge");
	bool old_hooks = !loader_refused(sc->ld, HS_DISK_RQ) &&
			 kernel_has_tracepoint(vmlinux, "block_rq_insert") &&
			 kernel_has_tracepoint(vmlinux, "block_rq_issue") &&
			 kernel_has_tracepoint(vmlinux, "block_rq_complete");
	bool dirty = !loader_refused(sc->ld, HS_WRITEBACK) &&
		     kernel_has_tracepoint(vmlinux, "writeback_dirty_folio");
	const char *force = getenv("EBTOP_DISK_HOOKS");

	/* EBTOP_DISK_HOOKS=rq: the older kernels' hooks on a new kernel, for the tests. */
	if (force && !strcmp(force, "rq") && old_hooks)
		new_hooks = false;

	if (want && !new_hooks && !old_hooks) {
		/* A refusal is explained by the loader; a missing hook here. */
		if (!loader_refused(sc->ld, HS_DISK_IO) && !loader_refused(sc->ld, HS_DISK_RQ))
			features_say(
			    sc->fs, FEAT_DISK, true,
			    "disk columns unavailable: this kernel has neither "
			    "block:block_io_start/done nor block:block_rq_insert/issue/complete");
		want = false;
	}
	for (size_t i = 0; i < sizeof(io) / sizeof(io[0]); i++)
		bpf_program__set_autoload(io[i], want && new_hooks);
	for (size_t i = 0; i < sizeof(rq) / sizeof(rq[0]); i++)
		bpf_program__set_autoload(rq[i], want && !new_hooks);
	bpf_program__set_autoload(skel->progs.disk_dirty_folio, want && dirty);
	if (want && !dirty && !loader_refused(sc->ld, HS_WRITEBACK))
		features_say(sc->fs, FEAT_WRITEBACK, true,
			     "write-back is credited to the kernel thread that does it: this "
			     "kernel has no writeback:writeback_dirty_folio tracepoint");
	return want;
}

static int key_cmp(const void *pa, const void *pb)
{
	const struct ebtop_disk_lat_key *a = pa, *b = pb;

	if (a->tgid != b->tgid)
		return a->tgid < b->tgid ? -1 : 1;
	return a->pstart_ns < b->pstart_ns ? -1 : a->pstart_ns > b->pstart_ns;
}

/* Live processes as a sorted key array, to find latency entries of the dead. */
static int live_set(struct disk_reader *r, const struct ebtop_task_rec *recs, size_t n)
{
	size_t k = 0;

	if (grow_array((void **)&r->live, &r->live_cap, n + 1, sizeof(*r->live), 16))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (recs[i].kind != EBTOP_REC_LIVE)
			continue;
		r->live[k].tgid = recs[i].tgid;
		r->live[k].__pad = 0;
		r->live[k].pstart_ns = recs[i].pstart_ns;
		k++;
	}
	if (k) /* qsort() and bsearch() want a non-NULL base even when empty */
		qsort(r->live, k, sizeof(*r->live), key_cmp);
	r->nlive = k;
	return 0;
}

static int read_lats(struct disk_reader *r, struct ebtop_bpf *skel)
{
	int fd = bpf_map__fd(skel->maps.disk_proc_lat);
	struct ebtop_disk_lat_key key, next, *prev = NULL;
	size_t n = 0;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		if (grow_array((void **)&r->lats, &r->lat_cap, n + 1, sizeof(*r->lats), 16))
			return -ENOMEM;
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &r->lats[n].lat))
			continue; /* deleted meanwhile */
		r->lats[n++].key = key;
	}
	if (n)
		qsort(r->lats, n, sizeof(*r->lats), key_cmp);
	r->nlats = n;
	/* After the walk (deleting during it would restart it); this sample still has them. */
	for (size_t i = 0; i < n; i++) {
		const struct ebtop_disk_lat_key *k = &r->lats[i].key;

		if (k->tgid &&
		    (!r->nlive || !bsearch(k, r->live, r->nlive, sizeof(*r->live), key_cmp)))
			bpf_map_delete_elem(fd, k);
	}
	return 0;
}

static int dev_cmp(const void *pa, const void *pb)
{
	const struct ebtop_disk_dev *a = pa, *b = pb;

	return a->dev < b->dev ? -1 : a->dev > b->dev;
}

/* One disk's per-CPU copies added up; the name is in the copy of the CPU that created it. */
static void dev_sum(struct ebtop_disk_dev *d, const struct ebtop_disk_dev *pc, int ncpus)
{
	memset(d, 0, sizeof(*d));
	for (int cpu = 0; cpu < ncpus; cpu++) {
		const struct ebtop_disk_dev *c = &pc[cpu];

		if (!d->name[0] && c->name[0])
			memcpy(d->name, c->name, sizeof(d->name));
		for (int op = 0; op < EBTOP_DISK_NOPS; op++) {
			const struct ebtop_disk_lat *cl = &c->lat[op];
			struct ebtop_disk_lat *dl = &d->lat[op];

			d->bytes[op] += c->bytes[op];
			d->ios[op] += c->ios[op];
			dl->q.count += cl->q.count;
			dl->q.sum_ns += cl->q.sum_ns;
			dl->s.count += cl->s.count;
			dl->s.sum_ns += cl->s.sum_ns;
			for (unsigned i = 0; i < EBTOP_HIST_BUCKETS; i++) {
				dl->q.b[i] += cl->q.b[i];
				dl->s.b[i] += cl->s.b[i];
			}
		}
	}
	d->name[sizeof(d->name) - 1] = '\0';
}

static int read_devs(struct disk_reader *r, struct ebtop_bpf *skel)
{
	int fd = bpf_map__fd(skel->maps.disk_devs);
	__u32 key, next, *prev = NULL;
	size_t n = 0;

	if (!r->percpu) {
		r->percpu = calloc((size_t)r->ncpus, sizeof(*r->percpu));
		if (!r->percpu)
			return -ENOMEM;
	}
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		if (grow_array((void **)&r->devs, &r->dev_cap, n + 1, sizeof(*r->devs), 16))
			return -ENOMEM;
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, r->percpu))
			continue;
		dev_sum(&r->devs[n], r->percpu, r->ncpus);
		r->devs[n].dev = key;
		n++;
	}
	if (n)
		qsort(r->devs, n, sizeof(*r->devs), dev_cmp);
	r->ndevs = n;
	return 0;
}

int disk_read(struct disk_reader *r, struct ebtop_bpf *skel, struct sample *s,
	      const struct ebtop_task_rec *recs, size_t nrecs)
{
	int err = live_set(r, recs, nrecs);

	if (!err)
		err = read_lats(r, skel);
	if (!err)
		err = read_devs(r, skel);
	if (err)
		return err;
	s->lats = r->lats;
	s->nlats = r->nlats;
	s->disks = r->devs;
	s->ndisks = r->ndevs;
	return 0;
}

bool disk_kernel_rec(struct disk_reader *r, struct ebtop_bpf *skel, struct ebtop_task_rec *rec)
{
	struct ebtop_disk_counters vals[r->ncpus > 0 ? r->ncpus : 1], sum;
	__u64 *d = (__u64 *)&sum;
	__u32 zero = 0;
	bool any = false;

	memset(&sum, 0, sizeof(sum));
	if (r->ncpus <= 0 || bpf_map_lookup_elem(bpf_map__fd(skel->maps.disk_kernel), &zero, vals))
		return false;
	for (int cpu = 0; cpu < r->ncpus; cpu++) {
		const __u64 *v = (const __u64 *)&vals[cpu];

		for (size_t i = 0; i < sizeof(sum) / sizeof(__u64); i++)
			d[i] += v[i];
	}
	for (size_t i = 0; i < sizeof(sum) / sizeof(__u64); i++)
		any |= d[i] != 0;
	if (!any)
		return false;
	/* A row of its own: pid 0 is never a real process in the task iterator. */
	memset(rec, 0, sizeof(*rec));
	rec->kind = EBTOP_REC_LIVE;
	rec->has_stats = 1;
	rec->pflags = 0x00200000; /* PF_KTHREAD */
	rec->state = 0x402;	  /* idle */
	snprintf(rec->comm, sizeof(rec->comm), "kernel");
	rec->st.disk = sum;
	return true;
}

void disk_reader_free(struct disk_reader *r)
{
	free(r->lats);
	free(r->devs);
	free(r->percpu);
	free(r->live);
	memset(r, 0, sizeof(*r));
}
