/*
 * diag.c: the one diagnostics path (see diag.h), in the manner of
 * mandoc_msg(): format once, write the human line, write the report row,
 * raise the exit status.
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "csvio.h"
#include "diag.h"
#include "i18n.h"
#include "mask.h"
#include "outfile.h"
#include "utf8.h"

#define MAX_EXTRA 16
#define NCOMMON 17
#define MAX_TALLY 32

static const char *prog = "cebtools";
static int status;
static long ntrouble;	/* diag_trouble() calls */
static int quiet, verbose;
static FILE *report;
static struct outfile *report_out;	/* the report file, made safely */
static int report_stdout;
static char *report_path;
static const char *extra_names[MAX_EXTRA];
static size_t nextra;
static int report_failed;
static int stdout_failed;
static long n_read, n_passed, n_failed, n_messages;
static struct { const char *name; long n; } tally[MAX_TALLY];
static size_t ntally;
/* Caps against amplification (diag_set_caps()). */
static long cap_run = DIAG_CAP_RUN, cap_doc = DIAG_CAP_DOC;
static long n_shown;			/* findings shown so far */
static long run_dropped;		/* past the run's cap */
static enum diag_sev run_dropped_sev;
static struct {
	char *source, *type, *guid, *key;
	long message, line, n, dropped;
	enum diag_sev sev;
} capdoc;				/* the document findings count for */
static time_t last_progress;
static int progress_shown;
static int stderr_tty = -1;	/* isatty(2), asked once: -1 not yet */

static const char *const common_cols[NCOMMON] = {
	"tool", "source", "message", "line", "type", "guid", "record", "key",
	"rule", "severity", "field", "detail",
	"envelope", "via_source", "via_message", "via_line", "received"
};

void
diag_init(const char *p)
{
	const char *slash = strrchr(p, '/'), *dir;

	prog = slash ? slash + 1 : p;
	/* Messages and character handling follow the operator's locale;
	 * numbers are formatted by dec.c, never by the locale. */
	setlocale(LC_MESSAGES, "");
	setlocale(LC_CTYPE, "");
	/* CEBTOOLS_LOCALEDIR: the catalogues of a build tree (make check),
	 * before they are installed under LOCALEDIR. */
	dir = getenv("CEBTOOLS_LOCALEDIR");
	bindtextdomain(PACKAGE, dir && *dir ? dir : LOCALEDIR);
	textdomain(PACKAGE);
	/* A closed pipe is a write error we report, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
	/* The umask read once, here, before any thread writes a file. */
	(void)outfile_mode(0);
}

const char *
diag_prog(void)
{
	return prog;
}

static void
raise_status(int s)
{
	if (s > status)
		status = s;
}

static void
clear_progress(void)
{
	if (progress_shown) {
		fputs("\r\033[K", stderr);
		progress_shown = 0;
	}
}

/*
 * Everything for stderr goes through here: text from input or from a
 * file name may hold terminal escapes, newlines or bidirectional
 * controls; they are shown escaped (utf8_escape()), so that no input can
 * forge a line or steer the operator's terminal.
 */
static void
err_puts(const char *s)
{
	char small[1024], *buf = small;
	size_t cap = 4 * strlen(s) + 8;

	if (!utf8_needs_escape(s)) {
		fputs(s, stderr);
		return;
	}
	if (cap > sizeof small && (buf = malloc(cap)) == NULL) {
		fputs("?", stderr);
		return;
	}
	utf8_escape(s, buf, buf == small ? sizeof small : cap);
	fputs(buf, stderr);
	if (buf != small)
		free(buf);
}

static void
err_vprintf(const char *fmt, va_list ap)
{
	char small[1024], *big = NULL;
	va_list cp;
	int len;

	va_copy(cp, ap);
	len = vsnprintf(small, sizeof small, fmt, cp);
	va_end(cp);
	if (len >= (int)sizeof small && (big = malloc((size_t)len + 1)) !=
	    NULL)
		vsnprintf(big, (size_t)len + 1, fmt, ap);
	err_puts(big ? big : small);
	free(big);
}

static void
err_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vprintf(fmt, ap);
	va_end(ap);
}

/* "prog: [source[:line]: ]text" on stderr. */
static void
vline(const char *source, long line, const char *fmt, va_list ap)
{
	clear_progress();
	if (source && line > 0)
		err_printf("%s: %s:%ld: ", prog, source, line);
	else if (source)
		err_printf("%s: %s: ", prog, source);
	else
		err_printf("%s: ", prog);
	err_vprintf(fmt, ap);
	fputc('\n', stderr);
}

void
diag_trouble(const char *source, long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(source, line, fmt, ap);
	va_end(ap);
	raise_status(2);
	ntrouble++;
}

long
diag_trouble_count(void)
{
	return ntrouble;
}

void
diag_note(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	clear_progress();
	err_printf("%s: ", prog);
	va_start(ap, fmt);
	err_vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
diag_report_open(const char *path, const char *const *extra)
{
	const char *cols[NCOMMON + MAX_EXTRA];
	size_t i;

	nextra = 0;
	for (i = 0; extra && extra[i] && nextra < MAX_EXTRA; i++)
		extra_names[nextra++] = extra[i];
	if (strcmp(path, "-") == 0) {
		report = stdout;
		report_stdout = 1;
	} else {
		char err[600];

		/* No symbolic link followed, no file of a guessable name:
		 * written beside path and renamed over it at the end; a
		 * device or a pipe (/dev/null, /dev/stdout) written as it
		 * is.  0600 when it holds unmasked personal data. */
		if ((report_out = outfile_open(path, outfile_mode(!mask_on()),
		    err, sizeof err)) == NULL) {
			diag_trouble(path, 0, _("cannot write report: %s"),
			    err);
			return -1;
		}
		report = outfile_stream(report_out);
	}
	free(report_path);
	report_path = strdup(path);
	for (i = 0; i < NCOMMON; i++)
		cols[i] = common_cols[i];
	for (i = 0; i < nextra; i++)
		cols[NCOMMON + i] = extra_names[i];
	if (csvio_write_report_row(report, cols, NCOMMON + nextra) != 0)
		report_failed = 1;
	return 0;
}

int
diag_report_on_stdout(void)
{
	return report_stdout;
}

void
diag_set_quiet(int q)
{
	quiet = q;
}

void
diag_set_verbose(int v)
{
	verbose = v;
}

const char *
diag_sev_name(enum diag_sev s)
{
	switch (s) {
	case DIAG_INFO:
		return "info";
	case DIAG_WARNING:
		return "warning";
	case DIAG_ERROR:
		return "error";
	}
	return "?";
}

void
diag_set_caps(long per_run, long per_doc)
{
	cap_run = per_run;
	cap_doc = per_doc;
}

static void cap_flush_doc(void);

/*
 * Whether a finding at loc is shown: nonzero when it is within the caps,
 * else it is counted for the summary finding S-CAP-001.
 */
static int
cap_admit(const struct diag_loc *loc, enum diag_sev sev)
{
	const char *src = loc && loc->source ? loc->source : "";
	long msg = loc ? loc->message : 0;

	/* Info findings are a record's outcome (one a record at most, like
	 * the output itself): never capped, never counted. */
	if (sev == DIAG_INFO)
		return 1;
	if (cap_doc > 0 && msg > 0) {
		if (capdoc.source == NULL || capdoc.message != msg ||
		    strcmp(capdoc.source, src) != 0) {
			cap_flush_doc();
			free(capdoc.source);
			free(capdoc.type);
			free(capdoc.guid);
			free(capdoc.key);
			memset(&capdoc, 0, sizeof capdoc);
			capdoc.source = strdup(src);
			capdoc.type = strdup(loc->type ? loc->type : "");
			capdoc.guid = strdup(loc->guid ? loc->guid : "");
			capdoc.key = strdup(loc->key ? loc->key : "");
			capdoc.message = msg;
			capdoc.line = loc->line;
		}
		if (++capdoc.n > cap_doc) {
			capdoc.dropped++;
			if (sev > capdoc.sev)
				capdoc.sev = sev;
			return 0;
		}
	}
	if (cap_run > 0 && n_shown >= cap_run) {
		run_dropped++;
		if (sev > run_dropped_sev)
			run_dropped_sev = sev;
		return 0;
	}
	n_shown++;
	return 1;
}

static void emit_finding(const struct diag_loc *, const char *,
    enum diag_sev, const char *, const char *const *, const char *);

/* The summary of a document's findings past the cap, once. */
static void
cap_flush_doc(void)
{
	struct diag_loc l;
	char d[256];

	if (capdoc.dropped == 0 || capdoc.source == NULL)
		return;
	memset(&l, 0, sizeof l);
	l.source = capdoc.source;
	l.message = capdoc.message;
	l.line = capdoc.line;
	l.type = capdoc.type;
	l.guid = capdoc.guid;
	l.key = capdoc.key;
	snprintf(d, sizeof d, _("%ld more findings in this document not "
	    "shown (at most %ld per document: --max-doc-findings)"),
	    capdoc.dropped, cap_doc);
	capdoc.dropped = 0;
	if (cap_run > 0 && n_shown >= cap_run) {
		run_dropped++;
		return;
	}
	n_shown++;
	emit_finding(&l, "S-CAP-001", DIAG_WARNING, "", NULL, d);
}

static void
cap_flush(void)
{
	char d[256];

	cap_flush_doc();
	if (run_dropped == 0)
		return;
	snprintf(d, sizeof d, _("%ld more findings not shown (at most %ld "
	    "per run: --max-findings)"), run_dropped, cap_run);
	run_dropped = 0;
	emit_finding(NULL, "S-CAP-001", DIAG_WARNING, "", NULL, d);
}

void
diag_vfinding(const struct diag_loc *loc, const char *rule,
    enum diag_sev sev, const char *field, const char *const *extra,
    const char *fmt, va_list ap)
{
	char detail[2048];

	vsnprintf(detail, sizeof detail, fmt, ap);
	utf8_clean(detail);	/* a value cut by a precision or the buffer */
	if (sev == DIAG_ERROR)
		raise_status(1);
	if (!cap_admit(loc, sev))
		return;
	emit_finding(loc, rule, sev, field, extra, detail);
}

/* One finding, formatted: the stderr line and the report row. */
static void
emit_finding(const struct diag_loc *loc, const char *rule,
    enum diag_sev sev, const char *field, const char *const *extra,
    const char *detail)
{
	char msgno[24], line[24], recno[24], vmsg[24], vline[24];
	const char *src = loc && loc->source ? loc->source : "";
	const struct origin *o = loc ? loc->origin : NULL;

	if (!quiet && (sev != DIAG_INFO || verbose)) {
		clear_progress();
		err_printf("%s: %s", prog, src);
		if (loc && loc->line > 0)
			fprintf(stderr, ":%ld", loc->line);
		if (o && o->envelope)
			err_printf(" (envelope %s)", o->envelope);
		if (o && o->received)
			err_printf(" (received %s)", o->received);
		fputs(":", stderr);
		if (loc && loc->type && *loc->type)
			err_printf(" %s", loc->type);
		if (loc && loc->key && *loc->key)
			err_printf(" %s", loc->key);
		if ((loc && loc->type && *loc->type) ||
		    (loc && loc->key && *loc->key))
			fputc(':', stderr);
		err_printf(" %s", rule);
		if (sev == DIAG_WARNING)
			fputs(_(" (warning)"), stderr);
		if (field && *field)
			err_printf(" %s", field);
		err_printf(": %s", detail);
		fputc('\n', stderr);
	}
	if (report && !report_failed) {
		const char *row[NCOMMON + MAX_EXTRA];
		size_t i, have = 0;

		msgno[0] = line[0] = recno[0] = vmsg[0] = vline[0] = '\0';
		if (o && o->via && o->via_message > 0)
			snprintf(vmsg, sizeof vmsg, "%ld", o->via_message);
		if (o && o->via && o->via_line > 0)
			snprintf(vline, sizeof vline, "%ld", o->via_line);
		if (loc && loc->message > 0)
			snprintf(msgno, sizeof msgno, "%ld", loc->message);
		if (loc && loc->line > 0)
			snprintf(line, sizeof line, "%ld", loc->line);
		if (loc && loc->record > 0)
			snprintf(recno, sizeof recno, "%ld", loc->record);
		row[0] = prog;
		row[1] = src;
		row[2] = msgno;
		row[3] = line;
		row[4] = loc && loc->type ? loc->type : "";
		row[5] = loc && loc->guid ? loc->guid : "";
		row[6] = recno;
		row[7] = loc && loc->key ? loc->key : "";
		row[8] = rule;
		row[9] = diag_sev_name(sev);
		row[10] = field ? field : "";
		row[11] = detail;
		row[12] = o && o->envelope ? o->envelope : "";
		row[13] = o && o->via ? o->via : "";
		row[14] = vmsg;
		row[15] = vline;
		row[16] = o && o->received ? o->received : "";
		for (i = 0; i < nextra; i++) {
			if (extra && !have && extra[i] == NULL)
				have = 1;
			row[NCOMMON + i] = extra && !have ? extra[i] : "";
		}
		if (csvio_write_report_row(report, row, NCOMMON + nextra) !=
		    0) {
			report_failed = 1;
			diag_trouble(report_path, 0,
			    _("cannot write report: %s"), strerror(errno));
		}
	}
}

void
diag_finding(const struct diag_loc *loc, const char *rule,
    enum diag_sev sev, const char *field, const char *const *extra,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vfinding(loc, rule, sev, field, extra, fmt, ap);
	va_end(ap);
}

void
diag_hint(const char *fmt, ...)
{
	va_list ap;

	clear_progress();
	va_start(ap, fmt);
	err_vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
diag_records(long read, long passed, long failed)
{
	n_read += read;
	n_passed += passed;
	n_failed += failed;
}

void
diag_messages(long n)
{
	n_messages += n;
}

void
diag_tally(const char *name, long n)
{
	size_t i;

	for (i = 0; i < ntally; i++)
		if (strcmp(tally[i].name, name) == 0) {
			tally[i].n += n;
			return;
		}
	if (ntally < MAX_TALLY) {
		tally[ntally].name = name;
		tally[ntally].n = n;
		ntally++;
	}
}

void
diag_progress(unsigned long long bytes)
{
	char line[160];
	time_t now;

	/* Asked once a run, not once a document (an ioctl each: a million
	 * on a night of a million documents). */
	if (stderr_tty < 0)
		stderr_tty = isatty(STDERR_FILENO);
	if (quiet || !stderr_tty)
		return;
	now = time(NULL);
	if (now == last_progress)
		return;
	if (last_progress == 0) {
		/* Only long runs show progress: start after a second. */
		last_progress = now;
		return;
	}
	last_progress = now;
	diag_progress_format(line, sizeof line, bytes);
	fprintf(stderr, "\r\033[K%s: %s", prog, line);
	progress_shown = 1;
}

void
diag_progress_format(char *buf, size_t n, unsigned long long bytes)
{
	/* Tools that judge at the end count records only then: a progress
	 * line saying "0 records" would be false, so it says nothing. */
	if (n_read > 0)
		snprintf(buf, n, _("%ld messages, %ld records, %.1f MB"),
		    n_messages, n_read, (double)bytes / 1e6);
	else
		snprintf(buf, n, _("%ld messages, %.1f MB"), n_messages,
		    (double)bytes / 1e6);
}

void
diag_notice(const char *source, const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vline(source, 0, fmt, ap);
	va_end(ap);
}

int
diag_status(void)
{
	return status;
}

void
diag_write_error(const char *what)
{
	if (stdout_failed)
		return;
	stdout_failed = 1;
	diag_trouble(NULL, 0, _("write error on %s: %s"), what,
	    strerror(errno ? errno : EIO));
}

int
diag_flush(void)
{
	cap_flush();
	if (fflush(stdout) != 0 || ferror(stdout))
		diag_write_error(_("standard output"));
	if (report && !report_stdout && !report_failed) {
		char err[600];

		/* In place now: a run killed after its state commits has
		 * left its whole report. */
		if (outfile_publish_now(report_out, err, sizeof err) != 0) {
			report_failed = 1;
			diag_trouble(report_path, 0,
			    _("cannot write report: %s"), err);
		}
	}
	return stdout_failed || report_failed ? -1 : 0;
}

int
diag_exit(void)
{
	size_t i;

	cap_flush();

	if (fflush(stdout) != 0 || ferror(stdout))
		diag_write_error(_("standard output"));
	if (report && !report_stdout) {
		char err[600];

		if ((fflush(report) != 0 || ferror(report)) && !report_failed)
			diag_trouble(report_path, 0,
			    _("cannot write report: %s"), strerror(errno));
		if (report_failed || ferror(report))
			outfile_abort(report_out);
		else if (outfile_commit(report_out, err, sizeof err) != 0)
			diag_trouble(report_path, 0,
			    _("cannot write report: %s"), err);
		report_out = NULL;
		report = NULL;
	}
	clear_progress();
	if (!quiet) {
		fprintf(stderr, _("%s: %ld messages, %ld records: %ld passed, "
		    "%ld failed"), prog, n_messages, n_read, n_passed,
		    n_failed);
		for (i = 0; i < ntally; i++)
			/* TRANSLATORS: one more count of the summary line,
			   such as ", 12 written off". */
			fprintf(stderr, _(", %ld %s"), tally[i].n,
			    _(tally[i].name));
		if (status == 2)
			fputs(_(" (trouble: see above)"), stderr);
		fputc('\n', stderr);
	}
	free(report_path);
	report_path = NULL;
	return status;
}
