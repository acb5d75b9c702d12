/* save.h: `berth save`: docker-archive, oci-archive, oci-dir. */
#pragma once
#include "store/store.h"
#include "util/strbuf.h"

enum save_format { SAVE_DOCKER_ARCHIVE, SAVE_OCI_ARCHIVE, SAVE_OCI_DIR };

/* Write the images named by refs (names or IDs) to fd (archives) or to the directory dir
 * (oci-dir). A name tags the image in the output; an ID saves it untagged. */
int image_save(struct store *st, const struct strvec *refs, enum save_format fmt, int fd, const char *dir, berr *err);
