/* layers.c: extracted layers under root/layers/<chain-hex>/diff, shared by every image that
 * has them. Extraction happens into a temp dir under root/tmp and is renamed into place, under
 * an flock on layers/<chain-hex>, so two berth processes never extract the same layer twice and
 * a crash never leaves a half-extracted diff dir. */
#include "image/istore.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "image/layer.h"
#include "store/blob.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

void chain_id_next(const char *parent, const char *diff_id, char out[DIGEST_STR_LEN + 1])
{
	if (!parent || !*parent) {
		snprintf(out, DIGEST_STR_LEN + 1, "%s", diff_id);
		return;
	}
	_cleanup_free_ char *s = xasprintf("%s %s", parent, diff_id);
	digest_buf(s, strlen(s), out);
}

char *layer_dir(struct store *st, const char *chain_id)
{
	return xasprintf("%s/layers/%s/diff", st->root, digest_hex(chain_id));
}

static int lock_layer(struct store *st, const char *chain_id, berr *err)
{
	_cleanup_free_ char *d = xasprintf("%s/layers/%s", st->root, digest_hex(chain_id));
	if (mkdir(d, 0700) < 0 && errno != EEXIST)
		return berr_sys(err, "mkdir %s", d);
	int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, "open %s", d);
	if (flock(fd, LOCK_EX) < 0) {
		berr_sys(err, "lock %s", d);
		close(fd);
		return -1;
	}
	return fd;
}

/* Inodes with more than one link already counted (open addressing on dev^ino). */
struct inoset {
	uint64_t *keys;
	size_t n, cap;
};

static bool inoset_add(struct inoset *set, uint64_t key)
{
	if (key == 0)
		key = 1;
	if ((set->n + 1) * 2 > set->cap) {
		struct inoset big = { xcalloc(set->cap ? set->cap * 2 : 64, sizeof(uint64_t)), 0, set->cap ? set->cap * 2 : 64 };
		for (size_t i = 0; i < set->cap; i++)
			if (set->keys[i])
				inoset_add(&big, set->keys[i]);
		free(set->keys);
		*set = big;
	}
	size_t i = (size_t)(key * 0x9e3779b97f4a7c15ULL) & (set->cap - 1);
	while (set->keys[i]) {
		if (set->keys[i] == key)
			return false;
		i = (i + 1) & (set->cap - 1);
	}
	set->keys[i] = key;
	set->n++;
	return true;
}

/* Walk name at dfd: *blocks gets the allocated bytes (as du: hard links once), *apparent the
 * sizes of non-directories (as Docker's directory.Size: hard links once, directories not). */
static void sizes_at(int dfd, const char *name, uint64_t *blocks, uint64_t *apparent, struct inoset *seen)
{
	struct stat s;
	if (fstatat(dfd, name, &s, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if (!S_ISDIR(s.st_mode) && s.st_nlink > 1 && !inoset_add(seen, ((uint64_t)s.st_dev << 40) ^ (uint64_t)s.st_ino))
		return;
	*blocks += (uint64_t)s.st_blocks * 512;
	if (!S_ISDIR(s.st_mode))
		*apparent += (uint64_t)s.st_size;
	if (!S_ISDIR(s.st_mode))
		return;
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			sizes_at(dirfd(d), e->d_name, blocks, apparent, seen);
	closedir(d);
}

uint64_t path_du(const char *path)
{
	uint64_t b = 0, a = 0;
	struct inoset seen = { 0 };
	sizes_at(AT_FDCWD, path, &b, &a, &seen);
	free(seen.keys);
	return b;
}

uint64_t path_apparent_size(const char *path)
{
	uint64_t b = 0, a = 0;
	struct inoset seen = { 0 };
	sizes_at(AT_FDCWD, path, &b, &a, &seen);
	free(seen.keys);
	return a;
}

/* Extract blob into a fresh temp dir; returns its path (and lock fd) with stats filled. */
static int extract_tmp(struct store *st, const char *blob, int *lockfd, char **tmp, struct layer_apply_stats *stats, berr *err)
{
	_cleanup_close_ int bfd = blob_open(st, blob, err);
	if (bfd < 0)
		return -1;
	if (store_tmp_create(st, "layer", true, lockfd, tmp, err) < 0)
		return -1;
	log_info("extracting layer blob %s", blob);
	struct layer_apply_opts opts = { .rootless = geteuid() != 0 };
	memset(stats, 0, sizeof *stats);
	if (layer_apply(bfd, *lockfd, &opts, stats, err) < 0) {
		berr e2;
		rm_rf(*tmp, &e2);
		close(*lockfd);
		free(*tmp);
		*tmp = NULL;
		return -1;
	}
	return 0;
}

static bool diff_present(struct store *st, const char *chain)
{
	_cleanup_free_ char *d = layer_dir(st, chain);
	return path_exists(d);
}

int layer_ensure(struct store *st, const char *parent_chain, struct img_layer *l, berr *err)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int tmpfd = -1;
	_cleanup_close_ int lockfd = -1;
	struct layer_apply_stats stats;
	if (!l->diff_id[0]) {
		/* Known from an earlier extraction of this blob? */
		_cleanup_stmt_ sqlite3_stmt *s = NULL;
		if (store_prepare(st, &s, "SELECT diff_id FROM blobs WHERE digest = ? AND diff_id != ''", err) < 0)
			return -1;
		sqlite3_bind_text(s, 1, l->blob, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			snprintf(l->diff_id, sizeof l->diff_id, "%s", sqlite3_column_text(s, 0));
		else if (!strcmp(l->media_type, MT_OCI_LAYER) || !strcmp(l->media_type, MT_DOCKER_LAYER)) {
			/* uncompressed: the blob digest is the diff ID only if the blob is really a plain tar;
			 * layer_apply below checks this when the layer is not yet present */
		}
	}
	if (l->diff_id[0]) {
		chain_id_next(parent_chain, l->diff_id, l->chain_id);
		lockfd = lock_layer(st, l->chain_id, err);
		if (lockfd < 0)
			return -1;
		if (diff_present(st, l->chain_id))
			goto done;
		if (extract_tmp(st, l->blob, &tmpfd, &tmp, &stats, err) < 0)
			return -1;
		if (strcmp(stats.diff_id, l->diff_id)) {
			berr_set(err, EINVAL, "layer %s: content has diff ID %s, the image config says %s", l->blob, stats.diff_id, l->diff_id);
			berr e2;
			rm_rf(tmp, &e2);
			return -1;
		}
	} else {
		if (extract_tmp(st, l->blob, &tmpfd, &tmp, &stats, err) < 0)
			return -1;
		memcpy(l->diff_id, stats.diff_id, sizeof l->diff_id - 1); l->diff_id[sizeof l->diff_id - 1] = 0;
		chain_id_next(parent_chain, l->diff_id, l->chain_id);
		lockfd = lock_layer(st, l->chain_id, err);
		if (lockfd < 0) {
			berr e2;
			rm_rf(tmp, &e2);
			return -1;
		}
		if (diff_present(st, l->chain_id)) {
			berr e2;
			rm_rf(tmp, &e2);
			goto done;
		}
	}
	{
		_cleanup_free_ char *dst = layer_dir(st, l->chain_id);
		syncfs(tmpfd);
		if (rename(tmp, dst) < 0) {
			berr_sys(err, "rename layer into %s", dst);
			berr e2;
			rm_rf(tmp, &e2);
			return -1;
		}
		_cleanup_free_ char *parent = xasprintf("%s/layers/%s", st->root, digest_hex(l->chain_id));
		fsync_dir(parent);
	}
done:
	{
		_cleanup_stmt_ sqlite3_stmt *s = NULL;
		if (store_prepare(st, &s, "SELECT size FROM layers WHERE chain_id = ?", err) < 0)
			return -1;
		sqlite3_bind_text(s, 1, l->chain_id, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW) {
			l->size = (uint64_t)sqlite3_column_int64(s, 0);
		} else {
			_cleanup_free_ char *d = layer_dir(st, l->chain_id);
			l->size = path_apparent_size(d);
		}
	}
	return 0;
}

int layer_remove(struct store *st, const char *chain_id, berr *err)
{
	_cleanup_close_ int fd = lock_layer(st, chain_id, err);
	if (fd < 0)
		return -1;
	_cleanup_free_ char *d = xasprintf("%s/layers/%s", st->root, digest_hex(chain_id));
	return rm_rf(d, err);
}
