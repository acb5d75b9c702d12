/* test_startup: the pieces that keep berth's start-up cheap: lazily loaded libraries
 * (util/lazylib.h), the in-tree SHA-256 (util/sha256.h, NIST vectors on every backend) and the
 * cached seccomp filter (runtime/security.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/cleanup.h"
#include <dirent.h>
#include <jansson.h>
#include <sys/stat.h>
#include "runtime/runtime.h"
#include "util/digest.h"
#include "util/lazy_archive.h"
#include "util/lazy_curl.h"
#include "util/lazylib.h"
#include "util/sha256.h"
#include "util/strbuf.h"

static void test_lazylib_missing(void **state)
{
	(void)state;
	static const char *const names[] = { "nothing" };
	void *tab[1] = { 0 };
	struct lazylib l = { "libberth-missing.so.7", names, tab, 1, 0 };
	berr err = { 0 };
	assert_int_equal(lazylib_load(&l, &err), -1);
	assert_non_null(strstr(err.msg, "libberth-missing.so.7 not found"));
	assert_non_null(strstr(err.msg, "apt-get install libberth-missing7"));
	assert_int_equal(l.loaded, 0);
	/* a library whose name ends in a digit: Debian puts a '-' before the version */
	struct lazylib l2 = { "libfoo2.so.1", names, tab, 1, 0 };
	assert_int_equal(lazylib_load(&l2, &err), -1);
	assert_non_null(strstr(err.msg, "apt-get install libfoo2-1"));
}

static void test_lazylib_missing_symbol(void **state)
{
	(void)state;
	static const char *const names[] = { "archive_read_new", "archive_no_such_function" };
	void *tab[2] = { 0 };
	struct lazylib l = { lazy_archive.soname, names, tab, 2, 0 };
	berr err = { 0 };
	assert_int_equal(lazylib_load(&l, &err), -1);
	assert_non_null(strstr(err.msg, "has no function archive_no_such_function"));
	assert_int_equal(l.loaded, 0);
}

static void test_lazylib_archive(void **state)
{
	(void)state;
	berr err = { 0 };
	assert_int_equal(lazylib_load_archive(&err), 0);
	assert_int_equal(lazy_archive.loaded, 1);
	for (size_t i = 0; i < lazy_archive.n; i++)
		assert_non_null(lazy_archive.table[i]);
	assert_int_equal(lazylib_load_archive(&err), 0); /* once */
	/* a call through the table: the names are macros for the table entries */
	struct archive *a = archive_write_new();
	assert_non_null(a);
	assert_int_equal(archive_write_free(a), ARCHIVE_OK);
	assert_true(strstr(lazy_archive.soname, "libarchive.so.") == lazy_archive.soname);
}

static void test_lazylib_curl_setopt(void **state)
{
	(void)state;
	/* no explicit load: the first call loads libcurl; setopt/getinfo go through the forwarders
	 * that keep curl's type checks */
	CURL *h = curl_easy_init();
	assert_non_null(h);
	assert_int_equal(lazy_curl.loaded, 1);
	assert_int_equal(curl_easy_setopt(h, CURLOPT_URL, "http://127.0.0.1:1/x"), CURLE_OK);
	assert_int_equal(curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 2000L), CURLE_OK);
	assert_int_equal(curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)1 << 40), CURLE_OK);
	assert_int_equal(curl_easy_setopt(h, CURLOPT_NOBODY, 1L), CURLE_OK);
	char *url = NULL;
	assert_int_equal(curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &url), CURLE_OK);
	assert_string_equal(url, "http://127.0.0.1:1/x");
	long code = -1;
	assert_int_equal(curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code), CURLE_OK);
	assert_int_equal(code, 0);
	curl_easy_cleanup(h);
}

/* FIPS 180-4 / NIST CSHA examples and the long-message vectors */
struct vec {
	const char *msg;
	size_t repeat;
	const char *hex;
};
static const struct vec vecs[] = {
	{ "", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	  1, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	{ "a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno", 16777216,
	  "50e72a0e26442fe2552dc3938ac58658228c0cbfb1d2ca872ae435266fcd055e" },
};

static void check_backend(const char *name)
{
	for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
		const struct vec *v = &vecs[i];
		if (v->repeat > 1000000 && strcmp(name, "shani"))
			continue; /* 1 GiB: only on the fast backend */
		size_t ml = strlen(v->msg);
		/* whole message in big chunks, and the first vectors also byte by byte */
		struct sha256 s;
		uint8_t md[32];
		char hex[65];
		sha256_init(&s);
		if (v->repeat == 1) {
			sha256_update(&s, v->msg, ml);
		} else {
			size_t per = 65536 / ml;
			_cleanup_free_ char *chunk = xmalloc(per * ml);
			for (size_t k = 0; k < per; k++)
				memcpy(chunk + k * ml, v->msg, ml);
			size_t left = v->repeat;
			for (; left >= per; left -= per)
				sha256_update(&s, chunk, per * ml);
			sha256_update(&s, chunk, left * ml);
		}
		sha256_final(&s, md);
		for (int k = 0; k < 32; k++)
			snprintf(hex + 2 * k, 3, "%02x", md[k]);
		assert_string_equal(hex, v->hex);
		if (v->repeat == 1) {
			sha256_init(&s);
			for (size_t k = 0; k < ml; k++)
				sha256_update(&s, v->msg + k, 1);
			sha256_final(&s, md);
			for (int k = 0; k < 32; k++)
				snprintf(hex + 2 * k, 3, "%02x", md[k]);
			assert_string_equal(hex, v->hex);
		}
	}
}

static void test_sha256_vectors(void **state)
{
	(void)state;
	const char *backends[] = { "shani", "openssl", "portable" };
	for (size_t b = 0; b < 3; b++) {
		if (sha256_set_backend(backends[b]) < 0) {
			print_message("sha256: no %s backend on this machine\n", backends[b]);
			continue;
		}
		assert_string_equal(sha256_backend(), backends[b]);
		check_backend(backends[b]);
	}
	assert_int_equal(sha256_set_backend("nonsense"), -1);
	assert_int_equal(sha256_set_backend(NULL), 0);
}

/* every length 0..300, fed in odd pieces, agrees across backends (padding edge cases at
 * 55/56/63/64 bytes) */
static void test_sha256_lengths(void **state)
{
	(void)state;
	uint8_t buf[300], ref[301][32];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	assert_int_equal(sha256_set_backend("portable"), 0);
	for (size_t n = 0; n <= 300; n++) {
		struct sha256 s;
		sha256_init(&s);
		sha256_update(&s, buf, n);
		sha256_final(&s, ref[n]);
	}
	const char *others[] = { "shani", "openssl" };
	for (size_t b = 0; b < 2; b++) {
		if (sha256_set_backend(others[b]) < 0)
			continue;
		for (size_t n = 0; n <= 300; n++) {
			struct sha256 s;
			uint8_t md[32];
			sha256_init(&s);
			for (size_t off = 0, step = 1; off < n; off += step, step = step * 3 % 71 + 1)
				sha256_update(&s, buf + off, off + step > n ? n - off : step);
			sha256_final(&s, md);
			assert_memory_equal(md, ref[n], 32);
		}
	}
	sha256_set_backend(NULL);
}

static void test_digest_api(void **state)
{
	(void)state;
	char d[DIGEST_STR_LEN + 1];
	digest_buf("abc", 3, d);
	assert_string_equal(d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	struct digester *g = digester_new();
	digester_update(g, "ab", 2);
	digester_update(g, "c", 1);
	digester_finish(g, d);
	assert_string_equal(d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	FILE *f = tmpfile();
	assert_non_null(f);
	for (int i = 0; i < 1000; i++)
		fputs("aaaaaaaaaa", f);
	fflush(f);
	rewind(f);
	berr err = { 0 };
	assert_int_equal(digest_fd(fileno(f), d, &err), 0);
	fclose(f);
	/* 10,000 'a' */
	assert_string_equal(d, "sha256:27dd1f61b867b6a0f6e9d8a41c43231de52107e53ae424de8f847b821db4b711");
}

/* the compiled seccomp filter is cached per capability set under <runroot>/seccomp/ */
static int count_bpf(const char *dir, off_t *size)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l > 4 && !strcmp(e->d_name + l - 4, ".bpf")) {
			char p[512];
			struct stat sb;
			snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
			if (stat(p, &sb) == 0) {
				*size = sb.st_size;
				assert_int_equal(sb.st_mode & 0777, 0600);
			}
			n++;
		}
	}
	closedir(d);
	return n;
}

static void test_seccomp_cache(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/berth-test-seccomp.XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	_cleanup_free_ char *run = xasprintf("%s/run", tmpl), *dir = xasprintf("%s/run/seccomp", tmpl);
	json_t *cfg = json_loads("{\"HostConfig\": {}}", 0, NULL);
	json_t *cfg2 = json_loads("{\"HostConfig\": {\"CapAdd\": [\"SYS_ADMIN\"]}}", 0, NULL);
	json_t *unconf = json_loads("{\"HostConfig\": {\"SecurityOpt\": [\"seccomp=unconfined\"]}}", 0, NULL);
	assert_non_null(cfg);
	off_t size = 0;
	security_seccomp_prepare(unconf, run);
	assert_int_equal(count_bpf(dir, &size), 0);
	security_seccomp_prepare(cfg, run);
	assert_int_equal(count_bpf(dir, &size), 1);
	assert_true(size > 0 && size % 8 == 0);
	security_seccomp_prepare(cfg, run); /* read back: no new file */
	assert_int_equal(count_bpf(dir, &size), 1);
	security_seccomp_prepare(cfg2, run); /* another capability set: another program */
	assert_int_equal(count_bpf(dir, &size), 2);
	json_decref(cfg);
	json_decref(cfg2);
	json_decref(unconf);
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", tmpl);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lazylib_missing),
		cmocka_unit_test(test_lazylib_missing_symbol),
		cmocka_unit_test(test_lazylib_archive),
		cmocka_unit_test(test_lazylib_curl_setopt),
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_sha256_lengths),
		cmocka_unit_test(test_digest_api),
		cmocka_unit_test(test_seccomp_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
