/*
 * fuzz-reconcile-state.c: ceb-reconcile's state (rstate.c, the SQLite
 * store, and rconvert.c, which takes over the state directory of the
 * release before it, with store.c, match.c and the byte store behind
 * them) in-process.
 *
 * The first byte is a mode, the rest one of two things:
 *   bit 4 clear: an old state directory: the bytes of state.csv, then the
 *          line "=====spool=====", then the bytes of the spool file,
 *          written under every spool-<hash>.xml name that state.csv
 *          mentions; the first run converts it into the store;
 *   bit 4 set:   a CEB stream, taken in as the night before (store_doc(),
 *          as loop_run() feeds it) on an empty state and committed, which
 *          gives a real state to start from.
 * Other bits: 0 the run is shard 1/2; 1 --keep-matched 0 (done rows are
 * forgotten); 3 a byte store budget of one byte (every chunk spilled to
 * its disk file and read back); 5 (state bytes only) seal them: lines
 * starting "end," are dropped and an end row that matches the rows is
 * appended, so the fuzzer reaches past the check.
 *
 * The state is loaded (rstate_open, rstate_load).  A refusal is reported
 * as trouble and ends the input.  Otherwise the loaded state is committed
 * under a new run id, loaded again and committed again, and the checks
 * are: the commit succeeds; the second load succeeds and holds the same
 * pending records (type, day first seen, content hash, record number,
 * appType, message source, index and line) and the same matched parcels
 * (keys, day, hash) in the same order; the store holds the same waiting
 * and matched rows after both commits.
 *
 * rstate.c, store.c and bstore.c have rstate_end(), store_end() and
 * bs_end() for this target: the tool's state is global, and a target
 * that runs thousands of inputs in one process must give it back.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bstore.h"
#include "csvio.h"
#include "diag.h"
#include "fuzz.h"
#include "input.h"
#include "rec.h"
#include "stream.h"
#include "fnv.h"
#include "store.h"

#define SEP "\n=====spool=====\n"

static char root[256], sdir[300];
static int devnull = -1;

static void
empty_dir(void)
{
	DIR *d = opendir(sdir);
	struct dirent *e;
	char p[600];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", sdir, e->d_name);
		unlink(p);
	}
	closedir(d);
}

static void
cleanup(void)
{
	empty_dir();
	rmdir(sdir);
	rmdir(root);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *t = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	(void)argc;
	(void)argv;
	fuzz_quiet_libxml();
	diag_init("fuzz-reconcile-state");
	diag_set_quiet(1);
	snprintf(root, sizeof root, "%s/fuzz-reconcile.XXXXXX", t);
	if (mkdtemp(root) == NULL) {
		perror(root);
		abort();
	}
	snprintf(sdir, sizeof sdir, "%s/state", root);
	atexit(cleanup);
	if ((devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
		abort();
	return 0;
}

static void
put_file(const char *name, const void *p, size_t len)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", sdir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(p, 1, len, f) != len ||
	    fclose(f) != 0) {
		perror(path);
		abort();
	}
}

/* The tool's globals for a fresh run. */
static void
setup(int mode, const char *run)
{
	memset(&rc, 0, sizeof rc);
	rc.statedir = sdir;
	rc.now = day_parse("2026-11-28");
	rc.max_age = 7;
	rc.keep = mode & 2 ? 0 : 7;
	rc.memory = mode & 8 ? 1 : 256u << 20;
	snprintf(rc.run, sizeof rc.run, "%s", run);
	if (mode & 1)
		FUZZ_ASSERT(shard_parse("1/2", &rc.shard) == 0);
}

/* stdout (matched inventories, counterparts) goes nowhere meanwhile. */
static int saved_stdout = -1;

static void
quiet_stdout(int on)
{
	fflush(stdout);
	if (on) {
		saved_stdout = dup(1);
		dup2(devnull, 1);
	} else {
		dup2(saved_stdout, 1);
		close(saved_stdout);
		saved_stdout = -1;
	}
}

static int
open_load(int mode, const char *run)
{
	setup(mode, run);
	if (rstate_open() != 0)
		return -1;
	FUZZ_ASSERT(store_init() == 0);
	return rstate_load();
}

static void
teardown(void)
{
	rstate_close();
	store_end();
	rstate_end();
}

static void
key_text(FILE *f, struct keyidx *x, uint32_t id)
{
	const char *k;
	size_t len, i;

	if (id == NONE) {
		fputs("-|", f);
		return;
	}
	k = keyidx_key(x, id, &len);
	for (i = 0; i < len; i++)
		putc(k[i] ? k[i] : '/', f);
	putc('|', f);
}

/* What the loaded state holds, as text. */
static char *
snapshot(void)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	FUZZ_ASSERT(f != NULL);
	for (i = 0; i < rc.nrecs; i++) {
		const struct rrec *r = &rc.recs[i];
		const struct rmsg *m = &rc.msgs[r->msg];

		if (r->state != ST_LIVE)
			continue;
		fprintf(f, "pending %u %u %016llx %u %c %u %s %u %u\n",
		    r->type, r->first_seen, (unsigned long long)r->hash,
		    r->recno, r->apptype, r->bloblen, rc.srcs[m->src],
		    m->index, m->line);
	}
	for (i = 0; i < rc.ndone; i++) {
		const struct done *d = &rc.done[i];

		if (rc.now - (long)d->day >= rc.keep)
			continue;
		fprintf(f, "done %u %016llx ", d->day,
		    (unsigned long long)d->hash);
		key_text(f, rc.pk, d->pk);
		key_text(f, rc.wk, d->wk);
		key_text(f, rc.yk, d->yk);
		putc('\n', f);
	}
	FUZZ_ASSERT(fclose(f) == 0);
	return buf;
}

/* The waiting and matched rows of the store, as text (no run ids). */
static char *
store_rows(void)
{
	static const char sql[] = "SELECT 'w', m.digest, w.record, w.type, "
	    "w.first_seen, w.hash, w.ebpCode, w.orderNo, w.logisticsCode, "
	    "w.logisticsNo, w.payCode, w.payTransactionId FROM waiting w JOIN "
	    "messages m ON m.id = w.msg WHERE w.removed IS NULL ORDER BY "
	    "m.seq, w.record; SELECT 'm', day, hash, ebpCode, orderNo, "
	    "logisticsCode, logisticsNo, payCode, payTransactionId, '', '', "
	    "'' FROM matched ORDER BY id";
	char path[600], *buf = NULL;
	const char *tail = sql;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	sqlite3 *db;

	FUZZ_ASSERT(f != NULL);
	snprintf(path, sizeof path, "%s/state.db", sdir);
	FUZZ_ASSERT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK);
	while (*tail) {
		sqlite3_stmt *q;
		int i;

		FUZZ_ASSERT(sqlite3_prepare_v2(db, tail, -1, &q, &tail) ==
		    SQLITE_OK);
		if (q == NULL)
			break;
		while (sqlite3_step(q) == SQLITE_ROW) {
			for (i = 0; i < 12; i++) {
				const unsigned char *t =
				    sqlite3_column_text(q, i);

				fprintf(f, "%s|", t ? (const char *)t : "");
			}
			putc('\n', f);
		}
		sqlite3_finalize(q);
	}
	sqlite3_close(db);
	FUZZ_ASSERT(fclose(f) == 0);
	return buf;
}

/* Write the spool bytes under every spool name the state mentions. */
static void
put_spools(const char *state, size_t slen, const uint8_t *spool, size_t n)
{
	const char *p = state, *end = state + slen;
	int written = 0;

	while (written < 4 && p + 26 <= end &&
	    (p = memmem(p, (size_t)(end - p), "spool-", 6)) != NULL &&
	    p + 26 <= end) {
		char name[27];
		size_t i;

		memcpy(name, p, 26);
		name[26] = '\0';
		p += 6;
		for (i = 6; i < 22; i++)
			if (!strchr("0123456789abcdef", name[i]))
				break;
		if (i < 22 || strcmp(name + 22, ".xml") != 0)
			continue;
		put_file(name, spool, n);
		written++;
	}
}

/*
 * state.csv bytes without their "end," lines and with an end row that
 * checks the rows above it; a malloc'd copy in *out.
 */
static size_t
seal_state(const uint8_t *data, size_t len, char **out)
{
	char *buf = NULL, path[32], err[256], **f, cnt[32], sum[32];
	size_t blen = 0, i = 0, nf;
	FILE *w = open_memstream(&buf, &blen);
	struct csvio *c;
	int fd, kc, oc, hc;
	uint64_t h = FNV64_INIT, rows = 0;

	FUZZ_ASSERT(w != NULL);
	while (i < len) {
		const uint8_t *nl = memchr(data + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - data - i) + 1 : len - i;

		if (!(n >= 4 && memcmp(data + i, "end,", 4) == 0))
			fwrite(data + i, 1, n, w);
		i += n;
	}
	fflush(w);
	if (blen > 0 && buf[blen - 1] != '\n')
		putc('\n', w);
	fflush(w);
	fd = fuzz_memfile((const uint8_t *)buf, blen, path, sizeof path);
	if ((c = csvio_open(path, err, sizeof err)) != NULL &&
	    (kc = csvio_col(c, "kind")) >= 0 &&
	    (oc = csvio_col(c, "offset")) >= 0 &&
	    (hc = csvio_col(c, "hash")) >= 0) {
		size_t ncols = csvio_ncols(c), k;
		const char **v;

		while (csvio_next(c, &f, &nf) == 1) {
			for (k = 0; k < nf; k++)
				h = fnv64(fnv64(h, f[k], strlen(f[k])), "\x1f", 1);
			h = fnv64(h, "\x1e", 1);
			rows++;
		}
		snprintf(cnt, sizeof cnt, "%llu", (unsigned long long)rows);
		snprintf(sum, sizeof sum, "%016llx", (unsigned long long)h);
		FUZZ_ASSERT((v = calloc(ncols, sizeof *v)) != NULL);
		for (k = 0; k < ncols; k++)
			v[k] = "";
		v[kc] = "end";
		v[oc] = cnt;
		v[hc] = sum;
		csvio_write_row(w, v, ncols);
		free(v);
	}
	if (c != NULL)
		csvio_close(c);
	close(fd);
	FUZZ_ASSERT(fclose(w) == 0);
	*out = buf;
	return blen;
}

/* The night before: a CEB stream taken in and committed. */
static int
night_before(int mode, const uint8_t *data, size_t size)
{
	char path[32], err[256];
	int fd = fuzz_memfile(data, size, path, sizeof path), rc2, n = 0, bad = 0;
	struct input *in;
	struct stream *s;
	struct stream_doc d;
	struct stream_err e;

	if (open_load(mode, "night-before") != 0) {
		close(fd);
		teardown();
		return -1;
	}
	FUZZ_ASSERT((in = input_open(path, err, sizeof err)) != NULL);
	FUZZ_ASSERT((s = stream_open(in, "night-before.xml", NULL)) != NULL);
	while (n < 64 && (rc2 = stream_next(s, &d, &e)) != STREAM_EOF &&
	    rc2 != STREAM_FATAL) {
		if (rc2 == STREAM_DOC) {
			if (store_doc(&d, NULL) != 0)
				bad = 1;
			n++;
		}
	}
	stream_close(s);
	input_close(in);
	close(fd);
	/* As the tool: the state moves on only after a complete night. */
	rc2 = bad ? -1 : rstate_commit();
	teardown();
	return rc2;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s1, *s2, *r1, *r2;
	int mode;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	empty_dir();
	quiet_stdout(1);
	if (mode & 16) {
		if (night_before(mode, data, size) != 0) {
			quiet_stdout(0);
			return 0;
		}
	} else {
		const uint8_t *sep = memmem(data, size, SEP, strlen(SEP));
		size_t slen = sep ? (size_t)(sep - data) : size;

		FUZZ_ASSERT(mkdir(sdir, 0700) == 0 || access(sdir, W_OK) == 0);
		if (mode & 32) {
			char *sealed;
			size_t n = seal_state(data, slen, &sealed);

			put_file("state.csv", sealed, n);
			free(sealed);
		} else
			put_file("state.csv", data, slen);
		if (sep != NULL)
			put_spools((const char *)data, slen, sep + strlen(SEP),
			    size - slen - strlen(SEP));
	}

	/* Load what is there: refused, or committed as a new run. */
	if (open_load(mode, "fuzz-1") != 0) {
		teardown();
		quiet_stdout(0);
		return 0;
	}
	s1 = snapshot();
	if (getenv("FUZZ_VERBOSE"))	/* what a seed reaches */
		fprintf(stderr, "loaded:\n%s", s1);
	FUZZ_ASSERT(rstate_commit() == 0);
	teardown();
	r1 = store_rows();

	/* Loaded again: the same; committed again: the same rows. */
	FUZZ_ASSERT(open_load(mode, "fuzz-2") == 0);
	s2 = snapshot();
	if (strcmp(s1, s2) != 0)
		fprintf(stderr, "first load:\n%s\nsecond load:\n%s\n", s1, s2);
	FUZZ_ASSERT(strcmp(s1, s2) == 0);
	FUZZ_ASSERT(rstate_commit() == 0);
	teardown();
	r2 = store_rows();
	FUZZ_ASSERT(strcmp(r1, r2) == 0);
	quiet_stdout(0);
	free(s1);
	free(s2);
	free(r1);
	free(r2);
	return 0;
}
