/*
 * diag.h: the one path for every finding and every trouble.
 *
 * A finding is a problem in the data judged: one line on stderr
 *   prog: source:line: CEB621 key: RULE field: detail
 * (unless quiet; info findings only go to the report), one row in the CSV
 * report when one is open, and for severity error an exit status of at
 * least 1.  A trouble is a problem that stops the tool from judging
 * (usage, unreadable or malformed input, a write error, a state file it
 * cannot trust): a line on stderr, always, and exit status 2.
 *
 * Every report starts with the columns of DESIGN.md (tool, source, message,
 * line, type, guid, record, key, rule, severity, field, detail), then the
 * rest of the document's origin (origin.h): envelope, via_source,
 * via_message, via_line and received; a tool may add its own columns
 * after them.  On stderr the envelope and received follow source:line in
 * parentheses.
 */
#ifndef CEB_DIAG_H
#define CEB_DIAG_H

#include <stdarg.h>
#include <stdio.h>

#include "origin.h"

enum diag_sev { DIAG_INFO, DIAG_WARNING, DIAG_ERROR };

/* "info", "warning" or "error". */
const char *diag_sev_name(enum diag_sev sev);

/* Where a finding is.  Zero / NULL members are printed empty. */
struct diag_loc {
	const char *source;
	long message;		/* 1-based document index in the source */
	long line;
	const char *type;	/* "CEB621" */
	const char *guid;
	long record;		/* 1-based record index in the message */
	const char *key;	/* business key, e.g. "ebpCode/orderNo" */
	/*
	 * The document's origin (may be NULL): its envelope, received and
	 * via fill their columns.  source, message and line above are
	 * already the origin's (stream.h).
	 */
	const struct origin *origin;
};

/* Set the program name used as prefix and in the report's tool column. */
void diag_init(const char *prog);
const char *diag_prog(void);

/*
 * Open the CSV report (path "-" = stdout) with extra tool-specific columns
 * (NULL-terminated, may be NULL).  Returns 0, or -1 after reporting the
 * trouble.
 */
int diag_report_open(const char *path, const char *const *extra_cols);
/* Nonzero when the report goes to stdout (then messages must not). */
int diag_report_on_stdout(void);

/*
 * Caps against amplification (docs/security.md): at most per_doc
 * warnings and errors are shown (on stderr and in the report) for one
 * document (counted while its findings come one after another) and
 * per_run for the whole run; past a cap each document, then the run,
 * gets one summary finding S-CAP-001 with the count of those not shown
 * (at the next document, at diag_flush() or at diag_exit()).  A finding
 * not shown still raises the exit status.  Info findings (a record's
 * outcome) are never capped.  0: no cap.
 */
#define DIAG_CAP_DOC 1000
#define DIAG_CAP_RUN 100000
void diag_set_caps(long per_run, long per_doc);

void diag_set_quiet(int quiet);
void diag_set_verbose(int verbose);	/* info findings on stderr too */

/*
 * Report a finding.  extra holds values for the extra columns (may be
 * NULL, or shorter: NULL-terminated).  The detail is formatted with fmt;
 * it must already be masked where it holds personal data (mask.h).
 */
void diag_finding(const struct diag_loc *loc, const char *rule,
    enum diag_sev sev, const char *field, const char *const *extra,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void diag_vfinding(const struct diag_loc *loc, const char *rule,
    enum diag_sev sev, const char *field, const char *const *extra,
    const char *fmt, va_list ap);

/*
 * A note for the operator on stderr ("prog: ..."), unless quiet: not a
 * finding, not a trouble; the exit status is unchanged.
 */
void diag_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Report a trouble located at source:line (source may be NULL). */
void diag_trouble(const char *source, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * A line on stderr without the program prefix and without changing the
 * status, for the hint that follows a trouble ("Try 'prog --help' ...").
 */
void diag_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Count records for the summary line. */
void diag_records(long read, long passed, long failed);
/*
 * Count a named outcome (shown in the summary in order of first use).
 * name is English and is translated when the summary is printed
 * (po/Makevars extracts the first argument of diag_tally()).
 */
void diag_tally(const char *name, long n);
/* Count documents (messages) read. */
void diag_messages(long n);

/*
 * A word about the input that is neither a finding nor a trouble (an
 * operand that holds no documents): "prog: source: text" on stderr
 * unless quiet; the status does not change.
 */
void diag_notice(const char *source, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Progress on a terminal for long runs (at most once a second). */
void diag_progress(unsigned long long bytes);

/*
 * The text of a progress line into buf: messages read, records counted
 * so far (left out while a tool counts its records only at the end) and
 * megabytes read.
 */
void diag_progress_format(char *buf, size_t n, unsigned long long bytes);

/* How many times diag_trouble() was called so far. */
long diag_trouble_count(void);

/* The exit status so far: 0, 1 or 2. */
int diag_status(void);

/*
 * End of run: flush and check stdout and the report (a write error is a
 * trouble), print the summary line unless quiet, and return the exit
 * status.  main() ends with `return diag_exit();`.
 */
int diag_exit(void);

/*
 * Flush stdout and the report now and check both (a write error is a
 * trouble, reported once).  Returns 0, or -1 when an output has failed,
 * now or earlier.  A tool that keeps state calls it after its last finding
 * and before it commits the new state, so that a night whose report is
 * lost is not counted as done.
 */
int diag_flush(void);

/* Report a write error on stdout (once) and raise the status to 2. */
void diag_write_error(const char *what);

#endif
