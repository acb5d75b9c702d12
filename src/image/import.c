/* import.c: a rootfs tarball becomes a one-layer image (`berth import`). The tarball is stored
 * as the layer blob (bzip2/xz are decompressed first: OCI has no media type for them), the
 * layer is extracted once (hostile entries refused), then the config, manifest and rows are
 * committed in one transaction. */
#include "image/import.h"
#include "util/lazy_archive.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "image/changes.h"
#include "image/istore.h"
#include "store/blob.h"
#include "util/cleanup.h"

static const char *sniff_media_type(struct store *st, const char *digest, bool *other)
{
	unsigned char m[6] = { 0 };
	berr err;
	_cleanup_close_ int fd = blob_open(st, digest, &err);
	*other = false;
	if (fd < 0 || read(fd, m, sizeof m) < 2)
		return MT_OCI_LAYER;
	if (m[0] == 0x1f && m[1] == 0x8b)
		return MT_OCI_LAYER_GZIP;
	if (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
		return MT_OCI_LAYER_ZSTD;
	if ((m[0] == 'B' && m[1] == 'Z' && m[2] == 'h') || (m[0] == 0xfd && !memcmp(m + 1, "7zXZ", 4)))
		*other = true;
	return MT_OCI_LAYER;
}

/* Decompress a blob (any filter libarchive knows) into a new plain blob. */
static int blob_decompress(struct store *st, const char *in, char out[DIGEST_STR_LEN + 1], uint64_t *size, berr *err)
{
	_cleanup_close_ int fd = blob_open(st, in, err);
	if (fd < 0)
		return -1;
	struct archive *a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	struct archive_entry *e;
	struct blob_writer *w = NULL;
	int ret = -1;
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK || archive_read_next_header(a, &e) != ARCHIVE_OK) {
		berr_set(err, EINVAL, "decompress: %s", archive_error_string(a));
		goto out;
	}
	if (blob_writer_open(st, &w, err) < 0)
		goto out;
	char buf[65536];
	for (;;) {
		la_ssize_t n = archive_read_data(a, buf, sizeof buf);
		if (n < 0) {
			berr_set(err, EINVAL, "decompress: %s", archive_error_string(a));
			goto out;
		}
		if (n == 0)
			break;
		if (blob_writer_write(w, buf, (size_t)n, err) < 0)
			goto out;
	}
	ret = blob_writer_commit(w, NULL, out, size, err);
	w = NULL;
out:
	blob_writer_abort(w);
	archive_read_free(a);
	return ret;
}

static bool blob_has_row(struct store *st, const char *digest)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	berr err;
	if (store_prepare(st, &s, "SELECT 1 FROM blobs WHERE digest = ?", &err) < 0)
		return true;
	sqlite3_bind_text(s, 1, digest, -1, SQLITE_STATIC);
	return sqlite3_step(s) == SQLITE_ROW;
}

int image_import(struct store *st, int fd, const char *src, const struct strvec *changes, const char *message,
		 const char *arch, char id_out[DIGEST_STR_LEN + 1], berr *err)
{
	_cleanup_close_ int lk = -1;
	_cleanup_free_ char *created = NULL, *msg = NULL, *cj = NULL;
	struct img_layer l;
	memset(&l, 0, sizeof l);
	if (lazylib_load_archive(err) < 0)
		return -1;
	json_t *ccfg = json_object();
	for (size_t i = 0; changes && i < changes->n; i++) {
		if (image_apply_change(ccfg, changes->v[i], err) < 0) {
			json_decref(ccfg);
			return -1;
		}
	}
	if (istore_lock(st, false, &lk, err) < 0) {
		json_decref(ccfg);
		return -1;
	}
	char raw[DIGEST_STR_LEN + 1];
	if (blob_write_fd(st, fd, NULL, raw, &l.blob_size, err) < 0) {
		json_decref(ccfg);
		return berr_wrap(err, "import");
	}
	bool raw_had_row = blob_has_row(st, raw);
	bool other;
	const char *mt = sniff_media_type(st, raw, &other);
	memcpy(l.blob, raw, sizeof raw);
	if (other) {
		if (blob_decompress(st, raw, l.blob, &l.blob_size, err) < 0)
			goto fail;
		if (!raw_had_row)
			blob_remove(st, raw, err);
	}
	snprintf(l.media_type, sizeof l.media_type, "%s", mt);
	if (layer_ensure(st, "", &l, err) < 0)
		goto fail;
	created = format_rfc3339_now();
	/* Docker's CLI streams a local file as "-", so the daemon records "Imported from -" */
	msg = message && *message ? xstrdup(message) : xasprintf("Imported from %s", strstr(src, "://") ? src : "-");
	json_t *cfg = json_object();
	json_object_set_new(cfg, "architecture", json_string(arch));
	json_object_set_new(cfg, "comment", json_string(msg));
	json_object_set_new(cfg, "config", ccfg);
	ccfg = NULL;
	json_object_set_new(cfg, "created", json_string(created));
	json_object_set_new(cfg, "docker_version", json_string("berth"));
	json_object_set_new(cfg, "history", json_pack("[{s:s, s:s}]", "created", created, "comment", msg));
	json_object_set_new(cfg, "os", json_string("linux"));
	json_object_set_new(cfg, "rootfs", json_pack("{s:s, s:[s]}", "type", "layers", "diff_ids", l.diff_id));
	cj = json_dumps(cfg, JSON_COMPACT);
	json_decref(cfg);
	struct img_new in = { .config = cj, .config_len = strlen(cj), .layers = &l, .nlayers = 1 };
	if (img_commit(st, &in, id_out, err) < 0)
		goto fail;
	return 0;
fail:
	json_decref(ccfg);
	if (!blob_has_row(st, l.blob)) {
		berr e2;
		blob_remove(st, l.blob, &e2);
	}
	return berr_wrap(err, "import");
}
