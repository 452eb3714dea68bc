#!/bin/sh
# ceb-validate.sh: bench section for the structural layer of ceb-validate
# (business rules switched off with --rules and signatures with
# --no-verify, so that this is structure alone; ceb-validate-rules.sh and
# ceb-validate-dsig.sh measure what the rules and signatures add).
#
# Rows (see tests/bench.sh for the variables and tests/bench/_lib.sh for
# the columns):
#   on the same files, a sample of BENCH_VALIDATE_SAMPLE messages of the
#   shared batch in its one-file-per-message form:
#     xmllint --stream --noout --schema   the baseline: one process per
#         schema file for all the files (import roots against
#         import-business.xsd, export roots against export-business.xsd
#         of the official bundle; xmllint has no per-root selection),
#     xmllint --noout --schema, one process per file (what users do
#         today), timed on BENCH_VALIDATE_PERFILE files and extrapolated,
#     ceb-validate -j1 and -j2 on the same files;
#   on the whole shared batch (one stream file): ceb-validate -j1 (the
#   baseline of these rows) and -j2;
#   memory: peak RSS on 10 000 messages beside the whole batch, and on a
#   stream of BENCH_VALIDATE_HUGE messages piped from ceb-gen through a
#   FIFO (only ceb-validate is measured).  Flat memory shows as the same
#   peak whatever the size.
# Nothing here passes or fails on a time or a size.
#
# Environment (besides those of tests/bench.sh): BENCH_VALIDATE_SAMPLE
# (default 5000), BENCH_VALIDATE_PERFILE (default 200),
# BENCH_VALIDATE_HUGE (default 1000000, 0 to skip), CEB_REFERENCE (the
# reference material with xsd-202205; no xmllint rows without it).
# Run alone: BENCH_N=10000 sh tests/bench.sh, or with the variables set.
set -u
LC_ALL=C.UTF-8
export LC_ALL
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
CEBTOOLS_DATADIR=${CEBTOOLS_DATADIR:-$top}
export CEBTOOLS_DATADIR
. "${BENCH_LIB:-$top/tests/bench/_lib.sh}"
sample=${BENCH_VALIDATE_SAMPLE:-5000}
perfile=${BENCH_VALIDATE_PERFILE:-200}
huge=${BENCH_VALIDATE_HUGE:-1000000}
ref=${CEB_REFERENCE:-$top/../shared/reference}/xsd-202205
d=${BENCH_DIR:-$(pwd)}
T=ceb-validate

echo "== ceb-validate: structure against xmllint, threads, memory"
if [ -z "${BENCH_BATCH:-}" ] || [ ! -f "$BENCH_BATCH" ]; then
	echo "  no shared batch (run through tests/bench.sh)"
	exit 0
fi
ceb-validate --list-rules | sed -n 's/^\(V-[^,]*\),.*/\1,no,/p' |
    sed '1i rule,enabled,severity' >"$d/structure-only.csv"
ceb-validate --list-types >"$d/types.csv"
V="ceb-validate -q --no-verify --rules $d/structure-only.csv"

# ---- the sample, on files: xmllint beside ceb-validate ----------------
find "$BENCH_BATCH_DIR" -name '*.xml' | LC_ALL=C sort | head -n "$sample" \
    >"$d/sample.list"
mkdir -p "$d/sample"
while read -r f; do ln -s "$f" "$d/sample/"; done <"$d/sample.list"
k=$(wc -l <"$d/sample.list" | tr -d ' ')
kb=$(xargs cat <"$d/sample.list" | wc -c | tr -d ' ')
# Split by direction for xmllint: the file names carry the type code.
: >"$d/import.list"
: >"$d/export.list"
while read -r f; do
	code=$(echo "${f##*/}" | sed -n 's/.*-CEB\([0-9]*\)\.xml$/\1/p')
	if grep -q "^$code,.*,export," "$d/types.csv"; then
		echo "$f" >>"$d/export.list"
	else
		echo "$f" >>"$d/import.list"
	fi
done <"$d/sample.list"
if command -v xmllint >/dev/null 2>&1 && [ -f "$ref/import-business.xsd" ]
then
	bench_measure "$d/xs" sh -c '
	    xargs -r xmllint --stream --noout --schema "$1/import-business.xsd" <"$2"
	    xargs -r xmllint --stream --noout --schema "$1/export-business.xsd" <"$3"
	    exit 0' sh "$ref" "$d/import.list" "$d/export.list"
	bench_row $T "xmllint --stream ($k files)" - "$k" "$kb"
	head -n "$perfile" "$d/sample.list" >"$d/perfile.list"
	pf=$(wc -l <"$d/perfile.list" | tr -d ' ')
	bench_measure "$d/xp" sh -c '
	    while read -r f; do
		x=import
		grep -Fqx "$f" "$3" && x=export
		xmllint --noout --schema "$1/$x-business.xsd" "$f"
	    done <"$2"; exit 0' sh "$ref" "$d/perfile.list" "$d/export.list"
	# Extrapolated from pf files to the k of the sample.
	BENCH_SECS=$(echo "$BENCH_SECS $k $pf" |
	    awk '{ printf "%.2f", $1 * $2 / $3 }')
	BENCH_CPU=$(echo "${BENCH_CPU:-0} $k $pf" |
	    awk '{ printf "%.2f", $1 * $2 / $3 }')
	bench_row $T "xmllint per file ($k files)" \
	    "xmllint --stream ($k files)" "$k" "$kb" \
	    "timed on $pf files and extrapolated"
	base="xmllint --stream ($k files)"
else
	echo "  no xmllint or no official XSDs in $ref: no xmllint rows"
	base=-
fi
# shellcheck disable=SC2086
bench_measure "$d/v1" $V "$d/sample"
bench_row $T "ceb-validate -j1 ($k files)" "$base" "$k" "$kb"
# shellcheck disable=SC2086
bench_measure "$d/v2" $V -j2 "$d/sample"
bench_row $T "ceb-validate -j2 ($k files)" "$base" "$k" "$kb"
grep -c . "$d/v1.err" >/dev/null 2>&1 &&
    echo "  (findings on the sample: $(wc -l <"$d/v1.err" | tr -d ' ') lines)"

# ---- the whole batch, as a stream --------------------------------------
# shellcheck disable=SC2086
bench_measure "$d/s1" $V "$BENCH_BATCH"
bench_row $T "ceb-validate -j1 (stream)" - "$BENCH_MESSAGES" "$BENCH_BYTES"
# shellcheck disable=SC2086
bench_measure "$d/s2" $V -j2 "$BENCH_BATCH"
bench_row $T "ceb-validate -j2 (stream)" "ceb-validate -j1 (stream)" \
    "$BENCH_MESSAGES" "$BENCH_BYTES"

# ---- memory: 10k, the batch, a piped stream of BENCH_VALIDATE_HUGE -----
ceb-gen -s 3 -n 14500 -e 1000 -o "$d/10k.xml" 2>"$d/10k.err"
m10=$(sed -n 's/^ceb-gen: \([0-9]*\) messages.*/\1/p' "$d/10k.err")
b10=$(wc -c <"$d/10k.xml" | tr -d ' ')
for j in 1 2; do
	# shellcheck disable=SC2086
	bench_measure "$d/m$j" $V -j$j "$d/10k.xml"
	bench_row $T "memory -j$j ($m10 msgs)" - "$m10" "$b10"
done
if [ "$huge" -gt 0 ] && command -v mkfifo >/dev/null 2>&1; then
	mkfifo "$d/fifo"
	for j in 1 2; do
		ceb-gen -q -s 4 -n $((huge * 145 / 100)) -e $((huge / 10)) \
		    -o "$d/fifo" 2>"$d/huge.err" &
		gp=$!
		# shellcheck disable=SC2086
		bench_measure "$d/h$j" $V -j$j "$d/fifo"
		wait "$gp"
		mh=$(sed -n 's/^ceb-gen: \([0-9]*\) messages.*/\1/p' "$d/huge.err")
		bench_row $T "memory -j$j (${mh:-$huge} msgs piped)" \
		    "memory -j$j ($m10 msgs)" "${mh:-$huge}" 0 \
		    "ceb-gen through a FIFO; bytes not counted"
	done
fi
awk -F, -v r="$BENCH_RUN" -v t=$T '$1 == r && $5 == t && $6 ~ /^memory/ {
	printf "  peak RSS %-34s %7.1f MB\n", $6, $13 / 1024 }' "$BENCH_CSV"
