/*
 * outfile.c: files created safely (outfile.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "outfile.h"

struct outfile {
	FILE *f;
	int dfd;		/* the directory, -1 for stdout */
	int direct;		/* written in place: not a regular file */
	int nosync;		/* outfile_nosync(): renamed without fsync */
	char *base;		/* the file's name in it */
	char tmp[64];		/* the temporary file's */
};

/* A name no one can guess: ".<prefix>.<16 hex digits>". */
static void
random_name(char *buf, size_t n, const char *prefix)
{
	unsigned char r[8];
	size_t i;

	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		for (i = 0; i < sizeof r; i++)	/* no entropy: still unique */
			r[i] = (unsigned char)(rand() ^ getpid() >> (i % 4));
	snprintf(buf, n, ".%.24s.%02x%02x%02x%02x%02x%02x%02x%02x", prefix,
	    r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
}

struct outfile *
outfile_open(const char *path, mode_t mode, char *err, size_t n)
{
	struct outfile *o = calloc(1, sizeof *o);
	char *dcopy = NULL, *bcopy = NULL;
	struct stat st;
	int fd = -1, tries;

	if (o == NULL) {
		snprintf(err, n, "%s", strerror(ENOMEM));
		return NULL;
	}
	o->dfd = -1;
	if (strcmp(path, "-") == 0) {
		o->f = stdout;
		return o;
	}
	if ((dcopy = strdup(path)) == NULL || (bcopy = strdup(path)) == NULL ||
	    (o->base = strdup(basename(bcopy))) == NULL) {
		snprintf(err, n, "%s", strerror(ENOMEM));
		goto fail;
	}
	if (*o->base == '\0' || strcmp(o->base, ".") == 0 ||
	    strcmp(o->base, "..") == 0 || path[strlen(path) - 1] == '/') {
		snprintf(err, n, _("%s: not a file name"), path);
		goto fail;
	}
	if ((o->dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0) {
		snprintf(err, n, _("%s: cannot open its directory: %s"), path,
		    strerror(errno));
		goto fail;
	}
	if (fstatat(o->dfd, o->base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode)) {
			snprintf(err, n, _("%s: a symbolic link: refused"),
			    path);
			goto fail;
		}
		if (!S_ISREG(st.st_mode)) {
			/* A device or a pipe (/dev/null): written as it is,
			 * never replaced. */
			if ((fd = openat(o->dfd, o->base, O_WRONLY |
			    O_NOFOLLOW | O_CLOEXEC)) < 0 ||
			    (o->f = fdopen(fd, "w")) == NULL) {
				snprintf(err, n, "%s: %s", path,
				    strerror(errno));
				if (fd >= 0)
					close(fd);
				goto fail;
			}
			o->direct = 1;
			free(dcopy);
			free(bcopy);
			return o;
		}
	}
	for (tries = 0; tries < 100 && fd < 0; tries++) {
		random_name(o->tmp, sizeof o->tmp, o->base);
		fd = openat(o->dfd, o->tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		snprintf(err, n, _("%s: cannot create a file beside it: %s"),
		    path, strerror(errno));
		goto fail;
	}
	(void)fchmod(fd, mode);		/* whatever the umask */
	if ((o->f = fdopen(fd, "w")) == NULL) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		close(fd);
		(void)unlinkat(o->dfd, o->tmp, 0);
		goto fail;
	}
	free(dcopy);
	free(bcopy);
	return o;
fail:
	free(dcopy);
	free(bcopy);
	if (o->dfd >= 0)
		close(o->dfd);
	free(o->base);
	free(o);
	return NULL;
}

FILE *
outfile_stream(struct outfile *o)
{
	return o->f;
}

static void
outfile_free(struct outfile *o)
{
	if (o->dfd >= 0)
		close(o->dfd);
	free(o->base);
	free(o);
}

int
outfile_commit(struct outfile *o, char *err, size_t n)
{
	int r = 0;

	if (o->dfd < 0 || o->direct) {
		if (fflush(o->f) != 0 || ferror(o->f)) {
			snprintf(err, n, "%s", strerror(errno ? errno : EIO));
			r = -1;
		}
		if (o->direct && fclose(o->f) != 0 && r == 0) {
			snprintf(err, n, "%s", strerror(errno));
			r = -1;
		}
		outfile_free(o);
		return r;
	}
	if (fflush(o->f) != 0 || ferror(o->f) ||
	    (!o->nosync && fsync(fileno(o->f)) != 0)) {
		snprintf(err, n, _("%s: write error: %s"), o->base,
		    strerror(errno ? errno : EIO));
		r = -1;
	}
	if (fclose(o->f) != 0 && r == 0) {
		snprintf(err, n, _("%s: write error: %s"), o->base,
		    strerror(errno));
		r = -1;
	}
	if (r == 0 && renameat(o->dfd, o->tmp, o->dfd, o->base) != 0) {
		snprintf(err, n, _("%s: cannot rename the new file into "
		    "place: %s"), o->base, strerror(errno));
		r = -1;
	}
	if (r != 0)
		(void)unlinkat(o->dfd, o->tmp, 0);
	else if (!o->nosync)
		(void)fsync(o->dfd);
	outfile_free(o);
	return r;
}

void
outfile_nosync(struct outfile *o)
{
	o->nosync = 1;
}

int
outfile_publish_now(struct outfile *o, char *err, size_t n)
{
	if (o->dfd < 0 || o->direct) {
		if (fflush(o->f) == 0 && !ferror(o->f))
			return 0;
		snprintf(err, n, "%s", strerror(errno ? errno : EIO));
		return -1;
	}
	if (fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0) {
		snprintf(err, n, _("%s: write error: %s"), o->base,
		    strerror(errno ? errno : EIO));
		return -1;
	}
	if (renameat(o->dfd, o->tmp, o->dfd, o->base) != 0) {
		snprintf(err, n, _("%s: cannot rename the new file into "
		    "place: %s"), o->base, strerror(errno));
		return -1;
	}
	(void)fsync(o->dfd);
	o->direct = 1;		/* in place from now on */
	return 0;
}

void
outfile_abort(struct outfile *o)
{
	if (o->dfd >= 0) {
		fclose(o->f);
		if (!o->direct)
			(void)unlinkat(o->dfd, o->tmp, 0);
	}
	outfile_free(o);
}

int
outfile_dir(const char *path, char *err, size_t n)
{
	struct stat st;
	int fd;

	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		snprintf(err, n, _("%s: cannot create the directory: %s"),
		    path, strerror(errno));
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0) {
		snprintf(err, n, errno == ELOOP || errno == ENOTDIR ?
		    _("%s: not a directory (or a symbolic link to one)") :
		    "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (outfile_dir_check(fd, path, err, n) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int allow_shared;

void
outfile_allow_shared(int allow)
{
	allow_shared = allow;
}

int
outfile_shared_allowed(void)
{
	return allow_shared;
}

int
outfile_dir_check(int dfd, const char *path, char *err, size_t n)
{
	struct stat st;

	if (allow_shared)
		return 0;
	if (fstat(dfd, &st) != 0) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((st.st_mode & (S_IWOTH | S_IWGRP)) && !(st.st_mode & S_ISVTX)) {
		snprintf(err, n, _("%s: others can write into this directory "
		    "(%s): refused (--allow-shared-dir)"), path,
		    st.st_mode & S_IWOTH ? _("every user") : _("its group"));
		return -1;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		snprintf(err, n, _("%s: this directory belongs to another user "
		    "(uid %lu): refused (--allow-shared-dir)"), path,
		    (unsigned long)st.st_uid);
		return -1;
	}
	return 0;
}

int
outfile_parent_check(const char *path, char *err, size_t n)
{
	char *copy = strdup(path), *dir;
	int fd, r;

	if (copy == NULL) {
		snprintf(err, n, "%s", strerror(ENOMEM));
		return -1;
	}
	dir = dirname(copy);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, n, _("%s: cannot open its directory: %s"), path,
		    strerror(errno));
		free(copy);
		return -1;
	}
	r = outfile_dir_check(fd, dir, err, n);
	close(fd);
	free(copy);
	return r;
}

mode_t
outfile_mode(int personal)
{
	static mode_t mask = (mode_t)-1;

	if (personal)
		return 0600;
	if (mask == (mode_t)-1) {
		mask = umask(022);
		umask(mask);
	}
	return (0666 & ~mask) & 0644;
}

FILE *
outfile_new(int dfd, const char *name, const char *ext, mode_t mode,
    char *used, size_t n)
{
	FILE *f;
	int fd, i;

	for (i = 1; i <= 10000; i++) {
		if (i == 1)
			snprintf(used, n, "%s%s", name, ext);
		else
			snprintf(used, n, "%s-%d%s", name, i, ext);
		fd = openat(dfd, used, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0)
			break;
		if (errno != EEXIST)
			return NULL;
	}
	if (fd < 0)
		return NULL;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		(void)unlinkat(dfd, used, 0);
	}
	return f;
}

FILE *
outfile_tmp(int dfd, const char *prefix, mode_t mode, char *name, size_t n)
{
	FILE *f;
	int fd = -1, tries;

	for (tries = 0; tries < 100 && fd < 0; tries++) {
		random_name(name, n, prefix);
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd < 0 && errno != EEXIST)
			return NULL;
	}
	if (fd < 0)
		return NULL;
	(void)fchmod(fd, mode);
	if ((f = fdopen(fd, "w")) == NULL) {
		int e = errno;

		close(fd);
		(void)unlinkat(dfd, name, 0);
		errno = e;
	}
	return f;
}

int
outfile_publish(int dfd, const char *tmp, const char *name)
{
#ifdef RENAME_NOREPLACE
	if (renameat2(dfd, tmp, dfd, name, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
#endif
	if (linkat(dfd, tmp, dfd, name, 0) != 0)
		return -1;
	(void)unlinkat(dfd, tmp, 0);
	return 0;
}
