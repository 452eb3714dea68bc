/*
 * bstore.c: memory chunks with spill to disk (see bstore.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bstore.h"
#include "diag.h"
#include "i18n.h"
#include "rec.h"

#define CHUNK (4u << 20)
#define MEMBIT (1ULL << 63)

/* Each object in a chunk is preceded by this header. */
struct hdr {
	uint32_t len;
	uint32_t owner;
	uint8_t kind;
	uint8_t dead;
	uint8_t pad[6];
};

struct chunk {
	char *mem;		/* NULL once spilled or freed */
	size_t size, used, live;
};

static struct chunk *chunks;
static size_t nchunks, capchunks, oldest;
static size_t low;		/* no chunk in memory below it */
static int compacting;		/* compact() runs: no spill meanwhile */
static size_t budget, inmem, peak;
static uint64_t spilled;
static int fd = -1;
static uint64_t diskend;

int
bs_init(size_t b)
{
	const char *dir = rc.statedir;
	char path[4096];

	budget = b;
	if (dir == NULL && (dir = getenv("TMPDIR")) == NULL)
		dir = "/tmp";
	snprintf(path, sizeof path, "%s/ceb-reconcile-run.XXXXXX", dir);
	if ((fd = mkstemp(path)) < 0) {
		diag_trouble(path, 0, _("cannot create spool: %s"),
		    strerror(errno));
		return -1;
	}
	unlink(path);
	return 0;
}

static int
write_all(const char *p, size_t len, uint64_t off)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static void
drop(size_t c)
{
	free(chunks[c].mem);
	chunks[c].mem = NULL;
	inmem -= chunks[c].size;
}

/* Move the live objects of chunk c to disk. */
static int
spill(size_t c)
{
	struct chunk *k = &chunks[c];
	size_t off = 0;

	while (off < k->used) {
		struct hdr *h = (struct hdr *)(k->mem + off);

		if (!h->dead) {
			if (write_all(k->mem + off + sizeof *h, h->len,
			    diskend) != 0) {
				diag_trouble(NULL, 0,
				    _("cannot write spool: %s"),
				    strerror(errno));
				return -1;
			}
			if (h->kind == BS_BLOB)
				rc.recs[h->owner].blob = diskend;
			else
				rc.msgs[h->owner].off = diskend;
			diskend += h->len;
			spilled += h->len;
		}
		off += sizeof *h + ((h->len + 7u) & ~7u);
	}
	drop(c);
	return 0;
}

static void compact(void);
static uint64_t place(const void *p, uint32_t len, int kind, uint32_t owner,
    int tidy);

uint64_t
bs_put(const void *p, uint32_t len, int kind, uint32_t owner)
{
	return place(p, len, kind, owner, 1);
}

/*
 * Store an object; with tidy, a new chunk begins with compact().  The
 * same as bs_put() otherwise.
 */
static uint64_t
place(const void *p, uint32_t len, int kind, uint32_t owner, int tidy)
{
	size_t need = sizeof(struct hdr) + ((len + 7u) & ~7u);
	struct chunk *k = nchunks ? &chunks[nchunks - 1] : NULL;
	struct hdr *h;

	if (k == NULL || k->mem == NULL || k->used + need > k->size) {
		if (tidy && k != NULL) {
			compact();
			k = &chunks[nchunks - 1];
		}
	}
	if (k == NULL || k->mem == NULL || k->used + need > k->size) {
		/* The chunk just filled may hold nothing alive already. */
		if (k != NULL && k->mem != NULL && k->live == 0)
			drop(nchunks - 1);
		if (nchunks == capchunks) {
			size_t nc = capchunks ? capchunks * 2 : 256;
			struct chunk *q = realloc(chunks, nc * sizeof *q);

			if (q == NULL)
				goto nomem;
			chunks = q;
			capchunks = nc;
		}
		k = &chunks[nchunks];
		k->size = need > CHUNK ? need : CHUNK;
		if ((k->mem = malloc(k->size)) == NULL)
			goto nomem;
		k->used = k->live = 0;
		nchunks++;
		inmem += k->size;
		if (inmem > peak)
			peak = inmem;
		/* Over budget: spill the oldest chunks still in memory. */
		while (!compacting && inmem > budget && oldest < nchunks - 1) {
			if (chunks[oldest].mem != NULL &&
			    spill(oldest) != 0)
				return BS_NONE;
			oldest++;
		}
	}
	h = (struct hdr *)(k->mem + k->used);
	memset(h, 0, sizeof *h);
	h->len = len;
	h->owner = owner;
	h->kind = (uint8_t)kind;
	memcpy(h + 1, p, len);
	k->live += need;
	k->used += need;
	return MEMBIT | (uint64_t)(nchunks - 1) << 32 |
	    (uint64_t)((char *)(h + 1) - k->mem);
nomem:
	diag_trouble(NULL, 0, _("out of memory"));
	return BS_NONE;
}

/*
 * A chunk in memory whose live objects fill less than half of it holds
 * its whole size for them: the documents left waiting would keep every
 * chunk of the night.  Before a new chunk begins, the live objects of
 * such chunks move to the chunk being filled (their owners told, as by
 * spill()) and the chunks go, so that memory follows what is alive.
 * The two chunks before the one being filled are left alone: most of
 * their documents wait for counterparts that come soon (moving them
 * costs more memory than it saves: 7 MB more on a 4,000-parcel night).
 * Each chunk compacted frees at least half of it for at most half of it
 * copied: the cost is a memcpy, bounded by what is written.
 */
static void
compact(void)
{
	size_t c;

	while (low < nchunks && chunks[low].mem == NULL)
		low++;
	compacting = 1;
	for (c = low; c + 3 < nchunks; c++) {
		struct chunk *k = &chunks[c];
		size_t off = 0;

		if (k->mem == NULL || k->live * 2 >= k->size)
			continue;
		while (off < k->used) {
			struct hdr *h = (struct hdr *)(k->mem + off);
			uint64_t ref;

			if (!h->dead) {
				/* chunks may move: k is taken again after */
				ref = place(h + 1, h->len, h->kind, h->owner, 0);
				if (ref == BS_NONE) {
					compacting = 0;
					return;	/* out of memory: said */
				}
				k = &chunks[c];
				h = (struct hdr *)(k->mem + off);
				if (h->kind == BS_BLOB)
					rc.recs[h->owner].blob = ref;
				else
					rc.msgs[h->owner].off = ref;
				h->dead = 1;
				k->live -= sizeof *h + ((h->len + 7u) & ~7u);
			}
			off += sizeof *h + ((h->len + 7u) & ~7u);
		}
		drop(c);
	}
	compacting = 0;
}

const char *
bs_get(uint64_t ref, uint32_t len, char **buf, size_t *cap)
{
	uint64_t off;
	char *p;
	size_t left;

	if (ref & MEMBIT) {
		size_t c = (size_t)((ref & ~MEMBIT) >> 32);

		return chunks[c].mem + (ref & 0xffffffffu);
	}
	if (len > *cap) {
		char *q = realloc(*buf, len);

		if (q == NULL) {
			diag_trouble(NULL, 0, _("out of memory"));
			return NULL;
		}
		*buf = q;
		*cap = len;
	}
	p = *buf;
	off = ref;
	left = len;
	while (left > 0) {
		ssize_t n = pread(fd, p, left, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			diag_trouble(NULL, 0, _("cannot read back the spool"));
			return NULL;
		}
		p += n;
		off += (uint64_t)n;
		left -= (size_t)n;
	}
	return *buf;
}

void
bs_free(uint64_t ref, uint32_t len)
{
	size_t c;
	struct hdr *h;

	if (ref == BS_NONE || !(ref & MEMBIT))
		return;
	c = (size_t)((ref & ~MEMBIT) >> 32);
	h = (struct hdr *)(chunks[c].mem + (ref & 0xffffffffu)) - 1;
	if (h->dead)
		return;
	h->dead = 1;
	chunks[c].live -= sizeof *h + ((len + 7u) & ~7u);
	/* A chunk with nothing alive goes, unless it is being filled. */
	if (chunks[c].live == 0 && c != nchunks - 1)
		drop(c);
}

void
bs_end(void)
{
	size_t i;

	for (i = 0; i < nchunks; i++)
		free(chunks[i].mem);
	free(chunks);
	chunks = NULL;
	nchunks = capchunks = oldest = low = 0;
	compacting = 0;
	budget = inmem = peak = 0;
	spilled = diskend = 0;
	if (fd >= 0)
		close(fd);
	fd = -1;
}

size_t
bs_memory(void)
{
	return inmem;
}

size_t
bs_peak(void)
{
	return peak;
}

uint64_t
bs_spilled(void)
{
	return spilled;
}
