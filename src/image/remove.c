/* remove.c: Docker's image delete semantics (daemon/images/image_delete.go): untag by name,
 * delete when nothing names the image any more, conflicts with containers and multiple
 * repositories, and the "Untagged:" / "Deleted:" records. */
#include "image/remove.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "image/istore.h"
#include "image/ref.h"
#include "util/cleanup.h"

static void rec(struct strvec *out, const char *what, const char *v)
{
	sv_pushf(out, "%s: %s", what, v);
}

static int first_holder(struct store *st, const char *id, char out[13])
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	berr e;
	out[0] = 0;
	if (store_prepare(st, &s, "SELECT holder FROM image_holders WHERE image_id = ? ORDER BY holder", &e) < 0)
		return 0;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		short_id((const char *)sqlite3_column_text(s, 0), out);
		return 1;
	}
	return 0;
}

int image_delete_full(struct store *st, const char *id, struct strvec *out, uint64_t *freed, berr *err)
{
	char h[13];
	if (first_holder(st, id, h))
		return 0; /* a container still uses it: keep it (dangling) until the container goes */
	if (img_delete(st, id, err) < 0)
		return -1;
	rec(out, "Deleted", id);
	_cleanup_strvec_ struct strvec removed = STRVEC_INIT;
	if (img_gc(st, freed, &removed, err) < 0)
		return -1;
	for (size_t i = 0; i < removed.n; i++)
		rec(out, "Deleted", removed.v[i]);
	return 0;
}

int image_remove(struct store *st, const char *name, bool force, struct strvec *out, berr *err)
{
	_cleanup_free_ char *id = NULL, *matched = NULL;
	if (img_lookup(st, name, &id, &matched, err) < 0)
		return -1;
	struct img_info in;
	if (img_get(st, id, &in, err) < 0)
		return -1;
	char sid[13], holder[13];
	short_id(id, sid);
	bool held = first_holder(st, id, holder);
	int ret = -1;
	size_t names = in.tags.n + in.digests.n;
	if (matched) {
		if (held && names == 1 && !force) {
			berr_set(err, EBUSY, "conflict: unable to remove repository reference \"%s\" (must force) - container %s is using its referenced image %s",
				 name, holder, sid);
			goto out;
		}
		if (img_untag(st, matched, err) < 0)
			goto out;
		_cleanup_free_ char *fam = ref_familiarize(matched);
		rec(out, "Untagged", fam);
		if (names > 1) {
			ret = 0;
			goto out;
		}
	} else {
		if (names > 1 && !force) {
			berr_set(err, EBUSY, "conflict: unable to delete %s (must be forced) - image is referenced in multiple repositories", sid);
			goto out;
		}
		if (held && !force) {
			berr_set(err, EBUSY, "conflict: unable to delete %s (must be forced) - image is being used by stopped container %s", sid, holder);
			goto out;
		}
		for (size_t i = 0; i < in.tags.n; i++) {
			if (img_untag(st, in.tags.v[i], err) < 0)
				goto out;
			_cleanup_free_ char *fam = ref_familiarize(in.tags.v[i]);
			rec(out, "Untagged", fam);
		}
		for (size_t i = 0; i < in.digests.n; i++) {
			if (img_untag(st, in.digests.v[i], err) < 0)
				goto out;
			_cleanup_free_ char *fam = ref_familiarize(in.digests.v[i]);
			rec(out, "Untagged", fam);
		}
	}
	ret = image_delete_full(st, id, out, NULL, err);
out:
	img_info_release(&in);
	return ret;
}
