#!/bin/sh
# rss.sh: run a command and, after its own output, print a verdict on its
# peak resident set size: "rss-ok" when it stayed under BOUND megabytes,
# "rss-high" otherwise.  Never prints the figure itself when it is within
# the bound, so golden output stays deterministic.
#   sh testdata/hostile/rss.sh BOUND command [arg ...]
# The exit status is the command's.  HOSTILE_RSS=skip (make valgrind,
# where the figure would be valgrind's) runs the command unmeasured and
# prints rss-ok.  AddressSanitizer's quarantine is kept small so that the
# bound means the same in sanitizer builds.
bound=$1
shift
if [ "${HOSTILE_RSS:-}" = skip ]; then
	"$@"
	st=$?
	echo rss-ok
	exit $st
fi
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1"
export ASAN_OPTIONS
f=$(mktemp "${TMPDIR:-/tmp}/rss.XXXXXX") || exit 2
/usr/bin/time -f %M -o "$f" "$@"
st=$?
kb=$(tail -1 "$f")
rm -f "$f"
case $kb in
''|*[!0-9]*) echo "rss-unmeasured" ;;
*)	if [ "$kb" -le $((bound * 1024)) ]; then
		echo rss-ok
	else
		echo "rss-high: $kb KB > $bound MB"
	fi ;;
esac
exit $st
