/*
 * msrc.c: a message's records read from its scan or its tree (msrc.h).
 */
#include "config.h"

#include <string.h>

#include "diag.h"
#include "i18n.h"
#include "msrc.h"
#include "origin.h"
#include "stream.h"

static void
from_scan(struct msrc *s, const struct scan *sc, long line_base)
{
	s->sc = sc;
	s->m.type = sc->type;
	s->m.guid = sc->guid;
	s->m.line_base = line_base;
	s->st = MSG_OK;
}

int
msrc_open(struct msrc *s, struct scan *sc, const struct stream_doc *d,
    const unsigned char *types)
{
	struct stream_err err;
	int rc = sc != NULL && d->doc == NULL ? scan_doc(sc, d->bytes, d->len,
	    types) : -1;

	memset(s, 0, sizeof *s);
	if (rc == 0) {
		from_scan(s, sc, d->line);
		s->m.flat = d->origin.envelope != NULL;
		s->m.records = d->origin.records;
		return 0;
	}
	if (rc == -2) {
		diag_trouble(d->source, 0, _("out of memory"));
		return -1;
	}
	if (d->doc != NULL) {
		if ((s->st = stream_msg_open(&s->m, d)) != MSG_OK)
			s->m.type = NULL;
		return 0;
	}
	memset(&err, 0, sizeof err);
	if ((s->own = stream_parse_memory(d->bytes, d->len, d->source,
	    &err)) == NULL) {
		/* It was parsed once already: only memory can fail. */
		diag_trouble(d->source, d->line, "%s", err.msg);
		return -1;
	}
	if ((s->st = msg_open(&s->m, s->own, d->line)) != MSG_OK)
		s->m.type = NULL;
	s->m.flat = d->origin.envelope != NULL;
	s->m.records = d->origin.records;
	return 0;
}

int
msrc_open_bytes(struct msrc *s, struct scan *sc, const char *bytes,
    size_t len, const char *name, long line_base,
    const unsigned char *types, struct stream_err *err)
{
	int rc = sc != NULL ? scan_doc(sc, bytes, len, types) : -1;

	memset(s, 0, sizeof *s);
	if (rc == 0) {
		from_scan(s, sc, line_base);
		return 0;
	}
	if (rc == -2)
		return -2;
	if ((s->own = stream_parse_memory(bytes, len, name, err)) == NULL)
		return -1;
	if ((s->st = msg_open(&s->m, s->own, line_base)) != MSG_OK)
		s->m.type = NULL;
	return 0;
}

int
msrc_tree(struct msrc *s, const char *bytes, size_t len, const char *name)
{
	struct stream_err err;
	struct msg m;

	if (s->sc == NULL)
		return 0;
	memset(&err, 0, sizeof err);
	if ((s->own = stream_parse_memory(bytes, len, name, &err)) == NULL) {
		diag_trouble(name, s->m.line_base, "%s", err.msg);
		return -1;
	}
	if ((s->st = msg_open(&m, s->own, s->m.line_base)) != MSG_OK)
		m.type = NULL;
	m.flat = s->m.flat;
	m.records = s->m.records;
	s->m = m;
	s->sc = NULL;
	return 0;
}

void
msrc_close(struct msrc *s)
{
	xmlFreeDoc(s->own);
	s->own = NULL;
}

const void *
msrc_record_first(const struct msrc *s)
{
	if (s->sc == NULL)
		return msg_record_first(&s->m);
	return scan_node(s->sc, s->sc->first);
}

const void *
msrc_record_next(const struct msrc *s, const void *rec)
{
	if (s->sc == NULL)
		return msg_record_next(&s->m, (xmlNodePtr)rec);
	return scan_next_same(s->sc, rec);
}

long
msrc_record_count(const struct msrc *s)
{
	if (s->sc == NULL)
		return msg_record_count(&s->m);
	return s->sc->nrec;
}

const void *
msrc_head(const struct msrc *s, const void *rec)
{
	if (s->sc == NULL)
		return msg_head(&s->m, (xmlNodePtr)rec);
	return s->m.type->head == NULL ? rec : scan_child(s->sc, rec,
	    s->m.type->head);
}

const void *
msrc_line_first(const struct msrc *s, const void *rec)
{
	if (s->sc == NULL)
		return msg_line_first(&s->m, (xmlNodePtr)rec);
	return s->m.type->list == NULL ? NULL : scan_child(s->sc, rec,
	    s->m.type->list);
}

const void *
msrc_line_next(const struct msrc *s, const void *l)
{
	if (s->sc == NULL)
		return msg_line_next(&s->m, (xmlNodePtr)l);
	return scan_next_same(s->sc, l);
}

const char *
msrc_field(const struct msrc *s, const void *parent, const char *name)
{
	if (s->sc == NULL)
		return msg_field((xmlNodePtr)parent, name);
	return scan_field(s->sc, parent, name);
}

int
msrc_decimal(const struct msrc *s, const void *parent, const char *name,
    struct dec *out)
{
	return msg_decimal_text(msrc_field(s, parent, name), out);
}

long
msrc_line(const struct msrc *s, const void *rec, long i)
{
	const struct snode *nd = rec;
	long l, idx, line;

	if (s->sc == NULL)
		return msg_line(&s->m, (xmlNodePtr)rec);
	l = s->m.flat ? 0 : nd->line;
	if (s->m.records != NULL &&
	    origin_record(s->m.records, i, &idx, &line) == 0)
		return line;
	return l > 0 ? s->m.line_base + l - 1 : s->m.line_base;
}

/* A tree node that msrc_ceb_first() and msrc_ceb_next() return. */
static int
ceb_element(xmlNodePtr c)
{
	return c->type == XML_ELEMENT_NODE && c->ns != NULL &&
	    strcmp((const char *)c->ns->href, MSG_NS_CEB) == 0;
}

static const void *
tree_ceb(xmlNodePtr c)
{
	while (c != NULL && !ceb_element(c))
		c = c->next;
	return c;
}

static const void *
scan_ceb(const struct scan *sc, const struct snode *c)
{
	while (c != NULL && !c->ceb)
		c = scan_next(sc, c);
	return c;
}

const void *
msrc_ceb_first(const struct msrc *s, const void *parent)
{
	if (parent == NULL)
		return NULL;
	if (s->sc == NULL)
		return tree_ceb(((xmlNodePtr)parent)->children);
	return scan_ceb(s->sc, scan_first(s->sc, parent));
}

const void *
msrc_ceb_next(const struct msrc *s, const void *c)
{
	if (s->sc == NULL)
		return tree_ceb(((xmlNodePtr)c)->next);
	return scan_ceb(s->sc, scan_next(s->sc, c));
}

const char *
msrc_name(const struct msrc *s, const void *c)
{
	if (s->sc == NULL)
		return (const char *)((xmlNodePtr)c)->name;
	return ((const struct snode *)c)->name;
}

const char *
msrc_text(const struct msrc *s, const void *parent, const void *c)
{
	xmlNodePtr e = (xmlNodePtr)c;

	if (s->sc != NULL) {
		const struct snode *nd = c;

		return nd->text ? nd->text : "";
	}
	if (e->children == NULL)
		return "";
	if (e->children->next == NULL &&
	    (e->children->type == XML_TEXT_NODE ||
	    e->children->type == XML_CDATA_SECTION_NODE))
		return e->children->content ?
		    (const char *)e->children->content : "";
	/* Mixed: flattened by msg_field() (c is the first of its name). */
	return msg_field((xmlNodePtr)parent, (const char *)e->name);
}
