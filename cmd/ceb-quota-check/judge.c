/*
 * judge.c: step 3 of a run, the judgment of the run's events against the
 * ledger, in a deterministic evaluation order:
 *
 *  - every event gets a time: an inventory its assigning date (declTime,
 *    as YYYYMMDD 00:00:00, or appTime with --date appTime), a cancel or
 *    return its appTime, a receipt its returnTime; events without a usable
 *    time come after all others;
 *  - events are taken in order of time, then (inventories of one
 *    declTime day) of appTime, then input order: the order in which
 *    messages arrive, are batched, matched or sharded upstream does not
 *    decide which inventories fit;
 *  - receipts that carry an invtNo first teach it to the inventory they
 *    name (by copNo), whatever their time, so that a cancel naming only
 *    the invtNo finds its inventory;
 *  - a release (cancel, return, receipt 100/700) of an inventory of the
 *    same run that has not been judged yet waits for that judgment and is
 *    applied right after it.
 *
 * The messages are still written out in input order (emit.c); only the
 * judgment follows this order, and it decides which inventories fit.
 *
 * Every judgment and every release is written into the ledger row with
 * the guid of the record that caused it, so a rerun (or a run after a
 * crash that happened after the ledger was committed) recognises it and
 * reports it exactly as the first run did, changing nothing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "i18n.h"
#include "quota.h"

#define WANTED (HT_NONE - 1)

static const char *const vnames[] = { "", "within", "single-item",
	"over-single", "over-annual" };
static const char *const snames[] = { "pending", "counted", "partial",
	"released", "rejected" };

const char *
verdict_name(enum verdict v)
{
	return vnames[v];
}

int
verdict_parse(const char *s, enum verdict *v)
{
	int i;

	for (i = 1; i < 5; i++)
		if (strcmp(s, vnames[i]) == 0) {
			*v = (enum verdict)i;
			return 0;
		}
	return -1;
}

const char *
state_name(enum rstate s)
{
	return snames[s];
}

int
state_parse(const char *s, enum rstate *st)
{
	int i;

	for (i = 0; i < 5; i++)
		if (strcmp(s, snames[i]) == 0) {
			*st = (enum rstate)i;
			return 0;
		}
	return -1;
}

int
verdict_counted(enum verdict v)
{
	return v == V_WITHIN || v == V_SINGLE_ITEM;
}

/* ---- keys ---- */

/* "T\037a[\037b]" into buf; -1 when a part is empty or it does not fit.
 * (No snprintf: this runs for every ledger row.) */
static int
key2(char *buf, size_t n, char tag, const char *a, const char *b)
{
	size_t la, lb;

	if (a == NULL || *a == '\0' || (b != NULL && *b == '\0'))
		return -1;
	la = strlen(a);
	lb = b ? strlen(b) : 0;
	if (la + lb + 4 > n)
		return -1;
	buf[0] = tag;
	buf[1] = '\037';
	memcpy(buf + 2, a, la);
	if (b) {
		buf[2 + la] = '\037';
		memcpy(buf + 3 + la, b, lb + 1);
	} else
		buf[2 + la] = '\0';
	return 0;
}

int
key_invt(char *buf, size_t n, const char *invtno)
{
	return key2(buf, n, 'I', invtno, NULL);
}

int
key_agent(char *buf, size_t n, const char *agent, const char *copno)
{
	return key2(buf, n, 'A', agent, copno ? copno : "");
}

int
key_ebc(char *buf, size_t n, const char *ebc, const char *copno)
{
	return key2(buf, n, 'E', ebc, copno ? copno : "");
}

int
key_order(char *buf, size_t n, const char *ebp, const char *orderno)
{
	return key2(buf, n, 'O', ebp, orderno ? orderno : "");
}

struct pyear *
pyear_get(struct run *r, const char *person, int year, int create)
{
	char k[512];
	int n = snprintf(k, sizeof k, "%s\037%d", person, year);
	uint32_t i;
	struct pyear *p;
	char *kk;

	if (n < 0 || (size_t)n >= sizeof k)
		return NULL;
	if ((i = ht_get(&r->pyears, k, (size_t)n)) != HT_NONE)
		return r->pys.v[i];
	if (!create)
		return NULL;
	if ((p = arena_alloc(&r->ar, sizeof *p)) == NULL ||
	    (kk = arena_dup(&r->ar, k, (size_t)n)) == NULL ||
	    vec_push(&r->pys, p) != 0 ||
	    ht_put(&r->pyears, kk, (size_t)n, (uint32_t)(r->pys.n - 1)) != 0)
		return NULL;
	p->person = arena_str(&r->ar, person);
	p->year = year;
	p->idx = (uint32_t)(r->pys.n - 1);
	p->used = dec_from_int(0);
	return p;
}

/* Mark a key as wanted from the ledger. */
static int
want(struct run *r, const char *k)
{
	size_t len = strlen(k);
	char *c;

	if (ht_get(&r->keys, k, len) != HT_NONE)
		return 0;
	if ((c = arena_dup(&r->kar, k, len)) == NULL)
		return -1;
	return ht_put(&r->keys, c, len, WANTED);
}

static int
event_keys(const struct event *e, char k[4][256])
{
	int n = 0;

	if (key_invt(k[n], 256, e->invtno) == 0)
		n++;
	if (key_order(k[n], 256, e->ebp, e->orderno) == 0)
		n++;
	if (key_agent(k[n], 256, e->agent, e->copno) == 0)
		n++;
	if (key_ebc(k[n], 256, e->ebc, e->copno) == 0)
		n++;
	return n;
}

/*
 * Before the ledger is read: name the buyers whose totals the run needs
 * and the inventory keys whose rows it needs.
 */
int
judge_prepare(struct run *r)
{
	char k[4][256];
	size_t i;
	int j, n;

	for (i = 0; i < ev_count(r); i++) {
		struct event buf, *e = ev_get(r, i, &buf);

		if (e == NULL)
			return -1;
		if (e->out == O_OTHER_SHARD || e->out == O_INVALID)
			continue;
		if (e->kind == E_INVENTORY &&
		    pyear_get(r, ev_person(e), e->year, 1) == NULL)
			return -1;
		n = event_keys(e, k);
		for (j = 0; j < n; j++)
			if (want(r, k[j]) != 0)
				return -1;
	}
	return 0;
}

/* ---- the keys of the run's rows (struct run: rkeys) ---- */

/* The tag of a key (its first byte) as a slot holds it, or -1. */
static int
rkey_tag(char c)
{
	switch (c) {
	case 'I':
		return 0;
	case 'O':
		return 1;
	case 'A':
		return 2;
	case 'E':
		return 3;
	}
	return -1;
}

int
row_key(const struct run *r, char *buf, size_t n, int tag,
    const struct row *w)
{
	switch (tag) {
	case 'A':
		return key_agent(buf, n, rstr(r, w->agent), rstr(r, w->copno));
	case 'E':
		return key_ebc(buf, n, rstr(r, w->ebc), rstr(r, w->copno));
	case 'I':
		return key_invt(buf, n, rstr(r, w->invtno));
	default:
		return key_order(buf, n, rstr(r, w->ebp), rstr(r, w->orderno));
	}
}

/* The key of row w with tag t (rkey_tag()) into buf, as key_*() make it;
 * -1 when it has none. */
static int
rkey_make(const struct run *r, const struct row *w, int t, char *buf,
    size_t n)
{
	return row_key(r, buf, n, "IOAE"[t & 3], w);
}

/* The high half of hash h as a slot keeps it: never 0, so that no slot
 * of a key (row 0, tag 0 included) is ever 0, the empty slot. */
static uint32_t
rkey_hi(uint64_t h)
{
	return (uint32_t)(h >> 32) | 1u;
}

/* The first slot to try for a key whose slot keeps hi: from the bits
 * the slot keeps, so that rkey_grow() places a slot again without
 * making its key (a row's strings, one cache miss or more each). */
static size_t
rkey_home(uint32_t hi, size_t mask)
{
	return (size_t)(hi >> 1) & mask;
}

/*
 * The slot of key k (hash h, tag t): the one that holds it, or the empty
 * one where it goes.  A slot with the same high half of the hash and tag
 * is compared by making its row's key again: a row's key fields do not
 * change once a key names it (an invtNo is only ever learnt where the
 * row had none).
 */
static uint64_t *
rkey_slot(const struct run *r, const char *k, uint64_t h, int t)
{
	size_t mask = r->rkeys.cap - 1;
	uint32_t hi = rkey_hi(h);
	size_t i = rkey_home(hi, mask);
	char buf[256];

	for (;; i = (i + 1) & mask) {
		uint64_t *s = &r->rkeys.s[i];

		if (*s == 0)
			return s;
		if ((uint32_t)(*s >> 32) == hi && (int)(*s & 3) == t &&
		    rkey_make(r, r->rows.v[(uint32_t)*s >> 2], t, buf,
		    sizeof buf) == 0 && strcmp(buf, k) == 0)
			return s;
	}
}

uint32_t
rkey_get(const struct run *r, const char *k)
{
	int t = rkey_tag(k[0]);
	uint64_t *s;

	if (r->rkeys.cap == 0 || t < 0)
		return HT_NONE;
	s = rkey_slot(r, k, ht_hash(k, strlen(k)), t);
	return *s ? (uint32_t)*s >> 2 : HT_NONE;
}

static int
rkey_grow(struct run *r)
{
	size_t nc = r->rkeys.cap ? r->rkeys.cap * 2 : 1024, i;
	uint64_t *ns;

	/* rkey_home() takes 31 bits of the hash. */
	if (nc > (size_t)1 << 31 || (ns = calloc(nc, sizeof *ns)) == NULL)
		return -1;
	for (i = 0; i < r->rkeys.cap; i++) {
		uint64_t s = r->rkeys.s[i];
		size_t j;

		if (s == 0)
			continue;
		j = rkey_home((uint32_t)(s >> 32), nc - 1);
		while (ns[j])
			j = (j + 1) & (nc - 1);
		ns[j] = s;
	}
	free(r->rkeys.s);
	r->rkeys.s = ns;
	r->rkeys.cap = nc;
	return 0;
}

int
rkey_put(struct run *r, const char *k, uint32_t idx)
{
	int t = rkey_tag(k[0]);
	uint64_t h, *s;

	if (t < 0 || idx > UINT32_MAX >> 2 || idx >= r->rows.n)
		return -1;
	/* Up to 7/8 full: a slot is 8 bytes, and a probe compares the
	 * hash's high half before it makes a key. */
	if ((r->rkeys.n + 1) * 8 > r->rkeys.cap * 7 && rkey_grow(r) != 0)
		return -1;
	h = ht_hash(k, strlen(k));
	s = rkey_slot(r, k, h, t);
	if (*s == 0)
		r->rkeys.n++;
	*s = (uint64_t)rkey_hi(h) << 32 | (uint64_t)idx << 2 | (uint64_t)t;
	return 0;
}

void
rkey_free(struct run *r)
{
	free(r->rkeys.s);
	memset(&r->rkeys, 0, sizeof r->rkeys);
}

/* The row a key names, or NULL. */
static struct row *
row_by(struct run *r, const char *k)
{
	uint32_t i = rkey_get(r, k);

	return i == HT_NONE ? NULL : r->rows.v[i];
}

/*
 * Find the row of an event by invtNo, then (ebpCode, orderNo), then
 * (agentCode, copNo), then (ebcCode, copNo).  The order matters for
 * cancels and returns: their copNo is usually their own document number,
 * while invtNo and orderNo are required and name the inventory.
 */
static struct row *
find_row(struct run *r, const struct event *e)
{
	char k[4][256];
	int n = event_keys(e, k), i;
	struct row *w;

	for (i = 0; i < n; i++)
		if ((w = row_by(r, k[i])) != NULL)
			return w;
	return NULL;
}

static int
index_row(struct run *r, struct row *w, uint32_t idx)
{
	char k[4][256];
	struct event tmp;
	int n, i;

	memset(&tmp, 0, sizeof tmp);
	tmp.invtno = rstr(r, w->invtno);
	tmp.agent = rstr(r, w->agent);
	tmp.ebc = rstr(r, w->ebc);
	tmp.ebp = rstr(r, w->ebp);
	tmp.copno = rstr(r, w->copno);
	tmp.orderno = rstr(r, w->orderno);
	n = event_keys(&tmp, k);
	for (i = 0; i < n; i++) {
		if (rkey_get(r, k[i]) != HT_NONE)
			continue;	/* first row keeps the key */
		if (rkey_put(r, k[i], idx) != 0)
			return -1;
	}
	return 0;
}

static struct row *
new_row(struct run *r, struct event *e)
{
	struct row *w = arena_alloc(&r->ar, sizeof *w);

	if (w == NULL || rset(r, &w->date, e->date) != 0 ||
	    rset(r, &w->invtno, e->invtno) != 0 ||
	    rset(r, &w->ebp, e->ebp) != 0 ||
	    rset(r, &w->orderno, e->orderno) != 0 ||
	    rset(r, &w->ebc, e->ebc) != 0 ||
	    rset(r, &w->agent, e->agent) != 0 ||
	    rset(r, &w->copno, e->copno) != 0 ||
	    rset(r, &w->lines, e->lines) != 0 ||
	    rset(r, &w->guid, e->guid) != 0 || rset(r, &w->events, "") != 0)
		return NULL;
	w->amount = e->amount;
	w->state = S_PENDING;
	/* Its place among the night's new rows, until ledger_write()
	 * gives it its id (in the order of the buyers). */
	w->id = r->inv_last + 1 + (long long)r->nnew++;
	w->fresh = 1;
	w->changed = 1;
	w->py = pyear_get(r, ev_person(e), e->year, 1);
	w->idx = (uint32_t)r->rows.n;
	if (w->py == NULL || vec_push(&r->rows, w) != 0 ||
	    index_row(r, w, (uint32_t)(r->rows.n - 1)) != 0)
		return NULL;
	return w;
}

static void
set_limits(struct event *e)
{
	e->o_pol = e->pol;
	e->o_year = e->year;
}

/* Report an inventory judgment (new or reproduced). */
static void
report_judgment(struct event *e, enum verdict v, struct dec used,
    struct dec amount)
{
	set_limits(e);
	e->o_amount = amount;
	e->o_used = used;
	switch (v) {
	case V_WITHIN:
		e->out = O_WITHIN;
		break;
	case V_SINGLE_ITEM:
		e->out = O_SINGLE_ITEM;
		break;
	case V_OVER_SINGLE:
		e->out = O_OVER_SINGLE;
		break;
	default:
		e->out = O_OVER_ANNUAL;
		break;
	}
	e->passes = verdict_counted(v);
}

/*
 * The verdict on amount e->amount for a buyer who has used `used` of the
 * year: over the single limit is rejected, except one indivisible item
 * where the policy grants the exception (财关税〔2018〕49号, from
 * 2019-01-01; before it such an item went to general trade), which is
 * counted if the year's remainder holds it.
 */
static enum verdict
verdict_of(const struct event *e, struct dec used)
{
	struct dec after = dec_add(used, e->amount);

	if (dec_cmp(e->amount, e->pol->single) > 0) {
		if (!e->single_item || !e->pol->single_item)
			return V_OVER_SINGLE;
		return dec_cmp(after, e->pol->annual) <= 0 ? V_SINGLE_ITEM :
		    V_OVER_ANNUAL;
	}
	return dec_cmp(after, e->pol->annual) > 0 ? V_OVER_ANNUAL : V_WITHIN;
}

/* Judge inventory e into row w (new, or rejected before). */
static void
judge(struct run *r, struct event *e, struct row *w)
{
	struct pyear *py = w->py;
	struct dec after = dec_add(py->used, e->amount);
	enum verdict v = verdict_of(e, py->used);

	w->verdict = v;
	w->used = py->used;
	(void)rset(r, &w->guid, e->guid);
	w->changed = 1;
	if (verdict_counted(v)) {
		py->used = after;
		w->state = S_COUNTED;
	} else
		w->state = S_REJECTED;
	(void)qstore_log(r, w, verdict_counted(v) ? "counted" : "rejected",
	    e->guid, e->amount, verdict_counted(v) ? e->amount :
	    dec_from_int(0), e->time);
	report_judgment(e, v, w->used, e->amount);
}

static int
append_event(struct run *r, struct row *w, const char *entry)
{
	size_t a = strlen(rstr(r, w->events)), b = strlen(entry);
	char *n = arena_alloc(&r->ar, a + b + 2);

	if (n == NULL)
		return -1;
	/* (The arena does not move: w->events is still where it was.) */
	memcpy(n, rstr(r, w->events), a);
	if (a)
		n[a++] = ' ';
	memcpy(n + a, entry, b + 1);
	w->changed = 1;
	return rset(r, &w->events, n);
}

/* A rejected row judged again for a new declaration (another guid). */
static void
rejudge(struct run *r, struct event *e, struct row *w)
{
	char entry[256], u[64], a[64];

	snprintf(entry, sizeof entry, "J:%s:%s:%s:%s", rstr(r, w->guid),
	    verdict_name(w->verdict), dec_format(w->used, 2, u, sizeof u),
	    dec_format(w->amount, 2, a, sizeof a));
	(void)append_event(r, w, entry);
	(void)rset(r, &w->date, e->date);
	w->amount = e->amount;
	(void)rset(r, &w->lines, e->lines);
	if (*e->invtno && !*rstr(r, w->invtno)) {
		char k[256];

		if (key_invt(k, sizeof k, e->invtno) == 0 &&
		    row_by(r, k) == NULL) {
			(void)rset(r, &w->invtno, e->invtno);
			(void)rkey_put(r, k, w->idx);
		}
	}
	w->py = pyear_get(r, ev_person(e), e->year, 1);
	judge(r, e, w);
}

static void
apply_release(struct run *r, struct event *e, struct row *w);

/* Split a copy of event entry ent (up to its end) at ':' into f. */
static int
entry_fields(const char *ent, char *buf, size_t n, char **f, int max)
{
	int k = 0;
	char *p;

	snprintf(buf, n, "%s", ent);
	if ((p = strchr(buf, ' ')) != NULL)
		*p = '\0';
	for (p = buf; k < max; k++) {
		f[k] = p;
		if ((p = strchr(p, ':')) == NULL)
			return k + 1;
		*p++ = '\0';
	}
	return k;
}

/*
 * A change (621 appType 2) of an inventory that is counted: the change
 * replaces the earlier amount, judged against the buyer's year without
 * it (customs' 改单).  Taken, the row holds the new amount and lines and
 * the buyer's total moves by the difference; over a limit, the change is
 * rejected and the earlier amount stays counted.  Either way the entry
 *     A:guid:verdict:old:new:used
 * records it, and the earlier judgment is kept as a J entry, so that a
 * rerun says both again as the first run did.
 */
static void
change(struct run *r, struct event *e, struct row *w)
{
	struct pyear *old = w->py, *npy;
	struct dec base;
	enum verdict v;
	char entry[256], u[64], a[64], b[64];

	if ((npy = pyear_get(r, ev_person(e), e->year, 1)) == NULL)
		npy = old;
	base = npy == old ? dec_sub(old->used, w->amount) : npy->used;
	v = verdict_of(e, base);
	snprintf(entry, sizeof entry, "A:%s:%s:%s:%s:%s", e->guid,
	    verdict_name(v), dec_format(w->amount, 2, a, sizeof a),
	    dec_format(e->amount, 2, b, sizeof b),
	    dec_format(base, 2, u, sizeof u));
	set_limits(e);
	e->o_old = w->amount;
	e->o_amount = e->amount;
	e->o_used = base;
	if (!verdict_counted(v)) {
		(void)append_event(r, w, entry);
		e->out = O_CHANGE_OVER;
		e->why = verdict_name(v);
		e->passes = 0;
		return;
	}
	{
		char j[256], ju[64], ja[64];

		snprintf(j, sizeof j, "J:%s:%s:%s:%s", rstr(r, w->guid),
		    verdict_name(w->verdict),
		    dec_format(w->used, 2, ju, sizeof ju),
		    dec_format(w->amount, 2, ja, sizeof ja));
		(void)append_event(r, w, j);
	}
	(void)append_event(r, w, entry);
	old->used = dec_sub(old->used, w->amount);
	(void)qstore_log(r, w, "changed", e->guid, w->amount,
	    dec_sub(dec_from_int(0), w->amount), e->time);
	npy->used = dec_add(npy->used, e->amount);
	w->py = npy;
	(void)rset(r, &w->date, e->date);
	w->amount = e->amount;
	(void)rset(r, &w->lines, e->lines);
	w->verdict = v;
	w->used = base;
	(void)rset(r, &w->guid, e->guid);
	w->changed = 1;
	(void)qstore_log(r, w, "changed", e->guid, e->amount, e->amount,
	    e->time);
	e->out = O_CHANGED;
	e->passes = 1;
}

/* A change judged by an earlier run: said again from its A entry. */
static void
change_again(struct event *e, const char *ent)
{
	char buf[256], *f[7];
	enum verdict v = V_OVER_ANNUAL;

	set_limits(e);
	e->o_amount = e->amount;
	if (entry_fields(ent, buf, sizeof buf, f, 7) >= 6) {
		(void)verdict_parse(f[2], &v);
		(void)dec_parse_str(f[3], &e->o_old);
		(void)dec_parse_str(f[4], &e->o_amount);
		(void)dec_parse_str(f[5], &e->o_used);
	}
	e->passes = verdict_counted(v);
	e->out = e->passes ? O_CHANGED : O_CHANGE_OVER;
	e->why = verdict_name(v);
}

static void
inventory(struct run *r, struct event *e)
{
	struct row *w = e->row;
	const char *j;
	size_t i;

	if (w->state != S_PENDING && strcmp(e->guid, "-") != 0 &&
	    (j = ledger_event_find(rstr(r, w->events), 'A', e->guid)) !=
	    NULL) {
		change_again(e, j);
		return;
	}
	if (w->state == S_PENDING) {
		judge(r, e, w);
		/* The releases that waited (their places, judge_run()), in
		 * the order they came. */
		for (i = w->defer_first; i != 0; i = r->defer[i - 1].next) {
			struct event buf, *d = ev_at(r, r->defer[i - 1].at,
			    &buf);

			if (d == NULL)
				break;
			apply_release(r, d, w);
			if (ev_put(r, d) != 0)
				break;
		}
		w->defer_first = w->defer_last = 0;
		return;
	}
	if (strcmp(e->guid, rstr(r, w->guid)) == 0 &&
	    strcmp(e->guid, "-") != 0) {
		report_judgment(e, w->verdict, w->used, w->amount);
		return;
	}
	if (strcmp(e->guid, "-") != 0 &&
	    (j = ledger_event_find(rstr(r, w->events), 'J', e->guid)) !=
	    NULL) {
		char buf[256], *f[6], *p;
		int n = 0;
		enum verdict v = V_OVER_ANNUAL;
		struct dec used = dec_from_int(0), amt = e->amount;

		snprintf(buf, sizeof buf, "%s", j);
		if ((p = strchr(buf, ' ')) != NULL)
			*p = '\0';
		for (p = buf; n < 6; n++) {
			f[n] = p;
			if ((p = strchr(p, ':')) == NULL) {
				n++;
				break;
			}
			*p++ = '\0';
		}
		if (n >= 5) {
			(void)verdict_parse(f[2], &v);
			(void)dec_parse_str(f[3], &used);
			(void)dec_parse_str(f[4], &amt);
		}
		report_judgment(e, v, used, amt);
		return;
	}
	if (w->state == S_REJECTED) {
		rejudge(r, e, w);
		return;
	}
	if (e->change && w->state == S_COUNTED) {
		change(r, e, w);
		return;
	}
	/* The same inventory again: counted once. */
	set_limits(e);
	e->out = O_DUPLICATE;
	e->o_amount = w->amount;
	e->passes = 1;
}

/* Value of retq of a line of qty units worth total. */
static struct dec
part(struct dec total, struct dec qty, struct dec retq)
{
	struct dec d;
	__int128 num, q;

	if (dec_cmp(retq, qty) >= 0)
		return total;
	num = total.v * retq.v;
	q = num / qty.v;
	if ((num % qty.v) * 2 >= qty.v)
		q++;
	d.v = q;
	return d;
}

struct pline {
	long gnum;
	struct dec qty, total, ret;
};

static size_t
parse_lines(const char *s, struct pline *pl, size_t max)
{
	size_t n = 0;
	char buf[99 * 100], *p, *save = NULL;

	snprintf(buf, sizeof buf, "%s", s);
	for (p = strtok_r(buf, ";", &save); p && n < max;
	    p = strtok_r(NULL, ";", &save)) {
		char *f[4] = { p, NULL, NULL, NULL }, *q;
		int k = 1;

		for (q = p; *q && k < 4; q++)
			if (*q == ':') {
				*q = '\0';
				f[k++] = q + 1;
			}
		if (k < 3)
			continue;
		pl[n].gnum = strtol(f[0], NULL, 10);
		if (dec_parse_str(f[1], &pl[n].qty) != DEC_OK ||
		    dec_parse_str(f[2], &pl[n].total) != DEC_OK ||
		    dec_sign(pl[n].qty) <= 0)
			continue;
		pl[n].ret = dec_from_int(0);
		if (k == 4 && dec_parse_str(f[3], &pl[n].ret) != DEC_OK)
			pl[n].ret = dec_from_int(0);
		n++;
	}
	return n;
}

/*
 * What a return gives back: for each returned line, its share of the
 * line's totalPrice by quantity (qty returned / qty declared, rounded to
 * 0.00001); freight and insuredFee come back only once every line has
 * been returned in full.  Quantities returned accumulate in the row's
 * lines column, so a line is never given back twice.
 */
static struct dec
return_amount(struct run *r, struct event *e, struct row *w, int *unknown)
{
	struct pline pl[100];
	size_t n = parse_lines(rstr(r, w->lines), pl, 100), i, j;
	struct dec target = dec_from_int(0), sumtotal = dec_from_int(0);
	int all = 1;
	char buf[99 * 100], q[64], t[64], rq[64];
	size_t used = 0;

	*unknown = 0;
	for (j = 0; j < e->nrl; j++) {
		for (i = 0; i < n && pl[i].gnum != e->rl[j].gnum; i++)
			;
		if (i == n) {
			*unknown = 1;
			continue;
		}
		pl[i].ret = dec_add(pl[i].ret, e->rl[j].qty);
		if (dec_cmp(pl[i].ret, pl[i].qty) > 0)
			pl[i].ret = pl[i].qty;
	}
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		target = dec_add(target, part(pl[i].total, pl[i].qty,
		    pl[i].ret));
		sumtotal = dec_add(sumtotal, pl[i].total);
		if (dec_cmp(pl[i].ret, pl[i].qty) < 0)
			all = 0;
		used += (size_t)snprintf(buf + used, sizeof buf - used,
		    "%s%ld:%s:%s", i ? ";" : "", pl[i].gnum,
		    dec_format(pl[i].qty, 0, q, sizeof q),
		    dec_format(pl[i].total, 2, t, sizeof t));
		if (dec_sign(pl[i].ret) > 0)
			used += (size_t)snprintf(buf + used, sizeof buf - used,
			    ":%s", dec_format(pl[i].ret, 0, rq, sizeof rq));
		if (used >= sizeof buf)
			used = sizeof buf - 1;
	}
	if (all && n > 0)
		target = dec_add(target, dec_sub(w->amount, sumtotal));
	if (dec_cmp(target, w->amount) > 0)
		target = w->amount;
	target = dec_sub(target, w->released);
	if (dec_sign(target) > 0)
		(void)rset(r, &w->lines, buf);
	else
		target = dec_from_int(0);
	return target;
}

/* Nonzero when at least one line of return e is a line of row w. */
static int
lines_known(const struct run *r, const struct row *w, const struct event *e)
{
	struct pline pl[100];
	size_t n = parse_lines(rstr(r, w->lines), pl, 100), i, j;

	for (j = 0; j < e->nrl; j++)
		for (i = 0; i < n; i++)
			if (pl[i].gnum == e->rl[j].gnum)
				return 1;
	return 0;
}

/* Nonzero when some line of return e is not a line of row w. */
static int
lines_unknown(const struct run *r, const struct row *w, const struct event *e)
{
	struct pline pl[100];
	size_t n = parse_lines(rstr(r, w->lines), pl, 100), i, j;

	for (j = 0; j < e->nrl; j++) {
		for (i = 0; i < n && pl[i].gnum != e->rl[j].gnum; i++)
			;
		if (i == n)
			return 1;
	}
	return 0;
}

static char
kind_char(const struct event *e)
{
	return e->kind == E_CANCEL ? 'C' : e->kind == E_RETURN ? 'R' : 'X';
}

static void
release_limits(struct run *r, struct event *e, struct row *w)
{
	const struct policy_row *pr = policy_for_year(&r->pol, w->py->year);

	e->o_year = w->py->year;
	e->o_person = w->py->person;
	e->o_pol = pr;
}

/* The first entry of kind k in an event list, or NULL. */
static const char *
first_entry(const char *events, char k)
{
	const char *p = events;

	while (p != NULL && *p != '\0') {
		if (p[0] == k && p[1] == ':')
			return p;
		if ((p = strchr(p, ' ')) != NULL)
			p++;
	}
	return NULL;
}

/*
 * A return after the policy's window (海关总署公告2020年第45号: returned
 * within 30 days of release) gives nothing back: 1 with O_LATE set, else
 * 0.  The days run from the release (放行) that a receipt 800 recorded
 * (a V entry), else from the inventory's declaration date -- a release is
 * never earlier, so a return is called late only when it is.
 */
static int
late(struct run *r, struct event *e, const struct row *w)
{
	const struct policy_row *pr;
	const char *v = first_entry(rstr(r, w->events), 'V');
	long ret, base = -1;

	if (e->time == UINT64_MAX)
		return 0;
	ret = (long)(e->time / 1000000);
	if ((pr = policy_at(&r->pol, ret)) == NULL || pr->return_days < 0)
		return 0;
	e->why = "declared";
	if (v != NULL) {
		char buf[128], *f[4];

		if (entry_fields(v, buf, sizeof buf, f, 4) >= 3 &&
		    strlen(f[2]) >= 8) {
			char d[9];

			snprintf(d, sizeof d, "%.8s", f[2]);
			if ((base = policy_parse_day(d)) >= 0)
				e->why = "released";
		}
	}
	if (base < 0) {
		char d[9];

		snprintf(d, sizeof d, "%.8s", rstr(r, w->date));
		if ((base = policy_parse_day(d)) < 0)
			return 0;
	}
	e->o_days = policy_days_between(base, ret);
	e->o_window = pr->return_days;
	if (e->o_days <= pr->return_days)
		return 0;
	e->out = O_LATE;
	return 1;
}

/* quota.h */
const char *
quota_tax_cell(const struct event *e, char *buf, size_t n)
{
	int full;

	if (e->kind != E_INVENTORY)
		return "";
	if (e->out == O_WITHIN || e->out == O_SINGLE_ITEM)
		full = e->out == O_SINGLE_ITEM;
	else if (e->out == O_CHANGED)
		full = dec_cmp(e->o_amount, e->o_pol ? e->o_pol->single :
		    e->o_amount) > 0;
	else
		return "";
	if (!e->tax_ok)
		return e->tax_why && *e->tax_why ? "unknown" : "";
	return dec_format(dec_round(e->tax[full], 2), 2, buf, n);
}

/*
 * A return of more of a line than was bought and not yet returned:
 * customs refuse it, nothing is given back (1, O_OVER_QTY, e->o_days the
 * line's gnum), where earlier releases capped it in silence.
 */
static int
over_quantity(const struct run *r, const struct row *w, struct event *e)
{
	struct pline pl[100];
	size_t n = parse_lines(rstr(r, w->lines), pl, 100), i, j;

	for (j = 0; j < e->nrl; j++)
		for (i = 0; i < n; i++)
			if (pl[i].gnum == e->rl[j].gnum) {
				pl[i].ret = dec_add(pl[i].ret, e->rl[j].qty);
				if (dec_cmp(pl[i].ret, pl[i].qty) > 0) {
					e->out = O_OVER_QTY;
					e->o_days = pl[i].gnum;
					return 1;
				}
			}
	return 0;
}

static void
apply_release(struct run *r, struct event *e, struct row *w)
{
	const char *ent;
	char entry[256], g[64], u[64];
	struct dec give;
	int unknown = 0;

	release_limits(r, e, w);
	if (*ev_person(e)) {
		const char *ep = ev_person(e), *wp = w->py->person;
		size_t a = strcspn(ep, "|"), b = strcspn(wp, "|");

		e->mismatch = a != b || strncmp(ep, wp, a) != 0;
	}
	if (strcmp(e->guid, "-") != 0 &&
	    (ent = ledger_event_find(rstr(r, w->events), kind_char(e),
	    e->guid))) {
		char buf[256], *f[6];
		int n = entry_fields(ent, buf, sizeof buf, f, 6);

		e->out = O_RELEASED;
		if (n >= 4) {
			(void)dec_parse_str(f[2], &e->o_amount);
			(void)dec_parse_str(f[3], &e->o_used);
		}
		if (e->kind == E_RETURN && lines_unknown(r, w, e))
			e->why = "lines";
		return;
	}
	if (e->kind == E_RETURN && e->nrl > 0 && !lines_known(r, w, e)) {
		/* Said first, whatever the row's state: a rerun says the
		 * same. */
		e->out = O_NOTHING;
		e->why = "lines";
		return;
	}
	if (w->state == S_REJECTED) {
		e->out = O_NOTHING;
		e->why = "rejected";
		return;
	}
	if (e->kind == E_RETURN && e->nrl > 0 && over_quantity(r, w, e))
		return;
	if (w->state == S_RELEASED) {
		/* A second cancel: customs refuse it (-623005, -623009). */
		e->out = e->kind == E_CANCEL ? O_REPEATED : O_NOTHING;
		e->why = "released";
		return;
	}
	if (e->kind == E_RETURN && late(r, e, w))
		return;
	if (e->kind == E_RETURN && e->nrl > 0)
		give = return_amount(r, e, w, &unknown);
	else
		give = dec_sub(w->amount, w->released);
	if (dec_sign(give) <= 0) {
		e->out = O_NOTHING;
		e->why = unknown ? "lines" : "released";
		return;
	}
	w->released = dec_add(w->released, give);
	w->state = dec_cmp(w->released, w->amount) >= 0 ? S_RELEASED :
	    S_PARTIAL;
	w->py->used = dec_sub(w->py->used, give);
	snprintf(entry, sizeof entry, "%c:%s:%s:%s:%llu", kind_char(e),
	    e->guid, dec_format(give, 2, g, sizeof g),
	    dec_format(w->py->used, 2, u, sizeof u),
	    e->time == UINT64_MAX ? 0ULL : (unsigned long long)e->time);
	(void)append_event(r, w, entry);
	(void)qstore_log(r, w, e->kind == E_CANCEL ? "cancelled" :
	    e->kind == E_RETURN ? "returned" : "released", e->guid, w->amount,
	    dec_sub(dec_from_int(0), give), e->time);
	e->out = O_RELEASED;
	e->o_amount = give;
	e->o_used = w->py->used;
	if (unknown)
		e->why = "lines";
}

/*
 * The evaluation order: what it takes of each event, so that the events
 * themselves need not stay in memory (struct run: spooled).
 */
struct ordrec {
	uint64_t time, tie;
	uint32_t seq;		/* (a night holds fewer events) */
	enum ekind kind;
};

static int
cmp_time(const void *a, const void *b)
{
	const struct ordrec *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	if (x->tie != y->tie)
		return x->tie < y->tie ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The release at place at waits for row w's judgment: 0, -1 out of
 * memory. */
static int
defer_push(struct run *r, struct row *w, size_t at)
{
	if (r->ndefer == r->capdefer) {
		size_t nc = r->capdefer ? r->capdefer * 2 : 64;
		struct defer *nd;

		if (nc > UINT32_MAX ||
		    (nd = realloc(r->defer, nc * sizeof *nd)) == NULL)
			return -1;
		r->defer = nd;
		r->capdefer = nc;
	}
	r->defer[r->ndefer].at = at;
	r->defer[r->ndefer++].next = 0;
	if (w->defer_last != 0)
		r->defer[w->defer_last - 1].next = (uint32_t)r->ndefer;
	else
		w->defer_first = (uint32_t)r->ndefer;
	w->defer_last = (uint32_t)r->ndefer;
	return 0;
}

/* The row of an inventory of the night, found or made: in evaluation
 * order, as ev_order() puts the events in it.  0, or -1 after reporting. */
static int
inventory_row(struct run *r, struct event *e, size_t at)
{
	struct row *w;

	(void)at;
	if (e->kind != E_INVENTORY || e->out == O_OTHER_SHARD ||
	    e->out == O_INVALID)
		return 0;	/* (the ones not judged come last) */
	if ((w = find_row(r, e)) == NULL && (w = new_row(r, e)) == NULL) {
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	}
	e->row = w;
	return 0;
}

/*
 * The judgment reads the night's events in their evaluation order three
 * times (to find or make the inventories' rows, to learn the receipts'
 * invtNo, to judge) and writes most of them back: they are first put in
 * that order (ev_order(): a copy made with large reads and writes, the
 * rows found or made on the way), so that the other two steps read and
 * write in order, and back in the order of their seq at the end.  Read
 * at their seq in evaluation order, a night of 1,000,000 inventories
 * cost 3,300,000 system calls (18,000 reads and 69,000 writes now).
 */
int
judge_run(struct run *r)
{
	struct ordrec *rec = NULL;
	uint32_t *to = NULL, *rcpt = NULL;
	struct event buf, *e;
	size_t n = 0, i, j, next, nrcpt = 0, nev = ev_count(r);

	if (nev >= (size_t)1 << 30 ||
	    (rec = malloc((nev + 1) * sizeof *rec)) == NULL)
		goto nomem;
	for (i = 0; i < nev; i++) {
		if ((e = ev_get(r, i, &buf)) == NULL) {
			free(rec);
			return -1;
		}
		if (e->out == O_OTHER_SHARD || e->out == O_INVALID)
			continue;
		rec[n].time = e->time;
		rec[n].tie = e->tie;
		rec[n].seq = (uint32_t)e->seq;
		rec[n++].kind = e->kind;
	}
	qsort(rec, n, sizeof *rec, cmp_time);
	/* The places: the events judged in evaluation order, the rest
	 * (another shard's, invalid) after them in the order of seq. */
	if ((to = malloc((nev + 1) * sizeof *to)) == NULL) {
		free(rec);
		goto nomem;
	}
	for (i = 0; i < nev; i++)
		to[i] = UINT32_MAX;
	for (i = 0; i < n; i++) {
		to[rec[i].seq] = (uint32_t)i;
		nrcpt += rec[i].kind == E_RECEIPT;
	}
	/* The receipts' places, for the step that reads only them. */
	if ((rcpt = malloc((nrcpt + 1) * sizeof *rcpt)) == NULL) {
		free(rec);
		free(to);
		goto nomem;
	}
	for (i = 0, j = 0; i < n; i++)
		if (rec[i].kind == E_RECEIPT)
			rcpt[j++] = (uint32_t)i;
	free(rec);
	for (i = 0, next = n; i < nev; i++)
		if (to[i] == UINT32_MAX)
			to[i] = (uint32_t)next++;
	/* Put in that order, and given their rows as they go. */
	if (ev_order(r, to, inventory_row) != 0) {
		free(rcpt);
		return -1;
	}
	/* Receipts teach invtNo, whatever their time. */
	for (j = 0; j < nrcpt; j++) {
		struct event tmp;
		struct row *w;
		char k[256];

		if ((e = ev_at(r, rcpt[j], &buf)) == NULL)
			goto bad;
		if (*e->invtno == '\0')
			continue;
		tmp = *e;
		tmp.invtno = "";
		if ((w = find_row(r, &tmp)) == NULL)
			continue;
		if (key_invt(k, sizeof k, e->invtno) != 0)
			continue;
		if (*rstr(r, w->invtno) == '\0' && row_by(r, k) != NULL) {
			/* Another inventory holds this invtNo already. */
			e->mismatch = 1;
			e->why = "held";
			e->row = w;
		} else if (*rstr(r, w->invtno) == '\0') {
			(void)rset(r, &w->invtno, e->invtno);
			w->changed = 1;
			(void)qstore_log(r, w, "changed", e->guid, w->amount,
			    dec_from_int(0), e->time);
			if (rkey_put(r, k, w->idx) != 0)
				goto nomem;
			if (!e->releases)
				e->out = O_LEARNT;
			e->row = w;
		} else if (strcmp(rstr(r, w->invtno), e->invtno) != 0)
			e->mismatch = 1;
		else if (!e->releases) {
			/* Known already (a rerun): said the same way. */
			e->out = O_LEARNT;
			e->row = w;
		}
		/* A receipt 800 (放行): the day a return's window opens. */
		if (!e->mismatch && e->date != NULL && *e->date != '\0' &&
		    first_entry(rstr(r, w->events), 'V') == NULL) {
			char v[160];

			snprintf(v, sizeof v, "V:%s:%.14s", e->guid, e->date);
			if (append_event(r, w, v) != 0)
				goto nomem;
		}
		if (ev_put(r, e) != 0)
			goto bad;
	}
	free(rcpt);
	rcpt = NULL;
	/* Judge and release, in order. */
	for (i = 0; i < n; i++) {
		struct row *w;

		if ((e = ev_at(r, i, &buf)) == NULL)
			goto bad;
		if (e->kind == E_INVENTORY) {
			char cell[64];

			inventory(r, e);
			if (r->evf.bad || ev_put(r, e) != 0)
				goto bad;
			/* What it counts, for the store (--query): nothing
			 * judged later changes an inventory's outcome, and a
			 * later inventory of the same row writes over it. */
			if ((e->out == O_WITHIN || e->out == O_SINGLE_ITEM ||
			    e->out == O_CHANGED) && rset(r, &e->row->tax,
			    quota_tax_cell(e, cell, sizeof cell)) != 0)
				goto nomem;
			continue;
		}
		if (!e->releases)
			continue;
		if ((w = find_row(r, e)) == NULL) {
			/* Sharded, a receipt is every shard's to read; only
			 * the shard that holds its inventory speaks of it. */
			e->out = e->kind == E_RECEIPT && r->shard.n > 1 ?
			    O_OTHER_SHARD : O_ORPHAN;
			if (ev_put(r, e) != 0)
				goto bad;
			continue;
		}
		e->row = w;
		if (w->state == S_PENDING) {
			/* Its place: the event is read again then. */
			if (defer_push(r, w, e->place) != 0)
				goto nomem;
		} else
			apply_release(r, e, w);
		if (ev_put(r, e) != 0)
			goto bad;
	}
	/* The keys of the run's rows served the judgment (row_by()): their
	 * table goes before the events are put back in order, the run's
	 * largest memory. */
	rkey_free(r);
	if (ev_unorder(r) != 0)
		return -1;
	if (r->str_bad)		/* a row's string (rset()) */
		goto nomem;
	return r->log_bad ? -1 : 0;	/* qstore_log() reported */
bad:
	free(rcpt);
	(void)ev_unorder(r);
	return -1;
nomem:
	free(rcpt);
	(void)ev_unorder(r);
	diag_trouble(NULL, 0, _("out of memory"));
	return -1;
}
