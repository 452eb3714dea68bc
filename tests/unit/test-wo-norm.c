/*
 * test-wo-norm: ceb-manifest-writeoff's normalisation before joins (bills,
 * transport modes, voyages, days) and its string index.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "wo.h"

static void
bills(void **state)
{
	char b[64];

	(void)state;
	norm_bill("618-43844743", b, sizeof b);
	assert_string_equal(b, "61843844743");
	norm_bill(" cosu 6123 456780 ", b, sizeof b);
	assert_string_equal(b, "COSU6123456780");
	norm_lno("ex-2503 01", b, sizeof b);
	assert_string_equal(b, "EX250301");
	norm_bill("12345", b, 4);		/* truncated, terminated */
	assert_string_equal(b, "123");
}

static void
modes(void **state)
{
	(void)state;
	/* CEB trafMode (JGS-20) and manifest TypeCode (Rec. 19) meet. */
	assert_int_equal(norm_mode_ceb("5"), 'A');
	assert_int_equal(norm_mode_mft("4"), 'A');
	assert_int_equal(norm_mode_ceb("2"), 'S');
	assert_int_equal(norm_mode_mft("1"), 'S');
	assert_int_equal(norm_mode_ceb("4"), 'R');
	assert_int_equal(norm_mode_mft("3"), 'R');
	assert_int_equal(norm_mode_ceb(" 5 "), 'A');
	assert_int_equal(norm_mode_ceb("55"), '?');
	assert_int_equal(norm_mode_ceb(""), '?');
	assert_int_equal(norm_mode_ceb("0"), '?');
	assert_int_equal(norm_mode_word("Air", 0), 'A');
	assert_int_equal(norm_mode_word("SEA", 1), 'S');
	assert_int_equal(norm_mode_word("4", 0), 'A');
	assert_int_equal(norm_mode_word("4", 1), 'R');
	assert_string_equal(norm_mode_name('A'), "air");
}

static void
voyages(void **state)
{
	char v[64];

	(void)state;
	norm_voyage("MI987/20171031", 'A', v, sizeof v);
	assert_string_equal(v, "MI987");
	norm_voyage("mi0987", 'A', v, sizeof v);
	assert_string_equal(v, "MI987");
	norm_voyage("3U 0801", 'A', v, sizeof v);
	assert_string_equal(v, "3U801");
	norm_voyage("CA1234A", 'A', v, sizeof v);
	assert_string_equal(v, "CA1234A");
	norm_voyage("CA0100A", 'A', v, sizeof v);
	assert_string_equal(v, "CA100A");
	/* Sea voyages keep their zeros. */
	norm_voyage("0123W", 'S', v, sizeof v);
	assert_string_equal(v, "0123W");
	norm_voyage("VHK-746A", 'S', v, sizeof v);
	assert_string_equal(v, "VHK746A");
	/* Not a flight number: left alone. */
	norm_voyage("MI0987X1", 'A', v, sizeof v);
	assert_string_equal(v, "MI0987X1");
}

static void
days(void **state)
{
	char b[9];

	(void)state;
	assert_int_equal(norm_day("19700101"), 0);
	assert_int_equal(norm_day("20260310") - norm_day("20260308"), 2);
	assert_int_equal(norm_day("20240301") - norm_day("20240228"), 2);
	assert_int_equal(norm_day("20250230"), -1);
	assert_int_equal(norm_day("2025013"), -1);
	assert_int_equal(norm_day("2025x101"), -1);
	assert_string_equal(norm_day_str(norm_day("20261231"), b), "20261231");
	/* Longer stamps count by their date. */
	assert_int_equal(norm_day("20260308235959"), norm_day("20260308"));
}

static void
index_and_intern(void **state)
{
	struct wo_index x;
	char key[32];
	long i;

	(void)state;
	memset(&x, 0, sizeof x);
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "K%ld", i);
		wo_index_put(&x, wo_str(key), i);
	}
	for (i = 0; i < 5000; i += 2) {
		snprintf(key, sizeof key, "K%ld", i);
		wo_index_del(&x, key);
	}
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "K%ld", i);
		assert_int_equal(wo_index_get(&x, key), i % 2 ? i : -1);
	}
	assert_int_equal(x.n, 2500);
	assert_ptr_equal(wo_intern("2991"), wo_intern("2991"));
	assert_string_equal(wo_intern(NULL), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bills),
		cmocka_unit_test(modes),
		cmocka_unit_test(voyages),
		cmocka_unit_test(days),
		cmocka_unit_test(index_and_intern),
	};

	return cmocka_run_group_tests_name("wo-norm", tests, NULL, NULL);
}
