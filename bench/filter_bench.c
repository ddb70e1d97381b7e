// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Times a 5-clause filter over 10,000 synthetic processes holding 50,000 connections. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "filter/filter.h"

#define NPROCS	    10000
#define NCONNS	    50000
#define MIN_SECONDS 1.0

enum { F_NAME, F_USER, F_CPU, F_TX, F_PID, F_RPORT, F_RADDR, F_STATE };

static const struct filter_field fields[] = {
    {"name", FILTER_STR, F_NAME, 0},
    {"user", FILTER_STR, F_USER, 0},
    {"cpu", FILTER_NUM, F_CPU, FILTER_F_PERCENT},
    {"tx", FILTER_NUM, F_TX, FILTER_F_RATE},
    {"pid", FILTER_NUM, F_PID, 0},
    {"conn.rport", FILTER_NUM, F_RPORT, FILTER_F_CONN},
    {"conn.raddr", FILTER_ADDR, F_RADDR, FILTER_F_CONN},
    {"conn.state", FILTER_STR, F_STATE, FILTER_F_CONN},
};

struct conn {
	const struct proc *owner;
	double rport;
	struct filter_addr raddr;
	const char *state;
};

struct proc {
	const char *name, *user;
	double cpu, tx, pid;
	struct conn *conns;
	size_t nconns;
};

static bool b_num(const void *row, int id, double *out)
{
	const struct proc *p = row;

	switch (id) {
	case F_CPU:
		*out = p->cpu;
		return true;
	case F_TX:
		*out = p->tx;
		return true;
	case F_PID:
		*out = p->pid;
		return true;
	case F_RPORT:
		*out = ((const struct conn *)row)->rport;
		return true;
	}
	return false;
}

static const char *b_str(const void *row, int id)
{
	switch (id) {
	case F_NAME:
		return ((const struct proc *)row)->name;
	case F_USER:
		return ((const struct proc *)row)->user;
	case F_STATE:
		return ((const struct conn *)row)->state;
	}
	return NULL;
}

static bool b_addr(const void *row, int id, struct filter_addr *out)
{
	if (id != F_RADDR)
		return false;
	*out = ((const struct conn *)row)->raddr;
	return true;
}

static size_t b_nconns(const void *proc)
{
	return ((const struct proc *)proc)->nconns;
}

static const void *b_conn(const void *proc, size_t i)
{
	return &((const struct proc *)proc)->conns[i];
}

static const void *b_owner(const void *conn)
{
	return ((const struct conn *)conn)->owner;
}

static const struct filter_ops ops = {
    .num = b_num,
    .str = b_str,
    .addr = b_addr,
    .nconns = b_nconns,
    .conn = b_conn,
    .conn_owner = b_owner,
};

/* A fixed-seed generator, so every run measures the same rows. */
static unsigned next(unsigned long long *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(*s >> 33);
}

static void make_rows(struct proc *procs, struct conn *conns)
{
	static const char *const names[] = {"java", "python3", "nginx",	     "postgres",
					    "sshd", "bash",    "python3.11", "node"};
	static const char *const users[] = {"root", "app", "www-data", "postgres"};
	static const char *const states[] = {"ESTABLISHED", "TIME_WAIT", "LISTEN"};
	static const double ports[] = {80, 443, 5432, 8080, 8443, 22, 53, 40000};
	unsigned long long seed = 42;
	size_t i, c = 0, counts[NPROCS];

	/* Five connections each on average, moved around at random. */
	for (i = 0; i < NPROCS; i++)
		counts[i] = NCONNS / NPROCS;
	for (i = 0; i < NCONNS; i++) {
		size_t from = next(&seed) % NPROCS, to = next(&seed) % NPROCS;

		if (counts[from] > 0 && counts[to] < 15) {
			counts[from]--;
			counts[to]++;
		}
	}
	for (i = 0; i < NPROCS; i++) {
		struct proc *p = &procs[i];
		size_t j;

		p->name = names[next(&seed) % 8];
		p->user = users[next(&seed) % 4];
		p->cpu = next(&seed) % 10000 / 100.0;
		p->tx = next(&seed) % 20000000;
		p->pid = (double)i + 1;
		p->conns = &conns[c];
		p->nconns = counts[i];
		for (j = 0; j < counts[i]; j++, c++) {
			struct conn *k = &conns[c];
			unsigned a = next(&seed);

			k->owner = p;
			k->rport = ports[next(&seed) % 8];
			k->state = states[next(&seed) % 3];
			k->raddr.family = AF_INET;
			memcpy(k->raddr.a, &a, 4);
		}
	}
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(void)
{
	const char *expr = "name ~ \"^(java|python)\" and cpu > 5% and tx > 1MB/s and "
			   "user != root and conn.rport in (80, 443, 8000..8100)";
	struct filter_schema schema = {fields, sizeof(fields) / sizeof(fields[0])};
	struct proc *procs = calloc(NPROCS, sizeof(*procs));
	struct conn *conns = calloc(NCONNS, sizeof(*conns));
	struct filter_error err;
	struct filter *f;
	size_t i, matched = 0, passes = 0;
	double t0, t;

	if (!procs || !conns)
		return 1;
	make_rows(procs, conns);
	t0 = now();
	f = filter_compile(expr, &schema, &err);
	t = now() - t0;
	if (!f) {
		fprintf(stderr, "column %d: %s\n", err.column, err.msg);
		return 1;
	}
	printf("filter: %s\n", expr);
	printf("rows: %d processes, %d connections; compile: %.1f us\n", NPROCS, NCONNS, t * 1e6);

	t0 = now();
	do {
		for (matched = 0, i = 0; i < NPROCS; i++)
			matched += filter_match_proc(f, &ops, &procs[i]);
		passes++;
	} while ((t = now() - t0) < MIN_SECONDS);
	printf(
	    "process view:    %6.1f ns per process, %7.3f ms per pass (%zu matched, %zu passes)\n",
	    t / passes / NPROCS * 1e9, t / passes * 1e3, matched, passes);

	passes = 0;
	t0 = now();
	do {
		for (matched = 0, i = 0; i < NCONNS; i++)
			matched += filter_match_conn(f, &ops, &conns[i]);
		passes++;
	} while ((t = now() - t0) < MIN_SECONDS);
	printf("connection view: %6.1f ns per connection, %7.3f ms per pass (%zu matched, %zu "
	       "passes)\n",
	       t / passes / NCONNS * 1e9, t / passes * 1e3, matched, passes);

	filter_free(f);
	free(conns);
	free(procs);
	return 0;
}
