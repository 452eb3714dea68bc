/*
 * keyidx.c: open-addressing hash table (linear probing) of 32-bit ids with
 * a 32-bit hash fragment beside each, over an arena of length-prefixed key
 * bytes held in 1 MiB chunks, so no key ever moves.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "keyidx.h"
#include "fnv.h"

#define CHUNK (1u << 20)
#define EMPTY 0xffffffffu

struct slot {
	uint32_t id;
	uint32_t hash;
};

struct keyidx {
	struct slot *tab;
	size_t cap;		/* power of two */
	size_t n;
	char **chunks;		/* arena */
	size_t nchunks, chunk_cap;
	size_t used;		/* bytes used in the last chunk */
	char **where;		/* id -> length-prefixed key */
	size_t where_cap;
	size_t bytes;
};

static uint64_t
hash64(const void *p, size_t len)
{
	return fnv64_mix(fnv64(FNV64_INIT, p, len));
}

struct keyidx *
keyidx_new(void)
{
	struct keyidx *x = calloc(1, sizeof *x);

	if (x == NULL)
		return NULL;
	x->cap = 1024;
	if ((x->tab = malloc(x->cap * sizeof *x->tab)) == NULL) {
		free(x);
		return NULL;
	}
	memset(x->tab, 0xff, x->cap * sizeof *x->tab);
	x->bytes = sizeof *x + x->cap * sizeof *x->tab;
	return x;
}

void
keyidx_free(struct keyidx *x)
{
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->nchunks; i++)
		free(x->chunks[i]);
	free(x->chunks);
	free(x->where);
	free(x->tab);
	free(x);
}

static size_t
stored_len(const char *p)
{
	return (size_t)(unsigned char)p[0] << 8 | (unsigned char)p[1];
}

static int
same(const struct keyidx *x, uint32_t id, const void *key, size_t len)
{
	const char *p = x->where[id];

	return stored_len(p) == len && memcmp(p + 2, key, len) == 0;
}

static int
grow(struct keyidx *x)
{
	size_t ncap = x->cap * 2, i, j;
	struct slot *nt = malloc(ncap * sizeof *nt);

	if (nt == NULL)
		return -1;
	memset(nt, 0xff, ncap * sizeof *nt);
	for (i = 0; i < x->cap; i++) {
		if (x->tab[i].id == EMPTY)
			continue;
		/* Rehash from the stored key: the fragment has too few bits. */
		{
			const char *p = x->where[x->tab[i].id];
			uint64_t h = hash64(p + 2, stored_len(p));

			for (j = h & (ncap - 1); nt[j].id != EMPTY;
			    j = (j + 1) & (ncap - 1))
				;
			nt[j] = x->tab[i];
		}
	}
	free(x->tab);
	x->bytes += (ncap - x->cap) * sizeof *nt;
	x->tab = nt;
	x->cap = ncap;
	return 0;
}

static char *
arena_alloc(struct keyidx *x, size_t need)
{
	if (x->nchunks == 0 || x->used + need > CHUNK) {
		char *c;

		if (x->nchunks == x->chunk_cap) {
			size_t nc = x->chunk_cap ? x->chunk_cap * 2 : 16;
			char **p = realloc(x->chunks, nc * sizeof *p);

			if (p == NULL)
				return NULL;
			x->chunks = p;
			x->chunk_cap = nc;
		}
		if ((c = malloc(CHUNK)) == NULL)
			return NULL;
		x->chunks[x->nchunks++] = c;
		x->used = 0;
		x->bytes += CHUNK;
	}
	x->used += need;
	return x->chunks[x->nchunks - 1] + x->used - need;
}

long
keyidx_put(struct keyidx *x, const void *key, size_t len, int *added)
{
	uint64_t h = hash64(key, len);
	uint32_t frag = (uint32_t)(h >> 32);
	size_t i;
	char *p;

	if (added)
		*added = 0;
	if (len > KEYIDX_MAX_KEY)
		return -1;
	for (i = h & (x->cap - 1); x->tab[i].id != EMPTY;
	    i = (i + 1) & (x->cap - 1))
		if (x->tab[i].hash == frag && same(x, x->tab[i].id, key, len))
			return (long)x->tab[i].id;
	if (x->n >= EMPTY - 1 || x->n + 1 >= x->cap)
		return -1;
	if (x->n == x->where_cap) {
		size_t nc = x->where_cap ? x->where_cap * 2 : 1024;
		char **w = realloc(x->where, nc * sizeof *w);

		if (w == NULL)
			return -1;
		x->bytes += (nc - x->where_cap) * sizeof *w;
		x->where = w;
		x->where_cap = nc;
	}
	if ((p = arena_alloc(x, len + 2)) == NULL)
		return -1;
	p[0] = (char)(len >> 8);
	p[1] = (char)(len & 0xff);
	memcpy(p + 2, key, len);
	x->where[x->n] = p;
	x->tab[i].id = (uint32_t)x->n;
	x->tab[i].hash = frag;
	x->n++;
	if (added)
		*added = 1;
	/* Keep the load factor under 0.7. */
	if (x->n * 10 > x->cap * 7 && grow(x) != 0) {
		/* The key is in; a failed grow only costs speed later. */
	}
	return (long)(x->n - 1);
}

long
keyidx_get(const struct keyidx *x, const void *key, size_t len)
{
	uint64_t h = hash64(key, len);
	uint32_t frag = (uint32_t)(h >> 32);
	size_t i;

	for (i = h & (x->cap - 1); x->tab[i].id != EMPTY;
	    i = (i + 1) & (x->cap - 1))
		if (x->tab[i].hash == frag && same(x, x->tab[i].id, key, len))
			return (long)x->tab[i].id;
	return -1;
}

const char *
keyidx_key(const struct keyidx *x, long id, size_t *len)
{
	const char *p = x->where[id];

	*len = stored_len(p);
	return p + 2;
}

size_t
keyidx_count(const struct keyidx *x)
{
	return x->n;
}

size_t
keyidx_memory(const struct keyidx *x)
{
	return x->bytes;
}
