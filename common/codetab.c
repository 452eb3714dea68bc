/*
 * codetab.c: CSV code tables in memory.
 *
 * All cell strings of a table live in one growing arena; rows are arrays
 * of offsets into it.  Keys are indexed by an open-addressing hash (FNV-1a,
 * linear probing, load factor <= 1/2), built once at load time.  The
 * tables are small (a few thousand rows) and read-only after loading, so
 * threads may share one.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codetab.h"
#include "csvio.h"

struct codetab {
	char *arena;		/* every cell, NUL-terminated */
	size_t alen, acap;
	size_t ncols;
	char **colnames;	/* header, ncols entries */
	size_t *cells;		/* nrows * ncols offsets into arena */
	size_t nrows, rcap;
	size_t keycol;
	long *hash;		/* hsize slots: row index or -1 */
	size_t hsize;
	char *comments;
};

static uint32_t
fnv(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static int
arena_add(struct codetab *t, const char *s, size_t *off)
{
	size_t len = strlen(s) + 1;

	if (t->alen + len > t->acap) {
		size_t ncap = t->acap ? t->acap * 2 : 4096;
		char *p;

		while (ncap < t->alen + len)
			ncap *= 2;
		if ((p = realloc(t->arena, ncap)) == NULL)
			return -1;
		t->arena = p;
		t->acap = ncap;
	}
	memcpy(t->arena + t->alen, s, len);
	*off = t->alen;
	t->alen += len;
	return 0;
}

const char *
codetab_key(const struct codetab *t, long row)
{
	return t->arena + t->cells[(size_t)row * t->ncols + t->keycol];
}

static long
lookup(const struct codetab *t, const char *code, size_t len)
{
	size_t i;

	if (t->hsize == 0)
		return -1;
	i = fnv(code, len) & (t->hsize - 1);
	while (t->hash[i] >= 0) {
		const char *k = codetab_key(t, t->hash[i]);

		if (strncmp(k, code, len) == 0 && k[len] == '\0')
			return t->hash[i];
		i = (i + 1) & (t->hsize - 1);
	}
	return -1;
}

static int
build_hash(struct codetab *t, long *dup)
{
	size_t i, size = 16;

	while (size < t->nrows * 2)
		size *= 2;
	if ((t->hash = malloc(size * sizeof *t->hash)) == NULL)
		return -1;
	for (i = 0; i < size; i++)
		t->hash[i] = -1;
	t->hsize = size;
	for (i = 0; i < t->nrows; i++) {
		const char *k = codetab_key(t, (long)i);
		size_t len = strlen(k), j;

		if (lookup(t, k, len) >= 0) {
			*dup = (long)i;
			return 1;
		}
		j = fnv(k, len) & (size - 1);
		while (t->hash[j] >= 0)
			j = (j + 1) & (size - 1);
		t->hash[j] = (long)i;
	}
	return 0;
}

struct codetab *
codetab_load(const char *path, const char *keycol, char *err, size_t n)
{
	struct codetab *t;
	struct csvio *c;
	char **fields;
	size_t nf, i;
	long *lines = NULL, dup = -1;
	int kc, rc;

	if (keycol == NULL)
		keycol = "code";
	if ((c = csvio_open(path, err, n)) == NULL) {
		char why[256];

		snprintf(why, sizeof why, "%s", err);
		snprintf(err, n, "%s: %s", path, why);
		return NULL;
	}
	if ((t = calloc(1, sizeof *t)) == NULL)
		goto nomem;
	if ((kc = csvio_col(c, keycol)) < 0) {
		snprintf(err, n, "%s: no column \"%s\" in the header", path,
		    keycol);
		goto fail;
	}
	t->keycol = (size_t)kc;
	t->ncols = csvio_ncols(c);
	if ((t->colnames = calloc(t->ncols, sizeof *t->colnames)) == NULL ||
	    (t->comments = strdup(csvio_comments(c))) == NULL)
		goto nomem;
	for (i = 0; i < t->ncols; i++)
		if ((t->colnames[i] = strdup(csvio_colname(c, i))) == NULL)
			goto nomem;
	while ((rc = csvio_next(c, &fields, &nf)) == 1) {
		if (kc >= (int)nf || fields[kc][0] == '\0')
			continue;
		if (t->nrows == t->rcap) {
			size_t ncap = t->rcap ? t->rcap * 2 : 256;
			size_t *p = realloc(t->cells,
			    ncap * t->ncols * sizeof *p);
			long *l;

			if (p == NULL)
				goto nomem;
			t->cells = p;
			if ((l = realloc(lines, ncap * sizeof *l)) == NULL)
				goto nomem;
			lines = l;
			t->rcap = ncap;
		}
		lines[t->nrows] = csvio_line(c);
		for (i = 0; i < t->ncols; i++)
			if (arena_add(t, i < nf ? fields[i] : "",
			    &t->cells[t->nrows * t->ncols + i]) != 0)
				goto nomem;
		t->nrows++;
	}
	if (rc < 0) {
		snprintf(err, n, "%s:%ld: %s", path, csvio_line(c),
		    csvio_error(c));
		goto fail;
	}
	if ((rc = build_hash(t, &dup)) < 0)
		goto nomem;
	if (rc > 0) {
		snprintf(err, n, "%s:%ld: duplicate code \"%s\"", path,
		    lines[dup], codetab_key(t, dup));
		goto fail;
	}
	free(lines);
	csvio_close(c);
	return t;
nomem:
	snprintf(err, n, "%s: %s", path, strerror(ENOMEM));
fail:
	free(lines);
	csvio_close(c);
	codetab_free(t);
	return NULL;
}

void
codetab_free(struct codetab *t)
{
	size_t i;

	if (t == NULL)
		return;
	if (t->colnames)
		for (i = 0; i < t->ncols; i++)
			free(t->colnames[i]);
	free(t->colnames);
	free(t->arena);
	free(t->cells);
	free(t->hash);
	free(t->comments);
	free(t);
}

size_t
codetab_size(const struct codetab *t)
{
	return t->nrows;
}

const char *
codetab_comments(const struct codetab *t)
{
	return t->comments;
}

int
codetab_complete(const struct codetab *t)
{
	const char *p = t->comments;

	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n'), *s = p;

		while (*s == ' ' || *s == '\t')
			s++;
		if (strncasecmp(s, "complete:", 9) == 0) {
			for (s += 9; *s == ' ' || *s == '\t'; s++)
				;
			return strncasecmp(s, "yes", 3) == 0 &&
			    (s[3] == '\0' || s[3] == '\n' || s[3] == ' ' ||
			    s[3] == '\t' || s[3] == '-' || s[3] == ',' ||
			    s[3] == '.' || s[3] == ';');
		}
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

long
codetab_find(const struct codetab *t, const char *code, size_t len)
{
	return lookup(t, code, len);
}

int
codetab_has(const struct codetab *t, const char *code)
{
	return code != NULL && lookup(t, code, strlen(code)) >= 0;
}

const char *
codetab_get(const struct codetab *t, long row, const char *col)
{
	size_t i;

	if (row < 0 || (size_t)row >= t->nrows)
		return "";
	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->colnames[i], col) == 0)
			return t->arena + t->cells[(size_t)row * t->ncols + i];
	return "";
}

char *
codetab_path(const char *dir, const char *sub, const char *pkgdatadir,
    const char *file, char *buf, size_t n)
{
	const char *env;
	int len;

	if (dir != NULL)
		len = snprintf(buf, n, "%s/%s", dir, file);
	else if ((env = getenv("CEBTOOLS_DATADIR")) != NULL && *env != '\0')
		len = snprintf(buf, n, "%s/%s/%s", env, sub, file);
	else
		len = snprintf(buf, n, "%s/%s/%s", pkgdatadir, sub, file);
	if (len < 0 || (size_t)len >= n)
		return NULL;
	return buf;
}
