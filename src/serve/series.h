/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Label-keyed series with a hash index: the bookkeeping of both Prometheus exporters. */
#ifndef EBTOP_SERVE_SERIES_H
#define EBTOP_SERVE_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERIES_MAX_LABELS 6

/*
 * One label set. Its value is acc + live: acc holds what members that left
 * counted, live what the live members count (for a gauge, their sum).
 */
struct series {
	char *key; /* label values joined by NUL bytes, then whatever else tells series apart */
	size_t keylen;
	uint64_t hash;
	const char *label[SERIES_MAX_LABELS]; /* point into key; NULL past the table's nlabels */
	uint32_t members;		      /* live members this interval */
	bool touched;			      /* a member left this interval */
	bool exported;			      /* exported one by one this interval */
	bool ever_exported;		      /* a scrape may have seen it */
	uint64_t idle_since; /* mono ns since it has had no members; 0 while it has */
	double score;	     /* ranks the series: the interval's sort value over members */
	double *acc;	     /* [nm] */
	double *live;	     /* [nm] */
	double *prev;	     /* [nm] value at the previous fold */
	double *folded;	     /* [nm] increments credited to "other" */
	double data[];
};

/* Counts of a fold. */
struct series_counts {
	size_t tracked;	       /* series in the table */
	size_t exported;       /* exported one by one */
	size_t folded;	       /* folded into "other" */
	size_t folded_live;    /* of those, the ones with live members */
	size_t folded_members; /* live members counted in "other", its own included */
};

/* The series of one exporter; owns them, "other" and the index. */
struct series_table {
	size_t nm;	   /* values per series */
	unsigned nlabels;  /* label values at the start of a key */
	size_t max_series; /* series tracked at most; beyond, new label sets count in "other" */
	bool *gauge;	   /* [nm] summed over live members; the others are counters */
	struct series **series;
	size_t nseries, series_cap;
	struct series **index; /* open addressing by hash */
	size_t index_cap;
	struct series *other;  /* the aggregate of everything not exported */
	double *other_fold;    /* [nm] increments of folded series (gauges: their values) */
	struct series **shown; /* exported ones of series[], in the exporter's label order */
	size_t nshown;
	struct series_counts counts; /* of the last fold */
};

/* All values are counters until the caller marks gauges in t->gauge. -ENOMEM on failure. */
int series_table_init(struct series_table *t, size_t nm, unsigned nlabels, size_t max_series,
		      const char *other_key, size_t other_keylen)
    __attribute__((warn_unused_result));
void series_table_fini(struct series_table *t);

/* Starts an interval: no members, no score, no live values yet. */
void series_table_begin(struct series_table *t);
/* The series of a label set, created when new; "other" once the table is full; NULL: -ENOMEM. */
struct series *series_table_get(struct series_table *t, const char *key, size_t keylen);
/* A member's values this interval, from base on; left: it ended, and what it counted stays. */
void series_add(const struct series_table *t, struct series *s, const double *cur,
		const double *base, bool left, double score);
/* A member leaves its series for another one: what it counted there stays. */
void series_retire(const struct series_table *t, struct series *s, const double *last,
		   const double *base);

/*
 * Drops series idle for ttl ns (and, with drop_unexported, idle ones no scrape
 * has seen), then the longest idle beyond max_series. Runs before
 * series_table_fold(), so that no exported series is freed.
 */
int series_table_expire(struct series_table *t, uint64_t now, uint64_t ttl, bool drop_unexported)
    __attribute__((warn_unused_result));
/*
 * Exports the top series by score, sorted into t->shown by shown_cmp (which
 * compares struct series pointers), credits the others' increments to
 * "other" and counts them in t->counts. -ENOMEM leaves the table as it was.
 */
int series_table_fold(struct series_table *t, size_t top,
		      int (*shown_cmp)(const void *, const void *))
    __attribute__((warn_unused_result));

#endif
