/*
 * qstore.c: ceb-quota-check's ledger in the SQLite store (common/store.h;
 * the schema is documented in cebtools-state(5)).
 *
 *   inventories     one row per inventory judged by any run (what the v1
 *                   CSV ledger held), with its history of earlier
 *                   judgments and releases so that a rerun recognises
 *                   each record it has already applied;
 *   inventory_keys  each inventory's keys (invtNo, ebpCode+orderNo,
 *                   agentCode+copNo, ebcCode+copNo) -> its row: a run
 *                   looks up only the keys its records name;
 *   quota_events    append-only: one row per change of a buyer's year
 *                   (counted, rejected, changed, cancelled, returned,
 *                   released; corrected is kept for later corrections),
 *                   amounts as exact decimal text, never updated or
 *                   deleted (triggers refuse it);
 *   buyer_years     per buyer and quota year the quota used, checkable
 *                   against the events (--check).
 *
 * Seals (docs/security.md, cebtools-state(5)): every event carries
 * mac = HMAC-SHA256(key, previous event's mac || its columns), the first
 * sealed event chaining after a genesis that covers every event from
 * before sealing (meta mac_legacy) and the first sealed seq (meta
 * mac_from); meta mac_head seals the last event's seq and mac, so that
 * events removed from the end show too.  Every inventory and buyer total
 * carries the HMAC of its columns.  A run checks the key, the head and
 * the last event, and the MAC of each inventory and buyer total it
 * reads (and that no event of a buyer-year came after the one its total
 * names); --check walks the whole chain and every row.  A store without
 * seals (made before them) is sealed as found by its next run.
 *
 * Where the store lives: --ledger FILE is the SQLite file itself, unless
 * FILE ends in .csv or .csv.gz (a ledger name of the CSV releases): the
 * store is then the same name ending in .db instead.  A v1 (CSV) ledger
 * found at FILE is converted on first use, inside the run's transaction
 * (nothing converted unless the run commits): it is first renamed FILE +
 * ".converted" (never deleted; a file of that name already there is
 * trouble) and read from there until a run commits.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "csvio.h"
#include "diag.h"
#include "i18n.h"
#include "mask.h"
#include "quota.h"
#include "seal.h"
#include "state.h"
#include "store.h"
#include "utf8.h"

/* The page cache while the store is read (ledger_read()); see
 * small_cache() for after. */
#ifndef READ_CACHE
#define READ_CACHE "PRAGMA cache_size = -32768"
#endif

static const char schema_v1[] = STORE_SCHEMA_COMMON
"CREATE TABLE inventories("
"  id INTEGER PRIMARY KEY,"
"  person TEXT NOT NULL,"
"  year INTEGER NOT NULL,"
"  date TEXT NOT NULL,"
"  invtno TEXT NOT NULL, ebp TEXT NOT NULL, orderno TEXT NOT NULL,"
"  ebc TEXT NOT NULL, agent TEXT NOT NULL, copno TEXT NOT NULL,"
"  amount TEXT NOT NULL,"
"  lines TEXT NOT NULL,"
"  verdict TEXT NOT NULL CHECK (verdict IN ('within', 'single-item',"
"    'over-single', 'over-annual')),"
"  state TEXT NOT NULL CHECK (state IN ('counted', 'partial', 'released',"
"    'rejected')),"
"  used TEXT NOT NULL,"
"  released TEXT NOT NULL,"
"  guid TEXT NOT NULL,"
"  history TEXT NOT NULL DEFAULT '',"
"  run INTEGER REFERENCES runs(id));"
"CREATE INDEX inventories_buyer ON inventories(person, year);"
"CREATE TABLE inventory_keys("
"  key TEXT PRIMARY KEY,"
"  inventory INTEGER NOT NULL REFERENCES inventories(id)) WITHOUT ROWID;"
"CREATE TABLE quota_events("
"  seq INTEGER PRIMARY KEY,"
"  run INTEGER NOT NULL REFERENCES runs(id),"
"  inventory INTEGER NOT NULL REFERENCES inventories(id),"
"  person TEXT NOT NULL,"
"  year INTEGER NOT NULL,"
"  kind TEXT NOT NULL CHECK (kind IN ('counted', 'rejected', 'changed',"
"    'cancelled', 'returned', 'released', 'corrected')),"
"  guid TEXT NOT NULL,"
"  amount TEXT NOT NULL,"
"  delta TEXT NOT NULL,"
"  used_after TEXT NOT NULL,"
"  time INTEGER,"
"  mac BLOB);"
"CREATE INDEX quota_events_buyer ON quota_events(person, year);"
"CREATE TRIGGER quota_events_no_update BEFORE UPDATE ON quota_events"
"  BEGIN SELECT RAISE(ABORT, 'quota events are never changed'); END;"
"CREATE TRIGGER quota_events_no_delete BEFORE DELETE ON quota_events"
"  BEGIN SELECT RAISE(ABORT, 'quota events are never deleted'); END;"
"CREATE TABLE buyer_years("
"  person TEXT NOT NULL,"
"  year INTEGER NOT NULL,"
"  used TEXT NOT NULL,"
"  last_event INTEGER REFERENCES quota_events(seq),"
"  PRIMARY KEY(person, year)) WITHOUT ROWID;"
"CREATE VIEW buyer_year AS SELECT b.person, b.year, b.used,"
"  (SELECT count(*) FROM inventories i WHERE i.person = b.person"
"    AND i.year = b.year AND i.state IN ('counted', 'partial'))"
"    AS inventories,"
"  (SELECT count(*) FROM quota_events e WHERE e.person = b.person"
"    AND e.year = b.year) AS events"
"  FROM buyer_years b;"
"CREATE VIEW quota_history AS SELECT e.seq, e.run, r.started, e.person,"
"  e.year, e.kind, e.amount, e.delta, e.used_after, i.invtno, i.ebp,"
"  i.orderno, e.guid FROM quota_events e"
"  JOIN inventories i ON i.id = e.inventory"
"  JOIN runs r ON r.id = e.run ORDER BY e.seq;";

/* Version 2: each inventory's estimated tax (issue 18), as the report's
 * tax column said when it was counted: '' when never estimated (rows of
 * version 1 and of converted CSV ledgers), 'unknown' when a rate was
 * missing. */
static const char schema_v2[] =
"ALTER TABLE inventories ADD COLUMN tax TEXT NOT NULL DEFAULT '';";

/* Version 3 (issue 16): a keyed MAC on every inventory and buyer total
 * (the events had their column from the start); see "seals" below. */
static const char schema_v3[] =
"ALTER TABLE inventories ADD COLUMN mac BLOB;"
"ALTER TABLE buyer_years ADD COLUMN mac BLOB;";

/* Version 4 (issue 16): who made a correction and why, on its event
 * (NULL on every other event); the event's MAC covers both when they are
 * there (event_mac()).  quota_history shows them with the event's time. */
static const char schema_v4[] =
"ALTER TABLE quota_events ADD COLUMN who TEXT;"
"ALTER TABLE quota_events ADD COLUMN reason TEXT;"
"CREATE TRIGGER quota_events_correction BEFORE INSERT ON quota_events"
"  WHEN NEW.kind = 'corrected' AND (coalesce(NEW.who, '') = ''"
"    OR coalesce(NEW.reason, '') = '')"
"  BEGIN SELECT RAISE(ABORT, 'a correction names who and why'); END;"
"DROP VIEW quota_history;"
"CREATE VIEW quota_history AS SELECT e.seq, e.run, r.started, e.person,"
"  e.year, e.kind, e.amount, e.delta, e.used_after, i.invtno, i.ebp,"
"  i.orderno, e.guid, e.time, e.who, e.reason FROM quota_events e"
"  JOIN inventories i ON i.id = e.inventory"
"  JOIN runs r ON r.id = e.run ORDER BY e.seq;";

static const char *const migrations[] = { schema_v1, schema_v2, schema_v3,
    schema_v4, NULL };

static const struct store_schema schema = { "ceb-quota-check", migrations };

static int
ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && strcmp(s + a - b, suf) == 0;
}

/* What path holds: 0 nothing (or an empty file), 1 something that is
 * not an SQLite database (a v1 ledger, or trouble for its reader), 2 an
 * SQLite database. */
static int
file_kind(const char *path)
{
	char buf[16];
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf);
	close(fd);
	if (n <= 0)
		return 0;
	return n == 16 && memcmp(buf, "SQLite format 3", 16) == 0 ? 2 : 1;
}

/* Nonzero when path holds something that is not an SQLite database. */
static int
is_v1(const char *path)
{
	return file_kind(path) == 1;
}

/* Rename from to to, never replacing to.  Returns 0 or -1 (errno). */
static int
keep_rename(const char *from, const char *to)
{
	if (link(from, to) != 0)
		return -1;
	return unlink(from);
}

/*
 * Where the store is, and a v1 ledger to convert: see the file comment.
 * An in-place conversion (FILE itself holds a v1 ledger) moves FILE aside
 * under the v1 releases' own lock (FILE.lock), so that two first runs do
 * not both move it.  Returns 0, or -1 after reporting.
 */
static int
resolve(struct run *r)
{
	const char *p = r->ledger_path;
	size_t n = strlen(p);
	char *s, *conv;

	if ((conv = malloc(n + 16)) == NULL || (s = malloc(n + 8)) == NULL) {
		free(conv);
		diag_trouble(p, 0, _("out of memory"));
		return -1;
	}
	snprintf(conv, n + 16, "%s.converted", p);
	if (ends_with(p, ".csv") || ends_with(p, ".csv.gz")) {
		size_t stem = n - (ends_with(p, ".csv") ? 4 : 7);

		memcpy(s, p, stem);
		memcpy(s + stem, ".db", 4);
	} else
		memcpy(s, p, n + 1);
	r->store_path = s;
	r->convert_from = conv;
	if (strcmp(s, p) == 0 && is_v1(p)) {
		char lk[4200];
		int fd;

		snprintf(lk, sizeof lk, "%s.lock", p);
		fd = open(lk, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 || flock(fd, LOCK_EX) != 0) {
			diag_trouble(lk, 0, _("cannot lock: %s"),
			    strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		if (is_v1(p) && keep_rename(p, conv) != 0) {
			diag_trouble(p, 0, _("cannot move the CSV ledger aside "
			    "to %s to convert it: %s"), conv, strerror(errno));
			close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

/* ---- conversion of a v1 ledger ---- */

static const char sql_inv_insert[] =
    "INSERT INTO inventories(person, year, date, invtno, ebp, orderno, "
    "ebc, agent, copno, amount, lines, verdict, state, used, released, "
    "guid, history, run) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
    "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";
static const char sql_inv_update[] =
    "UPDATE inventories SET person = ?1, year = ?2, date = ?3, "
    "invtno = ?4, ebp = ?5, orderno = ?6, ebc = ?7, agent = ?8, "
    "copno = ?9, amount = ?10, lines = ?11, verdict = ?12, state = ?13, "
    "used = ?14, released = ?15, guid = ?16, history = ?17, run = ?18 "
    "WHERE id = ?19";
static const char sql_inv_update_same[] =
    "UPDATE inventories SET date = ?3, "
    "invtno = ?4, ebp = ?5, orderno = ?6, ebc = ?7, agent = ?8, "
    "copno = ?9, amount = ?10, lines = ?11, verdict = ?12, state = ?13, "
    "used = ?14, released = ?15, guid = ?16, history = ?17, run = ?18 "
    "WHERE id = ?19 AND person = ?1 AND year = ?2";
static const char sql_inv_tax[] =
    "UPDATE inventories SET tax = ?1 WHERE id = ?2";
static const char sql_key_insert[] =
    "INSERT OR IGNORE INTO inventory_keys(key, inventory) VALUES (?1, ?2)";
static const char sql_key_get[] =
    "SELECT inventory FROM inventory_keys WHERE key = ?1";
static const char sql_inv_get[] =
    "SELECT person, year, date, invtno, ebp, orderno, ebc, agent, copno, "
    "amount, lines, verdict, state, used, released, guid, history "
    "FROM inventories WHERE id = ?1";
static const char sql_event_insert[] =
    "INSERT INTO quota_events(run, inventory, person, year, kind, guid, "
    "amount, delta, used_after, time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
    "?8, ?9, ?10)";
static const char sql_by_get[] =
    "SELECT used FROM buyer_years WHERE person = ?1 AND year = ?2";
static const char sql_by_put[] =
    "INSERT INTO buyer_years(person, year, used, last_event) "
    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(person, year) DO UPDATE SET "
    "used = excluded.used, last_event = excluded.last_event";

static int
fail(struct run *r)
{
	diag_trouble(r->store_path, 0, "%s", store_errmsg(r->st));
	return -1;
}

/*
 * The CHECK constraints of schema_v1 (verdict, state, kind IN (...)):
 * SQLite builds a temporary index of each IN list for every row it
 * checks, which costs several times the insert itself (about 4.5 us a
 * row here, three lists per inventory of the night).  A night's run
 * therefore turns them off on its own connection (qstore_open(): PRAGMA
 * ignore_check_constraints) and holds every value it writes to the same
 * lists here; the schema keeps them for every other writer (the sqlite3
 * shell, --correct).  0 when v is in set, else -1 after reporting.
 */
static const char *const check_verdicts[] = { "within", "single-item",
	"over-single", "over-annual", NULL };
static const char *const check_states[] = { "counted", "partial",
	"released", "rejected", NULL };
static const char *const check_kinds[] = { "counted", "rejected",
	"changed", "cancelled", "returned", "released", "corrected", NULL };

static int
check_in(struct run *r, const char *column, const char *v,
    const char *const *set)
{
	for (; *set; set++)
		if (strcmp(v, *set) == 0)
			return 0;
	diag_trouble(r->store_path, 0, _("CHECK constraint failed: %s "
	    "cannot be '%s'"), column, v);
	return -1;
}

static int
check_row(struct run *r, const char *verdict, const char *state)
{
	return check_in(r, "verdict", verdict, check_verdicts) != 0 ||
	    check_in(r, "state", state, check_states) != 0 ? -1 : 0;
}

static int
insert_keys(struct run *r, long long id, const char *invtno,
    const char *agent, const char *ebc, const char *ebp, const char *copno,
    const char *orderno)
{
	char k[4][256];
	int n = 0, i;
	sqlite3_stmt *st;

	if (key_invt(k[n], 256, invtno) == 0)
		n++;
	if (key_order(k[n], 256, ebp, orderno) == 0)
		n++;
	if (key_agent(k[n], 256, agent, copno) == 0)
		n++;
	if (key_ebc(k[n], 256, ebc, copno) == 0)
		n++;
	for (i = 0; i < n; i++)
		if ((st = store_prepare(r->st, sql_key_insert)) == NULL ||
		    store_bind(r->st, st, "ti", k[i], id) != 0 ||
		    store_step(r->st, st) != 0)
			return -1;
	return 0;
}

static const char sql_event_insert_mac[] =
    "INSERT INTO quota_events(seq, run, inventory, person, year, kind, "
    "guid, amount, delta, used_after, time, mac, who, reason) VALUES (?1, "
    "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

/*
 * Append an event, its amounts as text (dec_format(), 2 places); its
 * seq, or -1.  who and why: a correction's (both set, and only on a
 * sealed store: ledger_correct()), else NULL.
 */
static long long
insert_event_text(struct run *r, long long run, long long inv,
    const char *person, int year, const char *kind, const char *guid,
    const char *a, const char *d, const char *u, unsigned long long time,
    const char *who, const char *why)
{
	sqlite3_stmt *st;
	char sq[24], rn[24], iv[24], yr[24], tm[24];
	const char *v[13];
	unsigned char mac[SEAL_LEN];

	if (check_in(r, "kind", kind, check_kinds) != 0)
		return -1;
	if (!r->sealed) {
		if (who != NULL || why != NULL)
			return -1;	/* never: corrections are sealed */
		st = store_prepare(r->st, sql_event_insert);
		if (st == NULL || store_bind(r->st, st, "iititttttn", run, inv,
		    person, (long long)year, kind, guid, a, d, u) != 0)
			return -1;
		if (time != 0 && sqlite3_bind_int64(st, 10, (long long)time) !=
		    SQLITE_OK)
			return -1;
		if (store_step(r->st, st) != 0)
			return -1;
		return sqlite3_last_insert_rowid(store_db(r->st));
	}
	/* Sealed: the next seq, chained after the last event. */
	snprintf(sq, sizeof sq, "%lld", r->mac_seq + 1);
	snprintf(rn, sizeof rn, "%lld", run);
	snprintf(iv, sizeof iv, "%lld", inv);
	snprintf(yr, sizeof yr, "%d", year);
	snprintf(tm, sizeof tm, "%llu", time);
	v[0] = sq;
	v[1] = rn;
	v[2] = iv;
	v[3] = person;
	v[4] = yr;
	v[5] = kind;
	v[6] = guid;
	v[7] = a;
	v[8] = d;
	v[9] = u;
	v[10] = time != 0 ? tm : NULL;
	v[11] = who;
	v[12] = why;
	if (seal_strings(r->key, r->mac_last, v, who || why ? 13 : 11, mac) !=
	    0)
		return -1;
	st = store_prepare(r->st, sql_event_insert_mac);
	if (st == NULL || store_bind(r->st, st, "iiititttttnbtt",
	    r->mac_seq + 1, run, inv, person, (long long)year, kind, guid, a, d,
	    u, mac, (size_t)SEAL_LEN, who, why) != 0)
		return -1;
	if (time != 0 && sqlite3_bind_int64(st, 11, (long long)time) !=
	    SQLITE_OK)
		return -1;
	if (store_step(r->st, st) != 0)
		return -1;
	r->mac_seq++;
	memcpy(r->mac_last, mac, SEAL_LEN);
	return r->mac_seq;
}

/* insert_event_text() with the amounts as numbers. */
static long long
insert_event(struct run *r, long long run, long long inv, const char *person,
    int year, const char *kind, const char *guid, struct dec amount,
    struct dec delta, struct dec used_after, unsigned long long time,
    const char *who, const char *why)
{
	char a[64], d[64], u[64];

	return insert_event_text(r, run, inv, person, year, kind, guid,
	    dec_format(amount, 2, a, sizeof a), dec_format(delta, 2, d,
	    sizeof d), dec_format(used_after, 2, u, sizeof u), time, who,
	    why);
}

/* buyer_years: read, add delta, write. */
static int
buyer_add(struct run *r, const char *person, int year, struct dec delta,
    long long ev)
{
	sqlite3_stmt *st = store_prepare(r->st, sql_by_get);
	struct dec used = dec_from_int(0);
	char u[64];
	int rc;

	if (st == NULL || store_bind(r->st, st, "ti", person,
	    (long long)year) != 0 || (rc = store_step(r->st, st)) < 0)
		return -1;
	if (rc == 1) {
		(void)dec_parse_str(store_text(st, 0), &used);
		sqlite3_reset(st);
	}
	used = dec_add(used, delta);
	st = store_prepare(r->st, sql_by_put);
	return st == NULL || store_bind(r->st, st, "titi", person,
	    (long long)year, dec_format(used, 2, u, sizeof u), ev) != 0 ||
	    store_step(r->st, st) != 0 ? -1 : 0;
}

struct conv {
	struct run *r;
	long long run;
	long rows, events;
};

static int
kind_of(char c, const char **kind)
{
	*kind = c == 'C' ? "cancelled" : c == 'R' ? "returned" :
	    c == 'X' ? "released" : c == 'J' ? "rejected" : NULL;
	return *kind ? 0 : -1;
}

/*
 * One v1 row: the inventory, its keys, and its history as events: each
 * earlier judgment (J, always a rejection), then the row's own judgment,
 * then each release (C, R, X) with the amount it gave back.
 */
static int
conv_row(const struct v1row *v, void *arg)
{
	struct conv *c = arg;
	struct run *r = c->r;
	sqlite3_stmt *st = store_prepare(r->st, sql_inv_insert);
	char amt[64], used[64], rel[64], *h, *save = NULL, *tok;
	long long id, ev = 0;
	int counted = verdict_counted(v->verdict) && v->state != S_REJECTED;
	struct dec zero = dec_from_int(0), after, given = zero;

	if (!shard_mine(&r->shard, v->person, strcspn(v->person, "|"))) {
		diag_trouble(r->convert_from, v->line, _("ledger row belongs "
		    "to another shard than %u/%u"), r->shard.k, r->shard.n);
		return -1;
	}
	if (check_row(r, verdict_name(v->verdict), state_name(v->state)) != 0)
		return -1;
	if (st == NULL || store_bind(r->st, st, "tittttttttttttttti",
	    v->person, (long long)v->year, v->date, v->invtno, v->ebp,
	    v->orderno, v->ebc, v->agent, v->copno,
	    dec_format(v->amount, 2, amt, sizeof amt), v->lines,
	    verdict_name(v->verdict), state_name(v->state),
	    dec_format(v->used, 2, used, sizeof used),
	    dec_format(v->released, 2, rel, sizeof rel), v->guid,
	    v->events, c->run) != 0 || store_step(r->st, st) != 0)
		return fail(r);
	id = sqlite3_last_insert_rowid(store_db(r->st));
	if (insert_keys(r, id, v->invtno, v->agent, v->ebc, v->ebp, v->copno,
	    v->orderno) != 0)
		return fail(r);
	if ((h = strdup(v->events)) == NULL)
		return -1;
	/* Earlier judgments first. */
	for (tok = strtok_r(h, " ", &save); tok; tok = strtok_r(NULL, " ",
	    &save)) {
		char *f[5];
		int n = 0;
		char *p = tok;
		struct dec a = zero, u = zero;

		if (tok[0] != 'J')
			continue;
		while (n < 5 && p) {
			f[n++] = p;
			if ((p = strchr(p, ':')) != NULL)
				*p++ = '\0';
		}
		if (n < 5 || dec_parse_str(f[3], &u) != DEC_OK ||
		    dec_parse_str(f[4], &a) != DEC_OK) {
			diag_trouble(r->convert_from, v->line, _("ledger "
			    "history entry does not parse"));
			free(h);
			return -1;
		}
		if ((ev = insert_event(r, c->run, id, v->person, v->year,
		    "rejected", f[1], a, zero, u, 0, NULL, NULL)) < 0) {
			free(h);
			return fail(r);
		}
		c->events++;
	}
	free(h);
	after = counted ? dec_add(v->used, v->amount) : v->used;
	if ((ev = insert_event(r, c->run, id, v->person, v->year, counted ?
	    "counted" : "rejected", v->guid, v->amount, counted ? v->amount :
	    zero, after, 0, NULL, NULL)) < 0)
		return fail(r);
	c->events++;
	if ((h = strdup(v->events)) == NULL)
		return -1;
	save = NULL;
	for (tok = strtok_r(h, " ", &save); tok; tok = strtok_r(NULL, " ",
	    &save)) {
		char *f[5];
		int n = 0;
		char *p = tok;
		const char *kind;
		struct dec g = zero, u = zero;

		/* Releases only; J is above; A (a change, issue 18) and V (a
		 * release day) stay in the history text: the row's own event
		 * counts its current amount. */
		if (tok[0] != 'C' && tok[0] != 'R' && tok[0] != 'X')
			continue;
		while (n < 5 && p) {
			f[n++] = p;
			if ((p = strchr(p, ':')) != NULL)
				*p++ = '\0';
		}
		if (n < 5 || kind_of(tok[0], &kind) != 0 ||
		    dec_parse_str(f[2], &g) != DEC_OK ||
		    dec_parse_str(f[3], &u) != DEC_OK) {
			diag_trouble(r->convert_from, v->line, _("ledger "
			    "history entry does not parse"));
			free(h);
			return -1;
		}
		if ((ev = insert_event(r, c->run, id, v->person, v->year, kind,
		    f[1], v->amount, dec_sub(zero, g), u,
		    strtoull(f[4], NULL, 10), NULL, NULL)) < 0) {
			free(h);
			return fail(r);
		}
		given = dec_add(given, g);
		c->events++;
	}
	free(h);
	/* What the row says it gave back is what its history gave back:
	 * otherwise the buyer's total and its events disagree. */
	if (dec_cmp(given, v->released) != 0) {
		diag_trouble(r->convert_from, v->line, _("ledger row: released "
		    "is not what its history gave back"));
		return -1;
	}
	if (buyer_add(r, v->person, v->year, counted ?
	    dec_sub(v->amount, v->released) : zero, ev) != 0)
		return fail(r);
	c->rows++;
	return 0;
}

/*
 * Convert the v1 ledger, when there is one and the store has never
 * committed a run, as a run of its own inside the transaction.
 */
static int
convert(struct run *r)
{
	struct store_run run;
	struct conv c;
	long long runs;
	char note[256];
	sqlite3_stmt *st;
	static const char sql_meta[] =
	    "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)";

	if (!store_exists(r->convert_from))
		return 0;
	if ((runs = store_int(r->st, "SELECT count(*) FROM runs", 0)) < 0)
		return fail(r);
	if (runs > 0)
		return 0;	/* converted by an earlier run */
	memset(&run, 0, sizeof run);
	run.tool = "ceb-quota-check";
	run.label = "conversion";
	snprintf(run.identity, sizeof run.identity, "conversion");
	store_now(run.started, sizeof run.started);
	if (store_run_insert(r->st, &run) != 0)
		return fail(r);
	memset(&c, 0, sizeof c);
	c.r = r;
	c.run = run.id;
	if (ledger_v1_each(r->convert_from, conv_row, &c) != 0)
		return -1;
	snprintf(note, sizeof note, "converted %ld rows (%ld events) from %s",
	    c.rows, c.events, r->convert_from);
	if ((st = store_prepare(r->st, "UPDATE runs SET note = ?1, records = "
	    "?2 WHERE id = ?3")) == NULL ||
	    store_bind(r->st, st, "tii", note, (long long)c.rows, run.id) ||
	    store_step(r->st, st) != 0 ||
	    (st = store_prepare(r->st, sql_meta)) == NULL ||
	    store_bind(r->st, st, "tt", "converted_from", r->convert_from) ||
	    store_step(r->st, st) != 0)
		return fail(r);
	return 0;
}

/* ---- seals (see the file comment) ---- */

static const char sql_inv_macrow[] =
    "SELECT id, person, year, date, invtno, ebp, orderno, ebc, agent, "
    "copno, amount, lines, verdict, state, used, released, guid, history, "
    "run, tax, mac FROM inventories WHERE id = ?1";
static const char sql_inv_all[] =
    "SELECT id, person, year, date, invtno, ebp, orderno, ebc, agent, "
    "copno, amount, lines, verdict, state, used, released, guid, history, "
    "run, tax, mac FROM inventories ORDER BY id";
#define INV_NCOLS 20
static const char sql_inv_setmac[] =
    "UPDATE inventories SET mac = ?2 WHERE id = ?1";
static const char sql_by_macrow[] =
    "SELECT person, year, used, last_event, mac FROM buyer_years "
    "WHERE person = ?1 AND year = ?2";
static const char sql_by_all[] =
    "SELECT person, year, used, last_event, mac FROM buyer_years "
    "ORDER BY person, year";
#define BY_NCOLS 4
static const char sql_by_setmac[] =
    "UPDATE buyer_years SET mac = ?3 WHERE person = ?1 AND year = ?2";
static const char sql_by_lastev[] =
    "SELECT max(seq) FROM quota_events WHERE person = ?1 AND year = ?2";
static const char sql_ev_row[] =
    "SELECT seq, run, inventory, person, year, kind, guid, amount, delta, "
    "used_after, time, who, reason, mac FROM quota_events WHERE seq = ?1";
static const char sql_ev_from[] =
    "SELECT seq, run, inventory, person, year, kind, guid, amount, delta, "
    "used_after, time, who, reason, mac FROM quota_events WHERE seq >= ?1 "
    "ORDER BY seq";
static const char sql_ev_before[] =
    "SELECT seq, run, inventory, person, year, kind, guid, amount, delta, "
    "used_after, time, who, reason, mac FROM quota_events WHERE seq < ?1 "
    "ORDER BY seq";
#define EV_NCOLS 11	/* seq .. time: what every event's MAC covers */
#define EV_WHO 11	/* who, reason: covered too when there (schema 4) */
#define EV_MAC 13
static const char sql_meta_get[] = "SELECT value FROM meta WHERE key = ?1";
static const char sql_meta_put[] =
    "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)";

/* A meta value into buf ("" when missing); 1 found, 0 not, -1 error. */
static int
meta_get(struct run *r, const char *key, char *buf, size_t n)
{
	sqlite3_stmt *st = store_prepare(r->st, sql_meta_get);
	int rc;

	buf[0] = '\0';
	if (st == NULL || store_bind(r->st, st, "t", key) != 0 ||
	    (rc = store_step(r->st, st)) < 0)
		return -1;
	if (rc == 1) {
		snprintf(buf, n, "%s", store_text(st, 0));
		sqlite3_reset(st);
	}
	return rc;
}

static int
meta_put(struct run *r, const char *key, const char *value)
{
	sqlite3_stmt *st = store_prepare(r->st, sql_meta_put);

	return st == NULL || store_bind(r->st, st, "tt", key, value) != 0 ||
	    store_step(r->st, st) != 0 ? -1 : 0;
}

static int
unhex(const char *h, unsigned char out[SEAL_LEN])
{
	int i;

	if (strlen(h) != 2 * SEAL_LEN)
		return -1;
	for (i = 0; i < SEAL_LEN; i++) {
		unsigned v;

		if (sscanf(h + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	return 0;
}

/* The genesis: HMAC over the legacy digest and the first sealed seq. */
static int
genesis(struct run *r, const unsigned char legacy[SEAL_LEN], long long from,
    unsigned char out[SEAL_LEN])
{
	char f[24];
	const char *v[2];

	snprintf(f, sizeof f, "%lld", from);
	v[0] = "genesis";
	v[1] = f;
	return seal_strings(r->key, legacy, v, 2, out);
}

/* The head: HMAC over the last event's seq, after its MAC. */
static int
head_mac(struct run *r, long long seq, const unsigned char last[SEAL_LEN],
    char hex[2 * SEAL_LEN + 1])
{
	unsigned char m[SEAL_LEN];
	char q[24];
	const char *v[2];

	snprintf(q, sizeof q, "%lld", seq);
	v[0] = "head";
	v[1] = q;
	if (seal_strings(r->key, last, v, 2, m) != 0)
		return -1;
	seal_hex(m, hex);
	return 0;
}

/* Seal inventory id as it is now in the store. */
static int
seal_inventory(struct run *r, long long id)
{
	sqlite3_stmt *st = store_prepare(r->st, sql_inv_macrow);
	unsigned char m[SEAL_LEN];
	int rc;

	if (st == NULL || store_bind(r->st, st, "i", id) != 0 ||
	    (rc = store_step(r->st, st)) != 1)
		return -1;
	rc = seal_row(r->key, NULL, st, 0, INV_NCOLS, m);
	sqlite3_reset(st);
	if (rc != 0 || (st = store_prepare(r->st, sql_inv_setmac)) == NULL ||
	    store_bind(r->st, st, "ib", id, m, (size_t)SEAL_LEN) != 0 ||
	    store_step(r->st, st) != 0)
		return -1;
	return 0;
}

static int
seal_buyer(struct run *r, const char *person, int year)
{
	sqlite3_stmt *st = store_prepare(r->st, sql_by_macrow);
	unsigned char m[SEAL_LEN];
	int rc;

	if (st == NULL || store_bind(r->st, st, "ti", person,
	    (long long)year) != 0 || (rc = store_step(r->st, st)) != 1)
		return -1;
	rc = seal_row(r->key, NULL, st, 0, BY_NCOLS, m);
	sqlite3_reset(st);
	if (rc != 0 || (st = store_prepare(r->st, sql_by_setmac)) == NULL ||
	    store_bind(r->st, st, "tib", person, (long long)year, m,
	    (size_t)SEAL_LEN) != 0 || store_step(r->st, st) != 0)
		return -1;
	return 0;
}

/* A trouble about the seals, once per run is enough to stop it. */
static int
tampered(struct run *r, const char *what)
{
	diag_trouble(r->store_path, 0, _("%s: the ledger was changed outside "
	    "ceb-quota-check (its MAC does not match), or the key is not "
	    "its own"), what);
	return -1;
}

/*
 * The MAC of the event in st's current row (the columns of sql_ev_row)
 * chained after prev: its eleven columns seq .. time, then who and why
 * when it names them (a correction): an event given or stripped of them
 * outside the tool no longer matches.
 */
static int
event_mac(struct run *r, const unsigned char *prev, sqlite3_stmt *st,
    unsigned char out[SEAL_LEN])
{
	int n = sqlite3_column_type(st, EV_WHO) == SQLITE_NULL &&
	    sqlite3_column_type(st, EV_WHO + 1) == SQLITE_NULL ? EV_NCOLS :
	    EV_NCOLS + 2;

	return seal_row(r->key, prev, st, 0, n, out);
}

/* The chain over the events before sealing (legacy), into out. */
static int
legacy_digest(struct run *r, long long from, unsigned char out[SEAL_LEN])
{
	sqlite3_stmt *st = store_prepare(r->st, sql_ev_before);
	int rc;

	memset(out, 0, SEAL_LEN);
	if (st == NULL || store_bind(r->st, st, "i", from) != 0)
		return -1;
	while ((rc = store_step(r->st, st)) == 1)
		if (event_mac(r, out, st, out) != 0) {
			sqlite3_reset(st);
			return -1;
		}
	return rc;
}

/* Seal a store made before seals, as found, inside the run. */
static int
adopt(struct run *r)
{
	unsigned char legacy[SEAL_LEN];
	char hex[2 * SEAL_LEN + 1], f[24];
	long long last, n = 0;
	sqlite3_stmt *st;
	int rc;

	if ((last = store_int(r->st, "SELECT coalesce(max(seq), 0) FROM "
	    "quota_events", 0)) < 0)
		return fail(r);
	r->mac_from = last + 1;
	if (legacy_digest(r, r->mac_from, legacy) != 0 ||
	    genesis(r, legacy, r->mac_from, r->mac_genesis) != 0)
		return fail(r);
	/* Every inventory and buyer total as it is. */
	if ((st = store_prepare(r->st, "SELECT id FROM inventories")) == NULL)
		return fail(r);
	{
		struct vec ids = { 0 };
		size_t i;

		while ((rc = store_step(r->st, st)) == 1) {
			long long *p = arena_alloc(&r->ar, sizeof *p);

			if (p == NULL || vec_push(&ids, p) != 0) {
				sqlite3_reset(st);
				free(ids.v);
				return fail(r);
			}
			*p = sqlite3_column_int64(st, 0);
		}
		for (i = 0; rc == 0 && i < ids.n; i++)
			if (seal_inventory(r, *(long long *)ids.v[i]) != 0)
				rc = -1;
		n = (long long)ids.n;
		free(ids.v);
		if (rc != 0)
			return fail(r);
	}
	if (store_exec(r->st, "CREATE TEMP TABLE seal_by AS SELECT person, "
	    "year FROM buyer_years") != 0 ||
	    (st = store_prepare(r->st, "SELECT person, year FROM "
	    "temp.seal_by")) == NULL)
		return fail(r);
	while ((rc = store_step(r->st, st)) == 1) {
		char *p = arena_str(&r->ar, store_text(st, 0));

		if (p == NULL || seal_buyer(r, p,
		    sqlite3_column_int(st, 1)) != 0) {
			sqlite3_reset(st);
			return fail(r);
		}
	}
	if (rc < 0 || store_exec(r->st, "DROP TABLE temp.seal_by") != 0)
		return fail(r);
	seal_hex(legacy, hex);
	snprintf(f, sizeof f, "%lld", r->mac_from);
	r->mac_seq = last;
	memcpy(r->mac_last, r->mac_genesis, SEAL_LEN);
	r->sealed = 1;
	if (meta_put(r, "mac_key_id", r->key->id) != 0 ||
	    meta_put(r, "mac_from", f) != 0 ||
	    meta_put(r, "mac_legacy", hex) != 0 ||
	    head_mac(r, r->mac_seq, r->mac_last, hex) != 0 ||
	    meta_put(r, "mac_head", hex) != 0)
		return fail(r);
	if (last > 0 || n > 0)
		diag_note(_("%s: sealing the ledger as found (%lld events, "
		    "%lld inventories) with the key %s"), r->store_path, last,
		    n, r->mac_key_path);
	return 0;
}

/* The last event (its MAC after the one before it) and the head. */
static int
end_check(struct run *r, const char *head)
{
	char want[80];
	int rc;

	{
		sqlite3_stmt *st;
		unsigned char prev[SEAL_LEN], m[SEAL_LEN];
		long long last;

		if ((last = store_int(r->st, "SELECT coalesce(max(seq), 0) "
		    "FROM quota_events", 0)) < 0)
			return fail(r);
		memcpy(prev, r->mac_genesis, SEAL_LEN);
		r->mac_seq = r->mac_from - 1;
		memcpy(r->mac_last, r->mac_genesis, SEAL_LEN);
		if (last >= r->mac_from) {
			if (last > r->mac_from) {
				st = store_prepare(r->st, sql_ev_row);
				if (st == NULL || store_bind(r->st, st, "i",
				    last - 1) != 0 ||
				    (rc = store_step(r->st, st)) < 0)
					return fail(r);
				if (rc == 0)
					return tampered(r, _("the event before "
					    "the last"));
				if (sqlite3_column_bytes(st, EV_MAC) !=
				    SEAL_LEN) {
					sqlite3_reset(st);
					return tampered(r, _("the event before "
					    "the last"));
				}
				memcpy(prev, sqlite3_column_blob(st, EV_MAC),
				    SEAL_LEN);
				sqlite3_reset(st);
			}
			st = store_prepare(r->st, sql_ev_row);
			if (st == NULL || store_bind(r->st, st, "i", last) != 0 ||
			    store_step(r->st, st) != 1)
				return fail(r);
			rc = event_mac(r, prev, st, m);
			if (rc == 0 && !seal_equal(st, EV_MAC, m)) {
				char w[64];

				sqlite3_reset(st);
				snprintf(w, sizeof w, _("quota event %lld"),
				    last);
				return tampered(r, w);
			}
			sqlite3_reset(st);
			r->mac_seq = last;
			memcpy(r->mac_last, m, SEAL_LEN);
		}
		if (head_mac(r, r->mac_seq, r->mac_last, want) != 0)
			return fail(r);
		if (strcmp(want, head) != 0)
			return tampered(r, _("the end of the events (removed "
			    "or added at the end)"));
	}
	return 0;
}

/*
 * The key, and the seals of the store's end: the key named by the store,
 * the head (no event removed from the end), the last event's MAC.  A
 * store without seals is sealed now (adopt()) unless readonly.  Returns
 * 0, or -1 after reporting.
 */
static int
mac_setup(struct run *r, int readonly)
{
	static struct seal_key key;
	char id[64], from[32], legacy_hex[80], head[80], err[600];
	unsigned char legacy[SEAL_LEN];
	char *def = NULL;
	int have, rc;

	if (r->mac_key_path == NULL) {
		size_t n = strlen(r->store_path) + 8;

		if ((def = malloc(n)) == NULL)
			return -1;
		snprintf(def, n, "%s.key", r->store_path);
		r->mac_key_path = def;	/* kept to the end of the run */
	}
	r->key = &key;
	if ((have = meta_get(r, "mac_key_id", id, sizeof id)) < 0)
		return fail(r);
	if (!have) {
		if (store_int(r->st, "SELECT (SELECT count(*) FROM quota_events "
		    "WHERE mac IS NOT NULL) + (SELECT count(*) FROM inventories "
		    "WHERE mac IS NOT NULL) + (SELECT count(*) FROM buyer_years "
		    "WHERE mac IS NOT NULL)", 0) != 0)
			return tampered(r, _("rows carry MACs but the store "
			    "names no key"));
		if (readonly)
			return 0;
		if ((rc = seal_key_load(r->mac_key_path, 1, &key, err,
		    sizeof err)) < 0) {
			diag_trouble(NULL, 0, "%s", err);
			return -1;
		}
		return adopt(r);
	}
	if (seal_key_load(r->mac_key_path, 0, &key, err, sizeof err) < 0) {
		diag_trouble(NULL, 0, _("%s (the ledger is sealed with key "
		    "%s: --mac-key names its file)"), err, id);
		return -1;
	}
	if (strcmp(id, key.id) != 0) {
		diag_trouble(r->mac_key_path, 0, _("not the key the ledger is "
		    "sealed with (key %s, the ledger's %s)"), key.id, id);
		return -1;
	}
	if (meta_get(r, "mac_from", from, sizeof from) != 1 ||
	    meta_get(r, "mac_legacy", legacy_hex, sizeof legacy_hex) != 1 ||
	    meta_get(r, "mac_head", head, sizeof head) != 1 ||
	    unhex(legacy_hex, legacy) != 0 ||
	    (r->mac_from = strtoll(from, NULL, 10)) < 1)
		return tampered(r, _("the seal records in meta"));
	if (genesis(r, legacy, r->mac_from, r->mac_genesis) != 0)
		return fail(r);
	/* The last event, and the one before it for its chain (--check,
	 * readonly, walks the whole chain and reports there). */
	if (!readonly && end_check(r, head) != 0)
		return -1;
	r->sealed = 1;
	return 0;
}

/*
 * A buyer-year's total as the run reads it: its MAC, and no event of the
 * buyer-year after the one it names (an older total put back).  found:
 * whether the total is in the store (events without one: removed).
 */
static int
verify_buyer(struct run *r, const char *person, int year, int found)
{
	sqlite3_stmt *st;
	unsigned char m[SEAL_LEN];
	long long last = 0, named = 0;
	int ok = 1, rc;

	if (found) {
		st = store_prepare(r->st, sql_by_macrow);
		if (st == NULL || store_bind(r->st, st, "ti", person,
		    (long long)year) != 0 || store_step(r->st, st) != 1)
			return fail(r);
		ok = seal_row(r->key, NULL, st, 0, BY_NCOLS, m) == 0 &&
		    seal_equal(st, BY_NCOLS, m);
		named = sqlite3_column_int64(st, 3);
		sqlite3_reset(st);
	}
	st = store_prepare(r->st, sql_by_lastev);
	if (st == NULL || store_bind(r->st, st, "ti", person,
	    (long long)year) != 0 || (rc = store_step(r->st, st)) < 0)
		return fail(r);
	if (rc == 1) {
		last = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	if (!ok || last != named) {
		char w[96], pm[64];

		mask(MASK_ID, person, pm, sizeof pm);
		snprintf(w, sizeof w, _("the total of buyer %s in %d"), pm,
		    year);
		return tampered(r, w);
	}
	return 0;
}

/* The head after the run's events (called before the commit). */
static int
seal_head(struct run *r)
{
	char hex[2 * SEAL_LEN + 1];

	return head_mac(r, r->mac_seq, r->mac_last, hex) != 0 ||
	    meta_put(r, "mac_head", hex) != 0 ? -1 : 0;
}

/* ---- the run ---- */

/*
 * The folder of --ledger, created (with its parents, mode 0700) when it
 * does not exist yet, as --state creates its folder in ceb-reconcile and
 * ceb-manifest-writeoff.  Returns 0, or -1 after reporting.
 */
static int
make_folder(const char *path)
{
	char *d = strdup(path), *slash, err[600];
	int rc = 0;

	if (d == NULL) {
		diag_trouble(path, 0, _("out of memory"));
		return -1;
	}
	if ((slash = strrchr(d, '/')) != NULL && slash != d) {
		*slash = '\0';
		if ((rc = state_mkdir(d, err, sizeof err)) != 0)
			diag_trouble(path, 0, "%s", err);
	}
	free(d);
	return rc;
}

/* A quota event of the night in r->logf (qstore_log()); the strings it
 * names (kind, guid) live as long as the run. */
struct nightev {
	struct dec amount, delta, used_after;
	uint64_t time;		/* UINT64_MAX or 0: not known */
	const char *kind, *guid;
	uint32_t py, row;	/* r->pys and r->rows indexes */
	uint32_t n;		/* its place in r->logf */
};

int
qstore_open(struct run *r)
{
	char err[600];
	enum store_status rc;

	memset(&r->logf, 0, sizeof r->logf);
	r->logf.fd = -1;
	if (make_folder(r->ledger_path) != 0 || resolve(r) != 0)
		return -1;
	rc = store_open(&r->st, r->store_path, &schema, 0, r->lock_timeout,
	    err, sizeof err);
	if (rc != STORE_OK) {
		diag_trouble(r->store_path, 0, "%s", err);
		return -1;
	}
	/* FILE.csv[.gz] that holds a database (a store copied or renamed):
	 * taking FILE.db instead would start every buyer from nothing. */
	if (strcmp(r->store_path, r->ledger_path) != 0 &&
	    file_kind(r->ledger_path) == 2 &&
	    store_int(r->st, "SELECT count(*) FROM runs", 0) == 0) {
		diag_trouble(r->ledger_path, 0, _("is a ceb-quota-check store, "
		    "not a CSV ledger: give its own name to --ledger (a name "
		    "ending in .csv stands for the store %s)"), r->store_path);
		return -1;
	}
	/* A CSV ledger named FILE.csv[.gz]: moved aside under the lock. */
	if (strcmp(r->store_path, r->ledger_path) != 0 &&
	    is_v1(r->ledger_path) && !store_exists(r->convert_from) &&
	    store_int(r->st, "SELECT count(*) FROM runs", 0) == 0 &&
	    keep_rename(r->ledger_path, r->convert_from) != 0) {
		diag_trouble(r->ledger_path, 0, _("cannot move the CSV ledger "
		    "aside to %s to convert it: %s"), r->convert_from,
		    strerror(errno));
		return -1;
	}
	/*
	 * Before any statement is prepared: see check_in().  Before BEGIN
	 * (a no-op inside a transaction): the foreign keys too, on this
	 * connection only.  A deferred check would search quota_events,
	 * which has no index on inventory, once per new inventory.  The
	 * ids the events name are held here instead: the run's is the one
	 * SQLite gives, else nothing is committed (write_run()), and each
	 * new inventory's the one it was written with (ledger_write(),
	 * before the events).  The schema keeps them for every other
	 * writer.
	 */
	if (store_exec(r->st, "PRAGMA ignore_check_constraints = ON") != 0 ||
	    store_exec(r->st, "PRAGMA foreign_keys = OFF") != 0 ||
	    store_begin(r->st) != 0)
		return fail(r);
	if ((r->logf.fd = spool_open()) < 0)
		return -1;
	r->logf.size = sizeof(struct nightev);
	if (convert(r) != 0)
		return -1;
	return mac_setup(r, 0);
}

void
qstore_close(struct run *r)
{
	store_close(r->st);
	r->st = NULL;
	rec_close(&r->logf);
}

void
qstore_bad(const char *source, long index, long line, const char *reason,
    void *arg)
{
	struct run *r = arg;
	struct aside *a = arena_alloc(&r->ar, sizeof *a);

	if (a == NULL)
		return;
	a->source = arena_str(&r->ar, source);
	a->reason = arena_str(&r->ar, reason);
	a->index = index;
	a->line = line;
	(void)vec_push(&r->asides, a);
}

/* The buyer-years in the order of (person, year): py_rank[py->idx], for
 * cmp_newrow() and events_put() (one strcmp() per pair of buyer-years,
 * not per pair of rows or events), from ledger_write()'s start to its
 * end. */
static uint32_t *py_rank;
static const struct vec *py_all;

static int
cmp_pyear_idx(const void *a, const void *b)
{
	const struct pyear *x = py_all->v[*(const uint32_t *)a];
	const struct pyear *y = py_all->v[*(const uint32_t *)b];
	int c = strcmp(x->person, y->person);

	return c ? c : (x->year > y->year) - (x->year < y->year);
}

/* py_rank for the run's buyer-years; 0, or -1 out of memory. */
static int
rank_pyears(struct run *r)
{
	uint32_t *by;
	size_t i;

	if (r->pys.n > UINT32_MAX ||
	    (py_rank = malloc((r->pys.n + 1) * sizeof *py_rank)) == NULL)
		return -1;
	if ((by = malloc((r->pys.n + 1) * sizeof *by)) == NULL) {
		free(py_rank);
		py_rank = NULL;
		return -1;
	}
	for (i = 0; i < r->pys.n; i++)
		by[i] = (uint32_t)i;
	py_all = &r->pys;
	qsort(by, r->pys.n, sizeof *by, cmp_pyear_idx);
	for (i = 0; i < r->pys.n; i++)
		py_rank[by[i]] = (uint32_t)i;
	free(by);
	return 0;
}

/*
 * A quota event of the night: it waits in r->logf (a temporary file
 * opened by qstore_open()) as it happens, and goes to quota_events at the
 * commit (events_put()), by buyer-year.  SQLite puts each row in the
 * index quota_events_buyer (person, year) as the row is written: events
 * written in the order of evaluation went each to a page of that index at
 * random, and once the index no longer fit the page cache (millions of
 * events) nearly each one read and wrote a page.  Its buyer and year, and
 * the buyer's total after it, are taken now (struct nightev).
 */
int
qstore_log(struct run *r, struct row *w, const char *kind, const char *guid,
    struct dec amount, struct dec delta, uint64_t time)
{
	struct nightev ev;

	if (r->log_bad)
		return -1;
	if (r->run_id == 0 || r->logf.fd < 0) {
		r->log_bad = 1;
		diag_trouble(NULL, 0, _("a quota event before the store was "
		    "read"));
		return -1;
	}
	memset(&ev, 0, sizeof ev);
	ev.amount = amount;
	ev.delta = delta;
	ev.used_after = w->py->used;
	ev.time = time;
	ev.kind = kind;
	ev.guid = guid;
	ev.py = w->py->idx;
	ev.row = w->idx;
	if (r->logf.n >= UINT32_MAX) {
		r->log_bad = 1;
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	}
	ev.n = (uint32_t)r->logf.n;
	if (rec_put(&r->logf, r->logf.n, &ev) != 0) {
		r->log_bad = 1;	/* reported */
		return -1;
	}
	w->py->dirty = 1;
	return 0;
}

/* (py_rank[py] << 32 | n): what events_put() sorts. */
static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* One of the night's events into quota_events (events_put()): 0, -1
 * (the store's message), or -2 (not as written: reported by the caller). */
static int
event_put(struct run *r, const struct nightev *ev)
{
	struct pyear *py;
	char a[64], d[64], u[64];
	long long seq;

	if (strcmp(ev->kind, "corrected") == 0)
		return -2;	/* never: qstore_log() is the night's */
	py = r->pys.v[ev->py];
	if ((seq = insert_event_text(r, r->run_id,
	    ((struct row *)r->rows.v[ev->row])->id, py->person, py->year,
	    ev->kind, ev->guid, dec_format(ev->amount, 2, a, sizeof a),
	    dec_format(ev->delta, 2, d, sizeof d),
	    dec_format(ev->used_after, 2, u, sizeof u),
	    ev->time == UINT64_MAX ? 0 : ev->time, NULL, NULL)) < 0)
		return -1;
	py->last_event = seq;
	return 0;
}

/* events_put()'s order (the places of the night's events) and how its
 * inserts went. */
struct logplaces {
	struct run *r;
	const uint32_t *to;
	size_t n;
	int rc;			/* event_put()'s */
};

static size_t
place_log(const void *rec, void *arg)
{
	const struct nightev *ev = rec;
	const struct logplaces *p = arg;

	return ev->n < p->n ? p->to[ev->n] : SIZE_MAX;
}

static int
put_log(void *rec, size_t at, void *arg)
{
	struct logplaces *p = arg;

	(void)at;
	return (p->rc = event_put(p->r, rec)) == 0 ? 0 : -1;
}

/*
 * The night's events (qstore_log()) into quota_events, sealed and
 * chained as they go, in the order of their buyer-years (py_rank: person,
 * then year; each buyer-year's in the order they happened): the index on
 * (person, year) then takes them in its own order, each page read and
 * written once.  Their inventories' ids are the ones ledger_write() gave.
 * Each buyer-year's last event into its py->last_event.  Returns 0, or -1
 * (the store's message, or reported).
 */
static int
events_put(struct run *r)
{
	uint64_t *ord;
	uint32_t *to = NULL;
	struct recfile byp;
	struct logplaces lp;
	size_t i, n = r->logf.n;
	int rc = 0;

	memset(&byp, 0, sizeof byp);
	byp.fd = -1;
	if (n == 0)
		return 0;
	if (n > UINT32_MAX || (ord = malloc(n * sizeof *ord)) == NULL) {
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	}
	for (i = 0; i < n && rc == 0; i++) {
		struct nightev ev;

		if (rec_get(&r->logf, i, &ev) == NULL)
			rc = -1;
		else if (ev.py >= r->pys.n || ev.row >= r->rows.n ||
		    ev.n != i)
			rc = -2;
		else
			ord[i] = (uint64_t)py_rank[ev.py] << 32 | i;
	}
	if (rc == 0) {
		isort(ord, n, sizeof *ord, cmp_u64);
		if ((to = malloc(n * sizeof *to)) == NULL) {
			diag_trouble(NULL, 0, _("out of memory"));
			rc = -1;
		}
	}
	for (i = 0; i < n && rc == 0; i++)
		to[ord[i] & UINT32_MAX] = (uint32_t)i;
	free(ord);
	/*
	 * The schema's triggers on quota_events guard the table against
	 * other writers (no update, no delete, no correction without who and
	 * why): these inserts are none of that (never a correction, checked
	 * below).  With a trigger on the table SQLite gives each INSERT a
	 * statement journal, and once the night's transaction outgrew the
	 * page cache every page an insert changed went to that journal's
	 * file first: about 10 KB written for each of 1,000,000 events, half
	 * the time of this step.  So this connection runs without triggers
	 * for these inserts only (SQLITE_DBCONFIG_ENABLE_TRIGGER: this
	 * connection, until set again below, on every way out).
	 */
	if (rc == 0 && sqlite3_db_config(store_db(r->st),
	    SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL) != SQLITE_OK) {
		diag_trouble(r->store_path, 0, "%s",
		    sqlite3_errmsg(store_db(r->st)));
		rc = -1;
	}
	/*
	 * The events put in that order (rec_permute(), through a file of
	 * their own, byp, with large reads and writes only), and written to
	 * the store as they come in it: read one at a time in the order of
	 * their buyers, they cost a system call each (a million of them for
	 * a million events).
	 */
	if (rc == 0) {
		lp.r = r;
		lp.to = to;
		lp.n = n;
		lp.rc = 0;
		byp.size = r->logf.size;
		if ((byp.fd = spool_open()) < 0 ||
		    rec_permute(&r->logf, &byp, n, place_log, put_log, 0,
		    &lp) != 0)
			rc = lp.rc != 0 ? lp.rc : -1;
	}
	free(to);
	rec_close(&byp);
	if (sqlite3_db_config(store_db(r->st), SQLITE_DBCONFIG_ENABLE_TRIGGER,
	    1, (int *)NULL) != SQLITE_OK && rc == 0) {
		diag_trouble(r->store_path, 0, "%s",
		    sqlite3_errmsg(store_db(r->st)));
		rc = -1;
	}
	if (rc == -2)
		diag_trouble(NULL, 0, _("a quota event of the run was not "
		    "kept as written"));
	return rc < 0 ? -1 : 0;
}

/*
 * The row with this id, loaded and indexed when not yet; on a sealed
 * store its MAC checked on the same read (sql_inv_macrow: its id, the
 * columns, the MAC).
 */
static int
load(struct run *r, long long id, struct htab *byid)
{
	char idk[32], k[4][256];
	int n = snprintf(idk, sizeof idk, "%lld", id), nk = 0, i;
	unsigned char m[SEAL_LEN];
	sqlite3_stmt *st;
	struct row *w;
	const char *person;
	int rc, year;
	enum verdict verdict;
	enum rstate state;

	if (ht_get(byid, idk, (size_t)n) != HT_NONE)
		return 0;
	if ((st = store_prepare(r->st, sql_inv_macrow)) == NULL ||
	    store_bind(r->st, st, "i", id) != 0 ||
	    (rc = store_step(r->st, st)) < 0)
		return fail(r);
	if (rc == 0) {
		diag_trouble(r->store_path, 0, _("inventory key names "
		    "inventory %lld, which is not in the store"), id);
		return -1;
	}
	if ((w = arena_alloc(&r->ar, sizeof *w)) == NULL) {
		sqlite3_reset(st);
		goto nomem;
	}
	person = arena_str(&r->ar, store_text(st, 1));
	year = sqlite3_column_int(st, 2);
	if (person == NULL || rset(r, &w->date, store_text(st, 3)) != 0 ||
	    rset(r, &w->invtno, store_text(st, 4)) != 0 ||
	    rset(r, &w->ebp, store_text(st, 5)) != 0 ||
	    rset(r, &w->orderno, store_text(st, 6)) != 0 ||
	    rset(r, &w->ebc, store_text(st, 7)) != 0 ||
	    rset(r, &w->agent, store_text(st, 8)) != 0 ||
	    rset(r, &w->copno, store_text(st, 9)) != 0 ||
	    rset(r, &w->lines, store_text(st, 11)) != 0 ||
	    rset(r, &w->guid, store_text(st, 16)) != 0 ||
	    rset(r, &w->events, store_text(st, 17)) != 0) {
		sqlite3_reset(st);
		goto nomem;
	}
	if (dec_parse_str(store_text(st, 10), &w->amount) != DEC_OK ||
	    verdict_parse(store_text(st, 12), &verdict) != 0 ||
	    state_parse(store_text(st, 13), &state) != 0 ||
	    dec_parse_str(store_text(st, 14), &w->used) != DEC_OK ||
	    dec_parse_str(store_text(st, 15), &w->released) != DEC_OK) {
		sqlite3_reset(st);
		diag_trouble(r->store_path, 0, _("inventory %lld in the store "
		    "does not parse (edited?)"), id);
		return -1;
	}
	rc = !r->sealed || (seal_row(r->key, NULL, st, 0, INV_NCOLS, m) ==
	    0 && seal_equal(st, INV_NCOLS, m));
	sqlite3_reset(st);
	if (!rc) {
		char what[64];

		snprintf(what, sizeof what, _("inventory %lld"), id);
		return tampered(r, what);
	}
	w->verdict = (unsigned char)verdict;
	w->state = (unsigned char)state;
	w->id = id;
	w->idx = (uint32_t)r->rows.n;
	if (vec_push(&r->rows, w) != 0 ||
	    ht_put(byid, arena_str(&r->kar, idk), (size_t)n, w->idx) != 0)
		goto nomem;
	for (i = 0; i < 4; i++)
		if (row_key(r, k[nk], 256, "IAEO"[i], w) == 0)
			nk++;
	for (i = 0; i < nk; i++) {
		size_t kl = strlen(k[i]);
		uint32_t old = ht_get(&r->keys, k[i], kl);
		char *c;

		if (old != HT_NONE && old != HT_NONE - 1)
			continue;	/* held by another row: first keeps */
		/* A wanted key keeps the string it has in the table: only
		 * the value changes (ht_put). */
		c = old == HT_NONE - 1 ? k[i] : arena_dup(&r->kar, k[i], kl);
		if (c == NULL || ht_put(&r->keys, c, kl, w->idx) != 0)
			goto nomem;
	}
	if ((w->py = pyear_get(r, person, year, 1)) == NULL)
		return -1;
	w->py0 = w->py->idx;
	return 0;
nomem:
	diag_trouble(NULL, 0, _("out of memory"));
	return -1;
}

static int
cmp_pyear(const void *a, const void *b)
{
	const struct pyear *x = *(struct pyear *const *)a;
	const struct pyear *y = *(struct pyear *const *)b;
	int c = strcmp(x->person, y->person);

	return c ? c : (x->year > y->year) - (x->year < y->year);
}

/*
 * One buyer-year's total into py->used (0 when the store has none), and
 * on a sealed store its MAC and that no event of the buyer-year came
 * after the one it names.  Returns 0, 1 when the total does not parse,
 * 2 when a seal does not match, or -1 after reporting trouble.
 */
static int
buyer_load(struct run *r, struct pyear *py)
{
	sqlite3_stmt *st = store_prepare(r->st, sql_by_macrow);
	unsigned char m[SEAL_LEN];
	long long last = 0, named = 0;
	int ok = 1, found;

	if (st == NULL || store_bind(r->st, st, "si", py->person,
	    (long long)py->year) != 0 || (found = store_step(r->st, st)) < 0)
		return fail(r);
	py->used = dec_from_int(0);
	if (found) {
		if (dec_parse_str(store_text(st, 2), &py->used) != DEC_OK) {
			sqlite3_reset(st);
			return 1;
		}
		if (r->sealed) {
			ok = seal_row(r->key, NULL, st, 0, BY_NCOLS, m) == 0 &&
			    seal_equal(st, BY_NCOLS, m);
			named = sqlite3_column_int64(st, 3);
		}
		sqlite3_reset(st);
	}
	if (!r->sealed)
		return 0;
	st = store_prepare(r->st, sql_by_lastev);
	if (st == NULL || store_bind(r->st, st, "si", py->person,
	    (long long)py->year) != 0 || (found = store_step(r->st, st)) < 0)
		return fail(r);
	if (found) {
		last = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return ok && last == named ? 0 : 2;
}

/*
 * The totals of the run's buyer-years, read in sorted order (the pages
 * of buyer_years and of the events' index read in order, each once);
 * what does not parse or match is reported for the first such buyer-year
 * in the run's order.  Returns 0, or -1 after reporting.
 */
static int
buyers_read(struct run *r)
{
	struct pyear **ord;
	size_t n = r->pys.n, i;
	int rc = 0;

	if (n == 0)
		return 0;
	if ((ord = malloc(n * sizeof *ord)) == NULL) {
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	}
	memcpy(ord, r->pys.v, n * sizeof *ord);
	qsort(ord, n, sizeof *ord, cmp_pyear);
	for (i = 0; i < n; i++) {
		if ((ord[i]->loaded = buyer_load(r, ord[i])) < 0) {
			free(ord);
			return -1;
		}
	}
	free(ord);
	/* loaded holds buyer_load()'s answer until here. */
	for (i = 0; i < n && rc == 0; i++) {
		struct pyear *py = r->pys.v[i];

		if (py->loaded == 1) {
			diag_trouble(r->store_path, 0, _("buyer total in the "
			    "store does not parse (edited?)"));
			rc = -1;
		} else if (py->loaded == 2) {
			char w[96], pm[64];

			mask(MASK_ID, py->person, pm, sizeof pm);
			snprintf(w, sizeof w, _("the total of buyer %s in %d"),
			    pm, py->year);
			rc = tampered(r, w);
		}
		py->loaded = 1;
	}
	return rc;
}

/* A wanted key found in the store: its slot in the run's key table and
 * the inventory it names. */
struct wanted {
	size_t slot;
	long long id;
};

/*
 * A key to sort (i: where it is) and the 8 bytes of it after the prefix
 * that all the keys of its kind share, as a number (big-endian, 0 past
 * the key's end): most comparisons are of two numbers in one array
 * instead of two strings each behind two pointers anywhere in memory
 * (the keys of 1,000,000 inventories took seconds).  Packed to 12 bytes:
 * the run holds much memory when it sorts them.
 */
struct keyed {
	uint32_t hi, lo;	/* the 8 bytes */
	uint32_t i;
};

/* k for key (the first lcp bytes of which every key sorted with it
 * shares) at i. */
static void
keyed_set(struct keyed *k, const char *key, size_t lcp, uint32_t i)
{
	unsigned char b[8] = { 0 };
	size_t len = strlen(key), j;

	for (j = 0; j < 8 && lcp + j < len; j++)
		b[j] = (unsigned char)key[lcp + j];
	k->hi = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
	k->lo = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 |
	    (uint32_t)b[6] << 8 | b[7];
	k->i = i;
}

/* The length of the prefix key shares with first, at most lcp. */
static size_t
keyed_lcp(const char *first, const char *key, size_t lcp)
{
	size_t j;

	for (j = 0; j < lcp && key[j] == first[j]; j++)
		;
	return j;
}

/* Two struct keyed by their 8 bytes, then where they are. */
static int
cmp_keyed_num(const void *a, const void *b)
{
	const struct keyed *p = a, *q = b;

	if (p->hi != q->hi)
		return p->hi < q->hi ? -1 : 1;
	if (p->lo != q->lo)
		return p->lo < q->lo ? -1 : 1;
	return (p->i > q->i) - (p->i < q->i);
}

/*
 * The wanted keys of one kind (slots of r->keys whose keys share their
 * first byte: 'A', 'E', 'I', 'O') in k, into about the order of the keys
 * (of the index inventory_keys' pages): by the 8 bytes after the prefix
 * the keys share.  An order near the index's is all the lookups want;
 * what they find does not depend on it.
 */
static void
wanted_order(const struct run *r, struct keyed *k, size_t n)
{
	const char *first = NULL;
	size_t lcp = 0, i;

	for (i = 0; i < n; i++) {
		const char *key = r->keys.s[k[i].i].k;

		if (first == NULL) {
			first = key;
			lcp = strlen(key);
		} else
			lcp = keyed_lcp(first, key, lcp);
	}
	for (i = 0; i < n; i++)
		keyed_set(&k[i], r->keys.s[k[i].i].k, lcp, k[i].i);
	if (n > 1)
		isort(k, n, sizeof *k, cmp_keyed_num);
}

static int
cmp_wanted_slot(const void *a, const void *b)
{
	size_t x = ((const struct wanted *)a)->slot;
	size_t y = ((const struct wanted *)b)->slot;

	return (x > y) - (x < y);
}

/*
 * From the end of ledger_read() on, the run reads nothing more from the
 * store but the rows it writes: a 16 MB page cache, instead of 64, is
 * enough for the writing (in the order of each table's keys, a page
 * after the other) and bounds the sort of the night's events
 * (events_put(): SQLite's sorter holds as much as the page cache), and
 * the pages it held go back to the system before the judgment and the
 * writing, when the run holds the most memory (the night's rows).
 * Returns 0, or -1 (the store's message).
 */
static int
small_cache(struct run *r)
{
	if (store_exec(r->st, "PRAGMA cache_size = -16384") != 0)
		return -1;
	/* The pages the documents changed (ledger_docs()) are still in the
	 * cache, dirty, until written: to the WAL now (as the commit would),
	 * so that they too can go back. */
	if (sqlite3_db_cacheflush(store_db(r->st)) != SQLITE_OK)
		return -1;
	(void)sqlite3_db_release_memory(store_db(r->st));
	mem_trim();
	return 0;
}

/* Look up wanted key k (its slot): when the store has it, add (slot, id)
 * to found (n of cap).  0, or -1 after reporting. */
static int
lookup(struct run *r, const char *k, uint32_t slot, struct wanted **found,
    size_t *n, size_t *cap)
{
	sqlite3_stmt *st;
	int ok;

	if ((st = store_prepare(r->st, sql_key_get)) == NULL ||
	    store_bind(r->st, st, "s", k) != 0 ||
	    (ok = store_step(r->st, st)) < 0)
		return fail(r);
	if (!ok)
		return 0;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct wanted *nfd = realloc(*found, nc * sizeof *nfd);

		if (nfd == NULL) {
			sqlite3_reset(st);
			diag_trouble(NULL, 0, _("out of memory"));
			return -1;
		}
		*found = nfd;
		*cap = nc;
	}
	(*found)[*n].slot = slot;
	(*found)[(*n)++].id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

/*
 * Step 2: the rows the run's keys name, then its buyers' totals.  The
 * keys are looked up in sorted order (the index's pages read in order,
 * each once, however large the store), and the rows found loaded in the
 * order of the key table, as before.
 */
int
ledger_read(struct run *r)
{
	struct htab byid = { NULL, 0, 0 };
	struct wanted *found = NULL;
	struct keyed *want = NULL;
	size_t nw = 0, nf = 0, cf = 0, most = 0, kinds[256] = { 0 }, i;
	unsigned b;
	int rc = -1;

	/*
	 * The wanted keys (their slots), collected first (loading adds
	 * keys), one kind (a key's first byte) after the other and sorted
	 * in place: the array holds one kind's keys, not all of them, while
	 * the strings of every key are in memory too.
	 */
	for (i = 0; i < r->keys.cap; i++)
		if (r->keys.s[i].h && r->keys.s[i].v == HT_NONE - 1 &&
		    ++kinds[(unsigned char)r->keys.s[i].k[0]] > most)
			most = kinds[(unsigned char)r->keys.s[i].k[0]];
	if (r->keys.cap > UINT32_MAX || (most > 0 &&
	    (want = malloc(most * sizeof *want)) == NULL)) {
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	}
	for (b = 0; b < 256; b++) {
		if (kinds[b] == 0)
			continue;
		for (i = nw = 0; i < r->keys.cap; i++)
			if (r->keys.s[i].h && r->keys.s[i].v == HT_NONE - 1 &&
			    (unsigned char)r->keys.s[i].k[0] == b)
				want[nw++].i = (uint32_t)i;
		wanted_order(r, want, nw);
		for (i = 0; i < nw; i++)
			if (lookup(r, r->keys.s[want[i].i].k, want[i].i, &found,
			    &nf, &cf) != 0)
				goto out;
	}
	free(want);
	want = NULL;
	if (nf > 1)
		qsort(found, nf, sizeof *found, cmp_wanted_slot);
	for (i = 0; i < nf; i++)
		if (load(r, found[i].id, &byid) != 0)
			goto out;
	free(found);
	found = NULL;
	/*
	 * The keys of the rows loaded go to rkeys (judge.c), which holds no
	 * strings; a wanted key that names no row is no more use.
	 */
	for (i = 0; i < r->keys.cap; i++)
		if (r->keys.s[i].h && r->keys.s[i].v != HT_NONE - 1 &&
		    rkey_put(r, r->keys.s[i].k, r->keys.s[i].v) != 0) {
			diag_trouble(NULL, 0, _("out of memory"));
			goto out;
		}
	ht_free(&r->keys);
	arena_free(&r->kar);
	/* Every buyer-year the run may touch: its total. */
	if (buyers_read(r) != 0)
		goto out;
	/*
	 * The largest inventory id: the night's new rows are numbered
	 * after it as they are made, the order of their creation that
	 * ledger_write() keeps within each buyer-year when it gives them
	 * their ids.
	 */
	if ((r->inv_last = store_int(r->st,
	    "SELECT coalesce(max(id), 0) FROM inventories", -1)) < 0) {
		fail(r);
		goto out;
	}
	rc = 0;
out:
	free(want);
	free(found);
	ht_free(&byid);
	if (rc == 0 && small_cache(r) != 0)
		rc = fail(r);
	return rc;
}

static const char sql_inv_new[] =
    "INSERT INTO inventories(id, person, year, date, invtno, ebp, orderno, "
    "ebc, agent, copno, amount, lines, verdict, state, used, released, "
    "guid, history, run, tax, mac) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
    "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)";

/*
 * A new row in one statement, its MAC computed from the values written
 * (the columns of sql_inv_macrow as SQLite gives them back as text) and
 * its id the one SQLite would give it (one more than the largest):
 * what an INSERT, an UPDATE of its tax and the seal's SELECT and UPDATE
 * left in the store before, in a quarter of the statements.
 */
static int
write_new_row(struct run *r, struct row *w, long long run, long long id)
{
	char amt[64], used[64], rel[64], ids[24], yr[24], rn[24];
	const char *v[INV_NCOLS];
	unsigned char m[SEAL_LEN];
	sqlite3_stmt *st;

	snprintf(ids, sizeof ids, "%lld", id);
	snprintf(yr, sizeof yr, "%d", w->py->year);
	snprintf(rn, sizeof rn, "%lld", run);
	v[0] = ids;
	v[1] = w->py->person;
	v[2] = yr;
	v[3] = rstr(r, w->date);
	v[4] = rstr(r, w->invtno);
	v[5] = rstr(r, w->ebp);
	v[6] = rstr(r, w->orderno);
	v[7] = rstr(r, w->ebc);
	v[8] = rstr(r, w->agent);
	v[9] = rstr(r, w->copno);
	v[10] = dec_format(w->amount, 2, amt, sizeof amt);
	v[11] = rstr(r, w->lines);
	v[12] = verdict_name(w->verdict);
	v[13] = state_name(w->state);
	v[14] = dec_format(w->used, 2, used, sizeof used);
	v[15] = dec_format(w->released, 2, rel, sizeof rel);
	v[16] = rstr(r, w->guid);
	v[17] = rstr(r, w->events);
	v[18] = rn;
	v[19] = w->tax.off ? rstr(r, w->tax) : "";
	if (check_row(r, v[12], v[13]) != 0)
		return -1;
	if (r->sealed && seal_strings(r->key, NULL, v, INV_NCOLS, m) != 0)
		return -1;
	if ((st = store_prepare(r->st, sql_inv_new)) == NULL ||
	    store_bind(r->st, st, "ititttttttttttttttits", id, w->py->person,
	    (long long)w->py->year, v[3], v[4], v[5], v[6], v[7], v[8], v[9],
	    v[10], v[11], v[12], v[13], v[14], v[15], v[16], v[17], run, v[19],
	    NULL) != 0 ||
	    (r->sealed && sqlite3_bind_blob(st, 21, m, SEAL_LEN,
	    SQLITE_TRANSIENT) != SQLITE_OK) || store_step(r->st, st) != 0)
		return -1;
	w->id = id;
	return 0;
}

/*
 * strcmp() of the keys a1 US a2 and b1 US b2 (US: the unit separator
 * of key2(); a2, b2 NULL: the key is a1, b1 alone), without building
 * them.
 */
static int
cmp_joined(const char *a1, const char *a2, const char *b1, const char *b2)
{
	const unsigned char *p = (const unsigned char *)a1;
	const unsigned char *q = (const unsigned char *)b1;
	int pa = 0, pb = 0;

	/*
	 * The usual cases, without walking byte by byte: one key alone, or
	 * the same first part (the enterprise codes are interned: mostly
	 * the same pointer).  strcmp() compares as unsigned char, as below.
	 */
	if (a2 == NULL && b2 == NULL)
		return strcmp(a1, b1);
	if (a2 != NULL && b2 != NULL && (a1 == b1 || strcmp(a1, b1) == 0))
		return strcmp(a2, b2);
	for (;;) {
		int c = *p, d = *q;

		if (c == 0 && pa == 0 && a2 != NULL)
			c = 037;
		if (d == 0 && pb == 0 && b2 != NULL)
			d = 037;
		if (c != d)
			return c < d ? -1 : 1;
		if (c == 0)
			return 0;
		if (*p == 0) {
			p = (const unsigned char *)a2;
			pa = 1;
		} else
			p++;
		if (*q == 0) {
			q = (const unsigned char *)b2;
			pb = 1;
		} else
			q++;
	}
}

/* What cmp_keyed() sorts (struct keyed): i is the row's place in
 * fresh_rows. */
static struct row *const *fresh_rows;
static int fresh_tag;	/* the key of cmp_keyed(): 'A', 'E', 'I', 'O' */
static const struct run *fresh_run;	/* whose rows they are */

static int
cmp_keyed(const void *a, const void *b)
{
	const struct keyed *p = a, *q = b;
	const struct row *v, *w;
	uint32_t x = p->i, y = q->i;
	int c;

	if (p->hi != q->hi || p->lo != q->lo)
		return cmp_keyed_num(a, b);
	v = fresh_rows[x];
	w = fresh_rows[y];
	switch (fresh_tag) {
	case 'A':
		c = cmp_joined(rstr(fresh_run, v->agent),
		    rstr(fresh_run, v->copno), rstr(fresh_run, w->agent),
		    rstr(fresh_run, w->copno));
		break;
	case 'E':
		c = cmp_joined(rstr(fresh_run, v->ebc),
		    rstr(fresh_run, v->copno), rstr(fresh_run, w->ebc),
		    rstr(fresh_run, w->copno));
		break;
	case 'I':
		c = cmp_joined(rstr(fresh_run, v->invtno), NULL,
		    rstr(fresh_run, w->invtno), NULL);
		break;
	default:
		c = cmp_joined(rstr(fresh_run, v->ebp),
		    rstr(fresh_run, v->orderno), rstr(fresh_run, w->ebp),
		    rstr(fresh_run, w->orderno));
		break;
	}
	return c ? c : (x > y) - (x < y);
}

/* The keys of tag of the new rows, with their 8 bytes (struct keyed),
 * into k; their number.  The rows are taken in the order of r->rows
 * (that of their making, in the arena's order, their strings near
 * them), not of fresh (their buyers): each is read from memory in order
 * instead of at random.  A key's i is its row's place in fresh, which
 * the row's id gives (write_new_row() numbered them in that order). */
static size_t
keyed_fill(const struct run *r, const struct vec *fresh, int tag,
    struct keyed *k)
{
	char buf[256], first[256];
	size_t i, n = 0, lcp = 0;
	long long id0 = ((const struct row *)fresh->v[0])->id;

	/* The prefix every key of the tag shares. */
	for (i = 0; i < r->rows.n; i++) {
		const struct row *w = r->rows.v[i];

		if (!w->fresh || !w->changed ||
		    row_key(r, buf, sizeof buf, tag, w) != 0)
			continue;
		if (n++ == 0) {
			lcp = strlen(buf);
			memcpy(first, buf, lcp + 1);
		} else
			lcp = keyed_lcp(first, buf, lcp);
	}
	for (i = n = 0; i < r->rows.n; i++) {
		const struct row *w = r->rows.v[i];

		if (w->fresh && w->changed &&
		    row_key(r, buf, sizeof buf, tag, w) == 0)
			keyed_set(&k[n++], buf, lcp, (uint32_t)(w->id - id0));
	}
	return n;
}

/*
 * The keys of the run's new rows (fresh, in the order they were
 * written), in the order of the keys: the index's pages are written in
 * order, each once, instead of one page per key anywhere in a large
 * store.  What insert_keys() row by row left: a key two rows share goes
 * to the first row written (INSERT OR IGNORE, equal keys in the order
 * of their rows).  Returns 0, or -1 (the store's message).
 */
static int
fresh_keys(struct run *r, const struct vec *fresh)
{
	static const char tags[] = "AEIO";
	struct keyed *k;
	size_t i, n;
	const char *t;
	int rc = 0;

	if (fresh->n == 0)
		return 0;
	/* keyed_fill() finds a row's place in fresh by its id. */
	for (i = 1; i < fresh->n; i++)
		if (((struct row *)fresh->v[i])->id !=
		    ((struct row *)fresh->v[0])->id + (long long)i) {
			diag_trouble(NULL, 0, _("a new inventory was not "
			    "given its id"));
			return -1;
		}
	if (fresh->n > UINT32_MAX || (k = malloc(fresh->n * sizeof *k)) ==
	    NULL)
		return -1;
	fresh_rows = (struct row *const *)fresh->v;
	fresh_run = r;
	for (t = tags; *t && rc == 0; t++) {
		n = keyed_fill(r, fresh, *t, k);
		fresh_tag = *t;
		isort(k, n, sizeof *k, cmp_keyed);
		for (i = 0; i < n && rc == 0; i++) {
			const struct row *w = fresh->v[k[i].i];
			sqlite3_stmt *st;
			char buf[256];

			(void)row_key(r, buf, sizeof buf, *t, w);
			if ((st = store_prepare(r->st, sql_key_insert)) ==
			    NULL || store_bind(r->st, st, "si", buf,
			    w->id) != 0 || store_step(r->st, st) != 0)
				rc = -1;
		}
	}
	free(k);
	fresh_rows = NULL;
	fresh_run = NULL;
	return rc;
}

/* Update a ledger row this run changed (new rows are written by
 * write_new_row(), in one statement each). */
static int
write_row(struct run *r, struct row *w, long long run)
{
	sqlite3_stmt *st;
	char amt[64], used[64], rel[64];

	if (check_row(r, verdict_name(w->verdict), state_name(w->state)) != 0)
		return -1;
	/* Setting person and year, even to what they were, takes the row
	 * out of the index inventories_buyer and puts it back: a page of
	 * it at random for each row. */
	st = store_prepare(r->st, w->py->idx == w->py0 ? sql_inv_update_same :
	    sql_inv_update);
	if (st == NULL || store_bind(r->st, st, "titttttttttttttttii",
	    w->py->person, (long long)w->py->year, rstr(r, w->date),
	    rstr(r, w->invtno), rstr(r, w->ebp), rstr(r, w->orderno),
	    rstr(r, w->ebc), rstr(r, w->agent), rstr(r, w->copno),
	    dec_format(w->amount, 2, amt, sizeof amt), rstr(r, w->lines),
	    verdict_name(w->verdict), state_name(w->state),
	    dec_format(w->used, 2, used, sizeof used),
	    dec_format(w->released, 2, rel, sizeof rel), rstr(r, w->guid),
	    rstr(r, w->events), run, w->id) != 0 ||
	    store_step(r->st, st) != 0)
		return -1;
	if (sqlite3_changes(store_db(r->st)) != 1) {
		diag_trouble(r->store_path, 0, _("inventory %lld changed in "
		    "the store during the run"), w->id);
		return -1;
	}
	if (w->tax.off != 0 && ((st = store_prepare(r->st, sql_inv_tax)) ==
	    NULL || store_bind(r->st, st, "ti", rstr(r, w->tax), w->id) != 0 ||
	    store_step(r->st, st) != 0))
		return -1;
	if (r->sealed && seal_inventory(r, w->id) != 0)
		return -1;
	return insert_keys(r, w->id, rstr(r, w->invtno), rstr(r, w->agent),
	    rstr(r, w->ebc), rstr(r, w->ebp), rstr(r, w->copno),
	    rstr(r, w->orderno));
}

/* Into v (empty), the rows the run changed that are new (fresh 1) or
 * were read from the store (fresh 0), in an array of their number (no
 * slack: this is when the run holds the most memory).  0, or -1 after
 * reporting. */
static int
rows_pick(struct run *r, int fresh, struct vec *v)
{
	size_t i;

	for (i = 0; i < r->rows.n; i++) {
		const struct row *w = r->rows.v[i];

		v->cap += w->changed && w->fresh == fresh;
	}
	if (v->cap > 0 && (v->v = malloc(v->cap * sizeof *v->v)) == NULL) {
		v->cap = 0;
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	}
	for (i = 0; i < r->rows.n; i++) {
		struct row *w = r->rows.v[i];

		if (w->changed && w->fresh == fresh)
			v->v[v->n++] = w;
	}
	return 0;
}

/* Two rows by id. */
static int
cmp_rowid(const void *a, const void *b)
{
	const struct row *x = *(struct row *const *)a;
	const struct row *y = *(struct row *const *)b;

	return (x->id > y->id) - (x->id < y->id);
}

/* The stored rows the run changed, in the order of their ids (of the
 * table's pages).  Returns 0, or -1 (the store's message, or reported). */
static int
old_rows(struct run *r, long long run)
{
	struct vec v = { 0 };
	size_t i;
	int rc;

	if ((rc = rows_pick(r, 0, &v)) != 0)
		return rc;
	if (v.n > 1)
		qsort(v.v, v.n, sizeof *v.v, cmp_rowid);
	for (i = 0; i < v.n && rc == 0; i++)
		rc = write_row(r, v.v[i], run);
	free(v.v);
	return rc;
}

/* The new rows in the order of their buyer-years (the index
 * inventories_buyer's: py_rank), each buyer-year's in the order of their
 * creation (new_row()). */
static int
cmp_newrow(const void *a, const void *b)
{
	const struct row *x = *(struct row *const *)a;
	const struct row *y = *(struct row *const *)b;
	uint32_t p = py_rank[x->py->idx], q = py_rank[y->py->idx];

	if (p != q)
		return p < q ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* A document of the run as ledger_docs() writes it. */
struct docrec {
	unsigned char digest[STORE_DIGEST_LEN];
	const char *source;	/* interned */
	long long index, line;
	uint32_t i;		/* its place in the input */
	int code;
	int mine;
};

/* Two documents by digest, then by their place in the input. */
static int
cmp_docrec(const void *a, const void *b)
{
	const struct docrec *x = a, *y = b;
	int c = memcmp(x->digest, y->digest, STORE_DIGEST_LEN);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/*
 * The run's identity, whether it is a rerun (r->rerun_of), and its
 * documents, written in the order of their digests: the documents table
 * is keyed by digest, and a night's documents written in input order
 * changed a page of it at random each, over and over once the table no
 * longer fit SQLite's page cache (1,000,000 inventories: this step 17.8
 * s of 83 s CPU).  Each document's earlier run (Q-RUN-001) into its
 * record.  Called once the input is read, before the night's rows take
 * memory: a document costs 72 + 8 bytes here (and qsort()'s copy),
 * freed at return.
 * Returns 0, or -1 after reporting.
 */
int
ledger_docs(struct run *r)
{
	struct docrec *dr = NULL;
	long long *seen = NULL;
	struct sdoc sbuf, *sd;
	unsigned char ident[STORE_DIGEST_LEN];
	char hex[STORE_HEX_LEN];
	size_t nd = doc_count(r), i;
	int rc = -1;

	/* Pages of the documents table are each changed once here (in
	 * order): a small page cache costs no more writes, and leaves the
	 * memory to the keys and rows that follow (restored at return). */
	if (store_exec(r->st, "PRAGMA cache_size = -8192") != 0)
		return fail(r);
	if ((r->run_id = store_int(r->st, "SELECT coalesce(max(id), 0) + 1 "
	    "FROM runs", -1)) < 0) {
		r->run_id = 0;
		return fail(r);
	}
	if (nd >= UINT32_MAX || (nd > 0 &&
	    ((dr = malloc(nd * sizeof *dr)) == NULL ||
	    (seen = calloc(nd, sizeof *seen)) == NULL))) {
		diag_trouble(NULL, 0, _("out of memory"));
		goto out;
	}
	for (i = 0; i < nd; i++) {
		if ((sd = doc_get(r, i, &sbuf)) == NULL)
			goto out;
		memcpy(dr[i].digest, sd->digest, STORE_DIGEST_LEN);
		dr[i].source = sd->source;
		dr[i].index = sd->index;
		dr[i].line = sd->line;
		dr[i].i = (uint32_t)i;
		dr[i].code = sd->code;
		dr[i].mine = sd->mine;
	}
	if (nd > 1)
		qsort(dr, nd, sizeof *dr, cmp_docrec);
	if (store_run_identity_sorted(nd ? dr[0].digest : NULL, nd,
	    sizeof *dr, ident) != 0) {
		diag_trouble(NULL, 0, _("cannot compute the run's identity"));
		goto out;
	}
	store_hex(ident, r->run_ident);
	if ((r->rerun_of = store_run_find(r->st, r->run_ident)) < 0) {
		fail(r);
		goto out;
	}
	for (i = 0; i < nd; i++) {
		const struct docrec *d = &dr[i];
		long long s = 0;
		char t[16];

		store_hex(d->digest, hex);
		if (r->rerun_of == 0 && d->mine &&
		    (s = store_document_run(r->st, hex)) < 0) {
			fail(r);
			goto out;
		}
		seen[d->i] = s == r->run_id ? 0 : s;	/* twice in this
							 * run: Q-DUP-001 */
		snprintf(t, sizeof t, "CEB%d", d->code);
		if (store_document(r->st, r->run_id, hex, d->source, d->index,
		    d->line, d->code ? t : NULL, NULL) != 0) {
			fail(r);
			goto out;
		}
	}
	for (i = 0; i < nd; i++) {
		if ((sd = doc_get(r, i, &sbuf)) == NULL)
			goto out;
		sd->seen = seen[i];
		if (doc_put(r, i, sd) != 0)
			goto out;
	}
	rc = 0;
out:
	free(dr);
	free(seen);
	mem_trim();	/* dr and seen: as large as the night's documents */
	if (store_exec(r->st, READ_CACHE) != 0 && rc == 0)
		rc = fail(r);
	return rc;
}

/* The run's row and what it set aside (its documents: ledger_docs()). */
static int
write_run(struct run *r, long long *id)
{
	struct store_run run;
	size_t i;

	memset(&run, 0, sizeof run);
	memcpy(run.identity, r->run_ident, sizeof run.identity);
	run.tool = "ceb-quota-check";
	run.label = r->run_label;
	run.documents = (long)doc_count(r);
	run.set_aside = (long)r->asides.n;
	for (i = 0; i < ev_count(r); i++) {
		struct event buf, *e = ev_get(r, i, &buf);

		if (e == NULL)
			return -1;
		if (e->kind != E_INVENTORY || e->out == O_OTHER_SHARD)
			continue;
		run.records++;
		if (e->passes)
			run.passed++;
		else
			run.failed++;
	}
	run.status = diag_status() > 1 || r->asides.n ? 2 :
	    run.failed ? 1 : 0;
	if (r->rerun_of > 0)
		run.note = "rerun";
	if (store_run_insert(r->st, &run) != 0)
		return -1;
	if (r->run_id != 0 && run.id != r->run_id) {
		diag_trouble(r->store_path, 0, _("the run was given id %lld, "
		    "not %lld as its quota events say"), run.id, r->run_id);
		return -1;
	}
	*id = run.id;
	for (i = 0; i < r->asides.n; i++) {
		struct aside *a = r->asides.v[i];

		if (store_set_aside(r->st, run.id, a->source, a->index,
		    a->line, a->reason) != 0)
			return -1;
	}
	return 0;
}

int
ledger_write(struct run *r)
{
	struct vec fresh = { 0 };
	long long run, next;
	size_t i;

	if (r->log_bad)
		return -1;	/* reported by qstore_log() */
	/* The keys of the run's rows served the judgment (judge_run() has
	 * freed them when it ended well). */
	rkey_free(r);
	if (small_cache(r) != 0 || write_run(r, &run) != 0)
		return fail(r);
	if (rows_pick(r, 1, &fresh) != 0)
		return -1;
	if (rank_pyears(r) != 0) {
		free(fresh.v);
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	}
	if (fresh.n > 1)
		qsort(fresh.v, fresh.n, sizeof *fresh.v, cmp_newrow);
	if (old_rows(r, run) != 0)
		goto fail;
	if ((next = store_int(r->st, "SELECT coalesce(max(id), 0) FROM "
	    "inventories", -1)) < 0)
		goto fail;
	/* The new rows get their ids in the order they are written, that
	 * of their buyer-years: SQLite puts each in the index
	 * inventories_buyer (person, year) as it is written, and rows
	 * written in the order of their creation went each to a page of
	 * it at random.  Their events name them by these ids
	 * (events_put()). */
	if (next > INT64_MAX - (long long)fresh.n) {
		free(fresh.v);
		free(py_rank);
		py_rank = NULL;
		diag_trouble(r->store_path, 0, _("no inventory id is left "
		    "after %lld"), next);
		return -1;
	}
	for (i = 0; i < fresh.n; i++) {
		struct row *w = fresh.v[i];

		if (w->state == S_PENDING) {	/* judge_run() judges all */
			free(fresh.v);
			free(py_rank);
			py_rank = NULL;
			diag_trouble(NULL, 0, _("a new inventory was not "
			    "judged"));
			return -1;
		}
		if (write_new_row(r, w, run, ++next) != 0)
			goto fail;
	}
	if (events_put(r) != 0 || fresh_keys(r, &fresh) != 0)
		goto fail;
	free(fresh.v);
	fresh.v = NULL;
	free(py_rank);
	py_rank = NULL;
	for (i = 0; i < r->pys.n; i++) {
		struct pyear *py = r->pys.v[i];
		char u[64];
		sqlite3_stmt *st;

		if (!py->dirty || py->last_event == 0)
			continue;
		if ((st = store_prepare(r->st, sql_by_put)) == NULL ||
		    store_bind(r->st, st, "titi", py->person,
		    (long long)py->year, dec_format(py->used, 2, u, sizeof u),
		    py->last_event) != 0 || store_step(r->st, st) != 0 ||
		    (r->sealed && seal_buyer(r, py->person, py->year) != 0))
			return fail(r);
	}
	if (r->sealed && seal_head(r) != 0)
		return fail(r);
	if (getenv("CEB_QUOTA_CHECK_CRASH_BEFORE_COMMIT"))
		abort();	/* test hook: die inside the transaction */
	if (store_commit(r->st) != 0)
		return fail(r);
	return 0;
fail:
	free(fresh.v);
	free(py_rank);
	py_rank = NULL;
	return fail(r);
}

/* ---- --query and --check (read-only) ---- */

/* The store of an existing ledger, read-only or to correct it. */
static int
open_existing(struct run *r, int readonly)
{
	char err[600];

	if (resolve(r) != 0)
		return -1;
	if (!store_exists(r->store_path)) {
		if (strcmp(r->store_path, r->ledger_path) != 0 &&
		    store_exists(r->ledger_path))
			diag_trouble(r->ledger_path, 0, _("a CSV ledger not "
			    "converted yet: a run converts it"));
		else
			diag_trouble(r->ledger_path, 0, _("cannot read "
			    "ledger: %s"), strerror(ENOENT));
		return -1;
	}
	if (store_open(&r->st, r->store_path, &schema, readonly,
	    r->lock_timeout, err, sizeof err) != STORE_OK) {
		diag_trouble(r->store_path, 0, "%s", err);
		return -1;
	}
	return 0;
}

static int
open_ro(struct run *r)
{
	return open_existing(r, 1);
}

static const char sql_query[] =
    "SELECT person, used, inventories FROM buyer_year "
    "WHERE year = ?2 AND (person = ?1 OR substr(person, 1, length(?1) + 1) "
    "= ?1 || '|') ORDER BY person";

/*
 * The estimated tax of what a buyer-year counts: each counted inventory's
 * tax as its report said, in proportion to what is still counted after
 * returns (amount less released); *unknown counts the inventories with no
 * estimate (a rate missing, or counted before the store kept the tax).
 */
static const char sql_query_tax[] =
    "SELECT amount, released, tax FROM inventories WHERE person = ?1 "
    "AND year = ?2 AND state IN ('counted', 'partial')";

static int
query_tax(struct run *r, const char *person, int year, struct dec *tax,
    long *unknown)
{
	sqlite3_stmt *st = store_prepare(r->st, sql_query_tax);
	int rc;

	*tax = dec_from_int(0);
	*unknown = 0;
	if (st == NULL || store_bind(r->st, st, "ti", person,
	    (long long)year) != 0)
		return -1;
	while ((rc = store_step(r->st, st)) == 1) {
		struct dec a, rel, t;

		if (dec_parse_str(store_text(st, 0), &a) != DEC_OK ||
		    dec_parse_str(store_text(st, 1), &rel) != DEC_OK ||
		    dec_parse_str(store_text(st, 2), &t) != DEC_OK) {
			(*unknown)++;
			continue;
		}
		if (dec_sign(rel) > 0 && dec_sign(a) > 0)
			t = dec_mul_ratio(t, dec_sub(a, rel).v, a.v);
		*tax = dec_add(*tax, t);
	}
	return rc < 0 ? -1 : 0;
}

/* A person of the ledger (ID, or ID|name under --key id+name) masked. */
static void
person_masked(const char *person, char *pm, size_t n)
{
	const char *bar = strchr(person, '|');
	char *p;

	if (bar) {
		char id[128], nm[128];

		snprintf(id, sizeof id, "%.*s", (int)(bar - person), person);
		mask(MASK_ID, id, pm, n);
		mask(MASK_NAME, bar + 1, nm, sizeof nm);
		p = pm + strlen(pm);
		snprintf(p, n - (size_t)(p - pm), "|%s", nm);
	} else
		mask(MASK_ID, person, pm, n);
}

static void
query_row(const char *person, int year, const struct policy_row *pr,
    struct dec used, long n, struct dec tax, long unknown)
{
	char pm[256], s1[64], s2[64], s3[64], s4[64], s5[64], yb[16], nb[24],
	    ub[24];
	const char *row[9];
	struct dec rem = dec_sub(pr->annual, used);

	if (dec_sign(rem) < 0)
		rem = dec_from_int(0);
	person_masked(person, pm, sizeof pm);
	snprintf(yb, sizeof yb, "%d", year);
	snprintf(nb, sizeof nb, "%ld", n);
	row[0] = pm;
	row[1] = yb;
	row[2] = dec_format(pr->single, 2, s1, sizeof s1);
	row[3] = dec_format(pr->annual, 2, s2, sizeof s2);
	row[4] = dec_format(used, 2, s3, sizeof s3);
	row[5] = dec_format(rem, 2, s4, sizeof s4);
	row[6] = nb;
	row[7] = dec_format(dec_round(tax, 2), 2, s5, sizeof s5);
	snprintf(ub, sizeof ub, "%ld", unknown);
	row[8] = ub;
	if (csvio_write_row(stdout, row, 9) != 0)
		diag_write_error(_("standard output"));
}

/*
 * The person has nothing in the year queried: say so on stderr with the
 * years the ledger does hold for them, so that a mistyped ID or the wrong
 * year (--year defaults to today's) is not taken for a full quota
 * unseen.  Returns 0, or -1 on a store error.
 */
static int
query_years(struct run *r, const char *norm, int year)
{
	static const char sql[] =
	    "SELECT group_concat(year, ', ') FROM (SELECT DISTINCT year FROM "
	    "buyer_years WHERE person = ?1 OR substr(person, 1, length(?1) + 1)"
	    " = ?1 || '|' ORDER BY year)";
	char shown[128], years[256] = "";
	sqlite3_stmt *st;
	int rc;

	if ((st = store_prepare(r->st, sql)) == NULL ||
	    store_bind(r->st, st, "t", norm) != 0)
		return -1;
	if ((rc = store_step(r->st, st)) < 0)
		return -1;
	if (rc == 1 && store_text(st, 0)[0] != '\0')
		snprintf(years, sizeof years, "%s", store_text(st, 0));
	mask(MASK_ID, norm, shown, sizeof shown);
	if (years[0])
		diag_notice(shown, _("nothing counted in %d; the ledger holds "
		    "this person in %s (--year)"), year, years);
	else
		diag_notice(shown, _("nothing counted in %d; the ledger holds "
		    "nothing for this person"), year);
	return 0;
}

int
ledger_query(struct run *r, const char *id, int year)
{
	const struct policy_row *pr = policy_for_year(&r->pol, year);
	char norm[128], *p;
	sqlite3_stmt *st;
	int rc, n = 0;
	long nb;

	snprintf(norm, sizeof norm, "%s", id);
	for (p = norm; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	if (pr == NULL) {
		diag_trouble(NULL, 0, _("no quota policy in force in %d"),
		    year);
		return -1;
	}
	if (open_ro(r) != 0)
		return -1;
	printf("person,year,single_limit,annual_limit,used,remaining,"
	    "inventories,tax,tax_unknown\n");
	if (r->st != NULL) {
		if ((st = store_prepare(r->st, sql_query)) == NULL ||
		    store_bind(r->st, st, "ti", norm, (long long)year) != 0)
			goto fail;
		while ((rc = store_step(r->st, st)) == 1) {
			struct dec used, tax;
			long unknown;
			char *who = strdup(store_text(st, 0));

			if (dec_parse_str(store_text(st, 1), &used) != DEC_OK)
				used = dec_from_int(0);
			nb = (long)sqlite3_column_int64(st, 2);
			if (who == NULL || query_tax(r, who, year, &tax,
			    &unknown) != 0) {
				free(who);
				goto fail;
			}
			query_row(who, year, pr, used, nb, tax, unknown);
			free(who);
			n++;
		}
		if (rc < 0)
			goto fail;
	}
	if (n == 0) {
		query_row(norm, year, pr, dec_from_int(0), 0,
		    dec_from_int(0), 0);
		if (query_years(r, norm, year) != 0)
			goto fail;
	}
	qstore_close(r);
	return 0;
fail:
	fail(r);
	qstore_close(r);
	return -1;
}

/*
 * --check, the seals: the legacy digest, every sealed event in the chain,
 * the head, every inventory and buyer total, and each inventory's amount
 * against its lines (the lines' totals never exceed the amount, which
 * adds freight and insurance).  Each problem is a trouble naming the row.
 * Returns the count of problems, -1 on error.
 */
static long seals_walk(struct run *r);

static long
check_seals(struct run *r)
{
	if (mac_setup(r, 1) != 0)
		return 1;
	if (!r->sealed) {
		diag_note(_("%s: the ledger is not sealed yet (a run seals "
		    "it): only its sums are checked"), r->store_path);
		return 0;
	}
	return seals_walk(r);
}

/*
 * check_seals() once the key and the genesis are set up (mac_setup()):
 * the count of problems, each a trouble naming its row, or -1.
 */
static long
seals_walk(struct run *r)
{
	unsigned char prev[SEAL_LEN], m[SEAL_LEN], legacy[SEAL_LEN];
	char hex[2 * SEAL_LEN + 1], want[2 * SEAL_LEN + 1], w[128];
	sqlite3_stmt *st;
	long bad = 0;
	long long seq = 0, expect;
	int rc;

	if (legacy_digest(r, r->mac_from, legacy) != 0)
		return -1;
	seal_hex(legacy, hex);
	if (meta_get(r, "mac_legacy", want, sizeof want) != 1 ||
	    strcmp(hex, want) != 0) {
		tampered(r, _("the events from before sealing"));
		bad++;
	}
	/* The chain, in order, from the genesis. */
	memcpy(prev, r->mac_genesis, SEAL_LEN);
	expect = r->mac_from;
	if ((st = store_prepare(r->st, sql_ev_from)) == NULL ||
	    store_bind(r->st, st, "i", r->mac_from) != 0)
		return -1;
	while ((rc = store_step(r->st, st)) == 1) {
		seq = sqlite3_column_int64(st, 0);
		if (event_mac(r, prev, st, m) != 0) {
			sqlite3_reset(st);
			return -1;
		}
		if (seq != expect || !seal_equal(st, EV_MAC, m)) {
			snprintf(w, sizeof w, seq != expect ? _("quota event "
			    "%lld (events %lld to %lld removed)") :
			    _("quota event %lld"), seq, expect, seq - 1);
			tampered(r, w);
			bad++;
		}
		if (sqlite3_column_bytes(st, EV_MAC) == SEAL_LEN)
			memcpy(prev, sqlite3_column_blob(st, EV_MAC),
			    SEAL_LEN);
		else
			memcpy(prev, m, SEAL_LEN);
		expect = seq + 1;
	}
	if (rc < 0)
		return -1;
	/* Who and why: on every correction, on nothing else (the MACs
	 * cover them; this names what a MAC would only call changed). */
	if ((st = store_prepare(r->st, "SELECT seq FROM quota_events WHERE "
	    "(kind = 'corrected') != (coalesce(who, '') != '' AND "
	    "coalesce(reason, '') != '') OR (kind != 'corrected' AND "
	    "(who IS NOT NULL OR reason IS NOT NULL)) ORDER BY seq")) == NULL)
		return -1;
	while ((rc = store_step(r->st, st)) == 1) {
		diag_trouble(r->store_path, 0, _("quota event %lld: a "
		    "correction that does not say who made it and why, or "
		    "another event that does"), (long long)
		    sqlite3_column_int64(st, 0));
		bad++;
	}
	if (rc < 0)
		return -1;
	if (head_mac(r, expect - 1, prev, hex) != 0 ||
	    meta_get(r, "mac_head", want, sizeof want) < 0)
		return -1;
	if (strcmp(hex, want) != 0) {
		tampered(r, _("the end of the events (removed or added at the "
		    "end)"));
		bad++;
	}
	/* Every inventory, and its amount against its lines. */
	if ((st = store_prepare(r->st, sql_inv_all)) == NULL)
		return -1;
	while ((rc = store_step(r->st, st)) == 1) {
		long long id = sqlite3_column_int64(st, 0);
		struct dec amount;
		int parsed = dec_parse_str(store_text(st, 10), &amount) ==
		    DEC_OK;

		if (seal_row(r->key, NULL, st, 0, INV_NCOLS, m) != 0) {
			sqlite3_reset(st);
			return -1;
		}
		if (!seal_equal(st, INV_NCOLS, m)) {
			snprintf(w, sizeof w, _("inventory %lld"), id);
			tampered(r, w);
			bad++;
		}
		parsed = parsed &&
		    quota_lines_check(store_text(st, 11), amount) == 0;
		if (!parsed) {
			diag_trouble(r->store_path, 0, _("inventory %lld: its "
			    "amount %s is less than its lines add up to, or "
			    "does not parse"), id, store_text(st, 10));
			bad++;
		}
	}
	if (rc < 0)
		return -1;
	/* Every buyer total. */
	if ((st = store_prepare(r->st, sql_by_all)) == NULL)
		return -1;
	{
		struct vec bys = { 0 };
		size_t i;

		while ((rc = store_step(r->st, st)) == 1) {
			char *p = arena_str(&r->ar, store_text(st, 0));
			int *y = arena_alloc(&r->ar, sizeof *y);

			if (p == NULL || y == NULL || vec_push(&bys, p) != 0 ||
			    vec_push(&bys, y) != 0) {
				sqlite3_reset(st);
				free(bys.v);
				return -1;
			}
			*y = sqlite3_column_int(st, 1);
		}
		for (i = 0; rc == 0 && i + 1 < bys.n; i += 2)
			if (verify_buyer(r, bys.v[i], *(int *)bys.v[i + 1], 1) !=
			    0)
				bad++;
		free(bys.v);
		if (rc < 0)
			return -1;
	}
	/* Events of a buyer-year whose total was removed. */
	if ((st = store_prepare(r->st, "SELECT DISTINCT e.person, e.year FROM "
	    "quota_events e WHERE NOT EXISTS (SELECT 1 FROM buyer_years b "
	    "WHERE b.person = e.person AND b.year = e.year)")) == NULL)
		return -1;
	while ((rc = store_step(r->st, st)) == 1) {
		char pm[64];

		mask(MASK_ID, store_text(st, 0), pm, sizeof pm);
		snprintf(w, sizeof w, _("the total of buyer %s in %d (removed)"),
		    pm, sqlite3_column_int(st, 1));
		tampered(r, w);
		bad++;
	}
	return rc < 0 ? -1 : bad;
}

/*
 * The sums of --check: every buyer-year's total equals the sum of its
 * events' deltas (corrections included), and every counted inventory's
 * amount less what was given back (or corrected away).  Exact decimals,
 * in C (SQLite would sum text as floating point).  The count of
 * problems, each a trouble, or -1; *n the buyer-years checked.
 */
static long
check_sums(struct run *r, long *n)
{
	static const char sql_sum[] =
	    "SELECT b.person, b.year, b.used, e.delta FROM buyer_years b "
	    "LEFT JOIN quota_events e ON e.person = b.person AND "
	    "e.year = b.year ORDER BY b.person, b.year";
	static const char sql_rows[] =
	    "SELECT b.person, b.year, b.used, i.amount, i.released FROM "
	    "buyer_years b LEFT JOIN inventories i ON i.person = b.person AND "
	    "i.year = b.year AND i.state IN ('counted', 'partial', "
	    "'released') ORDER BY b.person, b.year";
	const char *sqls[2] = { sql_sum, sql_rows };
	long bad = 0;
	int pass;

	*n = 0;
	for (pass = 0; pass < 2; pass++) {
		sqlite3_stmt *st = store_prepare(r->st, sqls[pass]);
		char cur[600] = "";
		struct dec sum = dec_from_int(0), used = sum;
		int rc, have = 0;

		if (st == NULL)
			return -1;
		for (;;) {
			char key[600];

			rc = store_step(r->st, st);
			if (rc < 0)
				return -1;
			if (rc == 1)
				snprintf(key, sizeof key, "%s\037%d",
				    store_text(st, 0), sqlite3_column_int(st, 1));
			if (have && (rc == 0 || strcmp(key, cur) != 0)) {
				*n += pass == 0;
				if (dec_cmp(sum, used) != 0) {
					char a[64], b[64];

					bad++;
					diag_trouble(r->store_path, 0, _("buyer "
					    "year %s: total %s, but its %s sum "
					    "to %s"), strchr(cur, '\037') + 1,
					    dec_format(used, 2, a, sizeof a),
					    pass ? _("inventories") :
					    _("events"),
					    dec_format(sum, 2, b, sizeof b));
				}
				have = 0;
			}
			if (rc == 0)
				break;
			if (!have) {
				snprintf(cur, sizeof cur, "%s", key);
				sum = dec_from_int(0);
				(void)dec_parse_str(store_text(st, 2), &used);
				have = 1;
			}
			if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
				struct dec a = dec_from_int(0), b = a;

				(void)dec_parse_str(store_text(st, 3), &a);
				if (pass == 1)
					(void)dec_parse_str(store_text(st, 4),
					    &b);
				sum = dec_add(sum, dec_sub(a, b));
			}
		}
	}
	return bad;
}

/* --check: the seals (check_seals()), then the sums (check_sums()). */
int
ledger_check(struct run *r)
{
	long bad = 0, n = 0, b;
	long long corr;

	if (open_ro(r) != 0)
		return -1;
	if (r->st == NULL)
		return 0;
	if ((b = check_seals(r)) < 0)
		goto fail;
	bad += b;
	if ((b = check_sums(r, &n)) < 0)
		goto fail;
	bad += b;
	if ((corr = store_int(r->st, "SELECT count(*) FROM quota_events "
	    "WHERE kind = 'corrected'", 0)) < 0)
		goto fail;
	qstore_close(r);
	if (bad == 0) {
		printf("%ld buyer-years checked: totals agree with events and "
		    "inventories%s", n, r->sealed ? "; every MAC matches" :
		    "");
		if (corr > 0)
			printf("; corrections: %lld", corr);
		printf("\n");
	}
	return bad ? -1 : 0;
fail:
	fail(r);
	qstore_close(r);
	return -1;
}

/* ---- --correct ---- */

/*
 * The inventory that key names (quota.h, struct correction): its id, 0
 * when none, -2 when its readings name two inventories, -1 on error.
 */
static long long
correct_find(struct run *r, const char *key)
{
	char k[4][256], a[256];
	const char *slash = strchr(key, '/');
	long long id = 0, got;
	int n = 0, i, rc;
	sqlite3_stmt *st;

	if (key_invt(k[n], sizeof k[n], key) == 0)
		n++;
	if (slash != NULL && (size_t)(slash - key) < sizeof a) {
		snprintf(a, sizeof a, "%.*s", (int)(slash - key), key);
		if (key_order(k[n], sizeof k[n], a, slash + 1) == 0)
			n++;
		if (key_agent(k[n], sizeof k[n], a, slash + 1) == 0)
			n++;
		if (key_ebc(k[n], sizeof k[n], a, slash + 1) == 0)
			n++;
	}
	for (i = 0; i < n; i++) {
		if ((st = store_prepare(r->st, sql_key_get)) == NULL ||
		    store_bind(r->st, st, "t", k[i]) != 0 ||
		    (rc = store_step(r->st, st)) < 0)
			return -1;
		if (rc == 0)
			continue;
		got = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (id != 0 && got != id)
			return -2;
		id = got;
	}
	return id;
}

/* Now in China Standard Time (UTC+8, no daylight saving), as customs
 * write their times: YYYYMMDDhhmmss. */
static unsigned long long
now_cst(void)
{
	time_t t = time(NULL) + 8 * 3600;
	struct tm tm;

	gmtime_r(&t, &tm);
	return (unsigned long long)(tm.tm_year + 1900) * 10000000000ULL +
	    (unsigned long long)(tm.tm_mon + 1) * 100000000ULL +
	    (unsigned long long)tm.tm_mday * 1000000ULL +
	    (unsigned long long)tm.tm_hour * 10000ULL +
	    (unsigned long long)tm.tm_min * 100ULL +
	    (unsigned long long)tm.tm_sec;
}

static const char sql_inv_correct[] =
    "UPDATE inventories SET released = ?1, state = ?2, run = ?3 "
    "WHERE id = ?4";

/*
 * The change of a correction once the ledger has passed its checks:
 * what inventory id uses becomes c->used.  Returns 0 (done, or nothing
 * to do: *seq 0), or -1 after reporting.
 */
static int
correct_apply(struct run *r, const struct correction *c, long long id,
    long long *seq)
{
	char shown[512], pm[256], a[64], b[64], d[64], u[64];
	struct dec amount, released, before, delta, total = dec_from_int(0);
	enum rstate state;
	struct store_run run;
	sqlite3_stmt *st;
	char *person;
	int year, rc;

	*seq = 0;
	utf8_escape(c->key, shown, sizeof shown);
	if ((st = store_prepare(r->st, sql_inv_get)) == NULL ||
	    store_bind(r->st, st, "i", id) != 0 || store_step(r->st, st) != 1)
		return fail(r);
	person = arena_str(&r->ar, store_text(st, 0));
	year = sqlite3_column_int(st, 1);
	rc = person == NULL ||
	    dec_parse_str(store_text(st, 9), &amount) != DEC_OK ||
	    dec_parse_str(store_text(st, 14), &released) != DEC_OK ||
	    state_parse(store_text(st, 12), &state) != 0;
	sqlite3_reset(st);
	if (rc) {
		diag_trouble(r->store_path, 0, _("inventory %lld in the store "
		    "does not parse (edited?)"), id);
		return -1;
	}
	if (state != S_COUNTED && state != S_PARTIAL && state != S_RELEASED) {
		diag_trouble(r->store_path, 0, _("inventory %s was not counted "
		    "(%s): it uses no quota, there is nothing to correct"),
		    shown, state_name(state));
		return -1;
	}
	if (dec_cmp(c->used, amount) > 0) {
		diag_trouble(r->store_path, 0, _("inventory %s: %s is more "
		    "than its amount %s"), shown,
		    dec_format(c->used, 2, a, sizeof a),
		    dec_format(amount, 2, b, sizeof b));
		return -1;
	}
	before = dec_sub(amount, released);
	delta = dec_sub(c->used, before);
	person_masked(person, pm, sizeof pm);
	if (dec_sign(delta) == 0) {
		diag_notice(shown, _("already uses %s of buyer %s's quota "
		    "in %d: nothing to correct, nothing written"),
		    dec_format(before, 2, a, sizeof a), pm, year);
		return 0;
	}
	if ((st = store_prepare(r->st, sql_by_get)) == NULL ||
	    store_bind(r->st, st, "ti", person, (long long)year) != 0 ||
	    (rc = store_step(r->st, st)) < 0)
		return fail(r);
	if (rc == 1) {
		rc = dec_parse_str(store_text(st, 0), &total) != DEC_OK;
		sqlite3_reset(st);
	} else
		rc = 1;
	total = dec_add(total, delta);
	if (rc || dec_sign(total) < 0) {
		diag_trouble(r->store_path, 0, _("the total of buyer %s in %d "
		    "is missing or would fall below zero"), pm, year);
		return -1;
	}
	/* The correction's own run: no documents, an identity no input
	 * has (a night's run is never taken for a rerun of it). */
	memset(&run, 0, sizeof run);
	run.tool = "ceb-quota-check";
	run.label = r->run_label ? r->run_label : "correction";
	run.note = "correction";
	run.records = 1;
	snprintf(run.identity, sizeof run.identity, "correction %lld",
	    r->mac_seq + 1);
	if (store_run_insert(r->st, &run) != 0)
		return fail(r);
	released = dec_sub(amount, c->used);
	state = dec_sign(c->used) == 0 ? S_RELEASED :
	    dec_sign(released) == 0 ? S_COUNTED : S_PARTIAL;
	if ((st = store_prepare(r->st, sql_inv_correct)) == NULL ||
	    store_bind(r->st, st, "ttii", dec_format(released, 2, b, sizeof b),
	    state_name(state), run.id, id) != 0 ||
	    store_step(r->st, st) != 0 || seal_inventory(r, id) != 0)
		return fail(r);
	if ((*seq = insert_event(r, run.id, id, person, year, "corrected", "-",
	    amount, delta, total, now_cst(), c->by, c->reason)) < 0 ||
	    (st = store_prepare(r->st, sql_by_put)) == NULL ||
	    store_bind(r->st, st, "titi", person, (long long)year,
	    dec_format(total, 2, u, sizeof u), *seq) != 0 ||
	    store_step(r->st, st) != 0 ||
	    seal_buyer(r, person, year) != 0 || seal_head(r) != 0)
		return fail(r);
	if (store_commit(r->st) != 0)
		return fail(r);
	printf(_("corrected inventory %s of buyer %s in %d: uses %s instead "
	    "of %s (%s); the buyer's year now uses %s; quota event %lld by "
	    "%s\n"), shown, pm, year, dec_format(c->used, 2, a, sizeof a),
	    dec_format(before, 2, b, sizeof b),
	    dec_format(delta, 2, d, sizeof d), u, *seq, c->by);
	return 0;
}

/*
 * --correct (quota.h): in one transaction, the ledger checked as --check
 * does (every MAC, the chain, the sums), then the correction: the
 * inventory, a 'corrected' event chained after the last and the buyer's
 * total, each sealed.  Nothing is written unless all of it is.
 */
int
ledger_correct(struct run *r, const struct correction *c)
{
	char shown[512];
	long long id, seq;
	long bad, n;

	utf8_escape(c->key, shown, sizeof shown);
	if (open_existing(r, 0) != 0)
		return -1;
	if (store_begin(r->st) != 0) {
		fail(r);
		goto out;
	}
	if (mac_setup(r, 0) != 0)
		goto out;
	if ((bad = seals_walk(r)) == 0)
		bad = check_sums(r, &n);
	if (bad < 0) {
		fail(r);
		goto out;
	}
	if (bad > 0) {
		diag_trouble(r->store_path, 0, _("the ledger does not pass "
		    "its checks (above): nothing corrected"));
		goto out;
	}
	if ((id = correct_find(r, c->key)) < 0) {
		if (id == -1)
			fail(r);
		else
			diag_trouble(r->store_path, 0, _("%s names more than "
			    "one inventory: name it by its invtNo"), shown);
		goto out;
	}
	if (id == 0) {
		diag_trouble(r->store_path, 0, _("no inventory in the ledger "
		    "has the key %s (an invtNo, or ebpCode/orderNo, "
		    "agentCode/copNo, ebcCode/copNo)"), shown);
		goto out;
	}
	if (correct_apply(r, c, id, &seq) != 0)
		goto out;
	qstore_close(r);
	return 0;
out:
	qstore_close(r);	/* rolls back what was not committed */
	return -1;
}
