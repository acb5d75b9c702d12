/* sources.c: the registry_blob_sources table (see sources.h). Best effort: errors ignored. */
#include "registry/sources.h"
#include "util/cleanup.h"

BERTH_SCHEMA(registry_schema) = {
	"registry",
	"CREATE TABLE IF NOT EXISTS registry_blob_sources (digest TEXT NOT NULL, host TEXT NOT NULL, repo TEXT NOT NULL,"
	"  PRIMARY KEY(digest, host, repo));",
};

void blob_source_add(struct store *st, const char *digest, const char *host, const char *repo)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	berr err;
	if (store_prepare(st, &s, "INSERT OR IGNORE INTO registry_blob_sources(digest, host, repo) VALUES(?,?,?)", &err) < 0)
		return;
	sqlite3_bind_text(s, 1, digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, host, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, repo, -1, SQLITE_STATIC);
	sqlite3_step(s);
}

void blob_sources(struct store *st, const char *digest, const char *host, const char *except, struct strvec *repos)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	berr err;
	if (store_prepare(st, &s, "SELECT repo FROM registry_blob_sources WHERE digest = ? AND host = ? AND repo != ? ORDER BY repo", &err) < 0)
		return;
	sqlite3_bind_text(s, 1, digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, host, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, except, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW)
		sv_push(repos, (const char *)sqlite3_column_text(s, 0));
}
