/*
 * policy.c: the personal-quota policy as effective-dated data (see
 * policy.h).  The shipped file is tables/quota-policy.csv under the
 * package data directory (or $CEBTOOLS_DATADIR); tools take --policy to
 * name another.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvio.h"
#include "i18n.h"
#include "policy.h"

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

/* yes/no (also 1/0, true/false): 1, 0, or -1 when neither. */
static int
parse_yes(const char *s)
{
	static const char *const yes[] = { "yes", "y", "1", "true", NULL };
	static const char *const no[] = { "no", "n", "0", "false", NULL };
	int i;

	for (i = 0; yes[i] != NULL; i++)
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
	for (i = 0; no[i] != NULL; i++)
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	return -1;
}

/* A whole number of days 0..36600, or -1 for an empty cell; -2 if bad. */
static int
parse_days(const char *s)
{
	long v = 0;
	size_t i;

	if (*s == '\0')
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 5)
			return -2;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 36600 ? (int)v : -2;
}

int
policy_load(struct policy *p, const char *path, char *err, size_t n,
    long *line)
{
	char why[512], **f;
	size_t nf, i;
	struct csvio *c;
	int cf, cs, ca, ci, cr, r;

	*line = 0;
	if ((c = csvio_open(path, why, sizeof why)) == NULL) {
		snprintf(err, n, _("cannot read policy: %s"), why);
		return -1;
	}
	cf = csvio_col(c, "from");
	cs = csvio_col(c, "single");
	ca = csvio_col(c, "annual");
	ci = csvio_col(c, "single_item");
	cr = csvio_col(c, "return_days");
	if (cf < 0 || cs < 0 || ca < 0) {
		snprintf(err, n,
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
			snprintf(err, n, _("policy row needs a date YYYY-MM-DD "
			    "and two positive amounts"));
			*line = csvio_line(c);
			csvio_close(c);
			return -1;
		}
		row.single_item = ci < 0 ? 1 : parse_yes(csvio_get(c, ci));
		row.return_days = cr < 0 ? -1 : parse_days(csvio_get(c, cr));
		if (row.single_item < 0 || row.return_days < -1) {
			snprintf(err, n, _("policy row: single_item must be yes "
			    "or no, return_days a number of days or empty"));
			*line = csvio_line(c);
			csvio_close(c);
			return -1;
		}
		if ((nr = realloc(p->rows, (p->n + 1) * sizeof *nr)) == NULL) {
			csvio_close(c);
			snprintf(err, n, _("out of memory"));
			return -1;
		}
		p->rows = nr;
		p->rows[p->n++] = row;
	}
	if (r < 0) {
		snprintf(err, n, "%s", csvio_error(c));
		*line = csvio_line(c);
		csvio_close(c);
		return -1;
	}
	csvio_close(c);
	if (p->n == 0) {
		snprintf(err, n, _("policy has no rows"));
		return -1;
	}
	qsort(p->rows, p->n, sizeof *p->rows, cmp_rows);
	for (i = 1; i < p->n; i++)
		if (p->rows[i].from == p->rows[i - 1].from) {
			snprintf(err, n, _("policy has two rows from %ld"),
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

long
policy_day_number(long ymd)
{
	long y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

long
policy_days_between(long a, long b)
{
	return policy_day_number(b) - policy_day_number(a);
}

void
policy_free(struct policy *p)
{
	free(p->rows);
	p->rows = NULL;
	p->n = 0;
}
