#!/bin/sh
# run.sh: run libFuzzer targets one after another (make fuzz).
#   sh fuzz/run.sh SRCDIR BUILDDIR TARGET...
# Each target fuzz/fuzz-TARGET runs for $FUZZ_SECONDS (default 60) in one
# process, on a corpus in BUILDDIR/fuzz-corpus/TARGET seeded from the
# fixtures (fuzz/seed.sh), with the CEB dictionary for the XML targets.
# Crashes land in BUILDDIR/fuzz-artifacts/TARGET/, the log in
# BUILDDIR/fuzz-logs/TARGET.log.  Prints one line per target: runs,
# coverage (edges), features, corpus size, and whether it found anything.
# Exits 1 when any target found a crash, leak or failed check.
set -u
src=$1 build=$2
shift 2
secs=${FUZZ_SECONDS:-60}
rc=0
cd "$build" || exit 2
mkdir -p fuzz-logs
for t in "$@"; do
	bin=fuzz/fuzz-$t
	corpus=fuzz-corpus/$t
	art=fuzz-artifacts/$t/
	mkdir -p "$corpus" "$art"
	sh "$src/fuzz/seed.sh" "$src" "$t" "$corpus" || exit 2
	dict=
	case $t in stream|msg|emit|validate|reconcile|validate-receipt|quota|fastwf) dict=-dict=$src/fuzz/ceb.dict;; esac
	case $t in writeoff) dict=-dict=$src/fuzz/ceb.dict;; esac
	# shellcheck disable=SC2086
	"$bin" $dict -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$art" ${FUZZ_FLAGS:-} \
	    "$corpus" >"fuzz-logs/$t.log" 2>&1
	st=$?
	last=$(grep -E '^#[0-9]+' "fuzz-logs/$t.log" | tail -1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "fuzz-logs/$t.log")
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p')
	if [ "$st" = 0 ]; then
		verdict="nothing found"
	else
		verdict="FOUND (exit $st): see fuzz-logs/$t.log, $art"
		rc=1
	fi
	echo "fuzz-$t: ${secs}s, ${runs:-?} runs, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}: $verdict"
done
exit $rc
