/* remove.h: removing images as `rmi` and the prune verbs do. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "store/store.h"
#include "util/strbuf.h"

/* Remove the image `name` names (untag only, when other names remain). Appends Docker's
 * records ("Untagged: busybox:latest", "Deleted: sha256:...") to out. */
int image_remove(struct store *st, const char *name, bool force, struct strvec *out, berr *err);
/* Delete an untagged image and collect what became unreferenced (kept while a container holds it). */
int image_delete_full(struct store *st, const char *id, struct strvec *out, uint64_t *freed, berr *err);
/* Delete dangling images (all: every image no container holds), then gc; "untagged: X" /
 * "deleted: sha256:..." lines as `image prune` prints them; bytes freed on disk. */
/* filters: Docker's prune filters "until=TIMESTAMP|DURATION", "label=K[=V]", "label!=K[=V]";
 * an unknown filter is an error ("Invalid filter 'x'"). */
int image_prune(struct store *st, bool all, const struct strvec *filters, struct strvec *out, uint64_t *freed, berr *err);
