#!/bin/sh
# campaign.sh: a long fuzz campaign that survives sessions and counts CPU.
#
#   sh fuzz/campaign.sh DIR TARGET...
#
# DIR holds the campaign: build/ (a `configure CC=clang --enable-fuzz`
# build with the fuzz/fuzz-TARGET programs), corpus/TARGET/ (kept between
# runs; seeded by fuzz/seed.sh when empty), art/TARGET/ (what libFuzzer
# saves), logs/, and ledger.csv, one row per chunk:
#   start,target,wall,user,sys,runs,cov,ft,corpus,verdict
# Each round picks the target with the least CPU time so far (user + sys
# from the ledger) and fuzzes it for CHUNK wall seconds (default 600;
# less when fewer take it to GOAL) at nice 19, so the campaign takes
# only CPU nobody else wants.  It stops
# when every target has GOAL CPU seconds (default 1800, the 30 CPU-minutes
# of issue 9) or when DIR/stop exists.  Run two at once (disjoint target
# lists) on a two-core machine.  The per-input timeout is wall clock, so
# it is generous (120 s): at nice 19 on a loaded machine a 1-second input
# can wait many seconds for a CPU.
set -u
dir=$1
shift
src=$(cd "$(dirname "$0")/.." && pwd)
chunk=${CHUNK:-600}
goal=${GOAL:-1800}
cd "$dir" || exit 2
[ -f ledger.csv ] ||
	echo "start,target,wall,user,sys,runs,cov,ft,corpus,verdict" >ledger.csv
while [ ! -e stop ]; do
	best= bestcpu=
	for t in "$@"; do
		c=$(awk -F, -v t="$t" '$2 == t { s += $4 + $5 }
		    END { printf "%d", s }' ledger.csv)
		if [ -z "$best" ] || [ "$c" -lt "$bestcpu" ]; then
			best=$t bestcpu=$c
		fi
	done
	t=$best
	[ "$bestcpu" -ge "$goal" ] && break
	# A target close to its goal runs only as long as the goal needs.
	left=$((goal - bestcpu + 15))
	run=$chunk
	[ "$left" -lt "$run" ] && run=$left
	mkdir -p "corpus/$t" "art/$t" logs
	[ -n "$(ls "corpus/$t")" ] || sh "$src/fuzz/seed.sh" "$src" "$t" "corpus/$t"
	dict=
	case $t in
	stream|msg|emit|validate*|reconcile*|writeoff|quota) dict=-dict=$src/fuzz/ceb.dict ;;
	esac
	log=logs/$t.$(date -u +%Y%m%dT%H%M%S).log
	start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	# shellcheck disable=SC2086
	CEBTOOLS_DATADIR=$src /usr/bin/time -f 'TIME %e %U %S' \
	    nice -n 19 "build/fuzz/fuzz-$t" $dict -max_total_time="$run" \
	    -timeout=120 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="art/$t/" "corpus/$t" >"$log" 2>&1
	st=$?
	tm=$(grep '^TIME' "$log" | tail -n 1)
	wall=$(echo "$tm" | cut -d' ' -f2)
	usr=$(echo "$tm" | cut -d' ' -f3)
	sys=$(echo "$tm" | cut -d' ' -f4)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p')
	v=ok
	[ "$st" = 0 ] || v="FOUND($st):$log"
	echo "$start,$t,${wall:-0},${usr:-0},${sys:-0},${runs:-0},${cov:-},${ft:-},${corp:-},$v" >>ledger.csv
	if [ "$st" != 0 ] && [ -z "${KEEP_GOING:-}" ]; then
		echo "campaign: fuzz-$t found something: $dir/$log" >&2
		exit 1
	fi
done
