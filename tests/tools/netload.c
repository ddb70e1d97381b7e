// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Sends and receives exact byte counts over TCP and UDP, for checking ebtop's numbers. Every count
 * printed is what the send and receive calls returned, summed, not the count asked for.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "netload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int resolve(const char *host, const char *port, int type, struct sockaddr_storage *ss,
		   socklen_t *len)
{
	struct addrinfo hints = {.ai_socktype = type, .ai_flags = AI_NUMERICHOST}, *res;
	int err = getaddrinfo(host, port, &hints, &res);

	if (err) {
		fprintf(stderr, "netload: %s: %s\n", host, gai_strerror(err));
		exit(2);
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return ss->ss_family;
}

/* Returns the bytes send() took, summed (all N, or it dies). */
static size_t send_all(int fd, size_t n)
{
	static const char chunk[65536];
	size_t sent = 0;

	while (n > 0) {
		size_t k = n < sizeof(chunk) ? n : sizeof(chunk);
		ssize_t w = send(fd, chunk, k, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die("send");
		n -= (size_t)w;
		sent += (size_t)w;
	}
	return sent;
}

struct sender {
	const char *host;
	const char *port;
	size_t bytes; /* to send */
	size_t sent;  /* sent, by send()'s return values */
	pid_t tid;
	pthread_barrier_t *barrier; /* all threads send, and end, together; may be NULL */
	bool hold;		    /* keep the connection open until stdin ends */
	int lport;		    /* the connection's local port */
};

static void *tcp_sender(void *arg)
{
	struct sender *s = arg;
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	s->tid = (pid_t)syscall(SYS_gettid);
	fd = socket(resolve(s->host, s->port, SOCK_STREAM, &ss, &len), SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len))
		die("connect");
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		die("getsockname");
	s->lport = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						  : ((struct sockaddr_in *)&ss)->sin_port);
	if (s->barrier)
		pthread_barrier_wait(s->barrier);
	s->sent = send_all(fd, s->bytes);
	if (s->hold) {
		char c;

		/* Sent and still open: a test can look at the live connection now. */
		printf("{\"pid\":%d,\"lport\":%d,\"sent\":%zu}\n", getpid(), s->lport, s->sent);
		fflush(stdout);
		for (;;) {
			ssize_t n = read(STDIN_FILENO, &c, 1);

			if (n == 0 || (n < 0 && errno != EINTR))
				break;
		}
	}
	close(fd);
	if (s->barrier)
		pthread_barrier_wait(s->barrier);
	return NULL;
}

/*
 * tcp-send HOST PORT BYTES [THREADS [hold]]: thread i sends BYTES * (i + 1) on its own
 * connection. With THREADS 0 and "hold", one connection stays open after sending (a line
 * says so) until stdin ends.
 */
static int cmd_tcp_send(int argc, char **argv)
{
	int nthreads = argc > 4 ? atoi(argv[4]) : 0;
	size_t bytes = strtoull(argv[3], NULL, 10);
	double t0 = now_s();

	if (nthreads <= 0) {
		struct sender s = {argv[1], argv[2], bytes, 0, 0, NULL,
				   argc > 5 && !strcmp(argv[5], "hold"), 0};

		tcp_sender(&s);
		printf("{\"pid\":%d,\"tid\":%d,\"lport\":%d,\"bytes\":%zu,\"seconds\":%.4f}\n",
		       getpid(), s.tid, s.lport, s.sent, now_s() - t0);
		return 0;
	}
	struct sender *s = calloc((size_t)nthreads, sizeof(*s));
	pthread_t *th = calloc((size_t)nthreads, sizeof(*th));
	pthread_barrier_t barrier;

	pthread_barrier_init(&barrier, NULL, (unsigned)nthreads);
	for (int i = 0; i < nthreads; i++) {
		s[i] = (struct sender){argv[1], argv[2], bytes * (size_t)(i + 1), 0, 0, &barrier,
				       false, 0};
		if (pthread_create(&th[i], NULL, tcp_sender, &s[i]))
			die("pthread_create");
	}
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < nthreads; i++)
		printf("{\"pid\":%d,\"tid\":%d,\"bytes\":%zu}\n", getpid(), s[i].tid, s[i].sent);
	pthread_barrier_destroy(&barrier);
	free(s);
	free(th);
	return 0;
}

struct drain {
	int fd;
	size_t bytes; /* what recv() returned, summed */
};

static void *tcp_drain(void *arg)
{
	struct drain *d = arg;
	char buf[65536];
	ssize_t n;

	while ((n = recv(d->fd, buf, sizeof(buf), 0)) != 0) {
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0)
			d->bytes += (size_t)n;
	}
	close(d->fd);
	return NULL;
}

/*
 * tcp-sink HOST PORT CONNS: accepts CONNS connections and reads each to EOF; then prints the
 * bytes read, in all and per connection (by the peer's port).
 */
static int cmd_tcp_sink(int argc, char **argv)
{
	int conns = argc > 3 ? atoi(argv[3]) : 1, one = 1;
	struct sockaddr_storage ss;
	socklen_t len;
	pthread_t *th = calloc((size_t)conns, sizeof(*th));
	struct drain *d = calloc((size_t)conns, sizeof(*d));
	size_t total = 0;
	int lfd = socket(resolve(argv[1], argv[2], SOCK_STREAM, &ss, &len), SOCK_STREAM, 0);

	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&ss, len) || listen(lfd, 1024))
		die("listen");
	printf("ready\n");
	fflush(stdout);
	for (int i = 0; i < conns; i++) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			die("accept");
		d[i].fd = fd;
		pthread_create(&th[i], NULL, tcp_drain, &d[i]);
	}
	for (int i = 0; i < conns; i++) {
		pthread_join(th[i], NULL);
		total += d[i].bytes;
	}
	printf("{\"pid\":%d,\"conns\":%d,\"bytes\":%zu}\n", getpid(), conns, total);
	free(d);
	free(th);
	close(lfd);
	return 0;
}

/* udp-send HOST PORT COUNT SIZE: COUNT datagrams of SIZE bytes, paced so none is dropped. */
static int cmd_udp_send(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	long count = atol(argv[3]);
	size_t size = strtoull(argv[4], NULL, 10), sent = 0;
	char *buf = calloc(1, size);
	int fd = socket(resolve(argv[1], argv[2], SOCK_DGRAM, &ss, &len), SOCK_DGRAM, 0);

	(void)argc;
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len))
		die("connect");
	for (long i = 0; i < count; i++) {
		ssize_t n = send(fd, buf, size, 0);

		if (n != (ssize_t)size)
			die("send");
		sent += (size_t)n;
		if (i % 64 == 63)
			usleep(200); /* let the receiver keep up: the test wants no loss */
	}
	printf("{\"pid\":%d,\"datagrams\":%ld,\"bytes\":%zu}\n", getpid(), count, sent);
	free(buf);
	close(fd);
	return 0;
}

/* udp-sink HOST PORT COUNT SIZE: receives until COUNT datagrams arrived or 1 s of silence. */
static int cmd_udp_sink(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	long count = atol(argv[3]), got = 0;
	size_t size = strtoull(argv[4], NULL, 10), bytes = 0;
	char *buf = calloc(1, size + 1);
	struct timeval tv = {.tv_sec = 1};
	int rcvbuf = 8 << 20;
	int fd = socket(resolve(argv[1], argv[2], SOCK_DGRAM, &ss, &len), SOCK_DGRAM, 0);

	(void)argc;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len))
		die("bind");
	printf("ready\n");
	fflush(stdout);
	while (got < count) {
		ssize_t n = recv(fd, buf, size + 1, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got++;
		bytes += (size_t)n;
	}
	printf("{\"pid\":%d,\"datagrams\":%ld,\"bytes\":%zu}\n", getpid(), got, bytes);
	free(buf);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int args;
		int (*fn)(int, char **);
	} cmds[] = {
		{"tcp-send", 4, cmd_tcp_send},
		{"tcp-sink", 3, cmd_tcp_sink},
		{"udp-send", 5, cmd_udp_send},
		{"udp-sink", 5, cmd_udp_sink},
	};

	for (size_t i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strcmp(argv[1], cmds[i].name) && argc - 1 >= cmds[i].args)
			return cmds[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "usage: netload tcp-send HOST PORT BYTES [THREADS [hold]] | tcp-sink HOST PORT "
			"[CONNS] | udp-send HOST PORT COUNT SIZE | udp-sink HOST PORT COUNT SIZE\n");
	return 2;
}
