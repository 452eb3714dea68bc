/*
 * standalone.c: main() for a fuzz target outside libFuzzer.  Runs the
 * target once over each file operand (directories: each file in them), so
 * the ordinary build replays kept inputs under any compiler, valgrind or
 * sanitizer.  Exit 0 when every input ran; a failing check aborts.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

__attribute__((weak)) int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	for (;;) {
		if (cap - len < 65536) {
			uint8_t *p = realloc(buf, cap ? cap * 2 : 65536);
			if (p == NULL) {
				fclose(f);
				free(buf);
				return -1;
			}
			buf = p;
			cap = cap ? cap * 2 : 65536;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
run_dir(const char *dir, long *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, i;
	int rc = 0;

	if (d == NULL) {
		perror(dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char **p;

		if (e->d_name[0] == '.')
			continue;
		if ((p = realloc(names, (n + 1) * sizeof *p)) == NULL)
			break;
		names = p;
		if ((names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2)))
			sprintf(names[n++], "%s/%s", dir, e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	for (i = 0; i < n; i++) {
		struct stat st;

		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(names[i]) != 0)
				rc = -1;
			(*count)++;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char *argv[])
{
	long count = 0;
	int i, rc = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			rc |= run_dir(argv[i], &count);
		else {
			rc |= run_file(argv[i]);
			count++;
		}
	}
	printf("%s: %ld inputs run\n", argv[0], count);
	return rc ? 1 : 0;
}
