/*
 * test-diag: the one diagnostics path: exit status levels, the report's
 * common columns and extra columns, and quoting of values.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "diag.h"
#include "utf8.h"

static void
report_and_status(void **state)
{
	char path[64], buf[2048];
	static const char *const extra[] = { "used", "remaining", NULL };
	static const char *const vals[] = { "100.00", "25900.00", NULL };
	static const struct origin o = { "day1.xml", 3, 200, "E-1",
	    "20261127", "stdin", 4, 9, NULL };
	struct diag_loc loc = { "day1.xml", 3, 214, "CEB621", "G-1", 2,
	    "3301980K0E/INV,1", NULL }, loc2 = loc;
	FILE *f;
	size_t n;

	(void)state;
	snprintf(path, sizeof path, "/tmp/test-diag.%ld", (long)getpid());
	diag_init("/usr/bin/ceb-test");
	diag_set_quiet(1);
	assert_string_equal(diag_prog(), "ceb-test");
	assert_int_equal(diag_report_open(path, extra), 0);
	assert_int_equal(diag_status(), 0);
	diag_finding(&loc, "Q-INFO-001", DIAG_INFO, "", vals, "fine");
	assert_int_equal(diag_status(), 0);
	loc2.origin = &o;
	diag_finding(&loc2, "Q-LIM-002", DIAG_WARNING, "qty", NULL,
	    "line \"1\"\nsecond");
	assert_int_equal(diag_status(), 0);
	diag_finding(&loc, "Q-LIM-001", DIAG_ERROR, "totalPrice", vals,
	    "over %d", 5000);
	/* A value cut by bytes loses its half character, not the report. */
	diag_finding(&loc, "Q-LIM-003", DIAG_WARNING, "name", NULL,
	    "'%.4s' cut", "退单");
	/* A formula is neutralised, a plain number is not; an escape shows
	 * as text (docs/security.md). */
	diag_finding(&loc, "Q-LIM-004", DIAG_WARNING, "-1+cmd", vals,
	    "=SUM(A1)\033[2J\xc2\x9b");
	diag_finding(&loc, "Q-LIM-005", DIAG_WARNING, "x", vals, "-12.50");
	assert_int_equal(diag_status(), 1);
	diag_records(3, 2, 1);
	assert_int_equal(diag_exit(), 1);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(path);
	assert_string_equal(buf,
	    "tool,source,message,line,type,guid,record,key,rule,severity,"
	    "field,detail,envelope,via_source,via_message,via_line,received,"
	    "used,remaining\n"
	    "ceb-test,day1.xml,3,214,CEB621,G-1,2,\"3301980K0E/INV,1\","
	    "Q-INFO-001,info,,fine,,,,,,100.00,25900.00\n"
	    "ceb-test,day1.xml,3,214,CEB621,G-1,2,\"3301980K0E/INV,1\","
	    "Q-LIM-002,warning,qty,\"line \"\"1\"\"\\nsecond\",E-1,stdin,4,9,"
	    "20261127,,\n"
	    "ceb-test,day1.xml,3,214,CEB621,G-1,2,\"3301980K0E/INV,1\","
	    "Q-LIM-001,error,totalPrice,over 5000,,,,,,100.00,25900.00\n"
	    "ceb-test,day1.xml,3,214,CEB621,G-1,2,\"3301980K0E/INV,1\","
	    "Q-LIM-003,warning,name,'退' cut,,,,,,,\n"
	    "ceb-test,day1.xml,3,214,CEB621,G-1,2,\"3301980K0E/INV,1\","
	    "Q-LIM-004,warning,'-1+cmd,'=SUM(A1)\\x1B[2J\\u{009B},,,,,,"
	    "100.00,25900.00\n"
	    "ceb-test,day1.xml,3,214,CEB621,G-1,2,\"3301980K0E/INV,1\","
	    "Q-LIM-005,warning,x,-12.50,,,,,,100.00,25900.00\n");
}

static void
utf8_clean_cases(void **state)
{
	static const char *const cases[][2] = {
		{ "plain", "plain" },
		{ "退单", "退单" },
		{ "\xe9\x80", "" },			/* cut lead */
		{ "a\xe9\x80 b", "a b" },
		{ "\x80\xbfx", "x" },			/* stray continuation */
		{ "\xc0\xafx", "x" },			/* overlong */
		{ "\xed\xa0\x80x", "x" },		/* surrogate */
		{ "\xf4\x90\x80\x80x", "x" },	/* above U+10FFFF */
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },
		{ "\xff\xfe", "" },
	};
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(buf, sizeof buf, "%s", cases[i][0]);
		assert_int_equal(utf8_clean(buf), strlen(cases[i][1]));
		assert_string_equal(buf, cases[i][1]);
	}
}

/*
 * The progress line never claims "0 records" while a tool that counts
 * its records only at the end (reconcile, quota, write-off) is reading:
 * it gives the records once some are counted.  Runs first, before any
 * other test counts records.
 */
static void
progress_without_records(void **state)
{
	char buf[160];

	(void)state;
	diag_init("ceb-test");
	diag_messages(1200);
	diag_progress_format(buf, sizeof buf, 3500000);
	assert_string_equal(buf, "1200 messages, 3.5 MB");
	diag_records(2400, 2400, 0);
	diag_progress_format(buf, sizeof buf, 7000000);
	assert_string_equal(buf, "1200 messages, 2400 records, 7.0 MB");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(progress_without_records),
		cmocka_unit_test(report_and_status),
		cmocka_unit_test(utf8_clean_cases),
	};

	return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
