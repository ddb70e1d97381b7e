// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ebtop replay in the interactive view: keys that step through a recording. */
#include <time.h>
#include "tui/tui_int.h"

static void show(struct tui *t, struct snapshot *s, const char *err)
{
	char when[32];
	size_t i, n;
	time_t sec;
	struct tm tm;

	if (!s) {
		tui_message(t, true, "%s", err);
		return;
	}
	sec = (time_t)(s->wall_ns / 1000000000ULL);
	localtime_r(&sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	/* Through the feed, like a live snapshot: the screen code has one way in. Taken at
	 * once, so the next frame shows the rows and the message of the same sample. */
	feed_publish(t->feed, s);
	snapshot_put(s);
	tui_on_feed(t);
	t->replay->where(t->replay->ctx, &i, &n);
	tui_message(t, false, "replay %s  sample %zu of %zu  ([ ] step  { } x10  g time)", when,
		    i + 1, n);
}

bool tui_replay_key(struct tui *t, int ch)
{
	char err[160];
	long delta;

	switch (ch) {
	case ']':
		delta = 1;
		break;
	case '[':
		delta = -1;
		break;
	case '}':
		delta = 10;
		break;
	case '{':
		delta = -10;
		break;
	default:
		return false;
	}
	show(t, t->replay->step(t->replay->ctx, delta, err, sizeof(err)), err);
	return true;
}

void tui_replay_seek(struct tui *t, const char *when)
{
	char err[160];

	show(t, t->replay->seek(t->replay->ctx, when, err, sizeof(err)), err);
}

void tui_replay_hint(struct tui *t)
{
	size_t i, n;

	t->replay->where(t->replay->ctx, &i, &n);
	tui_message(t, false, "replay: sample %zu of %zu   [ ] step  { } x10  g go to a time",
		    i + 1, n);
}
