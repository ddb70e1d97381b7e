// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Command-line options of `ebtop serve`. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli_int.h"
#include "serve/evring.h"

void cli_serve_usage(FILE *out)
{
	fputs("Usage: ebtop serve [OPTIONS]\n"
	      "Serves Prometheus metrics and a REST/JSON API over HTTP.\n"
	      "\n"
	      "  -l, --listen ADDR:PORT|PATH  where to listen (default " SERVE_LISTEN_DEFAULT
	      "); [::1]:PORT for IPv6,\n"
	      "                          a path (or unix:PATH) for a unix socket\n"
	      "      --web-config FILE   TLS and basic auth (Prometheus exporter-toolkit format)\n"
	      "      --max-connections N simultaneous connections (default 64)\n"
	      "      --timeout SECONDS   close connections idle this long (default 10)\n"
	      "      --threads N         HTTP worker threads (default 2)\n"
	      "      --max-response MB   largest response body (default 32)\n"
	      "      --metrics-top N     process series exported one by one (default 50); the\n"
	      "                          rest are summed into one comm=\"other\" series\n"
	      "      --metrics-sort FIELD  ranks series for --metrics-top (default net)\n"
	      "      --metrics-labels LIST process labels, from comm,user,cgroup (default all)\n"
	      "      --metrics-pid       add a pid label (one series per process)\n"
	      "      --metrics-filter EXPR  export only matching processes (and connections)\n"
	      "      --metrics-connections  per-connection series (labels comm, proto, laddr,\n"
	      "                          lport, raddr, rport: one series per connection)\n"
	      "      --metrics-connections-top N  connection series exported one by one, by\n"
	      "                          bytes (default 100; implies --metrics-connections)\n"
	      "      --events-keep N     recent exec and connection events kept for the API\n"
	      "                          (default 10000 of each)\n"
	      "      --db PATH|off       history database (default " STORE_DEFAULT_PATH ")\n"
	      "      --retain DUR        delete history older than DUR (default 7d; off)\n"
	      "      --max-db-size SZ    delete the oldest history beyond SZ (default 1G; off)\n"
	      "      --downsample LIST   merge old samples, AGE:STEP[,...] (default\n"
	      "                          1h:1m,1d:10m; off)\n"
	      "  -d, --delay SECONDS     sampling interval (default 1)\n"
	      "      --bpf-stats         export BPF run time per program\n"
	      "      --ringbuf-kb KB     exit-record ring buffer size (default 4096)\n"
	      "      --conn-ringbuf-kb KB  connection and event ring buffer size (default 4096)\n"
	      "  -v, --verbose           more diagnostics\n"
	      "  -h, --help              this text\n",
	      out);
}

enum {
	OPT_WEBCONFIG = 300,
	OPT_MAXCONN,
	OPT_TIMEOUT,
	OPT_THREADS,
	OPT_MAXRESP,
	OPT_TOP,
	OPT_SORT,
	OPT_LABELS,
	OPT_PID,
	OPT_FILTER,
	OPT_MCONNS,
	OPT_MCONNS_TOP,
	OPT_EVKEEP,
};

static const struct option serve_opts[] = {
	{"listen", required_argument, NULL, 'l'},
	{"web-config", required_argument, NULL, OPT_WEBCONFIG},
	{"max-connections", required_argument, NULL, OPT_MAXCONN},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"threads", required_argument, NULL, OPT_THREADS},
	{"max-response", required_argument, NULL, OPT_MAXRESP},
	{"metrics-top", required_argument, NULL, OPT_TOP},
	{"metrics-sort", required_argument, NULL, OPT_SORT},
	{"metrics-labels", required_argument, NULL, OPT_LABELS},
	{"metrics-pid", no_argument, NULL, OPT_PID},
	{"metrics-filter", required_argument, NULL, OPT_FILTER},
	{"metrics-connections", no_argument, NULL, OPT_MCONNS},
	{"metrics-connections-top", required_argument, NULL, OPT_MCONNS_TOP},
	{"events-keep", required_argument, NULL, OPT_EVKEEP},
	CLI_SHARED_LONG_OPTS,
	{NULL, 0, NULL, 0},
};

static int parse_labels(struct prom_opts *p, const char *list, char *err, size_t errlen)
{
	char tmp[128], *save = NULL, *tok;
	unsigned l = p->labels & PROM_L_PID;

	/* strtok_r() skips empty elements: "comm," would pass for "comm". */
	if (strlen(list) >= sizeof(tmp) || cli_list_has_empty(list))
		goto bad;
	strcpy(tmp, list);
	for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "comm"))
			l |= PROM_L_COMM;
		else if (!strcmp(tok, "user"))
			l |= PROM_L_USER;
		else if (!strcmp(tok, "cgroup"))
			l |= PROM_L_CGROUP;
		else if (!strcmp(tok, "pid"))
			l |= PROM_L_PID;
		else
			goto bad;
	}
	p->labels = l;
	return 0;
bad:
	snprintf(err, errlen, "--metrics-labels: a list of comm, user, cgroup, pid");
	return -1;
}

static int serve_one(struct cli *c, int opt, const char *arg, void *ctx, char *err, size_t errlen)
{
	struct serve_opts *s = &c->serve;
	unsigned u;
	long l;
	int f, rc;

	(void)ctx;
	switch (opt) {
	case 'l':
		if (!arg[0] || strlen(arg) >= sizeof(s->listen))
			break;
		snprintf(s->listen, sizeof(s->listen), "%s", arg);
		return 0;
	case OPT_WEBCONFIG:
		s->web_config = arg;
		return 0;
	case OPT_MAXCONN:
		if (cli_parse_unsigned(arg, 1, 65536, false, &s->max_conns))
			break;
		return 0;
	case OPT_TIMEOUT:
		if (cli_parse_unsigned(arg, 1, 3600, false, &s->timeout_s))
			break;
		return 0;
	case OPT_THREADS:
		if (cli_parse_unsigned(arg, 1, 64, false, &s->threads))
			break;
		return 0;
	case OPT_MAXRESP:
		if (cli_parse_unsigned(arg, 1, 4096, false, &u))
			break;
		s->max_response = (size_t)u << 20;
		return 0;
	case OPT_TOP:
		if (cli_parse_long(arg, 0, 100000, &l))
			break;
		s->prom.top = (size_t)l;
		return 0;
	case OPT_SORT:
		f = field_lookup(arg);
		if (f < 0 || fields[f].type != FT_NUM) {
			snprintf(err, errlen,
				 "--metrics-sort: '" CLI_QFMT "' is not a numeric field "
				 "(see --fields)",
				 CLI_QARG(arg));
			return CLI_USAGE_EXIT;
		}
		s->prom.sort_field = f;
		return 0;
	case OPT_LABELS:
		return parse_labels(&s->prom, arg, err, errlen) ? CLI_USAGE_EXIT : 0;
	case OPT_PID:
		s->prom.labels |= PROM_L_PID;
		return 0;
	case OPT_FILTER:
		c->filter_expr = arg; /* compiled by main, like -b --filter */
		return 0;
	case OPT_MCONNS:
		s->prom.conns = true;
		return 0;
	case OPT_MCONNS_TOP:
		if (cli_parse_long(arg, 0, 100000, &l))
			break;
		s->prom.conns = true;
		s->prom.conns_top = (size_t)l;
		return 0;
	case OPT_EVKEEP:
		if (cli_parse_long(arg, 1, EVRING_KEEP_MAX, &l))
			break;
		s->events_keep = (size_t)l;
		return 0;
	case CLI_OPT_DB:
		c->db_path = strcmp(arg, "off") ? arg : NULL;
		s->db_given = c->db_path != NULL;
		return 0;
	default:
		rc = cli_parse_shared(c, opt, arg, err, errlen);
		if (rc >= 0)
			return rc;
	}
	for (const struct option *o = serve_opts; o->name; o++) {
		if (o->val == opt) {
			snprintf(err, errlen, "invalid value '" CLI_QFMT "' for --%s",
				 CLI_QARG(arg), o->name);
			return CLI_USAGE_EXIT;
		}
	}
	snprintf(err, errlen, "invalid value '" CLI_QFMT "'", CLI_QARG(arg));
	return CLI_USAGE_EXIT;
}

int cli_parse_serve(struct cli *c, int argc, char **argv, char *err, size_t errlen)
{
	int rc;

	c->mode = MODE_SERVE;
	serve_opts_default(&c->serve);
	c->db_path = STORE_DEFAULT_PATH; /* history is on unless --db off */
	rc = cli_getopt_each(c, argc, argv, ":l:d:vh", serve_opts, "serve: ", serve_one, NULL, err,
			     errlen);
	if (rc)
		return rc;
	c->serve.interval_s = c->interval_s;
	if (optind < argc) {
		snprintf(err, errlen, "serve: unexpected argument '" CLI_QFMT "'",
			 CLI_QARG(argv[optind]));
		return CLI_USAGE_EXIT;
	}
	return 0;
}
