/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Option parsing shared by the batch and serve command lines (not for other modules). */
#ifndef EBTOP_CLI_INT_H
#define EBTOP_CLI_INT_H

#include <getopt.h>
#include <string.h>
#include "cli.h"

/* getopt codes of the long options both command lines take. */
enum {
	CLI_OPT_BPF_STATS = 600,
	CLI_OPT_RINGBUF,
	CLI_OPT_CONN_RINGBUF,
	CLI_OPT_DB,
	CLI_OPT_RETAIN,
	CLI_OPT_MAX_DB,
	CLI_OPT_DOWNSAMPLE,
};

/* Their entries of a long-option table (--db means a little more to serve: "off"). */
#define CLI_SHARED_LONG_OPTS                                                                       \
	{"delay", required_argument, NULL, 'd'},                                                   \
	{"bpf-stats", no_argument, NULL, CLI_OPT_BPF_STATS},                                       \
	{"ringbuf-kb", required_argument, NULL, CLI_OPT_RINGBUF},                                  \
	{"conn-ringbuf-kb", required_argument, NULL, CLI_OPT_CONN_RINGBUF},                        \
	{"db", required_argument, NULL, CLI_OPT_DB},                                               \
	{"retain", required_argument, NULL, CLI_OPT_RETAIN},                                       \
	{"max-db-size", required_argument, NULL, CLI_OPT_MAX_DB},                                  \
	{"downsample", required_argument, NULL, CLI_OPT_DOWNSAMPLE},                               \
	{"verbose", no_argument, NULL, 'v'},                                                       \
	{"help", no_argument, NULL, 'h'}

/*
 * Error messages quote at most this much of an argument: a 100 KB value
 * echoed back buries the message. Use as "'" CLI_QFMT "'", CLI_QARG(s).
 */
#define CLI_QUOTE_MAX 64
#define CLI_QFMT      "%.*s%s"
#define CLI_QARG(s)   CLI_QUOTE_MAX, (s), strlen(s) > CLI_QUOTE_MAX ? "..." : ""

/* A comma-separated list with an empty element ("1,", ",a", "a,,b"), or empty itself. */
bool cli_list_has_empty(const char *list);

/* A whole decimal number within [min, max], and a power of two when pow2; -1 otherwise. */
int cli_parse_unsigned(const char *s, long min, long max, bool pow2, unsigned *out);

/*
 * The options both command lines parse alike: -d, -v, -h, --bpf-stats,
 * --ringbuf-kb, --conn-ringbuf-kb, --retain, --max-db-size, --downsample.
 * Returns 0 when taken, -1 for a bad value (each command line words that
 * error), or CLI_USAGE_EXIT with "unknown option" in err for any other opt.
 */
int cli_parse_shared(struct cli *c, int opt, const char *arg, char *err, size_t errlen);

/*
 * Runs getopt_long() over argv and hands every option to one(); who prefixes
 * the unknown-option message ("serve: "). Returns 0 with optind at the first
 * operand, or CLI_USAGE_EXIT (or what one() returned) with err set.
 */
int cli_getopt_each(struct cli *c, int argc, char **argv, const char *shortopts,
		    const struct option *longopts, const char *who,
		    int (*one)(struct cli *c, int opt, const char *arg, void *ctx, char *err,
			       size_t errlen),
		    void *ctx, char *err, size_t errlen);

#endif
