/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Per-interval snapshots of processes and threads, with rates and cumulative totals. */
#ifndef EBTOP_MODEL_H
#define EBTOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ebtop/task.h"
#include "ebtop/disk.h"
#include "model/hist.h"
#include "ebtop/conn.h"
#include "model/fields.h"
#include "model/conn.h"
#include "model/feature.h"

/* What /proc tells about a process; shared by snapshots, freed with the last ref. */
struct proc_info {
	int refs;
	char *cmdline; /* arguments joined by spaces; NULL when unreadable */
	char *cgroup;  /* v2 path, e.g. /system.slice/ssh.service; NULL when unknown */
	char user[33];
};

struct proc_info *proc_info_new(const char *cmdline, const char *cgroup, const char *user);
struct proc_info *proc_info_get(struct proc_info *pi);
void proc_info_put(struct proc_info *pi);

#define ROW_EXITED  (1u << 0) /* ended during the interval; shown once */
#define ROW_KTHREAD (1u << 1)
#define ROW_THREAD  (1u << 2) /* a thread row rather than a process row */

/* A process or a thread within one snapshot. */
struct row {
	uint32_t pid; /* tgid for a process row, tid for a thread row */
	uint32_t tgid;
	uint32_t ppid;
	uint32_t uid;
	uint64_t start_ns;  /* boot-time start: (pid, start_ns) never repeats */
	uint64_t pstart_ns; /* start of the process (equals start_ns on process rows) */
	uint32_t flags;
	uint32_t nthreads;
	uint32_t thread_first; /* process rows: index range in snapshot.threads */
	uint32_t thread_count;
	char state; /* R S D T Z I X, as in ps; X for exited */
	char comm[16];
	struct proc_info *info; /* shared reference, may be NULL */
	struct ebtop_task_stats tot;   /* cumulative since ebtop started */
	struct ebtop_task_stats delta; /* over this snapshot's interval */
	struct row_conns conn;         /* process rows: its connections in snapshot.conns */
	double v[F_NUM];               /* numeric fields; NaN when unavailable */
};

/* A BPF program's own cost, from the kernel's bpf_stats. */
struct prog_cost {
	char name[24];
	uint64_t run_cnt;     /* cumulative */
	uint64_t run_time_ns; /* cumulative */
	double ns_per_event;  /* over the interval; NaN when stats are off or idle */
	uint64_t missed;      /* cumulative runs the kernel skipped (nested on a CPU): lost events */
};

#define MAX_PROGS 48

/* One block device (whole disk) over the interval. */
struct disk_row {
	char name[32];
	uint32_t dev;         /* major << 20 | minor */
	double bytes_rate[2]; /* by enum ebtop_disk_op, per second */
	double iops[2];
	uint64_t bytes[2]; /* cumulative since ebtop started */
	uint64_t ios[2];
	struct lat_summary lat;            /* queue+service: from request start */
	struct lat_summary svc;            /* device: from issue to the driver */
	struct lat_summary op_lat[2];      /* queue+service by enum ebtop_disk_op */
	uint32_t hist[EBTOP_HIST_BUCKETS]; /* queue+service latency over the interval */
};

/* Immutable once built; shared between consumers by reference count. */
struct snapshot {
	int refs;
	uint64_t seq;
	uint64_t mono_ns;
	uint64_t wall_ns;
	uint64_t interval_ns; /* since the previous snapshot (or since start) */
	struct row *procs;
	size_t nprocs;
	struct row *threads; /* grouped by process, in procs order */
	size_t nthreads;
	struct row total; /* system totals for FIELD_SUM fields */
	uint64_t errors[EBTOP_NERR]; /* cumulative map/ring buffer failures */
	unsigned avail;              /* NEED_* bits whose collectors are running */
	unsigned ncpus;              /* online CPUs: 100% CPU per CPU */
	double self_cpu_pct;         /* ebtop's own CPU use over the interval */
	struct prog_cost progs[MAX_PROGS];
	int nprogs;
	char status[1024]; /* degraded features, one line; empty when all is well */
	struct features features; /* each feature's state (all off in snapshots read back) */
	struct disk_row *disks; /* by dev; NULL when disk counting is off */
	size_t ndisks;
	struct conn *conns; /* sorted by owner (pid, start), then key; see row.conn */
	size_t nconns;
	uint32_t *conn_by_key; /* indexes into conns, sorted by conn_key_cmp */
	struct conn_occupancy conn_occ;
	struct event *events; /* connect/accept/close/exec events of the interval, in order */
	size_t nevents;
};

struct snapshot *snapshot_get(struct snapshot *s);
void snapshot_put(struct snapshot *s);
/* Process row by pid, or NULL. */
const struct row *snapshot_find(const struct snapshot *s, uint32_t pid);

/* Orders tasks by (pid, start_ns), as snapshot.procs is sorted: a reused pid starts later. */
static inline int task_key_cmp(uint32_t a, uint64_t a_start, uint32_t b, uint64_t b_start)
{
	if (a != b)
		return a < b ? -1 : 1;
	if (a_start != b_start)
		return a_start < b_start ? -1 : 1;
	return 0;
}

/* A process's cumulative block latency histograms, as the kernel keeps them. */
struct disk_lat_rec {
	struct ebtop_disk_lat_key key;
	struct ebtop_disk_lat lat;
};

/* One interval's raw input from the collector. */
struct sample {
	uint64_t mono_ns;
	uint64_t wall_ns;
	const struct ebtop_task_rec *recs; /* (borrowed) live records, then exit records */
	size_t nrecs;
	uint64_t errors[EBTOP_NERR];
	unsigned avail;
	unsigned ncpus; /* online CPUs */
	double self_cpu_pct;
	struct prog_cost progs[MAX_PROGS];
	int nprogs;
	const char *status; /* (borrowed) */
	const struct features *features; /* (borrowed) NULL: unknown */
	/* Block I/O (borrowed, cumulative): per process sorted by key, per disk sorted by dev. */
	const struct disk_lat_rec *lats;
	size_t nlats;
	const struct ebtop_disk_dev *disks;
	size_t ndisks;
	const struct ebtop_conn_rec *conns; /* (borrowed) live, final and peer records */
	size_t nconns;
	const struct event *events; /* (borrowed) */
	size_t nevents;
	struct conn_occupancy conn_occ;
};

/* Looks up /proc details of a live process; returns a new reference or NULL. */
typedef struct proc_info *(*proc_info_fn)(void *ctx, uint32_t pid, uint64_t start_ns,
					   uint32_t uid);

struct model;

struct model *model_new(uint64_t start_mono_ns, proc_info_fn info_fn, void *info_ctx);
void model_free(struct model *m);
/* Builds the next snapshot; the caller owns the returned reference. NULL: out of memory. */
struct snapshot *model_update(struct model *m, const struct sample *s)
	__attribute__((warn_unused_result));

/* Text of a string field (user, name, cmd, cgroup, state); NULL when unavailable. */
const char *row_str(const struct row *r, int field);

/* Sort rows by a field; ties by pid so the order is stable between intervals. */
void rows_sort(struct row *rows, size_t n, int field, bool descending);
/* Pointers to rows, sorted, for consumers that must not reorder a snapshot. */
void row_ptrs_sort(const struct row **rows, size_t n, int field, bool descending);

#endif
