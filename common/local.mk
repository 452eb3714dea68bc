# The shared library: one .c/.h pair per concern.
noinst_LIBRARIES += common/libceb.a
common_libceb_a_SOURCES = \
	common/csvio.c common/csvio.h \
	common/dec.c common/dec.h \
	common/diag.c common/diag.h \
	common/emit.c common/emit.h \
	common/i18n.h \
	common/input.c common/input.h \
	common/loop.c common/loop.h \
	common/mask.c common/mask.h \
	common/msg.c common/msg.h \
	common/state.c common/state.h \
	common/store.c common/store.h \
	common/stream.c common/stream.h

# Modules added by later issues are appended below, one line each.
common_libceb_a_SOURCES += common/shard.c common/shard.h
common_libceb_a_SOURCES += common/codetab.c common/codetab.h
common_libceb_a_SOURCES += common/ident.c common/ident.h
common_libceb_a_SOURCES += common/schema.c common/schema.h
common_libceb_a_SOURCES += common/keyidx.c common/keyidx.h
common_libceb_a_SOURCES += common/utf8.c common/utf8.h
common_libceb_a_SOURCES += common/fnv.h
common_libceb_a_SOURCES += common/policy.c common/policy.h
common_libceb_a_SOURCES += common/catalogue.c common/catalogue.h
EXTRA_DIST += common/catalogue-stream.def common/catalogue-schema.def \
	common/catalogue-validate.def common/catalogue-reconcile.def \
	common/catalogue-quota.def common/catalogue-writeoff.def \
	common/catalogue-sign.def common/catalogue-risk.def
common_libceb_a_SOURCES += common/origin.c common/origin.h
common_libceb_a_SOURCES += common/envelope.c common/envelope.h
common_libceb_a_SOURCES += common/outfile.c common/outfile.h
common_libceb_a_SOURCES += common/tax.c common/tax.h
common_libceb_a_SOURCES += common/dsig.c common/dsig.h
common_libceb_a_SOURCES += common/seal.c common/seal.h
common_libceb_a_SOURCES += common/sealtab.c common/sealtab.h
common_libceb_a_SOURCES += common/fastxsd.c common/fastxsd.h
common_libceb_a_SOURCES += common/fastwf.c common/fastwf.h
common_libceb_a_SOURCES += common/scan.c common/scan.h common/msrc.c common/msrc.h
