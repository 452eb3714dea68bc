#!/bin/sh
# kill.sh: the interrupted-runs harness of issue 9 (docs/hardening.md).
#
#   sh tests/kill/kill.sh [tool ...]         TAP on stdout
#
# For ceb-reconcile, ceb-quota-check and ceb-manifest-writeoff: a realistic
# two-night run made by ceb-gen; night 1 makes the state, night 2 is the
# run under test.  The reference is night 2 uninterrupted: its final state
# (what tests/state-dump.sh prints of the tool's SQLite store, and any
# other file in the state directory), report and output.
# Then, KILL_N times, night 2 starts again from night 1's state and is
# killed with SIGKILL at a random point, and run again to completion; the
# final state, report and output must equal the reference byte for byte
# (no canonicalisation but the store's run numbers: the runs are
# deterministic for a fixed --now, and a difference in row order or in a
# left-over temporary file is exactly what the harness is for).  When the
# killed run had already committed, its rerun is a redo (the same input):
# its report and output too must equal the reference.  KILL_N / 4 more
# runs get SIGTERM and as many
# SIGINT at random points: each must end by itself, with status 2, 130 or
# 143 (or 0/1 when the signal came too late to matter), leave the state
# old or new (never a mix) and no temporary file, and its rerun must equal
# the reference too.
#
# Kill points are system calls, not delays: an uninterrupted run is traced
# with strace(1) once; a point is a random index into its system calls,
# turned into "the Jth call of that name" and injected with strace
# -e inject=NAME:signal=KILL:when=J, so points spread over the whole run
# in proportion to its work: reading, judging, writing the output; and
# the commit of the state: a quarter of the SIGKILL points are drawn from
# the first state file created to the end, another quarter from the last
# state file created (the final step of the commit) to the end.  Without a
# working strace (or with KILL_NO_STRACE=1) the harness falls back to
# random delays over the length of a run.
#
# Randomness is seeded: KILL_SEED (default: from the clock) is printed
# first and again with every failure, with the command that replays the
# run (KILL_SEED=... KILL_N=... KILL_SIZE=... sh tests/kill/kill.sh TOOLS).  KILL_SIZE scales the
# data in per cent (default 100: 2,000 orders and 3,000 export parcels, about
# a second per run; make check uses 25).
set -u
LC_ALL=C
export LC_ALL
unset CEBTOOLS_CONFIG CEB_RECONCILE_OPTIONS CEB_QUOTA_CHECK_OPTIONS \
    CEB_MANIFEST_WRITEOFF_OPTIONS 2>/dev/null || :
N=${KILL_N:-8}
SIZE=${KILL_SIZE:-100}
seed=${KILL_SEED:-$(( $(date +%s) % 100000 + $$ ))}
seed0=$seed
tools=${*:-ceb-reconcile ceb-quota-check ceb-manifest-writeoff}
replay="KILL_SEED=$seed0 KILL_N=$N KILL_SIZE=$SIZE sh tests/kill/kill.sh $tools"
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/kill.XXXXXX") || tap_broken "mktemp failed"
trap 'rm -rf "$T"' EXIT INT TERM
ntest=0
ok() { ntest=$((ntest + 1)); echo "ok $ntest - $*"; }
notok() {
	ntest=$((ntest + 1))
	echo "not ok $ntest - $* (seed $seed0; replay: $replay)"
}
echo "# seed $seed0, $N kill points per tool, size $SIZE; replay: $replay"

tap_need ceb-gen
use_strace=0
if [ -z "${KILL_NO_STRACE:-}" ] && command -v strace >/dev/null 2>&1 &&
    strace -f -qq -o /dev/null -e inject=write:signal=KILL:when=1 \
    sh -c 'echo x' >/dev/null 2>&1; [ $? = 137 ]; then
	use_strace=1
else
	echo "# strace cannot inject signals here: random delays instead"
fi

# rand N: a number in 0..N-1 from the seeded generator (in $r).
rand() {
	seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
	r=$(( (seed / 65536) % $1 ))
}

# The data: two nights.
cd "$T" || exit 99
imp=$((20 * SIZE)) exp=$((30 * SIZE))
case " $tools " in *" ceb-reconcile "* | *" ceb-quota-check "*)
	ceb-gen -q -n "$imp" -s 9 --days 2 --start 20261101 \
	    --cancel-rate 0.05 --return-rate 0.05 \
	    --rec-amount-mismatch=0.02 --rec-missing-waybill=0.02 -o d ||
	    tap_broken "ceb-gen failed (import nights)"
	tap_records CEB621 "$imp" d ;;
esac
case " $tools " in *" ceb-manifest-writeoff "*)
	ceb-gen -q -s 21 -e "$exp" -n 0 --split 500 -x man.xml -m man.csv \
	    -o batch.xml --exp-not-departed=20 --exp-departed-unreleased=20 ||
	    tap_broken "ceb-gen failed (export batch)"
	tap_records CEB603 "$exp" batch.xml ;;
esac

# For each tool: night1 DIR, night2 DIR REPORT OUTPUT [COMMAND PREFIX...],
# logical DIR (the state the tool trusts, to classify old / new / mixed).
night1() {
	case $tool in
	ceb-reconcile)
		ceb-reconcile -q -s "$1" --max-age 3 --now 2026-11-01 \
		    -r /dev/null d/day1.xml >/dev/null ;;
	ceb-quota-check)
		mkdir -p "$1" &&
		ceb-quota-check -q --ledger "$1/ledger" -r /dev/null \
		    d/day1.xml >/dev/null ;;
	ceb-manifest-writeoff)
		ceb-manifest-writeoff -q --now 20250301 -s "$1" -g 5 \
		    batch.xml >/dev/null ;;
	esac
}
night2() {
	dir=$1 rep=$2 out=$3
	shift 3
	case $tool in
	ceb-reconcile)
		"$@" ceb-reconcile -q -s "$dir" --max-age 3 --now 2026-11-02 \
		    -r "$rep" d/day2.xml >"$out" ;;
	ceb-quota-check)
		"$@" ceb-quota-check -q --ledger "$dir/ledger" -r "$rep" \
		    d/day2.xml >"$out" ;;
	ceb-manifest-writeoff)
		"$@" ceb-manifest-writeoff -q --now 20250302 -s "$dir" -g 5 \
		    -m man.xml -m man.csv -r "$rep" batch.xml >"$out" ;;
	esac
}
logical() {
	case $tool in
	ceb-reconcile) sh "$top/tests/state-dump.sh" "$1/state.db" 2>/dev/null ;;
	ceb-quota-check) sh "$top/tests/state-dump.sh" "$1/ledger" 2>/dev/null ;;
	ceb-manifest-writeoff) sh "$top/tests/state-dump.sh" "$1/state.db" 2>/dev/null ;;
	esac
}
# snap DIR: the files of the state directory beside the SQLite store
# (cebtools-state(5)) and what the store holds, not its bytes (run numbers
# and times differ; -wal and -shm come and go with SQLite's checkpoints).
snap() {
	ls -A "$1" | grep -v -e '^ledger' -e '^state\.db' -e 'lock$'
	logical "$1"
}
# leftovers DIR: temporary files left in the state directory.
leftovers() {
	ls -A "$1" | grep -E '\.tmp|^tmp|\.new$|~$' || :
}

# one KIND: night 2 from night 1's state, interrupted as $how says
# (strace NAME J SIGNAL | delay MS SIGNAL), then rerun; sets $verdict.
one() {
	rm -rf k k.csv k.xml k2.csv k2.xml
	cp -R s1 k
	set -- $how
	if [ "$1" = strace ]; then
		night2 k k.csv k.xml strace -f -qq -o /dev/null -e trace="$2" \
		    -e inject="$2:signal=$4:when=$3" 2>k.err
		st=$?
	else
		night2 k k.csv k.xml 2>k.err &
		pid=$!
		sleep "$(awk -v ms="$2" 'BEGIN { printf "%.3f", ms / 1000 }')"
		kill -"$3" "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		st=$?
	fi
	logical k >k.logical
	if cmp -s k.logical s1.logical; then state=old
	elif cmp -s k.logical ref.logical; then state=new
	else state=mixed
	fi
	left=$(leftovers k)
	night2 k k2.csv k2.xml 2>k2.err
	snap k >k.snap
	verdict=identical
	if [ $state = mixed ]; then
		verdict="state mixed after the kill"
	elif ! cmp -s k.snap ref.snap; then
		verdict="final state differs"
	elif ! { cmp -s k2.csv ref.csv && cmp -s k2.xml ref.xml; }; then
		# Even after the killed run committed: the rerun redoes it
		# (the same input), with the same report and output.
		verdict="report or output differs"
	fi
	if [ "$sig" != KILL ]; then
		# A clean end: by itself with status 2, by the signal's
		# default action (130, 143), or the run was already past the
		# point where it matters (0, 1).  A temporary file left then
		# is counted (the rerun must have removed it: the final
		# state above holds every file).
		case $st in 0 | 1 | 2 | 130 | 143) ;;
		*) verdict="status $st after SIG$sig" ;;
		esac
	fi
	[ -z "$left" ] || tmpleft=$((tmpleft + 1))
}

for tool in $tools; do
	rm -rf s1 ref
	night1 s1
	logical s1 >s1.logical
	cp -R s1 ref
	t0=$(date +%s%N)
	night2 ref ref.csv ref.xml
	rs=$?
	t1=$(date +%s%N)
	ms=$(( (t1 - t0) / 1000000 + 10 ))
	if [ $rs -gt 1 ] || ! [ -s ref.csv ]; then
		notok "$tool: the reference night ran (status $rs)"
		continue
	fi
	logical ref >ref.logical
	snap ref >ref.snap
	if cmp -s s1.logical ref.logical; then
		notok "$tool: night 2 changes the state"
		continue
	fi
	# The trace of an uninterrupted night 2: one system call per line.
	total=0 commit=1
	if [ $use_strace = 1 ]; then
		rm -rf tr && cp -R s1 tr
		night2 tr /dev/null /dev/null strace -f -qq -y -o trace.raw
		grep -v -e 'resumed>' -e '^[0-9]* *+++' -e '^[0-9]* *---' \
		    trace.raw | sed 's/^[0-9]* *//' >trace
		total=$(wc -l <trace)
		# The commit: from the first state file created (not the
		# lock) to the end.
		grep -n -E '^(openat|open|creat|rename|renameat|renameat2|fsync|fdatasync|unlink|unlinkat)\(' trace |
		    grep -E '"tr/|</[^>]*/tr/' | grep -v -e 'lock[">]' -e 'O_RDONLY' |
		    cut -d: -f1 >writes
		commit=$(head -1 writes)
		commit=${commit:-1}
		# The last state file created: the final step of the commit.
		last=$(grep -n -E '^(openat|open|creat)\(.*O_CREAT' trace |
		    grep -E '"tr/' | grep -v 'lock"' | tail -1 | cut -d: -f1)
		last=${last:-$commit}
		if [ -n "$tool" ]; then
			# The SQLite store is opened first and written at the
			# commit: the commit is from the first write to its
			# write-ahead log, its final step the last sync.
			wal=ledger-wal
			[ $tool != ceb-quota-check ] && wal=state.db-wal
			commit=$(grep -n -E "^(pwrite64|write)\\([0-9]*</[^>]*/tr/$wal>" trace |
			    head -1 | cut -d: -f1)
			commit=${commit:-1}
			last=$(grep -n -E '^(fsync|fdatasync)\(' trace |
			    tail -1 | cut -d: -f1)
			last=${last:-$commit}
		fi
		echo "# $tool: night 2 makes $total system calls, the state is written from call $commit, its last file from call $last; a run takes about $ms ms"
	fi
	for sig in KILL TERM INT; do
		case $sig in
		KILL) n=$N ;;
		*) n=$(( (N + 3) / 4 )) ;;
		esac
		i=0 same=0 old=0 new=0 bad=0 late=0 tmpleft=0
		while [ $i -lt "$n" ]; do
			i=$((i + 1))
			if [ $use_strace = 1 ]; then
				if [ $sig = KILL ] && [ $((i % 4)) = 0 ]; then
					rand $((total - commit + 1))
					k=$((commit + r))
				elif [ $sig = KILL ] && [ $((i % 4)) = 2 ]; then
					rand $((total - last + 1))
					k=$((last + r))
				else
					rand "$total"
					k=$((r + 1))
				fi
				name=$(sed -n "${k}s/(.*//p" trace)
				j=$(head -n "$k" trace | grep -c "^$name(")
				how="strace $name $j $sig"
				where="call $k ($name #$j)"
			else
				rand $((ms + ms / 4))
				how="delay $r $sig"
				where="$r ms"
			fi
			one
			case $st in 137 | 130 | 143) ;; *) late=$((late + 1)) ;; esac
			if [ "$verdict" = identical ]; then
				same=$((same + 1))
				[ $state = old ] && old=$((old + 1))
				[ $state = new ] && new=$((new + 1))
			else
				bad=$((bad + 1))
				echo "# $tool: SIG$sig at $where (status $st, state $state): $verdict (seed $seed0)"
				head -3 k.err | sed 's/^/#   /'
			fi
		done
		desc="$tool: SIG$sig at $n points, $same identical (state old $old, new $new; $late ran to the end; $tmpleft left a temporary file the rerun removed)"
		if [ $bad = 0 ]; then ok "$desc"; else notok "$desc"; fi
	done
done
echo "1..$ntest"
