/* test_ref: image references, with test vectors from distribution/reference's
 * normalize_test.go / reference_test.go (valid and invalid names, normalisation, familiar form). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "image/ref.h"

static void check_full(const char *in, const char *full, const char *familiar)
{
	struct ref r;
	berr err;
	if (ref_parse(in, &r, &err) < 0)
		fail_msg("%s: %s", in, err.msg);
	char *s = ref_string(&r);
	if (strcmp(s, full))
		fail_msg("%s: got %s, want %s", in, s, full);
	free(s);
	s = ref_familiar_string(&r);
	if (familiar && strcmp(s, familiar))
		fail_msg("%s: familiar %s, want %s", in, s, familiar);
	free(s);
	ref_free(&r);
}

static void test_normalise(void **state)
{
	(void)state;
	check_full("busybox", "docker.io/library/busybox", "busybox");
	check_full("busybox:latest", "docker.io/library/busybox:latest", "busybox:latest");
	check_full("library/debian", "docker.io/library/debian", "debian");
	check_full("docker.io/debian", "docker.io/library/debian", "debian");
	check_full("index.docker.io/debian", "docker.io/library/debian", "debian");
	check_full("index.docker.io/library/debian", "docker.io/library/debian", "debian");
	check_full("docker/docker", "docker.io/docker/docker", "docker/docker");
	check_full("fooo/bar", "docker.io/fooo/bar", "fooo/bar");
	check_full("other/library", "docker.io/other/library", "other/library");
	check_full("127.0.0.1:5000/docker/docker", "127.0.0.1:5000/docker/docker", "127.0.0.1:5000/docker/docker");
	check_full("127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase", NULL);
	check_full("example.com:8000/private/moonbase", "example.com:8000/private/moonbase", NULL);
	check_full("localhost:5000/a/b:t", "localhost:5000/a/b:t", "localhost:5000/a/b:t");
	check_full("localhost/a", "localhost/a", "localhost/a");
	check_full("ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base", "ubuntu-12.04-base");
	check_full("busybox@sha256:7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa",
		   "docker.io/library/busybox@sha256:7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa",
		   "busybox@sha256:7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa");
	check_full("busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa",
		   "docker.io/library/busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa", NULL);
	check_full("docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
		   "docker.io/library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", NULL);
	check_full("[::1]:5000/a/b", "[::1]:5000/a/b", NULL);
	check_full("a.b.c/x_y__z-w---v.q:T1.x-y", "a.b.c/x_y__z-w---v.q:T1.x-y", NULL);
	check_full("localhost:5000", "docker.io/library/localhost:5000", "localhost:5000");
}

static void test_valid_invalid(void **state)
{
	(void)state;
	static const char *valid[] = {
		"docker/docker", "library/debian", "debian", "docker.io/docker/docker", "docker.io/library/debian",
		"docker.io/debian", "index.docker.io/docker/docker", "index.docker.io/library/debian", "index.docker.io/debian",
		"127.0.0.1:5000/docker/docker", "127.0.0.1:5000/library/debian", "127.0.0.1:5000/debian",
		"thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "docker-rules/docker", "docker---rules/docker",
		"doc/docker", "d/docker", "jess/t", "dock__er/docker",
	};
	static const char *invalid[] = {
		"https://github.com/docker/docker", "docker/Docker", "-docker", "-docker/docker", "-docker.io/docker/docker",
		"docker///docker", "docker.io/docker/Docker", "docker.io/docker///docker",
		"1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "docker-/docker", "-docker-/docker",
		"____/____", "_docker/_docker", "dock..er/docker", "dock_.er/docker", "dock-.er/docker", "docker/", "",
		"busybox:", "busybox:-tag", "busybox@sha256:abc", "busybox@sha256:7CC4B5AEFD1D0CADF8D97D4350462BA51C694EBCA145B08D7D41B41ACC8DB5AA",
		"Uppercase:tag", "a:b:c", "example.com:port/x",
		"this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_"
		"greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_"
		"its_lenth_is_greater_than_255/docker",
	};
	for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
		struct ref r;
		berr err;
		if (ref_parse(valid[i], &r, &err) < 0)
			fail_msg("should be valid: %s (%s)", valid[i], err.msg);
		ref_free(&r);
	}
	for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
		struct ref r;
		berr err;
		if (ref_parse(invalid[i], &r, &err) == 0)
			fail_msg("should be invalid: %s", invalid[i]);
	}
}

static void test_messages(void **state)
{
	(void)state;
	struct ref r;
	berr err;
	assert_int_equal(ref_parse("1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", &r, &err), -1);
	assert_non_null(strstr(err.msg, "cannot specify 64-byte hexadecimal strings"));
	assert_int_equal(ref_parse("Busybox", &r, &err), -1);
	assert_string_equal(err.msg, "invalid reference format: repository name must be lowercase");
	assert_int_equal(ref_parse("bad name", &r, &err), -1);
	assert_string_equal(err.msg, "invalid reference format");
}

static void test_tagged_default(void **state)
{
	(void)state;
	struct ref r;
	berr err;
	assert_int_equal(ref_parse_tagged("busybox", &r, &err), 0);
	char *s = ref_string(&r);
	assert_string_equal(s, "docker.io/library/busybox:latest");
	free(s);
	s = ref_familiar_name(&r);
	assert_string_equal(s, "busybox");
	free(s);
	ref_free(&r);
	s = ref_familiarize("docker.io/library/busybox:1.36");
	assert_string_equal(s, "busybox:1.36");
	free(s);
	s = ref_familiarize("quay.io/x/y:z");
	assert_string_equal(s, "quay.io/x/y:z");
	free(s);
	assert_true(ref_is_full_id("1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a"));
	assert_false(ref_is_full_id("1a3f5e7d9c1b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_valid_invalid),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_tagged_default),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
