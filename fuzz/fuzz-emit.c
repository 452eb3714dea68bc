/*
 * fuzz-emit.c: emit_doc and emit_subset.  The input is one document; when
 * it is a CEB message, the records to keep are chosen from the bytes of
 * the input itself, the reduced message is written to memory, and the
 * result is parsed back.
 *
 * Checks: emit_marked without a mark writes the bytes and a newline;
 * with an origin mark (its source made of input bytes, whatever they
 * are), the stream layer reads back the same bytes and either the same
 * origin or, when the source cannot be carried (not UTF-8 text), a note
 * S-ORIG-001 and the position read; the reduced message parses again
 * with the same safe settings, is the same message type, holds exactly
 * the kept records and no ds:Signature; nothing is written when no
 * record is kept; the original tree is unchanged (same record count
 * afterwards).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emit.h"
#include "fuzz.h"
#include "input.h"
#include "msg.h"
#include "stream.h"
#include "utf8.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_libxml();
	return 0;
}

/* The origin mark of data (a framed document) survives a round trip. */
static void
mark_round_trip(const uint8_t *data, size_t size)
{
	struct stream_opts so;
	struct origin o;
	struct stream_doc d;
	struct stream_err e;
	struct stream *s;
	struct input *in;
	char src[48], path[32], err[300], *out = NULL;
	size_t outlen = 0, k = size < 40 ? size : 40, i;
	int fd, ok, r;
	FILE *f;

	for (i = 0; i < k; i++)
		src[i] = data[size - k + i] ? (char)data[size - k + i] : '-';
	src[k] = '\0';
	memset(&o, 0, sizeof o);
	o.source = k ? src : "x";
	o.message = 1 + (long)(size % 7);
	o.line = 1 + (long)size;
	o.envelope = size % 2 ? "ENV--1" : NULL;
	ok = utf8_invalid_at(o.source) < 0;
	for (i = 0; o.source[i]; i++)
		if ((unsigned char)o.source[i] < 0x20 || o.source[i] == 0x7f)
			ok = 0;
	f = open_memstream(&out, &outlen);
	FUZZ_ASSERT(f != NULL);
	FUZZ_ASSERT(emit_marked(f, (const char *)data, size, &o) == 0);
	FUZZ_ASSERT(fclose(f) == 0);
	fd = fuzz_memfile((const uint8_t *)out, outlen, path, sizeof path);
	in = input_open(path, err, sizeof err);
	FUZZ_ASSERT(in != NULL);
	memset(&so, 0, sizeof so);
	so.no_parse = 1;
	so.max_depth = 100000;	/* libxml2's own limit decides */
	s = stream_open(in, "via", &so);
	FUZZ_ASSERT(s != NULL);
	memset(&e, 0, sizeof e);
	/* The framer refuses more than libxml2 (1000 attributes in a tag). */
	if ((r = stream_next(s, &d, &e)) == STREAM_BAD)
		goto done;
	FUZZ_ASSERT(r == STREAM_DOC);
	FUZZ_ASSERT(d.len == size && memcmp(d.bytes, data, size) == 0);
	FUZZ_ASSERT(d.root_off + d.root_len == d.len);
	if (ok) {
		FUZZ_ASSERT(d.nnotes == 0);
		FUZZ_ASSERT(strcmp(d.source, o.source) == 0);
		FUZZ_ASSERT(d.index == o.message && d.line == o.line);
		FUZZ_ASSERT((o.envelope == NULL) == (d.origin.envelope ==
		    NULL));
		FUZZ_ASSERT(d.origin.via && strcmp(d.origin.via, "via") == 0);
	} else {
		FUZZ_ASSERT(d.nnotes == 1 &&
		    strcmp(d.notes[0].rule, "S-ORIG-001") == 0);
		FUZZ_ASSERT(strcmp(d.source, "via") == 0 && d.index == 1);
	}
done:
	stream_close(s);
	input_close(in);
	close(fd);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stream_err err;
	struct msg m, m2;
	xmlDocPtr doc, back;
	unsigned char *keep;
	char *out = NULL;
	size_t outlen = 0, i;
	FILE *f;
	int nrec, kept = 0;
	unsigned h = 2166136261u;

	memset(&err, 0, sizeof err);
	if ((doc = stream_parse_memory((const char *)data, size, "fuzz",
	    &err)) == NULL)
		return 0;
	/* Without a mark: the bytes and a newline. */
	f = open_memstream(&out, &outlen);
	FUZZ_ASSERT(f != NULL);
	FUZZ_ASSERT(emit_marked(f, (const char *)data, size, NULL) == 0);
	FUZZ_ASSERT(fclose(f) == 0);
	FUZZ_ASSERT(outlen == size + 1 && out[size] == '\n' &&
	    memcmp(out, data, size) == 0);
	free(out);
	out = NULL;
	outlen = 0;
	/* A document as the framer cuts it: from its '<' to its root's '>',
	 * no comment after the root (that would start the next). */
	if (size > 0 && data[0] == '<' && data[size - 1] == '>' &&
	    xmlDocGetRootElement(doc)->next == NULL && memchr(data, 0, size) ==
	    NULL)
		mark_round_trip(data, size);

	if (msg_open(&m, doc, 1) != MSG_OK) {
		xmlFreeDoc(doc);
		return 0;
	}
	nrec = msg_record_count(&m);
	keep = malloc((size_t)nrec + 1);
	FUZZ_ASSERT(keep != NULL);
	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	for (i = 0; i < (size_t)nrec; i++) {
		keep[i] = (h >> (i % 32)) & 1;
		kept += keep[i];
	}
	f = open_memstream(&out, &outlen);
	FUZZ_ASSERT(f != NULL);
	FUZZ_ASSERT(emit_subset(f, NULL, &m, keep) == 0);
	FUZZ_ASSERT(fclose(f) == 0);
	FUZZ_ASSERT(msg_record_count(&m) == nrec);
	if (kept == 0) {
		FUZZ_ASSERT(outlen == 0);
	} else {
		FUZZ_ASSERT(outlen > 0 && out[outlen - 1] == '\n');
		back = stream_parse_memory(out, outlen, "emitted", &err);
		FUZZ_ASSERT(back != NULL);
		FUZZ_ASSERT(msg_open(&m2, back, 1) == MSG_OK);
		FUZZ_ASSERT(m2.type == m.type);
		FUZZ_ASSERT(msg_record_count(&m2) == kept);
		FUZZ_ASSERT(msg_child(m2.root, MSG_NS_DS, "Signature") ==
		    NULL);
		xmlFreeDoc(back);
	}
	free(out);
	free(keep);
	xmlFreeDoc(doc);
	return 0;
}
