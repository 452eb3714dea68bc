bin_PROGRAMS += ceb-cat
ceb_cat_SOURCES = cmd/ceb-cat/ceb-cat.c
