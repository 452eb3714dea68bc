/*
 * fuzz-quota-util.c: the helpers of fuzz-quota.h.
 */
#include "config.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include <sqlite3.h>

#include "fuzz-quota.h"
#include "fnv.h"

static char dir[256];

/* Remove the scratch directory (flat: files only). */
static void
cleanup(void)
{
	DIR *d;
	struct dirent *e;
	char p[600];

	if (*dir == '\0' || (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

const char *
qf_dir(void)
{
	if (*dir == '\0') {
		const char *t = access("/dev/shm", W_OK) == 0 ? "/dev/shm" :
		    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

		snprintf(dir, sizeof dir, "%s/fuzz-quota.XXXXXX", t);
		if (mkdtemp(dir) == NULL) {
			perror(dir);
			abort();
		}
		atexit(cleanup);
	}
	return dir;
}

const char *
qf_path(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", qf_dir(), name);
	return buf[i];
}

void
qf_write(const char *path, const void *p, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(p, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

char *
qf_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (f == NULL)
		return NULL;
	for (;;) {
		if (cap - *len < 4096) {
			char *np = realloc(p, cap = cap * 2 + 8192);

			if (np == NULL)
				abort();
			p = np;
		}
		if ((n = fread(p + *len, 1, cap - *len - 1, f)) == 0)
			break;
		*len += n;
	}
	fclose(f);
	p[*len] = '\0';
	return p;
}

long
qf_rows(const char *text, size_t len)
{
	size_t i = 0;
	int header = 0;
	long rows = 0;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - text) : len;

		if (!header)
			header = text[i] != '#';
		else if (text[i] == '#')
			break;
		else
			rows++;
		i = e + 1;
	}
	return rows;
}

char *
qf_ledger(const uint8_t *body, size_t n, int with_header, int seal,
    size_t *len)
{
	size_t cap = n + sizeof QF_COMMENT + sizeof QF_HEADER + 80;
	char *p = malloc(cap);
	size_t l = 0;

	if (p == NULL)
		abort();
	if (with_header) {
		l += (size_t)sprintf(p, "%s\n%s\n", QF_COMMENT, QF_HEADER);
	}
	memcpy(p + l, body, n);
	l += n;
	if (seal) {
		if (l > 0 && p[l - 1] != '\n')
			p[l++] = '\n';
		l += (size_t)sprintf(p + l, "#end rows=%ld check=%016" PRIx64
		    "\n", qf_rows(p, l), fnv64(FNV64_INIT, p, l));
	}
	*len = l;
	return p;
}

void
qf_run_init(struct run *r, const char *path)
{
	static char key[600];

	memset(r, 0, sizeof *r);
	r->ledger_path = path;
	/* One MAC key for every ledger of the process (the starting one is
	 * copied under new names): made on first use, kept to the end. */
	if (*key == '\0')
		snprintf(key, sizeof key, "%s/mac.key", qf_dir());
	r->mac_key_path = key;
	r->spool = -1;
	r->evo.fd = -1;
	r->pol.year_start = 101;
	r->lock_timeout = 0;
}

void
qf_run_free(struct run *r)
{
	free(r->defer);
	free(r->rows.v);
	free(r->evs.v);
	free(r->docs.v);
	free(r->strv.v);
	free(r->pys.v);
	free(r->asides.v);
	free((char *)r->store_path);
	free(r->convert_from);
	if (r->st)
		qstore_close(r);
	ht_free(&r->keys);
	rkey_free(r);
	arena_free(&r->kar);
	ht_free(&r->pyears);
	ht_free(&r->strs);
	arena_free(&r->ar);
	policy_free(&r->pol);
	memset(r, 0, sizeof *r);
}

static void
want(struct run *r, const char *k)
{
	size_t len = strlen(k);
	char *c;

	if (ht_get(&r->keys, k, len) != HT_NONE)
		return;
	if ((c = arena_dup(&r->ar, k, len)) == NULL ||
	    ht_put(&r->keys, c, len, HT_NONE - 1) != 0)
		abort();
}

void
qf_want_rows(struct run *r, const char *text, size_t len)
{
	char *copy = malloc(len + 1), *p, *f[18], k[256];
	size_t i = 0;
	int header = 0;

	if (copy == NULL)
		abort();
	memcpy(copy, text, len);
	copy[len] = '\0';
	while (i < len) {
		char *nl = memchr(copy + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - copy) : len;

		p = copy + i;
		copy[e] = '\0';
		i = e + 1;
		if (!header) {
			header = *p != '#';
			continue;
		}
		if (*p == '#')
			break;
		if (ledger_split(p, f, 17) != 17)
			continue;
		/* person year date invtNo ebpCode orderNo ebcCode agentCode
		 * copNo ... */
		if (key_invt(k, sizeof k, f[3]) == 0)
			want(r, k);
		if (key_agent(k, sizeof k, f[7], f[8]) == 0)
			want(r, k);
		if (key_ebc(k, sizeof k, f[6], f[8]) == 0)
			want(r, k);
		if (key_order(k, sizeof k, f[4], f[5]) == 0)
			want(r, k);
	}
	free(copy);
}

void
qf_check_row(const struct row *w)
{
	FUZZ_ASSERT(w->py != NULL && w->py->person != NULL &&
	    *w->py->person != '\0');
	FUZZ_ASSERT(dec_sign(w->amount) >= 0);
	FUZZ_ASSERT(dec_sign(w->used) >= 0);
	FUZZ_ASSERT(dec_sign(w->released) >= 0);
	FUZZ_ASSERT(dec_cmp(w->released, w->amount) <= 0);
	switch (w->state) {
	case S_COUNTED:
		FUZZ_ASSERT(verdict_counted(w->verdict));
		FUZZ_ASSERT(dec_sign(w->released) == 0);
		break;
	case S_PARTIAL:
		FUZZ_ASSERT(verdict_counted(w->verdict));
		FUZZ_ASSERT(dec_sign(w->released) > 0);
		FUZZ_ASSERT(dec_cmp(w->released, w->amount) < 0);
		break;
	case S_RELEASED:
		FUZZ_ASSERT(verdict_counted(w->verdict));
		break;
	case S_REJECTED:
		FUZZ_ASSERT(!verdict_counted(w->verdict));
		FUZZ_ASSERT(dec_sign(w->released) == 0);
		break;
	default:
		FUZZ_ASSERT(!"a row left pending");
	}
}

/* ---- the SQLite store ---- */

static sqlite3 *
qf_db(const char *path)
{
	sqlite3 *db;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		abort();
	return db;
}

long
qf_count(const char *path)
{
	sqlite3 *db = qf_db(path);
	sqlite3_stmt *st;
	long n = -1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM inventories", -1,
	    &st, NULL) != SQLITE_OK)
		abort();
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

void
qf_want_store(struct run *r, const char *path)
{
	sqlite3 *db = qf_db(path);
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "SELECT key FROM inventory_keys", -1, &st,
	    NULL) != SQLITE_OK)
		abort();
	while (sqlite3_step(st) == SQLITE_ROW)
		want(r, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

char *
qf_dump(const char *path, size_t *len)
{
	static const char *const q[] = {
		"SELECT * FROM inventories ORDER BY id",
		"SELECT person, year, used FROM buyer_years ORDER BY 1, 2",
		"SELECT inventory, person, year, kind, guid, amount, delta, "
		    "used_after, time FROM quota_events ORDER BY seq",
		"SELECT * FROM inventory_keys ORDER BY 1"
	};
	sqlite3 *db = qf_db(path);
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);
	size_t i;

	if (fp == NULL)
		abort();
	for (i = 0; i < sizeof q / sizeof q[0]; i++) {
		sqlite3_stmt *st;
		int c;

		if (sqlite3_prepare_v2(db, q[i], -1, &st, NULL) != SQLITE_OK)
			abort();
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (c = 0; c < sqlite3_column_count(st); c++)
				fprintf(fp, "%s\037", sqlite3_column_text(st,
				    c) ? (const char *)sqlite3_column_text(st,
				    c) : "");
			fputc('\n', fp);
		}
		sqlite3_finalize(st);
		fputs("==\n", fp);
	}
	sqlite3_close(db);
	fclose(fp);
	*len = n;
	return buf;
}

void
qf_unlink(const char *path)
{
	static const char *const suf[] = { "", "-wal", "-shm", ".lock",
	    ".converted" };
	char p[4200];
	size_t i;

	for (i = 0; i < sizeof suf / sizeof suf[0]; i++) {
		snprintf(p, sizeof p, "%s%s", path, suf[i]);
		(void)unlink(p);
	}
}
