# ceb-quota-check: personal single and annual limits, kept in a ledger.
bin_PROGRAMS += ceb-quota-check
ceb_quota_check_SOURCES = cmd/ceb-quota-check/ceb-quota-check.c \
	cmd/ceb-quota-check/quota.h cmd/ceb-quota-check/table.c \
	cmd/ceb-quota-check/policy.c cmd/ceb-quota-check/extract.c \
	cmd/ceb-quota-check/judge.c cmd/ceb-quota-check/ledger.c \
	cmd/ceb-quota-check/emit.c
