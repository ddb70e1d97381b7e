// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Log-linear latency buckets and the percentiles, interval deltas and summaries read from them. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "model/hist.h"
#include "testutil.h"

/* Every value lands in a bucket whose bounds hold it, and buckets are contiguous. */
static void test_bucket_bounds(void **state)
{
	static const uint64_t vals[] = {0,	  1,	  127,	    128,      2047,	2048,
					2049,	  4095,	  4096,	    100000,   123456789, 1ull << 36,
					(1ull << 37) - 1};

	(void)state;
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		uint32_t b = ebtop_hist_bucket(vals[i]);

		assert_true(b < EBTOP_HIST_BUCKETS);
		assert_true(ebtop_hist_lower(b) <= vals[i]);
		assert_true(vals[i] < ebtop_hist_lower(b + 1));
	}
	for (uint32_t b = 0; b < EBTOP_HIST_BUCKETS; b++) {
		assert_true(ebtop_hist_lower(b) < ebtop_hist_lower(b + 1));
		assert_int_equal(ebtop_hist_bucket(ebtop_hist_lower(b)), b);
		assert_int_equal(ebtop_hist_bucket(ebtop_hist_lower(b + 1) - 1), b);
	}
	/* Beyond the range: the last bucket, never out of bounds. */
	assert_int_equal(ebtop_hist_bucket(UINT64_MAX), EBTOP_HIST_BUCKETS - 1);
}

/* Above the linear part a bucket is at most 1/16 of its lower bound wide (log2 would be 1/1). */
static void test_bucket_width(void **state)
{
	(void)state;
	for (uint32_t b = 2 * EBTOP_HIST_SUB; b < EBTOP_HIST_BUCKETS; b++) {
		double lo = (double)ebtop_hist_lower(b), hi = (double)ebtop_hist_lower(b + 1);

		assert_true((hi - lo) / lo <= 1.0 / EBTOP_HIST_SUB + 1e-12);
	}
}

static void add(struct ebtop_hist *h, uint64_t ns)
{
	h->count++;
	h->sum_ns += ns;
	h->b[ebtop_hist_bucket(ns)]++;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Percentiles of known distributions against the exact order statistics: within a bucket. */
static void test_percentiles_vs_exact(void **state)
{
	static struct ebtop_hist h;
	static uint64_t v[20000];
	uint32_t d[EBTOP_HIST_BUCKETS];
	struct lat_summary s;
	uint64_t sum, n;
	double exact_sum = 0;

	(void)state;
	memset(&h, 0, sizeof(h));
	srand(7);
	for (size_t i = 0; i < 20000; i++) {
		/* Bimodal: 90% around 100 us, 10% around 5 ms, as a disk with a slow tail. */
		v[i] = i % 10 ? 80000 + (uint64_t)(rand() % 40000) : 4000000 + (uint64_t)(rand() % 2000000);
		add(&h, v[i]);
		exact_sum += (double)v[i];
	}
	qsort(v, 20000, sizeof(v[0]), cmp_u64);
	n = hist_delta(d, &h, NULL, &sum);
	assert_int_equal(n, 20000);
	hist_summary(&s, d, n, sum);
	assert_near(s.avg, exact_sum / 20000, 1e-6);
	assert_near(s.p50, (double)v[9999], (double)v[9999] / 16);
	assert_near(s.p99, (double)v[19799], (double)v[19799] / 16);
	assert_true(s.min <= (double)v[0] && s.min >= (double)v[0] * 15 / 16);
	assert_true(s.max >= (double)v[19999] && s.max <= (double)v[19999] * 17 / 16);
}

/* The interval is the difference of two cumulative histograms, modulo 2^32 per bucket. */
static void test_delta(void **state)
{
	static struct ebtop_hist a, b;
	uint32_t d[EBTOP_HIST_BUCKETS];
	uint32_t k = ebtop_hist_bucket(50000);
	struct lat_summary s;
	uint64_t sum, n;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.count = 10;
	a.sum_ns = 10 * 50000;
	a.b[k] = UINT32_MAX - 4; /* about to wrap */
	b = a;
	b.count += 10;
	b.sum_ns += 10 * 50000;
	b.b[k] += 10; /* wraps to 5 */
	n = hist_delta(d, &b, &a, &sum);
	assert_int_equal(n, 10);
	assert_int_equal(d[k], 10);
	assert_int_equal(sum, 10 * 50000);
	hist_summary(&s, d, n, sum);
	assert_near(s.avg, 50000, 1e-9);
	assert_true(s.p50 >= (double)ebtop_hist_lower(k) && s.p50 <= (double)ebtop_hist_lower(k + 1));
	/* An entry recreated since (fewer requests than before): taken as it is. */
	n = hist_delta(d, &a, &b, &sum);
	assert_int_equal(n, 10);
}

static void test_empty(void **state)
{
	uint32_t d[EBTOP_HIST_BUCKETS] = {0};
	struct lat_summary s;

	(void)state;
	hist_summary(&s, d, 0, 0);
	assert_true(isnan(s.min) && isnan(s.avg) && isnan(s.p50) && isnan(s.p99) && isnan(s.max));
	assert_true(isnan(hist_percentile(d, 0.5)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_bounds),
		cmocka_unit_test(test_bucket_width),
		cmocka_unit_test(test_percentiles_vs_exact),
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
