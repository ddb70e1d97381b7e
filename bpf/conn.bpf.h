/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Per-connection state and the send/receive accounting that net.bpf.c runs when asked to. */
#ifndef EBTOP_CONN_BPF_H
#define EBTOP_CONN_BPF_H

#include "ebtop.bpf.h"
#include <bpf/bpf_endian.h>
#include "ebtop/conn.h"

#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT	2
#define TCP_SYN_RECV	3
#define TCP_FIN_WAIT1	4
#define TCP_CLOSE	7
#define TCP_CLOSE_WAIT	8
#define TCP_LAST_ACK	9
#define TCP_LISTEN	10

/* Kernel-only flags in conn_state.flags, above the EBTOP_CONN_F_* ones user space sees. */
#define CS_OPEN_SENT (1u << 16) /* the connect/accept event went out */
#define CS_PUBLIC    0xffffu

/*
 * One socket's connection state in BPF socket storage: created at the first
 * state change or send/receive, freed by the kernel together with the socket,
 * so closed sockets never leak entries. The fields every send or receive
 * writes share the first cache line.
 */
struct conn_state {
	__u64 bytes[EBTOP_NDIR];
	__u64 calls[EBTOP_NDIR];
	__u32 tgid; /* owner process; 0 until known */
	__u32 tid;
	__u64 pstart_ns;
	__u64 cookie;
	__u64 open_ns;
	__u64 estab_ns;
	__u32 flags;
	__u32 npeers; /* UDP peers given their own row */
	__u32 rst_in;
	__u32 rst_out;
	__u32 err;
	__u16 lport; /* the last known 4-tuple: CLOSE unhashes the socket and zeroes its port */
	__u16 rport;
	__u8 family;
	__u8 __pad[7];
	__u8 laddr[16];
	__u8 raddr[16];
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct conn_state);
} conns SEC(".maps") __weak;

/* UDP (socket, process, peer) rows and other processes' bytes on a shared TCP socket. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536); /* resized from user space */
	__type(key, struct ebtop_peer_key);
	__type(value, struct ebtop_peer_val);
} conn_peers SEC(".maps") __weak;

/* Final records of closed connections, and events when asked for. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20); /* resized from user space */
} conn_events SEC(".maps") __weak;

/* The destination of the UDP datagram this CPU's thread is sending, or the source it receives. */
struct udp_pending {
	__u32 tid;
	__u16 port;
	__u8 family;
	__u8 __pad;
	__u64 cookie;
	__u8 addr[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct udp_pending);
} udp_pending SEC(".maps") __weak;

/* Set by user space before load. */
const volatile bool conn_track __weak = false;	   /* per-connection accounting in the net hooks */
const volatile bool conn_events_on __weak = false; /* connect/accept/close/exec events */
const volatile __u32 udp_max_peers __weak = 16;

static __always_inline void sk_addrs(const struct sock *sk, __u8 *family, __u8 *laddr, __u8 *raddr,
				     __u16 *lport, __u16 *rport)
{
	__u16 fam = sk->__sk_common.skc_family;

	*family = (__u8)fam;
	*lport = sk->__sk_common.skc_num;
	*rport = bpf_ntohs(sk->__sk_common.skc_dport);
	if (fam == AF_INET6) {
		bpf_probe_read_kernel(laddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_probe_read_kernel(raddr, 16, &sk->__sk_common.skc_v6_daddr);
	} else {
		__builtin_memset(laddr, 0, 16);
		__builtin_memset(raddr, 0, 16);
		*(__u32 *)laddr = sk->__sk_common.skc_rcv_saddr;
		*(__u32 *)raddr = sk->__sk_common.skc_daddr;
	}
}

/*
 * Remembers the addresses while the socket still has them; once is enough.
 * A TCP socket without a remote port is not there yet: on 6.1 and 6.12 an
 * accepted socket is reported in SYN_RECV while it still carries its
 * listener's addresses (inet_csk_clone_lock sets the state first).
 */
static __always_inline void conn_keep_tuple(struct conn_state *v, const struct sock *sk)
{
	__u16 lport = sk->__sk_common.skc_num;

	if (v->lport || !lport || (sk->sk_protocol == IPPROTO_TCP && !sk->__sk_common.skc_dport))
		return;
	sk_addrs(sk, &v->family, v->laddr, v->raddr, &v->lport, &v->rport);
}

static __always_inline void conn_set_owner(struct conn_state *v, __u64 id)
{
	struct task_struct *t = bpf_get_current_task_btf();

	v->tid = (__u32)id;
	v->pstart_ns = t->group_leader->start_boottime;
	bpf_get_current_comm(v->comm, sizeof(v->comm));
	/* Last: the hot path trusts the other owner fields once it sees tgid. */
	v->tgid = id >> 32;
}

/* Fills everything a record says about a connection from its storage and its socket. */
static __always_inline void conn_fill(struct ebtop_conn_rec *r, struct sock *sk,
				      const struct conn_state *v, __u32 kind)
{
	r->kind = kind;
	r->flags = v->flags & CS_PUBLIC;
	r->cookie = v->cookie;
	r->ts_ns = bpf_ktime_get_boot_ns();
	r->open_ns = v->open_ns;
	r->estab_ns = v->estab_ns;
	r->pstart_ns = v->pstart_ns;
	r->tgid = v->tgid;
	r->tid = v->tid;
	r->tx_bytes = v->bytes[EBTOP_TX];
	r->rx_bytes = v->bytes[EBTOP_RX];
	r->tx_calls = v->calls[EBTOP_TX];
	r->rx_calls = v->calls[EBTOP_RX];
	r->rst_in = v->rst_in;
	r->rst_out = v->rst_out;
	r->err = (__u8)v->err;
	__builtin_memcpy(r->comm, v->comm, sizeof(r->comm));
	r->proto = (__u8)sk->sk_protocol;
	r->state = sk->__sk_common.skc_state;
	if (!sk->__sk_common.skc_num && v->lport) {
		r->family = v->family;
		r->lport = v->lport;
		r->rport = v->rport;
		__builtin_memcpy(r->laddr, v->laddr, 16);
		__builtin_memcpy(r->raddr, v->raddr, 16);
	} else {
		sk_addrs(sk, &r->family, r->laddr, r->raddr, &r->lport, &r->rport);
	}
	r->srtt_us = 0;
	r->retrans = r->segs_out = r->segs_in = 0;
	if (r->proto == IPPROTO_TCP) {
		struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);

		if (tp) {
			r->srtt_us = tp->srtt_us >> 3; /* kept in 1/8 us */
			r->retrans = tp->total_retrans;
			r->segs_out = tp->segs_out;
			r->segs_in = tp->segs_in;
		}
	}
}

/* Sends a connect/accept/close event; the caller checked conn_events_on. */
static __noinline void conn_event(struct sock *sk, struct conn_state *v, __u32 kind)
{
	struct ebtop_conn_rec *r;

	if (!sk || !v)
		return;
	r = bpf_ringbuf_reserve(&conn_events, sizeof(*r), 0);
	if (!r) {
		count_error(EBTOP_ERR_EVENTS);
		return;
	}
	conn_fill(r, sk, v, kind);
	bpf_ringbuf_submit(r, 0);
}

/*
 * The first process to send or receive on an accepted socket owns it: no
 * tracepoint runs in the accepting process's context before that.
 */
static __noinline void conn_claim(struct sock *sk, struct conn_state *v, __u64 id)
{
	if (!sk || !v || v->tgid)
		return;
	conn_set_owner(v, id);
	if (!(v->flags & EBTOP_CONN_F_PASSIVE))
		return;
	if (conn_events_on && !(v->flags & CS_OPEN_SENT)) {
		v->flags |= CS_OPEN_SENT;
		conn_event(sk, v, EBTOP_EV_ACCEPT);
	}
}

/* Storage for a socket first seen sending or receiving (UDP, or TCP open before ebtop). */
static __noinline struct conn_state *conn_first_use(struct sock *sk, int proto)
{
	struct conn_state *v;

	if (!sk)
		return NULL;
	v = bpf_sk_storage_get(&conns, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!v) {
		count_error(EBTOP_ERR_CONN_STORAGE);
		return NULL;
	}
	if (!v->cookie) {
		v->cookie = bpf_get_socket_cookie(sk);
		conn_keep_tuple(v, sk);
		if (proto == EBTOP_TCP) {
			v->flags |= EBTOP_CONN_F_PREEXIST;
			if (sk->__sk_common.skc_state == TCP_ESTABLISHED)
				v->flags |= EBTOP_CONN_F_ESTAB;
		} else {
			v->open_ns = bpf_ktime_get_boot_ns();
		}
	}
	return v;
}

/*
 * Bytes that do not go to the socket's own counters: every UDP datagram
 * (one row per remote peer, up to udp_max_peers, then one "other" row) and
 * TCP bytes moved by a process other than the socket's owner.
 */
static __noinline void conn_peer_add(struct sock *sk, struct conn_state *v, __u64 id, int ret,
				     int dir)
{
	struct ebtop_peer_key k = {};
	struct ebtop_peer_val *pv;
	struct udp_pending *pend;
	__u32 zero = 0;
	int proto;

	if (!sk || !v)
		return;
	proto = sk->sk_protocol == IPPROTO_TCP ? EBTOP_TCP : EBTOP_UDP;
	k.cookie = v->cookie;
	k.tgid = id >> 32;
	if (proto == EBTOP_UDP) {
		if (sk->__sk_common.skc_state == TCP_ESTABLISHED) {
			/* A connected UDP socket: its one peer is in the socket. */
			__u8 fam, la[16];
			__u16 lp;

			sk_addrs(sk, &fam, la, k.raddr, &lp, &k.rport);
			k.family = fam;
		} else {
			pend = bpf_map_lookup_elem(&udp_pending, &zero);
			if (pend && pend->tid == (__u32)id && pend->cookie == v->cookie) {
				k.family = pend->family;
				k.rport = pend->port;
				__builtin_memcpy(k.raddr, pend->addr, 16);
				pend->tid = 0;
			}
		}
	}
	pv = bpf_map_lookup_elem(&conn_peers, &k);
	if (!pv) {
		struct ebtop_peer_val nv = {};
		struct task_struct *t = bpf_get_current_task_btf();
		__u8 ra[16];
		__u16 rp;

		if (k.family && v->npeers >= udp_max_peers) {
			/* Fold into the socket's "other peers" row. */
			k.family = 0;
			k.rport = 0;
			__builtin_memset(k.raddr, 0, 16);
			pv = bpf_map_lookup_elem(&conn_peers, &k);
		}
		if (!pv) {
			sk_addrs(sk, &nv.family, nv.laddr, ra, &nv.lport, &rp);
			if (proto == EBTOP_TCP) {
				__builtin_memcpy(nv.raddr, ra, 16);
				nv.rport = rp;
			} else {
				__builtin_memcpy(nv.raddr, k.raddr, 16);
				nv.rport = k.rport;
			}
			nv.proto = proto == EBTOP_TCP ? IPPROTO_TCP : IPPROTO_UDP;
			nv.tid = (__u32)id;
			nv.pstart_ns = t->group_leader->start_boottime;
			nv.first_ns = bpf_ktime_get_boot_ns();
			bpf_get_current_comm(nv.comm, sizeof(nv.comm));
			if (bpf_map_update_elem(&conn_peers, &k, &nv, BPF_NOEXIST) == 0) {
				if (k.family)
					__sync_fetch_and_add(&v->npeers, 1);
			}
			pv = bpf_map_lookup_elem(&conn_peers, &k);
			if (!pv) {
				count_error(EBTOP_ERR_CONN_PEERS);
				return;
			}
		}
	}
	if (dir == EBTOP_TX) {
		__sync_fetch_and_add(&pv->tx_bytes, ret);
		__sync_fetch_and_add(&pv->tx_calls, 1);
	} else {
		__sync_fetch_and_add(&pv->rx_bytes, ret);
		__sync_fetch_and_add(&pv->rx_calls, 1);
	}
	if (pv->tid != (__u32)id)
		pv->tid = (__u32)id;
}

/*
 * Per-connection bytes, called from account() when conn_track is set (the
 * verifier drops it otherwise, so the plain network path pays nothing). The
 * common case, the owner moving bytes on its TCP socket, is one socket-storage
 * lookup and two atomic adds.
 */
static __always_inline void conn_account(struct sock *sk, int ret, int dir, int proto, __u64 id)
{
	struct conn_state *v;

	if (proto == EBTOP_OTHER)
		return;
	v = bpf_sk_storage_get(&conns, sk, 0, 0);
	if (!v) {
		v = conn_first_use(sk, proto);
		if (!v)
			return;
	}
	if (proto == EBTOP_TCP) {
		if (v->tgid != (__u32)(id >> 32)) {
			if (v->tgid) {
				conn_peer_add(sk, v, id, ret, dir);
				return;
			}
			conn_claim(sk, v, id);
		}
		__sync_fetch_and_add(&v->bytes[dir & 1], ret);
		__sync_fetch_and_add(&v->calls[dir & 1], 1);
		if (v->tid != (__u32)id)
			v->tid = (__u32)id;
		return;
	}
	conn_peer_add(sk, v, id, ret, dir);
}

#endif
