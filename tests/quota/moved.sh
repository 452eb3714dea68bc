#!/bin/sh
# moved.sh: inventories counted on one night and changed (appType 2) on
# the next, when the night writes a stored row again (qstore.c,
# write_row()): one moves to another quota year, one stays in its year
# with a new amount.  The rows, the buyers' totals, the buyer_year view
# and the index on (person, year) agree, and --check passes.  Then a
# night whose quota events wait until the commit (qstore.c,
# qstore_log()): an event whose time is not known (a receipt's
# returnTime that is not a time) is stored without one, not with the
# time of the event before it (a statement's parameters outlive it).
# TAP.
set -u
LC_ALL=C.UTF-8
export LC_ALL
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/quota/lib.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/quota-moved.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
cd "$T" || exit 1
echo "1..7"

D=360426199101010071
msg621 A0000000-0000-4000-8000-000000000801 \
    "$(inv 1C000000-0000-4000-8000-000000000801 QM0001 OM0001 $D 20251230 '1:1000.00')" \
    "$(inv 1C000000-0000-4000-8000-000000000802 QM0002 OM0002 $D 20251231 '1:500.00')" >n1.xml
msg621 A0000000-0000-4000-8000-000000000803 \
    "$(APPTYPE=2; inv 1C000000-0000-4000-8000-000000000803 QM0001 OM0001 $D 20260105 '1:1200.00')" \
    "$(APPTYPE=2; inv 1C000000-0000-4000-8000-000000000804 QM0002 OM0002 $D 20251231 '1:600.00')" >n2.xml
sq() { sqlite3 q.db "$1" | tr '\n' ' '; }

ceb-quota-check -q --ledger q.db n1.xml >/dev/null 2>n1.err
s1=$?
ceb-quota-check -q --ledger q.db -r n2.csv n2.xml >/dev/null 2>n2.err
s2=$?
[ "$s1" = 0 ] && [ "$s2" = 0 ]
ok $? "both nights pass (status $s1, $s2)"
got=$(sq "SELECT copno, year, amount, state FROM inventories ORDER BY copno")
[ "$got" = "QM0001|2026|1200.00|counted QM0002|2025|600.00|counted " ]
ok $? "the rows: one moved to 2026, one changed in 2025 ($got)"
got=$(sq "SELECT year, used, inventories, events FROM buyer_year ORDER BY year")
[ "$got" = "2025|600.00|1|5 2026|1200.00|1|1 " ]
ok $? "the buyer's years: totals, inventories and events ($got)"
got=$(sq "SELECT year, copno FROM inventories INDEXED BY inventories_buyer WHERE person = '$D' AND year IN (2025, 2026) ORDER BY year")
[ "$got" = "2025|QM0002 2026|QM0001 " ]
ok $? "the index by buyer and year names each row under its year ($got)"
ceb-quota-check --ledger q.db --check >c.out 2>c.err
ok $? "--check passes: $(cat c.out c.err | tr '\n' ' ')"
[ "$(grep -c 'Q-CHG-001,info' n2.csv)" = 2 ]
ok $? "the night's report gives each change (Q-CHG-001)"

msg621 A0000000-0000-4000-8000-000000000805 \
    "$(inv 1C000000-0000-4000-8000-000000000805 QM0003 OM0003 $D 20260110 '1:300.00')" >n3.xml
msg622 A0000000-0000-4000-8000-000000000806 1C000000-0000-4000-8000-000000000805 \
    QM0003 '' 100 2026 >>n3.xml
ceb-quota-check -q --ledger q.db -r n3.csv n3.xml >/dev/null 2>n3.err
s3=$?
got=$(sq "SELECT e.kind, e.time FROM quota_events e JOIN inventories i ON i.id = e.inventory WHERE i.copno = 'QM0003' ORDER BY e.seq")
[ "$s3" -le 1 ] && [ "$got" = "counted|20260110000000 released| " ]
ok $? "a release without a known time is stored without one (status $s3: $got)"
exit $_tap_fail
