# ceb-reconcile: 三单对碰 with nightly carry-over (issue 6).
bin_PROGRAMS += ceb-reconcile
ceb_reconcile_SOURCES = cmd/ceb-reconcile/ceb-reconcile.c \
	cmd/ceb-reconcile/rec.h cmd/ceb-reconcile/fields.c \
	cmd/ceb-reconcile/rules.c cmd/ceb-reconcile/store.c \
	cmd/ceb-reconcile/match.c cmd/ceb-reconcile/output.c \
	cmd/ceb-reconcile/rstate.c cmd/ceb-reconcile/rconvert.c \
	cmd/ceb-reconcile/bstore.c \
	cmd/ceb-reconcile/bstore.h

# Unit tests of the common modules this issue added.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-shard tests/unit/test-keyidx
TESTS += tests/unit/test-shard tests/unit/test-keyidx
tests_unit_test_shard_SOURCES = tests/unit/test-shard.c
tests_unit_test_shard_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_shard_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_keyidx_SOURCES = tests/unit/test-keyidx.c
tests_unit_test_keyidx_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_keyidx_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
endif

# Command-line tests beyond the golden cases: answer key on ceb-gen
# batches, three nights with carry-over, kill -9 and rerun, shards, lock.
RECONCILE_TESTS = tests/reconcile/gen-defects.test \
	tests/reconcile/three-nights.test tests/reconcile/kill.test \
	tests/reconcile/shard.test tests/reconcile/lock.test \
	tests/reconcile/spill.test tests/reconcile/same-day.test \
	tests/reconcile/stdin.test tests/reconcile/bad-doc.test \
	tests/reconcile/late-resend.test tests/reconcile/scan.sh
TESTS += $(RECONCILE_TESTS)
EXTRA_DIST += $(RECONCILE_TESTS) tests/reconcile/lib.sh \
	tests/bench/ceb-reconcile.sh
dist_man_MANS += man/ceb-reconcile.1
