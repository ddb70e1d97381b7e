/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The metric and column table shared by every consumer: TUI, batch, exporter, filter. */
#ifndef EBTOP_FIELDS_H
#define EBTOP_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

/* Stable ids; append within a group, never renumber in place. */
enum field_id {
	/* identity */
	F_PID,
	F_TGID,
	F_PPID,
	F_UID,
	F_USER,
	F_COMM,
	F_CMD,
	F_CGROUP,
	F_STATE,
	F_THREADS,
	/* network bytes (sock:sock_send_length / sock_recv_length) */
	F_NET_RATE,
	F_TX_RATE,
	F_RX_RATE,
	F_TX_TOTAL,
	F_RX_TOTAL,
	F_TX_CALLS_RATE,
	F_RX_CALLS_RATE,
	F_TCP_TX_RATE,
	F_TCP_RX_RATE,
	F_UDP_TX_RATE,
	F_UDP_RX_RATE,
	F_TCP_TX_TOTAL,
	F_TCP_RX_TOTAL,
	F_UDP_TX_TOTAL,
	F_UDP_RX_TOTAL,
	F_V6_TX_TOTAL,
	F_V6_RX_TOTAL,
	/* cpu and scheduler (sched:sched_switch, sched_wakeup*, sched_migrate_task, fork, exec) */
	F_CPU_PCT,
	F_ONCPU,
	F_RUNQ_PCT,
	F_RUNQ_TIME,
	F_OFFCPU_PCT,
	F_OFFCPU,
	F_RUNQ_LAT,
	F_CSW_RATE,
	F_NVCSW_RATE,
	F_NIVCSW_RATE,
	F_NVCSW,
	F_NIVCSW,
	F_MIGR_RATE,
	F_MIGR,
	F_FORKS,
	F_EXECS,
	/* disk and file I/O */
	F_DISK_R_RATE,
	F_DISK_W_RATE,
	F_R_IOPS,
	F_W_IOPS,
	F_IO_LAT,
	F_IO_LAT_P99,
	F_SEQ_PCT,
	F_CACHE_PCT,
	F_IO_LAT_MIN,
	F_IO_LAT_P50,
	F_IO_LAT_MAX,
	F_IO_SVC,
	F_IO_SVC_MIN,
	F_IO_SVC_P50,
	F_IO_SVC_P99,
	F_IO_SVC_MAX,
	F_DISK_R_TOTAL,
	F_DISK_W_TOTAL,
	F_R_IOS_TOTAL,
	F_W_IOS_TOTAL,
	F_FILE_R_RATE,
	F_FILE_W_RATE,
	F_FILE_R_TOTAL,
	F_FILE_W_TOTAL,
	F_DIRTY_W_RATE,
	F_DIRTY_W_TOTAL,
	/* connections */
	F_CONNS,
	F_CONN_NEW_RATE,
	F_RETX_PCT,
	F_CONN_ERR_RATE,
	F_CONN_OUT_TOTAL,
	F_CONN_IN_TOTAL,
	F_CONN_REFUSED_TOTAL,
	F_CONN_RESET_TOTAL,
	F_CONN_TIMEOUT_TOTAL,
	F_CONN_ERR_TOTAL,
	F_TCP_RETRANS_TOTAL,
	F_TCP_SEGS_OUT_TOTAL,
	F_NUM
};

enum field_type { FT_NUM, FT_STR };

enum field_unit {
	UNIT_NONE,    /* an id or a plain number */
	UNIT_COUNT,   /* a cumulative count */
	UNIT_RATE,    /* events per second */
	UNIT_BYTES,   /* cumulative bytes */
	UNIT_BYTES_RATE,
	UNIT_PERCENT, /* 100 = one CPU or the whole interval */
	UNIT_NS,      /* cumulative nanoseconds */
};

/* Which collector a field needs; a consumer asks only for what it shows. */
enum field_need {
	NEED_NONE = 0,
	NEED_NET = 1u << 0,
	NEED_SCHED = 1u << 1,
	NEED_DISK = 1u << 2,
	NEED_CONN = 1u << 3,
	NEED_EVENTS = 1u << 4, /* connect/accept/close/exec events (ebtop events, serve) */
};

#define FIELD_SUM    (1u << 0) /* the system total is the sum over processes */
#define FIELD_LEFT   (1u << 1) /* left-aligned column */
#define FIELD_ASC    (1u << 2) /* sorts ascending by default (ids, names) */
#define FIELD_THREAD (1u << 3) /* meaningful per thread too */

/* How a field is exported as a Prometheus metric. */
enum prom_type { PROM_NONE = 0, PROM_COUNTER, PROM_GAUGE };

/*
 * Zero (the default for a field that does not set it) means "not exported".
 * Names follow Prometheus conventions: ebtop_ prefix, base units (bytes,
 * seconds), counters end in _total.
 */
struct field_prom {
	const char *name; /* "ebtop_process_network_transmit_bytes_total" */
	enum prom_type type;
	double scale; /* factor to the base unit (1e-9 for nanoseconds); 0 means 1 */
};

struct field_desc {
	const char *name;  /* filter, --sort, JSON and CSV key: "tx" */
	const char *title; /* column header: "TX/s" */
	const char *help;  /* one line */
	enum field_type type;
	enum field_unit unit;
	int width; /* column width in the table */
	unsigned flags;
	unsigned need;
	struct field_prom prom; /* set with .prom = {...}; unset: not exported */
};

extern const struct field_desc fields[F_NUM];

/* Case-insensitive; accepts the name or the column title. -1 when unknown. */
int field_lookup(const char *name);

#endif
