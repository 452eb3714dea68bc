/*
 * loop.h: the shared input loop, in the manner of mblaze's blaze822_loop():
 * expand the operands, open each source in order, frame and parse its
 * documents, and hand each one to the tool's callback.  Every problem on
 * the way (an unreadable file, a corrupt gzip member, a document that is
 * not well-formed, refused or incomplete) is reported as a located trouble
 * through diag.h, and the loop goes on with what can still be read.
 *
 * Also here: the options every tool shares (limits, personal data, quiet,
 * report), so that each main() stays short.
 */
#ifndef CEB_LOOP_H
#define CEB_LOOP_H

#include "stream.h"

/* Called for each document; return 0 to go on, -1 to stop the run. */
typedef int (*loop_fn)(struct stream_doc *doc, void *arg);

/*
 * Run fn over every document of the operands (argc 0: stdin).  Returns 0
 * when all sources were read, -1 when fn asked to stop.
 */
int loop_run(int argc, char *const argv[], const struct stream_opts *opts,
    loop_fn fn, void *arg);

/* The stream being read (for stream_doc_detach()), or NULL. */
struct stream *loop_stream(void);

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
	LOOP_OPT_LAST		/* tools number their own options from here */
};

#define LOOP_LONG_OPTIONS \
	{ "max-size", required_argument, NULL, LOOP_OPT_MAX_SIZE }, \
	{ "max-depth", required_argument, NULL, LOOP_OPT_MAX_DEPTH }, \
	{ "show-personal", no_argument, NULL, LOOP_OPT_SHOW_PERSONAL }, \
	{ "version", no_argument, NULL, LOOP_OPT_VERSION }, \
	{ "help", no_argument, NULL, LOOP_OPT_HELP }

/*
 * Handle a common option: -q, -r FILE, and the LOOP_OPT_* values.
 * Returns 1 when handled, 0 when not a common option, -1 on a bad value
 * (reported), 2 when the tool should exit 0 at once (--version).
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

/* Environment default for an option: getenv(name) or NULL. */
const char *loop_env(const char *name);

/*
 * Options a nightly job repeats can be kept out of the command line.
 * Before the command-line arguments, insert the words of
 *   1. the lines of the configuration file ($CEBTOOLS_CONFIG, default
 *      /etc/cebtools.conf when it exists) that start with "<prog>:",
 *   2. the environment variable <PROG>_OPTIONS (prog upper-cased, '-' as
 *      '_', e.g. CEB_QUOTA_CHECK_OPTIONS),
 * so that the command line, parsed last, wins.  Words are separated by
 * blanks; single and double quotes group.  Call once, right after
 * diag_init(), with main's argc and argv.  Returns 0, or -1 after
 * reporting a trouble (unreadable configuration file, unbalanced quote).
 */
int loop_defaults(int *argc, char ***argv);

#endif
