// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Socket bytes per thread from sock:sock_send_length and sock:sock_recv_length. */
#include "ebtop.bpf.h"

static __always_inline int account(struct sock *sk, int ret, int dir)
{
	struct ebtop_task_stats *st;
	__u16 family = sk->__sk_common.skc_family;
	__u16 proto;
	int fam, p;

	if (family == AF_INET)
		fam = EBTOP_V4;
	else if (family == AF_INET6)
		fam = EBTOP_V6;
	else
		return 0; /* unix, netlink, packet: not network traffic */
	proto = sk->sk_protocol;
	p = proto == IPPROTO_TCP ? EBTOP_TCP : proto == IPPROTO_UDP ? EBTOP_UDP : EBTOP_OTHER;

	st = current_stats();
	if (!st)
		return 0;
	st->net.bytes[p][fam][dir] += ret;
	st->net.calls[p][fam][dir] += 1;
	return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(net_send, struct sock *sk, int ret, int flags)
{
	if (ret <= 0)
		return 0;
	return account(sk, ret, EBTOP_TX);
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(net_recv, struct sock *sk, int ret, int flags)
{
	/* A peek leaves the data queued; it is counted when really read. */
	if (ret <= 0 || (flags & MSG_PEEK))
		return 0;
	return account(sk, ret, EBTOP_RX);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
