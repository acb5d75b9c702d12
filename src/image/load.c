/* load.c: loading image archives into the store. A `docker save` archive has manifest.json
 * (Config, RepoTags, Layers); an OCI archive/layout has oci-layout + index.json and
 * blobs/sha256/. Every blob is verified against its digest, every layer against the diff ID
 * the config names, layers are extracted once (shared), and each image is committed in one
 * transaction; a failure or a kill leaves only unreferenced files that gc removes. */
#include "image/load.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "image/archive_src.h"
#include "image/istore.h"
#include "image/ref.h"
#include "store/blob.h"
#include "util/cleanup.h"

static json_t *parse_json(struct store *st, const struct arc *a, const char *name, berr *err)
{
	const char *d;
	size_t len;
	if (arc_small(st, a, name, &d, &len, err) < 0)
		return NULL;
	json_error_t je;
	json_t *j = json_loadb(d, len, 0, &je);
	if (!j)
		berr_set(err, EINVAL, "%s: %s", name, je.text);
	return j;
}

static const char *sniff(struct store *st, const char *digest, bool docker)
{
	unsigned char m[4] = { 0 };
	berr e;
	_cleanup_close_ int fd = blob_open(st, digest, &e);
	if (fd >= 0 && read(fd, m, 4) >= 2) {
		if (m[0] == 0x1f && m[1] == 0x8b)
			return docker ? MT_DOCKER_LAYER_GZIP : MT_OCI_LAYER_GZIP;
		if (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
			return MT_OCI_LAYER_ZSTD;
	}
	return docker ? MT_DOCKER_LAYER : MT_OCI_LAYER;
}

/* Tag and report. */
static int name_image(struct store *st, const char *id, const char *name, struct strvec *out, berr *err)
{
	struct ref r;
	if (ref_parse_tagged(name, &r, err) < 0)
		return berr_wrap(err, "invalid tag %s", name);
	_cleanup_free_ char *full = ref_string(&r);
	_cleanup_free_ char *fam = ref_familiar_string(&r);
	ref_free(&r);
	_cleanup_free_ char *old = NULL;
	if (img_tag(st, full, id, &old, err) < 0)
		return -1;
	if (old)
		sv_pushf(out, "The image %s already exists, renaming the old one with ID %s to empty string", fam, old);
	sv_pushf(out, "Loaded image: %s", fam);
	return 0;
}

static int store_layers(struct store *st, struct img_layer *ls, size_t n, berr *err)
{
	for (size_t i = 0; i < n; i++)
		if (layer_ensure(st, i ? ls[i - 1].chain_id : "", &ls[i], err) < 0)
			return -1;
	return 0;
}

static int load_docker(struct store *st, struct arc *a, struct strvec *out, berr *err)
{
	json_t *man = parse_json(st, a, "manifest.json", err);
	if (!man)
		return -1;
	int ret = -1;
	if (!json_is_array(man)) {
		berr_set(err, EINVAL, "manifest.json: not an array");
		goto out;
	}
	size_t i;
	json_t *m;
	json_array_foreach(man, i, m)
	{
		const char *cfgname = json_string_value(json_object_get(m, "Config"));
		json_t *layers = json_object_get(m, "Layers");
		if (!cfgname || !json_is_array(layers)) {
			berr_set(err, EINVAL, "manifest.json: entry %zu lacks Config or Layers", i);
			goto out;
		}
		const char *cfg;
		size_t cfglen;
		if (arc_small(st, a, cfgname, &cfg, &cfglen, err) < 0)
			goto out;
		json_error_t je;
		json_t *cj = json_loadb(cfg, cfglen, 0, &je);
		json_t *dids = cj ? json_object_get(json_object_get(cj, "rootfs"), "diff_ids") : NULL;
		size_t nl = json_array_size(layers);
		if (!cj || json_array_size(dids) != nl) {
			json_decref(cj);
			berr_set(err, EINVAL, "%s: invalid image config (diff_ids do not match the %zu layers)", cfgname, nl);
			goto out;
		}
		struct img_layer *ls = xcalloc(nl ? nl : 1, sizeof *ls);
		json_t *mlayers = json_array();
		int r = 0;
		for (size_t k = 0; k < nl && r == 0; k++) {
			const char *ln = json_string_value(json_array_get(layers, k));
			const char *did = json_string_value(json_array_get(dids, k));
			const struct arc_file *f = ln ? arc_get(a, ln) : NULL;
			if (!f || !did || !digest_valid(did)) {
				r = berr_set(err, EINVAL, "layer %s: not in the archive", ln ? ln : "?");
				break;
			}
			if ((r = arc_to_blob(st, a, f, NULL, ls[k].blob, err)) < 0)
				break;
			snprintf(ls[k].diff_id, sizeof ls[k].diff_id, "%s", did);
			snprintf(ls[k].media_type, sizeof ls[k].media_type, "%s", sniff(st, ls[k].blob, true));
			struct stat s;
			_cleanup_free_ char *bp = blob_path(st, ls[k].blob);
			ls[k].blob_size = stat(bp, &s) == 0 ? (uint64_t)s.st_size : 0;
			json_array_append_new(mlayers, json_pack("{s:s, s:I, s:s}", "mediaType", ls[k].media_type, "size",
								 (json_int_t)ls[k].blob_size, "digest", ls[k].blob));
		}
		json_decref(cj);
		if (r == 0)
			r = store_layers(st, ls, nl, err);
		char cfgd[DIGEST_STR_LEN + 1];
		digest_buf(cfg, cfglen, cfgd);
		json_t *dm = json_pack("{s:i, s:s, s:{s:s, s:I, s:s}, s:o}", "schemaVersion", 2, "mediaType", MT_DOCKER_MANIFEST, "config",
				       "mediaType", MT_DOCKER_CONFIG, "size", (json_int_t)cfglen, "digest", cfgd, "layers", mlayers);
		_cleanup_free_ char *dms = json_dumps(dm, JSON_INDENT(3));
		json_decref(dm);
		char id[DIGEST_STR_LEN + 1];
		if (r == 0) {
			struct img_new in = { .config = cfg, .config_len = cfglen, .manifest = dms, .manifest_len = strlen(dms),
					      .manifest_media_type = MT_DOCKER_MANIFEST, .layers = ls, .nlayers = nl };
			r = img_commit(st, &in, id, err);
		}
		free(ls);
		if (r < 0)
			goto out;
		json_t *tags = json_object_get(m, "RepoTags");
		if (json_array_size(tags) == 0)
			sv_pushf(out, "Loaded image ID: %s", id);
		size_t t;
		json_t *tv;
		json_array_foreach(tags, t, tv) if (json_is_string(tv) && name_image(st, id, json_string_value(tv), out, err) < 0) goto out;
	}
	ret = 0;
out:
	json_decref(man);
	return ret;
}

static const char *host_arch(void)
{
	static struct utsname u;
	uname(&u);
	return !strcmp(u.machine, "x86_64") ? "amd64" : !strcmp(u.machine, "aarch64") ? "arm64" : u.machine;
}

static int load_oci_manifest(struct store *st, struct arc *a, json_t *desc, struct strvec *out, int depth, berr *err);

static int load_oci_index(struct store *st, struct arc *a, json_t *idx, json_t *parent_desc, struct strvec *out, int depth, berr *err)
{
	json_t *ms = json_object_get(idx, "manifests");
	size_t i;
	json_t *d;
	if (depth > 0) {
		/* a nested index (multi-platform image): pick this host's platform, else the first */
		json_t *pick = NULL;
		json_array_foreach(ms, i, d)
		{
			json_t *p = json_object_get(d, "platform");
			const char *os = json_string_value(json_object_get(p, "os"));
			const char *ar = json_string_value(json_object_get(p, "architecture"));
			if (os && ar && !strcmp(os, "linux") && !strcmp(ar, host_arch())) {
				pick = d;
				break;
			}
		}
		if (!pick)
			pick = json_array_get(ms, 0);
		if (!pick)
			return berr_set(err, EINVAL, "image index has no manifests");
		/* names live on the outer descriptor */
		json_t *copy = json_deep_copy(pick);
		json_t *ann = json_object_get(parent_desc, "annotations");
		if (ann)
			json_object_set(copy, "annotations", ann);
		int r = load_oci_manifest(st, a, copy, out, depth + 1, err);
		json_decref(copy);
		return r;
	}
	if (!json_array_size(ms))
		return berr_set(err, EINVAL, "index.json lists no images");
	json_array_foreach(ms, i, d) if (load_oci_manifest(st, a, d, out, depth + 1, err) < 0) return -1;
	return 0;
}

static const char *oci_name(json_t *desc)
{
	json_t *ann = json_object_get(desc, "annotations");
	const char *n = json_string_value(json_object_get(ann, "io.containerd.image.name"));
	if (n)
		return n;
	n = json_string_value(json_object_get(ann, "org.opencontainers.image.ref.name"));
	/* a bare tag ("latest") names no repository: leave such images untagged */
	if (n && (strchr(n, ':') || strchr(n, '/')))
		return n;
	return NULL;
}

static int load_oci_manifest(struct store *st, struct arc *a, json_t *desc, struct strvec *out, int depth, berr *err)
{
	const char *dg = json_string_value(json_object_get(desc, "digest"));
	const char *mt = json_string_value(json_object_get(desc, "mediaType"));
	if (!dg || !digest_valid(dg))
		return berr_set(err, EINVAL, "index.json: invalid descriptor digest");
	if (depth > 4)
		return berr_set(err, EINVAL, "image index nested too deeply");
	_cleanup_free_ char *name = xasprintf("blobs/sha256/%s", digest_hex(dg));
	const char *mdata;
	size_t mlen;
	if (arc_small(st, a, name, &mdata, &mlen, err) < 0)
		return -1;
	char md[DIGEST_STR_LEN + 1];
	digest_buf(mdata, mlen, md);
	if (strcmp(md, dg))
		return berr_set(err, EINVAL, "manifest %s: digest mismatch", dg);
	json_error_t je;
	json_t *man = json_loadb(mdata, mlen, 0, &je);
	if (!man)
		return berr_set(err, EINVAL, "manifest %s: %s", dg, je.text);
	const char *inner_mt = json_string_value(json_object_get(man, "mediaType"));
	if (!mt)
		mt = inner_mt ? inner_mt : MT_OCI_MANIFEST;
	if (!strcmp(mt, MT_OCI_INDEX) || !strcmp(mt, MT_DOCKER_LIST) || json_object_get(man, "manifests")) {
		int r = load_oci_index(st, a, man, desc, out, depth, err);
		json_decref(man);
		return r;
	}
	int ret = -1;
	struct img_layer *ls = NULL;
	json_t *cdesc = json_object_get(man, "config");
	const char *cdg = json_string_value(json_object_get(cdesc, "digest"));
	json_t *layers = json_object_get(man, "layers");
	_cleanup_free_ char *cname = cdg && digest_valid(cdg) ? xasprintf("blobs/sha256/%s", digest_hex(cdg)) : NULL;
	const char *cfg;
	size_t cfglen;
	if (!cname || arc_small(st, a, cname, &cfg, &cfglen, err) < 0) {
		if (!cname)
			berr_set(err, EINVAL, "manifest %s: no config", dg);
		goto out;
	}
	json_t *cj = json_loadb(cfg, cfglen, 0, &je);
	json_t *dids = cj ? json_object_get(json_object_get(cj, "rootfs"), "diff_ids") : NULL;
	size_t nl = json_array_size(layers);
	if (!cj || json_array_size(dids) != nl) {
		json_decref(cj);
		berr_set(err, EINVAL, "config %s: diff_ids do not match the manifest's %zu layers", cdg, nl);
		goto out;
	}
	ls = xcalloc(nl ? nl : 1, sizeof *ls);
	for (size_t k = 0; k < nl; k++) {
		json_t *ld = json_array_get(layers, k);
		const char *ldg = json_string_value(json_object_get(ld, "digest"));
		const char *lmt = json_string_value(json_object_get(ld, "mediaType"));
		const char *did = json_string_value(json_array_get(dids, k));
		if (!ldg || !digest_valid(ldg) || !did || !digest_valid(did)) {
			json_decref(cj);
			berr_set(err, EINVAL, "manifest %s: invalid layer %zu", dg, k);
			goto out;
		}
		_cleanup_free_ char *ln = xasprintf("blobs/sha256/%s", digest_hex(ldg));
		const struct arc_file *f = arc_get(a, ln);
		if (!f) {
			json_decref(cj);
			berr_set(err, EINVAL, "layer %s: not in the archive", ldg);
			goto out;
		}
		if (arc_to_blob(st, a, f, ldg, ls[k].blob, err) < 0) {
			json_decref(cj);
			goto out;
		}
		snprintf(ls[k].diff_id, sizeof ls[k].diff_id, "%s", did);
		snprintf(ls[k].media_type, sizeof ls[k].media_type, "%s", lmt ? lmt : MT_OCI_LAYER);
		ls[k].blob_size = (uint64_t)json_integer_value(json_object_get(ld, "size"));
	}
	json_decref(cj);
	if (store_layers(st, ls, nl, err) < 0)
		goto out;
	char id[DIGEST_STR_LEN + 1];
	struct img_new in = { .config = cfg, .config_len = cfglen, .manifest = mdata, .manifest_len = mlen,
			      .manifest_media_type = mt, .layers = ls, .nlayers = nl };
	if (img_commit(st, &in, id, err) < 0)
		goto out;
	const char *n = oci_name(desc);
	if (n) {
		if (name_image(st, id, n, out, err) < 0)
			goto out;
	} else {
		sv_pushf(out, "Loaded image ID: %s", id);
	}
	ret = 0;
out:
	free(ls);
	json_decref(man);
	return ret;
}

int image_load(struct store *st, int fd, const char *dirpath, struct strvec *out, berr *err)
{
	_cleanup_close_ int lk = -1;
	struct arc a;
	if (istore_lock(st, false, &lk, err) < 0)
		return -1;
	int r = arc_read(st, fd, dirpath, &a, err);
	if (r == 0) {
		if (arc_get(&a, "manifest.json"))
			r = load_docker(st, &a, out, err);
		else if (arc_get(&a, "index.json")) {
			json_t *idx = parse_json(st, &a, "index.json", err);
			r = idx ? load_oci_index(st, &a, idx, NULL, out, 0, err) : -1;
			json_decref(idx);
		} else
			r = berr_set(err, EINVAL, "invalid archive: neither manifest.json (docker save) nor index.json (OCI) found");
	}
	/* blobs this load wrote that no image uses (a failed load's, or files of the archive that
	 * are not image content) go again */
	arc_cleanup_unused(st, &a);
	arc_free(&a);
	return r;
}
