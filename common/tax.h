/*
 * tax.h: the cross-border e-commerce retail import tax (跨境电商综合税),
 * estimated from the rates table (tables/tax-rates.csv) with exact
 * decimals.
 *
 * Within the limits (财关税〔2016〕18号): no tariff, import VAT and
 * consumption tax (CT) at 70% of the statutory amount:
 *     CT  = P / (1 - c) x c x 0.7
 *     VAT = (P + P / (1 - c) x c) x v x 0.7
 * Over a limit, or the single indivisible item of 财关税〔2018〕49号:
 * tariff at the MFN rate, VAT and CT in full:
 *     tariff = P x t;  CT = (P + tariff) / (1 - c) x c;
 *     VAT = (P + tariff + CT) x v
 * (P the dutiable value: goods, freight and insurance; v, c, t the rates
 * of the goods' HS code on the day).  Each amount is computed with one
 * rounding, half away from zero, to 5 decimals (dec.h); the reference
 * does not say how customs rounds, so callers compare with a tolerance.
 * A CT rate may apply only above a threshold per unit (cosmetics 10 CNY
 * per gram or 15 per piece, watches 10,000 per piece): it is judged on
 * the dutiable price per unit of the quantities a line declares.
 *
 * Where the table holds no rate for a code on a day, or the goods bear a
 * specific (per-litre) CT, the rate is unknown: the functions say so and
 * never assume one.
 *
 * Library code: nothing here prints or exits.
 */
#ifndef CEB_TAX_H
#define CEB_TAX_H

#include <stddef.h>

#include "dec.h"

struct tax_table;

/*
 * Load the rates table at path.  NULL with a message in err ("line N:
 * ..." when a row is at fault) on failure: a row that cannot be read, or
 * two rows of one HS prefix (or VAT class) in force on the same day.
 */
struct tax_table *tax_load(const char *path, char *err, size_t n);
void tax_free(struct tax_table *t);

/* Why no rate (tax_rates() and tax_estimate()). */
enum tax_why {
	TAX_KNOWN = 0,
	TAX_NO_ROW,		/* no row for any prefix of the code */
	TAX_NOT_IN_FORCE,	/* rows, but none in force on the day */
	TAX_SPECIFIC,		/* a specific CT: not computed */
	TAX_BAD_CODE		/* not a code of digits */
};
const char *tax_strwhy(enum tax_why w);	/* English, for _() */

/* The rates of one HS code on one day. */
struct tax_rates {
	struct dec vat;		/* 0.13 */
	struct dec ct;		/* ad valorem CT rate, 0 when none */
	struct dec threshold;	/* CT only at >= this per unit; 0: always */
	const char *units;	/* unit codes of the threshold ("035") */
	int has_tariff;		/* the MFN tariff is known */
	struct dec tariff;
	const char *prefix;	/* the row's HS prefix */
	const char *source;	/* the row's sources */
};

/*
 * The rates of gcode (len bytes) on day YYYYMMDD: TAX_KNOWN and *r, or
 * why not.  The strings in *r live as long as the table.
 */
enum tax_why tax_rates(const struct tax_table *t, const char *gcode,
    size_t len, long day, struct tax_rates *r);

/*
 * The lowest VAT rate of any class in force on day (the low rate): what
 * any goods pay at least, since every import is of one class or the
 * other.  0 and *v, or -1 when no class is in force that day.
 */
int tax_vat_min(const struct tax_table *t, long day, struct dec *v);

/* A quantity a line declares: unit code (e.g. "035") and amount. */
struct tax_qty {
	const char *unit;
	struct dec qty;
};

/*
 * Whether the CT of rates r is due on goods of dutiable value p with
 * these quantities: 1 due, 0 not due (no CT, or below the threshold),
 * -1 cannot be judged (no quantity in the threshold's units).  Units:
 * 035 千克 also counts 036 克 (x 0.001), and by the 1 L = 1 kg rule for
 * cosmetics (海关总署公告2016年第55号) 095 升 and 096 毫升.
 */
int tax_ct_due(const struct tax_rates *r, struct dec p,
    const struct tax_qty *q, size_t nq);

enum tax_regime {
	TAX_WITHIN,		/* within the limits: 70%, no tariff */
	TAX_FULL		/* over a limit or the single item: in full */
};

struct tax_amounts {
	struct dec tariff, ct, vat, total;
	int tariff_unknown;	/* TAX_FULL without a tariff: a lower bound */
};

/*
 * The tax on dutiable value p at rates r, CT included when ct_due.  Under
 * TAX_FULL the tariff is *tariff when not NULL (an amount, e.g. customs'
 * own on a tax bill), else p x the MFN rate, else unknown: then it is
 * taken as 0 and tariff_unknown is set (the amounts are a lower bound).
 */
void tax_apply(const struct tax_rates *r, enum tax_regime regime,
    struct dec p, int ct_due, const struct dec *tariff,
    struct tax_amounts *out);

/* One line of a record to estimate. */
struct tax_item {
	const char *gcode;	/* the HS code, NUL-terminated */
	struct dec value;	/* the line's goods value (totalPrice) */
	struct tax_qty q[3];	/* its quantities (qty/unit, qty1/unit1 ...) */
	size_t nq;
};

/* The tax of a record. */
struct tax_estimate {
	enum tax_why why;	/* TAX_KNOWN, or why line `unknown` has none */
	size_t unknown;		/* the first line without a rate */
	struct dec point;	/* freight shared by value, CT as judged */
	struct tax_amounts parts;	/* the point estimate's parts */
	struct dec lo, hi;	/* bounds: any sharing of the freight, any
				 * answer to a threshold that cannot be
				 * judged */
	int open;		/* hi is no bound: a tariff is unknown */
	int undetermined;	/* some line's CT could not be judged */
};

/*
 * Estimate the tax of n lines with extra (freight and insurance) on top
 * of their values, on day YYYYMMDD, under regime.  Returns 0 and *e
 * (e->why TAX_KNOWN), or 1 with e->why and e->unknown naming the first
 * line without a rate (the amounts are then 0).  The point estimate
 * shares extra among the lines by value (the last line takes what the
 * rounding leaves); lo and hi put all of it on the line of lowest and of
 * highest rate, and take both answers where a threshold cannot be judged
 * (CT judged on the line's value and on its value plus all of extra).
 */
int tax_estimate(const struct tax_table *t, long day,
    enum tax_regime regime, const struct tax_item *it, size_t n,
    struct dec extra, struct tax_estimate *e);
/*
 * The same without the bounds, for a caller that wants only the point
 * estimate and its parts (about a fifth of the work): the same return,
 * why, unknown, point and parts; e->lo and e->hi are 0, e->open and
 * e->undetermined speak of the point estimate alone.
 */
int tax_estimate_point(const struct tax_table *t, long day,
    enum tax_regime regime, const struct tax_item *it, size_t n,
    struct dec extra, struct tax_estimate *e);

#endif
