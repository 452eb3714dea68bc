/*
 * ceb-quota-check: pass on the import inventories (621) that keep each
 * buyer within the personal limits of cross-border retail imports (a
 * single-transaction limit and an annual limit, effective-dated policy
 * data), counting them in a ledger that survives crashes and reruns.
 * Cancels (623), returns (625) and receipts (622) give quota back; other
 * messages pass through.  quota.h describes the steps of a run.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "ident.h"
#include "i18n.h"
#include "loop.h"
#include "mask.h"
#include "quota.h"
#include "store.h"
#include "utf8.h"

static const char *const synopsis[] = {
	"[-q] [-r report] --ledger file [--date declTime | appTime]",
	"    [--key id | id+name] [--lock-timeout seconds] [--policy file]",
	"    [--run label] [--shard K/N] [--tax-rates file]",
	"    [--year-start MMDD] [file | dir ...]",
	"--ledger file --query ID [--year year] [--key id | id+name]",
	"--ledger file --check",
	"--ledger file --correct key --used amount --reason text [--by name] "
	"[--run label]",
	"--list-rules",
	NULL
};

enum {
	OPT_LEDGER = LOOP_OPT_LAST, OPT_POLICY, OPT_DATE, OPT_KEY,
	OPT_YEAR_START, OPT_QUERY, OPT_YEAR, OPT_SHARD, OPT_LIST_RULES,
	OPT_CHECK, OPT_LOCK_TIMEOUT, OPT_RUN, OPT_TAX_RATES, OPT_MAC_KEY,
	OPT_CORRECT, OPT_USED, OPT_REASON, OPT_BY
};

static int
cb_doc(struct stream_doc *d, void *arg)
{
	return extract_doc(arg, d);
}

/*
 * Steps 1-5 of quota.h in the store's one transaction: the store is
 * opened (locked, checked, converted from a CSV ledger on first use)
 * before the input is read, so that two runs never interleave.
 */
static int
run(struct run *r, int argc, char *argv[], const struct stream_opts *so)
{
	mem_init();
	if (qstore_open(r) != 0)
		goto fail;
	if ((r->spool = spool_open()) < 0 ||
	    (r->evf.fd = spool_open()) < 0 || (r->docf.fd = spool_open()) < 0)
		goto fail;
	r->evf.size = sizeof(struct event);
	r->docf.size = sizeof(struct sdoc);
	r->spooled = 1;
	loop_on_bad(qstore_bad, r);
	loop_run(argc, argv, so, cb_doc, r);
	loop_on_bad(NULL, NULL);
	if (r->str_bad) {	/* extract.c: a string it could not keep */
		diag_trouble(NULL, 0, _("out of memory"));
		goto fail;
	}
	if (spool_flush(r) != 0) {
		diag_trouble(NULL, 0, _("cannot write the spool file: %s"),
		    strerror(errno));
		goto fail;
	}
	if (ledger_docs(r) != 0)
		goto fail;
	if (judge_prepare(r) != 0) {
		if (!r->evf.bad)
			diag_trouble(NULL, 0, _("out of memory"));
		goto fail;
	}
	if (ledger_read(r) != 0 || judge_run(r) != 0 || ledger_write(r) != 0)
		goto fail;
	if (getenv("CEB_QUOTA_CHECK_CRASH_AFTER_COMMIT"))
		abort();	/* test hook: die between commit and output */
	(void)emit_run(r);
	spool_close(r);
	rec_close(&r->evf);
	rec_close(&r->docf);
	qstore_close(r);
	return 0;
fail:
	spool_close(r);
	rec_close(&r->evo);
	rec_close(&r->evf);
	rec_close(&r->docf);
	qstore_close(r);
	return -1;
}

static int
parse_mmdd(const char *s, int *out)
{
	char buf[16];

	if (strlen(s) != 4 || strspn(s, "0123456789") != 4)
		return -1;
	snprintf(buf, sizeof buf, "2000%s", s);	/* a leap year */
	if (policy_parse_day(buf) < 0 || strcmp(s, "0229") == 0)
		return -1;
	*out = atoi(s);
	return 0;
}

static int
policy_default(struct run *r, const char *path, const char *tax_rates)
{
	char buf[4096], err[512];
	long line;
	const char *env = getenv("CEBTOOLS_DATADIR");

	if (path == NULL) {
		snprintf(buf, sizeof buf, "%s/tables/quota-policy.csv",
		    env && *env ? env : PKGDATADIR);
		path = buf;
	}
	if (policy_load(&r->pol, path, err, sizeof err, &line) != 0) {
		diag_trouble(path, line, "%s", err);
		return -1;
	}
	/* The rates of the report's estimated tax (common/tax.h). */
	if ((path = tax_rates) == NULL) {
		snprintf(buf, sizeof buf, "%s/tables/tax-rates.csv",
		    env && *env ? env : PKGDATADIR);
		path = buf;
	}
	if ((r->tax = tax_load(path, err, sizeof err)) == NULL) {
		diag_trouble(path, 0, "%s", err);
		return -1;
	}
	return 0;
}

/* What the command line says besides what goes into struct run. */
struct cmdline {
	struct stream_opts sopts;
	const char *report;		/* -r */
	const char *policy;		/* --policy */
	const char *tax_rates;		/* --tax-rates */
	const char *query;		/* --query */
	long year;			/* --year */
	int check;			/* --check */
	struct correction corr;		/* --correct, --used, --reason, --by */
	const char *used;		/* --used as given */
};

static const struct option longopts[] = {
	LOOP_LONG_OPTIONS,
	{ "ledger", required_argument, NULL, OPT_LEDGER },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "date", required_argument, NULL, OPT_DATE },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "year-start", required_argument, NULL, OPT_YEAR_START },
	{ "query", required_argument, NULL, OPT_QUERY },
	{ "year", required_argument, NULL, OPT_YEAR },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "list-rules", no_argument, NULL, OPT_LIST_RULES },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT },
	{ "run", required_argument, NULL, OPT_RUN },
	{ "tax-rates", required_argument, NULL, OPT_TAX_RATES },
	{ "mac-key", required_argument, NULL, OPT_MAC_KEY },
	{ "correct", required_argument, NULL, OPT_CORRECT },
	{ "used", required_argument, NULL, OPT_USED },
	{ "reason", required_argument, NULL, OPT_REASON },
	{ "by", required_argument, NULL, OPT_BY },
	{ NULL, 0, NULL, 0 }
};

/* The extra columns of the report (-r). */
static const char *const report_cols[] = {
	"person", "year", "amount", "single_limit", "annual_limit", "used",
	"remaining", "outcome", "tax", NULL
};

/* --help: the tool's own options; loop.c adds the common ones. */
static const struct loop_opthelp opthelp[] = {
	{ "--by=NAME", N_("who makes the correction (default: the login "
	    "name of the user running it)") },
	{ "--check", N_("check the ledger's MACs (every event, inventory "
	    "and buyer total, the chain of events) and that every buyer's "
	    "total equals its events and its counted inventories, and "
	    "exit") },
	{ "--correct=KEY", N_("set what the inventory KEY (its invtNo, or "
	    "ebpCode/orderNo, agentCode/copNo, ebcCode/copNo) uses of its "
	    "buyer's year to --used, as a new event that says who and why "
	    "(--by, --reason), and exit") },
	{ "--date=WHICH", N_("the date that puts an inventory in a year and "
	    "a policy row: declTime (the default) or appTime") },
	{ "--key=WHAT", N_("what identifies a person: id (the ID number, the "
	    "default) or id+name") },
	{ "--ledger=FILE", N_("the quota ledger, an SQLite store (required; "
	    "created when missing; a CSV ledger is converted)") },
	{ "--list-rules", N_("write the rule catalogue as CSV and exit") },
	{ "--mac-key=FILE", N_("the key of the ledger's MACs (default: the "
	    "store's path + .key; created on first use, mode 0600)") },
	{ "--policy=FILE", N_("limits from FILE instead of the shipped "
	    "table") },
	{ "--query=ID", N_("write, as CSV, what the person ID has used of "
	    "the year's limits and what remains, and exit") },
	{ "--reason=TEXT", N_("why the correction is made (required with "
	    "--correct)") },
	{ "--lock-timeout=SECONDS", N_("wait at most SECONDS for another "
	    "run that holds the ledger (default 60)") },
	{ "--run=LABEL", N_("a name recorded with the run in the ledger") },
	{ "--used=AMOUNT", N_("what the inventory of --correct uses from now "
	    "on: 0 (everything given back) up to its amount") },
	{ "--tax-rates=FILE", N_("the rates of the report's estimated tax "
	    "instead of the shipped tables/tax-rates.csv") },
	{ "--shard=K/N", N_("keep only shard K of N (by buyer); N copies "
	    "side by side cover the night") },
	{ "--year=YEAR", N_("the year of --query (default: the quota year "
	    "of today)") },
	{ "--year-start=MMDD", N_("the day the quota year starts (default "
	    "0101)") },
	{ NULL, NULL }
};

static const struct loop_cli cli = {
	synopsis,
	N_("Pass on the import inventories (621) that keep each buyer within "
	    "the single-transaction and annual limits, counting them in a "
	    "ledger that survives crashes and reruns; cancels (623), returns "
	    "(625) and receipts (622) give quota back."),
	"qr:", longopts, opthelp,
	N_("With no file, or when file is -, read standard input.  Other "
	    "message types pass through untouched.")
};

/*
 * The values of --date, --key and --year-start, checked as they come
 * (loop_usage_error() then names the configuration line they came
 * from), into r.  Returns -1 to go on, else 2.
 */
static int
check_value(struct run *r, int opt, const char *v)
{
	switch (opt) {
	case OPT_DATE:
		if (strcmp(v, "declTime") != 0 && strcmp(v, "appTime") != 0)
			return loop_usage_error("--date",
			    _("declTime or appTime: %s"), v);
		r->use_apptime = strcmp(v, "appTime") == 0;
		break;
	case OPT_KEY:
		if (strcmp(v, "id") != 0 && strcmp(v, "id+name") != 0)
			return loop_usage_error("--key",
			    _("id or id+name: %s"), v);
		r->key_name = strcmp(v, "id+name") == 0;
		break;
	case OPT_YEAR_START:
		if (parse_mmdd(v, &r->pol.year_start) != 0)
			return loop_usage_error("--year-start",
			    _("not a day MMDD: %s"), v);
		break;
	}
	return -1;
}

/*
 * The ID of --query: what a buyerIdNumber can be.  An 18-character
 * resident ID number (17 digits and a check character) or a 15-digit one
 * must pass GB 11643; anything else must look like a passport or permit
 * number (5 to 60 letters and digits).  A typing error must never come
 * back as "nothing used, full quota".  Returns 0, or -1 after reporting.
 */
static int
check_query(const char *id)
{
	size_t n = strlen(id), i, digits = 0;
	char shown[128];
	enum ident_err e;

	for (i = 0; i < n; i++)
		if (id[i] >= '0' && id[i] <= '9')
			digits++;
	mask(MASK_ID, id, shown, sizeof shown);
	if (n >= 14 && digits >= n - 1) {	/* meant as an ID number */
		if (n == 15 && digits == 15)
			e = IDENT_OK;	/* no check character to judge */
		else if (n == 18)
			e = ident_check_id(id, n, NULL, NULL);
		else
			e = IDENT_LENGTH;
		if (e != IDENT_OK) {
			loop_usage_error("--query", _("not a valid ID number "
			    "(%s): %s"), _(ident_strerror(e)), shown);
			return -1;
		}
		return 0;
	}
	for (i = 0; i < n; i++)
		if (!((id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'A' && id[i] <= 'Z') ||
		    (id[i] >= 'a' && id[i] <= 'z')))
			break;
	if (n < 5 || n > 60 || i < n) {
		loop_usage_error("--query", _("not an ID number (18 "
		    "characters of GB 11643, or 5 to 60 letters and digits): "
		    "%s"), shown);
		return -1;
	}
	return 0;
}

/*
 * Text of --reason or --by (max bytes): not empty, and nothing that could
 * forge a line or steer a terminal where it is shown (utf8_escape()).
 * Returns -1 to go on, else 2 after reporting.
 */
static int
check_text(const char *opt, const char *v, size_t max)
{
	char shown[512];

	if (*v == '\0' || strspn(v, " ") == strlen(v))
		return loop_usage_error(opt, _("empty"));
	if (strlen(v) > max)
		return loop_usage_error(opt, _("longer than %zu bytes"), max);
	if (utf8_needs_escape(v)) {
		utf8_escape(v, shown, sizeof shown);
		return loop_usage_error(opt, _("holds control characters or "
		    "bytes that are not UTF-8: %s"), shown);
	}
	return -1;
}

/*
 * --correct and its companions, after every option: --used an exact
 * amount, 0 up to 2 decimals, not negative; --reason required; --by
 * defaults to the login name of the real user.  Returns -1 to go on,
 * else 2 after reporting.
 */
static int
check_correction(struct cmdline *c, int operands)
{
	static char who[64];
	struct correction *k = &c->corr;
	struct passwd *pw;
	int rc;

	if (k->key == NULL)
		return loop_usage_error(c->used ? "--used" : k->reason ?
		    "--reason" : "--by", _("only with --correct"));
	if (c->query || c->check)
		return loop_usage_error("--correct", _("not with --query or "
		    "--check"));
	if (operands > 0)
		return loop_usage_error("--correct", _("takes no input files"));
	if (*k->key == '\0')
		return loop_usage_error("--correct", _("empty"));
	if (c->used == NULL)
		return loop_usage_error("--used", _("required with --correct"));
	if (dec_parse_str(c->used, &k->used) != DEC_OK ||
	    dec_cmp(dec_round(k->used, 2), k->used) != 0)
		return loop_usage_error("--used", _("not an amount (digits, "
		    "at most 2 after the point): %s"), c->used);
	if (dec_sign(k->used) < 0)
		return loop_usage_error("--used", _("negative: %s"), c->used);
	if (k->reason == NULL)
		return loop_usage_error("--reason", _("required with "
		    "--correct: say why"));
	if ((rc = check_text("--reason", k->reason, 1000)) >= 0)
		return rc;
	if (k->by == NULL) {
		if ((pw = getpwuid(getuid())) != NULL && pw->pw_name[0])
			snprintf(who, sizeof who, "%s", pw->pw_name);
		else
			snprintf(who, sizeof who, "uid %lu",
			    (unsigned long)getuid());
		k->by = who;
	}
	return check_text("--by", k->by, 200);
}

/*
 * The options, into r and c.  Returns -1 to go on, else the exit status
 * (usage trouble, a bad value, --list-rules, --version).  --year and
 * --shard are checked as they come; --list-rules, then --date, --key,
 * --year-start and a missing --ledger once every option has been read.
 */
static int
options(int argc, char *argv[], struct run *r, struct cmdline *c)
{
	int list = 0;			/* --list-rules */
	int ch, rc;

	r->ledger_path = NULL;		/* --ledger */
	r->spool = -1;
	r->evf.fd = r->evo.fd = r->docf.fd = -1;
	r->lock_timeout = store_lock_timeout();	/* --lock-timeout */
	r->pol.year_start = 101;
	while ((ch = loop_getopt(argc, argv, &cli)) != -1) {
		if ((rc = loop_common_option(ch, optarg, &c->sopts,
		    &c->report))) {
			if (rc != 1)
				return rc == 2 ? 0 : 2;	/* --help, --version */
			continue;
		}
		switch (ch) {
		case OPT_LEDGER:
			r->ledger_path = optarg;
			break;
		case OPT_POLICY:
			c->policy = optarg;
			break;
		case OPT_DATE:		/* --date */
		case OPT_KEY:		/* --key */
		case OPT_YEAR_START:	/* --year-start */
			if ((rc = check_value(r, ch, optarg)) >= 0)
				return rc;
			break;
		case OPT_QUERY:
			c->query = optarg;
			break;
		case OPT_YEAR: {
			char *end;

			c->year = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' ||
			    c->year < 1900 || c->year > 9999)
				return loop_usage_error("--year",
				    _("not a year: %s"), optarg);
			break;
		}
		case OPT_SHARD:
			if (shard_parse(optarg, &r->shard) != 0)
				return loop_usage_error("--shard",
				    _("not K/N with 1 <= K <= N <= %d: %s"),
				    SHARD_MAX, optarg);
			break;
		case OPT_LIST_RULES:
			list = 1;
			break;
		case OPT_CHECK:
			c->check = 1;
			break;
		case OPT_LOCK_TIMEOUT:
			if (store_parse_timeout(optarg, &r->lock_timeout) != 0) {
				diag_trouble(NULL, 0, _("--lock-timeout: not a "
				    "number of seconds: %s"), optarg);
				return 2;
			}
			break;
		case OPT_RUN:
			r->run_label = optarg;
			break;
		case OPT_TAX_RATES:
			c->tax_rates = optarg;
			break;
		case OPT_MAC_KEY:
			r->mac_key_path = optarg;
			break;
		case OPT_CORRECT:
			c->corr.key = optarg;
			break;
		case OPT_USED:
			c->used = optarg;
			break;
		case OPT_REASON:
			c->corr.reason = optarg;
			break;
		case OPT_BY:
			c->corr.by = optarg;
			break;
		default:	/* reported by loop_getopt() */
			return 2;
		}
	}
	if (list)
		return loop_list_rules("ceb-quota-check");
	if (r->ledger_path == NULL || *r->ledger_path == '\0')
		return loop_usage_error("--ledger", _("required"));
	if (c->query && check_query(c->query) != 0)
		return 2;
	if ((c->corr.key || c->used || c->corr.reason || c->corr.by) &&
	    (rc = check_correction(c, argc - optind)) >= 0)
		return rc;
	return -1;
}

/* --query: what the buyer has used in --year (default: this quota year). */
static int
do_query(struct run *r, const struct cmdline *c)
{
	long year = c->year;

	if (year == 0) {
		time_t now = time(NULL);
		struct tm tm;

		localtime_r(&now, &tm);
		year = policy_year(&r->pol, (long)(tm.tm_year + 1900) *
		    10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
	}
	return ledger_query(r, c->query, (int)year) == 0 ? diag_status() : 2;
}

/*
 * After the options: --check (it needs no policy); else the policy is
 * loaded, then --query (it reads the store without taking the lock);
 * else a run: the report (-r) is opened before run() takes the ledger's
 * lock and goes through quota.h's steps.
 */
int
main(int argc, char *argv[])
{
	static struct run r;
	static struct cmdline c;
	int rc;

	diag_init(argv[0]);
	if ((rc = options(argc, argv, &r, &c)) >= 0)
		return rc;
	if (c.check)
		return ledger_check(&r) == 0 ? 0 : 2;
	if (c.corr.key)
		return ledger_correct(&r, &c.corr) == 0 ? diag_status() : 2;
	if (policy_default(&r, c.policy, c.tax_rates) != 0)
		return 2;
	if (c.query)
		return do_query(&r, &c);
	if (c.report && diag_report_open(c.report, report_cols) != 0)
		return diag_exit();
	/*
	 * No tree: extract.c reads the fields from the document's bytes.
	 * CEB_QUOTA_CHECK_TREE (a test hook, tests/quota/scan.sh) parses
	 * every document into a tree instead, so that both paths can be
	 * compared.
	 */
	c.sopts.no_tree = getenv("CEB_QUOTA_CHECK_TREE") == NULL ||
	    *getenv("CEB_QUOTA_CHECK_TREE") == '\0';
	(void)run(&r, argc - optind, argv + optind, &c.sopts);
	return diag_exit();
}
