// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The web config file (Prometheus exporter-toolkit shape): TLS files and bcrypt basic-auth users. */
#include <crypt.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "serve/webconfig.h"

#define WEBCONFIG_MAX_BYTES (1u << 20)

static struct webconfig *fail(struct webconfig *wc, char *msg, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static struct webconfig *fail(struct webconfig *wc, char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	webconfig_free(wc);
	return NULL;
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static char *resolve(const char *base_dir, const char *file)
{
	char *out;

	if (file[0] == '/' || !base_dir || !base_dir[0])
		return strdup(file);
	if (asprintf(&out, "%s/%s", base_dir, file) < 0)
		return NULL;
	return out;
}

/* Keys exporter-toolkit knows but ebtop does not implement: refused, never ignored. */
static const char *const tls_unsupported[] = {
	"cert",          "key",         "client_auth_type",           "client_ca_file",
	"client_allowed_sans", "cipher_suites", "curve_preferences", "min_version",
	"max_version",   "prefer_server_cipher_suites",
};

static int tls_section(struct webconfig *wc, yaml_document_t *doc, yaml_node_t *map,
		       const char *base_dir, char *msg, size_t len)
{
	if (map->type != YAML_MAPPING_NODE) {
		snprintf(msg, len, "tls_server_config must be a mapping");
		return -1;
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		const char *k = scalar(yaml_document_get_node(doc, p->key));
		const char *v = scalar(yaml_document_get_node(doc, p->value));
		char **dst = NULL;

		if (!k) {
			snprintf(msg, len, "tls_server_config: keys must be strings");
			return -1;
		}
		if (!strcmp(k, "cert_file"))
			dst = &wc->cert_file;
		else if (!strcmp(k, "key_file"))
			dst = &wc->key_file;
		for (size_t i = 0; !dst && i < sizeof(tls_unsupported) / sizeof(*tls_unsupported);
		     i++) {
			if (!strcmp(k, tls_unsupported[i])) {
				snprintf(msg, len, "tls_server_config: %s is not supported by ebtop",
					 k);
				return -1;
			}
		}
		if (!dst) {
			snprintf(msg, len, "tls_server_config: unknown key '%s'", k);
			return -1;
		}
		if (!v || !v[0]) {
			snprintf(msg, len, "tls_server_config: %s must be a file name", k);
			return -1;
		}
		free(*dst);
		*dst = resolve(base_dir, v);
		if (!*dst) {
			snprintf(msg, len, "out of memory");
			return -1;
		}
	}
	if (!wc->cert_file || !wc->key_file) {
		snprintf(msg, len, "tls_server_config needs both cert_file and key_file");
		return -1;
	}
	return 0;
}

static bool is_bcrypt(const char *h)
{
	return !strncmp(h, "$2a$", 4) || !strncmp(h, "$2b$", 4) || !strncmp(h, "$2y$", 4);
}

static int users_section(struct webconfig *wc, yaml_document_t *doc, yaml_node_t *map, char *msg,
			 size_t len)
{
	if (map->type != YAML_MAPPING_NODE) {
		snprintf(msg, len, "basic_auth_users must be a mapping of user: bcrypt hash");
		return -1;
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		const char *k = scalar(yaml_document_get_node(doc, p->key));
		const char *v = scalar(yaml_document_get_node(doc, p->value));
		struct webuser *u;

		if (!k || !k[0] || strchr(k, ':')) {
			snprintf(msg, len, "basic_auth_users: a user name must be a non-empty string "
					   "without ':'");
			return -1;
		}
		if (!v || !is_bcrypt(v)) {
			snprintf(msg, len, "basic_auth_users: the password of '%s' must be a bcrypt "
					   "hash ($2a$, $2b$ or $2y$)", k);
			return -1;
		}
		for (size_t i = 0; i < wc->nusers; i++) {
			if (!strcmp(wc->users[i].name, k)) {
				snprintf(msg, len, "basic_auth_users: '%s' appears twice", k);
				return -1;
			}
		}
		if (wc->nusers == WEBCONFIG_MAX_USERS) {
			snprintf(msg, len, "basic_auth_users: at most %d users",
				 WEBCONFIG_MAX_USERS);
			return -1;
		}
		u = &wc->users[wc->nusers++];
		u->name = strdup(k);
		u->hash = strdup(v);
		if (!u->name || !u->hash) {
			snprintf(msg, len, "out of memory");
			return -1;
		}
	}
	return 0;
}

static int walk(struct webconfig *wc, yaml_document_t *doc, const char *base_dir, char *msg,
		size_t len)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);

	if (!root)
		return 0; /* an empty file: plain HTTP, no users */
	if (root->type != YAML_MAPPING_NODE) {
		snprintf(msg, len, "the web config must be a mapping");
		return -1;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(doc, p->key));
		yaml_node_t *v = yaml_document_get_node(doc, p->value);

		if (!k || !v) {
			snprintf(msg, len, "the web config's keys must be strings");
			return -1;
		}
		if (!strcmp(k, "tls_server_config")) {
			if (tls_section(wc, doc, v, base_dir, msg, len))
				return -1;
		} else if (!strcmp(k, "basic_auth_users")) {
			if (users_section(wc, doc, v, msg, len))
				return -1;
		} else if (!strcmp(k, "http_server_config")) {
			snprintf(msg, len, "http_server_config is not supported by ebtop");
			return -1;
		} else {
			snprintf(msg, len, "unknown key '%s' in the web config", k);
			return -1;
		}
	}
	return 0;
}

struct webconfig *webconfig_parse(const char *text, size_t n, const char *base_dir, char *msg,
				  size_t len)
{
	struct webconfig *wc = calloc(1, sizeof(*wc));
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc;

	if (!wc)
		return fail(NULL, msg, len, "out of memory");
	pthread_mutex_init(&wc->lock, NULL);
	if (!yaml_parser_initialize(&parser))
		return fail(wc, msg, len, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, n);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(msg, len, "YAML error at line %zu: %s", parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "unknown");
		yaml_parser_delete(&parser);
		webconfig_free(wc);
		return NULL;
	}
	rc = walk(wc, &doc, base_dir, msg, len);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (rc) {
		webconfig_free(wc);
		return NULL;
	}
	return wc;
}

struct webconfig *webconfig_load(const char *path, char *msg, size_t len)
{
	FILE *f = fopen(path, "re");
	char *text, *slash, dir[4096];
	size_t n;
	struct webconfig *wc;

	if (!f)
		return fail(NULL, msg, len, "cannot open the web config %s: %s", path,
			    strerror(errno));
	text = malloc(WEBCONFIG_MAX_BYTES + 1);
	if (!text) {
		fclose(f);
		return fail(NULL, msg, len, "out of memory");
	}
	n = fread(text, 1, WEBCONFIG_MAX_BYTES + 1, f);
	/* A directory opens but does not read (EISDIR): run without auth and TLS it must not. */
	if (ferror(f)) {
		int err = errno;

		fclose(f);
		free(text);
		return fail(NULL, msg, len, "cannot read the web config %s: %s", path,
			    strerror(err));
	}
	fclose(f);
	if (n > WEBCONFIG_MAX_BYTES) {
		free(text);
		return fail(NULL, msg, len, "the web config %s is larger than 1 MiB", path);
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	wc = webconfig_parse(text, n, dir, msg, len);
	free(text);
	if (!wc) {
		char tmp[256];

		snprintf(tmp, sizeof(tmp), "%s", msg);
		snprintf(msg, len, "%s: %s", path, tmp);
	}
	return wc;
}

void webconfig_free(struct webconfig *wc)
{
	if (!wc)
		return;
	free(wc->cert_file);
	free(wc->key_file);
	for (size_t i = 0; i < wc->nusers; i++) {
		free(wc->users[i].name);
		free(wc->users[i].hash);
		free(wc->users[i].verified);
	}
	pthread_mutex_destroy(&wc->lock);
	free(wc);
}

/* Compares without an early exit, so timing does not tell how much matched. */
static bool same(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	unsigned char d = na != nb;

	for (size_t i = 0; i < na && i < nb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

bool webconfig_check(struct webconfig *wc, const char *user, const char *password)
{
	struct webuser *u = NULL;
	struct crypt_data *cd;
	const char *h;
	bool ok;

	for (size_t i = 0; i < wc->nusers; i++) {
		if (!strcmp(wc->users[i].name, user))
			u = &wc->users[i];
	}
	if (!u || !password)
		return false;
	pthread_mutex_lock(&wc->lock);
	ok = u->verified && same(u->verified, password);
	pthread_mutex_unlock(&wc->lock);
	if (ok)
		return true;
	cd = calloc(1, sizeof(*cd)); /* ~32 KiB: not on a worker thread's stack */
	if (!cd)
		return false;
	h = crypt_r(password, u->hash, cd);
	ok = h && h[0] != '*' && same(h, u->hash);
	free(cd);
	if (ok) {
		char *copy = strdup(password);

		pthread_mutex_lock(&wc->lock);
		if (copy) {
			free(u->verified);
			u->verified = copy;
		}
		pthread_mutex_unlock(&wc->lock);
	}
	return ok;
}
