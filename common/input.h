/*
 * input.h: where bytes come from.  Operands are expanded into a list of
 * sources (files; directories searched for *.xml and *.xml.gz in a stable
 * sorted order; "-" or no operand for stdin), and each source is opened as a
 * byte reader that undoes gzip compression, detected by its magic bytes,
 * reading concatenated gzip members through.
 *
 * Library code: nothing here prints or exits; errors come back as a status
 * and a message in the caller's buffer.
 */
#ifndef CEB_INPUT_H
#define CEB_INPUT_H

#include <stddef.h>
#include <sys/types.h>

/*
 * A list of source paths, owned by the list.  "-" stands for stdin.  errs[i]
 * is NULL, or a message saying why paths[i] cannot be read (found while
 * expanding: an unreadable directory, a symbolic-link loop); the caller
 * reports it when it reaches that source, so that diagnostics stay in input
 * order.
 */
struct input_list {
	char **paths;
	char **errs;
	size_t n, cap;
};

/*
 * Expand the operands into lst (appending).  A directory contributes every
 * regular file named *.xml or *.xml.gz below it, sorted by name at each level (so
 * the order is stable); symbolic links are followed, and a link that leads
 * back into a directory being searched is recorded as an error, not
 * followed.  With argc 0 the list is {"-"}.  Operands that
 * cannot be examined are still appended, so that opening them reports the
 * error in input order.  Returns 0, or -1 on allocation failure.
 */
int input_expand(struct input_list *lst, int argc, char *const argv[]);
/*
 * The same, with the names a directory contributes given as a list of
 * suffixes (NULL-terminated, e.g. ".csv", ".csv.gz") instead of *.xml and
 * *.xml.gz.
 */
int input_expand_suffixes(struct input_list *lst, int argc,
    char *const argv[], const char *const *suffixes);
void input_list_free(struct input_list *lst);

struct input;

/*
 * Open path ("-" = stdin) for reading.  Returns NULL and writes a message to
 * err on failure.
 */
struct input *input_open(const char *path, char *err, size_t errlen);

/*
 * Read up to len decompressed bytes into buf.  Returns the count, 0 at the
 * end, -1 on error (a read error, a corrupt or truncated gzip member), with
 * a message available from input_error().  Once an error is returned every
 * later call returns -1.
 */
ssize_t input_read(struct input *in, void *buf, size_t len);
const char *input_error(const struct input *in);

/* Nonzero when the source was recognised as gzip. */
int input_is_gzip(const struct input *in);

/* The file descriptor it reads (owned by in: dup() it to keep it). */
int input_fd(const struct input *in);

/* A number no other input of the process had (1, 2, ... in the order
 * they were opened): what tells two inputs apart when one was freed and
 * the next took its memory. */
unsigned long long input_serial(const struct input *in);

/* Compressed bytes read so far (for progress and benchmarks). */
unsigned long long input_raw_bytes(const struct input *in);

void input_close(struct input *in);

/* Display name of a path: "stdin" for "-", the path otherwise. */
const char *input_display_name(const char *path);

#endif
