#!/bin/sh
# nightly.sh: the nightly job over one day's directory of CEB messages.
#
#   examples/nightly.sh DAYDIR [WORKDIR]
#
# WORKDIR (default $TMPDIR/cebtools-nightly) keeps the night's outputs and,
# under WORKDIR/state, what carries over to the next night: documents still
# waiting for their counterparts, each buyer's quota ledger, parcels not
# yet written off.  Run it again on the same day and nothing is counted
# twice.  GRACE (days, default 2) is how long a released export parcel may
# wait for its departure.  TRUST (a PEM file or a directory of PEM CA
# certificates) makes validation check every signing certificate against
# those CAs as well.
#
#   1. ceb-cat                merge everything that arrived
#   2. ceb-validate           structure, business rules, signatures;
#                             receipts
#   3. ceb-reconcile          三单对碰: 621 against 311 / 411 / 511
#   4. ceb-quota-check        single and annual limits per buyer
#   5. ceb-manifest-writeoff  舱单核销: export parcels against the manifest
#
# Exit status: the worst status of the steps (0 all passed, 1 findings,
# 2 trouble).
set -u
day=${1:?usage: nightly.sh DAYDIR [WORKDIR]}
work=${2:-${TMPDIR:-/tmp}/cebtools-nightly}
grace=${GRACE:-2}
state=$work/state
mkdir -p "$work/receipts" "$work/summaries" "$state"
worst=0
note() { [ "$1" -gt "$worst" ] && worst=$1; return 0; }

echo "== 1. merging $day"
ceb-cat -r "$work/cat.csv" "$day" >"$work/day.xml"
note $?

echo "== 2. validation (structure, rules, signatures)"
ceb-validate ${TRUST:+--trust "$TRUST"} -r "$work/validate.csv" \
    -R "$work/receipts" "$work/day.xml" >"$work/valid.xml"
note $?

echo "== 3. 三单对碰 (reconciliation)"
ceb-reconcile -s "$state/reconcile" -r "$work/reconcile.csv" \
    "$work/valid.xml" >"$work/reconciled.xml"
note $?

echo "== 4. personal quota"
ceb-quota-check --ledger "$state/quota-ledger.csv.gz" -r "$work/quota.csv" \
    "$work/reconciled.xml" >"$work/accepted.xml"
note $?

echo "== 5. export manifest write-off"
manifests=
for m in "$day"/manifest*.csv "$day"/manifest*.xml; do
	[ -f "$m" ] && manifests="$manifests -m $m"
done
# shellcheck disable=SC2086
ceb-manifest-writeoff -s "$state/writeoff" -g "$grace" $manifests \
    --summary "$work/summaries" -r "$work/writeoff.csv" "$work/valid.xml" \
    >/dev/null
note $?

echo "== findings of the night, by rule and severity"
for r in validate reconcile quota writeoff; do
	[ -f "$work/$r.csv" ] && sed 1d "$work/$r.csv"
done | awk -F, '{ print $9 " " $10 }' | sort | uniq -c
echo "== accepted inventories: $(ceb-cat -q -l -t 621 "$work/accepted.xml" | sed 1d | wc -l)"
echo "== results in $work (exit status $worst)"
exit $worst
