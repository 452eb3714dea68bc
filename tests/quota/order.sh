#!/bin/sh
# order.sh: the judgment puts the night's events in its order of
# evaluation (judge.c, judge_run(); table.c, ev_order() and
# rec_permute(): a copy made in 4 MB parts), and a cancel or a return
# whose time comes before its inventory's waits for the inventory's
# judgment, then is read again by its place in that order.  A night of
# more events than one part holds (16,000 and more, 464 bytes each),
# once with every cancel, return and receipt dated after its inventory
# and once with all of them dated before every inventory: the same
# buyers' totals, the same cancels and returns given back, every one
# reported released, and both ledgers pass --check.  TAP.
set -u
LC_ALL=C.UTF-8
export LC_ALL
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/quota/lib.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/quota-order.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
cd "$T" || exit 1
echo "1..6"

# 3,000 buyers for 12,000 inventories of a few hundred yuan: no buyer
# comes near the annual limit, so the order of the releases cannot change
# a verdict, only when each is applied.
awk -v n=12000 -v seed=5 -v buyers=3000 -v tag=OR -v rel=0.3 \
    -f "$top/tests/quota/gen.awk" >after.xml
sed -e '/InvtCancel\|InvtRefund/ s/<ceb:appTime>[0-9]*</<ceb:appTime>20260301000000</' \
    -e '/InventoryReturn/ s/<returnTime>[0-9]*</<returnTime>20260301000000000</' \
    after.xml >before.xml
early=$(grep -c '<ceb:appTime>20260301000000<' before.xml)
ceb-quota-check -q --ledger base.db /dev/null >/dev/null 2>&1
for v in after before; do
	cp base.db $v.db
	cp base.db.key $v.db.key
	ceb-quota-check -q --ledger $v.db -r $v.csv $v.xml >$v.out 2>$v.err
	echo $? >$v.status
done
[ "$early" -gt 1000 ] && [ "$(cat after.status)" = 1 ] &&
    [ "$(cat before.status)" = 1 ]
ok $? "both nights judged, $early cancels and returns dated before every inventory (status $(cat after.status), $(cat before.status))"

# A part holds 4 MB of records: 9,039 of 464 bytes.
n=$(grep -c '^<?xml' before.xml)
[ "$n" -gt 9039 ]
ok $? "the night is larger than one part of the ordering ($n messages)"

sq() { sqlite3 "$1" "$2" | tr '\n' ' '; }
a=$(sq after.db "SELECT person, year, used FROM buyer_years ORDER BY 1, 2" | cksum)
b=$(sq before.db "SELECT person, year, used FROM buyer_years ORDER BY 1, 2" | cksum)
[ "$a" = "$b" ]
ok $? "the same buyers' totals ($a, $b)"

q="SELECT sum(kind = 'cancelled'), sum(kind = 'returned'), sum(kind = 'counted') FROM quota_events"
a=$(sq after.db "$q")
b=$(sq before.db "$q")
[ "$a" = "$b" ]
ok $? "the same cancels, returns and counts ($a; $b)"

a=$(grep -c ',Q-REL-001,' after.csv)
b=$(grep -c ',Q-REL-001,' before.csv)
[ "$a" = "$b" ] && [ "$b" -ge "$early" ]
ok $? "every cancel and return reported released ($a, $b)"

ceb-quota-check -q --ledger after.db --check >after.check 2>&1 &&
    ceb-quota-check -q --ledger before.db --check >before.check 2>&1
ok $? "both ledgers pass --check"
