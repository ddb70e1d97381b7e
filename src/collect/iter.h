/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Reading one pass of a BPF iterator of fixed-size records into a growing array. */
#ifndef EBTOP_ITER_H
#define EBTOP_ITER_H

#include <stddef.h>

struct bpf_link;

/*
 * Reads every record of one pass into *buf (realloc'd, *cap counted in
 * records of size elem); *n gets the number read. 0 or a negative errno.
 */
int iter_read_all(struct bpf_link *link, void **buf, size_t *cap, size_t elem, size_t *n)
    __attribute__((warn_unused_result));
/* The same, after the first `first` records already in *buf; *n gets the number added. */
int iter_read_append(struct bpf_link *link, void **buf, size_t *cap, size_t elem, size_t first,
		     size_t *n) __attribute__((warn_unused_result));

#endif
