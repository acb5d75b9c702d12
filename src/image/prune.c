/* prune.c: removing dangling (or, with all, every unused) image, as `image prune` does. */
#include "image/remove.h"
#include <stdlib.h>
#include <string.h>
#include "image/istore.h"
#include "image/ref.h"
#include "util/cleanup.h"
#include "util/units.h"
#include <errno.h>
#include <time.h>

static bool label_matches(json_t *labels, const char *f)
{
	const char *eq = strchr(f, '=');
	_cleanup_free_ char *k = eq ? xstrndup(f, (size_t)(eq - f)) : xstrdup(f);
	json_t *v = json_object_get(labels, k);
	if (!v)
		return false;
	return !eq || (json_is_string(v) && !strcmp(json_string_value(v), eq + 1));
}

/* Does the image pass every filter (all must hold, as Docker's prune filters)? */
static int passes(const struct img_info *in, const struct strvec *filters, bool *ok, berr *err)
{
	*ok = true;
	json_t *labels = json_object_get(json_object_get(in->config, "config"), "Labels");
	for (size_t i = 0; filters && i < filters->n; i++) {
		const char *f = filters->v[i];
		if (!strncmp(f, "until=", 6)) {
			int64_t sec;
			long nsec;
			if (units_parse_timestamp(f + 6, time(NULL), &sec, &nsec, err) < 0)
				return -1;
			long cns = 0;
			int64_t c = parse_rfc3339(json_string_value(json_object_get(in->config, "created")), &cns);
			if (c > sec || (c == sec && cns >= nsec))
				*ok = false;
		} else if (!strncmp(f, "label=", 6)) {
			if (!label_matches(labels, f + 6))
				*ok = false;
		} else if (!strncmp(f, "label!=", 7)) {
			if (label_matches(labels, f + 7))
				*ok = false;
		} else {
			const char *eq = strchr(f, '=');
			_cleanup_free_ char *k = eq ? xstrndup(f, (size_t)(eq - f)) : xstrdup(f);
			return berr_set(err, EINVAL, "Invalid filter '%s'", k);
		}
	}
	return 0;
}

int image_prune(struct store *st, bool all, const struct strvec *filters, struct strvec *out, uint64_t *freed, berr *err)
{
	_cleanup_strvec_ struct strvec ids = STRVEC_INIT;
	*freed = 0;
	if (img_list(st, &ids, err) < 0)
		return -1;
	/* validate the filters before removing anything */
	if (filters && filters->n) {
		struct img_info none = { 0 };
		none.config = json_object();
		bool ok;
		int r = passes(&none, filters, &ok, err);
		json_decref(none.config);
		if (r < 0)
			return -1;
	}
	for (size_t i = 0; i < ids.n; i++) {
		struct img_info in;
		if (img_get(st, ids.v[i], &in, err) < 0)
			continue;
		bool dangling = in.tags.n == 0 && in.digests.n == 0;
		bool ok = true;
		if (passes(&in, filters, &ok, err) < 0) {
			img_info_release(&in);
			return -1;
		}
		bool take = ok && in.holders == 0 && (dangling || all);
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
