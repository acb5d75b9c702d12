/* inspect_image.c: the image inspector for `berth inspect` / `berth image inspect`. */
#include <errno.h>
#include <stdlib.h>
#include "cmd/inspect.h"
#include "image/istore.h"
#include "util/cleanup.h"

static int find_image(struct store *st, const char *name, bool size, json_t **out, berr *err)
{
	_cleanup_free_ char *id = NULL;
	(void)size;
	if (img_lookup(st, name, &id, NULL, err) < 0)
		return err->errnum == ENOENT || err->errnum == EINVAL ? 1 : -1;
	struct img_info in;
	if (img_get(st, id, &in, err) < 0)
		return -1;
	*out = img_inspect_json(st, &in);
	img_info_release(&in);
	return 0;
}

BERTH_INSPECTOR(image_inspector) = { .type = "image", .order = 20, .find = find_image };
