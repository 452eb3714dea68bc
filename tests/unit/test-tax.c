/*
 * test-tax: the cross-border retail import tax (common/tax.h) against
 * every test vector of the reference notes (domain-rules.md A1.2 and
 * tax-rates.md "Test vectors"): the within-limit composite rates of each
 * VAT period, the full-tax rates of the over-limit single item and of
 * general trade, the consumption-tax thresholds, the rates table's
 * lookups and "rate unknown" answers, the bounds of a record's estimate,
 * and the loader's refusals.
 *
 * Amounts are checked to 4 decimals (the reference's precision) on a
 * dutiable value of 100 CNY, so a rate of 23.0588% reads "23.0588".
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tax.h"

static struct tax_table *tab;

static struct dec
D(const char *s)
{
	struct dec d;

	assert_int_equal(dec_parse_str(s, &d), DEC_OK);
	return d;
}

/* a rounded to 4 decimals, minimal digits. */
static const char *
r4(struct dec a, char *b)
{
	return dec_format(dec_round(a, 4), 0, b, 64);
}

static int
setup(void **state)
{
	char file[4096], err[256];
	const char *top = getenv("top_srcdir");

	(void)state;
	snprintf(file, sizeof file, "%s/tables/tax-rates.csv",
	    top ? top : ".");
	tab = tax_load(file, err, sizeof err);
	if (tab == NULL)
		fprintf(stderr, "%s\n", err);
	return tab == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	tax_free(tab);
	return 0;
}

/*
 * The tax on 100 CNY of gcode on day under regime, CT due as given
 * (-1: as the quantity says), formatted to 4 decimals.
 */
static const char *
on100(const char *gcode, long day, enum tax_regime regime, int due,
    const struct tax_qty *q, size_t nq, char *b)
{
	struct tax_rates r;
	struct tax_amounts a;

	assert_int_equal(tax_rates(tab, gcode, strlen(gcode), day, &r),
	    TAX_KNOWN);
	if (due < 0)
		due = tax_ct_due(&r, D("100"), q, nq);
	tax_apply(&r, regime, D("100"), due, NULL, &a);
	assert_true(dec_cmp(a.total, dec_add(dec_add(a.tariff, a.ct),
	    a.vat)) == 0);
	return r4(a.total, b);
}

/* Within the limits: (v + c) / (1 - c) x 0.7 in every VAT period. */
static void
within_rates(void **state)
{
	char b[64];
	struct tax_rates r;
	struct tax_amounts a;
	struct tax_qty kg = { "036", { 0 } };	/* 1 g: 100 CNY per g */

	(void)state;
	kg.qty = D("1");
	/* From 2019-04-01: general goods 9.1, olive oil (9%) 6.3, wine 17.9,
	 * luxury cosmetics 23.1 (domain-rules A1.2). */
	assert_string_equal(on100("2106909090", 20190401, TAX_WITHIN, 0,
	    NULL, 0, b), "9.1");
	assert_string_equal(on100("1509200000", 20260101, TAX_WITHIN, 0,
	    NULL, 0, b), "6.3");
	assert_string_equal(on100("2204210000", 20260101, TAX_WITHIN, 1,
	    NULL, 0, b), "17.8889");
	assert_string_equal(on100("3304990029", 20260101, TAX_WITHIN, -1,
	    &kg, 1, b), "23.0588");
	/* Its parts: CT 12.3529, VAT 10.7059 (A1.2, P = 100). */
	assert_int_equal(tax_rates(tab, "3304990029", 10, 20260101, &r),
	    TAX_KNOWN);
	tax_apply(&r, TAX_WITHIN, D("100"), 1, NULL, &a);
	assert_string_equal(r4(a.ct, b), "12.3529");
	assert_string_equal(r4(a.vat, b), "10.7059");
	assert_true(dec_sign(a.tariff) == 0 && !a.tariff_unknown);
	/* 2016: general goods 11.9; lip cosmetics before 2016-10-01 (CT 30%)
	 * 47; high-end cosmetics from 2016-10-01 26.35 (the published 26.37
	 * is a slip, tax-rates.md). */
	assert_string_equal(on100("2106909090", 20160408, TAX_WITHIN, 0,
	    NULL, 0, b), "11.9");
	assert_string_equal(on100("3304100000", 20160930, TAX_WITHIN, -1,
	    NULL, 0, b), "47");
	assert_string_equal(on100("3304990029", 20161001, TAX_WITHIN, 1,
	    NULL, 0, b), "26.3529");
	/* 2018-05-01 to 2019-03-31: 11.2, low rate 7.0, cosmetics 25.53,
	 * wine 20.22. */
	assert_string_equal(on100("2106909090", 20180501, TAX_WITHIN, 0,
	    NULL, 0, b), "11.2");
	assert_string_equal(on100("4901990000", 20190331, TAX_WITHIN, 0,
	    NULL, 0, b), "7");
	assert_string_equal(on100("3304990029", 20181231, TAX_WITHIN, 1,
	    NULL, 0, b), "25.5294");
	assert_string_equal(on100("2204210000", 20181231, TAX_WITHIN, 1,
	    NULL, 0, b), "20.2222");
	/* The low rate: 13% to 2017-06-30 (9.1), 11% to 2018-04-30 (7.7);
	 * wine before 2018-05-01 21.0. */
	assert_string_equal(on100("4901990000", 20170630, TAX_WITHIN, 0,
	    NULL, 0, b), "9.1");
	assert_string_equal(on100("4901990000", 20170701, TAX_WITHIN, 0,
	    NULL, 0, b), "7.7");
	assert_string_equal(on100("4901990000", 20180430, TAX_WITHIN, 0,
	    NULL, 0, b), "7.7");
	assert_string_equal(on100("2204210000", 20180430, TAX_WITHIN, 1,
	    NULL, 0, b), "21");
	/* Gold jewellery pays no import CT: 9.1. */
	assert_string_equal(on100("7113191100", 20260101, TAX_WITHIN, -1,
	    NULL, 0, b), "9.1");
}

/* Over a limit / the single item / general trade:
 * (t + v + c + t v) / (1 - c). */
static void
full_rates(void **state)
{
	char b[64];
	struct tax_rates r;
	struct tax_amounts a;
	struct tax_qty piece = { "008", { 0 } }, g5 = { "036", { 0 } };
	struct dec t;

	(void)state;
	piece.qty = D("1");
	g5.qty = D("5");
	/* Watch 9102.11 (t 10, v 13, c 20): 55.375% -- at 10,000 CNY, the
	 * threshold, one piece: 5537.5. */
	assert_int_equal(tax_rates(tab, "9102110000", 10, 20260101, &r),
	    TAX_KNOWN);
	assert_int_equal(tax_ct_due(&r, D("10000"), &piece, 1), 1);
	tax_apply(&r, TAX_FULL, D("10000"), 1, NULL, &a);
	assert_string_equal(r4(a.total, b), "5537.5");
	assert_string_equal(r4(a.tariff, b), "1000");
	assert_string_equal(r4(a.ct, b), "2750");
	assert_string_equal(r4(a.vat, b), "1787.5");
	/* Cosmetics 3304.99 (t 1, v 13, c 15): 34.27; wine (t 14, v 13,
	 * c 10): 43.13. */
	assert_string_equal(on100("3304990029", 20260101, TAX_FULL, -1, &g5,
	    1, b), "34.2706");
	assert_string_equal(on100("2204210000", 20260101, TAX_FULL, 1, NULL,
	    0, b), "43.1333");
	/* General trade, published: wine 48.2 (v 17) and 46.93 (v 16, from
	 * 2018-05-01); retail dog or cat food (t 15, v 13) 29.95. */
	assert_string_equal(on100("2204210000", 20170101, TAX_FULL, 1, NULL,
	    0, b), "48.2");
	assert_string_equal(on100("2204210000", 20180501, TAX_FULL, 1, NULL,
	    0, b), "46.9333");
	assert_string_equal(on100("2309109000", 20260101, TAX_FULL, 0, NULL,
	    0, b), "29.95");
	/* With customs' tariff amount given: infant formula (t 5, v 17)
	 * 22.85; lip cosmetics 2016 (t 10, v 17, c 30) 83.86. */
	assert_int_equal(tax_rates(tab, "1901101090", 10, 20160601, &r),
	    TAX_KNOWN);
	assert_false(r.has_tariff);
	t = D("5");
	tax_apply(&r, TAX_FULL, D("100"), 0, &t, &a);
	assert_string_equal(r4(a.total, b), "22.85");
	assert_int_equal(tax_rates(tab, "3304100000", 10, 20160601, &r),
	    TAX_KNOWN);
	t = D("10");
	tax_apply(&r, TAX_FULL, D("100"), 1, &t, &a);
	/* Published to 2 decimals; each part is rounded to 5, so the 4th
	 * decimal reads 83.8572 where the exact sum is 83.857142... */
	assert_string_equal(dec_format(dec_round(a.total, 2), 2, b, 64),
	    "83.86");
	/* Rates the table does not hold, as a caller would fill them:
	 * diapers (t 2, v 17) 19.34, 2309909000 (t 6.5, v 13) 20.345. */
	memset(&r, 0, sizeof r);
	r.vat = D("0.17");
	r.has_tariff = 1;
	r.tariff = D("0.02");
	tax_apply(&r, TAX_FULL, D("100"), 0, NULL, &a);
	assert_string_equal(r4(a.total, b), "19.34");
	r.vat = D("0.13");
	r.tariff = D("0.065");
	tax_apply(&r, TAX_FULL, D("100"), 0, NULL, &a);
	assert_string_equal(r4(a.total, b), "20.345");
	/* No tariff known: VAT and CT in full on P alone, a lower bound. */
	assert_int_equal(tax_rates(tab, "1901101090", 10, 20260101, &r),
	    TAX_KNOWN);
	tax_apply(&r, TAX_FULL, D("100"), 0, NULL, &a);
	assert_true(a.tariff_unknown);
	assert_string_equal(r4(a.total, b), "13");
}

static void
thresholds(void **state)
{
	struct tax_rates r;
	struct tax_qty q;

	(void)state;
	/* 50 ml at 700 CNY: 14 CNY per g (1 L = 1 kg), due; declared as
	 * 83.5 g: 8.38 per g, not due (conlive). */
	assert_int_equal(tax_rates(tab, "3304990039", 10, 20260101, &r),
	    TAX_KNOWN);
	q.unit = "096";
	q.qty = D("50");
	assert_int_equal(tax_ct_due(&r, D("700"), &q, 1), 1);
	q.unit = "036";
	q.qty = D("83.5");
	assert_int_equal(tax_ct_due(&r, D("700"), &q, 1), 0);
	/* 425 CNY for 20 g: 21.25 per g, due; exactly 10 per g is due. */
	q.qty = D("20");
	assert_int_equal(tax_ct_due(&r, D("425"), &q, 1), 1);
	assert_int_equal(tax_ct_due(&r, D("200"), &q, 1), 1);
	assert_int_equal(tax_ct_due(&r, D("199.99"), &q, 1), 0);
	/* In kilograms: 0.05 kg at 700 CNY. */
	q.unit = "035";
	q.qty = D("0.05");
	assert_int_equal(tax_ct_due(&r, D("700"), &q, 1), 1);
	/* No quantity in weight or volume: cannot be judged. */
	q.unit = "011";
	q.qty = D("1");
	assert_int_equal(tax_ct_due(&r, D("700"), &q, 1), -1);
	assert_int_equal(tax_ct_due(&r, D("700"), NULL, 0), -1);
	/* Masks by the piece: a 100 CNY box of 10 is 10 per piece, not due;
	 * the same box declared as 1 piece is due (ssopdot 6858). */
	assert_int_equal(tax_rates(tab, "3304990041", 10, 20260101, &r),
	    TAX_KNOWN);
	assert_string_equal(r.prefix, "330499004");
	q.qty = D("10");
	assert_int_equal(tax_ct_due(&r, D("100"), &q, 1), 0);
	q.qty = D("1");
	assert_int_equal(tax_ct_due(&r, D("100"), &q, 1), 1);
	/* Watches: 10,000 CNY per piece, inclusive. */
	assert_int_equal(tax_rates(tab, "9101110000", 10, 20260101, &r),
	    TAX_KNOWN);
	q.unit = "008";
	assert_int_equal(tax_ct_due(&r, D("9999.99"), &q, 1), 0);
	assert_int_equal(tax_ct_due(&r, D("10000"), &q, 1), 1);
	/* Goods without CT: never due. */
	assert_int_equal(tax_rates(tab, "2106909090", 10, 20260101, &r),
	    TAX_KNOWN);
	assert_int_equal(tax_ct_due(&r, D("100"), NULL, 0), 0);
}

static void
lookups(void **state)
{
	struct tax_rates r;
	char b[64];

	(void)state;
	/* Unknown rates are said, never guessed. */
	assert_int_equal(tax_rates(tab, "6403990090", 10, 20260101, &r),
	    TAX_NO_ROW);
	assert_int_equal(tax_rates(tab, "2203000000", 10, 20260101, &r),
	    TAX_SPECIFIC);
	assert_int_equal(tax_rates(tab, "2208300000", 10, 20260101, &r),
	    TAX_SPECIFIC);
	assert_int_equal(tax_rates(tab, "3303000010", 10, 20160601, &r),
	    TAX_NOT_IN_FORCE);
	assert_int_equal(tax_rates(tab, "2106909090", 10, 20160407, &r),
	    TAX_NOT_IN_FORCE);
	assert_int_equal(tax_rates(tab, "33A4990029", 10, 20260101, &r),
	    TAX_BAD_CODE);
	assert_int_equal(tax_rates(tab, "", 0, 20260101, &r), TAX_BAD_CODE);
	/* A longer prefix with no row in force does not fall back. */
	assert_int_equal(tax_rates(tab, "3304200000", 10, 20160601, &r),
	    TAX_NOT_IN_FORCE);
	/* The longest prefix decides: 0802 nuts, 080212 with its tariff. */
	assert_int_equal(tax_rates(tab, "0802120000", 10, 20260101, &r),
	    TAX_KNOWN);
	assert_string_equal(r.prefix, "080212");
	assert_true(r.has_tariff);
	assert_string_equal(dec_format(r.tariff, 0, b, sizeof b), "0.1");
	assert_string_equal(dec_format(r.vat, 0, b, sizeof b), "0.09");
	assert_int_equal(tax_rates(tab, "0802900000", 10, 20260101, &r),
	    TAX_KNOWN);
	assert_string_equal(r.prefix, "0802");
	assert_false(r.has_tariff);
	/* A code bounded by length, as inside a longer string. */
	assert_int_equal(tax_rates(tab, "4901990000XYZ", 10, 20260101, &r),
	    TAX_KNOWN);
	assert_non_null(strstr(r.source, "S31"));
	assert_string_equal(tax_strwhy(TAX_SPECIFIC),
	    "a specific consumption tax (per quantity), not computed");
}

/* tax_estimate(), checked against tax_estimate_point(): the same
 * return, why, unknown, point and parts, no bounds. */
static int
both(long day, enum tax_regime regime, const struct tax_item *it, size_t n,
    struct dec extra, struct tax_estimate *e)
{
	struct tax_estimate p;
	int rc = tax_estimate(tab, day, regime, it, n, extra, e);

	assert_int_equal(tax_estimate_point(tab, day, regime, it, n, extra,
	    &p), rc);
	assert_int_equal(p.why, e->why);
	assert_int_equal(p.unknown, e->unknown);
	assert_int_equal(dec_cmp(p.point, e->point), 0);
	assert_int_equal(dec_cmp(p.parts.total, e->parts.total), 0);
	assert_int_equal(dec_sign(p.lo), 0);
	assert_int_equal(dec_sign(p.hi), 0);
	return rc;
}

static void
estimates(void **state)
{
	struct tax_item it[2];
	struct tax_estimate e;
	char b[64];

	(void)state;
	memset(it, 0, sizeof it);
	/* Olive oil (6.3%) and a cream at 20 CNY per g (23.0588%), 100 CNY
	 * each, 20 CNY freight. */
	it[0].gcode = "1509200000";
	it[0].value = D("100");
	it[1].gcode = "3304990029";
	it[1].value = D("100");
	it[1].q[0].unit = "036";
	it[1].q[0].qty = D("5");
	it[1].nq = 1;
	assert_int_equal(both(20260101, TAX_WITHIN, it, 2,
	    D("20"), &e), 0);
	assert_int_equal(e.why, TAX_KNOWN);
	/* Point: 110 x 6.3% + 110 x 23.0588%. */
	assert_string_equal(r4(e.point, b), "32.2947");
	/* Bounds: all freight on the olive oil, or on the cream. */
	assert_string_equal(r4(e.lo, b), "30.6188");
	assert_string_equal(r4(e.hi, b), "33.9706");
	assert_false(e.open);
	assert_false(e.undetermined);
	/* Without a weight the cream's CT cannot be judged: 9.1 to 23.06. */
	it[1].nq = 0;
	assert_int_equal(both(20260101, TAX_WITHIN, &it[1], 1,
	    D("0"), &e), 0);
	assert_true(e.undetermined);
	assert_string_equal(r4(e.lo, b), "9.1");
	assert_string_equal(r4(e.hi, b), "23.0588");
	assert_string_equal(r4(e.point, b), "9.1");
	/* Freight can push a line over its threshold: 190 CNY for 20 g is
	 * under 10 per g, 190 + 20 is over. */
	it[1].value = D("190");
	it[1].q[0].qty = D("20");
	it[1].nq = 1;
	assert_int_equal(both(20260101, TAX_WITHIN, &it[1], 1,
	    D("20"), &e), 0);
	assert_true(e.undetermined);
	/* Point: 210 for 20 g is 10.5 per g: due. */
	assert_string_equal(r4(e.point, b), "48.4235");
	/* Full tax without a known tariff: the bounds are open above. */
	it[0].gcode = "1901101090";
	assert_int_equal(both(20260101, TAX_FULL, it, 1,
	    D("0"), &e), 0);
	assert_true(e.open);
	assert_string_equal(r4(e.lo, b), "13");
	/* A line without a rate: which, and why. */
	it[1].gcode = "6403990090";
	assert_int_equal(both(20260101, TAX_WITHIN, it, 2,
	    D("0"), &e), 1);
	assert_int_equal(e.why, TAX_NO_ROW);
	assert_int_equal(e.unknown, 1);
	assert_true(dec_sign(e.point) == 0);
	/* Freight shared by value: the shares add up exactly. */
	it[0].gcode = "2106909090";
	it[0].value = D("1");
	it[1].gcode = "2106909090";
	it[1].value = D("2");
	it[1].nq = 0;
	assert_int_equal(both(20260101, TAX_WITHIN, it, 2,
	    D("10"), &e), 0);
	assert_string_equal(r4(e.point, b), "1.183");	/* 13 x 9.1% */
	assert_int_equal(both(20260101, TAX_WITHIN, it, 0,
	    D("10"), &e), 0);
	assert_true(dec_sign(e.point) == 0);
}

/* Load text as a table: the table, or NULL with err. */
static struct tax_table *
load(const char *text, char *err, size_t n)
{
	char path[64];
	FILE *f;
	struct tax_table *t;

	snprintf(path, sizeof path, "/tmp/test-tax.%ld", (long)getpid());
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	t = tax_load(path, err, n);
	unlink(path);
	return t;
}

static void
refusals(void **state)
{
	static const char head[] = "kind,hs_prefix,vat_class,valid_from,"
	    "valid_to,vat,ct,ct_specific,ct_threshold,ct_units,tariff,source\n";
	static const char *const bad[] = {
		"vat,,standard,2019-04-01,,1,,,,,,x\n",
		"vat,,middle,2019-04-01,,0.13,,,,,,x\n",
		"vat,,standard,2019-04-01,2019-01-01,0.13,,,,,,x\n",
		"vat,,standard,2019-04-31,,0.13,,,,,,x\n",
		"vat,,standard,2019-04-01,,0.13,,,,,,x\n"
		"vat,,standard,2020-01-01,,0.13,,,,,,x\n",
		"goods,33A4,standard,2019-04-01,,,0.15,,,,,x\n",
		"goods,3,standard,2019-04-01,,,0.15,,,,,x\n",
		"goods,3304,standard,2019-04-01,,,-0.1,,,,,x\n",
		"goods,3304,standard,2019-04-01,,,0.15,,10000,,,x\n",
		"goods,3304,standard,2019-04-01,,,0.15,,,,,x\n"
		"goods,3304,standard,2019-04-01,2020-01-01,,0.15,,,,,x\n",
		"other,3304,standard,2019-04-01,,,0.15,,,,,x\n",
		NULL
	};
	char err[256], text[1024];
	struct tax_table *t;
	size_t i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++) {
		snprintf(text, sizeof text, "%s%s", head, bad[i]);
		err[0] = '\0';
		t = load(text, err, sizeof err);
		if (t != NULL)
			fail_msg("row %zu was accepted", i);
		assert_true(err[0] != '\0');
	}
	assert_null(load("hs_prefix,vat\n3304,0.13\n", err, sizeof err));
	assert_non_null(strstr(err, "columns"));
	/* The smallest table that works, periods back to back. */
	snprintf(text, sizeof text, "%s%s", head,
	    "vat,,standard,,2019-03-31,0.16,,,,,,x\n"
	    "vat,,standard,2019-04-01,,0.13,,,,,,x\n"
	    "goods,61,standard,,,,,,,,,x\n");
	t = load(text, err, sizeof err);
	assert_non_null(t);
	{
		struct tax_rates r;
		char b[64];

		assert_int_equal(tax_rates(t, "6109100000", 10, 20190331, &r),
		    TAX_KNOWN);
		assert_string_equal(dec_format(r.vat, 0, b, sizeof b), "0.16");
		assert_int_equal(tax_rates(t, "6109100000", 10, 20190401, &r),
		    TAX_KNOWN);
		assert_string_equal(dec_format(r.vat, 0, b, sizeof b), "0.13");
	}
	tax_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(within_rates),
		cmocka_unit_test(full_rates),
		cmocka_unit_test(thresholds),
		cmocka_unit_test(lookups),
		cmocka_unit_test(estimates),
		cmocka_unit_test(refusals),
	};

	return cmocka_run_group_tests_name("tax", tests, setup, teardown);
}
