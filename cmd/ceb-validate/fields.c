/*
 * fields.c: the fields the business rules read, from a tree or from SAX
 * events (fields.h).  Every value is copied into the message's arena and
 * noted as an entry (field, owner, line, offset); a head or a line is
 * expanded into a struct fieldset only when the rules look at it, so that
 * memory follows the message's size.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"

const char *const field_names[NFIELDS] = {
#define X(f) #f,
	FIELDS(X)
#undef X
};

/* Field name -> enum field, an open-addressing hash built once. */
static signed char fmap[512];
static int fmap_ready;

static unsigned
fhash(const char *s)
{
	unsigned h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h & 511;
}

static void
fmap_init(void)
{
	int i;

	memset(fmap, -1, sizeof fmap);
	for (i = 0; i < NFIELDS; i++) {
		unsigned h = fhash(field_names[i]);

		while (fmap[h] >= 0)
			h = (h + 1) & 511;
		fmap[h] = (signed char)i;
	}
	fmap_ready = 1;
}

int
field_of(const char *name)
{
	unsigned h;

	if (!fmap_ready)
		fmap_init();	/* first call is on the main thread (rules_load) */
	h = fhash(name);
	while (fmap[h] >= 0) {
		if (strcmp(field_names[(int)fmap[h]], name) == 0)
			return fmap[h];
		h = (h + 1) & 511;
	}
	return -1;
}

enum owner { O_HEAD, O_LINE };

/* One value: of a head (who: record index) or of a line (line index). */
struct fent {
	int f;
	enum owner kind;
	size_t who;
	long line;
	size_t off;		/* in the arena, NUL-terminated */
};

struct frec {
	long line;
	size_t e0, e1;		/* its entries */
	size_t l0, nl;		/* its lines */
	int has_head;
};

struct fline {
	long line;
	size_t e0, e1;
};

/* What an open element of depth 2 or 3 is. */
enum where { W_NONE, W_REC, W_HEAD, W_LINE, W_BT };

struct fdoc {
	const struct msg_type *type;
	long base;
	struct frec *rec;
	size_t nrec, caprec;
	struct fline *line;
	size_t nline, capline;
	struct fent *ent;
	size_t nent, capent;
	char *arena;
	size_t alen, acap;
	long root_line;
	int sig;		/* the root has a ds:Signature */
	int bt_seen;		/* a BaseTransfer was seen */
	int cop_set;
	size_t cop_off;
	long cop_line;
	int nomem;
	/* SAX state. */
	int depth;
	enum where w2, w3;	/* the open elements of depth 2 and 3 */
	int fdepth;		/* depth of the field being read, or 0 */
	int fcop;		/* ... and it is copCode */
	/*
	 * The SAX parser hands the same name and namespace pointers (its
	 * dictionary's) for the same strings, at least within a document:
	 * what they were found to be is remembered by pointer until the
	 * next fdoc_reset().
	 */
	const char *ceb_uri;	/* the CEB namespace, or NULL */
	struct {
		const char *name;
		int f;
	} fc[256];		/* field_of() by pointer */
};

struct fdoc *
fdoc_new(void)
{
	return calloc(1, sizeof(struct fdoc));
}

void
fdoc_free(struct fdoc *d)
{
	if (d == NULL)
		return;
	free(d->rec);
	free(d->line);
	free(d->ent);
	free(d->arena);
	free(d);
}

size_t
fdoc_footprint(const struct fdoc *d)
{
	return sizeof *d + d->caprec * sizeof *d->rec +
	    d->capline * sizeof *d->line + d->capent * sizeof *d->ent +
	    d->acap;
}

void
fdoc_reset(struct fdoc *d, const struct msg_type *t, long line_base)
{
	d->type = t;
	d->base = line_base;
	d->nrec = d->nline = d->nent = d->alen = 0;
	d->root_line = line_base;
	d->sig = d->bt_seen = d->cop_set = d->nomem = 0;
	d->cop_off = 0;
	d->cop_line = 0;
	d->depth = 0;
	d->w2 = d->w3 = W_NONE;
	d->fdepth = d->fcop = 0;
	d->ceb_uri = NULL;
	memset(d->fc, 0, sizeof d->fc);
}

/* Grow *v (of *cap elements of size sz) to hold one more; 0 or -1. */
static int
grow(void **v, size_t *cap, size_t n, size_t sz)
{
	size_t c;
	void *p;

	if (n < *cap)
		return 0;
	c = *cap ? 2 * *cap : 16;
	if ((p = realloc(*v, c * sz)) == NULL)
		return -1;
	*v = p;
	*cap = c;
	return 0;
}

static void
put(struct fdoc *d, const char *s, size_t len)
{
	if (d->nomem)
		return;
	if (d->alen + len + 1 > d->acap) {
		size_t c = d->acap ? d->acap : 4096;
		char *p;

		while (d->alen + len + 1 > c)
			c *= 2;
		if ((p = realloc(d->arena, c)) == NULL) {
			d->nomem = 1;
			return;
		}
		d->arena = p;
		d->acap = c;
	}
	memcpy(d->arena + d->alen, s, len);
	d->alen += len;
}

/* Absolute source line of libxml2's line l of the message. */
static long
absline(const struct fdoc *d, long l)
{
	return l > 0 ? d->base + l - 1 : d->base;
}

static void
add_rec(struct fdoc *d, long line)
{
	struct frec *r;

	if (d->nomem || grow((void **)&d->rec, &d->caprec, d->nrec,
	    sizeof *d->rec) != 0) {
		d->nomem = 1;
		return;
	}
	r = &d->rec[d->nrec++];
	r->line = line;
	r->e0 = r->e1 = d->nent;
	r->l0 = d->nline;
	r->nl = 0;
	r->has_head = 0;
}

static void
add_line(struct fdoc *d, long line)
{
	struct fline *l;

	if (d->nomem || grow((void **)&d->line, &d->capline, d->nline,
	    sizeof *d->line) != 0) {
		d->nomem = 1;
		return;
	}
	l = &d->line[d->nline++];
	l->line = line;
	l->e0 = l->e1 = d->nent;
	d->rec[d->nrec - 1].nl++;
}

/* A value of field f begins (its text follows through put()). */
static void
add_ent(struct fdoc *d, int f, enum owner kind, long line)
{
	struct fent *e;

	if (d->nomem || grow((void **)&d->ent, &d->capent, d->nent,
	    sizeof *d->ent) != 0) {
		d->nomem = 1;
		return;
	}
	e = &d->ent[d->nent++];
	e->f = f;
	e->kind = kind;
	e->who = kind == O_HEAD ? d->nrec - 1 : d->nline - 1;
	e->line = line;
	e->off = d->alen;
	d->rec[d->nrec - 1].e1 = d->nent;
	if (kind == O_LINE)
		d->line[d->nline - 1].e1 = d->nent;
}

static int
is_ceb(struct fdoc *d, const char *uri)
{
	if (uri == NULL)
		return 0;
	if (uri == d->ceb_uri)
		return 1;
	if (strcmp(uri, MSG_NS_CEB) != 0)
		return 0;
	d->ceb_uri = uri;
	return 1;
}

/*
 * field_of(local), remembered by pointer for the document: open
 * addressing, a few probes; a name that finds no room is looked up
 * every time (a hostile document's thousands of names).
 */
static int
sax_field_miss(struct fdoc *d, const char *local, size_t h)
{
	int k;

	for (k = 0; k < 8; k++, h = (h + 1) & 255) {
		if (d->fc[h].name == local)
			return d->fc[h].f;
		if (d->fc[h].name == NULL) {
			d->fc[h].name = local;
			return d->fc[h].f = field_of(local);
		}
	}
	return field_of(local);
}

static inline int
sax_field(struct fdoc *d, const char *local)
{
	size_t h = (size_t)(((uintptr_t)local * 0x9E3779B97F4A7C15u) >> 56);

	if (d->fc[h].name == local)
		return d->fc[h].f;
	return sax_field_miss(d, local, h);
}

void
fdoc_start(struct fdoc *d, const char *local, const char *uri, long line)
{
	const struct msg_type *t = d->type;
	long at;
	int f;

	d->depth++;
	if (d->fdepth || d->nomem)
		return;		/* inside a field: only its text counts */
	at = absline(d, line);
	switch (d->depth) {
	case 1:
		d->root_line = at;
		return;
	case 2:
		d->w2 = W_NONE;
		if (t == NULL)
			return;
		if (uri != NULL && strcmp(uri, MSG_NS_DS) == 0 &&
		    strcmp(local, "Signature") == 0)
			d->sig = 1;
		else if (!is_ceb(d, uri))
			return;
		else if (strcmp(local, t->record) == 0) {
			add_rec(d, at);
			d->w2 = W_REC;
		} else if (strcmp(local, "BaseTransfer") == 0 && !d->bt_seen) {
			d->bt_seen = 1;
			d->w2 = W_BT;
		}
		return;
	case 3:
		d->w3 = W_NONE;
		if (!is_ceb(d, uri))
			return;
		if (d->w2 == W_BT) {
			if (!d->cop_set && strcmp(local, "copCode") == 0) {
				d->fdepth = d->depth;
				d->fcop = 1;
				d->cop_off = d->alen;
				d->cop_line = at;
			}
			return;
		}
		if (d->w2 != W_REC)
			return;
		if (t->head != NULL && strcmp(local, t->head) == 0) {
			if (!d->rec[d->nrec - 1].has_head) {
				d->rec[d->nrec - 1].has_head = 1;
				d->w3 = W_HEAD;
			}
		} else if (t->list != NULL && strcmp(local, t->list) == 0) {
			add_line(d, at);
			d->w3 = W_LINE;
		} else if (t->head == NULL && (f = sax_field(d, local)) >= 0) {
			add_ent(d, f, O_HEAD, at);
			d->fdepth = d->depth;
		}
		return;
	case 4:
		if ((d->w3 == W_HEAD || d->w3 == W_LINE) && is_ceb(d, uri) &&
		    (f = sax_field(d, local)) >= 0) {
			add_ent(d, f, d->w3 == W_HEAD ? O_HEAD : O_LINE, at);
			d->fdepth = d->depth;
		}
		return;
	}
}

void
fdoc_text(struct fdoc *d, const char *s, size_t len)
{
	if (d->fdepth)
		put(d, s, len);
}

void
fdoc_end(struct fdoc *d)
{
	if (d->fdepth == d->depth) {
		put(d, "", 1);
		if (d->fcop)
			d->cop_set = 1;
		d->fdepth = d->fcop = 0;
	}
	d->depth--;
}

/* The text of element e as xmlNodeGetContent() gives it, into the arena. */
static void
put_text(struct fdoc *d, xmlNodePtr e)
{
	xmlNodePtr t = e->children;
	xmlChar *all;

	if (t == NULL) {
		put(d, "", 1);
		return;
	}
	if (t->next == NULL && (t->type == XML_TEXT_NODE ||
	    t->type == XML_CDATA_SECTION_NODE)) {
		const char *s = t->content ? (const char *)t->content : "";

		put(d, s, strlen(s) + 1);
		return;
	}
	if ((all = xmlNodeGetContent(e)) == NULL) {
		put(d, "", 1);
		return;
	}
	put(d, (const char *)all, strlen((const char *)all) + 1);
	xmlFree(all);
}

static int
tree_is_ceb(xmlNodePtr c)
{
	return c->type == XML_ELEMENT_NODE && c->ns != NULL &&
	    strcmp((const char *)c->ns->href, MSG_NS_CEB) == 0;
}

/* The field children of parent, as entries of kind. */
static void
tree_fields(struct fdoc *d, const struct msg *m, xmlNodePtr parent,
    enum owner kind)
{
	xmlNodePtr c;
	int f;

	for (c = parent->children; c != NULL; c = c->next) {
		if (!tree_is_ceb(c) || (f = field_of((const char *)c->name)) < 0)
			continue;
		add_ent(d, f, kind, msg_line(m, c));
		if (!d->nomem)
			put_text(d, c);
	}
}

int
fdoc_from_tree(struct fdoc *d, const struct msg *m)
{
	xmlNodePtr rec, h, l, bt, cc;

	fdoc_reset(d, m->type, m->line_base);
	d->root_line = msg_line(m, m->root);
	d->sig = msg_child(m->root, MSG_NS_DS, "Signature") != NULL;
	if ((bt = msg_child(m->root, MSG_NS_CEB, "BaseTransfer")) != NULL) {
		d->bt_seen = 1;
		if ((cc = msg_child(bt, MSG_NS_CEB, "copCode")) != NULL) {
			d->cop_off = d->alen;
			d->cop_line = msg_line(m, cc);
			put_text(d, cc);
			d->cop_set = 1;
		}
	}
	for (rec = msg_record_first(m); rec != NULL && !d->nomem;
	    rec = msg_record_next(m, rec)) {
		add_rec(d, msg_line(m, rec));
		if (d->nomem)
			break;
		if ((h = msg_head(m, rec)) != NULL) {
			d->rec[d->nrec - 1].has_head = 1;
			tree_fields(d, m, h, O_HEAD);
		}
		for (l = msg_line_first(m, rec); l != NULL && !d->nomem;
		    l = msg_line_next(m, l)) {
			add_line(d, msg_line(m, l));
			if (!d->nomem)
				tree_fields(d, m, l, O_LINE);
		}
	}
	return d->nomem ? -1 : 0;
}

int
fdoc_failed(const struct fdoc *d)
{
	return d->nomem;
}

size_t
fdoc_records(const struct fdoc *d)
{
	return d->nrec;
}

long
fdoc_record_line(const struct fdoc *d, size_t i)
{
	return d->rec[i].line;
}

/* Expand the entries [e0, e1) of kind and owner who into fs. */
static void
expand(const struct fdoc *d, size_t e0, size_t e1, enum owner kind,
    size_t who, struct fieldset *fs)
{
	size_t k;

	memset(fs, 0, sizeof *fs);
	for (k = e0; k < e1; k++) {
		const struct fent *e = &d->ent[k];

		if (e->kind != kind || e->who != who || fs->v[e->f] != NULL)
			continue;
		fs->v[e->f] = d->arena + e->off;
		fs->ln[e->f] = e->line;
	}
}

static const char *
first(const struct fdoc *d, size_t e0, size_t e1, enum owner kind,
    size_t who, enum field f)
{
	size_t k;

	for (k = e0; k < e1; k++)
		if (d->ent[k].f == (int)f && d->ent[k].kind == kind &&
		    d->ent[k].who == who)
			return d->arena + d->ent[k].off;
	return NULL;
}

void
fdoc_head(const struct fdoc *d, size_t i, struct fieldset *fs)
{
	expand(d, d->rec[i].e0, d->rec[i].e1, O_HEAD, i, fs);
}

const char *
fdoc_head_field(const struct fdoc *d, size_t i, enum field f)
{
	return first(d, d->rec[i].e0, d->rec[i].e1, O_HEAD, i, f);
}

void
fdoc_lines(const struct fdoc *d, size_t i, size_t *l0, size_t *n)
{
	*l0 = d->rec[i].l0;
	*n = d->rec[i].nl;
}

long
fdoc_line_line(const struct fdoc *d, size_t k)
{
	return d->line[k].line;
}

void
fdoc_line(const struct fdoc *d, size_t k, struct fieldset *fs)
{
	expand(d, d->line[k].e0, d->line[k].e1, O_LINE, k, fs);
}

const char *
fdoc_line_field(const struct fdoc *d, size_t k, enum field f)
{
	return first(d, d->line[k].e0, d->line[k].e1, O_LINE, k, f);
}

long
fdoc_root_line(const struct fdoc *d)
{
	return d->root_line;
}

int
fdoc_signed(const struct fdoc *d)
{
	return d->sig;
}

const char *
fdoc_copcode(const struct fdoc *d, long *line)
{
	*line = d->cop_line;
	return d->cop_set ? d->arena + d->cop_off : NULL;
}

char *
fdoc_key(const struct fdoc *d, size_t i, char *buf, size_t n)
{
	size_t used = 0;
	int k, f;

	buf[0] = '\0';
	for (k = 0; k < 3 && d->type->keys[k]; k++) {
		const char *v = (f = field_of(d->type->keys[k])) >= 0 ?
		    fdoc_head_field(d, i, (enum field)f) : NULL;

		if (v == NULL || *v == '\0')
			v = "-";
		/* By hand (snprintf() cost more than the rest of the
		 * key), cut at n - 1 bytes as snprintf() cut it. */
		if (k && used + 1 < n)
			buf[used++] = '/';
		while (*v != '\0' && used + 1 < n)
			buf[used++] = *v++;
		buf[used] = '\0';
	}
	return buf;
}
