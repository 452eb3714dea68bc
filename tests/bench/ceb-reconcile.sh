#!/bin/sh
# ceb-reconcile.sh: what 三单对碰 costs (make bench; tests/bench.sh runs
# it with the built tools on PATH).
#
# 1. Baseline: the join a data engineer would write -- xmlstarlet pulls
#    the keys and the compared head fields of every order, payment,
#    waybill and inventory into CSV, miller joins them and counts the
#    rows that agree -- against ceb-reconcile on the same
#    BENCH_BASELINE_N parcels (default 100000); prints both and the
#    ratio.  The baseline compares fewer fields (no lines), keeps no
#    state and needs one file per message.
# 2. Pending documents: the orders, payments and waybills of the same
#    batch without their inventories, so that every one of them waits;
#    prints the memory per pending document (peak RSS over documents)
#    and the size of the state directory per pending document.
# 3. The nightly run: BENCH_RECONCILE_N parcels (default 1000000, four
#    documents each) in one run with --state; prints documents per
#    second, MB/s, peak RSS and the memory per document (each keeps a
#    compact key record for the whole run).
#
# Only measures; no pass/fail threshold.  The figures of a shared
# machine are noisy: CPU time (user + system) is printed beside the wall
# clock.  Environment: BENCH_DIR scratch directory (default a fresh one
# under TMPDIR; 1M parcels need about 9 GB of disk).
set -u
LC_ALL=C.UTF-8
export LC_ALL
nb=${BENCH_BASELINE_N:-100000}
n=${BENCH_RECONCILE_N:-1000000}
d=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/bench-reconcile.XXXXXX")} || exit 2
trap 'rm -rf "$d"' EXIT INT TERM
mkdir -p "$d"
echo "== ceb-reconcile"
for t in ceb-gen ceb-cat ceb-reconcile; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "$t not found: skipped"
		exit 0
	fi
done

# timed NAME CMD...: run CMD, keep "wall user sys maxrss_kb" in $d/NAME.t
timed() {
	name=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$d/$name.t" "$@"
}

# show NAME DOCS BYTES: one line of figures from $d/NAME.t
show() {
	awk -v name="$1" -v docs="$2" -v bytes="$3" '{
		cpu = $2 + $3
		printf "%-14s %8.1f s wall %8.1f s cpu %9.0f docs/s %7.1f MB/s (wall)  peak %7.1f MB\n",
		    name, $1, cpu, ($1 > 0 ? docs / $1 : 0),
		    ($1 > 0 ? bytes / $1 / 1e6 : 0), $4 / 1024
	}' "$d/$1.t"
}

# --- 1. baseline on nb parcels -------------------------------------
ceb-gen -q -s 2 -n "$nb" --no-receipts -d -o "$d/small" || exit 2
ceb-cat -q "$d/small" >"$d/small.xml"
docs=$(ceb-cat -q -l "$d/small.xml" | sed 1d | wc -l)
bytes=$(wc -c <"$d/small.xml")
echo "baseline batch: $nb parcels, $docs documents in" \
    "$(find "$d/small" -type f | wc -l) files, $bytes bytes"

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
	timed baseline sh "$d/baseline.sh" "$d" >"$d/baseline.out" 2>&1
	echo "baseline result: $(tr '\n' ' ' <"$d/baseline.out")"
	have_base=1
else
	echo "xmlstarlet or mlr (Debian: xmlstarlet, miller) missing: no baseline"
	have_base=0
fi
timed small ceb-reconcile -q --now 2026-11-28 -r "$d/small.csv" \
    "$d/small.xml" >/dev/null
echo "ceb-reconcile result: $(grep -c ',R-OK-001,' "$d/small.csv") matched"
[ $have_base = 1 ] && show baseline "$docs" "$bytes"
show small "$docs" "$bytes"
[ $have_base = 1 ] && paste "$d/baseline.t" "$d/small.t" | awk '{
	printf "ratio: ceb-reconcile %.1fx faster than the baseline (wall), %.1fx (cpu)\n",
	    ($5 > 0 ? $1 / $5 : 0),
	    ($6 + $7 > 0 ? ($2 + $3) / ($6 + $7) : 0) }'
rm -rf "$d/small"

# --- 2. pending documents ---------------------------------------------
ceb-cat -q -t 311,411,511 "$d/small.xml" >"$d/pend.xml"
rm -f "$d/small.xml"
timed empty ceb-reconcile -q -s "$d/st0" --now 2026-11-28 /dev/null
timed pend ceb-reconcile -q -s "$d/stp" --now 2026-11-28 -r /dev/null \
    "$d/pend.xml" >/dev/null
np=$(grep -c '^pending,' "$d/stp/state.csv")
echo "pending: $np documents wait at the end"
show pend "$np" "$(wc -c <"$d/pend.xml")"
paste "$d/empty.t" "$d/pend.t" | awk -v docs="$np" -v st="$(du -sk "$d/stp" |
    cut -f1)" '{
	printf "memory per pending document: %.0f bytes of RSS (the fields and bytes beyond --memory go to disk); state: %.0f bytes per pending document\n",
	    ($8 - $4) * 1024 / docs, st * 1024 / docs }'
rm -rf "$d/pend.xml" "$d/stp"

# --- 3. the nightly run on n parcels --------------------------------
ceb-gen -q -s 1 -n "$n" --no-receipts -o "$d/big.xml" || exit 2
bytes=$(wc -c <"$d/big.xml")
timed big ceb-reconcile -q -s "$d/st" --now 2026-11-28 -r "$d/big.csv" \
    "$d/big.xml" >/dev/null
docs=$((n * 4))
echo "nightly batch: $n parcels, $docs documents, $bytes bytes;" \
    "$(grep -c ',R-OK-001,' "$d/big.csv") matched"
show big "$docs" "$bytes"
paste "$d/empty.t" "$d/big.t" | awk -v docs="$docs" '{
	printf "memory per document: %.0f bytes ((peak - empty run) / documents)\n",
	    ($8 - $4) * 1024 / docs }'
