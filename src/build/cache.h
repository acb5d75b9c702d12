/* cache.h: the builder's step cache (SQLite table build_cache): a step's key (parent key +
 * canonical expanded instruction + visible build args + content digest of the files a COPY
 * takes + base image) maps to the layer it produced. Rows also keep the inputs, so that a
 * miss can say what changed since the last build of the same instruction. */
#pragma once
#include "image/istore.h"
#include "store/store.h"

struct bcache_row {
	char key[DIGEST_STR_LEN + 1];
	char parent[DIGEST_STR_LEN + 1];
	char *instr;
	char *args;
	char files[DIGEST_STR_LEN + 1];
	char base[DIGEST_STR_LEN + 1];
	struct img_layer layer;   /* blob, media_type, blob_size, diff_id */
	char created[64];
	int64_t used_ns;          /* bcache_get: when last used (ns since the epoch) */
};

/* 1 and *r filled when key is known, 0 if not. */
int bcache_get(struct store *st, const char *key, struct bcache_row *r, berr *err);
/* The most recently used row with this instruction on this parent (parent NULL: any parent). */
int bcache_find_prev(struct store *st, const char *parent, const char *instr, struct bcache_row *r, berr *err);
int bcache_put(struct store *st, const struct bcache_row *r, berr *err);
int bcache_touch(struct store *st, const char *key, berr *err);
void bcache_row_release(struct bcache_row *r);
int bcache_prune(struct store *st, berr *err);
