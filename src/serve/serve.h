/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `ebtop serve`: the HTTP server (libmicrohttpd) for /metrics, /health and the REST API. */
#ifndef EBTOP_SERVE_H
#define EBTOP_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include "model/model.h"
#include "serve/prom.h"

#define SERVE_LISTEN_DEFAULT "127.0.0.1:9877"

struct serve_opts {
	char listen[256];     /* "ADDR:PORT", "[V6ADDR]:PORT", or a unix socket path ("/run/x.sock") */
	unsigned max_conns;   /* simultaneous connections; more are refused */
	unsigned timeout_s;   /* a connection idle this long is closed */
	unsigned threads;     /* worker threads */
	size_t max_response;  /* bytes; a larger body is refused with an error */
	const char *web_config; /* (borrowed) TLS and basic auth; NULL: plain HTTP */
	double interval_s;    /* the sampling interval, for freshness */
	struct prom_opts prom;
	const char *version;
	const char *history_path; /* (borrowed) database for /api/v1/history; NULL: 503 */
	bool db_given;            /* --db was given: failing to open it is an error */
	size_t events_keep;       /* recent exec events, and connection events, kept for the API */
};

void serve_opts_default(struct serve_opts *o);

struct serve;

/* Binds, loads the web config and starts the workers. Errors: one sentence in msg. */
int serve_open(struct serve **out, const struct serve_opts *o, char *msg, size_t len)
	__attribute__((warn_unused_result));
/*
 * Publishes the next snapshot (called from the sampling loop, one thread):
 * folds it into the metric series and makes it what requests see.
 * collect_s: time spent reading the collector and building it.
 */
int serve_publish(struct serve *sv, struct snapshot *snap, double collect_s);
/* Stops accepting, waits for requests in flight, frees everything. NULL-safe. */
void serve_close(struct serve *sv);
/* Where it listens, e.g. "http://127.0.0.1:9877" (for the start-up message). */
const char *serve_url(const struct serve *sv);

#endif
