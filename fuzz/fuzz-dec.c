/*
 * fuzz-dec.c: exact decimals.  The input is split at its first '|' into
 * up to three numbers a|b|c; each is given to dec_parse().
 *
 * Checks: a parsed value formats (at every minimum of decimals) into text
 * that parses back to the same value; add and sub undo each other; a x b
 * rounded (dec_mul) is within one unit of 10^-5 of the exact product
 * (dec_mul_within) and compares with it consistently (dec_mul_cmp);
 * 30-digit numbers are refused rather than wrapped.
 */
#include "config.h"

#include <string.h>

#include "dec.h"
#include "fuzz.h"

static int
parse_part(const uint8_t **p, const uint8_t *end, struct dec *out)
{
	const uint8_t *bar = memchr(*p, '|', (size_t)(end - *p));
	const uint8_t *e = bar ? bar : end;
	enum dec_err r = dec_parse((const char *)*p, (size_t)(e - *p), out);

	FUZZ_ASSERT(r >= DEC_OK && r <= DEC_DIGITS);
	FUZZ_ASSERT(dec_strerror(r) != NULL);
	*p = bar ? bar + 1 : end;
	return r == DEC_OK;
}

static void
round_trip(struct dec a)
{
	char buf[64];
	struct dec b;
	int mindec;

	for (mindec = 0; mindec <= DEC_SCALE; mindec++) {
		dec_format(a, mindec, buf, sizeof buf);
		FUZZ_ASSERT(dec_parse_str(buf, &b) == DEC_OK);
		FUZZ_ASSERT(dec_cmp(a, b) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct dec a, b, c, one = { 1 };
	int ha, hb, hc;

	ha = parse_part(&p, end, &a);
	hb = p < end && parse_part(&p, end, &b);
	hc = p < end && parse_part(&p, end, &c);
	if (ha)
		round_trip(a);
	if (ha && hb) {
		struct dec s = dec_add(a, b), prod;

		round_trip(b);
		FUZZ_ASSERT(dec_cmp(dec_sub(s, b), a) == 0);
		FUZZ_ASSERT(dec_cmp(a, b) == -dec_cmp(b, a));
		prod = dec_mul(a, b);
		/* Exact below 10^25 units; beyond, dec_mul() saturates and
		 * the comparison must still say which side is larger. */
		if (dec_abs(prod).v < (__int128)10000000000000LL *
		    1000000000000LL)
			FUZZ_ASSERT(dec_mul_within(a, b, prod, one));
		else
			FUZZ_ASSERT(dec_mul_cmp(a, b, dec_from_int(0)) ==
			    dec_sign(prod));
		if (dec_mul_cmp(a, b, prod) == 0)
			FUZZ_ASSERT(dec_mul_within(a, b, prod,
			    dec_from_int(0)));
		if (hc) {
			int r = dec_mul_cmp(a, b, c);
			FUZZ_ASSERT(r >= -1 && r <= 1);
			(void)dec_mul_within(a, b, c, dec_abs(c));
		}
	}
	return 0;
}
