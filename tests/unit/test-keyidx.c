/*
 * test-keyidx.c: the key index of keyidx.h (dense ids, lookups across
 * growth, binary keys, limits).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "keyidx.h"

static void
test_put_get(void **state)
{
	struct keyidx *x = keyidx_new();
	char key[32];
	size_t len;
	const char *p;
	int added, i;

	(void)state;
	assert_non_null(x);
	assert_int_equal(keyidx_get(x, "a", 1), -1);
	for (i = 0; i < 100000; i++) {
		int n = snprintf(key, sizeof key, "EBP%d", i);

		memcpy(key + n + 1, "ORD", 3);
		assert_int_equal(keyidx_put(x, key, (size_t)n + 4, &added), i);
		assert_int_equal(added, 1);
	}
	assert_int_equal(keyidx_count(x), 100000);
	for (i = 99999; i >= 0; i--) {
		int n = snprintf(key, sizeof key, "EBP%d", i);

		memcpy(key + n + 1, "ORD", 3);
		assert_int_equal(keyidx_get(x, key, (size_t)n + 4), i);
		assert_int_equal(keyidx_put(x, key, (size_t)n + 4, &added), i);
		assert_int_equal(added, 0);
		/* A prefix is a different key. */
		assert_int_equal(keyidx_get(x, key, (size_t)n + 3), -1);
	}
	p = keyidx_key(x, 42, &len);
	assert_int_equal(len, 9);
	assert_memory_equal(p, "EBP42\0ORD", 9);
	assert_int_equal(keyidx_put(x, "", 0, &added), 100000);
	assert_int_equal(keyidx_get(x, "", 0), 100000);
	assert_true(keyidx_memory(x) > 100000 * 8);
	keyidx_free(x);
}

static void
test_too_long(void **state)
{
	static char big[KEYIDX_MAX_KEY + 1];
	struct keyidx *x = keyidx_new();

	(void)state;
	assert_int_equal(keyidx_put(x, big, sizeof big, NULL), -1);
	assert_int_equal(keyidx_put(x, big, sizeof big - 1, NULL), 0);
	keyidx_free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get),
		cmocka_unit_test(test_too_long),
	};

	return cmocka_run_group_tests_name("keyidx", tests, NULL, NULL);
}
