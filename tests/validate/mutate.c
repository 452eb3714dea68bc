/*
 * mutate: apply one structural mutation to a CEB message, for the
 * differential conformance test (tests/validate/conformance.test).
 *
 *   mutate KIND FILE > OUT
 *
 * The mutation is made in the head of the first business record (or the
 * record itself when the type has no head):
 *   missing     remove its first child element
 *   unexpected  insert an element the schema does not know after it
 *   overlength  give its first child a value of 1001 characters
 *   order       swap its first two child elements
 *   empty       empty its first child element
 *   dupbase     repeat the BaseTransfer block
 * Exit status 0, 3 when the mutation does not apply to this message (no
 * BaseTransfer, fewer than two children), 2 on trouble.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "msg.h"

static xmlNodePtr
first_elem(xmlNodePtr n)
{
	for (; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	return NULL;
}

int
main(int argc, char *argv[])
{
	xmlDocPtr doc;
	struct msg m;
	xmlNodePtr rec, head, e1, e2, n;
	const char *kind;
	char big[1002];

	if (argc != 3) {
		fputs("usage: mutate kind file\n", stderr);
		return 2;
	}
	kind = argv[1];
	doc = xmlReadFile(argv[2], NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	if (doc == NULL || msg_open(&m, doc, 1) != MSG_OK ||
	    (rec = msg_record_first(&m)) == NULL) {
		fprintf(stderr, "mutate: %s: not a CEB message\n", argv[2]);
		return 2;
	}
	head = msg_head(&m, rec);
	e1 = first_elem(head->children);
	e2 = e1 ? first_elem(e1->next) : NULL;
	if (e1 == NULL)
		return 3;
	if (strcmp(kind, "missing") == 0) {
		xmlUnlinkNode(e1);
		xmlFreeNode(e1);
	} else if (strcmp(kind, "unexpected") == 0) {
		n = xmlNewDocNode(doc, e1->ns, BAD_CAST "unknownElement",
		    BAD_CAST "1");
		xmlAddNextSibling(e1, n);
	} else if (strcmp(kind, "overlength") == 0) {
		memset(big, 'X', sizeof big - 1);
		big[sizeof big - 1] = '\0';
		xmlNodeSetContent(e1, BAD_CAST big);
	} else if (strcmp(kind, "order") == 0) {
		if (e2 == NULL)
			return 3;
		xmlUnlinkNode(e2);
		xmlAddPrevSibling(e1, e2);
	} else if (strcmp(kind, "empty") == 0) {
		xmlNodeSetContent(e1, BAD_CAST "");
	} else if (strcmp(kind, "dupbase") == 0) {
		if ((n = msg_child(m.root, MSG_NS_CEB, "BaseTransfer")) == NULL)
			return 3;
		xmlAddNextSibling(n, xmlDocCopyNode(n, doc, 1));
	} else {
		fprintf(stderr, "mutate: unknown kind %s\n", kind);
		return 2;
	}
	if (xmlDocDump(stdout, doc) < 0)
		return 2;
	xmlFreeDoc(doc);
	return 0;
}
