/* test_pcomp: the threaded layer compressor: one valid gzip member (zlib inflates it whole,
 * CRC and size checked), the same bytes for any thread count and write split, digests that
 * match the streams, zstd and plain output. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include "image/pcomp.h"
#include "util/digest.h"
#include "util/strbuf.h"

/* mixed input: text, zeros, pseudo-random bytes (incompressible pieces), in odd sizes */
static unsigned char *mkdata(size_t n)
{
	unsigned char *d = xmalloc(n);
	uint64_t x = 88172645463325252ULL;
	for (size_t i = 0; i < n; i++) {
		size_t region = (i / 300000) % 3;
		if (region == 0)
			d[i] = (unsigned char)("the quick brown fox jumps over the lazy dog\n"[i % 44]);
		else if (region == 1) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			d[i] = (unsigned char)x;
		} else
			d[i] = 0;
	}
	return d;
}

static unsigned char *compress_with(const unsigned char *in, size_t n, enum layer_compression c, int threads,
				    size_t step, size_t *outlen, char du[DIGEST_STR_LEN + 1], char dc[DIGEST_STR_LEN + 1])
{
	FILE *f = tmpfile();
	assert_non_null(f);
	berr err = { 0 };
	struct pcomp *p = pcomp_new(fileno(f), c, threads);
	for (size_t off = 0; off < n; off += step)
		assert_int_equal(pcomp_write(p, in + off, n - off < step ? n - off : step, &err), 0);
	uint64_t cs = 0, us = 0;
	assert_int_equal(pcomp_finish(p, du, dc, &cs, &us, &err), 0);
	pcomp_free(p);
	assert_int_equal(us, n);
	long len = ftell(f);
	assert_int_equal((uint64_t)len, cs);
	unsigned char *out = xmalloc((size_t)len + 1);
	rewind(f);
	assert_int_equal(fread(out, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*outlen = (size_t)len;
	char chk[DIGEST_STR_LEN + 1];
	digest_buf(out, (size_t)len, chk);
	assert_string_equal(chk, dc);
	digest_buf(in, n, chk);
	assert_string_equal(chk, du);
	return out;
}

static void check_gunzip(const unsigned char *gz, size_t gzlen, const unsigned char *want, size_t n)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	assert_int_equal(inflateInit2(&z, 16 + 15), Z_OK);
	unsigned char *out = xmalloc(n + 16);
	z.next_in = (unsigned char *)gz;
	z.avail_in = (uInt)gzlen;
	z.next_out = out;
	z.avail_out = (uInt)(n + 16);
	/* one member holds everything: Z_STREAM_END exactly at the end of the input */
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.avail_in, 0);
	assert_int_equal(z.total_out, n);
	assert_memory_equal(out, want, n);
	inflateEnd(&z);
	free(out);
}

static void test_gzip_one_member(void **state)
{
	(void)state;
	size_t sizes[] = { 0, 1, 1 << 20, (1 << 20) + 1, 5 * 1000 * 1000 + 17 };
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		size_t n = sizes[k];
		unsigned char *in = mkdata(n ? n : 1);
		size_t l1, l2, l3;
		char u1[DIGEST_STR_LEN + 1], c1[DIGEST_STR_LEN + 1], u2[DIGEST_STR_LEN + 1], c2[DIGEST_STR_LEN + 1];
		char u3[DIGEST_STR_LEN + 1], c3[DIGEST_STR_LEN + 1];
		unsigned char *a = compress_with(in, n, LAYER_GZIP, 1, 65536, &l1, u1, c1);
		unsigned char *b = compress_with(in, n, LAYER_GZIP, 4, 7777, &l2, u2, c2);
		unsigned char *c = compress_with(in, n, LAYER_GZIP, 2, 3 << 20, &l3, u3, c3);
		check_gunzip(a, l1, in, n);
		/* deterministic: the thread count and write sizes change nothing */
		assert_int_equal(l1, l2);
		assert_memory_equal(a, b, l1);
		assert_string_equal(c1, c2);
		assert_string_equal(c1, c3);
		assert_string_equal(u1, u3);
		free(a);
		free(b);
		free(c);
		free(in);
	}
}

static void test_gzip_ratio(void **state)
{
	(void)state;
	/* text still compresses; random pieces are stored (not much bigger than the input) */
	size_t n = 3 * 1000 * 1000, len;
	unsigned char *in = mkdata(n);
	char u[DIGEST_STR_LEN + 1], c[DIGEST_STR_LEN + 1];
	unsigned char *gz = compress_with(in, n, LAYER_GZIP, 2, 1 << 16, &len, u, c);
	assert_true(len < n / 2);   /* 2/3 of the input is text or zeros */
	assert_true(len > n / 4);   /* the random third cannot shrink */
	free(gz);
	free(in);
}

static void test_zstd_and_none(void **state)
{
	(void)state;
	size_t n = 2 * 1000 * 1000 + 3, len;
	unsigned char *in = mkdata(n);
	char u[DIGEST_STR_LEN + 1], c[DIGEST_STR_LEN + 1];
	unsigned char *zs = compress_with(in, n, LAYER_ZSTD, 0, 100000, &len, u, c);
	unsigned char *back = xmalloc(n);
	assert_int_equal(ZSTD_decompress(back, n, zs, len), n);
	assert_memory_equal(back, in, n);
	free(zs);
	unsigned char *plain = compress_with(in, n, LAYER_NONE, 0, 100000, &len, u, c);
	assert_int_equal(len, n);
	assert_memory_equal(plain, in, n);
	assert_string_equal(u, c);
	free(plain);
	free(back);
	free(in);
}

static void test_write_error(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	close(fds[0]); /* writes fail with EPIPE */
	signal(SIGPIPE, SIG_IGN);
	unsigned char *in = mkdata(4 << 20);
	berr err = { 0 };
	struct pcomp *p = pcomp_new(fds[1], LAYER_GZIP, 2);
	int rc = 0;
	for (size_t off = 0; off < (4u << 20) && rc == 0; off += 65536)
		rc = pcomp_write(p, in + off, 65536, &err);
	char du[DIGEST_STR_LEN + 1], dc[DIGEST_STR_LEN + 1];
	if (rc == 0)
		rc = pcomp_finish(p, du, dc, NULL, NULL, &err);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err.msg, "write layer"));
	pcomp_free(p);
	close(fds[1]);
	free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gzip_one_member),
		cmocka_unit_test(test_gzip_ratio),
		cmocka_unit_test(test_zstd_and_none),
		cmocka_unit_test(test_write_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
