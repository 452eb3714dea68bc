/*
 * output.c: the inventories that matched.  A message is written as soon
 * as none of its records waits any more (when its last record matched or
 * failed), the rest at the end of the run in order of arrival: a message
 * whose records all matched byte for byte, a message with only some
 * matched records re-serialised holding those records (emit_subset():
 * without its ds:Signature).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "emit.h"
#include "i18n.h"
#include "bstore.h"
#include "rec.h"
#include "stream.h"

/* Write the records of inventory message m that matched in this run. */
int
output_msg(uint32_t mid, const char *bytes)
{
	static unsigned char *keep;
	static char *buf;
	static size_t cap;
	struct rmsg *m = &rc.msgs[mid];
	struct origin o;
	char day[16];
	unsigned j, kept = 0;

	if (m->emitted || m->type != RT_INV)
		return 0;
	for (j = 0; j < m->nrec; j++)
		if (rc.recs[m->first + j].state == ST_MATCHED)
			kept++;
	if (kept == 0)
		return 0;
	m->emitted = 1;
	if (diag_report_on_stdout())
		return 0;
	if (bytes == NULL &&
	    (bytes = bs_get(m->off, m->len, &buf, &cap)) == NULL)
		return -1;
	store_origin(mid, &o, day, sizeof day);
	if (kept == m->nrec) {
		if (emit_marked(stdout, bytes, m->len, &o) != 0)
			goto werr;
	} else {
		struct stream_err e;
		struct msg mm;
		xmlDocPtr doc = stream_parse_memory(bytes, m->len, "spool", &e);
		unsigned char *k;
		int r;

		if (doc == NULL || msg_open(&mm, doc, 1) != MSG_OK) {
			diag_trouble(NULL, 0, _("cannot read back the spool"));
			xmlFreeDoc(doc);
			return -1;
		}
		if ((k = realloc(keep, m->nrec)) == NULL) {
			xmlFreeDoc(doc);
			diag_trouble(NULL, 0, _("out of memory"));
			return -1;
		}
		keep = k;
		for (j = 0; j < m->nrec; j++)
			keep[j] = rc.recs[m->first + j].state == ST_MATCHED;
		r = emit_subset(stdout, &o, &mm, keep);
		xmlFreeDoc(doc);
		if (r != 0)
			goto werr;
	}
	return 0;
werr:
	diag_write_error(_("standard output"));
	return -1;
}

/*
 * At the end of the run: the matched inventories of messages that still
 * hold a waiting record (the others were written when they settled).
 */
static int
by_row(const void *a, const void *b)
{
	long long x = rstate_msg_row(*(const uint32_t *)a),
	    y = rstate_msg_row(*(const uint32_t *)b);

	return x < y ? -1 : x > y;
}

int
output_inventories(void)
{
	uint32_t *v = NULL, *p;
	size_t i, n = 0, cap = 0;
	long night;
	int rv = 0;

	/* The state's messages first, in order of arrival (they are taken
	 * in by key, as the night's documents need them). */
	for (i = 0; i < rc.nmsgs; i++) {
		if (!rc.msgs[i].from_state || rc.msgs[i].type != RT_INV ||
		    rc.msgs[i].emitted)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((p = realloc(v, cap * sizeof *v)) == NULL) {
				free(v);
				diag_trouble(NULL, 0, _("out of memory"));
				return -1;
			}
			v = p;
		}
		v[n++] = (uint32_t)i;
	}
	if (n > 1)
		qsort(v, n, sizeof *v, by_row);
	for (i = 0; i < n && rv == 0; i++)
		rv = output_msg(v[i], NULL);
	free(v);
	/* Then the night's, in order of arrival (slots are reused). */
	if (rv != 0)
		return rv;
	if ((night = store_arrival(&v, 1)) < 0)
		return -1;
	for (i = 0; i < (size_t)night && rv == 0; i++)
		rv = output_msg(v[i], NULL);
	free(v);
	return rv;
}
