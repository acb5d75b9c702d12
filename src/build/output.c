/* output.c: the build's exporters for -o/--output (see build/output.h). */
#include <archive.h>
#include <archive_entry.h>
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

/* Walk root and write every entry (relative names) to out. */
static int walk_to(const char *root, struct archive *out, const char *prefix, unsigned long long *bytes, berr *err)
{
	struct archive *rd = archive_read_disk_new();
	archive_read_disk_set_symlink_physical(rd);
	archive_read_disk_set_behavior(rd, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS | ARCHIVE_READDISK_NO_ACL |
						   ARCHIVE_READDISK_NO_FFLAGS);
	int rc = 0;
	if (archive_read_disk_open(rd, root) != ARCHIVE_OK) {
		rc = ar_fail(rd, "open the result", err);
		archive_read_free(rd);
		return rc;
	}
	size_t rl = strlen(root);
	char buf[65536];
	for (;;) {
		struct archive_entry *e = archive_entry_new();
		int r = archive_read_next_header2(rd, e);
		if (r == ARCHIVE_EOF) {
			archive_entry_free(e);
			break;
		}
		if (r < ARCHIVE_WARN) {
			rc = ar_fail(rd, "read the result", err);
			archive_entry_free(e);
			break;
		}
		const char *p = archive_entry_pathname(e);
		const char *rel = p && !strncmp(p, root, rl) ? p + rl : p ? p : "";
		while (*rel == '/')
			rel++;
		archive_read_disk_descend(rd);
		if (!*rel) {
			archive_entry_free(e);
			continue;
		}
		mode_t t = archive_entry_filetype(e);
		_cleanup_free_ char *name = prefix ? xasprintf("%s/%s", prefix, rel) : xstrdup(rel);
		archive_entry_set_pathname(e, name);
		archive_entry_set_uname(e, NULL);
		archive_entry_set_gname(e, NULL);
		archive_entry_unset_atime(e);
		archive_entry_unset_ctime(e);
		archive_entry_unset_birthtime(e);
		if (t != AE_IFREG)
			archive_entry_set_size(e, 0);
		r = archive_write_header(out, e);
		if (r < ARCHIVE_WARN) {
			rc = ar_fail(out, name, err);
			archive_entry_free(e);
			break;
		}
		if (t == AE_IFREG && archive_entry_size(e) > 0) {
			_cleanup_free_ char *src = xasprintf("%s/%s", root, rel);
			_cleanup_close_ int fd = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				rc = berr_sys(err, "open %s", rel);
				archive_entry_free(e);
				break;
			}
			ssize_t n;
			while ((n = read(fd, buf, sizeof buf)) > 0) {
				if (archive_write_data(out, buf, (size_t)n) != n) {
					rc = ar_fail(out, name, err);
					break;
				}
				*bytes += (unsigned long long)n;
			}
			if (n < 0 && !rc)
				rc = berr_sys(err, "read %s", rel);
			if (rc) {
				archive_entry_free(e);
				break;
			}
		}
		archive_entry_free(e);
	}
	archive_read_free(rd);
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
			rc = walk_to(root, w, NULL, bytes, err);
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
	if (chdir(o->dest) < 0)
		return berr_sys(err, "chdir %s", o->dest);
	struct archive *w = archive_write_disk_new();
	archive_write_disk_set_options(w, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER |
						  ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
						  ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_UNLINK);
	rc = walk_to(root, w, NULL, bytes, err);
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
