/*
 * policy.h: the personal-quota policy of cross-border e-commerce retail
 * import as effective-dated data (tables/quota-policy.csv, or a file the
 * operator names): the single-transaction and annual limits, whether the
 * indivisible single-item exception exists, and the return window.
 * ceb-quota-check judges its ledger by it and ceb-validate its limit and
 * tax rules, so the two tools cannot disagree about a date.
 *
 * A policy file is CSV with the columns from (YYYY-MM-DD), single and
 * annual (CNY, exact decimals), and optionally single_item (yes/no; absent:
 * yes, the reading of files written before the column existed) and
 * return_days (whole days after release within which a return gives the
 * quota back; empty or absent: no window, a return gives back whenever it
 * comes).  Each row is in force from its date until the next row's.
 *
 * The quota year is the calendar year by default (the common reading of
 * 个人年度); year_start (MMDD) makes it start on another day, and a day
 * then belongs to the year in which its quota year started.
 *
 * Library code: nothing here prints or exits.
 */
#ifndef CEB_POLICY_H
#define CEB_POLICY_H

#include <stddef.h>

#include "dec.h"

struct policy_row {
	long from;		/* YYYYMMDD, first day in force */
	struct dec single;	/* single-transaction limit */
	struct dec annual;	/* annual limit per person */
	int single_item;	/* the single indivisible item exception exists */
	int return_days;	/* return window in days after release, -1 none */
};

struct policy {
	struct policy_row *rows;	/* sorted by from */
	size_t n;
	int year_start;			/* MMDD the quota year starts */
};

/*
 * Load the policy file at path into p (which must be zeroed, or freed,
 * before; year_start is left alone).  Returns 0, or -1 with a message in
 * err (n bytes) and the line it concerns in *line (0 when none); p then
 * holds nothing the caller may use but policy_free().
 */
int policy_load(struct policy *p, const char *path, char *err, size_t n,
    long *line);
/* The row in force on day YYYYMMDD, NULL when none. */
const struct policy_row *policy_at(const struct policy *p, long day);
/* The quota year a day YYYYMMDD belongs to. */
int policy_year(const struct policy *p, long day);
/* YYYY-MM-DD or YYYYMMDD -> YYYYMMDD, -1 when not a real day. */
long policy_parse_day(const char *s);
/* Limits governing a whole quota year (those in force on its last day). */
const struct policy_row *policy_for_year(const struct policy *p, int year);
/* Days since 1970-01-01 of day YYYYMMDD (proleptic Gregorian). */
long policy_day_number(long ymd);
/* Days from day a to day b (both YYYYMMDD), negative when b is before a. */
long policy_days_between(long a, long b);
void policy_free(struct policy *p);

#endif
