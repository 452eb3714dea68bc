/*
 * shard.c: `--shard K/N` parsing and the stable FNV-1a 64 key hash shared
 * by every stateful tool (see shard.h for the contract).
 */
#include "fnv.h"
#include "shard.h"

uint64_t
shard_hash(const void *p, size_t len)
{
	return fnv64(FNV64_INIT, p, len);
}

/* Parse a decimal integer 1..SHARD_MAX at *sp, advancing *sp. */
static int
parse_uint(const char **sp, unsigned *out)
{
	const char *s = *sp;
	unsigned long v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > SHARD_MAX)
			return -1;
		s++;
	}
	if (v == 0)
		return -1;
	*out = (unsigned)v;
	*sp = s;
	return 0;
}

int
shard_parse(const char *s, struct shard *out)
{
	unsigned k, n;

	if (s == NULL || parse_uint(&s, &k) != 0 || *s++ != '/' ||
	    parse_uint(&s, &n) != 0 || *s != '\0' || k > n)
		return -1;
	out->k = k;
	out->n = n;
	return 0;
}

unsigned
shard_of(const void *key, size_t len, unsigned n)
{
	return (unsigned)(shard_hash(key, len) % n) + 1;
}

int
shard_mine(const struct shard *s, const void *key, size_t len)
{
	if (s == NULL || s->n == 0)
		return 1;
	return shard_of(key, len, s->n) == s->k;
}
