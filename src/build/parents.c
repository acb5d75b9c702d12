/* parents.c: COPY --parents (see build/parents.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "build/parents.h"
#include "util/cleanup.h"

void bparents_release(struct bparents *p)
{
	sv_clear(&p->src);
	sv_clear(&p->rel);
}

struct pat {
	struct strvec comps;   /* the whole pattern, split on '/' */
	size_t keep_from;      /* components before the pivot are dropped from the destination */
};

static void split(const char *s, struct strvec *out)
{
	_cleanup_free_ char *d = xstrdup(s);
	for (char *p = d, *t; (t = strsep(&p, "/"));)
		if (*t && strcmp(t, "."))
			sv_push(out, t);
}

static void pat_init(const char *src, struct pat *p)
{
	memset(p, 0, sizeof *p);
	const char *s = src;
	for (;;) { /* leading "/" and "./" are not pivots */
		while (*s == '/')
			s++;
		if (!strncmp(s, "./", 2))
			s += 2;
		else
			break;
	}
	const char *piv = strstr(s, "/./");
	if (piv) {
		_cleanup_free_ char *pre = xstrndup(s, (size_t)(piv - s));
		split(pre, &p->comps);
		p->keep_from = p->comps.n;
		split(piv + 3, &p->comps);
	} else
		split(s, &p->comps);
}

/* Does the path (components) match pattern components [pi..]? "**" = zero or more. */
static bool match_at(char *const *pc, size_t np, char *const *xc, size_t nx)
{
	if (!np)
		return !nx;
	if (!strcmp(pc[0], "**")) {
		for (size_t k = 0; k <= nx; k++)
			if (match_at(pc + 1, np - 1, xc + k, nx - k))
				return true;
		return false;
	}
	if (!nx || fnmatch(pc[0], xc[0], 0))
		return false;
	return match_at(pc + 1, np - 1, xc + 1, nx - 1);
}

static bool path_matches(const struct pat *p, const char *path)
{
	struct strvec x = STRVEC_INIT;
	split(path, &x);
	bool m = match_at(p->comps.v, p->comps.n, x.v, x.n);
	sv_clear(&x);
	return m;
}

/* Can anything below path still match (a prefix of the pattern)? */
static bool may_descend(const struct pat *p, const char *path)
{
	struct strvec x = STRVEC_INIT;
	split(path, &x);
	bool ok = true;
	for (size_t i = 0; i < x.n && ok; i++) {
		if (i >= p->comps.n)
			ok = false;
		else if (!strcmp(p->comps.v[i], "**"))
			break;
		else
			ok = !fnmatch(p->comps.v[i], x.v[i], 0);
	}
	sv_clear(&x);
	return ok;
}

static void add_match(struct bparents *out, const struct pat *p, const char *path)
{
	if (sv_contains(&out->src, path))
		return;
	struct strvec x = STRVEC_INIT;
	split(path, &x);
	struct strbuf rel = STRBUF_INIT;
	for (size_t i = p->keep_from; i < x.n; i++)
		sb_addf(&rel, "%s%s", rel.len ? "/" : "", x.v[i]);
	sv_push(&out->src, path);
	sv_push_owned(&out->rel, sb_detach(&rel));
	sv_clear(&x);
}

int bparents_expand_ctx(const struct bctx *c, const char *const *srcs, size_t n, struct bparents *out, berr *err)
{
	(void)err;
	memset(out, 0, sizeof *out);
	for (size_t s = 0; s < n; s++) {
		struct pat p;
		pat_init(srcs[s], &p);
		if (!p.comps.n) { /* "." or "./": the whole context */
			add_match(out, &p, ".");
			sv_clear(&p.comps);
			continue;
		}
		for (size_t i = 1; i < c->n;) {
			const struct bctx_entry *e = &c->e[i];
			if (!e->parent_only && path_matches(&p, e->path)) {
				add_match(out, &p, e->path);
				i = S_ISDIR(e->mode) && e->end > i ? e->end : i + 1; /* the subtree goes with it */
				continue;
			}
			if (S_ISDIR(e->mode) && !may_descend(&p, e->path) && e->end > i)
				i = e->end;
			else
				i++;
		}
		sv_clear(&p.comps);
	}
	return 0;
}

static int walk_root(int dfd, const char *rel, const struct pat *p, struct bparents *out, int depth, berr *err)
{
	if (depth > 128)
		return berr_set(err, ELOOP, "COPY --parents: directory tree too deep");
	struct dirent **names = NULL;
	int n = scandirat(dfd, ".", &names, NULL, alphasort);
	if (n < 0)
		return 0;
	int rc = 0;
	for (int k = 0; k < n; k++) {
		const char *nm = names[k]->d_name;
		if (rc || !strcmp(nm, ".") || !strcmp(nm, "..")) {
			free(names[k]);
			continue;
		}
		_cleanup_free_ char *path = *rel ? xasprintf("%s/%s", rel, nm) : xstrdup(nm);
		struct stat st;
		bool isdir = fstatat(dfd, nm, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
		if (path_matches(p, path))
			add_match(out, p, path);
		else if (isdir && may_descend(p, path)) {
			int sub = openat(dfd, nm, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				rc = walk_root(sub, path, p, out, depth + 1, err);
				close(sub);
			}
		}
		free(names[k]);
	}
	free(names);
	return rc;
}

int bparents_expand_root(int rootfd, const char *const *srcs, size_t n, struct bparents *out, berr *err)
{
	memset(out, 0, sizeof *out);
	for (size_t s = 0; s < n; s++) {
		struct pat p;
		pat_init(srcs[s], &p);
		int rc = 0;
		if (!p.comps.n)
			add_match(out, &p, ".");
		else
			rc = walk_root(rootfd, "", &p, out, 0, err);
		sv_clear(&p.comps);
		if (rc < 0) {
			bparents_release(out);
			return -1;
		}
	}
	return 0;
}

static char *target(const char *dest, const char *rel)
{
	size_t l = strlen(dest);
	if (!*rel)
		return xstrdup(dest);
	return xasprintf("%s%s%s", dest, l && dest[l - 1] == '/' ? "" : "/", rel);
}

int bparents_copy_ctx(int rootfd, struct bctx *c, const struct bparents *p, const char *const *excludes,
		      size_t nexcludes, const char *dest, const struct copy_owner *o, long chmod, berr *err)
{
	if (bcopy_mkdir(rootfd, dest, o, err) < 0)
		return -1;
	for (size_t i = 0; i < p->src.n; i++) {
		_cleanup_free_ char *t = target(dest, p->rel.v[i]);
		const char *src = p->src.v[i];
		if (bcopy_from_context(rootfd, c, &src, 1, excludes, nexcludes, t, false, o, chmod, false, err) < 0)
			return -1;
	}
	return 0;
}

int bparents_copy_root(int rootfd, int srcroot, const struct bparents *p, const char *const *excludes,
		       size_t nexcludes, const char *dest, const struct copy_owner *o, long chmod, berr *err)
{
	if (bcopy_mkdir(rootfd, dest, o, err) < 0)
		return -1;
	for (size_t i = 0; i < p->src.n; i++) {
		_cleanup_free_ char *t = target(dest, p->rel.v[i]);
		const char *src = p->src.v[i];
		if (bcopy_from_root_ex(rootfd, srcroot, &src, 1, excludes, nexcludes, t, false, o, chmod, err) < 0)
			return -1;
	}
	return 0;
}
