/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* JSON objects for connections, shared by the process and connection renderers. */
#ifndef EBTOP_JSON_CONN_H
#define EBTOP_JSON_CONN_H

#include <jansson.h>
#include "model/model.h"

/* Every connection field under its name, plus family, closed, other_peers, shared, cookie. */
json_t *conn_to_json(const struct conn *c);
/* The connections of a process row, as an array. */
json_t *row_conns_json(const struct snapshot *s, const struct row *r);
/* Table occupancy for self.connections. */
json_t *conn_occupancy_json(const struct snapshot *s);

#endif
