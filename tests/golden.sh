#!/bin/sh
# golden.sh: run the golden command-line cases and speak TAP.
#
# A case is a directory tests/golden/<tool>/<case>/ holding
#   cmd     one shell command line, run by /bin/sh in the source tree
#           ($top_srcdir) with the built tools first on PATH and $T set to
#           a fresh empty scratch directory;
#   stdin   (optional) fed to the command; /dev/null otherwise;
#   stdout, stderr, status   what the command must print and return;
#   requires (optional) paths, one per line, relative to the source tree
#           (../shared/reference/... under $CEB_REFERENCE when it is set),
#           that the case reads from outside the project (the customs
#           reference material beside the clone); when one is missing the
#           case is skipped, said so in TAP, instead of failing.
# All three outputs are compared.  UPDATE=1 rewrites them from the actual
# run instead (review the diff before committing).  Arguments: the golden
# directory, then optionally case-name patterns (shell globs) to run.
set -u
# GOLDEN_LANG (tests/golden-zh.test): run the cases in that locale, as an
# operator's login would (LANG set, no LC_ALL, no LANGUAGE); otherwise C.
unset LANGUAGE LC_MESSAGES LC_CTYPE 2>/dev/null || :
if [ -n "${GOLDEN_LANG:-}" ]; then
	unset LC_ALL
	LANG=$GOLDEN_LANG
	export LANG
else
	LC_ALL=C.UTF-8
	export LC_ALL
fi
unset CEBTOOLS_CONFIG 2>/dev/null || :
dir=$1
shift
top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
cases=$(cd "$dir" && find . -name cmd -type f | sed 's|^\./||; s|/cmd$||' | LC_ALL=C sort)
if [ $# -gt 0 ]; then
	sel=
	for c in $cases; do
		for p in "$@"; do
			case $c in $p) sel="$sel $c"; break ;; esac
		done
	done
	cases=$sel
fi
n=0
for c in $cases; do n=$((n + 1)); done
echo "1..$n"
i=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/golden.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT INT TERM
for c in $cases; do
	i=$((i + 1))
	d=$dir/$c
	T=$scratch/$i
	mkdir -p "$T"
	missing=
	if [ -f "$d/requires" ]; then
		while IFS= read -r r; do
			[ -n "$r" ] || continue
			p=$top/$r
			# The reference folder named by CEB_REFERENCE, as the
			# cases' commands do (make distcheck: no ../shared
			# beside the tarball's tree).
			case $r in
			../shared/reference/*)
				[ -n "${CEB_REFERENCE:-}" ] &&
				    p=$CEB_REFERENCE/${r#../shared/reference/} ;;
			esac
			[ -e "$p" ] || missing="$missing $r"
		done <"$d/requires"
	fi
	if [ -n "$missing" ]; then
		echo "ok $i - $c # SKIP not found:$missing"
		continue
	fi
	in=/dev/null
	[ -f "$d/stdin" ] && in=$d/stdin
	(cd "$top" && T=$T /bin/sh -c "$(cat "$d/cmd")" <"$in" >"$T.out" 2>"$T.err")
	echo $? >"$T.status"
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$T.out" "$d/stdout"
		cp "$T.err" "$d/stderr"
		cp "$T.status" "$d/status"
		echo "ok $i - $c # updated"
		continue
	fi
	bad=
	for f in stdout:out stderr:err status:status; do
		exp=$d/${f%%:*}
		act=$T.${f#*:}
		if [ ! -f "$exp" ]; then
			bad="$bad ${f%%:*}(missing)"
		elif ! cmp -s "$exp" "$act"; then
			bad="$bad ${f%%:*}"
		fi
	done
	if [ -z "$bad" ]; then
		echo "ok $i - $c"
	else
		echo "not ok $i - $c: differs in$bad"
		for f in stdout:out stderr:err status:status; do
			exp=$d/${f%%:*}
			[ -f "$exp" ] || continue
			diff -u "$exp" "$T.${f#*:}" 2>/dev/null | head -40 | sed 's/^/# /'
		done
	fi
done
exit 0
