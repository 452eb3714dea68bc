/*
 * test-stream: framing edge cases and refusals of the stream reader.
 * Each case writes bytes to a temporary file (optionally gzip-compressed)
 * and checks what stream_next() hands over.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "input.h"
#include "msg.h"
#include "stream.h"

#define MAXR 16

struct result {
	int n;			/* entries */
	int kind[MAXR];		/* STREAM_DOC / BAD / FATAL */
	long line[MAXR];
	long index[MAXR];
	char text[MAXR][600];	/* doc bytes, or the error message */
};

static char path[64];

static void
write_file(const void *b, size_t n)
{
	FILE *f;

	snprintf(path, sizeof path, "/tmp/test-stream.%ld", (long)getpid());
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	fclose(f);
}

/* gzip one member of b into f. */
static void
gz_member(FILE *f, const void *b, size_t n, size_t cut)
{
	unsigned char out[65536];
	z_stream z;
	size_t len;

	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)b;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = sizeof out;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	len = sizeof out - z.avail_out;
	deflateEnd(&z);
	if (cut && cut < len)
		len = cut;
	assert_int_equal(fwrite(out, 1, len, f), len);
}

static void
run(const struct stream_opts *o, struct result *r)
{
	char err[256];
	struct input *in = input_open(path, err, sizeof err);
	struct stream *s;
	struct stream_doc d;
	struct stream_err e;
	int k;

	assert_non_null(in);
	s = stream_open(in, "t", o);
	assert_non_null(s);
	memset(r, 0, sizeof *r);
	while ((k = stream_next(s, &d, &e)) != STREAM_EOF && r->n < MAXR) {
		r->kind[r->n] = k;
		if (k == STREAM_DOC) {
			r->line[r->n] = d.line;
			r->index[r->n] = d.index;
			snprintf(r->text[r->n], 600, "%.*s", (int)d.len,
			    d.bytes);
			if (o != NULL && o->no_tree)
				assert_null(d.doc);
			else
				assert_non_null(d.doc);
		} else {
			r->line[r->n] = e.line;
			r->index[r->n] = e.index;
			snprintf(r->text[r->n], 600, "%s", e.msg);
		}
		r->n++;
		if (k == STREAM_FATAL)
			break;
	}
	stream_close(s);
	input_close(in);
	unlink(path);
}

static void
run_bytes(const char *b, size_t n, struct result *r)
{
	write_file(b, n);
	run(NULL, r);
}

#define RUN(lit, r) run_bytes(lit, sizeof(lit) - 1, r)

static void
two_on_one_line(void **state)
{
	struct result r;

	(void)state;
	RUN("<a x='>'/><b>t</b>", &r);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.text[0], "<a x='>'/>");
	assert_string_equal(r.text[1], "<b>t</b>");
	assert_int_equal(r.index[1], 2);
	assert_int_equal(r.line[1], 1);
}

static void
bom_and_whitespace(void **state)
{
	struct result r;

	(void)state;
	RUN("\xef\xbb\xbf<?xml version=\"1.0\"?>\n<a/>\n\n  \xef\xbb\xbf<b/>\n",
	    &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.kind[0], STREAM_DOC);
	assert_string_equal(r.text[0], "<?xml version=\"1.0\"?>\n<a/>");
	assert_int_equal(r.line[0], 1);
	assert_string_equal(r.text[1], "<b/>");
	assert_int_equal(r.line[1], 4);
}

static void
nul_separators(void **state)
{
	struct result r;
	static const char b[] = "<a>1</a>\0\0<b>2</b>\0";

	(void)state;
	run_bytes(b, sizeof b - 1, &r);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.text[1], "<b>2</b>");
}

static void
markup_in_comments_cdata_pi(void **state)
{
	struct result r;

	(void)state;
	RUN("<?xml version='1.0'?><!-- </a> --><a><![CDATA[</a>]]>"
	    "<?pi </a>?><b c=\"/a>\"/></a><c/>", &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.kind[0], STREAM_DOC);
	assert_int_equal(r.kind[1], STREAM_DOC);
	assert_string_equal(r.text[1], "<c/>");
}

static void
xml_declaration_starts_new_document(void **state)
{
	struct result r;

	(void)state;
	RUN("<a/><!-- trailer -->\n<?xml version=\"1.0\"?><b/>", &r);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.text[1], "<?xml version=\"1.0\"?><b/>");
	assert_int_equal(r.index[1], 2);
	assert_int_equal(r.line[1], 2);
}

static void
truncated_last_document(void **state)
{
	struct result r;

	(void)state;
	RUN("<a/>\n<b>\n<c>half", &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.kind[0], STREAM_DOC);
	assert_int_equal(r.kind[1], STREAM_BAD);
	assert_int_equal(r.line[1], 2);
	assert_non_null(strstr(r.text[1], "incomplete"));
}

static void
not_well_formed_then_good(void **state)
{
	struct result r;

	(void)state;
	RUN("<a>\n<b></c>\n</a>\n<d/>", &r);
	assert_int_equal(r.kind[0], STREAM_BAD);
	assert_non_null(strstr(r.text[0], "not well-formed"));
	assert_int_equal(r.kind[r.n - 1], STREAM_DOC);
	assert_string_equal(r.text[r.n - 1], "<d/>");
}

static void
doctype_refused(void **state)
{
	struct result r;

	(void)state;
	RUN("<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	    "<a>&x;</a>\n<b/>", &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.kind[0], STREAM_BAD);
	assert_non_null(strstr(r.text[0], "DOCTYPE"));
	assert_int_equal(r.kind[1], STREAM_DOC);
}

static void
billion_laughs_refused(void **state)
{
	struct result r;

	(void)state;
	RUN("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
	    " <!ENTITY lol \"lol\">\n"
	    " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    "]>\n<lolz>&lol3;</lolz>\n", &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.kind[0], STREAM_BAD);
	assert_non_null(strstr(r.text[0], "DOCTYPE"));
}

static void
undeclared_entity_is_an_error(void **state)
{
	struct result r;

	(void)state;
	RUN("<a>&ext;</a>", &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.kind[0], STREAM_BAD);
}

static void
too_deep(void **state)
{
	struct result r;
	struct stream_opts o = { .max_depth = 5 };

	(void)state;
	write_file("<a><a><a><a><a><a></a></a></a></a></a></a><ok/>", 48);
	run(&o, &r);
	assert_int_equal(r.kind[0], STREAM_BAD);
	assert_non_null(strstr(r.text[0], "deeper"));
	assert_int_equal(r.kind[1], STREAM_DOC);
	assert_string_equal(r.text[1], "<ok/>");
}

static void
too_large(void **state)
{
	struct result r;
	struct stream_opts o = { .max_size = 100 };
	char b[400];

	(void)state;
	memset(b, 'x', sizeof b);
	memcpy(b, "<a>", 3);
	memcpy(b + 300, "</a><ok/>", 9);
	write_file(b, 309);
	run(&o, &r);
	assert_int_equal(r.kind[0], STREAM_BAD);
	assert_non_null(strstr(r.text[0], "limit"));
	assert_int_equal(r.kind[1], STREAM_DOC);
}

static void
invalid_utf8(void **state)
{
	struct result r;

	(void)state;
	RUN("<a/>\n<b>\xff\xfe</b>\n<c/>", &r);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.kind[1], STREAM_BAD);
	assert_int_equal(r.line[1], 2);
	assert_int_equal(r.kind[2], STREAM_DOC);
}

static void
stray_text_between_documents(void **state)
{
	struct result r;

	(void)state;
	RUN("<a/>\ngarbage\n<b/>", &r);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.kind[1], STREAM_BAD);
	assert_int_equal(r.line[1], 2);
	assert_string_equal(r.text[2], "<b/>");
}

static void
empty_input(void **state)
{
	struct result r;

	(void)state;
	run_bytes("", 0, &r);
	assert_int_equal(r.n, 0);
}

static void
concatenated_gzip(void **state)
{
	struct result r;
	FILE *f;

	(void)state;
	snprintf(path, sizeof path, "/tmp/test-stream.%ld", (long)getpid());
	f = fopen(path, "wb");
	assert_non_null(f);
	gz_member(f, "<a>1</a>\n", 9, 0);
	gz_member(f, "<b>2</b>\n", 9, 0);
	fclose(f);
	run(NULL, &r);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.text[0], "<a>1</a>");
	assert_string_equal(r.text[1], "<b>2</b>");
	assert_int_equal(r.line[1], 2);
}

static void
truncated_gzip(void **state)
{
	struct result r;
	FILE *f;
	char big[4000];
	size_t i;

	(void)state;
	{
	/* A good member, then one cut in the middle. */
	unsigned long x = 12345;

	/* Incompressible enough that 200 compressed bytes cut it short. */
	for (i = 0; i < sizeof big; i++) {
		x = x * 1103515245 + 12345;
		big[i] = (char)('a' + (x >> 16) % 26);
	}
	}
	memcpy(big, "<c>", 3);
	memcpy(big + sizeof big - 4, "</c>", 4);
	snprintf(path, sizeof path, "/tmp/test-stream.%ld", (long)getpid());
	f = fopen(path, "wb");
	assert_non_null(f);
	gz_member(f, "<a>1</a>\n", 9, 0);
	gz_member(f, big, sizeof big, 200);
	fclose(f);
	run(NULL, &r);
	assert_int_equal(r.kind[0], STREAM_DOC);
	assert_int_equal(r.kind[r.n - 1], STREAM_FATAL);
	assert_non_null(strstr(r.text[r.n - 1], "gzip"));
}

static void
parse_memory_refuses_doctype(void **state)
{
	struct stream_err e;
	static const char b[] = "<!DOCTYPE a><a/>";

	(void)state;
	assert_null(stream_parse_memory(b, sizeof b - 1, "p", &e));
	assert_non_null(strstr(e.msg, "DOCTYPE"));
}

/*
 * The check-only parse (no tree) hands over and refuses exactly what the
 * full parse does, with the same messages and locations.
 */
static void
check_only_agrees_with_tree(void **state)
{
	static const char *const cases[] = {
		"<a/>\n<b>\xff\xfe</b>\n<c/>",
		"<a><b></a>\n<ok/>",
		"<a>&undeclared;</a><b>&amp;&#x41;</b>",
		"<p:a/><a xmlns:p='urn:x'><p:b/></a>",
		"<a x='1' x='2'/><ok/>",
		"<?xml version='1.0'?>\n<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>\n<ok/>",
		"<a>\n<b>\x01</b></a>",
		"<a><![CDATA[<x>]]><!-- c --><?pi x?></a>",
		"<a/>\n<b>",
		"<a>\n<!-- a -- b --></a><ok/>",
	};
	struct stream_opts check = { .no_tree = 1 };
	struct result full, light;
	size_t i;
	int j;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		write_file(cases[i], strlen(cases[i]));
		run(NULL, &full);
		write_file(cases[i], strlen(cases[i]));
		run(&check, &light);
		assert_int_equal(light.n, full.n);
		for (j = 0; j < full.n; j++) {
			assert_int_equal(light.kind[j], full.kind[j]);
			assert_int_equal(light.line[j], full.line[j]);
			assert_int_equal(light.index[j], full.index[j]);
			assert_string_equal(light.text[j], full.text[j]);
		}
	}
}

static void
count_records(void *arg, int depth, const char *local, const char *uri)
{
	msg_count_element(arg, depth, local, uri);
}

/* Records counted from start tags, as msg_record_count() counts them. */
static void
check_only_counts_records(void **state)
{
	struct msg_count mc = { 0 };
	struct stream_opts o = { .no_tree = 1, .on_element = count_records,
	    .on_element_arg = &mc };
	struct result r;

	(void)state;
	write_file("<ceb:CEB311Message xmlns:ceb='" MSG_NS_CEB "'>"
	    "<ceb:Order><ceb:Order/></ceb:Order><Order/>"
	    "<ceb:Order/><x:Order xmlns:x='urn:x'/></ceb:CEB311Message>", 164);
	run(&o, &r);
	assert_int_equal(r.kind[0], STREAM_DOC);
	assert_non_null(mc.type);
	assert_int_equal(mc.type->code, 311);
	assert_int_equal(mc.records, 2);
	write_file("<CEB311Message><Order/></CEB311Message>", 39);
	run(&o, &r);
	assert_null(mc.type);		/* no namespace: not a CEB message */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_on_one_line),
		cmocka_unit_test(bom_and_whitespace),
		cmocka_unit_test(nul_separators),
		cmocka_unit_test(markup_in_comments_cdata_pi),
		cmocka_unit_test(xml_declaration_starts_new_document),
		cmocka_unit_test(truncated_last_document),
		cmocka_unit_test(not_well_formed_then_good),
		cmocka_unit_test(doctype_refused),
		cmocka_unit_test(billion_laughs_refused),
		cmocka_unit_test(undeclared_entity_is_an_error),
		cmocka_unit_test(too_deep),
		cmocka_unit_test(too_large),
		cmocka_unit_test(invalid_utf8),
		cmocka_unit_test(stray_text_between_documents),
		cmocka_unit_test(empty_input),
		cmocka_unit_test(concatenated_gzip),
		cmocka_unit_test(truncated_gzip),
		cmocka_unit_test(parse_memory_refuses_doctype),
		cmocka_unit_test(check_only_agrees_with_tree),
		cmocka_unit_test(check_only_counts_records),
	};

	return cmocka_run_group_tests_name("stream", tests, NULL, NULL);
}
