/*
 * sealtab.h: the seals of a tool's state tables (docs/security.md,
 * "State"), for the stores whose tables a run rewrites rather than
 * appends to (ceb-reconcile's waiting and matched documents,
 * ceb-manifest-writeoff's parcels).
 *
 * Every row of a sealed table carries a column mac = HMAC-SHA256(key,
 * HMAC(key, "cebtools table", table) || its key columns and every other
 * column) (common/seal.h), so that an edited or forged row shows by
 * itself, and a swapped one too (the key columns and the order column
 * are sealed with it).  meta "seal:TABLE" holds "<rows> <hex>": the MAC
 * of the number of rows and of the XOR of their MACs, so that a removed
 * row, or an old row put back, shows in the table's seal.  meta
 * mac_key_id names the key.
 *
 * A run checks every row of every sealed table when it opens the store
 * (sealtab_open, inside the run's transaction, before it reads the
 * state) and seals the rows whose mac is NULL -- those it wrote; every
 * statement that changes a sealed row sets its mac to NULL -- and the
 * tables' records when it commits (sealtab_commit).  A store without
 * seals (made before them, or just created) is sealed as found by its
 * next run.
 *
 * Unlike common/seal.c this module reports through common/diag.h (like
 * common/loop.c): troubles name the store, the table and each row.
 */
#ifndef CEB_SEALTAB_H
#define CEB_SEALTAB_H

#include <sqlite3.h>

#include "seal.h"

struct sealtab {
	const char *table;	/* NULL ends a list */
	const char *key;	/* its key columns: "id", "msg, record", "rowid" */
	const char *label;	/* a column that names a row to a person, or NULL */
};

struct sealtab_run {
	struct seal_key key;
	char keypath[4096];	/* the key's file */
	char store[4096];	/* the store's path, for messages */
	int sealed;		/* the store was sealed when opened */
	long long rows;		/* rows checked by sealtab_open() */
};

/*
 * Open the seals of db (the store at store_path, in the run's
 * transaction): the key from keypath (NULL: store_path + ".key"; created
 * on first use, mode 0600), then every row of the tables t checked
 * against its MAC and each table against its record.  Returns 0, or -1
 * after a trouble naming the store and each row that does not match
 * (at most 20 named, then their count).
 */
int sealtab_open(struct sealtab_run *r, sqlite3 *db, const char *store_path,
    const char *keypath, const struct sealtab *t);

/*
 * Seal the rows of t whose mac is NULL and record each table's seal and
 * the key's id in meta, inside the run's transaction before its commit.
 * Returns 0, or -1 after a trouble.
 */
int sealtab_commit(struct sealtab_run *r, sqlite3 *db,
    const struct sealtab *t);

#endif
