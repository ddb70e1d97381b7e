// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Label-keyed series with a hash index: the bookkeeping of both Prometheus exporters. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "serve/series.h"

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static struct series *series_new(const struct series_table *t, const char *key, size_t keylen)
{
	struct series *s = calloc(1, sizeof(*s) + 4 * t->nm * sizeof(double));
	const char *p;

	if (!s)
		return NULL;
	/* NUL padding: a truncated key still parses into every label. */
	s->key = calloc(1, keylen + t->nlabels);
	if (!s->key) {
		free(s);
		return NULL;
	}
	memcpy(s->key, key, keylen);
	s->keylen = keylen;
	s->hash = fnv1a(key, keylen);
	p = s->key;
	for (unsigned i = 0; i < t->nlabels; i++) {
		s->label[i] = p;
		p += strlen(p) + 1;
	}
	s->acc = s->data;
	s->live = s->acc + t->nm;
	s->prev = s->live + t->nm;
	s->folded = s->prev + t->nm;
	return s;
}

static void series_free(struct series *s)
{
	if (s)
		free(s->key);
	free(s);
}

static int index_rebuild(struct series_table *t)
{
	size_t cap = 64;
	struct series **idx;

	while (cap < t->nseries * 2)
		cap *= 2;
	idx = calloc(cap, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < t->nseries; i++) {
		size_t h = t->series[i]->hash & (cap - 1);

		while (idx[h])
			h = (h + 1) & (cap - 1);
		idx[h] = t->series[i];
	}
	free(t->index);
	t->index = idx;
	t->index_cap = cap;
	return 0;
}

int series_table_init(struct series_table *t, size_t nm, unsigned nlabels, size_t max_series,
		      const char *other_key, size_t other_keylen)
{
	memset(t, 0, sizeof(*t));
	t->nm = nm;
	t->nlabels = nlabels < SERIES_MAX_LABELS ? nlabels : SERIES_MAX_LABELS;
	t->max_series = max_series;
	t->gauge = calloc(nm ? nm : 1, sizeof(*t->gauge));
	t->other_fold = calloc(nm ? nm : 1, sizeof(*t->other_fold));
	t->other = series_new(t, other_key, other_keylen);
	if (!t->gauge || !t->other_fold || !t->other || index_rebuild(t)) {
		series_table_fini(t);
		return -ENOMEM;
	}
	return 0;
}

void series_table_fini(struct series_table *t)
{
	for (size_t i = 0; i < t->nseries; i++)
		series_free(t->series[i]);
	series_free(t->other);
	free(t->series);
	free(t->index);
	free(t->gauge);
	free(t->other_fold);
	free(t->shown);
	memset(t, 0, sizeof(*t));
}

void series_table_begin(struct series_table *t)
{
	for (size_t i = 0; i < t->nseries; i++) {
		struct series *s = t->series[i];

		s->members = 0;
		s->touched = false;
		s->score = 0;
		memset(s->live, 0, t->nm * sizeof(double));
	}
	t->other->members = 0;
	memset(t->other->live, 0, t->nm * sizeof(double));
	for (size_t k = 0; k < t->nm; k++) {
		if (t->gauge[k])
			t->other_fold[k] = 0;
	}
}

static struct series *series_find(const struct series_table *t, const char *key, size_t keylen,
				  uint64_t hash)
{
	for (size_t h = hash & (t->index_cap - 1); t->index[h]; h = (h + 1) & (t->index_cap - 1)) {
		struct series *s = t->index[h];

		if (s->hash == hash && s->keylen == keylen && !memcmp(s->key, key, keylen))
			return s;
	}
	return NULL;
}

struct series *series_table_get(struct series_table *t, const char *key, size_t keylen)
{
	uint64_t hash = fnv1a(key, keylen);
	struct series *s = series_find(t, key, keylen, hash);

	if (s)
		return s;
	if (t->nseries >= t->max_series)
		return t->other;
	if (t->nseries == t->series_cap) {
		size_t cap = t->series_cap ? t->series_cap * 2 : 64;
		struct series **p = realloc(t->series, cap * sizeof(*p));

		if (!p)
			return NULL;
		t->series = p;
		t->series_cap = cap;
	}
	s = series_new(t, key, keylen);
	if (!s)
		return NULL;
	t->series[t->nseries++] = s;
	if (t->nseries * 2 > t->index_cap) {
		if (index_rebuild(t)) {
			series_free(t->series[--t->nseries]);
			return NULL;
		}
	} else {
		size_t h = hash & (t->index_cap - 1);

		while (t->index[h])
			h = (h + 1) & (t->index_cap - 1);
		t->index[h] = s;
	}
	return s;
}

void series_add(const struct series_table *t, struct series *s, const double *cur,
		const double *base, bool left, double score)
{
	for (size_t k = 0; k < t->nm; k++) {
		double b = base ? base[k] : 0;

		if (t->gauge[k])
			s->live[k] += left ? 0 : cur[k];
		else if (left)
			s->acc[k] += cur[k] - b;
		else
			s->live[k] += cur[k] - b;
	}
	s->score += score;
	if (left)
		s->touched = true;
	else
		s->members++;
}

void series_retire(const struct series_table *t, struct series *s, const double *last,
		   const double *base)
{
	for (size_t k = 0; k < t->nm; k++) {
		if (!t->gauge[k])
			s->acc[k] += last[k] - base[k];
	}
	s->touched = true;
}

static int idle_cmp(const void *pa, const void *pb)
{
	const struct series *a = *(const struct series *const *)pa;
	const struct series *b = *(const struct series *const *)pb;

	/* Live series last; among idle ones the longest idle first. */
	if (!a->idle_since != !b->idle_since)
		return a->idle_since ? -1 : 1;
	return a->idle_since < b->idle_since ? -1 : a->idle_since > b->idle_since;
}

int series_table_expire(struct series_table *t, uint64_t now, uint64_t ttl, bool drop_unexported)
{
	size_t w = 0;

	for (size_t i = 0; i < t->nseries; i++) {
		struct series *s = t->series[i];

		if (s->members || s->touched)
			s->idle_since = 0;
		else if (!s->idle_since)
			s->idle_since = now ? now : 1;
		if (s->idle_since &&
		    ((drop_unexported && !s->ever_exported) || now - s->idle_since >= ttl))
			series_free(s);
		else
			t->series[w++] = s;
	}
	if (w > t->max_series) {
		qsort(t->series, w, sizeof(*t->series), idle_cmp);
		while (w > t->max_series && t->series[0]->idle_since) {
			series_free(t->series[0]);
			memmove(t->series, t->series + 1, (w - 1) * sizeof(*t->series));
			w--;
		}
	}
	if (w == t->nseries)
		return 0;
	t->nseries = w;
	return index_rebuild(t);
}

/* Hysteresis: a challenger must beat an exported series by a quarter to replace it. */
static double rank_score(const struct series *s)
{
	return s->exported ? s->score * 1.25 : s->score;
}

/* Highest score first; an exported series keeps its place over an equal challenger. */
static int rank_cmp(const void *pa, const void *pb)
{
	const struct series *a = *(const struct series *const *)pa;
	const struct series *b = *(const struct series *const *)pb;
	double ea = rank_score(a), eb = rank_score(b);
	int c;

	if (ea != eb)
		return ea > eb ? -1 : 1;
	if (a->exported != b->exported)
		return a->exported ? -1 : 1;
	c = memcmp(a->key, b->key, a->keylen < b->keylen ? a->keylen : b->keylen);
	return c ? c : (a->keylen < b->keylen ? -1 : a->keylen > b->keylen);
}

/* A series' increments since the last fold; a folded one's go to "other". */
static void fold_values(struct series_table *t, struct series *s)
{
	for (size_t k = 0; k < t->nm; k++) {
		double val = s->acc[k] + s->live[k], d = val - s->prev[k];

		if (t->gauge[k]) {
			if (!s->exported)
				t->other_fold[k] += s->live[k];
			continue;
		}
		if (d < 0)
			d = 0;
		if (!s->exported) {
			s->folded[k] += d;
			t->other_fold[k] += d;
		}
		s->prev[k] = val;
	}
}

int series_table_fold(struct series_table *t, size_t top,
		      int (*shown_cmp)(const void *, const void *))
{
	struct series_counts *c = &t->counts;
	struct series **rk = calloc(t->nseries ? t->nseries : 1, sizeof(*rk));
	struct series **shown;
	size_t n = 0;

	if (!rk)
		return -ENOMEM;
	shown = realloc(t->shown, ((top < t->nseries ? top : t->nseries) + 1) * sizeof(*shown));
	if (!shown) {
		free(rk);
		return -ENOMEM;
	}
	t->shown = shown;
	for (size_t i = 0; i < t->nseries; i++)
		rk[i] = t->series[i];
	qsort(rk, t->nseries, sizeof(*rk), rank_cmp);
	memset(c, 0, sizeof(*c));
	c->tracked = t->nseries;
	for (size_t i = 0; i < t->nseries; i++) {
		struct series *s = rk[i];

		s->exported = i < top;
		fold_values(t, s);
		if (s->exported) {
			s->ever_exported = true;
			shown[n++] = s;
		} else {
			c->folded++;
			c->folded_live += s->members != 0;
			c->folded_members += s->members;
		}
	}
	c->exported = n;
	c->folded_members += t->other->members;
	t->nshown = n;
	qsort(shown, n, sizeof(*shown), shown_cmp);
	free(rk);
	return 0;
}
