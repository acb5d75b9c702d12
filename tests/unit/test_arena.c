/* test_arena: the bump allocator (util/arena.h): alignment, big allocations, shrink,
 * release and reuse. Runs under ASan, whose poisoning of the unused parts catches
 * overflows past an allocation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "util/arena.h"

static void test_alloc(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	char *prev = NULL;
	for (size_t i = 0; i < 20000; i++) {
		size_t n = i % 97;
		char *p = arena_alloc(&a, n);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		memset(p, (int)(i & 0xff), n); /* every byte of it is ours */
		assert_ptr_not_equal(p, prev);
		prev = p;
	}
	int *z = arena_calloc(&a, 1000, sizeof(int));
	for (int i = 0; i < 1000; i++)
		assert_int_equal(z[i], 0);
	/* bigger than a chunk: a chunk of its own, the current one stays in use */
	char *big = arena_alloc(&a, 5 * 1024 * 1024);
	memset(big, 1, 5 * 1024 * 1024);
	char *after = arena_strdup(&a, "after");
	assert_string_equal(after, "after");
	assert_string_equal(arena_strndup(&a, "abcdef", 3), "abc");
	assert_string_equal(arena_strndup(&a, NULL, 0), "");
	arena_release(&a);
	assert_null(a.head);
	/* usable again */
	assert_string_equal(arena_strdup(&a, "again"), "again");
	arena_release(&a);
}

static void test_shrink(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	char *p = arena_alloc(&a, 1000);
	memcpy(p, "word", 5);
	arena_shrink(&a, p, 1000, 5);
	char *q = arena_alloc(&a, 8);
	/* the space given back is used by the next allocation */
	assert_true(q > p && q < p + 1000);
	assert_string_equal(p, "word");
	/* shrinking an allocation that is not the last one keeps it */
	char *r = arena_alloc(&a, 100);
	arena_shrink(&a, q, 8, 1);
	char *s = arena_alloc(&a, 8);
	assert_true(s > r);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc),
		cmocka_unit_test(test_shrink),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
