/*
 * fastxsd.c: the fast, accept-only XML Schema model (fastxsd.h).
 *
 * Compiling: the XSD file and every file it includes or imports are read
 * as documents; their global declarations are indexed; then every global
 * element is compiled, and with it whatever it reaches.  A compiled
 * object is cached on its schema node (_private), so shared types are
 * compiled once and cycles end.  Anything outside the supported subset
 * sets "bad" on the object it belongs to; the whole model is refused
 * (NULL) only when the set as a whole cannot be trusted (a substitution
 * group, a redefine, an include of another namespace, qualified
 * attributes).
 *
 * Content models: a sequence of element particles (groups referenced
 * once and nested sequences of one occurrence are flattened into it), or
 * a choice of single elements repeated between two bounds.  A sequence is
 * matched greedily, which is exact for the deterministic models XSD
 * requires (libxml2 refuses to compile the others).  A wildcard is a
 * particle that declines the document when an element reaches it.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlschemastypes.h>

#include "fastxsd.h"

#define NS_XSD "http://www.w3.org/2001/XMLSchema"
#define UNBOUNDED INT_MAX
#define MAX_DEPTH 64

enum base { B_NONE, B_STRING, B_INT, B_DECIMAL, B_BASE64, B_ANYURI };

struct simple {
	enum base base;
	int collapse;		/* whiteSpace collapse */
	long len, minlen, maxlen;	/* -1: none */
	int total, frac;		/* -1: none */
	size_t nenum;
	char **enums;
	int bad;
};

struct attr {
	char *name;
	const struct simple *st;
	int required;
};

struct elem;

struct part {
	const char *ns, *name;	/* NULL name: a wildcard */
	int min, max;
	const struct elem *el;
};

struct ctype {
	const struct simple *st;	/* simple content (or a simple type) */
	int bad, mixed, choice;
	int cmin, cmax;			/* the choice's repetitions */
	size_t np, na, nreq;
	struct part *p;
	struct attr *a;
};

struct elem {
	const char *ns, *name;
	const struct ctype *type;
	char *fixed;
	int dflt;		/* a default value: an empty one declines */
	int bad;
};

/* What the _private of a schema node holds once compiled. */
struct cached {
	int kind;
	void *obj;
};

enum { K_ELEM = 1, K_CTYPE, K_SIMPLE };

struct global {
	int kind;		/* E_..., below */
	const char *ns;
	const char *name;
	xmlNodePtr node;
};

enum { G_ELEMENT, G_CTYPE, G_STYPE, G_GROUP, G_AGROUP };

struct fastxsd {
	size_t ndocs, nglob, nroots, nkeep, capkeep;
	xmlDocPtr docs[64];
	struct global *glob;
	size_t capglob;
	const struct elem **roots;
	void **keep;		/* everything allocated, freed at the end */
	int refused;
};

/* ---- allocation ------------------------------------------------------ */

static void *
keep(struct fastxsd *fx, void *p)
{
	if (p == NULL) {
		fx->refused = 1;
		return NULL;
	}
	if (fx->nkeep == fx->capkeep) {
		size_t c = fx->capkeep ? 2 * fx->capkeep : 256;
		void **v = realloc(fx->keep, c * sizeof *v);

		if (v == NULL) {
			free(p);
			fx->refused = 1;
			return NULL;
		}
		fx->keep = v;
		fx->capkeep = c;
	}
	fx->keep[fx->nkeep++] = p;
	return p;
}

static void *
fx_calloc(struct fastxsd *fx, size_t n)
{
	return keep(fx, calloc(1, n ? n : 1));
}

static char *
fx_strdup(struct fastxsd *fx, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = fx_calloc(fx, n);

	if (p)
		memcpy(p, s, n);
	return p;
}

/* ---- schema documents ------------------------------------------------ */

static int
is_xsd(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    strcmp((const char *)n->ns->href, NS_XSD) == 0 &&
	    (name == NULL || strcmp((const char *)n->name, name) == 0);
}

/* The value of attribute name, or NULL (a pointer into the tree). */
static const char *
prop(xmlNodePtr n, const char *name)
{
	xmlAttrPtr a;

	for (a = n->properties; a; a = a->next)
		if (a->ns == NULL && strcmp((const char *)a->name, name) == 0 &&
		    a->children != NULL && a->children->type == XML_TEXT_NODE &&
		    a->children->next == NULL)
			return (const char *)a->children->content;
	return NULL;
}

/* Nonzero when n has an attribute outside the list (NULL-terminated). */
static int
other_props(xmlNodePtr n, const char *const *ok)
{
	xmlAttrPtr a;
	size_t i;

	for (a = n->properties; a; a = a->next) {
		if (a->ns != NULL)
			return 1;
		for (i = 0; ok[i]; i++)
			if (strcmp((const char *)a->name, ok[i]) == 0)
				break;
		if (ok[i] == NULL && strcmp((const char *)a->name, "id") != 0)
			return 1;
	}
	return 0;
}

static const char *
tns_of(xmlNodePtr n)
{
	xmlNodePtr r = xmlDocGetRootElement(n->doc);
	const char *t = r ? prop(r, "targetNamespace") : NULL;

	return t ? t : "";
}

static int
qualified(xmlNodePtr n)
{
	xmlNodePtr r = xmlDocGetRootElement(n->doc);
	const char *q = r ? prop(r, "elementFormDefault") : NULL;

	return q != NULL && strcmp(q, "qualified") == 0;
}

static int
add_global(struct fastxsd *fx, int kind, const char *ns, const char *name,
    xmlNodePtr node)
{
	if (fx->nglob == fx->capglob) {
		size_t c = fx->capglob ? 2 * fx->capglob : 128;
		struct global *g = realloc(fx->glob, c * sizeof *g);

		if (g == NULL)
			return -1;
		fx->glob = g;
		fx->capglob = c;
	}
	fx->glob[fx->nglob].kind = kind;
	fx->glob[fx->nglob].ns = ns;
	fx->glob[fx->nglob].name = name;
	fx->glob[fx->nglob].node = node;
	fx->nglob++;
	return 0;
}

static void load(struct fastxsd *fx, const char *url, const char *want_ns);

/* Index one schema document and follow its includes and imports. */
static void
index_doc(struct fastxsd *fx, xmlDocPtr doc, const char *want_ns)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), c;
	const char *tns, *name, *loc, *attr;
	xmlChar *url;
	int kind;

	if (root == NULL || !is_xsd(root, "schema")) {
		fx->refused = 1;
		return;
	}
	tns = tns_of(root);
	if (want_ns != NULL && strcmp(want_ns, tns) != 0) {
		fx->refused = 1;	/* chameleon or mismatched include */
		return;
	}
	attr = prop(root, "attributeFormDefault");
	if (attr != NULL && strcmp(attr, "unqualified") != 0)
		fx->refused = 1;
	for (c = root->children; c && !fx->refused; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!is_xsd(c, NULL)) {
			fx->refused = 1;
			break;
		}
		name = (const char *)c->name;
		if (strcmp(name, "annotation") == 0)
			continue;
		if (strcmp(name, "include") == 0 ||
		    strcmp(name, "import") == 0) {
			loc = prop(c, "schemaLocation");
			if (loc == NULL)
				continue;	/* its names stay unresolved */
			url = xmlBuildURI((const xmlChar *)loc, doc->URL);
			if (url == NULL) {
				fx->refused = 1;
				break;
			}
			if (name[1] == 'n')
				load(fx, (const char *)url, tns);
			else
				load(fx, (const char *)url,
				    prop(c, "namespace") ? prop(c, "namespace") :
				    "");
			xmlFree(url);
			continue;
		}
		if (strcmp(name, "element") == 0) {
			kind = G_ELEMENT;
		} else if (strcmp(name, "complexType") == 0)
			kind = G_CTYPE;
		else if (strcmp(name, "simpleType") == 0)
			kind = G_STYPE;
		else if (strcmp(name, "group") == 0)
			kind = G_GROUP;
		else if (strcmp(name, "attributeGroup") == 0)
			kind = G_AGROUP;
		else if (strcmp(name, "attribute") == 0)
			continue;	/* global attributes: refs are bad */
		else {
			fx->refused = 1;	/* redefine, notation, ... */
			break;
		}
		if (prop(c, "name") == NULL || add_global(fx, kind, tns,
		    prop(c, "name"), c) != 0)
			fx->refused = 1;
	}
}

static void
load(struct fastxsd *fx, const char *url, const char *want_ns)
{
	xmlDocPtr doc;
	size_t i;

	for (i = 0; i < fx->ndocs; i++)
		if (strcmp((const char *)fx->docs[i]->URL, url) == 0)
			return;
	if (fx->ndocs == sizeof fx->docs / sizeof fx->docs[0]) {
		fx->refused = 1;
		return;
	}
	doc = xmlReadFile(url, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING);
	if (doc == NULL || doc->URL == NULL) {
		xmlFreeDoc(doc);
		fx->refused = 1;
		return;
	}
	fx->docs[fx->ndocs++] = doc;
	index_doc(fx, doc, want_ns);
}

/* Any element in any document with a substitution group: refuse. */
static void
scan_refuse(struct fastxsd *fx, xmlNodePtr n)
{
	for (; n && !fx->refused; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is_xsd(n, "element") && (prop(n, "substitutionGroup") ||
		    prop(n, "abstract")))
			fx->refused = 1;
		if (is_xsd(n, "redefine") || is_xsd(n, "override"))
			fx->refused = 1;
		scan_refuse(fx, n->children);
	}
}

static xmlNodePtr
find_global(struct fastxsd *fx, int kind, const char *ns, const char *name)
{
	size_t i;

	for (i = 0; i < fx->nglob; i++)
		if (fx->glob[i].kind == kind &&
		    strcmp(fx->glob[i].name, name) == 0 &&
		    strcmp(fx->glob[i].ns, ns) == 0)
			return fx->glob[i].node;
	return NULL;
}

/*
 * Resolve the QName q at node n: *ns gets its namespace ("" for none),
 * the return value its local part; NULL when the prefix is unknown.
 */
static const char *
resolve(xmlNodePtr n, const char *q, const char **ns)
{
	const char *colon = strchr(q, ':');
	xmlNsPtr x;
	char pfx[64];

	if (colon == NULL) {
		x = xmlSearchNs(n->doc, n, NULL);
		*ns = x ? (const char *)x->href : "";
		return q;
	}
	if ((size_t)(colon - q) >= sizeof pfx)
		return NULL;
	memcpy(pfx, q, (size_t)(colon - q));
	pfx[colon - q] = '\0';
	if ((x = xmlSearchNs(n->doc, n, (const xmlChar *)pfx)) == NULL)
		return NULL;
	*ns = (const char *)x->href;
	return colon + 1;
}

/* ---- compiling ------------------------------------------------------- */

static const struct elem *comp_elem(struct fastxsd *fx, xmlNodePtr n,
    int global, int *min, int *max);
static const struct ctype *comp_ctype(struct fastxsd *fx, xmlNodePtr n);
static const struct simple *comp_stype(struct fastxsd *fx, xmlNodePtr n);

static void *
cached(xmlNodePtr n, int kind)
{
	struct cached *c = n->_private;

	return c != NULL && c->kind == kind ? c->obj : NULL;
}

static void
cache(struct fastxsd *fx, xmlNodePtr n, int kind, void *obj)
{
	struct cached *c = fx_calloc(fx, sizeof *c);

	if (c) {
		c->kind = kind;
		c->obj = obj;
		n->_private = c;
	}
}

/* A non-negative number of occurrences; -1 when not one. */
static int
occurs(const char *s, int dflt)
{
	long v = 0;

	if (s == NULL)
		return dflt;
	if (strcmp(s, "unbounded") == 0)
		return UNBOUNDED;
	if (*s == '\0' || strlen(s) > 6)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = 10 * v + (*s - '0');
	}
	return (int)v;
}

static long
facet_num(xmlNodePtr f)
{
	const char *v = prop(f, "value");
	long n = 0;

	if (v == NULL || *v == '\0' || strlen(v) > 9)
		return -1;
	for (; *v; v++) {
		if (*v < '0' || *v > '9')
			return -1;
		n = 10 * n + (*v - '0');
	}
	return n;
}

/* A built-in simple type by local name (namespace XSD). */
static const struct simple *
builtin(struct fastxsd *fx, const char *name)
{
	struct simple *s = fx_calloc(fx, sizeof *s);

	if (s == NULL)
		return NULL;
	s->len = s->minlen = s->maxlen = -1;
	s->total = s->frac = -1;
	if (strcmp(name, "string") == 0)
		s->base = B_STRING;
	else if (strcmp(name, "int") == 0)
		s->base = B_INT;
	else if (strcmp(name, "decimal") == 0)
		s->base = B_DECIMAL;
	else if (strcmp(name, "base64Binary") == 0)
		s->base = B_BASE64;
	else if (strcmp(name, "anyURI") == 0)
		s->base = B_ANYURI;
	else
		s->bad = 1;
	if (s->base != B_STRING)
		s->collapse = 1;
	return s;
}

/* The simple type named by QName q at node n (a built-in or global). */
static const struct simple *
simple_ref(struct fastxsd *fx, xmlNodePtr n, const char *q)
{
	const char *ns, *local = resolve(n, q, &ns);
	xmlNodePtr d;

	if (local == NULL)
		return NULL;
	if (strcmp(ns, NS_XSD) == 0)
		return builtin(fx, local);
	if ((d = find_global(fx, G_STYPE, ns, local)) == NULL)
		return NULL;
	return comp_stype(fx, d);
}

static const struct simple *
comp_stype(struct fastxsd *fx, xmlNodePtr n)
{
	static const char *const ok_st[] = { "name", NULL };
	static const char *const ok_r[] = { "base", NULL };
	static const char *const ok_f[] = { "value", "fixed", NULL };
	struct simple *s;
	const struct simple *b;
	xmlNodePtr r = NULL, c, f;
	const char *fn;
	long v;

	if ((s = cached(n, K_SIMPLE)) != NULL)
		return s;
	if ((s = fx_calloc(fx, sizeof *s)) == NULL)
		return NULL;
	cache(fx, n, K_SIMPLE, s);
	s->len = s->minlen = s->maxlen = -1;
	s->total = s->frac = -1;
	s->bad = 1;
	if (other_props(n, ok_st))
		return s;
	for (c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || is_xsd(c, "annotation"))
			continue;
		if (r != NULL || !is_xsd(c, "restriction"))
			return s;	/* list, union, two children */
		r = c;
	}
	if (r == NULL || other_props(r, ok_r) || prop(r, "base") == NULL)
		return s;
	b = simple_ref(fx, r, prop(r, "base"));
	if (b == NULL || b->bad)
		return s;
	*s = *b;		/* the base's facets, then ours on top */
	s->bad = 1;
	for (f = r->children; f; f = f->next) {
		if (f->type != XML_ELEMENT_NODE || is_xsd(f, "annotation"))
			continue;
		if (!is_xsd(f, NULL) || other_props(f, ok_f) ||
		    prop(f, "value") == NULL)
			return s;
		fn = (const char *)f->name;
		if (strcmp(fn, "enumeration") == 0) {
			char **e;

			if (b->nenum > 0)
				return s;	/* narrowed enumerations */
			e = fx_calloc(fx, (s->nenum + 1) * sizeof *e);
			if (e == NULL)
				return s;
			if (s->nenum)
				memcpy(e, s->enums, s->nenum * sizeof *e);
			if ((e[s->nenum] = fx_strdup(fx, prop(f, "value"))) ==
			    NULL)
				return s;
			s->enums = e;
			s->nenum++;
			continue;
		}
		if (strcmp(fn, "whiteSpace") == 0) {
			if (strcmp(prop(f, "value"), "collapse") == 0)
				s->collapse = 1;
			else if (strcmp(prop(f, "value"), "preserve") != 0 ||
			    s->collapse)
				return s;	/* replace */
			continue;
		}
		if ((v = facet_num(f)) < 0)
			return s;
		if (strcmp(fn, "length") == 0 && s->base == B_STRING) {
			if (s->len >= 0 || s->minlen >= 0 || s->maxlen >= 0)
				return s;
			s->len = v;
		} else if (strcmp(fn, "minLength") == 0 &&
		    s->base == B_STRING) {
			if (s->len >= 0)
				return s;
			s->minlen = s->minlen > v ? s->minlen : v;
		} else if (strcmp(fn, "maxLength") == 0 &&
		    s->base == B_STRING) {
			if (s->len >= 0)
				return s;
			s->maxlen = s->maxlen >= 0 && s->maxlen < v ?
			    s->maxlen : v;
		} else if (strcmp(fn, "totalDigits") == 0 &&
		    (s->base == B_INT || s->base == B_DECIMAL) && v > 0) {
			s->total = s->total >= 0 && s->total < v ? s->total :
			    (int)v;
		} else if (strcmp(fn, "fractionDigits") == 0 &&
		    s->base == B_DECIMAL) {
			s->frac = s->frac >= 0 && s->frac < v ? s->frac :
			    (int)v;
		} else
			return s;	/* pattern, ranges, ... */
	}
	s->bad = 0;
	return s;
}

/* Append a particle to t. */
static int
add_part(struct fastxsd *fx, struct ctype *t, const char *ns,
    const char *name, int min, int max, const struct elem *el)
{
	struct part *p = fx_calloc(fx, (t->np + 1) * sizeof *p);

	if (p == NULL)
		return -1;
	if (t->np)
		memcpy(p, t->p, t->np * sizeof *p);
	p[t->np].ns = ns;
	p[t->np].name = name;
	p[t->np].min = min;
	p[t->np].max = max;
	p[t->np].el = el;
	t->p = p;
	t->np++;
	return 0;
}

/* A wildcard: where an element reaches it, the run declines. */
static int
add_wild(struct fastxsd *fx, struct ctype *t, xmlNodePtr n)
{
	int min = occurs(prop(n, "minOccurs"), 1);
	int max = occurs(prop(n, "maxOccurs"), 1);

	if (min < 0 || max < 0 || max < min)
		return -1;
	return add_part(fx, t, NULL, NULL, min, max, NULL);
}

static int
add_elem(struct fastxsd *fx, struct ctype *t, xmlNodePtr n)
{
	const struct elem *e;
	int min, max;

	e = comp_elem(fx, n, 0, &min, &max);
	if (e == NULL || min < 0 || max < 0 || max < min)
		return -1;
	return add_part(fx, t, e->ns, e->name, min, max, e);
}

static int flatten_child(struct fastxsd *fx, struct ctype *t, xmlNodePtr c,
    int depth);

/* Flatten a sequence (once) into t; -1: not in the subset. */
static int
flatten_seq(struct fastxsd *fx, struct ctype *t, xmlNodePtr seq, int depth)
{
	xmlNodePtr c;

	if (depth > 16)
		return -1;
	for (c = seq->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || is_xsd(c, "annotation"))
			continue;
		if (flatten_child(fx, t, c, depth) != 0)
			return -1;
	}
	return 0;
}

/* One particle of a sequence (or the group that is a whole model). */
static int
flatten_child(struct fastxsd *fx, struct ctype *t, xmlNodePtr c, int depth)
{
	static const char *const ok_g[] = { "ref", "minOccurs", "maxOccurs",
	    NULL };
	xmlNodePtr g, gc, inner;
	const char *ns, *local;

	if (is_xsd(c, "element"))
		return add_elem(fx, t, c);
	if (is_xsd(c, "any"))
		return add_wild(fx, t, c);
	if (is_xsd(c, "sequence"))
		return occurs(prop(c, "minOccurs"), 1) != 1 ||
		    occurs(prop(c, "maxOccurs"), 1) != 1 ? -1 :
		    flatten_seq(fx, t, c, depth + 1);
	if (!is_xsd(c, "group") || other_props(c, ok_g) ||
	    prop(c, "ref") == NULL || occurs(prop(c, "minOccurs"), 1) != 1 ||
	    occurs(prop(c, "maxOccurs"), 1) != 1)
		return -1;	/* choice inside a sequence, all, ... */
	local = resolve(c, prop(c, "ref"), &ns);
	if (local == NULL || (g = find_global(fx, G_GROUP, ns, local)) == NULL)
		return -1;
	inner = NULL;
	for (gc = g->children; gc; gc = gc->next) {
		if (gc->type != XML_ELEMENT_NODE || is_xsd(gc, "annotation"))
			continue;
		if (inner != NULL || !is_xsd(gc, "sequence"))
			return -1;
		inner = gc;
	}
	if (inner == NULL || occurs(prop(inner, "minOccurs"), 1) != 1 ||
	    occurs(prop(inner, "maxOccurs"), 1) != 1)
		return -1;
	return flatten_seq(fx, t, inner, depth + 1);
}

/* A choice of single elements (and wildcards), repeated min..max. */
static int
comp_choice(struct fastxsd *fx, struct ctype *t, xmlNodePtr ch, int min,
    int max)
{
	xmlNodePtr c;
	size_t i;

	t->choice = 1;
	t->cmin = min;
	t->cmax = max;
	if (min < 0 || max < 0 || max < min)
		return -1;
	for (c = ch->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || is_xsd(c, "annotation"))
			continue;
		if (is_xsd(c, "element")) {
			if (add_elem(fx, t, c) != 0)
				return -1;
		} else if (is_xsd(c, "any")) {
			if (add_wild(fx, t, c) != 0)
				return -1;
		} else
			return -1;
	}
	for (i = 0; i < t->np; i++)
		if (t->p[i].min != 1 || t->p[i].max != 1)
			return -1;
	return 0;
}

static int add_attrs(struct fastxsd *fx, struct ctype *t, xmlNodePtr n,
    int depth);

static int
add_attr(struct fastxsd *fx, struct ctype *t, xmlNodePtr n)
{
	static const char *const ok[] = { "name", "type", "use", NULL };
	const char *use = prop(n, "use");
	const struct simple *st = NULL;
	struct attr *a;
	xmlNodePtr c;
	size_t i;

	if (other_props(n, ok) || prop(n, "name") == NULL)
		return -1;
	if (prop(n, "type") != NULL)
		st = simple_ref(fx, n, prop(n, "type"));
	for (c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || is_xsd(c, "annotation"))
			continue;
		if (st != NULL || !is_xsd(c, "simpleType"))
			return -1;
		st = comp_stype(fx, c);
	}
	if (st == NULL)
		return -1;
	/* An attribute of a type not in the subset (xs:ID ...): the run
	 * declines a document that has it (check_value() of a bad type). */
	if (use != NULL && strcmp(use, "optional") != 0 &&
	    strcmp(use, "required") != 0)
		return -1;
	for (i = 0; i < t->na; i++)
		if (strcmp(t->a[i].name, prop(n, "name")) == 0)
			return -1;
	if ((a = fx_calloc(fx, (t->na + 1) * sizeof *a)) == NULL)
		return -1;
	if (t->na)
		memcpy(a, t->a, t->na * sizeof *a);
	a[t->na].name = fx_strdup(fx, prop(n, "name"));
	a[t->na].st = st;
	a[t->na].required = use != NULL && strcmp(use, "required") == 0;
	if (a[t->na].name == NULL)
		return -1;
	t->nreq += a[t->na].required;
	t->a = a;
	t->na++;
	return 0;
}

/* An attribute or attributeGroup child n of a type or group. */
static int
attr_child(struct fastxsd *fx, struct ctype *t, xmlNodePtr n, int depth)
{
	static const char *const ok_ag[] = { "ref", NULL };
	const char *ns, *local;
	xmlNodePtr g;

	if (is_xsd(n, "attribute"))
		return add_attr(fx, t, n);
	if (!is_xsd(n, "attributeGroup") || other_props(n, ok_ag) ||
	    prop(n, "ref") == NULL || depth > 8)
		return -1;
	local = resolve(n, prop(n, "ref"), &ns);
	if (local == NULL || (g = find_global(fx, G_AGROUP, ns, local)) ==
	    NULL)
		return -1;
	return add_attrs(fx, t, g, depth + 1);
}

static int
add_attrs(struct fastxsd *fx, struct ctype *t, xmlNodePtr n, int depth)
{
	xmlNodePtr c;

	for (c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || is_xsd(c, "annotation"))
			continue;
		if (attr_child(fx, t, c, depth) != 0)
			return -1;
	}
	return 0;
}

/* simpleContent: an extension of a simple type, attributes only. */
static int
comp_simple_content(struct fastxsd *fx, struct ctype *t, xmlNodePtr sc)
{
	static const char *const ok[] = { "base", NULL };
	xmlNodePtr c, x = NULL;

	for (c = sc->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || is_xsd(c, "annotation"))
			continue;
		if (x != NULL || !is_xsd(c, "extension"))
			return -1;
		x = c;
	}
	if (x == NULL || other_props(x, ok) || prop(x, "base") == NULL)
		return -1;
	t->st = simple_ref(fx, x, prop(x, "base"));
	if (t->st == NULL || t->st->bad)
		return -1;
	return add_attrs(fx, t, x, 0);
}

static int
comp_ctype_body(struct fastxsd *fx, struct ctype *t, xmlNodePtr n)
{
	static const char *const ok[] = { "name", "mixed", NULL };
	const char *mixed = prop(n, "mixed");
	xmlNodePtr c, model = NULL, cc, only;
	int min, max;

	if (other_props(n, ok))
		return -1;
	if (mixed != NULL) {
		if (strcmp(mixed, "true") == 0 || strcmp(mixed, "1") == 0)
			t->mixed = 1;
		else if (strcmp(mixed, "false") != 0 &&
		    strcmp(mixed, "0") != 0)
			return -1;
	}
	for (c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || is_xsd(c, "annotation"))
			continue;
		if (is_xsd(c, "attribute") || is_xsd(c, "attributeGroup")) {
			if (attr_child(fx, t, c, 0) != 0)
				return -1;
			continue;
		}
		if (model != NULL)
			return -1;	/* anyAttribute, a model after attrs */
		if (t->na > 0)
			return -1;
		model = c;
	}
	if (model == NULL)
		return 0;	/* empty content */
	if (is_xsd(model, "simpleContent"))
		return t->mixed ? -1 : comp_simple_content(fx, t, model);
	min = occurs(prop(model, "minOccurs"), 1);
	max = occurs(prop(model, "maxOccurs"), 1);
	if (is_xsd(model, "choice"))
		return comp_choice(fx, t, model, min, max);
	if (!is_xsd(model, "sequence") && !is_xsd(model, "group"))
		return -1;
	if (is_xsd(model, "sequence") && (min != 1 || max != 1)) {
		/* sequence(min..max) of one choice(1..1): a repeated choice */
		only = NULL;
		for (cc = model->children; cc; cc = cc->next) {
			if (cc->type != XML_ELEMENT_NODE ||
			    is_xsd(cc, "annotation"))
				continue;
			if (only != NULL)
				return -1;
			only = cc;
		}
		if (only == NULL || !is_xsd(only, "choice") ||
		    occurs(prop(only, "minOccurs"), 1) != 1 ||
		    occurs(prop(only, "maxOccurs"), 1) != 1)
			return -1;
		return comp_choice(fx, t, only, min, max);
	}
	if (is_xsd(model, "group"))
		return flatten_child(fx, t, model, 0);
	return flatten_seq(fx, t, model, 0);
}

static const struct ctype *
comp_ctype(struct fastxsd *fx, xmlNodePtr n)
{
	struct ctype *t;

	if ((t = cached(n, K_CTYPE)) != NULL)
		return t;
	if ((t = fx_calloc(fx, sizeof *t)) == NULL)
		return NULL;
	cache(fx, n, K_CTYPE, t);
	t->bad = 1;
	if (comp_ctype_body(fx, t, n) == 0)
		t->bad = 0;
	return t;
}

/* The type of an element of simple type st. */
static const struct ctype *
simple_elem_type(struct fastxsd *fx, const struct simple *st)
{
	struct ctype *t = fx_calloc(fx, sizeof *t);

	if (t == NULL)
		return NULL;
	t->st = st;
	t->bad = st == NULL || st->bad;
	return t;
}

static const struct ctype *
type_ref(struct fastxsd *fx, xmlNodePtr n, const char *q)
{
	const char *ns, *local = resolve(n, q, &ns);
	xmlNodePtr d;

	if (local == NULL)
		return NULL;
	if (strcmp(ns, NS_XSD) != 0 &&
	    (d = find_global(fx, G_CTYPE, ns, local)) != NULL)
		return comp_ctype(fx, d);
	return simple_elem_type(fx, simple_ref(fx, n, q));
}

static void
comp_elem_body(struct fastxsd *fx, struct elem *e, xmlNodePtr n)
{
	static const char *const ok[] = { "name", "type", "minOccurs",
	    "maxOccurs", "fixed", "default", NULL };
	xmlNodePtr c;

	if (other_props(n, ok))
		return;
	if (prop(n, "type") != NULL)
		e->type = type_ref(fx, n, prop(n, "type"));
	for (c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || is_xsd(c, "annotation"))
			continue;
		if (e->type != NULL)
			return;		/* two types, or key/unique */
		if (is_xsd(c, "complexType"))
			e->type = comp_ctype(fx, c);
		else if (is_xsd(c, "simpleType"))
			e->type = simple_elem_type(fx, comp_stype(fx, c));
		else
			return;
	}
	if (e->type == NULL || e->type->bad)
		return;		/* xs:anyType, unresolved */
	if (prop(n, "default") != NULL) {
		if (e->type->st == NULL || prop(n, "fixed") != NULL)
			return;
		e->dflt = 1;
	}
	if (prop(n, "fixed") != NULL) {
		if (e->type->st == NULL || e->type->na > 0 ||
		    (e->fixed = fx_strdup(fx, prop(n, "fixed"))) == NULL)
			return;
	}
	e->bad = 0;
}

/*
 * The element declared (or referenced) at n; its occurrences in *min and
 * *max (a global declaration: 1, 1).  NULL when out of memory or when a
 * reference does not resolve.
 */
static const struct elem *
comp_elem(struct fastxsd *fx, xmlNodePtr n, int global, int *min, int *max)
{
	static const char *const ok_ref[] = { "ref", "minOccurs",
	    "maxOccurs", NULL };
	struct elem *e;
	const char *ns, *local;
	xmlNodePtr d;

	*min = global ? 1 : occurs(prop(n, "minOccurs"), 1);
	*max = global ? 1 : occurs(prop(n, "maxOccurs"), 1);
	if (!global && prop(n, "ref") != NULL) {
		if (other_props(n, ok_ref))
			return NULL;
		local = resolve(n, prop(n, "ref"), &ns);
		if (local == NULL || (d = find_global(fx, G_ELEMENT, ns,
		    local)) == NULL)
			return NULL;
		return comp_elem(fx, d, 1, &(int){0}, &(int){0});
	}
	if ((e = cached(n, K_ELEM)) != NULL)
		return e;
	if (prop(n, "name") == NULL || (e = fx_calloc(fx, sizeof *e)) == NULL)
		return NULL;
	cache(fx, n, K_ELEM, e);
	e->bad = 1;
	e->name = fx_strdup(fx, prop(n, "name"));
	e->ns = fx_strdup(fx, global || qualified(n) ? tns_of(n) : "");
	if (e->name == NULL || e->ns == NULL)
		return e;
	comp_elem_body(fx, e, n);
	return e;
}

/* libxml2's xs:anyURI, for check_anyuri(): set by fastxsd_compile() (on
 * one thread, before any run), only read afterwards. */
static xmlSchemaTypePtr anyuri;

int
fastxsd_enabled(void)
{
	const char *v = getenv("CEBTOOLS_FAST_XSD");

	return v == NULL || strcmp(v, "0") != 0;
}

struct fastxsd *
fastxsd_compile(const char *path)
{
	struct fastxsd *fx = calloc(1, sizeof *fx);
	const struct elem **roots;
	size_t i;
	int a, b;

	if (fx == NULL)
		return NULL;
	if (anyuri == NULL)
		anyuri = xmlSchemaGetBuiltInType(XML_SCHEMAS_ANYURI);
	load(fx, path, NULL);
	for (i = 0; i < fx->ndocs && !fx->refused; i++)
		scan_refuse(fx, xmlDocGetRootElement(fx->docs[i]));
	roots = fx->refused ? NULL : fx_calloc(fx, (fx->nglob + 1) *
	    sizeof *roots);
	for (i = 0; roots && i < fx->nglob && !fx->refused; i++)
		if (fx->glob[i].kind == G_ELEMENT &&
		    (roots[fx->nroots] = comp_elem(fx, fx->glob[i].node, 1,
		    &a, &b)) != NULL)
			fx->nroots++;
	fx->roots = roots;
	/* The model holds no pointer into the documents. */
	for (i = 0; i < fx->ndocs; i++)
		xmlFreeDoc(fx->docs[i]);
	fx->ndocs = 0;
	free(fx->glob);
	fx->glob = NULL;
	if (fx->refused || fx->nroots == 0) {
		fastxsd_free(fx);
		return NULL;
	}
	return fx;
}

void
fastxsd_free(struct fastxsd *fx)
{
	size_t i;

	if (fx == NULL)
		return;
	for (i = 0; i < fx->ndocs; i++)
		xmlFreeDoc(fx->docs[i]);
	for (i = 0; i < fx->nkeep; i++)
		free(fx->keep[i]);
	free(fx->keep);
	free(fx->glob);
	free(fx);
}

/* ---- values ---------------------------------------------------------- */

static int
has_blank(const char *s, size_t n, int space_too)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ||
		    (space_too && s[i] == ' '))
			return 1;
	return 0;
}

/* -?[0-9]+(\.[0-9]+)?, digits counted; 0 when it is one. */
static int
decimal_digits(const char *s, size_t n, int *intd, int *fracd, int *dot)
{
	size_t i = 0, lead;

	*intd = *fracd = *dot = 0;
	if (i < n && s[i] == '-')
		i++;
	lead = i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == lead)
		return -1;
	while (lead < i && s[lead] == '0')
		lead++;		/* leading zeros are not digits */
	*intd = (int)(i - lead);
	if (i < n && s[i] == '.') {
		size_t f = ++i;

		*dot = 1;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == f)
			return -1;
		*fracd = (int)(i - f);	/* trailing zeros counted */
	}
	return i == n ? 0 : -1;
}

static int
check_base64(const char *s, size_t n)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, pad = 0;
	const char *p;
	int last;

	if (n % 4 != 0)
		return -1;
	while (pad < 2 && pad < n && s[n - 1 - pad] == '=')
		pad++;
	for (i = 0; i < n - pad; i++)
		if (s[i] == '\0' || strchr(b64, s[i]) == NULL)
			return -1;
	if (pad == 0)
		return 0;
	if (n - pad == 0)
		return -1;
	p = strchr(b64, s[n - pad - 1]);
	last = (int)(p - b64);
	/* the bits beyond the data must be zero */
	return (last & (pad == 1 ? 0x03 : 0x0f)) == 0 ? 0 : -1;
}

static int
check_anyuri(const char *s, size_t n)
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-._~:/?#@!$&()*+,;=";
	char buf[256];
	size_t i;

	if (n >= sizeof buf)
		return -1;
	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(ok, s[i]) == NULL)
			return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return anyuri != NULL && xmlSchemaValidatePredefinedType(anyuri,
	    (const xmlChar *)buf, NULL) == 0 ? 0 : -1;
}

/* 0 when libxml2 is sure to accept the value s[0..n) of type st. */
static int
check_value(const struct simple *st, const char *s, size_t n)
{
	size_t i, chars;
	int intd, fracd, dot;

	if (st->bad)
		return -1;
	switch (st->base) {
	case B_STRING:
		if (has_blank(s, n, st->collapse))
			return -1;
		for (i = chars = 0; i < n; i++)
			chars += ((unsigned char)s[i] & 0xc0) != 0x80;
		if ((st->len >= 0 && (long)chars != st->len) ||
		    (st->minlen >= 0 && (long)chars < st->minlen) ||
		    (st->maxlen >= 0 && (long)chars > st->maxlen))
			return -1;
		break;
	case B_INT:
		if (decimal_digits(s, n, &intd, &fracd, &dot) != 0 || dot ||
		    intd > 9 || (intd == 0 && n != 1) ||
		    (n > 1 && (s[0] == '0' || (s[0] == '-' && s[1] == '0'))) ||
		    (st->total >= 0 && intd > st->total))
			return -1;
		break;
	case B_DECIMAL:
		if (decimal_digits(s, n, &intd, &fracd, &dot) != 0 ||
		    intd + fracd > 18 ||
		    (st->total >= 0 && intd + fracd > st->total) ||
		    (st->frac >= 0 && fracd > st->frac))
			return -1;
		break;
	case B_BASE64:
		if (check_base64(s, n) != 0)
			return -1;
		break;
	case B_ANYURI:
		if (check_anyuri(s, n) != 0)
			return -1;
		break;
	default:
		return -1;
	}
	if (st->nenum > 0) {
		for (i = 0; i < st->nenum; i++)
			if (strlen(st->enums[i]) == n &&
			    memcmp(st->enums[i], s, n) == 0)
				break;
		if (i == st->nenum)
			return -1;
	}
	return 0;
}

/* ---- the run --------------------------------------------------------- */

struct frame {
	const struct elem *el;
	const struct ctype *t;
	size_t i;		/* the particle being filled */
	int c;			/* its occurrences so far (choice: rounds) */
};

struct fastxsd_run {
	const struct fastxsd *fx;
	int depth, failed, done;
	struct frame f[MAX_DEPTH];
	char *text;
	size_t tlen, tcap;
};

struct fastxsd_run *
fastxsd_run_new(void)
{
	return calloc(1, sizeof(struct fastxsd_run));
}

void
fastxsd_run_free(struct fastxsd_run *r)
{
	if (r == NULL)
		return;
	free(r->text);
	free(r);
}

void
fastxsd_begin(struct fastxsd_run *r, const struct fastxsd *fx)
{
	r->fx = fx;
	r->depth = 0;
	r->failed = fx == NULL;
	r->done = 0;
	r->tlen = 0;
}

void
fastxsd_decline(struct fastxsd_run *r)
{
	r->failed = 1;
}

static int
decline(struct fastxsd_run *r)
{
	r->failed = 1;
	return -1;
}

static int
same(const char *a, const xmlChar *b)
{
	return strcmp(a, b ? (const char *)b : "") == 0;
}

/* The declaration of child (uri, local) in frame f, or NULL. */
static const struct elem *
match(struct frame *f, const xmlChar *local, const xmlChar *uri)
{
	const struct ctype *t = f->t;
	const struct part *p;
	size_t i;

	if (t->choice) {
		if (f->c >= t->cmax)
			return NULL;
		for (i = 0; i < t->np; i++) {
			p = &t->p[i];
			if (p->name != NULL && same(p->name, local) &&
			    same(p->ns, uri)) {
				f->c++;
				return p->el;
			}
		}
		return NULL;	/* none, or a wildcard's business */
	}
	for (; f->i < t->np; f->i++, f->c = 0) {
		p = &t->p[f->i];
		if (p->name == NULL)
			return NULL;	/* a wildcard reached */
		if (f->c < p->max && same(p->name, local) && same(p->ns, uri)) {
			f->c++;
			return p->el;
		}
		if (f->c < p->min)
			return NULL;	/* a required element missing */
	}
	return NULL;
}

/* Whether frame f's content is complete. */
static int
complete(const struct frame *f)
{
	const struct ctype *t = f->t;
	size_t i;

	if (t->choice)
		return f->c >= t->cmin;
	for (i = f->i; i < t->np; i++)
		if ((i == f->i ? f->c : 0) < t->p[i].min)
			return 0;
	return 1;
}

static int
check_attrs(const struct ctype *t, int nattr, const xmlChar **attrs)
{
	size_t k, req = 0;
	int i;

	for (i = 0; i < nattr; i++) {
		const char *name = (const char *)attrs[5 * i];
		const char *v = (const char *)attrs[5 * i + 3];
		const char *e = (const char *)attrs[5 * i + 4];

		if (attrs[5 * i + 2] != NULL)
			return -1;	/* xsi:, xml:, any namespace */
		for (k = 0; k < t->na; k++)
			if (strcmp(t->a[k].name, name) == 0)
				break;
		if (k == t->na || check_value(t->a[k].st, v, (size_t)(e - v))
		    != 0)
			return -1;
		req += t->a[k].required;
	}
	return req == t->nreq ? 0 : -1;
}

int
fastxsd_start(struct fastxsd_run *r, const xmlChar *local,
    const xmlChar *uri, int nattr, const xmlChar **attrs)
{
	const struct elem *el = NULL;
	struct frame *f;
	size_t i;

	if (r->failed)
		return -1;
	if (r->depth == 0) {
		if (r->done)
			return decline(r);
		for (i = 0; i < r->fx->nroots; i++)
			if (same(r->fx->roots[i]->name, local) &&
			    same(r->fx->roots[i]->ns, uri)) {
				el = r->fx->roots[i];
				break;
			}
	} else {
		f = &r->f[r->depth - 1];
		if (f->t->st != NULL)
			return decline(r);	/* an element in simple content */
		el = match(f, local, uri);
	}
	if (el == NULL || el->bad || r->depth >= MAX_DEPTH ||
	    check_attrs(el->type, nattr, attrs) != 0)
		return decline(r);
	f = &r->f[r->depth++];
	f->el = el;
	f->t = el->type;
	f->i = 0;
	f->c = 0;
	r->tlen = 0;
	return 0;
}

int
fastxsd_text(struct fastxsd_run *r, const xmlChar *s, int len)
{
	const struct ctype *t;
	int i;

	if (r->failed || r->depth == 0 || len <= 0)
		return r->failed ? -1 : 0;
	t = r->f[r->depth - 1].t;
	if (t->st != NULL) {
		if (r->tlen + (size_t)len > r->tcap) {
			size_t c = r->tcap ? 2 * r->tcap : 256;
			char *n;

			while (c < r->tlen + (size_t)len)
				c *= 2;
			if ((n = realloc(r->text, c)) == NULL)
				return decline(r);
			r->text = n;
			r->tcap = c;
		}
		memcpy(r->text + r->tlen, s, (size_t)len);
		r->tlen += (size_t)len;
		return 0;
	}
	if (t->mixed)
		return 0;
	if (t->np == 0)
		return decline(r);	/* empty content: no text at all */
	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' &&
		    s[i] != '\r')
			return decline(r);
	return 0;
}

int
fastxsd_end(struct fastxsd_run *r)
{
	struct frame *f;

	if (r->failed || r->depth == 0)
		return decline(r);
	f = &r->f[r->depth - 1];
	if (f->t->st != NULL) {
		if (f->el->dflt && r->tlen == 0)
			return decline(r);	/* the default is the value */
		if (f->el->fixed != NULL) {
			if (strlen(f->el->fixed) != r->tlen || r->tlen == 0 ||
			    memcmp(f->el->fixed, r->text, r->tlen) != 0)
				return decline(r);
		}
		if (check_value(f->t->st, r->text ? r->text : "", r->tlen) !=
		    0)
			return decline(r);
	} else if (!complete(f))
		return decline(r);
	r->tlen = 0;
	if (--r->depth == 0)
		r->done = 1;
	return 0;
}

int
fastxsd_finish(struct fastxsd_run *r)
{
	return !r->failed && r->done && r->depth == 0 ? 0 : -1;
}
