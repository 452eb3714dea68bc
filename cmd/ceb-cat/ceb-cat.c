/*
 * ceb-cat: read any stream of CEB messages and write it back with normal
 * framing (one document after another, each ending in a newline, each
 * marked with its origin), optionally keeping only some message types,
 * or list one CSV row per business record.  It also takes envelopes off
 * (--unwrap) and puts them on (--wrap), and turns a stream back into
 * files (--split DIR, one per document; -o FILE).  Operators use it to
 * merge, split, filter and inspect batches.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "csvio.h"
#include "diag.h"
#include "emit.h"
#include "envelope.h"
#include "i18n.h"
#include "loop.h"
#include "msg.h"
#include "outfile.h"

static const char *const synopsis[] = {
	"[-lq] [-o file | --split dir] [-r report] [-t types] [--no-origin] "
	    "[--unwrap | --wrap --sender id --receiver id ...] "
	    "[file | dir ...]",
	"--list-rules",
	NULL
};

/* --help: the tool's own options; loop.c adds the common ones. */
static const struct loop_opthelp opthelp[] = {
	{ "-l", N_("list one CSV row per business record instead "
	    "of the messages: source, message, line, type, "
	    "guid, record, key, envelope") },
	{ "-o FILE", N_("write to FILE (put in place at the end) instead "
	    "of standard output") },
	{ "-t TYPES", N_("keep only these message types, codes or root "
	    "names, comma-separated (311,621 or CEB311Message)") },
	{ "--list-rules", N_("list the rules ceb-cat reports (those of the "
	    "stream layer) as CSV") },
	{ "--no-origin", N_("write no origin marks: the documents exactly "
	    "as delivered") },
	{ "--receiver=ID", N_("with --wrap: a receiver, 1 to 5 times") },
	{ "--sender=ID", N_("with --wrap: the sender's DXP id") },
	{ "--split=DIR", N_("write each document to a file of its own in "
	    "DIR, named after its type and key, never overwriting") },
	{ "--unwrap", N_("write the message inside each envelope instead "
	    "of the envelope") },
	{ "--wrap", N_("write each message inside a new DxpMsg envelope") },
	{ NULL, NULL }
};

struct cat {
	int list;			/* -l */
	unsigned char *types;		/* -t, NULL = all */
	const char *out_path;		/* -o */
	const char *split;		/* --split */
	int unwrap;			/* --unwrap */
	int wrap;			/* --wrap */
	int no_origin;			/* --no-origin */
	const char *sender;		/* --sender */
	const char *receivers[ENVELOPE_MAX_RECEIVERS];	/* --receiver */
	int nreceivers;
	struct msg_count count;		/* records, when no tree is built */
	struct outfile *out;		/* -o, or stdout */
	int split_fd;			/* --split: the directory */
	time_t now;			/* CreatTime of --wrap */
	int quiet_out;			/* -r - took stdout: write nothing */
};

/* Plain cat builds no tree: the records are counted from the start tags. */
static void
count_element(void *arg, int depth, const char *local, const char *uri)
{
	msg_count_element(&((struct cat *)arg)->count, depth, local, uri);
}

static int
list_record(FILE *out, const struct stream_doc *d, const struct msg *m,
    xmlNodePtr rec, long recno)
{
	char msgno[24], line[24], recstr[24], key[512], type[16];
	const char *row[8];

	snprintf(msgno, sizeof msgno, "%ld", d->index);
	snprintf(line, sizeof line, "%ld", rec ? msg_line(m, rec) : d->line);
	recstr[0] = '\0';
	key[0] = '\0';
	if (m->type) {
		msg_short(m->type, type, sizeof type);
		snprintf(recstr, sizeof recstr, "%ld", msg_record_no(m, recno));
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
	row[7] = d->origin.envelope ? d->origin.envelope : "";
	return csvio_write_report_row(out, row, 8);
}

/*
 * The CopMsgId of a message wrapped by --wrap: its guid when it has one
 * that fits, else the first 32 hexadecimal digits of the SHA-256 of its
 * bytes; either way the same message gets the same id on a rerun.
 */
static const char *
copmsgid(const struct stream_doc *d, const struct msg *m, char *buf,
    size_t n)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	if (m->guid[0] && strlen(m->guid) <= 255 &&
	    strpbrk(m->guid, "<>&\"' \t\r\n") == NULL)
		return m->guid;
	if (EVP_Digest(d->bytes, d->len, md, &len, EVP_sha256(), NULL) != 1)
		len = 0;
	for (i = 0; i < len && i < 16 && 2 * i + 2 < n; i++)
		snprintf(buf + 2 * i, 3, "%02X", md[i]);
	return buf;
}

/* Write d as asked: delivered, unwrapped or wrapped; 0 or -1. */
static int
write_doc(struct cat *c, FILE *out, const struct stream_doc *d,
    const struct msg *m)
{
	const struct origin *o = c->no_origin ? NULL : &d->origin;
	struct envelope_head h;
	char id[80];

	if (c->wrap) {
		memset(&h, 0, sizeof h);
		h.copmsgid = copmsgid(d, m, id, sizeof id);
		h.sender = c->sender;
		h.receivers = c->receivers;
		h.nreceivers = c->nreceivers;
		h.msgtype = m->root ? (const char *)m->root->name : "";
		h.created = c->now;
		return emit_wrapped(out, d, &h, o);
	}
	if (d->env && !c->unwrap)
		return emit_marked(out, d->env->bytes, d->env->len, o);
	return emit_marked(out, d->bytes, d->len, o);
}

/* A file name made of text from a document: [A-Za-z0-9._-], 100 at most. */
static void
safe_name(char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '-'))
			s[i] = '_';
	if (i > 100)
		s[100] = '\0';
}

/* --split: d into a file of its own, named after its type and key. */
static int
split_doc(struct cat *c, const struct stream_doc *d, const struct msg *m)
{
	char name[160], used[200], type[16], key[512];
	xmlNodePtr rec = m->type ? msg_record_first(m) : NULL;
	FILE *f;
	int r;

	if (m->type != NULL) {
		msg_short(m->type, type, sizeof type);
		msg_key(m, rec, key, sizeof key);
		snprintf(name, sizeof name, "%s-%.120s", type, rec ? key : "empty");
	} else
		snprintf(name, sizeof name, "%.60s-%ld", m->root ?
		    (const char *)m->root->name : "document", d->index);
	safe_name(name);
	if ((f = outfile_new(c->split_fd, name, ".xml", 0644, used,
	    sizeof used)) == NULL) {
		diag_trouble(c->split, 0, _("cannot create %s: %s"), name,
		    strerror(errno));
		return -1;
	}
	r = write_doc(c, f, d, m);
	if (fclose(f) != 0 || r != 0) {
		diag_trouble(c->split, 0, _("cannot write %s: %s"), used,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
cat_doc(struct stream_doc *d, void *arg)
{
	struct cat *c = arg;
	FILE *out = c->out ? outfile_stream(c->out) : stdout;
	struct msg m;
	long nrec = 0;
	xmlNodePtr rec;

	if (d->doc == NULL) {		/* checked without a tree */
		nrec = c->count.type ? c->count.records : 0;
		memset(&m, 0, sizeof m);
		diag_records(nrec, nrec, 0);
		if (c->quiet_out)
			return 0;
		if (write_doc(c, out, d, &m) != 0)
			goto fail;
		return 0;
	}
	if (stream_msg_open(&m, d) != MSG_OK)
		m.type = NULL;
	if (c->types && (m.type == NULL || !c->types[m.type - msg_types]))
		return 0;
	if (m.type)
		nrec = msg_record_count(&m);
	diag_records(nrec, nrec, 0);
	if (c->quiet_out)
		return 0;
	if (c->list) {
		long i = 1;

		if (m.type == NULL || nrec == 0) {
			if (list_record(out, d, &m, NULL, 0) != 0)
				goto fail;
		}
		for (rec = m.type ? msg_record_first(&m) : NULL; rec;
		    rec = msg_record_next(&m, rec), i++)
			if (list_record(out, d, &m, rec, i) != 0)
				goto fail;
		return 0;
	}
	if (c->split)
		return split_doc(c, d, &m) == 0 ? 0 : -1;
	if (write_doc(c, out, d, &m) != 0)
		goto fail;
	return 0;
fail:
	diag_write_error(c->out_path && strcmp(c->out_path, "-") != 0 ?
	    c->out_path : _("standard output"));
	return -1;
}

enum {
	OPT_LIST_RULES = LOOP_OPT_LAST,
	OPT_NO_ORIGIN,
	OPT_RECEIVER,
	OPT_SENDER,
	OPT_SPLIT,
	OPT_UNWRAP,
	OPT_WRAP
};

static const struct option longopts[] = {
	LOOP_LONG_OPTIONS,
	{ "list-rules", no_argument, NULL, OPT_LIST_RULES },
	{ "no-origin", no_argument, NULL, OPT_NO_ORIGIN },
	{ "receiver", required_argument, NULL, OPT_RECEIVER },
	{ "sender", required_argument, NULL, OPT_SENDER },
	{ "split", required_argument, NULL, OPT_SPLIT },
	{ "unwrap", no_argument, NULL, OPT_UNWRAP },
	{ "wrap", no_argument, NULL, OPT_WRAP },
	{ NULL, 0, NULL, 0 }
};

static const struct loop_cli cli = {
	synopsis,
	N_("Merge, filter, list and split streams of CEB messages: each "
	    "document is written back byte for byte, marked with its origin, "
	    "one after another; envelopes are taken off or put on."),
	"lo:qr:t:", longopts, opthelp,
	N_("With no file, or when file is -, read standard input.  A "
	    "directory is read whole (every *.xml and *.xml.gz below it, "
	    "in sorted order).")
};

/*
 * The options, into c.  Returns -1 to go on, else the exit status (bad
 * usage or value, --list-rules, --version).
 */
static int
options(int argc, char *argv[], struct cat *c, struct stream_opts *so,
    const char **report)
{
	char bad[64] = "";
	int ch, r;

	while ((ch = loop_getopt(argc, argv, &cli)) != -1) {
		if ((r = loop_common_option(ch, optarg, so, report)) != 0) {
			if (r != 1)
				return r == 2 ? 0 : 2;	/* --help, --version */
			continue;
		}
		switch (ch) {
		case 'l':
			c->list = 1;
			break;
		case 'o':
			c->out_path = optarg;
			break;
		case 't':
			free(c->types);	/* the last -t wins */
			if ((c->types = malloc(msg_ntypes)) == NULL ||
			    msg_type_set(optarg, c->types, bad, sizeof bad))
				return loop_usage_error("-t",
				    _("unknown message type: %s"), bad);
			break;
		case OPT_LIST_RULES:
			return loop_list_rules("ceb-cat");
		case OPT_NO_ORIGIN:
			c->no_origin = 1;
			break;
		case OPT_RECEIVER:
			if (!envelope_id_ok(optarg) || c->nreceivers ==
			    ENVELOPE_MAX_RECEIVERS)
				return loop_usage_error("--receiver",
				    _("1 to 16 printable characters, at most "
				    "%d times: %s"), ENVELOPE_MAX_RECEIVERS,
				    optarg);
			c->receivers[c->nreceivers++] = optarg;
			break;
		case OPT_SENDER:
			if (!envelope_id_ok(optarg))
				return loop_usage_error("--sender",
				    _("1 to 16 printable characters: %s"),
				    optarg);
			c->sender = optarg;
			break;
		case OPT_SPLIT:
			c->split = optarg;
			break;
		case OPT_UNWRAP:
			c->unwrap = 1;
			break;
		case OPT_WRAP:
			c->wrap = 1;
			break;
		default:	/* reported by loop_getopt() */
			return 2;
		}
	}
	if (c->wrap && c->unwrap)
		return loop_usage_error("--wrap", _("not with --unwrap"));
	if (c->wrap && (c->sender == NULL || c->nreceivers == 0))
		return loop_usage_error("--wrap",
		    _("needs --sender and --receiver"));
	if (!c->wrap && (c->sender || c->nreceivers))
		return loop_usage_error(c->sender ? "--sender" : "--receiver",
		    _("only with --wrap"));
	if (c->split && c->out_path)
		return loop_usage_error("--split", _("not with -o"));
	if (c->list && (c->split || c->wrap || c->unwrap))
		return loop_usage_error("-l", _("not with --split, --wrap or "
		    "--unwrap"));
	return -1;
}

/*
 * Where the output goes: -o FILE, --split DIR or stdout; the listing's
 * header.  Returns 0, or -1 after reporting the trouble.
 */
static int
start(struct cat *c, struct stream_opts *so)
{
	static const char *const hdr[] = { "source", "message", "line", "type",
	    "guid", "record", "key", "envelope" };
	char err[400];

	c->now = loop_time();
	c->quiet_out = diag_report_on_stdout() && c->out_path == NULL &&
	    c->split == NULL;
	if (c->out_path && (c->out = outfile_open(c->out_path, 0644, err,
	    sizeof err)) == NULL) {
		diag_trouble(NULL, 0, "-o: %s", err);
		return -1;
	}
	if (c->split && (c->split_fd = outfile_dir(c->split, err,
	    sizeof err)) < 0) {
		diag_trouble(NULL, 0, "--split: %s", err);
		return -1;
	}
	if (c->list && !c->quiet_out && csvio_write_row(c->out ? outfile_stream(c->out) :
	    stdout, hdr, 8) != 0) {
		diag_write_error(_("standard output"));
		return -1;
	}
	/* A tree only where one is needed (keys, names, roots). */
	if (!c->list && c->types == NULL && !c->split && !c->wrap) {
		so->no_tree = 1;
		so->on_element = count_element;
		so->on_element_arg = c;
	}
	return 0;
}

/* After the run: put -o FILE in place (unless writing failed). */
static void
finish(struct cat *c)
{
	char err[400];

	if (c->split)
		close(c->split_fd);
	if (c->out == NULL)
		return;
	if (diag_flush() != 0 && strcmp(c->out_path, "-") != 0)
		outfile_abort(c->out);
	else if (outfile_commit(c->out, err, sizeof err) != 0)
		diag_trouble(c->out_path, 0, "%s", err);
}

int
main(int argc, char *argv[])
{
	struct stream_opts sopts = { 0 };
	struct cat c = { 0 };
	const char *report = NULL;	/* -r */
	int r;

	diag_init(argv[0]);
	c.split_fd = -1;
	if ((r = options(argc, argv, &c, &sopts, &report)) >= 0) {
		free(c.types);
		return r;
	}
	if ((report && diag_report_open(report, NULL) != 0) ||
	    start(&c, &sopts) != 0) {
		free(c.types);
		return diag_exit();
	}
	loop_run(argc - optind, argv + optind, &sopts, cat_doc, &c);
	finish(&c);
	free(c.types);
	return diag_exit();
}
