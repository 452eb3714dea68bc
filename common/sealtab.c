/*
 * sealtab.c: the seals of a tool's state tables; see sealtab.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "i18n.h"
#include "sealtab.h"

#define NAMED_MAX 20	/* rows named one by one, per table */

static int
dberr(struct sealtab_run *r, sqlite3 *db)
{
	diag_trouble(r->store, 0, _("the seals cannot be read or written: "
	    "%s"), sqlite3_errmsg(db));
	return -1;
}

/* A meta value into buf; 1 found, 0 not, -1 error. */
static int
meta_get(sqlite3 *db, const char *key, char *buf, size_t n)
{
	sqlite3_stmt *st;
	int rc, found = 0;

	*buf = '\0';
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1",
	    -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(buf, n, "%s", (const char *)sqlite3_column_text(st,
		    0));
		found = 1;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? found : -1;
}

static int
meta_put(sqlite3 *db, const char *key, const char *value)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key, value) "
	    "VALUES (?1, ?2)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A count from sql, or -1. */
static long long
count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/*
 * The statement that reads t's rows: its label (or NULL), its key
 * columns, every column but mac in the table's order, mac; *nseal is
 * the number of columns sealed (key and others), from column 1.
 */
static sqlite3_stmt *
rows_stmt(sqlite3 *db, const struct sealtab *t, const char *where,
    int *nkey, int *nseal)
{
	sqlite3_stmt *st, *q = NULL;
	char *sql;
	size_t cap = 4096, len;
	const char *k;
	int n = 0;

	if ((sql = malloc(cap)) == NULL)
		return NULL;
	*nkey = 1;
	for (k = t->key; *k; k++)
		if (*k == ',')
			(*nkey)++;
	snprintf(sql, cap, "SELECT %s, %s", t->label ? t->label : "NULL",
	    t->key);
	if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1) "
	    "WHERE name != 'mac' ORDER BY cid", -1, &st, NULL) != SQLITE_OK) {
		free(sql);
		return NULL;
	}
	sqlite3_bind_text(st, 1, t->table, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);

		len = strlen(sql);
		if (len + strlen(c) + 8 >= cap) {
			char *p = realloc(sql, cap * 2);

			if (p == NULL)
				goto out;
			sql = p;
			cap *= 2;
		}
		snprintf(sql + len, cap - len, ", \"%s\"", c);
		n++;
	}
	len = strlen(sql);
	if (n == 0 || len + strlen(t->table) + strlen(where) + 32 >= cap)
		goto out;
	snprintf(sql + len, cap - len, ", mac FROM %s%s", t->table, where);
	*nseal = *nkey + n;
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		q = NULL;
out:
	sqlite3_finalize(st);
	free(sql);
	return q;
}

/* The chain start of t's rows: HMAC over the table's name. */
static int
table_start(const struct sealtab_run *r, const char *table,
    unsigned char out[SEAL_LEN])
{
	const char *v[2] = { "cebtools table", table };

	return seal_strings(&r->key, NULL, v, 2, out);
}

/* The record of a table: "<rows> <hex of MAC(xor, name, rows)>". */
static int
table_record(const struct sealtab_run *r, const char *table, long long n,
    const unsigned char x[SEAL_LEN], char *buf, size_t len)
{
	unsigned char m[SEAL_LEN];
	char rows[32], hex[2 * SEAL_LEN + 1];
	const char *v[3] = { "cebtools table seal", table, rows };

	snprintf(rows, sizeof rows, "%lld", n);
	if (seal_strings(&r->key, x, v, 3, m) != 0)
		return -1;
	seal_hex(m, hex);
	snprintf(buf, len, "%lld %s", n, hex);
	return 0;
}

/* The key columns of st's row as "a/b" into buf. */
static void
row_name(sqlite3_stmt *st, int nkey, char *buf, size_t n)
{
	int i;

	*buf = '\0';
	for (i = 1; i <= nkey; i++) {
		const unsigned char *v = sqlite3_column_text(st, i);

		snprintf(buf + strlen(buf), n - strlen(buf), "%s%s",
		    i > 1 ? "/" : "", v ? (const char *)v : "NULL");
	}
}

/* Check every row of t and its record; the number of problems or -1. */
static long
check_table(struct sealtab_run *r, sqlite3 *db, const struct sealtab *t)
{
	unsigned char start[SEAL_LEN], m[SEAL_LEN], x[SEAL_LEN];
	char key[64], rec[128], want[128], name[512];
	sqlite3_stmt *st;
	long long n = 0;
	long bad = 0;
	int nkey, nseal, rc, i;

	memset(x, 0, sizeof x);
	if (table_start(r, t->table, start) != 0 ||
	    (st = rows_stmt(db, t, "", &nkey, &nseal)) == NULL)
		return dberr(r, db);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		if (seal_row(&r->key, start, st, 1, nseal, m) != 0) {
			sqlite3_finalize(st);
			return dberr(r, db);
		}
		for (i = 0; i < SEAL_LEN; i++)
			x[i] ^= m[i];
		if (seal_equal(st, 1 + nseal, m))
			continue;
		if (++bad > NAMED_MAX)
			continue;
		row_name(st, nkey, name, sizeof name);
		if (t->label && sqlite3_column_type(st, 0) != SQLITE_NULL)
			diag_trouble(r->store, 0, _("%s row %s (%s): changed, "
			    "forged or moved outside the tool (its MAC does "
			    "not match)"), t->table, name,
			    (const char *)sqlite3_column_text(st, 0));
		else
			diag_trouble(r->store, 0, _("%s row %s: changed, "
			    "forged or moved outside the tool (its MAC does "
			    "not match)"), t->table, name);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return dberr(r, db);
	if (bad > NAMED_MAX)
		diag_trouble(r->store, 0, _("%s: %ld more rows do not match "
		    "their MAC"), t->table, bad - NAMED_MAX);
	snprintf(key, sizeof key, "seal:%s", t->table);
	if ((rc = meta_get(db, key, want, sizeof want)) < 0 ||
	    table_record(r, t->table, n, x, rec, sizeof rec) != 0)
		return dberr(r, db);
	if (bad == 0 && strcmp(rec, want) != 0) {
		long long had = rc ? strtoll(want, NULL, 10) : -1;

		bad++;
		if (had >= 0 && had != n)
			diag_trouble(r->store, 0, _("%s: %lld rows sealed, %lld "
			    "now: rows removed or added outside the tool"),
			    t->table, had, n);
		else
			diag_trouble(r->store, 0, _("%s: the rows are not "
			    "those sealed (a row removed and another put back, "
			    "or the table's seal record changed)"), t->table);
	}
	r->rows += n;
	return bad;
}

int
sealtab_open(struct sealtab_run *r, sqlite3 *db, const char *store_path,
    const char *keypath, const struct sealtab *t)
{
	char id[64], err[600], sql[256];
	long long rows = 0, macs = 0, c;
	long bad = 0, b;
	struct stat sb;
	int i, have;

	memset(r, 0, sizeof *r);
	snprintf(r->store, sizeof r->store, "%s", store_path);
	if (keypath)
		snprintf(r->keypath, sizeof r->keypath, "%s", keypath);
	else
		snprintf(r->keypath, sizeof r->keypath, "%s.key", store_path);
	if ((have = meta_get(db, "mac_key_id", id, sizeof id)) < 0)
		return dberr(r, db);
	if (!have) {
		for (i = 0; t[i].table; i++) {
			snprintf(sql, sizeof sql, "SELECT count(*) FROM %s",
			    t[i].table);
			if ((c = count(db, sql)) < 0)
				return dberr(r, db);
			rows += c;
			snprintf(sql, sizeof sql, "SELECT count(mac) FROM %s",
			    t[i].table);
			if ((c = count(db, sql)) < 0)
				return dberr(r, db);
			macs += c;
		}
		if (macs > 0) {
			diag_trouble(r->store, 0, _("%lld rows carry MACs but "
			    "the state names no key: its seal records were "
			    "removed outside the tool"), macs);
			return -1;
		}
		if (rows > 0 && lstat(r->keypath, &sb) == 0) {
			diag_trouble(r->store, 0, _("the state is not sealed, "
			    "yet its key %s exists: its seals were removed "
			    "outside the tool? (a state from before seals is "
			    "sealed by a run whose key file does not exist "
			    "yet)"), r->keypath);
			return -1;
		}
		if (rows > 0)
			diag_note(_("%s: sealing the state as found (%lld "
			    "rows; key %s)"), r->store, rows, r->keypath);
		return 0;	/* the key is made by sealtab_commit() */
	}
	if (seal_key_load(r->keypath, 0, &r->key, err, sizeof err) < 0) {
		diag_trouble(NULL, 0, _("%s (the state is sealed with key %s: "
		    "--mac-key names its file)"), err, id);
		return -1;
	}
	if (strcmp(id, r->key.id) != 0) {
		diag_trouble(r->keypath, 0, _("not the key the state is sealed "
		    "with (key %s, the state's %s)"), r->key.id, id);
		return -1;
	}
	r->sealed = 1;
	for (i = 0; t[i].table; i++) {
		if ((b = check_table(r, db, &t[i])) < 0)
			return -1;
		bad += b;
	}
	return bad ? -1 : 0;
}

/* Seal t's rows whose mac is NULL; the number sealed, or -1. */
static long long
seal_rows(struct sealtab_run *r, sqlite3 *db, const struct sealtab *t)
{
	unsigned char start[SEAL_LEN], m[SEAL_LEN];
	char sql[512];
	sqlite3_stmt *st, *up = NULL;
	long long n = 0;
	int nkey, nseal, rc, i;

	if (table_start(r, t->table, start) != 0 ||
	    (st = rows_stmt(db, t, " WHERE mac IS NULL", &nkey, &nseal)) ==
	    NULL)
		return dberr(r, db);
	snprintf(sql, sizeof sql, "UPDATE %s SET mac = ?1 WHERE (%s) = (",
	    t->table, t->key);
	for (i = 0; i < nkey; i++)
		snprintf(sql + strlen(sql), sizeof sql - strlen(sql), "%s?%d",
		    i ? ", " : "", i + 2);
	snprintf(sql + strlen(sql), sizeof sql - strlen(sql), ")");
	if (sqlite3_prepare_v2(db, sql, -1, &up, NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (seal_row(&r->key, start, st, 1, nseal, m) != 0)
			goto fail;
		sqlite3_bind_blob(up, 1, m, SEAL_LEN, SQLITE_TRANSIENT);
		for (i = 0; i < nkey; i++)
			sqlite3_bind_value(up, i + 2,
			    sqlite3_column_value(st, i + 1));
		if (sqlite3_step(up) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(up);
		n++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	return n;
fail:
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	return dberr(r, db);
}

/* Seal t's new rows, then its record over every row's MAC. */
static int
seal_table(struct sealtab_run *r, sqlite3 *db, const struct sealtab *t)
{
	unsigned char x[SEAL_LEN];
	char key[64], rec[128], sql[256];
	sqlite3_stmt *st;
	long long n = 0, done;
	int rc, i, pass;

	/* A scan that updates the rows it reads may miss some: again. */
	for (pass = 0; (done = seal_rows(r, db, t)) > 0 && pass < 8; pass++)
		;
	if (done < 0)
		return -1;
	memset(x, 0, sizeof x);
	snprintf(sql, sizeof sql, "SELECT mac FROM %s", t->table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return dberr(r, db);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *b = sqlite3_column_blob(st, 0);

		if (b == NULL || sqlite3_column_bytes(st, 0) != SEAL_LEN) {
			rc = SQLITE_ERROR;
			break;
		}
		for (i = 0; i < SEAL_LEN; i++)
			x[i] ^= b[i];
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		diag_trouble(r->store, 0, _("%s: a row could not be sealed"),
		    t->table);
		return -1;
	}
	snprintf(key, sizeof key, "seal:%s", t->table);
	if (table_record(r, t->table, n, x, rec, sizeof rec) != 0 ||
	    meta_put(db, key, rec) != 0)
		return dberr(r, db);
	return 0;
}

int
sealtab_commit(struct sealtab_run *r, sqlite3 *db, const struct sealtab *t)
{
	char err[600];
	int i;

	if (!r->sealed) {
		/* First sealing run: the key, made now if it is missing. */
		if (seal_key_load(r->keypath, 1, &r->key, err, sizeof err) <
		    0) {
			diag_trouble(NULL, 0, "%s", err);
			return -1;
		}
		if (meta_put(db, "mac_key_id", r->key.id) != 0)
			return dberr(r, db);
		r->sealed = 1;
	}
	for (i = 0; t[i].table; i++)
		if (seal_table(r, db, &t[i]) != 0)
			return -1;
	return 0;
}
