#!/bin/bash
# nightly.sh: the nightly job over one day's directory of CEB messages.
#
#   examples/nightly.sh DAYDIR [OUTDIR]
#
# State that carries over to the next night -- documents still waiting
# for their counterparts, each buyer's quota ledger, parcels not yet
# written off -- lives under $CEBTOOLS_STATE (default /var/lib/cebtools,
# never under TMPDIR):
#   reconcile/    ceb-reconcile --state
#   quota.db      ceb-quota-check --ledger (cebtools-state(5))
#   writeoff/     ceb-manifest-writeoff --state
#   nightly.lock  held for the whole night
# A second night started on the same state while one runs exits at once
# (status 2) and says so.  Intermediate files go to a private directory
# (mktemp -d), removed at the end; the night's results (reports, receipts,
# summaries, the accepted inventories) go to OUTDIR (default
# $CEBTOOLS_STATE/nights/DAY-TIME).  Run it again over the same day and
# nothing is counted twice; run it over another batch the same day and it
# is the next run (the tools know a run by its input).  GRACE (days,
# default 2) is how long a released export parcel may wait for its
# departure.  TRUST (a PEM file or a directory of PEM CA certificates)
# makes validation check every signing certificate against those CAs as
# well.  PAYER_IS_BUYER (default 1) is the platform's payment policy: 1
# passes ceb-reconcile -p (the payer must be the buyer, as most platforms
# require), 0 does not.
#
# Every line the script itself logs starts with the time (YYYY-MM-DD
# HH:MM:SS +ZONE); the tools' findings follow their own format.  The
# systemd timer and the cron.d example run it through cebtools-nightly
# (examples/systemd, examples/cron.d, cebtools(7)).
#
#   1. ceb-cat                merge everything that arrived
#   2. ceb-validate           structure, business rules, signatures;
#                             receipts
#   3. ceb-reconcile          三单对碰: 621 against 311 / 411 / 511
#   4. ceb-quota-check        single and annual limits per buyer
#   5. ceb-manifest-writeoff  舱单核销: export parcels against the manifest
#
# Exit status, one for the night: the worst of the steps (0 all passed,
# 1 findings, 2 trouble: a step could not run or a pipeline broke).
set -u
set -o pipefail
. "$(dirname "$0")/night-common.sh" || exit 2
day=${1:?usage: nightly.sh DAYDIR [OUTDIR]}
night_settings nightly.sh
night_start nightly.sh "$day"

out=${2:-$state/nights/$(basename "$day")-$(date +%Y%m%dT%H%M%S)}
mkdir -p "$out/receipts" "$out/summaries" || exit 2
work=$(mktemp -d "${TMPDIR:-/tmp}/cebtools-nightly.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
trap 'exit 2' INT TERM HUP

log "== 1. merging $day"
ceb-cat -r "$out/cat.csv" "$day" >"$work/day.xml"
note $?

log "== 2. validation (structure, rules, signatures)"
ceb-validate ${TRUST:+--trust "$TRUST"} -r "$out/validate.csv" \
    -R "$out/receipts" "$work/day.xml" >"$work/valid.xml"
note $?

log "== 3. 三单对碰 (reconciliation)"
ceb-reconcile $payer -s "$state/reconcile" -r "$out/reconcile.csv" \
    "$work/valid.xml" >"$work/reconciled.xml"
note $?

log "== 4. personal quota"
ceb-quota-check --ledger "$state/quota.db" -r "$out/quota.csv" \
    "$work/reconciled.xml" >"$out/accepted.xml"
note $?

log "== 5. export manifest write-off"
manifests=()
for m in "$day"/manifest*.csv "$day"/manifest*.xml; do
	[ -f "$m" ] && manifests+=(-m "$m")
done
ceb-manifest-writeoff -s "$state/writeoff" -g "$grace" "${manifests[@]}" \
    --summary "$out/summaries" -r "$out/writeoff.csv" "$work/valid.xml" \
    >/dev/null
note $?

night_end "$out"
