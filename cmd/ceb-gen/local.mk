# ceb-gen: realistic, deterministic test batches with an answer key.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-ident
TESTS += tests/unit/test-ident
tests_unit_test_ident_SOURCES = tests/unit/test-ident.c
tests_unit_test_ident_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_ident_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
endif

bin_PROGRAMS += ceb-gen
ceb_gen_SOURCES = cmd/ceb-gen/ceb-gen.c cmd/ceb-gen/gen.h \
	cmd/ceb-gen/gen-data.c cmd/ceb-gen/gen-export.c \
	cmd/ceb-gen/gen-import.c cmd/ceb-gen/gen-keys.c cmd/ceb-gen/gen-out.c \
	cmd/ceb-gen/gen-util.c

# The answer-key checker finds the defects again with rules of its own.
check_PROGRAMS += tests/gen/gen-check
tests_gen_gen_check_SOURCES = tests/gen/gen-check.c
TESTS += tests/gen/determinism.test tests/gen/xsd.test tests/gen/key.test
EXTRA_DIST += tests/gen/determinism.test tests/gen/xsd.test \
	tests/gen/key.test
dist_man_MANS += man/ceb-gen.1
EXTRA_DIST += tests/bench/_lib.sh
