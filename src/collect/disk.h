/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The block I/O part of the BPF collector: program choice, map sizes, per-interval reads. */
#ifndef EBTOP_COLLECT_DISK_H
#define EBTOP_COLLECT_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include "ebtop/disk.h"
#include "collect/collector.h"

struct ebtop_bpf;
struct btf;
struct select_ctx;

/* This interval's copies of the disk maps; the sample borrows them. */
struct disk_reader {
	struct disk_lat_rec *lats; /* sorted by key */
	size_t nlats, lat_cap;
	struct ebtop_disk_dev *devs;   /* sorted by dev */
	struct ebtop_disk_dev *percpu; /* scratch: one disk's value on every CPU */
	size_t ndevs, dev_cap;
	struct ebtop_disk_lat_key *live; /* scratch: live processes, sorted */
	size_t nlive, live_cap;
	int ncpus;
};

/* Sizes the disk maps from the options (before load). */
void disk_configure(struct ebtop_bpf *skel, const struct collect_opts *o);
/*
 * Switches the block programs on or off: block_io_start/done where the kernel has them,
 * block_rq_insert/issue/complete otherwise (or where the kernel refused the first). Returns
 * true when disk counting runs; says in the feature table what is missing.
 */
bool disk_select(struct ebtop_bpf *skel, const struct select_ctx *sc, bool want);
/*
 * Reads the per-process latency and per-disk maps into r and s, and forgets latency
 * entries of processes that are not in recs as live any more (they were read this time).
 */
int disk_read(struct disk_reader *r, struct ebtop_bpf *skel, struct sample *s,
	      const struct ebtop_task_rec *recs, size_t nrecs) __attribute__((warn_unused_result));
/* Fills rec with the counters of requests that had no task context; false when there are none. */
bool disk_kernel_rec(struct disk_reader *r, struct ebtop_bpf *skel, struct ebtop_task_rec *rec);
void disk_reader_free(struct disk_reader *r);

#endif
