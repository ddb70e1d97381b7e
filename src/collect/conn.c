// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Connections for the collector: program selection, the storage iterator, the peers table, events.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include "collect/conn.h"
#include "collect/iter.h"
#include "collect/loader.h"
#include "core/clock.h"
#include "core/grow.h"
#include "core/log.h"

#define PEER_BATCH    4096
#define EVENTS_MAX    (1u << 18) /* per interval; more are counted as dropped */
#define N_CGROUP_PROG 4

struct conn_reader {
	struct ebtop_bpf *skel;
	bool tables;		   /* NEED_CONN: connection table */
	bool events;		   /* NEED_EVENTS */
	struct bpf_link *iter_tcp; /* (borrowed from the skeleton) */
	struct bpf_link *iter_udp;
	struct bpf_link *cg[N_CGROUP_PROG];
	int cg_fd;
	/* This interval's records: live sockets (sorted by cookie), then the output. */
	struct ebtop_conn_rec *live;
	size_t nlive, live_cap;
	struct ebtop_conn_rec *finals; /* FINAL records drained from the ring buffer */
	size_t nfinals, finals_cap;
	struct ebtop_conn_rec *out;
	size_t nout, out_cap;
	struct ebtop_peer_key *pkeys;
	struct ebtop_peer_val *pvals;
	size_t npeers, peers_cap;
	struct event *ev;
	size_t nev, ev_cap;
	uint64_t ev_dropped;  /* more than EVENTS_MAX in one interval */
	int64_t boot_to_wall; /* wall_ns - boot_ns, refreshed at each drain */
	int err;	      /* from the ring buffer callback */
	uint64_t peers_max;
	uint64_t ring_kb;
};

static struct bpf_program *const *cgroup_progs(struct ebtop_bpf *skel, struct bpf_program **p)
{
	p[0] = skel->progs.conn_udp_send4;
	p[1] = skel->progs.conn_udp_send6;
	p[2] = skel->progs.conn_udp_recv4;
	p[3] = skel->progs.conn_udp_recv6;
	return p;
}

int conn_reader_configure(struct conn_reader **out, struct ebtop_bpf *skel,
			  const struct collect_opts *o, const struct select_ctx *sc,
			  enum hookset net)
{
	bool net_socks = net == HS_NET_TP || net == HS_NET_FEXIT;
	const struct btf *vmlinux = sc->vmlinux;
	bool tables = (o->need & (NEED_CONN | NEED_EVENTS)) != 0;
	bool events = (o->need & NEED_EVENTS) != 0;
	struct bpf_program *cg[N_CGROUP_PROG];
	struct conn_reader *r;
	unsigned ring_kb = o->conn_ringbuf_kb ? o->conn_ringbuf_kb : 4096;

	*out = NULL;
	if (tables && !(kernel_has_tracepoint(vmlinux, "inet_sock_set_state") &&
			kernel_has_tracepoint(vmlinux, "tcp_destroy_sock"))) {
		features_say(sc->fs, FEAT_CONN, true,
			     "connections unavailable: this kernel lacks the "
			     "sock:inet_sock_set_state or tcp:tcp_destroy_sock tracepoints");
		tables = events = false;
	} else if (tables && !net_socks) {
		features_say(sc->fs, FEAT_CONN, true,
			     "connections unavailable: they are counted in the network hooks, %s",
			     net == HS_NET_KPROBE ? "and kprobes, used here, do not give the socket"
						  : "and none work here");
		tables = events = false;
	} else if (loader_refused(sc->ld, HS_CONN)) {
		tables = events = false; /* the loader says why */
	}
	skel->rodata->conn_track = tables;
	skel->rodata->conn_events_on = events;
	skel->rodata->udp_max_peers = o->udp_peers ? o->udp_peers : 16;
	bpf_map__set_max_entries(skel->maps.conn_peers,
				 o->conn_peers_max ? o->conn_peers_max : 65536);
	/* The smallest ring when nothing reads it: ring buffers are allocated at creation. */
	bpf_map__set_max_entries(skel->maps.conn_events, tables ? ring_kb * 1024 : 4096);
	bpf_program__set_autoload(skel->progs.conn_state_change, tables);
	bpf_program__set_autoload(skel->progs.conn_destroy, tables);
	bpf_program__set_autoload(skel->progs.conn_dump_tcp, tables);
	bpf_program__set_autoload(skel->progs.conn_dump_udp, tables);
	bpf_program__set_autoload(skel->progs.conn_rst_in,
				  tables && !loader_refused(sc->ld, HS_CONN_RESETS) &&
				      kernel_has_tracepoint(vmlinux, "tcp_receive_reset"));
	bpf_program__set_autoload(skel->progs.conn_rst_out,
				  tables && !loader_refused(sc->ld, HS_CONN_RESETS) &&
				      kernel_has_tracepoint(vmlinux, "tcp_send_reset"));
	bpf_program__set_autoload(skel->progs.conn_exec,
				  events && !loader_refused(sc->ld, HS_EXEC) &&
				      kernel_has_tracepoint(vmlinux, "sched_process_exec"));
	/* The seeding iterators run once at start, from conn_reader_attach. */
	bpf_program__set_autoload(skel->progs.conn_seed_tcp,
				  tables && !loader_refused(sc->ld, HS_CONN_SEED));
	bpf_program__set_autoload(skel->progs.conn_seed_owner,
				  tables && !loader_refused(sc->ld, HS_CONN_SEED) &&
				      !loader_refused(sc->ld, HS_CONN_OWNERS));
	bpf_program__set_autoattach(skel->progs.conn_seed_tcp, false);
	bpf_program__set_autoattach(skel->progs.conn_seed_owner, false);
	cgroup_progs(skel, cg);
	for (int i = 0; i < N_CGROUP_PROG; i++) {
		bpf_program__set_autoload(cg[i], tables && !loader_refused(sc->ld, HS_UDP_PEERS));
		bpf_program__set_autoattach(cg[i], false);
	}
	if (tables && !kernel_has_tracepoint(vmlinux, "tcp_receive_reset"))
		features_say(sc->fs, FEAT_CONN_RESETS, true,
			     "connection resets not counted (no tcp:tcp_receive_reset)");
	if (!tables)
		return 0;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->skel = skel;
	r->tables = true;
	r->events = events;
	r->cg_fd = -1;
	r->peers_max = o->conn_peers_max ? o->conn_peers_max : 65536;
	r->ring_kb = ring_kb;
	*out = r;
	return 0;
}

/* The cgroup v2 root: the hooks there see every process's UDP sendmsg/recvmsg. */
static int open_cgroup2_root(void)
{
	char line[1024], path[512];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int fd = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");

		/* "... mount-point options - cgroup2 source options" */
		if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %511s", path) == 1) {
			fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			break;
		}
	}
	fclose(f);
	return fd;
}

static void refresh_clock_offset(struct conn_reader *r)
{
	r->boot_to_wall = (int64_t)clock_wall_ns() - (int64_t)clock_boot_ns();
}

static int on_conn_rec(void *ctx, void *data, size_t size)
{
	struct conn_reader *r = ctx;
	uint32_t kind;

	if (size < sizeof(kind))
		return 0;
	memcpy(&kind, data, sizeof(kind));
	if (kind == EBTOP_CONN_FINAL) {
		if (size < sizeof(struct ebtop_conn_rec))
			return 0;
		if (grow_array((void **)&r->finals, &r->finals_cap, r->nfinals + 1,
			       sizeof(*r->finals), 256)) {
			r->err = -ENOMEM;
			return -ENOMEM;
		}
		memcpy(&r->finals[r->nfinals++], data, sizeof(struct ebtop_conn_rec));
		return 0;
	}
	if (kind < EBTOP_EV_CONNECT || kind > EBTOP_EV_EXEC || !r->events)
		return 0;
	if (size < (kind == EBTOP_EV_EXEC ? sizeof(struct ebtop_exec_event)
					  : sizeof(struct ebtop_conn_rec)))
		return 0;
	if (r->nev >= EVENTS_MAX) {
		r->ev_dropped++;
		return 0;
	}
	if (grow_array((void **)&r->ev, &r->ev_cap, r->nev + 1, sizeof(*r->ev), 256)) {
		r->err = -ENOMEM;
		return -ENOMEM;
	}
	{
		struct event *e = &r->ev[r->nev++];
		uint64_t ts;

		memset(e, 0, sizeof(*e));
		e->kind = kind;
		if (kind == EBTOP_EV_EXEC) {
			memcpy(&e->exec, data, sizeof(e->exec));
			ts = e->exec.ts_ns;
		} else {
			memcpy(&e->conn, data, sizeof(e->conn));
			ts = e->conn.ts_ns;
		}
		e->wall_ns = (uint64_t)((int64_t)ts + r->boot_to_wall);
	}
	return 0;
}

/* Runs an iterator program once, for its side effects. */
static int iter_once(struct bpf_program *prog)
{
	struct bpf_link *link = bpf_program__attach_iter(prog, NULL);
	char buf[256];
	int fd, err = 0;

	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
	} else {
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	bpf_link__destroy(link);
	return err;
}

int conn_reader_attach(struct conn_reader *r, struct ring_buffer *rb, struct features *fs)
{
	struct bpf_program *cg[N_CGROUP_PROG];
	struct ebtop_bpf *skel;
	int err, attached = 0;

	if (!r)
		return 0;
	skel = r->skel;
	r->iter_tcp = skel->links.conn_dump_tcp;
	r->iter_udp = skel->links.conn_dump_udp;
	err = ring_buffer__add(rb, bpf_map__fd(skel->maps.conn_events), on_conn_rec, r);
	if (err)
		return err;
	/* Connections open before now: listed even while idle, owned by the process holding them.
	 */
	if (bpf_program__fd(skel->progs.conn_seed_owner) >= 0 &&
	    (err = iter_once(skel->progs.conn_seed_owner)))
		features_say(fs, FEAT_CONN_OWNERS, true,
			     "owners of connections open before ebtop unknown until they move a "
			     "byte (the socket owner iterator failed: %s)",
			     strerror(-err));
	if (bpf_program__fd(skel->progs.conn_seed_tcp) >= 0 &&
	    (err = iter_once(skel->progs.conn_seed_tcp)))
		features_say(fs, FEAT_CONN_SEED, true,
			     "connections open before ebtop started show once they move a byte "
			     "(the seeding iterator failed: %s)",
			     strerror(-err));
	if (bpf_program__fd(skel->progs.conn_seed_owner) < 0)
		fs->f[FEAT_CONN_OWNERS].on = false;
	refresh_clock_offset(r);
	/* Without the hooks UDP still works; only unconnected sockets' peers become "*". */
	cgroup_progs(skel, cg);
	if (bpf_program__fd(cg[0]) < 0)
		return 0; /* refused: the loader said so */
	r->cg_fd = open_cgroup2_root();
	for (int i = 0; r->cg_fd >= 0 && i < N_CGROUP_PROG; i++) {
		r->cg[i] = bpf_program__attach_cgroup(cg[i], r->cg_fd);
		attached += r->cg[i] != NULL;
	}
	if (attached < N_CGROUP_PROG)
		features_say(fs, FEAT_UDP_PEERS, true,
			     "remote addresses of unconnected UDP sockets unknown (%s)",
			     r->cg_fd < 0 ? "no cgroup v2 mount"
					  : "cgroup sendmsg/recvmsg hooks refused");
	return 0;
}

/* All entries of the peers table, in batches; falls back to key-by-key walking. */
static int read_peers(struct conn_reader *r)
{
	int fd = bpf_map__fd(r->skel->maps.conn_peers);
	struct ebtop_peer_key batch_key;
	bool first = true;

	r->npeers = 0;
	for (;;) {
		__u32 count = PEER_BATCH;
		int err;

		if (grow_array((void **)&r->pkeys, &r->peers_cap, r->npeers + PEER_BATCH,
			       sizeof(*r->pkeys), 256))
			return -ENOMEM;
		/* Both arrays share peers_cap: the values array follows the keys. */
		{
			void *p = realloc(r->pvals, r->peers_cap * sizeof(*r->pvals));

			if (!p)
				return -ENOMEM;
			r->pvals = p;
		}
		err =
		    bpf_map_lookup_batch(fd, first ? NULL : &batch_key, &batch_key,
					 r->pkeys + r->npeers, r->pvals + r->npeers, &count, NULL);
		first = false;
		if (err && errno != ENOENT)
			return -errno;
		r->npeers += count;
		if (err)
			return 0; /* ENOENT: that was the last batch */
	}
}

static int rec_cookie_cmp(const void *a, const void *b)
{
	const struct ebtop_conn_rec *x = a, *y = b;

	return x->cookie < y->cookie ? -1 : x->cookie > y->cookie ? 1 : 0;
}

static const struct ebtop_conn_rec *find_cookie(const struct ebtop_conn_rec *recs, size_t n,
						uint64_t cookie)
{
	struct ebtop_conn_rec key = {.cookie = cookie};

	/* bsearch() and qsort() want a non-NULL base even for no elements (UBSan). */
	return n ? bsearch(&key, recs, n, sizeof(*recs), rec_cookie_cmp) : NULL;
}

/* One pass of the TCP and UDP socket iterators: every socket with connection state. */
static int read_live(struct conn_reader *r)
{
	size_t ntcp = 0, nudp = 0;
	int err =
	    iter_read_all(r->iter_tcp, (void **)&r->live, &r->live_cap, sizeof(*r->live), &ntcp);

	if (!err)
		err = iter_read_append(r->iter_udp, (void **)&r->live, &r->live_cap,
				       sizeof(*r->live), ntcp, &nudp);
	r->nlive = ntcp + nudp;
	if (r->nlive)
		qsort(r->live, r->nlive, sizeof(*r->live), rec_cookie_cmp);
	return err;
}

int conn_reader_begin(struct conn_reader *r, bool read_tables)
{
	int err;

	if (!r)
		return 0;
	r->nev = 0;
	r->nfinals = 0;
	r->nlive = 0;
	r->npeers = 0;
	r->err = 0;
	refresh_clock_offset(r);
	if (!read_tables)
		return 0;
	/* Peers before sockets: a peer whose socket is then missing has certainly closed. */
	err = read_peers(r);
	if (err)
		return err;
	return read_live(r);
}

static struct ebtop_conn_rec *out_add(struct conn_reader *r)
{
	if (grow_array((void **)&r->out, &r->out_cap, r->nout + 1, sizeof(*r->out), 256))
		return NULL;
	return &r->out[r->nout++];
}

/* A peers-table entry as a connection record, joined with its socket's record if any. */
static void peer_rec(struct ebtop_conn_rec *o, const struct ebtop_peer_key *k,
		     const struct ebtop_peer_val *v, const struct ebtop_conn_rec *sock, bool closed,
		     uint64_t now)
{
	memset(o, 0, sizeof(*o));
	o->kind = EBTOP_CONN_PEER;
	o->cookie = k->cookie;
	o->tgid = k->tgid;
	o->tid = v->tid;
	o->pstart_ns = v->pstart_ns;
	o->open_ns = v->first_ns;
	o->ts_ns = sock ? sock->ts_ns : now;
	o->family = v->family;
	o->proto = v->proto;
	o->lport = v->lport;
	o->rport = v->rport;
	memcpy(o->laddr, v->laddr, sizeof(o->laddr));
	memcpy(o->raddr, v->raddr, sizeof(o->raddr));
	memcpy(o->comm, v->comm, sizeof(o->comm));
	o->tx_bytes = v->tx_bytes;
	o->rx_bytes = v->rx_bytes;
	o->tx_calls = v->tx_calls;
	o->rx_calls = v->rx_calls;
	if (!k->family)
		o->flags |= v->proto == IPPROTO_TCP ? EBTOP_CONN_F_SHARED : EBTOP_CONN_F_OTHER;
	if (closed)
		o->flags |= EBTOP_CONN_F_CLOSED;
	o->state =
	    v->proto == IPPROTO_UDP
		? (k->family && !(o->flags & EBTOP_CONN_F_OTHER) && sock && sock->state == 1 ? 1
											     : 7)
		: 7;
	if (sock) {
		if (v->proto == IPPROTO_TCP) {
			o->state = sock->state;
			o->open_ns = sock->open_ns ? sock->open_ns : v->first_ns;
			o->srtt_us = sock->srtt_us;
			o->retrans = sock->retrans;
			o->segs_out = sock->segs_out;
			o->segs_in = sock->segs_in;
			o->err = sock->err;
		}
		/* The local address is bound by the first send; the socket knows it now. */
		o->lport = sock->lport;
		memcpy(o->laddr, sock->laddr, sizeof(o->laddr));
	}
}

int conn_reader_finish(struct conn_reader *r, struct sample *s)
{
	int fd;
	uint64_t now = clock_boot_ns();

	if (!r)
		return 0;
	if (r->err)
		return r->err;
	s->events = r->ev;
	s->nevents = r->nev;
	if (!r->tables)
		return 0;
	fd = bpf_map__fd(r->skel->maps.conn_peers);
	r->nout = 0;
	if (r->nfinals)
		qsort(r->finals, r->nfinals, sizeof(*r->finals), rec_cookie_cmp);
	for (size_t i = 0; i < r->nlive; i++) {
		struct ebtop_conn_rec *o;

		/* UDP sockets are rows through their peers; the socket record only says it lives.
		 */
		if (r->live[i].proto != IPPROTO_TCP)
			continue;
		o = out_add(r);
		if (!o)
			return -ENOMEM;
		*o = r->live[i];
	}
	for (size_t i = 0; i < r->nfinals; i++) {
		struct ebtop_conn_rec *o = out_add(r);

		if (!o)
			return -ENOMEM;
		*o = r->finals[i];
	}
	for (size_t i = 0; i < r->npeers; i++) {
		const struct ebtop_peer_key *k = &r->pkeys[i];
		struct ebtop_peer_val *v = &r->pvals[i];
		const struct ebtop_conn_rec *sock = find_cookie(r->live, r->nlive, k->cookie);
		struct ebtop_conn_rec *o;
		bool closed = false;

		if (!sock) {
			/* The socket is gone: take the final counters and free the entry. */
			struct ebtop_peer_val fin;

			if (!bpf_map_lookup_and_delete_elem(fd, k, &fin))
				*v = fin;
			closed = true;
			sock = find_cookie(r->finals, r->nfinals, k->cookie);
		}
		o = out_add(r);
		if (!o)
			return -ENOMEM;
		peer_rec(o, k, v, sock, closed, now);
	}
	s->conns = r->out;
	s->nconns = r->nout;
	s->conn_occ.sockets = r->nlive;
	s->conn_occ.peers = r->npeers;
	s->conn_occ.peers_max = r->peers_max;
	s->conn_occ.ring_kb = r->ring_kb;
	s->conn_occ.events_dropped = r->ev_dropped;
	return 0;
}

void conn_reader_events(struct conn_reader *r, const struct event **ev, size_t *n)
{
	*ev = r ? r->ev : NULL;
	*n = r ? r->nev : 0;
}

void conn_reader_free(struct conn_reader *r)
{
	if (!r)
		return;
	for (int i = 0; i < N_CGROUP_PROG; i++)
		bpf_link__destroy(r->cg[i]);
	if (r->cg_fd >= 0)
		close(r->cg_fd);
	free(r->live);
	free(r->finals);
	free(r->out);
	free(r->pkeys);
	free(r->pvals);
	free(r->ev);
	free(r);
}
