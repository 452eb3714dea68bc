/*
 * test-origin.c: the origin mark (common/origin.h) written and read back,
 * and what a reader does with it (common/stream.h): the mark comes off,
 * the bytes are those delivered, the origin is the mark's.
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

#include "emit.h"
#include "input.h"
#include "msg.h"
#include "origin.h"
#include "stream.h"

/* Write o's mark, return it (malloc'd, NUL-terminated). */
static char *
mark_of(const struct origin *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(origin_mark_write(f, o), 0);
	fclose(f);
	return buf;
}

/* The comment text of a mark: between "<!--" and "-->". */
static struct origin
read_back(const char *mark, char *buf, size_t n, int *ok)
{
	struct origin o;
	const char *why = NULL;
	size_t len = strlen(mark);

	memset(&o, 0, sizeof o);
	assert_true(len > 7 && strncmp(mark, "<!--", 4) == 0 &&
	    strcmp(mark + len - 3, "-->") == 0);
	assert_true(origin_is_mark(mark + 4, len - 7));
	*ok = origin_mark_read(mark + 4, len - 7, &o, buf, n, &why) == 0;
	if (!*ok)
		assert_non_null(why);
	return o;
}

static void
round_trip(void **state)
{
	struct origin o = { "in/支付 \"pay\" 100%.xml", 3, 12, "A--B<>&",
	    "20261127", NULL, 0, 0, NULL }, back;
	char buf[512], *m = mark_of(&o);
	int ok;

	(void)state;
	/* Nothing that could end the comment or break a value. */
	assert_ptr_equal(strstr(m + 4, "--"), m + strlen(m) - 3);
	assert_null(strchr(m + 4, '<'));
	back = read_back(m, buf, sizeof buf, &ok);
	assert_true(ok);
	assert_string_equal(back.source, o.source);
	assert_int_equal(back.message, 3);
	assert_int_equal(back.line, 12);
	assert_string_equal(back.envelope, o.envelope);
	assert_string_equal(back.received, o.received);
	free(m);
}

static void
unreadable(void **state)
{
	static const char *const bad[] = {
		"ceb-origin message=\"1\" line=\"1\"",		/* no source */
		"ceb-origin source=\"a\" message=\"0\" line=\"1\"",
		"ceb-origin source=\"a\" message=\"1\" line=\"x\"",
		"ceb-origin source=\"a%0A\" message=\"1\" line=\"1\"",
		"ceb-origin source=\"a%FF\" message=\"1\" line=\"1\"",
		"ceb-origin source=\"a%4\" message=\"1\" line=\"1\"",
		"ceb-origin source=\"a message=\"1\" line=\"1\"",
		"ceb-origin source",
	};
	struct origin o;
	const char *why;
	char buf[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why = NULL;
		assert_int_equal(origin_mark_read(bad[i], strlen(bad[i]), &o,
		    buf, sizeof buf, &why), -1);
		assert_non_null(why);
	}
	/* Unknown names are a later mark's: ignored. */
	{
		static const char later[] = "ceb-origin source=\"a\" "
		    "message=\"2\" line=\"3\" colour=\"red\"";

		assert_int_equal(origin_mark_read(later, sizeof later - 1,
		    &o, buf, sizeof buf, &why), 0);
	}
	assert_string_equal(o.source, "a");
	assert_false(origin_is_mark("ceb-originX", 11));
	assert_false(origin_is_mark("a comment", 9));
}

/* Bytes through a stream; the first document handed over. */
static int
first_doc(const char *text, struct stream **s, struct input **in,
    struct stream_doc *d)
{
	static char path[64];
	struct stream_err e;
	char err[256];
	FILE *f;

	snprintf(path, sizeof path, "/tmp/test-origin.%ld", (long)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	*in = input_open(path, err, sizeof err);
	assert_non_null(*in);
	*s = stream_open(*in, "via.xml", NULL);
	assert_non_null(*s);
	memset(&e, 0, sizeof e);
	unlink(path);
	return stream_next(*s, d, &e);
}

static void
reader_takes_it_off(void **state)
{
	static const char doc[] = "<?xml version=\"1.0\"?>\n<a>\n<b/>\n</a>";
	struct origin o = { "day.xml", 5, 40, NULL, NULL, NULL, 0, 0, NULL };
	char *buf = NULL, text[512];
	size_t len = 0;
	struct stream_doc d;
	struct stream *s;
	struct input *in;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(emit_marked(f, doc, sizeof doc - 1, &o), 0);
	fclose(f);
	/* After the XML declaration, on its line. */
	assert_true(strncmp(buf, "<?xml version=\"1.0\"?><!--ceb-origin ",
	    36) == 0);
	snprintf(text, sizeof text, "\n\n%s", buf);	/* starts on line 3 */
	free(buf);
	assert_int_equal(first_doc(text, &s, &in, &d), STREAM_DOC);
	assert_int_equal(d.len, sizeof doc - 1);
	assert_memory_equal(d.bytes, doc, d.len);
	assert_string_equal(d.source, "day.xml");
	assert_int_equal(d.index, 5);
	assert_int_equal(d.line, 40);
	assert_string_equal(d.origin.via, "via.xml");
	assert_int_equal(d.origin.via_message, 1);
	assert_int_equal(d.origin.via_line, 3);
	/* The root element's bytes: what an identity digest takes. */
	assert_int_equal(d.root_len, strlen("<a>\n<b/>\n</a>"));
	assert_memory_equal(d.bytes + d.root_off, "<a>", 3);
	assert_int_equal(d.nnotes, 0);
	stream_close(s);
	input_close(in);
}

static void
unreadable_mark_is_a_note(void **state)
{
	struct stream_doc d;
	struct stream *s;
	struct input *in;

	(void)state;
	assert_int_equal(first_doc("<!--ceb-origin source=\"\" message=\"1\" "
	    "line=\"1\"--><a/>", &s, &in, &d), STREAM_DOC);
	assert_int_equal(d.nnotes, 1);
	assert_string_equal(d.notes[0].rule, "S-ORIG-001");
	assert_string_equal(d.source, "via.xml");
	assert_int_equal(d.len, 4);		/* the mark is off all the same */
	assert_memory_equal(d.bytes, "<a/>", 4);
	stream_close(s);
	input_close(in);
}


/* records: written, read back, looked up; malformed lists refused. */
static void
records_value(void **state)
{
	struct origin o = { "day.xml", 2, 10, NULL, NULL, NULL, 0, 0,
	    "1@12 3@16" }, back;
	static const char *const bad[] = { "", " ", "1", "1@", "@3", "0@3",
	    "1@0", "01@3", "1@2 ", " 1@2", "1@2  3@4", "1@2,3@4", "a@1",
	    "1@99999999999999999999", NULL };
	char buf[512], recs[16], *m = mark_of(&o), *t;
	long idx = -1, line = -1;
	int ok, i;

	(void)state;
	assert_non_null(strstr(m, " records=\"1@12 3@16\"-->"));
	back = read_back(m, buf, sizeof buf, &ok);
	assert_true(ok);
	assert_string_equal(back.records, "1@12 3@16");
	assert_int_equal(origin_record(back.records, 1, &idx, &line), 0);
	assert_int_equal(idx, 1);
	assert_int_equal(line, 12);
	assert_int_equal(origin_record(back.records, 2, &idx, &line), 0);
	assert_int_equal(idx, 3);
	assert_int_equal(line, 16);
	assert_int_equal(origin_record(back.records, 3, &idx, &line), -1);
	assert_int_equal(origin_record(back.records, 0, &idx, &line), -1);
	assert_int_equal(origin_record(NULL, 1, &idx, &line), -1);
	free(m);
	for (i = 0; bad[i]; i++) {
		assert_false(origin_records_ok(bad[i]));
		o.records = bad[i];
		m = mark_of(&o);
		(void)read_back(m, buf, sizeof buf, &ok);
		assert_false(ok);	/* an unreadable mark, S-ORIG-001 */
		free(m);
	}
	/* Without records, a mark has none (a whole message). */
	o.records = NULL;
	m = mark_of(&o);
	assert_null(strstr(m, "records"));
	back = read_back(m, buf, sizeof buf, &ok);
	assert_true(ok);
	assert_null(back.records);
	free(m);
	/* Items appended; one that does not fit leaves the list as it was. */
	*recs = '\0';
	assert_int_equal(origin_records_add(recs, sizeof recs, 1, 12), 0);
	assert_int_equal(origin_records_add(recs, sizeof recs, 3, 16), 0);
	assert_string_equal(recs, "1@12 3@16");
	assert_int_equal(origin_records_add(recs, sizeof recs, 10, 100), -1);
	assert_string_equal(recs, "1@12 3@16");
	t = recs;
	assert_true(origin_records_ok(t));
}

/* A three-record message delivered on line 10 of in.xml, message 2. */
static const char three[] =
    "<?xml version=\"1.0\"?>\n"						/* 10 */
    "<ceb:CEB621Message xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\" "
    "guid=\"G\">\n"							/* 11 */
    "<ceb:Inventory><ceb:InventoryHead/></ceb:Inventory>\n"		/* 12 */
    "<ceb:Inventory>\n"							/* 13 */
    "<ceb:InventoryHead/>\n"						/* 14 */
    "</ceb:Inventory>\n"						/* 15 */
    "<ceb:Inventory>\n"							/* 16 */
    "<ceb:InventoryHead>\n"						/* 17 */
    "<ceb:copNo>X</ceb:copNo>\n"					/* 18 */
    "</ceb:InventoryHead>\n"						/* 19 */
    "</ceb:Inventory>\n"						/* 20 */
    "</ceb:CEB621Message>";						/* 21 */

/* emit_subset() of m (origin o) keeping keep[], read back as a stream. */
static void
part_of(const struct msg *m, const struct origin *o,
    const unsigned char *keep, struct stream **s, struct input **in,
    struct stream_doc *d, struct msg *back)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(emit_subset(f, o, m, keep), 0);
	fclose(f);
	assert_int_equal(first_doc(buf, s, in, d), STREAM_DOC);
	free(buf);
	assert_int_equal(stream_msg_open(back, d), MSG_OK);
}

/*
 * A part of a message (emit_subset) cites the records of the delivered
 * message: their numbers and lines, through a second part as well.
 */
static void
part_maps_back(void **state)
{
	struct origin o = { "in.xml", 2, 10, NULL, NULL, NULL, 0, 0, NULL };
	static const unsigned char keep13[] = { 1, 0, 1 }, keep2[] = { 0, 1 };
	struct stream_err e;
	struct stream_doc d, d2;
	struct stream *s, *s2;
	struct input *in, *in2;
	struct msg m, p, p2;
	xmlDocPtr doc;
	xmlNodePtr r1, r2, cop;

	(void)state;
	memset(&e, 0, sizeof e);
	doc = stream_parse_memory(three, sizeof three - 1, "in.xml", &e);
	assert_non_null(doc);
	assert_int_equal(msg_open(&m, doc, 10), MSG_OK);
	/* The whole message: its own numbers and lines. */
	r1 = msg_record_first(&m);
	assert_int_equal(msg_line(&m, r1), 12);
	assert_int_equal(msg_record_no(&m, 3), 3);

	part_of(&m, &o, keep13, &s, &in, &d, &p);
	assert_string_equal(d.source, "in.xml");
	assert_int_equal(d.index, 2);
	assert_int_equal(d.line, 10);
	assert_string_equal(d.origin.records, "1@12 3@16");
	assert_int_equal(msg_record_count(&p), 2);
	r1 = msg_record_first(&p);
	r2 = msg_record_next(&p, r1);
	assert_int_equal(msg_record_no(&p, 1), 1);
	assert_int_equal(msg_line(&p, r1), 12);
	assert_int_equal(msg_record_no(&p, 2), 3);	/* not 2 */
	assert_int_equal(msg_line(&p, r2), 16);
	cop = msg_child(msg_head(&p, r2), MSG_NS_CEB, "copNo");
	assert_non_null(cop);
	assert_int_equal(msg_line(&p, cop), 18);	/* inside record 3 */
	assert_int_equal(msg_record_no(&p, 5), 5);	/* beyond the list */

	/* A part of the part: still the delivered message's record 3. */
	part_of(&p, &d.origin, keep2, &s2, &in2, &d2, &p2);
	assert_string_equal(d2.origin.records, "3@16");
	assert_int_equal(msg_record_no(&p2, 1), 3);
	assert_int_equal(msg_line(&p2, msg_record_first(&p2)), 16);
	stream_close(s2);
	input_close(in2);
	stream_close(s);
	input_close(in);

	/* Delivered in an envelope: every line is the envelope's Data line. */
	o.envelope = "E-1";
	part_of(&m, &o, keep13, &s, &in, &d, &p);
	assert_string_equal(d.origin.records, "1@10 3@10");
	assert_int_equal(msg_record_no(&p, 2), 3);
	assert_int_equal(msg_line(&p, msg_record_next(&p, msg_record_first(&p))),
	    10);
	stream_close(s);
	input_close(in);
	xmlFreeDoc(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(unreadable),
		cmocka_unit_test(reader_takes_it_off),
		cmocka_unit_test(unreadable_mark_is_a_note),
		cmocka_unit_test(records_value),
		cmocka_unit_test(part_maps_back),
	};

	return cmocka_run_group_tests_name("origin", tests, NULL, NULL);
}
