/*
 * policy.c: the personal limits as effective-dated data.  A policy file is
 * CSV with the columns from (YYYY-MM-DD), single and annual (CNY, exact
 * decimals); each row is in force from its date until the next row's.
 * The shipped file is tables/quota-policy.csv under the package data
 * directory (or $CEBTOOLS_DATADIR); --policy names another.
 *
 * The quota year is the calendar year by default (the common reading of
 * 个人年度); --year-start MMDD makes it start on another day, and a day
 * then belongs to the year in which its quota year started.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "diag.h"
#include "i18n.h"
#include "quota.h"

static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

/* Parse YYYY-MM-DD or YYYYMMDD into YYYYMMDD; -1 when not a real day. */
static long
parse_day(const char *s)
{
	char d[9];
	size_t i, j = 0;
	long v;
	int y, m, dd;

	for (i = 0; s[i] && j < 8; i++) {
		if (s[i] == '-' && (i == 4 || i == 7) && strlen(s) == 10)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return -1;
		d[j++] = s[i];
	}
	if (j != 8 || s[i] != '\0')
		return -1;
	d[8] = '\0';
	v = strtol(d, NULL, 10);
	y = (int)(v / 10000);
	m = (int)(v / 100 % 100);
	dd = (int)(v % 100);
	if (y < 1900 || m < 1 || m > 12 || dd < 1 || dd > mdays[m - 1])
		return -1;
	if (m == 2 && dd == 29 && !(y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0)))
		return -1;
	return v;
}

long
policy_parse_day(const char *s)
{
	return parse_day(s);
}

static int
cmp_rows(const void *a, const void *b)
{
	const struct policy_row *x = a, *y = b;

	return (x->from > y->from) - (x->from < y->from);
}

int
policy_load(struct policy *p, const char *path)
{
	char err[512], **f;
	size_t nf;
	struct csvio *c;
	int cf, cs, ca, r;

	if ((c = csvio_open(path, err, sizeof err)) == NULL) {
		diag_trouble(path, 0, _("cannot read policy: %s"), err);
		return -1;
	}
	cf = csvio_col(c, "from");
	cs = csvio_col(c, "single");
	ca = csvio_col(c, "annual");
	if (cf < 0 || cs < 0 || ca < 0) {
		diag_trouble(path, 0,
		    _("policy needs the columns from, single and annual"));
		csvio_close(c);
		return -1;
	}
	while ((r = csvio_next(c, &f, &nf)) == 1) {
		struct policy_row row;
		struct policy_row *nr;

		row.from = parse_day(csvio_get(c, cf));
		if (row.from < 0 ||
		    dec_parse_str(csvio_get(c, cs), &row.single) != DEC_OK ||
		    dec_parse_str(csvio_get(c, ca), &row.annual) != DEC_OK ||
		    dec_sign(row.single) <= 0 || dec_sign(row.annual) <= 0) {
			diag_trouble(path, csvio_line(c), _("policy row needs "
			    "a date YYYY-MM-DD and two positive amounts"));
			csvio_close(c);
			return -1;
		}
		if ((nr = realloc(p->rows, (p->n + 1) * sizeof *nr)) == NULL) {
			csvio_close(c);
			diag_trouble(path, 0, _("out of memory"));
			return -1;
		}
		p->rows = nr;
		p->rows[p->n++] = row;
	}
	if (r < 0) {
		diag_trouble(path, csvio_line(c), "%s", csvio_error(c));
		csvio_close(c);
		return -1;
	}
	csvio_close(c);
	if (p->n == 0) {
		diag_trouble(path, 0, _("policy has no rows"));
		return -1;
	}
	qsort(p->rows, p->n, sizeof *p->rows, cmp_rows);
	for (size_t i = 1; i < p->n; i++)
		if (p->rows[i].from == p->rows[i - 1].from) {
			diag_trouble(path, 0, _("policy has two rows from %ld"),
			    p->rows[i].from);
			return -1;
		}
	return 0;
}

const struct policy_row *
policy_at(const struct policy *p, long day)
{
	const struct policy_row *best = NULL;
	size_t i;

	for (i = 0; i < p->n && p->rows[i].from <= day; i++)
		best = &p->rows[i];
	return best;
}

int
policy_year(const struct policy *p, long day)
{
	int y = (int)(day / 10000);

	return day % 10000 >= p->year_start ? y : y - 1;
}

const struct policy_row *
policy_for_year(const struct policy *p, int year)
{
	long last;

	if (p->year_start == 101)
		last = (long)year * 10000 + 1231;
	else {
		/* The day before year_start in the following year. */
		int m = p->year_start / 100, d = p->year_start % 100;

		if (d > 1)
			last = (long)(year + 1) * 10000 + m * 100 + d - 1;
		else if (m > 1)
			last = (long)(year + 1) * 10000 + (m - 1) * 100 +
			    (m - 1 == 2 ? 28 : mdays[m - 2]);
		else
			last = (long)year * 10000 + 1231;
	}
	return policy_at(p, last);
}

void
policy_free(struct policy *p)
{
	free(p->rows);
	p->rows = NULL;
	p->n = 0;
}
