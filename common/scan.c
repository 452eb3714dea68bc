/*
 * scan.c: the records of a CEB message read without a tree.
 *
 * The input loop has already parsed every document with libxml2 for
 * well-formedness only (stream_opts.no_tree: no tree is built).  What a
 * tool needs of a message is its type, guid and the leaf fields of its
 * records, so instead of building and walking a libxml2 tree (most of a
 * run's parsing cost) the document's bytes are scanned once into a small
 * table of elements: names, namespaces, leaf texts and the line of each
 * record.  First written for ceb-quota-check, now for every message type
 * msg_open() knows (ceb-reconcile too).
 *
 * The scan only takes documents whose tree it can reproduce exactly:
 * UTF-8, no carriage return, no entity or character reference, no
 * comment, processing instruction or CDATA section inside the root, every
 * element prefix declared, a record's start tag on one line, and inside a
 * record only its head and list elements with element children.  For any
 * other document scan_doc() says so and the caller builds the tree as
 * before (msrc.h), so that every field, line and finding stays the same.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "scan.h"

#define NO_NODE UINT32_MAX
#define SCAN_DEPTH 32	/* deeper documents are the tree's */

/* A namespace declaration in scope: prefix ("" for the default). */
struct nsbind {
	const char *prefix;
	size_t plen;
	int depth;
	unsigned char ceb;	/* bound to the CEB namespace */
	unsigned char uri;	/* to any (xmlns="" unbinds the default) */
};

/* Bytes that end a name in a tag: white space, '>', '/', '=', NUL. */
static const unsigned char name_end[256] = {
	[0] = 1, [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['>'] = 1, ['/'] = 1,
	['='] = 1
};

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

static int
grow(void **v, size_t *cap, size_t want, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *p;

	if (want <= *cap)
		return 0;
	while (n < want)
		n *= 2;
	if ((p = realloc(*v, n * size)) == NULL)
		return -1;
	*v = p;
	*cap = n;
	return 0;
}

/* The namespace URI that prefix [p, p + n) is bound to, or NULL. */
static const struct nsbind *
ns_find(const struct scan *sc, const char *p, size_t n)
{
	size_t i = sc->nns;

	while (i-- > 0)
		if (sc->ns[i].plen == n && memcmp(sc->ns[i].prefix, p, n) == 0)
			return &sc->ns[i];
	return NULL;
}

/* The encoding an XML declaration [p, e) names is UTF-8 (or none). */
static int
decl_utf8(const char *p, const char *e)
{
	static const char key[] = "encoding";
	const char *k;
	char q;

	for (k = p; k + sizeof key - 1 <= e; k++)
		if (memcmp(k, key, sizeof key - 1) == 0)
			break;
	if (k + sizeof key - 1 > e)
		return 1;
	k += sizeof key - 1;
	while (k < e && (is_space(*k) || *k == '='))
		k++;
	if (k >= e || (*k != '"' && *k != '\''))
		return 0;
	q = *k++;
	return e - k >= 6 && strncasecmp(k, "UTF-8", 5) == 0 && k[5] == q;
}

/*
 * Skip the prolog: XML declaration, comments, processing instructions
 * and white space.  Returns the offset of the root's '<', or -1.
 */
static long
prolog(const char *b, size_t len)
{
	size_t i = 0;

	for (;;) {
		const char *e;

		while (i < len && is_space(b[i]))
			i++;
		if (i + 1 >= len || b[i] != '<')
			return -1;
		if (b[i + 1] == '?') {
			if ((e = memmem(b + i, len - i, "?>", 2)) == NULL)
				return -1;
			if (i + 5 < len && memcmp(b + i, "<?xml", 5) == 0 &&
			    is_space(b[i + 5]) && !decl_utf8(b + i, e))
				return -1;
			i = (size_t)(e - b) + 2;
		} else if (b[i + 1] == '!') {
			if (i + 4 > len || memcmp(b + i, "<!--", 4) != 0 ||
			    (e = memmem(b + i + 4, len - i - 4, "-->",
			    3)) == NULL)
				return -1;
			i = (size_t)(e - b) + 3;
		} else
			return (long)i;
	}
}

/*
 * One start tag at b[i] ('<'): its element is appended as node n.
 * Returns the offset after its '>', or 0 when the scan must give up.
 * *empty is set for an empty-element tag.
 */
static size_t
start_tag(struct scan *sc, const char *b, size_t len, size_t i, int depth,
    int *empty)
{
	struct snode *nd = &sc->v[sc->n];
	size_t at = i++, nstart = i, colon = 0, nend;
	const char *guid = NULL;
	size_t glen = 0;

	/* The copy ends in a NUL: no name runs past it. */
	while (!name_end[(unsigned char)sc->buf[i]]) {
		if (sc->buf[i] == ':' && colon == 0)
			colon = i;
		i++;
	}
	nend = i;
	for (;;) {
		size_t an, ae, vs;
		char q;

		while (i < len && is_space(b[i]))
			i++;
		if (i >= len)
			return 0;
		if (b[i] == '>' || b[i] == '/')
			break;
		an = i;
		while (!name_end[(unsigned char)sc->buf[i]])
			i++;
		ae = i;
		while (i < len && (is_space(b[i]) || b[i] == '='))
			i++;
		if (i >= len || (b[i] != '"' && b[i] != '\''))
			return 0;
		q = b[i++];
		vs = i;
		{
			const char *e = memchr(b + i, q, len - i);

			if (e == NULL || memchr(b + i, '&', (size_t)(e - b) -
			    i) != NULL)
				return 0;	/* a reference: the tree's */
			i = (size_t)(e - b);
		}
		if (ae - an >= 5 && memcmp(b + an, "xmlns", 5) == 0 &&
		    (ae - an == 5 || b[an + 5] == ':')) {
			struct nsbind *nb;

			/*
			 * "xmlns:" with no prefix, or one binding xml or
			 * xmlns, is a namespace error libxml2 reports and
			 * ignores: the tree's (fuzz/regress/reconcile).
			 */
			if (ae - an == 6 || (ae - an == 9 &&
			    memcmp(b + an + 6, "xml", 3) == 0) ||
			    (ae - an == 11 && memcmp(b + an + 6, "xmlns",
			    5) == 0))
				return 0;
			if (grow((void **)&sc->ns, &sc->nscap, sc->nns + 1,
			    sizeof *sc->ns) != 0)
				return 0;
			nb = &sc->ns[sc->nns++];
			nb->prefix = ae - an == 5 ? "" : b + an + 6;
			nb->plen = ae - an == 5 ? 0 : ae - an - 6;
			nb->depth = depth;
			nb->uri = i > vs;
			nb->ceb = i - vs == sizeof MSG_NS_CEB - 1 &&
			    memcmp(b + vs, MSG_NS_CEB, i - vs) == 0;
		} else if (depth == 1 && ae - an == 4 &&
		    memcmp(b + an, "guid", 4) == 0) {
			guid = b + vs;
			glen = i - vs;
		}
		i++;
	}
	*empty = b[i] == '/';
	if (*empty)
		i++;
	if (i >= len || b[i] != '>')
		return 0;
	nd->multiline = depth == 2 && memchr(b + at, '\n', i - at) != NULL;
	nd->at = at;
	{
		const struct nsbind *nb = colon ? ns_find(sc, b + nstart,
		    colon - nstart) : ns_find(sc, "", 0);
		const char *local = colon ? b + colon + 1 : b + nstart;

		if (colon && nb == NULL)
			return 0;	/* undeclared prefix: the tree's */
		nd->ceb = nb != NULL && nb->ceb;
		nd->nsuri = nb != NULL && nb->uri;
		nd->name = sc->buf + (local - b);
		sc->buf[nend] = '\0';
	}
	if (guid != NULL) {
		if (memchr(guid, '\t', glen) || memchr(guid, '\n', glen))
			return 0;	/* normalised in the tree */
		sc->guid = sc->buf + (guid - b);
		sc->buf[(guid - b) + glen] = '\0';
	}
	return i + 1;
}

static void
pop_ns(struct scan *sc, int depth)
{
	while (sc->nns > 0 && sc->ns[sc->nns - 1].depth >= depth)
		sc->nns--;
}

/* The record element a depth-2 node of a type is. */
static int
is_record(const struct scan *sc, const struct snode *nd)
{
	return sc->type != NULL && nd->ceb &&
	    strcmp(nd->name, sc->type->record) == 0;
}

int
scan_doc(struct scan *sc, const char *b, size_t len,
    const unsigned char *types)
{
	uint32_t stack[SCAN_DEPTH];
	int depth = 0, rec = 0;
	long at;
	size_t i, lines_at = 0;
	long line = 1;

	sc->n = 0;
	sc->nns = 0;
	sc->types = types;
	sc->type = NULL;
	sc->guid = "";
	sc->nrec = 0;
	sc->first = NO_NODE;
	if (memchr(b, '\r', len) != NULL || (at = prolog(b, len)) < 0)
		return -1;
	if (grow((void **)&sc->buf, &sc->bcap, len + 1, 1) != 0)
		return -2;
	memcpy(sc->buf, b, len);
	sc->buf[len] = '\0';
	i = (size_t)at;
	for (;;) {
		struct snode *nd;
		int empty;
		size_t j;

		if (depth > 0) {
			/* Content up to the next '<'. */
			const char *lt = memchr(b + i, '<', len - i);

			if (lt == NULL)
				return -1;
			j = (size_t)(lt - b);
			if (memchr(b + i, '&', j - i) != NULL)
				return -1;
			if (j + 1 >= len)
				return -1;
			if (b[j + 1] == '/') {
				/* An end tag. */
				const char *gt;

				nd = &sc->v[stack[depth - 1]];
				if (nd->child == NO_NODE) {
					nd->text = sc->buf + nd->tstart;
					sc->buf[j] = '\0';
				}
				if ((gt = memchr(b + j, '>', len - j)) == NULL)
					return -1;
				pop_ns(sc, depth);
				if (depth == 2)
					rec = 0;
				if (--depth == 0)
					break;
				i = (size_t)(gt - b) + 1;
				continue;
			}
			if (b[j + 1] == '!' || b[j + 1] == '?')
				return -1;	/* comment, CDATA, PI */
			i = j;
		}
		/* A start tag at i. */
		if (depth >= SCAN_DEPTH)
			return -1;
		if (sc->n == sc->vcap && grow((void **)&sc->v, &sc->vcap,
		    sc->n + 1, sizeof *sc->v) != 0)
			return -2;
		nd = &sc->v[sc->n];
		memset(nd, 0, sizeof *nd);
		nd->child = nd->next = nd->last = NO_NODE;
		if ((j = start_tag(sc, b, len, i, depth + 1, &empty)) == 0)
			return -1;
		nd->tstart = j;
		if (depth > 0) {
			struct snode *p = &sc->v[stack[depth - 1]];

			if (p->child == NO_NODE)
				p->child = (uint32_t)sc->n;
			else
				sc->v[p->last].next = (uint32_t)sc->n;
			p->last = (uint32_t)sc->n;
			/*
			 * Inside a record only its head and lists hold
			 * elements: a field with children is the tree's.
			 */
			if (rec && (depth >= 4 || (depth == 3 && !p->holder)))
				return -1;
		}
		depth++;
		if (depth == 1) {
			const char *name = nd->name;

			if (strncmp(name, "CEB", 3) == 0 &&
			    strlen(name) == 13 &&
			    strcmp(name + 6, "Message") == 0 && nd->ceb)
				sc->type = msg_type_by_root(name);
			/*
			 * Not a CEB message: no guid, as msg_open() gives
			 * none (fuzz/regress/reconcile).
			 */
			if (sc->type == NULL)
				sc->guid = "";
			if (sc->type == NULL || (types != NULL &&
			    !types[sc->type - msg_types]))
				return 0;	/* nothing more is read */
		} else if (depth == 3 && rec) {
			nd->holder = nd->ceb && ((sc->type->head &&
			    strcmp(nd->name, sc->type->head) == 0) ||
			    (sc->type->list && strcmp(nd->name,
			    sc->type->list) == 0));
		} else if (depth == 2 && is_record(sc, nd)) {
			if (nd->multiline)
				return -1;
			while (lines_at < nd->at) {
				const char *nl = memchr(b + lines_at, '\n',
				    nd->at - lines_at);

				if (nl == NULL)
					break;
				line++;
				lines_at = (size_t)(nl - b) + 1;
			}
			lines_at = nd->at;
			nd->line = line;
			if (sc->first == NO_NODE)
				sc->first = (uint32_t)sc->n;
			sc->nrec++;
			rec = 1;
		}
		stack[depth - 1] = (uint32_t)sc->n;
		sc->n++;
		i = j;
		if (empty) {
			nd = &sc->v[sc->n - 1];
			nd->text = "";
			pop_ns(sc, depth);
			if (depth == 2)
				rec = 0;
			if (--depth == 0)
				break;
		}
	}
	return 0;
}

struct snode *
scan_node(const struct scan *sc, uint32_t i)
{
	return i == NO_NODE ? NULL : &sc->v[i];
}

/* The first CEB child of parent named name, from child on. */
static struct snode *
named(const struct scan *sc, uint32_t child, const char *name)
{
	for (; child != NO_NODE; child = sc->v[child].next)
		if (sc->v[child].ceb && sc->v[child].name[0] == name[0] &&
		    strcmp(sc->v[child].name, name) == 0)
			return &sc->v[child];
	return NULL;
}

struct snode *
scan_child(const struct scan *sc, const struct snode *parent,
    const char *name)
{
	return parent ? named(sc, parent->child, name) : NULL;
}

struct snode *
scan_next_same(const struct scan *sc, const struct snode *nd)
{
	return named(sc, nd->next, nd->name);
}

const char *
scan_field(const struct scan *sc, const struct snode *parent,
    const char *name)
{
	const struct snode *f = scan_child(sc, parent, name);

	return f == NULL ? NULL : f->text ? f->text : "";
}

struct snode *
scan_first(const struct scan *sc, const struct snode *parent)
{
	return parent ? scan_node(sc, parent->child) : NULL;
}

struct snode *
scan_next(const struct scan *sc, const struct snode *nd)
{
	return scan_node(sc, nd->next);
}

void
scan_free(struct scan *sc)
{
	free(sc->buf);
	free(sc->v);
	free(sc->ns);
	memset(sc, 0, sizeof *sc);
}
