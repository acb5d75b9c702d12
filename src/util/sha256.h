/* sha256.h: SHA-256 (FIPS 180-4) without linking OpenSSL: the x86 SHA extensions (SHA-NI) when
 * the CPU has them, else OpenSSL's block function from a libcrypto loaded on first use, else
 * portable C; chosen at run time. Used by util/digest.h; call that instead. */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;       /* bytes hashed so far */
	uint8_t buf[64];
	size_t nbuf;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[32]);

/* The block function in use: "shani", "openssl" or "portable". */
const char *sha256_backend(void);
/* Force a backend ("shani", "openssl", "portable") or go back to the automatic choice (NULL); for tests
 * and benchmarks. -1 if the CPU lacks it. */
int sha256_set_backend(const char *name);
