/*
 * ledger.c: the quota ledger, a plain CSV file (optionally gzip) with one
 * row per inventory judged by any run:
 *
 *   # ceb-quota-check ledger v1 ...                      (one comment line)
 *   person,year,date,invtNo,ebpCode,orderNo,ebcCode,agentCode,copNo,
 *     amount,lines,verdict,state,used,released,guid,events
 *   ...rows...
 *   #end rows=N check=XXXXXXXXXXXXXXXX
 *
 * The last line seals the file: the number of rows and the FNV-1a 64 hash
 * of every byte before it.  A ledger without its seal, with a seal that
 * does not match, or with a row that does not parse, is trouble: a run
 * never resets or guesses.  Rows are never removed; their state changes
 * (counted -> partial -> released) and their event list grows.
 *
 * events is a space-separated history, each entry colon-separated:
 *   J:guid:verdict:used:amount     an earlier judgment of the same
 *                                  inventory (re-declared after rejection)
 *   C:guid:given:usedafter:time    quota given back by a cancel (623)
 *   R:guid:given:usedafter:time    ... by a return (625)
 *   X:guid:given:usedafter:time    ... by a receipt 100/700 (622)
 * so that a rerun recognises every message it has already applied and
 * reports it exactly as the first run did.
 *
 * A run reads the ledger once (ledger_read: check the seal, total the
 * quota used by the buyers of the run, load the rows its keys name) and
 * writes the new one once (ledger_write: copy the old rows, rewriting the
 * changed ones, append the new ones, seal, then state_commit()).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csvio.h"
#include "diag.h"
#include "i18n.h"
#include "input.h"
#include "mask.h"
#include "quota.h"
#include "state.h"
#include "fnv.h"

#define LEDGER_COMMENT "# ceb-quota-check ledger v1: one row per judged " \
	"inventory; the last line seals the file (rows, checksum)"
#define LEDGER_HEADER "person,year,date,invtNo,ebpCode,orderNo,ebcCode," \
	"agentCode,copNo,amount,lines,verdict,state,used,released,guid,events"
#define NCOLS 17

enum col {
	C_PERSON, C_YEAR, C_DATE, C_INVTNO, C_EBP, C_ORDERNO, C_EBC, C_AGENT,
	C_COPNO, C_AMOUNT, C_LINES, C_VERDICT, C_STATE, C_USED, C_RELEASED,
	C_GUID, C_EVENTS
};

/* ---- reading lines with a running checksum ---- */

struct lreader {
	struct input *in;
	char *buf;
	size_t cap, start, end;
	int eof;
	long line;
	uint64_t sum;
	char err[300];
};

static int
lr_open(struct lreader *lr, const char *path)
{
	memset(lr, 0, sizeof *lr);
	lr->sum = FNV64_INIT;
	if ((lr->in = input_open(path, lr->err, sizeof lr->err)) == NULL)
		return -1;
	lr->cap = 1 << 20;
	if ((lr->buf = malloc(lr->cap)) == NULL) {
		input_close(lr->in);
		snprintf(lr->err, sizeof lr->err, "%s", strerror(ENOMEM));
		return -1;
	}
	return 0;
}

static void
lr_close(struct lreader *lr)
{
	if (lr->in)
		input_close(lr->in);
	free(lr->buf);
	lr->in = NULL;
	lr->buf = NULL;
}

/*
 * Next line (without its newline, NUL-terminated in place): 1, 0 at the
 * end, -1 on a read error.  *nl tells whether it ended in a newline.  The
 * checksum is NOT updated here (the caller decides: the seal line is not
 * part of it).
 */
static int
lr_next(struct lreader *lr, char **line, size_t *len, int *nl)
{
	for (;;) {
		char *p = memchr(lr->buf + lr->start, '\n', lr->end - lr->start);

		if (p != NULL || (lr->eof && lr->end > lr->start)) {
			char *s = lr->buf + lr->start;

			*len = p ? (size_t)(p - s) : lr->end - lr->start;
			*nl = p != NULL;
			if (p)
				*p = '\0';
			else {
				/* Make room for the terminator. */
				if (lr->end == lr->cap) {
					char *nb = realloc(lr->buf, lr->cap + 1);
					if (nb == NULL)
						return -1;
					lr->buf = nb;
					lr->cap++;
					s = lr->buf + lr->start;
				}
				s[*len] = '\0';
			}
			lr->start += *len + (p != NULL);
			if (p == NULL)
				lr->start = lr->end;
			lr->line++;
			*line = s;
			return 1;
		}
		if (lr->eof)
			return 0;
		if (lr->start > 0) {
			memmove(lr->buf, lr->buf + lr->start,
			    lr->end - lr->start);
			lr->end -= lr->start;
			lr->start = 0;
		}
		if (lr->end == lr->cap) {
			char *nb = realloc(lr->buf, lr->cap * 2);

			if (nb == NULL) {
				snprintf(lr->err, sizeof lr->err, "%s",
				    strerror(ENOMEM));
				return -1;
			}
			lr->buf = nb;
			lr->cap *= 2;
		}
		ssize_t n = input_read(lr->in, lr->buf + lr->end,
		    lr->cap - lr->end);
		if (n < 0) {
			snprintf(lr->err, sizeof lr->err, "%s",
			    input_error(lr->in));
			return -1;
		}
		if (n == 0)
			lr->eof = 1;
		lr->end += (size_t)n;
	}
}

/*
 * A row holding a byte that format_row() never writes: NUL (which would cut
 * the C string and drop the rest of the row silently) or CR (written as a
 * blank).  Loading it would change the row on the next save.
 */
static int
bad_bytes(const char *line, size_t len)
{
	return memchr(line, '\0', len) != NULL ||
	    memchr(line, '\r', len) != NULL;
}

/* Split a CSV line in place into at most max fields; returns the count or
 * -1 when a quoted field is not closed properly. */
int
ledger_split(char *s, char **f, int max)
{
	int n = 0;

	for (;;) {
		char *w;

		if (n == max)
			return max + 1;
		if (*s == '"') {
			w = ++s;
			f[n++] = w;
			for (;;) {
				if (*s == '\0')
					return -1;
				if (*s == '"') {
					if (s[1] == '"') {
						*w++ = '"';
						s += 2;
						continue;
					}
					s++;
					break;
				}
				*w++ = *s++;
			}
			if (*s != ',' && *s != '\0')
				return -1;
			*w = '\0';
		} else {
			f[n++] = s;
			while (*s && *s != ',')
				s++;
		}
		if (*s == '\0')
			return n;
		*s++ = '\0';
	}
}

/* ---- rows ---- */

static int
parse_dec(const char *s, struct dec *d)
{
	return dec_parse_str(s, d) == DEC_OK ? 0 : -1;
}

/* Check one row's values; fills what the scan needs.  Returns a reason
 * or NULL. */
static const char *
check_row(char **f, int *year, struct dec *amount, struct dec *released,
    enum verdict *v, enum rstate *st)
{
	struct dec used;
	char *end;
	long y;

	if (*f[C_PERSON] == '\0')
		return _("empty person");
	y = strtol(f[C_YEAR], &end, 10);
	if (*f[C_YEAR] == '\0' || *end != '\0' || y < 1900 || y > 9999)
		return _("year is not a year");
	*year = (int)y;
	if (*f[C_DATE] == '\0')
		return _("empty date");
	if (parse_dec(f[C_AMOUNT], amount) || dec_sign(*amount) < 0)
		return _("amount is not an amount");
	if (parse_dec(f[C_USED], &used) || dec_sign(used) < 0)
		return _("used is not an amount");
	if (parse_dec(f[C_RELEASED], released) || dec_sign(*released) < 0 ||
	    dec_cmp(*released, *amount) > 0)
		return _("released is not an amount up to the row's amount");
	if (verdict_parse(f[C_VERDICT], v) != 0)
		return _("unknown verdict");
	if (state_parse(f[C_STATE], st) != 0 || *st == S_PENDING)
		return _("unknown state");
	switch (*st) {
	case S_REJECTED:
		if (verdict_counted(*v) || dec_sign(*released) != 0)
			return _("state rejected does not fit the verdict");
		break;
	case S_COUNTED:
		if (!verdict_counted(*v) || dec_sign(*released) != 0)
			return _("state counted does not fit the row");
		break;
	case S_PARTIAL:
		if (!verdict_counted(*v) || dec_sign(*released) <= 0 ||
		    dec_cmp(*released, *amount) >= 0)
			return _("state partial does not fit the row");
		break;
	case S_RELEASED:
		if (!verdict_counted(*v))
			return _("state released does not fit the verdict");
		break;
	default:
		break;
	}
	return NULL;
}

/* Length of the ID part of a person key (before '|'). */
static size_t
id_len(const char *person)
{
	const char *bar = strchr(person, '|');

	return bar ? (size_t)(bar - person) : strlen(person);
}

static struct row *
load_row(struct run *r, char **f, long line, int year, struct dec amount,
    struct dec released, enum verdict v, enum rstate st)
{
	struct row *w = arena_alloc(&r->ar, sizeof *w);

	if (w == NULL)
		return NULL;
	w->person = arena_str(&r->ar, f[C_PERSON]);
	w->year = year;
	w->date = arena_str(&r->ar, f[C_DATE]);
	w->invtno = arena_str(&r->ar, f[C_INVTNO]);
	w->ebp = arena_str(&r->ar, f[C_EBP]);
	w->orderno = arena_str(&r->ar, f[C_ORDERNO]);
	w->ebc = arena_str(&r->ar, f[C_EBC]);
	w->agent = arena_str(&r->ar, f[C_AGENT]);
	w->copno = arena_str(&r->ar, f[C_COPNO]);
	w->amount = amount;
	w->lines = arena_str(&r->ar, f[C_LINES]);
	w->verdict = v;
	w->state = st;
	(void)parse_dec(f[C_USED], &w->used);
	w->released = released;
	w->guid = arena_str(&r->ar, f[C_GUID]);
	w->events = arena_str(&r->ar, f[C_EVENTS]);
	w->line = line;
	return w;
}

/* The key strings of a row (or event): up to 4, NUL-separated in buf. */
static int
row_keys(char bufs[4][256], const char *invtno, const char *agent,
    const char *ebc, const char *ebp, const char *copno, const char *orderno)
{
	int n = 0;

	if (key_invt(bufs[n], 256, invtno) == 0)
		n++;
	if (key_agent(bufs[n], 256, agent, copno) == 0)
		n++;
	if (key_ebc(bufs[n], 256, ebc, copno) == 0)
		n++;
	if (key_order(bufs[n], 256, ebp, orderno) == 0)
		n++;
	return n;
}

#define WANTED (HT_NONE - 1)

/*
 * One pass over the ledger.  load: check every row and load the rows
 * whose keys are wanted; otherwise only sum.  Returns 0, or -1 after
 * reporting the trouble.
 */
static int
scan(struct run *r, int load)
{
	const char *path = r->ledger_path;
	struct lreader lr;
	char *line, *f[NCOLS + 1], keys[4][256];
	size_t len;
	int nl, rc, header = 0, sealed = 0, i, nk;
	long rows = 0;

	if (lr_open(&lr, path) != 0) {
		diag_trouble(path, 0, _("cannot read ledger: %s"), lr.err);
		return -1;
	}
	if (load)
		r->ledger_gzip = input_is_gzip(lr.in);
	while ((rc = lr_next(&lr, &line, &len, &nl)) == 1) {
		int year;
		struct dec amount, released;
		enum verdict v;
		enum rstate st;
		const char *why;
		struct pyear *py;

		if (sealed) {
			diag_trouble(path, lr.line,
			    _("ledger has lines after its seal"));
			goto fail;
		}
		if (!header && line[0] == '#') {
			lr.sum = fnv64(fnv64(lr.sum, line, len), "\n", 1);
			continue;
		}
		if (!header) {
			if (strcmp(line, LEDGER_HEADER) != 0) {
				diag_trouble(path, lr.line, _("not a "
				    "ceb-quota-check ledger (header differs)"));
				goto fail;
			}
			header = 1;
			lr.sum = fnv64(fnv64(lr.sum, line, len), "\n", 1);
			continue;
		}
		if (line[0] == '#') {
			char want[64];
			snprintf(want, sizeof want,
			    "#end rows=%ld check=%016" PRIx64, rows, lr.sum);
			if (strcmp(line, want) != 0 || !nl) {
				diag_trouble(path, lr.line, _("ledger seal does "
				    "not match its contents (damaged or edited)"));
				goto fail;
			}
			sealed = 1;
			continue;
		}
		if (!nl) {
			diag_trouble(path, lr.line,
			    _("ledger ends in a partial line"));
			goto fail;
		}
		lr.sum = fnv64(fnv64(lr.sum, line, len), "\n", 1);
		rows++;
		if (bad_bytes(line, len)) {
			diag_trouble(path, lr.line, _("ledger row holds a NUL "
			    "or carriage return, which the ledger never writes "
			    "(damaged or edited)"));
			goto fail;
		}
		if (ledger_split(line, f, NCOLS) != NCOLS) {
			diag_trouble(path, lr.line, _("ledger row does not "
			    "have %d fields"), NCOLS);
			goto fail;
		}
		if ((why = check_row(f, &year, &amount, &released, &v, &st))) {
			diag_trouble(path, lr.line, _("ledger row: %s"), why);
			goto fail;
		}
		if (!shard_mine(&r->shard, f[C_PERSON], id_len(f[C_PERSON]))) {
			diag_trouble(path, lr.line, _("ledger row belongs to "
			    "another shard than %u/%u"), r->shard.k, r->shard.n);
			goto fail;
		}
		/* Totals: counted amount minus what was given back. */
		if (r->pyears.n > 0) {
			char pk[512];
			int n = snprintf(pk, sizeof pk, "%s\037%d",
			    f[C_PERSON], year);
			uint32_t pi = n > 0 && (size_t)n < sizeof pk ?
			    ht_get(&r->pyears, pk, (size_t)n) : HT_NONE;

			if (pi != HT_NONE && (py = r->pys.v[pi])->active &&
			    verdict_counted(v) && st != S_REJECTED)
				py->used = dec_add(py->used,
				    dec_sub(amount, released));
		}
		if (!load)
			continue;
		nk = row_keys(keys, f[C_INVTNO], f[C_AGENT], f[C_EBC],
		    f[C_EBP], f[C_COPNO], f[C_ORDERNO]);
		for (i = 0; i < nk; i++)
			if (ht_get(&r->keys, keys[i], strlen(keys[i])) !=
			    HT_NONE)
				break;
		if (i < nk) {
			struct row *w = load_row(r, f, lr.line, year, amount,
			    released, v, st);

			if (w != NULL)
				w->idx = (uint32_t)r->rows.n;
			if (w == NULL || vec_push(&r->rows, w) != 0) {
				diag_trouble(path, 0, _("out of memory"));
				goto fail;
			}
			for (i = 0; i < nk; i++) {
				size_t kl = strlen(keys[i]);
				uint32_t old = ht_get(&r->keys, keys[i], kl);
				char *k;

				if (old != HT_NONE && old != WANTED) {
					diag_trouble(path, lr.line, _("ledger "
					    "rows at lines %ld and %ld hold the "
					    "same inventory key %s"),
					    ((struct row *)r->rows.v[old])->line,
					    lr.line, keys[i] + 2);
					goto fail;
				}
				/* Wanted keys are in the table, strings and
				 * all: only the value changes. */
				k = old == WANTED ? keys[i] :
				    arena_dup(&r->ar, keys[i], kl);
				if (k == NULL || ht_put(&r->keys, k, kl,
				    (uint32_t)(r->rows.n - 1)) != 0) {
					diag_trouble(path, 0,
					    _("out of memory"));
					goto fail;
				}
			}
			w->py = pyear_get(r, w->person, w->year, 1);
		}
	}
	if (rc < 0) {
		diag_trouble(path, lr.line, _("cannot read ledger: %s"),
		    lr.err);
		goto fail;
	}
	if (!header) {
		diag_trouble(path, lr.line, _("ledger has no header"));
		goto fail;
	}
	if (!sealed) {
		diag_trouble(path, lr.line, _("ledger has no seal at its end "
		    "(truncated?)"));
		goto fail;
	}
	r->ledger_rows = rows;
	lr_close(&lr);
	return 0;
fail:
	lr_close(&lr);
	return -1;
}

int
ledger_read(struct run *r)
{
	struct stat st;
	size_t i, before;

	if (stat(r->ledger_path, &st) != 0) {
		if (errno != ENOENT) {
			diag_trouble(r->ledger_path, 0,
			    _("cannot read ledger: %s"), strerror(errno));
			return -1;
		}
		r->ledger_exists = 0;
		for (i = 0; i < r->pys.n; i++)
			((struct pyear *)r->pys.v[i])->active = 0;
		return 0;
	}
	r->ledger_exists = 1;
	for (i = 0; i < r->pys.n; i++)
		((struct pyear *)r->pys.v[i])->active = 1;
	before = r->pys.n;
	if (scan(r, 1) != 0)
		return -1;
	/*
	 * Rows loaded for a release may belong to buyers the run had not
	 * named: their totals were not summed above; a second pass sums
	 * only theirs.
	 */
	for (i = 0; i < r->pys.n; i++)
		((struct pyear *)r->pys.v[i])->active = i >= before;
	if (r->pys.n > before && scan(r, 0) != 0)
		return -1;
	for (i = 0; i < r->pys.n; i++)
		((struct pyear *)r->pys.v[i])->active = 0;
	return 0;
}

/* ---- writing ---- */

struct wbuf {
	char *p;
	size_t n, cap;
};

static int
wb_put(struct wbuf *b, const char *s, size_t len)
{
	if (b->n + len + 1 > b->cap) {
		size_t nc = (b->n + len + 1) * 2;
		char *np = realloc(b->p, nc);

		if (np == NULL)
			return -1;
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	return 0;
}

static int
wb_field(struct wbuf *b, const char *v, int first)
{
	size_t len = strlen(v), i;
	int q = len > 0 && (v[0] == ' ' || v[len - 1] == ' ');

	if (!first && wb_put(b, ",", 1) != 0)
		return -1;
	for (i = 0; i < len && !q; i++)
		if (v[i] == ',' || v[i] == '"' || v[i] == '\r' || v[i] == '\n')
			q = 1;
	if (!q)
		return wb_put(b, v, len);
	if (wb_put(b, "\"", 1) != 0)
		return -1;
	for (i = 0; i < len; i++) {
		char c = v[i] == '\r' || v[i] == '\n' ? ' ' : v[i];

		if (wb_put(b, &c, 1) != 0 || (c == '"' && wb_put(b, "\"", 1)))
			return -1;
	}
	return wb_put(b, "\"", 1);
}

static int
format_row(struct wbuf *b, const struct row *w)
{
	char year[16], amt[64], used[64], rel[64];
	const char *f[NCOLS];
	int i;

	snprintf(year, sizeof year, "%d", w->year);
	f[C_PERSON] = w->person;
	f[C_YEAR] = year;
	f[C_DATE] = w->date;
	f[C_INVTNO] = w->invtno;
	f[C_EBP] = w->ebp;
	f[C_ORDERNO] = w->orderno;
	f[C_EBC] = w->ebc;
	f[C_AGENT] = w->agent;
	f[C_COPNO] = w->copno;
	f[C_AMOUNT] = dec_format(w->amount, 2, amt, sizeof amt);
	f[C_LINES] = w->lines;
	f[C_VERDICT] = verdict_name(w->verdict);
	f[C_STATE] = state_name(w->state);
	f[C_USED] = dec_format(w->used, 2, used, sizeof used);
	f[C_RELEASED] = dec_format(w->released, 2, rel, sizeof rel);
	f[C_GUID] = w->guid;
	f[C_EVENTS] = w->events;
	b->n = 0;
	for (i = 0; i < NCOLS; i++)
		if (wb_field(b, f[i] ? f[i] : "", i == 0) != 0)
			return -1;
	return wb_put(b, "\n", 1);
}

static int
out(FILE *fp, uint64_t *sum, const char *p, size_t len)
{
	*sum = fnv64(*sum, p, len);
	return fwrite(p, 1, len, fp) == len ? 0 : -1;
}

static int
cmp_newseq(const void *a, const void *b)
{
	const struct row *x = *(struct row *const *)a;
	const struct row *y = *(struct row *const *)b;

	return (x->newseq > y->newseq) - (x->newseq < y->newseq);
}

int
ledger_write(struct run *r)
{
	const char *path = r->ledger_path;
	char err[512], seal[80];
	struct state_out *so;
	struct wbuf b = { NULL, 0, 0 };
	uint64_t sum = FNV64_INIT;
	struct lreader lr;
	struct vec loaded = { 0 }, fresh = { 0 };
	size_t i, li = 0;
	long rows = 0;
	FILE *fp;
	int gz = r->ledger_exists ? r->ledger_gzip :
	    strlen(path) > 3 && strcmp(path + strlen(path) - 3, ".gz") == 0;

	for (i = 0; i < r->rows.n; i++) {
		struct row *w = r->rows.v[i];

		if (w->line > 0)
			(void)vec_push(&loaded, w);
		else if (w->state != S_PENDING)
			(void)vec_push(&fresh, w);
	}
	if (fresh.n > 1)	/* fresh.v is NULL when empty */
		qsort(fresh.v, fresh.n, sizeof *fresh.v, cmp_newseq);
	if ((so = state_create(path, gz, 0600, err, sizeof err)) == NULL) {
		diag_trouble(path, 0, "%s", err);
		goto fail0;
	}
	fp = state_file(so);
	if (out(fp, &sum, LEDGER_COMMENT "\n", strlen(LEDGER_COMMENT) + 1) ||
	    out(fp, &sum, LEDGER_HEADER "\n", strlen(LEDGER_HEADER) + 1))
		goto werr;
	if (r->ledger_exists) {
		char *line;
		size_t len;
		int nl, rc, header = 0;
		uint64_t oldsum;

		if (lr_open(&lr, path) != 0) {
			diag_trouble(path, 0, _("cannot read ledger: %s"),
			    lr.err);
			goto fail;
		}
		while ((rc = lr_next(&lr, &line, &len, &nl)) == 1) {
			struct row *w = NULL;

			if (line[0] == '#' && header)
				break;	/* the seal, checked below */
			oldsum = lr.sum;
			lr.sum = fnv64(fnv64(oldsum, line, len), "\n", 1);
			if (!header) {
				header = line[0] != '#';
				continue;
			}
			rows++;
			while (li < loaded.n &&
			    ((struct row *)loaded.v[li])->line < lr.line)
				li++;
			if (li < loaded.n &&
			    ((struct row *)loaded.v[li])->line == lr.line)
				w = loaded.v[li];
			if (w && w->changed) {
				if (format_row(&b, w) != 0)
					goto nomem;
				if (out(fp, &sum, b.p, b.n))
					goto werr;
			} else {
				line[len] = '\n';
				if (out(fp, &sum, line, len + 1))
					goto werr;
				line[len] = '\0';
			}
		}
		if (rc < 0 || rows != r->ledger_rows) {
			diag_trouble(path, lr.line, _("ledger changed while "
			    "locked (%s)"), rc < 0 ? lr.err : _("rows differ"));
			lr_close(&lr);
			goto fail;
		}
		{
			char want[64];

			snprintf(want, sizeof want,
			    "#end rows=%ld check=%016" PRIx64, rows, lr.sum);
			if (rc != 1 || strcmp(line, want) != 0) {
				diag_trouble(path, lr.line, _("ledger changed "
				    "while locked (seal differs)"));
				lr_close(&lr);
				goto fail;
			}
		}
		lr_close(&lr);
	}
	for (i = 0; i < fresh.n; i++) {
		if (format_row(&b, fresh.v[i]) != 0)
			goto nomem;
		if (out(fp, &sum, b.p, b.n))
			goto werr;
		rows++;
	}
	snprintf(seal, sizeof seal, "#end rows=%ld check=%016" PRIx64 "\n",
	    rows, sum);
	if (fputs(seal, fp) == EOF)
		goto werr;
	if (state_commit(so, err, sizeof err) != 0) {
		diag_trouble(path, 0, "%s", err);
		goto fail0;
	}
	free(b.p);
	free(loaded.v);
	free(fresh.v);
	return 0;
nomem:
	diag_trouble(path, 0, _("out of memory"));
	goto fail;
werr:
	diag_trouble(path, 0, _("cannot write ledger: %s"), strerror(errno));
fail:
	state_abort(so);
fail0:
	free(b.p);
	free(loaded.v);
	free(fresh.v);
	return -1;
}

/* ---- events ---- */

const char *
ledger_event_find(const char *events, char kind, const char *guid)
{
	size_t gl = strlen(guid);
	const char *p = events;

	while (p && *p) {
		if (p[0] == kind && p[1] == ':' &&
		    strncmp(p + 2, guid, gl) == 0 && p[2 + gl] == ':')
			return p;
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return NULL;
}

/* ---- query ---- */

int
ledger_query(const char *path, const char *id, int year, int key_name,
    const struct policy *pol)
{
	struct lreader lr;
	char *line, *f[NCOLS + 1], norm[128], *p;
	size_t len, idl, i;
	int nl, rc, header = 0, sealed = 0;
	long rows = 0;
	struct qp {
		char *person;
		struct dec used;
		long n;
	} *qs = NULL;
	size_t nq = 0;
	const struct policy_row *pr = policy_for_year(pol, year);

	snprintf(norm, sizeof norm, "%s", id);
	for (p = norm; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	idl = strlen(norm);
	(void)key_name;
	if (pr == NULL) {
		diag_trouble(NULL, 0, _("no quota policy in force in %d"),
		    year);
		return -1;
	}
	if (lr_open(&lr, path) != 0) {
		diag_trouble(path, 0, _("cannot read ledger: %s"), lr.err);
		return -1;
	}
	while ((rc = lr_next(&lr, &line, &len, &nl)) == 1) {
		struct dec amount, released;
		enum verdict v;
		enum rstate st;
		int y;
		const char *why;

		if (sealed) {
			diag_trouble(path, lr.line,
			    _("ledger has lines after its seal"));
			goto fail;
		}
		if (line[0] == '#' || !header) {
			if (line[0] == '#' && header) {
				char want[64];

				snprintf(want, sizeof want, "#end rows=%ld "
				    "check=%016" PRIx64, rows, lr.sum);
				if (strcmp(line, want) != 0) {
					diag_trouble(path, lr.line, _("ledger "
					    "seal does not match its contents "
					    "(damaged or edited)"));
					goto fail;
				}
				sealed = 1;
				continue;
			}
			if (line[0] != '#') {
				if (strcmp(line, LEDGER_HEADER) != 0) {
					diag_trouble(path, lr.line, _("not a "
					    "ceb-quota-check ledger (header "
					    "differs)"));
					goto fail;
				}
				header = 1;
			}
			lr.sum = fnv64(fnv64(lr.sum, line, len), "\n", 1);
			continue;
		}
		lr.sum = fnv64(fnv64(lr.sum, line, len), "\n", 1);
		rows++;
		if (ledger_split(line, f, NCOLS) != NCOLS ||
		    (why = check_row(f, &y, &amount, &released, &v, &st))) {
			diag_trouble(path, lr.line, _("ledger row does not "
			    "parse"));
			goto fail;
		}
		if (y != year || id_len(f[C_PERSON]) != idl ||
		    strncmp(f[C_PERSON], norm, idl) != 0)
			continue;
		for (i = 0; i < nq; i++)
			if (strcmp(qs[i].person, f[C_PERSON]) == 0)
				break;
		if (i == nq) {
			struct qp *n = realloc(qs, (nq + 1) * sizeof *n);

			if (n == NULL)
				goto fail;
			qs = n;
			qs[nq].person = strdup(f[C_PERSON]);
			qs[nq].used = dec_from_int(0);
			qs[nq].n = 0;
			nq++;
		}
		if (verdict_counted(v) && st != S_REJECTED) {
			qs[i].used = dec_add(qs[i].used,
			    dec_sub(amount, released));
			if (st != S_RELEASED)
				qs[i].n++;
		}
	}
	if (rc < 0 || !header || !sealed) {
		diag_trouble(path, lr.line, "%s", rc < 0 ? lr.err :
		    _("ledger has no seal at its end (truncated?)"));
		goto fail;
	}
	lr_close(&lr);
	printf("person,year,single_limit,annual_limit,used,remaining,"
	    "inventories\n");
	if (nq == 0) {
		qs = calloc(1, sizeof *qs);
		if (qs == NULL)
			return -1;
		qs[0].person = strdup(norm);
		qs[0].used = dec_from_int(0);
		nq = 1;
	}
	for (i = 0; i < nq; i++) {
		char pm[256], s1[64], s2[64], s3[64], s4[64], yb[16], nb[24];
		const char *row[7];
		struct dec rem = dec_sub(pr->annual, qs[i].used);
		char *bar = strchr(qs[i].person, '|');

		if (dec_sign(rem) < 0)
			rem = dec_from_int(0);
		if (bar) {
			char nm[128];

			*bar = '\0';
			mask(MASK_ID, qs[i].person, pm, sizeof pm);
			mask(MASK_NAME, bar + 1, nm, sizeof nm);
			snprintf(pm + strlen(pm), sizeof pm - strlen(pm),
			    "|%s", nm);
		} else
			mask(MASK_ID, qs[i].person, pm, sizeof pm);
		snprintf(yb, sizeof yb, "%d", year);
		snprintf(nb, sizeof nb, "%ld", qs[i].n);
		row[0] = pm;
		row[1] = yb;
		row[2] = dec_format(pr->single, 2, s1, sizeof s1);
		row[3] = dec_format(pr->annual, 2, s2, sizeof s2);
		row[4] = dec_format(qs[i].used, 2, s3, sizeof s3);
		row[5] = dec_format(rem, 2, s4, sizeof s4);
		row[6] = nb;
		if (csvio_write_row(stdout, row, 7) != 0)
			diag_write_error(_("standard output"));
		free(qs[i].person);
	}
	free(qs);
	return 0;
fail:
	for (i = 0; i < nq; i++)
		free(qs[i].person);
	free(qs);
	lr_close(&lr);
	return -1;
}

/* ---- reseal ---- */

/*
 * Check every row of a ledger that an operator edited on purpose (or
 * built elsewhere) and write it back with a fresh seal.  The old seal, if
 * any, is ignored; every row must still parse.  Returns 0, or -1 after
 * reporting the trouble.
 */
int
ledger_reseal(struct run *r)
{
	const char *path = r->ledger_path;
	struct lreader lr;
	struct state_out *so = NULL;
	char err[512], seal[80], *line, *f[NCOLS + 1], *copy = NULL;
	size_t len, ccap = 0;
	int nl, rc, header = 0, year;
	long rows = 0;
	uint64_t sum = FNV64_INIT;
	struct dec amount, released;
	enum verdict v;
	enum rstate st;
	const char *why;
	FILE *fp;

	if (lr_open(&lr, path) != 0) {
		diag_trouble(path, 0, _("cannot read ledger: %s"), lr.err);
		return -1;
	}
	if ((so = state_create(path, input_is_gzip(lr.in), 0600, err,
	    sizeof err)) == NULL) {
		diag_trouble(path, 0, "%s", err);
		lr_close(&lr);
		return -1;
	}
	fp = state_file(so);
	if (out(fp, &sum, LEDGER_COMMENT "\n", strlen(LEDGER_COMMENT) + 1) ||
	    out(fp, &sum, LEDGER_HEADER "\n", strlen(LEDGER_HEADER) + 1))
		goto werr;
	while ((rc = lr_next(&lr, &line, &len, &nl)) == 1) {
		if (line[0] == '#')
			continue;	/* comments and the old seal */
		if (!header) {
			if (strcmp(line, LEDGER_HEADER) != 0) {
				diag_trouble(path, lr.line, _("not a "
				    "ceb-quota-check ledger (header differs)"));
				goto fail;
			}
			header = 1;
			continue;
		}
		if (len + 2 > ccap) {
			char *nc = realloc(copy, ccap = len + 2);

			if (nc == NULL)
				goto fail;
			copy = nc;
		}
		memcpy(copy, line, len);
		copy[len] = '\n';
		if (bad_bytes(line, len)) {
			diag_trouble(path, lr.line, _("ledger row holds a NUL "
			    "or carriage return, which the ledger never writes "
			    "(damaged or edited)"));
			goto fail;
		}
		if (ledger_split(line, f, NCOLS) != NCOLS) {
			diag_trouble(path, lr.line, _("ledger row does not "
			    "have %d fields"), NCOLS);
			goto fail;
		}
		if ((why = check_row(f, &year, &amount, &released, &v, &st))) {
			diag_trouble(path, lr.line, _("ledger row: %s"), why);
			goto fail;
		}
		if (out(fp, &sum, copy, len + 1))
			goto werr;
		rows++;
	}
	if (rc < 0 || !header) {
		diag_trouble(path, lr.line, "%s", rc < 0 ? lr.err :
		    _("ledger has no header"));
		goto fail;
	}
	snprintf(seal, sizeof seal, "#end rows=%ld check=%016" PRIx64 "\n",
	    rows, sum);
	if (fputs(seal, fp) == EOF)
		goto werr;
	lr_close(&lr);
	free(copy);
	if (state_commit(so, err, sizeof err) != 0) {
		diag_trouble(path, 0, "%s", err);
		return -1;
	}
	return 0;
werr:
	diag_trouble(path, 0, _("cannot write ledger: %s"), strerror(errno));
fail:
	free(copy);
	lr_close(&lr);
	state_abort(so);
	return -1;
}
