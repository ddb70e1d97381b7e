// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Socket bytes per thread: sock:sock_send_length/sock_recv_length, or fexit/kprobes without them.
 */
#include "conn.bpf.h"
#include <bpf/bpf_tracing.h>

/*
 * Adds one send or receive to the calling thread's counters; returns the
 * protocol index, or -1 for a socket that is not network traffic.
 *
 * The hot path: about a dozen instructions and one cache line of a per-CPU
 * slot. Task storage would cost ~45 ns more per event on a cold cache
 * (three dependent loads through task->bpf_storage), so it is only the
 * fallback when the slot belongs to another thread.
 */
static __always_inline int net_count(__u64 id, __u16 family, __u16 proto, int ret, int dir)
{
	__u32 tid = (__u32)id;
	__u32 idx = tid & (net_nslots - 1);
	struct ebtop_net_slot *slot;
	struct ebtop_net_counters *c;
	int fam, p;

	if (family == AF_INET)
		fam = EBTOP_V4;
	else if (family == AF_INET6)
		fam = EBTOP_V6;
	else
		return -1; /* unix, netlink, packet: not network traffic */
	p = proto == IPPROTO_TCP ? EBTOP_TCP : proto == IPPROTO_UDP ? EBTOP_UDP : EBTOP_OTHER;

	slot = net_use_slots ? bpf_map_lookup_elem(&net_slots, &idx) : NULL;
	if (net_use_slots && !slot)
		return -1;
	if (!slot) {
		struct ebtop_task *st = current_task_stats();

		if (!st)
			return -1;
		c = &st->c.net;
	} else if (slot->tid == tid) {
		c = &slot->net;
	} else if (slot->tid == 0 && tid != 0) {
		slot->tid = tid;
		c = &slot->net;
	} else {
		struct ebtop_task *st = current_task_stats();

		if (!st)
			return -1;
		count_error(EBTOP_ERR_SLOT);
		c = &st->c.net;
	}
	c->c[p][fam][dir].bytes += ret;
	c->c[p][fam][dir].calls += 1;
	return p;
}

/* Thread and, when asked, connection counters; sk is a pointer the verifier trusts. */
static __always_inline int account(struct sock *sk, int ret, int dir)
{
	__u64 id = bpf_get_current_pid_tgid();
	int p = net_count(id, sk->__sk_common.skc_family, sk->sk_protocol, ret, dir);

	if (p >= 0 && conn_track)
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

/*
 * Kernels before 6.3 have no sock_send_length/sock_recv_length. The same
 * bytes pass through the address families' own sendmsg/recvmsg (what
 * sock_sendmsg and sock_recvmsg call for AF_INET and AF_INET6 sockets),
 * and, for sendfile and splice into TCP before 6.5, through inet_sendpage.
 * fexit sees their arguments and result together.
 */
#define FX_SEND(name, func)                                                               \
	SEC("fexit/" #func)                                                               \
	int BPF_PROG(name, struct socket *sock, struct msghdr *msg, size_t size, int ret) \
	{                                                                                 \
		return ret > 0 ? account(sock->sk, ret, EBTOP_TX) : 0;                    \
	}

/* A peek leaves the data queued; it is counted when really read. */
#define FX_RECV(name, func)                                                                   \
	SEC("fexit/" #func)                                                                   \
	int BPF_PROG(name, struct socket *sock, struct msghdr *msg, size_t size, int flags,   \
		     int ret)                                                                 \
	{                                                                                     \
		return ret > 0 && !(flags & MSG_PEEK) ? account(sock->sk, ret, EBTOP_RX) : 0; \
	}

FX_SEND(net_fx_send4, inet_sendmsg)
FX_SEND(net_fx_send6, inet6_sendmsg)
FX_RECV(net_fx_recv4, inet_recvmsg)
FX_RECV(net_fx_recv6, inet6_recvmsg)

SEC("fexit/inet_sendpage")
int BPF_PROG(net_fx_sendpage, struct socket *sock, struct page *page, int offset, size_t size,
	     int flags, long ret)
{
	return ret > 0 ? account(sock->sk, (int)ret, EBTOP_TX) : 0;
}

/*
 * Where fexit is refused too: kprobes. The entry notes the socket (and the
 * flags of a receive) per thread, the return counts. A socket reached this
 * way is a plain address, which socket storage does not take: per-thread
 * bytes only, no connection table.
 */
struct net_call {
	__u64 sk;
	__u32 flags;
	__u32 __pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct net_call);
} net_calls SEC(".maps");

static __always_inline int kp_enter(struct socket *sock, __u32 flags)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct net_call c = {.flags = flags};

	c.sk = (__u64)BPF_CORE_READ(sock, sk);
	if (c.sk)
		bpf_map_update_elem(&net_calls, &tid, &c, BPF_ANY);
	return 0;
}

static __always_inline int kp_exit(long ret, int dir)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct net_call *c = bpf_map_lookup_elem(&net_calls, &tid);
	struct sock *sk;

	if (!c)
		return 0;
	sk = (struct sock *)c->sk;
	if (ret > 0 && !(dir == EBTOP_RX && (c->flags & MSG_PEEK)))
		net_count(id, BPF_CORE_READ(sk, __sk_common.skc_family),
			  BPF_CORE_READ(sk, sk_protocol), (int)ret, dir);
	bpf_map_delete_elem(&net_calls, &tid);
	return 0;
}

/*
 * An entry that notes the socket (and the flags, 0 for a send) and the return
 * that counts, read as the function's own type: an int's upper half of the
 * register is not sign-extended, and -EAGAIN read as long would count 4 GB.
 */
#define KP_PAIR(name, func, rtype, flags_arg, dir)                                            \
	SEC("kprobe/" #func)                                                                  \
	int BPF_KPROBE(name, struct socket *sock, struct msghdr *msg, size_t size, int flags) \
	{                                                                                     \
		return kp_enter(sock, (__u32)(flags_arg));                                    \
	}                                                                                     \
	SEC("kretprobe/" #func)                                                               \
	int BPF_KRETPROBE(name##_ret, rtype ret)                                              \
	{                                                                                     \
		return kp_exit(ret, dir);                                                     \
	}

KP_PAIR(net_kp_send4, inet_sendmsg, int, 0, EBTOP_TX)
KP_PAIR(net_kp_send6, inet6_sendmsg, int, 0, EBTOP_TX)
KP_PAIR(net_kp_sendpage, inet_sendpage, long, 0, EBTOP_TX)
KP_PAIR(net_kp_recv4, inet_recvmsg, int, flags, EBTOP_RX)
KP_PAIR(net_kp_recv6, inet6_recvmsg, int, flags, EBTOP_RX)

char LICENSE[] SEC("license") = "Dual BSD/GPL";
