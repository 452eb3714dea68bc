/*
 * shard.h: `--shard K/N` for every stateful tool, so that N copies of a
 * tool can run side by side (GNU parallel across hosts, Hadoop Streaming,
 * a job array) and their outputs concatenate to the unsharded output.
 *
 * The contract, identical in every tool so that a record lands in the same
 * shard whichever tool looks at it:
 *  - K and N are decimal integers with 1 <= K <= N <= SHARD_MAX; K is
 *    1-based, as in split(1) `-n l/K/N` ("shard 2 of 4").  "1/1" keeps
 *    everything.
 *  - The hash is 64-bit FNV-1a over the bytes of the key exactly as they
 *    appear in the message (no trimming, no case folding):
 *        h = 0xcbf29ce484222325
 *        for each byte b: h ^= b; h *= 0x100000001b3   (mod 2^64)
 *  - A key belongs to shard (h mod N) + 1.
 * Which field is the key is the tool's choice and is named in its man page
 * (ceb-reconcile: orderNo; ceb-quota-check: the buyer's ID number).  The
 * same formula is easy to reproduce in a script when a partition must be
 * routed upstream of the tools.
 *
 * Library code: nothing here prints or exits.
 */
#ifndef CEB_SHARD_H
#define CEB_SHARD_H

#include <stddef.h>
#include <stdint.h>

#define SHARD_MAX 65536

struct shard {
	unsigned k;		/* 1..n */
	unsigned n;		/* 0: not sharded (keep everything) */
};

/* The 64-bit FNV-1a hash of len bytes at p. */
uint64_t shard_hash(const void *p, size_t len);

/*
 * Parse "K/N" into *out.  Returns 0, or -1 when s is not two decimal
 * integers 1 <= K <= N <= SHARD_MAX separated by '/' (nothing else, no
 * spaces, no signs); *out is then unchanged.
 */
int shard_parse(const char *s, struct shard *out);

/* The shard (1..n) that the key of len bytes belongs to; n >= 1. */
unsigned shard_of(const void *key, size_t len, unsigned n);

/*
 * Nonzero when the key belongs to this run: always when s is NULL or not
 * sharded (n == 0), else when shard_of(key, len, s->n) == s->k.
 */
int shard_mine(const struct shard *s, const void *key, size_t len);

#endif
