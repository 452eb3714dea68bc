/*
 * store.h: the state that outlives a run, in one SQLite file, in the
 * manner of Fossil's db.c: a thin wrapper so that tools speak SQL, never
 * file formats.  cebtools-state(5) documents the schemas.
 *
 * The rules every stateful tool gets from here (DESIGN.md, "State that
 * outlives a run"):
 *  - one store per invocation; a run writes in one transaction
 *    (store_begin() ... store_commit()): committed once or not at all;
 *  - runs are serialised by an open-file-description lock on a byte of
 *    the database file itself (STORE_RUN_LOCK, far past SQLite's own lock
 *    bytes), taken before SQLite reads anything and held to the end:
 *    removing the -wal, the -shm or any other file beside the database
 *    cannot let two runs write at once.  A second run waits at most the
 *    lock timeout, then fails naming the holder's process id (store.c
 *    says how);
 *  - the database is opened in WAL mode with synchronous=FULL and foreign
 *    keys on, and passes PRAGMA quick_check before anything is read (a
 *    failure is trouble, never a reset);
 *  - a commit first checks that the path still names the file the run
 *    opened (a database removed or replaced during the run is trouble,
 *    the run's work is rolled back), then checkpoints the WAL into the
 *    database so that nothing committed lives only in the -wal file;
 *  - each tool has one schema: ordered migrations, the database's
 *    PRAGMA user_version counting those applied.
 *
 * Library code: nothing here prints or exits.  Every function that can
 * fail returns a status and leaves a message for store_errmsg().
 */
#ifndef CEB_STORE_H
#define CEB_STORE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include <sqlite3.h>

/* Results of store_open(). */
enum store_status {
	STORE_OK = 0,
	STORE_BUSY,		/* another run held the lock past the timeout */
	STORE_ERR		/* anything else: message in store_errmsg() */
};

/*
 * A tool's schema: migrations[i] takes a database at version i to
 * version i + 1 (SQL run in the opening transaction).  The first one
 * creates everything; later ones only add (issues that grow a schema
 * append a migration, never edit one that shipped).
 */
struct store_schema {
	const char *tool;		/* e.g. "ceb-quota-check" */
	const char *const *migrations;	/* NULL-terminated */
};

/* Offset of the run lock byte in the database file; the holder's pid
 * is told by a lock within the STORE_PID_SPAN bytes after it. */
#define STORE_RUN_LOCK ((int64_t)0x7fff00000000LL)
#define STORE_PID_SPAN ((int64_t)1 << 23)

/* Default seconds to wait for another run; see store_lock_timeout(). */
#define STORE_LOCK_TIMEOUT 60
/* A run checks the whole store when it opens one of at most this many
 * bytes (store_open()); read-only opens always do. */
#define STORE_WHOLE_CHECK_MAX (256LL << 20)

struct store;

/*
 * Open (creating it, mode 0600, when missing) the store at path for a
 * run: refuse a symbolic link, take the run lock (waiting at most
 * timeout seconds; 0: do not wait), open SQLite, check the file
 * (quick_check: read-only, or a store of at most STORE_WHOLE_CHECK_MAX
 * bytes; a run on a larger one checks the pages it reads), bring the
 * schema up to date.  readonly: no lock, no
 * creation, no migration (a listing or a query; SQLite's WAL gives it a
 * consistent snapshot while a run writes).
 * Returns STORE_OK with *sp set, or STORE_BUSY / STORE_ERR with a message
 * in err (*sp NULL).
 */
enum store_status store_open(struct store **sp, const char *path,
    const struct store_schema *schema, int readonly, double timeout,
    char *err, size_t n);

/* Nonzero when path exists (any type, symlinks not followed). */
int store_exists(const char *path);

/*
 * The lock timeout: CEBTOOLS_LOCK_TIMEOUT from the environment when set
 * and valid, else STORE_LOCK_TIMEOUT.  Parse an option's value with
 * store_parse_timeout(): 0 or -1 when not a number of seconds >= 0.
 */
double store_lock_timeout(void);
int store_parse_timeout(const char *s, double *out);

/* The message of the last failure. */
const char *store_errmsg(const struct store *s);

/* The SQLite handle, for what this wrapper does not cover. */
sqlite3 *store_db(struct store *s);

/*
 * Run SQL without results (several statements allowed).  Returns 0 or -1.
 */
int store_exec(struct store *s, const char *sql);

/*
 * A prepared statement for sql, cached for the life of the store: the
 * same string (by address) gives the same statement, reset and with its
 * bindings cleared.  NULL on error.  Callers never finalize it.
 */
sqlite3_stmt *store_prepare(struct store *s, const char *sql);

/*
 * Bind the parameters of st from fmt, one letter each, starting at 1:
 *   t  const char *        text (NULL binds NULL), copied
 *   s  const char *        text (NULL binds NULL), not copied: it must
 *                          stay unchanged until st is stepped and reset
 *   i  long long           integer
 *   b  const void *, size_t   blob
 *   n  (nothing)           NULL
 * Returns 0 or -1.
 */
int store_bind(struct store *s, sqlite3_stmt *st, const char *fmt, ...);

/*
 * Step st: 1 a row is ready, 0 done (st is reset), -1 error (st reset,
 * message set).
 */
int store_step(struct store *s, sqlite3_stmt *st);

/* A column as text, never NULL ("" for NULL). */
const char *store_text(sqlite3_stmt *st, int col);

/* Run a one-row query: the first column of its row as an integer, or def
 * when there is no row. -1 on error (check store_errmsg). */
long long store_int(struct store *s, const char *sql, long long def);

/* The run's write transaction (BEGIN IMMEDIATE): returns 0 or -1. */
int store_begin(struct store *s);

/*
 * Commit the run's transaction after checking that the store's path still
 * names the file opened (else roll back and fail), then checkpoint the
 * WAL into the database.  Returns 0 or -1 (nothing committed when the
 * check or the COMMIT failed).
 */
int store_commit(struct store *s);

/* Roll the transaction back (a run that gives up). */
void store_rollback(struct store *s);

/* Close: a transaction still open is rolled back; the lock is released. */
void store_close(struct store *s);

/* ---- documents and runs known by their input ---- */

#define STORE_DIGEST_LEN 32		/* SHA-256 */
#define STORE_HEX_LEN (2 * STORE_DIGEST_LEN + 1)

/*
 * The digest of a document: SHA-256 of its root element's bytes (from the
 * root's '<' to the end of bytes), so that the same document framed
 * otherwise -- another XML declaration, a processing instruction or a
 * comment before the root, as a pipeline's origin mark -- is the same
 * document.  Returns 0, or -1 when libcrypto fails.
 */
int store_doc_digest(const char *bytes, size_t len,
    unsigned char out[STORE_DIGEST_LEN]);

/*
 * SHA-256 of what comes before the root element (the bytes
 * store_doc_digest() leaves out): with it, a document read again is
 * known to be the same bytes.  Returns 0, or -1 when libcrypto fails.
 */
int store_doc_prefix_digest(const char *bytes, size_t len,
    unsigned char out[STORE_DIGEST_LEN]);

/*
 * A run's identity: SHA-256 over its documents' digests sorted (so the
 * order and the framing of the input do not matter; a document twice
 * counts twice).  digests is n * STORE_DIGEST_LEN bytes and is sorted in
 * place.  Returns 0 or -1.
 */
int store_run_identity(unsigned char *digests, size_t n,
    unsigned char out[STORE_DIGEST_LEN]);
/* The same identity from n digests already sorted, the first at first,
 * each stride bytes after the one before (in an array of records). */
int store_run_identity_sorted(const unsigned char *first, size_t n,
    size_t stride, unsigned char out[STORE_DIGEST_LEN]);

/*
 * The identity of a stream of documents known only once read, in
 * constant memory: the 256-bit sum of their digests and their count, so
 * that the order does not matter and a document twice counts twice.
 * Start from a zeroed struct; store_ident_hex() gives the SHA-256 of the
 * sum and the count, in hex (STORE_HEX_LEN bytes).
 */
struct store_ident {
	unsigned char sum[STORE_DIGEST_LEN];
	unsigned long long n;
};
void store_ident_add(struct store_ident *id,
    const unsigned char d[STORE_DIGEST_LEN]);
void store_ident_hex(const struct store_ident *id, char *hex);

/* Lower-case hex of a digest into hex (STORE_HEX_LEN bytes). */
void store_hex(const unsigned char d[STORE_DIGEST_LEN], char *hex);

/* The current time as UTC ISO 8601 "YYYY-MM-DDThh:mm:ssZ" into buf. */
void store_now(char *buf, size_t n);

/*
 * The tables every tool's store has (cebtools-state(5)): meta, runs,
 * documents, set_aside and the view runs_done.  A tool's first migration
 * starts with this string.
 */
#define STORE_SCHEMA_COMMON \
"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)" \
"  WITHOUT ROWID;" \
"CREATE TABLE runs(" \
"  id INTEGER PRIMARY KEY," \
"  tool TEXT NOT NULL," \
"  identity TEXT NOT NULL," \
"  label TEXT," \
"  started TEXT NOT NULL," \
"  ended TEXT NOT NULL," \
"  documents INTEGER NOT NULL DEFAULT 0," \
"  records INTEGER NOT NULL DEFAULT 0," \
"  passed INTEGER NOT NULL DEFAULT 0," \
"  failed INTEGER NOT NULL DEFAULT 0," \
"  set_aside INTEGER NOT NULL DEFAULT 0," \
"  status INTEGER NOT NULL DEFAULT 0," \
"  note TEXT);" \
"CREATE INDEX runs_identity ON runs(identity);" \
"CREATE TABLE documents(" \
"  digest TEXT NOT NULL," \
"  run INTEGER NOT NULL REFERENCES runs(id)," \
"  source TEXT NOT NULL," \
"  message INTEGER NOT NULL," \
"  line INTEGER NOT NULL," \
"  type TEXT," \
"  guid TEXT," \
"  copmsgid TEXT," \
"  upstream TEXT," \
"  PRIMARY KEY(digest, run, source, message)) WITHOUT ROWID;" \
"CREATE INDEX documents_run ON documents(run);" \
"CREATE TABLE set_aside(" \
"  id INTEGER PRIMARY KEY," \
"  run INTEGER NOT NULL REFERENCES runs(id)," \
"  source TEXT NOT NULL," \
"  message INTEGER NOT NULL," \
"  line INTEGER NOT NULL," \
"  reason TEXT NOT NULL," \
"  copmsgid TEXT," \
"  upstream TEXT);" \
"CREATE VIEW runs_done AS SELECT r.id, r.tool, r.label, r.started," \
"  r.ended, r.documents, r.records, r.passed, r.failed, r.set_aside," \
"  r.status, substr(r.identity, 1, 16) AS identity, r.note FROM runs r" \
"  ORDER BY r.id;" \
"CREATE VIEW documents_set_aside AS SELECT s.run, r.started, s.source," \
"  s.message, s.line, s.reason FROM set_aside s JOIN runs r" \
"  ON r.id = s.run ORDER BY s.run, s.id;"

/* One run's record in the runs table. */
struct store_run {
	long long id;			/* set by store_run_insert() */
	const char *tool, *label, *note;
	char identity[STORE_HEX_LEN];
	char started[32];
	long documents, records, passed, failed, set_aside;
	int status;
};

/*
 * Insert the run's row (ended = now) and set run->id.  Called inside the
 * run's transaction, once its counts are known.  Returns 0 or -1.
 */
int store_run_insert(struct store *s, struct store_run *run);

/*
 * The id of the latest committed run with this identity, 0 when none,
 * -1 on error.
 */
long long store_run_find(struct store *s, const char *identity);

/* Record one document of the run; returns 0 or -1. */
int store_document(struct store *s, long long run, const char *digest,
    const char *source, long message, long line, const char *type,
    const char *guid);
/*
 * The same for a tool that reads its documents as they come: kept in a
 * temporary table and written by store_documents_put(s, run) at the end
 * of the run, in the order of their digests (the documents table is
 * keyed by digest: written as read, a large night changes its pages at
 * random).  Nothing may look for the run's own documents before.  0 or
 * -1 (store_errmsg()).  ceb-reconcile uses it (1,000,000 parcels,
 * 253,482 documents: 66.8 -> 64.4 s CPU, 65.7 -> 55.7 MB);
 * ceb-manifest-writeoff does not (300,000 parcels, 114,002 documents:
 * the same CPU, 41.9 -> 46.7 MB with it: the temporary table's pages and
 * the sort).
 */
int store_document_later(struct store *s, const char *digest,
    const char *source, long message, long line, const char *type);
int store_documents_put(struct store *s, long long run);

/*
 * The first run that recorded this document digest, 0 when none, -1 on
 * error.
 */
long long store_document_run(struct store *s, const char *digest);

/* Record a document set aside (not judged); returns 0 or -1. */
int store_set_aside(struct store *s, long long run, const char *source,
    long message, long line, const char *reason);

/*
 * The files (and directories) a run's identity was computed from, as they
 * were when read: device, inode, size, modification and change times.  A
 * run checks before it commits that none changed while it ran
 * (store_seen_check()): else its identity would name other bytes than
 * those it judged, and a kept digest (store_digests_take()) could belong
 * to other bytes.  Directories are expanded again at the check: a file
 * added to one or taken from it is a change.  The operands (argv) must
 * stay valid until store_seen_free().  Zeroed: nothing seen.
 */
struct store_seen {
	struct store_seen_file *v;	/* every file, in the order read */
	size_t n, cap;
	struct store_seen_ops *ops;	/* the operands expanded */
	size_t nops;
	int failed;			/* out of memory while seeing */
};

/*
 * 0 when every file and directory in s is as it was when seen; 1 when one
 * changed, was replaced, is gone or was added to a directory operand
 * (its path copied into path, the reason for a person into why), -1 when
 * seeing or expanding ran out of memory (why says so; nothing can be
 * promised).  Either way the run must not commit.
 */
int store_seen_check(const struct store_seen *s, char *path, size_t pathlen,
    const char **why);

/* Forget what s saw (s may be zeroed). */
void store_seen_free(struct store_seen *s);

/* The bytes of the files s saw, all together (0: none, or all empty). */
unsigned long long store_seen_bytes(const struct store_seen *s);

/*
 * The identity of a run's input known before reading it, for tools whose
 * state must know at the start whether a run is a rerun: SHA-256 over the
 * sorted SHA-256 digests of the raw bytes of every file the operands
 * name (input_expand(): directories contribute their *.xml and *.xml.gz),
 * so the same files in any order are the same input.  Returns 0 with the
 * hex digest in hex, 1 when it cannot be known beforehand (standard input,
 * no operand, a source that is not a regular file), -1 when a file cannot
 * be read (the run will report it).  When seen is not NULL, each file is
 * added to it as it was read (and each operand that is a directory).
 */
int store_input_identity(int argc, char *const argv[],
    char hex[STORE_HEX_LEN], struct store_seen *seen);

/*
 * The same for operands whose directories contribute the files ending in
 * one of suffixes (input_expand_suffixes(); NULL: input_expand()'s
 * *.xml and *.xml.gz).  Same returns.
 */
int store_files_identity(int argc, char *const argv[],
    const char *const *suffixes, char hex[STORE_HEX_LEN],
    struct store_seen *seen);

struct stream_opts;
struct stream_doc;

/*
 * The digests store_docs_identity() computed, kept in an unlinked file of
 * the state directory in the order the documents were framed, so that a
 * run reading the same documents afterwards computes none of them again
 * (store_digests_take()).  Zeroed: none kept.
 */
struct store_digests {
	FILE *f;
};

/*
 * The kept digest of d (the next document the run reads, framed as the
 * identity framed it: same source, index, line and length), into out:
 * returns 1, or 0 when none is kept for it (the caller computes it with
 * store_doc_digest()).  Documents the run skips (set aside before they
 * reach it) are passed over, up to a few dozen at a time.
 */
int store_digests_take(struct store_digests *k, const struct stream_doc *d,
    unsigned char out[STORE_DIGEST_LEN]);

/* Close the kept digests' file (k may be zeroed or NULL). */
void store_digests_free(struct store_digests *k);

/*
 * The identity of the documents the operands hold (argc 0: standard
 * input), for a run whose input cannot be known before it is read:
 * standard input is first copied to a file of the run's own in dir,
 * unlinked at once, which then stands in for it (descriptor 0, at its
 * start again on return), so that the run reads the same bytes; the
 * operands are framed with opts and every document's digest
 * (store_doc_digest()) summed (struct store_ident), so that the same
 * documents in any order and with any framing give the same identity.
 * Documents that cannot be used are left out (the run reports them; with
 * opts->no_parse every document framed counts, well-formed or not).
 * When keep is not NULL, each document's digest is kept there for the
 * run (store_digests_take(); store_digests_free() when done), so that
 * the input is hashed once; the files read are added to seen when it is
 * not NULL (struct store_seen).
 * Every operand must be standard input or a regular file (or a directory
 * of them).  Returns 0 with the hex identity, 1 when an operand is
 * neither (a pipe named, a device: it cannot be read twice), -1 with a
 * message in err.
 */
int store_docs_identity(int argc, char *const argv[],
    const struct stream_opts *opts, const char *dir,
    char hex[STORE_HEX_LEN], struct store_digests *keep,
    struct store_seen *seen, char *err, size_t errlen);

#endif
