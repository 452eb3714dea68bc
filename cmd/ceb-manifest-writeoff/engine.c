/*
 * engine.c: the write-off judgement, run once all input of the night has
 * been read (and the carried-over state loaded).
 *
 * A parcel (logisticsNo) has DEPARTED when
 *   - it is listed on a complete 509 departure (all msgSeqNo 1..msgCount),
 *     join "departure"; or
 *   - its complete 607 master (mode, voyage, bill) is on loading evidence
 *     of the manifest (MT4x01, MT5x02 tally, or a CSV manifest row) and
 *       the manifest lists houses for that master: the parcel's
 *       logisticsNo is one of them (join "parcel") or its big bag
 *       totalPackageNo is (join "bag");
 *       the manifest lists the master only: join "master" -- the report
 *       says the parcel was joined at master level;
 *   - without a 607, a loading/CSV manifest row names the logisticsNo as
 *     its house (join "parcel").
 * It is WRITTEN OFF when it departed and its inventory is released (604
 * returnStatus 800 or 899).  Everything else waits, and is judged once it
 * is --grace days old (first seen; for "not departed", first seen
 * released), so that documents arriving a night apart still meet.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "i18n.h"
#include "wo.h"

const char *const wo_extra_cols[] = {
	"outcome", "join", "trafMode", "voyageNo", "billNo", "logisticsNo",
	"invtNo", "firstSeen", NULL
};

void
loc_to_diag(const struct wo_loc *l, struct diag_loc *d)
{
	memset(d, 0, sizeof *d);
	d->source = l->source;
	d->message = l->message;
	d->line = l->line;
	d->type = l->type;
	d->guid = l->guid;
	d->record = l->record;
	d->key = l->key;
	d->origin = l->o;
}

/* Per (mode, voyage, master) of the manifest. */
struct mmaster {
	const char *key;
	int load;		/* loading evidence */
	int houses;		/* the manifest lists houses for it */
	long first;		/* an entry (for locations) */
};

struct eng {
	struct wo *w;
	struct mmaster *mm;
	size_t nmm, mmcap;
	struct wo_index mmidx;	/* mode|voy|master -> mm */
	/* the entries by house: ment_house(), ment_load_house() */
	struct wo_index bbill;	/* 607 mode|bill -> bill (any voyage) */
	/* bags: "bill|bag" -> aggregate */
	struct wo_index bagidx;
	struct bag { struct dec gross; long n, ninv; } *bags;
	size_t nbags, bagcap;
	/* per 607 bill, over the parcels in memory */
	struct dec *bgross;
	long *bn, *bninv, *bopen, *bnbags, *bpack;
	struct done_row row;	/* a done row read back */
	struct ment_row ent;	/* a manifest entry read back */
};

static int
within(const struct wo *w, struct dec got, struct dec want)
{
	struct dec d = dec_abs(dec_sub(got, want));

	if (w->o.tol_is_pct)
		return d.v * 1000000 <= (__int128)w->o.tol_ppm *
		    dec_abs(want).v;
	return dec_cmp(d, w->o.tol_abs) <= 0;
}

static long
mm_get(struct eng *e, const char *key)
{
	long i = e->mm ? wo_index_get(&e->mmidx, key) : -1;

	if (i >= 0)
		return i;
	e->mm = wo_grow(e->mm, &e->mmcap, e->nmm + 1, sizeof *e->mm);
	e->mm[e->nmm].key = wo_str(key);
	e->mm[e->nmm].first = -1;
	wo_index_put(&e->mmidx, e->mm[e->nmm].key, (long)e->nmm);
	return (long)e->nmm++;
}

/*
 * --csv-modes auto: a CSV row whose mode code reads differently in the
 * two code lists takes the CEB reading when only that one meets a 607 or
 * 509 of the same voyage and bill (the bill and voyage decide).
 */
static void
resolve_csv_modes(struct wo *w, struct ment_row *r)
{
	struct ment_it it;
	char key[512];

	ment_iter(&it, NULL);
	while (ment_next(&it, r)) {
		struct mentry *m = &r->m;
		int k, hit[2] = { 0, 0 };
		char mode[2];

		wo_mem_tick();
		if (m->deleted || m->kind != MFT_CSV || m->alt_mode == 0 ||
		    m->alt_mode == '?')
			continue;
		mode[0] = m->mode;
		mode[1] = m->alt_mode;
		for (k = 0; k < 2; k++) {
			snprintf(key, sizeof key, "%d|%c|%s|%s", BILL_607,
			    mode[k], m->voyage, m->master);
			hit[k] = wo_index_get(&w->bidx, key) >= 0 ||
			    done_has(key);
			snprintf(key, sizeof key, "%d|%c|%s|%s", BILL_509,
			    mode[k], m->voyage, m->master);
			hit[k] |= wo_index_get(&w->bidx, key) >= 0;
		}
		if (hit[0] || !hit[1])
			continue;
		snprintf(key, sizeof key, "%d|%c|%s|%s|%s", MFT_CSV,
		    m->alt_mode, m->voyage, m->master, m->house);
		if (ment_find(key, NULL) >= 0)
			continue;	/* the same row, read both ways */
		m->mode = m->alt_mode;
		m->key = key;
		ment_set(r->id, m);
	}
}

/*
 * Per master of the manifest: loading evidence, houses.  The entries by
 * house are looked up in their table (ment_house(), ment_load_house()),
 * whose indexes are made here, once the night is read.
 */
static void
index_manifest(struct eng *e)
{
	struct wo *w = e->w;
	struct ment_it it;
	size_t i;
	char key[512];

	resolve_csv_modes(w, &e->ent);

	ment_iter(&it, NULL);
	while (ment_next(&it, &e->ent)) {
		const struct mentry *m = &e->ent.m;
		long k;
		int load = m->kind == MFT_LOAD || m->kind == MFT_CSV;

		wo_mem_tick();
		if (m->deleted)
			continue;
		snprintf(key, sizeof key, "%c|%s|%s", m->mode, m->voyage,
		    m->master);
		k = mm_get(e, key);
		e->mm[k].load |= load;
		if (e->mm[k].first < 0)
			e->mm[k].first = e->ent.id;
		if (*m->house)
			e->mm[k].houses = 1;
	}
	ment_index();
	for (i = 0; i < w->nb; i++) {
		struct bill *b = &w->b[i];

		if (b->kind != BILL_607)
			continue;
		snprintf(key, sizeof key, "%c|%s", b->mode, b->bill);
		if (wo_index_get(&e->bbill, key) < 0)
			wo_index_put(&e->bbill, wo_str(key), (long)i);
	}
}

static void
bill_complete(struct wo *w)
{
	size_t i;
	long k;

	for (i = 0; i < w->nb; i++) {
		struct bill *b = &w->b[i];

		/* Inconsistent parts are reported (W-SPL-002) as they come. */
		b->complete = b->msgCount > 0;
		for (k = 0; b->complete && k < b->msgCount; k++)
			if (k >= b->nparts_alloc || !b->parts[k])
				b->complete = 0;
	}
}

/* Aggregates per 607 bill and per big bag over the parcels in memory. */
static void
aggregate(struct eng *e)
{
	struct wo *w = e->w;
	size_t i;
	char key[512];

	e->bgross = calloc(w->nb + 1, sizeof *e->bgross);
	e->bn = calloc(w->nb + 1, sizeof *e->bn);
	e->bninv = calloc(w->nb + 1, sizeof *e->bninv);
	e->bopen = calloc(w->nb + 1, sizeof *e->bopen);
	e->bnbags = calloc(w->nb + 1, sizeof *e->bnbags);
	e->bpack = calloc(w->nb + 1, sizeof *e->bpack);
	if (!e->bgross || !e->bn || !e->bninv || !e->bopen || !e->bnbags ||
	    !e->bpack) {
		diag_trouble(NULL, 0, _("out of memory"));
		exit(diag_exit());
	}
	for (i = 0; i < w->np; i++) {
		struct parcel *p = &w->p[i];
		int t;

		wo_mem_tick();
		/* Before the judgement the done rows are the state's. */
		p->done_old = done_has(p->lno);
		if (p->done_old)
			continue;
		for (t = 0; t < 2; t++) {
			long bi = t ? p->bill2 : p->bill, k;

			if (bi < 0)
				continue;
			e->bn[bi]++;
			if (p->has_inv) {
				e->bninv[bi]++;
				e->bgross[bi] = dec_add(e->bgross[bi],
				    p->gross);
				if (p->packNo > 0)
					e->bpack[bi] += p->packNo;
			}
			if (p->bag && *p->bag) {
				char bag[128];

				norm_bill(p->bag, bag, sizeof bag);
				snprintf(key, sizeof key, "%ld|%s", bi, bag);
				if (e->bags == NULL || (k = wo_index_get(
				    &e->bagidx, key)) < 0) {
					e->bags = wo_grow(e->bags, &e->bagcap,
					    e->nbags + 1, sizeof *e->bags);
					k = (long)e->nbags++;
					wo_index_put(&e->bagidx, wo_str(key),
					    k);
					e->bnbags[bi]++;
				}
				e->bags[k].n++;
				if (p->has_inv) {
					e->bags[k].ninv++;
					e->bags[k].gross = dec_add(
					    e->bags[k].gross, p->gross);
				}
			}
		}
	}
}

static void
row(struct wo *w, const struct parcel *p, const struct bill *b,
    const char *rule, enum diag_sev sev, const char *outcome,
    const char *join, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

/* One finding about a parcel, located at its inventory (or its bill). */
static void
row(struct wo *w, const struct parcel *p, const struct bill *b,
    const char *rule, enum diag_sev sev, const char *outcome,
    const char *join, const char *fmt, ...)
{
	struct diag_loc dl;
	WO_EXTRA(x);
	char first[9];
	va_list ap;
	struct wo_loc bl;

	(void)w;
	parcel_bill_loc(p, &bl);
	loc_to_diag(p->has_inv ? &p->inv_loc : &bl, &dl);
	x[X_OUTCOME] = outcome;
	x[X_JOIN] = join;
	if (b) {
		x[X_MODE] = norm_mode_name(b->mode);
		x[X_VOYAGE] = b->voyage_raw;
		x[X_BILL] = b->bill_raw;
	}
	x[X_LNO] = p->lno_raw;
	x[X_INVT] = p->invtNo ? p->invtNo : "";
	x[X_FIRST] = norm_day_str(p->first_day, first);
	va_start(ap, fmt);
	diag_vfinding(&dl, rule, sev, "logisticsNo", x, fmt, ap);
	va_end(ap);
}

/*
 * Could the done rows hold key, other than as a row of one of the
 * night's parcels whose key has no '|'?  Only when the state had done
 * rows (done_old), or the judgement wrote one for a parcel whose
 * logisticsNo is written like a bill's or an entry's key (done_pipe).
 */
static int
done_maybe(const struct wo *w, const char *key)
{
	return (w->done_old > 0 || (w->done_pipe > 0 &&
	    strchr(key, '|') != NULL)) && done_has(key);
}

static void
add_done(struct wo *w, struct parcel *p, const char *outcome,
    const struct bill *b)
{
	struct done d;

	memset(&d, 0, sizeof d);
	d.lno = p->lno;
	d.outcome = outcome;
	d.invtNo = p->invtNo ? p->invtNo : "";
	d.billkey = b ? b->key : "";
	d.day = w->o.now_str;
	d.sumCopNo = "";
	d.copNo = p->copNo ? p->copNo : "";
	d.agentCode = p->agentCode ? p->agentCode : "";
	d.pf = p->pf;
	d.is_new = 1;
	if (*d.invtNo) {
		long s = wo_index_get(&w->sum701, d.invtNo);

		if (s >= 0)
			d.sumCopNo = w->s701[s];
	}
	done_add(&d);
	if (strchr(d.lno, '|') != NULL)
		w->done_pipe++;
	p->resolved = 2;	/* newly final: counted into its bill below */
}

/*
 * A 607 bill whose parcels are all judged leaves the state; a done row
 * keyed by the bill remembers it, so that its manifest entry, seen again
 * in a rerun or a later night, is still matched.
 */
static void
close_bill(struct wo *w, const struct bill *b)
{
	struct done d;

	memset(&d, 0, sizeof d);
	d.lno = b->key;
	d.outcome = "bill-closed";
	d.billkey = b->key;
	d.day = w->o.now_str;
	d.invtNo = d.sumCopNo = d.copNo = d.agentCode = "";
	d.pf = &wo_noprofile;
	d.is_new = 1;
	done_add(&d);
}

/*
 * A manifest entry judged final leaves the state, but the day it was first
 * seen is remembered among the final ones (wo_done, key "M|" and the
 * entry's key, outcome "entry-final", day = its first day) for --keep
 * days, so that the entry arriving again keeps that day.  Without it,
 * whether an entry arriving again is new would depend on when it was judged
 * final, and a shard judges an entry final once its own parcels of the
 * bill are (the others' are not in its store): the union of the shards'
 * reports would differ from the unsharded report in the firstSeen of such
 * entries (and in their age against --grace).
 */
static const char *
entry_final_key(const struct mentry *m, char *buf, size_t n)
{
	snprintf(buf, n, "M|%s", m->key);
	return buf;
}

/* Entries that arrive again take back the day they were first seen. */
static void
entries_first_seen(struct wo *w, struct ment_row *e)
{
	struct done_row r;
	struct ment_it it;
	char key[600];

	(void)w;
	if (done_count() == 0)
		return;
	memset(&r, 0, sizeof r);
	ment_iter(&it, NULL);
	while (ment_next(&it, e)) {
		struct mentry *m = &e->m;
		long day;

		if (m->deleted || done_find(entry_final_key(m, key,
		    sizeof key), &r) < 0 ||
		    strcmp(r.d.outcome, "entry-final") != 0)
			continue;
		day = norm_day(r.d.day);
		if (day >= 0 && day < m->first_day) {
			m->first_day = day;
			ment_set(e->id, m);
		}
	}
	done_row_free(&r);
}

/*
 * Is the entry judged final this run, its first day to be remembered?
 * Then final_row is set (kept by ment_mark()), so that wostate_save()
 * writes its entry-final row where the done rows had it: after the ef_at
 * done rows there are when the entries are judged.
 */
static void
entry_final(struct wo *w, struct mentry *m)
{
	char key[600];

	m->final_row = 0;
	if (m->deleted || !m->done || done_maybe(w,
	    entry_final_key(m, key, sizeof key)))
		return;
	m->final_row = 1;
	w->nef++;
}

/*
 * Is lno the "M|" key of an entry-final row of this run?  (Those keys are
 * no longer in didx; a logisticsNo could be written like one.)
 */
static int
is_entry_final(const struct wo *w, const char *lno, struct ment_row *r)
{
	(void)w;
	if (lno[0] != 'M' || lno[1] != '|' || ment_find(lno + 2, r) < 0)
		return 0;
	return r->m.final_row && !r->m.deleted && r->m.done;
}

/* An array of cap items of size bytes down to n (at least 1) items. */
static void *
shrink(void *arr, size_t *cap, size_t n, size_t size)
{
	if (arr == NULL || n >= *cap)
		return arr;
	if (n == 0)
		n = 1;
	arr = wo_mem_realloc(arr, *cap * size, n * size);
	*cap = n;
	return arr;
}

/*
 * The judgement is over: the parcels final this run leave memory before
 * the summaries and the state are written.  The array keeps, in order,
 * just what save_parcels() writes (the same tests), and shrinks; its
 * index by key is freed, and so are the other indexes by key and the
 * night's cancels: the summaries and the state go through the arrays.
 * (The manifest entries are rows of done.c's table: save_manifest()
 * skips those final, deleted or past --keep.)
 */
static void
release_final(struct wo *w, struct ment_row *r)
{
	size_t i, n;

	for (i = n = 0; i < w->np; i++) {
		const struct parcel *p = &w->p[i];

		wo_mem_tick();
		/* Its done row: the state's, its own (resolved) or, for a
		 * logisticsNo written like a bill's key, a bill's. */
		if (p->resolved || p->done_old || (strchr(p->lno, '|') &&
		    done_has(p->lno)) ||
		    w->o.now - p->first_day > w->o.keep ||
		    is_entry_final(w, p->lno, r))
			continue;
		if (n != i)
			w->p[n] = *p;
		n++;
	}
	wo_index_free(&w->pidx);
	w->p = shrink(w->p, &w->pcap, n, sizeof *w->p);
	w->np = n;
	wo_index_free(&w->bidx);
	wo_index_free(&w->ridx);
	wo_index_free(&w->cidx);
	wo_index_free(&w->bagset);
	wo_index_free(&w->sum701);
	wo_grow_free(w->c, &w->ccap, sizeof *w->c);
	w->c = NULL;
	w->nc = 0;
}

static const char *
split_missing(const struct bill *b, char *buf, size_t n)
{
	long k;
	size_t o = 0;
	int cnt = 0;

	buf[0] = '\0';
	for (k = 0; k < b->msgCount && o + 16 < n; k++)
		if (k >= b->nparts_alloc || !b->parts[k]) {
			if (cnt++ == 8) {
				snprintf(buf + o, n - o, ", ...");
				break;
			}
			o += (size_t)snprintf(buf + o, n - o, "%s%ld",
			    o ? ", " : "", k + 1);
		}
	return buf;
}

static void
judge_parcel(struct eng *e, struct parcel *p)
{
	struct wo *w = e->w;
	struct bill *b = p->bill >= 0 ? &w->b[p->bill] : NULL;
	struct bill *dep = p->dep >= 0 ? &w->b[p->dep] : NULL;
	struct bill *via = NULL;
	const char *join = NULL, *why = "";
	char key[512], note[256];
	int released, rejected, departed = 0, split_wait = 0, failed = 0;
	long age = w->o.now - p->first_day, di, house = -1;
	int tried = 0;
	const struct mentry *hm = &e->ent.m;	/* the entry house names */

	note[0] = '\0';
	if (!p->has_inv && p->bill < 0 && p->dep < 0) {
		p->resolved = 1;	/* nothing to judge */
		return;
	}
	/*
	 * Its done row can only be the state's (done_old, aggregate()): the
	 * rows this run adds are other parcels' until the bills close.
	 */
	if (p->done_old && (di = done_find(p->lno, &e->row)) >= 0) {
		struct done *d = &e->row.d;

		if (!p->seen || d->is_new)
			return;
		if (strcmp(d->outcome, "cancelled") == 0 && dep &&
		    dep->complete) {
			row(w, p, dep, "W-CAN-002", DIAG_ERROR, "left-cancelled",
			    "departure", _("parcel left on %s voyage %s although "
			    "its inventory was cancelled on %s"),
			    dep->bill_raw, dep->voyage_raw, d->day);
			done_set(di, DONE_OUTCOME, "left-cancelled");
			diag_records(1, 0, 1);
		} else if (b && *d->billkey && strcmp(b->key, d->billkey) != 0 &&
		    b->kind == BILL_607 && strncmp(d->billkey, "607|", 4) == 0) {
			row(w, p, b, "W-DUP-001", DIAG_ERROR, "duplicate", "",
			    _("parcel was already written off on bill %s, now "
			    "also on bill %s"), d->billkey + 4, b->bill_raw);
			diag_records(1, 0, 1);
		} else {
			row(w, p, b, "W-OFF-002", DIAG_INFO, "already-done", "",
			    _("already judged on %s (%s)"), d->day,
			    d->outcome);
			diag_records(1, 1, 0);
		}
		diag_tally(_("already judged"), 1);
		p->resolved = 1;
		return;
	}
	/* Duplicates: two masters, two departures, 607 vs 509 (one row). */
	if (b && p->bill2 >= 0) {
		row(w, p, b, "W-DUP-001", DIAG_ERROR, "duplicate", "",
		    _("parcel is on two masters: %s (voyage %s) and %s "
		    "(voyage %s)"), b->bill_raw, b->voyage_raw,
		    w->b[p->bill2].bill_raw, w->b[p->bill2].voyage_raw);
		failed = 1;
	} else if (dep && p->dep2 >= 0) {
		row(w, p, dep, "W-DUP-001", DIAG_ERROR, "duplicate", "",
		    _("parcel is on two departures: %s (voyage %s) and %s "
		    "(voyage %s)"), dep->bill_raw, dep->voyage_raw,
		    w->b[p->dep2].bill_raw, w->b[p->dep2].voyage_raw);
		failed = 1;
	} else if (b && dep && (b->mode != dep->mode ||
	    strcmp(b->voyage, dep->voyage) != 0 ||
	    (*dep->bill && strcmp(b->bill, dep->bill) != 0))) {
		row(w, p, b, "W-DUP-001", DIAG_ERROR, "duplicate", "",
		    _("parcel is on master %s voyage %s but departed on %s "
		    "voyage %s"), b->bill_raw, b->voyage_raw, dep->bill_raw,
		    dep->voyage_raw);
		failed = 1;
	}
	/* Did it leave? */
	if (dep && dep->complete) {
		departed = 1;
		join = "departure";
		via = dep;
	} else if (dep)
		split_wait = 1;
	if (!departed && b) {
		long k, d5;

		/*
		 * A complete departure (509) of the master lists its parcels:
		 * that is parcel-level evidence, and beats a master-level
		 * manifest (and an incomplete 607).
		 */
		snprintf(key, sizeof key, "%d|%c|%s|%s", BILL_509, b->mode,
		    b->voyage, b->bill);
		d5 = wo_index_get(&w->bidx, key);
		snprintf(key, sizeof key, "%c|%s|%s", b->mode, b->voyage,
		    b->bill);
		k = wo_index_get(&e->mmidx, key);
		if (d5 >= 0 && d5 != p->dep && w->b[d5].complete) {
			snprintf(note, sizeof note, _("the departure (509) of "
			    "master %s does not list it"), b->bill_raw);
			split_wait = 0;
		} else if (d5 >= 0 && d5 != p->dep) {
			split_wait = 1;
			dep = &w->b[d5];
		} else if (k >= 0 && e->mm[k].load && e->mm[k].houses) {
			/* Parcel level: the 607 need not be complete. */
			char bag[128];

			snprintf(key, sizeof key, "%c|%s|%s|%s", b->mode,
			    b->voyage, b->bill, p->lno);
			norm_bill(p->bag ? p->bag : "", bag, sizeof bag);
			if ((house = ment_house(key, &e->ent)) >= 0) {
				departed = 1;
				join = "parcel";
			} else if (*bag) {
				snprintf(key, sizeof key, "%c|%s|%s|%s",
				    b->mode, b->voyage, b->bill, bag);
				if (ment_house(key, NULL) >= 0) {
					departed = 1;
					join = "bag";
				}
			}
			if (!departed) {
				snprintf(note, sizeof note, _("master %s left "
				    "but the manifest's house list does not "
				    "name this parcel"), b->bill_raw);
				split_wait = 0;
			}
			via = b;
		} else if (!b->complete)
			split_wait = 1;
		else if (k >= 0 && e->mm[k].load) {
			departed = 1;
			join = "master";
			via = b;
		}
	}
	if (!departed && b == NULL) {
		long k = ment_load_house(p->lno, &e->ent);

		if (k >= 0) {
			departed = 1;
			join = "parcel";
		}
		house = k;	/* looked up: -1 stays -1 */
		tried = 1;
	}
	/* Its manifest row serves only the weight, when no 505 says it. */
	if (house < 0 && !tried && p->has_inv &&
	    wo_index_get(&w->wbidx, p->lno) < 0)
		house = ment_load_house(p->lno, &e->ent);
	/* The parcel's own weight: its 505 waybill, or its manifest row. */
	if (p->has_inv) {
		long k = wo_index_get(&w->wbidx, p->lno);
		const struct dec *g = NULL;
		const char *what = "";
		char g1[64], g2[64];

		if (k >= 0) {
			g = &w->wb[k];
			what = _("its 505 waybill");
		} else if (house >= 0 && hm->has_gross) {
			g = &hm->gross;
			what = _("its manifest row");
		}
		if (g && !within(w, p->gross, *g)) {
			row(w, p, via, "W-TOT-004", DIAG_ERROR,
			    "weight-mismatch", "", _("inventory grossWeight "
			    "%s kg, %s says %s kg"),
			    dec_format(p->gross, 0, g1, sizeof g1), what,
			    dec_format(*g, 0, g2, sizeof g2));
			failed = 1;
		}
	}
	if (via == NULL)
		via = b ? b : dep;
	released = p->status == 800 || p->status == 899;
	rejected = !released && status_rank(p->status) == 5;
	if (p->has_inv && p->cancel == CAN_ACCEPTED) {
		if (departed) {
			row(w, p, via, "W-CAN-002", DIAG_ERROR,
			    "left-cancelled", join, _("parcel left on %s voyage "
			    "%s although its inventory was cancelled (606 "
			    "returnStatus 399)"), via ? via->bill_raw : "",
			    via ? via->voyage_raw : "");
			add_done(w, p, "left-cancelled", b);
			failed = 1;
		} else if (b) {
			row(w, p, b, "W-CAN-003", DIAG_WARNING,
			    "cancelled-on-bill", "", _("inventory cancelled "
			    "(606 returnStatus 399) but the parcel is still on "
			    "607 bill %s voyage %s"), b->bill_raw,
			    b->voyage_raw);
			add_done(w, p, "cancelled", b);
			diag_tally(_("cancelled"), 1);
		} else {
			row(w, p, NULL, "W-CAN-001", DIAG_INFO, "cancelled", "",
			    _("inventory cancelled (606 returnStatus 399) "
			    "before its parcel left"));
			add_done(w, p, "cancelled", NULL);
			diag_tally(_("cancelled"), 1);
		}
	} else if (departed) {
		if (p->has_inv && released) {
			if (strcmp(join, "master") == 0)
				why = _("; joined at master level: the manifest "
				    "lists no houses for this bill");
			row(w, p, via, "W-OFF-001", DIAG_INFO, "written-off",
			    join, _("released inventory left on %s voyage "
			    "%s%s"), via ? via->bill_raw : "",
			    via ? via->voyage_raw : "", why);
			add_done(w, p, "written-off", b);
			diag_tally(_("written off"), 1);
			w->nwritten++;
		} else if (p->has_inv && rejected) {
			row(w, p, via, "W-REL-003", DIAG_ERROR, "left-rejected",
			    join, _("parcel left although its inventory was "
			    "rejected (returnStatus %d)"), p->status);
			add_done(w, p, "left-rejected", b);
			failed = 1;
		} else if (age >= w->o.grace) {
			if (!p->has_inv)
				row(w, p, via, "W-REL-001", DIAG_ERROR,
				    "left-undeclared", join, _("parcel left "
				    "with no export inventory"));
			else
				row(w, p, via, "W-REL-002", DIAG_ERROR,
				    "left-unreleased", join, _("parcel left "
				    "but its inventory is not released "
				    "(returnStatus %d)"), p->status);
			add_done(w, p, p->has_inv ? "left-unreleased" :
			    "left-undeclared", b);
			failed = 1;
		} else {
			row(w, p, via, "W-PND-001", DIAG_INFO, "pending", join,
			    _("departed; waiting for %s"), p->has_inv ?
			    _("the release") : _("the inventory"));
			diag_tally(_("pending"), 1);
		}
	} else if (split_wait && (!p->has_inv || released)) {
		struct bill *sb = dep && !dep->complete ? dep : b;
		char miss[128];

		row(w, p, sb, "W-PND-002", DIAG_INFO, "pending-split", "",
		    _("waiting for part(s) %s of the split %s for bill %s"),
		    split_missing(sb, miss, sizeof miss),
		    sb->kind == BILL_607 ? "607" : "509", sb->bill_raw);
		diag_tally(_("pending"), 1);
	} else if (p->has_inv && released) {
		long rage = w->o.now - (p->rel_day >= 0 ? p->rel_day :
		    p->first_day);

		if (rage >= w->o.grace) {
			row(w, p, via, "W-DEP-001", DIAG_ERROR, "not-departed",
			    "", _("released %ld day(s) ago and on no "
			    "departure%s%s; %s"), rage, *note ? ": " : "", note,
			    p->cancel == CAN_REQUESTED ? _("its cancel (605) "
			    "is not accepted yet (no 606 returnStatus 399)") :
			    p->cancel == CAN_REJECTED ? _("its cancel (605) was "
			    "rejected; ship it or cancel it again") :
			    _("ship it or cancel the inventory (605)"));
			failed = 1;
		} else {
			row(w, p, via, "W-PND-001", DIAG_INFO, "pending", "",
			    p->cancel == CAN_REQUESTED ? _("released; cancel "
			    "(605) requested, waiting for its receipt (606)") :
			    _("released; waiting for the departure"));
			diag_tally(_("pending"), 1);
		}
	} else if (!p->has_inv && age >= w->o.grace) {
		row(w, p, via, "W-REL-001", DIAG_ERROR, "undeclared", "",
		    _("parcel is on master %s with no export inventory"),
		    via ? via->bill_raw : "");
		failed = 1;
	} else {
		row(w, p, via, "W-PND-001", DIAG_INFO, "pending", "",
		    p->has_inv ? (rejected ? _("inventory rejected "
		    "(returnStatus %d); not shipped") : _("waiting for the "
		    "release (returnStatus %d)")) : _("waiting for the "
		    "inventory (returnStatus %d)"), p->status);
		diag_tally(_("pending"), 1);
	}
	diag_records(1, !failed, failed);
}

/* W-TOT-001 and W-SPL-001 per bill. */
static void
judge_bill(struct eng *e, long bi)
{
	struct wo *w = e->w;
	struct bill *b = &w->b[bi];
	long age = w->o.now - b->first_day;
	struct diag_loc dl;
	WO_EXTRA(x);
	char miss[128], first[9];

	loc_to_diag(&b->loc, &dl);
	x[X_FIRST] = norm_day_str(b->first_day, first);
	x[X_MODE] = norm_mode_name(b->mode);
	x[X_VOYAGE] = b->voyage_raw;
	x[X_BILL] = b->bill_raw;
	if (!b->complete && age >= w->o.grace) {
		if (!wo_mine(w, b->bill))
			return;
		x[X_OUTCOME] = "missing-part";
		diag_finding(&dl, "W-SPL-001", DIAG_ERROR, "msgSeqNo", x,
		    _("split %s for bill %s is missing part(s) %s of %ld"),
		    b->kind == BILL_607 ? "607" : "509", b->bill_raw,
		    split_missing(b, miss, sizeof miss), b->msgCount);
		diag_records(1, 0, 1);
		return;
	}
	if (b->kind != BILL_607 || !b->complete || b->totals_done)
		return;
	if (w->o.shard.n) {
		b->totals_done = 1;	/* its inventories are in every shard */
		return;
	}
	if (e->bninv[bi] < e->bn[bi] && age < w->o.grace)
		return;
	b->totals_done = 1;
	{
		struct dec sum = dec_add(e->bgross[bi], b->off_gross);
		char g1[64], g2[64];

		if (e->bninv[bi] + b->off_n == 0)
			return;
		if (!within(w, b->gross, sum)) {
			x[X_OUTCOME] = "weight-mismatch";
			diag_finding(&dl, "W-TOT-001", DIAG_ERROR,
			    "grossWeight", x, _("bill %s declares %s kg, its "
			    "%ld inventories weigh %s kg"), b->bill_raw,
			    dec_format(b->gross, 0, g1, sizeof g1),
			    e->bninv[bi] + b->off_n,
			    dec_format(sum, 0, g2, sizeof g2));
			diag_records(1, 0, 1);
		}
	}
}

static void
mrow(struct wo *w, const struct mentry *m, const char *rule,
    enum diag_sev sev, const char *outcome, const char *join,
    const char *fieldname, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

static void
mrow(struct wo *w, const struct mentry *m, const char *rule,
    enum diag_sev sev, const char *outcome, const char *join,
    const char *fieldname, const char *fmt, ...)
{
	struct diag_loc dl;
	WO_EXTRA(x);
	char first[9];
	va_list ap;

	/* --shard: an entry is reported by the shard of its house, else of
	 * its master bill; the others judge it silently, for their state. */
	if (!wo_mine(w, *m->house ? m->house : m->master))
		return;
	loc_to_diag(&m->loc, &dl);
	x[X_OUTCOME] = outcome;
	x[X_JOIN] = join;
	x[X_MODE] = norm_mode_name(m->mode);
	x[X_VOYAGE] = m->voyage_raw;
	x[X_BILL] = m->master_raw;
	x[X_LNO] = m->house_raw;
	x[X_FIRST] = norm_day_str(m->first_day, first);
	va_start(ap, fmt);
	diag_vfinding(&dl, rule, sev, fieldname, x, fmt, ap);
	va_end(ap);
	diag_records(1, sev != DIAG_ERROR, sev == DIAG_ERROR);
}

/* Totals of a manifest entry against what it was joined to. */
static void
entry_totals(struct eng *e, struct mentry *m, struct dec want, long nwant,
    long pieces_want, const char *what)
{
	struct wo *w = e->w;
	char g1[64], g2[64];

	m->tot_done = 1;
	if (w->o.shard.n)
		return;		/* the inventories are spread over the shards */
	if (m->has_gross && nwant > 0 && !within(w, m->gross, want))
		mrow(w, m, "W-TOT-002", DIAG_ERROR, "weight-mismatch", "",
		    "TotalGrossMassMeasure", _("manifest says %s kg, the "
		    "inventories of %s weigh %s kg"),
		    dec_format(m->gross, 0, g1, sizeof g1), what,
		    dec_format(want, 0, g2, sizeof g2));
	if (m->pieces >= 0 && pieces_want > 0 && m->pieces != pieces_want)
		mrow(w, m, "W-TOT-003", DIAG_WARNING, "pieces-mismatch", "",
		    "QuantityQuantity", _("manifest says %ld piece(s), "
		    "expected %ld for %s"), m->pieces, pieces_want, what);
}

/* Does bill b carry the manifest entry's master on its voyage? */
static int
bill_is(const struct bill *b, const struct mentry *m)
{
	return b->mode == m->mode && strcmp(b->voyage, m->voyage) == 0 &&
	    strcmp(b->bill, m->master) == 0;
}

static void
judge_entry(struct eng *e, struct mentry *m)
{
	struct wo *w = e->w;
	long age = w->o.now - m->first_day, bi, pi;
	char key[512];
	int final_grace = age >= w->o.grace;

	if (m->deleted || m->done)
		return;
	snprintf(key, sizeof key, "%d|%c|%s|%s", BILL_607, m->mode, m->voyage,
	    m->master);
	bi = wo_index_get(&w->bidx, key);
	if (*m->house) {
		char bag[512];
		long k;

		pi = wo_index_get(&w->pidx, m->house);
		if (pi >= 0 && w->p[pi].bill >= 0) {
			const struct bill *pb = &w->b[w->p[pi].bill];

			if (!bill_is(pb, m) && (w->p[pi].bill2 < 0 ||
			    !bill_is(&w->b[w->p[pi].bill2], m))) {
				mrow(w, m, "W-MAN-005", DIAG_WARNING,
				    "other-voyage", "", "", _("parcel %s is on "
				    "bill %s %s voyage %s here but on %s %s "
				    "voyage %s in its 607"), m->house_raw,
				    m->master_raw, norm_mode_name(m->mode),
				    m->voyage_raw, pb->bill_raw,
				    norm_mode_name(pb->mode), pb->voyage_raw);
				m->done = 1;
				return;
			}
		}
		if (pi >= 0 || done_maybe(w, m->house)) {
			mrow(w, m, "W-MAN-001", DIAG_INFO, "matched", "parcel",
			    "", _("house %s is parcel %s"), m->house_raw,
			    m->house_raw);
			if (pi < 0 || w->p[pi].resolved)
				m->done = 1;
			return;
		}
		if (bi >= 0) {
			snprintf(bag, sizeof bag, "%ld|%s", bi, m->house);
			if ((k = wo_index_get(&e->bagidx, bag)) >= 0) {
				mrow(w, m, "W-MAN-001", DIAG_INFO, "matched",
				    "bag", "", _("house %s is a big bag on bill "
				    "%s"), m->house_raw, m->master_raw);
				if (!m->tot_done && e->bags[k].ninv ==
				    e->bags[k].n)
					entry_totals(e, m, e->bags[k].gross,
					    e->bags[k].ninv, 0, _("the bag"));
				if (e->bopen[bi] == 0)
					m->done = 1;
				return;
			}
			if (wo_index_get(&w->bagset, bag) >= 0) {
				/* A bag of the 607 whose parcels are all
				 * judged, or in other shards. */
				mrow(w, m, "W-MAN-001", DIAG_INFO, "matched",
				    "bag", "", _("house %s is a big bag on bill "
				    "%s"), m->house_raw, m->master_raw);
				if (e->bopen[bi] == 0)
					m->done = 1;
				return;
			}
			if (w->b[bi].complete && final_grace) {
				mrow(w, m, "W-MAN-003", DIAG_ERROR,
				    "not-declared", "", "",
				    _("house %s of bill %s is neither a parcel "
				    "nor a big bag of the bill's 607"),
				    m->house_raw, m->master_raw);
				m->done = 1;
				return;
			}
			mrow(w, m, "W-MAN-004", DIAG_INFO, "pending", "", "",
			    _("house %s is not (yet) a parcel or big bag of "
			    "the 607 of bill %s"), m->house_raw, m->master_raw);
			return;
		}
	} else if (bi >= 0) {
		struct bill *b = &w->b[bi];

		mrow(w, m, "W-MAN-001", DIAG_INFO, "matched", "master", "",
		    _("bill %s is declared in 607"), m->master_raw);
		if (!m->tot_done && b->complete &&
		    (e->bninv[bi] == e->bn[bi] || final_grace)) {
			long want_pieces = e->bnbags[bi] ? e->bnbags[bi] :
			    e->bpack[bi];

			if (b->off_n > 0)
				want_pieces = 0;  /* bags of earlier runs lost */
			entry_totals(e, m, dec_add(e->bgross[bi], b->off_gross),
			    e->bninv[bi] + b->off_n, want_pieces,
			    _("the bill"));
		}
		if (e->bopen[bi] == 0 && b->complete)
			m->done = 1;
		return;
	}
	/* Only a departure (509) names the bill. */
	snprintf(key, sizeof key, "%d|%c|%s|%s", BILL_509, m->mode, m->voyage,
	    m->master);
	if ((bi = wo_index_get(&w->bidx, key)) >= 0 && *m->house == '\0') {
		mrow(w, m, "W-MAN-001", DIAG_INFO, "matched", "departure", "",
		    _("bill %s is declared in a 509 departure (no 607 seen)"),
		    m->master_raw);
		if (w->b[bi].complete && !w->b[bi].keep)
			m->done = 1;
		return;
	}
	snprintf(key, sizeof key, "%d|%c|%s|%s", BILL_607, m->mode, m->voyage,
	    m->master);
	/* A bill closed in an earlier run. */
	if (*m->house == '\0' && (w->done_old > 0 || w->done_pipe > 0) &&
	    done_find(key, &e->row) >= 0) {
		mrow(w, m, "W-MAN-001", DIAG_INFO, "matched", "master", "",
		    _("bill %s was closed on %s (all its parcels judged)"),
		    m->master_raw, e->row.d.day);
		m->done = 1;
		return;
	}
	/* Not declared in any 607 (yet). */
	snprintf(key, sizeof key, "%c|%s", m->mode, m->master);
	if ((bi = wo_index_get(&e->bbill, key)) >= 0 && *m->house == '\0') {
		mrow(w, m, "W-MAN-005", DIAG_WARNING, "other-voyage", "", "",
		    _("bill %s is on voyage %s here but on voyage %s in its "
		    "607"), m->master_raw, m->voyage_raw,
		    w->b[bi].voyage_raw);
		m->done = 1;
		return;
	}
	if (final_grace) {
		mrow(w, m, "W-MAN-002", DIAG_WARNING, "no-607", "", "",
		    _("bill %s%s%s is declared in no 607 (not cross-border "
		    "e-commerce, or its 607 is missing)"), m->master_raw,
		    *m->house ? _(" house ") : "", m->house_raw);
		m->done = 1;
		return;
	}
	mrow(w, m, "W-MAN-004", DIAG_INFO, "pending", "", "",
	    _("waiting for a 607 for bill %s"), m->master_raw);
}

/*
 * Join the night's cancels (605/606) to their parcels: by invtNo, else by
 * the inventory's agentCode/copNo.  A cancel accepted for an inventory
 * judged final in an earlier run whose parcel left (written off) is
 * W-CAN-002 at once; a cancel of an inventory this tool never saw
 * concerns another job (or another shard) and is not judged.
 */
static void
apply_cancels(struct wo *w)
{
	struct done_row r;
	size_t i;

	memset(&r, 0, sizeof r);
	for (i = 0; i < w->nc; i++) {
		struct cancel *c = &w->c[i];
		int st = cancel_state(c);
		long pi = -1, di;

		wo_mem_tick();
		if (*c->invtNo)
			pi = wo_index_get(&w->invidx, c->invtNo);
		if (pi < 0)
			pi = wo_index_get(&w->copidx, c->copkey);
		if (pi >= 0) {
			struct parcel *p = &w->p[pi];

			/* Accepted beats rejected beats requested. */
			if (p->cancel != CAN_ACCEPTED &&
			    (st == CAN_ACCEPTED || p->cancel == CAN_NONE ||
			    (st == CAN_REJECTED && p->cancel == CAN_REQUESTED)))
				p->cancel = st;
			continue;
		}
		if (st != CAN_ACCEPTED || !*c->invtNo ||
		    (di = done_find_invt(c->invtNo, &r)) < 0 ||
		    strcmp(r.d.outcome, "written-off") != 0)
			continue;
		{
			struct done *d = &r.d;
			struct diag_loc dl;
			WO_EXTRA(x);

			loc_to_diag(&c->loc, &dl);
			x[X_OUTCOME] = "left-cancelled";
			x[X_LNO] = d->lno;
			x[X_INVT] = d->invtNo;
			diag_finding(&dl, "W-CAN-002", DIAG_ERROR, "invtNo", x,
			    _("inventory %s cancelled (606 returnStatus 399) "
			    "but its parcel left and was written off on %s"),
			    d->invtNo, d->day);
			diag_records(1, 0, 1);
			done_set(di, DONE_OUTCOME, "left-cancelled");
		}
	}
	done_row_free(&r);
	done_invt_done();
}

void
engine_run(struct wo *w)
{
	struct eng e;
	struct ment_it it;
	size_t i;

	memset(&e, 0, sizeof e);
	e.w = w;
	w->done_old = done_count();	/* the state's done rows */
	w->done_pipe = 0;
	apply_cancels(w);
	/*
	 * Each table leaves memory as soon as its phase is over: the peak
	 * of a large night is in the judgement, with every parcel of the
	 * night in memory (the manifest entries and the done rows are in
	 * done.c's scratch database).  The parcels' copNo and invtNo
	 * indexes serve only the cancels' join.
	 */
	wo_index_free(&w->copidx);
	wo_index_free(&w->invidx);
	entries_first_seen(w, &e.ent);
	bill_complete(w);
	index_manifest(&e);
	aggregate(&e);
	for (i = 0; i < w->np; i++) {
		wo_mem_tick();
		judge_parcel(&e, &w->p[i]);
	}
	/* The 505 weights serve only judge_parcel(). */
	wo_grow_free(w->wb, &w->wbcap, sizeof *w->wb);
	w->wb = NULL;
	w->nwb = 0;
	wo_index_free(&w->wbidx);
	/* Which bills still have open parcels. */
	for (i = 0; i < w->np; i++) {
		struct parcel *p = &w->p[i];

		wo_mem_tick();
		if (p->resolved || p->done_old)
			continue;
		if (p->bill >= 0)
			e.bopen[p->bill]++;
		if (p->bill2 >= 0)
			w->b[p->bill2].keep = 1;
		if (p->dep >= 0)
			w->b[p->dep].keep = 1;
		if (p->dep2 >= 0)
			w->b[p->dep2].keep = 1;
	}
	for (i = 0; i < w->nb; i++)
		judge_bill(&e, (long)i);
	/* judge_entry() adds no done row: those the entries see are
	 * entry_final()'s too. */
	w->ef_at = (size_t)done_count();
	w->nef = 0;
	ment_iter(&it, NULL);
	while (ment_next(&it, &e.ent)) {
		struct mentry *m = &e.ent.m;

		wo_mem_tick();
		judge_entry(&e, m);
		entry_final(w, m);
		ment_mark(e.ent.id, m);
	}
	wo_grow_free(e.mm, &e.mmcap, sizeof *e.mm);
	wo_grow_free(e.bags, &e.bagcap, sizeof *e.bags);
	wo_index_free(&e.mmidx);
	wo_index_free(&e.bbill);
	wo_index_free(&e.bagidx);
	/* Parcels final this run leave memory; their bill keeps their sum. */
	for (i = 0; i < w->np; i++) {
		struct parcel *p = &w->p[i];

		wo_mem_tick();
		if (p->resolved == 2 && p->bill >= 0 && p->has_inv) {
			w->b[p->bill].off_gross = dec_add(
			    w->b[p->bill].off_gross, p->gross);
			w->b[p->bill].off_n++;
		}
	}
	for (i = 0; i < w->nb; i++) {
		struct bill *b = &w->b[i];

		if (e.bopen[i] || !b->complete ||
		    (b->kind == BILL_607 && !b->totals_done))
			b->keep = 1;
		else if (b->kind == BILL_607 && !done_maybe(w, b->key))
			close_bill(w, b);
	}
	free(e.bgross);
	free(e.bn);
	free(e.bninv);
	free(e.bopen);
	free(e.bnbags);
	free(e.bpack);
	done_row_free(&e.row);
	release_final(w, &e.ent);
	ment_row_free(&e.ent);
}
