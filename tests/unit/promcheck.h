/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What a Prometheus scraper sees in the exporter's text: values by series, and their increases. */
#ifndef EBTOP_PROMCHECK_H
#define EBTOP_PROMCHECK_H

#include <stdio.h>
#include <string.h>

/* Values of one metric in a rendering, by label string; returns the count. */
static inline size_t parse_metric(const char *text, const char *name, char keys[][256],
				  double *vals, size_t max)
{
	size_t n = 0, len = strlen(name);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *sp, *nl;

		if (strncmp(p, name, len) || (p[len] != '{' && p[len] != ' '))
			continue;
		nl = strchr(p, '\n');
		sp = nl ? nl : p + strlen(p);
		while (sp > p && sp[-1] != ' ')
			sp--;
		assert_true(n < max);
		snprintf(keys[n], 256, "%.*s", (int)(sp - p - 1), p);
		vals[n] = strtod(sp, NULL);
		n++;
	}
	return n;
}

/*
 * What a scraper can count: for each series, the increase since the value it
 * last showed (a series that reappears after being folded resumes there; a
 * new one counts from 0). Checks that no series ever shows a smaller value
 * than before, and returns the step's total increase.
 */
struct seen {
	char key[256];
	double last;
};

static inline double increase(struct seen *seen, size_t *nseen, size_t max, char keys[][256],
			      const double *vals, size_t n, int step)
{
	double inc = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < *nseen && strcmp(seen[j].key, keys[i]); j++)
			;
		if (j == *nseen) {
			assert_true(j < max);
			snprintf(seen[j].key, sizeof(seen[j].key), "%s", keys[i]);
			seen[j].last = 0;
			(*nseen)++;
		}
		if (vals[i] < seen[j].last)
			fail_msg("step %d: %s went from %.0f to %.0f", step, keys[i], seen[j].last,
				 vals[i]);
		inc += vals[i] - seen[j].last;
		seen[j].last = vals[i];
	}
	return inc;
}

#endif
