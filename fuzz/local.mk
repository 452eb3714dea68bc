# fuzz/local.mk: hardening (docs/hardening.md).
#
#   make check              also replays every fuzz target over its seed
#                           corpus and fuzz/regress/ (fuzz/replay.test), runs
#                           the hostile-input cases (tests/golden/hostile/, via
#                           tests/golden.test) and the fault scripts
#                           (tests/faults/).
#   make fuzz               builds the libFuzzer targets with clang and runs
#                           each for FUZZ_SECONDS (default 60), one at a time.
#   make valgrind           runs the golden cases and the fuzz replays with
#                           every tool under valgrind memcheck.
#   make check-hostile-large  the slow hostile inputs (tests/hostile-large/).
#   make scan-build         the clang static analyzer over the whole build.

FUZZ_SECONDS = 60
FUZZ_TARGETS = stream gzip msg emit dec csv validate reconcile dsig tax
FUZZ_FLAGS =

fuzz_common_sources = fuzz/fuzz.h fuzz/fuzz-util.c

# The same targets with an ordinary main(): replayed by make check.
fuzz_replays = fuzz/replay-stream fuzz/replay-gzip fuzz/replay-msg \
	fuzz/replay-emit fuzz/replay-dec fuzz/replay-csv fuzz/replay-tax
check_PROGRAMS += $(fuzz_replays)
fuzz_replay_stream_SOURCES = fuzz/fuzz-stream.c fuzz/standalone.c $(fuzz_common_sources)
fuzz_replay_stream_CFLAGS = $(AM_CFLAGS)
fuzz_replay_gzip_SOURCES = fuzz/fuzz-gzip.c fuzz/standalone.c $(fuzz_common_sources)
fuzz_replay_gzip_CFLAGS = $(AM_CFLAGS)
fuzz_replay_msg_SOURCES = fuzz/fuzz-msg.c fuzz/standalone.c $(fuzz_common_sources)
fuzz_replay_msg_CFLAGS = $(AM_CFLAGS)
fuzz_replay_emit_SOURCES = fuzz/fuzz-emit.c fuzz/standalone.c $(fuzz_common_sources)
fuzz_replay_emit_CFLAGS = $(AM_CFLAGS)
fuzz_replay_dec_SOURCES = fuzz/fuzz-dec.c fuzz/standalone.c $(fuzz_common_sources)
fuzz_replay_dec_CFLAGS = $(AM_CFLAGS)
fuzz_replay_csv_SOURCES = fuzz/fuzz-csv.c fuzz/standalone.c $(fuzz_common_sources)
fuzz_replay_csv_CFLAGS = $(AM_CFLAGS)
fuzz_replay_tax_SOURCES = fuzz/fuzz-tax.c fuzz/standalone.c $(fuzz_common_sources)
fuzz_replay_tax_CFLAGS = $(AM_CFLAGS)
# ceb-validate's rules in-process (the first per-tool target).
fuzz_validate_sources = fuzz/fuzz-validate.c cmd/ceb-validate/rules.c \
	cmd/ceb-validate/fields.c cmd/ceb-validate/fields.h \
	cmd/ceb-validate/rules.h cmd/ceb-validate/receipt.c \
	cmd/ceb-validate/receipt.h
fuzz_validate_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/cmd/ceb-validate \
	-DFUZZ_SRCDIR='"$(abs_top_srcdir)"'
check_PROGRAMS += fuzz/replay-validate
fuzz_replay_validate_SOURCES = $(fuzz_validate_sources) fuzz/standalone.c $(fuzz_common_sources)
fuzz_replay_validate_CPPFLAGS = $(fuzz_validate_cppflags)
fuzz_replay_validate_CFLAGS = $(AM_CFLAGS) -pthread
fuzz_replay_validate_LDFLAGS = $(AM_LDFLAGS) -pthread

# ceb-reconcile's record extraction in-process (fields.c; spool stubbed).
fuzz_reconcile_sources = fuzz/fuzz-reconcile.c cmd/ceb-reconcile/fields.c \
	cmd/ceb-reconcile/rec.h cmd/ceb-reconcile/bstore.h
fuzz_reconcile_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/cmd/ceb-reconcile
check_PROGRAMS += fuzz/replay-reconcile
fuzz_replay_reconcile_SOURCES = $(fuzz_reconcile_sources) fuzz/standalone.c $(fuzz_common_sources)
fuzz_replay_reconcile_CPPFLAGS = $(fuzz_reconcile_cppflags)

# The XML-DSig verifier and signer (common/dsig.h).
check_PROGRAMS += fuzz/replay-dsig
fuzz_replay_dsig_SOURCES = fuzz/fuzz-dsig.c fuzz/standalone.c $(fuzz_common_sources)
fuzz_replay_dsig_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_SRCDIR='"$(abs_top_srcdir)"'

TESTS += fuzz/replay.test tests/faults/faults.test

EXTRA_DIST += fuzz/replay.test fuzz/seed.sh fuzz/mkdict.sh fuzz/ceb.dict \
	fuzz/regress fuzz/run.sh tests/faults tests/hostile-large \
	testdata/hostile docs/hardening.md
CLEANFILES += fuzz-logs/*.log

if ENABLE_FUZZ
# configure --enable-fuzz (CC=clang): the libFuzzer binaries themselves.
fuzz_programs = fuzz/fuzz-stream fuzz/fuzz-gzip fuzz/fuzz-msg \
	fuzz/fuzz-emit fuzz/fuzz-dec fuzz/fuzz-csv fuzz/fuzz-validate \
	fuzz/fuzz-reconcile fuzz/fuzz-dsig fuzz/fuzz-tax
noinst_PROGRAMS += $(fuzz_programs)
fuzz_fuzz_tax_SOURCES = fuzz/fuzz-tax.c $(fuzz_common_sources)
fuzz_fuzz_tax_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_dsig_SOURCES = fuzz/fuzz-dsig.c $(fuzz_common_sources)
fuzz_fuzz_dsig_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_SRCDIR='"$(abs_top_srcdir)"'
fuzz_fuzz_dsig_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_stream_SOURCES = fuzz/fuzz-stream.c $(fuzz_common_sources)
fuzz_fuzz_stream_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_gzip_SOURCES = fuzz/fuzz-gzip.c $(fuzz_common_sources)
fuzz_fuzz_gzip_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_msg_SOURCES = fuzz/fuzz-msg.c $(fuzz_common_sources)
fuzz_fuzz_msg_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_emit_SOURCES = fuzz/fuzz-emit.c $(fuzz_common_sources)
fuzz_fuzz_emit_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_dec_SOURCES = fuzz/fuzz-dec.c $(fuzz_common_sources)
fuzz_fuzz_dec_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_csv_SOURCES = fuzz/fuzz-csv.c $(fuzz_common_sources)
fuzz_fuzz_csv_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_validate_SOURCES = $(fuzz_validate_sources) $(fuzz_common_sources)
fuzz_fuzz_validate_CPPFLAGS = $(fuzz_validate_cppflags)
fuzz_fuzz_validate_CFLAGS = $(AM_CFLAGS) -pthread
fuzz_fuzz_validate_LDFLAGS = $(AM_LDFLAGS) -pthread -fsanitize=fuzzer
fuzz_fuzz_reconcile_SOURCES = $(fuzz_reconcile_sources) $(fuzz_common_sources)
fuzz_fuzz_reconcile_CPPFLAGS = $(fuzz_reconcile_cppflags)
fuzz_fuzz_reconcile_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer

fuzz: $(fuzz_programs)
	FUZZ_SECONDS='$(FUZZ_SECONDS)' FUZZ_FLAGS='$(FUZZ_FLAGS)' \
	    $(SHELL) $(srcdir)/fuzz/run.sh '$(abs_top_srcdir)' . $(FUZZ_TARGETS)
else
# An ordinary build: configure a clang build beside this one and fuzz there.
fuzz:
	@if test "$(abs_top_srcdir)" = "$(abs_top_builddir)"; then \
	  echo "make fuzz: this is an in-tree build; run it from a separate build"; \
	  echo "directory: mkdir b && cd b && ../configure CC=clang --enable-fuzz && make fuzz"; \
	  exit 2; \
	fi
	$(MKDIR_P) fuzz-build
	cd fuzz-build && { test -f Makefile || \
	    '$(abs_top_srcdir)/configure' -q CC=clang --enable-fuzz; } && \
	    $(MAKE) fuzz FUZZ_SECONDS='$(FUZZ_SECONDS)' \
	    FUZZ_TARGETS='$(FUZZ_TARGETS)' FUZZ_FLAGS='$(FUZZ_FLAGS)'
endif

# Every tool under valgrind memcheck: a wrapper named like each tool, first
# on PATH, runs the golden cases; then the fuzz replays.  Any memcheck
# error or definite leak makes the wrapped tool exit 99, which the golden
# comparison reports; the logs are summed at the end.
VALGRIND = valgrind
VALGRIND_FLAGS = --quiet --leak-check=full --errors-for-leak-kinds=definite \
	--error-exitcode=99 --track-fds=no
valgrind: all $(check_PROGRAMS)
	rm -rf valgrind-bin valgrind-logs && $(MKDIR_P) valgrind-bin valgrind-logs
	chmod 1777 valgrind-logs	# a case may run a tool as another user
	for p in $(bin_PROGRAMS); do \
	  { echo '#!/bin/sh'; \
	    echo '# the tool found on PATH, so that its argv[0] is its bare name'; \
	    echo 'PATH="$(abs_top_builddir):$$PATH" exec $(VALGRIND) $(VALGRIND_FLAGS) --log-file="$(abs_top_builddir)/valgrind-logs/'$$p'.%p.log" '$$p' "$$@"'; \
	  } >valgrind-bin/$$p && chmod +x valgrind-bin/$$p; \
	done
	PATH="$(abs_top_builddir)/valgrind-bin:$(abs_top_builddir):$$PATH" \
	    top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    CEBTOOLS_DATADIR='$(abs_top_srcdir)' HOSTILE_RSS=skip \
	    $(SHELL) $(srcdir)/tests/golden.sh $(srcdir)/tests/golden \
	    >valgrind-logs/golden.tap 2>&1 || :
	VALGRIND_WRAP='$(VALGRIND) $(VALGRIND_FLAGS) --log-file=$(abs_top_builddir)/valgrind-logs/replay.%p.log' \
	    top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(srcdir)/fuzz/replay.test >valgrind-logs/replay.tap 2>&1 || :
	@cases=`grep -c '^ok' valgrind-logs/golden.tap`; \
	fails=`grep -c '^not ok' valgrind-logs/golden.tap`; \
	runs=`ls valgrind-logs/*.log | wc -l`; \
	dirty=`find valgrind-logs -name '*.log' -size +0 | wc -l`; \
	errs=`cat valgrind-logs/*.log | grep -c -E '^==[0-9]+== (Invalid|Conditional jump|Use of uninitialised|Mismatched|Source and destination overlap|Syscall param|Argument .* of function)'`; \
	leaks=`cat valgrind-logs/*.log | grep -c 'definitely lost in loss record'`; \
	rfails=`grep -c '^not ok' valgrind-logs/replay.tap`; \
	echo "valgrind: $$runs tool runs, $$dirty with a report: $$errs memcheck errors, $$leaks definite leaks; golden cases $$cases ok, $$fails not ok; fuzz replays $$rfails not ok"; \
	grep '^not ok' valgrind-logs/golden.tap valgrind-logs/replay.tap || :; \
	test "$$fails" = 0 && test "$$errs" = 0 && test "$$leaks" = 0 && \
	    test "$$rfails" = 0

# Slow hostile inputs (a 1 GB gzip bomb in a file, a 100 MB document parsed
# with a raised limit), kept out of make check; CI runs them (.ci/run).
# Passes only when every planned case is ok (a SKIP or a lost case fails).
check-hostile-large: all
	PATH="$(abs_top_builddir):$$PATH" \
	    top_srcdir='$(abs_top_srcdir)' CEBTOOLS_DATADIR='$(abs_top_srcdir)' \
	    $(SHELL) $(srcdir)/tests/golden.sh $(srcdir)/tests/hostile-large \
	    | tee check-hostile-large.tap; \
	$(AWK) '/^1\.\.[0-9]+$$/ { plan = substr($$0, 4) + 0 } \
	    /^ok / && !/# SKIP/ { p++ } \
	    END { if (!plan || p != plan) { print "check-hostile-large: " \
	    p + 0 " of " plan + 0 " cases passed"; exit 1 } }' \
	    check-hostile-large.tap

# The clang static analyzer over a fresh build of everything.
SCAN_BUILD = scan-build
scan-build:
	@if test "$(abs_top_srcdir)" = "$(abs_top_builddir)"; then \
	  echo "make scan-build: run it from a separate build directory"; exit 2; fi
	rm -rf scan-build-tree scan-build-report && $(MKDIR_P) scan-build-tree
	cd scan-build-tree && $(SCAN_BUILD) -o ../scan-build-report \
	    '$(abs_top_srcdir)/configure' -q && \
	    $(SCAN_BUILD) -o ../scan-build-report --status-bugs \
	    $(MAKE) all $(check_PROGRAMS)

.PHONY: fuzz valgrind check-hostile-large scan-build
clean-local: clean-hardening
clean-hardening:
	rm -rf fuzz-build fuzz-corpus fuzz-artifacts fuzz-logs valgrind-bin \
	    valgrind-logs scan-build-tree scan-build-report check-hostile-large.tap
.PHONY: clean-hardening

# ceb-manifest-writeoff's readers in-process (manifest XML/CSV, CEB intake,
# norm_*, then the judgement): fuzz-writeoff.
fuzz_writeoff_sources = fuzz/fuzz-writeoff.c \
	cmd/ceb-manifest-writeoff/wo.h cmd/ceb-manifest-writeoff/table.c \
	cmd/ceb-manifest-writeoff/spill.c cmd/ceb-manifest-writeoff/norm.c \
	cmd/ceb-manifest-writeoff/ceb.c \
	cmd/ceb-manifest-writeoff/mft-xml.c cmd/ceb-manifest-writeoff/mft-csv.c \
	cmd/ceb-manifest-writeoff/engine.c cmd/ceb-manifest-writeoff/done.c
fuzz_writeoff_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/cmd/ceb-manifest-writeoff
FUZZ_TARGETS += writeoff
check_PROGRAMS += fuzz/replay-writeoff
fuzz_replay_writeoff_SOURCES = $(fuzz_writeoff_sources) fuzz/standalone.c $(fuzz_common_sources)
fuzz_replay_writeoff_CPPFLAGS = $(fuzz_writeoff_cppflags)
if ENABLE_FUZZ
fuzz_programs += fuzz/fuzz-writeoff
fuzz_fuzz_writeoff_SOURCES = $(fuzz_writeoff_sources) $(fuzz_common_sources)
fuzz_fuzz_writeoff_CPPFLAGS = $(fuzz_writeoff_cppflags)
fuzz_fuzz_writeoff_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif

# ceb-quota-check's policy loader in-process (fuzz-quota-policy).
fuzz_quota_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/cmd/ceb-quota-check \
	-DARENA_BLOCK=65536u -I$(top_srcdir)/fuzz
FUZZ_TARGETS += quota-policy
check_PROGRAMS += fuzz/replay-quota-policy
fuzz_replay_quota_policy_SOURCES = fuzz/fuzz-quota-policy.c \
	cmd/ceb-quota-check/quota.h \
	fuzz/standalone.c $(fuzz_common_sources)
fuzz_replay_quota_policy_CPPFLAGS = $(fuzz_quota_cppflags)
if ENABLE_FUZZ
fuzz_programs += fuzz/fuzz-quota-policy
fuzz_fuzz_quota_policy_SOURCES = fuzz/fuzz-quota-policy.c \
	cmd/ceb-quota-check/quota.h \
	$(fuzz_common_sources)
fuzz_fuzz_quota_policy_CPPFLAGS = $(fuzz_quota_cppflags)
fuzz_fuzz_quota_policy_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif

# ceb-quota-check's ledger in-process: load, save, load again
# (fuzz-quota-ledger).  fuzz/fuzz-quota-util.c: scratch files, sealed
# ledger texts, a run freed between inputs (also used by fuzz-quota).
fuzz_quota_sources = cmd/ceb-quota-check/quota.h \
	cmd/ceb-quota-check/table.c \
	cmd/ceb-quota-check/judge.c cmd/ceb-quota-check/ledger.c \
	cmd/ceb-quota-check/qstore.c \
	fuzz/fuzz-quota.h fuzz/fuzz-quota-util.c
FUZZ_TARGETS += quota-ledger
check_PROGRAMS += fuzz/replay-quota-ledger
fuzz_replay_quota_ledger_SOURCES = fuzz/fuzz-quota-ledger.c \
	$(fuzz_quota_sources) fuzz/standalone.c $(fuzz_common_sources)
fuzz_replay_quota_ledger_CPPFLAGS = $(fuzz_quota_cppflags)
if ENABLE_FUZZ
fuzz_programs += fuzz/fuzz-quota-ledger
fuzz_fuzz_quota_ledger_SOURCES = fuzz/fuzz-quota-ledger.c \
	$(fuzz_quota_sources) $(fuzz_common_sources)
fuzz_fuzz_quota_ledger_CPPFLAGS = $(fuzz_quota_cppflags)
fuzz_fuzz_quota_ledger_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif

# ceb-validate's receipts (-R) in-process: every receipt parses back as a
# message of the receipt type that names the record's values.
FUZZ_TARGETS += validate-receipt
check_PROGRAMS += fuzz/replay-validate-receipt
fuzz_replay_validate_receipt_SOURCES = fuzz/fuzz-validate-receipt.c \
	cmd/ceb-validate/rules.c cmd/ceb-validate/rules.h \
	cmd/ceb-validate/fields.c cmd/ceb-validate/fields.h \
	cmd/ceb-validate/receipt.c cmd/ceb-validate/receipt.h \
	fuzz/standalone.c $(fuzz_common_sources)
fuzz_replay_validate_receipt_CPPFLAGS = $(fuzz_validate_cppflags)
fuzz_replay_validate_receipt_CFLAGS = $(AM_CFLAGS) -pthread
fuzz_replay_validate_receipt_LDFLAGS = $(AM_LDFLAGS) -pthread
if ENABLE_FUZZ
fuzz_programs += fuzz/fuzz-validate-receipt
fuzz_fuzz_validate_receipt_SOURCES = fuzz/fuzz-validate-receipt.c \
	cmd/ceb-validate/rules.c cmd/ceb-validate/rules.h \
	cmd/ceb-validate/fields.c cmd/ceb-validate/fields.h \
	cmd/ceb-validate/receipt.c cmd/ceb-validate/receipt.h \
	$(fuzz_common_sources)
fuzz_fuzz_validate_receipt_CPPFLAGS = $(fuzz_validate_cppflags)
fuzz_fuzz_validate_receipt_CFLAGS = $(AM_CFLAGS) -pthread
fuzz_fuzz_validate_receipt_LDFLAGS = $(AM_LDFLAGS) -pthread -fsanitize=fuzzer
endif

# ceb-quota-check's per-record entry point in-process: extract, judge
# against a small ledger, write; a rerun and a cancel of what was counted.
FUZZ_TARGETS += quota
check_PROGRAMS += fuzz/replay-quota
fuzz_replay_quota_SOURCES = fuzz/fuzz-quota.c cmd/ceb-quota-check/extract.c \
	$(fuzz_quota_sources) fuzz/standalone.c $(fuzz_common_sources)
fuzz_replay_quota_CPPFLAGS = $(fuzz_quota_cppflags) \
	-DFUZZ_SRCDIR='"$(abs_top_srcdir)"'
if ENABLE_FUZZ
fuzz_programs += fuzz/fuzz-quota
fuzz_fuzz_quota_SOURCES = fuzz/fuzz-quota.c cmd/ceb-quota-check/extract.c \
	$(fuzz_quota_sources) $(fuzz_common_sources)
fuzz_fuzz_quota_CPPFLAGS = $(fuzz_quota_cppflags) \
	-DFUZZ_SRCDIR='"$(abs_top_srcdir)"'
fuzz_fuzz_quota_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif

# ceb-reconcile's state directory in-process: load, commit, load again.
fuzz_reconcile_state_sources = fuzz/fuzz-reconcile-state.c \
	cmd/ceb-reconcile/rec.h cmd/ceb-reconcile/bstore.h \
	cmd/ceb-reconcile/fields.c cmd/ceb-reconcile/rules.c \
	cmd/ceb-reconcile/store.c cmd/ceb-reconcile/match.c \
	cmd/ceb-reconcile/output.c cmd/ceb-reconcile/rstate.c \
	cmd/ceb-reconcile/rconvert.c \
	cmd/ceb-reconcile/bstore.c
FUZZ_TARGETS += reconcile-state
check_PROGRAMS += fuzz/replay-reconcile-state
fuzz_replay_reconcile_state_SOURCES = $(fuzz_reconcile_state_sources) \
	fuzz/standalone.c $(fuzz_common_sources)
fuzz_replay_reconcile_state_CPPFLAGS = $(fuzz_reconcile_cppflags)
EXTRA_DIST += fuzz/seeds
if ENABLE_FUZZ
fuzz_programs += fuzz/fuzz-reconcile-state
fuzz_fuzz_reconcile_state_SOURCES = $(fuzz_reconcile_state_sources) \
	$(fuzz_common_sources)
fuzz_fuzz_reconcile_state_CPPFLAGS = $(fuzz_reconcile_cppflags)
fuzz_fuzz_reconcile_state_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif
EXTRA_DIST += fuzz/campaign.sh

# The envelope decoder of the stream layer (common/envelope.h), through
# stream_next(): fuzz-envelope.
FUZZ_TARGETS += envelope
check_PROGRAMS += fuzz/replay-envelope
fuzz_replay_envelope_SOURCES = fuzz/fuzz-envelope.c fuzz/standalone.c $(fuzz_common_sources)
if ENABLE_FUZZ
fuzz_programs += fuzz/fuzz-envelope
fuzz_fuzz_envelope_SOURCES = fuzz/fuzz-envelope.c $(fuzz_common_sources)
fuzz_fuzz_envelope_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif

# The accept-only well-formedness check (common/fastwf.h) against libxml2,
# differentially: fuzz-fastwf.
FUZZ_TARGETS += fastwf
check_PROGRAMS += fuzz/replay-fastwf
fuzz_fastwf_sources = fuzz/fuzz-fastwf.c fuzz/fastwf-ref.c fuzz/fastwf-ref.h
fuzz_replay_fastwf_SOURCES = $(fuzz_fastwf_sources) fuzz/standalone.c $(fuzz_common_sources)
if ENABLE_FUZZ
fuzz_programs += fuzz/fuzz-fastwf
fuzz_fuzz_fastwf_SOURCES = $(fuzz_fastwf_sources) $(fuzz_common_sources)
fuzz_fuzz_fastwf_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif
