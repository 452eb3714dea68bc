/*
 * fuzz-validate.c: ceb-validate's business-rule layer in-process.  The
 * rule catalogue and the shipped code tables are loaded once; each input
 * is one document, parsed with the library's safe settings, and every
 * record of a known message type goes through rules_check_record(), then
 * the message through rules_check_message(), as ceb-validate does after
 * its structural pass (which this target skips: the rules must not trust
 * the structure either).
 *
 * Checks: the result never holds more items than it has room for, every
 * item names a rule, and the findings' text is a C string.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fuzz.h"
#include "msg.h"
#include "rules.h"
#include "stream.h"

static struct rules *rules;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct rules_opts o;
	char err[512];

	(void)argc;
	(void)argv;
	fuzz_quiet_libxml();
	diag_init("fuzz-validate");
	diag_set_quiet(1);
	if (getenv("CEBTOOLS_DATADIR") == NULL)
		setenv("CEBTOOLS_DATADIR", FUZZ_SRCDIR, 1);
	memset(&o, 0, sizeof o);
	o.edition = 2022;
	if ((rules = rules_load(&o, err, sizeof err)) == NULL) {
		fprintf(stderr, "fuzz-validate: cannot load the rules: %s\n",
		    err);
		abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stream_err err;
	struct rules_result res;
	struct diag_loc loc;
	struct msg m;
	xmlDocPtr doc;
	struct fdoc *fd;
	char key[512], type[16];
	size_t k, i;

	memset(&err, 0, sizeof err);
	if ((doc = stream_parse_memory((const char *)data, size, "fuzz",
	    &err)) == NULL)
		return 0;
	if (msg_open(&m, doc, 1) == MSG_OK) {
		memset(&loc, 0, sizeof loc);
		loc.source = "fuzz";
		loc.message = 1;
		loc.type = msg_short(m.type, type, sizeof type);
		loc.guid = m.guid;
		FUZZ_ASSERT((fd = fdoc_new()) != NULL);
		FUZZ_ASSERT(fdoc_from_tree(fd, &m) == 0);
		FUZZ_ASSERT(fdoc_records(fd) == (size_t)msg_record_count(&m));
		for (i = 0; i < fdoc_records(fd); i++) {
			memset(&res, 0, sizeof res);
			loc.record = (long)i + 1;
			loc.line = fdoc_record_line(fd, i);
			loc.key = fdoc_key(fd, i, key, sizeof key);
			(void)rules_check_record(rules, &m, fd, i, &loc, &res);
			FUZZ_ASSERT(res.n <= sizeof res.item / sizeof res.item[0]);
			for (k = 0; k < res.n; k++) {
				FUZZ_ASSERT(memchr(res.item[k].rule, '\0',
				    sizeof res.item[k].rule) != NULL);
				FUZZ_ASSERT(memchr(res.item[k].text, '\0',
				    sizeof res.item[k].text) != NULL);
			}
		}
		memset(&res, 0, sizeof res);
		loc.record = 0;
		(void)rules_check_message(rules, &m, fd, &loc, &res);
		FUZZ_ASSERT(res.n <= sizeof res.item / sizeof res.item[0]);
		fdoc_free(fd);
	}
	xmlFreeDoc(doc);
	return 0;
}
