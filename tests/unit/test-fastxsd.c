/*
 * test-fastxsd: the accept-only fast model (common/fastxsd.h) against
 * libxml2's own verdict.  A test schema has one element (or attribute) of
 * each kind of type the model knows; for every edge-case value (lengths in
 * UTF-8 characters, blanks, references, signs, digits, base64 padding,
 * URIs, enumerations, fixed and default values) a one-value document is
 * validated by xmlSchemaValidateDoc() and driven through the model from
 * its SAX2 events.  The model must never accept what libxml2 rejects; and
 * it must accept the plain values listed as such (else it is no fast path).
 * Then the content models: order, occurrences, choices, wildcards,
 * unknown elements and attributes, text in element-only content.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlschemas.h>

#include "fastxsd.h"

static char dir[64], xsd[96];
static struct fastxsd *fx;
static xmlSchemaPtr xs;
static struct fastxsd_run *run;

static const char schema[] =
    "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'"
    " xmlns:t='urn:t' targetNamespace='urn:t'"
    " elementFormDefault='qualified' attributeFormDefault='unqualified'>"
    "<xs:simpleType name='C3'><xs:restriction base='xs:string'>"
    "<xs:length value='3'/></xs:restriction></xs:simpleType>"
    "<xs:simpleType name='C..5'><xs:restriction base='xs:string'>"
    "<xs:maxLength value='5'/></xs:restriction></xs:simpleType>"
    "<xs:simpleType name='C1..4'><xs:restriction base='xs:string'>"
    "<xs:minLength value='1'/><xs:maxLength value='4'/>"
    "</xs:restriction></xs:simpleType>"
    "<xs:simpleType name='C2.collapse'><xs:restriction base='xs:string'>"
    "<xs:whiteSpace value='collapse'/><xs:length value='2'/>"
    "</xs:restriction></xs:simpleType>"
    "<xs:simpleType name='N4'><xs:restriction base='xs:int'>"
    "<xs:totalDigits value='4'/></xs:restriction></xs:simpleType>"
    "<xs:simpleType name='N19.5'><xs:restriction base='xs:decimal'>"
    "<xs:totalDigits value='19'/><xs:fractionDigits value='5'/>"
    "</xs:restriction></xs:simpleType>"
    "<xs:simpleType name='N5.2'><xs:restriction base='xs:decimal'>"
    "<xs:totalDigits value='5'/><xs:fractionDigits value='2'/>"
    "</xs:restriction></xs:simpleType>"
    "<xs:simpleType name='ABC'><xs:restriction base='t:C1..4'>"
    "<xs:enumeration value='A'/><xs:enumeration value='BB'/>"
    "<xs:enumeration value='C C'/></xs:restriction></xs:simpleType>"
    "<xs:simpleType name='Pat'><xs:restriction base='xs:string'>"
    "<xs:pattern value='[0-9]+'/></xs:restriction></xs:simpleType>"
    "<xs:element name='R'><xs:complexType><xs:sequence>"
    "<xs:element name='s3' type='t:C3' minOccurs='0'/>"
    "<xs:element name='s5' type='t:C..5' minOccurs='0'/>"
    "<xs:element name='s14' type='t:C1..4' minOccurs='0'/>"
    "<xs:element name='sc' type='t:C2.collapse' minOccurs='0'/>"
    "<xs:element name='str' type='xs:string' minOccurs='0'/>"
    "<xs:element name='n4' type='t:N4' minOccurs='0'/>"
    "<xs:element name='int' type='xs:int' minOccurs='0'/>"
    "<xs:element name='d19' type='t:N19.5' minOccurs='0'/>"
    "<xs:element name='d5' type='t:N5.2' minOccurs='0'/>"
    "<xs:element name='dec' type='xs:decimal' minOccurs='0'/>"
    "<xs:element name='b64' type='xs:base64Binary' minOccurs='0'/>"
    "<xs:element name='uri' type='xs:anyURI' minOccurs='0'/>"
    "<xs:element name='en' type='t:ABC' minOccurs='0'/>"
    "<xs:element name='fix' type='t:C3' fixed='142' minOccurs='0'/>"
    "<xs:element name='def' type='t:C1..4' default='1' minOccurs='0'/>"
    "<xs:element name='pat' type='t:Pat' minOccurs='0'/>"
    "<xs:element name='rep' type='t:C3' minOccurs='2' maxOccurs='3'/>"
    "<xs:group ref='t:Tail'/>"
    "</xs:sequence>"
    "<xs:attribute name='u' type='xs:anyURI'/>"
    "<xs:attribute name='v' type='t:C..5' use='required'/>"
    "<xs:attribute name='Id' type='xs:ID'/>"
    "</xs:complexType></xs:element>"
    "<xs:group name='Tail'><xs:sequence>"
    "<xs:element name='K' minOccurs='0'><xs:complexType mixed='true'>"
    "<xs:choice maxOccurs='unbounded'>"
    "<xs:element name='a' type='xs:string'/>"
    "<xs:element name='b' type='xs:string'/>"
    "<xs:any namespace='##other' processContents='lax'/>"
    "</xs:choice></xs:complexType></xs:element>"
    "<xs:element name='W' minOccurs='0'><xs:complexType><xs:sequence>"
    "<xs:any namespace='##any' processContents='skip' minOccurs='0'/>"
    "</xs:sequence></xs:complexType></xs:element>"
    "<xs:element name='E' minOccurs='0'><xs:complexType/></xs:element>"
    "<xs:element name='S' minOccurs='0'><xs:complexType><xs:simpleContent>"
    "<xs:extension base='xs:base64Binary'/></xs:simpleContent>"
    "</xs:complexType></xs:element>"
    "</xs:sequence></xs:group>"
    "</xs:schema>";

static int
setup(void **state)
{
	xmlSchemaParserCtxtPtr pc;
	FILE *f;

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test-fastxsd.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(xsd, sizeof xsd, "%s/t.xsd", dir);
	if ((f = fopen(xsd, "w")) == NULL)
		return -1;
	fputs(schema, f);
	fclose(f);
	pc = xmlSchemaNewParserCtxt(xsd);
	xs = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	fx = fastxsd_compile(xsd);
	run = fastxsd_run_new();
	return xs && fx && run ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	fastxsd_free(fx);
	fastxsd_run_free(run);
	xmlSchemaFree(xs);
	unlink(xsd);
	rmdir(dir);
	return 0;
}

/* ---- the two verdicts on one document -------------------------------- */

static void
on_start(void *u, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattr, int ndef,
    const xmlChar **attrs)
{
	(void)u, (void)prefix, (void)nns, (void)ns, (void)ndef;
	fastxsd_start(run, local, uri, nattr, attrs);
}

static void
on_end(void *u, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	(void)u, (void)local, (void)prefix, (void)uri;
	fastxsd_end(run);
}

static void
on_text(void *u, const xmlChar *s, int len)
{
	(void)u;
	fastxsd_text(run, s, len);
}

static void
on_comment(void *u, const xmlChar *s)
{
	(void)u, (void)s;
	fastxsd_decline(run);
}

/* 0: the fast model accepts the document; -1: it declines. */
static int
fast(const char *doc)
{
	static xmlSAXHandler h;
	xmlParserCtxtPtr c;
	int ok;

	memset(&h, 0, sizeof h);
	h.initialized = XML_SAX2_MAGIC;
	h.startElementNs = on_start;
	h.endElementNs = on_end;
	h.characters = on_text;
	h.ignorableWhitespace = on_text;
	h.comment = on_comment;
	fastxsd_begin(run, fx);
	c = xmlCreateMemoryParserCtxt(doc, (int)strlen(doc));
	assert_non_null(c);
	memcpy(c->sax, &h, sizeof h);
	xmlCtxtUseOptions(c, XML_PARSE_NONET | XML_PARSE_NOCDATA |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlParseDocument(c);
	ok = c->wellFormed && fastxsd_finish(run) == 0;
	xmlFreeParserCtxt(c);
	return ok ? 0 : -1;
}

static void
quiet(void *u, xmlErrorPtr e)
{
	(void)u, (void)e;
}

/* 0: libxml2 finds the document valid. */
static int
libxml2(const char *doc)
{
	xmlDocPtr d = xmlReadMemory(doc, (int)strlen(doc), "t.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlSchemaValidCtxtPtr v = xmlSchemaNewValidCtxt(xs);
	int r;

	assert_non_null(d);
	xmlSchemaSetValidStructuredErrors(v, quiet, NULL);
	r = xmlSchemaValidateDoc(v, d);
	xmlSchemaFreeValidCtxt(v);
	xmlFreeDoc(d);
	return r;
}

static int naccepted;

/* The verdicts on doc: never fast-accepted and libxml2-rejected; when
 * must is set, accepted by both. */
static void
judge(const char *doc, int must)
{
	int f = fast(doc), l = libxml2(doc);

	if (f == 0 && l != 0)
		fail_msg("fast path accepts what libxml2 rejects: %s", doc);
	if (must && (f != 0 || l != 0))
		fail_msg("expected accepted by both (fast %d, libxml2 %d): %s",
		    f, l, doc);
	naccepted += f == 0;
}

static const char head[] = "<t:R xmlns:t='urn:t' v='x'>";
static const char tail[] = "<t:rep>abc</t:rep><t:rep>abc</t:rep></t:R>";

/* One value of element el. */
static void
value(const char *el, const char *v, int must)
{
	char doc[1024];

	snprintf(doc, sizeof doc, "%s<t:%s>%s</t:%s>%s", head, el, v, el,
	    tail);
	judge(doc, must);
}

struct vcase {
	const char *el, *v;
	int must;
};

static const struct vcase vcases[] = {
	{ "s3", "abc", 1 }, { "s3", "ab", 0 }, { "s3", "abcd", 0 },
	{ "s3", "中文字", 1 }, { "s3", "中文", 0 }, { "s3", "a b", 1 },
	{ "s3", " ab", 1 }, { "s3", "ab ", 1 }, { "s3", "a&#9;b", 0 },
	{ "s3", "a&#10;b", 0 }, { "s3", "a&#13;b", 0 }, { "s3", "a\nb", 0 },
	{ "s3", "a\r\nb", 0 }, { "s3", "&amp;&lt;&gt;", 1 },
	{ "s3", "a&amp;", 0 }, { "s3", "ab&amp;", 1 }, { "s3", "\xf0\x9d\x84\x9e" "ab", 1 },
	{ "s3", "é中b", 1 }, { "s3", "   ", 1 }, { "s3", "", 0 },
	{ "s3", "<![CDATA[a<b]]>", 1 }, { "s3", "a<!-- c -->bc", 0 },
	{ "s3", "a<?pi x?>bc", 0 }, { "s3", "&#x4e2d;ab", 1 },
	{ "s5", "", 1 }, { "s5", "abcde", 1 }, { "s5", "abcdef", 0 },
	{ "s5", "中文字中文", 1 }, { "s5", "中文字中文字", 0 },
	{ "s5", "  a  ", 1 }, { "s5", "a   b", 1 },
	{ "s14", "", 0 }, { "s14", "a", 1 }, { "s14", " ", 1 },
	{ "s14", "abcd", 1 }, { "s14", "abcde", 0 },
	{ "sc", "ab", 1 }, { "sc", " ab ", 0 }, { "sc", "a b", 0 },
	{ "sc", "a  b", 0 }, { "sc", "a", 0 }, { "sc", "中文", 1 },
	{ "str", "", 1 }, { "str", "anything at all &amp; more", 1 },
	{ "n4", "0", 1 }, { "n4", "1", 1 }, { "n4", "1234", 1 },
	{ "n4", "12345", 0 }, { "n4", "-1234", 1 }, { "n4", "-12345", 0 },
	{ "n4", "00", 0 }, { "n4", "0012", 0 }, { "n4", "-0", 0 },
	{ "n4", "+1", 0 }, { "n4", " 1", 0 }, { "n4", "1 ", 0 },
	{ "n4", "1.0", 0 }, { "n4", "", 0 }, { "n4", "1e3", 0 },
	{ "int", "2147483647", 0 }, { "int", "2147483648", 0 },
	{ "int", "-2147483648", 0 }, { "int", "999999999", 1 },
	{ "int", "-999999999", 1 }, { "int", "99999999999", 0 },
	{ "d19", "0", 1 }, { "d19", "0.0", 1 }, { "d19", "0.00000", 1 },
	{ "d19", "0.000001", 0 }, { "d19", "1.", 0 }, { "d19", ".5", 0 },
	{ "d19", "-.5", 0 }, { "d19", "+1.5", 0 }, { "d19", "-1.5", 1 },
	{ "d19", "12.50000", 1 }, { "d19", "12.500000", 0 },
	{ "d19", "1234567890123.12345", 1 },
	{ "d19", "12345678901234.12345", 0 },
	{ "d19", "123456789012345.12345", 0 },
	{ "d19", "1234567890123456789", 0 },
	{ "d19", "00000000000000000001.5", 1 },
	{ "d19", "0000000000000000000000000001.5", 1 },
	{ "d19", " 1.5", 0 }, { "d19", "1.5 ", 0 }, { "d19", "1,5", 0 },
	{ "d19", "1e5", 0 }, { "d19", "NaN", 0 }, { "d19", "INF", 0 },
	{ "d19", "", 0 }, { "d19", "-", 0 }, { "d19", "-0.0", 1 },
	{ "d19", "0.0000000000000000000000001", 0 },
	{ "d5", "123.45", 1 }, { "d5", "1234.5", 0 }, { "d5", "123.456", 0 },
	{ "d5", "123.40", 1 }, { "d5", "123.400", 0 }, { "d5", "0.01", 1 },
	{ "d5", "999.99", 1 }, { "d5", "1000.00", 0 }, { "d5", "00123.45", 1 },
	{ "dec", "123456789012345678", 1 },
	{ "dec", "1234567890123456789", 0 },
	{ "dec", "12345678901234567890123456", 0 },
	{ "b64", "", 1 }, { "b64", "QQ==", 1 }, { "b64", "QR==", 0 },
	{ "b64", "QUI=", 1 }, { "b64", "QUJ=", 0 }, { "b64", "QUJD", 1 },
	{ "b64", "QUJ", 0 }, { "b64", "Q===", 0 }, { "b64", "QU JD", 0 },
	{ "b64", "QUJD&#10;", 0 }, { "b64", "====", 0 }, { "b64", "Q=Q=", 0 },
	{ "b64", "QU=D", 0 }, { "b64", "ab+/", 1 }, { "b64", "ab-_", 0 },
	{ "b64", " QUJD", 0 },
	{ "uri", "", 1 }, { "uri", "http://a/b", 1 }, { "uri", "urn:x", 1 },
	{ "uri", "a b", 0 }, { "uri", "http://x/%zz", 0 }, { "uri", "%41", 0 },
	{ "uri", "http://[::1]/", 0 }, { "uri", "#frag", 1 },
	{ "uri", "mailto:x@y", 1 }, { "uri", "http://a/b?c=d&amp;e=f", 1 },
	{ "uri", "http://www.w3.org/2000/09/xmldsig#sha1", 1 },
	{ "uri", "::::", 0 }, { "uri", "中", 0 }, { "uri", " http://a", 0 },
	{ "en", "A", 1 }, { "en", "BB", 1 }, { "en", "C C", 1 },
	{ "en", " A", 0 }, { "en", "D", 0 }, { "en", "a", 0 },
	{ "fix", "142", 1 }, { "fix", " 142", 0 }, { "fix", "0142", 0 },
	{ "fix", "", 0 }, { "fix", "143", 0 },
	{ "def", "", 0 }, { "def", "1", 1 }, { "def", "22", 1 },
	{ "def", "abcde", 0 },
	{ "pat", "12", 0 }, { "pat", "ab", 0 },
};

static void
test_values(void **state)
{
	size_t i;

	(void)state;
	naccepted = 0;
	for (i = 0; i < sizeof vcases / sizeof vcases[0]; i++)
		value(vcases[i].el, vcases[i].v, vcases[i].must);
	assert_true(naccepted > 0);
}

/* Attribute values, with the same rule. */
static void
test_attributes(void **state)
{
	static const struct { const char *attrs; int must; } c[] = {
		{ "v='x'", 1 }, { "v=''", 1 }, { "v='abcdef'", 0 },
		{ "v='中文字中文'", 1 }, { "v='a&#9;b'", 0 },
		{ "v='a&#10;b'", 0 }, { "v='a\nb'", 0 },
		{ "v='a&amp;b'", 0 },	/* a reference: sax.c's business */
		{ "", 0 }, { "u='http://a' v='x'", 1 },
		{ "u='' v='x'", 1 }, { "u='a b' v='x'", 0 },
		{ "Id='i1' v='x'", 0 }, { "w='1' v='x'", 0 },
		{ "xml:lang='en' v='x'", 0 },
		{ "xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance'"
		    " xsi:nil='false' v='x'", 0 },
		{ "t:v='x' v='x'", 0 },
	};
	char doc[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		snprintf(doc, sizeof doc, "<t:R xmlns:t='urn:t' %s>%s",
		    c[i].attrs, tail);
		judge(doc, c[i].must);
	}
}

/* Content models: order, occurrences, choices, wildcards, text. */
static void
test_models(void **state)
{
	static const struct { const char *body; int must; } c[] = {
		{ "", 1 },
		{ "<t:s5>a</t:s5><t:s3>abc</t:s3>", 0 },	/* order */
		{ "<t:s3>abc</t:s3><t:s3>abc</t:s3>", 0 },	/* twice */
		{ "<t:s3>abc</t:s3><t:s5>a</t:s5>", 1 },
		{ "<t:zz>a</t:zz>", 0 },			/* unknown */
		{ "<s3 xmlns=''>abc</s3>", 0 },		/* namespace */
		{ "<t:s3><t:s3>abc</t:s3></t:s3>", 0 },	/* in simple */
		{ "<t:rep>abc</t:rep>", 0 },	/* a 4th rep with tail's 2 */
		{ "\n  ", 1 }, { "x", 0 }, { "<!-- c -->", 0 },
		{ "&#160;", 0 },
	};
	static const struct { const char *after; int must; } t[] = {
		{ "<t:K><t:a>x</t:a></t:K>", 1 },
		{ "<t:K>text<t:b>y</t:b>more<t:a/></t:K>", 1 },
		{ "<t:K></t:K>", 0 },			/* choice 1.. */
		{ "<t:K><t:c>x</t:c></t:K>", 0 },
		{ "<t:K><o:c xmlns:o='urn:o'>x</o:c></t:K>", 0 },
		{ "<t:W/>", 1 }, { "<t:W><t:a/></t:W>", 0 },
		{ "<t:W> </t:W>", 1 }, { "<t:W>x</t:W>", 0 },
		{ "<t:E/>", 1 }, { "<t:E> </t:E>", 0 }, { "<t:E>x</t:E>", 0 },
		{ "<t:E><t:a/></t:E>", 0 },
		{ "<t:S>QUJD</t:S>", 1 }, { "<t:S>QUJ</t:S>", 0 },
		{ "<t:S a='1'>QUJD</t:S>", 0 },
		{ "<t:K><t:a>x</t:a></t:K><t:W/><t:E/><t:S/>", 1 },
		{ "<t:W/><t:K><t:a>x</t:a></t:K>", 0 },
	};
	char doc[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		snprintf(doc, sizeof doc, "%s%s%s", head, c[i].body, tail);
		judge(doc, c[i].must);
	}
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		snprintf(doc, sizeof doc, "%s<t:rep>abc</t:rep>"
		    "<t:rep>abc</t:rep>%s</t:R>", head, t[i].after);
		judge(doc, t[i].must);
	}
	/* the repeats: 1 is too few, 4 too many */
	judge("<t:R xmlns:t='urn:t' v='x'><t:rep>abc</t:rep></t:R>", 0);
	judge("<t:R xmlns:t='urn:t' v='x'><t:rep>abc</t:rep>"
	    "<t:rep>abc</t:rep><t:rep>abc</t:rep></t:R>", 1);
	judge("<t:R xmlns:t='urn:t' v='x'><t:rep>abc</t:rep>"
	    "<t:rep>abc</t:rep><t:rep>abc</t:rep><t:rep>abc</t:rep></t:R>",
	    0);
	/* a root the schema does not declare, or only locally */
	judge("<t:S xmlns:t='urn:t'>QUJD</t:S>", 0);
	judge("<t:X xmlns:t='urn:t'/>", 0);
}

/* CEBTOOLS_FAST_XSD=0 turns it off; anything else leaves it on. */
static void
test_enabled(void **state)
{
	(void)state;
	setenv("CEBTOOLS_FAST_XSD", "0", 1);
	assert_int_equal(fastxsd_enabled(), 0);
	setenv("CEBTOOLS_FAST_XSD", "1", 1);
	assert_int_not_equal(fastxsd_enabled(), 0);
	unsetenv("CEBTOOLS_FAST_XSD");
	assert_int_not_equal(fastxsd_enabled(), 0);
}

/* A schema outside the subset as a whole: no model at all. */
static void
test_refused(void **state)
{
	static const char sub[] =
	    "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'"
	    " xmlns:t='urn:t' targetNamespace='urn:t'>"
	    "<xs:element name='H' type='xs:string'/>"
	    "<xs:element name='M' type='xs:string' substitutionGroup='t:H'/>"
	    "</xs:schema>";
	char p[128];
	FILE *f;

	(void)state;
	snprintf(p, sizeof p, "%s/sub.xsd", dir);
	assert_non_null(f = fopen(p, "w"));
	fputs(sub, f);
	fclose(f);
	assert_null(fastxsd_compile(p));
	unlink(p);
	assert_null(fastxsd_compile("/nonexistent/x.xsd"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_attributes),
		cmocka_unit_test(test_models),
		cmocka_unit_test(test_enabled),
		cmocka_unit_test(test_refused),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
