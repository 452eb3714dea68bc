/*
 * fuzz-quota-ledger.c: ceb-quota-check's ledger loader (ledger.c) over
 * arbitrary bytes, and the round trip load -> save -> load.
 *
 * The first byte is a mode, the rest the ledger's body:
 *   bit 0  put the ledger's comment and header line in front of the body
 *   bit 1  seal it: append the "#end rows=N check=X" line that matches
 *          the bytes (so the fuzzer reaches past the checksum)
 *   bit 2  first run --reseal on it (ledger_reseal), as an operator does
 *          after editing a ledger by hand
 *   bit 3  the run is shard 1/2 (rows of the other shard are trouble)
 * The keys of every row are marked wanted, so ledger_read() loads every
 * row that has a key (a run loads only the rows its events name).
 *
 * Checks, whenever the loader accepts the ledger: the rows counted are
 * the rows in the file; every loaded row holds what check_row() promises
 * (amounts not negative, released within the amount, a state that fits
 * the verdict); when every row was loaded, each buyer's total for a year
 * is the sum over their counted rows of amount - released; a ledger whose
 * rows are all rewritten (ledger_write) loads again with the same rows and
 * totals; writing it again gives the same bytes, and so does writing it
 * without changes.  A successful --reseal gives a ledger that loads.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	(void)qf_dir();
	return 0;
}

/* Check the totals of a run that loaded every row. */
static void
check_totals(struct run *r)
{
	size_t i, j;

	for (i = 0; i < r->pys.n; i++) {
		struct pyear *py = r->pys.v[i];
		struct dec sum = dec_from_int(0);

		for (j = 0; j < r->rows.n; j++) {
			struct row *w = r->rows.v[j];

			if (w->py == py && verdict_counted(w->verdict) &&
			    w->state != S_REJECTED)
				sum = dec_add(sum, dec_sub(w->amount,
				    w->released));
		}
		FUZZ_ASSERT(dec_cmp(sum, py->used) == 0);
		FUZZ_ASSERT(dec_sign(py->used) >= 0);
	}
}

static void
mark_all(struct run *r)
{
	size_t i;

	for (i = 0; i < r->rows.n; i++)
		((struct row *)r->rows.v[i])->changed = 1;
}

static void
set_shard(struct run *r, int mode)
{
	if (mode & 8)
		FUZZ_ASSERT(shard_parse("1/2", &r->shard) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = qf_path("ledger");
	struct run r1, r2, r3;
	char *text, *t2, *t3, *t4;
	size_t len, l2, l3, l4, i;
	int mode;

	if (size < 1)
		return 0;
	mode = data[0];
	text = qf_ledger(data + 1, size - 1, mode & 1, mode & 2, &len);
	qf_write(path, text, len);
	if (mode & 4) {
		qf_run_init(&r1, path);
		set_shard(&r1, mode);
		if (ledger_reseal(&r1) == 0) {
			free(text);
			text = qf_read(path, &len);
			FUZZ_ASSERT(text != NULL);
			qf_run_free(&r1);
			qf_run_init(&r1, path);
			set_shard(&r1, mode);
			/* Nothing wanted: no row loaded, every row checked. */
			if (ledger_read(&r1) == 0)
				FUZZ_ASSERT(r1.ledger_rows ==
				    qf_rows(text, len));
			else	/* only the shard may refuse it */
				FUZZ_ASSERT(mode & 8);
		}
		qf_run_free(&r1);
	}

	qf_run_init(&r1, path);
	set_shard(&r1, mode);
	qf_want_rows(&r1, text, len);
	if (ledger_read(&r1) != 0) {
		qf_run_free(&r1);
		free(text);
		return 0;
	}
	FUZZ_ASSERT(r1.ledger_exists);
	FUZZ_ASSERT(r1.ledger_rows == qf_rows(text, len));
	FUZZ_ASSERT((long)r1.rows.n <= r1.ledger_rows);
	for (i = 0; i < r1.rows.n; i++) {
		struct row *w = r1.rows.v[i];

		qf_check_row(w);
		FUZZ_ASSERT(w->line > 0 && w->py != NULL);
		FUZZ_ASSERT(i == 0 ||
		    w->line > ((struct row *)r1.rows.v[i - 1])->line);
	}
	if ((long)r1.rows.n == r1.ledger_rows)
		check_totals(&r1);

	/* Every loaded row rewritten by format_row(), then loaded again. */
	mark_all(&r1);
	FUZZ_ASSERT(ledger_write(&r1) == 0);
	t2 = qf_read(path, &l2);
	FUZZ_ASSERT(t2 != NULL);
	qf_run_init(&r2, path);
	set_shard(&r2, mode);
	qf_want_rows(&r2, t2, l2);
	FUZZ_ASSERT(ledger_read(&r2) == 0);
	FUZZ_ASSERT(r2.ledger_rows == r1.ledger_rows);
	FUZZ_ASSERT(r2.rows.n == r1.rows.n);
	for (i = 0; i < r1.rows.n; i++) {
		struct row *a = r1.rows.v[i], *b = r2.rows.v[i];

		FUZZ_ASSERT(qf_row_same(a, b));
		FUZZ_ASSERT(dec_cmp(a->py->used, b->py->used) == 0);
	}
	if ((long)r2.rows.n == r2.ledger_rows)
		check_totals(&r2);

	/* Idempotence: rewriting every row again changes no byte. */
	mark_all(&r2);
	FUZZ_ASSERT(ledger_write(&r2) == 0);
	t3 = qf_read(path, &l3);
	FUZZ_ASSERT(t3 != NULL && l3 == l2 && memcmp(t2, t3, l2) == 0);

	/* A run that loads nothing and changes nothing writes the same. */
	qf_run_init(&r3, path);
	set_shard(&r3, mode);
	FUZZ_ASSERT(ledger_read(&r3) == 0);
	FUZZ_ASSERT(ledger_write(&r3) == 0);
	t4 = qf_read(path, &l4);
	FUZZ_ASSERT(t4 != NULL && l4 == l2 && memcmp(t2, t4, l2) == 0);

	qf_run_free(&r1);
	qf_run_free(&r2);
	qf_run_free(&r3);
	free(text);
	free(t2);
	free(t3);
	free(t4);
	return 0;
}
