/* pull_internal.h: the parallel blob downloader used by pull.c. */
#pragma once
#include <stdint.h>
#include "registry/client.h"
#include "registry/progress.h"
#include "store/store.h"
#include "util/digest.h"

struct dl_layer {
	char digest[DIGEST_STR_LEN + 1];
	uint64_t size;  /* from the manifest; 0 if unknown */
};

/* Make sure every layer blob is in the store: blobs present are "Already exists"; the others
 * are downloaded (at most BERTH_MAX_CONCURRENT_DOWNLOADS, default 3, at a time) into
 * root/tmp/pull-<hex>.partial (resumed with a Range request after an interruption), verified
 * against their digest, and moved into the store. Adds one progress line per layer, in order. */
int download_layers(struct store *st, struct reg_client *c, struct dl_layer *l, size_t n, struct progress *pg,
		    void (*ready)(void *ud, size_t k), void *ud, berr *err);
/* ready(ud, k) is called (from the calling thread) as soon as layer k's blob is in the store, so
 * extraction can run while later blobs download. */
