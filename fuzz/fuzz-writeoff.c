/*
 * fuzz-writeoff.c: ceb-manifest-writeoff's readers in-process -- the
 * carrier manifest readers (mft-csv.c, mft-xml.c with its DxpMsg
 * envelopes), the CEB intake per record (ceb.c: 603, 604, 605/606, 607,
 * 509, 505, 507, 701) and the normalisation (norm.c) -- followed by the
 * write-off judgement (engine.c) over whatever was read.
 *
 * The first byte chooses; the rest is the input:
 *   bits 0-1  0: a CSV manifest; 1: one XML document (a manifest, an
 *             envelope or a CEB message); 2: the norm_* functions over
 *             the bytes as a string; 3: the same XML document read twice
 *             (a resend within the night)
 *   bit 2     --csv-modes ceb (else auto)
 *   bit 3     --csv-map billNo=MAWB,logisticsNo=HAWB
 *   bit 4     --shard 2/3
 *   bits 5-7  --grace days (0..7); an odd grace also runs with every
 *             record, index and string in the spill file (--memory 1:
 *             spill.c's region and its page drops instead of malloc)
 *
 * Checks, beyond "no crash": every stored manifest entry, parcel and bill
 * is found again under its key; keys are normalised (normalising them
 * again changes nothing) and transport modes are one of the known
 * letters; parcel links point at existing bills; after the judgement a
 * parcel is unresolved, resolved or newly final, and every parcel newly
 * final has its done row.  norm_*: the output is NUL-terminated within its
 * buffer, has no blank, dash or lower-case ASCII letter (bills), is
 * idempotent (bills, voyages), and a valid day prints back as itself.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "fuzz.h"
#include "stream.h"
#include "wo.h"

static struct wo w;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_libxml();
	diag_init("fuzz-writeoff");
	diag_set_quiet(1);
	return 0;
}

static int
is_mode(char m)
{
	return m != '\0' && strchr("ASRTP", m) != NULL;
}

static void
check_norm_bill(const char *s)
{
	char a[64], b[64];
	size_t i;

	norm_bill(s, a, sizeof a);
	FUZZ_ASSERT(memchr(a, '\0', sizeof a) != NULL);
	for (i = 0; a[i]; i++)
		FUZZ_ASSERT(a[i] != ' ' && a[i] != '-' && a[i] != '\t' &&
		    !(a[i] >= 'a' && a[i] <= 'z'));
	norm_bill(a, b, sizeof b);
	FUZZ_ASSERT(strcmp(a, b) == 0);
	norm_lno(s, b, sizeof b);
	FUZZ_ASSERT(strcmp(a, b) == 0);
}

static void
check_norm(const char *s)
{
	static const char modes[] = "ASRTP?";
	char a[32], b[32], day[9];
	long d;
	size_t k;

	check_norm_bill(s);
	for (k = 0; k < sizeof modes - 1; k++) {
		norm_voyage(s, modes[k], a, sizeof a);
		FUZZ_ASSERT(memchr(a, '\0', sizeof a) != NULL);
		FUZZ_ASSERT(strchr(a, '/') == NULL);
		norm_voyage(a, modes[k], b, sizeof b);
		FUZZ_ASSERT(strcmp(a, b) == 0);
		FUZZ_ASSERT(norm_mode_name(modes[k]) != NULL);
	}
	FUZZ_ASSERT(strchr(modes, norm_mode_ceb(s)) != NULL);
	FUZZ_ASSERT(strchr(modes, norm_mode_mft(s)) != NULL);
	FUZZ_ASSERT(strchr(modes, norm_mode_word(s, 0)) != NULL);
	FUZZ_ASSERT(strchr(modes, norm_mode_word(s, 1)) != NULL);
	if ((d = norm_day(s)) >= 0) {
		norm_day_str(d, day);
		FUZZ_ASSERT(strncmp(day, s, 8) == 0);
	}
}

/* The records read are found again under their keys. */
static void
check_world(void)
{
	char buf[512];
	size_t i;
	struct ment_row r;
	struct ment_it it;

	memset(&r, 0, sizeof r);
	ment_iter(&it, NULL);
	while (ment_next(&it, &r)) {
		const struct mentry *m = &r.m;

		if (m->deleted)
			continue;
		FUZZ_ASSERT(ment_find(m->key, NULL) == r.id);
		FUZZ_ASSERT(is_mode(m->mode));
		FUZZ_ASSERT(*m->master != '\0' && *m->voyage != '\0');
		norm_bill(m->master, buf, sizeof buf);
		FUZZ_ASSERT(strcmp(buf, m->master) == 0);
		norm_bill(m->house, buf, sizeof buf);
		FUZZ_ASSERT(strcmp(buf, m->house) == 0);
	}
	ment_row_free(&r);
	for (i = 0; i < w.nb; i++) {
		const struct bill *b = &w.b[i];

		FUZZ_ASSERT(wo_index_get(&w.bidx, b->key) == (long)i);
		FUZZ_ASSERT(b->msgCount >= 0 && b->msgCount <= 100000);
		FUZZ_ASSERT(b->parts == NULL || b->nparts_alloc >= b->msgCount);
	}
	for (i = 0; i < w.np; i++) {
		const struct parcel *p = &w.p[i];

		FUZZ_ASSERT(wo_index_get(&w.pidx, p->lno) == (long)i);
		norm_lno(p->lno, buf, sizeof buf);
		FUZZ_ASSERT(strcmp(buf, p->lno) == 0);
		FUZZ_ASSERT(p->bill < (long)w.nb && p->bill2 < (long)w.nb);
		FUZZ_ASSERT(p->dep < (long)w.nb && p->dep2 < (long)w.nb);
		FUZZ_ASSERT(p->bill2 < 0 || p->bill >= 0);
		FUZZ_ASSERT(p->cancel >= CAN_NONE && p->cancel <= CAN_REJECTED);
		FUZZ_ASSERT(wo_mine(&w, p->lno));
	}
}

static void
judge(void)
{
	size_t i;

	engine_run(&w);
	for (i = 0; i < w.np; i++) {
		const struct parcel *p = &w.p[i];

		FUZZ_ASSERT(p->resolved >= 0 && p->resolved <= 2);
		if (p->resolved == 2)
			FUZZ_ASSERT(done_has(p->lno));
	}
}

static void
take_xml(const uint8_t *data, size_t size)
{
	struct stream_err err;
	struct stream_doc d;

	memset(&err, 0, sizeof err);
	memset(&d, 0, sizeof d);
	if ((d.doc = stream_parse_memory((const char *)data, size, "fuzz",
	    &err)) == NULL)
		return;
	d.source = "fuzz";
	d.index = 1;
	d.line = 1;
	d.bytes = (const char *)data;
	d.len = size;
	if (mft_take_doc(&w, &d, xmlDocGetRootElement(d.doc)) == 0)
		ceb_take(&w, &d, 0);
	xmlFreeDoc(d.doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned op;
	char path[32], *s;
	int fd;

	if (size < 1)
		return 0;
	op = data[0];
	data++;
	size--;
	memset(&w, 0, sizeof w);
	w.o.now_str = "20260308";
	w.o.now = norm_day(w.o.now_str);
	w.o.grace = (op >> 5) & 7;
	wo_mem_init(w.o.grace & 1, NULL);
	w.o.keep = 190;
	w.o.tol_is_pct = 1;
	w.o.tol_ppm = 10000;
	w.o.csv_ceb_modes = op & 4 ? 1 : -1;
	w.o.csv_map = op & 8 ? "billNo=MAWB,logisticsNo=HAWB" : NULL;
	w.o.summary_flag = 1;
	w.o.item_name_flag = "1";
	if (op & 16) {
		w.o.shard.k = 2;
		w.o.shard.n = 3;
	}
	switch (op & 3) {
	case 0:
		fd = fuzz_memfile(data, size, path, sizeof path);
		mft_csv_read(&w, path);
		close(fd);
		break;
	case 1:
	case 3:
		take_xml(data, size);
		if ((op & 3) == 3)
			take_xml(data, size);
		break;
	case 2:
		if ((s = malloc(size + 1)) == NULL)
			return 0;
		memcpy(s, data, size);
		s[size] = '\0';
		check_norm(s);
		free(s);
		break;
	}
	check_world();
	judge();
	wo_free(&w);
	return 0;
}
