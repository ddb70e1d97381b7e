// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The event stream (ebtop events): connect, accept, close and exec, as text lines or JSON. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <jansson.h>
#include "output/render.h"
#include "output/format.h"
#include "output/json.h"

static const char *kind_name(uint32_t kind)
{
	switch (kind) {
	case EBTOP_EV_CONNECT:
		return "connect";
	case EBTOP_EV_ACCEPT:
		return "accept";
	case EBTOP_EV_CLOSE:
		return "close";
	case EBTOP_EV_EXEC:
		return "exec";
	default:
		return "?";
	}
}

/* Accepts are reported once the owner is known; their time is the handshake's. */
static uint64_t event_wall_ns(const struct event *e)
{
	const struct ebtop_conn_rec *r = &e->conn;

	if (e->kind == EBTOP_EV_ACCEPT && r->estab_ns && r->estab_ns <= r->ts_ns)
		return e->wall_ns - (r->ts_ns - r->estab_ns);
	return e->wall_ns;
}

/* Nanoseconds the event measures: handshake latency, or lifetime at close; 0 when unknown. */
static uint64_t event_span_ns(const struct event *e)
{
	const struct ebtop_conn_rec *r = &e->conn;

	if (!r->open_ns)
		return 0;
	if (e->kind == EBTOP_EV_CONNECT)
		return (r->estab_ns ? r->estab_ns : r->ts_ns) - r->open_ns;
	if (e->kind == EBTOP_EV_CLOSE && r->ts_ns >= r->open_ns)
		return r->ts_ns - r->open_ns;
	return 0;
}

/* argv as the process gave it, NUL-separated; the last may be cut by the size limit. */
static json_t *argv_json(const struct ebtop_exec_event *x)
{
	json_t *arr = json_array();
	size_t len = x->args_len < EBTOP_ARGV_MAX ? x->args_len : EBTOP_ARGV_MAX;
	size_t i = 0;

	while (i < len) {
		size_t n = strnlen(x->argv + i, len - i);

		json_array_append_new(arr, json_stringn(x->argv + i, n));
		i += n + 1;
	}
	return arr;
}

json_t *event_to_json(const struct event *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "time", json_real((double)event_wall_ns(e) / 1e9));
	json_object_set_new(o, "type", json_string(kind_name(e->kind)));
	if (e->kind == EBTOP_EV_EXEC) {
		const struct ebtop_exec_event *x = &e->exec;
		char comm[17];

		snprintf(comm, sizeof(comm), "%.16s", x->comm);
		json_object_set_new(o, "pid", json_integer(x->pid));
		json_object_set_new(o, "tid", json_integer(x->tid));
		json_object_set_new(o, "ppid", json_integer(x->ppid));
		json_object_set_new(o, "uid", json_integer(x->uid));
		json_object_set_new(o, "comm", json_string(comm));
		json_object_set_new(o, "argv", argv_json(x));
		json_object_set_new(o, "truncated", json_boolean(x->truncated));
	} else {
		struct conn c;
		char la[64], ra[64];
		const char *errname;

		conn_from_rec(&c, &e->conn);
		conn_addr_text(la, sizeof(la), c.family, c.laddr, -1);
		conn_addr_text(ra, sizeof(ra), c.family, c.raddr, -1);
		errname = conn_err_name(c.err);
		json_object_set_new(o, "pid", c.pid ? json_integer(c.pid) : json_null());
		json_object_set_new(o, "tid", c.tid ? json_integer(c.tid) : json_null());
		json_object_set_new(o, "comm", c.comm[0] ? json_string(c.comm) : json_null());
		json_object_set_new(o, "proto",
				    json_string(c.proto == IPPROTO_UDP ? "udp" : "tcp"));
		json_object_set_new(o, "family", json_integer(c.family == AF_INET6 ? 6 : 4));
		json_object_set_new(o, "laddr", json_string(la));
		json_object_set_new(o, "lport", json_integer(c.lport));
		json_object_set_new(o, "raddr", json_string(ra));
		json_object_set_new(o, "rport", json_integer(c.rport));
		json_object_set_new(o, "cookie", json_integer((json_int_t)c.cookie));
		json_object_set_new(o, "error", errname ? json_string(errname) : json_null());
		if (e->kind == EBTOP_EV_CONNECT)
			json_object_set_new(o, "latency_ns",
					    json_integer((json_int_t)event_span_ns(e)));
		if (e->kind == EBTOP_EV_CLOSE) {
			json_object_set_new(o, "duration_ns",
					    c.open_ns ? json_integer((json_int_t)event_span_ns(e))
						      : json_null());
			json_object_set_new(o, "tx_bytes",
					    json_integer((json_int_t)c.tot.tx_bytes));
			json_object_set_new(o, "rx_bytes",
					    json_integer((json_int_t)c.tot.rx_bytes));
			json_object_set_new(o, "retrans", json_integer((json_int_t)c.tot.retrans));
			json_object_set_new(o, "passive",
					    json_boolean(c.flags & EBTOP_CONN_F_PASSIVE));
		}
	}
	return o;
}

int render_event_header(struct buf *b)
{
	return buf_printf(b, "%-12s %-7s %7s %-15s %s\n", "TIME", "EVENT", "PID", "COMM",
			  "DETAILS");
}

static int event_text(struct buf *b, const struct event *e)
{
	uint64_t wall = event_wall_ns(e);
	time_t t = (time_t)(wall / 1000000000ULL);
	char when[32], span[16];
	struct tm tm;
	int err;

	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (e->kind == EBTOP_EV_EXEC) {
		const struct ebtop_exec_event *x = &e->exec;
		size_t len = x->args_len < EBTOP_ARGV_MAX ? x->args_len : EBTOP_ARGV_MAX;

		err = buf_printf(b, "%s.%03u %-7s %7u %-15.16s ppid %u uid %u ", when,
				 (unsigned)(wall / 1000000 % 1000), "exec", x->pid, x->comm,
				 x->ppid, x->uid);
		for (size_t i = 0; !err && i < len; i++) {
			char ch = x->argv[i];

			if (ch == '\0')
				ch = ' ';
			else if ((unsigned char)ch < 0x20 || ch == 0x7f)
				ch = '?';
			err = buf_append(b, &ch, 1);
		}
		if (!err && x->truncated)
			err = buf_puts(b, "...");
	} else {
		struct conn c;
		char la[64], ra[64], pid[16];
		const char *errname, *arrow = e->kind == EBTOP_EV_ACCEPT ? "<-" : "->";

		conn_from_rec(&c, &e->conn);
		conn_addr_text(la, sizeof(la), c.family, c.laddr, c.lport);
		conn_addr_text(ra, sizeof(ra), c.family, c.raddr, c.rport);
		errname = conn_err_name(c.err);
		snprintf(pid, sizeof(pid), c.pid ? "%u" : "-", c.pid);
		fmt_value(span, sizeof(span), (double)event_span_ns(e), UNIT_NS, false);
		err = buf_printf(b, "%s.%03u %-7s %7s %-15s tcp %s %s %s", when,
				 (unsigned)(wall / 1000000 % 1000), kind_name(e->kind), pid,
				 c.comm[0] ? c.comm : "-", la, arrow, ra);
		if (!err && e->kind == EBTOP_EV_CONNECT)
			err = errname ? buf_printf(b, " %s after %s", errname, span)
				      : buf_printf(b, " in %s", span);
		if (!err && e->kind == EBTOP_EV_CLOSE)
			err = buf_printf(b, " dur %s tx %llu rx %llu retrans %llu%s%s",
					 c.open_ns ? span : "?", (unsigned long long)c.tot.tx_bytes,
					 (unsigned long long)c.tot.rx_bytes,
					 (unsigned long long)c.tot.retrans, errname ? " " : "",
					 errname ? errname : "");
	}
	return err ? err : buf_puts(b, "\n");
}

int render_event(struct buf *b, const struct event *e, bool json)
{
	return json ? put_json_line(b, event_to_json(e)) : event_text(b, e);
}

int render_events_lost(struct buf *b, uint64_t lost, uint64_t missed, bool json)
{
	if (json)
		return buf_printf(b, "{\"type\":\"lost\",\"count\":%llu,\"missed\":%llu}\n",
				  (unsigned long long)lost, (unsigned long long)missed);
	return buf_printf(
	    b,
	    "-- %llu events lost (ring buffer full; see --conn-ringbuf-kb), %llu program "
	    "runs skipped by the kernel (nested on one CPU)\n",
	    (unsigned long long)lost, (unsigned long long)missed);
}
