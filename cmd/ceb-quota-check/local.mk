# ceb-quota-check: personal single and annual limits, kept in a ledger.
bin_PROGRAMS += ceb-quota-check
ceb_quota_check_SOURCES = cmd/ceb-quota-check/ceb-quota-check.c \
	cmd/ceb-quota-check/quota.h cmd/ceb-quota-check/table.c \
	cmd/ceb-quota-check/extract.c \
	cmd/ceb-quota-check/judge.c cmd/ceb-quota-check/ledger.c \
	cmd/ceb-quota-check/qstore.c \
	cmd/ceb-quota-check/emit.c

# Crash (kill -9), concurrency, rerun, ceb-gen answer-key tests and
# inventories changed on a later night; goldens are in
# tests/golden/ceb-quota-check/ (run by tests/golden.test).
TESTS += tests/quota/crash.sh tests/quota/concurrency.sh tests/quota/rerun.sh \
	tests/quota/answer-key.sh tests/quota/scan.sh tests/quota/moved.sh \
	tests/quota/reread.sh tests/quota/order.sh
EXTRA_DIST += tests/quota tests/bench/ceb-quota-check.sh
dist_man_MANS += man/ceb-quota-check.1
