# tests/lib/tap.sh: sourced by the TAP shell tests.
#
# A test that cannot make its input -- its generator (ceb-gen,
# mkinstances.py) fails, a fixture is missing, a tool it runs is not there
# -- has not passed: it calls tap_broken, never "1..0 # SKIP" (a SKIP is
# only for what the machine cannot do, e.g. no reference folder beside the
# clone outside CI; see .ci/run for the SKIPs CI tolerates).
#
# tap_broken REASON...: prints "not ok - REASON" (numbered by the TAP
# reader after the test points already printed) and "Bail out! REASON",
# which ends the test script's TAP stream whether its plan came first or
# was still to come; then exits 1.  The test script counts as failed.
tap_broken() {
	echo "not ok - $*"
	echo "Bail out! $*"
	exit 1
}

# tap_need COMMAND...: tap_broken unless each COMMAND is on PATH.
tap_need() {
	for _tap_c in "$@"; do
		command -v "$_tap_c" >/dev/null 2>&1 ||
		    tap_broken "$_tap_c not found (built by make, or a package the README lists)"
	done
}

# tap_records TYPE MIN FILE-OR-DIR...: tap_broken unless the input holds at
# least MIN records of message type TYPE (e.g. CEB621), as ceb-cat -l counts
# them.  A test calls it on what its generator wrote before it judges
# anything, so that a batch cut short (or empty) cannot pass as a clean
# one.  For ceb-gen: -n N writes N CEB621 inventories (an order or payment
# may be left out on purpose, an inventory never; quota-over-annual adds
# parcels), -e N N CEB603.
tap_records() {
	_tap_t=$1 _tap_w=$2
	shift 2
	_tap_g=$(ceb-cat -q -l "$@" | awk -F, -v t="$_tap_t" \
	    'NR > 1 && $4 == t { n++ } END { print n + 0 }')
	[ "$_tap_g" -ge "$_tap_w" ] ||
	    tap_broken "$*: $_tap_g $_tap_t records, at least $_tap_w expected"
}
