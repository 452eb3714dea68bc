#!/usr/bin/env python3
"""mkcases.py: write the golden cases of ceb-validate's business rules.

For every rule of the catalogue there is one passing and one failing case,
tests/golden/ceb-validate-rules/<RULE>-pass and <RULE>-fail: a message built
from one of the business-valid base messages below, changed in the fields
that the rule judges.  A passing case sits on the edge of what the rule
allows where that is possible (a leap day, a check value of 0, a value at
exactly the limit), so that it proves something.

This script writes `cmd` and `stdin` of each case, and signs each stdin
that has a ds:Signature with the test key (testdata/keys/resign.sh, so
ceb-sign must be on PATH): the cases are about business rules, and their
messages verify.  The expected `stdout`,
`stderr` and `status` come from a run with UPDATE=1 and are reviewed by
hand.  tests/rules/catalogue.test checks the case list against
`ceb-validate --list-rules`.

Usage: python3 tests/rules/mkcases.py [golden-dir]
"""
import os
import subprocess
import sys

NS = 'http://www.chinaport.gov.cn/ceb'
G = ['4CF1B5A6-2C3D-4E5F-8A9B-0C1D2E3F4A5%X' % i for i in range(10)]
EBP = '91350100M000100Y43'     # GB 32100 worked example
EBC = '91512081MA62K0260E'
LOG = '91110108551385082Q'
PAY = '91110000600037341L'
AGENT = '1105910159'           # 10-character customs code
OPER = '46016602EV'
BUYER = '11010519491231002X'   # GB 11643 appendix example
PAYER = '360426199101010071'
NOW = '1700000000'             # 2023-11-15 06:13:20 China time

SIG = ('<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
       '<ds:SignedInfo><ds:CanonicalizationMethod Algorithm='
       '"http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>'
       '<ds:SignatureMethod Algorithm='
       '"http://www.w3.org/2000/09/xmldsig#rsa-sha1"/>'
       '<ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm='
       '"http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
       '</ds:Transforms><ds:DigestMethod Algorithm='
       '"http://www.w3.org/2000/09/xmldsig#sha1"/>'
       '<ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>'
       '</ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue>'
       '<ds:KeyInfo><ds:KeyName>01</ds:KeyName><ds:X509Data>'
       '<ds:X509Certificate>AAAA</ds:X509Certificate></ds:X509Data>'
       '</ds:KeyInfo></ds:Signature>')

TRANSFER = [('copCode', AGENT), ('copName', '测试传输企业'), ('dxpMode', 'DXP'),
            ('dxpId', 'DXPENT0000000001')]


def ids17(s):
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return s + '10X98765432'[sum(int(c) * x for c, x in zip(s, w)) % 11]


# Base messages: (code, record, head, lines, list element, signature,
# import?).  Head and lines are ordered (name, value) lists in XSD order.
BASE = {
    '311': dict(record='Order', head='OrderHead', list='OrderList', sig=False,
                imp=True, fields=[
        ('guid', G[1]), ('appType', '1'), ('appTime', '20230601120000'),
        ('appStatus', '2'), ('orderType', 'I'), ('orderNo', 'ORD0001'),
        ('ebpCode', EBP), ('ebpName', '测试平台'), ('ebcCode', EBC),
        ('ebcName', '测试电商'), ('goodsValue', '199.5'), ('freight', '10'),
        ('discount', '5'), ('taxTotal', '18.2'), ('acturalPaid', '222.7'),
        ('currency', '142'), ('buyerRegNo', 'u001'), ('buyerName', '张三'),
        ('buyerTelephone', '13800000000'), ('buyerIdType', '1'),
        ('buyerIdNumber', BUYER), ('payCode', PAY), ('payName', '测试支付'),
        ('payTransactionId', 'PAY0001'), ('consignee', '张三'),
        ('consigneeTelephone', '13800000000'),
        ('consigneeAddress', '北京市朝阳区测试路1号'),
        ('consigneeDistrict', '110105')],
                lines=[
        [('gnum', '1'), ('itemNo', 'SKU1'), ('itemName', '奶粉'),
         ('gmodel', '900g'), ('barCode', '无'), ('unit', '122'), ('qty', '2'),
         ('price', '50'), ('totalPrice', '100'), ('currency', '142'),
         ('country', '116')],
        [('gnum', '2'), ('itemNo', 'SKU2'), ('itemName', '面霜'),
         ('gmodel', '50ml'), ('unit', '140'), ('qty', '1'), ('price', '99.5'),
         ('totalPrice', '99.5'), ('currency', '142'), ('country', '305')]]),
    '411': dict(record='Payment', head='PaymentHead', list=None, sig=False,
                imp=True, fields=[
        ('guid', G[2]), ('appType', '1'), ('appTime', '20230601120100'),
        ('appStatus', '2'), ('payCode', PAY), ('payName', '测试支付'),
        ('payTransactionId', 'PAY0001'), ('orderNo', 'ORD0001'),
        ('ebpCode', EBP), ('ebpName', '测试平台'), ('payerIdType', '1'),
        ('payerIdNumber', PAYER), ('payerName', '李四'),
        ('telephone', '13900000000'), ('amountPaid', '222.7'),
        ('currency', '142'), ('payTime', '20230601115900')], lines=[]),
    '511': dict(record='Logistics', head='LogisticsHead', list=None,
                sig=False, imp=True, fields=[
        ('guid', G[3]), ('appType', '1'), ('appTime', '20230601120200'),
        ('appStatus', '2'), ('logisticsCode', LOG), ('logisticsName', '测试物流'),
        ('logisticsNo', 'LN0001'), ('orderNo', 'ORD0001'), ('freight', '10'),
        ('insuredFee', '0'), ('currency', '142'), ('weight', '2.5'),
        ('packNo', '1'), ('goodsInfo', '奶粉'), ('consignee', '张三'),
        ('consigneeAddress', '北京市朝阳区测试路1号'),
        ('consigneeTelephone', '13800000000')], lines=[]),
    '513': dict(record='LogisticsStatus', head=None, list=None, sig=False,
                imp=True, fields=[
        ('guid', G[4]), ('appType', '1'), ('appTime', '20230603120000'),
        ('appStatus', '2'), ('logisticsCode', LOG), ('logisticsName', '测试物流'),
        ('logisticsNo', 'LN0001'), ('logisticsStatus', 'S'),
        ('logisticsTime', '20230603110000')], lines=[]),
    '621': dict(record='Inventory', head='InventoryHead', list='InventoryList',
                sig=True, imp=True, fields=[
        ('guid', G[5]), ('appType', '1'), ('appTime', '20230601120300'),
        ('appStatus', '2'), ('orderNo', 'ORD0001'), ('ebpCode', EBP),
        ('ebpName', '测试平台'), ('ebcCode', EBC), ('ebcName', '测试电商'),
        ('logisticsNo', 'LN0001'), ('logisticsCode', LOG),
        ('logisticsName', '测试物流'), ('copNo', 'COP0001'),
        ('assureCode', EBC), ('emsNo', None), ('ieFlag', 'I'),
        ('declTime', '20230601'), ('customsCode', '2244'),
        ('portCode', '2244'), ('ieDate', '20230602'), ('buyerIdType', '1'),
        ('buyerIdNumber', BUYER), ('buyerName', '张三'),
        ('buyerTelephone', '13800000000'),
        ('consigneeAddress', '北京市朝阳区测试路1号'), ('agentCode', AGENT),
        ('agentName', '测试报关'), ('areaCode', None), ('areaName', None),
        ('tradeMode', '9610'), ('trafMode', '5'), ('trafNo', 'B-2447'),
        ('voyageNo', 'CA1234'), ('billNo', '999-12345675'),
        ('country', '116'), ('freight', '10'), ('insuredFee', '0'),
        ('currency', '142'), ('wrapType', '2'), ('packNo', '1'),
        ('grossWeight', '2.5'), ('netWeight', '2')],
                lines=[
        [('gnum', '1'), ('itemRecordNo', None), ('itemNo', 'SKU1'),
         ('itemName', '奶粉'), ('gcode', '0402100000'), ('gname', '奶粉'),
         ('gmodel', '900g'), ('barCode', '无'), ('country', '116'),
         ('tradeCountry', '116'), ('currency', '142'), ('qty', '2'),
         ('unit', '122'), ('qty1', '1.8'), ('unit1', '035'), ('qty2', None),
         ('unit2', None), ('price', '50'), ('totalPrice', '100')],
        [('gnum', '2'), ('itemRecordNo', None), ('itemNo', 'SKU2'),
         ('itemName', '面霜'), ('gcode', '3304990099'), ('gname', '面霜'),
         ('gmodel', '50ml'), ('country', '305'), ('currency', '142'),
         ('qty', '1'), ('unit', '140'), ('qty1', '0.05'), ('unit1', '035'),
         ('qty2', '1'), ('unit2', '011'), ('price', '99.5'),
         ('totalPrice', '99.5')]]),
    '623': dict(record='InvtCancel', head=None, list=None, sig=True, imp=True,
                fields=[
        ('guid', G[6]), ('appType', '1'), ('appTime', '20230605120000'),
        ('appStatus', '2'), ('customsCode', '2244'), ('orderNo', 'ORD0001'),
        ('ebpCode', EBP), ('ebpName', '测试平台'), ('ebcCode', EBC),
        ('ebcName', '测试电商'), ('logisticsNo', 'LN0001'),
        ('logisticsCode', LOG), ('logisticsName', '测试物流'),
        ('copNo', 'COP0001'), ('invtNo', '22442023I000000001'),
        ('buyerIdType', '1'), ('buyerIdNumber', BUYER), ('buyerName', '张三'),
        ('buyerTelephone', '13800000000'), ('agentCode', AGENT),
        ('agentName', '测试报关'), ('reason', '买家取消')], lines=[]),
    '303': dict(record='Order', head='OrderHead', list='OrderList', sig=False,
                imp=False, fields=[
        ('guid', G[7]), ('appType', '1'), ('appTime', '20230601120000'),
        ('appStatus', '2'), ('orderType', 'E'), ('orderNo', 'EORD0001'),
        ('ebpCode', EBP), ('ebpName', '测试平台'), ('ebcCode', EBC),
        ('ebcName', '测试电商'), ('goodsValue', '300'), ('freight', '20'),
        ('currency', '502')],
                lines=[
        [('gnum', '1'), ('itemNo', 'SKU1'), ('itemName', '茶具'),
         ('unit', '011'), ('currency', '502'), ('qty', '3'), ('price', '100'),
         ('totalPrice', '300')]]),
    '603': dict(record='Inventory', head='InventoryHead', list='InventoryList',
                sig=False, imp=False, fields=[
        ('guid', G[8]), ('appType', '1'), ('appTime', '20230601120000'),
        ('appStatus', '1'), ('customsCode', '2244'), ('ebpCode', EBP),
        ('ebpName', '测试平台'), ('orderNo', 'EORD0001'),
        ('logisticsCode', LOG), ('logisticsName', '测试物流'),
        ('logisticsNo', 'ELN0001'), ('copNo', 'ECOP0001'), ('ieFlag', 'E'),
        ('portCode', '2244'), ('ieDate', '20230602'),
        ('statisticsFlag', 'A'), ('agentCode', AGENT),
        ('agentName', '测试报关'), ('ebcCode', EBC), ('ebcName', '测试电商'),
        ('ownerCode', EBC), ('ownerName', '测试电商'), ('tradeMode', '9610'),
        ('trafMode', '5'), ('country', '502'), ('POD', '3154'),
        ('freight', '20'), ('fCurrency', '502'), ('fFlag', '3'),
        ('insuredFee', '0'), ('iCurrency', '502'), ('iFlag', '3'),
        ('wrapType', '2'), ('packNo', '1'), ('grossWeight', '3'),
        ('netWeight', '2.5')],
                lines=[
        [('gnum', '1'), ('itemNo', 'SKU1'), ('gcode', '6912001000'),
         ('gname', '茶具'), ('gmodel', '陶瓷'), ('barCode', '无'),
         ('country', '502'), ('currency', '502'), ('qty', '3'),
         ('qty1', '2.5'), ('unit', '011'), ('unit1', '035'),
         ('price', '100'), ('totalPrice', '300')]]),
    '507': dict(record='Arrival', head='ArrivalHead', list='ArrivalList',
                sig=False, imp=False, fields=[
        ('guid', G[9]), ('appType', '1'), ('appTime', '20230603120000'),
        ('appStatus', '1'), ('customsCode', '2244'), ('copNo', 'ARR0001'),
        ('operatorCode', OPER), ('operatorName', '测试场所'), ('ieFlag', 'E'),
        ('trafMode', '4'), ('domesticTrafNo', '沪A12345'),
        ('logisticsCode', LOG), ('logisticsName', '测试物流'),
        ('msgCount', '1'), ('msgSeqNo', '1')],
                lines=[[('gnum', '1'), ('logisticsNo', 'ELN0001')]]),
    '701': dict(record='SummaryApply', head='SummaryApplyHead',
                list='SummaryApplyList', sig=False, imp=False, fields=[
        ('guid', G[0]), ('appType', '1'), ('appTime', '20230701120000'),
        ('appStatus', '1'), ('customsCode', '2244'), ('copNo', 'SUM0001'),
        ('agentCode', AGENT), ('agentName', '测试报关'), ('ebcCode', EBC),
        ('ebcName', '测试电商'), ('declAgentCode', AGENT),
        ('declAgentName', '测试报关'), ('startTime', None),
        ('endTime', None), ('summaryFlag', '1'),
        ('itemNameFlag', '1'), ('msgCount', '1'), ('msgSeqNo', '1')],
                lines=[[('invtNo', '22442023E000000001')]]),
    '622': dict(record='InventoryReturn', head=None, list=None, sig=None,
                imp=True, fields=[
        ('guid', G[1]), ('customsCode', '2244'), ('ebpCode', EBP),
        ('ebcCode', EBC), ('agentCode', AGENT), ('copNo', 'COP0001'),
        ('preNo', 'B20230601000000001'), ('invtNo', '22442023I000000001'),
        ('returnStatus', '120'), ('returnTime', '20230601120500000'),
        ('returnInfo', '入库')], lines=[]),
    # A tax bill: milk powder (13%, no CT) of 110 CNY within the limits:
    # 110 x 13% x 0.7 = 10.01.
    '816': dict(record='Tax', head='TaxHeadRd', list='TaxListRd', sig=None,
                imp=True, fields=[
        ('guid', G[6]), ('returnTime', '20230602120000000'),
        ('invtNo', '22442023I000000001'), ('taxNo', 'TAX2244202300000001'),
        ('customsTax', '0'), ('valueAddedTax', '10.01'),
        ('consumptionTax', '0'), ('status', '1'), ('ebcCode', EBC),
        ('agentCode', AGENT), ('customsCode', '2244')],
                lines=[
        [('gnum', '1'), ('gcode', '0402210000'), ('taxPrice', '110'),
         ('customsTax', '0'), ('valueAddedTax', '10.01'),
         ('consumptionTax', '0')]]),
}

BONDED = {'tradeMode': '1210', 'emsNo': 'T2244W000001', 'areaCode': OPER,
          'areaName': '测试仓储', 'trafNo': None, 'voyageNo': None,
          'billNo': None, 'country': '142', 'l1.itemRecordNo': 'A0001',
          'l2.itemRecordNo': 'A0002'}


def esc(v):
    return v.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def fields_xml(fields, ind):
    return ''.join('%s<ceb:%s>%s</ceb:%s>\n' % (ind, k, esc(v), k)
                   for k, v in fields if v is not None)


def apply(fields, mods, prefix):
    out = []
    for k, v in fields:
        key = prefix + k
        if key in mods:
            v = mods[key]
        out.append((k, v))
    return out


def record_xml(b, mods):
    head = apply(b['fields'], mods, '')
    ind = '\t\t\t' if b['head'] else '\t\t'
    x = '\t<ceb:%s>\n' % b['record']
    if b['head']:
        x += '\t\t<ceb:%s>\n%s\t\t</ceb:%s>\n' % (
            b['head'], fields_xml(head, ind), b['head'])
    else:
        x += fields_xml(head, ind)
    nlines = mods.get('_lines', len(b['lines']))
    for i, line in enumerate(b['lines'][:nlines]):
        lf = apply(line, mods, 'l%d.' % (i + 1))
        x += '\t\t<ceb:%s>\n%s\t\t</ceb:%s>\n' % (
            b['list'], fields_xml(lf, '\t\t\t'), b['list'])
    x += '\t</ceb:%s>\n' % b['record']
    return x


def message(code, mods, records=None):
    b = BASE[code]
    root = 'CEB%sMessage' % code
    guid = mods.get('_root_guid', b['fields'][0][1])
    x = '<?xml version="1.0" encoding="UTF-8"?>\n'
    x += '<ceb:%s guid="%s" version="1.0" xmlns:ceb="%s">\n' % (root, guid, NS)
    for m in (records or [mods]):
        x += record_xml(b, m)
    if b['sig'] is not None:
        x += '\t<ceb:BaseTransfer>\n%s\t</ceb:BaseTransfer>\n' % fields_xml(
            TRANSFER, '\t\t')
        sig = mods.get('_sig', b['sig'])
        if sig:
            x += '\t' + SIG + '\n'
    x += '</ceb:%s>\n' % root
    return x


def bonded(extra=None):
    d = dict(BONDED)
    d.update(extra or {})
    return d


PLIST = '--positive-list tests/rules/positive-list.csv '
GOODS = '--goods tests/rules/goods.csv '
# The shipped tables, each made to say it is complete: a code missing
# from a complete table is its rule's error, from another V-CODE-014.
COMPLETE = ('mkdir "$T/t" && cp tables/*.csv "$T/t" && '
            'sed -i "s/^# complete: no/# complete: yes/" "$T"/t/*.csv && ')
ALL_COMPLETE = '-c "$T/t" '
# A guid of 36 upper-case characters that is no UUID (prefix, time, counter).
NONUUID = 'PAY' + '20230601120100' + '%019d' % 1

# rule: (pass, fail); each (base code, modifications[, extra options]).
CASES = {
    'V-ID-001': (('621', {'buyerIdNumber': '11010519491231002x'}),
                 ('621', {'buyerIdNumber': '110105194912310021'})),
    'V-ID-002': (('311', {'buyerIdNumber': ids17('11010520000229002')}),
                 ('311', {'buyerIdNumber': ids17('11010519490230002')})),
    'V-ID-003': (('411', {}),
                 ('411', {'payerIdNumber': '360426910101007'})),
    'V-ID-004': (('623', {'buyerIdNumber': ids17('82000019910101007')}),
                 ('623', {'buyerIdNumber': ids17('99000019910101007')})),
    'V-ID-005': (('311', {}), ('311', {'buyerIdType': '2'})),
    'V-ID-010': (('311', {'ebpCode': '9111000060003734F0'}),
                 ('311', {'ebpCode': '91350100M000100Y44'})),
    # A payment company's customs code may begin with letters.
    'V-ID-011': (('411', {'payCode': 'ZF14021901'}),
                 ('621', {'agentCode': '11a5910159'})),
    'V-ID-012': (('511', {'logisticsCode': AGENT}),
                 ('511', {'logisticsCode': 'LOG1234'})),
    # A name may carry blanks, a key may contain one; a key may not
    # begin or end with one (here the full-width space U+3000).
    'V-ID-013': (('621', {'ebpName': ' 测试平台 ', 'orderNo': 'ORD 0001'}),
                 ('621', {'orderNo': 'ORD0001\u3000'})),
    'V-GUID-001': (('411', {}),
                   ('411', {'guid': G[2].lower()})),
    'V-GUID-002': (('513', {'_root_guid': 'CEB513_TEST_202306031200000000000001'}),
                   ('513', {'_root_guid': G[4].lower()})),
    'V-GUID-003': (('411', {}, [{}, {'guid': G[3], 'payTransactionId': 'PAY2'}]),
                   ('411', {}, [{}, {'payTransactionId': 'PAY2'}])),
    'V-GUID-004': (('411', {}), ('411', {'guid': NONUUID})),
    'V-TIME-001': (('511', {'appTime': '20200229235959'}),
                   ('511', {'appTime': '20230229120000'})),
    'V-TIME-002': (('411', {'payTime': '20231115235959'}),
                   ('411', {'payTime': '20991231000000'})),
    'V-TIME-003': (('701', {'startTime': '20230601000000',
                            'endTime': '20230630235959', '_lines': 0}),
                   ('701', {'startTime': '20230601000000', '_lines': 0})),
    'V-APP-001': (('623', {}), ('623', {'appType': '2'})),
    'V-APP-002': (('311', {'appStatus': '1'}), ('311', {'appStatus': '3'})),
    'V-APP-003': (('603', {}), ('603', {'ieFlag': 'I'})),
    'V-APP-004': (('303', {'orderType': 'W'}), ('303', {'orderType': 'I'})),
    'V-AMT-001': (('621', {'l1.qty': '3', 'l1.price': '33.33333',
                           'l1.totalPrice': '99.99999'}),
                  ('621', {'l1.totalPrice': '101'})),
    'V-AMT-002': (('311', {}),
                  ('311', {'goodsValue': '200', 'acturalPaid': '223.2'})),
    'V-AMT-003': (('311', {'discount': '0', 'acturalPaid': '227.7'}),
                  ('311', {'acturalPaid': '222.8'})),
    'V-AMT-004': (('621', {'netWeight': '2.5'}),
                  ('621', {'netWeight': '2.50001'})),
    'V-AMT-005': (('511', {}), ('511', {'packNo': '2'})),
    'V-AMT-006': (('603', {'l1.qty1': '0.00001'}),
                  ('603', {'l1.qty1': '0'})),
    'V-AMT-007': (('411', {'amountPaid': '0'}),
                  ('411', {'amountPaid': '-222.7'})),
    'V-AMT-008': (('311', {}), ('311', {'l2.gnum': '1'})),
    'V-AMT-009': (('621', {'l2.qty2': '0.00001'}),
                  ('621', {'l2.qty2': None})),
    'V-LIM-001': (('621', {'l1.price': '2445.25', 'l1.totalPrice': '4890.5'}),
                  ('621', {'l1.price': '2445.26', 'l1.totalPrice': '4890.52'})),
    # Taxed 9.1% within the limit, 13% in full over it (5010, 6010 with
    # the freight).
    'V-LIM-002': (('311', {'_lines': 1, 'l1.qty': '1', 'l1.price': '4990',
                           'l1.totalPrice': '4990', 'goodsValue': '4990',
                           'taxTotal': '455.91', 'acturalPaid': '5450.91'}),
                  ('311', {'_lines': 1, 'l1.qty': '1', 'l1.price': '6000',
                           'l1.totalPrice': '6000', 'goodsValue': '6000',
                           'taxTotal': '781.3', 'acturalPaid': '6786.3'})),
    # The last minute of 2018: the limit is 2000 (2990 + 10 freight is
    # over it), a warning: the inventory may be declared in 2019.
    'V-LIM-003': (('311', {'appTime': '20181231235900', 'l1.price': '945.25',
                           'l1.totalPrice': '1890.5', 'goodsValue': '1990',
                           'taxTotal': '224', 'acturalPaid': '2219'}),
                  ('311', {'appTime': '20181231235900', 'l1.price': '1445',
                           'l1.totalPrice': '2890', 'goodsValue': '2989.5',
                           'taxTotal': '335.94', 'acturalPaid': '3330.44'})),
    'V-CODE-001': (('303', {}),
                   ('303', {'currency': '999'}, None, ALL_COMPLETE, COMPLETE)),
    'V-CODE-002': (('621', {}), ('621', {'l2.country': '300'})),
    'V-CODE-003': (('311', {'l1.unit': '035'}), ('311', {'l1.unit': '999'})),
    'V-CODE-004': (('603', {'trafMode': 'T'}), ('603', {'trafMode': 'A'})),
    'V-CODE-005': (('621', {'wrapType': '7'}), ('621', {'wrapType': '8'})),
    'V-CODE-006': (('621', {'customsCode': '2233'}),
                   ('621', {'customsCode': '9999'}, None, ALL_COMPLETE,
                    COMPLETE)),
    'V-CODE-007': (('603', {'tradeMode': '9810'}),
                   ('603', {'tradeMode': '0110'})),
    'V-CODE-008': (('311', {'consigneeDistrict': '820000'}),
                   ('311', {'consigneeDistrict': '110199'}, None,
                    ALL_COMPLETE, COMPLETE)),
    'V-CODE-009': (('603', {'POD': '3166'}),
                   ('603', {'POD': '9999'}, None, ALL_COMPLETE, COMPLETE)),
    'V-CODE-010': (('603', {}), ('603', {'l1.gcode': '69120010AB'})),
    'V-CODE-011': (('621', {}, None, PLIST),
                   ('621', {'l2.gcode': '3304100000'}, None, PLIST)),
    'V-CODE-012': (('621', bonded({'l1.gcode': '0306179000'}), None, PLIST),
                   ('621', {'l1.gcode': '0306179000'}, None, PLIST)),
    'V-CODE-013': (('621', {}), ('621', {'l1.unit1': '007'})),
    # 2924 金义综合保税区 came with the 2018-12 list; 9999 is in none.
    'V-CODE-014': (('621', {'customsCode': '2924', 'portCode': '2924'}),
                   ('621', {'customsCode': '9999'})),
    'V-DEP-001': (('621', {}), ('621', {'trafNo': None})),
    'V-DEP-002': (('621', bonded()), ('621', bonded({'emsNo': None}))),
    'V-DEP-003': (('621', bonded()), ('621', bonded({'country': '116'}))),
    'V-DEP-004': (('621', bonded()),
                  ('621', bonded({'billNo': '999-12345675'}))),
    'V-DEP-005': (('511', {}), ('511', {'currency': '502'})),
    'V-DEP-006': (('507', {'appStatus': '2', '_sig': True}),
                  ('507', {'appStatus': '2'})),
    'V-DEP-007': (('513', {}), ('513', {'logisticsStatus': 'R'})),
    'V-DEP-008': (('622', {'returnStatus': '-621005'}),
                  ('622', {'returnStatus': '120A'})),
    'V-DEP-009': (('621', {'assureCode': LOG}),
                  ('621', {'assureCode': PAY})),
    'V-DEP-010': (('507', {'msgCount': '2', 'msgSeqNo': '2'}),
                  ('507', {'msgCount': '2', 'msgSeqNo': '3'})),
    # With --goods: milk powder 9.1%, a cream 9.1% or 23.06% (its CT
    # threshold cannot be judged in boxes): 19.06 to 34.35 on 209.5.
    'V-TAX-001': (('311', {'taxTotal': '19.06', 'acturalPaid': '223.56'},
                   None, GOODS),
                  ('311', {'taxTotal': '9999', 'acturalPaid': '10203.5'},
                   None, GOODS)),
    'V-TAX-002': (('816', {}),
                  ('816', {'l1.valueAddedTax': '20', 'valueAddedTax': '20'})),
    'V-TAX-003': (('311', {'taxTotal': '19.06', 'acturalPaid': '223.56'},
                   None, GOODS),
                  ('816', {'l1.gcode': '6403990090'})),
    'V-TAX-004': (('311', {}),
                  ('311', {'taxTotal': '0', 'acturalPaid': '204.5'})),
}


TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', 'golden',
        'ceb-validate-rules')
    for rule, pair in sorted(CASES.items()):
        for kind, spec in zip(('pass', 'fail'), pair):
            code, mods = spec[0], spec[1]
            records = spec[2] if len(spec) > 2 else None
            opts = spec[3] if len(spec) > 3 else ''
            pre = spec[4] if len(spec) > 4 else ''
            d = os.path.join(out, '%s-%s' % (rule, kind))
            os.makedirs(d, exist_ok=True)
            if records:
                records = [dict(mods, **r) for r in records]
            text = message(code, mods, records)
            with open(os.path.join(d, 'stdin'), 'w', encoding='utf-8') as f:
                f.write(text)
            if 'ds:Signature' in text:
                subprocess.run(['sh', os.path.join(TOP, 'testdata', 'keys',
                                'resign.sh'), os.path.join(d, 'stdin')],
                               check=True)
            with open(os.path.join(d, 'cmd'), 'w') as f:
                f.write('%sSOURCE_DATE_EPOCH=%s ceb-validate %s-r - -\n' %
                        (pre, NOW, opts))


if __name__ == '__main__':
    main()
