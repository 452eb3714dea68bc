/*
 * test-mask: masking of ID numbers, phones and names, and the switch that
 * shows personal data.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "mask.h"

static void
masks(void **state)
{
	char b[128];

	(void)state;
	mask_set(1);
	assert_string_equal(mask(MASK_ID, "11010119900307727X", b, sizeof b),
	    "110101********727X");
	assert_string_equal(mask(MASK_PHONE, "13812345678", b, sizeof b),
	    "138****5678");
	assert_string_equal(mask(MASK_NAME, "张三丰", b, sizeof b), "张**");
	assert_string_equal(mask(MASK_NAME, "李", b, sizeof b), "*");
	assert_string_equal(mask(MASK_ID, "1234", b, sizeof b), "12**");
	assert_string_equal(mask(MASK_ID, "", b, sizeof b), "");
	assert_string_equal(mask(MASK_ID, NULL, b, sizeof b), "");
	/* A small buffer truncates but stays a string. */
	assert_string_equal(mask(MASK_ID, "11010119900307727X", b, 5), "1101");
}

static void
shown_when_asked(void **state)
{
	char b[128];

	(void)state;
	mask_set(0);
	assert_string_equal(mask(MASK_ID, "11010119900307727X", b, sizeof b),
	    "11010119900307727X");
	assert_string_equal(mask(MASK_NAME, "张三丰", b, sizeof b), "张三丰");
	mask_set(1);
	assert_true(mask_on());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(masks),
		cmocka_unit_test(shown_when_asked),
	};

	return cmocka_run_group_tests_name("mask", tests, NULL, NULL);
}
