#!/bin/sh
# nightly.sh: the nightly job over one day's directory of CEB messages.
#
#   examples/nightly.sh DAYDIR [WORKDIR]
#
# Merges everything that arrived (ceb-cat) and lists what the day holds.
# Later steps (validation, 三单对碰, quota, manifest write-off) join the
# pipeline as the tools land; see cebtools(7).
# Exit status: the worst status of the steps (0 all passed, 1 findings,
# 2 trouble).
set -u
day=${1:?usage: nightly.sh DAYDIR [WORKDIR]}
work=${2:-${TMPDIR:-/tmp}/cebtools-nightly}
mkdir -p "$work"
worst=0
note() { [ "$1" -gt "$worst" ] && worst=$1; }

echo "== merging $day"
ceb-cat -r "$work/cat.csv" "$day" >"$work/day.xml"
note $?
echo "== records in the day"
ceb-cat -q -l "$work/day.xml" | cut -d, -f4 | sed 1d | sort | uniq -c

echo "== results in $work (exit status $worst)"
exit $worst
