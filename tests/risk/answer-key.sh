#!/bin/sh
# answer-key.sh: ceb-risk over a two-night history of ceb-gen batches (TAP).
#  - night 1 (3000 parcels, clean) is the history; night 2 (1000 parcels)
#    comes clean into one copy of the store and with every risk- pattern
#    injected into another (same seeds: the same background, the patterns
#    drawn from a random stream of their own);
#  - for each kind, the new findings of its indicator are exactly the
#    key's records; the injected entities hold the top of the ranking;
#  - on the clean night: no goods and no K-SPLIT-001..004 false alarm;
#  - a rerun is the same run (same report, same ranking, nothing counted
#    again); a document delivered again in a new run is not counted twice;
#  - a small sample gives no goods finding; --explain names the records,
#    masked; every message passes through as ceb-cat would pass it.
set -u
LC_ALL=C.UTF-8
export LC_ALL
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
tap_need ceb-gen ceb-risk ceb-cat python3 sqlite3
check="python3 $top/tests/risk/check.py"
T=$(mktemp -d "${TMPDIR:-/tmp}/risk-key.XXXXXX") || tap_broken "mktemp failed"
trap 'rm -rf "$T"' EXIT INT TERM
cd "$T" || exit 1
unset CEB_RISK_OPTIONS CEBTOOLS_CONFIG 2>/dev/null || :

inject="-D risk-undervalued=5 -D risk-weight=4 -D risk-origin=4 \
    -D risk-ring=10 -D risk-split-basket=6 -D risk-under-limit=6"
ceb-gen -q -s 1 -n 3000 --start 20250301 -o n1.xml ||
    tap_broken "ceb-gen night 1 failed"
ceb-gen -q -s 2 -n 1000 --start 20250302 -o n2c.xml ||
    tap_broken "ceb-gen night 2 (clean) failed"
# shellcheck disable=SC2086
ceb-gen -q -s 2 -n 1000 --start 20250302 -o n2.xml -k key.csv $inject ||
    tap_broken "ceb-gen night 2 (injected) failed"
tap_records CEB621 3000 n1.xml
tap_records CEB621 1000 n2.xml
[ "$(sed 1d key.csv | wc -l)" -eq 35 ] ||
    tap_broken "the key holds $(sed 1d key.csv | wc -l) rows, 35 asked for"

echo "1..16"
ceb-risk -q --store c.db n1.xml >out1.xml 2>err1
st=$?
ceb-cat -q n1.xml >cat1.xml
if [ $st -eq 0 ] && cmp -s cat1.xml out1.xml; then
	echo "ok 1 - night 1: exit 0, every message passed through as ceb-cat passes it (marked with its origin)"
else
	echo "not ok 1 - night 1: exit $st, output differs: $(head -c 300 err1)"
fi
cp c.db i.db
ceb-risk -q --store c.db -r clean.csv -o clean-rank.csv n2c.xml >/dev/null 2>err2c
st1=$?
ceb-risk -q --store i.db -r inj.csv -o rank.csv n2.xml >/dev/null 2>err2
st2=$?
[ $st1 -eq 0 ] && [ $st2 -eq 0 ] ||
    tap_broken "night 2: exit $st1 (clean), $st2 (injected): $(cat err2c err2)"

$check key key.csv clean.csv inj.csv 2		# tests 2..7

set -- $($check top key.csv inj.csv rank.csv)
if [ "$3" = 0 ] && awk -v s="$2" 'BEGIN { exit !(s >= 0.8) }'; then
	echo "ok 8 - the $1 injected entities are ranked, and hold $2 of the top $1 places"
else
	echo "not ok 8 - $3 of the $1 injected entities not ranked; they hold $2 of the top $1"
fi

g=$($check count clean.csv K-GOODS-)
s=$($check count clean.csv K-SPLIT-00)
s5=$($check count clean.csv K-SPLIT-005)
if [ "$g" -eq 0 ] && [ "$((s - s5))" -eq 0 ]; then
	echo "ok 9 - clean night: no goods and no K-SPLIT-001..004 finding ($s5 K-SPLIT-005, buyers who really split)"
else
	echo "not ok 9 - clean night: $g goods findings, $((s - s5)) K-SPLIT-001..004"
fi

# A rerun: the same input is the same run.
before=$(sqlite3 i.db 'SELECT count(*) FROM risk_goods; SELECT count(*) FROM risk_parcels' | tr '\n' ' ')
ceb-risk -q --store i.db -r inj2.csv -o rank2.csv n2.xml >/dev/null 2>err3
st=$?
after=$(sqlite3 i.db 'SELECT count(*) FROM risk_goods; SELECT count(*) FROM risk_parcels' | tr '\n' ' ')
note=$(sqlite3 i.db "SELECT note FROM runs ORDER BY id DESC LIMIT 1")
if [ $st -eq 0 ] && cmp -s inj.csv inj2.csv && cmp -s rank.csv rank2.csv &&
    [ "$before" = "$after" ] && [ "$note" = rerun ]; then
	echo "ok 10 - rerun: same report, same ranking, nothing counted again ($after rows)"
else
	echo "not ok 10 - rerun: exit $st, rows $before -> $after, note '$note'"
fi

# Night 2 again beside a new small night: night 2's documents are known.
ceb-gen -q -s 4 -n 20 --start 20250303 -o n3.xml || tap_broken "ceb-gen night 3 failed"
n3=$(ceb-cat -q -l n3.xml | awk -F, 'NR > 1 && $4 == "CEB621"' | wc -l)
ceb-risk -q --store i.db n2.xml n3.xml >/dev/null 2>err4
st=$?
added=$(sqlite3 i.db 'SELECT count(*) FROM risk_parcels WHERE run = (SELECT max(id) FROM runs)')
if [ $st -eq 0 ] && [ "$added" -eq "$n3" ]; then
	echo "ok 11 - night 2 delivered again with night 3: only night 3's $n3 parcels counted"
else
	echo "not ok 11 - exit $st, $added parcels counted, night 3 has $n3"
fi

# A small sample says nothing about goods.
ceb-gen -q -s 5 -n 20 --start 20250301 -o small.xml -D risk-undervalued=2 ||
    tap_broken "ceb-gen small failed"
ceb-risk -q --store small.db -r small.csv small.xml >/dev/null 2>err5
st=$?
g=$($check count small.csv K-GOODS-)
if [ $st -eq 0 ] && [ "$g" -eq 0 ]; then
	echo "ok 12 - 20 parcels: fewer lines than min_n, no goods finding"
else
	echo "not ok 12 - 20 parcels: exit $st, $g goods findings"
fi

# --explain: every record behind a ring's address, masked.
ent=$(awk -F, 'NR > 1 && $3 ~ /^address:/ { print $3; exit }' rank.csv)
ceb-risk --store i.db --explain "$ent" >explain.txt 2>err6
st=$?
recs=$(grep -c 'K-SPLIT-001\|buyer IDs ship' explain.txt)
if [ $st -eq 0 ] && [ -n "$ent" ] && [ "$recs" -ge 5 ] &&
    ! grep -q '[0-9]\{17\}[0-9X]' explain.txt; then
	echo "ok 13 - --explain $ent: the indicator and its $((recs - 1)) records, ID numbers masked"
else
	echo "not ok 13 - --explain '$ent': exit $st, $recs lines: $(head -c 300 explain.txt err6)"
fi
ceb-risk --store i.db --explain nobody >/dev/null 2>err7
st=$?
if [ $st -eq 2 ] && grep -q 'nobody' err7; then
	echo "ok 14 - --explain of an entity never scored: exit 2, named"
else
	echo "not ok 14 - --explain nobody: exit $st"
fi

# The store keeps no personal data in clear.
ids=$(sqlite3 i.db "SELECT count(*) FROM risk_parcels WHERE buyer_m GLOB '*[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]*' OR length(buyer) != 20")
if [ "$ids" -eq 0 ]; then
	echo "ok 15 - the store holds buyer IDs as keyed digests and masked text only"
else
	echo "not ok 15 - $ids parcels keep more of the buyer ID"
fi

# -r -: the report on standard output, no messages.
ceb-risk -q --store i.db -r - n2.xml >stdout.csv 2>err8
st=$?
if [ $st -eq 0 ] && head -1 stdout.csv | grep -q '^tool,source' &&
    ! grep -q '<?xml\|<ceb:' stdout.csv; then
	echo "ok 16 - -r -: the report on standard output instead of the messages"
else
	echo "not ok 16 - -r -: exit $st"
fi
