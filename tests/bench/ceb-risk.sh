#!/bin/sh
# ceb-risk.sh: the make bench section of ceb-risk (风险分析和布控).
# tests/bench.sh runs it with the built tools on PATH and BENCH_DIR,
# BENCH_LIB set; it also runs alone (sh tests/bench/ceb-risk.sh).
#
# 1. accuracy: BENCH_RISK_N import parcels (default 100000) and half as
#    many export parcels over 7 nights, every risk- kind of ceb-gen
#    injected (its answer key); each night as an operator runs it:
#    ceb-reconcile (import), ceb-manifest-writeoff (export, the manifest
#    as it stands that night), then ceb-risk -R both reports.  The
#    entities are ranked over the week (the sum of their scores over the
#    7 runs); the injected entities are: the entities ceb-risk's findings
#    of a goods or splitting kind's indicators name on the kind's key
#    records; the e-commerce company of risk-mismatch-ebc; the logistics
#    company of risk-not-departed.  Prints how many key records of each
#    kind have a finding of their kind, and precision and recall at the
#    top 20, 50 and 100.  A key record without one could not be told on
#    its own night (every miss of the 10,000-parcel batch checked in the
#    store): a ring's parcel that came while its address and telephone
#    had fewer distinct buyers than K-SPLIT-001/002's threshold (4), an
#    under-limit parcel before its buyer had K-SPLIT-004's (3), an
#    odd-weight line on a night when its code had fewer one-line
#    inventories than K-GOODS-002's min_n (30: the first night); the
#    ring's address and the buyer are found on a later night.  A split
#    basket is made on one day (ceb-gen(1)), so all of it is found.
# 2. false alarms: the same batch without the injected patterns (same
#    seed, same background): the entities that cross any threshold, per
#    dimension.
# 3. the night's update: a history of BENCH_RISK_HISTORY parcels
#    (default 1000000) over 7 nights in the store, then one night of
#    BENCH_RISK_NIGHT (default 100000) with -o and --html: CPU seconds and
#    peak RSS (target of issue 21: 2 minutes CPU, 500 MB), beside ceb-cat
#    on the same night (the baseline: reading and passing on the
#    messages), and the same night after one night of history only (how
#    the update grows with the history).
# The sizes can be scaled down (the machine's disk and time): the section
# prints the sizes it ran, and says so when they are below the issue's.
# Only measures, never judges.
set -u
LC_ALL=C.UTF-8
export LC_ALL
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "${BENCH_LIB:-$top/tests/bench/_lib.sh}"
n=${BENCH_RISK_N:-100000}
hist=${BENCH_RISK_HISTORY:-1000000}
night=${BENCH_RISK_NIGHT:-100000}
if [ -n "${BENCH_DIR:-}" ]; then
	d=$BENCH_DIR
else
	d=$(mktemp -d "${TMPDIR:-/tmp}/bench-risk.XXXXXX") || exit 2
	trap 'rm -rf "$d"' EXIT INT TERM
fi
for t in ceb-gen ceb-cat ceb-reconcile ceb-manifest-writeoff ceb-risk \
    python3; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "== ceb-risk: skipped ($t not found)"
		exit 0
	fi
done
[ "$n" -lt 100000 ] &&
    echo "== ceb-risk: SCALED DOWN: accuracy on $n parcels, not the issue's 100000"
[ "$hist" -lt 1000000 ] || [ "$night" -lt 100000 ] &&
    echo "== ceb-risk: SCALED DOWN: night update on a $hist-parcel history and a $night-parcel night, not the issue's 1000000 and 100000"
check="python3 $top/tests/risk/check.py"

# --- 1 and 2: accuracy, false alarms -----------------------------------
days=7
e=$((n / 2))
k=$((n / 2000 + 1))	# parcels of each goods and splitting kind
gen="ceb-gen -q -s 11 -n $n -e $e --days $days --start 20250301"
$gen -o "$d/clean" -m "$d/clean.csv" || exit 2
$gen -o "$d/inj" -m "$d/inj.csv" -k "$d/key.csv" \
    -D risk-undervalued=$k -D risk-weight=$k -D risk-origin=$k \
    -D risk-ring=$((k * 2)) -D risk-split-basket=$k -D risk-under-limit=$k \
    -D risk-mismatch-ebc=$((n / 100)) -D risk-not-departed=$((e / 50)) ||
    exit 2
# history H: the nights of batch H in turn (a script of its own, so that
# bench_measure times all of it).
cat >"$d/history.sh" <<'EOF'
d=$1 h=$2 days=$3
mkdir -p "$d/$h.out"
i=1
while [ $i -le $days ]; do
	day=$((20250300 + i))
	f=$d/$h/day$i.xml
	o=$d/$h.out
	ceb-reconcile -q -s "$d/$h.rec" --now $day -r "$o/rec$i.csv" \
	    "$f" >"$o/imp$i.xml" 2>>"$d/$h.err"
	awk -F, -v t=$day 'NR == 1 || $3 <= t' "$d/$h.csv" >"$o/m$i.csv"
	ceb-manifest-writeoff -q -g 1 -s "$d/$h.woff" --now $day \
	    -m "$o/m$i.csv" -r "$o/woff$i.csv" "$f" \
	    >"$o/exp$i.xml" 2>>"$d/$h.err"
	ceb-risk -q --store "$d/$h.db" -R "$o/rec$i.csv" \
	    -R "$o/woff$i.csv" -r "$o/risk$i.csv" -o "$o/rank$i.csv" \
	    "$o/imp$i.xml" "$o/exp$i.xml" >/dev/null 2>>"$d/$h.err"
	rm -f "$o/imp$i.xml" "$o/exp$i.xml"
	i=$((i + 1))
done
EOF
echo "== ceb-risk: accuracy, $n import and $e export parcels over $days nights"
bench_measure "$d/acc" sh "$d/history.sh" "$d" inj $days
bench_row ceb-risk accuracy-week - "$n" 0 \
    "7 nights through reconcile + write-off + ceb-risk"
$check bench "$d/key.csv" "$d/inj" "$d/inj.out" 20 50 100
echo "== ceb-risk: false alarms on the clean history"
sh "$d/history.sh" "$d" clean $days
$check alarms "$d/clean.out"

# --- 3: the night's update ---------------------------------------------
per=$((hist / days))
echo "== ceb-risk: night update, $night parcels after $hist ($days nights of $per)"
i=1
while [ $i -le $days ]; do
	ceb-gen -q -s $((100 + i)) -n $per --start $((20250400 + i)) \
	    -o "$d/h.xml" || exit 2
	ceb-risk -q --store "$d/big.db" "$d/h.xml" >/dev/null 2>>"$d/big.err"
	[ $i -eq 1 ] && cp "$d/big.db" "$d/one.db"
	rm -f "$d/h.xml"
	i=$((i + 1))
done
ceb-gen -q -s 200 -n $night --start 20250408 -o "$d/night.xml" || exit 2
bytes=$(wc -c <"$d/night.xml" | tr -d ' ')
bench_measure "$d/cat" ceb-cat -q "$d/night.xml"
bench_row ceb-risk "ceb-cat night" - "$night" "$bytes" "baseline: read and pass on"
cp "$d/one.db" "$d/one2.db"
bench_measure "$d/one" ceb-risk -q --store "$d/one2.db" -o "$d/r1.csv" \
    --html "$d/r1.html" "$d/night.xml"
bench_row ceb-risk "night after 1 night" "ceb-cat night" "$night" "$bytes" \
    "history $per parcels"
bench_measure "$d/big" ceb-risk -q --store "$d/big.db" -o "$d/r7.csv" \
    --html "$d/r7.html" "$d/night.xml"
bench_row ceb-risk "night after $days nights" "ceb-cat night" "$night" \
    "$bytes" "history $hist parcels; store $(($(wc -c <"$d/big.db") / 1048576)) MB"
echo "  the night's update: $BENCH_CPU s CPU, peak $((BENCH_RSS / 1024)) MB (issue 21: 120 s, 500 MB)"
exit 0
