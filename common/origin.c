/*
 * origin.c: the origin mark (origin.h): written and read.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "origin.h"
#include "utf8.h"

static int
put_value(FILE *out, const char *name, const char *v)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t n = strlen(v), i, k;
	int prev = 0;

	if (fprintf(out, " %s=\"", name) < 0)
		return -1;
	for (i = 0; i < n; i += k) {
		unsigned c = p[i];

		k = utf8_seq_len(v + i);
		if (k == 0 || c < 0x20 || c == 0x7f || c == '"' || c == '%' ||
		    c == '&' || c == '<' || c == '>' ||
		    (c == '-' && prev == '-')) {
			if (fprintf(out, "%%%02X", c) < 0)
				return -1;
			k = 1;
			prev = 0;
			continue;
		}
		if (fwrite(p + i, 1, k, out) != k)
			return -1;
		prev = (int)c;
	}
	return putc('"', out) == EOF ? -1 : 0;
}

int
origin_mark_write(FILE *out, const struct origin *o)
{
	if (fputs("<!--" ORIGIN_MARK, out) == EOF ||
	    put_value(out, "source", o->source ? o->source : "") != 0 ||
	    fprintf(out, " message=\"%ld\" line=\"%ld\"", o->message,
	    o->line) < 0 ||
	    (o->envelope && put_value(out, "envelope", o->envelope) != 0) ||
	    (o->received && put_value(out, "received", o->received) != 0) ||
	    (o->records && put_value(out, "records", o->records) != 0) ||
	    fputs("-->", out) == EOF)
		return -1;
	return 0;
}

int
origin_is_mark(const char *text, size_t len)
{
	size_t k = sizeof ORIGIN_MARK - 1;

	return len > k && memcmp(text, ORIGIN_MARK, k) == 0 &&
	    (text[k] == ' ' || text[k] == '\t' || text[k] == '\r' ||
	    text[k] == '\n');
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decoded value: UTF-8, no control character.  0 or -1. */
static int
check_value(const char *v)
{
	const unsigned char *p = (const unsigned char *)v;

	for (; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return -1;
	return utf8_invalid_at(v) < 0 ? 0 : -1;
}

static int
number(const char *v, long *out)
{
	char *end;
	long x;

	if (*v < '1' || *v > '9')
		return -1;
	errno = 0;
	x = strtol(v, &end, 10);
	if (errno || *end || x <= 0)
		return -1;
	*out = x;
	return 0;
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int
origin_mark_read(const char *text, size_t len, struct origin *o, char *buf,
    size_t n, const char **why)
{
	const char *p = text + sizeof ORIGIN_MARK - 1, *e = text + len;
	char *w = buf, *wend = buf + n;
	const char *msg = NULL, *line = NULL;

	o->source = o->envelope = o->received = o->records = NULL;
	o->message = o->line = 0;
	for (;;) {
		const char *name, *val;
		size_t nlen;

		while (p < e && is_blank((unsigned char)*p))
			p++;
		if (p == e)
			break;
		name = p;
		while (p < e && *p != '=' && !is_blank((unsigned char)*p))
			p++;
		nlen = (size_t)(p - name);
		if (p + 1 >= e || *p != '=' || p[1] != '"' || nlen == 0) {
			*why = "not name=\"value\" pairs";
			return -1;
		}
		p += 2;
		val = w;
		while (p < e && *p != '"') {
			int c = (unsigned char)*p;

			if (c == '%') {
				int hi, lo;

				if (p + 2 >= e || (hi = hexval(p[1])) < 0 ||
				    (lo = hexval(p[2])) < 0) {
					*why = "a % not followed by two hex digits";
					return -1;
				}
				c = hi << 4 | lo;
				p += 3;
			} else
				p++;
			if (w + 1 >= wend) {
				*why = "too long";
				return -1;
			}
			*w++ = (char)c;
		}
		if (p == e) {
			*why = "a value without its closing quote";
			return -1;
		}
		p++;
		if (w >= wend) {
			*why = "too long";
			return -1;
		}
		*w++ = '\0';
		if (check_value(val) != 0) {
			*why = "a value that is not UTF-8 text";
			return -1;
		}
		if (nlen == 6 && memcmp(name, "source", 6) == 0)
			o->source = val;
		else if (nlen == 7 && memcmp(name, "message", 7) == 0)
			msg = val;
		else if (nlen == 4 && memcmp(name, "line", 4) == 0)
			line = val;
		else if (nlen == 8 && memcmp(name, "envelope", 8) == 0)
			o->envelope = val;
		else if (nlen == 8 && memcmp(name, "received", 8) == 0)
			o->received = val;
		else if (nlen == 7 && memcmp(name, "records", 7) == 0)
			o->records = val;
		/* other names: a later mark's, ignored */
	}
	if (o->source == NULL || *o->source == '\0') {
		*why = "no source";
		return -1;
	}
	if (msg == NULL || number(msg, &o->message) != 0 || line == NULL ||
	    number(line, &o->line) != 0) {
		*why = "message or line is not a positive number";
		return -1;
	}
	if (o->envelope && *o->envelope == '\0')
		o->envelope = NULL;
	if (o->received && *o->received == '\0')
		o->received = NULL;
	if (o->records && !origin_records_ok(o->records)) {
		*why = "records is not a list of INDEX@LINE items";
		return -1;
	}
	return 0;
}

/* One positive decimal number at *p, to *out; *p moved past it. */
static int
item_number(const char **p, long *out)
{
	const char *s = *p;
	long x = 0;

	if (*s < '1' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (x > (LONG_MAX - 9) / 10)
			return -1;
		x = x * 10 + (*s - '0');
	}
	*out = x;
	*p = s;
	return 0;
}

/* One "INDEX@LINE" item at *p; *p moved past it. */
static int
item(const char **p, long *index, long *line)
{
	if (item_number(p, index) != 0 || **p != '@')
		return -1;
	(*p)++;
	return item_number(p, line);
}

int
origin_records_ok(const char *records)
{
	const char *p = records;
	long a, b;

	for (;;) {
		if (item(&p, &a, &b) != 0)
			return 0;
		if (*p == '\0')
			return 1;
		if (*p++ != ' ')
			return 0;
	}
}

int
origin_record(const char *records, long i, long *index, long *line)
{
	const char *p = records;
	long a, b, k;

	if (p == NULL || i < 1)
		return -1;
	for (k = 1;; k++) {
		if (item(&p, &a, &b) != 0)
			return -1;
		if (k == i) {
			*index = a;
			*line = b;
			return 0;
		}
		if (*p++ != ' ')
			return -1;
	}
}

int
origin_records_add(char *buf, size_t n, long index, long line)
{
	size_t used = strlen(buf);
	int k;

	k = snprintf(buf + used, n - used, "%s%ld@%ld", used ? " " : "",
	    index, line);
	if (k < 0 || (size_t)k >= n - used) {
		buf[used] = '\0';
		return -1;
	}
	return 0;
}
