# ceb-manifest-writeoff: 舱单核销, export parcels against the carrier's manifest.
bin_PROGRAMS += ceb-manifest-writeoff
ceb_manifest_writeoff_SOURCES = \
	cmd/ceb-manifest-writeoff/ceb-manifest-writeoff.c \
	cmd/ceb-manifest-writeoff/wo.h \
	cmd/ceb-manifest-writeoff/table.c \
	cmd/ceb-manifest-writeoff/spill.c \
	cmd/ceb-manifest-writeoff/norm.c \
	cmd/ceb-manifest-writeoff/ceb.c \
	cmd/ceb-manifest-writeoff/mft-xml.c \
	cmd/ceb-manifest-writeoff/mft-csv.c \
	cmd/ceb-manifest-writeoff/engine.c \
	cmd/ceb-manifest-writeoff/done.c \
	cmd/ceb-manifest-writeoff/summary.c \
	cmd/ceb-manifest-writeoff/wostate.c
dist_man_MANS += man/ceb-manifest-writeoff.1

# Shell tests (TAP): state carry-over, kill -9, ceb-gen answer key.
TESTS += tests/writeoff/state.test tests/writeoff/crash.test \
	tests/writeoff/gen.test tests/writeoff/shard.test \
	tests/writeoff/spill.test tests/writeoff/rerun.test
EXTRA_DIST += tests/writeoff/lib.sh tests/writeoff/state.test \
	tests/writeoff/crash.test tests/writeoff/gen.test \
	tests/writeoff/shard.test tests/writeoff/spill.test \
	tests/writeoff/rerun.test tests/bench/ceb-manifest-writeoff.sh

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-wo-norm
TESTS += tests/unit/test-wo-norm
tests_unit_test_wo_norm_SOURCES = tests/unit/test-wo-norm.c \
	cmd/ceb-manifest-writeoff/norm.c cmd/ceb-manifest-writeoff/table.c \
	cmd/ceb-manifest-writeoff/spill.c cmd/ceb-manifest-writeoff/done.c
tests_unit_test_wo_norm_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/cmd/ceb-manifest-writeoff
tests_unit_test_wo_norm_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_wo_norm_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
endif
