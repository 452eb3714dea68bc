/*
 * fuzz-validate-receipt.c: ceb-validate's receipts (-R DIR, receipt.c)
 * in-process.  Each input is one document, parsed with the library's safe
 * settings; every record of a known message type is judged by the rule
 * catalogue (rules_check_record, as fuzz-validate does) and its receipt
 * written with receipt_write() into a scratch directory, then read back.
 * The time of the run is taken from the input's length, anywhere from
 * 1970 to 2099.
 *
 * Checks, for a type that has a receipt: exactly one file is written, it
 * parses with the same safe settings, it is a message of the receipt type
 * (msg_types[].receipt) with one record, whose guid is the root's guid
 * attribute (an upper-case UUID); returnStatus says 120 for a record
 * without errors and 100 for one with; returnTime is 17 digits of the
 * run's day; returnInfo has at most 1000 characters; every other element
 * carries the declaration's own value of the same name (trimmed, cut to
 * 255 bytes at most), or the documented stand-in (preNo "B<day>000000000",
 * copNo from orderNo, msgSeqNo 1).  A type without one writes nothing.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "fuzz.h"
#include "msg.h"
#include "receipt.h"
#include "rules.h"
#include "stream.h"

static struct rules *rules;
static char dir[256];

static void
cleanup(void)
{
	if (*dir)
		(void)rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct rules_opts o;
	char err[512];
	const char *t = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	(void)argc;
	(void)argv;
	fuzz_quiet_libxml();
	diag_init("fuzz-validate-receipt");
	diag_set_quiet(1);
	if (getenv("CEBTOOLS_DATADIR") == NULL)
		setenv("CEBTOOLS_DATADIR", FUZZ_SRCDIR, 1);
	memset(&o, 0, sizeof o);
	o.edition = 2022;
	if ((rules = rules_load(&o, err, sizeof err)) == NULL) {
		fprintf(stderr, "fuzz-validate-receipt: cannot load the rules: "
		    "%s\n", err);
		abort();
	}
	snprintf(dir, sizeof dir, "%s/fuzz-receipt.XXXXXX", t);
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		abort();
	}
	atexit(cleanup);
	return 0;
}

/* The only file in dir: read, removed.  NULL when there is none. */
static char *
take_file(size_t *len, int *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *buf = NULL, path[600];

	FUZZ_ASSERT(d != NULL);
	*count = 0;
	*len = 0;
	while ((e = readdir(d)) != NULL) {
		FILE *f;
		long n;

		if (e->d_name[0] == '.')
			continue;
		(*count)++;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (buf == NULL && (f = fopen(path, "rb")) != NULL) {
			fseek(f, 0, SEEK_END);
			n = ftell(f);
			rewind(f);
			buf = malloc((size_t)n + 1);
			FUZZ_ASSERT(buf != NULL);
			*len = fread(buf, 1, (size_t)n, f);
			buf[*len] = '\0';
			fclose(f);
		}
		unlink(path);
	}
	closedir(d);
	return buf;
}

/* The trimmed text of a head field, as receipt.c's value() reads it. */
static void
trimmed(xmlNodePtr head, const char *name, char *buf, size_t n)
{
	const char *v = msg_field(head, name);
	size_t len;

	buf[0] = '\0';
	if (v == NULL)
		return;
	while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
		v++;
	len = strlen(v);
	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t' ||
	    v[len - 1] == '\n' || v[len - 1] == '\r'))
		len--;
	snprintf(buf, n, "%.*s", (int)len, v);
}

/* a is b, or b cut (a prefix of it) when b is longer than 255 bytes. */
static int
copied(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (lb <= 255)
		return strcmp(a, b) == 0;
	return la <= 255 && strncmp(a, b, la) == 0;
}

static int
is_uuid(const char *s)
{
	size_t i;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? s[i] != '-' :
		    !strchr("0123456789ABCDEF", s[i]))
			return 0;
	return 1;
}

static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static void
check_receipt(const struct msg *m, xmlNodePtr rec, int passed,
    const char *bytes, size_t len, const char *when)
{
	struct stream_err err;
	struct msg r;
	xmlDocPtr doc;
	xmlNodePtr rr, c, head = msg_head(m, rec);
	int seen_guid = 0, seen_status = 0, seen_time = 0, seen_info = 0;

	memset(&err, 0, sizeof err);
	doc = stream_parse_memory(bytes, len, "receipt", &err);
	if (doc == NULL)
		fprintf(stderr, "receipt does not parse: %s\n%.*s\n",
		    err.msg, (int)len, bytes);
	FUZZ_ASSERT(doc != NULL);
	FUZZ_ASSERT(msg_open(&r, doc, 1) == MSG_OK);
	FUZZ_ASSERT(r.type->code == m->type->receipt);
	FUZZ_ASSERT(msg_record_count(&r) == 1);
	FUZZ_ASSERT(is_uuid(r.guid));
	rr = msg_record_first(&r);
	for (c = rr->children; c; c = c->next) {
		const char *name = (const char *)c->name;
		const char *v;
		char want[300];

		if (c->type != XML_ELEMENT_NODE)
			continue;
		v = msg_field(rr, name);
		FUZZ_ASSERT(v != NULL);
		if (strcmp(name, "guid") == 0) {
			FUZZ_ASSERT(strcmp(v, r.guid) == 0);
			seen_guid++;
		} else if (strcmp(name, "returnStatus") == 0) {
			FUZZ_ASSERT(strcmp(v, passed ? "120" : "100") == 0);
			seen_status++;
		} else if (strcmp(name, "returnTime") == 0) {
			FUZZ_ASSERT(strlen(v) == 17 &&
			    strspn(v, "0123456789") == 17);
			FUZZ_ASSERT(strncmp(v, when, 8) == 0);
			seen_time++;
		} else if (strcmp(name, "returnInfo") == 0) {
			FUZZ_ASSERT(chars(v) <= 1000);
			seen_info++;
		} else if (strcmp(name, "preNo") == 0) {
			trimmed(head, name, want, sizeof want);
			if (strlen(want) == 18)
				FUZZ_ASSERT(strcmp(v, want) == 0);
			else
				FUZZ_ASSERT(strlen(v) == 18 && v[0] == 'B' &&
				    strncmp(v + 1, when, 8) == 0 &&
				    strcmp(v + 9, "000000000") == 0);
		} else if (strcmp(name, "invtNo") == 0) {
			trimmed(head, name, want, sizeof want);
			FUZZ_ASSERT(copied(v, want));
		} else {
			trimmed(head, name, want, sizeof want);
			if (*want == '\0' && strcmp(name, "copNo") == 0) {
				trimmed(head, "orderNo", want, sizeof want);
				FUZZ_ASSERT(chars(v) <= 20 &&
				    strncmp(v, want, strlen(v)) == 0);
			} else if (*want == '\0' &&
			    strcmp(name, "msgSeqNo") == 0)
				FUZZ_ASSERT(strcmp(v, "1") == 0);
			else
				FUZZ_ASSERT(copied(v, want));
		}
	}
	FUZZ_ASSERT(seen_guid == 1 && seen_status == 1 && seen_time == 1 &&
	    seen_info == 1);
	xmlFreeDoc(doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stream_err err;
	struct rules_result res;
	struct diag_loc loc;
	struct receipt_writer *w;
	struct msg m;
	xmlDocPtr doc;
	xmlNodePtr rec;
	struct fdoc *fd;
	char key[512], type[16], e[512], when[18];
	long long now = (long long)(size * 2654435761u % 4102444800u);
	long i = 0;

	memset(&err, 0, sizeof err);
	if ((doc = stream_parse_memory((const char *)data, size, "fuzz",
	    &err)) == NULL)
		return 0;
	if (msg_open(&m, doc, 1) != MSG_OK) {
		xmlFreeDoc(doc);
		return 0;
	}
	receipt_stamp(now, when);
	FUZZ_ASSERT(strlen(when) == 17);
	FUZZ_ASSERT((w = receipt_writer_new(dir, e, sizeof e)) != NULL);
	memset(&loc, 0, sizeof loc);
	loc.source = "fuzz";
	loc.message = 1;
	loc.type = msg_short(m.type, type, sizeof type);
	loc.guid = m.guid;
	FUZZ_ASSERT((fd = fdoc_new()) != NULL);
	FUZZ_ASSERT(fdoc_from_tree(fd, &m) == 0);
	for (rec = msg_record_first(&m); rec; rec = msg_record_next(&m, rec)) {
		char *bytes;
		size_t len;
		int n, count;

		memset(&res, 0, sizeof res);
		loc.record = ++i;
		loc.line = msg_line(&m, rec);
		loc.key = msg_key(&m, rec, key, sizeof key);
		n = rules_check_record(rules, &m, fd, (size_t)i - 1, &loc,
		    &res);
		if (receipt_write(w, now, &m, rec, n == 0, &res, e,
		    sizeof e) != 0) {
			fprintf(stderr, "receipt_write: %s\n", e);
			FUZZ_ASSERT(!"receipt_write failed");
		}
		bytes = take_file(&len, &count);
		if (m.type->receipt == 0 ||
		    msg_type_by_code(m.type->receipt) == NULL) {
			FUZZ_ASSERT(count == 0);
			continue;
		}
		FUZZ_ASSERT(count == 1 && bytes != NULL);
		check_receipt(&m, rec, n == 0, bytes, len, when);
		free(bytes);
	}
	receipt_writer_free(w);
	fdoc_free(fd);
	xmlFreeDoc(doc);
	return 0;
}
