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

int compose_apply_profiles(json_t *model, const struct strvec *profiles, berr *err)
{
	(void)err;
	json_t *services = json_object_get(model, "services");
	if (!json_is_object(services))
		return 0;
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
