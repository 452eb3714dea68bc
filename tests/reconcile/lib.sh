# lib.sh: shared by the tests/reconcile/*.test scripts (TAP, plan at the
# end).  Sourced; sets $T to a fresh scratch directory removed on exit.
set -u
LC_ALL=C.UTF-8
export LC_ALL
unset CEBTOOLS_CONFIG CEB_RECONCILE_OPTIONS 2>/dev/null || :
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/reconcile-test.XXXXXX") || tap_broken "mktemp failed"
trap 'rm -rf "$T"' EXIT INT TERM
ntest=0

ok() {
	ntest=$((ntest + 1))
	echo "ok $ntest - $*"
}

notok() {
	ntest=$((ntest + 1))
	echo "not ok $ntest - $*"
}

# check DESCRIPTION COMMAND...: one test point from a command's status.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else notok "$desc"; fi
}

# same DESCRIPTION FILE1 FILE2: files equal (a diff goes to the log).
same() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		notok "$1"
		diff -u "$2" "$3" 2>&1 | head -20 | sed 's/^/# /'
	fi
}

done_testing() {
	echo "1..$ntest"
	exit 0
}

# The rec- defect kinds of ceb-gen, each at rate $1.
rec_defects() {
	for k in rec-missing-order rec-missing-payment rec-missing-waybill \
	    rec-amount-mismatch rec-buyer-mismatch rec-consignee-mismatch \
	    rec-line-mismatch; do
		printf ' --%s=%s' "$k" "$1"
	done
}

# Findings of a report as "key,rule" for the given severities (regex),
# sorted.  The columns before detail hold no commas in these tests.
findings() {
	awk -F, -v sev="$2" 'NR > 1 && $10 ~ sev { print $8 "," $9 }' "$1" |
	    sort
}

# The records of a stream as "type,guid,key" (sorted), for comparing
# outputs regardless of order and framing.
records() {
	ceb-cat -q -l "$@" | awk -F, 'NR > 1 { print $4 "," $5 "," $7 }' |
	    sort
}
