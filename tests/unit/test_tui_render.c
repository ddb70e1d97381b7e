// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The interactive view's text without a terminal: units, cells, rows, trees, graphs, settings. */
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <netinet/in.h>
#include "tui/conns.h"
#include "tui/fmt.h"
#include "tui/hist.h"
#include "tui/list.h"
#include "tui/settings.h"

static const struct tui_fmt utf8 = {.utf8 = true};
static const struct tui_fmt ascii = {.utf8 = false};
static const struct tui_fmt bits = {.bits = true, .utf8 = true};

/* ---- a small synthetic snapshot ---- */

struct spec {
	uint32_t pid, ppid;
	const char *comm, *cmd, *user;
	double tx, rx;
	uint32_t flags;
};

static const struct spec specs[] = {
    {1, 0, "init", "/sbin/init", "root", 0, 0, 0},
    {2, 0, "kthreadd", NULL, "root", 0, 0, ROW_KTHREAD},
    {100, 1, "sshd", "/usr/sbin/sshd -D", "root", 1200, 880, 0},
    {200, 100, "bash", "-bash", "alice", 0, 0, 0},
    {300, 200, "iperf3", "iperf3 -c 10.0.0.2 -p 5201 -t 30", "alice", 2.47e9, 1536, 0},
    {301, 200, "curl", "curl -sS https://example.com/\x1b[31mred", "alice", 530, 98304, 0},
    {400, 1, "nginx", "nginx: master process /usr/sbin/nginx", "www-data", 0, 0, 0},
    {401, 400, "nginx", "nginx: worker process", "www-data", 5.5e6, 1.25e5, 0},
    {402, 400, "nginx", "nginx: worker process", "www-data", NAN, NAN, ROW_EXITED},
    {500, 1, "café", "café --port 80 \xff\xfe", "bob", 999, 1023, 0},
};
#define NSPECS (sizeof(specs) / sizeof(specs[0]))

static struct snapshot *make_snapshot(void)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	s->refs = 1;
	s->avail = NEED_NET;
	s->procs = calloc(NSPECS, sizeof(*s->procs));
	s->nprocs = NSPECS;
	for (size_t i = 0; i < NSPECS; i++) {
		struct row *r = &s->procs[i];
		const struct spec *p = &specs[i];

		r->pid = r->tgid = p->pid;
		r->ppid = p->ppid;
		r->start_ns = r->pstart_ns = 1000 + p->pid;
		r->flags = p->flags;
		r->state = (p->flags & ROW_EXITED) ? 'X' : 'S';
		snprintf(r->comm, sizeof(r->comm), "%s", p->comm);
		r->info = proc_info_new(p->cmd, "/system.slice", p->user);
		for (int f = 0; f < F_NUM; f++)
			r->v[f] = NAN;
		r->v[F_PID] = p->pid;
		r->v[F_PPID] = p->ppid;
		r->v[F_TX_RATE] = p->tx;
		r->v[F_RX_RATE] = p->rx;
		r->v[F_NET_RATE] = p->tx + p->rx;
		r->v[F_TX_TOTAL] = isnan(p->tx) ? NAN : p->tx * 60;
		r->v[F_RX_TOTAL] = isnan(p->rx) ? NAN : p->rx * 60;
	}
	return s;
}

static const struct tui_col cols[] = {
    {F_PID, 7}, {F_USER, 9}, {F_TX_RATE, 9}, {F_RX_RATE, 9}, {F_TX_TOTAL, 9}, {F_CMD, 0},
};
#define NCOLS ((int)(sizeof(cols) / sizeof(cols[0])))

/* ---- golden files ---- */

static char *golden_path(const char *name)
{
	static char path[1024];
	const char *slash = strrchr(__FILE__, '/');

	snprintf(path, sizeof(path), "%.*s/golden/%s", slash ? (int)(slash - __FILE__) : 1,
		 slash ? __FILE__ : ".", name);
	return path;
}

/* Compares text with the golden file; EBTOP_UPDATE_GOLDEN=1 rewrites it instead. */
static void check_golden(const char *name, const char *text)
{
	const char *path = golden_path(name);
	char *want;
	long n;
	FILE *f;

	if (getenv("EBTOP_UPDATE_GOLDEN")) {
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
		return;
	}
	f = fopen(path, "r");
	if (!f)
		fail_msg("missing golden file %s (run with EBTOP_UPDATE_GOLDEN=1)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	want = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(want, 1, (size_t)n, f), n);
	fclose(f);
	if (strcmp(want, text)) {
		/* Show the first line that differs, which is what a reviewer needs. */
		const char *a = want, *b = text;
		int line = 1;

		while (*a && *a == *b) {
			line += *a == '\n';
			a++;
			b++;
		}
		while (a > want && a[-1] != '\n')
			a--, b--;
		fail_msg("%s differs at line %d:\nwant: %.*s\ngot:  %.*s", name, line,
			 (int)strcspn(a, "\n"), a, (int)strcspn(b, "\n"), b);
	}
	free(want);
}

static void append(char **buf, size_t *len, const char *line)
{
	size_t n = strlen(line);

	*buf = realloc(*buf, *len + n + 2);
	memcpy(*buf + *len, line, n);
	(*buf)[*len + n] = '\n';
	*len += n + 1;
	(*buf)[*len] = '\0';
}

/* ---- units ---- */

static void test_rates(void **state)
{
	static const struct {
		double v;
		const char *bytes, *bits;
	} cases[] = {
	    {0, "0", "0b"},
	    {124, "124", "992b"},
	    {1023, "1023", "8.18Kb"},
	    {1536, "1.50K", "12.3Kb"},
	    {125000, "122K", "1.00Mb"},
	    {1.25e8, "119M", "1.00Gb"},
	    {2.47e9, "2.30G", "19.8Gb"},
	    {NAN, "-", "-"},
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tui_fmt_rate(buf, sizeof(buf), cases[i].v, &utf8);
		assert_string_equal(buf, cases[i].bytes);
		tui_fmt_rate(buf, sizeof(buf), cases[i].v, &bits);
		assert_string_equal(buf, cases[i].bits);
	}
	tui_fmt_value(buf, sizeof(buf), 3.5e6, UNIT_BYTES, &bits);
	assert_string_equal(buf, "3.34M"); /* totals stay in bytes in bit mode */
	tui_fmt_value(buf, sizeof(buf), 12.345, UNIT_PERCENT, &utf8);
	assert_string_equal(buf, "12.3");
	tui_fmt_duration(buf, sizeof(buf), 59);
	assert_string_equal(buf, "00:59");
	tui_fmt_duration(buf, sizeof(buf), 3 * 3600 + 61);
	assert_string_equal(buf, "3:01:01");
	tui_fmt_duration(buf, sizeof(buf), 2 * 86400 + 4 * 3600 + 5 * 60);
	assert_string_equal(buf, "2d 04:05");
}

/* ---- fitting text into cells ---- */

static void fit(char *out, size_t len, const char *s, int w, bool left, bool u)
{
	size_t pos = 0;

	out[0] = '\0';
	tui_put_fit(out, len, &pos, s, w, left, u);
}

static void test_fit(void **state)
{
	char buf[64];

	(void)state;
	fit(buf, sizeof(buf), "abc", 5, true, true);
	assert_string_equal(buf, "abc  ");
	fit(buf, sizeof(buf), "abc", 5, false, true);
	assert_string_equal(buf, "  abc");
	fit(buf, sizeof(buf), "abcdef", 4, true, true);
	assert_string_equal(buf, "abcd");
	fit(buf, sizeof(buf), "abcdef", 4, false, true);
	assert_string_equal(buf, "abcd");
	/* Control characters (an escape sequence in a command line) never reach the terminal. */
	fit(buf, sizeof(buf), "a\x1b[31mb", 8, true, true);
	assert_string_equal(buf, "a?[31mb ");
	/* UTF-8 counts by display width; malformed bytes print as '?'. */
	fit(buf, sizeof(buf), "café", 5, true, true);
	assert_string_equal(buf, "café ");
	assert_int_equal(tui_text_width("café", true), 4);
	fit(buf, sizeof(buf), "\xff\xfez", 4, true, true);
	assert_string_equal(buf, "??z ");
	/* A wide character that would straddle the edge becomes padding. */
	fit(buf, sizeof(buf), "ab\xe4\xb8\xad", 3, true, true);
	assert_string_equal(buf, "ab ");
	/* Without UTF-8, every non-ASCII character is one '?'. */
	fit(buf, sizeof(buf), "café", 6, true, false);
	assert_string_equal(buf, "caf?  ");
	/* Never overflows the destination. */
	fit(buf, 4, "abcdefgh", 8, true, true);
	assert_string_equal(buf, "abc");
}

/* ---- rows ---- */

static void test_rows_golden(void **state)
{
	struct snapshot *s = make_snapshot();
	static const int widths[] = {100, 60, 30};
	char line[1024], *out = NULL;
	size_t len = 0;

	(void)state;
	for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
		snprintf(line, sizeof(line), "# width %d, sorted by TX/s", widths[w]);
		append(&out, &len, line);
		tui_format_titles(line, sizeof(line), cols, NCOLS, widths[w], F_TX_RATE, true,
				  false, &utf8, NULL);
		append(&out, &len, line);
		for (size_t i = 0; i < s->nprocs; i++) {
			tui_format_row(line, sizeof(line), &s->procs[i], cols, NCOLS, widths[w],
				       NULL, &utf8, NULL);
			assert_int_equal(tui_text_width(line, true), widths[w]);
			append(&out, &len, line);
		}
	}
	append(&out, &len, "# bits, ascii, sorted by USER ascending");
	tui_format_titles(line, sizeof(line), cols, NCOLS, 80, F_USER, false, false, &ascii, NULL);
	append(&out, &len, line);
	for (size_t i = 0; i < s->nprocs; i++) {
		struct tui_fmt f = {.bits = true};

		tui_format_row(line, sizeof(line), &s->procs[i], cols, NCOLS, 80, NULL, &f, NULL);
		append(&out, &len, line);
	}
	check_golden("tui_rows.txt", out);
	free(out);
	snapshot_put(s);
}

static void test_spans(void **state)
{
	struct snapshot *s = make_snapshot();
	struct tui_span sp[NCOLS];
	char line[512];

	(void)state;
	tui_format_row(line, sizeof(line), &s->procs[4], cols, NCOLS, 70, NULL, &utf8, sp);
	assert_int_equal(sp[0].x, 0);
	assert_int_equal(sp[0].w, 7);
	assert_int_equal(sp[1].x, 8);
	assert_int_equal(sp[2].x, 18);
	assert_int_equal(sp[5].x, 48);
	assert_int_equal(sp[5].w, 22); /* the command takes the rest */
	/* A line narrower than the columns: later columns get no room at all. */
	tui_format_row(line, sizeof(line), &s->procs[4], cols, NCOLS, 12, NULL, &utf8, sp);
	assert_string_equal(line, "    300 alic");
	assert_int_equal(sp[2].w, 0);
	snapshot_put(s);
}

/* Left/Right scroll the last column's text; the other columns stay put. */
static void test_hscroll(void **state)
{
	struct snapshot *s = make_snapshot();
	struct tui_fmt o = {.utf8 = true, .hscroll = 3};
	char line[512];

	(void)state;
	assert_string_equal(tui_skip_cols("café au lait", 4, true), " au lait");
	assert_string_equal(tui_skip_cols("ab\xe4\xb8\xad"
					  "c",
					  3, true),
			    "c"); /* wide: whole */
	assert_string_equal(tui_skip_cols("ab", 5, true), "");
	tui_format_row(line, sizeof(line), &s->procs[4], cols, NCOLS, 70, NULL, &o, NULL);
	assert_string_equal(
	    line, "    300 alice         2.30G     1.50K      138G rf3 -c 10.0.0.2 -p 520");
	tui_format_titles(line, sizeof(line), cols, NCOLS, 70, F_PID, false, false, &o, NULL);
	assert_string_equal(
	    line, "   \u25b2PID USER           TX/s      RX/s        TX COMMAND [+3]          ");
	snapshot_put(s);
}

/* ---- connections ---- */

static void make_conn(struct conn *c, uint8_t proto, const uint8_t *l, uint16_t lport,
		      const uint8_t *r, uint16_t rport, uint8_t state, double tx, double rx)
{
	memset(c, 0, sizeof(*c));
	for (int f = 0; f < CF_NUM; f++)
		c->v[f] = NAN;
	c->family = AF_INET;
	c->proto = proto;
	c->pid = 300;
	c->pstart_ns = 1300;
	snprintf(c->comm, sizeof(c->comm), "iperf3");
	memcpy(c->laddr, l, 4);
	memcpy(c->raddr, r, 4);
	c->lport = lport;
	c->rport = rport;
	c->state = state;
	c->v[CF_PID] = 300;
	c->v[CF_LPORT] = lport;
	c->v[CF_RPORT] = rport;
	c->v[CF_TX_RATE] = tx;
	c->v[CF_RX_RATE] = rx;
	c->v[CF_TX_TOTAL] = tx * 10;
	c->v[CF_RX_TOTAL] = rx * 10;
	c->v[CF_RETX_PCT] = proto == IPPROTO_TCP ? 0 : NAN;
	c->v[CF_SRTT] = proto == IPPROTO_TCP ? 58000 : NAN;
	c->v[CF_AGE] = 125e9;
}

static void test_conns_golden(void **state)
{
	static const uint8_t lo[4] = {127, 0, 0, 1}, far[4] = {10, 0, 0, 2};
	struct tui_col cols[TUI_CONN_COLS];
	struct conn c[3];
	char line[512], *out = NULL;
	size_t len = 0;
	int n;

	(void)state;
	make_conn(&c[0], IPPROTO_TCP, lo, 41000, lo, 5201, 1 /* ESTABLISHED */, 2.47e9, 96);
	make_conn(&c[1], IPPROTO_TCP, far, 22, far, 51515, 1, 1536, 880);
	c[1].v[CF_RETX_PCT] = 2.5;
	make_conn(&c[2], IPPROTO_UDP, lo, 53, far, 33000, 7 /* CLOSE */, 0, 120);
	c[2].flags = EBTOP_CONN_F_CLOSED;
	for (int owner = 1; owner >= 0; owner--) {
		n = tui_conn_cols(cols, owner);
		append(&out, &len, owner ? "# all connections, 160 columns" : "# one process, 120");
		tui_format_titles_of(line, sizeof(line), conn_fields, cols, n, owner ? 160 : 120,
				     CF_TX_RATE, true, false, &utf8, NULL);
		append(&out, &len, line);
		for (int i = 0; i < 3; i++) {
			tui_format_conn(line, sizeof(line), &c[i], cols, n, owner ? 160 : 120,
					&utf8, NULL);
			assert_int_equal(tui_text_width(line, true), owner ? 160 : 120);
			append(&out, &len, line);
		}
	}
	check_golden("tui_conns.txt", out);
	free(out);
	assert_int_equal(tui_conn_class(&c[0]), RCLS_NORMAL);
	assert_int_equal(tui_conn_class(&c[1]), RCLS_RETX);
	assert_int_equal(tui_conn_class(&c[2]), RCLS_EXITED);
}

/* ---- tree ---- */

static void test_tree_prefix(void **state)
{
	char buf[128];

	(void)state;
	tui_tree_prefix(buf, sizeof(buf), 0, 0, true, false, true);
	assert_string_equal(buf, "");
	tui_tree_prefix(buf, sizeof(buf), 0, 0, true, true, true);
	assert_string_equal(buf, "+ ");
	tui_tree_prefix(buf, sizeof(buf), 1, 0, false, false, true);
	assert_string_equal(buf, "\u251c\u2500 ");
	tui_tree_prefix(buf, sizeof(buf), 3, 1u << 1, true, false, true);
	assert_string_equal(buf, "\u2502     \u2514\u2500 ");
	tui_tree_prefix(buf, sizeof(buf), 2, 1u << 1, true, true, false);
	assert_string_equal(buf, "|  `+ ");
}

static void render_list(char **out, size_t *len, const struct tui_line *l, long n, bool tree)
{
	char line[512], prefix[256];

	for (long i = 0; i < n; i++) {
		prefix[0] = '\0';
		if (tree)
			tui_tree_prefix(prefix, sizeof(prefix), l[i].depth, l[i].more, l[i].last,
					l[i].folded, true);
		tui_format_row(line, sizeof(line), l[i].r, cols, NCOLS, 90, prefix, &utf8, NULL);
		append(out, len, line);
	}
}

static void test_list_golden(void **state)
{
	struct snapshot *s = make_snapshot();
	struct tui_list_opts o = {.sort_field = F_TX_RATE, .desc = true};
	struct tui_key fold = {400, 1400};
	struct tui_line *l;
	char *out = NULL;
	size_t len = 0;
	long n, counts[4];

	(void)state;
	append(&out, &len, "# flat, TX/s descending (unavailable last)");
	n = counts[0] = tui_list_build(s, &o, &l);
	render_list(&out, &len, l, n, false);
	free(l);

	append(&out, &len, "# tree, children by TX/s descending");
	o.tree = true;
	n = counts[1] = tui_list_build(s, &o, &l);
	render_list(&out, &len, l, n, true);
	free(l);

	append(&out, &len, "# tree with nginx master folded, kernel threads hidden");
	o.folded = &fold;
	o.nfolded = 1;
	o.hide_kthreads = true;
	n = counts[2] = tui_list_build(s, &o, &l);
	render_list(&out, &len, l, n, true);
	free(l);

	append(&out, &len, "# tree, filter 'NGINX' (an orphaned match becomes a root)");
	o.folded = NULL;
	o.nfolded = 0;
	o.match = tui_match_substr;
	o.match_ctx = "NGINX";
	n = counts[3] = tui_list_build(s, &o, &l);
	render_list(&out, &len, l, n, true);
	free(l);
	check_golden("tui_list.txt", out);
	assert_int_equal(counts[0], NSPECS);
	assert_int_equal(counts[1], NSPECS);
	assert_int_equal(counts[2], NSPECS - 3);
	assert_int_equal(counts[3], 3);
	free(out);
	snapshot_put(s);
}

static void test_search(void **state)
{
	struct snapshot *s = make_snapshot();
	struct tui_list_opts o = {.sort_field = F_PID};
	struct tui_key k = {300, 1300};
	struct tui_line *l;
	long n = tui_list_build(s, &o, &l);

	(void)state;
	assert_int_equal(tui_list_search(l, n, 0, "iperf", false), 4);
	assert_int_equal(tui_list_search(l, n, 5, "nginx", false), 6);
	assert_int_equal(tui_list_search(l, n, 9, "nginx", false), 6); /* wraps */
	assert_int_equal(tui_list_search(l, n, 5, "nginx", true), 8);  /* backwards, wraps */
	assert_int_equal(tui_list_search(l, n, 0, "nothing-like-this", false), -1);
	assert_int_equal(tui_list_find_key(l, n, k), 4);
	k.start_ns++; /* same pid, another process */
	assert_int_equal(tui_list_find_key(l, n, k), -1);
	free(l);
	snapshot_put(s);
}

/* Ties on the sort column go to the busiest on the second key, then to the pid. */
static void test_then_field(void **state)
{
	struct snapshot *s = make_snapshot();
	struct tui_list_opts o = {.sort_field = F_USER, .then_field = F_TX_RATE};
	static const uint32_t want[] = {300, 301, 200, 500, 100, 1, 2, 401, 400, 402};
	struct tui_line *l;
	long n = tui_list_build(s, &o, &l);

	(void)state;
	assert_int_equal(n, NSPECS);
	for (long i = 0; i < n; i++)
		assert_int_equal(l[i].r->pid, want[i]);
	free(l);
	snapshot_put(s);
}

/* A parent that started after its child is a reused pid, never the parent. */
static void test_tree_pid_reuse(void **state)
{
	struct snapshot *s = make_snapshot();
	struct tui_list_opts o = {.sort_field = F_PID, .tree = true};
	struct tui_line *l;
	long n;

	(void)state;
	s->procs[3].start_ns = 999999; /* bash (200) now "started" after iperf3 and curl */
	n = tui_list_build(s, &o, &l);
	for (long i = 0; i < n; i++) {
		if (l[i].r->pid == 300 || l[i].r->pid == 301)
			assert_int_equal(l[i].depth, 0);
	}
	free(l);
	snapshot_put(s);
}

/* ---- graphs ---- */

static void test_graphs_golden(void **state)
{
	float v[16];
	char spark[256], b0[256], b1[256], *lines[2] = {b0, b1}, *out = NULL;
	size_t len = 0;

	(void)state;
	for (int i = 0; i < 16; i++)
		v[i] = (float)i;
	v[5] = NAN;
	assert_true(tui_graph_max(v, 16, 1) == 15);
	assert_true(tui_graph_max(v, 3, 100) == 100);
	tui_sparkline(spark, sizeof(spark), v, 16, 16, 15, true);
	append(&out, &len, spark);
	tui_sparkline(spark, sizeof(spark), v, 16, 20, 15, true);
	append(&out, &len, spark);
	tui_sparkline(spark, sizeof(spark), v, 16, 16, 15, false);
	append(&out, &len, spark);
	tui_braille(lines, sizeof(b0), 2, 8, v, 16, 15, true);
	append(&out, &len, b0);
	append(&out, &len, b1);
	tui_braille(lines, sizeof(b0), 2, 10, v, 16, 15, false);
	append(&out, &len, b0);
	append(&out, &len, b1);
	check_golden("tui_graphs.txt", out);
	free(out);
}

/* ---- colors ---- */

static void test_classes(void **state)
{
	struct snapshot *s = make_snapshot();
	struct tui_thresholds t = {.runq_field = F_TX_CALLS_RATE,
				   .runq_hot = 20,
				   .lat_field = F_RX_CALLS_RATE,
				   .lat_warn = 20e6,
				   .retx_field = F_UDP_TX_RATE};
	struct row *r = &s->procs[4];

	(void)state;
	assert_int_equal(tui_cell_class(r, F_TX_RATE, &t), CLS_BIG);
	assert_int_equal(tui_cell_class(r, F_RX_RATE, &t), CLS_NORMAL);
	assert_int_equal(tui_cell_class(&s->procs[0], F_TX_RATE, &t), CLS_DIM);
	assert_int_equal(tui_cell_class(&s->procs[8], F_TX_RATE, &t), CLS_DIM);
	assert_int_equal(tui_cell_class(r, F_CMD, &t), CLS_NORMAL);
	r->v[F_TX_CALLS_RATE] = 25;
	assert_int_equal(tui_cell_class(r, F_TX_CALLS_RATE, &t), CLS_HOT);
	r->v[F_RX_CALLS_RATE] = 30e6;
	assert_int_equal(tui_cell_class(r, F_RX_CALLS_RATE, &t), CLS_WARN);
	assert_int_equal(tui_row_class(r, &t), RCLS_NORMAL);
	r->v[F_UDP_TX_RATE] = 0.5;
	assert_int_equal(tui_row_class(r, &t), RCLS_RETX);
	assert_int_equal(tui_row_class(&s->procs[1], &t), RCLS_KTHREAD);
	assert_int_equal(tui_row_class(&s->procs[8], &t), RCLS_EXITED);
	snapshot_put(s);
}

/* ---- history ---- */

static void test_history(void **state)
{
	struct snapshot *s = make_snapshot();
	struct hist h;
	float v[4];

	(void)state;
	hist_init(&h);
	for (int i = 0; i < 3; i++) {
		s->procs[4].v[F_TX_RATE] = 100 * (i + 1);
		s->total.v[F_TX_RATE] = 1000 * (i + 1);
		assert_int_equal(hist_update(&h, s), 0);
	}
	assert_int_equal(hist_proc(&h, 300, 1300, HM_TX, v, 4), 3);
	assert_true(isnan(v[0]));
	assert_true(v[1] == 100 && v[2] == 200 && v[3] == 300);
	/* An idle process has a history of zeros without a ring of its own. */
	assert_int_equal(hist_proc(&h, 200, 1200, HM_TX, v, 2), 2);
	assert_true(v[0] == 0 && v[1] == 0);
	assert_int_equal(hist_sys(&h, HM_TX, v, 2), 2);
	assert_true(v[0] == 2000 && v[1] == 3000);
	/* A process that left the snapshot is forgotten; one that arrived starts empty. */
	s->procs[4].pid = 299; /* still in (pid, start) order, as snapshots are */
	s->procs[4].start_ns = 5000;
	assert_int_equal(hist_update(&h, s), 0);
	assert_int_equal(hist_proc(&h, 300, 1300, HM_TX, v, 4), 0);
	assert_int_equal(hist_proc(&h, 299, 5000, HM_TX, v, 4), 1);
	assert_true(v[3] == 300);
	hist_free(&h);
	snapshot_put(s);
}

/* ---- settings ---- */

static void test_settings(void **state)
{
	struct tui_settings a, b;
	char text[2048];

	(void)state;
	tui_settings_default(&a);
	assert_int_equal(a.cols[0], F_PID);
	assert_int_equal(a.cols[a.ncols - 1], F_CMD);
	a.bits = true;
	a.tree = true;
	a.interval_s = 2.5;
	a.sort_field = F_RX_RATE;
	a.sort_desc = false;
	a.ncols = 3;
	a.cols[0] = F_PID;
	a.cols[1] = F_RX_RATE;
	a.cols[2] = F_CMD;
	tui_settings_format(&a, text, sizeof(text));
	tui_settings_default(&b);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		if (line[0] != '#')
			assert_true(tui_settings_line(&b, line));
	assert_true(tui_settings_equal(&a, &b));
	/* Bad values are refused one line at a time; unknown columns are skipped. */
	assert_false(tui_settings_line(&b, "interval=0"));
	assert_false(tui_settings_line(&b, "units=furlongs"));
	assert_false(tui_settings_line(&b, "nonsense=1"));
	assert_true(tui_settings_line(&b, "columns=pid,no_such_field,tx,pid"));
	assert_int_equal(b.ncols, 2);
	assert_false(tui_settings_line(&b, "columns=no_such_field"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rates),	   cmocka_unit_test(test_fit),
	    cmocka_unit_test(test_rows_golden),	   cmocka_unit_test(test_spans),
	    cmocka_unit_test(test_tree_prefix),	   cmocka_unit_test(test_list_golden),
	    cmocka_unit_test(test_hscroll),	   cmocka_unit_test(test_conns_golden),
	    cmocka_unit_test(test_then_field),	   cmocka_unit_test(test_search),
	    cmocka_unit_test(test_tree_pid_reuse), cmocka_unit_test(test_graphs_golden),
	    cmocka_unit_test(test_classes),	   cmocka_unit_test(test_history),
	    cmocka_unit_test(test_settings),
	};

	/* Display widths of non-ASCII text come from the C library's UTF-8 tables. */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "en_US.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
