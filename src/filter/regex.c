// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Compiles '~' patterns with POSIX regcomp after refusing the ones that would blow up. */
#include <stdio.h>
#include <string.h>

#include "filter_int.h"

/*
 * Filters may arrive from the network (ebtop serve), and glibc's regex engine
 * trusts its pattern: it expands a{n,m} into m copies (nested bounds
 * multiply), a repetition of a repetition ("a?+", "((a?)+)+") costs it time
 * exponential in the nesting, repeating something that can match the empty
 * string ("(|a?){20}(a?)+") makes regexec exponential, so do back-references,
 * and these paths had CVEs (CVE-2018-20796, CVE-2019-9192). So before regcomp
 * we refuse back-references, adjacent repetitions (undefined in POSIX anyway)
 * and repetitions of what can be empty (other than '?'), and bound the
 * nesting of repetitions and the size of the pattern once repetitions are
 * expanded. Real filters ("^(java|python)", "[0-9]{1,3}", "(-[a-z]+)*") stay
 * far below these limits.
 */
#define RE_MAX_BOUND   255
#define RE_MAX_NODES   1000
#define RE_MAX_DEPTH   32
#define RE_MAX_REPNEST 4

/* What we know of one group (or of the whole pattern) while reading it. */
struct re_level {
	size_t len;	   /* expanded size of this group so far */
	size_t last;	   /* expanded size of its last atom, which a repetition multiplies */
	int rep;	   /* deepest nesting of repetitions in this group so far */
	int last_rep;	   /* nesting of repetitions in its last atom */
	bool has_last;	   /* the current branch has an atom to repeat */
	bool nul_before;   /* the current branch can be empty before its last atom */
	bool last_nul;	   /* the last atom can match the empty string */
	bool nul_branches; /* an earlier branch of this group can be empty */
};

/* A repetition: {min, max}, max < 0 when unbounded. */
struct re_bound {
	long min, max;
};

static void re_level_init(struct re_level *l)
{
	memset(l, 0, sizeof(*l));
	l->nul_before = true;
	l->last_nul = true;
}

static bool re_level_nullable(const struct re_level *l)
{
	return l->nul_branches || (l->nul_before && l->last_nul);
}

/* Returns the index of the ']' closing the bracket expression at p[i], or of the last byte. */
static size_t skip_bracket(const char *p, size_t i)
{
	size_t j = i + 1;

	if (p[j] == '^')
		j++;
	if (p[j] == ']')
		j++;
	while (p[j] && p[j] != ']') {
		if (p[j] == '[' && (p[j + 1] == ':' || p[j + 1] == '.' || p[j + 1] == '=')) {
			char close = p[j + 1];
			size_t k = j + 2;

			while (p[k] && !(p[k] == close && p[k + 1] == ']'))
				k++;
			if (!p[k])
				return k - 1;
			j = k + 2;
			continue;
		}
		j++;
	}
	return p[j] ? j : j - 1;
}

/* Reads a repetition count, saturating: only "above the limit" matters. */
static long read_count(const char *p, size_t *j)
{
	long v = -1;

	for (; p[*j] >= '0' && p[*j] <= '9'; (*j)++) {
		v = (v < 0 ? 0 : v) * 10 + (p[*j] - '0');
		if (v > 100000)
			v = 100000;
	}
	return v;
}

/* Reads "{m}", "{m,}", "{m,n}" or "{,n}" at p[*i]; false if it is a literal '{'. */
static bool read_bound(const char *p, size_t *i, struct re_bound *b)
{
	size_t j = *i + 1;
	long m, n = -1;
	bool comma = false;

	m = read_count(p, &j);
	if (p[j] == ',') {
		comma = true;
		j++;
		n = read_count(p, &j);
	}
	if (p[j] != '}' || (m < 0 && n < 0))
		return false;
	*i = j;
	b->min = m < 0 ? 0 : m;
	b->max = !comma ? m : n;
	return true;
}

static void re_atom(struct re_level *l, size_t size, int rep, bool nul)
{
	l->nul_before = l->nul_before && l->last_nul;
	l->last_nul = nul;
	l->has_last = true;
	l->len += size;
	l->last = size;
	l->last_rep = rep;
	if (rep > l->rep)
		l->rep = rep;
}

static int re_repeat(struct re_level *l, char op, const struct re_bound *b, char *msg,
		     size_t msglen)
{
	/* glibc writes a{2,5} as 5 copies, a{2,} as 3 (the last starred), a+ as aa*. */
	size_t copies = b->max < 0 ? (size_t)b->min + 1 : b->max > 1 ? (size_t)b->max : 1;

	if (b->min > RE_MAX_BOUND || b->max > RE_MAX_BOUND) {
		snprintf(msg, msglen, "regex repetition count above %d", RE_MAX_BOUND);
		return -1;
	}
	if (l->last_nul && (b->max < 0 || b->max > 1)) {
		snprintf(msg, msglen,
			 "regex repeats ('%c') something that can match the empty string", op);
		return -1;
	}
	l->len += l->last * (copies - 1) + 1;
	l->last *= copies;
	if (++l->last_rep > l->rep)
		l->rep = l->last_rep;
	if (l->rep > RE_MAX_REPNEST) {
		snprintf(msg, msglen, "regex repetitions nested too deeply (more than %d)",
			 RE_MAX_REPNEST);
		return -1;
	}
	if (b->min == 0)
		l->last_nul = true;
	return 0;
}

static int regex_check(const char *p, char *msg, size_t msglen)
{
	struct re_level st[RE_MAX_DEPTH + 1];
	bool after_rep = false, rep;
	struct re_bound b = {0, 0};
	size_t i, d = 0;

	re_level_init(&st[0]);
	for (i = 0; p[i]; i++, after_rep = rep) {
		char c = p[i];

		rep = false;
		switch (c) {
		case '\\':
			if (p[i + 1] >= '1' && p[i + 1] <= '9') {
				snprintf(msg, msglen, "back-references (\\%c) are not supported",
					 p[i + 1]);
				return -1;
			}
			if (p[i + 1])
				i++;
			re_atom(&st[d], 1, 0, false);
			break;
		case '[':
			i = skip_bracket(p, i);
			re_atom(&st[d], 1, 0, false);
			break;
		case '(':
			if (d == RE_MAX_DEPTH) {
				snprintf(msg, msglen,
					 "regex nested too deeply (more than %d groups)",
					 RE_MAX_DEPTH);
				return -1;
			}
			re_level_init(&st[++d]);
			break;
		case ')':
			if (d == 0) {
				re_atom(&st[d], 1, 0, false);
				break;
			}
			d--;
			re_atom(&st[d], st[d + 1].len ? st[d + 1].len : 1, st[d + 1].rep,
				re_level_nullable(&st[d + 1]));
			break;
		case '|':
			st[d].nul_branches = re_level_nullable(&st[d]);
			st[d].nul_before = st[d].last_nul = true;
			st[d].has_last = false;
			st[d].last = 0;
			st[d].len++;
			break;
		case '{':
		case '*':
		case '+':
		case '?':
			if (c == '{' && !read_bound(p, &i, &b)) {
				re_atom(&st[d], 1, 0, false); /* a literal '{' */
				break;
			}
			rep = true;
			if (!st[d].has_last)
				break; /* nothing to repeat: regcomp has its own word on that */
			if (after_rep) {
				snprintf(
				    msg, msglen,
				    "regex repeats a repetition ('%c' after another); use a group",
				    c);
				return -1;
			}
			if (c != '{') {
				b.min = c == '+';
				b.max = c == '?' ? 1 : -1;
			}
			if (re_repeat(&st[d], c, &b, msg, msglen) < 0)
				return -1;
			break;
		default:
			/* Anchors match the empty string. */
			re_atom(&st[d], 1, 0, c == '^' || c == '$');
			break;
		}
		if (st[d].len > RE_MAX_NODES) {
			snprintf(msg, msglen,
				 "regex too large once repetitions are expanded (limit %d)",
				 RE_MAX_NODES);
			return -1;
		}
	}
	return 0;
}

int flt_regex_compile(regex_t *re, const char *pat, char *msg, size_t msglen)
{
	char why[120];
	int rc;

	if (regex_check(pat, msg, msglen) < 0)
		return -1;
	rc = regcomp(re, pat, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		regerror(rc, re, why, sizeof(why));
		snprintf(msg, msglen, "invalid regex: %s", why);
		return -1;
	}
	return 0;
}
