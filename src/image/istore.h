/* istore.h: the image store's internal API, shared by the image verbs (src/cmd/image_*.c),
 * load/save and system check/df/prune. Tables are declared in imgdb.c. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "store/store.h"
#include "util/digest.h"
#include "util/err.h"
#include "util/strbuf.h"

#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar"
#define MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"

/* ---- locking: writers hold the GC lock shared (from their first blob/layer write until their
 * img_commit returns), removers of files exclusive. fd receives the lock; close it to release. */
int istore_lock(struct store *st, bool exclusive, int *fd, berr *err);

/* ---- layers (layers.c) ---- */
struct img_layer {
	char blob[DIGEST_STR_LEN + 1];     /* the stored (maybe compressed) blob */
	char media_type[96];
	uint64_t blob_size;
	char diff_id[DIGEST_STR_LEN + 1];  /* "" if not yet known */
	char chain_id[DIGEST_STR_LEN + 1];
	uint64_t size;                      /* bytes of the extracted files */
};
/* chain = diff_id for the first layer, else sha256(parent + " " + diff_id). */
void chain_id_next(const char *parent, const char *diff_id, char out[DIGEST_STR_LEN + 1]);
/* Make sure layers/<chain>/diff holds the layer's files (extracting the blob under the
 * layer's flock if needed) and fill diff_id/chain_id/size. parent_chain is "" for the first. */
int layer_ensure(struct store *st, const char *parent_chain, struct img_layer *l, berr *err);
char *layer_dir(struct store *st, const char *chain_id);   /* layers/<hex>/diff */
/* Remove layers/<hex> (under the layer's flock). */
int layer_remove(struct store *st, const char *chain_id, berr *err);
uint64_t path_du(const char *path);            /* bytes used on disk (st_blocks), links once */
uint64_t path_apparent_size(const char *path); /* sum of file sizes */

/* ---- images (imgdb.c) ---- */
struct img_new {
	const char *config; size_t config_len;      /* config JSON bytes */
	const char *manifest; size_t manifest_len;  /* NULL: generated (OCI) */
	const char *manifest_media_type;
	struct img_layer *layers; size_t nlayers;
	const char *parent;                         /* "" or parent image id (builder) */
};
/* Store blobs + rows for an image in one transaction (blobs and layers must be in place).
 * id_out gets "sha256:<config hex>". */
int img_commit(struct store *st, const struct img_new *in, char id_out[DIGEST_STR_LEN + 1], berr *err);
/* Point tag `name` (full normalised "docker.io/library/x:t") at id. *old_id (malloc'd, may be
 * NULL) receives the image it pointed at before, if another. */
int img_tag(struct store *st, const char *name, const char *id, char **old_id, berr *err);

/* Resolve a user string (name, name:tag, name@digest, ID or unique ID prefix) to an image ID.
 * Fills *matched_ref (malloc'd full name) when matched by reference, else NULL. */
int img_lookup(struct store *st, const char *s, char **id, char **matched_ref, berr *err);

struct img_info {
	char *id;
	json_t *config;         /* parsed config blob */
	char *manifest_digest;
	char *manifest_media_type;
	int64_t added;          /* unix seconds stored */
	int64_t tagged;         /* last tag time, ns since the epoch (0: never tagged) */
	uint64_t size;
	char *parent;
	struct strvec tags;     /* full names, sorted */
	struct strvec digests;  /* repo digests, full names */
	struct img_layer *layers; size_t nlayers;
	int holders;
};
int img_get(struct store *st, const char *id, struct img_info *out, berr *err);
void img_info_release(struct img_info *in);
/* All image IDs, newest first. */
int img_list(struct store *st, struct strvec *ids, berr *err);

/* Remove tag (full name); returns 0, or 1 if it did not exist. */
int img_untag(struct store *st, const char *name, berr *err);
/* Delete an image row (must have no tags). Layers/blobs left unreferenced are deleted as files
 * afterwards by img_gc. deleted_layers (may be NULL) receives the chain IDs whose refcount fell
 * to zero. */
int img_delete(struct store *st, const char *id, berr *err);
/* Remove rows and files of layers/blobs nothing references, and orphan files/dirs on disk.
 * Returns bytes freed in *freed; removed chain IDs pushed on removed_layers if not NULL. */
int img_gc(struct store *st, uint64_t *freed, struct strvec *removed_layers, berr *err);

/* Build Docker's inspect JSON object for an image. */
json_t *img_inspect_json(struct store *st, const struct img_info *in);

/* Time helpers: RFC 3339 <-> unix; "now" formatted as Docker does. */
int64_t parse_rfc3339(const char *s, long *nsec);
char *format_rfc3339_now(void);
/* Short 12-hex ID of "sha256:..." (static buffer per call site: caller copies). */
void short_id(const char *id, char out[13]);
