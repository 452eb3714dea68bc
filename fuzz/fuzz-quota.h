/*
 * fuzz-quota.h: what the ceb-quota-check targets share (fuzz-quota-util.c):
 * a scratch directory, files in it, a run reset and freed between inputs,
 * ledger texts sealed the way ledger.c seals them, and a run that loads
 * every row of a ledger.
 */
#ifndef CEB_FUZZ_QUOTA_H
#define CEB_FUZZ_QUOTA_H

#include <stddef.h>
#include <stdint.h>

#include "quota.h"

/* The ledger's first two lines, as ledger.c writes them. */
#define QF_COMMENT "# ceb-quota-check ledger v1: one row per judged " \
	"inventory; the last line seals the file (rows, checksum)"
#define QF_HEADER "person,year,date,invtNo,ebpCode,orderNo,ebcCode," \
	"agentCode,copNo,amount,lines,verdict,state,used,released,guid,events"

/* A private scratch directory (created once, removed at exit). */
const char *qf_dir(void);
/* qf_dir()/name into a static buffer (one of four). */
const char *qf_path(const char *name);

/* Write or read a whole file; abort when the system refuses. */
void qf_write(const char *path, const void *p, size_t len);
/* NULL when the file does not exist; *len its size.  Free the result. */
char *qf_read(const char *path, size_t *len);

/*
 * Build a ledger text: [comment + header lines when with_header] body
 * [+ a newline if missing + "#end rows=N check=X\n" when seal], N being
 * the lines after the header line, X the FNV-1a 64 of every byte before
 * the seal.  Returns a malloc'd buffer and its length in *len.
 */
char *qf_ledger(const uint8_t *body, size_t n, int with_header, int seal,
    size_t *len);

/* The data rows of a ledger text (lines after its header, before a '#'
 * line that follows the header). */
long qf_rows(const char *text, size_t len);

/* A fresh run on the ledger at path (policy left empty). */
void qf_run_init(struct run *r, const char *path);
/* Everything the run holds (the policy too). */
void qf_run_free(struct run *r);

/*
 * Mark as wanted the inventory keys of every data row of the ledger text
 * (as judge_prepare does for the run's events), so that ledger_read()
 * loads every row that has a key.
 */
void qf_want_rows(struct run *r, const char *text, size_t len);

/* Check what a loaded row must hold (the seal of check_row()). */
void qf_check_row(const struct row *w);

/* The store (qstore.c) at path: its number of inventories; mark every key
 * it holds as wanted (so ledger_read() loads every row); its content as
 * text (malloc'd; run numbers and times left out); remove it and the
 * files beside it. */
long qf_count(const char *path);
void qf_want_store(struct run *r, const char *path);
char *qf_dump(const char *path, size_t *len);
void qf_unlink(const char *path);

#endif
