/*
 * spill.c: where ceb-manifest-writeoff keeps its records, so that a night
 * larger than the memory budget (--memory) still runs in that budget.
 *
 * Every record array, hash index and string arena block of the run is
 * allocated here.  While they hold less than half the budget they come
 * from malloc().  Beyond that they come from a region mapped (MAP_SHARED)
 * from a spill file, unlinked at once, in the state directory or TMPDIR.
 * Records keep their addresses wherever they live, so the judgement is
 * the same code and gives the same result; only where the bytes are
 * changes.  Every 16 ticks (a document read, a record judged, a state
 * row loaded) the resident size is read from /proc/self/statm, and when
 * it is above the budget the region's pages are dropped from the process
 * (MADV_DONTNEED): they stay in the file -- in the page cache while the
 * machine has memory to spare, on disk when it has not -- and the next
 * touch brings them back.  A night that fits in the budget never opens
 * the file.
 *
 * The file's blocks are reserved (fallocate) before the region hands them
 * out, so a full disk is a located "spill file" error and exit 2 before
 * anything is committed, never a SIGBUS on a page fault.  Blocks freed
 * (an array that grew elsewhere, a rehashed index) are punched out of
 * the file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diag.h"
#include "i18n.h"
#include "wo.h"

#define SPILL_GROW ((size_t)16 << 20)	/* the file grows by at least this */
#define SPILL_TICKS 16			/* ticks between two statm reads */
#define SPILL_COPY ((size_t)1 << 20)	/* a block moves this much at a time */

static struct {
	size_t budget;		/* 0: everything in memory */
	const char *dir;	/* where the spill file goes */
	size_t heap;		/* our bytes in malloc() */
	int fd;			/* the spill file, -1 until opened */
	char *base;		/* the region */
	size_t reserve;		/* its address space */
	size_t used;		/* bytes handed out (bump) */
	size_t filesz;		/* bytes reserved in the file */
	size_t page;
	unsigned ticks;
	int statm;		/* /proc/self/statm, -1 if none */
	struct wo_mem_stats st;
} S = { .fd = -1, .statm = -1 };

/*
 * The park: the night's parcels (the array of struct parcel, the arrays
 * of the receipts waiting for their inventory and of the 505 weights,
 * their own strings and the tables of the indexes over them) in a file of
 * their own, whatever the budget (but --memory 0: no file), so that a large night's parcels do not
 * stay in memory (issue 15).  Each array has an eighth of the park's
 * address space, where it grows in place; the strings are handed out
 * from its third quarter, the index tables from its last (freed blocks
 * punched out of the file).  Every PARK_TICKS ticks (a record, a
 * lookup in a parked index) the resident file pages of the process are
 * read from /proc/self/statm: past PARK_WINDOW above what they were
 * after the last drop, the park's pages leave the process (they stay in
 * the file, in the page cache while the machine has room) and the next
 * touch brings them back.  A night whose parcels
 * fit in PARK_MIN bytes never opens the file.
 */
#define PARK_TICKS 64
#ifndef PARK_WINDOW
#define PARK_WINDOW ((size_t)8 << 20)
#endif
#ifndef PARK_MIN		/* (-DPARK_MIN=0: every night parked, tests) */
#define PARK_MIN ((size_t)1 << 20)
#endif

#define PARK_ARRAYS 4

static struct {
	int fd;			/* -1 until opened */
	char *base;
	size_t q;		/* a quarter of its address space */
	int narr;		/* arrays parked */
	size_t arr[PARK_ARRAYS], str, blk;	/* bytes used in each area */
	size_t arrfile[PARK_ARRAYS], strfile, blkfile;	/* reserved */
	unsigned ticks;
	unsigned long shared0;	/* statm's shared pages at the opening */
	int statm;
} P = { .fd = -1, .statm = -1 };

static void trouble_exit(void) __attribute__((noreturn));

static void
trouble_exit(void)
{
	exit(diag_exit());
}

void
wo_oom(void)
{
	diag_trouble(NULL, 0, _("out of memory"));
	trouble_exit();
}

void
wo_mem_init(size_t budget, const char *dir)
{
	const char *t = getenv("TMPDIR");

	S.budget = budget;
	S.dir = dir ? dir : t && *t ? t : "/tmp";
	S.page = (size_t)sysconf(_SC_PAGESIZE);
	if (S.page == 0 || S.page == (size_t)-1)
		S.page = 4096;
	S.st.budget = budget;
}

/*
 * Create an unlinked file in S.dir and map address space for it (its
 * size in *reserve); exits on trouble.
 */
static char *
file_map(int *fd, size_t *reserve)
{
	char path[4096];
	size_t r;
	void *p = MAP_FAILED;

#ifdef O_TMPFILE
	*fd = open(S.dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
	if (*fd < 0) {
		snprintf(path, sizeof path, "%s/.writeoff-spill.XXXXXX", S.dir);
		if ((*fd = mkstemp(path)) >= 0)
			unlink(path);
	}
	if (*fd < 0) {
		diag_trouble(S.dir, 0, _("cannot create a spill file: %s "
		    "(--memory 0 keeps everything in memory)"),
		    strerror(errno));
		trouble_exit();
	}
	/* Address space only: the file is extended as the region is used. */
	for (r = (size_t)1 << 40; r >= (size_t)1 << 30; r /= 2)
		if ((p = mmap(NULL, r, PROT_READ | PROT_WRITE, MAP_SHARED,
		    *fd, 0)) != MAP_FAILED)
			break;
	if (p == MAP_FAILED) {
		diag_trouble(S.dir, 0, _("cannot map the spill file: %s "
		    "(--memory 0 keeps everything in memory)"),
		    strerror(errno));
		trouble_exit();
	}
	*reserve = r;
	return p;
}

/* Open the spill file and map its region; exits on trouble. */
static void
region_open(void)
{
	S.base = file_map(&S.fd, &S.reserve);
	S.statm = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
}

/*
 * Reserve the file's blocks of [from, from + end) (*filesz of them
 * reserved so far, at most max); exits on trouble.
 */
static void
file_fit(int fd, size_t from, size_t *filesz, size_t end, size_t max)
{
	size_t want;
	int e;

	if (end <= *filesz)
		return;
	if (end > max)
		wo_oom();
	want = end + *filesz / 8 + SPILL_GROW;
	want -= want % SPILL_GROW;
	if (want > max)
		want = max;
	if ((e = posix_fallocate(fd, (off_t)(from + *filesz),
	    (off_t)(want - *filesz))) != 0) {
		diag_trouble(S.dir, 0, _("spill file: cannot grow to "
		    "%zu MB: %s"), want >> 20, strerror(e));
		trouble_exit();
	}
	*filesz = want;
}

static int
in_park(const void *p)
{
	return P.base != NULL && (const char *)p >= P.base &&
	    (const char *)p < P.base + 4 * P.q;
}

/* statm's shared (file) pages, 0 if unknown. */
static unsigned long
park_shared(void)
{
	char buf[128];
	ssize_t k;
	unsigned long size, res, sh;

	if (P.statm < 0 || (k = pread(P.statm, buf, sizeof buf - 1, 0)) <= 0)
		return 0;
	buf[k] = '\0';
	if (sscanf(buf, "%lu %lu %lu", &size, &res, &sh) != 3)
		return 0;
	return sh;
}

static void
park_open(void)
{
	size_t r;

	P.base = file_map(&P.fd, &r);
	P.q = r / 4;
	/* No fault-around: a touch maps its own page, not 16 of them. */
	(void)madvise(P.base, r, MADV_RANDOM);
	P.statm = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	P.shared0 = park_shared();
}

/* Every page of the park leaves the process (it stays in the file). */
static void
park_drop(void)
{
	size_t b = (P.str + S.page - 1) & ~(S.page - 1);
	size_t c = (P.blk + S.page - 1) & ~(S.page - 1), a;
	int i;

	for (i = 0; i < P.narr; i++)
		if ((a = (P.arr[i] + S.page - 1) & ~(S.page - 1)) != 0)
			(void)madvise(P.base + (size_t)i * (P.q / 2), a,
			    MADV_DONTNEED);
	if (b)
		(void)madvise(P.base + 2 * P.q, b, MADV_DONTNEED);
	if (c)
		(void)madvise(P.base + 3 * P.q, c, MADV_DONTNEED);
}

/* The parked array at p, its room made n bytes. */
static void
park_fit(const void *p, size_t n)
{
	size_t i = (size_t)((const char *)p - P.base) / (P.q / 2);

	file_fit(P.fd, i * (P.q / 2), &P.arrfile[i], n, P.q / 2);
	P.arr[i] = n;
}

void *
wo_park_grow(void *arr, size_t *cap, size_t need, size_t size)
{
	size_t nc, o, k;
	char *to;

	if (need <= *cap && arr != NULL)
		return arr;
	nc = wo_grow_cap(*cap, need, size);
	if (in_park(arr)) {
		park_fit(arr, nc * size);
		*cap = nc;
		return arr;
	}
	if (S.dir == NULL || S.budget == 0 || nc * size < PARK_MIN ||
	    P.narr == PARK_ARRAYS) {
		arr = wo_mem_realloc(arr, *cap * size, nc * size);
		*cap = nc;
		return arr;
	}
	if (P.fd < 0)
		park_open();
	/* The array moves to an eighth of its own, a piece at a time. */
	to = P.base + (size_t)P.narr++ * (P.q / 2);
	park_fit(to, nc * size);
	for (o = 0; o < *cap * size; o += k) {
		k = *cap * size - o < SPILL_COPY ? *cap * size - o : SPILL_COPY;
		memcpy(to + o, (char *)arr + o, k);
		(void)madvise(to + o, k & ~(S.page - 1), MADV_DONTNEED);
	}
	wo_mem_free(arr, *cap * size);
	*cap = nc;
	return to;
}

const char *
wo_pstrn(const char *s, size_t n)
{
	char *p;

	if (P.fd < 0)
		return wo_strn(s, n);
	if (s == NULL || n == 0)
		return "";
	file_fit(P.fd, 2 * P.q, &P.strfile, P.str + n + 1, P.q);
	p = P.base + 2 * P.q + P.str;
	P.str += n + 1;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

const char *
wo_pstr(const char *s)
{
	return s ? wo_pstrn(s, strlen(s)) : "";
}

void *
wo_park_zalloc(size_t n)
{
	size_t off;

	if (P.fd < 0 && (S.dir == NULL || S.budget == 0 || n < PARK_MIN))
		return wo_mem_zalloc(n);
	if (P.fd < 0)
		park_open();
	off = (P.blk + S.page - 1) & ~(S.page - 1);
	if (off + n < off)
		wo_oom();
	file_fit(P.fd, 3 * P.q, &P.blkfile, off + n, P.q);
	P.blk = off + n;
	return P.base + 3 * P.q + off;	/* new file pages: zero */
}

static void *
region_alloc(size_t n)
{
	size_t off, end, want;
	int e;

	if (S.fd < 0)
		region_open();
	off = n >= S.page ? (S.used + S.page - 1) & ~(S.page - 1) :
	    (S.used + 15) & ~(size_t)15;
	end = off + n;
	if (end < off || end > S.reserve)
		wo_oom();
	if (end > S.filesz) {
		want = end + S.filesz / 8 + SPILL_GROW;
		want -= want % SPILL_GROW;
		if (want > S.reserve)
			want = S.reserve;
		if ((e = posix_fallocate(S.fd, (off_t)S.filesz,
		    (off_t)(want - S.filesz))) != 0) {
			diag_trouble(S.dir, 0, _("spill file: cannot grow to "
			    "%zu MB: %s"), want >> 20, strerror(e));
			trouble_exit();
		}
		S.filesz = want;
	}
	S.used = end;
	S.st.spilled += n;
	return S.base + off;
}

static int
in_region(const void *p)
{
	return S.base != NULL && (const char *)p >= S.base &&
	    (const char *)p < S.base + S.reserve;
}

int
wo_mem_spilled(const void *p)
{
	return in_region(p);
}

/* The whole pages of [p, p + n) in the region leave memory. */
static void
region_drop(char *p, size_t n)
{
	size_t from, to;

	if (!in_region(p))
		return;
	from = ((size_t)(p - S.base) + S.page - 1) & ~(S.page - 1);
	to = ((size_t)(p - S.base) + n) & ~(S.page - 1);
	if (to > from)
		(void)madvise(S.base + from, to - from, MADV_DONTNEED);
}

/*
 * Copy a block into the region a piece at a time, each piece leaving
 * memory once copied: a growing array of hundreds of megabytes moves
 * within the budget.
 */
static void
region_copy(char *dst, char *src, size_t n)
{
	size_t o, k;

	for (o = 0; o < n; o += k) {
		k = n - o < SPILL_COPY ? n - o : SPILL_COPY;
		memcpy(dst + o, src + o, k);
		region_drop(dst + o, k);
		region_drop(src + o, k);
	}
}

/* Give a region block's whole pages back to the file system. */
static void
region_free(void *p, size_t n)
{
	size_t from = ((size_t)((char *)p - S.base) + S.page - 1) &
	    ~(S.page - 1);
	size_t to = ((size_t)((char *)p - S.base) + n) & ~(S.page - 1);

	if (to > from)
		(void)fallocate(S.fd, FALLOC_FL_PUNCH_HOLE |
		    FALLOC_FL_KEEP_SIZE, (off_t)from, (off_t)(to - from));
}

void *
wo_mem_realloc(void *p, size_t old, size_t n)
{
	void *q;
	size_t heap;

	if (p == NULL)
		old = 0;
	if (in_park(p)) {		/* a parked array: in place */
		park_fit(p, n);
		return p;
	}
	heap = S.heap > old ? S.heap - old : 0;
	if (in_region(p) || (S.budget > 0 && heap + n > S.budget / 4)) {
		q = region_alloc(n);
		if (old)
			region_copy(q, p, old < n ? old : n);
		wo_mem_free(p, old);
		return q;
	}
	if ((q = realloc(p, n ? n : 1)) == NULL)
		wo_oom();
	S.heap = heap + n;
	return q;
}

void *
wo_mem_zalloc(size_t n)
{
	void *p = wo_mem_realloc(NULL, 0, n);

	if (!in_region(p))	/* a new region block is zero already */
		memset(p, 0, n);
	return p;
}

void
wo_mem_free(void *p, size_t n)
{
	if (p == NULL)
		return;
	if (in_park(p)) {	/* an index table: back to the file system */
		size_t o = (size_t)((char *)p - P.base), from, to;

		if (o < 3 * P.q)
			return;
		from = (o + S.page - 1) & ~(S.page - 1);
		to = (o + n) & ~(S.page - 1);
		if (to > from)
			(void)fallocate(P.fd, FALLOC_FL_PUNCH_HOLE |
			    FALLOC_FL_KEEP_SIZE, (off_t)from, (off_t)(to - from));
		return;
	}
	if (in_region(p)) {
		region_free(p, n);
		return;
	}
	free(p);
	S.heap -= n < S.heap ? n : S.heap;
}

/* The park past its window?  Then its pages leave the process. */
void
wo_park_tick(void)
{
	unsigned long sh;

	if (P.fd < 0 || ++P.ticks % PARK_TICKS != 0)
		return;
	if (P.statm >= 0 && ((sh = park_shared()) <= P.shared0 ||
	    (sh - P.shared0) * S.page <= PARK_WINDOW))
		return;
	park_drop();
	/* What stays is the other files' (libraries' pages come and go). */
	P.shared0 = park_shared();
}

/* Over budget?  Then the region's pages leave the process. */
void
wo_mem_tick(void)
{
	char buf[128];
	ssize_t k;
	unsigned long size, res;

	wo_park_tick();
	if (S.fd < 0 || ++S.ticks % SPILL_TICKS != 0)
		return;
	if (S.statm >= 0) {
		k = pread(S.statm, buf, sizeof buf - 1, 0);
		if (k <= 0)
			return;
		buf[k] = '\0';
		if (sscanf(buf, "%lu %lu", &size, &res) != 2 ||
		    (size_t)res * S.page <= S.budget)
			return;
	}
	/* Without statm: drop every SPILL_TICKS ticks. */
	if (madvise(S.base, (S.used + S.page - 1) & ~(S.page - 1),
	    MADV_DONTNEED) == 0)
		S.st.drops++;
}

const struct wo_mem_stats *
wo_mem_stats(void)
{
	S.st.file = S.filesz;
	return &S.st;
}

void
wo_mem_end(void)
{
	if (S.base)
		munmap(S.base, S.reserve);
	if (S.fd >= 0)
		close(S.fd);
	if (S.statm >= 0)
		close(S.statm);
	if (P.base)
		munmap(P.base, 4 * P.q);
	if (P.fd >= 0)
		close(P.fd);
	if (P.statm >= 0)
		close(P.statm);
	memset(&P, 0, sizeof P);
	P.fd = P.statm = -1;
	S.base = NULL;
	S.fd = S.statm = -1;
	S.used = S.filesz = S.reserve = S.heap = 0;
	S.ticks = 0;
	memset(&S.st, 0, sizeof S.st);
	S.st.budget = S.budget;
}
