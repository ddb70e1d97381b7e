// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target: compile any bytes as a filter, then dump, format and evaluate it. */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "filter/filter.h"

enum { F_NAME, F_PID, F_USER, F_CMD, F_CPU, F_ONCPU, F_TX, F_RSS, F_NPROC };
enum { F_PROTO = F_NPROC, F_LADDR, F_LPORT, F_RADDR, F_RPORT, F_CTX, F_N };

static const struct filter_field fields[] = {
    {"name", FILTER_STR, F_NAME, 0},
    {"pid", FILTER_NUM, F_PID, 0},
    {"user", FILTER_STR, F_USER, 0},
    {"cmd", FILTER_STR, F_CMD, 0},
    {"cpu", FILTER_NUM, F_CPU, FILTER_F_PERCENT},
    {"oncpu", FILTER_NUM, F_ONCPU, FILTER_F_NS},
    {"tx", FILTER_NUM, F_TX, FILTER_F_RATE},
    {"rss", FILTER_NUM, F_RSS, FILTER_F_BYTES},
    {"conn.proto", FILTER_STR, F_PROTO, FILTER_F_CONN},
    {"conn.laddr", FILTER_ADDR, F_LADDR, FILTER_F_CONN},
    {"conn.lport", FILTER_NUM, F_LPORT, FILTER_F_CONN},
    {"conn.raddr", FILTER_ADDR, F_RADDR, FILTER_F_CONN},
    {"conn.rport", FILTER_NUM, F_RPORT, FILTER_F_CONN},
    {"conn.tx", FILTER_NUM, F_CTX, FILTER_F_CONN | FILTER_F_RATE},
};

static const struct filter_schema schema = {fields, sizeof(fields) / sizeof(fields[0])};

/* NULL strings and NAN numbers are unavailable. */
struct row {
	const char *str[F_N];
	double num[F_N];
	const struct row *conns; /* a process's connections, or a connection's owner */
	size_t nconns;
};

static const struct row conns0[] = {
    {.str = {[F_PROTO] = "tcp", [F_LADDR] = "10.0.0.5", [F_RADDR] = "::ffff:192.168.1.20"},
     .num = {[F_LPORT] = 2181, [F_RPORT] = 8080, [F_CTX] = 1e6}},
    {.str = {[F_PROTO] = "udp", [F_LADDR] = "fe80::1", [F_RADDR] = NULL},
     .num = {[F_LPORT] = 5353, [F_RPORT] = NAN, [F_CTX] = NAN}},
};

static const struct row procs[] = {
    {.str = {[F_NAME] = "java", [F_USER] = "app", [F_CMD] = "/usr/bin/java -jar x.jar"},
     .num = {[F_PID] = 100, [F_CPU] = 55.5, [F_ONCPU] = 1e7, [F_TX] = 12e6, [F_RSS] = 2e9},
     .conns = conns0,
     .nconns = 2},
    {.str = {[F_NAME] = "kworker/0:1", [F_USER] = NULL, [F_CMD] = ""},
     .num = {[F_PID] = 2, [F_CPU] = NAN, [F_ONCPU] = NAN, [F_TX] = 0, [F_RSS] = NAN}},
    {.str = {[F_NAME] = "caf\xc3\xa9 \xff", [F_USER] = "root", [F_CMD] = "a\nb"},
     .num = {[F_PID] = 0, [F_CPU] = 0, [F_ONCPU] = 0, [F_TX] = -1, [F_RSS] = 1e300}},
};

static bool r_num(const void *row, int id, double *out)
{
	*out = ((const struct row *)row)->num[id];
	return !isnan(*out);
}

static const char *r_str(const void *row, int id)
{
	return ((const struct row *)row)->str[id];
}

static bool r_addr(const void *row, int id, struct filter_addr *out)
{
	const char *s = ((const struct row *)row)->str[id];

	if (!s)
		return false;
	memset(out, 0, sizeof(*out));
	out->family = strchr(s, ':') ? AF_INET6 : AF_INET;
	return inet_pton(out->family, s, out->a) == 1;
}

static size_t r_nconns(const void *proc)
{
	return ((const struct row *)proc)->nconns;
}

static const void *r_conn(const void *proc, size_t i)
{
	return &((const struct row *)proc)->conns[i];
}

/* Connections here have no owner row: process clauses read as unavailable. */
static const void *r_owner(const void *conn)
{
	return conn == &conns0[0] ? &procs[0] : NULL;
}

static const struct filter_ops ops = {
    .num = r_num,
    .str = r_str,
    .addr = r_addr,
    .nconns = r_nconns,
    .conn = r_conn,
    .conn_owner = r_owner,
};

#define NPROCS (sizeof(procs) / sizeof(procs[0]))
#define NCONNS (sizeof(conns0) / sizeof(conns0[0]))

static void check(bool ok, const char *what, const char *expr)
{
	if (!ok) {
		fprintf(stderr, "invariant broken: %s\nexpression: %s\n", what, expr);
		abort();
	}
}

static void exercise_error(const char *expr, size_t len, const struct filter_error *err)
{
	char buf[1024], small[7];
	int n;

	check(err->column == FILTER_NO_COLUMN || (err->column >= 0 && (size_t)err->column <= len),
	      "error column inside the expression", expr);
	check(err->msg[0] != '\0' && strlen(err->msg) < sizeof(err->msg), "error message", expr);
	n = filter_error_format(expr, err, buf, sizeof(buf));
	check(n >= 0 && (n >= (int)sizeof(buf) || (size_t)n == strlen(buf)), "format length", expr);
	check(filter_error_format(expr, err, small, sizeof(small)) == n, "format truncation", expr);
	check(strlen(small) < sizeof(small), "format NUL", expr);
}

static void exercise_filter(const char *expr, const struct filter *f, const struct filter *neg)
{
	char buf[512], small[5];
	bool a, b;
	size_t i;
	int n;

	n = filter_dump(f, buf, sizeof(buf));
	check(n > 0 && (n >= (int)sizeof(buf) || (size_t)n == strlen(buf)), "dump length", expr);
	check(filter_dump(f, small, sizeof(small)) == n, "dump truncation", expr);
	(void)filter_uses_conns(f);
	(void)filter_uses_field(f, F_PID);
	/* Three-valued logic: a row may match neither E nor 'not (E)', never both. */
	for (i = 0; i < NPROCS; i++) {
		a = filter_match_proc(f, &ops, &procs[i]);
		b = neg && filter_match_proc(neg, &ops, &procs[i]);
		check(!(a && b), "E and not E both match a process", expr);
	}
	for (i = 0; i < NCONNS; i++) {
		a = filter_match_conn(f, &ops, &conns0[i]);
		b = neg && filter_match_conn(neg, &ops, &conns0[i]);
		check(!(a && b), "E and not E both match a connection", expr);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct filter_error err;
	struct filter *f, *neg = NULL;
	char *expr, *nexpr;

	expr = malloc(size + 1);
	nexpr = malloc(size + 8);
	if (!expr || !nexpr)
		abort();
	memcpy(expr, data, size);
	expr[size] = '\0';
	f = filter_compile(expr, &schema, &err);
	if (!f) {
		exercise_error(expr, strlen(expr), &err);
	} else {
		check(err.column == FILTER_NO_COLUMN && !err.msg[0], "success clears err", expr);
		snprintf(nexpr, size + 8, "not (%s)", expr);
		neg = filter_compile(nexpr, &schema, &err);
		exercise_filter(expr, f, neg);
	}
	filter_free(neg);
	filter_free(f);
	free(nexpr);
	free(expr);
	return 0;
}
