/*
 * msrc.h: where a message's records are read -- its tree or its scan.
 *
 * A tool that parses its input without a tree (stream_opts.no_tree)
 * opens each document here: from its scan (scan.h) when scan_doc() takes
 * it, else from a tree parsed again from its bytes (or the stream's own
 * tree, when the tool asked for one).  The functions below are msg.h's
 * record, line and field functions on either, so that every field and
 * line is read by one code path whichever the document took, and the
 * same document gives the same values both ways.  Nodes are const void *:
 * an xmlNodePtr on a tree, a struct snode on a scan.
 */
#ifndef CEB_MSRC_H
#define CEB_MSRC_H

#include <libxml/tree.h>

#include "dec.h"
#include "msg.h"
#include "scan.h"

struct stream_doc;
struct stream_err;

struct msrc {
	/*
	 * type (NULL unless msg_open() would return MSG_OK), guid,
	 * line_base, flat and records as msg_open() and stream_msg_open()
	 * set them; doc and root only on a tree.
	 */
	struct msg m;
	const struct scan *sc;	/* NULL: the tree */
	xmlDocPtr own;		/* a tree parsed here (msrc_close() frees) */
	enum msg_status st;	/* a tree's msg_open() status */
};

/*
 * Open document d: from its scan into sc when sc is not NULL, d has no
 * tree and scan_doc() takes it (types as scan_doc()'s), else from d's
 * tree or one parsed from its bytes.  Returns 0, or -1 after reporting
 * (out of memory).
 */
int msrc_open(struct msrc *s, struct scan *sc, const struct stream_doc *d,
    const unsigned char *types);
/*
 * The same for len bytes that are no stream document (read back from a
 * spool), their first line line_base: 0, -2 out of memory, -1 when the
 * bytes do not parse (err says why); nothing reported.
 */
int msrc_open_bytes(struct msrc *s, struct scan *sc, const char *bytes,
    size_t len, const char *name, long line_base,
    const unsigned char *types, struct stream_err *err);
/*
 * Make s a tree (for what needs one, e.g. emit_subset()), parsed from
 * the bytes it was opened with: 0, or -1 after reporting.  Nodes read
 * from the scan before are no longer valid.
 */
int msrc_tree(struct msrc *s, const char *bytes, size_t len,
    const char *name);
void msrc_close(struct msrc *s);

const void *msrc_record_first(const struct msrc *s);
const void *msrc_record_next(const struct msrc *s, const void *rec);
long msrc_record_count(const struct msrc *s);
const void *msrc_head(const struct msrc *s, const void *rec);
const void *msrc_line_first(const struct msrc *s, const void *rec);
const void *msrc_line_next(const struct msrc *s, const void *l);
const char *msrc_field(const struct msrc *s, const void *parent,
    const char *name);
int msrc_decimal(const struct msrc *s, const void *parent, const char *name,
    struct dec *out);
/* msg_line() of the i-th record (1-based) rec. */
long msrc_line(const struct msrc *s, const void *rec, long i);

/*
 * The element children of parent in the CEB namespace, in document
 * order; a child's local name; and its text as msg_field(parent, name)
 * returns it for the first child of that name.
 */
const void *msrc_ceb_first(const struct msrc *s, const void *parent);
const void *msrc_ceb_next(const struct msrc *s, const void *c);
const char *msrc_name(const struct msrc *s, const void *c);
const char *msrc_text(const struct msrc *s, const void *parent,
    const void *c);

#endif
