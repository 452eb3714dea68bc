#!/bin/sh
# envelope.sh: hostile DxpMsg envelopes (issue 19) between good documents.
#   sh testdata/hostile/envelope.sh KIND          from the source root
# writes to stdout good-before.xml, one envelope of the KIND below, and
# good-after.xml:
#   dash       Data base64 with a '-' (OpenSSL would stop there quietly)
#   badchar    Data with a '*'
#   unpadded   Data whose length is no multiple of 4
#   padinside  Data with '=' in the middle
#   zip        Data holding a <Zip> element, not base64 text
#   empty      an empty Data
#   nodata     no Data element at all
#   nested     Data holding another DxpMsg
#   msgtype    MsgType CEB621Message around a CEB311 (a warning only)
#   two        Data holding two messages
#   text       Data decoding to text, not XML
#   doctype    Data holding a message with a DOCTYPE
#   deep       Data holding a message nested 300 elements deep
#   huge       Data of about 3 MB (run with --max-size 1M: the envelope is
#              refused as a document, so Data can never outgrow the limit)
#   sv         a good DxpMsgSv, for comparison
set -eu
d=$(dirname "$0")
kind=$1
good=$(base64 -w0 "$d/good-before.xml" | sed 's/^77u\///')
head_() {	# head_ MSGTYPE: the envelope up to <dxp:Data>
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<dxp:DxpMsg xmlns:dxp="http://www.chinaport.gov.cn/dxp" ver="1.0">\n'
	printf '<dxp:TransInfo><dxp:CopMsgId>HOSTILE-%s</dxp:CopMsgId><dxp:SenderId>DXPENT0000458763</dxp:SenderId><dxp:ReceiverIds><dxp:ReceiverId>DXPEDCCEB0000002</dxp:ReceiverId></dxp:ReceiverIds><dxp:CreatTime>2026-11-27T12:00:00</dxp:CreatTime><dxp:MsgType>%s</dxp:MsgType></dxp:TransInfo>\n' "$kind" "$1"
}
envelope() {	# envelope DATA [MSGTYPE]
	head_ "${2:-CEB311Message}"
	printf '<dxp:Data>%s</dxp:Data>\n</dxp:DxpMsg>\n' "$1"
}
cat "$d/good-before.xml"
case $kind in
dash)	  envelope "$(echo "$good" | sed 's/^\(.\{20\}\)./\1-/')" ;;
badchar)  envelope "$(echo "$good" | sed 's/^\(.\{20\}\)./\1*/')" ;;
unpadded) envelope "$(echo "$good" | sed 's/=*$//; s/.$//')" ;;
padinside) envelope "PG==$good" ;;
zip)	  envelope '<Zip>UEsDBBQAAAAIAA==</Zip>' ;;
empty)	  envelope '' ;;
nodata)	  head_ CEB311Message; printf '</dxp:DxpMsg>\n' ;;
nested)	  envelope "$(envelope "$good" | base64 -w0)" DxpMsg ;;
msgtype)  envelope "$good" CEB621Message ;;
two)	  envelope "$(cat "$d/good-before.xml" "$d/good-after.xml" | base64 -w0)" ;;
text)	  envelope "$(printf 'not a message at all\n' | base64 -w0)" ;;
doctype)  envelope "$(printf '<!DOCTYPE a [<!ENTITY x "y">]>\n<a>&x;</a>\n' | base64 -w0)" ;;
deep)	  envelope "$(awk 'BEGIN { for (i = 0; i < 300; i++) printf "<a>"; for (i = 0; i < 300; i++) printf "</a>"; print "" }' | base64 -w0)" ;;
huge)	  envelope "$(head -c 2300000 /dev/zero | tr '\0' 'A')" ;;
sv)	  envelope "$good" | sed -e 's|^<dxp:DxpMsg xmlns:dxp="http://www.chinaport.gov.cn/dxp" ver="1.0">$|<dxp:DxpMsgSv xmlns:dxp="http://www.chinaport.gov.cn/dxp" ver="1.0"><dxp:SvNo Ver="1.0"><dxp:MsgId>0000000120261127120000000000001</dxp:MsgId><dxp:SendTime>2026-11-27T12:00:00</dxp:SendTime><dxp:EndNode>00000002</dxp:EndNode><dxp:StaNode>00000001</dxp:StaNode></dxp:SvNo><dxp:DxpMsg ver="1.0">|' -e 's|^</dxp:DxpMsg>$|</dxp:DxpMsg></dxp:DxpMsgSv>|' ;;
*)	  echo "envelope.sh: unknown kind $kind" >&2; exit 2 ;;
esac
cat "$d/good-after.xml"
