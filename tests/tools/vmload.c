// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Workloads with known counts for the kernel matrix: TCP both ways, a busy thread, O_DIRECT writes. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * vmload tcp-pair PORT UP DOWN  a client sends UP bytes to a server on 127.0.0.1:PORT and shuts
 *                               its side; the server reads to EOF, then sends DOWN bytes back.
 *                               Client and server are separate processes; one JSON line each,
 *                               with the connection's local and remote ports as each side sees
 *                               them ("lport", "rport").
 * vmload cpu SECONDS            a child spins on one thread for SECONDS of wall time; its CPU
 *                               time is taken from wait4's rusage, which the kernel keeps exact.
 * vmload dio FILE BYTES BLOCK   writes BYTES to FILE with O_DIRECT in BLOCK-sized writes.
 *
 * The lines are JSON (one object, keys "role" and "pid" first) so a shell without jq can pass
 * them on untouched.
 */

static void die(const char *what)
{
	fprintf(stderr, "vmload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long long send_n(int fd, unsigned long long n)
{
	static char buf[1 << 16];
	unsigned long long sent = 0;

	memset(buf, 'x', sizeof(buf));
	while (sent < n) {
		size_t k = n - sent < sizeof(buf) ? (size_t)(n - sent) : sizeof(buf);
		ssize_t w = send(fd, buf, k, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die("send");
		sent += (unsigned long long)w;
	}
	return sent;
}

static unsigned long long recv_all(int fd)
{
	static char buf[1 << 16];
	unsigned long long got = 0;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("recv");
		got += (unsigned long long)n;
	}
	return got;
}

static int local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len))
		die("getsockname");
	return ntohs(a.sin_port);
}

static int tcp_pair(int port, unsigned long long up, unsigned long long down)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	unsigned long long tx, rx;
	struct sockaddr_in peer;
	socklen_t plen = sizeof(peer);
	int lfd, fd, one = 1, status, lport;
	pid_t server;

	/* Listening before the fork: the client's connect can never race the server's bind. */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 1))
		die("listen");
	fflush(stdout);
	server = fork();
	if (server < 0)
		die("fork");
	if (server == 0) {
		fd = accept(lfd, (struct sockaddr *)&peer, &plen);
		if (fd < 0)
			die("accept");
		close(lfd);
		rx = recv_all(fd);
		tx = send_n(fd, down);
		close(fd);
		printf("{\"role\":\"tcp_server\",\"pid\":%d,\"tx\":%llu,\"rx\":%llu,\"lport\":%d,"
		       "\"rport\":%d}\n",
		       getpid(), tx, rx, port, ntohs(peer.sin_port));
		return 0;
	}
	close(lfd);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
		die("connect");
	lport = local_port(fd);
	tx = send_n(fd, up);
	/* Half-close: the server sees EOF on our direction and answers on its own. */
	if (shutdown(fd, SHUT_WR))
		die("shutdown");
	rx = recv_all(fd);
	close(fd);
	if (waitpid(server, &status, 0) != server || !WIFEXITED(status) || WEXITSTATUS(status))
		die("server");
	printf("{\"role\":\"tcp_client\",\"pid\":%d,\"tx\":%llu,\"rx\":%llu,\"lport\":%d,"
	       "\"rport\":%d}\n",
	       getpid(), tx, rx, lport, port);
	return 0;
}

static int cpu(double secs)
{
	struct rusage ru;
	long long ns;
	pid_t c = fork();

	if (c < 0)
		die("fork");
	if (c == 0) {
		double end = now_s() + secs;
		volatile unsigned long x = 0;

		while (now_s() < end)
			for (int i = 0; i < 20000; i++)
				x += (unsigned long)i;
		_exit(0);
	}
	if (wait4(c, NULL, 0, &ru) != c)
		die("wait4");
	ns = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
	     (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
	printf("{\"role\":\"cpu\",\"pid\":%d,\"cpu_ns\":%lld,\"wall_s\":%.3f}\n", c, ns, secs);
	return 0;
}

static int dio(const char *path, unsigned long long bytes, size_t block)
{
	unsigned long long done = 0;
	void *buf;
	int fd;

	if (block == 0 || block % 4096 || bytes % block)
		die("BYTES must be a multiple of BLOCK, BLOCK of 4096");
	if (posix_memalign(&buf, 4096, block))
		die("posix_memalign");
	memset(buf, 0xa5, block);
	fd = open(path, O_WRONLY | O_DIRECT);
	if (fd < 0)
		die("open");
	while (done < bytes) {
		ssize_t n = pwrite(fd, buf, block, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)block)
			die("pwrite");
		done += (unsigned long long)n;
	}
	if (fsync(fd))
		die("fsync");
	close(fd);
	free(buf);
	printf("{\"role\":\"dio\",\"pid\":%d,\"bytes\":%llu}\n", getpid(), done);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "tcp-pair"))
		return tcp_pair(atoi(argv[2]), strtoull(argv[3], NULL, 10),
				strtoull(argv[4], NULL, 10));
	if (argc == 3 && !strcmp(argv[1], "cpu") && atof(argv[2]) > 0 && atof(argv[2]) <= 60)
		return cpu(atof(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "dio"))
		return dio(argv[2], strtoull(argv[3], NULL, 10), strtoull(argv[4], NULL, 10));
	fprintf(stderr, "usage: vmload tcp-pair PORT UP DOWN | cpu SECONDS | dio FILE BYTES BLOCK\n");
	return 2;
}
