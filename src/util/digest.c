/* digest.c: SHA-256 digests in OCI form, on util/sha256.h (SHA-NI, no libcrypto linked). */
#include "util/digest.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include "util/sha256.h"
#include "util/strbuf.h"

struct digester {
	struct sha256 s;
};

struct digester *digester_new(void)
{
	struct digester *d = xmalloc(sizeof *d);
	sha256_init(&d->s);
	return d;
}

void digester_update(struct digester *d, const void *data, size_t len)
{
	sha256_update(&d->s, data, len);
}

static void format(struct sha256 *s, char out[DIGEST_STR_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t md[32];
	sha256_final(s, md);
	memcpy(out, "sha256:", 7);
	for (unsigned i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[DIGEST_STR_LEN] = 0;
}

void digester_finish(struct digester *d, char out[DIGEST_STR_LEN + 1])
{
	format(&d->s, out);
	digester_free(d);
}

void digester_free(struct digester *d)
{
	free(d);
}

void digest_buf(const void *data, size_t len, char out[DIGEST_STR_LEN + 1])
{
	struct sha256 s;
	sha256_init(&s);
	sha256_update(&s, data, len);
	format(&s, out);
}

int digest_fd(int fd, char out[DIGEST_STR_LEN + 1], berr *err)
{
	struct sha256 s;
	char buf[1 << 16];
	sha256_init(&s);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return berr_sys(err, "read");
		}
		if (n == 0)
			break;
		sha256_update(&s, buf, (size_t)n);
	}
	format(&s, out);
	return 0;
}

bool digest_valid(const char *s)
{
	if (!s || strncmp(s, "sha256:", 7))
		return false;
	for (int i = 0; i < DIGEST_HEX_LEN; i++) {
		char c = s[7 + i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return s[7 + DIGEST_HEX_LEN] == 0;
}
