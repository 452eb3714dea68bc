/*
 * rules.c: the catalogue of 三单对碰 findings (stable IDs, severity,
 * customs error code where the specification has one), --list-rules, and
 * the function that reports a finding on one record.
 *
 * Customs codes are those of the 2022 message specification, table 7-2,
 * where a code names the same condition; they are left empty otherwise.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "csvio.h"
#include "diag.h"
#include "i18n.h"
#include "rec.h"

const struct rule rules[] = {
	{ "R-OK-001", DIAG_INFO, "", "621", "",
	  N_("inventory matched its order, payment and waybill; passed on") },
	{ "R-PEND-001", DIAG_INFO, "", "621", "",
	  N_("inventory waits for a counterpart; carried over in the state") },
	{ "R-MISS-001", DIAG_ERROR, "-301003", "621", "ebpCode orderNo",
	  N_("no order (ebpCode, orderNo) for the inventory") },
	{ "R-MISS-002", DIAG_ERROR, "-401001", "621", "ebpCode orderNo",
	  N_("no payment (ebpCode, orderNo) for the inventory") },
	{ "R-MISS-003", DIAG_ERROR, "", "621", "logisticsCode logisticsNo",
	  N_("no waybill (logisticsCode, logisticsNo) for the inventory") },
	{ "R-MISS-004", DIAG_WARNING, "", "311 411 511", "",
	  N_("order, payment or waybill without an inventory at the end of a "
	  "run without state") },
	{ "R-EXP-001", DIAG_ERROR, "", "311 411 511", "",
	  N_("order, payment or waybill waited longer than --max-age days "
	  "for its inventory; leaves the state") },
	{ "R-KEY-001", DIAG_ERROR, "", "621", "ebcCode",
	  N_("ebcCode of the order and the inventory differ") },
	{ "R-KEY-002", DIAG_ERROR, "", "621", "orderNo",
	  N_("orderNo of the waybill and the inventory differ") },
	{ "R-KEY-003", DIAG_ERROR, "", "621", "payCode payTransactionId",
	  N_("payCode or payTransactionId filled in the order differs from "
	  "the payment") },
	{ "R-KEY-004", DIAG_ERROR, "", "311 411 511 621", "ebpCode orderNo logisticsCode logisticsNo payCode payTransactionId",
	  N_("a key field (ebpCode, orderNo, logisticsCode, logisticsNo, "
	  "payCode, payTransactionId) is missing") },
	{ "R-AMT-001", DIAG_ERROR, "", "621", "acturalPaid amountPaid",
	  N_("acturalPaid of the order differs from amountPaid of the payment "
	  "(beyond --tolerance)") },
	{ "R-AMT-002", DIAG_WARNING, "", "621", "freight",
	  N_("freight of the inventory differs from the waybill") },
	{ "R-AMT-003", DIAG_WARNING, "", "621", "insuredFee",
	  N_("insuredFee of the inventory differs from the waybill") },
	{ "R-WGT-001", DIAG_WARNING, "", "621", "grossWeight weight",
	  N_("grossWeight of the inventory differs from weight of the waybill") },
	{ "R-BUY-001", DIAG_ERROR, "", "621", "buyerIdType",
	  N_("buyerIdType of the order and the inventory differ") },
	{ "R-BUY-002", DIAG_ERROR, "", "621", "buyerIdNumber",
	  N_("buyerIdNumber of the order and the inventory differ") },
	{ "R-BUY-003", DIAG_ERROR, "", "621", "buyerName",
	  N_("buyerName of the order and the inventory differ") },
	{ "R-BUY-004", DIAG_ERROR, "", "621", "buyerTelephone",
	  N_("buyerTelephone of the order and the inventory differ") },
	{ "R-BUY-005", DIAG_ERROR, "", "621", "payerIdType payerIdNumber",
	  N_("payer ID (payerIdType, payerIdNumber) is not the buyer's "
	  "(with -p)") },
	{ "R-BUY-006", DIAG_ERROR, "", "621", "payerName",
	  N_("payerName is not the buyer's name (with -p)") },
	{ "R-CON-001", DIAG_ERROR, "", "621", "consignee",
	  N_("consignee of the order and the waybill differ") },
	{ "R-CON-002", DIAG_ERROR, "", "621", "consigneeTelephone",
	  N_("consigneeTelephone of the order and the waybill differ") },
	{ "R-CON-003", DIAG_ERROR, "", "621", "consigneeAddress",
	  N_("consigneeAddress of the order and the waybill differ") },
	{ "R-CON-004", DIAG_WARNING, "", "621", "consigneeAddress",
	  N_("consigneeAddress of the inventory differs from the order") },
	{ "R-LINE-001", DIAG_ERROR, "", "621", "gnum",
	  N_("a line (gnum) of the inventory has no line of the order, or "
	  "the reverse") },
	{ "R-LINE-002", DIAG_ERROR, "", "621", "itemName gname",
	  N_("itemName of the order line is neither gname nor itemName of "
	  "the inventory line") },
	{ "R-LINE-003", DIAG_ERROR, "", "621", "qty",
	  N_("qty of the order line and the inventory line differ") },
	{ "R-LINE-004", DIAG_ERROR, "", "621", "price",
	  N_("price of the order line and the inventory line differ") },
	{ "R-LINE-005", DIAG_ERROR, "", "621", "totalPrice",
	  N_("totalPrice of the order line and the inventory line differ") },
	{ "R-LINE-006", DIAG_ERROR, "", "621", "itemNo",
	  N_("itemNo of the order line and the inventory line differ") },
	{ "R-LINE-007", DIAG_ERROR, "", "621", "country",
	  N_("country of the order line and the inventory line differ") },
	{ "R-LINE-008", DIAG_ERROR, "", "621", "barCode",
	  N_("barCode of the order line and the inventory line differ") },
	{ "R-DUP-001", DIAG_ERROR, "-301010", "311", "",
	  N_("a second, different order with the same ebpCode and orderNo "
	  "(not a modification)") },
	{ "R-DUP-002", DIAG_ERROR, "-401007", "411", "payCode payTransactionId",
	  N_("a second, different payment for the same order or the same "
	  "payCode and payTransactionId") },
	{ "R-DUP-003", DIAG_ERROR, "-504015", "511", "",
	  N_("a second, different waybill with the same logisticsCode and "
	  "logisticsNo") },
	{ "R-DUP-004", DIAG_ERROR, "-621004", "621", "",
	  N_("a second, different inventory for the same order") },
	{ "R-DUP-005", DIAG_ERROR, "-621004", "621", "",
	  N_("the inventory was already passed on by an earlier run") },
	{ "R-CONS-001", DIAG_ERROR, "-301011", "311 411 511 621", "",
	  N_("the counterpart was already matched with another inventory and "
	  "consumed by an earlier run") },
	{ "R-MOD-001", DIAG_INFO, "", "311 411 511 621", "appType",
	  N_("a modification (appType 2) replaced the earlier version") },
	{ "R-DEL-001", DIAG_INFO, "", "311 411 511 621", "appType",
	  N_("a deletion (appType 3) withdrew the waiting document") },
	{ "R-DEL-002", DIAG_WARNING, "-301009", "311 411 511 621", "appType",
	  N_("a deletion (appType 3) found no waiting document to withdraw") },
	{ NULL, 0, NULL, NULL, NULL, NULL }
};

const char *const report_cols[] = { "outcome", "counterpart", "value",
    "counterpart_value", NULL };

const struct rule *
rule_get(const char *id)
{
	const struct rule *r;

	for (r = rules; r->id; r++)
		if (strcmp(r->id, id) == 0)
			return r;
	return NULL;
}

int
rules_list(void)
{
	static const char *const sevs[] = { "info", "warning", "error" };
	static const char *const hdr[] = { "rule", "severity", "types",
	    "fields", "customs_code", "description" };
	const struct rule *r;

	diag_set_quiet(1);	/* no summary line after a listing */
	if (csvio_write_row(stdout, hdr, 6) != 0)
		goto fail;
	for (r = rules; r->id; r++) {
		const char *row[6];

		row[0] = r->id;
		row[1] = sevs[r->sev];
		row[2] = r->types;
		row[3] = r->fields;
		row[4] = r->code;
		row[5] = _(r->desc);
		if (csvio_write_row(stdout, row, 6) != 0)
			goto fail;
	}
	return diag_exit();
fail:
	diag_write_error(_("standard output"));
	return diag_exit();
}

static void
vfinding(const struct rrec *r, const struct flds *f, const char *rule,
    enum diag_sev sev, const char *field, const char *outcome,
    const char *counterpart, const char *value, const char *other,
    const char *fmt, va_list ap)
{
	const struct rmsg *m = &rc.msgs[r->msg];
	struct diag_loc loc;
	const char *extra[5];
	char key[300];

	memset(&loc, 0, sizeof loc);
	loc.source = rc.srcs[m->src];
	loc.message = m->index;
	loc.line = r->line;
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
	const struct rule *ru = rule_get(rule);
	va_list ap;

	va_start(ap, fmt);
	vfinding(r, f, rule, ru ? ru->sev : DIAG_ERROR, field, outcome,
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
