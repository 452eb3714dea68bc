/*
 * mask.c: masking of personal data in reports and diagnostics.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "mask.h"

static int masking = 1;

void
mask_set(int on)
{
	masking = on;
}

int
mask_on(void)
{
	return masking;
}

/* Number of UTF-8 characters in s and the byte offset of character k. */
static size_t
u8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static const char *
u8_at(const char *s, size_t k)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80 && n++ == k)
			return s;
	return s;
}

/* Keep the first `head` and last `tail` characters, star the rest. */
static char *
keep_ends(const char *v, size_t head, size_t tail, char *buf, size_t n)
{
	size_t len = u8_len(v), i, used = 0;
	const char *p;

	if (len <= head + tail) {
		/* Too short to show both ends: show only the head part,
		 * at most half of it. */
		head = len / 2;
		tail = 0;
	}
	p = u8_at(v, head);
	used = (size_t)(p - v);
	if (n == 0)
		return buf;
	if (used > n - 1)
		used = n - 1;
	memcpy(buf, v, used);
	for (i = head; i < len - tail && used + 1 < n; i++)
		buf[used++] = '*';
	p = u8_at(v, len - tail);
	snprintf(buf + used, n - used, "%s", p);
	return buf;
}

char *
mask(enum mask_kind kind, const char *value, char *buf, size_t n)
{
	if (n == 0)
		return buf;
	if (value == NULL)
		value = "";
	if (!masking || *value == '\0') {
		snprintf(buf, n, "%s", value);
		return buf;
	}
	switch (kind) {
	case MASK_ID:
		return keep_ends(value, 6, 4, buf, n);
	case MASK_PHONE:
		return keep_ends(value, 3, 4, buf, n);
	case MASK_NAME:
		return keep_ends(value, 1, 0, buf, n);
	case MASK_ADDRESS:
		return keep_ends(value, 6, 0, buf, n);
	}
	return buf;
}
