/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Arrays that grow by doubling, for appending one element (or a batch) at a time. */
#ifndef EBTOP_GROW_H
#define EBTOP_GROW_H

#include <stddef.h>

/*
 * Makes *arr (room for *cap elements of size bytes) hold at least need
 * elements: the capacity starts at first and doubles. Returns 0, or -ENOMEM
 * with *arr and *cap unchanged.
 */
int grow_array(void **arr, size_t *cap, size_t need, size_t size, size_t first)
	__attribute__((warn_unused_result));

#endif
