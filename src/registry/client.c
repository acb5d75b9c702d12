/* client.c: the registry HTTP client (see client.h). Docker's rules: a registry is reached
 * over https with the system CAs plus the ".crt" files of its cert dir (client certificates
 * from ".cert"/".key" pairs); localhost, 127.0.0.0/8 and ::1 (and any registry with
 * --tls-verify=false) may answer with an unverified certificate or over plain http.
 * Auth follows the /v2/ ping's WWW-Authenticate challenge: Basic sends the stored
 * credentials, Bearer fetches a token from the realm for "repository:<repo>:<actions>". */
#include "registry/client.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

#define USER_AGENT "berth/0.1 (distribution client; libcurl)"

void reg_resp_release(struct reg_resp *r)
{
	sb_release(&r->body);
	free(r->content_type);
	free(r->location);
	free(r->digest);
	free(r->www_auth);
	free(r->url);
	memset(r, 0, sizeof *r);
}

static bool host_is_insecure_default(const char *host)
{
	_cleanup_free_ char *h = xstrdup(host);
	if (h[0] == '[') { /* [::1]:5000 */
		char *e = strchr(h, ']');
		if (e)
			*e = 0;
		return !strcmp(h + 1, "::1");
	}
	char *colon = strchr(h, ':');
	if (colon)
		*colon = 0;
	return !strcmp(h, "localhost") || !strncmp(h, "127.", 4);
}

static void load_cert_dir(struct reg_client *c)
{
	char *dirs[3] = { NULL, NULL, NULL };
	if (c->o && c->o->cert_dir)
		dirs[0] = xstrdup(c->o->cert_dir);
	else {
		dirs[0] = xasprintf("/etc/docker/certs.d/%s", c->host);
		dirs[1] = xasprintf("/etc/containers/certs.d/%s", c->host);
	}
	struct strbuf pem = STRBUF_INIT;
	bool extra = false;
	for (int i = 0; i < 3; i++) {
		if (!dirs[i])
			continue;
		DIR *d = opendir(dirs[i]);
		if (!d)
			continue;
		struct dirent *e;
		while ((e = readdir(d))) {
			size_t n = strlen(e->d_name);
			_cleanup_free_ char *p = xasprintf("%s/%s", dirs[i], e->d_name);
			if (n > 4 && !strcmp(e->d_name + n - 4, ".crt")) {
				char *data;
				size_t len;
				berr err;
				if (read_file(p, &data, &len, &err) == 0) {
					sb_add(&pem, data, len);
					sb_addc(&pem, '\n');
					free(data);
					extra = true;
				}
			} else if (n > 5 && !strcmp(e->d_name + n - 5, ".cert") && !c->client_cert) {
				_cleanup_free_ char *key = xasprintf("%.*s.key", (int)(strlen(p) - 5), p);
				if (access(key, R_OK) == 0) {
					c->client_cert = xstrdup(p);
					c->client_key = steal_pointer(&key);
				}
			}
		}
		closedir(d);
		if (extra || c->client_cert)
			break; /* the first dir that has anything wins */
	}
	for (int i = 0; i < 3; i++)
		free(dirs[i]);
	if (extra) {
		/* keep the system CAs too */
		const char *sys[] = { "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt" };
		for (size_t i = 0; i < ARRAY_SIZE(sys); i++) {
			char *data;
			size_t len;
			berr err;
			if (read_file(sys[i], &data, &len, &err) == 0) {
				sb_add(&pem, data, len);
				free(data);
				break;
			}
		}
		c->ca.len = pem.len;
		c->ca.data = sb_detach(&pem);
		c->ca.flags = CURL_BLOB_NOCOPY;
	}
	sb_release(&pem);
}

void reg_setup_easy(struct reg_client *c, CURL *h, struct curl_slist **hdrs)
{
	curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	/* give up on a stalled transfer (less than 1 byte/s for 60 s) */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->verify ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c->verify ? 2L : 0L);
	if (c->ca.data)
		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &c->ca);
	else if (access("/etc/ssl/certs", F_OK) == 0) {
		/* the hashed directory is read lazily: no 25 ms parse of the whole bundle per handle */
		curl_easy_setopt(h, CURLOPT_CAINFO, NULL);
		curl_easy_setopt(h, CURLOPT_CAPATH, "/etc/ssl/certs");
	}
	if (c->client_cert) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, c->client_cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, c->client_key);
	}
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	if (hdrs && c->authz)
		*hdrs = curl_slist_append(*hdrs, c->authz);
}

char *reg_url(struct reg_client *c, const char *path)
{
	if (!strncmp(path, "http://", 7) || !strncmp(path, "https://", 8))
		return xstrdup(path);
	if (path[0] == '/')
		return xasprintf("%s%s", c->base, path);
	return xasprintf("%s/%s", c->base, path);
}

struct xfer {
	struct reg_resp *resp;
	const struct reg_body *body;
	off_t pos;
};

static char *header_value(const char *line, size_t n, const char *name)
{
	size_t k = strlen(name);
	if (n <= k + 1 || strncasecmp(line, name, k) || line[k] != ':')
		return NULL;
	const char *v = line + k + 1;
	const char *e = line + n;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' '))
		e--;
	return xstrndup(v, (size_t)(e - v));
}

static size_t on_header(char *buf, size_t sz, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = sz * n;
	char *v;
	if (len >= 5 && !strncmp(buf, "HTTP/", 5)) { /* a new response (redirect, 100): forget the old headers */
		free(x->resp->www_auth);
		x->resp->www_auth = NULL;
		free(x->resp->content_type);
		x->resp->content_type = NULL;
		free(x->resp->digest);
		x->resp->digest = NULL;
	}
	if ((v = header_value(buf, len, "Content-Type"))) {
		free(x->resp->content_type);
		x->resp->content_type = v;
	} else if ((v = header_value(buf, len, "Location"))) {
		free(x->resp->location);
		x->resp->location = v;
	} else if ((v = header_value(buf, len, "Docker-Content-Digest"))) {
		free(x->resp->digest);
		x->resp->digest = v;
	} else if ((v = header_value(buf, len, "WWW-Authenticate"))) {
		free(x->resp->www_auth);
		x->resp->www_auth = v;
	}
	return len;
}

static size_t on_body(char *buf, size_t sz, size_t n, void *ud)
{
	struct xfer *x = ud;
	if (x->resp->body.len + sz * n > (64u << 20)) /* manifests, configs, errors: never this large */
		return 0;
	sb_add(&x->resp->body, buf, sz * n);
	return sz * n;
}

static size_t on_read(char *buf, size_t sz, size_t n, void *ud)
{
	struct xfer *x = ud;
	const struct reg_body *b = x->body;
	off_t left = b->flen - x->pos;
	size_t want = sz * n;
	if (left <= 0)
		return 0;
	if ((off_t)want > left)
		want = (size_t)left;
	ssize_t r;
	do
		r = pread(b->fd, buf, want, b->off + x->pos);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return CURL_READFUNC_ABORT;
	x->pos += r;
	return (size_t)r;
}

/* Go's net/http wording for the usual transport failures (Docker prints these). */
static const char *go_reason(CURL *h, CURLcode cc, const char *url, const char *errbuf)
{
	static char buf[512];
	long oserr = 0;
	curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &oserr);
	const char *hp = strstr(url, "://");
	hp = hp ? hp + 3 : url;
	int hl = (int)strcspn(hp, "/");
	if (strstr(errbuf, "wrong version number"))
		return "http: server gave HTTP response to HTTPS client";
	if (cc == CURLE_COULDNT_CONNECT && oserr) {
		snprintf(buf, sizeof buf, "dial tcp %.*s: connect: %s", hl, hp, strerror((int)oserr));
		buf[0] = 'd';
		for (char *p = strstr(buf, "connect: ") + 9; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		return buf;
	}
	if (cc == CURLE_COULDNT_RESOLVE_HOST) {
		snprintf(buf, sizeof buf, "dial tcp: lookup %.*s: no such host", (int)strcspn(hp, ":/"), hp);
		return buf;
	}
	if (cc == CURLE_PEER_FAILED_VERIFICATION &&
	    (strstr(errbuf, "local issuer") || strstr(errbuf, "self-signed") || strstr(errbuf, "self signed")))
		return "x509: certificate signed by unknown authority";
	if (cc == CURLE_PEER_FAILED_VERIFICATION && strstr(errbuf, "subject name")) {
		snprintf(buf, sizeof buf, "x509: certificate is not valid for %.*s", (int)strcspn(hp, ":/"), hp);
		return buf;
	}
	return errbuf[0] ? errbuf : curl_easy_strerror(cc);
}

static int on_upload_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	const struct reg_body *b = ud;
	(void)dltotal, (void)dlnow, (void)ultotal;
	b->progress(b->ud, (uint64_t)ulnow);
	return 0;
}

static int perform(struct reg_client *c, const char *method, const char *url, struct curl_slist *extra,
		   const struct reg_body *body, struct reg_resp *resp, CURLcode *cc, berr *err)
{
	/* one handle per client: its connection cache keeps the registry connection open */
	if (!c->h)
		c->h = curl_easy_init();
	else
		curl_easy_reset(c->h);
	CURL *h = c->h;
	if (!h)
		return berr_set(err, ENOMEM, "curl_easy_init failed");
	struct xfer x = { .resp = resp, .body = body };
	struct curl_slist *hdrs = NULL;
	for (struct curl_slist *e = extra; e; e = e->next)
		hdrs = curl_slist_append(hdrs, e->data);
	reg_setup_easy(c, h, &hdrs);
	hdrs = curl_slist_append(hdrs, "Expect:");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	if (get)
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (!get) {
		if (body && body->content_type) {
			_cleanup_free_ char *ct = xasprintf("Content-Type: %s", body->content_type);
			hdrs = curl_slist_append(hdrs, ct);
		}
		if (body && body->fd >= 0) {
			curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
			curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
			curl_easy_setopt(h, CURLOPT_READDATA, &x);
			curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)body->flen);
			if (body->progress) {
				curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
				curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_upload_progress);
				curl_easy_setopt(h, CURLOPT_XFERINFODATA, body);
			}
		} else {
			curl_easy_setopt(h, CURLOPT_POST, 1L);
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, body && body->buf ? (const char *)body->buf : "");
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? body->len : 0));
		}
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	*cc = curl_easy_perform(h);
	int ret = 0;
	if (*cc != CURLE_OK) {
		/* Go's wording: `Get "URL": dial tcp ...` is the closest; keep curl's reason */
		char m[8] = "";
		snprintf(m, sizeof m, "%c%s", method[0], method + 1);
		for (char *p = m + 1; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		ret = berr_set(err, EIO, "%s \"%s\": %s", m, url, go_reason(h, *cc, url, errbuf));
	} else
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_slist_free_all(hdrs);
	return ret;
}

/* Parse `Bearer realm="...",service="..."` / `Basic realm="..."`. */
char *reg_challenge_param(const char *ch, const char *name)
{
	size_t k = strlen(name);
	const char *p = ch;
	while ((p = strcasestr(p, name))) {
		if ((p == ch || p[-1] == ' ' || p[-1] == ',') && p[k] == '=') {
			const char *v = p + k + 1;
			if (*v == '"') {
				const char *e = strchr(v + 1, '"');
				return e ? xstrndup(v + 1, (size_t)(e - v - 1)) : NULL;
			}
			size_t n = strcspn(v, ", ");
			return xstrndup(v, n);
		}
		p += k;
	}
	return NULL;
}

static char *url_escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);
	char *r = xstrdup(e);
	curl_free(e);
	return r;
}

/* Fetch a bearer token for c->repo:c->actions. */
static int fetch_token(struct reg_client *c, berr *err)
{
	_cleanup_strbuf_ struct strbuf url = STRBUF_INIT;
	sb_adds(&url, c->bearer_realm);
	sb_addc(&url, strchr(c->bearer_realm, '?') ? '&' : '?');
	if (c->bearer_service) {
		_cleanup_free_ char *s = url_escape(c->bearer_service);
		sb_addf(&url, "service=%s&", s);
	}
	if (c->repo) {
		_cleanup_free_ char *scope = xasprintf("repository:%s:%s", c->repo, c->actions);
		_cleanup_free_ char *s = url_escape(scope);
		sb_addf(&url, "scope=%s&", s);
	}
	sb_setlen(&url, url.len - 1);
	struct curl_slist *hdrs = NULL;
	if (c->user) {
		_cleanup_free_ char *up = xasprintf("%s:%s", c->user, c->pass);
		_cleanup_free_ char *b = reg_b64_encode(up, strlen(up));
		_cleanup_free_ char *hv = xasprintf("Authorization: Basic %s", b);
		hdrs = curl_slist_append(hdrs, hv);
	}
	char *saved = c->authz;
	c->authz = NULL;
	struct reg_resp r = { 0 };
	CURLcode cc;
	int rc = perform(c, "GET", url.buf, hdrs, NULL, &r, &cc, err);
	c->authz = saved;
	curl_slist_free_all(hdrs);
	if (rc < 0) {
		reg_resp_release(&r);
		return -1;
	}
	json_error_t je;
	json_t *j = r.status == 200 ? json_loadb(r.body.buf ? r.body.buf : "", r.body.len, 0, &je) : NULL;
	const char *tok = json_string_value(json_object_get(j, "token"));
	if (!tok)
		tok = json_string_value(json_object_get(j, "access_token"));
	if (!tok) {
		/* Docker: Get "https://host/v2/": unauthorized: incorrect username or password */
		json_t *ej = json_loadb(r.body.buf ? r.body.buf : "", r.body.len, 0, &je);
		const char *det = json_string_value(json_object_get(ej, "details"));
		if (!det)
			det = json_string_value(json_object_get(json_array_get(json_object_get(ej, "errors"), 0), "message"));
		berr_set(err, EACCES, "Get \"%s/v2/\": unauthorized: %s", c->base, det ? det : "authentication required");
		json_decref(ej);
		json_decref(j);
		reg_resp_release(&r);
		return -1;
	}
	free(c->authz);
	c->authz = xasprintf("Authorization: Bearer %s", tok);
	json_decref(j);
	reg_resp_release(&r);
	return 0;
}

int reg_refresh_token(struct reg_client *c, berr *err)
{
	if (!c->bearer_realm)
		return berr_set(err, EACCES, "no token to refresh");
	return fetch_token(c, err);
}

/* Act on a challenge: set c->authz. Returns 0, or -1 with err. */
static int answer_challenge(struct reg_client *c, const char *ch, berr *err)
{
	if (!strncasecmp(ch, "Basic", 5)) {
		c->basic = true;
		if (!c->user)
			return 0; /* the request fails: "no basic auth credentials" */
		_cleanup_free_ char *up = xasprintf("%s:%s", c->user, c->pass);
		_cleanup_free_ char *b = reg_b64_encode(up, strlen(up));
		free(c->authz);
		c->authz = xasprintf("Authorization: Basic %s", b);
		return 0;
	}
	if (!strncasecmp(ch, "Bearer", 6)) {
		free(c->bearer_realm);
		free(c->bearer_service);
		c->bearer_realm = reg_challenge_param(ch, "realm");
		c->bearer_service = reg_challenge_param(ch, "service");
		if (!c->bearer_realm)
			return berr_set(err, EPROTO, "invalid WWW-Authenticate challenge: %s", ch);
		return fetch_token(c, err);
	}
	return berr_set(err, EPROTO, "unsupported authentication challenge: %s", ch);
}

static bool tls_trouble(CURLcode cc)
{
	return cc == CURLE_SSL_CONNECT_ERROR || cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT_BADFILE ||
	       cc == CURLE_SSL_CERTPROBLEM || cc == CURLE_SSL_ISSUER_ERROR || cc == CURLE_SSL_PINNEDPUBKEYNOTMATCH ||
	       cc == CURLE_RECV_ERROR || cc == CURLE_GOT_NOTHING;
}

static int ping(struct reg_client *c, struct reg_resp *resp, berr *err)
{
	CURLcode cc;
	free(c->base);
	c->base = xasprintf("https://%s", c->api_host);
	_cleanup_free_ char *url = xasprintf("%s/v2/", c->base);
	if (perform(c, "GET", url, NULL, NULL, resp, &cc, err) == 0)
		return 0;
	if (!c->insecure_ok || !tls_trouble(cc))
		return -1;
	if (c->verify && cc == CURLE_PEER_FAILED_VERIFICATION) {
		c->verify = false; /* Docker: an insecure registry's certificate is not verified */
		reg_resp_release(resp);
		if (perform(c, "GET", url, NULL, NULL, resp, &cc, err) == 0)
			return 0;
	}
	berr e0 = *err;
	reg_resp_release(resp);
	free(c->base);
	c->base = xasprintf("http://%s", c->api_host);
	free(url);
	url = xasprintf("%s/v2/", c->base);
	if (perform(c, "GET", url, NULL, NULL, resp, &cc, err) == 0)
		return 0;
	*err = e0;
	return -1;
}

int reg_client_open(struct reg_client **out, const char *host, const char *repo, const char *actions,
		    const struct reg_opts *o, berr *err)
{
	static bool inited;
	if (lazylib_load_curl(err) < 0)
		return -1;
	if (!inited) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		inited = true;
	}
	struct reg_client *c = xcalloc(1, sizeof *c);
	c->o = o;
	c->host = xstrdup(host);
	c->api_host = xstrdup(!strcmp(host, "docker.io") ? "registry-1.docker.io" : host);
	c->repo = repo ? xstrdup(repo) : NULL;
	c->actions = xstrdup(actions ? actions : "pull");
	int tv = o ? o->tls_verify : -1;
	c->verify = tv != 0;
	c->insecure_ok = tv == 0 || (tv < 0 && host_is_insecure_default(host));
	load_cert_dir(c);
	if (o && o->user) {
		c->user = xstrdup(o->user);
		c->pass = xstrdup(o->pass ? o->pass : "");
	} else
		registry_get_creds(host, o ? o->authfile : NULL, &c->user, &c->pass);
	struct reg_resp r = { 0 };
	if (ping(c, &r, err) < 0) {
		reg_client_free(c);
		return -1;
	}
	if (r.status == 401 && r.www_auth && answer_challenge(c, r.www_auth, err) < 0) {
		reg_resp_release(&r);
		reg_client_free(c);
		return -1;
	}
	reg_resp_release(&r);
	*out = c;
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct reg_client *reg_client_clone(const struct reg_client *c)
{
	struct reg_client *n = xcalloc(1, sizeof *n);
	*n = *c;
	n->host = dup_or_null(c->host);
	n->api_host = dup_or_null(c->api_host);
	n->repo = dup_or_null(c->repo);
	n->actions = dup_or_null(c->actions);
	n->base = dup_or_null(c->base);
	n->user = dup_or_null(c->user);
	n->pass = dup_or_null(c->pass);
	n->authz = dup_or_null(c->authz);
	n->bearer_realm = dup_or_null(c->bearer_realm);
	n->bearer_service = dup_or_null(c->bearer_service);
	n->client_cert = dup_or_null(c->client_cert);
	n->client_key = dup_or_null(c->client_key);
	if (c->ca.data) {
		n->ca.data = xmalloc(c->ca.len);
		memcpy(n->ca.data, c->ca.data, c->ca.len);
	}
	n->h = NULL;
	return n;
}

void reg_client_free(struct reg_client *c)
{
	if (!c)
		return;
	free(c->host);
	free(c->api_host);
	free(c->repo);
	free(c->actions);
	free(c->base);
	free(c->user);
	free(c->pass);
	free(c->authz);
	free(c->bearer_realm);
	free(c->bearer_service);
	free(c->ca.data);
	free(c->client_cert);
	free(c->client_key);
	if (c->h)
		curl_easy_cleanup(c->h);
	free(c);
}

int reg_do(struct reg_client *c, const char *method, const char *path, struct curl_slist *extra,
	   const struct reg_body *body, struct reg_resp *resp, berr *err)
{
	_cleanup_free_ char *url = reg_url(c, path);
	memset(resp, 0, sizeof *resp);
	for (int attempt = 0;; attempt++) {
		CURLcode cc;
		if (perform(c, method, url, extra, body, resp, &cc, err) < 0)
			return -1;
		log_debug("registry: %s %s -> %ld", method, url, resp->status);
		if (resp->status != 401 || attempt > 0 || !resp->www_auth)
			break;
		_cleanup_free_ char *old = c->authz ? xstrdup(c->authz) : NULL;
		_cleanup_free_ char *ch = xstrdup(resp->www_auth);
		if (answer_challenge(c, ch, err) < 0) {
			reg_resp_release(resp);
			return -1;
		}
		if (!c->authz || (old && !strcmp(old, c->authz)))
			break; /* nothing new to try */
		reg_resp_release(resp);
	}
	resp->url = steal_pointer(&url);
	return 0;
}

int reg_fail(struct reg_client *c, const struct reg_resp *r, berr *err, const char *fmt, ...)
{
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		sb_vaddf(&sb, fmt, ap);
		va_end(ap);
		sb_adds(&sb, ": ");
	}
	if (r->status == 401 && c->basic && !c->user) {
		sb_setlen(&sb, 0);
		sb_adds(&sb, "no basic auth credentials");
		berr_set(err, EACCES, "%s", sb.buf);
		err->status = 1;
		return -1;
	}
	json_error_t je;
	json_t *j = r->body.len ? json_loadb(r->body.buf, r->body.len, 0, &je) : NULL;
	json_t *e0 = json_array_get(json_object_get(j, "errors"), 0);
	const char *code = json_string_value(json_object_get(e0, "code"));
	const char *msg = json_string_value(json_object_get(e0, "message"));
	if (code) {
		/* distribution's errcode: "MANIFEST_UNKNOWN" -> "manifest unknown" */
		for (const char *p = code; *p; p++)
			sb_addc(&sb, *p == '_' ? ' ' : (char)tolower((unsigned char)*p));
		sb_adds(&sb, ": ");
		sb_adds(&sb, msg ? msg : "");
	} else if (r->status == 401) {
		sb_adds(&sb, "unauthorized: authentication required");
	} else if (r->status == 403) {
		sb_adds(&sb, "denied: requested access to the resource is denied");
	} else {
		sb_addf(&sb, "unexpected status from %s request to %s: %ld", "registry", r->url ? r->url : c->host, r->status);
	}
	json_decref(j);
	berr_set(err, r->status == 401 ? EACCES : r->status == 404 ? ENOENT : EIO, "%s", sb.buf);
	err->status = 1;
	return -1;
}
