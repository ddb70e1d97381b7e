// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Connections: TCP state changes, resets, final counters, the socket iterators, exec events. */
#include "conn.bpf.h"

#define ECONNRESET 104
#define ETIMEDOUT  110
#define SOCK_DGRAM 2

/* Scratch record for the iterator: too large for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ebtop_conn_rec);
} conn_scratch SEC(".maps");

static __always_inline bool inet_tcp(const struct sock *sk)
{
	__u16 fam = sk->__sk_common.skc_family;

	return sk->sk_protocol == IPPROTO_TCP && (fam == AF_INET || fam == AF_INET6);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(conn_state_change, struct sock *sk, int oldstate, int newstate)
{
	struct conn_state *v;
	__u64 now;

	if (!inet_tcp(sk))
		return 0;
	if (newstate == TCP_SYN_SENT || newstate == TCP_SYN_RECV) {
		v = bpf_sk_storage_get(&conns, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (!v) {
			count_error(EBTOP_ERR_CONN_STORAGE);
			return 0;
		}
		if (!v->cookie)
			v->cookie = bpf_get_socket_cookie(sk);
		v->open_ns = bpf_ktime_get_boot_ns();
		v->estab_ns = 0;
		v->err = 0;
		v->flags &= ~(EBTOP_CONN_F_PASSIVE | EBTOP_CONN_F_PREEXIST | EBTOP_CONN_F_ESTAB |
			      CS_OPEN_SENT);
		v->lport = 0; /* the port is chosen after SYN_SENT */
		if (newstate == TCP_SYN_SENT) {
			conn_set_owner(v, bpf_get_current_pid_tgid()); /* connect() runs here */
		} else {
			v->flags |= EBTOP_CONN_F_PASSIVE; /* softirq: owner known at first use */
			conn_keep_tuple(v, sk);
		}
		return 0;
	}
	v = bpf_sk_storage_get(&conns, sk, 0, 0);
	if (!v)
		return 0; /* open before ebtop and idle since: nothing to report */
	now = bpf_ktime_get_boot_ns();
	conn_keep_tuple(v, sk);
	switch (newstate) {
	case TCP_ESTABLISHED:
		v->estab_ns = now;
		v->flags |= EBTOP_CONN_F_ESTAB;
		if (oldstate == TCP_SYN_SENT) {
			if (conn_events_on) {
				v->flags |= CS_OPEN_SENT;
				conn_event(sk, v, EBTOP_EV_CONNECT);
			}
		}
		break;
	case TCP_FIN_WAIT1:
	case TCP_LAST_ACK:
		/* close() or shutdown() by the process holding the socket. */
		if (!v->tgid)
			conn_claim(sk, v, bpf_get_current_pid_tgid());
		break;
	case TCP_CLOSE:
		if (oldstate == TCP_SYN_SENT) {
			v->err = sk->sk_err;
			if (conn_events_on)
				conn_event(sk, v, EBTOP_EV_CONNECT);
			break;
		}
		if (sk->sk_err == ETIMEDOUT || (sk->sk_err && !v->err))
			v->err = sk->sk_err;
		if (conn_events_on && (v->flags & EBTOP_CONN_F_ESTAB)) {
			if ((v->flags & EBTOP_CONN_F_PASSIVE) && !(v->flags & CS_OPEN_SENT)) {
				v->flags |= CS_OPEN_SENT;
				conn_event(sk, v, EBTOP_EV_ACCEPT);
			}
			conn_event(sk, v, EBTOP_EV_CLOSE);
		}
		break;
	}
	return 0;
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(conn_rst_in, struct sock *sk)
{
	struct conn_state *v = bpf_sk_storage_get(&conns, sk, 0, 0);

	if (!v)
		return 0;
	__sync_fetch_and_add(&v->rst_in, 1);
	conn_keep_tuple(v, sk); /* a refused connect loses its port right after this */
	/* A reset answering our SYN is a refused connect, counted when the socket closes. */
	if (sk->__sk_common.skc_state != TCP_SYN_SENT)
		v->err = ECONNRESET;
	return 0;
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(conn_rst_out, struct sock *sk, struct sk_buff *skb, int reason)
{
	struct conn_state *v;

	/* No socket, or a time-wait or request socket: the helper returns NULL for those. */
	if (!sk)
		return 0;
	v = bpf_sk_storage_get(&conns, sk, 0, 0);
	if (v)
		__sync_fetch_and_add(&v->rst_out, 1);
	return 0;
}

/* The end of every TCP socket: send its final counters, then forget it. */
SEC("tp_btf/tcp_destroy_sock")
int BPF_PROG(conn_destroy, struct sock *sk)
{
	struct conn_state *v = bpf_sk_storage_get(&conns, sk, 0, 0);
	struct ebtop_conn_rec *r;

	if (!v)
		return 0;
	r = bpf_ringbuf_reserve(&conn_events, sizeof(*r), 0);
	if (!r) {
		count_error(EBTOP_ERR_CONN_FINAL);
		bpf_sk_storage_delete(&conns, sk);
		return 0;
	}
	conn_fill(r, sk, v, EBTOP_CONN_FINAL);
	r->flags |= EBTOP_CONN_F_CLOSED;
	/* Before the submit: once user space has the final record, the iterator cannot show it
	 * live. */
	bpf_sk_storage_delete(&conns, sk);
	bpf_ringbuf_submit(r, 0);
	return 0;
}

/* Writes the record of one socket that has connection state; the iterators below call it. */
static __always_inline void conn_dump_sock(struct seq_file *seq, struct sock *sk)
{
	struct ebtop_conn_rec *r;
	struct conn_state *v;
	__u32 zero = 0;

	v = bpf_sk_storage_get(&conns, sk, 0, 0);
	if (!v)
		return;
	r = bpf_map_lookup_elem(&conn_scratch, &zero);
	if (!r)
		return;
	conn_fill(r, sk, v, EBTOP_CONN_LIVE);
	bpf_seq_write(seq, r, sizeof(*r));
}

/*
 * One record per tracked TCP socket, read once per interval. The socket
 * iterators walk the kernel's own hash tables, so every kernel that has them
 * allows this; the socket-storage map iterator did the same job more directly
 * but is refused by some kernels (EPERM at load on 6.18.44).
 */
SEC("iter/tcp")
int conn_dump_tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tcp_sock *tp;

	if (!skc)
		return 0;
	tp = bpf_skc_to_tcp_sock(skc);
	if (!tp)
		return 0; /* request and time-wait sockets carry no storage */
	conn_dump_sock(ctx->meta->seq, (struct sock *)tp);
	return 0;
}

/* Likewise for UDP sockets: they say which sockets still live, and their local address. */
SEC("iter/udp")
int conn_dump_udp(struct bpf_iter__udp *ctx)
{
	struct udp_sock *udp = ctx->udp_sk;

	if (!udp)
		return 0;
	conn_dump_sock(ctx->meta->seq, (struct sock *)udp);
	return 0;
}

/*
 * Owners of sockets open before ebtop, by socket inode, as ss -p finds
 * them: filled by conn_seed_owner, read by conn_seed_tcp. Keyed by inode
 * rather than looked up from the file: newer verifiers refuse socket storage
 * on a socket reached through a file (an untrusted pointer).
 */
struct conn_owner {
	__u32 tgid;
	__u32 tid;
	__u64 pstart_ns;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 262144);
	__type(key, __u64);
	__type(value, struct conn_owner);
} conn_owners SEC(".maps");

/* At start, first: the process holding each socket, by the socket's inode. */
SEC("iter/task_file")
int conn_seed_owner(struct bpf_iter__task_file *ctx)
{
	struct task_struct *t = ctx->task;
	struct file *file = ctx->file;
	struct conn_owner o = {};
	__u64 ino;

	if (!t || !file || !bpf_sock_from_file(file))
		return 0;
	ino = BPF_CORE_READ(file, f_inode, i_ino);
	if (!ino)
		return 0;
	o.tgid = t->tgid;
	o.tid = t->pid;
	o.pstart_ns = BPF_CORE_READ(t, group_leader, start_boottime);
	BPF_CORE_READ_STR_INTO(&o.comm, t, comm);
	/* The first holder found keeps it: a socket passed to a child is still its opener's. */
	bpf_map_update_elem(&conn_owners, &ino, &o, BPF_NOEXIST);
	return 0;
}

/*
 * At start, after conn_seed_owner: every TCP connection that already exists
 * gets its storage, so one that stays idle is still listed (its bytes count
 * from now on), owned by the process holding it when that is known.
 */
SEC("iter/tcp")
int conn_seed_tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct conn_owner *o;
	struct conn_state *v;
	struct tcp_sock *tp;
	struct sock *sk;
	__u64 ino;
	int state;

	if (!skc)
		return 0;
	tp = bpf_skc_to_tcp_sock(skc);
	if (!tp)
		return 0; /* request and time-wait sockets: not full sockets */
	sk = (struct sock *)tp;
	state = sk->__sk_common.skc_state;
	if (state == TCP_LISTEN || state == TCP_CLOSE || !inet_tcp(sk))
		return 0;
	v = bpf_sk_storage_get(&conns, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!v) {
		count_error(EBTOP_ERR_CONN_STORAGE);
		return 0;
	}
	if (!v->cookie) {
		v->cookie = bpf_get_socket_cookie(sk);
		v->flags |=
		    EBTOP_CONN_F_PREEXIST | (state == TCP_ESTABLISHED ? EBTOP_CONN_F_ESTAB : 0);
		conn_keep_tuple(v, sk);
	}
	if (v->tgid)
		return 0;
	ino = BPF_CORE_READ(sk, sk_socket, file, f_inode, i_ino);
	o = ino ? bpf_map_lookup_elem(&conn_owners, &ino) : NULL;
	if (!o)
		return 0;
	v->tid = o->tid;
	v->pstart_ns = o->pstart_ns;
	__builtin_memcpy(v->comm, o->comm, sizeof(v->comm));
	v->tgid = o->tgid; /* last, as in conn_set_owner */
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(conn_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct ebtop_exec_event *e;
	unsigned long start, end;
	__u64 len;

	e = bpf_ringbuf_reserve(&conn_events, sizeof(*e), 0);
	if (!e) {
		count_error(EBTOP_ERR_EVENTS);
		return 0;
	}
	e->kind = EBTOP_EV_EXEC;
	e->pid = p->tgid;
	e->tid = p->pid;
	e->ppid = BPF_CORE_READ(p, real_parent, tgid);
	e->uid = BPF_CORE_READ(p, cred, uid.val);
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->__pad = 0;
	BPF_CORE_READ_STR_INTO(&e->comm, p, comm);
	start = BPF_CORE_READ(p, mm, arg_start);
	end = BPF_CORE_READ(p, mm, arg_end);
	len = end > start ? end - start : 0;
	e->truncated = len > EBTOP_ARGV_MAX;
	if (len > EBTOP_ARGV_MAX)
		len = EBTOP_ARGV_MAX;
	/* The new image's stack was just written by exec: the pages are present. */
	if (len && bpf_probe_read_user(e->argv, len, (void *)start))
		len = 0;
	e->args_len = len;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * The remote address of an unconnected UDP socket's datagram is in the
 * sendmsg/recvmsg call, not in the socket: these cgroup hooks, attached at the
 * root of the cgroup v2 hierarchy, note it for the send/receive tracepoint
 * that follows on the same thread.
 */
static __always_inline int note_peer(struct bpf_sock_addr *ctx, bool v6)
{
	struct udp_pending *p;
	__u32 zero = 0;

	if (ctx->type != SOCK_DGRAM || ctx->protocol != IPPROTO_UDP)
		return 1;
	p = bpf_map_lookup_elem(&udp_pending, &zero);
	if (!p)
		return 1;
	p->tid = (__u32)bpf_get_current_pid_tgid();
	p->cookie = bpf_get_socket_cookie(ctx);
	p->port = bpf_ntohs((__u16)ctx->user_port);
	if (v6) {
		p->family = AF_INET6;
		/* Context fields are read one 32-bit word at a time. */
		((__u32 *)p->addr)[0] = ctx->user_ip6[0];
		((__u32 *)p->addr)[1] = ctx->user_ip6[1];
		((__u32 *)p->addr)[2] = ctx->user_ip6[2];
		((__u32 *)p->addr)[3] = ctx->user_ip6[3];
	} else {
		p->family = AF_INET;
		__builtin_memset(p->addr, 0, 16);
		*(__u32 *)p->addr = ctx->user_ip4;
	}
	return 1;
}

SEC("cgroup/sendmsg4")
int conn_udp_send4(struct bpf_sock_addr *ctx)
{
	return note_peer(ctx, false);
}

SEC("cgroup/sendmsg6")
int conn_udp_send6(struct bpf_sock_addr *ctx)
{
	return note_peer(ctx, true);
}

SEC("cgroup/recvmsg4")
int conn_udp_recv4(struct bpf_sock_addr *ctx)
{
	return note_peer(ctx, false);
}

SEC("cgroup/recvmsg6")
int conn_udp_recv6(struct bpf_sock_addr *ctx)
{
	return note_peer(ctx, true);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
