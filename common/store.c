/*
 * store.c: the SQLite store of the stateful tools (store.h has the
 * contract).  The run lock is an open-file-description lock (F_OFD_SETLK)
 * on one byte of the database file, far past the bytes SQLite locks
 * itself (0x40000000 .. 0x400001ff), on a descriptor of our own.  Not a
 * POSIX (process) lock: SQLite releases every POSIX lock of the process
 * on the file (F_UNLCK of the whole range) each time it unlocks, and
 * closing any descriptor of the file would drop them too.  An OFD lock
 * does not tell its holder's pid, so the holder also read-locks the byte
 * STORE_RUN_LOCK + 1 + its pid: a waiter's F_OFD_GETLK over that span
 * returns the conflicting lock, whose offset names the holder.  No file
 * beside the database takes part, so removing one cannot break the
 * exclusion.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "i18n.h"
#include "input.h"
#include "outfile.h"
#include "store.h"
#include "stream.h"

#define NCACHE 64

struct store {
	sqlite3 *db;
	int fd;			/* holds the run lock */
	dev_t dev;
	ino_t ino;
	char *path;
	int intx;
	int night_docs;		/* temp.night_docs made (store_document_later) */
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[NCACHE];
	int ncache;
	char msg[512];
};

static void
setmsg(struct store *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->msg, sizeof s->msg, fmt, ap);
	va_end(ap);
}

static void
dbmsg(struct store *s, const char *what)
{
	setmsg(s, "%s: %s", what, sqlite3_errmsg(s->db));
}

const char *
store_errmsg(const struct store *s)
{
	return s->msg;
}

sqlite3 *
store_db(struct store *s)
{
	return s->db;
}

int
store_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int
store_parse_timeout(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno != 0 || !(v >= 0) ||
	    v > 86400.0 * 7)
		return -1;
	*out = v;
	return 0;
}

double
store_lock_timeout(void)
{
	const char *e = getenv("CEBTOOLS_LOCK_TIMEOUT");
	double v;

	if (e != NULL && store_parse_timeout(e, &v) == 0)
		return v;
	return STORE_LOCK_TIMEOUT;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* An open-file-description lock (F_OFD_*) on len bytes at start. */
static int
ofd(int fd, int cmd, short type, int64_t start, int64_t len,
    struct flock *fl)
{
	memset(fl, 0, sizeof *fl);
	fl->l_type = type;
	fl->l_whence = SEEK_SET;
	fl->l_start = (off_t)start;
	fl->l_len = (off_t)len;
	return fcntl(fd, cmd, fl);
}

/*
 * Take the run lock on s->fd, polling every 20 ms for at most timeout
 * seconds, then name ourselves: a read lock on the byte STORE_RUN_LOCK +
 * 1 + pid.  Returns STORE_OK, STORE_BUSY (message names the holder) or
 * STORE_ERR.
 */
static enum store_status
run_lock(struct store *s, double timeout)
{
	double start = now_s();
	struct flock fl;

	for (;;) {
		if (ofd(s->fd, F_OFD_SETLK, F_WRLCK, STORE_RUN_LOCK, 1,
		    &fl) == 0)
			break;
		if (errno != EAGAIN && errno != EACCES && errno != EINTR) {
			setmsg(s, _("cannot lock: %s"),
			    strerror(errno));
			return STORE_ERR;
		}
		if (now_s() - start >= timeout) {
			if (ofd(s->fd, F_OFD_GETLK, F_WRLCK,
			    STORE_RUN_LOCK + 1, STORE_PID_SPAN, &fl) == 0 &&
			    fl.l_type != F_UNLCK)
				setmsg(s, _("in use by process %lld "
				    "(waited %g s; see --lock-timeout)"),
				    (long long)(fl.l_start -
				    STORE_RUN_LOCK - 1), timeout);
			else
				setmsg(s, _("in use by another run "
				    "(waited %g s; see --lock-timeout)"),
				    timeout);
			return STORE_BUSY;
		}
		{
			struct timespec d = { 0, 20 * 1000 * 1000 };

			nanosleep(&d, NULL);
		}
	}
	if (ofd(s->fd, F_OFD_SETLK, F_RDLCK, STORE_RUN_LOCK + 1 +
	    (int64_t)getpid(), 1, &fl) != 0) {
		setmsg(s, _("cannot lock: %s"), strerror(errno));
		return STORE_ERR;
	}
	return STORE_OK;
}

/* Whether s->path still names the file we locked (open_locked). */
static int
still_locked_file(const struct store *s)
{
	struct stat st;

	return lstat(s->path, &st) == 0 && st.st_dev == s->dev &&
	    st.st_ino == s->ino;
}

static const char *
replaced_msg(void)
{
	return _("removed or replaced during the run; nothing committed");
}

/*
 * Open path without following a symlink, take the lock, and make sure
 * the file locked is still the one the path names (another run may have
 * replaced it while we waited).
 */
static enum store_status
open_locked(struct store *s, int readonly, double timeout)
{
	struct stat a, b;
	enum store_status rc;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		s->fd = open(s->path, (readonly ? O_RDONLY : O_RDWR | O_CREAT) |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (s->fd < 0) {
			setmsg(s, _("cannot open: %s"),
			    errno == ELOOP ? "a symbolic link (refused)" :
			    strerror(errno));
			return STORE_ERR;
		}
		if (fstat(s->fd, &a) != 0 || !S_ISREG(a.st_mode)) {
			setmsg(s, _("not a regular file"));
			return STORE_ERR;
		}
		if (!readonly && a.st_uid != geteuid() && a.st_uid != 0 &&
		    !outfile_shared_allowed()) {
			setmsg(s, _("belongs to another user (uid %lu): refused "
			    "(--allow-shared-dir)"), (unsigned long)a.st_uid);
			return STORE_ERR;
		}
		if (readonly)
			rc = STORE_OK;
		else if ((rc = run_lock(s, timeout)) != STORE_OK)
			return rc;
		if (lstat(s->path, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino) {
			s->dev = a.st_dev;
			s->ino = a.st_ino;
			return STORE_OK;
		}
		close(s->fd);
		s->fd = -1;
	}
	setmsg(s, _("keeps being replaced"));
	return STORE_ERR;
}

int
store_exec(struct store *s, const char *sql)
{
	char *e = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &e) != SQLITE_OK) {
		setmsg(s, "%s", e ? e : sqlite3_errmsg(s->db));
		sqlite3_free(e);
		return -1;
	}
	return 0;
}

long long
store_int(struct store *s, const char *sql, long long def)
{
	sqlite3_stmt *st;
	long long v = def;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		dbmsg(s, "prepare");
		return -1;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE) {
		dbmsg(s, "query");
		v = -1;
	}
	sqlite3_finalize(st);
	return v;
}

/* PRAGMA quick_check must answer one row, "ok". */
static int
quick_check(struct store *s)
{
	sqlite3_stmt *st;
	int rc, ok = 0;

	if (sqlite3_prepare_v2(s->db, "PRAGMA quick_check", -1, &st, NULL) !=
	    SQLITE_OK) {
		dbmsg(s, "cannot read the store");
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		if (t && strcmp(t, "ok") == 0 && ok == 0)
			ok = 1;
		else {
			char *p;

			setmsg(s, _("the store fails its consistency check "
			    "(damaged or edited): %s"), t ? t : "?");
			for (p = s->msg; *p; p++)
				if (*p == '\n' || *p == '\r' || *p == '\t')
					*p = ' ';
			ok = -1;
			break;
		}
	}
	if (ok == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
		dbmsg(s, "the store cannot be checked");
	sqlite3_finalize(st);
	return ok == 1 ? 0 : -1;
}

/*
 * Whether store_open() checks the whole file (quick_check): always when
 * read-only (a query, a listing, --check), and for a run when the store
 * is at most STORE_WHOLE_CHECK_MAX bytes.  quick_check reads every page,
 * so on a large store it would make each night cost as much as the
 * history: there a run relies on SQLite's check of every page it reads
 * (a damaged one is SQLITE_CORRUPT, trouble, the transaction rolled
 * back) and the whole file is checked by the read-only opens.
 */
static int
whole_check(struct store *s, int readonly)
{
	long long pages, size;

	if (readonly)
		return 1;
	pages = store_int(s, "PRAGMA page_count", -1);
	size = store_int(s, "PRAGMA page_size", -1);
	return pages < 0 || size <= 0 || pages <= STORE_WHOLE_CHECK_MAX / size;
}

/* Bring the schema up to date (or check it, read-only). */
static int
migrate(struct store *s, const struct store_schema *sc, int readonly)
{
	long long v = store_int(s, "PRAGMA user_version", 0), m = 0, i;
	char sql[160];
	sqlite3_stmt *st;

	if (v < 0)
		return -1;
	while (sc->migrations[m] != NULL)
		m++;
	if (v > m) {
		setmsg(s, _("the store has schema version %lld; this %s knows "
		    "versions up to %lld (written by a newer release?)"), v,
		    sc->tool, m);
		return -1;
	}
	if (v > 0) {
		/* Whose store is it? */
		if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE "
		    "key = 'tool'", -1, &st, NULL) != SQLITE_OK) {
			dbmsg(s, "not a cebtools store");
			return -1;
		}
		if (sqlite3_step(st) != SQLITE_ROW ||
		    strcmp((const char *)sqlite3_column_text(st, 0),
		    sc->tool) != 0) {
			setmsg(s, _("not a store of %s"), sc->tool);
			sqlite3_finalize(st);
			return -1;
		}
		sqlite3_finalize(st);
	}
	if (v == m)
		return 0;
	if (readonly) {
		setmsg(s, _("the store has schema version %lld, not %lld: run "
		    "%s on it once to bring it up to date"), v, m, sc->tool);
		return -1;
	}
	if (store_exec(s, "BEGIN IMMEDIATE") != 0)
		return -1;
	for (i = v; i < m; i++)
		if (store_exec(s, sc->migrations[i]) != 0)
			goto fail;
	if (v == 0) {
		if (sqlite3_prepare_v2(s->db, "INSERT INTO meta(key, value) "
		    "VALUES ('tool', ?1)", -1, &st, NULL) != SQLITE_OK)
			goto fail;
		sqlite3_bind_text(st, 1, sc->tool, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			goto fail;
		}
		sqlite3_finalize(st);
	}
	snprintf(sql, sizeof sql, "PRAGMA user_version = %lld", m);
	if (store_exec(s, sql) != 0 || store_exec(s, "COMMIT") != 0)
		goto fail;
	return 0;
fail:
	{
		char keep[sizeof s->msg];

		memcpy(keep, s->msg, sizeof keep);
		if (keep[0] == '\0')
			snprintf(keep, sizeof keep, "%s",
			    sqlite3_errmsg(s->db));
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		snprintf(s->msg, sizeof s->msg, "cannot set up the store: %s",
		    keep);
	}
	return -1;
}

enum store_status
store_open(struct store **sp, const char *path,
    const struct store_schema *schema, int readonly, double timeout,
    char *err, size_t n)
{
	static int configured;
	struct store *s;
	enum store_status rc = STORE_ERR;
	int flags;

	*sp = NULL;
	if ((s = calloc(1, sizeof *s)) == NULL ||
	    (s->path = strdup(path)) == NULL) {
		snprintf(err, n, "%s", strerror(ENOMEM));
		free(s);
		return STORE_ERR;
	}
	s->fd = -1;
	/* A folder another user can write into could get a symbolic link
	 * planted for the -wal or -shm file, or the store replaced: refused
	 * unless --allow-shared-dir (docs/security.md). */
	if (!readonly && outfile_parent_check(path, s->msg, sizeof s->msg) !=
	    0)
		goto fail;
	if ((rc = open_locked(s, readonly, timeout)) != STORE_OK)
		goto fail;
	rc = STORE_ERR;
	/* NOMUTEX: a store's connection is used by one thread at a time
	 * (SQLite took a mutex in each call on it: with the one below,
	 * 1,114,975 for ceb-quota-check's night of 5,000 inventories,
	 * 4.4% of its instructions). */
	flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
	    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX;
	/* SQLite opens the path again: if the file was moved or replaced
	 * since we locked it, SQLite holds another file (or none), and the
	 * run must not go on in it. */
	/* No memory statistics (nothing reads them): each of SQLite's
	 * allocations took a mutex for them.  Only before SQLite is first
	 * used; later it answers SQLITE_MISUSE and nothing changes. */
	if (!configured) {
		(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		configured = 1;
	}
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK ||
	    !still_locked_file(s)) {
		if (!still_locked_file(s))
			setmsg(s, "%s", replaced_msg());
		else
			setmsg(s, _("cannot open: %s"), s->db ?
			    sqlite3_errmsg(s->db) : strerror(ENOMEM));
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, (int)(timeout * 1000));
	if (whole_check(s, readonly) && quick_check(s) != 0)
		goto fail;
	if (!readonly && (store_exec(s, "PRAGMA journal_mode = WAL") != 0 ||
	    store_exec(s, "PRAGMA synchronous = FULL") != 0))
		goto fail;
	/* Up to 64 MB of pages: a night's lookups in a large store stay in
	 * memory once read; memory stays bounded whatever the store's size. */
	if (store_exec(s, "PRAGMA cache_size = -65536") != 0)
		goto fail;
	if (store_exec(s, "PRAGMA foreign_keys = ON") != 0 ||
	    migrate(s, schema, readonly) != 0)
		goto fail;
	*sp = s;
	return STORE_OK;
fail:
	snprintf(err, n, "%s", s->msg);
	store_close(s);
	return rc;
}

sqlite3_stmt *
store_prepare(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int i;

	for (i = 0; i < s->ncache; i++)
		if (s->cache[i].sql == sql) {
			sqlite3_reset(s->cache[i].st);
			sqlite3_clear_bindings(s->cache[i].st);
			return s->cache[i].st;
		}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK) {
		dbmsg(s, "prepare");
		return NULL;
	}
	if (s->ncache < NCACHE) {
		s->cache[s->ncache].sql = sql;
		s->cache[s->ncache].st = st;
		s->ncache++;
	} else {
		/* A tool with more statements than the cache: never. */
		sqlite3_finalize(st);
		setmsg(s, _("statement cache full"));
		return NULL;
	}
	return st;
}

int
store_bind(struct store *s, sqlite3_stmt *st, const char *fmt, ...)
{
	va_list ap;
	int i, rc = SQLITE_OK;

	va_start(ap, fmt);
	for (i = 1; *fmt && rc == SQLITE_OK; fmt++, i++) {
		switch (*fmt) {
		case 't': {
			const char *t = va_arg(ap, const char *);

			rc = t ? sqlite3_bind_text(st, i, t, -1,
			    SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
			break;
		}
		case 's': {
			const char *t = va_arg(ap, const char *);

			rc = t ? sqlite3_bind_text(st, i, t, -1,
			    SQLITE_STATIC) : sqlite3_bind_null(st, i);
			break;
		}
		case 'i':
			rc = sqlite3_bind_int64(st, i, va_arg(ap, long long));
			break;
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t len = va_arg(ap, size_t);

			rc = sqlite3_bind_blob64(st, i, p, len,
			    SQLITE_TRANSIENT);
			break;
		}
		case 'n':
			rc = sqlite3_bind_null(st, i);
			break;
		default:
			rc = SQLITE_MISUSE;
			break;
		}
	}
	va_end(ap);
	if (rc != SQLITE_OK) {
		dbmsg(s, "bind");
		return -1;
	}
	return 0;
}

int
store_step(struct store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	dbmsg(s, "state");
	sqlite3_reset(st);
	return -1;
}

const char *
store_text(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	return t ? t : "";
}

int
store_begin(struct store *s)
{
	if (store_exec(s, "BEGIN IMMEDIATE") != 0)
		return -1;
	s->intx = 1;
	return 0;
}

int
store_commit(struct store *s)
{
	if (!still_locked_file(s)) {
		setmsg(s, "%s", replaced_msg());
		store_rollback(s);
		return -1;
	}
	if (store_exec(s, "COMMIT") != 0) {
		char keep[sizeof s->msg];

		memcpy(keep, s->msg, sizeof keep);
		store_rollback(s);
		snprintf(s->msg, sizeof s->msg, "cannot commit: %s", keep);
		return -1;
	}
	s->intx = 0;
	/* Committed; the checkpoint only moves it into the main file. */
	(void)sqlite3_wal_checkpoint_v2(s->db, NULL,
	    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	return 0;
}

void
store_rollback(struct store *s)
{
	if (s->intx)
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->intx = 0;
}

void
store_close(struct store *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].st);
	if (s->db) {
		store_rollback(s);
		sqlite3_close(s->db);
	}
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	free(s);
}

/* ---- digests ---- */

/* Where the root element starts: past any declaration, processing
 * instruction, comment or white space before it. */
static size_t
root_start(const char *b, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (b[i] != '<') {
			i++;
			continue;
		}
		if (i + 1 < len && b[i + 1] == '?') {
			const char *e = memmem(b + i, len - i, "?>", 2);

			if (e == NULL)
				return i;
			i = (size_t)(e - b) + 2;
		} else if (i + 3 < len && memcmp(b + i, "<!--", 4) == 0) {
			const char *e = memmem(b + i, len - i, "-->", 3);

			if (e == NULL)
				return i;
			i = (size_t)(e - b) + 3;
		} else
			return i;
	}
	return 0;
}

int
store_doc_digest(const char *bytes, size_t len,
    unsigned char out[STORE_DIGEST_LEN])
{
	size_t off = root_start(bytes, len);
	unsigned int olen = 0;

	return EVP_Digest(bytes + off, len - off, out, &olen, EVP_sha256(),
	    NULL) == 1 && olen == STORE_DIGEST_LEN ? 0 : -1;
}

int
store_doc_prefix_digest(const char *bytes, size_t len,
    unsigned char out[STORE_DIGEST_LEN])
{
	unsigned int olen = 0;

	return EVP_Digest(bytes, root_start(bytes, len), out, &olen,
	    EVP_sha256(), NULL) == 1 && olen == STORE_DIGEST_LEN ? 0 : -1;
}

/* Digest i of d[]. */
#define DG(d, i) ((d) + (i) * STORE_DIGEST_LEN)

/* Heap [0, n) of digests: d[i] sinks below what is larger. */
static void
digest_sift(unsigned char *d, size_t i, size_t n)
{
	unsigned char t[STORE_DIGEST_LEN];
	size_t c;

	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n && memcmp(DG(d, c + 1), DG(d, c),
		    STORE_DIGEST_LEN) > 0)
			c++;
		if (memcmp(DG(d, c), DG(d, i), STORE_DIGEST_LEN) <= 0)
			return;
		memcpy(t, DG(d, i), STORE_DIGEST_LEN);
		memcpy(DG(d, i), DG(d, c), STORE_DIGEST_LEN);
		memcpy(DG(d, c), t, STORE_DIGEST_LEN);
		i = c;
	}
}

/*
 * The digests in ascending order, in place: a heapsort, which takes no
 * memory of its own where qsort() (a merge sort in glibc) took a copy
 * of them all (32 bytes a document, when a run of a big night holds the
 * most).  Equal digests are equal bytes: the order is the same.
 */
static void
digest_sort(unsigned char *d, size_t n)
{
	unsigned char t[STORE_DIGEST_LEN];
	size_t i;

	for (i = n / 2; i-- > 0;)
		digest_sift(d, i, n);
	while (n > 1) {
		n--;
		memcpy(t, DG(d, 0), STORE_DIGEST_LEN);
		memcpy(DG(d, 0), DG(d, n), STORE_DIGEST_LEN);
		memcpy(DG(d, n), t, STORE_DIGEST_LEN);
		digest_sift(d, 0, n);
	}
}

int
store_run_identity(unsigned char *digests, size_t n,
    unsigned char out[STORE_DIGEST_LEN])
{
	if (n > 1)
		digest_sort(digests, n);
	return store_run_identity_sorted(digests, n, STORE_DIGEST_LEN, out);
}

int
store_run_identity_sorted(const unsigned char *first, size_t n,
    size_t stride, unsigned char out[STORE_DIGEST_LEN])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int olen = 0;
	size_t i;
	int ok = c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1;

	for (i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(c, first + i * stride,
		    STORE_DIGEST_LEN) == 1;
	ok = ok && EVP_DigestFinal_ex(c, out, &olen) == 1 &&
	    olen == STORE_DIGEST_LEN;
	EVP_MD_CTX_free(c);
	return ok ? 0 : -1;
}

void
store_hex(const unsigned char d[STORE_DIGEST_LEN], char *hex)
{
	static const char x[] = "0123456789abcdef";
	int i;

	for (i = 0; i < STORE_DIGEST_LEN; i++) {
		hex[2 * i] = x[d[i] >> 4];
		hex[2 * i + 1] = x[d[i] & 15];
	}
	hex[2 * STORE_DIGEST_LEN] = '\0';
}

void
store_ident_add(struct store_ident *id,
    const unsigned char d[STORE_DIGEST_LEN])
{
	unsigned carry = 0;
	int i;

	for (i = STORE_DIGEST_LEN - 1; i >= 0; i--) {
		carry += (unsigned)id->sum[i] + d[i];
		id->sum[i] = (unsigned char)carry;
		carry >>= 8;
	}
	id->n++;
}

void
store_ident_hex(const struct store_ident *id, char *hex)
{
	unsigned char buf[STORE_DIGEST_LEN + 8], out[STORE_DIGEST_LEN];
	unsigned int olen = 0;
	int i;

	memcpy(buf, id->sum, STORE_DIGEST_LEN);
	for (i = 0; i < 8; i++)
		buf[STORE_DIGEST_LEN + i] = (unsigned char)(id->n >> (56 - 8 * i));
	if (EVP_Digest(buf, sizeof buf, out, &olen, EVP_sha256(), NULL) != 1)
		memset(out, 0, sizeof out);
	store_hex(out, hex);
}

void
store_now(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- runs and documents ---- */

static const char sql_run_insert[] =
    "INSERT INTO runs(tool, identity, label, started, ended, documents, "
    "records, passed, failed, set_aside, status, note) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

int
store_run_insert(struct store *s, struct store_run *run)
{
	sqlite3_stmt *st = store_prepare(s, sql_run_insert);
	char ended[32];

	store_now(ended, sizeof ended);
	if (run->started[0] == '\0')
		memcpy(run->started, ended, sizeof run->started);
	if (st == NULL || store_bind(s, st, "tttttiiiiiit", run->tool,
	    run->identity, run->label, run->started, ended,
	    (long long)run->documents, (long long)run->records,
	    (long long)run->passed, (long long)run->failed,
	    (long long)run->set_aside, (long long)run->status,
	    run->note) != 0 || store_step(s, st) != 0)
		return -1;
	run->id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

static const char sql_run_find[] =
    "SELECT max(id) FROM runs WHERE identity = ?1";

/* The first column of the one row st gives for text t: 0 when NULL or
 * no row, -1 on error. */
static long long
int_for(struct store *s, const char *sql, const char *t)
{
	sqlite3_stmt *st = store_prepare(s, sql);
	long long id;
	int rc;

	if (st == NULL || store_bind(s, st, "t", t) != 0 ||
	    (rc = store_step(s, st)) < 0)
		return -1;
	id = rc ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return id;
}

long long
store_run_find(struct store *s, const char *identity)
{
	return int_for(s, sql_run_find, identity);
}

static const char sql_doc_insert[] =
    "INSERT OR IGNORE INTO documents(digest, run, source, message, line, "
    "type, guid) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

int
store_document(struct store *s, long long run, const char *digest,
    const char *source, long message, long line, const char *type,
    const char *guid)
{
	sqlite3_stmt *st = store_prepare(s, sql_doc_insert);

	return st == NULL || store_bind(s, st, "sisiiss", digest, run,
	    source, (long long)message, (long long)line, type, guid) != 0 ||
	    store_step(s, st) != 0 ? -1 : 0;
}

/*
 * The documents of a run that reads them as they come (ceb-reconcile)
 * wait in a temporary table in the order read and
 * go to the documents table at the end, in the order of their digests:
 * the table is keyed by digest, and a document written as it was read
 * changed a page of it at random, over and over once the table no longer
 * fit the page cache.
 */
int
store_document_later(struct store *s, const char *digest,
    const char *source, long message, long line, const char *type)
{
	static const char sql[] = "INSERT INTO temp.night_docs(digest, "
	    "source, message, line, type) VALUES (?1, ?2, ?3, ?4, ?5)";
	sqlite3_stmt *st;

	if (!s->night_docs) {
		if (store_exec(s, "CREATE TEMP TABLE night_docs(digest TEXT "
		    "NOT NULL, source TEXT NOT NULL, message INTEGER NOT NULL, "
		    "line INTEGER NOT NULL, type TEXT)") != 0)
			return -1;
		s->night_docs = 1;
	}
	st = store_prepare(s, sql);
	return st == NULL || store_bind(s, st, "ttiit", digest, source,
	    (long long)message, (long long)line, type) != 0 ||
	    store_step(s, st) != 0 ? -1 : 0;
}

int
store_documents_put(struct store *s, long long run)
{
	/* The first of equal keys in the order read, as when each went in
	 * as it was read (INSERT OR IGNORE). */
	static const char sql[] = "INSERT OR IGNORE INTO documents(digest, "
	    "run, source, message, line, type, guid) SELECT digest, ?1, "
	    "source, message, line, type, NULL FROM temp.night_docs "
	    "ORDER BY digest, rowid";
	sqlite3_stmt *st;

	if (!s->night_docs)
		return 0;
	if ((st = store_prepare(s, sql)) == NULL ||
	    store_bind(s, st, "i", run) != 0 || store_step(s, st) != 0 ||
	    store_exec(s, "DROP TABLE temp.night_docs") != 0)
		return -1;
	s->night_docs = 0;
	return 0;
}

static const char sql_doc_run[] =
    "SELECT min(run) FROM documents WHERE digest = ?1";

long long
store_document_run(struct store *s, const char *digest)
{
	return int_for(s, sql_doc_run, digest);
}

static const char sql_aside[] =
    "INSERT INTO set_aside(run, source, message, line, reason) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";

int
store_set_aside(struct store *s, long long run, const char *source,
    long message, long line, const char *reason)
{
	sqlite3_stmt *st = store_prepare(s, sql_aside);

	return st == NULL || store_bind(s, st, "itiit", run, source,
	    (long long)message, (long long)line, reason) != 0 ||
	    store_step(s, st) != 0 ? -1 : 0;
}

/* ---- what the identity read (struct store_seen) ---- */

struct store_seen_file {
	char *path;
	int there;		/* stat() succeeded */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

/* One expansion of operands: how the check expands them again. */
struct store_seen_ops {
	int argc;
	char *const *argv;
	const char *const *suffixes;
	size_t first, n;	/* its files in v[] */
};

static int
same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* Record path as st shows it (st NULL: standard input or not there). */
static void
seen_file(struct store_seen *s, const char *path, const struct stat *st)
{
	struct store_seen_file *f;

	if (s == NULL || s->failed)
		return;
	if (s->n == s->cap) {
		size_t c = s->cap ? 2 * s->cap : 16;
		void *v = realloc(s->v, c * sizeof *s->v);

		if (v == NULL) {
			s->failed = 1;
			return;
		}
		s->v = v;
		s->cap = c;
	}
	f = &s->v[s->n];
	memset(f, 0, sizeof *f);
	if ((f->path = strdup(path)) == NULL) {
		s->failed = 1;
		return;
	}
	if (st != NULL) {
		f->there = 1;
		f->dev = st->st_dev;
		f->ino = st->st_ino;
		f->size = st->st_size;
		f->mtime = st->st_mtim;
		f->ctime = st->st_ctim;
	}
	s->n++;
}

/* Record path as it is now. */
static void
seen_path(struct store_seen *s, const char *path)
{
	struct stat st;

	if (s != NULL)
		seen_file(s, path, strcmp(path, "-") != 0 &&
		    stat(path, &st) == 0 ? &st : NULL);
}

/* Begin an expansion of the operands (its files follow). */
static void
seen_ops(struct store_seen *s, int argc, char *const argv[],
    const char *const *suffixes)
{
	struct store_seen_ops *o;

	if (s == NULL || s->failed)
		return;
	if ((o = realloc(s->ops, (s->nops + 1) * sizeof *o)) == NULL) {
		s->failed = 1;
		return;
	}
	s->ops = o;
	o = &s->ops[s->nops++];
	o->argc = argc;
	o->argv = argv;
	o->suffixes = suffixes;
	o->first = s->n;
	o->n = 0;
}

/* End the latest expansion. */
static void
seen_ops_end(struct store_seen *s)
{
	if (s != NULL && !s->failed && s->nops > 0)
		s->ops[s->nops - 1].n = s->n - s->ops[s->nops - 1].first;
}

/* Forget the latest expansion and its files (its identity is not
 * known: nothing it read is relied on). */
static void
seen_ops_drop(struct store_seen *s)
{
	if (s == NULL || s->failed || s->nops == 0)
		return;
	s->nops--;
	while (s->n > s->ops[s->nops].first)
		free(s->v[--s->n].path);
}

/* Does the file recorded in f look the same now? */
static int
seen_same(const struct store_seen_file *f)
{
	struct stat st;

	if (strcmp(f->path, "-") == 0)
		return 1;	/* kept in a file of the run's own */
	if (stat(f->path, &st) != 0)
		return !f->there;
	return f->there && st.st_dev == f->dev && st.st_ino == f->ino &&
	    st.st_size == f->size && same_time(&st.st_mtim, &f->mtime) &&
	    same_time(&st.st_ctim, &f->ctime);
}

int
store_seen_check(const struct store_seen *s, char *path, size_t pathlen,
    const char **why)
{
	struct input_list lst;
	size_t i, j;
	int r;

	*why = _("changed while the run read it; nothing committed "
	    "(run again)");
	if (s == NULL)
		return 0;
	if (s->failed) {
		*why = strerror(ENOMEM);
		return -1;
	}
	for (i = 0; i < s->nops; i++) {
		const struct store_seen_ops *o = &s->ops[i];

		memset(&lst, 0, sizeof lst);
		r = o->suffixes ? input_expand_suffixes(&lst, o->argc,
		    o->argv, o->suffixes) : input_expand(&lst, o->argc,
		    o->argv);
		if (r != 0) {
			input_list_free(&lst);
			*why = strerror(ENOMEM);
			return -1;
		}
		for (j = 0; j < lst.n || j < o->n; j++) {
			const char *was = j < o->n ? s->v[o->first + j].path :
			    NULL, *now = j < lst.n ? lst.paths[j] : NULL;

			if (was == NULL || now == NULL || strcmp(was, now) != 0) {
				snprintf(path, pathlen, "%s", now ? now : was);
				input_list_free(&lst);
				return 1;
			}
		}
		input_list_free(&lst);
	}
	for (i = 0; i < s->n; i++)
		if (!seen_same(&s->v[i])) {
			snprintf(path, pathlen, "%s", s->v[i].path);
			return 1;
		}
	return 0;
}

unsigned long long
store_seen_bytes(const struct store_seen *s)
{
	unsigned long long n = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].there && s->v[i].size > 0)
			n += (unsigned long long)s->v[i].size;
	return n;
}

void
store_seen_free(struct store_seen *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		free(s->v[i].path);
	free(s->v);
	free(s->ops);
	memset(s, 0, sizeof *s);
}

/* SHA-256 of the bytes of the regular file at path: 0, 1 not a regular
 * file, -1 unreadable.  The file is added to seen as it was opened. */
static int
file_digest(const char *path, unsigned char out[STORE_DIGEST_LEN],
    struct store_seen *seen)
{
	unsigned char buf[65536];
	unsigned int olen = 0;
	EVP_MD_CTX *md;
	struct stat st;
	ssize_t n;
	int fd, rc = -1;

	if (strcmp(path, "-") == 0)
		return 1;
	/*
	 * Look before opening: a FIFO or a device must not be opened here,
	 * since closing a FIFO's only reader before the run reads it makes
	 * its writer fail (SIGPIPE) and loses what it wrote.
	 */
	if (stat(path, &st) != 0)
		return -1;
	if (!S_ISREG(st.st_mode))
		return 1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 1;
	}
	seen_file(seen, path, &st);
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		goto out;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (EVP_DigestUpdate(md, buf, (size_t)n) != 1)
			goto out;
	if (n == 0 && EVP_DigestFinal_ex(md, out, &olen) == 1 &&
	    olen == STORE_DIGEST_LEN)
		rc = 0;
out:
	EVP_MD_CTX_free(md);
	close(fd);
	return rc;
}

int
store_input_identity(int argc, char *const argv[], char hex[STORE_HEX_LEN],
    struct store_seen *seen)
{
	return store_files_identity(argc, argv, NULL, hex, seen);
}

int
store_files_identity(int argc, char *const argv[],
    const char *const *suffixes, char hex[STORE_HEX_LEN],
    struct store_seen *seen)
{
	struct input_list lst;
	unsigned char *dg = NULL, id[STORE_DIGEST_LEN];
	size_t i;
	int rc = 1;

	if (argc == 0)
		return 1;
	memset(&lst, 0, sizeof lst);
	seen_ops(seen, argc, argv, suffixes);
	if ((suffixes ? input_expand_suffixes(&lst, argc, argv, suffixes) :
	    input_expand(&lst, argc, argv)) != 0 ||
	    (dg = malloc(lst.n * STORE_DIGEST_LEN + 1)) == NULL) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < lst.n; i++) {
		if (lst.errs[i]) {
			rc = -1;
			goto out;
		}
		if ((rc = file_digest(lst.paths[i],
		    dg + i * STORE_DIGEST_LEN, seen)) != 0)
			goto out;
	}
	seen_ops_end(seen);
	if (store_run_identity(dg, lst.n, id) != 0) {
		rc = -1;
		goto out;
	}
	store_hex(id, hex);
	rc = 0;
out:
	if (rc != 0)
		seen_ops_drop(seen);
	free(dg);
	input_list_free(&lst);
	return rc;
}

/* Copy standard input to an unlinked file in dir and make it descriptor 0,
 * at its start.  0, or -1 with err set. */
static int
spool_stdin(const char *dir, char *err, size_t errlen)
{
	char p[4096], buf[65536];
	ssize_t n, w, o;
	int fd;

	snprintf(p, sizeof p, "%s/.stdin.XXXXXX", dir);
	if ((fd = mkstemp(p)) < 0) {
		snprintf(err, errlen, "%s: %s", p, strerror(errno));
		return -1;
	}
	(void)unlink(p);
	while ((n = read(STDIN_FILENO, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		for (o = 0; o < n; o += w)
			if ((w = write(fd, buf + o, (size_t)(n - o))) < 0)
				goto fail;
	}
	if (lseek(fd, 0, SEEK_SET) != 0 || dup2(fd, STDIN_FILENO) < 0)
		goto fail;
	close(fd);
	return 0;
fail:
	snprintf(err, errlen, _("cannot keep standard input: %s"),
	    strerror(errno));
	close(fd);
	return -1;
}

/* The unlinked file of the kept digests, in dir. */
static int
digests_open(struct store_digests *k, const char *dir, char *err,
    size_t errlen)
{
	char p[4096];
	int fd;

	memset(k, 0, sizeof *k);
	snprintf(p, sizeof p, "%s/.digests.XXXXXX", dir);
	if ((fd = mkstemp(p)) < 0) {
		snprintf(err, errlen, "%s: %s", p, strerror(errno));
		return -1;
	}
	(void)unlink(p);
	if ((k->f = fdopen(fd, "w+")) == NULL) {
		snprintf(err, errlen, "%s: %s", p, strerror(errno));
		close(fd);
		return -1;
	}
	return 0;
}

/* Where a document was framed, as a key (FNV-1a over source, index,
 * line): the same document framed again gives the same key. */
static uint64_t
doc_place(const struct stream_doc *d)
{
	const unsigned char *p = (const unsigned char *)(d->source ?
	    d->source : "");
	uint64_t h = 14695981039346656037ULL;
	long v[2];
	size_t i;

	for (; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	v[0] = d->index;
	v[1] = d->line;
	for (i = 0; i < sizeof v; i++)
		h = (h ^ ((const unsigned char *)v)[i]) * 1099511628211ULL;
	return h;
}

/* One document's digest as kept by store_docs_identity(). */
struct kept_digest {
	uint64_t place, len;
	unsigned char dg[STORE_DIGEST_LEN];
};

/* Sum the digests of the documents of the file at path into id (and
 * keep each in keep when not NULL). */
static int
docs_of(const char *path, const struct stream_opts *opts,
    struct store_ident *id, FILE *keep, char *err, size_t errlen)
{
	unsigned char dg[STORE_DIGEST_LEN];
	struct stream_doc d;
	struct stream_err e;
	struct stream *s;
	struct input *in;
	int r;

	if ((in = input_open(path, err, errlen)) == NULL)
		return 0;		/* the run reports it */
	if ((s = stream_open(in, input_display_name(path), opts)) == NULL) {
		input_close(in);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	for (;;) {
		memset(&e, 0, sizeof e);
		r = stream_next(s, &d, &e);
		if (r == STREAM_FATAL)
			r = STREAM_EOF;	/* the run reports it */
		if (r == STREAM_EOF)
			break;
		if (r != STREAM_DOC)
			continue;
		if (store_doc_digest(d.bytes, d.len, dg) != 0) {
			snprintf(err, errlen, "%s", "SHA-256");
			r = -1;
			break;
		}
		store_ident_add(id, dg);
		if (keep != NULL) {
			struct kept_digest k;

			memset(&k, 0, sizeof k);
			k.place = doc_place(&d);
			k.len = d.len;
			memcpy(k.dg, dg, sizeof k.dg);
			if (fwrite(&k, sizeof k, 1, keep) != 1) {
				snprintf(err, errlen, "%s", strerror(errno));
				r = -1;
				break;
			}
		}
	}
	stream_close(s);
	input_close(in);
	return r < 0 ? -1 : 0;
}

int
store_docs_identity(int argc, char *const argv[],
    const struct stream_opts *opts, const char *dir,
    char hex[STORE_HEX_LEN], struct store_digests *keep,
    struct store_seen *seen, char *err, size_t errlen)
{
	struct input_list lst;
	struct store_ident id;
	struct stat st;
	size_t i;
	int rc = 0, in = 0, began;

	memset(&lst, 0, sizeof lst);
	memset(&id, 0, sizeof id);
	if (input_expand(&lst, argc, argv) != 0) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	for (i = 0; i < lst.n && rc == 0; i++) {
		if (strcmp(lst.paths[i], "-") == 0)
			in = 1;
		else if (!lst.errs[i] && (stat(lst.paths[i], &st) != 0 ||
		    !S_ISREG(st.st_mode)))
			rc = 1;
	}
	if (rc == 0 && in && spool_stdin(dir, err, errlen) != 0)
		rc = -1;
	if (rc == 0 && keep != NULL && digests_open(keep, dir, err, errlen) !=
	    0)
		rc = -1;
	if ((began = rc == 0))
		seen_ops(seen, argc, argv, NULL);
	for (i = 0; i < lst.n && rc == 0; i++) {
		/* Seen before it is read: a change while reading shows. */
		seen_path(seen, lst.paths[i]);
		if (!lst.errs[i])
			rc = docs_of(lst.paths[i], opts, &id, keep ? keep->f :
			    NULL, err, errlen);
	}
	if (rc == 0)
		seen_ops_end(seen);
	else if (began)
		seen_ops_drop(seen);
	if (rc == 0 && keep != NULL && (fflush(keep->f) != 0 ||
	    fseek(keep->f, 0, SEEK_SET) != 0)) {
		snprintf(err, errlen, "%s", strerror(errno));
		rc = -1;
	}
	if (rc != 0 && keep != NULL)
		store_digests_free(keep);
	if (rc == 0 && in && lseek(STDIN_FILENO, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, _("cannot keep standard input: %s"),
		    strerror(errno));
		rc = -1;
	}
	if (rc == 0)
		store_ident_hex(&id, hex);
	input_list_free(&lst);
	return rc;
}

/* How far store_digests_take() looks ahead for a document's digest past
 * documents the run did not take (set aside without being handed on). */
#define DIGESTS_AHEAD 64

int
store_digests_take(struct store_digests *k, const struct stream_doc *d,
    unsigned char out[STORE_DIGEST_LEN])
{
	struct kept_digest r;
	uint64_t place;
	long at;
	int i;

	if (k == NULL || k->f == NULL)
		return 0;
	place = doc_place(d);
	if ((at = ftell(k->f)) < 0)
		return 0;
	for (i = 0; i < DIGESTS_AHEAD; i++) {
		if (fread(&r, sizeof r, 1, k->f) != 1)
			break;
		if (r.place == place && r.len == d->len) {
			memcpy(out, r.dg, STORE_DIGEST_LEN);
			return 1;
		}
	}
	/* Not among the next ones: computed by the caller, the kept
	 * ones read from where they were. */
	clearerr(k->f);
	(void)fseek(k->f, at, SEEK_SET);
	return 0;
}

void
store_digests_free(struct store_digests *k)
{
	if (k != NULL && k->f != NULL)
		fclose(k->f);
	if (k != NULL)
		k->f = NULL;
}
