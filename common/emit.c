/*
 * emit.c: byte-identical pass-through and record subsets.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include "emit.h"

/* Length of the XML declaration that bytes start with, or 0. */
static size_t
decl_len(const char *b, size_t len)
{
	size_t i;

	if (len < 6 || memcmp(b, "<?xml", 5) != 0 || (b[5] != ' ' &&
	    b[5] != '\t' && b[5] != '\r' && b[5] != '\n'))
		return 0;
	for (i = 5; i + 1 < len; i++)
		if (b[i] == '?' && b[i + 1] == '>')
			return i + 2;
	return 0;
}

/* bytes with o's mark after their XML declaration; no newline. */
static int
put_marked(FILE *out, const char *b, size_t len, const struct origin *o)
{
	size_t k = o ? decl_len(b, len) : 0;

	if (fwrite(b, 1, k, out) != k ||
	    (o && origin_mark_write(out, o) != 0) ||
	    fwrite(b + k, 1, len - k, out) != len - k)
		return -1;
	return 0;
}

int
emit_marked(FILE *out, const char *bytes, size_t len, const struct origin *o)
{
	if (put_marked(out, bytes, len, o) != 0 || putc('\n', out) == EOF)
		return -1;
	return 0;
}

int
emit_doc(FILE *out, const struct stream_doc *d)
{
	return emit_marked(out, d->bytes, d->len, &d->origin);
}

int
emit_delivered(FILE *out, const struct stream_doc *d)
{
	if (d->env)
		return emit_marked(out, d->env->bytes, d->env->len,
		    &d->origin);
	return emit_doc(out, d);
}

int
emit_wrapped(FILE *out, const struct stream_doc *d,
    const struct envelope_head *h, const struct origin *o)
{
	static const char decl[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

	if (fputs(decl, out) == EOF || (o && origin_mark_write(out, o) != 0) ||
	    putc('\n', out) == EOF || envelope_write(out, h, d->bytes,
	    d->len) != 0 || putc('\n', out) == EOF)
		return -1;
	return 0;
}

/* Serialise doc, marked with o (NULL: no mark). */
static int
put_tree(FILE *out, xmlDocPtr doc, const struct origin *o)
{
	xmlChar *mem = NULL;
	int len = 0, r = 0;

	xmlDocDumpMemoryEnc(doc, &mem, &len, "UTF-8");
	if (mem == NULL) {
		errno = ENOMEM;
		return -1;
	}
	/* xmlDocDumpMemory ends with a newline already. */
	if (put_marked(out, (const char *)mem, (size_t)len, o) != 0)
		r = -1;
	xmlFree(mem);
	return r;
}

int
emit_tree(FILE *out, xmlDocPtr doc)
{
	return put_tree(out, doc, NULL);
}

static int put_tree_sub(FILE *out, xmlDocPtr copy, const struct msg *m,
    const unsigned char *keep, const struct origin *o);

/* Room for a records value: what fits in a mark with its other values. */
#define RECORDS_MAX (ORIGIN_MARK_MAX - 8192)

int
emit_subset(FILE *out, const struct origin *o, const struct msg *m,
    const unsigned char *keep)
{
	xmlDocPtr copy;
	xmlNodePtr rec;
	struct origin sub;
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
	/*
	 * The kept records' numbers and lines in the delivered message
	 * (origin.h, records), through o's own records when m is already a
	 * part; none when they do not fit in a mark.
	 */
	if (o != NULL) {
		char *recs = malloc(RECORDS_MAX);
		long idx, line;

		if (recs == NULL) {
			xmlFreeDoc(copy);
			errno = ENOMEM;
			return -1;
		}
		*recs = '\0';
		i = 0;
		for (rec = msg_record_first(m); rec != NULL;
		    rec = msg_record_next(m, rec), i++) {
			if (!keep[i])
				continue;
			if (origin_record(o->records, (long)i + 1, &idx,
			    &line) != 0) {
				long l = o->envelope ? 0 : xmlGetLineNo(rec);

				idx = (long)i + 1;
				line = l > 0 ? o->line + l - 1 : o->line;
			}
			if (origin_records_add(recs, RECORDS_MAX, idx,
			    line) != 0) {
				*recs = '\0';
				break;
			}
		}
		sub = *o;
		sub.records = *recs ? recs : NULL;
		r = put_tree_sub(out, copy, m, keep, &sub);
		free(recs);
		xmlFreeDoc(copy);
		return r;
	}
	r = put_tree_sub(out, copy, m, keep, NULL);
	xmlFreeDoc(copy);
	return r;
}

/* The copy of m without the records keep leaves out nor its signature. */
static int
put_tree_sub(FILE *out, xmlDocPtr copy, const struct msg *m,
    const unsigned char *keep, const struct origin *o)
{
	xmlNodePtr root, rec, next, c;
	size_t i;

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
	return put_tree(out, copy, o);
}
