#!/bin/sh
# tests/bench/ceb-manifest-writeoff.sh: ceb-manifest-writeoff on
# BENCH_WRITEOFF_PARCELS export parcels (default 100,000) with their
# manifests (MT2x01/MT4x01 XML and the CSV), from ceb-gen.  Printed, each
# with time, throughput and peak RSS:
#   ceb-cat          reading and writing the batch (the baseline: parsing
#                    every document once and copying it);
#   writeoff         one night: batch, XML and CSV manifests, report;
#   night1/night2    the same parcels over two nights with --state: night 1
#                    without the manifests (every parcel carried over),
#                    night 2 with them (every parcel written off);
#   fifth            a fifth of the parcels: memory follows the parcels...
#   plus-import      ...and not the bytes: the same export parcels with an
#                    import batch twice their size mixed in;
#   size-N           for each N of BENCH_WRITEOFF_SERIES (default 10000
#                    and 100000; add 300000 for a large run): N parcels,
#                    nearly all written off, against ceb-cat on the same
#                    batch (cat-N), with peak RSS, bytes per parcel above
#                    ceb-cat's and the ratio of the two peaks;
#   budget-N         the same N with --memory BENCH_WRITEOFF_BUDGET
#                    (default 64M): records past the budget go to the spill
#                    file; peak RSS against the budget, time against size-N,
#                    and whether the report is the same as size-N's;
#   unresolved-N     the same N with 10% of the parcels not departed
#                    (carried over in --state), in memory and within the
#                    budget (unresolved-N-budget); for each other rate P
#                    of BENCH_WRITEOFF_OPEN (default "10%"; e.g.
#                    "10% 30% 60%") unresolved-P-N: peak RSS against the
#                    unresolved parcels (issue 15: memory follows them,
#                    not the night), bytes of RSS per unresolved parcel;
#                    then, for each N, the least-squares line of peak
#                    RSS against the unresolved parcels (size-N and
#                    each unresolved-P-N): its slope in bytes an
#                    unresolved parcel and its intercept against ceb-cat
#                    (issue 15's target: a positive slope, an intercept
#                    near ceb-cat; a flat or falling line means memory
#                    follows the night).
# Benchmarks measure, they do not judge: no row passes or fails.
set -u
LC_ALL=C.UTF-8
export LC_ALL
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ -n "${BENCH_LIB:-}" ]; then
	. "$BENCH_LIB"
else
	. "$top/tests/bench/_lib.sh"
fi
n=${BENCH_WRITEOFF_PARCELS:-100000}
if [ -n "${BENCH_DIR:-}" ]; then
	D=$BENCH_DIR
	mkdir -p "$D"
else
	D=$(mktemp -d "${TMPDIR:-/tmp}/bench-writeoff.XXXXXX") || exit 1
	trap 'rm -rf "$D"' EXIT INT TERM
fi
cd "$D" || exit 1
T=ceb-manifest-writeoff
echo "== $T: $n export parcels with their manifests"
gen() {	# gen PARCELS IMPORT PREFIX
	ceb-gen -s 41 -e "$1" -n "$2" --split 1000 -x "$3.man.xml" \
	    -m "$3.man.csv" -o "$3.xml" 2>"$3.gen"
}
gen "$n" 0 all
gen $((n / 5)) 0 fifth
gen "$n" $((n * 2)) mixed
msgs() { sed -n 's/^ceb-gen: \([0-9]*\) messages.*/\1/p' "$1"; }
bytes() { wc -c <"$1" | tr -d ' '; }
M=$(msgs all.gen)
B=$(bytes all.xml)

bench_measure cat ceb-cat -q all.xml
bench_row "$T" ceb-cat - "$M" "$B"
bench_measure one $T -q --now 20250310 -g 0 -m all.man.xml -m all.man.csv \
    -r one.csv all.xml
bench_row "$T" writeoff ceb-cat "$M" "$B"
rss_one=$BENCH_RSS
bench_measure n1 $T -q --now 20250301 -s st all.xml
bench_row "$T" night1 ceb-cat "$M" "$B" "all $n parcels carried over"
bench_measure n2 $T -q --now 20250302 -s st -m all.man.xml \
    -m all.man.csv -r n2.csv all.xml
bench_row "$T" night2 ceb-cat "$M" "$B" "state read and emptied"
bench_measure fifth $T -q --now 20250310 -g 0 -m fifth.man.xml \
    -m fifth.man.csv -r fifth.csv fifth.xml
bench_row "$T" fifth ceb-cat "$(msgs fifth.gen)" "$(bytes fifth.xml)" \
    "$((n / 5)) parcels"
rss_fifth=$BENCH_RSS
bench_measure mixed $T -q --now 20250310 -g 0 -m mixed.man.xml \
    -m mixed.man.csv -r mixed.csv mixed.xml
bench_row "$T" plus-import ceb-cat "$(msgs mixed.gen)" "$(bytes mixed.xml)" \
    "$n export parcels + $((n * 2)) import"
rss_mixed=$BENCH_RSS
echo "$T: written off $(grep -c ',W-OFF-001,' one.csv) of $n;" \
    "peak RSS $rss_one KiB for $n parcels ($((rss_one * 1024 / n)) B/parcel)," \
    "$rss_fifth KiB for $((n / 5)), $rss_mixed KiB with the import batch mixed in"
echo "$T: state after night 1: $(du -sk st | cut -f1) KiB;" \
    "after night 2: $(sqlite3 st/state.db 'SELECT count(*) FROM wo_parcels') open parcels"

# Memory against the night's parcels: written off, or 10% left open.
for sn in ${BENCH_WRITEOFF_SERIES:-10000 100000}; do
	ceb-gen -s 43 -e "$sn" -n 0 --split 1000 -x "s$sn.man.xml" \
	    -m "s$sn.man.csv" -o "s$sn.xml" 2>"s$sn.gen"
	bench_measure "cat$sn" ceb-cat -q "s$sn.xml"
	bench_row "$T" "cat-$sn" - "$(msgs "s$sn.gen")" "$(bytes "s$sn.xml")"
	rc=$BENCH_RSS
	bench_measure "size$sn" $T -q --now 20250310 -g 0 -m "s$sn.man.xml" \
	    -m "s$sn.man.csv" -r "size$sn.csv" "s$sn.xml"
	bench_row "$T" "size-$sn" "cat-$sn" "$(msgs "s$sn.gen")" \
	    "$(bytes "s$sn.xml")" "$sn parcels"
	rw=$BENCH_RSS sw=$BENCH_SECS
	echo "$T: $sn parcels, $(grep -c ',W-OFF-001,' "size$sn.csv") written" \
	    "off: peak RSS $rw KiB, ceb-cat $rc KiB;" \
	    "$(( (rw - rc) * 1024 / sn )) B/parcel above ceb-cat;" \
	    "peak ratio $(echo "$rw $rc" | awk '{ printf "%.2f", $1 / $2 }')"
	bud=${BENCH_WRITEOFF_BUDGET:-64M}
	bench_measure "budget$sn" $T -q --memory "$bud" --now 20250310 -g 0 \
	    -m "s$sn.man.xml" -m "s$sn.man.csv" -r "budget$sn.csv" "s$sn.xml"
	bench_row "$T" "budget-$sn" "size-$sn" "$(msgs "s$sn.gen")" \
	    "$(bytes "s$sn.xml")" "$sn parcels, --memory $bud"
	same=differs
	cmp -s "size$sn.csv" "budget$sn.csv" && same="is the same"
	echo "$T: $sn parcels within --memory $bud: peak RSS $BENCH_RSS KiB" \
	    "(in memory $rw KiB), $BENCH_SECS s (in memory $sw s);" \
	    "the report $same"
	rm -f "s$sn.xml"
	# unresolved parcels:peak RSS KiB, size-N's first (its parcels not
	# written off; it keeps no state to count them in)
	pts="$((sn - $(grep -c ',W-OFF-001,' "size$sn.csv"))):$rw"
	for pct in ${BENCH_WRITEOFF_OPEN:-10%}; do
	p=${pct%%%}
	u=u$p-$sn
	case=unresolved-$sn
	[ "$p" = 10 ] || case=unresolved-$p%-$sn
	ceb-gen -s 43 -e "$sn" -n 0 --split 1000 -x "$u.man.xml" \
	    -m "$u.man.csv" -o "$u.xml" --exp-not-departed="$pct" \
	    2>"$u.gen"
	rm -rf "st$u"
	bench_measure "unres$u" $T -q --now 20250310 -s "st$u" \
	    -m "$u.man.xml" -m "$u.man.csv" -r "unres$u.csv" "$u.xml"
	bench_row "$T" "$case" "cat-$sn" "$(msgs "$u.gen")" \
	    "$(bytes "$u.xml")" "$sn parcels, $pct not departed"
	ru=$BENCH_RSS
	open=$(sqlite3 "st$u/state.db" "SELECT count(*) FROM wo_parcels")
	echo "$T: $sn parcels, $pct open: peak RSS $ru KiB" \
	    "($(( (ru - rc) * 1024 / sn )) B/parcel above ceb-cat);" \
	    "$open parcels carried over, state $(du -sk "st$u" | cut -f1) KiB" \
	    "($(( $(du -sk "st$u" | cut -f1) * 1024 / (open > 0 ? open : 1) )) B" \
	    "a carried-over parcel on disk)"
	# Issue 15: memory follows the unresolved parcels, not the night.
	echo "$T: $sn parcels, $open unresolved: peak RSS $ru KiB against" \
	    "$rw KiB with every parcel written off (size-$sn):" \
	    "$(( (ru - rw) * 1024 / (open > 0 ? open : 1) )) B of RSS an" \
	    "unresolved parcel beyond the night's;" \
	    "$(( (ru - rc) * 1024 / (open > 0 ? open : 1) )) B above ceb-cat" \
	    "an unresolved parcel"
	pts="$pts $open:$ru"
	rm -rf "stb$u"
	bench_measure "unresb$u" $T -q --memory "$bud" --now 20250310 \
	    -s "stb$u" -m "$u.man.xml" -m "$u.man.csv" \
	    -r "unresb$u.csv" "$u.xml"
	bench_row "$T" "$case-budget" "$case" \
	    "$(msgs "$u.gen")" "$(bytes "$u.xml")" \
	    "$sn parcels, $pct not departed, --memory $bud"
	same=differs
	cmp -s "unres$u.csv" "unresb$u.csv" &&
	    [ "$(sh "$top/tests/state-dump.sh" "st$u/state.db")" = \
	    "$(sh "$top/tests/state-dump.sh" "stb$u/state.db")" ] &&
	    same="are the same"
	echo "$T: $sn parcels, $pct open, within --memory $bud: peak RSS" \
	    "$BENCH_RSS KiB (in memory $ru KiB); report and state $same"
	rm -rf "$u.xml" "st$u" "stb$u"
	done
	# Issue 15's target, peak RSS against the unresolved parcels: the
	# least-squares line through (unresolved, peak RSS) of size-N and
	# every unresolved-P-N.  Proportional means a positive slope (bytes
	# an unresolved parcel) and an intercept near ceb-cat's peak.
	echo "$pts" | tr ' ' '\n' | awk -F: -v T="$T" -v sn="$sn" -v rc="$rc" '
	    NF == 2 { n++; x += $1; y += $2; xx += $1 * $1; xy += $1 * $2
		l = l sprintf(" %d:%d", $1, $2) }
	    END { d = n * xx - x * x
		if (n < 2 || d == 0) exit
		b = (n * xy - x * y) / d; a = (y - b * x) / n
		printf "%s: %s parcels, peak RSS KiB against unresolved " \
		    "parcels:%s; slope %.0f B an unresolved parcel, " \
		    "intercept %.0f KiB (ceb-cat %d KiB)\n", T, sn, l,
		    b * 1024, a, rc }'
done
