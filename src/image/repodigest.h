/* repodigest.h: record "name@sha256:..." repo digests (the image_digests table of imgdb.c),
 * added by the registry client (the image store had no writer for that table yet). */
#pragma once
#include "store/store.h"
#include "util/err.h"

/* Point the repo digest `name_at_digest` (full normalised "host/repo@sha256:...") at image id. */
int img_set_repo_digest(struct store *st, const char *name_at_digest, const char *id, berr *err);
