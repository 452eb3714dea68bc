# ceb-validate: structure (schemas, this fragment) and business rules
# (rules.mk, kept by the rule catalogue's author).
bin_PROGRAMS += ceb-validate
ceb_validate_SOURCES = cmd/ceb-validate/ceb-validate.c \
	cmd/ceb-validate/validate.h cmd/ceb-validate/judge.c \
	cmd/ceb-validate/schemaerr.c \
	cmd/ceb-validate/pool.c cmd/ceb-validate/sax.c
ceb_validate_CFLAGS = $(AM_CFLAGS) -pthread
ceb_validate_LDFLAGS = $(AM_LDFLAGS) -pthread
dist_man_MANS += man/ceb-validate.1
include $(srcdir)/cmd/ceb-validate/rules.mk

# The differential conformance test against xmllint and the official XSDs.
TESTS += tests/validate/conformance.test tests/validate/jobs.test \
	tests/validate/fastpath.test
EXTRA_DIST += tests/validate/conformance.test tests/validate/jobs.test \
	tests/validate/fastpath.test \
	tests/bench/ceb-validate.sh
check_PROGRAMS += tests/validate/mutate
tests_validate_mutate_SOURCES = tests/validate/mutate.c
# Unit test of common/schema (cmocka).
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-schema
TESTS += tests/unit/test-schema
tests_unit_test_schema_SOURCES = tests/unit/test-schema.c
tests_unit_test_schema_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_schema_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
# ... and of its accept-only fast model (common/fastxsd), against libxml2.
check_PROGRAMS += tests/unit/test-fastxsd
TESTS += tests/unit/test-fastxsd
tests_unit_test_fastxsd_SOURCES = tests/unit/test-fastxsd.c
tests_unit_test_fastxsd_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_fastxsd_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
endif
