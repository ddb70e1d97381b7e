// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Sends an exact number of bytes over loopback TCP and stays alive, or receives and counts them. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * tcp_exact listen PORT          accept one connection, read to EOF, print the byte count
 * tcp_exact send PORT BYTES HOLD send BYTES, close, then live HOLD more seconds (max 60)
 */
static int usage(void)
{
	fprintf(stderr, "usage: tcp_exact listen PORT | send PORT BYTES HOLD_SECONDS\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	static char buf[1 << 16];
	int fd, one = 1;

	if (argc < 3)
		return usage();
	a.sin_port = htons((unsigned short)atoi(argv[2]));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return 1;
	if (!strcmp(argv[1], "listen")) {
		unsigned long long total = 0;
		ssize_t n;
		int c;

		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1))
			return 1;
		c = accept(fd, NULL, NULL);
		if (c < 0)
			return 1;
		while ((n = read(c, buf, sizeof(buf))) > 0)
			total += (unsigned long long)n;
		printf("%llu\n", total);
		return 0;
	}
	if (!strcmp(argv[1], "send") && argc == 5) {
		unsigned long long left = strtoull(argv[3], NULL, 10);
		int hold = atoi(argv[4]);

		if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return 1;
		memset(buf, 'x', sizeof(buf));
		while (left) {
			ssize_t n = write(fd, buf, left < sizeof(buf) ? left : sizeof(buf));

			if (n <= 0)
				return 1;
			left -= (unsigned long long)n;
		}
		close(fd);
		sleep((unsigned)(hold < 0 ? 0 : hold > 60 ? 60 : hold));
		return 0;
	}
	return usage();
}
