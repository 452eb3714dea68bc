/*
 * ceb-gen: write a realistic, deterministic batch of CEB messages -- the
 * kind of batch a large platform produces in a night -- with an answer
 * key naming every record that carries an injected defect.  Tests assert
 * counts against the key; benchmarks run every tool on what it writes.
 *
 * Same options and seed, same bytes.  Parcels are made one at a time, so
 * memory does not grow with the batch (only a few bytes per buyer, to
 * keep the quotas honest).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "gen.h"
#include "i18n.h"
#include "loop.h"

static const char *const synopsis[] = {
	"[-dqz] [-D kind=rate] [-e export] [-k keyfile] [-m manifest.csv] "
	"[-n import] [-o path] [-s seed] [-x manifest-xml] [--days n] "
	"[--start yyyymmdd] [--records n] [--split n] [--bill-size n] "
	"[--bonded-share f] [--sign rsa|sm2|none] [--sign-key key] "
	"[--sign-cert cert] "
	"[--cancel-rate f] [--return-rate f] [--receipts 0|1] "
	"[--sender-shapes] [--kind=rate]",
	"--list-defects",
	NULL
};

/*
 * The defect kinds, in answer-key order.  The family prefix lets a
 * consumer map kinds to its rules: struct- (XSD structure), biz-
 * (business rules of one record), rec- (三单对碰), quota- (personal
 * limits), exp- (export write-off).  man/ceb-gen.1 says exactly what
 * each one changes and which record its key row names.
 */
const struct gen_defect gen_defects[] = {
	{ "struct-missing-element", FAM_IMPORT,
	  N_("621 InventoryHead lacks a required element (portCode or netWeight)") },
	{ "struct-overlength", FAM_IMPORT,
	  N_("621 InventoryHead note of 1001 characters (C..1000)") },
	{ "struct-wrong-order", FAM_IMPORT,
	  N_("621 InventoryHead declTime written before ieFlag") },
	{ "struct-duplicate-block", FAM_IMPORT,
	  N_("621 Inventory holds its InventoryHead twice") },
	{ "biz-id-check-digit", FAM_IMPORT,
	  N_("buyer ID number with a wrong check character (311, 411, 621)") },
	{ "biz-birth-date", FAM_IMPORT,
	  N_("buyer ID number with an impossible birth date, right check "
	  "character (311, 411, 621)") },
	{ "biz-line-total", FAM_IMPORT,
	  N_("621 first line totalPrice is qty x price + 1.00") },
	{ "biz-paid-sum", FAM_IMPORT,
	  N_("311 taxTotal 1.00 more than acturalPaid accounts for") },
	{ "biz-code-table", FAM_IMPORT,
	  N_("621 wrapType 9 (not in the 1-7 code table)") },
	{ "biz-guid-lowercase", FAM_IMPORT,
	  N_("621 InventoryHead guid in lower case") },
	{ "rec-missing-order", FAM_IMPORT, N_("the parcel has no 311 order") },
	{ "rec-missing-payment", FAM_IMPORT, N_("the parcel has no 411 payment") },
	{ "rec-missing-waybill", FAM_IMPORT, N_("the parcel has no 511 waybill") },
	{ "rec-amount-mismatch", FAM_IMPORT,
	  N_("411 amountPaid differs from 311 acturalPaid") },
	{ "rec-buyer-mismatch", FAM_IMPORT,
	  N_("411 payer is another person than the 311/621 buyer") },
	{ "rec-consignee-mismatch", FAM_IMPORT,
	  N_("511 consigneeTelephone differs from the 311 order") },
	{ "rec-line-mismatch", FAM_IMPORT,
	  N_("621 first line qty doubled and price halved against the 311 line") },
	{ "quota-over-single", FAM_IMPORT,
	  N_("621 of several lines with dutiable value 5000.01 .. 9000") },
	{ "quota-over-annual", FAM_IMPORT,
	  N_("621 that takes a buyer's calendar-year total over 26000") },
	{ "quota-single-item", FAM_IMPORT,
	  N_("621 of one item (one line, qty 1) worth 5100 .. 12000") },
	{ "sig-changed-after-signing", FAM_IMPORT,
	  N_("621 message whose root guid is changed after it was signed") },
	{ "sig-bad-digest", FAM_IMPORT,
	  N_("621 message whose DigestValue is altered after signing") },
	{ "sig-bad-signature", FAM_IMPORT,
	  N_("621 message whose SignatureValue is altered after signing") },
	{ "sig-wrong-certificate", FAM_IMPORT,
	  N_("621 message whose X509Certificate is another signer's") },
	{ "exp-not-departed", FAM_EXPORT,
	  N_("released 603 parcel on its 607 but on no 509 departure") },
	{ "exp-departed-unreleased", FAM_EXPORT,
	  N_("603 parcel departed (607, 509, manifest) without a 604 800") },
	{ "exp-duplicate-logisticsno", FAM_EXPORT,
	  N_("603 parcel's logisticsNo on the 607/509 of two masters") },
	{ "exp-weight-mismatch", FAM_EXPORT,
	  N_("603 grossWeight 1.5 x + 0.5 kg of the weight on 505/607/manifest") },
	{ "exp-missing-part", FAM_EXPORT_BILL,
	  N_("one msgSeqNo part of a split 607 is never written") },
	{ "risk-undervalued", FAM_RISK,
	  N_("621 first line priced at 0.08 .. 0.20 times the low end of its "
	  "goods' price range") },
	{ "risk-weight", FAM_RISK,
	  N_("one-line 621 whose netWeight is 6 times its goods' weight") },
	{ "risk-origin", FAM_RISK,
	  N_("621 first line from a country its goods never come from") },
	{ "risk-ring", FAM_RISK,
	  N_("parcel of a ring of 5 buyer IDs sharing one address and "
	  "telephone (rings of 5 parcels or more)") },
	{ "risk-split-basket", FAM_RISK,
	  N_("parcel of one buyer's basket split over 3 or more orders of "
	  "one e-commerce company on one day, 1800 .. 2400 each") },
	{ "risk-under-limit", FAM_RISK,
	  N_("parcel of a buyer landing at 4600 .. 4990 again and again "
	  "(groups of 3 or more)") },
	{ "risk-mismatch-ebc", FAM_RISK,
	  N_("parcel of one e-commerce company (the last of the batch) whose "
	  "411 amountPaid differs from the 311 acturalPaid") },
	{ "risk-not-departed", FAM_RISK,
	  N_("export parcel of one logistics company (the batch's last "
	  "carrier), released but on no bill (607, 509) nor manifest: it "
	  "never departs") },
};

/* --help: the fixed options; options() adds one line per defect kind. */
static const struct loop_opthelp base_opthelp[] = {
	{ "-D KIND=RATE", N_("inject defects of KIND (--list-defects): RATE is "
	    "a share (0.01 or 1%) or a whole count (25); KIND all "
	    "sets every kind but the risk- kinds") },
	{ "-d", N_("one file per message in the directory -o") },
	{ "-e, --export=N", N_("number of export parcels (default 0)") },
	{ "-k KEYFILE", N_("write the answer key (CSV) to KEYFILE") },
	{ "-m FILE", N_("write the carrier's manifest as CSV to FILE") },
	{ "-n, --import=N", N_("number of import parcels (default 100)") },
	{ "-o PATH", N_("where the batch goes (default: standard output; "
	    "-d and --days need a directory)") },
	{ "-q", N_("no summary line") },
	{ "-s, --seed=SEED", N_("the seed (default 1): same options and seed, "
	    "same bytes") },
	{ "-x PATH", N_("write the manifest XML documents (a file, or a "
	    "directory with -d)") },
	{ "-z", N_("compress the batch with gzip") },
	{ "--bill-size=N", N_("at most N export parcels under one master bill"
	    " (default 2500)") },
	{ "--bonded-share=F", N_("share of bonded (1210) import parcels, 0..1 "
	    "or a percentage (default 0.6)") },
	{ "--cancel-rate=F", N_("share of clean import parcels cancelled by a"
	    " CEB623 after release (default 0.002)") },
	{ "--return-rate=F", N_("share of clean import parcels returned by a"
	    " CEB625 after release (default 0.005)") },
	{ "--days=N", N_("spread the batch over N days (default 1)") },
	{ "--list-defects", N_("write the defect kinds as CSV and exit") },
	{ "--no-receipts", N_("write no receipts (CEB622, CEB604); the same "
	    "as --receipts=0") },
	{ "--receipts=0|1", N_("write receipts or not (default 1)") },
	{ "--records=N", N_("exactly N records in each message (1..100; "
	    "default 0: a realistic mix)") },
	{ "--sender-shapes", N_("write what many real senders write: guids "
	    "that are no UUID, payment companies' codes that begin with "
	    "letters, customs offices of the 2018-12 code list") },
	{ "--split=N", N_("at most N waybills in one CEB607 or CEB509 "
	    "message (default 1000)") },
	{ "--sign=rsa|sm2|none", N_("sign the declarations with the RSA "
	    "(the default) or SM2 test key, or write placeholder signatures "
	    "that fail verification") },
	{ "--sign-key=KEY", N_("sign with this PEM key (or OpenSSL store "
	    "URI) instead of the test key") },
	{ "--sign-cert=CERT", N_("the certificate of --sign-key") },
	{ "--start=YYYYMMDD", N_("the first day (default 20250301)") },
};

#define NBASEHELP (sizeof base_opthelp / sizeof base_opthelp[0])

enum {
	OPT_DAYS = LOOP_OPT_LAST, OPT_START, OPT_RECORDS, OPT_SPLIT,
	OPT_BONDED, OPT_CANCEL, OPT_RETURN, OPT_NO_RECEIPTS, OPT_LIST,
	OPT_RECEIPTS, OPT_BILL_SIZE, OPT_SHAPES, OPT_SIGN, OPT_SIGN_KEY,
	OPT_SIGN_CERT,
	OPT_KIND		/* OPT_KIND + k: --<kind>=rate */
};

static int
number(const char *opt, const char *s, long long lo, long long hi,
    long long *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		loop_usage_error(opt, _("not a number in %lld..%lld: %s"), lo,
		    hi, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* A share 0..1 as a fraction ("0.25") or a percentage ("25%"). */
static int
share(const char *opt, const char *s, int *permille)
{
	char *end;
	double v = strtod(s, &end);

	if (*end == '%') {
		v /= 100;
		end++;
	}
	if (end == s || *end != '\0' || v < 0 || v > 1) {
		loop_usage_error(opt, _("not a share 0..1 or 0%%..100%%: %s"),
		    s);
		return -1;
	}
	*permille = (int)(v * 1000 + 0.5);
	return 0;
}

/*
 * A defect rate: a fraction below 1 ("0.01"), a percentage ("1%"), or a
 * whole count ("25").
 */
static int
rate(struct gen_opts *o, int k, const char *s)
{
	char *end;
	double v = strtod(s, &end);
	int pct = 0;

	if (*end == '%') {
		pct = 1;
		end++;
	}
	if (end == s || *end != '\0' || v < 0 || (pct && v > 100)) {
		loop_usage_error(gen_defects[k].name,
		    _("not a rate (0.01, 1%% or a count): %s"), s);
		return -1;
	}
	if (pct)
		v /= 100;
	o->is_count[k] = !pct && (v >= 1 || strchr(s, '.') == NULL);
	if (o->is_count[k] && v != (double)(long long)v) {
		loop_usage_error(gen_defects[k].name,
		    _("a count must be whole: %s"), s);
		return -1;
	}
	o->rate[k] = v;
	return 0;
}

static int
defect_option(struct gen_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
	int k;

	for (k = 0; k < D_COUNT; k++)
		if (strlen(gen_defects[k].name) == n &&
		    strncmp(gen_defects[k].name, arg, n) == 0)
			return eq ? rate(o, k, eq + 1) : rate(o, k, "1");
	if (strncmp(arg, "all", n) == 0 && n == 3 && eq) {
		for (k = 0; k < D_COUNT; k++)
			if (gen_defects[k].fam != FAM_RISK &&
			    rate(o, k, eq + 1) != 0)
				return -1;
		return 0;
	}
	loop_usage_error("-D", _("unknown defect kind: %.*s"), (int)n, arg);
	return -1;
}

static int
start_date(struct gen_opts *o, const char *s)
{
	int y, m, d;
	char c;

	if (strlen(s) != 8 || sscanf(s, "%4d%2d%2d%c", &y, &m, &d, &c) != 3 ||
	    y < 1990 || m < 1 || m > 12 || d < 1 || d > 31) {
		loop_usage_error("--start", _("not a date YYYYMMDD: %s"), s);
		return -1;
	}
	o->start_y = y;
	o->start_m = m;
	o->start_d = d;
	return 0;
}

static void
list_defects(void)
{
	int k;

	printf("kind,family,description\n");
	for (k = 0; k < D_COUNT; k++)
		printf("%s,%s,\"%s\"\n", gen_defects[k].name,
		    gen_defects[k].fam == FAM_IMPORT ? "import" :
		    gen_defects[k].fam == FAM_RISK ? "risk" : "export",
		    gen_defects[k].what);
}

static const struct option base_longopts[] = {
	{ "days", required_argument, NULL, OPT_DAYS },
	{ "start", required_argument, NULL, OPT_START },
	{ "records", required_argument, NULL, OPT_RECORDS },
	{ "split", required_argument, NULL, OPT_SPLIT },
	{ "bill-size", required_argument, NULL, OPT_BILL_SIZE },
	{ "sign", required_argument, NULL, OPT_SIGN },
	{ "sign-key", required_argument, NULL, OPT_SIGN_KEY },
	{ "sign-cert", required_argument, NULL, OPT_SIGN_CERT },
	{ "bonded-share", required_argument, NULL, OPT_BONDED },
	{ "cancel-rate", required_argument, NULL, OPT_CANCEL },
	{ "return-rate", required_argument, NULL, OPT_RETURN },
	{ "no-receipts", no_argument, NULL, OPT_NO_RECEIPTS },
	{ "sender-shapes", no_argument, NULL, OPT_SHAPES },
	{ "list-defects", no_argument, NULL, OPT_LIST },
	/* long spellings of the letters */
	{ "seed", required_argument, NULL, 's' },
	{ "import", required_argument, NULL, 'n' },
	{ "export", required_argument, NULL, 'e' },
	{ "receipts", required_argument, NULL, OPT_RECEIPTS },
	{ "version", no_argument, NULL, LOOP_OPT_VERSION },
	{ "help", no_argument, NULL, LOOP_OPT_HELP },
};

#define NBASE (sizeof base_longopts / sizeof base_longopts[0])

/*
 * The long options: base_longopts, then --<kind>=rate for every defect
 * kind, then the terminating zero entry.  lo holds NBASE + D_COUNT + 1.
 */
static void
long_options(struct option *lo)
{
	int k;

	memcpy(lo, base_longopts, sizeof base_longopts);
	for (k = 0; k < D_COUNT; k++) {
		lo[NBASE + k].name = gen_defects[k].name;
		lo[NBASE + k].has_arg = required_argument;
		lo[NBASE + k].flag = NULL;
		lo[NBASE + k].val = OPT_KIND + k;
	}
	memset(&lo[NBASE + D_COUNT], 0, sizeof lo[0]);
}

/* The batch when no option says otherwise. */
static void
defaults(struct gen_opts *o)
{
	int k;

	memset(o, 0, sizeof *o);
	o->nimport = 100;		/* -n */
	o->seed = 1;			/* -s */
	o->days = 1;			/* --days */
	o->start_y = 2025;		/* --start */
	o->start_m = 3;
	o->start_d = 1;
	o->split = 1000;		/* --split */
	o->bill_size = 2500;		/* --bill-size */
	o->bonded_permille = 600;	/* --bonded-share */
	o->cancel_permille = 2;		/* --cancel-rate */
	o->return_permille = 5;		/* --return-rate */
	o->receipts = 1;		/* --no-receipts */
	for (k = 0; k < D_COUNT; k++)
		o->rate[k] = -1;
}

/*
 * The options, into o.  Returns -1 to go on, else the exit status (a bad
 * value or usage trouble, --list-defects, --version).
 */
static int
options(int argc, char *argv[], struct gen_opts *o)
{
	static struct option longopts[NBASE + D_COUNT + 1];
	static struct loop_opthelp opthelp[NBASEHELP + D_COUNT + 1];
	static char kindflags[D_COUNT][64];
	static const struct loop_cli cli = {
		synopsis,
		N_("Write a realistic, deterministic batch of CEB messages "
		    "with injected defects and an answer key naming every "
		    "defective record."),
		"D:de:k:m:n:o:qs:x:z", longopts, opthelp, NULL
	};
	struct stream_opts sopts = { 0 };
	const char *report = NULL;
	long long v;
	int ch, k, r;

	long_options(longopts);
	memcpy(opthelp, base_opthelp, sizeof base_opthelp);
	for (k = 0; k < D_COUNT; k++) {		/* --<kind>=RATE */
		snprintf(kindflags[k], sizeof kindflags[k], "--%s=RATE",
		    gen_defects[k].name);
		opthelp[NBASEHELP + k].flags = kindflags[k];
		opthelp[NBASEHELP + k].text = gen_defects[k].what;
	}
	defaults(o);
	while ((ch = loop_getopt(argc, argv, &cli)) != -1) {
		if (ch >= OPT_KIND && ch < OPT_KIND + D_COUNT) {
			if (rate(o, ch - OPT_KIND, optarg) != 0)
				return 2;
			continue;
		}
		switch (ch) {
		case 'D':
			if (defect_option(o, optarg) != 0)
				return 2;
			break;
		case 'd':
			o->dirmode = 1;
			break;
		case 'e':
			if (number("-e", optarg, 0, 100000000, &v) != 0)
				return 2;
			o->nexport = v;
			break;
		case 'k':
			o->key = optarg;
			break;
		case 'm':
			o->manifest_csv = optarg;
			break;
		case 'n':
			if (number("-n", optarg, 0, 100000000, &v) != 0)
				return 2;
			o->nimport = v;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'q':
		case LOOP_OPT_HELP:
		case LOOP_OPT_VERSION:
			if ((r = loop_common_option(ch, optarg, &sopts,
			    &report)) != 1)
				return r == 2 ? 0 : 2;	/* --help, --version */
			break;
		case 's':
			if (number("-s", optarg, 0, 0x7fffffffffffffffLL,
			    &v) != 0)
				return 2;
			o->seed = (uint64_t)v;
			break;
		case 'x':
			o->manifest_xml = optarg;
			break;
		case 'z':
			o->gzip = 1;
			break;
		case OPT_DAYS:
			if (number("--days", optarg, 1, 366, &v) != 0)
				return 2;
			o->days = (int)v;
			break;
		case OPT_START:
			if (start_date(o, optarg) != 0)
				return 2;
			break;
		case OPT_RECORDS:
			if (number("--records", optarg, 0, 100, &v) != 0)
				return 2;
			o->max_records = (int)v;
			break;
		case OPT_SPLIT:
			if (number("--split", optarg, 1, 99999, &v) != 0)
				return 2;
			o->split = (int)v;
			break;
		case OPT_SIGN:
			if (strcmp(optarg, "rsa") == 0)
				o->sign = GEN_SIGN_RSA;
			else if (strcmp(optarg, "sm2") == 0)
				o->sign = GEN_SIGN_SM2;
			else if (strcmp(optarg, "none") == 0)
				o->sign = GEN_SIGN_NONE;
			else
				return loop_usage_error("--sign",
				    _("expected rsa, sm2 or none: %s"), optarg);
			break;
		case OPT_SIGN_KEY:
			o->sign_key = optarg;
			break;
		case OPT_SIGN_CERT:
			o->sign_cert = optarg;
			break;
		case OPT_BILL_SIZE:
			if (number("--bill-size", optarg, 1, 1000000, &v) != 0)
				return 2;
			o->bill_size = (int)v;
			break;
		case OPT_BONDED:
			if (share("--bonded-share", optarg,
			    &o->bonded_permille) != 0)
				return 2;
			break;
		case OPT_CANCEL:
			if (share("--cancel-rate", optarg,
			    &o->cancel_permille) != 0)
				return 2;
			break;
		case OPT_RETURN:
			if (share("--return-rate", optarg,
			    &o->return_permille) != 0)
				return 2;
			break;
		case OPT_NO_RECEIPTS:
			o->receipts = 0;
			break;
		case OPT_SHAPES:
			o->shapes = 1;
			break;
		case OPT_RECEIPTS:
			if (number("--receipts", optarg, 0, 1, &v) != 0)
				return 2;
			o->receipts = (int)v;
			break;
		case OPT_LIST:
			list_defects();
			return diag_status();
		default:	/* reported by loop_getopt() */
			return 2;
		}
	}
	if (optind != argc)
		return loop_usage_error(argv[optind],
		    _("ceb-gen takes no operands"));
	return -1;
}

int
main(int argc, char *argv[])
{
	struct gen_opts o;
	struct rng rng;
	int r;

	diag_init(argv[0]);
	if ((r = options(argc, argv, &o)) >= 0)
		return r;
	rng_seed(&rng, o.seed);
	if (out_open(&o) == 0) {
		if (gen_import(&o, &rng) == 0)
			gen_export(&o, &rng);
		out_close();
	}
	if (diag_status() != 2) {
		diag_tally(_("import parcels"), o.nimport);
		diag_tally(_("export parcels"), o.nexport);
	}
	return diag_exit();
}
