// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The feature table and the status line made from it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "model/feature.h"

const struct feature_desc feature_descs[FEAT_NUM] = {
    [FEAT_TASKS] = {"tasks", "per-thread counters", FEAT_TASKS},
    [FEAT_NET] = {"network", "network bytes", FEAT_TASKS},
    /* Counted in the network hooks. */
    [FEAT_CONN] = {"connections", "connections", FEAT_NET},
    [FEAT_CONN_RESETS] = {"connection_resets", "connection resets", FEAT_CONN},
    [FEAT_CONN_SEED] = {"connection_seed", "connections open before ebtop", FEAT_CONN},
    [FEAT_CONN_OWNERS] = {"connection_owners", "owners of connections open before ebtop",
			  FEAT_CONN_SEED},
    [FEAT_UDP_PEERS] = {"udp_peers", "remote addresses of unconnected UDP sockets", FEAT_CONN},
    /* Read from the connections' ring buffer. */
    [FEAT_EXEC] = {"exec_events", "exec events", FEAT_CONN},
    [FEAT_SCHED] = {"scheduler", "CPU and scheduler columns", FEAT_TASKS},
    [FEAT_DISK] = {"disk", "disk columns", FEAT_TASKS},
    [FEAT_WRITEBACK] = {"writeback", "write-back per dirtying thread", FEAT_DISK},
    [FEAT_BPF_STATS] = {"bpf_stats", "BPF run-time statistics", FEAT_TASKS},
};

void features_say(struct features *fs, enum feature f, bool off, const char *fmt, ...)
{
	struct feature_state *st = &fs->f[f];
	size_t used = strlen(st->why);
	va_list ap;

	if (off)
		st->on = false;
	if (used && used + 2 < sizeof(st->why)) {
		memcpy(st->why + used, "; ", 3);
		used += 2;
	}
	if (used + 1 >= sizeof(st->why))
		return;
	va_start(ap, fmt);
	vsnprintf(st->why + used, sizeof(st->why) - used, fmt, ap);
	va_end(ap);
}

void features_status(const struct features *fs, char *buf, size_t len)
{
	size_t used = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (int i = 0; i < FEAT_NUM && used + 1 < len; i++) {
		const struct feature_state *st = &fs->f[i];

		if (!st->wanted || !st->why[0] || st->derived)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "; " : "", st->why);
	}
}

void features_derive(struct features *fs)
{
	/* Table order puts what is needed first, so a chain resolves in one pass. */
	for (int i = 0; i < FEAT_NUM; i++) {
		struct feature_state *st = &fs->f[i];
		enum feature need = feature_descs[i].needs;
		const struct feature_state *dep = &fs->f[need];

		if (!st->wanted || need == FEAT_TASKS || dep->on || (!dep->wanted && !dep->derived))
			continue;
		st->on = false;
		if (st->why[0])
			continue; /* it has its own words for it */
		st->derived = true;
		snprintf(st->why, sizeof(st->why), "%s unavailable (needs %s)",
			 feature_descs[i].title, feature_descs[need].title);
	}
}

void feature_reason(const struct features *fs, enum feature f, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int depth = 0; depth < FEAT_NUM && used + 1 < len; depth++) {
		const struct feature_state *st = &fs->f[f];

		if (st->on || !st->why[0])
			break;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "; " : "", st->why);
		if (feature_descs[f].needs == FEAT_TASKS)
			break;
		f = feature_descs[f].needs;
	}
}

int feature_by_name(const char *name)
{
	for (int i = 0; i < FEAT_NUM; i++)
		if (!strcmp(feature_descs[i].name, name))
			return i;
	return -1;
}
