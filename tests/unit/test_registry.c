/* test_registry: the registry client's pure parts: base64, WWW-Authenticate parameters,
 * Docker's error texts from registry error bodies, credentials files (berth's auth.json,
 * mode 0600, and Docker's config.json), and the non-tty progress lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "registry/client.h"
#include "registry/progress.h"
#include "util/fs.h"

int registry_store_creds(const char *host, const char *user, const char *pass, const struct reg_opts *o, berr *err);

static void test_b64(void **state)
{
	(void)state;
	const char *vec[][2] = { { "", "" }, { "u:p", "dTpw" }, { "ab", "YWI=" }, { "tester:s3cret", "dGVzdGVyOnMzY3JldA==" } };
	for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
		char *e = reg_b64_encode(vec[i][0], strlen(vec[i][0]));
		assert_string_equal(e, vec[i][1]);
		free(e);
		char *d;
		size_t n;
		assert_int_equal(reg_b64_decode(vec[i][1], &d, &n), 0);
		assert_int_equal(n, strlen(vec[i][0]));
		assert_string_equal(d, vec[i][0]);
		free(d);
	}
	char *d;
	size_t n;
	assert_int_equal(reg_b64_decode("abc", &d, &n), -1);
}

static void test_challenge(void **state)
{
	(void)state;
	const char *ch = "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\"";
	char *v = reg_challenge_param(ch, "realm");
	assert_string_equal(v, "https://auth.docker.io/token");
	free(v);
	v = reg_challenge_param(ch, "service");
	assert_string_equal(v, "registry.docker.io");
	free(v);
	v = reg_challenge_param(ch, "scope");
	assert_string_equal(v, "repository:library/busybox:pull");
	free(v);
	assert_null(reg_challenge_param(ch, "error"));
	v = reg_challenge_param("Basic realm=plain", "realm");
	assert_string_equal(v, "plain");
	free(v);
}

static void check_fail(long status, const char *body, bool basic, const char *user, const char *want)
{
	struct reg_client c = { .host = "h", .basic = basic, .user = (char *)user };
	struct reg_resp r = { .status = status };
	if (body)
		sb_adds(&r.body, body);
	berr err = { 0 };
	assert_int_equal(reg_fail(&c, &r, &err, NULL), -1);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.status, 1);
	sb_release(&r.body);
}

static void test_errors(void **state)
{
	(void)state;
	check_fail(401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\",\"detail\":null}]}", true, "u",
		   "unauthorized: authentication required");
	check_fail(401, "", true, NULL, "no basic auth credentials");
	check_fail(404, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}", false, NULL,
		   "manifest unknown: manifest unknown");
	check_fail(403, "", false, NULL, "denied: requested access to the resource is denied");
}

static void test_creds(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_registry.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *xdg = xasprintf("%s/xdg", dir), *home = xasprintf("%s/home", dir);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	setenv("HOME", home, 1);
	unsetenv("DOCKER_CONFIG");
	char *u = NULL, *p = NULL;
	assert_int_equal(registry_get_creds("127.0.0.1:5000", NULL, &u, &p), 1);
	berr err;
	assert_int_equal(registry_store_creds("127.0.0.1:5000", "me", "pw:with:colons", NULL, &err), 0);
	char *file = xasprintf("%s/berth/auth.json", xdg);
	struct stat s;
	assert_int_equal(stat(file, &s), 0);
	assert_int_equal(s.st_mode & 0777, 0600);
	assert_int_equal(registry_get_creds("127.0.0.1:5000", NULL, &u, &p), 0);
	assert_string_equal(u, "me");
	assert_string_equal(p, "pw:with:colons");
	free(u);
	free(p);
	/* Docker Hub under Docker's key, in Docker's file */
	char *dd = xasprintf("%s/.docker", home);
	assert_int_equal(mkdir_p(dd, 0700, &err), 0);
	char *df = xasprintf("%s/config.json", dd);
	const char *js = "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"aHViOnNlY3JldA==\"}}}";
	assert_int_equal(write_file_atomic(df, js, strlen(js), 0600, &err), 0);
	assert_int_equal(registry_get_creds("docker.io", NULL, &u, &p), 0);
	assert_string_equal(u, "hub");
	assert_string_equal(p, "secret");
	free(u);
	free(p);
	bool was;
	assert_int_equal(registry_logout("127.0.0.1:5000", NULL, &was, &err), 0);
	assert_true(was);
	assert_int_equal(registry_get_creds("127.0.0.1:5000", NULL, &u, &p), 1);
	assert_int_equal(registry_logout("127.0.0.1:5000", NULL, &was, &err), 0);
	assert_false(was);
	rm_rf(dir, &err);
	free(xdg), free(home), free(file), free(dd), free(df);
}

static void test_progress_plain(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct progress pg;
	prog_init(&pg, f, false);
	prog_line(&pg, "%s: Pulling from %s", "latest", "library/busybox");
	size_t a = prog_add(&pg, "3f4d90098f5b");
	prog_status(&pg, a, "Pulling fs layer");
	prog_bar(&pg, a, "Downloading", 10, 100, true); /* not on a pipe */
	prog_status(&pg, a, "Pull complete");
	prog_status(&pg, a, "Pull complete"); /* unchanged: printed once */
	prog_line(&pg, "Digest: %s", "sha256:x");
	prog_release(&pg);
	fclose(f);
	assert_string_equal(buf, "latest: Pulling from library/busybox\n3f4d90098f5b: Pulling fs layer\n"
				 "3f4d90098f5b: Pull complete\nDigest: sha256:x\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64),
		cmocka_unit_test(test_challenge),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_creds),
		cmocka_unit_test(test_progress_plain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
