/* archive_src.c: reading image archives and layout directories (see archive_src.h). */
#include "image/archive_src.h"
#include "util/lazy_archive.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "store/blob.h"
#include "util/cleanup.h"

#define SMALL_MAX (4u << 20)   /* files up to this size are kept in memory ... */
#define MEM_MAX (64u << 20)    /* ... while they total at most this much */

/* "./a//b/../c" -> "a/c"; NULL if it climbs out. */
static char *norm_name(const char *base_dir, const char *name)
{
	struct strvec parts = STRVEC_INIT;
	_cleanup_free_ char *s = base_dir && name[0] != '/' ? xasprintf("%s/%s", base_dir, name) : xstrdup(name);
	char *save = NULL;
	for (char *t = strtok_r(s, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (!strcmp(t, "."))
			continue;
		if (!strcmp(t, "..")) {
			if (!parts.n) {
				sv_clear(&parts);
				return NULL;
			}
			free(parts.v[--parts.n]);
			parts.v[parts.n] = NULL;
			continue;
		}
		sv_push(&parts, t);
	}
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; i < parts.n; i++) {
		if (i)
			sb_addc(&sb, '/');
		sb_adds(&sb, parts.v[i]);
	}
	sv_clear(&parts);
	return sb_detach(&sb);
}

static struct arc_file *add(struct arc *a, char *name)
{
	if (a->n == a->alloc) {
		a->alloc = a->alloc ? a->alloc * 2 : 32;
		a->f = xrealloc(a->f, a->alloc * sizeof *a->f);
	}
	struct arc_file *f = &a->f[a->n++];
	memset(f, 0, sizeof *f);
	f->name = name;
	return f;
}

/* expected digest from a blobs/<alg>/<hex> name, else "" */
static void name_digest(const char *name, char out[DIGEST_STR_LEN + 1])
{
	out[0] = 0;
	const char *p = strrchr(name, '/');
	if (!strncmp(name, "blobs/sha256/", 13) && p == name + 12) {
		char d[DIGEST_STR_LEN + 8];
		snprintf(d, sizeof d, "sha256:%s", p + 1);
		if (digest_valid(d))
			memcpy(out, d, DIGEST_STR_LEN + 1);
	}
}

static int dirname_of(const char *name, char **out)
{
	const char *sl = strrchr(name, '/');
	*out = sl ? xstrndup(name, (size_t)(sl - name)) : NULL;
	return 0;
}

static int read_tar(struct store *st, int fd, struct arc *a, berr *err)
{
	struct archive *ar = archive_read_new();
	archive_read_support_filter_all(ar);
	archive_read_support_format_tar(ar);
	archive_read_support_format_empty(ar);
	struct archive_entry *e;
	int ret = -1;
	_cleanup_free_ char *buf = xmalloc(1 << 20);
	if (archive_read_open_fd(ar, fd, 1 << 20) != ARCHIVE_OK) {
		berr_set(err, EINVAL, "%s", archive_error_string(ar));
		goto out;
	}
	size_t entries = 0;
	for (;;) {
		int r = archive_read_next_header(ar, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			berr_set(err, EINVAL, "%s", archive_error_string(ar) ? archive_error_string(ar) : "unexpected EOF");
			goto out;
		}
		entries++;
		const char *pn = archive_entry_pathname(e);
		if (!pn)
			continue;
		char *name = norm_name(NULL, pn);
		if (!name || !*name) {
			free(name);
			continue;
		}
		mode_t type = archive_entry_filetype(e);
		if (archive_entry_hardlink(e)) {
			char *t = norm_name(NULL, archive_entry_hardlink(e));
			if (!t) { free(name); continue; }
			add(a, name)->link = t;
			continue;
		}
		if (type == AE_IFLNK) {
			_cleanup_free_ char *dir = NULL;
			dirname_of(name, &dir);
			const char *tg = archive_entry_symlink(e);
			char *t = tg ? norm_name(dir, tg) : NULL;
			if (!t) { free(name); continue; }
			add(a, name)->link = t;
			continue;
		}
		if (type != AE_IFREG) {
			free(name);
			continue;
		}
		char expect[DIGEST_STR_LEN + 1];
		name_digest(name, expect);
		int64_t size = archive_entry_size(e);
		struct arc_file *f = add(a, name);
		if (size >= 0 && (uint64_t)size <= SMALL_MAX && a->mem + (uint64_t)size <= MEM_MAX) {
			a->mem += (uint64_t)size;
			struct strbuf sb = STRBUF_INIT;
			sb_init(&sb);
			for (;;) {
				la_ssize_t n = archive_read_data(ar, buf, 1 << 20);
				if (n < 0) {
					sb_release(&sb);
					berr_set(err, EINVAL, "%s", archive_error_string(ar));
					goto out;
				}
				if (n == 0)
					break;
				sb_add(&sb, buf, (size_t)n);
			}
			f->len = sb.len;
			f->data = sb_detach(&sb);
			digest_buf(f->data, f->len, f->digest);
			if (expect[0] && strcmp(expect, f->digest)) {
				berr_set(err, EINVAL, "%s: digest mismatch: content has %s", name, f->digest);
				goto out;
			}
		} else {
			if (expect[0] && blob_exists(st, expect)) {
				/* already have it: skip, the digest is checked when the store wrote it */
				memcpy(f->digest, expect, sizeof f->digest);
				f->in_store = true;
				archive_read_data_skip(ar);
				continue;
			}
			struct blob_writer *w;
			if (blob_writer_open(st, &w, err) < 0)
				goto out;
			for (;;) {
				la_ssize_t n = archive_read_data(ar, buf, 1 << 20);
				if (n < 0) {
					blob_writer_abort(w);
					berr_set(err, EINVAL, "%s", archive_error_string(ar));
					goto out;
				}
				if (n == 0)
					break;
				if (blob_writer_write(w, buf, (size_t)n, err) < 0) {
					blob_writer_abort(w);
					goto out;
				}
			}
			uint64_t sz;
			if (blob_writer_commit(w, expect[0] ? expect : NULL, f->digest, &sz, err) < 0) {
				berr_wrap(err, "%s", name);
				goto out;
			}
			f->in_store = true;
			sv_push(&a->created, f->digest);
		}
	}
	if (entries == 0) {
		berr_set(err, EINVAL, "empty archive");
		goto out;
	}
	ret = 0;
out:
	archive_read_free(ar);
	return ret;
}

static int read_dir_rec(struct store *st, int dfd, const char *prefix, struct arc *a, int depth, berr *err)
{
	if (depth > 8)
		return 0;
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return berr_sys(err, "read directory");
	}
	struct dirent *e;
	int ret = 0;
	while (ret == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		char *name = prefix ? xasprintf("%s/%s", prefix, e->d_name) : xstrdup(e->d_name);
		struct stat s;
		if (fstatat(dirfd(d), e->d_name, &s, AT_SYMLINK_NOFOLLOW) < 0 || (!S_ISDIR(s.st_mode) && !S_ISREG(s.st_mode))) {
			free(name);
			continue;
		}
		if (S_ISDIR(s.st_mode)) {
			int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				ret = read_dir_rec(st, sub, name, a, depth + 1, err);
				close(sub);
			}
			free(name);
			continue;
		}
		_cleanup_close_ int ffd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (ffd < 0) {
			free(name);
			continue;
		}
		char expect[DIGEST_STR_LEN + 1];
		name_digest(name, expect);
		struct arc_file *f = add(a, name);
		if ((uint64_t)s.st_size <= SMALL_MAX && a->mem + (uint64_t)s.st_size <= MEM_MAX) {
			a->mem += (uint64_t)s.st_size;
			struct strbuf sb = STRBUF_INIT;
			sb_init(&sb);
			char buf[65536];
			ssize_t n;
			while ((n = read(ffd, buf, sizeof buf)) > 0)
				sb_add(&sb, buf, (size_t)n);
			f->len = sb.len;
			f->data = sb_detach(&sb);
			digest_buf(f->data, f->len, f->digest);
			if (expect[0] && strcmp(expect, f->digest))
				ret = berr_set(err, EINVAL, "%s: digest mismatch: content has %s", name, f->digest);
		} else if (expect[0] && blob_exists(st, expect)) {
			memcpy(f->digest, expect, sizeof f->digest);
			f->in_store = true;
		} else {
			uint64_t sz;
			if (blob_write_fd(st, ffd, expect[0] ? expect : NULL, f->digest, &sz, err) < 0)
				ret = berr_wrap(err, "%s", name);
			else {
				f->in_store = true;
				sv_push(&a->created, f->digest);
			}
		}
	}
	closedir(d);
	return ret;
}

int arc_read(struct store *st, int fd, const char *dirpath, struct arc *a, berr *err)
{
	memset(a, 0, sizeof *a);
	if (fd >= 0 && lazylib_load_archive(err) < 0)
		return -1;
	if (fd >= 0)
		return read_tar(st, fd, a, err);
	_cleanup_close_ int dfd = open(dirpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return berr_sys(err, "open %s", dirpath);
	return read_dir_rec(st, dfd, NULL, a, 0, err);
}

const struct arc_file *arc_get(const struct arc *a, const char *name)
{
	_cleanup_free_ char *n = norm_name(NULL, name);
	if (!n)
		return NULL;
	for (int hops = 0; hops < 16; hops++) {
		const struct arc_file *hit = NULL;
		for (size_t i = a->n; i-- > 0;) /* the last entry of a name wins, as tar extraction */
			if (!strcmp(a->f[i].name, n)) {
				hit = &a->f[i];
				break;
			}
		if (!hit || !hit->link)
			return hit;
		free(n);
		n = xstrdup(hit->link);
	}
	return NULL;
}

int arc_small(struct store *st, const struct arc *a, const char *name, const char **data, size_t *len, berr *err)
{
	const struct arc_file *cf = arc_get(a, name);
	if (!cf)
		return berr_set(err, ENOENT, "archive has no %s", name);
	struct arc_file *f = (struct arc_file *)cf; /* filled in lazily below */
	if (!f->data && f->in_store) {
		/* streamed to the store (the memory budget was spent): read it back if it is small */
		_cleanup_free_ char *p = blob_path(st, f->digest);
		struct stat s;
		if (stat(p, &s) < 0 || (uint64_t)s.st_size > SMALL_MAX)
			return berr_set(err, EFBIG, "%s: too large", name);
		if (blob_read(st, f->digest, &f->data, &f->len, err) < 0)
			return -1;
	}
	if (!f->data)
		return berr_set(err, EFBIG, "%s: too large", name);
	*data = f->data;
	*len = f->len;
	return 0;
}

int arc_to_blob(struct store *st, struct arc *a, const struct arc_file *f, const char *expect,
		char digest[DIGEST_STR_LEN + 1], berr *err)
{
	if (expect && strcmp(expect, f->digest))
		return berr_set(err, EINVAL, "%s: digest mismatch: expected %s, content has %s", f->name, expect, f->digest);
	if (f->in_store) {
		memcpy(digest, f->digest, DIGEST_STR_LEN + 1);
		return 0;
	}
	bool existed = blob_exists(st, f->digest);
	if (blob_write_buf(st, f->data, f->len, f->digest, digest, err) < 0)
		return -1;
	if (!existed)
		sv_push(&a->created, digest);
	return 0;
}

void arc_cleanup_unused(struct store *st, struct arc *a)
{
	for (size_t i = 0; i < a->created.n; i++) {
		_cleanup_stmt_ sqlite3_stmt *s = NULL;
		berr e;
		if (store_prepare(st, &s, "SELECT 1 FROM blobs WHERE digest = ?", &e) < 0)
			continue;
		sqlite3_bind_text(s, 1, a->created.v[i], -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_ROW)
			blob_remove(st, a->created.v[i], &e);
	}
}

void arc_free(struct arc *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->f[i].name);
		free(a->f[i].link);
		free(a->f[i].data);
	}
	free(a->f);
	sv_clear(&a->created);
	memset(a, 0, sizeof *a);
}
