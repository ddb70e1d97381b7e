// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Connections as JSON: under each process, or as their own table (--connections --json). */
#include <netinet/in.h>
#include "output/json.h"
#include "output/json_conn.h"
#include "output/render.h"

json_t *conn_to_json(const struct conn *c)
{
	json_t *o = json_object();

	for (int f = 0; f < CF_NUM; f++) {
		char buf[128];
		const char *t;

		if (conn_fields[f].type == FT_NUM) {
			json_object_set_new(o, conn_fields[f].name, num_json(c->v[f]));
			continue;
		}
		t = conn_str(c, f, buf, sizeof(buf));
		json_object_set_new(o, conn_fields[f].name, t ? json_string(t) : json_null());
	}
	json_object_set_new(o, "family", json_integer(c->family == AF_INET6 ? 6 : 4));
	json_object_set_new(o, "closed", json_boolean(c->flags & EBTOP_CONN_F_CLOSED));
	json_object_set_new(o, "passive", json_boolean(c->flags & EBTOP_CONN_F_PASSIVE));
	json_object_set_new(o, "other_peers", json_boolean(c->flags & EBTOP_CONN_F_OTHER));
	json_object_set_new(o, "shared", json_boolean(c->flags & EBTOP_CONN_F_SHARED));
	json_object_set_new(o, "cookie", json_integer((json_int_t)c->cookie));
	json_object_set_new(o, "tx_calls_total", json_integer((json_int_t)c->tot.tx_calls));
	json_object_set_new(o, "rx_calls_total", json_integer((json_int_t)c->tot.rx_calls));
	json_object_set_new(o, "rst_in", json_integer(c->rst_in));
	json_object_set_new(o, "rst_out", json_integer(c->rst_out));
	return o;
}

json_t *row_conns_json(const struct snapshot *s, const struct row *r)
{
	json_t *arr = json_array();
	size_t n;
	const struct conn *c = row_conns(s, r, &n);

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, conn_to_json(&c[i]));
	return arr;
}

json_t *conn_occupancy_json(const struct snapshot *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "sockets", json_integer((json_int_t)s->conn_occ.sockets));
	json_object_set_new(o, "peers", json_integer((json_int_t)s->conn_occ.peers));
	json_object_set_new(o, "peers_max", json_integer((json_int_t)s->conn_occ.peers_max));
	json_object_set_new(o, "ring_kb", json_integer((json_int_t)s->conn_occ.ring_kb));
	json_object_set_new(o, "events_dropped",
			    json_integer((json_int_t)s->conn_occ.events_dropped));
	return o;
}

int render_conn_json(struct buf *b, const struct snapshot *s, const struct conn *const *c, size_t n,
		     const struct render_opts *o)
{
	json_t *root = interval_json(s), *arr = json_array();

	(void)o;
	json_object_set_new(root, "self_cpu_pct", json_real(s->self_cpu_pct));
	json_object_set_new(root, "occupancy", conn_occupancy_json(s));
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, conn_to_json(c[i]));
	json_object_set_new(root, "connections", arr);
	return put_json_line(b, root);
}
