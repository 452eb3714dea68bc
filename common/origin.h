/*
 * origin.h: where a document came from, and the mark that carries it
 * through a pipeline (ceb-stream(5), ORIGIN).
 *
 * A document is delivered in a file (or on stdin), bare or inside a
 * DxpMsg envelope.  A tool that writes a stream puts an origin mark in
 * front of each document's root element,
 *
 *   <?xml version="1.0" encoding="UTF-8"?><!--ceb-origin source="in/payments.xml" message="3" line="12"-->
 *
 * so that the next tool reports the delivered file, not the pipe.  The
 * mark is an XML comment: it keeps the document well-formed, no schema
 * sees it, and the enveloped signature of a CEB message (Reference
 * URI="", C14N without comments, spec section 6) does not cover it, so a
 * document passed on byte for byte keeps its signature valid.  (A
 * processing instruction there would be signed: C14N keeps the PIs of
 * the prolog.)  Readers remove the mark before anything else sees the
 * bytes (stream.h).
 *
 * The mark names source, message and line, then envelope (the CopMsgId
 * of the DxpMsg the message arrived in; its line is then the line of the
 * envelope's Data, and every line inside the message is that line),
 * received (when a state first took the document in) and records, each
 * only when set.  records is written when a tool passes on a part of a
 * message (emit.h, emit_subset(): some of its records): for each record
 * the document holds, in order, its number in the delivered message and
 * the line it starts on in the delivered file, as "INDEX@LINE" items
 * separated by one space ("1@12 3@40": the document's first record is
 * the delivered message's first, on line 12, its second the delivered
 * third, on line 40).  The message layer (msg.h: msg_record_no(),
 * msg_line()) maps a record of the document back through it, so that
 * every later tool cites the record and line of the delivered file.  Values are UTF-8; a byte below 0x20, 0x7f, '"', '%', '&', '<',
 * '>', a '-' after a '-' and a byte that is not UTF-8 are written as %XX.
 * Unknown names are ignored, so that later marks can say more.
 *
 * Library code: nothing here prints or exits.
 */
#ifndef CEB_ORIGIN_H
#define CEB_ORIGIN_H

#include <stddef.h>
#include <stdio.h>

#define ORIGIN_MARK "ceb-origin"
#define ORIGIN_MARK_MAX 65536	/* a longer comment is not a mark */

struct origin {
	const char *source;	/* the file as delivered, "stdin" */
	long message;		/* 1-based index of the document there */
	long line;		/* line where it starts there (see above) */
	const char *envelope;	/* CopMsgId of its envelope, or NULL */
	const char *received;	/* when a state took it in, or NULL */
	/*
	 * Where this run read it, when a mark said it came from elsewhere;
	 * NULL and 0 otherwise.  Never written in a mark.
	 */
	const char *via;
	long via_message, via_line;
	/*
	 * For a part of a message: "INDEX@LINE ..." (above), one item per
	 * record of the document, or NULL for a whole message.
	 */
	const char *records;
};

/*
 * Write the mark of o (source, message and line at least) to out.
 * Returns 0, or -1 on a write error.
 */
int origin_mark_write(FILE *out, const struct origin *o);

/*
 * Nonzero when the comment text (between "<!--" and "-->") is an origin
 * mark, whether or not it can be read.
 */
int origin_is_mark(const char *text, size_t len);

/*
 * Read the mark whose comment text (between "<!--" and "-->") is text.
 * The decoded values are written, NUL-terminated, to buf (n bytes; a
 * mark's text always fits in its own length plus 8) and o's source,
 * message, line, envelope and received point into it; via is left
 * alone.  Returns 0, or -1 with a reason in why (a static English
 * string) when the mark cannot be read: a value that is not UTF-8 or
 * holds a control character, no source, a message or line that is not a
 * positive number.
 */
int origin_mark_read(const char *text, size_t len, struct origin *o,
    char *buf, size_t n, const char **why);

/*
 * Nonzero when records (a records value) is a well-formed list: one or
 * more "INDEX@LINE" items, both positive decimal numbers, separated by
 * one space.
 */
int origin_records_ok(const char *records);

/*
 * The i-th item (1-based) of a well-formed records value: the record's
 * number in the delivered message to *index and its line there to *line.
 * Returns 0, or -1 (index and line untouched) when records is NULL or
 * has fewer than i items.
 */
int origin_record(const char *records, long i, long *index, long *line);

/*
 * Write to buf (n bytes) the item "INDEX@LINE" for one record of a part
 * of a message, preceded by a space unless buf is empty, appending to
 * what buf holds.  Returns 0, or -1 when it does not fit (buf unchanged).
 */
int origin_records_add(char *buf, size_t n, long index, long line);

#endif
