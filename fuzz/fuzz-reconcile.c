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
 * its buffer; the blob's hash is the same when computed twice.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bstore.h"
#include "fuzz.h"
#include "msg.h"
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
	struct stream_err err;
	struct msg m;
	xmlDocPtr doc;
	xmlNodePtr rec;
	char *buf = NULL, key[256];
	size_t cap = 0;
	int type;

	memset(&err, 0, sizeof err);
	if ((doc = stream_parse_memory((const char *)data, size, "fuzz",
	    &err)) == NULL)
		return 0;
	if (msg_open(&m, doc, 1) == MSG_OK &&
	    (type = fields_type(m.type)) >= 0) {
		for (rec = msg_record_first(&m); rec;
		    rec = msg_record_next(&m, rec)) {
			struct flds f;
			long len = fields_blob(type, &m, rec, &buf, &cap);

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
	xmlFreeDoc(doc);
	return 0;
}
