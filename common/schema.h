/*
 * schema.h: XML Schema validation of CEB messages.  A schema set is a list
 * of directories holding XSD files; the schema for a document is found by
 * its root element (namespace and local name): a file named <Root>.xsd
 * when there is one (the project's layout, one file per root), otherwise
 * the first file, in sorted order, that declares the root as a global
 * element (the official customs bundle, whose files declare many roots
 * each).  Each file is compiled once, on first use, and the compiled
 * schema is then shared read-only by every thread.  Validation uses one
 * validation context per thread (struct schema_vctx) and collects the
 * errors, each with its node, so that the caller can locate it and map it
 * to the record that holds it.
 *
 * Schema errors are mapped onto a small table of stable rule IDs, the S-
 * family (S-XSD-001 unexpected element, ...); the table also holds the
 * other structural findings a validator reports (unknown root, namespace,
 * envelope payload) so that --list-rules prints them from one place.
 *
 * Library code: nothing here prints or exits.  schema_set_* and
 * schema_find() are for one thread (the main one); schema_validate() may
 * run on many threads at once, each with its own schema_vctx.
 */
#ifndef CEB_SCHEMA_H
#define CEB_SCHEMA_H

#include <stddef.h>
#include <stdio.h>
#include <libxml/tree.h>

struct schema_set;
struct schema;			/* one compiled XSD file */

/*
 * A schema set searching the directories dirs[0..n-1] in that order (the
 * strings are copied).  NULL when out of memory.
 */
struct schema_set *schema_set_new(const char *const *dirs, size_t n);
void schema_set_free(struct schema_set *s);

/*
 * The compiled schema for a root element (namespace ns, may be NULL, and
 * local name), compiled on first use and cached for the life of the set.
 * Returns NULL with a message in err when no file of the set declares the
 * root, or when the file that does fails to compile (the message then
 * starts with the file name); *missing is set to 1 in the first case, 0 in
 * the second.  A failure is cached too: the same root is not searched
 * twice.
 */
const struct schema *schema_find(struct schema_set *s, const char *ns,
    const char *name, int *missing, char *err, size_t n);

/* The path of the file a compiled schema was read from. */
const char *schema_path(const struct schema *sc);

/*
 * The accept-only fast model of the schema (common/fastxsd.h), NULL when
 * there is none (CEBTOOLS_FAST_XSD=0, or nothing in it is fast).  A
 * document it accepts, libxml2 accepts; any other is libxml2's to judge.
 */
struct fastxsd;
const struct fastxsd *schema_fast(const struct schema *sc);

/* One schema error, located. */
struct schema_error {
	const char *rule;	/* an S- rule ID (common/catalogue-validate.def) */
	int code;		/* libxml2 error code */
	xmlNodePtr node;	/* the node it is about (NULL if unknown) */
	long line;		/* line in the document, 0 if unknown */
	char field[64];		/* element (or attribute) the error is about */
	char text[400];		/* libxml2's message, namespaces shortened */
};

struct schema_errors {
	size_t n;		/* errors held in v */
	size_t cap;
	size_t dropped;		/* errors beyond SCHEMA_MAX_ERRORS */
	struct schema_error *v;
};

#define SCHEMA_MAX_ERRORS 64

void schema_errors_clear(struct schema_errors *e);	/* keeps storage */
void schema_errors_free(struct schema_errors *e);

/* A validation context for one thread (one libxml2 context per schema). */
struct schema_vctx;

struct schema_vctx *schema_vctx_new(void);
void schema_vctx_free(struct schema_vctx *v);

/*
 * Validate doc against sc, appending the errors to *out.  Returns the
 * number of errors found (0 = valid), or -1 when validation could not run
 * (out of memory, internal error; out then holds one error saying so).
 */
int schema_validate(struct schema_vctx *v, const struct schema *sc,
    xmlDocPtr doc, struct schema_errors *out);

/*
 * Validation while parsing, with no tree (libxml2's xmlSchemaSAXPlug):
 * schema_stream_begin() starts validating one document against sc; the
 * caller then forwards every SAX2 event from the root's start tag to its
 * end to st->sax (startElementNs, endElementNs, characters; each called
 * with st->ud), and schema_stream_end() says whether the document was
 * valid.  Only the verdict is kept: a caller that must report the errors
 * validates the tree (schema_validate()), whose errors carry their nodes.
 * One validation at a time per schema_vctx (that is, per thread).
 */
struct schema_stream {
	xmlSAXHandlerPtr sax;	/* the validator's callbacks */
	void *ud;		/* their first argument */
	void *plug;		/* private */
	void *vc;		/* private */
	size_t nerr;		/* errors seen so far */
};

/* Returns 0, or -1 when validation cannot start (out of memory). */
int schema_stream_begin(struct schema_vctx *v, const struct schema *sc,
    struct schema_stream *st);

/*
 * End the validation begun with schema_stream_begin() (always call it).
 * Returns 0 when the document was valid, 1 when it was not, -1 when
 * validation could not run.
 */
int schema_stream_end(struct schema_stream *st);

/*
 * The element path of node from the root, by local names, with a 1-based
 * index where an element has siblings of the same name:
 * "/CEB621Message/Inventory[2]/InventoryHead/copNo".  Returns buf.
 */
char *schema_node_path(xmlNodePtr node, char *buf, size_t n);

/* Cut a trailing incomplete UTF-8 sequence (after a truncating copy). */
void schema_utf8_trim(char *s);

#endif
