/* push.c: `berth push`: upload an image's layer and config blobs (skipping those the registry
 * has, mounting those known to be in another repository of the same registry, uploading the
 * rest monolithically or in chunks) and PUT the manifest last. Prints Docker's lines
 * ("The push refers to repository [...]", "<id>: Preparing", "Pushed", "Layer already
 * exists", "Mounted from x", "<tag>: digest: sha256:... size: N"). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "image/istore.h"
#include "image/ref.h"
#include "image/repodigest.h"
#include "registry/client.h"
#include "registry/progress.h"
#include "registry/sources.h"
#include "store/blob.h"
#include "util/cleanup.h"

static off_t chunk_size(void)
{
	const char *e = getenv("BERTH_PUSH_CHUNK_SIZE"); /* bytes; larger blobs go in PATCH chunks */
	long long n = e ? atoll(e) : 0;
	return n > 0 ? (off_t)n : (off_t)64 << 20;
}

/* Append ?k=v or &k=v to a location. */
static char *with_query(const char *loc, const char *kv)
{
	return xasprintf("%s%c%s", loc, strchr(loc, '?') ? '&' : '?', kv);
}

static int head_blob(struct reg_client *c, const char *digest, bool *exists, berr *err)
{
	_cleanup_free_ char *path = xasprintf("/v2/%s/blobs/%s", c->repo, digest);
	struct reg_resp r;
	if (reg_do(c, "HEAD", path, NULL, NULL, &r, err) < 0)
		return -1;
	*exists = r.status == 200;
	int rc = 0;
	if (r.status != 200 && r.status != 404)
		rc = reg_fail(c, &r, err, NULL);
	reg_resp_release(&r);
	return rc;
}

/* Start an upload, or mount from `from`: returns 1 if mounted, 0 with *loc set, -1 on error. */
static int start_upload(struct reg_client *c, const char *digest, const char *from, char **loc, berr *err)
{
	_cleanup_free_ char *path = NULL;
	if (from) {
		char *ed = curl_easy_escape(NULL, digest, 0), *ef = curl_easy_escape(NULL, from, 0);
		path = xasprintf("/v2/%s/blobs/uploads/?mount=%s&from=%s", c->repo, ed, ef);
		curl_free(ed);
		curl_free(ef);
	} else
		path = xasprintf("/v2/%s/blobs/uploads/", c->repo);
	struct reg_resp r;
	struct reg_body b = { .buf = "", .len = 0, .fd = -1 };
	if (reg_do(c, "POST", path, NULL, &b, &r, err) < 0)
		return -1;
	int rc;
	if (from && r.status == 201)
		rc = 1;
	else if (r.status == 202 && r.location) {
		*loc = reg_url(c, r.location);
		rc = 0;
	} else
		rc = reg_fail(c, &r, err, NULL);
	reg_resp_release(&r);
	return rc;
}

/* Where upload progress goes (a tty bar; nothing on a pipe, as Docker). */
struct up_prog {
	struct progress *pg;
	size_t line;
	uint64_t base, total;
};

static void up_progress(void *ud, uint64_t sent)
{
	struct up_prog *u = ud;
	if (u->pg)
		prog_bar(u->pg, u->line, "Pushing", u->base + sent, u->total, false);
}

static int upload_blob(struct reg_client *c, struct store *st, const char *digest, const char *loc0, struct up_prog *up, berr *err)
{
	_cleanup_close_ int fd = blob_open(st, digest, err);
	if (fd < 0)
		return -1;
	struct stat s;
	if (fstat(fd, &s) < 0)
		return berr_sys(err, "stat blob %s", digest);
	off_t chunk = chunk_size(), off = 0;
	_cleanup_free_ char *loc = xstrdup(loc0);
	_cleanup_free_ char *dq = xasprintf("digest=%s", digest);
	up->total = (uint64_t)s.st_size;
	struct reg_resp r;
	if (s.st_size > chunk) {
		while (off < s.st_size) {
			off_t n = s.st_size - off < chunk ? s.st_size - off : chunk;
			_cleanup_free_ char *cr = xasprintf("Content-Range: %lld-%lld", (long long)off, (long long)(off + n - 1));
			struct curl_slist *h = curl_slist_append(NULL, cr);
			up->base = (uint64_t)off;
			struct reg_body b = { .fd = fd, .off = off, .flen = n, .content_type = "application/octet-stream",
					      .progress = up_progress, .ud = up };
			int rc = reg_do(c, "PATCH", loc, h, &b, &r, err);
			curl_slist_free_all(h);
			if (rc < 0)
				return -1;
			if (r.status != 202 || !r.location) {
				rc = reg_fail(c, &r, err, NULL);
				reg_resp_release(&r);
				return rc;
			}
			free(loc);
			loc = reg_url(c, r.location);
			reg_resp_release(&r);
			off += n;
		}
		_cleanup_free_ char *url = with_query(loc, dq);
		struct reg_body b = { .buf = "", .len = 0, .fd = -1, .content_type = "application/octet-stream" };
		if (reg_do(c, "PUT", url, NULL, &b, &r, err) < 0)
			return -1;
	} else {
		_cleanup_free_ char *url = with_query(loc, dq);
		struct reg_body b = { .fd = fd, .off = 0, .flen = s.st_size, .content_type = "application/octet-stream",
				      .progress = up_progress, .ud = up };
		if (reg_do(c, "PUT", url, NULL, &b, &r, err) < 0)
			return -1;
	}
	int rc = 0;
	if (r.status != 201)
		rc = reg_fail(c, &r, err, NULL);
	reg_resp_release(&r);
	return rc;
}

/* Make sure the registry has the blob. *how: "Layer already exists", "Mounted from x", "Pushed". */
static int push_blob(struct reg_client *c, struct store *st, const char *digest, const struct strvec *fromv, struct up_prog *up,
		     char **how, berr *err)
{
	bool exists;
	if (head_blob(c, digest, &exists, err) < 0)
		return -1;
	if (exists) {
		*how = xstrdup("Layer already exists");
		return 0;
	}
	const struct strvec from = *fromv;
	_cleanup_free_ char *loc = NULL;
	for (size_t i = 0; i < from.n && !loc; i++) {
		int rc = start_upload(c, digest, from.v[i], &loc, err);
		if (rc < 0)
			return -1;
		if (rc == 1) {
			*how = xasprintf("Mounted from %s", from.v[i]);
			return 0;
		}
	}
	if (!loc && start_upload(c, digest, NULL, &loc, err) < 0)
		return -1;
	if (upload_blob(c, st, digest, loc, up, err) < 0)
		return -1;
	*how = xstrdup("Pushed");
	return 0;
}

/* ---- layers in parallel (Docker's max-concurrent-uploads: 5) ---- */
struct push_job {
	struct reg_client *c;
	struct store *st;
	struct progress *pg;
	size_t line;
	bool dup;                      /* same blob as an earlier job: reported, not pushed twice */
	char digest[DIGEST_STR_LEN + 1];
	struct strvec from;            /* repositories to try mounting from */
	char *how;
	berr err;
	int rc;
};

struct push_pool {
	struct push_job *jobs;
	size_t n, next;
	bool failed;
	pthread_mutex_t mu;
};

static pthread_mutex_t prog_mu = PTHREAD_MUTEX_INITIALIZER;

static void *push_worker(void *arg)
{
	struct push_pool *pool = arg;
	struct reg_client *c = NULL;
	for (;;) {
		pthread_mutex_lock(&pool->mu);
		size_t i = pool->next < pool->n && !pool->failed ? pool->next++ : pool->n;
		pthread_mutex_unlock(&pool->mu);
		if (i >= pool->n)
			break;
		struct push_job *jb = &pool->jobs[i];
		if (jb->dup)
			continue;
		if (!c)
			c = reg_client_clone(jb->c);
		pthread_mutex_lock(&prog_mu);
		prog_bar(jb->pg, jb->line, "Pushing", 0, 0, true); /* tty only, as Docker */
		pthread_mutex_unlock(&prog_mu);
		struct up_prog up = { .pg = jb->pg, .line = jb->line };
		jb->rc = push_blob(c, jb->st, jb->digest, &jb->from, &up, &jb->how, &jb->err);
		pthread_mutex_lock(&prog_mu);
		if (jb->rc == 0)
			prog_status(jb->pg, jb->line, jb->how);
		pthread_mutex_unlock(&prog_mu);
		if (jb->rc < 0) {
			pthread_mutex_lock(&pool->mu);
			pool->failed = true;
			pthread_mutex_unlock(&pool->mu);
		}
	}
	reg_client_free(c);
	return NULL;
}

static int run_jobs(struct push_job *jobs, size_t n, berr *err)
{
	const char *e = getenv("BERTH_MAX_CONCURRENT_UPLOADS");
	int par = e && atoi(e) > 0 ? atoi(e) : 5;
	if ((size_t)par > n)
		par = (int)n;
	struct push_pool pool = { .jobs = jobs, .n = n };
	pthread_mutex_init(&pool.mu, NULL);
	pthread_t th[64];
	int started = 0;
	for (int i = 0; i < par && i < 64; i++)
		if (pthread_create(&th[started], NULL, push_worker, &pool) == 0)
			started++;
	if (!started && n)
		push_worker(&pool);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&pool.mu);
	int ret = 0;
	for (size_t j = 0; j < n; j++) {
		if (jobs[j].rc < 0 && ret == 0) {
			*err = jobs[j].err;
			ret = -1;
		}
		if (jobs[j].dup && ret == 0) /* its twin's result */
			for (size_t k = 0; k < j; k++)
				if (!strcmp(jobs[k].digest, jobs[j].digest) && jobs[k].how) {
					prog_status(jobs[j].pg, jobs[j].line, jobs[k].how);
					break;
				}
	}
	for (size_t j = 0; j < n; j++)
		free(jobs[j].how);
	return ret;
}

static int push_one(struct store *st, struct reg_client *c, struct ref *r, const char *local, struct progress *pg, FILE *out,
		    berr *err)
{
	_cleanup_free_ char *id = NULL, *name = ref_name(r);
	if (img_lookup(st, local, &id, NULL, err) < 0) {
		_cleanup_free_ char *fam = ref_familiar_name(r);
		berr_set(err, ENOENT, "An image does not exist locally with the tag: %s", fam);
		return -1;
	}
	struct img_info in;
	if (img_get(st, id, &in, err) < 0)
		return -1;
	int ret = -1;
	_cleanup_free_ char *man = NULL, *rd = NULL;
	size_t manlen;
	json_t *mj = NULL;
	if (blob_read(st, in.manifest_digest, &man, &manlen, err) < 0)
		goto out;
	json_error_t je;
	mj = json_loadb(man, manlen, 0, &je);
	json_t *layers = json_object_get(mj, "layers");
	const char *cdg = json_string_value(json_object_get(json_object_get(mj, "config"), "digest"));
	if (!mj || !cdg || json_array_size(layers) != in.nlayers) {
		berr_set(err, EINVAL, "image %s: stored manifest %s does not describe its layers", id, in.manifest_digest);
		goto out;
	}
	/* Docker lists the top layer first, named by its diff ID */
	size_t *line = xcalloc(in.nlayers + 1, sizeof *line);
	for (size_t k = in.nlayers; k-- > 0;) {
		char sid[13];
		snprintf(sid, sizeof sid, "%s", digest_hex(in.layers[k].diff_id));
		line[k] = prog_add(pg, sid);
		prog_status(pg, line[k], "Preparing");
	}
	struct push_job *jobs = xcalloc(in.nlayers + 1, sizeof *jobs);
	size_t nj = 0;
	for (size_t k = in.nlayers; k-- > 0;) { /* top first, as Docker */
		const char *ldg = json_string_value(json_object_get(json_array_get(layers, k), "digest"));
		if (!ldg || !digest_valid(ldg)) {
			berr_set(err, EINVAL, "invalid layer %zu in the stored manifest", k);
			free(line);
			free(jobs);
			goto out;
		}
		bool dup = false;
		for (size_t j = 0; j < nj; j++)
			dup = dup || !strcmp(jobs[j].digest, ldg);
		struct push_job *jb = &jobs[nj++];
		jb->c = c;
		jb->st = st;
		jb->pg = pg;
		jb->line = line[k];
		jb->dup = dup;
		snprintf(jb->digest, sizeof jb->digest, "%s", ldg);
		blob_sources(st, ldg, c->host, c->repo, &jb->from);
	}
	free(line);
	int prc = run_jobs(jobs, nj, err);
	for (size_t j = 0; j < nj; j++) {
		if (prc == 0)
			blob_source_add(st, jobs[j].digest, c->host, c->repo);
		sv_clear(&jobs[j].from);
	}
	free(jobs);
	if (prc < 0)
		goto out;
	char *how = NULL;
	struct strvec none = STRVEC_INIT;
	struct up_prog noprog = { 0 };
	if (push_blob(c, st, cdg, &none, &noprog, &how, err) < 0)
		goto out;
	free(how);
	{
		const char *mt = json_string_value(json_object_get(mj, "mediaType"));
		if (!mt)
			mt = in.manifest_media_type;
		_cleanup_free_ char *path = xasprintf("/v2/%s/manifests/%s", c->repo, r->tag ? r->tag : in.manifest_digest);
		struct reg_body b = { .buf = man, .len = manlen, .fd = -1, .content_type = mt };
		struct reg_resp rr;
		if (reg_do(c, "PUT", path, NULL, &b, &rr, err) < 0)
			goto out;
		if (rr.status != 201) {
			reg_fail(c, &rr, err, NULL);
			reg_resp_release(&rr);
			goto out;
		}
		reg_resp_release(&rr);
	}
	rd = xasprintf("%s@%s", name, in.manifest_digest);
	berr e2;
	img_set_repo_digest(st, rd, id, &e2);
	prog_line(pg, "%s: digest: %s size: %zu", r->tag ? r->tag : in.manifest_digest, in.manifest_digest, manlen);
	(void)out;
	ret = 0;
out:
	json_decref(mj);
	img_info_release(&in);
	return ret;
}

/* Every tag of name (full "host/repo") in the store, sorted. */
static int local_tags(struct store *st, const char *name, struct strvec *tags, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "SELECT name FROM image_tags WHERE substr(name, 1, ?) = ? ORDER BY name", err) < 0)
		return -1;
	_cleanup_free_ char *prefix = xasprintf("%s:", name);
	sqlite3_bind_int(s, 1, (int)strlen(prefix));
	sqlite3_bind_text(s, 2, prefix, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0) + strlen(prefix);
		if (!strchr(t, '/'))
			sv_push(tags, t);
	}
	return 0;
}

int registry_push(struct store *st, const char *refstr, const struct reg_opts *o, berr *err)
{
	struct reg_opts dflt = REG_OPTS_INIT;
	if (!o)
		o = &dflt;
	FILE *out = o->out ? o->out : stdout;
	struct ref r;
	int rc = o->all_tags ? ref_parse(refstr, &r, err) : ref_parse_tagged(refstr, &r, err);
	if (rc < 0) {
		err->status = 1;
		return -1;
	}
	if (o->all_tags && (r.tag || r.digest)) {
		ref_free(&r);
		berr_set(err, EINVAL, "tag can't be used with --all-tags/-a");
		err->status = 1;
		return -1;
	}
	_cleanup_free_ char *name = ref_name(&r);
	_cleanup_strvec_ struct strvec tags = STRVEC_INIT;
	if (o->all_tags) {
		if (local_tags(st, name, &tags, err) < 0 || tags.n == 0) {
			if (!tags.n) {
				_cleanup_free_ char *fam = ref_familiar_name(&r);
				berr_set(err, ENOENT, "An image does not exist locally with the tag: %s", fam);
			}
			ref_free(&r);
			err->status = 1;
			return -1;
		}
	} else {
		/* the local image first: Docker checks it before contacting the registry */
		_cleanup_free_ char *id = NULL;
		if (img_lookup(st, refstr, &id, NULL, err) < 0) {
			_cleanup_free_ char *fam = ref_familiar_name(&r);
			berr_set(err, ENOENT, "An image does not exist locally with the tag: %s", fam);
			ref_free(&r);
			err->status = 1;
			return -1;
		}
	}
	struct progress pg;
	prog_init(&pg, out, o->quiet);
	prog_line(&pg, "The push refers to repository [%s]", name);
	struct reg_client *c;
	if (reg_client_open(&c, r.domain, r.path, "pull,push", o, err) < 0) {
		prog_release(&pg);
		ref_free(&r);
		err->status = 1;
		return -1;
	}
	int ret = 0;
	if (o->all_tags) {
		for (size_t i = 0; ret == 0 && i < tags.n; i++) {
			free(r.tag);
			r.tag = xstrdup(tags.v[i]);
			_cleanup_free_ char *local = ref_string(&r);
			ret = push_one(st, c, &r, local, &pg, out, err);
		}
	} else {
		if (r.digest && r.tag) {
			free(r.tag);
			r.tag = NULL;
		}
		ret = push_one(st, c, &r, refstr, &pg, out, err);
	}
	prog_release(&pg);
	reg_client_free(c);
	ref_free(&r);
	if (ret < 0)
		err->status = 1;
	return ret;
}
