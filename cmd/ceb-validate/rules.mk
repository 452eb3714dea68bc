# ceb-validate's business-rule catalogue (rules.h): its sources, data and
# tests.  Kept by the rules' author; included from local.mk.
ceb_validate_SOURCES += cmd/ceb-validate/rules.c cmd/ceb-validate/rules.h
ceb_validate_SOURCES += cmd/ceb-validate/receipt.c cmd/ceb-validate/receipt.h
dist_man_MANS += man/cebtools-rules.7

# The catalogue against its golden cases (tests/golden/ceb-validate-rules,
# run by golden.test) and its generated man page.
TESTS += tests/rules/catalogue.test
EXTRA_DIST += tests/rules/catalogue.test tests/rules/mkman.sh \
	tests/rules/mkcases.py tests/rules/positive-list.csv
