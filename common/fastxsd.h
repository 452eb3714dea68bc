/*
 * fastxsd.h: a fast path for XML Schema validation that can only accept.
 *
 * fastxsd_compile() reads an XSD file and the files it includes and
 * imports (as documents, with libxml2's parser) into a small table-driven
 * model: for each complex type a sequence, or one repeated choice, of
 * element particles with their occurrences and attribute uses; for each
 * simple type its built-in base and facets.  Every construct the model
 * does not implement exactly (patterns, ranges, list and union types,
 * nested or repeated groups inside a sequence, defaults, nillable,
 * substitution groups, identity constraints, ...) marks the type or the
 * element that uses it "not fast".
 *
 * A document is then driven through the model from its SAX2 events
 * (fastxsd_start(), fastxsd_text(), fastxsd_end()).  The run accepts it
 * only when every element, attribute and value is one the model fully
 * knows and libxml2 is sure to accept: the checks are conservative (a
 * number with blanks around it, a string with a tab, a newline or a
 * carriage return, a base64 value with blanks, an attribute in a
 * namespace, a wildcard reached, a not-fast type reached ... make the run
 * decline).  A declined document is not judged by this model: the caller
 * validates it with libxml2, which says whether it is valid and why not.
 * So a decline costs time, never a verdict.
 *
 * A compiled model is read-only and may be shared by threads; each thread
 * has its own struct fastxsd_run.  Library code: nothing here prints.
 */
#ifndef CEB_FASTXSD_H
#define CEB_FASTXSD_H

#include <stddef.h>
#include <libxml/xmlstring.h>

struct fastxsd;
struct fastxsd_run;

/*
 * Zero when the environment turns the fast path off
 * (CEBTOOLS_FAST_XSD=0), nonzero otherwise.
 */
int fastxsd_enabled(void);

/* The model of the XSD file at path, or NULL (nothing usable, no memory). */
struct fastxsd *fastxsd_compile(const char *path);
void fastxsd_free(struct fastxsd *fx);

struct fastxsd_run *fastxsd_run_new(void);
void fastxsd_run_free(struct fastxsd_run *r);

/* Start a document against fx (the root comes with the first start). */
void fastxsd_begin(struct fastxsd_run *r, const struct fastxsd *fx);

/*
 * The events, as SAX2 gives them (attrs: nattr quintuples of local name,
 * prefix, URI, value, end of value).  Each returns 0 while the document
 * may still be accepted, -1 once the run has declined it (after which
 * the calls do nothing).
 */
int fastxsd_start(struct fastxsd_run *r, const xmlChar *local,
    const xmlChar *uri, int nattr, const xmlChar **attrs);
int fastxsd_text(struct fastxsd_run *r, const xmlChar *s, int len);
int fastxsd_end(struct fastxsd_run *r);

/* Declined from outside (an event the model does not judge). */
void fastxsd_decline(struct fastxsd_run *r);

/* 0: the document (complete) is accepted; -1: declined. */
int fastxsd_finish(struct fastxsd_run *r);

#endif
