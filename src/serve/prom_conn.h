/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Per-connection Prometheus series: opt-in, the busiest N by bytes, monotonic counters. */
#ifndef EBTOP_SERVE_PROM_CONN_H
#define EBTOP_SERVE_PROM_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/buf.h"
#include "model/model.h"
#include "serve/prom.h"

struct prom_conns_opts {
	size_t top;	   /* series exported one by one; the rest fold into comm="other" */
	size_t max_series; /* series tracked at most; beyond, new ones count in "other" */
	uint64_t
	    idle_ttl_ns; /* an exported series whose connections all closed is kept this long */
	/* Connections that do not match are not exported (the --metrics-filter); NULL: all. */
	bool (*match)(const struct conn *c, const struct row *owner, void *ctx);
	void *match_ctx;
};

struct prom_conns;

struct prom_conns *prom_conns_new(const struct prom_conns_opts *o);
void prom_conns_free(struct prom_conns *pc);
/* Folds one snapshot's connections in; called for every snapshot, in order. */
int prom_conns_update(struct prom_conns *pc, const struct snapshot *s)
    __attribute__((warn_unused_result));
/* The connection families and their self-metrics, for the last update. */
int prom_conns_render(const struct prom_conns *pc, enum prom_format f, struct buf *b) BUF_CHECK;

struct prom_conns_stats {
	size_t tracked;		   /* series in memory */
	size_t exported;	   /* exported one by one */
	size_t folded_series;	   /* live series folded into "other" */
	size_t folded_connections; /* open connections counted in "other" */
};
void prom_conns_stats(const struct prom_conns *pc, struct prom_conns_stats *st);

#endif
