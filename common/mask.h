/*
 * mask.h: personal data (ID numbers, phone numbers, names) is masked in
 * reports and diagnostics unless the operator asks to see it.
 *   ID number   110101********1234   (first 6 and last 4 kept)
 *   telephone   138****5678          (first 3 and last 4 kept)
 *   name        张**                  (first character kept)
 * Library code: nothing here prints or exits.
 */
#ifndef CEB_MASK_H
#define CEB_MASK_H

#include <stddef.h>

enum mask_kind { MASK_ID, MASK_PHONE, MASK_NAME, MASK_ADDRESS };

/* Masking is on by default; mask_set(0) shows personal data. */
void mask_set(int on);
int mask_on(void);

/*
 * Copy value into buf, masked according to kind when masking is on.
 * NULL value gives "".  Returns buf.  UTF-8 aware: a name keeps its first
 * character, whatever its length in bytes.
 */
char *mask(enum mask_kind kind, const char *value, char *buf, size_t n);

#endif
