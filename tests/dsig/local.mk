# XML-DSig (common/dsig.h, ceb-sign, ceb-validate's V-SIG rules): the
# differential tests against xmlsec1 and openssl, the answer key of
# ceb-gen's signature defects, hostile signatures.
check_PROGRAMS += tests/dsig/c14n
tests_dsig_c14n_SOURCES = tests/dsig/c14n.c
TESTS += tests/dsig/xmlsec.test tests/dsig/openssl.test \
	tests/dsig/answer-key.test tests/dsig/hostile.test
EXTRA_DIST += tests/dsig/xmlsec.test tests/dsig/openssl.test \
	tests/dsig/answer-key.test tests/dsig/hostile.test \
	tests/bench/ceb-validate-dsig.sh
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-dsig
TESTS += tests/unit/test-dsig
tests_unit_test_dsig_SOURCES = tests/unit/test-dsig.c
tests_unit_test_dsig_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_dsig_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) -pthread
tests_unit_test_dsig_LDFLAGS = $(AM_LDFLAGS) -pthread
endif
