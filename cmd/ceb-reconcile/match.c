/*
 * match.c: the end of the input.  Each live inventory, in order of
 * arrival, is matched with its order and payment (by ebpCode + orderNo)
 * and its waybill (by logisticsCode + logisticsNo); the comparisons below
 * decide whether the four agree.  Then what is left waits (with --state),
 * expires (older than --max-age days), or is reported missing (without
 * --state).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "dec.h"
#include "diag.h"
#include "i18n.h"
#include "mask.h"
#include "bstore.h"
#include "rec.h"

enum { CMP_STR, CMP_DEC, CMP_MONEY };
#define OPT 1		/* compared only when both are filled */
#define PAYER 2		/* only with -p */

struct cmpdef {
	const char *rule;
	int ta, fa;		/* side a: type and field */
	const char *na;
	int tb, fb;		/* side b */
	const char *nb;
	int how;
	int flags;
	int mask;		/* mask kind + 1, 0 for none */
};

/* Head comparisons, in report order. */
static const struct cmpdef heads[] = {
	{ "R-KEY-001", RT_ORDER, O_EBC, "ebcCode", RT_INV, I_EBC, "ebcCode",
	  CMP_STR, 0, 0 },
	{ "R-KEY-002", RT_WAY, W_ORDERNO, "orderNo", RT_INV, I_ORDERNO,
	  "orderNo", CMP_STR, 0, 0 },
	{ "R-KEY-003", RT_ORDER, O_PAYCODE, "payCode", RT_PAY, P_PAYCODE,
	  "payCode", CMP_STR, OPT, 0 },
	{ "R-KEY-003", RT_ORDER, O_PAYTX, "payTransactionId", RT_PAY, P_PAYTX,
	  "payTransactionId", CMP_STR, OPT, 0 },
	{ "R-AMT-001", RT_ORDER, O_PAID, "acturalPaid", RT_PAY, P_AMOUNT,
	  "amountPaid", CMP_MONEY, 0, 0 },
	{ "R-BUY-001", RT_ORDER, O_BIDTYPE, "buyerIdType", RT_INV, I_BIDTYPE,
	  "buyerIdType", CMP_STR, 0, 0 },
	{ "R-BUY-002", RT_ORDER, O_BIDNUM, "buyerIdNumber", RT_INV, I_BIDNUM,
	  "buyerIdNumber", CMP_STR, 0, MASK_ID + 1 },
	{ "R-BUY-003", RT_ORDER, O_BNAME, "buyerName", RT_INV, I_BNAME,
	  "buyerName", CMP_STR, 0, MASK_NAME + 1 },
	{ "R-BUY-004", RT_ORDER, O_BTEL, "buyerTelephone", RT_INV, I_BTEL,
	  "buyerTelephone", CMP_STR, 0, MASK_PHONE + 1 },
	{ "R-BUY-005", RT_ORDER, O_BIDTYPE, "buyerIdType", RT_PAY, P_IDTYPE,
	  "payerIdType", CMP_STR, PAYER, 0 },
	{ "R-BUY-005", RT_ORDER, O_BIDNUM, "buyerIdNumber", RT_PAY, P_IDNUM,
	  "payerIdNumber", CMP_STR, PAYER, MASK_ID + 1 },
	{ "R-BUY-006", RT_ORDER, O_BNAME, "buyerName", RT_PAY, P_NAME,
	  "payerName", CMP_STR, PAYER, MASK_NAME + 1 },
	{ "R-CON-001", RT_ORDER, O_CONS, "consignee", RT_WAY, W_CONS,
	  "consignee", CMP_STR, 0, MASK_NAME + 1 },
	{ "R-CON-002", RT_ORDER, O_CONSTEL, "consigneeTelephone", RT_WAY,
	  W_CONSTEL, "consigneeTelephone", CMP_STR, 0, MASK_PHONE + 1 },
	{ "R-CON-003", RT_ORDER, O_CONSADDR, "consigneeAddress", RT_WAY,
	  W_CONSADDR, "consigneeAddress", CMP_STR, 0, MASK_ADDRESS + 1 },
	{ "R-CON-004", RT_ORDER, O_CONSADDR, "consigneeAddress", RT_INV,
	  I_CONSADDR, "consigneeAddress", CMP_STR, OPT, MASK_ADDRESS + 1 },
	{ "R-AMT-002", RT_WAY, W_FREIGHT, "freight", RT_INV, I_FREIGHT,
	  "freight", CMP_MONEY, OPT, 0 },
	{ "R-AMT-003", RT_WAY, W_INSURED, "insuredFee", RT_INV, I_INSURED,
	  "insuredFee", CMP_MONEY, OPT, 0 },
	{ "R-WGT-001", RT_WAY, W_WEIGHT, "weight", RT_INV, I_GROSS,
	  "grossWeight", CMP_DEC, OPT, 0 },
};

/* Line comparisons by gnum: order line (a) and inventory line (b). */
static const struct cmpdef lines[] = {
	{ "R-LINE-003", RT_ORDER, OL_QTY, "qty", RT_INV, IL_QTY, "qty",
	  CMP_DEC, 0, 0 },
	{ "R-LINE-004", RT_ORDER, OL_PRICE, "price", RT_INV, IL_PRICE, "price",
	  CMP_MONEY, 0, 0 },
	{ "R-LINE-005", RT_ORDER, OL_TOTAL, "totalPrice", RT_INV, IL_TOTAL,
	  "totalPrice", CMP_MONEY, 0, 0 },
	{ "R-LINE-006", RT_ORDER, OL_ITEMNO, "itemNo", RT_INV, IL_ITEMNO,
	  "itemNo", CMP_STR, OPT, 0 },
	{ "R-LINE-007", RT_ORDER, OL_COUNTRY, "country", RT_INV, IL_COUNTRY,
	  "country", CMP_STR, 0, 0 },
	{ "R-LINE-008", RT_ORDER, OL_BARCODE, "barCode", RT_INV, IL_BARCODE,
	  "barCode", CMP_STR, OPT, 0 },
};

static const char *const tname[RT_N] = { "order", "payment", "waybill",
    "inventory" };

/* Equal under the comparison's rules (and --tolerance for money)? */
static int
equal(const char *a, const char *b, int how)
{
	struct dec x, y, d, lim;

	if (how == CMP_STR || dec_parse_str(a, &x) != DEC_OK ||
	    dec_parse_str(b, &y) != DEC_OK)
		return strcmp(a, b) == 0;
	if (dec_cmp(x, y) == 0)
		return 1;
	if (how != CMP_MONEY)
		return 0;
	d = dec_abs(dec_sub(x, y));
	if (rc.tol_pct) {
		/* lim = max(|x|, |y|) * bp / 10000 */
		struct dec m = dec_cmp(dec_abs(x), dec_abs(y)) > 0 ?
		    dec_abs(x) : dec_abs(y);

		lim.v = m.v * rc.tol_bp / 10000;
	} else
		lim = rc.tol;
	return dec_cmp(d, lim) <= 0;
}

struct four {
	const struct rrec *rec[RT_N];
	struct flds *f[RT_N];
	char cp[RT_N][320];	/* "CEB311 ebp/orderNo" */
};

static int
compare(const struct four *q, const struct cmpdef *c, const char *a,
    const char *b, const char *gnum)
{
	char va[512], vb[512], field[64];
	/* The inventory's side first when it is one of the two. */
	int inv = c->tb == RT_INV;
	const char *other = q->cp[inv ? c->ta : c->tb];

	if ((c->flags & PAYER) && !rc.payer)
		return 0;
	if ((c->flags & OPT) && (!*a || !*b))
		return 0;
	if (equal(a, b, c->how))
		return 0;
	if (c->mask) {
		mask(c->mask - 1, a, va, sizeof va);
		mask(c->mask - 1, b, vb, sizeof vb);
	} else {
		snprintf(va, sizeof va, "%s", a);
		snprintf(vb, sizeof vb, "%s", b);
	}
	if (gnum)
		snprintf(field, sizeof field, "%s[gnum=%s]", inv ? c->nb : c->na,
		    gnum);
	else
		snprintf(field, sizeof field, "%s", inv ? c->nb : c->na);
	rfinding(q->rec[RT_INV], q->f[RT_INV], c->rule, field, "mismatch",
	    other, inv ? vb : va, inv ? va : vb,
	    _("%s of the %s is \"%s\", %s of the %s is \"%s\""),
	    c->na, _(tname[c->ta]), va, c->nb, _(tname[c->tb]), vb);
	/* Looked up only for a difference: most fields agree. */
	return catalogue_sev(c->rule, DIAG_ERROR) == DIAG_ERROR;
}

static int
compare_lines(const struct four *q)
{
	const struct flds *o = q->f[RT_ORDER], *v = q->f[RT_INV];
	const char *other = q->cp[RT_ORDER];
	int i, j, k, errs = 0;

	for (i = 0; i < v->nl; i++) {
		const char *const *vl = &v->l[i * IL_N];
		const char *const *ol = NULL;

		for (j = 0; j < o->nl; j++)
			if (strcmp(o->l[j * OL_N + OL_GNUM], vl[IL_GNUM]) == 0) {
				ol = &o->l[j * OL_N];
				break;
			}
		if (ol == NULL) {
			rfinding(q->rec[RT_INV], v, "R-LINE-001", "gnum",
			    "mismatch", other, vl[IL_GNUM], NULL,
			    _("inventory line gnum %s has no order line"),
			    vl[IL_GNUM]);
			errs++;
			continue;
		}
		if (strcmp(ol[OL_ITEMNAME], vl[IL_GNAME]) != 0 &&
		    strcmp(ol[OL_ITEMNAME], vl[IL_ITEMNAME]) != 0) {
			char field[64];

			snprintf(field, sizeof field, "gname[gnum=%s]",
			    vl[IL_GNUM]);
			rfinding(q->rec[RT_INV], v, "R-LINE-002", field,
			    "mismatch", other, vl[IL_GNAME], ol[OL_ITEMNAME],
			    _("gname \"%s\" of the inventory is not itemName "
			    "\"%s\" of the order"), vl[IL_GNAME],
			    ol[OL_ITEMNAME]);
			errs++;
		}
		for (k = 0; k < (int)(sizeof lines / sizeof lines[0]); k++)
			errs += compare(q, &lines[k], ol[lines[k].fa],
			    vl[lines[k].fb], vl[IL_GNUM]);
	}
	for (j = 0; j < o->nl; j++) {
		const char *g = o->l[j * OL_N + OL_GNUM];

		for (i = 0; i < v->nl; i++)
			if (strcmp(v->l[i * IL_N + IL_GNUM], g) == 0)
				break;
		if (i == v->nl) {
			rfinding(q->rec[RT_INV], v, "R-LINE-001", "gnum",
			    "mismatch", other, NULL, g,
			    _("order line gnum %s has no inventory line"), g);
			errs++;
		}
	}
	return errs;
}

static int
live(uint32_t id)
{
	/* NONE and the tombs of matched records (TOMB set) are not. */
	return id < TOMB && rc.recs[id].state == ST_LIVE;
}

static long
age(const struct rrec *r)
{
	return rc.now - (long)r->first_seen;
}

static int
expired(const struct rrec *r)
{
	return age(r) >= rc.max_age;
}

static struct flds fl[RT_N];

/*
 * Caps against amplification (docs/security.md, "Caps"): at most
 * --max-waiting records that came in this night are left waiting in the
 * state, and at most --max-waiting-file of one source (the file or
 * stream they were delivered in); 0 lifts a cap.  Records already in the
 * state are never dropped.  Those past a cap leave the run (ST_CAPPED:
 * not kept, not judged again) and one R-CAP-001 finding per source and
 * one for the night give their count, on the first record each dropped.
 */
static struct capped {
	long *per_src;		/* kept so far, by source */
	long *dropped;		/* past the cap, by source */
	uint32_t *first;	/* first dropped, by source */
	size_t nsrc;
	long night, night_dropped;
	uint32_t night_first;
	uint32_t *ids;		/* every record dropped */
	size_t nids, cap;
} cp_;

/* Nonzero when record id may wait in the state; else it is dropped. */
static int
may_wait(uint32_t id)
{
	const struct rrec *r = &rc.recs[id];
	const struct rmsg *m = &rc.msgs[r->msg];
	uint32_t s = m->src;

	if (m->from_state || r->pad[1])
		return 1;
	if (cp_.nsrc < rc.nsrcs) {
		size_t n = rc.nsrcs, i;
		long *a = realloc(cp_.per_src, n * sizeof *a),
		    *b = a ? realloc(cp_.dropped, n * sizeof *b) : NULL;
		uint32_t *c = b ? realloc(cp_.first, n * sizeof *c) : NULL;

		if (a)
			cp_.per_src = a;
		if (b)
			cp_.dropped = b;
		if (c == NULL) {
			diag_trouble(NULL, 0, _("out of memory"));
			return 1;
		}
		cp_.first = c;
		for (i = cp_.nsrc; i < n; i++) {
			a[i] = b[i] = 0;
			c[i] = NONE;
		}
		cp_.nsrc = n;
	}
	if ((rc.max_waiting_file == 0 || cp_.per_src[s] <
	    rc.max_waiting_file) && (rc.max_waiting == 0 || cp_.night <
	    rc.max_waiting)) {
		cp_.per_src[s]++;
		cp_.night++;
		return 1;
	}
	if (cp_.nids == cp_.cap) {
		size_t nc = cp_.cap ? cp_.cap * 2 : 1024;
		uint32_t *p = realloc(cp_.ids, nc * sizeof *p);

		if (p == NULL) {
			diag_trouble(NULL, 0, _("out of memory"));
			return 1;
		}
		cp_.ids = p;
		cp_.cap = nc;
	}
	cp_.ids[cp_.nids++] = id;
	if (rc.max_waiting_file && cp_.per_src[s] >= rc.max_waiting_file) {
		if (cp_.dropped[s]++ == 0)
			cp_.first[s] = id;
	} else if (cp_.night_dropped++ == 0)
		cp_.night_first = id;
	return 0;
}

/* The R-CAP-001 findings, then the dropped records leave the run. */
static void
cap_findings(void)
{
	size_t i;

	for (i = 0; i < cp_.nsrc; i++) {
		const struct rrec *r;

		if (cp_.dropped[i] == 0)
			continue;
		r = &rc.recs[cp_.first[i]];
		if (fields_read(&fl[r->type], r) != 0)
			continue;
		rfinding(r, &fl[r->type], "R-CAP-001", NULL, "not-kept", NULL,
		    NULL, NULL, _("%ld documents of this source would wait "
		    "past --max-waiting-file=%ld: not kept in the state (this "
		    "one and those after it)"), cp_.dropped[i],
		    rc.max_waiting_file);
	}
	if (cp_.night_dropped) {
		const struct rrec *r = &rc.recs[cp_.night_first];

		if (fields_read(&fl[r->type], r) == 0)
			rfinding(r, &fl[r->type], "R-CAP-001", NULL,
			    "not-kept", NULL, NULL, NULL, _("%ld documents "
			    "of this night would wait past --max-waiting=%ld: "
			    "not kept in the state (this one and those after "
			    "it)"), cp_.night_dropped, rc.max_waiting);
	}
	for (i = 0; i < cp_.nids; i++)
		store_leave(cp_.ids[i], ST_CAPPED);
	free(cp_.per_src);
	free(cp_.dropped);
	free(cp_.first);
	free(cp_.ids);
	memset(&cp_, 0, sizeof cp_);
}

/* Missing counterparts: pending, or (no state, or expired) errors. */
static void
missing(struct rrec *r, const uint32_t cp[RT_N])
{
	static const char *const rule[RT_N] = { "R-MISS-001", "R-MISS-002",
	    "R-MISS-003" };
	static const char *const what[RT_N] = { N_("order"), N_("payment"),
	    N_("waybill") };
	char wait[128] = "";
	int t;

	for (t = 0; t < RT_INV; t++)
		if (live(cp[t]))
			rc.recs[cp[t]].pad[0] = 1;	/* claimed */
	if (rc.statedir && !expired(r)) {
		if (!may_wait((uint32_t)(r - rc.recs)))
			return;
		for (t = 0; t < RT_INV; t++)
			if (!live(cp[t]))
				snprintf(wait + strlen(wait), sizeof wait -
				    strlen(wait), "%s%s", *wait ? _(", ") : "",
				    _(what[t]));
		rfinding(r, &fl[RT_INV], "R-PEND-001", NULL, "pending", NULL,
		    NULL, NULL, _("order %s/%s waits for %s (day %ld of %d)"),
		    fl[RT_INV].h[I_EBP], fl[RT_INV].h[I_ORDERNO], wait,
		    age(r) + 1, rc.max_age);
		rc.n_pending++;
		return;
	}
	for (t = 0; t < RT_INV; t++) {
		const struct flds *v = &fl[RT_INV];
		char want[320], cpt[340];

		if (live(cp[t]))
			continue;
		if (t == RT_WAY)
			snprintf(want, sizeof want, "logisticsCode/logisticsNo "
			    "%s/%s", v->h[I_LCODE], v->h[I_LNO]);
		else
			snprintf(want, sizeof want, "ebpCode/orderNo %s/%s",
			    v->h[I_EBP], v->h[I_ORDERNO]);
		snprintf(cpt, sizeof cpt, "%s %s", fields_typename(t),
		    strchr(want, ' ') + 1);
		if (rc.statedir)
			rfinding(r, v, rule[t], NULL, "missing", cpt, NULL,
			    NULL, _("no %s with %s arrived in %ld days"),
			    _(what[t]), want, age(r));
		else
			rfinding(r, v, rule[t], NULL, "missing", cpt, NULL,
			    NULL, _("no %s with %s"), _(what[t]), want);
	}
	store_leave((uint32_t)(r - rc.recs), rc.statedir ? ST_EXPIRED :
	    ST_REJECTED);
	if (rc.statedir)
		rc.n_expired++;
}

static void
match_one(uint32_t id)
{
	struct rrec *r = &rc.recs[id];
	struct pkey *pk = &rc.pks[r->key];
	struct okey *wk = &rc.wks[r->key2];
	uint32_t cp[RT_N];
	struct four q;
	char key[300], day[16];
	int t, errs = 0;
	size_t i;

	cp[RT_ORDER] = pk->rec[RT_ORDER];
	cp[RT_PAY] = pk->rec[RT_PAY];
	cp[RT_WAY] = wk->rec;
	cp[RT_INV] = id;
	if (fields_read(&fl[RT_INV], r) != 0)
		return;
	/* A waybill another inventory consumed earlier in this run. */
	if (!live(cp[RT_WAY]) && wk->done) {
		day_show(wk->done == NIGHT ? rc.now : rc.done[wk->done - 1].day,
		    day, sizeof day);
		rfinding(r, &fl[RT_INV], "R-CONS-001", "logisticsNo",
		    "consumed", NULL, NULL, NULL,
		    _("the waybill was already matched with another "
		    "inventory by the run of %s"), day);
		store_leave(id, ST_REJECTED);
		return;
	}
	if (!live(cp[RT_ORDER]) || !live(cp[RT_PAY]) || !live(cp[RT_WAY])) {
		missing(r, cp);
		return;
	}
	memset(&q, 0, sizeof q);
	for (t = 0; t < RT_N; t++) {
		q.rec[t] = &rc.recs[cp[t]];
		q.f[t] = &fl[t];
		if (t != RT_INV && fields_read(&fl[t], q.rec[t]) != 0)
			return;
		snprintf(q.cp[t], sizeof q.cp[t], "%s %s", fields_typename(t),
		    fields_key(&fl[t], key, sizeof key));
	}
	for (i = 0; i < sizeof heads / sizeof heads[0]; i++)
		errs += compare(&q, &heads[i], fl[heads[i].ta].h[heads[i].fa],
		    fl[heads[i].tb].h[heads[i].fb], NULL);
	errs += compare_lines(&q);
	if (errs > 0) {
		/* The inventory is rejected; its counterparts wait on. */
		for (t = 0; t < RT_INV; t++)
			rc.recs[cp[t]].pad[0] = 1;	/* claimed */
		store_leave(id, ST_REJECTED);
		return;
	}
	rfinding(r, &fl[RT_INV], "R-OK-001", NULL, "matched", NULL, NULL, NULL,
	    _("matched order, payment and waybill"));
	if (rc.statedir)
		(void)store_night_add(cp);	/* trouble said */
	else if (store_done_add(r->key, r->key2, rc.recs[cp[RT_PAY]].key2,
	    (uint32_t)rc.now, r->hash) < 0)
		diag_trouble(NULL, 0, _("out of memory"));
	rc.n_matched++;
	for (t = 0; t < RT_N; t++)
		store_leave(cp[t], ST_MATCHED);
}

/* Counterparts left without an inventory at the end of the run. */
static void
orphan(uint32_t id)
{
	struct rrec *r = &rc.recs[id];
	const char *what = _(tname[r->type]);

	if (rc.statedir && !expired(r)) {
		if (may_wait(id))
			rc.n_pending++;
		return;
	}
	if (fields_read(&fl[r->type], r) != 0)
		return;
	if (rc.statedir) {
		rfinding(r, &fl[r->type], "R-EXP-001", NULL, "expired", NULL,
		    NULL, NULL, _("%s without an inventory for %ld days"),
		    what, age(r));
		store_leave(id, ST_EXPIRED);
		rc.n_expired++;
	} else if (!r->pad[0])
		rfinding(r, &fl[r->type], "R-MISS-004", NULL, "orphan", NULL,
		    NULL, NULL, _("%s without an inventory"), what);
}

/*
 * Record id just became live: when its parcel now has all four
 * documents, match it at once, so that what matches is written and its
 * bytes freed while the input is still being read.
 */
void
match_try(uint32_t id)
{
	const struct rrec *r = &rc.recs[id];
	uint32_t inv;

	switch (r->type) {
	case RT_INV:
		inv = id;
		break;
	case RT_WAY:
		inv = rc.wks[r->key].inv;
		break;
	default:
		inv = rc.pks[r->key].rec[RT_INV];
	}
	if (!live(inv))
		return;
	r = &rc.recs[inv];
	if (live(rc.pks[r->key].rec[RT_ORDER]) &&
	    live(rc.pks[r->key].rec[RT_PAY]) &&
	    live(rc.wks[r->key2].rec))
		match_one(inv);
}

/* The records of a message of the state that still wait. */
static void
state_inventories(uint32_t mid)
{
	const struct rmsg *m = &rc.msgs[mid];
	unsigned j;

	for (j = 0; j < m->nrec; j++)
		if (rc.recs[m->first + j].type == RT_INV &&
		    rc.recs[m->first + j].state == ST_LIVE)
			match_one(m->first + j);
}

static void
state_others(uint32_t mid)
{
	const struct rmsg *m = &rc.msgs[mid];
	unsigned j;

	for (j = 0; j < m->nrec; j++)
		if (rc.recs[m->first + j].type != RT_INV &&
		    rc.recs[m->first + j].state == ST_LIVE)
			orphan(m->first + j);
}

/*
 * What still waits at the end: the state's documents first, in order of
 * arrival (rstate_each() reads those the night did not touch), then the
 * night's; inventories before the others.
 */
void
match_all(void)
{
	uint32_t *v;
	long n, x;
	unsigned j;

	/* From here on the slots stay as they are (store.c: release()). */
	rc.ending = 1;
	if (rc.statedir && rstate_each(1, state_inventories) != 0)
		return;
	/* The night's messages still in memory, in order of arrival. */
	if ((n = store_arrival(&v, 1)) < 0)
		return;
	for (x = 0; x < n; x++) {
		const struct rmsg *m = &rc.msgs[v[x]];

		for (j = 0; j < m->nrec; j++)
			if (rc.recs[m->first + j].type == RT_INV &&
			    rc.recs[m->first + j].state == ST_LIVE)
				match_one(m->first + j);
	}
	if (rc.statedir && rstate_each(0, state_others) != 0) {
		free(v);
		return;
	}
	for (x = 0; x < n; x++) {
		const struct rmsg *m = &rc.msgs[v[x]];

		for (j = 0; j < m->nrec; j++)
			if (rc.recs[m->first + j].type != RT_INV &&
			    rc.recs[m->first + j].state == ST_LIVE)
				orphan(m->first + j);
	}
	free(v);
	cap_findings();
}

void
rec_summary(void)
{
	diag_records(rc.n_read, rc.n_recmatched, rc.n_failed);
	diag_tally(_("parcels matched"), rc.n_matched);
	diag_tally(_("pending"), rc.n_pending);
	if (rc.n_expired)
		diag_tally(_("expired"), rc.n_expired);
	if (bs_spilled() > 0)
		diag_tally(_("kB spooled to disk"), (long)(bs_spilled() / 1024));
}
