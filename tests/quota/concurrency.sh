#!/bin/sh
# concurrency.sh: runs on one store are serialised (common/store.h): a
# second run waits for the first, at most --lock-timeout seconds, then
# exits 2 naming the holder and changing nothing; runs racing on one
# store never lose or double an update; removing the files beside the
# store (-wal, -shm, a lock file) while runs go on and wait loses
# nothing; a store removed during a run is trouble, not a silent loss.
# TAP.
set -u
LC_ALL=C.UTF-8
export LC_ALL
unset CEBTOOLS_LOCK_TIMEOUT 2>/dev/null || :
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/quota/lib.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/quota-conc.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
echo "1..12"

for k in 1 2 3 4; do
	awk -v n=1500 -v seed=2$k -v buyers=300 -v tag=K$k -v rel=0.1 \
	    -v off=${k}00000 -f "$top/tests/quota/gen.awk" >"$T/b$k.xml"
done

# hold FIFO STORE [FILES...]: a run on STORE that has the store and waits
# for its input on FIFO (opened for writing on descriptor 3): it holds
# the store until "exec 3>&-".  Sets $holder.  Returns once the run holds
# the store's lock (an OFD lock at byte 0x7fff00000000 = 140733193388032
# of the store's inode in /proc/locks), after a bounded number of polls.
locked() {
	[ -e "$1" ] &&
	    grep -q ":$(stat -c %i "$1") 140733193388032 " /proc/locks
}
hold() {
	f=$1 st=$2
	shift 2
	mkfifo "$f"
	ceb-quota-check -q --ledger "$st" "$@" - <"$f" >"$T/ho" 2>"$T/he" &
	holder=$!
	exec 3>"$f"
	i=0
	while [ $i -lt 6000 ] && ! locked "$st"; do
		sleep 0.01
		i=$((i + 1))
	done
	locked "$st" || echo "# the run on $st never took its lock"
}

ceb-quota-check -q --ledger "$T/l" "$T/b1.xml" >/dev/null
dump "$T/l" >"$T/l.before"
hold "$T/f1" "$T/l"
ceb-quota-check -q --lock-timeout 0.3 --ledger "$T/l" "$T/b2.xml" 3>&- \
    >"$T/o2" 2>"$T/e2"
s2=$?
exec 3>&-
wait $holder
[ $s2 = 2 ] && grep -q "in use by process $holder (waited 0.3 s" "$T/e2"
ok $? "a second run waits --lock-timeout, then exits 2 naming the holder ($holder)"
[ ! -s "$T/o2" ] && dump "$T/l" | cmp -s "$T/l.before" -
ok $? "... writes nothing and leaves the store as it was"

# Four runs at once on the same store: each waits its turn and runs.
rm -f "$T/l" "$T/l-wal" "$T/l-shm"
for k in 1 2 3 4; do
	(ceb-quota-check -q --ledger "$T/l" "$T/b$k.xml" >"$T/o$k" 2>"$T/e$k";
	    echo $? >"$T/s$k") &
done
wait
bad=0
for k in 1 2 3 4; do
	case $(cat "$T/s$k") in 0|1) ;; *) bad=1 ;; esac
done
[ $bad = 0 ]
ok $? "four runs at once each wait their turn and complete"
rows=$(nrows "$T/l")
[ "$rows" = 6000 ]
ok $? "every inventory of the four batches is in the store ($rows rows)"
dups=$(sqlite3 "$T/l" "SELECT count(*) FROM (SELECT copno FROM inventories
    GROUP BY copno HAVING count(*) > 1)")
[ "$dups" = 0 ]
ok $? "no inventory is in the store twice"
runs=$(sqlite3 "$T/l" "SELECT count(*) FROM runs")
[ "$runs" = 4 ]
ok $? "four runs recorded ($runs)"
ceb-quota-check --ledger "$T/l" --check >/dev/null
ok $? "the store left by the race passes --check"

# The files beside the store removed while one run goes on and another
# waits: both runs complete, nothing is lost or counted twice.
rm -f "$T/m" "$T/m-wal" "$T/m-shm"
hold "$T/f2" "$T/m" "$T/b1.xml"
ceb-quota-check -q --ledger "$T/m" "$T/b2.xml" >/dev/null 2>"$T/ew" 3>&- &
waiter=$!
i=0	# until the waiter has the store open (and waits for the lock)
while [ $i -lt 2000 ] && ! ls -l /proc/$waiter/fd 2>/dev/null |
    grep -q " $T/m\$"; do
	sleep 0.01
	i=$((i + 1))
done
rm -f "$T/m-wal" "$T/m-shm" "$T/m.lock"
exec 3>&-
wait $holder
sh_=$?
wait $waiter
sw=$?
[ $sh_ -le 1 ] && [ $sw -le 1 ]
ok $? "-wal and -shm removed mid-run: both runs complete (status $sh_, $sw)"
sed "s/^/# /" "$T/ew"
rows=$(nrows "$T/m")
[ "$rows" = 3000 ]
ok $? "... both batches are in the store, once ($rows rows)"
ceb-quota-check --ledger "$T/m" --check >/dev/null &&
    [ "$(sqlite3 "$T/m" 'PRAGMA integrity_check')" = ok ]
ok $? "... the store passes --check and integrity_check"

# The store itself removed (moved away) during a run: trouble, and the
# run's work is not committed into a file nobody will read.
hold "$T/f3" "$T/m" "$T/b3.xml"
mv "$T/m" "$T/m.moved"
exec 3>&-
wait $holder
sm=$?
[ $sm = 2 ] && grep -q "removed or replaced during the run" "$T/he"
ok $? "a store removed during a run: exit 2, nothing committed (status $sm)"
sed "s/^/# /" "$T/he"
[ "$(nrows "$T/m.moved")" = 3000 ]
ok $? "... the moved store does not hold the run's inventories"
exit 0
