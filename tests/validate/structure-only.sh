#!/bin/sh
# structure-only.sh: print a --rules file that turns every business (V-)
# rule of `ceb-validate --list-rules` off, so that a test judges the
# structural layer alone, whatever the catalogue holds:
#   sh tests/validate/structure-only.sh >$T/s.csv && ceb-validate --rules $T/s.csv ...
echo "rule,enabled,severity"
ceb-validate --list-rules | sed -n 's/^\(V-[^,]*\),.*/\1,no,/p'
