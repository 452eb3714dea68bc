/*
 * envelope.h: the transport envelopes of the China E-port data exchange
 * platform (DXP), in which CEB messages travel between enterprises, the
 * transport nodes and customs.  The 2022 specification allows two forms:
 *
 *   section 4, DxpMsg (终端节点报文), the terminal node's envelope:
 *     TransInfo{CopMsgId, SenderId, ReceiverIds/ReceiverId 1..5,
 *     CreatTime, MsgType}, Data (the business message, base64),
 *     AddInfo?, ds:Signature?
 *   section 5, DxpMsgSv (传输节点报文), the transport node's: SvNo{MsgId,
 *     SubMsgId?, SendTime, EndNode, StaNode} and one DxpMsg, ds:Signature?
 *
 * both in the namespace http://www.chinaport.gov.cn/dxp.  The stream
 * layer (stream.h) opens every envelope it reads with envelope_open() and
 * hands the tools the message inside; the envelope stays with it.
 * Base64 is OpenSSL's (EVP_DecodeUpdate, EVP_EncodeUpdate).
 *
 * Choices where the texts are silent, each also in ceb-stream(5):
 * Data is strict base64 (the XSD's xs:base64Binary: the alphabet, '='
 * padding, white space between characters) -- OpenSSL alone would stop
 * quietly at a '-'; AddInfo/IsText is not consulted, since the message's
 * own XML declaration names its encoding; a Data that holds elements
 * (such as <Zip>) or another envelope is not a form of the spec.
 *
 * Library code: nothing here prints (except to the FILE given) or exits.
 */
#ifndef CEB_ENVELOPE_H
#define CEB_ENVELOPE_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>
#include <libxml/tree.h>

#define ENVELOPE_MAX_RECEIVERS 5

/* An opened envelope.  Every member is owned by it. */
struct envelope {
	const char *root;	/* "DxpMsg" or "DxpMsgSv" */
	char *bytes;		/* the envelope as read (a copy), e.g. to */
	size_t len;		/* verify its own ds:Signature */
	xmlDocPtr doc;		/* its tree */
	long line;		/* line where it starts in the source read */
	long data_line;		/* line of its Data element there */
	/* TransInfo, "" when an element is missing */
	char *copmsgid, *sender, *created, *msgtype;
	char *receivers[ENVELOPE_MAX_RECEIVERS];
	int nreceivers;
	char *msgid;		/* SvNo/MsgId of a DxpMsgSv, NULL for DxpMsg */
	char *payload;		/* Data, decoded */
	size_t plen;
};

/* Nonzero when an element of that local name and namespace (may be
 * NULL) is the root of an envelope. */
int envelope_is_root(const char *local, const char *ns);

/*
 * Open the envelope doc, whose bytes (len of them, starting on source
 * line line) it was parsed from: read its transfer header and decode its
 * Data.  Returns 0 with *out set; -1 with *out set (its header read, no
 * payload) when the envelope holds no usable message, *rule naming the
 * rule of the catalogue that is (S-DXP-001: Data is not base64, holds
 * elements or decodes to more than max bytes; S-DXP-004: Data missing or
 * empty), *where the line and why the reason; or -1 with *out NULL when
 * out of memory.  *out takes doc over (a NULL *out leaves it to the
 * caller).
 */
int envelope_open(xmlDocPtr doc, const char *bytes, size_t len, long line,
    size_t max, struct envelope **out, const char **rule, long *where,
    char *why, size_t n);

void envelope_free(struct envelope *e);

/* What envelope_write() puts in TransInfo. */
struct envelope_head {
	const char *copmsgid;	/* 1..255 characters */
	const char *sender;	/* 1..16 */
	const char *const *receivers;	/* 1..5, each 1..16 */
	int nreceivers;
	const char *msgtype;	/* the message's root, e.g. CEB311Message */
	time_t created;		/* CreatTime, written as China time */
};

/*
 * Write the len bytes of msg inside a DxpMsg envelope (an XML
 * declaration, the envelope, no newline after it) to out.  Returns 0, or
 * -1 on a write error or when out of memory (errno set).
 */
int envelope_write(FILE *out, const struct envelope_head *h, const char *msg,
    size_t len);

/*
 * Nonzero when s may be a SenderId or ReceiverId: 1 to 16 characters of
 * printable ASCII without markup characters.
 */
int envelope_id_ok(const char *s);

#endif
