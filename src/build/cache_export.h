/* cache_export.h: `berth build --cache-to type=local,dest=DIR[,mode=min|max]` and
 * `--cache-from type=local,src=DIR`: the step cache (key -> layer rows of build/cache.h) and
 * the contents of the `RUN --mount=type=cache` directories, carried in an OCI image layout in
 * DIR (oci-layout, index.json, blobs/sha256/) as BuildKit's local cache is, so that another
 * store (another machine) gets CACHED steps and warm cache mounts. See docs/build.md. */
#pragma once
#include <stdbool.h>
#include "dockerfile/instr.h"
#include "dockerfile/plan.h"
#include "store/store.h"
#include "util/digest.h"
#include "util/err.h"
#include "util/strbuf.h"

#define BCIO_CONFIG_MT "application/vnd.berth.buildcache.config.v0+json"
#define BCIO_MOUNT_ANNOTATION "dev.berth.cache-mount"

struct bcio_note {
	char key[DIGEST_STR_LEN + 1];
	int stage;
};

struct bcache_io {
	char *to;               /* --cache-to dest, NULL if none */
	bool max;               /* mode=max: every step of every stage built, else the target's */
	struct strvec from;     /* --cache-from src dirs */
	struct bcio_note *notes; /* the steps of this build, in order */
	size_t nnotes;
};

/* Parse --cache-from / --cache-to values (buildx syntax; type=local only; a bare value of
 * --cache-from is a registry ref, refused). */
int bcio_parse(const struct strvec *from, const struct strvec *to, struct bcache_io *c, berr *err);
void bcio_release(struct bcache_io *c);

/* Remember that a step of stage `stage` has cache key `key` (hit or built). */
void bcio_note(struct bcache_io *c, const char *key, int stage);

/* The store directory of a RUN --mount=type=cache (id, default the target as written). */
char *bcio_mount_dir(struct store *st, const struct df_mount *m);

/* Import every --cache-from dir into the store: rows the store lacks (with their layer blobs,
 * digests verified) and cache-mount contents for mounts that are missing or empty here. */
int bcio_import(struct bcache_io *c, struct store *st, size_t *rows, size_t *mounts, berr *err);

/* Export to --cache-to: the noted rows (mode=min: of the target stage and the stages it is
 * built FROM) with their layer blobs, and the cache mounts the needed stages' RUN steps use. */
int bcio_export(struct bcache_io *c, struct store *st, const struct plan *plan, size_t *rows, size_t *mounts,
		berr *err);
