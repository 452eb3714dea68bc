/*
 * wostate.c: the carry-over between nightly runs (--state DIR), in the
 * SQLite store DIR/state.db (common/store.h, cebtools-state(5)):
 *
 *   wo_parcels    parcels still open (not written off, not final)
 *   wo_bills      607 bills and 509 departures still referenced or
 *                 incomplete, with the split parts seen
 *   wo_manifest   manifest entries not yet judged final
 *   wo_done       parcels judged final (kept --keep days): what makes
 *                 reruns idempotent, and what --summary reads
 *   wo_receipts   604 receipts still waiting for their inventory
 *
 * Each table has the columns the state files of the release before the
 * store had, as text, in the same order; a run reads them whole at the
 * start and writes them whole (delete, insert) in the store's one
 * transaction at the end, with its runs row, the documents it read and
 * those it set aside: committed once or not at all, so that a run killed
 * at any instant leaves the old state or the new.  A value that does not
 * parse is trouble (exit 2) naming the table and row -- never silently
 * reset.
 *
 * The state directory of the release before the store (CURRENT naming a
 * generation N of parcels-N.csv, bills-N.csv, manifest-N.csv, done-N.csv
 * and receipts-N.csv, each ending in a "#end,<rows>" trailer) is read on
 * first use, through the same loaders: CURRENT is renamed
 * CURRENT.converted first, and the run's commit writes what it read (and
 * what the run changed) into the store.  A run that fails commits
 * nothing; the next converts again from CURRENT.converted.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "csvio.h"
#include "loop.h"
#include "store.h"
#include "diag.h"
#include "i18n.h"
#include "sealtab.h"
#include "state.h"
#include "wo.h"

static long generation = 0;	/* of the old state being converted */
static struct store *st;	/* the store of the run */
static int from_csv;		/* reading the old state directory */
static struct store_run run;
static struct store_ident ident;	/* of the documents read */
static char identity[STORE_HEX_LEN];	/* of the run's input, "" unknown */
static long long redo_of;	/* the latest run, when this run redoes it */
static int base_csv;		/* the state before this run: CURRENT.converted */

/* ---- columns ---- */

static const char *const pcols[] = {
	"logisticsNo", "logisticsNoRaw", "hasInventory", "copNo", "invtNo",
	"agentCode", "agentName", "ebcCode", "ebcName", "ownerCode",
	"customsCode", "portCode", "country", "trafMode", "statisticsFlag",
	"ieDate", "loctNo", "grossWeight", "packNo", "returnStatus",
	"returnTime", "bill", "bill2", "totalPackageNo", "departure",
	"departure2", "arrived", "firstSeen", "released",
	"invSource", "invMessage", "invLine", "invType", "invGuid",
	"invRecord", "invKey",
	"billSource", "billMessage", "billLine", "billType", "billGuid",
	"billRecord", "billKey", "cancel", NULL
};
/* Columns added later: a state written before them reads as empty. */
static const char *const optional_cols[] = { "cancel", NULL };
static const char *const bcols[] = {
	"key", "kind", "mode", "voyage", "bill", "trafModeRaw", "voyageRaw",
	"billRaw", "trafName", "leaveTime", "msgCount", "parts", "badSplit",
	"grossWeight", "offGrossWeight", "offParcels", "totalsDone",
	"firstSeen", "source", "message", "line", "type", "guid", "record",
	"recKey", NULL
};
static const char *const mcols[] = {
	"key", "kind", "mode", "voyage", "master", "house", "voyageRaw",
	"masterRaw", "houseRaw", "messageType", "date", "pieces",
	"grossWeight", "firstSeen", "totalsDone", "source", "message", "line",
	"guid", "recKey", "altMode", NULL
};
static const char *const dcols[] = {
	"logisticsNo", "outcome", "invtNo", "bill", "day", "summaryCopNo",
	"copNo", "agentCode", "agentName", "ebcCode", "ebcName", "ownerCode",
	"customsCode", "portCode", "country", "trafMode", "statisticsFlag",
	"ieDate", "loctNo", NULL
};
static const char *const rcols[] = {
	"copKey", "invtNo", "returnTime", "returnStatus", "firstSeen", NULL
};

static size_t
ncols(const char *const *c)
{
	size_t n = 0;

	while (c[n])
		n++;
	return n;
}

/* ---- reading ---- */

struct rd {
	struct csvio *c;	/* the old state's file, or */
	sqlite3_stmt *q;	/* the store's table */
	const char *path;	/* file or table name */
	const char *const *cols;
	int idx[64];
	long rows;
	int ended;
};

static int
is_optional(const char *col)
{
	size_t i;

	for (i = 0; optional_cols[i]; i++)
		if (strcmp(optional_cols[i], col) == 0)
			return 1;
	return 0;
}

/* Column i of the current row ("" when missing or NULL). */
static const char *
rget(struct rd *r, int i)
{
	const char *t;

	if (r->q == NULL)
		return csvio_get(r->c, r->idx[i]);
	t = (const char *)sqlite3_column_text(r->q, i);
	return t ? t : "";
}

/* Where the current row is: a line of the file, or a row of the table. */
static long
rline(struct rd *r)
{
	return r->q ? r->rows : csvio_line(r->c);
}

static void
rd_close(struct rd *r)
{
	if (r->q)
		sqlite3_finalize(r->q);
	else if (r->c)
		csvio_close(r->c);
	r->q = NULL;
	r->c = NULL;
}

/*
 * Open path for reading: the old state's file while converting, else the
 * store's table of that name (every column, in the order of cols).
 */
static int
rd_open(struct rd *r, const char *path, const char *const *cols)
{
	char err[300], sql[2048];
	size_t i;

	memset(r, 0, sizeof *r);
	r->path = path;
	r->cols = cols;
	if (!from_csv) {
		snprintf(sql, sizeof sql, "SELECT ");
		for (i = 0; cols[i]; i++)
			snprintf(sql + strlen(sql), sizeof sql - strlen(sql),
			    "%s\"%s\"", i ? ", " : "", cols[i]);
		snprintf(sql + strlen(sql), sizeof sql - strlen(sql),
		    " FROM %s ORDER BY rowid", path);
		if (sqlite3_prepare_v2(store_db(st), sql, -1, &r->q, NULL) !=
		    SQLITE_OK) {
			diag_trouble(path, 0, _("cannot read state: %s"),
			    sqlite3_errmsg(store_db(st)));
			return -1;
		}
		return 0;
	}
	if ((r->c = csvio_open(path, err, sizeof err)) == NULL) {
		diag_trouble(path, 0, _("cannot read state: %s"), err);
		return -1;
	}
	for (i = 0; cols[i]; i++)
		if ((r->idx[i] = csvio_col(r->c, cols[i])) < 0 &&
		    !is_optional(cols[i])) {
			diag_trouble(path, 1, _("state file has no column %s"),
			    cols[i]);
			csvio_close(r->c);
			return -1;
		}
	return 0;
}

/* 1 with a row, 0 at a good end, -1 on trouble (reported). */
static int
rd_next(struct rd *r)
{
	char **f;
	size_t n;
	int k;

	wo_mem_tick();
	if (r->q) {
		if ((k = sqlite3_step(r->q)) == SQLITE_ROW) {
			r->rows++;
			return 1;
		}
		if (k == SQLITE_DONE)
			return 0;
		diag_trouble(r->path, r->rows + 1, _("damaged state: %s"),
		    sqlite3_errmsg(store_db(st)));
		return -1;
	}
	k = csvio_next(r->c, &f, &n);
	if (k < 0) {
		diag_trouble(r->path, csvio_line(r->c), _("damaged state: %s"),
		    csvio_error(r->c));
		return -1;
	}
	if (k == 0) {
		if (!r->ended) {
			diag_trouble(r->path, csvio_line(r->c),
			    _("damaged state: no #end trailer (truncated "
			    "file?)"));
			return -1;
		}
		return 0;
	}
	if (r->ended) {
		diag_trouble(r->path, csvio_line(r->c),
		    _("damaged state: rows after the #end trailer"));
		return -1;
	}
	if (n > 0 && strcmp(f[0], "#end") == 0) {
		if (n < 2 || strtol(f[1], NULL, 10) != r->rows) {
			diag_trouble(r->path, csvio_line(r->c),
			    _("damaged state: trailer says %s rows, read %ld"),
			    n > 1 ? f[1] : "?", r->rows);
			return -1;
		}
		r->ended = 1;
		return rd_next(r);
	}
	r->rows++;
	return 1;
}

static const char *
rs(struct rd *r, int i)
{
	return wo_str(rget(r, i));
}

static const char *
ri(struct rd *r, int i)
{
	return wo_intern(rget(r, i));
}

/* The 11 profile columns from column i on, interned. */
static const struct profile *
rprofile(struct rd *r, int i)
{
	struct profile pf;
	const char **f = (const char **)&pf;
	size_t k;

	for (k = 0; k < sizeof pf / sizeof *f; k++)
		f[k] = ri(r, i + (int)k);
	return wo_profile(&pf);
}

static int
bad(struct rd *r, const char *col, const char *v)
{
	diag_trouble(r->path, rline(r),
	    _("damaged state: bad %s \"%s\""), col, v);
	return -1;
}

static int
rl(struct rd *r, int i, long *out)
{
	const char *v = rget(r, i);
	char *end;

	if (*v == '\0') {
		*out = 0;
		return 0;
	}
	errno = 0;
	*out = strtol(v, &end, 10);
	if (errno || *end)
		return bad(r, r->cols[i], v);
	return 0;
}

static int
rday(struct rd *r, int i, long *out)
{
	const char *v = rget(r, i);

	if (*v == '\0') {
		*out = -1;
		return 0;
	}
	if ((*out = norm_day(v)) < 0 || strlen(v) != 8)
		return bad(r, r->cols[i], v);
	return 0;
}

static int
rdec(struct rd *r, int i, struct dec *out)
{
	const char *v = rget(r, i);

	out->v = 0;
	if (*v && dec_parse_str(v, out) != DEC_OK)
		return bad(r, r->cols[i], v);
	return 0;
}

static int
rbill(struct wo *w, struct rd *r, int i, long *out)
{
	const char *v = rget(r, i);

	*out = -1;
	if (*v == '\0')
		return 0;
	if ((*out = wo_index_get(&w->bidx, v)) < 0)
		return bad(r, r->cols[i], v);
	return 0;
}

static int
rloc(struct rd *r, int i, struct wo_loc *l, int has_type)
{
	l->source = ri(r, i);
	if (rl(r, i + 1, &l->message) || rl(r, i + 2, &l->line))
		return -1;
	if (has_type)
		l->type = ri(r, i++ + 3);
	l->guid = ri(r, i + 3);
	if (has_type) {
		if (rl(r, i + 4, &l->record))
			return -1;
		l->key = rs(r, i + 5);
	} else
		l->key = rs(r, i + 4);
	return 0;
}

static int
load_bills(struct wo *w, const char *path)
{
	struct rd r;
	int k;

	if (rd_open(&r, path, bcols) != 0)
		return -1;
	while ((k = rd_next(&r)) == 1) {
		const char *mode = rget(&r, 2), *parts;
		long kind, bi, cnt, v, i;
		struct bill *b;

		if (rl(&r, 1, &kind) || (kind != BILL_607 && kind != BILL_509))
			goto fail;
		if (strlen(mode) != 1)
			goto fail;
		bi = bill_get(w, (int)kind, mode[0], rs(&r, 3), rs(&r, 4));
		b = &w->b[bi];
		if (strcmp(b->key, rget(&r, 0)) != 0)
			goto fail;
		b->trafMode_raw = rs(&r, 5);
		b->voyage_raw = rs(&r, 6);
		b->bill_raw = rs(&r, 7);
		b->trafName = rs(&r, 8);
		b->leaveTime = rs(&r, 9);
		if (rl(&r, 10, &cnt) || cnt < 0 || cnt > 100000)
			goto fail;
		parts = rget(&r, 11);
		if ((long)strlen(parts) != cnt)
			goto fail;
		b->msgCount = cnt;
		if (cnt > 0) {
			if ((b->parts = calloc((size_t)cnt, 1)) == NULL)
				goto fail;
			b->nparts_alloc = cnt;
			for (i = 0; i < cnt; i++)
				b->parts[i] = parts[i] == '1';
		}
		if (rl(&r, 12, &v))
			goto fail;
		b->bad_split = (int)v;
		if (rdec(&r, 13, &b->gross) || rdec(&r, 14, &b->off_gross) ||
		    rl(&r, 15, &b->off_n) || rl(&r, 16, &v))
			goto fail;
		b->totals_done = (int)v;
		if (rday(&r, 17, &b->first_day) || b->first_day < 0)
			goto fail;
		if (rloc(&r, 18, &b->loc, 1))
			goto fail;
	}
	rd_close(&r);
	return k;
fail:
	if (diag_status() < 2)
		bad(&r, "row", rget(&r, 0));
	rd_close(&r);
	return -1;
}

static int
load_parcels(struct wo *w, const char *path)
{
	struct rd r;
	int k;

	if (rd_open(&r, path, pcols) != 0)
		return -1;
	while ((k = rd_next(&r)) == 1) {
		struct parcel *p;
		struct wo_loc bl;
		long pi, v;
		char copkey[256];

		memset(&bl, 0, sizeof bl);
		if (wo_index_get(&w->pidx, rget(&r, 0)) >= 0)
			goto fail;	/* twice */
		pi = parcel_get(w, rget(&r, 1));
		p = &w->p[pi];
		if (strcmp(p->lno, rget(&r, 0)) != 0)
			goto fail;
		if (rl(&r, 2, &v))
			goto fail;
		p->has_inv = (int)v;
		p->copNo = rs(&r, 3);
		p->invtNo = rs(&r, 4);
		p->agentCode = ri(&r, 5);
		p->pf = rprofile(&r, 6);
		if (rdec(&r, 17, &p->gross) || rl(&r, 18, &p->packNo) ||
		    rl(&r, 19, &v))
			goto fail;
		p->status = (int)v;
		p->rtime = rs(&r, 20);
		if (rbill(w, &r, 21, &p->bill) || rbill(w, &r, 22, &p->bill2))
			goto fail;
		p->bag = rs(&r, 23);
		if (rbill(w, &r, 24, &p->dep) || rbill(w, &r, 25, &p->dep2) ||
		    rl(&r, 26, &v))
			goto fail;
		p->arrived = (int)v;
		if (rday(&r, 27, &p->first_day) || p->first_day < 0 ||
		    rday(&r, 28, &p->rel_day))
			goto fail;
		if (rloc(&r, 29, &p->inv_loc, 1) || rloc(&r, 36, &bl, 1) ||
		    rl(&r, 43, &v) || v < CAN_NONE || v > CAN_REJECTED)
			goto fail;
		if (bl.source != NULL) {	/* as read: "" too */
			p->bill_at = wo_loc_keep(&bl);
			p->bill_line = bl.line;
		}
		p->cancel = (int)v;
		if (p->has_inv) {
			snprintf(copkey, sizeof copkey, "%s/%s", p->agentCode,
			    p->copNo);
			wo_index_put(&w->copidx, wo_str(copkey), pi);
		}
		if (*p->invtNo)
			wo_index_put(&w->invidx, p->invtNo, pi);
	}
	rd_close(&r);
	return k;
fail:
	if (diag_status() < 2)
		bad(&r, "row", rget(&r, 0));
	rd_close(&r);
	return -1;
}

static int
load_manifest(struct wo *w, const char *path)
{
	struct rd r;
	int k;

	if (rd_open(&r, path, mcols) != 0)
		return -1;
	while ((k = rd_next(&r)) == 1) {
		struct mentry e;
		const char *mode = rget(&r, 2), *g;
		long v;

		memset(&e, 0, sizeof e);
		/* The strings need not outlive the row: mentry_put() copies. */
		e.key = rget(&r, 0);
		if (rl(&r, 1, &v) || v < MFT_PRE || v > MFT_CSV ||
		    strlen(mode) != 1)
			goto fail;
		e.kind = (int)v;
		e.mode = mode[0];
		e.voyage = ri(&r, 3);
		e.master = ri(&r, 4);
		e.house = rget(&r, 5);
		e.voyage_raw = ri(&r, 6);
		e.master_raw = ri(&r, 7);
		e.house_raw = rget(&r, 8);
		e.msgtype = ri(&r, 9);
		e.date = ri(&r, 10);
		if (rl(&r, 11, &e.pieces))
			goto fail;
		if (*rget(&r, 11) == '\0')
			e.pieces = -1;
		g = rget(&r, 12);
		e.has_gross = *g != '\0';
		if (rdec(&r, 12, &e.gross) || rday(&r, 13, &e.first_day) ||
		    e.first_day < 0 || rl(&r, 14, &v))
			goto fail;
		e.tot_done = (int)v;
		if (rloc(&r, 15, &e.loc, 0))
			goto fail;
		e.loc.type = e.msgtype;
		g = rget(&r, 20);
		if (strlen(g) > 1)
			goto fail;
		e.alt_mode = g[0];
		if (ment_find(e.key, NULL) >= 0)
			goto fail;
		mentry_put(w, &e, 1);
	}
	rd_close(&r);
	return k;
fail:
	if (diag_status() < 2)
		bad(&r, "row", rget(&r, 0));
	rd_close(&r);
	return -1;
}

/*
 * The done rows go to the scratch database of done.c (their strings are
 * not kept in memory), checked as before: a key, a day, no key twice.
 */
static int
load_done(struct wo *w, const char *path)
{
	struct rd r;
	int k, i;

	(void)w;
	if (rd_open(&r, path, dcols) != 0)
		return -1;
	done_unique();
	while ((k = rd_next(&r)) == 1) {
		struct done d;
		struct profile pf;
		const char **f[8], **pff = (const char **)&pf;
		long day;

		memset(&d, 0, sizeof d);
		f[0] = &d.lno; f[1] = &d.outcome; f[2] = &d.invtNo;
		f[3] = &d.billkey; f[4] = &d.day; f[5] = &d.sumCopNo;
		f[6] = &d.copNo; f[7] = &d.agentCode;
		for (i = 0; i < 8; i++)
			*f[i] = rget(&r, i);
		for (i = 0; i < (int)(sizeof pf / sizeof *pff); i++)
			pff[i] = rget(&r, 8 + i);
		d.pf = &pf;
		if (*d.lno == '\0' || rday(&r, 4, &day) || day < 0 ||
		    done_add(&d) != 0) {
			if (diag_status() < 2)
				bad(&r, "row", d.lno);
			rd_close(&r);
			return -1;
		}
	}
	rd_close(&r);
	return k;
}

static int
load_receipts(struct wo *w, const char *path)
{
	struct rd r;
	int k;

	if (rd_open(&r, path, rcols) != 0)
		return -1;
	while ((k = rd_next(&r)) == 1) {
		struct orphan *o;
		long v;

		w->r = wo_grow(w->r, &w->rcap, w->nr + 1, sizeof *w->r);
		o = &w->r[w->nr];
		o->copkey = rs(&r, 0);
		o->invtNo = rs(&r, 1);
		o->rtime = rs(&r, 2);
		if (rl(&r, 3, &v) || rday(&r, 4, &o->first_day) ||
		    o->first_day < 0 || wo_index_get(&w->ridx, o->copkey) >= 0) {
			if (diag_status() < 2)
				bad(&r, "row", o->copkey);
			rd_close(&r);
			return -1;
		}
		o->status = (int)v;
		wo_index_put(&w->ridx, o->copkey, (long)w->nr++);
	}
	rd_close(&r);
	return k;
}

/* "shard K/N", or "" for an unsharded run. */
static void
shard_name(const struct wo *w, char *buf, size_t n)
{
	if (w->o.shard.n)
		snprintf(buf, n, "shard %u/%u", w->o.shard.k, w->o.shard.n);
	else
		buf[0] = '\0';
}

static void
gen_path(char *buf, size_t n, const char *dir, const char *name, long gen)
{
	snprintf(buf, n, "%s/%s-%ld.csv", dir, name, gen);
}

static const char *const migrations[] = {
	STORE_SCHEMA_COMMON
	"CREATE TABLE wo_bills(\"key\" TEXT, \"kind\" TEXT, \"mode\" TEXT, "
	"\"voyage\" TEXT, \"bill\" TEXT, \"trafModeRaw\" TEXT, "
	"\"voyageRaw\" TEXT, \"billRaw\" TEXT, \"trafName\" TEXT, "
	"\"leaveTime\" TEXT, \"msgCount\" TEXT, \"parts\" TEXT, "
	"\"badSplit\" TEXT, \"grossWeight\" TEXT, \"offGrossWeight\" TEXT, "
	"\"offParcels\" TEXT, \"totalsDone\" TEXT, \"firstSeen\" TEXT, "
	"\"source\" TEXT, \"message\" TEXT, \"line\" TEXT, \"type\" TEXT, "
	"\"guid\" TEXT, \"record\" TEXT, \"recKey\" TEXT);"
	"CREATE TABLE wo_parcels(\"logisticsNo\" TEXT, "
	"\"logisticsNoRaw\" TEXT, \"hasInventory\" TEXT, \"copNo\" TEXT, "
	"\"invtNo\" TEXT, \"agentCode\" TEXT, \"agentName\" TEXT, "
	"\"ebcCode\" TEXT, \"ebcName\" TEXT, \"ownerCode\" TEXT, "
	"\"customsCode\" TEXT, \"portCode\" TEXT, \"country\" TEXT, "
	"\"trafMode\" TEXT, \"statisticsFlag\" TEXT, \"ieDate\" TEXT, "
	"\"loctNo\" TEXT, \"grossWeight\" TEXT, \"packNo\" TEXT, "
	"\"returnStatus\" TEXT, \"returnTime\" TEXT, \"bill\" TEXT, "
	"\"bill2\" TEXT, \"totalPackageNo\" TEXT, \"departure\" TEXT, "
	"\"departure2\" TEXT, \"arrived\" TEXT, \"firstSeen\" TEXT, "
	"\"released\" TEXT, \"invSource\" TEXT, \"invMessage\" TEXT, "
	"\"invLine\" TEXT, \"invType\" TEXT, \"invGuid\" TEXT, "
	"\"invRecord\" TEXT, \"invKey\" TEXT, \"billSource\" TEXT, "
	"\"billMessage\" TEXT, \"billLine\" TEXT, \"billType\" TEXT, "
	"\"billGuid\" TEXT, \"billRecord\" TEXT, \"billKey\" TEXT, "
	"\"cancel\" TEXT);"
	"CREATE TABLE wo_manifest(\"key\" TEXT, \"kind\" TEXT, \"mode\" TEXT, "
	"\"voyage\" TEXT, \"master\" TEXT, \"house\" TEXT, "
	"\"voyageRaw\" TEXT, \"masterRaw\" TEXT, \"houseRaw\" TEXT, "
	"\"messageType\" TEXT, \"date\" TEXT, \"pieces\" TEXT, "
	"\"grossWeight\" TEXT, \"firstSeen\" TEXT, \"totalsDone\" TEXT, "
	"\"source\" TEXT, \"message\" TEXT, \"line\" TEXT, \"guid\" TEXT, "
	"\"recKey\" TEXT, \"altMode\" TEXT);"
	"CREATE TABLE wo_done(\"logisticsNo\" TEXT, \"outcome\" TEXT, "
	"\"invtNo\" TEXT, \"bill\" TEXT, \"day\" TEXT, "
	"\"summaryCopNo\" TEXT, \"copNo\" TEXT, \"agentCode\" TEXT, "
	"\"agentName\" TEXT, \"ebcCode\" TEXT, \"ebcName\" TEXT, "
	"\"ownerCode\" TEXT, \"customsCode\" TEXT, \"portCode\" TEXT, "
	"\"country\" TEXT, \"trafMode\" TEXT, \"statisticsFlag\" TEXT, "
	"\"ieDate\" TEXT, \"loctNo\" TEXT);"
	"CREATE TABLE wo_receipts(\"copKey\" TEXT, \"invtNo\" TEXT, "
	"\"returnTime\" TEXT, \"returnStatus\" TEXT, \"firstSeen\" TEXT);"
	"CREATE VIEW parcels_waiting AS SELECT firstSeen, logisticsNo,"
	"  invtNo, bill, departure, CASE WHEN departure = '' THEN"
	"  'departure' WHEN released = '' OR released = '0' THEN 'release'"
	"  ELSE 'write-off' END AS waits_for FROM wo_parcels"
	"  ORDER BY firstSeen, logisticsNo;",
	/* 2: every row sealed (common/sealtab.h, docs/security.md). */
	"ALTER TABLE wo_bills ADD COLUMN mac BLOB;"
	"ALTER TABLE wo_parcels ADD COLUMN mac BLOB;"
	"ALTER TABLE wo_manifest ADD COLUMN mac BLOB;"
	"ALTER TABLE wo_done ADD COLUMN mac BLOB;"
	"ALTER TABLE wo_receipts ADD COLUMN mac BLOB;",
	/* 3: the state before the latest run, to redo it (wostate_load()),
	 * sealed like the state. */
	"CREATE TABLE wo_prev_bills AS SELECT * FROM wo_bills WHERE 0;"
	"CREATE TABLE wo_prev_parcels AS SELECT * FROM wo_parcels WHERE 0;"
	"CREATE TABLE wo_prev_manifest AS SELECT * FROM wo_manifest WHERE 0;"
	"CREATE TABLE wo_prev_done AS SELECT * FROM wo_done WHERE 0;"
	"CREATE TABLE wo_prev_receipts AS SELECT * FROM wo_receipts WHERE 0;",
	NULL
};

/*
 * The sealed tables: all of them, each row by its rowid (the order a
 * run reads them in) and named by its first column.  A run writes them
 * whole (wr_open()), so it seals every row again.
 */
static const struct sealtab sealed[] = {
	{ "wo_bills", "rowid", "\"key\"" },
	{ "wo_parcels", "rowid", "logisticsNo" },
	{ "wo_manifest", "rowid", "\"key\"" },
	{ "wo_done", "rowid", "logisticsNo" },
	{ "wo_receipts", "rowid", "copKey" },
	{ "wo_prev_bills", "rowid", "\"key\"" },
	{ "wo_prev_parcels", "rowid", "logisticsNo" },
	{ "wo_prev_manifest", "rowid", "\"key\"" },
	{ "wo_prev_done", "rowid", "logisticsNo" },
	{ "wo_prev_receipts", "rowid", "copKey" },
	{ NULL, NULL, NULL }
};
static struct sealtab_run seals;

static const struct store_schema schema = { "ceb-manifest-writeoff",
    migrations };

static const char *const tables[] = { "wo_bills", "wo_parcels",
    "wo_manifest", "wo_done", "wo_receipts", NULL };
/* The same tables as they were before the latest run (meta redo_base). */
static const char *const prev_tables[] = { "wo_prev_bills",
    "wo_prev_parcels", "wo_prev_manifest", "wo_prev_done",
    "wo_prev_receipts", NULL };
static const char *const *const table_cols[] = { bcols, pcols, mcols, dcols,
    rcols };

/* The old state directory's generation, read as the state (from_csv). */
static int
load_old(struct wo *w, const char *dir, const char *current)
{
	static const char *const names[] = { "bills", "parcels", "manifest",
	    "done", "receipts", NULL };
	char path[4096], line[64], sh[64], mine[64], *end;
	FILE *f;
	int i, r = 0;

	snprintf(path, sizeof path, "%s/%s", dir, current);
	if ((f = fopen(path, "r")) == NULL) {
		diag_trouble(path, 0, _("cannot read state: %s"),
		    strerror(errno));
		return -1;
	}
	if (fgets(line, sizeof line, f) == NULL) {
		fclose(f);
		diag_trouble(path, 1, _("damaged state: empty"));
		return -1;
	}
	/* A second line "shard K/N" names the shard the state belongs to. */
	if (fgets(sh, sizeof sh, f) == NULL)
		sh[0] = '\0';
	fclose(f);
	errno = 0;
	generation = strtol(line, &end, 10);
	if (errno || generation < 1 || (*end != '\n' && *end != '\0')) {
		diag_trouble(path, 1, _("damaged state: not a generation "
		    "number"));
		return -1;
	}
	sh[strcspn(sh, "\n")] = '\0';
	shard_name(w, mine, sizeof mine);
	if (strcmp(sh, mine) != 0) {
		diag_trouble(path, 2, _("state of %s, this run is %s"),
		    *sh ? sh : _("an unsharded run"),
		    *mine ? mine : _("unsharded"));
		return -1;
	}
	from_csv = 1;
	for (i = 0; names[i] && r == 0; i++) {
		gen_path(path, sizeof path, dir, names[i], generation);
		r = i == 0 ? load_bills(w, path) : i == 1 ?
		    load_parcels(w, path) : i == 2 ? load_manifest(w, path) :
		    i == 3 ? load_done(w, path) : load_receipts(w, path);
	}
	from_csv = 0;
	return r;
}

static int
fail(const char *dir)
{
	diag_trouble(dir, 0, "%s", store_errmsg(st));
	return -1;
}

/* The shard the store belongs to, "" for unsharded; NULL on error. */
static int
check_shard(struct wo *w, const char *dir, int fresh)
{
	static const char get[] = "SELECT value FROM meta WHERE key = 'shard'";
	static const char put[] = "INSERT OR REPLACE INTO meta(key, value) "
	    "VALUES ('shard', ?1)";
	char mine[64];
	sqlite3_stmt *q;
	int r;

	shard_name(w, mine, sizeof mine);
	if (fresh)
		return (q = store_prepare(st, put)) == NULL ||
		    store_bind(st, q, "t", mine) != 0 ||
		    store_step(st, q) != 0 ? fail(dir) : 0;
	if ((q = store_prepare(st, get)) == NULL ||
	    (r = store_step(st, q)) < 0)
		return fail(dir);
	if (r == 1 && strcmp(store_text(q, 0), mine) != 0) {
		char sh[64];

		snprintf(sh, sizeof sh, "%s", store_text(q, 0));
		sqlite3_reset(q);
		diag_trouble(dir, 0, _("state of %s, this run is %s"),
		    *sh ? sh : _("an unsharded run"),
		    *mine ? mine : _("unsharded"));
		return -1;
	}
	if (r == 1)
		sqlite3_reset(q);
	return 0;
}

/* The files the identity was read from, as they were (checked before
 * the run commits). */
static struct store_seen seen;

/* Known by the documents the run reads: nothing read before is relied
 * on. */
static int
identity_unknown(void)
{
	store_seen_free(&seen);
	return 1;
}

/* What the identity is made of besides the day (wostate_identity()), so
 * that find_redo() can make it again with the latest run's day; and
 * whether the input is empty (a night with no documents). */
static struct {
	const char *kind;
	char in[STORE_HEX_LEN], man[STORE_HEX_LEN];
	int empty;
} made;

/* The identity of the input made of `made', on day (YYYYMMDD), into hex:
 * 0, or -1. */
static int
identity_on(const char *day, char *hex)
{
	unsigned char dg[STORE_DIGEST_LEN];
	unsigned int len = 0;
	char buf[256];

	snprintf(buf, sizeof buf, "ceb-manifest-writeoff|%s|%s:%s|%s", day,
	    made.kind, made.in, made.man);
	if (EVP_Digest(buf, strlen(buf), dg, &len, EVP_sha256(), NULL) != 1 ||
	    len != STORE_DIGEST_LEN)
		return -1;
	store_hex(dg, hex);
	return 0;
}

int
wostate_identity(const struct wo *w, int argc, char *const argv[],
    const char *const *manifests, const struct stream_opts *so,
    const char *dir, char *hex)
{
	static const char *const msuf[] = { ".xml", ".xml.gz", ".csv",
	    ".csv.gz", NULL };
	static const struct store_ident none;
	char err[512], empty[STORE_HEX_LEN];
	int n, r;

	made.kind = "files";
	made.man[0] = '\0';
	for (n = 0; manifests && manifests[n]; n++)
		;
	if (n > 0 && store_files_identity(n, (char *const *)manifests, msuf,
	    made.man, &seen) != 0)
		return identity_unknown();
	if ((r = store_input_identity(argc, argv, made.in, &seen)) == 1) {
		/* Standard input: known by its documents, read first. */
		made.kind = "documents";
		r = store_docs_identity(argc, argv, so, dir, made.in, NULL,
		    &seen, err, sizeof err);
		if (r < 0) {
			diag_trouble(dir, 0, "%s", err);
			return -1;
		}
	}
	if (r != 0)
		return identity_unknown();
	store_ident_hex(&none, empty);
	made.empty = store_seen_bytes(&seen) == 0 &&
	    (strcmp(made.kind, "files") == 0 || strcmp(made.in, empty) == 0);
	if (identity_on(w->o.now_str, hex) != 0)
		return identity_unknown();
	return 0;
}

/*
 * Is the latest run (row q of runs: id, identity, label) one of the same
 * input as this run's, on another day, that this run redoes on its day?
 * It is when the day is the clock's (no --now), the input is not empty
 * (a night with no documents is known by its day, so that quiet nights
 * still age what waits), and the identity made with that run's day (its
 * label, YYYYMMDD) is that run's: the day is kept in day.
 */
static int
same_input(const struct wo *w, sqlite3_stmt *q, char day[9])
{
	const char *label = store_text(q, 2);
	char hex[STORE_HEX_LEN];

	if (w->o.now_given || made.empty || strlen(label) != 8 ||
	    strspn(label, "0123456789") != 8 || identity_on(label, hex) != 0 ||
	    strcmp(hex, store_text(q, 1)) != 0)
		return 0;
	memcpy(day, label, 9);
	return 1;
}

/*
 * Is this run (input identity id) a redo of the latest run?  It is when
 * that run had the same identity and meta redo_base says the state
 * before it is kept: "<run>" (the wo_prev_ tables) or "<run>
 * CURRENT.converted" (the old state directory it converted, still
 * there).  Sets redo_of and base_csv; 0, or -1 on error.
 */
static int
find_redo(struct wo *w, const char *dir, char *id)
{
	static char day[9];
	static const char sql_last[] = "SELECT id, identity, label FROM runs "
	    "ORDER BY id DESC LIMIT 1";
	static const char sql_base[] = "SELECT value FROM meta WHERE "
	    "key = 'redo_base'";
	char kind[32] = "", path[4096];
	long long last = 0, base = 0;
	sqlite3_stmt *q;
	struct stat sb;
	int r;

	redo_of = 0;
	base_csv = 0;
	day[0] = '\0';
	if (*id == '\0')
		return 0;
	if ((q = store_prepare(st, sql_last)) == NULL ||
	    (r = store_step(st, q)) < 0)
		return -1;
	if (r == 1) {
		if (strcmp(store_text(q, 1), id) == 0)
			last = sqlite3_column_int64(q, 0);
		else if (same_input(w, q, day))
			last = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
	}
	if (last == 0)
		return 0;
	if ((q = store_prepare(st, sql_base)) == NULL ||
	    (r = store_step(st, q)) < 0)
		return -1;
	if (r == 1) {
		if (sscanf(store_text(q, 0), "%lld %31s", &base, kind) < 1)
			base = 0;
		sqlite3_reset(q);
	}
	if (base != last)
		return 0;
	if (strcmp(kind, "CURRENT.converted") == 0) {
		snprintf(path, sizeof path, "%s/CURRENT.converted", dir);
		if (lstat(path, &sb) != 0)
			return 0;	/* gone: the next run, not a redo */
		base_csv = 1;
	} else if (*kind)
		return 0;
	if (*day) {
		/* The same input on another day: redone on its day. */
		w->o.now_str = day;
		w->o.now = norm_day(day);
		if (identity_on(day, id) != 0)
			return -1;
	}
	redo_of = last;
	return 0;
}

int
wostate_open(const char *dir, double timeout)
{
	char path[4096], err[512];

	if (state_mkdir(dir, err, sizeof err) != 0) {
		diag_trouble(dir, 0, "%s", err);
		return -1;
	}
	snprintf(path, sizeof path, "%s/state.db", dir);
	if (store_open(&st, path, &schema, 0, timeout, err, sizeof err) !=
	    STORE_OK) {
		diag_trouble(path, 0, "%s", err);
		return -1;
	}
	/*
	 * The run's one transaction writes every document of the night and
	 * the state: its dirty pages stay in the page cache until they fill
	 * it, so the store's 64 MB cache was up to 64 MB of RSS in every
	 * large night whatever was left open.  8 MB: past it SQLite spills
	 * the pages to the WAL (uncommitted until the commit).
	 */
	if (store_exec(st, "PRAGMA cache_size = -8192") != 0 ||
	    store_begin(st) != 0)
		return fail(path);
	return 0;
}

int
wostate_load(struct wo *w, const char *dir, const char *id)
{
	char path[4096], conv[4096];
	long long runs;
	struct stat sb;
	int fresh;

	snprintf(path, sizeof path, "%s/state.db", dir);
	if ((runs = store_int(st, "SELECT count(*) FROM runs", 0)) < 0)
		return fail(path);
	if (sealtab_open(&seals, store_db(st), path, w->o.mac_key, sealed) !=
	    0)
		return -1;
	fresh = runs == 0;
	memset(&ident, 0, sizeof ident);
	snprintf(identity, sizeof identity, "%s", id ? id : "");
	if (!fresh && find_redo(w, dir, identity) != 0)
		return fail(path);
	if (fresh) {
		/* The state directory of the release before the store. */
		snprintf(path, sizeof path, "%s/CURRENT", dir);
		snprintf(conv, sizeof conv, "%s/CURRENT.converted", dir);
		if (lstat(path, &sb) == 0 && rename(path, conv) != 0) {
			diag_trouble(path, 0, _("cannot move the old state "
			    "aside to convert it: %s"), strerror(errno));
			return -1;
		}
		if (lstat(conv, &sb) == 0) {
			if (load_old(w, dir, "CURRENT.converted") != 0)
				return -1;
			base_csv = 1;
		}
	} else if (base_csv) {
		/* Redo of the run that converted the old state: from it. */
		if (load_old(w, dir, "CURRENT.converted") != 0)
			return -1;
	} else {
		/* The state, or the state before the latest run to redo it. */
		const char *const *t = redo_of ? prev_tables : tables;
		int i, r = 0;

		for (i = 0; t[i] && r == 0; i++)
			r = i == 0 ? load_bills(w, t[i]) : i == 1 ?
			    load_parcels(w, t[i]) : i == 2 ?
			    load_manifest(w, t[i]) : i == 3 ?
			    load_done(w, t[i]) : load_receipts(w, t[i]);
		if (r != 0)
			return -1;
	}
	if (check_shard(w, dir, fresh) != 0)
		return -1;
	/* The run's row first: documents and set-asides name it. */
	memset(&run, 0, sizeof run);
	run.tool = "ceb-manifest-writeoff";
	run.label = w->o.now_str;
	run.note = redo_of ? "redo" : fresh && generation ?
	    "converted from CURRENT" : NULL;
	snprintf(run.identity, sizeof run.identity, "%s", identity);
	if (store_run_insert(st, &run) != 0)
		return fail(dir);
	return 0;
}

int
wostate_document(const struct stream_doc *d, const char *type)
{
	unsigned char dg[STORE_DIGEST_LEN];
	char hex[STORE_HEX_LEN];

	if (st == NULL)
		return 0;
	if (store_doc_digest(d->bytes, d->len, dg) != 0) {
		diag_trouble(NULL, 0, _("cannot compute a digest"));
		return -1;
	}
	store_ident_add(&ident, dg);
	store_hex(dg, hex);
	run.documents++;
	if (store_document(st, run.id, hex, d->origin.source,
	    d->origin.message, d->origin.line, type, NULL) != 0)
		return fail(NULL);
	return 0;
}

void
wostate_bad(const char *source, long index, long line, const char *reason,
    void *arg)
{
	long *n = arg;

	if (n)
		(*n)++;
	if (st != NULL && store_set_aside(st, run.id, source, index, line,
	    reason) != 0)
		(void)fail(NULL);
	run.set_aside++;
}

void
wostate_close(void)
{
	store_close(st);
	st = NULL;
	store_seen_free(&seen);
	redo_of = 0;
	base_csv = 0;
	identity[0] = '\0';
}

/* ---- writing ---- */

struct wr {
	sqlite3_stmt *q;
	const char *path;	/* the table */
	size_t ncols;
	long rows;
	int failed;
};

/* Empty table path and get ready to insert rows of cols into it. */
static int
wr_open(struct wr *x, const char *path, const char *const *cols)
{
	char sql[2048];
	size_t i;

	memset(x, 0, sizeof *x);
	x->path = path;
	x->ncols = ncols(cols);
	snprintf(sql, sizeof sql, "DELETE FROM %s", path);
	if (store_exec(st, sql) != 0)
		return fail(path);
	snprintf(sql, sizeof sql, "INSERT INTO %s(", path);
	for (i = 0; i < x->ncols; i++)
		snprintf(sql + strlen(sql), sizeof sql - strlen(sql), "%s\"%s\"",
		    i ? ", " : "", cols[i]);
	snprintf(sql + strlen(sql), sizeof sql - strlen(sql), ") VALUES (");
	for (i = 0; i < x->ncols; i++)
		snprintf(sql + strlen(sql), sizeof sql - strlen(sql), "%s?",
		    i ? ", " : "");
	snprintf(sql + strlen(sql), sizeof sql - strlen(sql), ")");
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &x->q, NULL) !=
	    SQLITE_OK) {
		diag_trouble(path, 0, _("cannot write state: %s"),
		    sqlite3_errmsg(store_db(st)));
		return -1;
	}
	return 0;
}

static void
wr_row(struct wr *x, const char *const *v, size_t n)
{
	size_t i;

	if (x->failed)
		return;
	sqlite3_reset(x->q);
	for (i = 0; i < x->ncols; i++)
		if ((i < n && v[i] ? sqlite3_bind_text(x->q, (int)i + 1, v[i],
		    -1, SQLITE_STATIC) : sqlite3_bind_text(x->q, (int)i + 1,
		    "", 0, SQLITE_STATIC)) != SQLITE_OK)
			x->failed = 1;
	if (!x->failed && sqlite3_step(x->q) != SQLITE_DONE)
		x->failed = 1;
	x->rows++;
}

static int
wr_close(struct wr *x)
{
	int failed = x->failed;

	if (failed)
		diag_trouble(x->path, 0, _("cannot write state: %s"),
		    sqlite3_errmsg(store_db(st)));
	sqlite3_finalize(x->q);
	x->q = NULL;
	return failed ? -1 : 0;
}

#define L(v) (snprintf(nb[nn], sizeof nb[nn], "%ld", (long)(v)), nb[nn++])

static const char *
bkey(const struct wo *w, long bi)
{
	return bi >= 0 ? w->b[bi].key : "";
}

static int
save_parcels(struct wo *w, const char *path)
{
	struct wr x;
	size_t i;

	if (wr_open(&x, path, pcols) != 0)
		return -1;
	for (i = 0; i < w->np; i++) {
		const struct parcel *p = &w->p[i];
		char nb[16][64], g[64], d1[9], d2[9];
		const char *v[64];
		struct wo_loc bl;
		int nn = 0, k = 0;

		wo_mem_tick();
		/* (Those with a done row left w->p with release_final().) */
		if (p->resolved || w->o.now - p->first_day > w->o.keep)
			continue;
		v[k++] = p->lno;
		v[k++] = p->lno_raw;
		v[k++] = L(p->has_inv);
		v[k++] = p->copNo;
		v[k++] = p->invtNo;
		v[k++] = p->agentCode;
		v[k++] = p->pf->agentName;
		v[k++] = p->pf->ebcCode;
		v[k++] = p->pf->ebcName;
		v[k++] = p->pf->ownerCode;
		v[k++] = p->pf->customsCode;
		v[k++] = p->pf->portCode;
		v[k++] = p->pf->country;
		v[k++] = p->pf->trafMode;
		v[k++] = p->pf->statFlag;
		v[k++] = p->pf->ieDate;
		v[k++] = p->pf->loctNo;
		v[k++] = p->has_inv ? dec_format(p->gross, 0, g, sizeof g) : "";
		v[k++] = L(p->packNo);
		v[k++] = L(p->status);
		v[k++] = p->rtime;
		v[k++] = bkey(w, p->bill);
		v[k++] = bkey(w, p->bill2);
		v[k++] = p->bag;
		v[k++] = bkey(w, p->dep);
		v[k++] = bkey(w, p->dep2);
		v[k++] = L(p->arrived);
		v[k++] = norm_day_str(p->first_day, d1);
		v[k++] = p->rel_day >= 0 ? norm_day_str(p->rel_day, d2) : "";
		v[k++] = p->inv_loc.source;
		v[k++] = L(p->inv_loc.message);
		v[k++] = L(p->inv_loc.line);
		v[k++] = p->inv_loc.type;
		v[k++] = p->inv_loc.guid;
		v[k++] = L(p->inv_loc.record);
		v[k++] = p->inv_loc.key;
		parcel_bill_loc(p, &bl);
		v[k++] = bl.source;
		v[k++] = L(bl.message);
		v[k++] = L(bl.line);
		v[k++] = bl.type;
		v[k++] = bl.guid;
		v[k++] = L(bl.record);
		v[k++] = bl.key;
		v[k++] = L(p->cancel);
		for (nn = 0; nn < k; nn++)
			if (v[nn] == NULL)
				v[nn] = "";
		wr_row(&x, v, (size_t)k);
	}
	return wr_close(&x);
}

static int
save_bills(struct wo *w, const char *path)
{
	struct wr x;
	size_t i;
	char *parts = NULL;

	if (wr_open(&x, path, bcols) != 0)
		return -1;
	for (i = 0; i < w->nb; i++) {
		const struct bill *b = &w->b[i];
		char nb[16][64], g1[64], g2[64], d1[9], mode[2];
		const char *v[64];
		int nn = 0, k = 0;
		long j;

		if (!b->keep || w->o.now - b->first_day > w->o.keep)
			continue;
		free(parts);
		if ((parts = malloc((size_t)b->msgCount + 1)) == NULL) {
			x.failed = 1;
			break;
		}
		for (j = 0; j < b->msgCount; j++)
			parts[j] = j < b->nparts_alloc && b->parts[j] ? '1' :
			    '0';
		parts[b->msgCount] = '\0';
		mode[0] = b->mode;
		mode[1] = '\0';
		v[k++] = b->key;
		v[k++] = L(b->kind);
		v[k++] = mode;
		v[k++] = b->voyage;
		v[k++] = b->bill;
		v[k++] = b->trafMode_raw;
		v[k++] = b->voyage_raw;
		v[k++] = b->bill_raw;
		v[k++] = b->trafName;
		v[k++] = b->leaveTime;
		v[k++] = L(b->msgCount);
		v[k++] = parts;
		v[k++] = L(b->bad_split);
		v[k++] = dec_format(b->gross, 0, g1, sizeof g1);
		v[k++] = dec_format(b->off_gross, 0, g2, sizeof g2);
		v[k++] = L(b->off_n);
		v[k++] = L(b->totals_done);
		v[k++] = norm_day_str(b->first_day, d1);
		v[k++] = b->loc.source;
		v[k++] = L(b->loc.message);
		v[k++] = L(b->loc.line);
		v[k++] = b->loc.type;
		v[k++] = b->loc.guid;
		v[k++] = L(b->loc.record);
		v[k++] = b->loc.key;
		for (nn = 0; nn < k; nn++)
			if (v[nn] == NULL)
				v[nn] = "";
		wr_row(&x, v, (size_t)k);
	}
	free(parts);
	return wr_close(&x);
}

static int
save_manifest(struct wo *w, const char *path)
{
	struct ment_row r;
	struct ment_it it;
	struct wr x;

	if (wr_open(&x, path, mcols) != 0)
		return -1;
	memset(&r, 0, sizeof r);
	ment_iter(&it, NULL);
	while (ment_next(&it, &r)) {
		const struct mentry *m = &r.m;
		char nb[16][64], g[64], d1[9], mode[2], alt[2];
		const char *v[64];
		int nn = 0, k = 0;

		wo_mem_tick();
		if (m->deleted || m->done ||
		    w->o.now - m->first_day > w->o.keep)
			continue;
		mode[0] = m->mode;
		mode[1] = '\0';
		v[k++] = m->key;
		v[k++] = L(m->kind);
		v[k++] = mode;
		v[k++] = m->voyage;
		v[k++] = m->master;
		v[k++] = m->house;
		v[k++] = m->voyage_raw;
		v[k++] = m->master_raw;
		v[k++] = m->house_raw;
		v[k++] = m->msgtype;
		v[k++] = m->date;
		if (m->pieces >= 0)
			v[k++] = L(m->pieces);
		else
			v[k++] = "";
		v[k++] = m->has_gross ? dec_format(m->gross, 0, g, sizeof g) :
		    "";
		v[k++] = norm_day_str(m->first_day, d1);
		v[k++] = L(m->tot_done);
		v[k++] = m->loc.source;
		v[k++] = L(m->loc.message);
		v[k++] = L(m->loc.line);
		v[k++] = m->loc.guid;
		v[k++] = m->loc.key;
		alt[0] = m->alt_mode;
		alt[1] = '\0';
		v[k++] = alt;
		for (nn = 0; nn < k; nn++)
			if (v[nn] == NULL)
				v[nn] = "";
		wr_row(&x, v, (size_t)k);
	}
	ment_row_free(&r);
	return wr_close(&x);
}

/* The entry-final rows of this run (final_row: engine.c's entry_final()). */
static void
save_entries_final(struct wo *w, struct wr *x)
{
	const struct profile *pf = &wo_noprofile;
	char key[600], day[9];
	struct ment_row r;
	struct ment_it it;

	if (w->nef == 0)
		return;
	memset(&r, 0, sizeof r);
	ment_iter(&it, NULL);
	while (ment_next(&it, &r)) {
		const char *v[19] = { key, "entry-final", "", "", day, "", "",
		    "", pf->agentName, pf->ebcCode, pf->ebcName,
		    pf->ownerCode, pf->customsCode, pf->portCode,
		    pf->country, pf->trafMode, pf->statFlag, pf->ieDate,
		    pf->loctNo };

		wo_mem_tick();
		if (!r.m.final_row)
			continue;
		snprintf(key, sizeof key, "M|%s", r.m.key);
		norm_day_str(r.m.first_day, day);
		if (w->o.now - norm_day(day) > w->o.keep)
			continue;
		wr_row(x, v, 19);
	}
	ment_row_free(&r);
}

static int
save_done(struct wo *w, const char *path)
{
	struct done_row r;
	struct wr x;
	long i = 0;
	int more;

	if (wr_open(&x, path, dcols) != 0)
		return -1;
	memset(&r, 0, sizeof r);
	done_iter();
	do {
		more = done_next(&r);
		if (i++ == (long)w->ef_at)
			save_entries_final(w, &x);
		if (!more)
			break;
		{
			const struct done *d = &r.d;
			const char *v[19] = { d->lno, d->outcome, d->invtNo,
			    d->billkey, d->day, d->sumCopNo, d->copNo,
			    d->agentCode, d->pf->agentName, d->pf->ebcCode,
			    d->pf->ebcName, d->pf->ownerCode,
			    d->pf->customsCode, d->pf->portCode,
			    d->pf->country, d->pf->trafMode,
			    d->pf->statFlag, d->pf->ieDate, d->pf->loctNo };

			wo_mem_tick();
			if (w->o.now - norm_day(d->day) > w->o.keep)
				continue;
			wr_row(&x, v, 19);
		}
	} while (more);
	done_row_free(&r);
	return wr_close(&x);
}

static int
save_receipts(struct wo *w, const char *path)
{
	struct wr x;
	size_t i;

	if (wr_open(&x, path, rcols) != 0)
		return -1;
	for (i = 0; i < w->nr; i++) {
		const struct orphan *o = &w->r[i];
		char sts[24], d1[9];
		const char *v[5];

		wo_mem_tick();
		/* --shard: most are other shards' receipts: kept --grace
		 * days only, not --keep. */
		if (o->status == 0 || w->o.now - o->first_day >
		    (w->o.shard.n ? w->o.grace : w->o.keep))
			continue;
		snprintf(sts, sizeof sts, "%d", o->status);
		v[0] = o->copkey;
		v[1] = o->invtNo ? o->invtNo : "";
		v[2] = o->rtime ? o->rtime : "";
		v[3] = sts;
		v[4] = norm_day_str(o->first_day, d1);
		wr_row(&x, v, 5);
	}
	return wr_close(&x);
}

/*
 * What a redo of this run starts from (find_redo()): a first run keeps
 * the tables as they are before it writes them (wo_prev_), a redo keeps
 * what its run kept, and the run that converts the old state directory
 * names it.  A redo takes the redone run's documents and set-asides out:
 * it records them again.  0, or -1.
 */
static int
keep_before(const char *dir)
{
	static const char sql_base[] = "INSERT OR REPLACE INTO meta(key, "
	    "value) VALUES ('redo_base', ?1)";
	static const char sql_undo[] = "DELETE FROM documents WHERE run = ?1;";
	static const char sql_undo2[] = "DELETE FROM set_aside WHERE run = ?1";
	char sql[4096], base[64];
	sqlite3_stmt *q;
	size_t i, j;

	if (redo_of && ((q = store_prepare(st, sql_undo)) == NULL ||
	    store_bind(st, q, "i", redo_of) != 0 || store_step(st, q) != 0 ||
	    (q = store_prepare(st, sql_undo2)) == NULL ||
	    store_bind(st, q, "i", redo_of) != 0 || store_step(st, q) != 0))
		return fail(dir);
	for (i = 0; !redo_of && !base_csv && tables[i]; i++) {
		int n = snprintf(sql, sizeof sql, "DELETE FROM %s; INSERT "
		    "INTO %s(", prev_tables[i], prev_tables[i]);
		size_t o = (size_t)n;

		for (j = 0; table_cols[i][j]; j++)
			o += (size_t)snprintf(sql + o, sizeof sql - o, "%s\"%s\"",
			    j ? ", " : "", table_cols[i][j]);
		o += (size_t)snprintf(sql + o, sizeof sql - o, ") SELECT ");
		for (j = 0; table_cols[i][j]; j++)
			o += (size_t)snprintf(sql + o, sizeof sql - o, "%s\"%s\"",
			    j ? ", " : "", table_cols[i][j]);
		snprintf(sql + o, sizeof sql - o, " FROM %s ORDER BY rowid",
		    tables[i]);
		if (o >= sizeof sql - 64 || store_exec(st, sql) != 0)
			return fail(dir);
	}
	snprintf(base, sizeof base, "%lld%s", run.id,
	    base_csv ? " CURRENT.converted" : "");
	if ((q = store_prepare(st, sql_base)) == NULL ||
	    store_bind(st, q, "t", base) != 0 || store_step(st, q) != 0)
		return fail(dir);
	return 0;
}

int
wostate_save(struct wo *w, const char *dir)
{
	static const char sql_counts[] = "UPDATE runs SET ended = ?1, "
	    "identity = ?2, documents = ?3, set_aside = ?4, status = ?5 "
	    "WHERE id = ?6";
	static const char sql_forget[] = "DELETE FROM documents WHERE run IN "
	    "(SELECT id FROM runs WHERE label < ?1)";
	char hex[STORE_HEX_LEN], ended[32], keep[9], path[4096];
	const char *why;
	sqlite3_stmt *q;

	if (keep_before(dir) != 0 ||
	    save_bills(w, "wo_bills") != 0 ||
	    save_parcels(w, "wo_parcels") != 0 ||
	    save_manifest(w, "wo_manifest") != 0 ||
	    save_done(w, "wo_done") != 0 ||
	    save_receipts(w, "wo_receipts") != 0)
		return -1;
	/* The documents of runs older than --keep days are forgotten. */
	norm_day_str(w->o.now - w->o.keep, keep);
	if ((q = store_prepare(st, sql_forget)) == NULL ||
	    store_bind(st, q, "t", keep) != 0 || store_step(st, q) != 0)
		return fail(dir);
	/* Known by its input, else by the documents it read. */
	if (*identity)
		snprintf(hex, sizeof hex, "%s", identity);
	else
		store_ident_hex(&ident, hex);
	store_now(ended, sizeof ended);
	if ((q = store_prepare(st, sql_counts)) == NULL ||
	    store_bind(st, q, "ttiiii", ended, hex, (long long)run.documents,
	    (long long)run.set_aside, (long long)(run.set_aside ? 2 :
	    diag_status()), run.id) != 0 || store_step(st, q) != 0)
		return fail(dir);
	snprintf(path, sizeof path, "%s", dir);
	if (store_seen_check(&seen, path, sizeof path, &why) != 0) {
		diag_trouble(path, 0, "%s", why);
		return -1;
	}
	if (sealtab_commit(&seals, store_db(st), sealed) != 0)
		return -1;
	if (store_commit(st) != 0)
		return fail(dir);
	return 0;
}
