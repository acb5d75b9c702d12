/* plan.c: the order services are acted on (depends_on, dependencies first), the config hash
 * that decides whether `up` recreates a container, and the replica count. */
#include <stdlib.h>
#include <string.h>
#include "compose/engine.h"
#include "util/cleanup.h"
#include "util/digest.h"

static int visit(json_t *svcs, const char *name, bool with_deps, struct strvec *order, struct strvec *stack, berr *err)
{
	if (sv_contains(order, name))
		return 0;
	json_t *svc = json_object_get(svcs, name);
	if (!svc)
		return berr_set(err, 0, "no such service: %s", name);
	if (sv_contains(stack, name)) {
		struct strbuf b = STRBUF_INIT;
		for (size_t i = 0; i < stack->n; i++)
			sb_addf(&b, "%s -> ", stack->v[i]);
		sb_adds(&b, name);
		berr_set(err, 0, "dependency cycle detected: %s", b.buf);
		sb_release(&b);
		return -1;
	}
	sv_push(stack, name);
	const char *dep;
	json_t *d;
	if (with_deps)
		json_object_foreach(json_object_get(svc, "depends_on"), dep, d) {
			if (!json_object_get(svcs, dep)) {
				json_t *req = json_object_get(d, "required");
				if (req && !json_is_true(req))
					continue; /* an optional dependency that is not in the model */
			}
			if (visit(svcs, dep, with_deps, order, stack, err) < 0)
				return -1;
		}
	free(stack->v[--stack->n]);
	stack->v[stack->n] = NULL;
	sv_push(order, name);
	return 0;
}

int compose_plan(json_t *model, const struct strvec *selected, bool with_deps, struct strvec *order, berr *err)
{
	json_t *svcs = json_object_get(model, "services");
	_cleanup_strvec_ struct strvec stack = STRVEC_INIT;
	if (selected && selected->n) {
		for (size_t i = 0; i < selected->n; i++)
			if (!json_object_get(svcs, selected->v[i]))
				return berr_set(err, 0, "no such service: %s", selected->v[i]);
		for (size_t i = 0; i < selected->n; i++)
			if (visit(svcs, selected->v[i], with_deps, order, &stack, err) < 0)
				return -1;
		return 0;
	}
	/* every service, in name order among independent ones (the model's keys are sorted) */
	const char *k;
	json_t *v;
	json_object_foreach(svcs, k, v) if (visit(svcs, k, true, order, &stack, err) < 0) return -1;
	return 0;
}

char *compose_service_hash(json_t *svc)
{
	json_t *c = json_deep_copy(svc);
	json_object_del(c, "build");
	json_object_del(c, "pull_policy");
	json_object_del(c, "scale");
	json_t *dep = json_object_get(c, "deploy");
	if (dep) {
		json_object_del(dep, "replicas");
		if (!json_object_size(dep))
			json_object_del(c, "deploy");
	}
	/* the depends_on conditions do not change the container either */
	json_object_del(c, "depends_on");
	char *s = json_dumps(c, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(c);
	char d[DIGEST_STR_LEN + 1];
	digest_buf(s, strlen(s), d);
	free(s);
	return xstrdup(digest_hex(d));
}

int compose_replicas(json_t *svc, const char *name, const struct strvec *scale)
{
	size_t nl = strlen(name);
	for (size_t i = 0; scale && i < scale->n; i++)
		if (!strncmp(scale->v[i], name, nl) && scale->v[i][nl] == '=')
			return atoi(scale->v[i] + nl + 1);
	json_t *s = json_object_get(svc, "scale");
	if (json_is_integer(s))
		return (int)json_integer_value(s);
	json_t *r = json_object_get(json_object_get(svc, "deploy"), "replicas");
	if (json_is_integer(r))
		return (int)json_integer_value(r);
	return 1;
}

void compose_levels(json_t *model, const struct strvec *order, int *levels)
{
	/* order lists dependencies first: one pass gives each service 1 + its deepest dependency */
	for (size_t i = 0; i < order->n; i++) {
		json_t *s = json_object_get(json_object_get(model, "services"), order->v[i]);
		int l = 0;
		const char *dep;
		json_t *d;
		json_object_foreach(json_object_get(s, "depends_on"), dep, d)
			for (size_t j = 0; j < i; j++)
				if (!strcmp(order->v[j], dep) && levels[j] + 1 > l)
					l = levels[j] + 1;
		levels[i] = l;
	}
}

const char *cengine_pull_policy(json_t *svc, const char *policy_override)
{
	const char *p = policy_override ? policy_override : json_string_value(json_object_get(svc, "pull_policy"));
	if (!p || !strcmp(p, "if_not_present") || !strcmp(p, "daily") || !strcmp(p, "weekly") || !strncmp(p, "every_", 6) ||
	    !strcmp(p, "refresh"))
		return "missing";
	return p;
}
