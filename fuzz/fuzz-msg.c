/*
 * fuzz-msg.c: the message model over parsed documents.  The input is one
 * document (parsed with the library's safe settings); when it is a CEB
 * message of a known type, every record, head, line and field is visited
 * through msg_record_*, msg_head, msg_line_*, msg_field, msg_decimal,
 * msg_key and msg_line.  The first line of the input, when it starts with
 * '#', is also given to msg_type_set().
 *
 * Checks: counts agree between msg_record_count() and iteration; a field
 * read twice gives the same text; msg_key() stays NUL-terminated inside
 * its buffer, even a small one; lines are not before the document.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "msg.h"
#include "stream.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_libxml();
	return 0;
}

/* Read every CEB child element of parent as a field and as a decimal. */
static void
visit_fields(const struct msg *m, xmlNodePtr parent)
{
	xmlNodePtr c;

	if (parent == NULL)
		return;
	FUZZ_ASSERT(msg_line(m, parent) >= m->line_base);
	for (c = parent->children; c != NULL; c = c->next) {
		const char *v, *w;
		char name[128];
		struct dec d;
		int r;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		snprintf(name, sizeof name, "%s", (const char *)c->name);
		v = msg_field(parent, name);
		w = msg_field(parent, name);
		if (c->ns != NULL &&
		    strcmp((const char *)c->ns->href, MSG_NS_CEB) == 0)
			FUZZ_ASSERT(v != NULL);
		FUZZ_ASSERT((v == NULL) == (w == NULL));
		if (v != NULL)
			FUZZ_ASSERT(strcmp(v, w) == 0);
		r = msg_decimal(parent, name, &d);
		FUZZ_ASSERT(r >= -1 && r <= 1);
		if (r == 0) {
			char buf[64];
			dec_format(d, 0, buf, sizeof buf);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stream_err err;
	struct msg m;
	xmlDocPtr doc;
	xmlNodePtr rec, head, line;
	int n = 0;

	if (size > 0 && data[0] == '#') {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t len = nl ? (size_t)(nl - data) : size;
		char *list = malloc(len), bad[64];
		unsigned char *set = malloc(msg_ntypes);

		if (list && set) {
			memcpy(list, data + 1, len - 1);
			list[len - 1] = '\0';
			if (msg_type_set(list, set, bad, sizeof bad) != 0)
				FUZZ_ASSERT(memchr(bad, '\0', sizeof bad));
		}
		free(list);
		free(set);
		data += len;
		size -= len;
	}
	memset(&err, 0, sizeof err);
	if ((doc = stream_parse_memory((const char *)data, size, "fuzz",
	    &err)) == NULL) {
		FUZZ_ASSERT(err.msg[0] != '\0');
		return 0;
	}
	if (msg_open(&m, doc, 7) == MSG_OK) {
		FUZZ_ASSERT(m.type != NULL && m.guid != NULL);
		for (rec = msg_record_first(&m); rec;
		    rec = msg_record_next(&m, rec)) {
			char key[512], small[5];

			n++;
			msg_key(&m, rec, key, sizeof key);
			FUZZ_ASSERT(memchr(key, '\0', sizeof key) != NULL);
			msg_key(&m, rec, small, sizeof small);
			FUZZ_ASSERT(strlen(small) < sizeof small);
			FUZZ_ASSERT(strncmp(small, key, strlen(small)) == 0);
			head = msg_head(&m, rec);
			visit_fields(&m, head);
			for (line = msg_line_first(&m, rec); line;
			    line = msg_line_next(&m, line))
				visit_fields(&m, line);
		}
		FUZZ_ASSERT(n == msg_record_count(&m));
	} else
		FUZZ_ASSERT(m.type == NULL);
	xmlFreeDoc(doc);
	return 0;
}
