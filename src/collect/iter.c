// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Reading one pass of a BPF iterator of fixed-size records into a growing array. */
#include <errno.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/iter.h"
#include "core/grow.h"

int iter_read_all(struct bpf_link *link, void **buf, size_t *cap, size_t elem, size_t *n)
{
	return iter_read_append(link, buf, cap, elem, 0, n);
}

int iter_read_append(struct bpf_link *link, void **buf, size_t *cap, size_t elem, size_t first,
		     size_t *n)
{
	int fd = bpf_iter_create(bpf_link__fd(link));
	size_t start = first * elem, bytes = start;
	int err = 0;

	*n = 0;
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t k;

		/* Room for at least 64 more records: a read returns whole seq_file pages. */
		if (grow_array(buf, cap, bytes / elem + 64, elem, 256)) {
			err = -ENOMEM;
			break;
		}
		k = read(fd, (char *)*buf + bytes, *cap * elem - bytes);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			err = -errno;
			break;
		}
		if (k == 0)
			break;
		bytes += (size_t)k;
	}
	close(fd);
	*n = (bytes - start) / elem;
	return err;
}
