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
 *
 * While it scans a document's prolog the framer notes the first comment
 * that is an origin mark and where the root element starts; when the
 * document is complete the mark is read and cut out of the buffer (the
 * bytes before it move up over it), so that what is handed over is the
 * document as delivered.  An envelope is opened by framing its decoded
 * Data with a second stream over that memory, which neither opens
 * envelopes nor reads marks: the payload gets every limit and refusal of
 * a document read from a file.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "envelope.h"
#include "fastwf.h"
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

#define NO_OFF ((size_t)-1)

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
	char sax_root[64];	/* check-only parse: the root's local name */
	int sax_root_dxp;	/* ... in the dxp namespace */
	struct fastwf *fastwf;	/* check-only parse: the fast check first */

	/* The current document's prolog (offsets from start). */
	size_t cmt_at;		/* the comment being scanned, or NO_OFF */
	size_t mark_at, mark_end;	/* its origin mark, when has_mark */
	int has_mark;
	size_t root_at;		/* its root element, when has_root */
	int has_root;
	char markbuf[ORIGIN_MARK_MAX + 16];	/* the mark's values */

	/* A stream over memory: a payload, or a document to parse again. */
	int borrowed;		/* buf is the caller's: never written */
	int no_envelope;	/* envelopes are not opened */
	struct envelope *env;	/* of the last document handed over */
	xmlParserCtxtPtr tctxt;	/* builds an envelope's tree (no_tree) */

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
	if (s->sax_depth == 1) {
		snprintf(s->sax_root, sizeof s->sax_root, "%s",
		    (const char *)local);
		s->sax_root_dxp = uri != NULL && envelope_is_root(
		    (const char *)local, (const char *)uri);
	}
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
	s->sax_root[0] = '\0';
	s->sax_root_dxp = 0;
	c->_private = s;
	c->userData = c;
	/*
	 * Checking only: a document the accept-only scanner passes is
	 * well-formed and gives the same events; one it declines is parsed
	 * by libxml2, which says why (fastwf.h).
	 */
	if (s->fastwf != NULL && fastwf_check(s->fastwf, bytes, len) == 0) {
		const char *uri, *root = fastwf_root(s->fastwf, &uri);

		snprintf(s->sax_root, sizeof s->sax_root, "%s", root);
		s->sax_root_dxp = uri != NULL && envelope_is_root(root, uri);
		if (s->opts.on_element)
			fastwf_replay(s->fastwf, s->opts.on_element,
			    s->opts.on_element_arg);
		return 0;
	}
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

struct stream *
stream_open(struct input *in, const char *name, const struct stream_opts *o)
{
	struct stream *s = malloc(sizeof *s);

	if (s == NULL)
		return NULL;
	/*
	 * Everything zero but the 64 KB mark buffer, written before it is
	 * read (origin_mark_read()): calloc() cleared it for every file of
	 * a directory, 3% of the instructions of ceb-validate over files.
	 */
	memset(s, 0, offsetof(struct stream, markbuf));
	memset((char *)s + offsetof(struct stream, markbuf) +
	    sizeof s->markbuf, 0, sizeof *s - offsetof(struct stream,
	    markbuf) - sizeof s->markbuf);
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
	s->cmt_at = NO_OFF;
	if (!s->opts.no_parse && (s->ctxt = s->opts.no_tree ?
	    new_check_ctxt(s) : new_ctxt(s)) == NULL) {
		free(s);
		return NULL;
	}
	if (s->opts.no_tree && !s->opts.no_parse && fastwf_enabled() &&
	    (s->fastwf = fastwf_new()) == NULL) {
		xmlFreeParserCtxt(s->ctxt);
		free(s);
		return NULL;
	}
	return s;
}

/*
 * A stream over len bytes of memory that stay the caller's and are never
 * written (no origin marks are read: they cannot be cut out), its first
 * line numbered line; nested: envelopes are not opened (an envelope's
 * payload).
 */
static struct stream *
open_memory(const char *bytes, size_t len, const char *name,
    const struct stream_opts *o, long line, int nested)
{
	struct stream_opts mo = *o;
	struct stream *s;

	mo.no_parse = 0;
	if ((s = stream_open(NULL, name, &mo)) == NULL)
		return NULL;
	s->buf = (char *)bytes;		/* borrowed: only read */
	s->borrowed = 1;
	s->cap = s->end = len;
	s->eof = 1;
	s->line = line;
	s->no_envelope = nested;
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
	s->cmt_at = NO_OFF;
	s->has_mark = 0;
	s->has_root = 0;
}

/* The comment that ends at offset gt ('>') is an origin mark: note it. */
static void
note_mark(struct stream *s, size_t gt)
{
	size_t at = s->start + s->cmt_at;
	const char *text = s->buf + at + 4;	/* after "<!--" */
	size_t len = gt - 2 - (at + 4);		/* before "-->" */

	if (gt + 1 - at <= ORIGIN_MARK_MAX && origin_is_mark(text, len)) {
		s->mark_at = s->cmt_at;
		s->mark_end = gt + 1 - s->start;
		s->has_mark = 1;
	}
	s->cmt_at = NO_OFF;
}

/*
 * Run the framer until a document is complete (returns 1), the buffer is
 * exhausted (0), stray bytes must be reported (2) or the gap between
 * documents has grown past the size limit (3).
 */
/* The bytes that end a start tag's run of names and white space. */
static const unsigned char tag_stop[256] = { ['"'] = 1, ['\''] = 1, ['>'] = 1 };

static int
frame(struct stream *s)
{
	const unsigned char *b = (const unsigned char *)s->buf;
	size_t i = s->pos, n = s->end, k;
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
			/* Mostly a tag right after the last one: no call. */
			const unsigned char *lt = c == '<' ? b + i :
			    memchr(b + i, '<', n - i);
			if (lt == NULL) {
				i = n;
				continue;
			}
			i = (size_t)(lt - b);
			s->tag_at = i;
			s->st = F_LT;
			i++;
			/*
			 * Inside the root, the two tags that make most of a
			 * document are taken here in one step each, as the
			 * states below would take them: an end tag up to its
			 * '>', a start tag's first run of names and white
			 * space (F_STAG goes on from its quote or '>').
			 */
			if (s->depth == 0 || i >= n)
				continue;
			if (b[i] == '/') {
				const unsigned char *gt =
				    memchr(b + i + 1, '>', n - i - 1);

				s->st = F_ETAG;
				if (gt == NULL) {
					i = n;
					continue;
				}
				i = (size_t)(gt - b) + 1;
				s->st = F_TEXT;
				if (--s->depth == 0) {
					s->pos = i;
					return 1;
				}
				continue;
			}
			if (b[i] != '?' && b[i] != '!') {
				size_t j = i, e;

				while (j < n && !tag_stop[b[j]])
					j++;
				if (j == n)
					continue;	/* F_LT decides */
				s->st = F_STAG;
				s->quote = 0;
				s->nattr = 0;
				for (e = j; e > i && (b[e - 1] == ' ' ||
				    b[e - 1] == '\t' || b[e - 1] == '\r' ||
				    b[e - 1] == '\n'); e--)
					;
				s->slash = e > i && b[e - 1] == '/';
				i = j;
			}
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
				if (s->depth == 0 && !s->root_seen &&
				    !s->has_root) {
					s->root_at = s->tag_at - s->start;
					s->has_root = 1;
				}
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
					/* A comment of the prolog: a mark? */
					s->cmt_at = s->depth == 0 &&
					    !s->root_seen && !s->has_mark &&
					    !s->borrowed ? s->tag_at -
					    s->start : NO_OFF;
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
			else if (c == '>' && s->run >= 2) {
				s->st = F_TEXT;
				if (s->cmt_at != NO_OFF)
					note_mark(s, i);
			} else
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
			if (c != '"' && c != '\'' && c != '>') {
				/*
				 * Names, '=' and white space up to the next
				 * quote or '>', in one run: the '/' of an
				 * empty-element tag is the last byte of the
				 * run that is not white space.
				 */
				size_t j = i + 1;

				while (j < n && b[j] != '"' && b[j] != '\'' &&
				    b[j] != '>')
					j++;
				for (k = j; k > i; k--) {
					int x = b[k - 1];

					if (x != ' ' && x != '\t' &&
					    x != '\r' && x != '\n') {
						s->slash = x == '/';
						break;
					}
				}
				i = j;
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
			}
			i++;
			continue;
		case F_ETAG:
			if (c != '>') {
				const unsigned char *gt =
				    memchr(b + i, '>', n - i);

				i = gt != NULL ? (size_t)(gt - b) : n;
				continue;
			}
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

static int
root_is_envelope(xmlDocPtr doc)
{
	xmlNodePtr r = xmlDocGetRootElement(doc);

	return r != NULL && envelope_is_root((const char *)r->name,
	    r->ns ? (const char *)r->ns->href : NULL);
}

static void
free_last(struct stream *s)
{
	if (s->doc != NULL) {
		xmlFreeDoc(s->doc);
		s->doc = NULL;
	}
	envelope_free(s->env);
	s->env = NULL;
}

static void
add_note(struct stream_doc *d, const char *rule, const char *type,
    const char *field, long line, const char *fmt, ...)
{
	struct stream_note *n;
	va_list ap;

	if (d->nnotes >= (int)(sizeof d->notes / sizeof d->notes[0]))
		return;
	n = &d->notes[d->nnotes++];
	n->rule = rule;
	n->type = type;
	n->field = field;
	n->line = line;
	va_start(ap, fmt);
	vsnprintf(n->msg, sizeof n->msg, fmt, ap);
	va_end(ap);
}

/*
 * The document just framed ([start, start + len)): its origin, from its
 * mark or from where it was read, and its root element; the mark is cut
 * out of the buffer.  Returns the new length.
 */
static size_t
take_mark(struct stream *s, struct stream_doc *d, size_t len)
{
	struct origin *o = &d->origin;
	const char *why;

	o->source = s->name;
	o->message = s->index;
	o->line = s->doc_line;
	d->root_off = s->has_root ? s->root_at : 0;
	if (s->has_mark) {
		size_t ms = s->start + s->mark_at;
		size_t mlen = s->mark_end - s->mark_at, k;
		struct origin mo;
		long nl = 0;

		memset(&mo, 0, sizeof mo);
		for (k = ms; k < ms + mlen; k++)
			nl += s->buf[k] == '\n';
		if (origin_mark_read(s->buf + ms + 4, mlen - 7, &mo, s->markbuf,
		    sizeof s->markbuf, &why) == 0) {
			mo.via = s->name;
			mo.via_message = s->index;
			mo.via_line = s->doc_line;
			*o = mo;
		} else
			add_note(d, "S-ORIG-001", NULL, "", s->doc_line,
			    _("origin mark not readable (%s): the document "
			    "is reported where it was read"), why);
		/* Cut it out: the bytes before it move up over it. */
		if (s->line_at <= s->start)
			(void)line_of(s, s->start);
		memmove(s->buf + s->start + mlen, s->buf + s->start,
		    s->mark_at);
		s->start += mlen;
		if (s->line_at <= s->start) {
			/* Lines after the mark count its line breaks. */
			s->line_at = s->start;
			s->line = s->doc_line + nl;
		}
		len -= mlen;
		if (d->root_off >= s->mark_end)
			d->root_off -= mlen;
	}
	d->root_len = len - d->root_off;
	d->source = o->source;
	d->index = o->message;
	d->line = o->line;
	return len;
}

static struct stream *open_memory(const char *bytes, size_t len,
    const char *name, const struct stream_opts *o, long line, int nested);

static int
reject(struct stream_doc *d, struct stream_err *err, const char *rule,
    const char *type, const char *field, long line, const char *fmt, ...)
{
	va_list ap;

	err->index = d->index;
	err->line = line;
	err->rule = rule;
	err->type = type;
	err->field = field;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	one_line(err->msg);
	d->bytes = NULL;
	d->len = 0;
	d->doc = NULL;
	d->rejected = 1;
	d->reject.rule = rule;
	d->reject.type = type;
	d->reject.field = field;
	d->reject.line = line;
	snprintf(d->reject.msg, sizeof d->reject.msg, "%.*s",
	    (int)sizeof d->reject.msg - 1, err->msg);
	return STREAM_REJECT;
}

/*
 * The document handed over is an envelope (its tree in s->doc, or none
 * when checking only): open it and hand over the message inside instead.
 * Returns STREAM_DOC, STREAM_REJECT or STREAM_BAD (out of memory).
 */
static int
open_envelope(struct stream *s, struct stream_doc *d, struct stream_err *err)
{
	int marked = d->origin.via != NULL;
	struct stream_doc pd, extra;
	struct stream_err pe;
	struct envelope *env;
	struct stream *in;
	xmlDocPtr envdoc, pdoc;
	const char *rule, *root, *etype;
	char why[300], rootname[64];
	long where;
	int r, dxp;

	if (s->doc != NULL) {
		envdoc = s->doc;
		s->doc = NULL;
	} else if ((envdoc = stream_parse_memory(d->bytes, d->len, s->name,
	    err)) == NULL)
		return STREAM_BAD;
	etype = strcmp((const char *)xmlDocGetRootElement(envdoc)->name,
	    "DxpMsgSv") == 0 ? "DxpMsgSv" : "DxpMsg";
	r = envelope_open(envdoc, d->bytes, d->len, s->doc_line,
	    s->opts.max_size, &env, &rule, &where, why, sizeof why);
	if (env == NULL) {
		xmlFreeDoc(envdoc);
		fmt_err(err, d->index, s->doc_line, "%s", why);
		return STREAM_BAD;
	}
	s->env = env;
	d->env = env;
	if (!marked) {
		if (r == 0)
			d->origin.line = d->line = env->data_line;
		if (*env->copmsgid)
			d->origin.envelope = env->copmsgid;
	}
	if (r != 0)
		return reject(d, err, rule, etype, "Data", marked ? d->line :
		    where, "%s", why);
	if ((in = open_memory(env->payload, env->plen, s->name, &s->opts, 1,
	    1)) == NULL) {
		fmt_err(err, d->index, s->doc_line, "%s", strerror(ENOMEM));
		return STREAM_BAD;
	}
	memset(&pe, 0, sizeof pe);
	r = stream_next(in, &pd, &pe);
	if (r == STREAM_EOF) {
		stream_close(in);
		return reject(d, err, "S-DXP-004", etype, "Data", d->line,
		    _("Data decodes to no message (%zu bytes of white space)"),
		    env->plen);
	}
	if (r != STREAM_DOC) {
		stream_close(in);
		return reject(d, err, "S-DXP-001", etype, "Data", d->line,
		    _("the message in Data is not usable: line %ld of it: %s"),
		    pe.line, pe.msg);
	}
	pdoc = in->doc;
	in->doc = NULL;
	/* A copy: the tree's names die with the tree or the parser. */
	snprintf(rootname, sizeof rootname, "%s", pdoc ?
	    (const char *)xmlDocGetRootElement(pdoc)->name : in->sax_root);
	root = rootname;
	dxp = pdoc ? envelope_is_root(root, xmlDocGetRootElement(pdoc)->ns ?
	    (const char *)xmlDocGetRootElement(pdoc)->ns->href : NULL) :
	    in->sax_root_dxp;
	if (dxp) {
		xmlFreeDoc(pdoc);
		stream_close(in);
		return reject(d, err, "S-DXP-005", etype, "Data", d->line,
		    _("the message in Data is itself an envelope (%s)"), root);
	}
	d->bytes = pd.bytes;		/* in env->payload */
	d->len = pd.len;
	d->in_verbatim = 0;
	d->root_off = pd.root_off;
	d->root_len = pd.root_len;
	d->doc = s->doc = pdoc;
	d->env = env;
	memset(&pe, 0, sizeof pe);
	r = stream_next(in, &extra, &pe);
	if (r != STREAM_EOF) {
		stream_close(in);
		return reject(d, err, "S-DXP-001", etype, "Data", d->line,
		    _("Data holds more than one message, or text after it"));
	}
	/*
	 * MsgType is "agreed by the two parties" (spec table 4-3): for a CEB
	 * message it names its root; other payloads (a manifest: MT3201)
	 * have codes of their own, judged only when they claim a CEB root.
	 */
	if (env->msgtype[0] && strcmp(env->msgtype, root) != 0 &&
	    (strncmp(env->msgtype, "CEB", 3) == 0 || (strncmp(root, "CEB",
	    3) == 0 && strstr(root, "Message") != NULL)))
		add_note(d, "S-DXP-002", env->root, "MsgType", d->line,
		    _("MsgType says %s, the message in Data is %s"),
		    env->msgtype, root);
	stream_close(in);
	return STREAM_DOC;
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
			if (!s->has_mark && !s->borrowed && s->in != NULL) {
				d->in = s->in;
				d->in_off = s->consumed + s->start;
				d->in_verbatim = 1;
			}
			len = take_mark(s, d, len);
			d->bytes = s->buf + s->start;
			d->len = len;
			if (s->opts.no_parse)
				return STREAM_DOC;
			if (parse_doc(s, s->ctxt, d->bytes, len, s->name,
			    err, &s->doc) != 0)
				return STREAM_BAD;
			d->doc = s->doc;
			if (s->no_envelope || !(s->doc ? root_is_envelope(
			    s->doc) : s->sax_root_dxp))
				return STREAM_DOC;
			return open_envelope(s, d, err);
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

/* The i-th string of d's origin (0..4). */
static const char **
origin_string(struct stream_doc *d, int i)
{
	switch (i) {
	case 0:
		return &d->origin.source;
	case 1:
		return &d->origin.envelope;
	case 2:
		return &d->origin.received;
	case 3:
		return &d->origin.via;
	default:
		return &d->origin.records;
	}
}

/* The bytes d's origin strings take, each with its NUL. */
static size_t
strings_size(const struct stream_doc *d)
{
	const char *v[5];
	size_t n = 0;
	int i;

	v[0] = d->origin.source;
	v[1] = d->origin.envelope;
	v[2] = d->origin.received;
	v[3] = d->origin.via;
	v[4] = d->origin.records;
	for (i = 0; i < 5; i++)
		n += v[i] ? strlen(v[i]) + 1 : 0;
	return n;
}

/* Copy the strings of d's origin to p (strings_size() bytes). */
static void
strings_copy(struct stream_doc *d, char *p)
{
	const char **v;
	size_t k;
	int i;

	for (i = 0; i < 5; i++)
		if (*(v = origin_string(d, i)) != NULL) {
			k = strlen(*v) + 1;
			memcpy(p, *v, k);
			*v = p;
			p += k;
		}
	d->source = d->origin.source;
}

/* d's tree and envelope are the caller's now, no longer s's. */
static void
take_over(struct stream *s, const struct stream_doc *d)
{
	if (d->doc != NULL && d->doc == s->doc)
		s->doc = NULL;
	if (d->env != NULL && d->env == s->env)
		s->env = NULL;
}

int
stream_doc_detach(struct stream *s, struct stream_doc *d)
{
	struct stream_doc c = *d;
	char *copy = malloc(d->len + 1);
	char *own = malloc(strings_size(d) + 1);

	if (copy == NULL || own == NULL) {
		free(copy);
		free(own);
		return -1;
	}
	strings_copy(&c, own);
	memcpy(copy, d->bytes, d->len);
	copy[d->len] = '\0';
	c.bytes = c.mem = copy;
	c.own = own;
	c.owned = 1;
	take_over(s, &c);
	*d = c;
	return 0;
}

size_t
stream_doc_pack_size(const struct stream_doc *d)
{
	size_t n = d->len + 1 + strings_size(d);

	return (n + 15) & ~(size_t)15;	/* the next one aligned */
}

void
stream_doc_pack(struct stream *s, struct stream_doc *d, char *mem)
{
	memcpy(mem, d->bytes, d->len);
	mem[d->len] = '\0';
	strings_copy(d, mem + d->len + 1);
	d->bytes = mem;
	d->mem = d->own = NULL;	/* the caller's memory */
	d->owned = 1;
	take_over(s, d);
}

void
stream_doc_free(struct stream_doc *d)
{
	if (!d->owned)
		return;
	free(d->mem);
	free(d->own);
	if (d->doc)
		xmlFreeDoc(d->doc);
	envelope_free((struct envelope *)d->env);
	memset(d, 0, sizeof *d);
}

int
stream_doc_parse(struct stream_doc *d, const struct stream_opts *opts,
    struct stream_err *err)
{
	int marked = d->origin.via != NULL;
	struct stream_doc nd;
	struct stream *t;
	int r, i;

	if ((t = open_memory(d->bytes, d->len, d->source, opts, d->line,
	    0)) == NULL) {
		fmt_err(err, d->index, d->line, "%s", strerror(ENOMEM));
		return STREAM_BAD;
	}
	t->index = d->index - 1;	/* so that its document has d's */
	r = stream_next(t, &nd, err);
	if (r == STREAM_BAD || r == STREAM_FATAL || r == STREAM_EOF) {
		if (r == STREAM_EOF)
			fmt_err(err, d->index, d->line, _("no document"));
		stream_close(t);
		return STREAM_BAD;
	}
	for (i = 0; i < nd.nnotes && d->nnotes < 2; i++) {
		d->notes[d->nnotes] = nd.notes[i];
		if (marked)
			d->notes[d->nnotes].line = d->line;
		d->nnotes++;
	}
	if (r == STREAM_REJECT) {
		if (marked)
			err->line = nd.reject.line = d->line;
		d->rejected = 1;
		d->reject = nd.reject;
		d->env = t->env;	/* now d's */
		t->env = NULL;
		if (!marked && d->env != NULL) {
			/* As stream_next() names it (open_envelope()). */
			d->origin.line = d->line = nd.line;
			d->origin.envelope = nd.origin.envelope;
		}
		stream_close(t);
		return STREAM_REJECT;
	}
	d->doc = t->doc;
	t->doc = NULL;
	if (t->env != NULL) {
		d->env = t->env;
		t->env = NULL;
		d->bytes = nd.bytes;	/* in the envelope, now d's */
		d->len = nd.len;
		d->in_verbatim = 0;
		if (!marked) {
			d->origin.line = d->line = nd.line;
			d->origin.envelope = nd.origin.envelope;
		}
	}
	d->root_off = nd.root_off;
	d->root_len = nd.root_len;
	stream_close(t);
	return STREAM_DOC;
}

enum msg_status
stream_msg_open(struct msg *m, const struct stream_doc *d)
{
	enum msg_status st = msg_open(m, d->doc, d->line);

	m->flat = d->origin.envelope != NULL;
	m->records = d->origin.records;
	return st;
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
	fastwf_free(s->fastwf);
	if (!s->borrowed)
		free(s->buf);
	free(s);
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
