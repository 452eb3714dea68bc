/*
 * sax.c: ceb-validate's one pass over a document (validate.h).  The bytes
 * are parsed with SAX and no tree, validated while they are parsed against
 * the schema of their root (schema_stream_begin()), and the fields the
 * business rules read are gathered from the same events (fields.h).
 *
 * The pass judges a document alone only when nothing needs a tree: it is
 * well-formed, a known CEB message in its namespace with a schema, valid,
 * not an envelope, not signed when signatures are verified, and shorter
 * than 65535 lines (beyond which libxml2's tree numbers lines otherwise).
 * Anything else -- and every invalid document, whose schema errors are
 * reported with their nodes -- goes the way of the tree (judge_work()),
 * which judges it exactly as before; the pass then only cost time.
 *
 * Validation in the pass: the schema's fast model (common/fastxsd.h) when
 * it has one, which can only accept; a document it declines is parsed
 * once more with libxml2's stream validator, which judges it as before.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/dict.h>

#include "fastxsd.h"
#include "validate.h"

/* A parser context is renewed when its dictionary of names grows past
 * this: names of hostile documents must not pile up over a long run. */
#define DICT_RENEW 50000

static const int parse_options = XML_PARSE_NONET | XML_PARSE_NOCDATA |
    XML_PARSE_COMPACT | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
    XML_PARSE_BIG_LINES;

struct saxw {
	struct tool *t;
	struct wcache *cache;
	struct schema_vctx *v;
	xmlParserCtxtPtr ctxt;	/* of sax_judge_bytes() */
	xmlParserCtxtPtr cur;	/* the events' parser (line numbers) */
	struct job *j;
	struct fdoc *fd;	/* being filled */
	struct schema_stream st;
	int validating;
	/* The accept-only fast model (common/fastxsd.h) instead of the
	 * stream validator, when the schema has one: a document it declines
	 * is parsed again with the stream validator (sax_judge_bytes()). */
	struct fastxsd_run *fxr;
	int fast;		/* this parse uses the fast model */
	int nofast;		/* this parse must not */
	int declined;		/* the fast model declined it */
	/* The values of the Id attributes seen (ids_n of them, each
	 * NUL-terminated, in ids[0..ids_len)). */
	char *ids;
	size_t ids_len, ids_cap, ids_n;
	int depth;
	int flat;		/* every element on the message's first line */
	int bad;		/* the tree must judge it */
};

/* The tree must judge it: the rest of the parse is of no use. */
static void
bad(struct saxw *w)
{
	w->bad = 1;
	if (w->cur != NULL)
		xmlStopParser(w->cur);
}

/* The fast model declined it: the stream validator must judge it. */
static void
declined(struct saxw *w)
{
	w->declined = 1;
	bad(w);
}

/* The root: what msg_open() would say, its schema, its guid. */
static void
root(struct saxw *w, const char *local, const char *uri, int nattr,
    const xmlChar **attrs)
{
	struct job *j = w->j;
	const struct msg_type *type;
	const char *v = NULL, *e = NULL;
	int i;

	if (strncmp(local, "CEB", 3) != 0 || strlen(local) != 13 ||
	    strcmp(local + 6, "Message") != 0 || uri == NULL ||
	    strcmp(uri, MSG_NS_CEB) != 0 ||
	    (type = msg_type_by_root(local)) == NULL) {
		bad(w);		/* not a known CEB message: the tree says */
		return;
	}
	j->sc = judge_find_schema(w->t, w->cache, local, type, MSG_NS_CEB,
	    &j->missing, j->why, sizeof j->why);
	if (j->sc == NULL) {
		bad(w);
		return;
	}
	for (i = 0; i < nattr; i++)
		if (attrs[5 * i + 2] == NULL &&
		    strcmp((const char *)attrs[5 * i], "guid") == 0) {
			v = (const char *)attrs[5 * i + 3];
			e = (const char *)attrs[5 * i + 4];
			break;
		}
	/* A value with a reference is decoded by the tree: leave it to it. */
	if (v != NULL && memchr(v, '&', (size_t)(e - v)) != NULL) {
		bad(w);
		return;
	}
	free(j->sguid);
	j->sguid = NULL;
	if (v != NULL && e > v) {
		if ((j->sguid = malloc((size_t)(e - v) + 1)) == NULL) {
			bad(w);
			return;
		}
		memcpy(j->sguid, v, (size_t)(e - v));
		j->sguid[e - v] = '\0';
	}
	memset(&j->m, 0, sizeof j->m);
	j->m.type = type;
	j->m.guid = j->sguid ? j->sguid : "";
	j->m.line_base = j->d.line;
	/* As stream_msg_open(): a message that came in an envelope is all
	 * on the line of the envelope's Data. */
	j->m.flat = w->flat = j->d.origin.envelope != NULL;
	fdoc_reset(w->fd, type, j->d.line);
	if (!w->nofast && w->fxr != NULL && schema_fast(j->sc) != NULL) {
		fastxsd_begin(w->fxr, schema_fast(j->sc));
		w->fast = 1;
		return;
	}
	if (schema_stream_begin(w->v, j->sc, &w->st) != 0) {
		bad(w);
		return;
	}
	w->validating = 1;
}

/*
 * xs:ID values must be unique in a document, and libxml2 checks that only
 * on a tree (it registers IDs on attribute nodes; the streaming validator
 * has none).  In the schemas ceb-validate knows (its own, the official
 * bundles) the only xs:ID attributes are the Id attributes of XML-DSig
 * and of the envelopes: a document in which two attributes named Id (in
 * any case) carry the same value goes to the tree, which judges it.
 */
static void
check_attrs(struct saxw *w, int nattr, const xmlChar **attrs)
{
	const char *v, *e, *p;
	size_t len;
	int i;

	for (i = 0; i < nattr; i++) {
		v = (const char *)attrs[5 * i + 3];
		e = (const char *)attrs[5 * i + 4];
		len = (size_t)(e - v);
		/* A value with a reference reaches SAX2 undecoded: the tree
		 * decodes it, and judges the document. */
		if (memchr(v, '&', len) != NULL) {
			bad(w);
			return;
		}
		if (strcasecmp((const char *)attrs[5 * i], "id") != 0)
			continue;
		if (memchr(v, '\0', len) != NULL) {
			bad(w);
			return;
		}
		for (p = w->ids; p < w->ids + w->ids_len; p += strlen(p) + 1)
			if (strlen(p) == len && memcmp(p, v, len) == 0) {
				bad(w);
				return;
			}
		if (w->ids_len + len + 1 > w->ids_cap) {
			size_t c = w->ids_cap ? 2 * w->ids_cap : 256;
			char *n;

			while (w->ids_len + len + 1 > c)
				c *= 2;
			if ((n = realloc(w->ids, c)) == NULL) {
				bad(w);
				return;
			}
			w->ids = n;
			w->ids_cap = c;
		}
		memcpy(w->ids + w->ids_len, v, len);
		w->ids[w->ids_len + len] = '\0';
		w->ids_len += len + 1;
		w->ids_n++;
	}
}

static void
on_start(void *data, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattr, int ndef,
    const xmlChar **attrs)
{
	struct saxw *w = data;
	long line = w->cur->input != NULL ? w->cur->input->line : 0;

	w->depth++;
	if (w->bad)
		return;
	if (line >= 65535) {
		bad(w);
		return;
	}
	if (w->depth == 1) {
		root(w, (const char *)local, (const char *)uri, nattr, attrs);
		if (w->bad)
			return;
	}
	if (nattr > 0)
		check_attrs(w, nattr, attrs);
	if (w->bad)
		return;
	if (!w->fast)
		w->st.sax->startElementNs(w->st.ud, local, prefix, uri, nns,
		    ns, nattr, ndef, attrs);
	else if (fastxsd_start(w->fxr, local, uri, nattr, attrs) != 0) {
		declined(w);
		return;
	}
	fdoc_start(w->fd, (const char *)local, (const char *)uri,
	    w->flat ? 0 : line);
}

static void
on_end(void *data, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct saxw *w = data;

	if (!w->bad && w->fast && fastxsd_end(w->fxr) != 0)
		declined(w);
	if (!w->bad) {
		if (!w->fast)
			w->st.sax->endElementNs(w->st.ud, local, prefix, uri);
		fdoc_end(w->fd);
	}
	w->depth--;
}

static void
on_text(void *data, const xmlChar *s, int len)
{
	struct saxw *w = data;

	if (w->bad || w->depth < 1)
		return;
	if (!w->fast)
		w->st.sax->characters(w->st.ud, s, len);
	else if (fastxsd_text(w->fxr, s, len) != 0) {
		declined(w);
		return;
	}
	fdoc_text(w->fd, (const char *)s, (size_t)len);
}

/* A comment or a processing instruction in the message: the fast model
 * does not judge text they split; the stream validator does. */
static void
on_nothing(void *data, const xmlChar *a, const xmlChar *b)
{
	struct saxw *w = data;

	(void)a, (void)b;
	if (w->fast && w->depth > 0 && !w->bad)
		declined(w);
}

static void
on_comment(void *data, const xmlChar *text)
{
	on_nothing(data, text, NULL);
}

/* An entity reference or a DOCTYPE: never in a document we judge alone. */
static void
on_reference(void *data, const xmlChar *name)
{
	(void)name;
	bad(data);
}

static void
on_subset(void *data, const xmlChar *name, const xmlChar *ext,
    const xmlChar *sys)
{
	(void)name, (void)ext, (void)sys;
	bad(data);
}

static void
on_error(void *data, xmlErrorPtr e)
{
	if (e != NULL && e->level >= XML_ERR_ERROR)
		bad(data);
}

const xmlSAXHandler *
sax_handler(void)
{
	static xmlSAXHandler h;

	if (h.initialized == 0) {	/* first call: the main thread's */
		h.startElementNs = on_start;
		h.endElementNs = on_end;
		h.characters = on_text;
		h.ignorableWhitespace = on_text;	/* no blank guessing */
		h.cdataBlock = on_text;
		h.comment = on_comment;
		h.processingInstruction = on_nothing;
		h.reference = on_reference;
		h.internalSubset = on_subset;
		h.externalSubset = on_subset;
		h.serror = on_error;
		h.initialized = XML_SAX2_MAGIC;
	}
	return &h;
}

static xmlParserCtxtPtr
new_ctxt(struct saxw *w)
{
	xmlParserCtxtPtr c = xmlNewParserCtxt();

	if (c == NULL)
		return NULL;
	memcpy(c->sax, sax_handler(), sizeof *c->sax);
	c->userData = w;
	return c;
}

struct saxw *
sax_new(struct tool *t, struct schema_vctx *v, struct wcache *c)
{
	struct saxw *w = calloc(1, sizeof *w);

	if (w == NULL)
		return NULL;
	w->t = t;
	w->v = v;
	w->cache = c;
	if ((w->fd = fdoc_new()) == NULL || (w->ctxt = new_ctxt(w)) == NULL ||
	    (w->fxr = fastxsd_run_new()) == NULL) {
		sax_free(w);
		return NULL;
	}
	return w;
}

void
sax_free(struct saxw *w)
{
	if (w == NULL)
		return;
	if (w->ctxt)
		xmlFreeParserCtxt(w->ctxt);
	fdoc_free(w->fd);
	fastxsd_run_free(w->fxr);
	free(w->ids);
	free(w);
}

void
sax_begin(struct saxw *w, struct job *j, xmlParserCtxtPtr c)
{
	w->j = j;
	w->cur = c;
	w->depth = 0;
	w->ids_len = w->ids_n = 0;
	w->flat = 0;
	w->bad = 0;
	w->validating = 0;
	w->fast = 0;
	w->declined = 0;
	fdoc_reset(w->fd, NULL, j->d.line);
}

int
sax_end(struct saxw *w, int complete)
{
	struct job *j = w->j;

	if (w->validating && schema_stream_end(&w->st) != 0)
		bad(w);
	w->validating = 0;
	if (w->fast && !w->bad && complete && fastxsd_finish(w->fxr) != 0)
		declined(w);
	if (!complete || w->depth != 0 || fdoc_failed(w->fd))
		bad(w);
	/* A signature to verify needs the tree (common/dsig.h). */
	if (!w->bad && w->t->dsig != NULL && fdoc_signed(w->fd))
		bad(w);
	w->j = NULL;
	if (w->bad) {
		j->sc = NULL;
		j->missing = 0;
		j->why[0] = '\0';
		return -1;
	}
	j->sax = 1;
	j->parsed = 1;
	j->st = MSG_OK;
	/* The fields go with the job; the worker goes on with the set the
	 * job's slot kept from an earlier document (pool.c), or a new one. */
	if (w->t->threaded) {
		struct fdoc *fresh = j->fd_spare ? j->fd_spare : fdoc_new();

		if (fresh == NULL) {
			j->sax = 0;
			j->parsed = 0;
			return -1;
		}
		j->fd_spare = NULL;
		j->fd = w->fd;
		j->fd_owned = 1;
		w->fd = fresh;
	} else
		j->fd = w->fd;	/* judged before the next document */
	return 0;
}

static int judge_bytes(struct saxw *w, struct job *j);

/*
 * One pass with the fast model; one more with the stream validator when
 * the fast model declined the document.
 */
int
sax_judge_bytes(struct saxw *w, struct job *j)
{
	int r;

	w->nofast = 0;
	r = judge_bytes(w, j);
	if (r != 0 && w->declined) {
		w->nofast = 1;
		r = judge_bytes(w, j);
	}
	return r;
}

static int
judge_bytes(struct saxw *w, struct job *j)
{
	xmlParserCtxtPtr c = w->ctxt;

	if (c->dict != NULL && xmlDictSize(c->dict) > DICT_RENEW) {
		xmlParserCtxtPtr n = new_ctxt(w);

		if (n == NULL)
			return -1;
		xmlFreeParserCtxt(c);
		c = w->ctxt = n;
	}
	sax_begin(w, j, c);
	c->userData = w;
	(void)xmlCtxtReadMemory(c, j->d.bytes, (int)j->d.len, j->d.source,
	    NULL, parse_options);
	return sax_end(w, c->wellFormed && c->nsWellFormed);
}
