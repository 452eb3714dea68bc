/*
 * table.c: the small containers ceb-quota-check keeps its run in: an
 * arena for strings that live as long as the run (no per-string malloc,
 * no frees), an open-addressing hash table from string keys to 32-bit
 * indices, and a growable pointer array.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "quota.h"
#include "fnv.h"

#ifndef ARENA_BLOCK	/* the fuzz targets build with a smaller one */
#define ARENA_BLOCK (8u << 20)
#endif

void *
arena_alloc(struct arena *a, size_t n)
{
	char *p;
	size_t pad = (size_t)(-(uintptr_t)a->cur & 15);

	n = (n + 15) & ~(size_t)15;
	if (a->cur != NULL && pad <= a->left) {
		a->cur += pad;
		a->left -= pad;
	}
	if (n > a->left) {
		size_t sz = n > ARENA_BLOCK ? n : ARENA_BLOCK;

		if (a->nblocks == a->cap) {
			size_t nc = a->cap ? a->cap * 2 : 64;
			char **nb = realloc(a->blocks, nc * sizeof *nb);

			if (nb == NULL)
				return NULL;
			a->blocks = nb;
			a->cap = nc;
		}
		if ((p = calloc(1, sz)) == NULL)
			return NULL;
		a->blocks[a->nblocks++] = p;
		a->cur = p;
		a->left = sz;
	}
	p = a->cur;
	a->cur += n;
	a->left -= n;
	return p;
}

char *
arena_dup(struct arena *a, const char *s, size_t len)
{
	char *p;

	/* Strings need no alignment: take bytes from the block directly. */
	if (len + 1 > a->left) {
		if ((p = arena_alloc(a, len + 1)) == NULL)
			return NULL;
	} else {
		p = a->cur;
		a->cur += len + 1;
		a->left -= len + 1;
	}
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
arena_str(struct arena *a, const char *s)
{
	return arena_dup(a, s ? s : "", s ? strlen(s) : 0);
}

void
arena_free(struct arena *a)
{
	size_t i;

	for (i = 0; i < a->nblocks; i++)
		free(a->blocks[i]);
	free(a->blocks);
	memset(a, 0, sizeof *a);
}

uint64_t
ht_hash(const char *k, size_t len)
{
	/* FNV-1a, then a final mix so that low bits spread well. */
	return fnv64_mix(fnv64(FNV64_INIT, k, len)) | (1ULL << 32);	/* high half 0 marks an empty slot */
}

static struct hslot *
find(const struct htab *t, const char *k, size_t len, uint64_t h)
{
	size_t mask = t->cap - 1, i = (size_t)h & mask;

	for (;; i = (i + 1) & mask) {
		struct hslot *s = &t->s[i];

		if (s->h == 0)
			return s;
		if (s->h == (uint32_t)(h >> 32) && strncmp(s->k, k, len) == 0 &&
		    s->k[len] == '\0')
			return s;
	}
}

uint32_t
ht_get(const struct htab *t, const char *k, size_t len)
{
	struct hslot *s;

	if (t->cap == 0)
		return HT_NONE;
	s = find(t, k, len, ht_hash(k, len));
	return s->h ? s->v : HT_NONE;
}

static int
grow(struct htab *t)
{
	size_t nc = t->cap ? t->cap * 2 : 1024, i;
	struct htab n = { calloc(nc, sizeof(struct hslot)), nc, t->n };

	if (n.s == NULL)
		return -1;
	for (i = 0; i < t->cap; i++)
		if (t->s[i].h) {
			size_t j = (size_t)ht_hash(t->s[i].k,
			    strlen(t->s[i].k)) & (nc - 1);

			while (n.s[j].h)
				j = (j + 1) & (nc - 1);
			n.s[j] = t->s[i];
		}
	free(t->s);
	*t = n;
	return 0;
}

int
ht_put(struct htab *t, const char *k, size_t len, uint32_t v)
{
	uint64_t h = ht_hash(k, len);
	struct hslot *s;

	if ((t->n + 1) * 4 > t->cap * 3 && grow(t) != 0)
		return -1;
	s = find(t, k, len, h);
	if (s->h == 0) {
		s->h = (uint32_t)(h >> 32);
		s->k = k;
		t->n++;
	}
	s->v = v;
	return 0;
}

void
ht_free(struct htab *t)
{
	free(t->s);
	memset(t, 0, sizeof *t);
}

int
vec_push(struct vec *v, void *p)
{
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 16;
		void **nv = realloc(v->v, nc * sizeof *nv);

		if (nv == NULL)
			return -1;
		v->v = nv;
		v->cap = nc;
	}
	v->v[v->n++] = p;
	return 0;
}
