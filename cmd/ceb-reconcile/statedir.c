/*
 * statedir.c: the state directory of ceb-reconcile (--state DIR).
 *
 *   lock                  taken exclusively for the whole run
 *   state.csv             the current state: pending records and the
 *                         ledger of matched parcels, ending in a row that
 *                         checks the rows above it (count and FNV-1a 64)
 *   state.prev.csv        the state before the run that wrote state.csv
 *   spool-<hash>.xml      the bytes of the pending messages, a CEB stream
 *                         named by the FNV-1a 64 of its contents
 *
 * A run is known by its run id (--run, default the --now date).  A run
 * whose id is the one that wrote state.csv redoes that run: it starts
 * from state.prev.csv, so running the same input again (after a kill, or
 * by hand) gives the same state, report and output as one run.  Files are
 * written in this order: the new spool, state.prev.csv (a copy of
 * state.csv, when a new run id begins), state.csv, then spool files no
 * state file names are removed.  Each step is atomic (state_commit()), so
 * a kill at any instant leaves a state that the next run reads correctly.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvio.h"
#include "diag.h"
#include "i18n.h"
#include "bstore.h"
#include "rec.h"
#include "state.h"
#include "fnv.h"

#define FORMAT "1"

static const char *const cols[] = { "kind", "type", "date", "source",
    "message", "line", "record", "spool", "offset", "length", "hash",
    "ebpCode", "orderNo", "logisticsCode", "logisticsNo", "payCode",
    "payTransactionId" };
enum { C_KIND, C_TYPE, C_DATE, C_SOURCE, C_MESSAGE, C_LINE, C_RECORD,
    C_SPOOL, C_OFFSET, C_LENGTH, C_HASH, C_EBP, C_ORDERNO, C_LCODE, C_LNO,
    C_PAYCODE, C_PAYTX, C_N };

static int lockfd = -1;
static int redo;		/* this run id wrote state.csv: start from prev */
static int have_cur;
static char **base_spools;		/* spool files the base state names */
static size_t nbase;

static const char *
spath(const char *name)
{
	static char buf[4][4096];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", rc.statedir, name);
	return buf[i];
}

static uint64_t
row_sum(uint64_t h, const char *const *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h = fnv64(h, f[i], strlen(f[i]));
		h = fnv64(h, "\x1f", 1);
	}
	return fnv64(h, "\x1e", 1);
}

static int
valid_spool_name(const char *s)
{
	size_t i;

	if (strncmp(s, "spool-", 6) != 0 || strlen(s) != 6 + 16 + 4 ||
	    strcmp(s + 22, ".xml") != 0)
		return 0;
	for (i = 6; i < 22; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return 0;
	return 1;
}

static int
code_type(const char *s)
{
	static const char *const codes[RT_N] = { "311", "411", "511", "621" };
	int i;

	for (i = 0; i < RT_N; i++)
		if (strcmp(s, codes[i]) == 0)
			return i;
	return -1;
}

/* A pending message being gathered from consecutive rows. */
struct group {
	char spool[32];
	uint64_t off;
	uint32_t len;
	int type;
	char *source;
	long index, line;
	unsigned char want[65536];
	uint32_t days[65536];
	uint64_t hashes[65536];
	long csvline;
	int used;
};

static struct group grp;

static int
load_group(const char *file)
{
	char *bytes;
	int fd, r;

	if (!grp.used)
		return 0;
	grp.used = 0;
	if ((bytes = malloc(grp.len ? grp.len : 1)) == NULL) {
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	}
	fd = open(spath(grp.spool), O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pread(fd, bytes, grp.len, (off_t)grp.off) !=
	    (ssize_t)grp.len) {
		diag_trouble(file, grp.csvline,
		    _("damaged state: cannot read %u bytes at %" PRIu64
		    " of %s: %s"), grp.len, grp.off, grp.spool,
		    fd < 0 ? strerror(errno) : _("short file"));
		if (fd >= 0)
			close(fd);
		free(bytes);
		return -1;
	}
	close(fd);
	rc.loading = 1;
	rc.load_want = grp.want;
	rc.load_days = grp.days;
	rc.load_hashes = grp.hashes;
	rc.load_src = grp.source;
	rc.load_index = grp.index;
	rc.load_line = grp.line;
	rc.load_bad = 0;
	r = store_state_msg(bytes, grp.len, grp.spool);
	rc.loading = 0;
	free(bytes);
	free(grp.source);
	grp.source = NULL;
	if (r != 0) {
		diag_trouble(file, grp.csvline,
		    _("damaged state: the message at %" PRIu64 " of %s does "
		    "not match its rows%s"), grp.off, grp.spool,
		    rc.load_bad ? _(" (content hash)") : "");
		return -1;
	}
	memset(grp.want, 0, sizeof grp.want);
	return 0;
}

static int
parse_u64(const char *s, uint64_t *out, int base)
{
	char *end;

	if (*s == '\0')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, base);
	return errno || *end ? -1 : 0;
}

/* One pending row into the current group. */
static int
pending_row(const char *file, long line, char **f)
{
	uint64_t off, len, rec, msgi, mline, hash;
	long day = day_parse(f[C_DATE]);
	int t = code_type(f[C_TYPE]);

	if (t < 0 || day < 0 || !valid_spool_name(f[C_SPOOL]) ||
	    parse_u64(f[C_OFFSET], &off, 10) || parse_u64(f[C_LENGTH], &len,
	    10) || parse_u64(f[C_RECORD], &rec, 10) || rec < 1 ||
	    rec > 65535 || parse_u64(f[C_MESSAGE], &msgi, 10) ||
	    parse_u64(f[C_LINE], &mline, 10) || parse_u64(f[C_HASH], &hash,
	    16) || len == 0 || len > UINT32_MAX) {
		diag_trouble(file, line, _("damaged state: bad pending row"));
		return -1;
	}
	if (grp.used && (strcmp(grp.spool, f[C_SPOOL]) != 0 ||
	    grp.off != off)) {
		if (load_group(file) != 0)
			return -1;
	}
	if (!grp.used) {
		grp.used = 1;
		snprintf(grp.spool, sizeof grp.spool, "%s", f[C_SPOOL]);
		grp.off = off;
		grp.len = (uint32_t)len;
		grp.type = t;
		grp.source = strdup(f[C_SOURCE]);
		grp.index = (long)msgi;
		grp.line = (long)mline;
		grp.csvline = line;
	} else if (grp.type != t || grp.len != len) {
		diag_trouble(file, line, _("damaged state: bad pending row"));
		return -1;
	}
	grp.want[rec - 1] = 1;
	grp.days[rec - 1] = (uint32_t)day;
	grp.hashes[rec - 1] = hash;
	return 0;
}

static long
done_key(struct keyidx *x, const char *a, const char *b)
{
	char buf[512];
	size_t la = strlen(a), lb = strlen(b);

	if (!*a || !*b || la + lb + 1 > sizeof buf)
		return -1;
	memcpy(buf, a, la);
	buf[la] = '\0';
	memcpy(buf + la + 1, b, lb);
	return keyidx_put(x, buf, la + lb + 1, NULL);
}

static int
done_row(const char *file, long line, char **f)
{
	long day = day_parse(f[C_DATE]), pk, wk, yk;
	uint64_t hash;

	if (day < 0 || parse_u64(f[C_HASH], &hash, 16)) {
		diag_trouble(file, line, _("damaged state: bad done row"));
		return -1;
	}
	if (rc.now - day >= rc.keep)
		return 0;	/* forgotten after --keep-matched days */
	pk = done_key(rc.pk, f[C_EBP], f[C_ORDERNO]);
	wk = done_key(rc.wk, f[C_LCODE], f[C_LNO]);
	yk = done_key(rc.yk, f[C_PAYCODE], f[C_PAYTX]);
	if (store_grow_keys() != 0)
		goto nomem;
	if (pk >= 0)
		rc.pks[pk].done = 0;
	if (wk >= 0)
		rc.wks[wk].done = 0;
	if (yk >= 0)
		rc.yks[yk].done = 0;
	if (store_done_add(pk >= 0 ? (uint32_t)pk : NONE,
	    wk >= 0 ? (uint32_t)wk : NONE, yk >= 0 ? (uint32_t)yk : NONE,
	    (uint32_t)day, hash) < 0)
		goto nomem;
	return 0;
nomem:
	diag_trouble(NULL, 0, _("out of memory"));
	return -1;
}

/*
 * Read and check a state file; with load, take its contents in.  run
 * receives the run id.  With load 2, stop as soon as the run row shows
 * that this run id wrote the file and return 1 (the run is a redo).
 * Returns 0, or -1 after reporting the trouble.
 */
static int
read_state(const char *name, int load, char *run, size_t runlen,
    char ***spools, size_t *nspools)
{
	char file[4096], err[512], **f, sum[32];
	struct csvio *c;
	int col[C_N], i, ended = 0, seen_run = 0;
	uint64_t h = FNV64_INIT, rows = 0;
	size_t n;
	int r;

	snprintf(file, sizeof file, "%s", spath(name));
	if ((c = csvio_open(file, err, sizeof err)) == NULL) {
		diag_trouble(file, 0, _("cannot read state: %s"), err);
		return -1;
	}
	for (i = 0; i < C_N; i++)
		if ((col[i] = csvio_col(c, cols[i])) < 0) {
			diag_trouble(file, 1, _("damaged state: no column %s"),
			    cols[i]);
			csvio_close(c);
			return -1;
		}
	while ((r = csvio_next(c, &f, &n)) == 1) {
		char *v[C_N];
		long line = csvio_line(c);

		for (i = 0; i < C_N; i++)
			v[i] = (char *)csvio_get(c, col[i]);
		if (ended) {
			diag_trouble(file, line,
			    _("damaged state: rows after the end row"));
			goto bad;
		}
		if (strcmp(v[C_KIND], "end") == 0) {
			snprintf(sum, sizeof sum, "%016" PRIx64, h);
			if (strtoull(v[C_OFFSET], NULL, 10) != rows ||
			    strcmp(v[C_HASH], sum) != 0) {
				diag_trouble(file, line,
				    _("damaged state: the end row does not "
				    "match the %" PRIu64 " rows above it"),
				    rows);
				goto bad;
			}
			ended = 1;
			continue;
		}
		h = row_sum(h, (const char *const *)f, n);
		rows++;
		if (strcmp(v[C_KIND], "run") == 0 && !seen_run) {
			char sh[32] = "";

			seen_run = 1;
			snprintf(run, runlen, "%s", v[C_SOURCE]);
			if (rc.shard.n)
				snprintf(sh, sizeof sh, "%u/%u", rc.shard.k,
				    rc.shard.n);
			if (strcmp(v[C_RECORD], FORMAT) != 0) {
				diag_trouble(file, line,
				    _("state format %s is not %s"),
				    v[C_RECORD], FORMAT);
				goto bad;
			}
			if (strcmp(v[C_SPOOL], sh) != 0) {
				diag_trouble(file, line,
				    _("state of shard \"%s\", this run is "
				    "shard \"%s\""), v[C_SPOOL], sh);
				goto bad;
			}
			if (load == 2 && strcmp(run, rc.run) == 0) {
				csvio_close(c);
				return 1;
			}
			if (load && *v[C_DATE] &&
			    day_parse(v[C_DATE]) > rc.now) {
				diag_trouble(file, line,
				    _("the state is of %s, later than --now"),
				    v[C_DATE]);
				goto bad;
			}
		} else if (strcmp(v[C_KIND], "pending") == 0) {
			if (spools && (*nspools == 0 ||
			    strcmp((*spools)[*nspools - 1], v[C_SPOOL]) != 0)) {
				char **p = realloc(*spools, (*nspools + 1) *
				    sizeof *p);

				if (p == NULL)
					goto bad;
				*spools = p;
				p[(*nspools)++] = strdup(v[C_SPOOL]);
			}
			if (load && pending_row(file, line, v) != 0)
				goto bad;
		} else if (strcmp(v[C_KIND], "done") == 0) {
			if (load && done_row(file, line, v) != 0)
				goto bad;
		} else {
			diag_trouble(file, line,
			    _("damaged state: unknown row kind \"%s\""),
			    v[C_KIND]);
			goto bad;
		}
	}
	if (r < 0) {
		diag_trouble(file, csvio_line(c), _("damaged state: %s"),
		    csvio_error(c));
		goto bad;
	}
	if (!ended || !seen_run) {
		diag_trouble(file, csvio_line(c),
		    _("damaged state: no %s row (truncated file?)"),
		    ended ? "run" : "end");
		goto bad;
	}
	if (load && load_group(file) != 0)
		goto bad;
	csvio_close(c);
	return 0;
bad:
	grp.used = 0;
	csvio_close(c);
	return -1;
}

/*
 * Remove what a killed run may have left: temporary state files and run
 * spools (which a run unlinks as soon as it has opened them).
 */
static void
clean_temps(void)
{
	DIR *d = opendir(rc.statedir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if ((strstr(e->d_name, ".tmp.") != NULL &&
		    (strncmp(e->d_name, "state.", 6) == 0 ||
		    strncmp(e->d_name, "spool-", 6) == 0)) ||
		    strncmp(e->d_name, "ceb-reconcile-run.", 18) == 0)
			unlink(spath(e->d_name));
	closedir(d);
}

int
statedir_open(void)
{
	char err[512];
	int busy;

	if (state_mkdir(rc.statedir, err, sizeof err) != 0) {
		diag_trouble(NULL, 0, "%s", err);
		return -1;
	}
	if ((lockfd = state_lock(spath("lock"), &busy, err, sizeof err)) < 0) {
		diag_trouble(NULL, 0, "%s", err);
		return -1;
	}
	clean_temps();
	return 0;
}

int
statedir_load(void)
{
	char run[128] = "";
	struct stat st;
	int r;

	have_cur = stat(spath("state.csv"), &st) == 0;
	if (!have_cur)
		return 0;
	/* One pass: the run row comes first and says whether to redo. */
	if ((r = read_state("state.csv", 2, run, sizeof run, &base_spools,
	    &nbase)) <= 0)
		return r;
	redo = 1;
	if (stat(spath("state.prev.csv"), &st) != 0) {
		diag_trouble(spath("state.prev.csv"), 0,
		    _("damaged state: missing (needed to redo run %s)"),
		    rc.run);
		return -1;
	}
	return read_state("state.prev.csv", 1, run, sizeof run, &base_spools,
	    &nbase);
}

void
statedir_close(void)
{
	state_unlock(lockfd);
	lockfd = -1;
}

void
statedir_end(void)
{
	size_t i;

	for (i = 0; i < nbase; i++)
		free(base_spools[i]);
	free(base_spools);
	base_spools = NULL;
	nbase = 0;
	redo = have_cur = 0;
	free(grp.source);
	grp.source = NULL;
	grp.used = 0;
}

static int
commit(struct state_out *o)
{
	char err[512];

	if (state_commit(o, err, sizeof err) != 0) {
		diag_trouble(NULL, 0, "%s", err);
		return -1;
	}
	return 0;
}

static int
put_row(FILE *f, const char *const *v, uint64_t *h, uint64_t *rows)
{
	*h = row_sum(*h, v, C_N);
	(*rows)++;
	return csvio_write_row(f, v, C_N);
}

/* Copy state.csv to state.prev.csv, or write an empty one. */
static int
write_prev(void)
{
	char err[512], buf[65536];
	struct state_out *o;
	FILE *out;

	if ((o = state_create(spath("state.prev.csv"), 0, 0600, err,
	    sizeof err)) == NULL) {
		diag_trouble(NULL, 0, "%s", err);
		return -1;
	}
	out = state_file(o);
	if (have_cur) {
		FILE *in = fopen(spath("state.csv"), "r");
		size_t n;

		if (in == NULL) {
			diag_trouble(spath("state.csv"), 0, "%s",
			    strerror(errno));
			state_abort(o);
			return -1;
		}
		while ((n = fread(buf, 1, sizeof buf, in)) > 0)
			fwrite(buf, 1, n, out);
		fclose(in);
	} else {
		const char *v[C_N];
		uint64_t h = FNV64_INIT, rows = 0;
		char sh[32] = "", cnt[32], sum[32];
		int i;

		for (i = 0; i < C_N; i++)
			v[i] = "";
		fputs("# ceb-reconcile state (empty: before the first run)\n",
		    out);
		csvio_write_row(out, cols, C_N);
		if (rc.shard.n)
			snprintf(sh, sizeof sh, "%u/%u", rc.shard.k,
			    rc.shard.n);
		v[C_KIND] = "run";
		v[C_RECORD] = FORMAT;
		v[C_SPOOL] = sh;
		put_row(out, v, &h, &rows);
		for (i = 0; i < C_N; i++)
			v[i] = "";
		snprintf(cnt, sizeof cnt, "%" PRIu64, rows);
		snprintf(sum, sizeof sum, "%016" PRIx64, h);
		v[C_KIND] = "end";
		v[C_OFFSET] = cnt;
		v[C_HASH] = sum;
		csvio_write_row(out, v, C_N);
	}
	return commit(o);
}

static void
split_key(struct keyidx *x, uint32_t id, char *a, char *b, size_t n)
{
	const char *k;
	size_t len, la;

	*a = *b = '\0';
	if (id == NONE)
		return;
	k = keyidx_key(x, id, &len);
	la = strnlen(k, len);
	snprintf(a, n, "%.*s", (int)la, k);
	if (la < len)
		snprintf(b, n, "%.*s", (int)(len - la - 1), k + la + 1);
}

/* The pending messages in a new spool file; newoff[msg] their offsets. */
static int
write_spool(uint64_t *newoff, char *name, size_t namelen)
{
	char err[512], *buf = NULL, tmpname[64];
	const char *p;
	size_t cap = 0, i;
	uint64_t h = FNV64_INIT, off = 0;
	struct state_out *o = NULL;
	int pass, any = 0;

	*name = '\0';
	for (pass = 0; pass < 2; pass++) {
		FILE *out = NULL;

		if (pass == 1) {
			if (!any)
				break;
			snprintf(name, namelen, "spool-%016" PRIx64 ".xml", h);
			snprintf(tmpname, sizeof tmpname, "%s", name);
			if ((o = state_create(spath(tmpname), 0, 0600, err,
			    sizeof err)) == NULL) {
				diag_trouble(NULL, 0, "%s", err);
				free(buf);
				return -1;
			}
			out = state_file(o);
		}
		off = 0;
		for (i = 0; i < rc.nmsgs; i++) {
			const struct rmsg *m = &rc.msgs[i];
			unsigned j;

			newoff[i] = UINT64_MAX;
			for (j = 0; j < m->nrec; j++)
				if (rc.recs[m->first + j].state == ST_LIVE)
					break;
			if (j == m->nrec)
				continue;
			any = 1;
			if ((p = bs_get(m->off, m->len, &buf, &cap)) == NULL)
				goto fail;
			newoff[i] = off;
			if (pass == 0) {
				h = fnv64(h, p, m->len);
				h = fnv64(h, "\n", 1);
			} else if (fwrite(p, 1, m->len, out) != m->len ||
			    putc('\n', out) == EOF) {
				diag_trouble(NULL, 0, "%s", strerror(errno));
				goto fail;
			}
			off += m->len + 1;
		}
		if (pass == 1 && commit(o) != 0) {
			free(buf);
			return -1;
		}
	}
	free(buf);
	return 0;
fail:
	if (pass == 1)
		state_abort(o);
	free(buf);
	return -1;
}

static int
write_state(const uint64_t *newoff, const char *spool)
{
	char err[512], day[16], sh[32] = "", cnt[32], sum[32], hash[32];
	char k[6][256], msgi[24], line[24], recno[24], off[24], len[24];
	static struct flds f;
	struct state_out *o;
	const char *v[C_N];
	uint64_t h = FNV64_INIT, rows = 0;
	FILE *out;
	size_t i;
	int j;

	if ((o = state_create(spath("state.csv"), 0, 0600, err,
	    sizeof err)) == NULL) {
		diag_trouble(NULL, 0, "%s", err);
		return -1;
	}
	out = state_file(o);
	fputs("# ceb-reconcile state: documents waiting for their "
	    "counterparts, parcels matched.\n# Written by the tool; the end "
	    "row checks the rows above it.  See ceb-reconcile(1).\n", out);
	csvio_write_row(out, cols, C_N);
	for (j = 0; j < C_N; j++)
		v[j] = "";
	if (rc.shard.n)
		snprintf(sh, sizeof sh, "%u/%u", rc.shard.k, rc.shard.n);
	day_format(rc.now, day, sizeof day);
	v[C_KIND] = "run";
	v[C_DATE] = day;
	v[C_SOURCE] = rc.run;
	v[C_RECORD] = FORMAT;
	v[C_SPOOL] = sh;
	put_row(out, v, &h, &rows);
	for (i = 0; i < rc.ndone; i++) {
		const struct done *d = &rc.done[i];

		if (rc.now - (long)d->day >= rc.keep)
			continue;
		for (j = 0; j < C_N; j++)
			v[j] = "";
		day_format(d->day, day, sizeof day);
		snprintf(hash, sizeof hash, "%016" PRIx64, d->hash);
		split_key(rc.pk, d->pk, k[0], k[1], sizeof k[0]);
		split_key(rc.wk, d->wk, k[2], k[3], sizeof k[0]);
		split_key(rc.yk, d->yk, k[4], k[5], sizeof k[0]);
		v[C_KIND] = "done";
		v[C_TYPE] = "621";
		v[C_DATE] = day;
		v[C_HASH] = hash;
		v[C_EBP] = k[0];
		v[C_ORDERNO] = k[1];
		v[C_LCODE] = k[2];
		v[C_LNO] = k[3];
		v[C_PAYCODE] = k[4];
		v[C_PAYTX] = k[5];
		put_row(out, v, &h, &rows);
	}
	for (i = 0; i < rc.nrecs; i++) {
		const struct rrec *r = &rc.recs[i];
		const struct rmsg *m = &rc.msgs[r->msg];
		static const char *const codes[RT_N] = { "311", "411", "511",
		    "621" };

		if (r->state != ST_LIVE)
			continue;
		if (fields_read(&f, r) != 0)
			goto fail;
		for (j = 0; j < C_N; j++)
			v[j] = "";
		day_format(r->first_seen, day, sizeof day);
		snprintf(hash, sizeof hash, "%016" PRIx64, r->hash);
		snprintf(msgi, sizeof msgi, "%u", m->index);
		snprintf(line, sizeof line, "%u", m->line);
		snprintf(recno, sizeof recno, "%u", r->recno);
		snprintf(off, sizeof off, "%" PRIu64, newoff[r->msg]);
		snprintf(len, sizeof len, "%u", m->len);
		v[C_KIND] = "pending";
		v[C_TYPE] = codes[r->type];
		v[C_DATE] = day;
		v[C_SOURCE] = rc.srcs[m->src];
		v[C_MESSAGE] = msgi;
		v[C_LINE] = line;
		v[C_RECORD] = recno;
		v[C_SPOOL] = spool;
		v[C_OFFSET] = off;
		v[C_LENGTH] = len;
		v[C_HASH] = hash;
		switch (r->type) {
		case RT_WAY:
			v[C_LCODE] = f.h[W_LCODE];
			v[C_LNO] = f.h[W_LNO];
			break;
		case RT_PAY:
			v[C_PAYCODE] = f.h[P_PAYCODE];
			v[C_PAYTX] = f.h[P_PAYTX];
			/* FALLTHROUGH */
		case RT_ORDER:
			v[C_EBP] = f.h[0];
			v[C_ORDERNO] = f.h[1];
			break;
		default:
			v[C_EBP] = f.h[I_EBP];
			v[C_ORDERNO] = f.h[I_ORDERNO];
			v[C_LCODE] = f.h[I_LCODE];
			v[C_LNO] = f.h[I_LNO];
		}
		put_row(out, v, &h, &rows);
	}
	for (j = 0; j < C_N; j++)
		v[j] = "";
	snprintf(cnt, sizeof cnt, "%" PRIu64, rows);
	snprintf(sum, sizeof sum, "%016" PRIx64, h);
	v[C_KIND] = "end";
	v[C_OFFSET] = cnt;
	v[C_HASH] = sum;
	csvio_write_row(out, v, C_N);
	return commit(o);
fail:
	state_abort(o);
	return -1;
}

/*
 * Remove spool files that neither state file names: the new state names
 * spool, the previous state is the base this run loaded (state.csv
 * before a new run id, state.prev.csv for a redo), whose spool files
 * were noted while loading it.
 */
static void
collect(const char *spool)
{
	DIR *d;
	struct dirent *e;
	size_t i;

	if ((d = opendir(rc.statedir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!valid_spool_name(e->d_name) || strcmp(e->d_name, spool) == 0)
			continue;
		for (i = 0; i < nbase; i++)
			if (base_spools[i] && strcmp(base_spools[i], e->d_name) == 0)
				break;
		if (i == nbase)
			unlink(spath(e->d_name));
	}
	closedir(d);
}

int
statedir_commit(void)
{
	uint64_t *newoff = calloc(rc.nmsgs + 1, sizeof *newoff);
	char spool[64];
	int r = -1;

	if (newoff == NULL) {
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	}
	if (write_spool(newoff, spool, sizeof spool) != 0)
		goto out;
	if (!redo && write_prev() != 0)
		goto out;
	if (write_state(newoff, spool) != 0)
		goto out;
	collect(spool);
	r = 0;
out:
	free(newoff);
	return r;
}
