/* digest.h: SHA-256 digests in OCI form ("sha256:<64 hex>"). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "util/err.h"

#define DIGEST_HEX_LEN 64
#define DIGEST_STR_LEN (7 + DIGEST_HEX_LEN) /* "sha256:" + hex */

struct digester; /* incremental hashing */

struct digester *digester_new(void);
void digester_update(struct digester *d, const void *data, size_t len);
/* Writes "sha256:<hex>" into out (DIGEST_STR_LEN + 1 bytes) and frees d. */
void digester_finish(struct digester *d, char out[DIGEST_STR_LEN + 1]);
void digester_free(struct digester *d);

void digest_buf(const void *data, size_t len, char out[DIGEST_STR_LEN + 1]);
int digest_fd(int fd, char out[DIGEST_STR_LEN + 1], berr *err); /* reads fd to EOF */
/* True if s is "sha256:" followed by 64 lowercase hex digits. */
bool digest_valid(const char *s);
/* Pointer to the hex part of a valid digest. */
static inline const char *digest_hex(const char *d) { return d + 7; }
