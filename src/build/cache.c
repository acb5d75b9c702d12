/* cache.c: the builder's step cache: key -> the layer a step produced (see build/cache.h). */
#include <string.h>
#include <time.h>
#include "build/cache.h"
#include "util/cleanup.h"

BERTH_SCHEMA(build_cache_schema) = {
	.name = "build cache",
	.sql = "CREATE TABLE IF NOT EXISTS build_cache ("
	       " key TEXT PRIMARY KEY,"      /* sha256 of everything the step's result depends on */
	       " parent TEXT NOT NULL,"      /* key of the state the step ran on */
	       " instr TEXT NOT NULL,"       /* canonical expanded instruction */
	       " args TEXT NOT NULL,"        /* visible build args, K=V\\n... */
	       " files TEXT NOT NULL,"       /* COPY/ADD: content digest of the files copied */
	       " base TEXT NOT NULL,"        /* base image ID of the stage ("scratch") */
	       " blob TEXT NOT NULL, media_type TEXT NOT NULL, blob_size INTEGER NOT NULL,"
	       " diff_id TEXT NOT NULL,"
	       " created TEXT NOT NULL,"     /* RFC 3339 time of the history entry */
	       " used INTEGER NOT NULL);"
	       "CREATE INDEX IF NOT EXISTS build_cache_instr ON build_cache(instr, used);",
};

static void col(sqlite3_stmt *s, int i, char *dst, size_t n)
{
	const char *v = (const char *)sqlite3_column_text(s, i);
	snprintf(dst, n, "%s", v ? v : "");
}

static void fill(sqlite3_stmt *s, struct bcache_row *r)
{
	memset(r, 0, sizeof *r);
	col(s, 0, r->key, sizeof r->key);
	col(s, 1, r->parent, sizeof r->parent);
	r->instr = xstrdup((const char *)sqlite3_column_text(s, 2));
	r->args = xstrdup((const char *)sqlite3_column_text(s, 3));
	col(s, 4, r->files, sizeof r->files);
	col(s, 5, r->base, sizeof r->base);
	col(s, 6, r->layer.blob, sizeof r->layer.blob);
	col(s, 7, r->layer.media_type, sizeof r->layer.media_type);
	r->layer.blob_size = (uint64_t)sqlite3_column_int64(s, 8);
	col(s, 9, r->layer.diff_id, sizeof r->layer.diff_id);
	col(s, 10, r->created, sizeof r->created);
}

#define COLS "key, parent, instr, args, files, base, blob, media_type, blob_size, diff_id, created"

int bcache_get(struct store *st, const char *key, struct bcache_row *r, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "SELECT " COLS ", used FROM build_cache WHERE key = ?", err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return store_dberr(st, err, "build cache");
	fill(s, r);
	r->used_ns = sqlite3_column_int64(s, 11);
	return 1;
}

int bcache_find_prev(struct store *st, const char *parent, const char *instr, struct bcache_row *r, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *q = parent ? "SELECT " COLS " FROM build_cache WHERE parent = ? AND instr = ? ORDER BY used DESC LIMIT 1"
			       : "SELECT " COLS " FROM build_cache WHERE ?1 IS NULL AND instr = ?2 ORDER BY used DESC LIMIT 1";
	if (store_prepare(st, &s, q, err) < 0)
		return -1;
	if (parent)
		sqlite3_bind_text(s, 1, parent, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 1);
	sqlite3_bind_text(s, 2, instr, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return store_dberr(st, err, "build cache");
	fill(s, r);
	return 1;
}

int bcache_put(struct store *st, const struct bcache_row *r, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s,
			  "INSERT OR REPLACE INTO build_cache (" COLS ", used) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, r->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->parent, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, r->instr, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->args, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, r->files, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, r->base, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, r->layer.blob, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, r->layer.media_type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)r->layer.blob_size);
	sqlite3_bind_text(s, 10, r->layer.diff_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 11, r->created, -1, SQLITE_STATIC);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	sqlite3_bind_int64(s, 12, (sqlite3_int64)ts.tv_sec * 1000000000 + ts.tv_nsec);
	if (sqlite3_step(s) != SQLITE_DONE)
		return store_dberr(st, err, "build cache");
	return 0;
}

int bcache_touch(struct store *st, const char *key, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "UPDATE build_cache SET used = ? WHERE key = ?", err) < 0)
		return -1;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	sqlite3_bind_int64(s, 1, (sqlite3_int64)ts.tv_sec * 1000000000 + ts.tv_nsec);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		return store_dberr(st, err, "build cache");
	return 0;
}

void bcache_row_release(struct bcache_row *r)
{
	free(r->instr);
	free(r->args);
	r->instr = r->args = NULL;
}

int bcache_prune(struct store *st, berr *err)
{
	return store_exec(st, "DELETE FROM build_cache", err);
}
