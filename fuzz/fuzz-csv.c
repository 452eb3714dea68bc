/*
 * fuzz-csv.c: the CSV reader (csvio) over arbitrary bytes: comment lines,
 * BOM, header, quoted fields with newlines, short and long rows, gzip.
 *
 * Checks: the header names are NUL-terminated strings and csvio_col()
 * finds each; every header name and field handed out is well-formed UTF-8
 * (csvio refuses the rest); csvio_get() out of range gives ""; row lines
 * never go backwards and never pass the line count; an error has a
 * message in well-formed UTF-8, names a line within the input, and ends
 * the reading.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "csvio.h"
#include "fuzz.h"
#include "utf8.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[32], err[300];
	struct csvio *c;
	char **fields;
	size_t n, i, lines = 1;
	long last = 0;
	int fd, r;

	/* Lines of a plain source (a gzip one is not counted). */
	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
		lines = (size_t)-1 / 2;
	fd = fuzz_memfile(data, size, path, sizeof path);
	if ((c = csvio_open(path, err, sizeof err)) == NULL) {
		FUZZ_ASSERT(err[0] != '\0');
		FUZZ_ASSERT(utf8_invalid_at(err) < 0);
		close(fd);
		return 0;
	}
	FUZZ_ASSERT(csvio_comments(c) != NULL);
	for (i = 0; i < csvio_ncols(c); i++) {
		int k = csvio_col(c, csvio_colname(c, i));
		FUZZ_ASSERT(k >= 0 && (size_t)k <= i);
		FUZZ_ASSERT(utf8_invalid_at(csvio_colname(c, i)) < 0);
	}
	FUZZ_ASSERT(csvio_colname(c, csvio_ncols(c)) == NULL);
	while ((r = csvio_next(c, &fields, &n)) == 1) {
		for (i = 0; i < n; i++)
			FUZZ_ASSERT(utf8_invalid_at(fields[i]) < 0);
		FUZZ_ASSERT(strcmp(csvio_get(c, (int)n), "") == 0);
		FUZZ_ASSERT(strcmp(csvio_get(c, -1), "") == 0);
		FUZZ_ASSERT(csvio_line(c) >= last);
		FUZZ_ASSERT((size_t)csvio_line(c) <= lines);
		last = csvio_line(c);
	}
	if (r < 0) {
		FUZZ_ASSERT(csvio_error(c)[0] != '\0');
		FUZZ_ASSERT(utf8_invalid_at(csvio_error(c)) < 0);
		FUZZ_ASSERT(csvio_line(c) >= last);
		FUZZ_ASSERT((size_t)csvio_line(c) <= lines);
	}
	csvio_close(c);
	close(fd);
	return 0;
}
