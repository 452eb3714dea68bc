#!/bin/sh
# manifest.sh: one hostile carrier manifest (-m) through
# ceb-manifest-writeoff (tests/golden/hostile-tools/writeoff-manifest-*).
#   T=DIR sh testdata/hostile/manifest.sh KIND      from the source root
# KIND is one of
#   csv-good csv-nul csv-gbk csv-quote csv-bom-crlf csv-numbers
#   csv-long-bill csv-header-only csv-empty
#   xml-good xml-xxe xml-doctype xml-deep xml-utf8 xml-half xml-numbers
# The CEB side is always the same: the released inventories of
# testdata/manifest/ceb with their 607 (bill 618-43844743, voyage MI987).
# The manifest holds that bill as the carrier loaded it, and the hostile
# part.  Printed on stdout: the report rows (record, key cut to 40
# characters, rule, severity),
# the status, and whether the state (-s) of an earlier night moved.  The
# tool's diagnostics stay on stderr.
set -u
kind=$1
top=$PWD
h=$top/testdata/hostile
c=$top/testdata/manifest/ceb
: "${T:?T must name a scratch directory}"
cd "$T" || exit 99
hdr=trafMode,voyageNo,date,billNo,logisticsNo,pieces,grossWeight
good=4,MI987,20260307,618-43844743,,2,2.0

# xml NAME PIECES WEIGHT [EXTRA]: a loading manifest (MT4201) of the bill,
# EXTRA put before the root (a DOCTYPE, say).
xml() {
	cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
${4:-}<Manifest xmlns="urn:Declaration:datamodel:standard:CN:MT4201:1">
<Head><MessageID>CN_MT4201_1P0_2991330196A01_20260307180000000</MessageID>
<FunctionCode>2</FunctionCode><MessageType>MT4201</MessageType>
<SenderID>2991330196A01_2991000001</SenderID><ReceiverID>EPORT</ReceiverID>
<SendTime>20260307180000000</SendTime><Version>1.0</Version></Head>
<Declaration><Carrier><ID>MI</ID></Carrier>
<BorderTransportMeans><JourneyID>MI0987/20260307</JourneyID>
<TypeCode>4</TypeCode></BorderTransportMeans>
<Consignment><TransportContractDocument><ID>$1</ID></TransportContractDocument>
<LoadingLocation><ID>HGH/2991</ID><LoadingDate>202603072130086</LoadingDate></LoadingLocation>
<ConsignmentPackaging><QuantityQuantity>$2</QuantityQuantity><TypeCode>PK</TypeCode></ConsignmentPackaging>
<TotalGrossMassMeasure>$3</TotalGrossMassMeasure><TransportSplitIndicator>0</TransportSplitIndicator>
</Consignment></Declaration></Manifest>
EOF
}

m=manifest.csv
case $kind in
csv-good) printf '%s\n%s\n' $hdr $good >$m ;;
csv-nul)	# a NUL byte inside a bill number would cut it short unseen
	{ printf '%s\n%s\n' $hdr $good
	  printf '4,MI987,20260307,999-1234\0005678,,1,1.0\n'; } >$m ;;
csv-gbk)	# a carrier's spreadsheet saved as GBK: 杭州 in the voyage
	{ printf '%s\n%s\n' $hdr $good
	  printf '4,MI987\272\274\326\335,20260307,999-12345678,,1,1.0\n'; } >$m ;;
csv-quote)	# a quote left open swallows the rest of the file
	printf '%s\n%s\n4,MI987,20260307,"999-12345678,,1,1.0\n%s\n' \
	    $hdr $good $good >$m ;;
csv-bom-crlf)	# Excel's UTF-8 export: a BOM and CRLF line ends, no final one
	printf '\357\273\277%s\r\n%s' $hdr $good >$m ;;
csv-numbers)	# pieces and weights that are not numbers; a negative
	# weight is a number and meets the parcel's declared weight
	printf '%s\n%s\n' $hdr \
	    4,MI987,20260307,618-43844743,P001,three,-1.0 \
	    4,MI987,20260307,618-43844743,P002,1,'"1,0"' \
	    4,MI987,20260307,999-00000001,,1,123456789012345678901234567890 \
	    4,MI987,20260307,999-00000002,,2.5,1e3 >$m ;;
csv-long-bill)	# a 10,000-character bill number
	{ printf '%s\n%s\n4,MI987,20260307,' $hdr $good
	  head -c 10000 /dev/zero | tr '\0' 7
	  printf ',,1,1.0\n'; } >$m ;;
csv-header-only) printf '%s\n' $hdr >$m ;;
csv-empty) : >$m ;;
xml-good|xml-numbers|xml-xxe|xml-doctype|xml-utf8|xml-half|xml-deep)
	m=manifest.xml
	case $kind in
	xml-good) xml 61843844743 2 2.0 ;;
	xml-numbers) xml 61843844743 two 2,0 ;;
	xml-xxe) xml '&x;' 2 2.0 \
	    '<!DOCTYPE Manifest [<!ENTITY x SYSTEM "file:///etc/passwd">]>' ;;
	xml-doctype) xml 61843844743 2 2.0 '<!DOCTYPE Manifest>' ;;
	xml-utf8) xml "$(printf '618\300\25743844743')" 2 2.0 ;;
	xml-half) xml 61843844743 2 2.0 | head -c 500 ;;
	xml-deep)	# 10,000 elements deep after the Declaration
		xml 61843844743 2 2.0 | sed '$d'
		echo '</Consignment></Declaration>'
		i=0
		while [ $i -lt 10000 ]; do printf '<a>'; i=$((i + 1)); done
		while [ $i -gt 0 ]; do printf '</a>'; i=$((i - 1)); done
		echo '</Manifest>' ;;
	esac >$m ;;
*)
	echo "manifest.sh: unknown kind $kind" >&2
	exit 99 ;;
esac

ceb="$c/inv-released.xml $c/rcpt-released.xml $c/wb-mi987.xml"
# The state of an earlier night: the CEB side alone.
# shellcheck disable=SC2086
ceb-manifest-writeoff -q --now 20260307 -s s -r /dev/null $ceb \
    </dev/null >/dev/null
cp -R s s0
# shellcheck disable=SC2086
ceb-manifest-writeoff -q --now 20260308 -g 0 -s s -r report.csv -m $m $ceb \
    </dev/null >/dev/null
status=$?
awk -F, 'NR > 1 { print $7 "," substr($8, 1, 40) "," $9 "," $10 }' report.csv
echo "status $status"
if diff -r s0 s >/dev/null 2>&1; then
	echo "state unchanged"
else
	echo "state advanced"
fi
