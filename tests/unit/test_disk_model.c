// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Disk fields from synthetic samples: rates, SEQ%, CACHE%, per-process latency, per-disk rows. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "model/model.h"
#include "testutil.h"

#define SEC 1000000000ULL

static void rec(struct ebtop_task_rec *r, uint32_t pid, uint64_t rd, uint64_t rd_ios,
		uint64_t seq, uint64_t file_rd)
{
	memset(r, 0, sizeof(*r));
	r->kind = EBTOP_REC_LIVE;
	r->tid = r->tgid = pid;
	r->start_ns = r->pstart_ns = 7;
	snprintf(r->comm, sizeof(r->comm), "p%u", pid);
	r->st.disk.bytes[EBTOP_DISK_READ] = rd;
	r->st.disk.ios[EBTOP_DISK_READ] = rd_ios;
	r->st.disk.seq[EBTOP_DISK_READ] = seq;
	r->st.disk.file_rd = file_rd;
}

/* n requests of lat_ns each, added to a cumulative histogram. */
static void lat_add(struct ebtop_hist *h, uint64_t n, uint64_t lat_ns)
{
	h->count += n;
	h->sum_ns += n * lat_ns;
	h->b[ebtop_hist_bucket(lat_ns)] += (uint32_t)n;
}

static const struct row *proc(const struct snapshot *s, uint32_t pid)
{
	const struct row *r = snapshot_find(s, pid);

	assert_non_null(r);
	return r;
}

static void test_rates_seq_cache_latency(void **state)
{
	static struct disk_lat_rec lat;
	static struct ebtop_disk_dev dev;
	struct model *m = model_new(0, NULL, NULL);
	struct ebtop_task_rec r;
	struct sample s = {.recs = &r, .nrecs = 1, .avail = NEED_DISK, .lats = &lat, .nlats = 1,
			   .disks = &dev, .ndisks = 1};
	struct snapshot *s1, *s2;
	const struct row *p;

	(void)state;
	memset(&lat, 0, sizeof(lat));
	memset(&dev, 0, sizeof(dev));
	lat.key.tgid = 10;
	lat.key.pstart_ns = 7;
	snprintf(dev.name, sizeof(dev.name), "vda");
	dev.dev = 254u << 20;

	/* 1 s: 100 reads of 4 KiB, 90 sequential, all file reads from the disk, 100 us each. */
	rec(&r, 10, 409600, 100, 90, 409600);
	lat_add(&lat.lat.q, 100, 100000);
	lat_add(&lat.lat.s, 100, 80000);
	dev.bytes[EBTOP_DISK_READ] = 409600;
	dev.ios[EBTOP_DISK_READ] = 100;
	lat_add(&dev.lat[EBTOP_DISK_READ].q, 100, 100000);
	lat_add(&dev.lat[EBTOP_DISK_READ].s, 100, 80000);
	s.mono_ns = SEC;
	s1 = model_update(m, &s);
	assert_non_null(s1);
	p = proc(s1, 10);
	assert_near(p->v[F_DISK_R_RATE], 409600, 1e-6);
	assert_near(p->v[F_R_IOPS], 100, 1e-9);
	assert_near(p->v[F_SEQ_PCT], 90, 1e-9);
	assert_near(p->v[F_CACHE_PCT], 0, 1e-9);
	assert_near(p->v[F_IO_LAT], 100000, 1e-6);
	assert_near(p->v[F_IO_SVC], 80000, 1e-6);
	assert_near(p->v[F_IO_LAT_P99], 100000, 100000.0 / 16);
	assert_true(isnan(p->v[F_W_IOPS]) == 0 && p->v[F_W_IOPS] == 0);
	assert_int_equal(s1->ndisks, 1);
	assert_string_equal(s1->disks[0].name, "vda");
	assert_near(s1->disks[0].iops[EBTOP_DISK_READ], 100, 1e-9);
	assert_near(s1->disks[0].lat.avg, 100000, 1e-6);
	assert_near(s1->disks[0].op_lat[EBTOP_DISK_READ].avg, 100000, 1e-6);
	assert_true(isnan(s1->disks[0].op_lat[EBTOP_DISK_WRITE].avg));

	/* Next 2 s: 4 MiB of file reads, none from the disk; no request ends. */
	rec(&r, 10, 409600, 100, 90, 409600 + (4 << 20));
	s.mono_ns = 3 * SEC;
	s2 = model_update(m, &s);
	assert_non_null(s2);
	p = proc(s2, 10);
	assert_near(p->v[F_DISK_R_RATE], 0, 1e-9);
	assert_near(p->v[F_CACHE_PCT], 100, 1e-9);
	assert_near(p->v[F_FILE_R_RATE], (4 << 20) / 2.0, 1e-6);
	assert_true(isnan(p->v[F_SEQ_PCT]));   /* no request: no share */
	assert_true(isnan(p->v[F_IO_LAT]));    /* no request ended in the interval */
	assert_true(isnan(s2->disks[0].lat.avg));
	assert_near(s2->disks[0].iops[EBTOP_DISK_READ], 0, 1e-9);
	snapshot_put(s1);
	snapshot_put(s2);
	model_free(m);
}

/* Without the disk collector every disk field is unavailable, never 0. */
static void test_unavailable(void **state)
{
	struct model *m = model_new(0, NULL, NULL);
	struct ebtop_task_rec r;
	struct sample s = {.mono_ns = SEC, .recs = &r, .nrecs = 1, .avail = NEED_NET};
	struct snapshot *s1;
	const struct row *p;

	(void)state;
	rec(&r, 11, 0, 0, 0, 100);
	s1 = model_update(m, &s);
	assert_non_null(s1);
	p = proc(s1, 11);
	assert_true(isnan(p->v[F_DISK_R_RATE]) && isnan(p->v[F_CACHE_PCT]) &&
		    isnan(p->v[F_FILE_R_RATE]) && isnan(s1->total.v[F_DISK_W_RATE]));
	assert_int_equal(s1->ndisks, 0);
	snapshot_put(s1);
	model_free(m);
}

/* Socket bytes read with read() are in rchar: they are not file bytes. */
static void test_file_bytes_exclude_sockets(void **state)
{
	struct model *m = model_new(0, NULL, NULL);
	struct ebtop_task_rec r;
	struct sample s = {.mono_ns = SEC, .recs = &r, .nrecs = 1, .avail = NEED_DISK | NEED_NET};
	struct snapshot *s1;
	const struct row *p;

	(void)state;
	rec(&r, 12, 0, 0, 0, 5000);
	r.st.net.c[EBTOP_TCP][EBTOP_V4][EBTOP_RX].bytes = 3000;
	s1 = model_update(m, &s);
	assert_non_null(s1);
	p = proc(s1, 12);
	assert_near(p->v[F_FILE_R_TOTAL], 2000, 1e-9);
	assert_near(p->v[F_CACHE_PCT], 100, 1e-9);
	snapshot_put(s1);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates_seq_cache_latency),
		cmocka_unit_test(test_unavailable),
		cmocka_unit_test(test_file_bytes_exclude_sockets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
