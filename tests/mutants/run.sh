#!/bin/sh
# run.sh: the suite against deliberate bugs (make mutants).
#
#   sh tests/mutants/run.sh [NAME...]
#
# Copies the tree (the files git tracks, as they are in the working tree)
# to a scratch directory ($MUTANTS_DIR, default ./mutants.d), builds it
# once and runs the tests the mutants name, unmutated: they must pass, or
# nothing can be learnt.  Then for each mutant of tests/mutants/list (or
# the NAMEs given): plants it (its "from" text must occur exactly once in
# its file), rebuilds, runs its tests (MUTANTS_FULL=1: all of make check),
# puts the file back.  Prints one line per mutant and a table:
#   killed          builds, and the tests fail
#   SURVIVED        builds, and the tests pass
#   DOES NOT APPLY  "from" is not in the file once (the code changed: the
#                   entry must be rewritten); never counted as killed
#   BUILD FAILS     the mutant does not compile (rewrite the entry)
# Exit status 0 when every mutant was killed, 1 otherwise, 2 on trouble.
set -u
LC_ALL=C
export LC_ALL
top=$(cd "${top_srcdir:-$(dirname "$0")/../..}" && pwd)
list=$top/tests/mutants/list
S=${MUTANTS_DIR:-$PWD/mutants.d}
jobs=${MUTANTS_JOBS:-2}
say() { echo "mutants: $*"; }

command -v python3 >/dev/null 2>&1 || { say "python3 not found"; exit 2; }
command -v git >/dev/null 2>&1 && git -C "$top" rev-parse >/dev/null 2>&1 ||
    { say "$top is not a git checkout (the copy is made from git ls-files)"; exit 2; }

# The mutants, as "name<TAB>file<TAB>from<TAB>to<TAB>tests<TAB>why" lines.
python3 - "$list" >"${TMPDIR:-/tmp}/mutants.$$" <<'EOF' || exit 2
import sys
blocks, cur = [], {}
for ln in open(sys.argv[1], encoding='utf-8'):
    ln = ln.rstrip('\n')
    if ln.startswith('#'):
        continue
    if not ln.strip():
        if cur:
            blocks.append(cur)
        cur = {}
        continue
    k, _, v = ln.partition(' ')
    cur[k] = v.strip()
if cur:
    blocks.append(cur)
for b in blocks:
    miss = [k for k in ('mutant', 'file', 'from', 'to', 'tests', 'why')
            if not b.get(k)]
    if miss or any('\t' in v for v in b.values()):
        sys.exit('mutants: entry %s: missing or bad %s' %
                 (b.get('mutant', '?'), ', '.join(miss) or 'tab'))
    print('\t'.join(b[k] for k in ('mutant', 'file', 'from', 'to', 'tests',
                                   'why')))
EOF
M=${TMPDIR:-/tmp}/mutants.$$
trap 'rm -f "$M"' EXIT INT TERM
if [ $# -gt 0 ]; then
	for n in "$@"; do
		grep -q "^$n	" "$M" || { say "no mutant named $n"; exit 2; }
	done
	for n in "$@"; do grep "^$n	" "$M"; done >"$M.sel" && mv "$M.sel" "$M"
fi
total=$(wc -l <"$M")
say "$total mutants; scratch tree $S"

# The scratch tree, built once.
rm -rf "$S" && mkdir -p "$S/src" || exit 2
(cd "$top" && git ls-files -z | tar --null -T - -cf -) | (cd "$S/src" && tar -xf -) ||
    { say "cannot copy the tree"; exit 2; }
ref=${CEB_REFERENCE:-$top/../shared/reference}
[ -d "$ref" ] && CEB_REFERENCE=$(cd "$ref" && pwd) && export CEB_REFERENCE
cd "$S/src" || exit 2
say "building the scratch tree (log: $S/build.log)"
if ! { autoreconf -fi && ./configure -q && make -j"$jobs"; } >"$S/build.log" 2>&1; then
	tail -20 "$S/build.log"
	say "the unmutated tree does not build"
	exit 2
fi

# check TESTS...: make check on these tests (all of it with MUTANTS_FULL=1).
check() {
	if [ -n "${MUTANTS_FULL:-}" ]; then
		make -j"$jobs" check
	else
		make -j"$jobs" check TESTS="$*"
	fi
}
all_tests=$(cut -f5 "$M" | tr ' ' '\n' | sort -u | tr '\n' ' ')
say "the tests unmutated: $all_tests"
if ! check $all_tests >"$S/baseline.log" 2>&1; then
	grep -E '^(FAIL|ERROR)' "$S/baseline.log" | head -20
	say "the tests fail without any mutant: fix that first"
	exit 2
fi

killed=0 survived=0 noapply=0 nobuild=0 i=0
: >"$S/table"
# The list on fd 3: a build or a test that reads its standard input must
# not eat the mutants still to come.
while IFS='	' read -r name file from to tests why <&3; do
	i=$((i + 1))
	cp "$file" "$S/orig" || exit 2
	if ! python3 - "$file" "$from" "$to" <<'EOF'
import sys
p, a, b = sys.argv[1:4]
s = open(p, encoding='utf-8').read()
if s.count(a) != 1:
    sys.exit(1)
open(p, 'w', encoding='utf-8').write(s.replace(a, b))
EOF
	then
		verdict="DOES NOT APPLY"
		noapply=$((noapply + 1))
	elif ! make -j"$jobs" </dev/null >"$S/$name.build.log" 2>&1; then
		verdict="BUILD FAILS"
		nobuild=$((nobuild + 1))
	elif check $tests </dev/null >"$S/$name.log" 2>&1; then
		verdict=SURVIVED
		survived=$((survived + 1))
	else
		verdict=killed
		killed=$((killed + 1))
		by=$(grep -cE '^(FAIL|ERROR):' "$S/$name.log")
		verdict="killed ($by failing)"
	fi
	# Put the file back, newer than any object built from the mutant.
	cp "$S/orig" "$file" && touch "$file"
	line=$(printf '%-28s %-16s %s' "$name" "$verdict" "$why")
	echo "$line" >>"$S/table"
	say "$i/$total $line"
done 3<"$M"
make -j"$jobs" >/dev/null 2>&1 || :

echo
printf '%-28s %-16s %s\n' mutant verdict "what it breaks"
cat "$S/table"
echo
say "$total mutants: $killed killed, $survived survived, $noapply do not apply, $nobuild do not build"
[ "$killed" = "$total" ]
