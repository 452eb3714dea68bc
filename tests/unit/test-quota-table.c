/*
 * test-quota-table.c: ceb-quota-check's arena (strings known by 32-bit
 * offsets), isort(), its sort in place, and its records in files: the
 * read-ahead that keeps what is changed in it, and rec_permute(), which
 * puts a file's records in another order (cmd/ceb-quota-check/table.c).
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

/* A record of the file tests: its first place, then bytes that say it. */
struct trec {
	uint32_t id;
	uint32_t mark;
	unsigned char fill[1016];
};

static void
trec_make(struct trec *t, uint32_t id)
{
	memset(t, 0, sizeof *t);
	t->id = id;
	memset(t->fill, (int)(id * 7 + 1) & 0xff, sizeof t->fill);
}

static void
trec_check(const struct trec *t, uint32_t id, uint32_t mark)
{
	unsigned char want[sizeof t->fill];

	assert_int_equal(t->id, id);
	assert_int_equal(t->mark, mark);
	memset(want, (int)(id * 7 + 1) & 0xff, sizeof want);
	assert_memory_equal(t->fill, want, sizeof want);
}

static struct recfile
trec_file(void)
{
	struct recfile f;

	memset(&f, 0, sizeof f);
	f.fd = spool_open();
	assert_true(f.fd >= 0);
	f.size = sizeof(struct trec);
	return f;
}

/* A record changed while it is in the read-ahead is read back changed,
 * after the read-ahead moved on and after reads far from it. */
static void
recfile_changed_in_readahead(void **state)
{
	struct recfile f = trec_file();
	struct trec t;
	uint32_t i, mark[2000];

	(void)state;
	for (i = 0; i < 2000; i++) {
		trec_make(&t, i);
		assert_int_equal(rec_put(&f, i, &t), 0);
		mark[i] = 0;
	}
	for (i = 0; i < 2000; i++) {
		assert_non_null(rec_get(&f, i, &t));
		trec_check(&t, i, mark[i]);
		if (i % 3 == 0) {
			t.mark = mark[i] = mark[i] + 1;
			assert_int_equal(rec_put(&f, i, &t), 0);
		}
		if (i % 500 == 499) {	/* a read and a write far off */
			uint32_t j = 1999 - i;

			assert_non_null(rec_get(&f, j, &t));
			trec_check(&t, j, mark[j]);
			t.mark = mark[j] = mark[j] + 10;
			assert_int_equal(rec_put(&f, j, &t), 0);
		}
	}
	for (i = 0; i < 2000; i++) {
		assert_non_null(rec_get(&f, i, &t));
		trec_check(&t, i, mark[i]);
	}
	rec_close(&f);
}

/* What rec_permute() is given: the new place of each first place. */
struct tperm {
	const uint32_t *to;
	size_t n, seen;
	int fail_at;		/* visit fails there (-1: never) */
};

static size_t
tplace(const void *rec, void *arg)
{
	const struct trec *t = rec;
	const struct tperm *p = arg;

	return t->id < p->n ? p->to[t->id] : SIZE_MAX;
}

static int
tvisit(void *rec, size_t at, void *arg)
{
	struct trec *t = rec;
	struct tperm *p = arg;

	assert_int_equal(at, p->seen);	/* in the new order, each once */
	assert_int_equal(p->to[t->id], at);
	if ((int)at == p->fail_at)
		return -1;
	p->seen++;
	t->mark = (uint32_t)at + 1;	/* kept when the parts are */
	return 0;
}

/* Records in a random order, over one part and over several (4 MB of
 * records a part: 4,096 of these), with and without a visit; every
 * record where it belongs, whole. */
static void
permute_orders(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 7, 4095, 4096, 4097, 13000 };
	unsigned seed = 11;
	size_t s;

	(void)state;
	for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		size_t n = sizes[s], i;
		uint32_t *to = malloc((n + 1) * sizeof *to);
		int v;

		assert_non_null(to);
		for (i = 0; i < n; i++)
			to[i] = (uint32_t)i;
		for (i = n; i > 1; i--) {	/* Fisher-Yates */
			size_t j = (size_t)rand_r(&seed) % i;
			uint32_t x = to[i - 1];

			to[i - 1] = to[j];
			to[j] = x;
		}
		for (v = 0; v < 2; v++) {
			struct recfile src = trec_file(), dst = trec_file();
			struct tperm p = { to, n, 0, -1 };
			struct trec t;

			for (i = 0; i < n; i++) {
				trec_make(&t, (uint32_t)i);
				assert_int_equal(rec_put(&src, i, &t), 0);
			}
			assert_int_equal(rec_permute(&src, &dst, n, tplace,
			    v ? tvisit : NULL, 1, &p), 0);
			assert_int_equal(p.seen, v ? n : 0);
			assert_int_equal(dst.n, n);
			for (i = 0; i < n; i++) {
				assert_non_null(rec_get(&dst, to[i], &t));
				trec_check(&t, (uint32_t)i, v ? to[i] + 1 : 0);
			}
			rec_close(&src);
			rec_close(&dst);
		}
		free(to);
	}
}

/* A place given twice, or past the end, is refused (no endless loop,
 * nothing written out of bounds); a visit that fails stops it. */
static void
permute_refuses(void **state)
{
	size_t n = 5000, i;
	uint32_t *to = malloc(n * sizeof *to);
	int c;

	(void)state;
	assert_non_null(to);
	for (c = 0; c < 3; c++) {
		struct recfile src = trec_file(), dst = trec_file();
		struct tperm p = { to, n, 0, c == 2 ? 4321 : -1 };
		struct trec t;

		for (i = 0; i < n; i++)
			to[i] = (uint32_t)(n - 1 - i);
		if (c == 0)
			to[17] = to[18];	/* twice */
		else if (c == 1)
			to[4999] = (uint32_t)n;	/* past the end */
		for (i = 0; i < n; i++) {
			trec_make(&t, (uint32_t)i);
			assert_int_equal(rec_put(&src, i, &t), 0);
		}
		assert_int_equal(rec_permute(&src, &dst, n, tplace, tvisit, 1,
		    &p), -1);
		if (c == 2)
			assert_int_equal(p.seen, 4321);
		rec_close(&src);
		rec_close(&dst);
	}
	free(to);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arena_empty_and_none),
		cmocka_unit_test(arena_offsets),
		cmocka_unit_test(isort_as_qsort),
		cmocka_unit_test(recfile_changed_in_readahead),
		cmocka_unit_test(permute_orders),
		cmocka_unit_test(permute_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
