/*
 * test-codetab: loading CSV code tables (comments, key column, duplicate
 * keys, short rows), lookups by key and by length-bounded key, columns by
 * name, and the data-directory search order of codetab_path().
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

#include "codetab.h"

static char path[64];

static void
put(const char *s)
{
	FILE *f;

	snprintf(path, sizeof path, "/tmp/test-codetab.%ld", (long)getpid());
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs(s, f);
	fclose(f);
}

static void
lookup(void **state)
{
	char err[256];
	struct codetab *t;
	long row;

	(void)state;
	put("# currency: test table\n# source: none\ncode,name,status\n"
	    "142,人民币,current\n502,美元\n,empty key,skipped\n300,欧元,current\n");
	t = codetab_load(path, NULL, err, sizeof err);
	assert_non_null(t);
	assert_int_equal(codetab_size(t), 3);
	/* csvio hands the comments over without their '#'. */
	assert_string_equal(codetab_comments(t),
	    " currency: test table\n source: none");
	assert_true(codetab_has(t, "142"));
	assert_true(codetab_has(t, "300"));
	assert_false(codetab_has(t, "14"));
	assert_false(codetab_has(t, "1420"));
	assert_false(codetab_has(t, NULL));
	/* A key bounded by length, as inside a longer string. */
	assert_true(codetab_find(t, "5029", 3) >= 0);
	assert_true(codetab_find(t, "50", 2) < 0);
	row = codetab_find(t, "142", 3);
	assert_string_equal(codetab_get(t, row, "name"), "人民币");
	assert_string_equal(codetab_key(t, row), "142");
	/* A short row reads as empty; an unknown column too. */
	row = codetab_find(t, "502", 3);
	assert_string_equal(codetab_get(t, row, "status"), "");
	assert_string_equal(codetab_get(t, row, "nope"), "");
	assert_string_equal(codetab_get(t, -1, "name"), "");
	codetab_free(t);
	unlink(path);
}

static void
big(void **state)
{
	char err[256], key[16];
	struct codetab *t;
	FILE *f;
	int i;

	(void)state;
	snprintf(path, sizeof path, "/tmp/test-codetab.%ld", (long)getpid());
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs("hs8,name\n", f);
	for (i = 0; i < 5000; i++)
		fprintf(f, "%08d,item %d\n", i * 7, i);
	fclose(f);
	t = codetab_load(path, "hs8", err, sizeof err);
	assert_non_null(t);
	assert_int_equal(codetab_size(t), 5000);
	for (i = 0; i < 5000 * 7; i++) {
		snprintf(key, sizeof key, "%08d", i);
		assert_int_equal(codetab_has(t, key), i % 7 == 0);
	}
	codetab_free(t);
	unlink(path);
}

static void
errors(void **state)
{
	char err[256];

	(void)state;
	put("code,name\n142,a\n142,b\n");
	assert_null(codetab_load(path, NULL, err, sizeof err));
	assert_non_null(strstr(err, ":3: duplicate code \"142\""));
	put("id,name\n1,a\n");
	assert_null(codetab_load(path, NULL, err, sizeof err));
	assert_non_null(strstr(err, "no column \"code\""));
	unlink(path);
	assert_null(codetab_load(path, NULL, err, sizeof err));
	assert_non_null(strstr(err, path));
}

/* The "complete:" line of a table's comments. */
static int
says_complete(const char *text)
{
	char err[256];
	struct codetab *t;
	int c;

	put(text);
	t = codetab_load(path, NULL, err, sizeof err);
	assert_non_null(t);
	c = codetab_complete(t);
	codetab_free(t);
	unlink(path);
	return c;
}

static void
complete(void **state)
{
	(void)state;
	assert_true(says_complete("# t\n# complete: yes\ncode\n1\n"));
	assert_true(says_complete("#Complete:YES -- all of them\ncode\n1\n"));
	assert_true(says_complete("# complete: yes.\ncode\n1\n"));
	assert_false(says_complete("# complete: no -- 1158 codes\ncode\n1\n"));
	/* Silence is not a claim of completeness. */
	assert_false(says_complete("# a table\ncode\n1\n"));
	assert_false(says_complete("code\n1\n"));
	/* "yesterday" is not "yes"; the first complete: line decides. */
	assert_false(says_complete("# complete: yesterday\ncode\n1\n"));
	assert_false(says_complete("# complete: no\n# complete: yes\n"
	    "code\n1\n"));
	/* Only a line that starts with the word counts. */
	assert_false(says_complete("# is it complete: yes\ncode\n1\n"));
}

static void
paths(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(codetab_path("/x", "tables", "/usr/share/c",
	    "unit.csv", buf, sizeof buf), "/x/unit.csv");
	setenv("CEBTOOLS_DATADIR", "/d", 1);
	assert_string_equal(codetab_path(NULL, "tables", "/usr/share/c",
	    "unit.csv", buf, sizeof buf), "/d/tables/unit.csv");
	unsetenv("CEBTOOLS_DATADIR");
	assert_string_equal(codetab_path(NULL, "tables", "/usr/share/c",
	    "unit.csv", buf, sizeof buf), "/usr/share/c/tables/unit.csv");
	assert_null(codetab_path("/x", "tables", "/p", "unit.csv", buf, 5));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lookup),
		cmocka_unit_test(big),
		cmocka_unit_test(errors),
		cmocka_unit_test(complete),
		cmocka_unit_test(paths),
	};

	return cmocka_run_group_tests_name("codetab", tests, NULL, NULL);
}
