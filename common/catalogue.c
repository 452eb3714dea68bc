/*
 * catalogue.c: the rule catalogue (catalogue.h) assembled from the
 * per-tool lists catalogue-<tool>.def, and --list-rules.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "csvio.h"
#include "i18n.h"

#define E DIAG_ERROR
#define W DIAG_WARNING
#define I DIAG_INFO
#define RULE(name, id, sev, types, fields, customs, source, text) \
	{ id, TOOL, sev, types, fields, customs, source, text },

const struct catalogue_rule catalogue[] = {
#define TOOL "*"
#include "catalogue-stream.def"
#undef TOOL
#define TOOL "ceb-validate"
#include "catalogue-schema.def"
#include "catalogue-validate.def"
#undef TOOL
#define TOOL "ceb-reconcile"
#include "catalogue-reconcile.def"
#undef TOOL
#define TOOL "ceb-quota-check"
#include "catalogue-quota.def"
#undef TOOL
#define TOOL "ceb-manifest-writeoff"
#include "catalogue-writeoff.def"
#undef TOOL
#define TOOL "ceb-sign"
#include "catalogue-sign.def"
#undef TOOL
#define TOOL "ceb-risk"
#include "catalogue-risk.def"
#undef TOOL
};
const size_t catalogue_n = sizeof catalogue / sizeof catalogue[0];

#undef RULE
#undef E
#undef W
#undef I

/*
 * The rules in order of id, made on the first look-up: a finding looks
 * its rule up, and a night has millions of findings (a linear search
 * was 6% of ceb-reconcile's instructions).  catalogue[] itself stays in
 * the order of the .def files, which --list-rules prints.
 */
static const struct catalogue_rule *byid[sizeof catalogue /
    sizeof catalogue[0]];

static int
cmp_rule(const void *a, const void *b)
{
	return strcmp((*(const struct catalogue_rule *const *)a)->id,
	    (*(const struct catalogue_rule *const *)b)->id);
}

static int
cmp_key(const void *k, const void *b)
{
	return strcmp(k, (*(const struct catalogue_rule *const *)b)->id);
}

const struct catalogue_rule *
catalogue_find(const char *id)
{
	const struct catalogue_rule *const *r;
	size_t i;

	if (byid[0] == NULL) {
		for (i = 0; i < catalogue_n; i++)
			byid[i] = &catalogue[i];
		qsort(byid, catalogue_n, sizeof byid[0], cmp_rule);
	}
	r = bsearch(id, byid, catalogue_n, sizeof byid[0], cmp_key);
	return r ? *r : NULL;
}

enum diag_sev
catalogue_sev(const char *id, enum diag_sev fallback)
{
	const struct catalogue_rule *r = catalogue_find(id);

	return r ? r->sev : fallback;
}

int
catalogue_list(FILE *out, const char *tool)
{
	static const char *const hdr[] = { "rule", "tool", "severity",
	    "types", "fields", "customs_code", "source", "description" };
	const char *row[8];
	size_t i;

	if (csvio_write_row(out, hdr, 8) != 0)
		return -1;
	for (i = 0; i < catalogue_n; i++) {
		const struct catalogue_rule *r = &catalogue[i];

		if (strcmp(r->tool, "*") != 0 && strcmp(r->tool, tool) != 0)
			continue;
		row[0] = r->id;
		row[1] = r->tool;
		row[2] = diag_sev_name(r->sev);
		row[3] = r->types;
		row[4] = r->fields;
		row[5] = r->customs;
		row[6] = r->source;
		row[7] = _(r->text);
		if (csvio_write_row(out, row, 8) != 0)
			return -1;
	}
	return 0;
}
