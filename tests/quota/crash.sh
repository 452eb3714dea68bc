#!/bin/sh
# crash.sh: kill -9 ceb-quota-check at many random instants of a run, then
# run it again: the ledger left by the killed run must be the old one or
# the new one (never a mix), and the rerun must leave the same ledger and
# print the same report and output as a run that was never interrupted.
# States are compared as tests/state-dump.sh prints them (what the store
# holds, without run numbers and times).
# CRASH_RUNS sets the number of kills (default 30).  TAP.
set -u
LC_ALL=C.UTF-8
export LC_ALL
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/quota/lib.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/quota-crash.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
runs=${CRASH_RUNS:-30}
echo "1..$((runs * 2 + 3))"

awk -v n=1500 -v seed=11 -v buyers=400 -v tag=CA -v rel=0.2 \
    -f "$top/tests/quota/gen.awk" >"$T/a.xml"
awk -v n=4000 -v seed=12 -v buyers=400 -v tag=CB -v rel=0.2 -v off=100000 \
    -f "$top/tests/quota/gen.awk" >"$T/b.xml"
ceb-quota-check -q --ledger "$T/base" "$T/a.xml" >/dev/null
[ -s "$T/base" ]
ok $? "a base ledger exists"

run() {	# ledger report output
	ceb-quota-check -q --ledger "$1" -r "$2" "$T/b.xml" >"$3"
}
cp "$T/base" "$T/ref"
t0=$(date +%s%N)
run "$T/ref" "$T/ref.r" "$T/ref.o"
t1=$(date +%s%N)
# Kill instants are spread over the length of an uninterrupted run (and a
# little beyond); this is not a threshold, only where to aim.
span=$(( (t1 - t0) / 1000000 + 20 ))

dump "$T/base" >"$T/base.dump"
dump "$T/ref" >"$T/ref.dump"
# A store as it was: the file alone (a killed run leaves its -wal and
# -shm, which belong to the store they were written for).
restore() { rm -f "$T/l" "$T/l-wal" "$T/l-shm"; cp "$T/base" "$T/l"; }

# A crash after the ledger is committed but before any output is written.
restore
CEB_QUOTA_CHECK_CRASH_AFTER_COMMIT=1 run "$T/l" "$T/x.r" "$T/x.o" 2>/dev/null
dump "$T/l" | cmp -s "$T/ref.dump" -
ok $? "crash after commit: the ledger is the new one"
run "$T/l" "$T/y.r" "$T/y.o"
dump "$T/l" | cmp -s "$T/ref.dump" - && cmp -s "$T/y.r" "$T/ref.r" && cmp -s "$T/y.o" "$T/ref.o"
ok $? "crash after commit: the rerun reports and emits as the first run"

i=0
while [ $i -lt "$runs" ]; do
	i=$((i + 1))
	ms=$(awk -v s="$i" -v span="$span" 'BEGIN { srand(s * 7919); printf "%d", rand() * span }')
	restore
	ceb-quota-check -q --ledger "$T/l" -r "$T/x.r" "$T/b.xml" >"$T/x.o" &
	pid=$!
	sleep "$(awk -v ms="$ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	dump "$T/l" >"$T/l.dump"
	if cmp -s "$T/l.dump" "$T/base.dump"; then state=old
	elif cmp -s "$T/l.dump" "$T/ref.dump"; then state=new
	else state=mixed
	fi
	[ $state != mixed ]
	ok $? "kill at ${ms}ms: the ledger is the $state one"
	run "$T/l" "$T/y.r" "$T/y.o"
	dump "$T/l" | cmp -s "$T/ref.dump" - && cmp -s "$T/y.r" "$T/ref.r" &&
	    cmp -s "$T/y.o" "$T/ref.o"
	ok $? "kill at ${ms}ms: the rerun equals the uninterrupted run"
done
exit 0
