/*
 * seal.c: keyed MACs over store rows (seal.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include "i18n.h"
#include "seal.h"

/* The key's name: the first 8 bytes of HMAC(key, "cebtools key id"). */
static void
key_id(struct seal_key *key)
{
	unsigned char m[EVP_MAX_MD_SIZE];
	unsigned int ml = 0;
	static const char what[] = "cebtools key id";
	int i;

	HMAC(EVP_sha256(), key->k, (int)key->len, (const unsigned char *)what,
	    sizeof what - 1, m, &ml);
	for (i = 0; i < 8; i++)
		snprintf(key->id + 2 * i, 3, "%02x", m[i]);
}

static int
create_key(const char *path, char *err, size_t n)
{
	unsigned char k[32];
	int fd;

	if (getrandom(k, sizeof k, 0) != (ssize_t)sizeof k) {
		snprintf(err, n, _("%s: no random bytes for a key: %s"), path,
		    strerror(errno));
		return -1;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) < 0) {
		snprintf(err, n, _("%s: cannot create the key: %s"), path,
		    strerror(errno));
		return -1;
	}
	if (write(fd, k, sizeof k) != (ssize_t)sizeof k || fsync(fd) != 0) {
		snprintf(err, n, _("%s: cannot write the key: %s"), path,
		    strerror(errno ? errno : EIO));
		close(fd);
		(void)unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

int
seal_key_load(const char *path, int create, struct seal_key *key,
    char *err, size_t n)
{
	struct stat st;
	ssize_t got;
	int fd, made = 0;

	memset(key, 0, sizeof *key);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 &&
	    errno == ENOENT && create) {
		if (create_key(path, err, n) != 0)
			return -1;
		made = 1;
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		snprintf(err, n, _("%s: cannot read the key: %s"), path,
		    errno == ELOOP ? _("a symbolic link (refused)") :
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, n, _("%s: the key is not a regular file"), path);
		close(fd);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, n, _("%s: the key belongs to another user (uid "
		    "%lu): refused"), path, (unsigned long)st.st_uid);
		close(fd);
		return -1;
	}
	if (st.st_mode & 077) {
		snprintf(err, n, _("%s: others can read or write the key (mode "
		    "%03o): refused (chmod 600)"), path,
		    (unsigned)(st.st_mode & 0777));
		close(fd);
		return -1;
	}
	got = read(fd, key->k, sizeof key->k);
	close(fd);
	if (got < 16) {
		snprintf(err, n, _("%s: the key is shorter than 16 bytes"),
		    path);
		memset(key, 0, sizeof *key);
		return -1;
	}
	key->len = (size_t)got;
	key_id(key);
	return made;
}

/* One value into the MAC: its length (8 bytes, all ones for NULL), then
 * its bytes. */
static int
add(EVP_MAC_CTX *c, const unsigned char *v, size_t len, int null)
{
	unsigned char l[8];
	unsigned long long x = null ? ~0ULL : (unsigned long long)len;
	int i;

	for (i = 7; i >= 0; i--, x >>= 8)
		l[i] = (unsigned char)(x & 0xff);
	return EVP_MAC_update(c, l, sizeof l) == 1 &&
	    (len == 0 || EVP_MAC_update(c, v, len) == 1) ? 0 : -1;
}

static EVP_MAC_CTX *
start(const struct seal_key *key, const unsigned char *prev)
{
	static const unsigned char zero[SEAL_LEN];
	static EVP_MAC *mac;	/* fetched once, kept to the end */
	EVP_MAC_CTX *c;
	OSSL_PARAM p[2];

	/* The last key's context, keyed: copied for each MAC instead of
	 * fetching the digest and keying a new one (kept to the end). */
	static EVP_MAC_CTX *keyed;
	static unsigned char keyed_k[sizeof key->k];
	static size_t keyed_len;

	if (keyed == NULL || keyed_len != key->len ||
	    memcmp(keyed_k, key->k, key->len) != 0) {
		if (mac == NULL &&
		    (mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
			return NULL;
		if ((c = EVP_MAC_CTX_new(mac)) == NULL)
			return NULL;
		p[0] = OSSL_PARAM_construct_utf8_string("digest",
		    (char *)"SHA256", 0);
		p[1] = OSSL_PARAM_construct_end();
		if (EVP_MAC_init(c, key->k, key->len, p) != 1) {
			EVP_MAC_CTX_free(c);
			return NULL;
		}
		EVP_MAC_CTX_free(keyed);
		keyed = c;
		memcpy(keyed_k, key->k, key->len);
		keyed_len = key->len;
	}
	if ((c = EVP_MAC_CTX_dup(keyed)) == NULL)
		return NULL;
	if (EVP_MAC_update(c, prev ? prev : zero, SEAL_LEN) != 1) {
		EVP_MAC_CTX_free(c);
		return NULL;
	}
	return c;
}

static int
finish(EVP_MAC_CTX *c, unsigned char out[SEAL_LEN])
{
	size_t ol = 0;
	int r = EVP_MAC_final(c, out, &ol, SEAL_LEN) == 1 && ol == SEAL_LEN ?
	    0 : -1;

	EVP_MAC_CTX_free(c);
	return r;
}

int
seal_row(const struct seal_key *key, const unsigned char *prev,
    sqlite3_stmt *st, int first, int ncols, unsigned char out[SEAL_LEN])
{
	EVP_MAC_CTX *c = start(key, prev);
	unsigned char buf[4096];
	size_t used = 0;
	int i;

	if (c == NULL)
		return -1;
	/* In one update when it fits (see flat()). */
	for (i = first; i < first + ncols; i++) {
		int null = sqlite3_column_type(st, i) == SQLITE_NULL;
		const unsigned char *v = null ? NULL :
		    sqlite3_column_text(st, i);
		size_t len = null ? 0 : (size_t)sqlite3_column_bytes(st, i);
		unsigned long long x = null ? ~0ULL : (unsigned long long)len;
		int k;

		if (sizeof buf - used < 8 || sizeof buf - used - 8 < len) {
			used = 0;
			break;
		}
		for (k = 7; k >= 0; k--, x >>= 8)
			buf[used + (size_t)k] = (unsigned char)(x & 0xff);
		if (len > 0)
			memcpy(buf + used + 8, v, len);
		used += 8 + len;
	}
	if (used > 0) {
		if (EVP_MAC_update(c, buf, used) != 1) {
			EVP_MAC_CTX_free(c);
			return -1;
		}
		return finish(c, out);
	}
	for (i = first; i < first + ncols; i++) {
		int null = sqlite3_column_type(st, i) == SQLITE_NULL;
		const unsigned char *v = null ? NULL :
		    sqlite3_column_text(st, i);

		if (add(c, v, null ? 0 : (size_t)sqlite3_column_bytes(st, i),
		    null) != 0) {
			EVP_MAC_CTX_free(c);
			return -1;
		}
	}
	return finish(c, out);
}

/*
 * The values as add() gives them, one after the other, into buf (n
 * bytes): their length, or 0 when they do not fit.  The MAC of a row
 * then takes one update instead of two per value: each update goes
 * through the provider's dispatch, several times the hashing of a short
 * value (the same bytes, the same MAC).
 */
static size_t
flat(const char *const *v, size_t nv, unsigned char *buf, size_t n)
{
	size_t i, used = 0;

	for (i = 0; i < nv; i++) {
		size_t len = v[i] ? strlen(v[i]) : 0;
		unsigned long long x = v[i] ? (unsigned long long)len : ~0ULL;
		int k;

		if (n - used < 8 || n - used - 8 < len)
			return 0;
		for (k = 7; k >= 0; k--, x >>= 8)
			buf[used + (size_t)k] = (unsigned char)(x & 0xff);
		memcpy(buf + used + 8, v[i] ? v[i] : "", len);
		used += 8 + len;
	}
	return used;
}

int
seal_strings(const struct seal_key *key, const unsigned char *prev,
    const char *const *v, size_t n, unsigned char out[SEAL_LEN])
{
	EVP_MAC_CTX *c = start(key, prev);
	unsigned char buf[4096];
	size_t i, len;

	if (c == NULL)
		return -1;
	if ((len = flat(v, n, buf, sizeof buf)) > 0) {
		if (EVP_MAC_update(c, buf, len) != 1) {
			EVP_MAC_CTX_free(c);
			return -1;
		}
		return finish(c, out);
	}
	for (i = 0; i < n; i++)
		if (add(c, (const unsigned char *)v[i], v[i] ? strlen(v[i]) :
		    0, v[i] == NULL) != 0) {
			EVP_MAC_CTX_free(c);
			return -1;
		}
	return finish(c, out);
}

int
seal_equal(sqlite3_stmt *st, int col, const unsigned char mac[SEAL_LEN])
{
	const void *b;

	if (sqlite3_column_type(st, col) != SQLITE_BLOB ||
	    sqlite3_column_bytes(st, col) != SEAL_LEN)
		return 0;
	b = sqlite3_column_blob(st, col);
	return b != NULL && CRYPTO_memcmp(b, mac, SEAL_LEN) == 0;
}

void
seal_hex(const unsigned char mac[SEAL_LEN], char *hex)
{
	int i;

	for (i = 0; i < SEAL_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
}
