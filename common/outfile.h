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

/*
 * outfile_commit() renames o into place without syncing it first: for a
 * file that can be made again (a generator's thousands of messages),
 * where a crash may leave the old file or the new one unwritten.
 */
void outfile_nosync(struct outfile *o);

/*
 * Flush, sync and rename the new file over the path now, and keep
 * writing to it (a tool's report before its state commits: a run killed
 * after the commit has left its whole report).  outfile_commit() then
 * only flushes and closes.  Returns 0, or -1 with a message in err.
 */
int outfile_publish_now(struct outfile *o, char *err, size_t n);

/* Give up: remove the temporary file, leave path alone; frees o. */
void outfile_abort(struct outfile *o);

/*
 * Open directory path, creating it (mode 0777 less the umask) when it is
 * missing.  Returns its descriptor, or -1 with a message in err: not a
 * directory, a symbolic link, or shared (outfile_dir_check()).
 */
int outfile_dir(const char *path, char *err, size_t n);

/*
 * Whether the directory open as dfd (named path in messages) may hold
 * files a tool creates: 0, or -1 with the reason in err when it is
 * writable by its group or by others without the sticky bit, or owned by
 * another user than the one running (root's directories are trusted):
 * another user could plant or replace names in it
 * (docs/security.md).  Always 0 after outfile_allow_shared(1).
 */
int outfile_dir_check(int dfd, const char *path, char *err, size_t n);

/* Same for the directory that holds file path (its dirname). */
int outfile_parent_check(const char *path, char *err, size_t n);

/* --allow-shared-dir: accept shared directories (outfile_dir_check()). */
void outfile_allow_shared(int allow);
int outfile_shared_allowed(void);

/*
 * The mode for a new file: 0600 when it holds personal data not masked,
 * else 0666 less the umask, and never more open than 0644.
 */
mode_t outfile_mode(int personal);

/*
 * Create a file new in directory dfd, under name, else name-2, name-3 ...
 * before its extension ext (e.g. ".xml"); the name actually used goes
 * to used (n bytes).  Returns the stream, or NULL with errno set.
 */
FILE *outfile_new(int dfd, const char *name, const char *ext, mode_t mode,
    char *used, size_t n);

/*
 * Create a new file of a random name (".prefix.XXXXXXXXXXXXXXXX") in
 * directory dfd, O_EXCL and never through a symbolic link; its name goes
 * to name (n bytes, 64 is enough).  Returns the stream, or NULL with
 * errno set.
 */
FILE *outfile_tmp(int dfd, const char *prefix, mode_t mode, char *name,
    size_t n);

/*
 * Give the file tmp in dfd the name name, never replacing what is there
 * (renameat2 RENAME_NOREPLACE, else link and unlink).  Returns 0, or -1
 * with errno set (EEXIST: name is taken; tmp is left as it is).
 */
int outfile_publish(int dfd, const char *tmp, const char *name);

#endif
