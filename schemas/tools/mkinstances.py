#!/usr/bin/env python3
"""Write test documents for one root element of a cebtools schema.

    python3 mkinstances.py SCHEMA.xsd OUTDIR

SCHEMA.xsd is one of the project's per-root files (schemas/<edition>/<Root>.xsd).  The script
reads it (following xs:include), builds a complete valid instance of the root (every optional
element present once) and a minimal one (required elements only), and then a series of mutations
of the complete one:

  * each element: left out, repeated once more, repeated up to maxOccurs and one beyond,
    swapped with its next sibling, moved out of its namespace;
  * each entity: an unexpected child at the start and at the end, stray text;
  * each leaf value: empty, whitespace-padded, at the length limits and one beyond (ASCII and
    Chinese), decimals and integers at and past totalDigits/fractionDigits/xs:int range, values
    that differ from a fixed value, malformed numbers, dates and base64;
  * each attribute: left out, at and past its length limits, an unknown attribute;
  * the ds:Signature block: about forty variants of real and broken XML signatures;
  * the ExtendMessage/Message wildcard: empty, one element, two elements, text.

It writes OUTDIR/NNNN.xml and OUTDIR/index.tsv (file, description, the verdict the project's
schema is expected to give: valid / invalid / ? when the script does not predict it).  The
expectation is informational; check-equivalence.sh compares the verdicts of two schemas.
Python 3 standard library only.
"""

import copy
import os
import sys
import xml.etree.ElementTree as ET

XS = '{http://www.w3.org/2001/XMLSchema}'
CEB_NS = 'http://www.chinaport.gov.cn/ceb'
DXP_NS = 'http://www.chinaport.gov.cn/dxp'
DS_NS = 'http://www.w3.org/2000/09/xmldsig#'
PREFIX = {CEB_NS: 'ceb', DXP_NS: 'dxp', DS_NS: 'ds', 'urn:x-cebtools-test': 'x'}


# ------------------------------------------------------------------ schema model

class SimpleType:
    def __init__(self, base, facets=None):
        self.base = base            # xs:string, xs:decimal, xs:int, xs:integer, xs:dateTime, ...
        self.facets = facets or {}  # length, minLength, maxLength, totalDigits, fractionDigits, whiteSpace


class Attr:
    def __init__(self, name, stype, required, fixed=None):
        self.name, self.stype, self.required, self.fixed = name, stype, required, fixed


class Particle:
    """An element declaration in a content model."""

    def __init__(self, name, ns, lo, hi):
        self.name, self.ns, self.lo, self.hi = name, ns, lo, hi
        self.kind = None            # simple | complex | signature | wildcard | anytype | empty
        self.stype = None           # for simple (and simpleContent)
        self.children = []          # for complex
        self.attrs = []
        self.fixed = None
        self.default = None


class Schema:
    def __init__(self, path):
        self.simple, self.complex, self.groups, self.agroups, self.elements = {}, {}, {}, {}, {}
        self.tns = None
        self.seen = set()
        self.load(path, top=True)

    def load(self, path, top=False):
        path = os.path.abspath(path)
        if path in self.seen:
            return
        self.seen.add(path)
        root = ET.parse(path).getroot()
        tns = root.get('targetNamespace')
        if top:
            self.tns = tns
        if tns != self.tns:
            return                  # imported namespaces (ds) are modelled by hand
        for c in root:
            if c.tag == XS + 'include':
                self.load(os.path.join(os.path.dirname(path), c.get('schemaLocation')))
            elif c.tag == XS + 'simpleType':
                self.simple[c.get('name')] = c
            elif c.tag == XS + 'complexType':
                self.complex[c.get('name')] = c
            elif c.tag == XS + 'group':
                self.groups[c.get('name')] = c
            elif c.tag == XS + 'attributeGroup':
                self.agroups[c.get('name')] = c
            elif c.tag == XS + 'element':
                self.elements[c.get('name')] = c

    @staticmethod
    def local(qname):
        return qname.split(':')[-1]

    def simple_type(self, qname=None, node=None):
        if qname is not None:
            if qname.startswith('xs:'):
                return SimpleType(qname)
            node = self.simple[self.local(qname)]
        r = node.find(XS + 'restriction')
        base = self.simple_type(r.get('base'))
        st = SimpleType(base.base, dict(base.facets))
        for f in r:
            if f.tag != XS + 'annotation':
                st.facets[f.tag[len(XS):]] = f.get('value')
        return st

    def attributes(self, node, out):
        for a in node:
            if a.tag == XS + 'attribute':
                s = a.find(XS + 'simpleType')
                st = self.simple_type(node=s) if s is not None else self.simple_type(a.get('type', 'xs:string'))
                out.append(Attr(a.get('name'), st, a.get('use') == 'required', a.get('fixed')))
            elif a.tag == XS + 'attributeGroup':
                self.attributes(self.agroups[self.local(a.get('ref'))], out)

    def particles(self, seq, out):
        if seq.tag != XS + 'sequence' or seq.get('minOccurs') or seq.get('maxOccurs'):
            raise SystemExit('mkinstances: only plain sequences are supported')
        for c in seq:
            if c.tag == XS + 'element':
                out.append(self.element(c))
            elif c.tag == XS + 'group':
                g = self.groups[self.local(c.get('ref'))]
                self.particles(g.find(XS + 'sequence'), out)
            elif c.tag == XS + 'any':
                raise SystemExit('mkinstances: wildcard outside XmlContent')

    def complex_content(self, p, ct):
        if ct.find(XS + 'sequence') is not None and ct.find(XS + 'sequence').find(XS + 'any') is not None:
            p.kind = 'wildcard'
            return
        sc = ct.find(XS + 'simpleContent')
        if sc is not None:
            ext = sc.find(XS + 'extension')
            p.kind = 'simple'
            p.stype = self.simple_type(ext.get('base'))
            self.attributes(ext, p.attrs)
            return
        seq = ct.find(XS + 'sequence')
        self.attributes(ct, p.attrs)
        if seq is None:
            p.kind = 'empty'
            return
        p.kind = 'complex'
        self.particles(seq, p.children)

    def element(self, e):
        lo = int(e.get('minOccurs', '1'))
        hi = e.get('maxOccurs', '1')
        hi = None if hi == 'unbounded' else int(hi)
        ref = e.get('ref')
        if ref:
            if ref != 'ds:Signature':
                raise SystemExit('mkinstances: unexpected ref %s' % ref)
            p = Particle('Signature', DS_NS, lo, hi)
            p.kind = 'signature'
            return p
        p = Particle(e.get('name'), self.tns, lo, hi)
        p.fixed, p.default = e.get('fixed'), e.get('default')
        t = e.get('type')
        ct = e.find(XS + 'complexType')
        st = e.find(XS + 'simpleType')
        if ct is not None:
            self.complex_content(p, ct)
        elif st is not None:
            p.kind, p.stype = 'simple', self.simple_type(node=st)
        elif t is None or t == 'xs:anyType':
            p.kind = 'anytype'
        elif not t.startswith('xs:') and self.local(t) in self.complex:
            self.complex_content(p, self.complex[self.local(t)])
        else:
            p.kind, p.stype = 'simple', self.simple_type(t)
        return p

    def root(self, name=None):
        # A file may declare several top-level elements (DxpMsg.xsd: DxpMsg and
        # DxpMsgSv); its root is the one it is named after.
        if name in self.elements:
            e = self.elements[name]
        elif len(self.elements) != 1:
            raise SystemExit('mkinstances: expected exactly one top-level element, found %s'
                             % sorted(self.elements))
        else:
            name, e = next(iter(self.elements.items()))
        p = self.element(e)
        p.lo = p.hi = 1
        return p


# ------------------------------------------------------------------ instances

class Node:
    def __init__(self, particle, name=None, ns=None):
        self.p = particle
        self.name = name or particle.name
        self.ns = ns if ns is not None else particle.ns
        self.attrs = []             # [(name, value)] in order
        self.children = []          # Node or raw XML string
        self.text = None            # leaf text (None = no text)


def ascii_text(n, seed='CEB'):
    s = (seed + '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ')
    return (s * (n // len(s) + 1))[:n]


def cjk_text(n):
    s = '海关跨境电商统一版报文'
    return (s * (n // len(s) + 1))[:n]


def valid_value(st, fixed=None):
    if fixed is not None:
        return fixed
    b, f = st.base, st.facets
    if b == 'xs:string':
        if 'length' in f:
            return ascii_text(int(f['length']))
        lo = int(f.get('minLength', 0))
        hi = int(f['maxLength']) if 'maxLength' in f else 12
        return ascii_text(max(lo, min(hi, 8), 1 if hi else 0))
    if b == 'xs:decimal':
        return '12.5'
    if b in ('xs:int', 'xs:integer'):
        return '1'
    if b == 'xs:dateTime':
        return '2022-05-17T10:30:00'
    if b == 'xs:base64Binary':
        return 'PENFQjMxMU1lc3NhZ2UvPg=='
    if b == 'xs:ID':
        return 'msg1'
    raise SystemExit('mkinstances: no value for %s' % b)


def value_mutations(st, fixed=None, default=None):
    """[(label, value, expected)] for a simple type; expected True/False/None."""
    b, f = st.base, st.facets
    out = []
    collapse = f.get('whiteSpace') == 'collapse'
    if fixed is not None:
        out.append(('value differs from fixed %r' % fixed, ascii_text(len(fixed), 'XYZ'), False))
        out.append(('empty (takes the fixed value)', '', True))
        out.append(('fixed value padded with spaces', ' %s ' % fixed, collapse))
        return out
    if b == 'xs:string':
        ok_empty = default is not None or ('length' not in f and int(f.get('minLength', 0)) == 0)
        out.append(('empty', '', ok_empty if default is None else None))
        if 'length' in f:
            n = int(f['length'])
            if n > 1:
                out.append(('%d characters (length %d)' % (n - 1, n), ascii_text(n - 1), False))
            out.append(('%d characters (length %d)' % (n + 1, n), ascii_text(n + 1), False))
            out.append(('%d Chinese characters' % n, cjk_text(n), True))
            out.append(('%d characters padded with spaces' % n, ' %s ' % ascii_text(n), collapse))
            out.append(('%d characters with a line break inside' % n,
                        ascii_text(n)[:n // 2] + '\n' + ascii_text(n)[n // 2 + 1:], None))
            out.append(('one space', ' ', n == 1 and not collapse))
        else:
            lo = int(f.get('minLength', 0))
            if 'maxLength' in f:
                n = int(f['maxLength'])
                out.append(('%d characters (maxLength)' % n, ascii_text(n), True))
                out.append(('%d characters (maxLength %d)' % (n + 1, n), ascii_text(n + 1), False))
                out.append(('%d Chinese characters (maxLength)' % n, cjk_text(n), True))
                out.append(('%d Chinese characters (maxLength %d)' % (n + 1, n), cjk_text(n + 1), False))
                out.append(('%d characters padded with spaces' % n, ' %s ' % ascii_text(n), collapse))
                out.append(('%d characters, inner run of spaces' % n,
                            ascii_text(n - 1)[:1] + '   ' + ascii_text(n)[3:], None))
            else:
                out.append(('6000 characters (no maxLength)', ascii_text(6000), True))
            if lo > 1:
                out.append(('%d characters (minLength %d)' % (lo - 1, lo), ascii_text(lo - 1), False))
                out.append(('%d characters (minLength)' % lo, ascii_text(lo), True))
            out.append(('one space', ' ', None))
            out.append(('tab and newline only', '\t\n', None))
        out.append(('markup-significant characters', '&<>"\''[:max(1, min(5, int(f.get('length', f.get('maxLength', 5)))))], None))
        return out
    if b == 'xs:decimal':
        td, fd = int(f.get('totalDigits', 0)), int(f.get('fractionDigits', 0))
        out += [('empty', '', None if default is not None else False),
                ('zero', '0', True), ('negative', '-3.25', True), ('leading plus', '+7', True),
                ('leading point', '.5', True), ('trailing point', '5.', True),
                ('padded with spaces', ' 12.5 ', True), ('exponent', '1E3', False),
                ('not a number', 'abc', False), ('comma decimal separator', '12,5', False),
                ('two points', '1.2.3', False), ('thousands separator', '1,000.00', False),
                ('trailing zeros past fractionDigits', '1.1000000', None),
                ('leading zeros', '000000000000000000001.5', None)]
        if td and fd:
            out.append(('%d digits, %d after the point' % (td, fd), '9' * (td - fd) + '.' + '9' * fd, True))
            out.append(('%d digits (totalDigits %d)' % (td + 1, td), '9' * (td - fd + 1) + '.' + '9' * fd, False))
            out.append(('%d fraction digits (fractionDigits %d)' % (fd + 1, fd), '1.' + '1' * (fd + 1), False))
            out.append(('%d integer digits' % td, '9' * td, True))
            out.append(('%d integer digits' % (td + 1), '9' * (td + 1), False))
        return out
    if b in ('xs:int', 'xs:integer'):
        td = int(f.get('totalDigits', 0))
        out += [('empty', '', None if default is not None else False), ('zero', '0', True),
                ('negative', '-5', True), ('padded with spaces (libxml2 rejects it)', ' 7 ', None), ('leading plus', '+8', True),
                ('decimal point', '1.0', False), ('not a number', 'one', False),
                ('leading zeros', '0000000001', None)]
        if b == 'xs:int':
            out += [('2147483647 (xs:int maximum)', '2147483647', None if td else True),
                    ('2147483648 (beyond xs:int)', '2147483648', False),
                    ('-2147483649 (beyond xs:int)', '-2147483649', False)]
        if td:
            out.append(('%d digits (totalDigits)' % td, '9' * td if td < 10 else '1' * td, None))
            out.append(('%d digits (totalDigits %d)' % (td + 1, td), '1' + '0' * td, False))
        return out
    if b == 'xs:dateTime':
        return [('with time zone', '2022-05-17T10:30:00+08:00', True), ('UTC', '2022-05-17T02:30:00Z', True),
                ('fractional seconds', '2022-05-17T10:30:00.123', True),
                ('space instead of T', '2022-05-17 10:30:00', False), ('compact CEB time', '20220517103000', False),
                ('date only', '2022-05-17', False), ('month 13', '2022-13-17T10:30:00', False), ('empty', '', False)]
    if b == 'xs:base64Binary':
        return [('empty', '', True), ('with line breaks', 'PENFQjMx\nMU1lc3Nh\nZ2UvPg==', True),
                ('not base64', 'not base64!', False), ('bad padding', 'PENFQjMxMU1lc3NhZ2UvPg=', False)]
    if b == 'xs:ID':
        return [('not an NCName', '1abc', False), ('empty', '', False)]
    return out


SIG_PARTS = {
    'c14n': '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>',
    'sm2': '<ds:SignatureMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"/>',
    'rsa': '<ds:SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/>',
    'transforms': '<ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></ds:Transforms>',
    'sm3': '<ds:DigestMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"/>',
    'sha1': '<ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/>',
    'digest': '<ds:DigestValue>q9QqXk7a1sbVYmQ4k8M1CBAkTzE=</ds:DigestValue>',
    'sigvalue': '<ds:SignatureValue>\nBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e\nHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2\n</ds:SignatureValue>',
    'keyinfo': '<ds:KeyInfo><ds:KeyName>01691fe9</ds:KeyName><ds:X509Data><ds:X509Certificate>MIICuTCCAl2gAwIBAgIIAWkf6QAAAAAwDAYIKoEcz1UBg3UFADB2MQswCQYDVQQGEwJDTjEO</ds:X509Certificate></ds:X509Data></ds:KeyInfo>',
}


def sig(signed_info=None, sigvalue=None, keyinfo=None, attrs='', extra=''):
    p = SIG_PARTS
    if signed_info is None:
        signed_info = '<ds:SignedInfo>%s%s<ds:Reference URI="">%s%s%s</ds:Reference></ds:SignedInfo>' % (
            p['c14n'], p['sm2'], p['transforms'], p['sm3'], p['digest'])
    return '<ds:Signature xmlns:ds="%s"%s>%s%s%s%s</ds:Signature>' % (
        DS_NS, attrs, signed_info, p['sigvalue'] if sigvalue is None else sigvalue,
        p['keyinfo'] if keyinfo is None else keyinfo, extra)


def signed_info(c14n=None, method=None, refs=None, attrs=''):
    p = SIG_PARTS
    if refs is None:
        refs = ['<ds:Reference URI="">%s%s%s</ds:Reference>' % (p['transforms'], p['sm3'], p['digest'])]
    return '<ds:SignedInfo%s>%s%s%s</ds:SignedInfo>' % (
        attrs, p['c14n'] if c14n is None else c14n, p['sm2'] if method is None else method, ''.join(refs))


def reference(transforms=None, dmethod=None, dvalue=None, attrs=' URI=""'):
    p = SIG_PARTS
    return '<ds:Reference%s>%s%s%s</ds:Reference>' % (
        attrs, p['transforms'] if transforms is None else transforms, p['sm3'] if dmethod is None else dmethod,
        p['digest'] if dvalue is None else dvalue)


def keyinfo(inner):
    return '<ds:KeyInfo>%s</ds:KeyInfo>' % inner


CERT = '<ds:X509Certificate>MIICuTCCAl2gAwIBAgIIAWkf6Q==</ds:X509Certificate>'
SIGNATURES = [
    ('SM2/SM3 signature with KeyName and X509Certificate', sig(), True),
    ('RSA-SHA1 signature', sig(signed_info(method=SIG_PARTS['rsa'], refs=[reference(dmethod=SIG_PARTS['sha1'])])), True),
    ('signature without KeyInfo', sig(keyinfo=''), True),
    ('signature with an Id', sig(attrs=' Id="sig1"'), True),
    ('signature Id not an NCName', sig(attrs=' Id="1sig"'), False),
    ('signature with unknown attribute', sig(attrs=' Foo="x"'), False),
    ('missing SignedInfo', sig(signed_info=''), False),
    ('missing SignatureValue', sig(sigvalue=''), False),
    ('SignatureValue not base64 (libxml2 accepts it)', sig(sigvalue='<ds:SignatureValue>***</ds:SignatureValue>'), None),
    ('SignatureValue empty', sig(sigvalue='<ds:SignatureValue/>'), True),
    ('SignatureValue with Id (not in the CEB profile)', sig(sigvalue='<ds:SignatureValue Id="v1">AAAA</ds:SignatureValue>'), False),
    ('SignedInfo with Id (not in the CEB profile)', sig(signed_info(attrs=' Id="si1"')), False),
    ('KeyInfo with Id (not in the CEB profile)', sig(keyinfo='<ds:KeyInfo Id="k1"><ds:KeyName>a</ds:KeyName></ds:KeyInfo>'), False),
    ('Object after KeyInfo (not in the CEB profile)', sig(extra='<ds:Object>x</ds:Object>'), False),
    ('SignatureValue before SignedInfo', '<ds:Signature xmlns:ds="%s">%s%s</ds:Signature>' % (DS_NS, SIG_PARTS['sigvalue'], signed_info()), False),
    ('two References', sig(signed_info(refs=[reference(), reference(attrs=' URI="#a" Id="r2" Type="urn:t"')])), True),
    ('no Reference', sig(signed_info(refs=[])), False),
    ('Reference without Transforms', sig(signed_info(refs=[reference(transforms='')])), True),
    ('empty Transforms', sig(signed_info(refs=[reference(transforms='<ds:Transforms/>')])), False),
    ('Transform with XPath', sig(signed_info(refs=[reference(transforms='<ds:Transforms><ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath>not(ancestor-or-self::ds:Signature)</ds:XPath></ds:Transform></ds:Transforms>')])), True),
    ('Transform with a foreign-namespace parameter', sig(signed_info(refs=[reference(transforms='<ds:Transforms><ds:Transform Algorithm="urn:t"><x:p xmlns:x="urn:x-cebtools-test">1</x:p></ds:Transform></ds:Transforms>')])), True),
    ('Transform with an unknown ds child', sig(signed_info(refs=[reference(transforms='<ds:Transforms><ds:Transform Algorithm="urn:t"><ds:Foo/></ds:Transform></ds:Transforms>')])), False),
    ('Transform without Algorithm', sig(signed_info(refs=[reference(transforms='<ds:Transforms><ds:Transform/></ds:Transforms>')])), False),
    ('DigestMethod without Algorithm', sig(signed_info(refs=[reference(dmethod='<ds:DigestMethod/>')])), False),
    ('DigestMethod with a child element (not in the CEB profile)', sig(signed_info(refs=[reference(dmethod='<ds:DigestMethod Algorithm="urn:d"><x:p xmlns:x="urn:x-cebtools-test"/></ds:DigestMethod>')])), False),
    ('DigestMethod with text', sig(signed_info(refs=[reference(dmethod='<ds:DigestMethod Algorithm="urn:d">text</ds:DigestMethod>')])), True),
    ('missing DigestValue', sig(signed_info(refs=[reference(dvalue='')])), False),
    ('DigestValue not base64 (libxml2 accepts it)', sig(signed_info(refs=[reference(dvalue='<ds:DigestValue>@@@</ds:DigestValue>')])), None),
    ('DigestValue with spaces and line breaks', sig(signed_info(refs=[reference(dvalue='<ds:DigestValue>\n  q9QqXk7a1sbV\n  YmQ4k8M1CBAkTzE=\n</ds:DigestValue>')])), True),
    ('Reference URI that is not a URI', sig(signed_info(refs=[reference(attrs=' URI="a b%%"')])), None),
    ('CanonicalizationMethod without Algorithm', sig(signed_info(c14n='<ds:CanonicalizationMethod/>')), False),
    ('CanonicalizationMethod with a child element (not in the CEB profile)', sig(signed_info(c14n='<ds:CanonicalizationMethod Algorithm="urn:c"><x:p xmlns:x="urn:x-cebtools-test"/></ds:CanonicalizationMethod>')), False),
    ('SignatureMethod with HMACOutputLength (not in the CEB profile)', sig(signed_info(method='<ds:SignatureMethod Algorithm="urn:h"><ds:HMACOutputLength>128</ds:HMACOutputLength></ds:SignatureMethod>')), False),
    ('empty KeyInfo', sig(keyinfo='<ds:KeyInfo/>'), False),
    ('KeyInfo with text only', sig(keyinfo='<ds:KeyInfo>text</ds:KeyInfo>'), False),
    ('KeyInfo: KeyName only', sig(keyinfo=keyinfo('<ds:KeyName>01691fe9</ds:KeyName>')), True),
    ('KeyInfo: X509Data before KeyName, text between', sig(keyinfo=keyinfo('<ds:X509Data>%s</ds:X509Data>\n <ds:KeyName>k</ds:KeyName>' % CERT)), True),
    ('KeyInfo: empty X509Data', sig(keyinfo=keyinfo('<ds:X509Data/>')), False),
    ('KeyInfo: X509Certificate not base64 (libxml2 accepts it)', sig(keyinfo=keyinfo('<ds:X509Data><ds:X509Certificate>!!</ds:X509Certificate></ds:X509Data>')), None),
    ('KeyInfo: X509IssuerSerial, SubjectName, SKI, CRL', sig(keyinfo=keyinfo('<ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>CN=CA</ds:X509IssuerName><ds:X509SerialNumber>12345678901234567890</ds:X509SerialNumber></ds:X509IssuerSerial><ds:X509SubjectName>CN=x</ds:X509SubjectName><ds:X509SKI>AAAA</ds:X509SKI><ds:X509CRL>AAAA</ds:X509CRL>%s</ds:X509Data>' % CERT)), True),
    ('KeyInfo: X509SerialNumber not an integer', sig(keyinfo=keyinfo('<ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>CN=CA</ds:X509IssuerName><ds:X509SerialNumber>0x1F</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data>')), False),
    ('KeyInfo: X509Data with a foreign element', sig(keyinfo=keyinfo('<ds:X509Data><x:c xmlns:x="urn:x-cebtools-test"/></ds:X509Data>')), True),
    ('KeyInfo: RSAKeyValue', sig(keyinfo=keyinfo('<ds:KeyValue><ds:RSAKeyValue><ds:Modulus>AQAB</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue>')), True),
    ('KeyInfo: RSAKeyValue without Exponent', sig(keyinfo=keyinfo('<ds:KeyValue><ds:RSAKeyValue><ds:Modulus>AQAB</ds:Modulus></ds:RSAKeyValue></ds:KeyValue>')), False),
    ('KeyInfo: DSAKeyValue P Q G Y', sig(keyinfo=keyinfo('<ds:KeyValue><ds:DSAKeyValue><ds:P>AQAB</ds:P><ds:Q>AQAB</ds:Q><ds:G>AQAB</ds:G><ds:Y>AQAB</ds:Y></ds:DSAKeyValue></ds:KeyValue>')), True),
    ('KeyInfo: DSAKeyValue P without Q', sig(keyinfo=keyinfo('<ds:KeyValue><ds:DSAKeyValue><ds:P>AQAB</ds:P><ds:Y>AQAB</ds:Y></ds:DSAKeyValue></ds:KeyValue>')), False),
    ('KeyInfo: KeyValue with two keys', sig(keyinfo=keyinfo('<ds:KeyValue><ds:RSAKeyValue><ds:Modulus>AQAB</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue><ds:RSAKeyValue><ds:Modulus>AQAB</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue>')), False),
    ('KeyInfo: RetrievalMethod with Transforms', sig(keyinfo=keyinfo('<ds:RetrievalMethod URI="#k" Type="http://www.w3.org/2000/09/xmldsig#X509Data">%s</ds:RetrievalMethod>' % SIG_PARTS['transforms'])), True),
    ('KeyInfo: PGPData key id and packet', sig(keyinfo=keyinfo('<ds:PGPData><ds:PGPKeyID>AAAA</ds:PGPKeyID><ds:PGPKeyPacket>AAAA</ds:PGPKeyPacket></ds:PGPData>')), True),
    ('KeyInfo: PGPData packet alone', sig(keyinfo=keyinfo('<ds:PGPData><ds:PGPKeyPacket>AAAA</ds:PGPKeyPacket></ds:PGPData>')), True),
    ('KeyInfo: PGPData empty', sig(keyinfo=keyinfo('<ds:PGPData/>')), False),
    ('KeyInfo: SPKIData and MgmtData', sig(keyinfo=keyinfo('<ds:SPKIData><ds:SPKISexp>AAAA</ds:SPKISexp><ds:SPKISexp>AAAA</ds:SPKISexp></ds:SPKIData><ds:MgmtData>m</ds:MgmtData>')), True),
    ('KeyInfo: text beside KeyName (KeyInfo is mixed)', sig(keyinfo=keyinfo('certificate <ds:KeyName>k</ds:KeyName> text')), True),
    ('KeyValue: text beside RSAKeyValue (KeyValue is mixed)', sig(keyinfo=keyinfo('<ds:KeyValue>rsa<ds:RSAKeyValue><ds:Modulus>AQAB</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue>')), True),
    ('KeyValue: text only', sig(keyinfo=keyinfo('<ds:KeyValue>AQAB</ds:KeyValue>')), False),
    ('X509Data: text beside X509Certificate (not mixed)', sig(keyinfo=keyinfo('<ds:X509Data>cert%s</ds:X509Data>' % CERT)), False),
    ('RSAKeyValue: text beside Modulus (not mixed)', sig(keyinfo=keyinfo('<ds:KeyValue><ds:RSAKeyValue>n<ds:Modulus>AQAB</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue>')), False),
    ('Transform: text (Transform is mixed)', sig(signed_info(refs=[reference(transforms='<ds:Transforms><ds:Transform Algorithm="urn:t">text<ds:XPath>1</ds:XPath></ds:Transform></ds:Transforms>')])), True),
    ('Transforms: text beside Transform (not mixed)', sig(signed_info(refs=[reference(transforms='<ds:Transforms>t<ds:Transform Algorithm="urn:t"/></ds:Transforms>')])), False),
    ('SignedInfo: text between children (not mixed)', sig('<ds:SignedInfo>x%s%s%s</ds:SignedInfo>' % (SIG_PARTS['c14n'], SIG_PARTS['sm2'], reference())), False),
    ('Reference: text between children (not mixed)', sig(signed_info(refs=[reference(transforms='x')])), False),
    ('Signature: text between children (not mixed)', sig(extra='text'), False),
    ('SignatureMethod with text', sig(signed_info(method='<ds:SignatureMethod Algorithm="urn:s">t</ds:SignatureMethod>')), True),
    ('CanonicalizationMethod with text', sig(signed_info(c14n='<ds:CanonicalizationMethod Algorithm="urn:c">t</ds:CanonicalizationMethod>')), True),
    ('Reference: unknown attribute', sig(signed_info(refs=[reference(attrs=' URI="" Foo="1"')])), False),
    ('two Signature Ids and Reference Id equal', sig(signed_info(refs=[reference(attrs=' URI="" Id="dup"')]), attrs=' Id="dup"'), False),
    ('KeyInfo: foreign-namespace element', sig(keyinfo=keyinfo('<x:k xmlns:x="urn:x-cebtools-test">1</x:k>')), True),
    ('KeyInfo: unknown ds element', sig(keyinfo=keyinfo('<ds:Certificate>AAAA</ds:Certificate>')), False),
    ('signature Id equal to another ID of the document (msg1)', sig(attrs=' Id="msg1"'), None),
    ('Signature in the wrong namespace', '<Signature xmlns="urn:x-cebtools-test"><SignedInfo/></Signature>', False),
]

XML_CONTENT = [
    ('ExtendMessage/Message empty', '', True),
    ('ExtendMessage/Message with one foreign element', '<x:ext xmlns:x="urn:x-cebtools-test"><x:a>1</x:a></x:ext>', True),
    ('ExtendMessage/Message with one undeclared ceb element', '<ceb:whatever><ceb:x/></ceb:whatever>', True),
    ('ExtendMessage/Message with two elements', '<x:a xmlns:x="urn:x-cebtools-test"/><x:b xmlns:x="urn:x-cebtools-test"/>', False),
    ('ExtendMessage/Message with text', 'free text', False),
    ('ExtendMessage/Message with whitespace around one element', '\n  <x:a xmlns:x="urn:x-cebtools-test"/>\n', True),
]


def build(p, full):
    """Instance nodes for particle p: the minimal number of occurrences (at least one when full)."""
    n = max(p.lo, 1 if full else 0)
    return [build_one(p, full) for _ in range(n)]


def build_one(p, full):
    node = Node(p)
    for a in p.attrs:
        if a.required or full:
            node.attrs.append((a.name, valid_value(a.stype, a.fixed)))
    if p.kind == 'simple':
        node.text = valid_value(p.stype, p.fixed)
    elif p.kind == 'complex':
        for c in p.children:
            node.children.extend(build(c, full))
    elif p.kind == 'signature':
        node.children.append(SIGNATURES[0][1])
    elif p.kind == 'wildcard':
        node.children.append(XML_CONTENT[1][1])
    elif p.kind == 'anytype':
        node.text = 'R1'
    return node


def esc(s, attr=False):
    s = s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
    if attr:
        s = s.replace('"', '&quot;').replace('\n', '&#10;').replace('\t', '&#9;')
    return s


def serialize(root, root_ns_decl):
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']

    def qn(node):
        if node.ns is None:
            return node.name
        return '%s:%s' % (PREFIX[node.ns], node.name)

    def w(node, depth, is_root=False):
        if isinstance(node, str):
            out.append(node)
            return
        if node.p is not None and node.p.kind == 'signature':
            out.append(''.join(c if isinstance(c, str) else '' for c in node.children))
            return
        attrs = ''
        if is_root:
            attrs += root_ns_decl
        if node.ns is not None and node.ns not in (CEB_NS, DXP_NS):
            attrs += ' xmlns:%s="%s"' % (PREFIX[node.ns], node.ns)
        for k, v in node.attrs:
            attrs += ' %s="%s"' % (k, esc(v, True))
        out.append('<%s%s' % (qn(node), attrs))
        if not node.children and node.text is None:
            out.append('/>')
            return
        out.append('>')
        if node.text is not None:
            out.append(esc(node.text))
        for c in node.children:
            w(c, depth + 1)
        out.append('</%s>' % qn(node))

    w(root, 0, True)
    out.append('\n')
    return ''.join(out)


# ------------------------------------------------------------------ mutations

def walk(node, path=()):
    """Yield (path, node) for every element node below (and including) node."""
    yield path, node
    for i, c in enumerate(node.children):
        if isinstance(c, Node):
            if c.p.kind == 'signature':
                yield path + (i,), c        # the block itself, not its content
            else:
                yield from walk(c, path + (i,))


def at(root, path):
    n = root
    for i in path:
        n = n.children[i]
    return n


def describe(root, path):
    names = [root.name]
    n = root
    for i in path:
        n = n.children[i]
        names.append(n.name)
    return '/'.join(names)


def mutations(root):
    """Yield (label, tree, expected)."""
    base = root
    yield 'complete instance (every optional element once)', base, True
    for path, node in list(walk(base)):
        where = describe(base, path)
        p = node.p
        parent = at(base, path[:-1]) if path else None
        # ---- occurrence
        if parent is not None:
            idx = path[-1]
            same = [i for i, c in enumerate(parent.children) if isinstance(c, Node) and c.p is p]
            count = len(same)
            t = copy.deepcopy(base)
            del at(t, path[:-1]).children[idx]
            yield '%s: left out' % where, t, (count - 1 >= p.lo)
            if idx == same[0]:
                t = copy.deepcopy(base)
                at(t, path[:-1]).children.insert(idx, copy.deepcopy(node))
                yield '%s: one more occurrence' % where, t, (p.hi is None or count + 1 <= p.hi)
                if p.hi is None or p.hi > 2:
                    target = p.hi if p.hi is not None else 120
                    for k, exp in ((target, True), (target + 1, False)) if p.hi is not None else ((target, True),):
                        t = copy.deepcopy(base)
                        pc = at(t, path[:-1]).children
                        for _ in range(k - count):
                            pc.insert(idx, copy.deepcopy(node))
                        yield '%s: %d occurrences (maxOccurs %s)' % (where, k, p.hi or 'unbounded'), t, exp
            # swap with next sibling element
            if idx + 1 < len(parent.children) and isinstance(parent.children[idx + 1], Node):
                nxt = parent.children[idx + 1]
                if nxt.p is not p:
                    t = copy.deepcopy(base)
                    pc = at(t, path[:-1]).children
                    pc[idx], pc[idx + 1] = pc[idx + 1], pc[idx]
                    yield '%s: swapped with the following %s' % (where, nxt.name), t, False
            if p.kind == 'signature':
                continue                # its variants are in SIGNATURES
            # wrong namespace
            t = copy.deepcopy(base)
            at(t, path).ns = None
            yield '%s: in no namespace' % where, t, False
            t = copy.deepcopy(base)
            at(t, path).ns = 'urn:x-cebtools-test'
            yield '%s: in a foreign namespace' % where, t, False
        # ---- attributes
        for a in p.attrs:
            ai = [k for k, _ in node.attrs].index(a.name) if a.name in [k for k, _ in node.attrs] else None
            if ai is not None:
                t = copy.deepcopy(base)
                del at(t, path).attrs[ai]
                yield '%s/@%s: left out' % (where, a.name), t, not a.required
                for label, v, exp in value_mutations(a.stype, a.fixed):
                    if a.fixed is not None and v == '':
                        label, exp = 'empty (not the fixed value)', False
                    t = copy.deepcopy(base)
                    at(t, path).attrs[ai] = (a.name, v)
                    yield '%s/@%s: %s' % (where, a.name, label), t, exp
        t = copy.deepcopy(base)
        at(t, path).attrs.append(('unknownAttribute', 'x'))
        yield '%s: unknown attribute' % where, t, p.kind == 'anytype'
        # ---- content
        if p.kind == 'simple':
            for label, v, exp in value_mutations(p.stype, p.fixed, p.default):
                t = copy.deepcopy(base)
                at(t, path).text = v
                yield '%s: %s' % (where, label), t, exp
            t = copy.deepcopy(base)
            n = at(t, path)
            n.text = None
            n.children = ['<ceb:child>1</ceb:child>' if n.ns == CEB_NS else '<dxp:child>1</dxp:child>']
            yield '%s: element content instead of text' % where, t, False
            if p.default is not None:
                t = copy.deepcopy(base)
                at(t, path).text = None
                yield '%s: empty element (default %r)' % (where, p.default), t, True
        elif p.kind == 'complex':
            for pos, lab in ((0, 'at the start'), (None, 'at the end')):
                t = copy.deepcopy(base)
                n = at(t, path)
                extra = '<%s:unexpectedElement>1</%s:unexpectedElement>' % (PREFIX[n.ns], PREFIX[n.ns])
                n.children.insert(len(n.children) if pos is None else pos, extra)
                yield '%s: unexpected child element %s' % (where, lab), t, False
            t = copy.deepcopy(base)
            at(t, path).children.insert(1, 'stray text')
            yield '%s: stray text between children' % where, t, False
            t = copy.deepcopy(base)
            at(t, path).children.insert(1, '\n    ')
            yield '%s: whitespace between children' % where, t, True
            t = copy.deepcopy(base)
            at(t, path).children.insert(1, '<!-- comment --><?pi x?>')
            yield '%s: comment and processing instruction between children' % where, t, True
            t = copy.deepcopy(base)
            at(t, path).children = []
            yield '%s: empty' % where, t, all(c.lo == 0 for c in p.children)
        elif p.kind == 'wildcard':
            for label, raw, exp in XML_CONTENT:
                t = copy.deepcopy(base)
                at(t, path).children = [raw] if raw else []
                yield '%s: %s' % (where, label), t, exp
        elif p.kind == 'anytype':
            for label, raw, exp in (('text and a foreign element', 'a<x:y xmlns:x="urn:x-cebtools-test" z="1">b</x:y>', True),
                                    ('a ds:KeyName element', '<ds:KeyName xmlns:ds="%s">k</ds:KeyName>' % DS_NS, True),
                                    ('an invalid ds:KeyValue element', '<ds:KeyValue xmlns:ds="%s"/>' % DS_NS, None),
                                    ('empty', '', True)):
                t = copy.deepcopy(base)
                n = at(t, path)
                n.text = None
                n.children = [raw] if raw else []
                yield '%s: %s' % (where, label), t, exp
        elif p.kind == 'empty':
            t = copy.deepcopy(base)
            at(t, path).text = 'text'
            yield '%s: text in an empty element' % where, t, False
    # ---- the signature block
    for path, node in list(walk(base)):
        for i, c in enumerate(node.children):
            if isinstance(c, Node) and c.p is not None and c.p.kind == 'signature':
                where = describe(base, path + (i,))
                for label, raw, exp in SIGNATURES[1:]:
                    t = copy.deepcopy(base)
                    at(t, path + (i,)).children = [raw]
                    yield '%s: %s' % (where, label), t, exp
                for j, other in enumerate(node.children):
                    if j != i and isinstance(other, Node):
                        t = copy.deepcopy(base)
                        ch = at(t, path).children
                        s = ch.pop(i)
                        ch.insert(j, s)
                        yield '%s: moved to position %d (before/after %s)' % (where, j, other.name), t, None
    # ---- a signature where the message has none
    if base.p.kind == 'complex' and not any(isinstance(c, Node) and c.p.kind == 'signature' for c in base.children):
        t = copy.deepcopy(base)
        t.children.append(SIGNATURES[0][1])
        yield 'signature appended to a message without signature block', t, False


def main(argv):
    if len(argv) != 2:
        sys.stderr.write('usage: mkinstances.py SCHEMA.xsd OUTDIR\n')
        return 2
    schema = Schema(argv[0])
    rootp = schema.root(os.path.basename(argv[0])[:-4])
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    decl = ' xmlns:%s="%s"' % (PREFIX[rootp.ns], rootp.ns)
    docs = []
    full = build_one(rootp, True)
    minimal = build_one(rootp, False)
    docs.append(('minimal instance (required elements only)', serialize(minimal, decl), True))
    for label, tree, exp in mutations(full):
        docs.append((label, serialize(tree, decl), exp))
    # the same complete document written with a default namespace instead of a prefix
    plain = serialize(full, decl).replace('ceb:', '').replace('dxp:', '').replace(
        ' xmlns:%s=' % PREFIX[rootp.ns], ' xmlns=')
    docs.append(('complete instance, default namespace instead of a prefix', plain, True))
    # foreign roots: the schema must accept its own root only
    docs.append(('root element in another namespace',
                 serialize(full, decl).replace('"%s"' % rootp.ns, '"urn:x-cebtools-test"', 1), False))
    with open(os.path.join(out, 'index.tsv'), 'w', encoding='utf-8') as idx:
        for i, (label, text, exp) in enumerate(docs, 1):
            fn = '%04d.xml' % i
            with open(os.path.join(out, fn), 'w', encoding='utf-8') as f:
                f.write(text)
            idx.write('%s\t%s\t%s\n' % (fn, label.replace('\t', ' ').replace('\n', ' '),
                                        {True: 'valid', False: 'invalid', None: '?'}[exp]))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
