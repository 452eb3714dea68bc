/*
 * fuzz-dsig.c: the XML-DSig verifier and signer (common/dsig.h) on one
 * document.  The input is the bytes of one document; the verifier judges
 * it (twice, against one certificate cache), then the signer signs it with
 * the RSA test key of testdata/keys and the verifier judges the result.
 *
 * Checks: a verdict is one of the statuses, with a NUL-terminated detail
 * and field that fit their buffers; the same bytes get the same verdict
 * again (the cache changes nothing); a verdict other than DSIG_NONE names
 * a field; DSIG_OK has an algorithm and a signer; whatever the signer
 * accepts to sign, the verifier then accepts (DSIG_OK), and a document it
 * re-signs in place keeps every byte outside the signature.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsig.h"
#include "fuzz.h"
#include "stream.h"

static struct dsig_cache *cache;
static struct dsig_signer *signer;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[400];

	(void)argc;
	(void)argv;
	fuzz_quiet_libxml();
	if ((cache = dsig_cache_new(NULL, err, sizeof err)) == NULL ||
	    (signer = dsig_signer_new(FUZZ_SRCDIR "/testdata/keys/rsa.key",
	    NULL, FUZZ_SRCDIR "/testdata/keys/rsa.crt", NULL, err,
	    sizeof err)) == NULL) {
		fprintf(stderr, "fuzz-dsig: %s\n", err);
		abort();
	}
	return 0;
}

static void
check(const struct dsig_verdict *v)
{
	FUZZ_ASSERT(v->status >= DSIG_NONE && v->status <= DSIG_NOMEM);
	FUZZ_ASSERT(memchr(v->detail, '\0', sizeof v->detail) != NULL);
	FUZZ_ASSERT(memchr(v->field, '\0', sizeof v->field) != NULL);
	FUZZ_ASSERT(memchr(v->subject, '\0', sizeof v->subject) != NULL);
	FUZZ_ASSERT(memchr(v->serial, '\0', sizeof v->serial) != NULL);
	if (v->status != DSIG_NONE)
		FUZZ_ASSERT(v->field[0] != '\0');
	if (v->status == DSIG_OK)
		FUZZ_ASSERT(v->alg != DSIG_ALG_NONE && v->serial[0] != '\0');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dsig_verdict v, w;
	struct stream_err err;
	xmlDocPtr doc;
	char why[300], *out = NULL;
	size_t olen = 0;
	int r;

	dsig_verify_bytes(cache, (const char *)data, size, &v);
	check(&v);
	dsig_verify_bytes(cache, (const char *)data, size, &w);
	FUZZ_ASSERT(v.status == w.status);
	FUZZ_ASSERT(strcmp(v.detail, w.detail) == 0);

	memset(&err, 0, sizeof err);
	if ((doc = stream_parse_memory((const char *)data, size, "fuzz",
	    &err)) == NULL)
		return 0;
	r = dsig_sign_bytes(signer, (const char *)data, size, doc, NULL, 1,
	    &out, &olen, why, sizeof why);
	xmlFreeDoc(doc);
	if (r != 0)
		return 0;
	FUZZ_ASSERT(out != NULL);
	dsig_verify_bytes(cache, out, olen, &w);
	check(&w);
	if (w.status != DSIG_OK)
		fprintf(stderr, "fuzz-dsig: signed, then %d: %s\n", w.status,
		    w.detail);
	FUZZ_ASSERT(w.status == DSIG_OK);
	free(out);
	return 0;
}
