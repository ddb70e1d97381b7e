// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Disk and file field values from the per-thread block and file counters. */
#include <math.h>
#include "model/fill.h"

/* Socket bytes moved by the thread: read()/write() on a socket count in rchar/wchar too. */
static double net_bytes(const struct ebtop_net_counters *c, int dir)
{
	double s = 0;

	for (int p = 0; p < EBTOP_NPROTO; p++)
		for (int f = 0; f < EBTOP_NFAM; f++)
			s += (double)c->c[p][f][dir].bytes;
	return s;
}

static double file_bytes(const struct ebtop_task_stats *st, int dir)
{
	double io = (double)(dir == EBTOP_RX ? st->disk.file_rd : st->disk.file_wr);
	double b = io - net_bytes(&st->net, dir);

	/* recv()/send() move socket bytes outside rchar/wchar: never below zero. */
	return b > 0 ? b : 0;
}

/* The kernel's own write attribution: at dirtying time, less what truncation cancelled. */
static double dirtied(const struct ebtop_disk_counters *c)
{
	return c->dirtied > c->cancelled ? (double)(c->dirtied - c->cancelled) : 0;
}

void fill_disk(struct row *r, double dt)
{
	const struct ebtop_disk_counters *t = &r->tot.disk, *d = &r->delta.disk;
	double *v = r->v, ios = (double)(d->ios[0] + d->ios[1]), frd;

	v[F_DISK_R_RATE] = (double)d->bytes[EBTOP_DISK_READ] / dt;
	v[F_DISK_W_RATE] = (double)d->bytes[EBTOP_DISK_WRITE] / dt;
	v[F_R_IOPS] = (double)d->ios[EBTOP_DISK_READ] / dt;
	v[F_W_IOPS] = (double)d->ios[EBTOP_DISK_WRITE] / dt;
	v[F_DISK_R_TOTAL] = (double)t->bytes[EBTOP_DISK_READ];
	v[F_DISK_W_TOTAL] = (double)t->bytes[EBTOP_DISK_WRITE];
	v[F_R_IOS_TOTAL] = (double)t->ios[EBTOP_DISK_READ];
	v[F_W_IOS_TOTAL] = (double)t->ios[EBTOP_DISK_WRITE];
	v[F_SEQ_PCT] = ios > 0 ? 100.0 * (double)(d->seq[0] + d->seq[1]) / ios : NAN;
	frd = file_bytes(&r->delta, EBTOP_RX);
	v[F_FILE_R_RATE] = frd / dt;
	v[F_FILE_W_RATE] = file_bytes(&r->delta, EBTOP_TX) / dt;
	v[F_FILE_R_TOTAL] = file_bytes(&r->tot, EBTOP_RX);
	v[F_FILE_W_TOTAL] = file_bytes(&r->tot, EBTOP_TX);
	v[F_DIRTY_W_RATE] = dirtied(d) / dt;
	v[F_DIRTY_W_TOTAL] = dirtied(t);
	/* Reads the page cache served: file bytes read that no block read had to fetch. */
	if (frd > 0) {
		double hit = 1.0 - (double)d->bytes[EBTOP_DISK_READ] / frd;

		v[F_CACHE_PCT] = 100.0 * (hit < 0 ? 0 : hit);
	}
}
