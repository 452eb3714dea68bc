/*
 * dec.c: exact N19,5 decimals on 128-bit integers.  Up to 19 significant
 * digits are accepted, so a value at scale 10^5 is below 10^24; a product
 * of two such values at scale 10^10 may reach 10^48, beyond 2^127, so the
 * products below check for overflow: a product too large for 126 bits is
 * larger in magnitude than any parsed value times 10^5 (< 10^29), which
 * decides the comparisons exactly, and dec_mul() saturates.
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
	int neg = 0, sig = 0, frac = 0, digits = 0, seen_point = 0, tz = 0;
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
		if (seen_point) {
			frac++;
			tz = *p == '0' ? tz + 1 : 0;
		}
		if (sig || *p != '0')
			sig++;
		if (frac > DEC_SCALE) {
			/* Trailing zeros beyond the scale are harmless
			 * only if every extra digit is zero. */
			if (*p != '0')
				return DEC_FRACTION;
			continue;
		}
		/* Trailing zeros after the point do not count (the value of
		 * xs:totalDigits), so what dec_format() writes parses back;
		 * the bound here keeps v below 10^24. */
		if (sig > 19 + DEC_SCALE)
			return DEC_DIGITS;
		v = v * 10 + (*p - '0');
	}
	if (digits == 0)
		return DEC_SYNTAX;
	if (sig - tz > 19)
		return DEC_DIGITS;
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

/*
 * *p = a * b when it fits in 126 bits (so that a sum or difference of two
 * such products cannot overflow); returns 0, or the sign of the product
 * (-1, 1) when it does not.
 */
static int
mul_big(__int128 a, __int128 b, __int128 *p)
{
	unsigned __int128 ua = a < 0 ? -(unsigned __int128)a :
	    (unsigned __int128)a;
	unsigned __int128 ub = b < 0 ? -(unsigned __int128)b :
	    (unsigned __int128)b;
	unsigned __int128 max = ((unsigned __int128)1 << 126) - 1;

	if (ua != 0 && ub > max / ua)
		return (a < 0) != (b < 0) ? -1 : 1;
	*p = a * b;
	return 0;
}

/*
 * Beyond 128 bits (only reachable by feeding a saturated dec_mul() result
 * back in) the comparisons fall back to long double: the order of
 * magnitude is right, the last digits are not.
 */
static long double
ld(__int128 v)
{
	return (long double)v;
}

int
dec_mul_cmp(struct dec a, struct dec b, struct dec c)
{
	__int128 p, q;
	int pb = mul_big(a.v, b.v, &p), qb = mul_big(c.v, pow10_5, &q);

	if (pb && !qb)
		return pb;
	if (pb || qb) {
		long double x = ld(a.v) * ld(b.v), y = ld(c.v) * 1e5L;
		return x < y ? -1 : x > y;
	}
	return p < q ? -1 : p > q;
}

int
dec_mul_within(struct dec a, struct dec b, struct dec c, struct dec tol)
{
	__int128 d = 0, q = 0, t = 0;

	if (mul_big(a.v, b.v, &d) | mul_big(c.v, pow10_5, &q) |
	    mul_big(tol.v, pow10_5, &t)) {
		long double x = ld(a.v) * ld(b.v) - ld(c.v) * 1e5L;
		long double y = ld(tol.v) * 1e5L;
		return (x < 0 ? -x : x) <= (y < 0 ? -y : y);
	}
	d -= q;
	if (d < 0)
		d = -d;
	if (t < 0)
		t = -t;
	return d <= t;
}

struct dec
dec_mul(struct dec a, struct dec b)
{
	__int128 p, q, r;
	struct dec d;
	int big = mul_big(a.v, b.v, &p);

	if (big) {
		/* Saturate: far beyond any N19,5 value. */
		d.v = (__int128)(((unsigned __int128)1 << 126) - 1);
		if (big < 0)
			d.v = -d.v;
		return d;
	}
	q = p / pow10_5;
	r = p % pow10_5;
	if (r < 0)
		r = -r;
	if (2 * r >= pow10_5)
		q += p < 0 ? -1 : 1;
	d.v = q;
	return d;
}

/* Round the quotient n / d (d > 0) half away from zero. */
static __int128
div_round(__int128 n, __int128 d)
{
	__int128 q = n / d, r = n % d;

	if (r < 0)
		r = -r;
	if (r >= d - r)
		q += n < 0 ? -1 : 1;
	return q;
}

struct dec
dec_mul_ratio(struct dec a, __int128 num, __int128 den)
{
	__int128 p;
	struct dec d;
	int big;

	if (den == 0)
		return a;
	if (den < 0) {
		den = -den;
		num = -num;
	}
	if ((big = mul_big(a.v, num, &p)) != 0) {
		d.v = (__int128)(((unsigned __int128)1 << 126) - 1);
		if (big < 0)
			d.v = -d.v;
		return d;
	}
	d.v = div_round(p, den);
	return d;
}

struct dec
dec_round(struct dec a, int places)
{
	__int128 unit = 1;
	int i;

	if (places < 0)
		places = 0;
	for (i = places; i < DEC_SCALE; i++)
		unit *= 10;
	a.v = div_round(a.v, unit) * unit;
	return a;
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
