/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The lines of the process table: filtered, sorted, optionally as a tree; pure. */
#ifndef EBTOP_TUI_LIST_H
#define EBTOP_TUI_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/model.h"

/* A process across snapshots: pids are reused, (pid, start) is not. */
struct tui_key {
	uint32_t pid;
	uint64_t start_ns;
};

struct tui_line {
	const struct row *r; /* (borrowed from the snapshot the list was built from) */
	uint64_t more;	     /* tree: bit i set when the ancestor at depth i has more siblings */
	uint16_t depth;
	bool last;   /* tree: the last child of its parent */
	bool folded; /* tree: has children that are hidden */
	bool parent; /* tree: has children (shown or not) */
};

struct tui_list_opts {
	int sort_field;
	bool desc;
	int then_field; /* breaks ties, descending (busiest first); 0 (the pid): none */
	bool tree;
	bool threads; /* thread rows instead of processes (never a tree) */
	bool hide_kthreads;
	const uint32_t *pids; /* (borrowed) only these processes when npids > 0 */
	size_t npids;
	bool (*match)(const struct row *r, void *ctx); /* NULL: every row */
	void *match_ctx;
	const struct tui_key *folded; /* (borrowed) sorted by tui_key_cmp */
	size_t nfolded;
};

int tui_key_cmp(const void *a, const void *b);
static inline struct tui_key tui_key_of(const struct row *r)
{
	struct tui_key k = {r->pid, r->start_ns};

	return k;
}

/* Builds the lines; *out is malloc'd. Returns the count, or -ENOMEM. */
long tui_list_build(const struct snapshot *s, const struct tui_list_opts *o, struct tui_line **out);
/* Index of the line showing key, or -1. */
long tui_list_find_key(const struct tui_line *l, long n, struct tui_key key);
/*
 * The next line at or after from (wrapping around, backwards when back) whose
 * command or name contains text, case-insensitively; -1 when none does.
 */
long tui_list_search(const struct tui_line *l, long n, long from, const char *text, bool back);
/* The substring filter: text in the command line or the name, case-insensitively. */
bool tui_match_substr(const struct row *r, void *text);

#endif
