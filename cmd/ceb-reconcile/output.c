/*
 * output.c: the inventories that matched, written at the end of the run
 * in order of arrival: a message whose records all matched in this run
 * byte for byte from the run spool, a message with only some matched
 * records re-serialised holding those records (emit_subset(): without
 * its ds:Signature).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "emit.h"
#include "i18n.h"
#include "rec.h"
#include "stream.h"

int
output_inventories(void)
{
	unsigned char *keep = NULL;
	char *buf = NULL;
	size_t cap = 0, i;
	int rc_ = 0;

	if (diag_report_on_stdout())
		return 0;
	for (i = 0; i < rc.nmsgs && rc_ == 0; i++) {
		const struct rmsg *m = &rc.msgs[i];
		unsigned j, kept = 0;

		if (m->type != RT_INV)
			continue;
		for (j = 0; j < m->nrec; j++)
			if (rc.recs[m->first + j].state == ST_MATCHED)
				kept++;
		if (kept == 0)
			continue;
		if (m->len > cap) {
			char *p = realloc(buf, m->len);

			if (p == NULL)
				goto nomem;
			buf = p;
			cap = m->len;
		}
		if (store_pread(rc.spoolfd, m->off, buf, m->len) != 0) {
			diag_trouble(NULL, 0, _("cannot read back the spool"));
			rc_ = -1;
			break;
		}
		if (kept == m->nrec) {
			if (fwrite(buf, 1, m->len, stdout) != m->len ||
			    putchar('\n') == EOF)
				goto werr;
		} else {
			struct stream_err e;
			struct msg mm;
			xmlDocPtr doc = stream_parse_memory(buf, m->len,
			    "spool", &e);
			unsigned char *k;

			if (doc == NULL || msg_open(&mm, doc, 1) != MSG_OK) {
				diag_trouble(NULL, 0,
				    _("cannot read back the spool"));
				xmlFreeDoc(doc);
				rc_ = -1;
				break;
			}
			if ((k = realloc(keep, m->nrec)) == NULL) {
				xmlFreeDoc(doc);
				goto nomem;
			}
			keep = k;
			for (j = 0; j < m->nrec; j++)
				keep[j] = rc.recs[m->first + j].state ==
				    ST_MATCHED;
			j = (unsigned)emit_subset(stdout, &mm, keep);
			xmlFreeDoc(doc);
			if (j != 0)
				goto werr;
		}
	}
	free(buf);
	free(keep);
	return rc_;
werr:
	diag_write_error(_("standard output"));
	free(buf);
	free(keep);
	return -1;
nomem:
	diag_trouble(NULL, 0, _("out of memory"));
	free(buf);
	free(keep);
	return -1;
}
