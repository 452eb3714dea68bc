/*
 * ceb-cat: read any stream of CEB messages and write it back with normal
 * framing (one document after another, each ending in a newline),
 * optionally keeping only some message types, or list one CSV row per
 * business record.  Operators use it to merge, split, filter and inspect
 * batches.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "diag.h"
#include "emit.h"
#include "i18n.h"
#include "loop.h"
#include "msg.h"

static const char *const synopsis[] = {
	"[-lq] [-r report] [-t types] [file | dir ...]",
	NULL
};

/* --help: the tool's own options; loop.c adds the common ones. */
static const struct loop_opthelp opthelp[] = {
	{ "-l", N_("list one CSV row per business record instead "
	    "of the messages: source, message, line, type, "
	    "guid, record, key") },
	{ "-t TYPES", N_("keep only these message types, codes or root "
	    "names, comma-separated (311,621 or CEB311Message)") },
	{ NULL, NULL }
};

static const struct option longopts[] = {
	LOOP_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 }
};

static const struct loop_cli cli = {
	synopsis,
	N_("Merge, filter and list streams of CEB messages: each document "
	    "is written back byte for byte, one after another."),
	"lqr:t:", longopts, opthelp,
	N_("With no file, or when file is -, read standard input.  A "
	    "directory is read whole (every *.xml and *.xml.gz below it, "
	    "in sorted order).")
};

struct cat {
	int list;			/* -l */
	unsigned char *types;		/* -t, NULL = all */
	struct msg_count count;		/* records, when no tree is built */
};

/* Plain cat builds no tree: the records are counted from the start tags. */
static void
count_element(void *arg, int depth, const char *local, const char *uri)
{
	msg_count_element(&((struct cat *)arg)->count, depth, local, uri);
}

static int
list_record(const struct stream_doc *d, const struct msg *m, xmlNodePtr rec,
    long recno)
{
	char msgno[24], line[24], recstr[24], key[512], type[16];
	const char *row[7];

	snprintf(msgno, sizeof msgno, "%ld", d->index);
	snprintf(line, sizeof line, "%ld", rec ? msg_line(m, rec) : d->line);
	recstr[0] = '\0';
	key[0] = '\0';
	if (m->type) {
		msg_short(m->type, type, sizeof type);
		snprintf(recstr, sizeof recstr, "%ld", recno);
		msg_key(m, rec, key, sizeof key);
	} else
		snprintf(type, sizeof type, "%.15s",
		    m->root ? (const char *)m->root->name : "");
	row[0] = d->source;
	row[1] = msgno;
	row[2] = line;
	row[3] = type;
	row[4] = m->guid;
	row[5] = recstr;
	row[6] = key;
	return csvio_write_row(stdout, row, 7);
}

static int
cat_doc(struct stream_doc *d, void *arg)
{
	struct cat *c = arg;
	struct msg m;
	long nrec = 0;
	xmlNodePtr rec;

	if (d->doc == NULL) {		/* checked without a tree */
		nrec = c->count.type ? c->count.records : 0;
		if (emit_doc(stdout, d) != 0)
			goto fail;
		diag_records(nrec, nrec, 0);
		return 0;
	}
	if (msg_open(&m, d->doc, d->line) != MSG_OK)
		m.type = NULL;
	if (c->types && (m.type == NULL || !c->types[m.type - msg_types]))
		return 0;
	if (m.type)
		nrec = msg_record_count(&m);
	if (c->list) {
		long i = 1;

		if (m.type == NULL || nrec == 0) {
			if (list_record(d, &m, NULL, 0) != 0)
				goto fail;
		}
		for (rec = m.type ? msg_record_first(&m) : NULL; rec;
		    rec = msg_record_next(&m, rec), i++)
			if (list_record(d, &m, rec, i) != 0)
				goto fail;
	} else if (emit_doc(stdout, d) != 0)
		goto fail;
	diag_records(nrec, nrec, 0);
	return 0;
fail:
	diag_write_error(_("standard output"));
	return -1;
}

int
main(int argc, char *argv[])
{
	struct stream_opts sopts = { 0 };
	struct cat c = { 0 };
	const char *report = NULL;	/* -r */
	char bad[64] = "";
	int ch, r;

	diag_init(argv[0]);
	while ((ch = loop_getopt(argc, argv, &cli)) != -1) {
		if ((r = loop_common_option(ch, optarg, &sopts, &report)) != 0) {
			if (r != 1)
				return r == 2 ? 0 : 2;	/* --help, --version */
			continue;
		}
		switch (ch) {
		case 'l':
			c.list = 1;
			break;
		case 't':
			free(c.types);	/* the last -t wins */
			if ((c.types = malloc(msg_ntypes)) == NULL ||
			    msg_type_set(optarg, c.types, bad, sizeof bad)) {
				free(c.types);
				return loop_usage_error("-t",
				    _("unknown message type: %s"), bad);
			}
			break;
		default:	/* reported by loop_getopt() */
			return 2;
		}
	}
	if (report && diag_report_open(report, NULL) != 0)
		return diag_exit();
	if (c.list) {
		static const char *const hdr[] = { "source", "message",
		    "line", "type", "guid", "record", "key" };
		if (csvio_write_row(stdout, hdr, 7) != 0)
			diag_write_error(_("standard output"));
	}
	if (!c.list && c.types == NULL) {
		sopts.no_tree = 1;
		sopts.on_element = count_element;
		sopts.on_element_arg = &c;
	}
	loop_run(argc - optind, argv + optind, &sopts, cat_doc, &c);
	free(c.types);
	return diag_exit();
}
