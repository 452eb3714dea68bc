/*
 * schema.c: find, compile, cache and apply the XML Schema of a message
 * root.  See schema.h for the contract.
 *
 * Finding: each directory of the set is indexed once, on first need, by
 * reading every *.xsd file in it (sorted by name) and noting the global
 * element declarations (xs:element children of xs:schema) with the file's
 * targetNamespace.  A file named after the root wins over the index, so
 * the project's one-file-per-root layout costs no search at all.
 *
 * Errors: libxml2 reports one structured error per problem; its code is
 * mapped to an S- rule, its node kept so the caller can locate it, and its
 * text shortened ({namespace}name becomes ceb:name).  A facet error is
 * often followed by a second, redundant "not a valid value of the local
 * atomic type" on the same node; that one is dropped.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "fastxsd.h"
#include "schema.h"

#define NS_XSD "http://www.w3.org/2001/XMLSchema"

/* A global element declaration found in a directory's files. */
struct decl {
	char *ns;		/* targetNamespace, "" when none */
	char *name;
	char *path;
};

struct dir {
	char *path;
	int indexed;
	size_t n, cap;
	struct decl *v;
};

struct schema {
	char *path;
	xmlSchemaPtr xs;
	struct fastxsd *fx;	/* the accept-only fast model, or NULL */
	struct schema *next;
};

/* A root already looked up: its schema or the reason there is none. */
struct lookup {
	char *ns;
	char *name;
	const struct schema *sc;
	int missing;
	char *err;
	struct lookup *next;
};

struct schema_set {
	size_t ndirs;
	struct dir *dirs;
	struct schema *compiled;
	struct lookup *lookups;
};

static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

static char *
join(const char *dir, const char *name, const char *ext)
{
	size_t n = strlen(dir) + strlen(name) + strlen(ext) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s%s", dir, name, ext);
	return p;
}

struct schema_set *
schema_set_new(const char *const *dirs, size_t n)
{
	struct schema_set *s = calloc(1, sizeof *s);
	size_t i;

	if (s == NULL)
		return NULL;
	if (n > 0 && (s->dirs = calloc(n, sizeof *s->dirs)) == NULL) {
		free(s);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if ((s->dirs[i].path = xstrdup(dirs[i])) == NULL) {
			s->ndirs = i;
			schema_set_free(s);
			return NULL;
		}
	}
	s->ndirs = n;
	return s;
}

void
schema_set_free(struct schema_set *s)
{
	size_t i, j;

	if (s == NULL)
		return;
	for (i = 0; i < s->ndirs; i++) {
		for (j = 0; j < s->dirs[i].n; j++) {
			free(s->dirs[i].v[j].ns);
			free(s->dirs[i].v[j].name);
			free(s->dirs[i].v[j].path);
		}
		free(s->dirs[i].v);
		free(s->dirs[i].path);
	}
	free(s->dirs);
	while (s->compiled) {
		struct schema *c = s->compiled;
		s->compiled = c->next;
		xmlSchemaFree(c->xs);
		fastxsd_free(c->fx);
		free(c->path);
		free(c);
	}
	while (s->lookups) {
		struct lookup *l = s->lookups;
		s->lookups = l->next;
		free(l->ns);
		free(l->name);
		free(l->err);
		free(l);
	}
	free(s);
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
dir_add(struct dir *d, const char *ns, const char *name, const char *path)
{
	struct decl *x;

	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 64;
		if ((x = realloc(d->v, cap * sizeof *x)) == NULL)
			return -1;
		d->v = x;
		d->cap = cap;
	}
	x = &d->v[d->n];
	x->ns = xstrdup(ns);
	x->name = xstrdup(name);
	x->path = xstrdup(path);
	if (!x->ns || !x->name || !x->path) {
		free(x->ns);
		free(x->name);
		free(x->path);
		return -1;
	}
	d->n++;
	return 0;
}

/* Note the global element declarations of one XSD file. */
static void
index_file(struct dir *d, const char *path)
{
	xmlDocPtr doc;
	xmlNodePtr root, c;
	xmlChar *tns, *name;

	doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING);
	if (doc == NULL)
		return;		/* reported when (if) it is compiled */
	root = xmlDocGetRootElement(doc);
	if (root && root->ns && strcmp((const char *)root->ns->href,
	    NS_XSD) == 0 && strcmp((const char *)root->name, "schema") == 0) {
		tns = xmlGetProp(root, BAD_CAST "targetNamespace");
		for (c = root->children; c; c = c->next) {
			if (c->type != XML_ELEMENT_NODE || c->ns == NULL ||
			    strcmp((const char *)c->ns->href, NS_XSD) != 0 ||
			    strcmp((const char *)c->name, "element") != 0)
				continue;
			if ((name = xmlGetProp(c, BAD_CAST "name")) == NULL)
				continue;
			dir_add(d, tns ? (const char *)tns : "",
			    (const char *)name, path);
			xmlFree(name);
		}
		xmlFree(tns);
	}
	xmlFreeDoc(doc);
}

static void
index_dir(struct dir *d)
{
	DIR *dp;
	struct dirent *e;
	char **names = NULL, **x, *p;
	size_t n = 0, cap = 0, i, len;

	d->indexed = 1;
	if ((dp = opendir(d->path)) == NULL)
		return;
	while ((e = readdir(dp)) != NULL) {
		len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".xsd") != 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			if ((x = realloc(names, cap * sizeof *x)) == NULL)
				break;
			names = x;
		}
		if ((names[n] = xstrdup(e->d_name)) == NULL)
			break;
		n++;
	}
	closedir(dp);
	if (n > 1)	/* the array may be NULL when empty */
		qsort(names, n, sizeof *names, cmpstr);
	for (i = 0; i < n; i++) {
		if ((p = join(d->path, names[i], "")) != NULL)
			index_file(d, p);
		free(p);
		free(names[i]);
	}
	free(names);
}

/* Collect the first error of a schema compilation. */
static void
parse_error(void *arg, xmlErrorPtr e)
{
	char *buf = arg;
	size_t n;

	if (buf[0] != '\0' || e == NULL || e->level < XML_ERR_ERROR)
		return;
	snprintf(buf, 300, "%s:%d: %s", e->file ? e->file : "", e->line,
	    e->message ? e->message : "error");
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
}

static const struct schema *
compile(struct schema_set *s, const char *path, char *err, size_t n)
{
	struct schema *c;
	xmlSchemaParserCtxtPtr pc;
	char buf[300] = "";

	for (c = s->compiled; c; c = c->next)
		if (strcmp(c->path, path) == 0)
			return c;
	if ((c = calloc(1, sizeof *c)) == NULL ||
	    (c->path = xstrdup(path)) == NULL) {
		free(c);
		snprintf(err, n, "%s", strerror(ENOMEM));
		return NULL;
	}
	if ((pc = xmlSchemaNewParserCtxt(path)) != NULL) {
		xmlSchemaSetParserStructuredErrors(pc, parse_error, buf);
		c->xs = xmlSchemaParse(pc);
		xmlSchemaFreeParserCtxt(pc);
	}
	if (c->xs == NULL) {
		if (buf[0])
			snprintf(err, n, "%s", buf);
		else
			snprintf(err, n, "%s: cannot compile schema", path);
		free(c->path);
		free(c);
		return NULL;
	}
	/* What libxml2 compiled, our fast model also reads (or not). */
	if (fastxsd_enabled())
		c->fx = fastxsd_compile(path);
	c->next = s->compiled;
	s->compiled = c;
	return c;
}

/* The file declaring (ns, name), or NULL; the result is malloc'd. */
static char *
locate(struct schema_set *s, const char *ns, const char *name)
{
	struct stat st;
	size_t i, j;
	char *p;

	for (i = 0; i < s->ndirs; i++) {
		struct dir *d = &s->dirs[i];

		if ((p = join(d->path, name, ".xsd")) == NULL)
			return NULL;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			return p;
		free(p);
		if (!d->indexed)
			index_dir(d);
		for (j = 0; j < d->n; j++)
			if (strcmp(d->v[j].name, name) == 0 &&
			    strcmp(d->v[j].ns, ns) == 0)
				return xstrdup(d->v[j].path);
	}
	return NULL;
}

const struct schema *
schema_find(struct schema_set *s, const char *ns, const char *name,
    int *missing, char *err, size_t n)
{
	struct lookup *l;
	char *path, buf[400];

	if (ns == NULL)
		ns = "";
	for (l = s->lookups; l; l = l->next)
		if (strcmp(l->name, name) == 0 && strcmp(l->ns, ns) == 0)
			break;
	if (l == NULL) {
		if ((l = calloc(1, sizeof *l)) == NULL ||
		    (l->ns = xstrdup(ns)) == NULL ||
		    (l->name = xstrdup(name)) == NULL) {
			if (l)
				free(l->ns);
			free(l);
			snprintf(err, n, "%s", strerror(ENOMEM));
			*missing = 0;
			return NULL;
		}
		buf[0] = '\0';
		if ((path = locate(s, ns, name)) == NULL) {
			l->missing = 1;
			snprintf(buf, sizeof buf, "no schema declares %s",
			    name);
		} else {
			l->sc = compile(s, path, buf, sizeof buf);
			free(path);
		}
		if (l->sc == NULL)
			l->err = xstrdup(buf);
		l->next = s->lookups;
		s->lookups = l;
	}
	*missing = l->missing;
	if (l->sc == NULL)
		snprintf(err, n, "%s", l->err ? l->err : "no schema");
	return l->sc;
}

const char *
schema_path(const struct schema *sc)
{
	return sc->path;
}

const struct fastxsd *
schema_fast(const struct schema *sc)
{
	return sc->fx;
}

void
schema_errors_clear(struct schema_errors *e)
{
	e->n = 0;
	e->dropped = 0;
}

void
schema_errors_free(struct schema_errors *e)
{
	free(e->v);
	memset(e, 0, sizeof *e);
}

/* Cut a trailing incomplete UTF-8 sequence left by a truncation. */
void
schema_utf8_trim(char *s)
{
	size_t n = strlen(s), i = n, need;
	unsigned char c;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80 && n - i < 3)
		i--;
	if (i == 0)
		return;
	c = (unsigned char)s[i - 1];
	if (c < 0x80)
		return;
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	if (n - (i - 1) < need)
		s[i - 1] = '\0';
}

/* Replace "{uri}" by a short prefix, drop the "Element 'x': " lead. */
static void
shorten(const char *in, char *out, size_t n)
{
	static const struct { const char *uri, *pfx; } ns[] = {
		{ "{http://www.chinaport.gov.cn/ceb}", "ceb:" },
		{ "{http://www.chinaport.gov.cn/dxp}", "dxp:" },
		{ "{http://www.w3.org/2000/09/xmldsig#}", "ds:" },
	};
	size_t o = 0, i, len;
	const char *p = in;

	if (strncmp(p, "Element '", 9) == 0) {
		const char *q = strstr(p + 9, "': ");
		if (q)
			p = q + 3;
	}
	while (*p && o + 1 < n) {
		for (i = 0; i < sizeof ns / sizeof ns[0]; i++) {
			len = strlen(ns[i].uri);
			if (strncmp(p, ns[i].uri, len) == 0)
				break;
		}
		if (i < sizeof ns / sizeof ns[0]) {
			len = strlen(ns[i].pfx);
			if (o + len + 1 >= n)
				break;
			memcpy(out + o, ns[i].pfx, len);
			o += len;
			p += strlen(ns[i].uri);
			continue;
		}
		out[o++] = *p == '\n' ? ' ' : *p;
		p++;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	schema_utf8_trim(out);
}

static int
in_range(int code, int lo, int hi)
{
	return code >= lo && code <= hi;
}

static const char *
map_rule(int code, const char *msg)
{
	switch (code) {
	case XML_SCHEMAV_ELEMENT_CONTENT:
	case XML_SCHEMAV_CVC_COMPLEX_TYPE_2_4:
		return strstr(msg, "Missing child") ? "S-XSD-002" :
		    "S-XSD-001";
	case XML_SCHEMAV_CVC_DATATYPE_VALID_1_2_1:
	case XML_SCHEMAV_CVC_DATATYPE_VALID_1_2_2:
	case XML_SCHEMAV_CVC_DATATYPE_VALID_1_2_3:
	case XML_SCHEMAV_CVC_TYPE_3_1_1:
	case XML_SCHEMAV_CVC_TYPE_3_1_2:
	case XML_SCHEMAV_VALUE:
		return "S-XSD-004";
	case XML_SCHEMAV_CVC_COMPLEX_TYPE_2_1:
	case XML_SCHEMAV_CVC_COMPLEX_TYPE_2_2:
	case XML_SCHEMAV_CVC_COMPLEX_TYPE_2_3:
	case XML_SCHEMAV_NOTEMPTY:
	case XML_SCHEMAV_NOTSIMPLE:
	case XML_SCHEMAV_ELEMCONT:
		return "S-XSD-006";
	case XML_SCHEMAV_CVC_AU:
	case XML_SCHEMAV_ATTRUNKNOWN:
	case XML_SCHEMAV_ATTRINVALID:
	case XML_SCHEMAV_INVALIDATTR:
		return "S-XSD-005";
	}
	if (in_range(code, XML_SCHEMAV_CVC_FACET_VALID,
	    XML_SCHEMAV_CVC_ENUMERATION_VALID) || code == XML_SCHEMAV_FACET)
		return "S-XSD-003";
	if (in_range(code, XML_SCHEMAV_CVC_ATTRIBUTE_1,
	    XML_SCHEMAV_CVC_COMPLEX_TYPE_5_2))
		return "S-XSD-005";
	if (in_range(code, XML_SCHEMAV_NOROOT, XML_SCHEMAV_WRONGELEM) ||
	    code == XML_SCHEMAV_EXTRACONTENT || code == XML_SCHEMAV_INVALIDELEM)
		return "S-XSD-001";
	return "S-XSD-009";
}

/* The first name in "Expected is ( ceb:x )" or "one of ( ceb:x, ...". */
static void
expected_name(const char *text, char *out, size_t n)
{
	const char *p = strstr(text, "Expected is "), *q;
	size_t len;

	if (p == NULL || (p = strchr(p, '(')) == NULL)
		return;
	p++;
	while (*p == ' ')
		p++;
	if (*p == '{' && (q = strchr(p, '}')) != NULL)
		p = q + 1;
	else if ((q = strchr(p, ':')) != NULL && q < p + 8)
		p = q + 1;
	len = strcspn(p, " ,)");
	if (len == 0 || len >= n)
		return;
	memcpy(out, p, len);
	out[len] = '\0';
}

/*
 * For "This element is not expected. Expected is ( ceb:a, ceb:b )" on
 * node: nonzero when none of the expected elements occurs at node or
 * after it among its siblings and node does not repeat an element before
 * it, i.e. the error is a missing element, not an element out of order or
 * one too many.
 */
static int
absent_later(xmlNodePtr node, const char *text)
{
	const char *p = strstr(text, "Expected is "), *q;
	char name[128];
	size_t len;
	xmlNodePtr s;

	if (p == NULL || (p = strchr(p, '(')) == NULL)
		return 0;
	/* A repeated element is one too many, not a sign of a missing one. */
	for (s = node->prev; s; s = s->prev)
		if (s->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)s->name, (const char *)node->name) == 0)
			return 0;
	for (p++;;) {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == ')' || *p == '\0')
			return 1;
		if (*p == '{' && (q = strchr(p, '}')) != NULL)
			p = q + 1;	/* {uri}name: a namespace not shortened */
		len = strcspn(p, " ,)");
		q = memchr(p, ':', len);
		if (q) {
			len -= (size_t)(q + 1 - p);
			p = q + 1;
		}
		if (len == 0 || len >= sizeof name)
			return 0;
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		if (strcmp(name, "##other") == 0 || strchr(name, '#'))
			return 0;
		for (s = node; s; s = s->next)
			if (s->type == XML_ELEMENT_NODE &&
			    strcmp((const char *)s->name, name) == 0)
				return 0;
	}
}

static void
collect(void *arg, xmlErrorPtr e)
{
	struct schema_errors *out = arg;
	struct schema_error *x;
	xmlNodePtr node;
	const char *rule;

	if (e == NULL || e->level < XML_ERR_ERROR)
		return;
	node = (xmlNodePtr)e->node;
	rule = map_rule(e->code, e->message ? e->message : "");
	/* The redundant follow-up of a facet error on the same node. */
	if (e->code == XML_SCHEMAV_CVC_DATATYPE_VALID_1_2_1 && out->n > 0 &&
	    out->v[out->n - 1].node == node &&
	    strcmp(out->v[out->n - 1].rule, "S-XSD-003") == 0)
		return;
	if (out->n >= SCHEMA_MAX_ERRORS) {
		out->dropped++;
		return;
	}
	if (out->n == out->cap) {
		size_t cap = out->cap ? 2 * out->cap : 8;
		if ((x = realloc(out->v, cap * sizeof *x)) == NULL) {
			out->dropped++;
			return;
		}
		out->v = x;
		out->cap = cap;
	}
	x = &out->v[out->n++];
	x->rule = rule;
	x->code = e->code;
	x->node = node;
	x->line = node && node->type == XML_ELEMENT_NODE ?
	    xmlGetLineNo(node) : e->line;
	shorten(e->message ? e->message : "schema error", x->text,
	    sizeof x->text);
	x->field[0] = '\0';
	if (strcmp(rule, "S-XSD-001") == 0 && node && absent_later(node,
	    x->text)) {
		/* "not expected, expected is X" and no X follows: missing. */
		static const char ne[] = "This element is not expected.";
		char tmp[sizeof x->text];

		x->rule = rule = "S-XSD-002";
		if (strncmp(x->text, ne, sizeof ne - 1) == 0) {
			snprintf(tmp, sizeof tmp, "%s", x->text + sizeof ne - 1);
			snprintf(x->text, sizeof x->text, "Required element "
			    "missing before this one.%.350s", tmp);
			schema_utf8_trim(x->text);
		}
	}
	if (strcmp(rule, "S-XSD-002") == 0)
		expected_name(x->text, x->field, sizeof x->field);
	if (x->field[0] == '\0' && node && node->name &&
	    (node->type == XML_ELEMENT_NODE ||
	    node->type == XML_ATTRIBUTE_NODE))
		snprintf(x->field, sizeof x->field, "%s", node->name);
	schema_utf8_trim(x->field);
}

struct vslot {
	const struct schema *sc;
	xmlSchemaValidCtxtPtr c;
};

struct schema_vctx {
	size_t n, cap;
	struct vslot *v;
};

struct schema_vctx *
schema_vctx_new(void)
{
	return calloc(1, sizeof(struct schema_vctx));
}

void
schema_vctx_free(struct schema_vctx *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++)
		xmlSchemaFreeValidCtxt(v->v[i].c);
	free(v->v);
	free(v);
}

static xmlSchemaValidCtxtPtr
vctx_for(struct schema_vctx *v, const struct schema *sc)
{
	struct vslot *x;
	size_t i;

	for (i = 0; i < v->n; i++)
		if (v->v[i].sc == sc)
			return v->v[i].c;
	if (v->n == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 8;
		if ((x = realloc(v->v, cap * sizeof *x)) == NULL)
			return NULL;
		v->v = x;
		v->cap = cap;
	}
	x = &v->v[v->n];
	if ((x->c = xmlSchemaNewValidCtxt(sc->xs)) == NULL)
		return NULL;
	x->sc = sc;
	v->n++;
	return x->c;
}

int
schema_validate(struct schema_vctx *v, const struct schema *sc,
    xmlDocPtr doc, struct schema_errors *out)
{
	xmlSchemaValidCtxtPtr c = vctx_for(v, sc);
	size_t before = out->n + out->dropped;
	int r;

	if (c == NULL) {
		out->dropped++;
		return -1;
	}
	xmlSchemaSetValidStructuredErrors(c, collect, out);
	r = xmlSchemaValidateDoc(c, doc);
	xmlSchemaSetValidStructuredErrors(c, NULL, NULL);
	if (r < 0)
		return -1;
	if (r > 0 && out->n + out->dropped == before) {
		/* Invalid without a reported error: say so all the same. */
		xmlError e;

		memset(&e, 0, sizeof e);
		e.level = XML_ERR_ERROR;
		e.code = r;
		e.message = (char *)"the document is not valid";
		e.node = xmlDocGetRootElement(doc);
		collect(out, &e);
	}
	return (int)(out->n + out->dropped - before);
}

/* Streaming validation: count the errors, keep nothing else. */
static void
count_error(void *arg, xmlErrorPtr e)
{
	struct schema_stream *st = arg;

	if (e != NULL && e->level >= XML_ERR_ERROR)
		st->nerr++;
}

int
schema_stream_begin(struct schema_vctx *v, const struct schema *sc,
    struct schema_stream *st)
{
	xmlSchemaValidCtxtPtr c = vctx_for(v, sc);

	memset(st, 0, sizeof *st);
	if (c == NULL)
		return -1;
	xmlSchemaSetValidStructuredErrors(c, count_error, st);
	/*
	 * With no SAX handler of ours to wrap, the plug hands back the
	 * validator's own callbacks, which the caller calls directly.
	 */
	st->plug = xmlSchemaSAXPlug(c, &st->sax, &st->ud);
	if (st->plug == NULL) {
		xmlSchemaSetValidStructuredErrors(c, NULL, NULL);
		return -1;
	}
	st->vc = c;
	return 0;
}

int
schema_stream_end(struct schema_stream *st)
{
	xmlSchemaValidCtxtPtr c = st->vc;
	int valid;

	if (st->plug == NULL)
		return -1;
	valid = xmlSchemaIsValid(c);
	xmlSchemaSAXUnplug(st->plug);
	xmlSchemaSetValidStructuredErrors(c, NULL, NULL);
	st->plug = NULL;
	if (valid < 0)
		return -1;
	return valid == 1 && st->nerr == 0 ? 0 : 1;
}

char *
schema_node_path(xmlNodePtr node, char *buf, size_t n)
{
	xmlNodePtr chain[64], s;
	size_t depth = 0, o = 0, i;
	int idx, same;

	if (n == 0)
		return buf;
	buf[0] = '\0';
	for (; node && node->type == XML_ELEMENT_NODE && depth < 64;
	    node = node->parent)
		chain[depth++] = node;
	for (i = depth; i-- > 0 && o + 1 < n;) {
		node = chain[i];
		same = 0;
		for (s = node->parent ? node->parent->children : NULL; s &&
		    !same; s = s->next)
			same = s != node && s->type == XML_ELEMENT_NODE &&
			    strcmp((const char *)s->name,
			    (const char *)node->name) == 0;
		if (same) {
			idx = 1;
			for (s = node->prev; s; s = s->prev)
				if (s->type == XML_ELEMENT_NODE &&
				    strcmp((const char *)s->name,
				    (const char *)node->name) == 0)
					idx++;
			snprintf(buf + o, n - o, "/%s[%d]", node->name, idx);
		} else
			snprintf(buf + o, n - o, "/%s", node->name);
		o += strlen(buf + o);
	}
	return buf;
}
