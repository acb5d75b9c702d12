/* ensure.c: registry_ensure_image(), the hook `run` and the builder's FROM use to pull an
 * image that is not in the store, the way Docker does ("Unable to find image 'x:latest'
 * locally", then the pull's lines, all on stderr). */
#include <errno.h>
#include <string.h>
#include "image/istore.h"
#include "image/ref.h"
#include "registry/registry.h"
#include "util/cleanup.h"

int registry_ensure_image(struct store *st, const char *refstr, const struct reg_opts *o0, char **id_out, berr *err)
{
	_cleanup_free_ char *id = NULL;
	if (img_lookup(st, refstr, &id, NULL, err) == 0) {
		if (id_out)
			*id_out = steal_pointer(&id);
		return 0;
	}
	if (err->errnum != ENOENT)
		return -1;
	/* an ID (or sha256:prefix) that is not here cannot be pulled */
	if (!strncmp(refstr, "sha256:", 7) || ref_is_full_id(refstr))
		return -1;
	struct ref r;
	berr perr;
	if (ref_parse_tagged(refstr, &r, &perr) < 0)
		return -1;
	_cleanup_free_ char *fam = ref_familiar_string(&r);
	ref_free(&r);
	struct reg_opts o = REG_OPTS_INIT;
	if (o0)
		o = *o0;
	if (!o.out)
		o.out = stderr;
	fprintf(o.out, "Unable to find image '%s' locally\n", fam);
	fflush(o.out);
	berr_clear(err);
	return registry_pull(st, refstr, &o, id_out, err);
}
