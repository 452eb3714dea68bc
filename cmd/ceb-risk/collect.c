/*
 * collect.c: steps 1 and 2 of a run (risk.h): what the night's documents
 * and the other tools' reports tell risk, staged in the store under run
 * 0, then given to the run, or dropped when the run is a rerun.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "csvio.h"
#include "diag.h"
#include "emit.h"
#include "i18n.h"
#include "input.h"
#include "mask.h"
#include "msg.h"
#include "policy.h"
#include "risk.h"

static const char sql_temp[] =
"CREATE TEMP TABLE IF NOT EXISTS risk_docs(seq INTEGER PRIMARY KEY,"
"  digest TEXT NOT NULL, source TEXT, message INTEGER, line INTEGER,"
"  type TEXT, guid TEXT);"
"CREATE TEMP TABLE IF NOT EXISTS risk_seen(digest TEXT PRIMARY KEY);"
"CREATE TEMP TABLE IF NOT EXISTS risk_seen_rec(type INTEGER, key TEXT,"
"  PRIMARY KEY(type, key));"
"CREATE TEMP TABLE IF NOT EXISTS risk_aside(source TEXT, message INTEGER,"
"  line INTEGER, reason TEXT);"
"CREATE TEMP TABLE IF NOT EXISTS risk_counts(role TEXT, code TEXT,"
"  kind TEXT, n INTEGER, PRIMARY KEY(role, code, kind));";
static const char sql_doc[] =
"INSERT INTO risk_docs(digest, source, message, line, type, guid)"
"  VALUES(?, ?, ?, ?, ?, ?)";
static const char sql_seen[] =
"INSERT OR IGNORE INTO risk_seen(digest) VALUES(?)";
static const char sql_seen_rec[] =
"INSERT OR IGNORE INTO risk_seen_rec(type, key) VALUES(?, ?)";
static const char sql_parcel_before[] =
"SELECT 1 FROM risk_parcels WHERE key = ?1 AND run != 0 LIMIT 1";
static const char sql_export_before[] =
"SELECT 1 FROM risk_exports WHERE key = ?1 AND run != 0 LIMIT 1";
static const char sql_goods[] =
"INSERT INTO risk_goods(run, day, hs8, unit, price, country, wpu, ebc,"
"  source, message, line, guid, record, key, gnum)"
"  VALUES(0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_parcel[] =
"INSERT INTO risk_parcels(run, day, buyer, buyer_m, addr, addr_m, phone,"
"  phone_m, amount, ebp, ebc, logistics, agent, order_no, source, message,"
"  line, guid, record, key)"
"  VALUES(0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_count[] =
"INSERT INTO risk_counts(role, code, kind, n) VALUES(?, ?, ?, 1)"
"  ON CONFLICT(role, code, kind) DO UPDATE SET n = n + 1";
static const char sql_aside[] =
"INSERT INTO risk_aside(source, message, line, reason) VALUES(?, ?, ?, ?)";

static int
sqlfail(struct risk *r)
{
	diag_trouble(r->store_path, 0, "%s", store_errmsg(r->st));
	return -1;
}

int
collect_begin(struct risk *r)
{
	if (store_exec(r->st, sql_temp) != 0 ||
	    store_exec(r->st, "DELETE FROM risk_goods WHERE run = 0;"
	    "DELETE FROM risk_parcels WHERE run = 0;"
	    "DELETE FROM risk_records WHERE run = 0;"
	    "DELETE FROM risk_reported WHERE run = 0;"
	    "DELETE FROM risk_exports WHERE run = 0;") != 0)
		return sqlfail(r);
	return 0;
}

/* Keep a digest of the run's input (documents and reports). */
static int
add_digest(struct risk *r, const unsigned char *d)
{
	if (r->ndocs == r->capdocs) {
		size_t cap = r->capdocs ? 2 * r->capdocs : 256;
		unsigned char *p = realloc(r->digests, cap * STORE_DIGEST_LEN);

		if (p == NULL)
			return -1;
		r->digests = p;
		r->capdocs = cap;
	}
	memcpy(r->digests + r->ndocs++ * STORE_DIGEST_LEN, d,
	    STORE_DIGEST_LEN);
	return 0;
}

/*
 * The keyed digest of a piece of personal data (20 hex digits of its
 * HMAC-SHA-256 under the store's key), "" for an empty value.  Blanks
 * are squeezed out first, so that "No. 5  Road" and "No.5 Road" group.
 */
static void
keyed(const struct risk *r, const char *v, char out[24])
{
	unsigned char md[EVP_MAX_MD_SIZE], buf[512];
	unsigned int mdlen = 0;
	size_t n = 0;
	int i;

	out[0] = '\0';
	for (; v && *v && n < sizeof buf; v++)
		if (*v != ' ' && *v != '\t' && *v != '\n' && *v != '\r')
			buf[n++] = (unsigned char)*v;
	if (n == 0)
		return;
	if (HMAC(EVP_sha256(), r->salt, sizeof r->salt, buf, n, md,
	    &mdlen) == NULL || mdlen < 10)
		return;
	for (i = 0; i < 10; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* YYYYMMDD of a declTime (YYYYMMDD[hhmmss]), 0 when not one. */
static long
day_of(const char *s)
{
	char buf[9];

	if (s == NULL || strlen(s) < 8 || strspn(s, "0123456789") < 8)
		return 0;
	memcpy(buf, s, 8);
	buf[8] = '\0';
	return policy_parse_day(buf) < 0 ? 0 : policy_parse_day(buf);
}

static double
dbl(struct dec d)
{
	return (double)d.v / 1e5;
}

static const char *
nz(const char *s)
{
	return s ? s : "";
}

static int
count(struct risk *r, const char *role, const char *code, const char *kind)
{
	sqlite3_stmt *st;

	if (code == NULL || *code == '\0')
		return 0;
	if ((st = store_prepare(r->st, sql_count)) == NULL ||
	    store_bind(r->st, st, "ttt", role, code, kind) != 0 ||
	    store_step(r->st, st) < 0)
		return -1;
	return 0;
}

/* Add the 8-digit HS code of gcode g to codes[] unless there. */
static void
add_code(char codes[][9], size_t *n, const char *g)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strncmp(codes[i], g, 8) == 0)
			return;
	if (*n < 32) {
		memcpy(codes[*n], g, 8);
		codes[(*n)++][8] = '\0';
	}
}

/* The goods lines and the parcel of one import inventory. */
static int
inventory(struct risk *r, const struct stream_doc *d, const struct msg *m,
    xmlNodePtr rec, long recno)
{
	xmlNodePtr h = msg_head(m, rec), l;
	char key[256], type[16], hb[24], ha[24], hp[24];
	char mb[64], ma[256], mp[64];
	const char *ebc = msg_field(h, "ebcCode");
	long day = day_of(msg_field(h, "declTime")), line = msg_line(m, rec);
	long nlines = 0;
	char codes[32][9];
	size_t ncodes = 0, i;
	struct dec v, net;
	double amount = 0, netkg = -1;
	int have_net;
	sqlite3_stmt *st;

	if (day == 0)
		return 0;	/* no night to put it in: ceb-validate's job */
	if (day > r->day)
		r->day = day;
	msg_key(m, rec, key, sizeof key);
	msg_short(m->type, type, sizeof type);
	have_net = msg_decimal(h, "netWeight", &net) == 0 && dec_sign(net) > 0;
	if (have_net)
		netkg = dbl(net);
	for (l = msg_line_first(m, rec); l; l = msg_line_next(m, l))
		nlines++;
	for (l = msg_line_first(m, rec); l; l = msg_line_next(m, l)) {
		const char *g = msg_field(l, "gcode"), *u = msg_field(l, "unit");
		const char *cur = msg_field(l, "currency");
		const char *gnum = msg_field(l, "gnum");
		struct dec qty, tot;
		char hs8[9];
		double price, wpu = -1;

		if (g && strlen(g) >= 8 && strspn(g, "0123456789") >= 8)
			add_code(codes, &ncodes, g);
		if (msg_decimal(l, "totalPrice", &tot) == 0)
			amount += dbl(tot);
		if (g == NULL || strlen(g) < 8 || strspn(g, "0123456789") < 8 ||
		    u == NULL || *u == '\0' ||
		    msg_decimal(l, "qty", &qty) != 0 || dec_sign(qty) <= 0 ||
		    msg_decimal(l, "totalPrice", &tot) != 0 ||
		    dec_sign(tot) <= 0)
			continue;
		/* Prices are compared in CNY only (risk-policy.csv says). */
		if (cur != NULL && strcmp(cur, "142") != 0)
			continue;
		memcpy(hs8, g, 8);
		hs8[8] = '\0';
		price = dbl(tot) / dbl(qty);
		/* Weight per unit: only a one-line inventory tells it. */
		if (nlines == 1 && have_net)
			wpu = netkg / dbl(qty);
		if ((st = store_prepare(r->st, sql_goods)) == NULL ||
		    store_bind(r->st, st, "ittnt", (long long)day, hs8, u,
		    nz(msg_field(l, "country"))) != 0)
			return -1;
		sqlite3_bind_double(st, 4, price);
		if (wpu > 0)
			sqlite3_bind_double(st, 6, wpu);
		else
			sqlite3_bind_null(st, 6);
		sqlite3_bind_text(st, 7, nz(ebc), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 8, nz(d->source), -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 9, d->index);
		sqlite3_bind_int64(st, 10, msg_line(m, l));
		sqlite3_bind_text(st, 11, nz(m->guid), -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 12, recno);
		sqlite3_bind_text(st, 13, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 14, gnum ? atol(gnum) : 0);
		if (store_step(r->st, st) < 0)
			return -1;
		r->records++;
	}
	if (msg_decimal(h, "freight", &v) == 0)
		amount += dbl(v);
	if (msg_decimal(h, "insuredFee", &v) == 0)
		amount += dbl(v);
	{
		int was = mask_on();
		const char *id = msg_field(h, "buyerIdNumber");
		const char *ad = msg_field(h, "consigneeAddress");
		const char *ph = msg_field(h, "buyerTelephone");

		/* The store never holds personal data in clear. */
		mask_set(1);
		keyed(r, id, hb);
		keyed(r, ad, ha);
		keyed(r, ph, hp);
		mask(MASK_ID, nz(id), mb, sizeof mb);
		mask(MASK_ADDRESS, nz(ad), ma, sizeof ma);
		mask(MASK_PHONE, nz(ph), mp, sizeof mp);
		mask_set(was);
	}
	if ((st = store_prepare(r->st, sql_parcel)) == NULL ||
	    store_bind(r->st, st, "itttttt", (long long)day, hb, mb, ha, ma,
	    hp, mp) != 0)
		return -1;
	sqlite3_bind_double(st, 8, amount);
	sqlite3_bind_text(st, 9, nz(msg_field(h, "ebpCode")), -1,
	    SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 10, nz(ebc), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 11, nz(msg_field(h, "logisticsCode")), -1,
	    SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 12, nz(msg_field(h, "agentCode")), -1,
	    SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 13, nz(msg_field(h, "orderNo")), -1,
	    SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 14, nz(d->source), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 15, d->index);
	sqlite3_bind_int64(st, 16, line);
	sqlite3_bind_text(st, 17, nz(m->guid), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 18, recno);
	sqlite3_bind_text(st, 19, key, -1, SQLITE_TRANSIENT);
	(void)type;
	if (store_step(r->st, st) < 0)
		return -1;
	/* An inventory is a record of each HS code it declares. */
	for (i = 0; i < ncodes; i++)
		if (count(r, "goods", codes[i], "records") != 0)
			return -1;
	if (count(r, "platform", msg_field(h, "ebpCode"), "records") ||
	    count(r, "ebc", ebc, "records") ||
	    count(r, "logistics", msg_field(h, "logisticsCode"), "records") ||
	    count(r, "agent", msg_field(h, "agentCode"), "records"))
		return -1;
	return 0;
}

static const char sql_export[] =
"INSERT INTO risk_exports(run, day, key, ebp, ebc, logistics, agent)"
"  VALUES(0, ?, ?, ?, ?, ?, ?)";

/*
 * An export inventory (CEB603): an export record of each of its
 * enterprises (the write-off rates are per 1,000 of those), and its
 * enterprises by key for the write-off findings that name it.
 */
static int
export_inventory(struct risk *r, const struct msg *m, xmlNodePtr rec)
{
	xmlNodePtr h = msg_head(m, rec);
	const char *ebp = msg_field(h, "ebpCode"), *ebc = msg_field(h, "ebcCode");
	const char *lg = msg_field(h, "logisticsCode");
	const char *ag = msg_field(h, "agentCode");
	/* The 603 head has no declTime: its day is the appTime's. */
	long day = day_of(msg_field(h, "appTime"));
	char key[256];
	sqlite3_stmt *st;

	if (day == 0)
		return 0;
	if (day > r->day)
		r->day = day;
	msg_key(m, rec, key, sizeof key);
	if ((st = store_prepare(r->st, sql_export)) == NULL ||
	    store_bind(r->st, st, "itttt", (long long)day, key, nz(ebp),
	    nz(ebc), nz(lg)) != 0)
		return -1;
	sqlite3_bind_text(st, 6, nz(ag), -1, SQLITE_TRANSIENT);
	if (store_step(r->st, st) < 0)
		return -1;
	r->records++;
	return count(r, "platform", ebp, "export") ||
	    count(r, "ebc", ebc, "export") ||
	    count(r, "logistics", lg, "export") ||
	    count(r, "agent", ag, "export") ? -1 : 0;
}

/* What one record of another type counts for its enterprise. */
static int
other(struct risk *r, const struct msg *m, xmlNodePtr rec)
{
	xmlNodePtr h = msg_head(m, rec);
	switch (m->type->code) {
	case 603:
		return export_inventory(r, m, rec);
	case 411:
		return count(r, "payment", msg_field(h, "payCode"), "records");
	case 622: {
		const char *s = msg_field(h, "returnStatus");

		if (s && strcmp(s, "100") == 0)
			return count(r, "agent", msg_field(h, "agentCode"),
			    "rejected");
		return 0;
	}
	case 623:
		return count(r, "agent", msg_field(h, "agentCode"),
		    "cancel") || count(r, "ebc", msg_field(h, "ebcCode"),
		    "cancel");
	case 625:
		return count(r, "agent", msg_field(h, "agentCode"),
		    "return") || count(r, "ebc", msg_field(h, "ebcCode"),
		    "return");
	}
	return 0;
}

/*
 * Was this declaration counted already: its record (type and business
 * key) earlier in this run -- the same message passed on by two tools,
 * one of which held a record back and so passed on other bytes (a
 * ceb-reconcile output beside a ceb-manifest-writeoff output), or a
 * record sent again --, or, for an import or export inventory, a parcel
 * an earlier night recorded?  1 yes, 0 no, -1 on error.  Receipts,
 * cancels and returns are not declarations: several of one inventory
 * each count.
 */
static int
record_seen(struct risk *r, const struct msg *m, xmlNodePtr rec)
{
	int code = m->type->code;
	const char *before = code == 621 ? sql_parcel_before :
	    code == 603 ? sql_export_before : NULL;
	char key[256];
	sqlite3_stmt *st;
	int rc;

	if (code != 311 && code != 411 && code != 511 && code != 621 &&
	    code != 603)
		return 0;
	msg_key(m, rec, key, sizeof key);
	if (key[0] == '\0')
		return 0;
	if ((st = store_prepare(r->st, sql_seen_rec)) == NULL ||
	    store_bind(r->st, st, "it", (long long)code, key) != 0 ||
	    store_step(r->st, st) < 0)
		return -1;
	if (sqlite3_changes(store_db(r->st)) == 0)
		return 1;
	if (before == NULL)
		return 0;
	if ((st = store_prepare(r->st, before)) == NULL ||
	    store_bind(r->st, st, "t", key) != 0 ||
	    (rc = store_step(r->st, st)) < 0)
		return -1;
	if (rc == 1)
		sqlite3_reset(st);
	return rc == 1;
}

int
collect_doc(struct risk *r, struct stream_doc *d)
{
	unsigned char dg[STORE_DIGEST_LEN];
	char hex[STORE_HEX_LEN], type[16] = "";
	struct msg m;
	xmlNodePtr rec;
	long recno = 1;
	long long seen;
	sqlite3_stmt *st;
	int fresh;

	if (!diag_report_on_stdout() && emit_doc(stdout, d) != 0) {
		diag_write_error(_("standard output"));
		return -1;
	}
	if (store_doc_digest(d->bytes, d->len, dg) != 0 ||
	    add_digest(r, dg) != 0) {
		diag_trouble(d->source, d->line, _("out of memory"));
		return -1;
	}
	store_hex(dg, hex);
	if (stream_msg_open(&m, d) != MSG_OK)
		m.type = NULL;
	if (m.type)
		msg_short(m.type, type, sizeof type);
	if ((st = store_prepare(r->st, sql_doc)) == NULL ||
	    store_bind(r->st, st, "ttiitt", hex, d->source, (long long)d->index,
	    (long long)d->line, m.type ? type : NULL,
	    m.type ? m.guid : NULL) != 0 || store_step(r->st, st) < 0)
		return sqlfail(r);
	/* A document of an earlier run, or twice in this one: once only. */
	if ((seen = store_document_run(r->st, hex)) < 0)
		return sqlfail(r);
	if ((st = store_prepare(r->st, sql_seen)) == NULL ||
	    store_bind(r->st, st, "t", hex) != 0 || store_step(r->st, st) < 0)
		return sqlfail(r);
	fresh = sqlite3_changes(store_db(r->st)) > 0;
	if (seen > 0 || !fresh) {
		r->dup_docs++;
		return 0;
	}
	if (m.type == NULL)
		return 0;
	for (rec = msg_record_first(&m); rec;
	    rec = msg_record_next(&m, rec), recno++) {
		int rc = record_seen(r, &m, rec);

		if (rc == 1) {
			r->dup_records++;
			continue;
		}
		if (rc == 0)
			rc = m.type->code == 621 ? inventory(r, d, &m, rec,
			    msg_record_no(&m, recno)) : other(r, &m, rec);
		if (rc != 0)
			return sqlfail(r);
	}
	return 0;
}

void
collect_bad(const char *source, long index, long line, const char *reason,
    void *arg)
{
	struct risk *r = arg;
	sqlite3_stmt *st;

	r->aside++;
	if ((st = store_prepare(r->st, sql_aside)) != NULL)
		(void)(store_bind(r->st, st, "tiit", source, (long long)index,
		    (long long)line, reason) == 0 && store_step(r->st, st));
}

/* ---- the other tools' reports (-R) ---- */

/* The role whose enterprise the first field of a report key names. */
static const char *
role_of(const char *type)
{
	static const struct {
		const char *type, *role;
	} t[] = {
		{ "CEB311", "platform" }, { "CEB411", "payment" },
		{ "CEB511", "logistics" }, { "CEB621", "agent" },
		{ "CEB622", "agent" }, { "CEB623", "agent" },
		{ "CEB625", "agent" }, { "CEB603", "agent" },
		{ "CEB604", "agent" }, { "CEB607", "logistics" },
		{ "CEB509", "logistics" }, { "CEB505", "logistics" },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		if (type && strcmp(type, t[i].type) == 0)
			return t[i].role;
	return NULL;
}

static const char sql_rep[] =
"INSERT INTO risk_reported(run, role, code, tool, rule, severity, n, key)"
"  VALUES(0, ?, ?, ?, ?, ?, 1, ?)";
/* The other enterprises of an inventory a finding names, from the
 * parcels staged tonight or kept from earlier nights. */
static const char sql_parties[] =
"SELECT ebp, ebc, logistics FROM risk_parcels WHERE key = ?"
"  ORDER BY run = 0 DESC, run DESC LIMIT 1";
/* The HS codes of an inventory a finding names. */
static const char sql_codes[] =
"SELECT DISTINCT hs8 FROM risk_goods WHERE key = ?";
static const char sql_export_parties[] =
"SELECT ebp, ebc, logistics FROM risk_exports WHERE key = ?"
"  ORDER BY run = 0 DESC, run DESC LIMIT 1";

static int
reported(struct risk *r, const char *role, const char *code,
    const char *tool, const char *rule, const char *sev, const char *key)
{
	sqlite3_stmt *st;

	if (code == NULL || *code == '\0')
		return 0;
	if ((st = store_prepare(r->st, sql_rep)) == NULL ||
	    store_bind(r->st, st, "tttttt", role, code, tool, rule, sev,
	    key) != 0 ||
	    store_step(r->st, st) < 0)
		return -1;
	return 0;
}

/*
 * A finding on an import inventory counts for each HS code it declares
 * (the goods' finding rates, K-GOODS-004 .. 006).  The codes are read
 * first: the statement that reads them is the one that writes them.
 */
static int
report_codes(struct risk *r, const char *tool, const char *key,
    const char *rule, const char *sev)
{
	char codes[32][9];
	size_t n = 0, i;
	sqlite3_stmt *st;
	int rc;

	if ((st = store_prepare(r->st, sql_codes)) == NULL ||
	    store_bind(r->st, st, "t", key) != 0)
		return -1;
	while ((rc = store_step(r->st, st)) == 1)
		add_code(codes, &n, store_text(st, 0));
	if (rc < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (reported(r, "goods", codes[i], tool, rule, sev, key) != 0)
			return -1;
	return 0;
}

/* One finding of a report: counted for each enterprise it concerns. */
static int
report_row(struct risk *r, const char *tool, const char *type,
    const char *key, const char *rule, const char *sev)
{
	static const char *const roles[] = { "platform", "ebc", "logistics" };
	const char *role = role_of(type);
	char code[128];
	size_t n = strcspn(key, "/");
	sqlite3_stmt *st;
	int i, rc;

	if (role == NULL || n == 0 || n >= sizeof code || key[n] != '/')
		return 0;
	memcpy(code, key, n);
	code[n] = '\0';
	if (reported(r, role, code, tool, rule, sev, key) != 0)
		return -1;
	if (strcmp(type, "CEB621") != 0 && strcmp(type, "CEB603") != 0)
		return 0;
	if ((st = store_prepare(r->st, strcmp(type, "CEB603") == 0 ?
	    sql_export_parties : sql_parties)) == NULL ||
	    store_bind(r->st, st, "t", key) != 0)
		return -1;
	if ((rc = store_step(r->st, st)) <= 0)
		return rc;
	for (i = 0; i < 3; i++) {
		char c[128];

		snprintf(c, sizeof c, "%s", store_text(st, i));
		if (reported(r, roles[i], c, tool, rule, sev, key) != 0) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	if (strcmp(type, "CEB621") != 0)
		return 0;
	return report_codes(r, tool, key, rule, sev);
}

/* SHA-256 of a file's bytes; 0 or -1 (errno set). */
static int
file_digest(const char *path, unsigned char out[STORE_DIGEST_LEN])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned char buf[65536];
	unsigned int len;
	size_t n;
	FILE *f;
	int ok;

	if (c == NULL)
		return -1;
	if ((f = fopen(path, "rb")) == NULL) {
		EVP_MD_CTX_free(c);
		return -1;
	}
	ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1;
	while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0)
		ok = EVP_DigestUpdate(c, buf, n) == 1;
	ok = ok && !ferror(f) && EVP_DigestFinal_ex(c, out, &len) == 1;
	fclose(f);
	EVP_MD_CTX_free(c);
	return ok ? 0 : -1;
}

/*
 * Read the reports of -R: findings (error and warning; info rows are
 * outcomes) by the enterprise their key names.  A report already read by
 * an earlier run is not counted again.  A report that cannot be read or
 * lacks a column risk needs is trouble: the night is not judged on half
 * its findings.
 */
int
collect_reports(struct risk *r)
{
	size_t i;

	for (i = 0; i < r->nreports; i++) {
		const char *path = r->reports[i];
		unsigned char dg[STORE_DIGEST_LEN];
		char hex[STORE_HEX_LEN], err[512];
		struct csvio *c;
		char **f;
		size_t nf;
		int ct, cy, ck, cr, cs, rc;
		long long seen;
		sqlite3_stmt *st;

		if (file_digest(path, dg) != 0) {
			diag_trouble(path, 0, _("cannot read the report: %s"),
			    strerror(errno));
			return -1;
		}
		if (add_digest(r, dg) != 0) {
			diag_trouble(path, 0, _("out of memory"));
			return -1;
		}
		store_hex(dg, hex);
		if ((st = store_prepare(r->st, sql_doc)) == NULL ||
		    store_bind(r->st, st, "ttiitt", hex, path, 0LL, 0LL,
		    "CSV", NULL) != 0 || store_step(r->st, st) < 0 ||
		    (seen = store_document_run(r->st, hex)) < 0 ||
		    (st = store_prepare(r->st, sql_seen)) == NULL ||
		    store_bind(r->st, st, "t", hex) != 0 ||
		    store_step(r->st, st) < 0)
			return sqlfail(r);
		if (seen > 0 || sqlite3_changes(store_db(r->st)) == 0) {
			r->dup_docs++;
			continue;
		}
		if ((c = csvio_open(path, err, sizeof err)) == NULL) {
			diag_trouble(path, 0, "%s", err);
			return -1;
		}
		ct = csvio_col(c, "tool");
		cy = csvio_col(c, "type");
		ck = csvio_col(c, "key");
		cr = csvio_col(c, "rule");
		cs = csvio_col(c, "severity");
		if (ct < 0 || cy < 0 || ck < 0 || cr < 0 || cs < 0) {
			diag_trouble(path, 0, _("not a cebtools report: it "
			    "lacks one of the columns tool, type, key, rule, "
			    "severity"));
			csvio_close(c);
			return -1;
		}
		while ((rc = csvio_next(c, &f, &nf)) == 1) {
			const char *sev = csvio_get(c, cs);

			if (strcmp(sev, "error") != 0 &&
			    strcmp(sev, "warning") != 0)
				continue;
			if (report_row(r, csvio_get(c, ct), csvio_get(c, cy),
			    csvio_get(c, ck), csvio_get(c, cr), sev) != 0) {
				csvio_close(c);
				return sqlfail(r);
			}
		}
		if (rc < 0) {
			diag_trouble(path, csvio_line(c), "%s", csvio_error(c));
			csvio_close(c);
			return -1;
		}
		csvio_close(c);
	}
	return 0;
}

/* ---- the run ---- */

static const char sql_docs_out[] =
"INSERT OR IGNORE INTO documents(digest, run, source, message, line, type,"
"  guid) SELECT digest, ?1, source, message, line, type, guid"
"  FROM temp.risk_docs ORDER BY seq";
static const char sql_aside_out[] =
"INSERT INTO set_aside(run, source, message, line, reason)"
"  SELECT ?1, source, message, line, reason FROM temp.risk_aside";
static const char *const sql_adopt[] = {
	"UPDATE risk_goods SET run = ?1 WHERE run = 0",
	"UPDATE risk_parcels SET run = ?1 WHERE run = 0",
	"UPDATE risk_reported SET run = ?1 WHERE run = 0",
	"UPDATE risk_exports SET run = ?1 WHERE run = 0",
};
static const char sql_records_out[] =
"INSERT INTO risk_records(run, day, role, code, kind, n)"
"  SELECT ?1, ?2, role, code, kind, n FROM temp.risk_counts";
static const char sql_night[] =
"INSERT INTO risk_nights(run, day) VALUES(?1, ?2)";
static const char sql_last_day[] =
"SELECT day FROM risk_nights WHERE run = ?1";

/* Run one statement with the run id (and day) bound; 0 or -1. */
static int
with_run(struct risk *r, const char *sql, long long run, long long day)
{
	sqlite3_stmt *st;

	if ((st = store_prepare(r->st, sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	if (sqlite3_bind_parameter_count(st) > 1)
		sqlite3_bind_int64(st, 2, day);
	return store_step(r->st, st) < 0 ? -1 : 0;
}

/*
 * Step 2: the run's identity, its row, its documents; the staged rows
 * become the run's, or, for a rerun, are dropped and r->run names the
 * run repeated (and r->day its night).
 */
int
collect_finish(struct risk *r)
{
	struct store_run run;
	unsigned char ident[STORE_DIGEST_LEN];
	sqlite3_stmt *st;
	size_t i;

	memset(&run, 0, sizeof run);
	if (store_run_identity(r->digests, r->ndocs, ident) != 0) {
		diag_trouble(NULL, 0, _("cannot compute the run's identity"));
		return -1;
	}
	store_hex(ident, run.identity);
	if ((r->rerun_of = store_run_find(r->st, run.identity)) < 0)
		return sqlfail(r);
	run.tool = "ceb-risk";
	run.label = r->run_label;
	run.documents = (long)r->ndocs;
	run.records = r->records;
	run.passed = r->records;
	run.set_aside = r->aside;
	run.status = diag_status() > 1 || r->aside ? 2 : 0;
	if (r->rerun_of > 0)
		run.note = "rerun";
	if (store_run_insert(r->st, &run) != 0 ||
	    with_run(r, sql_docs_out, run.id, 0) != 0 ||
	    with_run(r, sql_aside_out, run.id, 0) != 0)
		return sqlfail(r);
	if (r->rerun_of > 0) {
		if (collect_begin(r) != 0)	/* drops the staged rows */
			return -1;
		r->run = r->rerun_of;
		if ((st = store_prepare(r->st, sql_last_day)) == NULL ||
		    store_bind(r->st, st, "i", r->run) != 0)
			return sqlfail(r);
		r->day = 0;
		if (store_step(r->st, st) == 1) {
			r->day = sqlite3_column_int64(st, 0);
			sqlite3_reset(st);
		}
		return 0;
	}
	r->run = run.id;
	for (i = 0; i < sizeof sql_adopt / sizeof sql_adopt[0]; i++)
		if (with_run(r, sql_adopt[i], run.id, 0) != 0)
			return sqlfail(r);
	if (with_run(r, sql_records_out, run.id, r->day) != 0 ||
	    with_run(r, sql_night, run.id, r->day) != 0)
		return sqlfail(r);
	return 0;
}
