/*
 * ceb-risk: risk monitoring across nights (风险分析和布控) on the goods
 * (per HS code and unit: undervaluation, weight per unit, origin), on
 * parcel splitting and quota abuse (拆单, 蚂蚁搬家) and on the
 * enterprises of each role (rates of the other tools' findings per 1,000
 * records, against their own past and their peers), with the history in
 * the store.  Every message passes through unchanged: risk is never a
 * rejection.  risk.h describes the steps of a run.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "i18n.h"
#include "loop.h"
#include "policy.h"
#include "risk.h"
#include "store.h"

static const char *const synopsis[] = {
	"[-q] [-o ranking.csv] [-r report] [-R report.csv ...] --store file "
	"[--html file] [--lock-timeout seconds] [--policy file] "
	"[--quota-policy file] [--run label] [--top n] [file | dir ...]",
	"--store file --explain entity",
	"--list-rules",
	NULL
};

enum {
	OPT_STORE = LOOP_OPT_LAST, OPT_POLICY, OPT_QUOTA_POLICY, OPT_EXPLAIN,
	OPT_LIST_RULES, OPT_LOCK_TIMEOUT, OPT_RUN, OPT_TOP, OPT_HTML
};

static const struct option longopts[] = {
	LOOP_LONG_OPTIONS,
	{ "store", required_argument, NULL, OPT_STORE },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "quota-policy", required_argument, NULL, OPT_QUOTA_POLICY },
	{ "explain", required_argument, NULL, OPT_EXPLAIN },
	{ "list-rules", no_argument, NULL, OPT_LIST_RULES },
	{ "lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT },
	{ "run", required_argument, NULL, OPT_RUN },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "html", required_argument, NULL, OPT_HTML },
	{ NULL, 0, NULL, 0 }
};

/* The extra columns of the report (-r): judge.c fills them. */
static const char *const report_cols[] = {
	"dimension", "entity", "value", "threshold", "baseline",
	"observations", NULL
};

static const struct loop_opthelp opthelp[] = {
	{ "--explain=ENTITY", N_("print each indicator ENTITY (as the "
	    "ranking names it) crossed in the latest run that scored it, "
	    "its value, threshold and the records behind it, and exit") },
	{ "--html=FILE", N_("write the operator's page of the run to FILE: "
	    "one self-contained HTML file with SVG charts (top risks, each "
	    "indicator's values and threshold, the trend over the nights) "
	    "and the ranking") },
	{ "--list-rules", N_("write the indicator catalogue as CSV and "
	    "exit") },
	{ "--lock-timeout=SECONDS", N_("wait at most SECONDS for another "
	    "run that holds the store (default 60)") },
	{ "-o FILE", N_("write the ranking (CSV: rank, dimension, entity, "
	    "label, score, indicators, run) to FILE") },
	{ "--policy=FILE", N_("indicators, thresholds and weights from FILE "
	    "instead of the shipped tables/risk-policy.csv") },
	{ "--quota-policy=FILE", N_("the single-transaction limit from FILE "
	    "instead of the shipped tables/quota-policy.csv") },
	{ "-R FILE", N_("read the findings of another tool's CSV report "
	    "(ceb-validate, ceb-reconcile, ceb-quota-check, "
	    "ceb-manifest-writeoff); may be repeated") },
	{ "--run=LABEL", N_("a name recorded with the run in the store") },
	{ "--store=FILE", N_("the history, an SQLite store (required; "
	    "created when missing)") },
	{ "--top=N", N_("write only the first N entities of the ranking") },
	{ NULL, NULL }
};

static const struct loop_cli cli = {
	synopsis,
	N_("Judge the night's messages and the other tools' reports against "
	    "the history in the store: undervalued goods, unusual weights "
	    "and origins, parcel splitting and quota abuse, and the finding "
	    "rates of each enterprise; rank what crossed the policy's "
	    "thresholds.  Every message passes through unchanged."),
	"o:qr:R:", longopts, opthelp,
	N_("With no file, or when file is -, read standard input.  Every "
	    "finding is a warning: risk is never a rejection.")
};

/* What the command line says besides what goes into struct risk. */
struct cmdline {
	struct stream_opts sopts;
	const char *report;		/* -r */
	const char *policy;		/* --policy */
	const char *quota_policy;	/* --quota-policy */
	const char *explain;		/* --explain */
	const char **reports;		/* -R */
	size_t nreports;
};

static int
add_report(struct cmdline *c, const char *path)
{
	const char **p = realloc(c->reports, (c->nreports + 2) * sizeof *p);

	if (p == NULL)
		return -1;
	c->reports = p;
	p[c->nreports++] = path;
	p[c->nreports] = NULL;
	return 0;
}

/*
 * The options, into r and c.  Returns -1 to go on, else the exit status.
 */
static int
options(int argc, char *argv[], struct risk *r, struct cmdline *c)
{
	int list = 0;			/* --list-rules */
	int ch, rc;
	char *end;

	r->lock_timeout = store_lock_timeout();	/* --lock-timeout */
	while ((ch = loop_getopt(argc, argv, &cli)) != -1) {
		if ((rc = loop_common_option(ch, optarg, &c->sopts,
		    &c->report))) {
			if (rc != 1)
				return rc == 2 ? 0 : 2;	/* --help, --version */
			continue;
		}
		switch (ch) {
		case 'o':
			r->ranking = optarg;
			break;
		case 'R':
			if (add_report(c, optarg) != 0) {
				diag_trouble(NULL, 0, _("out of memory"));
				return 2;
			}
			break;
		case OPT_STORE:
			r->store_path = optarg;
			break;
		case OPT_POLICY:
			c->policy = optarg;
			break;
		case OPT_QUOTA_POLICY:
			c->quota_policy = optarg;
			break;
		case OPT_EXPLAIN:
			c->explain = optarg;
			break;
		case OPT_LIST_RULES:
			list = 1;
			break;
		case OPT_LOCK_TIMEOUT:
			if (store_parse_timeout(optarg, &r->lock_timeout) != 0)
				return loop_usage_error("--lock-timeout",
				    _("not a number of seconds: %s"), optarg);
			break;
		case OPT_RUN:
			r->run_label = optarg;
			break;
		case OPT_HTML:
			r->html = optarg;
			break;
		case OPT_TOP:
			r->top = (int)strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || r->top < 1 ||
			    r->top > 1000000)
				return loop_usage_error("--top",
				    _("not a number from 1 to 1000000: %s"),
				    optarg);
			break;
		default:	/* reported by loop_getopt() */
			return 2;
		}
	}
	if (list)
		return loop_list_rules("ceb-risk");
	if (r->store_path == NULL || *r->store_path == '\0')
		return loop_usage_error("--store", _("required"));
	r->reports = c->reports;
	r->nreports = c->nreports;
	return -1;
}

/* The shipped table name under the data directory, or path. */
static const char *
table(const char *path, const char *name, char *buf, size_t n)
{
	const char *env = getenv("CEBTOOLS_DATADIR");

	if (path)
		return path;
	snprintf(buf, n, "%s/tables/%s", env && *env ? env : PKGDATADIR, name);
	return buf;
}

static int
policies(struct risk *r, const struct cmdline *c)
{
	static struct policy quota;
	char buf[4096], err[512];
	const char *path;
	long line;

	path = table(c->policy, "risk-policy.csv", buf, sizeof buf);
	if (rpolicy_load(&r->pol, path, err, sizeof err, &line) != 0) {
		diag_trouble(path, line, "%s", err);
		return -1;
	}
	path = table(c->quota_policy, "quota-policy.csv", buf, sizeof buf);
	quota.year_start = 101;
	if (policy_load(&quota, path, err, sizeof err, &line) != 0) {
		diag_trouble(path, line, "%s", err);
		return -1;
	}
	r->quota = &quota;
	return 0;
}

static int
cb_doc(struct stream_doc *d, void *arg)
{
	return collect_doc(arg, d);
}

/*
 * The steps of risk.h in the store's one transaction; the report is
 * flushed before the commit, so that a night whose findings are lost is
 * not counted as done.
 */
static void
run(struct risk *r, int argc, char *argv[], const struct stream_opts *so)
{
	if (rstore_open(r, 0) != 0)
		return;
	if (collect_begin(r) != 0)
		goto out;
	loop_on_bad(collect_bad, r);
	if (loop_run(argc, argv, so, cb_doc, r) != 0 && diag_status() > 1) {
		loop_on_bad(NULL, NULL);
		goto out;
	}
	loop_on_bad(NULL, NULL);
	diag_records(r->records, r->records, 0);
	if (collect_reports(r) != 0 || collect_finish(r) != 0 ||
	    judge_run(r) != 0 || report_ranking(r) != 0 ||
	    report_html(r) != 0)
		goto out;
	if (r->dup_docs)
		diag_tally(_("documents seen before"), r->dup_docs);
	if (r->dup_records)
		diag_tally(_("records counted before"), r->dup_records);
	if (r->rerun_of)
		diag_note(_("a rerun of run %lld: judged as it was, nothing "
		    "counted again"), r->rerun_of);
	if (diag_flush() != 0)
		goto out;
	if (store_commit(r->st) != 0)
		diag_trouble(r->store_path, 0, "%s", store_errmsg(r->st));
out:
	judge_free();
	rstore_close(r);
}

int
main(int argc, char *argv[])
{
	static struct risk r;
	static struct cmdline c;
	int rc;

	diag_init(argv[0]);
	if ((rc = options(argc, argv, &r, &c)) >= 0)
		return rc;
	if (c.explain) {
		if (rstore_open(&r, 1) != 0)
			return 2;
		rc = report_explain(&r, c.explain);
		rstore_close(&r);
		return rc;
	}
	if (policies(&r, &c) != 0)
		return 2;
	if (c.report && diag_report_open(c.report, report_cols) != 0)
		return diag_exit();
	run(&r, argc - optind, argv + optind, &c.sopts);
	return diag_exit();
}
