// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Readers and parsers for /proc/PID files. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "collect/procfs.h"

uint64_t procfs_parse_starttime(const char *stat)
{
	/* comm may hold spaces and parentheses: fields restart after the last ')'. */
	const char *p = strrchr(stat, ')');
	int field = 2;

	if (!p)
		return 0;
	p++;
	while (*p && field < 22) {
		if (*p == ' ') {
			field++;
			while (*p == ' ')
				p++;
			continue;
		}
		p++;
	}
	if (field != 22 || *p < '0' || *p > '9')
		return 0;
	return strtoull(p, NULL, 10);
}

size_t procfs_join_cmdline(char *buf, size_t len)
{
	while (len > 0 && buf[len - 1] == '\0')
		len--;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\0' || buf[i] == '\n' || buf[i] == '\t')
			buf[i] = ' ';
	}
	buf[len] = '\0';
	return len;
}

const char *procfs_parse_cgroup(const char *text, size_t *len)
{
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');

		if (!strncmp(line, "0::", 3)) {
			*len = end ? (size_t)(end - line - 3) : strlen(line + 3);
			return line + 3;
		}
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

ssize_t procfs_read(const char *path, char *buf, size_t size)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((size_t)total < size - 1) {
		n = read(fd, buf + total, size - 1 - (size_t)total);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			total = -errno;
			break;
		}
		if (n == 0)
			break;
		total += n;
	}
	close(fd);
	if (total >= 0)
		buf[total] = '\0';
	return total;
}

struct user_entry {
	uint32_t uid;
	char name[33];
};

struct user_cache {
	struct user_entry *e;
	size_t n;
	size_t cap;
};

struct user_cache *user_cache_new(void)
{
	return calloc(1, sizeof(struct user_cache));
}

void user_cache_free(struct user_cache *uc)
{
	if (!uc)
		return;
	free(uc->e);
	free(uc);
}

const char *user_cache_name(struct user_cache *uc, uint32_t uid)
{
	struct passwd pw, *res = NULL;
	struct user_entry *e;
	char tmp[1024];

	for (size_t i = 0; i < uc->n; i++) {
		if (uc->e[i].uid == uid)
			return uc->e[i].name;
	}
	if (uc->n == uc->cap) {
		size_t cap = uc->cap ? uc->cap * 2 : 16;
		struct user_entry *p = realloc(uc->e, cap * sizeof(*p));

		if (!p)
			return "?";
		uc->e = p;
		uc->cap = cap;
	}
	e = &uc->e[uc->n++];
	e->uid = uid;
	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) == 0 && res)
		snprintf(e->name, sizeof(e->name), "%s", pw.pw_name);
	else
		snprintf(e->name, sizeof(e->name), "%u", uid);
	return e->name;
}
