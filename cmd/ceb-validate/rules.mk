# ceb-validate's business-rule catalogue (rules.h): its sources, data and
# tests.  Kept by the rules' author; included from local.mk.
ceb_validate_SOURCES += cmd/ceb-validate/rules.c cmd/ceb-validate/rules.h
ceb_validate_SOURCES += cmd/ceb-validate/receipt.c cmd/ceb-validate/receipt.h
