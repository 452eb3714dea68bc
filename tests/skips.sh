#!/bin/sh
# skips.sh LOG...: the SKIP results in the given test logs (automake's
# per-script .log files), one line each, under a banner that says they did
# not run; nothing when there is none.  Run by make check after the tests
# (check-local) so that a SKIP is never mistaken for a pass.
#
# A test that replaced /dev/null (a tool writing "-r /dev/null" through a
# temporary file and a rename, as root) has corrupted every test run
# beside it: say so, and fail.
if [ ! -c /dev/null ]; then
	echo "make check: /dev/null is no longer a character device: a test replaced it" >&2
	exit 1
fi
n=0
for f in "$@"; do
	[ -f "$f" ] || continue
	n=$((n + $(grep -c '^SKIP: ' "$f")))
done
[ "$n" = 0 ] && exit 0
echo "=================================================================="
echo "$n test(s) SKIPPED: they did not run and did not pass."
echo "(CI=true fails each SKIP that .ci/run does not allow.)"
for f in "$@"; do
	[ -f "$f" ] && grep '^SKIP: ' "$f"
done | sed 's/^SKIP: /  SKIP /' | head -n 40
[ "$n" -gt 40 ] && echo "  ... $((n - 40)) more"
echo "=================================================================="
exit 0
