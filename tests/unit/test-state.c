/*
 * test-state: atomic replacement of files (common/state.h).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "state.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test-state.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *
slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
commit_replaces(void **state)
{
	char p[128], err[256];
	struct state_out *o;
	struct stat st;

	(void)state;
	snprintf(p, sizeof p, "%s/ledger.csv", dir);
	o = state_create(p, 0, 0600, err, sizeof err);
	assert_non_null(o);
	fputs("a,b\n1,2\n", state_file(o));
	assert_int_equal(state_commit(o, err, sizeof err), 0);
	assert_string_equal(slurp(p), "a,b\n1,2\n");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* An aborted rewrite leaves the old file and no temporary. */
	o = state_create(p, 0, 0600, err, sizeof err);
	fputs("half", state_file(o));
	state_abort(o);
	assert_string_equal(slurp(p), "a,b\n1,2\n");
	{
		char cmd[160];
		snprintf(cmd, sizeof cmd, "! ls %s | grep -q tmp", dir);
		assert_int_equal(system(cmd), 0);
	}
}

static void
gzip_state(void **state)
{
	char p[128], err[256], buf[64];
	struct state_out *o;
	gzFile g;
	int n;

	(void)state;
	snprintf(p, sizeof p, "%s/ledger.csv.gz", dir);
	o = state_create(p, 1, 0600, err, sizeof err);
	assert_non_null(o);
	fputs("x,y\n", state_file(o));
	assert_int_equal(state_commit(o, err, sizeof err), 0);
	assert_true(state_is_gzip(p));
	g = gzopen(p, "rb");
	n = gzread(g, buf, sizeof buf - 1);
	gzclose(g);
	buf[n > 0 ? n : 0] = '\0';
	assert_string_equal(buf, "x,y\n");
}

static void
unwritable_directory(void **state)
{
	char err[256];

	(void)state;
	assert_null(state_create("/nonexistent-dir/x.csv", 0, 0600, err,
	    sizeof err));
	assert_non_null(strstr(err, "/nonexistent-dir/x.csv"));
}

static void
mkdir_parents(void **state)
{
	char p[128], err[256];
	struct stat st;

	(void)state;
	snprintf(p, sizeof p, "%s/a/b/c", dir);
	assert_int_equal(state_mkdir(p, err, sizeof err), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(state_mkdir(p, err, sizeof err), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(commit_replaces),
		cmocka_unit_test(gzip_state),
		cmocka_unit_test(unwritable_directory),
		cmocka_unit_test(mkdir_parents),
	};

	return cmocka_run_group_tests_name("state", tests, setup, teardown);
}
