/*
 * ledger.c: the reader of the quota ledger written by releases before
 * the SQLite store (format v1), kept only to convert such a ledger on
 * first use (qstore.c).  A v1 ledger is a plain CSV file (optionally
 * gzip) with one row per inventory judged by any run:
 *
 *   # ceb-quota-check ledger v1 ...                      (one comment line)
 *   person,year,date,invtNo,ebpCode,orderNo,ebcCode,agentCode,copNo,
 *     amount,lines,verdict,state,used,released,guid,events
 *   ...rows...
 *   #end rows=N check=XXXXXXXXXXXXXXXX
 *
 * The last line seals the file: the number of rows and the FNV-1a 64 hash
 * of every byte before it.  A ledger without its seal, with a seal that
 * does not match, or with a row that does not parse, is trouble: nothing
 * is converted (the conversion is part of the run's transaction).
 *
 * events is a space-separated history, each entry colon-separated:
 *   J:guid:verdict:used:amount     an earlier judgment of the same
 *                                  inventory (re-declared after rejection)
 *   C:guid:given:usedafter:time    quota given back by a cancel (623)
 *   R:guid:given:usedafter:time    ... by a return (625)
 *   X:guid:given:usedafter:time    ... by a receipt 100/700 (622)
 * The store keeps it as the history column of the inventory, and turns
 * each entry into a quota event.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "i18n.h"
#include "input.h"
#include "quota.h"
#include "fnv.h"

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

/*
 * Check a row's lines column ("gnum:qty:totalPrice[:returnedQty];...",
 * as quota_amount writes it and returns extend it) against the row's
 * amount: every line parses (gnum 1-999, qty, totalPrice and
 * returnedQty not negative) and the totalPrices add up to no more than
 * the amount (which adds freight and insurance), give or take the cent
 * by which each line's total and the amount were rounded to 2 places.
 * Returns 0, or -1 when the column cannot be what the tool wrote.
 */
int
quota_lines_check(const char *lines, struct dec amount)
{
	struct dec sum = dec_from_int(0), cent;
	const char *p = lines;

	if (dec_parse_str("0.01", &cent) != DEC_OK || *p == '\0')
		return -1;
	while (*p) {
		char buf[4][64], *end;
		size_t k = 0, n;
		struct dec qty, total, ret = dec_from_int(0);
		long gnum;

		for (;;) {
			n = strcspn(p, ":;");
			if (k == 4 || n >= sizeof buf[0])
				return -1;
			memcpy(buf[k], p, n);
			buf[k++][n] = '\0';
			p += n;
			if (*p != ':')
				break;
			p++;
		}
		if (*p == ';' && *++p == '\0')
			return -1;
		gnum = strtol(buf[0], &end, 10);
		if (k < 3 || buf[0][0] == '\0' || *end != '\0' || gnum < 1 ||
		    gnum > 999 ||
		    dec_parse_str(buf[1], &qty) != DEC_OK ||
		    dec_sign(qty) < 0 ||
		    dec_parse_str(buf[2], &total) != DEC_OK ||
		    dec_sign(total) < 0 ||
		    (k == 4 && (dec_parse_str(buf[3], &ret) != DEC_OK ||
		    dec_sign(ret) < 0)))
			return -1;
		sum = dec_add(sum, total);
		amount = dec_add(amount, cent);
	}
	return dec_cmp(sum, amount) > 0 ? -1 : 0;
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
	if (quota_lines_check(f[C_LINES], *amount) != 0)
		return _("lines do not parse or add up to more than the "
		    "amount");
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

/*
 * Read every row of the v1 ledger at path, checking header, rows and
 * seal, and hand each to fn.  Returns 0, or -1 after reporting the
 * trouble (located at the ledger's line); fn returning nonzero stops the
 * read with -1 (fn reported).
 */
int
ledger_v1_each(const char *path, ledger_v1_fn fn, void *arg)
{
	struct lreader lr;
	char *line, *f[NCOLS + 1];
	size_t len;
	int nl, rc, header = 0, sealed = 0;
	long rows = 0;

	if (lr_open(&lr, path) != 0) {
		diag_trouble(path, 0, _("cannot read ledger: %s"), lr.err);
		return -1;
	}
	while ((rc = lr_next(&lr, &line, &len, &nl)) == 1) {
		struct v1row v;
		const char *why;

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
		if ((why = check_row(f, &v.year, &v.amount, &v.released,
		    &v.verdict, &v.state))) {
			diag_trouble(path, lr.line, _("ledger row: %s"), why);
			goto fail;
		}
		v.person = f[C_PERSON];
		v.date = f[C_DATE];
		v.invtno = f[C_INVTNO];
		v.ebp = f[C_EBP];
		v.orderno = f[C_ORDERNO];
		v.ebc = f[C_EBC];
		v.agent = f[C_AGENT];
		v.copno = f[C_COPNO];
		v.lines = f[C_LINES];
		(void)parse_dec(f[C_USED], &v.used);
		v.guid = f[C_GUID];
		v.events = f[C_EVENTS];
		v.line = lr.line;
		if (fn(&v, arg) != 0)
			goto fail;
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
	lr_close(&lr);
	return 0;
fail:
	lr_close(&lr);
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
