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
 * Everything that can run on a worker: parse (when threaded), find the
 * schema, open an envelope, validate.
 */
void
judge_work(struct tool *t, struct job *j, struct schema_vctx *v,
    struct wcache *c, struct saxw *w)
{
	if (j->sax)
		return;		/* judged by the stream's single scan */
	/*
	 * One SAX pass when nothing needs a tree (sax.c); a signed message
	 * needs one when signatures are verified ("Signature" in the bytes
	 * is a cheap, safe test: an element of that name spells it).
	 */
	if (j->d.doc == NULL && w != NULL && t->sax && (t->dsig == NULL ||
	    memmem(j->d.bytes, j->d.len, "Signature", 9) == NULL) &&
	    sax_judge_bytes(w, j) == 0)
		return;
	if (j->d.doc == NULL) {
		memset(&j->perr, 0, sizeof j->perr);
		if (stream_doc_parse(&j->d, NULL, &j->perr) != STREAM_DOC)
			return;
		j->tree_owned = !j->d.owned;
	}
	j->parsed = 1;
	j->st = msg_open(&j->m, j->d.doc, j->d.line);
	if (j->st == MSG_OK)
		j->sc = judge_find_schema(t, c, (const char *)j->m.root->name,
		    j->m.type, MSG_NS_CEB, &j->missing, j->why, sizeof j->why);
	else if (j->st == MSG_ENVELOPE) {
		j->sc = judge_find_schema(t, c, (const char *)j->m.root->name,
		    NULL, MSG_NS_DXP, &j->missing, j->why, sizeof j->why);
		env_open_payload(t, c, j);
	}
	if (j->sc && schema_validate(v, j->sc, j->d.doc, &j->e) < 0)
		j->vfail = 1;
	if (j->psc && !j->pbad[0] &&
	    schema_validate(v, j->psc, j->pdoc, &j->pe) < 0)
		j->pvfail = 1;
	/* The signatures (common/dsig.h; the certificate cache is shared). */
	if (t->dsig && j->st == MSG_OK)
		dsig_verify(t->dsig, j->d.doc, &j->sig);
	else if (t->dsig && j->st == MSG_ENVELOPE) {
		dsig_verify(t->dsig, j->d.doc, &j->esig);
		if (j->pdoc && !j->pbad[0] && j->pst == MSG_OK)
			dsig_verify(t->dsig, j->pdoc, &j->sig);
	}
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

		loc.record = i + 1;
		loc.key = fdoc_key(fd, (size_t)i, key, sizeof key);
		schema_utf8_trim(key);	/* fdoc_key() may cut a character */
		loc.line = fdoc_record_line(fd, (size_t)i);
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

/* Write the document unless the report has stdout; 0 or -1. */
int
judge_emit(const struct stream_doc *doc)
{
	if (diag_report_on_stdout())
		return 0;
	if (emit_doc(stdout, doc) != 0) {
		diag_write_error(_("standard output"));
		return -1;
	}
	return 0;
}

/*
 * Write the passing records of j (keep[]) to stdout.  A message judged
 * in one pass has no tree: it is parsed now (it is well-formed and
 * valid), the only tree a failing record of such a message costs.
 * Returns 0, or -1 on a write error.
 */
static int
emit_part(struct job *j, const unsigned char *keep)
{
	struct stream_doc d;
	struct stream_err err;
	struct msg m;
	int r;

	if (!j->sax)
		return emit_subset(stdout, &j->m, keep);
	d = j->d;
	d.doc = NULL;
	d.owned = 0;
	memset(&err, 0, sizeof err);
	if (stream_doc_parse(&d, NULL, &err) != STREAM_DOC ||
	    msg_open(&m, d.doc, d.line) != MSG_OK) {
		/* Cannot happen: the pass found it well-formed. */
		diag_trouble(j->d.source, j->d.line, _("document %ld: %s"),
		    j->d.index, err.msg[0] ? err.msg : "parse error");
		xmlFreeDoc(d.doc);
		return 0;
	}
	r = emit_subset(stdout, &m, keep);
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
	int rc = 0;

	if (!j->parsed) {
		/* As the input loop reports a document it cannot parse. */
		diag_trouble(j->d.source, j->perr.line, _("document %ld: %s"),
		    j->d.index, j->perr.msg);
		diag_messages(-1);	/* the loop counted it as framed */
		return 0;
	}
	if (j->st == MSG_ENVELOPE)
		return env_finish(t, j);
	if (j->st != MSG_OK) {
		memset(&loc, 0, sizeof loc);
		loc.source = j->d.source;
		loc.message = j->d.index;
		loc.line = j->d.line;
		judge_root(&loc, &j->m, j->st, "");
		diag_records(1, 0, 1);
		return 0;
	}
	v = judge_msg(t, &j->d, &j->m, j->sax ? j->fd : NULL, j->sc,
	    j->missing, j->why, &j->e, j->vfail, j->d.line, &j->sig, &keep);
	if (v.nrec == 0)
		v.nrec = v.failed = 1;
	diag_records(v.nrec, v.passed, v.failed);
	if (v.emitted_whole) {
		rc = judge_emit(&j->d);
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
		if (!diag_report_on_stdout() && emit_part(j, keep) != 0) {
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
		j->tree_owned = 0;
	}
	free(j->sguid);
	j->sguid = NULL;
	if (j->fd_owned)
		fdoc_free(j->fd);
	j->fd = NULL;
	j->fd_owned = 0;
	if (j->pdoc)
		xmlFreeDoc(j->pdoc);
	schema_errors_free(&j->e);
	schema_errors_free(&j->pe);
}

void
job_free(struct job *j)
{
	job_clear(j);
	stream_doc_free(&j->d);
	free(j->src);
	free(j);
}
