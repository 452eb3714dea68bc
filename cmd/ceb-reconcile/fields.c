/*
 * fields.c: which fields of each reconciled document are kept, and their
 * blob: the message guid, appType, the head fields and the line fields of
 * one record, each NUL-terminated, in the order of the tables below (an
 * absent field is kept as an empty string).  Blobs live in the bstore;
 * the comparisons of match.c read them back with fields_read().
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "i18n.h"
#include "bstore.h"
#include "rec.h"

static const int codes[RT_N] = { 311, 411, 511, 621 };

static const char *const heads[RT_N][MAX_HEAD + 1] = {
	[RT_ORDER] = { "ebpCode", "orderNo", "ebcCode", "acturalPaid",
	    "buyerIdType", "buyerIdNumber", "buyerName", "buyerTelephone",
	    "payCode", "payTransactionId", "consignee", "consigneeTelephone",
	    "consigneeAddress", NULL },
	[RT_PAY] = { "ebpCode", "orderNo", "payCode", "payTransactionId",
	    "payerIdType", "payerIdNumber", "payerName", "telephone",
	    "amountPaid", NULL },
	[RT_WAY] = { "logisticsCode", "logisticsNo", "orderNo", "freight",
	    "insuredFee", "weight", "consignee", "consigneeTelephone",
	    "consigneeAddress", NULL },
	[RT_INV] = { "ebpCode", "orderNo", "ebcCode", "logisticsCode",
	    "logisticsNo", "agentCode", "copNo", "buyerIdType",
	    "buyerIdNumber", "buyerName", "buyerTelephone",
	    "consigneeAddress", "freight", "insuredFee", "grossWeight", NULL },
};

static const char *const lines[RT_N][MAX_LINEF + 1] = {
	[RT_ORDER] = { "gnum", "itemName", "itemNo", "qty", "price",
	    "totalPrice", "country", "barCode", NULL },
	[RT_INV] = { "gnum", "gname", "itemName", "itemNo", "qty", "price",
	    "totalPrice", "country", "barCode", NULL },
};

static const int nhead[RT_N] = { O_N, P_N, W_N, I_N };
static const int nline[RT_N] = { OL_N, 0, 0, IL_N };

int
fields_type(const struct msg_type *t)
{
	int i;

	for (i = 0; t && i < RT_N; i++)
		if (t->code == codes[i])
			return i;
	return -1;
}

const char *
fields_typename(int type)
{
	static const char *const names[RT_N] = { "CEB311", "CEB411",
	    "CEB511", "CEB621" };

	return type >= 0 && type < RT_N ? names[type] : "";
}

static int
put(char **buf, size_t *cap, size_t *len, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (*len + n + 1 > *cap) {
		size_t nc = (*cap ? *cap * 2 : 4096);
		char *p;

		while (nc < *len + n + 1)
			nc *= 2;
		if ((p = realloc(*buf, nc)) == NULL)
			return -1;
		*buf = p;
		*cap = nc;
	}
	if (n)
		memcpy(*buf + *len, s, n);
	(*buf)[*len + n] = '\0';
	*len += n + 1;
	return 0;
}

/*
 * Pick the fields of names[] out of the CEB children of parent in one
 * pass (comparing lengths first), instead of one search per field: the
 * first child of each name, its text as msg_field() gives it (a field
 * with mixed content, comments between text runs or children, is the
 * tree's: the scan does not take such a record, msrc_text()).
 */
static void
pick(const struct msrc *s, const void *parent, const char *const *names,
    int n, const char **v)
{
	size_t len[MAX_HEAD];
	const void *c;
	int i;

	for (i = 0; i < n; i++) {
		v[i] = NULL;
		len[i] = strlen(names[i]);
	}
	for (c = msrc_ceb_first(s, parent); c != NULL;
	    c = msrc_ceb_next(s, c)) {
		const char *name = msrc_name(s, c);
		size_t l = strlen(name);

		for (i = 0; i < n; i++)
			if (len[i] == l && v[i] == NULL &&
			    memcmp(names[i], name, l) == 0)
				break;
		if (i < n)
			v[i] = msrc_text(s, parent, c);
	}
}

void
fields_keys(int type, const struct msrc *s, const void *rec,
    const char *k[6])
{
	static const char *const pk[] = { "ebpCode", "orderNo" };
	static const char *const pay[] = { "ebpCode", "orderNo", "payCode",
	    "payTransactionId" };
	static const char *const way[] = { "logisticsCode", "logisticsNo" };
	static const char *const inv[] = { "ebpCode", "orderNo",
	    "logisticsCode", "logisticsNo" };
	const void *h = msrc_head(s, rec);
	const char *v[4];
	int j;

	for (j = 0; j < 6; j++)
		k[j] = NULL;
	switch (type) {
	case RT_ORDER:
		pick(s, h, pk, 2, v);
		k[0] = v[0], k[1] = v[1];
		break;
	case RT_PAY:
		pick(s, h, pay, 4, v);
		k[0] = v[0], k[1] = v[1], k[4] = v[2], k[5] = v[3];
		break;
	case RT_WAY:
		pick(s, h, way, 2, v);
		k[2] = v[0], k[3] = v[1];
		break;
	default:
		pick(s, h, inv, 4, v);
		k[0] = v[0], k[1] = v[1], k[2] = v[2], k[3] = v[3];
	}
}

long
fields_blob(int type, const struct msrc *s, const void *rec, char **buf,
    size_t *cap)
{
	const void *h = msrc_head(s, rec), *ln;
	const char *v[MAX_HEAD];
	size_t len = 0;
	char num[16];
	int i, nl = 0;
	const char *app = h ? msrc_field(s, h, "appType") : NULL;

	if (put(buf, cap, &len, s->m.guid) || put(buf, cap, &len, app))
		return -1;
	pick(s, h, heads[type], nhead[type], v);
	for (i = 0; i < nhead[type]; i++)
		if (put(buf, cap, &len, v[i]))
			return -1;
	if (nline[type] == 0)
		return (long)len;
	for (ln = msrc_line_first(s, rec); ln && nl < MAX_LINES;
	    ln = msrc_line_next(s, ln))
		nl++;
	snprintf(num, sizeof num, "%d", nl);
	if (put(buf, cap, &len, num))
		return -1;
	for (ln = msrc_line_first(s, rec); ln && nl-- > 0;
	    ln = msrc_line_next(s, ln)) {
		pick(s, ln, lines[type], nline[type], v);
		for (i = 0; i < nline[type]; i++)
			if (put(buf, cap, &len, v[i]))
				return -1;
	}
	return (long)len;
}

uint64_t
fields_hash(const char *blob, size_t len)
{
	/* Skip the message guid and appType: a resend has a new guid. */
	const char *p = memchr(blob, '\0', len);

	if (p != NULL)
		p = memchr(p + 1, '\0', len - (size_t)(p + 1 - blob));
	p = p ? p + 1 : blob + len;
	return shard_hash(p, len - (size_t)(p - blob));
}

int
fields_split(struct flds *f, int type, char *blob, size_t len)
{
	char *p = blob, *end = blob + len;
	int i, n;

#define NEXT(dst) do { \
	if (p >= end) return -1; \
	(dst) = p; p += strlen(p) + 1; \
} while (0)
	f->type = type;
	NEXT(f->guid);
	NEXT(f->apptype);
	for (i = 0; i < nhead[type]; i++)
		NEXT(f->h[i]);
	f->nl = 0;
	if (nline[type] == 0)
		return p == end ? 0 : -1;
	{
		const char *s;

		NEXT(s);
		f->nl = atoi(s);
	}
	if (f->nl < 0 || f->nl > MAX_LINES)
		return -1;
	n = f->nl * nline[type];
	for (i = 0; i < n; i++)
		NEXT(f->l[i]);
#undef NEXT
	return p == end ? 0 : -1;
}

int
fields_read(struct flds *f, const struct rrec *r)
{
	const char *p = bs_get(r->blob, r->bloblen, &f->buf, &f->cap);

	if (p == NULL)
		return -1;
	if (fields_split(f, r->type, (char *)p, r->bloblen) != 0) {
		diag_trouble(NULL, 0, _("cannot read back the spool"));
		return -1;
	}
	return 0;
}

const char *
fields_key(const struct flds *f, char *buf, size_t n)
{
	/* The business key every tool reports (msg.h's key fields). */
	static const int k[RT_N][2] = { { O_EBP, O_ORDERNO },
	    { P_PAYCODE, P_PAYTX }, { W_LCODE, W_LNO }, { I_AGENT, I_COPNO } };
	const char *a = f->h[k[f->type][0]], *b = f->h[k[f->type][1]];

	snprintf(buf, n, "%s/%s", *a ? a : "-", *b ? b : "-");
	return buf;
}

const char *
fields_orderno(const struct flds *f)
{
	switch (f->type) {
	case RT_ORDER:
		return f->h[O_ORDERNO];
	case RT_PAY:
		return f->h[P_ORDERNO];
	case RT_WAY:
		return f->h[W_ORDERNO];
	default:
		return f->h[I_ORDERNO];
	}
}
