#!/bin/sh
# concurrency.sh: a second run on a ledger that is in use exits 2 at once
# and changes nothing; runs racing on one ledger never lose or double an
# update (every inventory that was judged is in the ledger exactly once).
# TAP.
set -u
LC_ALL=C.UTF-8
export LC_ALL
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/quota/lib.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/quota-conc.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
echo "1..6"

for k in 1 2 3 4; do
	awk -v n=1500 -v seed=2$k -v buyers=300 -v tag=K$k -v rel=0.1 \
	    -v off=${k}00000 -f "$top/tests/quota/gen.awk" >"$T/b$k.xml"
done

# Hold the lock as a running job would: the second run must not wait.
ceb-quota-check -q --ledger "$T/l" "$T/b1.xml" >/dev/null
cp "$T/l" "$T/l.before"
flock "$T/l.lock" sh -c "ceb-quota-check -q --ledger '$T/l' '$T/b2.xml' >'$T/o2' 2>'$T/e2'; echo \$? >'$T/s2'"
[ "$(cat "$T/s2")" = 2 ] && grep -q "locked by another run" "$T/e2"
ok $? "a second run exits 2 while the ledger is locked"
[ ! -s "$T/o2" ] && cmp -s "$T/l" "$T/l.before"
ok $? "... writes nothing and leaves the ledger as it was"

# Four runs at once on the same ledger: each either runs or exits 2; the
# ones that exited 2 are run again afterwards.
rm -f "$T/l" "$T/l.lock"
for k in 1 2 3 4; do
	(ceb-quota-check -q --ledger "$T/l" "$T/b$k.xml" >"$T/o$k" 2>"$T/e$k";
	    echo $? >"$T/s$k") &
done
wait
bad=0 busy=0
for k in 1 2 3 4; do
	case $(cat "$T/s$k") in
	0|1) ;;
	2)	grep -q "locked by another run" "$T/e$k" || bad=1
		busy=$((busy + 1))
		ceb-quota-check -q --ledger "$T/l" "$T/b$k.xml" >/dev/null ;;
	*)	bad=1 ;;
	esac
done
[ $bad = 0 ]
ok $? "racing runs either complete or exit 2 ($busy found the ledger locked)"
rows=$(sed -n 's/^#end rows=\([0-9]*\) .*/\1/p' "$T/l")
[ "$rows" = 6000 ]
ok $? "every inventory of the four batches is in the ledger ($rows rows)"
dups=$(sed '1,2d;$d' "$T/l" | cut -d, -f9 | sort | uniq -d | wc -l)
[ "$dups" = 0 ]
ok $? "no inventory is in the ledger twice"
ceb-quota-check --ledger "$T/l" --query 33010619900101000X --year 2026 >/dev/null 2>&1 ||
    ceb-quota-check --ledger "$T/l" --query 33010619900101000X --year 2026
ok $? "the ledger left by the race passes its own check"
exit 0
