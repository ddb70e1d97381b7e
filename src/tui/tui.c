// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The interactive view's state and event loop: snapshots and keys, never waiting on the collector.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/clock.h"
#include "tui/tui_int.h"

bool tui_offered(const struct tui *t, int f)
{
	unsigned avail = t->snap ? t->snap->avail : 0;

	return (avail & fields[f].need) == fields[f].need;
}

int tui_shown_field(const struct tui *t, int f)
{
	return t->set.cumulative ? t->cum_of[f] : f;
}

void tui_message(struct tui *t, bool alert, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	t->msg_alert = alert;
	t->msg_until = clock_mono_ns() + 4 * NSEC_PER_SEC;
}

void tui_select(struct tui *t, long i)
{
	if (i >= t->nlines)
		i = t->nlines - 1;
	if (i < 0)
		i = 0;
	t->sel = i;
	t->have_sel = t->nlines > 0;
	if (t->have_sel)
		t->sel_key = tui_key_of(t->lines[i].r);
}

void tui_select_center(struct tui *t, long i)
{
	tui_select(t, i);
	if (t->sel < t->top || t->sel >= t->top + t->list_h)
		t->top = t->sel > t->list_h / 2 ? t->sel - t->list_h / 2 : 0;
}

const struct row *tui_selected(const struct tui *t)
{
	return t->have_sel && t->sel < t->nlines ? t->lines[t->sel].r : NULL;
}

const struct row *tui_find_row(const struct tui *t, struct tui_key key)
{
	const struct snapshot *s = t->snap;
	size_t lo = 0, hi = s ? s->nprocs : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct tui_key k = tui_key_of(&s->procs[mid]);
		int c = tui_key_cmp(&k, &key);

		if (c == 0)
			return &s->procs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The columns to show now: configured, collected, in rate or cumulative form. */
static void pick_columns(struct tui *t)
{
	t->ncols = 0;
	for (int i = 0; i < t->set.ncols; i++) {
		int f = t->set.cols[i];

		if (!tui_offered(t, f))
			continue;
		f = tui_shown_field(t, f);
		t->cols[t->ncols].field = f;
		t->cols[t->ncols].width = tui_col_width(f);
		t->ncols++;
	}
	if (!t->ncols) {
		t->cols[0] = (struct tui_col){F_PID, tui_col_width(F_PID)};
		t->cols[1] = (struct tui_col){F_CMD, 0};
		t->ncols = 2;
	}
}

void tui_rebuild(struct tui *t)
{
	struct tui_list_opts o = {
	    .sort_field = tui_shown_field(t, t->set.sort_field),
	    .desc = t->set.sort_desc,
	    .then_field = t->then_field,
	    .tree = t->set.tree,
	    .threads = t->set.threads,
	    .hide_kthreads = t->set.hide_kthreads,
	    .pids = t->pids,
	    .npids = t->npids,
	    .match = t->match.text[0] ? tui_match_row : NULL,
	    .match_ctx = &t->match,
	    .folded = t->folded,
	    .nfolded = t->nfolded,
	};
	struct tui_line *lines = NULL;
	long n, at;

	pick_columns(t);
	if (!t->snap)
		return;
	n = tui_list_build(t->snap, &o, &lines);
	if (n < 0) {
		tui_message(t, true, "out of memory building the process list");
		return;
	}
	free(t->lines);
	t->lines = lines;
	t->nlines = n;
	/* The selection follows its process wherever the sort moves it. */
	at = t->have_sel ? tui_list_find_key(lines, n, t->sel_key) : -1;
	tui_select(t, at >= 0 ? at : t->sel);
}

void tui_resorted(struct tui *t)
{
	tui_rebuild(t);
	t->top = 0;
	tui_select(t, 0);
}

bool tui_apply_filter(struct tui *t, const char *text)
{
	if (!tui_match_set(&t->match, text))
		return false;
	tui_rebuild(t);
	return true;
}

void tui_set_interval(struct tui *t, double s)
{
	if (s < 0.1)
		s = 0.1;
	if (s > 3600)
		s = 3600;
	t->set.interval_s = s;
	feed_set_interval(t->feed, s);
}

/*
 * The kernel's own timing of our programs (bpf_stats) over the interval, as a
 * share of one CPU: one number instead of a line of per-program costs.
 */
static void bpf_cost(struct tui *t, const struct snapshot *s)
{
	uint64_t ns = 0;
	bool timed = false;

	for (int i = 0; i < s->nprogs; i++) {
		const struct prog_cost *p = &s->progs[i];

		for (int j = 0; j < t->nprog_prev; j++) {
			if (strcmp(t->prog_prev[j].name, p->name) ||
			    p->run_time_ns < t->prog_prev[j].run_time_ns)
				continue;
			ns += p->run_time_ns - t->prog_prev[j].run_time_ns;
			timed |= p->run_time_ns > 0;
		}
	}
	t->bpf_pct = timed && s->interval_ns ? 100.0 * (double)ns / (double)s->interval_ns : NAN;
	t->nprog_prev = s->nprogs;
	memcpy(t->prog_prev, s->progs, sizeof(s->progs[0]) * (size_t)s->nprogs);
}

void tui_on_feed(struct tui *t)
{
	struct snapshot *s;

	feed_drain(t->feed);
	feed_error(t->feed, t->feed_err, sizeof(t->feed_err));
	s = feed_latest(t->feed);
	if (!s)
		return;
	/* A wake-up without a new snapshot (or while paused) must not record one twice. */
	if (t->hist.count && s->seq == t->last_seq && s->mono_ns == t->last_mono_ns) {
		snapshot_put(s);
		return;
	}
	t->last_seq = s->seq;
	t->last_mono_ns = s->mono_ns;
	/* History keeps recording while paused, so the graphs have no hole afterwards. */
	if (hist_update(&t->hist, s))
		tui_message(t, true, "out of memory recording history");
	bpf_cost(t, s);
	for (int i = 0; i < EBTOP_NERR; i++) {
		t->err_delta[i] = s->errors[i] > t->err_prev[i] ? s->errors[i] - t->err_prev[i] : 0;
		t->err_prev[i] = s->errors[i];
	}
	if (t->paused && t->snap) {
		snapshot_put(s);
		return;
	}
	snapshot_put(t->snap);
	t->snap = s;
	tui_rebuild(t);
}

/* The cumulative twin of a rate: "tx" -> "tx_total", or a name from this list. */
static void find_twins(struct tui *t)
{
	static const char *const named[][2] = {
	    {"cpu", "oncpu"},
	    {"runq", "runq_time"},
	    {"offcpu_pct", "offcpu"},
	    {"migr_rate", "migr"},
	};

	for (int f = 0; f < F_NUM; f++) {
		char name[64];
		int twin;

		t->cum_of[f] = f;
		for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
			if (!strcmp(fields[f].name, named[i][0]) && field_lookup(named[i][1]) >= 0)
				t->cum_of[f] = field_lookup(named[i][1]);
		}
		if (t->cum_of[f] != f)
			continue;
		if (fields[f].unit != UNIT_BYTES_RATE && fields[f].unit != UNIT_RATE &&
		    fields[f].unit != UNIT_PERCENT)
			continue;
		snprintf(name, sizeof(name), "%s_total", fields[f].name);
		twin = field_lookup(name);
		if (twin >= 0)
			t->cum_of[f] = twin;
	}
}

static void apply_opts(struct tui *t, const struct tui_opts *o)
{
	if (o->interval_set)
		t->set.interval_s = o->interval_s;
	if (o->sort_set) {
		t->set.sort_field = o->sort_field;
		t->set.sort_desc = o->sort_desc;
	}
	if (o->ncols) {
		t->set.ncols = 0;
		for (size_t i = 0; i < o->ncols && i < TUI_MAX_COLS; i++)
			t->set.cols[t->set.ncols++] = o->cols[i];
	}
	if (o->threads)
		t->set.threads = true;
	t->fmt.raw = o->raw;
	t->pids = o->pids;
	t->npids = o->npids;
	t->replay = o->replay;
}

static void loop(struct tui *t)
{
	while (!t->quit) {
		struct pollfd p[3] = {
		    {.fd = STDIN_FILENO, .events = POLLIN},
		    {.fd = feed_fd(t->feed), .events = POLLIN},
		    {.fd = tui_term_signal_fd(), .events = POLLIN},
		};
		uint64_t now;
		int timeout = 1000, ch;

		t->fmt.bits = t->set.bits;
		tui_draw(t);
		now = clock_mono_ns();
		if (t->msg_until > now && (t->msg_until - now) / NSEC_PER_MSEC < (uint64_t)timeout)
			timeout = (int)((t->msg_until - now) / NSEC_PER_MSEC) + 1;
		if (poll(p, 3, timeout) < 0 && errno != EINTR)
			break;
		if (tui_term_take_signal())
			break;
		/* The terminal went away (and SIGHUP was ignored): nothing left to show. */
		if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			break;
		if (p[1].revents & POLLIN)
			tui_on_feed(t);
		/* Also after EINTR: a resize arrives as KEY_RESIZE from getch(). */
		while (!t->quit && (ch = getch()) != ERR)
			tui_key(t, ch);
	}
}

int tui_run(struct feed *feed, const struct tui_opts *o, char *err, size_t errlen)
{
	struct tui *t = calloc(1, sizeof(*t));
	struct tui_settings from_file;
	const char *nc = getenv("NO_COLOR");
	bool no_color = nc && *nc; /* no-color.org: any non-empty value */
	int rc = 1, err_save;

	err[0] = '\0';
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return 1;
	}
	t->feed = feed;
	tui_settings_default(&t->set);
	if (!tui_settings_path(t->conf_path, sizeof(t->conf_path)))
		tui_settings_load(&t->set, t->conf_path);
	else
		t->conf_path[0] = '\0';
	from_file = t->set;
	apply_opts(t, o);
	t->saved = t->set;
	if (no_color)
		t->set.color = t->saved.color = false;
	if (gethostname(t->host, sizeof(t->host)))
		snprintf(t->host, sizeof(t->host), "localhost");
	t->host[sizeof(t->host) - 1] = '\0';
	find_twins(t);
	tui_thresholds_default(&t->thr);
	hist_init(&t->hist);
	tui_match_init(&t->match);
	/* Ties (many processes send nothing) go to the busiest on CPU, or else on the network. */
	t->then_field = field_lookup("cpu") >= 0 ? field_lookup("cpu") : F_NET_RATE;
	t->csort = CF_TX_RATE;
	t->cdesc = true;
	t->bpf_pct = NAN;
	feed_set_interval(feed, t->set.interval_s);
	if (tui_term_start(t, err, errlen))
		goto out;
	pick_columns(t);
	if (t->replay)
		tui_replay_hint(t);
	loop(t);
	tui_term_stop();
	rc = 0;
	/* Only what the user changed on screen is remembered, not one-off command-line options. */
	if (t->conf_path[0] && !tui_settings_equal(&t->set, &t->saved)) {
		struct tui_settings keep = t->set;

		if (o->interval_set && t->set.interval_s == t->saved.interval_s)
			keep.interval_s = from_file.interval_s;
		if (o->ncols && !memcmp(t->set.cols, t->saved.cols, sizeof(t->set.cols))) {
			memcpy(keep.cols, from_file.cols, sizeof(keep.cols));
			keep.ncols = from_file.ncols;
		}
		if (no_color && !t->set.color)
			keep.color = from_file.color;
		err_save = tui_settings_save(&keep, t->conf_path);
		if (err_save)
			fprintf(stderr, "ebtop: could not save settings to %s: %s\n", t->conf_path,
				strerror(-err_save));
	}
out:
	tui_term_stop();
	snapshot_put(t->snap);
	hist_free(&t->hist);
	tui_match_free(&t->match);
	free(t->lines);
	free(t->folded);
	free(t);
	return rc;
}
