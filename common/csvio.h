/*
 * csvio.h: CSV in and out (RFC 4180, UTF-8), through libcsv.
 *
 * Writing: one record per physical line; fields are quoted only when they
 * need it; CR and LF inside a value are written as spaces, so that every
 * report stays greppable line by line.
 *
 * Reading: the first row is the header, columns are found by name; lines
 * starting with '#' before the header are comments (shipped tables carry
 * their source and date there); a UTF-8 BOM is skipped; the input may be
 * gzip-compressed (input.h).  Every row knows the line it starts on, for
 * located diagnostics.  A field holding a NUL byte or bytes that are not
 * UTF-8 (a GBK export, say) is an error, never passed on cut or as is.
 *
 * Library code: nothing here prints or exits.
 */
#ifndef CEB_CSVIO_H
#define CEB_CSVIO_H

#include <stddef.h>
#include <stdio.h>

/* Write one row; returns 0, or -1 on a write error (errno set). */
int csvio_write_row(FILE *f, const char *const *fields, size_t n);

/*
 * Write one row of a report meant for people (the findings report, a
 * listing), with every cell made neutral (docs/security.md, "Neutral
 * output"): control characters, bidirectional controls and bytes that
 * are not UTF-8 shown escaped (utf8_escape()), and a cell that a
 * spreadsheet would read as a formula -- one starting with '=', '+', '-'
 * or '@' that is not a plain number such as -12.50 -- given a leading
 * apostrophe.  Returns 0, or -1 on a write error (errno set).
 */
int csvio_write_report_row(FILE *f, const char *const *fields, size_t n);

/*
 * raw nonzero: csvio_write_report_row() leaves formula cells as they are
 * (--raw-cells, for programs that read the report); control characters
 * are escaped all the same.
 */
void csvio_set_raw_cells(int raw);

/* Nonzero when a spreadsheet could take cell s for a formula. */
int csvio_formula_cell(const char *s);

struct csvio;

/* Open path ("-" = stdin) and read its header.  NULL with err filled. */
struct csvio *csvio_open(const char *path, char *err, size_t errlen);

/* Header. */
size_t csvio_ncols(const struct csvio *c);
const char *csvio_colname(const struct csvio *c, size_t i);
/* Index of the column called name (exact, then case-insensitive), -1. */
int csvio_col(const struct csvio *c, const char *name);
/* Comment lines read before the header, joined by '\n' ("" if none). */
const char *csvio_comments(const struct csvio *c);

/*
 * Next data row: returns 1 with *fields (n values, each NUL-terminated,
 * valid until the next call), 0 at the end, -1 on an error (a malformed
 * row, a read error) with a message in csvio_error().  Empty lines are
 * skipped.
 */
int csvio_next(struct csvio *c, char ***fields, size_t *n);
/* Value of column col in the current row, "" when the row is short. */
const char *csvio_get(const struct csvio *c, int col);
/* Line where the current row starts (after an error: the failing row). */
long csvio_line(const struct csvio *c);
const char *csvio_error(const struct csvio *c);

void csvio_close(struct csvio *c);

#endif
