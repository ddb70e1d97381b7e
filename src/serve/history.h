/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* GET /api/v1/history: time series read from the history store. */
#ifndef EBTOP_SERVE_HISTORY_H
#define EBTOP_SERVE_HISTORY_H

#include "core/buf.h"
#include "serve/request.h"

struct history;

/* path: the database the sampling loop writes (borrowed); opened read-only on first use. */
struct history *history_new(const char *path);
void history_free(struct history *h);
/* Writes the JSON answer (or error) into out; returns the HTTP status. Thread-safe. */
int history_respond(struct history *h, const struct request *rq, double now_s, struct buf *out);

#endif
