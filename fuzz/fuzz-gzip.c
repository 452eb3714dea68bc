/*
 * fuzz-gzip.c: the gzip input path (input.c) over arbitrary bytes, with the
 * stream framer on top, so that corrupt, truncated and concatenated members
 * reach both.  When the first byte is odd the gzip magic is put in front of
 * the rest, so most inputs take the inflate path; the second byte sets the
 * read size (1..256 bytes, or a large buffer), exercising short reads.
 *
 * Checks: input_read never returns more than asked; once it fails it keeps
 * failing with a message; a source that is not gzip reads back byte for
 * byte; framing ends in EOF or FATAL.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "input.h"
#include "stream.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_libxml();
	return 0;
}

static void
read_all(const uint8_t *data, size_t size, size_t chunk)
{
	char path[32], err[300];
	struct input *in;
	unsigned char *buf = malloc(chunk);
	size_t total = 0;
	ssize_t n;
	int fd = fuzz_memfile(data, size, path, sizeof path), plain;

	FUZZ_ASSERT(buf != NULL);
	in = input_open(path, err, sizeof err);
	FUZZ_ASSERT(in != NULL);
	plain = !input_is_gzip(in);
	while ((n = input_read(in, buf, chunk)) > 0) {
		FUZZ_ASSERT((size_t)n <= chunk);
		if (plain)
			FUZZ_ASSERT(total + (size_t)n <= size &&
			    memcmp(buf, data + total, (size_t)n) == 0);
		total += (size_t)n;
		/* Bounded: at most 1032 times the input, plus slack. */
		FUZZ_ASSERT(total <= size * 1100 + 65536);
	}
	if (n < 0) {
		FUZZ_ASSERT(input_error(in)[0] != '\0');
		FUZZ_ASSERT(input_read(in, buf, chunk) == -1);
		FUZZ_ASSERT(!plain);
	} else if (plain)
		FUZZ_ASSERT(total == size);
	FUZZ_ASSERT(input_raw_bytes(in) <= size);
	input_close(in);
	close(fd);
	free(buf);
}

static void
frame_all(const uint8_t *data, size_t size)
{
	struct stream_opts o = { .max_size = 4096, .max_depth = 16 };
	char path[32], err[300];
	struct input *in;
	struct stream *s;
	struct stream_doc d;
	struct stream_err e;
	int fd = fuzz_memfile(data, size, path, sizeof path), r;

	in = input_open(path, err, sizeof err);
	FUZZ_ASSERT(in != NULL);
	s = stream_open(in, "fuzz", &o);
	FUZZ_ASSERT(s != NULL);
	do {
		memset(&e, 0, sizeof e);
		r = stream_next(s, &d, &e);
		if (r < 0)
			FUZZ_ASSERT(e.msg[0] != '\0');
	} while (r != STREAM_EOF && r != STREAM_FATAL);
	stream_close(s);
	input_close(in);
	close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;
	size_t chunk, len;

	if (size < 2)
		return 0;
	chunk = data[1] == 255 ? 256 * 1024 : (size_t)data[1] + 1;
	/* Build the source: optional magic, then the bytes after the two
	 * option bytes. */
	if ((buf = malloc(size)) == NULL)
		return 0;
	len = 0;
	if (data[0] & 1) {
		buf[len++] = 0x1f;
		buf[len++] = 0x8b;
	}
	memcpy(buf + len, data + 2, size - 2);
	len += size - 2;
	read_all(buf, len, chunk);
	frame_all(buf, len);
	free(buf);
	return 0;
}
