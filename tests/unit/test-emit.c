/*
 * test-emit: byte-identical pass-through and record subsets without the
 * signature.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "emit.h"
#include "msg.h"
#include "stream.h"

static const char two[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ceb:CEB621Message xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\" "
    "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" guid=\"G\" "
    "version=\"1.0\">\n"
    "<ceb:Inventory><ceb:InventoryHead><ceb:copNo>C1</ceb:copNo>"
    "</ceb:InventoryHead></ceb:Inventory>\n"
    "<ceb:Inventory><ceb:InventoryHead><ceb:copNo>C2</ceb:copNo>"
    "</ceb:InventoryHead></ceb:Inventory>\n"
    "<ceb:BaseTransfer><ceb:copCode>X</ceb:copCode></ceb:BaseTransfer>\n"
    "<ds:Signature><ds:SignatureValue>abc</ds:SignatureValue>"
    "</ds:Signature>\n"
    "</ceb:CEB621Message>";

static char *
capture(int (*fn)(FILE *, const void *, const void *), const void *a,
    const void *b)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(fn(f, a, b), 0);
	fclose(f);
	return buf;
}

static int
do_doc(FILE *f, const void *a, const void *b)
{
	(void)b;
	return emit_marked(f, ((const struct stream_doc *)a)->bytes,
	    ((const struct stream_doc *)a)->len, NULL);
}

static int
do_subset(FILE *f, const void *a, const void *b)
{
	return emit_subset(f, NULL, a, b);
}

static void
byte_identical(void **state)
{
	struct stream_doc d;
	char *out;

	(void)state;
	memset(&d, 0, sizeof d);
	d.bytes = two;
	d.len = sizeof two - 1;
	out = capture(do_doc, &d, NULL);
	assert_int_equal(strlen(out), sizeof two);
	assert_memory_equal(out, two, sizeof two - 1);
	assert_int_equal(out[sizeof two - 1], '\n');
	free(out);
}

static void
subset(void **state)
{
	struct stream_err e;
	xmlDocPtr doc = stream_parse_memory(two, sizeof two - 1, "t", &e);
	struct msg m;
	unsigned char keep[2] = { 0, 1 }, none[2] = { 0, 0 };
	char *out;

	(void)state;
	assert_non_null(doc);
	assert_int_equal(msg_open(&m, doc, 1), MSG_OK);
	out = capture(do_subset, &m, keep);
	assert_null(strstr(out, "C1"));
	assert_non_null(strstr(out, "C2"));
	assert_null(strstr(out, "Signature"));
	assert_non_null(strstr(out, "BaseTransfer"));
	assert_int_equal(out[strlen(out) - 1], '\n');
	free(out);
	/* The original tree is untouched. */
	assert_int_equal(msg_record_count(&m), 2);
	assert_non_null(msg_child(m.root, MSG_NS_DS, "Signature"));
	/* Nothing kept: nothing written. */
	out = capture(do_subset, &m, none);
	assert_string_equal(out, "");
	free(out);
	xmlFreeDoc(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(byte_identical),
		cmocka_unit_test(subset),
	};

	return cmocka_run_group_tests_name("emit", tests, NULL, NULL);
}
