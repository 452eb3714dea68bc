/*
 * tax.c: the rates table and the cross-border retail import tax (see
 * tax.h for the formulas and the contract).
 *
 * The table has two kinds of row (tables/tax-rates.csv explains them in
 * its comments): "vat" rows give the rate of a VAT class (standard, low)
 * over a period; "goods" rows give an HS prefix its VAT class, its CT and
 * threshold and its MFN tariff over a period.  The rows are few (under a
 * hundred), so the goods rows are kept sorted by prefix and a code is
 * looked up by binary search for each of its prefixes, longest first.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "i18n.h"
#include "policy.h"
#include "tax.h"

#define ONE ((__int128)100000)	/* 1 in dec units */

struct vrow {			/* a VAT class over a period */
	char cls[16];
	long from, to;		/* YYYYMMDD; 0 and 99991231 when open */
	struct dec vat;
};

struct grow {			/* an HS prefix over a period */
	char prefix[12];
	char cls[16];
	long from, to;
	int has_vat;		/* a vat cell overrides the class */
	struct dec vat;
	struct dec ct, threshold, tariff;
	int has_tariff;
	int specific;		/* a specific CT: not computed */
	char *units, *source;
};

struct tax_table {
	struct vrow *v;
	size_t nv;
	struct grow *g;		/* sorted by prefix, then from */
	size_t ng;
};

const char *
tax_strwhy(enum tax_why w)
{
	switch (w) {
	case TAX_KNOWN:
		return "rate known";
	case TAX_NO_ROW:
		return "no rate for this HS code";
	case TAX_NOT_IN_FORCE:
		return "no rate in force on that day";
	case TAX_SPECIFIC:
		return "a specific consumption tax (per quantity), not computed";
	default:
		return "not an HS code of digits";
	}
}

/* ---- loading ---- */

/* A decimal cell: 0 and *d; 1 when empty (*d = 0); -1 when bad. */
static int
cell_dec(const char *s, struct dec *d)
{
	*d = dec_from_int(0);
	if (*s == '\0')
		return 1;
	return dec_parse_str(s, d) == DEC_OK && dec_sign(*d) >= 0 ? 0 : -1;
}

/* A rate is a decimal 0 <= r < 1 (a CT of 1 would divide by zero). */
static int
cell_rate(const char *s, struct dec *d)
{
	int rc = cell_dec(s, d);

	if (rc == 0 && d->v >= ONE)
		return -1;
	return rc;
}

static int
cell_day(const char *s, long *day, long open)
{
	if (*s == '\0') {
		*day = open;
		return 0;
	}
	*day = policy_parse_day(s);
	return *day < 0 ? -1 : 0;
}

static int
digits_only(const char *s, size_t min, size_t max)
{
	size_t i, n = strlen(s);

	if (n < min || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
cmp_grow(const void *a, const void *b)
{
	const struct grow *x = a, *y = b;
	int c = strcmp(x->prefix, y->prefix);

	if (c != 0)
		return c;
	return (x->from > y->from) - (x->from < y->from);
}

/* The columns, found by name. */
enum { C_KIND, C_PREFIX, C_CLASS, C_FROM, C_TO, C_VAT, C_CT, C_SPEC,
	C_THRESH, C_UNITS, C_TARIFF, C_SOURCE, NCOLS };
static const char *const colnames[NCOLS] = { "kind", "hs_prefix",
	"vat_class", "valid_from", "valid_to", "vat", "ct", "ct_specific",
	"ct_threshold", "ct_units", "tariff", "source" };

static int
load_row(struct tax_table *t, struct csvio *c, const int *col, char *err,
    size_t n)
{
	const char *v[NCOLS];
	long from, to;
	int i;

	for (i = 0; i < NCOLS; i++)
		v[i] = col[i] >= 0 ? csvio_get(c, col[i]) : "";
	if (cell_day(v[C_FROM], &from, 0) != 0 ||
	    cell_day(v[C_TO], &to, 99991231) != 0 || to < from) {
		snprintf(err, n, _("line %ld: valid_from and valid_to must be "
		    "days YYYY-MM-DD, from before to"), csvio_line(c));
		return -1;
	}
	if (strcmp(v[C_CLASS], "standard") != 0 &&
	    strcmp(v[C_CLASS], "low") != 0) {
		snprintf(err, n, _("line %ld: vat_class must be standard or "
		    "low"), csvio_line(c));
		return -1;
	}
	if (strcmp(v[C_KIND], "vat") == 0) {
		struct vrow *nv, r;

		memset(&r, 0, sizeof r);
		snprintf(r.cls, sizeof r.cls, "%s", v[C_CLASS]);
		r.from = from;
		r.to = to;
		if (cell_rate(v[C_VAT], &r.vat) != 0) {
			snprintf(err, n, _("line %ld: a vat row needs a rate "
			    "0 <= vat < 1"), csvio_line(c));
			return -1;
		}
		if ((nv = realloc(t->v, (t->nv + 1) * sizeof *nv)) == NULL)
			goto nomem;
		t->v = nv;
		t->v[t->nv++] = r;
		return 0;
	}
	if (strcmp(v[C_KIND], "goods") == 0) {
		struct grow *ng, r;
		int rv, rc, rt, rx;

		memset(&r, 0, sizeof r);
		if (!digits_only(v[C_PREFIX], 2, 10)) {
			snprintf(err, n, _("line %ld: hs_prefix must be 2 to "
			    "10 digits"), csvio_line(c));
			return -1;
		}
		snprintf(r.prefix, sizeof r.prefix, "%s", v[C_PREFIX]);
		snprintf(r.cls, sizeof r.cls, "%s", v[C_CLASS]);
		r.from = from;
		r.to = to;
		rv = cell_rate(v[C_VAT], &r.vat);
		rc = cell_rate(v[C_CT], &r.ct);
		rx = cell_dec(v[C_THRESH], &r.threshold);
		rt = cell_rate(v[C_TARIFF], &r.tariff);
		if (rv < 0 || rc < 0 || rx < 0 || rt < 0 ||
		    (rx == 0 && *v[C_UNITS] == '\0')) {
			snprintf(err, n, _("line %ld: vat, ct and tariff must "
			    "be rates 0 <= r < 1, ct_threshold an amount with "
			    "its ct_units"), csvio_line(c));
			return -1;
		}
		r.has_vat = rv == 0;
		r.has_tariff = rt == 0;
		r.specific = *v[C_SPEC] != '\0';
		if ((r.units = strdup(v[C_UNITS])) == NULL ||
		    (r.source = strdup(v[C_SOURCE])) == NULL) {
			free(r.units);
			goto nomem;
		}
		if ((ng = realloc(t->g, (t->ng + 1) * sizeof *ng)) == NULL) {
			free(r.units);
			free(r.source);
			goto nomem;
		}
		t->g = ng;
		t->g[t->ng++] = r;
		return 0;
	}
	snprintf(err, n, _("line %ld: kind must be vat or goods"),
	    csvio_line(c));
	return -1;
nomem:
	snprintf(err, n, _("out of memory"));
	return -1;
}

/* Two rows of one key in force on one day: the table contradicts itself. */
static int
check_overlaps(const struct tax_table *t, char *err, size_t n)
{
	size_t i, j;

	for (i = 1; i < t->ng; i++)
		if (strcmp(t->g[i].prefix, t->g[i - 1].prefix) == 0 &&
		    t->g[i].from <= t->g[i - 1].to) {
			snprintf(err, n, _("two rows of HS prefix %s are in "
			    "force on %ld"), t->g[i].prefix, t->g[i].from);
			return -1;
		}
	for (i = 0; i < t->nv; i++)
		for (j = i + 1; j < t->nv; j++)
			if (strcmp(t->v[i].cls, t->v[j].cls) == 0 &&
			    t->v[i].from <= t->v[j].to &&
			    t->v[j].from <= t->v[i].to) {
				snprintf(err, n, _("two %s VAT rows are in "
				    "force on the same day"), t->v[i].cls);
				return -1;
			}
	return 0;
}

struct tax_table *
tax_load(const char *path, char *err, size_t n)
{
	struct tax_table *t;
	struct csvio *c;
	char **f;
	size_t nf;
	int col[NCOLS], i, rc;

	if ((c = csvio_open(path, err, n)) == NULL)
		return NULL;
	for (i = 0; i < NCOLS; i++)
		col[i] = csvio_col(c, colnames[i]);
	if (col[C_KIND] < 0 || col[C_PREFIX] < 0 || col[C_CLASS] < 0 ||
	    col[C_VAT] < 0 || col[C_CT] < 0) {
		snprintf(err, n, _("the header needs the columns kind, "
		    "hs_prefix, vat_class, vat and ct"));
		csvio_close(c);
		return NULL;
	}
	if ((t = calloc(1, sizeof *t)) == NULL) {
		snprintf(err, n, _("out of memory"));
		csvio_close(c);
		return NULL;
	}
	while ((rc = csvio_next(c, &f, &nf)) == 1)
		if (load_row(t, c, col, err, n) != 0)
			break;
	if (rc < 0)
		snprintf(err, n, _("line %ld: %s"), csvio_line(c),
		    csvio_error(c));
	csvio_close(c);
	if (rc != 0) {
		tax_free(t);
		return NULL;
	}
	if (t->ng > 1)
		qsort(t->g, t->ng, sizeof *t->g, cmp_grow);
	if (check_overlaps(t, err, n) != 0) {
		tax_free(t);
		return NULL;
	}
	return t;
}

void
tax_free(struct tax_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->ng; i++) {
		free(t->g[i].units);
		free(t->g[i].source);
	}
	free(t->g);
	free(t->v);
	free(t);
}

/* ---- lookups ---- */

/* The first goods row whose prefix is code[0..len), or -1. */
static long
first_of(const struct tax_table *t, const char *code, size_t len)
{
	size_t lo = 0, hi = t->ng;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(t->g[mid].prefix, code, len);

		if (c == 0 && t->g[mid].prefix[len] != '\0')
			c = 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->ng && strncmp(t->g[lo].prefix, code, len) == 0 &&
	    t->g[lo].prefix[len] == '\0')
		return (long)lo;
	return -1;
}

enum tax_why
tax_rates(const struct tax_table *t, const char *gcode, size_t len,
    long day, struct tax_rates *r)
{
	size_t i, k;
	long first = -1;
	const struct grow *g = NULL;

	if (len == 0 || len > 10)
		return TAX_BAD_CODE;
	for (i = 0; i < len; i++)
		if (gcode[i] < '0' || gcode[i] > '9')
			return TAX_BAD_CODE;
	for (k = len; k >= 2 && first < 0; k--)
		first = first_of(t, gcode, k);
	if (first < 0)
		return TAX_NO_ROW;
	/* The longest prefix with rows decides, never a shorter one. */
	for (i = (size_t)first; i < t->ng && strcmp(t->g[i].prefix,
	    t->g[first].prefix) == 0; i++)
		if (t->g[i].from <= day && day <= t->g[i].to)
			g = &t->g[i];
	if (g == NULL)
		return TAX_NOT_IN_FORCE;
	if (g->specific)
		return TAX_SPECIFIC;
	memset(r, 0, sizeof *r);
	if (g->has_vat)
		r->vat = g->vat;
	else {
		for (i = 0; i < t->nv; i++)
			if (strcmp(t->v[i].cls, g->cls) == 0 &&
			    t->v[i].from <= day && day <= t->v[i].to)
				break;
		if (i == t->nv)
			return TAX_NOT_IN_FORCE;
		r->vat = t->v[i].vat;
	}
	r->ct = g->ct;
	r->threshold = g->threshold;
	r->units = g->units;
	r->has_tariff = g->has_tariff;
	r->tariff = g->tariff;
	r->prefix = g->prefix;
	r->source = g->source;
	return TAX_KNOWN;
}

int
tax_vat_min(const struct tax_table *t, long day, struct dec *v)
{
	size_t i;
	int found = 0;

	for (i = 0; i < t->nv; i++)
		if (t->v[i].from <= day && day <= t->v[i].to &&
		    (!found || dec_cmp(t->v[i].vat, *v) < 0)) {
			*v = t->v[i].vat;
			found = 1;
		}
	return found ? 0 : -1;
}

/* ---- the tax ---- */

/*
 * The units a threshold per unit u may be read in, with the factor that
 * turns them into u: kilograms from grams, and for cosmetics litres and
 * millilitres (1 L = 1 kg, 海关总署公告2016年第55号).
 */
static const struct {
	const char *unit, *as;
	long den;		/* qty in `as` = qty in `unit` / den */
} conv[] = {
	{ "035", "035", 1 }, { "035", "036", 1000 },
	{ "035", "095", 1 }, { "035", "096", 1000 },
};

/* den for reading quantity unit q as threshold unit u, 0 when it cannot. */
static long
reads_as(const char *u, size_t ulen, const char *q)
{
	size_t i;

	for (i = 0; i < sizeof conv / sizeof conv[0]; i++)
		if (strlen(conv[i].unit) == ulen &&
		    strncmp(conv[i].unit, u, ulen) == 0 &&
		    strcmp(conv[i].as, q) == 0)
			return conv[i].den;
	return strlen(q) == ulen && strncmp(u, q, ulen) == 0 ? 1 : 0;
}

int
tax_ct_due(const struct tax_rates *r, struct dec p, const struct tax_qty *q,
    size_t nq)
{
	const char *u;
	size_t i;

	if (dec_sign(r->ct) <= 0)
		return 0;
	if (dec_sign(r->threshold) <= 0)
		return 1;
	/* The first declared quantity in one of the threshold's units. */
	for (u = r->units; *u != '\0'; ) {
		size_t ulen = strcspn(u, " ");

		for (i = 0; i < nq; i++) {
			long den;

			if (q[i].unit == NULL || dec_sign(q[i].qty) <= 0 ||
			    (den = reads_as(u, ulen, q[i].unit)) == 0)
				continue;
			/* p / (qty / den) >= threshold. */
			return dec_mul_cmp(r->threshold, q[i].qty,
			    dec_mul_ratio(p, den, 1)) <= 0;
		}
		u += ulen;
		while (*u == ' ')
			u++;
	}
	return -1;
}

void
tax_apply(const struct tax_rates *r, enum tax_regime regime, struct dec p,
    int ct_due, const struct dec *tariff, struct tax_amounts *out)
{
	struct dec c = ct_due > 0 ? r->ct : dec_from_int(0);
	struct dec base;

	memset(out, 0, sizeof *out);
	if (regime == TAX_WITHIN) {
		/* P / (1 - c) x rate x 0.7, one rounding each. */
		__int128 den = (ONE - c.v) * 10;

		out->ct = dec_mul_ratio(p, c.v * 7, den);
		out->vat = dec_mul_ratio(p, r->vat.v * 7, den);
		out->total = dec_add(out->ct, out->vat);
		return;
	}
	if (tariff != NULL)
		out->tariff = *tariff;
	else if (r->has_tariff)
		out->tariff = dec_mul(p, r->tariff);
	else
		out->tariff_unknown = 1;
	base = dec_add(p, out->tariff);
	out->ct = dec_mul_ratio(base, c.v, ONE - c.v);
	out->vat = dec_mul(dec_add(base, out->ct), r->vat);
	out->total = dec_add(dec_add(out->tariff, out->ct), out->vat);
}

static void
add_parts(struct tax_amounts *sum, const struct tax_amounts *a)
{
	sum->tariff = dec_add(sum->tariff, a->tariff);
	sum->ct = dec_add(sum->ct, a->ct);
	sum->vat = dec_add(sum->vat, a->vat);
	sum->total = dec_add(sum->total, a->total);
	sum->tariff_unknown |= a->tariff_unknown;
}

/* The CT answers a line's value can get: bit 0 "not due", bit 1 "due". */
static int
ct_states(const struct tax_rates *r, const struct tax_item *it,
    struct dec extra)
{
	int a = tax_ct_due(r, it->value, it->q, it->nq);
	int b = tax_ct_due(r, dec_add(it->value, extra), it->q, it->nq);

	if (a < 0 || b < 0 || a != b)
		return 3;
	return a ? 2 : 1;
}

/* The rates estimate() looks up once for the first items (a goods row
 * is found by up to nine binary searches, one for each prefix length). */
#define ESTIMATE_KEPT 16

/* tax_estimate(), with the bounds (e->lo, e->hi) when bounds is set. */
static int
estimate(const struct tax_table *t, long day, enum tax_regime regime,
    const struct tax_item *it, size_t n, struct dec extra,
    struct tax_estimate *e, int bounds)
{
	struct tax_rates r, kept[ESTIMATE_KEPT];
	struct tax_amounts a;
	struct dec total = dec_from_int(0), shared = dec_from_int(0);
	struct dec xlo, xhi;
	size_t i;
	int s, first = 1;

	memset(e, 0, sizeof *e);
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		enum tax_why w = tax_rates(t, it[i].gcode,
		    strlen(it[i].gcode), day, &r);

		if (w != TAX_KNOWN) {
			e->why = w;
			e->unknown = i;
			return 1;
		}
		if (i < ESTIMATE_KEPT)
			kept[i] = r;
		total = dec_add(total, it[i].value);
	}
	xlo = xhi = dec_from_int(0);
	for (i = 0; i < n; i++) {
		struct dec share, p;
		int due, states;

		if (i < ESTIMATE_KEPT)
			r = kept[i];
		else
			(void)tax_rates(t, it[i].gcode, strlen(it[i].gcode),
			    day, &r);
		/* The point estimate: extra shared by value. */
		if (i + 1 == n)
			share = dec_sub(extra, shared);
		else if (dec_sign(total) != 0)
			share = dec_mul_ratio(extra, it[i].value.v, total.v);
		else
			share = i == 0 ? extra : dec_from_int(0);
		shared = dec_add(shared, share);
		p = dec_add(it[i].value, share);
		if ((due = tax_ct_due(&r, p, it[i].q, it[i].nq)) < 0) {
			e->undetermined = 1;
			due = 0;
		}
		tax_apply(&r, regime, p, due, NULL, &a);
		add_parts(&e->parts, &a);
		if (!bounds)
			continue;
		/* The bounds: each answer the CT can get. */
		states = ct_states(&r, &it[i], extra);
		if (states == 3)
			e->undetermined = 1;
		{
			struct dec lo = dec_from_int(0), hi = lo;
			int got = 0;

			for (s = 0; s < 2; s++) {
				struct tax_amounts b, x;

				if (!(states & (1 << s)))
					continue;
				tax_apply(&r, regime, it[i].value, s, NULL,
				    &b);
				tax_apply(&r, regime, extra, s, NULL, &x);
				if (!got || dec_cmp(b.total, lo) < 0)
					lo = b.total;
				if (!got || dec_cmp(b.total, hi) > 0)
					hi = b.total;
				got = 1;
				if (first || dec_cmp(x.total, xlo) < 0)
					xlo = x.total;
				if (first || dec_cmp(x.total, xhi) > 0)
					xhi = x.total;
				first = 0;
				e->open |= b.tariff_unknown;
			}
			e->lo = dec_add(e->lo, lo);
			e->hi = dec_add(e->hi, hi);
		}
	}
	e->lo = dec_add(e->lo, xlo);
	e->hi = dec_add(e->hi, xhi);
	e->point = e->parts.total;
	e->open |= e->parts.tariff_unknown;
	return 0;
}

int
tax_estimate(const struct tax_table *t, long day, enum tax_regime regime,
    const struct tax_item *it, size_t n, struct dec extra,
    struct tax_estimate *e)
{
	return estimate(t, day, regime, it, n, extra, e, 1);
}

int
tax_estimate_point(const struct tax_table *t, long day,
    enum tax_regime regime, const struct tax_item *it, size_t n,
    struct dec extra, struct tax_estimate *e)
{
	return estimate(t, day, regime, it, n, extra, e, 0);
}
