/*
 * judge.c: one document through ceb-validate (validate.h): parsed, its
 * schema found and validated on a worker (judge_work()); its findings
 * reported, its records judged by the business rules, receipts written
 * and the document passed on, on the main thread in input order
 * (judge_finish()).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "emit.h"
#include "i18n.h"
#include "loop.h"
#include "msg.h"
#include "validate.h"

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
const struct schema *
judge_find_schema(struct tool *t, struct wcache *c, const char *name,
    const struct msg_type *type, const char *ns, int *missing, char *why,
    size_t n)
{
	int dxp = strcmp(ns, MSG_NS_DXP) == 0;
	const struct schema *sc;
	size_t i;

	for (i = 0; c && i < c->n; i++)
		if (c->v[i].ns_dxp == dxp && strcmp(c->v[i].name, name) == 0)
			return c->v[i].sc;

	if (type && t->edition == 2018 && !t->own_schemas &&
	    !(type->editions & MSG_ED_2018)) {
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

/*
 * Everything that can run on a worker: parse (when threaded: the stream
 * layer opens an envelope there), find the schemas, validate the message
 * and the envelope it came in.
 */
void
judge_work(struct tool *t, struct job *j, struct schema_vctx *v,
    struct wcache *c, struct saxw *w)
{
	if (j->sax)
		return;
	/*
	 * One SAX pass when nothing needs a tree (sax.c); a signed message
	 * needs one when signatures are verified ("Signature" in the bytes
	 * is a cheap, safe test: an element of that name spells it).
	 */
	if (j->d.doc == NULL && !j->d.rejected && w != NULL && t->sax &&
	    (t->dsig == NULL || memmem(j->d.bytes, j->d.len, "Signature",
	    9) == NULL) && sax_judge_bytes(w, j) == 0)
		return;
	if (j->d.doc == NULL && !j->d.rejected) {
		memset(&j->perr, 0, sizeof j->perr);
		j->pr = stream_doc_parse(&j->d, t->sopts, &j->perr);
		/* Parsed here for a document the stream still holds: the
		 * tree and envelope are the job's to free. */
		j->tree_owned = !j->d.owned;
		if (j->pr == STREAM_BAD)
			return;
	}
	if (!j->d.rejected) {
		j->parsed = 1;
		j->st = stream_msg_open(&j->m, &j->d);
		if (j->st == MSG_OK)
			j->sc = judge_find_schema(t, c,
			    (const char *)j->m.root->name, j->m.type,
			    MSG_NS_CEB, &j->missing, j->why, sizeof j->why);
	}
	/* An envelope is judged even when it holds no usable message. */
	if (j->d.env != NULL) {
		/* Where the envelope is: in the file read, unless a mark
		 * says the message came from elsewhere. */
		(void)msg_open(&j->em, j->d.env->doc, j->d.origin.via ?
		    j->d.line : j->d.env->line);
		j->em.flat = j->d.origin.via != NULL;
		j->esc = judge_find_schema(t, c,
		    (const char *)j->em.root->name, NULL, MSG_NS_DXP,
		    &j->emissing, j->ewhy, sizeof j->ewhy);
		if (j->esc && schema_validate(v, j->esc, j->d.env->doc,
		    &j->ee) < 0)
			j->evfail = 1;
	}
	if (j->sc && schema_validate(v, j->sc, j->d.doc, &j->e) < 0)
		j->vfail = 1;
	/* The signatures (common/dsig.h; the certificate cache is shared):
	 * the message's, and the envelope's own when it came in one. */
	if (t->dsig && j->parsed && j->st == MSG_OK)
		dsig_verify(t->dsig, j->d.doc, &j->sig);
	if (t->dsig && j->d.env != NULL)
		dsig_verify(t->dsig, j->d.env->doc, &j->esig);
}

int
judge_signature(struct tool *t, const struct msg *m, const struct fdoc *fd,
    const struct diag_loc *loc, struct rules_result *res,
    const struct dsig_verdict *v)
{
	if (t->dsig == NULL) {
		if (fd != NULL ? fdoc_signed(fd) : msg_child(m->root,
		    MSG_NS_DS, "Signature") != NULL)
			diag_tally("signatures not verified", 1);
		return 0;
	}
	if (v->status == DSIG_OK)
		diag_tally("signatures verified", 1);
	return rules_check_signature(t->rules, m, loc, res, v);
}

/*
 * A message whose root is not a known CEB type: one finding, the message
 * fails as a whole.
 */
void
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
struct verdict
judge_msg(struct tool *t, const struct stream_doc *d, const struct msg *m,
    const struct fdoc *fd, const struct schema *sc, int missing,
    const char *why, const struct schema_errors *e, int vfail, long line,
    const struct dsig_verdict *sig, unsigned char **keep)
{
	struct verdict v = { 0, 0, 0, 0 };
	struct diag_loc loc;
	struct rules_result res;
	xmlNodePtr *recs = NULL, rec;
	long *nerr = NULL, i, msgerr = 0;
	size_t k;
	char type[16], key[512], err[300];
	const char *root = m->type->root;

	memset(&loc, 0, sizeof loc);
	loc.source = d->source;
	loc.message = d->index;
	loc.line = line;
	loc.type = msg_short(m->type, type, sizeof type);
	loc.guid = m->guid;
	loc.origin = &d->origin;
	*keep = NULL;

	/* The fields the rules read: from the pass, or from the tree. */
	if (fd == NULL) {
		if (t->fdtree == NULL && (t->fdtree = fdoc_new()) == NULL) {
			diag_trouble(d->source, line, "%s", strerror(ENOMEM));
			v.nrec = v.failed = 1;
			return v;
		}
		if (fdoc_from_tree(t->fdtree, m) != 0) {
			diag_trouble(d->source, line, "%s", strerror(ENOMEM));
			v.nrec = v.failed = 1;
			return v;
		}
		fd = t->fdtree;
	}
	v.nrec = (long)fdoc_records(fd);
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
		if (m->root != NULL)	/* a tree: for errors and receipts */
			for (rec = msg_record_first(m); rec && i < v.nrec;
			    rec = msg_record_next(m, rec))
				recs[i++] = rec;
	}

	/* Structure: findings outside any record fail the message. */
	if (sc == NULL) {
		if (missing)
			diag_finding(&loc, "S-ROOT-003", DIAG_ERROR, root, NULL,
			    _("no schema for %s: %s"), root, why);
		else
			serr_trouble_once(t, root, why);
		msgerr++;
	} else {
		if (vfail) {
			diag_trouble(d->source, line,
			    _("schema validation could not run"));
			msgerr++;
		}
		for (k = 0; k < e->n; k++) {
			i = serr_record_of(m, recs, v.nrec, e->v[k].node);
			if (i >= 0) {
				nerr[i]++;
				continue;
			}
			serr_report(&loc, m, &e->v[k], NULL);
			msgerr++;
		}
		if (e->dropped) {
			diag_finding(&loc, "S-XSD-009", DIAG_ERROR, root, NULL,
			    _("%zu more schema errors not shown"), e->dropped);
			msgerr++;
		}
	}
	res.n = 0;	/* items are written before they are read */
	if (t->rules)
		msgerr += rules_check_message(t->rules, m, fd, &loc, &res);
	msgerr += judge_signature(t, m, fd, &loc, &res, sig);

	for (i = 0; i < v.nrec; i++) {
		int nbad = 0;

		loc.record = msg_record_no(m, i + 1);
		loc.key = fdoc_key(fd, (size_t)i, key, sizeof key);
		schema_utf8_trim(key);	/* fdoc_key() may cut a character */
		loc.line = fdoc_record_line(fd, (size_t)i);
		{	/* a part of a message: the record's line as delivered */
			long ix, ln;

			if (origin_record(m->records, i + 1, &ix, &ln) == 0)
				loc.line = ln;
		}
		res.n = 0;
		if (nerr[i])
			for (k = 0; k < e->n; k++)
				if (serr_record_of(m, recs, v.nrec,
				    e->v[k].node) == i) {
					serr_report(&loc, m, &e->v[k],
					    &res);
					nbad++;
				}
		if (t->rules)
			nbad += rules_check_record(t->rules, m, fd, (size_t)i,
			    &loc, &res);
		(*keep)[i] = nbad == 0 && msgerr == 0;
		if ((*keep)[i])
			v.passed++;
		else
			v.failed++;
		if (t->receipts && t->rules && recs[i] != NULL &&
		    rules_receipt(t->rules, t->receipts, m, recs[i],
		    (*keep)[i], &res, err, sizeof err) != 0)
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

/* Write the document to t->out, if any; 0 or -1. */
int
judge_emit(struct tool *t, const struct stream_doc *doc)
{
	if (t->out == NULL) {
		t->held++;
		return 0;
	}
	if (emit_doc(t->out, doc) != 0) {
		diag_write_error(_("standard output"));
		return -1;
	}
	return 0;
}

/*
 * The envelope the message came in, against its schema: each error a
 * finding; returns their number (any fails the message as a whole).
 */
static long
judge_envelope(struct tool *t, const struct job *j)
{
	const char *root = j->d.env->root;
	struct diag_loc loc;
	long bad = 0;
	size_t k;

	memset(&loc, 0, sizeof loc);
	loc.source = j->d.source;
	loc.message = j->d.index;
	loc.line = j->em.line_base;
	loc.type = root;
	loc.origin = &j->d.origin;
	if (j->esc == NULL) {
		if (j->emissing)
			diag_finding(&loc, "S-ROOT-003", DIAG_ERROR, root,
			    NULL, _("no schema for %s: %s"), root, j->ewhy);
		else
			serr_trouble_once(t, root, j->ewhy);
		return 1;
	}
	if (j->evfail) {
		diag_trouble(j->d.source, loc.line,
		    _("schema validation could not run"));
		bad++;
	}
	for (k = 0; k < j->ee.n; k++, bad++)
		serr_report(&loc, &j->em, &j->ee.v[k], NULL);
	return bad + judge_signature(t, &j->em, NULL, &loc, NULL,
	    &j->esig);
}

/*
 * Write the passing records of j (keep[]) to t->out.  A message judged
 * in one pass has no tree: it is parsed now (it is well-formed and
 * valid), the only tree a failing record of such a message costs.
 * Returns 0, or -1 on a write error.
 */
static int
emit_part(struct tool *t, struct job *j, const unsigned char *keep)
{
	struct stream_doc d;
	struct stream_err err;
	struct msg m;
	int r;

	if (!j->sax)
		return emit_subset(t->out, &j->d.origin, &j->m, keep);
	d = j->d;
	d.doc = NULL;
	d.env = NULL;
	d.nnotes = 0;
	d.owned = 0;
	memset(&err, 0, sizeof err);
	if (stream_doc_parse(&d, t->sopts, &err) != STREAM_DOC ||
	    stream_msg_open(&m, &d) != MSG_OK) {
		/* Cannot happen: the pass found it well-formed. */
		diag_trouble(j->d.source, j->d.line, _("document %ld: %s"),
		    j->d.index, err.msg[0] ? err.msg : "parse error");
		xmlFreeDoc(d.doc);
		envelope_free((struct envelope *)d.env);
		return 0;
	}
	r = emit_subset(t->out, &j->d.origin, &m, keep);
	xmlFreeDoc(d.doc);
	return r;
}

/* Report and pass on one judged document (main thread, input order). */
int
judge_finish(struct tool *t, struct job *j)
{
	struct diag_loc loc;
	struct verdict v;
	unsigned char *keep = NULL;
	char type[16];
	long envbad = 0;
	int rc = 0;

	if (t->sopts->no_parse)
		loop_report_notes(&j->d);	/* made by stream_doc_parse() */
	if (j->d.rejected) {
		if (j->d.env != NULL)
			(void)judge_envelope(t, j);
		loop_report_reject(&j->d);
		return 0;
	}
	if (!j->parsed) {
		/* As the input loop reports a document it cannot parse. */
		diag_trouble(j->d.source, j->perr.line > 0 ? j->perr.line :
		    j->d.line, _("document %ld: %s"), j->d.index, j->perr.msg);
		diag_messages(-1);	/* the loop counted it as framed */
		return 0;
	}
	if (j->d.env != NULL)
		envbad = judge_envelope(t, j);
	memset(&loc, 0, sizeof loc);
	loc.source = j->d.source;
	loc.message = j->d.index;
	loc.line = j->d.line;
	loc.origin = &j->d.origin;
	if (j->st != MSG_OK) {
		judge_root(&loc, &j->m, j->st, "");
		diag_records(1, 0, 1);
		return 0;
	}
	v = judge_msg(t, &j->d, &j->m, j->sax ? j->fd : NULL, j->sc,
	    j->missing, j->why, &j->e, j->vfail, j->d.line, &j->sig, &keep);
	if (v.nrec == 0)
		v.nrec = v.failed = 1;
	if (envbad > 0) {
		/* The envelope was delivered with it: nothing passes. */
		v.failed = v.nrec;
		v.passed = 0;
		v.emitted_whole = 0;
	}
	diag_records(v.nrec, v.passed, v.failed);
	if (v.emitted_whole) {
		rc = judge_emit(t, &j->d);
	} else if (v.passed > 0) {
		loc.type = msg_short(j->m.type, type, sizeof type);
		loc.guid = j->m.guid;
		diag_finding(&loc, "S-OUT-001", DIAG_INFO, "", NULL,
		    _("passed on with %ld of its %ld records, without "
		    "ds:Signature"), v.passed, v.nrec);
		if (t->out == NULL)
			t->held++;
		else if (emit_part(t, j, keep) != 0) {
			diag_write_error(_("standard output"));
			rc = -1;
		}
	}
	free(keep);
	return rc;
}

void
job_clear(struct job *j)
{
	if (j->tree_owned) {
		xmlFreeDoc(j->d.doc);
		j->d.doc = NULL;
		envelope_free((struct envelope *)j->d.env);
		j->d.env = NULL;
		j->tree_owned = 0;
	}
	free(j->sguid);
	j->sguid = NULL;
	if (j->fd_owned)
		fdoc_free(j->fd);
	j->fd = NULL;
	j->fd_owned = 0;
	schema_errors_free(&j->e);
	schema_errors_free(&j->ee);
}

void
job_free(struct job *j)
{
	job_clear(j);
	fdoc_free(j->fd_spare);
	stream_doc_free(&j->d);
	free(j);
}

/* The most a recycled job keeps of a message's fields, in bytes. */
#define JOB_KEEP_FIELDS (8 * 1024)

void
job_recycle(struct job *j)
{
	struct fdoc *spare = j->fd_spare;
	struct schema_errors e = j->e, ee = j->ee;

	/* The fields of a message of ordinary size are kept (not those of
	 * a large one: every slot would end up holding that much). */
	if (j->fd_owned && spare == NULL &&
	    fdoc_footprint(j->fd) <= JOB_KEEP_FIELDS) {
		spare = j->fd;
		j->fd_owned = 0;
	}
	schema_errors_clear(&e);
	schema_errors_clear(&ee);
	memset(&j->e, 0, sizeof j->e);
	memset(&j->ee, 0, sizeof j->ee);
	job_clear(j);
	stream_doc_free(&j->d);
	memset(j, 0, sizeof *j);
	j->fd_spare = spare;
	j->e = e;
	j->ee = ee;
}
