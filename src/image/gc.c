/* gc.c: removing what no image references: layer and blob rows whose refcount is zero, and
 * files on disk with no row (left by a crash between writing a file and committing the rows).
 * File removal happens under the exclusive GC lock, after the rows are gone, re-checking that
 * no writer (which holds the lock shared) has referenced them again. */
#include "image/istore.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "store/blob.h"
#include "util/cleanup.h"
#include "util/fs.h"

static bool row_exists(struct store *st, const char *sql, const char *key)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	berr err;
	if (store_prepare(st, &s, sql, &err) < 0)
		return true; /* be safe: keep it */
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	return sqlite3_step(s) == SQLITE_ROW;
}

int img_gc(struct store *st, uint64_t *freed, struct strvec *removed_layers, berr *err)
{
	_cleanup_close_ int lk = -1;
	uint64_t total = 0;
	if (istore_lock(st, true, &lk, err) < 0)
		return -1;
	if (store_begin(st, err) < 0)
		return -1;
	if (store_exec(st, "DELETE FROM layers WHERE refs <= 0; DELETE FROM blobs WHERE refs <= 0;", err) < 0) {
		store_rollback(st);
		return -1;
	}
	if (store_commit(st, err) < 0)
		return -1;
	/* layers on disk without a row */
	{
		_cleanup_free_ char *ld = store_path(st, "layers");
		_cleanup_closedir_ DIR *d = opendir(ld);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			_cleanup_free_ char *chain = xasprintf("sha256:%s", e->d_name);
			if (!digest_valid(chain) || row_exists(st, "SELECT 1 FROM layers WHERE chain_id = ?", chain))
				continue;
			_cleanup_free_ char *p = xasprintf("%s/%s", ld, e->d_name);
			total += path_du(p);
			berr e2;
			if (layer_remove(st, chain, &e2) == 0 && removed_layers)
				sv_push(removed_layers, chain);
		}
	}
	{
		_cleanup_free_ char *bd = store_path(st, "blobs/sha256");
		_cleanup_closedir_ DIR *d = opendir(bd);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			_cleanup_free_ char *dg = xasprintf("sha256:%s", e->d_name);
			if (digest_valid(dg) && row_exists(st, "SELECT 1 FROM blobs WHERE digest = ?", dg))
				continue;
			_cleanup_free_ char *p = xasprintf("%s/%s", bd, e->d_name);
			total += path_du(p);
			unlink(p);
		}
	}
	uint64_t tf = 0;
	store_tmp_gc(st, &tf, false);
	total += tf;
	if (freed)
		*freed = total;
	return 0;
}
