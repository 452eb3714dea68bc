# ceb-risk: risk monitoring on goods, parcel splitting and enterprises,
# with its history in the store.
bin_PROGRAMS += ceb-risk
ceb_risk_SOURCES = cmd/ceb-risk/ceb-risk.c cmd/ceb-risk/risk.h \
	cmd/ceb-risk/collect.c cmd/ceb-risk/judge.c cmd/ceb-risk/report.c \
	cmd/ceb-risk/html.c \
	cmd/ceb-risk/rpolicy.c cmd/ceb-risk/rstore.c


# The answer-key, history and rerun tests; goldens are in
# tests/golden/ceb-risk/ (run by tests/golden.test).
TESTS += tests/risk/answer-key.sh tests/risk/enterprise.sh tests/risk/html.sh
EXTRA_DIST += tests/risk
dist_man_MANS += man/ceb-risk.1
