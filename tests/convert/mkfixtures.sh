#!/bin/sh
# mkfixtures.sh: old-format state written by the release before the
# SQLite store (main@aa7b289), for tests/convert/convert.test.
#
#   PATH=/path/to/old/binaries:$PATH sh tests/convert/mkfixtures.sh OUTDIR
#
# A ceb-gen batch (seed 31, 120 import and 60 export parcels over three
# days) goes through three nights of the stateful tools as the old
# release ran them:
#   ceb-reconcile -s reconcile --now 2026-11-0N
#   ceb-quota-check --ledger quota.csv.gz   (the reconciled inventories)
#   ceb-quota-check --ledger quota.csv      (every document of the day)
#   ceb-manifest-writeoff -s writeoff -g 2 --now 2026110N
#       -m manifest-N.csv                   (that day's manifest rows)
# OUTDIR/state holds the state after night 2 exactly as the old tools
# left it (lock files removed); OUTDIR/in the three days' input
# (gzip); OUTDIR/expected the reports, exit statuses and the SHA-256 of
# the outputs of night 3 run by the old tools from that state: what the new tools must print after
# converting it.  The fixtures in the source tree were made once, with the
# binaries of aa7b289; running this again with newer binaries makes
# something else.
set -eu
: "${CEBTOOLS_DATADIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
export CEBTOOLS_DATADIR
out=${1:?usage: mkfixtures.sh OUTDIR}
rm -rf "$out"
mkdir -p "$out/in" "$out/state" "$out/expected"
w=$(mktemp -d "${TMPDIR:-/tmp}/mkfix.XXXXXX")
trap 'rm -rf "$w"' EXIT
ceb-gen -q -s 31 -n 120 -e 60 --days 3 --start 20261101 -m "$w/manifest.csv" \
    -o "$w/g"
S=$w/s
mkdir -p "$S"
night() {	# night N DIR: run the stateful tools of night N, outputs in DIR
	n=$1 d=$2
	mkdir -p "$d"
	awk -F, -v day=2026110"$n" 'NR == 1 || $3 == day' "$w/manifest.csv" \
	    >"$w/manifest-$n.csv"
	set +e
	ceb-reconcile -q -s "$S/reconcile" --now 2026-11-0"$n" \
	    -r "$d/reconcile.csv" "$w/g/day$n.xml" >"$d/reconciled.xml"
	echo "reconcile $?" >"$d/status"
	ceb-quota-check -q --ledger "$S/quota.csv.gz" -r "$d/quota.csv" \
	    "$d/reconciled.xml" >"$d/accepted.xml"
	echo "quota $?" >>"$d/status"
	ceb-quota-check -q --ledger "$S/quota-all.csv" -r "$d/quota-all.csv" \
	    "$w/g/day$n.xml" >"$d/accepted-all.xml"
	echo "quota-all $?" >>"$d/status"
	ceb-manifest-writeoff -q -s "$S/writeoff" -g 2 --now 2026110"$n" \
	    -m "$w/manifest-$n.csv" -r "$d/writeoff.csv" "$w/g/day$n.xml" \
	    >"$d/writeoff.xml"
	echo "writeoff $?" >>"$d/status"
	set -e
}
night 1 "$w/n1"
night 2 "$w/n2"
find "$S" \( -name lock -o -name "*.lock" \) -delete
cp -R "$S/." "$out/state/"
night 3 "$w/n3"
cp "$w"/n3/*.csv "$w/n3/status" "$out/expected/"
(cd "$w/n3" && sha256sum ./*.xml) >"$out/expected/SHA256SUMS"
for n in 1 2 3; do
	gzip -n -9 <"$w/g/day$n.xml" >"$out/in/day$n.xml.gz"
	cp "$w/manifest-$n.csv" "$out/in/"
done
