/* download.c: parallel, resumable, verified blob downloads (curl multi); see pull_internal.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "registry/pull_internal.h"
#include "store/blob.h"
#include "store/blob_adopt.h"
#include "util/cleanup.h"
#include "util/fs.h"

struct dl {
	struct dl_layer *l;
	size_t idx;            /* progress line */
	int fd;
	char *path;
	struct digester *d;
	uint64_t have;
	bool first, overflow, restarted, reauthed;
	int retries;
	long status;
	struct strbuf errbody;
	CURL *h;
	struct curl_slist *hdrs;
	struct progress *pg;
	struct reg_client *c;
	int state;             /* 0 queued, 1 running, 2 done */
};

static int open_partial(struct store *st, struct dl *x, berr *err)
{
	x->path = xasprintf("%s/tmp/pull-%s.partial", st->root, digest_hex(x->l->digest));
	x->fd = open(x->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (x->fd < 0)
		return berr_sys(err, "open %s", x->path);
	if (flock(x->fd, LOCK_EX | LOCK_NB) < 0) {
		/* another berth is downloading the same blob: download our own copy */
		close(x->fd);
		free(x->path);
		x->path = NULL;
		if (store_tmp_create(st, "pull", false, &x->fd, &x->path, err) < 0)
			return -1;
	}
	struct stat s;
	if (fstat(x->fd, &s) < 0)
		return berr_sys(err, "stat %s", x->path);
	x->have = (uint64_t)s.st_size;
	if (x->l->size && x->have > x->l->size) {
		if (ftruncate(x->fd, 0) < 0)
			return berr_sys(err, "truncate %s", x->path);
		x->have = 0;
	}
	x->d = digester_new();
	if (x->have) { /* hash what an interrupted pull left */
		_cleanup_free_ char *buf = xmalloc(1 << 20);
		uint64_t off = 0;
		while (off < x->have) {
			ssize_t n = pread(x->fd, buf, 1 << 20, (off_t)off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			digester_update(x->d, buf, (size_t)n);
			off += (uint64_t)n;
		}
		x->have = off;
	}
	return 0;
}

static void restart_from_zero(struct dl *x)
{
	if (ftruncate(x->fd, 0) < 0) { /* best effort: pwrite from 0 overwrites anyway */
	}
	digester_free(x->d);
	x->d = digester_new();
	x->have = 0;
}

static size_t on_write(char *buf, size_t sz, size_t n, void *ud)
{
	struct dl *x = ud;
	size_t len = sz * n;
	if (x->first) {
		x->first = false;
		curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &x->status);
		if (x->status == 200 && x->have)
			restart_from_zero(x); /* the server ignored our Range */
	}
	if (x->status != 200 && x->status != 206) {
		if (x->errbody.len < 65536)
			sb_add(&x->errbody, buf, len);
		return len;
	}
	if (x->l->size && x->have + len > x->l->size) {
		x->overflow = true;
		return 0;
	}
	size_t off = 0;
	while (off < len) {
		ssize_t w = pwrite(x->fd, buf + off, len - off, (off_t)(x->have + off));
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return 0;
		off += (size_t)w;
	}
	digester_update(x->d, buf, len);
	x->have += len;
	return len;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct dl *x = ud;
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	prog_bar(x->pg, x->idx, "Downloading", x->have, x->l->size, false);
	return 0;
}

static CURL *start(struct dl *x)
{
	CURL *h = curl_easy_init();
	_cleanup_free_ char *path = xasprintf("/v2/%s/blobs/%s", x->c->repo, x->l->digest);
	_cleanup_free_ char *url = reg_url(x->c, path);
	x->hdrs = NULL;
	reg_setup_easy(x->c, h, &x->hdrs);
	if (x->have) {
		_cleanup_free_ char *range = xasprintf("Range: bytes=%llu-", (unsigned long long)x->have);
		x->hdrs = curl_slist_append(x->hdrs, range);
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(h, CURLOPT_PRIVATE, x);
	x->first = true;
	x->status = 0;
	x->overflow = false;
	sb_reset(&x->errbody);
	x->h = h;
	return h;
}

static void stop(CURLM *m, struct dl *x)
{
	if (x->h) {
		curl_multi_remove_handle(m, x->h);
		curl_easy_cleanup(x->h);
		x->h = NULL;
	}
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
}

static void release(struct dl *x)
{
	if (x->fd >= 0)
		close(x->fd); /* drops the flock: a later pull resumes from what is there */
	x->fd = -1;
	if (x->d)
		digester_free(x->d);
	x->d = NULL;
	free(x->path);
	x->path = NULL;
	sb_release(&x->errbody);
}

/* Verify a complete download and move it into the store. */
static int finish(struct store *st, struct dl *x, berr *err)
{
	char got[DIGEST_STR_LEN + 1];
	prog_status(x->pg, x->idx, "Verifying Checksum");
	digester_finish(x->d, got);
	x->d = NULL;
	if (strcmp(got, x->l->digest) || (x->l->size && x->have != x->l->size)) {
		unlink(x->path); /* bad bytes: never resume from them */
		berr_set(err, EINVAL, "filesystem layer verification failed for digest %s", x->l->digest);
		err->status = 1;
		return -1;
	}
	if (blob_adopt(st, x->fd, x->path, x->l->digest, err) < 0)
		return -1;
	prog_status(x->pg, x->idx, "Download complete");
	return 0;
}

static int max_parallel(void)
{
	const char *e = getenv("BERTH_MAX_CONCURRENT_DOWNLOADS");
	int n = e ? atoi(e) : 3;
	return n > 0 ? n : 3;
}

int download_layers(struct store *st, struct reg_client *c, struct dl_layer *l, size_t n, struct progress *pg,
		    void (*ready)(void *ud, size_t k), void *ud, berr *err)
{
	struct dl *xs = xcalloc(n ? n : 1, sizeof *xs);
	size_t queued = 0;
	int ret = 0;
	for (size_t k = 0; k < n; k++) {
		char sid[13];
		snprintf(sid, sizeof sid, "%s", digest_hex(l[k].digest));
		xs[k].idx = prog_add(pg, sid);
		xs[k].fd = -1;
		xs[k].l = &l[k];
		xs[k].pg = pg;
		xs[k].c = c;
		xs[k].state = 2;
		bool dup = false;
		for (size_t j = 0; j < k; j++)
			dup = dup || !strcmp(l[j].digest, l[k].digest);
		if (dup || blob_exists(st, l[k].digest)) {
			prog_status(pg, xs[k].idx, "Already exists");
			ready(ud, k); /* a twin is extracted first: extraction goes in order */
			continue;
		}
		prog_status(pg, xs[k].idx, "Pulling fs layer");
		xs[k].state = 0;
		queued++;
	}
	CURLM *m = curl_multi_init();
	int par = max_parallel(), running = 0;
	size_t next = 0, waiting_shown = 0;
	for (size_t k = 0; k < n && queued; k++) /* Docker: "Waiting" for those beyond the limit */
		if (xs[k].state == 0 && ++waiting_shown > (size_t)par)
			prog_status(pg, xs[k].idx, "Waiting");
	while (ret == 0) {
		/* start queued transfers up to the limit */
		while (running < par && next < n) {
			struct dl *x = &xs[next++];
			if (x->state != 0)
				continue;
			if (open_partial(st, x, err) < 0) {
				err->status = 1;
				ret = -1;
				break;
			}
			if (x->l->size && x->have == x->l->size) { /* finished before the interruption */
				x->state = 2;
				if (finish(st, x, err) == 0) {
					release(x);
					ready(ud, (size_t)(x - xs));
					continue;
				}
				/* it did not verify: download it again */
				berr_clear(err);
				err->status = 0;
				release(x);
				if (open_partial(st, x, err) < 0) {
					ret = -1;
					break;
				}
				restart_from_zero(x);
			}
			x->state = 1;
			curl_multi_add_handle(m, start(x));
			running++;
		}
		if (ret < 0 || running == 0)
			break;
		int still;
		curl_multi_perform(m, &still);
		CURLMsg *msg;
		int left;
		while (ret == 0 && (msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			struct dl *x;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			CURLcode cc = msg->data.result;
			if (!x->status)
				curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &x->status);
			stop(m, x);
			running--;
			if (x->status == 416 && x->have && !x->restarted) { /* our partial is past the end: start over */
				x->restarted = true;
				restart_from_zero(x);
				curl_multi_add_handle(m, start(x));
				running++;
				continue;
			}
			if (x->status == 401 && !x->reauthed) { /* a Bearer token expired mid-pull: renew, resume */
				berr e2;
				x->reauthed = true;
				if (reg_refresh_token(c, &e2) == 0) {
					curl_multi_add_handle(m, start(x));
					running++;
					continue;
				}
			}
			if (cc != CURLE_OK && !x->overflow && x->retries < 3 &&
			    (cc == CURLE_RECV_ERROR || cc == CURLE_PARTIAL_FILE || cc == CURLE_GOT_NOTHING || cc == CURLE_SEND_ERROR ||
			     cc == CURLE_OPERATION_TIMEDOUT || cc == CURLE_COULDNT_CONNECT || cc == CURLE_HTTP2_STREAM)) {
				/* a dropped connection: resume from what arrived (Docker retries too) */
				x->retries++;
				prog_status(pg, x->idx, "Retrying");
				usleep(200000u * (unsigned)x->retries);
				curl_multi_add_handle(m, start(x));
				running++;
				continue;
			}
			x->state = 2;
			if (x->overflow) {
				unlink(x->path);
				ret = berr_set(err, EINVAL, "filesystem layer verification failed for digest %s", x->l->digest);
			} else if (cc != CURLE_OK) {
				ret = berr_set(err, EIO, "Get \"%s/v2/%s/blobs/%s\": %s", c->base, c->repo, x->l->digest, curl_easy_strerror(cc));
			} else if (x->status != 200 && x->status != 206) {
				struct reg_resp r = { .status = x->status };
				r.body = x->errbody;
				x->errbody = (struct strbuf)STRBUF_INIT;
				reg_fail(c, &r, err, NULL);
				reg_resp_release(&r);
				ret = -1;
			} else if (finish(st, x, err) < 0) {
				ret = -1;
			} else
				ready(ud, (size_t)(x - xs));
			release(x);
		}
		if (ret == 0 && running)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	for (size_t k = 0; k < n; k++) {
		stop(m, &xs[k]);
		release(&xs[k]);
	}
	curl_multi_cleanup(m);
	free(xs);
	if (ret < 0)
		err->status = 1;
	return ret;
}
