/* arena.h: a bump allocator for data that is freed all at once (the Dockerfile parse tree,
 * the build plan's strings). Allocations come from chunks of 64 KiB and more; nothing is
 * freed one by one; arena_release() frees every chunk.
 *
 * Under AddressSanitizer the unused part of every chunk is poisoned and each allocation is
 * followed by a poisoned red zone, so an overflow past an allocation is reported as with
 * malloc; after arena_release() the chunks are freed (ASan's quarantine then reports any
 * use after free). */
#pragma once
#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;   /* newest chunk first */
	char *cur, *end;            /* free space of the head chunk */
	size_t next_size;           /* size of the next chunk */
};
#define ARENA_INIT { NULL, NULL, NULL, 0 }

/* n bytes aligned to 16 (n may be 0); aborts on OOM. */
void *arena_alloc(struct arena *a, size_t n);
void *arena_calloc(struct arena *a, size_t n, size_t size);
/* A NUL-terminated copy of s[0..n). */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* Give back the unused tail of the last allocation p (which had n bytes) down to used bytes
 * (used <= n). Only valid for the most recent allocation. */
void arena_shrink(struct arena *a, void *p, size_t n, size_t used);
/* Free every chunk; the arena is empty (and usable) again. */
void arena_release(struct arena *a);
