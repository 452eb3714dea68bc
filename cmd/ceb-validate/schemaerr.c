/*
 * schemaerr.c: schema errors (common/schema.h) as ceb-validate's findings:
 * located at the node libxml2 names, given the path of that node, with
 * the value it quotes masked when the field holds personal data, and
 * assigned to the record that holds the node so that only that record
 * fails.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "i18n.h"
#include "mask.h"
#include "validate.h"

/* Personal fields whose values are masked in schema error texts. */
static int
personal_kind(const char *field)
{
	static const struct { const char *name; int kind; } f[] = {
		{ "buyerIdNumber", MASK_ID }, { "payerIdNumber", MASK_ID },
		{ "consigneeIdNumber", MASK_ID }, { "idNumber", MASK_ID },
		{ "buyerTelephone", MASK_PHONE },
		{ "consigneeTelephone", MASK_PHONE },
		{ "payerTelephone", MASK_PHONE }, { "telephone", MASK_PHONE },
		{ "buyerName", MASK_NAME }, { "payerName", MASK_NAME },
		{ "consignee", MASK_NAME }, { "consigneeName", MASK_NAME },
		{ "consigneeAddress", MASK_ADDRESS }, { "address", MASK_ADDRESS },
	};
	size_t i;

	for (i = 0; i < sizeof f / sizeof f[0]; i++)
		if (strcmp(field, f[i].name) == 0)
			return f[i].kind;
	return -1;
}

/*
 * The value quoted in a libxml2 message ("The value 'x' ..." or "'x' is
 * not a valid value ...") masked when the field is personal.
 */
static const char *
masked_text(const struct schema_error *x, char *buf, size_t n)
{
	const char *p, *q;
	char val[400], mv[400];
	int kind;

	if (!mask_on() || (kind = personal_kind(x->field)) < 0)
		return x->text;
	if ((p = strstr(x->text, "The value '")) != NULL)
		p += 11;
	else if (x->text[0] == '\'')
		p = x->text + 1;
	else
		return x->text;
	if ((q = strstr(p, "' ")) == NULL && (q = strrchr(p, '\'')) == NULL)
		return x->text;
	snprintf(val, sizeof val, "%.*s", (int)(q - p), p);
	mask((enum mask_kind)kind, val, mv, sizeof mv);
	snprintf(buf, n, "%.*s%s%s", (int)(p - x->text), x->text, mv, q);
	return buf;
}

/* Index (0-based) of the record holding node, or -1 outside records. */
long
serr_record_of(const struct msg *m, xmlNodePtr *recs, long nrec, xmlNodePtr node)
{
	long i;

	while (node && node->parent && node->parent != m->root)
		node = node->parent;
	if (node == NULL || node->parent != m->root)
		return -1;
	for (i = 0; i < nrec; i++)
		if (recs[i] == node)
			return i;
	return -1;
}

void
serr_report(const struct diag_loc *at, const struct msg *m,
    const struct schema_error *x, struct rules_result *res)
{
	struct diag_loc loc = *at;
	char path[512], buf[600];
	const char *text = masked_text(x, buf, sizeof buf);

	if (x->node)
		loc.line = msg_line(m, x->node);
	else if (x->line > 0)
		loc.line = m->flat ? m->line_base : m->line_base + x->line - 1;
	if (x->node)
		schema_node_path(x->node, path, sizeof path);
	else
		path[0] = '\0';
	diag_finding(&loc, x->rule, DIAG_ERROR, x->field, NULL, "%s%s%s",
	    path, path[0] ? ": " : "", text);
	if (res && res->n < sizeof res->item / sizeof res->item[0]) {
		snprintf(res->item[res->n].rule, sizeof res->item[0].rule,
		    "%s", x->rule);
		size_t fl = strlen(x->field);

		snprintf(res->item[res->n].text, sizeof res->item[0].text,
		    "%.*s%s%.*s", (int)fl, x->field, fl ? ": " : "",
		    (int)(sizeof res->item[0].text - 3 - fl), text);
		schema_utf8_trim(res->item[res->n].text);
		res->n++;
	}
}

void
serr_trouble_once(struct tool *t, const char *root, const char *why)
{
	size_t i;

	for (i = 0; i < t->nbad; i++)
		if (strcmp(t->bad_roots[i], root) == 0)
			return;
	if (t->nbad < sizeof t->bad_roots / sizeof t->bad_roots[0])
		t->bad_roots[t->nbad++] = strdup(root);
	diag_trouble(NULL, 0, _("schema for %s: %s"), root, why);
}
