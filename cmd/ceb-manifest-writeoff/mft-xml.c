/*
 * mft-xml.c: the customs manifest messages of the "new manifest system"
 * (manifest-notes §1-§3), read on LOCAL element names only: stored copies
 * arrive with the namespace stripped or renamed (xmlnsbak=...), so the
 * urn:Declaration:datamodel:standard:CN:MTxxxx:1 namespace is never
 * required.  A manifest that arrives in a DxpMsg envelope is opened by
 * the stream layer (common/envelope.h) like any other message.
 *
 * What is kept of a manifest, per Consignment: the kind of message
 * (pre-stowage MT2x01, arrival MT3x01, loading MT4x01 and tally MT5x02,
 * which count as loading evidence), the transport mode, the JourneyID, the
 * master (TransportContractDocument/ID), the house or bag
 * (AssociatedTransportDocument/ID), pieces and gross weight.
 * FunctionCode 9 (main data) and 2 (declaration) create or replace an
 * entry, 0 (secondary data) fills in what is missing, 5 (modification)
 * replaces it, 3 (deletion) removes it -- a deletion without a house
 * removes the master and every house under it.  MT8x02 (off-load) takes
 * a bill (or house) off its journey's loading evidence; MT8x03/MT8x04
 * (change of conveyance) move a bill's entries to the new JourneyID (and
 * bill number).  Receipts (a Response child) and other manifest types are
 * counted and skipped.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "i18n.h"
#include "msg.h"
#include "wo.h"

static xmlNodePtr
lchild(xmlNodePtr n, const char *name)
{
	xmlNodePtr c;

	for (c = n ? n->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

static xmlNodePtr
lpath(xmlNodePtr n, const char *path)
{
	char part[64];
	const char *p = path, *e;

	while (n && *p) {
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		snprintf(part, sizeof part, "%.*s", (int)(e - p), p);
		n = lchild(n, part);
		p = *e ? e + 1 : e;
	}
	return n;
}

/* Trimmed text at path below n, in the arena; "" when absent. */
static const char *
ltext(xmlNodePtr n, const char *path)
{
	xmlNodePtr e = lpath(n, path);
	xmlChar *t;
	const char *s, *end, *r;

	if (e == NULL)
		return "";
	if ((t = xmlNodeGetContent(e)) == NULL)
		return "";
	s = (const char *)t;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\n' || end[-1] == '\r'))
		end--;
	r = wo_strn(s, (size_t)(end - s));
	xmlFree(t);
	return r;
}

/*
 * Pieces and gross weight of a manifest entry from their texts (after its
 * loc is set).  An empty text means not given.  A text that is not a
 * number -- "3,0", "2 kg", 30 digits, "three" -- is W-MAN-007 and is left
 * out of the comparisons rather than read as 0 or cut at its first
 * non-digit.
 */
void
mentry_amounts(struct wo *w, struct mentry *e, const char *pieces,
    const char *gross, const char *pcol, const char *gcol)
{
	const char *p = pieces;
	struct diag_loc dl;
	size_t n = 0;
	int bad[2], i;

	e->pieces = -1;
	e->has_gross = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	for (; p[n] >= '0' && p[n] <= '9'; n++)
		;
	if (n > 0 && n <= 9 && p[n + strspn(p + n, " \t")] == '\0')
		e->pieces = strtol(p, NULL, 10);
	if (*gross)
		e->has_gross = dec_parse_str(gross, &e->gross) == DEC_OK;
	bad[0] = *pieces && e->pieces < 0;
	bad[1] = *gross && !e->has_gross;
	if (!wo_mine(w, ""))	/* --shard: shard 1 */
		return;
	loc_to_diag(&e->loc, &dl);
	for (i = 0; i < 2; i++) {
		WO_EXTRA(x);

		if (!bad[i])
			continue;
		x[X_OUTCOME] = "unusable";
		x[X_BILL] = e->master_raw;
		diag_finding(&dl, "W-MAN-007", DIAG_WARNING, i ? gcol : pcol,
		    x, i ? _("manifest gross weight '%.40s' is not a decimal "
		    "number of at most 19 digits; not compared") :
		    _("manifest pieces '%.40s' is not a whole number; not "
		    "compared"), i ? gross : pieces);
	}
}

/*
 * Put e among the entries (its strings are copied: they need not
 * outlive the call): a new row, or the entry of the same key replaced
 * (keeping its first day) or, replace 0, completed.
 */
long
mentry_put(struct wo *w, const struct mentry *e, int replace)
{
	static struct ment_row r;
	long i;
	struct mentry *m = &r.m;

	(void)w;
	wo_mem_tick();
	if ((i = ment_find(e->key, &r)) >= 0) {
		if (replace) {
			long first = m->first_day;

			*m = *e;
			m->first_day = first;
		} else {
			if (m->pieces < 0)
				m->pieces = e->pieces;
			if (!m->has_gross && e->has_gross) {
				m->gross = e->gross;
				m->has_gross = 1;
			}
			if (*m->date == '\0')
				m->date = e->date;
			m->seen = 1;
		}
		m->deleted = 0;
		ment_set(i, m);
		return i;
	}
	return ment_add(e);
}

/* The entries of mode|voy|master (for a walk of ment_iter()). */
static const char *
master_key(char mode, const char *voy, const char *master, char *buf)
{
	snprintf(buf, 512, "%c|%s|%s", mode, voy, master);
	return buf;
}

static void
mentry_delete(struct wo *w, int kind, char mode, const char *voy,
    const char *master, const char *house)
{
	static struct ment_row r;
	struct ment_it it;
	char mk[512];

	(void)w;
	ment_iter(&it, master_key(mode, voy, master, mk));
	while (ment_next(&it, &r)) {
		struct mentry *m = &r.m;

		wo_mem_tick();
		if (m->deleted || m->kind != kind || m->mode != mode ||
		    strcmp(m->voyage, voy) != 0 ||
		    strcmp(m->master, master) != 0)
			continue;
		if (*house && strcmp(m->house, house) != 0)
			continue;
		m->deleted = 1;
		ment_set(r.id, m);
	}
}

/*
 * MT8x03/MT8x04: the bill moves from one journey to another (and may be
 * renumbered): every entry of it follows, under its new key.
 */
static void
mentry_move(struct wo *w, char mode, const char *voy, const char *master,
    const char *nvoy, const char *nmaster, const char *nvoy_raw,
    const char *nmaster_raw)
{
	static struct ment_row r;
	struct ment_it it;
	char key[512], mk[512];

	ment_iter(&it, master_key(mode, voy, master, mk));
	while (ment_next(&it, &r)) {
		struct mentry e = r.m;

		if (e.deleted || e.mode != mode || strcmp(e.voyage, voy) != 0 ||
		    strcmp(e.master, master) != 0)
			continue;
		r.m.deleted = 1;
		ment_set(r.id, &r.m);
		e.voyage = wo_intern(nvoy);
		e.master = wo_intern(nmaster);
		e.voyage_raw = nvoy_raw;
		if (strcmp(nmaster, master) != 0)
			e.master_raw = nmaster_raw;
		snprintf(key, sizeof key, "%d|%c|%s|%s|%s", e.kind, e.mode,
		    e.voyage, e.master, e.house);
		e.key = key;
		e.seen = 1;
		mentry_put(w, &e, 1);
	}
	diag_tally(_("manifest changes"), 1);
}

static int
kind_of(const char *mt)
{
	if (strlen(mt) != 6 || strncmp(mt, "MT", 2) != 0 ||
	    (mt[3] != '1' && mt[3] != '2'))
		return 0;
	if (mt[2] == '2' && strcmp(mt + 4, "01") == 0)
		return MFT_PRE;
	if (mt[2] == '3' && strcmp(mt + 4, "01") == 0)
		return MFT_ARR;
	if (mt[2] == '4' && strcmp(mt + 4, "01") == 0)
		return MFT_LOAD;
	if (mt[2] == '5' && strcmp(mt + 4, "02") == 0)
		return MFT_LOAD;
	if (mt[2] == '8' && strcmp(mt + 4, "02") == 0)
		return MFT_OFFLOAD;
	if (mt[2] == '8' && (strcmp(mt + 4, "03") == 0 ||
	    strcmp(mt + 4, "04") == 0))
		return MFT_CHANGE;
	return 0;
}

static void
take_manifest(struct wo *w, struct stream_doc *d, xmlNodePtr root)
{
	xmlNodePtr head = lchild(root, "Head"), decl, btm, c;
	const char *mt, *fc, *tc, *jid, *msgid;
	int kind;
	char mode, voy[128];

	if (lchild(root, "Response")) {
		diag_tally(_("manifest receipts skipped"), 1);
		return;
	}
	mt = ltext(head, "MessageType");
	fc = ltext(head, "FunctionCode");
	msgid = ltext(head, "MessageID");
	if ((kind = kind_of(mt)) == 0) {
		diag_tally(_("manifest messages skipped"), 1);
		return;
	}
	decl = lchild(root, "Declaration");
	btm = lchild(decl, "BorderTransportMeans");
	tc = ltext(btm, "TypeCode");
	mode = *tc ? norm_mode_mft(tc) : (mt[3] == '1' ? 'S' : 'A');
	jid = ltext(btm, "JourneyID");
	norm_voyage(jid, mode, voy, sizeof voy);
	for (c = decl ? decl->children : NULL; c; c = c->next) {
		struct mentry e;
		char master[128], house[128], key[512], lkey[512];
		const char *mraw, *hraw;
		struct diag_loc dl;

		if (c->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)c->name, "Consignment") != 0)
			continue;
		memset(&e, 0, sizeof e);
		mraw = ltext(c, "TransportContractDocument/ID");
		hraw = ltext(c, "AssociatedTransportDocument/ID");
		norm_bill(mraw, master, sizeof master);
		norm_bill(hraw, house, sizeof house);
		e.loc.source = wo_intern(d->source);
		e.loc.message = d->index;
		e.loc.line = d->origin.envelope ? d->line :
		    d->line + xmlGetLineNo(c) - 1;
		e.loc.o = wo_origin(d);
		e.loc.type = mt;
		e.loc.guid = msgid;
		snprintf(lkey, sizeof lkey, "%s%s%s", mraw, *hraw ? "/" : "",
		    hraw);
		e.loc.key = lkey;	/* copied by mentry_put() */
		if (*master == '\0' || *voy == '\0' || mode == '?') {
			WO_EXTRA(x);

			memset(&dl, 0, sizeof dl);
			loc_to_diag(&e.loc, &dl);
			x[X_OUTCOME] = "unusable";
			x[X_VOYAGE] = jid;
			x[X_BILL] = mraw;
			if (wo_mine(w, ""))	/* --shard: shard 1 */
				diag_finding(&dl, "W-MAN-006", DIAG_ERROR,
				    *master ? (*voy ? "TypeCode" : "JourneyID") :
				    "TransportContractDocument/ID", x,
				    _("manifest entry lacks its %s"), *master ?
				    (*voy ? _("transport mode") :
				    _("journey")) : _("master bill"));
			continue;
		}
		if (kind == MFT_OFFLOAD) {
			/* Off-loaded: no longer evidence of leaving. */
			mentry_delete(w, MFT_LOAD, mode, voy, master, house);
			mentry_delete(w, MFT_CSV, mode, voy, master, house);
			diag_tally(_("manifest off-loads"), 1);
			continue;
		}
		if (kind == MFT_CHANGE) {
			char nvoy[128], nmaster[128];
			const char *nm = ltext(c,
			    "ChangeConsignment/TransportContractDocument/ID");
			const char *nj = ltext(decl,
			    "ChangeBorderTransportMeans/JourneyID");

			if (*nm == '\0')
				nm = mraw;
			norm_voyage(nj, mode, nvoy, sizeof nvoy);
			norm_bill(nm, nmaster, sizeof nmaster);
			if (*nvoy)
				mentry_move(w, mode, voy, master, nvoy,
				    nmaster, nj, nm);
			continue;
		}
		if (strcmp(fc, "3") == 0) {
			mentry_delete(w, kind, mode, voy, master, house);
			diag_tally(_("manifest deletions"), 1);
			continue;
		}
		e.kind = kind;
		e.mode = mode;
		e.voyage = wo_intern(voy);
		e.master = wo_intern(master);
		e.house = house;
		e.voyage_raw = jid;
		e.master_raw = mraw;
		e.house_raw = hraw;
		e.msgtype = mt;
		e.date = ltext(c, kind == MFT_ARR ? "" : "LoadingLocation/LoadingDate");
		if (kind == MFT_ARR)
			e.date = ltext(decl, "UnloadingLocation/ArrivalDate");
		mentry_amounts(w, &e,
		    ltext(c, "ConsignmentPackaging/QuantityQuantity"),
		    ltext(c, "TotalGrossMassMeasure"),
		    "ConsignmentPackaging/QuantityQuantity",
		    "TotalGrossMassMeasure");
		e.first_day = w->o.now;
		e.seen = 1;
		snprintf(key, sizeof key, "%d|%c|%s|%s|%s", kind, mode, voy,
		    master, house);
		e.key = key;
		mentry_put(w, &e, strcmp(fc, "0") != 0);
	}
	diag_tally(_("manifest messages"), 1);
}

int
mft_take_doc(struct wo *w, struct stream_doc *d, xmlNodePtr root)
{
	if (root == NULL)
		return 0;
	if (strcmp((const char *)root->name, "Manifest") == 0) {
		take_manifest(w, d, root);
		return 1;
	}
	return 0;
}
