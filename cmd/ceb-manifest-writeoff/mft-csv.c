/*
 * mft-csv.c: manifests that carriers export as spreadsheets.  Columns are
 * found by name (case-insensitively, in any order, extra columns
 * ignored).  The minimal set and its default column names:
 *   trafMode     transport mode: a manifest TypeCode (4 air, 1 sea, 3
 *                road, ...) or a CEB trafMode (5 air, 2 sea, ...): by
 *                default (--csv-modes auto) a code is read as the
 *                manifest's unless only the CEB reading meets a 607 or
 *                509 of the same voyage and bill; --csv-modes manifest or
 *                ceb fixes the list; or a word (air, sea, ...) required
 *   voyageNo     flight or voyage ("MI987", "MI987/20171031") required
 *   date         loading or flight date                        optional
 *   billNo       master bill (master AWB, B/L)                 required
 *   logisticsNo  house bill, bag number or parcel logisticsNo  optional
 *   pieces       packages handed to the carrier                optional
 *   grossWeight  kg                                            optional
 * --csv-map field=Column,... names other columns.  A CSV manifest lists
 * what the carrier loaded: its rows count as loading evidence, like a
 * loading manifest MT4x01.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "diag.h"
#include "i18n.h"
#include "loop.h"
#include "input.h"
#include "wo.h"

enum { C_MODE, C_VOY, C_DATE, C_BILL, C_HOUSE, C_PIECES, C_GROSS, C_N };

static const char *const fields[C_N] = {
	"trafMode", "voyageNo", "date", "billNo", "logisticsNo", "pieces",
	"grossWeight"
};
static const int required[C_N] = { 1, 1, 0, 1, 0, 0, 0 };

/* Column names after --csv-map; returns 0 or -1 (reported). */
static int
column_names(const char *map, const char *names[C_N], char *buf, size_t n)
{
	char *p, *tok, *save = NULL;
	int i;

	for (i = 0; i < C_N; i++)
		names[i] = fields[i];
	if (map == NULL)
		return 0;
	snprintf(buf, n, "%s", map);
	for (tok = strtok_r(buf, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((p = strchr(tok, '=')) == NULL || p[1] == '\0')
			goto bad;
		*p++ = '\0';
		for (i = 0; i < C_N; i++)
			if (strcmp(tok, fields[i]) == 0)
				break;
		if (i == C_N)
			goto bad;
		names[i] = p;
	}
	return 0;
bad:
	loop_usage_error("--csv-map", _("expected field=Column with field "
	    "one of trafMode, voyageNo, date, billNo, logisticsNo, pieces, "
	    "grossWeight: %s"), tok);
	return -1;
}

int
mft_csv_read(struct wo *w, const char *path)
{
	const char *names[C_N], *name = input_display_name(path);
	char err[300], mapbuf[1024];
	int col[C_N], i, r;
	struct csvio *c;
	char **f;
	size_t nf;

	if (column_names(w->o.csv_map, names, mapbuf, sizeof mapbuf) != 0)
		return -1;
	if ((c = csvio_open(path, err, sizeof err)) == NULL) {
		diag_trouble(name, 0, _("cannot read manifest: %s"), err);
		return -1;
	}
	for (i = 0; i < C_N; i++) {
		col[i] = csvio_col(c, names[i]);
		if (col[i] < 0 && required[i]) {
			if (strcmp(names[i], fields[i]) == 0)
				diag_trouble(name, 0, _("CSV manifest has no "
				    "column %s"), names[i]);
			else
				diag_trouble(name, 0, _("CSV manifest has no "
				    "column %s (mapped to %s)"), names[i],
				    fields[i]);
			csvio_close(c);
			return -1;
		}
	}
	while ((r = csvio_next(c, &f, &nf)) == 1) {
		struct mentry e;
		char voy[128], master[128], house[128], key[512], lkey[512];
		const char *v[C_N];
		struct diag_loc dl;

		for (i = 0; i < C_N; i++)
			v[i] = col[i] >= 0 ? csvio_get(c, col[i]) : "";
		memset(&e, 0, sizeof e);
		e.mode = norm_mode_word(v[C_MODE], w->o.csv_ceb_modes == 1);
		if (w->o.csv_ceb_modes < 0 && norm_mode_word(v[C_MODE], 1) !=
		    e.mode)
			e.alt_mode = norm_mode_word(v[C_MODE], 1);
		norm_voyage(v[C_VOY], e.mode, voy, sizeof voy);
		norm_bill(v[C_BILL], master, sizeof master);
		norm_bill(v[C_HOUSE], house, sizeof house);
		e.loc.source = wo_intern(name);
		e.loc.line = csvio_line(c);
		e.loc.type = "CSV";
		snprintf(lkey, sizeof lkey, "%s%s%s", v[C_BILL],
		    *v[C_HOUSE] ? "/" : "", v[C_HOUSE]);
		e.loc.key = lkey;	/* copied by mentry_put() */
		if (*master == '\0' || *voy == '\0' || e.mode == '?') {
			WO_EXTRA(x);

			loc_to_diag(&e.loc, &dl);
			x[X_OUTCOME] = "unusable";
			x[X_MODE] = v[C_MODE];
			x[X_VOYAGE] = v[C_VOY];
			x[X_BILL] = v[C_BILL];
			if (wo_mine(w, ""))	/* --shard: shard 1 */
				diag_finding(&dl, "W-MAN-006", DIAG_ERROR,
				    names[*master ? (*voy ? C_MODE : C_VOY) :
				    C_BILL], x, _("manifest row lacks a usable "
				    "%s"), fields[*master ? (*voy ? C_MODE :
				    C_VOY) : C_BILL]);
			continue;
		}
		e.kind = MFT_CSV;
		e.voyage = wo_intern(voy);
		e.master = wo_intern(master);
		e.house = house;
		e.voyage_raw = wo_intern(v[C_VOY]);
		e.master_raw = wo_intern(v[C_BILL]);
		e.house_raw = v[C_HOUSE];
		e.msgtype = "CSV";
		e.date = wo_intern(v[C_DATE]);
		mentry_amounts(w, &e, v[C_PIECES], v[C_GROSS], names[C_PIECES],
		    names[C_GROSS]);
		e.first_day = w->o.now;
		e.seen = 1;
		snprintf(key, sizeof key, "%d|%c|%s|%s|%s", MFT_CSV, e.mode,
		    voy, master, house);
		e.key = key;
		mentry_put(w, &e, 1);
	}
	if (r < 0) {
		diag_trouble(name, csvio_line(c), _("CSV manifest: %s"),
		    csvio_error(c));
		csvio_close(c);
		return -1;
	}
	csvio_close(c);
	return 0;
}
