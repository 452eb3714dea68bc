/*
 * envelope.c: DxpMsg and DxpMsgSv envelopes (envelope.h): opened and
 * written.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "envelope.h"
#include "i18n.h"
#include "msg.h"

int
envelope_is_root(const char *local, const char *ns)
{
	return ns != NULL && strcmp(ns, MSG_NS_DXP) == 0 &&
	    (strcmp(local, "DxpMsg") == 0 || strcmp(local, "DxpMsgSv") == 0);
}

void
envelope_free(struct envelope *e)
{
	int i;

	if (e == NULL)
		return;
	free(e->bytes);
	if (e->doc)
		xmlFreeDoc(e->doc);
	free(e->copmsgid);
	free(e->sender);
	free(e->created);
	free(e->msgtype);
	for (i = 0; i < e->nreceivers; i++)
		free(e->receivers[i]);
	free(e->msgid);
	free(e->payload);
	free(e);
}

/*
 * A copy of the text of node (may be NULL: ""), its tabs and line breaks
 * made spaces: a header value is shown on one line.
 */
static char *
text_of(xmlNodePtr node)
{
	xmlChar *t = node ? xmlNodeGetContent(node) : NULL;
	char *s = strdup(t ? (const char *)t : ""), *p;

	xmlFree(t);
	for (p = s; p && *p; p++)
		if (*p == '\t' || *p == '\r' || *p == '\n')
			*p = ' ';
	return s;
}

/* The text of the dxp child name of parent, malloc'd; "" when absent. */
static char *
child_text(xmlNodePtr parent, const char *name)
{
	return text_of(parent ? msg_child(parent, MSG_NS_DXP, name) : NULL);
}

static void
say(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
}

static int
b64_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
}

static int
blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Decode the base64 text t into e->payload.  Returns 0, or -1 with why
 * filled (not base64, too large) or errno ENOMEM.
 */
static int
decode(struct envelope *e, const char *t, size_t max, char *why, size_t n)
{
	size_t len = strlen(t), i, chars = 0;
	EVP_ENCODE_CTX *c;
	int out = 0, fin = 0;

	for (i = 0; i < len; i++) {
		int ch = (unsigned char)t[i];

		if (blank(ch))
			continue;
		if (!b64_char(ch)) {
			if (ch > 0x20 && ch < 0x7f)
				say(why, n, _("Data is not base64: character "
				    "'%c' at offset %zu"), ch, i);
			else
				say(why, n, _("Data is not base64: byte 0x%02X "
				    "at offset %zu"), (unsigned)ch, i);
			return -1;
		}
		chars++;
	}
	if (chars % 4 != 0) {
		say(why, n, _("Data is not base64: %zu characters, not a "
		    "multiple of 4 (truncated?)"), chars);
		return -1;
	}
	if (chars / 4 * 3 > max + 2) {
		say(why, n, _("Data decodes to more than the limit of %zu "
		    "bytes"), max);
		return -1;
	}
	if ((e->payload = malloc(chars / 4 * 3 + 64)) == NULL ||
	    (c = EVP_ENCODE_CTX_new()) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	EVP_DecodeInit(c);
	/* Blanks are skipped by OpenSSL itself; the text is short of INT_MAX
	 * since the envelope is within the size limit. */
	if (EVP_DecodeUpdate(c, (unsigned char *)e->payload, &out,
	    (const unsigned char *)t, (int)len) < 0 ||
	    EVP_DecodeFinal(c, (unsigned char *)e->payload + out, &fin) < 0) {
		EVP_ENCODE_CTX_free(c);
		say(why, n, _("Data is not base64 ('=' in the middle, or "
		    "malformed padding)"));
		return -1;
	}
	EVP_ENCODE_CTX_free(c);
	e->plen = (size_t)out + (size_t)fin;
	if (e->plen > max) {
		say(why, n, _("Data decodes to more than the limit of %zu "
		    "bytes"), max);
		return -1;
	}
	return 0;
}

static long
node_line(xmlNodePtr node, long base)
{
	long l = node ? xmlGetLineNo(node) : 0;

	return l > 0 ? base + l - 1 : base;
}

int
envelope_open(xmlDocPtr doc, const char *bytes, size_t len, long line,
    size_t max, struct envelope **out, const char **rule, long *where,
    char *why, size_t n)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), dxp, ti, data, ch, sv;
	struct envelope *e = calloc(1, sizeof *e);
	xmlChar *t;
	int r;

	*rule = NULL;
	*where = line;
	*out = NULL;
	if (e == NULL) {
		say(why, n, "%s", strerror(ENOMEM));
		return -1;
	}
	e->line = line;
	e->data_line = line;
	if (strcmp((const char *)root->name, "DxpMsgSv") == 0) {
		e->root = "DxpMsgSv";
		sv = msg_child(root, MSG_NS_DXP, "SvNo");
		e->msgid = child_text(sv, "MsgId");
		dxp = msg_child(root, MSG_NS_DXP, "DxpMsg");
	} else {
		e->root = "DxpMsg";
		dxp = root;
	}
	ti = dxp ? msg_child(dxp, MSG_NS_DXP, "TransInfo") : NULL;
	e->copmsgid = child_text(ti, "CopMsgId");
	e->sender = child_text(ti, "SenderId");
	e->created = child_text(ti, "CreatTime");
	e->msgtype = child_text(ti, "MsgType");
	if (ti && (ch = msg_child(ti, MSG_NS_DXP, "ReceiverIds")) != NULL)
		for (ch = msg_child(ch, MSG_NS_DXP, "ReceiverId"); ch &&
		    e->nreceivers < ENVELOPE_MAX_RECEIVERS;
		    ch = msg_next_same(ch))
			e->receivers[e->nreceivers++] = text_of(ch);
	if ((e->bytes = malloc(len + 1)) != NULL) {
		memcpy(e->bytes, bytes, len);
		e->bytes[len] = '\0';
		e->len = len;
	}
	if (!e->copmsgid || !e->sender || !e->created || !e->msgtype ||
	    !e->bytes)
		goto oom;
	data = dxp ? msg_child(dxp, MSG_NS_DXP, "Data") : NULL;
	if (data == NULL) {
		*rule = "S-DXP-004";
		*where = node_line(dxp ? dxp : root, line);
		say(why, n, dxp ? _("%s without Data: no message inside") :
		    _("%s without DxpMsg: no message inside"), e->root);
		goto bad;
	}
	e->data_line = *where = node_line(data, line);
	for (ch = data->children; ch; ch = ch->next)
		if (ch->type == XML_ELEMENT_NODE) {
			*rule = "S-DXP-001";
			say(why, n, _("Data holds an element <%s>, not base64 "
			    "text"), (const char *)ch->name);
			goto bad;
		}
	t = xmlNodeGetContent(data);
	r = decode(e, t ? (const char *)t : "", max, why, n);
	xmlFree(t);
	if (r != 0) {
		if (e->payload == NULL && errno == ENOMEM)
			goto oom;
		*rule = "S-DXP-001";
		goto bad;
	}
	if (e->plen == 0) {
		*rule = "S-DXP-004";
		say(why, n, _("%s with an empty Data: no message inside"),
		    e->root);
		goto bad;
	}
	e->doc = doc;
	*out = e;
	return 0;
oom:
	say(why, n, "%s", strerror(ENOMEM));
	envelope_free(e);
	return -1;
bad:
	free(e->payload);
	e->payload = NULL;
	e->plen = 0;
	e->doc = doc;
	*out = e;
	return -1;
}

int
envelope_id_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > 16)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f || s[i] == '<' ||
		    s[i] == '>' || s[i] == '&' || s[i] == '"' || s[i] == '\'')
			return 0;
	return 1;
}

/* Write s as XML character data. */
static int
put_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		int r;

		switch (*s) {
		case '&':
			r = fputs("&amp;", out);
			break;
		case '<':
			r = fputs("&lt;", out);
			break;
		case '>':
			r = fputs("&gt;", out);
			break;
		default:
			r = putc(*s, out);
		}
		if (r == EOF)
			return -1;
	}
	return 0;
}

static int
put_el(FILE *out, const char *name, const char *v)
{
	if (fprintf(out, "<dxp:%s>", name) < 0 || put_text(out, v) != 0 ||
	    fprintf(out, "</dxp:%s>", name) < 0)
		return -1;
	return 0;
}

/* Write base64 of msg in lines of 64 characters. */
static int
put_base64(FILE *out, const char *msg, size_t len)
{
	EVP_ENCODE_CTX *c = EVP_ENCODE_CTX_new();
	unsigned char buf[(48 * 1024 / 48) * 65 + 80];
	int o, r = 0;
	size_t i;

	if (c == NULL) {
		errno = ENOMEM;
		return -1;
	}
	EVP_EncodeInit(c);
	for (i = 0; i < len && r == 0; i += 48 * 1024) {
		size_t k = len - i < 48 * 1024 ? len - i : 48 * 1024;

		if (EVP_EncodeUpdate(c, buf, &o, (const unsigned char *)msg +
		    i, (int)k) != 1 ||
		    fwrite(buf, 1, (size_t)o, out) != (size_t)o)
			r = -1;
	}
	if (r == 0) {
		EVP_EncodeFinal(c, buf, &o);
		if (fwrite(buf, 1, (size_t)o, out) != (size_t)o)
			r = -1;
	}
	EVP_ENCODE_CTX_free(c);
	return r;
}

int
envelope_write(FILE *out, const struct envelope_head *h, const char *msg,
    size_t len)
{
	time_t t = h->created + 8 * 3600;	/* China time, UTC+8 */
	struct tm tm;
	char when[32];
	int i;

	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	if (fputs("<dxp:DxpMsg xmlns:dxp=\"" MSG_NS_DXP "\" ver=\"1.0\">\n"
	    "<dxp:TransInfo>", out) == EOF ||
	    put_el(out, "CopMsgId", h->copmsgid) != 0 ||
	    put_el(out, "SenderId", h->sender) != 0 ||
	    fputs("<dxp:ReceiverIds>", out) == EOF)
		return -1;
	for (i = 0; i < h->nreceivers; i++)
		if (put_el(out, "ReceiverId", h->receivers[i]) != 0)
			return -1;
	if (fputs("</dxp:ReceiverIds>", out) == EOF ||
	    put_el(out, "CreatTime", when) != 0 ||
	    put_el(out, "MsgType", h->msgtype) != 0 ||
	    fputs("</dxp:TransInfo>\n<dxp:Data>\n", out) == EOF ||
	    put_base64(out, msg, len) != 0 ||
	    fputs("</dxp:Data>\n</dxp:DxpMsg>", out) == EOF)
		return -1;
	return 0;
}
