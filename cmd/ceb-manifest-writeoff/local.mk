# ceb-manifest-writeoff: 舱单核销, export parcels against the carrier's manifest.
bin_PROGRAMS += ceb-manifest-writeoff
ceb_manifest_writeoff_SOURCES = \
	cmd/ceb-manifest-writeoff/ceb-manifest-writeoff.c \
	cmd/ceb-manifest-writeoff/wo.h \
	cmd/ceb-manifest-writeoff/table.c \
	cmd/ceb-manifest-writeoff/norm.c \
	cmd/ceb-manifest-writeoff/ceb.c \
	cmd/ceb-manifest-writeoff/mft-xml.c \
	cmd/ceb-manifest-writeoff/mft-csv.c \
	cmd/ceb-manifest-writeoff/engine.c \
	cmd/ceb-manifest-writeoff/summary.c \
	cmd/ceb-manifest-writeoff/wostate.c \
	cmd/ceb-manifest-writeoff/rules.c
