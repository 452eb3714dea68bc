/*
 * gen-import.c: import parcels.  Each parcel is one consistent set of
 * order (311), payment (411), waybill (511) and inventory (621), with the
 * customs receipts of the inventory (622), and now and then a cancel
 * (623) or a return (625).  Parcels are made one at a time and forgotten
 * once written; what outlives a parcel is one small record per buyer (the
 * amount bought this calendar year), so that clean batches stay within
 * the personal limits and quota defects bite for real.
 *
 * The quota base is the inventory's dutiable value: the line totalPrice
 * sum plus freight plus insuredFee (domain-rules §A1.1).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "gen.h"
#include "i18n.h"
#include "ident.h"

#define U GEN_UNIT
#define CLEAN_SINGLE (4990 * U)		/* headroom below 5000 */
#define CLEAN_ANNUAL (25990 * U)	/* headroom below 26000 */
#define LIMIT_SINGLE (5000 * U)
#define LIMIT_ANNUAL (26000 * U)

#define NPLATFORMS 8
#define NEBCS 24
#define NPAYERS 6
#define NCARRIERS 8
#define NAGENTS 10

struct buyer {
	long long spent;	/* dutiable value bought in `year` */
	short year;
	unsigned char flags;
};
#define B_TAINTED 1	/* over-single or single-item: not for annual */
#define B_BLOCKED 2	/* past the annual limit */

struct line {
	const struct gen_product *pr;
	long long qty, price, total;	/* qty in whole units */
	char country[4];
	char brand[32];
	char itemNo[24];
};

struct parcel {
	int bonded, site, platform, ebc, payer, carrier, agent;
	long long buyer;
	char bname[32], bid[19], bphone[12], bregno[24];
	char cname[32], cphone[12], caddr[200];
	const char *cdistrict;
	struct line lines[99];
	int nlines;
	long long goods, freight, insured, discount, tax, paid, dutiable;
	long gross, net;	/* grams */
	int dorder, dpay, dwaybill, dinv;
	long torder;		/* seconds into the order day */
	char orderNo[48], payTx[48], logisticsNo[48], copNo[48], preNo[48];
	char invtNo[48], billNo[16], flight[12], emsNo[16];
	char country[4];	/* head country (departure, or 142) */
};

static struct {
	const struct gen_opts *o;
	struct rng *r;
	struct gen_party platforms[NPLATFORMS], ebcs[NEBCS], payers[NPAYERS];
	struct gen_party carriers[NCARRIERS], agents[NAGENTS];
	struct gen_party areas[5];		/* bonded warehouse operators */
	struct gen_party customs;		/* sender of receipts */
	const char *carrier_prefix[NCARRIERS];
	int ebc_platform[NEBCS];
	struct buyer *buyers;
	long long nbuyers, nreserved, next_reserved;
	long seq_t;		/* quota-over-annual: the next order time */
	long long serial;
	struct sbuf b;
	char key[96];
	/* risk patterns (FAM_RISK): their own random stream and counts */
	struct rng rr;
	long long rpending[D_COUNT];	/* drawn, not yet placed */
	long long rtotal[D_COUNT], rdone[D_COUNT];
	long long rsplit;	/* risk-split-basket parcels drawn or pulled */
	int split_day;		/* the day of the basket being placed */
} g;

static const char *const carrier_prefixes[NCARRIERS] = {
	"SF", "YT", "ZT", "JD", "EMS", "ST", "YD", "DB"
};

/* The customs site of a parcel: site n of its kind, or (--sender-shapes)
 * the office of the 2018-12 list one past them. */
static const struct gen_site *
site_of(const struct parcel *p)
{
	if (p->bonded)
		return (size_t)p->site < gen_nbonded_sites ?
		    &gen_bonded_sites[p->site] : &gen_bonded_site_2018b;
	return (size_t)p->site < gen_ndirect_sites ?
	    &gen_direct_sites[p->site] : &gen_direct_site_2018b;
}

/* Buyer details are a function of the buyer's number, never stored. */
static void
buyer_details(long long n, struct parcel *p)
{
	struct rng br;

	rng_seed(&br, g.o->seed * 1000003ULL + (uint64_t)n * 7919ULL + 17);
	gen_person_name(&br, p->bname, sizeof p->bname);
	gen_id_number(&br, p->bid);
	gen_phone(&br, p->bphone);
	snprintf(p->bregno, sizeof p->bregno, "u%010llu",
	    (unsigned long long)rng_below(&br, 10000000000ULL));
	/* Most buyers ship to themselves, some to a relative. */
	if (rng_permille(&br, 800)) {
		snprintf(p->cname, sizeof p->cname, "%s", p->bname);
		snprintf(p->cphone, sizeof p->cphone, "%s", p->bphone);
	} else {
		gen_person_name(&br, p->cname, sizeof p->cname);
		gen_phone(&br, p->cphone);
	}
	gen_address(&br, p->caddr, sizeof p->caddr, &p->cdistrict);
}

static void
setup(const struct gen_opts *o, struct rng *r, long long reserved)
{
	int i;

	g.o = o;
	g.r = r;
	for (i = 0; i < NPLATFORMS; i++)
		gen_enterprise(r, &g.platforms[i], "跨境电商平台有限公司",
		    gen_direct_sites[i % gen_ndirect_sites].customs);
	for (i = 0; i < NEBCS; i++) {
		gen_enterprise(r, &g.ebcs[i], "国际贸易有限公司",
		    gen_bonded_sites[i % gen_nbonded_sites].customs);
		g.ebc_platform[i] = (int)rng_below(r, NPLATFORMS);
	}
	for (i = 0; i < NPAYERS; i++)
		gen_enterprise(r, &g.payers[i], "支付科技有限公司", NULL);
	for (i = 0; i < NCARRIERS; i++) {
		gen_enterprise(r, &g.carriers[i], "供应链管理有限公司",
		    gen_direct_sites[i % gen_ndirect_sites].customs);
		g.carrier_prefix[i] = carrier_prefixes[i];
	}
	for (i = 0; i < NAGENTS; i++)
		gen_enterprise(r, &g.agents[i], "报关服务有限公司",
		    gen_bonded_sites[i % gen_nbonded_sites].customs);
	for (i = 0; i < 4; i++)
		gen_enterprise(r, &g.areas[i], "保税仓储有限公司",
		    gen_bonded_sites[i].customs);
	if (o->shapes) {
		/* After everything else, so that a batch without the option
		 * draws the same numbers as before it existed. */
		gen_enterprise(r, &g.areas[4], "保税仓储有限公司",
		    gen_bonded_site_2018b.customs);
		for (i = 0; i < NPAYERS; i++)
			gen_letter_code(r, g.payers[i].code);
		gen_guid_sender();
	}
	snprintf(g.customs.code, sizeof g.customs.code, "CUSTOMS");
	g.nbuyers = o->nimport / 4;
	if (g.nbuyers < 50)
		g.nbuyers = 50;
	if (g.nbuyers > 4000000)
		g.nbuyers = 4000000;
	g.nreserved = reserved;
	g.next_reserved = g.nbuyers;
	g.buyers = calloc((size_t)(g.nbuyers + reserved), sizeof *g.buyers);
	if (g.buyers == NULL) {
		diag_trouble(NULL, 0, _("out of memory"));
		exit(diag_exit());
	}
}

static long long
spent(long long b, int year)
{
	return g.buyers[b].year == year ? g.buyers[b].spent : 0;
}

static void
spend(long long b, int year, long long v)
{
	if (g.buyers[b].year != year) {
		g.buyers[b].year = (short)year;
		g.buyers[b].spent = 0;
	}
	g.buyers[b].spent += v;
}

/* A clean buyer who can still buy v this year (skewed: some buy a lot). */
static long long
pick_buyer(int year, long long v)
{
	long long b = 0;
	int i;

	for (i = 0; i < 40; i++) {
		uint64_t u = rng_below(g.r, 1000000);

		b = (long long)((double)g.nbuyers * ((double)u / 1e6) *
		    ((double)u / 1e6));
		if (b >= g.nbuyers)
			b = g.nbuyers - 1;
		if (!(g.buyers[b].flags & B_BLOCKED) &&
		    spent(b, year) + v <= CLEAN_ANNUAL)
			return b;
	}
	for (i = 0; i < g.nbuyers; i++, b = (b + 1) % g.nbuyers)
		if (!(g.buyers[b].flags & B_BLOCKED) &&
		    spent(b, year) + v <= CLEAN_ANNUAL)
			return b;
	return -1;
}

static long long
round_price(long long cny)
{
	/* Shop prices: whole yuan, or ending in .90 / .99. */
	switch (rng_below(g.r, 3)) {
	case 0:
		return cny * U;
	case 1:
		return cny * U - 10 * GEN_CENT;
	default:
		return cny * U - 1 * GEN_CENT;
	}
}

static void
fill_line(struct parcel *p, struct line *l, const struct gen_product *pr,
    long long qty, long long price)
{
	const char *o = pr->origins;
	size_t n = 1, k, i;
	const char *br = pr->brands, *e;

	for (i = 0; o[i]; i++)
		if (o[i] == ' ')
			n++;
	k = rng_below(g.r, n);
	memcpy(l->country, o + 4 * k, 3);
	l->country[3] = '\0';
	for (i = rng_below(g.r, 4); i > 0; i--)
		if ((e = strchr(br, '|')) != NULL)
			br = e + 1;
		else
			br = pr->brands;
	e = strchr(br, '|');
	snprintf(l->brand, sizeof l->brand, "%.*s",
	    (int)(e ? (size_t)(e - br) : strlen(br)), br);
	l->pr = pr;
	l->qty = qty;
	l->price = price;
	l->total = qty * price;
	snprintf(l->itemNo, sizeof l->itemNo, "SKU%s%04d", pr->hs8 + 4,
	    (int)rng_below(g.r, 10000));
	(void)p;
}

static int
draw_nlines(void)
{
	int x = (int)rng_below(g.r, 1000);

	if (x < 550)
		return 1;
	if (x < 750)
		return 2;
	if (x < 850)
		return 3;
	if (x < 930)
		return (int)rng_range(g.r, 4, 6);
	if (x < 990)
		return (int)rng_range(g.r, 7, 20);
	return (int)rng_range(g.r, 21, 99);
}

static void
totals(struct parcel *p)
{
	int i;

	p->goods = 0;
	for (i = 0; i < p->nlines; i++)
		p->goods += p->lines[i].total;
	p->dutiable = p->goods + p->freight + p->insured;
}

/* A normal basket whose dutiable value stays at or under cap. */
static void
basket(struct parcel *p, long long cap)
{
	int i;

	p->nlines = draw_nlines();
	p->freight = p->bonded ? (rng_permille(g.r, 600) ? 0 :
	    rng_range(g.r, 8, 15) * U) : rng_range(g.r, 10, 50) * U;
	for (i = 0; i < p->nlines; i++) {
		const struct gen_product *pr =
		    &gen_products[rng_below(g.r, gen_nproducts)];
		long long q = rng_permille(g.r, 750) ? 1 : rng_range(g.r, 2, 4);

		fill_line(p, &p->lines[i], pr, q, round_price(rng_range(g.r,
		    pr->price_lo, pr->price_hi)));
	}
	totals(p);
	p->insured = rng_permille(g.r, 200) ? (p->goods / 100 / GEN_CENT) *
	    GEN_CENT : 0;
	totals(p);
	if (p->dutiable > cap) {
		/* Cheaper: one of each at the low end of its range. */
		for (i = 0; i < p->nlines; i++)
			fill_line(p, &p->lines[i], p->lines[i].pr, 1,
			    p->lines[i].pr->price_lo * U);
		p->insured = 0;
		totals(p);
		while (p->dutiable > cap && p->nlines > 1) {
			p->nlines--;
			totals(p);
		}
		if (p->dutiable > cap)
			fill_line(p, &p->lines[0], &gen_products[7], 1, 30 * U);
		totals(p);
	}
}

/* A one-line basket of exactly `value` dutiable (freight included). */
static void
exact_basket(struct parcel *p, long long value)
{
	static const char *const dear[] = { "42022200", "91021100",
	    "85171300", "33030000" };
	const struct gen_product *pr = &gen_products[0];
	const char *want = dear[rng_below(g.r, 4)];
	size_t i;

	for (i = 0; i < gen_nproducts; i++)
		if (strcmp(gen_products[i].hs8, want) == 0)
			pr = &gen_products[i];
	p->nlines = 1;
	p->insured = 0;
	p->freight = p->bonded ? 0 : rng_range(g.r, 10, 30) * U;
	fill_line(p, &p->lines[0], pr, 1, value - p->freight);
	totals(p);
}

static void
weights(struct parcel *p)
{
	int i;

	p->net = 0;
	for (i = 0; i < p->nlines; i++)
		p->net += (long)(p->lines[i].qty * p->lines[i].pr->grams);
	p->gross = p->net + 80 + (long)rng_below(g.r, 300);
}

static void
identify(struct parcel *p, int day)
{
	struct gen_date d;
	const struct gen_site *s;
	int year2;

	gen_day(g.o, day, &d);
	g.serial++;
	year2 = d.y;
	snprintf(p->orderNo, sizeof p->orderNo, "P%d%s%09lld", p->platform,
	    d.ymd, g.serial);
	snprintf(p->payTx, sizeof p->payTx, "42%02d%s%014lld", p->payer,
	    d.ymd, g.serial * 7 + 3);
	snprintf(p->logisticsNo, sizeof p->logisticsNo, "%s%012lld",
	    g.carrier_prefix[p->carrier], 700000000000LL + g.serial);
	snprintf(p->copNo, sizeof p->copNo, "C%s%08lld", d.ymd, g.serial);
	snprintf(p->preNo, sizeof p->preNo, "B%s%09lld", d.ymd, g.serial);
	s = site_of(p);
	snprintf(p->invtNo, sizeof p->invtNo, "%s%04dI%09lld", s->customs,
	    year2 % 10000, g.serial);
	if (p->bonded) {
		snprintf(p->emsNo, sizeof p->emsNo, "T%sW%06d", s->customs,
		    100 + p->site * 37);
		snprintf(p->country, sizeof p->country, "142");
	} else {
		const struct gen_carrier *a = &gen_airlines[g.serial / 500 %
		    gen_nairlines];
		struct rng fr;

		/* One flight and master AWB serves ~500 parcels. */
		rng_seed(&fr, g.o->seed + (uint64_t)(g.serial / 500) * 31);
		snprintf(p->flight, sizeof p->flight, "%s%d", a->iata,
		    (int)rng_range(&fr, 1000, 9899));
		gen_awb(&fr, a->prefix, p->billNo);
		snprintf(p->country, sizeof p->country, "%s",
		    p->lines[0].country);
	}
}

static void
key621(const struct parcel *p)
{
	snprintf(g.key, sizeof g.key, "%s/%s", g.agents[p->agent].code,
	    p->copNo);
}

static void
bad_id(const struct parcel *p, int defect, char out[19])
{
	static const char cyc[] = "0123456789X0";

	memcpy(out, p->bid, 19);
	if (defect == D_BIZ_ID) {
		out[17] = strchr(cyc, out[17])[1];
	} else {
		/* 30 February, or month 13, with a matching check character. */
		if (rng_permille(g.r, 500))
			memcpy(out + 10, "0230", 4);
		else
			memcpy(out + 10, "1315", 4);
		out[17] = (char)ident_gb11643_check(out);
	}
}

static void
emit_order(const struct parcel *p, int defect, const char *id)
{
	struct sbuf *b = &g.b;
	struct gen_date d;
	char t[15], guid[37];
	int i;

	gen_day(g.o, p->dorder, &d);
	gen_time14(&d, p->torder, t);
	gen_guid(g.r, guid);
	b->n = 0;
	sb_puts(b, "<ceb:Order><ceb:OrderHead>");
	sb_el(b, "guid", guid);
	sb_el(b, "appType", "1");
	sb_el(b, "appTime", t);
	sb_el(b, "appStatus", "2");
	sb_el(b, "orderType", "I");
	sb_el(b, "orderNo", p->orderNo);
	sb_el(b, "ebpCode", g.platforms[p->platform].code);
	sb_el(b, "ebpName", g.platforms[p->platform].name);
	sb_el(b, "ebcCode", g.ebcs[p->ebc].code);
	sb_el(b, "ebcName", g.ebcs[p->ebc].name);
	sb_eldec(b, "goodsValue", p->goods);
	sb_eldec(b, "freight", p->freight);
	sb_eldec(b, "discount", p->discount);
	sb_eldec(b, "taxTotal", p->tax + (defect == D_BIZ_PAID ? U : 0));
	sb_eldec(b, "acturalPaid", p->paid);
	sb_el(b, "currency", "142");
	sb_el(b, "buyerRegNo", p->bregno);
	sb_el(b, "buyerName", p->bname);
	sb_el(b, "buyerTelephone", p->bphone);
	sb_el(b, "buyerIdType", "1");
	sb_el(b, "buyerIdNumber", id);
	sb_el(b, "payCode", g.payers[p->payer].code);
	sb_el(b, "payName", g.payers[p->payer].name);
	sb_el(b, "payTransactionId", p->payTx);
	sb_el(b, "consignee", p->cname);
	sb_el(b, "consigneeTelephone", p->cphone);
	sb_el(b, "consigneeAddress", p->caddr);
	sb_el(b, "consigneeDistrict", p->cdistrict);
	sb_puts(b, "</ceb:OrderHead>\n");
	for (i = 0; i < p->nlines; i++) {
		const struct line *l = &p->lines[i];

		sb_puts(b, "<ceb:OrderList>");
		sb_elint(b, "gnum", i + 1);
		sb_el(b, "itemNo", l->itemNo);
		sb_el(b, "itemName", l->pr->name);
		sb_elf(b, "gmodel", "%s %s", l->brand, l->pr->name);
		sb_el(b, "barCode", "无");
		sb_el(b, "unit", l->pr->unit);
		sb_elint(b, "qty", l->qty);
		sb_eldec(b, "price", l->price);
		sb_eldec(b, "totalPrice", l->total);
		sb_el(b, "currency", "142");
		sb_el(b, "country", l->country);
		sb_puts(b, "</ceb:OrderList>\n");
	}
	sb_puts(b, "</ceb:Order>\n");
	snprintf(g.key, sizeof g.key, "%s/%s", g.platforms[p->platform].code,
	    p->orderNo);
	out_record(p->dorder, 311, &g.platforms[p->platform], b->p, b->n,
	    defect == D_BIZ_PAID ? defect : D_NONE, g.key);
}

static void
emit_payment(const struct parcel *p, int defect, const char *id)
{
	struct sbuf *b = &g.b;
	struct gen_date d;
	char t[15], guid[37], pname[32], pid[19], pphone[12];
	long long amount = p->paid;

	gen_day(g.o, p->dpay, &d);
	gen_guid(g.r, guid);
	snprintf(pname, sizeof pname, "%s", p->bname);
	snprintf(pid, sizeof pid, "%s", id);
	snprintf(pphone, sizeof pphone, "%s", p->bphone);
	if (defect == D_REC_BUYER) {
		gen_person_name(g.r, pname, sizeof pname);
		gen_id_number(g.r, pid);
		gen_phone(g.r, pphone);
	}
	if (defect == D_REC_AMOUNT)
		amount += (rng_permille(g.r, 500) ? 1 : -1) *
		    rng_range(g.r, 1, 5000) * GEN_CENT;
	if (defect == D_RISK_MISMATCH)	/* drawn from the risk stream */
		amount += (rng_permille(&g.rr, 500) ? 1 : -1) *
		    rng_range(&g.rr, 1, 5000) * GEN_CENT;
	b->n = 0;
	sb_puts(b, "<ceb:Payment><ceb:PaymentHead>");
	sb_el(b, "guid", guid);
	sb_el(b, "appType", "1");
	gen_time14(&d, p->dpay == p->dorder ? p->torder + 60 +
	    (long)rng_below(g.r, 600) : (long)rng_below(g.r, 3600), t);
	sb_el(b, "appTime", t);
	sb_el(b, "appStatus", "2");
	sb_el(b, "payCode", g.payers[p->payer].code);
	sb_el(b, "payName", g.payers[p->payer].name);
	sb_el(b, "payTransactionId", p->payTx);
	sb_el(b, "orderNo", p->orderNo);
	sb_el(b, "ebpCode", g.platforms[p->platform].code);
	sb_el(b, "ebpName", g.platforms[p->platform].name);
	sb_el(b, "payerIdType", "1");
	sb_el(b, "payerIdNumber", pid);
	sb_el(b, "payerName", pname);
	sb_el(b, "telephone", pphone);
	sb_eldec(b, "amountPaid", amount);
	sb_el(b, "currency", "142");
	gen_time14(&d, p->dpay == p->dorder ? p->torder + 30 : 0, t);
	sb_el(b, "payTime", t);
	sb_puts(b, "</ceb:PaymentHead></ceb:Payment>\n");
	out_record(p->dpay, 411, &g.payers[p->payer], b->p, b->n, D_NONE, "");
}

static void
emit_waybill(const struct parcel *p, int defect)
{
	struct sbuf *b = &g.b;
	struct gen_date d;
	char t[15], guid[37], phone[12];

	gen_day(g.o, p->dwaybill, &d);
	gen_guid(g.r, guid);
	snprintf(phone, sizeof phone, "%s", p->cphone);
	if (defect == D_REC_CONSIGNEE)
		while (strcmp(phone, p->cphone) == 0)
			gen_phone(g.r, phone);
	b->n = 0;
	sb_puts(b, "<ceb:Logistics><ceb:LogisticsHead>");
	sb_el(b, "guid", guid);
	sb_el(b, "appType", "1");
	gen_time14(&d, p->dwaybill == p->dorder ? p->torder + 1800 +
	    (long)rng_below(g.r, 7200) : (long)rng_below(g.r, 36000), t);
	sb_el(b, "appTime", t);
	sb_el(b, "appStatus", "2");
	sb_el(b, "logisticsCode", g.carriers[p->carrier].code);
	sb_el(b, "logisticsName", g.carriers[p->carrier].name);
	sb_el(b, "logisticsNo", p->logisticsNo);
	if (!p->bonded)
		sb_el(b, "billNo", p->billNo);
	sb_el(b, "orderNo", p->orderNo);
	sb_eldec(b, "freight", p->freight);
	sb_eldec(b, "insuredFee", p->insured);
	sb_el(b, "currency", "142");
	sb_eldec(b, "weight", (long long)p->gross * (U / 1000));
	sb_el(b, "packNo", "1");
	sb_el(b, "goodsInfo", p->lines[0].pr->name);
	sb_el(b, "consignee", p->cname);
	sb_el(b, "consigneeAddress", p->caddr);
	sb_el(b, "consigneeTelephone", phone);
	sb_puts(b, "</ceb:LogisticsHead></ceb:Logistics>\n");
	out_record(p->dwaybill, 511, &g.carriers[p->carrier], b->p, b->n,
	    D_NONE, "");
}

static long long
legal_qty(const struct line *l, const char *unit, long long qty)
{
	if (strcmp(unit, l->pr->unit) == 0)
		return qty * U;
	if (strcmp(unit, "035") == 0)
		return qty * l->pr->grams * (U / 1000);
	if (strcmp(unit, "095") == 0)		/* wine: 0.75 l a bottle */
		return qty * 75 * (U / 100);
	return qty * U;
}

static void
emit_inventory(const struct parcel *p, int defect, const char *id)
{
	const struct gen_site *s = site_of(p);
	struct sbuf *b = &g.b;
	struct gen_date d;
	char t[15], guid[37];
	int i, k;

	gen_day(g.o, p->dinv, &d);
	gen_guid(g.r, guid);
	if (defect == D_BIZ_GUID)
		for (k = 0; guid[k]; k++)
			if (guid[k] >= 'A' && guid[k] <= 'F')
				guid[k] = (char)(guid[k] - 'A' + 'a');
	b->n = 0;
	sb_puts(b, "<ceb:Inventory><ceb:InventoryHead>");
	sb_el(b, "guid", guid);
	sb_el(b, "appType", "1");
	gen_time14(&d, p->dinv == p->dorder ? p->torder + 3600 +
	    (long)rng_below(g.r, 3600) : 28800 + (long)rng_below(g.r, 36000),
	    t);
	sb_el(b, "appTime", t);
	sb_el(b, "appStatus", "2");
	sb_el(b, "orderNo", p->orderNo);
	sb_el(b, "ebpCode", g.platforms[p->platform].code);
	sb_el(b, "ebpName", g.platforms[p->platform].name);
	sb_el(b, "ebcCode", g.ebcs[p->ebc].code);
	sb_el(b, "ebcName", g.ebcs[p->ebc].name);
	sb_el(b, "logisticsNo", p->logisticsNo);
	sb_el(b, "logisticsCode", g.carriers[p->carrier].code);
	sb_el(b, "logisticsName", g.carriers[p->carrier].name);
	sb_el(b, "copNo", p->copNo);
	sb_el(b, "assureCode", g.ebcs[p->ebc].code);
	if (p->bonded)
		sb_el(b, "emsNo", p->emsNo);
	if (defect == D_STRUCT_ORDER) {
		sb_el(b, "declTime", d.ymd);
		sb_el(b, "ieFlag", "I");
	} else {
		sb_el(b, "ieFlag", "I");
		sb_el(b, "declTime", d.ymd);
	}
	sb_el(b, "customsCode", s->customs);
	if (!(defect == D_STRUCT_MISSING && g.serial % 2 == 0))
		sb_el(b, "portCode", s->port);
	sb_el(b, "ieDate", d.ymd);
	sb_el(b, "buyerIdType", "1");
	sb_el(b, "buyerIdNumber", id);
	sb_el(b, "buyerName", p->bname);
	sb_el(b, "buyerTelephone", p->bphone);
	sb_el(b, "consigneeAddress", p->caddr);
	sb_el(b, "agentCode", g.agents[p->agent].code);
	sb_el(b, "agentName", g.agents[p->agent].name);
	if (p->bonded) {
		sb_el(b, "areaCode", g.areas[p->site].code);
		sb_el(b, "areaName", g.areas[p->site].name);
	}
	sb_el(b, "tradeMode", p->bonded ? "1210" : "9610");
	sb_el(b, "trafMode", s->traf);
	if (!p->bonded) {
		sb_el(b, "trafNo", p->flight);
		sb_el(b, "voyageNo", p->flight);
		sb_el(b, "billNo", p->billNo);
	}
	sb_el(b, "country", p->country);
	sb_eldec(b, "freight", p->freight);
	sb_eldec(b, "insuredFee", p->insured);
	sb_el(b, "currency", "142");
	sb_el(b, "wrapType", defect == D_BIZ_CODE ? "9" : "2");
	sb_el(b, "packNo", "1");
	sb_eldec(b, "grossWeight", (long long)p->gross * (U / 1000));
	if (!(defect == D_STRUCT_MISSING && g.serial % 2 == 1))
		sb_eldec(b, "netWeight", (long long)p->net * (U / 1000));
	if (defect == D_STRUCT_OVERLENGTH) {
		sb_puts(b, "<ceb:note>");
		for (k = 0; k < 1001; k++)
			sb_putn(b, "x", 1);
		sb_puts(b, "</ceb:note>");
	}
	sb_puts(b, "</ceb:InventoryHead>\n");
	if (defect == D_STRUCT_DUP) {
		const char *h = strstr(b->p, "<ceb:InventoryHead>");
		size_t hl = b->n - (size_t)(h - b->p);
		char *copy = malloc(hl);

		if (copy != NULL) {
			memcpy(copy, h, hl);
			sb_putn(b, copy, hl);
			free(copy);
		}
	}
	for (i = 0; i < p->nlines; i++) {
		const struct line *l = &p->lines[i];
		long long qty = l->qty, price = l->price, total = l->total;

		if (i == 0 && defect == D_REC_LINE) {
			qty *= 2;
			price /= 2;
		}
		if (i == 0 && defect == D_BIZ_LINE)
			total += U;
		sb_puts(b, "<ceb:InventoryList>");
		sb_elint(b, "gnum", i + 1);
		if (p->bonded)
			sb_elf(b, "itemRecordNo", "%s%s", l->pr->hs8,
			    l->itemNo + 7);
		sb_el(b, "itemNo", l->itemNo);
		sb_el(b, "itemName", l->pr->name);
		sb_elf(b, "gcode", "%s00", l->pr->hs8);
		sb_el(b, "gname", l->pr->name);
		sb_elf(b, "gmodel", "%s %s", l->brand, l->pr->name);
		sb_el(b, "barCode", "无");
		sb_el(b, "country", l->country);
		sb_el(b, "tradeCountry", l->country);
		sb_el(b, "currency", "142");
		sb_elint(b, "qty", qty);
		sb_el(b, "unit", l->pr->unit);
		sb_eldec(b, "qty1", legal_qty(l, l->pr->unit1, qty));
		sb_el(b, "unit1", l->pr->unit1);
		if (l->pr->unit2) {
			sb_eldec(b, "qty2", legal_qty(l, l->pr->unit2, qty));
			sb_el(b, "unit2", l->pr->unit2);
		}
		sb_eldec(b, "price", price);
		sb_eldec(b, "totalPrice", total);
		sb_puts(b, "</ceb:InventoryList>\n");
	}
	sb_puts(b, "</ceb:Inventory>\n");
	key621(p);
	out_record(p->dinv, 621, &g.agents[p->agent], b->p, b->n,
	    defect >= D_STRUCT_MISSING && defect <= D_SIG_CERT &&
	    defect != D_BIZ_PAID ? defect : D_NONE, g.key);
}

static void
emit_receipt(const struct parcel *p, int day, long sec, const char *status,
    const char *info, int with_invt)
{
	const struct gen_site *s = site_of(p);
	struct sbuf *b = &g.b;
	struct gen_date d;
	char t[18], guid[37];

	gen_day(g.o, day, &d);
	gen_guid(g.r, guid);
	gen_time17(&d, sec, (int)rng_below(g.r, 1000), t);
	b->n = 0;
	sb_puts(b, "<ceb:InventoryReturn>");
	sb_el(b, "guid", guid);
	sb_el(b, "customsCode", s->customs);
	sb_el(b, "ebpCode", g.platforms[p->platform].code);
	sb_el(b, "ebcCode", g.ebcs[p->ebc].code);
	sb_el(b, "agentCode", g.agents[p->agent].code);
	sb_el(b, "copNo", p->copNo);
	sb_el(b, "preNo", p->preNo);
	if (with_invt)
		sb_el(b, "invtNo", p->invtNo);
	sb_el(b, "returnStatus", status);
	sb_el(b, "returnTime", t);
	sb_el(b, "returnInfo", info);
	sb_puts(b, "</ceb:InventoryReturn>\n");
	out_record(day, 622, &g.customs, b->p, b->n, D_NONE, "");
}

/* 623 or 625 after release. */
static void
emit_undo(const struct parcel *p, int code, int day)
{
	struct sbuf *b = &g.b;
	struct gen_date d;
	char t[15], guid[37];
	int i;

	gen_day(g.o, day, &d);
	gen_guid(g.r, guid);
	gen_time14(&d, 36000 + (long)rng_below(g.r, 36000), t);
	b->n = 0;
	sb_puts(b, code == 623 ? "<ceb:InvtCancel>" :
	    "<ceb:InvtRefund><ceb:InvtRefundHead>");
	sb_el(b, "guid", guid);
	sb_el(b, "appType", "1");
	sb_el(b, "appTime", t);
	sb_el(b, "appStatus", "2");
	sb_el(b, "customsCode", site_of(p)->customs);
	sb_el(b, "orderNo", p->orderNo);
	sb_el(b, "ebpCode", g.platforms[p->platform].code);
	sb_el(b, "ebpName", g.platforms[p->platform].name);
	sb_el(b, "ebcCode", g.ebcs[p->ebc].code);
	sb_el(b, "ebcName", g.ebcs[p->ebc].name);
	sb_el(b, "logisticsNo", p->logisticsNo);
	sb_el(b, "logisticsCode", g.carriers[p->carrier].code);
	sb_el(b, "logisticsName", g.carriers[p->carrier].name);
	sb_el(b, "copNo", p->copNo);
	sb_el(b, "preNo", p->preNo);
	sb_el(b, "invtNo", p->invtNo);
	sb_el(b, "buyerIdType", "1");
	sb_el(b, "buyerIdNumber", p->bid);
	sb_el(b, "buyerName", p->bname);
	sb_el(b, "buyerTelephone", p->bphone);
	sb_el(b, "agentCode", g.agents[p->agent].code);
	sb_el(b, "agentName", g.agents[p->agent].name);
	sb_el(b, "reason", code == 623 ? "消费者取消订单" : "商品质量问题，整单退货");
	if (code == 623) {
		sb_puts(b, "</ceb:InvtCancel>\n");
	} else {
		sb_puts(b, "</ceb:InvtRefundHead>\n");
		for (i = 0; i < p->nlines; i++) {
			const struct line *l = &p->lines[i];

			sb_puts(b, "<ceb:InvtRefundList>");
			sb_elint(b, "gnum", i + 1);
			sb_elf(b, "gcode", "%s00", l->pr->hs8);
			sb_el(b, "gname", l->pr->name);
			sb_elint(b, "qty", l->qty);
			sb_el(b, "unit", l->pr->unit);
			sb_puts(b, "</ceb:InvtRefundList>\n");
		}
		sb_puts(b, "</ceb:InvtRefund>\n");
	}
	out_record(day, code, &g.agents[p->agent], b->p, b->n, D_NONE, "");
}

static int
later(int day, int permille)
{
	if (day + 1 < g.o->days && rng_permille(g.r, permille))
		return day + 1;
	return day;
}

/* ---- risk patterns (FAM_RISK) ---- */

/* Countries no product of gen-data.c comes from. */
static const char *const odd_origins[] = { "132", "136", "143", "110" };

/* A person of a risk pattern: identity from its own seed, never g.r. */
static void
risk_person(uint64_t seed, struct parcel *p)
{
	struct rng x;

	rng_seed(&x, seed);
	gen_person_name(&x, p->bname, sizeof p->bname);
	gen_id_number(&x, p->bid);
	gen_phone(&x, p->bphone);
	snprintf(p->cname, sizeof p->cname, "%s", p->bname);
	snprintf(p->cphone, sizeof p->cphone, "%s", p->bphone);
	gen_address(&x, p->caddr, sizeof p->caddr, &p->cdistrict);
}

/*
 * The group a pattern's n-th parcel belongs to: groups of size, the
 * parcels past the last whole group joining it.
 */
static long long
risk_group(int kind, long long size, long long *member)
{
	long long n = g.rdone[kind]++, groups = g.rtotal[kind] / size;

	if (groups < 1)
		groups = 1;
	*member = n % size;
	return n / size < groups ? n / size : groups - 1;
}

/*
 * Turn parcel p into one of a risk pattern, after the batch's own random
 * draws for it are done (so that they do not depend on the pattern):
 * what changes is drawn from g.rr.
 */
static void
risk_apply(struct parcel *p, int kind)
{
	uint64_t base = g.o->seed * 2654435761ULL + (uint64_t)kind * 1000003;
	struct rng *save = g.r;
	long long grp, m;
	struct line *l = &p->lines[0];
	size_t i;

	g.r = &g.rr;
	switch (kind) {
	case D_RISK_UNDERVALUED:
		l->price = (long long)l->pr->price_lo * U *
		    rng_range(g.r, 8, 20) / 100 / GEN_CENT * GEN_CENT;
		if (l->price < GEN_CENT)
			l->price = GEN_CENT;
		l->total = l->qty * l->price;
		break;
	case D_RISK_WEIGHT:
		p->nlines = 1;
		break;
	case D_RISK_ORIGIN:
		for (i = 0; i + 1 < sizeof odd_origins / sizeof *odd_origins &&
		    strstr(l->pr->origins, odd_origins[i]); i++)
			;
		snprintf(l->country, sizeof l->country, "%s", odd_origins[i]);
		if (!p->bonded)
			snprintf(p->country, sizeof p->country, "%s",
			    l->country);
		break;
	case D_RISK_RING: {
		char addr[200], phone[12];
		const char *district;
		struct rng x;

		grp = risk_group(kind, 5, &m);
		rng_seed(&x, base + (uint64_t)grp * 7919);
		gen_address(&x, addr, sizeof addr, &district);
		gen_phone(&x, phone);
		risk_person(base + (uint64_t)grp * 7919 + 1 + (uint64_t)m, p);
		snprintf(p->caddr, sizeof p->caddr, "%s", addr);
		p->cdistrict = district;
		snprintf(p->bphone, sizeof p->bphone, "%s", phone);
		snprintf(p->cphone, sizeof p->cphone, "%s", phone);
		break;
	}
	case D_RISK_SPLIT:
	case D_RISK_UNDER_LIMIT:
		grp = risk_group(kind, 3, &m);
		risk_person(base + (uint64_t)grp * 7919, p);
		p->ebc = (int)((base + (uint64_t)grp) % NEBCS);
		if (kind == D_RISK_UNDER_LIMIT)
			p->ebc = (p->ebc + 5 * (int)m) % NEBCS;
		p->platform = g.ebc_platform[p->ebc];
		exact_basket(p, kind == D_RISK_SPLIT ?
		    rng_range(g.r, 1800, 2400) * U :
		    rng_range(g.r, 4600, 4990) * U);
		break;
	case D_RISK_MISMATCH:
		/* One company; its payments disagree (emit_payment()). */
		p->ebc = NEBCS - 1;
		p->platform = g.ebc_platform[p->ebc];
		break;
	}
	totals(p);
	weights(p);
	if (kind == D_RISK_WEIGHT) {
		p->net *= 6;
		p->gross = p->net + 100;
	}
	if (p->discount > p->goods)
		p->discount = 0;
	p->tax = (p->dutiable * 91 / 1000) / GEN_CENT * GEN_CENT;
	p->paid = p->goods + p->freight + p->tax - p->discount;
	g.r = save;
}

/* The risk pattern the next ordinary parcel takes, or D_NONE. */
static int
risk_take(void)
{
	int k;

	for (k = D_RISK_UNDERVALUED; k <= D_RISK_MISMATCH; k++)
		if (g.rpending[k] > 0) {
			g.rpending[k]--;
			return k;
		}
	return D_NONE;
}

/*
 * Make and write one parcel on `day`.  value > 0 asks for a one-line
 * basket of exactly that dutiable value for buyer `buyer` with agent
 * `agent` (quota defects and their helpers); else the basket is drawn.
 */
static void
parcel(int day, int defect, long long buyer, long long value, int agent)
{
	struct parcel p;
	struct gen_date d;
	char id[19];
	int undo = 0, rk = D_NONE;

	memset(&p, 0, sizeof p);
	gen_day(g.o, day, &d);
	p.bonded = rng_permille(g.r, g.o->bonded_permille);
	/* With --sender-shapes one more site: an office of the 2018-12 list. */
	p.site = (int)rng_below(g.r, (p.bonded ? gen_nbonded_sites :
	    gen_ndirect_sites) + (g.o->shapes ? 1 : 0));
	p.ebc = (int)rng_below(g.r, NEBCS);
	p.platform = g.ebc_platform[p.ebc];
	p.payer = (int)rng_below(g.r, NPAYERS);
	p.carrier = (int)rng_below(g.r, NCARRIERS);
	p.agent = agent >= 0 ? agent : (int)rng_below(g.r, NAGENTS);
	if (value > 0) {
		exact_basket(&p, value);
	} else if (defect == D_QUOTA_SINGLE) {
		/* Several lines adding up to 5000.01 .. 9000 (not one item). */
		basket(&p, CLEAN_SINGLE);
		while (p.nlines < 2 || p.dutiable <= LIMIT_SINGLE) {
			const struct gen_product *pr =
			    &gen_products[rng_below(g.r, gen_nproducts)];
			long long room = 9000 * U - p.dutiable;
			long long price = round_price(rng_range(g.r,
			    pr->price_lo, pr->price_hi));

			if (p.nlines == 99 || room < 100 * U)
				break;
			if (price > room)
				price = room - 10 * U;
			fill_line(&p, &p.lines[p.nlines++], pr, 1, price);
			totals(&p);
		}
	} else if (defect == D_QUOTA_ITEM) {
		exact_basket(&p, rng_range(g.r, 5100, 12000) * U);
	} else
		basket(&p, CLEAN_SINGLE);
	weights(&p);
	p.discount = rng_permille(g.r, 250) ? rng_range(g.r, 1, 20) * U : 0;
	if (p.discount > p.goods)
		p.discount = 0;
	/* Tax withheld at the retail rate 9.1 %, to the cent. */
	p.tax = (p.dutiable * 91 / 1000) / GEN_CENT * GEN_CENT;
	p.paid = p.goods + p.freight + p.tax - p.discount;
	if (buyer < 0) {
		buyer = pick_buyer(d.y, p.dutiable);
		if (buyer < 0) {
			/* Every buyer is full: take a reserved fresh one. */
			buyer = g.nbuyers - 1;
		}
	}
	p.buyer = buyer;
	spend(buyer, d.y, p.dutiable);
	if (defect == D_QUOTA_SINGLE || defect == D_QUOTA_ITEM)
		g.buyers[buyer].flags |= B_TAINTED;
	buyer_details(buyer, &p);
	p.dorder = day;
	p.torder = 8 * 3600 + (long)rng_below(g.r, 14 * 3600);
	if (g.seq_t > 0) {
		/* One buyer's parcels of a day in the order they are made,
		 * their appTimes too (each within an hour of torder + 1 h),
		 * since ceb-quota-check judges a day's inventories by
		 * appTime: the parcel made last is the one that crosses. */
		p.torder = g.seq_t;
		if (g.seq_t < 19 * 3600)
			g.seq_t += 3700;
	}
	p.dpay = day;
	if (agent >= 0) {
		p.dwaybill = day;
		p.dinv = day;
	} else {
		p.dwaybill = later(day, 150);
		p.dinv = later(p.dwaybill, 200);
	}
	/* Risk patterns go on ordinary parcels, never on quota ones. */
	if (value == 0 && agent < 0 && defect != D_QUOTA_SINGLE &&
	    defect != D_QUOTA_ITEM)
		rk = risk_take();
	/* A split basket's inventories are declared on its orders' day. */
	if (rk == D_RISK_SPLIT) {
		p.dwaybill = day;
		p.dinv = day;
	}
	identify(&p, p.dinv);
	if (rk != D_NONE)
		risk_apply(&p, rk);
	snprintf(id, sizeof id, "%s", p.bid);
	if (defect == D_BIZ_ID || defect == D_BIZ_BIRTH)
		bad_id(&p, defect, id);

	if (defect != D_REC_ORDER)
		emit_order(&p, defect, id);
	if (defect != D_REC_PAYMENT)
		emit_payment(&p, rk == D_RISK_MISMATCH && defect == D_NONE ?
		    D_RISK_MISMATCH : defect, id);
	if (defect != D_REC_WAYBILL)
		emit_waybill(&p, defect);
	if (rk != D_NONE)
		out_also(rk);
	emit_inventory(&p, defect, id);
	if (g.o->receipts) {
		char info[128];
		long t = p.dinv == p.dorder ? p.torder + 7300 : 40000;
		int rd = p.dinv;

		snprintf(info, sizeof info, "清单新增申报成功[%s]", p.copNo);
		emit_receipt(&p, rd, t, "2", info, 0);
		emit_receipt(&p, rd, t + 40, "120",
		    "[Code:1800;Desc:逻辑校验通过]", 1);
		emit_receipt(&p, rd, t + 40, "800", "[Code:2600;Desc:放行]", 1);
		if (rng_permille(g.r, 500))
			emit_receipt(&p, later(rd, 300), t + 3600, "899",
			    "结关", 1);
	}
	if (defect == D_NONE && agent < 0) {
		if (rng_permille(g.r, g.o->cancel_permille))
			undo = 623;
		else if (rng_permille(g.r, g.o->return_permille))
			undo = 625;
		if (undo) {
			g.buyers[buyer].flags |= B_TAINTED;
			emit_undo(&p, undo, later(p.dinv, 500));
		}
	}
}

/* quota-over-annual: a fresh buyer buys up to the limit, then crosses it. */
static void
annual(int day)
{
	long long b = g.next_reserved++;
	int agent = (int)rng_below(g.r, NAGENTS), year;
	struct gen_date d;
	long long left;

	gen_day(g.o, day, &d);
	year = d.y;
	if (b >= g.nbuyers + g.nreserved)
		b = g.nbuyers + g.nreserved - 1;
	/*
	 * Helpers of 3000 .. 4900 each leave 100 .. 4800 of the limit;
	 * none of them reaches it.
	 */
	g.seq_t = 8 * 3600;
	while ((left = LIMIT_ANNUAL - spent(b, year)) >= 4800 * U) {
		long long hi = left / U - 100;

		parcel(day, D_NONE, b, rng_range(g.r, 3000, hi > 4900 ? 4900 :
		    hi) * U, agent);
	}
	/* Over what is left, never over the single limit. */
	parcel(day, D_QUOTA_ANNUAL, b, left + rng_range(g.r, 1,
	    (LIMIT_SINGLE - left) / GEN_CENT) * GEN_CENT, agent);
	g.seq_t = 0;
	g.buyers[b].flags |= B_BLOCKED;
}

/*
 * A risk-split-basket parcel was drawn: it starts a basket (the groups of
 * risk_group(), 3 parcels, the last one taking the odd ones), whose other
 * parcels are pulled from the draw to come and made next, on its day:
 * one basket split over several orders on one day is what K-SPLIT-005
 * looks for, and parcels drawn at random over the nights would be a
 * buyer ordering again, not a split basket.
 */
static void
split_pull(struct gen_pick *rpick, int day)
{
	long long c = g.rsplit, total = g.rtotal[D_RISK_SPLIT];
	long long groups = total / 3 > 0 ? total / 3 : 1;
	long long size = c / 3 < groups - 1 ? 3 : total - c;
	long long pull = size - 1;

	if (pull > rpick->left[D_RISK_SPLIT])
		pull = rpick->left[D_RISK_SPLIT];
	if (pull < 0)
		pull = 0;
	rpick->left[D_RISK_SPLIT] -= pull;
	g.rpending[D_RISK_SPLIT] += pull;
	g.rsplit = c + 1 + pull;
	g.split_day = day;
}

int
gen_import(const struct gen_opts *o, struct rng *r)
{
	struct gen_pick pick, rpick;
	long long i, sum = 0;
	int k;

	memset(&pick, 0, sizeof pick);
	pick.pop = o->nimport;
	for (k = 0; k < D_COUNT; k++) {
		if (gen_defects[k].fam != FAM_IMPORT || o->rate[k] < 0)
			continue;
		pick.left[k] = o->is_count[k] ? (long long)o->rate[k] :
		    (long long)(o->rate[k] * (double)o->nimport + 0.5);
		sum += pick.left[k];
	}
	if (sum > o->nimport) {
		diag_trouble(NULL, 0, _("%lld import defects asked for, but "
		    "only %lld import parcels (-n)"), sum, o->nimport);
		return -1;
	}
	setup(o, r, pick.left[D_QUOTA_ANNUAL] + 1);
	/* The risk patterns: drawn from a stream of their own. */
	memset(&rpick, 0, sizeof rpick);
	rpick.pop = o->nimport;
	sum = 0;
	for (k = D_RISK_UNDERVALUED; k <= D_RISK_MISMATCH; k++) {
		if (o->rate[k] < 0)
			continue;
		rpick.left[k] = g.rtotal[k] = o->is_count[k] ?
		    (long long)o->rate[k] :
		    (long long)(o->rate[k] * (double)o->nimport + 0.5);
		sum += rpick.left[k];
	}
	if (sum > o->nimport) {
		diag_trouble(NULL, 0, _("%lld risk patterns asked for, but "
		    "only %lld import parcels (-n)"), sum, o->nimport);
		return -1;
	}
	rng_seed(&g.rr, o->seed ^ 0x5249534b00000000ULL);
	for (i = 0; i < o->nimport && !out_failed(); i++) {
		int day = (int)(i * o->days / o->nimport);
		int defect = gen_pick_next(&pick, r, D_STRUCT_MISSING,
		    D_SIG_CERT);
		int rk = gen_pick_next(&rpick, &g.rr, D_RISK_UNDERVALUED,
		    D_RISK_MISMATCH);

		if (rk != D_NONE)
			g.rpending[rk]++;
		if (rk == D_RISK_SPLIT)
			split_pull(&rpick, day);
		/* The day stays the basket's until all its parcels are made. */
		if (g.rpending[D_RISK_SPLIT] > 0)
			day = g.split_day;

		if (defect == D_QUOTA_ANNUAL)
			annual(day);
		else
			parcel(day, defect, -1, 0, -1);
	}
	free(g.buyers);
	free(g.b.p);
	return out_failed() ? -1 : 0;
}
