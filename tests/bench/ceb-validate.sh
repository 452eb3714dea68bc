#!/bin/sh
# ceb-validate.sh: the structural layer of ceb-validate against xmllint.
#
# On one ceb-gen import batch (one record per message, written both as one
# stream file and as one file per message) it times
#   ceb-validate -j1 and -j2 on the stream, -j1 on the directory,
#   xmllint --stream --noout --schema import-business.xsd on the files
#     (one process for all files: the schema compiled once, no per-root
#     schema selection -- every root of this batch is in that one file),
#   xmllint --noout --schema, one process per file (what users do today),
#     on a sample of BENCH_SAMPLE files, extrapolated to the batch,
# and prints messages per second, CPU seconds, peak RSS and the ratio of
# each to the xmllint --stream baseline.  Memory flatness: peak RSS of
# ceb-validate on 10k messages beside the whole batch, and on a stream of
# BENCH_HUGE messages piped straight from ceb-gen.  Measures only, never
# a pass/fail threshold.  Run by tests/bench.sh (make bench) with the
# built tools on PATH; business rules are switched off (--rules), so that
# this is structure alone.
#
# Environment: BENCH_N messages (default 100000), BENCH_HUGE (default
# 1000000, 0 to skip), BENCH_SAMPLE (default 300), BENCH_DIR scratch
# directory (default a fresh one under TMPDIR), CEB_REFERENCE (the
# reference material holding xsd-202205; xmllint is skipped without it).
set -u
LC_ALL=C.UTF-8
export LC_ALL
n=${BENCH_N:-100000}
huge=${BENCH_HUGE:-1000000}
sample=${BENCH_SAMPLE:-300}
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
CEBTOOLS_DATADIR=${CEBTOOLS_DATADIR:-$top}
export CEBTOOLS_DATADIR
ref=${CEB_REFERENCE:-$top/../shared/reference}/xsd-202205
d=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/bench-validate.XXXXXX")} || exit 2
trap 'rm -rf "$d"' EXIT INT TERM
mkdir -p "$d"

echo "== ceb-validate structure ($n messages)"
for t in ceb-gen ceb-validate; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "skipped: $t not on PATH"
		exit 0
	fi
done
if ! test -x /usr/bin/time; then
	echo "skipped: /usr/bin/time (GNU time) is needed for peak RSS"
	exit 0
fi

# About 7.5 messages per import parcel with one record per message.
parcels=$(( (n * 2 + 14) / 15 ))
gen="ceb-gen -q -s 1 -n $parcels -e 0 --records 1"
$gen -o "$d/batch.xml" || exit 2
$gen -d -o "$d/files" || exit 2
find "$d/files" -name '*.xml' | LC_ALL=C sort >"$d/list"
msgs=$(wc -l <"$d/list")
bytes=$(wc -c <"$d/batch.xml")
echo "batch: $gen: $msgs messages, $bytes bytes"
ceb-validate --list-rules | sed -n 's/^\(V-[^,]*\),.*/\1,no,/p' |
    sed '1i rule,enabled,severity' >"$d/structure-only.csv"
v="ceb-validate -q --rules $d/structure-only.csv"

# run NAME MESSAGES COMMAND: one timed run; sets $secs, $cpu and $rss.
run() {
	name=$1
	m=$2
	shift 2
	/usr/bin/time -f '%e %U %S %M' -o "$d/time" sh -c "$*" \
	    >/dev/null 2>"$d/err"
	set -- $(tail -n 1 "$d/time")
	secs=$1
	cpu=$(echo "$2 + $3" | bc)
	rss=$4
	rate=$(echo "scale=0; $m / ($secs + 0.001)" | bc)
	printf '%-44s %8.2f s  %7.2f cpu-s  %8s msg/s  %7d KB peak RSS' \
	    "$name" "$secs" "$cpu" "$rate" "$rss"
}
ratio() {
	# ratio BASE_SECS: this run's speed-up over the baseline.
	printf '  x%s\n' "$(echo "scale=2; $1 / ($secs + 0.001)" | bc)"
}

base=
if test -f "$ref/import-business.xsd" && command -v xmllint >/dev/null 2>&1
then
	run "xmllint --stream --schema (baseline)" "$msgs" \
	    "xargs xmllint --stream --noout --schema $ref/import-business.xsd <$d/list"
	echo "  x1.00"
	base=$secs
	head -n "$sample" "$d/list" >"$d/sample"
	run "xmllint, one process per file (sample)" "$sample" \
	    "while read -r f; do xmllint --noout --schema $ref/import-business.xsd \$f; done <$d/sample"
	per=$(echo "scale=2; $secs * $msgs / $sample" | bc)
	printf '\n%-44s %8.2f s (extrapolated to %s messages)' \
	    "  one process per file, whole batch" "$per" "$msgs"
	secs=$per
	ratio "$base"
else
	echo "xmllint baselines skipped: no $ref/import-business.xsd or xmllint"
fi
show() {
	if test -n "$base"; then ratio "$base"; else echo; fi
}
run "ceb-validate -j1, stream file" "$msgs" "$v $d/batch.xml"
show
run "ceb-validate -j2, stream file" "$msgs" "$v -j2 $d/batch.xml"
show
run "ceb-validate -j1, one file per message" "$msgs" "$v $d/files"
show
run "ceb-validate -j2, one file per message" "$msgs" "$v -j2 $d/files"
show

echo "memory (peak RSS, should not grow with the batch):"
head -n 10000 "$d/list" | xargs cat >"$d/10k.xml"
run "  ceb-validate -j1, 10000 messages" 10000 "$v $d/10k.xml"
echo
run "  ceb-validate -j2, 10000 messages" 10000 "$v -j2 $d/10k.xml"
echo
run "  ceb-validate -j1, $msgs messages" "$msgs" "$v $d/batch.xml"
echo
if [ "$huge" -gt 0 ]; then
	# Straight from the generator: only ceb-validate is measured.
	hp=$(( (huge * 2 + 14) / 15 ))
	for j in 1 2; do
		ceb-gen -q -s 2 -n $hp -e 0 --records 1 |
		    /usr/bin/time -f '%e %U %S %M' -o "$d/time" $v -j$j \
		    >/dev/null 2>"$d/err"
		set -- $(tail -n 1 "$d/time")
		printf '%-44s %8.2f s  %7.2f cpu-s  %8s msg/s  %7d KB peak RSS\n' \
		    "  ceb-gen | ceb-validate -j$j, ~$huge msgs" "$1" \
		    "$(echo "$2 + $3" | bc)" \
		    "$(echo "scale=0; $huge / ($1 + 0.001)" | bc)" "$4"
	done
fi
