/*
 * rstore.c: ceb-risk's schema in the store (cebtools-state(5)) and the
 * opening of a run.  Personal data is never kept in clear: a buyer ID, a
 * consignee address and a telephone are kept as an HMAC-SHA-256 under a
 * key made once per store (meta risk_salt), enough to group equal values,
 * and as their masked form (mask.h) for the people who read --explain.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "diag.h"
#include "i18n.h"
#include "risk.h"

static const char schema_v1[] = STORE_SCHEMA_COMMON
"CREATE TABLE risk_nights(run INTEGER PRIMARY KEY REFERENCES runs(id),"
"  day INTEGER NOT NULL);"
"CREATE TABLE risk_goods(run INTEGER NOT NULL, day INTEGER NOT NULL,"
"  hs8 TEXT NOT NULL, unit TEXT NOT NULL, price REAL NOT NULL,"
"  country TEXT, wpu REAL, ebc TEXT,"
"  source TEXT, message INTEGER, line INTEGER, guid TEXT, record INTEGER,"
"  key TEXT, gnum INTEGER);"
"CREATE INDEX risk_goods_code ON risk_goods(hs8, unit, day);"
"CREATE INDEX risk_goods_run ON risk_goods(run);"
"CREATE TABLE risk_parcels(run INTEGER NOT NULL, day INTEGER NOT NULL,"
"  buyer TEXT, buyer_m TEXT, addr TEXT, addr_m TEXT, phone TEXT,"
"  phone_m TEXT, amount REAL, ebp TEXT, ebc TEXT, logistics TEXT,"
"  agent TEXT, order_no TEXT,"
"  source TEXT, message INTEGER, line INTEGER, guid TEXT, record INTEGER,"
"  key TEXT);"
"CREATE INDEX risk_parcels_run ON risk_parcels(run);"
"CREATE INDEX risk_parcels_day ON risk_parcels(day);"
"CREATE INDEX risk_parcels_buyer ON risk_parcels(buyer, day);"
"CREATE INDEX risk_parcels_addr ON risk_parcels(addr, day);"
"CREATE INDEX risk_parcels_phone ON risk_parcels(phone, day);"
"CREATE TABLE risk_records(run INTEGER NOT NULL, day INTEGER NOT NULL,"
"  role TEXT NOT NULL, code TEXT NOT NULL, kind TEXT NOT NULL,"
"  n INTEGER NOT NULL);"
"CREATE INDEX risk_records_run ON risk_records(run);"
"CREATE TABLE risk_reported(run INTEGER NOT NULL, role TEXT NOT NULL,"
"  code TEXT NOT NULL, tool TEXT, rule TEXT NOT NULL, severity TEXT,"
"  n INTEGER NOT NULL);"
"CREATE INDEX risk_reported_run ON risk_reported(run);"
"CREATE TABLE risk_scores(run INTEGER NOT NULL REFERENCES runs(id),"
"  dimension TEXT NOT NULL, entity TEXT NOT NULL, label TEXT,"
"  indicator TEXT NOT NULL, value REAL, threshold REAL, weight REAL,"
"  n INTEGER, baseline REAL);"
"CREATE UNIQUE INDEX risk_scores_run ON risk_scores(run, entity,"
"  indicator);"
"CREATE INDEX risk_scores_entity ON risk_scores(entity, run);"
"CREATE TABLE risk_hits(run INTEGER NOT NULL REFERENCES runs(id),"
"  dimension TEXT NOT NULL, entity TEXT NOT NULL, indicator TEXT NOT NULL,"
"  source TEXT, message INTEGER, line INTEGER, record INTEGER, key TEXT,"
"  field TEXT, detail TEXT);"
"CREATE INDEX risk_hits_run ON risk_hits(run, entity, indicator);"
"CREATE VIEW risk_ranking AS SELECT run, dimension, entity, label,"
"  sum(weight) AS score, group_concat(indicator, ' ') AS indicators"
"  FROM risk_scores GROUP BY run, dimension, entity"
"  ORDER BY run, score DESC, dimension, entity;";

/*
 * Version 2: a finding keeps its value and threshold (--html draws them);
 * a report row keeps its key (a parcel reported every night until
 * resolved, as W-DEP-001 is, counts once in a window);
 * the export inventories (CEB603) keep their enterprises, so that a
 * write-off finding on one (keyed agentCode/copNo) reaches its platform,
 * e-commerce company and logistics company; the goods lines are found by
 * key, so that a finding on an inventory reaches its HS codes.
 */
static const char schema_v2[] =
"ALTER TABLE risk_hits ADD COLUMN value REAL;"
"ALTER TABLE risk_hits ADD COLUMN threshold REAL;"
"ALTER TABLE risk_reported ADD COLUMN key TEXT;"
"CREATE TABLE risk_exports(run INTEGER NOT NULL, day INTEGER NOT NULL,"
"  key TEXT NOT NULL, ebp TEXT, ebc TEXT, logistics TEXT, agent TEXT);"
"CREATE INDEX risk_exports_key ON risk_exports(key, run);"
"CREATE INDEX risk_exports_run ON risk_exports(run);"
"CREATE INDEX risk_goods_key ON risk_goods(key);";

/* Version 3: parcels found by key (a declaration counted once, and the
 * enterprises of an inventory a finding names). */
static const char schema_v3[] =
"CREATE INDEX risk_parcels_key ON risk_parcels(key);";

static const char *const migrations[] = { schema_v1, schema_v2, schema_v3,
    NULL };

const struct store_schema rstore_schema = { "ceb-risk", migrations };

/* The store's HMAC key, made on first use. */
static int
salt(struct risk *r)
{
	static const char get[] =
	    "SELECT value FROM meta WHERE key = 'risk_salt'";
	static const char put[] =
	    "INSERT INTO meta(key, value) VALUES('risk_salt', ?)";
	sqlite3_stmt *st;
	char hex[STORE_HEX_LEN];
	int rc, i;

	if ((st = store_prepare(r->st, get)) == NULL)
		return -1;
	if ((rc = store_step(r->st, st)) < 0)
		return -1;
	if (rc == 1) {
		const char *v = store_text(st, 0);

		for (i = 0; i < 32 && v[2 * i] && v[2 * i + 1]; i++) {
			unsigned x;

			if (sscanf(v + 2 * i, "%2x", &x) != 1)
				break;
			r->salt[i] = (unsigned char)x;
		}
		sqlite3_reset(st);
		return i == 32 ? 0 : -1;
	}
	if (RAND_bytes(r->salt, sizeof r->salt) != 1)
		return -1;
	store_hex(r->salt, hex);
	if ((st = store_prepare(r->st, put)) == NULL ||
	    store_bind(r->st, st, "t", hex) != 0 || store_step(r->st, st) < 0)
		return -1;
	return 0;
}

int
rstore_open(struct risk *r, int readonly)
{
	char err[600];
	enum store_status rc;

	if (readonly && !store_exists(r->store_path)) {
		diag_trouble(r->store_path, 0, _("no such store"));
		return -1;
	}
	rc = store_open(&r->st, r->store_path, &rstore_schema, readonly,
	    r->lock_timeout, err, sizeof err);
	if (rc != STORE_OK) {
		diag_trouble(r->store_path, 0, "%s", err);
		return -1;
	}
	if (readonly)
		return 0;
	if (store_begin(r->st) != 0 || salt(r) != 0) {
		diag_trouble(r->store_path, 0, "%s", store_errmsg(r->st));
		rstore_close(r);
		return -1;
	}
	return 0;
}

void
rstore_close(struct risk *r)
{
	if (r->st)
		store_close(r->st);
	r->st = NULL;
}
