/*
 * seal.h: tamper evidence for the rows of a store (docs/security.md,
 * "State"): a keyed HMAC-SHA256 (OpenSSL libcrypto) over rows of the
 * SQLite store, chained for append-only tables so that an edited,
 * removed or reordered row shows.
 *
 * The key is 32 random bytes in a file only the job's user can read
 * (created on first use, O_EXCL, mode 0600; refused when it is a
 * symbolic link, belongs to another user or others can read it).  Who
 * can read the key can forge rows: keep it out of the folders operators
 * share.  A row's MAC covers its columns as text, each with its length
 * (NULL distinct from ""), after the MAC of the row before it in a chain
 * (32 zero bytes for a row that is not chained).
 *
 * Library code: nothing here prints or exits.
 */
#ifndef CEB_SEAL_H
#define CEB_SEAL_H

#include <stddef.h>

#include <sqlite3.h>

#define SEAL_LEN 32

struct seal_key {
	unsigned char k[64];
	size_t len;
	char id[17];		/* 16 hex digits that name the key */
};

/*
 * Load the key in path; when it is missing and create is nonzero, make
 * it (32 bytes from getrandom()).  Returns 0, 1 when it was created, or
 * -1 with a message in err (missing and not to be created, unreadable,
 * a symbolic link, another user's, readable by others, shorter than 16
 * bytes).
 */
int seal_key_load(const char *path, int create, struct seal_key *key,
    char *err, size_t n);

/*
 * The MAC of columns first .. first + ncols - 1 of st's current row,
 * chained after prev (NULL: not chained) into out.  Returns 0 or -1.
 */
int seal_row(const struct seal_key *key, const unsigned char *prev,
    sqlite3_stmt *st, int first, int ncols, unsigned char out[SEAL_LEN]);

/*
 * The same MAC over n strings (NULL allowed) chained after prev: what
 * seal_row() gives for a row whose columns read as these strings.
 */
int seal_strings(const struct seal_key *key, const unsigned char *prev,
    const char *const *v, size_t n, unsigned char out[SEAL_LEN]);

/* Nonzero when column col of st's row is the blob mac. */
int seal_equal(sqlite3_stmt *st, int col, const unsigned char mac[SEAL_LEN]);

/* Lower-case hex of a MAC into hex (2 * SEAL_LEN + 1 bytes). */
void seal_hex(const unsigned char mac[SEAL_LEN], char *hex);

#endif
