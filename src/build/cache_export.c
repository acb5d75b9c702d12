/* cache_export.c: --cache-to / --cache-from type=local (see build/cache_export.h).
 *
 * DIR/index.json names one OCI image index (ref name "latest", as BuildKit's local cache);
 * that index lists the layer blobs of the exported rows, one gzip tar blob per cache mount
 * (annotation dev.berth.cache-mount = the mount's store name) and a config blob
 * (BCIO_CONFIG_MT) holding the rows: {"rows":[{key,parent,instr,args,files,base,created,
 * layer:{digest,mediaType,size,diffID}}], "mounts":[{name,digest}]}. Everything read back
 * from DIR is checked: digests are verified when a blob enters the store, mount names must
 * be 64 hex characters, and archives are extracted with layer_apply (no path leaves the
 * mount directory). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "build/cache.h"
#include "build/cache_export.h"
#include "image/layer.h"
#include "store/blob.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define INDEX_MT "application/vnd.oci.image.index.v1+json"

static int parse_kv(const char *spec, const char *flag, char **type, char **path, char **mode, berr *err)
{
	*type = *path = *mode = NULL;
	if (!strchr(spec, '=')) {
		return berr_set(err, ENOTSUP, "%s %s: registry caches are not supported by berth build (use type=local)",
				flag, spec);
	}
	_cleanup_free_ char *s = xstrdup(spec), *unknown = NULL;
	for (char *p = s, *tok; (tok = strsep(&p, ","));) {
		char *eq = strchr(tok, '=');
		if (!eq)
			goto bad;
		*eq = 0;
		char **dst = !strcmp(tok, "type") ? type
			     : (!strcmp(tok, "src") || !strcmp(tok, "dest")) ? path
			     : !strcmp(tok, "mode") ? mode : NULL;
		if (!dst) {
			if (!strcmp(tok, "compression") || !strcmp(tok, "compression-level") || !strcmp(tok, "force-compression") ||
			    !strcmp(tok, "oci-mediatypes") || !strcmp(tok, "ignore-error") || !strcmp(tok, "tag") ||
			    !strcmp(tok, "digest") || !strcmp(tok, "image-manifest"))
				continue;
			if (!unknown)
				unknown = xstrdup(tok);
			continue;
		}
		free(*dst);
		*dst = xstrdup(eq + 1);
	}
	if (!*type || strcmp(*type, "local")) {
		berr_set(err, ENOTSUP, "%s type=%s is not supported by berth build (only type=local)", flag,
			 *type ? *type : "");
		free(*type), free(*path), free(*mode);
		*type = *path = *mode = NULL;
		return -1;
	}
	if (unknown) {
		free(*type), free(*path), free(*mode);
		*type = *path = *mode = NULL;
		return berr_set(err, EINVAL, "%s: unknown option %s", flag, unknown);
	}
	if (!*path || !**path) {
		free(*type), free(*path), free(*mode);
		*type = *path = *mode = NULL;
		return berr_set(err, EINVAL, "%s: %s= is required for type=local", flag,
				!strcmp(flag, "--cache-to") ? "dest" : "src");
	}
	return 0;
bad:
	free(*type), free(*path), free(*mode);
	*type = *path = *mode = NULL;
	return berr_set(err, EINVAL, "%s: invalid value %s", flag, spec);
}

int bcio_parse(const struct strvec *from, const struct strvec *to, struct bcache_io *c, berr *err)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < from->n; i++) {
		char *t, *p, *m;
		if (parse_kv(from->v[i], "--cache-from", &t, &p, &m, err) < 0) {
			bcio_release(c);
			return -1;
		}
		sv_push_owned(&c->from, p);
		free(t), free(m);
	}
	if (to->n > 1) {
		bcio_release(c);
		return berr_set(err, EINVAL, "--cache-to: only one destination is supported");
	}
	if (to->n) {
		char *t, *p, *m;
		if (parse_kv(to->v[0], "--cache-to", &t, &p, &m, err) < 0) {
			bcio_release(c);
			return -1;
		}
		if (m && strcmp(m, "min") && strcmp(m, "max")) {
			berr_set(err, EINVAL, "--cache-to: invalid mode %s (min or max)", m);
			free(t), free(p), free(m);
			bcio_release(c);
			return -1;
		}
		c->max = m && !strcmp(m, "max");
		c->to = p;
		free(t), free(m);
	}
	return 0;
}

void bcio_release(struct bcache_io *c)
{
	free(c->to);
	sv_clear(&c->from);
	free(c->notes);
	memset(c, 0, sizeof *c);
}

static pthread_mutex_t note_lock = PTHREAD_MUTEX_INITIALIZER;

void bcio_note(struct bcache_io *c, const char *key, int stage)
{
	if (!c->to)
		return;
	pthread_mutex_lock(&note_lock); /* stages may be built in parallel */
	c->notes = xrealloc(c->notes, (c->nnotes + 1) * sizeof *c->notes);
	snprintf(c->notes[c->nnotes].key, sizeof c->notes[c->nnotes].key, "%s", key);
	c->notes[c->nnotes++].stage = stage;
	pthread_mutex_unlock(&note_lock);
}

char *bcio_mount_dir(struct store *st, const struct df_mount *m)
{
	char d[DIGEST_STR_LEN + 1];
	const char *id = m->id && *m->id ? m->id : m->target ? m->target : "";
	digest_buf(id, strlen(id), d);
	_cleanup_free_ char *rel = xasprintf("cache/mounts/%s", digest_hex(d));
	return store_path(st, rel);
}

static bool hex64(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/* ---- export ---- */

/* Put a file into DIR/blobs/sha256/ under its (known) digest: a hard link when possible. */
static int put_blob_file(const char *dir, const char *digest, const char *src, berr *err)
{
	_cleanup_free_ char *dst = xasprintf("%s/blobs/sha256/%s", dir, digest_hex(digest));
	struct stat st;
	if (stat(dst, &st) == 0)
		return 0;
	if (link(src, dst) == 0)
		return 0;
	_cleanup_free_ char *tmp = xasprintf("%s.tmp%d", dst, (int)getpid());
	_cleanup_close_ int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return berr_sys(err, "open %s", src);
	_cleanup_close_ int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		return berr_sys(err, "create %s", tmp);
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write_all(out, buf, (size_t)n) < 0) {
			unlink(tmp);
			return berr_sys(err, "write %s", tmp);
		}
	if (n < 0 || fsync(out) < 0 || rename(tmp, dst) < 0) {
		unlink(tmp);
		return berr_sys(err, "write %s", dst);
	}
	return 0;
}

static int put_blob_buf(const char *dir, const char *data, size_t len, char digest[DIGEST_STR_LEN + 1], berr *err)
{
	digest_buf(data, len, digest);
	_cleanup_free_ char *dst = xasprintf("%s/blobs/sha256/%s", dir, digest_hex(digest));
	return write_file_atomic(dst, data, len, 0644, err);
}

static json_t *desc(const char *mt, const char *digest, uint64_t size)
{
	return json_pack("{s:s,s:s,s:I}", "mediaType", mt, "digest", digest, "size", (json_int_t)size);
}

static bool stage_in_min(const struct plan *plan, int stage)
{
	for (int s = plan->target, guard = 0; s >= 0 && guard < 1000; guard++) {
		if (s == stage)
			return true;
		const struct plan_stage *ps = &plan->stages[s];
		s = ps->base_kind == PLAN_BASE_STAGE ? ps->base_stage : -1;
	}
	return false;
}

static bool dir_has_entries(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return false;
	struct dirent *e;
	bool any = false;
	while (!any && (e = readdir(d)))
		any = strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return any;
}

int bcio_export(struct bcache_io *c, struct store *st, const struct plan *plan, size_t *nrows, size_t *nmounts,
		berr *err)
{
	*nrows = *nmounts = 0;
	if (!c->to)
		return 0;
	_cleanup_free_ char *blobs = xasprintf("%s/blobs/sha256", c->to);
	if (mkdir_p(blobs, 0755, err) < 0)
		return -1;
	json_t *manifests = json_array(), *rows = json_array(), *mounts = json_array();
	struct strvec seen = STRVEC_INIT;
	int rc = -1;
	for (size_t i = 0; i < c->nnotes; i++) {
		const struct bcio_note *n = &c->notes[i];
		if (!c->max && !stage_in_min(plan, n->stage))
			continue;
		if (sv_contains(&seen, n->key))
			continue;
		sv_push(&seen, n->key);
		struct bcache_row r = { 0 };
		int got = bcache_get(st, n->key, &r, err);
		if (got < 0)
			goto out;
		if (!got)
			continue;
		/* opening the blob makes it when it is lazy (image/layer_adopt.h) */
		int bfd = blob_open(st, r.layer.blob, err);
		if (bfd < 0) {
			bcache_row_release(&r);
			goto out;
		}
		close(bfd);
		_cleanup_free_ char *bp = blob_path(st, r.layer.blob);
		if (put_blob_file(c->to, r.layer.blob, bp, err) < 0) {
			bcache_row_release(&r);
			goto out;
		}
		if (!sv_contains(&seen, r.layer.blob)) {
			sv_push(&seen, r.layer.blob);
			json_array_append_new(manifests, desc(r.layer.media_type, r.layer.blob, r.layer.blob_size));
		}
		json_array_append_new(rows, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s,s:I,s:s}}",
			"key", r.key, "parent", r.parent, "instr", r.instr, "args", r.args, "files", r.files,
			"base", r.base, "created", r.created, "layer", "digest", r.layer.blob, "mediaType",
			r.layer.media_type, "size", (json_int_t)r.layer.blob_size, "diffID", r.layer.diff_id));
		bcache_row_release(&r);
		(*nrows)++;
	}
	/* the cache mounts the build's RUN steps use */
	for (size_t s = 0; s < plan->nstages; s++) {
		const struct plan_stage *ps = &plan->stages[s];
		if (!ps->needed)
			continue;
		for (size_t j = 0; j < ps->nsteps; j++) {
			const struct df_instr *in = ps->steps[j].instr;
			for (size_t m = 0; in->kind == DF_RUN && m < in->nmounts; m++) {
				if (in->mounts[m].type != DF_MOUNT_CACHE || in->mounts[m].from)
					continue;
				_cleanup_free_ char *dir = bcio_mount_dir(st, &in->mounts[m]);
				const char *name = strrchr(dir, '/') + 1;
				if (sv_contains(&seen, name) || !dir_has_entries(dir))
					continue;
				sv_push(&seen, name);
				_cleanup_free_ char *tmp = xasprintf("%s/mount-%s.tmp%d", c->to, name, (int)getpid());
				_cleanup_close_ int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
				if (fd < 0) {
					berr_sys(err, "create %s", tmp);
					goto out;
				}
				struct layer_diff_result res;
				if (layer_tar_dir(dir, fd, LAYER_GZIP, -1, &res, err) < 0) {
					unlink(tmp);
					goto out;
				}
				_cleanup_free_ char *dst = xasprintf("%s/%s", blobs, digest_hex(res.digest));
				if (rename(tmp, dst) < 0) {
					berr_sys(err, "rename %s", dst);
					unlink(tmp);
					goto out;
				}
				json_t *d = desc("application/vnd.oci.image.layer.v1.tar+gzip", res.digest, res.size);
				json_object_set_new(d, "annotations", json_pack("{s:s}", BCIO_MOUNT_ANNOTATION, name));
				json_array_append_new(manifests, d);
				json_array_append_new(mounts, json_pack("{s:s,s:s}", "name", name, "digest", res.digest));
				(*nmounts)++;
			}
		}
	}
	{
		json_t *cfg = json_pack("{s:o,s:o}", "rows", rows, "mounts", mounts);
		rows = mounts = NULL;
		_cleanup_free_ char *cj = json_dumps(cfg, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(cfg);
		char cd[DIGEST_STR_LEN + 1];
		if (put_blob_buf(c->to, cj, strlen(cj), cd, err) < 0)
			goto out;
		json_array_append_new(manifests, desc(BCIO_CONFIG_MT, cd, strlen(cj)));
		json_t *idx = json_pack("{s:i,s:s,s:o}", "schemaVersion", 2, "mediaType", INDEX_MT, "manifests", manifests);
		manifests = NULL;
		_cleanup_free_ char *ij = json_dumps(idx, JSON_COMPACT);
		json_decref(idx);
		char id[DIGEST_STR_LEN + 1];
		if (put_blob_buf(c->to, ij, strlen(ij), id, err) < 0)
			goto out;
		json_t *top = json_pack("{s:i,s:s,s:[{s:s,s:s,s:I,s:{s:s}}]}", "schemaVersion", 2, "mediaType", INDEX_MT,
					"manifests", "mediaType", INDEX_MT, "digest", id, "size", (json_int_t)strlen(ij),
					"annotations", "org.opencontainers.image.ref.name", "latest");
		_cleanup_free_ char *tj = json_dumps(top, JSON_INDENT(2));
		json_decref(top);
		_cleanup_free_ char *ip = xasprintf("%s/index.json", c->to);
		_cleanup_free_ char *lp = xasprintf("%s/oci-layout", c->to);
		const char *layout = "{\"imageLayoutVersion\":\"1.0.0\"}";
		if (write_file_atomic(lp, layout, strlen(layout), 0644, err) < 0 ||
		    write_file_atomic(ip, tj, strlen(tj), 0644, err) < 0)
			goto out;
	}
	rc = 0;
out:
	json_decref(manifests);
	json_decref(rows);
	json_decref(mounts);
	sv_clear(&seen);
	return rc;
}

/* ---- import ---- */

static int read_json(const char *path, json_t **out, berr *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	if (read_file(path, &data, &len, err) < 0)
		return -1;
	json_error_t je;
	*out = json_loadb(data, len, 0, &je);
	if (!*out)
		return berr_set(err, EINVAL, "%s: %s", path, je.text);
	return 0;
}

static const char *jstr(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

static char *src_blob(const char *dir, const char *digest)
{
	return xasprintf("%s/blobs/sha256/%s", dir, digest_hex(digest));
}

static int import_blob(struct store *st, const char *dir, const char *digest, berr *err)
{
	if (blob_exists(st, digest))
		return 0;
	_cleanup_free_ char *p = src_blob(dir, digest);
	_cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return berr_sys(err, "cache %s: blob %s", dir, digest);
	char got[DIGEST_STR_LEN + 1];
	return blob_write_fd(st, fd, digest, got, NULL, err);
}

static int import_one(struct store *st, const char *dir, size_t *nrows, size_t *nmounts, berr *err)
{
	_cleanup_free_ char *ip = xasprintf("%s/index.json", dir);
	json_t *top = NULL, *idx = NULL, *cfg = NULL;
	_cleanup_free_ char *mp = NULL, *cp = NULL;
	int rc = -1;
	if (read_json(ip, &top, err) < 0)
		return berr_wrap(err, "--cache-from %s", dir);
	const char *id = NULL;
	json_t *m;
	size_t i;
	json_array_foreach(json_object_get(top, "manifests"), i, m)
		if (!strcmp(jstr(m, "mediaType"), INDEX_MT) && digest_valid(jstr(m, "digest")))
			id = jstr(m, "digest");
	if (!id) {
		berr_set(err, EINVAL, "--cache-from %s: no cache index in index.json", dir);
		goto out;
	}
	mp = src_blob(dir, id);
	if (read_json(mp, &idx, err) < 0)
		goto out;
	const char *cd = NULL;
	json_array_foreach(json_object_get(idx, "manifests"), i, m)
		if (!strcmp(jstr(m, "mediaType"), BCIO_CONFIG_MT) && digest_valid(jstr(m, "digest")))
			cd = jstr(m, "digest");
	if (!cd) {
		berr_set(err, EINVAL, "--cache-from %s: not a berth build cache (no %s)", dir, BCIO_CONFIG_MT);
		goto out;
	}
	cp = src_blob(dir, cd);
	{
		_cleanup_free_ char *data = NULL;
		size_t len;
		char got[DIGEST_STR_LEN + 1];
		if (read_file(cp, &data, &len, err) < 0)
			goto out;
		digest_buf(data, len, got);
		if (strcmp(got, cd)) {
			berr_set(err, EINVAL, "--cache-from %s: config digest mismatch %s: %s", dir, got, cd);
			goto out;
		}
		json_error_t je;
		if (!(cfg = json_loadb(data, len, 0, &je))) {
			berr_set(err, EINVAL, "--cache-from %s: %s", dir, je.text);
			goto out;
		}
	}
	json_t *r;
	json_array_foreach(json_object_get(cfg, "rows"), i, r) {
		struct bcache_row row = { 0 };
		json_t *l = json_object_get(r, "layer");
		if (!digest_valid(jstr(r, "key")) || !digest_valid(jstr(l, "digest")) || !digest_valid(jstr(l, "diffID")))
			continue;
		struct bcache_row have = { 0 };
		int got = bcache_get(st, jstr(r, "key"), &have, err);
		if (got < 0)
			goto out;
		if (got) {
			bool blob = blob_exists(st, have.layer.blob);
			bcache_row_release(&have);
			if (blob)
				continue;
		}
		if (import_blob(st, dir, jstr(l, "digest"), err) < 0)
			goto out;
		snprintf(row.key, sizeof row.key, "%s", jstr(r, "key"));
		snprintf(row.parent, sizeof row.parent, "%s", jstr(r, "parent"));
		row.instr = (char *)jstr(r, "instr");
		row.args = (char *)jstr(r, "args");
		snprintf(row.files, sizeof row.files, "%s", jstr(r, "files"));
		snprintf(row.base, sizeof row.base, "%s", jstr(r, "base"));
		snprintf(row.created, sizeof row.created, "%s", jstr(r, "created"));
		snprintf(row.layer.blob, sizeof row.layer.blob, "%s", jstr(l, "digest"));
		snprintf(row.layer.media_type, sizeof row.layer.media_type, "%s", jstr(l, "mediaType"));
		snprintf(row.layer.diff_id, sizeof row.layer.diff_id, "%s", jstr(l, "diffID"));
		row.layer.blob_size = (uint64_t)json_integer_value(json_object_get(l, "size"));
		if (bcache_put(st, &row, err) < 0)
			goto out;
		(*nrows)++;
	}
	json_array_foreach(json_object_get(cfg, "mounts"), i, r) {
		const char *name = jstr(r, "name"), *dg = jstr(r, "digest");
		if (!hex64(name) || !digest_valid(dg))
			continue;
		_cleanup_free_ char *rel = xasprintf("cache/mounts/%s", name);
		_cleanup_free_ char *mdir = store_path(st, rel);
		if (dir_has_entries(mdir))
			continue; /* this store's own contents win */
		if (mkdir_p(mdir, 0755, err) < 0)
			goto out;
		_cleanup_free_ char *bp = src_blob(dir, dg);
		_cleanup_close_ int fd = open(bp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0) {
			berr_sys(err, "cache %s: blob %s", dir, dg);
			goto out;
		}
		/* check the digest before extracting anything */
		char got[DIGEST_STR_LEN + 1];
		if (digest_fd(fd, got, err) < 0)
			goto out;
		if (strcmp(got, dg)) {
			berr_set(err, EINVAL, "--cache-from %s: digest mismatch %s: %s", dir, got, dg);
			goto out;
		}
		if (lseek(fd, 0, SEEK_SET) < 0) {
			berr_sys(err, "seek");
			goto out;
		}
		_cleanup_close_ int dfd = open(mdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd < 0) {
			berr_sys(err, "open %s", mdir);
			goto out;
		}
		struct layer_apply_opts lo = { .mode = LAYER_APPLY_FLATTEN };
		if (layer_apply(fd, dfd, &lo, NULL, err) < 0)
			goto out;
		(*nmounts)++;
	}
	rc = 0;
out:
	json_decref(top);
	json_decref(idx);
	json_decref(cfg);
	return rc;
}

int bcio_import(struct bcache_io *c, struct store *st, size_t *nrows, size_t *nmounts, berr *err)
{
	*nrows = *nmounts = 0;
	for (size_t i = 0; i < c->from.n; i++) {
		struct stat sb;
		if (stat(c->from.v[i], &sb) < 0) {
			/* BuildKit only warns when a cache source is missing */
			continue;
		}
		if (import_one(st, c->from.v[i], nrows, nmounts, err) < 0)
			return -1;
	}
	return 0;
}
