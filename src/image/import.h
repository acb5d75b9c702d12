/* import.h: make a one-layer image from a rootfs tarball (`berth import`). */
#pragma once
#include "store/store.h"
#include "util/digest.h"
#include "util/strbuf.h"

/* Read the tarball (any compression) from fd; changes are --change lines; message the
 * history comment ("Imported from SRC" if NULL). arch e.g. "amd64". */
int image_import(struct store *st, int fd, const char *src, const struct strvec *changes, const char *message,
		 const char *arch, char id_out[DIGEST_STR_LEN + 1], berr *err);
