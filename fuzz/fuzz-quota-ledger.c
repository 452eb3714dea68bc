/*
 * fuzz-quota-ledger.c: the conversion of a ledger of the CSV releases
 * (ledger.c's v1 reader, qstore.c's converter) over arbitrary bytes.
 *
 * The first byte is a mode, the rest the ledger's body:
 *   bit 0  put the ledger's comment and header line in front of the body
 *   bit 1  seal it: append the "#end rows=N check=X" line that matches
 *          the bytes (so the fuzzer reaches past the checksum)
 *   bit 3  the run is shard 1/2 (rows of the other shard are trouble)
 * The text is written as FILE.csv and a run with --ledger FILE.csv and no
 * input converts it into FILE.db, inside the run's transaction.
 *
 * Checks: the conversion either fails and commits nothing (the store
 * holds no inventory), or it commits, and then the store holds one
 * inventory per data row, every row loads (ledger_read, every key
 * wanted) and holds what a row must hold, and each buyer's total is the
 * sum of its events and of its counted rows (--check).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "fuzz.h"
#include "fuzz-quota.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_libxml();
	diag_init("fuzz-quota-ledger");
	diag_set_quiet(1);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char csv[4200], db[4200];
	struct run r, ra;
	char *text;
	size_t len, i;
	int mode, rc;

	if (size < 1)
		return 0;
	mode = data[0];
	snprintf(csv, sizeof csv, "%s", qf_path("ledger.csv"));
	snprintf(db, sizeof db, "%s", qf_path("ledger.db"));
	qf_unlink(csv);
	qf_unlink(db);
	text = qf_ledger(data + 1, size - 1, mode & 1, mode & 2, &len);
	qf_write(csv, text, len);
	qf_run_init(&r, csv);
	if (mode & 8) {
		r.shard.k = 1;
		r.shard.n = 2;
	}
	rc = qstore_open(&r);
	if (rc == 0)
		rc = ledger_docs(&r);
	if (rc == 0)
		rc = ledger_write(&r);
	qstore_close(&r);
	if (rc != 0) {
		/* Nothing committed. */
		if (access(db, F_OK) == 0)
			FUZZ_ASSERT(qf_count(db) == 0);
		qf_run_free(&r);
		free(text);
		return 0;
	}
	FUZZ_ASSERT(qf_count(db) == qf_rows(text, len));
	qf_run_init(&ra, csv);
	ra.shard = r.shard;
	qf_want_store(&ra, db);
	FUZZ_ASSERT(qstore_open(&ra) == 0);
	FUZZ_ASSERT(ledger_read(&ra) == 0);
	qstore_close(&ra);
	for (i = 0; i < ra.rows.n; i++)
		qf_check_row(ra.rows.v[i]);
	qf_run_free(&ra);
	qf_run_init(&ra, csv);
	FUZZ_ASSERT(ledger_check(&ra) == 0);
	qf_run_free(&ra);
	qf_run_free(&r);
	free(text);
	return 0;
}
