// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ebtop: command line, mode dispatch and the batch sampling loop. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "collect/collector.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "model/feed.h"
#include "model/model.h"
#include "model/sink.h"
#include "model/view.h"
#include "model/rowfilter.h"
#include "output/render.h"
#include "sampler.h"
#include "serve/serve.h"
#include "tui/tui.h"
#include "store/replay.h"
#include "store/store.h"

#ifndef EBTOP_VERSION
#define EBTOP_VERSION "0.1.0"
#endif

#define OUTPUT_MAX (64u << 20) /* one interval's text, bounded */

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: the interval sleep wakes up */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A hangup (closed terminal, daemon reload) stops as cleanly: the WAL is folded in. */
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void list_fields(void)
{
	printf("%-14s %-8s %s\n", "FIELD", "COLUMN", "DESCRIPTION");
	for (int f = 0; f < F_NUM; f++)
		printf("%-14s %-8s %s\n", fields[f].name, fields[f].title, fields[f].help);
}

/* ebtop -b --connections: the connection table instead of the process table. */
static int render_connections(struct buf *out, const struct cli *c, const struct snapshot *s)
{
	const struct conn **conns;
	long n = view_select_conns(s, &c->view, &conns);
	int err;

	if (n < 0)
		return (int)n;
	if (c->format == FMT_JSON) {
		err = render_conn_json(out, s, conns, (size_t)n, &c->render);
	} else {
		err = render_header(out, s, &c->render);
		if (!err)
			err = render_conn_table(out, s, conns, (size_t)n, &c->render);
		if (!err)
			err = buf_puts(out, "\n");
	}
	free(conns);
	return err;
}

static int render(struct buf *out, const struct cli *c, const struct snapshot *s, bool first)
{
	const struct row **rows;
	long n;
	int err;

	if (c->connections && c->format != FMT_CSV)
		return render_connections(out, c, s);
	n = view_select(s, &c->view, &rows);

	if (n < 0)
		return (int)n;
	switch (c->format) {
	case FMT_JSON:
		err = render_json(out, s, rows, (size_t)n, &c->render);
		break;
	case FMT_CSV:
		err = render_csv(out, s, rows, (size_t)n, &c->render, first);
		break;
	default:
		err = render_header(out, s, &c->render);
		if (!err)
			err = render_table(out, s, rows, (size_t)n, &c->render);
		if (!err)
			err = buf_puts(out, "\n");
		break;
	}
	free(rows);
	return err;
}

static int write_all(const struct buf *b)
{
	size_t off = 0;

	while (off < b->len) {
		ssize_t n = write(STDOUT_FILENO, b->p + off, b->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	return 0;
}

/*
 * Writes what out holds to stdout, unless err (from building it) is set.
 * Returns 0, 1 when the reader went away (e.g. | head: a clean stop), or -1
 * after printing that writing what failed.
 */
static int flush_out(const struct buf *out, int err, const char *what)
{
	if (!err)
		err = write_all(out);
	if (err == -EPIPE)
		return 1;
	if (err) {
		fprintf(stderr, "ebtop: writing %s failed: %s\n", what, strerror(-err));
		return -1;
	}
	return 0;
}

static int start_history(const struct cli *c, uint64_t step, struct store_writer **out)
{
	struct store_opts so = c->store;
	char msg[512];

	so.interval_ns = step;
	if (store_writer_start(out, c->db_path, &so, msg, sizeof(msg))) {
		fprintf(stderr, "ebtop: history: %s\n", msg);
		return -1;
	}
	return 0;
}

/* The collector's options from the command line; need: the NEED_* bits to collect. */
static struct collect_opts collect_opts_from(const struct cli *c, unsigned need)
{
	struct collect_opts co = {
		.need = need,
		.ringbuf_kb = c->ringbuf_kb,
		.net_slots = c->net_slots,
		.disk_procs = c->disk_procs,
		.disk_inflight = c->disk_requests,
		.conn_peers_max = c->conn_peers_max,
		.udp_peers = c->udp_peers,
		.conn_ringbuf_kb = c->conn_ringbuf_kb,
		.bpf_stats = c->bpf_stats,
		.verbose = c->verbose > 0,
	};

	return co;
}

/*
 * Opens the collector; on failure prints why and returns nonzero. With warn,
 * also prints what is unavailable (the rest runs).
 */
static int open_collector(struct collector **col, const struct collect_opts *co, bool warn)
{
	char msg[512];
	int err = collector_open(col, co, msg, sizeof(msg));

	if (err) {
		fprintf(stderr, "ebtop: %s\n", msg[0] ? msg : strerror(-err));
		return -1;
	}
	if (warn && msg[0])
		fprintf(stderr, "ebtop: %s\n", msg); /* what is unavailable; the rest runs */
	return 0;
}

/* Live collection: the collector, the model over it and the interval's deadline. */
struct live {
	struct collector *col;
	struct model *model;
	uint64_t step; /* the interval, ns */
	uint64_t next; /* the next sample's CLOCK_MONOTONIC deadline */
};

/* Opens the collector and its model (see open_collector); nonzero after printing why not. */
static int live_open(struct live *lv, const struct cli *c, const struct collect_opts *co, bool warn)
{
	memset(lv, 0, sizeof(*lv));
	if (open_collector(&lv->col, co, warn))
		return -1;
	lv->model = model_new(collector_start_ns(lv->col), collector_proc_info, lv->col);
	if (!lv->model) {
		fprintf(stderr, "ebtop: out of memory\n");
		collector_close(lv->col);
		lv->col = NULL;
		return -1;
	}
	lv->step = (uint64_t)(c->interval_s * 1e9);
	lv->next = collector_start_ns(lv->col);
	return 0;
}

static void live_close(struct live *lv)
{
	model_free(lv->model);
	collector_close(lv->col);
}

/* Sleeps until the next interval; false once a signal asks to stop. */
static bool live_wait(struct live *lv)
{
	lv->next += lv->step;
	while (!stop_requested && clock_sleep_until(lv->next))
		;
	return !stop_requested;
}

/*
 * Reads the collector into the interval's snapshot. Returns 0 with *snap,
 * -EIO after printing that the maps could not be read, or -ENOMEM (not
 * printed: the caller decides) when no snapshot could be built.
 */
static int live_sample(struct live *lv, struct snapshot **snap)
{
	struct sample smp;
	int err = collector_sample(lv->col, &smp);

	if (err) {
		fprintf(stderr, "ebtop: reading the BPF maps failed: %s\n", strerror(-err));
		return -EIO;
	}
	*snap = model_update(lv->model, &smp);
	return *snap ? 0 : -ENOMEM;
}

/* live_sample() for batch output and recording, where running out of memory ends the run. */
static int batch_sample(struct live *lv, struct snapshot **snap)
{
	int err = live_sample(lv, snap);

	if (err == -ENOMEM)
		fprintf(stderr, "ebtop: out of memory building a snapshot\n");
	return err;
}

static int record_last(struct live *lv, struct store_writer *hist)
{
	struct snapshot *snap;

	if (batch_sample(lv, &snap))
		return -1;
	store_writer_push(hist, snap);
	snapshot_put(snap);
	return 0;
}

static int run_batch(const struct cli *c)
{
	/* What the output reads; each is switched off where its hooks are missing. */
	struct collect_opts co = collect_opts_from(c, cli_need(c));
	struct store_writer *hist = NULL;
	struct live lv;
	struct buf out;
	int err, rc = 1;

	if (live_open(&lv, c, &co, true))
		return 1;
	buf_init(&out, OUTPUT_MAX);
	if (c->db_path && start_history(c, lv.step, &hist))
		goto cleanup;
	for (long i = 0; (!c->count || i < c->count) && live_wait(&lv); i++) {
		struct snapshot *snap;

		if (batch_sample(&lv, &snap))
			goto cleanup;
		if (hist)
			store_writer_push(hist, snap);
		if (c->mode == MODE_RECORD) {
			snapshot_put(snap);
			continue;
		}
		buf_reset(&out);
		err = render(&out, c, snap, i == 0);
		snapshot_put(snap);
		if (err) {
			fprintf(stderr, "ebtop: output too large or out of memory (%s)\n",
				strerror(-err));
			goto cleanup;
		}
		err = flush_out(&out, 0, "output");
		if (err > 0)
			break;
		if (err)
			goto cleanup;
	}
	/* Stopped by a signal while recording: the partial interval is data too. */
	if (hist && stop_requested && record_last(&lv, hist))
		goto cleanup;
	rc = 0;
cleanup:
	if (store_writer_stop(hist))
		rc = 1;
	live_close(&lv);
	buf_free(&out);
	return rc;
}

/*
 * The sampling loop of the long-running modes: one snapshot per interval,
 * handed to every sink in turn, until SIGINT/SIGTERM/SIGHUP. Returns 0 on a clean stop.
 */
static int sample_loop(const struct cli *c, unsigned need, struct snapshot_sink *sinks,
		       size_t nsinks)
{
	struct collect_opts co = collect_opts_from(c, need);
	struct live lv;
	int err, rc = 1;

	if (live_open(&lv, c, &co, true))
		goto cleanup;
	while (live_wait(&lv)) {
		struct sink_info info;
		struct snapshot *snap;
		uint64_t t0 = clock_mono_ns();

		err = live_sample(&lv, &snap);
		if (err == -ENOMEM) {
			log_warn("out of memory building a snapshot; skipping this interval\n");
			continue;
		}
		if (err)
			goto cleanup;
		info.collect_s = (double)(clock_mono_ns() - t0) / 1e9;
		for (size_t i = 0; i < nsinks; i++) {
			if (sinks[i].consume && (err = sinks[i].consume(sinks[i].ctx, snap, &info)))
				log_warn("%s: %s\n", sinks[i].name, strerror(err < 0 ? -err : err));
		}
		snapshot_put(snap);
		/* Past deadlines (a slow interval, a suspended machine) are skipped, not replayed. */
		if (clock_mono_ns() > lv.next + lv.step)
			lv.next = clock_mono_ns();
	}
	rc = 0;
cleanup:
	for (size_t i = 0; i < nsinks; i++) {
		if (sinks[i].close)
			sinks[i].close(sinks[i].ctx);
	}
	live_close(&lv);
	return rc;
}

static int serve_consume(void *ctx, struct snapshot *snap, const struct sink_info *info)
{
	return serve_publish(ctx, snap, info->collect_s);
}

/* The history writer queues and never blocks: a locked or full database only delays writes. */
static int history_consume(void *ctx, struct snapshot *snap, const struct sink_info *info)
{
	(void)info;
	store_writer_push(ctx, snap);
	return 0;
}

static void history_close(void *ctx)
{
	if (store_writer_stop(ctx))
		log_warn("history: some snapshots could not be written (see above)\n");
}

/* Every collector some field needs: the interactive view can show any column, serve exports all. */
static unsigned all_needs(void)
{
	unsigned need = 0;

	for (int f = 0; f < F_NUM; f++)
		need |= fields[f].need;
	return need;
}

static int run_serve(const struct cli *c)
{
	struct serve_opts so = c->serve;
	struct snapshot_sink sinks[4];
	struct serve *sv = NULL;
	struct store_writer *hist = NULL;
	size_t n = 0;
	char msg[512];
	int err, rc;

	so.version = EBTOP_VERSION;
	so.interval_s = c->interval_s;
	if (c->db_path && start_history(c, (uint64_t)(c->interval_s * 1e9), &hist)) {
		if (so.db_given)
			return 1;
		fprintf(stderr, "ebtop: serving without history (give --db PATH, or --db off)\n");
		hist = NULL;
	}
	so.history_path = hist ? c->db_path : NULL;
	err = serve_open(&sv, &so, msg, sizeof(msg));
	if (err) {
		fprintf(stderr, "ebtop: %s\n", msg[0] ? msg : strerror(-err));
		history_close(hist);
		return 1;
	}
	log_info("serving on %s\n", serve_url(sv));
	sinks[n++] = (struct snapshot_sink){"metrics and API", serve_consume, NULL, sv};
	if (hist)
		sinks[n++] = (struct snapshot_sink){"history", history_consume, history_close, hist};
	/* /metrics and the API expose every field, connections and events: every collector. */
	rc = sample_loop(c, all_needs() | NEED_CONN | NEED_EVENTS, sinks, n);
	serve_close(sv);
	return rc;
}

/*
 * The interactive view on feed, with its options from the command line;
 * replay: a recording to step through (NULL: live). Prints why it failed.
 */
static int show_tui(const struct cli *c, struct feed *feed, const struct snap_source *replay)
{
	struct tui_opts to = {
		.interval_s = c->interval_s,
		.interval_set = c->interval_set,
		.sort_field = c->view.sort_field,
		.sort_desc = c->view.sort_desc,
		.sort_set = c->sort_set,
		.cols = c->cols_set ? c->render.cols : NULL,
		.ncols = c->cols_set ? c->render.ncols : 0,
		.raw = c->render.raw,
		.threads = c->view.threads,
		.pids = c->view.pids,
		.npids = c->view.npids,
		.replay = replay,
	};
	char msg[512];
	int rc = tui_run(feed, &to, msg, sizeof(msg));

	if (rc)
		fprintf(stderr, "ebtop: %s\n", msg);
	return rc;
}

/* The interactive view: collection on its own thread, the screen on this one. */
static int run_tui(const struct cli *c)
{
	struct collect_opts co = collect_opts_from(c, all_needs());
	struct live lv;
	struct sampler *smp = NULL;
	struct feed *feed = NULL;
	int err, rc = 1;

	/* Fail before the screen changes, so the reason stays readable. */
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "ebtop: the interactive view needs a terminal; use -b for batch "
				"output\n");
		return 1;
	}
	/* The status line shows what is unavailable. */
	if (live_open(&lv, c, &co, false))
		return 1;
	feed = feed_new(c->interval_s);
	if (!feed) {
		fprintf(stderr, "ebtop: out of memory\n");
		goto cleanup;
	}
	err = sampler_start(&smp, lv.col, lv.model, feed, 250 * NSEC_PER_MSEC);
	if (err) {
		fprintf(stderr, "ebtop: cannot start the collecting thread: %s\n", strerror(-err));
		goto cleanup;
	}
	rc = show_tui(c, feed, NULL);
cleanup:
	sampler_stop(smp);
	feed_free(feed);
	live_close(&lv);
	return rc;
}

/* Times given in seconds carry ~0.1 us of rounding: compare to the microsecond. */
#define AT_SLACK_NS 1000

/* Index range [*first, *last] of the recording that --at and --to select; -1 when empty. */
static int select_range(const struct cli *c, const struct replay *rp, long *first, long *last)
{
	size_t n = replay_count(rp);
	uint64_t t0 = replay_time(rp, 0), t1 = replay_time(rp, n - 1), at, to;

	*first = 0;
	*last = (long)n - 1;
	if (c->has_at) {
		at = store_time_resolve(&c->at, t0, t1) + AT_SLACK_NS;
		if (at < t0) {
			fprintf(stderr, "ebtop: no snapshot at or before --at: the recording begins at "
					"%.3f\n", (double)t0 / 1e9);
			return -1;
		}
		*first = replay_find(rp, at);
	}
	if (c->has_to) {
		to = store_time_resolve(&c->to, t0, t1) + AT_SLACK_NS;
		*last = to < t0 ? -1 : replay_find(rp, to);
	}
	return 0;
}

/*
 * Opens the recording and finds the range --at and --to select; nonzero after
 * printing why not (*rp is then closed).
 */
static int open_recording(const struct cli *c, struct replay **rp, long *first, long *last)
{
	char msg[512];

	*rp = NULL;
	if (replay_open(rp, c->from_path, msg, sizeof(msg))) {
		fprintf(stderr, "ebtop: %s\n", msg);
		return -1;
	}
	if (!replay_count(*rp))
		fprintf(stderr, "ebtop: %s holds no snapshots\n", c->from_path);
	else if (!select_range(c, *rp, first, last))
		return 0;
	replay_close(*rp);
	*rp = NULL;
	return -1;
}

static int run_from(const struct cli *c)
{
	struct replay *rp;
	uint64_t next_t = 0;
	long first, last, count = c->count, shown = 0;
	struct buf out;
	int err, rc = 1;

	if (open_recording(c, &rp, &first, &last))
		return 1;
	buf_init(&out, OUTPUT_MAX);
	/* --at alone asks for the snapshot at that time. */
	if (!count && c->has_at && !c->has_to && !c->step_ns)
		count = 1;
	for (long i = first; i <= last && (!count || shown < count) && !stop_requested; i++) {
		struct snapshot *snap;

		if (c->step_ns && shown && replay_time(rp, (size_t)i) < next_t)
			continue;
		snap = replay_load(rp, (size_t)i, &err);
		if (!snap) {
			fprintf(stderr, "ebtop: %s: %s\n", c->from_path, replay_errmsg(rp));
			goto cleanup;
		}
		next_t = snap->wall_ns + c->step_ns;
		buf_reset(&out);
		err = render(&out, c, snap, shown == 0);
		snapshot_put(snap);
		err = flush_out(&out, err, "output");
		if (err > 0)
			break;
		if (err)
			goto cleanup;
		shown++;
	}
	rc = 0;
cleanup:
	replay_close(rp);
	buf_free(&out);
	return rc;
}

/* ebtop replay FILE: the interactive view on a recording; printed when there is no terminal. */
static int run_replay(const struct cli *c)
{
	struct snap_source src;
	struct replay *rp;
	struct feed *feed = NULL;
	struct snapshot *first;
	long start = 0, last;
	char msg[512];
	int rc = 1;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return run_from(c);
	if (open_recording(c, &rp, &start, &last))
		return 1;
	feed = feed_new(c->interval_s);
	if (!feed) {
		fprintf(stderr, "ebtop: out of memory\n");
		goto cleanup;
	}
	replay_source(rp, (size_t)start, &src);
	first = replay_source_current(rp, msg, sizeof(msg));
	if (!first) {
		fprintf(stderr, "ebtop: %s: %s\n", c->from_path, msg);
		goto cleanup;
	}
	feed_publish(feed, first);
	snapshot_put(first);
	rc = show_tui(c, feed, &src);
cleanup:
	feed_free(feed);
	replay_close(rp);
	return rc;
}

/* What the kernel lost or skipped since the last call, if anything. */
struct lost_report {
	uint64_t lost;	 /* ring buffer full */
	uint64_t missed; /* program runs skipped: nested on the same CPU */
};

static int report_lost(struct buf *out, struct collector *col, struct lost_report *r, bool json)
{
	uint64_t errors[EBTOP_NERR], missed = collector_prog_misses(col);
	uint64_t dl, dm;

	collector_errors(col, errors);
	dl = errors[EBTOP_ERR_EVENTS] > r->lost ? errors[EBTOP_ERR_EVENTS] - r->lost : 0;
	dm = missed > r->missed ? missed - r->missed : 0;
	if (!dl && !dm)
		return 0;
	r->lost += dl;
	r->missed += dm;
	return render_events_lost(out, dl, dm, json);
}

/* ebtop events: connect/accept/close/exec events as they arrive, until interrupted or -n. */
static int run_events(const struct cli *c)
{
	struct collect_opts co = collect_opts_from(c, cli_need(c));
	bool json = c->format == FMT_JSON;
	struct collector *col = NULL;
	struct lost_report lost = {0};
	long printed = 0;
	struct buf out;
	int err, rc = 1;

	/* What is unavailable is printed below, once events are known to run. */
	if (open_collector(&col, &co, false))
		return 1;
	buf_init(&out, OUTPUT_MAX);
	if (!(collector_avail(col) & NEED_EVENTS)) {
		fprintf(stderr, "ebtop: events unavailable: %s\n", collector_status(col));
		goto cleanup;
	}
	if (collector_status(col)[0])
		fprintf(stderr, "ebtop: %s\n", collector_status(col));
	if (!json && (err = render_event_header(&out)) == 0)
		err = write_all(&out);
	for (bool last = false; !last && (!c->max_events || printed < c->max_events);) {
		const struct event *ev;
		size_t n;

		/* Once asked to stop: one more pass for what is already in the ring. */
		last = stop_requested;
		err = collector_poll_events(col, last ? 0 : 200, &ev, &n);
		if (err) {
			fprintf(stderr, "ebtop: reading events failed: %s\n", strerror(-err));
			goto cleanup;
		}
		buf_reset(&out);
		for (size_t i = 0; !err && i < n && (!c->max_events || printed < c->max_events); i++) {
			err = render_event(&out, &ev[i], json);
			printed++;
		}
		if (!err)
			err = report_lost(&out, col, &lost, json);
		err = flush_out(&out, err, "events");
		if (err > 0)
			break;
		if (err)
			goto cleanup;
	}
	rc = 0;
cleanup:
	collector_close(col);
	buf_free(&out);
	return rc;
}

/* The usage text of the mode the command line names. */
static void usage(const struct cli *c, FILE *out)
{
	if (c->mode == MODE_SERVE)
		cli_serve_usage(out);
	else
		cli_usage(out);
}

int main(int argc, char **argv)
{
	struct row_filter *filter = NULL;
	struct cli cli;
	char err[256];
	int rc;

	if (cli_parse(&cli, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "ebtop: %s\n", err);
		usage(&cli, stderr);
		return CLI_USAGE_EXIT;
	}
	if (cli.help) {
		usage(&cli, stdout);
		return 0;
	}
	if (cli.version) {
		printf("ebtop %s\n", EBTOP_VERSION);
		return 0;
	}
	if (cli.list_fields) {
		list_fields();
		return 0;
	}
	if (cli.filter_expr) {
		char ferr[1024];

		filter = row_filter_new(cli.filter_expr, ferr, sizeof(ferr));
		if (!filter) {
			fprintf(stderr, "ebtop: %s: %s%s",
				cli.mode == MODE_SERVE ? "--metrics-filter" : "--filter", ferr,
				ferr[0] && ferr[strlen(ferr) - 1] == '\n' ? "" : "\n");
			return CLI_USAGE_EXIT;
		}
		cli.view.match = row_filter_view_match;
		cli.view.match_ctx = filter;
		cli.view.conn_match = row_filter_view_match_conn; /* --connections */
		cli.view.conn_match_ctx = filter;
		cli.filter_need = row_filter_needs(filter);
		cli.serve.prom.match = row_filter_view_match; /* serve --metrics-filter */
		cli.serve.prom.match_ctx = filter;
		cli.serve.prom.match_conn = row_filter_view_match_conn;
		cli.serve.prom.match_conn_ctx = filter;
	}
	log_set_level(cli.verbose >= 2 ? LOG_DEBUG : cli.verbose ? LOG_INFO : LOG_WARN);
	install_signals();
	if (cli.mode == MODE_SERVE)
		rc = run_serve(&cli);
	else if (cli.mode == MODE_EVENTS)
		rc = run_events(&cli);
	else if (cli.mode == MODE_REPLAY)
		rc = run_replay(&cli);
	else if (cli.from_path)
		rc = run_from(&cli);
	else if (cli.mode != MODE_BATCH && cli.mode != MODE_RECORD)
		rc = run_tui(&cli);
	else
		rc = run_batch(&cli);
	row_filter_free(filter);
	return rc;
}
