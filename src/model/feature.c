// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The feature table and the status line made from it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "model/feature.h"

const struct feature_desc feature_descs[FEAT_NUM] = {
    [FEAT_TASKS] = {"tasks", "per-thread counters"},
    [FEAT_NET] = {"network", "network bytes"},
    [FEAT_CONN] = {"connections", "connections"},
    [FEAT_CONN_RESETS] = {"connection_resets", "connection resets"},
    [FEAT_CONN_SEED] = {"connection_seed", "connections open before ebtop"},
    [FEAT_CONN_OWNERS] = {"connection_owners", "owners of connections open before ebtop"},
    [FEAT_UDP_PEERS] = {"udp_peers", "remote addresses of unconnected UDP sockets"},
    [FEAT_EXEC] = {"exec_events", "exec events"},
    [FEAT_SCHED] = {"scheduler", "CPU and scheduler columns"},
    [FEAT_DISK] = {"disk", "disk columns"},
    [FEAT_WRITEBACK] = {"writeback", "write-back per dirtying thread"},
    [FEAT_BPF_STATS] = {"bpf_stats", "BPF run-time statistics"},
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

		if (!st->wanted || !st->why[0])
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "; " : "", st->why);
	}
}

int feature_by_name(const char *name)
{
	for (int i = 0; i < FEAT_NUM; i++)
		if (!strcmp(feature_descs[i].name, name))
			return i;
	return -1;
}
