#!/bin/sh
# seed.sh: build the seed corpus of one fuzz target from the fixtures in
# the source tree, so that no corpus is committed.
#   sh fuzz/seed.sh SRCDIR TARGET OUTDIR
# TARGET is one of the targets below (the names after fuzz-).  Existing files in OUTDIR
# (a corpus grown by earlier runs) are kept.  The inputs kept after a fix
# (fuzz/regress/TARGET/) are added too.
set -eu
LC_ALL=C
export LC_ALL
src=$1 t=$2 out=$3
mkdir -p "$out"
put() {	# put NAME < bytes
	cat >"$out/seed-$1"
}
xmls() {	# every XML fixture, decompressed, one path per line
	find "$src/testdata/msg" "$src/testdata/cat" "$src/testdata/demo" \
	    -type f \( -name '*.xml' -o -name '*.xml.gz' \) | sort
}
raw() {	# the decompressed bytes of a fixture
	case $1 in *.gz) gzip -dc "$1" 2>/dev/null || :;; *) cat "$1";; esac
}
case $t in
stream)
	# Three option bytes (see fuzz-stream.c), then a source.
	for f in $(xmls); do
		b=$(basename "$f")
		{ printf '\000\000\000'; raw "$f"; } | put "$b"
		{ printf '\007\040\005'; raw "$f"; } | put "small-$b"
	done
	{ printf '\001\000\000'; raw "$src/testdata/msg/ceb311.xml"
	  printf '\000\000\n'; raw "$src/testdata/msg/ceb621.xml"; } | put two
	printf '\000\000\000<a><!DOCTYPE a [<!ENTITY x "y">]><b>&x;</b></a>' |
	    put doctype
	printf '\000\000\000<a><![CDATA[</a>]]><?pi ?><!-- </a> --></a>' |
	    put markup
	;;
envelope)
	# A mode byte (see fuzz-envelope.c), then Data as it is (even) or
	# to be base64-encoded (odd).
	for f in $(xmls); do
		b=$(basename "$f")
		{ printf '\001'; raw "$f"; } | put "$b"
		{ printf '\007'; raw "$f"; } | put "sv-notree-$b"
		{ printf '\000'; raw "$f" | base64; } | put "b64-$b"
	done
	printf '\000PGEv-Pg==' | put dash
	printf '\000PGEvPg' | put unpadded
	printf '\000PG==PGEv' | put pad-inside
	printf '\000<Zip>UEsDBA==</Zip>' | put zip
	printf '\000  \n ' | put blank
	printf '\001<a/><b/>' | put two
	printf '\001<?xml version="1.0"?><!--ceb-origin source="x" message="1" line="1"--><a/>' |
	    put marked
	printf '\001<dxp:DxpMsg xmlns:dxp="http://www.chinaport.gov.cn/dxp"><dxp:Data>PGEvPg==</dxp:Data></dxp:DxpMsg>' |
	    put nested
	printf '\001<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>' | put doctype
	;;
gzip)
	# Two option bytes (see fuzz-gzip.c), then a source.
	for f in $(find "$src/testdata" -type f -name '*.gz' | sort); do
		b=$(basename "$f")
		{ printf '\000\377'; cat "$f"; } | put "$b"
		{ printf '\001\017'; tail -c +3 "$f"; } | put "nomagic-$b"
	done
	{ printf '\000\100'; gzip -c "$src/testdata/msg/ceb311.xml"
	  gzip -c "$src/testdata/msg/ceb411.xml"; } | put members
	{ printf '\000\377'; gzip -c "$src/testdata/msg/ceb311.xml" |
	    head -c 300; } | put truncated
	{ printf '\000\377'; head -c 65536 /dev/zero | gzip -1; } | put zeros
	;;
dsig)
	for f in $(xmls); do
		raw "$f" | put "$(basename "$f")"
	done
	# The hostile signatures of tests/dsig/hostile.test, a few of them.
	m=$src/testdata/msg/ceb311.xml
	perl -0pe 's|(<ds:Signature>.*</ds:Signature>)|$1$1|s' "$m" | put two-sigs
	perl -0pe 's|Reference URI=""|Reference URI="#o"|' "$m" | put ref-id
	perl -0pe 's|<ds:SignatureValue>[^<]*<|<ds:SignatureValue><|' "$m" |
	    put empty-value
	perl -0pe 's|<ds:X509Certificate>[^<]{8}|<ds:X509Certificate>%%%%%%%%|' \
	    "$m" | put bad-cert
	printf '<?pi x?><a xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><b/><ds:Signature/></a>' |
	    put pi-empty-sig
	printf '<a/>' | put bare
	;;
fastwf)
	# One document each: the fixtures, the hostile inputs, and small
	# documents on the edges of the subset the check accepts.
	for f in $(xmls) $(find "$src/testdata/hostile" -type f -name '*.xml' |
	    sort); do
		raw "$f" | put "$(basename "$f")"
	done
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<p:r xmlns:p="urn:p" a="1"><p:a>&amp;&#x4e2d;\344\270\255</p:a><!-- c --><![CDATA[x]]></p:r>\n' |
	    put edges
	printf '<r xmlns="urn:d"><a/><b xmlns="urn:e"><c/></b><d/></r>' |
	    put default-ns
	printf '<r a="1" a="2"/>' | put dup-attr
	printf '<r>]]></r>' | put cdata-end
	;;
msg|emit|validate|reconcile|validate-receipt)
	for f in $(xmls); do
		raw "$f" | put "$(basename "$f")"
	done
	if [ -d "$src/testdata/reconcile" ]; then
		for f in $(find "$src/testdata/reconcile" -type f -name '*.xml' |
		    sort); do
			put "reconcile-$(basename "$f")" <"$f"
		done
	fi
	printf '#311,CEB621Message,999,,x\n' | put typeset
	;;
dec)
	i=0
	for v in 0 1 -1 +1 0.00001 0.000010 123.45 ' 12.5 ' 5000 26000.00 \
	    99999999999999.99999 9999999999999999999 \
	    123456789012345678901234567890 1e5 .5 5. - . 1.2.3 0.000001 \
	    '2|3|6' '0.1|0.2|0.02' '-3|7.5|-22.5' \
	    '9999999999999999999|9999999999999999999|1' \
	    '99999999999999.99999|99999999999999.99999|0'; do
		i=$((i + 1))
		printf '%s' "$v" | put "$i"
	done
	;;
csv)
	for f in $(find "$src/tables" "$src/testdata" -type f -name '*.csv' |
	    sort); do
		put "$(basename "$f")" <"$f"
		gzip -c "$f" | put "$(basename "$f").gz"
	done
	printf 'a,b\r\n"x\ny",2\n\n"unterminated\n' | put quoted
	printf '\357\273\277# comment\n#\na,a,A\n1\n1,2,3,4\n' | put bom
	;;
quota-ledger)
	# A mode byte (see fuzz-quota-ledger.c), then the ledger's body.
	rows() {
		cat <<'ROWS'
120103198806018241,2025,20251201,330120251200000001,3301980G2T,QY0001,3301980G2T,3301980G2T,COP0001,5000.00,1:1:2500.00;2:1:2500.00,within,counted,0.00,0.00,A0000000-0000-4000-8000-000000000201,
120103198806018241,2025,20251202,,3301980G2T,QY0002,3301980G2T,3301980G2T,COP0002,3000.00,1:2:3000.00:1,within,partial,5000.00,1500.00,G2,R:RG1:1500.00:6500.00:20251203120000
110101199003077777,2026,20260105,,E1,O3,E1,A1,C3,6000.00,1:1:6000.00,single-item,released,0.00,6000.00,G3,C:CG3:6000.00:0.00:20260106000000
110101199003077777|Zhang San,2026,20260107,,E1,O4,E1,A1,C4,30000.00,1:3:30000.00,over-single,rejected,0.00,0.00,G4,J:G0:over-annual:1.00:2.00
"quoted, ""person""",2026,20260108,,E1,O5,,,,1.00,1:1:1.00,within,counted,0.00,0.00," G5 ",
11010119900307777X,2026,20260109,,,,,,,0.01,1:1:0.01,over-annual,rejected,25999.99,0.00,-,
ROWS
	}
	rows | { printf '\003'; cat; } | put rows
	rows | head -1 | { printf '\003'; cat; } | put one-row
	rows | { printf '\007'; cat; } | put reseal
	rows | { printf '\013'; cat; } | put shard
	{ printf '\002# another comment\n'; printf '%s\n' \
	    'person,year,date,invtNo,ebpCode,orderNo,ebcCode,agentCode,copNo,amount,lines,verdict,state,used,released,guid,events'
	  rows; } | put header
	printf '\003' | put empty
	{ printf '\001'; rows; printf '#end rows=6 check=0000000000000000\n'; } |
	    put bad-seal
	;;
tax)
	put shipped <"$src/tables/tax-rates.csv"
	h='kind,hs_prefix,vat_class,valid_from,valid_to,vat,ct,ct_specific,ct_threshold,ct_units,tariff,source'
	printf '%s\nvat,,standard,,,0.13,,,,,,x\ngoods,33,standard,,,,0.15,,10000,035 036,0.01,x\n' "$h" | put small
	printf '%s\nvat,,low,2016-04-08,,0.09,,,,,,x\ngoods,4901,low,,,,,,,,0,x\ngoods,4901,low,2020-01-01,,,,,,,0,x\n' "$h" | put overlap
	printf '%s\ngoods,3304,standard,,,0.99999,0.99999,,0.00001,096,0.99999,x\n' "$h" | put extreme
	;;
quota-policy)
	for f in "$src/tables/quota-policy.csv" \
	    $(find "$src/tests/quota/fixtures" -name 'policy*.csv' | sort); do
		put "$(basename "$f")" <"$f"
	done
	printf 'from,single,annual\n2019-01-01,5000,26000\n20160408,2000.5,20000\n' |
	    put two-rows
	printf 'annual,x,from,single\n26000,,2019-02-28,5000\n' | put columns
	printf 'from,single,annual\n2020-02-29,1,1\n2020-02-29,2,2\n' | put twice
	;;
quota)
	# A mode byte (see fuzz-quota.c), then a CEB stream.
	for f in $(find "$src/tests/quota/fixtures" -name '*.xml' | sort) \
	    "$src/testdata/msg/ceb621.xml" "$src/testdata/msg/ceb622.xml" \
	    "$src/testdata/msg/ceb623.xml" "$src/testdata/msg/ceb625.xml"; do
		b=$(basename "$f")
		{ printf '\000'; cat "$f"; } | put "$b"
	done
	for f in cancel return annual; do
		{ printf '\004'; cat "$src/tests/quota/fixtures/$f.xml"; } |
		    put "empty-$f"
		{ printf '\013'; cat "$src/tests/quota/fixtures/$f.xml"; } |
		    put "modes-$f"
	done
	;;
reconcile-state)
	# A mode byte (see fuzz-reconcile-state.c).  Bit 4: a CEB stream
	# taken in as the night before; otherwise state.csv, the line
	# =====spool===== and the spool (fuzz/seeds/reconcile-state/: states
	# written by ceb-reconcile).
	r=$src/testdata/reconcile
	{ printf '\020'; cat "$r/order.xml" "$r/payment.xml" "$r/waybill.xml"; } |
	    put pending
	{ printf '\020'; cat "$r/order.xml" "$r/payment.xml" "$r/waybill.xml" \
	    "$r/inventory.xml" "$r/inventory2.xml"; } | put matched
	{ printf '\030'; cat "$r/order.xml" "$r/payment.xml" "$r/waybill.xml" \
	    "$r/inventory.xml"; } | put spilled
	{ printf '\021'; cat "$r/inventory2.xml" "$r/order.xml"; } | put shard
	{ printf '\022'; cat "$src/testdata/msg/ceb311.xml" \
	    "$src/testdata/msg/ceb411.xml" "$src/testdata/msg/ceb511.xml" \
	    "$src/testdata/msg/ceb621.xml"; } | put msg
	if [ -d "$src/fuzz/seeds/$t" ]; then
		for f in "$src/fuzz/seeds/$t"/*; do
			[ -f "$f" ] || continue
			put "$(basename "$f")" <"$f"
			{ printf '\040'; tail -c +2 "$f"; } |
			    put "sealed-$(basename "$f")"
		done
	fi
	;;
writeoff)
	# A mode byte (see fuzz-writeoff.c), then a manifest, a CEB message
	# or a string for norm_*.
	m=$src/testdata/manifest
	for f in "$m"/*.csv; do
		{ printf '\000'; cat "$f"; } | put "$(basename "$f")"
		{ printf '\054'; cat "$f"; } | put "ceb-map-shard-$(basename "$f")"
	done
	for f in "$m"/*.xml "$m"/ceb/*.xml; do
		{ printf '\001'; cat "$f"; } | put "$(basename "$f")"
		{ printf '\023'; cat "$f"; } | put "twice-shard-$(basename "$f")"
	done
	i=0
	for v in 618-43844743 'MI0987/20260307' mi0987 20260229 20240229 \
	    ' cosu 612-3 ' 4 5 AIR Sea 0123W; do
		i=$((i + 1))
		printf '\002%s' "$v" | put "norm-$i"
	done
	;;
*)
	echo "seed.sh: unknown target: $t" >&2
	exit 2
	;;
esac
if [ -d "$src/fuzz/regress/$t" ]; then
	for f in "$src/fuzz/regress/$t"/*; do
		case $f in */README) continue;; esac
		[ -f "$f" ] && cp "$f" "$out/regress-$(basename "$f")"
	done
fi
exit 0
