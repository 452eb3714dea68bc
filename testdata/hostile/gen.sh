#!/bin/sh
# gen.sh: generate the large hostile inputs at test time (never committed).
#   sh testdata/hostile/gen.sh KIND [N]     writes the input to stdout
# Each input is a stream: good-before.xml, the hostile document, then
# good-after.xml, so a case also shows that the documents around it are
# still handled.  Run from the source tree root.
#   deep N        a CEB311 whose record nests N elements deep
#   text MB       a CEB311 with a text node of MB megabytes
#   records N     a CEB311 with N Order records
#   quadratic N   one element with N attributes, another with N children
#                 (no entities: the DOCTYPE variant is refused outright)
#   entities N   the quadratic blowup: one entity of N bytes referenced N
#                 times (refused for its DOCTYPE before any expansion)
#   garbage MB    MB megabytes of stray text between the good documents
#   attr MB       an attribute value of MB megabytes
set -eu
d=$(dirname "$0")
kind=$1 n=${2:-0}
root='<ceb:CEB311Message guid="33333333-0000-4000-8000-000000000003" version="1.0" xmlns:ceb="http://www.chinaport.gov.cn/ceb">'
# repeat COUNT STRING: STRING written COUNT times, quickly (doubling).
repeat() {
	awk -v n="$1" -v s="$2" 'BEGIN { while (n > 0) { if (n % 2) printf "%s", s; s = s s; n = int(n / 2) } }'
}
cat "$d/good-before.xml"
case $kind in
deep)
	printf '%s\n<ceb:Order>' "$root"
	repeat "$n" '<ceb:x>'
	repeat "$n" '</ceb:x>'
	printf '</ceb:Order>\n</ceb:CEB311Message>\n'
	;;
text)
	printf '%s\n<ceb:Order><ceb:OrderHead><ceb:orderNo>' "$root"
	head -c $((n * 1048576)) /dev/zero | tr '\0' 'A'
	printf '</ceb:orderNo></ceb:OrderHead></ceb:Order>\n</ceb:CEB311Message>\n'
	;;
records)
	printf '%s\n' "$root"
	repeat "$n" '<ceb:Order><ceb:OrderHead><ceb:ebpCode>3301963K69</ceb:ebpCode><ceb:orderNo>R</ceb:orderNo></ceb:OrderHead></ceb:Order>
'
	printf '</ceb:CEB311Message>\n'
	;;
quadratic)
	printf '%s\n<ceb:Order ' "$root"
	awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "a%d=\"%d\" ", i, i }'
	printf '><ceb:OrderHead>'
	repeat "$n" '<ceb:orderNo>x</ceb:orderNo>'
	printf '</ceb:OrderHead></ceb:Order>\n</ceb:CEB311Message>\n'
	;;
entities)
	printf '<?xml version="1.0"?>\n<!DOCTYPE ceb:CEB311Message [\n<!ENTITY a "'
	repeat "$n" 'a'
	printf '">\n]>\n%s\n<ceb:Order><ceb:OrderHead><ceb:orderNo>' "$root"
	repeat "$n" '&a;'
	printf '</ceb:orderNo></ceb:OrderHead></ceb:Order>\n</ceb:CEB311Message>\n'
	;;
garbage)
	head -c $((n * 1048576)) /dev/zero | tr '\0' 'G'
	printf '\n'
	;;
attr)
	printf '<ceb:CEB311Message guid="'
	head -c $((n * 1048576)) /dev/zero | tr '\0' 'A'
	printf '" xmlns:ceb="http://www.chinaport.gov.cn/ceb"/>\n'
	;;
*)
	echo "gen.sh: unknown kind: $kind" >&2
	exit 2
	;;
esac
cat "$d/good-after.xml"
