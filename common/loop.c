/*
 * loop.c: the shared input loop and common options.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "catalogue.h"
#include "diag.h"
#include "i18n.h"
#include "input.h"
#include "loop.h"
#include "mask.h"

#include <ctype.h>

static struct stream *current;

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

	if ((in = input_open(path, err, sizeof err)) == NULL) {
		diag_trouble(name, 0, _("cannot read: %s"), err);
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
		if (r == STREAM_FATAL) {
			report_stream_err(name, &e);
			break;
		}
		if (r == STREAM_BAD) {
			report_stream_err(name, &e);
			continue;
		}
		diag_messages(1);
		if (fn(&d, arg) != 0) {
			rc = -1;
			break;
		}
		diag_progress(stream_bytes(s));
	}
	current = NULL;
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
	int rc = 0;

	memset(&lst, 0, sizeof lst);
	xmlInitParser();
	if (input_expand(&lst, argc, argv) != 0) {
		diag_trouble(NULL, 0, "%s", strerror(ENOMEM));
		input_list_free(&lst);
		return 0;
	}
	for (i = 0; i < lst.n && rc == 0; i++) {
		if (lst.errs[i]) {
			diag_trouble(lst.paths[i], 0, "%s", lst.errs[i]);
			continue;
		}
		rc = run_source(lst.paths[i], opts, fn, arg);
	}
	input_list_free(&lst);
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

const char *
loop_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

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
	case LOOP_OPT_MAX_SIZE:
		if (loop_parse_size(arg, &opts->max_size) != 0) {
			diag_trouble(NULL, 0, _("--max-size: not a size: %s"),
			    arg);
			return -1;
		}
		return 1;
	case LOOP_OPT_MAX_DEPTH: {
		char *end;
		long v = strtol(arg, &end, 10);

		if (*end != '\0' || v < 2 || v > 100000) {
			diag_trouble(NULL, 0,
			    _("--max-depth: not a depth (2..100000): %s"), arg);
			return -1;
		}
		opts->max_depth = (int)v;
		return 1;
	}
	case LOOP_OPT_VERSION:
		printf("%s (%s) %s\n", diag_prog(), PACKAGE_NAME,
		    PACKAGE_VERSION);
		return 2;
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

/* Free the words collected by split_words() (on an error path). */
static void
free_words(char **v, int n)
{
	while (n > 0)
		free(v[--n]);
	free(v);
}

/* The argument vector built by loop_defaults(), kept for the run. */
static char **volatile defaults_argv;	/* volatile: the store must stay */

int
loop_defaults(int *argc, char ***argv)
{
	const char *prog = diag_prog(), *conf = getenv("CEBTOOLS_CONFIG");
	char envname[128], line[4096], **v = NULL;
	int n = 0, cap = 0, i, explicit_conf = conf != NULL;
	size_t plen = strlen(prog), k;
	FILE *f;
	long lineno = 0;
	const char *env;

	if (conf == NULL)
		conf = "/etc/cebtools.conf";
	if (*conf && (f = fopen(conf, "r")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL) {
			lineno++;
			if (strncmp(line, prog, plen) != 0 || line[plen] != ':')
				continue;
			if (split_words(line + plen + 1, &v, &n, &cap) != 0) {
				diag_trouble(conf, lineno,
				    _("unbalanced quote or out of memory"));
				fclose(f);
				free_words(v, n);
				return -1;
			}
		}
		fclose(f);
	} else if (*conf && explicit_conf) {
		diag_trouble(conf, 0, _("cannot read configuration: %s"),
		    strerror(errno));
		return -1;
	}
	for (k = 0; k < plen && k + 9 < sizeof envname; k++)
		envname[k] = prog[k] == '-' ? '_' :
		    (char)toupper((unsigned char)prog[k]);
	snprintf(envname + k, sizeof envname - k, "_OPTIONS");
	if ((env = getenv(envname)) != NULL &&
	    split_words(env, &v, &n, &cap) != 0) {
		diag_trouble(NULL, 0, _("%s: unbalanced quote"), envname);
		free_words(v, n);
		return -1;
	}
	if (n == 0) {
		free(v);
		return 0;
	}
	{
		char **nv = malloc((size_t)(*argc + n + 1) * sizeof *nv);

		if (nv == NULL) {
			free_words(v, n);
			return -1;
		}
		nv[0] = (*argv)[0];
		for (i = 0; i < n; i++)
			nv[1 + i] = v[i];
		for (i = 1; i < *argc; i++)
			nv[n + i] = (*argv)[i];
		nv[*argc + n] = NULL;
		*argc += n;
		*argv = nv;	/* lives until exit, like argv itself */
		defaults_argv = nv;	/* and stays reachable (valgrind) */
	}
	free(v);
	return 0;
}
