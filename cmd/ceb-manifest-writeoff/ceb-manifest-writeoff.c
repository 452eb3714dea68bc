/*
 * ceb-manifest-writeoff: 舱单核销 -- decide, for each export parcel of the
 * night's CEB stream (603 inventories, 604 receipts, 607 总分单, 509
 * departures, 507 arrivals, 701 summaries) and for each entry of the
 * carrier's manifest (customs manifest XML or CSV), whether it is written
 * off: released and departed, left without release, not departed, a
 * duplicate, a totals mismatch, a split message still incomplete.
 * The CEB messages pass through to stdout unchanged; the write-off result
 * is the report (-r), one row per inventory and per manifest entry.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "diag.h"
#include "emit.h"
#include "i18n.h"
#include "input.h"
#include "loop.h"
#include "msg.h"
#include "shard.h"
#include "state.h"
#include "store.h"
#include "wo.h"

static const char *const synopsis[] = {
	"[-q] [-g days] [-m manifest] [-r report] [-s dir] [-t tolerance] "
	"[--csv-map field=Column,...] [--csv-modes auto|ceb|manifest] "
	"[--decl-agent code,name] [--keep days] [--lock-timeout seconds] "
	"[--mac-key file] [--memory size] "
	"[--merge-keys key,...] [--now yyyymmdd] [--shard k/n] [--summary dir] [--summary-flag 1|2] "
	"[file | dir ...]",
	"--list-rules",
	NULL
};

enum {
	OPT_CSV_MAP = LOOP_OPT_LAST, OPT_CSV_MODES, OPT_NOW, OPT_KEEP,
	OPT_SUMMARY, OPT_SUMMARY_FLAG, OPT_MERGE_KEYS, OPT_DECL_AGENT,
	OPT_LIST_RULES, OPT_SHARD, OPT_MEMORY, OPT_LOCK_TIMEOUT, OPT_MAC_KEY
};

/* What the command line says besides the options of struct wo_opts. */
struct cmdline {
	struct stream_opts sopts;
	const char *report;		/* -r */
	const char *state_dir;		/* -s */
	const char **manifests;		/* -m, NULL-terminated */
	size_t nman;
	char *decl;			/* --decl-agent, split at ',' */
	double lock_timeout;		/* --lock-timeout */
};

static const struct option longopts[] = {
	LOOP_LONG_OPTIONS,
	{ "csv-map", required_argument, NULL, OPT_CSV_MAP },
	{ "csv-modes", required_argument, NULL, OPT_CSV_MODES },
	{ "decl-agent", required_argument, NULL, OPT_DECL_AGENT },
	{ "grace", required_argument, NULL, 'g' },
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "list-rules", no_argument, NULL, OPT_LIST_RULES },
	{ "lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT },
	{ "mac-key", required_argument, NULL, OPT_MAC_KEY },
	{ "manifest", required_argument, NULL, 'm' },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "merge-keys", required_argument, NULL, OPT_MERGE_KEYS },
	{ "now", required_argument, NULL, OPT_NOW },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "state", required_argument, NULL, 's' },
	{ "summary", required_argument, NULL, OPT_SUMMARY },
	{ "summary-flag", required_argument, NULL, OPT_SUMMARY_FLAG },
	{ "tolerance", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 }
};

/* --help: the tool's own options; loop.c adds the common ones. */
static const struct loop_opthelp opthelp[] = {
	{ "-g, --grace=DAYS", N_("judge what still waits after DAYS days "
	    "(default 2; 0 judges at once)") },
	{ "-m, --manifest=PATH", N_("a carrier's manifest: an XML file or "
	    "stream, a directory of them or of CSV files, or a CSV file; may "
	    "be repeated") },
	{ "-s, --state=DIR", N_("keep the carry-over in the store "
	    "DIR/state.db (DIR created if missing)") },
	{ "-t, --tolerance=T", N_("weight tolerance: kg (0.5) or a "
	    "percentage of the inventories' weight (2%); default 1%") },
	{ "--csv-map=F=COL,...", N_("read CSV field F (trafMode, voyageNo, "
	    "date, billNo, logisticsNo, pieces, grossWeight) from column "
	    "COL") },
	{ "--csv-modes=WHICH", N_("the code list of the CSV trafMode column: "
	    "auto (the default), ceb or manifest") },
	{ "--decl-agent=CODE,NAME", N_("declAgentCode and declAgentName of "
	    "the summaries") },
	{ "--keep=DAYS", N_("how long anything stays in the state (default "
	    "190)") },
	{ "--list-rules", N_("write the rule catalogue as CSV and exit") },
	{ "--lock-timeout=SECONDS", N_("wait at most SECONDS for another "
	    "run on the same state (default: CEBTOOLS_LOCK_TIMEOUT, else "
	    "60)") },
	{ "--mac-key=FILE", N_("the key of the state's MACs (default: the "
	    "store's path + .key; created on first use, mode 0600)") },
	{ "--memory=SIZE", N_("keep the run's records in about SIZE bytes "
	    "of memory (k, M, G; default 256M; 0: no limit); the rest goes "
	    "to a spill file") },
	{ "--merge-keys=KEY,...", N_("the configurable merge keys of the "
	    "summaries") },
	{ "--now=DATE", N_("the day of the run, YYYY-MM-DD or YYYYMMDD "
	    "(default: today, local time)") },
	{ "--shard=K/N", N_("judge only the parcels of shard K of N (by "
	    "logisticsNo); N copies side by side cover the night") },
	{ "--summary=DIR", N_("write draft CEB701 summary applications into "
	    "DIR") },
	{ "--summary-flag=1|2", N_("summaryFlag of the summaries: 1 per "
	    "consignor (the default), 2 per consignor and producer") },
	{ NULL, NULL }
};

static const struct loop_cli cli = {
	synopsis,
	N_("舱单核销: write off released export parcels (603, 607, 509, 604) "
	    "against the carrier's manifest: which left on which voyage, "
	    "which did not, which left without a declaration; draft CEB701 "
	    "summaries."),
	"g:m:qr:s:t:", longopts, opthelp,
	N_("With no file, or when file is -, read standard input.  The "
	    "messages are passed on unchanged.")
};

struct feed {
	struct wo *w;
	int manifest;		/* documents of -m: never passed on */
};

static int
take_doc(struct stream_doc *d, void *arg)
{
	struct feed *f = arg;
	int r;

	wo_mem_tick();
	if (f->w->o.stateful && wostate_document(d, NULL) != 0)
		return -1;
	r = mft_take_doc(f->w, d, xmlDocGetRootElement(d->doc));
	if (r == 0)
		ceb_take(f->w, d, f->manifest);
	if (r == 1 || f->manifest || !f->w->o.pass)
		return 0;
	if (emit_doc(stdout, d) != 0) {
		diag_write_error(_("standard output"));
		return -1;
	}
	return 0;
}

/* A -m operand: XML (stream of manifests) or CSV, told by its first byte. */
static void read_manifest(struct wo *, const char *,
    const struct stream_opts *);

/*
 * A directory of manifests: every *.xml, *.xml.gz, *.csv and *.csv.gz
 * below it, in sorted order, each read as a file of -m (XML or CSV by its
 * first byte).  A directory holding none of them is named.
 */
static void
read_manifest_dir(struct wo *w, const char *dir, const struct stream_opts *so)
{
	static const char *const suffixes[] = { ".xml", ".xml.gz", ".csv",
	    ".csv.gz", NULL };
	struct input_list lst;
	char *argv[1];
	size_t i;

	memset(&lst, 0, sizeof lst);
	argv[0] = (char *)dir;
	if (input_expand_suffixes(&lst, 1, argv, suffixes) != 0) {
		diag_trouble(dir, 0, "%s", strerror(ENOMEM));
		input_list_free(&lst);
		return;
	}
	if (lst.n == 0)
		diag_trouble(dir, 0, _("no manifests (no *.xml, *.xml.gz, "
		    "*.csv or *.csv.gz files)"));
	for (i = 0; i < lst.n; i++) {
		if (lst.errs[i])
			diag_trouble(lst.paths[i], 0, "%s", lst.errs[i]);
		else
			read_manifest(w, lst.paths[i], so);
	}
	input_list_free(&lst);
}

static void
read_manifest(struct wo *w, const char *path, const struct stream_opts *so)
{
	struct feed f = { w, 1 };
	struct stat st;
	char err[300], buf[64];
	struct input *in;
	ssize_t n, i = 0;
	char *argv[1];

	argv[0] = (char *)path;
	if (strcmp(path, "-") != 0 && stat(path, &st) == 0 &&
	    S_ISDIR(st.st_mode)) {
		read_manifest_dir(w, path, so);
		return;
	}
	if ((in = input_open(path, err, sizeof err)) == NULL) {
		diag_trouble(input_display_name(path), 0,
		    _("cannot read manifest: %s"), err);
		return;
	}
	n = input_read(in, buf, sizeof buf);
	input_close(in);
	if (n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < n && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' ||
	    buf[i] == '\r' || buf[i] == '\0'))
		i++;
	if (strcmp(path, "-") != 0 && n > 0 && i < n && buf[i] != '<') {
		mft_csv_read(w, path);
		return;
	}
	loop_run(1, argv, so, take_doc, &f);
}

static int
parse_tolerance(const char *s, struct wo_opts *o)
{
	size_t l = strlen(s);
	struct dec d;
	char buf[64];

	if (l == 0 || l >= sizeof buf)
		return -1;
	memcpy(buf, s, l + 1);
	o->tol_is_pct = buf[l - 1] == '%';
	if (o->tol_is_pct)
		buf[l - 1] = '\0';
	if (dec_parse_str(buf, &d) != DEC_OK || dec_sign(d) < 0)
		return -1;
	if (o->tol_is_pct)
		o->tol_ppm = (long)(d.v / 10);	/* 10^-5 % -> ppm */
	else
		o->tol_abs = d;
	return 0;
}

static int
parse_days(const char *s, long *out)
{
	char *end;

	*out = strtol(s, &end, 10);
	return *s == '\0' || *end != '\0' || *out < 0 || *out > 100000 ?
	    -1 : 0;
}

/*
 * After the input: judge, write the report and output, then summaries
 * and state.  A document set aside (not well-formed, refused, cut short:
 * loop_on_bad(), counted in aside) is trouble for the exit status but
 * stops nothing: every good document is judged and the state committed.
 * Any other trouble since the count troubles judges nothing.
 */
static int
finish(struct wo *w, const char *state_dir, long troubles, long aside)
{
	if (diag_trouble_count() - troubles - aside > 0) {
		diag_trouble(NULL, 0, _("input trouble: nothing judged, state "
		    "and summaries left as they were"));
		return diag_exit();
	}
	engine_run(w);
	if (wo_mem_stats()->spilled > 0)
		diag_tally(_("kB spooled to disk"),
		    (long)(wo_mem_stats()->spilled / 1024));
	/* The report and stdout are complete before anything is committed. */
	if (diag_flush() != 0) {
		diag_trouble(NULL, 0, _("output incomplete: state and "
		    "summaries left as they were"));
		return diag_exit();
	}
	if (w->o.summary_dir && summary_write(w) != 0)
		return diag_exit();
	if (state_dir && wostate_save(w, state_dir) != 0)
		return diag_exit();
	return diag_exit();
}

/*
 * -s: lock the store, then load the state the run starts from: known by
 * its input, the same input as the latest run's redoes it from the state
 * before it; other input is the next run.  0, or -1 (trouble said).
 */
static int
open_state(struct wo *w, struct cmdline *c, int argc, char *argv[])
{
	char id[STORE_HEX_LEN];
	int k;

	if (wostate_open(c->state_dir, c->lock_timeout) != 0 ||
	    (k = wostate_identity(w, argc, argv, c->manifests, &c->sopts,
	    c->state_dir, id)) < 0)
		return -1;
	return wostate_load(w, c->state_dir, k == 0 ? id : NULL);
}

/*
 * The options, into w->o and c.  Returns -1 to go on, else the exit
 * status (usage trouble, --list-rules, --version).
 */
static int
options(int argc, char *argv[], struct wo *w, struct cmdline *c)
{
	static char today[9];		/* w->o.now_str by default */
	time_t t = loop_time();
	struct tm tm;
	size_t i;
	int ch, r;

	w->o.grace = 2;
	c->lock_timeout = store_lock_timeout();
	w->o.keep = 190;
	w->o.tol_is_pct = 1;
	w->o.tol_ppm = 10000;			/* 1% */
	w->o.csv_ceb_modes = -1;
	w->o.summary_flag = 1;
	w->o.item_name_flag = "1";
	w->o.pass = 1;
	w->memory = (size_t)256 << 20;
	/* The indexes over the night's parcels go with them (spill.c). */
	w->pidx.park = w->copidx.park = w->invidx.park = w->wbidx.park =
	    w->ridx.park = 1;
	localtime_r(&t, &tm);
	strftime(today, sizeof today, "%Y%m%d", &tm);
	w->o.now_str = today;
	while ((ch = loop_getopt(argc, argv, &cli)) != -1) {
		if ((r = loop_common_option(ch, optarg, &c->sopts,
		    &c->report)) != 0) {
			if (r != 1)
				return r == 2 ? 0 : 2;	/* --help, --version */
			continue;
		}
		switch (ch) {
		case 'g':
			if (parse_days(optarg, &w->o.grace))
				return loop_usage_error("-g",
				    _("not a number of days: %s"), optarg);
			break;
		case 'm':
			c->manifests = wo_grow(c->manifests, &c->nman,
			    c->nman + 1, sizeof *c->manifests);
			for (i = 0; c->manifests[i]; i++)
				;
			c->manifests[i] = optarg;
			break;
		case 's':
			c->state_dir = optarg;
			break;
		case 't':
			if (parse_tolerance(optarg, &w->o))
				return loop_usage_error("-t", _("not a weight "
				    "(0.5) or a percentage (2%%): %s"), optarg);
			break;
		case OPT_CSV_MAP:
			w->o.csv_map = optarg;
			break;
		case OPT_CSV_MODES:
			if (strcmp(optarg, "auto") == 0)
				w->o.csv_ceb_modes = -1;
			else if (strcmp(optarg, "ceb") == 0)
				w->o.csv_ceb_modes = 1;
			else if (strcmp(optarg, "manifest") == 0)
				w->o.csv_ceb_modes = 0;
			else
				return loop_usage_error("--csv-modes",
				    _("auto, ceb or manifest: %s"), optarg);
			break;
		case OPT_DECL_AGENT:
			free(c->decl);
			if ((c->decl = strdup(optarg)) == NULL ||
			    strchr(c->decl, ',') == NULL)
				return loop_usage_error("--decl-agent",
				    _("expected code,name: %s"), optarg);
			*strchr(c->decl, ',') = '\0';
			w->o.decl_code = c->decl;
			w->o.decl_name = c->decl + strlen(c->decl) + 1;
			break;
		case OPT_KEEP:
			if (parse_days(optarg, &w->o.keep))
				return loop_usage_error("--keep",
				    _("not a number of days: %s"), optarg);
			break;
		case OPT_LIST_RULES:
			return loop_list_rules("ceb-manifest-writeoff");
		case OPT_LOCK_TIMEOUT:
			if (store_parse_timeout(optarg, &c->lock_timeout) != 0)
				return loop_usage_error("--lock-timeout",
				    _("not a number of seconds: %s"), optarg);
			break;
		case OPT_MAC_KEY:
			w->o.mac_key = optarg;
			break;
		case OPT_MEMORY:
			if (strcmp(optarg, "0") == 0)
				w->memory = 0;		/* never spill */
			else if (loop_parse_size(optarg, &w->memory) != 0)
				return loop_usage_error("--memory",
				    _("not a size: %s"), optarg);
			break;
		case OPT_MERGE_KEYS:
			w->o.merge_keys = optarg;
			break;
		case OPT_NOW: {
			long day;

			if (loop_parse_day(optarg, &day) != 0)
				return loop_usage_error("--now", _("not a date "
				    "(YYYY-MM-DD or YYYYMMDD): %s"), optarg);
			w->o.now_str = norm_day_str(day, today);
			w->o.now_given = 1;
			break;
		}
		case OPT_SHARD:
			if (shard_parse(optarg, &w->o.shard) != 0)
				return loop_usage_error("--shard",
				    _("not K/N with 1 <= K <= N <= %d: %s"),
				    SHARD_MAX, optarg);
			if (w->o.shard.n == 1)
				w->o.shard.n = 0;	/* 1/1: everything */
			break;
		case OPT_SUMMARY:
			w->o.summary_dir = optarg;
			break;
		case OPT_SUMMARY_FLAG:
			if (strcmp(optarg, "1") && strcmp(optarg, "2"))
				return loop_usage_error("--summary-flag",
				    _("1 or 2: %s"), optarg);
			w->o.summary_flag = optarg[0] - '0';
			break;
		default:	/* reported by loop_getopt() */
			return 2;
		}
	}
	w->o.now = norm_day(w->o.now_str);
	return -1;
}

int
main(int argc, char *argv[])
{
	static struct wo w;
	static struct cmdline c;
	struct feed feed = { &w, 0 };
	size_t i;
	long troubles = 0, aside = 0;
	int r;
	unsigned keyset;

	diag_init(argv[0]);
	r = options(argc, argv, &w, &c);
	if (r < 0 && summary_keys(w.o.merge_keys, w.o.summary_flag,
	    &keyset) != 0)
		r = 2;
	if (r < 0 && c.report && diag_report_open(c.report,
	    wo_extra_cols) != 0)
		r = diag_exit();
	if (r < 0 && diag_report_on_stdout())
		w.o.pass = 0;
	if (r < 0)
		wo_mem_init(w.memory, c.state_dir);
	if (r < 0 && c.state_dir && open_state(&w, &c, argc - optind,
	    argv + optind) != 0)
		r = diag_exit();
	if (r < 0) {
		w.o.stateful = c.state_dir != NULL;
		troubles = diag_trouble_count();
		loop_on_bad(wostate_bad, &aside);
		for (i = 0; i < c.nman && c.manifests[i]; i++)
			read_manifest(&w, c.manifests[i], &c.sopts);
		loop_run(argc - optind, argv + optind, &c.sopts, take_doc,
		    &feed);
		loop_on_bad(NULL, NULL);
		r = finish(&w, c.state_dir, troubles, aside);
	}
	wostate_close();
	wo_grow_free(c.manifests, &c.nman, sizeof *c.manifests);
	free(c.decl);
	wo_free(&w);
	return r;
}
