/*
 * rules.c: stub of the business-rule catalogue (issue 5 replaces it).
 * It loads nothing, lists no rule and finds nothing, so that the
 * structural layer of ceb-validate builds and runs on its own.
 */
#include <stdlib.h>

#include "rules.h"

struct rules {
	int edition;
};

struct rules *
rules_load(const struct rules_opts *o, char *err, size_t n)
{
	struct rules *r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, n, "out of memory");
		return NULL;
	}
	r->edition = o->edition;
	return r;
}

void
rules_free(struct rules *r)
{
	free(r);
}

int
rules_list(FILE *out)
{
	(void)out;
	return 0;
}

int
rules_check_record(const struct rules *r, const struct msg *m,
    xmlNodePtr rec, const struct diag_loc *loc, struct rules_result *res)
{
	(void)r; (void)m; (void)rec; (void)loc; (void)res;
	return 0;
}

int
rules_check_message(const struct rules *r, const struct msg *m,
    const struct diag_loc *loc, struct rules_result *res)
{
	(void)r; (void)m; (void)loc; (void)res;
	return 0;
}

int
rules_receipt(const struct rules *r, const char *dir, const struct msg *m,
    xmlNodePtr rec, int passed, const struct rules_result *res, char *err,
    size_t n)
{
	(void)r; (void)dir; (void)m; (void)rec; (void)passed; (void)res;
	(void)err; (void)n;
	return 0;
}
