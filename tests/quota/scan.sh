#!/bin/sh
# scan.sh: ceb-quota-check reads the fields of a quota document from its
# bytes (common/scan.c) and falls back to a libxml2 tree for
# shapes that reading does not take; whichever path a document takes,
# the run must say and count exactly what the tree alone says.  Each
# variant below is a whole batch rewritten into one shape a sender may
# use (well-formed, the same business content or a deliberate twist of
# it); each is run on a new ledger with the scan (the default) and with
# CEB_QUOTA_CHECK_TREE=1 (a test hook: every document parsed into a tree,
# no scan), and standard output, standard error, the report, the exit
# status and the ledger (tests/state-dump.sh) must be the same.
# A difference means the scan read a field, a line or a namespace
# otherwise than the tree.  TAP.
set -u
LC_ALL=C.UTF-8
export LC_ALL
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/quota/lib.sh"
command -v perl >/dev/null 2>&1 || { echo "1..0 # SKIP perl not found"; exit 0; }
command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP sqlite3 not found"; exit 0; }
T=$(mktemp -d "${TMPDIR:-/tmp}/quota-scan.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
export SOURCE_DATE_EPOCH=1795000000
unset CEB_QUOTA_CHECK_TREE CEBTOOLS_CONFIG 2>/dev/null || :

# The base batch: gen.awk's inventories, cancels, returns and receipts
# (one record a message) and ceb-gen's import batch (several records a
# message, every other type beside them).
awk -v n=300 -v seed=21 -v buyers=40 -v rel=0.3 -v tag=SC \
    -f "$top/tests/quota/gen.awk" >"$T/base.xml"
bail() { echo "not ok - $*"; echo "Bail out! $*"; exit 1; }
ceb-gen -q -s 21 -n 120 -o "$T/gen.xml" || bail "ceb-gen failed"
[ "$(grep -c '<ceb:Inventory>' "$T/gen.xml")" -ge 120 ] ||
    bail "ceb-gen wrote fewer than 120 inventories"
cat "$T/gen.xml" >>"$T/base.xml"

# variant NAME PERL-PROGRAM: base.xml rewritten by perl -0777 -pe
n=0
names=
variant() {
	perl -0777 -pe "$2" "$T/base.xml" >"$T/$1.xml" || bail "perl failed"
	names="$names $1"
}
# What the scan takes.
variant plain '1'
variant pretty 's/></>\n  </g'
variant other-prefix 's/\bceb:/c:/g; s/xmlns:c=/xmlns:c=/g; s/xmlns:ceb=/xmlns:c=/g'
variant default-ns 's/<ceb:/</g; s/<\/ceb:/<\//g; s/xmlns:ceb=/xmlns=/g'
variant empty-tags 's/<ceb:insuredFee>0(\.0+)?<\/ceb:insuredFee>/<ceb:insuredFee\/>/g'
variant attrs 's/<ceb:freight>/<ceb:freight unit="CNY">/g; s/<ceb:Inventory>/<ceb:Inventory  note=\x27a>b\x27 >/g'
variant single-quotes 's/guid="([^"]*)"/guid=\x27$1\x27/g'
variant padded 's/<ceb:buyerIdNumber>/<ceb:buyerIdNumber> /g; s/<ceb:freight>/<ceb:freight>\n/g'
variant no-decl 's/<\?xml[^>]*\?>\n?//g'
variant prolog 's/(<\?xml[^>]*\?>)/$1\n<!-- a comment -->\n<?pi here?>/g'
variant foreign 's/<ceb:InventoryHead>/<ceb:InventoryHead><x:freight xmlns:x="urn:x">999.00<\/x:freight>/g'
variant inner-ns 's/<ceb:InventoryHead>/<ceb:InventoryHead xmlns:ceb="http:\/\/www.chinaport.gov.cn\/ceb">/g'
variant duplicated 's/(<ceb:freight>[^<]*<\/ceb:freight>)/$1<ceb:freight>77.00<\/ceb:freight>/g'
variant empty-value 's/<ceb:freight>[^<]*</<ceb:freight></g'
# What the scan leaves to the tree.
variant crlf 's/\n/\r\n/g'
variant entities 's/<ceb:buyerName>(.)/<ceb:buyerName>&#x4E00;&amp;$1/g; s/<ceb:freight>/<ceb:freight>&#32;/g'
variant comments 's/<ceb:InventoryHead>/<ceb:InventoryHead><!-- x -->/g'
variant cdata 's/<ceb:freight>([^<]*)</<ceb:freight><![CDATA[$1]]></g'
variant multiline-tag 's/<ceb:Inventory>/<ceb:Inventory\n>/g'
variant child 's/<ceb:insuredFee>/<ceb:insuredFee><ceb:b\/>/g'
variant guid-tab 's/guid="([0-9A-F]{8})/guid="\t$1/g'
variant moved-ns 's/<ceb:InventoryHead>/<ceb:InventoryHead xmlns:ceb="urn:not-ceb">/g'
variant unbound-default 's/<ceb:/</g; s/<\/ceb:/<\//g; s/xmlns:ceb=/xmlns=/g; s/<InventoryHead>/<InventoryHead xmlns="">/g'

count=$(echo $names | wc -w)
echo "1..$((count + 1))"
for v in $names; do
	for mode in scan tree; do
		if [ $mode = tree ]; then h=1; else h=; fi
		(cd "$T" && CEB_QUOTA_CHECK_TREE=$h ceb-quota-check \
		    --ledger "$v-$mode.db" -r "$v-$mode.csv" "$v.xml" \
		    >"$v-$mode.out" 2>"$v-$mode.err"
		echo $? >"$v-$mode.st"
		sh "$top/tests/state-dump.sh" "$v-$mode.db" >"$v-$mode.dump")
	done
	a=$T/$v-scan b=$T/$v-tree
	if [ -s "$a.dump" ] && cmp -s "$a.out" "$b.out" &&
	    cmp -s "$a.err" "$b.err" && cmp -s "$a.csv" "$b.csv" &&
	    cmp -s "$a.st" "$b.st" && cmp -s "$a.dump" "$b.dump"; then
		ok 0 "$v: the scan says what the tree says ($(($(wc -l <"$a.csv") - 1)) findings, $(wc -l <"$a.dump") lines of ledger, status $(cat "$a.st"))"
	else
		diff "$a.csv" "$b.csv" | head -n 4 | sed 's/^/# /'
		diff "$a.err" "$b.err" | head -n 4 | sed 's/^/# /'
		for x in out dump st; do cmp "$a.$x" "$b.$x" | sed 's/^/# /'; done
		ok 1 "$v: the scan says what the tree says"
	fi
done
# The variants did what they are for: inventories counted in the plain
# batch, and the twisted ones changed what is counted.
c=$(grep -c ',Q-' "$T/plain-scan.csv")
ok "$(test "$c" -gt 0 && ! cmp -s "$T/plain-scan.dump" \
    "$T/empty-value-scan.dump" && ! cmp -s "$T/plain-scan.dump" \
    "$T/moved-ns-scan.dump"; echo $?)" \
    "the batch is judged ($c Q- findings) and the twisted variants change the ledger"
