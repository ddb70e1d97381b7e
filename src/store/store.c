// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Opening, configuring and closing the history database. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/clock.h"
#include "core/log.h"
#include "store/store_int.h"

/* PRAGMA application_id of ebtop history files: 'ebtp'. */
#define STORE_APP_ID 1700951152

void store_opts_default(struct store_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->retain_ns = 7ULL * 86400 * NSEC_PER_SEC;
	o->max_bytes = 1ULL << 30;
	/*
	 * A process row takes ~140 bytes (79 fields): 500 processes at 1 s are
	 * ~250 MB an hour. An hour at full resolution, a day of minutes and a
	 * week of 10 minutes then fit the 1 GiB default with room to spare.
	 */
	o->tiers[0].age_ns = 3600ULL * NSEC_PER_SEC;
	o->tiers[0].step_s = 60;
	o->tiers[1].age_ns = 86400ULL * NSEC_PER_SEC;
	o->tiers[1].step_s = 600;
	o->ntiers = 2;
	o->busy_ms = 1000;
	o->maint_budget_ms = 0;
	o->backlog = 300;
	o->max_conns = 1000;
	o->interval_ns = NSEC_PER_SEC;
}

int store_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return -EPROTO;
	case SQLITE_IOERR:
		/* The unix VFS reports a failed write with ENOSPC as a plain I/O error at times. */
		return (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC) ? -ENOSPC : -EIO;
	default:
		return -EIO;
	}
}

void store_set_err(struct store *st, const char *what)
{
	snprintf(st->errmsg, sizeof(st->errmsg), "%s: %s", what, sqlite3_errmsg(st->db));
}

int store_rows_end(struct store *st, int rc, int err, const char *what)
{
	if (err || rc == SQLITE_DONE)
		return err;
	store_set_err(st, what);
	return store_errno(sqlite3_extended_errcode(st->db));
}

const char *store_errmsg(const struct store *st)
{
	return st->errmsg;
}

int store_prepare(struct store *st, const char *sql, sqlite3_stmt **out)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, out, NULL);

	if (rc != SQLITE_OK) {
		store_set_err(st, "preparing a statement");
		log_debug("history: %s in: %.200s\n", st->errmsg, sql);
		*out = NULL;
		return store_errno(rc);
	}
	return 0;
}

int store_exec(struct store *st, const char *sql)
{
	char *e = NULL;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &e);

	if (rc != SQLITE_OK) {
		/* The extended code tells a full disk from other I/O errors. */
		rc = sqlite3_extended_errcode(st->db);
		snprintf(st->errmsg, sizeof(st->errmsg), "%s", e ? e : sqlite3_errstr(rc));
		sqlite3_free(e);
		return store_errno(rc);
	}
	return 0;
}

static int pragma_text(struct store *st, const char *sql, char *out, size_t len)
{
	sqlite3_stmt *q = NULL;
	int err = store_prepare(st, sql, &q), rc;

	if (err)
		return err;
	out[0] = '\0';
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && sqlite3_column_text(q, 0))
		snprintf(out, len, "%s", (const char *)sqlite3_column_text(q, 0));
	else if (rc != SQLITE_DONE)
		store_set_err(st, sql);
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_errno(rc);
}

/* The directory of the default path (/var/lib/ebtop) may not exist yet. */
static void make_parent_dir(const char *path)
{
	char dir[4096];
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST)
		log_debug("history: cannot create %s: %s\n", dir, strerror(errno));
}

static void read_boot_id(char *out, size_t len)
{
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, out, len - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n < 0)
		n = 0;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

static int begin_run(struct store *st)
{
	sqlite3_stmt *q = NULL;
	char host[256] = "";
	int err;

	gethostname(host, sizeof(host) - 1);
	err = store_prepare(st,
			    "INSERT INTO run (started_ns, boot_id, hostname, version, interval_ns)"
			    " VALUES (?, ?, ?, ?, ?)",
			    &q);
	if (err)
		return err;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)clock_wall_ns());
	if (st->boot_id[0])
		sqlite3_bind_text(q, 2, st->boot_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, host, -1, SQLITE_STATIC);
#ifdef EBTOP_VERSION
	sqlite3_bind_text(q, 4, EBTOP_VERSION, -1, SQLITE_STATIC);
#endif
	sqlite3_bind_int64(q, 5, (sqlite3_int64)st->opts.interval_ns);
	if (sqlite3_step(q) != SQLITE_DONE) {
		store_set_err(st, "starting a run");
		err = store_errno(sqlite3_extended_errcode(st->db));
	}
	sqlite3_finalize(q);
	st->run_id = sqlite3_last_insert_rowid(st->db);
	return err;
}

/*
 * Another program's SQLite file must not be touched: anything but an empty
 * file or one carrying ebtop's application_id is refused before a write.
 */
static int check_identity(struct store *st, const char *path, char *msg, size_t msglen)
{
	char v[32], n[32];
	int err = pragma_text(st, "PRAGMA application_id", v, sizeof(v));

	if (!err && atol(v) != STORE_APP_ID)
		err = pragma_text(st, "SELECT count(*) FROM sqlite_master", n, sizeof(n));
	if (err) {
		snprintf(msg, msglen, "cannot read the database: %s", st->errmsg);
		return err;
	}
	/* 0 and no tables: a new file (ebtop sets the id before creating any table). */
	if (atol(v) != STORE_APP_ID && (atol(v) != 0 || atol(n) != 0)) {
		snprintf(msg, msglen,
			 "%s is not an ebtop history database (application_id %s, %s schema "
			 "objects)%s",
			 path, v, n, st->mode == STORE_WRITE ? "; refusing to write to it" : "");
		return -EPROTO;
	}
	return 0;
}

/*
 * One writer per file: a second one would interleave its run with the first.
 * flock() on the database file itself leaves SQLite's own (fcntl) locks, and so
 * readers, alone. The descriptor stays open until after sqlite3_close(): closing
 * any descriptor of the file would drop SQLite's fcntl locks in this process.
 */
static int lock_writer(struct store *st, const char *path, char *msg, size_t msglen)
{
	int err;

	st->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (st->lock_fd < 0) {
		err = -errno;
		snprintf(msg, msglen, "cannot open %s: %s", path, strerror(errno));
		return err;
	}
	if (flock(st->lock_fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	err = -errno;
	if (err == -EWOULDBLOCK) {
		snprintf(msg, msglen,
			 "%s is in use by another ebtop writer (record, serve or -b --db)", path);
		return -EBUSY;
	}
	snprintf(msg, msglen, "cannot lock %s: %s", path, strerror(-err));
	return err;
}

static int configure_writer(struct store *st, char *msg, size_t msglen)
{
	char mode[16];
	int err;

	err = pragma_text(st, "PRAGMA journal_mode = WAL", mode, sizeof(mode));
	if (!err && strcmp(mode, "wal")) {
		snprintf(msg, msglen, "the database cannot use WAL mode (journal mode '%s')", mode);
		return -EIO;
	}
	/*
	 * NORMAL in WAL mode: a commit is durable against a crash of ebtop (kill -9
	 * loses at most the interval being written); a power cut may lose the
	 * commits since the last checkpoint, never consistency.
	 */
	if (!err)
		err = store_exec(st, "PRAGMA synchronous = NORMAL;"
				     "PRAGMA journal_size_limit = 67108864;"
				     "PRAGMA temp_store = MEMORY");
	if (!err) {
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", STORE_APP_ID);
		err = store_exec(st, sql);
	}
	if (err)
		snprintf(msg, msglen, "configuring the database failed: %s", st->errmsg);
	return err;
}

int store_open(struct store **out, const char *path, enum store_mode mode,
	       const struct store_opts *o, char *msg, size_t msglen)
{
	int flags = SQLITE_OPEN_NOMUTEX, rc, err;
	struct store *st;
	bool readonly = false;

	*out = NULL;
	msg[0] = '\0';
	st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	st->mode = mode;
	st->lock_fd = -1;
	if (o)
		st->opts = *o;
	else
		store_opts_default(&st->opts);
	if (mode == STORE_WRITE) {
		make_parent_dir(path);
		err = lock_writer(st, path, msg, msglen);
		if (err)
			goto fail;
		flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	} else {
		if (access(path, F_OK)) {
			snprintf(msg, msglen, "%s: %s", path, strerror(errno));
			free(st);
			return -errno;
		}
		readonly = access(path, W_OK) != 0;
		flags |= readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	}
	rc = sqlite3_open_v2(path, &st->db, flags, NULL);
	if (rc != SQLITE_OK) {
		snprintf(msg, msglen, "cannot open %s: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		err = store_errno(rc);
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, (int)st->opts.busy_ms);
	read_boot_id(st->boot_id, sizeof(st->boot_id));
	err = check_identity(st, path, msg, msglen);
	if (err)
		goto fail;
	if (mode == STORE_WRITE) {
		err = configure_writer(st, msg, msglen);
		if (err)
			goto fail;
	} else if (store_schema_version(st) == 0) {
		snprintf(msg, msglen, "%s is not an ebtop history database (no schema)", path);
		err = -EPROTO;
		goto fail;
	}
	if (readonly && store_schema_version(st) < store_schema_latest()) {
		snprintf(msg, msglen,
			 "%s has an older schema (version %d) and is read-only here; open it once "
			 "with write access to upgrade it",
			 path, store_schema_version(st));
		err = -EROFS;
		goto fail;
	}
	err = store_schema_upgrade(st, msg, msglen);
	if (err)
		goto fail;
	if (mode == STORE_WRITE) {
		err = store_schema_sync_fields(st);
		if (!err)
			err = store_conns_columns(st, true);
		if (!err)
			err = store_close_stale(st);
		if (!err)
			err = begin_run(st);
		if (!err)
			err = store_writer_prepare(st);
		if (err) {
			snprintf(msg, msglen, "preparing the database failed: %s", st->errmsg);
			goto fail;
		}
	} else {
		err = store_schema_read_fields(st);
		if (!err)
			err = store_conns_columns(st, false);
		if (err) {
			snprintf(msg, msglen, "reading the database failed: %s", st->errmsg);
			goto fail;
		}
	}
	*out = st;
	return 0;
fail:
	store_close(st);
	return err ? err : -EIO;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->db && st->mode == STORE_WRITE)
		store_end_all(st);
	store_writer_release(st);
	sqlite3_finalize(st->find_disk);
	sqlite3_finalize(st->ins_disk);
	sqlite3_finalize(st->get_disks);
	sqlite3_finalize(st->get_hist);
	sqlite3_finalize(st->ins_conn);
	sqlite3_finalize(st->get_conns);
	sqlite3_finalize(st->ins_event);
	sqlite3_finalize(st->get_events);
	free(st->pcols);
	free(st->tcols);
	if (st->db && st->mode == STORE_WRITE)
		sqlite3_exec(st->db, "PRAGMA optimize", NULL, NULL, NULL);
	/* The last connection to close checkpoints the WAL into the database and removes it. */
	if (st->db && sqlite3_close(st->db) != SQLITE_OK)
		log_warn("history: closing the database: %s\n", sqlite3_errmsg(st->db));
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	free(st);
}
