/*
 * scan.h: a CEB message's elements read from its bytes, without a tree.
 *
 * A tool that parses its input without a tree (stream_opts.no_tree: a
 * well-formedness check only) reads the records of a message from its
 * scan: names, namespaces, leaf texts and the line of each record,
 * for the documents whose libxml2 tree the scan reproduces exactly
 * (scan.c says which).  For any other document scan_doc() says so and
 * the caller parses a tree as before.  msrc.h reads either the same way.
 *
 * One struct scan is reused from document to document by one thread.
 * Library code: nothing here prints or exits.
 */
#ifndef CEB_SCAN_H
#define CEB_SCAN_H

#include <stddef.h>
#include <stdint.h>

struct msg_type;
struct nsbind;

/* One element of a scanned document. */
struct snode {
	const char *name;	/* local name */
	const char *text;	/* a leaf's text ("" when empty), else NULL */
	uint32_t child, next, last;	/* indexes in scan.v */
	size_t at, tstart;	/* offsets of its '<' and of its content */
	long line;		/* a record's line in the document (from 1) */
	unsigned char ceb;	/* in the CEB namespace */
	unsigned char nsuri;	/* in any namespace */
	unsigned char multiline;	/* a record's start tag spans lines */
	unsigned char holder;	/* a record's head or list element */
};

struct scan {
	char *buf;		/* the document's copy; names, texts in it */
	size_t bcap;
	struct snode *v;
	size_t n, vcap;
	struct nsbind *ns;	/* the namespace declarations in scope */
	size_t nns, nscap;
	const unsigned char *types;	/* scan_doc()'s */
	const struct msg_type *type;	/* as msg_open() finds it, or NULL */
	const char *guid;	/* the root's guid attribute, "" if none */
	long nrec;		/* records (of a type read) */
	uint32_t first;		/* its first record */
};

/*
 * Scan the len bytes of a well-formed document (the input loop checked
 * it) into sc.  types says whose records are read: the message types
 * set in it (indexes in msg_types, as msg_type_set() fills it), or every
 * type when NULL; of the others only the type and guid are read.
 * Returns 0 (the type known, and for a type read its records), -1 when
 * the document needs the tree, -2 when out of memory.  The nodes and
 * strings stay valid until the next call.
 */
int scan_doc(struct scan *sc, const char *bytes, size_t len,
    const unsigned char *types);
struct snode *scan_node(const struct scan *sc, uint32_t i);
/* msg_child(), msg_next_same() and msg_field() on the scan. */
struct snode *scan_child(const struct scan *sc, const struct snode *parent,
    const char *name);
struct snode *scan_next_same(const struct scan *sc, const struct snode *nd);
const char *scan_field(const struct scan *sc, const struct snode *parent,
    const char *name);
/* The element children of parent in document order (NULL: no more). */
struct snode *scan_first(const struct scan *sc, const struct snode *parent);
struct snode *scan_next(const struct scan *sc, const struct snode *nd);
void scan_free(struct scan *sc);

#endif
