/* prune.c: removing dangling (or, with all, every unused) image, as `image prune` does. */
#include "image/remove.h"
#include <stdlib.h>
#include <string.h>
#include "image/istore.h"
#include "image/ref.h"
#include "util/cleanup.h"

int image_prune(struct store *st, bool all, struct strvec *out, uint64_t *freed, berr *err)
{
	_cleanup_strvec_ struct strvec ids = STRVEC_INIT;
	*freed = 0;
	if (img_list(st, &ids, err) < 0)
		return -1;
	for (size_t i = 0; i < ids.n; i++) {
		struct img_info in;
		if (img_get(st, ids.v[i], &in, err) < 0)
			continue;
		bool dangling = in.tags.n == 0 && in.digests.n == 0;
		bool take = in.holders == 0 && (dangling || all);
		if (take) {
			for (size_t k = 0; k < in.tags.n; k++) {
				if (img_untag(st, in.tags.v[k], err) < 0)
					break;
				_cleanup_free_ char *f = ref_familiarize(in.tags.v[k]);
				sv_pushf(out, "untagged: %s", f);
			}
			for (size_t k = 0; k < in.digests.n; k++) {
				if (img_untag(st, in.digests.v[k], err) < 0)
					break;
				_cleanup_free_ char *f = ref_familiarize(in.digests.v[k]);
				sv_pushf(out, "untagged: %s", f);
			}
			if (img_delete(st, in.id, err) < 0) {
				img_info_release(&in);
				return -1;
			}
			sv_pushf(out, "deleted: %s", in.id);
		}
		img_info_release(&in);
	}
	_cleanup_strvec_ struct strvec removed = STRVEC_INIT;
	if (img_gc(st, freed, &removed, err) < 0)
		return -1;
	for (size_t i = 0; i < removed.n; i++)
		sv_pushf(out, "deleted: %s", removed.v[i]);
	return 0;
}
