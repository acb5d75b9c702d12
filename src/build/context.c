/* context.c: build context walk (fd-based, no symlink ever followed), .dockerignore applied as
 * BuildKit's fsutil walker does, COPY source resolution inside the context, content digests
 * of files and file sets, and the stat cache that makes an unchanged context cost only
 * stat calls. */
#include "build/context.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include "image/layer.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/safepath.h"

BERTH_SCHEMA(build_context_schema) = {
	"build-context",
	/* Content digests of context files, by the absolute path they had when hashed. A row is
	 * trusted only if dev, inode, size, mtime and ctime are unchanged and the file was not
	 * modified within the timestamp granularity of the hashing ("racy" check, as git). */
	"CREATE TABLE IF NOT EXISTS build_statcache ("
	" path TEXT PRIMARY KEY, dev INTEGER NOT NULL, ino INTEGER NOT NULL, size INTEGER NOT NULL,"
	" mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL, hashed_ns INTEGER NOT NULL,"
	" digest TEXT NOT NULL) WITHOUT ROWID;"
	/* File-set manifests by digest: what a COPY took, to explain a later cache miss. */
	"CREATE TABLE IF NOT EXISTS build_fileset ("
	" digest TEXT PRIMARY KEY, manifest BLOB NOT NULL, nentries INTEGER NOT NULL,"
	" created INTEGER NOT NULL);",
};

#define FILESET_MAGIC "berth.fileset.v1"
#define MAXLINKS 255

/* ---------------------------------------------------------------- path -> index hash */

struct bctx_index {
	size_t *slot;  /* index+1, 0 = empty */
	size_t cap;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void index_build(struct bctx *c)
{
	struct bctx_index *ix = xcalloc(1, sizeof *ix);
	ix->cap = 16;
	while (ix->cap < c->n * 2)
		ix->cap *= 2;
	ix->slot = xcalloc(ix->cap, sizeof *ix->slot);
	for (size_t i = 0; i < c->n; i++) {
		size_t h = hash_str(c->e[i].path) & (ix->cap - 1);
		while (ix->slot[h])
			h = (h + 1) & (ix->cap - 1);
		ix->slot[h] = i + 1;
	}
	c->idx = ix;
}

static ssize_t index_find(const struct bctx *c, const char *path)
{
	const struct bctx_index *ix = c->idx;
	size_t h = hash_str(path) & (ix->cap - 1);
	while (ix->slot[h]) {
		size_t i = ix->slot[h] - 1;
		if (!strcmp(c->e[i].path, path))
			return (ssize_t)i;
		h = (h + 1) & (ix->cap - 1);
	}
	return -1;
}

const struct bctx_entry *bctx_lookup(const struct bctx *c, const char *path)
{
	if (!strcmp(path, "."))
		path = "";
	ssize_t i = index_find(c, path);
	return i < 0 ? NULL : &c->e[i];
}

/* ---------------------------------------------------------------- stat cache */

struct cache_row {
	char *rel;
	dev_t dev;
	ino_t ino;
	uint64_t size;
	int64_t mtime_ns, ctime_ns, hashed_ns;
	char digest[DIGEST_STR_LEN + 1];
	bool seen, dirty;
};

struct bctx_cache {
	struct cache_row *rows;
	size_t n, alloc;
	size_t *slot;
	size_t cap;
	bool loaded;
	char *prefix;   /* absolute root + "/" */
};

static struct cache_row *cache_find(struct bctx_cache *k, const char *rel)
{
	if (!k->cap)
		return NULL;
	size_t h = hash_str(rel) & (k->cap - 1);
	while (k->slot[h]) {
		struct cache_row *r = &k->rows[k->slot[h] - 1];
		if (!strcmp(r->rel, rel))
			return r;
		h = (h + 1) & (k->cap - 1);
	}
	return NULL;
}

static void cache_rehash(struct bctx_cache *k)
{
	size_t cap = 64;
	while (cap < k->n * 2 + 2)
		cap *= 2;
	free(k->slot);
	k->slot = xcalloc(cap, sizeof *k->slot);
	k->cap = cap;
	for (size_t i = 0; i < k->n; i++) {
		size_t h = hash_str(k->rows[i].rel) & (cap - 1);
		while (k->slot[h])
			h = (h + 1) & (cap - 1);
		k->slot[h] = i + 1;
	}
}

static struct cache_row *cache_add(struct bctx_cache *k, const char *rel)
{
	if (k->n == k->alloc) {
		k->alloc = k->alloc ? 2 * k->alloc : 64;
		k->rows = xrealloc(k->rows, k->alloc * sizeof *k->rows);
	}
	struct cache_row *r = &k->rows[k->n++];
	memset(r, 0, sizeof *r);
	r->rel = xstrdup(rel);
	if (k->n * 2 + 2 > k->cap)
		cache_rehash(k);
	else {
		size_t h = hash_str(rel) & (k->cap - 1);
		while (k->slot[h])
			h = (h + 1) & (k->cap - 1);
		k->slot[h] = k->n;
	}
	return r;
}

static void cache_free(struct bctx_cache *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n; i++)
		free(k->rows[i].rel);
	free(k->rows);
	free(k->slot);
	free(k->prefix);
	free(k);
}

static int cache_load(struct bctx *c, berr *err)
{
	struct bctx_cache *k = c->cache;
	if (k->loaded || !c->store)
		return 0;
	k->loaded = true;
	_cleanup_stmt_ sqlite3_stmt *q = NULL;
	if (store_prepare(c->store, &q, "SELECT path, dev, ino, size, mtime_ns, ctime_ns, hashed_ns, digest"
				       " FROM build_statcache WHERE path >= ?1 AND path < ?2", err) < 0)
		return -1;
	size_t pl = strlen(k->prefix);
	_cleanup_free_ char *hi = xstrdup(k->prefix);
	hi[pl - 1]++; /* "/root/" .. "/root0" */
	sqlite3_bind_text(q, 1, k->prefix, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, hi, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(q, 0);
		const char *d = (const char *)sqlite3_column_text(q, 7);
		if (!p || !d || strlen(p) <= pl || !digest_valid(d))
			continue;
		struct cache_row *r = cache_add(k, p + pl);
		r->dev = (dev_t)sqlite3_column_int64(q, 1);
		r->ino = (ino_t)sqlite3_column_int64(q, 2);
		r->size = (uint64_t)sqlite3_column_int64(q, 3);
		r->mtime_ns = sqlite3_column_int64(q, 4);
		r->ctime_ns = sqlite3_column_int64(q, 5);
		r->hashed_ns = sqlite3_column_int64(q, 6);
		memcpy(r->digest, d, DIGEST_STR_LEN + 1);
	}
	if (rc != SQLITE_DONE)
		return store_dberr(c->store, err, "load build stat cache");
	return 0;
}

/* A row is usable if the file looks the same and was not modified so close to the hashing
 * that a later write could carry the same timestamps (the file system's timestamp tick). */
static bool cache_row_valid(const struct cache_row *r, const struct bctx_entry *e)
{
	if (r->dev != e->dev || r->ino != e->ino || r->size != e->size || r->mtime_ns != e->mtime_ns ||
	    r->ctime_ns != e->ctime_ns)
		return false;
	int64_t tick = (e->mtime_ns % 1000000000 == 0 && e->ctime_ns % 1000000000 == 0) ? 2000000000LL : 50000000LL;
	int64_t last = e->mtime_ns > e->ctime_ns ? e->mtime_ns : e->ctime_ns;
	return last + tick <= r->hashed_ns;
}

int bctx_flush(struct bctx *c, berr *err)
{
	struct bctx_cache *k = c->cache;
	if (!c->store || !k || !k->loaded)
		return 0;
	size_t dirty = 0, stale = 0;
	for (size_t i = 0; i < k->n; i++) {
		dirty += k->rows[i].dirty;
		stale += !k->rows[i].seen && !bctx_lookup(c, k->rows[i].rel);
	}
	if (!dirty && !stale)
		return 0;
	if (store_begin(c->store, err) < 0)
		return -1;
	_cleanup_stmt_ sqlite3_stmt *ins = NULL, *del = NULL;
	if (store_prepare(c->store, &ins, "INSERT OR REPLACE INTO build_statcache (path, dev, ino, size,"
					  " mtime_ns, ctime_ns, hashed_ns, digest) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)", err) < 0 ||
	    store_prepare(c->store, &del, "DELETE FROM build_statcache WHERE path = ?1", err) < 0)
		goto fail;
	for (size_t i = 0; i < k->n; i++) {
		struct cache_row *r = &k->rows[i];
		_cleanup_free_ char *abs = xasprintf("%s%s", k->prefix, r->rel);
		if (r->dirty) {
			sqlite3_reset(ins);
			sqlite3_bind_text(ins, 1, abs, -1, SQLITE_STATIC);
			sqlite3_bind_int64(ins, 2, (sqlite3_int64)r->dev);
			sqlite3_bind_int64(ins, 3, (sqlite3_int64)r->ino);
			sqlite3_bind_int64(ins, 4, (sqlite3_int64)r->size);
			sqlite3_bind_int64(ins, 5, r->mtime_ns);
			sqlite3_bind_int64(ins, 6, r->ctime_ns);
			sqlite3_bind_int64(ins, 7, r->hashed_ns);
			sqlite3_bind_text(ins, 8, r->digest, -1, SQLITE_STATIC);
			if (sqlite3_step(ins) != SQLITE_DONE) {
				store_dberr(c->store, err, "write build stat cache");
				goto fail;
			}
			r->dirty = false;
		} else if (!r->seen && !bctx_lookup(c, r->rel)) {
			/* the file is gone (or now ignored): forget it */
			sqlite3_reset(del);
			sqlite3_bind_text(del, 1, abs, -1, SQLITE_STATIC);
			if (sqlite3_step(del) != SQLITE_DONE) {
				store_dberr(c->store, err, "prune build stat cache");
				goto fail;
			}
			r->seen = true;
		}
	}
	return store_commit(c->store, err);
fail:
	store_rollback(c->store);
	return -1;
}

/* ---------------------------------------------------------------- walk */

struct walker {
	struct bctx *c;
	size_t alloc;
	berr *err;
};

static struct bctx_entry *push_entry(struct walker *w)
{
	struct bctx *c = w->c;
	if (c->n == w->alloc) {
		w->alloc = w->alloc ? 2 * w->alloc : 256;
		c->e = xrealloc(c->e, w->alloc * sizeof *c->e);
	}
	struct bctx_entry *e = &c->e[c->n++];
	memset(e, 0, sizeof *e);
	return e;
}

static void fill_stat(struct bctx_entry *e, const struct stat *st)
{
	e->mode = st->st_mode;
	e->size = S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0;
	e->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	e->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->rdev = st->st_rdev;
	e->uid = st->st_uid;
	e->gid = st->st_gid;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void entry_clear(struct bctx_entry *e)
{
	free(e->path);
	free(e->link);
}

/* Walk the directory open as dirfd (whose relative path is `prefix`), appending entries. */
static int walk_dir(struct walker *w, int dirfd, const char *prefix, const bool *pinfo, int depth)
{
	struct bctx *c = w->c;
	if (depth > 4096)
		return berr_set(w->err, ELOOP, "%s: directory tree too deep", prefix);
	int dfd2 = dup(dirfd);
	if (dfd2 < 0)
		return berr_sys(w->err, "dup");
	DIR *d = fdopendir(dfd2);
	if (!d) {
		close(dfd2);
		return berr_sys(w->err, "read directory %s", *prefix ? prefix : ".");
	}
	struct strvec names = STRVEC_INIT;
	struct dirent *de;
	int rerr;
	for (;;) {
		errno = 0; /* readdir reports errors only through errno */
		if (!(de = readdir(d))) {
			rerr = errno;
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		sv_push(&names, de->d_name);
	}
	closedir(d);
	if (rerr) {
		sv_clear(&names);
		errno = rerr;
		return berr_sys(w->err, "read directory %s", *prefix ? prefix : ".");
	}
	if (names.n)
		qsort(names.v, names.n, sizeof *names.v, cmp_names);
	size_t ni = c->ign ? c->ign->n : 0;
	bool *info = ni ? xcalloc(ni, sizeof *info) : NULL;
	int ret = 0;
	for (size_t i = 0; i < names.n; i++) {
		const char *name = names.v[i];
		_cleanup_free_ char *path = *prefix ? xasprintf("%s/%s", prefix, name) : xstrdup(name);
		struct stat st;
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue; /* vanished while walking */
			ret = berr_sys(w->err, "lstat %s", path);
			break;
		}
		if (S_ISSOCK(st.st_mode)) {
			/* BuildKit's sender clears the socket bit: the build sees an empty regular
			 * file with the socket's permissions (never opened here) */
			st.st_mode = S_IFREG | (st.st_mode & 07777);
			st.st_size = 0;
		}
		bool isdir = S_ISDIR(st.st_mode);
		bool excluded = c->ign && ignore_matches_parent(c->ign, path, pinfo, info);
		if (excluded && (!isdir || !ignore_walk_excluded_dir(c->ign, path)))
			continue;
		size_t my = c->n;
		struct bctx_entry *e = push_entry(w);
		e->path = steal_pointer(&path);
		fill_stat(e, &st);
		e->parent_only = excluded;
		if (S_ISREG(st.st_mode) && st.st_size == 0 && st.st_blocks == 0) {
			/* empty: its digest is known without opening it (sockets, FIFOs never reach here) */
			static const char empty[] = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
			memcpy(e->digest, empty, sizeof empty);
		}
		if (S_ISLNK(st.st_mode)) {
			char buf[PATH_MAX + 1];
			ssize_t l = readlinkat(dirfd, name, buf, sizeof buf - 1);
			if (l < 0) {
				ret = berr_sys(w->err, "readlink %s", e->path);
				break;
			}
			buf[l] = 0;
			e->link = xstrdup(buf);
		}
		if (isdir) {
			int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				if (excluded && errno == EACCES) { /* fsutil: permission errors under an excluded dir are skipped */
					entry_clear(&c->e[--c->n]);
					continue;
				}
				ret = berr_sys(w->err, "open directory %s", c->e[my].path);
				break;
			}
			struct stat st2;
			if (fstat(sub, &st2) < 0 || st2.st_ino != st.st_ino || st2.st_dev != st.st_dev) {
				close(sub);
				ret = berr_set(w->err, EAGAIN, "%s changed while the context was read", c->e[my].path);
				break;
			}
			bool *sub_info = NULL;
			if (ni) {
				sub_info = xmalloc(ni * sizeof *sub_info);
				memcpy(sub_info, info, ni * sizeof *sub_info);
			}
			_cleanup_free_ char *subprefix = xstrdup(c->e[my].path);
			ret = walk_dir(w, sub, subprefix, sub_info, depth + 1);
			free(sub_info);
			close(sub);
			if (ret < 0)
				break;
			c->e[my].end = c->n;
			if (excluded && c->n == my + 1) { /* nothing below was included: drop it */
				entry_clear(&c->e[--c->n]);
				continue;
			}
		} else {
			c->e[my].end = my + 1;
		}
	}
	free(info);
	sv_clear(&names);
	return ret;
}

static int read_fd_all(int fd, char **out, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (;;) {
		sb_grow(&sb, 65536);
		ssize_t n = read(fd, sb.buf + sb.len, sb.alloc - sb.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sb_release(&sb);
			return -1;
		}
		if (n == 0)
			break;
		sb_setlen(&sb, sb.len + (size_t)n);
	}
	*len = sb.len;
	*out = sb_detach(&sb);
	return 0;
}

/* The ignore file: explicit, else "<Dockerfile>.dockerignore", else the context's .dockerignore. */
static int load_ignore(struct bctx *c, const struct bctx_opts *o, berr *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (o->no_ignore)
		return 0;
	if (o->ignore_file) {
		if (read_file(o->ignore_file, &text, &len, err) < 0)
			return berr_wrap(err, "read ignore file");
		c->ignore_file = xstrdup(o->ignore_file);
	} else {
		if (!o->dockerfile || strcmp(o->dockerfile, "-")) {
			if (!o->dockerfile) {
				int fd = sp_open(c->rootfd, "Dockerfile.dockerignore", O_RDONLY, 0, 0, NULL);
				if (fd >= 0) {
					int rc = read_fd_all(fd, &text, &len);
					close(fd);
					if (rc == 0)
						c->ignore_file = xstrdup("Dockerfile.dockerignore");
				}
			} else {
				_cleanup_free_ char *p = xasprintf("%s.dockerignore", o->dockerfile);
				if (read_file(p, &text, &len, err) == 0)
					c->ignore_file = steal_pointer(&p);
			}
		}
		if (!c->ignore_file) {
			free(text);
			text = NULL;
			int fd = sp_open(c->rootfd, ".dockerignore", O_RDONLY, 0, 0, NULL);
			if (fd >= 0) {
				int rc = read_fd_all(fd, &text, &len);
				close(fd);
				if (rc == 0)
					c->ignore_file = xstrdup(".dockerignore");
			}
		}
		berr_clear(err);
		if (!c->ignore_file)
			return 0;
	}
	if (ignore_parse(text, len, &c->ign, err) < 0)
		return berr_wrap(err, "%s", c->ignore_file);
	return 0;
}

int bctx_open(const char *dir, const struct bctx_opts *o, struct bctx **out, berr *err)
{
	static const struct bctx_opts none = { 0 };
	if (!o)
		o = &none;
	*out = NULL;
	struct bctx *c = xcalloc(1, sizeof *c);
	c->rootfd = -1;
	c->store = o->store;
	c->rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->rootfd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			berr_set(err, errno, "unable to prepare context: path \"%s\" not found", dir);
		else
			berr_sys(err, "unable to prepare context: open %s", dir);
		goto fail;
	}
	char *rp = realpath(dir, NULL);
	c->root = rp ? rp : xstrdup(dir);
	if (load_ignore(c, o, err) < 0)
		goto fail;
	struct walker w = { c, 0, err };
	struct bctx_entry *root = push_entry(&w);
	struct stat st;
	if (fstat(c->rootfd, &st) < 0) {
		berr_sys(err, "stat %s", dir);
		goto fail;
	}
	root->path = xstrdup("");
	fill_stat(root, &st);
	if (walk_dir(&w, c->rootfd, "", NULL, 0) < 0) {
		berr_wrap(err, "read build context");
		goto fail;
	}
	c->e[0].end = c->n;
	c->stats.entries = c->n - 1;
	index_build(c);
	c->cache = xcalloc(1, sizeof *c->cache);
	c->cache->prefix = !strcmp(c->root, "/") ? xstrdup("/") : xasprintf("%s/", c->root);
	*out = c;
	return 0;
fail:
	bctx_free(c);
	return -1;
}

void bctx_free(struct bctx *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		entry_clear(&c->e[i]);
	free(c->e);
	if (c->idx) {
		free(c->idx->slot);
		free(c->idx);
	}
	cache_free(c->cache);
	ignore_free(c->ign);
	free(c->ignore_file);
	free(c->root);
	if (c->rootfd >= 0)
		close(c->rootfd);
	free(c);
}

/* ---------------------------------------------------------------- digests */

int bctx_open_entry(const struct bctx *c, const struct bctx_entry *e, struct stat *st, berr *err)
{
	if (!S_ISREG(e->mode))
		return berr_set(err, EINVAL, "%s is not a regular file", e->path);
	/* Opened beneath the root with no symlink anywhere on the way (ELOOP otherwise). */
	int fd = sp_open(c->rootfd, e->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0, SP_NO_SYMLINKS, err);
	if (fd < 0)
		return berr_wrap(err, "read build context");
	struct stat tmp;
	if (!st)
		st = &tmp;
	if (fstat(fd, st) < 0) {
		berr_sys(err, "stat %s", e->path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode) || st->st_ino != e->ino || st->st_dev != e->dev) {
		close(fd);
		return berr_set(err, EAGAIN, "%s changed while the context was read", e->path);
	}
	return fd;
}

int bctx_file_digest(struct bctx *c, struct bctx_entry *e, berr *err)
{
	if (e->digest[0])
		return 0;
	if (!S_ISREG(e->mode))
		return berr_set(err, EINVAL, "%s is not a regular file", e->path);
	struct bctx_cache *k = c->cache;
	if (cache_load(c, err) < 0)
		return -1;
	struct cache_row *r = cache_find(k, e->path);
	if (r) {
		r->seen = true;
		if (cache_row_valid(r, e)) {
			memcpy(e->digest, r->digest, sizeof e->digest);
			c->stats.cache_hits++;
			return 0;
		}
	}
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct stat st;
	_cleanup_close_ int fd = bctx_open_entry(c, e, &st, err);
	if (fd < 0)
		return -1;
	fill_stat(e, &st); /* the stat before reading is what the cache row vouches for */
	if (digest_fd(fd, e->digest, err) < 0)
		return berr_wrap(err, "read %s", e->path);
	c->stats.hashed++;
	c->stats.hashed_bytes += e->size;
	if (c->store) {
		if (!r)
			r = cache_add(k, e->path);
		r->dev = e->dev;
		r->ino = e->ino;
		r->size = e->size;
		r->mtime_ns = e->mtime_ns;
		r->ctime_ns = e->ctime_ns;
		r->hashed_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
		memcpy(r->digest, e->digest, sizeof r->digest);
		r->seen = r->dirty = true;
	}
	return 0;
}

/* ---------------------------------------------------------------- resolution */

int bctx_resolve(const struct bctx *c, const char *path, bool follow_last, char **out, berr *err)
{
	struct strbuf cur = STRBUF_INIT, rest = STRBUF_INIT;
	sb_adds(&rest, path);
	sb_init(&cur);
	int links = 0, ret = -1;
	while (rest.len) {
		/* take the first component of rest */
		char *r = rest.buf;
		while (*r == '/')
			r++;
		if (!*r)
			break;
		char *slash = strchr(r, '/');
		size_t cl = slash ? (size_t)(slash - r) : strlen(r);
		_cleanup_free_ char *comp = xstrndup(r, cl);
		bool last = true;
		for (const char *q = r + cl; *q; q++)
			if (*q != '/') {
				last = false;
				break;
			}
		_cleanup_free_ char *remain = xstrdup(r + cl);
		sb_reset(&rest);
		sb_adds(&rest, remain);
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			char *s = strrchr(cur.buf, '/');
			sb_setlen(&cur, s ? (size_t)(s - cur.buf) : 0);
			continue;
		}
		size_t keep = cur.len;
		if (cur.len)
			sb_addc(&cur, '/');
		sb_adds(&cur, comp);
		const struct bctx_entry *e = bctx_lookup(c, cur.buf);
		if (!e) {
			berr_set(err, ENOENT, "\"/%s\" not found: not found", cur.buf);
			goto out;
		}
		if (S_ISLNK(e->mode) && (!last || follow_last)) {
			if (++links > MAXLINKS) {
				berr_set(err, ELOOP, "\"/%s\": too many levels of symbolic links", path);
				goto out;
			}
			_cleanup_free_ char *nr = xasprintf("%s/%s", e->link, rest.buf);
			sb_reset(&rest);
			sb_adds(&rest, nr);
			if (e->link[0] == '/')
				sb_setlen(&cur, 0);
			else
				sb_setlen(&cur, keep);
			continue;
		}
		if (!last && !S_ISDIR(e->mode)) {
			berr_set(err, ENOTDIR, "\"/%s\": not a directory", cur.buf);
			goto out;
		}
	}
	*out = sb_detach(&cur);
	ret = 0;
out:
	sb_release(&cur);
	sb_release(&rest);
	return ret;
}

/* containsWildcards of fsutil's copy: '*', '?', '[' not escaped by '\'. */
static bool has_wildcards(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\') {
			if (!*++s)
				break;
		} else if (*s == '*' || *s == '?' || *s == '[') {
			return true;
		}
	}
	return false;
}

int bctx_copy_source(struct bctx *c, const char *src, struct strvec *matches, struct strvec *resolved, berr *err)
{
	_cleanup_free_ char *abs = xasprintf("/%s", src);
	_cleanup_free_ char *clean = gopath_clean(abs);
	const char *rel = clean + 1; /* "" for the root */
	/* split at the first component with a wildcard */
	_cleanup_free_ char *d1 = xstrdup(rel);
	const char *d2 = NULL;
	char *p = d1;
	while (*p) {
		char *e = strchrnul(p, '/');
		char save = *e;
		*e = 0;
		bool wc = has_wildcards(p);
		*e = save;
		if (wc) {
			d2 = rel + (p - d1);
			if (p > d1)
				p[-1] = 0;
			else
				*p = 0;
			break;
		}
		p = *e ? e + 1 : e;
	}
	if (!d2) {
		char *r = NULL;
		if (bctx_resolve(c, rel, true, &r, err) < 0) {
			if (err->errnum == ENOENT || err->errnum == ENOTDIR)
				berr_set(err, ENOENT, "\"/%s\" not found: not found", rel);
			return -1;
		}
		sv_push(matches, *rel ? rel : ".");
		sv_push_owned(resolved, r);
		return 0;
	}
	_cleanup_free_ char *base = NULL;
	if (bctx_resolve(c, d1, true, &base, err) < 0) {
		berr_clear(err);
		return 0; /* nothing matches under a missing directory */
	}
	const struct bctx_entry *be = bctx_lookup(c, base);
	if (!be || !S_ISDIR(be->mode))
		return 0;
	size_t bi = (size_t)(be - c->e), bl = strlen(base);
	for (size_t i = bi + 1; i < be->end;) {
		const struct bctx_entry *e = &c->e[i];
		const char *r = e->path + (bl ? bl + 1 : 0);
		bool m;
		if (gopath_match(d2, r, &m) < 0)
			return berr_set(err, EINVAL, "%s: syntax error in pattern", src);
		if (!m) {
			i++;
			continue;
		}
		char *res = NULL;
		if (bctx_resolve(c, e->path, true, &res, err) < 0)
			return -1; /* a matched symlink whose target is missing */
		sv_push(matches, e->path);
		sv_push_owned(resolved, res);
		i = S_ISDIR(e->mode) ? e->end : i + 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- file sets */

static int add_record(struct bctx *c, struct strbuf *m, const char *name, struct bctx_entry *e, berr *err)
{
	char type;
	mode_t fmt = e->mode & S_IFMT;
	switch (fmt) {
	case S_IFREG: type = 'f'; break;
	case S_IFDIR: type = 'd'; break;
	case S_IFLNK: type = 'l'; break;
	case S_IFCHR: type = 'c'; break;
	case S_IFBLK: type = 'b'; break;
	case S_IFIFO: type = 'p'; break;
	default: return 0;
	}
	sb_adds(m, *name ? name : ".");
	sb_addc(m, 0);
	sb_addf(m, "%c %04o", type, (unsigned)(e->mode & 07777));
	if (type == 'f') {
		if (bctx_file_digest(c, e, err) < 0)
			return -1;
		sb_addf(m, " %s", e->digest);
	} else if (type == 'l') {
		sb_addf(m, " %s", e->link);
	} else if (type == 'c' || type == 'b') {
		sb_addf(m, " %u:%u", major(e->rdev), minor(e->rdev));
	}
	sb_addc(m, 0);
	return 0;
}

/* Does anything below the excluded directory di survive the excludes (an exception)? */
static bool subtree_kept(struct bctx *c, size_t di, size_t rl, const struct ignore *ex, const bool *pinfo)
{
	bool *info = xcalloc(ex->n, sizeof *info);
	bool kept = false;
	for (size_t j = di + 1; j < c->e[di].end && !kept; j = c->e[j].end) {
		const char *sub = c->e[j].path + (rl ? rl + 1 : 0);
		bool excluded = ignore_matches_parent(ex, sub, pinfo, info);
		if (!excluded)
			kept = true;
		else if (S_ISDIR(c->e[j].mode))
			kept = subtree_kept(c, j, rl, ex, info);
	}
	free(info);
	return kept;
}

/* Visit the subtree of directory entry di (the matched directory's path has length rl),
 * applying the COPY --exclude patterns as fsutil's copier does: paths relative to the copied
 * directory, MatchesUsingParentResults; an excluded directory is entered only if there are
 * exceptions, and visited only as the parent of something kept. */
static int walk_tree(struct bctx *c, const char *match, size_t di, size_t rl, const struct ignore *ex,
		     const bool *pinfo, bctx_visit_fn fn, void *arg, berr *err)
{
	size_t ni = ex ? ex->n : 0;
	bool *info = ni ? xcalloc(ni, sizeof *info) : NULL;
	int ret = 0;
	for (size_t j = di + 1; j < c->e[di].end; j = c->e[j].end) {
		struct bctx_entry *e = &c->e[j];
		const char *sub = e->path + (rl ? rl + 1 : 0);
		bool excluded = ex && ignore_matches_parent(ex, sub, pinfo, info);
		bool isdir = S_ISDIR(e->mode);
		if (excluded && (!isdir || !ex->exclusions || !subtree_kept(c, j, rl, ex, info)))
			continue;
		if ((ret = fn(arg, match, sub, e, err)) != 0)
			break;
		if (isdir && (ret = walk_tree(c, match, j, rl, ex, ni ? info : NULL, fn, arg, err)) != 0)
			break;
	}
	free(info);
	return ret;
}

int bctx_copy_walk(struct bctx *c, const char *const *srcs, size_t nsrcs, const char *const *excludes,
		   size_t nexcludes, bctx_visit_fn fn, void *arg, berr *err)
{
	_cleanup_ignore_ struct ignore *ex = NULL;
	if (nexcludes && ignore_new(excludes, nexcludes, &ex, err) < 0)
		return berr_wrap(err, "invalid --exclude pattern");
	for (size_t s = 0; s < nsrcs; s++) {
		_cleanup_strvec_ struct strvec matches = STRVEC_INIT, resolved = STRVEC_INIT;
		if (bctx_copy_source(c, srcs[s], &matches, &resolved, err) < 0)
			return -1;
		for (size_t i = 0; i < matches.n; i++) {
			ssize_t ri = index_find(c, resolved.v[i]);
			if (ri < 0)
				return berr_set(err, ENOENT, "\"/%s\" not found: not found", matches.v[i]);
			/* the match itself is always copied; --exclude applies below it */
			int ret = fn(arg, matches.v[i], "", &c->e[ri], err);
			if (ret == 0 && S_ISDIR(c->e[ri].mode))
				ret = walk_tree(c, matches.v[i], (size_t)ri, strlen(c->e[ri].path), ex, NULL, fn, arg, err);
			if (ret != 0)
				return ret;
		}
	}
	return 0;
}

struct fileset_acc {
	struct bctx *c;
	struct strbuf m;
	size_t count;
};

static int fileset_visit(void *arg, const char *match, const char *sub, struct bctx_entry *e, berr *err)
{
	struct fileset_acc *a = arg;
	const char *mname = strcmp(match, ".") ? match : "";
	_cleanup_free_ char *nm = !*sub ? xstrdup(mname) : *mname ? xasprintf("%s/%s", mname, sub) : xstrdup(sub);
	if (add_record(a->c, &a->m, nm, e, err) < 0)
		return -1;
	a->count++;
	return 0;
}

int bctx_fileset(struct bctx *c, const char *const *srcs, size_t nsrcs, struct bctx_fileset *out, berr *err)
{
	return bctx_fileset_ex(c, srcs, nsrcs, NULL, 0, out, err);
}

int bctx_fileset_ex(struct bctx *c, const char *const *srcs, size_t nsrcs, const char *const *excludes,
		    size_t nexcludes, struct bctx_fileset *out, berr *err)
{
	memset(out, 0, sizeof *out);
	struct fileset_acc acc = { c, STRBUF_INIT, 0 };
	if (bctx_copy_walk(c, srcs, nsrcs, excludes, nexcludes, fileset_visit, &acc, err) != 0) {
		sb_release(&acc.m);
		return -1;
	}
	struct strbuf m = acc.m;
	size_t count = acc.count;
	struct digester *d = digester_new();
	digester_update(d, FILESET_MAGIC, sizeof FILESET_MAGIC);
	digester_update(d, m.buf ? m.buf : "", m.len);
	digester_finish(d, out->digest);
	out->len = m.len;
	out->manifest = m.buf ? sb_detach(&m) : xstrdup("");
	out->nentries = count;
	if (c->store) {
		_cleanup_stmt_ sqlite3_stmt *q = NULL;
		if (store_prepare(c->store, &q, "INSERT OR IGNORE INTO build_fileset (digest, manifest, nentries, created)"
					       " SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS"
					       " (SELECT 1 FROM build_fileset WHERE digest = ?1)", err) < 0)
			goto fail2;
		sqlite3_bind_text(q, 1, out->digest, -1, SQLITE_STATIC);
		sqlite3_bind_blob(q, 2, out->manifest, (int)out->len, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, (sqlite3_int64)count);
		sqlite3_bind_int64(q, 4, (sqlite3_int64)time(NULL));
		if (sqlite3_step(q) != SQLITE_DONE) {
			store_dberr(c->store, err, "save file set");
			goto fail2;
		}
	}
	if (bctx_flush(c, err) < 0)
		goto fail2;
	return 0;
fail2:
	bctx_fileset_release(out);
	return -1;
}

void bctx_fileset_release(struct bctx_fileset *fs)
{
	free(fs->manifest);
	memset(fs, 0, sizeof *fs);
}

int bctx_fileset_load(struct store *st, const char *digest, char **manifest, size_t *len, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *q = NULL;
	if (store_prepare(st, &q, "SELECT manifest FROM build_fileset WHERE digest = ?1", err) < 0)
		return -1;
	sqlite3_bind_text(q, 1, digest, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return store_dberr(st, err, "load file set");
	const void *b = sqlite3_column_blob(q, 0);
	int n = sqlite3_column_bytes(q, 0);
	*manifest = xmalloc((size_t)n + 1);
	if (n)
		memcpy(*manifest, b, (size_t)n);
	(*manifest)[n] = 0;
	*len = (size_t)n;
	return 1;
}

struct rec {
	const char *path, *meta;
};

static int cmp_rec(const void *a, const void *b)
{
	return strcmp(((const struct rec *)a)->path, ((const struct rec *)b)->path);
}

static size_t parse_manifest(const char *m, size_t len, struct rec **out)
{
	size_t n = 0, alloc = 0;
	struct rec *v = NULL;
	const char *p = m, *end = m + len;
	while (p < end) {
		const char *path = p;
		p += strnlen(p, (size_t)(end - p)) + 1;
		if (p >= end)
			break;
		const char *meta = p;
		p += strnlen(p, (size_t)(end - p)) + 1;
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 64;
			v = xrealloc(v, alloc * sizeof *v);
		}
		v[n++] = (struct rec){ path, meta };
	}
	if (n)
		qsort(v, n, sizeof *v, cmp_rec);
	/* duplicates (overlapping sources): the later one wins, as the later copy does */
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (w && !strcmp(v[w - 1].path, v[i].path))
			v[w - 1] = v[i];
		else
			v[w++] = v[i];
	}
	*out = v;
	return w;
}

static void push_change(struct bctx_change **v, size_t *n, const char *path, enum bctx_change_kind k)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[*n] = (struct bctx_change){ xstrdup(path), k };
	(*n)++;
}

size_t bctx_fileset_diff(const char *old_m, size_t old_len, const char *new_m, size_t new_len,
			 struct bctx_change **out)
{
	struct rec *a = NULL, *b = NULL;
	size_t na = parse_manifest(old_m, old_len, &a), nb = parse_manifest(new_m, new_len, &b);
	size_t i = 0, j = 0, n = 0;
	*out = NULL;
	while (i < na || j < nb) {
		int c = i >= na ? 1 : j >= nb ? -1 : strcmp(a[i].path, b[j].path);
		if (c < 0) {
			push_change(out, &n, a[i++].path, BCTX_REMOVED);
		} else if (c > 0) {
			push_change(out, &n, b[j++].path, BCTX_ADDED);
		} else {
			if (strcmp(a[i].meta, b[j].meta))
				push_change(out, &n, b[j].path, BCTX_CHANGED);
			i++;
			j++;
		}
	}
	free(a);
	free(b);
	return n;
}

void bctx_changes_free(struct bctx_change *ch, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ch[i].path);
	free(ch);
}

char *bctx_changes_summary(const struct bctx_change *ch, size_t n, size_t max)
{
	static const char *const word[] = { "added", "removed", "changed" };
	struct strbuf sb = STRBUF_INIT;
	if (!n)
		return xstrdup("no file changed");
	size_t shown = 0;
	for (size_t i = 0; i < n && shown < max; i++, shown++) {
		if (shown)
			sb_adds(&sb, ", ");
		sb_addf(&sb, "%s %s", ch[i].path, word[ch[i].kind]);
	}
	if (n > shown)
		sb_addf(&sb, " and %zu more", n - shown);
	return sb_detach(&sb);
}

char *bctx_fileset_explain(struct store *st, const char *old_digest, const struct bctx_fileset *now, size_t max)
{
	if (!strcmp(old_digest, now->digest))
		return xstrdup("no file changed");
	_cleanup_free_ char *om = NULL;
	size_t olen = 0;
	berr err = { 0 };
	if (!st || bctx_fileset_load(st, old_digest, &om, &olen, &err) != 1)
		return xstrdup("files changed");
	struct bctx_change *ch;
	size_t n = bctx_fileset_diff(om, olen, now->manifest, now->len, &ch);
	char *s = n ? bctx_changes_summary(ch, n, max) : xstrdup("file order changed");
	bctx_changes_free(ch, n);
	return s;
}

/* ---------------------------------------------------------------- stdin */

static bool looks_like_tar(const unsigned char *b, size_t n)
{
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return true; /* gzip */
	if (n >= 3 && !memcmp(b, "BZh", 3))
		return true;
	if (n >= 6 && !memcmp(b, "\xfd" "7zXZ\0", 6))
		return true;
	if (n >= 4 && !memcmp(b, "\x28\xb5\x2f\xfd", 4))
		return true; /* zstd */
	if (n < 512)
		return false;
	/* a tar header: the checksum field matches the header's byte sum */
	unsigned long sum = 0, want = 0;
	for (size_t i = 0; i < 512; i++)
		sum += (i >= 148 && i < 156) ? ' ' : b[i];
	size_t i = 148;
	while (i < 156 && (b[i] == ' ' || b[i] == 0))
		i++;
	if (i == 156)
		return false;
	for (; i < 156 && b[i] >= '0' && b[i] <= '7'; i++)
		want = want * 8 + (unsigned long)(b[i] - '0');
	return sum == want;
}

int bctx_from_stdin(int fd, const char *tmpdir, char **dir, char **dockerfile, size_t *dflen, berr *err)
{
	*dir = NULL;
	*dockerfile = NULL;
	*dflen = 0;
	struct strbuf head = STRBUF_INIT;
	/* read up to 512 bytes (or EOF) to decide */
	while (head.len < 512) {
		sb_grow(&head, 4096);
		ssize_t r = read(fd, head.buf + head.len, 512 - head.len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			sb_release(&head);
			return berr_sys(err, "read stdin");
		}
		if (r == 0)
			break;
		sb_setlen(&head, head.len + (size_t)r);
	}
	if (!looks_like_tar((const unsigned char *)head.buf, head.len)) {
		/* a Dockerfile: read the rest */
		for (;;) {
			sb_grow(&head, 65536);
			ssize_t r = read(fd, head.buf + head.len, head.alloc - head.len - 1);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				sb_release(&head);
				return berr_sys(err, "read stdin");
			}
			if (r == 0)
				break;
			sb_setlen(&head, head.len + (size_t)r);
		}
		*dflen = head.len;
		*dockerfile = head.buf ? sb_detach(&head) : xstrdup("");
		return 0;
	}
	/* a tar: spool to an unlinked temp file (layer_apply reads an fd), then extract */
	_cleanup_free_ char *tmpl = xasprintf("%s/context-XXXXXX", tmpdir);
	_cleanup_close_ int tfd = open(tmpdir, O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);
	if (tfd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		/* no O_TMPFILE here: a named temp file, unlinked at once */
		_cleanup_free_ char *tf = xasprintf("%s/context-tar-XXXXXX", tmpdir);
		tfd = mkostemp(tf, O_CLOEXEC);
		if (tfd >= 0)
			unlink(tf);
	}
	if (tfd < 0) {
		sb_release(&head);
		return berr_sys(err, "create temp file in %s", tmpdir);
	}
	if (write_all(tfd, head.buf, head.len) < 0) {
		sb_release(&head);
		return berr_sys(err, "write temp file");
	}
	sb_release(&head);
	char buf[65536];
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return berr_sys(err, "read stdin");
		if (r == 0)
			break;
		if (write_all(tfd, buf, (size_t)r) < 0)
			return berr_sys(err, "write temp file");
	}
	if (lseek(tfd, 0, SEEK_SET) < 0)
		return berr_sys(err, "seek temp file");
	if (!mkdtemp(tmpl))
		return berr_sys(err, "create context directory in %s", tmpdir);
	_cleanup_close_ int dfd = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		berr_sys(err, "open %s", tmpl);
		berr e2 = { 0 };
		rm_rf(tmpl, &e2);
		return -1;
	}
	struct layer_apply_opts lo = { .rootless = geteuid() != 0, .mode = LAYER_APPLY_FLATTEN };
	if (layer_apply(tfd, dfd, &lo, NULL, err) < 0) {
		berr_wrap(err, "context from stdin");
		berr e2 = { 0 };
		rm_rf(tmpl, &e2);
		return -1;
	}
	*dir = steal_pointer(&tmpl);
	return 0;
}
