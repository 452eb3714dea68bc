# Unit tests (cmocka) and golden command-line tests; all speak TAP.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-dec tests/unit/test-stream \
	tests/unit/test-mask tests/unit/test-msg tests/unit/test-csvio
TESTS += tests/unit/test-dec tests/unit/test-stream \
	tests/unit/test-mask tests/unit/test-msg tests/unit/test-csvio
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
endif

TESTS += tests/golden.test
EXTRA_DIST += tests/golden.sh tests/golden.test tests/golden tests/bench.sh
