/*
 * test-fastwf: the accept-only well-formedness check (common/fastwf.h)
 * against libxml2, with zero tolerance.  Every document of the corpus is
 * given to both: whenever the check accepts, libxml2 -- parsing with the
 * options and the SAX callbacks of the stream layer's check-only parse
 * (fuzz/fastwf-ref.h, shared with fuzz-fastwf) -- must report no error
 * or warning at all, no DTD, and the same element starts (depth, local
 * name, namespace URI) in the same order.  The corpus: ceb-gen batches
 * of every message type (with defects, sender shapes, SM2 and
 * placeholder signatures), every XML file of testdata/
 * (the hostile ones too) both as framed documents and as raw bytes,
 * hand-written edge cases on both sides of each rule of the subset (some
 * of them the check must accept, or it is no fast path), and seeded
 * mutants of small documents (bytes changed, inserted and deleted,
 * truncations, duplicated attributes, undeclared prefixes).  The counts
 * of accepted and declined documents are printed, so that both sides
 * are seen to be exercised.
 */
#include "config.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <libxml/parser.h>

#include "fastwf-ref.h"
#include "input.h"
#include "stream.h"

static struct fastwf *w;
static struct wfref lib;
static long accepted, declined;
static char tmpdir[64];

static void
fail_doc(const char *why, const char *b, size_t n)
{
	print_error("fastwf accepted, but %s: %.*s\n", why,
	    (int)(n > 2000 ? 2000 : n), b);
	fail();
}

/*
 * Both sides on one document; the check must never accept what libxml2
 * does not, nor report other events.  Returns 1 when it accepted.
 */
static int
check(const char *b, size_t n)
{
	const char *why;

	if (fastwf_check(w, b, n) != 0) {
		declined++;
		return 0;
	}
	accepted++;
	if (!wfref_parse(&lib, b, n))
		fail_doc("libxml2 reports an error, a warning or a DTD", b, n);
	if ((why = wfref_differs(&lib, w)) != NULL)
		fail_doc(why, b, n);
	return 1;
}

/* ---- the corpus ------------------------------------------------------- */

struct doc {
	char *b;
	size_t n;
};

static struct doc *docs;
static size_t ndocs, capdocs;

static void
keep_doc(const char *b, size_t n)
{
	if (ndocs == capdocs) {
		capdocs = capdocs ? 2 * capdocs : 256;
		docs = realloc(docs, capdocs * sizeof *docs);
		assert_non_null(docs);
	}
	docs[ndocs].b = malloc(n + 1);
	assert_non_null(docs[ndocs].b);
	memcpy(docs[ndocs].b, b, n);
	docs[ndocs].n = n;
	ndocs++;
}

/* Every framed document of the file at path (what ceb-cat would parse). */
static long
frame_file(const char *path, int keep)
{
	struct stream_opts so;
	struct stream_doc d;
	struct stream_err e;
	struct stream *s;
	struct input *in;
	char err[300];
	long n = 0;
	int r;

	if ((in = input_open(path, err, sizeof err)) == NULL)
		return 0;
	memset(&so, 0, sizeof so);
	so.no_parse = 1;
	s = stream_open(in, path, &so);
	assert_non_null(s);
	while ((r = stream_next(s, &d, &e)) != STREAM_EOF && r != STREAM_FATAL)
		if (r == STREAM_DOC) {
			(void)check(d.bytes, d.len);
			if (keep && d.len < 12000)
				keep_doc(d.bytes, d.len);
			n++;
		}
	stream_close(s);
	input_close(in);
	return n;
}

/* The whole file at path as one document, raw. */
static void
raw_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (f == NULL)
		return;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	(void)check(b, (size_t)n);
	free(b);
}

static void
walk(const char *dir, long *files)
{
	char path[4096];
	struct dirent *de;
	DIR *d = opendir(dir);
	size_t l;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		l = strlen(de->d_name);
		if (l > 4 && strcmp(de->d_name + l - 4, ".xml") == 0) {
			raw_file(path);
			(void)frame_file(path, 1);
			(*files)++;
		} else if (l > 7 && strcmp(de->d_name + l - 7, ".xml.gz") == 0) {
			(void)frame_file(path, 0);
			(*files)++;
		} else
			walk(path, files);
	}
	closedir(d);
}

static void
testdata(void **state)
{
	const char *top = getenv("top_srcdir");
	char dir[4096];
	long files = 0, a0 = accepted, d0 = declined;

	(void)state;
	snprintf(dir, sizeof dir, "%s/testdata", top ? top : ".");
	walk(dir, &files);
	printf("# testdata: %ld files, %ld documents accepted, %ld declined\n",
	    files, accepted - a0, declined - d0);
	assert_true(files > 50);
	assert_true(accepted - a0 > 50);
	assert_true(declined - d0 > 10);
}

/*
 * ceb-gen batches: every message type, defects of every kind, other
 * shapes.  The clean ones are the fast path's whole point: all accepted.
 */
static void
generated(void **state)
{
	static const struct {
		int clean;
		const char *opts;
	} runs[] = {
		{ 0, "-s 3 -n 400 -e 100 -D all=0.01" },
		{ 1, "-s 4 -n 80 -e 30 --sender-shapes --sign sm2" },
		{ 1, "-s 5 -n 40 -e 20 --sign none --records 1" },
		{ 1, "-s 6 -n 200 -e 200 --cancel-rate 0.1 "
		    "--return-rate 0.1" },
	};
	char cmd[512], path[128];
	long n, a, a0 = accepted, d0 = declined, total = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof runs / sizeof runs[0]; i++) {
		snprintf(path, sizeof path, "%s/gen%zu.xml", tmpdir, i);
		snprintf(cmd, sizeof cmd, "ceb-gen -q %s -o %s", runs[i].opts,
		    path);
		assert_int_equal(system(cmd), 0);
		a = accepted;
		n = frame_file(path, 1);
		assert_true(n > 20);
		if (runs[i].clean)
			assert_int_equal(accepted - a, n);
		total += n;
		unlink(path);
	}
	printf("# ceb-gen: %ld documents, %ld accepted, %ld declined\n",
	    total, accepted - a0, declined - d0);
}

/*
 * Hand-written cases: 'A' the check must accept, 'D' it must decline
 * (libxml2 rejects it, or it is outside the subset), '?' either (the
 * invariant alone).
 */
static const struct {
	char want;
	const char *xml;
} cases[] = {
	/* the XML declaration */
	{ 'A', "<?xml version=\"1.0\" encoding=\"UTF-8\"?><r/>" },
	{ 'A', "<?xml version='1.0' encoding='utf-8' ?>\n<r/>" },
	{ 'A', "<?xml version=\"1.0\"?><r/>" },
	{ 'A', "<?xml\tversion = \"1.0\"\r\n encoding= 'UTF-8'?><r/>" },
	{ 'D', "<?xml version=\"1.1\"?><r/>" },
	{ 'D', "<?xml version=\"1.0\" encoding=\"GBK\"?><r/>" },
	{ '?', "<?xml version=\"1.0\" encoding=\"UTF8\"?><r/>" },
	{ 'D', "<?xml version=\"1.0\" standalone=\"yes\"?><r/>" },
	{ 'D', "<?xml version=\"1.0\"encoding=\"UTF-8\"?><r/>" },
	{ 'D', "<?xml version=\"1.0'?><r/>" },
	{ 'D', " <?xml version=\"1.0\"?><r/>" },
	{ 'D', "<r/><?xml version=\"1.0\"?>" },
	{ 'D', "<?XML version=\"1.0\"?><r/>" },
	{ 'D', "<?xml-stylesheet href=\"a\"?><r/>" },
	{ 'D', "\xef\xbb\xbf<r/>" },
	{ 'D', "<!DOCTYPE r><r/>" },
	{ 'D', "<!DOCTYPE r [<!ENTITY e \"x\">]><r>&e;</r>" },
	{ 'D', "<?pi x?><r/>" },
	{ 'D', "<r><?pi x?></r>" },
	/* prolog and epilogue */
	{ 'A', "<!-- c --><r/>" },
	{ 'A', "\n <r/> \n" },
	{ 'A', "<r/><!-- after -->\n" },
	{ 'D', "x<r/>" },
	{ 'D', "<r/>x" },
	{ 'D', "<r/><r/>" },
	{ 'D', "&amp;<r/>" },
	{ 'D', "" },
	{ 'D', "   " },
	{ 'D', "<r>" },
	{ 'D', "<r></r" },
	/* names */
	{ 'A', "<a.b-c_1/>" },
	{ 'A', "<_r/>" },
	{ 'D', "<1r/>" },
	{ 'D', "<-r/>" },
	{ 'D', "< r/>" },
	{ 'D', "<r\xc3\xa9/>" },
	{ 'D', "<\xe4\xb8\xad/>" },
	{ 'D', "<a:b:c xmlns:a=\"urn:a\"/>" },
	{ 'D', "<:r/>" },
	{ 'D', "<r:/>" },
	{ 'D', "<r a\xc3\xa9=\"1\"/>" },
	/* end tags */
	{ 'A', "<r><a></a ></r>" },
	{ 'D', "<r><a></b></r>" },
	{ 'D', "<r><a></ab></r>" },
	{ 'D', "<r><ab></a></r>" },
	{ 'D', "<r></ r>" },
	{ 'D', "<r><a></r></a>" },
	{ 'D', "<r/ >" },
	{ 'A', "<r><abcdefg></abcdefg><abcdefgh></abcdefgh></r>" },
	{ 'D', "<r><abcdefg></bbcdefg></r>" },
	{ 'D', "<r><abcdefgh></abcdefgi></r>" },
	{ 'A', "<r><abcdefghijklmnopq></abcdefghijklmnopq></r>" },
	{ 'D', "<r><abcdefghijklmnopq></abcdefghijklmnopr></r>" },
	{ 'D', "<r><abcdefghijklmnopq></abcdefghXjklmnopq></r>" },
	/* namespaces */
	{ 'A', "<p:r xmlns:p=\"http://www.chinaport.gov.cn/ceb\"><p:a/></p:r>" },
	{ 'A', "<r xmlns=\"urn:d\"><a/><b xmlns=\"urn:e\"><c/></b><d/></r>" },
	{ 'A', "<r><p:a xmlns:p=\"urn:p\"/><q:b xmlns:q=\"urn:p\"/></r>" },
	{ 'A', "<p:r xmlns:p=\"urn:a\"><p:a xmlns:p=\"urn:b\"/><p:c/></p:r>" },
	{ 'D', "<r><p:a xmlns:p=\"urn:p\"/><p:b/></r>" },
	{ 'A', "<r xmlns:abcdefghi=\"urn:a\"><abcdefghi:x/></r>" },
	{ 'D', "<r xmlns:abcdefghi=\"urn:a\"><abcdefghj:x/></r>" },
	{ 'D', "<r xmlns:abcdefghi=\"urn:a\"><bbcdefghi:x/></r>" },
	{ 'D', "<p:r/>" },
	{ 'D', "<p:r xmlns:p=\"\"/>" },
	{ 'D', "<r xmlns=\"\"/>" },
	{ 'D', "<r xmlns:xml=\"http://www.w3.org/XML/1998/namespace\"/>" },
	{ 'D', "<r xmlns:xmlns=\"urn:x\"/>" },
	{ 'D', "<r xmlns=\"http://www.w3.org/2000/xmlns/\"/>" },
	{ 'D', "<r xmlns:p=\"urn:p\" xmlns:p=\"urn:q\"/>" },
	{ 'D', "<r xmlns=\"urn:p\" xmlns=\"urn:q\"/>" },
	{ 'D', "<r xmlns:p=\"urn:p\" p:a=\"1\"/>" },
	{ 'D', "<r xml:lang=\"zh\"/>" },
	{ 'D', "<r xmlns=\"rel/ative\"/>" },
	{ 'D', "<r xmlns=\"urn:a b\"/>" },
	{ 'D', "<r xmlns=\"urn:a&amp;b\"/>" },
	{ 'D', "<r xmlns=\"http://[::1/\"/>" },
	/* attributes */
	{ 'A', "<r a=\"1\" b='2' c = \"x'y\" d='x\"y'/>" },
	{ 'A', "<r a=\"&lt;&gt;&amp;&quot;&apos;&#65;&#x4e2d;\"/>" },
	{ 'A', "<r a=\"\xe4\xb8\xad\xe6\x96\x87\" b=\"\t\n\r>\"/>" },
	{ 'A', "<r a=\"\"/>" },
	{ 'D', "<r a=\"1\" a=\"2\"/>" },
	{ 'D', "<r a=\"1\"b=\"2\"/>" },
	{ 'D', "<r a=\"<\"/>" },
	{ 'D', "<r a=\"&\"/>" },
	{ 'D', "<r a=\"&foo;\"/>" },
	{ 'D', "<r a=1/>" },
	{ 'D', "<r a/>" },
	{ 'D', "<r a=\"1/>" },
	{ 'D', "<r a=\"\x01\"/>" },
	{ 'D', "<r a=\"\xff\"/>" },
	/* references in text */
	{ 'A', "<r>&lt;&gt;&amp;&quot;&apos;</r>" },
	{ 'A', "<r>&#9;&#10;&#13;&#32;&#xD7FF;&#xE000;&#xFFFD;&#x10000;"
	    "&#x10FFFF;&#1114111;&#0000065;&#x0041;</r>" },
	{ 'D', "<r>&#0;</r>" },
	{ 'D', "<r>&#x1F;</r>" },
	{ 'D', "<r>&#xD800;</r>" },
	{ 'D', "<r>&#xDFFF;</r>" },
	{ 'D', "<r>&#xFFFE;</r>" },
	{ 'D', "<r>&#xFFFF;</r>" },
	{ 'D', "<r>&#x110000;</r>" },
	{ 'D', "<r>&#1114112;</r>" },
	{ 'D', "<r>&#99999999999999999999;</r>" },
	{ 'D', "<r>&#X41;</r>" },
	{ 'D', "<r>&#x;</r>" },
	{ 'D', "<r>&#;</r>" },
	{ 'D', "<r>&#65</r>" },
	{ 'D', "<r>&lt</r>" },
	{ 'D', "<r>&nbsp;</r>" },
	{ 'D', "<r>& amp;</r>" },
	{ 'D', "<r>&</r>" },
	/* text */
	{ 'A', "<r>a > b ] ]] ]>\t\r\n\x7f</r>" },
	{ 'A', "<r>\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
	    "\xef\xbf\xbd\xf0\x90\x80\x80\xf4\x8f\xbf\xbf</r>" },
	{ 'D', "<r>]]></r>" },
	{ 'D', "<r>a]]]>b</r>" },
	{ 'D', "<r>\x01</r>" },
	{ 'D', "<r>\x0b</r>" },
	{ 'D', "<r>\x1f</r>" },
	{ 'D', "<r>\xc0\x80</r>" },
	{ 'D', "<r>\xc1\xbf</r>" },
	{ 'D', "<r>\xe0\x9f\xbf</r>" },
	{ 'D', "<r>\xed\xa0\x80</r>" },
	{ 'D', "<r>\xef\xbf\xbe</r>" },
	{ 'D', "<r>\xef\xbf\xbf</r>" },
	{ 'D', "<r>\xf0\x8f\xbf\xbf</r>" },
	{ 'D', "<r>\xf4\x90\x80\x80</r>" },
	{ 'D', "<r>\xf5\x80\x80\x80</r>" },
	{ 'D', "<r>\x80</r>" },
	{ 'D', "<r>\xe4\xb8</r>" },
	{ 'D', "<r>\xe4\xb8x</r>" },
	{ 'D', "<r>\xff</r>" },
	/* comments and CDATA */
	{ 'A', "<r><!-- a - b --><!----><!--\xe4\xb8\xad--></r>" },
	{ 'A', "<r><![CDATA[<&>] ]>]]></r>" },
	{ 'A', "<r><![CDATA[]]></r>" },
	{ 'D', "<r><!-- a -- b --></r>" },
	{ 'D', "<r><!-- a ---></r>" },
	{ 'D', "<r><!-- \x01 --></r>" },
	{ 'D', "<r><!-- a --</r>" },
	{ 'D', "<r><![CDATA[\x01]]></r>" },
	{ 'D', "<r><![CDATA[x]]</r>" },
	{ 'D', "<![CDATA[x]]><r/>" },
	{ 'D', "<r><![cdata[x]]></r>" },
	{ 'D', "<r><!ELEMENT r ANY></r>" },
	/* NUL bytes, given with their length below */
	{ 'D', NULL },
};

static void
handwritten(void **state)
{
	static const char nul[][16] = { "<r>\0</r>", "<r a=\"\0\"/>",
	    "<r/>\0", "\0<r/>", "<r\0/>" };
	static const size_t nuln[] = { 8, 11, 5, 5, 5 };
	long a0 = accepted, d0 = declined;
	size_t i;
	int got;

	(void)state;
	for (i = 0; cases[i].xml != NULL; i++) {
		got = check(cases[i].xml, strlen(cases[i].xml));
		if ((cases[i].want == 'A' && !got) ||
		    (cases[i].want == 'D' && got)) {
			print_error("case %zu: want %c: %s\n", i, cases[i].want,
			    cases[i].xml);
			fail();
		}
	}
	for (i = 0; i < sizeof nuln / sizeof nuln[0]; i++)
		assert_int_equal(check(nul[i], nuln[i]), 0);
	/* Deep nesting: libxml2 stops at 256 levels. */
	{
		char b[4096];
		size_t n = 0;
		int k, depth[] = { 150, 199, 200, 201, 300 };

		for (i = 0; i < sizeof depth / sizeof depth[0]; i++) {
			n = 0;
			for (k = 0; k < depth[i]; k++)
				n += (size_t)sprintf(b + n, "<a>");
			for (k = 0; k < depth[i]; k++)
				n += (size_t)sprintf(b + n, "</a>");
			assert_int_equal(check(b, n), depth[i] <= 200);
		}
	}
	printf("# hand-written: %ld accepted, %ld declined\n",
	    accepted - a0, declined - d0);
}

/* ---- mutants ------------------------------------------------------------ */

static uint64_t rng = 88172645463325252ull;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (unsigned)(rng % n) : 0;
}

static const char *const inserts[] = {
	"<", ">", "&", "]]>", "--", "\x01", "\x0b", "\x7f", "\xc0\x80",
	"\xed\xa0\x80", "\xef\xbf\xbe", "\xf4\x90\x80\x80", "\xe4\xb8",
	"\xe4\xb8\xad", "\x80", "\xff", "&#0;", "&#x1F;", "&#xD800;", "&#65;",
	"&#x10FFFF;", "&#x110000;", "&foo;", "&lt;", "&amp", "<!-- a -- b -->",
	"<!--x-->", "<![CDATA[x]]>", "<![CDATA[", "<?pi x?>", "<!DOCTYPE r>",
	"\xef\xbb\xbf", " a=\"1\"", " a='<'", " xmlns:q=\"urn:q\"",
	" xmlns=\"urn:d\"", " xmlns=\"\"", " q:a=\"1\"", "<x/>", "</x>",
	"<q:x/>", "<x>", "\"", "'", "=", ":", "/", "?", "!", " ", "\t", "\r\n",
	"x", "]", "]]", "-->", "<!--", "/>", "<ceb:x/>", "<ceb:", "</ceb:",
	"xmlns", "<?xml version=\"1.0\"?>", "\0",
};

static const unsigned char flips[] = {
	0, 0x01, 0x09, 0x0b, 0x1f, 0x20, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2,
	0xe0, 0xe4, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, '<', '>', '&', ';',
	'#', ']', '-', '"', '\'', '=', ':', '/', '?', '!', 'x', 'a', '.', '_',
};

static char *
splice(const char *b, size_t n, size_t at, size_t del, const char *ins,
    size_t insn, size_t *out)
{
	char *m = malloc(n + insn + 1);

	assert_non_null(m);
	memcpy(m, b, at);
	memcpy(m + at, ins, insn);
	memcpy(m + at + insn, b + at + del, n - at - del);
	*out = n - del + insn;
	return m;
}

/* Find pat in b from a random place (wrapping); its offset or -1. */
static long
find_from(const char *b, size_t n, const char *pat)
{
	size_t start = rnd((unsigned)n), i, k, l = strlen(pat);

	for (k = 0; k < n; k++) {
		i = (start + k) % n;
		if (i + l <= n && memcmp(b + i, pat, l) == 0)
			return (long)i;
	}
	return -1;
}

/* One mutation of b (n bytes); a new buffer of *out bytes. */
static char *
mutate(const char *b, size_t n, size_t *out)
{
	size_t at = n ? rnd((unsigned)n) : 0, l;
	const char *ins;
	unsigned char c;
	long i, j;

	switch (rnd(9)) {
	case 0:		/* a byte changed */
		c = rnd(4) ? flips[rnd(sizeof flips)] : (unsigned char)rnd(256);
		return splice(b, n, at, at < n, (const char *)&c, 1, out);
	case 1:
	case 2:		/* something inserted */
		ins = inserts[rnd(sizeof inserts / sizeof inserts[0])];
		l = *ins ? strlen(ins) : 1;
		return splice(b, n, at, 0, ins, l, out);
	case 3:		/* a stretch deleted */
		l = 1 + rnd(16);
		if (at + l > n)
			l = n - at;
		return splice(b, n, at, l, "", 0, out);
	case 4:		/* truncated */
		return splice(b, n, at, n - at, "", 0, out);
	case 5:		/* an attribute (or declaration) duplicated */
		if ((i = find_from(b, n, "=\"")) < 0)
			break;
		for (j = i; j > 0 && b[j - 1] != ' ' && b[j - 1] != '<'; j--)
			;
		{
			const char *q = memchr(b + i + 2, '"', n - (size_t)i - 2);

			if (q == NULL || j == 0 || b[j - 1] != ' ')
				break;
			l = (size_t)(q + 1 - (b + j - 1));
			return splice(b, n, (size_t)(q + 1 - b), 0, b + j - 1,
			    l, out);
		}
	case 6:		/* a prefix renamed: undeclared, or its declaration */
		if ((i = find_from(b, n, rnd(2) ? "<ceb:" : "xmlns:")) < 0 &&
		    (i = find_from(b, n, ":")) < 0)
			break;
		while ((size_t)i < n && b[i] != ':')
			i++;
		if (i == 0 || (size_t)i >= n)
			break;
		c = "xqz"[rnd(3)];
		return splice(b, n, (size_t)i - 1, 1, (const char *)&c, 1, out);
	case 7:		/* two bytes swapped */
		if (at + 1 < n) {
			char s[2] = { b[at + 1], b[at] };

			return splice(b, n, at, 2, s, 2, out);
		}
		break;
	default:	/* a tag's name changed in one place */
		if ((i = find_from(b, n, "</")) < 0)
			break;
		c = (unsigned char)"aZ_.-9"[rnd(6)];
		at = (size_t)i + 2 + rnd(3);
		return splice(b, n, at < n ? at : n, 0, (const char *)&c, 1,
		    out);
	}
	return splice(b, n, 0, 0, "", 0, out);
}

static void
mutants(void **state)
{
	static const char *const bases[] = {
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ceb:CEB311Message "
		"xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\" guid=\"g-1\" "
		"version=\"1.0\"><ceb:Order><ceb:OrderHead><ceb:guid>g</ceb:"
		"guid><ceb:note>a &amp; b &#x4e2d; \xe4\xb8\xad\xe6\x96\x87"
		"</ceb:note></ceb:OrderHead><!-- c --><ceb:x a='1' b=\"2\"/>"
		"<ceb:t><![CDATA[<x>]]></ceb:t></ceb:Order></ceb:CEB311Message>",
		"<r xmlns=\"urn:d\" xmlns:p=\"urn:p\"><p:a x=\"1\">t</p:a>"
		"<b xmlns=\"urn:e\"><c/></b></r>",
	};
	long a0 = accepted, d0 = declined, total = 0;
	size_t i, nb, mn;
	int k, rounds;
	char *m, *m2;

	(void)state;
	for (i = 0; i < sizeof bases / sizeof bases[0]; i++)
		keep_doc(bases[i], strlen(bases[i]));
	nb = ndocs;
	assert_true(nb > 10);
	for (k = 0; k < 100000; k++) {
		const struct doc *d = &docs[rnd((unsigned)nb)];

		m = mutate(d->b, d->n, &mn);
		for (rounds = (int)rnd(3); rounds > 0; rounds--) {
			m2 = mutate(m, mn, &mn);
			free(m);
			m = m2;
		}
		(void)check(m, mn);
		free(m);
		total++;
	}
	printf("# mutants: %ld of %zu documents, %ld accepted, %ld declined\n",
	    total, nb, accepted - a0, declined - d0);
	assert_true(accepted - a0 > 1000);
	assert_true(declined - d0 > 1000);
}

/* CEBTOOLS_FAST_WF=0 turns it off; anything else leaves it on. */
static void
switch_env(void **state)
{
	(void)state;
	setenv("CEBTOOLS_FAST_WF", "0", 1);
	assert_false(fastwf_enabled());
	setenv("CEBTOOLS_FAST_WF", "1", 1);
	assert_true(fastwf_enabled());
	unsetenv("CEBTOOLS_FAST_WF");
	assert_true(fastwf_enabled());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(handwritten),
		cmocka_unit_test(testdata),
		cmocka_unit_test(generated),
		cmocka_unit_test(mutants),
		cmocka_unit_test(switch_env),
	};
	int r;

	xmlInitParser();
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test-fastwf.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	w = fastwf_new();
	if (w == NULL)
		return 1;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	fastwf_free(w);
	wfref_clear(&lib);
	free(lib.v);
	rmdir(tmpdir);
	return r;
}
