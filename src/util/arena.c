/* arena.c: bump allocator (see arena.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "util/arena.h"
#include "util/strbuf.h"

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif

#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define REDZONE 16
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#define REDZONE 0
#endif

#define ALIGN 16
#define FIRST_CHUNK (64 * 1024)
#define MAX_CHUNK (1024 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	_Alignas(ALIGN) char data[];
};

static size_t round_up(size_t n)
{
	return (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

static struct arena_chunk *chunk(size_t size)
{
	struct arena_chunk *c = xmalloc(sizeof(*c) + size);
	c->size = size;
	POISON(c->data, size);
	return c;
}

void *arena_alloc(struct arena *a, size_t n)
{
	size_t need = round_up(n + REDZONE);
	if (need < n)
		abort();
	if ((size_t)(a->end - a->cur) < need) {
		size_t size = a->next_size ? a->next_size : FIRST_CHUNK;
		if (need > size / 4) {
			/* a big allocation gets a chunk of its own; the head chunk stays in use */
			struct arena_chunk *c = chunk(need);
			if (a->head) {
				c->next = a->head->next;
				a->head->next = c;
			} else {
				c->next = NULL;
				a->head = c;
			}
			UNPOISON(c->data, n);
			return c->data;
		}
		if (size < MAX_CHUNK)
			a->next_size = 2 * size;
		else
			a->next_size = size;
		struct arena_chunk *c = chunk(size);
		c->next = a->head;
		a->head = c;
		a->cur = c->data;
		a->end = c->data + size;
	}
	char *p = a->cur;
	a->cur += need;
	UNPOISON(p, n);
	return p;
}

void *arena_calloc(struct arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		abort();
	void *p = arena_alloc(a, n * size);
	memset(p, 0, n * size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

void arena_shrink(struct arena *a, void *p, size_t n, size_t used)
{
	char *c = p;
	if (c + round_up(n + REDZONE) != a->cur)
		return; /* not the last one (or in a chunk of its own): keep it */
	POISON(c + used, n - used);
	a->cur = c + round_up(used + REDZONE);
}

void arena_release(struct arena *a)
{
	struct arena_chunk *c = a->head;
	while (c) {
		struct arena_chunk *next = c->next;
		UNPOISON(c->data, c->size); /* free() expects it addressable */
		free(c);
		c = next;
	}
	a->head = NULL;
	a->cur = a->end = NULL;
	a->next_size = 0;
}
