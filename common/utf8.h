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

/*
 * Nonzero when s holds a byte or character that utf8_escape() changes.
 */
int utf8_needs_escape(const char *s);

/*
 * Copy s into out (n bytes, always NUL-terminated when n > 0) with every
 * character that could steer a terminal or forge a line shown escaped:
 * C0 controls and DEL as \n, \r, \t or \xNN; C1 controls
 * (U+0080..U+009F) and the bidirectional controls (U+061C, U+200E,
 * U+200F, U+202A..U+202E, U+2066..U+2069) as \u{XXXX}; a byte that does
 * not begin a well-formed UTF-8 sequence as \xNN.  Everything else is
 * copied as it is (a backslash too).  A character is never cut: what does
 * not fit is left out.  Returns the length written.
 */
size_t utf8_escape(const char *s, char *out, size_t n);

#endif
