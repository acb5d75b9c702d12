/* envmap.c: ordered environment with a hash index (see envmap.h). */
#include <stdlib.h>
#include <string.h>
#include "dockerfile/envmap.h"

static uint32_t hash(const char *s, size_t l)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < l; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static size_t keylen(const char *kv)
{
	const char *eq = strchr(kv, '=');
	return eq ? (size_t)(eq - kv) : strlen(kv);
}

static long find(const struct envmap *e, const char *key, size_t kl)
{
	if (!e->tcap)
		return -1;
	size_t mask = e->tcap - 1;
	for (size_t i = hash(key, kl) & mask;; i = (i + 1) & mask) {
		uint32_t x = e->tab[i];
		if (!x)
			return -1;
		const char *kv = e->kv[x - 1];
		if (!strncmp(kv, key, kl) && (kv[kl] == '=' || !kv[kl]))
			return (long)x - 1;
	}
}

static void insert_index(struct envmap *e, size_t idx)
{
	size_t mask = e->tcap - 1;
	const char *kv = e->kv[idx];
	size_t i = hash(kv, keylen(kv)) & mask;
	while (e->tab[i])
		i = (i + 1) & mask;
	e->tab[i] = (uint32_t)idx + 1;
}

static void rehash(struct envmap *e, size_t cap)
{
	free(e->tab);
	e->tcap = cap;
	e->tab = xcalloc(cap, sizeof(uint32_t));
	for (size_t i = 0; i < e->n; i++)
		insert_index(e, i);
}

long envmap_find(const struct envmap *e, const char *key, size_t klen)
{
	return find(e, key, klen);
}

const char *envmap_get(const struct envmap *e, const char *key)
{
	long i = find(e, key, strlen(key));
	if (i < 0)
		return NULL;
	const char *kv = e->kv[i];
	const char *eq = strchr(kv, '=');
	return eq ? eq + 1 : "";
}

const char *envmap_get_kv(const struct envmap *e, const char *key)
{
	long i = find(e, key, strlen(key));
	return i < 0 ? NULL : e->kv[i];
}

const char *envmap_lookup(void *ctx, const char *name)
{
	return envmap_get(ctx, name);
}

/* Move to a new array of cap entries, keeping the old one for the snapshots. */
static void unshare(struct envmap *e, size_t cap)
{
	const char **nkv = xmalloc(cap * sizeof(*nkv));
	if (e->n)
		memcpy(nkv, e->kv, e->n * sizeof(*nkv));
	if (!(e->nretired & (e->nretired - 1)))
		e->retired = xrealloc(e->retired, (e->nretired ? 2 * e->nretired : 1) * sizeof(void *));
	e->retired[e->nretired++] = e->kv;
	e->kv = nkv;
	e->cap = cap;
	e->shared = false;
}

const char *const *envmap_snapshot(struct envmap *e, size_t *n)
{
	*n = e->n;
	e->shared = e->kv != NULL;
	return e->kv;
}

void envmap_put(struct envmap *e, const char *kv)
{
	size_t kl = keylen(kv);
	long i = find(e, kv, kl);
	if (i >= 0) {
		if (e->shared)
			unshare(e, e->cap);
		e->kv[i] = kv;
		return;
	}
	if (e->n + 2 > e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 16;
		if (e->shared)
			unshare(e, cap);
		else {
			e->cap = cap;
			e->kv = xrealloc(e->kv, e->cap * sizeof(*e->kv));
		}
	}
	e->kv[e->n++] = kv;
	e->kv[e->n] = NULL;
	if (2 * e->n >= e->tcap)
		rehash(e, e->tcap ? 2 * e->tcap : 32);
	else
		insert_index(e, e->n - 1);
}

const char *envmap_set(struct envmap *e, struct arena *a, const char *key, const char *val)
{
	size_t kl = strlen(key), vl = strlen(val);
	char *kv = arena_alloc(a, kl + vl + 2);
	memcpy(kv, key, kl);
	kv[kl] = '=';
	memcpy(kv + kl + 1, val, vl + 1);
	envmap_put(e, kv);
	return kv;
}

void envmap_copy(struct envmap *dst, const struct envmap *src)
{
	envmap_release(dst); /* dst must not have snapshots */
	if (!src->n)
		return;
	dst->cap = src->n + 1;
	dst->kv = xmalloc(dst->cap * sizeof(*dst->kv));
	memcpy(dst->kv, src->kv, (src->n + 1) * sizeof(*dst->kv));
	dst->n = src->n;
	dst->tcap = src->tcap;
	dst->tab = xmalloc(src->tcap * sizeof(uint32_t));
	memcpy(dst->tab, src->tab, src->tcap * sizeof(uint32_t));
}

void envmap_release(struct envmap *e)
{
	for (size_t i = 0; i < e->nretired; i++)
		free(e->retired[i]);
	free(e->retired);
	free(e->kv);
	free(e->tab);
	memset(e, 0, sizeof(*e));
}
