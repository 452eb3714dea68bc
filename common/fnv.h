/*
 * fnv.h: FNV-1a 64, the one byte hash of cebtools -- shard keys
 * (shard.h: its values are a stable contract), state and ledger
 * checksums, and (with fnv64_mix) the hash tables' keys.
 */
#ifndef FNV_H
#define FNV_H

#include <stddef.h>
#include <stdint.h>

#define FNV64_INIT 0xcbf29ce484222325ULL
#define FNV64_PRIME 0x100000001b3ULL

/* h extended by the n bytes at p (start with FNV64_INIT). */
static inline uint64_t
fnv64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n-- > 0) {
		h ^= *b++;
		h *= FNV64_PRIME;
	}
	return h;
}

/* h extended by the bytes of the string s (without its NUL). */
static inline uint64_t
fnv64_str(uint64_t h, const char *s)
{
	while (*s) {
		h ^= (unsigned char)*s++;
		h *= FNV64_PRIME;
	}
	return h;
}

/* FNV mixes the low bits poorly: a murmur finish for table slots. */
static inline uint64_t
fnv64_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

#endif
