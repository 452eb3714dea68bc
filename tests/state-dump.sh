#!/bin/sh
# state-dump.sh: what a cebtools store (cebtools-state(5)) holds, as text
# that two stores with the same state print alike.
#
#   sh tests/state-dump.sh FILE
#
# Every table of the tool's state, "== table" then its rows as CSV, in
# insertion order (rowid tables) or key order (WITHOUT ROWID tables).
# Left out: what tells runs apart rather than the state -- the tables
# meta, runs, documents and set_aside, and the columns run, seq,
# last_event and mac (run ids and event numbers differ between a state
# reached in two runs and the same state reached in three).
# ceb-reconcile's tables (cebtools-state(5)) likewise without run ids
# (reconcile_runs, added) or row ids, and without the rows the latest run
# took out (kept only to redo it): a waiting record is named by its
# message's digest and its record number; ceb-manifest-writeoff's wo_prev_
# tables likewise (the state before the latest run, kept to redo it).
set -eu
db=${1:?usage: state-dump.sh FILE}
[ -s "$db" ] || exit 0
for t in $(sqlite3 "$db" "SELECT name FROM sqlite_master WHERE
    type = 'table' AND name NOT IN ('meta', 'runs', 'documents',
    'set_aside', 'reconcile_runs') AND name NOT LIKE 'sqlite_%' AND
    name NOT LIKE 'wo_prev_%'
    ORDER BY name"); do
	case $t in
	waiting)
		echo "== $t"
		sqlite3 -csv "$db" "SELECT m.digest, w.record, w.type,
		    w.first_seen, w.hash, w.ebpCode, w.orderNo,
		    w.logisticsCode, w.logisticsNo, w.payCode,
		    w.payTransactionId FROM waiting w JOIN messages m ON
		    m.id = w.msg WHERE w.removed IS NULL ORDER BY m.seq,
		    m.digest, w.record"
		continue ;;
	messages|matched)
		cols=$(sqlite3 "$db" "SELECT group_concat(name, ', ') FROM
		    pragma_table_info('$t') WHERE name NOT IN ('id', 'seq', 'mac',
		    'added')")
		where=
		[ $t = messages ] && where="WHERE id IN (SELECT msg FROM
		    waiting WHERE removed IS NULL)"
		echo "== $t"
		sqlite3 -csv "$db" "SELECT $cols FROM \"$t\" $where
		    ORDER BY $cols"
		continue ;;
	esac
	cols=$(sqlite3 "$db" "SELECT group_concat(name, ', ') FROM
	    pragma_table_info('$t') WHERE name NOT IN ('run', 'seq',
	    'last_event', 'mac')")
	if sqlite3 "$db" "SELECT rowid FROM \"$t\" LIMIT 0" >/dev/null 2>&1
	then
		order=rowid
	else
		order=$cols
	fi
	echo "== $t"
	sqlite3 -csv "$db" "SELECT $cols FROM \"$t\" ORDER BY $order"
done
