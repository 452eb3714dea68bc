#!/bin/sh
# mkc.sh: write cmd/ceb-gen/gen-keys.c, ceb-gen's built-in copy of the
# test keys of this directory (so that an installed ceb-gen signs without
# them).  tests/dsig/keys.test fails when the copy is stale.
# Usage: sh testdata/keys/mkc.sh > cmd/ceb-gen/gen-keys.c (in the top dir)
set -eu
d=$(dirname "$0")
lit() {	# name file
	printf 'const char %s[] =\n' "$1"
	sed 's/^/    "/; s/$/\\n"/' "$2"
	printf '    ;\n'
}
cat <<'HDR'
/*
 * gen-keys.c: the TEST keys of testdata/keys (made by mkkeys.sh, copied
 * here by mkc.sh; do not edit).  ceb-gen signs its batches with them so
 * that they carry real signatures.  They are public: never use them for
 * anything but tests.
 */
#include "config.h"

#include "gen.h"

HDR
lit gen_rsa_key "$d/rsa.key"
lit gen_rsa_cert "$d/rsa.crt"
lit gen_sm2_key "$d/sm2.key"
lit gen_sm2_cert "$d/sm2.crt"
lit gen_other_cert "$d/other.crt"
