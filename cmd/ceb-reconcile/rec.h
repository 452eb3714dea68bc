/*
 * rec.h: what the parts of ceb-reconcile share.
 *
 * The tool reads a stream of mixed messages.  Every record of an order
 * (311), payment (411), waybill (511) or inventory (621) becomes a compact
 * record in memory (struct rrec: key ids, references, state); the fields
 * the comparisons need (its blob) and the bytes of the messages that may
 * still be written or carried over go to the byte store (bstore.h), in
 * memory up to --memory and on disk beyond.  As soon as the four
 * documents of a parcel are there they are compared (match.c) and what
 * matched is written (output.c); at the end of the input what still
 * waits is reported, expired, or carried over in the state, the SQLite
 * store DIR/state.db (rstate.c), for the next run.
 */
#ifndef REC_H
#define REC_H

#include <stdint.h>
#include <stdio.h>

#include <libxml/tree.h>

#include "dec.h"
#include "diag.h"
#include "keyidx.h"
#include "msg.h"
#include "msrc.h"
#include "shard.h"
#include "stream.h"

#define NONE UINT32_MAX
#define RUNS 64		/* record runs of up to RUNS records are reused */
#define BIGRUNS 16	/* and longer ones, in runs of 2^7 .. 2^16 */

/* The four reconciled document types. */
enum rtype { RT_ORDER, RT_PAY, RT_WAY, RT_INV, RT_N };

/* Head fields kept per type (fields.c reads them, match.c compares). */
enum { O_EBP, O_ORDERNO, O_EBC, O_PAID, O_BIDTYPE, O_BIDNUM, O_BNAME,
    O_BTEL, O_PAYCODE, O_PAYTX, O_CONS, O_CONSTEL, O_CONSADDR, O_N };
enum { OL_GNUM, OL_ITEMNAME, OL_ITEMNO, OL_QTY, OL_PRICE, OL_TOTAL,
    OL_COUNTRY, OL_BARCODE, OL_N };
enum { P_EBP, P_ORDERNO, P_PAYCODE, P_PAYTX, P_IDTYPE, P_IDNUM, P_NAME,
    P_TEL, P_AMOUNT, P_N };
enum { W_LCODE, W_LNO, W_ORDERNO, W_FREIGHT, W_INSURED, W_WEIGHT, W_CONS,
    W_CONSTEL, W_CONSADDR, W_N };
enum { I_EBP, I_ORDERNO, I_EBC, I_LCODE, I_LNO, I_AGENT, I_COPNO,
    I_BIDTYPE, I_BIDNUM, I_BNAME, I_BTEL, I_CONSADDR, I_FREIGHT, I_INSURED,
    I_GROSS, I_N };
enum { IL_GNUM, IL_GNAME, IL_ITEMNAME, IL_ITEMNO, IL_QTY, IL_PRICE,
    IL_TOTAL, IL_COUNTRY, IL_BARCODE, IL_N };

#define MAX_HEAD 16
#define MAX_LINEF 9
#define MAX_LINES 1000

/* What happened to a record. */
enum rstate {
	ST_LIVE,	/* waiting to be matched (pending) */
	ST_MATCHED,	/* consumed by a match in this run */
	ST_REJECTED,	/* an error finding; leaves the run */
	ST_SUPERSEDED,	/* replaced by a modification (appType 2) */
	ST_MERGED,	/* an identical resend of a live record */
	ST_WITHDRAWN,	/* deleted (appType 3) */
	ST_EXPIRED,	/* waited longer than --max-age */
	ST_GONE,	/* loaded from the state but no longer pending */
	ST_SKIP,	/* another shard's, or not a record we judge */
	ST_CAPPED	/* would wait, past --max-waiting(-file): not kept */
};

/* One message of a reconciled type. */
struct rmsg {
	uint64_t off;		/* bstore reference of the bytes (BS_NONE) */
	uint32_t len;
	uint32_t src;		/* index in rc.srcs: where it was delivered */
	uint32_t index;		/* document index in its source */
	uint32_t line;
	uint32_t env;		/* its envelope's CopMsgId in rc.srcs, NONE */
	uint32_t via;		/* where this run read it in rc.srcs, NONE */
	uint32_t via_index, via_line;
	uint32_t first;		/* id of its first record */
	uint16_t nrec;
	uint8_t type;		/* enum rtype */
	uint8_t from_state;
	uint16_t nlive;		/* records still ST_LIVE */
	uint8_t complete;	/* all its records taken in */
	uint8_t emitted;	/* its matched inventories written */
	uint32_t seq;		/* order of arrival in this run */
};

/* rmsg.type of a slot on the free list (store.c: release()). */
#define RT_FREE 0xff

/* One record: 48 bytes; its fields are in the byte store. */
struct rrec {
	uint64_t blob;		/* bstore reference of the fields blob */
	uint64_t hash;		/* content hash (fields.c) */
	uint32_t bloblen;
	uint32_t msg;		/* rmsg id */
	uint32_t key;		/* parcel key id (waybill: waybill key id) */
	uint32_t key2;		/* inventory: waybill key; payment: pay key */
	uint32_t first_seen;	/* day number */
	uint32_t line;
	uint16_t recno;		/* 1-based record index in the message */
	uint8_t type;
	uint8_t state;
	uint8_t apptype;	/* '1', '2', '3' */
	uint8_t pad[3];
};

/*
 * What stays of a record that matched once its message is written and its
 * slot reused (store.c: release()): enough to tell a document of the same
 * key arriving again later in the night, a resend (same content hash) or
 * a duplicate (named by where the matched one was read).  A key slot
 * (struct pkey, okey) holding TOMB | i points at rc.tombs[i].
 */
struct tomb {
	uint64_t hash;
	uint32_t src;		/* index in rc.srcs */
	uint32_t line;
};
#define TOMB 0x80000000u	/* record ids stay below it */

/* Per parcel key (ebpCode + orderNo): the live documents, the ledger. */
struct pkey {
	uint32_t rec[RT_N];	/* live record per type (RT_WAY unused) */
	uint32_t done;		/* index in rc.done + 1, 0 when never matched */
};

/* Per waybill key and per payment key. */
struct okey {
	uint32_t rec;		/* live record */
	uint32_t done;		/* index in rc.done + 1 */
	uint32_t inv;		/* waybill: the inventory that names it */
};

/*
 * pkey/okey.done of a parcel matched this night with --state: what is
 * known of it is in the store (rstate_night_row()), not in rc.done.
 */
#define NIGHT UINT32_MAX

/* One of the four documents of a parcel matched this night: what a tomb
 * holds. */
struct nightrec {
	uint64_t hash;
	uint32_t src, line;
};

/* What rstate_night_row() read of a parcel matched this night. */
struct nightrow {
	uint64_t hash;		/* content hash of the inventory */
	int same_order;		/* its ebpCode/orderNo is pa/pb */
	struct nightrec d[RT_N];
};

/* A matched parcel, remembered for --keep-matched days. */
struct done {
	uint32_t pk, wk, yk;	/* key ids (NONE when unknown) */
	uint32_t day;
	uint64_t hash;		/* content hash of the inventory */
	uint32_t from_state;	/* read from the state, not matched now */
};

/* A record's fields, parsed from its blob. */
struct flds {
	int type;
	const char *guid;	/* message guid */
	const char *apptype;
	const char *h[MAX_HEAD];
	int nl;
	const char *l[MAX_LINES * MAX_LINEF];
	char *buf;
	size_t cap;
};

struct rc {
	/* options */
	const char *statedir;	/* -s */
	long now;		/* --now, day number */
	int now_given;		/* --now on the command line */
	char run[64];		/* --run */
	int max_age;		/* --max-age */
	int keep;		/* --keep-matched */
	int payer;		/* -p */
	struct dec tol;		/* --tolerance, absolute */
	long tol_bp;		/* --tolerance N%, in 1/100 of a percent */
	int tol_pct;
	struct shard shard;	/* --shard */
	int no_counterparts;	/* -x */
	/* documents */
	struct rmsg *msgs;
	size_t nmsgs, capmsgs;
	struct rrec *recs;
	size_t nrecs, caprecs;
	/* Slots of messages written and done with, for reuse (release()):
	 * messages chained by rmsg.first, runs of records of length n
	 * (1..RUNS) chained by rrec.msg of their first record; a message of
	 * more than RUNS records takes a run of 2^c (freebig[c], c up to
	 * BIGRUNS), so that its slots are reused as well. */
	uint32_t freemsg;
	uint32_t freerun[RUNS + 1];
	uint32_t freebig[BIGRUNS + 1];
	struct tomb *tombs;
	size_t ntombs, captombs;
	uint32_t seq;		/* messages taken in so far */
	uint32_t last_mid;	/* the message take_msg() took in last */
	int ending;		/* match_all() began: no slot is reused */
	long n_recmatched;	/* records ST_MATCHED */
	struct keyidx *pk, *wk, *yk;
	struct pkey *pks;
	struct okey *wks, *yks;
	size_t cappks, capwks, capyks;
	struct done *done;
	size_t ndone, capdone;
	char **srcs;
	size_t nsrcs;
	size_t memory;		/* --memory: bstore budget */
	double lock_timeout;	/* --lock-timeout */
	const char *mac_key;	/* --mac-key, NULL: the store's + ".key" */
	long max_waiting;	/* --max-waiting: new waiting records a night */
	long max_waiting_file;	/* --max-waiting-file: ... per source */
	int defer;		/* stdin with -s: read first, then judge */
	int identify;		/* -s, no --run: known by the input's documents */
	int tree;		/* CEB_RECONCILE_TREE: every document read
				 * from a tree, none from its scan */
	/* loading from the state */
	int loading;
	uint32_t load_day;
	const unsigned char *load_want;	/* records wanted, by recno-1 */
	const uint32_t *load_days;
	const uint64_t *load_hashes;
	const char *load_src;
	long load_index, load_line;
	int load_bad;
	/* counts */
	long n_read, n_matched, n_failed, n_pending, n_expired;
	long n_aside;		/* documents set aside (not judged) */
	struct keyidx *srcidx;
};

extern struct rc rc;

/* fields.c */
int fields_type(const struct msg_type *t);	/* enum rtype or -1 */
const char *fields_typename(int type);		/* "CEB311" */
/*
 * Append the blob of record rec of s (message guid, appType, head fields,
 * lines) to *buf.  Returns its length, or -1 when out of memory.
 */
long fields_blob(int type, const struct msrc *s, const void *rec,
    char **buf, size_t *cap);
uint64_t fields_hash(const char *blob, size_t len);
/*
 * The match keys of record rec of s, as the state's waiting rows keep
 * them: k[0], k[1] ebpCode, orderNo; k[2], k[3] logisticsCode,
 * logisticsNo; k[4], k[5] payCode, payTransactionId (NULL when the type
 * has no such key or the field is absent).  Pointers into s's tree or
 * scan.
 */
void fields_keys(int type, const struct msrc *s, const void *rec,
    const char *k[6]);
/* Split a blob into f (which keeps a pointer into blob). */
int fields_split(struct flds *f, int type, char *blob, size_t len);
/* Read record r's blob into f.  0, or -1 (trouble said). */
int fields_read(struct flds *f, const struct rrec *r);
/* The record's key for reports ("ebpCode/orderNo"). */
const char *fields_key(const struct flds *f, char *buf, size_t n);
/* The order number, used for --shard. */
const char *fields_orderno(const struct flds *f);

/*
 * The origin of message mid (origin.h): where it was delivered, its
 * envelope, where this run read it, and -- for a message carried over in
 * the state -- the day it first came in, written to day (n bytes).
 */
void store_origin(uint32_t mid, struct origin *o, char *day, size_t n);

/* rules.c */
/*
 * Report a finding on record r (whose fields are f).  extra columns:
 * outcome, counterpart, value, counterpart_value (may be NULL).
 */
void rfinding(const struct rrec *r, const struct flds *f, const char *rule,
    const char *field, const char *outcome, const char *counterpart,
    const char *value, const char *other, const char *fmt, ...)
    __attribute__((format(printf, 9, 10)));
/* The same with the severity overridden. */
void rfinding_sev(const struct rrec *r, const struct flds *f,
    const char *rule, enum diag_sev sev, const char *field,
    const char *outcome, const char *counterpart, const char *value,
    const char *other, const char *fmt, ...)
    __attribute__((format(printf, 10, 11)));
extern const char *const report_cols[];

/* store.c */
int store_init(void);
/* Free what store_init() and the records hold (rc's data, the byte store);
 * the tool itself just exits, in-process users (fuzz/) call it. */
void store_end(void);
int store_doc(struct stream_doc *d, void *arg);	/* loop callback */
/* Take in one message read back from the state spool. */
int store_state_msg(const char *bytes, size_t len, const char *spoolname);
/* Record id leaves ST_LIVE for state st (frees what it no longer needs). */
void store_leave(uint32_t id, int st);
uint32_t store_src(const char *name);
/*
 * The messages in memory (night: only those of this night, not of the
 * state) in order of arrival, into *out (to be freed): their count, or
 * -1 (trouble said).
 */
long store_arrival(uint32_t **out, int night);
int store_grow_keys(void);	/* side arrays to the key counts */
long store_done_add(uint32_t pk, uint32_t wk, uint32_t yk, uint32_t day,
    uint64_t hash);
/* Parcel cp (its four records) matched this night, with --state: written
 * to the store (rstate_night_add()), its keys marked NIGHT.  0, or -1
 * (trouble said). */
int store_night_add(const uint32_t cp[RT_N]);
long day_parse(const char *s);			/* YYYYMMDD or Y-M-D */
void day_format(long day, char *buf, size_t n);	/* YYYYMMDD */
void day_show(long day, char *buf, size_t n);	/* YYYY-MM-DD */

/* match.c */
void match_try(uint32_t id);	/* match at once if the parcel is complete */
void match_all(void);
void rec_summary(void);	/* counts for the summary line */

/* output.c */
/* Write the matched inventories of message mid (bytes: its bytes, or NULL
 * to take them from the bstore). */
int output_msg(uint32_t mid, const char *bytes);
int output_inventories(void);

/* rstate.c: the state in the SQLite store DIR/state.db */
struct store;
struct store_schema;
extern const struct store_schema rstate_schema;
const char *rstate_path(char *buf, size_t n);	/* DIR/state.db */
/* Create DIR, open and lock the store, begin the run's transaction and
 * convert an old state directory (rconvert()).  0, or -1 (trouble said). */
int rstate_open(void);
/* Load the base state (the latest, or before it for a redo) and write
 * the run's row.  0, or -1 (trouble said). */
int rstate_load(void);
/*
 * With rc.identify, after rstate_open(): the run id from the documents of
 * the operands (store_docs_identity(), standard input kept in DIR first),
 * their digests kept for rstate_digest(); rc.defer set instead when the
 * input cannot be read twice.  0, or -1 (trouble said).
 */
struct stream_opts;
int rstate_identity(int argc, char *const argv[],
    const struct stream_opts *so);
/* The hex SHA-256 of a document (store_doc_digest(), or the one
 * rstate_identity() kept).  0, or -1. */
int rstate_digest(const struct stream_doc *d, char hex[65]);
/* Record one document the run read, by its digest (the documents
 * table). */
int rstate_document(const char *hex, const struct origin *o,
    const char *type);
/* loop_on_bad() callback: a document set aside. */
void rstate_bad(const char *source, long index, long line,
    const char *reason, void *arg);
/* Write what waits and what matched, commit.  0, or -1 (trouble said). */
int rstate_commit(void);
void rstate_close(void);	/* rolls back what is not committed */
void rstate_end(void);		/* and forgets what rstate_load() noted */

/*
 * A key just entered index x (rc.pk, rc.wk or rc.yk) under id: take in
 * the matched parcels of the state with that key (--keep-matched), so
 * that the ledger is read by key, for the keys the night brings.  0, or
 * -1 (trouble said).
 */
int rstate_matched_key(struct keyidx *x, long id, const char *a,
    const char *b);
/*
 * Whether the document (its digest) was judged by an earlier run: that
 * run's id (its date in day, n bytes), 0 when not, -1 on trouble.
 */
long long rstate_judged(const char *hex, char *day, size_t n);
/*
 * Before message s of type t is taken in: take in the waiting documents
 * of the state that share a key with its records (and, in turn, with
 * theirs).  0, or -1 (trouble said).
 */
int rstate_probe(int t, const struct msrc *s);
/*
 * At the end of the input, the messages of the base state that still
 * wait -- inventories (inv) or the others -- in order of arrival: fn on
 * each one taken in (reading it now when it is not); an order, payment
 * or waybill not taken in and not expired is only counted.  0, or -1
 * (trouble said).
 */
int rstate_each(int inv, void (*fn)(uint32_t mid));
/*
 * The keys of the parcels matched this night that left memory
 * (store.c: night_key()): v[] (n of them, sorted), each the 32-bit
 * digest of the key above its temp.night row, into temp.nightkey.  0, or
 * -1 (trouble said).
 */
int rstate_nightkeys_put(const int64_t *v, size_t n);
/*
 * The first temp.night row, in the order they matched, of those put under
 * digest h whose key w is a, b, into out (rstate_night_row()): 1, 0 when
 * none, -1 on trouble (said).
 */
int rstate_nightkeys_get(uint32_t h, int w, const char *a, const char *b,
    const char *pa, const char *pb, struct nightrow *out);
/* The messages row of message mid taken in from the state (0: none). */
long long rstate_msg_row(uint32_t mid);
/* With rc.defer: keep one document of standard input for later. */
int rstate_defer(const struct stream_doc *d);
/* With rc.defer, after the input: the run id from the documents read,
 * the state loaded, and every document kept handed to fn.  0 or -1. */
int rstate_replay(int (*fn)(struct stream_doc *, void *));

/*
 * Parcels matched this night, with --state: written to the store as they
 * match (k: ebpCode, orderNo, logisticsCode, logisticsNo, payCode,
 * payTransactionId; hash: the inventory's; d: the four documents): its
 * row (> 0), or -1 on trouble (said); and row read back into out when
 * its key of kind w (0 parcel, 1 waybill, 2 payment) is a, b (same_order:
 * its parcel key is pa, pb): 1, 0 when not, -1 on trouble (said).  The
 * commit writes them to the matched table.
 */
long long rstate_night_add(const char *const k[6], uint64_t hash,
    const struct nightrec d[RT_N]);
int rstate_night_row(long long row, int w, const char *a, const char *b,
    const char *pa, const char *pb, struct nightrow *out);
/* The key ids of index w (0 rc.pk, 1 rc.wk, 2 rc.yk) were renumbered
 * (store.c: compact_keys()): old id i is now map[i], NONE when gone. */
void rstate_keys_moved(int w, const uint32_t *map, size_t nold,
    size_t nnew);
/* After that: the keys looked up in the waiting rows (rstate_probe())
 * that left the indexes are forgotten (looked up again if they come back:
 * what they find is taken in already). */
void rstate_keys_compacted(void);

/* rconvert.c: an old state directory into the store, in its
 * transaction, while the store has no run.  0, or -1 (trouble said). */
int rconvert(struct store *st);

#endif
