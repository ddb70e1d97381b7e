// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Known CPU loads (spinning threads, sleepers, short-lived children) and the kernel's figures. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define MAX_THREADS 64

struct worker {
	pthread_t th;
	double secs;	/* wall seconds to run */
	long sleep_us;	/* 0: spin; else sleep this long between spins */
	char line[512]; /* the kernel's figures at the end, as JSON */
};

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long long clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return 0;
}

/* utime + stime (fields 14, 15 of /proc/.../stat, after the command in parentheses). */
static long long stat_cpu_ticks(const char *stat)
{
	const char *p = strrchr(stat, ')');
	unsigned long long ut = 0, st = 0;

	if (!p ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (long long)(ut + st);
}

static long long status_value(const char *status, const char *key)
{
	const char *p = strstr(status, key);

	return p ? atoll(p + strlen(key)) : -1;
}

/* The kernel's figures for the calling thread: /proc stat, schedstat, status, CPU clock. */
static void kernel_figures(char *out, size_t len)
{
	char path[96], stat[1024] = "", sched[128] = "", status[4096] = "";
	long tid = syscall(SYS_gettid);
	long long oncpu = -1, runq = -1, ticks;
	long hz = sysconf(_SC_CLK_TCK);

	snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", tid);
	read_file(path, stat, sizeof(stat));
	snprintf(path, sizeof(path), "/proc/self/task/%ld/schedstat", tid);
	read_file(path, sched, sizeof(sched));
	snprintf(path, sizeof(path), "/proc/self/task/%ld/status", tid);
	read_file(path, status, sizeof(status));
	sscanf(sched, "%lld %lld", &oncpu, &runq);
	ticks = stat_cpu_ticks(stat);
	snprintf(
	    out, len,
	    "{\"tid\":%ld,\"proc_cpu_ns\":%lld,\"schedstat_oncpu_ns\":%lld,"
	    "\"schedstat_runq_ns\":%lld,\"thread_cpu_ns\":%lld,\"nvcsw\":%lld,\"nivcsw\":%lld}",
	    tid, ticks < 0 ? -1 : ticks * (1000000000LL / hz), oncpu, runq,
	    clock_ns(CLOCK_THREAD_CPUTIME_ID), status_value(status, "voluntary_ctxt_switches:"),
	    status_value(status, "nonvoluntary_ctxt_switches:"));
}

static void *work(void *arg)
{
	struct worker *w = arg;
	double end = clock_s(CLOCK_MONOTONIC) + w->secs;
	volatile unsigned long x = 0;

	while (clock_s(CLOCK_MONOTONIC) < end) {
		for (int i = 0; i < 20000; i++)
			x += (unsigned long)i;
		if (w->sleep_us) {
			struct timespec ts = {0, w->sleep_us * 1000};

			nanosleep(&ts, NULL);
		}
	}
	kernel_figures(w->line, sizeof(w->line));
	return NULL;
}

/* Threads that spin (or spin a little and sleep) for SECS, then report; one JSON line each. */
static int run_threads(double secs, int n, long sleep_us)
{
	static struct worker w[MAX_THREADS];

	printf("{\"pid\":%d,\"threads\":%d}\n", getpid(), n);
	fflush(stdout);
	for (int i = 0; i < n; i++) {
		w[i].secs = secs;
		w[i].sleep_us = sleep_us;
		if (pthread_create(&w[i].th, NULL, work, &w[i])) {
			perror("schedload: pthread_create");
			return 1;
		}
	}
	for (int i = 0; i < n; i++) {
		pthread_join(w[i].th, NULL);
		printf("%s\n", w[i].line);
	}
	return 0;
}

/*
 * N children one after another, each burning BURN_MS of CPU and exiting; wait4's rusage is exact.
 * Before reaping, the parent also reads the zombie's /proc/PID/schedstat: its on-CPU time up to
 * its last switch, in ns (what it burnt is whatever it got, not BURN_MS).
 */
static int run_forks(int n, double burn_ms)
{
	long long total = 0, total_sched = 0;

	printf("{\"pid\":%d,\"children\":%d}\n", getpid(), n);
	fflush(stdout);
	for (int i = 0; i < n; i++) {
		struct rusage ru;
		long long ns;
		pid_t c = fork();

		if (c < 0) {
			perror("schedload: fork");
			return 1;
		}
		if (c == 0) {
			long long end =
			    clock_ns(CLOCK_PROCESS_CPUTIME_ID) + (long long)(burn_ms * 1e6);
			volatile unsigned long x = 0;

			while (clock_ns(CLOCK_PROCESS_CPUTIME_ID) < end)
				for (int k = 0; k < 1000; k++)
					x += (unsigned long)k;
			_exit(0);
		}
		siginfo_t si;
		char path[64], sched[128] = "";
		long long oncpu = -1;

		/* Exited but not reaped: its /proc entry still holds the final figures. */
		if (waitid(P_PID, (id_t)c, &si, WEXITED | WNOWAIT)) {
			perror("schedload: waitid");
			return 1;
		}
		snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)c);
		if (!read_file(path, sched, sizeof(sched)))
			sscanf(sched, "%lld", &oncpu);
		if (wait4(c, NULL, 0, &ru) != c) {
			perror("schedload: wait4");
			return 1;
		}
		ns = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
		     (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
		total += ns;
		total_sched += oncpu;
		printf("{\"child\":%d,\"cpu_ns\":%lld,\"schedstat_oncpu_ns\":%lld}\n", c, ns, oncpu);
	}
	printf("{\"total_cpu_ns\":%lld,\"total_schedstat_oncpu_ns\":%lld}\n", total, total_sched);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "spin") && argc >= 3) {
		double secs = atof(argv[2]);
		int n = argc > 3 ? atoi(argv[3]) : 1;

		if (secs > 0 && secs <= 60 && n >= 1 && n <= MAX_THREADS)
			return run_threads(secs, n, 0);
	} else if (!strcmp(mode, "sleep") && argc >= 4) {
		double secs = atof(argv[2]);
		long us = atol(argv[3]);

		if (secs > 0 && secs <= 60 && us > 0 && us < 1000000)
			return run_threads(secs, 1, us);
	} else if (!strcmp(mode, "fork") && argc >= 4) {
		int n = atoi(argv[2]);
		double ms = atof(argv[3]);

		if (n >= 1 && n <= 10000 && ms >= 0 && ms <= 1000)
			return run_forks(n, ms);
	}
	fprintf(stderr, "usage: schedload spin SECONDS [THREADS]\n"
			"       schedload sleep SECONDS SLEEP_US\n"
			"       schedload fork CHILDREN BURN_MS\n");
	return 2;
}
