/* profiles.c: Compose profiles: a service with `profiles:` is part of the project only when one
 * of its profiles is enabled (--profile, COMPOSE_PROFILES; "*" enables all). */
#include <stdlib.h>
#include <string.h>
#include "compose/compose.h"
#include "util/cleanup.h"

static bool enabled(json_t *svc, const struct strvec *profiles)
{
	json_t *p = json_object_get(svc, "profiles");
	if (!json_is_array(p) || !json_array_size(p))
		return true;
	if (sv_contains(profiles, "*"))
		return true;
	size_t i;
	json_t *x;
	json_array_foreach(p, i, x)
		if (json_is_string(x) && sv_contains(profiles, json_string_value(x)))
			return true;
	return false;
}

static void dep_names(json_t *svc, struct strvec *out)
{
	json_t *d = json_object_get(svc, "depends_on");
	size_t i;
	json_t *x;
	const char *k;
	if (json_is_array(d))
		json_array_foreach(d, i, x) {
			if (json_is_string(x) && !sv_contains(out, json_string_value(x)))
				sv_push(out, json_string_value(x));
		}
	else
		json_object_foreach(d, k, x)
			if (!sv_contains(out, k))
				sv_push(out, k);
}

int compose_apply_profiles(json_t *model, const struct strvec *profiles, const struct strvec *selected, berr *err)
{
	json_t *services = json_object_get(model, "services");
	if (!json_is_object(services))
		return 0;
	if (selected && selected->n) {
		/* the named services and what they depend on, whatever their profiles */
		_cleanup_strvec_ struct strvec keep = STRVEC_INIT;
		for (size_t i = 0; i < selected->n; i++) {
			if (!json_object_get(services, selected->v[i]))
				return berr_set(err, 0, "no such service: %s", selected->v[i]);
			if (!sv_contains(&keep, selected->v[i]))
				sv_push(&keep, selected->v[i]);
		}
		for (size_t i = 0; i < keep.n; i++)
			dep_names(json_object_get(services, keep.v[i]), &keep);
		const char *name;
		json_t *svc;
		void *tmp;
		json_object_foreach_safe(services, tmp, name, svc)
			if (!sv_contains(&keep, name))
				json_object_del(services, name);
		return 0;
	}
	const char *name;
	json_t *svc;
	void *tmp;
	json_object_foreach_safe(services, tmp, name, svc)
		if (json_is_object(svc) && !enabled(svc, profiles))
			json_object_del(services, name);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void compose_list_profiles(json_t *model, struct strvec *out)
{
	const char *name;
	json_t *svc;
	json_object_foreach(json_object_get(model, "services"), name, svc) {
		size_t i;
		json_t *x;
		json_array_foreach(json_object_get(svc, "profiles"), i, x)
			if (json_is_string(x) && !sv_contains(out, json_string_value(x)))
				sv_push(out, json_string_value(x));
	}
	if (out->n)
		qsort(out->v, out->n, sizeof *out->v, cmp);
}
