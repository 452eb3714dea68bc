/*
 * test-dsig: common/dsig.h.  Signing then verifying, in both algorithms;
 * the certificate cache parses each distinct certificate once, also when
 * threads verify at the same time; the tolerances the man page promises
 * (an RSA value with a leading zero byte, a processing instruction before
 * the root) and the refusals it promises (a changed byte, no signature).
 * The test keys are read from $top_srcdir/testdata/keys.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "dsig.h"
#include "stream.h"

static const char msg[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ceb:CEB311Message xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\" "
    "guid=\"G\" version=\"1.0\">\n"
    "\t<ceb:Order><ceb:OrderHead><ceb:orderNo>O1</ceb:orderNo>"
    "<!-- a comment is not signed -->"
    "</ceb:OrderHead></ceb:Order>\n"
    "\t<ceb:BaseTransfer><ceb:copCode>X</ceb:copCode></ceb:BaseTransfer>\n"
    "</ceb:CEB311Message>";

static struct dsig_signer *
signer(const char *alg)
{
	const char *top = getenv("top_srcdir");
	char key[4096], crt[4096], err[400];
	struct dsig_signer *s;

	snprintf(key, sizeof key, "%s/testdata/keys/%s.key", top ? top : ".",
	    alg);
	snprintf(crt, sizeof crt, "%s/testdata/keys/%s.crt", top ? top : ".",
	    alg);
	s = dsig_signer_new(key, NULL, crt, NULL, err, sizeof err);
	if (s == NULL)
		fail_msg("%s", err);
	return s;
}

/* msg signed by s: malloc'd bytes. */
static char *
signed_msg(struct dsig_signer *s, size_t *len)
{
	struct stream_err e;
	xmlDocPtr doc;
	char err[300], *out = NULL;

	memset(&e, 0, sizeof e);
	doc = stream_parse_memory(msg, strlen(msg), "t", &e);
	assert_non_null(doc);
	assert_int_equal(dsig_sign_bytes(s, msg, strlen(msg), doc, NULL, 0,
	    &out, len, err, sizeof err), 0);
	xmlFreeDoc(doc);
	return out;
}

static void
round_trip(void **state)
{
	static const char *const algs[] = { "rsa", "sm2" };
	struct dsig_cache *c = dsig_cache_new(NULL, NULL, 0);
	struct dsig_verdict v;
	size_t i, len;
	char *out, *p;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct dsig_signer *s = signer(algs[i]);

		out = signed_msg(s, &len);
		assert_int_equal(dsig_verify_bytes(c, out, len, &v), DSIG_OK);
		assert_int_equal(v.alg, i == 0 ? DSIG_ALG_RSA_SHA1 :
		    DSIG_ALG_SM2_SM3);
		assert_non_null(strstr(v.subject, "cebtools test signer"));
		/* A comment is outside the signed content. */
		p = strstr(out, "a comment");
		assert_non_null(p);
		*p = 'A';
		assert_int_equal(dsig_verify_bytes(c, out, len, &v), DSIG_OK);
		/* The content is not. */
		p = strstr(out, ">O1<");
		assert_non_null(p);
		p[2] = '2';
		assert_int_equal(dsig_verify_bytes(c, out, len, &v),
		    DSIG_DIGEST);
		assert_int_equal(v.signature_ok, 1);
		free(out);
		dsig_signer_free(s);
	}
	assert_int_equal(dsig_verify_bytes(c, msg, strlen(msg), &v),
	    DSIG_NONE);
	dsig_cache_free(c);
}

struct job {
	struct dsig_cache *c;
	const char *bytes;
	size_t len;
	int ok;
};

static void *
verify_many(void *arg)
{
	struct job *j = arg;
	struct dsig_verdict v;
	int i;

	for (i = 0; i < 50; i++)
		if (dsig_verify_bytes(j->c, j->bytes, j->len, &v) == DSIG_OK)
			j->ok++;
	return NULL;
}

static void
parsed_once(void **state)
{
	struct dsig_signer *s = signer("sm2");
	struct dsig_cache *c = dsig_cache_new(NULL, NULL, 0);
	struct job j[4];
	pthread_t th[4];
	size_t len;
	char *out = signed_msg(s, &len);
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		j[i].c = c;
		j[i].bytes = out;
		j[i].len = len;
		j[i].ok = 0;
		assert_int_equal(pthread_create(&th[i], NULL, verify_many,
		    &j[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(j[i].ok, 50);
	}
	assert_int_equal(dsig_cache_parsed(c), 1);
	free(out);
	dsig_cache_free(c);
	dsig_signer_free(s);
}

/* Replace the base64 text of element name in buf by b64 of bytes. */
static char *
with_value(const char *buf, const char *name, const unsigned char *bytes,
    size_t n)
{
	char open[64], close[64], b64[1024], *out;
	const char *a, *b;

	snprintf(open, sizeof open, "<ds:%s>", name);
	snprintf(close, sizeof close, "</ds:%s>", name);
	a = strstr(buf, open) + strlen(open);
	b = strstr(a, close);
	EVP_EncodeBlock((unsigned char *)b64, bytes, (int)n);
	out = malloc(strlen(buf) + strlen(b64) + 1);
	snprintf(out, strlen(buf) + strlen(b64) + 1, "%.*s%s%s",
	    (int)(a - buf), buf, b64, b);
	return out;
}

static void
tolerances(void **state)
{
	struct dsig_signer *s = signer("rsa");
	struct dsig_cache *c = dsig_cache_new(NULL, NULL, 0);
	struct dsig_verdict v;
	unsigned char sig[600];
	int n;
	size_t len;
	char *out = signed_msg(s, &len), *a, *b, *pi;
	const char *p = strstr(out, "<ds:SignatureValue>") + 19;

	(void)state;
	/* The RSA value with a leading zero byte, as in the spec's example. */
	n = EVP_DecodeBlock(sig + 1, (const unsigned char *)p,
	    (int)(strchr(p, '<') - p));
	assert_true(n == 128 || n == 129);	/* 129: the '=' counted */
	sig[0] = 0;
	a = with_value(out, "SignatureValue", sig, 129);
	assert_int_equal(dsig_verify_bytes(c, a, strlen(a), &v), DSIG_OK);
	/* Two leading zeros more than the modulus: refused. */
	memmove(sig + 1, sig, 129);
	sig[1] = 1;
	b = with_value(out, "SignatureValue", sig, 130);
	assert_int_equal(dsig_verify_bytes(c, b, strlen(b), &v),
	    DSIG_SIGNATURE);
	/* A processing instruction before the root: accepted, and said. */
	pi = malloc(len + 64);
	p = strchr(out, '\n') + 1;	/* after the XML declaration */
	snprintf(pi, len + 64, "%.*s<?ceb-origin file=\"x.xml\"?>\n%.*s",
	    (int)(p - out), out, (int)(len - (size_t)(p - out)), p);
	assert_int_equal(dsig_verify_bytes(c, pi, strlen(pi), &v), DSIG_OK);
	assert_int_equal(v.digest_without_pi, 1);
	free(a);
	free(b);
	free(pi);
	free(out);
	dsig_cache_free(c);
	dsig_signer_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(parsed_once),
		cmocka_unit_test(tolerances),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
