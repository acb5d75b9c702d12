/* secrets.c: a service's `secrets:` and `configs:` as compose v2 gives them on a plain engine
 * (no swarm): read-only bind mounts. A secret lands at /run/secrets/<source> (or its target,
 * relative targets under /run/secrets/), a config at /<source> (or its target, relative ones
 * under /). `file:` resources are bound as they are (compose ignores uid, gid and mode for them,
 * with its warning); `environment:` secrets/configs and `content:` configs are written to a
 * private file under <root>/compose/<project>/<service>/ with the mount's uid, gid and mode
 * (default 0444), which is then bound (compose copies such files into the container instead:
 * the content, owner and mode are the same, the file is read-only here). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "compose/engine.h"
#include "util/cleanup.h"
#include "util/fs.h"

char *cengine_files_dir(struct cengine *e)
{
	return xasprintf("%s/compose/%s", e->st->root, e->project);
}

/* mode: a number (0440 read as octal by the loader) or an octal string */
static long mount_mode(json_t *m)
{
	json_t *v = json_object_get(m, "mode");
	if (json_is_integer(v))
		return (long)json_integer_value(v);
	if (json_is_string(v))
		return strtol(json_string_value(v), NULL, 8);
	return 0444;
}

static long mount_id(json_t *m, const char *key)
{
	json_t *v = json_object_get(m, key);
	if (json_is_integer(v))
		return (long)json_integer_value(v);
	if (json_is_string(v))
		return atol(json_string_value(v));
	return 0;
}

static int write_private(struct cengine *e, const char *svc, const char *kind, const char *src, const char *data,
			 json_t *m, char **out, berr *err)
{
	_cleanup_free_ char *base = cengine_files_dir(e);
	_cleanup_free_ char *dir = xasprintf("%s/%s/%s", base, svc, kind);
	if (mkdir_p(dir, 0700, err) < 0)
		return -1;
	char *path = xasprintf("%s/%s", dir, src);
	if (write_file_atomic(path, data, strlen(data), (mode_t)mount_mode(m), err) < 0 ||
	    chown(path, (uid_t)mount_id(m, "uid"), (gid_t)mount_id(m, "gid")) < 0 ||
	    chmod(path, (mode_t)mount_mode(m)) < 0) {
		if (!err->msg[0])
			berr_sys(err, "%s", path);
		free(path);
		return -1;
	}
	*out = path;
	return 0;
}

int cengine_secret_mounts(struct cengine *e, const char *svc, json_t *s, struct strvec *volumes, berr *err)
{
	static const char *const kinds[] = { "secrets", "configs" };
	for (int k = 0; k < 2; k++) {
		bool secret = k == 0;
		const char *what = secret ? "secret" : "config";
		bool warned = false;
		size_t i;
		json_t *m;
		json_array_foreach(json_object_get(s, kinds[k]), i, m) {
			const char *src = json_string_value(json_object_get(m, "source"));
			const char *tgt = json_string_value(json_object_get(m, "target"));
			json_t *def = json_object_get(json_object_get(e->p->model, kinds[k]), src ? src : "");
			if (!src || !def)
				return berr_set(err, 0, "service \"%s\" refers to undefined %s %s: invalid compose project", svc, what,
						src ? src : "");
			_cleanup_free_ char *target = NULL;
			const char *dir = secret ? "/run/secrets/" : "/";
			target = !tgt ? xasprintf("%s%s", dir, src) : tgt[0] == '/' ? xstrdup(tgt) : xasprintf("%s%s", dir, tgt);
			const char *name = json_string_value(json_object_get(def, "name")) ?: src;
			if (json_is_true(json_object_get(def, "external")))
				return berr_set(err, 0, "unsupported external %s %s", what, name);
			if (!secret && json_object_get(def, "driver"))
				return berr_set(err, 0, "Docker Compose does not support configs.*.driver");
			if (!secret && json_object_get(def, "template_driver"))
				return berr_set(err, 0, "Docker Compose does not support configs.*.template_driver");
			const char *file = json_string_value(json_object_get(def, "file"));
			const char *env = json_string_value(json_object_get(def, "environment"));
			const char *content = secret ? NULL : json_string_value(json_object_get(def, "content"));
			if (file) {
				if (volumes && (json_object_get(m, "uid") || json_object_get(m, "gid") || json_object_get(m, "mode")) && !warned) {
					compose_warn("%s `uid`, `gid` and `mode` are not supported, they will be ignored",
						     secret ? "secrets" : "config");
					warned = true;
				}
				struct stat sb;
				if (stat(file, &sb) < 0)
					return berr_set(err, 0, "invalid mount config for type \"bind\": bind source path does not exist: %s",
							file);
				if (volumes)
					sv_pushf(volumes, "%s:%s:ro", file, target);
				continue;
			}
			const char *data = content;
			if (env) {
				data = json_string_value(json_object_get(e->p->env, env));
				if (!data)
					return berr_set(err, 0, "environment variable %s required by %s %s is not set", env, what, src);
			}
			if (!data)
				return berr_set(err, 0, "%s %s: no file, environment or content to mount", what, src);
			if (!volumes)
				continue; /* only checking */
			_cleanup_free_ char *path = NULL;
			if (write_private(e, svc, kinds[k], src, data, m, &path, err) < 0)
				return -1;
			sv_pushf(volumes, "%s:%s:ro", path, target);
		}
	}
	return 0;
}
