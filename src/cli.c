// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Command-line options of every ebtop mode. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli_int.h"

void cli_usage(FILE *out)
{
	fputs("Usage: ebtop [OPTIONS]            interactive view\n"
	      "       ebtop -b [OPTIONS]         batch output for scripts\n"
	      "       ebtop serve [OPTIONS]      Prometheus /metrics and REST API (serve --help)\n"
	      "       ebtop events [--json]      connect/accept/close/exec events as they happen\n"
	      "       ebtop record -o FILE.db [-d S] [-n N]   record snapshots into a history file\n"
	      "       ebtop replay FILE.db       step through a recording\n"
	      "       ebtop -b --from FILE.db [--at TIME] [--to TIME] [--step DUR]\n"
	      "                                  print recorded snapshots\n"
	      "\n"
	      "  -b, --batch           print snapshots to stdout instead of the interactive view\n"
	      "  -n, --iterations N    stop after N intervals (default: until interrupted)\n"
	      "  -d, --delay SECONDS   interval between snapshots (default 1, 0.1 to 3600)\n"
	      "  -s, --sort FIELD      sort by FIELD, descending for numbers (default: net)\n"
	      "      --asc             sort ascending\n"
	      "  -t, --top N           show the first N rows only\n"
	      "  -p, --pid PID[,PID]   only these processes\n"
	      "  -H, --threads         one row per thread\n"
	      "  -a, --active          only rows whose sort field is nonzero\n"
	      "  -o, --columns LIST    table columns, e.g. pid,user,tx,rx,cmd\n"
	      "  -f, --filter EXPR     only matching processes, e.g. 'name = nginx and tx > 1MB/s'\n"
	      "      --json            one JSON object per interval (JSON lines)\n"
	      "      --csv             CSV, every field, raw numbers\n"
	      "      --bytes           raw byte counts instead of K/M/G\n"
	      "      --fields          list the fields usable with --sort and --columns\n"
	      "      --bpf-stats       have the kernel time ebtop's BPF programs (shown as ns/event)\n"
	      "      --ringbuf-kb KB   exit-record ring buffer size (default 4096)\n"
	      "      --net-slots N     per-CPU network counter slots, a power of two (default 4096)\n"
	      "      --disk-procs N    processes with block latency histograms at once (default 4096)\n"
	      "      --disk-requests N block requests timed at once (default 16384)\n"
	      "  -c, --connections     the connection table (sort and columns name connection fields)\n"
	      "      --conn-peers-max N  UDP peer / shared-socket table entries (default 65536)\n"
	      "      --udp-peers N     remote peers with their own row per UDP socket (default 16)\n"
	      "      --conn-ringbuf-kb KB  closed-connection and event ring buffer (default 4096)\n"
	      "History:\n"
	      "  -o FILE.db            (record) the history file to write\n"
	      "      --db PATH         also write every snapshot to this history database\n"
	      "      --retain DUR      delete samples older than DUR (default 7d; off)\n"
	      "      --max-db-size SZ  delete the oldest samples beyond SZ (default 1G; off)\n"
	      "      --downsample T    AGE:STEP[,AGE:STEP]: merge old samples (default\n"
	      "                        1h:1m,1d:10m; off)\n"
	      "      --from FILE.db    print recorded snapshots instead of collecting\n"
	      "      --at TIME         start at TIME: epoch seconds, 'YYYY-MM-DD HH:MM[:SS]',\n"
	      "                        HH:MM[:SS], first, last, -5m (before the last sample)\n"
	      "      --to TIME         stop after TIME\n"
	      "      --step DUR        recorded snapshots at least DUR apart\n"
	      "  -v, --verbose         more diagnostics; twice for libbpf's debug log\n"
	      "  -V, --version         print the version\n"
	      "  -h, --help            this text\n",
	      out);
}

/* Digits with an optional leading '-': strtol() alone also takes " 5", "+5" and "0x10". */
static bool is_decimal(const char *s, bool frac)
{
	bool dot = false, digit = false;

	if (*s == '-')
		s++;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digit = true;
		else if (*s == '.' && frac && !dot)
			dot = true;
		else
			return false;
	}
	return digit;
}

bool cli_list_has_empty(const char *list)
{
	size_t n = strlen(list);

	return !n || list[0] == ',' || list[n - 1] == ',' || strstr(list, ",,");
}

int cli_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!is_decimal(s, false))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int cli_parse_unsigned(const char *s, long min, long max, bool pow2, unsigned *out)
{
	long v;

	if (cli_parse_long(s, min, max, &v) || (pow2 && (v & (v - 1))))
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_pids(struct view_opts *v, const char *list, char *err, size_t errlen)
{
	char tmp[1024], *save = NULL, *tok;

	if (strlen(list) >= sizeof(tmp)) {
		snprintf(err, errlen, "--pid: list too long");
		return -1;
	}
	/* strtok_r() skips empty elements: "1," would pass for "1". */
	if (cli_list_has_empty(list)) {
		snprintf(err, errlen, "--pid: '" CLI_QFMT "' has an empty element", CLI_QARG(list));
		return -1;
	}
	strcpy(tmp, list);
	for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long pid;

		if (cli_parse_long(tok, 1, 0x7fffffff, &pid)) {
			snprintf(err, errlen, "--pid: '" CLI_QFMT "' is not a process id",
				 CLI_QARG(tok));
			return -1;
		}
		if (v->npids == VIEW_MAX_PIDS) {
			snprintf(err, errlen, "--pid: at most %d processes", VIEW_MAX_PIDS);
			return -1;
		}
		v->pids[v->npids++] = (uint32_t)pid;
	}
	if (!v->npids) {
		snprintf(err, errlen, "--pid: empty list");
		return -1;
	}
	return 0;
}

enum { OPT_JSON = 256, OPT_CSV, OPT_BYTES, OPT_FIELDS, OPT_ASC, OPT_NET_SLOTS, OPT_DISK_PROCS,
       OPT_DISK_REQUESTS };
/* connection options */
enum { OPT_CONN_PEERS = 500, OPT_UDP_PEERS };
/* history options */
enum { OPT_FROM = 400, OPT_AT, OPT_TO, OPT_STEP };

static const struct option long_opts[] = {
	{"batch", no_argument, NULL, 'b'},
	{"iterations", required_argument, NULL, 'n'},
	{"sort", required_argument, NULL, 's'},
	{"asc", no_argument, NULL, OPT_ASC},
	{"top", required_argument, NULL, 't'},
	{"pid", required_argument, NULL, 'p'},
	{"threads", no_argument, NULL, 'H'},
	{"active", no_argument, NULL, 'a'},
	{"columns", required_argument, NULL, 'o'},
	{"filter", required_argument, NULL, 'f'},
	{"json", no_argument, NULL, OPT_JSON},
	{"csv", no_argument, NULL, OPT_CSV},
	{"bytes", no_argument, NULL, OPT_BYTES},
	{"fields", no_argument, NULL, OPT_FIELDS},
	{"net-slots", required_argument, NULL, OPT_NET_SLOTS},
	{"disk-procs", required_argument, NULL, OPT_DISK_PROCS},
	{"disk-requests", required_argument, NULL, OPT_DISK_REQUESTS},
	{"connections", no_argument, NULL, 'c'},
	{"conn-peers-max", required_argument, NULL, OPT_CONN_PEERS},
	{"udp-peers", required_argument, NULL, OPT_UDP_PEERS},
	{"from", required_argument, NULL, OPT_FROM},
	{"at", required_argument, NULL, OPT_AT},
	{"to", required_argument, NULL, OPT_TO},
	{"step", required_argument, NULL, OPT_STEP},
	{"version", no_argument, NULL, 'V'},
	CLI_SHARED_LONG_OPTS,
	{NULL, 0, NULL, 0},
};

int cli_parse_shared(struct cli *c, int opt, const char *arg, char *err, size_t errlen)
{
	char *end;

	switch (opt) {
	case 'd':
		/* strtod() also reads hex ("0x10" is 16) and exponents: seconds are decimal. */
		if (!is_decimal(arg, true))
			return -1;
		errno = 0;
		c->interval_s = strtod(arg, &end);
		if (errno || end == arg || *end || !isfinite(c->interval_s) ||
		    c->interval_s < 0.1 || c->interval_s > 3600)
			return -1;
		c->interval_set = true;
		return 0;
	case 'v':
		c->verbose++;
		return 0;
	case 'h':
		c->help = true;
		return 0;
	case CLI_OPT_RINGBUF:
		/* The kernel wants a power of two pages. */
		return cli_parse_unsigned(arg, 4, 1 << 20, true, &c->ringbuf_kb);
	case CLI_OPT_CONN_RINGBUF:
		return cli_parse_unsigned(arg, 4, 1 << 20, true, &c->conn_ringbuf_kb);
	case CLI_OPT_BPF_STATS:
		c->bpf_stats = true;
		return 0;
	case CLI_OPT_RETAIN:
		return store_parse_duration(arg, &c->store.retain_ns) ? -1 : 0;
	case CLI_OPT_MAX_DB:
		return store_parse_size(arg, &c->store.max_bytes) ? -1 : 0;
	case CLI_OPT_DOWNSAMPLE:
		return store_parse_tiers(arg, &c->store) ? -1 : 0;
	default:
		snprintf(err, errlen, "unknown option");
		return CLI_USAGE_EXIT;
	}
}

int cli_getopt_each(struct cli *c, int argc, char **argv, const char *shortopts,
		    const struct option *longopts, const char *who,
		    int (*one)(struct cli *c, int opt, const char *arg, void *ctx, char *err,
			       size_t errlen),
		    void *ctx, char *err, size_t errlen)
{
	int opt, rc;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (opt == '?') {
			if (optopt)
				snprintf(err, errlen, "%sunknown option '-%c'", who, optopt);
			else
				snprintf(err, errlen, "%sunknown option '" CLI_QFMT "'", who,
					 CLI_QARG(argv[optind - 1]));
			return CLI_USAGE_EXIT;
		}
		if (opt == ':') {
			snprintf(err, errlen, "option '" CLI_QFMT "' needs a value",
				 CLI_QARG(argv[optind - 1]));
			return CLI_USAGE_EXIT;
		}
		rc = one(c, opt, optarg, ctx, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

/* The history options of batch mode: 0 when taken, -1 for a bad value, 1 when not one of them. */
static int parse_history(struct cli *c, int opt, const char *arg)
{
	switch (opt) {
	case CLI_OPT_DB:
		c->db_path = arg;
		return 0;
	case OPT_FROM:
		c->from_path = arg;
		return 0;
	case OPT_AT:
		c->has_at = true;
		return store_parse_time(arg, &c->at) ? -1 : 0;
	case OPT_TO:
		c->has_to = true;
		return store_parse_time(arg, &c->to) ? -1 : 0;
	case OPT_STEP:
		return store_parse_duration(arg, &c->step_ns) ? -1 : 0;
	default:
		return 1;
	}
}

/* What a batch-mode option takes, for its "invalid value" message. */
static const struct {
	int opt;
	const char *what;
} takes[] = {
	{CLI_OPT_RINGBUF, "--ringbuf-kb (a power of two, 4 to 1048576)"},
	{OPT_NET_SLOTS, "--net-slots (a power of two, 64 to 1048576)"},
	{OPT_DISK_PROCS, "--disk-procs (16 to 1048576)"},
	{OPT_DISK_REQUESTS, "--disk-requests (64 to 4194304)"},
	{CLI_OPT_CONN_RINGBUF, "--conn-ringbuf-kb (a power of two, 4 to 1048576)"},
	{OPT_CONN_PEERS, "--conn-peers-max (16 to 16777216)"},
	{OPT_UDP_PEERS, "--udp-peers (1 to 4096)"},
	{CLI_OPT_RETAIN, "--retain: a duration such as 7d, 12h or off"},
	{CLI_OPT_MAX_DB, "--max-db-size: a size such as 1G or 500M (at least 4K), or off"},
	{CLI_OPT_DOWNSAMPLE, "--downsample: AGE:STEP[,AGE:STEP] such as 1d:1m,7d:10m (whole "
			     "seconds, each tier older and coarser), or off"},
	{OPT_STEP, "--step: a duration such as 10s or 1m"},
};

static int bad_value(int opt, const char *arg, char *err, size_t errlen)
{
	const char *what = (char[]){'-', (char)opt, '\0'};

	if (opt == OPT_AT || opt == OPT_TO) {
		snprintf(err, errlen,
			 "%s: '" CLI_QFMT "' is not a time (epoch seconds, "
			 "'YYYY-MM-DD HH:MM[:SS]', HH:MM[:SS], first, last or -DURATION)",
			 opt == OPT_AT ? "--at" : "--to", CLI_QARG(arg));
		return CLI_USAGE_EXIT;
	}
	for (size_t i = 0; i < sizeof(takes) / sizeof(takes[0]); i++) {
		if (takes[i].opt == opt)
			what = takes[i].what;
	}
	snprintf(err, errlen, "invalid value '" CLI_QFMT "' for %s", CLI_QARG(arg), what);
	return CLI_USAGE_EXIT;
}

static int parse_one(struct cli *c, int opt, const char *arg, void *asc, char *err, size_t errlen)
{
	long l;
	int rc;

	switch (opt) {
	case 'b':
		/* ebtop replay -b FILE: the recording printed, as with -b --from FILE. */
		if (c->mode != MODE_RECORD)
			c->mode = MODE_BATCH;
		return 0;
	case 'n':
		if (cli_parse_long(arg, 1, 1L << 40, &c->count))
			break;
		return 0;
	case 's':
		c->sort_arg = arg; /* a process or a connection field: known after parsing */
		c->sort_set = true;
		return 0;
	case OPT_ASC:
		*(bool *)asc = true;
		return 0;
	case 't':
		if (cli_parse_long(arg, 1, 1000000, &l))
			break;
		c->view.top = (size_t)l;
		return 0;
	case 'p':
		return parse_pids(&c->view, arg, err, errlen) ? CLI_USAGE_EXIT : 0;
	case 'H':
		c->view.threads = c->render.threads = true;
		return 0;
	case 'a':
		c->view.active = true;
		return 0;
	case 'f':
		c->filter_expr = arg;
		return 0;
	case 'o':
		c->cols_set = true;
		if (c->mode == MODE_RECORD) {
			c->db_path = arg;
			return 0;
		}
		c->cols_arg = arg; /* process or connection fields: known after parsing */
		return 0;
	case 'c':
		c->connections = true;
		return 0;
	case OPT_CONN_PEERS:
		if (cli_parse_unsigned(arg, 16, 1 << 24, false, &c->conn_peers_max))
			break;
		return 0;
	case OPT_UDP_PEERS:
		if (cli_parse_unsigned(arg, 1, 4096, false, &c->udp_peers))
			break;
		return 0;
	case OPT_JSON:
		c->format = FMT_JSON;
		return 0;
	case OPT_CSV:
		c->format = FMT_CSV;
		return 0;
	case OPT_BYTES:
		c->render.raw = true;
		return 0;
	case OPT_FIELDS:
		c->list_fields = true;
		return 0;
	case OPT_NET_SLOTS:
		if (cli_parse_unsigned(arg, 64, 1 << 20, true, &c->net_slots))
			break;
		return 0;
	case OPT_DISK_PROCS:
		if (cli_parse_unsigned(arg, 16, 1 << 20, false, &c->disk_procs))
			break;
		return 0;
	case OPT_DISK_REQUESTS:
		if (cli_parse_unsigned(arg, 64, 1 << 22, false, &c->disk_requests))
			break;
		return 0;
	case 'V':
		c->version = true;
		return 0;
	default:
		rc = parse_history(c, opt, arg);
		if (rc > 0)
			rc = cli_parse_shared(c, opt, arg, err, errlen);
		if (rc >= 0)
			return rc;
	}
	return bad_value(opt, arg, err, errlen);
}

/* Combinations of the history options that make sense. */
static int check_history(struct cli *c, char *err, size_t errlen)
{
	const char *bad = NULL;

	if (c->mode == MODE_RECORD && !c->db_path)
		bad = "record needs the history file: ebtop record -o FILE.db";
	else if (c->from_path && c->mode != MODE_BATCH && c->mode != MODE_REPLAY)
		bad = "--from prints recorded snapshots in batch mode: add -b";
	else if (c->from_path && c->db_path)
		bad = "--from reads a recording; --db writes one: use one of them";
	else if (c->from_path && c->view.threads)
		bad = "recordings hold process rows only: --threads does not apply to --from";
	else if (!c->from_path && (c->has_at || c->has_to || c->step_ns))
		bad = "--at, --to and --step select recorded snapshots: add --from FILE.db";
	else if (c->db_path && c->mode != MODE_BATCH && c->mode != MODE_RECORD)
		bad = "--db needs batch mode (-b) or ebtop record";
	if (bad) {
		snprintf(err, errlen, "%s", bad);
		return CLI_USAGE_EXIT;
	}
	return 0;
}

/* Sort key and columns name connection fields in the connection table, process fields elsewhere. */
static int resolve_fields(struct cli *c, char *err, size_t errlen)
{
	int f;

	if (c->connections) {
		c->view.conn_sort_field = CF_TX_RATE;
		c->view.conn_sort_desc = true;
	}
	if (c->sort_arg) {
		f = c->connections ? conn_field_lookup(c->sort_arg) : field_lookup(c->sort_arg);
		if (f < 0) {
			snprintf(err, errlen,
				 "--sort: unknown %sfield '" CLI_QFMT "' (see --fields)",
				 c->connections ? "connection " : "", CLI_QARG(c->sort_arg));
			return CLI_USAGE_EXIT;
		}
		if (c->connections) {
			c->view.conn_sort_field = f;
			c->view.conn_sort_desc = !(conn_fields[f].flags & FIELD_ASC);
		} else {
			c->view.sort_field = f;
			c->view.sort_desc = !(fields[f].flags & FIELD_ASC);
		}
	}
	if (!c->cols_arg)
		return 0;
	/* The column parser skips empty elements: "pid,,cmd" is a typo, not two columns. */
	if (cli_list_has_empty(c->cols_arg)) {
		snprintf(err, errlen, "--columns: '" CLI_QFMT "' has an empty element",
			 CLI_QARG(c->cols_arg));
		return CLI_USAGE_EXIT;
	}
	if (c->connections)
		return render_parse_conn_cols(&c->render, c->cols_arg, err, errlen) ? CLI_USAGE_EXIT
										     : 0;
	return render_parse_cols(&c->render, c->cols_arg, err, errlen) ? CLI_USAGE_EXIT : 0;
}

/* ebtop events [--json] [-n COUNT] [-v] [--conn-ringbuf-kb KB] */
static int parse_events(struct cli *c, int argc, char **argv, char *err, size_t errlen)
{
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--json")) {
			c->format = FMT_JSON;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			c->verbose++;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			c->help = true;
		} else if ((!strcmp(a, "-n") || !strcmp(a, "--count")) && i + 1 < argc) {
			if (cli_parse_long(argv[++i], 1, 1L << 40, &c->max_events)) {
				snprintf(err, errlen, "events: invalid count '" CLI_QFMT "'",
					 CLI_QARG(argv[i]));
				return CLI_USAGE_EXIT;
			}
		} else if (!strcmp(a, "--conn-ringbuf-kb") && i + 1 < argc) {
			if (cli_parse_unsigned(argv[++i], 4, 1 << 20, true, &c->conn_ringbuf_kb)) {
				snprintf(err, errlen, "events: --conn-ringbuf-kb needs a power of two");
				return CLI_USAGE_EXIT;
			}
		} else {
			snprintf(err, errlen, "events: unexpected argument '" CLI_QFMT "'",
				 CLI_QARG(a));
			return CLI_USAGE_EXIT;
		}
	}
	return 0;
}

unsigned cli_need(const struct cli *c)
{
	unsigned need = NEED_NET | NEED_SCHED | NEED_DISK | c->filter_need; /* header, filter */

	if (c->mode == MODE_EVENTS)
		return NEED_CONN | NEED_EVENTS;
	if (c->connections)
		need |= NEED_CONN;
	/* A recording keeps every field, the connections and the events. */
	if (c->db_path)
		need |= NEED_CONN | NEED_EVENTS;
	/* JSON and CSV carry every field; a table only its columns and sort key. */
	if (c->format != FMT_TABLE || c->db_path) {
		for (int f = 0; f < F_NUM; f++)
			need |= fields[f].need;
	}
	if (!c->connections) {
		for (size_t i = 0; i < c->render.ncols; i++)
			need |= fields[c->render.cols[i]].need;
		need |= fields[c->view.sort_field].need;
	}
	return need;
}

int cli_parse(struct cli *c, int argc, char **argv, char *err, size_t errlen)
{
	bool asc = false, replay = false;
	int rc;

	memset(c, 0, sizeof(*c));
	c->interval_s = 1.0;
	c->ringbuf_kb = 4096;
	c->net_slots = 4096;
	view_opts_default(&c->view);
	render_opts_default(&c->render);
	store_opts_default(&c->store);
	err[0] = '\0';
	if (argc > 1 && !strcmp(argv[1], "serve"))
		return cli_parse_serve(c, argc - 1, argv + 1, err, errlen);
	if (argc > 1 && !strcmp(argv[1], "events")) {
		c->mode = MODE_EVENTS;
		return parse_events(c, argc, argv, err, errlen);
	}
	/* A subcommand comes first; its options follow, as for git. */
	if (argc > 1 && (!strcmp(argv[1], "record") || !strcmp(argv[1], "replay"))) {
		c->mode = !strcmp(argv[1], "record") ? MODE_RECORD : MODE_REPLAY;
		replay = c->mode == MODE_REPLAY;
		argc--;
		argv++;
	}
	rc = cli_getopt_each(c, argc, argv, ":bn:d:s:t:p:Hao:f:cvVh", long_opts, "", parse_one,
			     &asc, err, errlen);
	if (rc)
		return rc;
	c->render.verbose = c->verbose > 0; /* -v: table occupancy in the header */
	if (replay && optind < argc && !c->from_path)
		c->from_path = argv[optind++];
	if (replay && !c->from_path) {
		snprintf(err, errlen, "replay needs a history file: ebtop replay FILE.db");
		return CLI_USAGE_EXIT;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '" CLI_QFMT "'", CLI_QARG(argv[optind]));
		return CLI_USAGE_EXIT;
	}
	rc = resolve_fields(c, err, errlen);
	if (rc)
		return rc;
	if (asc) {
		c->view.sort_desc = false;
		c->view.conn_sort_desc = false;
		c->sort_set = true;
	}
	if (c->format != FMT_TABLE && c->mode != MODE_BATCH && c->mode != MODE_REPLAY) {
		snprintf(err, errlen, "--json and --csv need batch mode (-b)");
		return CLI_USAGE_EXIT;
	}
	return check_history(c, err, errlen);
}
