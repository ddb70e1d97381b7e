/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* HTTP request targets: path routing and strict query-parameter parsing, without I/O. */
#ifndef EBTOP_SERVE_REQUEST_H
#define EBTOP_SERVE_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest request target accepted (path and query), in bytes. */
#define REQ_MAX_URI    8192
#define REQ_MAX_FILTER 4096

enum req_route {
	ROUTE_ROOT,
	ROUTE_METRICS,
	ROUTE_HEALTH,
	ROUTE_PROCESSES,
	ROUTE_PROCESS, /* /api/v1/processes/{pid} */
	ROUTE_CONNECTIONS,
	ROUTE_DISKS,
	ROUTE_EVENTS_EXEC,
	ROUTE_EVENTS_CONNECT,
	ROUTE_HISTORY,
};

#define REQ_LIMIT_DEFAULT 100
#define REQ_LIMIT_MAX     100000

struct request {
	enum req_route route;
	uint32_t pid;      /* ROUTE_PROCESS, or pid= of history and events (0: not given) */
	long limit;        /* rows; REQ_LIMIT_DEFAULT when not given */
	bool limit_set;    /* limit was given */
	int sort_field;    /* -1: the endpoint's default; enum conn_field_id for connections */
	int sort_desc;     /* -1: the field's default direction */
	char filter[REQ_MAX_FILTER + 1]; /* "" when not given */
	/* /api/v1/history */
	char comm[16];
	int metric; /* field id, -1 when not given */
	double from, to; /* seconds since the epoch; NaN when not given */
	double step;     /* seconds; 0 when not given */
};

/* Why a request was refused: the HTTP status and, for 400, the parameter. */
struct req_error {
	int status;      /* 400 bad parameter, 404 unknown path, 414 too long */
	char param[32];  /* "" when not about a parameter */
	char msg[160];
};

/*
 * Parses a request target such as "/api/v1/processes?limit=5&sort=tx".
 * now_s: the current time, for relative times in history (from=-1h).
 * Returns 0, or -1 with err filled in. Never reads past the NUL of uri.
 */
int request_parse(const char *uri, double now_s, struct request *rq, struct req_error *err)
	__attribute__((warn_unused_result));

/* Content negotiation: does this Accept header prefer OpenMetrics 1.0 over text 0.0.4? */
bool req_wants_openmetrics(const char *accept);

/* Percent-decoding ('+' is a space); -1 on a bad escape or a NUL byte. */
int req_url_decode(const char *in, size_t n, char *out, size_t outlen);

#endif
