/*
 * fuzz-stream.c: the stream framer and safe parser over arbitrary bytes.
 *
 * The first three bytes choose the options (parse or frame only, a small
 * or the default size limit, a small or the default depth limit); the rest
 * is the source.  Checks, besides the sanitizers: every document handed
 * over starts with '<', ends with '>', fits the size limit and has a tree
 * when parsing; indexes and lines never go backwards; a located error has
 * a message; the stream ends (EOF or FATAL) and stays ended.  With bit 8
 * of the first byte, the check-only parse (no_tree) is run beside the full
 * one on the same bytes: both hand over and refuse the same documents with
 * the same messages and locations.
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

/* The check-only parse agrees with the full parse, result by result. */
static void
lockstep(const char *path, const struct stream_opts *o)
{
	struct stream_opts light = *o;
	struct input *in[2];
	struct stream *s[2];
	struct stream_doc d[2];
	struct stream_err e[2];
	char err[300];
	int i, r[2];

	light.no_tree = 1;
	for (i = 0; i < 2; i++) {
		in[i] = input_open(path, err, sizeof err);
		FUZZ_ASSERT(in[i] != NULL);
		s[i] = stream_open(in[i], "fuzz", i ? &light : o);
		FUZZ_ASSERT(s[i] != NULL);
	}
	do {
		for (i = 0; i < 2; i++) {
			memset(&e[i], 0, sizeof e[i]);
			r[i] = stream_next(s[i], &d[i], &e[i]);
		}
		FUZZ_ASSERT(r[0] == r[1]);
		if (r[0] == STREAM_DOC) {
			FUZZ_ASSERT(d[0].index == d[1].index);
			FUZZ_ASSERT(d[0].line == d[1].line);
			FUZZ_ASSERT(d[0].len == d[1].len);
			FUZZ_ASSERT(d[1].doc == NULL);
		} else if (r[0] != STREAM_EOF) {
			FUZZ_ASSERT(e[0].index == e[1].index);
			FUZZ_ASSERT(e[0].line == e[1].line);
			FUZZ_ASSERT(strcmp(e[0].msg, e[1].msg) == 0);
		}
	} while (r[0] == STREAM_DOC || r[0] == STREAM_BAD);
	for (i = 0; i < 2; i++) {
		stream_close(s[i]);
		input_close(in[i]);
	}
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
	int fd, r, steps = 0, mode;

	if (size < 3)
		return 0;
	mode = data[0];
	o.no_parse = mode & 1;
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
	if ((mode & 8) && !o.no_parse)
		lockstep(path, &o);
	close(fd);
	return 0;
}
