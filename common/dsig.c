/*
 * dsig.c: XML-DSig enveloped signatures of CEB messages (dsig.h): C14N
 * 1.0 with libxml2 (xmlC14NExecute over the tree, the Signature element
 * left out by a visibility callback), digests and signatures with OpenSSL
 * libcrypto (SHA-1, SM3, RSA PKCS#1 v1.5, SM2 with the GM/T 0009 default
 * user ID), base64 with OpenSSL's EVP coder.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/store.h>
#include <openssl/ui.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "dsig.h"
#include "i18n.h"
#include "stream.h"

#define NS_DS "http://www.w3.org/2000/09/xmldsig#"

/* Bounds on what a signature block may make us decode. */
#define MAX_CERT_TEXT (64 * 1024)	/* base64 of one certificate */
#define MAX_SIG_TEXT 4096		/* base64 of a SignatureValue */
#define MAX_DIGEST_TEXT 128		/* base64 of a DigestValue */
#define CACHE_BUCKETS 256
#define CACHE_MAX 4096			/* entries; more are parsed, not kept */

/* ---- The certificate cache ---- */

struct cert {
	unsigned char key[32];	/* SHA-256 of the DER bytes */
	X509 *x;		/* NULL when the bytes do not parse */
	char why[160];		/* why not, or why untrusted */
	int trusted;		/* 1 chains to an anchor, 0 not, -1 no anchors */
	char subject[256], serial[80];
	time_t nb, na;
	struct cert *next;
};

struct dsig_cache {
	pthread_mutex_t mu;
	X509_STORE *store;	/* trust anchors, or NULL */
	struct cert *b[CACHE_BUCKETS];
	unsigned long n, parsed;
};

static void
setf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, n, fmt, ap);
	va_end(ap);
}

/* Load every *.pem and *.crt file of dir into st.  Returns files loaded. */
static int
load_trust_dir(X509_STORE *st, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	size_t l;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		l = strlen(e->d_name);
		if (l < 5 || (strcmp(e->d_name + l - 4, ".pem") != 0 &&
		    strcmp(e->d_name + l - 4, ".crt") != 0))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (X509_STORE_load_file(st, path) == 1)
			n++;
	}
	closedir(d);
	return n;
}

struct dsig_cache *
dsig_cache_new(const char *trust, char *err, size_t n)
{
	struct dsig_cache *c = calloc(1, sizeof *c);
	DIR *d;
	int loaded;

	if (c == NULL) {
		setf(err, n, "%s", strerror(ENOMEM));
		return NULL;
	}
	pthread_mutex_init(&c->mu, NULL);
	if (trust == NULL)
		return c;
	if ((c->store = X509_STORE_new()) == NULL) {
		setf(err, n, "%s", strerror(ENOMEM));
		dsig_cache_free(c);
		return NULL;
	}
	if ((d = opendir(trust)) != NULL) {
		closedir(d);
		loaded = load_trust_dir(c->store, trust);
	} else
		loaded = X509_STORE_load_file(c->store, trust) == 1 ? 1 : -1;
	if (loaded <= 0 || sk_X509_OBJECT_num(X509_STORE_get0_objects(
	    c->store)) == 0) {
		setf(err, n, _("--trust %s: no PEM CA certificate could be "
		    "read"), trust);
		dsig_cache_free(c);
		return NULL;
	}
	/* Time is judged on its own (a warning), against the message's. */
	X509_STORE_set_flags(c->store, X509_V_FLAG_PARTIAL_CHAIN |
	    X509_V_FLAG_NO_CHECK_TIME);
	return c;
}

void
dsig_cache_free(struct dsig_cache *c)
{
	struct cert *e, *x;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < CACHE_BUCKETS; i++)
		for (e = c->b[i]; e; e = x) {
			x = e->next;
			X509_free(e->x);
			free(e);
		}
	X509_STORE_free(c->store);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

unsigned long
dsig_cache_parsed(const struct dsig_cache *c)
{
	return c ? c->parsed : 0;
}

static time_t
asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}

/* Parse der into e (not yet in the cache). */
static void
cert_parse(struct dsig_cache *c, struct cert *e, const unsigned char *der,
    size_t len)
{
	const unsigned char *p = der;
	X509_STORE_CTX *sc;
	BIGNUM *bn;
	char *hex;
	BIO *b;
	int r;

	e->trusted = -1;
	e->x = d2i_X509(NULL, &p, (long)len);
	if (e->x == NULL || p != der + len || X509_get0_pubkey(e->x) == NULL) {
		X509_free(e->x);
		e->x = NULL;
		setf(e->why, sizeof e->why, "%s",
		    _("X509Certificate is not a DER X.509 certificate"));
		return;
	}
	if ((b = BIO_new(BIO_s_mem())) != NULL) {
		X509_NAME_print_ex(b, X509_get_subject_name(e->x), 0,
		    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
		r = BIO_read(b, e->subject, sizeof e->subject - 1);
		e->subject[r > 0 ? r : 0] = '\0';
		BIO_free(b);
	}
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(e->x), NULL);
	if (bn && (hex = BN_bn2hex(bn)) != NULL) {
		snprintf(e->serial, sizeof e->serial, "%s", hex);
		OPENSSL_free(hex);
	}
	BN_free(bn);
	e->nb = asn1_time(X509_get0_notBefore(e->x));
	e->na = asn1_time(X509_get0_notAfter(e->x));
	if (c->store == NULL)
		return;
	e->trusted = 0;
	if ((sc = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(sc, c->store, e->x, NULL) != 1) {
		setf(e->why, sizeof e->why, "%s", strerror(ENOMEM));
		X509_STORE_CTX_free(sc);
		return;
	}
	if (X509_verify_cert(sc) == 1)
		e->trusted = 1;
	else
		setf(e->why, sizeof e->why, "%s", X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(sc)));
	X509_STORE_CTX_free(sc);
}

/*
 * The entry of certificate der: found in the cache, or parsed and added.
 * *tmp is set when the entry is not kept (cache full); the caller frees
 * it.  NULL when out of memory.
 */
static struct cert *
cert_get(struct dsig_cache *c, const unsigned char *der, size_t len,
    int *tmp)
{
	unsigned char key[32];
	unsigned int kl = 0;
	struct cert *e;
	size_t h;

	*tmp = 0;
	if (EVP_Digest(der, len, key, &kl, EVP_sha256(), NULL) != 1)
		return NULL;
	h = key[0] | (size_t)key[1] << 8;
	h %= CACHE_BUCKETS;
	/*
	 * Looked up and, on first sight, parsed under the lock, so that each
	 * distinct certificate is parsed once per run, whatever the threads.
	 */
	pthread_mutex_lock(&c->mu);
	for (e = c->b[h]; e; e = e->next)
		if (memcmp(e->key, key, sizeof key) == 0)
			break;
	if (e == NULL && (e = calloc(1, sizeof *e)) != NULL) {
		memcpy(e->key, key, sizeof key);
		cert_parse(c, e, der, len);
		c->parsed++;
		if (c->n < CACHE_MAX) {
			e->next = c->b[h];
			c->b[h] = e;
			c->n++;
		} else
			*tmp = 1;
	}
	pthread_mutex_unlock(&c->mu);
	return e;
}

/* ---- Base64 ---- */

/*
 * Decode the base64 text of node (whitespace allowed, at most max
 * characters) into a malloc'd buffer.  Returns NULL with why filled.
 */
static unsigned char *
b64_node(xmlNodePtr node, size_t max, size_t *len, char *why, size_t n)
{
	xmlChar *text = xmlNodeGetContent(node);
	const char *s = text ? (const char *)text : "";
	char *clean = NULL;
	unsigned char *out = NULL;
	size_t i, k = 0, pad = 0;
	int r;

	if (strlen(s) > max * 2 + 1024) {
		setf(why, n, _("%s is too long (%zu bytes)"), node->name,
		    strlen(s));
		goto done;
	}
	if ((clean = malloc(strlen(s) + 1)) == NULL) {
		setf(why, n, "%s", strerror(ENOMEM));
		goto done;
	}
	for (i = 0; s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
			continue;
		if (!(isalnum(ch) || ch == '+' || ch == '/' || ch == '=') ||
		    (pad && ch != '=')) {
			setf(why, n, _("%s is not base64"), node->name);
			goto done;
		}
		if (ch == '=')
			pad++;
		clean[k++] = (char)ch;
	}
	clean[k] = '\0';
	if (k == 0) {
		setf(why, n, _("%s is empty"), node->name);
		goto done;
	}
	if (k % 4 != 0 || pad > 2) {
		setf(why, n, _("%s is not base64 (length %zu)"), node->name, k);
		goto done;
	}
	if (k > max) {
		setf(why, n, _("%s is too long (%zu base64 characters)"),
		    node->name, k);
		goto done;
	}
	if ((out = malloc(k / 4 * 3 + 1)) == NULL) {
		setf(why, n, "%s", strerror(ENOMEM));
		goto done;
	}
	r = EVP_DecodeBlock(out, (const unsigned char *)clean, (int)k);
	if (r < 0 || (size_t)r < pad) {
		setf(why, n, _("%s is not base64"), node->name);
		free(out);
		out = NULL;
		goto done;
	}
	*len = (size_t)r - pad;
done:
	free(clean);
	xmlFree(text);
	return out;
}

/* Base64 of len bytes, NUL-terminated, malloc'd (NULL when out of memory). */
static char *
b64_encode(const unsigned char *p, size_t len)
{
	char *s = malloc((len + 2) / 3 * 4 + 1);

	if (s)
		EVP_EncodeBlock((unsigned char *)s, p, (int)len);
	return s;
}

/* ---- Canonical XML ---- */

struct vis {
	xmlNodePtr sig;		/* left out, with its subtree */
	xmlNodePtr only;	/* when set: only this subtree is visible */
	int skip_top_pi;	/* leave out PIs outside the root */
};

static int
visible(void *u, xmlNodePtr node, xmlNodePtr parent)
{
	const struct vis *v = u;
	xmlNodePtr n;

	if (node == NULL)
		return 1;
	n = node->type == XML_NAMESPACE_DECL ? parent : node;
	if (v->skip_top_pi && node->type == XML_PI_NODE && n->parent &&
	    n->parent->type == XML_DOCUMENT_NODE)
		return 0;
	if (v->only) {
		for (; n; n = n->parent)
			if (n == v->only)
				return 1;
		return 0;
	}
	for (; n; n = n->parent)
		if (n == v->sig)
			return 0;
	return 1;
}

struct sink {
	EVP_MD_CTX *md;		/* digest what is written, or */
	unsigned char *buf;	/* collect it */
	size_t len, cap;
	int failed;
};

static int
sink_write(void *ctx, const char *p, int len)
{
	struct sink *s = ctx;
	unsigned char *nb;

	if (len <= 0)
		return 0;
	if (s->md) {
		if (EVP_DigestUpdate(s->md, p, (size_t)len) != 1)
			s->failed = 1;
		return len;
	}
	if (s->len + (size_t)len > s->cap) {
		size_t cap = (s->cap ? s->cap * 2 : 1024) + (size_t)len;

		if ((nb = realloc(s->buf, cap)) == NULL) {
			s->failed = 1;
			return -1;
		}
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, (size_t)len);
	s->len += (size_t)len;
	return len;
}

static int
sink_close(void *ctx)
{
	(void)ctx;
	return 0;
}

/* C14N 1.0 without comments of the nodes v makes visible, into s. */
static int
c14n(xmlDocPtr doc, struct vis *v, struct sink *s)
{
	xmlOutputBufferPtr ob = xmlOutputBufferCreateIO(sink_write, sink_close,
	    s, NULL);
	int r;

	if (ob == NULL)
		return -1;
	r = xmlC14NExecute(doc, visible, v, XML_C14N_1_0, NULL, 0, ob);
	if (xmlOutputBufferClose(ob) < 0)
		r = -1;
	return r < 0 || s->failed ? -1 : 0;
}

static const EVP_MD *
md_of(enum dsig_alg a)
{
	return a == DSIG_ALG_SM2_SM3 ? EVP_sm3() : EVP_sha1();
}

static int
digest_vis(xmlDocPtr doc, struct vis *v, const EVP_MD *md,
    unsigned char *out, size_t *len)
{
	struct sink s;
	unsigned int l = 0;
	int r = -1;

	memset(&s, 0, sizeof s);
	if ((s.md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(s.md, md, NULL) != 1)
		goto done;
	if (c14n(doc, v, &s) != 0 || EVP_DigestFinal_ex(s.md, out, &l) != 1)
		goto done;
	*len = l;
	r = 0;
done:
	EVP_MD_CTX_free(s.md);
	return r;
}

int
dsig_digest(xmlDocPtr doc, xmlNodePtr sig, enum dsig_alg alg,
    unsigned char *out, size_t *len)
{
	struct vis v = { sig, NULL, 0 };

	return digest_vis(doc, &v, md_of(alg), out, len);
}

/* ---- Verification ---- */

static int
is_ds(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns &&
	    strcmp((const char *)n->ns->href, NS_DS) == 0 &&
	    strcmp((const char *)n->name, name) == 0;
}

/* The only ds child name of parent; *dup set when there are more. */
static xmlNodePtr
ds_child(xmlNodePtr parent, const char *name, int *dup)
{
	xmlNodePtr c, f = NULL;

	for (c = parent ? parent->children : NULL; c; c = c->next)
		if (is_ds(c, name)) {
			if (f)
				*dup = 1;
			else
				f = c;
		}
	return f;
}

/* Count ds:Signature elements below n. */
static long
count_sigs(xmlNodePtr n)
{
	long k = 0;

	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is_ds(n, "Signature"))
			k++;
		k += count_sigs(n->children);
	}
	return k;
}

/* Is there a processing instruction outside the root? */
static int
top_pi(xmlDocPtr doc)
{
	xmlNodePtr n;

	for (n = doc->children; n; n = n->next)
		if (n->type == XML_PI_NODE)
			return 1;
	return 0;
}

static enum dsig_status
fail(struct dsig_verdict *v, enum dsig_status st, xmlNodePtr node,
    const char *fmt, ...)
{
	va_list ap;

	v->status = st;
	v->node = node;
	snprintf(v->field, sizeof v->field, "%s",
	    node ? (const char *)node->name : "Signature");
	va_start(ap, fmt);
	vsnprintf(v->detail, sizeof v->detail, fmt, ap);
	va_end(ap);
	return st;
}

static xmlChar *
alg_attr(xmlNodePtr n)
{
	return n ? xmlGetNoNsProp(n, (const xmlChar *)"Algorithm") : NULL;
}

static int
attr_is(xmlNodePtr n, const char *uri)
{
	xmlChar *a = alg_attr(n);
	int r = a && strcmp((const char *)a, uri) == 0;

	xmlFree(a);
	return r;
}

/* Short form of an algorithm URI for a detail (never longer than 120). */
static void
uri_show(xmlNodePtr n, char *buf, size_t len)
{
	xmlChar *a = alg_attr(n);
	size_t i;

	snprintf(buf, len, "%.120s", a ? (const char *)a : "");
	for (i = 0; buf[i]; i++)
		if ((unsigned char)buf[i] < 0x20)
			buf[i] = '?';
	xmlFree(a);
}

/*
 * The Reference: URI="", transforms enveloped-signature [+ C14N 1.0], an
 * allowed DigestMethod.  Fills *dalg and *dv (DigestValue node).
 */
static enum dsig_status
check_reference(struct dsig_verdict *v, xmlNodePtr si, enum dsig_alg *dalg,
    xmlNodePtr *dv)
{
	int dup = 0, enveloped = 0;
	xmlNodePtr ref = ds_child(si, "Reference", &dup), tr, t, dm;
	xmlChar *uri;
	char show[128];

	if (ref == NULL)
		return fail(v, DSIG_MALFORMED, si, _("SignedInfo has no "
		    "Reference"));
	if (dup)
		return fail(v, DSIG_REFERENCE, ref, _("SignedInfo has more "
		    "than one Reference; only URI=\"\" (the whole message) is "
		    "allowed"));
	uri = xmlGetNoNsProp(ref, (const xmlChar *)"URI");
	if (uri == NULL || uri[0] != '\0') {
		snprintf(show, sizeof show, "%.80s", uri ? (char *)uri : "");
		xmlFree(uri);
		return fail(v, DSIG_REFERENCE, ref, uri ? _("Reference URI is "
		    "\"%s\"; only URI=\"\" (the whole message) is allowed") :
		    _("Reference has no URI; only URI=\"\" (the whole message) "
		    "is allowed"), show);
	}
	xmlFree(uri);
	dup = 0;
	tr = ds_child(ref, "Transforms", &dup);
	for (t = tr ? tr->children : NULL; t; t = t->next) {
		if (t->type != XML_ELEMENT_NODE)
			continue;
		if (!is_ds(t, "Transform"))
			return fail(v, DSIG_MALFORMED, t, _("unexpected element "
			    "%s in Transforms"), t->name);
		if (attr_is(t, DSIG_URI_ENVELOPED) && !enveloped)
			enveloped = 1;
		else if (!(enveloped && attr_is(t, DSIG_URI_C14N))) {
			uri_show(t, show, sizeof show);
			return fail(v, DSIG_REFERENCE, t, _("transform %s is "
			    "not allowed (only enveloped-signature, then "
			    "C14N); it was not run"), show);
		}
	}
	if (!enveloped)
		return fail(v, DSIG_REFERENCE, tr ? tr : ref, _("the "
		    "enveloped-signature transform is missing"));
	dup = 0;
	dm = ds_child(ref, "DigestMethod", &dup);
	*dv = ds_child(ref, "DigestValue", &dup);
	if (dm == NULL || *dv == NULL || dup)
		return fail(v, DSIG_MALFORMED, ref, _("Reference needs one "
		    "DigestMethod and one DigestValue"));
	if (attr_is(dm, DSIG_URI_SM3))
		*dalg = DSIG_ALG_SM2_SM3;
	else if (attr_is(dm, DSIG_URI_SHA1))
		*dalg = DSIG_ALG_RSA_SHA1;
	else {
		uri_show(dm, show, sizeof show);
		return fail(v, DSIG_ALGORITHM, dm, _("DigestMethod %s is not "
		    "allowed (sm3 or sha1)"), show);
	}
	return DSIG_OK;
}

/* An SM2 signature as DER: raw r||s (64 bytes) converted, DER kept. */
static unsigned char *
sm2_der(const unsigned char *sig, size_t len, size_t *out)
{
	ECDSA_SIG *es;
	BIGNUM *r, *s;
	unsigned char *der = NULL, *p;
	int l;

	if (len != 64) {
		if ((p = malloc(len ? len : 1)) != NULL)
			memcpy(p, sig, len);
		*out = len;
		return p;
	}
	r = BN_bin2bn(sig, 32, NULL);
	s = BN_bin2bn(sig + 32, 32, NULL);
	if ((es = ECDSA_SIG_new()) == NULL || r == NULL || s == NULL ||
	    ECDSA_SIG_set0(es, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return NULL;
	}
	l = i2d_ECDSA_SIG(es, NULL);
	if (l > 0 && (der = malloc((size_t)l)) != NULL) {
		p = der;
		i2d_ECDSA_SIG(es, &p);
		*out = (size_t)l;
	}
	ECDSA_SIG_free(es);
	return der;
}

static int
is_sm2(EVP_PKEY *k)
{
	char g[64];
	size_t gl = 0;

	if (EVP_PKEY_is_a(k, "SM2"))
		return 1;
	return EVP_PKEY_is_a(k, "EC") && EVP_PKEY_get_group_name(k, g,
	    sizeof g, &gl) == 1 && strcmp(g, "SM2") == 0;
}

/*
 * A digest/sign or verify context for alg with key k.  For SM2 *pp is the
 * key context carrying the user ID, which the caller frees after the
 * digest context (EVP_MD_CTX_set_pkey_ctx() does not hand it over).
 */
static EVP_MD_CTX *
md_ctx(EVP_PKEY *k, enum dsig_alg alg, int sign, EVP_PKEY_CTX **pp)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *p = NULL;
	int r;

	*pp = NULL;
	if (m == NULL)
		return NULL;
	if (alg == DSIG_ALG_SM2_SM3) {
		if ((p = EVP_PKEY_CTX_new(k, NULL)) == NULL ||
		    EVP_PKEY_CTX_set1_id(p, DSIG_SM2_ID,
		    strlen(DSIG_SM2_ID)) <= 0) {
			EVP_PKEY_CTX_free(p);
			EVP_MD_CTX_free(m);
			return NULL;
		}
		EVP_MD_CTX_set_pkey_ctx(m, p);
	}
	r = sign ? EVP_DigestSignInit(m, NULL, md_of(alg), NULL, k) :
	    EVP_DigestVerifyInit(m, NULL, md_of(alg), NULL, k);
	if (r != 1) {
		EVP_MD_CTX_free(m);
		EVP_PKEY_CTX_free(p);
		return NULL;
	}
	*pp = p;
	return m;
}

/* Verify sig over data with the certificate's key.  1 yes, 0 no, -1 mem. */
static int
verify_sig(EVP_PKEY *k, enum dsig_alg alg, const unsigned char *sig,
    size_t slen, const unsigned char *data, size_t dlen)
{
	unsigned char *buf = NULL;
	size_t blen = slen;
	EVP_MD_CTX *m;
	EVP_PKEY_CTX *p;
	int r;

	if (alg == DSIG_ALG_SM2_SM3) {
		if ((buf = sm2_der(sig, slen, &blen)) == NULL)
			return -1;
	} else {
		/*
		 * RSA: the value is as long as the modulus.  Some clients
		 * write it as a signed big integer with a leading zero byte
		 * (the specification's own example is 129 bytes for a
		 * 1024-bit key), others drop leading zeros: both are
		 * brought to the modulus length.
		 */
		size_t ml = (size_t)EVP_PKEY_get_size(k), i = 0;

		while (slen - i > ml && sig[i] == 0)
			i++;
		if (slen - i > ml || (buf = calloc(1, ml)) == NULL)
			return slen - i > ml ? 0 : -1;
		memcpy(buf + ml - (slen - i), sig + i, slen - i);
		blen = ml;
	}
	if ((m = md_ctx(k, alg, 0, &p)) == NULL) {
		free(buf);
		return 0;	/* the key does not take this method */
	}
	r = EVP_DigestVerify(m, buf, blen, data, dlen) == 1;
	EVP_MD_CTX_free(m);
	EVP_PKEY_CTX_free(p);
	free(buf);
	return r;
}

static void
copy_cert_facts(struct dsig_verdict *v, const struct cert *e)
{
	snprintf(v->subject, sizeof v->subject, "%s", e->subject);
	snprintf(v->serial, sizeof v->serial, "%s", e->serial);
	v->not_before = e->nb;
	v->not_after = e->na;
}

enum dsig_status
dsig_verify(struct dsig_cache *c, xmlDocPtr doc, struct dsig_verdict *v)
{
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	xmlNodePtr sig, si, cm, sm, dv = NULL, sv, ki, xd, xc;
	enum dsig_alg dalg = DSIG_ALG_NONE;
	unsigned char want[64], got[64], *dval = NULL, *sval = NULL;
	unsigned char *der = NULL;
	size_t wl = 0, gl = 0, dl = 0, sl = 0, derl = 0;
	struct vis vis;
	struct sink s;
	struct cert *e = NULL;
	EVP_PKEY *k;
	int dup = 0, tmp = 0, r, match;
	char why[200], show[128];

	memset(v, 0, sizeof *v);
	memset(&s, 0, sizeof s);
	if (root == NULL || (sig = ds_child(root, "Signature", &dup)) == NULL) {
		if (root && count_sigs(root->children) > 0)
			return fail(v, DSIG_REFERENCE, NULL, _("a ds:Signature "
			    "is not a child of the root element"));
		return v->status = DSIG_NONE;
	}
	if (dup || count_sigs(root->children) > 1)
		return fail(v, DSIG_REFERENCE, sig, _("the message holds more "
		    "than one ds:Signature"));
	v->node = sig;
	si = ds_child(sig, "SignedInfo", &dup);
	sv = ds_child(sig, "SignatureValue", &dup);
	if (si == NULL || sv == NULL || dup)
		return fail(v, DSIG_MALFORMED, sig, _("Signature needs one "
		    "SignedInfo and one SignatureValue"));
	cm = ds_child(si, "CanonicalizationMethod", &dup);
	sm = ds_child(si, "SignatureMethod", &dup);
	if (cm == NULL || sm == NULL || dup)
		return fail(v, DSIG_MALFORMED, si, _("SignedInfo needs one "
		    "CanonicalizationMethod and one SignatureMethod"));
	if (!attr_is(cm, DSIG_URI_C14N)) {
		uri_show(cm, show, sizeof show);
		return fail(v, DSIG_ALGORITHM, cm, _("CanonicalizationMethod "
		    "%s is not allowed (C14N 1.0, %s)"), show, DSIG_URI_C14N);
	}
	if (attr_is(sm, DSIG_URI_SM2_SM3))
		v->alg = DSIG_ALG_SM2_SM3;
	else if (attr_is(sm, DSIG_URI_RSA_SHA1))
		v->alg = DSIG_ALG_RSA_SHA1;
	else {
		uri_show(sm, show, sizeof show);
		return fail(v, DSIG_ALGORITHM, sm, _("SignatureMethod %s is not "
		    "allowed (sm2-sm3 or rsa-sha1)"), show);
	}
	if (check_reference(v, si, &dalg, &dv) != DSIG_OK)
		return v->status;

	/* The certificate. */
	ki = ds_child(sig, "KeyInfo", &dup);
	xd = ki ? ds_child(ki, "X509Data", &dup) : NULL;
	xc = NULL;
	for (xc = xd ? xd->children : NULL; xc; xc = xc->next)
		if (is_ds(xc, "X509Certificate"))
			break;
	if (xc == NULL)
		return fail(v, DSIG_CERT, ki ? ki : sig, _("no "
		    "KeyInfo/X509Data/X509Certificate"));
	if ((der = b64_node(xc, MAX_CERT_TEXT, &derl, why, sizeof why)) ==
	    NULL)
		return fail(v, DSIG_CERT, xc, "%s", why);
	e = cert_get(c, der, derl, &tmp);
	free(der);
	if (e == NULL)
		return fail(v, DSIG_NOMEM, xc, "%s", strerror(ENOMEM));
	if (e->x == NULL) {
		fail(v, DSIG_CERT, xc, "%s", e->why);
		goto done;
	}
	copy_cert_facts(v, e);
	k = X509_get0_pubkey(e->x);
	if ((v->alg == DSIG_ALG_SM2_SM3 && !is_sm2(k)) ||
	    (v->alg == DSIG_ALG_RSA_SHA1 && !EVP_PKEY_is_a(k, "RSA"))) {
		fail(v, DSIG_ALGORITHM, sm, _("the certificate's key (%s) does "
		    "not fit SignatureMethod %s"), EVP_PKEY_get0_type_name(k) ?
		    EVP_PKEY_get0_type_name(k) : "?", dsig_alg_name(v->alg));
		goto done;
	}

	/* The values. */
	if ((dval = b64_node(dv, MAX_DIGEST_TEXT, &dl, why, sizeof why)) ==
	    NULL) {
		fail(v, DSIG_MALFORMED, dv, "%s", why);
		goto done;
	}
	if ((sval = b64_node(sv, MAX_SIG_TEXT, &sl, why, sizeof why)) == NULL) {
		fail(v, DSIG_MALFORMED, sv, "%s", why);
		goto done;
	}

	/* The digest: the whole document without this Signature. */
	vis.sig = sig;
	vis.only = NULL;
	vis.skip_top_pi = 0;
	if (digest_vis(doc, &vis, md_of(dalg), got, &gl) != 0) {
		fail(v, DSIG_NOMEM, dv, "%s", strerror(ENOMEM));
		goto done;
	}
	if ((dl != gl || memcmp(dval, got, gl) != 0) && top_pi(doc)) {
		/*
		 * Processing instructions outside the root carry no data of
		 * the message (cebtools marks a document's origin so); the
		 * content is judged without them too.
		 */
		vis.skip_top_pi = 1;
		if (digest_vis(doc, &vis, md_of(dalg), want, &wl) == 0 &&
		    wl == dl && memcmp(dval, want, wl) == 0) {
			memcpy(got, want, wl);
			v->digest_without_pi = 1;
		}
	}
	match = dl == gl && memcmp(dval, got, gl) == 0;

	/* The signature over SignedInfo. */
	vis.sig = NULL;
	vis.only = si;
	vis.skip_top_pi = 0;
	if (c14n(doc, &vis, &s) != 0) {
		fail(v, DSIG_NOMEM, si, "%s", strerror(ENOMEM));
		goto done;
	}
	r = verify_sig(k, v->alg, sval, sl, s.buf, s.len);
	if (r < 0) {
		fail(v, DSIG_NOMEM, sv, "%s", strerror(ENOMEM));
		goto done;
	}
	v->signature_ok = r == 1;
	if (!match && r == 1) {
		fail(v, DSIG_DIGEST, dv, _("the message was changed after it "
		    "was signed: its digest does not match DigestValue, which "
		    "the signature vouches for"));
		goto done;
	}
	if (!match) {
		fail(v, DSIG_DIGEST, dv, _("DigestValue does not match the "
		    "message, and SignatureValue does not verify either: the "
		    "signature block was altered or belongs to another "
		    "message"));
		goto done;
	}
	if (r == 0) {
		fail(v, DSIG_SIGNATURE, sv, _("SignatureValue does not verify "
		    "with the key of the certificate of %s (the message itself "
		    "matches DigestValue)"), e->subject);
		goto done;
	}
	if (e->trusted == 0) {
		fail(v, DSIG_UNTRUSTED, xc, _("no chain to a --trust "
		    "certificate: %s"), e->why);
		goto done;
	}
	v->status = DSIG_OK;
	v->node = sig;
	snprintf(v->field, sizeof v->field, "Signature");
done:
	if (tmp && e) {
		X509_free(e->x);
		free(e);
	}
	free(s.buf);
	free(dval);
	free(sval);
	return v->status;
}

enum dsig_status
dsig_verify_bytes(struct dsig_cache *c, const char *bytes, size_t len,
    struct dsig_verdict *v)
{
	struct stream_err err;
	xmlDocPtr doc;
	enum dsig_status st;

	memset(&err, 0, sizeof err);
	if ((doc = stream_parse_memory(bytes, len, "-", &err)) == NULL) {
		memset(v, 0, sizeof *v);
		return fail(v, DSIG_MALFORMED, NULL, "%s", err.msg);
	}
	st = dsig_verify(c, doc, v);
	v->node = NULL;		/* it was in the freed tree */
	xmlFreeDoc(doc);
	return st;
}

const char *
dsig_alg_name(enum dsig_alg a)
{
	switch (a) {
	case DSIG_ALG_RSA_SHA1:
		return "RSA-SHA1";
	case DSIG_ALG_SM2_SM3:
		return "SM2-SM3";
	default:
		return "";
	}
}

/* ---- Signing ---- */

struct dsig_signer {
	EVP_PKEY *key;
	X509 *cert;
	enum dsig_alg alg;
	char *cert_b64;
	char *key_name;
};

static int
pass_cb(char *buf, int size, int rw, void *u)
{
	const char *p = u;
	int l;

	(void)rw;
	if (p == NULL)
		return -1;
	l = (int)strlen(p);
	if (l > size)
		l = size;
	memcpy(buf, p, (size_t)l);
	return l;
}

/* Load the first key and/or certificate that uri holds. */
static int
store_load(const char *uri, const char *pass, EVP_PKEY **key, X509 **cert,
    char *err, size_t n)
{
	UI_METHOD *ui = UI_UTIL_wrap_read_pem_callback(pass_cb, 0);
	OSSL_STORE_CTX *st;
	OSSL_STORE_INFO *info;

	if (ui == NULL) {
		setf(err, n, "%s", strerror(ENOMEM));
		return -1;
	}
	if ((st = OSSL_STORE_open(uri, ui, (void *)pass, NULL, NULL)) ==
	    NULL) {
		UI_destroy_method(ui);
		setf(err, n, _("%s: cannot be opened"), uri);
		return -1;
	}
	while ((info = OSSL_STORE_load(st)) != NULL) {
		int t = OSSL_STORE_INFO_get_type(info);

		if (key && *key == NULL && t == OSSL_STORE_INFO_PKEY)
			*key = OSSL_STORE_INFO_get1_PKEY(info);
		else if (cert && *cert == NULL && t == OSSL_STORE_INFO_CERT)
			*cert = OSSL_STORE_INFO_get1_CERT(info);
		OSSL_STORE_INFO_free(info);
	}
	OSSL_STORE_close(st);
	UI_destroy_method(ui);
	return 0;
}

/* With s->key and s->cert loaded: check them, fill the rest.  0 or -1. */
static int
signer_finish(struct dsig_signer *s, const char *key_name, char *err,
    size_t n)
{
	unsigned char *der = NULL;
	BIGNUM *bn = NULL;
	char *hex = NULL;
	int l, r = -1;

	if (EVP_PKEY_is_a(s->key, "RSA"))
		s->alg = DSIG_ALG_RSA_SHA1;
	else if (is_sm2(s->key))
		s->alg = DSIG_ALG_SM2_SM3;
	else {
		setf(err, n, _("the key is %s; only RSA (rsa-sha1) and SM2 "
		    "(sm2-sm3) are allowed"), EVP_PKEY_get0_type_name(s->key) ?
		    EVP_PKEY_get0_type_name(s->key) : "?");
		return -1;
	}
	if (X509_get0_pubkey(s->cert) == NULL ||
	    EVP_PKEY_eq(X509_get0_pubkey(s->cert), s->key) != 1) {
		setf(err, n, _("the private key does not match the "
		    "certificate"));
		return -1;
	}
	if ((l = i2d_X509(s->cert, &der)) <= 0 ||
	    (s->cert_b64 = b64_encode(der, (size_t)l)) == NULL)
		goto nomem;
	if (key_name == NULL) {
		bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(s->cert), NULL);
		hex = bn ? BN_bn2hex(bn) : NULL;
		key_name = hex ? hex : "";
	}
	if ((s->key_name = strdup(key_name)) == NULL)
		goto nomem;
	r = 0;
	goto done;
nomem:
	setf(err, n, "%s", strerror(ENOMEM));
done:
	OPENSSL_free(hex);
	BN_free(bn);
	OPENSSL_free(der);
	return r;
}

struct dsig_signer *
dsig_signer_new(const char *key, const char *pass, const char *cert,
    const char *key_name, char *err, size_t n)
{
	struct dsig_signer *s = calloc(1, sizeof *s);

	if (s == NULL) {
		setf(err, n, "%s", strerror(ENOMEM));
		return NULL;
	}
	if (store_load(key, pass, &s->key, cert ? NULL : &s->cert, err, n) != 0)
		goto bad;
	if (s->key == NULL) {
		setf(err, n, _("%s: no private key found (wrong passphrase?)"),
		    key);
		goto bad;
	}
	if (cert && store_load(cert, NULL, NULL, &s->cert, err, n) != 0)
		goto bad;
	if (s->cert == NULL) {
		setf(err, n, _("%s: no certificate found"), cert ? cert : key);
		goto bad;
	}
	if (signer_finish(s, key_name, err, n) == 0)
		return s;
bad:
	dsig_signer_free(s);
	return NULL;
}

struct dsig_signer *
dsig_signer_new_pem(const char *key_pem, const char *cert_pem,
    const char *key_name, char *err, size_t n)
{
	struct dsig_signer *s = calloc(1, sizeof *s);
	BIO *kb = BIO_new_mem_buf(key_pem, -1), *cb = BIO_new_mem_buf(cert_pem,
	    -1);

	if (s == NULL || kb == NULL || cb == NULL) {
		setf(err, n, "%s", strerror(ENOMEM));
		goto bad;
	}
	if ((s->key = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL)) == NULL ||
	    (s->cert = PEM_read_bio_X509(cb, NULL, NULL, NULL)) == NULL) {
		setf(err, n, _("the built-in test key or certificate does not "
		    "load"));
		goto bad;
	}
	if (signer_finish(s, key_name, err, n) == 0) {
		BIO_free(kb);
		BIO_free(cb);
		return s;
	}
bad:
	BIO_free(kb);
	BIO_free(cb);
	dsig_signer_free(s);
	return NULL;
}

void
dsig_signer_free(struct dsig_signer *s)
{
	if (s == NULL)
		return;
	EVP_PKEY_free(s->key);
	X509_free(s->cert);
	free(s->cert_b64);
	free(s->key_name);
	free(s);
}

enum dsig_alg
dsig_signer_alg(const struct dsig_signer *s)
{
	return s->alg;
}

static xmlNodePtr
add(xmlNodePtr parent, xmlNsPtr ns, const char *name)
{
	return xmlNewChild(parent, ns, (const xmlChar *)name, NULL);
}

/* The elements of a Signature that signing fills. */
struct parts {
	xmlNodePtr si, cm, sm, dm, dv, sv, kn, xc;
};

/*
 * Does sig have the shape dsig_sign() writes (the specification's), so
 * that it can be filled again in place, keeping its layout?  Fills p.
 */
static int
shape(xmlNodePtr sig, struct parts *p)
{
	xmlNodePtr ref, tr, t, ki, xd, c;
	xmlChar *uri;
	int dup = 0, nt = 0, nx = 0, ok;

	memset(p, 0, sizeof *p);
	if ((p->si = ds_child(sig, "SignedInfo", &dup)) == NULL ||
	    (p->sv = ds_child(sig, "SignatureValue", &dup)) == NULL ||
	    (ki = ds_child(sig, "KeyInfo", &dup)) == NULL ||
	    (p->kn = ds_child(ki, "KeyName", &dup)) == NULL ||
	    (xd = ds_child(ki, "X509Data", &dup)) == NULL ||
	    (p->cm = ds_child(p->si, "CanonicalizationMethod", &dup)) ==
	    NULL ||
	    (p->sm = ds_child(p->si, "SignatureMethod", &dup)) == NULL ||
	    (ref = ds_child(p->si, "Reference", &dup)) == NULL ||
	    (tr = ds_child(ref, "Transforms", &dup)) == NULL ||
	    (p->dm = ds_child(ref, "DigestMethod", &dup)) == NULL ||
	    (p->dv = ds_child(ref, "DigestValue", &dup)) == NULL || dup)
		return 0;
	for (t = tr->children; t; t = t->next)
		if (t->type == XML_ELEMENT_NODE && (nt++ > 0 ||
		    !is_ds(t, "Transform") || !attr_is(t, DSIG_URI_ENVELOPED)))
			return 0;
	for (c = xd->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && (nx++ > 0 ||
		    !is_ds(c, "X509Certificate")))
			return 0;
		else if (c->type == XML_ELEMENT_NODE)
			p->xc = c;
	uri = xmlGetNoNsProp(ref, (const xmlChar *)"URI");
	ok = uri && uri[0] == '\0' && nt == 1 && p->xc;
	xmlFree(uri);
	return ok;
}

/* A new Signature of that shape, its values empty. */
static xmlNodePtr
build(struct parts *p)
{
	xmlNodePtr sig = xmlNewNode(NULL, (const xmlChar *)"Signature");
	xmlNodePtr ref, tr, t, ki, xd;
	xmlNsPtr ns;

	if (sig == NULL || (ns = xmlNewNs(sig, (const xmlChar *)NS_DS,
	    (const xmlChar *)"ds")) == NULL) {
		xmlFreeNode(sig);
		return NULL;
	}
	xmlSetNs(sig, ns);
	if ((p->si = add(sig, ns, "SignedInfo")) == NULL ||
	    (p->cm = add(p->si, ns, "CanonicalizationMethod")) == NULL ||
	    (p->sm = add(p->si, ns, "SignatureMethod")) == NULL ||
	    (ref = add(p->si, ns, "Reference")) == NULL ||
	    xmlNewProp(ref, (const xmlChar *)"URI", (const xmlChar *)"") ==
	    NULL ||
	    (tr = add(ref, ns, "Transforms")) == NULL ||
	    (t = add(tr, ns, "Transform")) == NULL ||
	    xmlNewProp(t, (const xmlChar *)"Algorithm",
	    (const xmlChar *)DSIG_URI_ENVELOPED) == NULL ||
	    (p->dm = add(ref, ns, "DigestMethod")) == NULL ||
	    (p->dv = add(ref, ns, "DigestValue")) == NULL ||
	    (p->sv = add(sig, ns, "SignatureValue")) == NULL ||
	    (ki = add(sig, ns, "KeyInfo")) == NULL ||
	    (p->kn = add(ki, ns, "KeyName")) == NULL ||
	    (xd = add(ki, ns, "X509Data")) == NULL ||
	    (p->xc = add(xd, ns, "X509Certificate")) == NULL) {
		xmlFreeNode(sig);
		return NULL;
	}
	return sig;
}

/* Sign data: the SignatureValue bytes (SM2 as r||s) into a malloc'd *out. */
static int
sign_bytes(const struct dsig_signer *s, const unsigned char *data,
    size_t len, unsigned char **out, size_t *olen)
{
	EVP_PKEY_CTX *pk;
	EVP_MD_CTX *m = md_ctx(s->key, s->alg, 1, &pk);
	unsigned char *sig = NULL, *raw;
	const unsigned char *p;
	size_t sl = 0;
	ECDSA_SIG *es;
	int r = -1;

	if (m == NULL || EVP_DigestSign(m, NULL, &sl, data, len) != 1 ||
	    (sig = malloc(sl)) == NULL ||
	    EVP_DigestSign(m, sig, &sl, data, len) != 1)
		goto done;
	if (s->alg == DSIG_ALG_SM2_SM3) {
		p = sig;
		if ((es = d2i_ECDSA_SIG(NULL, &p, (long)sl)) == NULL)
			goto done;
		if ((raw = malloc(64)) == NULL ||
		    BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, 32) != 32 ||
		    BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + 32, 32) != 32) {
			free(raw);
			ECDSA_SIG_free(es);
			goto done;
		}
		ECDSA_SIG_free(es);
		free(sig);
		sig = raw;
		sl = 64;
	}
	*out = sig;
	*olen = sl;
	sig = NULL;
	r = 0;
done:
	free(sig);
	EVP_MD_CTX_free(m);
	EVP_PKEY_CTX_free(pk);
	return r;
}

/* Put a new Signature sig in root: before `before`, or after the last
 * element, repeating the indentation around it. */
static void
insert(xmlNodePtr root, xmlNodePtr before, xmlNodePtr sig)
{
	xmlNodePtr c, ws;

	if (before != NULL) {
		ws = before->prev && xmlIsBlankNode(before->prev) ?
		    before->prev : NULL;
		xmlAddPrevSibling(before, sig);
		if (ws)
			xmlAddNextSibling(sig, xmlCopyNode(ws, 1));
		return;
	}
	for (c = root->last; c && c->type != XML_ELEMENT_NODE; c = c->prev)
		;
	if (c == NULL) {
		xmlAddChild(root, sig);
		return;
	}
	xmlAddNextSibling(c, sig);
	if (c->prev && xmlIsBlankNode(c->prev))
		xmlAddPrevSibling(sig, xmlCopyNode(c->prev, 1));
}

/* Remove every ds:Signature child of root, with the blank before it. */
static xmlNodePtr
remove_sigs(xmlNodePtr root, xmlNodePtr before)
{
	xmlNodePtr c, next, ws;

	for (c = root->children; c; c = next) {
		next = c->next;
		if (!is_ds(c, "Signature"))
			continue;
		if (c == before)
			before = next;
		if (c->prev && xmlIsBlankNode(c->prev)) {
			ws = c->prev;
			xmlUnlinkNode(ws);
			xmlFreeNode(ws);
		}
		xmlUnlinkNode(c);
		xmlFreeNode(c);
	}
	return before;
}

static void
set_alg(xmlNodePtr n, const char *uri)
{
	xmlSetProp(n, (const xmlChar *)"Algorithm", (const xmlChar *)uri);
}

/* dsig_sign(), telling whether an existing Signature was filled in place. */
static int
sign_tree(const struct dsig_signer *s, xmlDocPtr doc, xmlNodePtr before,
    int replace, int *inplace, char *err, size_t n)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), sig;
	unsigned char dg[64], *sval = NULL;
	size_t dl = 0, sl = 0;
	char *d64 = NULL, *s64 = NULL;
	int dup = 0, r = -1, sm2 = s->alg == DSIG_ALG_SM2_SM3;
	struct parts p;
	struct vis vis;
	struct sink sk;

	if (root == NULL) {
		setf(err, n, _("no root element"));
		return -1;
	}
	sig = ds_child(root, "Signature", &dup);
	if (sig != NULL && !replace)
		return 1;
	if (count_sigs(root->children) > (sig && !dup ? 1 : 0) + (dup ? 2 :
	    0) || (sig && count_sigs(sig->children) > 0)) {
		setf(err, n, _("a ds:Signature below the root cannot be "
		    "replaced"));
		return -1;
	}
	memset(&sk, 0, sizeof sk);
	/* One of the usual shape is filled again, keeping its layout. */
	if (inplace)
		*inplace = sig != NULL && !dup && shape(sig, &p);
	if (sig == NULL || dup || !shape(sig, &p)) {
		before = remove_sigs(root, before);
		if ((sig = build(&p)) == NULL) {
			setf(err, n, "%s", strerror(ENOMEM));
			return -1;
		}
		insert(root, before, sig);
	}
	set_alg(p.cm, DSIG_URI_C14N);
	set_alg(p.sm, sm2 ? DSIG_URI_SM2_SM3 : DSIG_URI_RSA_SHA1);
	set_alg(p.dm, sm2 ? DSIG_URI_SM3 : DSIG_URI_SHA1);
	xmlNodeSetContent(p.kn, NULL);
	xmlNodeAddContent(p.kn, (const xmlChar *)s->key_name);
	xmlNodeSetContent(p.xc, NULL);
	xmlNodeAddContent(p.xc, (const xmlChar *)s->cert_b64);
	xmlNodeSetContent(p.sv, NULL);
	/* The digest of the document as it now stands, without sig. */
	if (dsig_digest(doc, sig, s->alg, dg, &dl) != 0 ||
	    (d64 = b64_encode(dg, dl)) == NULL) {
		setf(err, n, "%s", strerror(ENOMEM));
		goto done;
	}
	xmlNodeSetContent(p.dv, NULL);
	xmlNodeAddContent(p.dv, (const xmlChar *)d64);
	vis.sig = NULL;
	vis.only = p.si;
	vis.skip_top_pi = 0;
	if (c14n(doc, &vis, &sk) != 0 ||
	    sign_bytes(s, sk.buf, sk.len, &sval, &sl) != 0 ||
	    (s64 = b64_encode(sval, sl)) == NULL) {
		setf(err, n, _("signing failed"));
		goto done;
	}
	xmlNodeAddContent(p.sv, (const xmlChar *)s64);
	r = 0;
done:
	free(sk.buf);
	free(sval);
	free(s64);
	free(d64);
	return r;
}

int
dsig_sign(const struct dsig_signer *s, xmlDocPtr doc, xmlNodePtr before,
    int replace, char *err, size_t n)
{
	return sign_tree(s, doc, before, replace, NULL, err, n);
}

/* Where the ds:Signature child of the root lies in the bytes. */
struct span {
	int depth;
	long start, end;	/* byte offsets, -1 until found */
	const char *bytes;
};

static void
span_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattr, int ndef,
    const xmlChar **attr)
{
	xmlParserCtxtPtr c = ctx;
	struct span *sp = c->_private;
	long off;

	(void)prefix, (void)nns, (void)ns, (void)nattr, (void)ndef, (void)attr;
	if (++sp->depth != 2 || sp->start >= 0 || uri == NULL ||
	    strcmp((const char *)uri, NS_DS) != 0 ||
	    strcmp((const char *)local, "Signature") != 0)
		return;
	/* Just past the start tag's '>': back to its '<' (never in a value). */
	for (off = xmlByteConsumed(c) - 1; off >= 0 && sp->bytes[off] != '<';
	    off--)
		;
	sp->start = off;
}

static void
span_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	xmlParserCtxtPtr c = ctx;
	struct span *sp = c->_private;

	(void)local, (void)prefix, (void)uri;
	if (sp->depth-- == 2 && sp->start >= 0 && sp->end < 0)
		sp->end = xmlByteConsumed(c);
}

/* Find the span of the root's ds:Signature child; 0, or -1. */
static int
find_span(const char *bytes, size_t len, struct span *sp)
{
	xmlSAXHandler h;
	xmlParserCtxtPtr c;

	memset(sp, 0, sizeof *sp);
	sp->start = sp->end = -1;
	sp->bytes = bytes;
	memset(&h, 0, sizeof h);
	h.initialized = XML_SAX2_MAGIC;
	h.startElementNs = span_start;
	h.endElementNs = span_end;
	if ((c = xmlCreateMemoryParserCtxt(bytes, (int)len)) == NULL)
		return -1;
	if (c->sax)
		xmlFree(c->sax);
	c->sax = &h;
	c->_private = sp;
	xmlCtxtUseOptions(c, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING);
	xmlParseDocument(c);
	c->sax = NULL;
	xmlFreeParserCtxt(c);
	return sp->start >= 0 && sp->end > sp->start && (size_t)sp->end <= len &&
	    bytes[sp->end - 1] == '>' ? 0 : -1;
}

int
dsig_sign_bytes(const struct dsig_signer *s, const char *bytes, size_t len,
    xmlDocPtr doc, xmlNodePtr before, int replace, char **out,
    size_t *olen, char *err, size_t n)
{
	xmlBufferPtr xb = NULL;
	xmlChar *mem = NULL;
	struct span sp;
	size_t sl;
	int inplace = 0, r, ml = 0;

	*out = NULL;
	if ((r = sign_tree(s, doc, before, replace, &inplace, err, n)) != 0)
		return r;
	if (inplace && find_span(bytes, len, &sp) == 0 &&
	    (xb = xmlBufferCreate()) != NULL) {
		xmlNodePtr sig = ds_child(xmlDocGetRootElement(doc),
		    "Signature", &r);

		r = 0;
		xmlNodeDump(xb, doc, sig, 0, 0);
		sl = (size_t)xmlBufferLength(xb);
		if ((*out = malloc(len - (size_t)(sp.end - sp.start) + sl +
		    1)) == NULL)
			goto nomem;
		memcpy(*out, bytes, (size_t)sp.start);
		memcpy(*out + sp.start, xmlBufferContent(xb), sl);
		memcpy(*out + sp.start + sl, bytes + sp.end, len -
		    (size_t)sp.end);
		*olen = len - (size_t)(sp.end - sp.start) + sl;
		(*out)[*olen] = '\0';
		xmlBufferFree(xb);
		return 0;
	}
	xmlBufferFree(xb);
	/* A new Signature: the whole document written again. */
	xmlDocDumpMemoryEnc(doc, &mem, &ml, "UTF-8");
	if (mem == NULL || (*out = malloc((size_t)ml + 1)) == NULL)
		goto nomem;
	memcpy(*out, mem, (size_t)ml);
	*olen = (size_t)ml;
	/* Without the newline the dump ends with: bytes end at the root. */
	while (*olen > 0 && (*out)[*olen - 1] == '\n')
		(*olen)--;
	(*out)[*olen] = '\0';
	xmlFree(mem);
	return 0;
nomem:
	xmlFree(mem);
	setf(err, n, "%s", strerror(ENOMEM));
	return -1;
}
