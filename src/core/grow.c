// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Arrays that grow by doubling, for appending one element (or a batch) at a time. */
#include <errno.h>
#include <stdlib.h>
#include "core/grow.h"

int grow_array(void **arr, size_t *cap, size_t need, size_t size, size_t first)
{
	size_t c = *cap ? *cap : first;
	void *p;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	p = realloc(*arr, c * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = c;
	return 0;
}
