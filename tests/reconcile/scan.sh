#!/bin/sh
# scan.sh: ceb-reconcile reads the records of a message from its bytes
# (common/scan.c, through common/msrc.h) and falls back to a libxml2 tree
# for shapes that reading does not take; whichever path a document takes,
# the run must say, write and keep exactly what the tree alone does.
# Each variant below is a two-night ceb-gen batch (orders, payments,
# waybills and inventories, receipts beside them, some counterparts
# missing or late) rewritten into one shape a sender may use (well-formed,
# the same business content or a deliberate twist of it).  Each is run
# over two nights on a new state, the first from a file, the second from
# standard input (kept, then judged: rstate_defer/replay), with the scan
# (the default) and with CEB_RECONCILE_TREE=1 (a test hook: every
# document read from a tree, no scan); the plain batch also as three
# shards (a message with only some records of the shard is written again
# from a tree).  Standard output, standard error, the report and the exit
# status of each night, and the state (tests/state-dump.sh) after each,
# must be the same.  A difference means the scan read a field, a line or
# a namespace otherwise than the tree.  TAP.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/reconcile/lib.sh"
command -v perl >/dev/null 2>&1 || { echo "1..0 # SKIP perl not found"; exit 0; }
command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP sqlite3 not found"; exit 0; }
export SOURCE_DATE_EPOCH=1795000000
unset CEB_RECONCILE_TREE 2>/dev/null || :

bail() { echo "not ok - $*"; echo "Bail out! $*"; exit 1; }
# shellcheck disable=SC2046
ceb-gen -q -s 41 -n 400 --days 2 --records 3 $(rec_defects 4%) \
    -o "$T/gen" || bail "ceb-gen failed"
for d in 1 2; do
	[ "$(grep -c '<ceb:Inventory>' "$T/gen/day$d.xml" 2>/dev/null)" \
	    -ge 100 ] || bail "ceb-gen wrote fewer than 100 inventories on day $d"
done

# variant NAME PERL-PROGRAM: both nights rewritten by perl -0777 -pe
names=
variant() {
	for d in 1 2; do
		perl -0777 -pe "$2" "$T/gen/day$d.xml" >"$T/$1-$d.xml" ||
		    bail "perl failed"
	done
	names="$names $1"
}
R='(Order|Payment|Logistics|Inventory)'
# What the scan takes.
variant plain '1'
variant pretty 's/></>\n  </g'
variant other-prefix 's/\bceb:/c:/g; s/xmlns:ceb=/xmlns:c=/g'
variant default-ns 's/<ceb:/</g; s/<\/ceb:/<\//g; s/xmlns:ceb=/xmlns=/g'
variant empty-tags 's/<ceb:(\w+)><\/ceb:\1>/<ceb:$1\/>/g; s/<ceb:buyerTelephone>[^<]*<\/ceb:buyerTelephone>/<ceb:buyerTelephone\/>/g'
variant attrs "s/<ceb:freight>/<ceb:freight unit=\"CNY\">/g; s/<ceb:$R>/<ceb:\$1  note='a>b' >/g"
variant single-quotes 's/guid="([^"]*)"/guid=\x27$1\x27/g'
variant padded 's/<ceb:consignee>/<ceb:consignee> /g; s/<ceb:freight>/<ceb:freight>\n/g'
variant no-decl 's/<\?xml[^>]*\?>\n?//g'
variant prolog 's/(<\?xml[^>]*\?>)/$1\n<!-- a comment -->\n<?pi here?>/g'
variant foreign 's/<ceb:(\w+Head)>/<ceb:$1><x:orderNo xmlns:x="urn:x">X1<\/x:orderNo>/g'
variant inner-ns 's/<ceb:(\w+Head)>/<ceb:$1 xmlns:ceb="http:\/\/www.chinaport.gov.cn\/ceb">/g'
variant duplicated 's/(<ceb:consignee>[^<]*<\/ceb:consignee>)/$1<ceb:consignee>Z<\/ceb:consignee>/g'
variant empty-value 's/<ceb:logisticsNo>[^<]*</<ceb:logisticsNo></g'
# What the scan leaves to the tree.
variant crlf 's/\n/\r\n/g'
variant entities 's/<ceb:consignee>(.)/<ceb:consignee>&#x4E00;&amp;$1/g; s/<ceb:freight>/<ceb:freight>&#32;/g'
variant comments 's/<ceb:(\w+Head)>/<ceb:$1><!-- x -->/g'
variant cdata 's/<ceb:freight>([^<]*)</<ceb:freight><![CDATA[$1]]></g'
variant multiline-tag "s/<ceb:$R>/<ceb:\$1\\n>/g"
variant child 's/<ceb:consignee>/<ceb:consignee><ceb:b\/>/g'
variant mixed 's/<ceb:consignee>/<ceb:consignee>A<!-- m -->/g; s/<ceb:itemName>/<ceb:itemName>B<ceb:i>j<\/ceb:i>/g'
variant guid-tab 's/guid="([0-9A-F]{8})/guid="\t$1/g'
variant moved-ns 's/<ceb:OrderHead>/<ceb:OrderHead xmlns:ceb="urn:not-ceb">/g'
variant unbound-default 's/<ceb:/</g; s/<\/ceb:/<\//g; s/xmlns:ceb=/xmlns=/g; s/<PaymentHead>/<PaymentHead xmlns="">/g'

# night V MODE SUFFIX OPTIONS...: the two nights of variant V on a new
# state, the second from standard input; what each wrote in $T/V-MODE.*
nights() {
	v=$1 mode=$2 sfx=$3
	shift 3
	if [ "$mode" = tree ]; then h=1; else h=; fi
	a=$T/$v-$mode$sfx
	(cd "$T" && CEB_RECONCILE_TREE=$h ceb-reconcile -s "$a.state" \
	    --now 2025-03-01 -r "$a.1.csv" "$@" "$v-1.xml" \
	    >"$a.1.out" 2>"$a.1.err"
	echo $? >"$a.1.st"
	sh "$top/tests/state-dump.sh" "$a.state/state.db" >"$a.1.dump"
	CEB_RECONCILE_TREE=$h ceb-reconcile -s "$a.state" --now 2025-03-02 \
	    -r "$a.2.csv" "$@" - <"$v-2.xml" >"$a.2.out" 2>"$a.2.err"
	echo $? >"$a.2.st"
	sh "$top/tests/state-dump.sh" "$a.state/state.db" >"$a.2.dump")
}

# compare NAME SUFFIX: the scan's nights against the tree's.
compare() {
	a=$T/$1-scan$2 b=$T/$1-tree$2 bad=
	for n in 1 2; do
		for x in out err csv st dump; do
			cmp -s "$a.$n.$x" "$b.$n.$x" || bad="$bad $n.$x"
		done
	done
	if [ -z "$bad" ] && [ -s "$a.2.dump" ]; then
		ok "$1$2: the scan does what the tree does ($(($(wc -l <"$a.1.csv") + $(wc -l <"$a.2.csv") - 2)) findings, $(cat "$a.1.out" "$a.2.out" | grep -c -E '<([a-z]+:)?Inventory([ >]|$)') inventories passed on, $(wc -l <"$a.2.dump") lines of state, status $(cat "$a.1.st") $(cat "$a.2.st"))"
	else
		notok "$1$2: the scan does what the tree does (differ:$bad)"
		for n in 1 2; do
			diff "$a.$n.csv" "$b.$n.csv" | head -n 4 | sed 's/^/# /'
			diff "$a.$n.err" "$b.$n.err" | head -n 4 | sed 's/^/# /'
		done
	fi
}

for v in $names; do
	for mode in scan tree; do
		nights "$v" $mode ''
	done
	compare "$v" ''
done
for k in 1 2 3; do
	for mode in scan tree; do
		nights plain $mode "-shard$k" --shard "$k/3"
	done
	compare plain "-shard$k"
done

# The variants did what they are for: parcels matched and findings made
# in the plain batch, something waited over the night, messages were
# written again for a shard, and the twisted variants changed the result.
p=$T/plain-scan
c=$(grep -c ',R-' "$p.1.csv" "$p.2.csv" | awk -F: '{ s += $2 } END { print s + 0 }')
m=$(grep -c '<ceb:Inventory>' "$p.1.out")
w=$(grep -c . "$p.1.dump")
check "the batch is judged ($c R- findings, $m inventories passed on the first night, $w lines of state after it) and the twisted variants change the result" \
    test "$c" -gt 0 -a "$m" -gt 0 -a "$w" -gt 0 -a \
    "$(cat "$T/plain-scan.1.csv" | wc -l)" != \
    "$(cat "$T/moved-ns-scan.1.csv" | wc -l)" -a \
    "$(cat "$T/plain-scan.1.csv" | wc -l)" != \
    "$(cat "$T/empty-value-scan.1.csv" | wc -l)"
check "a shard writes a message holding only its records again (records= in an origin mark)" \
    grep -q 'records=' "$T/plain-scan-shard1.1.out" "$T/plain-scan-shard2.1.out" \
    "$T/plain-scan-shard3.1.out"
done_testing
