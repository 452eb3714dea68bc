/*
 * quota.h: the pieces of ceb-quota-check and the data they share.
 *
 * A run goes in five steps (see ceb-quota-check.c):
 *   1. read the input: every document is spooled to a temporary file
 *      (or, read from a plain file, is found there again: struct sdoc)
 *      and every record the tool has an opinion on becomes an event
 *      (extract.c; the input loop checks each document without building
 *      a tree, and its fields are read from its bytes by common/scan.c,
 *      or from a tree built again for a document the scan does not
 *      take); the events and the documents' records are written to two
 *      more temporary files (struct recfile) and read back when a step
 *      needs them; nothing is judged yet;
 *   2. write the night's documents to the store in the order of their
 *      digests (ledger_docs(): the run's identity, whether it is a rerun,
 *      which documents an earlier run judged), then look up in the store
 *      (qstore.c, an SQLite file; cebtools-state(5)) the inventories
 *      that the run's keys name and what each buyer of the run has used
 *      per year;
 *   3. judge the events in evaluation order (judge.c), each quota event
 *      kept as it happens in a temporary file (qstore_log());
 *   4. write the changed and new inventories, the quota events and the
 *      buyers' totals, each in the order of its table's index (new ids
 *      and seqs by buyer and year), and commit the run's one
 *      transaction;
 *   5. emit the documents in input order (spool_doc()), and the
 *      findings (emit.c).
 * Memory grows with the run's input and the buyers it names, not with the
 * size of the ledger: per inventory of the night, its row's strings
 * (identity, lines), its ledger row (128 bytes: its strings by offset in
 * the arena), its keys (8-byte slots of run.rkeys, no strings once the
 * store has been read), and a small record of the evaluation order
 * (about 0.26 KB of peak RSS an inventory measured between 100,000 and
 * 1,000,000 inventories; the events, with their message guid and person
 * key, and the documents themselves are on disk, the quota events in a
 * third file).  SQLite's page cache is 32 MB while the store is read,
 * 16 MB after (qstore.c, small_cache()).  Arrays of a megabyte and more
 * are mappings of their own (mem_init()), sorted in place (isort()).
 */
#ifndef QUOTA_H
#define QUOTA_H

#include <stddef.h>
#include <stdint.h>

#include "dec.h"
#include "origin.h"
#include "policy.h"
#include "shard.h"
#include "tax.h"

struct seal_key;

/* ---- arena and hash table (table.c) ---- */

/*
 * Strings that live as long as the run, in one reservation of address
 * space (ARENA_RESERVE, 4 GiB: mapped without access, and made readable
 * and writable ARENA_BLOCK at a time as it fills), so that a string of it
 * is also known by its 32-bit offset (struct astr), half the size of a
 * pointer: the night's ledger rows keep theirs so.  Zeroed, it is empty;
 * its first byte is always "".
 */
struct arena {
	char *base;
	size_t used, ready, size;	/* bytes taken, made writable, reserved */
};

/*
 * The run's large arrays (a megabyte and more: keys, rows, orders) each
 * in its own mapping (mallopt(M_MMAP_THRESHOLD) where there is one), so
 * that freeing one gives its pages back to the system at once: inside
 * the heap they stay resident, and glibc raises the threshold itself
 * after the first such free.  mem_trim() gives back what the heap holds
 * free (malloc_trim()).
 */
void mem_init(void);
void mem_trim(void);

/*
 * qsort() without its buffer (glibc's merge sort takes one as large as
 * what it sorts): an introsort in place, for the large arrays sorted
 * when the run holds the most memory.  For a comparison that orders
 * every pair (no ties) the result is qsort()'s.
 */
void isort(void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *));

/* A string of an arena by its offset + 1; 0: none (NULL). */
struct astr {
	uint32_t off;
};

char *arena_dup(struct arena *a, const char *s, size_t len);
char *arena_str(struct arena *a, const char *s);	/* NULL -> "" */
void *arena_alloc(struct arena *a, size_t n);	/* zeroed, aligned */
void arena_free(struct arena *a);
/* *h becomes the offset of s: s itself when it is in the arena, "" when
 * empty, else a copy; NULL is none.  Returns 0, or -1 out of memory (*h
 * unchanged). */
int arena_ref(struct arena *a, const char *s, struct astr *h);

/* The string h names in a (NULL for none). */
static inline const char *
arena_get(const struct arena *a, struct astr h)
{
	return h.off ? a->base + (h.off - 1) : NULL;
}

#define HT_NONE UINT32_MAX

/* Open addressing: string key -> 32-bit value.  Keys are not copied. */
struct htab {
	struct hslot {
		const char *k;
		uint32_t h;	/* high half of the hash, 0: empty */
		uint32_t v;
	} *s;
	size_t cap, n;
};

uint64_t ht_hash(const char *k, size_t len);
uint32_t ht_get(const struct htab *t, const char *k, size_t len);
/* Insert or replace; returns 0, -1 when out of memory. */
int ht_put(struct htab *t, const char *k, size_t len, uint32_t v);
void ht_free(struct htab *t);

/* Growable array of pointers. */
struct vec {
	void **v;
	size_t n, cap;
};
int vec_push(struct vec *v, void *p);

/*
 * Records of one size in a file (an unlinked temporary file, fd), record
 * i at i * size: read ahead and written behind REC_BLOCK at a time when
 * read or written in order; a record changed while it is in the
 * read-ahead is changed there (rd_dirty), and the block written once
 * when it goes.  rec_get() copies record i into buf and returns buf, or
 * NULL after reporting (bad set); rec_put() writes it (n grows to
 * i + 1), 0 or -1 after reporting (bad set).  rec_close() closes fd and
 * frees the buffers.  Zeroed with fd -1 it is empty.
 */
struct recfile {
	int fd;
	size_t size, n;
	int bad;
	char *rd, *wr;
	size_t rd_first, rd_n, next, wr_first, wr_n;
	int rd_dirty;
};
void *rec_get(struct recfile *f, size_t i, void *buf);
/* A spool file nobody else can see (created in TMPDIR, else /tmp, and
 * unlinked at once): its fd, or -1 after reporting. */
int spool_open(void);
int rec_put(struct recfile *f, size_t i, const void *rec);
void rec_close(struct recfile *f);
/* Record i of src (i < n) to place(record, arg) of dst, each of 0 ..
 * n - 1 given once, with large reads and writes only; visit(record,
 * its place, arg), when not NULL, sees each in the new order and may
 * change it; dst is written only when keep is set.  0, or -1 after
 * reporting (bad set) or when visit() returned -1. */
int rec_permute(struct recfile *src, struct recfile *dst, size_t n,
    size_t (*place)(const void *rec, void *arg),
    int (*visit)(void *rec, size_t at, void *arg), int keep, void *arg);

/* ---- policy: common/policy.h ---- */

/* ---- verdicts and ledger rows ---- */

enum verdict {
	V_NONE = 0,
	V_WITHIN,		/* counted */
	V_SINGLE_ITEM,		/* over the single limit, one item: counted */
	V_OVER_SINGLE,		/* rejected */
	V_OVER_ANNUAL		/* rejected */
};

enum rstate {
	S_PENDING = 0,		/* an inventory of this run, not judged yet */
	S_COUNTED,
	S_PARTIAL,		/* counted, part given back */
	S_RELEASED,		/* all given back */
	S_REJECTED
};

const char *verdict_name(enum verdict v);
int verdict_parse(const char *s, enum verdict *v);
const char *state_name(enum rstate s);
int state_parse(const char *s, enum rstate *st);
int verdict_counted(enum verdict v);

/* Totals of one buyer in one quota year. */
struct pyear {
	const char *person;
	int year;
	uint32_t idx;		/* index in run.pys */
	struct dec used;
	int loaded;		/* used read from the store */
	int dirty;		/* changed by this run */
	long long last_event;	/* its last quota event of this run
				 * (given by ledger_write()) */
};

/*
 * One ledger row: an inventory judged by this or an earlier run.  A night
 * holds one per new inventory until the commit: 176 bytes.  Its buyer
 * and quota year are its totals' (py->person, py->year: every change of
 * either sets py again).
 */
struct row {
	struct dec amount;	/* counted amount (完税价格) */
	struct dec used;	/* used before this inventory, when judged */
	struct dec released;	/* given back so far */
	/* Its strings, in the run's arena (r->ar: row_str()): */
	struct astr date;	/* assigning date as in the message */
	struct astr invtno, ebp, orderno, ebc, agent, copno;
	struct astr lines;	/* "gnum:qty:totalPrice:returnedQty;..." */
	struct astr guid;	/* guid of the judged inventory record */
	struct astr events;	/* history, see ledger.c */
	struct astr tax;	/* estimated tax of what it counts, as the
				 * report's tax column; none: not judged by
				 * this run (the store keeps its own) */
	unsigned char verdict;	/* enum verdict */
	unsigned char state;	/* enum rstate */
	unsigned char changed;
	unsigned char fresh;	/* new: id given at creation, written by
				 * ledger_write() */
	long long id;		/* id in the store (a new row's: the one
				 * ledger_write() gives it, see fresh; the
				 * new rows' ids follow their buyer-years,
				 * then their creation) */
	struct pyear *py;	/* its buyer's totals in its year */
	/* The releases waiting for this row's judgment: a list in
	 * run.defer, first and last as index + 1 (0: none). */
	uint32_t defer_first, defer_last;
	uint32_t idx;		/* index in run.rows */
	uint32_t py0;		/* a stored row's py->idx when read: while
				 * py is that one, write_row() leaves its
				 * buyer and year (and the index on them) */
};

/* A release waiting for its row's judgment (struct row: defer_first). */
struct defer {
	size_t at;		/* the event's place (ev_at()) */
	uint32_t next;		/* index + 1 of the next, 0: the last */
};

/* ---- events (extract.c) ---- */

enum ekind {
	E_INVENTORY,		/* a 621 record */
	E_CANCEL,		/* a 623 record */
	E_RETURN,		/* a 625 record */
	E_RECEIPT		/* a 622 record */
};

/* One returned line of a 625. */
struct rline {
	long gnum;
	struct dec qty;
};

/* What happened to an event, for the report. */
enum outcome {
	O_NONE = 0,
	O_INVALID,		/* cannot be judged: detail in ev->why */
	O_WITHIN,
	O_SINGLE_ITEM,
	O_OVER_SINGLE,
	O_OVER_ANNUAL,
	O_DUPLICATE,		/* same inventory as a counted one */
	O_RELEASED,		/* quota given back */
	O_NOTHING,		/* nothing (more) to give back */
	O_ORPHAN,		/* matches no inventory */
	O_LEARNT,		/* a receipt taught an invtNo */
	O_CHANGED,		/* a change (appType 2) recounted the amount */
	O_CHANGE_OVER,		/* a change over a limit: rejected */
	O_LATE,			/* a return after the window: nothing back */
	O_OVER_QTY,		/* a return of more than was bought: rejected */
	O_REPEATED,		/* a cancel of what was given back: rejected */
	O_OTHER_SHARD		/* not this shard's (no report) */
};

/*
 * One record of the night.  A night holds about one per inventory, all
 * until the report is written: the fields are ordered by size (amounts,
 * then pointers and longs, then ints and flags) so that none is padded.
 */
struct event {
	/* amounts (struct dec is 16-byte aligned) */
	struct dec amount;	/* inventory: the amount counted */
	struct dec tax[2];	/* within the limits, in full (tax.h) */
	struct dec o_amount, o_used;	/* results, for the report */
	struct dec o_old;	/* O_CHANGED: the amount replaced */
	uint64_t time;		/* YYYYMMDDhhmmss; UINT64_MAX when unknown */
	uint64_t tie;		/* among equal times: an inventory judged by
				 * its declTime day, its appTime (UINT64_MAX
				 * unknown); 0 for the rest */
	size_t seq;		/* input order */
	/* where */
	const char *source;
	long message, line, record;
	const struct origin *o;	/* its document's (the sdoc's) */
	const char *type;
	const char *msgguid;	/* NULL: in mguid (ev_msgguid()) */
	/* identity */
	const char *guid;	/* record guid (sanitised) */
	const char *person;	/* person key, "" when none; NULL: in pkey
				 * (ev_person()) */
	const char *invtno, *ebp, *orderno, *ebc, *agent, *copno;
	/* inventory */
	const char *tax_why;	/* !tax_ok: why ("" when not tried) */
	const char *date;
	long day;		/* YYYYMMDD */
	const struct policy_row *pol;
	const char *lines;
	/* release */
	const char *status;	/* 622 returnStatus */
	struct rline *rl;
	size_t nrl;
	/* results */
	struct row *row;	/* target */
	const char *why;	/* O_INVALID, O_NOTHING: reason */
	const struct policy_row *o_pol;	/* limits reported */
	long o_days;		/* O_LATE: days after release; the window */
	const char *o_person;
	enum ekind kind;
	enum outcome out;
	int id_err;		/* enum ident_err of a malformed buyer ID
				 * (idType 1), 0 when none: Q-ID-001 */
	int year;
	int single_item;
	int o_window;
	int o_year;
	unsigned char change;	/* appType 2: a change of a declared one */
	unsigned char tax_ok;	/* the tax of the amount could be estimated */
	unsigned char releases;	/* 622 with 100/700, 623, 625 */
	unsigned char passes;	/* 621: the record passes */
	unsigned char mismatch;	/* 623/625 buyer differs from the row's */
	/* The message's guid when it fits (the usual 36 characters): kept
	 * in the event's own record, which is on disk when spooled, not in
	 * the run's arena (about 40 bytes less memory an event). */
	char mguid[40];
	/* The person key when it fits (an ID number, also with a short
	 * name): likewise in the event's record, not the arena. */
	char pkey[32];
	/* Its place in the judgment's order while the events are in it
	 * (ev_order()). */
	uint32_t place;
};

/* The event's person key ("" when none). */
static inline const char *
ev_person(const struct event *e)
{
	return e->person ? e->person : e->pkey;
}

/* The guid of the event's message. */
static inline const char *
ev_msgguid(const struct event *e)
{
	return e->msgguid ? e->msgguid : e->mguid;
}

/*
 * A document of the run.  Its bytes are in the spool at off, or, read
 * from a plain file (src >= 0), in that file at off: read again from
 * there when written out, and checked against digest and pdigest first.
 */
struct sdoc {
	const char *source;
	long index, line;
	uint64_t off;
	size_t len;
	struct origin o;	/* its origin, strings interned */
	unsigned char digest[32];	/* store_doc_digest() */
	unsigned char pdigest[32];	/* store_doc_prefix_digest(), src >= 0 */
	int src;		/* r->srcs index, -1: in the spool */
	long long seen;		/* an earlier run judged it (0: none) */
	uint32_t first, n;	/* its events: evs[first .. first+n) */
	int code;		/* message type code, 0 when not CEB */
	int nrec;		/* records in the message */
	int mine;		/* emitted by this shard when not judged */
};

/* A source or document set aside (loop_on_bad()). */
struct aside {
	const char *source, *reason;
	long index, line;
};

/* The whole run. */
struct run {
	const struct origin *cur;	/* of the document being taken in */
	/* options */
	const char *ledger_path;
	int use_apptime;	/* --date appTime */
	int key_name;		/* --key id+name */
	struct shard shard;
	struct policy pol;
	struct tax_table *tax;	/* rates of the estimated tax, or NULL */
	/* input */
	struct arena ar;
	/*
	 * The night's events and documents (ev_get(), doc_get()): with
	 * spooled, fixed-size records in two unlinked temporary files
	 * (struct recfile), read back when needed: no memory for them but
	 * the evaluation order's small records (judge.c).  Without (the
	 * fuzz targets), in memory in evs and docs.
	 */
	int spooled;
	struct recfile evf, docf;
	struct recfile evo;	/* evf in the judgment's order (ev_order()) */
	int ordered;		/* the events are in it */
	struct event evnew;	/* the event being taken in (spooled) */
	struct sdoc docnew;	/* the document being taken in (spooled) */
	struct vec evs;		/* struct event *, when not spooled */
	struct vec docs;	/* struct sdoc *, when not spooled */
	int spool;		/* fd */
	uint64_t spool_off;	/* its size, with what is still buffered */
	/* Spooled, bytes [spool_first, spool_first + spool_n) of the
	 * spool are in spool_buf: written behind (spool_wr) or read ahead,
	 * SPOOL_BLOCK at a time (table.c: spool_put(), spool_get()). */
	char *spool_buf;
	uint64_t spool_first;
	size_t spool_n;
	int spool_wr;
	/*
	 * The plain files the documents were read from (struct sdoc: src),
	 * each opened again (a dup() of the loop's descriptor) to read the
	 * documents it holds when they are written out, instead of copying
	 * them to the spool: at most SRC_MAX; the documents of the files
	 * after them, of gzip, of standard input when it is not a file,
	 * and documents that were cut (an origin mark, an envelope's Data)
	 * go to the spool.
	 */
	struct srcfile {
		int fd;
		unsigned long long dev, ino;
	} *srcs;
	size_t nsrcs;
	unsigned long long src_in;	/* the input_serial() of the last
					 * document's source, */
	int src_last;			/* its srcs index or -1 */
	struct htab strs;	/* interned strings */
	struct vec strv;
	/* store */
	struct store *st;
	const char *store_path;	/* the SQLite file */
	char *convert_from;	/* a v1 ledger to convert, or NULL */
	double lock_timeout;
	const char *run_label;	/* --run */
	long long rerun_of;	/* a committed run with the same input */
	char run_ident[65];	/* the run's identity (ledger_docs()) */
	/*
	 * The quota events wait in logf (an unlinked temporary file of
	 * fixed-size records, opened by qstore_open()) as they happen
	 * (qstore_log()) and are written after the run's row and its new
	 * inventories (ledger_write()): the run's id is known before
	 * (ledger_docs(): one more than the largest; write_run() checks that
	 * it was given: the night's connection does not check the foreign
	 * keys, qstore_open()).
	 */
	long long run_id;	/* this run's, 0 before ledger_docs() */
	long long inv_last;	/* the largest inventory id before the run */
	struct recfile logf;
	int log_bad;		/* an event could not be written (reported) */
	struct vec asides;	/* struct aside * */
	/* MACs (qstore.c, common/seal.h) */
	const char *mac_key_path;	/* --mac-key, else store + ".key" */
	struct seal_key *key;
	int sealed;			/* the store is sealed with key */
	long long mac_seq;		/* the last event's seq */
	unsigned char mac_last[32];	/* its MAC (or the genesis) */
	unsigned char mac_genesis[32];
	long long mac_from;		/* first sealed event */
	/* ledger */
	/*
	 * The keys the run wants from the store (judge_prepare()), with
	 * their strings in kar, until ledger_read() has looked them up and
	 * loaded the rows they name; then the keys of the run's rows are in
	 * rkeys, without strings (a key is made again from its row when
	 * compared), and keys and kar are freed.
	 */
	struct htab keys;	/* key -> rows index, or wanted */
	struct arena kar;	/* the strings of keys */
	struct rkeys {
		uint64_t *s;	/* high half: the hash's high half (0:
				 * empty); low: rows index << 2 | tag */
		size_t cap, n;
	} rkeys;
	struct vec rows;	/* struct row *: loaded and new */
	int str_bad;		/* a row's string could not be set (rset()) */
	struct htab pyears;	/* "person\037year" -> pys index */
	struct vec pys;		/* struct pyear * */
	size_t nnew;
	struct defer *defer;	/* the rows' waiting releases */
	size_t ndefer, capdefer;
};

/* A row's string (struct row: its struct astr fields). */
static inline const char *
rstr(const struct run *r, struct astr h)
{
	return arena_get(&r->ar, h);
}

/* Set a row's string to s (arena_ref()): 0, or -1 out of memory, the
 * string as it was and r->str_bad set (judge_run() reports it). */
int rset(struct run *r, struct astr *h, const char *s);

/* extract.c */
struct stream_doc;
int extract_doc(struct run *r, struct stream_doc *d);

/* table.c: the events of the run (see struct run), seq 0 ..
 * ev_count() - 1, and its documents, 0 .. doc_count() - 1.  ev_get()
 * and doc_get() return a copy in buf (spooled) or the record itself (in
 * memory); NULL after reporting when it cannot be read.  A record taken
 * in or changed is kept by ev_put() / doc_put() (nothing to do in
 * memory), 0 or -1 after reporting. */
size_t ev_count(const struct run *r);
struct event *ev_get(struct run *r, size_t seq, struct event *buf);
int ev_put(struct run *r, const struct event *e);
/* The events in another order (the judgment's): ev_order() takes to
 * (malloc'd, freed before it returns; event seq goes to place to[seq],
 * each of 0 .. ev_count() - 1 given once) and moves them (spooled: a
 * copy of evf in that order, evo, made by large reads and writes only),
 * each event's place in its record (place); visit(), when not NULL,
 * sees each event in the new order as it is moved, with its place, and
 * may change it (-1: it reported, the ordering fails).  Then ev_at()
 * gets the event at a place, ev_put() writes an event at its place, and
 * ev_get() by seq is an internal error.  ev_unorder() puts them back in
 * the order of seq.  0, or -1 after reporting (evf.bad set when a file
 * failed). */
int ev_order(struct run *r, uint32_t *to,
    int (*visit)(struct run *, struct event *, size_t));
struct event *ev_at(struct run *r, size_t place, struct event *buf);
int ev_unorder(struct run *r);
size_t doc_count(const struct run *r);
struct sdoc *doc_get(struct run *r, size_t i, struct sdoc *buf);
int doc_put(struct run *r, size_t i, const struct sdoc *sd);
const char *intern(struct run *r, const char *s);
/* The documents' spool (r->spool): spool_put() appends len bytes at
 * r->spool_off, spool_flush() writes out what is buffered, spool_get()
 * reads len bytes at off into buf; 0, or -1 with errno set.
 * spool_close() closes it and frees the buffer. */
int spool_put(struct run *r, const char *p, size_t len);
int spool_flush(struct run *r);
int spool_get(struct run *r, uint64_t off, char *buf, size_t len);
/* spool_close() closes the spool and the kept files (r->srcs). */
void spool_close(struct run *r);
/* The r->srcs index of the plain file document d was read from (opened
 * again on its first document), or -1 when d goes to the spool. */
int spool_source(struct run *r, const struct stream_doc *d);
/* Read document sd again into buf (sd->len bytes): from the spool, or
 * from its file, checked against its digests; 0, or -1 after reporting. */
int spool_doc(struct run *r, const struct sdoc *sd, char *buf);

/* keys (judge.c) */
int key_invt(char *buf, size_t n, const char *invtno);
int key_agent(char *buf, size_t n, const char *agent, const char *copno);
int key_ebc(char *buf, size_t n, const char *ebc, const char *copno);
int key_order(char *buf, size_t n, const char *ebp, const char *orderno);
/* The key of row w by its tag ('A' agentCode/copNo, 'E' ebcCode/copNo,
 * 'I' invtNo, 'O' ebpCode/orderNo) into buf, as the key_*() above make
 * it: 0, or -1 when the row has none. */
struct row;
int row_key(const struct run *r, char *buf, size_t n, int tag,
    const struct row *w);
/* The row index key k names in r->rkeys, or HT_NONE. */
uint32_t rkey_get(const struct run *r, const char *k);
/* Key k (made from row idx's fields) names row idx; 0, -1 out of
 * memory or more rows than a slot holds. */
int rkey_put(struct run *r, const char *k, uint32_t idx);
void rkey_free(struct run *r);
struct pyear *pyear_get(struct run *r, const char *person, int year,
    int create);

/* ledger.c: the v1 (CSV) ledger, read only to convert it */
/* Split a ledger CSV line in place into at most max fields; returns the
 * count (max + 1 when there are more) or -1 for a badly quoted field. */
int ledger_split(char *s, char **f, int max);
struct v1row {
	const char *person, *date, *invtno, *ebp, *orderno, *ebc, *agent;
	const char *copno, *lines, *guid, *events;
	int year;
	struct dec amount, used, released;
	enum verdict verdict;
	enum rstate state;
	long line;
};
typedef int (*ledger_v1_fn)(const struct v1row *v, void *arg);
int ledger_v1_each(const char *path, ledger_v1_fn fn, void *arg);
/* 0 when a row's lines column parses and adds up to no more than its
 * amount (ledger_check and the v1 reader both hold rows to it). */
int quota_lines_check(const char *lines, struct dec amount);
/* The entry of kind for guid in a row's history, or NULL. */
const char *ledger_event_find(const char *events, char kind,
    const char *guid);

/* qstore.c: the store (cebtools-state(5)) */
int qstore_open(struct run *r);		/* lock, check, convert, BEGIN */
int ledger_docs(struct run *r);		/* step 2: the documents */
int ledger_read(struct run *r);		/* step 2: rows and totals */
int ledger_write(struct run *r);	/* step 4, commits */
void qstore_close(struct run *r);
void qstore_bad(const char *source, long index, long line,
    const char *reason, void *arg);	/* a loop_bad_fn */
/* Log a change of a buyer's year (judge.c). */
int qstore_log(struct run *r, struct row *w, const char *kind,
    const char *guid, struct dec amount, struct dec delta, uint64_t time);
int ledger_query(struct run *r, const char *id, int year);
int ledger_check(struct run *r);	/* --check */
/*
 * --correct: what one inventory uses of its buyer's year becomes used
 * (0 .. its amount), as a new 'corrected' event that says who and why
 * (ceb-quota-check(1), "Corrections").  key is an invtNo, or
 * ebpCode/orderNo, agentCode/copNo or ebcCode/copNo.  Returns 0 (done,
 * or nothing to correct), or -1 after reporting (nothing written).
 */
struct correction {
	const char *key;
	struct dec used;
	const char *by, *reason;
};
int ledger_correct(struct run *r, const struct correction *c);

/* judge.c */
int judge_prepare(struct run *r);
int judge_run(struct run *r);

/* emit.c */
int emit_run(struct run *r);
/*
 * The estimated tax of what inventory event e counts (tax.h: within the
 * limits, or in full for the single item and an amount over the single
 * limit): "" when nothing is counted, "unknown" when a line has no rate,
 * else the amount (two decimals, in buf).
 */
const char *quota_tax_cell(const struct event *e, char *buf, size_t n);

#endif
