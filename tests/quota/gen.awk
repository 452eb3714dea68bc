# gen.awk: a batch of business-valid CEB messages for ceb-quota-check's
# tests and benchmark, fast enough for a million inventories.
#
#   awk -v n=1000 -v seed=7 -v buyers=50 -v month=202603 -v tag=B1 \
#       -v rel=0.1 -f tests/quota/gen.awk > batch.xml
#
# n inventories (one per CEB621 message) for `buyers` buyers (valid
# GB 11643 ID numbers), dated in the given month; about rel of them get a
# cancel (623), a partial return (625) or a receipt (622, status 100 or
# 800 teaching the invtNo), dated after the inventory.  tag makes copNo,
# orderNo and guids unique across batches, off offsets invtNo serials.  Deterministic for a given seed.

function idnum(k,    base, s, i, w) {
	base = sprintf("3301061990%02d%02d%03d", (k % 12) + 1, (k % 28) + 1,
	    (k * 7) % 1000)
	split("7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2", w, " ")
	s = 0
	for (i = 1; i <= 17; i++)
		s += substr(base, i, 1) * w[i]
	return base substr("10X98765432", s % 11 + 1, 1)
}
function guid(kind, i) {
	return sprintf("%08X-0000-4000-8000-%012d", kind, i)
}
function money(x) { return sprintf("%.2f", x) }
function head_common(g, app, ord, cop, id, decl) {
	printf "<ceb:guid>%s</ceb:guid><ceb:appType>1</ceb:appType><ceb:appTime>%s</ceb:appTime><ceb:appStatus>2</ceb:appStatus>", g, app
	printf "<ceb:orderNo>%s</ceb:orderNo><ceb:ebpCode>3301964YXC</ceb:ebpCode><ceb:ebpName>杭州云栖优选网络科技有限公司</ceb:ebpName>", ord
	printf "<ceb:ebcCode>91330114MA2H00014B</ceb:ebcCode><ceb:ebcName>杭州海纳环球贸易有限公司</ceb:ebcName>"
	printf "<ceb:logisticsNo>SJ%s</ceb:logisticsNo><ceb:logisticsCode>91330109MA27XK01XH</ceb:logisticsCode><ceb:logisticsName>杭州顺捷供应链管理有限公司</ceb:logisticsName>", cop
}
function sig() {
	printf "<ceb:BaseTransfer><ceb:copCode>3301980G2T</ceb:copCode><ceb:copName>杭州钱塘通关服务有限公司</ceb:copName><ceb:dxpMode>DXP</ceb:dxpMode><ceb:dxpId>DXPENT0000530447</ceb:dxpId></ceb:BaseTransfer>"
	printf "<ds:Signature><ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"/><ds:SignatureMethod Algorithm=\"http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3\"/><ds:Reference URI=\"\"><ds:DigestMethod Algorithm=\"http://www.chinaport.gov.cn/2022/04/xmldsig#sm3\"/><ds:DigestValue>dGVzdA==</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>dGVzdA==</ds:SignatureValue></ds:Signature>"
}
function release_head(g, app, ord, cop, invt, id) {
	head_common(g, app, ord, "R" cop, id, "")
	printf "<ceb:copNo>R%s</ceb:copNo><ceb:invtNo>%s</ceb:invtNo><ceb:buyerIdType>1</ceb:buyerIdType><ceb:buyerIdNumber>%s</ceb:buyerIdNumber>", cop, invt, id
	printf "<ceb:buyerName>王丽娟</ceb:buyerName><ceb:buyerTelephone>13957116842</ceb:buyerTelephone><ceb:agentCode>3301980G2T</ceb:agentCode><ceb:agentName>杭州钱塘通关服务有限公司</ceb:agentName><ceb:reason>消费者申请</ceb:reason>"
}
BEGIN {
	srand(seed + 0)
	if (buyers < 1) buyers = 50
	if (month == "") month = "202603"
	NS = "xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\""
	for (i = 1; i <= n; i++) {
		b = int(rand() * buyers)
		id = idnum(b + 0)
		day = int(rand() * 27) + 1
		decl = sprintf("%s%02d", month, day)
		app = sprintf("%s%02d%02d00", decl, int(rand() * 24), int(rand() * 60))
		cop = sprintf("%s%08d", tag, i)
		ord = sprintf("O%s%08d", tag, i)
		invt = sprintf("2991%sI%09d", substr(month, 1, 4), i + off)
		nl = int(rand() * 3) + 1
		fr = money(int(rand() * 30))
		printf "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ceb:CEB621Message guid=\"%s\" version=\"1.0\" %s>\n<ceb:Inventory><ceb:InventoryHead>", guid(1, i), NS
		head_common(guid(2, i), app, ord, cop, id, decl)
		printf "<ceb:copNo>%s</ceb:copNo><ceb:assureCode>91330114MA2H00014B</ceb:assureCode><ceb:emsNo>T2991W000126</ceb:emsNo><ceb:ieFlag>I</ceb:ieFlag>", cop
		printf "<ceb:declTime>%s</ceb:declTime><ceb:customsCode>2991</ceb:customsCode><ceb:portCode>2991</ceb:portCode><ceb:ieDate>%s</ceb:ieDate>", decl, decl
		printf "<ceb:buyerIdType>1</ceb:buyerIdType><ceb:buyerIdNumber>%s</ceb:buyerIdNumber><ceb:buyerName>王丽娟</ceb:buyerName><ceb:buyerTelephone>13957116842</ceb:buyerTelephone>", id
		printf "<ceb:consigneeAddress>浙江省杭州市西湖区文三路478号</ceb:consigneeAddress><ceb:agentCode>3301980G2T</ceb:agentCode><ceb:agentName>杭州钱塘通关服务有限公司</ceb:agentName>"
		printf "<ceb:areaCode>33016609AK</ceb:areaCode><ceb:areaName>杭州下沙综保仓储有限公司</ceb:areaName><ceb:tradeMode>1210</ceb:tradeMode><ceb:trafMode>Y</ceb:trafMode><ceb:country>142</ceb:country>"
		printf "<ceb:freight>%s</ceb:freight><ceb:insuredFee>0.00</ceb:insuredFee><ceb:currency>142</ceb:currency><ceb:wrapType>2</ceb:wrapType><ceb:packNo>1</ceb:packNo><ceb:grossWeight>1.20</ceb:grossWeight><ceb:netWeight>1.00</ceb:netWeight></ceb:InventoryHead>", fr
		for (l = 1; l <= nl; l++) {
			q = int(rand() * 3) + 1
			p = int(rand() * 80000) / 100 + 1
			printf "<ceb:InventoryList><ceb:gnum>%d</ceb:gnum><ceb:itemRecordNo>HZXS000%04d</ceb:itemRecordNo><ceb:gcode>3304990099</ceb:gcode><ceb:gname>保湿修护面霜 50ml</ceb:gname><ceb:gmodel>Aurelle牌|保湿修护面霜|50ml/瓶</ceb:gmodel><ceb:barCode>无</ceb:barCode>", l, l
			printf "<ceb:country>305</ceb:country><ceb:tradeCountry>305</ceb:tradeCountry><ceb:currency>142</ceb:currency><ceb:qty>%d</ceb:qty><ceb:unit>142</ceb:unit><ceb:qty1>%d</ceb:qty1><ceb:unit1>011</ceb:unit1>", q, q
			printf "<ceb:price>%s</ceb:price><ceb:totalPrice>%s</ceb:totalPrice></ceb:InventoryList>", money(p), money(q * p)
		}
		printf "</ceb:Inventory>"
		sig()
		printf "</ceb:CEB621Message>\n"
		if (rand() >= rel)
			continue
		k = int(rand() * 4)
		rapp = sprintf("%s%02d120000", month, day + 1)
		if (k == 0) {
			printf "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ceb:CEB623Message guid=\"%s\" version=\"1.0\" %s>\n<ceb:InvtCancel>", guid(3, i), NS
			release_head(guid(4, i), rapp, ord, cop, invt, id)
			printf "</ceb:InvtCancel>"
			sig()
			printf "</ceb:CEB623Message>\n"
		} else if (k == 1) {
			printf "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ceb:CEB625Message guid=\"%s\" version=\"1.0\" %s>\n<ceb:InvtRefund><ceb:InvtRefundHead>", guid(5, i), NS
			release_head(guid(6, i), rapp, ord, cop, invt, id)
			printf "</ceb:InvtRefundHead><ceb:InvtRefundList><ceb:gnum>1</ceb:gnum><ceb:gcode>3304990099</ceb:gcode><ceb:gname>保湿修护面霜 50ml</ceb:gname><ceb:qty>1</ceb:qty><ceb:unit>142</ceb:unit></ceb:InvtRefundList></ceb:InvtRefund>"
			sig()
			printf "</ceb:CEB625Message>\n"
		} else {
			printf "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CEB622Message guid=\"%s\" version=\"1.0\" xmlns=\"http://www.chinaport.gov.cn/ceb\">\n<InventoryReturn>", guid(7, i)
			printf "<guid>%s</guid><customsCode>2991</customsCode><ebpCode>3301964YXC</ebpCode><ebcCode>91330114MA2H00014B</ebcCode><agentCode>3301980G2T</agentCode>", guid(8, i)
			printf "<copNo>%s</copNo><preNo>B%s000000001</preNo><invtNo>%s</invtNo><returnStatus>%s</returnStatus><returnTime>%s000</returnTime><returnInfo>回执</returnInfo></InventoryReturn></CEB622Message>\n", cop, decl, invt, k == 2 ? "100" : "800", rapp
		}
	}
}
