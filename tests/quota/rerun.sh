#!/bin/sh
# rerun.sh: reruns change nothing; a batch fed twice in one run counts
# once; shards concatenate to the unsharded run.  TAP.
set -u
LC_ALL=C.UTF-8
export LC_ALL
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/quota/lib.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/quota-rerun.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
echo "1..8"

awk -v n=2000 -v seed=5 -v buyers=300 -v tag=RA -v rel=0.25 \
    -f "$top/tests/quota/gen.awk" >"$T/a.xml"
awk -v n=2000 -v seed=6 -v buyers=300 -v tag=RB -v rel=0.25 -v off=500000 \
    -f "$top/tests/quota/gen.awk" >"$T/b.xml"

q() { ceb-quota-check -q "$@"; }
q --ledger "$T/l" -r "$T/r1" "$T/a.xml" "$T/b.xml" >"$T/o1"
dump "$T/l" >"$T/l1"
q --ledger "$T/l" -r "$T/r2" "$T/a.xml" "$T/b.xml" >"$T/o2"
dump "$T/l" | cmp -s "$T/l1" -
ok $? "a rerun leaves the ledger's state as it was"
cmp -s "$T/r1" "$T/r2" && cmp -s "$T/o1" "$T/o2"
ok $? "a rerun prints the same report and output"

# The same batch twice in one run: counted once.
q --ledger "$T/d" -r "$T/rd" "$T/a.xml" "$T/a.xml" >/dev/null
q --ledger "$T/s" "$T/a.xml" >/dev/null
dump "$T/d" >"$T/d.dump"
dump "$T/s" | cmp -s "$T/d.dump" -
ok $? "a batch given twice in one run is counted once"

# Two nights: a then b, the second night rerun; the ledger is stable.
q --ledger "$T/n" "$T/a.xml" >/dev/null
q --ledger "$T/n" -r "$T/rn1" "$T/b.xml" >"$T/on1"
dump "$T/n" >"$T/n1"
q --ledger "$T/n" -r "$T/rn2" "$T/b.xml" >"$T/on2"
dump "$T/n" | cmp -s "$T/n1" - && cmp -s "$T/rn1" "$T/rn2" && cmp -s "$T/on1" "$T/on2"
ok $? "the second night rerun changes nothing"
# A night writes its run's row, its rows and its quota events on a
# connection that does not check the foreign keys (qstore.c): every
# reference holds all the same.
[ -z "$(sqlite3 "$T/n" 'PRAGMA foreign_key_check')" ] &&
    [ -z "$(sqlite3 "$T/l" 'PRAGMA foreign_key_check')" ] &&
    [ "$(sqlite3 "$T/n" 'SELECT count(*) FROM quota_events')" -gt 0 ]
ok $? "every quota event names an inventory and a run of the store"

# Shards: three runs side by side equal one unsharded run.
for k in 1 2 3; do
	q --ledger "$T/sh$k" --shard $k/3 -r "$T/rs$k" "$T/a.xml" "$T/b.xml" >"$T/os$k"
done
for k in 1 2 3; do sed 1d "$T/rs$k"; done | sort >"$T/rs"
sed 1d "$T/r1" | sort | cmp -s - "$T/rs"
ok $? "the shards' reports together are the unsharded report"
cat "$T/os1" "$T/os2" "$T/os3" | ceb-cat -q -l | cut -d, -f5- | sort >"$T/cs"
ceb-cat -q -l "$T/o1" | cut -d, -f5- | sort | cmp -s - "$T/cs"
ok $? "the shards' outputs together hold the unsharded output's records"
total=0
for k in 1 2 3; do
	total=$((total + $(nrows "$T/sh$k")))
done
[ "$total" = "$(nrows "$T/l")" ]
ok $? "the shards' ledgers together hold every row ($total)"
exit 0
