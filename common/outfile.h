/*
 * outfile.h: files a tool writes, created as if every path were hostile
 * (DESIGN.md, "Files the tools write"): relative to a directory
 * descriptor, never following a symbolic link, never under a name that
 * can be guessed in advance, never over a file that is there.
 *
 *   outfile_open()     -o FILE: written to a new file of a random name in
 *                      FILE's directory, renamed over FILE at the end
 *                      (outfile_commit()), so that a reader of FILE sees
 *                      the old file or the whole new one; a FILE that is
 *                      there and not a regular file (/dev/null, a pipe)
 *                      is written as it is, never replaced, and a
 *                      symbolic link is refused;
 *   outfile_dir() and outfile_new()   --split DIR: each file created new
 *                      in DIR (O_EXCL), another name taken when one is
 *                      there already.
 *
 * Library code: nothing here prints or exits; errors come back in err.
 */
#ifndef CEB_OUTFILE_H
#define CEB_OUTFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct outfile;

/*
 * Start writing path ("-": stdout, written directly).  Returns NULL with
 * a message in err when the directory cannot be opened or no temporary
 * file can be made in it.
 */
struct outfile *outfile_open(const char *path, mode_t mode, char *err,
    size_t n);

/* Where to write. */
FILE *outfile_stream(struct outfile *o);

/*
 * Flush, sync and rename the new file over the path (stdout: flush
 * only).  Returns 0, or -1 with a message in err; the temporary file is
 * removed then.  o is freed in both cases.
 */
int outfile_commit(struct outfile *o, char *err, size_t n);

/* Give up: remove the temporary file, leave path alone; frees o. */
void outfile_abort(struct outfile *o);

/*
 * Open directory path, creating it (mode 0777 less the umask) when it is
 * missing.  Returns its descriptor, or -1 with a message in err: not a
 * directory, a symbolic link, or writable by others (unless the sticky
 * bit keeps their files theirs) -- another user could plant names there.
 */
int outfile_dir(const char *path, char *err, size_t n);

/*
 * Create a file new in directory dfd, under name, else name-2, name-3 ...
 * before its extension ext (e.g. ".xml"); the name actually used goes
 * to used (n bytes).  Returns the stream, or NULL with errno set.
 */
FILE *outfile_new(int dfd, const char *name, const char *ext, mode_t mode,
    char *used, size_t n);

#endif
