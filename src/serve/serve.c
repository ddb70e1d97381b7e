// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `ebtop serve`: the HTTP server (libmicrohttpd) for /metrics, /health and the REST API. */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <jansson.h>
#include <microhttpd.h>
#include "serve/serve.h"
#include "serve/api.h"
#include "serve/evring.h"
#include "serve/history.h"
#include "serve/request.h"
#include "serve/webconfig.h"
#include "output/json.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"

/* API answers already computed from this snapshot: dashboards repeat the same requests. */
#define API_CACHE 8

struct cached {
	char *uri;
	char *body;
	size_t len;
	int status;
};

/* What requests read: one snapshot and its pre-rendered metrics, shared by reference. */
struct published {
	int refs;
	struct snapshot *snap;
	struct buf text; /* Prometheus text 0.0.4, without the tail */
	struct buf om;	 /* OpenMetrics 1.0, without the tail */
	uint64_t mono_ns;
	struct cached cache[API_CACHE]; /* guarded by serve.lock */
	size_t ncache;
};

struct serve {
	struct serve_opts o;
	struct MHD_Daemon *d;
	int lfd;
	char unix_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char url[300];
	struct webconfig *wc;
	char *tls_key, *tls_cert;   /* PEM text, alive while the daemon runs */
	struct prom_exporter *prom; /* sampling thread only */
	struct history *hist;	    /* NULL without a history database */
	struct evring *exec_events; /* recent events for the API, appended at each publish */
	struct evring *conn_events;
	uint64_t events_lost; /* the collector's lost events at the last publish */
	pthread_mutex_t lock;
	struct published *cur; /* guarded by lock */
	uint64_t start_ns;
};

/* Per-request state, created by the URI logger before the handler runs. */
struct reqctx {
	char *uri; /* the raw request target, or NULL when too long */
	bool started;
};

void serve_opts_default(struct serve_opts *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->listen, sizeof(o->listen), "%s", SERVE_LISTEN_DEFAULT);
	o->max_conns = 64;
	o->timeout_s = 10;
	o->threads = 2;
	o->max_response = 32u << 20;
	o->interval_s = 1;
	o->events_keep = EVRING_KEEP_DEFAULT;
	prom_opts_default(&o->prom);
}

static struct published *pub_get(struct serve *sv)
{
	struct published *p;

	pthread_mutex_lock(&sv->lock);
	p = sv->cur;
	if (p)
		p->refs++;
	pthread_mutex_unlock(&sv->lock);
	return p;
}

static void pub_put(struct serve *sv, struct published *p)
{
	bool last;

	if (!p)
		return;
	pthread_mutex_lock(&sv->lock);
	last = --p->refs == 0;
	pthread_mutex_unlock(&sv->lock);
	if (!last)
		return;
	snapshot_put(p->snap);
	buf_free(&p->text);
	buf_free(&p->om);
	for (size_t i = 0; i < p->ncache; i++) {
		free(p->cache[i].uri);
		free(p->cache[i].body);
	}
	free(p);
}

/* A copy of a cached answer into b; the status, or 0 when not cached. */
static int cache_get(struct serve *sv, struct published *p, const char *uri, struct buf *b)
{
	int status = 0;

	pthread_mutex_lock(&sv->lock);
	for (size_t i = 0; i < p->ncache; i++) {
		if (!strcmp(p->cache[i].uri, uri)) {
			if (!buf_append(b, p->cache[i].body, p->cache[i].len))
				status = p->cache[i].status;
			break;
		}
	}
	pthread_mutex_unlock(&sv->lock);
	return status;
}

static void cache_put(struct serve *sv, struct published *p, const char *uri, const struct buf *b,
		      int status)
{
	struct cached c = {.uri = strdup(uri),
			   .body = malloc(b->len ? b->len : 1),
			   .len = b->len,
			   .status = status};

	if (c.uri && c.body) {
		memcpy(c.body, b->p ? b->p : "", b->len);
		pthread_mutex_lock(&sv->lock);
		if (p->ncache < API_CACHE) {
			p->cache[p->ncache++] = c;
			c.uri = c.body = NULL;
		}
		pthread_mutex_unlock(&sv->lock);
	}
	free(c.uri);
	free(c.body);
}

/* Keeps the interval's events for /api/v1/events, with what had been lost before them. */
static void events_append(struct serve *sv, const struct snapshot *snap)
{
	uint64_t lost = snap->errors[EBTOP_ERR_EVENTS] + snap->conn_occ.events_dropped;

	if (snap->nevents) {
		evring_push(sv->exec_events, snap->seq, sv->events_lost, snap->events,
			    snap->nevents);
		evring_push(sv->conn_events, snap->seq, sv->events_lost, snap->events,
			    snap->nevents);
	}
	sv->events_lost = lost;
}

int serve_publish(struct serve *sv, struct snapshot *snap, double collect_s)
{
	struct prom_self self = {.collect_s = collect_s, .version = sv->o.version};
	struct published *p = calloc(1, sizeof(*p)), *old;
	int err;

	if (!p)
		return -ENOMEM;
	p->refs = 1;
	p->snap = snapshot_get(snap);
	p->mono_ns = clock_mono_ns();
	buf_init(&p->text, sv->o.max_response);
	buf_init(&p->om, sv->o.max_response);
	/* Before the snapshot is visible: readers of it find its events already there. */
	events_append(sv, snap);
	err = prom_exporter_update(sv->prom, snap);
	if (!err)
		err = prom_render(sv->prom, &self, PROM_FMT_TEXT, &p->text);
	if (!err)
		err = prom_render(sv->prom, &self, PROM_FMT_OPENMETRICS, &p->om);
	if (err) {
		/* The API still gets the snapshot; /metrics keeps the previous text. */
		log_warn("metrics not updated: %s\n", strerror(-err));
		if ((old = pub_get(sv))) {
			buf_reset(&p->text);
			buf_reset(&p->om);
			if (buf_append(&p->text, old->text.p ? old->text.p : "", old->text.len) ||
			    buf_append(&p->om, old->om.p ? old->om.p : "", old->om.len))
				log_warn("metrics dropped this interval\n");
			pub_put(sv, old);
		}
	}
	pthread_mutex_lock(&sv->lock);
	old = sv->cur;
	sv->cur = p;
	pthread_mutex_unlock(&sv->lock);
	pub_put(sv, old);
	return err;
}

/* Fresh: the last snapshot is younger than a few intervals. */
static bool fresh(const struct serve *sv, const struct published *p, double *age_s)
{
	double limit = sv->o.interval_s * 3 > sv->o.interval_s + 2 ? sv->o.interval_s * 3
								   : sv->o.interval_s + 2;

	*age_s = p ? (double)(clock_mono_ns() - p->mono_ns) / 1e9 : -1;
	return p && *age_s <= limit;
}

/* Hands b's memory to MHD (or copies when empty). */
static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *ctype,
			       struct buf *b)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (b->p && b->len) {
		r = MHD_create_response_from_buffer(b->len, b->p, MHD_RESPMEM_MUST_FREE);
		if (r)
			b->p = NULL;
	} else {
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	}
	buf_free(b);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

#define CT_JSON "application/json"
#define CT_HTML "text/html; charset=utf-8"

static enum MHD_Result respond_error(struct serve *sv, struct MHD_Connection *c, unsigned status,
				     const char *param, const char *msg)
{
	struct buf b;

	buf_init(&b, sv->o.max_response);
	if (api_error(&b, param, msg))
		buf_reset(&b);
	return respond(c, status, CT_JSON, &b);
}

static enum MHD_Result metrics(struct serve *sv, struct MHD_Connection *c)
{
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
	enum prom_format f = req_wants_openmetrics(accept) ? PROM_FMT_OPENMETRICS : PROM_FMT_TEXT;
	struct published *p = pub_get(sv);
	const struct buf *cached = p ? (f == PROM_FMT_OPENMETRICS ? &p->om : &p->text) : NULL;
	struct buf b;
	double age;
	int err = 0;

	buf_init(&b, sv->o.max_response);
	if (cached && cached->len)
		err = buf_append(&b, cached->p, cached->len);
	if (!err)
		err = prom_render_tail(&b, f, fresh(sv, p, &age));
	pub_put(sv, p);
	if (err) {
		buf_free(&b);
		return respond_error(sv, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "",
				     "metrics too large for --max-response");
	}
	return respond(c, MHD_HTTP_OK,
		       f == PROM_FMT_OPENMETRICS ? PROM_CT_OPENMETRICS : PROM_CT_TEXT, &b);
}

static enum MHD_Result health(struct serve *sv, struct MHD_Connection *c)
{
	struct published *p = pub_get(sv);
	json_t *o = json_object();
	double age;
	bool ok = fresh(sv, p, &age);
	const char *status = ok ? "ok" : p ? "stale" : "starting";
	struct buf b;
	char *text;
	int err = -ENOMEM;

	json_object_set_new(o, "status", json_string(status));
	json_object_set_new(o, "collecting", json_boolean(ok));
	json_object_set_new(o, "last_snapshot_age_s", p ? json_real(age) : json_null());
	json_object_set_new(o, "seq", json_integer(p ? (json_int_t)p->snap->seq : 0));
	json_object_set_new(o, "interval_s", json_real(sv->o.interval_s));
	json_object_set_new(o, "uptime_s",
			    json_real((double)(clock_mono_ns() - sv->start_ns) / 1e9));
	json_object_set_new(o, "degraded", json_string(p ? p->snap->status : ""));
	json_object_set_new(o, "features", p ? features_json(&p->snap->features) : json_object());
	pub_put(sv, p);
	text = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(15));
	json_decref(o);
	buf_init(&b, sv->o.max_response);
	if (text)
		err = buf_printf(&b, "%s\n", text);
	free(text);
	if (err) {
		buf_free(&b);
		return MHD_NO;
	}
	/* 503 while stale lets a load balancer or probe act on it without parsing. */
	return respond(c, ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, CT_JSON, &b);
}

static enum MHD_Result landing(struct serve *sv, struct MHD_Connection *c)
{
	struct buf b;

	buf_init(&b, sv->o.max_response);
	if (buf_printf(
		&b,
		"<!DOCTYPE html>\n<html><head><title>ebtop</title></head><body>\n"
		"<h1>ebtop %s</h1>\n<p>Per-process network, CPU and disk use, measured with "
		"eBPF.</p>\n<ul>\n"
		"<li><a href=\"/metrics\">/metrics</a> Prometheus metrics</li>\n"
		"<li><a href=\"/health\">/health</a> liveness and collection freshness</li>\n"
		"<li><a href=\"/api/v1/processes\">/api/v1/processes</a> processes "
		"(?limit=&amp;sort=&amp;order=)</li>\n"
		"<li>/api/v1/processes/{pid} one process with its threads and "
		"connections</li>\n"
		"<li><a href=\"/api/v1/connections\">/api/v1/connections</a> connections "
		"(?limit=&amp;sort=&amp;order=&amp;filter=)</li>\n"
		"<li><a href=\"/api/v1/disks\">/api/v1/disks</a></li>\n"
		"<li><a href=\"/api/v1/events/exec\">/api/v1/events/exec</a>, "
		"<a href=\"/api/v1/events/connect\">/api/v1/events/connect</a></li>\n"
		"<li>/api/v1/history?metric=&amp;pid=|comm=&amp;from=&amp;to=&amp;step=</li>\n"
		"</ul>\n</body></html>\n",
		sv->o.version ? sv->o.version : "")) {
		buf_free(&b);
		return MHD_NO;
	}
	return respond(c, MHD_HTTP_OK, CT_HTML, &b);
}

static enum MHD_Result api(struct serve *sv, struct MHD_Connection *c, const struct request *rq,
			   const char *uri)
{
	struct published *p = pub_get(sv);
	struct api_ctx ctx = {.snap = p ? p->snap : NULL,
			      .exec_events = sv->exec_events,
			      .conn_events = sv->conn_events};
	struct buf b;
	int status = 0;

	buf_init(&b, sv->o.max_response);
	if (p)
		status = cache_get(sv, p, uri, &b);
	if (!status) {
		status = api_respond(rq, &ctx, &b);
		if (p && status == 200)
			cache_put(sv, p, uri, &b, status);
	}
	pub_put(sv, p);
	if (status >= 500 && !b.len)
		return respond_error(sv, c, (unsigned)status, "", "internal error");
	return respond(c, (unsigned)status, CT_JSON, &b);
}

static bool authorized(struct serve *sv, struct MHD_Connection *c)
{
	char *pass = NULL, *user;
	bool ok;

	if (!sv->wc || !sv->wc->nusers)
		return true;
	user = MHD_basic_auth_get_username_password(c, &pass);
	ok = user && webconfig_check(sv->wc, user, pass);
	if (user)
		MHD_free(user);
	if (pass)
		MHD_free(pass);
	return ok;
}

static enum MHD_Result unauthorized(struct MHD_Connection *c)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	struct buf b;

	buf_init(&b, 4096);
	if (api_error(&b, "", "authentication required")) {
		buf_free(&b);
		return MHD_NO;
	}
	r = MHD_create_response_from_buffer(b.len, b.p, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		buf_free(&b);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, CT_JSON);
	ret = MHD_queue_basic_auth_fail_response(c, "ebtop", r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct serve *sv = cls;
	struct reqctx *rc = *con_cls;
	struct req_error err;
	struct request *rq;
	enum MHD_Result ret;

	(void)url;
	(void)version;
	(void)upload_data;
	if (!rc)
		return MHD_NO;
	if (!rc->started) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");

		rc->started = true;
		if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
			return respond_error(sv, c, MHD_HTTP_METHOD_NOT_ALLOWED, "",
					     "only GET and HEAD are supported");
		if ((cl && strcmp(cl, "0")) ||
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding"))
			return respond_error(sv, c, MHD_HTTP_CONTENT_TOO_LARGE, "",
					     "request bodies are not accepted");
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (!authorized(sv, c))
		return unauthorized(c);
	if (!rc->uri)
		return respond_error(sv, c, MHD_HTTP_URI_TOO_LONG, "", "request target too long");
	rq = malloc(sizeof(*rq)); /* holds a 4 KiB filter: off the worker's stack */
	if (!rq)
		return MHD_NO;
	if (request_parse(rc->uri, (double)clock_wall_ns() / 1e9, rq, &err)) {
		ret = respond_error(sv, c, (unsigned)err.status, err.param, err.msg);
		free(rq);
		return ret;
	}
	switch (rq->route) {
	case ROUTE_ROOT:
		ret = landing(sv, c);
		break;
	case ROUTE_METRICS:
		ret = metrics(sv, c);
		break;
	case ROUTE_HEALTH:
		ret = health(sv, c);
		break;
	case ROUTE_HISTORY: {
		struct buf b;
		int status;

		buf_init(&b, sv->o.max_response);
		status = history_respond(sv->hist, rq, (double)clock_wall_ns() / 1e9, &b);
		ret = respond(c, (unsigned)status, CT_JSON, &b);
		break;
	}
	default:
		ret = api(sv, c, rq, rc->uri);
		break;
	}
	free(rq);
	return ret;
}

/* Runs first for every request: keeps the raw target, whose query we parse ourselves. */
static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct reqctx *rc = calloc(1, sizeof(*rc));

	(void)cls;
	(void)c;
	if (rc && uri && strlen(uri) <= REQ_MAX_URI)
		rc->uri = strdup(uri);
	return rc;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct reqctx *rc = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (rc) {
		free(rc->uri);
		free(rc);
	}
	*con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	log_vmsg(LOG_INFO, fmt, ap);
}

/* A unix socket path left by a previous run is removed, one in use is not. */
static int listen_unix(struct serve *sv, const char *path, char *msg, size_t len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd;

	/* An empty path would bind an abstract socket named by NUL bytes. */
	if (!path[0]) {
		snprintf(msg, len, "--listen: unix: needs a socket path");
		return -EINVAL;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(msg, len, "--listen: unix socket path too long (at most %zu bytes)",
			 sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (!lstat(path, &st) && S_ISSOCK(st.st_mode)) {
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (probe >= 0 && !connect(probe, (struct sockaddr *)&sa, sizeof(sa))) {
			close(probe);
			close(fd);
			snprintf(msg, len, "--listen: %s is in use by another server", path);
			return -EADDRINUSE;
		}
		if (probe >= 0)
			close(probe);
		unlink(path);
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 128)) {
		int err = -errno;

		snprintf(msg, len, "--listen: cannot listen on %s: %s", path, strerror(-err));
		close(fd);
		return err;
	}
	snprintf(sv->unix_path, sizeof(sv->unix_path), "%s", path);
	snprintf(sv->url, sizeof(sv->url), "unix:%s", path);
	sv->lfd = fd;
	return 0;
}

/* The address a socket is bound to, as ADDR:PORT or [ADDR]:PORT. */
static int bound_addr(int fd, char *out, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN], port[8];

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) ||
	    getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), port, sizeof(port),
			NI_NUMERICHOST | NI_NUMERICSERV))
		return -1;
	snprintf(out, len, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, port);
	return 0;
}

/* "127.0.0.1:9877", "[::1]:9877", ":9877" (every address), "localhost:9877". */
static int listen_tcp(struct serve *sv, const char *spec, bool tls, char *msg, size_t len)
{
	char host[256];
	const char *port, *colon = strrchr(spec, ':');
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV},
			*res = NULL;
	int fd, one = 1, rc, err;

	if (!colon || !colon[1]) {
		snprintf(msg, len, "--listen: '%s' is not ADDR:PORT or a unix socket path", spec);
		return -EINVAL;
	}
	port = colon + 1;
	/* getaddrinfo() takes "99999" modulo 65536: port 34463. */
	if (strspn(port, "0123456789") != strlen(port) || strlen(port) > 5 || atoi(port) > 65535) {
		snprintf(msg, len, "--listen: '%.64s' is not a port (0 to 65535)", port);
		return -EINVAL;
	}
	if (spec[0] == '[') {
		const char *close_br = strchr(spec, ']');

		if (!close_br || close_br + 1 != colon ||
		    close_br - spec - 1 >= (long)sizeof(host)) {
			snprintf(msg, len, "--listen: bad IPv6 address in '%s'", spec);
			return -EINVAL;
		}
		snprintf(host, sizeof(host), "%.*s", (int)(close_br - spec - 1), spec + 1);
	} else {
		if (colon - spec >= (long)sizeof(host)) {
			snprintf(msg, len, "--listen: address too long");
			return -EINVAL;
		}
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
	}
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (rc) {
		snprintf(msg, len, "--listen: cannot resolve '%s': %s", spec, gai_strerror(rc));
		return -EINVAL;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    res->ai_protocol);
	if (fd < 0) {
		err = -errno;
		freeaddrinfo(res);
		snprintf(msg, len, "--listen: %s", strerror(-err));
		return err;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 128)) {
		err = -errno;
		snprintf(msg, len, "--listen: cannot listen on %s: %s", spec, strerror(-err));
		close(fd);
		freeaddrinfo(res);
		return err;
	}
	freeaddrinfo(res);
	snprintf(sv->url, sizeof(sv->url), "%s://%s", tls ? "https" : "http", spec);
	sv->lfd = fd;
	/* Port 0 lets the kernel choose: nobody could connect without being told which. */
	if (atoi(port) == 0 && bound_addr(fd, host, sizeof(host)) == 0) {
		snprintf(sv->url, sizeof(sv->url), "%s://%s", tls ? "https" : "http", host);
		fprintf(stderr, "ebtop: listening on %s\n", host);
	}
	return 0;
}

static char *read_file(const char *path, char *msg, size_t len)
{
	FILE *f = fopen(path, "re");
	char *text = NULL;
	size_t n;

	if (!f) {
		snprintf(msg, len, "web config: cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	text = malloc((1u << 20) + 1);
	if (text) {
		n = fread(text, 1, 1u << 20, f);
		text[n] = '\0';
		/* A directory opens but does not read (EISDIR): not an empty file. */
		if (ferror(f)) {
			snprintf(msg, len, "web config: cannot read %s: %s", path, strerror(errno));
			free(text);
			text = NULL;
		}
	}
	fclose(f);
	return text;
}

int serve_open(struct serve **out, const struct serve_opts *o, char *msg, size_t len)
{
	struct serve *sv = calloc(1, sizeof(*sv));
	unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem opts[16];
	sigset_t block, old;
	int n = 0, err;
	bool tls;

	*out = NULL;
	msg[0] = '\0';
	if (!sv)
		return -ENOMEM;
	sv->o = *o;
	sv->lfd = -1;
	sv->start_ns = clock_mono_ns();
	pthread_mutex_init(&sv->lock, NULL);
	sv->prom = prom_exporter_new(&o->prom);
	if (o->history_path)
		sv->hist = history_new(o->history_path);
	sv->exec_events = evring_new(EVRING_EXEC, o->events_keep);
	sv->conn_events = evring_new(EVRING_CONNECT, o->events_keep);
	if (!sv->prom || (o->history_path && !sv->hist) || !sv->exec_events || !sv->conn_events) {
		err = -ENOMEM;
		goto fail;
	}
	if (o->web_config) {
		sv->wc = webconfig_load(o->web_config, msg, len);
		if (!sv->wc) {
			err = -EINVAL;
			goto fail;
		}
	}
	tls = sv->wc && sv->wc->cert_file;
	if (tls) {
		sv->tls_cert = read_file(sv->wc->cert_file, msg, len);
		sv->tls_key = sv->tls_cert ? read_file(sv->wc->key_file, msg, len) : NULL;
		if (!sv->tls_key) {
			err = -EINVAL;
			goto fail;
		}
		flags |= MHD_USE_TLS;
	}
	if (o->listen[0] == '/' || !strncmp(o->listen, "unix:", 5))
		err = listen_unix(sv, o->listen[0] == '/' ? o->listen : o->listen + 5, msg, len);
	else
		err = listen_tcp(sv, o->listen, tls, msg, len);
	if (err)
		goto fail;

	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, sv->lfd, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, o->max_conns, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT, 64 * 1024, NULL};
	opts[n++] =
	    (struct MHD_OptionItem){MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)uri_logger, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed, NULL};
	if (o->threads > 1)
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, o->threads, NULL};
	if (tls) {
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, sv->tls_key};
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, sv->tls_cert};
	}
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};

	/* Workers inherit a mask without the stop signals: the sampling loop gets them. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	sv->d = MHD_start_daemon(flags, 0, NULL, NULL, handle, sv, MHD_OPTION_ARRAY, opts,
				 MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!sv->d) {
		snprintf(msg, len, "the HTTP server could not start on %s%s", o->listen,
			 tls ? " (check the TLS certificate and key)" : "");
		err = -EINVAL;
		goto fail;
	}
	sv->lfd = -1; /* MHD closes the listening socket when it stops */
	*out = sv;
	return 0;
fail:
	serve_close(sv);
	return err;
}

void serve_close(struct serve *sv)
{
	if (!sv)
		return;
	if (sv->d)
		MHD_stop_daemon(sv->d);
	if (sv->lfd >= 0)
		close(sv->lfd);
	if (sv->unix_path[0])
		unlink(sv->unix_path);
	pub_put(sv, sv->cur);
	prom_exporter_free(sv->prom);
	history_free(sv->hist);
	evring_free(sv->exec_events);
	evring_free(sv->conn_events);
	webconfig_free(sv->wc);
	free(sv->tls_key);
	free(sv->tls_cert);
	pthread_mutex_destroy(&sv->lock);
	free(sv);
}

const char *serve_url(const struct serve *sv)
{
	return sv->url;
}
