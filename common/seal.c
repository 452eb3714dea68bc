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

/*
 * A MAC being computed: the values go through a buffer, so that a row
 * takes one EVP_MAC_update() instead of two per value (each update goes
 * through the provider's dispatch, several times the hashing of a short
 * value).  The bytes hashed are the same, so the MAC is the same.
 */
struct mac {
	EVP_MAC_CTX *c;
	size_t used;
	int bad;
	unsigned char buf[4096];
};

static void
put(struct mac *m, const unsigned char *v, size_t len)
{
	if (m->bad || len == 0)
		return;
	if (sizeof m->buf - m->used < len) {
		if (m->used > 0 && EVP_MAC_update(m->c, m->buf, m->used) != 1)
			m->bad = 1;
		m->used = 0;
		if (len > sizeof m->buf) {
			if (!m->bad && EVP_MAC_update(m->c, v, len) != 1)
				m->bad = 1;
			return;
		}
	}
	memcpy(m->buf + m->used, v, len);
	m->used += len;
}

/* One value: its length as 8 bytes big-endian (all ones for NULL), then
 * its bytes. */
static void
add(struct mac *m, const unsigned char *v, size_t len, int null)
{
	unsigned char l[8];
	unsigned long long x = null ? ~0ULL : (unsigned long long)len;
	int i;

	for (i = 7; i >= 0; i--, x >>= 8)
		l[i] = (unsigned char)(x & 0xff);
	put(m, l, sizeof l);
	put(m, v, len);
}

static int
finish(struct mac *m, unsigned char out[SEAL_LEN])
{
	size_t ol = 0;
	int r = !m->bad &&
	    (m->used == 0 || EVP_MAC_update(m->c, m->buf, m->used) == 1) &&
	    EVP_MAC_final(m->c, out, &ol, SEAL_LEN) == 1 && ol == SEAL_LEN ?
	    0 : -1;

	EVP_MAC_CTX_free(m->c);
	return r;
}

int
seal_row(const struct seal_key *key, const unsigned char *prev,
    sqlite3_stmt *st, int first, int ncols, unsigned char out[SEAL_LEN])
{
	struct mac m;
	int i;

	if ((m.c = start(key, prev)) == NULL)
		return -1;
	m.used = 0;
	m.bad = 0;
	for (i = first; i < first + ncols; i++) {
		int null = sqlite3_column_type(st, i) == SQLITE_NULL;
		const unsigned char *v = null ? NULL :
		    sqlite3_column_text(st, i);

		add(&m, v, null ? 0 : (size_t)sqlite3_column_bytes(st, i),
		    null);
	}
	return finish(&m, out);
}

int
seal_strings(const struct seal_key *key, const unsigned char *prev,
    const char *const *v, size_t n, unsigned char out[SEAL_LEN])
{
	struct mac m;
	size_t i;

	if ((m.c = start(key, prev)) == NULL)
		return -1;
	m.used = 0;
	m.bad = 0;
	for (i = 0; i < n; i++)
		add(&m, (const unsigned char *)v[i], v[i] ? strlen(v[i]) : 0,
		    v[i] == NULL);
	return finish(&m, out);
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
