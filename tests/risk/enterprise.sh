#!/bin/sh
# enterprise.sh: the enterprise indicators of ceb-risk (K-ENT-*) over a
# six-night history run as an operator runs it (TAP): each night the
# import leg goes through ceb-reconcile and the export leg through
# ceb-manifest-writeoff (the manifest of the days up to the night), and
# ceb-risk reads the legs' output with their reports (-R).
#  - a clean history (same seed, nothing injected) gives no K-ENT finding;
#  - risk-mismatch-ebc: the e-commerce company whose payments disagree
#    with its orders is found (K-ENT-002, reconciliation findings per
#    1,000 records against its peers), and no agent or logistics company
#    is blamed for mismatches spread over them;
#  - risk-not-departed: the logistics company whose export parcels stay
#    behind is found (K-ENT-009, W-DEP-001 of the write-off report);
#  - both are ranked among the first three of the enterprises;
#  - goods: 30 reconciliation findings on the last night's inventories of
#    one HS code (a report written here) give that code K-GOODS-005, and
#    no other code has a K-GOODS-004..006 finding (the injected
#    mismatches are spread over the codes);
#  - every inventory is one parcel in the store, though ceb-risk reads
#    most of them twice a night (ceb-reconcile and the write-off both pass
#    the night on; reconcile passes a message with a record held back as
#    other bytes than the write-off's copy): 6000 import parcels with
#    6000 keys, 3000 export inventories with 3000 keys.
set -u
LC_ALL=C.UTF-8
export LC_ALL
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
tap_need ceb-gen ceb-risk ceb-reconcile ceb-manifest-writeoff python3 sqlite3
T=$(mktemp -d "${TMPDIR:-/tmp}/risk-ent.XXXXXX") || tap_broken "mktemp failed"
trap 'rm -rf "$T"' EXIT INT TERM
cd "$T" || exit 1
unset CEB_RISK_OPTIONS CEBTOOLS_CONFIG 2>/dev/null || :

days=6
gen="ceb-gen -q -s 7 -n 6000 -e 3000 --days $days --start 20250301"
$gen -o clean -m clean.csv || tap_broken "ceb-gen (clean) failed"
$gen -o inj -m inj.csv -k key.csv -D risk-mismatch-ebc=60 \
    -D risk-not-departed=40 || tap_broken "ceb-gen (injected) failed"
tap_records CEB621 6000 inj
tap_records CEB603 3000 inj
nm=$(grep -c ',risk-mismatch-ebc$' key.csv)
nd=$(grep -c ',risk-not-departed$' key.csv)
[ "$nm" -eq 60 ] && [ "$nd" -eq 40 ] ||
    tap_broken "the key holds $nm risk-mismatch-ebc and $nd risk-not-departed rows, 60 and 40 asked for"

# One history: the nights in turn through both legs and ceb-risk.
history() {
	h=$1
	mkdir -p "$h.out"
	d=1
	while [ $d -le $days ]; do
		day=$((20250300 + d))
		f=$h/day$d.xml
		ceb-reconcile -q -s "$h.rec" --now $day -r "$h.out/rec$d.csv" \
		    "$f" >"$h.out/imp$d.xml" 2>>"$h.err"
		[ $? -le 1 ] || return 1
		# the carrier's manifest as it stands on the night
		awk -F, -v d=$day 'NR == 1 || $3 <= d' "$h.csv" >"$h.out/m$d.csv"
		ceb-manifest-writeoff -q -g 1 -s "$h.woff" --now $day \
		    -m "$h.out/m$d.csv" -r "$h.out/woff$d.csv" "$f" \
		    >"$h.out/exp$d.xml" 2>>"$h.err"
		[ $? -le 1 ] || return 1
		extra=
		[ -f "$h.extra$d.csv" ] && extra="-R $h.extra$d.csv"
		# shellcheck disable=SC2086
		ceb-risk -q --store "$h.db" -R "$h.out/rec$d.csv" $extra \
		    -R "$h.out/woff$d.csv" -r "$h.out/risk$d.csv" \
		    -o "$h.out/rank$d.csv" "$h.out/imp$d.xml" "$h.out/exp$d.xml" \
		    >/dev/null 2>>"$h.err" || return 1
		d=$((d + 1))
	done
}
code=$(python3 "$top/tests/risk/check.py" codereport inj/day$days.xml 30 \
    2>&1 >inj.extra$days.csv) || tap_broken "no report for an HS code"
[ "$(sed 1d inj.extra$days.csv | wc -l)" -eq 30 ] ||
    tap_broken "fewer than 30 inventories of $code on the last night"
history clean || tap_broken "the clean history failed: $(tail -5 clean.err)"
history inj || tap_broken "the injected history failed: $(tail -5 inj.err)"

echo "1..9"
n=$(cat clean.out/risk*.csv | grep -c ',K-ENT-0\|,K-GOODS-00[456],')
if [ "$n" -eq 0 ]; then
	echo "ok 1 - clean history of $days nights: no K-ENT and no K-GOODS-004..006 finding"
else
	echo "not ok 1 - clean history: $n K-ENT findings: $(grep -h ',K-ENT-0' clean.out/risk*.csv | cut -d, -f8-12 | head -5)"
fi

# The injected companies, from the documents the key names.
check="python3 $top/tests/risk/check.py"
ebc=$($check field key.csv risk-mismatch-ebc ebcCode)
lg=$($check field key.csv risk-not-departed logisticsCode)
[ -n "$ebc" ] && [ -n "$lg" ] ||
    tap_broken "the injected companies not found in the batch ('$ebc', '$lg')"
k2=$($check entities K-ENT-002 inj.out/risk*.csv)
if echo " $k2 " | grep -q " ebc:$ebc " &&
    ! echo "$k2" | grep -q 'agent:\|logistics:'; then
	echo "ok 2 - risk-mismatch-ebc: K-ENT-002 names e-commerce company $ebc ($k2), no agent or logistics company"
else
	echo "not ok 2 - risk-mismatch-ebc: K-ENT-002 names '$k2', expected ebc:$ebc"
fi
k9=$($check entities K-ENT-009 inj.out/risk*.csv)
if [ "$k9" = "logistics:$lg" ]; then
	echo "ok 3 - risk-not-departed: K-ENT-009 names logistics company $lg and no other"
else
	echo "not ok 3 - risk-not-departed: K-ENT-009 names '$k9', expected logistics:$lg"
fi
pe=$($check place inj.out/rank$days.csv "$ebc")
pl=$($check place inj.out/rank$days.csv "$lg")
if [ -n "$pe" ] && [ "$pe" -le 3 ] && [ -n "$pl" ] && [ "$pl" -le 3 ]; then
	echo "ok 4 - the last night's enterprises: $lg is number $pl, $ebc number $pe"
else
	echo "not ok 4 - the last night's enterprises: $lg '$pl', $ebc '$pe' (3 at most)"
fi
# Every K-ENT finding is about the two companies or the platform that
# sells for the mismatching one (its findings are its company's).
plat=$($check field key.csv risk-mismatch-ebc ebpCode)
other=$(for r in 001 002 003 004 005 006 007 008 009 010 011; do
	$check entities K-ENT-$r inj.out/risk*.csv; done | tr ' ' '\n' |
    sort -u | grep -v -x -e '' -e "ebc:$ebc" -e "logistics:$lg" -e "platform:$plat")
if [ -z "$other" ]; then
	echo "ok 5 - no other enterprise has a K-ENT finding (platform $plat sells for $ebc)"
else
	echo "not ok 5 - other enterprises with a K-ENT finding: $(echo $other)"
fi

k5=$($check entities K-GOODS-005 inj.out/risk*.csv)
if [ "$k5" = "goods:$code" ]; then
	echo "ok 6 - 30 reconciliation findings on HS code $code: K-GOODS-005 names it and no other code"
else
	echo "not ok 6 - K-GOODS-005 names '$k5', expected goods:$code"
fi
k46=$($check entities K-GOODS-004 inj.out/risk*.csv; $check entities K-GOODS-006 inj.out/risk*.csv)
k11=$($check entities K-ENT-011 inj.out/risk*.csv)
if [ -z "$(echo $k46)" ] && echo " $k11 " | grep -q " ebc:$ebc " &&
    echo " $k11 " | grep -q " logistics:$lg "; then
	echo "ok 7 - no K-GOODS-004/006; per rule (K-ENT-011): $k11"
else
	echo "not ok 7 - K-GOODS-004/006 '$(echo $k46)'; K-ENT-011 '$k11' (ebc:$ebc and logistics:$lg expected)"
fi

# Each inventory counted once, though read twice a night.
p=$(sqlite3 inj.db "SELECT count(*) || '/' || count(DISTINCT key) FROM risk_parcels")
if [ "$p" = 6000/6000 ]; then
	echo "ok 8 - 6000 import inventories: 6000 parcels in the store, one per key"
else
	echo "not ok 8 - parcels/keys in the store: $p (6000/6000 expected)"
fi
x=$(sqlite3 inj.db "SELECT count(*) || '/' || count(DISTINCT key) FROM risk_exports")
if [ "$x" = 3000/3000 ]; then
	echo "ok 9 - 3000 export inventories: 3000 in the store, one per key"
else
	echo "not ok 9 - export inventories/keys in the store: $x (3000/3000 expected)"
fi
