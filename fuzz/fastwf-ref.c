/*
 * fastwf-ref.c: libxml2's side of the differential tests of the fast
 * well-formedness check (fastwf-ref.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "fastwf-ref.h"

/* The options of common/stream.c. */
static const int parse_options = XML_PARSE_NONET | XML_PARSE_NOCDATA |
    XML_PARSE_COMPACT | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
    XML_PARSE_BIG_LINES;

static char *
dup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		abort();
	return d;
}

void
wfref_add(void *arg, int depth, const char *local, const char *uri)
{
	struct wfref *r = arg;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		if ((r->v = realloc(r->v, r->cap * sizeof *r->v)) == NULL)
			abort();
	}
	r->v[r->n].depth = depth;
	r->v[r->n].local = dup(local);
	r->v[r->n].uri = uri ? dup(uri) : NULL;
	r->n++;
}

void
wfref_clear(struct wfref *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].local);
		free(r->v[i].uri);
	}
	r->n = 0;
	r->errors = r->warnings = r->dtd = r->depth = 0;
}

/* The callbacks of stream.c's new_check_ctxt(), recording. */
static void
start(void *data, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattr, int ndef,
    const xmlChar **attrs)
{
	struct wfref *r = ((xmlParserCtxtPtr)data)->_private;

	(void)prefix, (void)nns, (void)ns, (void)nattr, (void)ndef,
	    (void)attrs;
	wfref_add(r, ++r->depth, (const char *)local, (const char *)uri);
}

static void
end(void *data, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	(void)local, (void)prefix, (void)uri;
	((struct wfref *)((xmlParserCtxtPtr)data)->_private)->depth--;
}

static void
subset(void *data, const xmlChar *name, const xmlChar *ext_id,
    const xmlChar *sys_id)
{
	(void)name, (void)ext_id, (void)sys_id;
	((struct wfref *)((xmlParserCtxtPtr)data)->_private)->dtd = 1;
}

static void
error(void *data, xmlErrorPtr e)
{
	struct wfref *r = ((xmlParserCtxtPtr)data)->_private;

	if (e != NULL && e->level == XML_ERR_WARNING)
		r->warnings++;
	else
		r->errors++;
}

static void
text(void *data, const xmlChar *s, int len)
{
	(void)data, (void)s, (void)len;
}

static void
comment(void *data, const xmlChar *s)
{
	(void)data, (void)s;
}

static void
pi(void *data, const xmlChar *target, const xmlChar *s)
{
	(void)data, (void)target, (void)s;
}

static void
reference(void *data, const xmlChar *name)
{
	(void)data, (void)name;
}

int
wfref_parse(struct wfref *r, const char *b, size_t n)
{
	xmlParserCtxtPtr c = xmlNewParserCtxt();
	xmlSAXHandlerPtr h;
	int good;

	if (c == NULL)
		abort();
	wfref_clear(r);
	h = c->sax;
	memset(h, 0, sizeof *h);
	h->initialized = XML_SAX2_MAGIC;
	h->serror = error;
	h->internalSubset = subset;
	h->externalSubset = subset;
	h->startElementNs = start;
	h->endElementNs = end;
	h->characters = text;
	h->ignorableWhitespace = text;
	h->cdataBlock = text;
	h->comment = comment;
	h->processingInstruction = pi;
	h->reference = reference;
	c->_private = r;
	c->userData = c;
	(void)xmlCtxtReadMemory(c, b, (int)n, "doc", NULL, parse_options);
	good = c->wellFormed && c->nsWellFormed && r->errors == 0 &&
	    r->warnings == 0 && !r->dtd;
	xmlFreeParserCtxt(c);
	return good;
}

static int
same_uri(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

const char *
wfref_differs(const struct wfref *r, const struct fastwf *w)
{
	struct wfref f = { 0 };
	const char *root, *uri, *why = NULL;
	size_t i;

	fastwf_replay(w, wfref_add, &f);
	root = fastwf_root(w, &uri);
	if (f.n != r->n)
		why = "the element counts differ";
	for (i = 0; why == NULL && i < f.n; i++)
		if (f.v[i].depth != r->v[i].depth ||
		    strcmp(f.v[i].local, r->v[i].local) != 0 ||
		    !same_uri(f.v[i].uri, r->v[i].uri))
			why = "an element differs";
	if (why == NULL && (r->n == 0 || strcmp(root, r->v[0].local) != 0 ||
	    !same_uri(uri, r->v[0].uri)))
		why = "the root differs";
	wfref_clear(&f);
	free(f.v);
	return why;
}
