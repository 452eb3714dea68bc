# tests/quota/lib.sh: helpers for ceb-quota-check's tests, sourced by the
# scripts in tests/quota/.  They write business-valid CEB messages of the
# 2022 edition (the same shape as testdata/msg/, fictitious data) from a
# few parameters, and speak TAP.
#
#   inv GUID COPNO ORDERNO ID DECLTIME LINES [FREIGHT [INSURED [NAME
#       [APPTIME]]]]
#       one <Inventory>; LINES is "qty:price;qty:price;..." (gnum counts
#       from 1, totalPrice = qty x price computed here)
#       (CUR=code in the environment: another head currency; APPTYPE=2:
#       a change of a declared inventory)
#   msg621 GUID INVENTORY...      wraps inventories in a CEB621Message
#   msg623 GUID RECGUID COPNO ORDERNO INVTNO ID APPTIME
#   msg625 GUID RECGUID COPNO ORDERNO INVTNO ID APPTIME "gnum:qty;..."
#   msg622 GUID RECGUID COPNO INVTNO STATUS RETURNTIME
# Companies are fixed: platform 3301964YXC, e-commerce 91330114MA2H00014B,
# agent 3301980G2T.

EBP=3301964YXC
EBC=91330114MA2H00014B
AGENT=3301980G2T

SIG='<ds:Signature><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/><ds:SignatureMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"/><ds:DigestValue>dGVzdCBkaWdlc3Qgb25seSwgbm90IGEgcmVhbCBvbmU=</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>dGVzdCBzaWduYXR1cmUgb25seQ==</ds:SignatureValue><ds:KeyInfo><ds:KeyName>71b90f6b4940ab64</ds:KeyName></ds:KeyInfo></ds:Signature>'

BASE='<ceb:BaseTransfer><ceb:copCode>3301980G2T</ceb:copCode><ceb:copName>杭州钱塘通关服务有限公司</ceb:copName><ceb:dxpMode>DXP</ceb:dxpMode><ceb:dxpId>DXPENT0000530447</ceb:dxpId></ceb:BaseTransfer>'

NS='xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"'

# qty x price with 2 decimals (awk: test amounts stay far below 2^53 cents)
mul() { awk -v q="$1" -v p="$2" 'BEGIN { printf "%.2f", q * p }'; }

inv() {
	_g=$1 _cop=$2 _ord=$3 _id=$4 _decl=$5 _lines=$6
	_fr=${7:-0.00} _ins=${8:-0.00} _name=${9:-王丽娟}
	_app=${10:-${_decl}093000}
	printf '\n<ceb:Inventory><ceb:InventoryHead>'
	printf '<ceb:guid>%s</ceb:guid><ceb:appType>%s</ceb:appType>' "$_g" "${APPTYPE:-1}"
	printf '<ceb:appTime>%s</ceb:appTime><ceb:appStatus>2</ceb:appStatus>' "$_app"
	printf '<ceb:orderNo>%s</ceb:orderNo><ceb:ebpCode>%s</ceb:ebpCode>' "$_ord" "$EBP"
	printf '<ceb:ebpName>杭州云栖优选网络科技有限公司</ceb:ebpName>'
	printf '<ceb:ebcCode>%s</ceb:ebcCode><ceb:ebcName>杭州海纳环球贸易有限公司</ceb:ebcName>' "$EBC"
	printf '<ceb:logisticsNo>SJ%s</ceb:logisticsNo>' "$_cop"
	printf '<ceb:logisticsCode>91330109MA27XK01XH</ceb:logisticsCode><ceb:logisticsName>杭州顺捷供应链管理有限公司</ceb:logisticsName>'
	printf '<ceb:copNo>%s</ceb:copNo><ceb:assureCode>%s</ceb:assureCode>' "$_cop" "$EBC"
	printf '<ceb:emsNo>T2991W000126</ceb:emsNo><ceb:ieFlag>I</ceb:ieFlag>'
	printf '<ceb:declTime>%s</ceb:declTime><ceb:customsCode>2991</ceb:customsCode><ceb:portCode>2991</ceb:portCode>' "$_decl"
	printf '<ceb:ieDate>%s</ceb:ieDate><ceb:buyerIdType>1</ceb:buyerIdType>' "$_decl"
	printf '<ceb:buyerIdNumber>%s</ceb:buyerIdNumber><ceb:buyerName>%s</ceb:buyerName>' "$_id" "$_name"
	printf '<ceb:buyerTelephone>13957116842</ceb:buyerTelephone><ceb:consigneeAddress>浙江省杭州市西湖区文三路478号</ceb:consigneeAddress>'
	printf '<ceb:agentCode>%s</ceb:agentCode><ceb:agentName>杭州钱塘通关服务有限公司</ceb:agentName>' "$AGENT"
	printf '<ceb:areaCode>33016609AK</ceb:areaCode><ceb:areaName>杭州下沙综保仓储有限公司</ceb:areaName>'
	printf '<ceb:tradeMode>1210</ceb:tradeMode><ceb:trafMode>Y</ceb:trafMode><ceb:country>142</ceb:country>'
	printf '<ceb:freight>%s</ceb:freight><ceb:insuredFee>%s</ceb:insuredFee><ceb:currency>%s</ceb:currency>' "$_fr" "$_ins" "${CUR:-142}"
	printf '<ceb:wrapType>2</ceb:wrapType><ceb:packNo>1</ceb:packNo><ceb:grossWeight>1.20</ceb:grossWeight><ceb:netWeight>1.00</ceb:netWeight>'
	printf '</ceb:InventoryHead>'
	_n=0
	_rest=$_lines
	while [ -n "$_rest" ]; do
		_item=${_rest%%;*}
		case $_rest in *\;*) _rest=${_rest#*;} ;; *) _rest= ;; esac
		_n=$((_n + 1))
		_q=${_item%%:*} _p=${_item#*:}
		printf '<ceb:InventoryList><ceb:gnum>%d</ceb:gnum>' "$_n"
		printf '<ceb:itemRecordNo>HZXS000%04d</ceb:itemRecordNo><ceb:itemNo>SKU-%d</ceb:itemNo>' "$_n" "$_n"
		printf '<ceb:gcode>3304990099</ceb:gcode><ceb:gname>保湿修护面霜 50ml</ceb:gname>'
		printf '<ceb:gmodel>Aurelle牌|保湿修护面霜|50ml/瓶</ceb:gmodel><ceb:barCode>无</ceb:barCode>'
		printf '<ceb:country>305</ceb:country><ceb:tradeCountry>305</ceb:tradeCountry><ceb:currency>142</ceb:currency>'
		printf '<ceb:qty>%s</ceb:qty><ceb:unit>142</ceb:unit><ceb:qty1>%s</ceb:qty1><ceb:unit1>011</ceb:unit1>' "$_q" "$_q"
		printf '<ceb:price>%s</ceb:price><ceb:totalPrice>%s</ceb:totalPrice></ceb:InventoryList>' "$_p" "$(mul "$_q" "$_p")"
	done
	printf '</ceb:Inventory>'
}

msg621() {
	_g=$1
	shift
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<ceb:CEB621Message guid="%s" version="1.0" %s>' "$_g" "$NS"
	printf '%s' "$@"
	printf '%s%s</ceb:CEB621Message>\n' "$BASE" "$SIG"
}

_cancelhead() {
	printf '<ceb:guid>%s</ceb:guid><ceb:appType>1</ceb:appType><ceb:appTime>%s</ceb:appTime><ceb:appStatus>2</ceb:appStatus>' "$1" "$7"
	printf '<ceb:customsCode>2991</ceb:customsCode><ceb:orderNo>%s</ceb:orderNo><ceb:ebpCode>%s</ceb:ebpCode>' "$3" "$EBP"
	printf '<ceb:ebpName>杭州云栖优选网络科技有限公司</ceb:ebpName><ceb:ebcCode>%s</ceb:ebcCode><ceb:ebcName>杭州海纳环球贸易有限公司</ceb:ebcName>' "$EBC"
	printf '<ceb:logisticsNo>SJ%s</ceb:logisticsNo><ceb:logisticsCode>91330109MA27XK01XH</ceb:logisticsCode><ceb:logisticsName>杭州顺捷供应链管理有限公司</ceb:logisticsName>' "$2"
	[ -n "$2" ] && printf '<ceb:copNo>%s</ceb:copNo>' "$2"
	printf '<ceb:invtNo>%s</ceb:invtNo><ceb:buyerIdType>1</ceb:buyerIdType><ceb:buyerIdNumber>%s</ceb:buyerIdNumber>' "$4" "$5"
	printf '<ceb:buyerName>王丽娟</ceb:buyerName><ceb:buyerTelephone>13957116842</ceb:buyerTelephone>'
	printf '<ceb:agentCode>%s</ceb:agentCode><ceb:agentName>杭州钱塘通关服务有限公司</ceb:agentName><ceb:reason>%s</ceb:reason>' "$AGENT" "$6"
}

msg623() {
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<ceb:CEB623Message guid="%s" version="1.0" %s>\n<ceb:InvtCancel>' "$1" "$NS"
	_cancelhead "$2" "$3" "$4" "$5" "$6" "消费者取消订单，申请撤销清单" "$7"
	printf '</ceb:InvtCancel>%s%s</ceb:CEB623Message>\n' "$BASE" "$SIG"
}

msg625() {
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<ceb:CEB625Message guid="%s" version="1.0" %s>\n<ceb:InvtRefund><ceb:InvtRefundHead>' "$1" "$NS"
	_cancelhead "$2" "$3" "$4" "$5" "$6" "消费者退货" "$7"
	printf '</ceb:InvtRefundHead>'
	_rest=$8
	while [ -n "$_rest" ]; do
		_item=${_rest%%;*}
		case $_rest in *\;*) _rest=${_rest#*;} ;; *) _rest= ;; esac
		printf '<ceb:InvtRefundList><ceb:gnum>%s</ceb:gnum><ceb:gcode>3304990099</ceb:gcode><ceb:gname>保湿修护面霜 50ml</ceb:gname><ceb:qty>%s</ceb:qty><ceb:unit>142</ceb:unit></ceb:InvtRefundList>' "${_item%%:*}" "${_item#*:}"
	done
	printf '</ceb:InvtRefund>%s%s</ceb:CEB625Message>\n' "$BASE" "$SIG"
}

msg622() {
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<CEB622Message guid="%s" version="1.0" xmlns="http://www.chinaport.gov.cn/ceb">\n<InventoryReturn>' "$1"
	printf '<guid>%s</guid><customsCode>2991</customsCode><ebpCode>%s</ebpCode><ebcCode>%s</ebcCode><agentCode>%s</agentCode>' "$2" "$EBP" "$EBC" "$AGENT"
	printf '<copNo>%s</copNo><preNo>B20261120000000001</preNo>' "$3"
	[ -n "$4" ] && printf '<invtNo>%s</invtNo>' "$4"
	printf '<returnStatus>%s</returnStatus><returnTime>%s</returnTime><returnInfo>%s</returnInfo></InventoryReturn></CEB622Message>\n' "$5" "$6" "回执$5"
}

# TAP
_tap_n=0
_tap_fail=0
ok() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_fail=1
	fi
}

# The state of a store as text (tests/state-dump.sh), and its number of
# inventories.
dump() { sh "$top/tests/state-dump.sh" "$1"; }
nrows() { sqlite3 "$1" "SELECT count(*) FROM inventories"; }
