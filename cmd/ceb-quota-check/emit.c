/*
 * emit.c: step 5 of a run.  The spooled documents are written out in
 * input order: a message whose records all pass byte for byte, one with
 * some failing records re-emitted with only its passing ones (no
 * signature), one with none not at all.  Before each document, the
 * findings on its records, in record order; so the report follows the
 * input, whatever order the judgment took.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvio.h"
#include "diag.h"
#include "ident.h"
#include "emit.h"
#include "i18n.h"
#include "mask.h"
#include "msg.h"
#include "quota.h"
#include "stream.h"

static const char *const outcome_names[] = { "", "invalid", "within",
	"single-item", "over-single", "over-annual", "duplicate", "released",
	"nothing", "orphan", "learnt", "changed", "change-over", "late",
	"over-quantity", "repeated", "" };

/* A cancel or return that customs would refuse: the record fails. */
static int
release_fails(const struct event *e)
{
	return e->out == O_OVER_QTY || e->out == O_REPEATED ||
	    (e->out == O_ORPHAN && e->kind == E_CANCEL);
}

/* A person key for people to read: ID (and name) masked by default. */
static char *
show_person(const char *p, char *buf, size_t n)
{
	const char *bar = strchr(p, '|');

	if (bar == NULL)
		return mask(MASK_ID, p, buf, n);
	{
		char id[128], nm[128];

		snprintf(id, sizeof id, "%.*s", (int)(bar - p), p);
		mask(MASK_ID, id, buf, n);
		mask(MASK_NAME, bar + 1, nm, sizeof nm);
		snprintf(buf + strlen(buf), n - strlen(buf), "|%s", nm);
	}
	return buf;
}

static void
finding(const struct event *e, const char *rule, enum diag_sev sev,
    const char *field, int with_figures, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* The limits and the remaining quota of a reported event. */
static void
figures(const struct event *e, struct dec *single, struct dec *annual,
    struct dec *remaining)
{
	*single = e->o_pol ? e->o_pol->single : dec_from_int(0);
	*annual = e->o_pol ? e->o_pol->annual : dec_from_int(0);
	*remaining = dec_sub(*annual, e->o_used);
	if (e->out == O_WITHIN || e->out == O_SINGLE_ITEM ||
	    e->out == O_CHANGED)
		*remaining = dec_sub(*remaining, e->o_amount);
	else if (e->out == O_CHANGE_OVER)	/* the earlier amount stays */
		*remaining = dec_sub(*remaining, e->o_old);
}

static void
finding(const struct event *e, const char *rule, enum diag_sev sev,
    const char *field, int with_figures, const char *fmt, ...)
{
	char key[300];
	struct diag_loc loc = { e->source, e->message, e->line, e->type,
	    ev_msgguid(e), e->record, key, e->o };
	struct dec single, annual, remaining;
	char person[256], year[16], amt[64], s1[64], s2[64], used[64],
	    rem[64], tax[64];
	const char *extra[10];
	const char *who = e->o_person ? e->o_person : ev_person(e);
	va_list ap;

	snprintf(key, sizeof key, "%s/%s", *e->agent ? e->agent : "-",
	    *e->copno ? e->copno : "-");
	for (char *p = key; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';	/* one finding, one line */
	figures(e, &single, &annual, &remaining);
	memset(extra, 0, sizeof extra);
	extra[0] = *who ? show_person(who, person, sizeof person) : "";
	year[0] = amt[0] = s1[0] = s2[0] = used[0] = rem[0] = '\0';
	if (e->o_year)
		snprintf(year, sizeof year, "%d", e->o_year);
	if (e->out != O_INVALID && e->out != O_ORPHAN && e->out != O_LEARNT &&
	    e->out != O_NOTHING && e->out != O_NONE && e->out != O_LATE &&
	    e->out != O_OVER_QTY && e->out != O_REPEATED)
		dec_format(e->o_amount, 2, amt, sizeof amt);
	else if (e->out == O_INVALID && e->kind == E_INVENTORY &&
	    e->lines && *e->lines)
		dec_format(e->amount, 2, amt, sizeof amt);
	if (e->o_year) {
		dec_format(single, 2, s1, sizeof s1);
		dec_format(annual, 2, s2, sizeof s2);
	}
	if (with_figures) {
		struct dec r = remaining;

		if (dec_sign(r) < 0)
			r = dec_from_int(0);
		/* used + remaining = annual: both after the judgment. */
		dec_format(e->out == O_WITHIN || e->out == O_SINGLE_ITEM ||
		    e->out == O_CHANGED ? dec_add(e->o_used, e->o_amount) :
		    e->out == O_CHANGE_OVER ? dec_add(e->o_used, e->o_old) :
		    e->o_used, 2, used,
		    sizeof used);
		dec_format(r, 2, rem, sizeof rem);
	}
	extra[1] = year;
	extra[2] = amt;
	extra[3] = s1;
	extra[4] = s2;
	extra[5] = used;
	extra[6] = rem;
	extra[7] = outcome_names[e->out];
	extra[8] = quota_tax_cell(e, tax, sizeof tax);
	va_start(ap, fmt);
	diag_vfinding(&loc, rule, sev, field, extra, fmt, ap);
	va_end(ap);
}

static const char *const release_what[] = { "", "cancel", "return",
	"receipt" };

static void
report_event(const struct run *r, const struct event *e)
{
	char a[64], b[64], c[64], d[64], pm[256];
	struct dec single, annual, remaining;

	figures(e, &single, &annual, &remaining);
	switch (e->out) {
	case O_INVALID:
		if (e->kind == E_INVENTORY) {
			if (strcmp(e->why, "policy") == 0)
				finding(e, "Q-INV-001", DIAG_ERROR, "declTime",
				    0, _("no quota policy in force on %ld"),
				    e->day);
			else if (e->id_err != IDENT_OK)
				finding(e, "Q-ID-001", DIAG_ERROR,
				    "buyerIdNumber", 0, _("not a valid resident "
				    "ID number (%s): no quota is opened for it"),
				    _(ident_strerror((enum ident_err)e->id_err)));
			else
				finding(e, "Q-INV-001", DIAG_ERROR, e->why, 0,
				    _("missing or unusable: the inventory "
				    "cannot be judged"));
		} else
			finding(e, "Q-REL-004", DIAG_WARNING, e->why, 0,
			    _("return lines cannot be read: nothing given "
			    "back"));
		return;
	case O_WITHIN:
		finding(e, "Q-LIM-000", DIAG_INFO, "", 1,
		    _("%s within limits: used %s of %s in %d, remaining %s"),
		    dec_format(e->o_amount, 2, a, sizeof a),
		    dec_format(dec_add(e->o_used, e->o_amount), 2, b, sizeof b),
		    dec_format(annual, 2, c, sizeof c), e->o_year,
		    dec_format(remaining, 2, d, sizeof d));
		return;
	case O_SINGLE_ITEM:
		finding(e, "Q-LIM-003", DIAG_WARNING, "totalPrice", 1,
		    _("one indivisible item of %s is over the single limit %s "
		    "but within the annual remainder %s: passed, full tax "
		    "applies, counted"),
		    dec_format(e->o_amount, 2, a, sizeof a),
		    dec_format(single, 2, b, sizeof b),
		    dec_format(dec_sub(annual, e->o_used), 2, c,
		    sizeof c));
		return;
	case O_OVER_SINGLE:
		finding(e, "Q-LIM-001", DIAG_ERROR, "totalPrice", 1,
		    _("amount %s is over the single-transaction limit %s"),
		    dec_format(e->o_amount, 2, a, sizeof a),
		    dec_format(single, 2, b, sizeof b));
		return;
	case O_OVER_ANNUAL:
		finding(e, "Q-LIM-002", DIAG_ERROR, "buyerIdNumber", 1,
		    _("buyer %s has used %s of the %d annual limit %s "
		    "(remaining %s); this %s would exceed it"),
		    show_person(ev_person(e), pm, sizeof pm),
		    dec_format(e->o_used, 2, a, sizeof a), e->o_year,
		    dec_format(annual, 2, b, sizeof b),
		    dec_format(dec_sign(remaining) < 0 ? dec_from_int(0) :
		    remaining, 2, c, sizeof c),
		    dec_format(e->o_amount, 2, d, sizeof d));
		return;
	case O_DUPLICATE:
		finding(e, "Q-DUP-001", DIAG_WARNING, "copNo", 0,
		    _("same inventory as the one judged on %s (guid %s): "
		    "counted once"), rstr(r, e->row->date), rstr(r, e->row->guid));
		return;
	case O_RELEASED:
		finding(e, "Q-REL-001", DIAG_INFO, "", 1,
		    _("%s gave back %s of the inventory dated %s: used %s of "
		    "%s in %d, remaining %s"), release_what[e->kind],
		    dec_format(e->o_amount, 2, a, sizeof a),
		    rstr(r, e->row->date),
		    dec_format(e->o_used, 2, b, sizeof b),
		    dec_format(annual, 2, c, sizeof c), e->o_year,
		    dec_format(remaining, 2, d, sizeof d));
		if (e->why && strcmp(e->why, "lines") == 0)
			finding(e, "Q-REL-004", DIAG_WARNING, "gnum", 0,
			    _("return names lines the inventory does not "
			    "have: those gave nothing back"));
		break;
	case O_NOTHING:
		if (e->why && strcmp(e->why, "lines") == 0)
			finding(e, "Q-REL-004", DIAG_WARNING, "gnum", 0,
			    _("return names lines the inventory does not "
			    "have: nothing given back"));
		else
			finding(e, "Q-REL-002", DIAG_INFO, "", 0,
			    e->why && strcmp(e->why, "rejected") == 0 ?
			    _("%s of an inventory that was rejected, never "
			    "counted: nothing to give back") :
			    _("%s of an inventory already given back: "
			    "nothing more to give back"),
			    release_what[e->kind]);
		break;
	case O_ORPHAN:
		if (e->kind == E_CANCEL)
			finding(e, "Q-REL-005", DIAG_ERROR, "invtNo", 0,
			    _("cancel of an inventory that is neither in the "
			    "ledger nor in this run: customs refuse it"));
		else
			finding(e, "Q-REL-003", DIAG_WARNING, "invtNo", 0,
			    _("%s matches no inventory in the ledger or this "
			    "run: nothing given back"), release_what[e->kind]);
		return;
	case O_CHANGED:
		finding(e, "Q-CHG-001", DIAG_INFO, "totalPrice", 1,
		    _("change of the inventory: %s counted instead of %s; "
		    "used %s of %s in %d, remaining %s"),
		    dec_format(e->o_amount, 2, a, sizeof a),
		    dec_format(e->o_old, 2, b, sizeof b),
		    dec_format(dec_add(e->o_used, e->o_amount), 2, c, sizeof c),
		    dec_format(annual, 2, d, sizeof d), e->o_year,
		    dec_format(remaining, 2, pm, sizeof pm));
		return;
	case O_CHANGE_OVER:
		finding(e, "Q-CHG-002", DIAG_ERROR, "totalPrice", 1,
		    _("change of the inventory to %s is %s (buyer used %s of "
		    "%s without it): rejected, %s stays counted"),
		    dec_format(e->o_amount, 2, a, sizeof a),
		    e->why && strcmp(e->why, "over-single") == 0 ?
		    _("over the single-transaction limit") :
		    _("over the annual limit"),
		    dec_format(e->o_used, 2, b, sizeof b),
		    dec_format(annual, 2, c, sizeof c),
		    dec_format(e->o_old, 2, d, sizeof d));
		return;
	case O_REPEATED:
		finding(e, "Q-REL-006", DIAG_ERROR, "invtNo", 0,
		    _("cancel of an inventory already cancelled or given back "
		    "(dated %s): customs refuse it"), rstr(r, e->row->date));
		return;
	case O_OVER_QTY:
		finding(e, "Q-REL-007", DIAG_ERROR, "qty", 0,
		    _("return of line %ld asks more than was bought and not "
		    "yet returned: customs refuse it, nothing given back"),
		    e->o_days);
		return;
	case O_LATE:
		/* Two whole sentences: "released" alone is also a count
		 * of the summary line, and translates differently. */
		if (e->why && strcmp(e->why, "released") == 0)
			finding(e, "Q-REL-008", DIAG_WARNING, "appTime", 0,
			    _("return %ld days after the inventory was "
			    "released, past the window of %d days: nothing "
			    "given back"), e->o_days, e->o_window);
		else
			finding(e, "Q-REL-008", DIAG_WARNING, "appTime", 0,
			    _("return %ld days after the inventory was "
			    "declared, past the window of %d days: nothing "
			    "given back"), e->o_days, e->o_window);
		return;
	case O_LEARNT:
		finding(e, "Q-KEY-003", DIAG_INFO, "invtNo", 0,
		    _("receipt %s: invtNo %s recorded for this inventory"),
		    e->status, e->invtno);
		return;
	default:
		break;
	}
	if (e->mismatch && e->kind != E_RECEIPT) {
		char p2[256];

		finding(e, "Q-KEY-001", DIAG_WARNING, "buyerIdNumber", 0,
		    _("%s names buyer %s, the inventory was counted for %s"),
		    release_what[e->kind], show_person(ev_person(e), pm, sizeof pm),
		    show_person(e->row->py->person, p2, sizeof p2));
	} else if (e->mismatch)
		finding(e, "Q-KEY-002", DIAG_WARNING, "invtNo", 0,
		    e->why && strcmp(e->why, "held") == 0 ?
		    _("receipt names invtNo %s%.0s, which another inventory "
		    "holds: not recorded") :
		    _("receipt names invtNo %s, the inventory holds %s"),
		    e->invtno, e->row ? rstr(r, e->row->invtno) : "");
}

/* Document sd's bytes into *buf (grown to fit); 0, or -1 after
 * reporting. */
static int
read_spool(struct run *r, const struct sdoc *sd, char **buf, size_t *cap)
{
	if (sd->len + 1 > *cap) {
		char *nb = realloc(*buf, sd->len + 1);

		if (nb == NULL) {
			diag_trouble(NULL, 0, _("out of memory"));
			return -1;
		}
		*buf = nb;
		*cap = sd->len + 1;
	}
	if (spool_doc(r, sd, *buf) != 0)
		return -1;
	(*buf)[sd->len] = '\0';
	return 0;
}

static int
write_doc(struct run *r, const struct sdoc *sd, const unsigned char *keep,
    size_t nkeep, char **buf, size_t *cap)
{
	size_t i, kept = 0;

	for (i = 0; i < nkeep; i++)
		kept += keep[i] != 0;
	if (nkeep > 0 && kept == 0)
		return 0;
	if (read_spool(r, sd, buf, cap) != 0)
		return -1;	/* reported */
	if (nkeep == 0 || kept == nkeep) {
		if (emit_marked(stdout, *buf, sd->len, &sd->o) != 0)
			goto werr;
		return 0;
	}
	{
		struct stream_err err;
		struct msg m;
		xmlDocPtr doc = stream_parse_memory(*buf, sd->len, sd->source,
		    &err);
		int rc;

		if (doc == NULL || msg_open(&m, doc, sd->line) != MSG_OK) {
			if (doc)
				xmlFreeDoc(doc);
			diag_trouble(sd->source, sd->line, _("document %ld "
			    "cannot be parsed again from the spool"),
			    sd->index);
			return -1;
		}
		rc = emit_subset(stdout, &sd->o, &m, keep);
		xmlFreeDoc(doc);
		if (rc != 0)
			goto werr;
	}
	return 0;
werr:
	diag_write_error(_("standard output"));
	return -1;
}

int
emit_run(struct run *r)
{
	unsigned char *keep = NULL;
	size_t kcap = 0;
	char *buf = NULL;
	size_t cap = 0, i, j;
	int to_stdout = !diag_report_on_stdout();
	long counted = 0, rejected = 0, released = 0;

	for (i = 0; i < doc_count(r); i++) {
		struct sdoc sbuf;
		const struct sdoc *sd = doc_get(r, i, &sbuf);
		size_t nkeep = 0;
		int any;

		if (sd == NULL) {
			free(buf);
			free(keep);
			return -1;
		}
		any = sd->mine;

		if (sd->seen > 0 && sd->mine) {
			char t[16];
			struct diag_loc loc = { sd->source, sd->index,
			    sd->line, t, NULL, 0, NULL, &sd->o };

			snprintf(t, sizeof t, "CEB%d", sd->code);
			diag_finding(&loc, "Q-RUN-001", DIAG_INFO, NULL, NULL,
			    _("document already judged by run %lld: reported "
			    "as then, nothing counted again"), sd->seen);
		}
		if (sd->n > kcap) {
			unsigned char *nk = realloc(keep, sd->n);

			if (nk == NULL) {
				free(buf);
				free(keep);
				diag_trouble(NULL, 0, _("out of memory"));
				return -1;
			}
			keep = nk;
			kcap = sd->n;
		}

		for (j = 0; j < sd->n; j++) {
			struct event ebuf, *e = ev_get(r, sd->first + j,
			    &ebuf);

			if (e == NULL) {
				free(buf);
				free(keep);
				return -1;
			}
			e->o = &sd->o;	/* read back: where its document is now */
			if (e->out == O_OTHER_SHARD) {
				keep[j] = 0;
				continue;
			}
			report_event(r, e);
			if (e->kind == E_INVENTORY) {
				diag_records(1, e->passes, !e->passes);
				if (e->out == O_WITHIN ||
				    e->out == O_SINGLE_ITEM)
					counted++;
				else if (!e->passes)
					rejected++;
			} else {
				int fails = release_fails(e);

				if (e->kind != E_RECEIPT)
					diag_records(1, !fails, fails);
				if (e->out == O_RELEASED)
					released++;
			}
			any = 1;
			keep[j] = e->kind == E_INVENTORY ? e->passes :
			    !release_fails(e);
		}
		if (sd->code == 622)
			any = sd->mine;	/* receipts: once, by shard 1 */
		else
			nkeep = sd->n;
		if (!any || !to_stdout)
			continue;
		if (sd->code == 622)
			nkeep = 0;
		if (write_doc(r, sd, keep, nkeep, &buf, &cap) != 0) {
			free(buf);
			free(keep);
			return -1;
		}
	}
	free(buf);
	free(keep);
	diag_tally(_("counted"), counted);
	diag_tally(_("rejected"), rejected);
	diag_tally(_("released"), released);
	return 0;
}
