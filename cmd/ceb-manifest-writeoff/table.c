/*
 * table.c: the small storage layer of ceb-manifest-writeoff.  Strings
 * live in an arena (they are kept for the whole run and written to the
 * state at its end), records in growable arrays, and a string -> index
 * hash with open addressing finds them by key.  All three take their
 * memory from spill.c, which moves them to a spill file past --memory.  Out of memory is fatal
 * for a batch tool: it is reported and the run stops with status 2.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wo.h"
#include "fnv.h"

#define ARENA_BLOCK (1u << 20)

static char *arena;
static size_t arena_left;
/* Every block, chained through its first bytes, for wo_arena_free(). */
struct blk { struct blk *next; size_t size; };
static struct blk *blocks;
/* wo_intern()'s table. */
static struct wo_index seen;
static const char **vals;
static size_t nvals, vcap;

/* n bytes of the arena (no alignment); a large n has a block of its own. */
static char *
room(size_t n)
{
	char *p;

	if (n > arena_left) {
		size_t sz = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
		struct blk *b;

		b = wo_mem_realloc(NULL, 0, sizeof *b + sz);
		b->size = sizeof *b + sz;
		b->next = blocks;
		blocks = b;
		p = (char *)(b + 1);
		if (sz != ARENA_BLOCK)
			return p;
		arena = p;
		arena_left = sz;
	}
	p = arena;
	arena += n;
	arena_left -= n;
	return p;
}

const char *
wo_strn(const char *s, size_t n)
{
	char *p;

	if (s == NULL || n == 0)
		return "";
	p = room(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

const struct wo_loc *
wo_loc_keep(const struct wo_loc *l)
{
	const size_t a = _Alignof(struct wo_loc);
	char *p = room(sizeof *l + a - 1);
	struct wo_loc *c;

	c = (struct wo_loc *)(void *)(((uintptr_t)p + a - 1) & ~(uintptr_t)(a - 1));
	*c = *l;
	return c;
}

const char *
wo_str(const char *s)
{
	return s ? wo_strn(s, strlen(s)) : "";
}

/*
 * wo_grow_raw: the same without zeroing the new room, for the large
 * arrays whose callers set each item: room not yet used is never touched,
 * so it costs address space, not memory.
 */
size_t
wo_grow_cap(size_t cap, size_t need, size_t size)
{
	size_t nc = cap ? cap : 32;

	do {
		if (size == 0 || nc > SIZE_MAX / 2 / size)
			wo_oom();
		nc *= 2;
	} while (nc < need);
	return nc;
}

static void *
grow(void *arr, size_t *cap, size_t need, size_t size, int zero)
{
	size_t nc;
	void *p;

	if (need <= *cap && arr != NULL)
		return arr;
	nc = wo_grow_cap(*cap, need, size);
	p = wo_mem_realloc(arr, *cap * size, nc * size);
	if (zero && !wo_mem_spilled(p))
		memset((char *)p + *cap * size, 0, (nc - *cap) * size);
	*cap = nc;
	return p;
}

void *
wo_grow(void *arr, size_t *cap, size_t need, size_t size)
{
	return grow(arr, cap, need, size, 1);
}

void *
wo_grow_raw(void *arr, size_t *cap, size_t need, size_t size)
{
	return grow(arr, cap, need, size, 0);
}

void
wo_grow_free(void *arr, size_t *cap, size_t size)
{
	wo_mem_free(arr, *cap * size);
	*cap = 0;
}

/*
 * Interned strings: one copy of each distinct value.  For the fields that
 * repeat across parcels (enterprise codes and names, customs codes,
 * dates, source names), so that memory follows the parcels, not the
 * number of times a name is written.
 */
const char *
wo_intern(const char *s)
{
	long i;

	if (s == NULL || *s == '\0')
		return "";
	if (vals != NULL && (i = wo_index_get(&seen, s)) >= 0)
		return vals[i];
	vals = wo_grow(vals, &vcap, nvals + 1, sizeof *vals);
	vals[nvals] = wo_str(s);
	wo_index_put(&seen, vals[nvals], (long)nvals);
	return vals[nvals++];
}

const struct profile wo_noprofile = { "", "", "", "", "", "", "", "", "",
	"", "" };

/* Interned profiles: key (each field as length:bytes) -> profiles[]. */
static struct wo_index pfidx;
static struct profile **profiles;
static size_t nprofiles, pfcap;

/* "%zu:" of l at p (not terminated): its length.  (snprintf() was most
 * of a parcel's wo_profile().) */
static size_t
len_colon(char *p, size_t l)
{
	char t[24];
	size_t n = 0, i;

	do
		t[n++] = (char)('0' + l % 10);
	while ((l /= 10) != 0);
	for (i = 0; i < n; i++)
		p[i] = t[n - 1 - i];
	p[n] = ':';
	return n + 1;
}

const struct profile *
wo_profile(const struct profile *pf)
{
	const char *const *f = (const char *const *)pf;
	char key[2048];
	size_t o = 0, i, n = sizeof *pf / sizeof *f;
	long k;
	struct profile *np;

	for (i = 0; i < n; i++) {
		size_t l = strlen(f[i]);

		if (o + l + 24 > sizeof key)
			break;
		o += len_colon(key + o, l);
		memcpy(key + o, f[i], l);
		o += l;
	}
	if (i < n) {		/* absurdly long: not shared */
		if ((np = malloc(sizeof *np)) == NULL)
			wo_oom();
		*np = *pf;
		profiles = wo_grow(profiles, &pfcap, nprofiles + 1,
		    sizeof *profiles);
		profiles[nprofiles++] = np;
		return np;
	}
	key[o] = '\0';
	if (profiles != NULL && (k = wo_index_get(&pfidx, key)) >= 0)
		return profiles[k];
	if ((np = malloc(sizeof *np)) == NULL)
		wo_oom();
	*np = *pf;
	profiles = wo_grow(profiles, &pfcap, nprofiles + 1, sizeof *profiles);
	profiles[nprofiles] = np;
	wo_index_put(&pfidx, wo_str(key), (long)nprofiles);
	return profiles[nprofiles++];
}

/* Origins kept for the run (wo_origin()), freed with the arena. */
static struct origin **origins;
static size_t norigins, orcap;

const struct origin *
wo_origin(const struct stream_doc *d)
{
	const struct origin *o = &d->origin, *last;
	struct origin *n;

	if (o->envelope == NULL && o->via == NULL && o->received == NULL)
		return NULL;
	last = norigins ? origins[norigins - 1] : NULL;
	if (last && strcmp(last->source, o->source) == 0 &&
	    last->message == o->message && last->line == o->line &&
	    last->via_line == o->via_line)
		return last;	/* the next record of the same document */
	if ((n = malloc(sizeof *n)) == NULL)
		wo_oom();
	*n = *o;
	n->source = wo_intern(o->source);
	n->envelope = o->envelope ? wo_intern(o->envelope) : NULL;
	n->received = o->received ? wo_intern(o->received) : NULL;
	n->via = o->via ? wo_intern(o->via) : NULL;
	n->records = o->records ? wo_intern(o->records) : NULL;
	origins = wo_grow(origins, &orcap, norigins + 1, sizeof *origins);
	origins[norigins++] = n;
	return n;
}

void
wo_free(struct wo *w)
{
	size_t i;

	for (i = 0; i < w->nb; i++)
		free(w->b[i].parts);
	wo_grow_free(w->p, &w->pcap, sizeof *w->p);
	wo_grow_free(w->b, &w->bcap, sizeof *w->b);
	wo_grow_free(w->r, &w->rcap, sizeof *w->r);
	wo_grow_free(w->c, &w->ccap, sizeof *w->c);
	wo_grow_free(w->wb, &w->wbcap, sizeof *w->wb);
	wo_grow_free(w->s701, &w->s701cap, sizeof *w->s701);
	wo_index_free(&w->pidx);
	wo_index_free(&w->copidx);
	wo_index_free(&w->invidx);
	wo_index_free(&w->bidx);
	wo_index_free(&w->ridx);
	wo_index_free(&w->cidx);
	wo_index_free(&w->wbidx);
	wo_index_free(&w->bagset);
	wo_index_free(&w->sum701);
	memset(w, 0, sizeof *w);
	done_close();
	wo_arena_free();
	wo_mem_end();
}

void
wo_arena_free(void)
{
	struct blk *b;

	while ((b = blocks) != NULL) {
		blocks = b->next;
		wo_mem_free(b, b->size);
	}
	arena = NULL;
	arena_left = 0;
	while (nprofiles > 0)
		free(profiles[--nprofiles]);
	wo_grow_free(profiles, &pfcap, sizeof *profiles);
	profiles = NULL;
	while (norigins > 0)
		free(origins[--norigins]);
	wo_grow_free(origins, &orcap, sizeof *origins);
	origins = NULL;
	wo_index_free(&pfidx);
	wo_index_free(&seen);
	wo_grow_free(vals, &vcap, sizeof *vals);
	vals = NULL;
	nvals = 0;
}

uint64_t
wo_hash(const char *s)
{
	return fnv64_str(FNV64_INIT, s);
}

/*
 * A parked index (in spill.c's park, its pages read back from a file when
 * touched) keeps the hash of each key beside it: a probe reads a key only
 * when the hashes match, not one key string (one page) a probe.
 */
static size_t
slot_of(const struct wo_index *x, const char *key)
{
	uint32_t h = (uint32_t)wo_hash(key);
	size_t i = (size_t)h & (x->cap - 1);

	if (x->hs) {
		while (x->slots[i] && (x->hs[i] != h ||
		    strcmp(x->keys[i], key) != 0))
			i = (i + 1) & (x->cap - 1);
		return i;
	}
	while (x->slots[i] && strcmp(x->keys[i], key) != 0)
		i = (i + 1) & (x->cap - 1);
	return i;
}

long
wo_index_get(const struct wo_index *x, const char *key)
{
	size_t i;

	if (x->cap == 0)
		return -1;
	if (x->park)
		wo_park_tick();
	i = slot_of(x, key);
	return x->slots[i] ? (long)x->slots[i] - 1 : -1;
}

static void
rehash(struct wo_index *x)
{
	struct wo_index y;
	size_t i, j;

	y.cap = x->cap ? x->cap * 2 : 1024;
	y.n = x->n;
	y.park = x->park;
	y.hs = NULL;
	y.slots = x->park ? wo_park_zalloc(y.cap * sizeof *y.slots) :
	    wo_mem_zalloc(y.cap * sizeof *y.slots);
	y.keys = x->park ? wo_park_zalloc(y.cap * sizeof *y.keys) :
	    wo_mem_zalloc(y.cap * sizeof *y.keys);
	if (x->park)
		y.hs = wo_park_zalloc(y.cap * sizeof *y.hs);
	for (i = 0; i < x->cap; i++)
		if (x->slots[i]) {
			wo_mem_tick();
			if (y.hs && x->hs) {	/* keys differ: no compare */
				for (j = x->hs[i] & (y.cap - 1); y.slots[j];
				    j = (j + 1) & (y.cap - 1))
					;
				y.hs[j] = x->hs[i];
			} else {
				j = slot_of(&y, x->keys[i]);
				if (y.hs)
					y.hs[j] = (uint32_t)wo_hash(x->keys[i]);
			}
			y.slots[j] = x->slots[i];
			y.keys[j] = x->keys[i];
		}
	wo_index_free(x);
	*x = y;
}

int
wo_index_put(struct wo_index *x, const char *key, long v)
{
	size_t i;

	/*
	 * Grown past 70% full: every slot costs 12 bytes, and the indexes
	 * over the night's parcels were the largest part of a large run's
	 * memory at 50% (300,000 parcels: 1,048,576 slots an index, now
	 * 524,288).  Linear probing stays short at 70%.
	 */
	if ((x->n + 1) * 10 > x->cap * 7)
		rehash(x);
	if (x->park)
		wo_park_tick();
	i = slot_of(x, key);
	if (!x->slots[i])
		x->n++;
	x->slots[i] = (uint32_t)(v + 1);
	x->keys[i] = key;
	if (x->hs)
		x->hs[i] = (uint32_t)wo_hash(key);
	return 0;
}

void
wo_index_free(struct wo_index *x)
{
	int park = x->park;

	wo_mem_free(x->slots, x->cap * sizeof *x->slots);
	wo_mem_free(x->keys, x->cap * sizeof *x->keys);
	wo_mem_free(x->hs, x->cap * sizeof *x->hs);
	memset(x, 0, sizeof *x);
	x->park = park;
}

void
wo_index_del(struct wo_index *x, const char *key)
{
	size_t i, j, k;

	if (x->cap == 0)
		return;
	i = slot_of(x, key);
	if (!x->slots[i])
		return;
	x->slots[i] = 0;
	x->n--;
	/* Re-place the cluster after the hole (linear probing delete). */
	for (j = (i + 1) & (x->cap - 1); x->slots[j];
	    j = (j + 1) & (x->cap - 1)) {
		uint32_t v = x->slots[j];
		const char *kk = x->keys[j];

		x->slots[j] = 0;
		k = slot_of(x, kk);
		x->slots[k] = v;
		x->keys[k] = kk;
		if (x->hs)
			x->hs[k] = x->hs[j];
	}
}
