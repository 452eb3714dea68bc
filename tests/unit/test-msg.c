/*
 * test-msg: the message-type table, root recognition, records, fields,
 * keys and line numbers.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include <libxml/parser.h>

#include "msg.h"
#include "stream.h"

static const char order[] =
    "<?xml version=\"1.0\"?>\n"
    "<ceb:CEB311Message xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\" "
    "guid=\"4CDE1CFD-EDED-46B1-946C-B8022E42FC94\" version=\"1.0\">\n"
    "<ceb:Order><ceb:OrderHead><ceb:ebpCode>3301963K69</ceb:ebpCode>\n"
    "<ceb:orderNo>A-1</ceb:orderNo><ceb:goodsValue>10.50</ceb:goodsValue>"
    "<ceb:note><![CDATA[a]]><!--x-->b</ceb:note><ceb:empty/>"
    "</ceb:OrderHead>\n"
    "<ceb:OrderList><ceb:gnum>1</ceb:gnum></ceb:OrderList>\n"
    "<ceb:OrderList><ceb:gnum>2</ceb:gnum></ceb:OrderList></ceb:Order>\n"
    "<ceb:Order><ceb:OrderHead><ceb:orderNo>A-2</ceb:orderNo>"
    "<ceb:goodsValue>1e3</ceb:goodsValue></ceb:OrderHead></ceb:Order>\n"
    "<x:Order xmlns:x=\"urn:other\"/>\n"
    "</ceb:CEB311Message>";

static xmlDocPtr
parse(const char *s)
{
	struct stream_err e;
	xmlDocPtr d = stream_parse_memory(s, strlen(s), "t", &e);

	assert_non_null(d);
	return d;
}

static void
table(void **state)
{
	size_t i, j;

	(void)state;
	assert_int_equal(msg_ntypes, 42);	/* 19 import, 23 export */
	for (i = 0; i < msg_ntypes; i++) {
		const struct msg_type *t = &msg_types[i];
		char root[32];

		snprintf(root, sizeof root, "CEB%03dMessage", t->code);
		assert_string_equal(root, t->root);
		assert_ptr_equal(msg_type_by_root(t->root), t);
		assert_ptr_equal(msg_type_by_code(t->code), t);
		assert_non_null(t->keys[0]);
		if (t->receipt) {
			const struct msg_type *r = msg_type_by_code(t->receipt);
			assert_non_null(r);
			assert_int_equal(r->kind, MSG_RECEIPT);
			assert_int_equal(r->dir, t->dir);
		}
		for (j = i + 1; j < msg_ntypes; j++)
			assert_int_not_equal(t->code, msg_types[j].code);
	}
	assert_null(msg_type_by_root("CEB999Message"));
	assert_null(msg_type_by_root("Order"));
}

static void
type_sets(void **state)
{
	unsigned char set[64];
	char bad[32];

	(void)state;
	assert_int_equal(msg_type_set("311,CEB621Message,CEB411", set, bad,
	    sizeof bad), 0);
	assert_true(set[msg_type_by_code(311) - msg_types]);
	assert_true(set[msg_type_by_code(621) - msg_types]);
	assert_true(set[msg_type_by_code(411) - msg_types]);
	assert_false(set[msg_type_by_code(511) - msg_types]);
	assert_int_equal(msg_type_set("311,999", set, bad, sizeof bad), -1);
	assert_string_equal(bad, "999");
	assert_int_equal(msg_type_set("311,,621", set, bad, sizeof bad), -1);
}

static void
records_and_fields(void **state)
{
	xmlDocPtr d = parse(order);
	struct msg m;
	xmlNodePtr r, h, l;
	struct dec v;
	char key[64], b[64];

	(void)state;
	assert_int_equal(msg_open(&m, d, 10), MSG_OK);
	assert_int_equal(m.type->code, 311);
	assert_string_equal(m.guid, "4CDE1CFD-EDED-46B1-946C-B8022E42FC94");
	assert_int_equal(msg_record_count(&m), 2);
	r = msg_record_first(&m);
	h = msg_head(&m, r);
	assert_string_equal(msg_field(h, "orderNo"), "A-1");
	assert_string_equal(msg_field(h, "note"), "ab");
	assert_string_equal(msg_field(h, "empty"), "");
	assert_null(msg_field(h, "absent"));
	assert_int_equal(msg_decimal(h, "goodsValue", &v), 0);
	assert_string_equal(dec_format(v, 2, b, sizeof b), "10.50");
	assert_int_equal(msg_decimal(h, "absent", &v), 1);
	assert_string_equal(msg_key(&m, r, key, sizeof key), "3301963K69/A-1");
	assert_int_equal(msg_line(&m, r), 12);	/* line 3 of the document */
	l = msg_line_first(&m, r);
	assert_string_equal(msg_field(l, "gnum"), "1");
	l = msg_line_next(&m, l);
	assert_string_equal(msg_field(l, "gnum"), "2");
	assert_null(msg_line_next(&m, l));
	r = msg_record_next(&m, r);
	assert_string_equal(msg_key(&m, r, key, sizeof key), "-/A-2");
	assert_int_equal(msg_decimal(msg_head(&m, r), "goodsValue", &v), -1);
	/* The element in another namespace is not a record. */
	assert_null(msg_record_next(&m, r));
	xmlFreeDoc(d);
}

static void
roots(void **state)
{
	struct msg m;
	xmlDocPtr d;

	(void)state;
	d = parse("<CEB311Message xmlns=\"urn:wrong\"/>");
	assert_int_equal(msg_open(&m, d, 1), MSG_BAD_NS);
	xmlFreeDoc(d);
	d = parse("<CEB311Message/>");
	assert_int_equal(msg_open(&m, d, 1), MSG_BAD_NS);
	xmlFreeDoc(d);
	d = parse("<CEB999Message xmlns=\"http://www.chinaport.gov.cn/ceb\"/>");
	assert_int_equal(msg_open(&m, d, 1), MSG_UNKNOWN);
	xmlFreeDoc(d);
	d = parse("<html/>");
	assert_int_equal(msg_open(&m, d, 1), MSG_NOT_CEB);
	xmlFreeDoc(d);
	d = parse("<DxpMsg xmlns=\"http://www.chinaport.gov.cn/dxp\"/>");
	assert_int_equal(msg_open(&m, d, 1), MSG_ENVELOPE);
	xmlFreeDoc(d);
	/* Default namespace works like a prefix. */
	d = parse("<CEB622Message xmlns=\"http://www.chinaport.gov.cn/ceb\" "
	    "guid=\"g\"><InventoryReturn><copNo>C1</copNo><agentCode>A"
	    "</agentCode></InventoryReturn></CEB622Message>");
	assert_int_equal(msg_open(&m, d, 1), MSG_OK);
	{
		char key[64];
		assert_string_equal(msg_key(&m, msg_record_first(&m), key,
		    sizeof key), "A/C1");
	}
	xmlFreeDoc(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table),
		cmocka_unit_test(type_sets),
		cmocka_unit_test(records_and_fields),
		cmocka_unit_test(roots),
	};

	return cmocka_run_group_tests_name("msg", tests, NULL, NULL);
}
