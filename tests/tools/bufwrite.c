// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Writes a number of bytes to a file through the page cache, then calls sync(). Prints what
 * write() took and the kernel's write_bytes for the process (/proc/self/io: the bytes it
 * dirtied, which the sync sent to the disk).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	long long left, written = 0, write_bytes = -1;
	char line[128];
	FILE *f;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: bufwrite FILE BYTES\n");
		return 2;
	}
	left = atoll(argv[2]);
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		perror("open");
		return 1;
	}
	memset(buf, 0x5a, sizeof(buf));
	while (left > 0) {
		ssize_t n = write(fd, buf, left < (long long)sizeof(buf) ? (size_t)left : sizeof(buf));

		if (n <= 0) {
			perror("write");
			return 1;
		}
		left -= n;
		written += n;
	}
	close(fd);
	/* The flusher threads write the pages back while this process waits here. */
	sync();
	f = fopen("/proc/self/io", "r");
	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "write_bytes: %lld", &write_bytes);
	if (f)
		fclose(f);
	printf("{\"pid\":%d,\"written\":%lld,\"write_bytes\":%lld}\n", getpid(), written,
	       write_bytes);
	return 0;
}
