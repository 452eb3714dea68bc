/*
 * rules.c: the function that reports a finding on one record.  The 三单对碰 findings themselves (stable IDs, severity, customs
 * error code, source) are rows of the common catalogue
 * (common/catalogue-reconcile.def); a finding takes its severity there.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "catalogue.h"
#include "diag.h"
#include "i18n.h"
#include "rec.h"

const char *const report_cols[] = { "outcome", "counterpart", "value",
    "counterpart_value", NULL };

static void
vfinding(const struct rrec *r, const struct flds *f, const char *rule,
    enum diag_sev sev, const char *field, const char *outcome,
    const char *counterpart, const char *value, const char *other,
    const char *fmt, va_list ap)
{
	struct diag_loc loc;
	struct origin o;
	const char *extra[5];
	char key[300], day[16];

	store_origin(r->msg, &o, day, sizeof day);
	memset(&loc, 0, sizeof loc);
	loc.source = o.source;
	loc.message = o.message;
	loc.line = r->line;
	loc.origin = &o;
	loc.type = fields_typename(r->type);
	loc.guid = f->guid;
	loc.record = r->recno;
	loc.key = fields_key(f, key, sizeof key);
	extra[0] = outcome ? outcome : "";
	extra[1] = counterpart ? counterpart : "";
	extra[2] = value ? value : "";
	extra[3] = other ? other : "";
	extra[4] = NULL;
	diag_vfinding(&loc, rule, sev, field, extra, fmt, ap);
}

void
rfinding(const struct rrec *r, const struct flds *f, const char *rule,
    const char *field, const char *outcome, const char *counterpart,
    const char *value, const char *other, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfinding(r, f, rule, catalogue_sev(rule, DIAG_ERROR), field, outcome,
	    counterpart, value, other, fmt, ap);
	va_end(ap);
}

void
rfinding_sev(const struct rrec *r, const struct flds *f, const char *rule,
    enum diag_sev sev, const char *field, const char *outcome,
    const char *counterpart, const char *value, const char *other,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfinding(r, f, rule, sev, field, outcome, counterpart, value, other,
	    fmt, ap);
	va_end(ap);
}
