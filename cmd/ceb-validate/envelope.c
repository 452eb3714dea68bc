/*
 * envelope.c: DxpMsg transport envelopes in ceb-validate: the base64
 * payload of Data decoded and parsed (on a worker), then judged as the
 * message it is, the envelope passed on whole only when every record of
 * its payload passed.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "i18n.h"
#include "msg.h"
#include "validate.h"

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
void
env_open_payload(struct tool *t, struct wcache *c, struct job *j)
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
		j->psc = judge_find_schema(t, c,
		    (const char *)j->pm.root->name, j->pm.type, MSG_NS_CEB,
		    &j->pmissing, j->pwhy, sizeof j->pwhy);
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

int
env_finish(struct tool *t, struct job *j)
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
			serr_trouble_once(t, "DxpMsg", j->why);
		envbad++;
	} else {
		if (j->vfail) {
			diag_trouble(j->d.source, j->d.line,
			    _("schema validation could not run"));
			envbad++;
		}
		for (k = 0; k < j->e.n; k++, envbad++)
			serr_report(&loc, &j->m, &j->e.v[k], NULL);
	}
	envbad += judge_signature(t, &j->m, NULL, &loc, NULL, &j->esig);
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
		v = judge_msg(t, &j->d, &j->pm, NULL, j->psc, j->pmissing,
		    j->pwhy,
		    &j->pe, j->pvfail, j->pline, &j->sig, &keep);
	}
	free(keep);
	if (envbad == 0 && v.emitted_whole) {
		diag_records(v.nrec, v.nrec, 0);
		return judge_emit(&j->d);
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
