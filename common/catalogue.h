/*
 * catalogue.h: the one rule catalogue of every cebtools program.
 *
 * Every finding a tool can report has one row here: its stable ID, the
 * tool that reports it ("*" for the rules of the stream layer, reported
 * by every tool that reads a stream), its default severity, the message
 * types and fields it concerns, the customs error code it anticipates
 * (the specification's table 7-1 or 7-2), the source that makes it a
 * rule (a section or table of the specification, the official XSD, a
 * standard or a regulation) and a one-line English description.
 *
 * The rows are data: one X-macro list per tool, catalogue-<tool>.def
 * beside this file, each line
 *   RULE(name, id, severity, types, fields, customs, source, description)
 * with severity E, W or I.  A column that does not apply holds "-" (no
 * field, no customs code); an empty string means "not known yet", which
 * tests/rules/catalogue.test allows only for the rules of its allow-list.
 * A tool that needs a C name for each of its rules (an enum) includes its
 * .def file with its own RULE(); see cmd/ceb-validate/rules.c.  The
 * descriptions are translated when listed (xgettext --keyword=RULE:8).
 *
 * --list-rules of every tool prints catalogue_list(); man/cebtools-rules.7
 * is generated from those listings (tests/rules/mkman.sh).
 *
 * Library code: nothing here prints (except to the FILE given) or exits.
 */
#ifndef CEB_CATALOGUE_H
#define CEB_CATALOGUE_H

#include <stddef.h>
#include <stdio.h>

#include "diag.h"

struct catalogue_rule {
	const char *id;		/* "V-ID-001" */
	const char *tool;	/* "ceb-validate", or "*" for every tool */
	enum diag_sev sev;	/* default severity */
	const char *types;	/* "311 621", "*", "decl", "rcpt" or "-" */
	const char *fields;	/* element names, space-separated, or "-" */
	const char *customs;	/* customs error codes, space-separated, or "-" */
	const char *source;	/* what makes it a rule */
	const char *text;	/* English description (translated on output) */
};

extern const struct catalogue_rule catalogue[];
extern const size_t catalogue_n;

/* The rule called id, or NULL. */
const struct catalogue_rule *catalogue_find(const char *id);

/*
 * The default severity of rule id; fallback when the catalogue does not
 * hold it (which tests/rules/catalogue.test makes sure never happens for
 * an ID the tools report).
 */
enum diag_sev catalogue_sev(const char *id, enum diag_sev fallback);

/*
 * --list-rules: write the CSV header
 *   rule,tool,severity,types,fields,customs_code,source,description
 * and one row for every rule that tool reports (its own and the "*"
 * rules, in catalogue order).  Returns 0, or -1 on a write error.
 */
int catalogue_list(FILE *out, const char *tool);

#endif
