#!/bin/sh
# reread.sh: ceb-quota-check does not copy the documents it reads from a
# plain file to its spool: it keeps the file open and reads each document
# again when it writes it out, after checking it against the digests it
# took when it read it (table.c, spool_source() and spool_doc()).
# Documents from standard input (a pipe), from gzip, cut out of a
# pipeline's origin marks, and those of the files after the 64th go to
# the spool as before.  Whatever the path, the night's output, report and
# ledger are the same; a document whose bytes changed in the file between
# the reading and the writing is not written out (exit 2, said), and the
# night stays committed.  TAP.
set -u
LC_ALL=C.UTF-8
export LC_ALL
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/quota/lib.sh"
command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP sqlite3 not found"; exit 0; }
T=$(mktemp -d "${TMPDIR:-/tmp}/quota-reread.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
cd "$T" || exit 1
export SOURCE_DATE_EPOCH=1795000000
unset CEB_QUOTA_CHECK_TEST_CHANGED CEBTOOLS_CONFIG 2>/dev/null || :
echo "1..8"

# A night that passes some and rejects some: gen.awk's buyers over a
# ledger of few buyers reach their annual limits.
awk -v n=400 -v seed=5 -v buyers=12 -v rel=0.2 -v tag=RR \
    -f "$top/tests/quota/gen.awk" >night.xml
# What must not differ between two runs of the same night read from
# different places: the documents written out without their origin marks
# (which name the source, the document's index and line), the report
# without its first four columns (tool, source, index, line) and its via
# columns (a document with an origin mark was read via marked.xml), the exit
# status and the ledger (tests/state-dump.sh: not the runs, not the
# documents' sources).
run() {
	_n=$1
	shift
	ceb-quota-check -q --ledger "$_n.db" -r "$_n.csv" "$@" >"$_n.out" \
	    2>"$_n.err"
	echo $? >"$_n.status"
	sed 's/<!--ceb-origin [^>]*-->//' "$_n.out" >"$_n.nout"
	cut -d, -f5- "$_n.csv" |
	    sed -E 's/,,[^,"]+,[0-9]+,[0-9]+,,/,,,,,,/' >"$_n.ncsv"
	sh "$top/tests/state-dump.sh" "$_n.db" >"$_n.state"
}
same() {
	for _x in status nout ncsv state; do
		cmp -s "$1.$_x" "$2.$_x" || return 1
	done
}

run file night.xml
st=$(cat file.status)
[ "$st" = 1 ] && [ "$(grep -c '<?xml' file.out)" -gt 100 ]
ok $? "the night from a file: status $st, $(grep -c '<?xml' file.out) documents written out"

cat night.xml | run pipe -
same file pipe
ok $? "from a pipe (the spool): the same output, report, status and ledger"

gzip -c night.xml >night.xml.gz
run gz night.xml.gz
same file gz
ok $? "from gzip (the spool): the same"

# The night's output read again: every document carries an origin mark,
# which is cut out (the spool); the documents it says come from
# night.xml.
ceb-cat -q night.xml >marked.xml
run marked marked.xml
same file marked
ok $? "documents with origin marks (the spool): the same"

# 70 files, one document each: the first 64 are read again, the rest
# spooled; the output is the night's, in its order.
mkdir many
awk -v n=70 -v seed=9 -v buyers=5 -v rel=0 -v tag=MF \
    -f "$top/tests/quota/gen.awk" >seventy.xml
awk 'BEGIN { f = 0 } /^<\?xml/ { f++; out = sprintf("many/%03d.xml", f) } { print > out }' seventy.xml
run one seventy.xml
run dir many
same one dir && [ "$(ls many | wc -l)" = 70 ]
ok $? "70 files (more than the 64 kept open: the rest spooled): the same as one file"

# A document that changed in its file after it was read (the test hook
# changes the bytes read again): not written, said, exit 2; the night
# was committed before the output and stays.
CEB_QUOTA_CHECK_TEST_CHANGED=1 run changed night.xml
st=$(cat changed.status)
[ "$st" = 2 ] && grep -q 'changed in the file since it was read: not written out' changed.err &&
    [ ! -s changed.out ]
ok $? "a document changed in its file: status $st, $(grep -c 'changed in the file' changed.err) said, nothing written after it"
cmp -s file.state changed.state
ok $? "the changed night's ledger is the night's (committed before the output)"

# The hook changes only what is read again from a file: from a pipe the
# spool holds the bytes read.
cat night.xml | CEB_QUOTA_CHECK_TEST_CHANGED=1 run pipe2 -
same pipe pipe2
ok $? "from a pipe the bytes come from the spool: unchanged"
