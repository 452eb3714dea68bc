#!/usr/bin/env python3
"""mk.py: write the regression set of messages in the shapes real senders
use (testdata/realshape/README says what each file is for).

Each message is one that customs accepts, written from the 2022 (and 2018)
field tables; the shapes are those seen in public customs-integration code
and real receipts: guids that are 36 upper-case characters but no UUID
(a prefix, a time stamp and a counter), payment companies' customs codes
that begin with letters, customs offices opened after the 2018-04 code
table (2924 金义综合保税区, 4722 武汉东湖综合保税区口岸作业区), and the
field sets of both editions.  ceb-validate must pass every one with exit
status 0 (tests/golden/ceb-validate/realshape-*).

The data are fictitious (companies, people, phones, addresses); codes,
check characters and amounts are real and recomputed here.  The
signatures are real ones made with the TEST SM2 key of testdata/keys
(testdata/keys/resign.sh, so ceb-sign must be on PATH): they verify, as
customs would verify the sender's own.

Usage: python3 testdata/realshape/mk.py [dir]
"""
import os
import subprocess
import sys

NS = 'http://www.chinaport.gov.cn/ceb'
DS = 'http://www.w3.org/2000/09/xmldsig#'
SIG = ('<ds:Signature xmlns:ds="%s"><ds:SignedInfo>'
       '<ds:CanonicalizationMethod Algorithm='
       '"http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>'
       '<ds:SignatureMethod Algorithm='
       '"http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"/>'
       '<ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm='
       '"http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
       '</ds:Transforms><ds:DigestMethod Algorithm='
       '"http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"/>'
       '<ds:DigestValue>UkVBTFNIQVBFUExBQ0VIT0xERVJESUdFU1Q=</ds:DigestValue>'
       '</ds:Reference></ds:SignedInfo><ds:SignatureValue>'
       'UkVBTFNIQVBFIFBMQUNFSE9MREVSIFNJR05BVFVSRQ==</ds:SignatureValue>'
       '<ds:KeyInfo><ds:KeyName>0000000000000000</ds:KeyName><ds:X509Data>'
       '<ds:X509Certificate>AAAA</ds:X509Certificate></ds:X509Data>'
       '</ds:KeyInfo></ds:Signature>' % DS)

# Enterprises (fictitious; the codes have the forms customs issues).
EBP, EBP_N = '3301964YXC', '杭州云栖优选网络科技有限公司'
EBC, EBC_N = '91330114MA2H00014B', '杭州海纳环球贸易有限公司'
PAY, PAY_N = 'ZF14021901', '云付通支付服务有限公司'     # letter-first
LOG, LOG_N = '91330109MA27XK01XH', '杭州顺捷供应链管理有限公司'
AGT, AGT_N = '3301980G2T', '杭州钱塘通关服务有限公司'
AREA, AREA_N = '33016609AK', '金华金义综保仓储有限公司'
BUYER, BUYER_N, TEL = '330106199007141289', '王丽娟', '13957116842'
ADDR = '浙江省杭州市西湖区文三路478号华星时代广场1幢1203室'


def guid(prefix, stamp, n):
    """A sender's guid: prefix, time stamp, zero-padded counter: 36."""
    g = '%s%s%0*d' % (prefix, stamp, 36 - len(prefix) - len(stamp), n)
    assert len(g) == 36 and g == g.upper(), g
    return g


def el(name, value, ind):
    if value is None:
        return ''
    v = value.replace('&', '&amp;').replace('<', '&lt;')
    return '%s<ceb:%s>%s</ceb:%s>\n' % (ind, name, v, name)


def block(name, fields, ind):
    return '%s<ceb:%s>\n%s%s</ceb:%s>\n' % (
        ind, name, ''.join(el(k, v, ind + '\t') for k, v in fields), ind,
        name)


def message(code, root_guid, record, head, lines=None, head_name=None,
            list_name=None, transfer=None, sig=False):
    x = '<?xml version="1.0" encoding="UTF-8"?>\n'
    x += ('<ceb:CEB%sMessage guid="%s" version="1.0" xmlns:ceb="%s" '
          'xmlns:ds="%s">\n' % (code, root_guid, NS, DS))
    x += '\t<ceb:%s>\n' % record
    if head_name:
        x += block(head_name, head, '\t\t')
    else:
        x += ''.join(el(k, v, '\t\t') for k, v in head)
    for line in lines or []:
        x += block(list_name, line, '\t\t')
    x += '\t</ceb:%s>\n' % record
    if transfer:
        x += block('BaseTransfer', [('copCode', transfer[0]),
                                    ('copName', transfer[1]),
                                    ('dxpMode', 'DXP'),
                                    ('dxpId', transfer[2])], '\t')
    if sig:
        x += '\t' + SIG + '\n'
    x += '</ceb:CEB%sMessage>\n' % code
    return x


def order(g, app_time, order_no, lines, freight, tax, pay_tx, pay=PAY,
          pay_n=PAY_N, district='330106'):
    goods = sum(float(l[8][1]) for l in lines)
    head = [
        ('guid', g), ('appType', '1'), ('appTime', app_time),
        ('appStatus', '2'), ('orderType', 'I'), ('orderNo', order_no),
        ('ebpCode', EBP), ('ebpName', EBP_N), ('ebcCode', EBC),
        ('ebcName', EBC_N), ('goodsValue', '%.2f' % goods),
        ('freight', freight), ('discount', '0'), ('taxTotal', tax),
        ('acturalPaid', '%.2f' % (goods + float(freight) + float(tax))),
        ('currency', '142'), ('buyerRegNo', 'yq_' + TEL),
        ('buyerName', BUYER_N), ('buyerTelephone', TEL),
        ('buyerIdType', '1'), ('buyerIdNumber', BUYER), ('payCode', pay),
        ('payName', pay_n), ('payTransactionId', pay_tx),
        ('consignee', BUYER_N), ('consigneeTelephone', TEL),
        ('consigneeAddress', ADDR), ('consigneeDistrict', district)]
    return head


def oline(n, item, name, unit, qty, price):
    return [('gnum', str(n)), ('itemNo', item), ('itemName', name),
            ('gmodel', name), ('barCode', '无'), ('unit', unit),
            ('qty', qty), ('price', price),
            ('totalPrice', '%.2f' % (float(qty) * float(price))),
            ('currency', '142'), ('country', '609')]


def inventory(g, app_time, decl, order_no, cop_no, customs, trade, lines,
              freight, bonded):
    head = [
        ('guid', g), ('appType', '1'), ('appTime', app_time),
        ('appStatus', '2'), ('orderNo', order_no), ('ebpCode', EBP),
        ('ebpName', EBP_N), ('ebcCode', EBC), ('ebcName', EBC_N),
        ('logisticsNo', 'SJ' + cop_no[-13:]), ('logisticsCode', LOG),
        ('logisticsName', LOG_N), ('copNo', cop_no), ('assureCode', EBC),
        ('emsNo', 'T%sW000126' % customs if bonded else None),
        ('ieFlag', 'I'), ('declTime', decl), ('customsCode', customs),
        ('portCode', customs), ('ieDate', decl), ('buyerIdType', '1'),
        ('buyerIdNumber', BUYER), ('buyerName', BUYER_N),
        ('buyerTelephone', TEL), ('consigneeAddress', ADDR),
        ('agentCode', AGT), ('agentName', AGT_N),
        ('areaCode', AREA if bonded else None),
        ('areaName', AREA_N if bonded else None), ('tradeMode', trade),
        ('trafMode', 'Y' if bonded else '5'),
        ('trafNo', None if bonded else 'B-2447'),
        ('voyageNo', None if bonded else 'CA1046'),
        ('billNo', None if bonded else '999-40051322'),
        ('country', '142' if bonded else '609'), ('freight', freight),
        ('insuredFee', '0'), ('currency', '142'), ('wrapType', '2'),
        ('packNo', '1'), ('grossWeight', '2.56'), ('netWeight', '2.09')]
    return head


def iline(n, record_no, item, name, gcode, qty, unit, qty1, unit1, price,
          qty2=None, unit2=None):
    return [('gnum', str(n)), ('itemRecordNo', record_no), ('itemNo', item),
            ('itemName', name), ('gcode', gcode), ('gname', name),
            ('gmodel', name), ('barCode', '无'), ('country', '609'),
            ('tradeCountry', '609'), ('currency', '142'), ('qty', qty),
            ('unit', unit), ('qty1', qty1), ('unit1', unit1),
            ('qty2', qty2), ('unit2', unit2), ('price', price),
            ('totalPrice', '%.2f' % (float(qty) * float(price)))]


FILES = {}

# 1. An order: sender guids, a letter-first payment company.  436 + 329 +
# 10 freight = 775, taxed 9.1% within the limits: 70.53.
L1 = [oline(1, 'KM-IF3-900', 'Kiwi Meadow 幼儿配方奶粉3段 900克', '122', '2',
            '218'),
      oline(2, 'AV-HC-50', 'Aurelle 保湿修护面霜 50ml', '142', '1', '329')]
FILES['2022/01-order.xml'] = message(
    '311', guid('YQORD', '20261120103527', 1), 'Order',
    order(guid('YQ311', '20261120103527', 18), '20261120103527',
          'YQ202611201035270018', L1, '10', '70.53',
          'ZF202611201036418827'),
    L1, 'OrderHead', 'OrderList', transfer=(EBP, EBP_N, 'DXPENT0000458220'))

# 2. Its payment, by the letter-first payment company.
FILES['2022/02-payment.xml'] = message(
    '411', guid('ZFPAY', '20261120103702', 1), 'Payment', [
        ('guid', guid('ZF411', '20261120103702', 3)), ('appType', '1'),
        ('appTime', '20261120103702'), ('appStatus', '2'),
        ('payCode', PAY), ('payName', PAY_N),
        ('payTransactionId', 'ZF202611201036418827'),
        ('orderNo', 'YQ202611201035270018'), ('ebpCode', EBP),
        ('ebpName', EBP_N), ('payerIdType', '1'),
        ('payerIdNumber', BUYER), ('payerName', BUYER_N),
        ('telephone', TEL), ('amountPaid', '845.53'), ('currency', '142'),
        ('payTime', '20261120103641')], head_name='PaymentHead',
    transfer=(PAY, PAY_N, 'DXPENT0000311862'))

# 3. Its waybill.
FILES['2022/03-waybill.xml'] = message(
    '511', guid('SJWB', '20261120131520', 1), 'Logistics', [
        ('guid', guid('SJ511', '20261120131520', 42)), ('appType', '1'),
        ('appTime', '20261120131520'), ('appStatus', '2'),
        ('logisticsCode', LOG), ('logisticsName', LOG_N),
        ('logisticsNo', 'SJ2611200018426'),
        ('orderNo', 'YQ202611201035270018'), ('freight', '10'),
        ('insuredFee', '0'), ('currency', '142'), ('weight', '2.56'),
        ('packNo', '1'), ('goodsInfo', '奶粉、面霜'),
        ('consignee', BUYER_N), ('consigneeAddress', ADDR),
        ('consigneeTelephone', TEL)], head_name='LogisticsHead',
    transfer=(LOG, LOG_N, 'DXPENT0000533029'))

# 4. Its inventory, bonded (1210) at 2924 金义综合保税区 (a 2018-12 office).
IL4 = [iline(1, 'JYZB0001901', 'KM-IF3-900', 'Kiwi Meadow 幼儿配方奶粉3段',
             '1901101000', '2', '122', '1.8', '035', '218'),
       iline(2, 'JYZB0002107', 'AV-HC-50', 'Aurelle 保湿修护面霜 50ml',
             '3304990099', '1', '142', '0.05', '035', '329', '1', '011')]
FILES['2022/04-inventory-2924-bonded.xml'] = message(
    '621', guid('QT621', '20261120142208', 1), 'Inventory',
    inventory(guid('QTINV', '20261120142208', 187), '20261120142208',
              '20261120', 'YQ202611201035270018', 'QT2611200018426',
              '2924', '1210', IL4, '10', True),
    IL4, 'InventoryHead', 'InventoryList',
    transfer=(AGT, AGT_N, 'DXPENT0000530447'), sig=True)

# 5. A direct-purchase inventory (9610) at 4722 武汉东湖综保口岸作业区.
IL5 = [iline(1, None, 'WX-VD3-120', '维生素D3软胶囊 120粒', '2106909090',
             '3', '142', '0.36', '035', '59.9')]
FILES['2022/05-inventory-4722-direct.xml'] = message(
    '621', guid('WH621', '20261121091503', 1), 'Inventory',
    inventory(guid('WHINV', '20261121091503', 29), '20261121091503',
              '20261121', 'YQ202611210912450045', 'WH2611210004512',
              '4722', '9610', IL5, '8', False),
    IL5, 'InventoryHead', 'InventoryList',
    transfer=(AGT, AGT_N, 'DXPENT0000530447'), sig=True)

# 6. The cancel of an inventory at 2924, sender guid.
FILES['2022/06-cancel.xml'] = message(
    '623', guid('QTCX', '20261121093015', 1), 'InvtCancel', [
        ('guid', guid('QT623', '20261121093015', 31)), ('appType', '1'),
        ('appTime', '20261121093015'), ('appStatus', '2'),
        ('customsCode', '2924'), ('orderNo', 'YQ202611201035270018'),
        ('ebpCode', EBP), ('ebpName', EBP_N), ('ebcCode', EBC),
        ('ebcName', EBC_N), ('logisticsNo', 'SJ2611200018426'),
        ('logisticsCode', LOG), ('logisticsName', LOG_N),
        ('copNo', 'QTCX20261121000031'), ('invtNo', '29242026I000352718'),
        ('buyerIdType', '1'), ('buyerIdNumber', BUYER),
        ('buyerName', BUYER_N), ('buyerTelephone', TEL),
        ('agentCode', AGT), ('agentName', AGT_N),
        ('reason', '消费者取消订单，商品尚未出区，申请撤销清单')],
    transfer=(AGT, AGT_N, 'DXPENT0000530447'), sig=True)

# 7. A return of one line at 4722.
FILES['2022/07-return.xml'] = message(
    '625', guid('WHTH', '20261125161840', 1), 'InvtRefund', [
        ('guid', guid('WH625', '20261125161840', 12)), ('appType', '1'),
        ('appTime', '20261125161840'), ('appStatus', '2'),
        ('customsCode', '4722'), ('orderNo', 'YQ202611210912450045'),
        ('ebpCode', EBP), ('ebpName', EBP_N), ('ebcCode', EBC),
        ('ebcName', EBC_N), ('logisticsNo', 'SJ2611210004512'),
        ('logisticsCode', LOG), ('logisticsName', LOG_N),
        ('copNo', 'WHTH20261125000012'), ('invtNo', '47222026I000081277'),
        ('buyerIdType', '1'), ('buyerIdNumber', BUYER),
        ('buyerName', BUYER_N), ('buyerTelephone', TEL),
        ('agentCode', AGT), ('agentName', AGT_N),
        ('reason', '消费者签收后申请退货')],
    [[('gnum', '1'), ('gcode', '2106909090'),
      ('gname', '维生素D3软胶囊 120粒'), ('qty', '1'), ('unit', '142')]],
    'InvtRefundHead', 'InvtRefundList',
    transfer=(AGT, AGT_N, 'DXPENT0000530447'), sig=True)

# 8. Customs' receipts of the 2924 inventory: 120 and 800 in one second,
# with the inner [Code:...] of real receipts.
def receipt(g, status, t, info):
    return [('guid', g), ('customsCode', '2924'), ('ebpCode', EBP),
            ('ebcCode', EBC), ('agentCode', AGT),
            ('copNo', 'QT2611200018426'), ('preNo', 'B20261120000458731'),
            ('invtNo', '29242026I000352718'), ('returnStatus', status),
            ('returnTime', t), ('returnInfo', info)]


r1 = receipt(guid('CEB622', '20261120142531207', 1), '120',
             '20261120142531207', '[Code:1800;Desc:逻辑校验通过]')
r2 = receipt(guid('CEB622', '20261120142531884', 2), '800',
             '20261120142531884', '[Code:2600;Desc:放行]')
FILES['2022/08-receipts.xml'] = (
    message('622', guid('CEB622R', '20261120142531', 1), 'InventoryReturn',
            r1).replace('\t</ceb:InventoryReturn>\n',
                        '\t</ceb:InventoryReturn>\n\t<ceb:InventoryReturn>\n' +
                        ''.join(el(k, v, '\t\t') for k, v in r2) +
                        '\t</ceb:InventoryReturn>\n', 1))

# 9. The tax bill of the 2924 inventory: taxPrice with the freight shared
# by value (436 + 5.70, 329 + 4.30); 9.1% within the limits; the cream at
# 6680 CNY per kg is under the CT threshold.  VAT 40.19 + 30.33.
FILES['2022/09-taxbill.xml'] = message(
    '816', guid('CEB816', '20261120150210123', 1), 'Tax', [
        ('guid', guid('CEB816T', '20261120150210123', 1)),
        ('returnTime', '20261120150210123'),
        ('invtNo', '29242026I000352718'),
        ('taxNo', '29242026I00035271801'), ('customsTax', '0'),
        ('valueAddedTax', '70.52'), ('consumptionTax', '0'),
        ('status', '1'), ('assureCode', EBC), ('ebcCode', EBC),
        ('logisticsCode', LOG), ('agentCode', AGT), ('customsCode', '2924')],
    [[('gnum', '1'), ('gcode', '1901101000'), ('taxPrice', '441.70'),
      ('customsTax', '0'), ('valueAddedTax', '40.19'),
      ('consumptionTax', '0')],
     [('gnum', '2'), ('gcode', '3304990099'), ('taxPrice', '333.30'),
      ('customsTax', '0'), ('valueAddedTax', '30.33'),
      ('consumptionTax', '0')]], 'TaxHeadRd', 'TaxListRd')

# 10. One indivisible item over the limit (a watch below the CT threshold,
# 2026): the single-item exception, taxed in full: 6000 + 10 freight at
# 10% tariff and 13% VAT = 601 + 859.43 = 1460.43.
L10 = [oline(1, 'SW-CH-40', '机械腕表 40mm', '008', '1', '6000')]
FILES['2022/10-order-single-item.xml'] = message(
    '311', guid('YQORD', '20261122201133', 2), 'Order',
    order(guid('YQ311', '20261122201133', 77), '20261122201133',
          'YQ202611222011330077', L10, '10', '1460.43',
          'ZF202611222011290077'),
    L10, 'OrderHead', 'OrderList', transfer=(EBP, EBP_N, 'DXPENT0000458220'))

# 11. The last minute of 2018: an order of 3000 CNY, over the 2000 limit of
# that day; its inventory (12) is declared on 2019-01-01 under the 5000
# limit and customs accepts it.  Tax 11.2% (VAT 16%): 336.
L11 = [oline(1, 'KM-IF3-900', 'Kiwi Meadow 幼儿配方奶粉3段 900克', '122', '12',
             '250')]
FILES['2022/11-order-2018-12-31.xml'] = message(
    '311', guid('YQORD', '20181231235900', 3), 'Order',
    order(guid('YQ311', '20181231235900', 1), '20181231235900',
          'YQ201812312359000001', L11, '0', '336',
          'ZF201812312358410001'),
    L11, 'OrderHead', 'OrderList', transfer=(EBP, EBP_N, 'DXPENT0000458220'))

IL12 = [iline(1, None, 'KM-IF3-900', 'Kiwi Meadow 幼儿配方奶粉3段',
              '1901101000', '12', '122', '10.8', '035', '250')]
FILES['2022/12-inventory-2019-01-01.xml'] = message(
    '621', guid('QT621', '20190101090512', 4), 'Inventory',
    inventory(guid('QTINV', '20190101090512', 5), '20190101090512',
              '20190101', 'YQ201812312359000001', 'QT1901010000005',
              '2244', '9610', IL12, '0', False),
    IL12, 'InventoryHead', 'InventoryList',
    transfer=(AGT, AGT_N, 'DXPENT0000530447'), sig=True)

# 13. An export (2022): B2B direct export 9710, a foreign platform without
# a customs code ("无"), a 32-character waybill number.
FILES['2022/13-export-9710.xml'] = message(
    '603', guid('EXP603', '20261123100000', 1), 'Inventory', [
        ('guid', guid('EX603', '20261123100000', 9)), ('appType', '1'),
        ('appTime', '20261123100000'), ('appStatus', '1'),
        ('customsCode', '2924'), ('ebpCode', '无'),
        ('ebpName', 'Global Marketplace Ltd'),
        ('orderNo', 'EX202611230000000009'), ('logisticsCode', LOG),
        ('logisticsName', LOG_N),
        ('logisticsNo', 'SJEX2026112300000000000000000009'),
        ('copNo', 'EXCP20261123000009'), ('ieFlag', 'E'),
        ('portCode', '2924'), ('ieDate', '20261123'),
        ('statisticsFlag', 'B'), ('agentCode', AGT), ('agentName', AGT_N),
        ('ebcCode', EBC), ('ebcName', EBC_N), ('ownerCode', EBC),
        ('ownerName', EBC_N), ('tradeMode', '9710'), ('trafMode', '2'),
        ('country', '502'), ('POD', '3154'), ('freight', '120'),
        ('fCurrency', '502'), ('fFlag', '3'), ('insuredFee', '0'),
        ('iCurrency', '502'), ('iFlag', '3'), ('wrapType', '2'),
        ('packNo', '3'), ('grossWeight', '36'), ('netWeight', '32')],
    [[('gnum', '1'), ('itemNo', 'TS-CER-06'), ('gcode', '6912001000'),
      ('gname', '陶瓷茶具'), ('gmodel', '6件套'), ('barCode', '无'),
      ('country', '502'), ('currency', '502'), ('qty', '30'),
      ('qty1', '32'), ('unit', '006'), ('unit1', '035'),
      ('price', '45'), ('totalPrice', '1350')]],
    'InventoryHead', 'InventoryList',
    transfer=(AGT, AGT_N, 'DXPENT0000530447'))

# 14, 15. The 2018 edition: an order of October 2018 (VAT 16%: 11.2%) and
# its inventory, whose itemNo has 25 characters (2018 allows 30, 2022 20).
L14 = [oline(1, 'KMIF3900-NZ-2018-BATCH-07', 'Kiwi Meadow 幼儿配方奶粉3段',
             '122', '2', '218')]
FILES['2018/14-order.xml'] = message(
    '311', guid('YQORD', '20181010120005', 5), 'Order',
    order(guid('YQ311', '20181010120005', 9), '20181010120005',
          'YQ201810101200050009', L14, '10', '49.95',
          'ZF201810101159480009'),
    L14, 'OrderHead', 'OrderList', transfer=(EBP, EBP_N, 'DXPENT0000458220'))
IL15 = [iline(1, None, 'KMIF3900-NZ-2018-BATCH-07',
              'Kiwi Meadow 幼儿配方奶粉3段', '1901101000', '2', '122', '1.8',
              '035', '218')]
FILES['2018/15-inventory.xml'] = message(
    '621', guid('QT621', '20181010143000', 6), 'Inventory',
    inventory(guid('QTINV', '20181010143000', 9), '20181010143000',
              '20181010', 'YQ201810101200050009', 'QT1810100000009',
              '2244', '9610', IL15, '10', False),
    IL15, 'InventoryHead', 'InventoryList',
    transfer=(AGT, AGT_N, 'DXPENT0000530447'), sig=True)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(
        os.path.abspath(__file__))
    for name, text in sorted(FILES.items()):
        path = os.path.join(out, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
        if 'ds:Signature' in text:
            subprocess.run(['sh', os.path.join(
                os.path.dirname(os.path.abspath(__file__)), '..', 'keys',
                'resign.sh'), path], check=True)


if __name__ == '__main__':
    main()
