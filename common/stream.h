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
 * Library code: nothing here prints or exits.
 */
#ifndef CEB_STREAM_H
#define CEB_STREAM_H

#include <stddef.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "input.h"

#define STREAM_DEFAULT_MAX_SIZE (16u * 1024 * 1024)
#define STREAM_DEFAULT_MAX_DEPTH 128

/*
 * The single scan (stream_opts.scan): a consumer of a document's SAX2
 * events.  begin() is told before each attempt (the parser, and where
 * the document starts); then h's callbacks (startElementNs,
 * endElementNs, characters, comment, processingInstruction; any may be
 * NULL) receive the events with arg.  A document handed over with
 * stream_doc.scanned set was seen whole, once, by these callbacks, and
 * is well-formed; otherwise the events seen since the last begin() are
 * to be forgotten.
 */
struct stream_scan {
	const xmlSAXHandler *h;
	void *arg;
	void (*begin)(void *arg, xmlParserCtxtPtr c, const char *source,
	    long index, long line);
};

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
	 * One scan per document: libxml2 parses the buffer from where a
	 * document starts and itself finds where its root element ends, so
	 * that the bytes are read once, not framed and then parsed.  On with
	 * no_tree (the check), or with no_parse when scan is set (the
	 * consumer's pass); the framer takes over, as if the scan had not
	 * been tried, for a document the scan cannot hand over alone (not
	 * well-formed, refused, not UTF-8, not whole in the buffer).  The
	 * documents, refusals and messages are those of the framer.
	 * no_scan turns it off.
	 */
	const struct stream_scan *scan;
	int no_scan;
};

/* One document as handed to a tool. */
struct stream_doc {
	const char *source;	/* display name of the source */
	long index;		/* 1-based position in the source */
	long line;		/* source line where the document starts */
	const char *bytes;	/* raw bytes: first '<' to the root's '>' */
	size_t len;
	xmlDocPtr doc;		/* the parsed tree */
	int owned;		/* set by stream_doc_detach() */
	int scanned;		/* seen whole by opts.scan (single scan) */
};

/* A problem found in a source, located. */
struct stream_err {
	long index;		/* document index, 0 when between documents */
	long line;
	char msg[512];
};

enum {
	STREAM_FATAL = -2,	/* the source cannot be read further */
	STREAM_BAD = -1,	/* one bad document or stretch; call again */
	STREAM_EOF = 0,
	STREAM_DOC = 1
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
 * documents -- the caller reports it and calls again -- or STREAM_FATAL
 * with *err filled when the input itself failed (read error, corrupt or
 * truncated gzip); every complete document before it has been handed over.
 */
int stream_next(struct stream *s, struct stream_doc *doc,
    struct stream_err *err);

/*
 * Make doc independent of the stream: its bytes are copied and its tree is
 * taken over.  Free it with stream_doc_free().  Returns 0, or -1 when out of
 * memory (doc is then unchanged).
 */
int stream_doc_detach(struct stream *s, struct stream_doc *doc);
void stream_doc_free(struct stream_doc *doc);

/* Bytes of the source consumed so far (after decompression). */
unsigned long long stream_bytes(const struct stream *s);

void stream_close(struct stream *s);

/*
 * Parse len bytes as one document with the same safe settings (used for
 * payloads such as the base64 content of a DxpMsg envelope).  Returns the
 * tree, or NULL with a message in err (line relative to the bytes).
 */
xmlDocPtr stream_parse_memory(const char *bytes, size_t len, const char *name,
    struct stream_err *err);

/*
 * Parse a document framed with opts.no_parse as stream_next() would have
 * parsed it (same settings, same messages and lines): build its tree
 * into d->doc.  The tree is then d's when d is detached (freed by
 * stream_doc_free()), else the caller's.  opts may be NULL.  Safe to call
 * on several documents at once (a parser per call).  Returns STREAM_DOC,
 * or STREAM_BAD with *err filled.
 */
int stream_doc_parse(struct stream_doc *d, const struct stream_opts *opts,
    struct stream_err *err);

#endif
