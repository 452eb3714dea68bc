/*
 * stream.h: a source is zero or more XML documents back to back, optionally
 * separated by NUL bytes and whitespace, each optionally preceded by a UTF-8
 * BOM.  The framer finds where each document ends by tokenising its markup
 * (start and end tags, comments, CDATA, processing instructions, quoted
 * attribute values) and tracking element depth: the document ends where its
 * root element closes.  It never searches for text such as "<?xml".  Each
 * document is then parsed by libxml2 with everything dangerous switched off:
 * no network, no DTD loading, no external entities, no entity substitution;
 * a document with a DOCTYPE is refused before it is parsed.
 *
 * Two things come off a document before a tool sees it.  Its origin mark
 * (origin.h), a comment in its prolog, is read and removed, so that the
 * bytes handed over are the bytes as delivered; since the mark lies
 * before the root element, a framer that feeds a push parser chunk by
 * chunk skips its span and hands libxml2 the rest as scanned.  A DxpMsg
 * or DxpMsgSv envelope (envelope.h) is opened: the tool gets the message
 * inside, the envelope stays with it (stream_doc.env).
 *
 * Library code: nothing here prints or exits.
 */
#ifndef CEB_STREAM_H
#define CEB_STREAM_H

#include <stddef.h>
#include <libxml/tree.h>

#include "envelope.h"
#include "input.h"
#include "msg.h"
#include "origin.h"

#define STREAM_DEFAULT_MAX_SIZE (16u * 1024 * 1024)
#define STREAM_DEFAULT_MAX_DEPTH 128

struct stream_opts {
	size_t max_size;	/* largest document in bytes */
	int max_depth;		/* deepest element nesting */
	int no_parse;		/* frame only: doc->doc stays NULL */
	/*
	 * Check only: parse each document for well-formedness with the same
	 * safe settings but build no tree (doc->doc stays NULL); much cheaper
	 * when the caller needs only the bytes.  on_element, when set, is
	 * told of every start tag (depth 1 is the root) as it is parsed.
	 */
	int no_tree;
	void (*on_element)(void *arg, int depth, const char *local,
	    const char *uri);
	void *on_element_arg;
	/*
	 * The input loop (loop.h) hands rejected documents (STREAM_REJECT)
	 * to the tool too, instead of reporting them itself: a tool that
	 * judges an envelope's own structure still sees it (d.env).
	 */
	int keep_rejects;
};

/*
 * A finding about a document that the stream layer makes and the input
 * loop reports (loop.h): a rule of the catalogue (catalogue-stream.def),
 * the field, the line (of the origin) and the detail.
 */
struct stream_note {
	const char *rule;
	const char *type;	/* "DxpMsg" for an envelope's, or NULL */
	const char *field;
	long line;
	char msg[300];
};

/* One document as handed to a tool. */
struct stream_doc {
	/*
	 * Where it came from: origin.source, .message and .line, copied here
	 * for the many readers that want only those.  For a document read
	 * where it was delivered, the source read, the document's index in
	 * it and its first line (for a message that arrived in an envelope:
	 * the line of the envelope's Data); for a document that carries an
	 * origin mark, what the mark says.
	 */
	const char *source;
	long index;
	long line;
	struct origin origin;
	/*
	 * The message: first '<' to the root's '>', as delivered (the mark
	 * removed; for an envelope, its decoded Data), and within them the
	 * root element, '<' to its last '>': what a document's identity is
	 * computed from, unchanged by marks, XML declarations and BOMs.
	 */
	const char *bytes;
	size_t len;
	size_t root_off, root_len;
	xmlDocPtr doc;		/* the parsed tree of the message */
	const struct envelope *env;	/* the envelope it came in, or NULL */
	/* Findings about it (an unreadable mark, a MsgType that lies). */
	struct stream_note notes[2];
	int nnotes;
	/* STREAM_REJECT: why it cannot be used (no bytes, no tree then). */
	int rejected;
	struct stream_note reject;
	int owned;		/* set by stream_doc_detach() */
	char *mem;		/* detached: the bytes as framed */
	char *own;		/* detached: the strings of origin */
	/*
	 * in_verbatim: bytes are the source's bytes [in_off, in_off + len)
	 * as read from in (no mark cut out, not an envelope's Data, not a
	 * stream over memory); the source may still be gzip
	 * (input_is_gzip()), whose offsets are not the file's.  A tool that
	 * reads them again from the file must check that they did not
	 * change.  in is the loop's, valid while the document is handed
	 * over (input_fd(), input_serial()).
	 */
	const struct input *in;
	unsigned long long in_off;
	int in_verbatim;
};

/* A problem found in a source, located. */
struct stream_err {
	long index;		/* document index, 0 when between documents */
	long line;
	char msg[512];
	/*
	 * STREAM_REJECT: the rule of the catalogue the document breaks and
	 * the field; the document's origin is in *doc.
	 */
	const char *rule;
	const char *type;	/* "DxpMsg" or "DxpMsgSv" */
	const char *field;
};

enum {
	STREAM_FATAL = -2,	/* the source cannot be read further */
	STREAM_BAD = -1,	/* one bad document or stretch; call again */
	STREAM_EOF = 0,
	STREAM_DOC = 1,
	STREAM_REJECT = 2	/* a finding: the document cannot be used */
};

struct stream;

/*
 * Start framing the bytes of in, to be called name in locations.  opts may
 * be NULL for the defaults.  The stream does not own in.  NULL on
 * allocation failure.
 */
struct stream *stream_open(struct input *in, const char *name,
    const struct stream_opts *opts);

/*
 * Hand over the next document.  Returns STREAM_DOC with *doc filled (its
 * bytes and tree belong to the stream and stay valid until the next call,
 * unless detached), STREAM_EOF at the end, STREAM_BAD with *err filled for a
 * document that cannot be used (not well-formed, refused, too large, too
 * deep, incomplete at the end of the input) or for stray bytes between
 * documents -- the caller reports it and calls again --, STREAM_REJECT
 * with *err filled (err->rule set) and the document's origin in *doc (no
 * bytes, no tree; doc->rejected and doc->reject say why, doc->env holds
 * the envelope when it could be read) for a well-formed document that
 * cannot be used (an envelope that holds no readable message), or
 * STREAM_FATAL with *err
 * filled when the input itself failed (read error, corrupt or truncated
 * gzip); every complete document before it has been handed over.
 */
int stream_next(struct stream *s, struct stream_doc *doc,
    struct stream_err *err);

/*
 * Make doc independent of the stream: its bytes and the strings of its
 * origin are copied, its tree and envelope taken over.  Free it with
 * stream_doc_free().  Returns 0, or -1 when out of memory (doc is then
 * unchanged).
 */
int stream_doc_detach(struct stream *s, struct stream_doc *doc);

/*
 * The same without an allocation, for a caller that keeps the documents
 * of a batch in one block of its own: stream_doc_pack() copies doc's
 * bytes and origin strings to mem, stream_doc_pack_size(doc) bytes that
 * must outlive doc (a multiple of 16, so that documents packed back to
 * back stay aligned), and takes its tree and envelope over.
 * stream_doc_free() then frees the tree and envelope, not mem.
 */
size_t stream_doc_pack_size(const struct stream_doc *doc);
void stream_doc_pack(struct stream *s, struct stream_doc *doc, char *mem);
void stream_doc_free(struct stream_doc *doc);

/* Bytes of the source consumed so far (after decompression). */
unsigned long long stream_bytes(const struct stream *s);

void stream_close(struct stream *s);

/*
 * Parse len bytes as one document with the same safe settings (a document
 * read back from a spool).  Returns the tree, or NULL with a message in
 * err (line relative to the bytes).
 */
xmlDocPtr stream_parse_memory(const char *bytes, size_t len, const char *name,
    struct stream_err *err);

/*
 * Parse a document framed with opts.no_parse (owned: detached) as
 * stream_next() would have: build its tree and open its envelope.  For
 * the worker threads of a tool that frames on one thread and parses on
 * many; safe to call on several documents at once.  Returns STREAM_DOC,
 * STREAM_BAD or STREAM_REJECT, with *err filled for the last two.
 */
int stream_doc_parse(struct stream_doc *d, const struct stream_opts *opts,
    struct stream_err *err);

/*
 * msg_open() for a document handed over: its lines are those of its
 * origin, and every line of a message that arrived in an envelope is the
 * line of the envelope's Data (the delivered file has no other).
 */
enum msg_status stream_msg_open(struct msg *m, const struct stream_doc *d);

#endif
