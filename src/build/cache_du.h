/* cache_du.h: the build cache as BuildKit's usage records (`builder du`, `system df`):
 * one "regular" record per cached step (build/cache.h) whose layer blob is still in the
 * store, one "exec.cachemount" record per RUN --mount=type=cache directory (cache/mounts/).
 * Sizes are bytes on disk (blocks), as `system df` measures. A regular record is Shared when
 * an image also holds its blob (pruning the record frees nothing then); every record is
 * reclaimable (berth has no daemon, so no record is ever in use by a running build). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "store/store.h"
#include "util/err.h"
#include "util/strbuf.h"

#define BDU_ID_LEN 25 /* BuildKit's record IDs are 25 characters */

struct bdu_rec {
	char id[BDU_ID_LEN + 1];     /* the first 25 hex digits of the step key / mount dir */
	char parent[BDU_ID_LEN + 1]; /* "" when the parent step has no record */
	const char *type;            /* "regular" or "exec.cachemount" */
	bool mutable_, shared;
	uint64_t size;               /* bytes on disk */
	char *description;           /* the step's instruction; "cached mount" for mounts */
	int64_t created_ns, used_ns; /* ns since the epoch */
	int usage;                   /* usage count: 1 (berth does not count uses) */
	char chain[72];              /* regular: the layer's chain ID found for it ("" if none) */
};

/* Records last used before until_ns (INT64_MAX: all), oldest use first. */
int bdu_list(struct store *st, int64_t until_ns, struct bdu_rec **out, size_t *n, berr *err);
void bdu_free(struct bdu_rec *r, size_t n);

struct bdu_sum {
	uint64_t shared, private_, reclaimable, total;
	uint64_t private_layers, mounts; /* bytes of private regular records (in layers/, blobs/), of cache mounts */
	long count;
};
void bdu_summarize(const struct bdu_rec *r, size_t n, struct bdu_sum *s);
/* Parse --filter values for du/prune: "until=TIME" sets *until_ns; with labelled, label=/label!=
 * set *labelled (cache records have no labels: prune then matches nothing); other keys are errors. */
int bdu_parse_filters(const struct strvec *filters, int64_t *until_ns, bool *labelled, berr *err);
