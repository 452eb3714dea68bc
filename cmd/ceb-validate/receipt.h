/*
 * receipt.h: customs-style receipts for ceb-validate -R DIR.
 *
 * For each record judged, one file in DIR holding a receipt message of
 * the type that answers the record's message (311 -> 312, 621 -> 622, 603
 * -> 604 ..., msg_types[].receipt): returnStatus 100 (退单, rejected) with
 * returnInfo listing the rule IDs and texts of the record's errors, or 120
 * (海关入库, accepted).  Platforms feed these files to the code that reads
 * real customs receipts.  Files are named NNNNNN-CEBnnn-<key>.xml, NNNNNN
 * going on from the highest number already in DIR (1 in an empty one), so
 * that one folder over many nights never holds two receipts with the same
 * number and a sorted listing follows the order they were written in;
 * each is written to a temporary name and renamed.
 */
#ifndef CEB_VALIDATE_RECEIPT_H
#define CEB_VALIDATE_RECEIPT_H

#include <stddef.h>
#include <libxml/tree.h>

#include "msg.h"
#include "rules.h"

struct receipt_writer;

/*
 * A writer into dir (created if missing; a path that is not a directory
 * is refused here, once, before any input is read).  NULL with err on
 * failure.
 */
struct receipt_writer *receipt_writer_new(const char *dir, char *err,
    size_t n);
void receipt_writer_free(struct receipt_writer *w);

/*
 * Write the receipt for record rec of m.  now is the time of the run in
 * seconds, China time (UTC+8) counted as if it were UTC; it gives
 * returnTime.  A message type without a receipt type writes nothing.
 * Returns 0, or -1 with err.
 */
int receipt_write(struct receipt_writer *w, long long now,
    const struct msg *m, xmlNodePtr rec, int passed,
    const struct rules_result *res, char *err, size_t n);

/* yyyyMMddHHmmssSSS of t (seconds, China time counted as if UTC). */
void receipt_stamp(long long t, char out[18]);

#endif
