/*
 * judge.c: step 3 of a run (risk.h): the indicators of the policy in
 * force on the night's day, computed for the run judged against the
 * history up to it (runs <= it, days within the indicator's window), so
 * that a rerun judges exactly as the run it repeats.  Only what the run
 * brought can give a finding: an address that had a ring last month and
 * nothing tonight is not reported again tonight.
 *
 * Each crossing is a finding (warning) on every record of the night
 * behind it, and one row of risk_scores per entity and indicator; an
 * entity's score is the sum of the weights of the indicators it crossed
 * (report.c ranks them).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "i18n.h"
#include "policy.h"
#include "risk.h"

/* The extra columns of the report (-r), filled by hit(). */
enum { X_DIM, X_ENTITY, X_VALUE, X_THRESHOLD, X_BASELINE, X_N, X_COUNT };

/* What one crossing is about. */
struct hit {
	const struct rind *ind;
	const char *dim, *entity, *label;
	double value, threshold, baseline;
	long n;
};

/* YYYYMMDD plus days (negative: before). */
static long
ymd_add(long ymd, long days)
{
	long z = policy_day_number(ymd) + days + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
	long m = mp < 10 ? mp + 3 : mp - 9;

	return (y + (m <= 2)) * 10000 + m * 100 + d;
}

/* The first day of an indicator's window ending on the night's day. */
static long
window_lo(const struct risk *r, const struct rind *ind)
{
	return ymd_add(r->day, -(ind->window - 1));
}

static int
sqlfail(struct risk *r)
{
	diag_trouble(r->store_path, 0, "%s", store_errmsg(r->st));
	return -1;
}

static const char sql_score[] =
"INSERT INTO risk_scores(run, dimension, entity, label, indicator, value,"
"  threshold, weight, n, baseline) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
"  ON CONFLICT(run, entity, indicator) DO UPDATE"
"  SET value = value + excluded.value, n = n + excluded.n";

/*
 * The entity crossed the indicator: its row in risk_scores (an entity
 * that crosses an indicator twice -- a buyer splitting baskets at two
 * companies -- counts its weight once, its values summed).
 */
static int
score(struct risk *r, const struct hit *h)
{
	sqlite3_stmt *st;

	if ((st = store_prepare(r->st, sql_score)) == NULL ||
	    store_bind(r->st, st, "itttt", r->run, h->dim, h->entity,
	    h->label, h->ind->id) != 0)
		return sqlfail(r);
	sqlite3_bind_double(st, 6, h->value);
	sqlite3_bind_double(st, 7, h->threshold);
	sqlite3_bind_double(st, 8, h->ind->weight);
	sqlite3_bind_int64(st, 9, h->n);
	sqlite3_bind_double(st, 10, h->baseline);
	return store_step(r->st, st) < 0 ? sqlfail(r) : 0;
}

/* Format a number for a report cell: at most 4 decimals, no trailing 0. */
static void
fmtnum(double v, char *buf, size_t n)
{
	char *p;

	snprintf(buf, n, "%.4f", v);
	if (strchr(buf, '.')) {
		p = buf + strlen(buf) - 1;
		while (*p == '0')
			*p-- = '\0';
		if (*p == '.')
			*p = '\0';
	}
	if (strcmp(buf, "-0") == 0)
		snprintf(buf, n, "0");
}

static struct risk *jr;		/* the run being judged */
static long nhits;

/*
 * Every value an indicator was computed on tonight, crossed or not (for
 * --html's distributions): one list per indicator, in the indicator's own
 * unit, with the threshold in that unit.
 */
static struct robs {
	char id[16];
	double thr;
	double *v;
	size_t n, cap;
} obs[40];
static size_t nobs;
static int obs_oom;

static void
observe(const struct rind *ind, double v, double thr)
{
	struct robs *o = NULL;
	size_t i;

	for (i = 0; i < nobs && o == NULL; i++)
		if (strcmp(obs[i].id, ind->id) == 0)
			o = &obs[i];
	if (o == NULL) {
		if (nobs == sizeof obs / sizeof obs[0])
			return;
		o = &obs[nobs++];
		snprintf(o->id, sizeof o->id, "%s", ind->id);
	}
	o->thr = thr;
	if (o->n == o->cap) {
		size_t c = o->cap ? 2 * o->cap : 256;
		double *p = realloc(o->v, c * sizeof *p);

		if (p == NULL) {
			obs_oom = 1;
			return;
		}
		o->v = p;
		o->cap = c;
	}
	o->v[o->n++] = v;
}

const double *
judge_observed(const char *id, size_t *n, double *thr)
{
	size_t i;

	for (i = 0; i < nobs; i++)
		if (strcmp(obs[i].id, id) == 0) {
			*n = obs[i].n;
			*thr = obs[i].thr;
			return obs[i].v;
		}
	*n = 0;
	*thr = 0;
	return NULL;
}

void
judge_free(void)
{
	size_t i;

	for (i = 0; i < nobs; i++)
		free(obs[i].v);
	memset(obs, 0, sizeof obs);
	nobs = 0;
}

static const char sql_hit[] =
"INSERT INTO risk_hits(run, dimension, entity, indicator, source, message,"
"  line, record, key, field, detail, value, threshold)"
"  VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/*
 * A finding about h on the record at loc: reported (diag.h) and kept in
 * risk_hits for --explain.  Returns 0 or -1.
 */
static int
hit(const struct hit *h, const struct diag_loc *loc, const char *field,
    const char *fmt, ...)
{
	char v[32], t[32], b[32], n[32], detail[1024];
	const char *x[X_COUNT + 1];
	sqlite3_stmt *st;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	fmtnum(h->value, v, sizeof v);
	fmtnum(h->threshold, t, sizeof t);
	fmtnum(h->baseline, b, sizeof b);
	snprintf(n, sizeof n, "%ld", h->n);
	x[X_DIM] = h->dim;
	x[X_ENTITY] = h->entity;
	x[X_VALUE] = v;
	x[X_THRESHOLD] = t;
	x[X_BASELINE] = b;
	x[X_N] = n;
	x[X_COUNT] = NULL;
	diag_finding(loc, h->ind->id, DIAG_WARNING, field, x, "%s", detail);
	nhits++;
	if ((st = store_prepare(jr->st, sql_hit)) == NULL ||
	    store_bind(jr->st, st, "itttt", jr->run, h->dim, h->entity,
	    h->ind->id, loc->source) != 0)
		return sqlfail(jr);
	sqlite3_bind_int64(st, 6, loc->message);
	sqlite3_bind_int64(st, 7, loc->line);
	sqlite3_bind_int64(st, 8, loc->record);
	sqlite3_bind_text(st, 9, loc->key ? loc->key : "", -1,
	    SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 10, field ? field : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 11, detail, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 12, h->value);
	sqlite3_bind_double(st, 13, h->threshold);
	return store_step(jr->st, st) < 0 ? sqlfail(jr) : 0;
}

/* The location of a record from columns source..key of a row at col. */
static void
row_loc(sqlite3_stmt *st, int col, struct diag_loc *loc)
{
	memset(loc, 0, sizeof *loc);
	loc->source = store_text(st, col);
	loc->message = (long)sqlite3_column_int64(st, col + 1);
	loc->line = (long)sqlite3_column_int64(st, col + 2);
	loc->type = "CEB621";
	loc->guid = store_text(st, col + 3);
	loc->record = (long)sqlite3_column_int64(st, col + 4);
	loc->key = store_text(st, col + 5);
}

/* ---- goods ---- */

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of v[0..n) (sorted in place). */
static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_dbl);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct series {
	double *v;
	size_t n, cap;
};

static int
push(struct series *s, double x)
{
	if (s->n == s->cap) {
		size_t c = s->cap ? 2 * s->cap : 256;
		double *p = realloc(s->v, c * sizeof *p);

		if (p == NULL)
			return -1;
		s->v = p;
		s->cap = c;
	}
	s->v[s->n++] = x;
	return 0;
}

/* The history of one code and unit, for the goods indicators. */
struct ghist {
	struct series lp;	/* unit prices, K-GOODS-001's window */
	struct series w;	/* weight per unit, K-GOODS-002's window */
	double med_p, q_p, med_w;	/* median and low quantile of the
					 * prices, median weight per unit */
	struct gorigin {		/* lines per country of origin, */
		char country[16];	/* K-GOODS-003's window */
		long n;
	} *oc;
	size_t noc, capoc;
	long olines;			/* lines in K-GOODS-003's window */
};

/* Count one line of country in g's origins: 0 or -1 (no memory). */
static int
origin_count(struct ghist *g, const char *country)
{
	size_t i;

	g->olines++;
	if (strlen(country) >= sizeof g->oc[0].country)
		return 0;	/* longer than any country judged: never met */
	for (i = 0; i < g->noc; i++)
		if (strcmp(g->oc[i].country, country) == 0) {
			g->oc[i].n++;
			return 0;
		}
	if (g->noc == g->capoc) {
		size_t c = g->capoc ? 2 * g->capoc : 16;
		struct gorigin *p = realloc(g->oc, c * sizeof *p);

		if (p == NULL)
			return -1;
		g->oc = p;
		g->capoc = c;
	}
	snprintf(g->oc[g->noc].country, sizeof g->oc[0].country, "%s",
	    country);
	g->oc[g->noc++].n = 1;
	return 0;
}

static const char sql_groups[] =
"SELECT hs8, unit, min(day), max(day) FROM risk_goods WHERE run = ?1"
"  GROUP BY hs8, unit ORDER BY 1, 2";
static const char sql_hist[] =
"SELECT price, wpu, day, country FROM risk_goods WHERE hs8 = ?1"
"  AND unit = ?2 AND run <= ?3 AND day BETWEEN ?4 AND ?5";
/* By the code's index and the night's days, not by the run's index
 * ("+run"), which would read the whole night for each code. */
static const char sql_night_lines[] =
"SELECT price, wpu, country, ebc, source, message, line, guid, record, key"
"  FROM risk_goods WHERE +run = ?1 AND hs8 = ?2 AND unit = ?3"
"  AND day BETWEEN ?4 AND ?5 ORDER BY rowid";

/*
 * The history of one code and unit in one pass over its lines (the
 * widest of the three windows): the prices, the weights per unit and the
 * lines per country of origin, so that the night's lines are judged
 * against it without going back to the store for each.
 */
static int
history(struct risk *r, const char *hs8, const char *unit,
    const struct rind *i1, const struct rind *i2, const struct rind *i3,
    struct ghist *g)
{
	long lo1 = i1 ? window_lo(r, i1) : 99999999;
	long lo2 = i2 ? window_lo(r, i2) : 99999999;
	long lo3 = i3 ? window_lo(r, i3) : 99999999;
	long lo = lo1 < lo2 ? lo1 : lo2;
	sqlite3_stmt *st;
	int rc;

	if (lo3 < lo)
		lo = lo3;
	if ((st = store_prepare(r->st, sql_hist)) == NULL ||
	    store_bind(r->st, st, "ttiii", hs8, unit, r->run,
	    (long long)lo, (long long)r->day) != 0)
		return sqlfail(r);
	while ((rc = store_step(r->st, st)) == 1) {
		double p = sqlite3_column_double(st, 0);
		long day = (long)sqlite3_column_int64(st, 2);

		if (day >= lo1 && p > 0 && push(&g->lp, p) != 0)
			goto oom;
		if (day >= lo2 && sqlite3_column_type(st, 1) != SQLITE_NULL &&
		    push(&g->w, sqlite3_column_double(st, 1)) != 0)
			goto oom;
		if (day >= lo3 && origin_count(g, store_text(st, 3)) != 0)
			goto oom;
	}
	if (rc < 0)
		return sqlfail(r);
	if (g->lp.n) {
		/*
		 * The median, and the low quantile the policy names (the
		 * 5th percentile: the cheapest lines a code sells at
		 * honestly), nearest rank on the sorted prices.
		 */
		double q = i1 ? i1->threshold : 0;
		size_t at = (size_t)(q * (double)(g->lp.n - 1) + 0.5);

		g->med_p = median(g->lp.v, g->lp.n);
		g->q_p = g->lp.v[at < g->lp.n ? at : g->lp.n - 1];
	}
	if (g->w.n)
		g->med_w = median(g->w.v, g->w.n);
	return 0;
oom:
	sqlite3_reset(st);
	diag_trouble(NULL, 0, _("out of memory"));
	return -1;
}

/* The lines of country among the code's lines in K-GOODS-003's window
 * (*n all of them, *k country's). */
static void
origin_share(const struct ghist *g, const char *country, long *n, long *k)
{
	size_t i;

	*n = g->olines;
	*k = 0;
	for (i = 0; i < g->noc; i++)
		if (strcmp(g->oc[i].country, country) == 0)
			*k = g->oc[i].n;
}

/* One code and unit: every line of the night (its days lo .. hi)
 * against its history. */
static int
goods_group(struct risk *r, const char *hs8, const char *unit, long lo,
    long hi)
{
	const struct rind *i1 = rpolicy_at(&r->pol, "K-GOODS-001", r->day);
	const struct rind *i2 = rpolicy_at(&r->pol, "K-GOODS-002", r->day);
	const struct rind *i3 = rpolicy_at(&r->pol, "K-GOODS-003", r->day);
	struct ghist g;
	char entity[64];
	long c1 = 0, c2 = 0, c3 = 0;
	sqlite3_stmt *st;
	int rc, ret = -1;

	memset(&g, 0, sizeof g);
	snprintf(entity, sizeof entity, "%s/%s", hs8, unit);
	if (history(r, hs8, unit, i1, i2, i3, &g) != 0)
		goto out;
	if ((st = store_prepare(r->st, sql_night_lines)) == NULL ||
	    store_bind(r->st, st, "ittii", r->run, hs8, unit, (long long)lo,
	    (long long)hi) != 0) {
		sqlfail(r);
		goto out;
	}
	while ((rc = store_step(r->st, st)) == 1) {
		double p = sqlite3_column_double(st, 0);
		double med = g.med_p, low = g.q_p;
		struct diag_loc loc;
		struct hit h = { NULL, "goods", entity, entity, 0, 0, 0, 0 };

		row_loc(st, 4, &loc);
		if (i1 && (long)g.lp.n >= i1->min_n && low > 0)
			observe(i1, p / low, i1->param);
		if (i1 && (long)g.lp.n >= i1->min_n && low > 0 &&
		    p < i1->param * low) {
			h.ind = i1;
			h.value = p / low;
			h.threshold = i1->param;
			h.baseline = low;
			h.n = (long)g.lp.n;
			if (hit(&h, &loc, "price", _("%s unit price %.2f is %.0f%% "
			    "of the %g%% quantile %.2f and %.0f%% of the median "
			    "%.2f of %ld lines (e-commerce company %s)"), entity,
			    p, 100 * p / low, 100 * i1->threshold, low,
			    100 * p / med, med, (long)g.lp.n,
			    store_text(st, 3)) != 0)
				goto reset;
			c1++;
		}
		if (i2 && (long)g.w.n >= i2->min_n &&
		    sqlite3_column_type(st, 1) != SQLITE_NULL && g.med_w > 0) {
			double w = sqlite3_column_double(st, 1);
			double f = w > g.med_w ? w / g.med_w : g.med_w / w;

			if (w > 0)
				observe(i2, f, i2->threshold);
			if (w > 0 && f > i2->threshold) {
				h.ind = i2;
				h.value = w;
				h.threshold = i2->threshold;
				h.baseline = g.med_w;
				h.n = (long)g.w.n;
				if (hit(&h, &loc, "netWeight", _("%s net weight per "
				    "unit %.3f kg against the median %.3f kg "
				    "of %ld one-line inventories"), entity, w,
				    g.med_w, (long)g.w.n) != 0)
					goto reset;
				c2++;
			}
		}
		if (i3) {
			const char *c = store_text(st, 2);
			char country[16];
			long n, k;

			snprintf(country, sizeof country, "%s", c);
			origin_share(&g, country, &n, &k);
			if (n >= i3->min_n && *country)
				observe(i3, (double)k / (double)n,
				    i3->threshold);
			if (n >= i3->min_n && *country &&
			    (double)k / (double)n < i3->threshold) {
				h.ind = i3;
				h.value = (double)k / (double)n;
				h.threshold = i3->threshold;
				h.baseline = 0;
				h.n = n;
				if (hit(&h, &loc, "country", _("%s country of origin "
				    "%s is %ld of %ld lines of the code"),
				    entity, country, k, n) != 0)
					goto reset;
				c3++;
			}
		}
	}
	if (rc < 0) {
		sqlfail(r);
		goto out;
	}
	{
		struct hit h = { NULL, "goods", entity, entity, 0, 0, 0, 0 };

		if (c1) {
			h.ind = i1;
			h.value = (double)c1;
			h.threshold = i1->param;
			h.baseline = g.q_p;
			h.n = (long)g.lp.n;
			if (score(r, &h) != 0)
				goto out;
		}
		if (c2) {
			h.ind = i2;
			h.value = (double)c2;
			h.threshold = i2->threshold;
			h.baseline = g.med_w;
			h.n = (long)g.w.n;
			if (score(r, &h) != 0)
				goto out;
		}
		if (c3) {
			h.ind = i3;
			h.value = (double)c3;
			h.threshold = i3->threshold;
			h.baseline = 0;
			h.n = 0;
			if (score(r, &h) != 0)
				goto out;
		}
	}
	ret = 0;
	goto out;
reset:
	sqlite3_reset(st);
out:
	free(g.lp.v);
	free(g.w.v);
	free(g.oc);
	return ret;
}

static int
goods(struct risk *r)
{
	sqlite3_stmt *st;
	char **hs = NULL;
	long *days = NULL;
	size_t n = 0, cap = 0, i;
	int rc, ret = 0;

	/* The groups first: goods_group() runs statements of its own. */
	if ((st = store_prepare(r->st, sql_groups)) == NULL ||
	    store_bind(r->st, st, "i", r->run) != 0)
		return sqlfail(r);
	while ((rc = store_step(r->st, st)) == 1) {
		if (n + 2 > cap) {
			size_t c = cap ? 2 * cap : 64;
			char **p = realloc(hs, c * sizeof *p);
			long *q = p ? realloc(days, c * sizeof *q) : NULL;

			if (p)
				hs = p;
			if (q == NULL) {
				sqlite3_reset(st);
				ret = -1;
				break;
			}
			days = q;
			cap = c;
		}
		days[n] = (long)sqlite3_column_int64(st, 2);
		days[n + 1] = (long)sqlite3_column_int64(st, 3);
		hs[n] = strdup(store_text(st, 0));
		hs[n + 1] = strdup(store_text(st, 1));
		if (hs[n] == NULL || hs[n + 1] == NULL) {
			n += 2;
			sqlite3_reset(st);
			ret = -1;
			break;
		}
		n += 2;
	}
	if (rc < 0)
		ret = sqlfail(r);
	else if (ret < 0)
		diag_trouble(NULL, 0, _("out of memory"));
	for (i = 0; ret == 0 && i < n; i += 2)
		ret = goods_group(r, hs[i], hs[i + 1], days[i], days[i + 1]);
	for (i = 0; i < n; i++)
		free(hs[i]);
	free(hs);
	free(days);
	return ret;
}

/* ---- parcel splitting and quota abuse ---- */

/*
 * The groups of the split indicators: the parcels within the window that
 * share `by`, counted by `what` (distinct values, or parcels), where `by`
 * appears tonight.  ?1 run, ?2 first day, ?3 night's day, ?4 threshold,
 * ?5 .. ?6 the amounts a parcel must lie within (K-SPLIT-004).  The
 * records of a group are looked up by its key's index, not by the run's
 * ("+run"): the run's would read the whole night for each group.
 */
static const struct split {
	const char *id, *dim, *field;
	const char *groups;	/* by, masked label, count */
	const char *records;	/* the night's parcels of group ?2 */
} splits[] = {
	{ "K-SPLIT-001", "address", "consigneeAddress",
	  "SELECT addr, max(addr_m), count(DISTINCT buyer) FROM risk_parcels"
	  "  WHERE run <= ?1 AND day BETWEEN ?2 AND ?3 AND addr != ''"
	  "  AND buyer != '' AND addr IN (SELECT addr FROM risk_parcels"
	  "  WHERE run = ?1) GROUP BY addr"
	  "  HAVING count(DISTINCT buyer) >= ?4 ORDER BY 2, 1",
	  "SELECT source, message, line, guid, record, key, buyer_m"
	  "  FROM risk_parcels WHERE +run = ?1 AND addr = ?2 ORDER BY rowid" },
	{ "K-SPLIT-002", "phone", "buyerTelephone",
	  "SELECT phone, max(phone_m), count(DISTINCT buyer) FROM risk_parcels"
	  "  WHERE run <= ?1 AND day BETWEEN ?2 AND ?3 AND phone != ''"
	  "  AND buyer != '' AND phone IN (SELECT phone FROM risk_parcels"
	  "  WHERE run = ?1) GROUP BY phone"
	  "  HAVING count(DISTINCT buyer) >= ?4 ORDER BY 2, 1",
	  "SELECT source, message, line, guid, record, key, buyer_m"
	  "  FROM risk_parcels WHERE +run = ?1 AND phone = ?2 ORDER BY rowid" },
	{ "K-SPLIT-003", "buyer", "buyerIdNumber",
	  "SELECT buyer, max(buyer_m), count(DISTINCT addr) FROM risk_parcels"
	  "  WHERE run <= ?1 AND day BETWEEN ?2 AND ?3 AND buyer != ''"
	  "  AND addr != '' AND buyer IN (SELECT buyer FROM risk_parcels"
	  "  WHERE run = ?1) GROUP BY buyer"
	  "  HAVING count(DISTINCT addr) >= ?4 ORDER BY 2, 1",
	  "SELECT source, message, line, guid, record, key, addr_m"
	  "  FROM risk_parcels WHERE +run = ?1 AND buyer = ?2 ORDER BY rowid" },
	{ "K-SPLIT-004", "buyer", "totalPrice",
	  "SELECT buyer, max(buyer_m), count(*) FROM risk_parcels"
	  "  WHERE run <= ?1 AND day BETWEEN ?2 AND ?3 AND buyer != ''"
	  "  AND amount >= ?5 AND amount <= ?6"
	  "  AND buyer IN (SELECT buyer FROM risk_parcels WHERE run = ?1"
	  "  AND amount >= ?5 AND amount <= ?6) GROUP BY buyer"
	  "  HAVING count(*) >= ?4 ORDER BY 2, 1",
	  "SELECT source, message, line, guid, record, key, amount"
	  "  FROM risk_parcels WHERE +run = ?1 AND buyer = ?2"
	  "  AND amount >= ?3 AND amount <= ?4 ORDER BY rowid" },
	{ "K-SPLIT-005", "buyer", "totalPrice",
	  "SELECT buyer || '@' || day || '@' || ebc, max(buyer_m), count(*)"
	  "  FROM risk_parcels WHERE run <= ?1 AND day BETWEEN ?2 AND ?3"
	  "  AND buyer != '' AND day IN (SELECT DISTINCT day FROM risk_parcels"
	  "  WHERE run = ?1) AND buyer IN (SELECT buyer FROM risk_parcels"
	  "  WHERE run = ?1) GROUP BY buyer, day, ebc HAVING count(*) >= ?4"
	  "  AND sum(amount) > ?6 AND max(amount) <= ?6 AND min(amount) >= ?5"
	  "  ORDER BY 2, 1",
	  "SELECT source, message, line, guid, record, key, amount"
	  "  FROM risk_parcels WHERE +run = ?1"
	  "  AND buyer = substr(?2, 1, instr(?2, '@') - 1)"
	  "  AND buyer || '@' || day || '@' || ebc = ?2 ORDER BY rowid" },
};

/* The single-transaction limit in force on the night's day (CNY). */
static double
single_limit(const struct risk *r)
{
	const struct policy_row *row = policy_at(r->quota, r->day);

	return row ? (double)row->single.v / 1e5 : 0;
}

/* One group that crossed: its findings and its score. */
static int
split_group(struct risk *r, const struct split *s, const struct rind *ind,
    const char *by, const char *label, long count, double lo, double hi)
{
	char entity[64];
	struct hit h;
	sqlite3_stmt *st;
	long n = 0;
	int rc;

	snprintf(entity, sizeof entity, "%s:%.12s", s->dim, by);
	h.ind = ind;
	h.dim = s->dim;
	h.entity = entity;
	h.label = label;
	h.value = (double)count;
	h.threshold = ind->threshold;
	h.baseline = hi;
	h.n = count;
	if ((st = store_prepare(r->st, s->records)) == NULL ||
	    store_bind(r->st, st, "it", r->run, by) != 0)
		return sqlfail(r);
	if (sqlite3_bind_parameter_count(st) >= 4) {
		sqlite3_bind_double(st, 3, lo);
		sqlite3_bind_double(st, 4, hi);
	}
	while ((rc = store_step(r->st, st)) == 1) {
		struct diag_loc loc;
		const char *x = store_text(st, 6);

		row_loc(st, 0, &loc);
		n++;
		switch (ind->id[10]) {	/* K-SPLIT-00n */
		case '1':
			rc = hit(&h, &loc, s->field, _("%ld buyer IDs ship to the "
			    "address %s within %ld days (this one: %s)"),
			    count, label, ind->window, x);
			break;
		case '2':
			rc = hit(&h, &loc, s->field, _("%ld buyer IDs give the "
			    "telephone %s within %ld days (this one: %s)"),
			    count, label, ind->window, x);
			break;
		case '3':
			rc = hit(&h, &loc, s->field, _("buyer %s ships to %ld "
			    "addresses within %ld days (this one: %s)"),
			    label, count, ind->window, x);
			break;
		case '4':
			rc = hit(&h, &loc, s->field, _("buyer %s: %ld inventories "
			    "within %ld days worth between %.2f and the "
			    "limit %.2f (this one: %.2f)"), label, count,
			    ind->window, lo, hi, sqlite3_column_double(st, 6));
			break;
		default:
			rc = hit(&h, &loc, s->field, _("buyer %s: %ld inventories "
			    "of one e-commerce company on one day, each between "
			    "%.2f and the limit %.2f, together over it (this "
			    "one: %.2f)"), label, count, lo, hi,
			    sqlite3_column_double(st, 6));
			break;
		}
		if (rc != 0) {
			sqlite3_reset(st);
			return -1;
		}
	}
	if (rc < 0)
		return sqlfail(r);
	return n ? score(r, &h) : 0;
}

static int
split(struct risk *r, const struct split *s)
{
	const struct rind *ind = rpolicy_at(&r->pol, s->id, r->day);
	double limit = single_limit(r), lo = 0, hi = 0;
	sqlite3_stmt *st;
	struct {
		char by[64], label[256];
		long count;
	} *g = NULL;
	size_t n = 0, cap = 0, i;
	int rc, ret = 0;

	if (ind == NULL)
		return 0;
	if (strcmp(s->id, "K-SPLIT-004") == 0) {
		lo = ind->param * limit;
		hi = limit;
	} else if (strcmp(s->id, "K-SPLIT-005") == 0) {
		lo = ind->param * limit;
		hi = limit;
	}
	if (limit <= 0 && hi > 0)
		return 0;
	if ((st = store_prepare(r->st, s->groups)) == NULL ||
	    store_bind(r->st, st, "iii", r->run,
	    (long long)window_lo(r, ind), (long long)r->day) != 0)
		return sqlfail(r);
	/* Every group tonight, for the distribution (observe()); only
	 * those at the threshold are findings. */
	sqlite3_bind_double(st, 4, 1);
	if (sqlite3_bind_parameter_count(st) >= 6) {
		sqlite3_bind_double(st, 5, lo);
		sqlite3_bind_double(st, 6, hi);
	}
	while ((rc = store_step(r->st, st)) == 1) {
		double count = sqlite3_column_double(st, 2);

		observe(ind, count, ind->threshold);
		if (count < ind->threshold)
			continue;
		if (n == cap) {
			size_t c = cap ? 2 * cap : 16;
			void *p = realloc(g, c * sizeof *g);

			if (p == NULL) {
				sqlite3_reset(st);
				free(g);
				diag_trouble(NULL, 0, _("out of memory"));
				return -1;
			}
			g = p;
			cap = c;
		}
		snprintf(g[n].by, sizeof g[n].by, "%s", store_text(st, 0));
		snprintf(g[n].label, sizeof g[n].label, "%s",
		    store_text(st, 1));
		g[n].count = (long)sqlite3_column_int64(st, 2);
		n++;
	}
	if (rc < 0)
		ret = sqlfail(r);
	for (i = 0; ret == 0 && i < n; i++)
		ret = split_group(r, s, ind, g[i].by, g[i].label, g[i].count,
		    lo, hi);
	free(g);
	return ret;
}

/* ---- enterprises ---- */

static const char *const roles[] = {
	"platform", "ebc", "logistics", "payment", "agent"
};

/*
 * What the rates of one enterprise are made of, over one window: its
 * records and, per kind (enum below), the events counted against them.
 */
enum {
	E_VALID, E_RECON, E_QUOTA, E_WOFF, E_REJ, E_UNDONE, E_NODEP,
	E_UNREL, E_NKIND
};

struct erate {
	char code[64];
	double recs, xrecs, ev[E_NKIND];	/* recs: 621, 411; xrecs: 603 */
};

static const char sql_rates[] =
"WITH rec AS (SELECT code,"
"    sum(CASE WHEN kind = 'records' THEN n ELSE 0 END) AS n,"
"    sum(CASE WHEN kind = 'export' THEN n ELSE 0 END) AS x"
"    FROM risk_records WHERE role = ?1 AND kind IN ('records', 'export')"
"    AND run <= ?2 AND day BETWEEN ?3 AND ?4 GROUP BY code),"
"  ev AS (SELECT code, sum(CASE WHEN kind = 'rejected' THEN n ELSE 0 END)"
"    AS rej, sum(CASE WHEN kind IN ('cancel', 'return') THEN n ELSE 0 END)"
"    AS und FROM risk_records WHERE role = ?1 AND run <= ?2"
"    AND day BETWEEN ?3 AND ?4 GROUP BY code),"
"  rep AS (SELECT p.code,"
"    count(DISTINCT CASE WHEN p.tool = 'ceb-validate' THEN f END) AS v,"
"    count(DISTINCT CASE WHEN p.tool = 'ceb-reconcile' THEN f END) AS c,"
"    count(DISTINCT CASE WHEN p.tool = 'ceb-quota-check' THEN f END) AS q,"
"    count(DISTINCT CASE WHEN p.tool = 'ceb-manifest-writeoff' THEN f END)"
"    AS w,"
"    count(DISTINCT CASE WHEN p.tool = 'ceb-manifest-writeoff'"
"      AND p.rule = 'W-DEP-001' THEN f END) AS nd,"
"    count(DISTINCT CASE WHEN p.tool = 'ceb-manifest-writeoff'"
"      AND p.rule IN ('W-REL-002', 'W-REL-003') THEN f END) AS nr"
"    FROM (SELECT *, rule || ' ' || coalesce(key, rowid) AS f"
"      FROM risk_reported) p JOIN risk_nights t ON t.run = p.run"
"    WHERE p.role = ?1 AND p.run <= ?2 AND t.day BETWEEN ?3 AND ?4"
"    GROUP BY p.code)"
"SELECT rec.code, rec.n, rec.x, coalesce(v, 0), coalesce(c, 0), coalesce(q, 0),"
"  coalesce(w, 0), coalesce(rej, 0), coalesce(und, 0), coalesce(nd, 0),"
"  coalesce(nr, 0)"
"  FROM rec LEFT JOIN rep USING(code) LEFT JOIN ev USING(code)"
"  ORDER BY rec.code";
/* Did the run bring the enterprise records or findings? */
static const char sql_tonight[] =
"SELECT 1 FROM risk_records WHERE run = ?1 AND role = ?2 AND code = ?3"
"  AND kind IN ('records', 'export') UNION ALL SELECT 1 FROM risk_reported"
"  WHERE run = ?1 AND role = ?2 AND code = ?3 LIMIT 1";

/* The rates of every enterprise of role over [lo, hi]; count in *n. */
static int
rates(struct risk *r, const char *role, long lo, long hi, struct erate **out,
    size_t *n)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc, k;

	*out = NULL;
	*n = 0;
	if ((st = store_prepare(r->st, sql_rates)) == NULL ||
	    store_bind(r->st, st, "tiii", role, r->run, (long long)lo,
	    (long long)hi) != 0)
		return sqlfail(r);
	while ((rc = store_step(r->st, st)) == 1) {
		struct erate *e;

		if (*n == cap) {
			size_t c = cap ? 2 * cap : 32;
			struct erate *p = realloc(*out, c * sizeof *p);

			if (p == NULL) {
				sqlite3_reset(st);
				diag_trouble(NULL, 0, _("out of memory"));
				return -1;
			}
			*out = p;
			cap = c;
		}
		e = &(*out)[(*n)++];
		snprintf(e->code, sizeof e->code, "%s", store_text(st, 0));
		e->recs = sqlite3_column_double(st, 1);
		e->xrecs = sqlite3_column_double(st, 2);
		for (k = 0; k < E_NKIND; k++)
			e->ev[k] = sqlite3_column_double(st, 3 + k);
	}
	return rc < 0 ? sqlfail(r) : 0;
}

/* Every finding and rejection (K-ENT-007 and 008): the write-off
 * findings hold the not departed and the unreleased already. */
static double
all_count(const struct erate *e)
{
	return e->ev[E_VALID] + e->ev[E_RECON] + e->ev[E_QUOTA] +
	    e->ev[E_WOFF] + e->ev[E_REJ];
}

/* The count of kind k (E_NKIND: all findings). */
static double
kind_count(const struct erate *e, int k)
{
	return k == E_NKIND ? all_count(e) : e->ev[k];
}

/*
 * The records a kind is counted against: the write-off findings are
 * about export inventories, the others about the import records (an
 * enterprise with both is judged on each against its own).
 */
static double
kind_recs(const struct erate *e, int k)
{
	return k == E_NKIND ? e->recs + e->xrecs :
	    k == E_WOFF || k == E_NODEP || k == E_UNREL ? e->xrecs : e->recs;
}

static const struct erate *
find_rate(const struct erate *v, size_t n, const char *code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].code, code) == 0)
			return &v[i];
	return NULL;
}

static int
tonight(struct risk *r, const char *role, const char *code)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = store_prepare(r->st, sql_tonight)) == NULL ||
	    store_bind(r->st, st, "itt", r->run, role, code) != 0)
		return -1;
	rc = store_step(r->st, st);
	if (rc == 1)
		sqlite3_reset(st);
	return rc;
}

/* e to the power -x, x >= 0, without libm: halve x to 0.5 at most, a
 * Taylor series, square back. */
static double
exp_neg(double x)
{
	double t = 1, s = 1;
	int k = 0, i;

	while (x > 0.5) {
		x /= 2;
		k++;
	}
	for (i = 1; i < 20; i++) {
		t *= -x / i;
		s += t;
	}
	while (k-- > 0)
		s *= s;
	return s;
}

/*
 * Is a count of events over recs records more than chance allows when
 * the true rate is base per record?  The expected count is
 * lambda = base * recs (base at least half an event over the records it
 * was measured on: a baseline of zero is an estimate too), and the
 * chance of a Poisson count of mean lambda reaching count must be at
 * most ENT_P: exactly for lambda up to 100, beyond by the normal
 * approximation (count - lambda >= 3.29 sqrt(lambda), squared here).
 * ENT_P = 0.05 %: on a clean history with five roles, tens of
 * enterprises and ten indicators, a false alarm a night is rare.
 */
#define ENT_P 0.0005
#define ENT_Z2 (3.29 * 3.29)

static int
surprising(double count, double recs, double base, double base_recs)
{
	double lambda, p, below = 0;
	long i;

	if (base_recs > 0 && base < 0.5 / base_recs)
		base = 0.5 / base_recs;
	lambda = base * recs;
	if (count <= lambda)
		return 0;
	if (lambda > 100)
		return (count - lambda) * (count - lambda) >= ENT_Z2 * lambda;
	p = exp_neg(lambda);
	for (i = 0; i < (long)count; i++) {
		below += p;
		p *= lambda / (double)(i + 1);
	}
	return 1 - below <= ENT_P;
}

/* A finding and a score for enterprise e of role. */
static int
ent_hit(struct risk *r, const char *role, const struct rind *ind,
    const struct erate *e, double value, double base, double n,
    const char *what)
{
	struct diag_loc loc;
	struct hit h;

	memset(&loc, 0, sizeof loc);
	loc.key = e->code;
	h.ind = ind;
	h.dim = role;
	h.entity = e->code;
	h.label = e->code;
	h.value = value;
	h.threshold = ind->threshold;
	h.baseline = base;
	h.n = (long)n;
	if (hit(&h, &loc, NULL, _("%s %s: %s %.1f per 1,000 of %ld records "
	    "(threshold %.1f, baseline %.1f)"), role, e->code, what, value,
	    (long)n, ind->threshold, base) != 0)
		return -1;
	return score(r, &h);
}

/* K-ENT-011: a finding and a score for the rule of enterprise code. */
static int
rule_hit(struct risk *r, const char *role, const struct rind *ind,
    const char *code, const char *rule, double value, double base, double n)
{
	struct diag_loc loc;
	struct hit h;

	memset(&loc, 0, sizeof loc);
	loc.key = code;
	h.ind = ind;
	h.dim = role;
	h.entity = code;
	h.label = code;
	h.value = value;
	h.threshold = ind->threshold;
	h.baseline = base;
	h.n = (long)n;
	if (hit(&h, &loc, NULL, _("%s %s: findings of rule %s %.1f per 1,000 "
	    "of %ld records (threshold %.1f, the others %.1f)"), role, code,
	    rule, value, (long)n, ind->threshold, base) != 0)
		return -1;
	return score(r, &h);
}

/*
 * The indicators of the enterprises, judged per role (an enterprise is
 * compared with the enterprises of its role only) on the rate per 1,000
 * of the enterprise's records in the window:
 *  - K-ENT-001..006, 009, 010 and 008 against the peers: the rate is at
 *    least the threshold, at least param times the rate of the other
 *    enterprises of the role (together), and more than chance allows at
 *    their rate (surprising());
 *  - K-ENT-007 against its own past: the window before, at least
 *    threshold times its rate and param per 1,000 more, and more than
 *    chance allows at that rate.
 * Only enterprises with min_n records in the window and records tonight
 * are judged, and the peers are those with min_n records: at least two
 * of them, else there is nothing to compare with.
 */
static const struct ent_ind {
	const char *id;
	int kind;		/* E_*, E_NKIND: every finding */
	int own_past;		/* against the window before */
	const char *what;
} ent_inds[] = {
	{ "K-ENT-001", E_VALID, 0, N_("validation findings") },
	{ "K-ENT-002", E_RECON, 0, N_("reconciliation findings") },
	{ "K-ENT-003", E_QUOTA, 0, N_("quota findings") },
	{ "K-ENT-004", E_WOFF, 0, N_("write-off findings") },
	{ "K-ENT-005", E_REJ, 0, N_("customs rejections") },
	{ "K-ENT-006", E_UNDONE, 0, N_("cancels and returns") },
	{ "K-ENT-007", E_NKIND, 1,
	  N_("findings, against its own window before,") },
	{ "K-ENT-008", E_NKIND, 0, N_("findings, against its peers,") },
	{ "K-ENT-009", E_NODEP, 0, N_("parcels that did not depart") },
	{ "K-ENT-010", E_UNREL, 0, N_("parcels that left without release") },
};

static int
ent_judge(struct risk *r, const char *role, const struct ent_ind *x)
{
	const struct rind *ind = rpolicy_at(&r->pol, x->id, r->day);
	struct erate *cur = NULL, *prev = NULL;
	size_t nc = 0, np = 0, i, peers = 0;
	double sum_c = 0, sum_r = 0;
	long lo;
	int rc = 0;

	if (ind == NULL)
		return 0;
	lo = window_lo(r, ind);
	if (rates(r, role, lo, r->day, &cur, &nc) != 0)
		return -1;
	if (x->own_past && rates(r, role, ymd_add(lo, -ind->window),
	    ymd_add(lo, -1), &prev, &np) != 0) {
		free(cur);
		return -1;
	}
	for (i = 0; i < nc; i++)
		if (kind_recs(&cur[i], x->kind) >= ind->min_n) {
			peers++;
			sum_c += kind_count(&cur[i], x->kind);
			sum_r += kind_recs(&cur[i], x->kind);
		}
	for (i = 0; i < nc && rc == 0; i++) {
		const struct erate *e = &cur[i], *p;
		double c = kind_count(e, x->kind), n = kind_recs(e, x->kind);
		double rate, base, br;
		int t, cross;

		if (n < ind->min_n)
			continue;
		rate = 1000 * c / n;
		if (x->own_past) {
			p = find_rate(prev, np, e->code);
			if (p == NULL || kind_recs(p, x->kind) < ind->min_n)
				continue;
			br = kind_recs(p, x->kind);
			base = kind_count(p, x->kind) / br;
			/* the ratio to its own past (0.5 a finding at least) */
			observe(ind, rate / (1000 * (base > 0 ? base :
			    0.5 / br)), ind->threshold);
			cross = c > 0 && rate - 1000 * base >= ind->param &&
			    rate >= ind->threshold * 1000 * base;
		} else {
			observe(ind, rate, ind->threshold);
			if (peers < 3 || c == 0)	/* itself and two others */
				continue;
			br = sum_r - n;
			base = (sum_c - c) / br;
			cross = rate >= ind->threshold &&
			    rate >= ind->param * 1000 * base;
		}
		if (!cross || !surprising(c, n, base, br))
			continue;
		if ((t = tonight(r, role, e->code)) < 0)
			rc = sqlfail(r);
		else if (t > 0)
			rc = ent_hit(r, role, ind, e, rate, 1000 * base, n,
			    _(x->what));
	}
	free(cur);
	free(prev);
	return rc;
}

/*
 * The goods' finding rates: per HS code (8 digits), the findings of the
 * reports on the inventories that declare it per 1,000 of them, against
 * the other codes, judged as the enterprises are (the role "goods").
 */
static const struct ent_ind goods_inds[] = {
	{ "K-GOODS-004", E_VALID, 0, N_("validation findings") },
	{ "K-GOODS-005", E_RECON, 0, N_("reconciliation findings") },
	{ "K-GOODS-006", E_QUOTA, 0, N_("quota findings") },
};

/*
 * K-ENT-011: one rule's findings per 1,000 of the enterprise's records
 * (export records for a write-off rule, import records for the others)
 * against the other enterprises of its role, judged
 * as K-ENT-001 is; a finding names the rule.  An enterprise crossing for
 * two rules counts the indicator's weight once.
 */
static const char sql_rules[] =
"WITH rec AS (SELECT code,"
"    sum(CASE WHEN kind = 'records' THEN n ELSE 0 END) AS n,"
"    sum(CASE WHEN kind = 'export' THEN n ELSE 0 END) AS x"
"    FROM risk_records WHERE role = ?1 AND kind IN ('records', 'export')"
"    AND run <= ?2 AND day BETWEEN ?3 AND ?4 GROUP BY code),"
"  rep AS (SELECT p.code, p.rule, max(p.tool = 'ceb-manifest-writeoff')"
"    AS exp, count(DISTINCT coalesce(p.key, p.rowid)) AS c"
"    FROM risk_reported p JOIN risk_nights t ON t.run = p.run"
"    WHERE p.role = ?1 AND p.run <= ?2 AND t.day BETWEEN ?3 AND ?4"
"    GROUP BY p.code, p.rule)"
"SELECT rep.rule, rec.code, CASE WHEN exp THEN rec.x ELSE rec.n END, rep.c,"
"  exp FROM rep JOIN rec USING(code) ORDER BY rep.rule, rec.code";

static int
rule_judge(struct risk *r, const char *role)
{
	const struct rind *ind = rpolicy_at(&r->pol, "K-ENT-011", r->day);
	struct erate *cur = NULL;
	size_t nc = 0, i, peers[2] = { 0, 0 };
	double sum_r[2] = { 0, 0 };
	sqlite3_stmt *st;
	struct rrow {
		char rule[24], code[64];
		double n, c;
		int exp;
	} *v = NULL;
	size_t nv = 0, cap = 0, a, b;
	long lo;
	int rc = 0;

	if (ind == NULL)
		return 0;
	lo = window_lo(r, ind);
	/* the peers: every enterprise of the role with min_n records (of
	 * import, of export) */
	if (rates(r, role, lo, r->day, &cur, &nc) != 0)
		return -1;
	for (i = 0; i < nc; i++) {
		if (cur[i].recs >= ind->min_n) {
			peers[0]++;
			sum_r[0] += cur[i].recs;
		}
		if (cur[i].xrecs >= ind->min_n) {
			peers[1]++;
			sum_r[1] += cur[i].xrecs;
		}
	}
	free(cur);
	if ((st = store_prepare(r->st, sql_rules)) == NULL ||
	    store_bind(r->st, st, "tiii", role, r->run, (long long)lo,
	    (long long)r->day) != 0)
		return sqlfail(r);
	while ((rc = store_step(r->st, st)) == 1) {
		if (sqlite3_column_double(st, 2) < ind->min_n)
			continue;
		if (nv == cap) {
			size_t c = cap ? 2 * cap : 64;
			struct rrow *p = realloc(v, c * sizeof *p);

			if (p == NULL) {
				sqlite3_reset(st);
				free(v);
				diag_trouble(NULL, 0, _("out of memory"));
				return -1;
			}
			v = p;
			cap = c;
		}
		snprintf(v[nv].rule, sizeof v[nv].rule, "%s",
		    store_text(st, 0));
		snprintf(v[nv].code, sizeof v[nv].code, "%s",
		    store_text(st, 1));
		v[nv].n = sqlite3_column_double(st, 2);
		v[nv].c = sqlite3_column_double(st, 3);
		v[nv].exp = sqlite3_column_int(st, 4) != 0;
		nv++;
	}
	if (rc < 0) {
		free(v);
		return sqlfail(r);
	}
	rc = 0;
	/* one rule at a time: v[a..b) */
	for (a = 0; a < nv && rc == 0; a = b) {
		double sum_c = 0;

		for (b = a; b < nv && strcmp(v[b].rule, v[a].rule) == 0; b++)
			sum_c += v[b].c;
		for (i = a; i < b && rc == 0; i++) {
			double rate = 1000 * v[i].c / v[i].n;
			double br = sum_r[v[i].exp] - v[i].n;
			double base = br > 0 ? (sum_c - v[i].c) / br : 0;
			int t;

			observe(ind, rate, ind->threshold);
			if (peers[v[i].exp] < 3 || br <= 0 ||
			    rate < ind->threshold ||
			    rate < ind->param * 1000 * base ||
			    !surprising(v[i].c, v[i].n, base, br))
				continue;
			if ((t = tonight(r, role, v[i].code)) < 0)
				rc = sqlfail(r);
			else if (t > 0)
				rc = rule_hit(r, role, ind, v[i].code, v[i].rule,
				    rate, 1000 * base, v[i].n);
		}
	}
	free(v);
	return rc;
}

static int
role_judge(struct risk *r, const char *role)
{
	size_t k;

	for (k = 0; k < sizeof ent_inds / sizeof ent_inds[0]; k++)
		if (ent_judge(r, role, &ent_inds[k]) != 0)
			return -1;
	return rule_judge(r, role);
}

int
judge_run(struct risk *r)
{
	size_t i;

	jr = r;
	nhits = 0;
	judge_free();
	obs_oom = 0;

	/* A rerun judges again what the run it repeats judged. */
	for (i = 0; i < 2; i++) {
		sqlite3_stmt *st = store_prepare(r->st, i ?
		    "DELETE FROM risk_hits WHERE run = ?1" :
		    "DELETE FROM risk_scores WHERE run = ?1");

		if (st == NULL || store_bind(r->st, st, "i", r->run) != 0 ||
		    store_step(r->st, st) < 0)
			return sqlfail(r);
	}
	if (r->day == 0)
		return 0;	/* nothing dated tonight: nothing to judge */
	if (goods(r) != 0)
		return -1;
	for (i = 0; i < sizeof splits / sizeof splits[0]; i++)
		if (split(r, &splits[i]) != 0)
			return -1;
	for (i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (role_judge(r, roles[i]) != 0)
			return -1;
	for (i = 0; i < sizeof goods_inds / sizeof goods_inds[0]; i++)
		if (ent_judge(r, "goods", &goods_inds[i]) != 0)
			return -1;
	if (obs_oom) {
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	}
	diag_tally(_("risk findings"), nhits);
	return 0;
}
