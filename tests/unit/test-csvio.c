/*
 * test-csvio: CSV writing (quoting, one record per line) and reading
 * (comments, BOM, header by name, quoted newlines, line numbers, errors,
 * NUL bytes and bytes that are not UTF-8).
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

#include "csvio.h"

static char path[64];

static void
put_n(const char *s, size_t len)
{
	FILE *f;

	snprintf(path, sizeof path, "/tmp/test-csvio.%ld", (long)getpid());
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, len, f), len);
	fclose(f);
}

static void
put(const char *s)
{
	put_n(s, strlen(s));
}

static void
writing(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *row[] = { "plain", "a,b", "say \"hi\"", "two\nlines",
	    "", NULL, " pad" };

	(void)state;
	assert_int_equal(csvio_write_row(f, row, 7), 0);
	fclose(f);
	assert_string_equal(buf,
	    "plain,\"a,b\",\"say \"\"hi\"\"\",\"two lines\",,,\" pad\"\n");
	free(buf);
}

static void
reading(void **state)
{
	char err[256], **fields;
	size_t n;
	struct csvio *c;

	(void)state;
	put("\xef\xbb\xbf# source: test\n# date: 2026-11-28\n"
	    "code,Name\n142,\"人民币\"\n\n502,\"US\nDollar\"\n"
	    "300,\"Euro, \"\"EUR\"\"\"\n");
	c = csvio_open(path, err, sizeof err);
	assert_non_null(c);
	assert_string_equal(csvio_comments(c), " source: test\n date: 2026-11-28");
	assert_int_equal(csvio_ncols(c), 2);
	assert_int_equal(csvio_col(c, "code"), 0);
	assert_int_equal(csvio_col(c, "name"), 1);
	assert_int_equal(csvio_col(c, "nope"), -1);
	assert_int_equal(csvio_next(c, &fields, &n), 1);
	assert_string_equal(csvio_get(c, 0), "142");
	assert_string_equal(csvio_get(c, 1), "人民币");
	assert_int_equal(csvio_line(c), 4);
	assert_int_equal(csvio_next(c, &fields, &n), 1);
	assert_string_equal(fields[1], "US\nDollar");
	assert_int_equal(csvio_line(c), 6);
	assert_int_equal(csvio_next(c, &fields, &n), 1);
	assert_string_equal(fields[1], "Euro, \"EUR\"");
	assert_int_equal(csvio_line(c), 8);
	assert_string_equal(csvio_get(c, 5), "");
	assert_int_equal(csvio_next(c, &fields, &n), 0);
	csvio_close(c);
	unlink(path);
}

static void
malformed(void **state)
{
	char err[256], **fields;
	size_t n;
	struct csvio *c;
	int r;

	(void)state;
	put("a,b\n1,2\n3,\"open\n");
	c = csvio_open(path, err, sizeof err);
	assert_non_null(c);
	assert_int_equal(csvio_next(c, &fields, &n), 1);
	r = csvio_next(c, &fields, &n);
	assert_int_equal(r, -1);
	assert_non_null(strstr(csvio_error(c), "malformed"));
	csvio_close(c);
	put("");
	assert_null(csvio_open(path, err, sizeof err));
	unlink(path);
}

/* The row's own line, after an error. */
static void
malformed_line(void **state)
{
	char err[256], **fields;
	size_t n;
	struct csvio *c;

	(void)state;
	put("a,b\n1,2\n\n3,x\"y\n5,6\n");
	c = csvio_open(path, err, sizeof err);
	assert_non_null(c);
	assert_int_equal(csvio_next(c, &fields, &n), 1);
	assert_int_equal(csvio_line(c), 2);
	assert_int_equal(csvio_next(c, &fields, &n), -1);
	assert_int_equal(csvio_line(c), 4);
	csvio_close(c);
	unlink(path);
}

/* NUL bytes and bytes that are not UTF-8: refused, never cut or passed. */
static void
not_text(void **state)
{
	static const char nul[] = "a,b\n1,2\n3,4\0005\n6,7\n";
	char err[256], **fields;
	size_t n;
	struct csvio *c;

	(void)state;
	put_n(nul, sizeof nul - 1);
	c = csvio_open(path, err, sizeof err);
	assert_non_null(c);
	assert_int_equal(csvio_next(c, &fields, &n), 1);
	assert_int_equal(csvio_next(c, &fields, &n), -1);
	assert_string_equal(csvio_error(c), "field 2 (b) holds a NUL byte");
	assert_int_equal(csvio_line(c), 3);
	csvio_close(c);

	/* GBK for 人民币 (C8 CB C3 F1 B1 D2) in the second row. */
	put("code,name\n142,\xe4\xba\xba\n143,\"\xc8\xcb\xc3\xf1\xb1\xd2\"\n");
	c = csvio_open(path, err, sizeof err);
	assert_non_null(c);
	assert_int_equal(csvio_next(c, &fields, &n), 1);
	assert_string_equal(fields[1], "\xe4\xba\xba");
	assert_int_equal(csvio_next(c, &fields, &n), -1);
	assert_non_null(strstr(csvio_error(c),
	    "field 2 (name) is not UTF-8 (byte 0xC8 at offset 0)"));
	assert_int_equal(csvio_line(c), 3);
	csvio_close(c);

	/* In the header: csvio_open refuses it, naming line 1. */
	put("code,na\xffme\n1,2\n");
	assert_null(csvio_open(path, err, sizeof err));
	assert_non_null(strstr(err, "line 1: field 2 is not UTF-8 (byte 0xFF"));
	/* A value cut inside a character, an overlong form, a surrogate. */
	put("a\n\xe4\xba\n");
	c = csvio_open(path, err, sizeof err);
	assert_int_equal(csvio_next(c, &fields, &n), -1);
	csvio_close(c);
	put("a\n\xc0\xaf\n");
	c = csvio_open(path, err, sizeof err);
	assert_int_equal(csvio_next(c, &fields, &n), -1);
	csvio_close(c);
	put("a\n\xed\xa0\x80\n");
	c = csvio_open(path, err, sizeof err);
	assert_int_equal(csvio_next(c, &fields, &n), -1);
	csvio_close(c);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(writing),
		cmocka_unit_test(reading),
		cmocka_unit_test(malformed),
		cmocka_unit_test(malformed_line),
		cmocka_unit_test(not_text),
	};

	return cmocka_run_group_tests_name("csvio", tests, NULL, NULL);
}
