/*
 * gen-export.c: export parcels (9610 general export) and the carrier's
 * manifests for them.  A parcel is an order (303), a waybill (505), an
 * inventory (603) and its receipts (604).  Parcels are packed into big
 * bags (totalPackageNo) under master bills (billNo); each master is
 * declared in a 清单总分单 (607) and a departure (509), both split into
 * msgCount/msgSeqNo parts of at most --split waybills; masters travel on
 * voyages (a flight or a sailing), and each voyage gets the carrier's
 * pre-stowage manifest (MT2201 air / MT2101 sea) and loading manifest
 * (MT4201 / MT4101) plus one CSV row per parcel that left.
 *
 * Memory holds one master's parcels (at most a few thousand short
 * records) and one voyage's master totals, never the batch.  The plan of
 * masters (sizes, and which part of which master goes missing) is drawn
 * first, one small record per master, so that defect counts are exact.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "gen.h"
#include "i18n.h"

#define U GEN_UNIT
#define NPLATFORMS 4
#define NEBCS 12
#define NCARRIERS 4
#define NAGENTS 4
#define BAG 30			/* parcels per big bag */

struct master {
	int day, cap, drop;	/* drop: msgSeqNo of the missing 607 part */
	int voyage;
};

struct item {
	char logisticsNo[40];
	char bag[48];
	long grams;
	int defect;
};

struct voyage_master {
	char billNo[32];
	int bags;
	long grams;
};

static struct {
	const struct gen_opts *o;
	struct rng *r;
	struct gen_party platforms[NPLATFORMS], ebcs[NEBCS];
	struct gen_party carriers[NCARRIERS], agents[NAGENTS], customs;
	struct master *plan;
	long nplan;
	struct item *items;	/* the current master's 607 lines */
	long nitems, capitems;
	struct item *carry;	/* duplicates waiting for the next master */
	long ncarry, capcarry;
	struct voyage_master *vm;
	int nvm, capvm;
	long long serial, mserial;
	struct sbuf b, mb;
	char key[96];
	/* the current voyage */
	int vsite, vcarrier, vdest, vday, vno;
	char vname[40], vvoyage[16], vjourney[32];
	int sea;
	/* risk-not-departed: drawn from a stream of its own (gen.h) */
	struct rng rr;
	struct gen_pick rpick;
	long long rpending;
} x;

static void
push(struct item **a, long *n, long *cap, const struct item *it)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		if ((*a = realloc(*a, (size_t)*cap * sizeof **a)) == NULL) {
			diag_trouble(NULL, 0, _("out of memory"));
			exit(diag_exit());
		}
	}
	(*a)[(*n)++] = *it;
}

static void
setup(const struct gen_opts *o, struct rng *r)
{
	int i;

	x.o = o;
	x.r = r;
	for (i = 0; i < NPLATFORMS; i++)
		gen_enterprise(r, &x.platforms[i], "出口电商平台有限公司",
		    gen_export_sites[i % gen_nexport_sites].customs);
	for (i = 0; i < NEBCS; i++)
		gen_enterprise(r, &x.ebcs[i], "进出口有限公司",
		    gen_export_sites[i % gen_nexport_sites].customs);
	for (i = 0; i < NCARRIERS; i++)
		gen_enterprise(r, &x.carriers[i], "国际物流有限公司",
		    gen_export_sites[i % gen_nexport_sites].customs);
	for (i = 0; i < NAGENTS; i++)
		gen_enterprise(r, &x.agents[i], "国际货运代理有限公司",
		    gen_export_sites[i % gen_nexport_sites].customs);
	snprintf(x.customs.code, sizeof x.customs.code, "CUSTOMS");
}

/* Masters per day, and which get a missing 607 part. */
static long long
make_plan(long long want_missing, int is_count, double rate,
    long long *dropped_parcels)
{
	long long i = 0, nsplit = 0, k;
	long cap = 0, m;
	int day, voyage = -1, vday = -1, vleft = 0;

	for (day = 0; day < x.o->days; day++) {
		long long end = (x.o->nexport * (day + 1) + x.o->days - 1) /
		    x.o->days, n;

		/* parcels i with i * days / n == day end before `end` */
		while (i < end) {
			n = rng_range(x.r, (x.o->bill_size + 49) / 50,
			    x.o->bill_size);
			if (n > end - i)
				n = end - i;
			if (x.nplan == cap) {
				cap = cap ? cap * 2 : 64;
				x.plan = realloc(x.plan, (size_t)cap *
				    sizeof *x.plan);
				if (x.plan == NULL) {
					diag_trouble(NULL, 0,
					    _("out of memory"));
					exit(diag_exit());
				}
			}
			if (vday != day || vleft == 0) {
				voyage++;
				vday = day;
				vleft = (int)rng_range(x.r, 1, 4);
			}
			vleft--;
			x.plan[x.nplan].day = day;
			x.plan[x.nplan].cap = (int)n;
			x.plan[x.nplan].drop = 0;
			x.plan[x.nplan].voyage = voyage;
			if ((n + x.o->split - 1) / x.o->split >= 2)
				nsplit++;
			x.nplan++;
			i += n;
		}
	}
	k = is_count ? want_missing : (long long)(rate * (double)nsplit + 0.5);
	if (k > nsplit) {
		diag_trouble(NULL, 0, _("%lld exp-missing-part defects asked "
		    "for, but only %lld masters are split (see --split)"), k,
		    nsplit);
		return -1;
	}
	*dropped_parcels = 0;
	for (m = 0; m < x.nplan; m++) {
		long parts = (x.plan[m].cap + x.o->split - 1) / x.o->split;

		if (parts < 2)
			continue;
		if ((long long)rng_below(x.r, (uint64_t)nsplit) < k) {
			long last;

			x.plan[m].drop = (int)rng_range(x.r, 1, parts - 1);
			last = (long)x.plan[m].drop * x.o->split;
			if (last > x.plan[m].cap)
				last = x.plan[m].cap;
			*dropped_parcels += last - (long)(x.plan[m].drop - 1) *
			    x.o->split;
			k--;
		}
		nsplit--;
	}
	return 0;
}

static void
new_voyage(int day)
{
	const struct gen_site *s;
	struct gen_date d;

	x.vno++;
	x.vday = day;
	x.vsite = (int)rng_below(x.r, gen_nexport_sites);
	x.vcarrier = (int)rng_below(x.r, NCARRIERS);
	x.vdest = (int)rng_below(x.r, gen_ndests);
	s = &gen_export_sites[x.vsite];
	x.sea = strcmp(s->traf, "2") == 0;
	gen_day(x.o, day, &d);
	if (x.sea) {
		snprintf(x.vname, sizeof x.vname, "%s",
		    gen_vessels[rng_below(x.r, gen_nvessels)]);
		snprintf(x.vvoyage, sizeof x.vvoyage, "%03dE",
		    (int)rng_range(x.r, 1, 999));
		snprintf(x.vjourney, sizeof x.vjourney, "%s", x.vvoyage);
	} else {
		const struct gen_carrier *a =
		    &gen_airlines[rng_below(x.r, gen_nairlines)];

		snprintf(x.vvoyage, sizeof x.vvoyage, "%s%d", a->iata,
		    (int)rng_range(x.r, 1000, 9899));
		snprintf(x.vname, sizeof x.vname, "%s", x.vvoyage);
		snprintf(x.vjourney, sizeof x.vjourney, "%s/%s", x.vvoyage,
		    d.ymd);
	}
	x.nvm = 0;
}

static void
bill_number(char out[32])
{
	if (x.sea) {
		snprintf(out, 32, "EHSU%010lld", 3000000000LL + x.mserial * 7);
	} else {
		const struct gen_carrier *a = &gen_airlines[0];
		size_t i;

		for (i = 0; i < gen_nairlines; i++)
			if (strncmp(x.vvoyage, gen_airlines[i].iata, 2) == 0)
				a = &gen_airlines[i];
		gen_awb(x.r, a->prefix, out);
	}
}

/* One export parcel: 303, 505, 603 and its 604 receipts. */
static void
parcel(int day, int defect, const char *bag, struct item *it)
{
	const struct gen_site *s = &gen_export_sites[x.vsite];
	const struct gen_dest *dest = &gen_dests[x.vdest];
	struct sbuf *b = &x.b;
	struct gen_date d;
	char t[15], t17[18], guid[37], orderNo[40], copNo[40], preNo[40];
	char invtNo[32], info[96];
	int ebc = (int)rng_below(x.r, NEBCS), platform = ebc % NPLATFORMS;
	int carrier = defect == D_RISK_NOT_DEPARTED ? NCARRIERS - 1 :
	    x.vcarrier, agent = (int)rng_below(x.r, NAGENTS);
	int nlines, i;
	long long goods = 0, freight = rng_range(x.r, 15, 80) * U;
	long grams = 0, sec = 9 * 3600 + (long)rng_below(x.r, 8 * 3600);
	struct {
		const struct gen_product *pr;
		long long qty, price;
	} ln[8];

	gen_day(x.o, day, &d);
	x.serial++;
	nlines = rng_permille(x.r, 700) ? 1 : (int)rng_range(x.r, 2, 8);
	for (i = 0; i < nlines; i++) {
		ln[i].pr = &gen_products[rng_below(x.r, gen_nproducts)];
		ln[i].qty = rng_permille(x.r, 700) ? 1 : rng_range(x.r, 2, 5);
		ln[i].price = rng_range(x.r, ln[i].pr->price_lo / 2 + 5,
		    ln[i].pr->price_hi / 2 + 5) * U;
		goods += ln[i].qty * ln[i].price;
		grams += (long)(ln[i].qty * ln[i].pr->grams);
	}
	it->grams = grams + 100 + (long)rng_below(x.r, 400);
	it->defect = defect;
	snprintf(it->bag, sizeof it->bag, "%s", bag);
	snprintf(it->logisticsNo, sizeof it->logisticsNo, "EX%s%010lld",
	    d.ymd + 2, x.serial);
	snprintf(orderNo, sizeof orderNo, "EO%d%s%09lld", platform, d.ymd,
	    x.serial);
	snprintf(copNo, sizeof copNo, "E%s%010lld", d.ymd, x.serial);
	snprintf(preNo, sizeof preNo, "B%s%09lld", d.ymd, 500000000 +
	    x.serial);
	snprintf(invtNo, sizeof invtNo, "%s%04dE%011lld", s->customs, d.y,
	    x.serial);

	/* 303 order */
	gen_guid(x.r, guid);
	gen_time14(&d, sec, t);
	b->n = 0;
	sb_puts(b, "<ceb:Order><ceb:OrderHead>");
	sb_el(b, "guid", guid);
	sb_el(b, "appType", "1");
	sb_el(b, "appTime", t);
	sb_el(b, "appStatus", "2");
	sb_el(b, "orderType", "E");
	sb_el(b, "orderNo", orderNo);
	sb_el(b, "ebpCode", x.platforms[platform].code);
	sb_el(b, "ebpName", x.platforms[platform].name);
	sb_el(b, "ebcCode", x.ebcs[ebc].code);
	sb_el(b, "ebcName", x.ebcs[ebc].name);
	sb_eldec(b, "goodsValue", goods);
	sb_eldec(b, "freight", freight);
	sb_el(b, "currency", "142");
	sb_puts(b, "</ceb:OrderHead>\n");
	for (i = 0; i < nlines; i++) {
		sb_puts(b, "<ceb:OrderList>");
		sb_elint(b, "gnum", i + 1);
		sb_elf(b, "itemNo", "EXP%s%02d", ln[i].pr->hs8, i + 1);
		sb_el(b, "itemName", ln[i].pr->name);
		sb_el(b, "barCode", "无");
		sb_el(b, "unit", ln[i].pr->unit);
		sb_el(b, "currency", "142");
		sb_elint(b, "qty", ln[i].qty);
		sb_eldec(b, "price", ln[i].price);
		sb_eldec(b, "totalPrice", ln[i].qty * ln[i].price);
		sb_puts(b, "</ceb:OrderList>\n");
	}
	sb_puts(b, "</ceb:Order>\n");
	out_record(day, 303, &x.platforms[platform], b->p, b->n, D_NONE, "");

	/* 505 waybill */
	gen_guid(x.r, guid);
	gen_time14(&d, sec + 1200, t);
	b->n = 0;
	sb_puts(b, "<ceb:Logistics>");
	sb_el(b, "guid", guid);
	sb_el(b, "appType", "1");
	sb_el(b, "appTime", t);
	sb_el(b, "appStatus", "2");
	sb_el(b, "logisticsCode", x.carriers[carrier].code);
	sb_el(b, "logisticsName", x.carriers[carrier].name);
	sb_el(b, "logisticsNo", it->logisticsNo);
	sb_eldec(b, "freight", freight);
	sb_eldec(b, "insuredFee", 0);
	sb_el(b, "currency", "142");
	sb_eldec(b, "grossWeight", (long long)it->grams * (U / 1000));
	sb_el(b, "packNo", "1");
	sb_el(b, "goodsInfo", ln[0].pr->name);
	sb_puts(b, "</ceb:Logistics>\n");
	out_record(day, 505, &x.carriers[carrier], b->p, b->n, D_NONE, "");

	/* 603 inventory */
	gen_guid(x.r, guid);
	gen_time14(&d, sec + 2400, t);
	b->n = 0;
	sb_puts(b, "<ceb:Inventory><ceb:InventoryHead>");
	sb_el(b, "guid", guid);
	sb_el(b, "appType", "1");
	sb_el(b, "appTime", t);
	sb_el(b, "appStatus", "2");
	sb_el(b, "customsCode", s->customs);
	sb_el(b, "ebpCode", x.platforms[platform].code);
	sb_el(b, "ebpName", x.platforms[platform].name);
	sb_el(b, "orderNo", orderNo);
	sb_el(b, "logisticsCode", x.carriers[carrier].code);
	sb_el(b, "logisticsName", x.carriers[carrier].name);
	sb_el(b, "logisticsNo", it->logisticsNo);
	sb_el(b, "copNo", copNo);
	sb_el(b, "ieFlag", "E");
	sb_el(b, "portCode", s->port);
	sb_el(b, "ieDate", d.ymd);
	sb_el(b, "statisticsFlag", "A");
	sb_el(b, "agentCode", x.agents[agent].code);
	sb_el(b, "agentName", x.agents[agent].name);
	sb_el(b, "ebcCode", x.ebcs[ebc].code);
	sb_el(b, "ebcName", x.ebcs[ebc].name);
	sb_el(b, "ownerCode", x.ebcs[ebc].code);
	sb_el(b, "ownerName", x.ebcs[ebc].name);
	sb_el(b, "tradeMode", "9610");
	sb_el(b, "trafMode", s->traf);
	sb_el(b, "country", dest->country);
	sb_el(b, "POD", dest->pod);
	sb_eldec(b, "freight", freight);
	sb_el(b, "fCurrency", "142");
	sb_el(b, "fFlag", "3");
	sb_eldec(b, "insuredFee", 0);
	sb_el(b, "iCurrency", "142");
	sb_el(b, "iFlag", "3");
	sb_el(b, "wrapType", "2");
	sb_el(b, "packNo", "1");
	sb_eldec(b, "grossWeight", (long long)(defect == D_EXP_WEIGHT ?
	    it->grams * 3 / 2 + 500 : it->grams) * (U / 1000));
	sb_eldec(b, "netWeight", (long long)grams * (U / 1000));
	sb_puts(b, "</ceb:InventoryHead>\n");
	for (i = 0; i < nlines; i++) {
		const struct gen_product *pr = ln[i].pr;

		sb_puts(b, "<ceb:InventoryList>");
		sb_elint(b, "gnum", i + 1);
		sb_elf(b, "itemNo", "EXP%s%02d", pr->hs8, i + 1);
		sb_el(b, "itemName", pr->name);
		sb_elf(b, "gcode", "%s00", pr->hs8);
		sb_el(b, "gname", pr->name);
		sb_elf(b, "gmodel", "%s", pr->name);
		sb_el(b, "barCode", "无");
		sb_el(b, "country", dest->country);
		sb_el(b, "currency", "142");
		sb_elint(b, "qty", ln[i].qty);
		sb_eldec(b, "qty1", strcmp(pr->unit1, pr->unit) == 0 ?
		    ln[i].qty * U : strcmp(pr->unit1, "035") == 0 ?
		    ln[i].qty * pr->grams * (U / 1000) : ln[i].qty * 75 *
		    (U / 100));
		sb_el(b, "unit", pr->unit);
		sb_el(b, "unit1", pr->unit1);
		sb_eldec(b, "price", ln[i].price);
		sb_eldec(b, "totalPrice", ln[i].qty * ln[i].price);
		sb_puts(b, "</ceb:InventoryList>\n");
	}
	sb_puts(b, "</ceb:Inventory>\n");
	snprintf(x.key, sizeof x.key, "%s/%s", x.agents[agent].code, copNo);
	out_record(day, 603, &x.agents[agent], b->p, b->n,
	    (defect >= D_EXP_NOT_DEPARTED && defect <= D_EXP_WEIGHT) ||
	    defect == D_RISK_NOT_DEPARTED ? defect : D_NONE, x.key);

	/* 604 receipts: declared, accepted, released (not if unreleased) */
	for (i = 0; x.o->receipts && i < (defect == D_EXP_UNRELEASED ? 2 : 3);
	    i++) {
		static const char *const st[] = { "2", "120", "800" };
		static const char *const in[] = { "", "[Code:1800;Desc:逻辑校验通过]",
		    "[Code:2600;Desc:放行]" };

		gen_guid(x.r, guid);
		gen_time17(&d, sec + 2460 + i * 30, (int)rng_below(x.r, 1000),
		    t17);
		if (i == 0)
			snprintf(info, sizeof info, "清单新增申报成功[%s]", copNo);
		b->n = 0;
		sb_puts(b, "<ceb:InventoryReturn>");
		sb_el(b, "guid", guid);
		sb_el(b, "agentCode", x.agents[agent].code);
		sb_el(b, "copNo", copNo);
		sb_el(b, "preNo", preNo);
		sb_el(b, "invtNo", invtNo);
		sb_el(b, "ebcCode", x.ebcs[ebc].code);
		sb_el(b, "ebpCode", x.platforms[platform].code);
		sb_el(b, "orderNo", orderNo);
		sb_el(b, "statisticsFlag", "A");
		sb_el(b, "returnStatus", st[i]);
		sb_el(b, "returnTime", t17);
		sb_el(b, "returnInfo", i == 0 ? info : in[i]);
		sb_puts(b, "</ceb:InventoryReturn>\n");
		out_record(day, 604, &x.customs, b->p, b->n, D_NONE, "");
	}
}

/*
 * The 607 or 509 messages of one master: lines first..n split into parts
 * of --split; part `drop` (607 only) is not written, and the key row of
 * an exp-missing-part defect goes to the last part.
 */
static void
bill_messages(int code, int day, const char *billNo, const char *copNo,
    const struct item *const *lines, long n, int drop, const char *dropkey)
{
	const struct gen_site *s = &gen_export_sites[x.vsite];
	const struct gen_party *sender = code == 607 ? &x.agents[0] :
	    &x.carriers[x.vcarrier];
	struct sbuf *b = &x.b;
	struct gen_date d;
	long parts = (n + x.o->split - 1) / x.o->split, p, i;
	char t[15], guid[37];

	gen_day(x.o, day, &d);
	for (p = 0; p < parts; p++) {
		long from = p * x.o->split, to = from + x.o->split;
		long long grams = 0;

		if (to > n)
			to = n;
		for (i = from; i < to; i++)
			grams += lines[i]->grams;
		gen_guid(x.r, guid);
		b->n = 0;
		sb_puts(b, code == 607 ? "<ceb:WayBill><ceb:WayBillHead>" :
		    "<ceb:Departure><ceb:DepartureHead>");
		sb_el(b, "guid", guid);
		sb_el(b, "appType", "1");
		gen_time14(&d, code == 607 ? 61200 : 72000 + x.vno % 7200, t);
		sb_el(b, "appTime", t);
		sb_el(b, "appStatus", "2");
		sb_el(b, "customsCode", s->customs);
		sb_el(b, "copNo", copNo);
		if (code == 607) {
			sb_el(b, "agentCode", x.agents[0].code);
			sb_el(b, "agentName", x.agents[0].name);
		} else {
			sb_el(b, "logisticsCode", x.carriers[x.vcarrier].code);
			sb_el(b, "logisticsName", x.carriers[x.vcarrier].name);
		}
		sb_el(b, "trafMode", s->traf);
		sb_el(b, "trafName", x.vname);
		sb_el(b, "voyageNo", x.vvoyage);
		sb_el(b, "billNo", billNo);
		if (code == 607) {
			sb_eldec(b, "grossWeight", grams * (U / 1000));
			sb_el(b, "logisticsCode", x.carriers[x.vcarrier].code);
			sb_el(b, "logisticsName", x.carriers[x.vcarrier].name);
		} else {
			gen_time14(&d, 79200 + x.vno % 3600, t);
			sb_el(b, "leaveTime", t);
		}
		sb_elint(b, "msgCount", parts);
		sb_elint(b, "msgSeqNo", p + 1);
		sb_puts(b, code == 607 ? "</ceb:WayBillHead>\n" :
		    "</ceb:DepartureHead>\n");
		for (i = from; i < to; i++) {
			sb_puts(b, code == 607 ? "<ceb:WayBillList>" :
			    "<ceb:DepartureList>");
			sb_elint(b, "gnum", i - from + 1);
			sb_el(b, "totalPackageNo", lines[i]->bag);
			sb_el(b, "logisticsNo", lines[i]->logisticsNo);
			sb_puts(b, code == 607 ? "</ceb:WayBillList>\n" :
			    "</ceb:DepartureList>\n");
		}
		sb_puts(b, code == 607 ? "</ceb:WayBill>\n" :
		    "</ceb:Departure>\n");
		out_record(day, code, sender, b->p, b->n, D_NONE, "");
		if (p + 1 == parts && drop > 0)
			out_key_last(day, code, sender, D_EXP_MISSING_PART,
			    dropkey);
		if (p + 1 == drop)
			out_drop_one(day, code, sender);
		else
			out_flush_one(day, code, sender);
	}
}

static void
manifests(void)
{
	const struct gen_site *s = &gen_export_sites[x.vsite];
	const struct gen_dest *dest = &gen_dests[x.vdest];
	struct sbuf *b = &x.mb;
	struct gen_date d;
	char t17[18], type[8];
	int pass, m, k;

	if (x.nvm == 0 || x.o->manifest_xml == NULL)
		return;
	gen_day(x.o, x.vday, &d);
	gen_time17(&d, 64800 + x.vno % 3600, x.vno % 1000, t17);
	for (pass = 0; pass < 2; pass++) {
		snprintf(type, sizeof type, "MT%c%c01", pass ? '4' : '2',
		    x.sea ? '1' : '2');
		b->n = 0;
		sb_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<Manifest xmlns=\"urn:Declaration:datamodel:standard:CN:%s:1\">\n"
		    "<Head><MessageID>CN_%s_1p0_%s%.9s_%s</MessageID>"
		    "<FunctionCode>%s</FunctionCode><MessageType>%s</MessageType>"
		    "<SenderID>%s%.9s</SenderID><ReceiverID>EPORT</ReceiverID>"
		    "<SendTime>%s</SendTime><Version>1.0</Version></Head>\n"
		    "<Declaration>", type, type, s->port,
		    x.carriers[x.vcarrier].code + 8, t17, pass ? "2" : "9",
		    type, s->port, x.carriers[x.vcarrier].code + 8, t17);
		if (!pass)
			sb_printf(b, "<RepresentativePerson><Name>%s</Name>"
			    "</RepresentativePerson><ExitCustomsOffice><ID>%s"
			    "</ID></ExitCustomsOffice>",
			    x.carriers[x.vcarrier].code, s->port);
		sb_printf(b, "<Carrier><ID>%.2s</ID></Carrier>"
		    "<BorderTransportMeans><JourneyID>%s</JourneyID>"
		    "<TypeCode>%s</TypeCode>", x.sea ? "EH" : x.vvoyage,
		    x.vjourney, x.sea ? "1" : "4");
		if (x.sea)
			sb_printf(b, "<ID>UN9%06d</ID><Name>%s</Name>",
			    100000 + x.vno % 800000, x.vname);
		sb_puts(b, "</BorderTransportMeans>\n");
		for (m = 0; m < x.nvm; m++) {
			const struct voyage_master *v = &x.vm[m];
			char kg[48];

			gen_dec((long long)v->grams * (U / 1000), kg, sizeof kg);
			sb_printf(b, "<Consignment><TransportContractDocument>"
			    "<ID>%s</ID></TransportContractDocument>",
			    v->billNo);
			sb_printf(b, "<LoadingLocation><ID>%s/%s</ID>"
			    "<LoadingDate>%s2000086</LoadingDate>"
			    "</LoadingLocation>", x.sea ? "CNSHA" :
			    "PVG", s->port, d.ymd);
			if (!pass) {
				sb_printf(b, "<UnloadingLocation><ID>%s</ID>"
				    "</UnloadingLocation>", dest->iata);
				if (!x.sea)
					sb_puts(b, "<TransportSplitIndicator>0"
					    "</TransportSplitIndicator>");
				sb_puts(b, "<FreightPayment><MethodCode>PP"
				    "</MethodCode></FreightPayment>");
			}
			sb_printf(b, "<ConsignmentPackaging><QuantityQuantity>"
			    "%d</QuantityQuantity><TypeCode>PK</TypeCode>"
			    "</ConsignmentPackaging><TotalGrossMassMeasure>%s"
			    "</TotalGrossMassMeasure>", v->bags, kg);
			if (pass) {
				if (!x.sea)
					sb_puts(b, "<TransportSplitIndicator>0"
					    "</TransportSplitIndicator>");
				sb_puts(b, "<ConsignmentItem><Commodity>"
				    "<CargoDescription>CROSS-BORDER E-COMMERCE "
				    "PARCELS</CargoDescription></Commodity>"
				    "</ConsignmentItem>");
			} else {
				sb_printf(b, "<Consignor><Name>%s</Name>"
				    "<Address><Line>%s</Line></Address>"
				    "</Consignor>", x.carriers[x.vcarrier].name,
				    s->name);
				for (k = 0; k < v->bags && k < 999; k++)
					sb_printf(b, "<ConsignmentItem>"
					    "<SequenceNumeric>%d</SequenceNumeric>"
					    "<ConsignmentItemPackaging>"
					    "<QuantityQuantity>1</QuantityQuantity>"
					    "<TypeCode>PK</TypeCode>"
					    "<MarksNumbers>%s%03d</MarksNumbers>"
					    "</ConsignmentItemPackaging><Commodity>"
					    "<CargoDescription>CROSS-BORDER "
					    "E-COMMERCE PARCELS</CargoDescription>"
					    "</Commodity><GoodsMeasure>"
					    "<GrossMassMeasure>%ld</GrossMassMeasure>"
					    "</GoodsMeasure></ConsignmentItem>",
					    k + 1, v->billNo, k + 1,
					    v->grams / 1000 / (v->bags ? v->bags
					    : 1) + 1);
			}
			sb_puts(b, "</Consignment>\n");
		}
		sb_puts(b, "</Declaration>\n</Manifest>\n");
		out_manifest(b->p, b->n, type);
	}
	x.nvm = 0;
}

/* Write the 607, 509, receipts and manifest rows of a finished master. */
static void
finish_master(int day, const char *billNo, int drop)
{
	const struct item **lines;
	struct gen_date d;
	char copNo[48], dcopNo[48], dropkey[128];
	long i, nd = 0;
	int bags = 0;
	long grams = 0;
	const char *lastbag = "";

	gen_day(x.o, day, &d);
	x.mserial++;
	snprintf(copNo, sizeof copNo, "W%s%08lld", d.ymd, x.mserial);
	snprintf(dcopNo, sizeof dcopNo, "D%s%08lld", d.ymd, x.mserial);
	snprintf(dropkey, sizeof dropkey, "%s/%s", x.agents[0].code, copNo);
	lines = malloc((size_t)(x.nitems + 1) * sizeof *lines);
	if (lines == NULL) {
		diag_trouble(NULL, 0, _("out of memory"));
		exit(diag_exit());
	}
	/* A risk-not-departed parcel is on no bill: its company never
	 * handed it over. */
	for (i = 0; i < x.nitems; i++) {
		if (x.items[i].defect == D_RISK_NOT_DEPARTED)
			continue;
		lines[nd++] = &x.items[i];
		grams += x.items[i].grams;
		if (strcmp(x.items[i].bag, lastbag) != 0) {
			bags++;
			lastbag = x.items[i].bag;
		}
	}
	bill_messages(607, day, billNo, copNo, lines, nd, drop, dropkey);
	for (nd = 0, i = 0; i < x.nitems; i++)
		if (x.items[i].defect != D_EXP_NOT_DEPARTED &&
		    x.items[i].defect != D_RISK_NOT_DEPARTED)
			lines[nd++] = &x.items[i];
	bill_messages(509, day, billNo, dcopNo, lines, nd, 0, NULL);
	for (i = 0; i < nd; i++) {
		const char *row[7];
		char w[48];

		row[0] = x.sea ? "1" : "4";
		row[1] = x.vvoyage;
		row[2] = d.ymd;
		row[3] = billNo;
		row[4] = lines[i]->logisticsNo;
		row[5] = "1";
		row[6] = gen_dec((long long)lines[i]->grams * (U / 1000), w,
		    sizeof w);
		out_manifest_row(row);
	}
	free(lines);
	if (x.nvm == x.capvm) {
		x.capvm = x.capvm ? x.capvm * 2 : 8;
		x.vm = realloc(x.vm, (size_t)x.capvm * sizeof *x.vm);
		if (x.vm == NULL) {
			diag_trouble(NULL, 0, _("out of memory"));
			exit(diag_exit());
		}
	}
	snprintf(x.vm[x.nvm].billNo, sizeof x.vm[x.nvm].billNo, "%s", billNo);
	x.vm[x.nvm].bags = bags;
	x.vm[x.nvm].grams = grams;
	x.nvm++;
}

int
gen_export(const struct gen_opts *o, struct rng *r)
{
	struct gen_pick pick;
	long long dropped = 0, sum = 0;
	long m, j;
	int k, voyage = -1;

	if (o->nexport == 0)
		return 0;
	setup(o, r);
	if (make_plan(o->is_count[D_EXP_MISSING_PART] ?
	    (long long)o->rate[D_EXP_MISSING_PART] : 0,
	    o->is_count[D_EXP_MISSING_PART], o->rate[D_EXP_MISSING_PART] < 0 ?
	    0 : o->rate[D_EXP_MISSING_PART], &dropped) != 0)
		return -1;
	if (!o->receipts && (o->rate[D_EXP_NOT_DEPARTED] > 0 ||
	    o->rate[D_EXP_UNRELEASED] > 0)) {
		diag_trouble(NULL, 0, _("exp-not-departed and "
		    "exp-departed-unreleased need the 604 receipts"));
		return -1;
	}
	memset(&pick, 0, sizeof pick);
	pick.pop = o->nexport - dropped;
	for (k = D_EXP_NOT_DEPARTED; k <= D_EXP_WEIGHT; k++) {
		if (o->rate[k] < 0)
			continue;
		pick.left[k] = o->is_count[k] ? (long long)o->rate[k] :
		    (long long)(o->rate[k] * (double)pick.pop + 0.5);
		sum += pick.left[k];
	}
	/*
	 * risk-not-departed: the risk stream picks which parcels carry it
	 * (each goes to the next parcel without a defect); such a parcel
	 * is the last carrier's, whatever the voyage, and is on no 607,
	 * 509 or manifest: one company whose parcels stay behind.
	 */
	memset(&x.rpick, 0, sizeof x.rpick);
	x.rpending = 0;
	rng_seed(&x.rr, o->seed ^ 0x52495345ULL);
	x.rpick.pop = pick.pop;
	if (o->rate[D_RISK_NOT_DEPARTED] >= 0) {
		if (!o->receipts) {
			diag_trouble(NULL, 0, _("risk-not-departed needs the "
			    "604 receipts"));
			return -1;
		}
		x.rpick.left[D_RISK_NOT_DEPARTED] =
		    o->is_count[D_RISK_NOT_DEPARTED] ?
		    (long long)o->rate[D_RISK_NOT_DEPARTED] :
		    (long long)(o->rate[D_RISK_NOT_DEPARTED] *
		    (double)pick.pop + 0.5);
	}
	if (sum > pick.pop) {
		diag_trouble(NULL, 0, _("%lld export defects asked for, but "
		    "only %lld export parcels (-e) can carry one"), sum,
		    pick.pop);
		return -1;
	}
	for (m = 0; m < x.nplan && !out_failed(); m++) {
		const struct master *mp = &x.plan[m];
		char billNo[32], bag[48];

		if (mp->voyage != voyage) {
			manifests();
			new_voyage(mp->day);
			voyage = mp->voyage;
		}
		bill_number(billNo);
		x.nitems = 0;
		for (j = 0; j < mp->cap; j++) {
			struct item it;
			int in_drop = mp->drop > 0 &&
			    j / o->split == mp->drop - 1;
			int defect = in_drop ? D_NONE : gen_pick_next(&pick, r,
			    D_EXP_NOT_DEPARTED, D_EXP_WEIGHT);

			if (!in_drop && gen_pick_next(&x.rpick, &x.rr,
			    D_RISK_NOT_DEPARTED, D_RISK_NOT_DEPARTED) != D_NONE)
				x.rpending++;
			if (defect == D_NONE && !in_drop && x.rpending > 0) {
				defect = D_RISK_NOT_DEPARTED;
				x.rpending--;
			}
			snprintf(bag, sizeof bag, "%s%03ld", billNo, j / BAG + 1);
			parcel(mp->day, defect, bag, &it);
			push(&x.items, &x.nitems, &x.capitems, &it);
		}
		/* Duplicates of the previous master travel on this one too. */
		for (j = 0; j < x.ncarry; j++)
			push(&x.items, &x.nitems, &x.capitems, &x.carry[j]);
		x.ncarry = 0;
		for (j = 0; j < mp->cap; j++)
			if (x.items[j].defect == D_EXP_DUP)
				push(&x.carry, &x.ncarry, &x.capcarry,
				    &x.items[j]);
		finish_master(mp->day, billNo, mp->drop);
	}
	if (x.ncarry > 0) {
		/* The last master's duplicates get a master of their own. */
		char billNo[32];

		bill_number(billNo);
		x.nitems = 0;
		for (j = 0; j < x.ncarry; j++)
			push(&x.items, &x.nitems, &x.capitems, &x.carry[j]);
		finish_master(x.plan[x.nplan - 1].day, billNo, 0);
	}
	manifests();
	free(x.plan);
	free(x.items);
	free(x.carry);
	free(x.vm);
	free(x.b.p);
	free(x.mb.p);
	return out_failed() ? -1 : 0;
}
