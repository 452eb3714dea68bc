#!/bin/sh
# ledger.sh: the inventories of a ceb-quota-check store as the CSV the
# ledger of the CSV releases held (header, then one row per inventory in
# the order judged), for golden tests.
#
#   sh tests/quota/ledger.sh STORE
set -eu
db=${1:?usage: ledger.sh STORE}
echo "person,year,date,invtNo,ebpCode,orderNo,ebcCode,agentCode,copNo,amount,lines,verdict,state,used,released,guid,events"
sqlite3 -list -separator , "$db" "SELECT person, year, date, invtno, ebp, orderno, ebc,
    agent, copno, amount, lines, verdict, state, used, released, guid,
    history FROM inventories ORDER BY id"
