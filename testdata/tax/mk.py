#!/usr/bin/env python3
"""mk.py: tax bills (CEB816) built from the test vectors of the reference
notes (domain-rules.md A1.2, tax-rates.md "Test vectors"), for the golden
cases tests/golden/ceb-validate/tax-vectors-*.

vectors.xml holds bills customs would issue: within the limits (no tariff,
VAT and CT at 70%) and in full (the single item: MFN tariff, VAT, CT), in
each VAT period; every amount is computed here with exact decimals and
rounded half up to the fen, independently of cebtools' C code.
wrong.xml holds one bill that taxes a watch of 10,000 CNY -- one item over
the single-transaction limit, which owes the full tax -- at 9.1%.

Usage: python3 testdata/tax/mk.py [dir]
"""
import os
import sys
from decimal import Decimal as D, ROUND_HALF_UP

NS = 'http://www.chinaport.gov.cn/ceb'
FEN = D('0.01')


def r2(x):
    return x.quantize(FEN, rounding=ROUND_HALF_UP)


def within(p, v, c):
    return D(0), r2(p * c * D('0.7') / (1 - c)), r2(p * v * D('0.7') / (1 - c))


def full(p, t, v, c):
    tariff = r2(p * t)
    ct = r2((p + tariff) * c / (1 - c))
    vat = r2((p + tariff + ct) * v)
    return tariff, ct, vat


def bill(n, day, lines):
    """One Tax record: lines of (gcode, taxPrice, (tariff, ct, vat))."""
    tot = [sum(a[i] for _, _, a in lines) for i in range(3)]
    x = '\t<ceb:Tax>\n\t\t<ceb:TaxHeadRd>\n'
    for k, v in [('guid', 'TAXVECTOR%s%019d' % (day, n)),
                 ('returnTime', day + '100000000'),
                 ('invtNo', '29242026I%09d' % n),
                 ('taxNo', '29242026I%09d01' % n),
                 ('customsTax', tot[0]), ('valueAddedTax', tot[2]),
                 ('consumptionTax', tot[1]), ('status', '1'),
                 ('customsCode', '2924')]:
        x += '\t\t\t<ceb:%s>%s</ceb:%s>\n' % (k, v, k)
    x += '\t\t</ceb:TaxHeadRd>\n'
    for g, (code, price, (t, c, v)) in enumerate(lines, 1):
        x += '\t\t<ceb:TaxListRd>\n'
        for k, val in [('gnum', g), ('gcode', code), ('taxPrice', price),
                       ('customsTax', t), ('valueAddedTax', v),
                       ('consumptionTax', c)]:
            x += '\t\t\t<ceb:%s>%s</ceb:%s>\n' % (k, val, k)
        x += '\t\t</ceb:TaxListRd>\n'
    return x + '\t</ceb:Tax>\n'


def message(records, name):
    x = '<?xml version="1.0" encoding="UTF-8"?>\n'
    x += ('<ceb:CEB816Message guid="TAXVECTORS%s" version="1.0" '
          'xmlns:ceb="%s">\n' % (name.upper().ljust(26, '0')[:26], NS))
    return x + ''.join(records) + '</ceb:CEB816Message>\n'


H = D(100)
GOOD = [
    # 2019-04-01 on: 9.1 (general), 6.3 (olive oil), 17.89 (wine),
    # 23.06 (luxury cosmetics).
    bill(1, '20260115', [
        ('2106909090', H, within(H, D('0.13'), D(0))),
        ('1509200000', H, within(H, D('0.09'), D(0))),
        ('2204210000', H, within(H, D('0.13'), D('0.10'))),
        ('3304990029', H, within(H, D('0.13'), D('0.15')))]),
    # The single item in full: a watch at the CT threshold (55.375%),
    # cosmetics (34.27%).
    bill(2, '20260115', [('9102110000', D(10000),
                          full(D(10000), D('0.10'), D('0.13'), D('0.20')))]),
    bill(3, '20260115', [('3304990029', D(6000),
                          full(D(6000), D('0.01'), D('0.13'), D('0.15')))]),
    # 2016: 11.9 (VAT 17%); lip cosmetics before 2016-10-01, CT 30%: 47.
    bill(4, '20160601', [
        ('2106909090', H, within(H, D('0.17'), D(0))),
        ('3304100000', H, within(H, D('0.17'), D('0.30')))]),
    # General-trade wine: 48.2 (VAT 17%), 46.93 (VAT 16%, 2018-05-01 on).
    bill(5, '20170301', [('2204210000', H,
                          full(H, D('0.14'), D('0.17'), D('0.10')))]),
    bill(6, '20180601', [('2204210000', H,
                          full(H, D('0.14'), D('0.16'), D('0.10')))]),
    # 2018-05-01 to 2019-03-31: 11.2, the low rate 7.0.
    bill(7, '20180601', [
        ('2106909090', H, within(H, D('0.16'), D(0))),
        ('4901990000', H, within(H, D('0.10'), D(0)))]),
    # The low rate: 13% to 2017-06-30 (9.1), 11% from 2017-07-01 (7.7).
    bill(8, '20170630', [('4901990000', H, within(H, D('0.13'), D(0)))]),
    bill(9, '20170701', [('4901990000', H, within(H, D('0.11'), D(0)))]),
]
WRONG = [bill(10, '20260115', [('9102110000', D(10000),
                                (D(0), D(0), r2(D(10000) * D('0.091'))))])]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(
        os.path.abspath(__file__))
    for name, recs in (('vectors', GOOD), ('wrong', WRONG)):
        with open(os.path.join(out, name + '.xml'), 'w',
                  encoding='utf-8') as f:
            f.write(message(recs, name))


if __name__ == '__main__':
    main()
