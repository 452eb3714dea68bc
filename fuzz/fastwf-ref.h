/*
 * fastwf-ref.h: libxml2's side of the differential tests of the fast
 * well-formedness check (common/fastwf.h): tests/unit/test-fastwf.c and
 * fuzz/fuzz-fastwf.c.  A document is parsed with the options and the SAX
 * callbacks of the stream layer's check-only parse (common/stream.c),
 * recording every element start and every error, warning or DTD.
 * Test code: aborts when out of memory.
 */
#ifndef CEB_FASTWF_REF_H
#define CEB_FASTWF_REF_H

#include <stddef.h>

#include "fastwf.h"

struct wfref_ev {
	int depth;
	char *local, *uri;	/* uri NULL: none */
};

struct wfref {
	struct wfref_ev *v;
	size_t n, cap;
	int errors, warnings, dtd, depth;
};

/* Record an element start (also the callback of fastwf_replay()). */
void wfref_add(void *r, int depth, const char *local, const char *uri);
void wfref_clear(struct wfref *r);

/*
 * Parse n bytes at b into r (cleared first).  Returns 1 when libxml2
 * finds them well-formed, namespace-well-formed, with no error, no
 * warning and no DTD; else 0.
 */
int wfref_parse(struct wfref *r, const char *b, size_t n);

/*
 * After fastwf_check(w) accepted the same bytes: NULL when w reports
 * exactly the element starts (and root) of r, else what differs.
 */
const char *wfref_differs(const struct wfref *r, const struct fastwf *w);

#endif
