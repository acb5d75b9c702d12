/* store.h: the on-disk store under --root: the SQLite database (WAL) and its schema.
 *
 * Each module owns its tables and declares them in its own file with BERTH_SCHEMA; store_open
 * applies every registered schema (idempotent CREATE ... IF NOT EXISTS statements), so modules
 * never edit a shared schema file. Layout under root: berth.db, blobs/sha256/, layers/,
 * containers/, volumes/, tmp/ (see docs/ARCHITECTURE.md). */
#pragma once
#include <sqlite3.h>
#include <stdbool.h>
#include "util/err.h"

struct store {
	char *root;     /* --root, absolute */
	char *runroot;  /* --runroot */
	sqlite3 *db;
	int in_tx;      /* nesting depth of store_begin */
	bool defer_sync; /* store_close leaves the WAL's fdatasync to store_deferred_wal's caller */
};

struct berth_schema {
	const char *name;  /* module name, for error messages */
	const char *sql;   /* one or more statements; must be idempotent */
};

#define BERTH_SCHEMA(ident)                                                           \
	static const struct berth_schema ident;                                       \
	static const struct berth_schema *const ident##_entry                        \
		__attribute__((used, section("berth_schemas"))) = &ident;            \
	static const struct berth_schema ident

/* Open (creating if needed, mode 0700) the store at root and apply every schema. */
int store_open(struct store **out, const char *root, const char *runroot, berr *err);
void store_close(struct store *st);
/* The WAL whose fdatasync a store_close skipped because the caller set st->defer_sync (the
 * --rm trash reaper syncs it after the CLI has exited), or NULL. */
const char *store_deferred_wal(void);
static inline void cleanup_storep(struct store **st) { if (*st) store_close(*st); }
#define _cleanup_store_ __attribute__((cleanup(cleanup_storep)))

/* Transactions: BEGIN IMMEDIATE (writers serialise, readers never block under WAL). Nested
 * calls only count depth. store_rollback is safe to call after a failed commit. */
int store_begin(struct store *st, berr *err);
int store_commit(struct store *st, berr *err);
void store_rollback(struct store *st);

/* Run SQL with no result rows. */
int store_exec(struct store *st, const char *sql, berr *err);
/* Prepare a statement; on failure fills err with sqlite's message. */
int store_prepare(struct store *st, sqlite3_stmt **stmt, const char *sql, berr *err);
/* Fill err from the database's last error, with context; returns -1. */
int store_dberr(struct store *st, berr *err, const char *what);

/* Path helpers: malloc'd "<root>/<rel>". */
char *store_path(struct store *st, const char *rel);

static inline void cleanup_stmtp(sqlite3_stmt **s) { if (*s) sqlite3_finalize(*s); }
#define _cleanup_stmt_ __attribute__((cleanup(cleanup_stmtp)))
