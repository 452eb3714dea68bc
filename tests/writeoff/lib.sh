# lib.sh: helpers for the ceb-manifest-writeoff shell tests (TAP).
set -u
LC_ALL=C.UTF-8
export LC_ALL
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
M=$top/testdata/manifest
. "$top/tests/lib/tap.sh"
n=0
ok() {	# ok DESCRIPTION (status of the last test command in $?)
	n=$((n + 1))
	echo "ok $n - $1"
}
notok() {
	n=$((n + 1))
	echo "not ok $n - $1"
}
check() {	# check DESCRIPTION COMMAND...
	d=$1
	shift
	if "$@"; then ok "$d"; else notok "$d"; fi
}
# What the state of a state directory holds (its store, DIR/state.db).
state_dump() {
	sh "$top/tests/state-dump.sh" "$1/state.db"
}
scratch() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/writeoff.XXXXXX") || exit 99
	trap 'rm -rf "$T"' EXIT INT TERM
}
