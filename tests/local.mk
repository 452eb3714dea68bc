# Unit tests (cmocka) and golden command-line tests; all speak TAP.
if HAVE_CMOCKA
unit_tests = tests/unit/test-dec tests/unit/test-stream tests/unit/test-mask tests/unit/test-msg tests/unit/test-csvio tests/unit/test-emit tests/unit/test-state tests/unit/test-diag tests/unit/test-input tests/unit/test-origin tests/unit/test-envelope
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)
tests_unit_test_dec_SOURCES = tests/unit/test-dec.c
tests_unit_test_dec_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_dec_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_stream_SOURCES = tests/unit/test-stream.c
tests_unit_test_stream_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_stream_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_mask_SOURCES = tests/unit/test-mask.c
tests_unit_test_mask_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_mask_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_msg_SOURCES = tests/unit/test-msg.c
tests_unit_test_msg_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_msg_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_csvio_SOURCES = tests/unit/test-csvio.c
tests_unit_test_csvio_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_csvio_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_emit_SOURCES = tests/unit/test-emit.c
tests_unit_test_emit_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_emit_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_state_SOURCES = tests/unit/test-state.c
tests_unit_test_state_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_state_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_diag_SOURCES = tests/unit/test-diag.c
tests_unit_test_diag_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_diag_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_origin_SOURCES = tests/unit/test-origin.c
tests_unit_test_origin_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_origin_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_envelope_SOURCES = tests/unit/test-envelope.c
tests_unit_test_envelope_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_envelope_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_input_SOURCES = tests/unit/test-input.c
tests_unit_test_input_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_input_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
endif

TESTS += tests/golden.test tests/cli.test
EXTRA_DIST += tests/golden.sh tests/golden.test tests/golden tests/bench.sh \
	tests/cli.test

# Chinese: goldens under LANG=zh_CN.UTF-8, and a complete catalogue.
TESTS += tests/golden-zh.test tests/po/complete.test
EXTRA_DIST += tests/golden-zh.test tests/golden-zh tests/po/complete.test

# The quota policy (common/policy.h), the import tax and its rates table
# (common/tax.h).
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-policy tests/unit/test-tax
TESTS += tests/unit/test-policy tests/unit/test-tax
tests_unit_test_policy_SOURCES = tests/unit/test-policy.c
tests_unit_test_policy_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_policy_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_tax_SOURCES = tests/unit/test-tax.c
tests_unit_test_tax_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_tax_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
# ceb-quota-check's arena (offsets of strings) and isort().
check_PROGRAMS += tests/unit/test-quota-table
TESTS += tests/unit/test-quota-table
tests_unit_test_quota_table_SOURCES = tests/unit/test-quota-table.c \
	cmd/ceb-quota-check/table.c cmd/ceb-quota-check/quota.h
tests_unit_test_quota_table_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/cmd/ceb-quota-check
tests_unit_test_quota_table_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_quota_table_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
endif

# tests/lib/tap.sh: tap_broken, the one way a TAP script reports that its
# generator or fixture step failed (not ok, never a SKIP); harness.test
# checks every script that runs ceb-gen does so.
TESTS += tests/harness.test tests/ci-script.test
EXTRA_DIST += tests/lib/tap.sh tests/harness.test tests/ci-script.test

# After the tests, say plainly which did not run: a SKIP is not a pass.
# (.ci/run fails a SKIP in CI unless its allow-list names it.)
check-local: check-TESTS
	@$(SHELL) $(srcdir)/tests/skips.sh $(TEST_LOGS)
EXTRA_DIST += tests/skips.sh

# make mutants: the suite against the deliberate bugs of tests/mutants/list,
# one at a time in a scratch copy (mutants.d/); MUTANTS="name ..." picks
# some, MUTANTS_FULL=1 runs all of make check for each (tests/mutants/run.sh).
MUTANTS_DIR = $(abs_top_builddir)/mutants.d
mutants:
	top_srcdir='$(abs_top_srcdir)' MUTANTS_DIR='$(MUTANTS_DIR)' \
	    $(SHELL) $(srcdir)/tests/mutants/run.sh $(MUTANTS)
clean-local: clean-mutants
clean-mutants:
	rm -rf mutants.d
.PHONY: mutants clean-mutants
EXTRA_DIST += tests/mutants/list tests/mutants/run.sh

# The store (common/store.h): cebtools-state(5)'s examples; the state
# dump the shell tests compare; old-format state for the conversion test.
TESTS += tests/state/examples.test tests/convert/convert.test tests/nightly.test
EXTRA_DIST += tests/state tests/state-dump.sh tests/convert

# Every example of the README's pipelines and of cebtools(7), as written.
TESTS += tests/examples.test tests/install.test tests/sharded-night.test \
	tests/demo.test
EXTRA_DIST += tests/examples.test tests/install.test tests/sharded-night.test tests/engines \
	tests/demo.test

# Issue 19: envelopes read by every tool, the origin through pipelines and
# two nights, a stream back to files.
TESTS += tests/stream/envelopes.test tests/stream/origin.test tests/stream/part.test \
	tests/stream/split.test tests/stream/fastwf.test
EXTRA_DIST += tests/stream

# Files the tests read that no rule above distributes (make distcheck, run
# by .ci/run, builds and tests from the tarball alone; tests/ci-script.test
# reads .ci/run).
EXTRA_DIST += .ci/run tests/nightly.test tests/rules/goods.csv \
	tests/validate/mutate.py tests/validate/structure-only.sh

# Issue 16: every attack of docs/security.md as a test.
TESTS += tests/security/files.test tests/security/output.test \
	tests/security/ledger.test tests/security/amplify.test \
	tests/security/ids.test tests/security/state.test \
	tests/security/correct.test tests/security/changed-input.test
EXTRA_DIST += tests/security docs/security.md

# The accept-only well-formedness check (common/fastwf.h) against libxml2,
# and ceb-cat with it on and off.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-fastwf
TESTS += tests/unit/test-fastwf
tests_unit_test_fastwf_SOURCES = tests/unit/test-fastwf.c fuzz/fastwf-ref.c \
	fuzz/fastwf-ref.h
tests_unit_test_fastwf_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/fuzz
tests_unit_test_fastwf_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_fastwf_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
endif
