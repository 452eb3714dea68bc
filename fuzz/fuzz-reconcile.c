/*
 * fuzz-reconcile.c: ceb-reconcile's per-record extraction in-process.
 * Each input is one document; every record of a type ceb-reconcile keeps
 * (311, 411, 511, 621) is flattened into the compact fields blob that the
 * state spools (fields_blob), split back (fields_split) and keyed
 * (fields_key, fields_orderno), as the store does for every record.
 *
 * fields.c is linked as it is; the spool (bstore.c) is stubbed.
 *
 * Checks: a blob splits back; the key is a NUL-terminated string within
 * its buffer; the blob's hash is the same when computed twice; where the
 * scan (common/scan.h, as the tool reads without a tree) takes the
 * document, its type, guid, record count and every blob are the tree's.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bstore.h"
#include "fuzz.h"
#include "msg.h"
#include "msrc.h"
#include "rec.h"
#include "stream.h"

/*
 * fields_read() reads blobs back from the spool (bstore.c, which needs the
 * whole tool); this target never calls it, so the spool is a stub.
 */
const char *
bs_get(uint64_t ref, uint32_t len, char **buf, size_t *cap)
{
	(void)ref;
	(void)len;
	(void)buf;
	(void)cap;
	return NULL;
}

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
	static struct scan sc;
	struct stream_err err;
	struct msrc t, s;
	const void *rec, *srec;
	char *buf = NULL, *sbuf = NULL, key[256];
	size_t cap = 0, scap = 0;
	int type, scanned;

	memset(&err, 0, sizeof err);
	if (msrc_open_bytes(&t, NULL, (const char *)data, size, "fuzz", 1,
	    NULL, &err) != 0)
		return 0;
	/* The scan, where it takes the document, reads what the tree does. */
	scanned = msrc_open_bytes(&s, &sc, (const char *)data, size, "fuzz", 1,
	    NULL, &err) == 0 && s.sc != NULL;
	if (scanned)
		FUZZ_ASSERT(s.m.type == t.m.type &&
		    strcmp(s.m.guid, t.m.guid) == 0);
	if (t.m.type != NULL && (type = fields_type(t.m.type)) >= 0) {
		if (scanned)
			FUZZ_ASSERT(msrc_record_count(&s) ==
			    msrc_record_count(&t));
		srec = scanned ? msrc_record_first(&s) : NULL;
		for (rec = msrc_record_first(&t); rec;
		    rec = msrc_record_next(&t, rec)) {
			struct flds f;
			long len = fields_blob(type, &t, rec, &buf, &cap);

			if (srec != NULL) {
				long slen = fields_blob(type, &s, srec, &sbuf,
				    &scap);

				FUZZ_ASSERT(slen == len && (len < 0 ||
				    memcmp(sbuf, buf, (size_t)len) == 0));
				srec = msrc_record_next(&s, srec);
			}
			if (len < 0)
				continue;
			FUZZ_ASSERT(fields_hash(buf, (size_t)len) ==
			    fields_hash(buf, (size_t)len));
			memset(&f, 0, sizeof f);
			FUZZ_ASSERT(fields_split(&f, type, buf, (size_t)len) ==
			    0);
			fields_key(&f, key, sizeof key);
			FUZZ_ASSERT(memchr(key, '\0', sizeof key) != NULL);
			(void)fields_orderno(&f);
		}
	}
	free(buf);
	free(sbuf);
	msrc_close(&s);
	msrc_close(&t);
	return 0;
}
