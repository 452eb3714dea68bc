#!/bin/sh
# mutate.sh: one business-valid message with single fields changed, for the
# hostile content cases of the judging tools (tests/golden/hostile-tools/).
#   sh testdata/hostile/mutate.sh FILE EDIT...      writes the result to stdout
# FILE is a message of testdata/msg/.  Each EDIT is FIELD=VALUE or
# FIELD#N=VALUE: the text of the Nth (default the first) element named FIELD,
# with or without a namespace prefix, becomes VALUE; everything else is kept
# byte for byte, so exactly the changed field is wrong.  VALUE may be
#   @rep:N:C       the character C repeated N times (e.g. @rep:10000:A)
# An EDIT that matches no element is an error (exit 2): a fixture that
# silently stayed valid would make its case test nothing.
set -eu
[ $# -ge 2 ] || { echo "usage: mutate.sh FILE FIELD[#N]=VALUE ..." >&2; exit 2; }
file=$1
shift
LC_ALL=C
export LC_ALL
tmp=$(mktemp "${TMPDIR:-/tmp}/mutate.XXXXXX")
trap 'rm -f "$tmp" "$tmp.n"' EXIT
cp "$file" "$tmp"
for e in "$@"; do
	lhs=${e%%=*}
	val=${e#*=}
	field=${lhs%%#*}
	n=1
	case $lhs in *#*) n=${lhs#*#} ;; esac
	case $val in
	@rep:*)
		r=${val#@rep:}
		val=$(awk -v n="${r%%:*}" -v c="${r#*:}" 'BEGIN { s = ""; for (i = 0; i < n; i++) s = s c; printf "%s", s }')
		;;
	esac
	# The value travels through the environment: awk -v would interpret
	# backslashes.
	V=$val awk -v f="$field" -v n="$n" '
	BEGIN { v = ENVIRON["V"]; seen = 0 }
	{
		line = $0
		out = ""
		re = "<([A-Za-z_][A-Za-z0-9_.-]*:)?" f ">[^<]*</([A-Za-z_][A-Za-z0-9_.-]*:)?" f ">"
		while (match(line, re)) {
			seen++
			m = substr(line, RSTART, RLENGTH)
			if (seen == n) {
				op = substr(m, 1, index(m, ">"))
				cl = substr(m, RLENGTH - length(op))
				m = op v cl
			}
			out = out substr(line, 1, RSTART - 1) m
			line = substr(line, RSTART + RLENGTH)
		}
		print out line
	}
	END { if (seen < n) exit 3 }' "$tmp" >"$tmp.n" || {
		echo "mutate.sh: $file: no element $field number $n" >&2
		exit 2
	}
	mv "$tmp.n" "$tmp"
done
cat "$tmp"
