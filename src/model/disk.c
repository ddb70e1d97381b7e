// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Per-disk rows and per-process latency summaries of a snapshot, from the kernel's histograms. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "model/disk.h"
#include "model/hist.h"

/* The previous sample's cumulative values, to take differences against. */
struct disk_model {
	struct disk_lat_rec *lats; /* sorted by key */
	size_t nlats, lat_cap;
	struct ebtop_disk_dev *devs; /* sorted by dev */
	size_t ndevs, dev_cap;
	uint32_t scratch[EBTOP_HIST_BUCKETS];
	uint32_t svc[EBTOP_HIST_BUCKETS];
};

struct disk_model *disk_model_new(void)
{
	return calloc(1, sizeof(struct disk_model));
}

void disk_model_free(struct disk_model *dm)
{
	if (!dm)
		return;
	free(dm->lats);
	free(dm->devs);
	free(dm);
}

static int lat_key_cmp(const void *pa, const void *pb)
{
	const struct ebtop_disk_lat_key *a = pa, *b = pb;

	if (a->tgid != b->tgid)
		return a->tgid < b->tgid ? -1 : 1;
	return a->pstart_ns < b->pstart_ns ? -1 : a->pstart_ns > b->pstart_ns;
}

static int dev_cmp(const void *pa, const void *pb)
{
	const struct ebtop_disk_dev *a = pa, *b = pb;

	return a->dev < b->dev ? -1 : a->dev > b->dev;
}

static void summarize(struct lat_summary *o, uint32_t *scratch, const struct ebtop_hist *cur,
		      const struct ebtop_hist *prev)
{
	uint64_t sum, n = hist_delta(scratch, cur, prev, &sum);

	hist_summary(o, scratch, n, sum);
}

static void set_lat(double *v, const struct lat_summary *q, const struct lat_summary *s)
{
	v[F_IO_LAT] = q->avg;
	v[F_IO_LAT_MIN] = q->min;
	v[F_IO_LAT_P50] = q->p50;
	v[F_IO_LAT_P99] = q->p99;
	v[F_IO_LAT_MAX] = q->max;
	v[F_IO_SVC] = s->avg;
	v[F_IO_SVC_MIN] = s->min;
	v[F_IO_SVC_P50] = s->p50;
	v[F_IO_SVC_P99] = s->p99;
	v[F_IO_SVC_MAX] = s->max;
}

static void proc_latency(struct disk_model *dm, struct row *r, const struct sample *s)
{
	struct ebtop_disk_lat_key k = {.tgid = r->pid, .pstart_ns = r->start_ns};
	const struct disk_lat_rec *cur, *prev;
	struct lat_summary q, sv;

	cur = s->nlats ? bsearch(&k, s->lats, s->nlats, sizeof(*s->lats), lat_key_cmp) : NULL;
	if (!cur)
		return; /* no request ended: latency stays unavailable */
	prev = dm->nlats ? bsearch(&k, dm->lats, dm->nlats, sizeof(*dm->lats), lat_key_cmp) : NULL;
	summarize(&q, dm->scratch, &cur->lat.q, prev ? &prev->lat.q : NULL);
	summarize(&sv, dm->scratch, &cur->lat.s, prev ? &prev->lat.s : NULL);
	set_lat(r->v, &q, &sv);
}

static void disk_row_fill(struct disk_model *dm, struct disk_row *d,
			  const struct ebtop_disk_dev *cur, double dt)
{
	/* bsearch() on an empty table still wants a non-NULL base (UBSan). */
	const struct ebtop_disk_dev *prev =
	    dm->ndevs ? bsearch(cur, dm->devs, dm->ndevs, sizeof(*dm->devs), dev_cmp) : NULL;
	uint64_t sum, n, qn = 0, qsum = 0, sn = 0, ssum = 0;
	uint32_t *tmp = dm->scratch, *svc = dm->svc;

	memset(d, 0, sizeof(*d));
	memcpy(d->name, cur->name, sizeof(d->name));
	d->name[sizeof(d->name) - 1] = '\0';
	d->dev = cur->dev;
	for (int op = 0; op < EBTOP_DISK_NOPS; op++) {
		uint64_t db = cur->bytes[op] - (prev ? prev->bytes[op] : 0);
		uint64_t di = cur->ios[op] - (prev ? prev->ios[op] : 0);

		d->bytes[op] = cur->bytes[op];
		d->ios[op] = cur->ios[op];
		d->bytes_rate[op] = (double)db / dt;
		d->iops[op] = (double)di / dt;
	}
	/* Per direction, then both together. */
	memset(dm->svc, 0, sizeof(dm->svc));
	for (int op = 0; op < EBTOP_DISK_NOPS; op++) {
		n = hist_delta(tmp, &cur->lat[op].q, prev ? &prev->lat[op].q : NULL, &sum);
		hist_summary(&d->op_lat[op], tmp, n, sum);
		for (unsigned i = 0; i < EBTOP_HIST_BUCKETS; i++)
			d->hist[i] += tmp[i];
		qn += n;
		qsum += sum;
		n = hist_delta(tmp, &cur->lat[op].s, prev ? &prev->lat[op].s : NULL, &sum);
		for (unsigned i = 0; i < EBTOP_HIST_BUCKETS; i++)
			svc[i] += tmp[i];
		sn += n;
		ssum += sum;
	}
	hist_summary(&d->lat, d->hist, qn, qsum);
	hist_summary(&d->svc, svc, sn, ssum);
}

static int keep(void **dst, size_t *cap, size_t *n, const void *src, size_t count, size_t size)
{
	if (count > *cap) {
		void *p = realloc(*dst, count * size);

		if (!p)
			return -ENOMEM;
		*dst = p;
		*cap = count;
	}
	if (count)
		memcpy(*dst, src, count * size);
	*n = count;
	return 0;
}

static void blank(struct row *r)
{
	for (int f = 0; f < F_NUM; f++) {
		if (fields[f].need & NEED_DISK)
			r->v[f] = NAN;
	}
}

int disk_model_update(struct disk_model *dm, struct snapshot *snap, const struct sample *s,
		      double dt)
{
	if (!(s->avail & NEED_DISK)) {
		for (size_t i = 0; i < snap->nprocs; i++)
			blank(&snap->procs[i]);
		for (size_t i = 0; i < snap->nthreads; i++)
			blank(&snap->threads[i]);
		blank(&snap->total);
		return 0;
	}
	if (s->ndisks) {
		snap->disks = calloc(s->ndisks, sizeof(*snap->disks));
		if (!snap->disks)
			return -ENOMEM;
		for (size_t i = 0; i < s->ndisks; i++)
			disk_row_fill(dm, &snap->disks[i], &s->disks[i], dt);
		snap->ndisks = s->ndisks;
	}
	for (size_t i = 0; i < snap->nprocs; i++)
		proc_latency(dm, &snap->procs[i], s);
	if (keep((void **)&dm->lats, &dm->lat_cap, &dm->nlats, s->lats, s->nlats,
		 sizeof(*s->lats)) ||
	    keep((void **)&dm->devs, &dm->dev_cap, &dm->ndevs, s->disks, s->ndisks,
		 sizeof(*s->disks)))
		return -ENOMEM;
	return 0;
}
