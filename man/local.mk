dist_man_MANS += man/ceb-cat.1 man/cebtools.7 man/ceb-stream.5 \
	man/cebtools-state.5
