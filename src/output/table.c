// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Top-style header and table for batch mode. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "output/render.h"
#include "output/format.h"

void render_opts_default(struct render_opts *o)
{
	static const int def[] = {F_PID,     F_USER,     F_CPU_PCT,  F_RUNQ_PCT, F_TX_RATE,
				  F_RX_RATE, F_TX_TOTAL, F_RX_TOTAL, F_CMD};

	memset(o, 0, sizeof(*o));
	memcpy(o->cols, def, sizeof(def));
	o->ncols = sizeof(def) / sizeof(def[0]);
}

int render_parse_list(const char *list, int (*lookup)(const char *name), const char *what,
		      int *cols, size_t *ncols, char *err, size_t errlen)
{
	char tmp[512], *save = NULL, *tok;
	size_t n = 0;

	if (strlen(list) >= sizeof(tmp)) {
		snprintf(err, errlen, "column list too long");
		return -1;
	}
	strcpy(tmp, list);
	for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int f = lookup(tok);

		if (f < 0) {
			snprintf(err, errlen, "unknown %s '%s'", what, tok);
			return -1;
		}
		if (n == RENDER_MAX_COLS) {
			snprintf(err, errlen, "too many columns (at most %d)", RENDER_MAX_COLS);
			return -1;
		}
		cols[n++] = f;
	}
	if (!n) {
		snprintf(err, errlen, "empty column list");
		return -1;
	}
	*ncols = n;
	return 0;
}

int render_parse_cols(struct render_opts *o, const char *list, char *err, size_t errlen)
{
	return render_parse_list(list, field_lookup, "column", o->cols, &o->ncols, err, errlen);
}

static const char *const err_names[EBTOP_NERR] = {
	[EBTOP_ERR_STORAGE] = "task storage full",
	[EBTOP_ERR_RINGBUF] = "exit records lost",
	[EBTOP_ERR_SLOT] = "slot fallbacks (exact, slower)",
	[EBTOP_ERR_DISK_INFLIGHT] = "disk requests untimed",
	[EBTOP_ERR_DISK_PROC] = "disk latency table full",
	[EBTOP_ERR_DISK_DEV] = "disk table full",
	[EBTOP_ERR_SCHED_SLOT] = "sched slot fallbacks",
	[EBTOP_ERR_SCHED_LOST] = "sched events lost",
	[EBTOP_ERR_SCHED_MISSED] = "sched events repaired",
	[EBTOP_ERR_CONN_STORAGE] = "conn storage failures",
	[EBTOP_ERR_CONN_PEERS] = "peers table full",
	[EBTOP_ERR_CONN_FINAL] = "closed conns lost",
	[EBTOP_ERR_EVENTS] = "events lost",
};

const char *render_err_name(int i)
{
	return i >= 0 && i < EBTOP_NERR ? err_names[i] : NULL;
}

static int header_net(struct buf *b, const struct snapshot *s, const struct render_opts *o)
{
	const double *v = s->total.v;
	char tx[16], rx[16], ttx[16], trx[16], ut[16], ur[16], ct[16], cr[16];

	fmt_value(tx, sizeof(tx), v[F_TX_RATE], UNIT_BYTES_RATE, o->raw);
	fmt_value(rx, sizeof(rx), v[F_RX_RATE], UNIT_BYTES_RATE, o->raw);
	fmt_value(ct, sizeof(ct), v[F_TCP_TX_RATE], UNIT_BYTES_RATE, o->raw);
	fmt_value(cr, sizeof(cr), v[F_TCP_RX_RATE], UNIT_BYTES_RATE, o->raw);
	fmt_value(ut, sizeof(ut), v[F_UDP_TX_RATE], UNIT_BYTES_RATE, o->raw);
	fmt_value(ur, sizeof(ur), v[F_UDP_RX_RATE], UNIT_BYTES_RATE, o->raw);
	fmt_value(ttx, sizeof(ttx), v[F_TX_TOTAL], UNIT_BYTES, o->raw);
	fmt_value(trx, sizeof(trx), v[F_RX_TOTAL], UNIT_BYTES, o->raw);
	/* Loopback bytes are one process's TX and another's RX: never add TX and RX. */
	return buf_printf(b, "Net:  TX %s/s  RX %s/s  (TCP %s/%s, UDP %s/%s)  since start TX %s RX %s\n",
			  tx, rx, ct, cr, ut, ur, ttx, trx);
}

/* One line per disk: throughput and IOPS each way, latency over the interval. */
static int header_disks(struct buf *b, const struct snapshot *s, const struct render_opts *o)
{
	int err = 0;

	for (size_t i = 0; !err && i < s->ndisks; i++) {
		const struct disk_row *d = &s->disks[i];
		char r[16], w[16], ri[16], wi[16], lat[16], p99[16];

		fmt_value(r, sizeof(r), d->bytes_rate[EBTOP_DISK_READ], UNIT_BYTES_RATE, o->raw);
		fmt_value(w, sizeof(w), d->bytes_rate[EBTOP_DISK_WRITE], UNIT_BYTES_RATE, o->raw);
		fmt_value(ri, sizeof(ri), d->iops[EBTOP_DISK_READ], UNIT_RATE, o->raw);
		fmt_value(wi, sizeof(wi), d->iops[EBTOP_DISK_WRITE], UNIT_RATE, o->raw);
		fmt_value(lat, sizeof(lat), d->lat.avg, UNIT_NS, o->raw);
		fmt_value(p99, sizeof(p99), d->lat.p99, UNIT_NS, o->raw);
		err = buf_printf(
		    b, "Disk: %-8s R %s/s %s IOPS  W %s/s %s IOPS  latency avg %s p99 %s\n",
		    d->name, r, ri, w, wi, lat, p99);
	}
	return err;
}

/* System totals of the scheduler columns; percentages of all CPUs' time. */
static int header_cpu(struct buf *b, const struct snapshot *s)
{
	const double *v = s->total.v;
	double ncpus = s->ncpus ? s->ncpus : 1;
	char csw[16], vol[16], inv[16], mig[16];

	fmt_value(csw, sizeof(csw), v[F_CSW_RATE], UNIT_RATE, false);
	fmt_value(vol, sizeof(vol), v[F_NVCSW_RATE], UNIT_RATE, false);
	fmt_value(inv, sizeof(inv), v[F_NIVCSW_RATE], UNIT_RATE, false);
	fmt_value(mig, sizeof(mig), v[F_MIGR_RATE], UNIT_RATE, false);
	return buf_printf(b,
			  "CPU:  busy %.1f%% of %.0f CPUs  run-queue wait %.1f%%  context switches "
			  "%s/s (voluntary %s, involuntary %s)  migrations %s/s\n",
			  v[F_CPU_PCT] / ncpus, ncpus, v[F_RUNQ_PCT] / ncpus, csw, vol, inv, mig);
}

static int header_self(struct buf *b, const struct snapshot *s)
{
	int err = buf_printf(b, "Self: cpu %.2f%%", s->self_cpu_pct), nonzero = 0;

	for (int i = 0; !err && i < s->nprogs; i++) {
		if (!isnan(s->progs[i].ns_per_event))
			err = buf_printf(b, "  %s %.0fns", s->progs[i].name,
					 s->progs[i].ns_per_event);
	}
	/* Never silent about losses, but quiet while there are none. */
	for (int i = 0; !err && i < s->nprogs; i++) {
		if (s->progs[i].missed) {
			err = buf_printf(b, "%s%s skipped %llu", nonzero ? ", " : "  drops: ",
					 s->progs[i].name, (unsigned long long)s->progs[i].missed);
			nonzero++;
		}
	}
	for (int i = 0; !err && i < EBTOP_NERR; i++) {
		if (err_names[i] && s->errors[i]) {
			err = buf_printf(b, "%s%s %llu", nonzero ? ", " : "  drops: ", err_names[i],
					 (unsigned long long)s->errors[i]);
			nonzero++;
		}
	}
	if (!err && !nonzero)
		err = buf_puts(b, "  drops: none");
	return err ? err : buf_puts(b, "\n");
}

int render_header(struct buf *b, const struct snapshot *s, const struct render_opts *o)
{
	time_t t = (time_t)(s->wall_ns / 1000000000ULL);
	size_t exited = 0;
	struct tm tm;
	char when[32];
	int err;

	for (size_t i = 0; i < s->nprocs; i++)
		exited += (s->procs[i].flags & ROW_EXITED) != 0;
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	err = buf_printf(b, "ebtop - %s  interval %.2fs  processes %zu (%zu exited)  threads %.0f\n",
			 when, (double)s->interval_ns / 1e9, s->nprocs - exited, exited,
			 s->total.v[F_THREADS]);
	if (!err && (s->avail & NEED_SCHED))
		err = header_cpu(b, s);
	if (!err && (s->avail & NEED_NET))
		err = header_net(b, s, o);
	if (!err && (s->avail & NEED_DISK))
		err = header_disks(b, s, o);
	if (!err)
		err = render_conn_header(b, s, o);
	if (!err)
		err = header_self(b, s);
	if (!err && s->status[0])
		err = buf_printf(b, "Note: %s\n", s->status);
	return err;
}

/* The last column takes what is left of the line; others are right-aligned numbers. */
static int put_cell(struct buf *b, const char *text, int field, bool last)
{
	const struct field_desc *fd = &fields[field];
	int w = fd->width;

	if (last)
		return buf_puts(b, text);
	if (fd->flags & FIELD_LEFT)
		return buf_printf(b, "%-*.*s ", w, w, text);
	return buf_printf(b, "%*s ", w, text);
}

static int end_line(struct buf *b, size_t start, const struct render_opts *o)
{
	if (o->width > 0 && b->len - start > (size_t)o->width)
		b->len = start + (size_t)o->width;
	while (b->len > start && b->p[b->len - 1] == ' ')
		b->len--;
	return buf_puts(b, "\n");
}

int render_table(struct buf *b, const struct snapshot *s, const struct row *const *rows, size_t n,
		 const struct render_opts *o)
{
	size_t start = b->len;
	int err = 0;

	(void)s;
	if (!b->p) {
		err = buf_puts(b, "");
		if (err)
			return err;
	}
	for (size_t c = 0; !err && c < o->ncols; c++) {
		const char *title = fields[o->cols[c]].title;

		if (o->threads && o->cols[c] == F_PID)
			title = "TID";
		err = put_cell(b, title, o->cols[c], c + 1 == o->ncols);
	}
	if (!err)
		err = end_line(b, start, o);
	for (size_t i = 0; !err && i < n; i++) {
		start = b->len;
		for (size_t c = 0; !err && c < o->ncols; c++) {
			char cell[4096];
			int f = o->cols[c];

			fmt_field(cell, sizeof(cell), rows[i], f, o->raw);
			if (f == F_CMD && (rows[i]->flags & ROW_EXITED) && strlen(cell) + 10 < sizeof(cell))
				strcat(cell, " <exited>");
			err = put_cell(b, cell, f, c + 1 == o->ncols);
		}
		if (!err)
			err = end_line(b, start, o);
	}
	return err;
}
