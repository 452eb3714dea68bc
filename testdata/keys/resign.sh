#!/bin/sh
# resign.sh: sign the fixture files given again, in place, with the TEST
# keys of this directory: `ceb-sign --replace` changes nothing but the
# values of each ds:Signature; a leading UTF-8 BOM is kept.  A file whose
# signatures say sm2-sm3 is signed with sm2.key, any other with rsa.key.
# Usage: sh testdata/keys/resign.sh FILE...   (ceb-sign on PATH)
set -eu
d=$(cd "$(dirname "$0")" && pwd)
for f; do
	k=rsa
	grep -q 'xmldsig#sm2-sm3' "$f" && k=sm2
	t=$(mktemp)
	if [ "$(head -c 3 "$f" | od -An -tx1 | tr -d ' ')" = efbbbf ]; then
		printf '\357\273\277' >"$t"
	fi
	ceb-sign -q --replace --key "$d/$k.key" --cert "$d/$k.crt" "$f" >>"$t" || :
	if [ "$(wc -l <"$t")" != "$(wc -l <"$f")" ]; then
		echo "resign.sh: $f: the line count would change; left alone" >&2
		rm -f "$t"
		continue
	fi
	cat "$t" >"$f"
	rm -f "$t"
done
