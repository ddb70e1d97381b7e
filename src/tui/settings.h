/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the interactive view remembers between runs, and its file. */
#ifndef EBTOP_TUI_SETTINGS_H
#define EBTOP_TUI_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include "model/fields.h"

#define TUI_MAX_COLS F_NUM

struct tui_settings {
	int cols[TUI_MAX_COLS]; /* in display order; fields whose collector is off are skipped */
	int ncols;
	int sort_field;
	bool sort_desc;
	double interval_s;
	bool bits;  /* byte rates shown as bit/s */
	bool color; /* false: monochrome attributes only */
	bool tree;
	bool cumulative; /* totals since start instead of rates */
	bool threads;
	bool hide_kthreads;
	bool no_conn_panel; /* hide the selected process's connections under the table */
};

/* PID USER, then CPU, run queue, disk, network and retransmit columns as they exist, COMMAND. */
void tui_settings_default(struct tui_settings *s);
/* Parses one "key=value" line into s; returns false for an unknown key or bad value. */
bool tui_settings_line(struct tui_settings *s, const char *line);
/* Writes the settings as text into buf; returns the length (snprintf-like). */
int tui_settings_format(const struct tui_settings *s, char *buf, size_t len);
/* Where the file lives: $XDG_CONFIG_HOME/ebtop/tui.conf or ~/.config/ebtop/tui.conf. */
int tui_settings_path(char *buf, size_t len);
/* Missing file: leaves s alone and returns 0. Unknown lines are skipped. */
int tui_settings_load(struct tui_settings *s, const char *path);
/* A temporary file renamed into place, so a crash never leaves half a file. */
int tui_settings_save(const struct tui_settings *s, const char *path);
bool tui_settings_equal(const struct tui_settings *a, const struct tui_settings *b);

#endif
