/* envmap.h: an ordered "K=V" environment with O(1) lookup and replacement, whose strings
 * live in a caller-owned arena (so copies and snapshots share them). Used by the planner
 * for the LLB state environment and the image config's Env. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/arena.h"
#include "util/strbuf.h"

struct envmap {
	const char **kv;   /* "K=V" in order of first definition; NULL-terminated when n > 0 */
	size_t n, cap;
	uint32_t *tab;     /* open addressing: index + 1, 0 = empty */
	size_t tcap;       /* power of two (0: no table yet) */
	bool shared;       /* kv[0..n) is referenced by a snapshot: copy before changing */
	void **retired;    /* arrays given up while shared (snapshots point into them) */
	size_t nretired;
};

/* The current entries, valid until envmap_release (changes copy the array first). */
const char *const *envmap_snapshot(struct envmap *e, size_t *n);

/* The value of key (after "="), or NULL. */
const char *envmap_get(const struct envmap *e, const char *key);
/* The position of key[0..klen) in the order, or -1. */
long envmap_find(const struct envmap *e, const char *key, size_t klen);
/* The "K=V" string of key, or NULL. */
const char *envmap_get_kv(const struct envmap *e, const char *key);
/* Set key=val: replaces in place (keeping the order) or appends. The new "K=V" string is
 * allocated in arena a (which owns it). Returns it. */
const char *envmap_set(struct envmap *e, struct arena *a, const char *key, const char *val);
/* Add an existing "K=V" string (owned elsewhere, e.g. the pool), replacing as envmap_set. */
void envmap_put(struct envmap *e, const char *kv);
void envmap_copy(struct envmap *dst, const struct envmap *src);
void envmap_release(struct envmap *e);
/* shell_env getter: ctx is a struct envmap *. */
const char *envmap_lookup(void *ctx, const char *name);
