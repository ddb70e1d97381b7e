// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* One JSON object per interval (JSON lines), built with jansson. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <jansson.h>
#include "output/render.h"
#include "output/json.h"
#include "output/json_conn.h"

static const char *const err_keys[EBTOP_NERR] = {
    [EBTOP_ERR_STORAGE] = "task_storage_failures",
    [EBTOP_ERR_RINGBUF] = "exit_records_lost",
    [EBTOP_ERR_SLOT] = "net_slot_fallbacks",
    [EBTOP_ERR_DISK_INFLIGHT] = "disk_requests_untimed",
    [EBTOP_ERR_DISK_PROC] = "disk_latency_table_full",
    [EBTOP_ERR_DISK_DEV] = "disk_table_full",
    [EBTOP_ERR_SCHED_SLOT] = "sched_slot_fallbacks",
    [EBTOP_ERR_SCHED_LOST] = "sched_events_lost",
    [EBTOP_ERR_SCHED_MISSED] = "sched_events_repaired",
    [EBTOP_ERR_CONN_STORAGE] = "conn_storage_failures",
    [EBTOP_ERR_CONN_PEERS] = "conn_peers_full",
    [EBTOP_ERR_CONN_FINAL] = "conn_final_lost",
    [EBTOP_ERR_EVENTS] = "events_lost",
};

json_t *num_json(double v)
{
	if (isnan(v))
		return json_null();
	/* Whole values (ids, byte totals) stay integers for exact arithmetic downstream. */
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_integer((json_int_t)v);
	return json_real(v);
}

json_t *features_json(const struct features *fs)
{
	json_t *o = json_object();

	for (int i = 0; i < FEAT_NUM; i++) {
		const struct feature_state *st = &fs->f[i];
		json_t *f;

		if (!st->wanted)
			continue;
		f = json_object();
		json_object_set_new(f, "available", json_boolean(st->on));
		if (st->on && st->how[0])
			json_object_set_new(f, "hooks", json_string(st->how));
		if (st->why[0])
			json_object_set_new(f, "reason", json_string(st->why));
		json_object_set_new(o, feature_descs[i].name, f);
	}
	return o;
}

json_t *interval_json(const struct snapshot *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "seq", json_integer((json_int_t)s->seq));
	json_object_set_new(o, "time", json_real((double)s->wall_ns / 1e9));
	json_object_set_new(o, "interval_s", json_real((double)s->interval_ns / 1e9));
	json_object_set_new(o, "status", json_string(s->status));
	json_object_set_new(o, "features", features_json(&s->features));
	return o;
}

int put_json_line(struct buf *b, json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT);
	int err;

	json_decref(o);
	if (!text)
		return -ENOMEM;
	err = buf_puts(b, text);
	if (!err)
		err = buf_puts(b, "\n");
	free(text);
	return err;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *row_json(const struct row *r)
{
	json_t *o = json_object();

	for (int f = 0; f < F_NUM; f++) {
		if (!fields[f].name)
			continue;
		if (fields[f].type == FT_STR)
			json_object_set_new(o, fields[f].name, str_or_null(row_str(r, f)));
		else
			json_object_set_new(o, fields[f].name, num_json(r->v[f]));
	}
	json_object_set_new(o, "start_ns", json_integer((json_int_t)r->start_ns));
	json_object_set_new(o, "exited", json_boolean(r->flags & ROW_EXITED));
	json_object_set_new(o, "kernel_thread", json_boolean(r->flags & ROW_KTHREAD));
	return o;
}

json_t *totals_json(const struct snapshot *s)
{
	json_t *o = json_object();

	for (int f = 0; f < F_NUM; f++) {
		if (fields[f].name && (fields[f].flags & FIELD_SUM) && !isnan(s->total.v[f]))
			json_object_set_new(o, fields[f].name, num_json(s->total.v[f]));
	}
	return o;
}

json_t *self_json(const struct snapshot *s)
{
	json_t *o = json_object(), *progs = json_array(), *errs = json_object();

	json_object_set_new(o, "cpu_pct", json_real(s->self_cpu_pct));
	for (int i = 0; i < s->nprogs; i++) {
		json_t *p = json_object();

		json_object_set_new(p, "name", json_string(s->progs[i].name));
		json_object_set_new(p, "run_cnt", json_integer((json_int_t)s->progs[i].run_cnt));
		json_object_set_new(p, "run_time_ns",
				    json_integer((json_int_t)s->progs[i].run_time_ns));
		json_object_set_new(p, "ns_per_event", num_json(s->progs[i].ns_per_event));
		json_object_set_new(p, "missed", json_integer((json_int_t)s->progs[i].missed));
		json_array_append_new(progs, p);
	}
	json_object_set_new(o, "bpf_programs", progs);
	for (int i = 0; i < EBTOP_NERR; i++) {
		if (err_keys[i])
			json_object_set_new(errs, err_keys[i],
					    json_integer((json_int_t)s->errors[i]));
	}
	json_object_set_new(o, "errors", errs);
	if (s->avail & NEED_CONN)
		json_object_set_new(o, "connections", conn_occupancy_json(s));
	return o;
}

static json_t *lat_json(const struct lat_summary *l)
{
	json_t *o = json_object();

	json_object_set_new(o, "min_ns", num_json(l->min));
	json_object_set_new(o, "avg_ns", num_json(l->avg));
	json_object_set_new(o, "p50_ns", num_json(l->p50));
	json_object_set_new(o, "p99_ns", num_json(l->p99));
	json_object_set_new(o, "max_ns", num_json(l->max));
	return o;
}

/* Nonzero buckets only, biolatency-style: [lo_ns, hi_ns) and the count. */
static json_t *hist_json(const uint32_t *h)
{
	json_t *a = json_array();

	for (uint32_t i = 0; i < EBTOP_HIST_BUCKETS; i++) {
		json_t *bkt;

		if (!h[i])
			continue;
		bkt = json_object();
		json_object_set_new(bkt, "lo_ns", json_integer((json_int_t)ebtop_hist_lower(i)));
		json_object_set_new(bkt, "hi_ns",
				    json_integer((json_int_t)ebtop_hist_lower(i + 1)));
		json_object_set_new(bkt, "count", json_integer(h[i]));
		json_array_append_new(a, bkt);
	}
	return a;
}

json_t *disks_json(const struct snapshot *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->ndisks; i++) {
		const struct disk_row *d = &s->disks[i];
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(d->name));
		json_object_set_new(o, "major", json_integer(d->dev >> 20));
		json_object_set_new(o, "minor", json_integer(d->dev & 0xfffff));
		json_object_set_new(o, "read_bytes_s", json_real(d->bytes_rate[EBTOP_DISK_READ]));
		json_object_set_new(o, "write_bytes_s", json_real(d->bytes_rate[EBTOP_DISK_WRITE]));
		json_object_set_new(o, "read_iops", json_real(d->iops[EBTOP_DISK_READ]));
		json_object_set_new(o, "write_iops", json_real(d->iops[EBTOP_DISK_WRITE]));
		json_object_set_new(o, "read_bytes_total",
				    json_integer((json_int_t)d->bytes[EBTOP_DISK_READ]));
		json_object_set_new(o, "write_bytes_total",
				    json_integer((json_int_t)d->bytes[EBTOP_DISK_WRITE]));
		json_object_set_new(o, "read_ios_total",
				    json_integer((json_int_t)d->ios[EBTOP_DISK_READ]));
		json_object_set_new(o, "write_ios_total",
				    json_integer((json_int_t)d->ios[EBTOP_DISK_WRITE]));
		json_object_set_new(o, "latency", lat_json(&d->lat));
		json_object_set_new(o, "service", lat_json(&d->svc));
		json_object_set_new(o, "read_latency", lat_json(&d->op_lat[EBTOP_DISK_READ]));
		json_object_set_new(o, "write_latency", lat_json(&d->op_lat[EBTOP_DISK_WRITE]));
		json_object_set_new(o, "latency_hist", hist_json(d->hist));
		json_array_append_new(a, o);
	}
	return a;
}

int render_json(struct buf *b, const struct snapshot *s, const struct row *const *rows, size_t n,
		const struct render_opts *o)
{
	json_t *root = interval_json(s), *arr = json_array();

	json_object_set_new(root, "cpus", json_integer((json_int_t)s->ncpus));
	json_object_set_new(root, "totals", totals_json(s));
	json_object_set_new(root, "self", self_json(s));
	if (s->avail & NEED_DISK)
		json_object_set_new(root, "disks", disks_json(s));
	for (size_t i = 0; i < n; i++) {
		json_t *r = row_json(rows[i]);

		if ((s->avail & NEED_CONN) && !o->threads)
			json_object_set_new(r, "connections", row_conns_json(s, rows[i]));
		json_array_append_new(arr, r);
	}
	json_object_set_new(root, o->threads ? "threads" : "processes", arr);
	return put_json_line(b, root);
}
