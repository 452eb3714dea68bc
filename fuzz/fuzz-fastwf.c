/*
 * fuzz-fastwf.c: the accept-only well-formedness check (common/fastwf.h)
 * against libxml2, differentially.
 *
 * The input is one document.  Whenever fastwf_check() accepts it,
 * libxml2 -- with the parse options and SAX callbacks of the stream
 * layer's check-only parse (fastwf-ref.h) -- must report no error or
 * warning and no DTD, and the same element starts (depth, local name,
 * namespace URI) in the same order, the first being the root
 * fastwf_root() names.  A declined input is not judged (libxml2 says
 * why, as before).
 */
#include "config.h"

#include "fastwf-ref.h"
#include "fuzz.h"

static struct fastwf *w;
static struct wfref lib;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_libxml();
	w = fastwf_new();
	FUZZ_ASSERT(w != NULL);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (w == NULL)
		(void)LLVMFuzzerInitialize(NULL, NULL);
	if (fastwf_check(w, (const char *)data, size) != 0)
		return 0;
	/* Accepted: libxml2 must agree, event for event. */
	FUZZ_ASSERT(wfref_parse(&lib, (const char *)data, size));
	FUZZ_ASSERT(wfref_differs(&lib, w) == NULL);
	return 0;
}
