/* store.c: opening the store, applying the registered schemas, transactions. */
#include "store/store.h"
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strbuf.h"

extern const struct berth_schema *const __start_berth_schemas[] __attribute__((weak));
extern const struct berth_schema *const __stop_berth_schemas[] __attribute__((weak));

char *store_path(struct store *st, const char *rel)
{
	return xasprintf("%s/%s", st->root, rel);
}

int store_dberr(struct store *st, berr *err, const char *what)
{
	return berr_set(err, EIO, "%s: %s", what, sqlite3_errmsg(st->db));
}

int store_exec(struct store *st, const char *sql, berr *err)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		berr_set(err, EIO, "database: %s", msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int store_prepare(struct store *st, sqlite3_stmt **stmt, const char *sql, berr *err)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) != SQLITE_OK)
		return store_dberr(st, err, "database prepare");
	return 0;
}

static int abs_dup(const char *p, char **out, berr *err)
{
	if (p[0] == '/') {
		*out = xstrdup(p);
		return 0;
	}
	char cwd[4096];
	if (!getcwd(cwd, sizeof cwd))
		return berr_sys(err, "getcwd");
	*out = xasprintf("%s/%s", cwd, p);
	return 0;
}

/* Switch a new database to WAL. The journal mode is persistent, so this only writes once; but
 * two processes creating the store at the same moment race for the exclusive lock the switch
 * needs, and SQLite reports that SQLITE_BUSY without calling the busy handler: retry. */
static int set_wal(struct store *st, berr *err)
{
	for (int i = 0; i < 3000; i++) {
		sqlite3_stmt *stmt = NULL;
		if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode=WAL", -1, &stmt, NULL) == SQLITE_OK) {
			int rc = sqlite3_step(stmt);
			bool wal = rc == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(stmt, 0), "wal");
			sqlite3_finalize(stmt);
			if (wal)
				return 0;
			if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED && rc != SQLITE_ROW)
				break;
		}
		usleep(10000);
	}
	return store_dberr(st, err, "database: set WAL journal mode");
}

/* FNV-1a over every registered schema (name and SQL): stored as the database's user_version
 * once applied, so a store already carrying this binary's schemas skips the DDL (parsing it and
 * a write transaction) on every open. A binary with other schemas (another build, a unit test)
 * has another hash and applies its own; the DDL is idempotent either way. */
static int32_t schema_hash(void)
{
	uint32_t h = 2166136261u;
	if (!__start_berth_schemas || !__stop_berth_schemas)
		return 0;
	for (const struct berth_schema *const *s = __start_berth_schemas; s < __stop_berth_schemas; s++) {
		for (int part = 0; part < 2; part++) {
			const char *p = part ? (*s)->sql : (*s)->name;
			for (; *p; p++)
				h = (h ^ (unsigned char)*p) * 16777619u;
			h = (h ^ 0xff) * 16777619u;
		}
	}
	return (int32_t)(h & 0x7fffffff) | 1; /* never 0, the value of a new database */
}

static int get_user_version(struct store *st, int32_t *v, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "PRAGMA user_version", err) < 0)
		return -1;
	if (sqlite3_step(s) != SQLITE_ROW)
		return store_dberr(st, err, "database: read schema version");
	*v = sqlite3_column_int(s, 0);
	return 0;
}

static int apply_schemas(struct store *st, berr *err)
{
	int32_t want = schema_hash(), have = 0;
	if (!want || (get_user_version(st, &have, err) == 0 && have == want))
		return 0;
	if (store_begin(st, err) < 0)
		return -1;
	for (const struct berth_schema *const *s = __start_berth_schemas; s < __stop_berth_schemas; s++) {
		if (store_exec(st, (*s)->sql, err) < 0) {
			berr_wrap(err, "schema %s", (*s)->name);
			store_rollback(st);
			return -1;
		}
	}
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", (int)want);
	if (store_exec(st, sql, err) < 0) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, err);
}

/* mkdir of a directory under the root, creating parents only when they are missing */
static int ensure_dir(const char *path, berr *err)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return mkdir_p(path, 0700, err);
}

int store_open(struct store **out, const char *root, const char *runroot, berr *err)
{
	struct store *st = xcalloc(1, sizeof *st);
	_cleanup_free_ char *dbpath = NULL;
	static const char *dirs[] = { "blobs/sha256", "layers", "containers", "volumes", "tmp" };
	*out = NULL;
	if (abs_dup(root, &st->root, err) < 0 || abs_dup(runroot ? runroot : "/run/berth", &st->runroot, err) < 0)
		goto fail;
	if (ensure_dir(st->root, err) < 0)
		goto fail;
	chmod(st->root, 0700); /* CVE-2021-41091: the data dir is never traversable by others */
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		_cleanup_free_ char *d = store_path(st, dirs[i]);
		if (ensure_dir(d, err) < 0)
			goto fail;
	}
	dbpath = store_path(st, "berth.db");
	if (sqlite3_open_v2(dbpath, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		berr_set(err, EIO, "open database %s: %s", dbpath, st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 30000);
	/* Every berth process is short-lived: closing the last connection would checkpoint the WAL
	 * into the database (copy + two fdatasyncs) and delete it, on every command. Leave that to
	 * the automatic checkpoint at wal_autocheckpoint pages (small, so the next process's
	 * WAL-index rebuild stays cheap); store_close syncs the WAL instead when this connection
	 * changed something, so a command's writes are still durable once it returns. Pages are
	 * read through mmap. */
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	if (set_wal(st, err) < 0 ||
	    store_exec(st, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=128; "
			   "PRAGMA mmap_size=268435456;", err) < 0)
		goto fail;
	if (apply_schemas(st, err) < 0)
		goto fail;
	*out = st;
	return 0;
fail:
	store_close(st);
	return -1;
}

#define WAL_TRUNCATE_BYTES (2 << 20)

static char *deferred_wal;

const char *store_deferred_wal(void)
{
	return deferred_wal;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->db) {
		/* one fdatasync of the WAL (synchronous=NORMAL does not sync commits); through an fd
		 * of our own, as SQLite's first xSync of a process also syncs the directory */
		if (sqlite3_total_changes(st->db) > 0 && st->defer_sync) {
			free(deferred_wal);
			deferred_wal = xasprintf("%s/berth.db-wal", st->root);
		} else if (sqlite3_total_changes(st->db) > 0) {
			_cleanup_free_ char *wal = xasprintf("%s/berth.db-wal", st->root);
			struct stat sb;
			/* The automatic checkpoint copies pages back but the log only restarts when no
			 * other process reads; with many short writers it keeps growing, and every
			 * reader pays for a long log (images with 1,000 tags: 8 -> 16 ms). Past
			 * WAL_TRUNCATE_BYTES, fold it into the database and truncate it (which also
			 * makes this command's writes durable); if someone is reading, do not wait. */
			if (stat(wal, &sb) == 0 && sb.st_size > WAL_TRUNCATE_BYTES) {
				sqlite3_busy_timeout(st->db, 0);
				if (sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) == SQLITE_OK) {
					sqlite3_close_v2(st->db);
					st->db = NULL;
				}
			}
			int fd = st->db ? open(wal, O_RDONLY | O_CLOEXEC) : -1;
			if (fd >= 0) {
				fdatasync(fd);
				close(fd);
			}
		}
		if (st->db)
			sqlite3_close_v2(st->db);
	}
	free(st->root);
	free(st->runroot);
	free(st);
}

int store_begin(struct store *st, berr *err)
{
	if (st->in_tx++)
		return 0;
	if (store_exec(st, "BEGIN IMMEDIATE", err) < 0) {
		st->in_tx = 0;
		return -1;
	}
	return 0;
}

int store_commit(struct store *st, berr *err)
{
	if (st->in_tx == 0 || --st->in_tx)
		return 0;
	return store_exec(st, "COMMIT", err);
}

void store_rollback(struct store *st)
{
	if (st->in_tx == 0)
		return;
	st->in_tx = 0;
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}
