/*
 * ident.h: identifiers with a published structure and check character.
 *
 *  - the resident identity number of GB 11643-1999: 6-digit address code,
 *    8-digit birth date YYYYMMDD, 3-digit sequence, check character by
 *    ISO 7064 MOD 11-2 (weights 2^(17-i) mod 11, "10X98765432");
 *  - the unified social credit code of GB 32100-2015: 18 characters over
 *    "0123456789ABCDEFGHJKLMNPQRTUWXY", check character with weights
 *    3^i mod 31 and value (31 - S mod 31) mod 31;
 *  - the 10-character customs registration code, which has no public
 *    check character: only its shape can be checked (4-digit customs
 *    district, then 6 digits or capital letters).
 *
 * The generator (ceb-gen) makes valid numbers with these functions and the
 * validator judges them with the same functions, so the two cannot drift.
 * Every function takes a pointer and a length (the text of an XML element
 * is not necessarily NUL-terminated at the field's end), works on ASCII
 * only and keeps no state.  Library code: nothing here prints or exits.
 */
#ifndef CEB_IDENT_H
#define CEB_IDENT_H

#include <stddef.h>

/* Why an identifier is not valid.  IDENT_OK is 0. */
enum ident_err {
	IDENT_OK = 0,
	IDENT_LENGTH,		/* wrong number of characters */
	IDENT_LEGACY15,		/* a 15-digit (pre-1999) ID number */
	IDENT_CHARSET,		/* a character outside the allowed set */
	IDENT_ADDRESS,		/* address (or division) code impossible */
	IDENT_BIRTH_DATE,	/* birth date is not a calendar date */
	IDENT_FUTURE,		/* birth date after the reference day */
	IDENT_CHECK		/* check character does not match */
};

/* A short English phrase for e, e.g. "check character does not match". */
const char *ident_strerror(enum ident_err e);

/*
 * GB 11643: the check character ('0'..'9' or 'X') of the first 17
 * characters of id.  Returns -1 when one of them is not a digit.
 */
int ident_gb11643_check(const char *id17);

/* Nonzero when y-m-d is a date of the Gregorian calendar (year 1..9999). */
int ident_date_valid(int y, int m, int d);

/*
 * The 8 characters at s as a birth date YYYYMMDD: IDENT_OK, IDENT_CHARSET
 * (not 8 digits), IDENT_BIRTH_DATE (not a date, or before 1900-01-01), or
 * IDENT_FUTURE when today (YYYYMMDD, may be NULL to skip the test) is
 * earlier.
 */
enum ident_err ident_birth_date(const char *s, const char *today);

/*
 * The 6 characters at s as an address code of GB/T 2260 judged by its
 * shape: 6 digits, a province prefix that exists (11-15, 21-23, 31-37,
 * 41-46, 50-54, 61-65, 71, 81, 82) and a county part that is not "00"
 * under a city part "00" other than the province itself.  Whether the
 * code is in the current division table is a table lookup for the
 * caller.  Returns IDENT_OK, IDENT_CHARSET or IDENT_ADDRESS.
 */
enum ident_err ident_address_code(const char *s);

/*
 * Judge s (len characters) as an 18-character resident ID number, in this
 * order: length (15 digits gives IDENT_LEGACY15), characters (17 digits
 * then a digit, 'X' or 'x'), address code shape, birth date (today as
 * above, may be NULL), check character.  When expected is not NULL it
 * receives the correct check character whenever the first 17 characters
 * are digits (else '\0').
 */
enum ident_err ident_check_id(const char *s, size_t len, const char *today,
    char *expected);

/*
 * The 15-digit legacy number at s converted to 18 characters (century
 * "19" inserted, check character appended) into out[19].  Returns 0, or
 * -1 when s is not 15 digits.
 */
int ident_id15_to_18(const char *s, char out[19]);

/* The value 0..30 of c in the GB 32100 alphabet, or -1. */
int ident_gb32100_value(int c);
/* The GB 32100 character of value v (0..30). */
int ident_gb32100_char(int v);

/*
 * GB 32100: the check character of the first 17 characters of code.
 * Returns -1 when one of them is outside the alphabet.
 */
int ident_gb32100_check(const char *code17);

/*
 * Judge s (len characters) as a unified social credit code: length 18,
 * alphabet (upper case only), positions 3-8 digits, check character.
 * expected as for ident_check_id.
 */
enum ident_err ident_check_uscc(const char *s, size_t len, char *expected);

/*
 * Judge s (len characters) as a 10-character customs code in the forms
 * customs issues: ten digits or capital letters.  Most codes of domestic
 * enterprises begin with the four digits of a customs district, but the
 * codes of payment companies may begin with letters, and no check
 * character is known (domain notes A1.5), so nothing more is judged.
 */
enum ident_err ident_check_customs_code(const char *s, size_t len);

/*
 * An enterprise code of the CEB messages ("海关注册登记编号或统一社会信用代
 * 码"): 10 characters are judged as a customs code, 18 as a USCC, any
 * other length is IDENT_LENGTH.  expected as for ident_check_uscc.
 */
enum ident_err ident_check_enterprise(const char *s, size_t len,
    char *expected);

#endif
