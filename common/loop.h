/*
 * loop.h: the shared input loop, in the manner of mblaze's blaze822_loop():
 * expand the operands, open each source in order, frame and parse its
 * documents (opening envelopes, reading origin marks: stream.h), and hand
 * each one to the tool's callback.  Every problem on
 * the way (an unreadable file, a corrupt gzip member, a document that is
 * not well-formed, refused or incomplete) is reported as a located trouble
 * through diag.h, and the loop goes on with what can still be read.
 *
 * Also here: the options every tool shares (limits, personal data, quiet,
 * report), so that each main() stays short.
 */
#ifndef CEB_LOOP_H
#define CEB_LOOP_H

#include <time.h>

#include <getopt.h>

#include "stream.h"

/* Called for each document; return 0 to go on, -1 to stop the run. */
typedef int (*loop_fn)(struct stream_doc *doc, void *arg);

/*
 * Run fn over every document of the operands (argc 0: stdin).  Returns 0
 * when all sources were read, -1 when fn asked to stop.
 */
int loop_run(int argc, char *const argv[], const struct stream_opts *opts,
    loop_fn fn, void *arg);

/*
 * Called for each source, document or stretch that loop_run() could not
 * use, after reporting it as trouble: the source's display name, the
 * document's index in it (0 between documents or for a whole source), its
 * line and the reason.  A stateful tool records it as set aside.  NULL
 * (the default) calls nothing.
 */
typedef void (*loop_bad_fn)(const char *source, long index, long line,
    const char *reason, void *arg);
void loop_on_bad(loop_bad_fn fn, void *arg);

/*
 * Called before loop_run() reports anything about the input itself (an
 * unreadable source, a bad document, a file without one), so that a tool
 * that holds documents not yet judged (ceb-validate -j) judges and
 * reports them first, and the diagnostics keep the order of the input.
 * Returns 0, or -1 to stop the run.  NULL (the default) calls nothing.
 */
typedef int (*loop_flush_fn)(void *arg);
void loop_on_flush(loop_flush_fn fn, void *arg);

/* The stream being read (for stream_doc_detach()), or NULL. */
struct stream *loop_stream(void);

/*
 * The command line, the same in every tool (GNU conventions).  A tool
 * describes its command line as data, one struct loop_cli, and parses it
 * with loop_getopt() in place of getopt_long():
 *
 *	static const struct loop_opthelp opthelp[] = {
 *		{ "-l", N_("list one CSV row per record") },
 *		{ "-t TYPES", N_("keep only these message types") },
 *		{ NULL, NULL }
 *	};
 *	static const struct option longopts[] = {
 *		LOOP_LONG_OPTIONS,
 *		{ NULL, 0, NULL, 0 }
 *	};
 *	static const struct loop_cli cli = {
 *		synopsis, N_("Merge, filter and list CEB message streams."),
 *		"lqr:t:", longopts, opthelp, NULL
 *	};
 *	...
 *	diag_init(argv[0]);
 *	while ((ch = loop_getopt(argc, argv, &cli)) != -1) {
 *		if ((r = loop_common_option(ch, optarg, &sopts, &report))) {
 *			if (r != 1)
 *				return r == 2 ? 0 : 2;	// --help, --version
 *			continue;
 *		}
 *		switch (ch) {
 *		case 't':
 *			if (bad value)
 *				return loop_usage_error("-t",
 *				    _("unknown message type: %s"), optarg);
 *			...
 *		default:		// already reported by loop_getopt()
 *			return 2;
 *		}
 *	}
 *	loop_run(argc - optind, argv + optind, ...);
 *
 * What the operator gets, in every tool:
 *   --help     usage, purpose, every option with its description (the
 *              tool's table, then the common options the tool takes), on
 *              stdout, exit 0;
 *   --version  version and licence on stdout, exit 0;
 *   a bad option or value: one line "prog: [where: ]OPTION: reason", then
 *              "Try 'prog --help' for more information.", exit 2, where
 *              "where" names the configuration file and line, or the
 *              environment variable, the option came from.
 * A test (tests/cli.test) checks that --help describes every option the
 * man page lists, so a new option needs a line in opthelp[] and in the
 * man page.
 */

/* One line of --help: the option as shown, and what it does. */
struct loop_opthelp {
	const char *flags;	/* "-s DIR", "--memory=SIZE", "-s, --state=DIR" */
	const char *text;	/* N_(): lines after the first may start a
				 * new line with '\n'; they are indented */
};

/* A tool's command line, as data. */
struct loop_cli {
	const char *const *synopsis;	/* usage lines without the program
					 * name, NULL-terminated (the man
					 * page SYNOPSIS) */
	const char *purpose;		/* N_(): what the tool does */
	const char *optstring;		/* getopt short options */
	const struct option *longopts;	/* with LOOP_LONG_OPTIONS or the
					 * common ones the tool takes */
	const struct loop_opthelp *help; /* the tool's own options,
					 * { NULL, NULL }-terminated */
	const char *epilogue;		/* N_(), or NULL: notes printed after
					 * the options (operands, defaults) */
};

/*
 * The findings of the stream layer, as loop_run() reports them before it
 * hands a document over (a tool that parses documents itself, with
 * stream_doc_parse(), or keeps rejects, reports them the same way): the
 * notes of d (an unreadable origin mark, an envelope's MsgType that
 * lies), and why d was rejected (d->rejected: an envelope without a
 * usable message), which also counts as one failed record.
 */
void loop_report_notes(const struct stream_doc *d);
void loop_report_reject(const struct stream_doc *d);

/*
 * Common long options, shared by every tool.  Tools add their own; the
 * values below are handled by loop_common_option().
 */
enum {
	LOOP_OPT_MAX_SIZE = 1000,
	LOOP_OPT_MAX_DEPTH,
	LOOP_OPT_SHOW_PERSONAL,
	LOOP_OPT_VERSION,
	LOOP_OPT_HELP,
	LOOP_OPT_ALLOW_SHARED,
	LOOP_OPT_RAW_CELLS,
	LOOP_OPT_MAX_FINDINGS,
	LOOP_OPT_MAX_DOC_FINDINGS,
	LOOP_OPT_LAST		/* tools number their own options from here */
};

#define LOOP_LONG_OPTIONS \
	{ "max-size", required_argument, NULL, LOOP_OPT_MAX_SIZE }, \
	{ "max-depth", required_argument, NULL, LOOP_OPT_MAX_DEPTH }, \
	{ "show-personal", no_argument, NULL, LOOP_OPT_SHOW_PERSONAL }, \
	{ "version", no_argument, NULL, LOOP_OPT_VERSION }, \
	{ "help", no_argument, NULL, LOOP_OPT_HELP }, \
	{ "allow-shared-dir", no_argument, NULL, LOOP_OPT_ALLOW_SHARED }, \
	{ "raw-cells", no_argument, NULL, LOOP_OPT_RAW_CELLS }, \
	{ "max-findings", required_argument, NULL, LOOP_OPT_MAX_FINDINGS }, \
	{ "max-doc-findings", required_argument, NULL, \
	    LOOP_OPT_MAX_DOC_FINDINGS }

/*
 * The next option, like getopt_long(3), from three sources in turn:
 *   1. the lines of the configuration file ($CEBTOOLS_CONFIG, default
 *      /etc/cebtools.conf when it exists) that start with "<prog>:",
 *      each line parsed on its own, so that an option missing its value
 *      at the end of a line is an error there and never takes a word of
 *      the next line or an operand of the command line;
 *   2. the environment variable <PROG>_OPTIONS (prog upper-cased, '-' as
 *      '_', e.g. CEB_QUOTA_CHECK_OPTIONS);
 *   3. the command line, parsed last, so that it wins.
 * Words are separated by blanks; single and double quotes group.  The
 * configuration file and the environment hold options only: an operand
 * there is an error.  Returns the option (optarg set as by getopt_long),
 * or -1 when the command line's options are done: then optind indexes
 * argv's first operand.  On an unknown option, a missing or unwanted
 * value, an ambiguous abbreviation, an unreadable configuration file or
 * an unbalanced quote, it reports the trouble as loop_usage_error() does
 * and returns '?' (the tool returns 2).  Call diag_init() first; call
 * with the same argc, argv and cli until it returns -1 or '?'.
 */
int loop_getopt(int argc, char *const argv[], const struct loop_cli *cli);

/*
 * Report a bad option or value and return 2 (the exit status): the line
 * "prog: [where: ]option: reason" through diag_trouble(), where "where"
 * is the configuration line or environment variable being parsed by
 * loop_getopt(), then "Try 'prog --help' for more information.".
 * option may be NULL (a combination of options is wrong).
 */
int loop_usage_error(const char *option, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Handle a common option: -q, -r FILE, and the LOOP_OPT_* values.
 * Returns 1 when handled, 0 when not a common option, -1 on a bad value
 * (reported; exit 2), 2 when the tool should exit 0 at once (--help,
 * --version, printed on stdout; -1 instead when stdout cannot be
 * written).
 */
int loop_common_option(int opt, const char *arg, struct stream_opts *opts,
    const char **report_path);

/*
 * Parse a size with an optional k/M/G suffix (powers of 1024).  Returns 0,
 * or -1 when not a positive size.
 */
int loop_parse_size(const char *s, size_t *out);

/*
 * --list-rules: write the rules tool reports (catalogue.h) to stdout as
 * CSV, with no summary line.  Returns the exit status: 0, or 2 after
 * reporting a write error.
 */
int loop_list_rules(const char *tool);

/*
 * Parse the day of an option such as --now: YYYY-MM-DD or YYYYMMDD, a
 * real calendar day from 1970 to 9999.  Sets *day to the days since
 * 1970-01-01 and returns 0, or returns -1.  Every tool takes both forms.
 */
int loop_parse_day(const char *s, long *day);

/*
 * The clock: SOURCE_DATE_EPOCH (seconds since 1970, all digits) when it
 * is set, else time(NULL).  Every tool's default "now" comes from here, so
 * that a test (or a reproducible run) pins one instant for all the tools
 * of a pipeline, even across midnight.
 */
time_t loop_time(void);

/* Environment default for an option: getenv(name) or NULL. */
const char *loop_env(const char *name);

#endif
