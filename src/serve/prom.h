/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The Prometheus exporter: bounded, monotonic per-series counters and their text formats. */
#ifndef EBTOP_SERVE_PROM_H
#define EBTOP_SERVE_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/buf.h"
#include "model/model.h"

#define PROM_L_COMM   (1u << 0)
#define PROM_L_USER   (1u << 1)
#define PROM_L_CGROUP (1u << 2)
#define PROM_L_PID    (1u << 3)

struct prom_opts {
	unsigned labels;      /* PROM_L_*: processes with equal labels share one series */
	size_t top;           /* series exported one by one; the rest fold into comm="other" */
	int sort_field;       /* ranks series: the field summed over their processes */
	uint64_t idle_ttl_ns; /* a series whose processes all ended is kept this long */
	size_t max_series;    /* series tracked at most; beyond, new ones count in "other" */
	/* --metrics-filter: processes that do not match are not exported. NULL: all match. */
	bool (*match)(const struct row *r, void *ctx);
	void *match_ctx;
	/* Per-connection series (--metrics-connections): off unless conns is set. */
	bool conns;
	size_t conns_top; /* connection series exported one by one; the rest fold into "other" */
	bool (*match_conn)(const struct conn *c, const struct row *owner, void *ctx);
	void *match_conn_ctx;
};

enum prom_format { PROM_FMT_TEXT, PROM_FMT_OPENMETRICS };

#define PROM_CT_TEXT        "text/plain; version=0.0.4; charset=utf-8"
#define PROM_CT_OPENMETRICS "application/openmetrics-text; version=1.0.0; charset=utf-8"

/* Facts about one interval that the snapshot does not carry. */
struct prom_self {
	double collect_s; /* reading the collector and building the snapshot */
	const char *version;
};

struct prom_exporter;

void prom_opts_default(struct prom_opts *o);
struct prom_exporter *prom_exporter_new(const struct prom_opts *o);
void prom_exporter_free(struct prom_exporter *e);

/*
 * Folds one snapshot into the series: called for every snapshot, in order,
 * so that processes ending between two scrapes still count. -ENOMEM leaves
 * the previous state intact.
 */
int prom_exporter_update(struct prom_exporter *e, const struct snapshot *s)
	__attribute__((warn_unused_result));

/*
 * The exposition of the last update: process series and self-metrics. The
 * caller appends prom_render_tail() (ebtop_up, and "# EOF" for OpenMetrics).
 */
int prom_render(const struct prom_exporter *e, const struct prom_self *self, enum prom_format f,
		struct buf *b) BUF_CHECK;
int prom_render_tail(struct buf *b, enum prom_format f, bool up) BUF_CHECK;

/* Series counts of the last update, for tests and self-metrics. */
struct prom_stats {
	size_t tracked;          /* series in memory */
	size_t exported;         /* exported one by one */
	size_t folded_series;    /* folded into "other" this interval */
	size_t folded_processes; /* live processes in those series */
};
void prom_exporter_stats(const struct prom_exporter *e, struct prom_stats *st);

#endif
