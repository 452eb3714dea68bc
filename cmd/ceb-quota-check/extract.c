/*
 * extract.c: step 1 of a run.  Every input document is spooled to a
 * temporary file (so that it can be written out later in input order,
 * byte for byte) and every record the tool has an opinion on becomes a
 * compact event: inventories (621) to judge, cancels (623), returns (625)
 * and inventory receipts (622) that give quota back or teach an invtNo.
 * The fields are read from the document's scan (common/scan.c) when it
 * takes the document, else from a tree parsed again from its bytes and
 * dropped as soon as its events are taken out: the same functions read
 * both (common/msrc.h), so the events are the same either way.
 *
 * Also here: quota_amount(), the one definition of the amount counted.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "i18n.h"
#include "ident.h"
#include "msg.h"
#include "msrc.h"
#include "quota.h"
#include "store.h"
#include "stream.h"

/*
 * The amount counted against a buyer's limits for one import inventory:
 * its dutiable value (完税价格), defined by 财关税〔2016〕18号 as the actual
 * transaction price including the goods' retail price, freight and
 * insurance.  On a CEB621 that is
 *     Σ InventoryList/totalPrice + InventoryHead/freight
 *         + InventoryHead/insuredFee
 * in exact decimals.  It is not the order's acturalPaid, which adds the
 * tax withheld and subtracts non-cash discounts (neither belongs in the
 * dutiable value).
 *
 * Also fills lines with "gnum:qty:totalPrice;" per line (for partial
 * returns) and *single_item when the inventory is one line of quantity 1
 * (one indivisible item).  Returns 0, or -1 with *why naming the field
 * that stops the amount from being known.
 */
static int
quota_amount(const struct msrc *m, const void *rec, struct dec *amount,
    char *lines, size_t nlines, int *single_item, const char **why)
{
	const void *head = msrc_head(m, rec), *l;
	struct dec sum = dec_from_int(0), v, qty;
	size_t used = 0;
	int n = 0, one = 0;
	const char *cur;

	lines[0] = '\0';
	if (head == NULL) {
		*why = "InventoryHead";
		return -1;
	}
	cur = msrc_field(m, head, "currency");
	if (cur == NULL || strcmp(cur, "142") != 0) {
		*why = "currency";
		return -1;
	}
	if (msrc_decimal(m, head, "freight", &v) != 0 || dec_sign(v) < 0) {
		*why = "freight";
		return -1;
	}
	sum = dec_add(sum, v);
	if (msrc_decimal(m, head, "insuredFee", &v) != 0 || dec_sign(v) < 0) {
		*why = "insuredFee";
		return -1;
	}
	sum = dec_add(sum, v);
	for (l = msrc_line_first(m, rec); l; l = msrc_line_next(m, l)) {
		const char *g = msrc_field(m, l, "gnum"), *lc;
		char qb[64], tb[64], *end;
		long gnum;
		int w;

		lc = msrc_field(m, l, "currency");
		if (lc != NULL && strcmp(lc, "142") != 0) {
			*why = "InventoryList/currency";
			return -1;
		}
		gnum = g ? strtol(g, &end, 10) : 0;
		if (g == NULL || *g == '\0' || *end != '\0' || gnum < 1 ||
		    gnum > 999) {
			*why = "InventoryList/gnum";
			return -1;
		}
		if (msrc_decimal(m, l, "totalPrice", &v) != 0 || dec_sign(v) < 0) {
			*why = "InventoryList/totalPrice";
			return -1;
		}
		if (msrc_decimal(m, l, "qty", &qty) != 0 || dec_sign(qty) <= 0) {
			*why = "InventoryList/qty";
			return -1;
		}
		sum = dec_add(sum, v);
		n++;
		one = dec_cmp(qty, dec_from_int(1)) == 0;
		w = snprintf(lines + used, nlines - used, "%s%ld:%s:%s",
		    used ? ";" : "", gnum, dec_format(qty, 0, qb, sizeof qb),
		    dec_format(v, 2, tb, sizeof tb));
		if (w < 0 || (size_t)w >= nlines - used) {
			*why = "InventoryList";
			return -1;
		}
		used += (size_t)w;
	}
	if (n == 0) {
		*why = "InventoryList";
		return -1;
	}
	*single_item = n == 1 && one;
	*amount = sum;
	return 0;
}

/*
 * A copy of s (len bytes) in the run's arena; "" when the arena is full
 * or memory is out, and the run marked (r->str_bad): run() ends it as
 * trouble once the input is read, instead of a record judged on a
 * string it lost.
 */
static const char *
keep(struct run *r, const char *s, size_t len)
{
	const char *p = arena_dup(&r->ar, s, len);

	if (p == NULL) {
		r->str_bad = 1;
		return "";
	}
	return p;
}

const char *
intern(struct run *r, const char *s)
{
	size_t len = strlen(s);
	uint32_t i = ht_get(&r->strs, s, len);
	char *p;

	if (i != HT_NONE)
		return r->strv.v[i];
	if ((p = arena_dup(&r->ar, s, len)) == NULL ||
	    vec_push(&r->strv, p) != 0 ||
	    ht_put(&r->strs, p, len, (uint32_t)(r->strv.n - 1)) != 0) {
		r->str_bad = 1;
		return "";
	}
	return p;
}

/* A field with surrounding whitespace removed: its first byte and length
 * in the message, or NULL when it is missing or blank. */
static const char *
trimmed(const struct msrc *m, const void *parent, const char *name,
    size_t *len)
{
	const char *s = parent ? msrc_field(m, parent, name) : NULL;
	size_t n;

	if (s == NULL)
		return NULL;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	*len = n;
	return n ? s : NULL;
}

/* A field with surrounding whitespace removed, copied into the arena. */
static const char *
field(struct run *r, const struct msrc *m, const void *parent,
    const char *name)
{
	size_t len;
	const char *s = trimmed(m, parent, name, &len);

	return s ? keep(r, s, len) : "";
}

/*
 * The same for a field only looked at, not kept: in buf when it fits
 * (the arena's copy would stay for the whole run), else in the arena.
 */
static const char *
tmp_field(struct run *r, const struct msrc *m, const void *parent,
    const char *name, char *buf, size_t n)
{
	size_t len;
	const char *s = trimmed(m, parent, name, &len);

	if (s == NULL)
		return "";
	if (len >= n)
		return keep(r, s, len);
	memcpy(buf, s, len);
	buf[len] = '\0';
	return buf;
}

/* The same, interned: for codes that repeat (enterprises). */
static const char *
code_field(struct run *r, const struct msrc *m, const void *parent,
    const char *name)
{
	char buf[256];
	const char *s = tmp_field(r, m, parent, name, buf, sizeof buf);

	return s == buf ? intern(r, buf) : s;
}

/* A guid as stored in the ledger's event list: no separators. */
static const char *
guid_field(struct run *r, const struct msrc *m, const void *parent)
{
	char *g = (char *)field(r, m, parent, "guid"), *p;

	if (*g == '\0')
		return "-";
	for (p = g; *p; p++)
		if (*p == ':' || *p == ' ' || *p == ',' || *p == '"' ||
		    *p == ';' || (unsigned char)*p < 0x20)
			*p = '_';
	return g;
}

/*
 * The person key: the ID number in one canonical form, optionally + the
 * name.  Upper-cased (a check character x is X); for a resident ID card
 * (buyerIdType 1) a 15-digit number of before 1999 becomes its 18-digit
 * form (GB 11643-1999), so that one person is one buyer however the
 * number was written.  A number of idType 1 that is not a valid resident
 * ID number (a trailing dot, a leading zero, a wrong check character) is
 * refused by inventory() (Q-ID-001) and never opens a quota.
 */
static const char *
person_key(struct run *r, const struct msrc *m, const void *head,
    char *buf, size_t bufsz, const char **idout)
{
	const char *id = tmp_field(r, m, head, "buyerIdNumber", buf, bufsz);
	char *p, id18[19], t[64];

	*idout = id;
	if (*id == '\0')
		return "";
	for (p = (char *)id; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	if (strcmp(tmp_field(r, m, head, "buyerIdType", t, sizeof t), "1") ==
	    0 && strlen(id) == 15 && ident_id15_to_18(id, id18) == 0) {
		/* 15 characters: id is buf, which holds 19 */
		memcpy(buf, id18, sizeof id18);
		id = buf;
	}
	*idout = id;
	if (r->key_name) {
		const char *name = tmp_field(r, m, head, "buyerName", t,
		    sizeof t);
		size_t n = strlen(id) + strlen(name) + 2;
		char *k = arena_alloc(&r->ar, n);

		if (k == NULL) {
			r->str_bad = 1;
			return "";
		}
		snprintf(k, n, "%s|%s", id, name);
		return k;
	}
	return id;
}

/*
 * The event's person key k (person_key(): in buf, or in the arena): in
 * the event's own record when it fits (ev_person()), which is on disk
 * when spooled, else in the arena.
 */
static void
set_person(struct run *r, struct event *e, const char *k, const char *buf)
{
	size_t n = strlen(k);

	if (n < sizeof e->pkey) {
		memcpy(e->pkey, k, n + 1);
		e->person = NULL;
	} else if (k == buf) {
		e->person = keep(r, k, n);
	} else
		e->person = k;
}

/* YYYYMMDD of the first 8 characters, -1 when not a real day. */
static long
day_of(const char *s)
{
	char d[9];

	if (strlen(s) < 8)
		return -1;
	memcpy(d, s, 8);
	d[8] = '\0';
	return policy_parse_day(d);
}

/* YYYYMMDDhhmmss of a 14..17-digit timestamp, UINT64_MAX when invalid. */
static uint64_t
time_of(const char *s, size_t minlen, size_t maxlen)
{
	size_t len = strlen(s), i;
	uint64_t t = 0;
	long day = day_of(s);

	if (len < minlen || len > maxlen || day < 0)
		return UINT64_MAX;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return UINT64_MAX;
	for (i = 0; i < 14; i++)
		t = t * 10 + (uint64_t)(s[i] - '0');
	if (t / 10000 % 100 > 23 || t / 100 % 100 > 59 || t % 100 > 59)
		return UINT64_MAX;
	return t;
}

static struct event *
new_event(struct run *r, struct stream_doc *d, const struct msrc *src,
    const void *rec, long recno, enum ekind kind)
{
	const struct msg *m = &src->m;
	struct event *e;
	char type[16];

	if (r->spooled) {
		e = &r->evnew;
		memset(e, 0, sizeof *e);
	} else if ((e = arena_alloc(&r->ar, sizeof *e)) == NULL ||
	    vec_push(&r->evs, e) != 0)
		return NULL;
	e->kind = kind;
	e->seq = ev_count(r) - (r->spooled ? 0 : 1);
	e->time = UINT64_MAX;
	e->source = intern(r, d->source);
	e->o = r->cur;
	e->message = d->index;
	e->line = msrc_line(src, rec, recno);
	e->record = msg_record_no(m, recno);
	e->type = intern(r, msg_short(m->type, type, sizeof type));
	if (m->guid == NULL)
		e->msgguid = "";
	else if (strlen(m->guid) < sizeof e->mguid)
		strcpy(e->mguid, m->guid);	/* e->msgguid stays NULL */
	else
		e->msgguid = keep(r, m->guid, strlen(m->guid));
	e->person = "";
	return e;
}

static int
has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20)
			return 1;
	return 0;
}

/*
 * The field whose value holds a control character (a line break inside a
 * key), or NULL.  Such a key could not be written to the ledger and read
 * back the same, so the inventory is not judged.
 */
static const char *
control_field(const struct event *e)
{
	if (has_control(ev_person(e)))
		return "buyerIdNumber";
	if (has_control(e->invtno))
		return "invtNo";
	if (has_control(e->ebp))
		return "ebpCode";
	if (has_control(e->orderno))
		return "orderNo";
	if (has_control(e->ebc))
		return "ebcCode";
	if (has_control(e->agent))
		return "agentCode";
	if (has_control(e->copno))
		return "copNo";
	return NULL;
}

/*
 * The key field too long for the ledger's keys, or NULL.  The schemas allow
 * at most 60 characters in any of them; a person key (ID number, and with
 * --key id+name the name) must fit pyear_get()'s 512 bytes, the others
 * key2()'s 256 bytes two by two.  A 10,000-character buyerIdNumber once
 * ended the run as trouble ("out of memory") instead of rejecting the
 * inventory.
 */
static const char *
long_field(const struct event *e)
{
	if (strlen(ev_person(e)) > 400)
		return "buyerIdNumber";
	if (strlen(e->invtno) > 120)
		return "invtNo";
	if (strlen(e->ebp) > 120)
		return "ebpCode";
	if (strlen(e->orderno) > 120)
		return "orderNo";
	if (strlen(e->ebc) > 120)
		return "ebcCode";
	if (strlen(e->agent) > 120)
		return "agentCode";
	if (strlen(e->copno) > 120)
		return "copNo";
	return NULL;
}

/*
 * The estimated tax of the inventory's amount (common/tax.h), within the
 * limits and in full, on its day: each line's HS code, totalPrice and
 * declared quantities (qty, qty1, qty2 with their units: the CT
 * thresholds are per unit), freight and insurance shared by value.
 * Where a line has no rate, tax_why says so and nothing is assumed.
 */
static void
estimate_tax(struct run *r, struct event *e, const struct msrc *m,
    const void *rec)
{
	static const char *const qn[3] = { "qty", "qty1", "qty2" };
	static const char *const un[3] = { "unit", "unit1", "unit2" };
	struct tax_item it[99];
	struct tax_estimate te;
	struct dec extra = dec_from_int(0), v;
	const void *l, *h = msrc_head(m, rec);
	size_t n = 0;
	int k, reg;
	char why[160];

	e->tax_why = "";
	if (r->tax == NULL)
		return;
	if (msrc_decimal(m, h, "freight", &v) == 0)
		extra = dec_add(extra, v);
	if (msrc_decimal(m, h, "insuredFee", &v) == 0)
		extra = dec_add(extra, v);
	for (l = msrc_line_first(m, rec); l && n < 99; l = msrc_line_next(m, l)) {
		const char *g = msrc_field(m, l, "gcode");

		memset(&it[n], 0, sizeof it[n]);
		it[n].gcode = g ? g : "";
		if (msrc_decimal(m, l, "totalPrice", &it[n].value) != 0)
			return;
		for (k = 0; k < 3; k++) {
			const char *u = msrc_field(m, l, un[k]);

			if (u != NULL && *u != '\0' &&
			    msrc_decimal(m, l, qn[k], &it[n].q[it[n].nq].qty) == 0)
				it[n].q[it[n].nq++].unit = u;
		}
		n++;
	}
	for (reg = 0; reg < 2; reg++) {
		if (tax_estimate_point(r->tax, e->day, reg ? TAX_FULL :
		    TAX_WITHIN, it, n, extra, &te) != 0) {
			snprintf(why, sizeof why, "%s: %s",
			    it[te.unknown].gcode, tax_strwhy(te.why));
			e->tax_why = keep(r, why, strlen(why));
			return;
		}
		e->tax[reg] = te.point;
	}
	e->tax_ok = 1;
}

static void
inventory(struct run *r, struct event *e, const struct msrc *m,
    const void *rec)
{
	const void *h = msrc_head(m, rec);
	char lines[99 * 80], t[64], pbuf[64];
	const char *why, *id;

	e->guid = guid_field(r, m, h);
	set_person(r, e, person_key(r, m, h, pbuf, sizeof pbuf, &id), pbuf);
	e->invtno = field(r, m, h, "invtNo");
	e->ebp = code_field(r, m, h, "ebpCode");
	e->orderno = field(r, m, h, "orderNo");
	e->ebc = code_field(r, m, h, "ebcCode");
	e->agent = code_field(r, m, h, "agentCode");
	e->copno = field(r, m, h, "copNo");
	if (!shard_mine(&r->shard, id, strlen(id))) {
		e->out = O_OTHER_SHARD;
		return;
	}
	if ((why = control_field(e)) != NULL ||
	    (why = long_field(e)) != NULL) {
		e->out = O_INVALID;
		e->why = why;
		return;
	}
	e->date = field(r, m, h, r->use_apptime ? "appTime" : "declTime");
	if (*id == '\0') {
		e->out = O_INVALID;
		e->why = "buyerIdNumber";
		return;
	}
	if (strcmp(tmp_field(r, m, h, "buyerIdType", t, sizeof t), "1") == 0 &&
	    (e->id_err = (int)ident_check_id(id, strlen(id), NULL, NULL)) !=
	    IDENT_OK) {
		e->out = O_INVALID;
		e->why = "buyerIdNumber";
		return;
	}
	if (quota_amount(m, rec, &e->amount, lines, sizeof lines,
	    &e->single_item, &why) != 0) {
		e->out = O_INVALID;
		e->why = why;
		return;
	}
	e->lines = keep(r, lines, strlen(lines));
	if (r->use_apptime) {
		e->time = time_of(e->date, 14, 14);
		e->day = e->time == UINT64_MAX ? -1 : day_of(e->date);
	} else {
		size_t len = strlen(e->date);

		e->day = len == 8 || len == 14 ? day_of(e->date) : -1;
		if (len == 14 && time_of(e->date, 14, 14) == UINT64_MAX)
			e->day = -1;
		e->time = e->day < 0 ? UINT64_MAX : (uint64_t)e->day * 1000000;
		e->tie = time_of(tmp_field(r, m, h, "appTime", t, sizeof t),
		    14, 14);
	}
	if (e->day < 0) {
		e->out = O_INVALID;
		e->why = r->use_apptime ? "appTime" : "declTime";
		return;
	}
	e->year = policy_year(&r->pol, e->day);
	if ((e->pol = policy_at(&r->pol, e->day)) == NULL) {
		e->out = O_INVALID;
		e->why = "policy";
		return;
	}
	e->change = strcmp(tmp_field(r, m, h, "appType", t, sizeof t), "2") ==
	    0;
	estimate_tax(r, e, m, rec);
}

static void
release(struct run *r, struct event *e, const struct msrc *m,
    const void *rec)
{
	const void *h = msrc_head(m, rec), *l;
	const char *id;
	char t[64], pbuf[64];

	e->guid = guid_field(r, m, h);
	e->invtno = field(r, m, h, "invtNo");
	e->ebp = code_field(r, m, h, "ebpCode");
	e->orderno = field(r, m, h, "orderNo");
	e->ebc = code_field(r, m, h, "ebcCode");
	e->agent = code_field(r, m, h, "agentCode");
	e->copno = field(r, m, h, "copNo");
	if (e->kind == E_RECEIPT) {
		e->status = field(r, m, h, "returnStatus");
		e->time = time_of(tmp_field(r, m, h, "returnTime", t, sizeof t),
		    14, 17);
		e->releases = strcmp(e->status, "100") == 0 ||
		    strcmp(e->status, "700") == 0;
		if (strcmp(e->status, "800") == 0)
			e->date = field(r, m, h, "returnTime");	/* 放行 */
		return;
	}
	set_person(r, e, person_key(r, m, h, pbuf, sizeof pbuf, &id), pbuf);
	e->time = time_of(tmp_field(r, m, h, "appTime", t, sizeof t), 14, 14);
	e->releases = 1;
	if (*id != '\0' && !shard_mine(&r->shard, id, strlen(id))) {
		e->out = O_OTHER_SHARD;
		return;
	}
	if (e->kind != E_RETURN)
		return;
	for (l = msrc_line_first(m, rec); l; l = msrc_line_next(m, l)) {
		const char *g = msrc_field(m, l, "gnum");
		struct rline *nl;
		char *end;
		long gnum = g ? strtol(g, &end, 10) : 0;
		struct dec q;

		if (g == NULL || *g == '\0' || *end != '\0' || gnum < 1 ||
		    msrc_decimal(m, l, "qty", &q) != 0 || dec_sign(q) <= 0) {
			e->out = O_INVALID;
			e->why = "InvtRefundList";
			return;
		}
		nl = arena_alloc(&r->ar, (e->nrl + 1) * sizeof *nl);
		if (nl == NULL) {
			r->str_bad = 1;
			return;
		}
		if (e->nrl)
			memcpy(nl, e->rl, e->nrl * sizeof *nl);
		nl[e->nrl].gnum = gnum;
		nl[e->nrl].qty = q;
		e->rl = nl;
		e->nrl++;
	}
}

int
extract_doc(struct run *r, struct stream_doc *d)
{
	static struct scan sc;
	static unsigned char *types;	/* the records scanned: 62x */
	struct sdoc *sd;
	struct msrc src;
	const void *rec;
	long recno = 1;
	size_t at = doc_count(r);
	int code = 0, rc;

	if (r->spooled) {
		sd = &r->docnew;
		memset(sd, 0, sizeof *sd);
	} else if ((sd = arena_alloc(&r->ar, sizeof *sd)) == NULL ||
	    vec_push(&r->docs, sd) != 0) {
		diag_trouble(d->source, 0, _("out of memory"));
		return -1;
	}
	sd->source = intern(r, d->source);
	sd->index = d->index;
	sd->line = d->line;
	sd->o = d->origin;
	sd->o.source = sd->source;
	sd->o.envelope = d->origin.envelope ? intern(r, d->origin.envelope) :
	    NULL;
	sd->o.received = d->origin.received ? intern(r, d->origin.received) :
	    NULL;
	sd->o.via = d->origin.via ? intern(r, d->origin.via) : NULL;
	sd->o.records = d->origin.records ? intern(r, d->origin.records) :
	    NULL;
	r->cur = &sd->o;
	sd->len = d->len;
	sd->first = (uint32_t)ev_count(r);
	sd->mine = r->shard.n == 0 || r->shard.k == 1;
	if (store_doc_digest(d->bytes, d->len, sd->digest) != 0) {
		diag_trouble(d->source, d->line, _("cannot compute the "
		    "document's digest"));
		return -1;
	}
	/* Its bytes: where they are in a plain file, else a copy in the
	 * spool. */
	if ((sd->src = spool_source(r, d)) >= 0) {
		sd->off = d->in_off;
		if (store_doc_prefix_digest(d->bytes, d->len, sd->pdigest) !=
		    0) {
			diag_trouble(d->source, d->line, _("cannot compute "
			    "the document's digest"));
			return -1;
		}
	} else {
		sd->off = r->spool_off;
		if (spool_put(r, d->bytes, d->len) != 0) {
			diag_trouble(NULL, 0, _("cannot write the spool file: "
			    "%s"), strerror(errno));
			return -1;
		}
	}
	if (types == NULL) {
		char bad[64];

		if ((types = malloc(msg_ntypes)) == NULL) {
			diag_trouble(d->source, 0, _("out of memory"));
			return -1;
		}
		(void)msg_type_set("621,622,623,625", types, bad, sizeof bad);
	}
	if ((rc = msrc_open(&src, &sc, d, types)) != 0)
		return -1;
	if (src.m.type != NULL)
		code = src.m.type->code;
	sd->code = code;
	if (code == 621 || code == 622 || code == 623 || code == 625) {
		sd->nrec = (int)msrc_record_count(&src);
		for (rec = msrc_record_first(&src); rec;
		    rec = msrc_record_next(&src, rec), recno++) {
			enum ekind k = code == 621 ? E_INVENTORY :
			    code == 622 ? E_RECEIPT :
			    code == 623 ? E_CANCEL : E_RETURN;
			struct event *e = new_event(r, d, &src, rec, recno, k);

			if (e == NULL) {
				diag_trouble(d->source, 0, _("out of memory"));
				rc = -1;
				break;
			}
			if (k == E_INVENTORY)
				inventory(r, e, &src, rec);
			else
				release(r, e, &src, rec);
			if (ev_put(r, e) != 0) {
				rc = -1;
				break;
			}
		}
	}
	msrc_close(&src);
	if (rc != 0)
		return -1;
	sd->n = (uint32_t)(ev_count(r) - sd->first);
	return doc_put(r, at, sd);
}
