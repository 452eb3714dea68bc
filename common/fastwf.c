/*
 * fastwf.c: the fast, accept-only well-formedness check (fastwf.h).
 *
 * One pass over a copy of the bytes with a table of byte classes: long
 * runs of plain text, attribute values, comments and CDATA are skipped a
 * byte at a time with one table lookup; the bytes that need a look
 * (markup, '&', ']', controls, UTF-8 sequences) leave the run.  The copy
 * ends in NUL bytes, which no run takes and no rule accepts (a NUL byte
 * is never XML), so the loops need no bounds check; and the names and
 * namespace URIs the events report are NUL-terminated in it, in place,
 * once the byte after them has been read.  Start tags are read whole
 * (name, attributes, namespace declarations), end tags are compared with
 * the open element's name on a stack.  Every rule here errs on the
 * side of declining: the subset accepted is one where libxml2 (2.9, the
 * parse options of stream.c) reports no error of any level, so that the
 * caller may skip libxml2 without changing a verdict or an event.
 * tests/unit/test-fastwf.c holds the check against libxml2.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/uri.h>

#include "fastwf.h"

#define MAX_NAME 255		/* bytes of a qualified name */
#define MAX_DEPTH 200		/* libxml2 refuses 256 without XML_PARSE_HUGE */
#define MAX_RUN (1u << 20)	/* bytes of a text run, value, comment, CDATA */
#define MAX_ATTRS 32		/* attributes of one element */
#define MAX_NS 64		/* namespace declarations in scope */
#define MAX_URI 256		/* bytes of a namespace URI */
#define NCACHE 16		/* namespace URIs xmlParseURI() passed */
#define PAD 16			/* NUL bytes after the copy */

/* Byte classes (w->cls). */
enum {
	C_TEXT = 1,	/* plain in text: not '<', '&', ']', control, >= 0x80 */
	C_ATTR = 2,	/* plain in a value: not '<', '&', quotes, ... */
	C_CMT = 4,	/* plain in a comment: not '-', ... */
	C_CDATA = 8,	/* plain in CDATA: not ']', ... */
	C_S = 16,	/* white space */
	C_NSTART = 32,	/* starts an ASCII NCName */
	C_NAME = 64	/* goes on in an ASCII NCName */
};

struct ev {			/* an element start */
	int depth;
	const char *local, *uri;	/* in the copy; uri NULL: none */
};

struct ns {			/* a namespace declaration in scope */
	const unsigned char *pfx;	/* NULL: the default namespace */
	size_t plen;
	const char *uri;	/* in the copy */
};

struct open {			/* an open element */
	const unsigned char *name;	/* its qualified name, in the copy */
	size_t len;
	int nns;		/* declarations in scope outside it */
};

struct fastwf {
	unsigned char cls[256];
	unsigned char *buf;	/* the copy, PAD NUL bytes after it */
	size_t cap;
	struct ev *ev;
	size_t nev, evcap;
	struct ns ns[MAX_NS];
	int nns;
	struct open stk[MAX_DEPTH];
	int depth;
	char *okuri[NCACHE];
	int nok;
};

int
fastwf_enabled(void)
{
	const char *v = getenv("CEBTOOLS_FAST_WF");

	return v == NULL || strcmp(v, "0") != 0;
}

struct fastwf *
fastwf_new(void)
{
	struct fastwf *w = calloc(1, sizeof *w);
	unsigned char *cls;
	int c;

	if (w == NULL)
		return NULL;
	cls = w->cls;
	for (c = 0x20; c < 0x80; c++)
		cls[c] = C_TEXT | C_ATTR | C_CMT | C_CDATA;
	cls['\t'] = cls['\n'] = cls['\r'] = C_TEXT | C_ATTR | C_CMT |
	    C_CDATA;
	cls['\t'] |= C_S;
	cls['\n'] |= C_S;
	cls['\r'] |= C_S;
	cls[' '] |= C_S;
	cls['<'] &= ~(C_TEXT | C_ATTR);
	cls['&'] &= ~(C_TEXT | C_ATTR);
	cls[']'] &= ~(C_TEXT | C_CDATA);
	cls['"'] &= ~C_ATTR;
	cls['\''] &= ~C_ATTR;
	cls['-'] &= ~C_CMT;
	for (c = 'a'; c <= 'z'; c++)
		cls[c] |= C_NSTART | C_NAME;
	for (c = 'A'; c <= 'Z'; c++)
		cls[c] |= C_NSTART | C_NAME;
	cls['_'] |= C_NSTART | C_NAME;
	for (c = '0'; c <= '9'; c++)
		cls[c] |= C_NAME;
	cls['.'] |= C_NAME;
	cls['-'] |= C_NAME;
	return w;
}

void
fastwf_free(struct fastwf *w)
{
	int i;

	if (w == NULL)
		return;
	for (i = 0; i < w->nok; i++)
		free(w->okuri[i]);
	free(w->buf);
	free(w->ev);
	free(w);
}

/*
 * Length of the well-formed UTF-8 sequence of 2 to 4 bytes at p whose
 * code point is an XML character (not U+FFFE, U+FFFF, a surrogate, an
 * overlong form or beyond U+10FFFF), or 0.  The sequence stops at a NUL.
 */
static size_t
xml_utf8(const unsigned char *p)
{
	unsigned c = p[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	if (n >= 3 && (p[2] & 0xc0) != 0x80)
		return 0;
	if (n == 4 && (p[3] & 0xc0) != 0x80)
		return 0;
	if (c == 0xef && p[1] == 0xbf && p[2] >= 0xbe)
		return 0;	/* U+FFFE, U+FFFF */
	return n;
}

static int
xml_char(unsigned long v)
{
	return v == 0x9 || v == 0xa || v == 0xd || (v >= 0x20 &&
	    v <= 0xd7ff) || (v >= 0xe000 && v <= 0xfffd) ||
	    (v >= 0x10000 && v <= 0x10ffff);
}

/*
 * The reference at p ('&'): one of the five predefined entities or a
 * character reference to an XML character.  Returns the byte after its
 * ';', or NULL.
 */
static const unsigned char *
reference(const unsigned char *p)
{
	static const char *const named[] = { "lt;", "gt;", "amp;", "quot;",
	    "apos;" };
	unsigned long v = 0;
	size_t i, n = 0, max = 7;
	int d;

	p++;
	if (*p == '#') {
		p++;
		if (*p == 'x') {
			max = 6;
			for (p++; n <= max; p++, n++) {
				if (*p >= '0' && *p <= '9')
					d = *p - '0';
				else if ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'f')
					d = (*p | 0x20) - 'a' + 10;
				else
					break;
				v = v * 16 + (unsigned long)d;
			}
		} else
			for (; n <= max && *p >= '0' && *p <= '9'; p++, n++)
				v = v * 10 + (unsigned long)(*p - '0');
		if (n == 0 || n > max || *p != ';' || !xml_char(v))
			return NULL;
		return p + 1;
	}
	for (i = 0; i < sizeof named / sizeof named[0]; i++) {
		n = strlen(named[i]);
		if (memcmp(p, named[i], n) == 0)	/* stops at a NUL */
			return p + n;
	}
	return NULL;
}

/*
 * The qualified name at p: an ASCII NCName, or two joined by one ':'
 * (*colon then points to it, else NULL).  Returns the byte after it, or
 * NULL.
 */
static unsigned char *
qname(const unsigned char *cls, unsigned char *p, unsigned char **colon)
{
	const unsigned char *s = p;

	*colon = NULL;
	if (!(cls[*p] & C_NSTART))
		return NULL;
	for (p++; cls[*p] & C_NAME; p++)
		;
	if (*p == ':') {
		*colon = p++;
		if (!(cls[*p] & C_NSTART))
			return NULL;
		for (p++; cls[*p] & C_NAME; p++)
			;
		if (*p == ':')
			return NULL;
	}
	return p - s > MAX_NAME ? NULL : p;
}

/*
 * A namespace URI libxml2 takes without a word: printable ASCII of the
 * URI syntax, an absolute URI xmlParseURI() parses, neither the xml nor
 * the xmlns namespace.  u is NUL-terminated; 0, or -1.
 */
static int
uri_ok(struct fastwf *w, const char *u)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#@!$()*+,;=%";
	xmlURIPtr x;
	size_t n;
	int i, good;

	n = strspn(u, ok);
	if (n == 0 || n >= MAX_URI || u[n] != '\0')
		return -1;
	if (strcmp(u, "http://www.w3.org/XML/1998/namespace") == 0 ||
	    strcmp(u, "http://www.w3.org/2000/xmlns/") == 0)
		return -1;
	for (i = 0; i < w->nok; i++)
		if (strcmp(w->okuri[i], u) == 0)
			return 0;
	x = xmlParseURI(u);
	good = x != NULL && x->scheme != NULL;
	xmlFreeURI(x);
	if (!good)
		return -1;
	if (w->nok < NCACHE && (w->okuri[w->nok] = strdup(u)) != NULL)
		w->nok++;
	return 0;
}

/*
 * A declaration of prefix pfx (NULL: the default namespace) as the
 * NUL-terminated uri; 0 or -1.
 */
static int
declare(struct fastwf *w, const unsigned char *pfx, size_t plen,
    const char *uri)
{
	struct ns *ns;

	if (pfx != NULL && ((plen == 3 && memcmp(pfx, "xml", 3) == 0) ||
	    (plen == 5 && memcmp(pfx, "xmlns", 5) == 0)))
		return -1;
	if (w->nns == MAX_NS || uri_ok(w, uri) != 0)
		return -1;
	ns = &w->ns[w->nns++];
	ns->pfx = pfx;
	ns->plen = plen;
	ns->uri = uri;
	return 0;
}

/*
 * Whether the n bytes at a and b are the same: names in the copy, where
 * reading up to 7 bytes past either is safe (PAD).  Eight at a time:
 * names are short, and a call of memcmp() costs more than it compares.
 */
static int
same(const unsigned char *a, const unsigned char *b, size_t n)
{
	uint64_t x, y;

	for (; n >= 8; n -= 8, a += 8, b += 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return 0;
	}
	if (n == 0)
		return 1;
	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	x ^= y;
	/* The n bytes first in memory are the low ones on a little-endian
	 * machine, the high ones on a big-endian one. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (x >> (64 - 8 * n)) == 0;
#else
	return (x << (64 - 8 * n)) == 0;
#endif
}

/*
 * The URI bound to prefix pfx (NULL: the default namespace); NULL when
 * none is.
 */
static const char *
lookup(const struct fastwf *w, const unsigned char *pfx, size_t plen)
{
	int i;

	for (i = w->nns - 1; i >= 0; i--)
		if (w->ns[i].plen == plen && (pfx == NULL ? w->ns[i].pfx ==
		    NULL : w->ns[i].pfx != NULL && same(w->ns[i].pfx, pfx,
		    plen)))
			return w->ns[i].uri;
	return NULL;
}

/* Blanks, '=', blanks: the opening quote after them, or NULL. */
static unsigned char *
eq_quote(const unsigned char *cls, unsigned char *p)
{
	while (cls[*p] & C_S)
		p++;
	if (*p != '=')
		return NULL;
	for (p++; cls[*p] & C_S; p++)
		;
	return *p == '"' || *p == '\'' ? p : NULL;
}

/*
 * The start tag at p ('<'): its attributes and declarations, its element
 * recorded and opened (unless empty).  Returns the byte after it, or NULL.
 */
static unsigned char *
start_tag(struct fastwf *w, unsigned char *p)
{
	const unsigned char *cls = w->cls;
	unsigned char *name, *colon, *an, *ac, *v;
	unsigned char *attr[MAX_ATTRS];
	size_t alen[MAX_ATTRS], nlen, al;
	int na = 0, i, q, nns = w->nns, empty = 0;
	struct ev *ev;

	name = ++p;
	if ((p = qname(cls, p, &colon)) == NULL)
		return NULL;
	nlen = (size_t)(p - name);
	for (;;) {
		v = p;
		while (cls[*p] & C_S)
			p++;
		if (*p == '>' || *p == '/')
			break;
		if (p == v || na == MAX_ATTRS)
			return NULL;
		an = p;
		if ((p = qname(cls, p, &ac)) == NULL)
			return NULL;
		al = (size_t)(p - an);
		if ((p = eq_quote(cls, p)) == NULL)
			return NULL;
		q = *p++;
		v = p;
		for (;;) {
			size_t n;

			while (cls[*p] & C_ATTR)
				p++;
			if (*p == q)
				break;
			if (*p == '"' || *p == '\'')
				p++;
			else if (*p == '&') {
				if ((p = (unsigned char *)reference(p)) == NULL)
					return NULL;
			} else if (*p >= 0x80 && (n = xml_utf8(p)) != 0)
				p += n;
			else
				return NULL;	/* '<', a control, the end */
		}
		if ((size_t)(p - v) > MAX_RUN)
			return NULL;
		*p++ = '\0';	/* the value ends: a URI, NUL-terminated */
		for (i = 0; i < na; i++)
			if (alen[i] == al && memcmp(attr[i], an, al) == 0)
				return NULL;
		attr[na] = an;
		alen[na++] = al;
		if (al == 5 && memcmp(an, "xmlns", 5) == 0) {
			if (declare(w, NULL, 0, (const char *)v) != 0)
				return NULL;
		} else if (ac != NULL) {
			/* Only declarations may have a prefix. */
			if (ac - an != 5 || memcmp(an, "xmlns", 5) != 0 ||
			    declare(w, ac + 1, (size_t)(an + al - ac - 1),
			    (const char *)v) != 0)
				return NULL;
		}
	}
	if (*p == '/') {
		if (p[1] != '>')
			return NULL;
		empty = 1;
		p++;
	}
	p++;
	if (w->depth == MAX_DEPTH)
		return NULL;
	if (w->nev == w->evcap) {
		size_t cap = w->evcap ? 2 * w->evcap : 256;

		if ((ev = realloc(w->ev, cap * sizeof *ev)) == NULL)
			return NULL;
		w->ev = ev;
		w->evcap = cap;
	}
	ev = &w->ev[w->nev];
	ev->depth = w->depth + 1;
	if (colon != NULL) {
		if ((ev->uri = lookup(w, name, (size_t)(colon - name))) ==
		    NULL)
			return NULL;
		ev->local = (const char *)colon + 1;
	} else {
		ev->uri = lookup(w, NULL, 0);
		ev->local = (const char *)name;
	}
	w->nev++;
	if (empty)
		w->nns = nns;		/* its declarations end with it */
	else {
		w->stk[w->depth].name = name;
		w->stk[w->depth].len = nlen;
		w->stk[w->depth].nns = nns;
		w->depth++;
	}
	name[nlen] = '\0';	/* read: a blank, '/' or '>' */
	return p;
}

/*
 * The end tag at p ("</") of the open element; the byte after, or NULL.
 * e: the end of the copy.
 */
static unsigned char *
end_tag(struct fastwf *w, unsigned char *p, const unsigned char *e)
{
	const struct open *o = &w->stk[w->depth - 1];

	p += 2;
	if ((size_t)(e - p) <= o->len || !same(p, o->name, o->len))
		return NULL;
	for (p += o->len; w->cls[*p] & C_S; p++)
		;
	if (*p != '>')
		return NULL;
	w->nns = o->nns;
	w->depth--;
	return p + 1;
}

/*
 * A run of XML characters from p up to the first of stop ("--" of a
 * comment, "]]" of CDATA), which must be followed by '>': plain bytes
 * are those of class c.  Returns the byte after the '>', or NULL.
 */
static unsigned char *
chars_to(const unsigned char *cls, unsigned char *p, int c,
    unsigned char stop)
{
	const unsigned char *s = p;
	size_t n;

	for (;;) {
		while (cls[*p] & c)
			p++;
		if (*p == stop) {
			if (p[1] == stop)
				return p[2] == '>' && (size_t)(p - s) <=
				    MAX_RUN ? p + 3 : NULL;
			p++;
		} else if (*p >= 0x80 && (n = xml_utf8(p)) != 0)
			p += n;
		else
			return NULL;
	}
}

/*
 * The root element at p ('<') and everything in it.  Returns the byte
 * after its end, or NULL.
 */
static unsigned char *
root(struct fastwf *w, unsigned char *p, const unsigned char *e)
{
	const unsigned char *cls = w->cls, *run;
	size_t n;

	if ((p = start_tag(w, p)) == NULL || w->depth == 0)
		return p;
	run = p;
	for (;;) {
		while (cls[*p] & C_TEXT)
			p++;
		switch (*p) {
		case '<':
			if ((size_t)(p - run) > MAX_RUN)
				return NULL;
			if (p[1] == '/') {
				if ((p = end_tag(w, p, e)) == NULL ||
				    w->depth == 0)
					return p;
			} else if (p[1] == '!' && p[2] == '-' && p[3] == '-')
				p = chars_to(cls, p + 4, C_CMT, '-');
			else if (p[1] == '!' && memcmp(p + 2, "[CDATA[", 7) ==
			    0)
				p = chars_to(cls, p + 9, C_CDATA, ']');
			else
				p = start_tag(w, p);
			if (p == NULL)
				return NULL;
			run = p;
			break;
		case '&':
			if ((p = (unsigned char *)reference(p)) == NULL)
				return NULL;
			break;
		case ']':
			if (p[1] == ']' && p[2] == '>')
				return NULL;
			p++;
			break;
		default:
			/* Most of it: a character of U+1000..U+CFFF (CJK). */
			if (*p >= 0xe1 && *p <= 0xec && (p[1] & 0xc0) == 0x80 &&
			    (p[2] & 0xc0) == 0x80) {
				p += 3;
				break;
			}
			if (*p < 0x80 || (n = xml_utf8(p)) == 0)
				return NULL;	/* a control, the end */
			p += n;
			break;
		}
	}
}

/* One of the quoted values of the XML declaration at p; after it, or NULL. */
static unsigned char *
decl_value(const unsigned char *cls, unsigned char *p,
    const char *const *want)
{
	size_t n;

	if ((p = eq_quote(cls, p)) == NULL)
		return NULL;
	for (; *want; want++) {
		n = strlen(*want);
		if (memcmp(p + 1, *want, n) == 0 && p[n + 1] == *p)
			return p + n + 2;
	}
	return NULL;
}

/*
 * The XML declaration at p ("<?xml"): version 1.0, then an encoding of
 * UTF-8 or none.  Returns the byte after it, or NULL.
 */
static unsigned char *
xml_decl(const unsigned char *cls, unsigned char *p)
{
	static const char *const version[] = { "1.0", NULL };
	static const char *const utf8[] = { "UTF-8", "utf-8", NULL };
	const unsigned char *s;

	p += 5;
	for (s = p; cls[*p] & C_S; p++)
		;
	if (p == s || memcmp(p, "version", 7) != 0 ||
	    (p = decl_value(cls, p + 7, version)) == NULL)
		return NULL;
	for (s = p; cls[*p] & C_S; p++)
		;
	if (p > s && memcmp(p, "encoding", 8) == 0) {
		if ((p = decl_value(cls, p + 8, utf8)) == NULL)
			return NULL;
		while (cls[*p] & C_S)
			p++;
	}
	return p[0] == '?' && p[1] == '>' ? p + 2 : NULL;
}

/* White space and comments from p: the byte after them (p itself). */
static unsigned char *
misc(const unsigned char *cls, unsigned char *p)
{
	unsigned char *q;

	for (;;) {
		while (cls[*p] & C_S)
			p++;
		if (memcmp(p, "<!--", 4) != 0 ||
		    (q = chars_to(cls, p + 4, C_CMT, '-')) == NULL)
			return p;
		p = q;
	}
}

int
fastwf_check(struct fastwf *w, const char *bytes, size_t len)
{
	unsigned char *p, *e;

	if (len > w->cap || w->buf == NULL) {
		unsigned char *b = realloc(w->buf, len + PAD);

		if (b == NULL)
			return -1;
		w->buf = b;
		w->cap = len;
	}
	p = w->buf;
	e = p + len;
	memcpy(p, bytes, len);
	memset(e, 0, PAD);
	w->nev = 0;
	w->nns = 0;
	w->depth = 0;
	if (memcmp(p, "<?xml", 5) == 0 && (p = xml_decl(w->cls, p)) == NULL)
		return -1;
	p = misc(w->cls, p);
	if (*p != '<' || (p = root(w, p, e)) == NULL)
		return -1;
	return misc(w->cls, p) == e ? 0 : -1;
}

const char *
fastwf_root(const struct fastwf *w, const char **uri)
{
	*uri = w->ev[0].uri;
	return w->ev[0].local;
}

void
fastwf_replay(const struct fastwf *w, void (*fn)(void *arg, int depth,
    const char *local, const char *uri), void *arg)
{
	size_t i;

	for (i = 0; i < w->nev; i++)
		fn(arg, w->ev[i].depth, w->ev[i].local, w->ev[i].uri);
}
