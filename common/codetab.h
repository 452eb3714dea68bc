/*
 * codetab.h: code tables (currencies, countries, units, customs districts,
 * trade modes ...) loaded once from CSV and looked up fast.
 *
 * A table is a CSV file read through csvio.h: '#' comment lines before the
 * header name its source and date, the header names the columns, and one
 * column (by default "code") holds the key.  Every row is kept; lookups
 * are by exact key (an open-addressing hash, so a lookup costs one hash
 * and usually one comparison) and return the row, whose other columns are
 * read by name.  Shipped tables live in $CEBTOOLS_DATADIR/tables, else in
 * $(pkgdatadir)/tables; a tool lets the operator point at another
 * directory (ceb-validate -c DIR).
 *
 * Library code: nothing here prints or exits.
 */
#ifndef CEB_CODETAB_H
#define CEB_CODETAB_H

#include <stddef.h>

struct codetab;

/*
 * Load the table at path, keyed by column keycol (NULL: "code").  A row
 * with an empty key is skipped; a duplicate key is an error (a table that
 * says two things about one code cannot be trusted).  Returns NULL with a
 * message in err ("path:line: ...") on failure.
 */
struct codetab *codetab_load(const char *path, const char *keycol, char *err,
    size_t n);
void codetab_free(struct codetab *t);

/* Number of rows; the comment lines of the file ("" if none). */
size_t codetab_size(const struct codetab *t);
const char *codetab_comments(const struct codetab *t);

/*
 * Whether the table says it is complete: 1 when one of its comment lines
 * reads "complete: yes" (case and surrounding blanks aside), else 0 -- a
 * table that says "complete: no", or says nothing, may lack a valid code,
 * so a code missing from it is doubtful rather than wrong.
 */
int codetab_complete(const struct codetab *t);

/*
 * The row of code (len bytes, not necessarily NUL-terminated), as an
 * index >= 0, or -1 when the table has no such code.
 */
long codetab_find(const struct codetab *t, const char *code, size_t len);
/* Nonzero when code (a C string) is in the table. */
int codetab_has(const struct codetab *t, const char *code);

/*
 * Value of column col in row (from codetab_find): "" when the column does
 * not exist or the row is short.  Valid as long as the table.
 */
const char *codetab_get(const struct codetab *t, long row, const char *col);
/* The key of row. */
const char *codetab_key(const struct codetab *t, long row);

/*
 * Where shipped data lives: dir when not NULL, else $CEBTOOLS_DATADIR/sub,
 * else pkgdatadir/sub.  Writes dir/file into buf and returns buf, or NULL
 * when it does not fit.
 */
char *codetab_path(const char *dir, const char *sub, const char *pkgdatadir,
    const char *file, char *buf, size_t n);

#endif
