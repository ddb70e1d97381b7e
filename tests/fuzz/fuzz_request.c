// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target for HTTP request handling: request targets, query parameters, Accept. */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "model/fields.h"
#include "serve/request.h"

/*
 * The first byte chooses what the rest is: a request target (as libmicrohttpd
 * hands it over) or an Accept header. Besides the sanitizers, it checks what
 * the server relies on: a parsed request is within its documented bounds and
 * a refused one says why, with a status the server can send.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request rq;
	struct req_error err;
	char *s;

	if (size < 1)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	if (data[0] & 1) {
		(void)req_wants_openmetrics(s);
	} else if (request_parse(s, 1.7e9, &rq, &err) == 0) {
		assert(rq.limit >= 1 && rq.limit <= REQ_LIMIT_MAX);
		assert(rq.sort_field >= -1 && rq.sort_field < F_NUM);
		assert(memchr(rq.filter, '\0', sizeof(rq.filter)));
		assert(memchr(rq.comm, '\0', sizeof(rq.comm)));
		assert(rq.route != ROUTE_PROCESS || rq.pid > 0);
		assert(isnan(rq.from) || isnan(rq.to) || rq.from <= rq.to);
	} else {
		assert(err.status == 400 || err.status == 404 || err.status == 414);
		assert(memchr(err.param, '\0', sizeof(err.param)));
		assert(err.msg[0] && memchr(err.msg, '\0', sizeof(err.msg)));
	}
	free(s);
	return 0;
}
