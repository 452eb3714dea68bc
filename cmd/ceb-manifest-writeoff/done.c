/*
 * done.c: the done rows (parcels judged final, bills closed; the wo_done
 * table of the state) of the run, earlier runs' and this run's, and the
 * manifest entries (below), kept in a private scratch SQLite database of
 * their own instead of in memory, and looked up by key: a night's
 * written-off parcels, its manifest entries and the --keep window of
 * earlier nights no longer cost resident memory (issue 15).
 *
 * The database is SQLite's private temporary one (an empty file name):
 * its pages stay in a small page cache (DONE_CACHE_KIB) and past it go to
 * a file of TMPDIR, deleted when it closes.  Row ids keep the order the
 * rows were added in, which is the order the state writes them in.  The
 * index by logisticsNo (unique, as the state's rows are) is made when the
 * first lookup needs it, the index by invtNo likewise; a night that only
 * adds rows pays for neither.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "diag.h"
#include "i18n.h"
#include "wo.h"

#define DONE_CACHE_KIB 2048

static sqlite3 *db;
static sqlite3_stmt *q_add, *q_find, *q_inv, *q_set, *q_iter, *q_get;
static int has_lno_idx, has_inv_idx;
static char *pack;		/* a row's value */
static size_t packcap;
static long nrows;
/* The manifest entries' table (below). */
static sqlite3_stmt *m_add, *m_get, *m_set, *m_hk, *m_lh;
static int has_hk_idx, has_mk_idx;
static long mrows;
static unsigned char *mfl;	/* ment_mark()'s flags, by row id */
static size_t mflcap;
/* The entries by key (ment_find()): digest and row id, id 0 empty. */
struct kslot {
	uint32_t h, id;
};
static struct kslot *ks;
static size_t kscap, ksn;

static void __attribute__((noreturn))
failed(const char *what)
{
	diag_trouble(NULL, 0, _("cannot keep the done rows (%s): %s"), what,
	    db ? sqlite3_errmsg(db) : _("out of memory"));
	exit(diag_exit());
}

static void
exec(const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		failed(sql);
}

static sqlite3_stmt *
prep(sqlite3_stmt **q, const char *sql)
{
	if (*q == NULL && sqlite3_prepare_v2(db, sql, -1, q, NULL) !=
	    SQLITE_OK)
		failed(sql);
	sqlite3_reset(*q);
	sqlite3_clear_bindings(*q);
	return *q;
}

/*
 * A row: its key and invtNo (for the indexes), and every field packed in
 * one value, the 19 columns of wo_done each ended by a NUL, then is_new
 * ('0' or '1'): one value to bind and to read instead of twenty.
 */
void
done_open(void)
{
	char sql[256];

	if (db)
		return;
	if (sqlite3_open_v2("", &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		failed("open");
	snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", DONE_CACHE_KIB);
	exec(sql);
	exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; "
	    "PRAGMA locking_mode = EXCLUSIVE; PRAGMA temp_store = FILE");
	exec("CREATE TABLE d(lno TEXT, invtNo TEXT, v BLOB)");
	exec("CREATE TABLE m(hk TEXT, lh TEXT, mk TEXT, v BLOB)");
	nrows = 0;
	mrows = 0;
}

void
done_close(void)
{
	sqlite3_stmt **qs[] = { &q_add, &q_find, &q_inv, &q_set, &q_iter,
	    &q_get, &m_add, &m_get, &m_set, &m_hk, &m_lh };
	size_t i;

	for (i = 0; i < sizeof qs / sizeof *qs; i++) {
		sqlite3_finalize(*qs[i]);
		*qs[i] = NULL;
	}
	if (db)
		sqlite3_close(db);
	db = NULL;
	free(pack);
	pack = NULL;
	packcap = 0;
	has_lno_idx = has_inv_idx = 0;
	has_hk_idx = has_mk_idx = 0;
	nrows = 0;
	mrows = 0;
	free(mfl);
	mfl = NULL;
	mflcap = 0;
	wo_mem_free(ks, kscap * sizeof *ks);
	ks = NULL;
	kscap = ksn = 0;
}

long
done_count(void)
{
	return nrows;
}

/* An index made by its first need (*has says it is there). */
static void
make_index(int *has, const char *sql)
{
	done_open();
	if (!*has)
		exec(sql);
	*has = 1;
}

static void
lno_index(void)
{
	make_index(&has_lno_idx, "CREATE UNIQUE INDEX d_lno ON d(lno)");
}

/* The row id of lno, or -1 (a lookup that reads nothing else). */
static long
find_id(const char *lno)
{
	sqlite3_stmt *q;
	long id = -1;
	int k;

	if (nrows == 0)
		return -1;
	lno_index();
	q = prep(&q_find, "SELECT rowid, v FROM d WHERE lno = ?1");
	sqlite3_bind_text(q, 1, lno, -1, SQLITE_STATIC);
	if ((k = sqlite3_step(q)) == SQLITE_ROW)
		id = (long)sqlite3_column_int64(q, 0);
	else if (k != SQLITE_DONE)
		failed("find");
	return id;
}

/* *buf (*cap bytes) made at least need bytes long. */
static void
room_for(char **buf, size_t *cap, size_t need)
{
	char *b;

	if (need <= *cap)
		return;
	if ((b = realloc(*buf, need + 256)) == NULL)
		wo_oom();
	*buf = b;
	*cap = need + 256;
}

static size_t
pack_row(const struct done *d)
{
	const struct profile *pf = d->pf ? d->pf : &wo_noprofile;
	const char *v[19] = { d->lno, d->outcome, d->invtNo, d->billkey,
	    d->day, d->sumCopNo, d->copNo, d->agentCode, pf->agentName,
	    pf->ebcCode, pf->ebcName, pf->ownerCode, pf->customsCode,
	    pf->portCode, pf->country, pf->trafMode, pf->statFlag, pf->ieDate,
	    pf->loctNo };
	size_t len[19], need = 1, o = 0;
	int i;

	for (i = 0; i < 19; i++) {
		if (v[i] == NULL)
			v[i] = "";
		len[i] = strlen(v[i]);
		need += len[i] + 1;
	}
	room_for(&pack, &packcap, need);
	for (i = 0; i < 19; i++) {
		memcpy(pack + o, v[i], len[i] + 1);
		o += len[i] + 1;
	}
	pack[o++] = d->is_new ? '1' : '0';
	return o;
}

int
done_add(const struct done *d)
{
	sqlite3_stmt *q;
	size_t n;
	int k;

	done_open();
	q = prep(&q_add, "INSERT INTO d(lno, invtNo, v) VALUES (?1, ?2, ?3)");
	n = pack_row(d);
	sqlite3_bind_text(q, 1, d->lno ? d->lno : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, d->invtNo ? d->invtNo : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_blob(q, 3, pack, (int)n, SQLITE_STATIC);
	k = sqlite3_step(q);
	sqlite3_reset(q);
	if (k == SQLITE_CONSTRAINT)
		return 1;	/* lno is there already */
	if (k != SQLITE_DONE)
		failed("add");
	nrows++;
	return 0;
}

/* The state's rows are read with the index there: their duplicates. */
void
done_unique(void)
{
	lno_index();
}

/* Copy the current row of q (rowid, v) into r. */
static void
row_of(sqlite3_stmt *q, struct done_row *r)
{
	const char **f[19] = { &r->d.lno, &r->d.outcome, &r->d.invtNo,
	    &r->d.billkey, &r->d.day, &r->d.sumCopNo, &r->d.copNo,
	    &r->d.agentCode, &r->pf.agentName, &r->pf.ebcCode,
	    &r->pf.ebcName, &r->pf.ownerCode, &r->pf.customsCode,
	    &r->pf.portCode, &r->pf.country, &r->pf.trafMode,
	    &r->pf.statFlag, &r->pf.ieDate, &r->pf.loctNo };
	const char *v = sqlite3_column_blob(q, 1);
	size_t n = (size_t)sqlite3_column_bytes(q, 1), o = 0;
	int i;

	room_for(&r->buf, &r->cap, n + 1);
	if (n)
		memcpy(r->buf, v, n);
	r->buf[n] = '\0';
	for (i = 0; i < 19; i++) {
		*f[i] = r->buf + o;
		if (o < n)
			o += strlen(r->buf + o) + 1;
	}
	r->d.pf = &r->pf;
	r->d.is_new = o < n && r->buf[o] == '1';
	r->id = (long)sqlite3_column_int64(q, 0);
}

/* The row q selects (rowid, v) into r: its id, or -1 when there is none. */
static long
one_row(sqlite3_stmt *q, struct done_row *r)
{
	int k = sqlite3_step(q);

	if (k == SQLITE_DONE) {
		sqlite3_reset(q);
		return -1;
	}
	if (k != SQLITE_ROW)
		failed("read");
	row_of(q, r);
	sqlite3_reset(q);
	return r->id;
}

/* The row of id into r: 0, -1 when there is none. */
int
done_get(long id, struct done_row *r)
{
	sqlite3_stmt *q = prep(&q_get, "SELECT rowid, v FROM d "
	    "WHERE rowid = ?1");

	sqlite3_bind_int64(q, 1, id);
	return one_row(q, r) < 0 ? -1 : 0;
}

void
done_row_free(struct done_row *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
}

long
done_find(const char *lno, struct done_row *r)
{
	if (find_id(lno) < 0)
		return -1;
	row_of(q_find, r);
	sqlite3_reset(q_find);
	return r->id;
}

int
done_has(const char *lno)
{
	long id = find_id(lno);

	if (q_find)
		sqlite3_reset(q_find);
	return id >= 0;
}

/* The last row with invtNo (non-empty), or -1. */
long
done_find_invt(const char *invtNo, struct done_row *r)
{
	sqlite3_stmt *q;

	if (nrows == 0)
		return -1;
	if (!has_inv_idx)
		exec("CREATE INDEX d_inv ON d(invtNo)");
	has_inv_idx = 1;
	q = prep(&q_inv, "SELECT rowid, v FROM d WHERE invtNo = ?1 "
	    "ORDER BY rowid DESC LIMIT 1");
	sqlite3_bind_text(q, 1, invtNo, -1, SQLITE_STATIC);
	return one_row(q, r);
}

/*
 * The index by invtNo serves only the night's input (701s, cancels):
 * dropped before the judgement adds rows, which then need not keep it.
 */
void
done_invt_done(void)
{
	if (has_inv_idx)
		exec("DROP INDEX d_inv");
	has_inv_idx = 0;
}

/* Column col (DONE_OUTCOME, DONE_SUMCOPNO) of row id becomes v. */
void
done_set(long id, int col, const char *v)
{
	static struct done_row r;
	sqlite3_stmt *q;
	size_t n;

	if (done_get(id, &r) != 0)
		failed("update");
	if (col == DONE_OUTCOME)
		r.d.outcome = v;
	else
		r.d.sumCopNo = v;
	n = pack_row(&r.d);
	q = prep(&q_set, "UPDATE d SET v = ?1 WHERE rowid = ?2");
	sqlite3_bind_blob(q, 1, pack, (int)n, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, id);
	if (sqlite3_step(q) != SQLITE_DONE)
		failed("update");
	sqlite3_reset(q);
}

/* Every row in order: done_next() gives them one by one, 0 at the end. */
void
done_iter(void)
{
	done_open();
	sqlite3_finalize(q_iter);
	q_iter = NULL;
	prep(&q_iter, "SELECT rowid, v FROM d ORDER BY rowid");
}

int
done_next(struct done_row *r)
{
	int k;

	if (q_iter == NULL)
		return 0;
	if ((k = sqlite3_step(q_iter)) == SQLITE_DONE) {
		sqlite3_finalize(q_iter);
		q_iter = NULL;
		return 0;
	}
	if (k != SQLITE_ROW)
		failed("read");
	row_of(q_iter, r);
	return 1;
}

/*
 * The manifest entries (issue 15): every entry of the run, the state's and
 * the night's, is a row of table m of the same scratch database as it is
 * read, instead of a struct mentry, its strings and three index slots in
 * memory (about 370 bytes a parcel of a CSV manifest).  The row id is the
 * entry's place in the order it was first put (the order the judgement
 * reports and the state writes the entries in); v is the struct mentry
 * with its 13 strings after it.  The columns the lookups need:
 *   key  the entry's key while it is not deleted (index m_key);
 *   hk   "mode|voyage|master|house" of an entry with a house (index m_hk,
 *        made by ment_index() when the judgement starts);
 *   lh   the house of a loading or CSV entry (index m_lh, likewise);
 *   mk   "mode|voyage|master": deletions and moves (index m_mk, made by
 *        their first need).
 * hk and lh are NULL for a deleted entry.
 */
static void
ment_open(void)
{
	done_open();
}

/* The 13 string fields of m, in the order v keeps them. */
#define MSTR 13
static void
ment_fields(struct mentry *m, const char **f[MSTR])
{
	f[0] = &m->key;
	f[1] = &m->voyage;
	f[2] = &m->master;
	f[3] = &m->house;
	f[4] = &m->voyage_raw;
	f[5] = &m->master_raw;
	f[6] = &m->house_raw;
	f[7] = &m->msgtype;
	f[8] = &m->date;
	f[9] = &m->loc.source;
	f[10] = &m->loc.type;
	f[11] = &m->loc.guid;
	f[12] = &m->loc.key;
}

static int
is_load(int kind)
{
	return kind == MFT_LOAD || kind == MFT_CSV;
}

/* v of e: the struct, a mask of its NULL strings, then the strings. */
static size_t
pack_entry(const struct mentry *e)
{
	struct mentry m = *e;
	const char **f[MSTR];
	size_t len[MSTR], need = sizeof m + 2, o;
	unsigned nul = 0;
	int i;

	ment_fields(&m, f);
	for (i = 0; i < MSTR; i++) {
		if (*f[i] == NULL)
			nul |= 1u << i;
		len[i] = *f[i] ? strlen(*f[i]) : 0;
		need += len[i] + 1;
	}
	room_for(&pack, &packcap, need);
	memcpy(pack, &m, sizeof m);
	o = sizeof m;
	pack[o++] = (char)(nul & 0xff);
	pack[o++] = (char)(nul >> 8);
	for (i = 0; i < MSTR; i++) {
		if (len[i])
			memcpy(pack + o, *f[i], len[i]);
		pack[o + len[i]] = '\0';
		o += len[i] + 1;
	}
	return o;
}

/* Bind the columns of e (hk, lh, mk) and v to q's 1 to 4. */
static void
bind_entry(sqlite3_stmt *q, const struct mentry *e, char *hk, char *mk)
{
	size_t n = pack_entry(e);

	snprintf(mk, 512, "%c|%s|%s", e->mode, e->voyage, e->master);
	if (!e->deleted && *e->house) {
		snprintf(hk, 512, "%c|%s|%s|%s", e->mode, e->voyage,
		    e->master, e->house);
		sqlite3_bind_text(q, 1, hk, -1, SQLITE_STATIC);
		if (is_load(e->kind))
			sqlite3_bind_text(q, 2, e->house, -1, SQLITE_STATIC);
	}
	sqlite3_bind_text(q, 3, mk, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 4, pack, (int)n, SQLITE_STATIC);
}

/*
 * The entries by key: a table in memory of a 32-bit digest of the key and
 * the row id (8 bytes a slot, at most 70% full), the row read back to
 * compare its key.  A key that changes or is deleted leaves its slot (the
 * comparison passes it over); the new key gets one.  Cheaper than an
 * index of the table for the night's many new keys (no lookup reads a
 * row unless the digest matches), and a few percent of the entries'
 * memory it replaces.
 */

static uint32_t
kdigest(const char *key)
{
	uint64_t h = wo_hash(key);

	return (uint32_t)(h ^ (h >> 32));
}

/* Is (h, id) there?  Else put it. */
static void
key_put(const char *key, long id)
{
	uint32_t h = kdigest(key);
	size_t i;

	if ((ksn + 1) * 10 > kscap * 7) {
		size_t ncap = kscap ? kscap * 2 : 1024, j;
		/* Over the night's entries: in the park (spill.c). */
		struct kslot *n = wo_park_zalloc(ncap * sizeof *n);

		for (j = 0; j < kscap; j++) {
			wo_park_tick();
			if (ks[j].id == 0)
				continue;
			for (i = ks[j].h & (ncap - 1); n[i].id;
			    i = (i + 1) & (ncap - 1))
				;
			n[i] = ks[j];
		}
		wo_mem_free(ks, kscap * sizeof *ks);
		ks = n;
		kscap = ncap;
	}
	wo_park_tick();
	for (i = h & (kscap - 1); ks[i].id; i = (i + 1) & (kscap - 1))
		if (ks[i].h == h && ks[i].id == (uint32_t)id)
			return;
	ks[i].h = h;
	ks[i].id = (uint32_t)id;
	ksn++;
}

long
ment_count(void)
{
	return mrows;
}

long
ment_add(const struct mentry *e)
{
	sqlite3_stmt *q;
	char hk[512], mk[512];

	ment_open();
	q = prep(&m_add, "INSERT INTO m(hk, lh, mk, v) "
	    "VALUES (?1, ?2, ?3, ?4)");
	bind_entry(q, e, hk, mk);
	if (sqlite3_step(q) != SQLITE_DONE)
		failed("add entry");
	sqlite3_reset(q);
	if (mrows >= (long)UINT32_MAX - 1)
		failed("add entry");
	if (!e->deleted)
		key_put(e->key, mrows + 1);
	return ++mrows;		/* row ids 1, 2, ...: nothing is deleted */
}

void
ment_set(long id, const struct mentry *e)
{
	sqlite3_stmt *q;
	char hk[512], mk[512];

	q = prep(&m_set, "UPDATE m SET hk = ?1, lh = ?2, mk = ?3, v = ?4 "
	    "WHERE rowid = ?5");
	bind_entry(q, e, hk, mk);
	sqlite3_bind_int64(q, 5, id);
	if (sqlite3_step(q) != SQLITE_DONE)
		failed("update entry");
	sqlite3_reset(q);
	if (!e->deleted)
		key_put(e->key, id);
	if ((size_t)id < mflcap)
		mfl[id] = 0;	/* the row says it all again */
}

/*
 * The judgement's flags of entry id (done, tot_done, final_row), kept in
 * memory, a byte an entry, instead of writing its row back (a night's
 * entries nearly all become done): every later read of the row has them.
 */
enum { MF_DONE = 1, MF_TOT = 2, MF_FINAL = 4, MF_SET = 8 };

void
ment_mark(long id, const struct mentry *m)
{
	if (id <= 0 || id > mrows)
		return;
	if ((size_t)id >= mflcap) {
		size_t n = (size_t)mrows + 1;
		unsigned char *b = realloc(mfl, n);

		if (b == NULL)
			wo_oom();
		memset(b + mflcap, 0, n - mflcap);
		mfl = b;
		mflcap = n;
	}
	mfl[id] = MF_SET | (m->done ? MF_DONE : 0) |
	    (m->tot_done ? MF_TOT : 0) | (m->final_row ? MF_FINAL : 0);
}

/* Copy the current row of q (rowid, v) into r. */
static void
ment_row_of(sqlite3_stmt *q, struct ment_row *r)
{
	const char *v = sqlite3_column_blob(q, 1);
	size_t n = (size_t)sqlite3_column_bytes(q, 1), o;
	const char **f[MSTR];
	unsigned nul;
	int i;

	if (n < sizeof r->m + 2)
		failed("read entry");
	room_for(&r->buf, &r->cap, n);
	memcpy(r->buf, v, n);
	memcpy(&r->m, r->buf, sizeof r->m);
	o = sizeof r->m;
	nul = (unsigned char)r->buf[o] | (unsigned)(unsigned char)
	    r->buf[o + 1] << 8;
	o += 2;
	ment_fields(&r->m, f);
	for (i = 0; i < MSTR; i++) {
		*f[i] = nul & (1u << i) ? NULL : r->buf + o;
		o += strlen(r->buf + o) + 1;
	}
	r->id = (long)sqlite3_column_int64(q, 0);
	if ((size_t)r->id < mflcap && (mfl[r->id] & MF_SET)) {
		r->m.done = !!(mfl[r->id] & MF_DONE);
		r->m.tot_done = !!(mfl[r->id] & MF_TOT);
		r->m.final_row = !!(mfl[r->id] & MF_FINAL);
	}
}

/* The row q selects into r (NULL: only its id), -1 when none. */
static long
ment_one(sqlite3_stmt *q, struct ment_row *r)
{
	int k = sqlite3_step(q);
	long id = -1;

	if (k == SQLITE_ROW) {
		id = (long)sqlite3_column_int64(q, 0);
		if (r)
			ment_row_of(q, r);
	} else if (k != SQLITE_DONE)
		failed("read entry");
	sqlite3_reset(q);
	return id;
}

/* The lookups of the judgement: their indexes, made in one go. */
void
ment_index(void)
{
	make_index(&has_hk_idx, "CREATE INDEX m_hk ON m(hk); "
	    "CREATE INDEX m_lh ON m(lh)");
}

/* The row the query *q (sql: one text parameter, v) selects into r. */
static long
ment_lookup(sqlite3_stmt **q, const char *sql, const char *v,
    struct ment_row *r)
{
	if (mrows == 0)
		return -1;
	prep(q, sql);
	sqlite3_bind_text(*q, 1, v, -1, SQLITE_STATIC);
	return ment_one(*q, r);
}

long
ment_find(const char *key, struct ment_row *r)
{
	static struct ment_row scratch;
	sqlite3_stmt *q;
	uint32_t h;
	size_t i;

	if (mrows == 0 || kscap == 0)
		return -1;
	if (r == NULL)
		r = &scratch;
	h = kdigest(key);
	wo_park_tick();
	for (i = h & (kscap - 1); ks[i].id; i = (i + 1) & (kscap - 1)) {
		if (ks[i].h != h)
			continue;
		q = prep(&m_get, "SELECT rowid, v FROM m WHERE rowid = ?1");
		sqlite3_bind_int64(q, 1, (sqlite3_int64)ks[i].id);
		if (ment_one(q, r) >= 0 && !r->m.deleted &&
		    strcmp(r->m.key, key) == 0)
			return r->id;
	}
	return -1;
}

long
ment_house(const char *hk, struct ment_row *r)
{
	ment_index();
	/* The first loading entry, else the first entry. */
	return ment_lookup(&m_hk, "SELECT rowid, v FROM m WHERE hk = ?1 "
	    "ORDER BY lh IS NULL, rowid LIMIT 1", hk, r);
}

long
ment_load_house(const char *house, struct ment_row *r)
{
	ment_index();
	/* The last loading entry. */
	return ment_lookup(&m_lh, "SELECT rowid, v FROM m WHERE lh = ?1 "
	    "ORDER BY rowid DESC LIMIT 1", house, r);
}

void
ment_iter(struct ment_it *it, const char *mk)
{
	sqlite3_stmt *q = NULL;

	ment_open();
	it->last = mrows;
	if (mk)
		make_index(&has_mk_idx, "CREATE INDEX m_mk ON m(mk)");
	if (sqlite3_prepare_v2(db, mk ? "SELECT rowid, v FROM m WHERE "
	    "rowid <= ?1 AND mk = ?2 ORDER BY rowid" : "SELECT rowid, v "
	    "FROM m WHERE rowid <= ?1 ORDER BY rowid", -1, &q, NULL) !=
	    SQLITE_OK)
		failed("entries");
	sqlite3_bind_int64(q, 1, it->last);
	if (mk)
		sqlite3_bind_text(q, 2, mk, -1, SQLITE_TRANSIENT);
	it->q = q;
}

int
ment_next(struct ment_it *it, struct ment_row *r)
{
	int k;

	if (it->q == NULL)
		return 0;
	if ((k = sqlite3_step(it->q)) == SQLITE_ROW) {
		ment_row_of(it->q, r);
		return 1;
	}
	if (k != SQLITE_DONE)
		failed("entries");
	sqlite3_finalize(it->q);
	it->q = NULL;
	return 0;
}

void
ment_row_free(struct ment_row *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
}
