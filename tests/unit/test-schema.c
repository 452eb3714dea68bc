/*
 * test-schema: finding a root's schema (a file named after the root, or a
 * global declaration in a bundle file), caching, compile failures, the
 * mapping of libxml2 errors to S- rules with their node and field, element
 * paths, and UTF-8-safe truncation.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <libxml/parser.h>

#include "catalogue.h"
#include "schema.h"

static char dir[64];

static const char bundle[] =
    "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'"
    " xmlns:t='urn:t' targetNamespace='urn:t'"
    " elementFormDefault='qualified'>"
    "<xs:element name='A'><xs:complexType><xs:sequence>"
    "<xs:element name='rec' maxOccurs='2'><xs:complexType><xs:sequence>"
    "<xs:element name='x'><xs:simpleType><xs:restriction base='xs:string'>"
    "<xs:maxLength value='3'/></xs:restriction></xs:simpleType></xs:element>"
    "<xs:element name='y' type='xs:decimal'/>"
    "<xs:element name='z' type='xs:string'/>"
    "</xs:sequence></xs:complexType></xs:element>"
    "<xs:element name='tail' type='xs:string'/>"
    "</xs:sequence><xs:attribute name='id' use='required'/>"
    "</xs:complexType></xs:element>"
    "<xs:element name='B' type='xs:string'/>"
    "</xs:schema>";

static void
put(const char *name, const char *text)
{
	char p[128];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test-schema.%ld", (long)getpid());
	mkdir(dir, 0700);
	put("a-bundle.xsd", bundle);
	put("C.xsd", "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'>"
	    "<xs:element name='C' type='xs:nosuchtype'/></xs:schema>");
	put("notes.txt", "not a schema");
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
finding(void **state)
{
	const char *dirs[] = { dir };
	struct schema_set *s = schema_set_new(dirs, 1);
	const struct schema *a, *b, *a2;
	char err[400];
	int missing = -1;

	(void)state;
	assert_non_null(s);
	/* A and B are declared in the same bundle file: one compilation. */
	a = schema_find(s, "urn:t", "A", &missing, err, sizeof err);
	assert_non_null(a);
	b = schema_find(s, "urn:t", "B", &missing, err, sizeof err);
	assert_ptr_equal(a, b);
	assert_non_null(strstr(schema_path(a), "a-bundle.xsd"));
	a2 = schema_find(s, "urn:t", "A", &missing, err, sizeof err);
	assert_ptr_equal(a, a2);
	/* Same name, other namespace: not declared. */
	assert_null(schema_find(s, "urn:other", "A", &missing, err,
	    sizeof err));
	assert_int_equal(missing, 1);
	assert_non_null(strstr(err, "no schema declares A"));
	/* C.xsd is named after the root but does not compile. */
	assert_null(schema_find(s, "", "C", &missing, err, sizeof err));
	assert_int_equal(missing, 0);
	assert_non_null(strstr(err, "C.xsd"));
	schema_set_free(s);
}

static void
errors(void **state)
{
	const char *dirs[] = { "/nonexistent", dir };
	struct schema_set *s = schema_set_new(dirs, 2);
	struct schema_vctx *v = schema_vctx_new();
	struct schema_errors e;
	const struct schema *a;
	char err[400], path[200];
	int missing;
	static const char doc[] =
	    "<A xmlns='urn:t'>"
	    "<rec><x>abcd</x><y>1,5</y><z>k</z></rec>"
	    "<rec><x>ok</x><z>k</z></rec>"
	    "<rec><x>a</x><y>1</y><z>k</z></rec>"
	    "</A>";
	xmlDocPtr d = xmlReadMemory(doc, sizeof doc - 1, "t.xml", NULL, 0);

	(void)state;
	memset(&e, 0, sizeof e);
	a = schema_find(s, "urn:t", "A", &missing, err, sizeof err);
	assert_non_null(a);
	assert_non_null(d);
	assert_int_equal(schema_validate(v, a, d, &e), 5);
	/* the required attribute, reported on the root first */
	assert_string_equal(e.v[0].rule, "S-XSD-005");
	/* over-long x; y not a decimal (its redundant twin dropped) */
	assert_string_equal(e.v[1].rule, "S-XSD-003");
	assert_string_equal(e.v[1].field, "x");
	assert_string_equal(e.v[2].rule, "S-XSD-004");
	assert_string_equal(e.v[2].field, "y");
	assert_non_null(strstr(e.v[2].text, "'1,5'"));
	/* z where y should be, no y after it: y missing, on the second rec */
	assert_string_equal(e.v[3].rule, "S-XSD-002");
	assert_string_equal(e.v[3].field, "y");
	schema_node_path(e.v[3].node, path, sizeof path);
	assert_string_equal(path, "/A/rec[2]/z");
	/* a third rec is one too many (not "tail missing") */
	assert_string_equal(e.v[4].rule, "S-XSD-001");
	assert_string_equal(e.v[4].field, "rec");
	schema_node_path(e.v[4].node, path, sizeof path);
	assert_string_equal(path, "/A/rec[3]");
	/* Namespaces are shortened only for the CEB ones; none here. */
	assert_null(strstr(e.v[0].text, "Element '"));
	schema_errors_free(&e);
	xmlFreeDoc(d);
	schema_vctx_free(v);
	schema_set_free(s);
}

static void
utf8(void **state)
{
	char s[16];

	(void)state;
	strcpy(s, "ab\xe6\xb5\xb7");	/* ab海 */
	schema_utf8_trim(s);
	assert_string_equal(s, "ab\xe6\xb5\xb7");
	s[4] = '\0';			/* cut inside the character */
	schema_utf8_trim(s);
	assert_string_equal(s, "ab");
	strcpy(s, "abc");
	schema_utf8_trim(s);
	assert_string_equal(s, "abc");
}

static void
listing(void **state)
{
	static const char *const sids[] = { "S-XSD-001", "S-XSD-002",
	    "S-XSD-003", "S-XSD-004", "S-XSD-005", "S-XSD-006", "S-XSD-009" };
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(catalogue_list(f, "ceb-validate"), 0);
	fclose(f);
	assert_true(strncmp(buf, "rule,tool,severity,types,fields,"
	    "customs_code,source,description\n", 62) == 0);
	/* Every S- rule the schema layer can name is in the listing. */
	for (i = 0; i < sizeof sids / sizeof sids[0]; i++)
		assert_non_null(strstr(buf, sids[i]));
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finding),
		cmocka_unit_test(errors),
		cmocka_unit_test(utf8),
		cmocka_unit_test(listing),
	};

	xmlInitParser();
	return cmocka_run_group_tests_name("schema", tests, setup, teardown);
}
