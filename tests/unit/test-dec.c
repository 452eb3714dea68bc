/*
 * test-dec: exact decimal parsing, arithmetic, comparison and formatting.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "dec.h"

static struct dec
D(const char *s)
{
	struct dec d;

	assert_int_equal(dec_parse_str(s, &d), DEC_OK);
	return d;
}

static void
parse_ok(void **state)
{
	char b[64];

	(void)state;
	assert_string_equal(dec_format(D("5000"), 2, b, sizeof b), "5000.00");
	assert_string_equal(dec_format(D(" 12.5 "), 0, b, sizeof b), "12.5");
	assert_string_equal(dec_format(D("-0.00001"), 0, b, sizeof b),
	    "-0.00001");
	assert_string_equal(dec_format(D("+7"), 0, b, sizeof b), "7");
	assert_string_equal(dec_format(D(".5"), 0, b, sizeof b), "0.5");
	assert_string_equal(dec_format(D("3."), 0, b, sizeof b), "3");
	assert_string_equal(dec_format(D("1.2300000"), 0, b, sizeof b),
	    "1.23");
	/* 19 digits: the N19,5 maximum. */
	assert_string_equal(dec_format(D("99999999999999.99999"), 0, b,
	    sizeof b), "99999999999999.99999");
}

static void
parse_errors(void **state)
{
	struct dec d;

	(void)state;
	assert_int_equal(dec_parse_str("", &d), DEC_EMPTY);
	assert_int_equal(dec_parse_str("  ", &d), DEC_EMPTY);
	assert_int_equal(dec_parse_str("1e5", &d), DEC_SYNTAX);
	assert_int_equal(dec_parse_str("1.2.3", &d), DEC_SYNTAX);
	assert_int_equal(dec_parse_str("-", &d), DEC_SYNTAX);
	assert_int_equal(dec_parse_str(".", &d), DEC_SYNTAX);
	assert_int_equal(dec_parse_str("1,000", &d), DEC_SYNTAX);
	assert_int_equal(dec_parse_str("0.000001", &d), DEC_FRACTION);
	assert_int_equal(dec_parse_str("123456789012345678901234567890",
	    &d), DEC_DIGITS);
	assert_int_equal(dec_parse_str("NaN", &d), DEC_SYNTAX);
}

static void
exact_sums(void **state)
{
	struct dec s = dec_from_int(0);
	int i;

	(void)state;
	/* 0.1 ten times is exactly 1, unlike binary floating point. */
	for (i = 0; i < 10; i++)
		s = dec_add(s, D("0.1"));
	assert_int_equal(dec_cmp(s, D("1")), 0);
	assert_int_equal(dec_cmp(D("5000.00"), D("5000")), 0);
	assert_int_equal(dec_cmp(D("5000.01"), D("5000")), 1);
	assert_int_equal(dec_cmp(D("-1"), D("0")), -1);
	assert_int_equal(dec_cmp(dec_sub(D("26000"), D("25999.99")),
	    D("0.01")), 0);
	assert_int_equal(dec_sign(D("-0.00001")), -1);
	assert_int_equal(dec_sign(D("0.00000")), 0);
}

static void
products(void **state)
{
	char b[64];

	(void)state;
	assert_int_equal(dec_mul_cmp(D("3"), D("33.33"), D("99.99")), 0);
	assert_int_equal(dec_mul_cmp(D("3"), D("33.333"), D("99.99")), 1);
	assert_int_equal(dec_mul_cmp(D("0.33333"), D("0.33333"),
	    D("0.11111")), -1);	/* 0.1111088889 < 0.11111 */
	assert_true(dec_mul_within(D("3"), D("33.333"), D("99.99"),
	    D("0.01")));
	assert_false(dec_mul_within(D("3"), D("33.34"), D("99.99"),
	    D("0.02")));
	assert_string_equal(dec_format(dec_mul(D("2.5"), D("1.00001")), 0,
	    b, sizeof b), "2.50003");	/* 2.500025 rounds half up */
	assert_string_equal(dec_format(dec_mul(D("-2.5"), D("1.00001")), 0,
	    b, sizeof b), "-2.50003");
	/* Large values stay exact: 10^13 x 10^13 fits in 128 bits. */
	assert_int_equal(dec_mul_cmp(D("9999999999999"), D("1"),
	    D("9999999999999")), 0);
}

/* The tax formulas' ratios and rounding to fen. */
static void
ratios(void **state)
{
	char b[64];

	(void)state;
	/* 100 x 0.15 x 0.7 / 0.85 = 12.352941176...: one rounding. */
	assert_string_equal(dec_format(dec_mul_ratio(D("100"), 15000 * 7,
	    85000 * 10), 0, b, sizeof b), "12.35294");
	/* Half away from zero, both signs; 1/3 and 2/3. */
	assert_string_equal(dec_format(dec_mul_ratio(D("0.00001"), 1, 2), 0,
	    b, sizeof b), "0.00001");
	assert_string_equal(dec_format(dec_mul_ratio(D("-0.00001"), 1, 2), 0,
	    b, sizeof b), "-0.00001");
	assert_string_equal(dec_format(dec_mul_ratio(D("1"), 1, 3), 0, b,
	    sizeof b), "0.33333");
	assert_string_equal(dec_format(dec_mul_ratio(D("1"), 2, 3), 0, b,
	    sizeof b), "0.66667");
	assert_string_equal(dec_format(dec_mul_ratio(D("1"), -2, -3), 0, b,
	    sizeof b), "0.66667");
	assert_string_equal(dec_format(dec_mul_ratio(D("7"), 5, 0), 0, b,
	    sizeof b), "7");
	/* Saturates far beyond N19,5 instead of wrapping. */
	assert_true(dec_sign(dec_mul_ratio(D("99999999999999.99999"),
	    (__int128)1 << 100, 1)) > 0);
	assert_string_equal(dec_format(dec_round(D("23.05882"), 4), 0, b,
	    sizeof b), "23.0588");
	assert_string_equal(dec_format(dec_round(D("10.70588"), 2), 2, b,
	    sizeof b), "10.71");
	assert_string_equal(dec_format(dec_round(D("0.005"), 2), 2, b,
	    sizeof b), "0.01");
	assert_string_equal(dec_format(dec_round(D("-0.005"), 2), 2, b,
	    sizeof b), "-0.01");
	assert_string_equal(dec_format(dec_round(D("0.00499"), 2), 2, b,
	    sizeof b), "0.00");
	assert_string_equal(dec_format(dec_round(D("1.23456"), 5), 0, b,
	    sizeof b), "1.23456");
	assert_string_equal(dec_format(dec_round(D("1.5"), 0), 0, b,
	    sizeof b), "2");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_ok),
		cmocka_unit_test(parse_errors),
		cmocka_unit_test(exact_sums),
		cmocka_unit_test(products),
		cmocka_unit_test(ratios),
	};

	return cmocka_run_group_tests_name("dec", tests, NULL, NULL);
}
