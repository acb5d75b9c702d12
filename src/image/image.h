/* image.h: what other modules need from the image store (implemented under src/image/ and
 * src/store/ by the image store; see docs/images.md). */
#pragma once
#include <jansson.h>
#include "store/store.h"
#include "util/err.h"
#include "util/strbuf.h"

/* Everything `run` and the builder need to start from an image. */
struct image_run_info {
	char *id;               /* "sha256:<hex>" of the config */
	char *ref;              /* the normalised reference asked for, e.g. docker.io/library/busybox:latest */
	json_t *config;         /* the full image config JSON (has .config.Env, .Cmd, ...) */
	struct strvec layer_dirs; /* absolute extracted layer dirs, BOTTOM-most first (layers/<chain-id>/diff) */
};

/* Resolve a reference, short or full ID (prefix of at least 1 hex char, unique) to an image
 * and make sure its layers are extracted. Returns -1 with "No such image: REF" if absent. */
int image_resolve_for_run(struct store *st, const char *ref, struct image_run_info *out, berr *err);
void image_run_info_release(struct image_run_info *info);

/* Pin an image while a container uses it (rmi refuses without -f); the container table is the
 * runtime's, this only records the reference. */
int image_ref_add(struct store *st, const char *image_id, const char *holder, berr *err);
int image_ref_drop(struct store *st, const char *image_id, const char *holder, berr *err);
