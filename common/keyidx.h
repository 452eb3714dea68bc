/*
 * keyidx.h: a compact hash index of key strings.  Each distinct key gets a
 * dense id (0, 1, 2, ... in order of first insertion) that callers use to
 * index their own arrays of per-key data; the key bytes live once, in a
 * chunked arena.  Made for tools that must remember millions of business
 * keys (orderNo, logisticsNo, buyer ID numbers) in little memory: about
 * 22 bytes per key plus the key's own length.
 *
 * Keys are arbitrary bytes (NUL allowed, so composite keys can be joined
 * with '\0'), at most KEYIDX_MAX_KEY bytes.  Ids are stable for the life of
 * the index; nothing is ever removed.
 *
 * Library code: nothing here prints or exits.
 */
#ifndef CEB_KEYIDX_H
#define CEB_KEYIDX_H

#include <stddef.h>
#include <stdint.h>

#define KEYIDX_MAX_KEY 65535

struct keyidx;

/* A new, empty index; NULL when out of memory. */
struct keyidx *keyidx_new(void);
void keyidx_free(struct keyidx *x);

/*
 * Find key, adding it when absent.  Returns its id (>= 0) and sets *added
 * (may be NULL) to 1 when it was added, 0 when it was there; -1 when out of
 * memory or the key is longer than KEYIDX_MAX_KEY.
 */
long keyidx_put(struct keyidx *x, const void *key, size_t len, int *added);

/* The id of key, or -1 when absent. */
long keyidx_get(const struct keyidx *x, const void *key, size_t len);

/* The bytes of key id (not NUL-terminated) and their length in *len. */
const char *keyidx_key(const struct keyidx *x, long id, size_t *len);

/* Number of keys. */
size_t keyidx_count(const struct keyidx *x);

/* Bytes of memory held by the index. */
size_t keyidx_memory(const struct keyidx *x);

#endif
