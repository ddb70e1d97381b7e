/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Chooses and configures the scheduler programs before load. */
#ifndef EBTOP_COLLECT_SCHED_H
#define EBTOP_COLLECT_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ebtop_bpf;
struct btf;
struct select_ctx;

/*
 * Picks tp_btf programs where they load and attach, raw_tp otherwise, sizes
 * the slot table, and switches everything off when !want or when the kernel
 * has neither or refused both. Returns true when the scheduler columns will
 * be filled; says in the feature table what is missing.
 */
bool sched_configure(struct ebtop_bpf *skel, const struct select_ctx *sc, bool want);
/* Counting starts at start_ns (CLOCK_MONOTONIC), once every program is attached. */
void sched_start(struct ebtop_bpf *skel, uint64_t start_ns);

#endif
