/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Connection rows of a snapshot, their fields, and the events of an interval. */
#ifndef EBTOP_MODEL_CONN_H
#define EBTOP_MODEL_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ebtop/conn.h"
#include "model/fields.h"

struct snapshot;
struct row;

/* Stable ids of connection fields; the filter names them conn.<name>. */
enum conn_field_id {
	CF_PID,	  /* owner process; NaN while unknown */
	CF_TID,	  /* owner thread that last sent or received */
	CF_COMM,  /* owner thread's name */
	CF_PROTO, /* "tcp" / "udp" */
	CF_LADDR, /* address text; struct conn has the bytes for CIDR tests */
	CF_LPORT,
	CF_RADDR, /* "*" for the "other peers" row */
	CF_RPORT,
	CF_STATE, /* ss names: ESTAB, SYN-SENT, ..., UNCONN; CLOSED once gone */
	CF_TX_RATE,
	CF_RX_RATE,
	CF_TX_TOTAL,
	CF_RX_TOTAL,
	CF_RETRANS, /* retransmitted segments since the socket opened */
	CF_RETX_PCT,
	CF_SRTT,  /* smoothed RTT, ns */
	CF_AGE,	  /* ns since opened (duration once closed); NaN when opened before ebtop */
	CF_ERR,	  /* "refused", "reset", "timeout", ... */
	CF_LOCAL, /* addr:port */
	CF_REMOTE,
	CF_NUM
};

extern const struct field_desc conn_fields[CF_NUM];

/* "tx" or "conn.tx", case-insensitive, name or title; -1 when unknown. */
int conn_field_lookup(const char *name);

/* Cumulative counters of one connection row. */
struct conn_counters {
	uint64_t tx_bytes;
	uint64_t rx_bytes;
	uint64_t tx_calls;
	uint64_t rx_calls;
	uint64_t retrans;
	uint64_t segs_out;
	uint64_t segs_in;
};

#define CONN_COUNTER_WORDS (sizeof(struct conn_counters) / sizeof(uint64_t))

/*
 * One connection row: a TCP socket, a UDP (socket, process, remote) pair, a
 * UDP socket's "other peers", or another process's share of a TCP socket
 * (flags: EBTOP_CONN_F_*). Addresses are in network byte order; IPv4-mapped
 * IPv6 addresses are turned into IPv4.
 */
struct conn {
	uint64_t cookie; /* the socket */
	uint32_t pid;	 /* owner process; 0 while unknown */
	uint32_t tid;
	uint64_t pstart_ns; /* owner process start: links to its row */
	uint64_t open_ns;   /* boot-time clock; 0 when opened before ebtop */
	uint64_t ts_ns;	    /* when the counters were read (the close, for closed rows) */
	uint32_t flags;
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t proto;	/* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t state;
	uint8_t err;
	uint16_t lport;
	uint16_t rport;
	uint32_t srtt_us;
	uint32_t rst_in;
	uint32_t rst_out;
	uint8_t laddr[16];
	uint8_t raddr[16];
	char comm[16];
	struct conn_counters tot;
	struct conn_counters delta; /* over the snapshot's interval */
	double v[CF_NUM];
	const struct row *owner; /* (borrowed) its process row in the same snapshot; NULL: unknown */
};

/* What a process row's connections add up to. */
struct conn_sums {
	uint64_t opened;  /* TCP connections established (made or accepted) */
	uint64_t refused; /* connects refused */
	uint64_t reset;	  /* connections reset by the peer */
	uint64_t timeout; /* connections timed out */
	uint64_t other;	  /* other failures (unreachable, ...) */
};

/* A process row's connections: snapshot.conns[first .. first + count). */
struct row_conns {
	uint32_t first;
	uint32_t count;
	const struct conn *rows; /* (borrowed) snapshot.conns + first; NULL when count is 0 */
	uint32_t open;	   /* not closed */
	uint64_t retrans;  /* over the interval, TCP sockets it owns */
	uint64_t segs_out; /* same */
	uint64_t out, in;  /* since ebtop started: connections made, accepted */
	uint64_t retrans_tot, segs_out_tot; /* since ebtop started: retrans, segs_out summed */
	struct conn_sums delta; /* over the interval */
	struct conn_sums tot;	/* since ebtop started (or the process did) */
};

/* How full the kernel-side tables are (shown with -v). */
struct conn_occupancy {
	uint64_t sockets;	 /* sockets with connection storage */
	uint64_t peers;		 /* entries in the peers table */
	uint64_t peers_max;	 /* its size */
	uint64_t ring_kb;	 /* the conn_events ring buffer */
	uint64_t events_dropped; /* events beyond what one interval keeps (user space) */
};

/* An event as the kernel sent it: conn for connect/accept/close, exec for exec. */
struct event {
	uint32_t kind; /* EBTOP_EV_* */
	uint32_t __pad;
	uint64_t wall_ns; /* ts_ns on the wall clock */
	union {
		struct ebtop_conn_rec conn;
		struct ebtop_exec_event exec;
	};
};

/* A kernel record as a row (no rates: those need two snapshots). */
void conn_from_rec(struct conn *c, const struct ebtop_conn_rec *r);
/* A connection field as text: strings, and addresses; "-" or NULL when unavailable. */
const char *conn_str(const struct conn *c, int field, char *buf, size_t len);
/* "ESTAB", "SYN-SENT", ...; UDP: "ESTAB" when connected, else "UNCONN". */
const char *conn_state_name(uint8_t proto, uint8_t state, uint32_t flags);
/* "refused", "reset", "timeout", "unreachable", or strerror-like; NULL for 0. */
const char *conn_err_name(uint8_t err);
/* Formats an address (network byte order) as text; brackets IPv6 when port is set. */
void conn_addr_text(char *buf, size_t len, uint8_t family, const uint8_t *addr, int port);

/* The connections of a process row (NULL, 0 for a thread row or without NEED_CONN). */
const struct conn *row_conns(const struct snapshot *s, const struct row *r, size_t *n);

/* Sort by a connection field; ties by key so the order is stable between intervals. */
void conn_ptrs_sort(const struct conn **c, size_t n, int field, bool descending);

/* Identity of a connection row across snapshots. */
int conn_key_cmp(const struct conn *a, const struct conn *b);

/*
 * Builds s->conns from the sample's records, with rates against prev, links
 * them to the process rows (row.conn) and fills the process fields that come
 * from connections. Returns 0 or -ENOMEM.
 */
int conn_build(struct snapshot *s, const struct snapshot *prev, const struct ebtop_conn_rec *recs,
	       size_t n, double dt);
/*
 * Links process rows to their range of s->conns (row.conn first, count, rows;
 * conn.owner) and counts what needs no earlier snapshot: open connections,
 * TCP retransmissions and segments sent. The rest of row.conn is zeroed.
 */
void conn_link_rows(struct snapshot *s);
/* Adds a process row's interval sums to the total row. */
void conn_total_add(struct row *total, const struct row *p);
/* Copies the interval's events into the snapshot. */
int conn_events_copy(struct snapshot *s, const struct event *ev, size_t n);

#endif
