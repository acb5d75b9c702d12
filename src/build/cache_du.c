/* cache_du.c: the build cache as usage records (see build/cache_du.h). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "build/cache_du.h"
#include "image/istore.h"
#include "store/blob.h"
#include "util/cleanup.h"
#include "util/units.h"

int bdu_parse_filters(const struct strvec *filters, int64_t *until_ns, bool *labelled, berr *err)
{
	*until_ns = INT64_MAX;
	if (labelled)
		*labelled = false;
	for (size_t i = 0; filters && i < filters->n; i++) {
		const char *f = filters->v[i];
		if (!strncmp(f, "until=", 6)) {
			int64_t sec;
			long nsec;
			if (units_parse_timestamp(f + 6, time(NULL), &sec, &nsec, err) < 0)
				return -1;
			*until_ns = sec * 1000000000 + nsec;
		} else if (labelled && (!strncmp(f, "label=", 6) || !strncmp(f, "label!=", 7)))
			*labelled = true;
		else
			return berr_set(err, EINVAL, "invalid filter '%s'", f);
	}
	return 0;
}

static void short_key(const char *key, char out[BDU_ID_LEN + 1])
{
	const char *h = key && !strncmp(key, "sha256:", 7) ? key + 7 : key ? key : "";
	size_t l = strnlen(h, BDU_ID_LEN);
	memcpy(out, h, l);
	out[l] = 0;
}

static int cmp_used(const void *a, const void *b)
{
	const struct bdu_rec *x = a, *y = b;
	return x->used_ns < y->used_ns ? -1 : x->used_ns > y->used_ns ? 1 : strcmp(x->id, y->id);
}

/* The chain ID a lazy blob's recipe (root/lazyblobs/<hex>, image/layer_adopt.h) names. */
static char *lazy_chain(struct store *st, const char *blob)
{
	_cleanup_free_ char *p = xasprintf("%s/lazyblobs/%s", st->root, digest_hex(blob));
	_cleanup_fclose_ FILE *f = fopen(p, "re");
	char line[128];
	if (!f || !fgets(line, sizeof line, f))
		return NULL;
	line[strcspn(line, "\n")] = 0;
	return digest_valid(line) ? xstrdup(line) : NULL;
}

int bdu_list(struct store *st, int64_t until_ns, struct bdu_rec **out, size_t *n, berr *err)
{
	struct bdu_rec *v = NULL;
	size_t nv = 0;
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s,
			  "SELECT c.key, c.parent, c.instr, c.blob, c.created, c.used,"
			  " COALESCE((SELECT refs FROM blobs b WHERE b.digest = c.blob), 0),"
			  " EXISTS (SELECT 1 FROM build_cache p WHERE p.key = c.parent),"
			  " (SELECT chain_id FROM layers l WHERE l.diff_id = c.diff_id ORDER BY refs DESC LIMIT 1),"
			  " COALESCE((SELECT MAX(refs) FROM layers l WHERE l.diff_id = c.diff_id), 0)"
			  " FROM build_cache c WHERE c.used < ?",
			  err) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, until_ns);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *blob = (const char *)sqlite3_column_text(s, 3);
		const char *chain = (const char *)sqlite3_column_text(s, 8);
		if (!blob || !blob_exists(st, blob))
			continue; /* the layer is gone: the record is dead, the next build misses */
		/* the bytes: the unpacked layer and the blob if it was written out (a built layer's
		 * blob is made lazily, on push or save) */
		uint64_t size = 0;
		bool have = false;
		_cleanup_free_ char *recipe_chain = NULL;
		if (!chain && digest_valid(blob))
			chain = recipe_chain = lazy_chain(st, blob); /* a layer no image has taken yet */
		struct stat ls;
		if (chain && digest_valid(chain)) {
			_cleanup_free_ char *lp = xasprintf("%s/layers/%s", st->root, digest_hex(chain));
			if (stat(lp, &ls) == 0) {
				size += path_du(lp);
				have = true;
			}
		}
		if (digest_valid(blob)) {
			_cleanup_free_ char *bp = xasprintf("%s/blobs/sha256/%s", st->root, digest_hex(blob));
			if (stat(bp, &ls) == 0) {
				size += path_du(bp);
				have = true;
			}
		}
		if (!have)
			continue;
		v = xrealloc(v, (nv + 1) * sizeof *v);
		struct bdu_rec *r = &v[nv++];
		memset(r, 0, sizeof *r);
		short_key((const char *)sqlite3_column_text(s, 0), r->id);
		if (sqlite3_column_int(s, 7))
			short_key((const char *)sqlite3_column_text(s, 1), r->parent);
		r->type = "regular";
		if (chain)
			snprintf(r->chain, sizeof r->chain, "%s", chain);
		r->description = xstrdup((const char *)sqlite3_column_text(s, 2));
		long ns = 0;
		r->created_ns = parse_rfc3339((const char *)sqlite3_column_text(s, 4), &ns) * 1000000000 + ns;
		r->used_ns = sqlite3_column_int64(s, 5);
		r->shared = sqlite3_column_int(s, 6) > 0 || sqlite3_column_int(s, 9) > 0;
		r->size = size;
		r->usage = 1;
	}
	if (rc != SQLITE_DONE) {
		bdu_free(v, nv);
		return store_dberr(st, err, "build cache");
	}
	_cleanup_free_ char *md = store_path(st, "cache/mounts");
	_cleanup_closedir_ DIR *d = opendir(md);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		_cleanup_free_ char *p = xasprintf("%s/%s", md, e->d_name);
		struct stat sb;
		if (lstat(p, &sb) < 0 || !S_ISDIR(sb.st_mode))
			continue;
		int64_t used = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
		if (used >= until_ns)
			continue;
		v = xrealloc(v, (nv + 1) * sizeof *v);
		struct bdu_rec *r = &v[nv++];
		memset(r, 0, sizeof *r);
		short_key(e->d_name, r->id);
		r->type = "exec.cachemount";
		r->mutable_ = true;
		r->description = xstrdup("cached mount");
		r->created_ns = (int64_t)sb.st_ctim.tv_sec * 1000000000 + sb.st_ctim.tv_nsec;
		if (r->created_ns > used)
			r->created_ns = used;
		r->used_ns = used;
		r->size = path_du(p);
		r->usage = 1;
	}
	if (nv)
		qsort(v, nv, sizeof *v, cmp_used);
	*out = v;
	*n = nv;
	return 0;
}

void bdu_free(struct bdu_rec *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(r[i].description);
	free(r);
}

void bdu_summarize(const struct bdu_rec *r, size_t n, struct bdu_sum *s)
{
	memset(s, 0, sizeof *s);
	for (size_t i = 0; i < n; i++) {
		s->count++;
		s->total += r[i].size;
		if (r[i].shared)
			s->shared += r[i].size;
		else {
			s->private_ += r[i].size;
			s->reclaimable += r[i].size; /* a shared record's bytes stay with the image */
			if (!strcmp(r[i].type, "regular")) {
				/* records whose layers look alike (an empty diff) may name one layer:
				 * count its bytes once, as they are on disk */
				bool seen = false;
				for (size_t j = 0; j < i && r[i].chain[0]; j++)
					if (!r[j].shared && !strcmp(r[j].chain, r[i].chain))
						seen = true;
				if (!seen)
					s->private_layers += r[i].size;
			}
			else
				s->mounts += r[i].size;
		}
	}
}
