// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Loopback TCP and UDP workloads for the connection tests. The byte counts printed are what the
 * send and receive calls returned, summed: what was done, not what was asked.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * conn_load server -p PORT [-6] -n N [-A BYTES]
 *                                          accept N connections, read each to EOF (or,
 *                                          with -A, reset it once BYTES arrived), print
 *                                          "RPORT BYTES" per connection
 * conn_load client -p PORT [-6] -n N -b BASE [-k STEP] [-H MS]
 *                                          N connections at once, connection i sends
 *                                          BASE + i*STEP bytes, stays open MS more;
 *                                          prints "LPORT SENT" ("reset" when the peer
 *                                          reset it meanwhile); exit 3 when refused
 * conn_load many -p PORT [-6] -n N [-H MS] N connections to its own listener, one byte
 *                                          each way, "ready N" once all are up, held MS
 *                                          (or until SIGTERM), then closed
 * conn_load churn -p PORT -n N             N short connections, one after the other
 * conn_load udp-server -p PORT -n N        echo N datagrams back to their senders,
 *                                          print "RPORT RX TX" per peer
 * conn_load udp-client -p PORT -n PEERS -b BYTES [-r REPEAT]
 *                                          PEERS sockets, each sends REPEAT datagrams
 *                                          of BYTES + i bytes and reads the echoes
 * Every mode gives up after -t SECONDS (default 30): tests stay bounded.
 */

struct opts {
	const char *mode;
	int port;
	bool v6;
	long n;
	long long base;
	long long step;
	long hold_ms;
	long repeat;
	long long abort_after;
	int timeout_s;
};

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static socklen_t loopback(const struct opts *o, struct sockaddr_storage *ss, int port)
{
	memset(ss, 0, sizeof(*ss));
	if (o->v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		a->sin6_port = htons((unsigned short)port);
		return sizeof(*a);
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a->sin_port = htons((unsigned short)port);
	return sizeof(*a);
}

static int port_of(int fd, bool local)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if ((local ? getsockname(fd, (struct sockaddr *)&ss, &len)
		   : getpeername(fd, (struct sockaddr *)&ss, &len)))
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static int listener(const struct opts *o, int type)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(o, &ss, o->port);
	int fd = socket(ss.ss_family, type, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || (type == SOCK_STREAM && listen(fd, 4096))) {
		perror("bind/listen");
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends BYTES; adds what send() took to *SENT (may be NULL). 0 once all are sent, else -1. */
static int send_all(int fd, long long bytes, long long *sent)
{
	static char buf[1 << 16];

	memset(buf, 'x', sizeof(buf));
	while (bytes > 0) {
		ssize_t n =
		    send(fd, buf, bytes < (long long)sizeof(buf) ? (size_t)bytes : sizeof(buf),
			 MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		bytes -= n;
		if (sent)
			*sent += n;
	}
	return 0;
}

/* ---- server: accept N, read each to EOF ---- */

struct srv_conn {
	int fd;
	int rport;
	long long bytes;
};

static int run_server(const struct opts *o)
{
	int lfd = listener(o, SOCK_STREAM), ep = epoll_create1(0), done = 0, accepted = 0;
	struct srv_conn *c = calloc((size_t)o->n, sizeof(*c));
	double deadline = now_s() + o->timeout_s;
	static char buf[1 << 16];

	if (lfd < 0 || ep < 0 || !c)
		return 1;
	printf("listening %d\n", o->port);
	fflush(stdout);
	while (done < o->n && now_s() < deadline && !stop) {
		struct epoll_event ev[64];
		struct pollfd p = {.fd = lfd, .events = POLLIN};
		int n;

		while (accepted < o->n && poll(&p, 1, 0) == 1) {
			int fd = accept(lfd, NULL, NULL);
			struct epoll_event e = {.events = EPOLLIN};

			if (fd < 0)
				break;
			c[accepted].fd = fd;
			c[accepted].rport = port_of(fd, false);
			e.data.u32 = (uint32_t)accepted++;
			epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
		}
		n = epoll_wait(ep, ev, 64, 20);
		for (int i = 0; i < n; i++) {
			struct srv_conn *x = &c[ev[i].data.u32];
			ssize_t r = recv(x->fd, buf, sizeof(buf), 0);

			if (r > 0) {
				x->bytes += r;
				if (!o->abort_after || x->bytes < o->abort_after)
					continue;
				/* Linger 0: close() sends a reset instead of a FIN. */
				setsockopt(x->fd, SOL_SOCKET, SO_LINGER,
					   &(struct linger){.l_onoff = 1, .l_linger = 0},
					   sizeof(struct linger));
			} else if (r < 0 && (errno == EINTR || errno == EAGAIN)) {
				continue;
			}
			epoll_ctl(ep, EPOLL_CTL_DEL, x->fd, NULL);
			close(x->fd);
			done++;
		}
	}
	for (int i = 0; i < accepted; i++)
		printf("%d %lld\n", c[i].rport, c[i].bytes);
	return done == o->n ? 0 : 1;
}

/* ---- client: N connections at once ---- */

struct cli_conn {
	const struct opts *o;
	long idx;
	pthread_barrier_t *go;
	int lport;
	int err;
	long long sent; /* what send() took */
	bool reset; /* the peer reset the connection while it was held */
};

static void *client_thread(void *arg)
{
	struct cli_conn *cc = arg;
	const struct opts *o = cc->o;
	struct sockaddr_storage ss;
	socklen_t len = loopback(o, &ss, o->port);
	int fd = socket(ss.ss_family, SOCK_STREAM, 0);

	if (fd < 0) {
		cc->err = errno;
	} else if (connect(fd, (struct sockaddr *)&ss, len)) {
		cc->err = errno;
	} else {
		cc->lport = port_of(fd, true);
	}
	/* Every connection is open before any sends: they are concurrent. */
	pthread_barrier_wait(cc->go);
	if (!cc->err && send_all(fd, o->base + cc->idx * o->step, &cc->sent))
		cc->err = errno ? errno : EIO;
	if (!cc->err && o->hold_ms > 0) {
		struct timespec ts = {o->hold_ms / 1000, (o->hold_ms % 1000) * 1000000};

		char b;

		nanosleep(&ts, NULL);
		cc->reset = recv(fd, &b, 1, MSG_DONTWAIT) < 0 && errno == ECONNRESET;
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int run_client(const struct opts *o)
{
	struct cli_conn *cc = calloc((size_t)o->n, sizeof(*cc));
	pthread_t *th = calloc((size_t)o->n, sizeof(*th));
	pthread_barrier_t go;
	int rc = 0;

	if (!cc || !th)
		return 1;
	pthread_barrier_init(&go, NULL, (unsigned)o->n);
	for (long i = 0; i < o->n; i++) {
		cc[i] = (struct cli_conn){.o = o, .idx = i, .go = &go};
		if (pthread_create(&th[i], NULL, client_thread, &cc[i]))
			return 1;
	}
	for (long i = 0; i < o->n; i++)
		pthread_join(th[i], NULL);
	for (long i = 0; i < o->n; i++) {
		if (cc[i].err == ECONNREFUSED) {
			printf("refused\n");
			rc = 3;
		} else if (cc[i].err) {
			printf("error %s\n", strerror(cc[i].err));
			rc = rc ? rc : 1;
		} else {
			printf("%d %lld%s\n", cc[i].lport, cc[i].sent, cc[i].reset ? " reset" : "");
		}
	}
	return rc;
}

/* ---- many: N concurrent connections in one process ---- */

static void raise_nofile(long need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if ((long)rl.rlim_cur >= need)
		return;
	rl.rlim_cur = (rlim_t)need;
	if ((long)rl.rlim_max < need)
		rl.rlim_max = (rlim_t)need; /* root may raise the hard limit up to fs.nr_open */
	if (setrlimit(RLIMIT_NOFILE, &rl))
		perror("setrlimit");
}

/* The accepting side of "many", in its own process: each side needs N descriptors. */
static int many_server(int lfd, long n, int go_fd)
{
	int *srv = calloc((size_t)n, sizeof(int));
	char b;

	if (!srv)
		return 1;
	for (long i = 0; i < n; i++) {
		srv[i] = accept(lfd, NULL, NULL);
		if (srv[i] < 0 || recv(srv[i], &b, 1, 0) != 1 || send(srv[i], &b, 1, 0) != 1) {
			perror("many server");
			return 1;
		}
	}
	/* Hold until the client side says so (or goes away): read() returns 0 then. */
	while (read(go_fd, &b, 1) < 0 && errno == EINTR)
		;
	for (long i = 0; i < n; i++)
		close(srv[i]);
	return 0;
}

static int run_many(const struct opts *o)
{
	int lfd, *cli = calloc((size_t)o->n, sizeof(int)), go[2];
	double deadline = now_s() + o->timeout_s;
	long up = 0;
	pid_t child;
	char b = 'x';

	raise_nofile(o->n + 64);
	lfd = listener(o, SOCK_STREAM);
	if (lfd < 0 || !cli || pipe(go))
		return 1;
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(go[1]);
		_exit(many_server(lfd, o->n, go[0]));
	}
	close(go[0]);
	close(lfd);
	printf("server %d\n", (int)child);
	for (; up < o->n && now_s() < deadline && !stop; up++) {
		struct sockaddr_storage ss;
		socklen_t len = loopback(o, &ss, o->port);

		cli[up] = socket(ss.ss_family, SOCK_STREAM, 0);
		/* One byte each way: both ends have moved bytes, so both have an owner. */
		if (cli[up] < 0 || connect(cli[up], (struct sockaddr *)&ss, len) ||
		    send(cli[up], &b, 1, 0) != 1 || recv(cli[up], &b, 1, 0) != 1) {
			perror("many client");
			break;
		}
	}
	if (up == o->n)
		printf("ready %ld\n", up);
	fflush(stdout);
	for (double end = now_s() + o->hold_ms / 1000.0;
	     up == o->n && now_s() < end && now_s() < deadline && !stop;)
		usleep(20000);
	for (long i = 0; i < up; i++)
		close(cli[i]);
	close(go[1]); /* the server side closes its ends now */
	waitpid(child, NULL, 0);
	printf("closed %ld\n", up);
	return up == o->n ? 0 : 1;
}

/* ---- churn: short connections one after another ---- */

static void *churn_acceptor(void *arg)
{
	int lfd = *(int *)arg;
	static char buf[4096];

	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			return NULL;
		while (recv(fd, buf, sizeof(buf), 0) > 0)
			;
		close(fd);
	}
}

static int run_churn(const struct opts *o)
{
	int lfd = listener(o, SOCK_STREAM);
	double t0 = now_s(), deadline = t0 + o->timeout_s;
	pthread_t th;
	long done = 0;

	if (lfd < 0 || pthread_create(&th, NULL, churn_acceptor, &lfd))
		return 1;
	for (; done < o->n && now_s() < deadline && !stop; done++) {
		struct sockaddr_storage ss;
		socklen_t len = loopback(o, &ss, o->port);
		int fd = socket(ss.ss_family, SOCK_STREAM, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) || send_all(fd, 100, NULL)) {
			perror("churn");
			return 1;
		}
		close(fd);
	}
	printf("churned %ld in %.2fs\n", done, now_s() - t0);
	return done == o->n ? 0 : 1;
}

/* ---- UDP ---- */

struct peer {
	int port;
	long long rx, tx;
};

static int run_udp_server(const struct opts *o)
{
	int fd = listener(o, SOCK_DGRAM);
	static struct peer peers[4096];
	double deadline = now_s() + o->timeout_s;
	static char buf[65536];
	int npeers = 0;
	long got = 0;

	if (fd < 0)
		return 1;
	printf("listening %d\n", o->port);
	fflush(stdout);
	while (got < o->n && now_s() < deadline && !stop) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r;
		int port, k;

		if (poll(&p, 1, 100) != 1)
			continue;
		r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		if (r < 0)
			continue;
		port = from.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&from)->sin6_port)
						  : ntohs(((struct sockaddr_in *)&from)->sin_port);
		for (k = 0; k < npeers && peers[k].port != port; k++)
			;
		if (k == npeers && npeers < 4096)
			peers[npeers++] = (struct peer){.port = port};
		/* Every datagram is echoed; more than 4096 peers are echoed but not listed. */
		r = sendto(fd, buf, (size_t)r, 0, (struct sockaddr *)&from, flen) == r ? r : -r;
		if (k < 4096) {
			peers[k].rx += r < 0 ? -r : r;
			peers[k].tx += r > 0 ? r : 0;
		}
		got++;
	}
	for (int k = 0; k < npeers; k++)
		printf("%d %lld %lld\n", peers[k].port, peers[k].rx, peers[k].tx);
	return got == o->n ? 0 : 1;
}

static int run_udp_client(const struct opts *o)
{
	struct sockaddr_storage to;
	socklen_t tlen = loopback(o, &to, o->port);
	static char buf[65536];
	int rc = 0;

	memset(buf, 'u', sizeof(buf));
	double deadline = now_s() + o->timeout_s;

	for (long i = 0; i < o->n && now_s() < deadline && !stop; i++) {
		int fd = socket(to.ss_family, SOCK_DGRAM, 0);
		long long len = o->base + i, tx = 0, rx = 0;
		struct timeval tv = {0, 500000};

		if (fd < 0 || len > (long long)sizeof(buf))
			return 1;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		for (long r = 0; r < o->repeat; r++) {
			ssize_t n = sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&to, tlen);

			if (n != len) {
				rc = 1;
				break;
			}
			tx += n;
			n = recv(fd, buf, sizeof(buf), 0);
			if (n < 0) {
				rc = 1;
				break;
			}
			rx += n;
		}
		printf("%d %lld %lld\n", port_of(fd, true), tx, rx);
		close(fd);
	}
	return rc;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: conn_load server|client|many|churn|udp-server|udp-client -p PORT "
		"[-6] [-n N] [-b BYTES] [-k STEP] [-H MS] [-r REPEAT] [-A BYTES] [-t SECONDS]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct opts o = {.n = 1, .repeat = 1, .timeout_s = 30};
	int opt;

	if (argc < 2)
		return usage();
	o.mode = argv[1];
	optind = 2;
	while ((opt = getopt(argc, argv, "p:6n:b:k:H:r:t:A:")) != -1) {
		switch (opt) {
		case 'p':
			o.port = atoi(optarg);
			break;
		case '6':
			o.v6 = true;
			break;
		case 'n':
			o.n = atol(optarg);
			break;
		case 'b':
			o.base = atoll(optarg);
			break;
		case 'k':
			o.step = atoll(optarg);
			break;
		case 'H':
			o.hold_ms = atol(optarg);
			break;
		case 'r':
			o.repeat = atol(optarg);
			break;
		case 't':
			o.timeout_s = atoi(optarg);
			break;
		case 'A':
			o.abort_after = atoll(optarg);
			break;
		default:
			return usage();
		}
	}
	if (o.port <= 0 || o.n <= 0 || o.timeout_s <= 0 || o.timeout_s > 600)
		return usage();
	/* No SA_RESTART: a blocked call returns EINTR and the mode sees stop. */
	sigaction(SIGTERM, &(struct sigaction){.sa_handler = on_term}, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(o.mode, "server"))
		return run_server(&o);
	if (!strcmp(o.mode, "client"))
		return run_client(&o);
	if (!strcmp(o.mode, "many"))
		return run_many(&o);
	if (!strcmp(o.mode, "churn"))
		return run_churn(&o);
	if (!strcmp(o.mode, "udp-server"))
		return run_udp_server(&o);
	if (!strcmp(o.mode, "udp-client"))
		return run_udp_client(&o);
	return usage();
}
