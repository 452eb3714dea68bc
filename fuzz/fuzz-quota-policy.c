/*
 * fuzz-quota-policy.c: the quota policy loader (common/policy.c,
 * tables/quota-policy.csv format) over arbitrary bytes, with the quota
 * year starting on one of five days chosen by the input's length.
 *
 * Checks, whenever the loader accepts the file: it has rows, sorted by
 * strictly increasing real days, with positive limits; policy_at() finds
 * no row before the first day and each row on its own first day and until
 * the next row's; every quota year from the first row's on has limits
 * (policy_for_year); a day belongs to its calendar year or the one
 * before; the policy written back as CSV loads to the same rows.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "fuzz.h"
#include "quota.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	diag_init("fuzz-quota-policy");
	diag_set_quiet(1);
	return 0;
}

/* The day before YYYYMMDD, or -1 (for the first day of a month). */
static long
day_before(long d)
{
	return d % 100 > 1 ? d - 1 : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int starts[] = { 101, 401, 701, 1001, 301 };
	struct policy p, q;
	char path[32], path2[32], err[512];
	long line;
	int fd, fd2;
	size_t i;

	memset(&p, 0, sizeof p);
	p.year_start = starts[size % 5];
	fd = fuzz_memfile(data, size, path, sizeof path);
	if (policy_load(&p, path, err, sizeof err, &line) != 0) {
		FUZZ_ASSERT(err[0] != '\0');
		policy_free(&p);
		close(fd);
		return 0;
	}
	close(fd);
	FUZZ_ASSERT(p.n > 0);
	FUZZ_ASSERT(policy_at(&p, 18991231) == NULL);
	FUZZ_ASSERT(policy_at(&p, 99991231) == &p.rows[p.n - 1]);
	for (i = 0; i < p.n; i++) {
		const struct policy_row *w = &p.rows[i];
		char d[16];
		long b = day_before(w->from);
		int y = (int)(w->from / 10000), py;

		snprintf(d, sizeof d, "%ld", w->from);
		FUZZ_ASSERT(policy_parse_day(d) == w->from);
		FUZZ_ASSERT(dec_sign(w->single) > 0 && dec_sign(w->annual) > 0);
		FUZZ_ASSERT(i == 0 || w->from > p.rows[i - 1].from);
		FUZZ_ASSERT(policy_at(&p, w->from) == w);
		if (b > 0)
			FUZZ_ASSERT(policy_at(&p, b) ==
			    (i == 0 ? NULL : &p.rows[i - 1]));
		py = policy_year(&p, w->from);
		FUZZ_ASSERT(py == y || py == y - 1);
		FUZZ_ASSERT(policy_for_year(&p, y) != NULL);
		FUZZ_ASSERT(policy_for_year(&p, y)->from >= w->from);
	}

	/* Written back and loaded again: the same rows. */
	{
		char *buf = NULL;
		size_t blen = 0;
		FILE *f = open_memstream(&buf, &blen);

		FUZZ_ASSERT(f != NULL);
		fputs("# written back by fuzz-quota-policy\nfrom,single,"
		    "annual,single_item,return_days\n", f);
		for (i = 0; i < p.n; i++) {
			char s[64], a[64];

			char r[16] = "";

			if (p.rows[i].return_days >= 0)
				snprintf(r, sizeof r, "%d",
				    p.rows[i].return_days);
			fprintf(f, "%04ld-%02ld-%02ld,%s,%s,%s,%s\n",
			    p.rows[i].from / 10000, p.rows[i].from / 100 % 100,
			    p.rows[i].from % 100,
			    dec_format(p.rows[i].single, 0, s, sizeof s),
			    dec_format(p.rows[i].annual, 0, a, sizeof a),
			    p.rows[i].single_item ? "yes" : "no", r);
		}
		FUZZ_ASSERT(fclose(f) == 0);
		memset(&q, 0, sizeof q);
		q.year_start = p.year_start;
		fd2 = fuzz_memfile((const uint8_t *)buf, blen, path2,
		    sizeof path2);
		FUZZ_ASSERT(policy_load(&q, path2, err, sizeof err, &line) ==
		    0);
		close(fd2);
		free(buf);
	}
	FUZZ_ASSERT(q.n == p.n);
	for (i = 0; i < p.n; i++) {
		FUZZ_ASSERT(q.rows[i].from == p.rows[i].from);
		FUZZ_ASSERT(dec_cmp(q.rows[i].single, p.rows[i].single) == 0);
		FUZZ_ASSERT(dec_cmp(q.rows[i].annual, p.rows[i].annual) == 0);
		FUZZ_ASSERT(q.rows[i].single_item == p.rows[i].single_item);
		FUZZ_ASSERT(q.rows[i].return_days == p.rows[i].return_days);
	}
	policy_free(&p);
	policy_free(&q);
	return 0;
}
