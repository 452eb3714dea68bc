/*
 * rconvert.c: the state directory of the release before the SQLite
 * store, taken over by the store on first use (rstate.c).
 *
 * That release kept, in the state directory: state.csv (the pending
 * records and the matched parcels after the latest run, a run row first,
 * an end row checking the rows above it: count and FNV-1a 64),
 * state.prev.csv (the same before the latest run, for a redo) and
 * spool-<hash>.xml files holding the bytes of the pending messages.
 *
 * While the store has no run yet, state.csv and state.prev.csv are first
 * renamed *.converted (so that a later run never reads them again), then
 * read from there, each checked as that release checked it; every
 * pending message goes to the store with its bytes, every pending record
 * and matched parcel as a row.  state.prev.csv becomes a run of its own
 * before the latest run, whose rows it took out are marked so: a run
 * that redoes the latest run (same run id) starts from state.prev.csv as
 * before.  Everything is in the run's transaction: a run that fails
 * commits nothing, and the next run converts again from the *.converted
 * files.  The spool files are left in place.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvio.h"
#include "diag.h"
#include "fnv.h"
#include "i18n.h"
#include "keyidx.h"
#include "rec.h"
#include "store.h"

static const char *const cols[] = { "kind", "type", "date", "source",
    "message", "line", "record", "spool", "offset", "length", "hash",
    "ebpCode", "orderNo", "logisticsCode", "logisticsNo", "payCode",
    "payTransactionId" };
enum { C_KIND, C_TYPE, C_DATE, C_SOURCE, C_MESSAGE, C_LINE, C_RECORD,
    C_SPOOL, C_OFFSET, C_LENGTH, C_HASH, C_EBP, C_ORDERNO, C_LCODE, C_LNO,
    C_PAYCODE, C_PAYTX, C_N };

struct conv {
	struct store *st;
	struct keyidx *msgs;	/* message digest -> index in ids */
	long long *ids;		/* messages row per message digest */
	size_t capids;
	struct keyidx *recs;	/* digest/record -> index in kept */
	unsigned char *kept;	/* prev's record also in state.csv */
	size_t capkept;
	struct keyidx *done;	/* prev's matched rows */
	long long seq;
	char *bytes;		/* the current group's message */
	char gkey[64];		/* spool name and offset of that message */
	char gdig[STORE_HEX_LEN];
	long long gid;
};

static const char *
dpath(const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", rc.statedir, name);
	return buf;
}

static uint64_t
row_sum(uint64_t h, char *const *f, size_t n)
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
grow_ll(long long **p, size_t *cap, size_t need)
{
	while (*cap <= need) {
		size_t nc = *cap ? *cap * 2 : 256;
		long long *q = realloc(*p, nc * sizeof *q);

		if (q == NULL)
			return -1;
		*p = q;
		*cap = nc;
	}
	return 0;
}

/*
 * The message of a pending row: read it from its spool file, once per
 * (spool, offset) run of rows, and give it a messages row (once per
 * digest over both files).
 */
static int
group(struct conv *c, const char *file, long line, char **v)
{
	char key[64], p[4096];
	unsigned char dg[STORE_DIGEST_LEN];
	unsigned long long off, len;
	int fd, added;
	long x;
	char *end;

	snprintf(key, sizeof key, "%s@%s", v[C_SPOOL], v[C_OFFSET]);
	if (c->gid != 0 && strcmp(key, c->gkey) == 0)
		return 0;
	errno = 0;
	off = strtoull(v[C_OFFSET], &end, 10);
	if (errno || *end || !*v[C_OFFSET])
		goto bad;
	len = strtoull(v[C_LENGTH], &end, 10);
	if (errno || *end || len == 0 || len > UINT32_MAX ||
	    !valid_spool_name(v[C_SPOOL]))
		goto bad;
	free(c->bytes);
	if ((c->bytes = malloc(len)) == NULL) {
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	}
	fd = open(dpath(v[C_SPOOL], p, sizeof p), O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd < 0 || pread(fd, c->bytes, len, (off_t)off) != (ssize_t)len) {
		diag_trouble(file, line,
		    _("damaged state: cannot read %llu bytes at %llu of %s: "
		    "%s"), len, off, v[C_SPOOL],
		    fd < 0 ? strerror(errno) : _("short file"));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (store_doc_digest(c->bytes, len, dg) != 0) {
		diag_trouble(NULL, 0, _("cannot compute a digest"));
		return -1;
	}
	store_hex(dg, c->gdig);
	snprintf(c->gkey, sizeof c->gkey, "%s", key);
	if ((x = keyidx_put(c->msgs, c->gdig, strlen(c->gdig), &added)) < 0 ||
	    grow_ll(&c->ids, &c->capids, (size_t)x) != 0) {
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	}
	if (added) {
		static const char sql[] = "INSERT INTO messages(seq, type, "
		    "digest, source, message, line, bytes) VALUES (?1, ?2, "
		    "?3, ?4, ?5, ?6, ?7)";
		sqlite3_stmt *q = store_prepare(c->st, sql);

		if (q == NULL || store_bind(c->st, q, "itttiib", ++c->seq,
		    v[C_TYPE], c->gdig, v[C_SOURCE],
		    strtoll(v[C_MESSAGE], NULL, 10),
		    strtoll(v[C_LINE], NULL, 10), c->bytes, (size_t)len) != 0 ||
		    store_step(c->st, q) != 0)
			goto dberr;
		c->ids[x] = sqlite3_last_insert_rowid(store_db(c->st));
	}
	c->gid = c->ids[x];
	return 0;
bad:
	diag_trouble(file, line, _("damaged state: bad pending row"));
	return -1;
dberr:
	diag_trouble(file, line, "%s", store_errmsg(c->st));
	return -1;
}

static int
pending(struct conv *c, const char *file, long line, char **v,
    long long run, int is_prev)
{
	static const char sql[] = "INSERT INTO waiting(msg, record, type, "
	    "first_seen, hash, ebpCode, orderNo, logisticsCode, logisticsNo, "
	    "payCode, payTransactionId, added) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7, ?8, ?9, ?10, ?11, ?12)";
	char key[96], *end;
	long rec, x;
	int added;
	sqlite3_stmt *q;

	rec = strtol(v[C_RECORD], &end, 10);
	if (*end || rec < 1 || rec > 65535 || day_parse(v[C_DATE]) < 0 ||
	    strlen(v[C_HASH]) != 16 || strspn(v[C_HASH],
	    "0123456789abcdef") != 16 || (strcmp(v[C_TYPE], "311") != 0 &&
	    strcmp(v[C_TYPE], "411") != 0 && strcmp(v[C_TYPE], "511") != 0 &&
	    strcmp(v[C_TYPE], "621") != 0)) {
		diag_trouble(file, line, _("damaged state: bad pending row"));
		return -1;
	}
	if (group(c, file, line, v) != 0)
		return -1;
	snprintf(key, sizeof key, "%s/%ld", c->gdig, rec);
	if ((x = keyidx_put(c->recs, key, strlen(key), &added)) < 0) {
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	}
	while (c->capkept <= (size_t)x) {
		size_t nc = c->capkept ? c->capkept * 2 : 256;
		unsigned char *k = realloc(c->kept, nc);

		if (k == NULL) {
			diag_trouble(NULL, 0, _("out of memory"));
			return -1;
		}
		memset(k + c->capkept, 0, nc - c->capkept);
		c->kept = k;
		c->capkept = nc;
	}
	if (!added) {
		/* In state.prev.csv too: waiting since before the run. */
		if (!is_prev)
			c->kept[x] = 1;
		return 0;
	}
	if (!is_prev)
		c->kept[x] = 1;
	q = store_prepare(c->st, sql);
	if (q == NULL || store_bind(c->st, q, "iittttttttti", c->gid,
	    (long long)rec, v[C_TYPE], v[C_DATE], v[C_HASH], v[C_EBP],
	    v[C_ORDERNO], v[C_LCODE], v[C_LNO], v[C_PAYCODE], v[C_PAYTX],
	    run) != 0 || store_step(c->st, q) != 0) {
		diag_trouble(file, line, "%s", store_errmsg(c->st));
		return -1;
	}
	return 0;
}

static int
matched(struct conv *c, const char *file, long line, char **v,
    long long run)
{
	static const char sql[] = "INSERT INTO matched(day, hash, ebpCode, "
	    "orderNo, logisticsCode, logisticsNo, payCode, payTransactionId, "
	    "added) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	char key[2048];
	int added, i;
	sqlite3_stmt *q;

	if (day_parse(v[C_DATE]) < 0 || strlen(v[C_HASH]) != 16 ||
	    strspn(v[C_HASH], "0123456789abcdef") != 16) {
		diag_trouble(file, line, _("damaged state: bad done row"));
		return -1;
	}
	*key = '\0';
	for (i = C_DATE; i < C_N; i++)
		if (i == C_DATE || i == C_HASH || i >= C_EBP)
			snprintf(key + strlen(key), sizeof key - strlen(key),
			    "%s\x1f", v[i]);
	if (keyidx_put(c->done, key, strlen(key), &added) < 0) {
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	}
	if (!added)
		return 0;	/* state.prev.csv has it */
	q = store_prepare(c->st, sql);
	if (q == NULL || store_bind(c->st, q, "tttttttti", v[C_DATE],
	    v[C_HASH], v[C_EBP], v[C_ORDERNO], v[C_LCODE], v[C_LNO],
	    v[C_PAYCODE], v[C_PAYTX], run) != 0 || store_step(c->st, q) != 0) {
		diag_trouble(file, line, "%s", store_errmsg(c->st));
		return -1;
	}
	return 0;
}

/* The run that wrote a state file: its runs and reconcile_runs rows. */
static long long
add_run(struct conv *c, const char *name, char **v)
{
	static const char sql[] = "INSERT INTO reconcile_runs(run, run_id, "
	    "now, shard) VALUES (?1, ?2, ?3, ?4)";
	struct store_run run;
	sqlite3_stmt *q;
	char note[128];

	memset(&run, 0, sizeof run);
	snprintf(note, sizeof note, "converted from %s", name);
	run.tool = "ceb-reconcile";
	run.label = v[C_SOURCE];
	run.note = note;
	snprintf(run.identity, sizeof run.identity, "%s", v[C_SOURCE]);
	if (store_run_insert(c->st, &run) != 0 ||
	    (q = store_prepare(c->st, sql)) == NULL ||
	    store_bind(c->st, q, "ittt", run.id, v[C_SOURCE], v[C_DATE],
	    v[C_SPOOL]) != 0 || store_step(c->st, q) != 0)
		return -1;
	return run.id;
}

/*
 * Read one state file as that release did and take it in: its rows are
 * added by its run (prev: the run before it).  *run receives its run.
 */
static int
convert_file(struct conv *c, const char *name, int is_prev, long long *run)
{
	char file[4096], err[512], **f, sum[32];
	struct csvio *cv;
	int col[C_N], i, ended = 0;
	uint64_t h = FNV64_INIT, rows = 0;
	size_t n;
	int r;

	dpath(name, file, sizeof file);
	if ((cv = csvio_open(file, err, sizeof err)) == NULL) {
		diag_trouble(file, 0, _("cannot read state: %s"), err);
		return -1;
	}
	for (i = 0; i < C_N; i++)
		if ((col[i] = csvio_col(cv, cols[i])) < 0) {
			diag_trouble(file, 1, _("damaged state: no column %s"),
			    cols[i]);
			goto bad;
		}
	*run = 0;
	c->gid = 0;
	while ((r = csvio_next(cv, &f, &n)) == 1) {
		char *v[C_N];
		long line = csvio_line(cv);

		for (i = 0; i < C_N; i++)
			v[i] = (char *)csvio_get(cv, col[i]);
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
		h = row_sum(h, f, n);
		rows++;
		if (*run == 0) {
			if (strcmp(v[C_KIND], "run") != 0) {
				diag_trouble(file, line,
				    _("damaged state: no run row"));
				goto bad;
			}
			if (strcmp(v[C_RECORD], "1") != 0) {
				diag_trouble(file, line,
				    _("state format %s is not %s"),
				    v[C_RECORD], "1");
				goto bad;
			}
			if ((*run = add_run(c, name, v)) < 0) {
				diag_trouble(file, line, "%s",
				    store_errmsg(c->st));
				goto bad;
			}
		} else if (strcmp(v[C_KIND], "pending") == 0) {
			if (pending(c, file, line, v, *run, is_prev) != 0)
				goto bad;
		} else if (strcmp(v[C_KIND], "done") == 0) {
			if (matched(c, file, line, v, *run) != 0)
				goto bad;
		} else {
			diag_trouble(file, line,
			    _("damaged state: unknown row kind \"%s\""),
			    v[C_KIND]);
			goto bad;
		}
	}
	if (r < 0) {
		diag_trouble(file, csvio_line(cv), _("damaged state: %s"),
		    csvio_error(cv));
		goto bad;
	}
	if (!ended || *run == 0) {
		diag_trouble(file, csvio_line(cv),
		    _("damaged state: no %s row (truncated file?)"),
		    ended ? "run" : "end");
		goto bad;
	}
	csvio_close(cv);
	return 0;
bad:
	csvio_close(cv);
	return -1;
}

/* The records of state.prev.csv that state.csv no longer has were taken
 * out by the latest run. */
static int
mark_removed(struct conv *c, long long prev, long long cur)
{
	static const char sql[] = "UPDATE waiting SET removed = ?1 WHERE "
	    "msg = ?2 AND record = ?3 AND added = ?4";
	size_t i, n = keyidx_count(c->recs);

	for (i = 0; i < n; i++) {
		const char *k, *slash;
		size_t len;
		long x;
		sqlite3_stmt *q;

		if (i < c->capkept && c->kept[i])
			continue;
		k = keyidx_key(c->recs, (uint32_t)i, &len);
		slash = memchr(k, '/', len);
		if (slash == NULL || (x = keyidx_get(c->msgs, k,
		    (size_t)(slash - k))) < 0)
			continue;
		q = store_prepare(c->st, sql);
		if (q == NULL || store_bind(c->st, q, "iiii", cur, c->ids[x],
		    strtoll(slash + 1, NULL, 10), prev) != 0 ||
		    store_step(c->st, q) != 0)
			return -1;
	}
	return 0;
}

static int
move_aside(const char *name, int *have)
{
	char a[4096], b[4096], conv[256];
	struct stat sb;

	snprintf(conv, sizeof conv, "%s.converted", name);
	*have = 0;
	if (lstat(dpath(name, a, sizeof a), &sb) == 0) {
		if (rename(a, dpath(conv, b, sizeof b)) != 0) {
			diag_trouble(a, 0, _("cannot move the old state aside "
			    "to convert it: %s"), strerror(errno));
			return -1;
		}
		*have = 1;
	} else if (lstat(dpath(conv, b, sizeof b), &sb) == 0)
		*have = 1;
	return 0;
}

int
rconvert(struct store *st)
{
	struct conv c;
	long long prev = 0, cur = 0;
	int have_cur, have_prev, rv = -1;
	long long runs = store_int(st, "SELECT count(*) FROM reconcile_runs",
	    0);
	char p[4096];
	struct stat sb;

	if (runs != 0) {
		if (runs < 0) {
			diag_trouble(NULL, 0, "%s", store_errmsg(st));
			return -1;
		}
		return 0;
	}
	if (lstat(dpath("state.csv", p, sizeof p), &sb) != 0 &&
	    lstat(dpath("state.csv.converted", p, sizeof p), &sb) != 0)
		return 0;	/* nothing to convert */
	if (move_aside("state.prev.csv", &have_prev) != 0 ||
	    move_aside("state.csv", &have_cur) != 0)
		return -1;
	memset(&c, 0, sizeof c);
	c.st = st;
	if ((c.msgs = keyidx_new()) == NULL || (c.recs = keyidx_new()) ==
	    NULL || (c.done = keyidx_new()) == NULL) {
		diag_trouble(NULL, 0, _("out of memory"));
		goto out;
	}
	if (have_prev && convert_file(&c, "state.prev.csv.converted", 1,
	    &prev) != 0)
		goto out;
	if (have_cur && convert_file(&c, "state.csv.converted", 0,
	    &cur) != 0)
		goto out;
	if (prev && cur && mark_removed(&c, prev, cur) != 0) {
		diag_trouble(NULL, 0, "%s", store_errmsg(st));
		goto out;
	}
	rv = 0;
out:
	keyidx_free(c.msgs);
	keyidx_free(c.recs);
	keyidx_free(c.done);
	free(c.ids);
	free(c.kept);
	free(c.bytes);
	return rv;
}
