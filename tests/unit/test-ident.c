/*
 * test-ident: GB 11643 and GB 32100 check characters and the shape of
 * customs registration codes, on the published worked examples and on
 * numbers that must be rejected (domain-rules §A1.4, §A1.5).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "ident.h"

static enum ident_err
id(const char *s, char *exp)
{
	return ident_check_id(s, strlen(s), "20260101", exp);
}

static void
gb11643_good(void **state)
{
	static const char *const good[] = {
		"11010519491231002X",	/* GB 11643 appendix A */
		"360426199101010071", "120103198806018241",
		"230306196304054513",
	};
	char e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		assert_int_equal(id(good[i], &e), IDENT_OK);
		assert_int_equal(e, good[i][17]);
		assert_int_equal(ident_gb11643_check(good[i]), good[i][17]);
	}
	/* A lower-case x is accepted and means X. */
	assert_int_equal(id("11010519491231002x", NULL), IDENT_OK);
}

static void
gb11643_bad(void **state)
{
	char e;

	(void)state;
	assert_int_equal(id("230307196304054513", &e), IDENT_CHECK);
	assert_int_equal(e, 'X');
	/* Right check character, impossible date (1 in 11 random strings). */
	assert_int_equal(id("123456789012345677", &e), IDENT_BIRTH_DATE);
	assert_int_equal(e, '7');
	/* 30 February with a correct check character. */
	{
		char s[19] = "11010519490230001";
		s[17] = (char)ident_gb11643_check(s);
		s[18] = '\0';
		assert_int_equal(id(s, NULL), IDENT_BIRTH_DATE);
		memcpy(s + 6, "20300101", 8);
		s[17] = (char)ident_gb11643_check(s);
		assert_int_equal(id(s, NULL), IDENT_FUTURE);
		assert_int_equal(ident_check_id(s, 18, NULL, NULL), IDENT_OK);
		memcpy(s, "99", 2);
		s[17] = (char)ident_gb11643_check(s);
		assert_int_equal(id(s, NULL), IDENT_ADDRESS);
	}
	assert_int_equal(id("11010519491231002", NULL), IDENT_LENGTH);
	assert_int_equal(id("110105491231002", NULL), IDENT_LEGACY15);
	assert_int_equal(id("1101051949123100AX", NULL), IDENT_CHARSET);
	assert_int_equal(id("11010519491231002Y", &e), IDENT_CHARSET);
	assert_int_equal(e, 'X');
	assert_int_equal(ident_gb11643_check("1101051949123100A"), -1);
}

static void
gb11643_helpers(void **state)
{
	char out[19];

	(void)state;
	assert_int_equal(ident_id15_to_18("110105491231002", out), 0);
	assert_string_equal(out, "11010519491231002X");
	assert_int_equal(ident_id15_to_18("11010549123100", out), -1);
	assert_true(ident_date_valid(2000, 2, 29));
	assert_false(ident_date_valid(1900, 2, 29));
	assert_false(ident_date_valid(2023, 4, 31));
	assert_false(ident_date_valid(2023, 13, 1));
	assert_int_equal(ident_birth_date("19991231", NULL), IDENT_OK);
	assert_int_equal(ident_birth_date("18991231", NULL), IDENT_BIRTH_DATE);
	assert_int_equal(ident_birth_date("1999123A", NULL), IDENT_CHARSET);
	assert_int_equal(ident_address_code("110105"), IDENT_OK);
	assert_int_equal(ident_address_code("820000"), IDENT_OK);
	assert_int_equal(ident_address_code("160101"), IDENT_ADDRESS);
	assert_int_equal(ident_address_code("110001"), IDENT_ADDRESS);
	assert_int_equal(ident_address_code("11a105"), IDENT_CHARSET);
}

static void
gb32100(void **state)
{
	static const char *const good[] = {
		"91350100M000100Y43",	/* the standard's worked example */
		"91512081MA62K0260E", "91110108551385082Q",
		"91110000600037341L",
		"9111000060003734F0",	/* check value 0: the outer mod */
	};
	char e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		assert_int_equal(ident_check_uscc(good[i], 18, &e), IDENT_OK);
		assert_int_equal(e, good[i][17]);
		assert_int_equal(ident_check_enterprise(good[i], 18, NULL),
		    IDENT_OK);
	}
	/* Z is not in the alphabet (no I O S V Z). */
	assert_int_equal(ident_check_uscc("91350100M000100Y4Z", 18, &e),
	    IDENT_CHARSET);
	assert_int_equal(ident_check_uscc("91350100M000100Y44", 18, &e),
	    IDENT_CHECK);
	assert_int_equal(e, '3');
	assert_int_equal(ident_check_uscc("91350100m000100Y43", 18, NULL),
	    IDENT_CHARSET);
	assert_int_equal(ident_check_uscc("913501A0M000100Y43", 18, NULL),
	    IDENT_ADDRESS);
	assert_int_equal(ident_check_uscc("91350100M000100Y4", 17, NULL),
	    IDENT_LENGTH);
	assert_int_equal(ident_gb32100_value('Y'), 30);
	assert_int_equal(ident_gb32100_value('I'), -1);
	assert_int_equal(ident_gb32100_char(30), 'Y');
	assert_int_equal(ident_gb32100_char(31), -1);
	assert_int_equal(ident_gb32100_check("91350100M000100YO"), -1);
}

static void
customs_code(void **state)
{
	(void)state;
	assert_int_equal(ident_check_customs_code("1105910159", 10), IDENT_OK);
	assert_int_equal(ident_check_customs_code("46016602EV", 10), IDENT_OK);
	assert_int_equal(ident_check_customs_code("4601660", 7), IDENT_LENGTH);
	/* Payment companies' codes may begin with letters. */
	assert_int_equal(ident_check_customs_code("ZF14021901", 10), IDENT_OK);
	assert_int_equal(ident_check_customs_code("A6016602EV", 10), IDENT_OK);
	assert_int_equal(ident_check_customs_code("4601-602EV", 10),
	    IDENT_CHARSET);
	assert_int_equal(ident_check_customs_code("46016602E\xc3", 10),
	    IDENT_CHARSET);
	assert_int_equal(ident_check_customs_code("46016602ev", 10),
	    IDENT_CHARSET);
	assert_int_equal(ident_check_enterprise("46016602EV", 10, NULL),
	    IDENT_OK);
	assert_int_equal(ident_check_enterprise("4601", 4, NULL),
	    IDENT_LENGTH);
	assert_string_equal(ident_strerror(IDENT_CHECK),
	    "check character does not match");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gb11643_good),
		cmocka_unit_test(gb11643_bad),
		cmocka_unit_test(gb11643_helpers),
		cmocka_unit_test(gb32100),
		cmocka_unit_test(customs_code),
	};

	return cmocka_run_group_tests_name("ident", tests, NULL, NULL);
}
