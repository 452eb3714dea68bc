/*
 * ceb-validate: check each CEB message against the schema of its type,
 * picked by its root element, then against the business-rule catalogue
 * (rules.h), and pass on the records that pass: the whole message byte
 * for byte when every record passes, otherwise the message reduced to its
 * passing records (ceb-stream(5)).  DxpMsg envelopes are opened and their
 * payload judged as the message it is.  The ds:Signature of every
 * message and envelope is verified (common/dsig.h) unless --no-verify.
 *
 * This file holds the options and the run; validate.h says where the
 * rest is (judging, schema errors, envelopes, the -j worker pool).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalogue.h"
#include "csvio.h"
#include "diag.h"
#include "i18n.h"
#include "loop.h"
#include "msg.h"
#include "outfile.h"
#include "rules.h"
#include "schema.h"
#include "validate.h"

static const char *const synopsis[] = {
	"[-q] [-c dir] [-j jobs] [-o file] [-R dir] [-r report] [-s dir] "
	    "[--edition 2018|2022] [--goods file] [--no-verify] "
	    "[--policy file] [--positive-list file] [--rules file] "
	    "[--tax-rates file] [--tax-tolerance x] [--tolerance x] "
	    "[--tree] [--trust file | dir] [file | dir ...]",
	"--list-rules",
	"--list-types",
	NULL
};

/*
 * The loop's callback: judge the document at once, or queue it for the
 * workers of -j.
 */
static int
validate_doc(struct stream_doc *d, void *arg)
{
	struct tool *t = arg;
	struct job local;
	int rc;

	if (t->threaded)
		return pool_submit(t, d);
	memset(&local, 0, sizeof local);
	local.d = *d;
	judge_work(t, &local, t->vctx, NULL, t->saxw);
	rc = judge_finish(t, &local);
	job_clear(&local);
	return rc;
}

static int
list_types(FILE *out)
{
	static const char *const hdr[] = { "code", "root", "name",
	    "direction", "edition" };
	const char *row[5];
	char code[16];
	size_t i;

	if (csvio_write_row(out, hdr, 5) != 0)
		return -1;
	for (i = 0; i < msg_ntypes; i++) {
		const struct msg_type *m = &msg_types[i];

		snprintf(code, sizeof code, "%d", m->code);
		row[0] = code;
		row[1] = m->root;
		row[2] = m->name_zh;
		row[3] = m->dir == MSG_IMPORT ? "import" : "export";
		row[4] = (m->editions & MSG_ED_2018) ? "2018 2022" : "2022";
		if (csvio_write_row(out, row, 5) != 0)
			return -1;
	}
	row[0] = "";
	row[1] = "DxpMsg";
	row[2] = "终端节点报文";
	row[3] = "";
	row[4] = "2018 2022";
	return csvio_write_row(out, row, 5);
}

/* The schema directories: -s DIR, or the edition's under the data dir. */
static struct schema_set *
open_schemas(const char *dir, int edition)
{
	const char *base = getenv("CEBTOOLS_DATADIR");
	char d18[4096], d22[4096];
	const char *dirs[2];

	if (dir)
		return schema_set_new(&dir, 1);
	if (base == NULL || base[0] == '\0')
		base = PKGDATADIR;
	snprintf(d18, sizeof d18, "%s/schemas/2018", base);
	snprintf(d22, sizeof d22, "%s/schemas/2022", base);
	/* 2018 first where it differs; the 2022 files serve the rest. */
	dirs[0] = edition == 2018 ? d18 : d22;
	dirs[1] = d22;
	return schema_set_new(dirs, edition == 2018 ? 2 : 1);
}

enum {
	OPT_EDITION = LOOP_OPT_LAST,
	OPT_GOODS,
	OPT_LIST_RULES,
	OPT_LIST_TYPES,
	OPT_NO_VERIFY,
	OPT_POLICY,
	OPT_POSITIVE_LIST,
	OPT_RULES,
	OPT_TAX_RATES,
	OPT_TAX_TOLERANCE,
	OPT_TOLERANCE,
	OPT_TREE,
	OPT_TRUST
};

static const struct option longopts[] = {
	LOOP_LONG_OPTIONS,
	{ "edition", required_argument, NULL, OPT_EDITION },
	{ "goods", required_argument, NULL, OPT_GOODS },
	{ "list-rules", no_argument, NULL, OPT_LIST_RULES },
	{ "list-types", no_argument, NULL, OPT_LIST_TYPES },
	{ "no-verify", no_argument, NULL, OPT_NO_VERIFY },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "positive-list", required_argument, NULL, OPT_POSITIVE_LIST },
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "tax-rates", required_argument, NULL, OPT_TAX_RATES },
	{ "tax-tolerance", required_argument, NULL, OPT_TAX_TOLERANCE },
	{ "tolerance", required_argument, NULL, OPT_TOLERANCE },
	{ "tree", no_argument, NULL, OPT_TREE },
	{ "trust", required_argument, NULL, OPT_TRUST },
	{ NULL, 0, NULL, 0 }
};

/* --help: the tool's own options; loop.c adds the common ones. */
static const struct loop_opthelp opthelp[] = {
	{ "-c DIR", N_("read the code tables from DIR instead of the "
	    "installed ones") },
	{ "-j JOBS", N_("parse and validate on JOBS threads (1 to 64, "
	    "default 1); output stays in input order") },
	{ "-o FILE", N_("write the messages that pass to FILE (- for "
	    "standard output, even a terminal); without -o they go to "
	    "standard output unless it is a terminal") },
	{ "-R DIR", N_("write a customs-style receipt for every record "
	    "judged into the directory DIR") },
	{ "-s DIR", N_("take the schemas from DIR") },
	{ "--edition=YEAR", N_("the edition of the installed schemas: 2018 "
	    "or 2022 (the default)") },
	{ "--goods=FILE", N_("a CSV file of the items' HS codes (itemNo, "
	    "gcode): the tax of each order line is then estimated") },
	{ "--list-rules", N_("write the rule catalogue as CSV (structural "
	    "S- rules, then the business rules) and exit") },
	{ "--list-types", N_("write the supported message types as CSV and "
	    "exit") },
	{ "--no-verify", N_("do not verify the XML-DSig signatures (the "
	    "summary counts them)") },
	{ "--policy=FILE", N_("the quota policy (limits, single-item "
	    "exception) instead of the shipped tables/quota-policy.csv") },
	{ "--positive-list=FILE", N_("the 正面清单 (positive list of "
	    "goods): a CSV file of 8-digit codes; goods outside it are "
	    "reported") },
	{ "--rules=FILE", N_("a CSV file (rule, enabled, severity) that "
	    "turns rules off or changes their severity") },
	{ "--tax-rates=FILE", N_("the tax rates instead of the shipped "
	    "tables/tax-rates.csv") },
	{ "--tax-tolerance=X", N_("how far a tax may differ from the "
	    "estimate: an amount or a percentage; default 0.5") },
	{ "--tolerance=X", N_("how far the amount equalities may differ: "
	    "an amount (0.01) or a percentage (1%); default 0") },
	{ "--tree", N_("judge every message from its parsed tree, as "
	    "before the one pass (the same findings, slower; for "
	    "comparison)") },
	{ "--trust=FILE|DIR", N_("PEM CA certificates (a file, or the "
	    "*.pem and *.crt of a directory) every signing certificate "
	    "must chain to") },
	{ NULL, NULL }
};

static const struct loop_cli cli = {
	synopsis,
	N_("Check CEB messages: the XSD structure of every message type, "
	    "then the business rules (check digits, arithmetic, code "
	    "tables, cross-field rules) and the XML-DSig signature; pass on "
	    "the records that pass."),
	"c:j:o:qR:r:s:", longopts, opthelp,
	N_("With no file, or when file is -, read standard input.  A "
	    "directory is read whole (every *.xml and *.xml.gz below it, in "
	    "sorted order).")
};

/* What the command line says besides struct rules_opts and t->receipts. */
struct cmdline {
	struct stream_opts sopts;
	const char *report;		/* -r */
	const char *schema_dir;		/* -s */
	const char *trust;		/* --trust */
	int no_verify;			/* --no-verify */
	int tree;			/* --tree */
	long jobs;			/* -j */
	const char *out;		/* -o */
	struct outfile *of;		/* -o FILE, being written */
};

/*
 * The options, into t, ro and c.  Returns -1 to go on, else the exit
 * status (usage trouble, a bad --edition or -j, --list-rules,
 * --list-types, --version, --help).  A listing wins over a bad --edition
 * or -j, wherever it stands on the command line.
 */
static int
options(int argc, char *argv[], struct tool *t, struct rules_opts *ro,
    struct cmdline *c)
{
	const char *jobs = NULL;	/* -j */
	const char *edition = NULL;	/* --edition */
	int listing = 0;		/* --list-rules, --list-types */
	char *end;
	int ch, r;

	while ((ch = loop_getopt(argc, argv, &cli)) != -1) {
		if ((r = loop_common_option(ch, optarg, &c->sopts,
		    &c->report)) != 0) {
			if (r != 1)
				return r == 2 ? 0 : 2;	/* --help, --version */
			continue;
		}
		switch (ch) {
		case 'c':
			ro->codes_dir = optarg;
			break;
		case 'j':
			jobs = optarg;
			break;
		case 'R':
			t->receipts = optarg;
			break;
		case 'o':
			c->out = optarg;
			break;
		case 's':
			c->schema_dir = optarg;
			break;
		case OPT_EDITION:
			edition = optarg;
			break;
		case OPT_LIST_RULES:
		case OPT_LIST_TYPES:
			listing = ch;
			break;
		case OPT_GOODS:
			ro->goods = optarg;
			break;
		case OPT_POLICY:
			ro->policy_file = optarg;
			break;
		case OPT_NO_VERIFY:
			c->no_verify = 1;
			break;
		case OPT_TREE:
			c->tree = 1;
			break;
		case OPT_TRUST:
			c->trust = optarg;
			break;
		case OPT_POSITIVE_LIST:
			ro->positive_list = optarg;
			break;
		case OPT_TAX_RATES:
			ro->tax_rates = optarg;
			break;
		case OPT_TAX_TOLERANCE:
			ro->tax_tolerance = optarg;
			break;
		case OPT_RULES:
			ro->rules_file = optarg;
			break;
		case OPT_TOLERANCE:
			ro->tolerance = optarg;
			break;
		default:	/* reported by loop_getopt() */
			return 2;
		}
	}
	if (listing == OPT_LIST_TYPES) {
		if (list_types(stdout) != 0)
			diag_write_error(_("standard output"));
		return diag_status();
	}
	if (listing == OPT_LIST_RULES) {
		if (catalogue_list(stdout, "ceb-validate") != 0)
			diag_write_error(_("standard output"));
		return diag_status();
	}
	ro->edition = 2022;
	if (edition) {
		if (strcmp(edition, "2018") != 0 && strcmp(edition, "2022") != 0)
			return loop_usage_error("--edition",
			    _("expected 2018 or 2022: %s"), edition);
		ro->edition = atoi(edition);
	}
	c->jobs = 1;
	if (jobs) {
		errno = 0;
		c->jobs = strtol(jobs, &end, 10);
		if (errno || end == jobs || *end || c->jobs < 1 ||
		    c->jobs > MAX_JOBS)
			return loop_usage_error("-j",
			    _("expected 1 to %d jobs: %s"), MAX_JOBS, jobs);
	}
	t->edition = ro->edition;
	t->own_schemas = c->schema_dir != NULL;
	return -1;
}

/*
 * Everything the run needs, in this order: the report file (-r), where
 * the messages go (-o), the rules and their tables, the schemas, the
 * certificate cache (--trust), the worker threads (-j).  Returns 0, or -1
 * after reporting the trouble.
 *
 * Without -o the messages that pass go to stdout -- unless the report
 * took it (-r -), or stdout is a terminal: an operator checking a file
 * by hand wants the findings, not the file again; -o - writes them there
 * all the same.
 */
static int
start(struct tool *t, const struct rules_opts *ro, struct cmdline *c)
{
	char err[400];

	if (c->report && diag_report_open(c->report, NULL) != 0)
		return -1;
	if (c->out) {
		if ((c->of = outfile_open(c->out, 0644, err, sizeof err)) ==
		    NULL) {
			diag_trouble(NULL, 0, "-o: %s", err);
			return -1;
		}
		t->out = outfile_stream(c->of);
	} else if (!diag_report_on_stdout() && !isatty(STDOUT_FILENO))
		t->out = stdout;
	if ((t->rules = rules_load(ro, err, sizeof err)) == NULL) {
		diag_trouble(NULL, 0, "%s", err);
		return -1;
	}
	if (t->receipts && rules_receipt_open(t->rules, t->receipts, err,
	    sizeof err) != 0) {
		diag_trouble(NULL, 0, _("-R: %s"), err);
		return -1;
	}
	if ((t->schemas = open_schemas(c->schema_dir, t->edition)) == NULL ||
	    (t->vctx = schema_vctx_new()) == NULL) {
		diag_trouble(NULL, 0, "%s", strerror(ENOMEM));
		return -1;
	}
	if (!c->no_verify && (t->dsig = dsig_cache_new(c->trust, err,
	    sizeof err)) == NULL) {
		diag_trouble(NULL, 0, "%s", err);
		return -1;
	}
	xmlInitParser();
	c->sopts.keep_rejects = 1;	/* envelopes are judged all the same */
	t->sopts = &c->sopts;
	/*
	 * One SAX pass per document unless receipts need its tree: the
	 * stream only frames, and judge_work() parses a tree for the
	 * documents that need one (invalid, signed, enveloped).
	 */
	t->sax = t->receipts == NULL && !c->tree;
	if (t->sax && (t->saxw = sax_new(t, t->vctx, &t->cache)) == NULL) {
		diag_trouble(NULL, 0, "%s", strerror(ENOMEM));
		return -1;
	}
	if (t->sax)
		c->sopts.no_parse = 1;
	if (c->jobs > 1) {
		c->sopts.no_parse = 1;
		if (pool_start(t, (int)c->jobs) != 0) {
			diag_trouble(NULL, 0, _("cannot start threads"));
			return -1;
		}
		loop_on_flush(pool_flush, t);
	}
	return 0;
}

/* After the run: stop the workers, put -o in place, free what start() made. */
static void
teardown(struct tool *t, struct cmdline *c, int rc)
{
	char err[400];

	if (t->threaded)
		pool_stop(t, rc);
	if (c->of != NULL) {
		if (diag_flush() != 0 && strcmp(c->out, "-") != 0)
			outfile_abort(c->of);
		else if (outfile_commit(c->of, err, sizeof err) != 0)
			diag_trouble(c->out, 0, "%s", err);
	}
	if (t->held > 0 && !diag_report_on_stdout())
		diag_note(_("%ld messages that pass not written to the "
		    "terminal (-o - writes them)"), t->held);
	sax_free(t->saxw);
	fdoc_free(t->fdtree);
	schema_vctx_free(t->vctx);
	schema_set_free(t->schemas);
	rules_free(t->rules);
	dsig_cache_free(t->dsig);
	while (t->nbad > 0)
		free(t->bad_roots[--t->nbad]);
}

int
main(int argc, char *argv[])
{
	struct rules_opts ropts;
	struct cmdline c;
	struct tool t;
	int r;

	diag_init(argv[0]);
	memset(&t, 0, sizeof t);
	memset(&ropts, 0, sizeof ropts);
	memset(&c, 0, sizeof c);
	if ((r = options(argc, argv, &t, &ropts, &c)) >= 0)
		return r;
	if (start(&t, &ropts, &c) != 0)
		return diag_exit();
	r = loop_run(argc - optind, argv + optind, &c.sopts, validate_doc, &t);
	teardown(&t, &c, r);
	return diag_exit();
}
