/*
 * emit.h: writing messages to the output stream.  A message whose records
 * all pass is written byte for byte (signature intact); a message reduced
 * to some of its records is re-serialised without its ds:Signature, which
 * would no longer match.  Every document written is followed by a newline,
 * so the output is again a stream (ceb-stream(5)).
 *
 * Every document written carries its origin mark (origin.h), right after
 * its XML declaration or, without one, in front of it; the bytes of the
 * document itself are not touched.
 *
 * Functions return 0, or -1 on a write error (errno set); the caller
 * reports it through diag_write_error().
 */
#ifndef CEB_EMIT_H
#define CEB_EMIT_H

#include <stdio.h>

#include "envelope.h"
#include "msg.h"
#include "origin.h"
#include "stream.h"

/* Write the message of doc as it came (for an envelope: the message in
 * it), marked with its origin, and a newline. */
int emit_doc(FILE *out, const struct stream_doc *doc);

/* Write the document as it was read -- an envelope whole -- marked with
 * its origin, and a newline. */
int emit_delivered(FILE *out, const struct stream_doc *doc);

/* Write len bytes of one document, marked with o (NULL: no mark), and a
 * newline. */
int emit_marked(FILE *out, const char *bytes, size_t len,
    const struct origin *o);

/*
 * Write m keeping only the records whose keep[i] is nonzero (i counts
 * records from 0 in document order), without ds:Signature, marked with o
 * (NULL: no mark).  Writes nothing when no record is kept.  The tree of m
 * is not changed.
 */
int emit_subset(FILE *out, const struct origin *o, const struct msg *m,
    const unsigned char *keep);

/*
 * Write the message of doc inside a DxpMsg envelope (envelope.h) with
 * the transfer header h (its msgtype NULL: the message's root), marked
 * with o (NULL: no mark), and a newline.
 */
int emit_wrapped(FILE *out, const struct stream_doc *doc,
    const struct envelope_head *h, const struct origin *o);

/* Serialise a tree (e.g. a generated receipt) followed by a newline. */
int emit_tree(FILE *out, xmlDocPtr doc);

#endif
