/*
 * test-shard.c: the --shard K/N contract of shard.h (parsing, the FNV-1a
 * 64 reference values, and the split of keys among shards).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "shard.h"

static void
test_hash_reference(void **state)
{
	(void)state;
	/* Published FNV-1a 64 test vectors. */
	assert_true(shard_hash("", 0) == 0xcbf29ce484222325ULL);
	assert_true(shard_hash("a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(shard_hash("foobar", 6) == 0x85944171f73967e8ULL);
}

static void
test_parse(void **state)
{
	struct shard s = { 9, 9 };

	(void)state;
	assert_int_equal(shard_parse("1/1", &s), 0);
	assert_int_equal(s.k, 1);
	assert_int_equal(s.n, 1);
	assert_int_equal(shard_parse("3/8", &s), 0);
	assert_int_equal(s.k, 3);
	assert_int_equal(s.n, 8);
	assert_int_equal(shard_parse("0/4", &s), -1);
	assert_int_equal(shard_parse("5/4", &s), -1);
	assert_int_equal(shard_parse("1/0", &s), -1);
	assert_int_equal(shard_parse("1/4x", &s), -1);
	assert_int_equal(shard_parse(" 1/4", &s), -1);
	assert_int_equal(shard_parse("-1/4", &s), -1);
	assert_int_equal(shard_parse("1/", &s), -1);
	assert_int_equal(shard_parse("/4", &s), -1);
	assert_int_equal(shard_parse("1/65537", &s), -1);
	assert_int_equal(shard_parse("1/99999999999999999999", &s), -1);
	assert_int_equal(shard_parse(NULL, &s), -1);
	/* Unchanged on failure. */
	assert_int_equal(s.k, 3);
	assert_int_equal(s.n, 8);
}

static void
test_partition(void **state)
{
	struct shard s[4];
	char key[32];
	int i, k, owners, count[4] = { 0 };

	(void)state;
	for (k = 0; k < 4; k++) {
		s[k].k = (unsigned)k + 1;
		s[k].n = 4;
	}
	for (i = 0; i < 4000; i++) {
		int n = snprintf(key, sizeof key, "ORDER%06d", i);

		owners = 0;
		for (k = 0; k < 4; k++)
			if (shard_mine(&s[k], key, (size_t)n)) {
				owners++;
				count[k]++;
			}
		assert_int_equal(owners, 1);
		assert_true(shard_mine(NULL, key, (size_t)n));
	}
	for (k = 0; k < 4; k++)
		assert_in_range(count[k], 800, 1200);
	assert_int_equal(shard_of("a", 1, 1), 1);
	assert_int_equal(shard_of("a", 1, 7), 0xaf63dc4c8601ec8cULL % 7 + 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_reference),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_partition),
	};

	return cmocka_run_group_tests_name("shard", tests, NULL, NULL);
}
