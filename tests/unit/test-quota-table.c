/*
 * test-quota-table.c: ceb-quota-check's arena (strings known by 32-bit
 * offsets) and isort(), its sort in place (cmd/ceb-quota-check/table.c).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "quota.h"

/* A fresh arena: its first allocation leaves offset 1 the empty string
 * (a fresh arena_alloc() once took that byte), and NULL is none. */
static void
arena_empty_and_none(void **state)
{
	struct arena a = { 0 };
	struct astr h;
	char *p;

	(void)state;
	p = arena_alloc(&a, 40);
	assert_non_null(p);
	memset(p, 'x', 40);
	assert_int_equal(arena_ref(&a, "", &h), 0);
	assert_int_equal(h.off, 1);
	assert_string_equal(arena_get(&a, h), "");
	assert_int_equal(arena_ref(&a, NULL, &h), 0);
	assert_int_equal(h.off, 0);
	assert_null(arena_get(&a, h));
	arena_free(&a);
}

/* A string of the arena is named where it is; one from elsewhere is
 * copied; each resolves to its bytes after many more allocations. */
static void
arena_offsets(void **state)
{
	struct arena a = { 0 };
	struct astr h[2000];
	char buf[64];
	int i;

	(void)state;
	for (i = 0; i < 2000; i++) {
		const char *s;

		snprintf(buf, sizeof buf, "string %d", i);
		if (i % 2) {
			s = arena_str(&a, buf);
			assert_non_null(s);
			assert_int_equal(arena_ref(&a, s, &h[i]), 0);
			assert_ptr_equal(arena_get(&a, h[i]), s);
		} else
			assert_int_equal(arena_ref(&a, buf, &h[i]), 0);
		/* Rows between the strings, 16-byte aligned. */
		s = arena_alloc(&a, 128);
		assert_non_null(s);
		assert_int_equal((uintptr_t)s % 16, 0);
	}
	/* More than a block at once. */
	assert_non_null(arena_alloc(&a, (size_t)20 << 20));
	for (i = 0; i < 2000; i++) {
		snprintf(buf, sizeof buf, "string %d", i);
		assert_string_equal(arena_get(&a, h[i]), buf);
	}
	/* Larger than the reservation: refused, not wrapped. */
	assert_null(arena_alloc(&a, SIZE_MAX - 8));
	assert_null(arena_dup(&a, "x", SIZE_MAX - 8));
	arena_free(&a);
}

struct k12 {
	uint32_t hi, lo, i;
};

static int
cmp_k12(const void *a, const void *b)
{
	const struct k12 *p = a, *q = b;

	if (p->hi != q->hi)
		return p->hi < q->hi ? -1 : 1;
	if (p->lo != q->lo)
		return p->lo < q->lo ? -1 : 1;
	return (p->i > q->i) - (p->i < q->i);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* isort() gives qsort()'s order: random, few distinct values, sorted,
 * reversed, of 12 and 8 bytes, small and large. */
static void
isort_as_qsort(void **state)
{
	unsigned seed = 7;
	int t;

	(void)state;
	for (t = 0; t < 400; t++) {
		size_t n = t < 300 ? (size_t)(t % 100) : (size_t)(rand_r(&seed) %
		    100000), i;
		struct k12 *a = malloc((n + 1) * sizeof *a);
		struct k12 *b = malloc((n + 1) * sizeof *b);
		uint64_t *c = malloc((n + 1) * sizeof *c);
		uint64_t *d = malloc((n + 1) * sizeof *d);
		int mode = t % 4;

		assert_true(a && b && c && d);
		for (i = 0; i < n; i++) {
			a[i].hi = mode == 0 ? (uint32_t)rand_r(&seed) % 3 :
			    mode == 1 ? (uint32_t)i : mode == 2 ?
			    (uint32_t)(n - i) : (uint32_t)rand_r(&seed);
			a[i].lo = mode == 0 ? (uint32_t)rand_r(&seed) % 2 :
			    (uint32_t)rand_r(&seed);
			a[i].i = (uint32_t)i;
			c[i] = (uint64_t)a[i].hi << 32 | i;
		}
		memcpy(b, a, n * sizeof *a);
		memcpy(d, c, n * sizeof *c);
		qsort(a, n, sizeof *a, cmp_k12);
		isort(b, n, sizeof *b, cmp_k12);
		if (n > 0)
			assert_memory_equal(a, b, n * sizeof *a);
		qsort(c, n, sizeof *c, cmp_u64);
		isort(d, n, sizeof *d, cmp_u64);
		if (n > 0)
			assert_memory_equal(c, d, n * sizeof *c);
		free(a);
		free(b);
		free(c);
		free(d);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arena_empty_and_none),
		cmocka_unit_test(arena_offsets),
		cmocka_unit_test(isort_as_qsort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
