/*
 * ceb-validate: check each CEB message against the schema of its type,
 * picked by its root element, then against the business-rule catalogue
 * (rules.h), and pass on the records that pass: the whole message byte
 * for byte when every record passes, otherwise the message reduced to its
 * passing records (ceb-stream(5)).  DxpMsg envelopes are opened and their
 * payload judged as the message it is.
 *
 * With -j N the documents are framed on the main thread, then parsed and
 * validated on N worker threads (one libxml2 validation context per
 * thread, the compiled schemas shared read-only); findings, rules and
 * output happen back on the main thread in input order.  The queue between
 * them is bounded, so memory does not grow with the input.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "csvio.h"
#include "diag.h"
#include "emit.h"
#include "i18n.h"
#include "loop.h"
#include "mask.h"
#include "msg.h"
#include "rules.h"
#include "schema.h"

static const char *const synopsis[] = {
	"[-q] [-c dir] [-j jobs] [-R dir] [-r report] [-s dir] "
	    "[--edition 2018|2022] [--positive-list file] [--rules file] "
	    "[--tolerance x] [file | dir ...]",
	"--list-rules",
	"--list-types",
	NULL
};

#define MAX_JOBS 64

/* One document on its way through the tool. */
struct job {
	struct stream_doc d;	/* detached when threaded */
	char *src;		/* copy of d.source (threaded) */
	struct stream_err perr;	/* parse failure (threaded) */
	int parsed;		/* d.doc holds a tree */
	enum msg_status st;
	struct msg m;
	const struct schema *sc;
	int missing;		/* no schema declares the root */
	char why[400];		/* why sc is NULL */
	/* A DxpMsg envelope's payload. */
	long pline;		/* source line of the Data element */
	char pbad[600];		/* payload not decodable: why */
	xmlDocPtr pdoc;
	enum msg_status pst;
	struct msg pm;
	const struct schema *psc;
	int pmissing;
	char pwhy[400];
	/* Validation results. */
	struct schema_errors e, pe;
	int vfail, pvfail;
	int done;
};

/* A worker's memory of the schemas it has looked up (no lock needed). */
#define WCACHE 16

struct wcache {
	size_t n;
	struct {
		int ns_dxp;
		char name[32];
		const struct schema *sc;
	} v[WCACHE];
};

struct tool {
	struct schema_set *schemas;
	struct rules *rules;
	const char *receipts;	/* -R */
	int edition;		/* --edition */
	int own_schemas;	/* -s given: no edition fallback */
	int threaded;
	struct schema_vctx *vctx;	/* main thread's */
	struct wcache cache;		/* main thread's */
	pthread_mutex_t find_mu;	/* schema_find() from workers */
	/* Roots whose schema failed to compile, reported once. */
	char *bad_roots[32];
	size_t nbad;
	/* The worker pool. */
	pthread_mutex_t mu;
	pthread_cond_t cv_work, cv_done;
	pthread_t th[MAX_JOBS];
	int nth;
	struct batch **ring;	/* batches in input order */
	size_t cap, head, next, tail, count;
	struct batch *cur;	/* being filled by the main thread */
	struct batch *garbage;	/* finished batches, freed by a worker */
	int stop;
};

/*
 * Documents travel to the workers in batches, so that the threads meet
 * once per batch rather than once per (often small) document.
 */
#define BATCH_DOCS 32
#define BATCH_BYTES (64 * 1024)

struct batch {
	struct job *v[BATCH_DOCS];
	size_t n, bytes;
	int done;
	int taken;		/* claimed by a worker or the main thread */
	struct batch *next;	/* on the garbage list */
};

static void job_free(struct job *);

static void
batch_free(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		job_free(b->v[i]);
	free(b);
}


static void
lock(struct tool *t)
{
	if (t->threaded)
		pthread_mutex_lock(&t->find_mu);
}

static void
unlock(struct tool *t)
{
	if (t->threaded)
		pthread_mutex_unlock(&t->find_mu);
}

/*
 * Find the schema of a root; NULL with why filled when there is none.
 * Successful look-ups are remembered in the worker's cache c (may be
 * NULL), so that workers take the shared lock only on first sight of a
 * root.
 */
static const struct schema *
find_schema(struct tool *t, struct wcache *c, const struct msg *m,
    const char *ns, int *missing, char *why, size_t n)
{
	const char *name = (const char *)m->root->name;
	int dxp = strcmp(ns, MSG_NS_DXP) == 0;
	const struct schema *sc;
	size_t i;

	for (i = 0; c && i < c->n; i++)
		if (c->v[i].ns_dxp == dxp && strcmp(c->v[i].name, name) == 0)
			return c->v[i].sc;

	if (m->type && t->edition == 2018 && !t->own_schemas &&
	    !(m->type->editions & MSG_ED_2018)) {
		*missing = 1;
		snprintf(why, n, _("%s is not part of the 2018 edition"),
		    name);
		return NULL;
	}
	lock(t);
	sc = schema_find(t->schemas, ns, name, missing, why, n);
	unlock(t);
	if (sc && c && c->n < WCACHE && strlen(name) < sizeof c->v[0].name) {
		c->v[c->n].ns_dxp = dxp;
		snprintf(c->v[c->n].name, sizeof c->v[0].name, "%s", name);
		c->v[c->n].sc = sc;
		c->n++;
	}
	return sc;
}

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decode base64 text (whitespace ignored) into a malloc'd buffer.  Returns
 * NULL (and *bad set) when the text is not base64.
 */
static char *
b64decode(const char *s, size_t *len, const char **bad)
{
	size_t n = strlen(s), o = 0;
	char *out = malloc(n / 4 * 3 + 3);
	unsigned acc = 0;
	int bits = 0, pad = 0, v;

	*bad = NULL;
	if (out == NULL) {
		*bad = strerror(ENOMEM);
		return NULL;
	}
	for (; *s; s++) {
		if (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
			continue;
		if (*s == '=') {
			pad++;
			continue;
		}
		if (pad || (v = b64val((unsigned char)*s)) < 0) {
			*bad = _("Data is not base64");
			free(out);
			return NULL;
		}
		acc = acc << 6 | (unsigned)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[o++] = (char)(acc >> bits & 0xff);
		}
	}
	if (bits >= 6 || pad > 2) {
		*bad = _("Data is not base64 (truncated)");
		free(out);
		return NULL;
	}
	*len = o;
	return out;
}

/* Open the payload of an envelope (j->m), filling the p* members. */
static void
open_payload(struct tool *t, struct wcache *c, struct job *j)
{
	xmlNodePtr data = msg_child(j->m.root, MSG_NS_DXP, "Data");
	struct stream_err err;
	const char *bad;
	xmlChar *text;
	char *bytes;
	size_t len = 0;

	j->pline = data ? msg_line(&j->m, data) : j->d.line;
	if (data == NULL) {
		snprintf(j->pbad, sizeof j->pbad, _("no Data element"));
		return;
	}
	text = xmlNodeGetContent(data);
	bytes = b64decode(text ? (const char *)text : "", &len, &bad);
	xmlFree(text);
	if (bytes == NULL) {
		snprintf(j->pbad, sizeof j->pbad, "%s", bad);
		return;
	}
	if (len == 0) {
		snprintf(j->pbad, sizeof j->pbad, _("Data is empty"));
		free(bytes);
		return;
	}
	memset(&err, 0, sizeof err);
	j->pdoc = stream_parse_memory(bytes, len, j->d.source, &err);
	free(bytes);
	if (j->pdoc == NULL) {
		snprintf(j->pbad, sizeof j->pbad, _("payload line %ld: %s"),
		    err.line, err.msg);
		return;
	}
	j->pst = msg_open(&j->pm, j->pdoc, j->pline);
	if (j->pst == MSG_ENVELOPE) {
		snprintf(j->pbad, sizeof j->pbad,
		    _("the payload is itself a DxpMsg envelope"));
		return;
	}
	if (j->pst == MSG_OK)
		j->psc = find_schema(t, c, &j->pm, MSG_NS_CEB, &j->pmissing,
		    j->pwhy, sizeof j->pwhy);
}

/*
 * Everything that can run on a worker: parse (when threaded), find the
 * schema, open an envelope, validate.
 */
static void
work(struct tool *t, struct job *j, struct schema_vctx *v, struct wcache *c)
{
	if (j->d.doc == NULL) {
		memset(&j->perr, 0, sizeof j->perr);
		j->d.doc = stream_parse_memory(j->d.bytes, j->d.len,
		    j->d.source, &j->perr);
		if (j->d.doc == NULL)
			return;
	}
	j->parsed = 1;
	j->st = msg_open(&j->m, j->d.doc, j->d.line);
	if (j->st == MSG_OK)
		j->sc = find_schema(t, c, &j->m, MSG_NS_CEB, &j->missing, j->why,
		    sizeof j->why);
	else if (j->st == MSG_ENVELOPE) {
		j->sc = find_schema(t, c, &j->m, MSG_NS_DXP, &j->missing,
		    j->why, sizeof j->why);
		open_payload(t, c, j);
	}
	if (j->sc && schema_validate(v, j->sc, j->d.doc, &j->e) < 0)
		j->vfail = 1;
	if (j->psc && !j->pbad[0] &&
	    schema_validate(v, j->psc, j->pdoc, &j->pe) < 0)
		j->pvfail = 1;
}

/* Personal fields whose values are masked in schema error texts. */
static int
personal_kind(const char *field)
{
	static const struct { const char *name; int kind; } f[] = {
		{ "buyerIdNumber", MASK_ID }, { "payerIdNumber", MASK_ID },
		{ "consigneeIdNumber", MASK_ID }, { "idNumber", MASK_ID },
		{ "buyerTelephone", MASK_PHONE },
		{ "consigneeTelephone", MASK_PHONE },
		{ "payerTelephone", MASK_PHONE }, { "telephone", MASK_PHONE },
		{ "buyerName", MASK_NAME }, { "payerName", MASK_NAME },
		{ "consignee", MASK_NAME }, { "consigneeName", MASK_NAME },
		{ "consigneeAddress", MASK_ADDRESS }, { "address", MASK_ADDRESS },
	};
	size_t i;

	for (i = 0; i < sizeof f / sizeof f[0]; i++)
		if (strcmp(field, f[i].name) == 0)
			return f[i].kind;
	return -1;
}

/*
 * The value quoted in a libxml2 message ("The value 'x' ..." or "'x' is
 * not a valid value ...") masked when the field is personal.
 */
static const char *
masked_text(const struct schema_error *x, char *buf, size_t n)
{
	const char *p, *q;
	char val[400], mv[400];
	int kind;

	if (!mask_on() || (kind = personal_kind(x->field)) < 0)
		return x->text;
	if ((p = strstr(x->text, "The value '")) != NULL)
		p += 11;
	else if (x->text[0] == '\'')
		p = x->text + 1;
	else
		return x->text;
	if ((q = strstr(p, "' ")) == NULL && (q = strrchr(p, '\'')) == NULL)
		return x->text;
	snprintf(val, sizeof val, "%.*s", (int)(q - p), p);
	mask((enum mask_kind)kind, val, mv, sizeof mv);
	snprintf(buf, n, "%.*s%s%s", (int)(p - x->text), x->text, mv, q);
	return buf;
}

/* Index (0-based) of the record holding node, or -1 outside records. */
static long
record_of(const struct msg *m, xmlNodePtr *recs, long nrec, xmlNodePtr node)
{
	long i;

	while (node && node->parent && node->parent != m->root)
		node = node->parent;
	if (node == NULL || node->parent != m->root)
		return -1;
	for (i = 0; i < nrec; i++)
		if (recs[i] == node)
			return i;
	return -1;
}

static void
report_schema_error(const struct diag_loc *at, const struct msg *m,
    const struct schema_error *x, struct rules_result *res)
{
	struct diag_loc loc = *at;
	char path[512], buf[600];
	const char *text = masked_text(x, buf, sizeof buf);

	if (x->node)
		loc.line = msg_line(m, x->node);
	else if (x->line > 0)
		loc.line = m->line_base + x->line - 1;
	if (x->node)
		schema_node_path(x->node, path, sizeof path);
	else
		path[0] = '\0';
	diag_finding(&loc, x->rule, DIAG_ERROR, x->field, NULL, "%s%s%s",
	    path, path[0] ? ": " : "", text);
	if (res && res->n < sizeof res->item / sizeof res->item[0]) {
		snprintf(res->item[res->n].rule, sizeof res->item[0].rule,
		    "%s", x->rule);
		size_t fl = strlen(x->field);

		snprintf(res->item[res->n].text, sizeof res->item[0].text,
		    "%.*s%s%.*s", (int)fl, x->field, fl ? ": " : "",
		    (int)(sizeof res->item[0].text - 3 - fl), text);
		schema_utf8_trim(res->item[res->n].text);
		res->n++;
	}
}

static void
trouble_once(struct tool *t, const char *root, const char *why)
{
	size_t i;

	for (i = 0; i < t->nbad; i++)
		if (strcmp(t->bad_roots[i], root) == 0)
			return;
	if (t->nbad < sizeof t->bad_roots / sizeof t->bad_roots[0])
		t->bad_roots[t->nbad++] = strdup(root);
	diag_trouble(NULL, 0, _("schema for %s: %s"), root, why);
}

/* What judging one message found. */
struct verdict {
	long nrec, passed, failed;
	int emitted_whole;	/* every record passed */
};

/*
 * A message whose root is not a known CEB type: one finding, the message
 * fails as a whole.
 */
static void
judge_root(const struct diag_loc *at, const struct msg *m,
    enum msg_status st, const char *what)
{
	xmlNodePtr root = m->root;
	const char *name = root ? (const char *)root->name : "";
	const char *ns = root && root->ns ? (const char *)root->ns->href : "";

	switch (st) {
	case MSG_BAD_NS:
		diag_finding(at, "S-NS-001", DIAG_ERROR, name, NULL,
		    _("%sroot %s is in namespace '%s', expected %s"), what,
		    name, ns,
		    MSG_NS_CEB);
		break;
	case MSG_UNKNOWN:
		diag_finding(at, "S-ROOT-001", DIAG_ERROR, name, NULL,
		    _("%sroot %s is not a known CEB message type "
		    "(see --list-types)"), what, name);
		break;
	default:
		diag_finding(at, "S-ROOT-002", DIAG_ERROR, name, NULL,
		    _("%snot a CEB message: root element %s%s%s%s"), what,
		    name,
		    ns[0] ? " in namespace '" : "", ns, ns[0] ? "'" : "");
		break;
	}
}

/*
 * Judge a known-type message m (errors e from its schema): report every
 * finding, run the rules, write receipts, and fill keep[] (one byte per
 * record, malloc'd, NULL when there are no records).  Returns the verdict.
 */
static struct verdict
judge_msg(struct tool *t, const struct stream_doc *d, const struct msg *m,
    const struct schema *sc, int missing, const char *why,
    const struct schema_errors *e, int vfail, long line,
    unsigned char **keep)
{
	struct verdict v = { 0, 0, 0, 0 };
	struct diag_loc loc;
	struct rules_result res;
	xmlNodePtr *recs = NULL, rec;
	long *nerr = NULL, i, msgerr = 0;
	size_t k;
	char type[16], key[512], err[300];
	const char *root = (const char *)m->root->name;

	memset(&loc, 0, sizeof loc);
	loc.source = d->source;
	loc.message = d->index;
	loc.line = line;
	loc.type = msg_short(m->type, type, sizeof type);
	loc.guid = m->guid;
	*keep = NULL;

	for (rec = msg_record_first(m); rec; rec = msg_record_next(m, rec))
		v.nrec++;
	if (v.nrec > 0) {
		recs = calloc((size_t)v.nrec, sizeof *recs);
		nerr = calloc((size_t)v.nrec, sizeof *nerr);
		*keep = calloc((size_t)v.nrec, 1);
		if (!recs || !nerr || !*keep) {
			diag_trouble(d->source, line, "%s", strerror(ENOMEM));
			free(recs);
			free(nerr);
			free(*keep);
			*keep = NULL;
			v.failed = v.nrec;
			return v;
		}
		i = 0;
		for (rec = msg_record_first(m); rec;
		    rec = msg_record_next(m, rec))
			recs[i++] = rec;
	}

	/* Structure: findings outside any record fail the message. */
	if (sc == NULL) {
		if (missing)
			diag_finding(&loc, "S-ROOT-003", DIAG_ERROR, root, NULL,
			    _("no schema for %s: %s"), root, why);
		else
			trouble_once(t, root, why);
		msgerr++;
	} else {
		if (vfail) {
			diag_trouble(d->source, line,
			    _("schema validation could not run"));
			msgerr++;
		}
		for (k = 0; k < e->n; k++) {
			i = record_of(m, recs, v.nrec, e->v[k].node);
			if (i >= 0) {
				nerr[i]++;
				continue;
			}
			report_schema_error(&loc, m, &e->v[k], NULL);
			msgerr++;
		}
		if (e->dropped) {
			diag_finding(&loc, "S-XSD-009", DIAG_ERROR, root, NULL,
			    _("%zu more schema errors not shown"), e->dropped);
			msgerr++;
		}
	}
	memset(&res, 0, sizeof res);
	if (t->rules)
		msgerr += rules_check_message(t->rules, m, &loc, &res);

	for (i = 0; i < v.nrec; i++) {
		int nbad = 0;

		loc.record = i + 1;
		loc.key = msg_key(m, recs[i], key, sizeof key);
		schema_utf8_trim(key);	/* msg_key() may cut a character */
		loc.line = msg_line(m, recs[i]);
		memset(&res, 0, sizeof res);
		if (nerr[i])
			for (k = 0; k < e->n; k++)
				if (record_of(m, recs, v.nrec,
				    e->v[k].node) == i) {
					report_schema_error(&loc, m, &e->v[k],
					    &res);
					nbad++;
				}
		if (t->rules)
			nbad += rules_check_record(t->rules, m, recs[i], &loc,
			    &res);
		(*keep)[i] = nbad == 0 && msgerr == 0;
		if ((*keep)[i])
			v.passed++;
		else
			v.failed++;
		if (t->receipts && t->rules && rules_receipt(t->rules,
		    t->receipts, m, recs[i], (*keep)[i], &res, err,
		    sizeof err) != 0)
			diag_trouble(d->source, loc.line, _("receipt: %s"),
			    err);
	}
	if (v.nrec == 0 && msgerr == 0)
		msgerr++;	/* cannot happen with a schema: records >= 1 */
	v.emitted_whole = msgerr == 0 && v.failed == 0;
	free(recs);
	free(nerr);
	return v;
}

static int
out_ok(void)
{
	return !diag_report_on_stdout();
}

static int
write_failed(void)
{
	diag_write_error(_("standard output"));
	return -1;
}

/* The text of dxp:TransInfo/dxp:MsgType, or NULL. */
static char *
envelope_msgtype(const struct msg *m)
{
	xmlNodePtr ti = msg_child(m->root, MSG_NS_DXP, "TransInfo"), mt;

	if (ti == NULL || (mt = msg_child(ti, MSG_NS_DXP, "MsgType")) == NULL)
		return NULL;
	return (char *)xmlNodeGetContent(mt);
}

static int
finish_envelope(struct tool *t, struct job *j)
{
	struct diag_loc loc;
	struct verdict v = { 0, 0, 0, 0 };
	unsigned char *keep = NULL;
	long envbad = 0;
	size_t k;
	char *mt;

	memset(&loc, 0, sizeof loc);
	loc.source = j->d.source;
	loc.message = j->d.index;
	loc.line = j->d.line;
	loc.type = "DxpMsg";
	if (j->sc == NULL) {
		if (j->missing)
			diag_finding(&loc, "S-ROOT-003", DIAG_ERROR, "DxpMsg",
			    NULL, _("no schema for DxpMsg: %s"), j->why);
		else
			trouble_once(t, "DxpMsg", j->why);
		envbad++;
	} else {
		if (j->vfail) {
			diag_trouble(j->d.source, j->d.line,
			    _("schema validation could not run"));
			envbad++;
		}
		for (k = 0; k < j->e.n; k++, envbad++)
			report_schema_error(&loc, &j->m, &j->e.v[k], NULL);
	}
	if (j->pbad[0]) {
		loc.line = j->pline;
		diag_finding(&loc, "S-DXP-001", DIAG_ERROR, "Data", NULL,
		    _("payload cannot be read: %s"), j->pbad);
		v.nrec = v.failed = 1;
		envbad++;
	} else if (j->pst != MSG_OK) {
		loc.line = j->pline;
		loc.type = NULL;	/* the payload's, unknown */
		judge_root(&loc, &j->pm, j->pst, _("payload: "));
		v.nrec = v.failed = 1;
	} else {
		if ((mt = envelope_msgtype(&j->m)) != NULL && mt[0] &&
		    strcmp(mt, (const char *)j->pm.root->name) != 0) {
			loc.line = j->pline;
			diag_finding(&loc, "S-DXP-002", DIAG_WARNING, "MsgType",
			    NULL, _("MsgType says %s, the payload is %s"), mt,
			    j->pm.root->name);
		}
		xmlFree(mt);
		v = judge_msg(t, &j->d, &j->pm, j->psc, j->pmissing, j->pwhy,
		    &j->pe, j->pvfail, j->pline, &keep);
	}
	free(keep);
	if (envbad == 0 && v.emitted_whole) {
		diag_records(v.nrec, v.nrec, 0);
		if (out_ok() && emit_doc(stdout, &j->d) != 0)
			return write_failed();
		return 0;
	}
	if (v.passed > 0) {
		loc.line = j->d.line;
		diag_finding(&loc, "S-DXP-003", DIAG_INFO, "", NULL,
		    _("envelope withheld: %ld of its %ld records failed"),
		    v.nrec - v.passed, v.nrec);
	}
	diag_records(v.nrec, 0, v.nrec);
	return 0;
}

/* Report and pass on one judged document (main thread, input order). */
static int
finish(struct tool *t, struct job *j)
{
	struct diag_loc loc;
	struct verdict v;
	unsigned char *keep = NULL;
	char type[16];
	int rc = 0;

	if (!j->parsed) {
		/* As the input loop reports a document it cannot parse. */
		diag_trouble(j->d.source, j->d.line + (j->perr.line > 0 ?
		    j->perr.line - 1 : 0), _("document %ld: %s"), j->d.index,
		    j->perr.msg);
		diag_messages(-1);	/* the loop counted it as framed */
		return 0;
	}
	if (j->st == MSG_ENVELOPE)
		return finish_envelope(t, j);
	if (j->st != MSG_OK) {
		memset(&loc, 0, sizeof loc);
		loc.source = j->d.source;
		loc.message = j->d.index;
		loc.line = j->d.line;
		judge_root(&loc, &j->m, j->st, "");
		diag_records(1, 0, 1);
		return 0;
	}
	v = judge_msg(t, &j->d, &j->m, j->sc, j->missing, j->why, &j->e,
	    j->vfail, j->d.line, &keep);
	if (v.nrec == 0)
		v.nrec = v.failed = 1;
	diag_records(v.nrec, v.passed, v.failed);
	if (v.emitted_whole) {
		if (out_ok() && emit_doc(stdout, &j->d) != 0)
			rc = write_failed();
	} else if (v.passed > 0) {
		memset(&loc, 0, sizeof loc);
		loc.source = j->d.source;
		loc.message = j->d.index;
		loc.line = j->d.line;
		loc.type = msg_short(j->m.type, type, sizeof type);
		loc.guid = j->m.guid;
		diag_finding(&loc, "S-OUT-001", DIAG_INFO, "", NULL,
		    _("passed on with %ld of its %ld records, without "
		    "ds:Signature"), v.passed, v.nrec);
		if (out_ok() && emit_subset(stdout, &j->m, keep) != 0)
			rc = write_failed();
	}
	free(keep);
	return rc;
}

static void
job_clear(struct job *j)
{
	if (j->pdoc)
		xmlFreeDoc(j->pdoc);
	schema_errors_free(&j->e);
	schema_errors_free(&j->pe);
}

static void
job_free(struct job *j)
{
	job_clear(j);
	stream_doc_free(&j->d);
	free(j->src);
	free(j);
}

/*
 * Claim the oldest batch nobody works on (t->mu held), or NULL.  The
 * trees of finished batches are freed by the workers, off the main
 * thread, which is the one that cannot be parallel.
 */
static struct batch *
claim(struct tool *t)
{
	struct batch *b;

	while (t->next != t->tail) {
		b = t->ring[t->next % t->cap];
		t->next++;
		if (!b->taken) {
			b->taken = 1;
			return b;
		}
	}
	return NULL;
}

static void
run_batch(struct tool *t, struct batch *b, struct schema_vctx *v,
    struct wcache *c)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		if (v)
			work(t, b->v[i], v, c);
		else
			b->v[i]->vfail = 1;
	}
}

static void *
worker(void *arg)
{
	struct tool *t = arg;
	struct schema_vctx *v = schema_vctx_new();
	struct wcache c;
	struct batch *b, *g;

	memset(&c, 0, sizeof c);
	for (;;) {
		pthread_mutex_lock(&t->mu);
		while (t->next == t->tail && t->garbage == NULL && !t->stop)
			pthread_cond_wait(&t->cv_work, &t->mu);
		g = t->garbage;
		t->garbage = NULL;
		b = claim(t);
		if (b == NULL && g == NULL && t->stop) {
			pthread_mutex_unlock(&t->mu);
			break;
		}
		pthread_mutex_unlock(&t->mu);
		while (g) {
			struct batch *x = g->next;
			batch_free(g);
			g = x;
		}
		if (b == NULL)
			continue;
		run_batch(t, b, v, &c);
		pthread_mutex_lock(&t->mu);
		b->done = 1;
		pthread_cond_signal(&t->cv_done);
		pthread_mutex_unlock(&t->mu);
	}
	schema_vctx_free(v);
	return NULL;
}

/*
 * Finish the oldest batch.  With wait set, rather than sit idle until it
 * is done, the main thread validates a batch nobody has claimed yet.
 */
static int
drain_one(struct tool *t, int wait, int *rc)
{
	struct batch *b, *mine;
	size_t i;

	pthread_mutex_lock(&t->mu);
	if (t->count == 0) {
		pthread_mutex_unlock(&t->mu);
		return 0;
	}
	b = t->ring[t->head % t->cap];
	while (!b->done && wait) {
		if ((mine = claim(t)) != NULL) {
			pthread_mutex_unlock(&t->mu);
			run_batch(t, mine, t->vctx, &t->cache);
			pthread_mutex_lock(&t->mu);
			mine->done = 1;
			continue;
		}
		pthread_cond_wait(&t->cv_done, &t->mu);
	}
	if (!b->done) {
		pthread_mutex_unlock(&t->mu);
		return 0;
	}
	t->head++;
	t->count--;
	pthread_mutex_unlock(&t->mu);
	for (i = 0; i < b->n; i++) {
		if (*rc != 0)
			diag_messages(-1);	/* read, never judged */
		else if (finish(t, b->v[i]) != 0)
			*rc = -1;
	}
	pthread_mutex_lock(&t->mu);
	b->next = t->garbage;
	t->garbage = b;
	pthread_cond_signal(&t->cv_work);
	pthread_mutex_unlock(&t->mu);
	return 1;
}

/* Hand the batch being filled to the workers. */
static int
push(struct tool *t)
{
	int rc = 0;

	if (t->cur == NULL)
		return 0;
	while (t->count == t->cap)
		drain_one(t, 1, &rc);
	pthread_mutex_lock(&t->mu);
	t->ring[t->tail % t->cap] = t->cur;
	t->tail++;
	t->count++;
	pthread_cond_signal(&t->cv_work);
	pthread_mutex_unlock(&t->mu);
	t->cur = NULL;
	while (rc == 0 && drain_one(t, 0, &rc))
		;
	return rc;
}

static int
validate_doc(struct stream_doc *d, void *arg)
{
	struct tool *t = arg;
	struct job *j = NULL, local;
	int rc = 0;

	if (!t->threaded) {
		memset(&local, 0, sizeof local);
		local.d = *d;
		work(t, &local, t->vctx, NULL);
		rc = finish(t, &local);
		job_clear(&local);
		return rc;
	}
	if ((t->cur == NULL && (t->cur = calloc(1, sizeof *t->cur)) == NULL) ||
	    (j = calloc(1, sizeof *j)) == NULL ||
	    (j->src = strdup(d->source)) == NULL ||
	    stream_doc_detach(loop_stream(), d) != 0) {
		if (j)
			free(j->src);
		free(j);
		if (t->cur && t->cur->n == 0) {
			free(t->cur);
			t->cur = NULL;
		}
		diag_trouble(d->source, d->line, "%s", strerror(ENOMEM));
		return -1;
	}
	j->d = *d;
	j->d.source = j->src;	/* outlives the source's name */
	t->cur->v[t->cur->n++] = j;
	t->cur->bytes += d->len;
	if (t->cur->n == BATCH_DOCS || t->cur->bytes >= BATCH_BYTES)
		rc = push(t);
	return rc;
}

static int
pool_start(struct tool *t, int n)
{
	int i;

	t->cap = (size_t)n * 2 + 2;
	if ((t->ring = calloc(t->cap, sizeof *t->ring)) == NULL)
		return -1;
	pthread_mutex_init(&t->mu, NULL);
	pthread_mutex_init(&t->find_mu, NULL);
	pthread_cond_init(&t->cv_work, NULL);
	pthread_cond_init(&t->cv_done, NULL);
	t->threaded = 1;
	for (i = 0; i < n; i++) {
		if (pthread_create(&t->th[i], NULL, worker, t) != 0)
			break;
		t->nth++;
	}
	return t->nth > 0 ? 0 : -1;
}

static int
pool_stop(struct tool *t, int rc)
{
	int i;

	if (push(t) != 0)
		rc = -1;
	while (t->count > 0)
		drain_one(t, 1, &rc);
	pthread_mutex_lock(&t->mu);
	t->stop = 1;
	pthread_cond_broadcast(&t->cv_work);
	pthread_mutex_unlock(&t->mu);
	for (i = 0; i < t->nth; i++)
		pthread_join(t->th[i], NULL);
	while (t->garbage) {
		struct batch *x = t->garbage->next;
		batch_free(t->garbage);
		t->garbage = x;
	}
	free(t->ring);
	return rc;
}

static int
list_types(FILE *out)
{
	static const char *const hdr[] = { "code", "root", "name",
	    "direction", "edition" };
	const char *row[5];
	char code[16];
	size_t i;

	if (csvio_write_row(out, hdr, 5) != 0)
		return -1;
	for (i = 0; i < msg_ntypes; i++) {
		const struct msg_type *m = &msg_types[i];

		snprintf(code, sizeof code, "%d", m->code);
		row[0] = code;
		row[1] = m->root;
		row[2] = m->name_zh;
		row[3] = m->dir == MSG_IMPORT ? "import" : "export";
		row[4] = (m->editions & MSG_ED_2018) ? "2018 2022" : "2022";
		if (csvio_write_row(out, row, 5) != 0)
			return -1;
	}
	row[0] = "";
	row[1] = "DxpMsg";
	row[2] = "终端节点报文";
	row[3] = "";
	row[4] = "2018 2022";
	return csvio_write_row(out, row, 5);
}

/* The schema directories: -s DIR, or the edition's under the data dir. */
static struct schema_set *
open_schemas(const char *dir, int edition)
{
	const char *base = getenv("CEBTOOLS_DATADIR");
	char d18[4096], d22[4096];
	const char *dirs[2];

	if (dir)
		return schema_set_new(&dir, 1);
	if (base == NULL || base[0] == '\0')
		base = PKGDATADIR;
	snprintf(d18, sizeof d18, "%s/schemas/2018", base);
	snprintf(d22, sizeof d22, "%s/schemas/2022", base);
	/* 2018 first where it differs; the 2022 files serve the rest. */
	dirs[0] = edition == 2018 ? d18 : d22;
	dirs[1] = d22;
	return schema_set_new(dirs, edition == 2018 ? 2 : 1);
}

enum {
	OPT_EDITION = LOOP_OPT_LAST,
	OPT_LIST_RULES,
	OPT_LIST_TYPES,
	OPT_POSITIVE_LIST,
	OPT_RULES,
	OPT_TOLERANCE
};

static const struct option longopts[] = {
	LOOP_LONG_OPTIONS,
	{ "edition", required_argument, NULL, OPT_EDITION },
	{ "list-rules", no_argument, NULL, OPT_LIST_RULES },
	{ "list-types", no_argument, NULL, OPT_LIST_TYPES },
	{ "positive-list", required_argument, NULL, OPT_POSITIVE_LIST },
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "tolerance", required_argument, NULL, OPT_TOLERANCE },
	{ NULL, 0, NULL, 0 }
};

/* What the command line says besides struct rules_opts and t->receipts. */
struct cmdline {
	struct stream_opts sopts;
	const char *report;		/* -r */
	const char *schema_dir;		/* -s */
	long jobs;			/* -j */
};

/*
 * The options, into t, ro and c.  Returns -1 to go on, else the exit
 * status (usage trouble, a bad --edition or -j, --list-rules,
 * --list-types, --version, --help).  A listing wins over a bad --edition
 * or -j, wherever it stands on the command line.
 */
static int
options(int argc, char *argv[], struct tool *t, struct rules_opts *ro,
    struct cmdline *c)
{
	const char *jobs = NULL;	/* -j */
	const char *edition = NULL;	/* --edition */
	int listing = 0;		/* --list-rules, --list-types */
	char *end;
	int ch, r;

	while ((ch = getopt_long(argc, argv, "c:j:qR:r:s:", longopts,
	    NULL)) != -1) {
		if ((r = loop_common_option(ch, optarg, &c->sopts,
		    &c->report)) != 0) {
			if (r < 0)
				return 2;
			if (r == 2)
				return 0;
			continue;
		}
		switch (ch) {
		case 'c':
			ro->codes_dir = optarg;
			break;
		case 'j':
			jobs = optarg;
			break;
		case 'R':
			t->receipts = optarg;
			break;
		case 's':
			c->schema_dir = optarg;
			break;
		case OPT_EDITION:
			edition = optarg;
			break;
		case OPT_LIST_RULES:
		case OPT_LIST_TYPES:
			listing = ch;
			break;
		case OPT_POSITIVE_LIST:
			ro->positive_list = optarg;
			break;
		case OPT_RULES:
			ro->rules_file = optarg;
			break;
		case OPT_TOLERANCE:
			ro->tolerance = optarg;
			break;
		default:
			return diag_usage(synopsis);
		}
	}
	if (listing == OPT_LIST_TYPES) {
		if (list_types(stdout) != 0)
			diag_write_error(_("standard output"));
		return diag_status();
	}
	if (listing == OPT_LIST_RULES) {
		if (catalogue_list(stdout, "ceb-validate") != 0)
			diag_write_error(_("standard output"));
		return diag_status();
	}
	ro->edition = 2022;
	if (edition) {
		if (strcmp(edition, "2018") != 0 && strcmp(edition, "2022") != 0) {
			diag_trouble(NULL, 0,
			    _("--edition: expected 2018 or 2022: %s"), edition);
			return 2;
		}
		ro->edition = atoi(edition);
	}
	c->jobs = 1;
	if (jobs) {
		errno = 0;
		c->jobs = strtol(jobs, &end, 10);
		if (errno || end == jobs || *end || c->jobs < 1 ||
		    c->jobs > MAX_JOBS) {
			diag_trouble(NULL, 0,
			    _("-j: expected 1 to %d jobs: %s"), MAX_JOBS, jobs);
			return 2;
		}
	}
	t->edition = ro->edition;
	t->own_schemas = c->schema_dir != NULL;
	return -1;
}

/*
 * Everything the run needs, in this order: the report file (-r), the
 * rules and their tables, the schemas, the worker threads (-j).  Returns
 * 0, or -1 after reporting the trouble.
 */
static int
start(struct tool *t, const struct rules_opts *ro, struct cmdline *c)
{
	char err[400];

	if (c->report && diag_report_open(c->report, NULL) != 0)
		return -1;
	if ((t->rules = rules_load(ro, err, sizeof err)) == NULL) {
		diag_trouble(NULL, 0, "%s", err);
		return -1;
	}
	if ((t->schemas = open_schemas(c->schema_dir, t->edition)) == NULL ||
	    (t->vctx = schema_vctx_new()) == NULL) {
		diag_trouble(NULL, 0, "%s", strerror(ENOMEM));
		return -1;
	}
	xmlInitParser();
	if (c->jobs > 1) {
		c->sopts.no_parse = 1;
		if (pool_start(t, (int)c->jobs) != 0) {
			diag_trouble(NULL, 0, _("cannot start threads"));
			return -1;
		}
	}
	return 0;
}

/* After the run: stop the workers, free what start() made. */
static void
teardown(struct tool *t, int rc)
{
	if (t->threaded)
		pool_stop(t, rc);
	schema_vctx_free(t->vctx);
	schema_set_free(t->schemas);
	rules_free(t->rules);
	while (t->nbad > 0)
		free(t->bad_roots[--t->nbad]);
}

int
main(int argc, char *argv[])
{
	struct rules_opts ropts;
	struct cmdline c;
	struct tool t;
	int r;

	diag_init(argv[0]);
	if (loop_defaults(&argc, &argv) != 0)
		return diag_exit();
	memset(&t, 0, sizeof t);
	memset(&ropts, 0, sizeof ropts);
	memset(&c, 0, sizeof c);
	if ((r = options(argc, argv, &t, &ropts, &c)) >= 0)
		return r;
	if (start(&t, &ropts, &c) != 0)
		return diag_exit();
	r = loop_run(argc - optind, argv + optind, &c.sopts, validate_doc, &t);
	teardown(&t, r);
	return diag_exit();
}
