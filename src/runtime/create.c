/* create.c: see create.h. */
#include "runtime/create.h"
#include <string.h>
#include "image/image.h"
#include "net/net.h"
#include "util/cleanup.h"
#include "util/fs.h"

int ctr_create(struct store *st, struct run_flags *f, const char *image, char **cmd, int ncmd,
	       ctr_adjust_fn adjust, void *ud, struct ctr **out, berr *err)
{
	struct ctr *c = NULL;
	*out = NULL;
	if (spec_build(st, f, image, cmd, ncmd, &c, err) < 0)
		return -1;
	if ((adjust && adjust(c->cfg, ud, err) < 0) || store_begin(st, err) < 0) {
		_cleanup_free_ char *d = ctr_dir(st, c->id);
		berr e2;
		rm_rf(d, &e2);
		ctr_free(c);
		return -1;
	}
	const char *img_id = json_string_value(json_object_get(c->cfg, "Image"));
	if (ctr_insert(st, c, err) < 0 || (img_id && *img_id && image_ref_add(st, img_id, c->id, err) < 0) ||
	    store_commit(st, err) < 0) {
		store_rollback(st);
		_cleanup_free_ char *d = ctr_dir(st, c->id);
		berr e2;
		rm_rf(d, &e2);
		ctr_free(c);
		return -1;
	}
	*out = c;
	return 0;
}
