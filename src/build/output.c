/* output.c: the build's exporters for -o/--output (see build/output.h). */
#include "util/lazy_archive.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "build/output.h"
#include "image/save.h"
#include "util/cleanup.h"
#include "util/fs.h"

static void clear(struct boutput *o)
{
	free(o->dest);
	sv_clear(&o->names);
	memset(o, 0, sizeof *o);
}

int boutput_parse(const struct strvec *specs, struct boutput *o, berr *err)
{
	memset(o, 0, sizeof *o);
	if (!specs->n)
		return 0;
	if (specs->n > 1)
		return berr_set(err, EINVAL, "multiple outputs are not supported: give one -o");
	const char *v = specs->v[0];
	if (!strchr(v, '=')) {
		/* buildx's short forms */
		o->type = strcmp(v, "-") ? BOUT_LOCAL : BOUT_TAR;
		o->dest = xstrdup(v);
		return 0;
	}
	_cleanup_free_ char *s = xstrdup(v);
	const char *type = NULL;
	for (char *p = s, *tok; (tok = strsep(&p, ","));) {
		char *eq = strchr(tok, '=');
		if (!eq) {
			clear(o);
			return berr_set(err, EINVAL, "invalid value %s", tok);
		}
		*eq = 0;
		const char *val = eq + 1;
		if (!strcmp(tok, "type"))
			type = val;
		else if (!strcmp(tok, "dest")) {
			free(o->dest);
			o->dest = xstrdup(val);
		} else if (!strcmp(tok, "name")) {
			_cleanup_free_ char *n = xstrdup(val);
			for (char *q = n, *t; (t = strsep(&q, ";"));) /* buildx separates names with ',' in quotes */
				if (*t)
					sv_push(&o->names, t);
		} else if (!strcmp(tok, "push") || !strcmp(tok, "push-by-digest")) {
			if (!strcmp(val, "true")) {
				clear(o);
				return berr_set(err, ENOTSUP, "output push=true is not supported by berth build: use berth push");
			}
		} else if (!strcmp(tok, "compression") || !strcmp(tok, "oci-mediatypes") || !strcmp(tok, "platform-split") ||
			   !strcmp(tok, "tar") || !strcmp(tok, "unpack") || !strcmp(tok, "dangling-name-prefix"))
			; /* accepted, no effect */
		else {
			clear(o);
			return berr_set(err, EINVAL, "output: unknown option %s", tok);
		}
	}
	if (!type)
		type = "local"; /* buildx: a spec without type= is local */
	if (!strcmp(type, "image") || !strcmp(type, "moby"))
		o->type = BOUT_IMAGE;
	else if (!strcmp(type, "local"))
		o->type = BOUT_LOCAL;
	else if (!strcmp(type, "tar"))
		o->type = BOUT_TAR;
	else if (!strcmp(type, "oci"))
		o->type = BOUT_OCI;
	else if (!strcmp(type, "docker"))
		o->type = o->dest ? BOUT_DOCKER : BOUT_IMAGE; /* docker without dest: load (= store) */
	else {
		clear(o);
		return berr_set(err, ENOTSUP, "output type %s is not supported (image, local, tar, oci, docker)", type);
	}
	if (o->type == BOUT_LOCAL && (!o->dest || !*o->dest)) {
		clear(o);
		return berr_set(err, EINVAL, "dest is required for local output");
	}
	if ((o->type == BOUT_TAR || o->type == BOUT_OCI || o->type == BOUT_DOCKER) && (!o->dest || !*o->dest)) {
		if (isatty(1)) {
			clear(o);
			return berr_set(err, EINVAL, "dest file is required for %s exporter. refusing to write to console", type);
		}
		free(o->dest);
		o->dest = xstrdup("-");
	}
	return 0;
}

void boutput_release(struct boutput *o)
{
	clear(o);
}

static int ar_fail(struct archive *a, const char *what, berr *err)
{
	return berr_set(err, EIO, "%s: %s", what, archive_error_string(a) ? archive_error_string(a) : "error");
}

/* The export walk: names sorted bytewise (as BuildKit's fsutil walk), symlinks never
 * followed, hard links written as links to the first name of the inode. */
struct walk {
	struct archive *out;
	struct archive *rd;         /* only for archive_read_disk_entry_from_file (xattrs) */
	unsigned long long *bytes;
	struct hl { dev_t dev; ino_t ino; char *name; } *links;
	size_t nlinks;
	char buf[65536];
};

static int walk_dir(struct walk *w, int dfd, const char *rel, int depth, berr *err);

static int walk_entry(struct walk *w, int dfd, const char *nm, const char *name, int depth, berr *err)
{
	struct stat st;
	if (fstatat(dfd, nm, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berr_sys(err, "stat %s", name);
	int fd = -1;
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
		fd = openat(dfd, nm, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
		if (fd < 0)
			return berr_sys(err, "open %s", name);
	}
	struct archive_entry *e = archive_entry_new();
	archive_entry_copy_pathname(e, name);
	if (fd >= 0) /* metadata and xattrs through the fd; never a path lookup */
		archive_read_disk_entry_from_file(w->rd, e, fd, &st);
	else
		archive_entry_copy_stat(e, &st);
	archive_entry_copy_pathname(e, name);
	archive_entry_set_uname(e, NULL);
	archive_entry_set_gname(e, NULL);
	archive_entry_unset_atime(e);
	archive_entry_unset_ctime(e);
	archive_entry_unset_birthtime(e);
	if (S_ISLNK(st.st_mode)) {
		char t[4096];
		ssize_t n = readlinkat(dfd, nm, t, sizeof t - 1);
		if (n < 0) {
			archive_entry_free(e);
			return berr_sys(err, "readlink %s", name);
		}
		t[n] = 0;
		archive_entry_copy_symlink(e, t);
	}
	bool data = S_ISREG(st.st_mode) && st.st_size > 0;
	if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
		for (size_t i = 0; i < w->nlinks; i++)
			if (w->links[i].dev == st.st_dev && w->links[i].ino == st.st_ino) {
				archive_entry_copy_hardlink(e, w->links[i].name);
				archive_entry_set_size(e, 0);
				data = false;
				break;
			}
		if (data) {
			w->links = xrealloc(w->links, (w->nlinks + 1) * sizeof *w->links);
			w->links[w->nlinks++] = (struct hl){ st.st_dev, st.st_ino, xstrdup(name) };
		}
	}
	if (!S_ISREG(st.st_mode))
		archive_entry_set_size(e, 0);
	int rc = 0;
	if (archive_write_header(w->out, e) < ARCHIVE_WARN)
		rc = ar_fail(w->out, name, err);
	archive_entry_free(e);
	if (!rc && data) {
		ssize_t n;
		while ((n = read(fd, w->buf, sizeof w->buf)) > 0) {
			if (archive_write_data(w->out, w->buf, (size_t)n) != n) {
				rc = ar_fail(w->out, name, err);
				break;
			}
			*w->bytes += (unsigned long long)n;
		}
		if (n < 0 && !rc)
			rc = berr_sys(err, "read %s", name);
	}
	if (!rc && S_ISDIR(st.st_mode))
		rc = walk_dir(w, fd, name, depth + 1, err);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int bytewise(const void *a, const void *b)
{
	return strcmp((*(const struct dirent *const *)a)->d_name, (*(const struct dirent *const *)b)->d_name);
}

static int walk_dir(struct walk *w, int dfd, const char *rel, int depth, berr *err)
{
	if (depth > 256)
		return berr_set(err, ELOOP, "export: directory tree too deep at %s", rel);
	struct dirent **names = NULL;
	int n = scandirat(dfd, ".", &names, NULL, NULL);
	if (n < 0)
		return berr_sys(err, "read directory %s", *rel ? rel : "/");
	qsort(names, (size_t)n, sizeof *names, bytewise);
	int rc = 0;
	for (int k = 0; k < n; k++) {
		const char *nm = names[k]->d_name;
		if (!rc && strcmp(nm, ".") && strcmp(nm, "..")) {
			_cleanup_free_ char *name = *rel ? xasprintf("%s/%s", rel, nm) : xstrdup(nm);
			rc = walk_entry(w, dfd, nm, name, depth, err);
		}
		free(names[k]);
	}
	free(names);
	return rc;
}

/* Walk root and write every entry (relative names) to out. */
static int walk_to(const char *root, struct archive *out, unsigned long long *bytes, berr *err)
{
	if (lazylib_load_archive(err) < 0)
		return -1;
	_cleanup_close_ int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, "open the result");
	struct walk *w = xcalloc(1, sizeof *w);
	w->out = out;
	w->bytes = bytes;
	w->rd = archive_read_disk_new();
	archive_read_disk_set_behavior(w->rd, ARCHIVE_READDISK_NO_ACL | ARCHIVE_READDISK_NO_FFLAGS);
	int rc = walk_dir(w, fd, "", 0, err);
	for (size_t i = 0; i < w->nlinks; i++)
		free(w->links[i].name);
	free(w->links);
	archive_read_free(w->rd);
	free(w);
	return rc;
}

int boutput_write_fs(const struct boutput *o, const char *root, unsigned long long *bytes, berr *err)
{
	*bytes = 0;
	int rc;
	if (o->type == BOUT_TAR) {
		int fd = 1;
		if (strcmp(o->dest, "-")) {
			fd = open(o->dest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (fd < 0)
				return berr_sys(err, "open %s", o->dest);
		}
		struct archive *w = archive_write_new();
		archive_write_set_format_pax_restricted(w);
		archive_write_set_bytes_in_last_block(w, 1);
		if (archive_write_open_fd(w, fd) != ARCHIVE_OK)
			rc = ar_fail(w, o->dest, err);
		else
			rc = walk_to(root, w, bytes, err);
		if (archive_write_close(w) != ARCHIVE_OK && !rc)
			rc = ar_fail(w, o->dest, err);
		archive_write_free(w);
		if (fd != 1 && close(fd) < 0 && !rc)
			rc = berr_sys(err, "close %s", o->dest);
		return rc;
	}
	/* local: extract into dest with the names relative to it (from inside it, so no
	 * component of dest itself is checked), never following a symlink the export made */
	if (mkdir_p(o->dest, 0755, err) < 0)
		return -1;
	_cleanup_close_ int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0)
		return berr_sys(err, "open the current directory");
	if (lazylib_load_archive(err) < 0)
		return -1;
	if (chdir(o->dest) < 0)
		return berr_sys(err, "chdir %s", o->dest);
	struct archive *w = archive_write_disk_new();
	archive_write_disk_set_options(w, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER |
						  ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
						  ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_UNLINK);
	rc = walk_to(root, w, bytes, err);
	if (archive_write_close(w) != ARCHIVE_OK && !rc)
		rc = ar_fail(w, o->dest, err);
	archive_write_free(w);
	if (fchdir(cwd) < 0 && !rc)
		rc = berr_sys(err, "chdir back");
	return rc;
}

int boutput_write_image(struct store *st, const struct boutput *o, const char *id, const struct strvec *tags,
			berr *err)
{
	struct strvec refs = STRVEC_INIT;
	for (size_t i = 0; i < tags->n; i++)
		sv_push(&refs, tags->v[i]);
	for (size_t i = 0; i < o->names.n; i++)
		sv_push(&refs, o->names.v[i]);
	if (!refs.n)
		sv_push(&refs, id);
	int fd = 1;
	if (strcmp(o->dest, "-")) {
		fd = open(o->dest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			sv_clear(&refs);
			return berr_sys(err, "open %s", o->dest);
		}
	}
	int rc = image_save(st, &refs, o->type == BOUT_OCI ? SAVE_OCI_ARCHIVE : SAVE_DOCKER_ARCHIVE, fd, NULL, err);
	if (fd != 1 && close(fd) < 0 && !rc)
		rc = berr_sys(err, "close %s", o->dest);
	sv_clear(&refs);
	return rc;
}
