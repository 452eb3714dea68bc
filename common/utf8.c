/*
 * utf8.c: see utf8.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "utf8.h"

static size_t
seq_len(const unsigned char *p)
{
	unsigned char c = p[0];
	size_t n, i;
	unsigned char lo = 0x80, hi = 0xBF;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;		/* no overlong forms */
		else if (c == 0xED)
			hi = 0x9F;		/* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;		/* nothing above U+10FFFF */
	} else
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

size_t
utf8_clean(char *s)
{
	unsigned char *r = (unsigned char *)s, *w = r;
	size_t n;

	while (*r) {
		if ((n = seq_len(r)) == 0) {
			r++;			/* drop the broken byte */
			continue;
		}
		while (n--)
			*w++ = *r++;
	}
	*w = '\0';
	return (size_t)(w - (unsigned char *)s);
}

long
utf8_invalid_at(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p) {
		if ((n = seq_len(p)) == 0)
			return (long)(p - (const unsigned char *)s);
		p += n;
	}
	return -1;
}

size_t
utf8_seq_len(const char *p)
{
	return seq_len((const unsigned char *)p);
}

/* The code point of the well-formed sequence of len bytes at p. */
static unsigned long
code_point(const unsigned char *p, size_t len)
{
	switch (len) {
	case 1:
		return p[0];
	case 2:
		return (p[0] & 0x1fUL) << 6 | (p[1] & 0x3fUL);
	case 3:
		return (p[0] & 0x0fUL) << 12 | (p[1] & 0x3fUL) << 6 |
		    (p[2] & 0x3fUL);
	default:
		return (p[0] & 0x07UL) << 18 | (p[1] & 0x3fUL) << 12 |
		    (p[2] & 0x3fUL) << 6 | (p[3] & 0x3fUL);
	}
}

static int
is_bidi(unsigned long c)
{
	return c == 0x061c || c == 0x200e || c == 0x200f ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* The escaped form of the character (or bad byte) at p into e; 0 when
 * it is copied as it is.  *len gets the bytes it covers. */
static int
escape_one(const char *p, size_t *len, char e[16])
{
	const unsigned char *u = (const unsigned char *)p;
	size_t l = utf8_seq_len(p);
	unsigned long c;

	if (l == 0) {
		*len = 1;
		snprintf(e, 16, "\\x%02X", u[0]);
		return 1;
	}
	*len = l;
	c = code_point(u, l);
	if (c == '\n' || c == '\r' || c == '\t') {
		snprintf(e, 16, "\\%c", c == '\n' ? 'n' : c == '\r' ? 'r' :
		    't');
		return 1;
	}
	if (c < 0x20 || c == 0x7f) {
		snprintf(e, 16, "\\x%02lX", c);
		return 1;
	}
	if ((c >= 0x80 && c <= 0x9f) || is_bidi(c)) {
		snprintf(e, 16, "\\u{%04lX}", c);
		return 1;
	}
	return 0;
}

int
utf8_needs_escape(const char *s)
{
	char e[16];
	size_t len;

	for (;;) {
		/* Printable ASCII, never escaped (escape_one() returns 0
		 * for it), is passed over without decoding it: most report
		 * cells are nothing else. */
		while ((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f)
			s++;
		if (*s == '\0')
			return 0;
		if (escape_one(s, &len, e))
			return 1;
		s += len;
	}
}

size_t
utf8_escape(const char *s, char *out, size_t n)
{
	size_t o = 0, len, w;
	char e[16];

	if (n == 0)
		return 0;
	for (; *s; s += len) {
		const char *src = s;

		if (escape_one(s, &len, e)) {
			src = e;
			w = strlen(e);
		} else
			w = len;
		if (o + w >= n)
			break;
		memcpy(out + o, src, w);
		o += w;
	}
	out[o] = '\0';
	return o;
}
