/*
 * state.h: files a tool writes whole and replaces atomically (the
 * write-off's draft summaries, ceb-validate's receipts; the SQLite store,
 * store.h, keeps the state that outlives a run):
 *  - a new file is written to a temporary file in the same directory,
 *    flushed to disk (fsync), then renamed over the old one, and the
 *    directory is synced: a run killed at any instant leaves either the
 *    old file or the new one, never a mix;
 *  - files are written with mode 0600 by default (they may hold personal
 *    data), optionally gzip-compressed.
 * Library code: nothing here prints or exits.
 */
#ifndef CEB_STATE_H
#define CEB_STATE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct state_out;

/*
 * Start writing a new version of path: a temporary file in the same
 * directory, gzip-compressed when gzip is nonzero, with the given mode.
 * Returns NULL with a message in err.
 */
struct state_out *state_create(const char *path, int gzip, mode_t mode,
    char *err, size_t n);

/* The stream to write the new contents to (e.g. with csvio_write_row()). */
FILE *state_file(struct state_out *o);

/*
 * Flush, sync and rename the new file over path, then sync the directory.
 * Returns 0, or -1 with a message in err (the old file is then intact and
 * the temporary file removed).  o is freed in both cases.
 */
int state_commit(struct state_out *o, char *err, size_t n);

/* Give up: remove the temporary file, leave path as it was; frees o. */
void state_abort(struct state_out *o);

/* Nonzero when the file at path starts with the gzip magic bytes. */
int state_is_gzip(const char *path);

/* Create directory path (and parents) with mode 0700 if missing. */
int state_mkdir(const char *path, char *err, size_t n);

#endif
