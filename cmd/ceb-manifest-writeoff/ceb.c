/*
 * ceb.c: reading the export CEB messages into compact records.
 *   603 inventory     -> the parcel's inventory (keys, consignor, weight)
 *   604 receipt       -> the inventory's status, by agentCode/copNo; a
 *                        receipt that comes before its inventory waits
 *   607 总分单         -> the parcel's master bill (and big bag)
 *   509 departure     -> the parcel's departure
 *   507 arrival       -> the parcel reached the supervised site
 *   701 summary       -> inventories already summarised
 * Split 607/509 messages are gathered per bill (kind, mode, voyage, bill)
 * with a record of which msgSeqNo parts have been seen.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "mask.h"
#include "msg.h"
#include "wo.h"

static const char *
src_name(const char *s)
{
	return wo_intern(s);
}

static const char *
field(xmlNodePtr n, const char *name)
{
	const char *v = msg_field(n, name);

	return v ? v : "";
}

/* intern 2: a parcel's own string (wo_pstr()). */
static const char *
sfield_n(xmlNodePtr n, const char *name, int intern)
{
	const char *v = field(n, name), *e;
	char buf[1024];

	while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
		v++;
	e = v + strlen(v);
	while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		e--;
	if (intern == 2)
		return wo_pstrn(v, (size_t)(e - v));
	if (!intern || (size_t)(e - v) >= sizeof buf)
		return wo_strn(v, (size_t)(e - v));
	memcpy(buf, v, (size_t)(e - v));
	buf[e - v] = '\0';
	return wo_intern(buf);
}

/*
 * The trimmed field in buf (n bytes), without an arena copy: for values
 * that are compared first and kept only sometimes.  A value too long for
 * buf is copied to the arena instead.
 */
static const char *
tfield(xmlNodePtr n, const char *name, char *buf, size_t bn)
{
	const char *v = field(n, name), *e;

	while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
		v++;
	e = v + strlen(v);
	while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		e--;
	if ((size_t)(e - v) >= bn)
		return wo_strn(v, (size_t)(e - v));
	memcpy(buf, v, (size_t)(e - v));
	buf[e - v] = '\0';
	return buf;
}

/* Trimmed arena copy of a field. */
static const char *
sfield(xmlNodePtr n, const char *name)
{
	return sfield_n(n, name, 0);
}

/* The same, a parcel's own. */
static const char *
pfield(xmlNodePtr n, const char *name)
{
	return sfield_n(n, name, 2);
}

/* The same, interned (for values that repeat across records). */
static const char *
ifield(xmlNodePtr n, const char *name)
{
	return sfield_n(n, name, 1);
}

/* park: the key is a parcel's own string (wo_pstr()). */
static void
set_loc_p(struct wo_loc *l, const struct stream_doc *d, const struct msg *m,
    xmlNodePtr rec, long recno, const char *guid, int park)
{
	char key[512], type[16];

	l->source = src_name(d->source);
	l->message = d->index;
	l->line = msg_line(m, rec);
	l->o = wo_origin(d);
	l->record = msg_record_no(m, recno);
	msg_short(m->type, type, sizeof type);
	l->type = wo_intern(type);
	l->guid = guid;
	msg_key(m, rec, key, sizeof key);
	l->key = park ? wo_pstr(key) : wo_str(key);
}

static void
set_loc(struct wo_loc *l, const struct stream_doc *d, const struct msg *m,
    xmlNodePtr rec, long recno, const char *guid)
{
	set_loc_p(l, d, m, rec, recno, guid, 0);
}

int
wo_mine(const struct wo *w, const char *key)
{
	if (w->o.shard.n == 0)
		return 1;
	if (*key == '\0')
		return w->o.shard.k == 1;
	return shard_mine(&w->o.shard, key, strlen(key));
}

/* The normalised logisticsNo of a raw value belongs to this run. */
static int
lno_mine(const struct wo *w, const char *raw)
{
	char lno[128];

	if (w->o.shard.n == 0)
		return 1;
	norm_lno(raw, lno, sizeof lno);
	return wo_mine(w, lno);
}

long
parcel_get(struct wo *w, const char *lno_raw)
{
	char lno[128];
	long i;
	struct parcel *p;

	wo_mem_tick();
	norm_lno(lno_raw, lno, sizeof lno);
	if ((i = wo_index_get(&w->pidx, lno)) >= 0)
		return i;
	w->p = wo_park_grow(w->p, &w->pcap, w->np + 1, sizeof *w->p);
	p = &w->p[w->np];
	memset(p, 0, sizeof *p);
	p->lno = wo_pstr(lno);
	p->lno_raw = strcmp(lno, lno_raw) == 0 ? p->lno : wo_pstr(lno_raw);
	p->bill = p->bill2 = p->dep = p->dep2 = -1;
	p->pf = &wo_noprofile;
	p->first_day = w->o.now;
	p->rel_day = -1;
	p->packNo = -1;
	wo_index_put(&w->pidx, p->lno, (long)w->np);
	return (long)w->np++;
}

void
parcel_bill_loc(const struct parcel *p, struct wo_loc *l)
{
	if (p->bill_at == NULL) {
		memset(l, 0, sizeof *l);
		return;
	}
	*l = *p->bill_at;
	l->line = p->bill_line;
}

long
bill_get(struct wo *w, int kind, char mode, const char *voyage,
    const char *billno)
{
	char key[256];
	long i;
	struct bill *b;

	snprintf(key, sizeof key, "%d|%c|%s|%s", kind, mode, voyage, billno);
	if ((i = wo_index_get(&w->bidx, key)) >= 0)
		return i;
	w->b = wo_grow_raw(w->b, &w->bcap, w->nb + 1, sizeof *w->b);
	b = &w->b[w->nb];
	memset(b, 0, sizeof *b);
	b->key = wo_str(key);
	b->kind = kind;
	b->mode = mode;
	b->voyage = wo_str(voyage);
	b->bill = wo_str(billno);
	b->first_day = w->o.now;
	wo_index_put(&w->bidx, b->key, (long)w->nb);
	return (long)w->nb++;
}

/*
 * Precedence of returnStatus values: a later receipt replaces an earlier
 * one only when it ranks higher, or ranks the same and is newer by
 * returnTime (receipts arrive out of order, domain-rules §A4).
 */
int
status_rank(int s)
{
	if (s == 899)
		return 7;
	if (s == 800)
		return 6;
	if (s == 100 || s == 700 || (s > 500 && s < 600) || s < 0)
		return 5;
	if (s == 399)
		return 4;
	if (s == 300 || s == 500)
		return 3;
	if (s == 120)
		return 2;
	return s ? 1 : 0;
}

static void
apply_status(struct wo *w, struct parcel *p, int status, const char *rtime)
{
	int nr = status_rank(status), or = status_rank(p->status);

	if (nr > or || (nr == or && p->rtime && rtime &&
	    strcmp(rtime, p->rtime) > 0) || p->status == 0) {
		p->status = status;
		if (rtime == NULL || p->rtime == NULL ||
		    strcmp(rtime, p->rtime) != 0)
			p->rtime = wo_pstr(rtime);	/* rtime may be a buffer */
	}
	if ((p->status == 800 || p->status == 899) && p->rel_day < 0)
		p->rel_day = w->o.now;
}

static void
index_invt(struct wo *w, long pi, const char *invtNo, const struct wo_loc *l)
{
	long o;
	struct parcel *p = &w->p[pi];
	struct diag_loc dl;
	WO_EXTRA(x);

	int known;

	if (invtNo == NULL || *invtNo == '\0')
		return;
	known = p->invtNo && strcmp(p->invtNo, invtNo) == 0;
	if (p->invtNo == NULL || *p->invtNo == '\0')
		p->invtNo = invtNo;
	if ((o = wo_index_get(&w->invidx, invtNo)) >= 0 && o != pi) {
		if (known)
			return;		/* said when the number first came */
		loc_to_diag(l, &dl);
		x[X_OUTCOME] = "duplicate";
		x[X_LNO] = p->lno_raw;
		x[X_INVT] = invtNo;
		diag_finding(&dl, "W-DUP-002", DIAG_ERROR, "invtNo", x,
		    _("inventory number %s is also used by parcel %s"),
		    invtNo, w->p[o].lno_raw);
		return;
	}
	wo_index_put(&w->invidx, invtNo, pi);
}

/*
 * W-FMT-002: a grossWeight that is not an N19,5 decimal.  It counts as 0 in
 * the totals; the finding names the value, so that a total found wrong
 * later (W-TOT-001) has its cause beside it.
 */
static void
bad_weight(const struct wo_loc *l, xmlNodePtr h, const char *what)
{
	struct diag_loc dl;
	const char *v = field(h, "grossWeight");

	loc_to_diag(l, &dl);
	diag_finding(&dl, "W-FMT-002", DIAG_ERROR, "grossWeight", NULL,
	    *v ? _("%s grossWeight '%.40s' is not a decimal number; counted "
	    "as 0 kg in the totals") : _("%s has no grossWeight%.0s; counted "
	    "as 0 kg in the totals"), what, v);
}

static void
take_603(struct wo *w, const struct stream_doc *d, const struct msg *m,
    xmlNodePtr rec, long recno, const char *guid)
{
	xmlNodePtr h = msg_head(m, rec);
	char lbuf[128];
	const char *lno = tfield(h, "logisticsNo", lbuf, sizeof lbuf);
	const char *cop = pfield(h, "copNo"), *agent = ifield(h, "agentCode");
	char copkey[256];
	struct wo_loc l;
	struct parcel *p;
	long pi, ri;
	const char *s;

	if (!lno_mine(w, lno))
		return;
	set_loc_p(&l, d, m, rec, recno, guid, 1);
	if (*lno == '\0') {
		struct diag_loc dl;

		loc_to_diag(&l, &dl);
		diag_finding(&dl, "W-FMT-001", DIAG_ERROR, "logisticsNo", NULL,
		    _("inventory without logisticsNo cannot be written off"));
		return;
	}
	pi = parcel_get(w, lno);
	p = &w->p[pi];
	if (p->has_inv && (strcmp(p->copNo, cop) != 0 ||
	    strcmp(p->agentCode, agent) != 0)) {
		struct diag_loc dl;
		WO_EXTRA(x);

		loc_to_diag(&l, &dl);
		x[X_OUTCOME] = "duplicate";
		x[X_LNO] = p->lno_raw;
		x[X_INVT] = p->invtNo;
		diag_finding(&dl, "W-DUP-003", DIAG_ERROR, "logisticsNo", x,
		    _("parcel %s is also declared by inventory %s/%s"),
		    p->lno_raw, p->agentCode, p->copNo);
		p->dup_inv = 1;
		p->seen = 1;
		return;
	}
	p->seen = 1;
	p->has_inv = 1;
	p->copNo = cop;
	p->agentCode = agent;
	{
		struct profile pf;

		pf.agentName = ifield(h, "agentName");
		pf.ebcCode = ifield(h, "ebcCode");
		pf.ebcName = ifield(h, "ebcName");
		pf.ownerCode = ifield(h, "ownerCode");
		pf.customsCode = ifield(h, "customsCode");
		pf.portCode = ifield(h, "portCode");
		pf.country = ifield(h, "country");
		pf.trafMode = ifield(h, "trafMode");
		pf.statFlag = ifield(h, "statisticsFlag");
		pf.ieDate = ifield(h, "ieDate");
		pf.loctNo = ifield(h, "loctNo");
		p->pf = wo_profile(&pf);
	}
	if (msg_decimal(h, "grossWeight", &p->gross) != 0) {
		p->gross.v = 0;
		bad_weight(&l, h, _("inventory"));
	}
	s = field(h, "packNo");
	p->packNo = *s ? strtol(s, NULL, 10) : -1;
	p->inv_loc = l;
	snprintf(copkey, sizeof copkey, "%s/%s", agent, cop);
	/* The record's key is agentCode/copNo too, most often as trimmed. */
	wo_index_put(&w->copidx, strcmp(l.key, copkey) == 0 ? l.key :
	    wo_pstr(copkey), pi);
	index_invt(w, pi, pfield(h, "invtNo"), &l);
	/* A receipt that came first. */
	if ((ri = wo_index_get(&w->ridx, copkey)) >= 0) {
		struct orphan *r = &w->r[ri];

		apply_status(w, p, r->status, r->rtime);
		index_invt(w, pi, r->invtNo, &l);
		r->status = 0;		/* used: not carried over */
		wo_index_del(&w->ridx, copkey);
	}
}

static void
take_604(struct wo *w, const struct stream_doc *d, const struct msg *m,
    xmlNodePtr rec, long recno, const char *guid)
{
	char copkey[256], rbuf[64], ibuf[64];
	const char *st = field(rec, "returnStatus");
	const char *rtime = tfield(rec, "returnTime", rbuf, sizeof rbuf);
	const char *invt = tfield(rec, "invtNo", ibuf, sizeof ibuf);
	int status = atoi(st);
	long pi;
	struct wo_loc l;

	wo_mem_tick();
	snprintf(copkey, sizeof copkey, "%s/%s", field(rec, "agentCode"),
	    field(rec, "copNo"));
	if ((pi = wo_index_get(&w->copidx, copkey)) >= 0) {
		struct parcel *p = &w->p[pi];

		p->seen = 1;
		apply_status(w, p, status, rtime);
		/* Most receipts repeat the invtNo the parcel has. */
		if (*invt && (p->invtNo == NULL ||
		    strcmp(p->invtNo, invt) != 0)) {
			set_loc(&l, d, m, rec, recno, guid);
			index_invt(w, pi, wo_pstr(invt), &l);
		}
		return;
	}
	if ((pi = wo_index_get(&w->ridx, copkey)) < 0) {
		w->r = wo_park_grow(w->r, &w->rcap, w->nr + 1, sizeof *w->r);
		memset(&w->r[w->nr], 0, sizeof w->r[w->nr]);
		w->r[w->nr].copkey = wo_pstr(copkey);
		w->r[w->nr].first_day = w->o.now;
		wo_index_put(&w->ridx, w->r[w->nr].copkey, (long)w->nr);
		pi = (long)w->nr++;
	}
	{
		struct orphan *r = &w->r[pi];
		int nr = status_rank(status), or = status_rank(r->status);

		if (r->status == 0 || nr > or || (nr == or &&
		    strcmp(rtime, r->rtime ? r->rtime : "") > 0)) {
			r->status = status;
			r->rtime = wo_pstr(rtime);
		}
		if (*invt && (r->invtNo == NULL || strcmp(r->invtNo, invt)))
			r->invtNo = wo_pstr(invt);
	}
}

/* 607 and 509: a bill head, then its list of parcels. */
static void
take_bill(struct wo *w, int kind, const struct stream_doc *d,
    const struct msg *m, xmlNodePtr rec, long recno, const char *guid)
{
	xmlNodePtr h = msg_head(m, rec), ln;
	char mode, voy[128], bno[128];
	const char *s;
	long bi, cnt, seq, lineno = 0;
	struct bill *b;
	struct wo_loc l;
	const struct wo_loc *shared = NULL;	/* l kept for the lines */
	int newpart = 0;

	set_loc(&l, d, m, rec, recno, guid);
	mode = norm_mode_ceb(field(h, "trafMode"));
	norm_voyage(field(h, "voyageNo"), mode, voy, sizeof voy);
	norm_bill(field(h, "billNo"), bno, sizeof bno);
	bi = bill_get(w, kind, mode, voy, bno);
	b = &w->b[bi];
	b->seen = 1;
	if (b->loc.source == NULL) {
		b->loc = l;
		b->trafMode_raw = ifield(h, "trafMode");
		b->voyage_raw = sfield(h, "voyageNo");
		b->bill_raw = sfield(h, "billNo");
		b->trafName = sfield(h, "trafName");
	}
	if (kind == BILL_509 && (s = sfield(h, "leaveTime")) && *s)
		b->leaveTime = s;
	s = field(h, "msgCount");
	cnt = *s ? strtol(s, NULL, 10) : 1;
	s = field(h, "msgSeqNo");
	seq = *s ? strtol(s, NULL, 10) : 1;
	if (cnt < 1 || cnt > 100000 || seq < 1 || seq > cnt ||
	    (b->msgCount && b->msgCount != cnt)) {
		struct diag_loc dl;
		WO_EXTRA(x);

		loc_to_diag(&l, &dl);
		x[X_OUTCOME] = "split-inconsistent";
		x[X_MODE] = b->trafMode_raw;
		x[X_VOYAGE] = b->voyage_raw;
		x[X_BILL] = b->bill_raw;
		if (wo_mine(w, b->bill))	/* --shard: the bill's shard */
			diag_finding(&dl, "W-SPL-002", DIAG_ERROR, "msgSeqNo",
			    x, _("part %ld of %ld does not fit bill %s "
			    "(msgCount %ld)"), seq, cnt, b->bill_raw,
			    b->msgCount ? b->msgCount : cnt);
		b->bad_split = 1;
		if (b->msgCount == 0 && cnt >= 1 && cnt <= 100000)
			b->msgCount = cnt;
		if (seq < 1 || seq > b->msgCount)
			return;
	}
	if (b->msgCount == 0)
		b->msgCount = cnt;
	if (b->nparts_alloc < b->msgCount) {
		unsigned char *np = realloc(b->parts, (size_t)b->msgCount);

		if (np == NULL) {
			diag_trouble(NULL, 0, _("out of memory"));
			exit(diag_exit());
		}
		memset(np + b->nparts_alloc, 0,
		    (size_t)(b->msgCount - b->nparts_alloc));
		b->parts = np;
		b->nparts_alloc = b->msgCount;
	}
	if (!b->parts[seq - 1]) {
		struct dec g;
		long k, top = 0;

		for (k = 0; k < b->msgCount; k++)
			if (b->parts[k])
				top = k + 1;
		if (seq > top)
			b->loc = l;	/* located at the last part received */
		b->parts[seq - 1] = 1;
		newpart = 1;
		if (kind == BILL_607 && msg_decimal(h, "grossWeight", &g) == 0)
			b->gross = dec_add(b->gross, g);
		else if (kind == BILL_607 && wo_mine(w, b->bill))
			bad_weight(&l, h, _("607 bill"));
	}
	for (ln = msg_line_first(m, rec); ln; ln = msg_line_next(m, ln)) {
		char lbuf[128];
		const char *lno = tfield(ln, "logisticsNo", lbuf, sizeof lbuf);
		struct parcel *p;
		long pi;

		lineno++;
		if (*lno == '\0')
			continue;
		if (kind == BILL_607) {
			char bag[128], bk[300];
			const char *bv = field(ln, "totalPackageNo");

			norm_bill(bv, bag, sizeof bag);
			snprintf(bk, sizeof bk, "%ld|%s", bi, bag);
			if (*bag && wo_index_get(&w->bagset, bk) < 0)
				wo_index_put(&w->bagset, wo_str(bk), 1);
		}
		if (!lno_mine(w, lno))
			continue;
		pi = parcel_get(w, lno);
		p = &w->p[pi];
		p->seen = 1;
		if (kind == BILL_607) {
			if (p->bill < 0 || p->bill == bi) {
				if (p->bill < 0 && newpart)
					b->nparcels++;
				p->bill = bi;
				p->bag = ifield(ln, "totalPackageNo");
				if (shared == NULL)
					shared = wo_loc_keep(&l);
				p->bill_at = shared;
				p->bill_line = msg_line(m, ln);
			} else if (p->bill2 < 0)
				p->bill2 = bi;
		} else {
			if (p->dep < 0 || p->dep == bi)
				p->dep = bi;
			else if (p->dep2 < 0)
				p->dep2 = bi;
			if (p->bill_at == NULL) {
				if (shared == NULL)
					shared = wo_loc_keep(&l);
				p->bill_at = shared;
				p->bill_line = msg_line(m, ln);
			}
		}
	}
}

/*
 * 505 waybills: only their gross weight is kept (for W-TOT-004), in a
 * table of their own, so that a waybill alone never makes a parcel.
 */
static void
take_505(struct wo *w, xmlNodePtr rec)
{
	char lno[128];
	struct dec g;
	long i;

	norm_lno(field(rec, "logisticsNo"), lno, sizeof lno);
	if (*lno == '\0' || !wo_mine(w, lno) || msg_decimal(rec, "grossWeight", &g) != 0)
		return;
	if ((i = wo_index_get(&w->wbidx, lno)) < 0) {
		w->wb = wo_park_grow(w->wb, &w->wbcap, w->nwb + 1,
		    sizeof *w->wb);
		i = (long)w->nwb++;
		wo_index_put(&w->wbidx, wo_pstr(lno), i);
	}
	w->wb[i] = g;
}

static void
take_507(struct wo *w, const struct msg *m, xmlNodePtr rec)
{
	xmlNodePtr ln;

	for (ln = msg_line_first(m, rec); ln; ln = msg_line_next(m, ln)) {
		const char *lno = field(ln, "logisticsNo");
		long pi = wo_index_get(&w->pidx, lno);

		if (pi >= 0)
			w->p[pi].arrived = 1;
	}
}

static void
take_701(struct wo *w, const struct stream_doc *d, const struct msg *m,
    xmlNodePtr rec, long recno, const char *guid)
{
	static struct done_row row;	/* a done row read back */
	xmlNodePtr h = msg_head(m, rec), ln;
	const char *cop = sfield(h, "copNo");
	struct wo_loc l;

	set_loc(&l, d, m, rec, recno, guid);
	for (ln = msg_line_first(m, rec); ln; ln = msg_line_next(m, ln)) {
		const char *invt = sfield(ln, "invtNo");
		long o, di;

		if (*invt == '\0')
			continue;
		if ((o = wo_index_get(&w->sum701, invt)) >= 0) {
			struct diag_loc dl;
			WO_EXTRA(x);

			if (strcmp(w->s701[o], cop) == 0 || !wo_mine(w, invt))
				continue;	/* the same application again */
			loc_to_diag(&l, &dl);
			dl.line = msg_line(m, ln);
			x[X_OUTCOME] = "duplicate";
			x[X_INVT] = invt;
			diag_finding(&dl, "W-DUP-004", DIAG_ERROR, "invtNo", x,
			    _("inventory %s is already in summary application "
			    "%s"), invt, w->s701[o]);
			continue;
		}
		w->s701 = wo_grow(w->s701, &w->s701cap, w->ns701 + 1,
		    sizeof *w->s701);
		w->s701[w->ns701] = cop;
		wo_index_put(&w->sum701, invt, (long)w->ns701++);
		if ((di = done_find_invt(invt, &row)) >= 0 &&
		    *row.d.sumCopNo == '\0')
			done_set(di, DONE_SUMCOPNO, cop);
	}
}

/*
 * 605 export cancel and 606 its receipt: kept per invtNo (or, without
 * one, per agentCode/copNo) and joined to the parcel at judgement, when
 * the 604 receipts have told every inventory's invtNo.  606 returnStatus
 * 399 (海关审结) accepts the cancel, 100 (退单) or a negative status
 * rejects it; any other status leaves it requested.
 */
static void
take_cancel(struct wo *w, int code, const struct stream_doc *d,
    const struct msg *m, xmlNodePtr rec, long recno, const char *guid)
{
	const char *invt = sfield(rec, "invtNo");
	char copkey[256];
	const char *key;
	struct cancel *c;
	long ci;

	snprintf(copkey, sizeof copkey, "%s/%s", field(rec, "agentCode"),
	    field(rec, "copNo"));
	key = *invt ? invt : copkey;
	if (*key == '/' && key[1] == '\0')
		return;			/* nothing to join on */
	if ((ci = wo_index_get(&w->cidx, key)) < 0) {
		w->c = wo_grow_raw(w->c, &w->ccap, w->nc + 1, sizeof *w->c);
		c = &w->c[w->nc];
		memset(c, 0, sizeof *c);
		c->invtNo = invt;
		c->copkey = wo_str(copkey);
		wo_index_put(&w->cidx, *invt ? c->invtNo : c->copkey,
		    (long)w->nc);
		ci = (long)w->nc++;
	}
	c = &w->c[ci];
	if (code == 605) {
		if (!c->requested)
			set_loc(&c->loc, d, m, rec, recno, guid);
		c->requested = 1;
		return;
	}
	if (c->loc.source == NULL)
		set_loc(&c->loc, d, m, rec, recno, guid);
	{
		int st = atoi(field(rec, "returnStatus"));
		const char *rtime = ifield(rec, "returnTime");

		/* An acceptance stands; otherwise the newest receipt. */
		if (c->status != 399 && (c->status == 0 || st == 399 ||
		    strcmp(rtime, c->rtime ? c->rtime : "") >= 0)) {
			c->status = st;
			c->rtime = rtime;
		}
	}
}

int
cancel_state(const struct cancel *c)
{
	if (c->status == 399)
		return CAN_ACCEPTED;
	if (c->status == 100 || c->status < 0)
		return CAN_REJECTED;
	return CAN_REQUESTED;
}

/*
 * Take one CEB document.  Returns 0; records of types the tool has no
 * opinion on are ignored (and passed on by the caller).
 */
int
ceb_take(struct wo *w, struct stream_doc *d, int from_manifest)
{
	struct msg m;
	xmlNodePtr rec;
	long recno = 0;
	const char *guid;

	(void)from_manifest;
	if (stream_msg_open(&m, d) != MSG_OK)
		return 0;
	guid = wo_str(m.guid);
	for (rec = msg_record_first(&m); rec; rec = msg_record_next(&m, rec)) {
		recno++;
		switch (m.type->code) {
		case 603:
			take_603(w, d, &m, rec, recno, guid);
			break;
		case 604:
			take_604(w, d, &m, rec, recno, guid);
			break;
		case 605:
		case 606:
			take_cancel(w, m.type->code, d, &m, rec, recno, guid);
			break;
		case 607:
			take_bill(w, BILL_607, d, &m, rec, recno, guid);
			break;
		case 509:
			take_bill(w, BILL_509, d, &m, rec, recno, guid);
			break;
		case 505:
			take_505(w, rec);
			break;
		case 507:
			take_507(w, &m, rec);
			break;
		case 701:
			take_701(w, d, &m, rec, recno, guid);
			break;
		}
	}
	return 0;
}
