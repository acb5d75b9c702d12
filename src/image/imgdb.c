/* imgdb.c: the image tables (images, tags, repo digests, layers by chain ID, blobs, and which
 * image references which) and the transactions that change them. Reference counts on layers
 * and blobs are kept by triggers on the link tables, so they change atomically with them;
 * `system check` recomputes and compares them. */
#include "image/istore.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#include "image/ref.h"
#include "store/blob.h"
#include "util/cleanup.h"
#include "util/fs.h"

BERTH_SCHEMA(image_schema) = {
	"image",
	"CREATE TABLE IF NOT EXISTS images ("
	"  id TEXT PRIMARY KEY, manifest_digest TEXT NOT NULL, manifest_media_type TEXT NOT NULL,"
	"  added INTEGER NOT NULL, size INTEGER NOT NULL, parent TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE IF NOT EXISTS image_tags (name TEXT PRIMARY KEY, image_id TEXT NOT NULL REFERENCES images(id),"
	"  tagged INTEGER NOT NULL);" /* nanoseconds */
	"CREATE INDEX IF NOT EXISTS image_tags_by_image ON image_tags(image_id);"
	"CREATE TABLE IF NOT EXISTS image_digests (name TEXT PRIMARY KEY, image_id TEXT NOT NULL REFERENCES images(id));"
	"CREATE TABLE IF NOT EXISTS layers (chain_id TEXT PRIMARY KEY, diff_id TEXT NOT NULL, parent TEXT NOT NULL,"
	"  size INTEGER NOT NULL, refs INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS blobs (digest TEXT PRIMARY KEY, size INTEGER NOT NULL, media_type TEXT NOT NULL,"
	"  diff_id TEXT NOT NULL DEFAULT '', refs INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS image_layers (image_id TEXT NOT NULL REFERENCES images(id), idx INTEGER NOT NULL,"
	"  chain_id TEXT NOT NULL REFERENCES layers(chain_id), blob TEXT NOT NULL, PRIMARY KEY(image_id, idx));"
	"CREATE TABLE IF NOT EXISTS image_blobs (image_id TEXT NOT NULL REFERENCES images(id),"
	"  digest TEXT NOT NULL REFERENCES blobs(digest), PRIMARY KEY(image_id, digest));"
	"CREATE TABLE IF NOT EXISTS image_holders (image_id TEXT NOT NULL, holder TEXT NOT NULL, PRIMARY KEY(image_id, holder));"
	"CREATE TRIGGER IF NOT EXISTS image_layers_ins AFTER INSERT ON image_layers BEGIN"
	"  UPDATE layers SET refs = refs + 1 WHERE chain_id = NEW.chain_id; END;"
	"CREATE TRIGGER IF NOT EXISTS image_layers_del AFTER DELETE ON image_layers BEGIN"
	"  UPDATE layers SET refs = refs - 1 WHERE chain_id = OLD.chain_id; END;"
	"CREATE TRIGGER IF NOT EXISTS image_blobs_ins AFTER INSERT ON image_blobs BEGIN"
	"  UPDATE blobs SET refs = refs + 1 WHERE digest = NEW.digest; END;"
	"CREATE TRIGGER IF NOT EXISTS image_blobs_del AFTER DELETE ON image_blobs BEGIN"
	"  UPDATE blobs SET refs = refs - 1 WHERE digest = OLD.digest; END;",
};

int istore_lock(struct store *st, bool exclusive, int *fd, berr *err)
{
	_cleanup_free_ char *p = store_path(st, "gc.lock");
	*fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0)
		return berr_sys(err, "open %s", p);
	if (flock(*fd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
		berr_sys(err, "lock %s", p);
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

void short_id(const char *id, char out[13])
{
	const char *h = strncmp(id, "sha256:", 7) ? id : id + 7;
	snprintf(out, 13, "%s", h);
}

static int step_done(struct store *st, sqlite3_stmt *s, berr *err, const char *what)
{
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_dberr(st, err, what);
	return 0;
}

static json_t *generate_manifest(const char *config_digest, size_t config_len, const struct img_layer *l, size_t n)
{
	json_t *layers = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(layers, json_pack("{s:s, s:s, s:I}", "mediaType", l[i].media_type, "digest", l[i].blob,
							"size", (json_int_t)l[i].blob_size));
	return json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:o}", "schemaVersion", 2, "mediaType", MT_OCI_MANIFEST, "config",
			 "mediaType", MT_OCI_CONFIG, "digest", config_digest, "size", (json_int_t)config_len, "layers", layers);
}

static int insert_blob(struct store *st, const char *digest, uint64_t size, const char *mt, const char *diff_id, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "INSERT INTO blobs(digest, size, media_type, diff_id) VALUES(?,?,?,?) "
			  "ON CONFLICT(digest) DO UPDATE SET diff_id = CASE WHEN excluded.diff_id != '' THEN excluded.diff_id ELSE diff_id END",
			  err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, digest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)size);
	sqlite3_bind_text(s, 3, mt, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, diff_id ? diff_id : "", -1, SQLITE_STATIC);
	return step_done(st, s, err, "insert blob");
}

static int link_blob(struct store *st, const char *id, const char *digest, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "INSERT OR IGNORE INTO image_blobs(image_id, digest) VALUES(?,?)", err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, digest, -1, SQLITE_STATIC);
	return step_done(st, s, err, "link blob");
}

int img_commit(struct store *st, const struct img_new *in, char id_out[DIGEST_STR_LEN + 1], berr *err)
{
	char cfgd[DIGEST_STR_LEN + 1], mand[DIGEST_STR_LEN + 1];
	_cleanup_free_ char *genman = NULL;
	const char *man = in->manifest, *mt = in->manifest_media_type;
	size_t manlen = in->manifest_len;
	if (blob_write_buf(st, in->config, in->config_len, NULL, cfgd, err) < 0)
		return -1;
	if (!man) {
		json_t *m = generate_manifest(cfgd, in->config_len, in->layers, in->nlayers);
		genman = json_dumps(m, JSON_COMPACT);
		json_decref(m);
		man = genman;
		manlen = strlen(genman);
		mt = MT_OCI_MANIFEST;
	}
	if (blob_write_buf(st, man, manlen, NULL, mand, err) < 0)
		return -1;
	uint64_t size = 0;
	for (size_t i = 0; i < in->nlayers; i++)
		size += in->layers[i].size;
	memcpy(id_out, cfgd, sizeof cfgd);

	if (store_begin(st, err) < 0)
		return -1;
	{
		_cleanup_stmt_ sqlite3_stmt *s = NULL;
		if (store_prepare(st, &s, "INSERT OR IGNORE INTO images(id, manifest_digest, manifest_media_type, added, size, parent) "
				  "VALUES(?,?,?,?,?,?)", err) < 0)
			goto fail;
		sqlite3_bind_text(s, 1, cfgd, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, mand, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, mt, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)time(NULL));
		sqlite3_bind_int64(s, 5, (sqlite3_int64)size);
		sqlite3_bind_text(s, 6, in->parent ? in->parent : "", -1, SQLITE_STATIC);
		if (step_done(st, s, err, "insert image") < 0)
			goto fail;
		if (sqlite3_changes(st->db) == 0) { /* already stored: nothing more to link */
			if (store_commit(st, err) < 0)
				goto fail;
			return 0;
		}
	}
	if (insert_blob(st, cfgd, in->config_len, MT_OCI_CONFIG, NULL, err) < 0 || link_blob(st, cfgd, cfgd, err) < 0 ||
	    insert_blob(st, mand, manlen, mt, NULL, err) < 0 || link_blob(st, cfgd, mand, err) < 0)
		goto fail;
	for (size_t i = 0; i < in->nlayers; i++) {
		const struct img_layer *l = &in->layers[i];
		_cleanup_stmt_ sqlite3_stmt *s = NULL, *s2 = NULL;
		if (insert_blob(st, l->blob, l->blob_size, l->media_type, l->diff_id, err) < 0 || link_blob(st, cfgd, l->blob, err) < 0)
			goto fail;
		if (store_prepare(st, &s, "INSERT OR IGNORE INTO layers(chain_id, diff_id, parent, size) VALUES(?,?,?,?)", err) < 0)
			goto fail;
		sqlite3_bind_text(s, 1, l->chain_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, l->diff_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, i ? in->layers[i - 1].chain_id : "", -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)l->size);
		if (step_done(st, s, err, "insert layer") < 0)
			goto fail;
		if (store_prepare(st, &s2, "INSERT INTO image_layers(image_id, idx, chain_id, blob) VALUES(?,?,?,?)", err) < 0)
			goto fail;
		sqlite3_bind_text(s2, 1, cfgd, -1, SQLITE_STATIC);
		sqlite3_bind_int(s2, 2, (int)i);
		sqlite3_bind_text(s2, 3, l->chain_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s2, 4, l->blob, -1, SQLITE_STATIC);
		if (step_done(st, s2, err, "link layer") < 0)
			goto fail;
	}
	if (store_commit(st, err) < 0)
		goto fail;
	return 0;
fail:
	store_rollback(st);
	return -1;
}

int img_tag(struct store *st, const char *name, const char *id, char **old_id, berr *err)
{
	if (old_id)
		*old_id = NULL;
	if (store_begin(st, err) < 0)
		return -1;
	{
		_cleanup_stmt_ sqlite3_stmt *q = NULL, *s = NULL;
		if (store_prepare(st, &q, "SELECT image_id FROM image_tags WHERE name = ?", err) < 0)
			goto fail;
		sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW && old_id && strcmp((const char *)sqlite3_column_text(q, 0), id))
			*old_id = xstrdup((const char *)sqlite3_column_text(q, 0));
		if (store_prepare(st, &s, "INSERT OR REPLACE INTO image_tags(name, image_id, tagged) VALUES(?,?,?)", err) < 0)
			goto fail;
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)ts.tv_sec * 1000000000LL + ts.tv_nsec);
		if (step_done(st, s, err, "tag image") < 0)
			goto fail;
	}
	if (store_commit(st, err) < 0)
		goto fail;
	return 0;
fail:
	store_rollback(st);
	return -1;
}

int img_untag(struct store *st, const char *name, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "DELETE FROM image_tags WHERE name = ?", err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if (step_done(st, s, err, "untag") < 0)
		return -1;
	if (sqlite3_changes(st->db) == 0) {
		_cleanup_stmt_ sqlite3_stmt *d = NULL;
		if (store_prepare(st, &d, "DELETE FROM image_digests WHERE name = ?", err) < 0)
			return -1;
		sqlite3_bind_text(d, 1, name, -1, SQLITE_STATIC);
		if (step_done(st, d, err, "untag") < 0)
			return -1;
		return sqlite3_changes(st->db) ? 0 : 1;
	}
	return 0;
}

static int one_col(struct store *st, const char *sql, const char *arg, char **out, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	*out = NULL;
	if (store_prepare(st, &s, sql, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = xstrdup((const char *)sqlite3_column_text(s, 0));
		if (sqlite3_step(s) == SQLITE_ROW) { /* ambiguous */
			free(*out);
			*out = NULL;
			return 2;
		}
		return 0;
	}
	if (rc != SQLITE_DONE)
		return store_dberr(st, err, "lookup");
	return 1;
}

static bool is_hex_prefix(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

int img_lookup(struct store *st, const char *s, char **id, char **matched_ref, berr *err)
{
	*id = NULL;
	if (matched_ref)
		*matched_ref = NULL;
	int rc;
	if (!strncmp(s, "sha256:", 7) && is_hex_prefix(s + 7)) {
		_cleanup_free_ char *like = xasprintf("%s%%", s);
		rc = one_col(st, "SELECT id FROM images WHERE id LIKE ?", like, id, err);
		if (rc == 0)
			return 0;
		if (rc < 0)
			return -1;
		return berr_set(err, ENOENT, "No such image: %s", s);
	}
	struct ref r;
	berr perr;
	if (ref_parse_tagged(s, &r, &perr) == 0) {
		_cleanup_free_ char *full = ref_string(&r);
		bool dg = r.digest != NULL;
		if (r.digest && r.tag) { /* name:tag@digest: the digest wins */
			free(r.tag);
			r.tag = NULL;
			free(full);
			full = ref_string(&r);
		}
		ref_free(&r);
		rc = one_col(st, dg ? "SELECT image_id FROM image_digests WHERE name = ?" : "SELECT image_id FROM image_tags WHERE name = ?",
			     full, id, err);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			if (matched_ref)
				*matched_ref = steal_pointer(&full);
			return 0;
		}
	}
	if (is_hex_prefix(s)) {
		_cleanup_free_ char *like = xasprintf("sha256:%s%%", s);
		rc = one_col(st, "SELECT id FROM images WHERE id LIKE ?", like, id, err);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return 0;
	}
	if (!ref_is_full_id(s) && !is_hex_prefix(s)) {
		if (ref_parse_tagged(s, &r, &perr) < 0) /* Docker reports a malformed reference as such */
			return berr_set(err, EINVAL, "%s", perr.msg);
		/* Docker names the reference it looked for: "No such image: busybox:latest" */
		_cleanup_free_ char *fam = ref_familiar_string(&r);
		ref_free(&r);
		return berr_set(err, ENOENT, "No such image: %s", fam);
	}
	return berr_set(err, ENOENT, "No such image: %s", s);
}

int img_list(struct store *st, struct strvec *ids, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "SELECT id FROM images ORDER BY added DESC, id", err) < 0)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW)
		sv_push(ids, (const char *)sqlite3_column_text(s, 0));
	return 0;
}

void img_info_release(struct img_info *in)
{
	free(in->id);
	json_decref(in->config);
	free(in->manifest_digest);
	free(in->manifest_media_type);
	free(in->parent);
	sv_clear(&in->tags);
	sv_clear(&in->digests);
	free(in->layers);
	memset(in, 0, sizeof *in);
}

int img_get(struct store *st, const char *id, struct img_info *out, berr *err)
{
	memset(out, 0, sizeof *out);
	{
		_cleanup_stmt_ sqlite3_stmt *s = NULL;
		if (store_prepare(st, &s, "SELECT manifest_digest, manifest_media_type, added, size, parent FROM images WHERE id = ?", err) < 0)
			return -1;
		sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_ROW)
			return berr_set(err, ENOENT, "No such image: %s", id);
		out->id = xstrdup(id);
		out->manifest_digest = xstrdup((const char *)sqlite3_column_text(s, 0));
		out->manifest_media_type = xstrdup((const char *)sqlite3_column_text(s, 1));
		out->added = sqlite3_column_int64(s, 2);
		out->size = (uint64_t)sqlite3_column_int64(s, 3);
		out->parent = xstrdup((const char *)sqlite3_column_text(s, 4));
	}
	out->tagged = 0;
	{
		_cleanup_stmt_ sqlite3_stmt *s = NULL;
		if (store_prepare(st, &s, "SELECT name, tagged FROM image_tags WHERE image_id = ? ORDER BY name", err) < 0)
			goto fail;
		sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
		while (sqlite3_step(s) == SQLITE_ROW) {
			sv_push(&out->tags, (const char *)sqlite3_column_text(s, 0));
			if (sqlite3_column_int64(s, 1) > out->tagged)
				out->tagged = sqlite3_column_int64(s, 1);
		}
	}
	{
		_cleanup_stmt_ sqlite3_stmt *s = NULL;
		if (store_prepare(st, &s, "SELECT name FROM image_digests WHERE image_id = ? ORDER BY name", err) < 0)
			goto fail;
		sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
		while (sqlite3_step(s) == SQLITE_ROW)
			sv_push(&out->digests, (const char *)sqlite3_column_text(s, 0));
	}
	{
		_cleanup_stmt_ sqlite3_stmt *s = NULL;
		if (store_prepare(st, &s, "SELECT il.chain_id, il.blob, l.diff_id, l.size, b.size, b.media_type FROM image_layers il "
				  "JOIN layers l ON l.chain_id = il.chain_id LEFT JOIN blobs b ON b.digest = il.blob "
				  "WHERE il.image_id = ? ORDER BY il.idx", err) < 0)
			goto fail;
		sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
		size_t alloc = 0;
		while (sqlite3_step(s) == SQLITE_ROW) {
			if (out->nlayers == alloc) {
				alloc = alloc ? alloc * 2 : 8;
				out->layers = xrealloc(out->layers, alloc * sizeof *out->layers);
			}
			struct img_layer *l = &out->layers[out->nlayers++];
			memset(l, 0, sizeof *l);
			snprintf(l->chain_id, sizeof l->chain_id, "%s", sqlite3_column_text(s, 0));
			snprintf(l->blob, sizeof l->blob, "%s", sqlite3_column_text(s, 1));
			snprintf(l->diff_id, sizeof l->diff_id, "%s", sqlite3_column_text(s, 2));
			l->size = (uint64_t)sqlite3_column_int64(s, 3);
			l->blob_size = (uint64_t)sqlite3_column_int64(s, 4);
			snprintf(l->media_type, sizeof l->media_type, "%s", sqlite3_column_text(s, 5) ? (const char *)sqlite3_column_text(s, 5) : MT_OCI_LAYER);
		}
	}
	{
		_cleanup_stmt_ sqlite3_stmt *s = NULL;
		if (store_prepare(st, &s, "SELECT COUNT(*) FROM image_holders WHERE image_id = ?", err) < 0)
			goto fail;
		sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			out->holders = sqlite3_column_int(s, 0);
	}
	{
		_cleanup_free_ char *cfg = NULL;
		size_t len;
		if (blob_read(st, id, &cfg, &len, err) < 0)
			goto fail;
		json_error_t je;
		out->config = json_loadb(cfg, len, 0, &je);
		if (!out->config) {
			berr_set(err, EINVAL, "image %s: config: %s", id, je.text);
			goto fail;
		}
	}
	return 0;
fail:
	img_info_release(out);
	return -1;
}

static int exec1(struct store *st, const char *sql, const char *arg, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, sql, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
	return step_done(st, s, err, sql);
}

int img_delete(struct store *st, const char *id, berr *err)
{
	if (store_begin(st, err) < 0)
		return -1;
	if (exec1(st, "DELETE FROM image_tags WHERE image_id = ?", id, err) < 0 ||
	    exec1(st, "DELETE FROM image_digests WHERE image_id = ?", id, err) < 0 ||
	    exec1(st, "DELETE FROM image_layers WHERE image_id = ?", id, err) < 0 ||
	    exec1(st, "DELETE FROM image_blobs WHERE image_id = ?", id, err) < 0 ||
	    exec1(st, "DELETE FROM image_holders WHERE image_id = ?", id, err) < 0 ||
	    exec1(st, "DELETE FROM images WHERE id = ?", id, err) < 0 || store_commit(st, err) < 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

/* ---- the contract in image.h for holders ---- */
#include "image/image.h"

int image_ref_add(struct store *st, const char *image_id, const char *holder, berr *err)
{
	_cleanup_free_ char *id = NULL;
	if (img_lookup(st, image_id, &id, NULL, err) < 0)
		return -1;
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "INSERT OR IGNORE INTO image_holders(image_id, holder) VALUES(?,?)", err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, holder, -1, SQLITE_STATIC);
	return step_done(st, s, err, "hold image");
}

int image_ref_drop(struct store *st, const char *image_id, const char *holder, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	_cleanup_free_ char *id = NULL;
	berr e2;
	if (img_lookup(st, image_id, &id, NULL, &e2) == 0)
		image_id = id;
	if (store_prepare(st, &s, "DELETE FROM image_holders WHERE (image_id = ? OR image_id = 'sha256:' || ?) AND holder = ?", err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, image_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, image_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, holder, -1, SQLITE_STATIC);
	return step_done(st, s, err, "release image");
}
