/*
 * emit.c: byte-identical pass-through and record subsets.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include "emit.h"

int
emit_doc(FILE *out, const struct stream_doc *d)
{
	if (fwrite(d->bytes, 1, d->len, out) != d->len || putc('\n', out) == EOF)
		return -1;
	return 0;
}

int
emit_tree(FILE *out, xmlDocPtr doc)
{
	xmlChar *mem = NULL;
	int len = 0, r = 0;

	xmlDocDumpMemoryEnc(doc, &mem, &len, "UTF-8");
	if (mem == NULL) {
		errno = ENOMEM;
		return -1;
	}
	/* xmlDocDumpMemory ends with a newline already. */
	if (fwrite(mem, 1, (size_t)len, out) != (size_t)len)
		r = -1;
	xmlFree(mem);
	return r;
}

int
emit_subset(FILE *out, const struct msg *m, const unsigned char *keep)
{
	xmlDocPtr copy;
	xmlNodePtr root, rec, next, c;
	size_t i = 0, kept = 0;
	int r;

	for (rec = msg_record_first(m); rec; rec = msg_record_next(m, rec), i++)
		if (keep[i])
			kept++;
	if (kept == 0)
		return 0;
	if ((copy = xmlCopyDoc(m->doc, 1)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	root = xmlDocGetRootElement(copy);
	/* Walk the copy in step with the original's record order. */
	i = 0;
	for (rec = msg_child(root, MSG_NS_CEB, m->type->record); rec; rec = next,
	    i++) {
		next = msg_next_same(rec);
		if (!keep[i]) {
			xmlUnlinkNode(rec);
			xmlFreeNode(rec);
		}
	}
	while ((c = msg_child(root, MSG_NS_DS, "Signature")) != NULL) {
		xmlUnlinkNode(c);
		xmlFreeNode(c);
	}
	r = emit_tree(out, copy);
	xmlFreeDoc(copy);
	return r;
}
