/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Internals shared by the files of src/store (not for other modules). */
#ifndef EBTOP_STORE_INT_H
#define EBTOP_STORE_INT_H

#include <sqlite3.h>
#include "store/store.h"

/* One process identity the writer has seen, kept in (pid, start_ns) order. */
struct ident {
	uint32_t pid;
	uint64_t start_ns;
	int64_t id; /* process.id */
	char comm[16];
	struct proc_info *info; /* a held reference: the pointer cannot be reused meanwhile */
};

#define STORE_MAX_DISKS 64

struct store_disk_id {
	char name[32];
	uint32_t dev;
	int64_t id;
};

/* Rows one unit of maintenance touches at most (a bucket's range of processes, a GC step). */
#define STORE_ROWS_PER_UNIT 4096

/*
 * The bucket being downsampled. Its merged process rows build up in
 * temp.staging over several units; the raw rows stay until the last unit, so
 * a failure (or a restart) only means starting the bucket over.
 */
struct store_ds {
	bool active;
	bool staged; /* temp.staging exists */
	int tier;
	int64_t keeper;	  /* the bucket's last sample, which becomes the merged one */
	int64_t total_dt; /* ns covered by the bucket's samples */
	int64_t next_proc;
	size_t nsamples;
};

/* A value column and how it merges when downsampling. */
struct store_col {
	char name[64];
	enum store_agg agg;
};

struct store {
	sqlite3 *db;
	enum store_mode mode;
	struct store_opts opts;
	int64_t run_id; /* STORE_WRITE: this run's row */
	char
	    boot_id[40]; /* /proc/sys/kernel/random/boot_id; start_ns only compares within a boot */
	bool col[F_NUM]; /* the field has a column in proc_sample / total_sample */
	int ncols;	 /* numeric field columns bound by the insert statements */
	sqlite3_stmt *ins_sample, *ins_proc, *ins_total, *find_ident, *ins_ident;
	sqlite3_stmt *reopen_ident, *end_ident;
	struct ident *idents; /* writer cache: the identities of the last written sample */
	size_t nidents;
	int64_t last_sample_id;				/* the last sample this handle committed */
	struct store_disk_id disk_ids[STORE_MAX_DISKS]; /* writer cache of disk.id */
	size_t ndisk_ids;
	sqlite3_stmt *find_disk, *ins_disk, *get_disks, *get_hist; /* prepared on first use */
	struct store_col *pcols, *tcols; /* proc_sample and total_sample value columns */
	size_t npcols, ntcols;
	struct store_ds ds;
	bool ccol[CF_NUM]; /* the connection field has a column in conn_sample */
	int nccols;
	sqlite3_stmt *ins_conn, *get_conns, *ins_event, *get_events; /* prepared on first use */
	uint64_t last_wall_ns; /* newest sample written: "now" for retention */
	int lock_fd;	       /* STORE_WRITE: holds flock(LOCK_EX) on the file; else -1 */
	char errmsg[256];
};

/* Prepares sql into *st; logs and returns a negative errno on failure. */
int store_prepare(struct store *st, const char *sql, sqlite3_stmt **out);
/* Runs statements without results; a negative errno on failure (text in st->errmsg). */
int store_exec(struct store *st, const char *sql);
/* SQLite result code -> negative errno: BUSY/LOCKED -EBUSY, FULL -ENOSPC, NOMEM -ENOMEM, else -EIO.
 */
int store_errno(int rc);
/* Remembers sqlite3_errmsg() (or text) as the handle's last error. */
void store_set_err(struct store *st, const char *what);
/*
 * After stepping through a query's rows (rc: the last sqlite3_step()): err
 * when set; else 0 at SQLITE_DONE, or the SQLite error (text in st->errmsg,
 * after what).
 */
int store_rows_end(struct store *st, int rc, int err, const char *what);

/* Creates or upgrades the schema to the newest version; msg for the user on failure. */
int store_schema_upgrade(struct store *st, char *msg, size_t msglen);
/* Adds a column for every numeric field that lacks one; fills st->col. */
int store_schema_sync_fields(struct store *st);
/* Fills st->col from the existing columns without changing anything. */
int store_schema_read_fields(struct store *st);
/* PRAGMA user_version. */
int store_schema_version(struct store *st);
/* The newest version this build knows. */
int store_schema_latest(void);

/* Column name for a field, or NULL when the field is not stored as a column. */
const char *store_field_column(int field);

/* Disk rows (disks.c): written in the sample's transaction; read into s->disks. */
int store_disks_write(struct store *st, int64_t sample_id, const struct snapshot *s);
int store_disks_read(struct store *st, int64_t sample_id, struct snapshot *s);

/*
 * One unit of downsampling a tier (downsample.c): a range of a bucket's
 * processes, the last one finishing the bucket. 1 did something, 0 nothing to
 * do, or a negative errno (then set st->ds.active = false: the bucket starts over).
 */
int store_downsample_unit(struct store *st, uint64_t now_ns, int tier);

/* Connection rows and events (conns.c). */
int store_conns_columns(struct store *st, bool add);
int store_conns_write(struct store *st, int64_t sample_id, const struct snapshot *s,
		      const struct ident *ids, size_t nids);
int store_events_write(struct store *st, int64_t sample_id, const struct snapshot *s);
int store_conns_read(struct store *st, int64_t sample_id, struct snapshot *s);
int store_events_read(struct store *st, int64_t sample_id, struct snapshot *s);

/* Writer internals (write.c). */
int store_writer_prepare(struct store *st);
void store_writer_release(struct store *st);
/* Marks identities left open by a writer that did not close (kill -9) as ended. */
int store_close_stale(struct store *st);
/* Marks the cached identities as ended at the last sample (clean close). */
void store_end_all(struct store *st);

#endif
