// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Recent history of system totals and of every process, for the graphs; pure. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "tui/hist.h"

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->fields[HM_TX][0] = F_TX_RATE;
	h->fields[HM_TX][1] = -1;
	h->fields[HM_RX][0] = F_RX_RATE;
	h->fields[HM_RX][1] = -1;
	h->fields[HM_CPU][0] = field_lookup("cpu");
	h->fields[HM_CPU][1] = -1;
	h->fields[HM_DISK][0] = field_lookup("disk_r");
	h->fields[HM_DISK][1] = field_lookup("disk_w");
	for (int m = 0; m < HM_NUM; m++) {
		for (int i = 0; i < HIST_SYS_LEN; i++)
			h->sys[m][i] = NAN;
	}
}

void hist_free(struct hist *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->p[i].v);
	free(h->p);
	h->p = NULL;
	h->n = 0;
}

bool hist_metric_avail(const struct hist *h, int m, unsigned avail)
{
	for (int k = 0; k < 2; k++) {
		int f = h->fields[m][k];

		if (f >= 0 && (avail & fields[f].need) == fields[f].need)
			return true;
	}
	return false;
}

double hist_value(const struct hist *h, int m, const struct row *r)
{
	double sum = NAN;

	for (int k = 0; k < 2; k++) {
		int f = h->fields[m][k];

		if (f < 0 || isnan(r->v[f]))
			continue;
		sum = isnan(sum) ? r->v[f] : sum + r->v[f];
	}
	return sum;
}

static void record(struct hist *h, struct hist_proc *e, const struct row *r)
{
	size_t at = h->count % HIST_PROC_LEN;
	double v[HM_NUM];
	bool any = false;

	for (int m = 0; m < HM_NUM; m++) {
		v[m] = hist_value(h, m, r);
		any |= !isnan(v[m]) && v[m] != 0;
	}
	if (!e->v && any) {
		/* Idle processes cost no ring; the zeros before the first activity are real. */
		e->v = calloc(HM_NUM * HIST_PROC_LEN, sizeof(float));
	}
	if (!e->v)
		return;
	for (int m = 0; m < HM_NUM; m++)
		e->v[m * HIST_PROC_LEN + at] = (float)v[m];
}

int hist_update(struct hist *h, const struct snapshot *s)
{
	struct hist_proc *np = calloc(s->nprocs ? s->nprocs : 1, sizeof(*np));
	size_t j = 0;

	if (!np)
		return -ENOMEM;
	/* Both lists are sorted by (pid, start): one merge keeps the survivors. */
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct row *r = &s->procs[i];
		int c = 1;

		while (j < h->n &&
		       (c = task_key_cmp(h->p[j].pid, h->p[j].start_ns, r->pid, r->start_ns)) < 0) {
			free(h->p[j].v);
			j++;
		}
		if (j < h->n && c == 0) {
			np[i] = h->p[j];
			h->p[j++].v = NULL;
		} else {
			np[i] = (struct hist_proc){r->pid, r->start_ns, h->count, NULL};
		}
		record(h, &np[i], r);
	}
	for (; j < h->n; j++)
		free(h->p[j].v);
	free(h->p);
	h->p = np;
	h->n = s->nprocs;
	for (int m = 0; m < HM_NUM; m++)
		h->sys[m][h->count % HIST_SYS_LEN] = (float)hist_value(h, m, &s->total);
	h->count++;
	return 0;
}

static int copy_ring(const float *ring, size_t len, uint64_t count, uint64_t have, float *out,
		     int n)
{
	int real = (int)(have < (uint64_t)n ? have : (uint64_t)n);

	if (real > (int)len)
		real = (int)len;
	for (int i = 0; i < n; i++) {
		int back = n - i; /* 1 = the newest */

		if (back > real || !ring)
			out[i] = back > real ? NAN : 0;
		else
			out[i] = ring[(count - (uint64_t)back) % len];
	}
	return real;
}

int hist_sys(const struct hist *h, int m, float *out, int n)
{
	return copy_ring(h->sys[m], HIST_SYS_LEN, h->count, h->count, out, n);
}

int hist_proc(const struct hist *h, uint32_t pid, uint64_t start_ns, int m, float *out, int n)
{
	size_t lo = 0, hi = h->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = task_key_cmp(h->p[mid].pid, h->p[mid].start_ns, pid, start_ns);

		if (c == 0) {
			const struct hist_proc *e = &h->p[mid];

			return copy_ring(e->v ? e->v + m * HIST_PROC_LEN : NULL, HIST_PROC_LEN,
					 h->count, h->count - e->born, out, n);
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return copy_ring(NULL, HIST_PROC_LEN, h->count, 0, out, n);
}
