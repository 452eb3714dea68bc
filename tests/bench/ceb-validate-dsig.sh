#!/bin/sh
# ceb-validate-dsig.sh: what verifying signatures costs (a section of make
# bench; see tests/bench.sh for the variables).
#
# Two import batches of BENCH_DSIG_N signed messages each (default
# BENCH_N; one record a message, no receipts, so every message carries a
# signature), one signed with RSA (rsa-sha1, the 1024-bit test key) and
# one with SM2 (sm2-sm3).  For each:
#   xmllint --stream --schema   the baseline: the batch wrapped in one
#       document whose schema imports the official import-business.xsd
#       (one process, one schema compile, streaming; it verifies nothing),
#   ceb-validate --no-verify -j1, ceb-validate -j1, ceb-validate -j2
#       (structure, rules and, but for the first, every signature),
# and then the verification cost per message (cpu of -j1 minus cpu of
# --no-verify, over the messages) and the -j2 / -j1 wall-time ratio.
# Nothing here passes or fails on a time.
#
# Figures from the signature work (2026-12-06, the shared 2-core VM under
# a load average of 15 to 17, so compare cpu seconds, not wall times;
# 100,163 messages of one record each):
#   RSA batch (419 MB): xmllint --stream --schema 6.5 s cpu (nothing
#     verified); ceb-validate --no-verify 8.33 s, with verification 18.30 s
#     (-j1): 100 us cpu per message (C14N of the whole message, SHA-1 and
#     an RSA-1024 check; the check itself is about 6 us); -j2 23.61 s cpu.
#   SM2 batch (405 MB): xmllint 6.24 s cpu; --no-verify 9.04 s, with
#     verification 66.09 s: 570 us per message, nearly all of it OpenSSL
#     3.0's SM2 verify (no assembler for the SM2 curve); -j2 66.57 s cpu,
#     the same work spread over two threads.
# Wall-clock -j2 / -j1 ratios of that run (1.23, 1.09) measured the other
# engineers' builds more than the threads; on an idle machine with 4000
# messages the ratio was 0.54 (RSA) and 0.64 (SM2).
set -u
LC_ALL=C.UTF-8
export LC_ALL
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
BENCH_LIB=${BENCH_LIB:-$top/tests/bench/_lib.sh}
. "$BENCH_LIB"
CEBTOOLS_DATADIR=${CEBTOOLS_DATADIR:-$top}
export CEBTOOLS_DATADIR
d=${BENCH_DIR:-}
if [ -z "$d" ]; then
	d=$(mktemp -d "${TMPDIR:-/tmp}/bench-dsig.XXXXXX") || exit 2
	trap 'rm -rf "$d"' EXIT INT TERM
fi
n=${BENCH_DSIG_N:-${BENCH_N:-100000}}
ref=${CEB_REFERENCE:-$top/../shared/reference}/xsd-202205
T=ceb-validate

echo "== ceb-validate: signature verification (RSA-SHA1, SM2-SM3)"
# The wrapper schema for xmllint: any CEB import root, many times.
if [ -f "$ref/import-business.xsd" ]; then
	cat >"$d/wrap.xsd" <<XSD
<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    targetNamespace="urn:cebtools:bench" elementFormDefault="qualified">
  <xs:import namespace="http://www.chinaport.gov.cn/ceb"
      schemaLocation="$ref/import-business.xsd"/>
  <xs:element name="batch">
    <xs:complexType><xs:sequence>
      <xs:any namespace="http://www.chinaport.gov.cn/ceb"
          processContents="strict" maxOccurs="unbounded"/>
    </xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>
XSD
fi
for alg in rsa sm2; do
	b=$d/$alg.xml
	ceb-gen -s 5 -n $((n / 4)) -e 0 --records 1 --receipts 0 --sign $alg \
	    -o "$b" 2>"$d/$alg.gen" || { echo "  ceb-gen --sign $alg failed"; continue; }
	m=$(sed -n 's/^ceb-gen: \([0-9]*\) messages.*/\1/p' "$d/$alg.gen")
	bytes=$(wc -c <"$b" | tr -d ' ')
	A=$(echo $alg | tr a-z A-Z)
	base="ceb-validate --no-verify -j1 ($A batch)"
	if [ -f "$d/wrap.xsd" ] && command -v xmllint >/dev/null 2>&1; then
		{ echo '<w:batch xmlns:w="urn:cebtools:bench">'
		  sed '/^<?xml /d' "$b"
		  echo '</w:batch>'; } >"$d/wrapped.xml"
		bench_measure "$d/xl-$alg" xmllint --stream --noout \
		    --schema "$d/wrap.xsd" "$d/wrapped.xml"
		bench_row $T "xmllint --stream --schema on one wrapped document ($A batch)" - "$m" "$bytes"
		base="xmllint --stream --schema on one wrapped document ($A batch)"
	else
		echo "  no official XSDs in $ref: no xmllint baseline"
	fi
	bench_measure "$d/nv-$alg" ceb-validate -q --no-verify "$b"
	nv_cpu=$BENCH_CPU
	bench_row $T "ceb-validate --no-verify -j1 ($A batch)" "$base" "$m" "$bytes"
	bench_measure "$d/v1-$alg" ceb-validate -q "$b"
	v1_cpu=$BENCH_CPU v1_secs=$BENCH_SECS
	bench_row $T "ceb-validate -j1 ($A batch)" "$base" "$m" "$bytes"
	bench_measure "$d/v2-$alg" ceb-validate -q -j 2 "$b"
	v2_secs=$BENCH_SECS v2_cpu=$BENCH_CPU
	bench_row $T "ceb-validate -j2 ($A batch)" "$base" "$m" "$bytes"
	load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)
	awk -v a="$v1_cpu" -v b="$nv_cpu" -v m="$m" -v s1="$v1_secs" \
	    -v s2="$v2_secs" -v c2="$v2_cpu" -v A="$A" -v L="$load" 'BEGIN {
	    if (a != "" && b != "" && m > 0)
		printf "  %s: verification costs %.0f us cpu per message (%.2f s over %d messages)\n",
		    A, (a - b) / m * 1e6, a - b, m
	    if (s1 > 0)
		printf "  %s: -j2 / -j1 wall time %.2f, cpu %.2f / %.2f s (load average %s: wall times mean little above 2)\n",
		    A, s2 / s1, c2, a, L }'
done
exit 0
