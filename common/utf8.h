/*
 * utf8.h: keep text that is cut by byte counts valid UTF-8.
 *
 * Values from messages are valid UTF-8 (libxml2 checks them), but a
 * printf precision such as "%.40s" or a full buffer cuts them by bytes,
 * which can leave half a character in a report, a receipt or a terminal.
 *
 * Library code: nothing here prints or exits.
 */
#ifndef CEB_UTF8_H
#define CEB_UTF8_H

#include <stddef.h>

/*
 * Drop, in place, every byte of s that is not part of a complete,
 * well-formed UTF-8 sequence (a lead byte whose continuation bytes were
 * cut off, a stray continuation byte, an overlong form, a surrogate, a
 * byte that is never valid).  Returns the new length.
 */
size_t utf8_clean(char *s);

/*
 * Offset of the first byte of s that does not begin a complete,
 * well-formed UTF-8 sequence, or -1 when all of s is well formed.
 */
long utf8_invalid_at(const char *s);

/*
 * Length of the well-formed UTF-8 sequence (RFC 3629) that starts at p,
 * in a NUL-terminated string: 1 to 4, or 0 when the bytes there are not
 * one (a NUL byte counts as a sequence of 1).
 */
size_t utf8_seq_len(const char *p);

#endif
