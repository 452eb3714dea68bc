#!/bin/sh
# ceb-validate-rules.sh: what the business rules cost on top of structure.
#
# Runs ceb-validate twice over the same generated batch: once with every
# V- rule turned off (--rules, structure only: the baseline) and once with
# the whole catalogue, and prints throughput, peak RSS and the ratio of
# the two times.  The issue's target is rules <= 30% extra time; this
# script only measures (no pass/fail threshold).  Run by tests/bench.sh
# (make bench) with the built tools on PATH.
#
# Environment: BENCH_N parcels (default 100000: half import, half
# export, each several messages), BENCH_DIR scratch
# directory (default a fresh one under TMPDIR).
# Figures from the rules' author (2026-11-28, shared 2-core VM, -j 1):
#   100000 parcels (43074 messages, 844 MB): structure 13.25 s cpu,
#     rules 13.07 s cpu: -1.4% (within noise), peak 14.0 / 14.2 MB;
#   20000 parcels (8857 messages): +5.6% cpu, peak 13.8 / 13.9 MB.
# Wall-clock ratios on that machine swung by +-70% with other builds
# running, so compare the cpu figures there.
set -u
LC_ALL=C.UTF-8
export LC_ALL
n=${BENCH_N:-100000}
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
CEBTOOLS_DATADIR=${CEBTOOLS_DATADIR:-$top}
export CEBTOOLS_DATADIR
d=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/bench-rules.XXXXXX")} || exit 2
trap 'rm -rf "$d"' EXIT INT TERM
mkdir -p "$d"

echo "== ceb-validate business rules ($n parcels)"
if command -v ceb-gen >/dev/null 2>&1 &&
    ceb-gen -q -s 1 -n $((n / 2)) -e $((n - n / 2)) -o "$d/batch.xml" \
    2>/dev/null && [ -s "$d/batch.xml" ]; then
	src="ceb-gen -s 1 -n $((n / 2)) -e $((n - n / 2))"
else
	# No generator: the passing golden messages of the catalogue, repeated.
	cat "$top"/tests/golden/ceb-validate-rules/V-*-pass/stdin >"$d/one.xml"
	per=$(grep -c '<?xml' "$d/one.xml")
	i=0
	: >"$d/batch.xml"
	while [ $((i * per)) -lt "$n" ]; do
		cat "$d/one.xml"
		i=$((i + 1))
	done >"$d/batch.xml"
	src="the catalogue's passing cases x $i"
fi
msgs=$(grep -c '<?xml' "$d/batch.xml")
echo "batch: $src: $msgs messages, $(wc -c <"$d/batch.xml") bytes"
ceb-validate --list-rules | cut -d, -f1 | grep '^V-' |
    sed 's/$/,no,/' | sed '1i rule,enabled,severity' >"$d/off.csv"

run() {
	# run NAME ARGS...: time and peak RSS of one ceb-validate run.
	name=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$d/$name.time" \
	    ceb-validate -q "$@" "$d/batch.xml" >/dev/null 2>"$d/$name.err"
	cat "$d/$name.time"
}
# Best of three runs each, interleaved, so that a busy machine disturbs
# both sides alike; CPU time (user + system) is compared as well as wall
# clock time, since the wall clock of a shared machine is noisy.
for i in 1 2 3; do
	echo "structure $(run structure --rules "$d/off.csv")"
	echo "rules $(run rules)"
done | awk -v n="$msgs" '
{
	cpu = $3 + $4
	if (!($1 in wall) || $2 < wall[$1]) wall[$1] = $2
	if (!($1 in tcpu) || cpu < tcpu[$1]) tcpu[$1] = cpu
	if ($5 > rss[$1]) rss[$1] = $5
}
END {
	split("structure rules", k, " ")
	for (i = 1; i <= 2; i++)
		printf "%-10s %7.2f s wall %7.2f s cpu %9.0f msg/s (cpu)  peak %6.1f MB\n",
		    k[i], wall[k[i]], tcpu[k[i]],
		    (tcpu[k[i]] > 0 ? n / tcpu[k[i]] : 0), rss[k[i]] / 1024
	if (tcpu["structure"] > 0 && wall["structure"] > 0)
		printf "rules cost: %+.1f%% cpu, %+.1f%% wall over structure (target <= +30%%)\n",
		    (tcpu["rules"] / tcpu["structure"] - 1) * 100,
		    (wall["rules"] / wall["structure"] - 1) * 100
}'
