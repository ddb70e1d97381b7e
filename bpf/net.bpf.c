// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Socket bytes per thread from sock:sock_send_length and sock:sock_recv_length. */
#include "conn.bpf.h"

/*
 * The hot path: about a dozen instructions and one cache line of a per-CPU
 * slot. Task storage would cost ~45 ns more per event on a cold cache
 * (three dependent loads through task->bpf_storage), so it is only the
 * fallback when the slot belongs to another thread.
 */
static __always_inline int account(struct sock *sk, int ret, int dir)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	__u32 idx = tid & (net_nslots - 1);
	struct ebtop_net_slot *slot;
	struct ebtop_net_counters *c;
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

	slot = bpf_map_lookup_elem(&net_slots, &idx);
	if (!slot)
		return 0;
	if (slot->tid == tid) {
		c = &slot->net;
	} else if (slot->tid == 0 && tid != 0) {
		slot->tid = tid;
		c = &slot->net;
	} else {
		struct ebtop_task *st = current_task_stats();

		if (!st)
			return 0;
		count_error(EBTOP_ERR_SLOT);
		c = &st->c.net;
	}
	c->c[p][fam][dir].bytes += ret;
	c->c[p][fam][dir].calls += 1;
	if (conn_track)
		conn_account(sk, ret, dir, p, id);
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
