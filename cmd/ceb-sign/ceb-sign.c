/*
 * ceb-sign: sign every declaration of a stream with a software key and its
 * certificate (RSA: rsa-sha1, SM2: sm2-sm3), as the specification's
 * section 6 describes (common/dsig.h), and write the signed stream.  A
 * message that arrived in a DxpMsg envelope (opened by the stream layer,
 * stream_doc.env) is written in its envelope, and the envelope gets a
 * signature of its own; the message inside stays as it came.  Receipts
 * and documents that are not CEB messages pass through unchanged.  A
 * message that already has a ds:Signature is re-signed only with
 * --replace.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "dsig.h"
#include "emit.h"
#include "i18n.h"
#include "loop.h"
#include "msg.h"

static const char *const synopsis[] = {
	"[-q] [-r report] [--cert file | uri] [--key-name name] [--replace] "
	    "--key file | uri [file | dir ...]",
	"--list-rules",
	NULL
};

struct sign {
	struct dsig_signer *s;
	int replace;		/* --replace */
};

/* Where the signature goes: an export message puts it before ExtendMessage. */
static xmlNodePtr
place(const struct msg *m)
{
	if (m->type && m->type->dir == MSG_EXPORT)
		return msg_child(m->root, MSG_NS_CEB, "ExtendMessage");
	return NULL;
}

static int
sign_doc(struct stream_doc *d, void *arg)
{
	struct sign *g = arg;
	struct diag_loc loc;
	struct msg m;
	/* The document to sign: the envelope when there is one. */
	const char *bytes = d->env ? d->env->bytes : d->bytes;
	size_t len = d->env ? d->env->len : d->len;
	xmlDocPtr doc = d->env ? d->env->doc : d->doc;
	enum msg_status st = d->env ? msg_open(&m, doc, d->line) :
	    stream_msg_open(&m, d);
	char type[16], err[300], *out = NULL;
	size_t olen = 0;
	long nrec;
	int r;

	memset(&loc, 0, sizeof loc);
	loc.source = d->source;
	loc.message = d->index;
	loc.line = d->line;
	loc.origin = &d->origin;
	loc.type = st == MSG_ENVELOPE ? d->env->root : st == MSG_OK ?
	    msg_short(m.type, type, sizeof type) : NULL;
	loc.guid = st == MSG_OK ? m.guid : NULL;
	nrec = st == MSG_OK ? msg_record_count(&m) : 1;
	if (nrec < 1)
		nrec = 1;
	if ((st != MSG_OK && st != MSG_ENVELOPE) ||
	    (st == MSG_OK && m.type->sig_min < 0)) {
		/* No opinion: not a message that carries a signature. */
		diag_records(nrec, nrec, 0);
		diag_tally("passed through", 1);
		goto raw;
	}
	r = dsig_sign_bytes(g->s, bytes, len, doc, place(&m), g->replace, &out,
	    &olen, err, sizeof err);
	if (r == 1) {
		diag_finding(&loc, "G-SIGN-001", DIAG_WARNING, "ds:Signature",
		    NULL, _("already signed; written unchanged (--replace "
		    "re-signs)"));
		diag_records(nrec, nrec, 0);
		diag_tally("already signed", 1);
		goto raw;
	}
	if (r < 0) {
		diag_finding(&loc, "G-SIGN-002", DIAG_ERROR, "ds:Signature",
		    NULL, _("cannot sign: %s; written unchanged"), err);
		diag_records(nrec, 0, nrec);
		goto raw;
	}
	diag_records(nrec, nrec, 0);
	diag_tally("signed", 1);
	if (!diag_report_on_stdout() && emit_marked(stdout, out, olen,
	    &d->origin) != 0) {
		free(out);
		goto fail;
	}
	free(out);
	return 0;
raw:
	if (!diag_report_on_stdout() && emit_delivered(stdout, d) != 0)
		goto fail;
	return 0;
fail:
	diag_write_error(_("standard output"));
	return -1;
}

enum {
	OPT_CERT = LOOP_OPT_LAST,
	OPT_KEY,
	OPT_KEY_NAME,
	OPT_LIST_RULES,
	OPT_REPLACE
};

static const struct option longopts[] = {
	LOOP_LONG_OPTIONS,
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "key-name", required_argument, NULL, OPT_KEY_NAME },
	{ "list-rules", no_argument, NULL, OPT_LIST_RULES },
	{ "replace", no_argument, NULL, OPT_REPLACE },
	{ NULL, 0, NULL, 0 }
};

/* --help: the tool's own options; loop.c adds the common ones. */
static const struct loop_opthelp opthelp[] = {
	{ "--cert=FILE|URI", N_("the signer's certificate, PEM or DER "
	    "(default: from the --key file or URI)") },
	{ "--key=FILE|URI", N_("the private key, RSA (rsa-sha1) or SM2 "
	    "(sm2-sm3): a PEM file or an OpenSSL store URI; an encrypted "
	    "key takes its passphrase from CEB_SIGN_PASS") },
	{ "--key-name=NAME", N_("what KeyName says (default: the "
	    "certificate's serial number in hexadecimal)") },
	{ "--list-rules", N_("write the findings of ceb-sign as CSV and "
	    "exit") },
	{ "--replace", N_("sign messages that already carry a signature "
	    "again") },
	{ NULL, NULL }
};

static const struct loop_cli cli = {
	synopsis,
	N_("Sign every CEB declaration and DxpMsg envelope of a stream with "
	    "an enveloped XML-DSig signature (specification section 6), and "
	    "write the signed stream."),
	"qr:", longopts, opthelp,
	N_("With no file, or when file is -, read standard input.  A "
	    "directory is read whole (every *.xml and *.xml.gz below it, in "
	    "sorted order).")
};

int
main(int argc, char *argv[])
{
	struct stream_opts sopts = { 0 };
	struct sign g = { NULL, 0 };
	const char *report = NULL;	/* -r */
	const char *key = NULL;		/* --key */
	const char *cert = NULL;	/* --cert */
	const char *key_name = NULL;	/* --key-name */
	char err[400];
	int ch, r;

	diag_init(argv[0]);
	while ((ch = loop_getopt(argc, argv, &cli)) != -1) {
		if ((r = loop_common_option(ch, optarg, &sopts, &report))) {
			if (r != 1)
				return r == 2 ? 0 : 2;	/* --help, --version */
			continue;
		}
		switch (ch) {
		case OPT_CERT:
			cert = optarg;
			break;
		case OPT_KEY:
			key = optarg;
			break;
		case OPT_KEY_NAME:
			key_name = optarg;
			break;
		case OPT_LIST_RULES:
			return loop_list_rules("ceb-sign");
		case OPT_REPLACE:
			g.replace = 1;
			break;
		default:		/* reported by loop_getopt() */
			return 2;
		}
	}
	if (key == NULL)
		return loop_usage_error("--key", _("the signing key is "
		    "required"));
	if ((g.s = dsig_signer_new(key, loop_env("CEB_SIGN_PASS"), cert,
	    key_name, err, sizeof err)) == NULL) {
		diag_trouble(NULL, 0, "%s", err);
		return diag_exit();
	}
	if (report && diag_report_open(report, NULL) != 0) {
		dsig_signer_free(g.s);
		return diag_exit();
	}
	loop_run(argc - optind, argv + optind, &sopts, sign_doc, &g);
	dsig_signer_free(g.s);
	return diag_exit();
}
