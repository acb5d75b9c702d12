/* pull.c: `berth pull`: resolve a tag or digest to a manifest (choosing this platform from a
 * manifest list / OCI index), fetch the config, download missing layer blobs in parallel
 * (download.c), extract them, and commit the image, its tag and its repo digest. Prints
 * Docker's lines ("latest: Pulling from library/busybox", "<id>: Pull complete",
 * "Digest: ...", "Status: Downloaded newer image for ..."). */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "image/istore.h"
#include "image/ref.h"
#include "image/repodigest.h"
#include "registry/client.h"
#include "registry/pull_internal.h"
#include "registry/sources.h"
#include "store/blob.h"
#include "util/cleanup.h"

#define ACCEPT_MANIFESTS                                                                                        \
	"Accept: " MT_OCI_INDEX ", " MT_DOCKER_LIST ", " MT_DOCKER_MANIFEST ", " MT_OCI_MANIFEST

static const char *host_arch(void)
{
	static struct utsname u;
	uname(&u);
	return !strcmp(u.machine, "x86_64") ? "amd64" : !strcmp(u.machine, "aarch64") ? "arm64" : u.machine;
}

/* GET a manifest by tag or digest; verify it against the digest when asked by digest. */
static int fetch_manifest(struct reg_client *c, const char *fullname, const char *reference, char **body, size_t *len,
			  char **mt, char digest[DIGEST_STR_LEN + 1], berr *err)
{
	_cleanup_free_ char *path = xasprintf("/v2/%s/manifests/%s", c->repo, reference);
	struct curl_slist *h = curl_slist_append(NULL, ACCEPT_MANIFESTS);
	struct reg_resp r;
	int rc = reg_do(c, "GET", path, h, NULL, &r, err);
	curl_slist_free_all(h);
	if (rc < 0)
		return -1;
	if (r.status != 200) {
		if (r.status == 404)
			rc = reg_fail(c, &r, err, "manifest for %s%s%s not found", fullname, strncmp(reference, "sha256:", 7) ? ":" : "@",
				      reference);
		else
			rc = reg_fail(c, &r, err, NULL);
		reg_resp_release(&r);
		return rc;
	}
	digest_buf(r.body.buf ? r.body.buf : "", r.body.len, digest);
	/* by digest: the bytes must hash to it; by tag: to the digest the registry announces */
	const char *want = !strncmp(reference, "sha256:", 7) ? reference : (r.digest && digest_valid(r.digest) ? r.digest : NULL);
	if (want && strcmp(digest, want)) {
		berr_set(err, EINVAL, "manifest verification failed for digest %s", want);
		err->status = 1;
		reg_resp_release(&r);
		return -1;
	}
	json_error_t je;
	json_t *j = json_loadb(r.body.buf ? r.body.buf : "", r.body.len, 0, &je);
	if (!j) {
		reg_resp_release(&r);
		berr_set(err, EINVAL, "manifest %s: %s", reference, je.text);
		err->status = 1;
		return -1;
	}
	const char *m = json_string_value(json_object_get(j, "mediaType"));
	if (!m && r.content_type && strncmp(r.content_type, "application/json", 16))
		m = r.content_type;
	if (!m)
		m = json_object_get(j, "manifests") ? MT_OCI_INDEX : MT_OCI_MANIFEST;
	*mt = xstrndup(m, strcspn(m, "; "));
	json_decref(j);
	*len = r.body.len;
	*body = sb_detach(&r.body);
	reg_resp_release(&r);
	if (strstr(*mt, "distribution.manifest.v1")) {
		free(*body);
		free(*mt);
		*body = *mt = NULL;
		berr_set(err, ENOTSUP, "unsupported manifest format: Docker schema 1 (%s) is not supported", m);
		err->status = 1;
		return -1;
	}
	return 0;
}

/* Pick the platform's entry of an index: os/arch[/variant]. */
static json_t *pick_platform(json_t *idx, const char *platform, berr *err)
{
	char os[100] = "linux", arch[100], variant[100] = "";
	snprintf(arch, sizeof arch, "%s", host_arch());
	if (platform && *platform) {
		char buf[100];
		snprintf(buf, sizeof buf, "%s", platform);
		char *a = strchr(buf, '/');
		if (a) {
			*a++ = 0;
			char *v = strchr(a, '/');
			if (v) {
				*v++ = 0;
				snprintf(variant, sizeof variant, "%s", v);
			}
			snprintf(arch, sizeof arch, "%s", a);
		}
		snprintf(os, sizeof os, "%s", buf);
	}
	size_t i;
	json_t *d;
	json_t *best = NULL;
	json_array_foreach(json_object_get(idx, "manifests"), i, d)
	{
		json_t *p = json_object_get(d, "platform");
		const char *pos = json_string_value(json_object_get(p, "os"));
		const char *par = json_string_value(json_object_get(p, "architecture"));
		const char *pv = json_string_value(json_object_get(p, "variant"));
		if (!pos || !par || strcmp(pos, os) || strcmp(par, arch))
			continue;
		if (*variant && (!pv || strcmp(pv, variant)))
			continue;
		if (!best)
			best = d;
	}
	if (!best) {
		berr_set(err, ENOENT, "no matching manifest for %s/%s%s%s in the manifest list entries", os, arch, *variant ? "/" : "",
			 variant);
		err->status = 1;
	}
	return best;
}

static int fetch_config(struct reg_client *c, struct store *st, const char *digest, char **cfg, size_t *len, berr *err)
{
	if (blob_exists(st, digest))
		return blob_read(st, digest, cfg, len, err);
	_cleanup_free_ char *path = xasprintf("/v2/%s/blobs/%s", c->repo, digest);
	struct reg_resp r;
	if (reg_do(c, "GET", path, NULL, NULL, &r, err) < 0)
		return -1;
	if (r.status != 200) {
		int rc = reg_fail(c, &r, err, NULL);
		reg_resp_release(&r);
		return rc;
	}
	char got[DIGEST_STR_LEN + 1];
	digest_buf(r.body.buf ? r.body.buf : "", r.body.len, got);
	if (strcmp(got, digest)) {
		reg_resp_release(&r);
		berr_set(err, EINVAL, "image config verification failed for digest %s", digest);
		err->status = 1;
		return -1;
	}
	*len = r.body.len;
	*cfg = sb_detach(&r.body);
	reg_resp_release(&r);
	return 0;
}

/* Does the store already have this image with every layer? */
static bool have_image(struct store *st, const char *id)
{
	struct img_info in;
	berr e;
	if (img_get(st, id, &in, &e) < 0)
		return false;
	img_info_release(&in);
	return true;
}

/* Layers are extracted in order, each as soon as its blob (and every blob below it) is in the
 * store, in a thread of their own while later blobs still download. The store's SQLite handle
 * is opened NOMUTEX: while the extractor runs, the downloader (download.c) must never touch
 * the database (it only writes files under tmp/ and blobs/). */
struct extractor {
	struct store *st;
	struct img_layer *ls;
	size_t n, done;
	bool *ready;
	bool stop;
	struct progress *pg;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int rc;
	berr err;
};

static void mark_ready(void *ud, size_t k)
{
	struct extractor *ex = ud;
	pthread_mutex_lock(&ex->mu);
	ex->ready[k] = true;
	pthread_cond_signal(&ex->cv);
	pthread_mutex_unlock(&ex->mu);
}

static void *extract_worker(void *arg)
{
	struct extractor *ex = arg;
	for (size_t k = 0; k < ex->n; k++) {
		pthread_mutex_lock(&ex->mu);
		while (!ex->ready[k] && !ex->stop)
			pthread_cond_wait(&ex->cv, &ex->mu);
		bool go = ex->ready[k];
		pthread_mutex_unlock(&ex->mu);
		if (!go)
			break;
		prog_bar(ex->pg, k, "Extracting", 0, 0, true); /* tty only, as Docker */
		if (layer_ensure(ex->st, k ? ex->ls[k - 1].chain_id : "", &ex->ls[k], &ex->err) < 0) {
			ex->rc = -1;
			break;
		}
		prog_status(ex->pg, k, "Pull complete");
		ex->done = k + 1;
	}
	return NULL;
}

static int pull_one(struct store *st, struct reg_client *c, struct ref *r, const struct reg_opts *o, struct progress *pg,
		    char **id_out, berr *err)
{
	_cleanup_free_ char *name = ref_name(r);
	_cleanup_free_ char *full = ref_string(r);
	_cleanup_free_ char *fam = ref_familiar_string(r);
	const char *reference = r->digest ? r->digest : r->tag;
	_cleanup_free_ char *body = NULL, *mt = NULL, *rd = NULL;
	size_t len;
	char top[DIGEST_STR_LEN + 1], mdg[DIGEST_STR_LEN + 1];
	if (fetch_manifest(c, name, reference, &body, &len, &mt, top, err) < 0)
		return -1;
	prog_line(pg, "%s: Pulling from %s", reference, c->repo);
	memcpy(mdg, top, sizeof mdg);
	json_error_t je;
	json_t *man = json_loadb(body, len, 0, &je);
	if (!strcmp(mt, MT_OCI_INDEX) || !strcmp(mt, MT_DOCKER_LIST)) {
		json_t *pick = pick_platform(man, o->platform, err);
		const char *d = pick ? json_string_value(json_object_get(pick, "digest")) : NULL;
		if (!pick || !d || !digest_valid(d)) {
			json_decref(man);
			if (pick)
				berr_set(err, EINVAL, "invalid manifest list entry");
			err->status = 1;
			return -1;
		}
		_cleanup_free_ char *dd = xstrdup(d);
		json_decref(man);
		free(body);
		free(mt);
		body = mt = NULL;
		if (fetch_manifest(c, name, dd, &body, &len, &mt, mdg, err) < 0)
			return -1;
		man = json_loadb(body, len, 0, &je);
		if (!strcmp(mt, MT_OCI_INDEX) || !strcmp(mt, MT_DOCKER_LIST)) {
			json_decref(man);
			berr_set(err, EINVAL, "nested manifest lists are not supported");
			err->status = 1;
			return -1;
		}
	}
	const char *cdg = json_string_value(json_object_get(json_object_get(man, "config"), "digest"));
	json_t *layers = json_object_get(man, "layers");
	if (!cdg || !digest_valid(cdg) || !json_is_array(layers)) {
		json_decref(man);
		berr_set(err, EINVAL, "invalid manifest %s: no config or layers", mdg);
		err->status = 1;
		return -1;
	}
	_cleanup_free_ char *cfg = NULL;
	size_t cfglen;
	if (fetch_config(c, st, cdg, &cfg, &cfglen, err) < 0) {
		json_decref(man);
		return -1;
	}
	json_t *cj = json_loadb(cfg, cfglen, 0, &je);
	json_t *dids = json_object_get(json_object_get(cj, "rootfs"), "diff_ids");
	size_t nl = json_array_size(layers);
	if (!cj || json_array_size(dids) != nl) {
		json_decref(cj);
		json_decref(man);
		berr_set(err, EINVAL, "image config %s: %zu diff_ids for %zu layers", cdg, json_array_size(dids), nl);
		err->status = 1;
		return -1;
	}
	_cleanup_close_ int lk = -1;
	if (istore_lock(st, false, &lk, err) < 0) {
		json_decref(cj);
		json_decref(man);
		return -1;
	}
	int ret = -1;
	struct img_layer *ls = xcalloc(nl ? nl : 1, sizeof *ls);
	char id[DIGEST_STR_LEN + 1];
	if (!have_image(st, cdg)) {
		struct dl_layer *dl = xcalloc(nl ? nl : 1, sizeof *dl);
		for (size_t k = 0; k < nl; k++) {
			json_t *ld = json_array_get(layers, k);
			const char *ldg = json_string_value(json_object_get(ld, "digest"));
			const char *lmt = json_string_value(json_object_get(ld, "mediaType"));
			const char *did = json_string_value(json_array_get(dids, k));
			json_t *urls = json_object_get(ld, "urls");
			if (!ldg || !digest_valid(ldg) || !did || !digest_valid(did)) {
				berr_set(err, EINVAL, "manifest %s: invalid layer %zu", mdg, k);
				err->status = 1;
				free(dl);
				goto out;
			}
			if (json_array_size(urls) && !blob_exists(st, ldg)) {
				berr_set(err, ENOTSUP, "layer %s: foreign layers (urls) are not supported", ldg);
				err->status = 1;
				free(dl);
				goto out;
			}
			snprintf(ls[k].blob, sizeof ls[k].blob, "%s", ldg);
			snprintf(ls[k].media_type, sizeof ls[k].media_type, "%s", lmt ? lmt : MT_OCI_LAYER);
			snprintf(ls[k].diff_id, sizeof ls[k].diff_id, "%s", did);
			ls[k].blob_size = (uint64_t)json_integer_value(json_object_get(ld, "size"));
			snprintf(dl[k].digest, sizeof dl[k].digest, "%s", ldg);
			dl[k].size = ls[k].blob_size;
		}
		struct extractor ex = { .st = st, .ls = ls, .n = nl, .pg = pg };
		ex.ready = xcalloc(nl ? nl : 1, sizeof *ex.ready);
		pthread_mutex_init(&ex.mu, NULL);
		pthread_cond_init(&ex.cv, NULL);
		pthread_t th;
		bool threaded = pthread_create(&th, NULL, extract_worker, &ex) == 0;
		int r2 = download_layers(st, c, dl, nl, pg, mark_ready, &ex, err);
		free(dl);
		pthread_mutex_lock(&ex.mu);
		ex.stop = r2 < 0;
		pthread_cond_signal(&ex.cv);
		pthread_mutex_unlock(&ex.mu);
		if (threaded)
			pthread_join(th, NULL);
		else if (r2 == 0)
			extract_worker(&ex);
		pthread_mutex_destroy(&ex.mu);
		pthread_cond_destroy(&ex.cv);
		free(ex.ready);
		if (r2 < 0)
			goto out;
		if (ex.rc < 0 || ex.done < nl) {
			*err = ex.err;
			berr_wrap(err, "failed to register layer");
			err->status = 1;
			goto out;
		}
		for (size_t k = 0; k < nl; k++)
			blob_source_add(st, ls[k].blob, c->host, c->repo);
		struct img_new in = { .config = cfg, .config_len = cfglen, .manifest = body, .manifest_len = len,
				      .manifest_media_type = mt, .layers = ls, .nlayers = nl };
		if (img_commit(st, &in, id, err) < 0)
			goto out;
	} else
		snprintf(id, sizeof id, "%s", cdg);
	bool changed = true;
	if (!r->digest) {
		_cleanup_free_ char *old = NULL, *cur = NULL;
		berr e;
		if (img_lookup(st, full, &cur, NULL, &e) == 0 && !strcmp(cur, id))
			changed = false;
		if (img_tag(st, full, id, &old, err) < 0)
			goto out;
	} else {
		_cleanup_free_ char *cur = NULL;
		berr e;
		if (img_lookup(st, full, &cur, NULL, &e) == 0 && !strcmp(cur, id))
			changed = false;
	}
	rd = xasprintf("%s@%s", name, top);
	if (img_set_repo_digest(st, rd, id, err) < 0)
		goto out;
	prog_line(pg, "Digest: %s", top);
	prog_line(pg, "Status: %s for %s", changed ? "Downloaded newer image" : "Image is up to date", fam);
	if (id_out)
		*id_out = xstrdup(id);
	ret = 0;
out:
	free(ls);
	json_decref(cj);
	json_decref(man);
	return ret;
}

static int list_tags(struct reg_client *c, struct strvec *tags, berr *err)
{
	_cleanup_free_ char *path = xasprintf("/v2/%s/tags/list", c->repo);
	struct reg_resp r;
	if (reg_do(c, "GET", path, NULL, NULL, &r, err) < 0)
		return -1;
	if (r.status != 200) {
		int rc = reg_fail(c, &r, err, NULL);
		reg_resp_release(&r);
		return rc;
	}
	json_error_t je;
	json_t *j = json_loadb(r.body.buf ? r.body.buf : "", r.body.len, 0, &je);
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(j, "tags"), i, t) if (json_is_string(t)) sv_push(tags, json_string_value(t));
	json_decref(j);
	reg_resp_release(&r);
	return 0;
}

int registry_pull(struct store *st, const char *refstr, const struct reg_opts *o, char **id_out, berr *err)
{
	struct reg_opts dflt = REG_OPTS_INIT;
	if (!o)
		o = &dflt;
	FILE *out = o->out ? o->out : stdout;
	struct ref r;
	if (o->all_tags) {
		if (ref_parse(refstr, &r, err) < 0) {
			err->status = 1;
			return -1;
		}
		if (r.tag || r.digest) {
			ref_free(&r);
			berr_set(err, EINVAL, "tag can't be used with --all-tags/-a");
			err->status = 1;
			return -1;
		}
	} else if (ref_parse_tagged(refstr, &r, err) < 0) {
		err->status = 1;
		return -1;
	}
	if (r.digest && r.tag) { /* name:tag@digest: the digest wins (as Docker) */
		free(r.tag);
		r.tag = NULL;
	}
	struct reg_client *c;
	if (reg_client_open(&c, r.domain, r.path, "pull", o, err) < 0) {
		ref_free(&r);
		err->status = 1;
		return -1;
	}
	struct progress pg;
	prog_init(&pg, out, o->quiet);
	int ret;
	if (o->all_tags) {
		_cleanup_strvec_ struct strvec tags = STRVEC_INIT;
		ret = list_tags(c, &tags, err);
		for (size_t i = 0; ret == 0 && i < tags.n; i++) {
			free(r.tag);
			r.tag = xstrdup(tags.v[i]);
			ret = pull_one(st, c, &r, o, &pg, NULL, err);
		}
		if (ret == 0) {
			_cleanup_free_ char *n = ref_name(&r);
			fprintf(out, "%s\n", n);
		}
	} else {
		ret = pull_one(st, c, &r, o, &pg, id_out, err);
		if (ret == 0) {
			_cleanup_free_ char *s = ref_string(&r);
			fprintf(out, "%s\n", s);
		}
	}
	fflush(out);
	prog_release(&pg);
	reg_client_free(c);
	ref_free(&r);
	if (ret < 0 && !err->status)
		err->status = 1;
	return ret;
}
