/* resolve.c: image_resolve_for_run (image.h): a reference -> image config + extracted layer
 * dirs, re-extracting any layer whose directory went missing. */
#include "image/image.h"
#include <stdlib.h>
#include <string.h>
#include "image/istore.h"
#include "image/ref.h"
#include "util/cleanup.h"
#include "util/fs.h"

int image_resolve_for_run(struct store *st, const char *ref, struct image_run_info *out, berr *err)
{
	_cleanup_free_ char *id = NULL, *matched = NULL;
	struct img_info in;
	memset(out, 0, sizeof *out);
	if (img_lookup(st, ref, &id, &matched, err) < 0)
		return -1;
	if (img_get(st, id, &in, err) < 0)
		return -1;
	_cleanup_close_ int lk = -1;
	if (istore_lock(st, false, &lk, err) < 0) {
		img_info_release(&in);
		return -1;
	}
	for (size_t i = 0; i < in.nlayers; i++) {
		char *d = layer_dir(st, in.layers[i].chain_id);
		if (!path_exists(d)) {
			struct img_layer l = in.layers[i];
			if (layer_ensure(st, i ? in.layers[i - 1].chain_id : "", &l, err) < 0) {
				free(d);
				img_info_release(&in);
				image_run_info_release(out);
				return berr_wrap(err, "image %s: re-extracting layer", ref);
			}
		}
		sv_push_owned(&out->layer_dirs, d);
	}
	out->id = steal_pointer(&in.id);
	out->config = json_incref(in.config);
	if (matched)
		out->ref = steal_pointer(&matched);
	else
		out->ref = xstrdup(out->id);
	img_info_release(&in);
	return 0;
}

void image_run_info_release(struct image_run_info *info)
{
	free(info->id);
	free(info->ref);
	json_decref(info->config);
	sv_clear(&info->layer_dirs);
	memset(info, 0, sizeof *info);
}
