#!/bin/sh
# answer-key.sh: on ceb-gen batches, every injected quota defect is found
# with its rule at its record, and nothing else is (no false positives);
# a clean batch passes whole.  Seed 8 is written in real senders' shapes
# (ceb-gen --sender-shapes): the answers must not change.  TAP.
set -u
LC_ALL=C.UTF-8
export LC_ALL
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/quota/lib.sh"
. "$top/tests/lib/tap.sh"
tap_need ceb-gen
T=$(mktemp -d "${TMPDIR:-/tmp}/quota-key.XXXXXX") || tap_broken "mktemp failed"
trap 'rm -rf "$T"' EXIT INT TERM
echo "1..6"
cd "$T" || exit 1

# rule of each defect kind
rules() {
	awk -F, 'NR > 1 {
		r = ""
		if ($5 == "quota-over-single") r = "Q-LIM-001"
		if ($5 == "quota-over-annual") r = "Q-LIM-002"
		if ($5 == "quota-single-item") r = "Q-LIM-003"
		if (r != "") print $1 "," $2 "," $3 "," r
	}' "$1" | sort
}
found() {
	awk -F, 'NR > 1 && $9 ~ /^Q-LIM-00[123]$/ { print $2 "," $3 "," $7 "," $9 }' \
	    "$1" | sort
}

for s in 3 8; do
	shapes=
	[ $s = 8 ] && shapes=--sender-shapes
	ceb-gen -q -s $s -n 3000 -D quota-over-single=1% \
	    -D quota-over-annual=0.5% -D quota-single-item=1% --receipts 1 \
	    $shapes -k key$s.csv -o night$s.xml ||
	    tap_broken "ceb-gen -s $s failed"
	tap_records CEB621 3000 night$s.xml
	ceb-quota-check -q --ledger l$s -r rep$s.csv night$s.xml >out$s.xml
	st=$?
	rules key$s.csv >want$s
	found rep$s.csv >got$s
	[ -s want$s ] && cmp -s want$s got$s
	ok $? "seed $s$shapes: each of $(wc -l <want$s) injected quota defects found at its record, nothing else"
	[ $st = 1 ] && [ "$(grep -c ',Q-INV-001,' rep$s.csv)" = 0 ]
	ok $? "seed $s: exit status 1, every inventory could be judged"
done

ceb-gen -q -s 4 -n 2000 --receipts 1 -k key4.csv -o clean.xml ||
    tap_broken "ceb-gen -s 4 failed"
tap_records CEB621 2000 clean.xml
ceb-quota-check -q --ledger lc -r repc.csv clean.xml >outc.xml
st=$?
[ $st = 0 ] && [ -z "$(found repc.csv)" ]
ok $? "a clean batch: no limit finding, exit status 0"
ceb-cat -q clean.xml | cmp -s - outc.xml
ok $? "a clean batch passes byte for byte"
exit 0
