/*
 * emit.h: writing messages to the output stream.  A message whose records
 * all pass is written byte for byte (signature intact); a message reduced
 * to some of its records is re-serialised without its ds:Signature, which
 * would no longer match.  Every document written is followed by a newline,
 * so the output is again a stream (ceb-stream(5)).
 *
 * Functions return 0, or -1 on a write error (errno set); the caller
 * reports it through diag_write_error().
 */
#ifndef CEB_EMIT_H
#define CEB_EMIT_H

#include <stdio.h>

#include "msg.h"
#include "stream.h"

/* Write the raw bytes of doc and a newline. */
int emit_doc(FILE *out, const struct stream_doc *doc);

/*
 * Write m keeping only the records whose keep[i] is nonzero (i counts
 * records from 0 in document order), without ds:Signature.  Writes nothing
 * when no record is kept.  The tree of m is not changed.
 */
int emit_subset(FILE *out, const struct msg *m, const unsigned char *keep);

/* Serialise a tree (e.g. a generated receipt) followed by a newline. */
int emit_tree(FILE *out, xmlDocPtr doc);

#endif
