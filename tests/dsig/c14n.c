/*
 * c14n: the canonical bytes an XML-DSig verifier hashes and verifies, made
 * the way the W3C recommendation describes them -- an XPath node set
 * handed to libxml2's C14N 1.0 -- and not with common/dsig.c's visibility
 * callback, so that the differential tests (tests/dsig/openssl.test)
 * compare two ways of getting there.
 *
 * usage: c14n content|signedinfo FILE
 *   content     the document without comments and without its
 *               ds:Signature (Reference URI="" + enveloped-signature)
 *   signedinfo  the ds:SignedInfo element with its inherited namespaces
 * Test code: the file is trusted (our own test output).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

int
main(int argc, char *argv[])
{
	const char *expr;
	xmlDocPtr doc;
	xmlXPathContextPtr x;
	xmlXPathObjectPtr o;
	xmlOutputBufferPtr out;

	if (argc != 3) {
		fputs("usage: c14n content|signedinfo FILE\n", stderr);
		return 2;
	}
	if (strcmp(argv[1], "content") == 0)
		expr = "(//. | //@* | //namespace::*)"
		    "[not(ancestor-or-self::ds:Signature)]";
	else if (strcmp(argv[1], "signedinfo") == 0)
		expr = "(//. | //@* | //namespace::*)"
		    "[ancestor-or-self::ds:SignedInfo]";
	else {
		fputs("usage: c14n content|signedinfo FILE\n", stderr);
		return 2;
	}
	if ((doc = xmlReadFile(argv[2], NULL, XML_PARSE_NONET)) == NULL)
		return 1;
	x = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(x, (const xmlChar *)"ds",
	    (const xmlChar *)"http://www.w3.org/2000/09/xmldsig#");
	o = xmlXPathEvalExpression((const xmlChar *)expr, x);
	out = xmlOutputBufferCreateFile(stdout, NULL);
	if (o == NULL || out == NULL || xmlC14NDocSaveTo(doc, o->nodesetval,
	    XML_C14N_1_0, NULL, 0, out) < 0)
		return 1;
	return xmlOutputBufferClose(out) < 0;
}
