#!/usr/bin/env python3
"""Generate the cebtools CEB schemas from the message descriptions in schemas/src/.

    python3 schemas/tools/gen-schemas.py [--check] [--out DIR]

reads schemas/src/ceb-<edition>.def (notation: see the head of ceb-2022.def) and writes, for every
edition, DIR/<edition>/:

    ceb-common.xsd   the simple types (C36, C..18, N19.5, ...), the root attributes, BaseSubscribe,
                     ExtendMessage
    ceb-import.xsd   ceb-common + the import BaseTransfer and the import trailing blocks
    ceb-export.xsd   ceb-common + the export BaseTransfer and the export trailing blocks
    CEBnnnMessage.xsd one file per root element, standalone (xmllint --schema FILE)
    DxpMsg.xsd       copied from src/DxpMsg.xsd

DIR defaults to the schemas/ directory that holds this script.  --check writes nothing and exits 1
when a generated file differs from what is on disk.  Python 3 standard library only.
"""

import os
import re
import sys

CEB_NS = 'http://www.chinaport.gov.cn/ceb'
DS_NS = 'http://www.w3.org/2000/09/xmldsig#'
HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = os.path.dirname(HERE)
SRC = os.path.join(SCHEMAS, 'src')


class DefError(Exception):
    pass


# ---------------------------------------------------------------- model

class Node:
    """A leaf (typ set) or an entity (children) of a message."""

    def __init__(self, name, typ=None, occ=(1, 1), flags=None, doc=None):
        self.name = name
        self.typ = typ          # simple type token, 'xml', or None for an entity
        self.occ = occ          # (min, max); max None = unbounded
        self.flags = flags or {}
        self.doc = doc
        self.children = []


class Block:
    def __init__(self, keyword, name, kind=None, sig=None, doc=None):
        self.keyword = keyword  # 'struct' or 'message'
        self.name = name
        self.kind = kind        # import / export / receipt (messages)
        self.sig = sig          # (min, max) of ds:Signature for import messages
        self.doc = doc
        self.children = []


class Edition:
    def __init__(self, name):
        self.name = name
        self.base = None
        self.omit = []
        self.structs = {}
        self.messages = {}      # root -> Block, in file order


TYPE_RE = re.compile(r'^(C\d*\.\.\d*|C\d+|N\d+,\d+|N\d+|int|xml)$')
OCC_RE = re.compile(r'^(\?|\{(\d+)\.\.(\d+|\*)\})$')


def parse_occ(tok):
    m = OCC_RE.match(tok)
    if not m:
        return None
    if tok == '?':
        return (0, 1)
    return (int(m.group(2)), None if m.group(3) == '*' else int(m.group(3)))


def parse_def(path):
    ed = None
    block = None
    stack = []                 # (indent, node-or-block)
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    for lineno, raw in enumerate(lines, 1):
        where = '%s:%d' % (os.path.basename(path), lineno)
        if not raw.strip() or raw.lstrip().startswith('#'):
            continue
        raw = re.sub(r'\s#\s.*$', '', raw)       # trailing comment
        text, doc = raw, None
        if ' -- ' in raw:
            text, doc = raw.split(' -- ', 1)
            doc = doc.strip()
        indent = len(text) - len(text.lstrip(' '))
        toks = text.split()
        if indent == 0:
            kw = toks[0]
            if kw == 'edition':
                ed = Edition(toks[1])
                if len(toks) == 4 and toks[2] == 'based-on':
                    ed.base = toks[3]
                elif len(toks) != 2:
                    raise DefError('%s: bad edition line' % where)
                block = None
            elif kw == 'omit':
                ed.omit.extend(toks[1:])
                block = None
            elif kw == 'struct':
                block = Block('struct', toks[1], doc=doc)
                ed.structs[block.name] = block
                stack = [(0, block)]
            elif kw == 'message':
                kind = toks[2]
                if kind not in ('import', 'export', 'receipt'):
                    raise DefError('%s: unknown kind %s' % (where, kind))
                sig = None
                if kind == 'import':
                    if len(toks) != 5 or toks[3] != 'signature':
                        raise DefError('%s: import messages need "signature MIN..MAX"' % where)
                    lo, hi = toks[4].split('..')
                    sig = (int(lo), int(hi))
                    if sig not in ((0, 1), (1, 1)):
                        raise DefError('%s: signature must be 0..1 or 1..1' % where)
                elif len(toks) != 3:
                    raise DefError('%s: only import messages take a signature clause' % where)
                block = Block('message', toks[1], kind=kind, sig=sig, doc=doc)
                ed.messages[block.name] = block
                stack = [(0, block)]
            else:
                raise DefError('%s: unknown keyword %s' % (where, kw))
            continue
        if block is None:
            raise DefError('%s: indented line outside a struct or message' % where)
        if indent % 2:
            raise DefError('%s: indentation must be a multiple of two' % where)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if not stack or stack[-1][0] != indent - 2:
            raise DefError('%s: bad indentation' % where)
        parent = stack[-1][1]
        if parent is not block and parent.typ is not None:
            raise DefError('%s: a leaf cannot have children' % where)
        name, rest = toks[0], toks[1:]
        typ = None
        if rest and TYPE_RE.match(rest[0]):
            typ, rest = rest[0], rest[1:]
        occ, flags = (1, 1), {}
        for t in rest:
            o = parse_occ(t)
            if o is not None:
                occ = o
            elif t == 'collapse':
                flags['collapse'] = True
            elif t.startswith('fixed=') or t.startswith('default='):
                k, v = t.split('=', 1)
                flags[k] = v
            else:
                raise DefError('%s: cannot read %r' % (where, t))
        if typ is None and flags:
            raise DefError('%s: flags on an entity' % where)
        node = Node(name, typ, occ, flags, doc)
        parent.children.append(node)
        stack.append((indent, node))
    if ed is None:
        raise DefError('%s: no edition line' % path)
    return ed


def load_editions():
    eds = {}
    for fn in sorted(os.listdir(SRC)):
        m = re.match(r'^ceb-(\w+)\.def$', fn)
        if m:
            ed = parse_def(os.path.join(SRC, fn))
            if ed.name != m.group(1):
                raise DefError('%s declares edition %s' % (fn, ed.name))
            eds[ed.name] = ed
    for ed in eds.values():           # resolve based-on
        if ed.base:
            base = eds[ed.base]
            if base.base:
                raise DefError('based-on chains are not supported')
            structs = dict(base.structs)
            structs.update(ed.structs)
            msgs = {}
            for k, v in base.messages.items():
                if k in ed.omit:
                    continue
                msgs[k] = ed.messages.get(k, v)
            for k, v in ed.messages.items():
                if k not in msgs:
                    msgs[k] = v
            ed.structs, ed.messages = structs, msgs
    return eds


# ---------------------------------------------------------------- simple types

def type_name(tok, collapse):
    """Name of the shared simple type for a type token: C..18 -> C..18, N19,5 -> N19.5."""
    if tok == 'int':
        return None
    n = tok.replace(',', '.')
    return n + '.collapse' if collapse else n


def type_ref(tok, collapse):
    n = type_name(tok, collapse)
    return 'xs:int' if n is None else 'ceb:' + n


def type_facets(tok, collapse):
    """(base, [(facet, value)]) for a type token."""
    facets = []
    if collapse:
        facets.append(('whiteSpace', 'collapse'))
    m = re.match(r'^C(\d+)$', tok)
    if m:
        return 'xs:string', facets + [('length', m.group(1))]
    m = re.match(r'^C(\d*)\.\.(\d*)$', tok)
    if m:
        if m.group(1):
            facets.append(('minLength', m.group(1)))
        if m.group(2):
            facets.append(('maxLength', m.group(2)))
        return 'xs:string', facets
    m = re.match(r'^N(\d+),(\d+)$', tok)
    if m:
        return 'xs:decimal', facets + [('totalDigits', m.group(1)), ('fractionDigits', m.group(2))]
    m = re.match(r'^N(\d+)$', tok)
    if m:
        return 'xs:int', facets + [('totalDigits', m.group(1))]
    raise DefError('no facets for %s' % tok)


def type_doc(tok, collapse):
    m = re.match(r'^C(\d+)$', tok)
    if m:
        d = 'exactly %s character%s' % (m.group(1), '' if m.group(1) == '1' else 's')
    elif tok == 'C0..':
        d = 'any number of characters (explicit minLength 0)'
    elif re.match(r'^C\.\.\d+$', tok):
        d = 'at most %s characters, may be empty' % tok[3:]
    elif re.match(r'^C1\.\.\d+$', tok):
        d = '1 to %s characters (must not be empty)' % tok[4:]
    elif re.match(r'^C0\.\.\d+$', tok):
        d = 'at most %s characters (explicit minLength 0)' % tok[4:]
    elif tok.startswith('C'):
        lo, hi = tok[1:].split('..')
        d = '%s to %s characters' % (lo, hi)
    elif ',' in tok:
        t, f = tok[1:].split(',')
        d = 'decimal: at most %s digits, at most %s of them after the point' % (t, f)
    else:
        d = 'xs:int of at most %s digits' % tok[1:]
    if collapse:
        d += '; whitespace collapsed first'
    return d


def type_sort_key(key):
    tok, collapse = key
    nums = [int(x) for x in re.findall(r'\d+', tok)]
    order = {'C': 0, 'N': 2}[tok[0]]
    if tok.startswith('C') and '..' in tok:
        order = 1
    return (order, ',' in tok, nums, collapse)


def used_types(ed):
    types = {('C36', False), ('C1..10', False)}     # root attributes guid, version

    def walk(n):
        if n.typ and n.typ not in ('xml', 'int'):
            types.add((n.typ, bool(n.flags.get('collapse'))))
        for c in n.children:
            walk(c)
    for b in list(ed.structs.values()) + list(ed.messages.values()):
        for c in b.children:
            walk(c)
    return sorted(types, key=type_sort_key)


# ---------------------------------------------------------------- XML writing

def esc(s):
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('"', '&quot;')


def occ_attrs(occ):
    lo, hi = occ
    a = ''
    if lo != 1:
        a += ' minOccurs="%d"' % lo
    if hi is None:
        a += ' maxOccurs="unbounded"'
    elif hi != 1:
        a += ' maxOccurs="%d"' % hi
    return a


def doc_lines(doc, ind):
    if not doc:
        return []
    return [ind + '<xs:annotation><xs:documentation>%s</xs:documentation></xs:annotation>' % esc(doc)]


def emit_particles(children, ind, out):
    for n in children:
        if n.typ == 'xml':
            out.append('%s<xs:element name="%s" type="ceb:XmlContent"%s/>' % (ind, n.name, occ_attrs(n.occ)))
        elif n.typ is not None:
            extra = ''
            for k in ('default', 'fixed'):
                if k in n.flags:
                    extra += ' %s="%s"' % (k, esc(n.flags[k]))
            line = '%s<xs:element name="%s" type="%s"%s%s' % (
                ind, n.name, type_ref(n.typ, n.flags.get('collapse')), occ_attrs(n.occ), extra)
            if n.doc:
                out.append(line + '>')
                out.extend(doc_lines(n.doc, ind + '  '))
                out.append(ind + '</xs:element>')
            else:
                out.append(line + '/>')
        else:
            out.append('%s<xs:element name="%s"%s>' % (ind, n.name, occ_attrs(n.occ)))
            out.extend(doc_lines(n.doc, ind + '  '))
            out.append(ind + '  <xs:complexType>')
            out.append(ind + '    <xs:sequence>')
            emit_particles(n.children, ind + '      ', out)
            out.append(ind + '    </xs:sequence>')
            out.append(ind + '  </xs:complexType>')
            out.append(ind + '</xs:element>')


def schema_open(comment, need_ds=False):
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<!--']
    out.extend('  ' + l if l else '' for l in comment)
    out.append('-->')
    out.append('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"')
    out.append('           xmlns:ceb="%s"' % CEB_NS)
    if need_ds:
        out.append('           xmlns:ds="%s"' % DS_NS)
    out.append('           targetNamespace="%s"' % CEB_NS)
    out.append('           elementFormDefault="qualified" attributeFormDefault="unqualified">')
    return out


def gen_notice(ed, what):
    return ['Part of cebtools.  Generated by schemas/tools/gen-schemas.py from schemas/src/ceb-%s.def%s:'
            % (ed.base or ed.name, '' if not ed.base else ' and ceb-%s.def' % ed.name),
            'edit the .def file and regenerate instead of editing this file.  See schemas/README.']


def gen_common(ed):
    out = schema_open(['CEB %s edition: types shared by every message (import, export and receipts).' % ed.name,
                       'The simple types are named after the data formats of the specification:',
                       'Cn = exactly n characters, C..n = at most n, Cm..n = m to n, N19.5 = N19,5 decimal,',
                       'Nn = xs:int of at most n digits; ".collapse" = whitespace collapsed before checking.',
                       ''] + gen_notice(ed, 'common'))
    out.append('')
    out.append('  <!-- Data formats -->')
    for tok, collapse in used_types(ed):
        base, facets = type_facets(tok, collapse)
        out.append('  <xs:simpleType name="%s">' % type_name(tok, collapse))
        out.extend(doc_lines(type_doc(tok, collapse), '    '))
        out.append('    <xs:restriction base="%s">' % base)
        for k, v in facets:
            out.append('      <xs:%s value="%s"/>' % (k, v))
        out.append('    </xs:restriction>')
        out.append('  </xs:simpleType>')
    out.append('')
    out.append('  <!-- Attributes of every root element: guid (报文的36位系统唯一序号) and version (报文版本号, "1.0") -->')
    out.append('  <xs:attributeGroup name="MessageAttributes">')
    out.append('    <xs:attribute name="guid" type="ceb:C36" use="required"/>')
    out.append('    <xs:attribute name="version" type="ceb:C1..10" use="required"/>')
    out.append('  </xs:attributeGroup>')
    out.append('')
    for name in ('BaseSubscribe', 'ExtendMessage'):
        st = ed.structs[name]
        out.append('  <xs:complexType name="%s">' % name)
        out.extend(doc_lines(st.doc, '    '))
        out.append('    <xs:sequence>')
        emit_particles(st.children, '      ', out)
        out.append('    </xs:sequence>')
        out.append('  </xs:complexType>')
    out.append('')
    out.append('  <!-- ExtendMessage/Message: at most one element, any namespace, not validated -->')
    out.append('  <xs:complexType name="XmlContent">')
    out.append('    <xs:sequence>')
    out.append('      <xs:any namespace="##any" processContents="skip" minOccurs="0"/>')
    out.append('    </xs:sequence>')
    out.append('  </xs:complexType>')
    out.append('</xs:schema>')
    return out


def gen_direction(ed, direction):
    cap = direction.capitalize()
    bt = ed.structs[cap + 'BaseTransfer']
    if direction == 'import':
        order = 'BaseTransfer, BaseSubscribe{0..5}, ExtendMessage?, ds:Signature'
    else:
        order = 'BaseTransfer, BaseSubscribe{0..5}, ds:Signature?, ExtendMessage?'
    out = schema_open(['CEB %s edition: blocks that follow the business records of every %s declaration:'
                       % (ed.name, direction), '  ' + order, ''] + gen_notice(ed, direction), need_ds=True)
    out.append('  <xs:include schemaLocation="ceb-common.xsd"/>')
    out.append('  <xs:import namespace="%s" schemaLocation="../xmldsig.xsd"/>' % DS_NS)
    out.append('')
    out.append('  <xs:complexType name="%s">' % bt.name)
    out.extend(doc_lines(bt.doc, '    '))
    out.append('    <xs:sequence>')
    emit_particles(bt.children, '      ', out)
    out.append('    </xs:sequence>')
    out.append('  </xs:complexType>')

    def group(name, doc, sig_min):
        out.append('')
        out.append('  <xs:group name="%s">' % name)
        out.extend(doc_lines(doc, '    '))
        out.append('    <xs:sequence>')
        out.append('      <xs:element name="BaseTransfer" type="ceb:%s"/>' % bt.name)
        out.append('      <xs:element name="BaseSubscribe" type="ceb:BaseSubscribe" minOccurs="0" maxOccurs="5"/>')
        sig = '      <xs:element ref="ds:Signature"%s/>' % ('' if sig_min else ' minOccurs="0"')
        ext = '      <xs:element name="ExtendMessage" type="ceb:ExtendMessage" minOccurs="0"/>'
        out.extend([ext, sig] if direction == 'import' else [sig, ext])
        out.append('    </xs:sequence>')
        out.append('  </xs:group>')
    if direction == 'import':
        group('ImportTrailer', 'Import trailing blocks, signature optional', 0)
        group('ImportTrailerSigned', 'Import trailing blocks, signature required', 1)
    else:
        group('ExportTrailer', 'Export trailing blocks (the signature is always optional in the export XSD)', 0)
    out.append('</xs:schema>')
    return out


def gen_message(ed, msg):
    include = {'import': 'ceb-import.xsd', 'export': 'ceb-export.xsd', 'receipt': 'ceb-common.xsd'}[msg.kind]
    kind = {'import': 'import declaration', 'export': 'export declaration',
            'receipt': 'receipt (no BaseTransfer, no signature)'}[msg.kind]
    out = schema_open(['%s, %s edition: %s' % (msg.name, ed.name, kind), msg.doc or '', ''] + gen_notice(ed, msg.name))
    out.append('  <xs:include schemaLocation="%s"/>' % include)
    out.append('')
    out.append('  <xs:element name="%s">' % msg.name)
    out.extend(doc_lines(msg.doc, '    '))
    out.append('    <xs:complexType>')
    out.append('      <xs:sequence>')
    emit_particles(msg.children, '        ', out)
    if msg.kind == 'import':
        out.append('        <xs:group ref="ceb:%s"/>' % ('ImportTrailerSigned' if msg.sig[0] else 'ImportTrailer'))
    elif msg.kind == 'export':
        out.append('        <xs:group ref="ceb:ExportTrailer"/>')
    out.append('      </xs:sequence>')
    out.append('      <xs:attributeGroup ref="ceb:MessageAttributes"/>')
    out.append('    </xs:complexType>')
    out.append('  </xs:element>')
    out.append('</xs:schema>')
    return out


def generate(eds):
    files = {}
    with open(os.path.join(SRC, 'DxpMsg.xsd'), encoding='utf-8') as f:
        dxp = f.read()
    for name, ed in eds.items():
        files[(name, 'ceb-common.xsd')] = gen_common(ed)
        files[(name, 'ceb-import.xsd')] = gen_direction(ed, 'import')
        files[(name, 'ceb-export.xsd')] = gen_direction(ed, 'export')
        for msg in ed.messages.values():
            files[(name, msg.name + '.xsd')] = gen_message(ed, msg)
        files[(name, 'DxpMsg.xsd')] = dxp
    return {k: (v if isinstance(v, str) else '\n'.join(v) + '\n') for k, v in files.items()}


def main(argv):
    check = '--check' in argv
    out_dir = SCHEMAS
    if '--out' in argv:
        out_dir = argv[argv.index('--out') + 1]
    try:
        files = generate(load_editions())
    except (DefError, KeyError) as e:
        sys.stderr.write('gen-schemas: %s\n' % e)
        return 2
    stale = 0
    for (edition, fn), text in sorted(files.items()):
        path = os.path.join(out_dir, edition, fn)
        old = None
        if os.path.exists(path):
            with open(path, encoding='utf-8') as f:
                old = f.read()
        if old == text:
            continue
        if check:
            sys.stderr.write('gen-schemas: %s is out of date\n' % path)
            stale += 1
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
    if not check:
        # remove generated files of roots that no longer exist
        for edition in {e for e, _ in files}:
            d = os.path.join(out_dir, edition)
            for fn in os.listdir(d):
                if fn.endswith('.xsd') and (edition, fn) not in files:
                    os.remove(os.path.join(d, fn))
    return 1 if stale else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
