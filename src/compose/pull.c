/* pull.c: `compose pull`, `compose push` and the pull policies `up` honours, on berth's
 * registry client (registry_pull / registry_push: the code path of `berth pull/push`).
 * Progress as compose v2's: one event per service (" web  Pulling", " web  Pulled",
 * " web  Skipped - ..."); the client's own Docker-style lines are not shown. */
#include <stdio.h>
#include <string.h>
#include "compose/engine.h"
#include "dockerfile/stages.h"
#include "util/fs.h"
#include "image/ref.h"
#include "registry/registry.h"
#include "util/cleanup.h"

static json_t *service(struct cengine *e, const char *svc)
{
	return json_object_get(json_object_get(e->p->model, "services"), svc);
}

/* The registry client's progress is not compose's: send it nowhere. */
static FILE *devnull(void)
{
	static FILE *f;
	if (!f)
		f = fopen("/dev/null", "w");
	return f;
}

int cengine_pull_service(struct cengine *e, const char *svc, char **id_out, berr *err)
{
	const char *img = json_string_value(json_object_get(service(e, svc), "image"));
	if (!img)
		return berr_set(err, 0, "service %s has no image to pull", svc);
	struct reg_opts ro = REG_OPTS_INIT;
	ro.quiet = true;
	ro.out = devnull();
	cengine_event(e, "", svc, "Pulling");
	if (registry_pull(e->st, img, &ro, id_out, err) < 0) {
		cengine_event(e, "", svc, json_object_get(service(e, svc), "build") ? "Warning" : "Error");
		berr_wrap(err, "Error response from daemon");
		return -1;
	}
	cengine_event(e, "", svc, "Pulled");
	return 0;
}

/* compose's imageAlreadyPresent: present locally and tagged with something other than latest */
static bool already_present(struct cengine *e, const char *img)
{
	struct ref r;
	berr e2 = { 0 };
	if (ref_parse(img, &r, &e2) < 0)
		return false;
	bool tagged = r.tag && strcmp(r.tag, "latest");
	ref_free(&r);
	_cleanup_free_ char *id = NULL;
	return tagged && cengine_image_id(e, img, &id) == 0;
}

int cengine_pull(struct cengine *e, const struct cengine_pull_opts *o, berr *err)
{
	_cleanup_strvec_ struct strvec order = STRVEC_INIT, pulling = STRVEC_INIT, must_build = STRVEC_INIT;
	if (compose_plan(e->p->model, o->services, o->include_deps, &order, err) < 0)
		return -1;
	e->quiet = o->quiet;
	berr first = { 0 };
	bool failed = false;
	for (size_t i = 0; i < order.n; i++) {
		const char *svc = order.v[i];
		json_t *s = service(e, svc);
		const char *img = json_string_value(json_object_get(s, "image"));
		bool buildable = json_object_get(s, "build") != NULL;
		if (!img) {
			cengine_event(e, "", svc, "Skipped - No image to be pulled");
			continue;
		}
		const char *pol = cengine_pull_policy(s, o->policy);
		if (!strcmp(pol, "never") || !strcmp(pol, "build")) {
			cengine_event(e, "", svc, "Skipped");
			continue;
		}
		if (!strcmp(pol, "missing") && already_present(e, img)) {
			cengine_event(e, "", svc, "Skipped - Image is already present locally");
			continue;
		}
		if (buildable && o->ignore_buildable) {
			cengine_event(e, "", svc, "Skipped - Image can be built");
			continue;
		}
		bool dup = false;
		for (size_t j = 0; j < pulling.n && !dup; j += 2)
			if (!strcmp(pulling.v[j], img)) {
				_cleanup_free_ char *t = xasprintf("Skipped - Image is already being pulled by %s", pulling.v[j + 1]);
				cengine_event(e, "", svc, t);
				dup = true;
			}
		if (dup)
			continue;
		sv_push(&pulling, img);
		sv_push(&pulling, svc);
		berr e2 = { 0 };
		if (cengine_pull_service(e, svc, NULL, &e2) < 0) {
			if (buildable)
				sv_push(&must_build, svc);
			if (!o->ignore_failures && !buildable) {
				/* fail fast if the image can be neither pulled nor built */
				*err = e2;
				return -1;
			}
			if (!failed)
				first = e2;
			failed = true;
		}
	}
	cengine_flush(e, "Pulling");
	if (must_build.n) {
		struct strbuf b = STRBUF_INIT;
		for (size_t i = 0; i < must_build.n; i++)
			sb_addf(&b, "%s%s", i ? " " : "", must_build.v[i]);
		fprintf(stderr, "WARNING: Some service image(s) must be built from source by running:\n    berth compose build %s\n",
			sb_str(&b));
		sb_release(&b);
	}
	if (failed && !o->ignore_failures) {
		*err = first;
		return -1;
	}
	return 0;
}

int cengine_push(struct cengine *e, const struct strvec *services, bool include_deps, bool ignore_failures, bool quiet,
		 berr *err)
{
	_cleanup_strvec_ struct strvec order = STRVEC_INIT;
	if (compose_plan(e->p->model, services, include_deps, &order, err) < 0)
		return -1;
	e->quiet = quiet;
	struct reg_opts ro = REG_OPTS_INIT;
	ro.quiet = true;
	ro.out = devnull();
	for (size_t i = 0; i < order.n; i++) {
		const char *svc = order.v[i];
		json_t *s = service(e, svc);
		json_t *b = json_object_get(s, "build");
		const char *img = json_string_value(json_object_get(s, "image"));
		if (!b || !img) {
			cengine_event(e, "", svc, "Skipped");
			continue;
		}
		_cleanup_strvec_ struct strvec tags = STRVEC_INIT;
		sv_push(&tags, img);
		size_t j;
		json_t *t;
		json_array_foreach(json_object_get(b, "tags"), j, t) if (json_is_string(t)) sv_push(&tags, json_string_value(t));
		for (j = 0; j < tags.n; j++) {
			_cleanup_free_ char *id = xasprintf("Pushing %s", tags.v[j]);
			cengine_event(e, "", id, "Pushing");
			berr e2 = { 0 };
			if (registry_push(e->st, tags.v[j], &ro, &e2) < 0) {
				cengine_event(e, "", id, "Error");
				if (!ignore_failures) {
					*err = e2;
					return -1;
				}
				cengine_flush(e, "Pushing");
				fprintf(stderr, "Pushing %s: %s\n", svc, e2.msg);
				continue;
			}
			cengine_event(e, "", id, "Pushed");
		}
	}
	return 0;
}

int cengine_pull_bases(struct cengine *e, const char *svc, berr *err)
{
	json_t *b = json_object_get(service(e, svc), "build");
	if (!b)
		return 0;
	if (json_object_get(b, "dockerfile_inline"))
		return berr_set(err, 0, "services.%s.build.dockerfile_inline is not supported by berth yet", svc);
	const char *ctxdir = json_string_value(json_object_get(b, "context")) ?: ".";
	const char *df = json_string_value(json_object_get(b, "dockerfile")) ?: "Dockerfile";
	_cleanup_free_ char *path = df[0] == '/' ? xstrdup(df) : xasprintf("%s/%s", ctxdir, df);
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	if (read_file(path, &data, &len, err) < 0)
		return -1;
	struct df_file *f = NULL;
	if (df_file_load(data, len, path, &f, err) < 0)
		return -1;
	struct reg_opts ro = REG_OPTS_INIT;
	ro.quiet = true;
	ro.out = devnull();
	int rc = 0;
	_cleanup_strvec_ struct strvec done = STRVEC_INIT;
	for (size_t i = 0; i < f->nstages && !rc; i++) {
		const struct df_instr *from = f->stages[i].from;
		const char *base = from && from->args.n ? from->args.v[0] : NULL;
		if (!base || !strcmp(base, "scratch") || sv_contains(&done, base))
			continue;
		int st = df_stage_find(f, base, false);
		if (st >= 0 && st < (int)i)
			continue; /* an earlier stage */
		if (strchr(base, '$')) {
			compose_warn("services.%s: base image \"%s\" uses build arguments: not re-pulled", svc, base);
			continue;
		}
		sv_push(&done, base);
		cengine_event(e, "Image", base, "Pulling");
		if (registry_pull(e->st, base, &ro, NULL, err) < 0) {
			berr_wrap(err, "failed to pull %s for service %s", base, svc);
			rc = -1;
			break;
		}
		cengine_event(e, "Image", base, "Pulled");
	}
	df_file_free(f);
	return rc;
}
