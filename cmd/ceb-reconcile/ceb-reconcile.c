/*
 * ceb-reconcile: 三单对碰.  Reads a stream of mixed CEB messages and
 * matches each import inventory (621) with its order (311), payment (411)
 * and waybill (511); the inventories whose three counterparts exist and
 * agree are passed on, everything else is reported.  With --state DIR,
 * documents still waiting for a counterpart are carried over to the next
 * run.  Other message types pass through untouched.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "i18n.h"
#include "loop.h"
#include "rec.h"
#include "store.h"

static const char *const synopsis[] = {
	"[-pqx] [-r report] [-s dir] [--keep-matched days] "
	    "[--lock-timeout seconds] [--mac-key file] [--max-age days] "
	    "[--max-waiting n] [--max-waiting-file n] "
	    "[--memory size] [--now date] [--run id] [--shard k/n] [--tolerance amount[%]] "
	    "[file | dir ...]",
	"--list-rules",
	NULL
};

enum {
	OPT_LIST_RULES = LOOP_OPT_LAST, OPT_MAX_AGE, OPT_KEEP, OPT_NOW,
	OPT_RUN, OPT_SHARD, OPT_TOLERANCE, OPT_MEMORY, OPT_LOCK_TIMEOUT,
	OPT_MAC_KEY, OPT_MAX_WAITING, OPT_MAX_WAITING_FILE
};

static int
parse_days(const char *opt, const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0 || v > 100000) {
		loop_usage_error(opt, _("not a number of days: %s"), s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int
parse_count(const char *opt, const char *s, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0) {
		loop_usage_error(opt, _("not a count (0: no cap): %s"), s);
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_tolerance(const char *s)
{
	size_t n = strlen(s);
	struct dec d;

	if (n > 0 && s[n - 1] == '%') {
		char buf[64];

		snprintf(buf, sizeof buf, "%.*s", (int)(n - 1), s);
		if (dec_parse_str(buf, &d) != DEC_OK || dec_sign(d) < 0)
			goto bad;
		/* Percent to basis points of a basis point: 10^5 scale. */
		rc.tol_pct = 1;
		rc.tol_bp = (long)(d.v / 1000);	/* 1/100 of a percent */
		return 0;
	}
	if (dec_parse_str(s, &d) != DEC_OK || dec_sign(d) < 0)
		goto bad;
	rc.tol = d;
	return 0;
bad:
	loop_usage_error("--tolerance",
	    _("not an amount or a percentage: %s"), s);
	return -1;
}

static long
today(void)
{
	time_t t = loop_time();
	struct tm tm;
	char buf[16];

	localtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y%m%d", &tm);
	return day_parse(buf);
}

/* What the command line says besides the options kept in rc. */
struct cmdline {
	struct stream_opts sopts;
	const char *report;		/* -r */
};

static const struct option longopts[] = {
	LOOP_LONG_OPTIONS,
	{ "keep-matched", required_argument, NULL, OPT_KEEP },
	{ "list-rules", no_argument, NULL, OPT_LIST_RULES },
	{ "lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT },
	{ "mac-key", required_argument, NULL, OPT_MAC_KEY },
	{ "max-age", required_argument, NULL, OPT_MAX_AGE },
	{ "max-waiting", required_argument, NULL, OPT_MAX_WAITING },
	{ "max-waiting-file", required_argument, NULL, OPT_MAX_WAITING_FILE },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "now", required_argument, NULL, OPT_NOW },
	{ "run", required_argument, NULL, OPT_RUN },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "state", required_argument, NULL, 's' },
	{ "tolerance", required_argument, NULL, OPT_TOLERANCE },
	{ NULL, 0, NULL, 0 }
};

/* --help: the tool's own options; loop.c adds the common ones. */
static const struct loop_opthelp opthelp[] = {
	{ "-p", N_("require the payer of the payment to be the buyer of "
	    "the order (R-BUY-005, R-BUY-006; a platform policy, off by "
	    "default)") },
	{ "-s, --state=DIR", N_("keep documents that wait for a counterpart "
	    "in the state directory DIR (created if missing)") },
	{ "-x", N_("do not pass on orders, payments and waybills") },
	{ "--keep-matched=DAYS", N_("remember matched parcels for DAYS days "
	    "(default 7), so that a late duplicate is recognised") },
	{ "--list-rules", N_("write the rule catalogue as CSV and exit") },
	{ "--lock-timeout=SECONDS", N_("wait at most SECONDS for another "
	    "run on the same state (default: CEBTOOLS_LOCK_TIMEOUT, else "
	    "60)") },
	{ "--mac-key=FILE", N_("the key of the state's MACs (default: the "
	    "store's path + .key; created on first use, mode 0600)") },
	{ "--memory=SIZE", N_("keep at most SIZE bytes of waiting documents "
	    "in memory (k, M, G; default 256M); the rest goes to a spool "
	    "file") },
	{ "--max-age=DAYS", N_("documents leave the state after waiting "
	    "DAYS days (default 7)") },
	{ "--max-waiting=N", N_("leave at most N documents of this night "
	    "waiting in the state (default 1000000; 0: no cap); R-CAP-001 "
	    "counts the rest") },
	{ "--max-waiting-file=N", N_("leave at most N documents of one "
	    "input file waiting in the state (default 100000; 0: no cap)") },
	{ "--now=DATE", N_("the date of this run, YYYY-MM-DD or YYYYMMDD "
	    "(default: today, local time)") },
	{ "--run=ID", N_("the run id (default: the date of --now and a "
	    "digest of the input files)") },
	{ "--shard=K/N", N_("judge only shard K of N (by order key); N "
	    "copies side by side cover the night") },
	{ "--tolerance=AMOUNT", N_("compare money with this tolerance: an "
	    "amount (0.01) or a percentage of the larger value (1%); "
	    "default 0, exact") },
	{ NULL, NULL }
};

static const struct loop_cli cli = {
	synopsis,
	N_("三单对碰: match each import inventory (621) with its order (311), "
	    "payment (411) and waybill (511), and pass on the inventories "
	    "whose three counterparts exist and agree; documents still "
	    "waiting carry over in the state directory."),
	"pqr:s:x", longopts, opthelp,
	N_("With no file, or when file is -, read standard input.  Other "
	    "message types pass through untouched.")
};

/*
 * The options, into rc and c.  Returns -1 to go on, else the exit status
 * (usage trouble, a bad value, --list-rules, --version).  A bad value
 * stops at once; --list-rules is answered only once every option has
 * been read.
 */
static int
options(int argc, char *argv[], struct cmdline *c)
{
	const char *run = NULL;		/* --run */
	int list = 0;			/* --list-rules */
	int ch, r;

	rc.max_age = 7;
	rc.max_waiting = 1000000;
	rc.max_waiting_file = 100000;
	rc.memory = 256u << 20;
	rc.keep = 7;
	rc.now = -1;
	rc.lock_timeout = store_lock_timeout();
	while ((ch = loop_getopt(argc, argv, &cli)) != -1) {
		if ((r = loop_common_option(ch, optarg, &c->sopts,
		    &c->report)) != 0) {
			if (r != 1)
				return r == 2 ? 0 : 2;	/* --help, --version */
			continue;
		}
		switch (ch) {
		case 'p':
			rc.payer = 1;
			break;
		case 's':
			rc.statedir = optarg;
			break;
		case 'x':
			rc.no_counterparts = 1;
			break;
		case OPT_KEEP:
			if (parse_days("--keep-matched", optarg, &rc.keep))
				return 2;
			break;
		case OPT_LIST_RULES:
			list = 1;
			break;
		case OPT_LOCK_TIMEOUT:
			if (store_parse_timeout(optarg, &rc.lock_timeout) != 0)
				return loop_usage_error("--lock-timeout",
				    _("not a number of seconds: %s"), optarg);
			break;
		case OPT_MAC_KEY:
			rc.mac_key = optarg;
			break;
		case OPT_MAX_AGE:
			if (parse_days("--max-age", optarg, &rc.max_age))
				return 2;
			break;
		case OPT_MAX_WAITING:
			if (parse_count("--max-waiting", optarg,
			    &rc.max_waiting))
				return 2;
			break;
		case OPT_MAX_WAITING_FILE:
			if (parse_count("--max-waiting-file", optarg,
			    &rc.max_waiting_file))
				return 2;
			break;
		case OPT_MEMORY:
			if (loop_parse_size(optarg, &rc.memory) != 0)
				return loop_usage_error("--memory",
				    _("not a size: %s"), optarg);
			break;
		case OPT_NOW:
			if (loop_parse_day(optarg, &rc.now) != 0)
				return loop_usage_error("--now", _("not a date "
				    "(YYYY-MM-DD or YYYYMMDD): %s"), optarg);
			rc.now_given = 1;
			break;
		case OPT_RUN:
			if (*optarg == '\0' || strlen(optarg) >= sizeof rc.run)
				return loop_usage_error("--run",
				    _("empty, or longer than %d bytes"),
				    (int)sizeof rc.run - 1);
			run = optarg;
			break;
		case OPT_SHARD:
			if (shard_parse(optarg, &rc.shard) != 0)
				return loop_usage_error("--shard",
				    _("not K/N with 1 <= K <= N <= %d: %s"),
				    SHARD_MAX, optarg);
			break;
		case OPT_TOLERANCE:
			if (parse_tolerance(optarg) != 0)
				return 2;
			break;
		default:	/* reported by loop_getopt() */
			return 2;
		}
	}
	if (list)
		return loop_list_rules("ceb-reconcile");
	if (rc.now < 0)
		rc.now = today();
	if (run)
		snprintf(rc.run, sizeof rc.run, "%s", run);
	else {
		/* Known by its input: the --now date and the digest of the
		 * input's documents (rstate_identity(), once the store is
		 * locked), so that another batch on the same day is the next
		 * run, not a redo. */
		day_format(rc.now, rc.run, sizeof rc.run);
		rc.identify = rc.statedir != NULL;
	}
	return -1;
}

/* Troubles since the count was `before', other than documents set aside. */
static long
troubles_besides(long before)
{
	return diag_trouble_count() - before - rc.n_aside;
}

/*
 * With -s, open the store (locked, its transaction begun); set up the
 * record store; with -s, load the state.  Returns 0, or -1 after
 * reporting trouble, with the store closed.
 */
static int
open_state(int argc, char *const argv[], const struct stream_opts *so)
{
	if ((rc.statedir && rstate_open() != 0) ||
	    (rc.identify && rstate_identity(argc, argv, so) != 0) ||
	    store_init() != 0 ||
	    (rc.statedir && !rc.defer && rstate_load() != 0)) {
		if (rc.statedir)
			rstate_close();
		return -1;
	}
	return 0;
}

/*
 * After the input: match and write the inventories, check stdout, and
 * only then commit the state; close the store and count.  A document
 * set aside (not well-formed, refused, cut short: loop_on_bad()) is
 * trouble for the exit status but stops nothing: every good document is
 * judged and committed.  Any other trouble commits nothing.  Returns the
 * exit status.
 */
static int
finish(long troubles)
{
	int ok = troubles_besides(troubles) == 0;

	/* Standard input with -s: the documents read, judged now. */
	if (ok && rc.defer && rstate_replay(store_doc) != 0)
		ok = 0;
	if (ok)
		ok = troubles_besides(troubles) == 0;
	if (ok) {
		match_all();
		output_inventories();
		/* stdout and the report are complete (or trouble) first. */
		(void)diag_flush();
		ok = troubles_besides(troubles) == 0;
	}
	if (rc.statedir && ok)
		(void)rstate_commit();
	if (rc.statedir)
		rstate_close();
	rec_summary();
	return diag_exit();
}

int
main(int argc, char *argv[])
{
	static struct cmdline c;
	long troubles;
	int r;

	diag_init(argv[0]);
	if ((r = options(argc, argv, &c)) >= 0)
		return r;
	if (c.report && diag_report_open(c.report, report_cols) != 0)
		return diag_exit();
	/*
	 * No tree: store.c reads the records from the document's bytes
	 * (common/scan.h), or parses a tree itself for a document the scan
	 * does not take.  CEB_RECONCILE_TREE (a test hook,
	 * tests/reconcile/scan.sh) reads every document from a tree
	 * instead, so that both paths can be compared.
	 */
	rc.tree = getenv("CEB_RECONCILE_TREE") != NULL &&
	    *getenv("CEB_RECONCILE_TREE") != '\0';
	c.sopts.no_tree = !rc.tree;
	if (open_state(argc - optind, argv + optind, &c.sopts) != 0)
		return diag_exit();
	troubles = diag_trouble_count();
	loop_on_bad(rstate_bad, NULL);
	loop_run(argc - optind, argv + optind, &c.sopts, store_doc, NULL);
	loop_on_bad(NULL, NULL);
	return finish(troubles);
}
