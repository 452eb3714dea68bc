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

static void
report_and_status(void **state)
{
	char path[64], buf[2048];
	static const char *const extra[] = { "used", "remaining", NULL };
	static const char *const vals[] = { "100.00", "25900.00", NULL };
	struct diag_loc loc = { "day1.xml", 3, 214, "CEB621", "G-1", 2,
	    "3301980K0E/INV,1" };
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
	diag_finding(&loc, "Q-LIM-002", DIAG_WARNING, "qty", NULL,
	    "line \"1\"\nsecond");
	assert_int_equal(diag_status(), 0);
	diag_finding(&loc, "Q-LIM-001", DIAG_ERROR, "totalPrice", vals,
	    "over %d", 5000);
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
	    "field,detail,used,remaining\n"
	    "ceb-test,day1.xml,3,214,CEB621,G-1,2,\"3301980K0E/INV,1\","
	    "Q-INFO-001,info,,fine,100.00,25900.00\n"
	    "ceb-test,day1.xml,3,214,CEB621,G-1,2,\"3301980K0E/INV,1\","
	    "Q-LIM-002,warning,qty,\"line \"\"1\"\" second\",,\n"
	    "ceb-test,day1.xml,3,214,CEB621,G-1,2,\"3301980K0E/INV,1\","
	    "Q-LIM-001,error,totalPrice,over 5000,100.00,25900.00\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(report_and_status),
	};

	return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
