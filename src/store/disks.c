// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Per-disk rows of the history: written with each sample, read back into snapshots. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/grow.h"
#include "store/store_int.h"

/* Histogram text: 432 buckets of "[lo,hi,count]" at most ~40 bytes each. */
#define HIST_TEXT (EBTOP_HIST_BUCKETS * 40 + 8)

static void bind_num(sqlite3_stmt *q, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(q, i);
	else
		sqlite3_bind_double(q, i, v);
}

static double col_num(sqlite3_stmt *q, int i)
{
	return sqlite3_column_type(q, i) == SQLITE_NULL ? NAN : sqlite3_column_double(q, i);
}

static int lazy_prepare(struct store *st, sqlite3_stmt **q, const char *sql)
{
	if (*q) {
		sqlite3_reset(*q);
		return 0;
	}
	return store_prepare(st, sql, q);
}

static int disk_id(struct store *st, const struct disk_row *d, int64_t *id)
{
	int rc, err;

	for (size_t i = 0; i < st->ndisk_ids; i++) {
		if (st->disk_ids[i].dev == d->dev && !strcmp(st->disk_ids[i].name, d->name)) {
			*id = st->disk_ids[i].id;
			return 0;
		}
	}
	err = lazy_prepare(st, &st->find_disk,
			   "INSERT INTO disk (name, dev) VALUES (?1, ?2)"
			   " ON CONFLICT (name, dev) DO UPDATE SET name = name RETURNING id");
	if (err)
		return err;
	sqlite3_bind_text(st->find_disk, 1, d->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st->find_disk, 2, d->dev);
	rc = sqlite3_step(st->find_disk);
	if (rc != SQLITE_ROW) {
		store_set_err(st, "adding a disk");
		sqlite3_reset(st->find_disk);
		return store_errno(sqlite3_extended_errcode(st->db));
	}
	*id = sqlite3_column_int64(st->find_disk, 0);
	sqlite3_reset(st->find_disk);
	/* Remembered until a write fails (the insert may be rolled back with it). */
	if (st->ndisk_ids < STORE_MAX_DISKS) {
		struct store_disk_id *c = &st->disk_ids[st->ndisk_ids++];

		snprintf(c->name, sizeof(c->name), "%s", d->name);
		c->dev = d->dev;
		c->id = *id;
	}
	return 0;
}

static void hist_text(const uint32_t *h, char *out, size_t len)
{
	size_t n = (size_t)snprintf(out, len, "[");

	for (uint32_t i = 0; i < EBTOP_HIST_BUCKETS && n < len; i++) {
		if (!h[i])
			continue;
		n += (size_t)snprintf(out + n, len - n, "%s[%llu,%llu,%u]", n > 1 ? "," : "",
				      (unsigned long long)ebtop_hist_lower(i),
				      (unsigned long long)ebtop_hist_lower(i + 1), h[i]);
	}
	if (n < len)
		snprintf(out + n, len - n, "]");
}

static void bind_lat(sqlite3_stmt *q, int i, const struct lat_summary *l)
{
	bind_num(q, i, l->min);
	bind_num(q, i + 1, l->avg);
	bind_num(q, i + 2, l->p50);
	bind_num(q, i + 3, l->p99);
	bind_num(q, i + 4, l->max);
}

int store_disks_write(struct store *st, int64_t sample_id, const struct snapshot *s)
{
	char *hist;
	int err = 0;

	if (!s->ndisks)
		return 0;
	hist = malloc(HIST_TEXT);
	if (!hist)
		return -ENOMEM;
	for (size_t k = 0; !err && k < s->ndisks; k++) {
		const struct disk_row *d = &s->disks[k];
		sqlite3_stmt *q;
		int64_t id = 0;

		err = disk_id(st, d, &id);
		if (!err)
			err = lazy_prepare(
			    st, &st->ins_disk,
			    "INSERT INTO disk_sample VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
			    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
		if (err)
			break;
		q = st->ins_disk;
		sqlite3_bind_int64(q, 1, sample_id);
		sqlite3_bind_int64(q, 2, id);
		bind_num(q, 3, d->bytes_rate[EBTOP_DISK_READ]);
		bind_num(q, 4, d->bytes_rate[EBTOP_DISK_WRITE]);
		bind_num(q, 5, d->iops[EBTOP_DISK_READ]);
		bind_num(q, 6, d->iops[EBTOP_DISK_WRITE]);
		sqlite3_bind_int64(q, 7, (sqlite3_int64)d->bytes[EBTOP_DISK_READ]);
		sqlite3_bind_int64(q, 8, (sqlite3_int64)d->bytes[EBTOP_DISK_WRITE]);
		sqlite3_bind_int64(q, 9, (sqlite3_int64)d->ios[EBTOP_DISK_READ]);
		sqlite3_bind_int64(q, 10, (sqlite3_int64)d->ios[EBTOP_DISK_WRITE]);
		bind_lat(q, 11, &d->lat);
		bind_lat(q, 16, &d->svc);
		bind_lat(q, 21, &d->op_lat[EBTOP_DISK_READ]);
		bind_lat(q, 26, &d->op_lat[EBTOP_DISK_WRITE]);
		hist_text(d->hist, hist, HIST_TEXT);
		sqlite3_bind_text(q, 31, hist, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(q) != SQLITE_DONE) {
			store_set_err(st, "adding a disk row");
			err = store_errno(sqlite3_extended_errcode(st->db));
		}
		sqlite3_reset(q);
	}
	free(hist);
	return err;
}

static void read_lat(sqlite3_stmt *q, int i, struct lat_summary *l)
{
	l->min = col_num(q, i);
	l->avg = col_num(q, i + 1);
	l->p50 = col_num(q, i + 2);
	l->p99 = col_num(q, i + 3);
	l->max = col_num(q, i + 4);
}

static int read_hist(struct store *st, const char *text, uint32_t *h)
{
	int rc, err;

	err = lazy_prepare(st, &st->get_hist,
			   "SELECT json_extract(value, '$[0]'), json_extract(value, '$[2]')"
			   " FROM json_each(?)");
	if (err)
		return err;
	sqlite3_bind_text(st->get_hist, 1, text, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st->get_hist)) == SQLITE_ROW) {
		uint32_t b = ebtop_hist_bucket((uint64_t)sqlite3_column_int64(st->get_hist, 0));

		h[b] = (uint32_t)sqlite3_column_int64(st->get_hist, 1);
	}
	sqlite3_reset(st->get_hist);
	if (rc != SQLITE_DONE) {
		store_set_err(st, "reading a latency histogram");
		return -EIO;
	}
	return 0;
}

int store_disks_read(struct store *st, int64_t sample_id, struct snapshot *s)
{
	size_t cap = 0;
	int rc, err;

	err = lazy_prepare(st, &st->get_disks,
			   "SELECT d.name, d.dev, ds.* FROM disk_sample ds JOIN disk d"
			   " ON d.id = ds.disk_id WHERE ds.sample_id = ? ORDER BY d.dev, d.name");
	if (err)
		return err;
	sqlite3_bind_int64(st->get_disks, 1, sample_id);
	while ((rc = sqlite3_step(st->get_disks)) == SQLITE_ROW) {
		sqlite3_stmt *q = st->get_disks;
		const char *hist = (const char *)sqlite3_column_text(q, 32);
		struct disk_row *d;

		err = grow_array((void **)&s->disks, &cap, s->ndisks + 1, sizeof(*s->disks), 8);
		if (err)
			break;
		d = &s->disks[s->ndisks++];
		memset(d, 0, sizeof(*d));
		snprintf(d->name, sizeof(d->name), "%s",
			 sqlite3_column_text(q, 0) ? (const char *)sqlite3_column_text(q, 0) : "");
		d->dev = (uint32_t)sqlite3_column_int64(q, 1);
		/* Columns 2 and 3 are sample_id and disk_id. */
		d->bytes_rate[EBTOP_DISK_READ] = col_num(q, 4);
		d->bytes_rate[EBTOP_DISK_WRITE] = col_num(q, 5);
		d->iops[EBTOP_DISK_READ] = col_num(q, 6);
		d->iops[EBTOP_DISK_WRITE] = col_num(q, 7);
		d->bytes[EBTOP_DISK_READ] = (uint64_t)sqlite3_column_int64(q, 8);
		d->bytes[EBTOP_DISK_WRITE] = (uint64_t)sqlite3_column_int64(q, 9);
		d->ios[EBTOP_DISK_READ] = (uint64_t)sqlite3_column_int64(q, 10);
		d->ios[EBTOP_DISK_WRITE] = (uint64_t)sqlite3_column_int64(q, 11);
		read_lat(q, 12, &d->lat);
		read_lat(q, 17, &d->svc);
		read_lat(q, 22, &d->op_lat[EBTOP_DISK_READ]);
		read_lat(q, 27, &d->op_lat[EBTOP_DISK_WRITE]);
		if (hist)
			err = read_hist(st, hist, d->hist);
		if (err)
			break;
	}
	err = store_rows_end(st, rc, err, "reading disk rows");
	sqlite3_reset(st->get_disks);
	return err;
}
