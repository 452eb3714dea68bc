/*
 * gen-check: re-read a ceb-gen batch and find its defects again, with
 * rules of its own (not ceb-gen's code), printing one answer-key row
 * (source,message,record,key,defect) per defect found.  The exactness
 * test sorts these rows and compares them with the answer key ceb-gen
 * wrote: equal files mean every key row names a record that exists, has
 * that key and really carries that defect, and that no other record
 * carries one (a clean batch stays within every rule and limit).
 *
 * usage: gen-check [-m manifest.csv] batch...
 * Test code: whole batch indexed in memory, which is fine at test sizes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "dec.h"
#include "diag.h"
#include "dsig.h"
#include "ident.h"
#include "loop.h"
#include "msg.h"

struct loc {
	char *source;
	long msg, rec;
	char *key;
};

struct ent {
	char *k;
	void *v;
	struct ent *next;
};

#define NB 65536
struct map {
	struct ent *b[NB];
};

static unsigned
hash(const char *s)
{
	unsigned h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % NB;
}

static void **
slot(struct map *m, const char *k)
{
	unsigned h = hash(k);
	struct ent *e;

	for (e = m->b[h]; e; e = e->next)
		if (strcmp(e->k, k) == 0)
			return &e->v;
	e = calloc(1, sizeof *e);
	e->k = strdup(k);
	e->next = m->b[h];
	m->b[h] = e;
	return &e->v;
}

static void *
get(struct map *m, const char *k)
{
	struct ent *e;

	for (e = m->b[hash(k)]; e; e = e->next)
		if (strcmp(e->k, k) == 0)
			return e->v;
	return NULL;
}

static char *
dup(const char *s)
{
	return strdup(s ? s : "");
}

static void
row(const struct loc *l, const char *defect)
{
	printf("%s,%ld,%ld,%s,%s\n", l->source, l->msg, l->rec, l->key,
	    defect);
}

struct order { char *paid, *buyer, *phone, *qty1; };
struct pay { char *amount, *payer; };
struct inv {
	struct loc l;
	char *ebp, *orderNo, *lcode, *lno, *qty1;
	struct inv *next;
};
struct exinv {
	struct loc l;
	char *copkey, *gross, *lno;
	struct exinv *next;
};
struct bill {
	struct loc last;	/* the part with msgSeqNo == msgCount */
	long count, seen;
	int have_last;
};
struct buyer { int year; struct dec sum; };

static struct map orders, pays, waybills, buyers, released, exweight;
static struct map billsof, departed, bills607;
static struct inv *invs;
static struct exinv *exinvs;

static struct dec
dec(const char *s)
{
	struct dec d = dec_from_int(0);

	if (s)
		dec_parse_str(s, &d);
	return d;
}

static void
imp_inventory(const struct msg *m, xmlNodePtr rec, struct loc *l)
{
	xmlNodePtr h = msg_head(m, rec), c, line;
	const char *id = msg_field(h, "buyerIdNumber"), *v;
	struct dec total = dec_from_int(0), five = dec_from_int(5000);
	struct dec tw = dec_from_int(26000);
	char expected, yk[128];
	int nheads = 0, nlines = 0, qty1 = 0;
	long len = 0;
	struct buyer *b;
	struct inv *iv;
	enum ident_err e;

	for (c = rec->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, "InventoryHead") == 0)
			nheads++;
	if (nheads > 1)
		row(l, "struct-duplicate-block");
	if (msg_field(h, "portCode") == NULL || msg_field(h, "netWeight") == NULL)
		row(l, "struct-missing-element");
	if ((v = msg_field(h, "note")) != NULL) {
		for (; *v; v++)
			len += (*v & 0xC0) != 0x80;
		if (len > 1000)
			row(l, "struct-overlength");
	}
	for (c = h->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE) {
			if (strcmp((const char *)c->name, "declTime") == 0) {
				row(l, "struct-wrong-order");
				break;
			}
			if (strcmp((const char *)c->name, "ieFlag") == 0)
				break;
		}
	e = ident_check_id(id, strlen(id), NULL, &expected);
	if (e == IDENT_CHECK)
		row(l, "biz-id-check-digit");
	else if (e == IDENT_BIRTH_DATE)
		row(l, "biz-birth-date");
	else if (e != IDENT_OK)
		row(l, "UNEXPECTED-ID");
	v = msg_field(h, "wrapType");
	if (v && (strlen(v) != 1 || *v < '1' || *v > '7'))
		row(l, "biz-code-table");
	for (v = msg_field(h, "guid"); v && *v; v++)
		if (*v >= 'a' && *v <= 'f') {
			row(l, "biz-guid-lowercase");
			break;
		}
	for (line = msg_line_first(m, rec); line; line = msg_line_next(m,
	    line)) {
		struct dec q = dec(msg_field(line, "qty"));
		struct dec p = dec(msg_field(line, "price"));
		struct dec t = dec(msg_field(line, "totalPrice"));

		if (dec_mul_cmp(q, p, t) != 0)
			row(l, "biz-line-total");
		total = dec_add(total, t);
		if (nlines++ == 0)
			qty1 = dec_cmp(q, dec_from_int(1)) == 0;
	}
	/* Quota: dutiable value, single limit, calendar-year total. */
	total = dec_add(total, dec(msg_field(h, "freight")));
	total = dec_add(total, dec(msg_field(h, "insuredFee")));
	if (dec_cmp(total, five) > 0)
		row(l, nlines == 1 && qty1 ? "quota-single-item" :
		    "quota-over-single");
	snprintf(yk, sizeof yk, "%s", id);
	b = *slot(&buyers, yk);
	if (b == NULL) {
		b = calloc(1, sizeof *b);
		*slot(&buyers, yk) = b;
	}
	v = msg_field(h, "declTime");
	if (b->year != atoi(v ? v : "0") / 10000) {
		b->year = atoi(v ? v : "0") / 10000;
		b->sum = dec_from_int(0);
	}
	if (dec_cmp(b->sum, tw) <= 0 && dec_cmp(dec_add(b->sum, total), tw) > 0
	    && dec_cmp(total, five) <= 0)
		row(l, "quota-over-annual");
	b->sum = dec_add(b->sum, total);
	iv = calloc(1, sizeof *iv);
	iv->l = *l;
	iv->ebp = dup(msg_field(h, "ebpCode"));
	iv->orderNo = dup(msg_field(h, "orderNo"));
	iv->lcode = dup(msg_field(h, "logisticsCode"));
	iv->lno = dup(msg_field(h, "logisticsNo"));
	line = msg_line_first(m, rec);
	iv->qty1 = dup(line ? msg_field(line, "qty") : "");
	iv->next = invs;
	invs = iv;
}

static void
imp_order(const struct msg *m, xmlNodePtr rec, struct loc *l)
{
	xmlNodePtr h = msg_head(m, rec), line = msg_line_first(m, rec);
	struct dec s = dec(msg_field(h, "goodsValue"));
	struct order *o = calloc(1, sizeof *o);
	char k[256];

	s = dec_add(s, dec(msg_field(h, "freight")));
	s = dec_add(s, dec(msg_field(h, "taxTotal")));
	s = dec_sub(s, dec(msg_field(h, "discount")));
	if (dec_cmp(s, dec(msg_field(h, "acturalPaid"))) != 0)
		row(l, "biz-paid-sum");
	o->paid = dup(msg_field(h, "acturalPaid"));
	o->buyer = dup(msg_field(h, "buyerIdNumber"));
	o->phone = dup(msg_field(h, "consigneeTelephone"));
	o->qty1 = dup(line ? msg_field(line, "qty") : "");
	snprintf(k, sizeof k, "%s/%s", msg_field(h, "ebpCode"),
	    msg_field(h, "orderNo"));
	*slot(&orders, k) = o;
}

static void
exp_inventory(const struct msg *m, xmlNodePtr rec, struct loc *l)
{
	xmlNodePtr h = msg_head(m, rec);
	struct exinv *e = calloc(1, sizeof *e);
	char k[256];

	e->l = *l;
	snprintf(k, sizeof k, "%s/%s", msg_field(h, "agentCode"),
	    msg_field(h, "copNo"));
	e->copkey = dup(k);
	e->gross = dup(msg_field(h, "grossWeight"));
	e->lno = dup(msg_field(h, "logisticsNo"));
	e->next = exinvs;
	exinvs = e;
}

static void
exp_bill(const struct msg *m, xmlNodePtr rec, struct loc *l, int code)
{
	xmlNodePtr h = msg_head(m, rec), line;
	const char *billNo = msg_field(h, "billNo");
	long count = atol(msg_field(h, "msgCount")), seq =
	    atol(msg_field(h, "msgSeqNo"));
	struct bill *b;
	char k[256];

	for (line = msg_line_first(m, rec); line; line = msg_line_next(m,
	    line)) {
		const char *lno = msg_field(line, "logisticsNo");

		if (code == 509) {
			*slot(&departed, lno) = (void *)1;
			continue;
		}
		snprintf(k, sizeof k, "%s|%s", lno, billNo);
		if (get(&bills607, k) == NULL) {
			long *n;

			*slot(&bills607, k) = (void *)1;
			n = *slot(&billsof, lno);
			if (n == NULL) {
				n = calloc(1, sizeof *n);
				*slot(&billsof, lno) = n;
			}
			(*n)++;
		}
	}
	if (code != 607)
		return;
	if ((b = get(&bills607, l->key)) == NULL) {
		b = calloc(1, sizeof *b);
		*slot(&bills607, l->key) = b;
	}
	b->count = count;
	b->seen++;
	if (seq == count) {
		b->last = *l;
		b->have_last = 1;
	}
}

static struct dsig_cache *cache;

/*
 * The signature of a declaration: a sig- defect is told by what fails
 * (the key names the message's last record, l).
 */
static void
signature(const struct stream_doc *d, const struct loc *l)
{
	struct dsig_verdict v;
	const char *kind = NULL;

	switch (dsig_verify(cache, d->doc, &v)) {
	case DSIG_NONE:
	case DSIG_OK:
		return;
	case DSIG_DIGEST:
		kind = v.signature_ok ? "sig-changed-after-signing" :
		    "sig-bad-digest";
		break;
	case DSIG_SIGNATURE:
		kind = strstr(v.subject, "stranger") ?
		    "sig-wrong-certificate" : "sig-bad-signature";
		break;
	default:
		kind = "sig-other";
	}
	row(l, kind);
}

static int
doc(struct stream_doc *d, void *arg)
{
	struct loc last = { NULL, 0, 0, NULL };
	struct msg m;
	xmlNodePtr rec;
	long i = 1;
	char key[512], k[256];

	(void)arg;
	if (msg_open(&m, d->doc, d->line) != MSG_OK)
		return 0;
	for (rec = msg_record_first(&m); rec; rec = msg_record_next(&m, rec),
	    i++) {
		struct loc l;
		xmlNodePtr h = msg_head(&m, rec);

		msg_key(&m, rec, key, sizeof key);
		l.source = dup(d->source);
		l.msg = d->index;
		l.rec = i;
		l.key = dup(key);
		switch (m.type->code) {
		case 311:
			imp_order(&m, rec, &l);
			break;
		case 411: {
			struct pay *p = calloc(1, sizeof *p);

			p->amount = dup(msg_field(h, "amountPaid"));
			p->payer = dup(msg_field(h, "payerIdNumber"));
			snprintf(k, sizeof k, "%s/%s", msg_field(h, "ebpCode"),
			    msg_field(h, "orderNo"));
			*slot(&pays, k) = p;
			break;
		}
		case 511:
			*slot(&waybills, key) =
			    dup(msg_field(h, "consigneeTelephone"));
			break;
		case 621:
			imp_inventory(&m, rec, &l);
			break;
		case 603:
			exp_inventory(&m, rec, &l);
			break;
		case 604:
			if (strcmp(msg_field(h, "returnStatus"), "800") == 0)
				*slot(&released, key) = (void *)1;
			break;
		case 505:
			*slot(&exweight, msg_field(h, "logisticsNo")) =
			    dup(msg_field(h, "grossWeight"));
			break;
		case 607:
		case 509:
			exp_bill(&m, rec, &l, m.type->code);
			break;
		}
		last = l;
	}
	if (last.source)
		signature(d, &last);
	return 0;
}

static void
finish(void)
{
	struct inv *iv;
	struct exinv *e;
	struct ent *en;
	int i;

	for (iv = invs; iv; iv = iv->next) {
		char k[256];
		struct order *o;
		struct pay *p;
		char *phone;

		snprintf(k, sizeof k, "%s/%s", iv->ebp, iv->orderNo);
		o = get(&orders, k);
		p = get(&pays, k);
		snprintf(k, sizeof k, "%s/%s", iv->lcode, iv->lno);
		phone = get(&waybills, k);
		if (o == NULL)
			row(&iv->l, "rec-missing-order");
		if (p == NULL)
			row(&iv->l, "rec-missing-payment");
		if (phone == NULL)
			row(&iv->l, "rec-missing-waybill");
		if (o && p && dec_cmp(dec(o->paid), dec(p->amount)) != 0)
			row(&iv->l, "rec-amount-mismatch");
		if (o && p && strcmp(o->buyer, p->payer) != 0)
			row(&iv->l, "rec-buyer-mismatch");
		if (o && phone && strcmp(o->phone, phone) != 0)
			row(&iv->l, "rec-consignee-mismatch");
		if (o && dec_cmp(dec(o->qty1), dec(iv->qty1)) != 0)
			row(&iv->l, "rec-line-mismatch");
	}
	for (e = exinvs; e; e = e->next) {
		long *nb = get(&billsof, e->lno);
		int rel = get(&released, e->copkey) != NULL;
		int dep = get(&departed, e->lno) != NULL;
		char *w = get(&exweight, e->lno);

		if (rel && nb && !dep)
			row(&e->l, "exp-not-departed");
		if (dep && !rel)
			row(&e->l, "exp-departed-unreleased");
		if (nb && *nb >= 2)
			row(&e->l, "exp-duplicate-logisticsno");
		if (w == NULL || dec_cmp(dec(w), dec(e->gross)) != 0)
			row(&e->l, "exp-weight-mismatch");
	}
	for (i = 0; i < NB; i++)
		for (en = bills607.b[i]; en; en = en->next) {
			struct bill *b = en->v;

			if (strchr(en->k, '|') == NULL && b->have_last &&
			    b->seen < b->count)
				row(&b->last, "exp-missing-part");
		}
}

int
main(int argc, char *argv[])
{
	struct stream_opts so = { 0 };

	diag_init("gen-check");
	diag_set_quiet(1);
	cache = dsig_cache_new(NULL, NULL, 0);
	loop_run(argc - 1, argv + 1, &so, doc, NULL);
	finish();
	return diag_exit();
}
