/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Readers and parsers for /proc/PID files. */
#ifndef EBTOP_PROCFS_H
#define EBTOP_PROCFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Field 22 of /proc/PID/stat (clock ticks since boot); 0 when unparsable. */
uint64_t procfs_parse_starttime(const char *stat);
/* NUL-separated argv to one line with spaces, in place; returns the new length. */
size_t procfs_join_cmdline(char *buf, size_t len);
/* The cgroup v2 path ("0::/a/b") from /proc/PID/cgroup text; NULL when absent. */
const char *procfs_parse_cgroup(const char *text, size_t *len);

/* Reads a whole small file into buf (NUL-terminated); bytes read, or -errno. */
ssize_t procfs_read(const char *path, char *buf, size_t size);

/* uid -> name, remembered; "1000" when the uid has no entry. */
struct user_cache;
struct user_cache *user_cache_new(void);
void user_cache_free(struct user_cache *uc);
const char *user_cache_name(struct user_cache *uc, uint32_t uid);

#endif
