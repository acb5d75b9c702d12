/* store.c: opening the store, applying the registered schemas, transactions. */
#include "store/store.h"
#include <errno.h>
#include <fcntl.h>
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

int store_open(struct store **out, const char *root, const char *runroot, berr *err)
{
	struct store *st = xcalloc(1, sizeof *st);
	_cleanup_free_ char *dbpath = NULL;
	static const char *dirs[] = { "blobs/sha256", "layers", "containers", "volumes", "tmp" };
	*out = NULL;
	if (abs_dup(root, &st->root, err) < 0 || abs_dup(runroot ? runroot : "/run/berth", &st->runroot, err) < 0)
		goto fail;
	if (mkdir_p(st->root, 0700, err) < 0)
		goto fail;
	chmod(st->root, 0700); /* CVE-2021-41091: the data dir is never traversable by others */
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		_cleanup_free_ char *d = store_path(st, dirs[i]);
		if (mkdir_p(d, 0700, err) < 0)
			goto fail;
	}
	dbpath = store_path(st, "berth.db");
	if (sqlite3_open_v2(dbpath, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		berr_set(err, EIO, "open database %s: %s", dbpath, st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 30000);
	if (set_wal(st, err) < 0 ||
	    store_exec(st, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", err) < 0)
		goto fail;
	if (__start_berth_schemas && __stop_berth_schemas) {
		if (store_begin(st, err) < 0)
			goto fail;
		for (const struct berth_schema *const *s = __start_berth_schemas; s < __stop_berth_schemas; s++) {
			if (store_exec(st, (*s)->sql, err) < 0) {
				berr_wrap(err, "schema %s", (*s)->name);
				store_rollback(st);
				goto fail;
			}
		}
		if (store_commit(st, err) < 0)
			goto fail;
	}
	*out = st;
	return 0;
fail:
	store_close(st);
	return -1;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->db)
		sqlite3_close_v2(st->db);
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
