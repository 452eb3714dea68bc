/*
 * rules.h: the business-rule catalogue of ceb-validate (issue 5), as seen
 * by the tool's skeleton.  The skeleton (ceb-validate.c) parses the
 * options, finds and validates the structure of each message, and calls
 * these functions for every message and every record whose structure it
 * has judged; rules.c implements them.  The rules themselves (S- and V-)
 * are rows of the common catalogue (common/catalogue.h).
 */
#ifndef CEB_VALIDATE_RULES_H
#define CEB_VALIDATE_RULES_H

#include <stddef.h>
#include <stdio.h>
#include <libxml/tree.h>

#include "diag.h"
#include "dsig.h"
#include "fields.h"
#include "msg.h"

struct rules;			/* the loaded catalogue, code tables, options */

struct rules_opts {
	const char *rules_file;		/* --rules FILE, or NULL */
	const char *codes_dir;		/* -c DIR, or NULL: shipped tables */
	const char *positive_list;	/* --positive-list FILE, or NULL */
	const char *tolerance;		/* --tolerance X, or NULL */
	const char *policy_file;	/* --policy FILE, or NULL: shipped */
	const char *tax_rates;		/* --tax-rates FILE, or NULL: shipped */
	const char *goods;		/* --goods FILE (itemNo -> gcode) */
	const char *tax_tolerance;	/* --tax-tolerance X, or NULL: 0.5 */
	int edition;			/* 2018 or 2022 */
};

/* Load the catalogue and tables.  NULL + err on failure. */
struct rules *rules_load(const struct rules_opts *o, char *err, size_t n);
void rules_free(struct rules *r);

/*
 * Check record rec (0-based) of message m, whose fields d holds
 * (fields.h: gathered from its tree or from the SAX events of the
 * validating pass); report each finding with
 * diag_finding(loc, ...); also append each error-severity finding's rule id
 * and text to *res (may be NULL) so receipts can list them.  Returns the
 * number of error findings (the record fails if > 0).  Called from the main
 * thread only, in input order.
 */
struct rules_result {
	size_t n;
	struct {
		char rule[16];
		char text[256];
	} item[32];
};
int rules_check_record(const struct rules *r, const struct msg *m,
    const struct fdoc *d, size_t rec, const struct diag_loc *loc,
    struct rules_result *res);

/* Message-level checks (e.g. guid of the root); same contract. */
int rules_check_message(const struct rules *r, const struct msg *m,
    const struct fdoc *d, const struct diag_loc *loc,
    struct rules_result *res);

/*
 * The verdict v on the signature of m (a CEB message, or a DxpMsg
 * envelope with m->type NULL): one finding of the V-SIG rule the verdict
 * calls for, the V-SIG-007 warning when the certificate is not valid at
 * the message's own time, and the V-SIG-009 info row for a signature that
 * verifies.  Same contract as rules_check_message(); a verdict of
 * DSIG_NONE reports nothing (V-DEP-006 judges a missing signature).
 */
int rules_check_signature(const struct rules *r, const struct msg *m,
    const struct diag_loc *loc, struct rules_result *res,
    const struct dsig_verdict *v);

/*
 * Receipts: called once per record judged when -R DIR is given; res holds
 * every error (S- and V-) of that record.  Returns 0, or -1 + err.
 */
int rules_receipt(const struct rules *r, const char *dir, const struct msg *m,
    xmlNodePtr rec, int passed, const struct rules_result *res, char *err,
    size_t n);

/*
 * Open the receipt directory before the first record (created if
 * missing), so that a path that cannot hold receipts is one trouble up
 * front, not one per record.  Returns 0, or -1 + err.
 */
int rules_receipt_open(const struct rules *r, const char *dir, char *err,
    size_t n);

#endif
