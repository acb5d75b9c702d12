/* test_build_io: the builder's input/output option parsers (--secret, -o, --cache-to/-from),
 * ADD URL source classification and COPY --parents pattern expansion (context and a plain
 * directory tree), under ASan+UBSan. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "build/io.h"
#include "util/cleanup.h"
#include "util/fs.h"

static char tmp[] = "/tmp/test_build_io.XXXXXX";

static void put(const char *rel, const char *content)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", tmp, rel);
	_cleanup_free_ char *d = xstrdup(p);
	*strrchr(d, '/') = 0;
	berr e = { 0 };
	assert_int_equal(mkdir_p(d, 0755, &e), 0);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmp))
		return -1;
	put("ctx/x/a.txt", "xa");
	put("ctx/y/a.txt", "ya");
	put("ctx/src/a.txt", "1");
	put("ctx/src/x/b.txt", "2");
	put("ctx/src/x/y/c.txt", "3");
	put("ctx/src/x/y/c.md", "no");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	berr e;
	rm_rf(tmp, &e);
	return 0;
}

static void test_secrets_parse(void **state)
{
	(void)state;
	struct strvec v = STRVEC_INIT;
	struct bsecrets s;
	berr e = { 0 };
	setenv("TEST_BIO_SET", "x", 1);
	unsetenv("TEST_BIO_UNSET");
	sv_push(&v, "id=a,src=/f");
	sv_push(&v, "id=b,env=V");
	sv_push(&v, "id=TEST_BIO_SET");
	sv_push(&v, "id=TEST_BIO_UNSET");
	sv_push(&v, "type=env,id=c,src=W");
	sv_push(&v, "id=a,source=/g"); /* a later one with the same id wins */
	assert_int_equal(bsecrets_parse(&v, &s, &e), 0);
	assert_int_equal(s.n, 5);
	assert_string_equal(s.v[0].id, "a");
	assert_string_equal(s.v[0].file, "/g");
	assert_string_equal(s.v[1].env, "V");
	assert_string_equal(s.v[2].env, "TEST_BIO_SET");
	assert_null(s.v[2].file);
	assert_string_equal(s.v[3].file, "TEST_BIO_UNSET");
	assert_string_equal(s.v[4].env, "W");
	assert_null(s.v[4].file);
	bsecrets_release(&s);
	sv_clear(&v);
	sv_push(&v, "src=/f");
	assert_int_equal(bsecrets_parse(&v, &s, &e), -1);
	assert_string_equal(e.msg, "secret missing ID");
	sv_clear(&v);
	sv_push(&v, "id=a,what=1");
	assert_int_equal(bsecrets_parse(&v, &s, &e), -1);
	assert_string_equal(e.msg, "unexpected key 'what' in 'what=1'");
	sv_clear(&v);
	sv_push(&v, "id=a,type=ssh");
	assert_int_equal(bsecrets_parse(&v, &s, &e), -1);
	sv_clear(&v);
}

static void test_output_parse(void **state)
{
	(void)state;
	struct strvec v = STRVEC_INIT;
	struct boutput o;
	berr e = { 0 };
	assert_int_equal(boutput_parse(&v, &o, &e), 0);
	assert_int_equal(o.type, BOUT_IMAGE);
	boutput_release(&o);
	sv_push(&v, "out/dir");
	assert_int_equal(boutput_parse(&v, &o, &e), 0);
	assert_int_equal(o.type, BOUT_LOCAL);
	assert_string_equal(o.dest, "out/dir");
	boutput_release(&o);
	sv_clear(&v);
	sv_push(&v, "-");
	assert_int_equal(boutput_parse(&v, &o, &e), 0);
	assert_int_equal(o.type, BOUT_TAR);
	assert_string_equal(o.dest, "-");
	boutput_release(&o);
	sv_clear(&v);
	sv_push(&v, "type=oci,dest=/x.tar,name=a:1");
	assert_int_equal(boutput_parse(&v, &o, &e), 0);
	assert_int_equal(o.type, BOUT_OCI);
	assert_string_equal(o.names.v[0], "a:1");
	boutput_release(&o);
	sv_clear(&v);
	sv_push(&v, "type=docker");
	assert_int_equal(boutput_parse(&v, &o, &e), 0);
	assert_int_equal(o.type, BOUT_IMAGE);
	boutput_release(&o);
	sv_clear(&v);
	sv_push(&v, "type=local");
	assert_int_equal(boutput_parse(&v, &o, &e), -1);
	assert_string_equal(e.msg, "dest is required for local output");
	sv_clear(&v);
	sv_push(&v, "type=registry");
	assert_int_equal(boutput_parse(&v, &o, &e), -1);
	sv_push(&v, "b");
	assert_int_equal(boutput_parse(&v, &o, &e), -1);
	sv_clear(&v);
}

static void test_cache_parse(void **state)
{
	(void)state;
	struct strvec from = STRVEC_INIT, to = STRVEC_INIT;
	struct bcache_io c;
	berr e = { 0 };
	sv_push(&from, "type=local,src=/a");
	sv_push(&from, "type=local,src=/b");
	sv_push(&to, "type=local,dest=/c,mode=max");
	assert_int_equal(bcio_parse(&from, &to, &c, &e), 0);
	assert_int_equal(c.from.n, 2);
	assert_string_equal(c.to, "/c");
	assert_true(c.max);
	bcio_note(&c, "sha256:1", 0);
	assert_int_equal(c.nnotes, 1);
	bcio_release(&c);
	sv_clear(&to);
	sv_push(&to, "type=local,dest=/c,mode=most");
	assert_int_equal(bcio_parse(&from, &to, &c, &e), -1);
	sv_clear(&to);
	sv_push(&to, "user/app:cache");
	assert_int_equal(bcio_parse(&from, &to, &c, &e), -1);
	sv_clear(&to);
	sv_push(&to, "type=gha,scope=x");
	assert_int_equal(bcio_parse(&from, &to, &c, &e), -1);
	assert_non_null(strstr(e.msg, "only type=local"));
	sv_clear(&to);
	sv_clear(&from);
}

static void test_url_kinds(void **state)
{
	(void)state;
	assert_true(burl_is_url("http://h/f.txt"));
	assert_true(burl_is_url("HTTPS://h/f.txt"));
	assert_false(burl_is_url("https://github.com/a/b.git"));
	assert_false(burl_is_url("https://github.com/a/b.git#main"));
	assert_true(burl_is_remote("https://github.com/a/b.git"));
	assert_true(burl_is_remote("git@github.com:a/b.git"));
	assert_true(burl_is_remote("ftp://h/x"));
	assert_false(burl_is_remote("src/main.c"));
	struct burls u = { 0 };
	char key[DIGEST_STR_LEN + 1];
	berr e = { 0 };
	const char *srcs[] = { "git@github.com:a/b.git" };
	assert_int_equal(burls_key(&u, srcs, 1, NULL, tmp, key, &e), -1);
	assert_non_null(strstr(e.msg, "not supported"));
	const char *s2[] = { "http://127.0.0.1:9/f" };
	assert_int_equal(burls_key(&u, s2, 1, "md5:abc", tmp, key, &e), -1);
	assert_non_null(strstr(e.msg, "invalid checksum"));
	/* a pinned checksum gives the key without any request */
	const char *sum = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	assert_int_equal(burls_key(&u, s2, 1, sum, tmp, key, &e), 0);
	char key2[DIGEST_STR_LEN + 1];
	const char *s3[] = { "http://127.0.0.1:9/other/f" };
	assert_int_equal(burls_key(&u, s3, 1, sum, tmp, key2, &e), 0);
	assert_string_equal(key, key2); /* same name and content: same key, as BuildKit */
	burls_release(&u);
}

static void test_parents_ctx(void **state)
{
	(void)state;
	_cleanup_free_ char *dir = xasprintf("%s/ctx", tmp);
	struct bctx *c = NULL;
	struct bctx_opts co = { .no_ignore = true };
	berr e = { 0 };
	assert_int_equal(bctx_open(dir, &co, &c, &e), 0);
	struct bparents p;
	const char *s1[] = { "./x/a.txt", "./y/a.txt", "nothere" };
	assert_int_equal(bparents_expand_ctx(c, s1, 3, &p, &e), 0);
	assert_int_equal(p.src.n, 2);
	assert_string_equal(p.rel.v[0], "x/a.txt");
	assert_string_equal(p.rel.v[1], "y/a.txt");
	bparents_release(&p);
	const char *s2[] = { "./src/**/*.txt" };
	assert_int_equal(bparents_expand_ctx(c, s2, 1, &p, &e), 0);
	assert_int_equal(p.src.n, 3);
	assert_string_equal(p.src.v[0], "src/a.txt");
	assert_string_equal(p.src.v[1], "src/x/b.txt");
	assert_string_equal(p.src.v[2], "src/x/y/c.txt");
	bparents_release(&p);
	const char *s3[] = { "./src/./x/y/*.txt" };
	assert_int_equal(bparents_expand_ctx(c, s3, 1, &p, &e), 0);
	assert_int_equal(p.src.n, 1);
	assert_string_equal(p.rel.v[0], "x/y/c.txt");
	bparents_release(&p);
	const char *s4[] = { "src/x" }; /* a directory goes with its subtree, once */
	assert_int_equal(bparents_expand_ctx(c, s4, 1, &p, &e), 0);
	assert_int_equal(p.src.n, 1);
	assert_string_equal(p.rel.v[0], "src/x");
	bparents_release(&p);
	bctx_free(c);
	/* the same against a plain tree (COPY --from) */
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	const char *s5[] = { "/src/./**/*.md" };
	assert_int_equal(bparents_expand_root(fd, s5, 1, &p, &e), 0);
	assert_int_equal(p.src.n, 1);
	assert_string_equal(p.src.v[0], "src/x/y/c.md");
	assert_string_equal(p.rel.v[0], "x/y/c.md");
	bparents_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secrets_parse),
		cmocka_unit_test(test_output_parse),
		cmocka_unit_test(test_cache_parse),
		cmocka_unit_test(test_url_kinds),
		cmocka_unit_test(test_parents_ctx),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
