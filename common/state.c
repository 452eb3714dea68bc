/*
 * state.c: atomic replacement of files a tool writes (the write-off's
 * summaries, ceb-validate's receipts) and the directories they go in.
 * The state that outlives a run is in the SQLite store (store.h), whose
 * lock replaced the lock files that were here.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/random.h>

#include <zlib.h>

#include "i18n.h"
#include "outfile.h"
#include "state.h"

struct state_out {
	char *path;
	char *tmp;
	int fd;
	gzFile gz;
	FILE *f;
	int werr;
};

static ssize_t
gz_cookie_write(void *c, const char *buf, size_t len)
{
	struct state_out *o = c;

	if (len == 0)
		return 0;
	if (gzwrite(o->gz, buf, (unsigned)len) != (int)len) {
		o->werr = errno ? errno : EIO;
		errno = o->werr;
		return -1;
	}
	return (ssize_t)len;
}

static int
gz_cookie_close(void *c)
{
	struct state_out *o = c;
	int r = gzclose(o->gz);

	o->gz = NULL;
	if (r != Z_OK) {
		o->werr = errno ? errno : EIO;
		return -1;
	}
	return 0;
}

struct state_out *
state_create(const char *path, int gzip, mode_t mode, char *err, size_t n)
{
	struct state_out *o = calloc(1, sizeof *o);
	size_t len = strlen(path) + 48;
	unsigned char rnd[8];
	int tries;

	if (o == NULL || (o->path = strdup(path)) == NULL ||
	    (o->tmp = malloc(len)) == NULL) {
		snprintf(err, n, "%s", strerror(ENOMEM));
		goto fail;
	}
	/* A new file of a name no one can guess, never through a link
	 * (docs/security.md); ".tmp." keeps the tools' sweeps finding it. */
	o->fd = -1;
	for (tries = 0; tries < 100 && o->fd < 0; tries++) {
		if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
			memset(rnd, tries, sizeof rnd);
		snprintf(o->tmp, len, "%s.tmp.%ld.%02x%02x%02x%02x%02x%02x%02x"
		    "%02x", path, (long)getpid(), rnd[0], rnd[1], rnd[2],
		    rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
		o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, mode);
		if (o->fd < 0 && errno != EEXIST)
			break;
	}
	if (o->fd < 0) {
		snprintf(err, n, _("cannot create %s: %s"), o->tmp,
		    strerror(errno));
		goto fail;
	}
	/* Whatever the umask for state (0600); never more open than the
	 * umask and 0644 for what operators read (CEB701 drafts). */
	(void)fchmod(o->fd, mode & outfile_mode(0));
	if (gzip) {
		cookie_io_functions_t io = { NULL, gz_cookie_write, NULL,
		    gz_cookie_close };
		int dupfd = dup(o->fd);

		if (dupfd < 0 || (o->gz = gzdopen(dupfd, "wb6")) == NULL) {
			if (dupfd >= 0)
				close(dupfd);
			snprintf(err, n, "%s", strerror(ENOMEM));
			goto fail_unlink;
		}
		o->f = fopencookie(o, "w", io);
	} else {
		int dupfd = dup(o->fd);
		o->f = dupfd >= 0 ? fdopen(dupfd, "w") : NULL;
	}
	if (o->f == NULL) {
		snprintf(err, n, "%s", strerror(errno));
		goto fail_unlink;
	}
	return o;
fail_unlink:
	if (o->gz)
		gzclose(o->gz);
	unlink(o->tmp);
	close(o->fd);
fail:
	if (o) {
		free(o->path);
		free(o->tmp);
		free(o);
	}
	return NULL;
}

FILE *
state_file(struct state_out *o)
{
	return o->f;
}

static void
free_out(struct state_out *o)
{
	free(o->path);
	free(o->tmp);
	free(o);
}

int
state_commit(struct state_out *o, char *err, size_t n)
{
	char *dircopy;
	int dfd, bad = 0;

	if (fflush(o->f) != 0 || ferror(o->f))
		bad = errno ? errno : EIO;
	if (fclose(o->f) != 0 && !bad)
		bad = errno ? errno : EIO;
	o->f = NULL;
	if (o->werr && !bad)
		bad = o->werr;
	if (!bad && fsync(o->fd) != 0)
		bad = errno;
	if (close(o->fd) != 0 && !bad)
		bad = errno;
	if (!bad && rename(o->tmp, o->path) != 0)
		bad = errno;
	if (bad) {
		snprintf(err, n, _("cannot write %s: %s"), o->path,
		    strerror(bad));
		unlink(o->tmp);
		free_out(o);
		return -1;
	}
	/* Make the rename itself durable. */
	if ((dircopy = strdup(o->path)) != NULL) {
		if ((dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
		free(dircopy);
	}
	free_out(o);
	return 0;
}

void
state_abort(struct state_out *o)
{
	if (o == NULL)
		return;
	if (o->f)
		fclose(o->f);
	close(o->fd);
	unlink(o->tmp);
	free_out(o);
}

int
state_is_gzip(const char *path)
{
	unsigned char m[2];
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return 0;
	if (read(fd, m, 2) == 2 && m[0] == 0x1f && m[1] == 0x8b)
		r = 1;
	close(fd);
	return r;
}

int
state_mkdir(const char *path, char *err, size_t n)
{
	char *p = strdup(path), *s;

	if (p == NULL) {
		snprintf(err, n, "%s", strerror(ENOMEM));
		return -1;
	}
	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0700) != 0 && errno != EEXIST) {
				snprintf(err, n, _("cannot create %s: %s"), p,
				    strerror(errno));
				free(p);
				return -1;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return 0;
}
