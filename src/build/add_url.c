/* add_url.c: ADD from http(s) URLs (see build/add_url.h). */
#include "util/lazy_curl.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "build/add_url.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strbuf.h"

static bool is_git(const char *s);

bool burl_is_url(const char *s)
{
	return (!strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8)) && !is_git(s);
}

static bool is_git(const char *s)
{
	if (!strncmp(s, "git@", 4) || !strncmp(s, "git://", 6) || !strncmp(s, "ssh://", 6) || !strncmp(s, "git+", 4))
		return true;
	if (!strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8)) {
		/* BuildKit: an http(s) URL whose path ends in .git (before a #ref) is a repository */
		size_t l = strcspn(s, "#?");
		return l >= 4 && !strncmp(s + l - 4, ".git", 4);
	}
	return false;
}

bool burl_is_remote(const char *s)
{
	return is_git(s) || strstr(s, "://") != NULL;
}

static char *url_name(const char *url)
{
	char *out = NULL;
	berr e = { 0 };
	if (lazylib_load_curl(&e) < 0) /* (the download reports the error) */
		return xstrdup("__unnamed__");
	CURLU *u = curl_url();
	char *path = NULL;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE) == CURLUE_OK && path) {
		size_t l = strlen(path);
		while (l > 0 && path[l - 1] == '/')
			l--;
		size_t b = l;
		while (b > 0 && path[b - 1] != '/')
			b--;
		if (l > b && !(l - b == 1 && path[b] == '.'))
			out = xstrndup(path + b, l - b);
	}
	curl_free(path);
	curl_url_cleanup(u);
	return out ? out : xstrdup("__unnamed__");
}

static bool valid_checksum(const char *c)
{
	return c && !strncmp(c, "sha256:", 7) && digest_valid(c);
}

static volatile sig_atomic_t *stop_flag;

void burls_set_interrupt(volatile sig_atomic_t *flag)
{
	stop_flag = flag;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)arg, (void)dt, (void)dn, (void)ut, (void)un;
	return stop_flag && *stop_flag; /* non-zero aborts the transfer */
}

struct dl {
	int fd;
	struct digester *d;
	bool write_failed;
};

static size_t on_data(char *p, size_t sz, size_t n, void *arg)
{
	struct dl *x = arg;
	size_t len = sz * n;
	if (write_all(x->fd, p, len) < 0) {
		x->write_failed = true;
		return 0;
	}
	digester_update(x->d, p, len);
	return len;
}

static int fetch(struct burl *b, const char *tmpdir, unsigned seq, berr *err)
{
	char *path = xasprintf("%s/url%u", tmpdir, seq);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = errno;
		free(path);
		errno = e;
		return berr_sys(err, "create download file");
	}
	if (lazylib_load_curl(err) < 0) {
		close(fd);
		unlink(path);
		free(path);
		return -1;
	}
	CURL *h = curl_easy_init();
	if (!h) {
		close(fd);
		unlink(path);
		free(path);
		return berr_set(err, ENOMEM, "curl_easy_init failed");
	}
	struct dl x = { fd, digester_new(), false };
	char ebuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(h, CURLOPT_URL, b->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(h, CURLOPT_FILETIME, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L); /* a stalled download fails after a minute */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "berth-build");
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	CURLcode rc = curl_easy_perform(h);
	long code = 0;
	curl_off_t ft = -1;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(h, CURLINFO_FILETIME_T, &ft);
	curl_easy_cleanup(h);
	char got[DIGEST_STR_LEN + 1];
	digester_finish(x.d, got);
	int ret = 0;
	if (x.write_failed)
		ret = berr_set(err, EIO, "write download of %s: %s", b->url, strerror(errno));
	else if (rc == CURLE_ABORTED_BY_CALLBACK)
		ret = berr_set(err, EINTR, "interrupted");
	else if (rc != CURLE_OK)
		ret = berr_set(err, EIO, "Get \"%s\": %s", b->url, *ebuf ? ebuf : curl_easy_strerror(rc));
	else if (code < 200 || code >= 400)
		ret = berr_set(err, EIO, "invalid response status %ld", code);
	else if (b->checksum && strcmp(got, b->checksum))
		ret = berr_set(err, EINVAL, "digest mismatch %s: %s", got, b->checksum);
	if (ret < 0) {
		close(fd);
		unlink(path);
		free(path);
		return -1;
	}
	close(fd);
	b->path = path;
	b->mtime = ft >= 0 ? (time_t)ft : -1;
	memcpy(b->digest, got, sizeof got);
	return 0;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct burl *find_or_add(struct burls *u, const char *url, const char *checksum)
{
	for (size_t i = 0; i < u->n; i++)
		if (!strcmp(u->v[i]->url, url) && !strcmp(u->v[i]->checksum ? u->v[i]->checksum : "", checksum ? checksum : ""))
			return u->v[i];
	u->v = xrealloc(u->v, (u->n + 1) * sizeof *u->v);
	struct burl *b = u->v[u->n++] = xcalloc(1, sizeof *b);
	b->url = xstrdup(url);
	b->checksum = checksum ? xstrdup(checksum) : NULL;
	b->name = url_name(url);
	b->mtime = -1;
	return b;
}

static int check_src(const char *s, const char *checksum, berr *err)
{
	if (is_git(s))
		return berr_set(err, ENOTSUP, "ADD of a git repository (%s) is not supported by berth build", s);
	if (!burl_is_url(s))
		return berr_set(err, ENOTSUP, "ADD from %s: only http:// and https:// URLs are supported", s);
	if (checksum && !valid_checksum(checksum))
		return berr_set(err, EINVAL, "invalid checksum %s: want sha256:<64 hex digits>", checksum);
	return 0;
}

static int key_locked(struct burls *u, const char *const *srcs, size_t n, const char *checksum, const char *tmpdir,
		      char key[DIGEST_STR_LEN + 1], berr *err)
{
	struct digester *d = digester_new();
	size_t nurl = 0;
	for (size_t i = 0; i < n; i++) {
		if (!burl_is_remote(srcs[i]))
			continue;
		if (check_src(srcs[i], checksum, err) < 0) {
			digester_free(d);
			return -1;
		}
		nurl++;
		struct burl *b = find_or_add(u, srcs[i], checksum);
		if (!checksum && !b->path && fetch(b, tmpdir, ++u->seq, err) < 0) {
			digester_free(d);
			return -1;
		}
		/* BuildKit's http source key: file name, mode, owner, checksum, Last-Modified */
		_cleanup_free_ char *k = NULL;
		if (checksum)
			k = xasprintf("{\"Filename\":\"%s\",\"Perm\":384,\"UID\":0,\"GID\":0,\"Checksum\":\"%s\"}", b->name,
				      checksum);
		else
			k = xasprintf("{\"Filename\":\"%s\",\"Perm\":384,\"UID\":0,\"GID\":0,\"Checksum\":\"%s\","
				      "\"LastModTime\":\"%lld\"}", b->name, b->digest, (long long)b->mtime);
		digester_update(d, k, strlen(k) + 1);
	}
	if (checksum && !nurl) {
		digester_free(d);
		return berr_set(err, EINVAL, "checksum can't be specified for non-HTTP(S) sources");
	}
	digester_finish(d, key);
	return 0;
}

int burls_key(struct burls *u, const char *const *srcs, size_t n, const char *checksum, const char *tmpdir,
	      char key[DIGEST_STR_LEN + 1], berr *err)
{
	pthread_mutex_lock(&lock);
	int rc = key_locked(u, srcs, n, checksum, tmpdir, key, err);
	pthread_mutex_unlock(&lock);
	return rc;
}

const struct burl *burls_get(struct burls *u, const char *url, const char *checksum, const char *tmpdir, berr *err)
{
	if (check_src(url, checksum, err) < 0)
		return NULL;
	pthread_mutex_lock(&lock);
	struct burl *b = find_or_add(u, url, checksum);
	if (!b->path && fetch(b, tmpdir, ++u->seq, err) < 0)
		b = NULL;
	pthread_mutex_unlock(&lock);
	return b;
}

void burls_release(struct burls *u)
{
	for (size_t i = 0; i < u->n; i++) {
		if (u->v[i]->path)
			unlink(u->v[i]->path);
		free(u->v[i]->url);
		free(u->v[i]->checksum);
		free(u->v[i]->name);
		free(u->v[i]->path);
		free(u->v[i]);
	}
	free(u->v);
	memset(u, 0, sizeof *u);
}
