# ceb-gen: realistic, deterministic test batches with an answer key.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-ident
TESTS += tests/unit/test-ident
tests_unit_test_ident_SOURCES = tests/unit/test-ident.c
tests_unit_test_ident_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_ident_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
endif
