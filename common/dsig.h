/*
 * dsig.h: the XML-DSig enveloped signature of a CEB message or a DxpMsg
 * envelope (specification 202205 section 6), verified and made with
 * OpenSSL libcrypto.
 *
 * The one form the specification allows: a ds:Signature child of the root
 * element whose SignedInfo has CanonicalizationMethod C14N 1.0
 * (http://www.w3.org/TR/2001/REC-xml-c14n-20010315), SignatureMethod
 * sm2-sm3 (http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3) or
 * rsa-sha1, and one Reference URI="" with the enveloped-signature
 * transform (optionally followed by C14N 1.0) and DigestMethod sm3
 * (http://www.chinaport.gov.cn/2022/04/xmldsig#sm3) or sha1; the public
 * key is the first KeyInfo/X509Data/X509Certificate.  The digest is taken
 * over the C14N 1.0 form of the whole document without comments and
 * without that Signature element; the signature over the C14N 1.0 form of
 * SignedInfo (W3C XML-DSig, as the specification says; not over the digest
 * alone).  SM2 uses the GM/T 0009 default user ID "1234567812345678"; an
 * SM2 SignatureValue is read as 64 bytes r||s (the XML-DSig convention for
 * elliptic-curve signatures, and what dsig_sign() writes) or as DER.
 *
 * Nothing else is ever run: a Reference to anything but the whole
 * document, a transform other than those two (XSLT, XPath, ...), a second
 * ds:Signature anywhere in the document, or a second Reference are refused
 * before any digest is computed.
 *
 * Certificates are parsed once per run: a dsig_cache holds each distinct
 * certificate (keyed by the SHA-256 of its DER bytes) with its public key,
 * its subject, serial, validity and, with trust anchors, whether it chains
 * to one.  The cache is shared by threads (its own mutex); everything else
 * is per call, so dsig_verify() may run on many threads at once.
 *
 * Library code: nothing here prints or exits.
 */
#ifndef CEB_DSIG_H
#define CEB_DSIG_H

#include <stddef.h>
#include <time.h>
#include <libxml/tree.h>

#define DSIG_URI_C14N "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
#define DSIG_URI_ENVELOPED "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
#define DSIG_URI_SHA1 "http://www.w3.org/2000/09/xmldsig#sha1"
#define DSIG_URI_SM3 "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"
#define DSIG_URI_RSA_SHA1 "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
#define DSIG_URI_SM2_SM3 "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"
#define DSIG_SM2_ID "1234567812345678"

/* What dsig_verify() found, worst first after DSIG_OK and DSIG_NONE. */
enum dsig_status {
	DSIG_NONE = 0,		/* the root has no ds:Signature child */
	DSIG_OK,		/* digest and signature verify */
	DSIG_MALFORMED,		/* an element missing, repeated, not base64 */
	DSIG_REFERENCE,		/* not Reference URI="" + enveloped, or a
				   second Signature/Reference (wrapping) */
	DSIG_ALGORITHM,		/* a method the specification does not allow,
				   or a key that does not fit the method */
	DSIG_CERT,		/* no certificate, or one that does not parse */
	DSIG_DIGEST,		/* content changed after signing */
	DSIG_SIGNATURE,		/* SignatureValue does not verify */
	DSIG_UNTRUSTED,		/* trust anchors given, not issued by one */
	DSIG_NOMEM		/* out of memory: no verdict */
};

enum dsig_alg { DSIG_ALG_NONE, DSIG_ALG_RSA_SHA1, DSIG_ALG_SM2_SM3 };

/* The verdict on one signature. */
struct dsig_verdict {
	enum dsig_status status;
	xmlNodePtr node;	/* element the verdict is about (or NULL) */
	char field[32];		/* its local name, e.g. "DigestValue" */
	char detail[300];	/* why, in English through gettext */
	enum dsig_alg alg;	/* SignatureMethod, when recognised */
	/* The signer's certificate, when it parsed. */
	char subject[256];	/* RFC 2253, UTF-8 */
	char serial[80];	/* hex */
	time_t not_before, not_after;	/* 0 when unknown */
	int signature_ok;	/* SignatureValue verifies over SignedInfo
				   (also known with DSIG_DIGEST) */
	int digest_without_pi;	/* the digest matched only without the
				   processing instructions outside the root */
};

struct dsig_cache;

/*
 * A certificate cache for one run.  trust is NULL (no trust check) or a
 * PEM file or a directory of PEM files (*.pem, *.crt) of trusted CA
 * certificates.  Returns NULL with err filled when trust cannot be read
 * or holds no certificate, or when out of memory.
 */
struct dsig_cache *dsig_cache_new(const char *trust, char *err, size_t n);
void dsig_cache_free(struct dsig_cache *c);

/* Certificates parsed so far (each distinct certificate counts once). */
unsigned long dsig_cache_parsed(const struct dsig_cache *c);

/*
 * Verify the ds:Signature child of the root of doc, filling *v.  Returns
 * v->status.  doc is not changed.  Thread-safe for distinct docs sharing
 * one cache.
 */
enum dsig_status dsig_verify(struct dsig_cache *c, xmlDocPtr doc,
    struct dsig_verdict *v);

/*
 * The same for len bytes of one document, parsed with the stream layer's
 * safe settings (stream_parse_memory()); a document that does not parse
 * is DSIG_MALFORMED.
 */
enum dsig_status dsig_verify_bytes(struct dsig_cache *c, const char *bytes,
    size_t len, struct dsig_verdict *v);

/* The URI of a SignatureMethod, "RSA-SHA1"/"SM2-SM3" names. */
const char *dsig_alg_name(enum dsig_alg a);

struct dsig_signer;

/*
 * Load a private key and its certificate.  key is a PEM file or any URI
 * that OSSL_STORE opens (file:, or a provider's such as pkcs11: when one
 * is configured); pass is its passphrase or NULL.  cert is a PEM or DER
 * certificate file (or URI); NULL takes it from the key's store.  The key
 * must be RSA or SM2 and be the certificate's.  key_name is what KeyName
 * says (NULL: the certificate's serial number in hex).  Returns NULL with
 * err filled.
 */
struct dsig_signer *dsig_signer_new(const char *key, const char *pass,
    const char *cert, const char *key_name, char *err, size_t n);
/*
 * The same from PEM text in memory (an unencrypted key), as ceb-gen
 * carries its test keys.
 */
struct dsig_signer *dsig_signer_new_pem(const char *key_pem,
    const char *cert_pem, const char *key_name, char *err, size_t n);
void dsig_signer_free(struct dsig_signer *s);
enum dsig_alg dsig_signer_alg(const struct dsig_signer *s);

/*
 * Sign doc in place: remove the ds:Signature children of its root (only
 * when replace is set; with one present and replace not set, return 1
 * and change nothing), then insert a new one before the child `before`
 * (NULL: after the last child element) and fill it.  Returns 0 on
 * success, 1 as said, -1 with err filled.
 */
int dsig_sign(const struct dsig_signer *s, xmlDocPtr doc, xmlNodePtr before,
    int replace, char *err, size_t n);

/*
 * Sign the document whose bytes are bytes[0..len) and whose tree (parsed
 * from them) is doc, as dsig_sign() does, and give the signed bytes in a
 * malloc'd *out (the caller frees it), *olen long and NUL-terminated.  When an existing
 * Signature of the usual shape is re-signed (replace), only its element
 * changes: every other byte stays as it was (XML declaration, attribute
 * order, white space).  A new Signature means the whole tree is written
 * again (UTF-8, ending at the root's '>').  Returns as dsig_sign().
 */
int dsig_sign_bytes(const struct dsig_signer *s, const char *bytes,
    size_t len, xmlDocPtr doc, xmlNodePtr before, int replace, char **out,
    size_t *olen, char *err, size_t n);

/*
 * The digest of doc without the Signature element sig (may be NULL), as
 * the Reference takes it: into out (at least 32 bytes), its length into
 * *len.  alg picks SHA-1 or SM3.  Returns 0, or -1 when out of memory.
 * For tests and for tools that show what was signed.
 */
int dsig_digest(xmlDocPtr doc, xmlNodePtr sig, enum dsig_alg alg,
    unsigned char *out, size_t *len);

#endif
