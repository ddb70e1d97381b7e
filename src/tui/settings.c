// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* What the interactive view remembers between runs, and its file. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include "tui/settings.h"

void tui_settings_default(struct tui_settings *s)
{
	static const char *const pref[] = {"cpu", "runq", "disk_r", "disk_w", "io_lat",
					   "tx",  "rx",	  "retx",   NULL};

	memset(s, 0, sizeof(*s));
	s->cols[s->ncols++] = F_PID;
	s->cols[s->ncols++] = F_USER;
	for (int i = 0; pref[i]; i++) {
		int f = field_lookup(pref[i]);

		if (f >= 0)
			s->cols[s->ncols++] = f;
	}
	s->cols[s->ncols++] = F_CMD;
	s->sort_field = F_NET_RATE;
	s->sort_desc = true;
	s->interval_s = 1.0;
	s->color = true;
}

static bool parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "on")) {
		*out = true;
		return true;
	}
	if (!strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "off")) {
		*out = false;
		return true;
	}
	return false;
}

static bool parse_cols(struct tui_settings *s, const char *v)
{
	char tmp[1024], *save = NULL, *tok;
	int n = 0, cols[TUI_MAX_COLS];

	if (strlen(v) >= sizeof(tmp))
		return false;
	strcpy(tmp, v);
	for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int f = field_lookup(tok);
		bool dup = false;

		/* A field from a newer build is skipped rather than failing the whole file. */
		for (int i = 0; i < n; i++)
			dup |= cols[i] == f;
		if (f >= 0 && !dup && n < TUI_MAX_COLS)
			cols[n++] = f;
	}
	if (!n)
		return false;
	memcpy(s->cols, cols, sizeof(cols[0]) * (size_t)n);
	s->ncols = n;
	return true;
}

bool tui_settings_line(struct tui_settings *s, const char *line)
{
	char key[32], val[1024];
	const char *eq = strchr(line, '=');
	size_t kl;
	char *end;
	double d;
	int f;

	if (!eq || (kl = (size_t)(eq - line)) >= sizeof(key) || strlen(eq + 1) >= sizeof(val))
		return false;
	memcpy(key, line, kl);
	key[kl] = '\0';
	strcpy(val, eq + 1);
	val[strcspn(val, "\r\n")] = '\0';
	if (!strcmp(key, "columns"))
		return parse_cols(s, val);
	if (!strcmp(key, "sort")) {
		f = field_lookup(val);
		if (f < 0)
			return false;
		s->sort_field = f;
		return true;
	}
	if (!strcmp(key, "interval")) {
		d = strtod(val, &end);
		if (end == val || *end || !isfinite(d) || d < 0.1 || d > 3600)
			return false;
		s->interval_s = d;
		return true;
	}
	if (!strcmp(key, "units")) {
		if (strcmp(val, "bits") && strcmp(val, "bytes"))
			return false;
		s->bits = !strcmp(val, "bits");
		return true;
	}
	if (!strcmp(key, "sort_desc"))
		return parse_bool(val, &s->sort_desc);
	if (!strcmp(key, "color"))
		return parse_bool(val, &s->color);
	if (!strcmp(key, "tree"))
		return parse_bool(val, &s->tree);
	if (!strcmp(key, "cumulative"))
		return parse_bool(val, &s->cumulative);
	if (!strcmp(key, "threads"))
		return parse_bool(val, &s->threads);
	if (!strcmp(key, "hide_kthreads"))
		return parse_bool(val, &s->hide_kthreads);
	if (!strcmp(key, "conn_panel")) {
		bool on;

		if (!parse_bool(val, &on))
			return false;
		s->no_conn_panel = !on;
		return true;
	}
	return false;
}

int tui_settings_format(const struct tui_settings *s, char *buf, size_t len)
{
	char cols[1024];
	size_t pos = 0;

	cols[0] = '\0';
	for (int i = 0; i < s->ncols && pos < sizeof(cols); i++)
		pos += (size_t)snprintf(cols + pos, sizeof(cols) - pos, "%s%s", i ? "," : "",
					fields[s->cols[i]].name);
	return snprintf(buf, len,
			"# ebtop interactive view; rewritten on exit when settings change\n"
			"columns=%s\nsort=%s\nsort_desc=%d\ninterval=%g\nunits=%s\ncolor=%d\n"
			"tree=%d\ncumulative=%d\nthreads=%d\nhide_kthreads=%d\nconn_panel=%d\n",
			cols, fields[s->sort_field].name, s->sort_desc, s->interval_s,
			s->bits ? "bits" : "bytes", s->color, s->tree, s->cumulative, s->threads,
			s->hide_kthreads, !s->no_conn_panel);
}

int tui_settings_path(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n;

	if (xdg && *xdg)
		n = snprintf(buf, len, "%s/ebtop/tui.conf", xdg);
	else if (home && *home)
		n = snprintf(buf, len, "%s/.config/ebtop/tui.conf", home);
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int tui_settings_load(struct tui_settings *s, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1200];

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		tui_settings_line(s, line);
	}
	fclose(f);
	return 0;
}

/* mkdir -p for the file's directory. */
static int make_parent(const char *path)
{
	char dir[4096];
	size_t n = strlen(path);

	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, n + 1);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

int tui_settings_save(const struct tui_settings *s, const char *path)
{
	char tmp[4200], text[2048];
	int n = tui_settings_format(s, text, sizeof(text)), err;
	FILE *f;

	if (n < 0 || (size_t)n >= sizeof(text))
		return -ENOSPC;
	err = make_parent(path);
	if (err)
		return err;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	if (fwrite(text, 1, (size_t)n, f) != (size_t)n || fflush(f) || fsync(fileno(f))) {
		err = -errno;
		fclose(f);
		unlink(tmp);
		return err ? err : -EIO;
	}
	if (fclose(f) || rename(tmp, path)) {
		err = -errno;
		unlink(tmp);
		return err;
	}
	return 0;
}

bool tui_settings_equal(const struct tui_settings *a, const struct tui_settings *b)
{
	if (a->ncols != b->ncols || memcmp(a->cols, b->cols, sizeof(a->cols[0]) * (size_t)a->ncols))
		return false;
	return a->sort_field == b->sort_field && a->sort_desc == b->sort_desc &&
	       a->interval_s == b->interval_s && a->bits == b->bits && a->color == b->color &&
	       a->tree == b->tree && a->cumulative == b->cumulative && a->threads == b->threads &&
	       a->hide_kthreads == b->hide_kthreads && a->no_conn_panel == b->no_conn_panel;
}
