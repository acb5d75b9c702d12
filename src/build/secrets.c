/* secrets.c: build secrets (see build/secrets.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "build/secrets.h"
#include "util/cleanup.h"
#include "util/fs.h"

int bsecrets_parse(const struct strvec *specs, struct bsecrets *out, berr *err)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < specs->n; i++) {
		_cleanup_free_ char *s = xstrdup(specs->v[i]);
		struct bsecret_src f = { 0 };
		const char *typ = NULL;
		for (char *p = s, *tok; (tok = strsep(&p, ","));) {
			char *eq = strchr(tok, '=');
			if (!eq) {
				bsecrets_release(out);
				free(f.id), free(f.file), free(f.env);
				return berr_set(err, EINVAL, "invalid field '%s' must be a key=value pair", tok);
			}
			*eq = 0;
			const char *v = eq + 1;
			if (!strcasecmp(tok, "type")) {
				if (strcmp(v, "file") && strcmp(v, "env")) {
					bsecrets_release(out);
					free(f.id), free(f.file), free(f.env);
					return berr_set(err, EINVAL, "unsupported secret type \"%s\"", v);
				}
				typ = strcmp(v, "file") ? "env" : "file";
			} else if (!strcasecmp(tok, "id")) {
				free(f.id);
				f.id = xstrdup(v);
			} else if (!strcasecmp(tok, "src") || !strcasecmp(tok, "source")) {
				free(f.file);
				f.file = xstrdup(v);
			} else if (!strcasecmp(tok, "env")) {
				free(f.env);
				f.env = xstrdup(v);
			} else {
				*eq = '=';
				bsecrets_release(out);
				free(f.id), free(f.file), free(f.env);
				return berr_set(err, EINVAL, "unexpected key '%.*s' in '%s'", (int)(eq - tok), tok, tok);
			}
		}
		if (typ && !strcmp(typ, "env") && !f.env) {
			f.env = f.file;
			f.file = NULL;
		}
		if (!f.id || !*f.id) {
			free(f.id), free(f.file), free(f.env);
			bsecrets_release(out);
			return berr_set(err, EINVAL, "secret missing ID");
		}
		if (!f.file && !f.env) {
			if (getenv(f.id))
				f.env = xstrdup(f.id);
			else
				f.file = xstrdup(f.id);
		}
		if (f.env) {
			free(f.file);
			f.file = NULL;
		}
		/* a later --secret with the same id replaces an earlier one */
		size_t j = 0;
		while (j < out->n && strcmp(out->v[j].id, f.id))
			j++;
		if (j == out->n)
			out->v = xrealloc(out->v, ++out->n * sizeof *out->v);
		else
			free(out->v[j].id), free(out->v[j].file), free(out->v[j].env);
		out->v[j] = f;
	}
	return 0;
}

void bsecrets_release(struct bsecrets *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].id), free(s->v[i].file), free(s->v[i].env);
	free(s->v);
	if (s->dir) {
		umount2(s->dir, MNT_DETACH);
		rmdir(s->dir);
		free(s->dir);
	}
	memset(s, 0, sizeof *s);
}

static int secret_value(const struct bsecret_src *f, char **data, size_t *len, berr *err)
{
	if (f->env) {
		const char *v = getenv(f->env);
		if (!v)
			return berr_set(err, ENOENT, "secret %s not found: not found", f->id);
		*data = xstrdup(v);
		*len = strlen(v);
		return 0;
	}
	if (read_file(f->file, data, len, err) < 0)
		return berr_set(err, err->errnum, "failed to read secret %s: open %s: %s", f->id, f->file,
				strerror(err->errnum ? err->errnum : EIO));
	return 0;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* The tmpfs (mounted on first use) and a new directory in it for one mount. */
static char *new_dir(struct bsecrets *s, const char *tmpdir, berr *err)
{
	char *out = NULL;
	pthread_mutex_lock(&lock);
	if (!s->dir) {
		/* a tmpfs only this builder's mount namespace sees: the value never touches a disk */
		char *d = xasprintf("%s/secrets", tmpdir);
		if (mkdir(d, 0700) < 0 && errno != EEXIST) {
			berr_sys(err, "mkdir secrets dir");
			free(d);
			goto out;
		}
		if (mount("tmpfs", d, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700,size=64m") < 0) {
			berr_sys(err, "mount tmpfs for secrets");
			rmdir(d);
			free(d);
			goto out;
		}
		s->dir = d;
	}
	out = xasprintf("%s/%u", s->dir, ++s->seq);
	if (mkdir(out, 0755) < 0) {
		berr_sys(err, "mkdir %s", out);
		free(out);
		out = NULL;
	}
out:
	pthread_mutex_unlock(&lock);
	return out;
}

int bsecrets_mount(struct bsecrets *s, const char *tmpdir, const struct df_mount *m, const char *target,
		   struct strvec *mounts, struct strvec *env, struct strvec *cleanup, berr *err)
{
	const struct bsecret_src *f = NULL;
	for (size_t i = 0; m->id && i < s->n && !f; i++)
		if (!strcmp(s->v[i].id, m->id))
			f = &s->v[i];
	if (!f) {
		if (m->required)
			return berr_set(err, ENOENT, "secret %s not found: not found", m->id ? m->id : "");
		return 0;
	}
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	if (secret_value(f, &data, &len, err) < 0)
		return -1;
	if (m->env && *m->env) {
		if (memchr(data, 0, len))
			return berr_set(err, EINVAL, "secret %s: a secret used as env= cannot contain a NUL byte", f->id);
		sv_pushf(env, "%s=%s", m->env, data);
	}
	if (!target)
		return 0;
	char *dir = new_dir(s, tmpdir, err);
	if (!dir)
		return -1;
	sv_push_owned(cleanup, dir); /* removed (with the file) after the step */
	_cleanup_free_ char *path = xasprintf("%s/secret", dir);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return berr_sys(err, "create secret file");
	if (write_all(fd, data, len) < 0)
		return berr_sys(err, "write secret file");
	mode_t mode = m->mode >= 0 ? (mode_t)m->mode : 0400;
	if (fchown(fd, m->uid >= 0 ? (uid_t)m->uid : 0, m->gid >= 0 ? (gid_t)m->gid : 0) < 0 ||
	    fchmod(fd, mode & 07777) < 0)
		return berr_sys(err, "secret file owner");
	sv_pushf(mounts, "type=bind,source=%s,target=%s,readonly", path, target);
	return 0;
}
