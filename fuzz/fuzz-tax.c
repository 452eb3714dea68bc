/*
 * fuzz-tax.c: the rates table and the tax engine (common/tax.h) over
 * arbitrary bytes read as tables/tax-rates.csv.
 *
 * Checks, whenever the loader accepts the file: for codes of every
 * length and days around each VAT change, a rate found is a VAT rate and
 * a CT rate below 1 (the loader refuses 1 and more: 1 - c divides); a
 * threshold's answer is -1, 0 or 1; the tax on a positive value is never
 * negative and adds up (tariff + CT + VAT = total), the full tax is never
 * below the tax within the limits; a record's estimate lies within its
 * bounds (up to the rounding of its parts) and says why when a line has
 * no rate.  A refused file has a message.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "tax.h"

static const char *const codes[] = {
	"3304990029", "3304990041", "2204210000", "9102110000", "1509200000",
	"2106909090", "0802120000", "2203000000", "6403990090", "33", "330",
	"3304", "33049900", "330499004", "3304990", "7", "", "33A4990029",
	NULL
};
static const long days[] = { 20160407, 20160408, 20160930, 20161001,
	20170630, 20170701, 20180430, 20180501, 20190331, 20190401, 20261120,
	0, 99991231 };

/* |a - b| <= 0.001 */
static int
near(struct dec a, struct dec b)
{
	struct dec d = dec_abs(dec_sub(a, b));

	return d.v <= 100;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[32], err[300];
	struct tax_table *t;
	struct dec p, zero = dec_from_int(0);
	size_t i, j;
	int fd;

	fd = fuzz_memfile(data, size, path, sizeof path);
	t = tax_load(path, err, sizeof err);
	close(fd);
	if (t == NULL) {
		FUZZ_ASSERT(err[0] != '\0');
		return 0;
	}
	(void)dec_parse_str("100", &p);
	for (i = 0; codes[i] != NULL; i++)
		for (j = 0; j < sizeof days / sizeof days[0]; j++) {
			struct tax_rates r;
			struct tax_amounts w, f;
			struct tax_qty q = { "036", { 0 } };
			enum tax_why why = tax_rates(t, codes[i],
			    strlen(codes[i]), days[j], &r);
			int due;

			FUZZ_ASSERT(tax_strwhy(why) != NULL);
			if (why != TAX_KNOWN)
				continue;
			FUZZ_ASSERT(dec_sign(r.vat) >= 0 &&
			    dec_cmp(r.vat, dec_from_int(1)) < 0);
			FUZZ_ASSERT(dec_sign(r.ct) >= 0 &&
			    dec_cmp(r.ct, dec_from_int(1)) < 0);
			FUZZ_ASSERT(r.units != NULL && r.prefix != NULL &&
			    r.source != NULL);
			FUZZ_ASSERT(strncmp(codes[i], r.prefix,
			    strlen(r.prefix)) == 0);
			(void)dec_parse_str("5", &q.qty);
			due = tax_ct_due(&r, p, &q, 1);
			FUZZ_ASSERT(due >= -1 && due <= 1);
			tax_apply(&r, TAX_WITHIN, p, due > 0, NULL, &w);
			tax_apply(&r, TAX_FULL, p, due > 0, NULL, &f);
			FUZZ_ASSERT(dec_sign(w.total) >= 0 &&
			    dec_cmp(w.tariff, zero) == 0);
			FUZZ_ASSERT(dec_cmp(w.total, dec_add(dec_add(w.tariff,
			    w.ct), w.vat)) == 0);
			FUZZ_ASSERT(dec_cmp(f.total, dec_add(dec_add(f.tariff,
			    f.ct), f.vat)) == 0);
			FUZZ_ASSERT(dec_cmp(f.total, w.total) >= 0);
		}
	/* A record of two lines with freight: the point within the bounds. */
	{
		struct tax_item it[2];
		struct tax_estimate e;
		int reg;

		memset(it, 0, sizeof it);
		it[0].gcode = "3304990029";
		(void)dec_parse_str("190", &it[0].value);
		it[0].q[0].unit = "036";
		(void)dec_parse_str("20", &it[0].q[0].qty);
		it[0].nq = 1;
		it[1].gcode = "1509200000";
		(void)dec_parse_str("100", &it[1].value);
		for (reg = 0; reg < 2; reg++)
			for (j = 0; j < sizeof days / sizeof days[0]; j++) {
				if (tax_estimate(t, days[j], reg ? TAX_FULL :
				    TAX_WITHIN, it, 2, dec_from_int(20),
				    &e) != 0) {
					FUZZ_ASSERT(e.why != TAX_KNOWN &&
					    e.unknown < 2);
					continue;
				}
				{
					struct tax_estimate pe;

					FUZZ_ASSERT(tax_estimate_point(t,
					    days[j], reg ? TAX_FULL :
					    TAX_WITHIN, it, 2,
					    dec_from_int(20), &pe) == 0);
					FUZZ_ASSERT(dec_cmp(pe.point,
					    e.point) == 0 && dec_cmp(
					    pe.parts.total, e.parts.total) ==
					    0);
				}
				FUZZ_ASSERT(dec_cmp(e.lo, e.point) <= 0 ||
				    near(e.lo, e.point));
				FUZZ_ASSERT(e.open || dec_cmp(e.point, e.hi) <=
				    0 || near(e.point, e.hi));
			}
	}
	tax_free(t);
	return 0;
}
