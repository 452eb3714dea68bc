#!/bin/sh
# ceb-reconcile.sh: the make bench section of ceb-reconcile (三单对碰).
# tests/bench.sh runs it with the built tools on PATH and BENCH_DIR,
# BENCH_LIB set; it also runs alone (sh tests/bench/ceb-reconcile.sh).
#
# 1. baseline: the join a data engineer would write -- xmlstarlet pulls
#    the keys and the compared head fields of every order, payment,
#    waybill and inventory (one file per message) into CSV, miller
#    joins them and counts the rows that agree -- beside ceb-reconcile
#    on the same BENCH_RECONCILE_BASE parcels (default 100000).  The
#    baseline compares fewer fields (no lines) and keeps no state.
# 2. pending: the orders, payments and waybills of that batch without
#    their inventories, so that every one waits at the end; memory per
#    pending document (peak RSS over documents) and state size.
# 3. nightly: BENCH_RECONCILE_N parcels (default 1000000: four million
#    documents) in one run with --state: documents per second, peak RSS,
#    memory per document.  The state is the SQLite store (issue 15): each
#    document read is recorded in it (documents table) and what waits is
#    written there at the end.
# 5. memory follows what waits: peak RSS of nights of different size
#    where everything matches (BENCH_RECONCILE_FLAT) and of one night with
#    0%, 10% and 30% of its parcels left waiting (BENCH_RECONCILE_WAITN),
#    the fitted bytes per waiting document and intercept, ceb-cat beside.
# BENCH_RECONCILE_SECTIONS: the sections to run (default "1 2 3 4 5");
# 1 and 2 run together, e.g. BENCH_RECONCILE_SECTIONS=5 for section 5
# alone (sh tests/bench/ceb-reconcile.sh with the tools on PATH).
# BENCH_RECONCILE_OLD: a ceb-reconcile of the release before the SQLite
# store, run beside it on the same batch in 3 and counted by callgrind
# in 4.  Unset, and the source tree a git clone holding that release
# (BENCH_RECONCILE_OLD_REV, default 91962a7), it is built here from a
# clone in the scratch directory (BENCH_RECONCILE_OLD=none: not at all).
# Rows go through bench_row (bench-results.csv); "messages" there count
# documents (business records).  Only measures, never judges; on a
# shared machine compare cpu_seconds as well as the wall clock.  1M
# parcels need about 9 GB in BENCH_DIR.
# Figures of 2026-11-28 (2-core VM shared with other builds, load 8):
# 100k parcels: xmlstarlet+mlr 99.7 s wall / 39.2 s cpu / 1003 MB,
# ceb-reconcile 44.5 s / 13.6 s / 72 MB; 300k pending documents 302 MB;
# 1M parcels 242.7 s wall, 116.3 s cpu, 504 MB peak, 131 bytes a document.
set -u
LC_ALL=C.UTF-8
export LC_ALL
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "${BENCH_LIB:-$top/tests/bench/_lib.sh}"
nb=${BENCH_RECONCILE_BASE:-100000}
n=${BENCH_RECONCILE_N:-1000000}
if [ -n "${BENCH_DIR:-}" ]; then
	d=$BENCH_DIR
else
	d=$(mktemp -d "${TMPDIR:-/tmp}/bench-reconcile.XXXXXX") || exit 2
	trap 'rm -rf "$d"' EXIT INT TERM
fi
for t in ceb-gen ceb-cat ceb-reconcile; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "== ceb-reconcile: skipped ($t not found)"
		exit 0
	fi
done

# rss_per FILE1 FILE2 DOCS: (peak of run 2 - peak of run 1) / DOCS, bytes
rss_per() {
	awk -v a="$1" -v b="$2" -v n="$3" \
	    'BEGIN { printf "%.0f", (n > 0 ? (b - a) * 1024 / n : 0) }'
}

secs=" ${BENCH_RECONCILE_SECTIONS:-1 2 3 4 5} "
want() {
	case $secs in *" $1 "*) return 0 ;; esac
	return 1
}

# The release before the store, built from this clone's history.
oldrev=${BENCH_RECONCILE_OLD_REV:-91962a7}
if { want 3 || want 4; } && [ -z "${BENCH_RECONCILE_OLD:-}" ] &&
    git -C "$top" cat-file -e "$oldrev^{commit}" 2>/dev/null; then
	echo "== ceb-reconcile: building the release before the store ($oldrev)"
	if git clone -q "$top" "$d/old-src" 2>/dev/null &&
	    git -C "$d/old-src" checkout -q "$oldrev" &&
	    (cd "$d/old-src" && autoreconf -fi && ./configure -q &&
	    make -j2 ceb-reconcile) >"$d/old-build.log" 2>&1; then
		BENCH_RECONCILE_OLD=$d/old-src/ceb-reconcile
	else
		echo "  (could not build it: see $d/old-build.log)"
	fi
fi
[ "${BENCH_RECONCILE_OLD:-}" = none ] && BENCH_RECONCILE_OLD=

# --- 1. baseline -------------------------------------------------------
rss0=0
if want 1 || want 2; then
echo "== ceb-reconcile: beside xmlstarlet + miller ($nb parcels)"
ceb-gen -q -s 2 -n "$nb" --no-receipts -d -o "$d/small" || exit 2
ceb-cat -q "$d/small" >"$d/small.xml"
docs=$(ceb-cat -q -l "$d/small.xml" | sed 1d | wc -l | tr -d ' ')
bytes=$(wc -c <"$d/small.xml" | tr -d ' ')
echo "  batch: $docs documents in $(find "$d/small" -type f | wc -l |
    tr -d ' ') files, $bytes bytes"
cat >"$d/baseline.sh" <<'BASE'
# The baseline: xmlstarlet key extraction, miller join.
d=$1
NS=http://www.chinaport.gov.cn/ceb
extract() {
	echo "$3"
	find "$d/small" -name "$1" -print0 | sort -z |
	    xargs -0 xmlstarlet sel -N "c=$NS" -T -t -m "$2" -v "$4" -n
}
extract '*CEB311*' '//c:OrderHead' \
    ebpCode,orderNo,ebcCode,acturalPaid,o_id,o_name,consignee,consigneeTelephone,consigneeAddress \
    'concat(c:ebpCode,",",c:orderNo,",",c:ebcCode,",",c:acturalPaid,",",c:buyerIdNumber,",",c:buyerName,",",c:consignee,",",c:consigneeTelephone,",",c:consigneeAddress)' \
    >"$d/o.csv"
extract '*CEB411*' '//c:PaymentHead' ebpCode,orderNo,amountPaid \
    'concat(c:ebpCode,",",c:orderNo,",",c:amountPaid)' >"$d/p.csv"
extract '*CEB511*' '//c:LogisticsHead' \
    logisticsCode,logisticsNo,w_consignee,w_tel,w_addr \
    'concat(c:logisticsCode,",",c:logisticsNo,",",c:consignee,",",c:consigneeTelephone,",",c:consigneeAddress)' \
    >"$d/w.csv"
extract '*CEB621*' '//c:InventoryHead' \
    ebpCode,orderNo,logisticsCode,logisticsNo,i_ebc,i_id,i_name \
    'concat(c:ebpCode,",",c:orderNo,",",c:logisticsCode,",",c:logisticsNo,",",c:ebcCode,",",c:buyerIdNumber,",",c:buyerName)' \
    >"$d/i.csv"
mlr --csv join -j ebpCode,orderNo -f "$d/o.csv" \
    then join -j ebpCode,orderNo -f "$d/p.csv" \
    then join -j logisticsCode,logisticsNo -f "$d/w.csv" \
    then put '$ok = ($acturalPaid == $amountPaid && $ebcCode == $i_ebc &&
	$o_id == $i_id && $o_name == $i_name && $consignee == $w_consignee &&
	$consigneeTelephone == $w_tel && $consigneeAddress == $w_addr)' \
    then count-distinct -f ok "$d/i.csv"
BASE
if command -v xmlstarlet >/dev/null 2>&1 && command -v mlr >/dev/null 2>&1
then
	bench_measure "$d/base" sh "$d/baseline.sh" "$d"
	bench_row ceb-reconcile xmlstarlet+mlr - "$docs" "$bytes" \
	    "baseline; agree: $(grep true "$d/base.out" | cut -d, -f2)"
	base=xmlstarlet+mlr
else
	echo "  (xmlstarlet or mlr missing -- Debian: xmlstarlet miller -- no baseline)"
	base=-
fi
bench_measure "$d/small" ceb-reconcile -q --now 2026-11-28 -r "$d/small.csv" \
    "$d/small.xml"
bench_row ceb-reconcile "$nb parcels" "$base" "$docs" "$bytes" \
    "matched: $(grep -c ',R-OK-001,' "$d/small.csv")"
rm -rf "$d/small" "$d/small.out" "$d/o.csv" "$d/p.csv" "$d/w.csv" "$d/i.csv"

# --- 2. pending documents -------------------------------------------------
echo "== ceb-reconcile: documents that wait ($nb parcels without inventories)"
ceb-cat -q -t 311,411,511 "$d/small.xml" >"$d/pend.xml"
rm -f "$d/small.xml"
bench_measure "$d/empty" ceb-reconcile -q -s "$d/st0" --now 2026-11-28 \
    /dev/null
rss0=$BENCH_RSS
bench_measure "$d/pend" ceb-reconcile -q -s "$d/stp" --now 2026-11-28 \
    -r /dev/null "$d/pend.xml"
np=$(sqlite3 "$d/stp/state.db" "SELECT count(*) FROM waiting_now")
bench_row ceb-reconcile "$nb parcels pending" - "$np" \
    "$(wc -c <"$d/pend.xml" | tr -d ' ')" "all pending"
echo "  memory per waiting document: $(rss_per "$rss0" "$BENCH_RSS" "$np") bytes of RSS" \
    "(fields and bytes beyond --memory 256M go to the disk spool);" \
    "state: $(awk -v k="$(du -sk "$d/stp" | cut -f1)" -v n="$np" \
    'BEGIN { printf "%.0f", k * 1024 / n }') bytes per waiting document"
# The next night reads them back: memory follows what waits.
bench_measure "$d/pend2" ceb-reconcile -q -s "$d/stp" --now 2026-11-29 \
    -r /dev/null /dev/null
bench_row ceb-reconcile "$nb parcels pending: the next night" - "$np" 0 \
    "the state read back, nothing new"
echo "  the next night, reading them back: $(rss_per "$rss0" "$BENCH_RSS" "$np")" \
    "bytes of RSS per waiting document, $BENCH_CPU s cpu"
rm -rf "$d/pend.xml" "$d/pend.out" "$d/pend2.out" "$d/stp" "$d/st0"
fi

# --- 3. the nightly run -----------------------------------------------------
if want 3; then
echo "== ceb-reconcile: one night of $n parcels with --state"
ceb-gen -q -s 1 -n "$n" --no-receipts -o "$d/big.xml" || exit 2
bytes=$(wc -c <"$d/big.xml" | tr -d ' ')
docs=$((n * 4))
if [ -n "${BENCH_RECONCILE_OLD:-}" ]; then
	# The release before the SQLite store, on the same batch.
	bench_measure "$d/old" "$BENCH_RECONCILE_OLD" -q -s "$d/st-old" \
	    --now 2026-11-28 -r "$d/old.csv" "$d/big.xml"
	bench_row ceb-reconcile "$n parcels: release before the store" - \
	    "$docs" "$bytes" "matched: $(grep -c ',R-OK-001,' "$d/old.csv")"
	oldrow="$n parcels: release before the store"
	rm -rf "$d/st-old" "$d/old.csv" "$d/old.out"
else
	oldrow=-
fi
bench_measure "$d/big" ceb-reconcile -q -s "$d/st" --now 2026-11-28 \
    -r "$d/big.csv" "$d/big.xml"
bench_row ceb-reconcile "$n parcels" "$oldrow" "$docs" "$bytes" \
    "matched: $(grep -c ',R-OK-001,' "$d/big.csv"); 4 documents a parcel"
# Issue 15: no more CPU than the release before the store (116 s for 1M
# parcels on the machine of 2026-11-28), peak RSS following what waits.
awk -F, -v r="$BENCH_RUN" -v c="$n parcels" -v o="$oldrow" '$1 == r &&
    $5 == "ceb-reconcile" { cpu[$6] = $10; rss[$6] = $13 }
    END { printf "  issue 15: CPU no more than the release before the store (116 s at 1000000 parcels on 2026-11-28): %.1f s CPU, %.0f MB", cpu[c], rss[c] / 1024
	if (o in cpu && cpu[o] > 0) printf "; the release before the store on the same batch: %.1f s CPU, %.0f MB (CPU ratio %.2f)", cpu[o], rss[o] / 1024, cpu[c] / cpu[o]
	printf "\n" }' "$BENCH_CSV"
echo "  memory per document: $(rss_per "$rss0" "$BENCH_RSS" "$docs") bytes" \
    "of RSS (what a matched parcel leaves in memory is bounded);" \
    "$(sqlite3 "$d/st/state.db" "SELECT count(*) FROM waiting_now")" \
    "documents left waiting, store $(du -sk "$d/st" | cut -f1) KiB"
rm -rf "$d/big.xml" "$d/big.out" "$d/big.csv" "$d/st"
fi

# --- 4. instructions -------------------------------------------------------
# CPU seconds on a shared machine move with the load; instructions counted
# by callgrind on a small batch (BENCH_RECONCILE_CG parcels, default 5000)
# do not.  Valgrind hides SHA-NI from the program, so SHA-256 (the digests
# of the input and of each document) counts for several times its share.
ncg=${BENCH_RECONCILE_CG:-5000}
if want 4 && [ -n "${BENCH_RECONCILE_OLD:-}" ] &&
    command -v valgrind >/dev/null 2>&1
then
	ceb-gen -q -s 1 -n "$ncg" --no-receipts -o "$d/cg.xml" || exit 2
	ir() { sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$1"; }
	for w in old new; do
		b=ceb-reconcile
		[ $w = old ] && b=$BENCH_RECONCILE_OLD
		rm -rf "$d/cg-st"
		valgrind --tool=callgrind --callgrind-out-file=/dev/null "$b" -q \
		    -s "$d/cg-st" --now 2026-11-28 -r /dev/null "$d/cg.xml" \
		    >/dev/null 2>"$d/cg-$w.err"
	done
	awk -v a="$(ir "$d/cg-new.err")" -v b="$(ir "$d/cg-old.err")" \
	    -v n="$ncg" 'BEGIN { if (b > 0) printf "  instructions on %d parcels with --state (callgrind): %.0f / %.0f (release before the store) = %.2f\n", n, a, b, a / b }'
	rm -rf "$d/cg.xml" "$d/cg-st"
fi

# --- 5. memory follows what waits -------------------------------------------
# Issue 15: peak RSS proportional to the documents left waiting, not to
# the night.  Nights of BENCH_RECONCILE_FLAT parcels (default "50000
# 200000") where every parcel matches (flat is the aim), then one night
# of BENCH_RECONCILE_WAITN parcels (default 50000) with 0%, 10% and 30%
# of the parcels short of their waybill (ceb-gen -D rec-missing-waybill:
# the order, payment and inventory wait), one record a message
# (--records=1: a message waits whole while one of its records waits, so
# that here a waiting document is a waiting message); the least-squares
# line of peak RSS over the documents left waiting (the store's
# waiting_now) gives the bytes per waiting document (slope) and the
# intercept.  ceb-cat reading each batch is the baseline (its RSS follows
# the largest document).
want 5 || exit 0
echo "== ceb-reconcile: peak RSS against the documents left waiting"
flat=${BENCH_RECONCILE_FLAT:-50000 200000}
nw=${BENCH_RECONCILE_WAITN:-50000}
for f in $flat; do
	ceb-gen -q -s 3 -n "$f" --no-receipts -o "$d/flat.xml" || exit 2
	bytes=$(wc -c <"$d/flat.xml" | tr -d ' ')
	bench_measure "$d/flat-cat" ceb-cat -q "$d/flat.xml"
	bench_row ceb-reconcile "$f parcels: ceb-cat" - "$((f * 4))" "$bytes" \
	    "baseline: ceb-cat reads the batch"
	catrss=$BENCH_RSS
	rm -rf "$d/st-flat" "$d/flat-cat.out"
	bench_measure "$d/flat" ceb-reconcile -q -s "$d/st-flat" \
	    --now 2026-11-28 -r /dev/null "$d/flat.xml"
	w=$(sqlite3 "$d/st-flat/state.db" "SELECT count(*) FROM waiting_now")
	bench_row ceb-reconcile "$f parcels: none waiting" \
	    "$f parcels: ceb-cat" "$((f * 4))" "$bytes" "waiting: $w"
	echo "  $f parcels, $w documents left waiting: peak RSS" \
	    "$((BENCH_RSS / 1024)) MB (ceb-cat on the same batch:" \
	    "$((catrss / 1024)) MB)"
	echo "$f $BENCH_RSS" >>"$d/flat.pts"
	rm -rf "$d/flat.xml" "$d/flat.out" "$d/st-flat"
done
awk 'NR == 1 { n0 = $1; r0 = $2 } { n = $1; r = $2 }
    END { if (NR > 1 && n > n0) printf "  %d -> %d parcels: peak RSS x%.2f for x%.1f the night (%.1f bytes per added document)\n", n0, n, r / r0, n / n0, (r - r0) * 1024 / ((n - n0) * 4) }' \
    "$d/flat.pts"
rm -f "$d/flat.pts"
for p in 0 10 30; do
	if [ "$p" = 0 ]; then
		ceb-gen -q -s 4 -n "$nw" --records=1 --no-receipts \
		    -o "$d/wait.xml" || exit 2
	else
		ceb-gen -q -s 4 -n "$nw" --records=1 --no-receipts \
		    -D "rec-missing-waybill=$p%" -o "$d/wait.xml" || exit 2
	fi
	bytes=$(wc -c <"$d/wait.xml" | tr -d ' ')
	rm -rf "$d/st-wait"
	bench_measure "$d/wait" ceb-reconcile -q -s "$d/st-wait" \
	    --now 2026-11-28 -r /dev/null "$d/wait.xml"
	w=$(sqlite3 "$d/st-wait/state.db" "SELECT count(*) FROM waiting_now")
	bench_row ceb-reconcile "$nw parcels: $p% short of a waybill" - \
	    "$((nw * 4))" "$bytes" "waiting: $w"
	echo "  $nw parcels, $p% short of their waybill: $w documents left" \
	    "waiting, peak RSS $((BENCH_RSS / 1024)) MB"
	echo "$w $BENCH_RSS" >>"$d/wait.pts"
	rm -rf "$d/wait.xml" "$d/wait.out" "$d/st-wait"
done
# Least squares: RSS (bytes) = intercept + slope * waiting documents.
awk '{ x = $1; y = $2 * 1024; n++; sx += x; sy += y; sxx += x * x; sxy += x * y }
    END { d = n * sxx - sx * sx
	if (n > 1 && d > 0) { s = (n * sxy - sx * sy) / d; i = (sy - s * sx) / n
	    printf "  fitted: %.0f bytes of peak RSS per waiting document (slope), intercept %.1f MB\n", s, i / 1048576 } }' \
    "$d/wait.pts"
rm -f "$d/wait.pts"
