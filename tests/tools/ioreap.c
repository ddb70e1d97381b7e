// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ioreap CMD [ARG...]: runs CMD as a child and prints the kernel's storage I/O accounting of it,
 * as /proc shows it: a reaped child's counters are added to its parent's (/proc/self/io), so the
 * change across the child's life is the child's own. One line {"child":PID} once it runs, one
 * line with read_bytes, write_bytes and cancelled_write_bytes once it has been reaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

struct io {
	long long read_bytes, write_bytes, cancelled;
};

static int read_io(struct io *io)
{
	char line[128];
	FILE *f = fopen("/proc/self/io", "r");

	if (!f)
		return -1;
	memset(io, 0, sizeof(*io));
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "read_bytes: %lld", &io->read_bytes);
		sscanf(line, "write_bytes: %lld", &io->write_bytes);
		sscanf(line, "cancelled_write_bytes: %lld", &io->cancelled);
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	struct io before, after;
	int status;
	pid_t c;

	if (argc < 2) {
		fprintf(stderr, "usage: ioreap CMD [ARG...]\n");
		return 2;
	}
	if (read_io(&before)) {
		perror("ioreap: /proc/self/io");
		return 1;
	}
	fflush(stdout);
	c = fork();
	if (c < 0) {
		perror("ioreap: fork");
		return 1;
	}
	if (c == 0) {
		execvp(argv[1], argv + 1);
		perror("ioreap: exec");
		_exit(127);
	}
	printf("{\"child\":%d}\n", (int)c);
	fflush(stdout);
	if (waitpid(c, &status, 0) != c || read_io(&after)) {
		perror("ioreap: waitpid");
		return 1;
	}
	printf("{\"child\":%d,\"status\":%d,\"read_bytes\":%lld,\"write_bytes\":%lld,"
	       "\"cancelled_write_bytes\":%lld}\n",
	       (int)c, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
	       after.read_bytes - before.read_bytes, after.write_bytes - before.write_bytes,
	       after.cancelled - before.cancelled);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
