/*
 * validate.h: the parts of ceb-validate and how they meet.
 *
 *   ceb-validate.c  options, start and end of the run, the callback of the
 *                   input loop (loop.h)
 *   judge.c         one document: judge it in one SAX pass (sax.c), or
 *                   parse it (on a worker; the stream layer opens an
 *                   envelope there), find its schema, validate it and its
 *                   envelope; then, on the main thread and in input
 *                   order, report its findings, run the business rules
 *                   (rules.h), write receipts and pass it on
 *   sax.c           the one pass: parse, validate and gather the fields
 *                   the rules read (fields.h) with no tree
 *   schemaerr.c     schema errors as findings: located, masked, assigned
 *                   to the record that holds them
 *   pool.c          -j: worker threads and the bounded queue of batches
 *                   between them and the main thread
 *   rules.c         the business rules; receipt.c their receipts
 *
 * A document becomes a struct job.  judge_work() is everything that may
 * run on a worker thread: it touches nothing but the job, its own
 * validation context and cache, and the schema set under find_mu.
 * judge_finish() is everything else and runs on the main thread in input
 * order, so that findings, receipts and output keep the order of the
 * input whatever the number of workers.
 */
#ifndef CEB_VALIDATE_H
#define CEB_VALIDATE_H

#include <pthread.h>
#include <stddef.h>
#include <libxml/parser.h>

#include "diag.h"
#include "dsig.h"
#include "fields.h"
#include "msg.h"
#include "rules.h"
#include "schema.h"
#include "stream.h"

#define MAX_JOBS 64

/* One document on its way through the tool. */
struct job {
	struct stream_doc d;	/* detached when threaded */
	struct stream_err perr;	/* parse failure (threaded) */
	int pr;			/* stream_doc_parse(): STREAM_* (threaded) */
	int parsed;		/* d.doc holds a tree, or sax is set */
	int tree_owned;		/* judge_work() parsed d.doc, d.env: ours */
	/* Judged by the one SAX pass (sax.c): m has no tree, fd the fields. */
	int sax;
	char *sguid;		/* the root's guid (m.guid) */
	struct fdoc *fd;
	int fd_owned;
	struct fdoc *fd_spare;	/* kept for the next document (pool.c) */
	enum msg_status st;
	struct msg m;
	const struct schema *sc;
	int missing;		/* no schema declares the root */
	char why[400];		/* why sc is NULL */
	/* The envelope the message came in (d.env), and its schema. */
	struct msg em;
	const struct schema *esc;
	int emissing;
	char ewhy[400];
	/* Validation results: the message's, the envelope's. */
	struct schema_errors e, ee;
	int vfail, evfail;
	/* Signatures: of the message, of the envelope. */
	struct dsig_verdict sig, esig;
};

/* A worker's memory of the schemas it has looked up (no lock needed). */
#define WCACHE 16

struct wcache {
	size_t n;
	struct {
		int ns_dxp;
		char name[32];
		const struct schema *sc;
	} v[WCACHE];
};

/* The worker pool of -j (pool.c). */
struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv_work, cv_done;
	pthread_t th[MAX_JOBS];
	int nth;
	struct batch **ring;	/* batches in input order */
	size_t cap, head, next, tail, count;
	struct batch *cur;	/* being filled by the main thread */
	struct batch *garbage;	/* finished, to be made empty by a worker */
	struct batch *spare;	/* made empty, to be filled again */
	int stop;
};

struct tool {
	const struct stream_opts *sopts;	/* how documents are read */
	struct schema_set *schemas;
	struct rules *rules;
	struct dsig_cache *dsig;	/* NULL with --no-verify */
	const char *receipts;	/* -R */
	int edition;		/* --edition */
	int own_schemas;	/* -s given: no edition fallback */
	int threaded;		/* -j 2 or more */
	int sax;		/* documents may be judged in one SAX pass */
	struct saxw *saxw;	/* main thread's */
	struct fdoc *fdtree;	/* main thread's: fields from a tree */
	struct schema_vctx *vctx;	/* main thread's */
	struct wcache cache;		/* main thread's */
	pthread_mutex_t find_mu;	/* schema_find() from workers */
	/* Roots whose schema failed to compile, reported once. */
	char *bad_roots[32];
	size_t nbad;
	struct pool pool;
	/* Where the messages that pass go: -o, stdout, or nowhere (the
	 * report took stdout, or stdout is a terminal and no -o asked). */
	FILE *out;
	long held;		/* messages not written to the terminal */
};

/* What judging one message found. */
struct verdict {
	long nrec, passed, failed;
	int emitted_whole;	/* every record passed */
};

/* ---- judge.c ---- */

/*
 * Parse j (when the loop did not), find its schema, open an envelope,
 * validate: everything that may run on a worker, with the worker's
 * validation context v and schema cache c (NULL: none).
 */
void judge_work(struct tool *t, struct job *j, struct schema_vctx *v,
    struct wcache *c, struct saxw *w);

/*
 * Report and pass on one judged document (main thread, input order).
 * Returns 0, or -1 when the run must stop (a write error on stdout).
 */
int judge_finish(struct tool *t, struct job *j);

/*
 * Find the schema of the root name (of message type type, NULL when not a
 * CEB type) in namespace ns; NULL with why filled (and *missing set when
 * no schema declares it).  Successful look-ups are remembered in c (may
 * be NULL).
 */
const struct schema *judge_find_schema(struct tool *t, struct wcache *c,
    const char *name, const struct msg_type *type, const char *ns,
    int *missing, char *why, size_t n);

/* A root that is not a known CEB type: one finding (what prefixes it). */
void judge_root(const struct diag_loc *at, const struct msg *m,
    enum msg_status st, const char *what);

/*
 * Judge a known-type message m (errors e from its schema; its fields fd,
 * or NULL to gather them from m's tree): report every
 * finding, run the rules, write receipts, and fill keep[] (one byte per
 * record, malloc'd, NULL when there are no records).
 */
struct verdict judge_msg(struct tool *t, const struct stream_doc *d,
    const struct msg *m, const struct fdoc *fd, const struct schema *sc,
    int missing,
    const char *why, const struct schema_errors *e, int vfail, long line,
    const struct dsig_verdict *sig, unsigned char **keep);

/*
 * The signature of m (a message, or an envelope with m->type NULL; fd its
 * fields, or NULL to look at its tree): its
 * verdict v judged by the V-SIG rules, or with --no-verify only counted.
 * Returns the number of errors (each fails the whole message).
 */
int judge_signature(struct tool *t, const struct msg *m,
    const struct fdoc *fd, const struct diag_loc *loc, struct rules_result *res,
    const struct dsig_verdict *v);

/* Pass doc on unchanged (to t->out, when there is one); 0 or -1. */
int judge_emit(struct tool *t, const struct stream_doc *doc);

/* Free what a job holds; job_free() also the job itself (pool.c's). */
void job_clear(struct job *j);
void job_free(struct job *j);

/*
 * Make a finished job of the pool empty for the next document, keeping
 * the storage it can use again (its fields, its lists of schema errors).
 */
void job_recycle(struct job *j);

/* ---- sax.c ---- */

struct saxw;	/* one thread's parser, validation and fields */

/* The SAX2 callbacks of the pass (their data is the struct saxw). */
const xmlSAXHandler *sax_handler(void);

/* A thread's pass, validating with v and finding schemas through c. */
struct saxw *sax_new(struct tool *t, struct schema_vctx *v,
    struct wcache *c);
void sax_free(struct saxw *w);

/*
 * Judge j in one pass over its bytes.  Returns 0 with j->sax set (j->m
 * without a tree, j->fd its fields, j->sc its schema: the document is
 * valid), or -1 when the tree must judge it (nothing of j is then set).
 */
int sax_judge_bytes(struct saxw *w, struct job *j);

/*
 * The same pass driven by another parser c (the stream's single scan):
 * sax_begin() before the document's first event, sax_end() after its
 * last, complete when the parser found it whole and well-formed; same
 * return as sax_judge_bytes().
 */
void sax_begin(struct saxw *w, struct job *j, xmlParserCtxtPtr c);
int sax_end(struct saxw *w, int complete);

/* ---- schemaerr.c ---- */

/*
 * Report schema error x of message m as a finding located from at (its
 * line and path from x); append it to res (may be NULL) for receipts.
 */
void serr_report(const struct diag_loc *at, const struct msg *m,
    const struct schema_error *x, struct rules_result *res);

/* Index (0-based) of the record among recs holding node, or -1. */
long serr_record_of(const struct msg *m, xmlNodePtr *recs, long nrec,
    xmlNodePtr node);

/* A schema that cannot be used: a trouble, once per root. */
void serr_trouble_once(struct tool *t, const char *root, const char *why);

/* ---- pool.c ---- */

/* Start n worker threads.  Returns 0, or -1 when none could start. */
int pool_start(struct tool *t, int n);

/*
 * Queue d (detached from the loop's stream) for the workers; finished
 * documents are judged on the way.  Returns 0, or -1 to stop the run.
 */
int pool_submit(struct tool *t, struct stream_doc *d);

/*
 * Judge and report every document queued so far (arg: the struct tool),
 * before the input loop reports a trouble of the input (loop_on_flush()).
 * Returns 0, or -1 to stop the run.
 */
int pool_flush(void *arg);

/* Finish every queued document, stop the threads; returns rc or -1. */
int pool_stop(struct tool *t, int rc);

#endif
