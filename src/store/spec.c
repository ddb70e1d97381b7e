// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Parsers for history options: durations, sizes, downsampling tiers and points in time. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "core/clock.h"
#include "store/store.h"

static bool is_off(const char *s)
{
	return !strcmp(s, "0") || !strcasecmp(s, "off") || !strcasecmp(s, "none");
}

/* A number followed by an optional suffix from units[]; the multiplier goes to *out. */
static int parse_scaled(const char *s, const char *const *suffix, const double *mult, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0 || isspace((unsigned char)*s))
		return -EINVAL;
	if (!*end) {
		*out = v * mult[0];
		return 0;
	}
	for (int i = 1; suffix[i]; i++) {
		if (!strcasecmp(end, suffix[i])) {
			*out = v * mult[i];
			return 0;
		}
	}
	return -EINVAL;
}

int store_parse_duration(const char *s, uint64_t *ns)
{
	static const char *const suffix[] = {"", "s", "m", "h", "d", "w", "ms", NULL};
	static const double mult[] = {1e9, 1e9, 60e9, 3600e9, 86400e9, 604800e9, 1e6};
	double v;

	if (!s || !*s)
		return -EINVAL;
	if (is_off(s)) {
		*ns = 0;
		return 0;
	}
	if (parse_scaled(s, suffix, mult, &v) || v < 1 || v > 1e19)
		return -EINVAL;
	*ns = (uint64_t)llround(v);
	return 0;
}

int store_parse_size(const char *s, uint64_t *bytes)
{
	static const char *const suffix[] = {"",   "k",	  "m",	 "g",	"t",   "kb", "mb", "gb",
					     "tb", "kib", "mib", "gib", "tib", "b",  NULL};
	static const double K = 1024, M = K * 1024, G = M * 1024, T = G * 1024;
	static const double mult[] = {1, K, M, G, T, K, M, G, T, K, M, G, T, 1};
	double v;

	if (!s || !*s)
		return -EINVAL;
	if (is_off(s)) {
		*bytes = 0;
		return 0;
	}
	if (parse_scaled(s, suffix, mult, &v) || v < 4096 || v > 1e18)
		return -EINVAL;
	*bytes = (uint64_t)v;
	return 0;
}

int store_parse_tiers(const char *s, struct store_opts *o)
{
	char tmp[256], *save = NULL, *tok;
	struct store_tier t[STORE_MAX_TIERS];
	int n = 0;

	if (!s || strlen(s) >= sizeof(tmp))
		return -EINVAL;
	if (is_off(s)) {
		o->ntiers = 0;
		return 0;
	}
	strcpy(tmp, s);
	for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		uint64_t age, step;

		if (!colon || n == STORE_MAX_TIERS)
			return -EINVAL;
		*colon = '\0';
		if (store_parse_duration(tok, &age) || store_parse_duration(colon + 1, &step))
			return -EINVAL;
		/* Whole seconds, at least 2 s, and every tier coarser and later than the last. */
		if (!age || step < 2 * NSEC_PER_SEC || step % NSEC_PER_SEC ||
		    step / NSEC_PER_SEC > 86400 * 7)
			return -EINVAL;
		if (n && (age <= t[n - 1].age_ns || step / NSEC_PER_SEC <= t[n - 1].step_s ||
			  (step / NSEC_PER_SEC) % t[n - 1].step_s))
			return -EINVAL;
		t[n].age_ns = age;
		t[n].step_s = (uint32_t)(step / NSEC_PER_SEC);
		n++;
	}
	if (!n)
		return -EINVAL;
	memcpy(o->tiers, t, sizeof(t[0]) * (size_t)n);
	o->ntiers = n;
	return 0;
}

/* "HH:MM[:SS]" -> seconds after midnight. */
static int parse_tod(const char *s, uint64_t *ns)
{
	unsigned h, m, sec = 0;
	int used = 0;

	if (sscanf(s, "%2u:%2u%n", &h, &m, &used) != 2)
		return -EINVAL;
	if (s[used] == ':') {
		int more = 0;

		if (sscanf(s + used, ":%2u%n", &sec, &more) != 1)
			return -EINVAL;
		used += more;
	}
	if (s[used] || h > 23 || m > 59 || sec > 60)
		return -EINVAL;
	*ns = ((uint64_t)h * 3600 + m * 60 + sec) * NSEC_PER_SEC;
	return 0;
}

/* "YYYY-MM-DD HH:MM[:SS]" or with a T, local time. */
static int parse_datetime(const char *s, uint64_t *ns)
{
	struct tm tm;
	const char *rest;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	rest = strptime(s, "%Y-%m-%d", &tm);
	if (!rest || (*rest != ' ' && *rest != 'T'))
		return -EINVAL;
	rest = strptime(rest + 1, "%H:%M", &tm);
	if (!rest)
		return -EINVAL;
	if (*rest == ':') {
		rest = strptime(rest + 1, "%S", &tm);
		if (!rest)
			return -EINVAL;
	}
	if (*rest)
		return -EINVAL;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t < 0)
		return -EINVAL;
	*ns = (uint64_t)t * NSEC_PER_SEC;
	return 0;
}

/* Epoch seconds with up to 9 decimals, exactly: a double would miss by ~100 ns. */
static int parse_epoch(const char *s, struct store_time *t)
{
	uint64_t sec = 0, frac = 0, scale = 100000000;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		sec = sec * 10 + (uint64_t)(*p - '0');
		if (sec > 10000000000ULL)
			return -EINVAL;
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++) {
			frac += (uint64_t)(*p - '0') * scale;
			scale /= 10;
		}
	}
	if (*p)
		return -EINVAL;
	t->kind = STIME_ABS;
	t->ns = sec * NSEC_PER_SEC + frac;
	return 0;
}

int store_parse_time(const char *s, struct store_time *t)
{
	if (!s || !*s)
		return -EINVAL;
	if (!strcasecmp(s, "first")) {
		*t = (struct store_time){STIME_FIRST, 0};
		return 0;
	}
	if (!strcasecmp(s, "last") || !strcasecmp(s, "now")) {
		*t = (struct store_time){STIME_LAST, 0};
		return 0;
	}
	if (s[0] == '-') {
		t->kind = STIME_LAST;
		return store_parse_duration(s + 1, &t->ns);
	}
	if (strchr(s, '-') && !parse_datetime(s, &t->ns)) {
		t->kind = STIME_ABS;
		return 0;
	}
	if (strchr(s, ':')) {
		t->kind = STIME_TOD;
		return parse_tod(s, &t->ns);
	}
	if (s[0] == '@')
		s++;
	return parse_epoch(s, t);
}

uint64_t store_time_resolve(const struct store_time *t, uint64_t first_ns, uint64_t last_ns)
{
	struct tm tm;
	time_t day;

	switch (t->kind) {
	case STIME_FIRST:
		return first_ns;
	case STIME_LAST:
		return last_ns > t->ns ? last_ns - t->ns : 0;
	case STIME_TOD:
		day = (time_t)(last_ns / NSEC_PER_SEC);
		localtime_r(&day, &tm);
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = -1;
		day = mktime(&tm);
		return (uint64_t)(day > 0 ? day : 0) * NSEC_PER_SEC + t->ns;
	default:
		return t->ns;
	}
}
