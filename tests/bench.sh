#!/bin/sh
# bench.sh: `make bench`.  Makes one batch of about BENCH_N messages with
# ceb-gen in a scratch directory, runs each tool beside a baseline on the
# same bytes, and prints throughput (messages/s, MB/s), peak RSS and the
# ratio to the baseline; every figure is also appended to
# bench-results.csv in the build directory, so that runs can be compared.
# Nothing here passes or fails on a time: benchmarks measure.
#
# Environment:
#   BENCH_N      messages in the batch (default 100000; about 18 KB each)
#   BENCH_KEEP   set to keep the scratch directory (its path is printed)
#   BENCH_CSV    results file (default ./bench-results.csv)
#   BENCH_ONLY   a shell pattern: run only the sections whose name
#                matches (e.g. 'ceb-validate*'; "none" for bench.sh's own)
#   TMPDIR       where the scratch directory goes
#   BENCH_CEILING  the bare-parse program (make bench builds
#                tests/bench/sax-ceiling and sets it)
#
# Sections.  After its own sections, bench.sh runs every
# tests/bench/<name>.sh (names starting with "_" are helpers, not
# sections), in name order, each with /bin/sh in its own empty directory
# BENCH_DIR, the built tools first on PATH, and these variables exported:
#   BENCH_N        as above
#   BENCH_BATCH    the batch: one stream file, plain XML, BENCH_MESSAGES
#                  documents, BENCH_BYTES bytes (import and export
#                  parcels, a realistic mix of 1..100 records a message)
#   BENCH_BATCH_DIR  the same messages as one file per message
#   BENCH_KEY      its answer key (the batch is clean: header only)
#   BENCH_MANIFEST_CSV, BENCH_MANIFEST_XML  the carrier manifests of the
#                  batch's export parcels (CSV, and MT2x01/MT4x01 stream)
#   BENCH_MESSAGES, BENCH_BYTES
#   BENCH_GEN      the ceb-gen options that made it ("ceb-gen $BENCH_GEN")
#   BENCH_CSV, BENCH_RUN  the results file and this run's id
#   BENCH_LIB      tests/bench/_lib.sh, to source for bench_measure and
#                  bench_row (see that file): a section prints its rows
#                  with bench_row, so that every row lands in the CSV with
#                  the same columns
# A section prints a heading line "== <tool>: <what>" and then its rows;
# it may make batches of its own (with ceb-gen) when it needs another
# shape.  Its exit status is reported, not judged.
set -u
LC_ALL=C.UTF-8
export LC_ALL
top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_srcdir=$top
BENCH_N=${BENCH_N:-100000}
BENCH_CSV=${BENCH_CSV:-$(pwd)/bench-results.csv}
BENCH_RUN=$(date -u +%Y-%m-%dT%H:%M:%SZ)
BENCH_LIB=$top/tests/bench/_lib.sh
PATH=$(pwd):$PATH
export BENCH_N BENCH_CSV BENCH_RUN BENCH_LIB PATH top_srcdir
. "$BENCH_LIB"

if ! command -v ceb-gen >/dev/null 2>&1; then
	echo "bench: ceb-gen not built" >&2
	exit 2
fi
S=$(mktemp -d "${TMPDIR:-/tmp}/cebbench.XXXXXX") || exit 2
if [ -n "${BENCH_KEEP:-}" ]; then
	echo "scratch: $S"
else
	trap 'rm -rf "$S"' EXIT INT TERM
fi
echo "cebtools benchmark $BENCH_RUN, BENCH_N=$BENCH_N, results in $BENCH_CSV"
[ -x /usr/bin/time ] ||
    echo "note: /usr/bin/time missing (install the time package); peak RSS is polled from /proc"

# About 0.55 messages per import parcel and 2 per export parcel in the
# realistic mix: four fifths of the messages import, one fifth export.
parcels_for() {
	# parcels_for MESSAGES: ceb-gen options for about that many messages
	echo "-s 1 -n $(($1 * 145 / 100)) -e $(($1 / 10))"
}
msgs_of() {
	sed -n 's/^ceb-gen: \([0-9]*\) messages.*/\1/p' "$1"
}
bytes_of() {
	wc -c <"$1" | tr -d ' '
}

# ---- the batch, and ceb-gen itself against reading it back --------------
echo "== ceb-gen: the batch"
BENCH_GEN=$(parcels_for "$BENCH_N")
BENCH_BATCH=$S/batch.xml
BENCH_KEY=$S/key.csv
BENCH_MANIFEST_CSV=$S/manifest.csv
BENCH_MANIFEST_XML=$S/manifest.xml
# shellcheck disable=SC2086
bench_measure "$S/gen" ceb-gen $BENCH_GEN -o "$BENCH_BATCH" -k "$BENCH_KEY" \
    -m "$BENCH_MANIFEST_CSV" -x "$BENCH_MANIFEST_XML"
BENCH_MESSAGES=$(msgs_of "$S/gen.err")
BENCH_BYTES=$(bytes_of "$BENCH_BATCH")
gen_secs=$BENCH_SECS gen_cpu=$BENCH_CPU gen_rss=$BENCH_RSS
echo "  ceb-gen $BENCH_GEN: $BENCH_MESSAGES messages, $BENCH_BYTES bytes"
bench_measure "$S/cat" ceb-cat -q "$BENCH_BATCH"
bench_row ceb-gen "read back (ceb-cat)" - "$BENCH_MESSAGES" "$BENCH_BYTES"
BENCH_SECS=$gen_secs BENCH_CPU=$gen_cpu BENCH_RSS=$gen_rss BENCH_STATUS=0
bench_row ceb-gen "generate" "read back (ceb-cat)" "$BENCH_MESSAGES" \
    "$BENCH_BYTES"
BENCH_BATCH_DIR=$S/batch.d
# shellcheck disable=SC2086
ceb-gen -q $BENCH_GEN -d -o "$BENCH_BATCH_DIR" 2>/dev/null
export BENCH_BATCH BENCH_BATCH_DIR BENCH_KEY BENCH_MANIFEST_CSV \
    BENCH_MANIFEST_XML BENCH_MESSAGES BENCH_BYTES BENCH_GEN

# ---- the foundation: ceb-cat against xmllint --stream on the same bytes --
echo "== ceb-cat: framing and parsing against xmllint --stream --noout"
if command -v xmllint >/dev/null 2>&1; then
	# xmllint reads one document per file: both read the directory form.
	dbytes=$(find "$BENCH_BATCH_DIR" -name '*.xml' -exec cat {} + | wc -c |
	    tr -d ' ')
	bench_measure "$S/xl" sh -c 'cd "$1" && ls | xargs xmllint --stream --noout' \
	    sh "$BENCH_BATCH_DIR"
	bench_row ceb-cat "xmllint --stream (files)" - "$BENCH_MESSAGES" "$dbytes"
	# Output to /dev/null, as xmllint --noout writes nothing.
	bench_measure "$S/cd" sh -c 'ceb-cat -q "$1" >/dev/null' sh \
	    "$BENCH_BATCH_DIR"
	bench_row ceb-cat "ceb-cat (files)" "xmllint --stream (files)" \
	    "$BENCH_MESSAGES" "$dbytes"
	# Wall clock is noisy on a shared machine: CPU time, and instructions
	# counted by callgrind on the first 400 files, compare more steadily.
	awk -F, -v r="$BENCH_RUN" '$1 == r && $5 == "ceb-cat" { c[$6] = $10 }
	    END { a = c["ceb-cat (files)"]; b = c["xmllint --stream (files)"]
		if (b > 0) printf "  CPU seconds (user+sys) ceb-cat / xmllint: %.2f / %.2f = %.2f\n", a, b, a / b }' \
	    "$BENCH_CSV"
	if command -v valgrind >/dev/null 2>&1; then
		mkdir -p "$S/cg"
		(cd "$BENCH_BATCH_DIR" && ls | head -n 400 | xargs -I{} cp {} "$S/cg/")
		ir() { sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$1"; }
		(cd "$S/cg" && valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		    xmllint --stream --noout ./*.xml) >/dev/null 2>"$S/cg-xl.err"
		valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		    ceb-cat -q "$S/cg" >/dev/null 2>"$S/cg-cat.err"
		awk -v a="$(ir "$S/cg-cat.err")" -v b="$(ir "$S/cg-xl.err")" 'BEGIN {
		    if (b > 0) printf "  instructions on 400 files (callgrind) ceb-cat / xmllint: %d / %d = %.2f\n", a, b, a / b }'
	fi
else
	echo "  xmllint not found: no baseline"
fi
bench_measure "$S/cs" ceb-cat -q "$BENCH_BATCH"
bench_row ceb-cat "ceb-cat (stream)" - "$BENCH_MESSAGES" "$BENCH_BYTES"
# The ceiling: a bare SAX parse (libxml2, no callbacks, no tree) of the
# same messages wrapped in one document (their XML declarations dropped),
# by tests/bench/sax-ceiling; ceb-cat reads the stream itself, its output
# discarded as the ceiling has none.  No reader of these bytes through
# libxml2 can beat the ceiling; ceb-cat's accept-only check
# (common/fastwf.h) keeps libxml2 away from the documents it can prove
# well-formed, so ceb-cat is also measured without it
# (CEBTOOLS_FAST_WF=0: libxml2 parses every document).
if [ -n "${BENCH_CEILING:-}" ] && [ -x "$BENCH_CEILING" ]; then
	{
		echo '<b:Batch xmlns:b="urn:cebtools:bench">'
		awk '/^<\?xml/ { next } { print }' "$BENCH_BATCH"
		echo '</b:Batch>'
	} >"$S/wrapped.xml"
	bench_measure "$S/ceil" "$BENCH_CEILING" "$S/wrapped.xml"
	bench_row ceb-cat "bare SAX parse (ceiling)" - "$BENCH_MESSAGES" \
	    "$(bytes_of "$S/wrapped.xml")" "exit $BENCH_STATUS"
	bench_measure "$S/cn" sh -c 'ceb-cat -q "$1" >/dev/null' sh \
	    "$BENCH_BATCH"
	bench_row ceb-cat "ceb-cat (stream; no output)" \
	    "bare SAX parse (ceiling)" "$BENCH_MESSAGES" "$BENCH_BYTES"
	bench_measure "$S/cn0" sh -c \
	    'CEBTOOLS_FAST_WF=0 ceb-cat -q "$1" >/dev/null' sh "$BENCH_BATCH"
	bench_row ceb-cat "ceb-cat (stream; no output; CEBTOOLS_FAST_WF=0)" \
	    "bare SAX parse (ceiling)" "$BENCH_MESSAGES" "$BENCH_BYTES"
	rm -f "$S/wrapped.xml"
	awk -F, -v r="$BENCH_RUN" '$1 == r && $5 == "ceb-cat" {
		c[$6] = $10; b[$6] = $8; w[$6] = $12 }
	    END { k = "ceb-cat (stream; no output)"; x = "bare SAX parse (ceiling)"
		o = "ceb-cat (stream; no output; CEBTOOLS_FAST_WF=0)"
		if (c[k] > 0 && c[x] > 0 && c[o] > 0)
		printf "  MB/s per CPU second: ceb-cat %.0f, with CEBTOOLS_FAST_WF=0 %.0f, bare SAX parse %.0f (ceb-cat / ceiling %.2f); by the wall: %s, %s, %s (the issue aims at 350 MB/s for ceb-cat)\n",
		    b[k] / 1048576 / c[k], b[o] / 1048576 / c[o],
		    b[x] / 1048576 / c[x], (b[k] / c[k]) / (b[x] / c[x]),
		    w[k], w[o], w[x] }' "$BENCH_CSV"
else
	echo "  no tests/bench/sax-ceiling (make bench builds it): no ceiling"
fi
bench_measure "$S/cl" ceb-cat -q -l "$BENCH_BATCH"
bench_row ceb-cat "ceb-cat -l (stream)" "ceb-cat (stream)" \
    "$BENCH_MESSAGES" "$BENCH_BYTES"
# Memory must not grow with the input: the same reader on a tenth.
small=$((BENCH_N / 10))
[ "$small" -lt 100 ] && small=100
# shellcheck disable=SC2046
ceb-gen $(parcels_for "$small") -o "$S/small.xml" 2>"$S/small.err"
bench_measure "$S/cm" ceb-cat -q "$S/small.xml"
bench_row ceb-cat "ceb-cat (stream N/10)" "ceb-cat (stream)" \
    "$(msgs_of "$S/small.err")" "$(bytes_of "$S/small.xml")"
awk -F, -v r="$BENCH_RUN" '$1 == r && $5 == "ceb-cat" &&
    $6 ~ /^ceb-cat \(stream/ { rss[$6] = $13 }
    END { a = rss["ceb-cat (stream)"]; b = rss["ceb-cat (stream N/10)"]
	if (b > 0) printf "  peak RSS at N / at N/10: %.2f (flat memory: about 1)\n", a / b }' \
    "$BENCH_CSV"

# ---- tools without a section of their own: against ceb-cat --------------
for t in ceb-validate ceb-reconcile ceb-quota-check ceb-manifest-writeoff; do
	command -v "$t" >/dev/null 2>&1 || continue
	[ -s "$top/tests/bench/$t.sh" ] && continue
	# shellcheck disable=SC2254
	case $t in ${BENCH_ONLY:-*}) ;; *) continue ;; esac
	echo "== $t: default options against ceb-cat (no section of its own)"
	mkdir -p "$S/$t"
	(cd "$S/$t" && bench_measure "$S/$t/run" "$t" -q "$BENCH_BATCH" &&
	    bench_row "$t" "$t -q" - "$BENCH_MESSAGES" "$BENCH_BYTES")
done

# ---- the sections of the tools ---------------------------------------
for f in "$top"/tests/bench/*.sh; do
	[ -f "$f" ] || continue
	case ${f##*/} in _*) continue ;; esac
	[ -s "$f" ] || continue
	name=${f##*/}
	name=${name%.sh}
	# shellcheck disable=SC2254
	case $name in ${BENCH_ONLY:-*}) ;; *) continue ;; esac
	BENCH_DIR=$S/section-$name
	mkdir -p "$BENCH_DIR"
	export BENCH_DIR
	(cd "$BENCH_DIR" && /bin/sh "$f")
	st=$?
	[ $st -ne 0 ] && echo "  (section $name exited $st)"
done
echo "results appended to $BENCH_CSV"
exit 0
