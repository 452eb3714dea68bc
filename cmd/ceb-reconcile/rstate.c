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
#include <unistd.h>

#include "bstore.h"
#include "diag.h"
#include "i18n.h"
#include "rec.h"
#include "sealtab.h"
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
	"CREATE INDEX matched_order ON matched(ebpCode, orderNo);"
	"CREATE INDEX matched_waybill ON matched(logisticsCode, logisticsNo);"
	"CREATE INDEX matched_pay ON matched(payCode, payTransactionId);"
	"CREATE VIEW waiting_now AS SELECT w.type, w.first_seen,"
	"  w.ebpCode, w.orderNo, w.logisticsCode, w.logisticsNo, w.payCode,"
	"  w.payTransactionId, m.source, m.message, m.line, w.record"
	"  FROM waiting w JOIN messages m ON m.id = w.msg"
	"  WHERE w.removed IS NULL ORDER BY m.seq, w.record;"
	"CREATE VIEW waiting_inventories AS SELECT i.first_seen,"
	"  i.ebpCode, i.orderNo, i.logisticsCode, i.logisticsNo,"
	"  trim(CASE WHEN EXISTS (SELECT 1 FROM waiting o WHERE"
	"    o.removed IS NULL AND o.type = '311' AND o.ebpCode = i.ebpCode"
	"    AND o.orderNo = i.orderNo) THEN '' ELSE 'order ' END ||"
	"  CASE WHEN EXISTS (SELECT 1 FROM waiting p WHERE"
	"    p.removed IS NULL AND p.type = '411' AND p.ebpCode = i.ebpCode"
	"    AND p.orderNo = i.orderNo) THEN '' ELSE 'payment ' END ||"
	"  CASE WHEN EXISTS (SELECT 1 FROM waiting b WHERE"
	"    b.removed IS NULL AND b.type = '511' AND"
	"    b.logisticsCode = i.logisticsCode AND"
	"    b.logisticsNo = i.logisticsNo) THEN '' ELSE 'waybill' END)"
	"  AS waits_for"
	"  FROM waiting i WHERE i.removed IS NULL AND i.type = '621'"
	"  ORDER BY i.first_seen, i.ebpCode, i.orderNo;"
	"CREATE VIEW waiting_by_age AS SELECT first_seen, type,"
	"  count(*) AS records FROM waiting WHERE removed IS NULL"
	"  GROUP BY first_seen, type ORDER BY first_seen, type;",
	/* 2: the rows that decide outcomes are sealed (common/sealtab.h). */
	"ALTER TABLE messages ADD COLUMN mac BLOB;"
	"ALTER TABLE waiting ADD COLUMN mac BLOB;"
	"ALTER TABLE matched ADD COLUMN mac BLOB;",
	/* 3: the waiting documents are looked up by each of their keys. */
	"CREATE INDEX IF NOT EXISTS waiting_pay ON waiting(payCode, "
	    "payTransactionId);",
	NULL
};

/*
 * The sealed tables: the messages that wait, their waiting records and
 * the matched parcels (docs/security.md).  Every statement that changes
 * one of their rows sets its mac to NULL; rstate_commit() seals it.
 */
static const struct sealtab sealed[] = {
	{ "messages", "id", "source" },
	{ "waiting", "msg, record", "coalesce(orderNo, logisticsNo)" },
	{ "matched", "id", "coalesce(orderNo, logisticsNo)" },
	{ NULL, NULL, NULL }
};
static struct sealtab_run seals;

const struct store_schema rstate_schema = { "ceb-reconcile", migrations };

static struct store *st;
static long long redo_of;	/* the latest run, when this run redoes it */
static long long *dbmsg;	/* per rmsg: its messages row, 0 if none */
static size_t capdbmsg;

static int begin_run(void);
static int write_asides(void);
static int night_open(void);

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
	/*
	 * The run's one transaction writes every document the night reads
	 * and, at the commit, its matched parcels: their dirty pages stayed
	 * in the store's 64 MB page cache until they filled it, up to 64 MB
	 * of RSS that grew with the night whatever was left waiting.  8 MB,
	 * as ceb-manifest-writeoff: past it SQLite spills the pages to the
	 * WAL (uncommitted until the commit).
	 */
	if (store_exec(st, "PRAGMA cache_size = -8192") != 0 ||
	    store_begin(st) != 0)
		return fail(NULL);
	if (sealtab_open(&seals, store_db(st), p, rc.mac_key, sealed) != 0)
		return -1;
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

/*
 * The matched parcels of the state are read by key: each key the night
 * brings is looked up once (looked[] per index), and each matched row is
 * taken in once (rows).  has_matched: the state has some at all.
 */
static struct keyidx *rows;
static unsigned char *looked[3];
static size_t caplooked[3];
static int has_matched;
/* Whether the store holds documents an earlier run judged: when it holds
 * none (a first night) no document is looked up (rstate_judged()). */
static int has_judged;

static int
mark_looked(int w, long id)
{
	if ((size_t)id >= caplooked[w]) {
		size_t nc = caplooked[w] ? caplooked[w] : 1024;
		unsigned char *p;

		while (nc <= (size_t)id)
			nc *= 2;
		if ((p = realloc(looked[w], nc)) == NULL)
			return -1;
		memset(p + caplooked[w], 0, nc - caplooked[w]);
		looked[w] = p;
		caplooked[w] = nc;
	}
	if (looked[w][id])
		return 1;
	looked[w][id] = 1;
	return 0;
}

void
rstate_keys_moved(int w, const uint32_t *map, size_t nold, size_t nnew)
{
	size_t i;

	if (looked[w] == NULL)
		return;
	for (i = 0; i < nold && i < caplooked[w]; i++)
		if (map[i] != NONE)
			looked[w][map[i]] = looked[w][i];
	if (nnew < caplooked[w])
		memset(looked[w] + nnew, 0, caplooked[w] - nnew);
}

int
rstate_matched_key(struct keyidx *x, long id, const char *a, const char *b)
{
	static const char *const sql[3] = {
		"SELECT id, day, hash, ebpCode, orderNo, logisticsCode, "
		"logisticsNo, payCode, payTransactionId FROM matched WHERE "
		"ebpCode = ?1 AND orderNo = ?2 AND added != ?3 AND day > ?4 "
		"ORDER BY id",
		"SELECT id, day, hash, ebpCode, orderNo, logisticsCode, "
		"logisticsNo, payCode, payTransactionId FROM matched WHERE "
		"logisticsCode = ?1 AND logisticsNo = ?2 AND added != ?3 AND "
		"day > ?4 ORDER BY id",
		"SELECT id, day, hash, ebpCode, orderNo, logisticsCode, "
		"logisticsNo, payCode, payTransactionId FROM matched WHERE "
		"payCode = ?1 AND payTransactionId = ?2 AND added != ?3 AND "
		"day > ?4 ORDER BY id"
	};
	int w = x == rc.pk ? 0 : x == rc.wk ? 1 : 2, r;
	char since[16];
	sqlite3_stmt *q;

	if (st == NULL || !has_matched)
		return 0;
	if ((r = mark_looked(w, id)) != 0)
		return r < 0 ? (diag_trouble(NULL, 0, _("out of memory")), -1) :
		    0;
	day_format(rc.now - rc.keep, since, sizeof since);
	if ((q = store_prepare(st, sql[w])) == NULL ||
	    store_bind(st, q, "ttit", a, b, redo_of, since) != 0)
		return fail(NULL);
	while ((r = store_step(st, q)) == 1) {
		long long rid = sqlite3_column_int64(q, 0);
		long day = day_parse(store_text(q, 1)), k[3];
		uint64_t hash;
		char *end;
		int added;

		if (keyidx_put(rows, &rid, sizeof rid, &added) < 0)
			goto nomem;
		if (!added)
			continue;
		hash = strtoull(store_text(q, 2), &end, 16);
		if (day < 0 || *end != '\0') {
			sqlite3_reset(q);
			diag_trouble(NULL, 0, _("damaged state: bad matched "
			    "row %lld"), rid);
			return -1;
		}
		k[0] = key_of(rc.pk, store_text(q, 3), store_text(q, 4));
		k[1] = key_of(rc.wk, store_text(q, 5), store_text(q, 6));
		k[2] = key_of(rc.yk, store_text(q, 7), store_text(q, 8));
		if (store_grow_keys() != 0)
			goto nomem;
		if (store_done_add(k[0] >= 0 ? (uint32_t)k[0] : NONE,
		    k[1] >= 0 ? (uint32_t)k[1] : NONE, k[2] >= 0 ?
		    (uint32_t)k[2] : NONE, (uint32_t)day, hash) < 0)
			goto nomem;
		rc.done[rc.ndone - 1].from_state = 1;
	}
	if (r < 0)
		return fail(NULL);
	return 0;
nomem:
	sqlite3_reset(q);
	diag_trouble(NULL, 0, _("out of memory"));
	return -1;
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
	return note_msg(rc.last_mid, id);
}

/*
 * The waiting documents of the base state -- for a new run the rows no
 * run took out, for a redo those waiting before the latest run -- stay on
 * disk and are looked up by key: before a document of the night is taken
 * in, each of its keys (parcel, waybill, payment) is looked up once in
 * the waiting rows, and the messages found are taken in first, as they
 * were before the night (rstate_probe()); what they bring in is looked
 * up in turn.  The rest is read at the end, one message at a time, in
 * order of arrival (rstate_each()): a waiting inventory is judged and
 * its bytes let go, an order, payment or waybill that waits on unexpired
 * is only counted.  Memory follows the night's documents and what they
 * touch, not the documents waiting.
 */
#define BASE "((removed IS NULL AND added != ?9) OR removed = ?9)"

static int has_waiting;		/* the base state has waiting rows */
static struct keyidx *probed;	/* keys looked up: kind, a, NUL, b */
static struct keyidx *loaded;	/* messages rows taken in (ids) */
static uint32_t *lmid;		/* per id in loaded: its rmsg, or NONE */
static size_t caplmid;
static char **queue;		/* keys to look up: kind, a, NUL, b, NUL */
static size_t headqueue, nqueue, capqueue;	/* first in, first out */

void
rstate_keys_compacted(void)
{
	struct keyidx *np;
	size_t i, n;

	if (probed == NULL || (n = keyidx_count(probed)) == 0 ||
	    (np = keyidx_new()) == NULL)
		return;
	for (i = 0; i < n; i++) {
		size_t len;
		const char *k = keyidx_key(probed, (long)i, &len);
		struct keyidx *x = k[0] == 'o' ? rc.pk : k[0] == 'w' ? rc.wk :
		    rc.yk;

		if (len < 3 || keyidx_get(x, k + 1, len - 2) < 0)
			continue;
		if (keyidx_put(np, k, len, NULL) < 0) {
			keyidx_free(np);
			return;
		}
	}
	keyidx_free(probed);
	probed = np;
}

static int
enqueue(char kind, const char *a, const char *b)
{
	size_t la, lb;
	char *k;

	if (a == NULL || b == NULL || !*a || !*b)
		return 0;
	la = strlen(a);
	lb = strlen(b);
	if (nqueue == capqueue) {
		size_t nc = capqueue ? capqueue * 2 : 64;
		char **p = realloc(queue, nc * sizeof *p);

		if (p == NULL)
			return -1;
		queue = p;
		capqueue = nc;
	}
	if ((k = malloc(la + lb + 3)) == NULL)
		return -1;
	k[0] = kind;
	memcpy(k + 1, a, la + 1);
	memcpy(k + la + 2, b, lb + 1);
	queue[nqueue++] = k;
	return 0;
}

static int
enqueue_keys(const char *const k[6])
{
	return enqueue('o', k[0], k[1]) || enqueue('w', k[2], k[3]) ||
	    enqueue('y', k[4], k[5]) ? -1 : 0;
}

/* Whether message row id was taken in this run. */
static int
is_loaded(long long id)
{
	return loaded && keyidx_get(loaded, &id, sizeof id) >= 0;
}

/*
 * Take in message row id with its waiting records; with keys, queue
 * their keys to be looked up.
 */
static int
load_msg(long long id, int keys)
{
	static const char sql_recs[] = "SELECT record, first_seen, hash, "
	    "ebpCode, orderNo, logisticsCode, logisticsNo, payCode, "
	    "payTransactionId FROM waiting WHERE msg = ?1 AND " BASE
	    " ORDER BY record";
	static const char sql_msg[] = "SELECT source, message, line, bytes "
	    "FROM messages WHERE id = ?1";
	static unsigned char want[65536];
	static uint32_t days[65536];
	static uint64_t hashes[65536];
	sqlite3_stmt *w, *b;
	int k, n = 0, added;
	long kid;

	if ((kid = keyidx_put(loaded, &id, sizeof id, &added)) < 0)
		goto nomem;
	if (!added)
		return 0;
	while ((size_t)kid >= caplmid) {
		size_t nc = caplmid ? caplmid * 2 : 1024;
		uint32_t *p = realloc(lmid, nc * sizeof *p);

		if (p == NULL)
			goto nomem;
		lmid = p;
		caplmid = nc;
	}
	lmid[kid] = NONE;
	if ((w = store_prepare(st, sql_recs)) == NULL ||
	    store_bind(st, w, "i", id) != 0 ||
	    sqlite3_bind_int64(w, 9, redo_of) != SQLITE_OK)
		return fail(NULL);
	memset(want, 0, sizeof want);
	while ((k = store_step(st, w)) == 1) {
		long rec = (long)sqlite3_column_int64(w, 0);
		long day = day_parse(store_text(w, 1));
		const char *kk[6];
		uint64_t hash;
		char *end;
		int j;

		hash = strtoull(store_text(w, 2), &end, 16);
		if (rec < 1 || rec > 65535 || day < 0 || *end != '\0') {
			sqlite3_reset(w);
			diag_trouble(NULL, 0, _("damaged state: bad waiting "
			    "row of message %lld"), id);
			return -1;
		}
		want[rec - 1] = 1;
		days[rec - 1] = (uint32_t)day;
		hashes[rec - 1] = hash;
		n++;
		for (j = 0; j < 6; j++)
			kk[j] = store_text(w, 3 + j);
		if (keys && enqueue_keys(kk) != 0) {
			sqlite3_reset(w);
			diag_trouble(NULL, 0, _("out of memory"));
			return -1;
		}
	}
	if (k < 0)
		return fail(NULL);
	if (n == 0)
		return 0;	/* nothing of it waits */
	if ((b = store_prepare(st, sql_msg)) == NULL ||
	    store_bind(st, b, "i", id) != 0 || (k = store_step(st, b)) < 0)
		return fail(NULL);
	if (k == 0 || load_one(id, store_text(b, 0),
	    (long)sqlite3_column_int64(b, 1), (long)sqlite3_column_int64(b, 2),
	    sqlite3_column_blob(b, 3), (size_t)sqlite3_column_bytes(b, 3),
	    want, days, hashes) != 0) {
		sqlite3_reset(b);
		if (k == 0)
			diag_trouble(NULL, 0, _("damaged state: bad waiting "
			    "row of message %lld"), id);
		return -1;
	}
	sqlite3_reset(b);
	lmid[kid] = rc.last_mid;
	return 0;
nomem:
	diag_trouble(NULL, 0, _("out of memory"));
	return -1;
}

/* Queue the keys of the waiting records of message row id. */
static int
keys_of(long long id)
{
	static const char sql[] = "SELECT ebpCode, orderNo, logisticsCode, "
	    "logisticsNo, payCode, payTransactionId FROM waiting WHERE "
	    "msg = ?1 AND " BASE;
	sqlite3_stmt *q;
	int r, j;

	if ((q = store_prepare(st, sql)) == NULL ||
	    store_bind(st, q, "i", id) != 0 ||
	    sqlite3_bind_int64(q, 9, redo_of) != SQLITE_OK)
		return fail(NULL);
	while ((r = store_step(st, q)) == 1) {
		const char *k[6];

		for (j = 0; j < 6; j++)
			k[j] = store_text(q, j);
		if (enqueue_keys(k) != 0) {
			sqlite3_reset(q);
			diag_trouble(NULL, 0, _("out of memory"));
			return -1;
		}
	}
	return r < 0 ? fail(NULL) : 0;
}

long long
rstate_msg_row(uint32_t mid)
{
	return mid < capdbmsg ? dbmsg[mid] : 0;
}

/* Look up the keys queued, and those of what they bring in. */
static int
drain(void)
{
	static const char *const sql[3] = {
		"SELECT DISTINCT msg FROM waiting WHERE ebpCode = ?1 AND "
		"orderNo = ?2 AND " BASE " ORDER BY msg",
		"SELECT DISTINCT msg FROM waiting WHERE logisticsCode = ?1 AND "
		"logisticsNo = ?2 AND " BASE " ORDER BY msg",
		"SELECT DISTINCT msg FROM waiting WHERE payCode = ?1 AND "
		"payTransactionId = ?2 AND " BASE " ORDER BY msg"
	};
	long long *ids = NULL;
	size_t nids = 0, capids = 0, i;
	int rv = 0;

	while (headqueue < nqueue && rv == 0) {
		char *k = queue[headqueue++];
		size_t la = strlen(k + 1), lb = strlen(k + la + 2);
		int w = k[0] == 'o' ? 0 : k[0] == 'w' ? 1 : 2, added, r;
		sqlite3_stmt *q;

		if (keyidx_put(probed, k, la + lb + 3, &added) < 0) {
			diag_trouble(NULL, 0, _("out of memory"));
			rv = -1;
		} else if (added) {
			nids = 0;
			if ((q = store_prepare(st, sql[w])) == NULL ||
			    store_bind(st, q, "ss", k + 1, k + la + 2) != 0 ||
			    sqlite3_bind_int64(q, 9, redo_of) != SQLITE_OK)
				rv = fail(NULL);
			while (rv == 0 && (r = store_step(st, q)) == 1) {
				long long id = sqlite3_column_int64(q, 0);

				if (is_loaded(id))
					continue;
				if (nids == capids) {
					size_t nc = capids ? capids * 2 : 16;
					long long *p = realloc(ids,
					    nc * sizeof *p);

					if (p == NULL) {
						sqlite3_reset(q);
						diag_trouble(NULL, 0,
						    _("out of memory"));
						rv = -1;
						break;
					}
					ids = p;
					capids = nc;
				}
				ids[nids++] = id;
			}
			if (rv == 0 && r < 0)
				rv = fail(NULL);
			for (i = 0; rv == 0 && i < nids; i++)
				rv = load_msg(ids[i], 1);
		}
		free(k);
	}
	free(ids);
	while (headqueue < nqueue)
		free(queue[headqueue++]);
	headqueue = nqueue = 0;
	return rv;
}

int
rstate_probe(int type, const struct msrc *s)
{
	const void *rec;

	if (st == NULL || !has_waiting)
		return 0;
	for (rec = msrc_record_first(s); rec; rec = msrc_record_next(s, rec)) {
		const char *k[6];

		fields_keys(type, s, rec, k);
		if (enqueue_keys(k) != 0) {
			diag_trouble(NULL, 0, _("out of memory"));
			return -1;
		}
	}
	return drain();
}

/* Let the bytes of a waiting message go when nothing of it matched:
 * its records wait on, unread, in the state. */
static void
let_go(uint32_t mid)
{
	struct rmsg *m = &rc.msgs[mid];
	unsigned j;

	for (j = 0; j < m->nrec; j++)
		if (rc.recs[m->first + j].state == ST_MATCHED)
			return;
	for (j = 0; j < m->nrec; j++) {
		struct rrec *r = &rc.recs[m->first + j];

		if (r->state != ST_LIVE || r->blob == BS_NONE)
			continue;
		bs_free(r->blob, r->bloblen);
		r->blob = BS_NONE;
	}
	if (m->off != BS_NONE) {
		bs_free(m->off, m->len);
		m->off = BS_NONE;
	}
}

int
rstate_each(int inv, void (*fn)(uint32_t id))
{
	static const char sql_msgs[] = "SELECT m.id FROM messages m WHERE "
	    "(m.type = '621') = ?1 AND EXISTS (SELECT 1 FROM waiting WHERE "
	    "msg = m.id AND " BASE ") ORDER BY m.seq";
	static const char sql_rows[] = "SELECT first_seen FROM waiting "
	    "WHERE msg = ?1 AND " BASE;
	sqlite3_stmt *q, *w;
	int r, k, rv = 0;

	if (st == NULL || !has_waiting)
		return 0;
	if ((q = store_prepare(st, sql_msgs)) == NULL ||
	    store_bind(st, q, "i", (long long)(inv != 0)) != 0 ||
	    sqlite3_bind_int64(q, 9, redo_of) != SQLITE_OK)
		return fail(NULL);
	while (rv == 0 && (r = store_step(st, q)) == 1) {
		long long id = sqlite3_column_int64(q, 0);
		long n = 0, old = 0, kid;
		int fresh = 0;

		if (!is_loaded(id)) {
			if (!inv) {
				/* Only counted, unless one has expired. */
				if ((w = store_prepare(st, sql_rows)) == NULL ||
				    store_bind(st, w, "i", id) != 0 ||
				    sqlite3_bind_int64(w, 9, redo_of) !=
				    SQLITE_OK) {
					rv = fail(NULL);
					break;
				}
				while ((k = store_step(st, w)) == 1) {
					long day = day_parse(store_text(w, 0));

					n++;
					if (day < 0 || rc.now - day >= rc.max_age)
						old++;
				}
				if (k < 0) {
					rv = fail(NULL);
					break;
				}
				if (old == 0) {
					rc.n_read += n;
					rc.n_pending += n;
					continue;
				}
			}
			/* By its keys, with what it waits with, in order of
			 * arrival. */
			if ((rv = keys_of(id)) != 0 || (rv = drain()) != 0 ||
			    (rv = load_msg(id, 1)) != 0 || (rv = drain()) != 0)
				break;
			fresh = 1;
		}
		if ((kid = keyidx_get(loaded, &id, sizeof id)) < 0 ||
		    lmid[kid] == NONE)
			continue;	/* nothing of it waits */
		fn(lmid[kid]);
		if (fresh && inv)
			let_go(lmid[kid]);
	}
	if (rv == 0 && r < 0)
		rv = fail(NULL);
	if (rv != 0)
		sqlite3_reset(q);
	return rv;
}

/*
 * Is the latest run (run id last_id, of day last_now) one of the same
 * documents as this run, on another day, that this run redoes on its
 * day?  It is when this run is known by its input (no --run), its day is
 * the default one (no --now: the clock), it has documents, and the
 * digests agree.  A night with no documents is known by its day, so that
 * quiet nights still age what waits.
 */
static int
same_documents(const char *last_id, const char *last_now)
{
	static const struct store_ident none;
	char empty[STORE_HEX_LEN];
	const char *a = strchr(last_id, '+'), *b = strchr(rc.run, '+');

	if (!rc.identify || rc.now_given || a == NULL || b == NULL ||
	    strcmp(a, b) != 0 || strcmp(last_id, rc.run) == 0 ||
	    day_parse(last_now) < 0)
		return 0;
	store_ident_hex(&none, empty);
	return strncmp(b + 1, empty, 16) != 0;
}

int
rstate_load(void)
{
	static const char sql_last[] = "SELECT run, run_id, now, shard FROM "
	    "reconcile_runs ORDER BY run DESC LIMIT 2";
	static const char sql_judged[] = "SELECT EXISTS (SELECT 1 FROM "
	    "documents WHERE run != ?1)";
	static const char sql_waiting[] = "SELECT EXISTS (SELECT 1 FROM "
	    "waiting WHERE " BASE ")";
	sqlite3_stmt *q = store_prepare(st, sql_last);
	char sh[32], p[4096], base_now[16] = "", last_shard[32] = "";
	char last_id[64] = "", last_now[16] = "", prev_now[16] = "";
	long long last = 0;
	int r, n = 0;

	if (q == NULL)
		return fail(NULL);
	redo_of = 0;
	while ((r = store_step(st, q)) == 1) {
		if (n == 0) {
			last = sqlite3_column_int64(q, 0);
			snprintf(last_id, sizeof last_id, "%s", store_text(q, 1));
			snprintf(last_now, sizeof last_now, "%s",
			    store_text(q, 2));
			snprintf(last_shard, sizeof last_shard, "%s",
			    store_text(q, 3));
		} else
			snprintf(prev_now, sizeof prev_now, "%s",
			    store_text(q, 2));
		n++;
	}
	if (r < 0)
		return fail(NULL);
	if (n > 0 && same_documents(last_id, last_now)) {
		/* The latest run's documents again on another day: a redo
		 * of that run, on its day. */
		rc.now = day_parse(last_now);
		snprintf(rc.run, sizeof rc.run, "%s", last_id);
	}
	if (n > 0 && strcmp(last_id, rc.run) == 0) {
		redo_of = last;
		snprintf(base_now, sizeof base_now, "%s", prev_now);
	} else if (n > 0)
		snprintf(base_now, sizeof base_now, "%s", last_now);
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
	if ((rows = keyidx_new()) == NULL) {
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	}
	if ((has_matched = (int)store_int(st, "SELECT EXISTS (SELECT 1 FROM "
	    "matched)", 0)) < 0)
		return fail(NULL);
	if ((q = store_prepare(st, sql_judged)) == NULL ||
	    store_bind(st, q, "i", redo_of) != 0 ||
	    (r = store_step(st, q)) < 0)
		return fail(NULL);
	has_judged = r == 1 && sqlite3_column_int64(q, 0) != 0;
	sqlite3_reset(q);
	if (night_open() != 0)
		return -1;
	if ((probed = keyidx_new()) == NULL ||
	    (loaded = keyidx_new()) == NULL) {
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	}
	if ((q = store_prepare(st, sql_waiting)) == NULL ||
	    sqlite3_bind_int64(q, 9, redo_of) != SQLITE_OK ||
	    (r = store_step(st, q)) < 0)
		return fail(NULL);
	has_waiting = r == 1 && sqlite3_column_int64(q, 0) != 0;
	sqlite3_reset(q);
	return begin_run();
}

/* ---- commit ---- */

static const char *const codes[RT_N] = { "311", "411", "511", "621" };

static int
undo_latest(void)
{
	static const char *const sql[] = {
		"DELETE FROM waiting WHERE added = ?1",
		"UPDATE waiting SET removed = NULL, mac = NULL WHERE "
		"removed = ?1",
		"DELETE FROM matched WHERE added = ?1",
		"DELETE FROM documents WHERE run = ?1",
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
	if ((q = store_prepare(st, sql_rec)) == NULL)
		return fail(NULL);
	for (j = 0; j < m->nrec; j++) {
		const struct rrec *r = &rc.recs[m->first + j];

		if (r->state != ST_LIVE)
			continue;
		if (fields_read(&f, r) != 0)
			return -1;
		rec_keys(r, &f, k);
		day_format(r->first_seen, day, sizeof day);
		snprintf(hash, sizeof hash, "%016" PRIx64, r->hash);
		if (store_bind(st, q, "iisssssssssi", id, (long long)r->recno,
		    codes[r->type], day, hash, k[0], k[1], k[2], k[3], k[4],
		    k[5], run) != 0 || store_step(st, q) != 0)
			return fail(NULL);
	}
	return 0;
}

static int
put_waiting(long long run)
{
	static const char sql_gone[] = "UPDATE waiting SET removed = ?1, "
	    "mac = NULL WHERE msg = ?2 AND record = ?3";
	long long seq = store_int(st, "SELECT coalesce(max(seq), 0) FROM "
	    "messages", 0);
	uint32_t *v;
	long n, x;

	if (seq < 0)
		return fail(NULL);
	/* In order of arrival: the slots of messages written are reused. */
	if ((n = store_arrival(&v, 0)) < 0)
		return -1;
	for (x = 0; x < n; x++) {
		uint32_t i = v[x];
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
			    (long long)r->recno) != 0 ||
			    store_step(st, q) != 0) {
				free(v);
				return fail(NULL);
			}
		}
		if (id == 0 && live > 0 && put_message(i, run, ++seq) != 0) {
			free(v);
			return -1;
		}
	}
	free(v);
	return 0;
}

static int
put_matched(long long run)
{
	static const char sql[] = "INSERT INTO matched(day, hash, ebpCode, "
	    "orderNo, logisticsCode, logisticsNo, payCode, payTransactionId, "
	    "added) SELECT day, hash, reconcile_cut(ebpCode), "
	    "reconcile_cut(orderNo), reconcile_cut(logisticsCode), "
	    "reconcile_cut(logisticsNo), reconcile_cut(payCode), "
	    "reconcile_cut(payTransactionId), ?1 FROM temp.night ORDER BY rowid";
	static const char sql_forget[] = "DELETE FROM matched WHERE day <= ?1";
	char day[16];
	sqlite3_stmt *q;

	/* Forgotten after --keep-matched days. */
	day_format(rc.now - rc.keep, day, sizeof day);
	if ((q = store_prepare(st, sql_forget)) == NULL ||
	    store_bind(st, q, "t", day) != 0 || store_step(st, q) != 0)
		return fail(NULL);
	/* The night's matched parcels, in the order they matched, as
	 * rstate_night_add() wrote them (none with --keep-matched 0). */
	if (rc.keep <= 0)
		return 0;
	if ((q = store_prepare(st, sql)) == NULL ||
	    store_bind(st, q, "i", run) != 0 || store_step(st, q) != 0)
		return fail(NULL);
	return 0;
}

/*
 * The parcels matched this night (struct rc: NIGHT) are written to a
 * table of the connection's own, temp.night, when they match: the
 * matched row the commit copies (put_matched()) and, for each of the four
 * documents, what a document of the same key arriving later in the night
 * is told by: its content hash (a resend) and where it was read (the
 * detail of a duplicate).  The keys are kept whole there; the matched
 * table keeps at most 255 bytes of each, as it always did
 * (reconcile_cut()).
 */
static void
cut_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const unsigned char *t;
	int n;

	(void)argc;
	if (sqlite3_value_type(argv[0]) != SQLITE_TEXT ||
	    (n = sqlite3_value_bytes(argv[0])) <= 255) {
		sqlite3_result_value(cx, argv[0]);
		return;
	}
	t = sqlite3_value_text(argv[0]);
	sqlite3_result_text(cx, (const char *)t, 255, SQLITE_TRANSIENT);
}

static int
night_open(void)
{
	if (sqlite3_create_function(store_db(st), "reconcile_cut", 1,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, cut_fn, NULL, NULL) !=
	    SQLITE_OK || store_exec(st, "CREATE TEMP TABLE night("
	    "  day TEXT, hash TEXT,"
	    "  ebpCode TEXT, orderNo TEXT, logisticsCode TEXT, logisticsNo TEXT,"
	    "  payCode TEXT, payTransactionId TEXT,"
	    "  h0 INTEGER, s0 INTEGER, l0 INTEGER, h1 INTEGER, s1 INTEGER,"
	    "  l1 INTEGER, h2 INTEGER, s2 INTEGER, l2 INTEGER, h3 INTEGER,"
	    "  s3 INTEGER, l3 INTEGER)") != 0 ||
	    store_exec(st, "CREATE TEMP TABLE nightkey(k INTEGER PRIMARY KEY)")
	    != 0)
		return fail(NULL);
	return 0;
}

int
rstate_nightkeys_put(const int64_t *v, size_t n)
{
	static const char sql[] = "INSERT INTO temp.nightkey VALUES (?1)";
	sqlite3_stmt *q;
	size_t i;

	if ((q = store_prepare(st, sql)) == NULL)
		return fail(NULL);
	for (i = 0; i < n; i++)
		if (sqlite3_bind_int64(q, 1, (sqlite3_int64)v[i]) != SQLITE_OK ||
		    store_step(st, q) != 0) {
			sqlite3_reset(q);
			return fail(NULL);
		}
	return 0;
}

int
rstate_nightkeys_get(uint32_t h, int w, const char *a, const char *b,
    const char *pa, const char *pb, struct nightrow *out)
{
	static const char sql[] = "SELECT k FROM temp.nightkey WHERE k "
	    "BETWEEN ?1 AND ?2 ORDER BY k";
	int64_t lo = (int64_t)((uint64_t)h << 32);
	sqlite3_stmt *q;
	int r;

	if ((q = store_prepare(st, sql)) == NULL ||
	    sqlite3_bind_int64(q, 1, (sqlite3_int64)lo) != SQLITE_OK ||
	    sqlite3_bind_int64(q, 2, (sqlite3_int64)(lo + UINT32_MAX)) !=
	    SQLITE_OK) {
		if (q != NULL)
			sqlite3_reset(q);
		return fail(NULL);
	}
	while ((r = store_step(st, q)) == 1) {
		uint32_t row = (uint32_t)((uint64_t)sqlite3_column_int64(q, 0) &
		    UINT32_MAX);

		if ((r = rstate_night_row(row, w, a, b, pa, pb, out)) != 0) {
			sqlite3_reset(q);
			return r;
		}
	}
	return r < 0 ? fail(NULL) : 0;
}

long long
rstate_night_add(const char *const k[6], uint64_t hash,
    const struct nightrec d[RT_N])
{
	static const char sql[] = "INSERT INTO temp.night VALUES (?1, ?2, ?3, "
	    "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
	    "?18, ?19, ?20)";
	static long shown = -1;
	static char day[16];
	char hx[24];
	sqlite3_stmt *q;
	int t;

	if (rc.now != shown)
		day_format(rc.now, day, sizeof day);
	shown = rc.now;
	snprintf(hx, sizeof hx, "%016" PRIx64, hash);
	if ((q = store_prepare(st, sql)) == NULL ||
	    store_bind(st, q, "ssssssss", day, hx, k[0], k[1], k[2], k[3],
	    k[4], k[5]) != 0)
		return fail(NULL);
	for (t = 0; t < RT_N; t++)
		if (sqlite3_bind_int64(q, 9 + 3 * t, (sqlite3_int64)d[t].hash) !=
		    SQLITE_OK || sqlite3_bind_int64(q, 10 + 3 * t, d[t].src) !=
		    SQLITE_OK || sqlite3_bind_int64(q, 11 + 3 * t, d[t].line) !=
		    SQLITE_OK) {
			sqlite3_reset(q);
			return fail(NULL);
		}
	if (store_step(st, q) != 0)
		return fail(NULL);
	return sqlite3_last_insert_rowid(store_db(st));
}

int
rstate_night_row(long long row, int w, const char *a, const char *b,
    const char *pa, const char *pb, struct nightrow *out)
{
	static const char sql[] = "SELECT hash, ebpCode, orderNo, "
	    "logisticsCode, logisticsNo, payCode, payTransactionId, h0, s0, "
	    "l0, h1, s1, l1, h2, s2, l2, h3, s3, l3 FROM temp.night WHERE "
	    "rowid = ?1";
	sqlite3_stmt *q;
	int r, t;

	if ((q = store_prepare(st, sql)) == NULL ||
	    store_bind(st, q, "i", row) != 0 || (r = store_step(st, q)) < 0)
		return fail(NULL);
	if (r == 0)
		return 0;
	if (strcmp(store_text(q, 1 + 2 * w), a) != 0 ||
	    strcmp(store_text(q, 2 + 2 * w), b) != 0) {
		sqlite3_reset(q);
		return 0;	/* another key with the same digest */
	}
	out->hash = strtoull(store_text(q, 0), NULL, 16);
	out->same_order = pa && pb && strcmp(store_text(q, 1), pa) == 0 &&
	    strcmp(store_text(q, 2), pb) == 0;
	for (t = 0; t < RT_N; t++) {
		out->d[t].hash = (uint64_t)sqlite3_column_int64(q, 7 + 3 * t);
		out->d[t].src = (uint32_t)sqlite3_column_int64(q, 8 + 3 * t);
		out->d[t].line = (uint32_t)sqlite3_column_int64(q, 9 + 3 * t);
	}
	sqlite3_reset(q);
	return 1;
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
	return write_asides();
}

/* The digests of the input's documents, computed once for its identity,
 * and the files they were read from, as they were. */
static struct store_digests kept_digests;
static struct store_seen seen;

/* The run id of documents known by ident hex: the date, '+', 16 hex
 * digits. */
static void
run_id(const char *hex)
{
	day_format(rc.now, rc.run, sizeof rc.run);
	snprintf(rc.run + strlen(rc.run), sizeof rc.run - strlen(rc.run),
	    "+%.16s", hex);
}

int
rstate_identity(int argc, char *const argv[], const struct stream_opts *so)
{
	struct stream_opts o = *so;
	char hex[STORE_HEX_LEN], err[512];
	int r;

	/* Framed only: every document counts, well-formed or not, and the
	 * input is read once more at the cost of a memchr.  (With no_parse
	 * the stream makes no parser and no fast check: the tool's no_tree
	 * changes nothing here.) */
	o.no_parse = 1;
	o.on_element = NULL;
	r = store_docs_identity(argc, argv, &o, rc.statedir, hex,
	    &kept_digests, &seen, err, sizeof err);
	if (r < 0) {
		diag_trouble(rc.statedir, 0, "%s", err);
		return -1;
	}
	if (r == 1)
		rc.defer = 1;	/* known by its documents, once read */
	else
		run_id(hex);
	return 0;
}

int
rstate_digest(const struct stream_doc *d, char hex[STORE_HEX_LEN])
{
	unsigned char dg[STORE_DIGEST_LEN];

	if (store_digests_take(&kept_digests, d, dg) == 1) {
		store_hex(dg, hex);
		return 0;
	}
	if (store_doc_digest(d->bytes, d->len, dg) != 0) {
		diag_trouble(NULL, 0, _("cannot compute a digest"));
		return -1;
	}
	store_hex(dg, hex);
	return 0;
}

int
rstate_document(const char *hex, const struct origin *o, const char *type)
{
	if (st == NULL)
		return 0;
	run.documents++;
	/* Written at the commit (rstate_judged() looks at other runs'). */
	if (store_document_later(st, hex, o->source, o->message, o->line,
	    type) != 0)
		return fail(NULL);
	return 0;
}

/* Documents set aside before the run's row exists (standard input). */
struct aside {
	char *source, *reason;
	long index, line;
};
static struct aside *asides;
static size_t nasides;

static int
write_asides(void)
{
	size_t i;
	int rv = 0;

	for (i = 0; i < nasides; i++) {
		if (rv == 0 && store_set_aside(st, run.id, asides[i].source,
		    asides[i].index, asides[i].line, asides[i].reason) != 0)
			rv = fail(NULL);
		free(asides[i].source);
		free(asides[i].reason);
	}
	free(asides);
	asides = NULL;
	nasides = 0;
	return rv;
}

void
rstate_bad(const char *source, long index, long line, const char *reason,
    void *arg)
{
	struct aside *a;

	(void)arg;
	rc.n_aside++;
	if (st == NULL)
		return;
	if (run.id != 0) {
		if (store_set_aside(st, run.id, source, index, line, reason) !=
		    0)
			(void)fail(NULL);
		return;
	}
	if ((a = realloc(asides, (nasides + 1) * sizeof *a)) == NULL) {
		diag_trouble(NULL, 0, _("out of memory"));
		return;
	}
	asides = a;
	a += nasides++;
	a->source = strdup(source ? source : "");
	a->reason = strdup(reason ? reason : "");
	a->index = index;
	a->line = line;
	if (a->source == NULL || a->reason == NULL)
		diag_trouble(NULL, 0, _("out of memory"));
}

/*
 * The documents of runs older than --keep-matched or --max-age days,
 * whichever is longer, are forgotten: a document judged that long ago is
 * judged again when it comes back (as a matched parcel is).
 */
static int
forget_documents(void)
{
	static const char sql[] = "DELETE FROM documents WHERE run IN "
	    "(SELECT run FROM reconcile_runs WHERE now < ?1)";
	char since[16];
	sqlite3_stmt *q;

	day_format(rc.now - (rc.keep > rc.max_age ? rc.keep : rc.max_age),
	    since, sizeof since);
	if ((q = store_prepare(st, sql)) == NULL ||
	    store_bind(st, q, "t", since) != 0 || store_step(st, q) != 0)
		return fail(NULL);
	return 0;
}

int
rstate_commit(void)
{
	static const char sql_counts[] = "UPDATE runs SET ended = ?1, "
	    "documents = ?2, records = ?3, passed = ?4, failed = ?5, "
	    "set_aside = ?6, status = ?7 WHERE id = ?8";
	sqlite3_stmt *q;
	char ended[32], path[4096];
	const char *why;
	long matched = 0;

	if (redo_of && undo_latest() != 0)
		return fail(NULL);
	/* Rows taken out before the latest run are needed no more. */
	if (store_exec(st, "DELETE FROM waiting WHERE removed IS NOT NULL;"
	    "DELETE FROM messages WHERE id NOT IN (SELECT msg FROM waiting)") !=
	    0)
		return fail(NULL);
	if (put_waiting(run.id) != 0 || put_matched(run.id) != 0 ||
	    forget_documents() != 0)
		return -1;
	if (store_documents_put(st, run.id) != 0)
		return fail(NULL);
	matched = rc.n_recmatched;
	store_now(ended, sizeof ended);
	if ((q = store_prepare(st, sql_counts)) == NULL ||
	    store_bind(st, q, "tiiiiiii", ended, (long long)run.documents,
	    (long long)rc.n_read, (long long)matched, (long long)rc.n_failed,
	    (long long)rc.n_aside, (long long)(rc.n_aside ? 2 :
	    diag_status()), run.id) != 0 || store_step(st, q) != 0)
		return fail(NULL);
	rstate_path(path, sizeof path);
	if (store_seen_check(&seen, path, sizeof path, &why) != 0) {
		diag_trouble(path, 0, "%s", why);
		return -1;
	}
	if (sealtab_commit(&seals, store_db(st), sealed) != 0)
		return -1;
	if (store_commit(st) != 0)
		return fail(NULL);
	return 0;
}

long long
rstate_judged(const char *hex, char *day, size_t n)
{
	static const char sql[] = "SELECT d.run, r.now FROM documents d JOIN "
	    "reconcile_runs r ON r.run = d.run WHERE d.digest = ?1 AND "
	    "d.run != ?2 AND d.run != ?3 ORDER BY d.run LIMIT 1";
	sqlite3_stmt *q;
	long long id = 0;
	int r;

	if (st == NULL || !has_judged)
		return 0;
	if ((q = store_prepare(st, sql)) == NULL ||
	    store_bind(st, q, "sii", hex, run.id, redo_of) != 0 ||
	    (r = store_step(st, q)) < 0)
		return fail(NULL);
	if (r == 1) {
		id = sqlite3_column_int64(q, 0);
		snprintf(day, n, "%s", store_text(q, 1));
		sqlite3_reset(q);
	}
	return id;
}

/* ---- standard input: read first, then judge ---- */

static FILE *kept;		/* the documents read, unlinked */
static struct store_ident ident;	/* of the documents read */
static unsigned long long nkept;

static int
put_str(const char *t)
{
	uint32_t n = t ? (uint32_t)strlen(t) + 1 : 0;

	return fwrite(&n, sizeof n, 1, kept) == 1 &&
	    (n == 0 || fwrite(t, 1, n, kept) == n) ? 0 : -1;
}

static char *
get_str(void)
{
	uint32_t n;
	char *t;

	if (fread(&n, sizeof n, 1, kept) != 1 || n > (1u << 30))
		return NULL;
	if (n == 0)
		return strdup("");
	if ((t = malloc(n)) == NULL || fread(t, 1, n, kept) != n ||
	    t[n - 1] != '\0') {
		free(t);
		return NULL;
	}
	return t;
}

int
rstate_defer(const struct stream_doc *d)
{
	unsigned char dg[STORE_DIGEST_LEN];
	const struct origin *o = &d->origin;
	long v[4];

	if (kept == NULL) {
		char p[4096];
		int fd;

		snprintf(p, sizeof p, "%s/ceb-reconcile-input.XXXXXX",
		    rc.statedir);
		if ((fd = mkstemp(p)) < 0 || unlink(p) != 0 ||
		    (kept = fdopen(fd, "w+")) == NULL) {
			diag_trouble(p, 0, _("cannot keep the input: %s"),
			    strerror(errno));
			return -1;
		}
	}
	if (store_doc_digest(d->bytes, d->len, dg) != 0) {
		diag_trouble(NULL, 0, _("cannot compute a digest"));
		return -1;
	}
	store_ident_add(&ident, dg);
	nkept++;
	v[0] = o->message;
	v[1] = o->line;
	v[2] = o->via_message;
	v[3] = o->via_line;
	if (put_str(o->source) != 0 || put_str(o->envelope) != 0 ||
	    put_str(o->via) != 0 || fwrite(v, sizeof v, 1, kept) != 1 ||
	    fwrite(&d->len, sizeof d->len, 1, kept) !=
	    1 || fwrite(d->bytes, 1, d->len, kept) != d->len) {
		diag_trouble(NULL, 0, _("cannot keep the input: %s"),
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* The run id of the documents read. */
static void
deferred_id(void)
{
	char hex[STORE_HEX_LEN];

	store_ident_hex(&ident, hex);
	run_id(hex);
}

int
rstate_replay(int (*fn)(struct stream_doc *, void *))
{
	unsigned long long i;
	int rv = 0;

	rc.defer = 0;
	deferred_id();
	if (rstate_load() != 0)
		return -1;
	if (kept == NULL)
		return 0;
	if (fflush(kept) != 0 || fseek(kept, 0, SEEK_SET) != 0) {
		diag_trouble(NULL, 0, _("cannot read the input kept: %s"),
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < nkept && rv == 0; i++) {
		struct stream_doc d;
		struct stream_err e;
		char *src = get_str(), *env = get_str(), *via = get_str(),
		    *bytes = NULL;
		long v[4];
		size_t len = 0;

		memset(&d, 0, sizeof d);
		memset(&e, 0, sizeof e);
		if (src == NULL || env == NULL || via == NULL ||
		    fread(v, sizeof v, 1, kept) != 1 ||
		    fread(&len, sizeof len, 1, kept) != 1 ||
		    (bytes = malloc(len ? len : 1)) == NULL ||
		    fread(bytes, 1, len, kept) != len) {
			diag_trouble(NULL, 0, _("cannot read the input kept"));
			rv = -1;
		} else {
			d.origin.source = src;
			d.origin.envelope = *env ? env : NULL;
			d.origin.via = *via ? via : NULL;
			d.origin.message = v[0];
			d.origin.line = v[1];
			d.origin.via_message = v[2];
			d.origin.via_line = v[3];
			d.source = src;
			d.index = v[0];
			d.line = v[1];
			d.bytes = bytes;
			d.len = len;
			/* As the input loop hands it: no tree, unless the
			 * test hook asks for every document's (store_doc()
			 * parses one when its scan does not take it). */
			d.doc = rc.tree ? stream_parse_memory(bytes, len,
			    src, &e) : NULL;
			rv = fn(&d, NULL);
			if (d.doc)
				xmlFreeDoc(d.doc);
		}
		free(src);
		free(env);
		free(via);
		free(bytes);
	}
	return rv;
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
	int i;

	rstate_close();
	free(dbmsg);
	dbmsg = NULL;
	capdbmsg = 0;
	keyidx_free(rows);
	rows = NULL;
	for (i = 0; i < 3; i++) {
		free(looked[i]);
		looked[i] = NULL;
		caplooked[i] = 0;
	}
	has_matched = 0;
	has_judged = 0;
	has_waiting = 0;
	keyidx_free(probed);
	probed = NULL;
	keyidx_free(loaded);
	loaded = NULL;
	free(lmid);
	lmid = NULL;
	caplmid = 0;
	while (headqueue < nqueue)
		free(queue[headqueue++]);
	free(queue);
	queue = NULL;
	headqueue = nqueue = capqueue = 0;
	if (kept)
		fclose(kept);
	kept = NULL;
	store_digests_free(&kept_digests);
	store_seen_free(&seen);
	nkept = 0;
	memset(&ident, 0, sizeof ident);
	redo_of = 0;
	memset(&run, 0, sizeof run);
}
