// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Two processes pass one byte back and forth over pipes: two context switches per round trip. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void xfer(int in, int out, char *c)
{
	if (out >= 0 && write(out, c, 1) != 1) {
		perror("pingpong: write");
		exit(1);
	}
	if (in >= 0 && read(in, c, 1) != 1)
		exit(0); /* the other side is gone */
}

static double cpu_s(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/*
 * Usage: pingpong SECONDS [MAX_ROUNDS]. Prints rounds, seconds, rounds_per_s and the CPU time
 * both processes used (cpu_s, rounds_per_cpu_s: on a CPU nothing else uses, the two are the
 * same; on a shared one the second still says what the round trips cost).
 */
int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0, t0, t, cpu;
	long max = argc > 2 ? atol(argv[2]) : 100000000L, n = 0;
	int ab[2], ba[2];
	char c = 'x';
	pid_t child;

	if (secs <= 0 || secs > 600 || max <= 0 || pipe(ab) || pipe(ba)) {
		fprintf(stderr, "usage: pingpong SECONDS(0-600] [MAX_ROUNDS]\n");
		return 2;
	}
	child = fork();
	if (child < 0) {
		perror("pingpong: fork");
		return 1;
	}
	if (child == 0) {
		close(ab[1]);
		close(ba[0]);
		for (;;) {
			xfer(ab[0], -1, &c);
			xfer(-1, ba[1], &c);
		}
	}
	close(ab[0]);
	close(ba[1]);
	t0 = now_s();
	do {
		/* Check the clock every 256 rounds: bounded in time and in count. */
		for (int i = 0; i < 256; i++, n++) {
			xfer(-1, ab[1], &c);
			xfer(ba[0], -1, &c);
		}
		t = now_s();
	} while (t - t0 < secs && n < max);
	close(ab[1]);
	waitpid(child, NULL, 0);
	cpu = cpu_s(RUSAGE_SELF) + cpu_s(RUSAGE_CHILDREN);
	printf("{\"rounds\":%ld,\"seconds\":%.6f,\"rounds_per_s\":%.1f,\"cpu_s\":%.6f,"
	       "\"rounds_per_cpu_s\":%.1f}\n",
	       n, t - t0, (double)n / (t - t0), cpu, cpu > 0 ? (double)n / cpu : 0);
	return 0;
}
