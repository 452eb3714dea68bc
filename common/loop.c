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

#include "diag.h"
#include "i18n.h"
#include "input.h"
#include "loop.h"
#include "mask.h"

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
