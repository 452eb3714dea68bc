# The interrupted-runs harness of issue 9 (docs/hardening.md, "Faults").
#   make check        tests/kill/kill.test: 8 SIGKILL points per stateful
#                     tool on a quarter of the data (about half a minute)
#   make check-kill   100 SIGKILL points (and 25 SIGTERM, 25 SIGINT) per
#                     tool on the full data; KILL_SEED=n reproduces a run
TESTS += tests/kill/kill.test
EXTRA_DIST += tests/kill/kill.sh tests/kill/kill.test tests/kill/local.mk

check-kill: all
	PATH="$(abs_top_builddir):$$PATH" CEBTOOLS_DATADIR="$(abs_top_srcdir)" \
	    top_srcdir="$(abs_top_srcdir)" KILL_N=$${KILL_N:-100} \
	    $(SHELL) $(srcdir)/tests/kill/kill.sh | tee kill.log; \
	! grep -q '^not ok' kill.log

.PHONY: check-kill
CLEANFILES += kill.log
