/*
 * utf8.c: see utf8.h.
 */
#include "config.h"

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
