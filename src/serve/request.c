// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* HTTP request targets: path routing and strict query-parameter parsing, without I/O. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "serve/request.h"
#include "model/fields.h"
#include "model/conn.h"

/* Which parameters each route accepts; anything else is a 400 (typos do not pass silently). */
#define P_LIMIT  (1u << 0)
#define P_SORT   (1u << 1)
#define P_ORDER  (1u << 2)
#define P_FILTER (1u << 3)
#define P_PID    (1u << 4)
#define P_COMM   (1u << 5)
#define P_METRIC (1u << 6)
#define P_FROM   (1u << 7)
#define P_TO     (1u << 8)
#define P_STEP   (1u << 9)
#define P_ANY    (1u << 31) /* /metrics, /health, /: parameters are ignored */

static const struct {
	const char *path;
	enum req_route route;
	unsigned params;
} routes[] = {
	{"/", ROUTE_ROOT, P_ANY},
	{"/metrics", ROUTE_METRICS, P_ANY},
	{"/health", ROUTE_HEALTH, P_ANY},
	{"/api/v1/processes", ROUTE_PROCESSES, P_LIMIT | P_SORT | P_ORDER | P_FILTER},
	{"/api/v1/connections", ROUTE_CONNECTIONS, P_LIMIT | P_SORT | P_ORDER | P_FILTER},
	{"/api/v1/disks", ROUTE_DISKS, 0},
	{"/api/v1/events/exec", ROUTE_EVENTS_EXEC, P_LIMIT | P_PID},
	{"/api/v1/events/connect", ROUTE_EVENTS_CONNECT, P_LIMIT | P_PID},
	{"/api/v1/history", ROUTE_HISTORY, P_PID | P_COMM | P_METRIC | P_FROM | P_TO | P_STEP},
};

static const struct {
	const char *name;
	unsigned bit;
} params[] = {
	{"limit", P_LIMIT}, {"sort", P_SORT}, {"order", P_ORDER}, {"filter", P_FILTER},
	{"pid", P_PID},     {"comm", P_COMM}, {"metric", P_METRIC}, {"from", P_FROM},
	{"to", P_TO},       {"step", P_STEP},
};

static int fail(struct req_error *err, int status, const char *param, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct req_error *err, int status, const char *param, const char *fmt, ...)
{
	va_list ap;

	err->status = status;
	snprintf(err->param, sizeof(err->param), "%s", param ? param : "");
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int req_url_decode(const char *in, size_t n, char *out, size_t outlen)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)in[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return -1;
			hi = hexval(in[i + 1]);
			lo = hexval(in[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		if (c == 0 || w + 1 >= outlen)
			return -1;
		out[w++] = (char)c;
	}
	if (!outlen)
		return -1;
	out[w] = '\0';
	return 0;
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max || s[0] == ' ' || s[0] == '+')
		return -1;
	*out = v;
	return 0;
}

/*
 * Durations and times become uint64_t nanoseconds for the store: beyond these
 * bounds the conversion overflows ("step=18446744074s" wrapped to a tiny step).
 */
#define REQ_DURATION_MAX (10 * 366 * 86400.0) /* ten years */
#define REQ_TIME_MAX	 1e10 /* seconds since the epoch: year 2286, below 2^64 ns */

/* "90", "90s", "15m", "2h", "7d", "1.5s"; seconds, > 0 and at most ten years. */
static int parse_duration(const char *s, double *out)
{
	char *end;
	double v, mult = 1;

	if (!s[0] || s[0] == ' ' || s[0] == '+' || s[0] == '-')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v <= 0)
		return -1;
	if (!strcmp(end, "ms"))
		mult = 1e-3;
	else if (!strcmp(end, "m"))
		mult = 60;
	else if (!strcmp(end, "h"))
		mult = 3600;
	else if (!strcmp(end, "d"))
		mult = 86400;
	else if (*end && strcmp(end, "s"))
		return -1;
	*out = v * mult;
	return isfinite(*out) && *out <= REQ_DURATION_MAX ? 0 : -1;
}

/* "now", "-15m" (relative to now), or seconds since the epoch. */
static int parse_time(const char *s, double now, double *out)
{
	char *end;
	double v;

	if (!strcmp(s, "now")) {
		*out = now;
		return 0;
	}
	if (s[0] == '-') {
		if (parse_duration(s + 1, &v))
			return -1;
		*out = now - v;
		return 0;
	}
	if (!s[0] || s[0] == ' ' || s[0] == '+')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || v > REQ_TIME_MAX)
		return -1;
	*out = v;
	return 0;
}

static int set_param(struct request *rq, unsigned bit, const char *name, const char *v,
		     double now, struct req_error *err)
{
	long l;
	int f;

	switch (bit) {
	case P_LIMIT:
		if (parse_long(v, 1, REQ_LIMIT_MAX, &l))
			return fail(err, 400, name, "limit must be a whole number from 1 to %d",
				    REQ_LIMIT_MAX);
		rq->limit = l;
		rq->limit_set = true;
		return 0;
	case P_SORT:
		/* The connection table sorts by its own fields (conn.tx or tx). */
		if (rq->route == ROUTE_CONNECTIONS) {
			f = conn_field_lookup(v);
			if (f < 0)
				return fail(err, 400, name,
					    "unknown connection field '%.64s' (see ebtop --fields)", v);
			rq->sort_field = f;
			return 0;
		}
		f = field_lookup(v);
		if (f < 0)
			return fail(err, 400, name, "unknown field '%.64s' (see ebtop --fields)", v);
		rq->sort_field = f;
		return 0;
	case P_ORDER:
		if (strcmp(v, "asc") && strcmp(v, "desc"))
			return fail(err, 400, name, "order must be asc or desc");
		rq->sort_desc = !strcmp(v, "desc");
		return 0;
	case P_FILTER:
		if (!v[0])
			return fail(err, 400, name, "empty filter");
		snprintf(rq->filter, sizeof(rq->filter), "%s", v);
		return 0;
	case P_PID:
		if (parse_long(v, 1, 0x7fffffff, &l))
			return fail(err, 400, name, "pid must be a process id");
		rq->pid = (uint32_t)l;
		return 0;
	case P_COMM:
		if (!v[0] || strlen(v) >= sizeof(rq->comm))
			return fail(err, 400, name, "comm must be 1 to 15 bytes");
		snprintf(rq->comm, sizeof(rq->comm), "%s", v);
		return 0;
	case P_METRIC:
		f = field_lookup(v);
		if (f < 0 || fields[f].type != FT_NUM)
			return fail(err, 400, name, "unknown numeric field '%.64s'", v);
		rq->metric = f;
		return 0;
	case P_FROM:
	case P_TO:
		if (parse_time(v, now, bit == P_FROM ? &rq->from : &rq->to))
			return fail(err, 400, name,
				    "%s must be seconds since the epoch, 'now' or -DURATION (-1h)",
				    name);
		return 0;
	case P_STEP:
		if (parse_duration(v, &rq->step))
			return fail(err, 400, name,
				    "step must be a duration such as 10s or 1m, at most ten years");
		return 0;
	}
	return fail(err, 400, name, "unknown parameter");
}

static int parse_query(const char *q, unsigned allowed, double now, struct request *rq,
		       struct req_error *err)
{
	unsigned seen = 0;

	while (*q) {
		const char *amp = strchr(q, '&'), *end = amp ? amp : q + strlen(q);
		const char *eq = memchr(q, '=', (size_t)(end - q));
		char name[32], value[REQ_MAX_URI + 1];
		size_t i;

		if (end == q) { /* "a=1&&b=2" */
			q = amp + 1;
			continue;
		}
		if (req_url_decode(q, (size_t)((eq ? eq : end) - q), name, sizeof(name)))
			return fail(err, 400, "", "bad parameter name");
		if (req_url_decode(eq ? eq + 1 : end, eq ? (size_t)(end - eq - 1) : 0, value,
				   sizeof(value)))
			return fail(err, 400, name, "bad percent-encoding in the value");
		for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
			if (!strcmp(name, params[i].name))
				break;
		}
		if (!(allowed & P_ANY)) {
			if (i == sizeof(params) / sizeof(params[0]) || !(allowed & params[i].bit))
				return fail(err, 400, name, "unknown parameter for this endpoint");
			if (seen & params[i].bit)
				return fail(err, 400, name, "parameter given twice");
			seen |= params[i].bit;
			if (!eq)
				return fail(err, 400, name, "parameter needs a value");
			if (set_param(rq, params[i].bit, name, value, now, err))
				return -1;
		}
		q = amp ? amp + 1 : end;
	}
	if ((seen & P_PID) && (seen & P_COMM))
		return fail(err, 400, "comm", "give pid or comm, not both");
	if (rq->route == ROUTE_HISTORY && !(seen & P_METRIC))
		return fail(err, 400, "metric", "metric is required");
	if (!isnan(rq->from) && !isnan(rq->to) && rq->from > rq->to)
		return fail(err, 400, "from", "from is after to");
	return 0;
}

int request_parse(const char *uri, double now, struct request *rq, struct req_error *err)
{
	const char *q = strchr(uri, '?');
	size_t plen = q ? (size_t)(q - uri) : strlen(uri), i;
	static const char proc_prefix[] = "/api/v1/processes/";
	unsigned allowed = 0;
	char path[256];

	memset(rq, 0, sizeof(*rq));
	memset(err, 0, sizeof(*err));
	rq->limit = REQ_LIMIT_DEFAULT;
	rq->sort_field = -1;
	rq->sort_desc = -1;
	rq->metric = -1;
	rq->from = rq->to = NAN;
	if (strlen(uri) > REQ_MAX_URI)
		return fail(err, 414, "", "request target too long");
	if (plen >= sizeof(path) || req_url_decode(uri, plen, path, sizeof(path)))
		return fail(err, 404, "", "no such path");
	/* A trailing slash names the same resource (but "/" stays "/"). */
	plen = strlen(path);
	if (plen > 1 && path[plen - 1] == '/')
		path[--plen] = '\0';
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!strcmp(path, routes[i].path)) {
			rq->route = routes[i].route;
			allowed = routes[i].params;
			break;
		}
	}
	if (i == sizeof(routes) / sizeof(routes[0])) {
		long pid;

		if (strncmp(path, proc_prefix, sizeof(proc_prefix) - 1))
			return fail(err, 404, "", "no such path");
		if (parse_long(path + sizeof(proc_prefix) - 1, 1, 0x7fffffff, &pid))
			return fail(err, 400, "pid", "'%.32s' is not a process id",
				    path + sizeof(proc_prefix) - 1);
		rq->route = ROUTE_PROCESS;
		rq->pid = (uint32_t)pid;
	}
	return q ? parse_query(q + 1, allowed, now, rq, err) : 0;
}

/* ---- content negotiation ---- */

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Trimmed token [p, end) equals s, case-insensitively. */
static bool tok_eq(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	p = skip_ws(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return (size_t)(end - p) == n && !strncasecmp(p, s, n);
}

/*
 * One media range of an Accept header, e.g.
 * application/openmetrics-text;version=1.0.0;q=0.9. Returns its q (0 to 1),
 * or -1 when it does not name a format we serve: OpenMetrics 1.0.0 (*om set)
 * or text 0.0.4.
 */
static double media_q(const char *p, const char *end, bool *om)
{
	const char *semi = memchr(p, ';', (size_t)(end - p));
	const char *type_end = semi ? semi : end;
	double q = 1;
	bool is_om = tok_eq(p, type_end, "application/openmetrics-text");
	bool is_text = tok_eq(p, type_end, "text/plain") || tok_eq(p, type_end, "text/*") ||
		       tok_eq(p, type_end, "*/*");

	while (semi) {
		const char *a = semi + 1, *next = memchr(a, ';', (size_t)(end - a));
		const char *pend = next ? next : end, *eq = memchr(a, '=', (size_t)(pend - a));

		if (eq && tok_eq(a, eq, "q")) {
			char tmp[16];
			size_t n = (size_t)(pend - eq - 1);

			if (n >= sizeof(tmp))
				n = sizeof(tmp) - 1;
			memcpy(tmp, eq + 1, n);
			tmp[n] = '\0';
			q = strtod(tmp, NULL);
			if (!(q >= 0 && q <= 1))
				q = 0;
		} else if (eq && tok_eq(a, eq, "version")) {
			if (is_om && !tok_eq(eq + 1, pend, "1.0.0"))
				is_om = false;
			if (is_text && !tok_eq(eq + 1, pend, "0.0.4"))
				is_text = false;
		}
		semi = next;
	}
	*om = is_om;
	return is_om || is_text ? q : -1;
}

bool req_wants_openmetrics(const char *accept)
{
	double om_q = -1, text_q = -1;
	const char *p = accept;

	if (!accept)
		return false;
	while (*p) {
		const char *end = strchr(p, ',');
		bool om = false;
		double q;

		if (!end)
			end = p + strlen(p);
		q = media_q(p, end, &om);
		if (om && q > om_q)
			om_q = q;
		else if (!om && q > text_q)
			text_q = q;
		p = *end ? end + 1 : end;
	}
	return om_q > 0 && om_q >= text_q;
}
