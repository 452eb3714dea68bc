/*
 * fuzz-envelope.c: the envelope decoder of the stream layer
 * (common/envelope.h), through stream_next() as every tool meets it.
 *
 * The first byte chooses the mode: even, the rest of the input is put
 * as it is between <dxp:Data> and </dxp:Data> of a DxpMsg (hostile
 * base64, elements, entities); odd, it is base64-encoded there first (so
 * the fuzzer works on the message inside: nested envelopes, several
 * documents, marks, DOCTYPEs).  Bit 1 frames the result in a DxpMsgSv;
 * bit 2 builds no tree (the check-only parse of ceb-cat).  The size
 * limit is small (4 KiB): a larger envelope is refused as a document.
 *
 * Checks: the envelope is handed over (STREAM_DOC) or rejected with one
 * of the rules S-DXP-001, S-DXP-004, S-DXP-005 and the envelope's
 * CopMsgId, or refused as a document (STREAM_BAD); a handed-over message
 * has the envelope with it, the CopMsgId as its origin's envelope, a
 * tree unless checking only, is within the size limit, and -- in the
 * base64 mode -- is the input itself when the input was exactly one
 * framed document; the stream then ends.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fuzz.h"
#include "input.h"
#include "stream.h"

#define MAX 4096

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_libxml();
	return 0;
}

static void
put_base64(FILE *f, const uint8_t *p, size_t n)
{
	unsigned char *b = malloc(n / 3 * 4 + 8);
	int len;

	FUZZ_ASSERT(b != NULL);
	len = EVP_EncodeBlock(b, p, (int)n);
	fwrite(b, 1, (size_t)len, f);
	free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stream_opts so;
	struct stream_doc d;
	struct stream_err e;
	struct stream *s;
	struct input *in;
	char *buf = NULL, path[32], err[300];
	size_t len = 0;
	int mode, fd, r;
	FILE *f;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	f = open_memstream(&buf, &len);
	FUZZ_ASSERT(f != NULL);
	fputs("<?xml version=\"1.0\"?>\n", f);
	if (mode & 2)
		fputs("<dxp:DxpMsgSv xmlns:dxp=\"http://www.chinaport.gov.cn/"
		    "dxp\" ver=\"1.0\"><dxp:SvNo Ver=\"1.0\"><dxp:MsgId>M1"
		    "</dxp:MsgId></dxp:SvNo>\n<dxp:DxpMsg ver=\"1.0\">", f);
	else
		fputs("<dxp:DxpMsg xmlns:dxp=\"http://www.chinaport.gov.cn/"
		    "dxp\" ver=\"1.0\">", f);
	fputs("<dxp:TransInfo><dxp:CopMsgId>C1</dxp:CopMsgId><dxp:MsgType>"
	    "CEB311Message</dxp:MsgType></dxp:TransInfo>\n<dxp:Data>", f);
	if (mode & 1)
		put_base64(f, data, size);
	else
		fwrite(data, 1, size, f);
	fputs("</dxp:Data></dxp:DxpMsg>", f);
	if (mode & 2)
		fputs("</dxp:DxpMsgSv>", f);
	fputs("\n", f);
	FUZZ_ASSERT(fclose(f) == 0);

	fd = fuzz_memfile((const uint8_t *)buf, len, path, sizeof path);
	in = input_open(path, err, sizeof err);
	FUZZ_ASSERT(in != NULL);
	memset(&so, 0, sizeof so);
	so.max_size = MAX;	/* a larger envelope is refused whole */
	so.no_tree = (mode & 4) != 0;
	s = stream_open(in, "fuzz", &so);
	FUZZ_ASSERT(s != NULL);
	memset(&e, 0, sizeof e);
	r = stream_next(s, &d, &e);
	if (r == STREAM_REJECT) {
		FUZZ_ASSERT(e.rule != NULL && (strcmp(e.rule, "S-DXP-001") ==
		    0 || strcmp(e.rule, "S-DXP-004") == 0 ||
		    strcmp(e.rule, "S-DXP-005") == 0));
		FUZZ_ASSERT(d.rejected && d.bytes == NULL && e.msg[0]);
		FUZZ_ASSERT(d.origin.envelope != NULL &&
		    strcmp(d.origin.envelope, "C1") == 0);
	} else if (r == STREAM_DOC) {
		FUZZ_ASSERT(d.env != NULL && d.origin.envelope != NULL &&
		    strcmp(d.origin.envelope, "C1") == 0);
		FUZZ_ASSERT(strcmp(d.env->root, mode & 2 ? "DxpMsgSv" :
		    "DxpMsg") == 0);
		FUZZ_ASSERT(so.no_tree ? d.doc == NULL : d.doc != NULL);
		FUZZ_ASSERT(d.len > 0 && d.len <= d.env->plen &&
		    d.bytes[0] == '<' && d.bytes[d.len - 1] == '>');
		FUZZ_ASSERT(d.root_off + d.root_len == d.len);
		/* Every line of the message is the line of Data. */
		FUZZ_ASSERT(d.line == ((mode & 2) ? 4 : 3));
		if ((mode & 1) && size > 0 && data[0] == '<' &&
		    data[size - 1] == '>' && d.len == size)
			FUZZ_ASSERT(memcmp(d.bytes, data, size) == 0);
	} else
		FUZZ_ASSERT(r == STREAM_BAD || r == STREAM_FATAL);
	memset(&e, 0, sizeof e);
	while ((r = stream_next(s, &d, &e)) != STREAM_EOF &&
	    r != STREAM_FATAL)
		memset(&e, 0, sizeof e);
	stream_close(s);
	input_close(in);
	close(fd);
	free(buf);
	return 0;
}
