#!/bin/sh
# mkkeys.sh: make the TEST keys and certificates of this directory (run
# once; the results are committed so that tests and ceb-gen's signatures
# stay the same from run to run).  They are published with the source:
# never use them for anything but tests.
#   ca.crt        RSA-2048 test CA, 2020-01-01 .. 2049-12-31
#   rsa.key/.crt  RSA-1024 signer issued by the CA (1024 bits as customs'
#                 RSA card certificates, and fast for big test batches)
#   sm2.key/.crt  SM2 signer issued by the CA
#   other.*       RSA-1024 self-signed stranger (wrong certificate, --trust)
#   expired.*     RSA-1024 signer issued by the CA, 2015 .. 2019
# Usage: sh mkkeys.sh   (in this directory; needs openssl 3)
set -eu
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir "$t/new"
: >"$t/index"
echo 1000 >"$t/serial"
cat >"$t/ca.cnf" <<CNF
[ ca ]
default_ca = test
[ test ]
dir = $t
database = $t/index
new_certs_dir = $t/new
serial = $t/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
commonName = supplied
organizationName = optional
countryName = optional
[ signer ]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, nonRepudiation
[ cacert ]
basicConstraints = critical, CA:TRUE
keyUsage = keyCertSign, cRLSign
subjectKeyIdentifier = hash
CNF
subj() { echo "/C=CN/O=cebtools TEST ONLY/CN=$1"; }
issue() {	# name subject start end [selfsign]
	openssl req -new -key "$1.key" -subj "$(subj "$2")" -out "$t/$1.csr"
	if [ "${5:-}" = self ]; then
		openssl ca -batch -config "$t/ca.cnf" -selfsign -keyfile "$1.key" \
		    -extensions signer -startdate "$3" -enddate "$4" \
		    -in "$t/$1.csr" -out "$1.crt" -notext 2>/dev/null
	else
		openssl ca -batch -config "$t/ca.cnf" -cert ca.crt -keyfile "$t/ca.key" \
		    -extensions "${6:-signer}" -startdate "$3" -enddate "$4" \
		    -in "$t/$1.csr" -out "$1.crt" -notext 2>/dev/null
	fi
}
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$t/ca.key" 2>/dev/null
openssl req -new -key "$t/ca.key" -subj "$(subj 'cebtools test CA')" -out "$t/ca.csr"
openssl ca -batch -config "$t/ca.cnf" -selfsign -keyfile "$t/ca.key" \
    -extensions cacert -startdate 20200101000000Z -enddate 20491231235959Z \
    -in "$t/ca.csr" -out ca.crt -notext 2>/dev/null
for k in rsa other expired; do
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out $k.key 2>/dev/null
done
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:SM2 -out sm2.key 2>/dev/null
issue rsa 'cebtools test signer RSA' 20200101000000Z 20491231235959Z
issue sm2 'cebtools test signer SM2' 20200101000000Z 20491231235959Z
issue expired 'cebtools test signer RSA expired' 20150101000000Z 20191231235959Z
issue other 'cebtools test stranger RSA' 20200101000000Z 20491231235959Z self
