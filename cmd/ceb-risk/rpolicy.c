/*
 * rpolicy.c: the risk policy as effective-dated data (tables/risk-policy.csv,
 * or the file of --policy): for each indicator, from a day on, its
 * threshold, its weight in a score, the fewest observations that may give
 * a finding, the days of history it looks at and its second value.  What
 * each number means for each indicator is written in the file and in
 * ceb-risk(1).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "csvio.h"
#include "i18n.h"
#include "policy.h"
#include "risk.h"

static int
num(const char *s, double lo, double *out)
{
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	*out = strtod(s, &end);
	if (*end != '\0' || !isfinite(*out) || *out < lo)
		return -1;
	return 0;
}

static int
cmp_row(const void *a, const void *b)
{
	const struct rind *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : (x->from > y->from) - (x->from < y->from);
}

int
rpolicy_load(struct rpolicy *p, const char *path, char *err, size_t n,
    long *line)
{
	static const char *const cols[] = { "indicator", "from", "threshold",
	    "weight", "min_n", "window_days", "param" };
	int col[7];
	struct csvio *c;
	char **f;
	size_t nf, i, cap = 0;
	int rc;

	*line = 0;
	memset(p, 0, sizeof *p);
	if ((c = csvio_open(path, err, n)) == NULL)
		return -1;
	for (i = 0; i < 7; i++)
		if ((col[i] = csvio_col(c, cols[i])) < 0) {
			snprintf(err, n, _("the policy lacks the column %s"),
			    cols[i]);
			goto fail;
		}
	while ((rc = csvio_next(c, &f, &nf)) == 1) {
		struct rind *w;
		const struct catalogue_rule *cr;
		const char *id = csvio_get(c, col[0]);
		double mn, win;

		*line = csvio_line(c);
		if (p->n == cap) {
			size_t nc = cap ? 2 * cap : 32;
			struct rind *np = realloc(p->rows, nc * sizeof *np);

			if (np == NULL) {
				snprintf(err, n, _("out of memory"));
				goto fail;
			}
			p->rows = np;
			cap = nc;
		}
		w = &p->rows[p->n];
		memset(w, 0, sizeof *w);
		if ((cr = catalogue_find(id)) == NULL ||
		    strcmp(cr->tool, "ceb-risk") != 0 ||
		    strlen(id) >= sizeof w->id) {
			snprintf(err, n, _("not an indicator of ceb-risk "
			    "(ceb-risk --list-rules): %s"), id);
			goto fail;
		}
		snprintf(w->id, sizeof w->id, "%s", id);
		if ((w->from = policy_parse_day(csvio_get(c, col[1]))) < 0) {
			snprintf(err, n, _("from: not a day YYYY-MM-DD: %s"),
			    csvio_get(c, col[1]));
			goto fail;
		}
		if (num(csvio_get(c, col[2]), 0, &w->threshold) != 0 ||
		    num(csvio_get(c, col[3]), 0, &w->weight) != 0 ||
		    num(csvio_get(c, col[4]), 1, &mn) != 0 ||
		    num(csvio_get(c, col[5]), 1, &win) != 0 ||
		    num(csvio_get(c, col[6]), 0, &w->param) != 0 ||
		    mn > 1e9 || win > 36600) {
			snprintf(err, n, _("threshold, weight and param must "
			    "be numbers >= 0, min_n and window_days whole "
			    "numbers >= 1"));
			goto fail;
		}
		w->min_n = (long)mn;
		w->window = (long)win;
		p->n++;
	}
	if (rc < 0) {
		*line = csvio_line(c);
		snprintf(err, n, "%s", csvio_error(c));
		goto fail;
	}
	csvio_close(c);
	*line = 0;
	qsort(p->rows, p->n, sizeof *p->rows, cmp_row);
	for (i = 1; i < p->n; i++)
		if (strcmp(p->rows[i].id, p->rows[i - 1].id) == 0 &&
		    p->rows[i].from == p->rows[i - 1].from) {
			snprintf(err, n, _("two rows for %s from the same day"),
			    p->rows[i].id);
			rpolicy_free(p);
			return -1;
		}
	return 0;
fail:
	csvio_close(c);
	rpolicy_free(p);
	return -1;
}

const struct rind *
rpolicy_at(const struct rpolicy *p, const char *id, long day)
{
	const struct rind *best = NULL;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->rows[i].id, id) == 0 &&
		    (day == 0 || p->rows[i].from <= day))
			best = &p->rows[i];	/* sorted: the latest wins */
	return best;
}

void
rpolicy_free(struct rpolicy *p)
{
	free(p->rows);
	p->rows = NULL;
	p->n = 0;
}
