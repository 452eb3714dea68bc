#!/bin/sh
# ceb-validate-rules.sh: what the business rules cost on top of structure
# (a section of make bench; see tests/bench.sh for the variables).
#
# Runs ceb-validate twice over the batch of the run: once with every V-
# rule turned off by --rules (structure only: the baseline) and once with
# the whole catalogue, and prints throughput, peak RSS, the ratio of wall
# times and the ratio of cpu times.  The issue's target is rules <= 30%
# extra time; nothing here judges it.  Signatures are not verified in
# either run (--no-verify): ceb-validate-dsig.sh measures them.  Run alone (sh
# tests/bench/ceb-validate-rules.sh in the build directory) it makes its
# own batch of BENCH_N import and export parcels.
#
# Figures from the rules' author (2026-11-28, shared 2-core VM, -j 1):
#   100000 parcels (43074 messages, 844 MB): structure 13.25 s cpu,
#     rules 13.07 s cpu: -1.4% (within noise), peak 14.0 / 14.2 MB;
#   20000 parcels (8857 messages): +5.6% cpu, peak 13.8 / 13.9 MB.
# Wall-clock ratios on that machine swung by +-70% with other builds
# running, so compare the cpu figures there.
set -u
LC_ALL=C.UTF-8
export LC_ALL
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
BENCH_LIB=${BENCH_LIB:-$top/tests/bench/_lib.sh}
. "$BENCH_LIB"
CEBTOOLS_DATADIR=${CEBTOOLS_DATADIR:-$top}
export CEBTOOLS_DATADIR
d=${BENCH_DIR:-}
if [ -z "$d" ]; then
	d=$(mktemp -d "${TMPDIR:-/tmp}/bench-rules.XXXXXX") || exit 2
	trap 'rm -rf "$d"' EXIT INT TERM
fi

echo "== ceb-validate: business rules against structure only"
if [ -z "${BENCH_BATCH:-}" ]; then
	n=${BENCH_N:-100000}
	BENCH_BATCH=$d/batch.xml
	ceb-gen -s 1 -n $((n / 2)) -e $((n - n / 2)) -o "$BENCH_BATCH" \
	    2>"$d/gen.err" || exit 2
	BENCH_MESSAGES=$(sed -n 's/^ceb-gen: \([0-9]*\) messages.*/\1/p' \
	    "$d/gen.err")
	BENCH_BYTES=$(wc -c <"$BENCH_BATCH" | tr -d ' ')
fi
ceb-validate --list-rules | cut -d, -f1 | grep '^V-' | sed 's/$/,no,/' |
    sed '1i rule,enabled,severity' >"$d/off.csv"
bench_measure "$d/structure" ceb-validate -q --no-verify --rules "$d/off.csv" \
    "$BENCH_BATCH"
s_cpu=$BENCH_CPU
bench_row ceb-validate "structure only (-j1)" - "$BENCH_MESSAGES" \
    "$BENCH_BYTES"
bench_measure "$d/rules" ceb-validate -q --no-verify "$BENCH_BATCH"
r_cpu=$BENCH_CPU
bench_row ceb-validate "structure + rules (-j1)" "structure only (-j1)" \
    "$BENCH_MESSAGES" "$BENCH_BYTES"
if [ -n "$s_cpu" ] && [ -n "$r_cpu" ]; then
	awk -v s="$s_cpu" -v r="$r_cpu" 'BEGIN { if (s > 0)
	    printf "  rules cost: %+.1f%% cpu time over structure (target <= +30%%)\n",
		(r / s - 1) * 100 }'
fi
exit 0
