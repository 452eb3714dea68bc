/*
 * bstore.h: where ceb-reconcile keeps bytes it may need later -- the
 * fields blob of each record and the bytes of the messages it may still
 * write or carry over.  Objects live in memory chunks while they fit in
 * the memory budget; when they do not, the oldest chunk is spilled to an
 * unlinked spool file on disk and its objects' owners are told their new
 * place.  An object freed while still in memory never touches the disk:
 * with the documents of a parcel arriving close together, most bytes are
 * matched and freed long before the budget is reached.
 *
 * A reference is a 64-bit value: bit 63 set for memory (chunk and offset),
 * clear for a disk offset.  Owners are record ids (blobs) or message ids
 * (message bytes); bstore updates rc.recs[owner].blob or
 * rc.msgs[owner].off when it spills.
 */
#ifndef BSTORE_H
#define BSTORE_H

#include <stddef.h>
#include <stdint.h>

enum { BS_BLOB, BS_MSG };

#define BS_NONE UINT64_MAX

/* Start with a memory budget in bytes; 0, or -1 (trouble said). */
int bs_init(size_t budget);

/* Store len bytes for owner; the reference, or BS_NONE (trouble said). */
uint64_t bs_put(const void *p, uint32_t len, int kind, uint32_t owner);

/*
 * The bytes of ref: a pointer into memory, valid until the next bs_put(),
 * or, when spilled, read into *buf (grown as needed).  NULL on a read
 * error (trouble said).
 */
const char *bs_get(uint64_t ref, uint32_t len, char **buf, size_t *cap);

/* The object is no longer needed. */
void bs_free(uint64_t ref, uint32_t len);

/* Free every chunk and close the spool: back to before bs_init(). */
void bs_end(void);

/* Bytes in memory now, at most, and spilled to disk so far. */
size_t bs_memory(void);
size_t bs_peak(void);
uint64_t bs_spilled(void);

#endif
