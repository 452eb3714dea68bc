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

static const char sql_hit[] =
"INSERT INTO risk_hits(run, dimension, entity, indicator, source, message,"
"  line, record, key, field, detail) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

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
};

static const char sql_groups[] =
"SELECT DISTINCT hs8, unit FROM risk_goods WHERE run = ?1 ORDER BY 1, 2";
static const char sql_hist[] =
"SELECT price, wpu, day FROM risk_goods WHERE hs8 = ?1 AND unit = ?2"
"  AND run <= ?3 AND day BETWEEN ?4 AND ?5";
static const char sql_origin[] =
"SELECT count(*), sum(country = ?6) FROM risk_goods WHERE hs8 = ?1"
"  AND unit = ?2 AND run <= ?3 AND day BETWEEN ?4 AND ?5";
static const char sql_night_lines[] =
"SELECT price, wpu, country, ebc, source, message, line, guid, record, key"
"  FROM risk_goods WHERE run = ?1 AND hs8 = ?2 AND unit = ?3"
"  ORDER BY rowid";

static int
history(struct risk *r, const char *hs8, const char *unit,
    const struct rind *i1, const struct rind *i2, struct ghist *g)
{
	long lo1 = i1 ? window_lo(r, i1) : 99999999;
	long lo2 = i2 ? window_lo(r, i2) : 99999999;
	sqlite3_stmt *st;
	int rc;

	if ((st = store_prepare(r->st, sql_hist)) == NULL ||
	    store_bind(r->st, st, "ttiii", hs8, unit, r->run,
	    (long long)(lo1 < lo2 ? lo1 : lo2), (long long)r->day) != 0)
		return sqlfail(r);
	while ((rc = store_step(r->st, st)) == 1) {
		double p = sqlite3_column_double(st, 0);
		long day = (long)sqlite3_column_int64(st, 2);

		if (day >= lo1 && p > 0 && push(&g->lp, p) != 0)
			goto oom;
		if (day >= lo2 && sqlite3_column_type(st, 1) != SQLITE_NULL &&
		    push(&g->w, sqlite3_column_double(st, 1)) != 0)
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

/* The share of country among the code's lines in the window: 0 or -1. */
static int
origin_share(struct risk *r, const char *hs8, const char *unit,
    const struct rind *ind, const char *country, long *n, long *k)
{
	sqlite3_stmt *st;

	if ((st = store_prepare(r->st, sql_origin)) == NULL ||
	    store_bind(r->st, st, "ttiiit", hs8, unit, r->run,
	    (long long)window_lo(r, ind), (long long)r->day, country) != 0 ||
	    store_step(r->st, st) != 1)
		return sqlfail(r);
	*n = (long)sqlite3_column_int64(st, 0);
	*k = (long)sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return 0;
}

/* One code and unit: every line of the night against its history. */
static int
goods_group(struct risk *r, const char *hs8, const char *unit)
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
	if (history(r, hs8, unit, i1, i2, &g) != 0)
		goto out;
	if ((st = store_prepare(r->st, sql_night_lines)) == NULL ||
	    store_bind(r->st, st, "itt", r->run, hs8, unit) != 0) {
		sqlfail(r);
		goto out;
	}
	while ((rc = store_step(r->st, st)) == 1) {
		double p = sqlite3_column_double(st, 0);
		double med = g.med_p, low = g.q_p;
		struct diag_loc loc;
		struct hit h = { NULL, "goods", entity, entity, 0, 0, 0, 0 };

		row_loc(st, 4, &loc);
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
			if (origin_share(r, hs8, unit, i3, country, &n,
			    &k) != 0)
				goto reset;
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
	return ret;
}

static int
goods(struct risk *r)
{
	sqlite3_stmt *st;
	char **hs = NULL;
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

			if (p == NULL) {
				sqlite3_reset(st);
				ret = -1;
				break;
			}
			hs = p;
			cap = c;
		}
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
		ret = goods_group(r, hs[i], hs[i + 1]);
	for (i = 0; i < n; i++)
		free(hs[i]);
	free(hs);
	return ret;
}

/* ---- parcel splitting and quota abuse ---- */

/*
 * The groups of the split indicators: the parcels within the window that
 * share `by`, counted by `what` (distinct values, or parcels), where `by`
 * appears tonight.  ?1 run, ?2 first day, ?3 night's day, ?4 threshold,
 * ?5 .. ?6 the amounts a parcel must lie within (K-SPLIT-004).
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
	  "  FROM risk_parcels WHERE run = ?1 AND addr = ?2 ORDER BY rowid" },
	{ "K-SPLIT-002", "phone", "buyerTelephone",
	  "SELECT phone, max(phone_m), count(DISTINCT buyer) FROM risk_parcels"
	  "  WHERE run <= ?1 AND day BETWEEN ?2 AND ?3 AND phone != ''"
	  "  AND buyer != '' AND phone IN (SELECT phone FROM risk_parcels"
	  "  WHERE run = ?1) GROUP BY phone"
	  "  HAVING count(DISTINCT buyer) >= ?4 ORDER BY 2, 1",
	  "SELECT source, message, line, guid, record, key, buyer_m"
	  "  FROM risk_parcels WHERE run = ?1 AND phone = ?2 ORDER BY rowid" },
	{ "K-SPLIT-003", "buyer", "buyerIdNumber",
	  "SELECT buyer, max(buyer_m), count(DISTINCT addr) FROM risk_parcels"
	  "  WHERE run <= ?1 AND day BETWEEN ?2 AND ?3 AND buyer != ''"
	  "  AND addr != '' AND buyer IN (SELECT buyer FROM risk_parcels"
	  "  WHERE run = ?1) GROUP BY buyer"
	  "  HAVING count(DISTINCT addr) >= ?4 ORDER BY 2, 1",
	  "SELECT source, message, line, guid, record, key, addr_m"
	  "  FROM risk_parcels WHERE run = ?1 AND buyer = ?2 ORDER BY rowid" },
	{ "K-SPLIT-004", "buyer", "totalPrice",
	  "SELECT buyer, max(buyer_m), count(*) FROM risk_parcels"
	  "  WHERE run <= ?1 AND day BETWEEN ?2 AND ?3 AND buyer != ''"
	  "  AND amount >= ?5 AND amount <= ?6"
	  "  AND buyer IN (SELECT buyer FROM risk_parcels WHERE run = ?1"
	  "  AND amount >= ?5 AND amount <= ?6) GROUP BY buyer"
	  "  HAVING count(*) >= ?4 ORDER BY 2, 1",
	  "SELECT source, message, line, guid, record, key, amount"
	  "  FROM risk_parcels WHERE run = ?1 AND buyer = ?2"
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
	  "  FROM risk_parcels WHERE run = ?1"
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
	sqlite3_bind_double(st, 4, ind->threshold);
	if (sqlite3_bind_parameter_count(st) >= 6) {
		sqlite3_bind_double(st, 5, lo);
		sqlite3_bind_double(st, 6, hi);
	}
	while ((rc = store_step(r->st, st)) == 1) {
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
 * records, the findings of the reports of ceb-validate, ceb-reconcile,
 * ceb-quota-check and ceb-manifest-writeoff (K-ENT-001 .. 004 in order),
 * its customs rejections and its cancels and returns.
 */
struct erate {
	char code[64];
	double recs, f[4], rejected, undone;
};

static const char sql_rates[] =
"WITH rec AS (SELECT code, sum(n) AS n FROM risk_records WHERE role = ?1"
"    AND kind = 'records' AND run <= ?2 AND day BETWEEN ?3 AND ?4"
"    GROUP BY code),"
"  ev AS (SELECT code, sum(CASE WHEN kind = 'rejected' THEN n ELSE 0 END)"
"    AS rej, sum(CASE WHEN kind IN ('cancel', 'return') THEN n ELSE 0 END)"
"    AS und FROM risk_records WHERE role = ?1 AND run <= ?2"
"    AND day BETWEEN ?3 AND ?4 GROUP BY code),"
"  rep AS (SELECT p.code,"
"    sum(CASE WHEN p.tool = 'ceb-validate' THEN p.n ELSE 0 END) AS v,"
"    sum(CASE WHEN p.tool = 'ceb-reconcile' THEN p.n ELSE 0 END) AS c,"
"    sum(CASE WHEN p.tool = 'ceb-quota-check' THEN p.n ELSE 0 END) AS q,"
"    sum(CASE WHEN p.tool = 'ceb-manifest-writeoff' THEN p.n ELSE 0 END)"
"    AS w FROM risk_reported p JOIN risk_nights t ON t.run = p.run"
"    WHERE p.role = ?1 AND p.run <= ?2 AND t.day BETWEEN ?3 AND ?4"
"    GROUP BY p.code)"
"SELECT rec.code, rec.n, coalesce(v, 0), coalesce(c, 0), coalesce(q, 0),"
"  coalesce(w, 0), coalesce(rej, 0), coalesce(und, 0)"
"  FROM rec LEFT JOIN rep USING(code) LEFT JOIN ev USING(code)"
"  ORDER BY rec.code";
static const char sql_tonight[] =
"SELECT 1 FROM risk_records WHERE run = ?1 AND role = ?2 AND code = ?3"
"  AND kind = 'records' LIMIT 1";

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
		for (k = 0; k < 4; k++)
			e->f[k] = sqlite3_column_double(st, 2 + k);
		e->rejected = sqlite3_column_double(st, 6);
		e->undone = sqlite3_column_double(st, 7);
	}
	return rc < 0 ? sqlfail(r) : 0;
}

/* Every finding per 1,000 records (K-ENT-007 and 008). */
static double
all_rate(const struct erate *e)
{
	return e->recs > 0 ? 1000 * (e->f[0] + e->f[1] + e->f[2] + e->f[3] +
	    e->rejected) / e->recs : 0;
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

/* A finding and a score for enterprise e of role. */
static int
ent_hit(struct risk *r, const char *role, const struct rind *ind,
    const struct erate *e, double value, double base, const char *what)
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
	h.n = (long)e->recs;
	if (hit(&h, &loc, NULL, _("%s %s: %s %.1f per 1,000 of %ld records "
	    "(threshold %.1f, baseline %.1f)"), role, e->code, what, value,
	    (long)e->recs, ind->threshold, base) != 0)
		return -1;
	return score(r, &h);
}

static int
cmp_rate(const void *a, const void *b)
{
	return cmp_dbl(a, b);
}

/* The indicators of one role. */
static int
role_judge(struct risk *r, const char *role)
{
	static const char *const ids[] = {
		"K-ENT-001", "K-ENT-002", "K-ENT-003", "K-ENT-004",
		"K-ENT-005", "K-ENT-006", "K-ENT-007", "K-ENT-008"
	};
	const char *what[8];
	size_t k;

	what[0] = _("validation findings");
	what[1] = _("reconciliation findings");
	what[2] = _("quota findings");
	what[3] = _("write-off findings");
	what[4] = _("customs rejections");
	what[5] = _("cancels and returns");
	what[6] = _("findings, against the window before,");
	what[7] = _("findings, against the median of its peers,");
	for (k = 0; k < 8; k++) {
		const struct rind *ind = rpolicy_at(&r->pol, ids[k], r->day);
		long lo;
		struct erate *cur = NULL, *prev = NULL;
		size_t nc = 0, np = 0, i;
		double med = 0;

		if (ind == NULL)
			continue;
		lo = window_lo(r, ind);
		if (rates(r, role, lo, r->day, &cur, &nc) != 0)
			return -1;
		if (k == 6 && rates(r, role, ymd_add(lo, -ind->window),
		    ymd_add(lo, -1), &prev, &np) != 0) {
			free(cur);
			return -1;
		}
		if (k == 7) {
			double *v = malloc((nc + 1) * sizeof *v);
			size_t m = 0;

			if (v == NULL) {
				free(cur);
				diag_trouble(NULL, 0, _("out of memory"));
				return -1;
			}
			for (i = 0; i < nc; i++)
				if (cur[i].recs >= ind->min_n)
					v[m++] = all_rate(&cur[i]);
			/* Peers: at least three enterprises to compare. */
			if (m >= 3) {
				qsort(v, m, sizeof *v, cmp_rate);
				med = m % 2 ? v[m / 2] :
				    (v[m / 2 - 1] + v[m / 2]) / 2;
			} else
				med = -1;
			free(v);
		}
		for (i = 0; i < nc; i++) {
			const struct erate *e = &cur[i];
			double rate, base = 0;
			int t, cross = 0;

			if (e->recs < ind->min_n)
				continue;
			if ((t = tonight(r, role, e->code)) < 0) {
				free(cur);
				free(prev);
				return sqlfail(r);
			}
			if (t == 0)
				continue;
			if (k < 4)
				rate = 1000 * e->f[k] / e->recs;
			else if (k == 4)
				rate = 1000 * e->rejected / e->recs;
			else if (k == 5)
				rate = 1000 * e->undone / e->recs;
			else
				rate = all_rate(e);
			if (k < 6) {
				cross = rate >= ind->threshold;
			} else if (k == 6) {
				const struct erate *p = find_rate(prev, np,
				    e->code);

				if (p && p->recs >= ind->min_n) {
					base = all_rate(p);
					cross = rate - base >= ind->param &&
					    (base == 0 || rate / base >=
					    ind->threshold);
				}
			} else if (med >= 0) {
				base = med;
				cross = rate >= ind->param &&
				    rate >= ind->threshold * med;
			}
			if (cross && ent_hit(r, role, ind, e, rate, base,
			    what[k]) != 0) {
				free(cur);
				free(prev);
				return -1;
			}
		}
		free(cur);
		free(prev);
	}
	return 0;
}

int
judge_run(struct risk *r)
{
	size_t i;

	jr = r;
	nhits = 0;

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
	diag_tally(_("risk findings"), nhits);
	return 0;
}
