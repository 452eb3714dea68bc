/*
 * csvio.c: CSV reading and writing on libcsv.
 *
 * libcsv calls back per field and per row; the reader collects fields
 * into a row buffer and hands rows out one at a time, feeding libcsv only
 * as much input as it needs.
 */
#include "config.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvio.h"
#include "i18n.h"
#include "input.h"
#include "utf8.h"

static int
needs_quotes(const char *s)
{
	if (*s == ' ' || *s == '\t')
		return 1;
	for (; *s; s++)
		if (*s == ',' || *s == '"' || *s == '\r' || *s == '\n')
			return 1;
	return s[-1] == ' ' || s[-1] == '\t';
}

int
csvio_write_row(FILE *f, const char *const *fields, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *v = fields[i] ? fields[i] : "";

		if (i > 0 && putc(',', f) == EOF)
			return -1;
		if (*v == '\0')
			continue;
		if (strpbrk(v, "\r\n") != NULL) {
			char *copy = strdup(v), *p;
			int r;

			if (copy == NULL)
				return -1;
			for (p = copy; *p; p++)
				if (*p == '\r' || *p == '\n')
					*p = ' ';
			r = csv_fwrite(f, copy, strlen(copy));
			free(copy);
			if (r == EOF)
				return -1;
		} else if (needs_quotes(v)) {
			if (csv_fwrite(f, v, strlen(v)) == EOF)
				return -1;
		} else if (fputs(v, f) == EOF)
			return -1;
	}
	if (putc('\n', f) == EOF)
		return -1;
	return ferror(f) ? -1 : 0;
}

static int raw_cells;

void
csvio_set_raw_cells(int raw)
{
	raw_cells = raw;
}

/* A plain decimal number: [+-]digits[.digits]. */
static int
plain_number(const char *s)
{
	int digits = 0;

	if (*s == '-' || *s == '+')
		s++;
	for (; *s >= '0' && *s <= '9'; s++)
		digits++;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			digits++;
	return digits > 0 && *s == '\0';
}

int
csvio_formula_cell(const char *s)
{
	return (*s == '=' || *s == '+' || *s == '-' || *s == '@' ||
	    *s == '\t' || *s == '\r') && !plain_number(s);
}

int
csvio_write_report_row(FILE *f, const char *const *fields, size_t n)
{
	const char **cells = calloc(n + 1, sizeof *cells);
	char **bufs = calloc(n + 1, sizeof *bufs);
	size_t i, m = n;
	int r = -1;

	if (cells == NULL || bufs == NULL)
		goto out;
	for (i = 0; i < m; i++) {
		const char *v = fields[i] ? fields[i] : "";
		size_t len = strlen(v), cap = 4 * len + 8;
		int formula = !raw_cells && csvio_formula_cell(v);

		bufs[i] = NULL;
		cells[i] = v;
		if (!formula && !utf8_needs_escape(v))
			continue;
		if ((bufs[i] = malloc(cap)) == NULL)
			goto out;
		if (formula)
			bufs[i][0] = '\'';
		utf8_escape(v, bufs[i] + formula, cap - 1);
		cells[i] = bufs[i];
	}
	r = csvio_write_row(f, cells, m);
out:
	for (i = 0; bufs && i < m; i++)
		free(bufs[i]);
	free(bufs);
	free(cells);
	return r;
}

struct csvio {
	struct input *in;
	struct csv_parser p;
	/* header */
	char **cols;
	size_t ncols;
	char *comments;
	/* rows completed by libcsv, waiting to be handed out */
	char **q;		/* fields of queued rows, flattened */
	size_t *qn;		/* fields per queued row */
	long *qline;
	size_t nq, qcap, qfields, qfcap, qhead, qfhead;
	/* current row being assembled */
	char **cur;
	size_t ncur, curcap;
	long cur_line;		/* line where the row being assembled starts */
	long line;		/* current input line */
	/* handed-out row */
	char **row;
	size_t nrow;
	long row_line;
	/* input */
	char buf[65536];
	size_t blen, bpos;
	int eof, failed, at_line_start, bom_checked;
	char err[300];
};

/* " (Column)" for the field being read, once the header is known. */
static const char *
field_name(const struct csvio *c, char *buf, size_t n)
{
	if (c->cols == NULL || c->ncur > c->ncols)
		return "";
	snprintf(buf, n, " (%s)", c->cols[c->ncur - 1]);
	utf8_clean(buf);
	return buf;
}

static void
on_field(void *s, size_t len, void *data)
{
	struct csvio *c = data;
	char *v, name[80];
	long off;

	if (c->failed)
		return;
	if (c->ncur == c->curcap) {
		size_t cap = c->curcap ? c->curcap * 2 : 16;
		char **p = realloc(c->cur, cap * sizeof *p);
		if (p == NULL) {
			c->failed = 1;
			snprintf(c->err, sizeof c->err, "%s", strerror(ENOMEM));
			return;
		}
		c->cur = p;
		c->curcap = cap;
	}
	if ((v = malloc(len + 1)) == NULL) {
		c->failed = 1;
		snprintf(c->err, sizeof c->err, "%s", strerror(ENOMEM));
		return;
	}
	if (len)
		memcpy(v, s, len);
	v[len] = '\0';
	c->cur[c->ncur++] = v;
	/*
	 * RFC 4180 text in UTF-8: a NUL byte would cut the value short
	 * unseen, and bytes that are not UTF-8 would reach reports and
	 * terminals as they are.  Either refuses the file.
	 */
	if (memchr(s, '\0', len) != NULL) {
		c->failed = 1;
		snprintf(c->err, sizeof c->err, _("field %zu%s holds a NUL "
		    "byte"), c->ncur, field_name(c, name, sizeof name));
	} else if ((off = utf8_invalid_at(v)) >= 0) {
		c->failed = 1;
		snprintf(c->err, sizeof c->err, _("field %zu%s is not UTF-8 "
		    "(byte 0x%02X at offset %ld); a GBK export? convert it "
		    "with iconv -f GBK -t UTF-8"), c->ncur,
		    field_name(c, name, sizeof name), (unsigned char)v[off],
		    off);
	}
}

static void
on_row(int term, void *data)
{
	struct csvio *c = data;
	size_t i;

	(void)term;
	if (c->failed)
		return;
	/* A line with one empty field is an empty line: skip it. */
	if (c->ncur == 1 && c->cur[0][0] == '\0') {
		free(c->cur[0]);
		c->ncur = 0;
		return;
	}
	if (c->nq == c->qcap) {
		size_t cap = c->qcap ? c->qcap * 2 : 64;
		size_t *qn = realloc(c->qn, cap * sizeof *qn);
		long *ql = realloc(c->qline, cap * sizeof *ql);
		if (qn)
			c->qn = qn;
		if (ql)
			c->qline = ql;
		if (!qn || !ql) {
			c->failed = 1;
			snprintf(c->err, sizeof c->err, "%s", strerror(ENOMEM));
			return;
		}
		c->qcap = cap;
	}
	while (c->qfields + c->ncur > c->qfcap) {
		size_t cap = c->qfcap ? c->qfcap * 2 : 256;
		char **q = realloc(c->q, cap * sizeof *q);
		if (q == NULL) {
			c->failed = 1;
			snprintf(c->err, sizeof c->err, "%s", strerror(ENOMEM));
			return;
		}
		c->q = q;
		c->qfcap = cap;
	}
	for (i = 0; i < c->ncur; i++)
		c->q[c->qfields++] = c->cur[i];
	c->qn[c->nq] = c->ncur;
	c->qline[c->nq] = c->cur_line;
	c->nq++;
	c->ncur = 0;
}

static void
free_row(struct csvio *c)
{
	size_t i;

	for (i = 0; i < c->nrow; i++)
		free(c->row[i]);
	c->nrow = 0;
}

/* Feed input until at least one row is queued or the input ends. */
static int
pump(struct csvio *c)
{
	while (c->nq == c->qhead && !c->failed) {
		if (c->bpos == c->blen) {
			ssize_t n;

			if (c->eof)
				return 0;
			n = input_read(c->in, c->buf, sizeof c->buf);
			if (n < 0) {
				snprintf(c->err, sizeof c->err, "%s",
				    input_error(c->in));
				c->failed = 1;
				return -1;
			}
			if (n == 0) {
				c->eof = 1;
				if (csv_fini(&c->p, on_field, on_row, c) != 0) {
					snprintf(c->err, sizeof c->err,
					    _("malformed CSV: %s"),
					    csv_strerror(csv_error(&c->p)));
					c->failed = 1;
					return -1;
				}
				continue;
			}
			c->blen = (size_t)n;
			c->bpos = 0;
			if (!c->bom_checked) {
				c->bom_checked = 1;
				if (c->blen >= 3 &&
				    memcmp(c->buf, "\xef\xbb\xbf", 3) == 0)
					c->bpos = 3;
			}
		}
		/*
		 * Feed one line at a time so that each row knows its line
		 * (quoted newlines make a row span lines).
		 */
		{
			char *s = c->buf + c->bpos;
			char *nl = memchr(s, '\n', c->blen - c->bpos);
			size_t len = nl ? (size_t)(nl - s) + 1 :
			    c->blen - c->bpos;

			if (c->ncur == 0 && c->at_line_start)
				c->cur_line = c->line;
			if (csv_parse(&c->p, s, len, on_field, on_row, c) !=
			    len) {
				snprintf(c->err, sizeof c->err,
				    _("malformed CSV: %s"),
				    csv_strerror(csv_error(&c->p)));
				c->failed = 1;
				return -1;
			}
			c->bpos += len;
			c->at_line_start = nl != NULL;
			if (nl)
				c->line++;
		}
	}
	return c->failed ? -1 : 1;
}

/* Move the oldest queued row to c->row. */
static void
take_row(struct csvio *c)
{
	size_t n = c->qn[c->qhead];

	free_row(c);
	if (c->nrow + n > 0) {
		char **r = realloc(c->row, (n ? n : 1) * sizeof *r);
		if (r)
			c->row = r;
	}
	memcpy(c->row, c->q + c->qfhead, n * sizeof *c->row);
	c->nrow = n;
	c->row_line = c->qline[c->qhead];
	c->qfhead += n;
	c->qhead++;
	if (c->qhead == c->nq) {
		c->qhead = c->nq = 0;
		c->qfhead = c->qfields = 0;
	}
}

struct csvio *
csvio_open(const char *path, char *err, size_t errlen)
{
	struct csvio *c = calloc(1, sizeof *c);
	size_t comlen = 0;

	if (c == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	if ((c->in = input_open(path, err, errlen)) == NULL) {
		free(c);
		return NULL;
	}
	csv_init(&c->p, CSV_STRICT | CSV_APPEND_NULL | CSV_STRICT_FINI);
	c->line = 1;
	c->at_line_start = 1;
	c->comments = strdup("");
	/* Comment lines before the header. */
	for (;;) {
		ssize_t n;
		char *nl;

		if (c->bpos == c->blen) {
			n = input_read(c->in, c->buf, sizeof c->buf);
			if (n <= 0)
				break;
			c->blen = (size_t)n;
			c->bpos = 0;
			if (!c->bom_checked) {
				c->bom_checked = 1;
				if (c->blen >= 3 &&
				    memcmp(c->buf, "\xef\xbb\xbf", 3) == 0)
					c->bpos = 3;
			}
			continue;
		}
		if (c->buf[c->bpos] != '#')
			break;
		nl = memchr(c->buf + c->bpos, '\n', c->blen - c->bpos);
		if (nl == NULL) {
			/* A comment longer than the buffer: keep what we
			 * have and drop the rest of the line. */
			nl = c->buf + c->blen - 1;
		}
		{
			size_t len = (size_t)(nl - (c->buf + c->bpos));
			char *p = realloc(c->comments, comlen + len + 2);
			if (p) {
				c->comments = p;
				if (comlen)
					p[comlen++] = '\n';
				memcpy(p + comlen, c->buf + c->bpos + 1,
				    len ? len - 1 : 0);
				comlen += len ? len - 1 : 0;
				p[comlen] = '\0';
				if (comlen && p[comlen - 1] == '\r')
					p[--comlen] = '\0';
			}
			c->bpos += len + 1;
			c->line++;
		}
	}
	switch (pump(c)) {
	case 1:
		take_row(c);
		c->cols = c->row;
		c->ncols = c->nrow;
		c->row = NULL;
		c->nrow = 0;
		return c;
	case 0:
		snprintf(err, errlen, _("empty CSV file: no header row"));
		break;
	default:
		snprintf(err, errlen, "line %ld: %s",
		    c->cur_line ? c->cur_line : c->line, c->err);
		break;
	}
	csvio_close(c);
	return NULL;
}

size_t
csvio_ncols(const struct csvio *c)
{
	return c->ncols;
}

const char *
csvio_colname(const struct csvio *c, size_t i)
{
	return i < c->ncols ? c->cols[i] : NULL;
}

int
csvio_col(const struct csvio *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ncols; i++)
		if (strcmp(c->cols[i], name) == 0)
			return (int)i;
	for (i = 0; i < c->ncols; i++)
		if (strcasecmp(c->cols[i], name) == 0)
			return (int)i;
	return -1;
}

const char *
csvio_comments(const struct csvio *c)
{
	return c->comments ? c->comments : "";
}

int
csvio_next(struct csvio *c, char ***fields, size_t *n)
{
	int r = pump(c);

	if (r <= 0) {
		free_row(c);
		return r;
	}
	take_row(c);
	*fields = c->row;
	*n = c->nrow;
	return 1;
}

const char *
csvio_get(const struct csvio *c, int col)
{
	if (col < 0 || (size_t)col >= c->nrow)
		return "";
	return c->row[col];
}

long
csvio_line(const struct csvio *c)
{
	return c->failed && c->cur_line ? c->cur_line : c->row_line;
}

const char *
csvio_error(const struct csvio *c)
{
	return c->err;
}

void
csvio_close(struct csvio *c)
{
	size_t i;

	if (c == NULL)
		return;
	free_row(c);
	free(c->row);
	for (i = 0; i < c->ncols; i++)
		free(c->cols[i]);
	free(c->cols);
	for (i = c->qfhead; i < c->qfields; i++)
		free(c->q[i]);
	free(c->q);
	free(c->qn);
	free(c->qline);
	for (i = 0; i < c->ncur; i++)
		free(c->cur[i]);
	free(c->cur);
	free(c->comments);
	csv_free(&c->p);
	input_close(c->in);
	free(c);
}
