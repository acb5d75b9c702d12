/* client.h: an HTTP client for one repository of one registry (libcurl): scheme selection
 * (https, and http for Docker's insecure localhost/127.0.0.0/8 rule or --tls-verify=false),
 * TLS settings (system CAs + cert dir), and Basic/Bearer auth following WWW-Authenticate. */
#pragma once
#include "util/lazy_curl.h"
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "registry/registry.h"
#include "util/strbuf.h"

struct reg_client {
	char *host;           /* "127.0.0.1:5000", "docker.io" as named */
	char *api_host;       /* where requests go: "registry-1.docker.io" for docker.io */
	char *repo;           /* "library/busybox" */
	char *actions;        /* "pull" or "pull,push" */
	char *base;           /* "https://host" or "http://host" once pinged */
	char *user, *pass;    /* credentials, or NULL */
	char *authz;          /* "Authorization: ..." header, or NULL */
	char *bearer_realm, *bearer_service;
	bool basic;           /* the registry asked for Basic auth */
	bool verify;          /* verify the TLS peer */
	bool insecure_ok;     /* http / unverified TLS allowed (localhost, --tls-verify=false) */
	struct curl_blob ca;  /* system CAs + cert dir ".crt" files, or data NULL */
	char *client_cert, *client_key;
	const struct reg_opts *o;
	CURL *h;              /* reused for sequential requests (keeps the connection) */
};

struct reg_resp {
	long status;
	struct strbuf body;
	char *content_type, *location, *digest, *www_auth;
	char *url;            /* the URL asked */
};
void reg_resp_release(struct reg_resp *r);

/* Open a client for r's registry and repository: read credentials, ping /v2/ (choosing the
 * scheme) and learn the auth challenge. actions: "pull" / "pull,push". */
int reg_client_open(struct reg_client **out, const char *host, const char *repo, const char *actions,
		    const struct reg_opts *o, berr *err);
void reg_client_free(struct reg_client *c);
/* An independent copy (own connection and token) for another thread. */
struct reg_client *reg_client_clone(const struct reg_client *c);

/* The upload body of a request: a buffer, or a range of a file. */
struct reg_body {
	const void *buf; size_t len;     /* buffer, or */
	int fd; off_t off; off_t flen;   /* fd >= 0: flen bytes of fd from off */
	const char *content_type;
	void (*progress)(void *ud, uint64_t sent); /* upload progress (bytes of this body sent) */
	void *ud;
};

/* One request. path is "/v2/..." (prefixed with c->base) or an absolute URL (upload
 * locations). extra: headers (may be NULL). body may be NULL. Follows redirects for GET/HEAD.
 * A 401 triggers the auth challenge once (token fetch) and a retry. Returns 0 with
 * resp->status filled for any HTTP status; -1 on transport errors. */
int reg_do(struct reg_client *c, const char *method, const char *path, struct curl_slist *extra,
	   const struct reg_body *body, struct reg_resp *resp, berr *err);

/* Fetch a fresh Bearer token (an expired one during a long download). -1 if not Bearer. */
int reg_refresh_token(struct reg_client *c, berr *err);

/* Apply TLS and auth settings to an easy handle (for parallel transfers). */
void reg_setup_easy(struct reg_client *c, CURL *h, struct curl_slist **hdrs);

/* Docker's text for a registry error response: "unauthorized: authentication required",
 * "manifest unknown: manifest unknown", else "<status text>". Sets err; returns -1. */
int reg_fail(struct reg_client *c, const struct reg_resp *r, berr *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Absolute URL of a path or Location header value. malloc'd. */
char *reg_url(struct reg_client *c, const char *path);

/* A parameter of a WWW-Authenticate challenge: realm, service, scope (quoted or not). */
char *reg_challenge_param(const char *challenge, const char *name);

/* auth.c */
char *reg_auth_key(const char *host);           /* "docker.io" -> "docker.io" (ours) */
char *reg_authfile_path(const struct reg_opts *o);
int reg_b64_decode(const char *in, char **out, size_t *len);
char *reg_b64_encode(const void *in, size_t len);
