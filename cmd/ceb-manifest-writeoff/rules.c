/*
 * rules.c: the rule catalogue of ceb-manifest-writeoff.  Every outcome of
 * the write-off -- good or bad -- is a finding with a stable rule ID, so
 * the report holds one row per inventory and per manifest entry.  The
 * customs manifest system and the CEB platform publish no error codes for
 * write-off, so no customs code column is filled.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "csvio.h"
#include "diag.h"
#include "i18n.h"
#include "wo.h"

const struct wo_rule wo_rules[] = {
	{ "W-OFF-001", "info", "written-off",
	  N_("parcel written off: released inventory (604 800/899) on a "
	  "departure (509) or on a master bill the manifest loaded") },
	{ "W-OFF-002", "info", "already-done",
	  N_("parcel already judged in an earlier run (rerun or resend); "
	  "nothing counted again") },
	{ "W-PND-001", "info", "pending",
	  N_("parcel waiting, within the grace period, for its inventory, "
	  "release or departure") },
	{ "W-PND-002", "info", "pending-split",
	  N_("parcel waiting for the missing parts of a split 607/509") },
	{ "W-REL-001", "error", "left-undeclared",
	  N_("over-shipment: parcel on a 607, 509 or manifest with no export "
	  "inventory after the grace period") },
	{ "W-REL-002", "error", "left-unreleased",
	  N_("over-shipment: parcel left but its inventory was not released "
	  "after the grace period") },
	{ "W-REL-003", "error", "left-rejected",
	  N_("over-shipment: parcel left although its inventory was rejected "
	  "(returnStatus 100 or another terminal status)") },
	{ "W-DEP-001", "error", "not-departed",
	  N_("under-shipment: released inventory on no departure after the "
	  "grace period; needs a later departure or a cancel (605)") },
	{ "W-CAN-001", "info", "cancelled",
	  N_("inventory cancelled (605 accepted by 606 returnStatus 399) "
	  "before its parcel left: final, not an under-shipment") },
	{ "W-CAN-002", "error", "left-cancelled",
	  N_("parcel left (departure or manifest) although its inventory "
	  "was cancelled (605/606 399)") },
	{ "W-CAN-003", "warning", "cancelled-on-bill",
	  N_("inventory cancelled before its parcel left, but the parcel is "
	  "still on a 607 bill (amend the bill)") },
	{ "W-DUP-001", "error", "duplicate",
	  N_("one logisticsNo on two master bills or voyages") },
	{ "W-DUP-002", "error", "duplicate",
	  N_("one invtNo on two inventories") },
	{ "W-DUP-003", "error", "duplicate",
	  N_("one logisticsNo declared by two inventories (different "
	  "agentCode/copNo)") },
	{ "W-DUP-004", "error", "duplicate",
	  N_("one invtNo in two summary applications (701)") },
	{ "W-TOT-001", "error", "weight-mismatch",
	  N_("607 grossWeight of a bill differs from the sum of its "
	  "inventories beyond --tolerance") },
	{ "W-TOT-002", "error", "weight-mismatch",
	  N_("manifest gross weight of a bill, bag or parcel differs from "
	  "its inventories beyond --tolerance") },
	{ "W-TOT-003", "warning", "pieces-mismatch",
	  N_("manifest pieces differ from the big bags (or packages) of the "
	  "bill") },
	{ "W-TOT-004", "error", "weight-mismatch",
	  N_("inventory grossWeight of a parcel differs from its 505 waybill "
	  "or its manifest house row beyond --tolerance") },
	{ "W-SPL-001", "error", "missing-part",
	  N_("split 607/509: a part of 1..msgCount still missing after the "
	  "grace period") },
	{ "W-SPL-002", "error", "split-inconsistent",
	  N_("split 607/509: msgSeqNo outside 1..msgCount, or msgCount "
	  "differs between parts") },
	{ "W-MAN-001", "info", "matched",
	  N_("manifest entry joined to CEB data (at parcel, bag or master "
	  "level)") },
	{ "W-MAN-002", "warning", "no-607",
	  N_("manifest bill declared in no 607 after the grace period (not "
	  "cross-border e-commerce, or the 607 is missing)") },
	{ "W-MAN-003", "error", "not-declared",
	  N_("manifest house is neither a parcel nor a big bag of its "
	  "bill's 607") },
	{ "W-MAN-004", "info", "pending",
	  N_("manifest entry waiting, within the grace period, for its 607") },
	{ "W-MAN-005", "warning", "other-voyage",
	  N_("manifest bill is on another voyage than in its 607") },
	{ "W-MAN-006", "error", "unusable",
	  N_("manifest entry without master bill, journey or known transport "
	  "mode") },
	{ "W-MAN-007", "warning", "unusable",
	  N_("manifest pieces or gross weight that is not a number: not "
	  "compared with the declared totals") },
	{ "W-FMT-001", "error", "unusable",
	  N_("inventory without logisticsNo") },
	{ "W-FMT-002", "error", "unusable",
	  N_("inventory or 607 bill whose grossWeight is missing or not a "
	  "decimal number: counted as 0 kg in the totals") },
	{ "W-SUM-001", "info", "summarised",
	  N_("draft summary application (701) written for written-off "
	  "inventories") },
	{ "W-SUM-002", "warning", "not-summarised",
	  N_("written-off inventory with statisticsFlag B but no invtNo: "
	  "cannot be summarised yet") },
	{ NULL, NULL, NULL, NULL }
};

const struct wo_rule *
rule_get(const char *id)
{
	const struct wo_rule *r;

	for (r = wo_rules; r->id; r++)
		if (strcmp(r->id, id) == 0)
			return r;
	return NULL;
}

int
rules_list(void)
{
	static const char *const hdr[] = { "rule", "severity", "outcome",
	    "customs_code", "description" };
	const struct wo_rule *r;
	const char *row[5];

	if (csvio_write_row(stdout, hdr, 5) != 0)
		goto fail;
	for (r = wo_rules; r->id; r++) {
		row[0] = r->id;
		row[1] = r->severity;
		row[2] = r->outcome;
		row[3] = "";
		row[4] = _(r->text);
		if (csvio_write_row(stdout, row, 5) != 0)
			goto fail;
	}
	return 0;
fail:
	diag_write_error(_("standard output"));
	return -1;
}
