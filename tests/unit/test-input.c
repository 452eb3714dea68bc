/*
 * test-input: operand expansion (directories sorted, loops reported,
 * only *.xml and *.xml.gz) and plain/gzip reading.
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

#include "input.h"

static char dir[64];

static void
touch(const char *rel, const char *content)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", dir, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void
expansion(void **state)
{
	struct input_list l;
	char cmd[256];
	char *args[2];
	const char *want[] = { "a.xml", "b/c.xml", "b/d.xml.gz", "z.xml" };
	size_t i, nloops = 0, nfiles = 0;

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test-input.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof cmd, "mkdir %s/b && ln -s .. %s/b/loop", dir,
	    dir);
	assert_int_equal(system(cmd), 0);
	touch("z.xml", "<z/>");
	touch("a.xml", "<a/>");
	touch("notes.txt", "x");
	touch("b/d.xml.gz", "");
	touch("b/c.xml", "<c/>");
	memset(&l, 0, sizeof l);
	args[0] = dir;
	args[1] = NULL;
	assert_int_equal(input_expand(&l, 1, args), 0);
	for (i = 0; i < l.n; i++) {
		if (l.errs[i]) {
			assert_non_null(strstr(l.errs[i], "loop"));
			nloops++;
			continue;
		}
		assert_true(nfiles < 4);
		assert_string_equal(l.paths[i] + strlen(dir) + 1,
		    want[nfiles]);
		nfiles++;
	}
	assert_int_equal(nfiles, 4);
	assert_int_equal(nloops, 1);
	input_list_free(&l);
	assert_int_equal(input_expand(&l, 0, NULL), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.paths[0], "-");
	assert_string_equal(input_display_name(l.paths[0]), "stdin");
	input_list_free(&l);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void
reading(void **state)
{
	char err[128], buf[160], path[64];
	struct input *in;
	ssize_t n;
	FILE *p;

	(void)state;
	snprintf(path, sizeof path, "/tmp/test-input.%ld.gz", (long)getpid());
	snprintf(buf, sizeof buf, "printf 'hello' | gzip > %s", path);
	assert_int_equal(system(buf), 0);
	in = input_open(path, err, sizeof err);
	assert_non_null(in);
	assert_true(input_is_gzip(in));
	n = input_read(in, buf, sizeof buf);
	assert_int_equal(n, 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(input_read(in, buf, sizeof buf), 0);
	input_close(in);
	p = fopen(path, "w");
	fputs("x", p);	/* one byte: shorter than the magic */
	fclose(p);
	in = input_open(path, err, sizeof err);
	assert_non_null(in);
	assert_false(input_is_gzip(in));
	assert_int_equal(input_read(in, buf, sizeof buf), 1);
	assert_int_equal(input_read(in, buf, sizeof buf), 0);
	input_close(in);
	unlink(path);
	assert_null(input_open("/nonexistent/file.xml", err, sizeof err));
	assert_null(input_open("/tmp", err, sizeof err));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(expansion),
		cmocka_unit_test(reading),
	};

	return cmocka_run_group_tests_name("input", tests, NULL, NULL);
}
