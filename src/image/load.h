/* load.h: `berth load`: docker-save archives, OCI archives and OCI layout directories. */
#pragma once
#include "store/store.h"
#include "util/strbuf.h"

/* Load every image in the archive read from fd (or the layout directory dirpath when fd < 0).
 * Appends Docker's lines ("Loaded image: busybox:latest", "Loaded image ID: sha256:...",
 * "The image X already exists, renaming the old one with ID Y to empty string") to out. */
int image_load(struct store *st, int fd, const char *dirpath, struct strvec *out, berr *err);
