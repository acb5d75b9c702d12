/* output.h: `berth build -o/--output` (buildx's syntax): type=image (default: the image is
 * stored and tagged), type=local,dest=DIR and type=tar,dest=FILE|- (the final stage's
 * filesystem, not an image), type=oci|docker,dest=FILE (the image, also stored, written as an
 * OCI or docker-archive tarball by image/save.h). See docs/build.md. */
#pragma once
#include <stdbool.h>
#include "store/store.h"
#include "util/err.h"
#include "util/strbuf.h"

enum bout_type { BOUT_IMAGE, BOUT_LOCAL, BOUT_TAR, BOUT_OCI, BOUT_DOCKER };

struct boutput {
	enum bout_type type;
	char *dest;           /* NULL (image), a path, or "-" (stdout) */
	struct strvec names;  /* name= (extra tags for image/oci/docker) */
};

/* Parse the -o values (at most one): "DIR" = type=local,dest=DIR, "-" = type=tar to stdout,
 * else comma-separated key=value with type=, dest=, name=. */
int boutput_parse(const struct strvec *specs, struct boutput *o, berr *err);
void boutput_release(struct boutput *o);

static inline bool boutput_is_fs(const struct boutput *o)
{
	return o->type == BOUT_LOCAL || o->type == BOUT_TAR;
}

/* local/tar: write the tree at root (a read-only mount of the final stage) to o->dest;
 * *bytes gets the size of the files written. Owners, modes, times and symlinks are kept;
 * a local export never follows a symlink it wrote. */
int boutput_write_fs(const struct boutput *o, const char *root, unsigned long long *bytes, berr *err);

/* oci/docker: save image id (named by tags when there are any) to o->dest. */
int boutput_write_image(struct store *st, const struct boutput *o, const char *id, const struct strvec *tags,
			berr *err);
