/* save.c: writing images out as a `docker save` archive (manifest.json + <hex>.json config +
 * <hex>.tar uncompressed layers, as skopeo's docker-archive writes), an OCI archive or an OCI
 * layout directory (oci-layout, index.json with org.opencontainers.image.ref.name and
 * io.containerd.image.name annotations, blobs/sha256/). Archives are written with fixed
 * mtimes so equal images give equal archives. */
#include "image/save.h"
#include "util/lazy_archive.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "image/istore.h"
#include "image/ref.h"
#include "store/blob.h"
#include "util/cleanup.h"
#include "util/fs.h"

struct sink {
	struct archive *ar;  /* archive output, or NULL for a directory */
	char *dir;
	struct strvec written; /* names already written (blobs shared between images) */
};

static int sink_bytes(struct sink *s, const char *name, const void *data, size_t len, berr *err)
{
	if (sv_contains(&s->written, name))
		return 0;
	sv_push(&s->written, name);
	if (!s->ar) {
		_cleanup_free_ char *p = xasprintf("%s/%s", s->dir, name);
		_cleanup_free_ char *d = xstrdup(p);
		*strrchr(d, '/') = 0;
		if (mkdir_p(d, 0755, err) < 0)
			return -1;
		return write_file_atomic(p, data, len, 0644, err);
	}
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, 0, 0);
	int r = archive_write_header(s->ar, e);
	archive_entry_free(e);
	if (r != ARCHIVE_OK || (len && archive_write_data(s->ar, data, len) != (la_ssize_t)len))
		return berr_set(err, EIO, "write %s: %s", name, archive_error_string(s->ar));
	return 0;
}

static int sink_fd(struct sink *s, const char *name, int fd, berr *err)
{
	if (sv_contains(&s->written, name))
		return 0;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return berr_sys(err, "stat");
	sv_push(&s->written, name);
	_cleanup_free_ char *buf = xmalloc(1 << 20);
	if (!s->ar) {
		_cleanup_free_ char *p = xasprintf("%s/%s", s->dir, name);
		_cleanup_free_ char *d = xstrdup(p);
		*strrchr(d, '/') = 0;
		if (mkdir_p(d, 0755, err) < 0)
			return -1;
		_cleanup_close_ int out = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out < 0)
			return berr_sys(err, "create %s", p);
		ssize_t n;
		while ((n = read(fd, buf, 1 << 20)) > 0)
			if (write_all(out, buf, (size_t)n) < 0)
				return berr_sys(err, "write %s", p);
		return n < 0 ? berr_sys(err, "read") : 0;
	}
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, st.st_size);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, 0, 0);
	int r = archive_write_header(s->ar, e);
	archive_entry_free(e);
	if (r != ARCHIVE_OK)
		return berr_set(err, EIO, "write %s: %s", name, archive_error_string(s->ar));
	ssize_t n;
	while ((n = read(fd, buf, 1 << 20)) > 0)
		if (archive_write_data(s->ar, buf, (size_t)n) != n)
			return berr_set(err, EIO, "write %s: %s", name, archive_error_string(s->ar));
	return n < 0 ? berr_sys(err, "read") : 0;
}

static int sink_blob(struct store *st, struct sink *s, const char *name, const char *digest, berr *err)
{
	_cleanup_close_ int fd = blob_open(st, digest, err);
	if (fd < 0)
		return -1;
	return sink_fd(s, name, fd, err);
}

/* An uncompressed copy of a (maybe compressed) layer blob, as an fd on an unlinked temp file. */
static int uncompressed_fd(struct store *st, const struct img_layer *l, berr *err)
{
	if (!strcmp(l->media_type, MT_OCI_LAYER) || !strcmp(l->media_type, MT_DOCKER_LAYER))
		return blob_open(st, l->blob, err);
	_cleanup_close_ int in = blob_open(st, l->blob, err);
	if (in < 0)
		return -1;
	int lockfd;
	_cleanup_free_ char *tmp = NULL;
	if (store_tmp_create(st, "save", false, &lockfd, &tmp, err) < 0)
		return -1;
	unlink(tmp);
	struct archive *a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	struct archive_entry *e;
	int ret = -1;
	if (archive_read_open_fd(a, in, 1 << 16) != ARCHIVE_OK || archive_read_next_header(a, &e) != ARCHIVE_OK) {
		berr_set(err, EINVAL, "layer %s: %s", l->blob, archive_error_string(a));
		goto out;
	}
	char buf[65536];
	la_ssize_t n;
	while ((n = archive_read_data(a, buf, sizeof buf)) > 0)
		if (write_all(lockfd, buf, (size_t)n) < 0) {
			berr_sys(err, "write temp layer");
			goto out;
		}
	if (n < 0) {
		berr_set(err, EINVAL, "layer %s: %s", l->blob, archive_error_string(a));
		goto out;
	}
	lseek(lockfd, 0, SEEK_SET);
	ret = lockfd;
	lockfd = -1;
out:
	if (lockfd >= 0)
		close(lockfd);
	archive_read_free(a);
	return ret;
}

struct sel {
	char *id;
	struct strvec names; /* full names to record */
};

static int write_docker(struct store *st, struct sink *s, struct sel *sels, size_t n, berr *err)
{
	json_t *man = json_array();
	json_t *repos = json_object();
	int ret = -1;
	for (size_t i = 0; i < n; i++) {
		struct img_info in;
		if (img_get(st, sels[i].id, &in, err) < 0)
			goto out;
		_cleanup_free_ char *cfgname = xasprintf("%s.json", digest_hex(in.id));
		json_t *layers = json_array();
		int r = sink_blob(st, s, cfgname, in.id, err);
		for (size_t k = 0; r == 0 && k < in.nlayers; k++) {
			_cleanup_free_ char *ln = xasprintf("%s.tar", digest_hex(in.layers[k].diff_id));
			json_array_append_new(layers, json_string(ln));
			_cleanup_close_ int fd = -1;
			if (!sv_contains(&s->written, ln)) {
				fd = uncompressed_fd(st, &in.layers[k], err);
				if (fd < 0) { r = -1; break; }
			}
			r = sink_fd(s, ln, fd, err);
		}
		json_t *tags = json_array();
		for (size_t k = 0; k < sels[i].names.n; k++) {
			struct ref rf;
			berr e2;
			if (ref_parse(sels[i].names.v[k], &rf, &e2) < 0)
				continue;
			_cleanup_free_ char *fam = ref_familiar_string(&rf);
			_cleanup_free_ char *famname = ref_familiar_name(&rf);
			json_array_append_new(tags, json_string(fam));
			if (rf.tag && in.nlayers) {
				json_t *rr = json_object_get(repos, famname);
				if (!rr) {
					rr = json_object();
					json_object_set_new(repos, famname, rr);
				}
				json_object_set_new(rr, rf.tag, json_string(digest_hex(in.layers[in.nlayers - 1].chain_id)));
			}
			ref_free(&rf);
		}
		json_array_append_new(man, json_pack("{s:s, s:o, s:o}", "Config", cfgname, "RepoTags", json_array_size(tags) ? tags : (json_decref(tags), json_null()),
						     "Layers", layers));
		img_info_release(&in);
		if (r < 0)
			goto out;
	}
	{
		_cleanup_free_ char *ms = json_dumps(man, JSON_COMPACT);
		if (sink_bytes(s, "manifest.json", ms, strlen(ms), err) < 0)
			goto out;
		if (json_object_size(repos)) {
			_cleanup_free_ char *rs = json_dumps(repos, JSON_COMPACT);
			if (sink_bytes(s, "repositories", rs, strlen(rs), err) < 0)
				goto out;
		}
	}
	ret = 0;
out:
	json_decref(man);
	json_decref(repos);
	return ret;
}

static const char *oci_layer_type(const char *mt)
{
	if (!strcmp(mt, MT_DOCKER_LAYER))
		return MT_OCI_LAYER;
	if (!strcmp(mt, MT_DOCKER_LAYER_GZIP))
		return MT_OCI_LAYER_GZIP;
	return mt;
}

static int write_oci(struct store *st, struct sink *s, struct sel *sels, size_t n, berr *err)
{
	json_t *mans = json_array();
	int ret = -1;
	for (size_t i = 0; i < n; i++) {
		struct img_info in;
		if (img_get(st, sels[i].id, &in, err) < 0)
			goto out;
		int r = 0;
		_cleanup_free_ char *cname = xasprintf("blobs/sha256/%s", digest_hex(in.id));
		r = sink_blob(st, s, cname, in.id, err);
		for (size_t k = 0; r == 0 && k < in.nlayers; k++) {
			_cleanup_free_ char *ln = xasprintf("blobs/sha256/%s", digest_hex(in.layers[k].blob));
			r = sink_blob(st, s, ln, in.layers[k].blob, err);
		}
		/* the stored manifest if it is OCI, else an OCI manifest for the same config and blobs */
		char md[DIGEST_STR_LEN + 1];
		_cleanup_free_ char *mbytes = NULL;
		size_t mlen = 0;
		if (r == 0 && !strcmp(in.manifest_media_type, MT_OCI_MANIFEST)) {
			r = blob_read(st, in.manifest_digest, &mbytes, &mlen, err);
		} else if (r == 0) {
			size_t cl;
			_cleanup_free_ char *cb = NULL;
			r = blob_read(st, in.id, &cb, &cl, err);
			json_t *ls = json_array();
			for (size_t k = 0; k < in.nlayers; k++)
				json_array_append_new(ls, json_pack("{s:s, s:s, s:I}", "mediaType", oci_layer_type(in.layers[k].media_type), "digest",
								    in.layers[k].blob, "size", (json_int_t)in.layers[k].blob_size));
			json_t *m = json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:o}", "schemaVersion", 2, "mediaType", MT_OCI_MANIFEST,
					      "config", "mediaType", MT_OCI_CONFIG, "digest", in.id, "size", (json_int_t)cl, "layers", ls);
			mbytes = json_dumps(m, JSON_COMPACT);
			mlen = strlen(mbytes);
			json_decref(m);
		}
		if (r == 0) {
			digest_buf(mbytes, mlen, md);
			_cleanup_free_ char *mname = xasprintf("blobs/sha256/%s", digest_hex(md));
			r = sink_bytes(s, mname, mbytes, mlen, err);
		}
		if (r == 0) {
			size_t cnt = sels[i].names.n ? sels[i].names.n : 1;
			for (size_t k = 0; k < cnt; k++) {
				json_t *d = json_pack("{s:s, s:s, s:I}", "mediaType", MT_OCI_MANIFEST, "digest", md, "size", (json_int_t)mlen);
				if (sels[i].names.n) {
					struct ref rf;
					berr e2;
					if (ref_parse(sels[i].names.v[k], &rf, &e2) == 0) {
						_cleanup_free_ char *full = ref_string(&rf);
						json_object_set_new(d, "annotations",
								    json_pack("{s:s, s:s}", "io.containerd.image.name", full,
									      "org.opencontainers.image.ref.name", rf.tag ? rf.tag : "latest"));
						ref_free(&rf);
					}
				}
				json_array_append_new(mans, d);
			}
		}
		img_info_release(&in);
		if (r < 0)
			goto out;
	}
	{
		static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
		if (sink_bytes(s, "oci-layout", layout, strlen(layout), err) < 0)
			goto out;
		json_t *idx = json_pack("{s:i, s:s, s:O}", "schemaVersion", 2, "mediaType", MT_OCI_INDEX, "manifests", mans);
		_cleanup_free_ char *is = json_dumps(idx, JSON_COMPACT);
		json_decref(idx);
		if (sink_bytes(s, "index.json", is, strlen(is), err) < 0)
			goto out;
	}
	ret = 0;
out:
	json_decref(mans);
	return ret;
}

int image_save(struct store *st, const struct strvec *refs, enum save_format fmt, int fd, const char *dir, berr *err)
{
	struct sel *sels = NULL;
	size_t n = 0;
	int ret = -1;
	struct sink s = { 0 };
	if (lazylib_load_archive(err) < 0)
		return -1;
	/* (id, name) pairs to save: a bare repository name saves every tag of it, as Docker does */
	struct strvec ids = STRVEC_INIT, names = STRVEC_INIT;
	for (size_t i = 0; i < refs->n; i++) {
		struct ref r;
		berr e2;
		size_t before = ids.n;
		if (ref_parse(refs->v[i], &r, &e2) == 0) {
			if (!r.tag && !r.digest) {
				_cleanup_free_ char *like = xasprintf("%s/%s:%%", r.domain, r.path);
				sqlite3_stmt *q = NULL;
				if (store_prepare(st, &q, "SELECT image_id, name FROM image_tags WHERE name LIKE ? ORDER BY name", err) < 0) {
					ref_free(&r);
					goto out_names;
				}
				sqlite3_bind_text(q, 1, like, -1, SQLITE_STATIC);
				while (sqlite3_step(q) == SQLITE_ROW) {
					/* LIKE's _ and % in names are not wildcards we meant: check the prefix */
					const char *nm = (const char *)sqlite3_column_text(q, 1);
					if (strncmp(nm, like, strlen(like) - 1))
						continue;
					sv_push(&ids, (const char *)sqlite3_column_text(q, 0));
					sv_push(&names, nm);
				}
				sqlite3_finalize(q);
			}
			ref_free(&r);
		}
		if (ids.n > before)
			continue;
		char *id = NULL, *matched = NULL;
		if (img_lookup(st, refs->v[i], &id, &matched, err) < 0) {
			if (err->errnum == ENOENT) /* docker save names the argument as given */
				berr_set(err, ENOENT, "No such image: %s", refs->v[i]);
			goto out_names;
		}
		sv_push_owned(&ids, id);
		sv_push_owned(&names, matched ? matched : xstrdup(""));
	}
	sels = xcalloc(ids.n ? ids.n : 1, sizeof *sels);
	for (size_t i = 0; i < ids.n; i++) {
		size_t k;
		for (k = 0; k < n && strcmp(sels[k].id, ids.v[i]); k++)
			;
		if (k == n)
			sels[n++].id = xstrdup(ids.v[i]);
		if (*names.v[i] && !sv_contains(&sels[k].names, names.v[i]))
			sv_push(&sels[k].names, names.v[i]);
	}
	sv_clear(&ids);
	sv_clear(&names);
	if (fmt == SAVE_OCI_DIR) {
		if (mkdir_p(dir, 0755, err) < 0)
			goto out;
		s.dir = xstrdup(dir);
	} else {
		s.ar = archive_write_new();
		archive_write_set_format_pax_restricted(s.ar);
		if (archive_write_open_fd(s.ar, fd) != ARCHIVE_OK) {
			berr_set(err, EIO, "%s", archive_error_string(s.ar));
			goto out;
		}
	}
	if (0) {
out_names:
		sv_clear(&ids);
		sv_clear(&names);
		goto out;
	}
	ret = fmt == SAVE_DOCKER_ARCHIVE ? write_docker(st, &s, sels, n, err) : write_oci(st, &s, sels, n, err);
	if (s.ar && archive_write_close(s.ar) != ARCHIVE_OK && ret == 0)
		ret = berr_set(err, EIO, "%s", archive_error_string(s.ar));
out:
	if (s.ar)
		archive_write_free(s.ar);
	free(s.dir);
	sv_clear(&s.written);
	for (size_t i = 0; i < n; i++) {
		free(sels[i].id);
		sv_clear(&sels[i].names);
	}
	free(sels);
	return ret;
}
