/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The web config file (Prometheus exporter-toolkit shape): TLS files and bcrypt basic-auth users. */
#ifndef EBTOP_SERVE_WEBCONFIG_H
#define EBTOP_SERVE_WEBCONFIG_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define WEBCONFIG_MAX_USERS 64

struct webuser {
	char *name;
	char *hash;     /* bcrypt: $2a$, $2b$ or $2y$ */
	char *verified; /* the last password that matched (bcrypt costs ~0.1 s per check) */
};

struct webconfig {
	char *cert_file; /* NULL: plain HTTP */
	char *key_file;
	struct webuser users[WEBCONFIG_MAX_USERS];
	size_t nusers; /* 0: no authentication */
	pthread_mutex_t lock; /* guards users[].verified */
};

/*
 * Loads path; relative file names are taken from the config file's
 * directory. Returns NULL and writes one sentence into msg on error.
 */
struct webconfig *webconfig_load(const char *path, char *msg, size_t len);
/* Parses YAML text (for tests); base_dir resolves relative file names. */
struct webconfig *webconfig_parse(const char *text, size_t n, const char *base_dir, char *msg,
				  size_t len);
void webconfig_free(struct webconfig *wc);
/* Does this user/password pair match? Thread-safe; false for unknown users. */
bool webconfig_check(struct webconfig *wc, const char *user, const char *password);

#endif
