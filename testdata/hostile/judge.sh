#!/bin/sh
# judge.sh: one hostile framing input through one judging tool, between
# business-valid documents that tool judges (tests/golden/hostile-tools/).
#   T=DIR sh testdata/hostile/judge.sh TOOL KIND      from the source root
# TOOL is ceb-validate, ceb-reconcile, ceb-quota-check or
# ceb-manifest-writeoff; KIND one of
#   xxe doctype deep utf8 half gzip empty dirloop
# The input is: PRE operand(s), then a stream on stdin (or a directory)
# holding a good BEFORE document, the hostile one, a good AFTER document,
# then POST operand(s).  Printed on stdout: the report rows (record, key,
# rule, severity), the records passed on (as ceb-cat -l lists them) and the
# tool's exit status.  The tool's own diagnostics stay on stderr.
#
# A stateful tool runs with its state (reconcile -s, quota-check --ledger,
# writeoff -s) that a first run over PRE alone created.  After the hostile
# run the script prints whether the state was left unchanged or advanced
# (quota-check and reconcile set the document aside and commit what they
# judged, writeoff leaves it as it was on trouble: docs/hardening.md,
# finding 9, and ceb-stream(5)); after a run in
# trouble (status 2) it reruns over the same input without the hostile
# document and checks what DESIGN.md promises whichever way: the final
# state, report and output equal those of a run that never saw it.
set -u
tool=$1 kind=$2
top=$PWD
h=$top/testdata/hostile
: "${T:?T must name a scratch directory}"
cd "$T" || exit 99
cp "$top"/testdata/msg/ceb*.xml .
state= opts=
case $tool in
ceb-validate)
	pre= before=ceb311.xml after=ceb411.xml post= ;;
ceb-reconcile)
	pre=ceb311.xml before=ceb411.xml after=ceb511.xml post=ceb621.xml
	opts="--now 2026-11-27" state="-s" ;;
ceb-quota-check)
	# One key for the ledger and its copies (s0, s, ref): a copy of a
	# sealed ledger is checked with the key it was sealed with.
	pre= before=ceb621.xml after=ceb625.xml post=
	opts="--mac-key $T/quota.key" state="--ledger" ;;
ceb-manifest-writeoff)
	pre=ceb603.xml before=ceb604.xml after=ceb607.xml post=ceb509.xml
	opts="--now 20261127" state="-s" ;;
*)
	echo "judge.sh: unknown tool $tool" >&2
	exit 99 ;;
esac

# middle FILE: the hostile document of a three-document file of this
# directory (without its good-before.xml and good-after.xml).
middle() {
	sed -n '11,$p' "$1" | head -n -10
}

# The hostile input: $in is read as stdin (a file), $ops the operands in
# its place ("-" or a directory); clean.xml is the same without the
# hostile document.
cat "$before" "$after" >clean.xml
in=hostile.xml ops=-
case $kind in
xxe) { cat "$before"; middle "$h/xxe-file.xml"; cat "$after"; } >hostile.xml ;;
doctype) { cat "$before"; middle "$h/doctype-public-subset.xml"; cat "$after"; } >hostile.xml ;;
deep) { cat "$before"; sh "$h/gen.sh" deep 10000 >deep.xml; middle deep.xml; rm deep.xml; cat "$after"; } >hostile.xml ;;
utf8) { cat "$before"; middle "$h/utf8-overlong.xml"; cat "$after"; } >hostile.xml ;;
half)	# a document cut short (half written), then the good one complete
	{ cat "$before"; head -c 700 "$after"; cat "$after"; } >hostile.xml ;;
gzip)	# before in one gzip member, after in a second one cut mid-deflate;
	# the good AFTER document follows as a plain operand
	gzip -n -c "$before" >a.gz
	gzip -n -c "$after" >b.gz
	{ cat a.gz; head -c $(($(wc -c <b.gz) / 2)) b.gz; } >hostile.xml
	rm a.gz b.gz
	in=/dev/null ops="hostile.xml $after" ;;
empty)	# an empty file, blanks, an empty gzip between the good ones, and
	# an empty stdin: no messages, not trouble
	: >empty.xml
	printf '  \n\t\n' >blank.xml
	gzip -n -c </dev/null >empty.xml.gz
	in=/dev/null ops="$before empty.xml blank.xml empty.xml.gz - $after" ;;
dirloop)	# a directory with the good documents and symbolic-link loops
	mkdir -p d/sub
	cp "$before" d/a.xml
	cp "$after" d/sub/z.xml
	ln -s . d/self
	ln -s .. d/sub/up
	ln -s b.xml d/loop-a.xml
	ln -s loop-a.xml d/b.xml
	in=/dev/null ops=d ;;
*)
	echo "judge.sh: unknown kind $kind" >&2
	exit 99 ;;
esac

# rows REPORT: the judged records of a report, by their stable columns.
rows() {
	awk -F, 'NR > 1 { print $7 "," $8 "," $9 "," $10 }' "$1"
}

# run STATE REPORT OUTPUT STDIN OPERAND...: one run of the tool.
run() {
	st=$1 rep=$2 out=$3 sin=$4
	shift 4
	if [ -n "$state" ]; then
		# shellcheck disable=SC2086
		$tool -q $opts $state "$st" -r "$rep" "$@" <"$sin" >"$out"
	else
		# shellcheck disable=SC2086
		$tool $opts -r "$rep" "$@" <"$sin" >"$out"
	fi
}

# snap STATE: the state as one file (a directory's files in order).
snap() {
	if [ -d "$1" ] && [ -f "$1/state.db" ]; then
		sh "$top/tests/state-dump.sh" "$1/state.db"
	elif [ -d "$1" ]; then
		for f in $(ls "$1" | grep -v 'lock$' | LC_ALL=C sort); do
			echo "== $f"
			cat "$1/$f"
		done
	elif [ -f "$1" ]; then
		sh "$top/tests/state-dump.sh" "$1"
	fi
}

if [ -n "$state" ]; then
	# The state before: what a first run over PRE alone left.
	# shellcheck disable=SC2086
	$tool -q $opts $state s0 -r /dev/null $pre </dev/null >/dev/null
	snap s0 >s0.snap
	cp -R s0 s
fi
# shellcheck disable=SC2086
if [ -n "$state" ]; then
	# Diagnostics of the hostile run go to stderr (with -q, only trouble).
	run s report.csv out.xml "$in" $pre $ops $post
else
	run "" report.csv out.xml "$in" $pre $ops $post
fi
status=$?
rows report.csv
ceb-cat -q -l <out.xml
echo "status $status"
[ -n "$state" ] || exit 0
snap s >s.snap
if cmp -s s0.snap s.snap; then
	echo "state unchanged"
else
	echo "state advanced"
fi
# A run without trouble has nothing to redo.
[ "$status" = 2 ] || exit 0
# The rerun without the hostile document, and a reference run over the
# clean input from the state before.
cp -R s0 ref
# shellcheck disable=SC2086
run ref ref.csv ref.xml clean.xml $pre - $post 2>/dev/null
# shellcheck disable=SC2086
run s re.csv re.xml clean.xml $pre - $post 2>/dev/null
snap ref >ref.snap
snap s >s.snap
# A document the hostile run judged is recognised by the rerun: one info
# finding (*-RUN-001, "already judged"; W-OFF-002 for a parcel the
# write-off judged final) that a run which never saw it cannot have; the
# rest must be the same.
seen=',[A-Z]-RUN-001,\|,W-OFF-002,'
grep -v "$seen" re.csv >re-seen.csv
grep -v "$seen" ref.csv >ref-seen.csv
# When the hostile run was not redone by the rerun (a run is known by
# its input files, and the hostile file is not the clean one), what it
# judged and committed the rerun reports as already judged: then the
# hostile run and the rerun together must have reported every finding and
# passed on every record of the reference, and nothing else.
# Records by type, guid, record and key (where they were read differs).
rows ref-seen.csv | sort -u >ref.rows
grep -v "$seen" report.csv >report-seen.csv
{ rows report-seen.csv; rows re-seen.csv; } | sort -u >both.rows
ceb-cat -q -l <ref.xml | cut -d, -f4-7 | sort -u >ref.recs
cat out.xml re.xml | ceb-cat -q -l | cut -d, -f4-7 | sort -u >both.recs
if cmp -s ref.snap s.snap && cmp -s ref-seen.csv re-seen.csv &&
    cmp -s ref.xml re.xml; then
	echo "rerun without it: state, report and output as if never seen"
elif cmp -s ref.snap s.snap && cmp -s ref.rows both.rows &&
    cmp -s ref.recs both.recs; then
	echo "rerun without it: state as if never seen; the findings and records of a run that never saw it, each in the hostile run or the rerun"
else
	echo "rerun without it: DIFFERS from a run that never saw it"
	diff ref.snap s.snap | head -5
	diff ref-seen.csv re-seen.csv | head -5
fi
exit 0
