/*
 * risk.h: the parts of ceb-risk shared between its files.
 *
 * A run, in the store's one transaction (common/store.h):
 *  1. collect.c: every document of the night is passed on unchanged and
 *     what risk looks at is staged in the store under run 0: each goods
 *     line of an import inventory (621), each parcel (621: buyer,
 *     consignee address and telephone as keyed digests and masked forms,
 *     amount, the five enterprises), the records per enterprise and role
 *     (621, 411, receipts 622 with status 100, cancels 623, returns
 *     625), and the findings of the other tools' CSV reports (-R);
 *     a document already recorded by an earlier run is not staged again;
 *  2. the run's identity (the sorted digests of its documents and
 *     reports) tells a rerun: its staged rows are dropped and it is
 *     judged as the run it repeats, else they become the new run's;
 *  3. judge.c: the indicators of the policy (rpolicy.c) are computed for
 *     that run against the history up to it; each crossing is a
 *     finding (warning: risk is never a rejection) and a row of
 *     risk_scores; report.c writes the ranking (-o) and --explain.
 */
#ifndef CEB_RISK_H
#define CEB_RISK_H

#include <stddef.h>

#include "store.h"
#include "stream.h"

/* One indicator row of the risk policy in force on the night's day. */
struct rind {
	char id[16];		/* "K-GOODS-001" */
	long from;		/* YYYYMMDD */
	double threshold;
	double weight;
	long min_n;		/* fewest observations that may give a finding */
	long window;		/* days of history looked at */
	double param;		/* the indicator's second value (risk-policy.csv) */
};

struct rpolicy {
	struct rind *rows;	/* every row of the file, sorted by id, from */
	size_t n;
};

/*
 * Load the policy file (tables/risk-policy.csv).  Returns 0, or -1 with a
 * message in err and the line in *line.
 */
int rpolicy_load(struct rpolicy *p, const char *path, char *err, size_t n,
    long *line);
/* The row of indicator id in force on day YYYYMMDD (0: the latest), or
 * NULL when the policy has none (the indicator is off). */
const struct rind *rpolicy_at(const struct rpolicy *p, const char *id,
    long day);
void rpolicy_free(struct rpolicy *p);

struct risk {
	struct store *st;
	const char *store_path;		/* --store */
	const char *run_label;		/* --run */
	double lock_timeout;		/* --lock-timeout */
	const char *ranking;		/* -o */
	const char *html;		/* --html */
	int top;			/* --top */
	const char *const *reports;	/* -R, NULL-terminated */
	size_t nreports;
	struct rpolicy pol;
	void *quota;			/* struct policy * (limits) */
	/* the night */
	unsigned char *digests;		/* STORE_DIGEST_LEN each */
	size_t ndocs, capdocs;
	long records;			/* records staged */
	long dup_docs;			/* documents seen by an earlier run */
	long dup_records;		/* declarations counted already */
	long aside;
	long long run;			/* the run judged */
	long long rerun_of;
	long day;			/* YYYYMMDD of the night (latest declTime) */
	unsigned char salt[32];		/* keyed digests of personal data */
};

/* collect.c */
int collect_begin(struct risk *r);
int collect_doc(struct risk *r, struct stream_doc *d);
void collect_bad(const char *source, long index, long line,
    const char *reason, void *arg);
int collect_reports(struct risk *r);
int collect_finish(struct risk *r);

/* judge.c: returns 0 or -1 (trouble reported) */
int judge_run(struct risk *r);
/*
 * The values indicator id was computed on in the last judge_run(), crossed
 * or not, in its own unit (*thr: its threshold in that unit); NULL and
 * *n 0 when it computed none.  Valid until judge_free().
 */
const double *judge_observed(const char *id, size_t *n, double *thr);
void judge_free(void);

/* report.c */
int report_ranking(struct risk *r);
int report_explain(struct risk *r, const char *entity);
int report_html(struct risk *r);

/* rstore.c */
int rstore_open(struct risk *r, int readonly);
void rstore_close(struct risk *r);
extern const struct store_schema rstore_schema;

#endif
