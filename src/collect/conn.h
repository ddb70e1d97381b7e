/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The collector's connection part: programs, the socket iterators, peers, events. */
#ifndef EBTOP_COLLECT_CONN_H
#define EBTOP_COLLECT_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "ebtop.skel.h"
#include "collect/collector.h"
#include "collect/loader.h"

struct conn_reader;

/*
 * Before load: sizes, rodata and which programs load, by o->need, what the
 * kernel has and what it refused; net: the network hooks chosen (only those
 * that see the socket can count connections). Says in the feature table
 * what is missing. NULL *out: not needed.
 */
int conn_reader_configure(struct conn_reader **out, struct ebtop_bpf *skel,
			  const struct collect_opts *o, const struct select_ctx *sc,
			  enum hookset net) __attribute__((warn_unused_result));
/* After load and attach: seeds older connections, attaches the cgroup hooks, adds the ring. */
int conn_reader_attach(struct conn_reader *r, struct ring_buffer *rb, struct features *fs)
    __attribute__((warn_unused_result));
/* Start of an interval's read: forgets the previous events; reads peers, then the iterator. */
int conn_reader_begin(struct conn_reader *r, bool read_tables) __attribute__((warn_unused_result));
/* After the ring buffers were drained: sweeps closed peers, fills the sample. */
int conn_reader_finish(struct conn_reader *r, struct sample *s) __attribute__((warn_unused_result));
/* Events drained since conn_reader_begin (borrowed until the next begin). */
void conn_reader_events(struct conn_reader *r, const struct event **ev, size_t *n);
void conn_reader_free(struct conn_reader *r);

#endif
