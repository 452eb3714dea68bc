/*
 * html.c: --html FILE, the operator's page of the run judged: one
 * self-contained HTML file (no script, no network, no file it loads),
 * headings in Chinese and English, SVG charts drawn here:
 *   - the top risks (the ranking's first entities, bars of their score);
 *   - each indicator: the distribution of the values it was computed on
 *     tonight (every entity judged, crossed or not), the threshold marked;
 *   - the trend over the nights: findings and entities per night;
 * and the ranking as a table.  Every text from the input or the store
 * is escaped; labels are masked as in the ranking.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
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

/* Text into HTML (element content or a quoted attribute). */
static void
esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "&#xfffd;");
			else
				fputc(c, f);
		}
	}
}

static const char head[] =
"<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
"style-src 'unsafe-inline'\">\n"
"<title>ceb-risk \xe9\xa3\x8e\xe9\x99\xa9\xe6\x8a\xa5\xe5\x91\x8a / risk report</title>\n"
"<style>\n"
"body{font-family:'Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif;"
"margin:2em;color:#222;background:#fff}\n"
"h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;"
"border-bottom:1px solid #ccc}\n"
"table{border-collapse:collapse;font-size:.9em}"
"td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}\n"
"th{background:#eef}.num{text-align:right}\n"
"svg{display:block;margin:.5em 0}\n"
".bar{fill:#c0392b}.hist{fill:#7f8c8d}.dot{fill:#2c3e50}.thr{stroke:#e67e22;stroke-width:2}"
".axis{stroke:#888;stroke-width:1}.lbl{font-size:12px;fill:#222}\n"
".line1{fill:none;stroke:#c0392b;stroke-width:2}"
".line2{fill:none;stroke:#2980b9;stroke-width:2}\n"
"</style>\n</head>\n<body>\n";

static const char sql_top[] =
"SELECT dimension, entity, max(label), sum(weight) AS score"
"  FROM risk_scores WHERE run = ?1 GROUP BY dimension, entity"
"  ORDER BY score DESC, dimension, 3, entity LIMIT 20";
static const char sql_trend[] =
"SELECT t.run, t.day, (SELECT count(*) FROM risk_hits h WHERE h.run = t.run),"
"  (SELECT count(DISTINCT entity) FROM risk_scores s WHERE s.run = t.run)"
"  FROM risk_nights t WHERE t.run <= ?1 AND t.day > 0"
"  ORDER BY t.day DESC, t.run DESC LIMIT 30";
static const char sql_table[] =
"SELECT dimension, entity, max(label), sum(weight) AS score,"
"  group_concat(indicator, ' ')"
"  FROM (SELECT * FROM risk_scores WHERE run = ?1 ORDER BY indicator)"
"  GROUP BY dimension, entity ORDER BY score DESC, dimension, 3, entity"
"  LIMIT 200";

/* The top risks: one bar per entity. */
static int
top(struct risk *r, FILE *f)
{
	sqlite3_stmt *st;
	double max = 0, v[20];
	char lab[20][160];
	int n = 0, rc, i;

	if ((st = store_prepare(r->st, sql_top)) == NULL ||
	    store_bind(r->st, st, "i", r->run) != 0)
		return sqlfail(r);
	while ((rc = store_step(r->st, st)) == 1 && n < 20) {
		v[n] = sqlite3_column_double(st, 3);
		snprintf(lab[n], sizeof lab[n], "%s %s", store_text(st, 0),
		    store_text(st, 2));
		if (v[n] > max)
			max = v[n];
		n++;
	}
	if (rc == 1)
		sqlite3_reset(st);
	if (rc < 0)
		return sqlfail(r);
	fputs("<h2>\xe4\xb8\xbb\xe8\xa6\x81\xe9\xa3\x8e\xe9\x99\xa9 / Top risks"
	    "</h2>\n", f);
	if (n == 0) {
		fputs("<p>\xe6\x97\xa0 / none</p>\n", f);
		return 0;
	}
	fprintf(f, "<svg id=\"top\" width=\"900\" height=\"%d\" "
	    "xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">\n",
	    n * 24 + 10);
	for (i = 0; i < n; i++) {
		double w = max > 0 ? 500 * v[i] / max : 0;

		fprintf(f, "<text class=\"lbl\" x=\"0\" y=\"%d\">", i * 24 + 20);
		esc(f, lab[i]);
		fprintf(f, "</text><rect class=\"bar\" x=\"330\" y=\"%d\" "
		    "width=\"%.1f\" height=\"18\"/><text class=\"lbl\" "
		    "x=\"%.1f\" y=\"%d\">%g</text>\n", i * 24 + 6, w,
		    336 + w, i * 24 + 20, v[i]);
	}
	fputs("</svg>\n", f);
	return 0;
}

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#define NBINS 40

/*
 * One indicator: the distribution of the values it was computed on
 * tonight (judge_observed()), a histogram of NBINS bars over the 1st to
 * the 99th percentile and the threshold (values beyond fall in the end
 * bars), the threshold marked, and how many findings crossed it.
 */
static int
indicator(struct risk *r, FILE *f, const char *id)
{
	const struct catalogue_rule *cr = catalogue_find(id);
	const double *obs;
	double *v, lo, hi, thr, x;
	size_t n, i, bins[NBINS], max = 1, nhit = 0;
	sqlite3_stmt *st;
	int rc;

	if ((obs = judge_observed(id, &n, &thr)) == NULL || n == 0)
		return 0;
	if ((v = malloc(n * sizeof *v)) == NULL) {
		diag_trouble(NULL, 0, _("out of memory"));
		return -1;
	}
	memcpy(v, obs, n * sizeof *v);
	qsort(v, n, sizeof *v, cmp_dbl);
	lo = v[n / 100];
	hi = v[n - 1 - n / 100];
	if (thr < lo)
		lo = thr;
	if (thr > hi)
		hi = thr;
	if (hi <= lo)
		hi = lo + 1;
	memset(bins, 0, sizeof bins);
	for (i = 0; i < n; i++) {
		long b = (long)((v[i] - lo) / (hi - lo) * NBINS);

		bins[b < 0 ? 0 : b >= NBINS ? NBINS - 1 : b]++;
	}
	for (i = 0; i < NBINS; i++)
		if (bins[i] > max)
			max = bins[i];
	if ((st = store_prepare(r->st, "SELECT count(*) FROM risk_hits"
	    " WHERE run = ?1 AND indicator = ?2")) == NULL ||
	    store_bind(r->st, st, "it", r->run, id) != 0) {
		free(v);
		return sqlfail(r);
	}
	if ((rc = store_step(r->st, st)) == 1) {
		nhit = (size_t)sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	if (rc < 0) {
		free(v);
		return sqlfail(r);
	}
	fputs("<h3>", f);
	esc(f, id);
	fputs(" ", f);
	esc(f, cr ? _(cr->text) : "");
	fprintf(f, "</h3>\n<svg class=\"dist\" data-indicator=\"%s\" "
	    "width=\"900\" height=\"150\" "
	    "xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">\n"
	    "<line class=\"axis\" x1=\"40\" y1=\"120\" x2=\"880\" y2=\"120\"/>"
	    "\n<text class=\"lbl\" x=\"0\" y=\"20\">%zu</text>\n", id, max);
	for (i = 0; i < NBINS; i++) {
		double h = 100.0 * (double)bins[i] / (double)max;

		if (bins[i] == 0)
			continue;
		fprintf(f, "<rect class=\"hist\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%.1f\"><title>%zu</title></rect>\n",
		    40 + 840.0 * (double)i / NBINS, 120 - h, 840.0 / NBINS - 2,
		    h, bins[i]);
	}
	x = 40 + 840 * (thr - lo) / (hi - lo);
	fprintf(f, "<line class=\"thr\" x1=\"%.1f\" y1=\"10\" x2=\"%.1f\" "
	    "y2=\"124\"/>\n<text class=\"lbl\" x=\"%.1f\" y=\"20\" "
	    "text-anchor=\"%s\">"
	    "\xe9\x98\x88\xe5\x80\xbc / threshold %g</text>\n"
	    "<text class=\"lbl\" x=\"40\" y=\"138\">%g</text>"
	    "<text class=\"lbl\" x=\"840\" y=\"138\">%g</text>\n</svg>\n",
	    x, x, x > 600 ? x - 4 : x + 4, x > 600 ? "end" : "start", thr, lo,
	    hi);
	fprintf(f, "<p>%zu \xe4\xb8\xaa\xe5\x80\xbc / values, %zu "
	    "\xe6\x9d\xa1\xe5\x8f\x91\xe7\x8e\xb0 / findings</p>\n", n, nhit);
	free(v);
	return 0;
}

/* Every indicator of the policy that computed a value tonight. */
static int
indicators(struct risk *r, FILE *f)
{
	size_t i, shown = 0;

	fputs("<h2>\xe6\x8c\x87\xe6\xa0\x87\xe5\x88\x86\xe5\xb8\x83 / "
	    "Indicators: the distribution of each, the threshold marked</h2>\n",
	    f);
	for (i = 0; i < r->pol.n; i++) {
		size_t n;
		double thr;

		if (i > 0 && strcmp(r->pol.rows[i].id,
		    r->pol.rows[i - 1].id) == 0)
			continue;
		if (judge_observed(r->pol.rows[i].id, &n, &thr) == NULL ||
		    n == 0)
			continue;
		if (indicator(r, f, r->pol.rows[i].id) != 0)
			return -1;
		shown++;
	}
	if (shown == 0)
		fputs("<p>\xe6\x97\xa0 / none</p>\n", f);
	return 0;
}

/* Findings and entities per night, the latest 30 nights. */
static int
trend(struct risk *r, FILE *f)
{
	sqlite3_stmt *st;
	long day[30];
	double fnd[30], ent[30], max = 1;
	int n = 0, rc, i;

	if ((st = store_prepare(r->st, sql_trend)) == NULL ||
	    store_bind(r->st, st, "i", r->run) != 0)
		return sqlfail(r);
	while ((rc = store_step(r->st, st)) == 1 && n < 30) {
		day[n] = (long)sqlite3_column_int64(st, 1);
		fnd[n] = sqlite3_column_double(st, 2);
		ent[n] = sqlite3_column_double(st, 3);
		if (fnd[n] > max)
			max = fnd[n];
		if (ent[n] > max)
			max = ent[n];
		n++;
	}
	if (rc == 1)
		sqlite3_reset(st);
	if (rc < 0)
		return sqlfail(r);
	fputs("<h2>\xe5\x90\x84\xe5\xa4\x9c\xe8\xb6\x8b\xe5\x8a\xbf / Trend over "
	    "the nights</h2>\n", f);
	fprintf(f, "<svg id=\"trend\" width=\"900\" height=\"220\" "
	    "xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">\n"
	    "<line class=\"axis\" x1=\"40\" y1=\"180\" x2=\"880\" y2=\"180\"/>"
	    "\n<line class=\"axis\" x1=\"40\" y1=\"10\" x2=\"40\" y2=\"180\"/>"
	    "\n<text class=\"lbl\" x=\"0\" y=\"20\">%g</text>\n", max);
	for (i = 0; i < 2; i++) {
		int j;

		fprintf(f, "<polyline class=\"line%d\" points=\"", i + 1);
		for (j = n - 1; j >= 0; j--) {
			double x = n > 1 ? 40 + 840.0 * (n - 1 - j) / (n - 1) :
			    460;
			double y = 180 - 170 * (i ? ent[j] : fnd[j]) / max;

			fprintf(f, "%.1f,%.1f ", x, y);
		}
		fputs("\"/>\n", f);
	}
	for (i = n - 1; i >= 0; i--) {
		double x = n > 1 ? 40 + 840.0 * (n - 1 - i) / (n - 1) : 460;

		fprintf(f, "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" "
		    "r=\"3\"/><text class=\"lbl\" x=\"%.1f\" y=\"198\">"
		    "%02ld-%02ld</text>\n", x, 180 - 170 * fnd[i] / max,
		    x - 14, day[i] / 100 % 100, day[i] % 100);
	}
	fputs("<text class=\"lbl\" x=\"60\" y=\"215\" fill=\"#c0392b\">"
	    "\xe2\x80\x94 \xe5\x8f\x91\xe7\x8e\xb0 / findings</text>"
	    "<text class=\"lbl\" x=\"260\" y=\"215\">\xe2\x80\x94 "
	    "\xe5\xaf\xb9\xe8\xb1\xa1 / entities</text>\n</svg>\n", f);
	return 0;
}

static int
table(struct risk *r, FILE *f)
{
	sqlite3_stmt *st;
	int rc, n = 0;

	if ((st = store_prepare(r->st, sql_table)) == NULL ||
	    store_bind(r->st, st, "i", r->run) != 0)
		return sqlfail(r);
	fputs("<h2>\xe6\x8e\x92\xe5\x90\x8d / Ranking</h2>\n<table>\n<tr>"
	    "<th>#</th><th>\xe7\xbb\xb4\xe5\xba\xa6 / dimension</th>"
	    "<th>\xe5\xaf\xb9\xe8\xb1\xa1 / entity</th>"
	    "<th>\xe6\xa0\x87\xe7\xad\xbe / label</th>"
	    "<th>\xe5\xbe\x97\xe5\x88\x86 / score</th>"
	    "<th>\xe6\x8c\x87\xe6\xa0\x87 / indicators</th></tr>\n", f);
	while ((rc = store_step(r->st, st)) == 1) {
		int c;

		fprintf(f, "<tr><td class=\"num\">%d</td>", ++n);
		for (c = 0; c < 5; c++) {
			fputs(c == 3 ? "<td class=\"num\">" : "<td>", f);
			if (c == 3)
				fprintf(f, "%g", sqlite3_column_double(st, 3));
			else
				esc(f, store_text(st, c));
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	return rc < 0 ? sqlfail(r) : 0;
}

int
report_html(struct risk *r)
{
	char err[512];
	struct outfile *o;
	FILE *f;

	if (r->html == NULL)
		return 0;
	if ((o = outfile_open(r->html, 0644, err, sizeof err)) == NULL) {
		diag_trouble(r->html, 0, "%s", err);
		return -1;
	}
	f = outfile_stream(o);
	fputs(head, f);
	fprintf(f, "<h1>ceb-risk \xe9\xa3\x8e\xe9\x99\xa9\xe6\x8a\xa5\xe5\x91\x8a "
	    "/ risk report</h1>\n<p>\xe8\xbf\x90\xe8\xa1\x8c / run %lld, "
	    "\xe5\xa4\x9c / night %04ld-%02ld-%02ld</p>\n", r->run,
	    r->day / 10000, r->day / 100 % 100, r->day % 100);
	if (top(r, f) != 0 || indicators(r, f) != 0 || trend(r, f) != 0 ||
	    table(r, f) != 0) {
		outfile_abort(o);
		return -1;
	}
	fputs("</body>\n</html>\n", f);
	if (ferror(f)) {
		diag_trouble(r->html, 0, _("cannot write: %s"),
		    strerror(errno));
		outfile_abort(o);
		return -1;
	}
	if (outfile_commit(o, err, sizeof err) != 0) {
		diag_trouble(r->html, 0, "%s", err);
		return -1;
	}
	return 0;
}
