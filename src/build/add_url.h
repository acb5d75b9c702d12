/* add_url.h: `ADD http(s)://...` as BuildKit does it: the file is downloaded by the builder
 * (libcurl; http_proxy/https_proxy/no_proxy respected), named after the last component of the
 * URL's path ("__unnamed__" if none), mode 0600 unless --chmod, mtime from Last-Modified,
 * never extracted; `--checksum=sha256:...` is verified ("digest mismatch GOT: WANT"). The
 * step's cache key covers the file name, the content digest and Last-Modified (BuildKit's
 * http source key); with --checksum the key is known without a request, so a cached step
 * does not download at all. Git URLs are refused. */
#pragma once
#include <signal.h>
#include <stdbool.h>
#include <time.h>
#include "util/digest.h"
#include "util/err.h"

struct burl {
	char *url;
	char *checksum;                  /* --checksum as given, or NULL */
	char *name;                      /* file name in the image */
	char *path;                      /* the downloaded file, NULL until fetched */
	char digest[DIGEST_STR_LEN + 1]; /* of the content once fetched */
	time_t mtime;                    /* Last-Modified, -1 if none */
};

struct burls {
	struct burl **v;   /* stable pointers */
	size_t n;
	unsigned seq;
};

bool burl_is_url(const char *s);     /* http:// or https:// (not a git URL) */
bool burl_is_remote(const char *s);  /* any URL or git address ADD would fetch */

/* The part of an ADD step's cache key its URL sources give (srcs as written, expanded):
 * URLs are fetched into tmpdir unless checksum pins them. Errors: git sources, a checksum
 * that is not sha256:HEX, HTTP failures ("invalid response status 404"), mismatches. */
int burls_key(struct burls *u, const char *const *srcs, size_t n, const char *checksum, const char *tmpdir,
	      char key[DIGEST_STR_LEN + 1], berr *err);

/* The downloaded file of url (fetched now when the key did not need it). Both calls are
 * serialised (stages built in parallel share the downloads). */
const struct burl *burls_get(struct burls *u, const char *url, const char *checksum, const char *tmpdir, berr *err);

void burls_release(struct burls *u);

/* A download stops (with "interrupted") once *flag is non-zero: the builder's SIGINT flag. */
void burls_set_interrupt(volatile sig_atomic_t *flag);
