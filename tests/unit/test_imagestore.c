/* test_imagestore: the blob store (write, verify, digest mismatch, temp-area gc), chain IDs,
 * image commit/lookup/delete with refcounts, and --change instructions. */
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
#include <archive.h>
#include <archive_entry.h>
#include "image/changes.h"
#include "image/image.h"
#include "image/import.h"
#include "image/istore.h"
#include "store/blob.h"
#include "util/fs.h"

static char root[256];

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof root, "/tmp/berth-test-imagestore-%d", getpid());
	berr err;
	rm_rf(root, &err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	berr err;
	rm_rf(root, &err);
	return 0;
}

static void test_blobs(void **state)
{
	(void)state;
	struct store *st;
	berr err;
	assert_int_equal(store_open(&st, root, "/tmp", &err), 0);
	char d[DIGEST_STR_LEN + 1];
	assert_int_equal(blob_write_buf(st, "hello", 5, NULL, d, &err), 0);
	assert_string_equal(d, "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
	assert_true(blob_exists(st, d));
	assert_int_equal(blob_verify(st, d, &err), 0);
	char *data;
	size_t len;
	assert_int_equal(blob_read(st, d, &data, &len, &err), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "hello", 5);
	free(data);
	/* a wrong expected digest is refused and leaves nothing behind */
	assert_int_equal(blob_write_buf(st, "hellp", 5, d, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "digest mismatch"));
	struct blob_writer *w;
	assert_int_equal(blob_writer_open(st, &w, &err), 0);
	assert_int_equal(blob_writer_write(w, "abc", 3, &err), 0);
	assert_int_equal(blob_writer_commit(w, d, NULL, NULL, &err), -1);
	uint64_t freed;
	assert_int_equal(store_tmp_gc(st, &freed, true), 0);
	/* corrupt a blob: verify notices */
	char *p = blob_path(st, d);
	int fd = open(p, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "!", 1), 1);
	close(fd);
	free(p);
	assert_int_equal(blob_verify(st, d, &err), -1);
	assert_int_equal(blob_remove(st, d, &err), 0);
	assert_false(blob_exists(st, d));
	assert_int_equal(blob_open(st, d, &err), -1);
	store_close(st);
}

static void test_tmp_gc(void **state)
{
	(void)state;
	struct store *st;
	berr err;
	assert_int_equal(store_open(&st, root, "/tmp", &err), 0);
	int live;
	char *lp;
	assert_int_equal(store_tmp_create(st, "live", false, &live, &lp, &err), 0);
	char *dead = xasprintf("%s/tmp/dead-1", root);
	assert_int_equal(write_file_atomic(dead, "x", 1, 0600, &err), 0);
	assert_int_equal(store_tmp_gc(st, NULL, true), 1); /* dry run counts the dead one only */
	assert_int_equal(store_tmp_gc(st, NULL, false), 1);
	assert_false(path_exists(dead));
	assert_true(path_exists(lp)); /* its writer still holds the lock */
	close(live);
	assert_int_equal(store_tmp_gc(st, NULL, false), 1);
	assert_false(path_exists(lp));
	free(lp);
	free(dead);
	store_close(st);
}

static void test_chain_id(void **state)
{
	(void)state;
	char c[DIGEST_STR_LEN + 1], want[DIGEST_STR_LEN + 1];
	const char *a = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
	const char *b = "sha256:486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7";
	chain_id_next("", a, c);
	assert_string_equal(c, a);
	chain_id_next(a, b, c);
	char *s = xasprintf("%s %s", a, b);
	digest_buf(s, strlen(s), want);
	free(s);
	assert_string_equal(c, want);
}

static int count(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	berr err;
	assert_int_equal(store_prepare(st, &s, sql, &err), 0);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	int n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

static void test_commit_lookup_delete(void **state)
{
	(void)state;
	struct store *st;
	berr err;
	assert_int_equal(store_open(&st, root, "/tmp", &err), 0);
	/* two images sharing one (fake, not extracted) layer */
	struct img_layer l;
	memset(&l, 0, sizeof l);
	assert_int_equal(blob_write_buf(st, "layer", 5, NULL, l.blob, &err), 0);
	strcpy(l.diff_id, l.blob);
	strcpy(l.chain_id, l.blob);
	strcpy(l.media_type, MT_OCI_LAYER);
	l.blob_size = 5;
	l.size = 5;
	char id1[DIGEST_STR_LEN + 1], id2[DIGEST_STR_LEN + 1];
	const char *c1 = "{\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"created\":\"2024-01-01T00:00:00Z\"}";
	const char *c2 = "{\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"created\":\"2024-01-02T00:00:00Z\"}";
	struct img_new in = { .config = c1, .config_len = strlen(c1), .layers = &l, .nlayers = 1 };
	assert_int_equal(img_commit(st, &in, id1, &err), 0);
	in.config = c2;
	in.config_len = strlen(c2);
	assert_int_equal(img_commit(st, &in, id2, &err), 0);
	assert_int_equal(img_commit(st, &in, id2, &err), 0); /* idempotent */
	assert_int_equal(count(st, "SELECT refs FROM layers"), 2);
	assert_int_equal(count(st, "SELECT refs FROM blobs WHERE media_type = 'application/vnd.oci.image.layer.v1.tar'"), 2);
	assert_int_equal(img_tag(st, "docker.io/library/a:latest", id1, NULL, &err), 0);
	char *id = NULL, *matched = NULL;
	assert_int_equal(img_lookup(st, "a", &id, &matched, &err), 0);
	assert_string_equal(id, id1);
	assert_string_equal(matched, "docker.io/library/a:latest");
	free(id);
	free(matched);
	char prefix[8];
	memcpy(prefix, id2 + 7, 6);
	prefix[6] = 0;
	assert_int_equal(img_lookup(st, prefix, &id, NULL, &err), 0);
	assert_string_equal(id, id2);
	free(id);
	assert_int_equal(img_lookup(st, "nosuch", &id, NULL, &err), -1);
	assert_string_equal(err.msg, "No such image: nosuch:latest");
	assert_int_equal(img_lookup(st, "Bad", &id, NULL, &err), -1);
	/* delete one: the shared layer stays; delete both: gc removes rows and files */
	assert_int_equal(img_untag(st, "docker.io/library/a:latest", &err), 0);
	assert_int_equal(img_delete(st, id1, &err), 0);
	uint64_t freed;
	assert_int_equal(img_gc(st, &freed, NULL, &err), 0);
	assert_int_equal(count(st, "SELECT refs FROM layers"), 1);
	assert_true(blob_exists(st, l.blob));
	assert_int_equal(img_delete(st, id2, &err), 0);
	assert_int_equal(img_gc(st, &freed, NULL, &err), 0);
	assert_int_equal(count(st, "SELECT COUNT(*) FROM layers"), 0);
	assert_int_equal(count(st, "SELECT COUNT(*) FROM blobs"), 0);
	assert_false(blob_exists(st, l.blob));
	assert_false(blob_exists(st, id2));
	store_close(st);
}

static void test_changes(void **state)
{
	(void)state;
	json_t *c = json_object();
	berr err;
	assert_int_equal(image_apply_change(c, "CMD echo hi", &err), 0);
	assert_int_equal(image_apply_change(c, "entrypoint [\"/bin/sh\", \"-c\"]", &err), 0);
	assert_int_equal(image_apply_change(c, "ENV A=1 B=\"x y\" C=z\\ w", &err), 0);
	assert_int_equal(image_apply_change(c, "ENV A 2 3", &err), 0);
	assert_int_equal(image_apply_change(c, "EXPOSE 80 53/udp", &err), 0);
	assert_int_equal(image_apply_change(c, "VOLUME [\"/data\"]", &err), 0);
	assert_int_equal(image_apply_change(c, "LABEL a=b", &err), 0);
	assert_int_equal(image_apply_change(c, "STOPSIGNAL SIGTERM", &err), 0);
	assert_int_equal(image_apply_change(c, "RUN true", &err), -1);
	assert_string_equal(err.msg, "run is not a valid change command");
	char *s = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"Cmd\":[\"/bin/sh\",\"-c\",\"echo hi\"],\"Entrypoint\":[\"/bin/sh\",\"-c\"],"
			       "\"Env\":[\"A=2 3\",\"B=x y\",\"C=z w\"],\"ExposedPorts\":{\"53/udp\":{},\"80/tcp\":{}},"
			       "\"Labels\":{\"a\":\"b\"},\"StopSignal\":\"SIGTERM\",\"Volumes\":{\"/data\":{}}}");
	free(s);
	json_decref(c);
}

/* a one-file tar in a temp file, returned open at offset 0 */
static int small_tar(const char *name, const char *content)
{
	char path[] = "/tmp/berth-test-tar-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)strlen(content));
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, content, strlen(content)), (la_ssize_t)strlen(content));
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static void test_resolve_for_run(void **state)
{
	(void)state;
	struct store *st;
	berr err;
	assert_int_equal(store_open(&st, root, "/tmp", &err), 0);
	int fd = small_tar("hello.txt", "hi\n");
	struct strvec changes = STRVEC_INIT;
	sv_push(&changes, "ENV A=1");
	char id[DIGEST_STR_LEN + 1];
	assert_int_equal(image_import(st, fd, "-", &changes, NULL, "amd64", id, &err), 0);
	close(fd);
	sv_clear(&changes);
	assert_int_equal(img_tag(st, "docker.io/library/t:1", id, NULL, &err), 0);
	struct image_run_info info;
	assert_int_equal(image_resolve_for_run(st, "t:1", &info, &err), 0);
	assert_string_equal(info.id, id);
	assert_string_equal(info.ref, "docker.io/library/t:1");
	assert_int_equal(info.layer_dirs.n, 1);
	char *f = xasprintf("%s/hello.txt", info.layer_dirs.v[0]);
	assert_true(path_exists(f));
	json_t *env = json_object_get(json_object_get(info.config, "config"), "Env");
	assert_string_equal(json_string_value(json_array_get(env, 0)), "A=1");
	/* a layer dir that vanished is extracted again */
	assert_int_equal(rm_rf(info.layer_dirs.v[0], &err), 0);
	image_run_info_release(&info);
	assert_int_equal(image_resolve_for_run(st, id + 7, &info, &err), 0); /* by ID */
	assert_true(path_exists(f));
	free(f);
	image_run_info_release(&info);
	assert_int_equal(image_resolve_for_run(st, "nosuch", &info, &err), -1);
	assert_string_equal(err.msg, "No such image: nosuch:latest");
	/* holders */
	assert_int_equal(image_ref_add(st, "t:1", "ctr1", &err), 0);
	assert_int_equal(count(st, "SELECT COUNT(*) FROM image_holders"), 1);
	assert_int_equal(image_ref_drop(st, "t:1", "ctr1", &err), 0);
	assert_int_equal(count(st, "SELECT COUNT(*) FROM image_holders"), 0);
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_blobs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tmp_gc, setup, teardown),
		cmocka_unit_test(test_chain_id),
		cmocka_unit_test_setup_teardown(test_commit_lookup_delete, setup, teardown),
		cmocka_unit_test(test_changes),
		cmocka_unit_test_setup_teardown(test_resolve_for_run, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
