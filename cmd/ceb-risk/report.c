/*
 * report.c: what ceb-risk writes for people besides its findings: the
 * ranking of the run judged (-o FILE, CSV: the entities in order of their
 * score, for targeting) and --explain ENTITY (each indicator the entity
 * crossed, its value, the threshold and the records behind it).  Both
 * read what judge.c left in risk_scores and risk_hits.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "csvio.h"
#include "diag.h"
#include "i18n.h"
#include "outfile.h"
#include "risk.h"

static int
sqlfail(struct risk *r)
{
	diag_trouble(r->store_path, 0, "%s", store_errmsg(r->st));
	return -1;
}

static const char sql_rank[] =
"SELECT dimension, entity, max(label), sum(weight) AS score,"
"  group_concat(indicator || '=' || CASE WHEN value = CAST(value AS INTEGER)"
"  THEN CAST(value AS INTEGER) ELSE printf('%.2f', value) END, ' ')"
"  FROM (SELECT * FROM risk_scores WHERE run = ?1 ORDER BY indicator)"
"  GROUP BY dimension, entity ORDER BY score DESC, dimension, 3, entity";

int
report_ranking(struct risk *r)
{
	static const char *const head[] = { "rank", "dimension", "entity",
	    "label", "score", "indicators", "run" };
	char err[512], rank[32], sc[32], run[32];
	struct outfile *o;
	sqlite3_stmt *st;
	FILE *f;
	long n = 0;
	int rc;

	if (r->ranking == NULL)
		return 0;
	if ((o = outfile_open(r->ranking, 0644, err, sizeof err)) == NULL) {
		diag_trouble(r->ranking, 0, "%s", err);
		return -1;
	}
	f = outfile_stream(o);
	if (csvio_write_row(f, head, 7) != 0)
		goto wfail;
	if ((st = store_prepare(r->st, sql_rank)) == NULL ||
	    store_bind(r->st, st, "i", r->run) != 0) {
		outfile_abort(o);
		return sqlfail(r);
	}
	snprintf(run, sizeof run, "%lld", r->run);
	while ((rc = store_step(r->st, st)) == 1) {
		const char *row[7];

		if (r->top > 0 && n >= r->top) {
			sqlite3_reset(st);
			break;
		}
		snprintf(rank, sizeof rank, "%ld", ++n);
		snprintf(sc, sizeof sc, "%g", sqlite3_column_double(st, 3));
		row[0] = rank;
		row[1] = store_text(st, 0);
		row[2] = store_text(st, 1);
		row[3] = store_text(st, 2);
		row[4] = sc;
		row[5] = store_text(st, 4);
		row[6] = run;
		/* Neutral cells (csvio.h): an entity or label a spreadsheet
		 * would run as a formula is quoted, unless --raw-cells. */
		if (csvio_write_report_row(f, row, 7) != 0) {
			sqlite3_reset(st);
			goto wfail;
		}
	}
	if (rc < 0) {
		outfile_abort(o);
		return sqlfail(r);
	}
	diag_tally(_("entities ranked"), n);
	if (outfile_commit(o, err, sizeof err) != 0) {
		diag_trouble(r->ranking, 0, "%s", err);
		return -1;
	}
	return 0;
wfail:
	diag_trouble(r->ranking, 0, _("cannot write: %s"), strerror(errno));
	outfile_abort(o);
	return -1;
}

/*
 * Text from the input on its way to a terminal: control characters as
 * \xNN, never raw.
 */
static void
put_safe(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

static const char sql_ex_run[] =
"SELECT max(run) FROM risk_scores WHERE entity = ?1";
static const char sql_ex_ind[] =
"SELECT s.dimension, s.label, s.indicator, s.value, s.threshold,"
"  s.weight, s.n, s.baseline, coalesce(t.day, 0)"
"  FROM risk_scores s LEFT JOIN risk_nights t ON t.run = s.run"
"  WHERE s.run = ?1 AND s.entity = ?2 ORDER BY s.indicator";
static const char sql_ex_hits[] =
"SELECT source, message, line, key, detail FROM risk_hits"
"  WHERE run = ?1 AND entity = ?2 AND indicator = ?3 ORDER BY rowid";

/*
 * --explain: the entity as the ranking names it, in the latest run that
 * scored it.  Written to standard output for a person; returns the exit
 * status.
 */
int
report_explain(struct risk *r, const char *entity)
{
	sqlite3_stmt *st, *hs;
	long long run;
	double total = 0;
	int rc, any = 0;

	if ((st = store_prepare(r->st, sql_ex_run)) == NULL ||
	    store_bind(r->st, st, "t", entity) != 0 ||
	    (rc = store_step(r->st, st)) < 0)
		return sqlfail(r) ? 2 : 2;
	run = rc == 1 ? sqlite3_column_int64(st, 0) : 0;
	if (rc == 1)
		sqlite3_reset(st);
	if (run == 0) {
		diag_trouble(r->store_path, 0, _("no indicator was crossed by "
		    "%s in the store"), entity);
		return 2;
	}
	if ((st = store_prepare(r->st, sql_ex_ind)) == NULL ||
	    store_bind(r->st, st, "it", run, entity) != 0)
		return sqlfail(r) ? 2 : 2;
	while ((rc = store_step(r->st, st)) == 1) {
		const char *ind = store_text(st, 2);
		const struct catalogue_rule *cr = catalogue_find(ind);
		char id[32];

		if (!any) {
			long day = (long)sqlite3_column_int64(st, 8);

			put_safe(entity);
			printf(" (%s, ", store_text(st, 0));
			put_safe(store_text(st, 1));
			printf(_("): run %lld, night %04ld-%02ld-%02ld\n"), run,
			    day / 10000, day / 100 % 100, day % 100);
			any = 1;
		}
		total += sqlite3_column_double(st, 5);
		printf("  %s  %s\n", ind, cr ? _(cr->text) : "");
		printf(_("    value %g, threshold %g, baseline %g, "
		    "observations %lld, weight %g\n"),
		    sqlite3_column_double(st, 3), sqlite3_column_double(st, 4),
		    sqlite3_column_double(st, 7),
		    (long long)sqlite3_column_int64(st, 6),
		    sqlite3_column_double(st, 5));
		snprintf(id, sizeof id, "%s", ind);
		if ((hs = store_prepare(r->st, sql_ex_hits)) == NULL ||
		    store_bind(r->st, hs, "itt", run, entity, id) != 0) {
			sqlite3_reset(st);
			return sqlfail(r) ? 2 : 2;
		}
		while ((rc = store_step(r->st, hs)) == 1) {
			fputs("    ", stdout);
			put_safe(store_text(hs, 0));
			printf(":%lld: ", (long long)sqlite3_column_int64(hs,
			    2));
			put_safe(store_text(hs, 3));
			fputs(": ", stdout);
			put_safe(store_text(hs, 4));
			putchar('\n');
		}
		if (rc < 0) {
			sqlite3_reset(st);
			return sqlfail(r) ? 2 : 2;
		}
	}
	if (rc < 0)
		return sqlfail(r) ? 2 : 2;
	printf(_("  score %g\n"), total);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		diag_write_error(_("standard output"));
		return 2;
	}
	return diag_status();
}
