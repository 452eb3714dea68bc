/*
 * input.c: operands to sources, sources to bytes.  gzip is recognised by its
 * magic bytes (never by the file name) and inflated with zlib, member after
 * member, so that `cat a.gz b.gz` reads as one stream.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "i18n.h"
#include "input.h"

#define INPUT_BUFSZ (128 * 1024)

struct input {
	int fd;
	int gzip;		/* source is gzip */
	int eof;		/* no more compressed bytes */
	int failed;
	int member_done;	/* the last member ended cleanly */
	z_stream z;
	unsigned char *zbuf;	/* compressed bytes */
	unsigned long long raw;
	char err[256];
	/* bytes peeked for magic detection, handed out first when plain */
	unsigned char peek[2];
	size_t npeek, peekpos;
	unsigned long long serial;	/* input_serial() */
};

static int
list_push(struct input_list *lst, const char *path, const char *err)
{
	if (lst->n == lst->cap) {
		size_t cap = lst->cap ? lst->cap * 2 : 16;
		char **p = realloc(lst->paths, cap * sizeof *p);
		if (p == NULL)
			return -1;
		lst->paths = p;
		p = realloc(lst->errs, cap * sizeof *p);
		if (p == NULL)
			return -1;
		lst->errs = p;
		lst->cap = cap;
	}
	lst->paths[lst->n] = strdup(path);
	lst->errs[lst->n] = err ? strdup(err) : NULL;
	if (lst->paths[lst->n] == NULL || (err && lst->errs[lst->n] == NULL))
		return -1;
	lst->n++;
	return 0;
}

/* The names a directory contributes by default. */
static const char *const xml_suffixes[] = { ".xml", ".xml.gz", NULL };

static int
wanted_name(const char *name, const char *const *suffixes)
{
	size_t n = strlen(name), k;

	for (k = 0; suffixes[k]; k++) {
		size_t m = strlen(suffixes[k]);

		if (n > m && strcmp(name + n - m, suffixes[k]) == 0)
			return 1;
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The directories on the path from the operand down to here. */
struct dirstack {
	dev_t dev[64];
	ino_t ino[64];
	int n;
};

static int
walk(struct input_list *lst, const char *dir, struct dirstack *ds,
    const char *const *suffixes)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0;
	char msg[300];

	if ((d = opendir(dir)) == NULL) {
		snprintf(msg, sizeof msg, _("cannot read directory: %s"),
		    strerror(errno));
		return list_push(lst, dir, msg);
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **p = realloc(names, cap * sizeof *p);
			if (p == NULL) {
				rc = -1;
				goto out;
			}
			names = p;
		}
		if ((names[n] = strdup(e->d_name)) == NULL) {
			rc = -1;
			goto out;
		}
		n++;
	}
	if (n > 1)	/* an empty directory has no array at all */
		qsort(names, n, sizeof *names, cmp_str);
	for (i = 0; i < n && rc == 0; i++) {
		size_t len = strlen(dir) + strlen(names[i]) + 2;
		char *path = malloc(len);
		struct stat st;

		if (path == NULL) {
			rc = -1;
			break;
		}
		snprintf(path, len, "%s%s%s", dir,
		    dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
		if (stat(path, &st) != 0) {
			/* A dangling link or a vanished file: report it
			 * only if it looks like something we would read. */
			if (wanted_name(names[i], suffixes)) {
				snprintf(msg, sizeof msg, "%s", strerror(errno));
				rc = list_push(lst, path, msg);
			}
		} else if (S_ISDIR(st.st_mode)) {
			int k, loop = 0;

			for (k = 0; k < ds->n; k++)
				if (ds->dev[k] == st.st_dev &&
				    ds->ino[k] == st.st_ino)
					loop = 1;
			if (loop)
				rc = list_push(lst, path, _("directory loop "
				    "(a symbolic link leads back to a parent); "
				    "not followed"));
			else if (ds->n == 64)
				rc = list_push(lst, path,
				    _("directories nested too deeply"));
			else {
				ds->dev[ds->n] = st.st_dev;
				ds->ino[ds->n] = st.st_ino;
				ds->n++;
				rc = walk(lst, path, ds, suffixes);
				ds->n--;
			}
		} else if (S_ISREG(st.st_mode) &&
		    wanted_name(names[i], suffixes)) {
			rc = list_push(lst, path, NULL);
		}
		free(path);
	}
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

int
input_expand(struct input_list *lst, int argc, char *const argv[])
{
	return input_expand_suffixes(lst, argc, argv, xml_suffixes);
}

int
input_expand_suffixes(struct input_list *lst, int argc, char *const argv[],
    const char *const *suffixes)
{
	int i;

	if (argc == 0)
		return list_push(lst, "-", NULL);
	for (i = 0; i < argc; i++) {
		struct stat st;

		if (strcmp(argv[i], "-") != 0 && stat(argv[i], &st) == 0 &&
		    S_ISDIR(st.st_mode)) {
			struct dirstack ds;

			ds.n = 1;
			ds.dev[0] = st.st_dev;
			ds.ino[0] = st.st_ino;
			if (walk(lst, argv[i], &ds, suffixes) != 0)
				return -1;
		} else if (list_push(lst, argv[i], NULL) != 0)
			return -1;
	}
	return 0;
}

void
input_list_free(struct input_list *lst)
{
	size_t i;

	for (i = 0; i < lst->n; i++) {
		free(lst->paths[i]);
		free(lst->errs[i]);
	}
	free(lst->paths);
	free(lst->errs);
	memset(lst, 0, sizeof *lst);
}

const char *
input_display_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "stdin" : path;
}

static ssize_t
raw_read(struct input *in, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(in->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(in->err, sizeof in->err, _("read error: %s"),
		    strerror(errno));
		in->failed = 1;
		return -1;
	}
	in->raw += (unsigned long long)n;
	return n;
}

static unsigned long long inputs_opened;	/* input_serial() */

struct input *
input_open(const char *path, char *err, size_t errlen)
{
	struct input *in;
	struct stat st;
	ssize_t n;

	if ((in = calloc(1, sizeof *in)) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	in->serial = ++inputs_opened;
	if (strcmp(path, "-") == 0)
		in->fd = STDIN_FILENO;
	else if ((in->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		free(in);
		return NULL;
	}
	if (fstat(in->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s", strerror(EISDIR));
		input_close(in);
		return NULL;
	}
#ifdef HAVE_POSIX_FADVISE
	(void)posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	/* Peek at up to two bytes for the gzip magic. */
	while (in->npeek < 2) {
		n = raw_read(in, in->peek + in->npeek, 2 - in->npeek);
		if (n < 0) {
			snprintf(err, errlen, "%s", in->err);
			input_close(in);
			return NULL;
		}
		if (n == 0) {
			in->eof = 1;
			break;
		}
		in->npeek += (size_t)n;
	}
	if (in->npeek == 2 && in->peek[0] == 0x1f && in->peek[1] == 0x8b) {
		in->gzip = 1;
		if ((in->zbuf = malloc(INPUT_BUFSZ)) == NULL ||
		    inflateInit2(&in->z, 15 + 16) != Z_OK) {
			snprintf(err, errlen, "%s", strerror(ENOMEM));
			free(in->zbuf);
			in->zbuf = NULL;
			input_close(in);
			return NULL;
		}
		memcpy(in->zbuf, in->peek, 2);
		in->z.next_in = in->zbuf;
		in->z.avail_in = 2;
		in->npeek = 0;
	}
	return in;
}

/* Refill the compressed buffer; returns bytes available, 0 at EOF, -1. */
static ssize_t
fill(struct input *in)
{
	ssize_t n;

	if (in->z.avail_in > 0)
		return in->z.avail_in;
	if (in->eof)
		return 0;
	n = raw_read(in, in->zbuf, INPUT_BUFSZ);
	if (n < 0)
		return -1;
	if (n == 0) {
		in->eof = 1;
		return 0;
	}
	in->z.next_in = in->zbuf;
	in->z.avail_in = (uInt)n;
	return n;
}

static ssize_t
gz_read(struct input *in, void *buf, size_t len)
{
	in->z.next_out = buf;
	in->z.avail_out = (uInt)(len > (1u << 30) ? (1u << 30) : len);
	while (in->z.avail_out > 0) {
		ssize_t avail = fill(in);
		int zr;

		if (avail < 0)
			return -1;
		if (avail == 0) {
			if (!in->member_done) {
				snprintf(in->err, sizeof in->err,
				    _("truncated gzip data (the compressed "
				    "stream ends inside a member)"));
				in->failed = 1;
				return -1;
			}
			break;
		}
		if (in->member_done) {
			/* Another member follows, or padding. */
			if (in->z.next_in[0] == 0) {
				in->z.next_in++;
				in->z.avail_in--;
				continue;
			}
			if (inflateReset(&in->z) != Z_OK) {
				in->failed = 1;
				snprintf(in->err, sizeof in->err,
				    _("gzip: cannot reset decoder"));
				return -1;
			}
			in->member_done = 0;
		}
		zr = inflate(&in->z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END) {
			in->member_done = 1;
		} else if (zr == Z_BUF_ERROR) {
			continue;	/* needs more input */
		} else if (zr != Z_OK) {
			snprintf(in->err, sizeof in->err,
			    _("corrupt gzip data: %s"),
			    in->z.msg ? in->z.msg : "inflate error");
			in->failed = 1;
			return -1;
		}
	}
	return (ssize_t)(in->z.next_out - (Bytef *)buf);
}

ssize_t
input_read(struct input *in, void *buf, size_t len)
{
	if (in->failed)
		return -1;	/* an error found by an earlier call */
	if (len == 0)
		return 0;
	if (in->gzip) {
		ssize_t n = gz_read(in, buf, len);
		/*
		 * Bytes inflated before an error are handed out first; the
		 * error (kept in in->failed) is returned by the next call.
		 */
		if (n < 0 && in->z.next_out != (Bytef *)buf)
			n = in->z.next_out - (Bytef *)buf;
		return n;
	}
	if (in->peekpos < in->npeek) {
		size_t k = in->npeek - in->peekpos;
		ssize_t more = 0;

		if (k > len)
			k = len;
		memcpy(buf, in->peek + in->peekpos, k);
		in->peekpos += k;
		/* Go on reading so callers see a full first buffer. */
		if (k < len && !in->eof &&
		    (more = raw_read(in, (char *)buf + k, len - k)) < 0)
			more = 0;	/* the error recurs on the next call */
		if (more == 0 && k < len)
			in->eof = in->eof || !in->failed;
		return (ssize_t)k + more;
	}
	if (in->eof)
		return 0;
	return raw_read(in, buf, len);
}

const char *
input_error(const struct input *in)
{
	return in->err;
}

int
input_is_gzip(const struct input *in)
{
	return in->gzip;
}

int
input_fd(const struct input *in)
{
	return in->fd;
}

unsigned long long
input_serial(const struct input *in)
{
	return in->serial;
}

unsigned long long
input_raw_bytes(const struct input *in)
{
	return in->raw;
}

void
input_close(struct input *in)
{
	if (in == NULL)
		return;
	if (in->gzip) {
		inflateEnd(&in->z);
		free(in->zbuf);
	}
	if (in->fd > STDIN_FILENO)
		close(in->fd);
	free(in);
}
