/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The REST/JSON API: one parsed request and one snapshot in, a status and a JSON body out. */
#ifndef EBTOP_SERVE_API_H
#define EBTOP_SERVE_API_H

#include "core/buf.h"
#include "model/model.h"
#include "serve/request.h"

struct evring;

/* What the API reads besides the snapshot. */
struct api_ctx {
	const struct snapshot *snap; /* (borrowed) NULL before the first interval */
	struct evring *exec_events;  /* (borrowed) recent exec events; NULL: none kept */
	struct evring *conn_events;  /* (borrowed) recent connect/accept/close events */
};

/* Writes a JSON body into out and returns the HTTP status (200, 400, 404, 503). */
int api_respond(const struct request *rq, const struct api_ctx *ctx, struct buf *out);

/* {"error": msg, "parameter": param} (parameter left out when empty). */
int api_error(struct buf *out, const char *param, const char *msg) BUF_CHECK;

#endif
