/*
 * dec.c: exact N19,5 decimals on 128-bit integers.  19 digits at scale
 * 10^5 fit comfortably (< 10^19); a product of two such values at scale
 * 10^10 is below 10^38 < 2^127, so it is exact too.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "dec.h"
#include "i18n.h"

static const long long pow10_5 = 100000;

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

enum dec_err
dec_parse(const char *s, size_t len, struct dec *out)
{
	const char *p = s, *e = s + len;
	int neg = 0, sig = 0, frac = 0, digits = 0, seen_point = 0;
	__int128 v = 0;

	while (p < e && is_space((unsigned char)*p))
		p++;
	while (e > p && is_space((unsigned char)e[-1]))
		e--;
	if (p == e)
		return DEC_EMPTY;
	if (*p == '+' || *p == '-') {
		neg = *p == '-';
		p++;
	}
	for (; p < e; p++) {
		if (*p == '.') {
			if (seen_point)
				return DEC_SYNTAX;
			seen_point = 1;
			continue;
		}
		if (*p < '0' || *p > '9')
			return DEC_SYNTAX;
		digits++;
		if (seen_point)
			frac++;
		if (sig || *p != '0')
			sig++;
		if (frac > DEC_SCALE) {
			/* Trailing zeros beyond the scale are harmless
			 * only if every extra digit is zero. */
			if (*p != '0')
				return DEC_FRACTION;
			continue;
		}
		if (sig > 19)
			return DEC_DIGITS;
		v = v * 10 + (*p - '0');
	}
	if (digits == 0)
		return DEC_SYNTAX;
	if (frac > DEC_SCALE)
		frac = DEC_SCALE;
	for (; frac < DEC_SCALE; frac++)
		v *= 10;
	out->v = neg ? -v : v;
	return DEC_OK;
}

enum dec_err
dec_parse_str(const char *s, struct dec *out)
{
	return dec_parse(s, strlen(s), out);
}

const char *
dec_strerror(enum dec_err e)
{
	switch (e) {
	case DEC_OK:
		return _("ok");
	case DEC_EMPTY:
		return _("empty");
	case DEC_SYNTAX:
		return _("not a decimal number");
	case DEC_FRACTION:
		return _("more than 5 decimals");
	case DEC_DIGITS:
		return _("more than 19 digits");
	}
	return "?";
}

struct dec
dec_from_int(long long units)
{
	struct dec d;

	d.v = (__int128)units * pow10_5;
	return d;
}

struct dec
dec_add(struct dec a, struct dec b)
{
	a.v += b.v;
	return a;
}

struct dec
dec_sub(struct dec a, struct dec b)
{
	a.v -= b.v;
	return a;
}

int
dec_cmp(struct dec a, struct dec b)
{
	return a.v < b.v ? -1 : a.v > b.v;
}

int
dec_sign(struct dec a)
{
	return a.v < 0 ? -1 : a.v > 0;
}

struct dec
dec_abs(struct dec a)
{
	if (a.v < 0)
		a.v = -a.v;
	return a;
}

int
dec_mul_cmp(struct dec a, struct dec b, struct dec c)
{
	__int128 p = a.v * b.v, q = c.v * pow10_5;

	return p < q ? -1 : p > q;
}

int
dec_mul_within(struct dec a, struct dec b, struct dec c, struct dec tol)
{
	__int128 d = a.v * b.v - c.v * pow10_5, t = tol.v * pow10_5;

	if (d < 0)
		d = -d;
	if (t < 0)
		t = -t;
	return d <= t;
}

struct dec
dec_mul(struct dec a, struct dec b)
{
	__int128 p = a.v * b.v, q = p / pow10_5, r = p % pow10_5;
	struct dec d;

	if (r < 0)
		r = -r;
	if (2 * r >= pow10_5)
		q += p < 0 ? -1 : 1;
	d.v = q;
	return d;
}

char *
dec_format(struct dec a, int mindec, char *buf, size_t n)
{
	char tmp[64], *p = tmp + sizeof tmp;
	unsigned __int128 u = a.v < 0 ? (unsigned __int128)(-a.v) :
	    (unsigned __int128)a.v;
	int i, ndec = DEC_SCALE;
	unsigned long long fracpart = (unsigned long long)(u % pow10_5);
	char frac[DEC_SCALE + 1];

	u /= pow10_5;
	for (i = DEC_SCALE - 1; i >= 0; i--) {
		frac[i] = (char)('0' + fracpart % 10);
		fracpart /= 10;
	}
	while (ndec > mindec && frac[ndec - 1] == '0')
		ndec--;
	*--p = '\0';
	if (ndec > 0) {
		p -= ndec;
		memcpy(p, frac, (size_t)ndec);
		*--p = '.';
	}
	do {
		*--p = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u > 0);
	if (a.v < 0)
		*--p = '-';
	snprintf(buf, n, "%s", p);
	return buf;
}
