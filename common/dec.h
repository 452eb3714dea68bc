/*
 * dec.h: exact fixed-point decimals for CEB amounts, quantities and
 * weights.  The XSDs declare them N19,5 (at most 19 digits, at most 5 of
 * them after the point); a value is held as an integer count of 10^-5
 * units, so sums and comparisons are exact.  Products keep 10 decimals
 * until they are compared or rounded.
 *
 * Library code: nothing here prints or exits.
 */
#ifndef CEB_DEC_H
#define CEB_DEC_H

#include <stddef.h>

#define DEC_SCALE 5

struct dec {
	__int128 v;		/* value * 10^5 */
};

enum dec_err {
	DEC_OK = 0,
	DEC_EMPTY,		/* nothing but whitespace */
	DEC_SYNTAX,		/* not [+-]digits[.digits] */
	DEC_FRACTION,		/* more than 5 digits after the point */
	DEC_DIGITS		/* more than 19 significant digits */
};

/*
 * Parse s (len bytes, not necessarily NUL-terminated; leading and trailing
 * whitespace allowed, as xs:decimal collapses it).  A sign is accepted so
 * that rules can report negative values; exponents are not decimals.
 * Returns a dec_err; *out is set only on DEC_OK.
 */
enum dec_err dec_parse(const char *s, size_t len, struct dec *out);
enum dec_err dec_parse_str(const char *s, struct dec *out);
const char *dec_strerror(enum dec_err e);

struct dec dec_from_int(long long units);	/* whole units */
struct dec dec_add(struct dec a, struct dec b);
struct dec dec_sub(struct dec a, struct dec b);
int dec_cmp(struct dec a, struct dec b);	/* -1, 0, 1 */
int dec_sign(struct dec a);
struct dec dec_abs(struct dec a);

/*
 * Compare a x b with c exactly (the product is kept at 10 decimals):
 * returns -1, 0, 1 like dec_cmp(a * b, c).
 */
int dec_mul_cmp(struct dec a, struct dec b, struct dec c);

/*
 * |a x b - c| <= tol, exactly.  Used for "totalPrice = qty x price" with a
 * tolerance option.
 */
int dec_mul_within(struct dec a, struct dec b, struct dec c, struct dec tol);

/*
 * a x b rounded half away from zero to 5 decimals; a product beyond 128
 * bits (only from values of more than 14 integer digits) saturates.
 */
struct dec dec_mul(struct dec a, struct dec b);

/*
 * a x num / den with one rounding, half away from zero, to 5 decimals:
 * exact however the ratio would be written as a decimal (used for the tax
 * formulas, whose factors such as 0.7 / (1 - 0.15) have no finite
 * expansion).  den must not be 0 (the result is then a itself); a
 * product beyond 126 bits saturates like dec_mul().
 */
struct dec dec_mul_ratio(struct dec a, __int128 num, __int128 den);

/* a rounded half away from zero to places decimals (0..5). */
struct dec dec_round(struct dec a, int places);

/*
 * Format a into buf: minimal digits, at least mindec decimals (0..5), e.g.
 * "5000", "5000.00", "12.5".  Returns buf.  64 bytes are always enough.
 */
char *dec_format(struct dec a, int mindec, char *buf, size_t n);

#endif
