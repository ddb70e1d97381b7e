// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A bounded ring of recent events for the API: appended once per snapshot, read newest first. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "serve/evring.h"

/*
 * Slots are as small as their kind allows: a connection event is a fifth of
 * an exec event (whose arguments take 512 bytes), so a ring of 10,000
 * connection events is 2 MB rather than 6. The buffer is allocated whole;
 * the kernel makes its pages resident only as the ring fills.
 */
struct slot {
	uint64_t seq;
	uint64_t lost_before;
	unsigned char ev[]; /* the first esize bytes of a struct event */
};

struct evring {
	pthread_mutex_t lock;
	enum evring_kind kind;
	size_t cap;
	size_t esize;	 /* bytes of struct event kept */
	size_t slotsize; /* header and esize, 8-byte aligned */
	size_t head;	 /* next slot written */
	size_t count;	 /* slots in use */
	uint64_t appended;
	unsigned char *buf;
};

struct evring *evring_new(enum evring_kind kind, size_t cap)
{
	struct evring *r;

	if (cap < 1 || cap > EVRING_KEEP_MAX)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->kind = kind;
	r->cap = cap;
	r->esize = kind == EVRING_EXEC
		       ? sizeof(struct event)
		       : offsetof(struct event, conn) + sizeof(struct ebtop_conn_rec);
	r->slotsize = (sizeof(struct slot) + r->esize + 7) & ~(size_t)7;
	r->buf = malloc(cap * r->slotsize);
	if (!r->buf) {
		free(r);
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	return r;
}

void evring_free(struct evring *r)
{
	if (!r)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r->buf);
	free(r);
}

size_t evring_cap(const struct evring *r)
{
	return r->cap;
}

bool evring_wants(const struct evring *r, const struct event *e)
{
	if (r->kind == EVRING_EXEC)
		return e->kind == EBTOP_EV_EXEC;
	return e->kind == EBTOP_EV_CONNECT || e->kind == EBTOP_EV_ACCEPT ||
	       e->kind == EBTOP_EV_CLOSE;
}

static struct slot *slot_at(const struct evring *r, size_t i)
{
	return (struct slot *)(r->buf + i * r->slotsize);
}

void evring_push(struct evring *r, uint64_t seq, uint64_t lost_before, const struct event *ev,
		 size_t n)
{
	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < n; i++) {
		struct slot *s;

		if (!evring_wants(r, &ev[i]))
			continue;
		s = slot_at(r, r->head);
		s->seq = seq;
		s->lost_before = lost_before;
		memcpy(s->ev, &ev[i], r->esize);
		r->head = (r->head + 1) % r->cap;
		if (r->count < r->cap)
			r->count++;
		r->appended++;
	}
	pthread_mutex_unlock(&r->lock);
}

/* The process an event belongs to, read from the slot without a full copy. */
static uint32_t slot_pid(const struct evring *r, const struct slot *s)
{
	size_t off = r->kind == EVRING_EXEC ? offsetof(struct event, exec.pid)
					    : offsetof(struct event, conn.tgid);
	uint32_t pid;

	memcpy(&pid, s->ev + off, sizeof(pid));
	return pid;
}

size_t evring_visit(struct evring *r, uint64_t max_seq, uint32_t pid, size_t limit, evring_fn fn,
		    void *ctx)
{
	struct event e;
	size_t matched = 0;

	pthread_mutex_lock(&r->lock);
	for (size_t k = 0; k < r->count; k++) {
		const struct slot *s = slot_at(r, (r->head + r->cap - 1 - k) % r->cap);

		if (s->seq > max_seq)
			continue; /* appended for a snapshot newer than the reader's */
		if (pid && slot_pid(r, s) != pid)
			continue;
		if (matched++ >= limit)
			continue;
		memset(&e, 0, sizeof(e));
		memcpy(&e, s->ev, r->esize);
		fn(&e, s->seq, s->lost_before, ctx);
	}
	pthread_mutex_unlock(&r->lock);
	return matched;
}

void evring_counts(struct evring *r, uint64_t *appended, uint64_t *overwritten)
{
	pthread_mutex_lock(&r->lock);
	*appended = r->appended;
	*overwritten = r->appended - r->count;
	pthread_mutex_unlock(&r->lock);
}
