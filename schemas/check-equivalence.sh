#!/bin/sh
# check-equivalence.sh — show that the project's schemas judge documents exactly as the official
# (customs-published) schemas do.
#
#   schemas/check-equivalence.sh [-k] [-v] OURDIR OFFICIALDIR [ROOT...]
#
#   OURDIR       one edition of the project's schemas, e.g. schemas/2022
#   OFFICIALDIR  the official XSDs of the same edition: import-business.xsd, export-business.xsd,
#                terminal-node.xsd, xmldsig-core-schema.xsd
#   ROOT...      only these roots (default: every OURDIR/CEB*Message.xsd and DxpMsg.xsd)
#   -k           keep the generated documents (their directory is printed)
#   -v           list every document, not only the disagreements
#
# For each root the script
#   1. checks that OURDIR/<Root>.xsd compiles on its own and declares that root only;
#   2. writes a few hundred to a few thousand documents with tools/mkinstances.py (a complete and a
#      minimal valid instance, and mutations: missing, unexpected, repeated, reordered and
#      duplicated elements, over-long, empty and padded values, bad decimals and integers,
#      broken signatures, ...);
#   3. validates each with xmllint --noout --schema against OURDIR/<Root>.xsd and against the
#      official file that declares the root (import-business.xsd or export-business.xsd;
#      terminal-node.xsd for DxpMsg), and compares the two verdicts.
# It also checks that both sides have the same set of roots.  Exit status: 0 when every verdict
# agrees, 1 on any disagreement or missing root, 2 on trouble (bad usage, missing tools).
# Needs xmllint (libxml2-utils) and python3 (standard library only).

set -u
LC_ALL=C.UTF-8; export LC_ALL

keep=0 verbose=0
while getopts kv opt; do
	case $opt in
	k) keep=1 ;;
	v) verbose=1 ;;
	*) echo "usage: $0 [-k] [-v] OURDIR OFFICIALDIR [ROOT...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -lt 2 ]; then
	echo "usage: $0 [-k] [-v] OURDIR OFFICIALDIR [ROOT...]" >&2
	exit 2
fi
ours=$1 official=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
for tool in xmllint python3; do
	command -v $tool >/dev/null 2>&1 || { echo "$0: $tool not found" >&2; exit 2; }
done
for d in "$ours" "$official"; do
	[ -d "$d" ] || { echo "$0: $d: no such directory" >&2; exit 2; }
done
ours=$(cd "$ours" && pwd) official=$(cd "$official" && pwd)
for f in import-business.xsd export-business.xsd terminal-node.xsd; do
	[ -f "$official/$f" ] || { echo "$0: $official/$f missing" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/cebeq.XXXXXX") || exit 2
if [ $keep -eq 0 ]; then
	trap 'rm -rf "$work"' EXIT
	trap 'exit 2' HUP INT TERM
fi

fail=0

# --- the generated files match their sources (when OURDIR is an edition of this schemas/ tree)
if [ -f "$here/tools/gen-schemas.py" ] && [ "$(dirname "$ours")" = "$here" ]; then
	if ! python3 "$here/tools/gen-schemas.py" --check; then
		echo "generated schemas are out of date: run python3 $here/tools/gen-schemas.py"
		fail=1
	fi
fi

# --- the same roots on both sides
official_roots() {
	grep -ho '<xs:element name="CEB[0-9]*Message"' "$official/import-business.xsd" "$official/export-business.xsd" |
		sed 's/.*name="\([^"]*\)"/\1/'
	grep -q '<xs:element name="DxpMsg"' "$official/terminal-node.xsd" && echo DxpMsg
}
official_roots | sort -u >"$work/official-roots"
(cd "$ours" && ls CEB*Message.xsd DxpMsg.xsd 2>/dev/null) | sed 's/\.xsd$//' | sort -u >"$work/our-roots"
missing=$(comm -23 "$work/official-roots" "$work/our-roots" | tr '\n' ' ')
extra=$(comm -13 "$work/official-roots" "$work/our-roots" | tr '\n' ' ')
if [ -n "$missing" ]; then echo "MISSING in $ours: $missing"; fail=1; fi
if [ -n "$extra" ]; then echo "NOT in the official schemas: $extra"; fail=1; fi

if [ $# -gt 0 ]; then
	roots=$*
else
	roots=$(cat "$work/our-roots")
fi

# verdicts FILE-LIST-LOG -> "NNNN.xml valid|invalid" lines
verdicts() {
	sed -n -e 's/^\([0-9]*\.xml\) validates$/\1 valid/p' \
		-e 's/^\([0-9]*\.xml\) fails to validate$/\1 invalid/p' "$1" | sort
}

total=0 agree=0 nvalid=0 nroots=0 surprises=0
printf '%-15s %6s %6s %6s %6s\n' root docs agree differ valid
for root in $roots; do
	xsd=$ours/$root.xsd
	if [ ! -f "$xsd" ]; then
		echo "$root: $xsd missing"; fail=1; continue
	fi
	case $root in
	DxpMsg) off=$official/terminal-node.xsd ;;
	*) off=$(grep -l "<xs:element name=\"$root\"" "$official/import-business.xsd" "$official/export-business.xsd" | head -n 1) ;;
	esac
	if [ -z "$off" ]; then
		echo "$root: not declared in $official"; fail=1; continue
	fi
	# 1. compiles standalone, one root only
	if xmllint --noout --schema "$xsd" /dev/null 2>&1 | grep -q 'failed to compile'; then
		echo "$root: $xsd does not compile"; fail=1; continue
	fi
	nglobal=$(python3 - "$xsd" <<'EOF'
import os, sys, xml.etree.ElementTree as ET
XS = '{http://www.w3.org/2001/XMLSchema}'
seen, names = set(), []
def load(p):
    p = os.path.abspath(p)
    if p in seen:
        return
    seen.add(p)
    r = ET.parse(p).getroot()
    for c in r:
        if c.tag == XS + 'include':
            load(os.path.join(os.path.dirname(p), c.get('schemaLocation')))
        elif c.tag == XS + 'element':
            names.append(c.get('name'))
load(sys.argv[1])
print(' '.join(names))
EOF
)
	if [ "$nglobal" != "$root" ]; then
		echo "$root: top-level elements of $xsd (with its includes) are '$nglobal', expected '$root' only"
		fail=1
	fi
	# 2. documents
	dir=$work/$root
	if ! python3 "$here/tools/mkinstances.py" "$xsd" "$dir"; then
		echo "$root: mkinstances failed"; fail=1; continue
	fi
	# 3. both verdicts
	(cd "$dir" && xmllint --noout --schema "$xsd" ./[0-9]*.xml >ours.log 2>&1)
	(cd "$dir" && xmllint --noout --schema "$off" ./[0-9]*.xml >official.log 2>&1)
	sed -i 's|^\./||' "$dir/ours.log" "$dir/official.log"
	verdicts "$dir/ours.log" >"$dir/ours.v"
	verdicts "$dir/official.log" >"$dir/official.v"
	ndocs=$(wc -l <"$dir/index.tsv")
	if [ "$(wc -l <"$dir/ours.v")" -ne "$ndocs" ] || [ "$(wc -l <"$dir/official.v")" -ne "$ndocs" ]; then
		echo "$root: xmllint gave no verdict for some documents (see $dir/*.log)"; fail=1
	fi
	join "$dir/ours.v" "$dir/official.v" >"$dir/both"
	n=$(wc -l <"$dir/both")
	a=$(awk '$2 == $3' "$dir/both" | wc -l)
	v=$(awk '$2 == "valid" && $3 == "valid"' "$dir/both" | wc -l)
	# informational: documents our schema judges otherwise than mkinstances predicted
	sed 's/ /\t/' "$dir/ours.v" >"$dir/ours.t"
	s=$(join -t "$(printf '\t')" "$dir/index.tsv" "$dir/ours.t" | awk -F'\t' '$3 != "?" && $3 != $4' | wc -l)
	surprises=$((surprises + s))
	nroots=$((nroots + 1)) total=$((total + ndocs)) agree=$((agree + a)) nvalid=$((nvalid + v))
	printf '%-15s %6d %6d %6d %6d\n' "$root" "$ndocs" "$a" $((ndocs - a)) "$v"
	if [ "$a" -ne "$ndocs" ]; then
		fail=1
		awk '$2 != $3 { print $1, "ours=" $2, "official=" $3 }' "$dir/both" |
			while read -r f o x; do
				printf '    DIFFER %s %s %s  %s\n' "$f" "$o" "$x" "$(grep "^$f	" "$dir/index.tsv" | cut -f2)"
			done
	fi
	if [ $verbose -eq 1 ]; then
		join -t "$(printf '\t')" "$dir/index.tsv" "$dir/ours.t" |
			sed 's/^/    /'
	fi
	[ $keep -eq 1 ] || rm -rf "$dir"
done
echo "edition $ours vs $official: $nroots roots, $total documents, $agree agreements, $((total - agree)) disagreements ($nvalid valid on both sides)"
echo "($surprises documents judged otherwise than the generator predicted: informational, not an error)"
[ $keep -eq 1 ] && echo "documents kept in $work"
exit $fail
