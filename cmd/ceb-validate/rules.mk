# ceb-validate's business-rule catalogue (rules.h): its sources, data and
# tests.  Kept by the rules' author; included from local.mk.
ceb_validate_SOURCES += cmd/ceb-validate/rules.c cmd/ceb-validate/rules.h \
	cmd/ceb-validate/fields.c cmd/ceb-validate/fields.h
ceb_validate_SOURCES += cmd/ceb-validate/receipt.c cmd/ceb-validate/receipt.h
dist_man_MANS += man/cebtools-rules.7

# The catalogue against its golden cases (tests/golden/ceb-validate-rules,
# run by golden.test) and its generated man page.
TESTS += tests/rules/catalogue.test
EXTRA_DIST += tests/rules/catalogue.test tests/rules/mkman.sh \
	tests/rules/catalogue.py tests/rules/catalogue-allow.txt \
	tests/rules/mkcases.py tests/rules/positive-list.csv
TESTS += tests/rules/receipts.test
EXTRA_DIST += tests/rules/receipts.test

# The shared code-table module (common/codetab), written for the rules.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-codetab
TESTS += tests/unit/test-codetab
tests_unit_test_codetab_SOURCES = tests/unit/test-codetab.c
tests_unit_test_codetab_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_codetab_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
endif

# Injected business defects of ceb-gen batches found with the right rule.
TESTS += tests/rules/gen-defects.test
EXTRA_DIST += tests/rules/gen-defects.test tests/bench/ceb-validate-rules.sh
