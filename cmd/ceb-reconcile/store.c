/*
 * store.c: the records in memory.  Each document of a reconciled type is
 * taken in here as it arrives (from the input, or read back from the
 * state spool at the start of a run): each record's fields blob and, when
 * they may be needed later, the message bytes go to the byte store
 * (bstore.h), and a compact struct rrec to memory, registered under its
 * keys.  Duplicates, modifications, deletions and documents whose key was
 * already consumed are decided here, on arrival; then match_try() matches
 * the parcel if it is complete.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "emit.h"
#include "fnv.h"
#include "i18n.h"
#include "mask.h"
#include "bstore.h"
#include "loop.h"
#include "rec.h"
#include "stream.h"

struct rc rc;

static char *blobbuf;
static size_t blobcap;
static struct flds arrf;	/* fields of the record arriving */

/*
 * The keys of the parcels matched this night, by digest (night_key()):
 * the latest ones in a table of up to NK_SLOTS slots, the others in the
 * store (temp.nightkey, rstate_nightkeys_put()) behind a Bloom filter of
 * NK_BITS bits, so that memory stays the same whatever the night's size.
 */
#ifndef NK_SLOTS
#define NK_SLOTS ((size_t)1 << 18)
#endif
#define NK_BITS ((uint32_t)1 << 24)
static uint32_t *nkh;		/* 32 bits of the key's digest */
static uint32_t *nkrow;		/* its temp.night row, 0: empty slot */
static size_t nkcap, nkn;
static unsigned char *nkbloom;	/* NK_BITS bits once a table went out */

/* compact_keys() when the indexes hold next_compact keys. */
#define COMPACT_MIN 3072
static size_t next_compact = COMPACT_MIN;

/*
 * The size class of a message of n records, more than RUNS: its records
 * take a run of 2^class (release() chains it on rc.freebig[class] for
 * the next message of that class), -1 past 2^BIGRUNS (a run of its own
 * length, never reused).  rmsg.nrec, 16 bits, holds n then.
 */
static int
big_class(size_t n)
{
	int c = 0;

	if (n <= RUNS || n > UINT16_MAX)
		return -1;
	while (((size_t)1 << c) < n)
		c++;
	return c;
}

static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t nc;
	void *q;

	if (need <= *cap)
		return 0;
	nc = *cap ? *cap : 1024;
	while (nc < need)
		nc *= 2;
	if ((q = realloc(*p, nc * size)) == NULL)
		return -1;
	*p = q;
	*cap = nc;
	return 0;
}

int
store_init(void)
{
	int i;

	rc.freemsg = NONE;
	for (i = 0; i <= RUNS; i++)
		rc.freerun[i] = NONE;
	for (i = 0; i <= BIGRUNS; i++)
		rc.freebig[i] = NONE;
	if ((rc.pk = keyidx_new()) == NULL || (rc.wk = keyidx_new()) == NULL ||
	    (rc.yk = keyidx_new()) == NULL ||
	    (rc.srcidx = keyidx_new()) == NULL) {
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	}
	return bs_init(rc.memory);
}

void
store_end(void)
{
	size_t i, n = rc.srcidx ? keyidx_count(rc.srcidx) : 0;

	for (i = 0; i < n && i < rc.nsrcs; i++)	/* nsrcs: capacity */
		free(rc.srcs[i]);
	free(rc.srcs);
	free(rc.msgs);
	free(rc.recs);
	free(rc.pks);
	free(rc.wks);
	free(rc.yks);
	free(rc.done);
	free(rc.tombs);
	keyidx_free(rc.pk);
	keyidx_free(rc.wk);
	keyidx_free(rc.yk);
	keyidx_free(rc.srcidx);
	rc.srcs = NULL;
	rc.msgs = NULL;
	rc.recs = NULL;
	rc.pks = NULL;
	rc.wks = rc.yks = NULL;
	rc.done = NULL;
	rc.tombs = NULL;
	rc.ntombs = rc.captombs = 0;
	free(nkh);
	free(nkrow);
	free(nkbloom);
	nkh = nkrow = NULL;
	nkbloom = NULL;
	nkcap = nkn = 0;
	next_compact = COMPACT_MIN;
	rc.seq = 0;
	rc.ending = 0;
	rc.n_recmatched = 0;
	rc.pk = rc.wk = rc.yk = rc.srcidx = NULL;
	rc.nsrcs = rc.nmsgs = rc.capmsgs = rc.nrecs = rc.caprecs = 0;
	rc.cappks = rc.capwks = rc.capyks = rc.ndone = rc.capdone = 0;
	rc.n_read = rc.n_matched = rc.n_failed = rc.n_pending = 0;
	rc.n_expired = 0;
	bs_end();
}

uint32_t
store_src(const char *name)
{
	int added;
	long id = keyidx_put(rc.srcidx, name, strlen(name), &added);

	if (id < 0)
		return 0;
	if (added) {
		if (grow((void **)&rc.srcs, &rc.nsrcs, (size_t)id + 1,
		    sizeof *rc.srcs) != 0 || (rc.srcs[id] = strdup(name)) ==
		    NULL)
			return 0;
	}
	return (uint32_t)id;
}

void
store_origin(uint32_t mid, struct origin *o, char *day, size_t n)
{
	const struct rmsg *m = &rc.msgs[mid];

	memset(o, 0, sizeof *o);
	o->source = rc.srcs[m->src];
	o->message = m->index;
	o->line = m->line;
	o->envelope = m->env != NONE ? rc.srcs[m->env] : NULL;
	if (m->via != NONE) {
		o->via = rc.srcs[m->via];
		o->via_message = m->via_index;
		o->via_line = m->via_line;
	}
	if (m->from_state && m->nrec > 0) {
		day_format(rc.recs[m->first].first_seen, day, n);
		o->received = day;
	}
}

long
store_done_add(uint32_t pk, uint32_t wk, uint32_t yk, uint32_t day,
    uint64_t hash)
{
	struct done *d;

	if (grow((void **)&rc.done, &rc.capdone, rc.ndone + 1,
	    sizeof *rc.done) != 0)
		return -1;
	d = &rc.done[rc.ndone];
	d->pk = pk;
	d->wk = wk;
	d->yk = yk;
	d->day = day;
	d->hash = hash;
	d->from_state = 0;
	if (pk != NONE)
		rc.pks[pk].done = (uint32_t)rc.ndone + 1;
	if (wk != NONE)
		rc.wks[wk].done = (uint32_t)rc.ndone + 1;
	if (yk != NONE)
		rc.yks[yk].done = (uint32_t)rc.ndone + 1;
	return (long)rc.ndone++;
}

/*
 * With --state, the parcels matched this night are in the store
 * (rstate_night_add(): a row of temp.night each, in the order they
 * matched), and their keys leave memory at the next compact_keys() once
 * no document in memory names them.  What stays of each of the three
 * keys of a matched parcel is 32 bits of its digest and its row: in a
 * hash table of 8 bytes a slot while the key is among the last NK_SLOTS
 * * 3/4, then in the store (temp.nightkey, digest and row in one integer
 * key) behind a Bloom filter, so that memory does not grow with the
 * night.  A key that comes back is told from a new one without the store
 * (but for the filter's false positives), and found there by row when it
 * is one.
 */
static uint32_t
key_hash(int w, const char *a, const char *b)
{
	unsigned char c = (unsigned char)w;
	uint64_t h = fnv64(FNV64_INIT, &c, 1);

	h = fnv64(h, a, strlen(a) + 1);
	return (uint32_t)(fnv64_mix(fnv64(h, b, strlen(b))) >> 32);
}

/* Bit i (0..2) of digest h in the Bloom filter. */
static uint32_t
nk_bit(uint32_t h, int i)
{
	uint64_t x = ((uint64_t)h << 2 | (unsigned)i) * 0x9e3779b97f4a7c15u;

	return (uint32_t)(x >> 40) & (NK_BITS - 1);
}

static int
nk_bloom_has(uint32_t h)
{
	int i;

	for (i = 0; i < 3; i++) {
		uint32_t b = nk_bit(h, i);

		if (!(nkbloom[b >> 3] & (1u << (b & 7))))
			return 0;
	}
	return 1;
}

static int
by_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The table is full: its keys go to the store, in the order of their
 * digests, and to the Bloom filter; the table starts empty again. */
static int
night_flush(void)
{
	int64_t *v;
	size_t j, n = 0;
	int i;

	if (nkbloom == NULL && (nkbloom = calloc(NK_BITS / 8, 1)) == NULL)
		return -1;
	if ((v = malloc(nkn * sizeof *v)) == NULL)
		return -1;
	for (j = 0; j < nkcap; j++) {
		if (nkrow[j] == 0)
			continue;
		v[n++] = (int64_t)((uint64_t)nkh[j] << 32 | nkrow[j]);
		for (i = 0; i < 3; i++) {
			uint32_t b = nk_bit(nkh[j], i);

			nkbloom[b >> 3] |= (unsigned char)(1u << (b & 7));
		}
	}
	qsort(v, n, sizeof *v, by_i64);
	if (rstate_nightkeys_put(v, n) != 0) {
		free(v);
		return -2;
	}
	free(v);
	memset(nkrow, 0, nkcap * sizeof *nkrow);
	nkn = 0;
	return 0;
}

static int
night_key(int w, const char *a, const char *b, uint32_t row)
{
	uint32_t h = key_hash(w, a, b);
	size_t i;

	if ((nkn + 1) * 4 > nkcap * 3 && nkcap >= NK_SLOTS) {
		int r = night_flush();

		if (r != 0)
			return r;
	}
	if ((nkn + 1) * 4 > nkcap * 3) {
		size_t nc = nkcap ? nkcap * 2 : NK_SLOTS < 65536 ? NK_SLOTS :
		    65536, j;
		uint32_t *hh = malloc(nc * sizeof *hh),
		    *rr = calloc(nc, sizeof *rr);

		if (hh == NULL || rr == NULL) {
			free(hh);
			free(rr);
			return -1;
		}
		for (j = 0; j < nkcap; j++) {
			if (nkrow[j] == 0)
				continue;
			for (i = nkh[j] & (nc - 1); rr[i] != 0;
			    i = (i + 1) & (nc - 1))
				;
			hh[i] = nkh[j];
			rr[i] = nkrow[j];
		}
		free(nkh);
		free(nkrow);
		nkh = hh;
		nkrow = rr;
		nkcap = nc;
	}
	for (i = h & (nkcap - 1); nkrow[i] != 0; i = (i + 1) & (nkcap - 1))
		;
	nkh[i] = h;
	nkrow[i] = row;
	nkn++;
	return 0;
}

/*
 * The parcel matched this night with key a, b of kind w (0 parcel, 1
 * waybill, 2 payment) into out (same_order: its parcel key is pa, pb):
 * 1, 0 when none, -1 on trouble (said).
 */
static int
night_get(int w, const char *a, const char *b, const char *pa,
    const char *pb, struct nightrow *out)
{
	uint32_t h;
	size_t i;
	int r;

	if (nkn == 0 && nkbloom == NULL)
		return 0;
	h = key_hash(w, a, b);
	/* The older rows first, in the order they matched. */
	if (nkbloom != NULL && nk_bloom_has(h) &&
	    (r = rstate_nightkeys_get(h, w, a, b, pa, pb, out)) != 0)
		return r;
	if (nkn == 0)
		return 0;
	for (i = h & (nkcap - 1); nkrow[i] != 0; i = (i + 1) & (nkcap - 1))
		if (nkh[i] == h && (r = rstate_night_row(nkrow[i], w, a, b,
		    pa, pb, out)) != 0)
			return r;
	return 0;
}

/* Key id of index w (0 rc.pk, 1 rc.wk, 2 rc.yk) came in again: if a
 * parcel matched this night with it, it is marked so again, as it was
 * before compact_keys() let it go (what release() and
 * store_night_add() left). */
static int
key_back(int w, long id, const char *a, const char *b)
{
	struct nightrow row;
	int r;

	if ((r = night_get(w, a, b, NULL, NULL, &row)) <= 0)
		return r;
	if (w == 0) {
		rc.pks[id].rec[RT_ORDER] = rc.pks[id].rec[RT_PAY] = TOMB;
		rc.pks[id].rec[RT_INV] = TOMB;
		rc.pks[id].done = NIGHT;
	} else if (w == 1) {
		rc.wks[id].rec = TOMB;
		rc.wks[id].done = NIGHT;
	} else
		rc.yks[id].done = NIGHT;
	return 0;
}

/* The two halves of key id of index x, NUL-terminated in buf ("" and ""
 * for NONE). */
static void
key_halves(struct keyidx *x, uint32_t id, char *buf, const char **a,
    const char **b)
{
	const char *k;
	size_t len;

	*a = *b = buf;
	buf[0] = '\0';
	if (id == NONE)
		return;
	k = keyidx_key(x, id, &len);
	memcpy(buf, k, len);
	buf[len] = '\0';
	*b = buf + strlen(buf) + 1;
	if (*b > buf + len)
		*b = buf + len;
}

int
store_night_add(const uint32_t cp[RT_N])
{
	static char kb[3][520];
	const struct rrec *v = &rc.recs[cp[RT_INV]];
	uint32_t yk = rc.recs[cp[RT_PAY]].key2;
	struct nightrec d[RT_N];
	const char *k[6];
	long long row;
	int t, e = -1;

	key_halves(rc.pk, v->key, kb[0], &k[0], &k[1]);
	key_halves(rc.wk, v->key2, kb[1], &k[2], &k[3]);
	key_halves(rc.yk, yk, kb[2], &k[4], &k[5]);
	for (t = 0; t < RT_N; t++) {
		const struct rrec *r = &rc.recs[cp[t]];

		d[t].hash = r->hash;
		d[t].src = rc.msgs[r->msg].src;
		d[t].line = r->line;
	}
	if ((row = rstate_night_add(k, v->hash, d)) <= 0)
		return -1;
	if (row > UINT32_MAX - 1 ||
	    (v->key != NONE && (e = night_key(0, k[0], k[1],
	    (uint32_t)row)) != 0) ||
	    (v->key2 != NONE && (e = night_key(1, k[2], k[3],
	    (uint32_t)row)) != 0) ||
	    (yk != NONE && (e = night_key(2, k[4], k[5], (uint32_t)row)) !=
	    0)) {
		if (e != -2)	/* -2: the store said its trouble */
			diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	}
	if (v->key != NONE)
		rc.pks[v->key].done = NIGHT;
	if (v->key2 != NONE)
		rc.wks[v->key2].done = NIGHT;
	if (yk != NONE)
		rc.yks[yk].done = NIGHT;
	return 0;
}

/*
 * With --state, the keys no document in memory names and no parcel of the
 * state read in (rc.done) leave memory, once the indexes hold twice as
 * many keys as the last time plus COMPACT_MIN: those of the parcels
 * matched this night (the store knows them: key_back()) and those of
 * documents rejected and written.  The kept keys are numbered anew, in
 * the same order.  Nothing changes when memory runs out on the way.
 */

static size_t
keys_total(void)
{
	return keyidx_count(rc.pk) + keyidx_count(rc.wk) +
	    keyidx_count(rc.yk);
}

/* Key *id (NONE: none) of a document or parcel: marked in map
 * (renumber 0), or renumbered by it (renumber 1). */
static void
key_named(uint32_t *id, uint32_t *map, int renumber)
{
	if (*id == NONE)
		return;
	if (renumber)
		*id = map[*id];
	else
		map[*id] = 0;
}

/* Each key id that a document in memory (its message not written and
 * done with) or a parcel of the state read in names. */
static void
keys_named(uint32_t *const map[3], int renumber)
{
	size_t i;
	unsigned j;

	for (i = 0; i < rc.nmsgs; i++) {
		const struct rmsg *m = &rc.msgs[i];

		if (m->type == RT_FREE)
			continue;
		for (j = 0; j < m->nrec; j++) {
			struct rrec *r = &rc.recs[m->first + j];

			key_named(&r->key, map[r->type == RT_WAY], renumber);
			key_named(&r->key2, map[r->type == RT_PAY ? 2 : 1],
			    renumber);
		}
	}
	for (i = 0; i < rc.ndone; i++) {
		key_named(&rc.done[i].pk, map[0], renumber);
		key_named(&rc.done[i].wk, map[1], renumber);
		key_named(&rc.done[i].yk, map[2], renumber);
	}
}

/* The entries of okey array v moved to their new ids (map), those left
 * beyond the nn kept made new. */
static void
okeys_move(struct okey *v, const uint32_t *map, size_t n, size_t nn)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (map[i] != NONE)
			v[map[i]] = v[i];
	for (i = nn; i < n; i++) {
		v[i].rec = v[i].inv = NONE;
		v[i].done = 0;
	}
}

static void
compact_keys(void)
{
	struct keyidx *x[3], *nx[3] = { NULL, NULL, NULL };
	uint32_t *map[3] = { NULL, NULL, NULL };
	size_t n[3], nn[3], i;
	int w, ok = 0;

	x[0] = rc.pk;
	x[1] = rc.wk;
	x[2] = rc.yk;
	for (w = 0; w < 3; w++) {
		n[w] = keyidx_count(x[w]);
		if ((map[w] = malloc((n[w] + 1) * sizeof *map[w])) == NULL)
			goto out;
		memset(map[w], 0xff, (n[w] + 1) * sizeof *map[w]);
	}
	/* What the documents in memory and the state's parcels name. */
	keys_named(map, 0);
	for (w = 0; w < 3; w++) {
		if ((nx[w] = keyidx_new()) == NULL)
			goto out;
		for (i = 0; i < n[w]; i++) {
			const char *k;
			size_t len;
			long id;

			if (map[w][i] == NONE)
				continue;
			k = keyidx_key(x[w], (long)i, &len);
			if ((id = keyidx_put(nx[w], k, len, NULL)) < 0)
				goto out;
			map[w][i] = (uint32_t)id;
		}
		nn[w] = keyidx_count(nx[w]);
	}
	/* From here nothing fails.  map[w][i] <= i: moved in place. */
	for (i = 0; i < n[0]; i++)
		if (map[0][i] != NONE)
			rc.pks[map[0][i]] = rc.pks[i];
	for (i = nn[0]; i < n[0]; i++) {
		rc.pks[i].rec[0] = rc.pks[i].rec[1] = NONE;
		rc.pks[i].rec[2] = rc.pks[i].rec[3] = NONE;
		rc.pks[i].done = 0;
	}
	okeys_move(rc.wks, map[1], n[1], nn[1]);
	okeys_move(rc.yks, map[2], n[2], nn[2]);
	keys_named(map, 1);
	for (w = 0; w < 3; w++) {
		rstate_keys_moved(w, map[w], n[w], nn[w]);
		keyidx_free(x[w]);
	}
	rc.pk = nx[0];
	rc.wk = nx[1];
	rc.yk = nx[2];
	rstate_keys_compacted();
	ok = 1;
out:
	for (w = 0; w < 3; w++) {
		if (!ok)
			keyidx_free(nx[w]);
		free(map[w]);
	}
	next_compact = 2 * keys_total() + COMPACT_MIN;
}

/* Key id of a and b joined by NUL in index x, growing its side array. */
static long
key2(struct keyidx *x, const char *a, const char *b)
{
	char buf[512];
	size_t la = strlen(a), lb = strlen(b);
	long id;
	int added;

	if (la + lb + 1 > sizeof buf)
		return -2;
	memcpy(buf, a, la);
	buf[la] = '\0';
	memcpy(buf + la + 1, b, lb);
	if ((id = keyidx_put(x, buf, la + lb + 1, &added)) < 0 ||
	    store_grow_keys() != 0)
		return -1;
	if (added && rc.statedir && key_back(x == rc.pk ? 0 : x == rc.wk ? 1 :
	    2, id, a, b) != 0)
		return -1;
	if (rc.statedir && rstate_matched_key(x, id, a, b) != 0)
		return -1;
	return id;
}

int
store_grow_keys(void)
{
	size_t i, old;

	old = rc.cappks;
	if (grow((void **)&rc.pks, &rc.cappks, keyidx_count(rc.pk),
	    sizeof *rc.pks) != 0)
		return -1;
	for (i = old; i < rc.cappks; i++) {
		rc.pks[i].rec[0] = rc.pks[i].rec[1] = NONE;
		rc.pks[i].rec[2] = rc.pks[i].rec[3] = NONE;
		rc.pks[i].done = 0;
	}
	old = rc.capwks;
	if (grow((void **)&rc.wks, &rc.capwks, keyidx_count(rc.wk),
	    sizeof *rc.wks) != 0)
		return -1;
	for (i = old; i < rc.capwks; i++) {
		rc.wks[i].rec = rc.wks[i].inv = NONE;
		rc.wks[i].done = 0;
	}
	old = rc.capyks;
	if (grow((void **)&rc.yks, &rc.capyks, keyidx_count(rc.yk),
	    sizeof *rc.yks) != 0)
		return -1;
	for (i = old; i < rc.capyks; i++) {
		rc.yks[i].rec = rc.yks[i].inv = NONE;
		rc.yks[i].done = 0;
	}
	return 0;
}

long
day_parse(const char *s)
{
	long day;

	return loop_parse_day(s, &day) == 0 ? day : -1;
}

void
day_format(long z, char *buf, size_t n)
{
	long era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp + (mp < 10 ? 3 : -9);
	snprintf(buf, n, "%04ld%02ld%02ld", y + (m <= 2), m, d);
}

void
day_show(long day, char *buf, size_t n)
{
	char d[16];

	day_format(day, d, sizeof d);
	snprintf(buf, n, "%.4s-%.2s-%.2s", d, d + 4, d + 6);
}

static const char *const dup_rule[RT_N] = { "R-DUP-001", "R-DUP-002",
    "R-DUP-003", "R-DUP-004" };

/* "day1.xml:12" of record id, for details. */
static const char *
where(uint32_t id, char *buf, size_t n)
{
	const struct rrec *r = &rc.recs[id];

	snprintf(buf, n, "%s:%u", rc.srcs[rc.msgs[r->msg].src], r->line);
	return buf;
}

/*
 * What slot (a record that matched, or its tomb) of a document of type t
 * with key a, b holds: its content hash into *hash and where it was read
 * into buf.  0, or -1 (trouble said).
 */
static int
tomb_of(uint32_t slot, int t, const char *a, const char *b, uint64_t *hash,
    char *buf, size_t n)
{
	struct nightrow row;
	int r;

	if (!(slot & TOMB)) {
		*hash = rc.recs[slot].hash;
		where(slot, buf, n);
		return 0;
	}
	if (!rc.statedir) {
		const struct tomb *tb = &rc.tombs[slot & ~TOMB];

		*hash = tb->hash;
		snprintf(buf, n, "%s:%u", rc.srcs[tb->src], tb->line);
		return 0;
	}
	if ((r = night_get(t == RT_WAY ? 1 : 0, a, b, NULL, NULL,
	    &row)) <= 0) {
		if (r == 0)
			diag_trouble(NULL, 0, _("damaged state: the parcel "
			    "matched with %s/%s is not in the store"), a, b);
		return -1;
	}
	*hash = row.d[t].hash;
	snprintf(buf, n, "%s:%u", rc.srcs[row.d[t].src], row.d[t].line);
	return 0;
}

/* A tomb for matched record r of message m: TOMB | its index, or NONE
 * when out of memory (trouble said). */
static uint32_t
tomb(const struct rrec *r, const struct rmsg *m)
{
	struct tomb *t;

	if (rc.ntombs >= TOMB - 1 || grow((void **)&rc.tombs, &rc.captombs,
	    rc.ntombs + 1, sizeof *rc.tombs) != 0) {
		diag_trouble(NULL, 0, _("out of memory"));
		return NONE;
	}
	t = &rc.tombs[rc.ntombs];
	t->hash = r->hash;
	t->src = m->src;
	t->line = r->line;
	return TOMB | (uint32_t)rc.ntombs++;
}

/*
 * Message mid of the night is written and none of its records waits: its
 * slot and its records' go on the free lists for the next messages.  The
 * key slots that point at its records let go of them; one that points at
 * a record that matched keeps a tomb instead (what arrive() needs of it).
 * Messages of the state keep their slots (rstate.c knows them by id), and
 * from match_all() on nothing is reused (the end walks the slots).
 */
static void
release(uint32_t mid)
{
	struct rmsg *m = &rc.msgs[mid];
	unsigned j;

	if (rc.ending || m->from_state || m->type == RT_FREE)
		return;
	for (j = 0; j < m->nrec; j++) {
		uint32_t id = m->first + j;
		const struct rrec *r = &rc.recs[id];
		uint32_t *slot;

		if (r->key == NONE)
			continue;
		slot = r->type == RT_WAY ? &rc.wks[r->key].rec :
		    &rc.pks[r->key].rec[r->type];
		if (*slot == id)
			*slot = r->state != ST_MATCHED ? NONE : rc.statedir ?
			    TOMB : tomb(r, m);
		if (r->key2 == NONE)
			continue;
		if (r->type == RT_PAY && rc.yks[r->key2].rec == id)
			rc.yks[r->key2].rec = NONE;
		if (r->type == RT_INV && rc.wks[r->key2].inv == id)
			rc.wks[r->key2].inv = NONE;
	}
	if (m->nrec > 0 && m->nrec <= RUNS) {
		rc.recs[m->first].msg = rc.freerun[m->nrec];
		rc.freerun[m->nrec] = m->first;
	} else if (big_class(m->nrec) >= 0) {
		int c = big_class(m->nrec);

		rc.recs[m->first].msg = rc.freebig[c];
		rc.freebig[c] = m->first;
	}
	m->type = RT_FREE;
	m->first = rc.freemsg;
	rc.freemsg = mid;
}

static int
by_seq(const void *a, const void *b)
{
	uint32_t x = rc.msgs[*(const uint32_t *)a].seq,
	    y = rc.msgs[*(const uint32_t *)b].seq;

	return x < y ? -1 : x > y;
}

long
store_arrival(uint32_t **out, int night)
{
	uint32_t *v = NULL;
	size_t i, n = 0, cap = 0;

	for (i = 0; i < rc.nmsgs; i++) {
		if (rc.msgs[i].type == RT_FREE ||
		    (night && rc.msgs[i].from_state))
			continue;
		if (grow((void **)&v, &cap, n + 1, sizeof *v) != 0) {
			free(v);
			diag_trouble(NULL, 0, _("out of memory"));
			return -1;
		}
		v[n++] = (uint32_t)i;
	}
	if (n > 1)
		qsort(v, n, sizeof *v, by_seq);
	*out = v;
	return (long)n;
}

/* No record of message mid waits any more: write it, free its bytes. */
static void
settle(uint32_t mid)
{
	struct rmsg *m = &rc.msgs[mid];

	output_msg(mid, NULL);
	m = &rc.msgs[mid];
	bs_free(m->off, m->len);
	m->off = BS_NONE;
	release(mid);
}

void
store_leave(uint32_t id, int st)
{
	struct rrec *r = &rc.recs[id];
	struct rmsg *m;

	rc.n_recmatched += (st == ST_MATCHED) - (r->state == ST_MATCHED);
	if (r->state != ST_LIVE) {
		r->state = (uint8_t)st;
		return;
	}
	r->state = (uint8_t)st;
	if (st == ST_REJECTED || st == ST_EXPIRED)
		rc.n_failed++;
	bs_free(r->blob, r->bloblen);
	r->blob = BS_NONE;
	m = &rc.msgs[r->msg];
	if (--m->nlive == 0 && m->complete)
		settle(r->msg);
}

/*
 * Decide what an arriving record is: live, a duplicate, a modification, a
 * deletion, or a document whose key an earlier run already consumed.
 */
static void
arrive(uint32_t id, const struct flds *f)
{
	struct rrec *r = &rc.recs[id];
	uint32_t *slot, *yslot = NULL, done = 0;
	const char *a, *b;
	long k, k2 = -1;
	char w[300], day[16];
	int t = r->type;

	a = t == RT_WAY ? f->h[W_LCODE] : f->h[0];
	b = t == RT_WAY ? f->h[W_LNO] : f->h[1];
	if (!*a || !*b || (t == RT_PAY && (!*f->h[P_PAYCODE] ||
	    !*f->h[P_PAYTX])) || (t == RT_INV && (!*f->h[I_LCODE] ||
	    !*f->h[I_LNO]))) {
		rfinding(r, f, "R-KEY-004", NULL, "rejected", NULL, NULL, NULL,
		    _("a key field is missing: the record cannot be matched"));
		store_leave(id, ST_REJECTED);
		return;
	}
	k = key2(t == RT_WAY ? rc.wk : rc.pk, a, b);
	if (k >= 0 && t == RT_PAY)
		k2 = key2(rc.yk, f->h[P_PAYCODE], f->h[P_PAYTX]);
	if (k >= 0 && t == RT_INV)
		k2 = key2(rc.wk, f->h[I_LCODE], f->h[I_LNO]);
	if (k < 0 || ((t == RT_PAY || t == RT_INV) && k2 < 0)) {
		if (k == -2 || k2 == -2) {
			rfinding(r, f, "R-KEY-004", NULL, "rejected", NULL,
			    NULL, NULL, _("key too long"));
			store_leave(id, ST_REJECTED);
			return;
		}
		diag_trouble(NULL, 0, _("out of memory"));
		store_leave(id, ST_SKIP);
		return;
	}
	r = &rc.recs[id];
	r->key = (uint32_t)k;
	r->key2 = k2 >= 0 ? (uint32_t)k2 : NONE;
	if (t == RT_WAY) {
		slot = &rc.wks[k].rec;
		done = rc.wks[k].done;
	} else {
		slot = &rc.pks[k].rec[t];
		done = rc.pks[k].done;
	}
	if (t == RT_PAY) {
		yslot = &rc.yks[k2].rec;
		if (!done)
			done = rc.yks[k2].done;
		if (*yslot < TOMB && rc.recs[*yslot].state == ST_LIVE &&
		    rc.recs[*yslot].key != (uint32_t)k) {
			rfinding(r, f, "R-DUP-002", "payTransactionId",
			    "duplicate", NULL, NULL, NULL,
			    _("payCode/payTransactionId already used by the "
			    "payment at %s for another order"),
			    where(*yslot, w, sizeof w));
			store_leave(id, ST_REJECTED);
			return;
		}
	}
	if (t == RT_INV && !done && rc.wks[k2].done)
		done = rc.wks[k2].done;
	if (*slot < TOMB && rc.recs[*slot].state == ST_LIVE) {
		struct rrec *e = &rc.recs[*slot];

		if (r->apptype != '3' && e->hash == r->hash) {
			/* The same document again: a resend, not a finding. */
			store_leave(id, ST_MERGED);
			diag_tally(_("resent"), 1);
			return;
		}
		if (r->apptype == '3') {
			rfinding(r, f, "R-DEL-001", NULL, "withdrawn", NULL,
			    NULL, NULL, _("withdraws the document at %s"),
			    where(*slot, w, sizeof w));
			store_leave(*slot, ST_WITHDRAWN);
			store_leave(id, ST_WITHDRAWN);
			*slot = NONE;
			if (yslot)
				*yslot = NONE;
			return;
		}
		if (r->apptype == '2') {
			rfinding(r, f, "R-MOD-001", NULL, "modified", NULL,
			    NULL, NULL, _("replaces the version at %s"),
			    where(*slot, w, sizeof w));
			store_leave(*slot, ST_SUPERSEDED);
			*slot = id;
			if (yslot)
				*yslot = id;
			match_try(id);
			return;
		}
		rfinding(r, f, dup_rule[t], NULL, "duplicate", NULL, NULL,
		    NULL, _("same key as the %s at %s"),
		    t == RT_INV ? _("inventory") : _("document"),
		    where(*slot, w, sizeof w));
		store_leave(id, ST_REJECTED);
		return;
	}
	if (*slot != NONE && (*slot & TOMB ? 1 : rc.recs[*slot].state ==
	    ST_MATCHED) && r->apptype == '1') {
		/* Its key matched earlier in this run. */
		uint64_t th;

		if (tomb_of(*slot, t, a, b, &th, w, sizeof w) != 0) {
			store_leave(id, ST_SKIP);
			return;
		}
		if (th == r->hash) {
			store_leave(id, ST_MERGED);
			diag_tally(_("resent"), 1);
			return;
		}
		rfinding(r, f, dup_rule[t], NULL, "duplicate", NULL, NULL,
		    NULL, _("same key as the %s at %s, matched already"),
		    t == RT_INV ? _("inventory") : _("document"), w);
		store_leave(id, ST_REJECTED);
		return;
	}
	if (done) {
		uint64_t dhash = 0;
		int same = 0;

		if (done != NIGHT) {
			const struct done *d = &rc.done[done - 1];

			day_show(d->day, day, sizeof day);
			dhash = d->hash;
			same = d->pk == (uint32_t)k;
		} else {
			/* Matched this night: the store knows it. */
			struct nightrow row;
			int g = 0;

			day_show(rc.now, day, sizeof day);
			if (t == RT_INV)
				g = rc.pks[k].done ? night_get(0, a, b, a, b,
				    &row) : night_get(1, f->h[I_LCODE],
				    f->h[I_LNO], a, b, &row);
			if (g < 0) {
				store_leave(id, ST_SKIP);
				return;
			}
			if (g == 1) {
				dhash = row.hash;
				same = row.same_order;
			}
		}
		if (t == RT_INV && dhash == r->hash && same)
			rfinding(r, f, "R-DUP-005", NULL, "duplicate", NULL,
			    NULL, NULL, _("already passed on by the run of %s"),
			    day);
		else
			rfinding(r, f, "R-CONS-001", NULL, "consumed", NULL,
			    NULL, NULL, t == RT_INV ?
			    _("its order or waybill was already matched with "
			    "another inventory by the run of %s") :
			    _("already matched with an inventory by the run "
			    "of %s"), day);
		store_leave(id, ST_REJECTED);
		return;
	}
	if (r->apptype == '3') {
		rfinding(r, f, "R-DEL-002", NULL, "withdrawn", NULL, NULL,
		    NULL, _("nothing waiting to withdraw"));
		store_leave(id, ST_WITHDRAWN);
		return;
	}
	*slot = id;
	if (yslot)
		*yslot = id;
	if (t == RT_INV)
		rc.wks[k2].inv = id;
	match_try(id);
}

/* Shard of a record: its orderNo; an empty orderNo goes to shard 1. */
static int
mine(const char *orderno)
{
	if (rc.shard.n == 0)
		return 1;
	if (orderno == NULL || *orderno == '\0')
		return rc.shard.k == 1;
	return shard_mine(&rc.shard, orderno, strlen(orderno));
}

/*
 * Take in message s (bytes, len) of reconciled type t.  keep (may be NULL)
 * receives, per record, whether it belongs to this shard.
 */
static int
take_msg(const char *bytes, size_t len, const struct msrc *s, int t,
    const struct origin *o, unsigned char *keep, int *nkeep)
{
	struct rmsg *mm;
	const void *rec;
	uint32_t mid, first;
	size_t nrec = (size_t)msrc_record_count(s), span = nrec, j;
	int i = 0, big = big_class(nrec);

	/* A slot (and a run of records) freed by a message written earlier,
	 * or new ones. */
	if (rc.freemsg != NONE) {
		mid = rc.freemsg;
		rc.freemsg = rc.msgs[mid].first;
	} else if (grow((void **)&rc.msgs, &rc.capmsgs, rc.nmsgs + 1,
	    sizeof *rc.msgs) != 0) {
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	} else
		mid = (uint32_t)rc.nmsgs++;
	if (big >= 0)
		span = (size_t)1 << big;
	if (nrec > 0 && nrec <= RUNS && rc.freerun[nrec] != NONE) {
		first = rc.freerun[nrec];
		rc.freerun[nrec] = rc.recs[first].msg;
	} else if (big >= 0 && rc.freebig[big] != NONE) {
		first = rc.freebig[big];
		rc.freebig[big] = rc.recs[first].msg;
	} else if (rc.nrecs + span >= TOMB || grow((void **)&rc.recs,
	    &rc.caprecs, rc.nrecs + span, sizeof *rc.recs) != 0) {
		rc.msgs[mid].type = RT_FREE;
		rc.msgs[mid].first = rc.freemsg;
		rc.freemsg = mid;
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	} else {
		first = (uint32_t)rc.nrecs;
		rc.nrecs += span;
	}
	/* The rest of a run of 2^c: no record of anyone's. */
	for (j = nrec; j < span; j++) {
		struct rrec *r = &rc.recs[first + j];

		memset(r, 0, sizeof *r);
		r->msg = mid;
		r->key = r->key2 = NONE;
		r->state = ST_GONE;
	}
	rc.last_mid = mid;
	mm = &rc.msgs[mid];
	memset(mm, 0, sizeof *mm);
	mm->seq = rc.seq++;
	mm->src = store_src(o->source);
	mm->index = (uint32_t)o->message;
	mm->line = (uint32_t)o->line;
	mm->env = o->envelope ? store_src(o->envelope) : NONE;
	mm->via = o->via ? store_src(o->via) : NONE;
	mm->via_index = (uint32_t)o->via_message;
	mm->via_line = (uint32_t)o->via_line;
	mm->type = (uint8_t)t;
	mm->from_state = (uint8_t)rc.loading;
	mm->first = first;
	mm->off = BS_NONE;
	mm->len = (uint32_t)len;
	mm->nrec = (uint16_t)nrec;	/* as before: a 16-bit count */
	*nkeep = 0;
	for (rec = msrc_record_first(s); rec; rec = msrc_record_next(s, rec),
	    i++) {
		struct rrec *r;
		long bl;
		uint32_t id;

		id = first + (uint32_t)i;
		r = &rc.recs[id];
		memset(r, 0, sizeof *r);
		r->msg = mid;
		r->type = (uint8_t)t;
		r->recno = (uint16_t)(i + 1);
		r->line = (uint32_t)msrc_line(s, rec, i + 1);
		r->key = r->key2 = NONE;
		r->first_seen = rc.loading ? rc.load_days[i] : (uint32_t)rc.now;
		r->state = ST_SKIP;
		if (keep)
			keep[i] = 0;
		if (rc.loading && !rc.load_want[i]) {
			r->state = ST_GONE;
			continue;
		}
		if (rc.loading)
			r->pad[1] = 1;	/* has a waiting row in the state */
		if ((bl = fields_blob(t, s, rec, &blobbuf, &blobcap)) < 0 ||
		    fields_split(&arrf, t, blobbuf, (size_t)bl) != 0) {
			diag_trouble(NULL, 0, _("out of memory"));
			return -1;
		}
		if (!mine(fields_orderno(&arrf)))
			continue;
		if (keep)
			keep[i] = 1;
		(*nkeep)++;
		r->hash = fields_hash(blobbuf, (size_t)bl);
		if (rc.loading && r->hash != rc.load_hashes[i]) {
			rc.load_bad = i + 1;
			return -1;
		}
		r->apptype = (uint8_t)(*arrf.apptype ? *arrf.apptype : '1');
		r->bloblen = (uint32_t)bl;
		if ((r->blob = bs_put(blobbuf, (uint32_t)bl, BS_BLOB, id)) ==
		    BS_NONE)
			return -1;
		r = &rc.recs[id];
		r->state = ST_LIVE;
		rc.msgs[mid].nlive++;
		rc.n_read++;
		arrive(id, &arrf);
	}
	mm = &rc.msgs[mid];
	mm->complete = 1;
	if (mm->nlive == 0) {
		/* Every record decided already: write it, keep nothing. */
		output_msg(mid, bytes);
		release(mid);
		return 0;
	}
	/* Bytes are needed to emit inventories and to carry documents over. */
	if (t == RT_INV || rc.statedir != NULL) {
		uint64_t ref = bs_put(bytes, (uint32_t)len, BS_MSG, mid);

		if (ref == BS_NONE)
			return -1;
		rc.msgs[mid].off = ref;
	}
	return 0;
}

/* A message the tool does not reconcile: on to stdout (shard 1 of N, or
 * the shard of the orderNo of its first record when it has one). */
static int
pass_other(const struct stream_doc *d, const struct msrc *s, int ok)
{
	if (diag_report_on_stdout())
		return 0;
	if (rc.shard.n > 0) {
		const char *ono = NULL;

		if (ok) {
			const void *rec = msrc_record_first(s);
			const void *h = rec ? msrc_head(s, rec) : NULL;

			ono = h ? msrc_field(s, h, "orderNo") : NULL;
		}
		if (!mine(ono))
			return 0;
	}
	if (emit_doc(stdout, d) != 0) {
		diag_write_error(_("standard output"));
		return -1;
	}
	return 0;
}

/*
 * A document an earlier run judged, arriving again: reported once (info),
 * neither judged nor passed on again.
 */
static void
judged_before(const struct stream_doc *d, const struct msg *m,
    long long run, const char *day)
{
	static const char *const extra[] = { "judged", "", "", "", NULL };
	struct diag_loc loc;
	char ty[16], show[16];

	memset(&loc, 0, sizeof loc);
	loc.source = d->origin.source;
	loc.message = d->origin.message;
	loc.line = d->origin.line;
	loc.origin = &d->origin;
	snprintf(ty, sizeof ty, "CEB%d", m->type->code);
	loc.type = ty;
	loc.guid = m->guid;
	snprintf(show, sizeof show, "%.4s-%.2s-%.2s", day, day + 4, day + 6);
	diag_finding(&loc, "R-RUN-001", DIAG_INFO, NULL, extra,
	    _("document already judged by run %lld of %s: not judged or "
	    "passed on again"), run, show);
	diag_tally("already judged", 1);
}

/*
 * The message types whose records store_doc() reads: the reconciled ones;
 * with --shard every type (a message passed on goes to the shard of its
 * first record's orderNo).
 */
static const unsigned char *
scan_types(void)
{
	static unsigned char *set;
	char bad[64];

	if (rc.shard.n > 0)
		return NULL;
	if (set == NULL && (set = malloc(msg_ntypes)) != NULL)
		(void)msg_type_set("311,411,511,621", set, bad, sizeof bad);
	return set;
}

/* store_doc() on document d, opened as s. */
static int
doc_take(struct stream_doc *d, struct msrc *s)
{
	static unsigned char *keep;
	static size_t keepcap;
	int t, ok, nkeep, nrec;

	ok = s->m.type != NULL;
	t = ok ? fields_type(s->m.type) : -1;
	if (rc.statedir) {
		char ty[16], day[16], hex[65];
		long long seen;

		if (ok)
			snprintf(ty, sizeof ty, "CEB%d", s->m.type->code);
		if (rstate_digest(d, hex) != 0)
			return -1;
		if (t >= 0 && (seen = rstate_judged(hex, day, sizeof day)) !=
		    0) {
			if (seen < 0)
				return -1;
			judged_before(d, &s->m, seen, day);
			return 0;
		}
		if (rstate_document(hex, &d->origin, ok ? ty : NULL) != 0)
			return -1;
	}
	if (t < 0)
		return pass_other(d, s, ok);
	nrec = (int)msrc_record_count(s);
	if (grow((void **)&keep, &keepcap, (size_t)nrec + 1, 1) != 0) {
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	}
	/* What waits in the state with the same keys comes in first. */
	if (rc.statedir && rstate_probe(t, s) != 0)
		return -1;
	if (take_msg(d->bytes, d->len, s, t, &d->origin, keep, &nkeep) != 0)
		return -1;
	/* Counterparts go on unchanged (this shard's records only). */
	if (t == RT_INV || rc.no_counterparts || diag_report_on_stdout() ||
	    nkeep == 0)
		return 0;
	if (nkeep == nrec) {
		if (emit_doc(stdout, d) != 0)
			goto werr;
		return 0;
	}
	/* Only some records: the message written again needs its tree. */
	if (msrc_tree(s, d->bytes, d->len, d->source) != 0)
		return -1;
	if (emit_subset(stdout, &d->origin, &s->m, keep) != 0)
		goto werr;
	return 0;
werr:
	diag_write_error(_("standard output"));
	return -1;
}

/*
 * One document of the input: read from its scan (common/scan.h) when the
 * scan takes it, else from a tree (common/msrc.h); the same either way.
 */
int
store_doc(struct stream_doc *d, void *arg)
{
	static struct scan sc;
	struct msrc s;
	int r;

	(void)arg;
	if (rc.defer)
		return rstate_defer(d);
	if (rc.statedir && keys_total() >= next_compact)
		compact_keys();
	if (msrc_open(&s, rc.tree ? NULL : &sc, d, scan_types()) != 0)
		return -1;
	r = doc_take(d, &s);
	msrc_close(&s);
	return r;
}

int
store_state_msg(const char *bytes, size_t len, const char *spoolname)
{
	static struct scan sc;	/* not store_doc()'s: its document waits */
	struct stream_err e;
	struct origin o;
	struct msrc s;
	int t, nkeep, r;

	memset(&e, 0, sizeof e);
	if (msrc_open_bytes(&s, rc.tree ? NULL : &sc, bytes, len, spoolname,
	    rc.load_line, scan_types(), &e) != 0)
		return -1;
	if (s.m.type == NULL || (t = fields_type(s.m.type)) < 0 ||
	    msrc_record_count(&s) > 65535) {
		msrc_close(&s);
		return -1;
	}
	memset(&o, 0, sizeof o);
	o.source = rc.load_src;
	o.message = rc.load_index;
	o.line = rc.load_line;
	r = take_msg(bytes, len, &s, t, &o, NULL, &nkeep);
	msrc_close(&s);
	return r;
}
