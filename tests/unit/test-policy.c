/*
 * test-policy: the quota policy file (common/policy.h): the columns and
 * their defaults, the shipped table's rows, the row in force on a day,
 * quota years, day arithmetic, and every error the loader reports.
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

#include "policy.h"

static char path[64];

static void
put(const char *s)
{
	FILE *f;

	snprintf(path, sizeof path, "/tmp/test-policy.%ld", (long)getpid());
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs(s, f);
	fclose(f);
}

/* Load text; 0 or -1, with the message and line of a failure. */
static int
load(const char *text, struct policy *p, char *err, size_t n, long *line)
{
	int rc;

	memset(p, 0, sizeof *p);
	p->year_start = 101;
	put(text);
	rc = policy_load(p, path, err, n, line);
	unlink(path);
	return rc;
}

static void
shipped(void **state)
{
	struct policy p;
	char file[4096], err[256];
	const char *top = getenv("top_srcdir");
	const struct policy_row *r;
	long line;

	(void)state;
	memset(&p, 0, sizeof p);
	p.year_start = 101;
	snprintf(file, sizeof file, "%s/tables/quota-policy.csv",
	    top ? top : ".");
	assert_int_equal(policy_load(&p, file, err, sizeof err, &line), 0);
	assert_int_equal(p.n, 3);
	/* Before cross-border retail began: nothing in force. */
	assert_null(policy_at(&p, 20160407));
	/* 2016/18: 2000 and 20000, no single-item exception. */
	r = policy_at(&p, 20181231);
	assert_non_null(r);
	assert_int_equal(r->from, 20160408);
	assert_true(dec_cmp(r->single, dec_from_int(2000)) == 0);
	assert_true(dec_cmp(r->annual, dec_from_int(20000)) == 0);
	assert_int_equal(r->single_item, 0);
	assert_int_equal(r->return_days, -1);
	/* 2018/49 from 2019-01-01: 5000, 26000 and the exception. */
	r = policy_at(&p, 20190101);
	assert_int_equal(r->from, 20190101);
	assert_true(dec_cmp(r->single, dec_from_int(5000)) == 0);
	assert_int_equal(r->single_item, 1);
	assert_int_equal(r->return_days, -1);
	/* The return window of 2020 No.45. */
	r = policy_at(&p, 20260101);
	assert_int_equal(r->return_days, 30);
	assert_true(dec_cmp(r->annual, dec_from_int(26000)) == 0);
	policy_free(&p);
	assert_null(p.rows);
}

static void
columns(void **state)
{
	struct policy p;
	char err[256];
	long line;

	(void)state;
	/* Without the optional columns: the exception, no window. */
	assert_int_equal(load("from,single,annual\n2019-01-01,5000,26000\n",
	    &p, err, sizeof err, &line), 0);
	assert_int_equal(p.rows[0].single_item, 1);
	assert_int_equal(p.rows[0].return_days, -1);
	policy_free(&p);
	/* Columns found by name, in any order; rows sorted by date. */
	assert_int_equal(load("# c\nreturn_days,annual,single_item,single,"
	    "from\n30,26000,no,5000.50,2020-03-28\n,20000,yes,2000,20160408\n",
	    &p, err, sizeof err, &line), 0);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.rows[0].from, 20160408);
	assert_int_equal(p.rows[0].single_item, 1);
	assert_int_equal(p.rows[0].return_days, -1);
	assert_int_equal(p.rows[1].single_item, 0);
	assert_int_equal(p.rows[1].return_days, 30);
	assert_true(dec_cmp(p.rows[1].single, dec_from_int(5000)) > 0);
	assert_int_equal(policy_at(&p, 20200327)->from, 20160408);
	assert_int_equal(policy_at(&p, 20200328)->from, 20200328);
	policy_free(&p);
}

static void
errors(void **state)
{
	struct policy p;
	char err[256];
	long line;

	(void)state;
	assert_int_equal(load("from,single\n2019-01-01,5000\n", &p, err,
	    sizeof err, &line), -1);
	assert_non_null(strstr(err, "columns"));
	policy_free(&p);
	assert_int_equal(load("from,single,annual\n2020-13-01,1000,3000\n",
	    &p, err, sizeof err, &line), -1);
	assert_int_equal(line, 2);
	assert_non_null(strstr(err, "date"));
	policy_free(&p);
	assert_int_equal(load("from,single,annual\n2020-01-01,0,3000\n", &p,
	    err, sizeof err, &line), -1);
	policy_free(&p);
	assert_int_equal(load("from,single,annual,single_item\n"
	    "2020-01-01,1,3,maybe\n", &p, err, sizeof err, &line), -1);
	assert_int_equal(line, 2);
	assert_non_null(strstr(err, "single_item"));
	policy_free(&p);
	assert_int_equal(load("from,single,annual,return_days\n"
	    "2020-01-01,1,3,-1\n", &p, err, sizeof err, &line), -1);
	policy_free(&p);
	assert_int_equal(load("from,single,annual,return_days\n"
	    "2020-01-01,1,3,30 days\n", &p, err, sizeof err, &line), -1);
	policy_free(&p);
	assert_int_equal(load("from,single,annual\n", &p, err, sizeof err,
	    &line), -1);
	assert_non_null(strstr(err, "no rows"));
	policy_free(&p);
	assert_int_equal(load("from,single,annual\n2020-01-01,1,3\n"
	    "20200101,2,4\n", &p, err, sizeof err, &line), -1);
	assert_non_null(strstr(err, "two rows"));
	policy_free(&p);
	memset(&p, 0, sizeof p);
	assert_int_equal(policy_load(&p, "/nonexistent/policy.csv", err,
	    sizeof err, &line), -1);
	assert_non_null(strstr(err, "cannot read policy"));
	policy_free(&p);
}

static void
days(void **state)
{
	struct policy p;

	(void)state;
	assert_int_equal(policy_days_between(20200101, 20200101), 0);
	assert_int_equal(policy_days_between(20200101, 20200131), 30);
	assert_int_equal(policy_days_between(20200131, 20200101), -30);
	/* Leap day, year end. */
	assert_int_equal(policy_days_between(20200228, 20200301), 2);
	assert_int_equal(policy_days_between(20190228, 20190301), 1);
	assert_int_equal(policy_days_between(20181231, 20190101), 1);
	assert_int_equal(policy_days_between(20160408, 20260408), 3652);
	assert_int_equal(policy_parse_day("2019-01-01"), 20190101);
	assert_int_equal(policy_parse_day("20190229"), -1);
	assert_int_equal(policy_parse_day("2019-1-01"), -1);
	memset(&p, 0, sizeof p);
	p.year_start = 101;
	assert_int_equal(policy_year(&p, 20191231), 2019);
	p.year_start = 401;
	assert_int_equal(policy_year(&p, 20190331), 2018);
	assert_int_equal(policy_year(&p, 20190401), 2019);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped),
		cmocka_unit_test(columns),
		cmocka_unit_test(errors),
		cmocka_unit_test(days),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
