/*
 * table.c: the small containers ceb-quota-check keeps its run in: an
 * arena for strings that live as long as the run (no per-string malloc,
 * no frees), an open-addressing hash table from string keys to 32-bit
 * indices, a growable pointer array, and the file that holds the night's
 * events (ev_get(), quota.h).
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>

#if defined(HAVE_MALLOC_TRIM) || defined(HAVE_MALLOPT)
#include <malloc.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "i18n.h"
#include "input.h"
#include "quota.h"
#include "fnv.h"
#include "store.h"
#include "stream.h"

#ifndef ARENA_BLOCK	/* the fuzz targets build with a smaller one */
#define ARENA_BLOCK (8u << 20)
#endif
/* What an arena reserves: what a 32-bit offset reaches (less under a
 * limit of address space, or on a system that will not give that
 * much). */
#define ARENA_RESERVE ((size_t)UINT32_MAX)

static int arena_grow(struct arena *a, size_t n);

/* The reservation, and its first byte "" (arena_ref()): 0, or -1. */
static int
arena_init(struct arena *a)
{
	size_t size = ARENA_RESERVE;
	void *p = MAP_FAILED;
	struct rlimit rl;

	/* Under a limit of address space (ulimit -v) a quarter of it, so
	 * that the run's two arenas leave the rest to everything else. */
	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 4 < size)
		size = (size_t)(rl.rlim_cur / 4);
	for (; size >= (size_t)ARENA_BLOCK; size /= 2)
		if ((p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE |
		    MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)) != MAP_FAILED)
			break;
	if (p == MAP_FAILED)
		return -1;
	a->base = p;
	a->size = size;
	a->ready = 0;
	a->used = 1;		/* "" */
	if (arena_grow(a, 0) != 0) {
		munmap(p, size);
		memset(a, 0, sizeof *a);
		return -1;
	}
	return 0;
}

/* Bytes [used, used + n) made writable; 0, or -1 (the reservation is
 * full, or the system has no memory). */
static int
arena_grow(struct arena *a, size_t n)
{
	size_t want;

	if (a->base == NULL && arena_init(a) != 0)
		return -1;
	if (n > a->size - a->used)
		return -1;
	if (a->used + n <= a->ready)
		return 0;
	want = (a->used + n + ARENA_BLOCK - 1) / ARENA_BLOCK * ARENA_BLOCK;
	if (want > a->size)
		want = a->size;
	if (mprotect(a->base + a->ready, want - a->ready,
	    PROT_READ | PROT_WRITE) != 0)
		return -1;
	a->ready = want;
	return 0;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	size_t at;
	char *p;

	if ((a->base == NULL && arena_init(a) != 0) || n > a->size)
		return NULL;
	at = (a->used + 15) & ~(size_t)15;
	n = (n + 15) & ~(size_t)15;
	if (at > a->size || arena_grow(a, at - a->used + n) != 0)
		return NULL;
	/* Pages never used before are zero; nothing is ever freed. */
	p = a->base + at;
	a->used = at + n;
	return p;
}

char *
arena_dup(struct arena *a, const char *s, size_t len)
{
	char *p;

	/* Strings need no alignment. */
	if (len >= SIZE_MAX / 2 || arena_grow(a, len + 1) != 0)
		return NULL;
	p = a->base + a->used;
	a->used += len + 1;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
arena_str(struct arena *a, const char *s)
{
	return arena_dup(a, s ? s : "", s ? strlen(s) : 0);
}

int
arena_ref(struct arena *a, const char *s, struct astr *h)
{
	if (s == NULL) {
		h->off = 0;
		return 0;
	}
	if (a->base == NULL && arena_init(a) != 0)
		return -1;
	if (*s == '\0') {
		h->off = 1;
		return 0;
	}
	if ((s < a->base || s >= a->base + a->used) &&
	    (s = arena_str(a, s)) == NULL)
		return -1;
	h->off = (uint32_t)(s - a->base) + 1;
	return 0;
}

int
rset(struct run *r, struct astr *h, const char *s)
{
	if (arena_ref(&r->ar, s, h) == 0)
		return 0;
	r->str_bad = 1;
	return -1;
}

void
arena_free(struct arena *a)
{
	if (a->base != NULL)
		munmap(a->base, a->size);
	memset(a, 0, sizeof *a);
}

/* ---- a sort without a buffer ---- */

#define ISORT_MAX 64	/* the largest element */

static void
iswap(char *a, char *b, size_t size)
{
	char t[ISORT_MAX];

	memcpy(t, a, size);
	memcpy(a, b, size);
	memcpy(b, t, size);
}

static void
isift(char *base, size_t i, size_t n, size_t size,
    int (*cmp)(const void *, const void *))
{
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			return;
		if (c + 1 < n && cmp(base + c * size, base + (c + 1) * size) < 0)
			c++;
		if (cmp(base + i * size, base + c * size) >= 0)
			return;
		iswap(base + i * size, base + c * size, size);
		i = c;
	}
}

static void
isort_part(char *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *), int depth)
{
	size_t a, b;

	while (n > 16) {
		char *lo = base, *mid = base + n / 2 * size,
		    *hi = base + (n - 1) * size;
		size_t i, j;

		if (depth-- == 0) {	/* heapsort: no worse than n log n */
			for (i = n / 2; i-- > 0;)
				isift(base, i, n, size, cmp);
			for (i = n - 1; i > 0; i--) {
				iswap(base, base + i * size, size);
				isift(base, 0, i, size, cmp);
			}
			return;
		}
		/* The median of three to the front: the pivot. */
		if (cmp(mid, lo) < 0)
			iswap(mid, lo, size);
		if (cmp(hi, mid) < 0) {
			iswap(hi, mid, size);
			if (cmp(mid, lo) < 0)
				iswap(mid, lo, size);
		}
		iswap(lo, mid, size);
		i = 0;
		j = n;
		for (;;) {
			while (cmp(base + ++i * size, lo) < 0 && i < n - 1)
				;
			while (cmp(lo, base + --j * size) < 0)
				;
			if (i >= j)
				break;
			iswap(base + i * size, base + j * size, size);
		}
		iswap(lo, base + j * size, size);
		/* The smaller side by recursion, the larger by the loop. */
		if (j < n - j - 1) {
			isort_part(base, j, size, cmp, depth);
			base += (j + 1) * size;
			n -= j + 1;
		} else {
			isort_part(base + (j + 1) * size, n - j - 1, size, cmp,
			    depth);
			n = j;
		}
	}
	for (a = 1; a < n; a++)
		for (b = a; b > 0 && cmp(base + (b - 1) * size,
		    base + b * size) > 0; b--)
			iswap(base + (b - 1) * size, base + b * size, size);
}

void
isort(void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *))
{
	int depth = 0;
	size_t m;

	if (size > ISORT_MAX) {
		qsort(base, n, size, cmp);
		return;
	}
	for (m = n; m > 1; m >>= 1)
		depth += 2;
	isort_part(base, n, size, cmp, depth);
}

void
mem_init(void)
{
#if defined(HAVE_MALLOPT) && defined(M_MMAP_THRESHOLD)
	(void)mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
}

void
mem_trim(void)
{
#ifdef HAVE_MALLOC_TRIM
	(void)malloc_trim(0);
#endif
}

uint64_t
ht_hash(const char *k, size_t len)
{
	/* FNV-1a, then a final mix so that low bits spread well. */
	return fnv64_mix(fnv64(FNV64_INIT, k, len)) | (1ULL << 32);	/* high half 0 marks an empty slot */
}

/* The first slot to try for a key whose slot keeps hi (the high half
 * of its hash, its lowest bit always set): from what the slot keeps, so
 * that grow() places a slot again without reading its key. */
static size_t
ht_home(uint32_t hi, size_t mask)
{
	return (size_t)(hi >> 1) & mask;
}

static struct hslot *
find(const struct htab *t, const char *k, size_t len, uint64_t h)
{
	size_t mask = t->cap - 1, i = ht_home((uint32_t)(h >> 32), mask);

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
	struct htab n = { NULL, nc, t->n };

	/* ht_home() takes 31 bits of the hash. */
	if (nc > (size_t)1 << 31 ||
	    (n.s = calloc(nc, sizeof(struct hslot))) == NULL)
		return -1;
	for (i = 0; i < t->cap; i++)
		if (t->s[i].h) {
			size_t j = ht_home(t->s[i].h, nc - 1);

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

	/* Up to 7/8 full (as run.rkeys): the keys a night of 1,000,000
	 * inventories wants from the store (about 3.2 million) fit 4 Mi
	 * slots (64 MiB), where 3/4 took 8 Mi (128 MiB, and both tables at
	 * once while growing: the run's peak). */
	if ((t->n + 1) * 8 > t->cap * 7 && grow(t) != 0)
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

/* ---- records in a file (quota.h: struct recfile) ---- */

/* A spool file nobody else can see: created, then unlinked at once. */
int
spool_open(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	snprintf(path, sizeof path, "%s/ceb-quota-check.XXXXXX",
	    dir && *dir ? dir : "/tmp");
	if ((fd = mkstemp(path)) < 0) {
		diag_trouble(NULL, 0, _("cannot create a spool file in %s: %s"),
		    dir && *dir ? dir : "/tmp", strerror(errno));
		return -1;
	}
	unlink(path);
	return fd;
}

#define REC_BLOCK 256	/* records read ahead or written behind at once */

static int
rec_io(struct recfile *f, int wr, void *p, size_t len, size_t i)
{
	off_t off = (off_t)i * (off_t)f->size;

	while (len > 0) {
		ssize_t n = wr ? pwrite(f->fd, p, len, off) :
		    pread(f->fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			f->bad = 1;
			if (wr)
				diag_trouble(NULL, 0, _("cannot write the "
				    "spool file: %s"), strerror(errno));
			else
				diag_trouble(NULL, 0, _("cannot read the "
				    "spool file: %s"), strerror(errno));
			return -1;
		}
		p = (char *)p + n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

static int
rec_flush(struct recfile *f)
{
	size_t n = f->wr_n;

	f->wr_n = 0;
	return n == 0 ? 0 : rec_io(f, 1, f->wr, n * f->size, f->wr_first);
}

/* The read-ahead to the file when a record in it was changed. */
static int
rec_writeback(struct recfile *f)
{
	if (!f->rd_dirty)
		return 0;
	f->rd_dirty = 0;
	return rec_io(f, 1, f->rd, f->rd_n * f->size, f->rd_first);
}

int
rec_put(struct recfile *f, size_t i, const void *rec)
{
	if (i >= f->n)
		f->n = i + 1;
	/* Held in the read-ahead: changed there, written when it goes
	 * (a scan that changes what it reads writes each block once). */
	if (f->rd_n > 0 && i >= f->rd_first && i - f->rd_first < f->rd_n) {
		memcpy(f->rd + (i - f->rd_first) * f->size, rec, f->size);
		f->rd_dirty = 1;
		return 0;
	}
	/* Written in order (taken in): REC_BLOCK at a time. */
	if (f->wr_n > 0 && i == f->wr_first + f->wr_n && f->wr_n < REC_BLOCK) {
		memcpy(f->wr + f->wr_n++ * f->size, rec, f->size);
		return 0;
	}
	if (rec_flush(f) != 0)
		return -1;
	if (f->wr == NULL && (f->wr = malloc(REC_BLOCK * f->size)) == NULL)
		return rec_io(f, 1, (void *)rec, f->size, i);
	memcpy(f->wr, rec, f->size);
	f->wr_first = i;
	f->wr_n = 1;
	return 0;
}

/* Everything buffered to the file, the buffers emptied: 0 or -1. */
static int
rec_sync(struct recfile *f)
{
	if (rec_writeback(f) != 0 || rec_flush(f) != 0)
		return -1;
	f->rd_n = 0;
	f->next = 0;
	return 0;
}

void *
rec_get(struct recfile *f, size_t i, void *buf)
{
	/* Not written yet: from the write-behind. */
	if (f->wr_n > 0 && i >= f->wr_first && i - f->wr_first < f->wr_n) {
		memcpy(buf, f->wr + (i - f->wr_first) * f->size, f->size);
		f->next = i + 1;
		return buf;
	}
	if (f->rd_n == 0 || i < f->rd_first || i - f->rd_first >= f->rd_n) {
		/* In order (a scan): the next REC_BLOCK at once. */
		size_t n = i == f->next ? REC_BLOCK : 1;

		if (n > f->n - i)
			n = f->n - i;
		/* The write-behind goes to the file first when what is read
		 * holds some of it, and only then: a record read and written
		 * back in order (write_run()) costs no write of its own. */
		if (f->wr_n > 0 && f->wr_first < i + n &&
		    i < f->wr_first + f->wr_n && rec_flush(f) != 0)
			return NULL;
		if (f->rd == NULL)
			f->rd = malloc(REC_BLOCK * f->size);
		if (f->rd == NULL || n <= 1) {
			f->next = i + 1;
			return rec_io(f, 0, buf, f->size, i) == 0 ? buf : NULL;
		}
		if (rec_writeback(f) != 0)
			return NULL;
		f->rd_n = 0;
		if (rec_io(f, 0, f->rd, n * f->size, i) != 0)
			return NULL;
		f->rd_first = i;
		f->rd_n = n;
	}
	memcpy(buf, f->rd + (i - f->rd_first) * f->size, f->size);
	f->next = i + 1;
	return buf;
}

void
rec_close(struct recfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->rd);
	free(f->wr);
	f->fd = -1;
	f->rd = f->wr = NULL;
	f->rd_n = f->wr_n = 0;
	f->rd_dirty = 0;
}

/*
 * Record i of src to place(record) of dst, for i < n, place() giving
 * each of 0 .. n - 1 once.  Both files are read and written in large
 * blocks only: src is read in order and each record appended to its
 * part of dst (PERM_PART bytes of records, the parts in order), through
 * a small buffer for each part; then each part is read and its records
 * put in order where they are.  visit(), when not NULL, then sees each
 * record in the new order and may change it, and the part is written
 * back when keep is set (a copy only visited need not be kept).  Done
 * one record at a time in the new order, a night of 1,000,000 events
 * cost a read and a write system call each.  dst holds nothing buffered
 * after; 0, or -1 after reporting (bad set on the file that failed) or
 * when visit() returned -1 (it reported).
 */
/* A record given no place, or one twice: a fault of the program. */
static void
out_of_order(void)
{
	diag_trouble(NULL, 0, _("the night's events are not in order "
	    "(internal error)"));
}

#define PERM_PART (4 * 1024 * 1024)
#define PERM_BUFS (2 * 1024 * 1024)

int
rec_permute(struct recfile *src, struct recfile *dst, size_t n,
    size_t (*place)(const void *rec, void *arg),
    int (*visit)(void *rec, size_t at, void *arg), int keep, void *arg)
{
	size_t per = PERM_PART / src->size, nparts, each, i, k;
	size_t *done = NULL, *held = NULL;
	char *bufs = NULL, *part = NULL, *rec = NULL;
	int rc = -1;

	if (per == 0)
		per = 1;
	nparts = n == 0 ? 0 : (n - 1) / per + 1;
	each = nparts == 0 ? 1 : PERM_BUFS / src->size / nparts;
	if (each == 0)
		each = 1;
	if (rec_sync(dst) != 0)
		return -1;
	if (nparts == 0) {
		dst->n = 0;
		return 0;
	}
	if ((done = calloc(nparts, sizeof *done)) == NULL ||
	    (held = calloc(nparts, sizeof *held)) == NULL ||
	    (bufs = malloc(nparts * each * src->size)) == NULL ||
	    (rec = malloc(src->size)) == NULL)
		goto nomem;
	for (i = 0; i < n; i++) {
		size_t to, cap;
		char *b;

		if (rec_get(src, i, rec) == NULL)
			goto out;
		if ((to = place(rec, arg)) >= n)
			goto wrong;
		k = to / per;
		cap = k == nparts - 1 ? n - k * per : per;
		if (done[k] + held[k] >= cap)
			goto wrong;	/* a place given twice */
		b = bufs + k * each * src->size;
		memcpy(b + held[k]++ * src->size, rec, src->size);
		if (held[k] == each) {
			if (rec_io(dst, 1, b, each * src->size,
			    k * per + done[k]) != 0)
				goto out;
			done[k] += each;
			held[k] = 0;
		}
	}
	for (k = 0; k < nparts; k++)
		if (held[k] > 0 && rec_io(dst, 1, bufs + k * each * src->size,
		    held[k] * src->size, k * per + done[k]) != 0)
			goto out;
	free(bufs);
	bufs = NULL;
	if ((part = malloc((n < per ? n : per) * src->size)) == NULL)
		goto nomem;
	for (k = 0; k < nparts; k++) {
		size_t m = k == nparts - 1 ? n - k * per : per, j, moves = 0;

		if (rec_io(dst, 0, part, m * src->size, k * per) != 0)
			goto out;
		/* Each exchange puts one record where it belongs. */
		for (j = 0; j < m; j++) {
			char *a = part + j * src->size;
			size_t to;

			while ((to = place(a, arg) - k * per) != j) {
				char *c = part + to * src->size;

				if (to >= m || ++moves > m)
					goto wrong;
				memcpy(rec, c, src->size);
				memcpy(c, a, src->size);
				memcpy(a, rec, src->size);
			}
		}
		for (j = 0; visit != NULL && j < m; j++)
			if (visit(part + j * src->size, k * per + j, arg) != 0)
				goto out;
		if (keep && rec_io(dst, 1, part, m * src->size, k * per) != 0)
			goto out;
	}
	if (dst->n < n)
		dst->n = n;
	rc = 0;
	goto out;
wrong:
	out_of_order();
	src->bad = dst->bad = 1;
	goto out;
nomem:
	diag_trouble(NULL, 0, _("out of memory"));
	src->bad = dst->bad = 1;
out:
	free(done);
	free(held);
	free(bufs);
	free(part);
	free(rec);
	return rc;
}

/* ---- the documents' spool (quota.h: spool_put()) ---- */

/*
 * The documents are appended while the input is read and read back in
 * the same order when they are written out: SPOOL_BLOCK at a time, not
 * one write and one read per document (a night of 1,000,000 documents
 * made 2,000,000 system calls of about 3.5 KB each).  Without spooled
 * (the fuzz targets) every call goes to the file.
 */
#define SPOOL_BLOCK (1024 * 1024)

static int
spool_io(int fd, int wr, char *p, size_t len, uint64_t off)
{
	while (len > 0) {
		ssize_t n = wr ? pwrite(fd, p, len, (off_t)off) :
		    pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int
spool_flush(struct run *r)
{
	size_t n = r->spool_wr ? r->spool_n : 0;

	if (!r->spool_wr)
		return 0;
	r->spool_n = 0;
	r->spool_first = r->spool_off;
	return n ? spool_io(r->spool, 1, r->spool_buf, n,
	    r->spool_off - n) : 0;
}

int
spool_put(struct run *r, const char *p, size_t len)
{
	if (r->spooled && r->spool_buf == NULL)
		r->spool_buf = malloc(SPOOL_BLOCK);
	if (r->spool_buf != NULL && !r->spool_wr) {
		/* What was read ahead goes: the spool grows. */
		r->spool_wr = 1;
		r->spool_n = 0;
		r->spool_first = r->spool_off;
	}
	if (r->spool_buf != NULL && r->spool_n + len > SPOOL_BLOCK &&
	    spool_flush(r) != 0)
		return -1;
	if (r->spool_buf == NULL || len > SPOOL_BLOCK) {
		if (spool_io(r->spool, 1, (char *)p, len, r->spool_off) != 0)
			return -1;
		r->spool_off += len;
		r->spool_first = r->spool_off;
		return 0;
	}
	memcpy(r->spool_buf + r->spool_n, p, len);
	r->spool_n += len;
	r->spool_off += len;
	return 0;
}

int
spool_get(struct run *r, uint64_t off, char *buf, size_t len)
{
	uint64_t want;

	if (r->spool_buf != NULL && off >= r->spool_first &&
	    off - r->spool_first <= r->spool_n &&
	    len <= r->spool_n - (off - r->spool_first)) {
		memcpy(buf, r->spool_buf + (off - r->spool_first), len);
		return 0;
	}
	if (spool_flush(r) != 0)
		return -1;
	r->spool_wr = 0;
	if (r->spool_buf == NULL || len > SPOOL_BLOCK)
		return spool_io(r->spool, 0, buf, len, off);
	/* Read ahead: as much of the next SPOOL_BLOCK as the spool holds. */
	want = off < r->spool_off ? r->spool_off - off : 0;
	if (want > SPOOL_BLOCK)
		want = SPOOL_BLOCK;
	r->spool_n = 0;
	r->spool_first = off;
	if (len > want) {
		errno = EIO;
		return -1;
	}
	if (spool_io(r->spool, 0, r->spool_buf, (size_t)want, off) != 0)
		return -1;
	r->spool_n = (size_t)want;
	memcpy(buf, r->spool_buf, len);
	return 0;
}

void
spool_close(struct run *r)
{
	size_t i;

	if (r->spool >= 0)
		close(r->spool);
	r->spool = -1;
	free(r->spool_buf);
	r->spool_buf = NULL;
	r->spool_n = 0;
	r->spool_wr = 0;
	for (i = 0; i < r->nsrcs; i++)
		close(r->srcs[i].fd);
	free(r->srcs);
	r->srcs = NULL;
	r->nsrcs = 0;
}

/*
 * Files kept open to read their documents again (quota.h: struct run,
 * srcs): a night is a few large files, or many small ones, whose
 * documents the spool takes.
 */
#define SRC_MAX 64

int
spool_source(struct run *r, const struct stream_doc *d)
{
	struct stat st;
	struct srcfile *ns;
	size_t i;
	int fd;

	if (!r->spooled || !d->in_verbatim || d->in == NULL ||
	    input_is_gzip(d->in))
		return -1;
	if (input_serial(d->in) == r->src_in)
		return r->src_last;
	r->src_in = input_serial(d->in);
	r->src_last = -1;
	if (fstat(input_fd(d->in), &st) != 0 || !S_ISREG(st.st_mode))
		return -1;
	for (i = 0; i < r->nsrcs; i++)
		if (r->srcs[i].dev == (unsigned long long)st.st_dev &&
		    r->srcs[i].ino == (unsigned long long)st.st_ino)
			return r->src_last = (int)i;
	if (r->nsrcs >= SRC_MAX ||
	    (ns = realloc(r->srcs, (r->nsrcs + 1) * sizeof *ns)) == NULL)
		return -1;
	r->srcs = ns;
	if ((fd = fcntl(input_fd(d->in), F_DUPFD_CLOEXEC, 3)) < 0)
		return -1;
	ns[r->nsrcs].fd = fd;
	ns[r->nsrcs].dev = (unsigned long long)st.st_dev;
	ns[r->nsrcs].ino = (unsigned long long)st.st_ino;
	return r->src_last = (int)r->nsrcs++;
}

int
spool_doc(struct run *r, const struct sdoc *sd, char *buf)
{
	unsigned char dg[STORE_DIGEST_LEN], pd[STORE_DIGEST_LEN];

	if (sd->src < 0) {
		if (spool_get(r, sd->off, buf, sd->len) == 0)
			return 0;
		diag_trouble(NULL, 0, _("cannot read the spool file: %s"),
		    strerror(errno));
		return -1;
	}
	if ((size_t)sd->src >= r->nsrcs ||
	    spool_io(r->srcs[sd->src].fd, 0, buf, sd->len, sd->off) != 0) {
		diag_trouble(sd->source, sd->line, _("cannot read document "
		    "%ld again: %s"), sd->index, strerror(errno));
		return -1;
	}
	/* Test hook: the file changed between the reading and the writing. */
	if (getenv("CEB_QUOTA_CHECK_TEST_CHANGED") && sd->len > 0)
		buf[sd->len - 1] ^= 1;
	if (store_doc_digest(buf, sd->len, dg) != 0 ||
	    store_doc_prefix_digest(buf, sd->len, pd) != 0 ||
	    memcmp(dg, sd->digest, sizeof dg) != 0 ||
	    memcmp(pd, sd->pdigest, sizeof pd) != 0) {
		diag_trouble(sd->source, sd->line, _("document %ld changed in "
		    "the file since it was read: not written out"), sd->index);
		return -1;
	}
	return 0;
}

/* ---- the run's events and documents (quota.h) ---- */

/* Spooled, the records are in f; else in memory, pointers in v. */
static size_t
run_count(const struct run *r, const struct recfile *f,
    const struct vec *v)
{
	return r->spooled ? f->n : v->n;
}

static void *
run_get(struct run *r, struct recfile *f, struct vec *v, size_t i,
    void *buf)
{
	return r->spooled ? rec_get(f, i, buf) : v->v[i];
}

size_t
ev_count(const struct run *r)
{
	return run_count(r, &r->evf, &r->evs);
}

/* In the judgment's order (ev_order()), the event at a place: in evo
 * (spooled) or at that index of evs. */
static struct event *
ordered_get(struct run *r, size_t place, struct event *buf)
{
	struct event *e;

	if (place >= ev_count(r)) {
		out_of_order();
		r->evf.bad = 1;
		return NULL;
	}
	if (!r->spooled)
		return r->evs.v[place];
	if ((e = rec_get(&r->evo, place, buf)) == NULL)
		r->evf.bad = 1;
	return e;
}

struct event *
ev_get(struct run *r, size_t seq, struct event *buf)
{
	if (r->ordered)		/* (no map from seq kept: ev_at()) */
		return ordered_get(r, SIZE_MAX, buf);
	return run_get(r, &r->evf, &r->evs, seq, buf);
}

struct event *
ev_at(struct run *r, size_t place, struct event *buf)
{
	if (r->ordered)
		return ordered_get(r, place, buf);
	return ev_get(r, place, buf);
}

int
ev_put(struct run *r, const struct event *e)
{
	if (!r->spooled)
		return 0;
	if (!r->ordered)
		return rec_put(&r->evf, e->seq, e);
	if (e->place >= ev_count(r) ||
	    rec_put(&r->evo, e->place, e) != 0) {
		if (!r->evo.bad)
			out_of_order();
		r->evf.bad = 1;
		return -1;
	}
	return 0;
}

/* What ev_order() and ev_unorder() move the events by: the places to
 * (seq to place) and the visit of ev_order(). */
struct ordering {
	struct run *r;
	const uint32_t *to;
	int (*visit)(struct run *, struct event *, size_t);
};

/* The place of an event (rec_permute()): to[seq], or its seq. */
static size_t
place_to(const void *rec, void *arg)
{
	const struct event *e = rec;
	const struct ordering *o = arg;

	return e->seq < ev_count(o->r) ? o->to[e->seq] : SIZE_MAX;
}

static size_t
place_seq(const void *rec, void *arg)
{
	(void)arg;
	return ((const struct event *)rec)->seq;
}

/* Each event moved: its place kept in it, then visit(). */
static int
visit_ordering(void *rec, size_t at, void *arg)
{
	struct ordering *o = arg;
	struct event *e = rec;

	e->place = (uint32_t)at;
	return o->visit ? o->visit(o->r, e, at) : 0;
}

/* The events' pointers (in memory) moved: v[i] to place(v[i]). */
static int
order_vec(struct run *r, size_t (*place)(const void *, void *), void *arg)
{
	size_t i, n = r->evs.n;
	void **nv;

	if ((nv = calloc(n + 1, sizeof *nv)) == NULL) {
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	}
	for (i = 0; i < n; i++) {
		size_t to = place(r->evs.v[i], arg);

		if (to >= n || nv[to] != NULL) {
			free(nv);
			out_of_order();
			return -1;
		}
		nv[to] = r->evs.v[i];
	}
	free(r->evs.v);
	r->evs.v = nv;
	r->evs.cap = n + 1;
	return 0;
}

int
ev_order(struct run *r, uint32_t *to,
    int (*visit)(struct run *, struct event *, size_t))
{
	struct ordering o;
	size_t i;
	int rc = 0;

	o.r = r;
	o.to = to;
	o.visit = visit;
	if (!r->spooled) {
		if (order_vec(r, place_to, &o) != 0)
			rc = -1;
		else {
			r->ordered = 1;
			for (i = 0; i < r->evs.n && rc == 0; i++)
				rc = visit_ordering(r->evs.v[i], i, &o);
			if (rc != 0)
				(void)ev_unorder(r);
		}
		free(to);
		return rc;
	}
	r->evo.size = sizeof(struct event);
	if ((r->evo.fd = spool_open()) < 0 ||
	    rec_permute(&r->evf, &r->evo, ev_count(r), place_to,
	    visit_ordering, 1, &o) != 0) {
		/* evf was only read: the events are still there, in the
		 * order of seq. */
		if (r->evo.bad || r->evo.fd < 0)
			r->evf.bad = 1;
		rec_close(&r->evo);
		rc = -1;
	} else
		r->ordered = 1;
	free(to);
	return rc;
}

int
ev_unorder(struct run *r)
{
	int rc = 0;

	if (!r->ordered)
		return 0;
	r->ordered = 0;
	if (!r->spooled)
		rc = order_vec(r, place_seq, NULL);
	else {
		rc = rec_permute(&r->evo, &r->evf, ev_count(r), place_seq,
		    NULL, 1, NULL);
		rec_close(&r->evo);
	}
	if (rc != 0)
		r->evf.bad = 1;
	return rc;
}

size_t
doc_count(const struct run *r)
{
	return run_count(r, &r->docf, &r->docs);
}

struct sdoc *
doc_get(struct run *r, size_t i, struct sdoc *buf)
{
	return run_get(r, &r->docf, &r->docs, i, buf);
}

int
doc_put(struct run *r, size_t i, const struct sdoc *sd)
{
	return r->spooled ? rec_put(&r->docf, i, sd) : 0;
}
