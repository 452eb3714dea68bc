/*
 * loop.c: the shared input loop, and the command line every tool shares:
 * defaults from the configuration file and the environment, --help and
 * --version, and option errors in one form (GNU conventions; loop.h).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>

#include "csvio.h"
#include "catalogue.h"
#include "diag.h"
#include "i18n.h"
#include "input.h"
#include "loop.h"
#include "mask.h"
#include "outfile.h"

#include <ctype.h>
#include <wchar.h>

static struct stream *current;
static loop_bad_fn bad_fn;
static void *bad_arg;
static loop_flush_fn flush_fn;
static void *flush_arg;

void
loop_on_flush(loop_flush_fn fn, void *arg)
{
	flush_fn = fn;
	flush_arg = arg;
}

/* Before the loop says something about the input: what the tool holds
 * is said first.  0, or -1 when the run must stop. */
static int
flush(void)
{
	return flush_fn != NULL ? flush_fn(flush_arg) : 0;
}

void
loop_on_bad(loop_bad_fn fn, void *arg)
{
	bad_fn = fn;
	bad_arg = arg;
}

static void
bad(const char *name, long index, long line, const char *reason)
{
	if (bad_fn != NULL)
		bad_fn(name, index, line, reason, bad_arg);
}

struct stream *
loop_stream(void)
{
	return current;
}

static void
report_stream_err(const char *name, const struct stream_err *e)
{
	if (e->index > 0)
		diag_trouble(name, e->line, _("document %ld: %s"), e->index,
		    e->msg);
	else
		diag_trouble(name, e->line, "%s", e->msg);
	bad(name, e->index, e->line, e->msg);
}

static void
stream_finding(const struct stream_doc *d, const char *rule,
    const char *type, const char *field, long line, const char *msg)
{
	struct diag_loc loc;

	memset(&loc, 0, sizeof loc);
	loc.source = d->source;
	loc.message = d->index;
	loc.line = line;
	loc.type = type;
	loc.origin = &d->origin;
	diag_finding(&loc, rule, catalogue_sev(rule, DIAG_ERROR), field, NULL,
	    "%s", msg);
}

void
loop_report_notes(const struct stream_doc *d)
{
	int i;

	for (i = 0; i < d->nnotes; i++)
		stream_finding(d, d->notes[i].rule, d->notes[i].type,
		    d->notes[i].field, d->notes[i].line, d->notes[i].msg);
}

void
loop_report_reject(const struct stream_doc *d)
{
	stream_finding(d, d->reject.rule, d->reject.type, d->reject.field,
	    d->reject.line, d->reject.msg);
	diag_records(1, 0, 1);
}

/*
 * A tool that frames only (opts.no_parse) parses each document itself
 * (stream_doc_parse()) and reports its notes then, in order.
 */
static int
s_no_parse(const struct stream_opts *o)
{
	return o != NULL && o->no_parse;
}

/* Read one source; returns 0, or -1 when fn asked to stop. */
static int
run_source(const char *path, const struct stream_opts *opts, loop_fn fn,
    void *arg)
{
	const char *name = input_display_name(path);
	char err[300];
	struct input *in;
	struct stream *s;
	struct stream_doc d;
	struct stream_err e;
	int r, rc = 0;
	long ndocs = 0, nbad = 0;

	if ((in = input_open(path, err, sizeof err)) == NULL) {
		if (flush() != 0)
			return -1;
		diag_trouble(name, 0, _("cannot read: %s"), err);
		bad(name, 0, 0, err);
		return 0;
	}
	if ((s = stream_open(in, name, opts)) == NULL) {
		diag_trouble(name, 0, "%s", strerror(ENOMEM));
		input_close(in);
		return 0;
	}
	current = s;
	for (;;) {
		memset(&e, 0, sizeof e);
		r = stream_next(s, &d, &e);
		if (r == STREAM_EOF)
			break;
		if ((r == STREAM_FATAL || r == STREAM_BAD) && flush() != 0) {
			rc = -1;
			break;
		}
		if (r == STREAM_FATAL) {
			report_stream_err(name, &e);
			nbad++;
			break;
		}
		if (r == STREAM_BAD) {
			report_stream_err(name, &e);
			nbad++;
			continue;
		}
		ndocs++;
		diag_messages(1);
		if (r == STREAM_REJECT && !(opts && opts->keep_rejects)) {
			loop_report_notes(&d);
			loop_report_reject(&d);
			continue;
		}
		if (!s_no_parse(opts))
			loop_report_notes(&d);	/* else the tool's, parsed */
		if (fn(&d, arg) != 0) {
			rc = -1;
			break;
		}
		diag_progress(stream_bytes(s));
	}
	current = NULL;
	/* A named file without a document is worth a word (stdin, often
	 * an empty stage of a pipeline, is not). */
	if (ndocs == 0 && nbad == 0 && strcmp(path, "-") != 0 &&
	    flush() == 0)
		diag_notice(name, _("no document in this file"));
	stream_close(s);
	input_close(in);
	return rc;
}

int
loop_run(int argc, char *const argv[], const struct stream_opts *opts,
    loop_fn fn, void *arg)
{
	struct input_list lst;
	size_t i;
	int k, rc = 0;

	xmlInitParser();
	/* One operand at a time, so that a directory without a single
	 * *.xml or *.xml.gz is named. */
	for (k = 0; k < (argc > 0 ? argc : 1) && rc == 0; k++) {
		memset(&lst, 0, sizeof lst);
		if (input_expand(&lst, argc > 0 ? 1 : 0, argv + k) != 0) {
			diag_trouble(NULL, 0, "%s", strerror(ENOMEM));
			input_list_free(&lst);
			return 0;
		}
		if (lst.n == 0 && (rc = flush()) == 0)
			diag_notice(argv[k],
			    _("no *.xml or *.xml.gz file in this directory"));
		for (i = 0; i < lst.n && rc == 0; i++) {
			if (lst.errs[i]) {
				if (flush() != 0) {
					rc = -1;
					break;
				}
				diag_trouble(lst.paths[i], 0, "%s",
				    lst.errs[i]);
				bad(lst.paths[i], 0, 0, lst.errs[i]);
				continue;
			}
			rc = run_source(lst.paths[i], opts, fn, arg);
		}
		input_list_free(&lst);
	}
	return rc;
}

int
loop_parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (*s == '-' || *s == '\0')
		return -1;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K':
		v <<= 10;
		end++;
		break;
	case 'm': case 'M':
		v <<= 20;
		end++;
		break;
	case 'g': case 'G':
		v <<= 30;
		end++;
		break;
	}
	if (*end != '\0' || v == 0)
		return -1;
	*out = (size_t)v;
	return 0;
}

int
loop_list_rules(const char *tool)
{
	diag_set_quiet(1);	/* a listing, not a run: no summary line */
	if (catalogue_list(stdout, tool) != 0)
		diag_write_error(_("standard output"));
	return diag_exit();
}

time_t
loop_time(void)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (e == NULL || *e < '0' || *e > '9')
		return time(NULL);
	errno = 0;
	v = strtoll(e, &end, 10);
	if (errno != 0 || *end != '\0')
		return time(NULL);
	return (time_t)v;
}

int
loop_parse_day(const char *s, long *day)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	char digits[9];
	long y, m, d, yy, era, yoe, doy, doe;
	size_t i, n = 0;

	if (strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
		for (i = 0; i < 10; i++)
			if (i != 4 && i != 7)
				digits[n++] = s[i];
	} else if (strlen(s) == 8) {
		memcpy(digits, s, 8);
		n = 8;
	}
	if (n != 8)
		return -1;
	for (i = 0; i < 8; i++)
		if (digits[i] < '0' || digits[i] > '9')
			return -1;
	digits[8] = '\0';
	y = strtol(digits, NULL, 10) / 10000;
	m = strtol(digits, NULL, 10) / 100 % 100;
	d = strtol(digits, NULL, 10) % 100;
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && (y % 4 != 0 ||
	    (y % 100 == 0 && y % 400 != 0))))
		return -1;
	/* Days from civil (H. Hinnant). */
	yy = y - (m <= 2);
	era = yy / 400;
	yoe = yy - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*day = era * 146097 + doe - 719468;
	return 0;
}

const char *
loop_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* The copyright line of --version; the licence text is in LICENSE. */
#define LOOP_COPYRIGHT "Copyright (C) 2026 the cebtools authors"

/*
 * The sources of options before the command line (loop_getopt()): one
 * word vector per configuration line and one for the environment
 * variable, each with where it came from.  The words live until exit,
 * like argv itself, since tools keep optarg pointers.
 */
struct loop_src {
	char **argv;		/* argv[0] is the program name */
	int argc;
	const char *where;	/* configuration file, or variable name */
	long line;		/* line in the file, 0 for the variable */
};
static struct loop_src *srcs;
static int nsrc, cursrc;
static int getopt_started;
static const struct loop_cli *the_cli;
static char *getopt_string;	/* ":" + the tool's optstring */
static char conf_path[4096];	/* for --help */
static char env_name[128];	/* <PROG>_OPTIONS */

static void loop_help(const struct loop_cli *);

int
loop_common_option(int opt, const char *arg, struct stream_opts *opts,
    const char **report_path)
{
	switch (opt) {
	case 'q':
		diag_set_quiet(1);
		return 1;
	case 'r':
		*report_path = arg;
		return 1;
	case LOOP_OPT_SHOW_PERSONAL:
		mask_set(0);
		return 1;
	case LOOP_OPT_ALLOW_SHARED:
		outfile_allow_shared(1);
		return 1;
	case LOOP_OPT_RAW_CELLS:
		csvio_set_raw_cells(1);
		return 1;
	case LOOP_OPT_MAX_FINDINGS:
	case LOOP_OPT_MAX_DOC_FINDINGS: {
		static long caps[2] = { DIAG_CAP_RUN, DIAG_CAP_DOC };
		int k = opt == LOOP_OPT_MAX_DOC_FINDINGS;
		char *end;
		long v = strtol(arg, &end, 10);

		if (*arg == '\0' || *end != '\0' || v < 0) {
			loop_usage_error(k ? "--max-doc-findings" :
			    "--max-findings", _("not a count (0: no cap): %s"),
			    arg);
			return -1;
		}
		caps[k] = v;
		diag_set_caps(caps[0], caps[1]);
		return 1;
	}
	case LOOP_OPT_MAX_SIZE:
		if (loop_parse_size(arg, &opts->max_size) != 0) {
			loop_usage_error("--max-size", _("not a size: %s"),
			    arg);
			return -1;
		}
		return 1;
	case LOOP_OPT_MAX_DEPTH: {
		char *end;
		long v = strtol(arg, &end, 10);

		if (*arg == '\0' || *end != '\0' || v < 2 || v > 100000) {
			loop_usage_error("--max-depth",
			    _("not a depth (2..100000): %s"), arg);
			return -1;
		}
		opts->max_depth = (int)v;
		return 1;
	}
	case LOOP_OPT_VERSION:
		printf("%s (%s) %s\n", diag_prog(), PACKAGE_NAME,
		    PACKAGE_VERSION);
		printf("%s\n", LOOP_COPYRIGHT);
		fputs(_("License ISC: <https://spdx.org/licenses/ISC.html>.\n"
		    "This is free software: you are free to change and "
		    "redistribute it.\n"
		    "There is NO WARRANTY, to the extent permitted by law.\n"),
		    stdout);
		return diag_flush() == 0 ? 2 : -1;
	case LOOP_OPT_HELP:
		if (the_cli == NULL)
			return 0;
		loop_help(the_cli);
		return diag_flush() == 0 ? 2 : -1;
	}
	return 0;
}

/* Append the words of line to *v; returns 0 or -1 (unbalanced quote). */
static int
split_words(const char *line, char ***v, int *n, int *cap)
{
	const char *p = line;

	for (;;) {
		char *w, *o;
		int q = 0;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			return 0;
		if ((w = malloc(strlen(p) + 1)) == NULL)
			return -1;
		for (o = w; *p; p++) {
			if (q) {
				if (*p == q)
					q = 0;
				else
					*o++ = *p;
			} else if (*p == '"' || *p == '\'') {
				q = *p;
			} else if (*p == ' ' || *p == '\t' || *p == '\n' ||
			    *p == '\r') {
				break;
			} else
				*o++ = *p;
		}
		*o = '\0';
		if (q) {
			free(w);
			return -1;
		}
		if (*n + 2 > *cap) {
			int c = *cap ? *cap * 2 : 16;
			char **nv = realloc(*v, (size_t)c * sizeof *nv);
			if (nv == NULL) {
				free(w);
				return -1;
			}
			*v = nv;
			*cap = c;
		}
		(*v)[(*n)++] = w;
	}
}

/*
 * Add a source holding the words of text (none: nothing is added).
 * Returns 0, or -1 on an unbalanced quote or no memory (the words taken
 * so far are freed).
 */
static int
add_source(const char *text, const char *where, long line)
{
	char **v = NULL;
	int n = 1, cap = 0;
	struct loop_src *ns;

	if ((v = malloc(16 * sizeof *v)) == NULL)
		return -1;
	cap = 16;
	v[0] = (char *)diag_prog();
	if (split_words(text, &v, &n, &cap) != 0) {
		while (n > 1)
			free(v[--n]);
		free(v);
		return -1;
	}
	if (n == 1) {
		free(v);
		return 0;
	}
	v[n] = NULL;
	if ((ns = realloc(srcs, (size_t)(nsrc + 1) * sizeof *ns)) == NULL) {
		while (n > 1)
			free(v[--n]);
		free(v);
		return -1;
	}
	srcs = ns;
	srcs[nsrc].argv = v;
	srcs[nsrc].argc = n;
	srcs[nsrc].where = where;
	srcs[nsrc].line = line;
	nsrc++;
	return 0;
}

/*
 * Read the configuration file's lines for this program and the
 * environment variable into srcs.  Returns 0, or -1 after reporting.
 */
static int
load_sources(void)
{
	static char where_env[128];
	const char *prog = diag_prog(), *conf = getenv("CEBTOOLS_CONFIG");
	char line[4096];
	int explicit_conf = conf != NULL;
	size_t plen = strlen(prog), k;
	FILE *f;
	long lineno = 0;
	const char *env;

	if (conf == NULL)
		conf = "/etc/cebtools.conf";
	snprintf(conf_path, sizeof conf_path, "%s", conf);
	for (k = 0; k < plen && k + 9 < sizeof env_name; k++)
		env_name[k] = prog[k] == '-' ? '_' :
		    (char)toupper((unsigned char)prog[k]);
	snprintf(env_name + k, sizeof env_name - k, "_OPTIONS");
	if (*conf && (f = fopen(conf, "r")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL) {
			size_t len = strlen(line);

			lineno++;
			if (len == sizeof line - 1 && line[len - 1] != '\n') {
				diag_trouble(conf_path, lineno,
				    _("line too long (at most %d bytes)"),
				    (int)sizeof line - 2);
				fclose(f);
				return -1;
			}
			if (strncmp(line, prog, plen) != 0 || line[plen] != ':')
				continue;
			if (add_source(line + plen + 1, conf_path,
			    lineno) != 0) {
				diag_trouble(conf_path, lineno,
				    _("unbalanced quote"));
				fclose(f);
				return -1;
			}
		}
		if (ferror(f)) {
			diag_trouble(conf_path, 0,
			    _("cannot read configuration: %s"),
			    strerror(errno));
			fclose(f);
			return -1;
		}
		fclose(f);
	} else if (*conf && explicit_conf) {
		diag_trouble(conf_path, 0, _("cannot read configuration: %s"),
		    strerror(errno));
		return -1;
	}
	snprintf(where_env, sizeof where_env, "%s", env_name);
	if ((env = getenv(env_name)) != NULL &&
	    add_source(env, where_env, 0) != 0) {
		diag_trouble(where_env, 0, _("unbalanced quote"));
		return -1;
	}
	return 0;
}

int
loop_usage_error(const char *option, const char *fmt, ...)
{
	char reason[1024];
	const char *where = NULL;
	long line = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	if (getopt_started && cursrc < nsrc) {
		where = srcs[cursrc].where;
		line = srcs[cursrc].line;
	}
	if (option)
		diag_trouble(where, line, "%s: %s", option, reason);
	else
		diag_trouble(where, line, "%s", reason);
	diag_hint(_("Try '%s --help' for more information."), diag_prog());
	return 2;
}

/* The long option named by word ("--name" or "--name=value"), by name. */
static const struct option *
find_long(const struct option *lo, const char *word, int *nmatch,
    char *names, size_t namesz)
{
	const struct option *hit = NULL;
	size_t len;
	int exact = 0;

	word += 2;
	len = strcspn(word, "=");
	*nmatch = 0;
	names[0] = '\0';
	for (; lo && lo->name; lo++) {
		if (strncmp(lo->name, word, len) != 0)
			continue;
		if (strlen(lo->name) == len) {
			*nmatch = 1;
			exact = 1;
			hit = lo;
			continue;
		}
		if (exact)
			continue;
		/* Several names for one option are no ambiguity. */
		if (hit && hit->val == lo->val && hit->has_arg == lo->has_arg)
			continue;
		(*nmatch)++;
		hit = lo;
		if (strlen(names) + strlen(lo->name) + 5 < namesz) {
			if (names[0])
				strcat(names, ", ");
			strcat(names, "--");
			strcat(names, lo->name);
		}
	}
	return *nmatch == 1 ? hit : NULL;
}

/* Report what getopt_long() returned '?' or ':' for. */
static void
getopt_error(int ch, int ac, char *const av[])
{
	const char *word = optind > 1 && optind - 1 < ac ? av[optind - 1] :
	    NULL;
	const struct option *lo = NULL;
	char name[128], names[512];
	int nmatch = 0, islong = 0;

	if (word && strncmp(word, "--", 2) == 0 && word[2] != '\0') {
		lo = find_long(the_cli->longopts, word, &nmatch, names,
		    sizeof names);
		/* A short option's error names the short option. */
		islong = optopt == 0 || optopt > 255 ||
		    (lo != NULL && lo->val == optopt);
	} else
		islong = optopt == 0 || optopt > 255;
	if (islong && word) {
		snprintf(name, sizeof name, "%.*s", (int)strcspn(word, "="),
		    word);
		if (ch == ':')
			loop_usage_error(name, _("requires a value"));
		else if (nmatch > 1)
			loop_usage_error(name, _("ambiguous: %s"), names);
		else if (lo && lo->has_arg == no_argument)
			loop_usage_error(name, _("takes no value"));
		else
			loop_usage_error(name, _("unknown option"));
		return;
	}
	snprintf(name, sizeof name, "-%c", optopt > 0 && optopt < 256 &&
	    optopt >= ' ' && optopt < 127 ? optopt : '?');
	if (ch == ':')
		loop_usage_error(name, _("requires a value"));
	else
		loop_usage_error(name, _("unknown option"));
}

int
loop_getopt(int argc, char *const argv[], const struct loop_cli *cli)
{
	if (!getopt_started) {
		size_t n = strlen(cli->optstring);

		getopt_started = 1;
		the_cli = cli;
		if ((getopt_string = malloc(n + 2)) == NULL) {
			diag_trouble(NULL, 0, "%s", strerror(ENOMEM));
			return '?';
		}
		getopt_string[0] = ':';
		memcpy(getopt_string + 1, cli->optstring, n + 1);
		if (load_sources() != 0) {
			cursrc = nsrc;
			return '?';
		}
		cursrc = 0;
		optind = 0;		/* glibc: start afresh */
	}
	opterr = 0;
	for (;;) {
		char *const *av = cursrc < nsrc ? srcs[cursrc].argv : argv;
		int ac = cursrc < nsrc ? srcs[cursrc].argc : argc;
		int ch = getopt_long(ac, av, getopt_string, cli->longopts,
		    NULL);

		if (ch == '?' || ch == ':') {
			getopt_error(ch, ac, av);
			return '?';
		}
		if (ch != -1)
			return ch;
		if (cursrc == nsrc)
			return -1;
		if (optind < ac) {
			loop_usage_error(av[optind], _("not an option (the "
			    "configuration file and %s hold options only)"),
			    env_name);
			return '?';
		}
		cursrc++;
		optind = 0;
	}
}

/* Nonzero when flags ("-s, --state=DIR") names opt ("-s", "--state"). */
static int
names_option(const char *flags, const char *opt)
{
	size_t n = strlen(opt);
	const char *p;

	for (p = flags; (p = strstr(p, opt)) != NULL; p++) {
		if (p != flags && p[-1] != ' ' && p[-1] != ',' && p[-1] != '[')
			continue;
		if (p[n] == '\0' || strchr(" ,=[", p[n]) != NULL)
			return 1;
	}
	return 0;
}

/* Nonzero when one of the tool's help lines names opt. */
static int
described(const struct loop_cli *cli, const char *opt)
{
	const struct loop_opthelp *h;

	for (h = cli->help; h && h->flags; h++)
		if (names_option(h->flags, opt))
			return 1;
	return 0;
}

/* Nonzero when the tool takes the option opt ("-q" or "--name"). */
static int
takes(const struct loop_cli *cli, const char *opt)
{
	const struct option *lo;

	if (opt[1] != '-')
		return strchr(cli->optstring, opt[1]) != NULL;
	for (lo = cli->longopts; lo && lo->name; lo++)
		if (strcmp(lo->name, opt + 2) == 0)
			return 1;
	return 0;
}

#define HELP_WIDTH 79	/* columns of --help */
#define HELP_TEXTCOL 22	/* where option descriptions start */

/*
 * Write text from column col on, wrapped at HELP_WIDTH by display width
 * (wcwidth(3) in the operator's locale, so Chinese counts two columns a
 * character), continuing lines at column indent.  A line may break at a
 * blank, or beside a wide character except before closing punctuation;
 * a '\n' in text always breaks.
 */
static void
help_wrap(const char *text, int col, int indent)
{
	const char *p = text, *line = text, *brk = NULL;
	mbstate_t st;

	memset(&st, 0, sizeof st);
	while (*p) {
		wchar_t wc;
		size_t n;
		int w;

		if (*p == '\n') {
			printf("%.*s\n%*s", (int)(p - line), line, indent, "");
			line = ++p;
			col = indent;
			brk = NULL;
			continue;
		}
		n = mbrtowc(&wc, p, MB_CUR_MAX, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof st);
			n = 1;
			wc = (unsigned char)*p;
			w = 1;
		} else if ((w = wcwidth(wc)) < 0)
			w = 1;
		if (wc == ' ') {
			brk = p;
		} else if (w == 2 && p != line &&
		    wcschr(L"\x3001\x3002\xff0c\xff1b\xff1a\xff09\xff01\xff1f",
		    wc) == NULL) {
			brk = p;	/* before a wide character */
		}
		if (col + w > HELP_WIDTH && brk != NULL && brk != line) {
			printf("%.*s\n%*s", (int)(brk - line), line, indent,
			    "");
			p = brk;
			while (*p == ' ')
				p++;
			line = p;
			col = indent;
			brk = NULL;
			memset(&st, 0, sizeof st);
			continue;
		}
		col += w;
		p += n;
	}
	printf("%s\n", line);
}

/* One option of --help: flags in a column, text beside or below. */
static void
help_line(const char *flags, const char *text)
{
	int w = (int)strlen(flags);

	if (w <= HELP_TEXTCOL - 4)
		printf("  %-*s  ", HELP_TEXTCOL - 4, flags);
	else
		printf("  %s\n%*s", flags, HELP_TEXTCOL, "");
	help_wrap(text, HELP_TEXTCOL, HELP_TEXTCOL);
}

/* Columns that s takes on a terminal (a Chinese character takes two). */
static int
display_width(const char *s)
{
	wchar_t wbuf[256];
	size_t n = mbstowcs(wbuf, s, sizeof wbuf / sizeof wbuf[0] - 1);
	int w;

	if (n == (size_t)-1)
		return (int)strlen(s);
	wbuf[n] = L'\0';
	w = wcswidth(wbuf, n);
	return w < 0 ? (int)strlen(s) : w;
}

/*
 * One usage line: "Usage: prog synopsis", wrapped between bracketed
 * groups so that "[-r report]" is never cut.
 */
static void
help_usage(const char *label, const char *prog, const char *syn)
{
	char head[256];
	int col, depth = 0, indent;
	const char *p, *tok = syn;

	snprintf(head, sizeof head, "%s %s", label, prog);
	fputs(head, stdout);
	col = indent = display_width(head);
	indent = indent > 40 ? 8 : indent + 1;
	for (p = syn;; p++) {
		if (*p == '[')
			depth++;
		else if (*p == ']')
			depth--;
		if (*p == '\0' || (*p == ' ' && depth == 0)) {
			int len = (int)(p - tok);

			if (len > 0) {
				if (col + 1 + len > HELP_WIDTH && col > indent) {
					printf("\n%*s", indent, "");
					col = indent;
				} else {
					putchar(' ');
					col++;
				}
				printf("%.*s", len, tok);
				col += len;
			}
			if (*p == '\0')
				break;
			tok = p + 1;
		}
	}
	putchar('\n');
}

static void
loop_help(const struct loop_cli *cli)
{
	/* The common options, described once for every tool. */
	static const struct loop_opthelp common[] = {
		{ "-q", N_("quiet: no findings on standard error and no "
		    "summary line (troubles are still reported)") },
		{ "-r FILE", N_("write the CSV report of findings to FILE "
		    "('-': standard output, instead of the messages)") },
		{ "--max-size=SIZE", N_("refuse a document larger than SIZE "
		    "bytes (suffix k, M or G; default 16M)") },
		{ "--max-depth=N", N_("refuse a document nested deeper than "
		    "N elements (default 128)") },
		{ "--show-personal", N_("do not mask ID numbers, phone "
		    "numbers and names") },
		{ "--allow-shared-dir", N_("accept state, receipt and summary "
		    "folders that other users can write into or that belong "
		    "to another user (refused by default)") },
		{ "--raw-cells", N_("leave report cells that start with = + - "
		    "@ as they are (for programs; default: a leading ')") },
		{ "--max-findings=N", N_("show at most N warnings and errors "
		    "in a run, then one finding with the count of the rest "
		    "(default 100000; 0: no cap)") },
		{ "--max-doc-findings=N", N_("show at most N warnings and "
		    "errors in a row for one document, then one finding with "
		    "the count of the rest (default 1000; 0: no cap)") },
		{ "--help", N_("print this help and exit") },
		{ "--version", N_("print the version and licence and exit") },
		{ NULL, NULL }
	};
	const struct loop_opthelp *h;
	const struct option *lo;
	const char *prog = diag_prog(), *o;
	char opt[128], line[1024];
	size_t i;

	for (i = 0; cli->synopsis[i]; i++)
		help_usage(i ? _("   or:") : _("Usage:"), prog,
		    cli->synopsis[i]);
	help_wrap(_(cli->purpose), 0, 0);
	printf("\n%s\n", _("Options:"));
	for (h = cli->help; h && h->flags; h++)
		help_line(h->flags, _(h->text));
	for (h = common; h->flags; h++) {
		snprintf(opt, sizeof opt, "%.*s", (int)strcspn(h->flags, " ="),
		    h->flags);
		if (takes(cli, opt) && !described(cli, opt))
			help_line(h->flags, _(h->text));
	}
	/* An option the tables forget is shown, and tests/cli.test fails. */
	for (o = cli->optstring; *o; o++) {
		if (*o == ':' || *o == '+' || *o == '-')
			continue;
		snprintf(opt, sizeof opt, "-%c", *o);
		if (!described(cli, opt) && (*o != 'q' && *o != 'r'))
			help_line(opt, _("(no description)"));
	}
	for (lo = cli->longopts; lo && lo->name; lo++) {
		int common_opt = 0;

		snprintf(opt, sizeof opt, "--%s", lo->name);
		for (h = common; h->flags; h++)
			if (names_option(h->flags, opt))
				common_opt = 1;
		if (!common_opt && !described(cli, opt))
			help_line(opt, _("(no description)"));
	}
	if (cli->epilogue) {
		putchar('\n');
		help_wrap(_(cli->epilogue), 0, 0);
	}
	putchar('\n');
	snprintf(opt, sizeof opt, "%s:", prog);
	snprintf(line, sizeof line, _("Options are also read from the lines "
	    "starting \"%s\" in %s and from $%s, before the command line, "
	    "which wins."), opt, conf_path[0] ? conf_path :
	    "/etc/cebtools.conf", env_name);
	help_wrap(line, 0, 0);
	help_wrap(_("Exit status: 0 every record passed, 1 some records "
	    "failed, 2 trouble."), 0, 0);
	snprintf(line, sizeof line, _("Full documentation: man %s"), prog);
	help_wrap(line, 0, 0);
}
