# ceb-sign: XML-DSig signatures with a software key (common/dsig.h).
bin_PROGRAMS += ceb-sign
ceb_sign_SOURCES = cmd/ceb-sign/ceb-sign.c
dist_man_MANS += man/ceb-sign.1
