/*
 * fastwf.h: a fast well-formedness check that can only accept.
 *
 * fastwf_check() scans one framed document and accepts it only when it
 * lies inside a strict, common subset of XML that libxml2 is sure to
 * parse without an error: an optional XML declaration at offset 0
 * (version 1.0, encoding UTF-8 or none), comments, one root element
 * with ASCII names, unprefixed attributes and namespace declarations in
 * scope, text and attribute values of well-formed UTF-8 XML characters
 * with only the five predefined entity references and character
 * references to XML characters, CDATA sections, white space after the
 * root.  Anything else -- a DOCTYPE, a processing instruction, a BOM, a
 * non-ASCII name, an undeclared prefix, a prefixed attribute, a
 * duplicate attribute, "]]>" in text, "--" in a comment, a control
 * character, a name, value or nesting beyond modest limits -- declines
 * the document, whether it is well-formed or not.  A declined document
 * is not judged here: the caller parses it with libxml2, which says
 * whether it is well-formed and why not.  So a decline costs time, never
 * a verdict or a message (the same precedent: fastxsd.h).
 *
 * On accepting, it keeps what the check-only SAX parse of the stream
 * layer learns (stream.c): the root's local name and namespace URI, and
 * every element start in document order (depth, local name, namespace
 * URI), as libxml2's SAX2 startElementNs would give them.
 *
 * Used by the stream layer's check-only parse (stream_opts.no_tree):
 * plain ceb-cat, and ceb-quota-check and ceb-reconcile, which read their
 * records from the bytes afterwards (common/scan.c).
 *
 * One struct fastwf is reused from document to document by one thread.
 * Library code: nothing here prints or exits.
 */
#ifndef CEB_FASTWF_H
#define CEB_FASTWF_H

#include <stddef.h>

struct fastwf;

/*
 * Zero when the environment turns the fast check off
 * (CEBTOOLS_FAST_WF=0), nonzero otherwise.
 */
int fastwf_enabled(void);

/* A checker, or NULL when out of memory. */
struct fastwf *fastwf_new(void);
void fastwf_free(struct fastwf *w);

/*
 * Check the len bytes at p as one whole document.  Returns 0 when it is
 * accepted (well-formed, and the facts below are kept), -1 when it is
 * declined (also when out of memory).
 */
int fastwf_check(struct fastwf *w, const char *p, size_t len);

/*
 * After an accepted check: the root's local name, and its namespace URI
 * in *uri (NULL when it has none).  The strings live until the next check.
 */
const char *fastwf_root(const struct fastwf *w, const char **uri);

/*
 * After an accepted check: call fn for every element start in document
 * order with its depth (1 for the root), local name and namespace URI
 * (NULL when none).
 */
void fastwf_replay(const struct fastwf *w, void (*fn)(void *arg, int depth,
    const char *local, const char *uri), void *arg);

#endif
