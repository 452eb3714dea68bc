/*
 * rstate.c: ceb-reconcile's state (--state DIR) in the SQLite store
 * DIR/state.db (common/store.h; cebtools-state(5) has the schema).
 *
 *   messages   the bytes of every message that still has a record waiting
 *              (or had one before the latest run), in order of arrival;
 *   waiting    one row per waiting record: its message, record number,
 *              type, day first seen, content hash and keys, the run that
 *              left it waiting (added) and the run that took it out
 *              (removed, NULL while it waits);
 *   matched    the ledger of matched parcels (--keep-matched days);
 *   reconcile_runs  per run: its run id (--run, or the --now date and the
 *              digest of the input), its --now date and its shard.
 *
 * A run is known by its run id.  A run whose id is the latest run's
 * redoes it: it starts from the state before that run (the rows the
 * latest run added are left out, those it took out are back), and its
 * commit first undoes the latest run, so that running the same input
 * again (after a kill, or by hand) gives the same state, report and
 * output as one run.  The rows a run took out are kept until the next
 * run commits, for that reason only.  Everything a run writes is in the
 * store's one transaction: a run is committed once or not at all.
 *
 * The state directory of the release before the store (state.csv,
 * state.prev.csv and spool files) is converted on first use (rconvert.c).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bstore.h"
#include "diag.h"
#include "i18n.h"
#include "rec.h"
#include "state.h"
#include "store.h"

static const char *const migrations[] = {
	STORE_SCHEMA_COMMON
	"CREATE TABLE reconcile_runs("
	"  run INTEGER PRIMARY KEY REFERENCES runs(id),"
	"  run_id TEXT NOT NULL,"
	"  now TEXT NOT NULL,"
	"  shard TEXT NOT NULL DEFAULT '',"
	"  redo INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE messages("
	"  id INTEGER PRIMARY KEY,"
	"  seq INTEGER NOT NULL,"
	"  type TEXT NOT NULL,"
	"  digest TEXT NOT NULL,"
	"  source TEXT NOT NULL,"
	"  message INTEGER NOT NULL,"
	"  line INTEGER NOT NULL,"
	"  bytes BLOB NOT NULL);"
	"CREATE INDEX messages_seq ON messages(seq);"
	"CREATE TABLE waiting("
	"  msg INTEGER NOT NULL REFERENCES messages(id),"
	"  record INTEGER NOT NULL,"
	"  type TEXT NOT NULL,"
	"  first_seen TEXT NOT NULL,"
	"  hash TEXT NOT NULL,"
	"  ebpCode TEXT, orderNo TEXT, logisticsCode TEXT, logisticsNo TEXT,"
	"  payCode TEXT, payTransactionId TEXT,"
	"  added INTEGER NOT NULL REFERENCES runs(id),"
	"  removed INTEGER REFERENCES runs(id),"
	"  PRIMARY KEY(msg, record)) WITHOUT ROWID;"
	"CREATE INDEX waiting_removed ON waiting(removed);"
	"CREATE INDEX waiting_added ON waiting(added);"
	"CREATE INDEX waiting_order ON waiting(ebpCode, orderNo);"
	"CREATE INDEX waiting_waybill ON waiting(logisticsCode, logisticsNo);"
	"CREATE TABLE matched("
	"  id INTEGER PRIMARY KEY,"
	"  day TEXT NOT NULL,"
	"  hash TEXT NOT NULL,"
	"  ebpCode TEXT, orderNo TEXT, logisticsCode TEXT, logisticsNo TEXT,"
	"  payCode TEXT, payTransactionId TEXT,"
	"  added INTEGER NOT NULL REFERENCES runs(id));"
	"CREATE INDEX matched_added ON matched(added);"
	"CREATE VIEW waiting_now AS SELECT w.type, w.first_seen,"
	"  w.ebpCode, w.orderNo, w.logisticsCode, w.logisticsNo, w.payCode,"
	"  w.payTransactionId, m.source, m.message, m.line, w.record"
	"  FROM waiting w JOIN messages m ON m.id = w.msg"
	"  WHERE w.removed IS NULL ORDER BY m.seq, w.record;",
	NULL
};

const struct store_schema rstate_schema = { "ceb-reconcile", migrations };

static struct store *st;
static long long redo_of;	/* the latest run, when this run redoes it */
static long long *dbmsg;	/* per rmsg: its messages row, 0 if none */
static size_t capdbmsg;
static size_t loaded_done;	/* rc.done entries read from the state */

static int begin_run(void);

const char *
rstate_path(char *buf, size_t n)
{
	snprintf(buf, n, "%s/state.db", rc.statedir);
	return buf;
}

static int
fail(const char *what)
{
	char p[4096];

	diag_trouble(rstate_path(p, sizeof p), 0, "%s%s%s", what ? what : "",
	    what ? ": " : "", store_errmsg(st));
	return -1;
}

struct store *
rstate_store(void)
{
	return st;
}

int
rstate_open(void)
{
	char err[512], p[4096];
	enum store_status r;

	if (state_mkdir(rc.statedir, err, sizeof err) != 0) {
		diag_trouble(NULL, 0, "%s", err);
		return -1;
	}
	r = store_open(&st, rstate_path(p, sizeof p), &rstate_schema, 0,
	    rc.lock_timeout, err, sizeof err);
	if (r != STORE_OK) {
		diag_trouble(p, 0, "%s", err);
		return -1;
	}
	if (store_begin(st) != 0)
		return fail(NULL);
	return rconvert(st);
}

static void
shard_text(char *buf, size_t n)
{
	*buf = '\0';
	if (rc.shard.n)
		snprintf(buf, n, "%u/%u", rc.shard.k, rc.shard.n);
}

static int
note_msg(uint32_t mid, long long id)
{
	while (capdbmsg <= mid) {
		size_t nc = capdbmsg ? capdbmsg * 2 : 1024;
		long long *p = realloc(dbmsg, nc * sizeof *p);

		if (p == NULL)
			return -1;
		memset(p + capdbmsg, 0, (nc - capdbmsg) * sizeof *p);
		dbmsg = p;
		capdbmsg = nc;
	}
	dbmsg[mid] = id;
	return 0;
}

static long
key_of(struct keyidx *x, const char *a, const char *b)
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

/* The matched parcels still remembered (--keep-matched). */
static int
load_matched(void)
{
	static const char sql[] = "SELECT day, hash, ebpCode, orderNo, "
	    "logisticsCode, logisticsNo, payCode, payTransactionId FROM "
	    "matched WHERE added != ?1 ORDER BY id";
	sqlite3_stmt *q = store_prepare(st, sql);
	int r;

	if (q == NULL || store_bind(st, q, "i", redo_of) != 0)
		return fail(NULL);
	while ((r = store_step(st, q)) == 1) {
		long day = day_parse(store_text(q, 0)), pk, wk, yk;
		uint64_t hash;
		char *end;

		hash = strtoull(store_text(q, 1), &end, 16);
		if (day < 0 || *end != '\0') {
			sqlite3_reset(q);
			diag_trouble(NULL, 0, _("damaged state: bad matched "
			    "row"));
			return -1;
		}
		if (rc.now - day >= rc.keep)
			continue;	/* forgotten after --keep-matched days */
		pk = key_of(rc.pk, store_text(q, 2), store_text(q, 3));
		wk = key_of(rc.wk, store_text(q, 4), store_text(q, 5));
		yk = key_of(rc.yk, store_text(q, 6), store_text(q, 7));
		if (store_grow_keys() != 0 || store_done_add(pk >= 0 ?
		    (uint32_t)pk : NONE, wk >= 0 ? (uint32_t)wk : NONE,
		    yk >= 0 ? (uint32_t)yk : NONE, (uint32_t)day, hash) < 0) {
			sqlite3_reset(q);
			diag_trouble(NULL, 0, _("out of memory"));
			return -1;
		}
	}
	if (r < 0)
		return fail(NULL);
	loaded_done = rc.ndone;
	return 0;
}

/* Take in one waiting message: its bytes and the records that wait. */
static int
load_one(long long id, const char *source, long index, long line,
    const void *bytes, size_t len, unsigned char *want, uint32_t *days,
    uint64_t *hashes)
{
	char name[64];
	int r;

	rc.loading = 1;
	rc.load_want = want;
	rc.load_days = days;
	rc.load_hashes = hashes;
	rc.load_src = source;
	rc.load_index = index;
	rc.load_line = line;
	rc.load_bad = 0;
	snprintf(name, sizeof name, "state message %lld", id);
	r = store_state_msg(bytes, len, name);
	rc.loading = 0;
	if (r != 0) {
		char p[4096];

		diag_trouble(rstate_path(p, sizeof p), 0,
		    _("damaged state: message %lld does not match its "
		    "rows%s"), id, rc.load_bad ? _(" (content hash)") : "");
		return -1;
	}
	return note_msg((uint32_t)rc.nmsgs - 1, id);
}

/*
 * The waiting records of the base state: for a new run those no run took
 * out, for a redo those waiting before the latest run.
 */
static int
load_waiting(void)
{
	static const char sql[] = "SELECT m.id, m.source, m.message, m.line, "
	    "m.bytes, w.record, w.first_seen, w.hash FROM waiting w JOIN "
	    "messages m ON m.id = w.msg WHERE (w.removed IS NULL AND w.added "
	    "!= ?1) OR w.removed = ?1 ORDER BY m.seq, m.id, w.record";
	static unsigned char want[65536];
	static uint32_t days[65536];
	static uint64_t hashes[65536];
	sqlite3_stmt *q = store_prepare(st, sql);
	long long cur = 0;
	char *source = NULL;
	void *bytes = NULL;
	size_t len = 0;
	long index = 0, line = 0;
	int r, rv = -1;

	if (q == NULL || store_bind(st, q, "i", redo_of) != 0)
		return fail(NULL);
	while ((r = store_step(st, q)) == 1) {
		long long id = sqlite3_column_int64(q, 0);
		long rec = (long)sqlite3_column_int64(q, 5);
		long day = day_parse(store_text(q, 6));
		uint64_t hash;
		char *end;

		hash = strtoull(store_text(q, 7), &end, 16);
		if (rec < 1 || rec > 65535 || day < 0 || *end != '\0') {
			diag_trouble(NULL, 0, _("damaged state: bad waiting "
			    "row of message %lld"), id);
			goto out;
		}
		if (id != cur) {
			if (cur != 0 && load_one(cur, source, index, line,
			    bytes, len, want, days, hashes) != 0)
				goto out;
			memset(want, 0, sizeof want);
			free(source);
			free(bytes);
			cur = id;
			len = (size_t)sqlite3_column_bytes(q, 4);
			source = strdup(store_text(q, 1));
			bytes = malloc(len ? len : 1);
			if (source == NULL || bytes == NULL) {
				diag_trouble(NULL, 0, _("out of memory"));
				goto out;
			}
			if (len)
				memcpy(bytes, sqlite3_column_blob(q, 4), len);
			index = (long)sqlite3_column_int64(q, 2);
			line = (long)sqlite3_column_int64(q, 3);
		}
		want[rec - 1] = 1;
		days[rec - 1] = (uint32_t)day;
		hashes[rec - 1] = hash;
	}
	if (r < 0) {
		fail(NULL);
		goto out;
	}
	if (cur != 0 && load_one(cur, source, index, line, bytes, len, want,
	    days, hashes) != 0)
		goto out;
	rv = 0;
out:
	sqlite3_reset(q);
	free(source);
	free(bytes);
	return rv;
}

int
rstate_load(void)
{
	static const char sql_last[] = "SELECT run, run_id, now, shard FROM "
	    "reconcile_runs ORDER BY run DESC LIMIT 2";
	sqlite3_stmt *q = store_prepare(st, sql_last);
	char sh[32], p[4096], base_now[16] = "", last_shard[32] = "";
	int r, n = 0;

	if (q == NULL)
		return fail(NULL);
	redo_of = 0;
	while ((r = store_step(st, q)) == 1) {
		if (n == 0) {
			snprintf(last_shard, sizeof last_shard, "%s",
			    store_text(q, 3));
			if (strcmp(store_text(q, 1), rc.run) == 0)
				redo_of = sqlite3_column_int64(q, 0);
			else
				snprintf(base_now, sizeof base_now, "%s",
				    store_text(q, 2));
		} else if (redo_of)
			snprintf(base_now, sizeof base_now, "%s",
			    store_text(q, 2));
		n++;
	}
	if (r < 0)
		return fail(NULL);
	shard_text(sh, sizeof sh);
	if (n > 0 && strcmp(last_shard, sh) != 0) {
		diag_trouble(rstate_path(p, sizeof p), 0,
		    _("state of shard \"%s\", this run is shard \"%s\""),
		    last_shard, sh);
		return -1;
	}
	if (*base_now && day_parse(base_now) > rc.now) {
		diag_trouble(rstate_path(p, sizeof p), 0,
		    _("the state is of %s, later than --now"), base_now);
		return -1;
	}
	if (load_matched() != 0 || load_waiting() != 0)
		return -1;
	return begin_run();
}

/* ---- commit ---- */

static const char *const codes[RT_N] = { "311", "411", "511", "621" };

static int
undo_latest(void)
{
	static const char *const sql[] = {
		"DELETE FROM waiting WHERE added = ?1",
		"UPDATE waiting SET removed = NULL WHERE removed = ?1",
		"DELETE FROM matched WHERE added = ?1",
		NULL
	};
	int i;

	for (i = 0; sql[i]; i++) {
		sqlite3_stmt *q = store_prepare(st, sql[i]);

		if (q == NULL || store_bind(st, q, "i", redo_of) != 0 ||
		    store_step(st, q) != 0)
			return -1;
	}
	return 0;
}

/* The keys of a waiting record, from its fields. */
static void
rec_keys(const struct rrec *r, const struct flds *f, const char *k[6])
{
	int j;

	for (j = 0; j < 6; j++)
		k[j] = NULL;
	switch (r->type) {
	case RT_WAY:
		k[2] = f->h[W_LCODE];
		k[3] = f->h[W_LNO];
		break;
	case RT_PAY:
		k[4] = f->h[P_PAYCODE];
		k[5] = f->h[P_PAYTX];
		/* FALLTHROUGH */
	case RT_ORDER:
		k[0] = f->h[0];
		k[1] = f->h[1];
		break;
	default:
		k[0] = f->h[I_EBP];
		k[1] = f->h[I_ORDERNO];
		k[2] = f->h[I_LCODE];
		k[3] = f->h[I_LNO];
	}
}

/* A new message with records waiting: its row, then theirs. */
static int
put_message(uint32_t mid, long long run, long long seq)
{
	static const char sql_msg[] = "INSERT INTO messages(seq, type, digest, "
	    "source, message, line, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	static const char sql_rec[] = "INSERT INTO waiting(msg, record, type, "
	    "first_seen, hash, ebpCode, orderNo, logisticsCode, logisticsNo, "
	    "payCode, payTransactionId, added) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	    "?7, ?8, ?9, ?10, ?11, ?12)";
	static struct flds f;
	static char *buf;
	static size_t cap;
	const struct rmsg *m = &rc.msgs[mid];
	unsigned char dg[STORE_DIGEST_LEN];
	char hex[STORE_HEX_LEN], day[16], hash[24];
	const char *p, *k[6];
	sqlite3_stmt *q;
	long long id;
	unsigned j;

	if ((p = bs_get(m->off, m->len, &buf, &cap)) == NULL)
		return -1;
	if (store_doc_digest(p, m->len, dg) != 0) {
		diag_trouble(NULL, 0, _("cannot compute a digest"));
		return -1;
	}
	store_hex(dg, hex);
	if ((q = store_prepare(st, sql_msg)) == NULL ||
	    store_bind(st, q, "ittt", seq, codes[m->type], hex,
	    rc.srcs[m->src]) != 0)
		return fail(NULL);
	if (sqlite3_bind_int64(q, 5, m->index) != SQLITE_OK ||
	    sqlite3_bind_int64(q, 6, m->line) != SQLITE_OK ||
	    sqlite3_bind_blob64(q, 7, p, m->len, SQLITE_TRANSIENT) !=
	    SQLITE_OK || store_step(st, q) != 0)
		return fail(NULL);
	id = sqlite3_last_insert_rowid(store_db(st));
	for (j = 0; j < m->nrec; j++) {
		const struct rrec *r = &rc.recs[m->first + j];

		if (r->state != ST_LIVE)
			continue;
		if (fields_read(&f, r) != 0)
			return -1;
		rec_keys(r, &f, k);
		day_format(r->first_seen, day, sizeof day);
		snprintf(hash, sizeof hash, "%016" PRIx64, r->hash);
		if ((q = store_prepare(st, sql_rec)) == NULL ||
		    store_bind(st, q, "iittttttttti", id,
		    (long long)r->recno, codes[r->type], day, hash, k[0], k[1],
		    k[2], k[3], k[4], k[5], run) != 0 ||
		    store_step(st, q) != 0)
			return fail(NULL);
	}
	return 0;
}

static int
put_waiting(long long run)
{
	static const char sql_gone[] = "UPDATE waiting SET removed = ?1 "
	    "WHERE msg = ?2 AND record = ?3";
	long long seq = store_int(st, "SELECT coalesce(max(seq), 0) FROM "
	    "messages", 0);
	size_t i;

	if (seq < 0)
		return fail(NULL);
	for (i = 0; i < rc.nmsgs; i++) {
		const struct rmsg *m = &rc.msgs[i];
		long long id = i < capdbmsg ? dbmsg[i] : 0;
		unsigned j, live = 0;

		for (j = 0; j < m->nrec; j++) {
			const struct rrec *r = &rc.recs[m->first + j];
			sqlite3_stmt *q;

			if (r->state == ST_LIVE)
				live++;
			if (id == 0 || !r->pad[1] || r->state == ST_LIVE)
				continue;
			/* Waited in the state, no longer. */
			if ((q = store_prepare(st, sql_gone)) == NULL ||
			    store_bind(st, q, "iii", run, id,
			    (long long)r->recno) != 0 || store_step(st, q) != 0)
				return fail(NULL);
		}
		if (id == 0 && live > 0 && put_message((uint32_t)i, run,
		    ++seq) != 0)
			return -1;
	}
	return 0;
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

static int
put_matched(long long run)
{
	static const char sql[] = "INSERT INTO matched(day, hash, ebpCode, "
	    "orderNo, logisticsCode, logisticsNo, payCode, payTransactionId, "
	    "added) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	static const char sql_forget[] = "DELETE FROM matched WHERE day <= ?1";
	char k[6][256], day[16], hash[24];
	sqlite3_stmt *q;
	size_t i;

	/* Forgotten after --keep-matched days. */
	day_format(rc.now - rc.keep, day, sizeof day);
	if ((q = store_prepare(st, sql_forget)) == NULL ||
	    store_bind(st, q, "t", day) != 0 || store_step(st, q) != 0)
		return fail(NULL);
	for (i = loaded_done; i < rc.ndone; i++) {
		const struct done *d = &rc.done[i];

		if (rc.now - (long)d->day >= rc.keep)
			continue;
		day_format(d->day, day, sizeof day);
		snprintf(hash, sizeof hash, "%016" PRIx64, d->hash);
		split_key(rc.pk, d->pk, k[0], k[1], sizeof k[0]);
		split_key(rc.wk, d->wk, k[2], k[3], sizeof k[0]);
		split_key(rc.yk, d->yk, k[4], k[5], sizeof k[0]);
		if ((q = store_prepare(st, sql)) == NULL ||
		    store_bind(st, q, "tttttttti", day, hash, k[0], k[1],
		    k[2], k[3], k[4], k[5], run) != 0 ||
		    store_step(st, q) != 0)
			return fail(NULL);
	}
	return 0;
}

/*
 * The run's rows, written as soon as the base state is loaded so that
 * the documents it reads and those it sets aside are recorded as they
 * come; rstate_commit() fills in its counts.
 */
static struct store_run run;

static int
begin_run(void)
{
	static const char sql_rrun[] = "INSERT INTO reconcile_runs(run, "
	    "run_id, now, shard, redo) VALUES (?1, ?2, ?3, ?4, ?5)";
	sqlite3_stmt *q;
	char now[16], sh[32];

	memset(&run, 0, sizeof run);
	run.tool = "ceb-reconcile";
	run.label = rc.run;
	run.note = redo_of ? "redo" : NULL;
	snprintf(run.identity, sizeof run.identity, "%s", rc.run);
	if (store_run_insert(st, &run) != 0)
		return fail(NULL);
	day_format(rc.now, now, sizeof now);
	shard_text(sh, sizeof sh);
	if ((q = store_prepare(st, sql_rrun)) == NULL ||
	    store_bind(st, q, "ittti", run.id, rc.run, now, sh, redo_of) != 0 ||
	    store_step(st, q) != 0)
		return fail(NULL);
	return 0;
}

int
rstate_document(const char *bytes, size_t len, const struct origin *o,
    const char *type)
{
	unsigned char dg[STORE_DIGEST_LEN];
	char hex[STORE_HEX_LEN];

	if (st == NULL)
		return 0;
	if (store_doc_digest(bytes, len, dg) != 0) {
		diag_trouble(NULL, 0, _("cannot compute a digest"));
		return -1;
	}
	store_hex(dg, hex);
	run.documents++;
	if (store_document(st, run.id, hex, o->source, o->message, o->line,
	    type, NULL) != 0)
		return fail(NULL);
	return 0;
}

void
rstate_bad(const char *source, long index, long line, const char *reason,
    void *arg)
{
	(void)arg;
	rc.n_aside++;
	if (st == NULL)
		return;
	if (store_set_aside(st, run.id, source, index, line, reason) != 0)
		(void)fail(NULL);
}

int
rstate_commit(void)
{
	static const char sql_counts[] = "UPDATE runs SET ended = ?1, "
	    "documents = ?2, records = ?3, passed = ?4, failed = ?5, "
	    "set_aside = ?6, status = ?7 WHERE id = ?8";
	sqlite3_stmt *q;
	char ended[32];
	long matched = 0;
	size_t i;

	if (redo_of && undo_latest() != 0)
		return fail(NULL);
	/* Rows taken out before the latest run are needed no more. */
	if (store_exec(st, "DELETE FROM waiting WHERE removed IS NOT NULL;"
	    "DELETE FROM messages WHERE id NOT IN (SELECT msg FROM waiting)") !=
	    0)
		return fail(NULL);
	if (put_waiting(run.id) != 0 || put_matched(run.id) != 0)
		return -1;
	for (i = 0; i < rc.nrecs; i++)
		if (rc.recs[i].state == ST_MATCHED)
			matched++;
	store_now(ended, sizeof ended);
	if ((q = store_prepare(st, sql_counts)) == NULL ||
	    store_bind(st, q, "tiiiiiii", ended, (long long)run.documents,
	    (long long)rc.n_read, (long long)matched, (long long)rc.n_failed,
	    (long long)rc.n_aside, (long long)(rc.n_aside ? 2 :
	    diag_status()), run.id) != 0 || store_step(st, q) != 0)
		return fail(NULL);
	if (store_commit(st) != 0)
		return fail(NULL);
	return 0;
}

void
rstate_close(void)
{
	store_close(st);
	st = NULL;
}

void
rstate_end(void)
{
	rstate_close();
	free(dbmsg);
	dbmsg = NULL;
	capdbmsg = 0;
	loaded_done = 0;
	redo_of = 0;
	memset(&run, 0, sizeof run);
}
