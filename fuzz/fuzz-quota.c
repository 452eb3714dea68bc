/*
 * fuzz-quota.c: ceb-quota-check's per-record entry point in-process.  The
 * input is a mode byte and a CEB stream; its documents (at most 16) are
 * framed and parsed as the tool does, their records taken out by
 * extract_doc() and judged by judge_prepare() / ledger_read() /
 * judge_run() against a small ledger (built at start-up from three of
 * the tool's test fixtures, so that the fuzzed records meet counted,
 * partial and released rows of the same buyers), and the new ledger is
 * written (ledger_write) into the SQLite store (qstore.c).  Mode bits: 0 --key id+name, 1 --date appTime,
 * 2 start from no ledger, 3 quota year from 1 April.
 *
 * Checks:
 *  - every row is judged, holds what the ledger's rows must hold (amounts
 *    and given-back amounts not negative, released within the amount, a
 *    state that fits the verdict) and no buyer's total is negative;
 *  - a judgment made by this run keeps the limits it reports: within
 *    means amount <= single and used + amount <= annual, and so on;
 *  - the ledger written loads again with every row (no duplicate key), has
 *    the old rows plus the new ones, and each buyer's total in it is the
 *    total the run computed;
 *  - a rerun of the same input on the new ledger reports every record
 *    the same way and leaves the same state (when every record has a
 *    guid: without one a message cannot be recognised);
 *  - a cancel (623) of each inventory the run counted, judged afterwards,
 *    gives back exactly amount - released, leaves the row released, and
 *    lowers the buyer's total by exactly what it gave back.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "fuzz.h"
#include "fuzz-quota.h"
#include "input.h"
#include "stream.h"

#define MAX_DOCS 16

static int devnull = -1;
static char *l0;		/* the starting ledger */
static size_t l0len;
static long l0rows;		/* its inventories */

static void
set_policy(struct run *r, int year_start)
{
	r->pol.rows = calloc(2, sizeof *r->pol.rows);
	FUZZ_ASSERT(r->pol.rows != NULL);
	r->pol.n = 2;
	r->pol.year_start = year_start;
	r->pol.rows[0].from = 20160408;
	r->pol.rows[0].single = dec_from_int(2000);
	r->pol.rows[0].annual = dec_from_int(20000);
	r->pol.rows[1].from = 20190101;
	r->pol.rows[1].single = dec_from_int(5000);
	r->pol.rows[1].annual = dec_from_int(26000);
}

static void
start(struct run *r, const char *path, int mode)
{
	qf_run_init(r, path);
	r->key_name = mode & 1;
	r->use_apptime = (mode & 2) != 0;
	r->spool = devnull;
	set_policy(r, mode & 8 ? 401 : 101);
}

/* Frame, parse and extract the documents of bytes; returns how many. */
static int
feed(struct run *r, const uint8_t *data, size_t size)
{
	char path[32], err[256];
	int fd = fuzz_memfile(data, size, path, sizeof path), n = 0, rc;
	struct input *in = input_open(path, err, sizeof err);
	struct stream_opts so;
	struct stream *s;
	struct stream_doc d;
	struct stream_err e;

	/* As the tool reads them: no tree, the fields scanned (common/scan.c). */
	memset(&so, 0, sizeof so);
	so.no_tree = 1;
	FUZZ_ASSERT(in != NULL);
	FUZZ_ASSERT((s = stream_open(in, "fuzz", &so)) != NULL);
	while (n < MAX_DOCS && (rc = stream_next(s, &d, &e)) != STREAM_EOF &&
	    rc != STREAM_FATAL) {
		if (rc != STREAM_DOC)
			continue;
		FUZZ_ASSERT(extract_doc(r, &d) == 0);
		n++;
	}
	stream_close(s);
	input_close(in);
	close(fd);
	return n;
}

/* Run 1..3 of a night: documents, prepare, read, judge, write.  0 or
 * -1. */
static int
night(struct run *r)
{
	int rc = -1;

	if (qstore_open(r) == 0 && ledger_docs(r) == 0 &&
	    judge_prepare(r) == 0 &&
	    ledger_read(r) == 0 && judge_run(r) == 0)
		rc = ledger_write(r);
	qstore_close(r);
	return rc;
}

/* A run that only reads the store (ledger_read) with every key wanted. */
static void
load_all(struct run *r, const char *path)
{
	qf_want_store(r, path);
	FUZZ_ASSERT(qstore_open(r) == 0);
	FUZZ_ASSERT(ledger_read(r) == 0);
	qstore_close(r);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const fixtures[] = { "night1.xml", "order.xml",
	    "return.xml" };
	struct run r;
	size_t i;

	(void)argc;
	(void)argv;
	fuzz_quiet_libxml();
	diag_init("fuzz-quota");
	diag_set_quiet(1);
	if ((devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
		abort();
	qf_unlink(qf_path("l0"));
	start(&r, qf_path("l0"), 0);
	for (i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
		char p[4096];
		size_t len;
		char *b;

		snprintf(p, sizeof p, "%s/tests/quota/fixtures/%s",
		    FUZZ_SRCDIR, fixtures[i]);
		if ((b = qf_read(p, &len)) == NULL) {
			perror(p);
			abort();
		}
		feed(&r, (const uint8_t *)b, len);
		free(b);
	}
	if (night(&r) != 0)
		abort();
	qf_run_free(&r);
	l0 = qf_read(qf_path("l0"), &l0len);
	FUZZ_ASSERT(l0 != NULL);
	l0rows = qf_count(qf_path("l0"));
	return 0;
}

/* The outcome of a judgment made by this run keeps its limits. */
static void
check_judgment(const struct event *e)
{
	struct dec after = dec_add(e->o_used, e->o_amount);
	const struct policy_row *p = e->o_pol;

	FUZZ_ASSERT(p != NULL);
	FUZZ_ASSERT(dec_sign(e->o_used) >= 0 && dec_sign(e->o_amount) >= 0);
	switch (e->out) {
	case O_WITHIN:
		FUZZ_ASSERT(dec_cmp(e->o_amount, p->single) <= 0);
		FUZZ_ASSERT(dec_cmp(after, p->annual) <= 0);
		FUZZ_ASSERT(e->passes);
		break;
	case O_SINGLE_ITEM:
		FUZZ_ASSERT(e->single_item && p->single_item);
		FUZZ_ASSERT(dec_cmp(e->o_amount, p->single) > 0);
		FUZZ_ASSERT(dec_cmp(after, p->annual) <= 0);
		FUZZ_ASSERT(e->passes);
		break;
	case O_OVER_SINGLE:
		/* One item is over only where the policy grants no exception. */
		FUZZ_ASSERT(!e->single_item || !p->single_item);
		FUZZ_ASSERT(dec_cmp(e->o_amount, p->single) > 0);
		FUZZ_ASSERT(!e->passes);
		break;
	case O_OVER_ANNUAL:
		FUZZ_ASSERT(dec_cmp(after, p->annual) > 0);
		FUZZ_ASSERT(!e->passes);
		break;
	case O_CHANGED:
		/* A change taken: the new amount fits the year without the
		 * amount it replaced. */
		FUZZ_ASSERT(e->change);
		FUZZ_ASSERT(dec_cmp(after, p->annual) <= 0);
		FUZZ_ASSERT(e->passes);
		break;
	default:
		FUZZ_ASSERT(!"a judged inventory without a verdict");
	}
}

/* Nonzero when row w has a key (the cancel below names it by one). */
static int
has_key(const struct run *r, const struct row *w)
{
	char k[256];

	return row_key(r, k, sizeof k, 'I', w) == 0 ||
	    row_key(r, k, sizeof k, 'O', w) == 0 ||
	    row_key(r, k, sizeof k, 'A', w) == 0 ||
	    row_key(r, k, sizeof k, 'E', w) == 0;
}

static int
same_outcome(const struct event *a, const struct event *b)
{
	if (a->out != b->out || a->passes != b->passes)
		return 0;
	if (a->out == O_INVALID || a->out == O_OTHER_SHARD ||
	    a->out == O_ORPHAN || a->out == O_LEARNT || a->out == O_NONE)
		return 1;
	return dec_cmp(a->o_amount, b->o_amount) == 0 &&
	    dec_cmp(a->o_used, b->o_used) == 0;
}

static const char *
cpy(struct run *r, const char *s)
{
	return arena_str(&r->ar, s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = qf_path("ledger");
	struct run r1, r2, r3, ra, rb;
	char *l1, *l2, *l3;
	size_t len1, len2, len3, i;
	long newrows = 0, ncancel = 0, rows_a, rows_b;
	int mode, guids = 1;

	if (size < 1)
		return 0;
	mode = data[0];
	qf_unlink(path);
	if (!(mode & 4))
		qf_write(path, l0, l0len);

	/* The night. */
	start(&r1, path, mode);
	if (feed(&r1, data + 1, size - 1) == 0) {
		qf_run_free(&r1);
		return 0;
	}
	FUZZ_ASSERT(night(&r1) == 0);
	for (i = 0; i < r1.rows.n; i++) {
		struct row *w = r1.rows.v[i];

		qf_check_row(w);
		FUZZ_ASSERT(dec_sign(w->py->used) >= 0);
	}
	for (i = 0; i < r1.pys.n; i++)
		FUZZ_ASSERT(dec_sign(((struct pyear *)
		    r1.pys.v[i])->used) >= 0);
	for (i = 0; i < r1.evs.n; i++) {
		struct event *e = r1.evs.v[i];

		if (e->out == O_INVALID || e->out == O_OTHER_SHARD)
			continue;
		if (strcmp(e->guid, "-") == 0)
			guids = 0;
		if (e->kind == E_INVENTORY && e->row != NULL &&
		    rstr(&r1, e->row->guid) == e->guid &&
		    e->out != O_DUPLICATE)
			check_judgment(e);
		if (e->out == O_RELEASED)
			FUZZ_ASSERT(dec_sign(e->o_amount) >= 0 &&
			    dec_sign(e->o_used) >= 0);
	}

	/* The ledger written: every row loads, totals agree. */
	l1 = qf_dump(path, &len1);
	FUZZ_ASSERT(l1 != NULL);
	start(&ra, path, mode);
	load_all(&ra, path);
	rows_a = qf_count(path);
	newrows = (long)r1.nnew;
	FUZZ_ASSERT(rows_a == (mode & 4 ? 0 : l0rows) + newrows);
	if ((long)ra.rows.n == rows_a)
		for (i = 0; i < r1.pys.n; i++) {
			struct pyear *p = r1.pys.v[i];
			struct pyear *q = pyear_get(&ra, p->person, p->year, 0);

			FUZZ_ASSERT(dec_cmp(p->used, q ? q->used :
			    dec_from_int(0)) == 0);
		}

	/* A rerun of the same input: the same outcomes, the same ledger. */
	if (guids) {
		start(&r2, path, mode);
		feed(&r2, data + 1, size - 1);
		FUZZ_ASSERT(night(&r2) == 0);
		FUZZ_ASSERT(r2.evs.n == r1.evs.n);
		for (i = 0; i < r1.evs.n; i++)
			FUZZ_ASSERT(same_outcome(r1.evs.v[i], r2.evs.v[i]));
		l2 = qf_dump(path, &len2);
		FUZZ_ASSERT(l2 != NULL && len2 == len1 &&
		    memcmp(l1, l2, len1) == 0);
		free(l2);
		qf_run_free(&r2);
	}

	/* Cancel every inventory the night counted. */
	start(&r3, path, mode);
	for (i = 0; i < r1.rows.n; i++) {
		struct row *w = r1.rows.v[i];
		struct event *e;
		char k[256];

		if (w->state != S_COUNTED && w->state != S_PARTIAL)
			continue;
		if (!has_key(&r1, w))
			continue;
		e = arena_alloc(&r3.ar, sizeof *e);
		FUZZ_ASSERT(e != NULL && vec_push(&r3.evs, e) == 0);
		snprintf(k, sizeof k, "fuzz-cancel-%zu", i);
		e->kind = E_CANCEL;
		e->seq = r3.evs.n - 1;
		e->time = 99991231235959ULL;
		e->source = "fuzz";
		e->type = "CEB623";
		e->msgguid = "";
		e->guid = cpy(&r3, k);
		e->person = "";
		e->invtno = cpy(&r3, rstr(&r1, w->invtno));
		e->ebp = cpy(&r3, rstr(&r1, w->ebp));
		e->orderno = cpy(&r3, rstr(&r1, w->orderno));
		e->ebc = cpy(&r3, rstr(&r1, w->ebc));
		e->agent = cpy(&r3, rstr(&r1, w->agent));
		e->copno = cpy(&r3, rstr(&r1, w->copno));
		e->releases = 1;
		e->row = w;	/* the row of the night, for the check below */
		ncancel++;
	}
	if (ncancel > 0) {
		for (i = 0; i < r3.evs.n; i++)	/* judge_run finds its own */
			((struct event *)r3.evs.v[i])->row = NULL;
		FUZZ_ASSERT(night(&r3) == 0);
		l3 = qf_dump(path, &len3);
		FUZZ_ASSERT(l3 != NULL);
		start(&rb, path, mode);
		load_all(&rb, path);
		rows_b = qf_count(path);
		FUZZ_ASSERT(rows_b == rows_a);
		{
			size_t j = 0;

			for (i = 0; i < r1.rows.n; i++) {
				struct row *w = r1.rows.v[i], *c;
				struct event *e;

				if (w->state != S_COUNTED &&
				    w->state != S_PARTIAL)
					continue;
				if (!has_key(&r1, w))
					continue;
				e = r3.evs.v[j++];
				FUZZ_ASSERT(e->out == O_RELEASED);
				FUZZ_ASSERT(dec_cmp(e->o_amount,
				    dec_sub(w->amount, w->released)) == 0);
				c = e->row;
				FUZZ_ASSERT(c != NULL && c->state == S_RELEASED);
				FUZZ_ASSERT(dec_cmp(c->released, c->amount) == 0);
				qf_check_row(c);
			}
		}
		/* Totals: what the night counted, less what was given back. */
		if ((long)rb.rows.n == rows_b &&
		    (long)ra.rows.n == rows_a)
			for (i = 0; i < ra.pys.n; i++) {
				struct pyear *p = ra.pys.v[i];
				struct pyear *q = pyear_get(&rb, p->person,
				    p->year, 0);
				struct dec given = dec_from_int(0);
				size_t j;

				for (j = 0; j < r3.evs.n; j++) {
					struct event *e = r3.evs.v[j];

					if (e->row && e->row->py &&
					    strcmp(e->row->py->person,
					    p->person) == 0 &&
					    e->row->py->year == p->year)
						given = dec_add(given,
						    e->o_amount);
				}
				FUZZ_ASSERT(q != NULL);
				FUZZ_ASSERT(dec_cmp(q->used,
				    dec_sub(p->used, given)) == 0);
				FUZZ_ASSERT(dec_sign(q->used) >= 0);
			}
		free(l3);
		qf_run_free(&rb);
	}
	qf_run_free(&r3);
	qf_run_free(&ra);
	qf_run_free(&r1);
	free(l1);
	return 0;
}
