/*
 * fuzz-stream.c: the stream framer and safe parser over arbitrary bytes.
 *
 * The first three bytes choose the options (parse or frame only, a small
 * or the default size limit, a small or the default depth limit); the rest
 * is the source.  Checks, besides the sanitizers: every document handed
 * over starts with '<', ends with '>', fits the size limit and has a tree
 * when parsing; indexes and lines never go backwards; a located error has
 * a message; the stream ends (EOF or FATAL) and stays ended.
 */
#include "config.h"

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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stream_opts o = { 0 };
	char path[32], err[300];
	struct input *in;
	struct stream *s;
	struct stream_doc d;
	struct stream_err e;
	long last_index = 0, last_line = 1;
	int fd, r, steps = 0;

	if (size < 3)
		return 0;
	o.no_parse = data[0] & 1;
	if (data[0] & 2)
		o.max_size = 16 + (size_t)data[1] * 8;
	if (data[0] & 4)
		o.max_depth = 2 + data[2] % 40;
	data += 3;
	size -= 3;
	fd = fuzz_memfile(data, size, path, sizeof path);
	in = input_open(path, err, sizeof err);
	FUZZ_ASSERT(in != NULL);
	s = stream_open(in, "fuzz", &o);
	FUZZ_ASSERT(s != NULL);
	for (;;) {
		memset(&e, 0, sizeof e);
		r = stream_next(s, &d, &e);
		/* Every call makes progress: no more results than bytes. */
		FUZZ_ASSERT(++steps <= (int)size + 2);
		if (r == STREAM_EOF)
			break;
		if (r == STREAM_FATAL || r == STREAM_BAD) {
			FUZZ_ASSERT(e.msg[0] != '\0');
			FUZZ_ASSERT(e.line >= 1);
			FUZZ_ASSERT(memchr(e.msg, '\n', sizeof e.msg) == NULL);
			if (r == STREAM_FATAL)
				break;
			continue;
		}
		FUZZ_ASSERT(r == STREAM_DOC);
		FUZZ_ASSERT(d.len >= 2 && d.bytes[0] == '<' &&
		    d.bytes[d.len - 1] == '>');
		FUZZ_ASSERT(d.len <= (o.max_size ? o.max_size :
		    STREAM_DEFAULT_MAX_SIZE));
		FUZZ_ASSERT(d.index > last_index);
		FUZZ_ASSERT(d.line >= last_line);
		FUZZ_ASSERT(o.no_parse ? d.doc == NULL : d.doc != NULL);
		FUZZ_ASSERT(stream_bytes(s) <= size);
		last_index = d.index;
		last_line = d.line;
		if (d.doc != NULL && (data[size ? size - 1 : 0] & 1)) {
			/* Sometimes keep a document past the next call. */
			struct stream_doc keep = d;

			FUZZ_ASSERT(stream_doc_detach(s, &keep) == 0);
			r = stream_next(s, &d, &e);
			stream_doc_free(&keep);
			if (r == STREAM_EOF || r == STREAM_FATAL)
				break;
		}
	}
	/* Once ended, the stream stays ended. */
	FUZZ_ASSERT(stream_next(s, &d, &e) == STREAM_EOF);
	stream_close(s);
	input_close(in);
	close(fd);
	return 0;
}
