/*
 * stream.c: framing documents out of a byte source and parsing them safely.
 *
 * The framer is a resumable state machine over bytes.  It keeps the bytes
 * of the current document contiguous in one buffer (bounded by the size
 * limit) so that each document can be passed on byte for byte and parsed
 * from memory.  Between documents it accepts whitespace, NUL bytes and
 * UTF-8 byte-order marks.  Comments and processing instructions after a
 * root element belong to the prolog of the next document, except that an
 * XML declaration always starts a new document.
 *
 * The bytes between two documents are bounded like a document: a gap
 * longer than the size limit (a gzip bomb of zeros, a file that is no
 * stream at all) ends the source, so that neither memory nor time grows
 * with such a stretch beyond what the limit allows.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include "i18n.h"
#include "stream.h"

#define READ_CHUNK (256 * 1024)

/*
 * Most attributes one start tag may carry.  libxml2 (2.9) checks each
 * attribute against all before it, so a tag with n attributes costs n^2:
 * 20,000 of them took seconds, and a 16 MB document could hold a million.
 * CEB elements carry a handful (guid, version, namespace declarations).
 */
#define MAX_ATTRS 1000

/* Framer states. */
enum fs {
	F_OUT,		/* between documents */
	F_TEXT,		/* character data, or prolog before the root */
	F_LT,		/* just after '<' */
	F_BANG,		/* after "<!": deciding comment / CDATA / DOCTYPE */
	F_COMMENT,	/* inside <!-- --> */
	F_CDATA,	/* inside <![CDATA[ ]]> */
	F_DECL,		/* inside <!DOCTYPE ...> (or another <!...>) */
	F_PI,		/* inside <? ?> */
	F_STAG,		/* inside a start tag */
	F_ETAG		/* inside an end tag */
};

struct stream {
	struct input *in;
	const char *name;
	struct stream_opts opts;

	char *buf;		/* bytes not yet handed over */
	size_t start;		/* first byte of the current document */
	size_t pos;		/* next byte to scan */
	size_t end;		/* bytes in buf */
	size_t cap;
	int eof;		/* input exhausted */
	int fatal;		/* input failed; report at end */
	char fatal_msg[300];

	/* line bookkeeping: line number of byte line_at */
	long line;
	size_t line_at;
	unsigned long long consumed;	/* bytes dropped from buf */

	/* framer */
	enum fs st;
	int depth;
	int root_seen;		/* a root element started */
	int doctype;		/* a DOCTYPE was seen in this document */
	int skipping;		/* too large or too deep: drop bytes */
	char skip_why[200];
	int quote;		/* open quote char inside a tag or DECL */
	int run;		/* dashes / brackets / '?' counter */
	int decl_brackets;	/* [ ] depth inside DOCTYPE */
	char bang[9];		/* bytes after "<!" */
	int nbang;
	int slash;		/* last significant char of STAG was '/' */
	int nattr;		/* attribute values seen in this STAG */
	int cut;		/* ended early by a new XML declaration */
	size_t tag_at;		/* offset of the current '<' */
	int bom;		/* bytes of a BOM matched while outside */
	int garbage;		/* stray bytes between documents */
	long garbage_line;
	size_t gap;		/* bytes since the last document ended */

	int sax_depth;		/* check-only parse: element depth */
	int sax_dtd;		/* check-only parse: a DTD was declared */

	/* The single scan (opts.scan, scan_doc()). */
	int scan_on;
	xmlParserCtxtPtr sctxt;
	int scan_depth;
	int scan_fail;		/* the framer must decide */
	int scan_done;		/* the root ended */
	size_t scan_len;	/* ... this many bytes after start */
	size_t scan_big;	/* largest document handed over */

	long index;		/* documents started */
	long doc_line;		/* line where the current one started */

	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;		/* tree of the last document handed over */
	struct stream_err *perr;	/* where the parser error goes */
	int perr_set;
	long line_base;
};

static void
fmt_err(struct stream_err *e, long index, long line, const char *fmt, ...)
{
	va_list ap;

	e->index = index;
	e->line = line;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
}

/* Line number of byte offset off in buf (off >= line_at). */
static long
line_of(struct stream *s, size_t off)
{
	const char *p = s->buf + s->line_at, *e = s->buf + off;

	while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		s->line++;
		p++;
	}
	s->line_at = off;
	return s->line;
}

/* libxml2 messages may span lines; a diagnostic is one line. */
static void
one_line(char *p)
{
	for (; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

static void
structured_error(void *data, xmlErrorPtr e)
{
	struct stream *s = ((xmlParserCtxtPtr)data)->_private;
	const char *m;
	size_t n;

	if (s == NULL || s->perr == NULL || s->perr_set || e == NULL ||
	    e->level < XML_ERR_ERROR)
		return;
	m = e->message ? e->message : "parse error";
	n = strlen(m);
	while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	fmt_err(s->perr, s->perr->index, s->line_base + (e->line > 0 ?
	    e->line - 1 : 0), _("not well-formed XML: %.*s"), (int)n, m);
	one_line(s->perr->msg);
	s->perr_set = 1;
}

static const int parse_options = XML_PARSE_NONET | XML_PARSE_NOCDATA |
    XML_PARSE_COMPACT | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
    XML_PARSE_BIG_LINES;

static xmlParserCtxtPtr
new_ctxt(void *owner)
{
	xmlParserCtxtPtr c = xmlNewParserCtxt();

	if (c == NULL)
		return NULL;
	c->_private = owner;
	c->sax->serror = structured_error;
	c->userData = c;
	return c;
}

/* SAX callbacks of the check-only parse (opts.no_tree). */
static void
sax_subset(void *data, const xmlChar *name, const xmlChar *ext_id,
    const xmlChar *sys_id)
{
	struct stream *s = ((xmlParserCtxtPtr)data)->_private;

	(void)name, (void)ext_id, (void)sys_id;
	s->sax_dtd = 1;
}

static void
sax_start(void *data, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattr, int ndef,
    const xmlChar **attrs)
{
	struct stream *s = ((xmlParserCtxtPtr)data)->_private;

	(void)prefix, (void)nns, (void)ns, (void)nattr, (void)ndef,
	    (void)attrs;
	s->sax_depth++;
	if (s->opts.on_element)
		s->opts.on_element(s->opts.on_element_arg, s->sax_depth,
		    (const char *)local, (const char *)uri);
}

static void
sax_end(void *data, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct stream *s = ((xmlParserCtxtPtr)data)->_private;

	(void)local, (void)prefix, (void)uri;
	s->sax_depth--;
}

/*
 * Content callbacks that keep nothing.  They must be set, not left NULL:
 * libxml2 words some errors differently when a callback is missing (the
 * comment of "Double hyphen within comment" is quoted only when there is
 * a comment handler), and the check-only parse says what the full one says.
 */
static void
sax_text(void *data, const xmlChar *text, int len)
{
	(void)data, (void)text, (void)len;
}

static void
sax_comment(void *data, const xmlChar *text)
{
	(void)data, (void)text;
}

static void
sax_pi(void *data, const xmlChar *target, const xmlChar *text)
{
	(void)data, (void)target, (void)text;
}

static void
sax_reference(void *data, const xmlChar *name)
{
	(void)data, (void)name;
}

/*
 * A context whose parse checks well-formedness and builds nothing: the
 * tree-building callbacks keep nothing; the DOCTYPE callbacks only note
 * that a DTD was declared, and the element callbacks keep the depth.
 */
static xmlParserCtxtPtr
new_check_ctxt(void *owner)
{
	xmlParserCtxtPtr c = new_ctxt(owner);
	xmlSAXHandlerPtr h;

	if (c == NULL)
		return NULL;
	h = c->sax;
	memset(h, 0, sizeof *h);
	h->initialized = XML_SAX2_MAGIC;
	h->serror = structured_error;
	h->internalSubset = sax_subset;
	h->externalSubset = sax_subset;
	h->startElementNs = sax_start;
	h->endElementNs = sax_end;
	h->characters = sax_text;
	h->ignorableWhitespace = sax_text;	/* the same, as in SAX2 */
	h->cdataBlock = sax_text;
	h->comment = sax_comment;
	h->processingInstruction = sax_pi;
	h->reference = sax_reference;
	return c;
}

/*
 * Parse one framed document into *out (NULL when opts.no_tree asks for a
 * check only).  Returns 0, or -1 with *err filled.  Refuses documents that
 * declare a DTD even if the framer missed it.
 */
static int
parse_doc(struct stream *s, xmlParserCtxtPtr c, const char *bytes,
    size_t len, const char *name, struct stream_err *err, xmlDocPtr *out)
{
	xmlDocPtr d;

	*out = NULL;
	s->perr = err;
	s->perr_set = 0;
	s->sax_dtd = 0;
	s->sax_depth = 0;
	c->_private = s;
	c->userData = c;
	d = xmlCtxtReadMemory(c, bytes, (int)len, name, NULL, parse_options);
	if (s->sax_dtd || (d != NULL && (d->intSubset != NULL ||
	    d->extSubset != NULL))) {
		xmlFreeDoc(d);
		fmt_err(err, err->index, s->line_base,
		    _("document type declaration (DOCTYPE) refused: "
		    "untrusted input"));
		return -1;
	}
	/* A tree is built only when the document is well-formed. */
	if (!c->wellFormed || (d == NULL && !s->opts.no_tree)) {
		xmlErrorPtr e = xmlCtxtGetLastError(c);

		xmlFreeDoc(d);
		if (!s->perr_set)
			fmt_err(err, err->index, s->line_base + (e &&
			    e->line > 0 ? e->line - 1 : 0),
			    _("not well-formed XML: %s"), e && e->message ?
			    e->message : "parse error");
		return -1;
	}
	*out = d;
	return 0;
}

/*
 * ---- The single scan ----
 *
 * libxml2 parses the stream's buffer in place (a static input from the
 * document's first '<' to the end of what was read) and the end tag of
 * the root stops it: where it stopped is where the document ends.  The
 * scan hands a document over only when the framer would have handed over
 * the same bytes without complaint -- well-formed, no DOCTYPE, not too
 * deep, not too many attributes, within the size limit, UTF-8 (so that
 * the parser's offsets are the buffer's) -- and otherwise gives the
 * document back to the framer untouched, which then does exactly what
 * it does without the scan.  For a well-formed document the framer's
 * tokenizer and the parser agree on where the root ends.
 */

static ssize_t refill(struct stream *s);
static int scan_doc(struct stream *s, struct stream_doc *d,
    struct stream_err *err);

#define SCAN_MIN (128 * 1024)	/* bytes wanted in the buffer first */
#define SCAN_DICT_RENEW 50000	/* names before the parser is renewed */

static void
scan_stop(xmlParserCtxtPtr c, struct stream *s)
{
	s->scan_fail = 1;
	xmlStopParser(c);
}

static void
scan_start(void *data, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattr, int ndef,
    const xmlChar **attrs)
{
	xmlParserCtxtPtr c = data;
	struct stream *s = c->_private;
	const xmlSAXHandler *h = s->opts.scan ? s->opts.scan->h : NULL;

	/* The framer's refusals (depth of an open element, quoted values
	 * of one tag): leave those documents to it. */
	if (++s->scan_depth > s->opts.max_depth || nns + nattr > MAX_ATTRS) {
		scan_stop(c, s);
		return;
	}
	if (s->opts.on_element)
		s->opts.on_element(s->opts.on_element_arg, s->scan_depth,
		    (const char *)local, (const char *)uri);
	if (h && h->startElementNs)
		h->startElementNs(s->opts.scan->arg, local, prefix, uri, nns,
		    ns, nattr, ndef, attrs);
}

static void
scan_end(void *data, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	xmlParserCtxtPtr c = data;
	struct stream *s = c->_private;
	const xmlSAXHandler *h = s->opts.scan ? s->opts.scan->h : NULL;
	xmlParserInputPtr in = c->input;

	if (h && h->endElementNs)
		h->endElementNs(s->opts.scan->arg, local, prefix, uri);
	if (--s->scan_depth > 0)
		return;
	/* The root closed: the parser stands just after its '>'. */
	if (in == NULL || in->buf == NULL || in->buf->encoder != NULL) {
		scan_stop(c, s);	/* converted: offsets are not ours */
		return;
	}
	s->scan_len = in->consumed + (size_t)(in->cur - in->base);
	s->scan_done = 1;
	xmlStopParser(c);
}

static void
scan_text(void *data, const xmlChar *text, int len)
{
	struct stream *s = ((xmlParserCtxtPtr)data)->_private;
	const xmlSAXHandler *h = s->opts.scan ? s->opts.scan->h : NULL;

	if (h && h->characters)
		h->characters(s->opts.scan->arg, text, len);
}

static void
scan_comment(void *data, const xmlChar *text)
{
	struct stream *s = ((xmlParserCtxtPtr)data)->_private;
	const xmlSAXHandler *h = s->opts.scan ? s->opts.scan->h : NULL;

	if (h && h->comment)
		h->comment(s->opts.scan->arg, text);
}

static void
scan_pi(void *data, const xmlChar *target, const xmlChar *text)
{
	struct stream *s = ((xmlParserCtxtPtr)data)->_private;
	const xmlSAXHandler *h = s->opts.scan ? s->opts.scan->h : NULL;

	if (h && h->processingInstruction)
		h->processingInstruction(s->opts.scan->arg, target, text);
}

static void
scan_subset(void *data, const xmlChar *name, const xmlChar *ext_id,
    const xmlChar *sys_id)
{
	xmlParserCtxtPtr c = data;

	(void)name, (void)ext_id, (void)sys_id;
	scan_stop(c, c->_private);	/* a DOCTYPE: the framer refuses it */
}

static void
scan_reference(void *data, const xmlChar *name)
{
	xmlParserCtxtPtr c = data;

	(void)name;
	scan_stop(c, c->_private);
}

static void
scan_error(void *data, xmlErrorPtr e)
{
	struct stream *s = ((xmlParserCtxtPtr)data)->_private;

	if (e != NULL && e->level >= XML_ERR_ERROR)
		s->scan_fail = 1;
}

static xmlParserCtxtPtr
new_scan_ctxt(struct stream *s)
{
	xmlParserCtxtPtr c = xmlNewParserCtxt();
	xmlSAXHandlerPtr h;

	if (c == NULL)
		return NULL;
	c->_private = s;
	c->userData = c;
	h = c->sax;
	memset(h, 0, sizeof *h);
	h->initialized = XML_SAX2_MAGIC;
	h->serror = scan_error;
	h->internalSubset = scan_subset;
	h->externalSubset = scan_subset;
	h->startElementNs = scan_start;
	h->endElementNs = scan_end;
	h->characters = scan_text;
	h->ignorableWhitespace = scan_text;	/* the same: no guessing */
	h->cdataBlock = scan_text;
	h->comment = scan_comment;
	h->processingInstruction = scan_pi;
	h->reference = scan_reference;
	return c;
}

/*
 * Parse from s->start to the end of the buffer; the document's length, or
 * 0 when the framer must decide.
 */
static size_t
scan_parse(struct stream *s)
{
	xmlParserCtxtPtr c = s->sctxt;
	xmlParserInputBufferPtr ib;
	xmlParserInputPtr in;
	size_t avail = s->end - s->start;

	if (avail > (size_t)0x7fffffff)
		return 0;
	if (c->dict != NULL && xmlDictSize(c->dict) > SCAN_DICT_RENEW) {
		xmlParserCtxtPtr n = new_scan_ctxt(s);

		if (n == NULL)
			return 0;
		xmlFreeParserCtxt(c);
		c = s->sctxt = n;
	}
	s->buf[s->end] = '\0';		/* libxml2 stops at a NUL too */
	xmlCtxtReset(c);
	if ((ib = xmlParserInputBufferCreateStatic(s->buf + s->start,
	    (int)avail, XML_CHAR_ENCODING_NONE)) == NULL)
		return 0;
	if ((in = xmlNewIOInputStream(c, ib, XML_CHAR_ENCODING_NONE)) ==
	    NULL) {
		xmlFreeParserInputBuffer(ib);
		return 0;
	}
	inputPush(c, in);
	(void)xmlCtxtUseOptions(c, parse_options);
	c->_private = s;
	c->userData = c;
	s->scan_depth = 0;
	s->scan_fail = 0;
	s->scan_done = 0;
	s->scan_len = 0;
	if (s->opts.scan && s->opts.scan->begin)
		s->opts.scan->begin(s->opts.scan->arg, c, s->name, s->index,
		    s->doc_line);
	(void)xmlParseDocument(c);
	if (!s->scan_done || s->scan_fail || !c->wellFormed ||
	    !c->nsWellFormed || s->scan_len == 0 ||
	    s->scan_len > s->opts.max_size || s->scan_len > avail)
		return 0;
	return s->scan_len;
}

/*
 * A document starts at s->start (the framer is just past its '<'): scan
 * it.  Returns STREAM_DOC with *d filled, or 0 to let the framer frame
 * it (nothing of the stream has changed then, except that more bytes
 * may have been read).
 */
static int
scan_doc(struct stream *s, struct stream_doc *d, struct stream_err *err)
{
	size_t want = s->scan_big * 2 > SCAN_MIN ? s->scan_big * 2 : SCAN_MIN;
	size_t len;

	/* The whole document in the buffer, at best: read ahead first. */
	while (!s->eof && !s->fatal && s->end - s->start < want &&
	    s->end - s->start <= s->opts.max_size) {
		ssize_t n = refill(s);

		if (n < 0)
			s->fatal = 1;
		else if (n == 0)
			s->eof = 1;
	}
	if ((len = scan_parse(s)) == 0)
		return 0;
	if (len > s->scan_big)
		s->scan_big = len;
	s->st = F_OUT;
	s->pos = s->start + len;
	s->line_base = s->doc_line;
	err->index = s->index;
	d->source = s->name;
	d->index = s->index;
	d->line = s->doc_line;
	d->bytes = s->buf + s->start;
	d->len = len;
	d->scanned = 1;
	return STREAM_DOC;
}

struct stream *
stream_open(struct input *in, const char *name, const struct stream_opts *o)
{
	struct stream *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	s->in = in;
	s->name = name;
	if (o)
		s->opts = *o;
	if (s->opts.max_size == 0)
		s->opts.max_size = STREAM_DEFAULT_MAX_SIZE;
	if (s->opts.max_depth <= 0)
		s->opts.max_depth = STREAM_DEFAULT_MAX_DEPTH;
	s->line = 1;
	s->st = F_OUT;
	if (!s->opts.no_parse && (s->ctxt = s->opts.no_tree ?
	    new_check_ctxt(s) : new_ctxt(s)) == NULL) {
		free(s);
		return NULL;
	}
	s->scan_on = !s->opts.no_scan && ((s->opts.no_tree &&
	    !s->opts.no_parse) || (s->opts.no_parse && s->opts.scan != NULL));
	if (s->scan_on && (s->sctxt = new_scan_ctxt(s)) == NULL) {
		if (s->ctxt)
			xmlFreeParserCtxt(s->ctxt);
		free(s);
		return NULL;
	}
	return s;
}

/* Make room and read more bytes; returns bytes read, 0 at EOF, -1. */
static ssize_t
refill(struct stream *s)
{
	size_t keep_from = s->start;
	ssize_t n;

	if (s->st == F_OUT)
		keep_from = s->pos;
	if (keep_from > s->line_at)
		(void)line_of(s, keep_from);
	/* Drop what is no longer needed. */
	if (keep_from > 0) {
		memmove(s->buf, s->buf + keep_from, s->end - keep_from);
		s->end -= keep_from;
		s->pos -= keep_from;
		s->start -= keep_from;
		s->line_at -= keep_from;
		s->tag_at = s->tag_at >= keep_from ? s->tag_at - keep_from : 0;
		s->consumed += keep_from;
	}
	if (s->cap - s->end < READ_CHUNK) {
		size_t cap = s->cap ? s->cap * 2 : 2 * READ_CHUNK;
		char *p;

		while (cap - s->end < READ_CHUNK)
			cap *= 2;
		if ((p = realloc(s->buf, cap + 1)) == NULL) {
			snprintf(s->fatal_msg, sizeof s->fatal_msg, "%s",
			    strerror(ENOMEM));
			return -1;
		}
		s->buf = p;
		s->cap = cap;
	}
	n = input_read(s->in, s->buf + s->end, READ_CHUNK);
	if (n < 0) {
		snprintf(s->fatal_msg, sizeof s->fatal_msg, "%s",
		    input_error(s->in));
		return -1;
	}
	s->end += (size_t)n;
	return n;
}

static void
begin_doc(struct stream *s, size_t at)
{
	s->start = at;
	s->doc_line = line_of(s, at);
	s->index++;
	s->st = F_TEXT;
	s->depth = 0;
	s->root_seen = 0;
	s->doctype = 0;
	s->skipping = 0;
	s->gap = 0;
}

/*
 * Run the framer until a document is complete (returns 1), the buffer is
 * exhausted (0), stray bytes must be reported (2), the gap between
 * documents has grown past the size limit (3) or, with the single scan,
 * a document starts at s->start (4: the framer goes on from its '<' if
 * scan_doc() gives it back).
 */
static int
frame(struct stream *s)
{
	const unsigned char *b = (const unsigned char *)s->buf;
	size_t i = s->pos, n = s->end;
	int c;

	while (i < n) {
		c = b[i];
		switch (s->st) {
		case F_OUT:
			if (s->bom) {
				static const unsigned char bom[] =
				    { 0xef, 0xbb, 0xbf };
				if (c == bom[s->bom]) {
					if (++s->bom == 3)
						s->bom = 0;
					i++;
					continue;
				}
				s->bom = 0;
				goto stray;
			}
			if (c == ' ' || c == '\t' || c == '\r' ||
			    c == '\n' || c == 0) {
				/* Padding: skip the whole run at once. */
				size_t j = i + 1;

				while (j < n && (b[j] == 0 || b[j] == ' ' ||
				    b[j] == '\n' || b[j] == '\r' ||
				    b[j] == '\t'))
					j++;
				s->gap += j - i;
				i = j;
				if (s->gap > s->opts.max_size) {
					s->pos = i;
					return 3;
				}
				continue;
			}
			s->gap++;
			if (c == 0xef) {
				s->bom = 1;
				i++;
				continue;
			}
			if (c == '<') {
				if (s->garbage) {
					s->pos = i;
					return 2;
				}
				begin_doc(s, i);
				s->tag_at = i;
				s->st = F_LT;
				i++;
				if (s->scan_on) {
					s->pos = i;
					return 4;	/* scan_doc() first */
				}
				continue;
			}
stray:
			if (!s->garbage) {
				s->garbage = 1;
				s->garbage_line = line_of(s, i);
			}
			i++;
			if (s->gap > s->opts.max_size) {
				s->pos = i;
				return 3;
			}
			continue;
		case F_TEXT: {
			const unsigned char *lt = memchr(b + i, '<', n - i);
			if (lt == NULL) {
				i = n;
				continue;
			}
			i = (size_t)(lt - b);
			s->tag_at = i;
			s->st = F_LT;
			i++;
			continue;
		}
		case F_LT:
			if (c == '?') {
				int xmldecl;

				/* Decide "<?xml " whole, not at a buffer end. */
				if (i + 4 >= n && !s->eof) {
					s->pos = i;
					return 0;
				}
				xmldecl = i + 4 < n &&
				    memcmp(b + i + 1, "xml", 3) == 0 &&
				    (b[i + 4] == ' ' || b[i + 4] == '\t' ||
				    b[i + 4] == '\r' || b[i + 4] == '\n');
				/*
				 * An XML declaration inside an open element:
				 * the document was cut short (a half-written
				 * file followed by others).  End it before
				 * the declaration, which starts the next.
				 */
				if (xmldecl && s->depth > 0) {
					s->cut = 1;
					s->pos = s->tag_at;
					return 1;
				}
				/* An XML declaration after a finished
				 * prolog item starts the document anew. */
				if (xmldecl && s->depth == 0 && !s->root_seen &&
				    s->tag_at != s->start) {
					long idx = s->index;
					begin_doc(s, s->tag_at);
					s->index = idx;
				}
				s->st = F_PI;
				s->run = 0;
			} else if (c == '!') {
				s->st = F_BANG;
				s->nbang = 0;
			} else if (c == '/') {
				s->st = F_ETAG;
			} else {
				s->st = F_STAG;
				s->quote = 0;
				s->slash = 0;
				s->nattr = 0;
				continue;	/* rescan this byte */
			}
			i++;
			continue;
		case F_BANG:
			s->bang[s->nbang++] = (char)c;
			i++;
			if (s->nbang <= 2 &&
			    memcmp(s->bang, "--", (size_t)s->nbang) == 0) {
				if (s->nbang == 2) {
					s->st = F_COMMENT;
					s->run = 0;
				}
				continue;
			}
			if (memcmp(s->bang, "[CDATA[", (size_t)s->nbang) == 0) {
				if (s->nbang == 7) {
					s->st = F_CDATA;
					s->run = 0;
				}
				continue;
			}
			/* A markup declaration such as <!DOCTYPE: framed
			 * (quotes and [ ] respected) and then refused. */
			s->st = F_DECL;
			s->quote = 0;
			s->decl_brackets = 0;
			s->doctype = 1;
			i--;		/* this byte again, as DECL */
			continue;
		case F_COMMENT:
			if (c == '-')
				s->run++;
			else if (c == '>' && s->run >= 2)
				s->st = F_TEXT;
			else
				s->run = 0;
			i++;
			continue;
		case F_CDATA:
			if (c == ']')
				s->run++;
			else if (c == '>' && s->run >= 2)
				s->st = F_TEXT;
			else
				s->run = 0;
			i++;
			continue;
		case F_DECL:
			if (s->quote) {
				if (c == s->quote)
					s->quote = 0;
			} else if (c == '"' || c == '\'') {
				s->quote = c;
			} else if (c == '[') {
				s->decl_brackets++;
			} else if (c == ']') {
				if (s->decl_brackets > 0)
					s->decl_brackets--;
			} else if (c == '>' && s->decl_brackets == 0) {
				s->st = F_TEXT;
			}
			i++;
			continue;
		case F_PI:
			if (c == '>' && s->run)
				s->st = F_TEXT;
			s->run = (c == '?');
			i++;
			continue;
		case F_STAG:
			if (s->quote) {
				const unsigned char *q =
				    memchr(b + i, s->quote, n - i);
				if (q == NULL) {
					i = n;
					continue;
				}
				i = (size_t)(q - b) + 1;
				s->quote = 0;
				s->slash = 0;
				continue;
			}
			if (c == '"' || c == '\'') {
				s->quote = c;
				if (++s->nattr > MAX_ATTRS && !s->skipping) {
					s->skipping = 1;
					snprintf(s->skip_why, sizeof s->skip_why,
					    _("an element with more than %d "
					    "attributes"), MAX_ATTRS);
				}
			} else if (c == '>') {
				i++;
				s->st = F_TEXT;
				s->root_seen = 1;
				if (!s->slash) {
					if (++s->depth > s->opts.max_depth &&
					    !s->skipping) {
						s->skipping = 1;
						snprintf(s->skip_why,
						    sizeof s->skip_why,
						    _("elements nested deeper "
						    "than %d levels"),
						    s->opts.max_depth);
					}
				} else if (s->depth == 0) {
					s->pos = i;
					return 1;
				}
				continue;
			} else if (c == '/') {
				s->slash = 1;
			} else if (c != ' ' && c != '\t' && c != '\r' &&
			    c != '\n') {
				s->slash = 0;
			}
			i++;
			continue;
		case F_ETAG:
			i++;
			if (c == '>') {
				s->st = F_TEXT;
				if (s->depth > 0 && --s->depth == 0) {
					s->pos = i;
					return 1;
				}
				if (s->depth == 0) {
					/* An end tag with nothing open: the
					 * document is malformed; end it here
					 * and let the parser say why. */
					s->pos = i;
					return 1;
				}
			}
			continue;
		}
	}
	s->pos = i;
	if (s->st != F_OUT && s->skipping && s->start < s->pos) {
		/* keep memory bounded: drop what was scanned */
		size_t keep = s->pos;
		(void)line_of(s, keep);
		s->start = keep;
	}
	return 0;
}

static void
free_last(struct stream *s)
{
	if (s->doc != NULL) {
		xmlFreeDoc(s->doc);
		s->doc = NULL;
	}
}

int
stream_next(struct stream *s, struct stream_doc *d, struct stream_err *err)
{
	memset(d, 0, sizeof *d);
	free_last(s);
	for (;;) {
		int r;

		if (s->fatal == 2)
			return STREAM_EOF;
		r = frame(s);
		if (r == 3) {
			/* Too much between documents: stop this source. */
			s->fatal = 2;
			s->st = F_OUT;
			fmt_err(err, 0, line_of(s, s->pos),
			    _("more than %zu bytes of padding or stray text "
			    "between documents (the size limit); the rest of "
			    "the source is not read"), s->opts.max_size);
			return STREAM_FATAL;
		}
		if (r == 4) {
			if ((r = scan_doc(s, d, err)) != 0)
				return r;
			continue;	/* the framer takes this one */
		}
		if (r == 2) {
			/* Stray bytes between documents. */
			fmt_err(err, 0, s->garbage_line,
			    _("text outside any document (skipped up to the "
			    "next '<')"));
			s->garbage = 0;
			return STREAM_BAD;
		}
		if (r == 1) {
			size_t len = s->pos - s->start;

			s->st = F_OUT;
			s->line_base = s->doc_line;
			err->index = s->index;
			if (!s->skipping && len > s->opts.max_size) {
				s->skipping = 1;
				snprintf(s->skip_why, sizeof s->skip_why,
				    _("larger than the limit of %zu bytes"),
				    s->opts.max_size);
			}
			if (s->cut) {
				s->cut = 0;
				s->skipping = 0;
				fmt_err(err, s->index, s->doc_line,
				    _("incomplete document: an XML declaration "
				    "at line %ld starts another before it "
				    "ends"), line_of(s, s->pos));
				return STREAM_BAD;
			}
			if (s->skipping) {
				fmt_err(err, s->index, s->doc_line,
				    _("document refused: %s"), s->skip_why);
				s->skipping = 0;
				return STREAM_BAD;
			}
			if (s->doctype) {
				fmt_err(err, s->index, s->doc_line,
				    _("markup declaration (<!DOCTYPE ...>) "
				    "refused: untrusted input"));
				return STREAM_BAD;
			}
			d->source = s->name;
			d->index = s->index;
			d->line = s->doc_line;
			d->bytes = s->buf + s->start;
			d->len = len;
			if (s->opts.no_parse)
				return STREAM_DOC;
			if (parse_doc(s, s->ctxt, d->bytes, len, s->name,
			    err, &s->doc) != 0)
				return STREAM_BAD;
			d->doc = s->doc;
			return STREAM_DOC;
		}
		/* Need more bytes. */
		if (s->st != F_OUT && !s->skipping &&
		    s->end - s->start > s->opts.max_size) {
			s->skipping = 1;
			snprintf(s->skip_why, sizeof s->skip_why,
			    _("larger than the limit of %zu bytes"),
			    s->opts.max_size);
			(void)line_of(s, s->pos);
			s->start = s->pos;
		}
		if (s->eof || s->fatal) {
			int fatal = s->fatal;

			s->fatal = 2;	/* report once, then EOF */
			if (s->st != F_OUT) {
				if (fatal)
					fmt_err(err, s->index,
					    line_of(s, s->end),
					    _("%s; the document that starts "
					    "at line %ld is incomplete"),
					    s->fatal_msg, s->doc_line);
				else
					fmt_err(err, s->index, s->doc_line,
					    _("incomplete document: the input "
					    "ends inside it"));
				s->st = F_OUT;
				return fatal ? STREAM_FATAL : STREAM_BAD;
			}
			if (s->garbage) {
				fmt_err(err, 0, s->garbage_line,
				    _("text outside any document"));
				s->garbage = 0;
				if (!fatal)
					return STREAM_BAD;
			}
			if (fatal) {
				fmt_err(err, 0, line_of(s, s->end), "%s",
				    s->fatal_msg);
				return STREAM_FATAL;
			}
			return STREAM_EOF;
		}
		{
			ssize_t n = refill(s);
			if (n < 0)
				s->fatal = 1;
			else if (n == 0)
				s->eof = 1;
		}
	}
}

int
stream_doc_detach(struct stream *s, struct stream_doc *d)
{
	char *copy = malloc(d->len + 1);

	if (copy == NULL)
		return -1;
	memcpy(copy, d->bytes, d->len);
	copy[d->len] = '\0';
	d->bytes = copy;
	d->owned = 1;
	if (d->doc == s->doc)
		s->doc = NULL;	/* the caller owns the tree now */
	return 0;
}

void
stream_doc_free(struct stream_doc *d)
{
	if (!d->owned)
		return;
	free((char *)d->bytes);
	if (d->doc)
		xmlFreeDoc(d->doc);
	memset(d, 0, sizeof *d);
}

unsigned long long
stream_bytes(const struct stream *s)
{
	return s->consumed + s->pos;
}

void
stream_close(struct stream *s)
{
	if (s == NULL)
		return;
	free_last(s);
	if (s->ctxt)
		xmlFreeParserCtxt(s->ctxt);
	if (s->sctxt)
		xmlFreeParserCtxt(s->sctxt);
	free(s->buf);
	free(s);
}

int
stream_doc_parse(struct stream_doc *d, const struct stream_opts *opts,
    struct stream_err *err)
{
	struct stream s;
	xmlParserCtxtPtr c;
	xmlDocPtr doc;
	int r;

	memset(&s, 0, sizeof s);
	if (opts)
		s.opts = *opts;
	s.opts.no_tree = 0;
	s.opts.on_element = NULL;
	s.line_base = d->line;
	err->index = d->index;
	if ((c = new_ctxt(&s)) == NULL) {
		fmt_err(err, d->index, d->line, "%s", strerror(ENOMEM));
		return STREAM_BAD;
	}
	r = parse_doc(&s, c, d->bytes, d->len, d->source, err, &doc);
	xmlFreeParserCtxt(c);
	if (r != 0)
		return STREAM_BAD;
	d->doc = doc;
	return STREAM_DOC;
}

xmlDocPtr
stream_parse_memory(const char *bytes, size_t len, const char *name,
    struct stream_err *err)
{
	struct stream s;
	xmlParserCtxtPtr c;
	xmlDocPtr d;
	size_t i = 0;

	memset(&s, 0, sizeof s);
	s.line_base = 1;
	err->index = 0;
	/* Same refusal as the framer, before any parsing. */
	for (i = 0; i + 9 <= len; i++)
		if (bytes[i] == '<' && bytes[i + 1] == '!' &&
		    memcmp(bytes + i + 2, "DOCTYPE", 7) == 0) {
			fmt_err(err, 0, 1, _("document type declaration "
			    "(DOCTYPE) refused: untrusted input"));
			return NULL;
		}
	if ((c = new_ctxt(&s)) == NULL) {
		fmt_err(err, 0, 0, "%s", strerror(ENOMEM));
		return NULL;
	}
	(void)parse_doc(&s, c, bytes, len, name, err, &d);
	xmlFreeParserCtxt(c);
	return d;
}
