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

/* Open the spill file and map its region; exits on trouble. */
static void
region_open(void)
{
	char path[4096];
	size_t r;
	void *p = MAP_FAILED;

#ifdef O_TMPFILE
	S.fd = open(S.dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
	if (S.fd < 0) {
		snprintf(path, sizeof path, "%s/.writeoff-spill.XXXXXX", S.dir);
		if ((S.fd = mkstemp(path)) >= 0)
			unlink(path);
	}
	if (S.fd < 0) {
		diag_trouble(S.dir, 0, _("cannot create a spill file: %s "
		    "(--memory 0 keeps everything in memory)"),
		    strerror(errno));
		trouble_exit();
	}
	/* Address space only: the file is extended as the region is used. */
	for (r = (size_t)1 << 40; r >= (size_t)1 << 30; r /= 2)
		if ((p = mmap(NULL, r, PROT_READ | PROT_WRITE, MAP_SHARED,
		    S.fd, 0)) != MAP_FAILED)
			break;
	if (p == MAP_FAILED) {
		diag_trouble(S.dir, 0, _("cannot map the spill file: %s "
		    "(--memory 0 keeps everything in memory)"),
		    strerror(errno));
		trouble_exit();
	}
	S.base = p;
	S.reserve = r;
	S.statm = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
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
	if (in_region(p)) {
		region_free(p, n);
		return;
	}
	free(p);
	S.heap -= n < S.heap ? n : S.heap;
}

/* Over budget?  Then the region's pages leave the process. */
void
wo_mem_tick(void)
{
	char buf[128];
	ssize_t k;
	unsigned long size, res;

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
	S.base = NULL;
	S.fd = S.statm = -1;
	S.used = S.filesz = S.reserve = S.heap = 0;
	S.ticks = 0;
	memset(&S.st, 0, sizeof S.st);
	S.st.budget = S.budget;
}
