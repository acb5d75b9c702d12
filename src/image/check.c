/* check.c: `system check`: every blob re-hashed against its name, every database reference
 * (tags -> images, images -> blobs and layers, layer rows -> extracted dirs, refcounts)
 * verified; with repair, what is wrong is fixed: refcounts recomputed, corrupt blobs removed,
 * missing layer dirs re-extracted, images whose content is gone deleted. Unreferenced files
 * (left by an interrupted load) are reported as reclaimable, not as problems. */
#include "image/check.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "image/istore.h"
#include "image/remove.h"
#include "store/blob.h"
#include "util/cleanup.h"
#include "util/fs.h"

static void problem(struct check_report *r, const char *fmt, const char *a, const char *b)
{
	sv_pushf(&r->lines, fmt, a, b ? b : "");
	r->problems++;
}

static int collect(struct store *st, const char *sql, struct strvec *out, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, sql, err) < 0)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(s, 0);
		const char *b = sqlite3_column_count(s) > 1 ? (const char *)sqlite3_column_text(s, 1) : NULL;
		if (b)
			sv_pushf(out, "%s %s", a ? a : "", b);
		else
			sv_push(out, a ? a : "");
	}
	return 0;
}

static void drop_image(struct store *st, const char *id, struct check_report *r)
{
	berr e;
	if (img_delete(st, id, &e) == 0) {
		sv_pushf(&r->lines, "repaired: removed image %s (its content is gone)", id);
		r->repaired++;
	}
}

int image_check(struct store *st, bool repair, struct check_report *r, berr *err)
{
	_cleanup_close_ int lk = -1;
	memset(r, 0, sizeof *r);
	if (istore_lock(st, true, &lk, err) < 0)
		return -1;
	/* 1. the database itself */
	{
		_cleanup_strvec_ struct strvec res = STRVEC_INIT;
		if (collect(st, "PRAGMA integrity_check", &res, err) < 0)
			return -1;
		if (res.n != 1 || strcmp(res.v[0], "ok"))
			problem(r, "database: integrity check failed: %s%s", res.n ? res.v[0] : "?", NULL);
		sv_clear(&res);
		if (collect(st, "PRAGMA foreign_key_check", &res, err) < 0)
			return -1;
		for (size_t i = 0; i < res.n; i++)
			problem(r, "database: foreign key violation in %s%s", res.v[i], NULL);
	}
	/* 2. every blob file against its digest; files with no row are reclaimable */
	_cleanup_strvec_ struct strvec bad_blobs = STRVEC_INIT;
	{
		_cleanup_free_ char *bd = store_path(st, "blobs/sha256");
		_cleanup_closedir_ DIR *d = opendir(bd);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			_cleanup_free_ char *dg = xasprintf("sha256:%s", e->d_name);
			berr e2;
			r->blobs_checked++;
			if (!digest_valid(dg) || blob_verify(st, dg, &e2) < 0) {
				problem(r, "blob %s: content does not match its digest%s", dg, NULL);
				sv_push(&bad_blobs, dg);
				if (repair) {
					blob_remove(st, dg, &e2);
					r->repaired++;
					sv_pushf(&r->lines, "repaired: removed corrupt blob %s", dg);
				}
				continue;
			}
			_cleanup_stmt_ sqlite3_stmt *s = NULL;
			if (store_prepare(st, &s, "SELECT 1 FROM blobs WHERE digest = ?", err) < 0)
				return -1;
			sqlite3_bind_text(s, 1, dg, -1, SQLITE_STATIC);
			if (sqlite3_step(s) != SQLITE_ROW)
				r->unreferenced++;
		}
	}
	/* 3. every blob row has its file */
	{
		_cleanup_strvec_ struct strvec rows = STRVEC_INIT;
		if (collect(st, "SELECT digest FROM blobs", &rows, err) < 0)
			return -1;
		for (size_t i = 0; i < rows.n; i++) {
			if (blob_exists(st, rows.v[i]))
				continue;
			if (!sv_contains(&bad_blobs, rows.v[i]))
				problem(r, "blob %s: in the database but missing on disk%s", rows.v[i], NULL);
			sv_push(&bad_blobs, rows.v[i]);
		}
	}
	if (repair && bad_blobs.n) {
		for (size_t i = 0; i < bad_blobs.n; i++) {
			_cleanup_strvec_ struct strvec imgs = STRVEC_INIT;
			_cleanup_free_ char *q = xasprintf("SELECT image_id FROM image_blobs WHERE digest = '%s'", bad_blobs.v[i]);
			if (digest_valid(bad_blobs.v[i]) && collect(st, q, &imgs, err) == 0)
				for (size_t k = 0; k < imgs.n; k++)
					drop_image(st, imgs.v[k], r);
		}
	}
	/* 4. layers: rows have dirs; dirs have rows */
	{
		_cleanup_strvec_ struct strvec rows = STRVEC_INIT;
		if (collect(st, "SELECT chain_id FROM layers", &rows, err) < 0)
			return -1;
		for (size_t i = 0; i < rows.n; i++) {
			_cleanup_free_ char *d = layer_dir(st, rows.v[i]);
			r->layers_checked++;
			if (path_exists(d))
				continue;
			problem(r, "layer %s: extracted directory %s is missing", rows.v[i], d);
			if (!repair)
				continue;
			/* re-extract from the blob of any image that has it */
			_cleanup_stmt_ sqlite3_stmt *s = NULL;
			if (store_prepare(st, &s, "SELECT il.blob, l.diff_id, l.parent, b.media_type FROM image_layers il JOIN layers l ON "
					  "l.chain_id = il.chain_id JOIN blobs b ON b.digest = il.blob WHERE il.chain_id = ? LIMIT 1", err) < 0)
				return -1;
			sqlite3_bind_text(s, 1, rows.v[i], -1, SQLITE_STATIC);
			if (sqlite3_step(s) == SQLITE_ROW) {
				struct img_layer l;
				memset(&l, 0, sizeof l);
				snprintf(l.blob, sizeof l.blob, "%s", sqlite3_column_text(s, 0));
				snprintf(l.diff_id, sizeof l.diff_id, "%s", sqlite3_column_text(s, 1));
				_cleanup_free_ char *parent = xstrdup((const char *)sqlite3_column_text(s, 2));
				snprintf(l.media_type, sizeof l.media_type, "%s", sqlite3_column_text(s, 3));
				berr e2;
				if (layer_ensure(st, parent, &l, &e2) == 0) {
					sv_pushf(&r->lines, "repaired: re-extracted layer %s", rows.v[i]);
					r->repaired++;
				} else {
					sv_pushf(&r->lines, "could not re-extract layer %s: %s", rows.v[i], e2.msg);
				}
			}
		}
		_cleanup_free_ char *ld = store_path(st, "layers");
		_cleanup_closedir_ DIR *d = opendir(ld);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			_cleanup_free_ char *chain = xasprintf("sha256:%s", e->d_name);
			if (!sv_contains(&rows, chain))
				r->unreferenced++;
		}
	}
	/* 5. refcounts and dangling references */
	{
		static const char *const q[][2] = {
			{ "SELECT chain_id, refs FROM layers l WHERE refs != (SELECT COUNT(*) FROM image_layers il WHERE il.chain_id = l.chain_id)",
			  "layer %s: reference count %s is wrong" },
			{ "SELECT digest, refs FROM blobs b WHERE refs != (SELECT COUNT(*) FROM image_blobs ib WHERE ib.digest = b.digest)",
			  "blob %s: reference count %s is wrong" },
			{ "SELECT name, image_id FROM image_tags WHERE image_id NOT IN (SELECT id FROM images)", "tag %s: names missing image %s" },
			{ "SELECT image_id, chain_id FROM image_layers WHERE chain_id NOT IN (SELECT chain_id FROM layers)",
			  "image %s: layer %s has no row" },
			{ "SELECT image_id, digest FROM image_blobs WHERE digest NOT IN (SELECT digest FROM blobs)", "image %s: blob %s has no row" },
			{ "SELECT id, manifest_digest FROM images i WHERE NOT EXISTS (SELECT 1 FROM image_blobs b WHERE b.image_id = i.id AND b.digest = i.id)",
			  "image %s: config blob not referenced (manifest %s)" },
		};
		for (size_t k = 0; k < sizeof q / sizeof q[0]; k++) {
			_cleanup_strvec_ struct strvec rows = STRVEC_INIT;
			if (collect(st, q[k][0], &rows, err) < 0)
				return -1;
			for (size_t i = 0; i < rows.n; i++) {
				char *sp = strchr(rows.v[i], ' ');
				if (sp)
					*sp = 0;
				problem(r, q[k][1], rows.v[i], sp ? sp + 1 : "");
			}
		}
		if (repair && r->problems) {
			if (store_begin(st, err) < 0)
				return -1;
			if (store_exec(st,
				       "UPDATE layers SET refs = (SELECT COUNT(*) FROM image_layers il WHERE il.chain_id = layers.chain_id);"
				       "UPDATE blobs SET refs = (SELECT COUNT(*) FROM image_blobs ib WHERE ib.digest = blobs.digest);"
				       "DELETE FROM image_tags WHERE image_id NOT IN (SELECT id FROM images);"
				       "DELETE FROM image_digests WHERE image_id NOT IN (SELECT id FROM images);"
				       "DELETE FROM layers WHERE refs <= 0; DELETE FROM blobs WHERE refs <= 0;",
				       err) < 0 ||
			    store_commit(st, err) < 0) {
				store_rollback(st);
				return -1;
			}
			sv_push(&r->lines, "repaired: reference counts recomputed, dangling tags removed");
			r->repaired++;
		}
	}
	r->stale_tmp = store_tmp_gc(st, NULL, !repair);
	return 0;
}
