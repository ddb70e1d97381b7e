/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Command-line options of every ebtop mode. */
#ifndef EBTOP_CLI_H
#define EBTOP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "model/view.h"
#include "output/render.h"
#include "serve/serve.h"
#include "store/store.h"

enum cli_mode {
	MODE_TUI,
	MODE_BATCH,
	MODE_SERVE,
	MODE_RECORD, /* ebtop record -o FILE.db: write snapshots, print nothing */
	MODE_REPLAY, /* ebtop replay FILE.db */
	MODE_EVENTS, /* ebtop events: connect/accept/close/exec as they happen */
};
enum cli_format { FMT_TABLE, FMT_JSON, FMT_CSV };

struct cli {
	enum cli_mode mode;
	enum cli_format format;
	long count;        /* intervals to print; 0: until interrupted */
	double interval_s; /* -d */
	int verbose;
	bool bpf_stats;
	unsigned ringbuf_kb;
	unsigned net_slots;
	unsigned disk_procs;    /* processes with block-latency histograms at once */
	unsigned disk_requests; /* block requests timed at once */
	bool help;
	bool version;
	bool list_fields;
	const char *filter_expr; /* -f: compiled by main, see model/rowfilter.h */
	unsigned filter_need;    /* NEED_* bits of the fields it reads */
	struct view_opts view;
	struct render_opts render;
	struct serve_opts serve; /* ebtop serve */
	/* Given on the command line (the interactive view keeps its saved settings otherwise). */
	bool interval_set, sort_set, cols_set;
	/* history (src/store) */
	const char *db_path;   /* record -o / --db: also write every snapshot there */
	const char *from_path; /* -b --from / replay FILE: recorded snapshots instead of live */
	struct store_time at;  /* --at: the first recorded snapshot shown */
	struct store_time to;  /* --to: the last */
	bool has_at;
	bool has_to;
	uint64_t step_ns;        /* --step: at least this far apart */
	struct store_opts store; /* --retain, --max-db-size, --downsample */
	/* connections */
	bool connections;	  /* --connections: the connection table instead of processes */
	unsigned conn_peers_max;  /* --conn-peers-max */
	unsigned udp_peers;	  /* --udp-peers */
	unsigned conn_ringbuf_kb; /* --conn-ringbuf-kb */
	long max_events;	  /* ebtop events -n: stop after this many (0: never) */
	const char *sort_arg;	  /* resolved after parsing: process or connection field */
	const char *cols_arg;
};

#define CLI_USAGE_EXIT 2

/*
 * Parses argv into c. Returns 0, or CLI_USAGE_EXIT with a one-line reason in
 * err (the caller prints it with the usage text).
 */
int cli_parse(struct cli *c, int argc, char **argv, char *err, size_t errlen);
void cli_usage(FILE *out);
/* A whole decimal number within [min, max]; -1 otherwise. */
int cli_parse_long(const char *s, long min, long max, long *out);
/* `ebtop serve [OPTIONS]`: argv[0] is "serve". Same contract as cli_parse(). */
int cli_parse_serve(struct cli *c, int argc, char **argv, char *err, size_t errlen);
void cli_serve_usage(FILE *out);
/* The NEED_* bits the chosen output reads (columns, sort key, JSON/CSV, connections). */
unsigned cli_need(const struct cli *c);

#endif
