/*
 * test-envelope.c: DxpMsg and DxpMsgSv envelopes (common/envelope.h):
 * the transfer header read, Data decoded as strict base64 and bounded,
 * each way an envelope can hold no message named by its rule, and a
 * written envelope read back to the same bytes.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libxml/parser.h>

#include "envelope.h"

#define HEAD "<dxp:DxpMsg xmlns:dxp=\"http://www.chinaport.gov.cn/dxp\" " \
	"ver=\"1.0\"><dxp:TransInfo><dxp:CopMsgId>C-1</dxp:CopMsgId>" \
	"<dxp:SenderId>S1</dxp:SenderId><dxp:ReceiverIds><dxp:ReceiverId>R1" \
	"</dxp:ReceiverId><dxp:ReceiverId>R2</dxp:ReceiverId>" \
	"</dxp:ReceiverIds><dxp:CreatTime>2026-11-27T10:00:00</dxp:CreatTime>" \
	"<dxp:MsgType>CEB311Message</dxp:MsgType></dxp:TransInfo>\n"

/* Open text as an envelope; returns envelope_open()'s result. */
static int
open_text(const char *text, size_t max, struct envelope **e,
    const char **rule, long *where)
{
	char why[300];
	xmlDocPtr doc = xmlReadMemory(text, (int)strlen(text), "t", NULL,
	    XML_PARSE_NONET);
	int r;

	assert_non_null(doc);
	r = envelope_open(doc, text, strlen(text), 10, max, e, rule, where,
	    why, sizeof why);
	if (*e == NULL)
		xmlFreeDoc(doc);
	return r;
}

static void
header_and_payload(void **state)
{
	struct envelope *e;
	const char *rule;
	long where;

	(void)state;
	assert_int_equal(open_text(HEAD "<dxp:Data>\n PGEv\n Pg==\n"
	    "</dxp:Data></dxp:DxpMsg>", 1000, &e, &rule, &where), 0);
	assert_string_equal(e->root, "DxpMsg");
	assert_string_equal(e->copmsgid, "C-1");
	assert_string_equal(e->sender, "S1");
	assert_int_equal(e->nreceivers, 2);
	assert_string_equal(e->receivers[1], "R2");
	assert_string_equal(e->created, "2026-11-27T10:00:00");
	assert_string_equal(e->msgtype, "CEB311Message");
	assert_null(e->msgid);
	assert_int_equal(e->data_line, 11);	/* line 2 of the text */
	assert_int_equal(e->plen, 4);
	assert_memory_equal(e->payload, "<a/>", 4);
	envelope_free(e);
}

static void
transport_node(void **state)
{
	struct envelope *e;
	const char *rule;
	long where;

	(void)state;
	assert_int_equal(open_text("<dxp:DxpMsgSv xmlns:dxp=\"http://www."
	    "chinaport.gov.cn/dxp\" ver=\"1.0\"><dxp:SvNo Ver=\"1.0\">"
	    "<dxp:MsgId>M-32</dxp:MsgId></dxp:SvNo>" HEAD "<dxp:Data>PGEvPg=="
	    "</dxp:Data></dxp:DxpMsg></dxp:DxpMsgSv>", 1000, &e, &rule,
	    &where), 0);
	assert_string_equal(e->root, "DxpMsgSv");
	assert_string_equal(e->msgid, "M-32");
	assert_string_equal(e->copmsgid, "C-1");
	assert_memory_equal(e->payload, "<a/>", 4);
	envelope_free(e);
}

static void
no_message(void **state)
{
	static const struct { const char *data, *rule; } c[] = {
		{ "<dxp:Data>PGEv-Pg==</dxp:Data>", "S-DXP-001" },	/* '-' */
		{ "<dxp:Data>PGEvPg</dxp:Data>", "S-DXP-001" },	/* no pad */
		{ "<dxp:Data>PG==PGEv</dxp:Data>", "S-DXP-001" },	/* '=' */
		{ "<dxp:Data>PGEv\x01Pg==</dxp:Data>", NULL },	/* not XML */
		{ "<dxp:Data><Zip>UEsDBA==</Zip></dxp:Data>", "S-DXP-001" },
		{ "<dxp:Data>  </dxp:Data>", "S-DXP-004" },
		{ "", "S-DXP-004" },				/* no Data */
		{ "<dxp:Data>QUFBQUFBQUFBQUFB</dxp:Data>", "S-DXP-001" },
	};
	char text[1024];
	struct envelope *e;
	const char *rule;
	long where;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		if (c[i].rule == NULL)
			continue;	/* a control character: not XML at all */
		snprintf(text, sizeof text, HEAD "%s</dxp:DxpMsg>", c[i].data);
		/* The last case decodes to 9 bytes: over a limit of 8. */
		assert_int_equal(open_text(text, 8, &e, &rule, &where), -1);
		assert_non_null(e);	/* the header is still read */
		assert_string_equal(e->copmsgid, "C-1");
		assert_null(e->payload);
		assert_string_equal(rule, c[i].rule);
		envelope_free(e);
	}
}

static void
written_reads_back(void **state)
{
	static const char msg[] = "<?xml version=\"1.0\"?>\n<a>\xe6\x94\xaf"
	    "\n</a>";
	static const char *const rcv[] = { "R1" };
	struct envelope_head h = { "ID&1", "S1", rcv, 1, "a", 0 };
	char *buf = NULL;
	size_t len = 0;
	struct envelope *e;
	const char *rule;
	long where;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(envelope_write(f, &h, msg, sizeof msg - 1), 0);
	fclose(f);
	assert_non_null(strstr(buf, "<dxp:CreatTime>1970-01-01T08:00:00<"));
	assert_int_equal(open_text(buf, 1000, &e, &rule, &where), 0);
	assert_string_equal(e->copmsgid, "ID&1");
	assert_string_equal(e->msgtype, "a");
	assert_int_equal(e->plen, sizeof msg - 1);
	assert_memory_equal(e->payload, msg, e->plen);
	envelope_free(e);
	free(buf);
	assert_true(envelope_id_ok("DXPENT0000458763"));
	assert_false(envelope_id_ok("DXPENT00004587631"));	/* 17 */
	assert_false(envelope_id_ok("a<b"));
	assert_false(envelope_id_ok(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_and_payload),
		cmocka_unit_test(transport_node),
		cmocka_unit_test(no_message),
		cmocka_unit_test(written_reads_back),
	};

	return cmocka_run_group_tests_name("envelope", tests, NULL, NULL);
}
