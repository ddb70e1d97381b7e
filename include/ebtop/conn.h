/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Connection records and events, shared by bpf/conn.bpf.c and src/. */
#ifndef EBTOP_CONN_H
#define EBTOP_CONN_H

#ifdef __BPF__
/* vmlinux.h provides the __u* types on the BPF side. */
#else
#include <linux/types.h>
#endif

/* What a record is; the first word of everything in the conn_events ring buffer. */
enum ebtop_conn_kind {
	EBTOP_CONN_LIVE = 0,  /* a tracked socket, from the socket-storage iterator */
	EBTOP_CONN_FINAL = 1, /* a TCP socket was destroyed: its final counters */
	EBTOP_CONN_PEER = 2,  /* a UDP peer or another process on a shared socket (user space) */
	EBTOP_EV_CONNECT = 3, /* outbound TCP handshake finished or failed (err) */
	EBTOP_EV_ACCEPT = 4,  /* inbound TCP connection, reported once its owner is known */
	EBTOP_EV_CLOSE = 5,   /* TCP connection reached CLOSE */
	EBTOP_EV_EXEC = 6,    /* struct ebtop_exec_event */
};

/* ebtop_conn_rec.flags */
#define EBTOP_CONN_F_PASSIVE  (1u << 0) /* accepted rather than connected */
#define EBTOP_CONN_F_PREEXIST (1u << 1) /* open before ebtop started: age unknown */
#define EBTOP_CONN_F_CLOSED   (1u << 2) /* the socket is gone; counters are final */
#define EBTOP_CONN_F_OTHER    (1u << 3) /* UDP: peers beyond the per-socket limit, or unknown */
#define EBTOP_CONN_F_SHARED   (1u << 4) /* bytes of a process other than the socket's owner */
#define EBTOP_CONN_F_ESTAB    (1u << 5) /* the handshake completed at some point */

/*
 * One connection: a socket's identity, owner and counters. Addresses are in
 * network byte order (IPv4 in the first 4 bytes), ports in host order.
 */
struct ebtop_conn_rec {
	__u32 kind;
	__u32 flags;
	__u64 cookie;	 /* socket cookie: unique for the life of the system */
	__u64 ts_ns;	 /* boot-time clock: when the record or event was made */
	__u64 open_ns;	 /* SYN sent or received, or first seen; 0: before ebtop */
	__u64 estab_ns;	 /* handshake completed; 0: not (yet) */
	__u64 pstart_ns; /* start of the owner process: (tgid, pstart_ns) is its key */
	__u32 tgid;	 /* owner process; 0 while unknown (accepted, no I/O yet) */
	__u32 tid;	 /* the owner's thread that last sent or received */
	__u8 family;	 /* AF_INET or AF_INET6; 0 for an unknown peer */
	__u8 proto;	 /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 state;	 /* TCP state (TCP_ESTABLISHED = 1 ... TCP_CLOSING = 11) */
	__u8 err;	 /* errno the connection ended with (ECONNREFUSED, ...); 0 */
	__u16 lport;
	__u16 rport;
	__u32 srtt_us; /* smoothed round-trip time; 0 when unknown */
	__u32 rst_in;  /* resets received */
	__u32 rst_out; /* resets sent */
	__u32 __pad;
	__u8 laddr[16];
	__u8 raddr[16];
	__u64 tx_bytes;
	__u64 rx_bytes;
	__u64 tx_calls;
	__u64 rx_calls;
	__u64 retrans;	/* retransmitted segments (tcp_sock.total_retrans) */
	__u64 segs_out; /* segments sent, retransmissions included */
	__u64 segs_in;
	char comm[16]; /* owner thread's name */
};

#define EBTOP_ARGV_MAX 512

/* A successful exec. argv holds the arguments NUL-separated, args_len bytes of them. */
struct ebtop_exec_event {
	__u32 kind; /* EBTOP_EV_EXEC */
	__u32 pid;
	__u32 tid;
	__u32 ppid;
	__u32 uid;
	__u32 args_len;
	__u64 ts_ns;
	__u32 truncated; /* the arguments did not fit */
	__u32 __pad;
	char comm[16];
	char argv[EBTOP_ARGV_MAX];
};

/* The peers table: UDP (socket, process, remote) and shared-socket (socket, process) rows. */
struct ebtop_peer_key {
	__u64 cookie;
	__u32 tgid;
	__u16 rport;
	__u8 family; /* 0: the "other peers" row, or a TCP socket's non-owner process */
	__u8 __pad;
	__u8 raddr[16];
};

struct ebtop_peer_val {
	__u64 tx_bytes;
	__u64 rx_bytes;
	__u64 tx_calls;
	__u64 rx_calls;
	__u64 pstart_ns;
	__u64 first_ns;
	__u32 tid;
	__u16 lport;
	__u16 rport;
	__u8 family; /* of the socket */
	__u8 proto;
	__u8 __pad[6];
	__u8 laddr[16];
	__u8 raddr[16];
	char comm[16];
};

#ifndef __BPF__
_Static_assert(sizeof(struct ebtop_conn_rec) % 8 == 0, "conn record alignment");
_Static_assert(sizeof(struct ebtop_exec_event) % 8 == 0, "exec event alignment");
_Static_assert(sizeof(struct ebtop_peer_key) == 32, "peer key layout");
_Static_assert(sizeof(struct ebtop_peer_val) % 8 == 0, "peer value alignment");
#endif

#endif
