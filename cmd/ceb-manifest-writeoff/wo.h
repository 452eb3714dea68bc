/*
 * wo.h: the pieces of ceb-manifest-writeoff and the compact records they
 * share.  Nothing here keeps a DOM tree or message bytes: every CEB record
 * and every manifest entry is reduced, as it is read, to the few keys and
 * numbers the write-off needs, so memory grows with the parcels and bills
 * still open, never with the size of the input.
 *
 *   norm.c         normalisation of bills, transport modes, voyages, dates
 *   table.c        string arena and hash index
 *   spill.c        where they live: malloc, or a spill file past --memory
 *   ceb.c          CEB 603/604/607/509/507/701 intake
 *   mft-xml.c      customs manifest XML (MT2x01, MT3x01, MT4x01, MT5x02),
 *                  DxpMsg envelopes
 *   mft-csv.c      carrier CSV manifests
 *   engine.c       the write-off judgement and its findings
 *   done.c         the run's scratch database: done rows, manifest entries
 *   summary.c      draft CEB701 summary applications
 *   wostate.c      the carry-over state directory
 *
 * The findings (W- rules) are rows of the common catalogue
 * (common/catalogue-writeoff.def).
 */
#ifndef WO_H
#define WO_H

#include <stddef.h>
#include <stdint.h>

#include "dec.h"
#include "shard.h"
#include "diag.h"
#include "stream.h"

/* ---- spill.c: the memory of every record, index and arena block ---- */

/*
 * Budget in bytes (0: never spill) and the directory of the spill file
 * (NULL: TMPDIR).  Without this call everything stays in malloc().
 */
void wo_mem_init(size_t budget, const char *dir);
/* realloc() of a block of old bytes to n (p NULL: a new block). */
void *wo_mem_realloc(void *p, size_t old, size_t n);
/* A new zeroed block. */
void *wo_mem_zalloc(size_t n);
/* Is p in the spill file?  (Its new blocks are zero already.) */
int wo_mem_spilled(const void *p);
void wo_mem_free(void *p, size_t n);
/* Now and then (a document, a record, a row): keep within the budget. */
void wo_mem_tick(void);
struct wo_mem_stats {
	size_t budget;
	uint64_t spilled;	/* bytes placed in the spill file */
	uint64_t drops;		/* times its pages left memory */
	size_t file;		/* the spill file's size */
};
const struct wo_mem_stats *wo_mem_stats(void);
/*
 * The night's parcels: the array of struct parcel (wo_grow_raw() for it
 * alone) and their own strings (wo_pstr(): the arena's until the array
 * outgrows a megabyte) live in a file of their own past that size, their
 * pages dropped from the process every so many ticks, --memory or not.
 */
void *wo_park_grow(void *arr, size_t *cap, size_t need, size_t size);
const char *wo_pstrn(const char *s, size_t n);
const char *wo_pstr(const char *s);
/* A touch of the park (wo_mem_tick() is one too). */
void wo_park_tick(void);
/* A zeroed block for an index over the parcels (wo_index.park). */
void *wo_park_zalloc(size_t n);
/* Unmap and close the spill file (after wo_free()). */
void wo_mem_end(void);
/* "out of memory" as trouble, and exit 2. */
void wo_oom(void) __attribute__((noreturn));

/* ---- table.c: arena strings and a string -> index hash ---- */

/* Copy s into the arena (never freed before exit).  "" for NULL. */
const char *wo_str(const char *s);
const char *wo_strn(const char *s, size_t n);
/* The one arena copy of s, shared by every caller with the same value. */
const char *wo_intern(const char *s);
/*
 * The origin of d for its records' wo_loc, in memory that lasts until
 * wo_arena_free(), one per document: NULL when it says no more than
 * source, message and line (no envelope, read where it was delivered).
 */
const struct origin *wo_origin(const struct stream_doc *d);
/*
 * A copy of l in the arena (aligned), to be shared by the records read
 * from one place; it lives until wo_arena_free().
 */
struct wo_loc;
const struct wo_loc *wo_loc_keep(const struct wo_loc *l);
/* Free every arena string and the intern table (end of run, fuzzing). */
void wo_arena_free(void);
struct wo;
/* Free everything of w (its options too are zeroed) and the arena. */
void wo_free(struct wo *w);

struct wo_index {
	uint32_t *slots;	/* value + 1, 0 = empty */
	const char **keys;	/* key of each slot */
	size_t cap, n;
	int park;		/* over the parcels: its tables in the park, */
	uint32_t *hs;		/* with the hash of each slot's key (park) */
};

/* Index of key, or -1. */
long wo_index_get(const struct wo_index *x, const char *key);
/* Insert key -> v (key must outlive the index: use wo_str()). */
int wo_index_put(struct wo_index *x, const char *key, long v);
void wo_index_del(struct wo_index *x, const char *key);
/* Free the index's tables (the keys belong to their owners). */
void wo_index_free(struct wo_index *x);

/*
 * The capacity an array of cap items of size bytes grows to for need
 * items: doubled from cap (32 when 0) until it holds them; exits when it
 * would overflow.
 */
size_t wo_grow_cap(size_t cap, size_t need, size_t size);
/* Growable array of fixed-size items (new room zeroed, or not: _raw). */
void *wo_grow(void *arr, size_t *cap, size_t need, size_t size);
void *wo_grow_raw(void *arr, size_t *cap, size_t need, size_t size);
/* Free such an array (cap items of size bytes) and zero its capacity. */
void wo_grow_free(void *arr, size_t *cap, size_t size);

uint64_t wo_hash(const char *s);

/* ---- norm.c ---- */

/*
 * Normalised transport modes, one letter shared by both code lists:
 * A air, S sea, R road, T rail, P post, '?' unknown.  CEB trafMode uses
 * JGS-20 (5 air, 2 sea, 4 road, 3 rail, 6 post); manifests use UN/ECE
 * Rec. 19 (4 air, 1 sea, 3 road, 2 rail, 5 post).
 */
char norm_mode_ceb(const char *code);
char norm_mode_mft(const char *code);
/* A CSV cell: a code of the list chosen (ceb != 0: JGS-20), or a word. */
char norm_mode_word(const char *s, int ceb);
const char *norm_mode_name(char m);

/* Bill number: dashes and white space removed, ASCII upper-cased. */
void norm_bill(const char *s, char *out, size_t n);
/*
 * Voyage or flight: upper-cased, spaces and dashes removed, cut at '/'
 * (a manifest JourneyID "MI987/20171031" carries the date after it), and
 * for air the leading zeros of the flight number dropped (MI0987 = MI987).
 */
void norm_voyage(const char *s, char mode, char *out, size_t n);
/* logisticsNo: normalised like a bill (it may stand in a house column). */
void norm_lno(const char *s, char *out, size_t n);

/* Day number of YYYYMMDD[...] (days since 1970-01-01), -1 if invalid. */
long norm_day(const char *s);
/* YYYYMMDD of a day number into buf (9 bytes). */
char *norm_day_str(long day, char *buf);

/* ---- the records ---- */

enum { REL_NONE, REL_PENDING, REL_RELEASED, REL_REJECTED };

/* Where a record was read: kept so that later nights can still point at it. */
struct wo_loc {
	const char *source;
	long message, line, record;
	const char *type, *guid, *key;
	const struct origin *o;	/* envelope, via: wo_origin() */
};

/*
 * The inventory fields a parcel keeps only for its summary (701) and its
 * state row: they repeat over the parcels of one enterprise, port and
 * month, so each distinct tuple is stored once (wo_profile()).
 */
struct profile {
	const char *agentName, *ebcCode, *ebcName, *ownerCode, *customsCode,
	    *portCode, *country, *trafMode, *statFlag, *ieDate, *loctNo;
};
extern const struct profile wo_noprofile;	/* every field "" */
/* The one stored copy of the tuple (its strings must be arena strings). */
const struct profile *wo_profile(const struct profile *pf);

/*
 * One parcel (logisticsNo): its inventory, receipt, bill and departure.
 * One for every parcel of the night: pointers and numbers first, the
 * flags packed at the end, and the location of its bill line shared
 * with the other lines of the same 607/509 record (bill_at).
 */
struct parcel {
	const char *lno;		/* normalised logisticsNo (key) */
	const char *lno_raw;
	/* inventory (603) */
	const char *copNo, *invtNo, *agentCode;
	const struct profile *pf;	/* never NULL */
	struct dec gross;
	long packNo;
	struct wo_loc inv_loc;
	/* receipt (604) */
	const char *rtime;
	/* bill (607): index into bills, -1 */
	long bill, bill2;
	const char *bag;		/* totalPackageNo */
	/*
	 * Where its bill (or departure) line was read: the record's
	 * location, shared (wo_loc_keep()), NULL when none; the line's
	 * own line number beside it.  parcel_bill_loc() puts them together.
	 */
	const struct wo_loc *bill_at;
	long bill_line;
	/* departure (509) */
	long dep, dep2;

	long first_day;			/* first seen */
	long rel_day;			/* first seen released, -1 */
	int has_inv;
	int status;			/* returnStatus, 0 none */
	int arrived;			/* arrival (507) */
	int seen;			/* touched by this run's input */
	int resolved;			/* final this run */
	int dup_inv;			/* W-DUP-003 reported */
	int cancel;			/* CAN_*: 605/606 */
	int done_old;			/* has a done row of the state */
};

/* The location of p's bill line (all NULL and 0 when it has none). */
void parcel_bill_loc(const struct parcel *p, struct wo_loc *l);

/* A parcel's export cancel (605) as its receipts (606) say. */
enum { CAN_NONE, CAN_REQUESTED, CAN_ACCEPTED, CAN_REJECTED };

/* A 605 cancel and its best 606 receipt, joined to a parcel at judgement. */
struct cancel {
	const char *invtNo, *copkey;	/* agentCode/copNo */
	int requested;			/* a 605 was read */
	int status;			/* 606 returnStatus, 0 none */
	const char *rtime;
	struct wo_loc loc;		/* the 605, else the 606 */
};

enum { BILL_607 = 607, BILL_509 = 509 };

/* A 607 bill or a 509 departure, over all its split parts. */
struct bill {
	const char *key;		/* "607|A|MI987|61843844743" */
	int kind;
	char mode;
	const char *voyage, *bill;	/* normalised */
	const char *trafMode_raw, *voyage_raw, *bill_raw, *trafName;
	const char *leaveTime;
	long msgCount;
	unsigned char *parts;		/* parts[i] for msgSeqNo i+1 */
	long nparts_alloc;
	int bad_split;			/* inconsistent msgCount/msgSeqNo */
	struct dec gross;		/* sum of the parts' heads */
	struct wo_loc loc;
	long first_day;
	int totals_done;		/* W-TOT-001 judged */
	int split_reported;
	int seen;
	int complete;
	long nparcels;
	struct dec off_gross;		/* inventories of parcels resolved */
	long off_n;			/* in earlier runs */
	const char *bill2of;		/* W-DUP-001 already said */
	int keep;			/* still referenced */
};

enum { MFT_PRE = 1, MFT_ARR, MFT_LOAD, MFT_CSV,
	MFT_OFFLOAD, MFT_CHANGE };		/* (never stored as entries) */

/* One manifest entry: a master bill, or a house/bag under it. */
struct mentry {
	const char *key;		/* "kind|mode|voyage|master|house" */
	const char *voyage, *master, *house;	/* normalised */
	const char *voyage_raw, *master_raw, *house_raw, *msgtype, *date;
	long pieces;			/* -1 unknown */
	struct dec gross;
	struct wo_loc loc;
	long first_day;
	int kind;
	int has_gross;
	int deleted;
	int seen;
	int done;			/* judged final, leaves the state */
	int tot_done;			/* W-TOT-002/003 judged */
	char mode;
	char alt_mode;			/* CSV: the other code list's reading */
	char final_row;			/* judged final this run: an entry-final
					   row (key "M|" and its key, day its
					   first day) in the state's wo_done */
};

/* A parcel written off (or judged final) in an earlier run. */
struct done {
	const char *lno, *outcome, *invtNo, *billkey, *day, *sumCopNo;
	const char *copNo, *agentCode;
	const struct profile *pf;	/* never NULL */
	int is_new;			/* written this run */
};

/*
 * done.c: every done row of the run (the state's wo_done rows, then those
 * this run adds, in that order) in a scratch SQLite database, looked up by
 * key.  A row read back (done_find(), done_get(), done_next()) lives in a
 * struct done_row until the next read into it.
 */
struct done_row {
	struct done d;
	struct profile pf;
	long id;		/* its row id: the order of the rows */
	char *buf;		/* the strings */
	size_t cap;
};
enum { DONE_OUTCOME, DONE_SUMCOPNO };
void done_open(void);		/* trouble and exit 2 if it cannot */
void done_close(void);
long done_count(void);		/* rows so far */
/* Add d (its key not there yet: 0; there already: 1, nothing added). */
int done_add(const struct done *d);
/* From now on the key of every row added is checked (the state's rows). */
void done_unique(void);
long done_find(const char *lno, struct done_row *r);	/* row id, -1 */
int done_has(const char *lno);
/* The last row with invtNo, -1 none; done_invt_done(): no more of it. */
long done_find_invt(const char *invtNo, struct done_row *r);
void done_invt_done(void);
int done_get(long id, struct done_row *r);
void done_set(long id, int col, const char *v);
/* Each row in order. */
void done_iter(void);
int done_next(struct done_row *r);
void done_row_free(struct done_row *r);

/*
 * done.c too: every manifest entry of the run (the state's, then the
 * night's, in the order they were first put) is a row of the scratch
 * database, not a struct in memory; its row id (1, 2, ...) stands for it.
 * A row read back lives in a struct ment_row (its strings in buf) until
 * the next read into it: what is changed in r->m is written back with
 * ment_set().  An entry never leaves the table: deleted, done or final,
 * it keeps its row and the readers skip it as the arrays' readers did.
 */
struct ment_row {
	struct mentry m;
	long id;
	char *buf;
	size_t cap;
};
long ment_count(void);			/* rows so far */
long ment_add(const struct mentry *e);	/* its row id */
void ment_set(long id, const struct mentry *e);
/* Keep e's done, tot_done and final_row for row id (a byte in memory). */
void ment_mark(long id, const struct mentry *e);
/* The entry of key that is not deleted (r NULL: only its id), -1. */
long ment_find(const char *key, struct ment_row *r);
/*
 * The judgement's lookups (ment_index() makes their indexes once the
 * night is read): the entry for "mode|voyage|master|house", the first
 * loading or CSV one, else the first one; the last loading or CSV entry
 * with house.  Deleted entries are never found.
 */
void ment_index(void);
long ment_house(const char *hk, struct ment_row *r);
long ment_load_house(const char *house, struct ment_row *r);
/*
 * The rows in order, those there when ment_iter() is called (mk not
 * NULL: only those whose "mode|voyage|master" is mk).  A row read may be
 * written back (ment_set()) and rows added while the walk goes on.
 */
struct ment_it {
	void *q;
	long last;
};
void ment_iter(struct ment_it *it, const char *mk);
int ment_next(struct ment_it *it, struct ment_row *r);
void ment_row_free(struct ment_row *r);

/* A receipt whose inventory has not been seen yet. */
struct orphan {
	const char *copkey, *invtNo, *rtime;
	int status;
	long first_day;
};

struct wo_opts {
	int stateful;			/* -s: documents recorded in the store */
	long now;			/* --now, day number */
	const char *now_str;		/* YYYYMMDD */
	int now_given;			/* --now on the command line */
	long grace;			/* --grace DAYS */
	long keep;			/* --keep DAYS */
	struct dec tol_abs;		/* --tolerance kg */
	long tol_ppm;			/* --tolerance N%, in parts per million */
	int tol_is_pct;
	int csv_ceb_modes;		/* --csv-modes ceb 1, manifest 0, auto -1 */
	const char *csv_map;		/* --csv-map */
	/* summary */
	const char *summary_dir;
	int summary_flag;		/* 1 or 2 */
	const char *merge_keys;		/* --merge-keys */
	const char *decl_code, *decl_name;
	const char *cop_code, *cop_name, *dxp_id;
	const char *item_name_flag;
	int pass;			/* pass CEB messages to stdout */
	struct shard shard;		/* --shard K/N, n 0: everything */
	const char *mac_key;		/* --mac-key, NULL: state.db.key */
};

/* The whole world of one run. */
struct wo {
	struct wo_opts o;
	struct parcel *p;
	size_t np, pcap;
	struct wo_index pidx;		/* lno -> parcel */
	struct wo_index copidx;		/* agentCode/copNo -> parcel */
	struct wo_index invidx;		/* invtNo -> parcel */
	struct bill *b;
	size_t nb, bcap;
	struct wo_index bidx;
	/* the manifest entries and the done rows: done.c */
	long done_old;			/* the state's, at the judgement */
	long done_pipe;			/* this run's parcels' with a '|' */
	/* entries final this run (their final_row set): their entry-final
	 * rows are written after ef_at done rows */
	size_t nef, ef_at;
	struct orphan *r;
	size_t nr, rcap;
	struct wo_index ridx;
	struct cancel *c;		/* 605/606, this run only */
	size_t nc, ccap;
	struct wo_index cidx;		/* invtNo or copkey -> cancel */
	struct dec *wb;			/* 505 grossWeight, this run only */
	size_t nwb, wbcap;
	struct wo_index wbidx;		/* logisticsNo -> wb */
	struct wo_index bagset;		/* "bill|bag" of every 607 line */
	struct wo_index sum701;		/* invtNo -> s701[] */
	const char **s701;		/* copNo of input 701s */
	size_t ns701, s701cap;
	long nwritten;
	size_t memory;			/* --memory */
};

/*
 * --shard: does this run own the normalised key (a logisticsNo, house,
 * bill or invtNo)?  An empty key belongs to shard 1.
 */
int wo_mine(const struct wo *w, const char *key);

/* ---- ceb.c ---- */
int ceb_take(struct wo *w, struct stream_doc *d, int from_manifest);
long parcel_get(struct wo *w, const char *lno_raw);
long bill_get(struct wo *w, int kind, char mode, const char *voyage,
    const char *bill);
int status_rank(int status);
int cancel_state(const struct cancel *c);

/* ---- mft-xml.c / mft-csv.c ---- */
/*
 * Take a manifest document.  Returns 1 when the document was a manifest
 * (taken, not to be passed on), 0 for anything else.
 */
int mft_take_doc(struct wo *w, struct stream_doc *d, xmlNodePtr root);
/* Read a CSV manifest; returns 0, or -1 after reporting trouble. */
int mft_csv_read(struct wo *w, const char *path);
long mentry_put(struct wo *w, const struct mentry *e, int replace);
/* Pieces and gross weight of e from their texts; W-MAN-007 when not numbers. */
void mentry_amounts(struct wo *w, struct mentry *e, const char *pieces,
    const char *gross, const char *pcol, const char *gcol);

/* ---- engine.c ---- */
void engine_run(struct wo *w);
void loc_to_diag(const struct wo_loc *l, struct diag_loc *d);

/* ---- summary.c ---- */
int summary_write(struct wo *w);
/* Parse --merge-keys (official keys always set); -1 when unknown. */
int summary_keys(const char *list, int flag, unsigned *set);

/* ---- wostate.c ---- */
/*
 * Create DIR, open and lock its store (waiting at most timeout seconds)
 * and begin the run's transaction.  0, or -1 (trouble said).
 */
int wostate_open(const char *dir, double timeout);
/*
 * The identity of the run's input, before the run reads it: the day
 * (--now), the manifests' files (any order: store_files_identity()) and
 * the operands' files (store_input_identity()) or, for standard input,
 * its documents (store_docs_identity(): standard input is then read
 * first and kept in dir, and the run reads it from there).  Into hex
 * (STORE_HEX_LEN bytes): 0; 1 when it cannot be known (a manifest or an
 * operand that is neither standard input nor a regular file, or cannot
 * be read); -1 after a trouble.
 */
int wostate_identity(const struct wo *w, int argc, char *const argv[],
    const char *const *manifests, const struct stream_opts *so,
    const char *dir, char *hex);
/*
 * Load the state (converting the state directory of the release before
 * the store on first use) and write the run's row.  id: the input's
 * identity (wostate_identity()) or NULL: when it is the latest run's,
 * this run redoes that run from the state before it.  0, or -1 (trouble
 * said).
 */
int wostate_load(struct wo *w, const char *dir, const char *id);
int wostate_document(const struct stream_doc *d, const char *type);
/* loop_on_bad() callback: a document set aside; arg: a long counter. */
void wostate_bad(const char *source, long index, long line,
    const char *reason, void *arg);
/* Write the state and the run's counts, commit.  0, or -1. */
int wostate_save(struct wo *w, const char *dir);
void wostate_close(void);	/* rolls back what is not committed */


/* Extra report columns, in order. */
enum { X_OUTCOME, X_JOIN, X_MODE, X_VOYAGE, X_BILL, X_LNO, X_INVT, X_FIRST,
	X_N };
extern const char *const wo_extra_cols[];
/* Values for the extra columns, all "" (diag stops at a NULL). */
#define WO_EXTRA(x) const char *x[X_N + 1] = { "", "", "", "", "", "", "", \
	"", NULL }

#endif
