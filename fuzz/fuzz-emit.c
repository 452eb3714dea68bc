/*
 * fuzz-emit.c: emit_doc and emit_subset.  The input is one document; when
 * it is a CEB message, the records to keep are chosen from the bytes of
 * the input itself, the reduced message is written to memory, and the
 * result is parsed back.
 *
 * Checks: emit_doc writes the bytes and a newline; the reduced message
 * parses again with the same safe settings, is the same message type,
 * holds exactly the kept records and no ds:Signature; nothing is written
 * when no record is kept; the original tree is unchanged (same record
 * count afterwards).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "fuzz.h"
#include "msg.h"
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
	struct stream_err err;
	struct stream_doc sd;
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
	/* emit_doc: the bytes and a newline. */
	memset(&sd, 0, sizeof sd);
	sd.bytes = (const char *)data;
	sd.len = size;
	f = open_memstream(&out, &outlen);
	FUZZ_ASSERT(f != NULL);
	FUZZ_ASSERT(emit_doc(f, &sd) == 0);
	FUZZ_ASSERT(fclose(f) == 0);
	FUZZ_ASSERT(outlen == size + 1 && out[size] == '\n' &&
	    memcmp(out, data, size) == 0);
	free(out);
	out = NULL;
	outlen = 0;

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
	FUZZ_ASSERT(emit_subset(f, &m, keep) == 0);
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
