/*
 * done.c: the done rows (parcels judged final, bills closed; the wo_done
 * table of the state) of the run, earlier runs' and this run's, kept in a
 * private scratch SQLite database of their own instead of in memory, and
 * looked up by key: a night's written-off parcels and the --keep window of
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
	nrows = 0;
}

void
done_close(void)
{
	sqlite3_stmt **qs[] = { &q_add, &q_find, &q_inv, &q_set, &q_iter,
	    &q_get };
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
	nrows = 0;
}

long
done_count(void)
{
	return nrows;
}

static void
lno_index(void)
{
	done_open();
	if (!has_lno_idx)
		exec("CREATE UNIQUE INDEX d_lno ON d(lno)");
	has_lno_idx = 1;
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
	if (need > packcap) {
		char *b = realloc(pack, need + 256);

		if (b == NULL)
			wo_oom();
		pack = b;
		packcap = need + 256;
	}
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

	if (n + 1 > r->cap) {
		char *b = realloc(r->buf, n + 256);

		if (b == NULL)
			wo_oom();
		r->buf = b;
		r->cap = n + 256;
	}
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
