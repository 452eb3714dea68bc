/*
 * ident.c: check characters of GB 11643-1999 (resident ID numbers) and
 * GB 32100-2015 (unified social credit codes), and the shape of customs
 * registration codes.  The algorithms and test vectors are those of
 * domain-rules §A1.4 and §A1.5 in the reference material.
 */
#include "config.h"

#include <string.h>

#include "i18n.h"
#include "ident.h"

static const char gb32100_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/* Each character's value in the alphabet plus one; 0: not in it (a table,
 * not strchr(): an identifier check reads 35 characters). */
static const signed char gb32100_index[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10, ['A'] = 11,
	['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
	['G'] = 17, ['H'] = 18, ['J'] = 19, ['K'] = 20, ['L'] = 21,
	['M'] = 22, ['N'] = 23, ['P'] = 24, ['Q'] = 25, ['R'] = 26,
	['T'] = 27, ['U'] = 28, ['W'] = 29, ['X'] = 30, ['Y'] = 31
};

const char *
ident_strerror(enum ident_err e)
{
	switch (e) {
	case IDENT_OK:
		return N_("valid");
	case IDENT_LENGTH:
		return N_("wrong length");
	case IDENT_LEGACY15:
		return N_("15-digit legacy number");
	case IDENT_CHARSET:
		return N_("invalid character");
	case IDENT_ADDRESS:
		return N_("impossible address code");
	case IDENT_BIRTH_DATE:
		return N_("impossible birth date");
	case IDENT_FUTURE:
		return N_("birth date in the future");
	case IDENT_CHECK:
		return N_("check character does not match");
	}
	return N_("unknown error");
}

static int
isdig(int c)
{
	return c >= '0' && c <= '9';
}

int
ident_gb11643_check(const char *id17)
{
	/* 2^(17-i) mod 11 for i = 0..16. */
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10,
	    5, 8, 4, 2 };
	int i, s = 0;

	for (i = 0; i < 17; i++) {
		if (!isdig((unsigned char)id17[i]))
			return -1;
		s += (id17[i] - '0') * w[i];
	}
	return "10X98765432"[s % 11];
}

int
ident_date_valid(int y, int m, int d)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	int n;

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return 0;
	n = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		n = 29;
	return d <= n;
}

static int
num(const char *s, int n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

enum ident_err
ident_birth_date(const char *s, const char *today)
{
	int i;

	for (i = 0; i < 8; i++)
		if (!isdig((unsigned char)s[i]))
			return IDENT_CHARSET;
	if (num(s, 4) < 1900 || !ident_date_valid(num(s, 4), num(s + 4, 2),
	    num(s + 6, 2)))
		return IDENT_BIRTH_DATE;
	if (today != NULL && memcmp(s, today, 8) > 0)
		return IDENT_FUTURE;
	return IDENT_OK;
}

enum ident_err
ident_address_code(const char *s)
{
	int i, p;

	for (i = 0; i < 6; i++)
		if (!isdig((unsigned char)s[i]))
			return IDENT_CHARSET;
	p = num(s, 2);
	if (!((p >= 11 && p <= 15) || (p >= 21 && p <= 23) ||
	    (p >= 31 && p <= 37) || (p >= 41 && p <= 46) ||
	    (p >= 50 && p <= 54) || (p >= 61 && p <= 65) || p == 71 ||
	    p == 81 || p == 82))
		return IDENT_ADDRESS;
	/* "xx0001".."xx0099" name no city, so they cannot be a county. */
	if (s[2] == '0' && s[3] == '0' && !(s[4] == '0' && s[5] == '0'))
		return IDENT_ADDRESS;
	return IDENT_OK;
}

enum ident_err
ident_check_id(const char *s, size_t len, const char *today, char *expected)
{
	enum ident_err e;
	size_t i;
	int c;

	if (expected)
		*expected = '\0';
	if (len != 18) {
		if (len == 15) {
			for (i = 0; i < 15; i++)
				if (!isdig((unsigned char)s[i]))
					return IDENT_LENGTH;
			return IDENT_LEGACY15;
		}
		return IDENT_LENGTH;
	}
	for (i = 0; i < 17; i++)
		if (!isdig((unsigned char)s[i]))
			return IDENT_CHARSET;
	c = ident_gb11643_check(s);
	if (expected)
		*expected = (char)c;
	if (!isdig((unsigned char)s[17]) && s[17] != 'X' && s[17] != 'x')
		return IDENT_CHARSET;
	if ((e = ident_address_code(s)) != IDENT_OK)
		return e;
	if ((e = ident_birth_date(s + 6, today)) != IDENT_OK)
		return e;
	if ((s[17] == 'x' ? 'X' : s[17]) != c)
		return IDENT_CHECK;
	return IDENT_OK;
}

int
ident_id15_to_18(const char *s, char out[19])
{
	int i, c;

	for (i = 0; i < 15; i++)
		if (!isdig((unsigned char)s[i]))
			return -1;
	memcpy(out, s, 6);
	out[6] = '1';
	out[7] = '9';
	memcpy(out + 8, s + 6, 9);
	c = ident_gb11643_check(out);
	out[17] = (char)c;
	out[18] = '\0';
	return 0;
}

int
ident_gb32100_value(int c)
{
	if (c < 0 || c > 255)
		return -1;
	return gb32100_index[c] - 1;
}

int
ident_gb32100_char(int v)
{
	return v >= 0 && v < 31 ? gb32100_alphabet[v] : -1;
}

int
ident_gb32100_check(const char *code17)
{
	/* 3^i mod 31 for i = 0..16. */
	static const int w[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25,
	    13, 8, 24, 10, 30, 28 };
	int i, v, s = 0;

	for (i = 0; i < 17; i++) {
		if ((v = ident_gb32100_value((unsigned char)code17[i])) < 0)
			return -1;
		s += v * w[i];
	}
	/* The outer mod maps a remainder of 0 to '0', not to index 31. */
	return gb32100_alphabet[(31 - s % 31) % 31];
}

enum ident_err
ident_check_uscc(const char *s, size_t len, char *expected)
{
	size_t i;
	int c;

	if (expected)
		*expected = '\0';
	if (len != 18)
		return IDENT_LENGTH;
	for (i = 0; i < 18; i++)
		if (ident_gb32100_value((unsigned char)s[i]) < 0)
			return IDENT_CHARSET;
	c = ident_gb32100_check(s);
	if (expected)
		*expected = (char)c;
	for (i = 2; i < 8; i++)
		if (!isdig((unsigned char)s[i]))
			return IDENT_ADDRESS;
	if (s[17] != c)
		return IDENT_CHECK;
	return IDENT_OK;
}

enum ident_err
ident_check_customs_code(const char *s, size_t len)
{
	size_t i;

	if (len != 10)
		return IDENT_LENGTH;
	for (i = 0; i < 10; i++) {
		int c = (unsigned char)s[i];

		if (!(isdig(c) || (c >= 'A' && c <= 'Z')))
			return IDENT_CHARSET;
	}
	return IDENT_OK;
}

enum ident_err
ident_check_enterprise(const char *s, size_t len, char *expected)
{
	if (expected)
		*expected = '\0';
	if (len == 10)
		return ident_check_customs_code(s, len);
	if (len == 18)
		return ident_check_uscc(s, len, expected);
	return IDENT_LENGTH;
}
