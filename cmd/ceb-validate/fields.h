/*
 * fields.h: the fields the business rules read (rules.c), gathered once
 * per message into a struct fdoc, either from a parsed tree
 * (fdoc_from_tree()) or from the SAX events of the one pass that also
 * validates the message (fdoc_start(), fdoc_text(), fdoc_end()), so that
 * the rules never need a tree.  Both ways give the same values and the
 * same lines: a field's value is the text of its element (every text and
 * CDATA run inside it, comments left out), the first occurrence of a name
 * wins, and a line is the source line of the element's start tag (its
 * closing '>', as libxml2 numbers elements).
 *
 * What is kept, by the message type's table (msg.h): each record (child
 * of the root named type->record), the fields of its head (the first
 * child named type->head, or the record itself when the type has no
 * head), each of its lines (every child named type->list) and their
 * fields; the root's line, whether the root has a ds:Signature child, and
 * copCode of the first BaseTransfer.  Elements count only in the CEB
 * namespace (ds:Signature in its own).
 *
 * Values live in one arena per message, so that memory follows the
 * message, not the number of names the rules know.
 */
#ifndef CEB_VALIDATE_FIELDS_H
#define CEB_VALIDATE_FIELDS_H

#include <stddef.h>
#include <libxml/tree.h>

#include "msg.h"

/* The fields the rules read, by element local name. */
#define FIELDS(X) \
	X(guid) X(appType) X(appTime) X(appStatus) X(orderType) X(orderNo) \
	X(ebpCode) X(ebcCode) X(goodsValue) X(freight) X(discount) \
	X(taxTotal) X(acturalPaid) X(currency) X(buyerIdType) \
	X(buyerIdNumber) X(payerIdType) X(payerIdNumber) X(payCode) \
	X(agentCode) X(assureCode) X(operatorCode) X(logisticsCode) \
	X(amountPaid) X(payTime) X(insuredFee) X(weight) X(packNo) \
	X(logisticsStatus) X(logisticsTime) X(ieFlag) X(declTime) X(ieDate) \
	X(customsCode) X(portCode) X(tradeMode) X(trafMode) X(trafNo) \
	X(voyageNo) X(billNo) X(emsNo) X(areaCode) X(areaName) X(country) \
	X(wrapType) X(grossWeight) X(netWeight) X(consigneeDistrict) X(POD) \
	X(fCurrency) X(iCurrency) X(leaveTime) X(accountingDate) \
	X(startTime) X(endTime) X(msgCount) X(msgSeqNo) X(returnStatus) \
	X(returnTime) X(opDate) X(charge) X(gnum) X(itemRecordNo) X(gcode) \
	X(qty) X(qty1) X(qty2) X(unit) X(unit1) X(unit2) X(price) \
	X(totalPrice) X(tradeCountry) X(copNo) X(logisticsNo) \
	X(payTransactionId) X(invtNo) X(taxNo) X(coElNo) X(sumNo) \
	X(declSeqNo) X(oriMessageType) X(oriCopMsgId) X(itemNo) \
	X(taxPrice) X(customsTax) X(valueAddedTax) X(consumptionTax)

enum field {
#define X(f) F_##f,
	FIELDS(X)
#undef X
	NFIELDS
};

extern const char *const field_names[NFIELDS];

/* The field of an element's local name, or -1. */
int field_of(const char *name);

/*
 * The values of one head (or one line), by field: NULL when absent, ""
 * when empty; ln[] the source line of each (0 when absent).
 */
struct fieldset {
	const char *v[NFIELDS];
	long ln[NFIELDS];
};

struct fdoc;

/* A new, empty collection; NULL when out of memory. */
struct fdoc *fdoc_new(void);
void fdoc_free(struct fdoc *d);

/* The bytes d holds (its arrays as they have grown). */
size_t fdoc_footprint(const struct fdoc *d);

/*
 * Start collecting the SAX events of one message of type t (NULL: keep
 * nothing but the root's line) whose first line is line_base.
 */
void fdoc_reset(struct fdoc *d, const struct msg_type *t, long line_base);

/*
 * The SAX events, in document order: a start tag (local name, namespace
 * URI or NULL, libxml2's line of it, relative to the message), character
 * data (text and CDATA alike), an end tag.  Names and URIs are told
 * apart by their pointers too: between two fdoc_reset() calls a pointer
 * handed to fdoc_start() must always hold the same string (a parser's
 * dictionary strings do).
 */
void fdoc_start(struct fdoc *d, const char *local, const char *uri,
    long line);
void fdoc_text(struct fdoc *d, const char *s, size_t len);
void fdoc_end(struct fdoc *d);

/*
 * Collect m (a message of a known type, msg_open() == MSG_OK) from its
 * tree; the tree is not changed.  Returns 0, or -1 when out of memory.
 */
int fdoc_from_tree(struct fdoc *d, const struct msg *m);

/* Nonzero when memory ran out while collecting (the values are lost). */
int fdoc_failed(const struct fdoc *d);

/* Records of the message, and the source line of record i (0-based). */
size_t fdoc_records(const struct fdoc *d);
long fdoc_record_line(const struct fdoc *d, size_t i);

/* The head fields of record i. */
void fdoc_head(const struct fdoc *d, size_t i, struct fieldset *fs);
/* One head field of record i (NULL when absent). */
const char *fdoc_head_field(const struct fdoc *d, size_t i, enum field f);

/* The lines of record i: their indexes run from *first, *n of them. */
void fdoc_lines(const struct fdoc *d, size_t i, size_t *first, size_t *n);
long fdoc_line_line(const struct fdoc *d, size_t k);
void fdoc_line(const struct fdoc *d, size_t k, struct fieldset *fs);
const char *fdoc_line_field(const struct fdoc *d, size_t k, enum field f);

/* The root's source line; whether it has a ds:Signature child. */
long fdoc_root_line(const struct fdoc *d);
int fdoc_signed(const struct fdoc *d);

/* copCode of the first BaseTransfer (NULL when none), and its line. */
const char *fdoc_copcode(const struct fdoc *d, long *line);

/*
 * The business key of record i as msg_key() writes it (key fields joined
 * with '/', "-" for an absent or empty one).  Returns buf.
 */
char *fdoc_key(const struct fdoc *d, size_t i, char *buf, size_t n);

#endif
