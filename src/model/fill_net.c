// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Network field values from the socket byte counters. */
#include "model/fill.h"

static double sum_dir(const struct ebtop_net_counters *c, int dir, int proto, int fam, bool calls)
{
	double s = 0;

	for (int p = 0; p < EBTOP_NPROTO; p++) {
		if (proto >= 0 && p != proto)
			continue;
		for (int f = 0; f < EBTOP_NFAM; f++) {
			if (fam >= 0 && f != fam)
				continue;
			s += (double)(calls ? c->c[p][f][dir].calls : c->c[p][f][dir].bytes);
		}
	}
	return s;
}

void fill_net(struct row *r, double dt)
{
	const struct ebtop_net_counters *t = &r->tot.net, *d = &r->delta.net;
	double *v = r->v;

	v[F_TX_RATE] = sum_dir(d, EBTOP_TX, -1, -1, false) / dt;
	v[F_RX_RATE] = sum_dir(d, EBTOP_RX, -1, -1, false) / dt;
	v[F_NET_RATE] = v[F_TX_RATE] + v[F_RX_RATE];
	v[F_TX_TOTAL] = sum_dir(t, EBTOP_TX, -1, -1, false);
	v[F_RX_TOTAL] = sum_dir(t, EBTOP_RX, -1, -1, false);
	v[F_TX_CALLS_RATE] = sum_dir(d, EBTOP_TX, -1, -1, true) / dt;
	v[F_RX_CALLS_RATE] = sum_dir(d, EBTOP_RX, -1, -1, true) / dt;
	v[F_TCP_TX_RATE] = sum_dir(d, EBTOP_TX, EBTOP_TCP, -1, false) / dt;
	v[F_TCP_RX_RATE] = sum_dir(d, EBTOP_RX, EBTOP_TCP, -1, false) / dt;
	v[F_UDP_TX_RATE] = sum_dir(d, EBTOP_TX, EBTOP_UDP, -1, false) / dt;
	v[F_UDP_RX_RATE] = sum_dir(d, EBTOP_RX, EBTOP_UDP, -1, false) / dt;
	v[F_TCP_TX_TOTAL] = sum_dir(t, EBTOP_TX, EBTOP_TCP, -1, false);
	v[F_TCP_RX_TOTAL] = sum_dir(t, EBTOP_RX, EBTOP_TCP, -1, false);
	v[F_UDP_TX_TOTAL] = sum_dir(t, EBTOP_TX, EBTOP_UDP, -1, false);
	v[F_UDP_RX_TOTAL] = sum_dir(t, EBTOP_RX, EBTOP_UDP, -1, false);
	v[F_V6_TX_TOTAL] = sum_dir(t, EBTOP_TX, -1, EBTOP_V6, false);
	v[F_V6_RX_TOTAL] = sum_dir(t, EBTOP_RX, -1, EBTOP_V6, false);
}
