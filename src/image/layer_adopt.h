/* layer_adopt.h: make a directory that already holds a layer's files in overlay form (an
 * overlay upper dir the builder just turned into a layer blob) the extracted layer, by
 * renaming it into root/layers/<chain>/diff instead of extracting the blob again. */
#pragma once
#include <stdint.h>
#include "image/istore.h"
#include "image/layer.h"

/* l->diff_id must be set (the diff ID of the tar made from dir); fills l->chain_id and
 * l->size. dir must be on the store's file system (else the blob is extracted as
 * layer_ensure does). Overlay xattrs other than the opaque marker are removed first (an
 * extracted layer has none). dir is gone afterwards (moved, or removed when the layer was
 * already present). */
int layer_adopt_dir(struct store *st, const char *parent_chain, struct img_layer *l, const char *dir, berr *err);

/* Lazy layer blobs (store/blob.h blob_set_lazy): instead of writing a layer blob at build
 * time, record how to make it: the extracted layer dir of chain_id, tarred again with
 * layer_diff_upper(comp, epoch), which is deterministic, gives the same bytes. The blob is
 * written the first time something opens it (push, save, image check); blob_exists is true
 * meanwhile. Recipes live in root/lazyblobs/<hex>. */
int layer_lazy_blob_record(struct store *st, const char *digest, const char *chain_id, enum layer_compression comp,
			   int64_t epoch, berr *err);
