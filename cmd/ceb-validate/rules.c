/*
 * rules.c: the business-rule catalogue of ceb-validate (the V- rules).
 *
 * XML Schema checks shape and length only; customs rejects far more.  This
 * file implements every business rule a single message can be checked
 * for.  The rules are declared once, as rows of the common catalogue
 * (common/catalogue-validate.def: stable ID, message types and fields,
 * default severity, the customs error code of table 7-2 it anticipates,
 * its source and a one-line English description): --list-rules prints
 * it, man/cebtools-rules.7 is generated from it, and the golden tests are
 * checked against it, so the three cannot drift apart.
 *
 * Sources: the 2022 message specification (field tables: formats, "限定"
 * values, dependent fields; table 7-2: error codes), GB 11643 and GB 32100
 * through common/ident.h, the code tables shipped in tables/ (codetab.h),
 * and the single-transaction limits of 财关税〔2016〕18号 and 〔2018〕49号.
 * Where the spec and the XSD disagree, the XSD decides structure (that is
 * the S- layer) and the spec text decides these rules.
 *
 * Each record is read once: one pass over its head and one over each line
 * fills an array of field values indexed by name (enum field), and the
 * checks then look values up by index.  Amounts are exact decimals
 * (dec.h).  Personal data is masked in every detail (mask.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "codetab.h"
#include "csvio.h"
#include "dec.h"
#include "fields.h"
#include "i18n.h"
#include "ident.h"
#include "loop.h"
#include "mask.h"
#include "policy.h"
#include "receipt.h"
#include "rules.h"
#include "tax.h"
#include "utf8.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/cebtools"
#endif

/*
 * The rules, declared once in common/catalogue-validate.def (ID, severity,
 * types, fields, customs code, source, description): here each gets a C
 * name (R_ID_CHECK ...) and the columns the checks need.  types is a
 * space-separated list of message codes, or "*" (all), "decl" (every
 * declaration), "rcpt" (every receipt).
 */
#define E DIAG_ERROR
#define W DIAG_WARNING
#define I DIAG_INFO
enum rule_no {
#define RULE(name, id, sev, types, fields, customs, source, text) R_##name,
#include "catalogue-validate.def"
#undef RULE
	NRULES
};

struct rule_def {
	const char *id;
	enum diag_sev sev;
	const char *types;
};

static const struct rule_def vrule[NRULES] = {
#define RULE(name, id, sev, types, fields, customs, source, text) \
	{ id, sev, types },
#include "catalogue-validate.def"
#undef RULE
};
#undef E
#undef W
#undef I

/* The code tables, by file name in tables/ (or -c DIR). */
enum table {
	T_CURRENCY, T_COUNTRY, T_UNIT, T_TRAF, T_WRAP, T_CUSTOMS, T_TRADE,
	T_DISTRICT, T_PORT, T_HS, NTABLES
};

static const char *const table_files[NTABLES] = {
	"currency.csv", "country.csv", "unit.csv", "transport_mode.csv",
	"wrap_type.csv", "customs_district.csv", "trade_mode.csv",
	"admin_division.csv", "port.csv", "hs_units.csv"
};

/* Receipt returnStatus codes of the spec's tables (besides negatives). */
static const char *const return_codes[] = {
	"1", "2", "3", "4", "100", "120", "300", "399", "500", "501", "502",
	"503", "505", "599", "600", "700", "800", "899", NULL
};

struct rules {
	int edition;
	unsigned char on[NRULES];
	enum diag_sev sev[NRULES];
	unsigned char applies[NRULES][64];	/* by msg_types[] index */
	unsigned char any[64];			/* some rule applies to type */
	struct codetab *tab[NTABLES];
	int complete[NTABLES];			/* the table says so */
	struct codetab *plist;			/* --positive-list */
	struct codetab *goods;			/* --goods: itemNo -> gcode */
	struct policy pol;			/* limits (--policy) */
	struct tax_table *tax;			/* rates (--tax-rates) */
	int tol_pct;				/* tolerance is a percentage */
	struct dec tol;				/* absolute, or percent */
	int ttol_pct;				/* --tax-tolerance, the same */
	struct dec ttol;
	long long now;				/* seconds, China time (UTC+8) */
	char today[9];				/* YYYYMMDD, China time */
	struct receipt_writer *rw;		/* -R DIR, mutable state */
	unsigned char blank[NFIELDS];		/* judged by V-ID-013 */
	unsigned short blank_list[NFIELDS];	/* ... the same, listed */
	int nblank;
};

/* Text of element e (message_time(): an envelope's CreatTime). */
static const char *
eltext(xmlNodePtr e)
{
	xmlNodePtr t = e->children;

	if (t == NULL)
		return "";
	if (t->next == NULL && (t->type == XML_TEXT_NODE ||
	    t->type == XML_CDATA_SECTION_NODE))
		return (const char *)t->content;
	return msg_field(e->parent, (const char *)e->name);
}

/* One record being checked. */
struct ctx {
	const struct rules *r;
	const struct msg *m;
	const struct diag_loc *loc;
	struct rules_result *res;
	const struct fdoc *d;		/* the message's fields */
	size_t ri;			/* this record's index in d */
	struct fieldset h;		/* head fields */
	struct fieldset l;		/* current line's fields */
	int errors;
};

static int
on(const struct ctx *c, enum rule_no rule)
{
	return c->r->on[rule] &&
	    c->r->applies[rule][c->m->type - msg_types];
}

static void __attribute__((format(printf, 5, 6)))
hit(struct ctx *c, enum rule_no rule, const char *field, long at,
    const char *fmt, ...)
{
	struct diag_loc loc = *c->loc;
	enum diag_sev sev = c->r->sev[rule];
	char detail[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	if (at > 0)
		loc.line = at;
	diag_finding(&loc, vrule[rule].id, sev, field, NULL, "%s", detail);
	if (sev != DIAG_ERROR)
		return;
	c->errors++;
	if (c->res != NULL && c->res->n < sizeof c->res->item /
	    sizeof c->res->item[0]) {
		size_t i = c->res->n++;

		snprintf(c->res->item[i].rule, sizeof c->res->item[i].rule,
		    "%s", vrule[rule].id);
		snprintf(c->res->item[i].text, sizeof c->res->item[i].text,
		    "%s: %.200s", field, detail);
		utf8_clean(c->res->item[i].text);	/* for the receipt */
	}
}

/* Trimmed span of s: start and length without surrounding whitespace. */
static size_t
span(const char *s, const char **start)
{
	size_t len;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	*start = s;
	return len;
}

/* Nonzero when the field is present and not blank. */
static int
filled(const char *v)
{
	const char *s;

	return v != NULL && span(v, &s) > 0;
}

/* Trimmed value equals word. */
static int
is(const char *v, const char *word)
{
	const char *s;
	size_t len;

	if (v == NULL)
		return 0;
	len = span(v, &s);
	return len == strlen(word) && strncmp(s, word, len) == 0;
}

/* Copy a trimmed, printable, bounded version of v for a detail. */
static const char *
show(const char *v, char *buf, size_t n)
{
	const char *s;
	size_t len = v ? span(v, &s) : 0;

	if (len == 0)
		return "(empty)";
	if (len > 60)
		len = 60;
	snprintf(buf, n, "%.*s", (int)len, s);
	return buf;
}

/* Parse a decimal field: 0 and *d, 1 when absent/empty/not a number. */
static int
decof(const char *v, struct dec *d)
{
	if (v == NULL)
		return 1;
	return dec_parse(v, strlen(v), d) == DEC_OK ? 0 : 1;
}

static const char *
fmtdec(struct dec d, char *buf, size_t n)
{
	return dec_format(d, 0, buf, n);
}

/* ---- times ---- */

static int
digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
num(const char *s, size_t len)
{
	int v = 0;
	size_t i;

	for (i = 0; i < len; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/*
 * Judge a time of len 8, 14 or 17 digits.  Returns 0 and the seconds
 * (China time, as if UTC) in *t, or -1 with a reason.
 */
static int
parse_time(const char *s, size_t len, long long *t, const char **why)
{
	int y, mo, d, h = 0, mi = 0, se = 0;

	if (!digits(s, len)) {
		*why = "not digits only";
		return -1;
	}
	y = num(s, 4);
	mo = num(s + 4, 2);
	d = num(s + 6, 2);
	if (len >= 14) {
		h = num(s + 8, 2);
		mi = num(s + 10, 2);
		se = num(s + 12, 2);
	}
	if (y < 2000) {
		*why = "year before 2000";
		return -1;
	}
	if (!ident_date_valid(y, mo, d)) {
		*why = "not a calendar date";
		return -1;
	}
	if (h > 23 || mi > 59 || se > 59) {
		*why = "not a time of day";
		return -1;
	}
	*t = (long long)policy_day_number((long)y * 10000 + mo * 100 + d) *
	    86400 + h * 3600 + mi * 60 + se;
	return 0;
}

static const struct {
	enum field f;
	size_t len;		/* 8, 14 or 17 */
	int future;		/* a moment of declaring: not in the future */
} time_fields[] = {
	{ F_appTime, 14, 1 }, { F_payTime, 14, 1 },
	{ F_logisticsTime, 14, 1 }, { F_leaveTime, 14, 0 },
	{ F_accountingDate, 14, 1 }, { F_startTime, 14, 0 },
	{ F_endTime, 14, 0 }, { F_declTime, 8, 1 }, { F_ieDate, 8, 0 },
	{ F_returnTime, 17, 1 }, { F_opDate, 17, 1 },
};

static const char *
time_format(size_t len)
{
	return len == 8 ? "YYYYMMDD" : len == 14 ? "YYYYMMDDhhmmss" :
	    "yyyyMMddHHmmssSSS";
}

static void
check_times(struct ctx *c)
{
	size_t i;
	char buf[80];

	for (i = 0; i < sizeof time_fields / sizeof time_fields[0]; i++) {
		enum field f = time_fields[i].f;
		const char *v = c->h.v[f], *s, *why = NULL;
		size_t len;
		long long t;

		if (v == NULL || (len = span(v, &s)) == 0)
			continue;
		if (len != time_fields[i].len) {
			if (on(c, R_TIME_FORM))
				hit(c, R_TIME_FORM, field_names[f], c->h.ln[f],
				    _("%s is not %s"), show(v, buf, sizeof buf),
				    time_format(time_fields[i].len));
			continue;
		}
		if (parse_time(s, len, &t, &why) != 0) {
			if (on(c, R_TIME_FORM))
				hit(c, R_TIME_FORM, field_names[f], c->h.ln[f],
				    _("%s is not a real %s time: %s"),
				    show(v, buf, sizeof buf),
				    time_format(len), _(why));
			continue;
		}
		if (time_fields[i].future && t > c->r->now + 86400 &&
		    on(c, R_TIME_FUTURE))
			hit(c, R_TIME_FUTURE, field_names[f], c->h.ln[f],
			    _("%s lies more than one day in the future"),
			    show(v, buf, sizeof buf));
	}
	if (on(c, R_TIME_RANGE)) {
		int hs = filled(c->h.v[F_startTime]);
		int he = filled(c->h.v[F_endTime]);

		if (hs != he)
			hit(c, R_TIME_RANGE, hs ? "endTime" : "startTime",
			    hs ? c->h.ln[F_startTime] : c->h.ln[F_endTime],
			    _("%s is given without %s"),
			    hs ? "startTime" : "endTime",
			    hs ? "endTime" : "startTime");
		else if (hs) {
			const char *a, *b;
			size_t la = span(c->h.v[F_startTime], &a);
			size_t lb = span(c->h.v[F_endTime], &b);

			if (la == lb && la == 14 && digits(a, la) &&
			    digits(b, lb) && strncmp(a, b, la) > 0)
				hit(c, R_TIME_RANGE, "endTime",
				    c->h.ln[F_endTime],
				    _("endTime %.14s is before startTime %.14s"),
				    b, a);
		}
	}
}

/* ---- identifiers ---- */

/* A UUID's shape, 8-4-4-4-12 hexadecimal digits of either case. */
static int
is_uuid(const char *s, size_t len)
{
	size_t i;

	if (len != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

static int
has_lower(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] >= 'a' && s[i] <= 'z')
			return 1;
	return 0;
}

/*
 * A guid: the spec asks for "36位系统唯一序号（英文字母大写）" and no more.
 * The length is the schema's (S-); lower-case letters are the spec's
 * (lower, V-GUID-001 on a record, V-GUID-002 on the root); the UUID shape
 * is no requirement (V-GUID-004, a warning).
 */
static void
judge_guid(struct ctx *c, enum rule_no lower, const char *v, long at)
{
	const char *s;
	size_t len;
	char buf[80];

	if (v == NULL || (len = span(v, &s)) == 0)
		return;
	if (on(c, lower) && has_lower(s, len))
		hit(c, lower, "guid", at, _("%s has lower-case letters"),
		    show(v, buf, sizeof buf));
	else if (on(c, R_GUID_UUID) && len == 36 && !is_uuid(s, len))
		hit(c, R_GUID_UUID, "guid", at,
		    _("%s is not a UUID (accepted: the spec asks for 36 "
		    "upper-case characters only)"), show(v, buf, sizeof buf));
}

static void
check_guid(struct ctx *c)
{
	const char *v = c->h.v[F_guid], *s;
	size_t len;
	char buf[80];

	if (v == NULL || (len = span(v, &s)) == 0)
		return;
	judge_guid(c, R_GUID_FORM, v, c->h.ln[F_guid]);
	if (on(c, R_GUID_DUP)) {
		size_t o;
		long k = 1;

		for (o = 0; o < c->ri; o++, k++) {
			const char *g = fdoc_head_field(c->d, o, F_guid);

			if (g != NULL && strcmp(g, v) == 0) {
				hit(c, R_GUID_DUP, "guid", c->h.ln[F_guid],
				    _("%s is also the guid of record %ld"),
				    show(v, buf, sizeof buf), k);
				break;
			}
		}
	}
}

static void
check_app(struct ctx *c)
{
	const struct msg_type *t = c->m->type;
	char buf[80];
	const char *v;

	if (on(c, R_APP_TYPE) && (v = c->h.v[F_appType]) != NULL) {
		int ok = t->code == 623 ? is(v, "1") :
		    is(v, "1") || is(v, "2") || is(v, "3");

		if (!ok)
			hit(c, R_APP_TYPE, "appType", c->h.ln[F_appType],
			    t->code == 623 ? _("%s is not 1 (new)") :
			    _("%s is not 1, 2 or 3"), show(v, buf, sizeof buf));
	}
	if (on(c, R_APP_STATUS) && (v = c->h.v[F_appStatus]) != NULL &&
	    !is(v, "1") && !is(v, "2"))
		hit(c, R_APP_STATUS, "appStatus", c->h.ln[F_appStatus],
		    _("%s is not 1 or 2"), show(v, buf, sizeof buf));
	if (on(c, R_APP_IEFLAG) && (v = c->h.v[F_ieFlag]) != NULL) {
		const char *want = t->code == 603 ? "E" : "I";

		if (!is(v, want))
			hit(c, R_APP_IEFLAG, "ieFlag", c->h.ln[F_ieFlag],
			    _("%s, expected %s in a CEB%d message"),
			    show(v, buf, sizeof buf), want, t->code);
	}
	if (on(c, R_APP_ORDERTYPE) && (v = c->h.v[F_orderType]) != NULL) {
		int ok;

		if (t->code == 311)
			ok = is(v, "I");
		else if (c->r->edition == 2018)
			ok = is(v, "E");
		else
			ok = is(v, "E") || is(v, "B") || is(v, "W");
		if (!ok)
			hit(c, R_APP_ORDERTYPE, "orderType",
			    c->h.ln[F_orderType], _("%s is not allowed in a "
			    "CEB%d message"), show(v, buf, sizeof buf),
			    t->code);
	}
	if (on(c, R_DEP_SIGNATURE) && is(c->h.v[F_appStatus], "2") &&
	    !fdoc_signed(c->d))
		hit(c, R_DEP_SIGNATURE, "ds:Signature", c->h.ln[F_appStatus],
		    _("appStatus is 2 but the message has no ds:Signature"));
	if (on(c, R_DEP_513) && (v = c->h.v[F_logisticsStatus]) != NULL &&
	    !is(v, "S"))
		hit(c, R_DEP_513, "logisticsStatus",
		    c->h.ln[F_logisticsStatus], _("%s is not S"),
		    show(v, buf, sizeof buf));
	if (on(c, R_DEP_RETURN) && (v = c->h.v[F_returnStatus]) != NULL) {
		const char *s;
		size_t len = span(v, &s), i;
		int ok = len > 1 && s[0] == '-' && digits(s + 1, len - 1);

		for (i = 0; !ok && return_codes[i] != NULL; i++)
			ok = len == strlen(return_codes[i]) &&
			    strncmp(s, return_codes[i], len) == 0;
		if (!ok)
			hit(c, R_DEP_RETURN, "returnStatus",
			    c->h.ln[F_returnStatus],
			    _("%s is not a documented receipt status"),
			    show(v, buf, sizeof buf));
	}
	if (on(c, R_DEP_MSGSEQ) && filled(c->h.v[F_msgSeqNo]) &&
	    filled(c->h.v[F_msgCount])) {
		struct dec seq, cnt;

		if (decof(c->h.v[F_msgSeqNo], &seq) == 0 &&
		    decof(c->h.v[F_msgCount], &cnt) == 0 &&
		    (dec_cmp(seq, dec_from_int(1)) < 0 ||
		    dec_cmp(seq, cnt) > 0)) {
			char b1[64], b2[64];

			hit(c, R_DEP_MSGSEQ, "msgSeqNo", c->h.ln[F_msgSeqNo],
			    _("msgSeqNo %s is not between 1 and msgCount %s"),
			    fmtdec(seq, b1, sizeof b1),
			    fmtdec(cnt, b2, sizeof b2));
		}
	}
}

/* Resident ID numbers: buyerIdNumber (idType buyerIdType) or payer's. */
static void
check_person(struct ctx *c, enum field typef, enum field numf)
{
	const char *type = c->h.v[typef], *v = c->h.v[numf], *s;
	char buf[80], m1[80], m2[80], exp = '\0', conv[19];
	size_t len;
	enum ident_err e;

	if (type == NULL)
		return;
	if (!is(type, "1")) {
		if (on(c, R_ID_TYPE))
			hit(c, R_ID_TYPE, field_names[typef], c->h.ln[typef],
			    _("%s is not 1 (resident ID card)"),
			    show(type, buf, sizeof buf));
		return;
	}
	if (v == NULL || (len = span(v, &s)) == 0)
		return;
	snprintf(buf, sizeof buf, "%.*s", (int)(len < 60 ? len : 60), s);
	mask(MASK_ID, buf, m1, sizeof m1);
	e = ident_check_id(s, len, c->r->today, &exp);
	switch (e) {
	case IDENT_OK:
		break;
	case IDENT_CHECK:
		if (on(c, R_ID_CHECK))
			hit(c, R_ID_CHECK, field_names[numf], c->h.ln[numf],
			    _("%s: check character is %c, expected %c"), m1,
			    s[17], exp);
		break;
	case IDENT_BIRTH_DATE:
	case IDENT_FUTURE:
		if (on(c, R_ID_BIRTH))
			hit(c, R_ID_BIRTH, field_names[numf], c->h.ln[numf],
			    _("%s: %s"), m1, _(ident_strerror(e)));
		break;
	case IDENT_LEGACY15:
		if (!on(c, R_ID_LEGACY))
			break;
		if (ident_id15_to_18(s, conv) == 0)
			hit(c, R_ID_LEGACY, field_names[numf], c->h.ln[numf],
			    _("%s has 15 digits; the 18-character form is %s"),
			    m1, mask(MASK_ID, conv, m2, sizeof m2));
		else
			hit(c, R_ID_LEGACY, field_names[numf], c->h.ln[numf],
			    _("%s has 15 digits"), m1);
		break;
	default:
		if (on(c, R_ID_SHAPE))
			hit(c, R_ID_SHAPE, field_names[numf], c->h.ln[numf],
			    _("%s: %s"), m1, _(ident_strerror(e)));
		break;
	}
}

static const enum field enterprise_fields[] = {
	F_ebpCode, F_ebcCode, F_logisticsCode, F_payCode, F_agentCode,
	F_assureCode, F_operatorCode
};

static void
check_enterprises(struct ctx *c)
{
	size_t i;
	int code = c->m->type->code;

	for (i = 0; i < sizeof enterprise_fields / sizeof enterprise_fields[0];
	    i++) {
		enum field f = enterprise_fields[i];
		const char *v = c->h.v[f], *s;
		char buf[80], exp = '\0';
		size_t len;
		enum ident_err e;

		if (v == NULL || (len = span(v, &s)) == 0)
			continue;
		/* 2022: a foreign platform without a code fills "无". */
		if (f == F_ebpCode && (code == 303 || code == 603) &&
		    is(v, "无"))
			continue;
		if (len == 18) {
			e = ident_check_uscc(s, len, &exp);
			if (e == IDENT_OK || !on(c, R_ENT_USCC))
				continue;
			if (e == IDENT_CHECK)
				hit(c, R_ENT_USCC, field_names[f], c->h.ln[f],
				    _("%s: check character is %c, expected %c"),
				    show(v, buf, sizeof buf), s[17], exp);
			else
				hit(c, R_ENT_USCC, field_names[f], c->h.ln[f],
				    _("%s: %s"), show(v, buf, sizeof buf),
				    _(ident_strerror(e)));
		} else if (len == 10) {
			e = ident_check_customs_code(s, len);
			if (e != IDENT_OK && on(c, R_ENT_CUSTOMS))
				hit(c, R_ENT_CUSTOMS, field_names[f],
				    c->h.ln[f], _("%s: %s"),
				    show(v, buf, sizeof buf),
				    _(ident_strerror(e)));
		} else if (on(c, R_ENT_LENGTH))
			hit(c, R_ENT_LENGTH, field_names[f], c->h.ln[f],
			    _("%s has %zu characters"),
			    show(v, buf, sizeof buf), len);
	}
	if (on(c, R_DEP_ASSURE) && filled(c->h.v[F_assureCode])) {
		const char *a = c->h.v[F_assureCode], *s;
		size_t len = span(a, &s);
		char want[64], buf[80];
		int ok = 0;

		snprintf(want, sizeof want, "%.*s", (int)(len < 60 ? len : 60),
		    s);
		ok = is(c->h.v[F_ebpCode], want) ||
		    is(c->h.v[F_ebcCode], want) ||
		    is(c->h.v[F_logisticsCode], want);
		if (!ok)
			hit(c, R_DEP_ASSURE, "assureCode", c->h.ln[F_assureCode],
			    _("%s is none of ebpCode, ebcCode, logisticsCode"),
			    show(a, buf, sizeof buf));
	}
}

/*
 * V-ID-013: white space around a key or a code.  The schema types are
 * xs:string, so the blanks are part of the value; customs (and
 * ceb-reconcile) compare the value as sent, and the other rules judge the
 * trimmed value only.  The fields judged, in every message type and
 * wherever they occur (head or line): the key fields of all message types
 * (msg_types[].keys in common/msg.c: orderNo, logisticsNo, copNo, invtNo,
 * payTransactionId ... -- the fields the 三单对碰 joins on), the code
 * fields below, and copCode of BaseTransfer (rules_check_message).
 * White space: space, tab, CR, LF, U+00A0 and U+3000 (the full-width
 * space of Chinese input methods).  The catalogue's fields column lists
 * the same set; keep the two together.
 */
static const enum field code_fields[] = {
	F_ebpCode, F_ebcCode, F_logisticsCode, F_payCode, F_agentCode,
	F_assureCode, F_operatorCode, F_customsCode, F_portCode, F_currency,
	F_fCurrency, F_iCurrency, F_country, F_tradeCountry, F_unit, F_unit1,
	F_unit2, F_trafMode, F_wrapType, F_tradeMode, F_consigneeDistrict,
	F_POD, F_gcode
};

/* Bytes of the white-space character at s (0: none). */
static size_t
ws_lead(const unsigned char *s, size_t len)
{
	if (len >= 1 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' ||
	    s[0] == '\r'))
		return 1;
	if (len >= 2 && s[0] == 0xC2 && s[1] == 0xA0)
		return 2;
	if (len >= 3 && s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
		return 3;
	return 0;
}

/* Bytes of the white-space character that ends s[0..len) (0: none). */
static size_t
ws_trail(const unsigned char *s, size_t len)
{
	if (len >= 1 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\n' || s[len - 1] == '\r'))
		return 1;
	if (len >= 2 && s[len - 2] == 0xC2 && s[len - 1] == 0xA0)
		return 2;
	if (len >= 3 && s[len - 3] == 0xE3 && s[len - 2] == 0x80 &&
	    s[len - 1] == 0x80)
		return 3;
	return 0;
}

/* v in quotes, the invisible white space spelled out, at most ~60 bytes. */
static const char *
show_blanks(const char *v, char *buf, size_t n)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t o = 0, k;

	buf[o++] = '"';
	while (*s != '\0') {
		const char *esc = NULL;

		if (o > 60 || o + 12 >= n) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		k = 1;
		if (*s == '\t')
			esc = "\\t";
		else if (*s == '\n')
			esc = "\\n";
		else if (*s == '\r')
			esc = "\\r";
		else if ((k = ws_lead(s, 3)) > 1)	/* stops at the NUL */
			esc = k == 2 ? "\\u00A0" : "\\u3000";
		else		/* one whole UTF-8 character */
			for (k = 1; k < 4 && (s[k] & 0xC0) == 0x80; k++)
				;
		if (esc != NULL) {
			memcpy(buf + o, esc, strlen(esc));
			o += strlen(esc);
		} else {
			memcpy(buf + o, s, k);
			o += k;
		}
		s += k;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

static void
padded(struct ctx *c, const char *name, const char *v, long at)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t len, lead, trail, k, i;
	char buf[128];

	if (v == NULL || (len = strlen(v)) == 0)
		return;
	lead = ws_lead(s, len);
	trail = ws_trail(s, len);
	if (lead == 0 && trail == 0)
		return;
	show_blanks(v, buf, sizeof buf);
	for (i = 0; i < len && (k = ws_lead(s + i, len - i)) > 0; i += k)
		;
	if (i == len)
		hit(c, R_KEY_BLANKS, name, at, _("%s is white space only"),
		    buf);
	else
		hit(c, R_KEY_BLANKS, name, at, lead && trail ?
		    _("%s has leading and trailing white space") : lead ?
		    _("%s has leading white space") :
		    _("%s has trailing white space"), buf);
}

/* V-ID-013 over the fields of a head or a line. */
static void
check_blanks(struct ctx *c, struct fieldset *fs)
{
	int f, k;

	if (!on(c, R_KEY_BLANKS))
		return;
	for (k = 0; k < c->r->nblank; k++) {
		f = c->r->blank_list[k];
		if (fs->v[f] != NULL)
			padded(c, field_names[f], fs->v[f], fs->ln[f]);
	}
}

/* ---- code tables ---- */

/*
 * Code v of field f is not in table tab: the table's own rule when the
 * table says it is complete, else V-CODE-014 (a warning: a table that is
 * not complete may lack a valid code, like the customs districts opened
 * after its edition).
 */
static void
missing(struct ctx *c, struct fieldset *fs, enum rule_no rule, enum field f,
    enum table tab, const char *what, const char *v)
{
	if (c->r->complete[tab]) {
		if (on(c, rule))
			hit(c, rule, field_names[f], fs->ln[f],
			    _("%s is not in the %s table"), v, _(what));
	} else if (on(c, R_CODE_UNKNOWN))
		hit(c, R_CODE_UNKNOWN, field_names[f], fs->ln[f],
		    _("%s is not in the %s table, which is not complete: "
		    "check the code"), v, _(what));
}

static void
code_in(struct ctx *c, struct fieldset *fs, enum rule_no rule, enum field f,
    enum table tab, const char *what)
{
	const char *v = fs->v[f], *s;
	size_t len;
	char buf[80];

	if (v == NULL || (len = span(v, &s)) == 0 || c->r->tab[tab] == NULL ||
	    codetab_find(c->r->tab[tab], s, len) >= 0)
		return;
	missing(c, fs, rule, f, tab, what, show(v, buf, sizeof buf));
}

/* Currency: in the table; 142 in import messages (V-DEP-005). */
static void
check_currency(struct ctx *c, struct fieldset *fs, enum field f)
{
	const char *v = fs->v[f], *s;
	size_t len;
	char buf[80];

	if (v == NULL || (len = span(v, &s)) == 0)
		return;
	if (c->r->tab[T_CURRENCY] != NULL &&
	    codetab_find(c->r->tab[T_CURRENCY], s, len) < 0) {
		missing(c, fs, R_CODE_CURRENCY, f, T_CURRENCY, N_("currency"),
		    show(v, buf, sizeof buf));
		/* Not known here (the table is not complete) is no
		 * excuse in an import message: it must be 142 anyway. */
		if (c->r->complete[T_CURRENCY])
			return;
	}
	if (on(c, R_DEP_CNY) && !is(v, "142"))
		hit(c, R_DEP_CNY, field_names[f], fs->ln[f],
		    _("%s, expected 142 (CNY)"), show(v, buf, sizeof buf));
}

static void
check_codes(struct ctx *c, struct fieldset *fs)
{
	check_currency(c, fs, F_currency);
	check_currency(c, fs, F_fCurrency);
	check_currency(c, fs, F_iCurrency);
	code_in(c, fs, R_CODE_COUNTRY, F_country, T_COUNTRY, N_("country"));
	code_in(c, fs, R_CODE_COUNTRY, F_tradeCountry, T_COUNTRY,
	    N_("country"));
	code_in(c, fs, R_CODE_UNIT, F_unit, T_UNIT, N_("unit"));
	code_in(c, fs, R_CODE_UNIT, F_unit1, T_UNIT, N_("unit"));
	code_in(c, fs, R_CODE_UNIT, F_unit2, T_UNIT, N_("unit"));
	code_in(c, fs, R_CODE_TRAF, F_trafMode, T_TRAF, N_("transport-mode"));
	code_in(c, fs, R_CODE_WRAP, F_wrapType, T_WRAP, N_("wrap-type"));
	code_in(c, fs, R_CODE_CUSTOMS, F_customsCode, T_CUSTOMS,
	    N_("customs-district"));
	code_in(c, fs, R_CODE_CUSTOMS, F_portCode, T_CUSTOMS,
	    N_("customs-district"));
	code_in(c, fs, R_CODE_DISTRICT, F_consigneeDistrict, T_DISTRICT,
	    N_("administrative-division"));
	code_in(c, fs, R_CODE_PORT, F_POD, T_PORT, N_("port"));
}

/* The trade modes each message type allows (V-CODE-007). */
static const struct {
	int code;
	const char *modes[6];
} trade_modes[] = {
	{ 621, { "9610", "1210", "1239", NULL } },
	{ 603, { "9610", "1210", "1239", "9710", "9810", NULL } },
	{ 213, { "9661", "1261", NULL } },
};

static int
bonded(const struct ctx *c)
{
	return is(c->h.v[F_tradeMode], "1210") ||
	    is(c->h.v[F_tradeMode], "1239");
}

static void
check_trade(struct ctx *c)
{
	const char *v = c->h.v[F_tradeMode], *s;
	char buf[80];
	size_t len, i, j;

	if (v == NULL || (len = span(v, &s)) == 0)
		return;
	if (on(c, R_CODE_TRADE)) {
		int known = c->r->tab[T_TRADE] == NULL ||
		    codetab_find(c->r->tab[T_TRADE], s, len) >= 0;
		int allowed = 0;

		for (i = 0; i < sizeof trade_modes / sizeof trade_modes[0];
		    i++) {
			if (trade_modes[i].code != c->m->type->code)
				continue;
			for (j = 0; trade_modes[i].modes[j] != NULL; j++)
				if (is(v, trade_modes[i].modes[j]))
					allowed = 1;
			/* 9710 and 9810 came with the 2022 edition. */
			if (c->r->edition == 2018 && (is(v, "9710") ||
			    is(v, "9810")))
				allowed = 0;
		}
		if (!known)
			hit(c, R_CODE_TRADE, "tradeMode", c->h.ln[F_tradeMode],
			    _("%s is not in the trade-mode table"),
			    show(v, buf, sizeof buf));
		else if (!allowed)
			hit(c, R_CODE_TRADE, "tradeMode", c->h.ln[F_tradeMode],
			    _("%s is not allowed in a CEB%d message"),
			    show(v, buf, sizeof buf), c->m->type->code);
	}
	if (on(c, R_DEP_9610) && is(v, "9610")) {
		static const enum field need[] = { F_trafNo, F_voyageNo,
			F_billNo };

		for (i = 0; i < 3; i++)
			if (!filled(c->h.v[need[i]]))
				hit(c, R_DEP_9610, field_names[need[i]],
				    c->h.ln[need[i]] ? c->h.ln[need[i]] :
				    c->h.ln[F_tradeMode],
				    _("is empty with tradeMode 9610"));
	}
	if (bonded(c)) {
		static const enum field need[] = { F_emsNo, F_areaCode,
			F_areaName };
		static const enum field empty[] = { F_trafNo, F_voyageNo,
			F_billNo };

		for (i = 0; on(c, R_DEP_1210) && i < 3; i++)
			if (!filled(c->h.v[need[i]]))
				hit(c, R_DEP_1210, field_names[need[i]],
				    c->h.ln[need[i]] ? c->h.ln[need[i]] :
				    c->h.ln[F_tradeMode],
				    _("is empty with tradeMode %.4s"), s);
		if (on(c, R_DEP_1210_COUNTRY) && c->h.v[F_country] != NULL &&
		    !is(c->h.v[F_country], "142"))
			hit(c, R_DEP_1210_COUNTRY, "country",
			    c->h.ln[F_country],
			    _("%s, expected 142 with tradeMode %.4s"),
			    show(c->h.v[F_country], buf, sizeof buf), s);
		for (i = 0; on(c, R_DEP_1210_TRAF) && i < 3; i++)
			if (filled(c->h.v[empty[i]]))
				hit(c, R_DEP_1210_TRAF, field_names[empty[i]],
				    c->h.ln[empty[i]],
				    _("%s is filled with tradeMode %.4s"),
				    show(c->h.v[empty[i]], buf, sizeof buf),
				    s);
	}
}

/*
 * Positive list: the first 8 digits of gcode must be listed; a remark
 * that restricts the line to bonded import ("网购保税", e.g. "仅限网购保税
 * 商品") or to direct purchase ("直购") is enforced against tradeMode.
 */
static void
check_plist(struct ctx *c, const char *s, size_t len)
{
	const char *remark;
	long row;
	char buf[16];

	if (c->r->plist == NULL || len < 8)
		return;
	if ((row = codetab_find(c->r->plist, s, 8)) < 0) {
		if (on(c, R_CODE_PLIST))
			hit(c, R_CODE_PLIST, "gcode", c->l.ln[F_gcode],
			    _("%.8s is not on the positive list"), s);
		return;
	}
	if (!on(c, R_CODE_PLIST_MODE) || !filled(c->h.v[F_tradeMode]))
		return;
	remark = codetab_get(c->r->plist, row, "remark");
	snprintf(buf, sizeof buf, "%.4s", c->h.v[F_tradeMode]);
	if (strstr(remark, "网购保税") != NULL && !bonded(c))
		hit(c, R_CODE_PLIST_MODE, "gcode", c->l.ln[F_gcode],
		    _("%.8s is restricted to bonded import (1210), tradeMode "
		    "is %s"), s, buf);
	else if (strstr(remark, "直购") != NULL && strstr(remark, "仅限") !=
	    NULL && !is(c->h.v[F_tradeMode], "9610"))
		hit(c, R_CODE_PLIST_MODE, "gcode", c->l.ln[F_gcode],
		    _("%.8s is restricted to direct purchase (9610), tradeMode "
		    "is %s"), s, buf);
}

/*
 * The legal units of the gcode's 8-digit line (tables/hs_units.csv):
 * unit1 must be the first; unit2, when given, the second, and none when
 * the line has no second unit.
 */
static void
check_units(struct ctx *c, const char *gcode)
{
	const char *want1, *want2, *u2 = c->l.v[F_unit2];
	char b1[16], b2[16];
	long row;

	if (!on(c, R_CODE_UNITS) || c->r->tab[T_HS] == NULL ||
	    (row = codetab_find(c->r->tab[T_HS], gcode, 8)) < 0)
		return;
	want1 = codetab_get(c->r->tab[T_HS], row, "unit1");
	want2 = codetab_get(c->r->tab[T_HS], row, "unit2");
	if (*want1 != '\0' && filled(c->l.v[F_unit1]) &&
	    !is(c->l.v[F_unit1], want1))
		hit(c, R_CODE_UNITS, "unit1", c->l.ln[F_unit1],
		    _("%s, the first legal unit of %.8s is %s"),
		    show(c->l.v[F_unit1], b1, sizeof b1), gcode, want1);
	/* The spec leaves unit2 optional ("否"): only a given one is judged. */
	if (*want2 != '\0' && filled(u2) && !is(u2, want2))
		hit(c, R_CODE_UNITS, "unit2", c->l.ln[F_unit2] ?
		    c->l.ln[F_unit2] : c->l.ln[F_gcode],
		    _("%s, the second legal unit of %.8s is %s"),
		    show(u2, b2, sizeof b2), gcode, want2);
	else if (*want2 == '\0' && filled(u2))
		hit(c, R_CODE_UNITS, "unit2", c->l.ln[F_unit2],
		    _("%s, but %.8s has no second legal unit"),
		    show(u2, b2, sizeof b2), gcode);
}

/* ---- amounts ---- */

static const enum field positive_fields[] = {
	F_qty, F_qty1, F_qty2, F_packNo, F_weight, F_grossWeight, F_netWeight
};
static const enum field amount_fields[] = {
	F_price, F_totalPrice, F_goodsValue, F_freight, F_discount,
	F_taxTotal, F_acturalPaid, F_amountPaid, F_insuredFee, F_charge
};

static void
check_signs(struct ctx *c, struct fieldset *fs)
{
	size_t i;
	struct dec d;
	char buf[64];

	for (i = 0; on(c, R_AMT_POSITIVE) &&
	    i < sizeof positive_fields / sizeof positive_fields[0]; i++) {
		enum field f = positive_fields[i];

		if (filled(fs->v[f]) && decof(fs->v[f], &d) == 0 &&
		    dec_sign(d) <= 0)
			hit(c, R_AMT_POSITIVE, field_names[f], fs->ln[f],
			    _("%s is not greater than zero"),
			    fmtdec(d, buf, sizeof buf));
	}
	for (i = 0; on(c, R_AMT_NEGATIVE) &&
	    i < sizeof amount_fields / sizeof amount_fields[0]; i++) {
		enum field f = amount_fields[i];

		if (filled(fs->v[f]) && decof(fs->v[f], &d) == 0 &&
		    dec_sign(d) < 0)
			hit(c, R_AMT_NEGATIVE, field_names[f], fs->ln[f],
			    _("%s is negative"), fmtdec(d, buf, sizeof buf));
	}
}

/* The tolerance for comparing with an expected value. */
static struct dec
tolerance(const struct rules *r, struct dec expected)
{
	if (!r->tol_pct)
		return r->tol;
	/* r->tol holds the percentage: |expected| x pct / 100. */
	return dec_mul(dec_abs(expected), dec_mul(r->tol,
	    (struct dec){ 1000 }));	/* 0.01 = 1000 units of 10^-5 */
}

static int
within(const struct rules *r, struct dec expected, struct dec actual)
{
	struct dec diff = dec_abs(dec_sub(actual, expected));

	return dec_cmp(diff, tolerance(r, expected)) <= 0;
}

/* What the tax rules keep of a line (V-TAX-001). */
struct tline {
	char gcode[11];		/* "" when not known */
	char item[64];		/* itemNo, for the report */
	struct dec value;	/* totalPrice */
	struct tax_qty q[3];
	char unit[3][8];
	size_t nq;
};

/* Sums over the lines of a record. */
struct sums {
	struct dec total;	/* sum of totalPrice */
	int total_ok;		/* every line had a totalPrice */
	long lines;
	struct dec qty1;	/* qty of the only line */
	long gnum_next;		/* expected gnum */
	int gnum_bad;		/* reported once per record */
	struct tline *tl;	/* 311 lines, for the tax */
	size_t ntl, captl;
	int tl_lost;		/* a line could not be kept */
	/* CEB816: the lines' amounts, the first line without a rate. */
	struct dec bill[3];	/* customsTax, valueAddedTax, consumptionTax */
	int bill_ok;
	int bill_over;		/* taxPrice over the single limit: in full */
	long unknown_line;
	char unknown[80];
};

/* ---- the cross-border tax (common/tax.h) ---- */

/* Day YYYYMMDD of a time field (its first 8 digits), or -1. */
static long
day_of(const char *v)
{
	const char *s;

	if (v == NULL || span(v, &s) < 8 || !digits(s, 8))
		return -1;
	return (long)num(s, 8);
}

/*
 * The day a record's limits and rates are judged on: an inventory's
 * declaration date (declTime, else appTime) -- the day customs judges it;
 * an order's appTime; a tax bill's returnTime; else today.
 */
static long
judge_day(const struct ctx *c)
{
	long d = -1;

	switch (c->m->type->code) {
	case 621:
		if ((d = day_of(c->h.v[F_declTime])) < 0)
			d = day_of(c->h.v[F_appTime]);
		break;
	case 816:
		d = day_of(c->h.v[F_returnTime]);
		break;
	default:
		d = day_of(c->h.v[F_appTime]);
		break;
	}
	return d >= 0 ? d : (long)num(c->r->today, 8);
}

/* YYYYMMDD as YYYY-MM-DD; buf holds 32 bytes. */
static const char *
fmtday(long d, char *buf, size_t n)
{
	snprintf(buf, n, "%04d-%02d-%02d", (int)(d / 10000 % 10000),
	    (int)(d / 100 % 100), (int)(d % 100));
	return buf;
}

/* The tolerance of the tax rules (--tax-tolerance). */
static int
tax_within(const struct rules *r, struct dec expected, struct dec actual)
{
	struct dec tol = r->ttol;

	if (r->ttol_pct)
		tol = dec_mul(dec_abs(expected), dec_mul(r->ttol,
		    (struct dec){ 1000 }));
	return dec_cmp(dec_abs(dec_sub(actual, expected)), tol) <= 0;
}

/* Keep a 311 line for V-TAX-001: its value, quantity, and HS code when
 * --goods names its itemNo. */
static void
keep_line(struct ctx *c, struct sums *sm)
{
	struct tline *t;
	const char *s;
	size_t len;
	long row;

	if (c->r->tax == NULL || !(on(c, R_TAX_ORDER) || on(c, R_TAX_NONE) ||
	    on(c, R_TAX_RATE)))
		return;
	if (sm->ntl == sm->captl) {
		size_t ncap = sm->captl ? sm->captl * 2 : 8;
		struct tline *n = realloc(sm->tl, ncap * sizeof *n);

		if (n == NULL) {
			sm->tl_lost = 1;
			return;
		}
		sm->tl = n;
		sm->captl = ncap;
	}
	t = &sm->tl[sm->ntl];
	memset(t, 0, sizeof *t);
	if (decof(c->l.v[F_totalPrice], &t->value) != 0) {
		sm->tl_lost = 1;
		return;
	}
	sm->ntl++;
	if (c->l.v[F_itemNo] != NULL && (len = span(c->l.v[F_itemNo], &s)) >
	    0) {
		snprintf(t->item, sizeof t->item, "%.*s", (int)(len < 60 ?
		    len : 60), s);
		if (c->r->goods != NULL &&
		    (row = codetab_find(c->r->goods, s, len)) >= 0)
			snprintf(t->gcode, sizeof t->gcode, "%.10s",
			    codetab_get(c->r->goods, row, "gcode"));
	}
	if (c->l.v[F_unit] != NULL && decof(c->l.v[F_qty], &t->q[0].qty) ==
	    0 && (len = span(c->l.v[F_unit], &s)) > 0 && len < 8) {
		snprintf(t->unit[0], sizeof t->unit[0], "%.*s", (int)len, s);
		t->nq = 1;
	}
}

/*
 * V-TAX-001, V-TAX-003, V-TAX-004: the order's taxTotal against the tax
 * its goods owe.  With --goods every line has an HS code and the estimate
 * has bounds (tax.h: freight shared any way, thresholds that cannot be
 * judged); a line without a rate (or without --goods) leaves only the
 * floor that the law gives: every import pays VAT at least at the low
 * rate, 70% of it within the limits.  Judged on the order's appTime.
 */
static void
check_order_tax(struct ctx *c, struct sums *sm, struct dec extra, long day,
    enum tax_regime regime)
{
	struct tax_item items[100];
	struct tax_estimate e;
	struct dec tax, base, vmin, lo, hi;
	char b1[64], b2[64], b3[64], d1[32];
	const char *unknown = NULL;
	int open = 1, rc;
	size_t i;

	if (c->r->tax == NULL || sm->tl_lost || sm->ntl == 0 ||
	    sm->ntl > sizeof items / sizeof items[0] ||
	    decof(c->h.v[F_taxTotal], &tax) != 0)
		return;
	base = extra;
	for (i = 0; i < sm->ntl; i++) {
		struct tline *t = &sm->tl[i];

		base = dec_add(base, t->value);
		if (t->gcode[0] == '\0' && c->r->goods != NULL &&
		    unknown == NULL) {
			snprintf(sm->unknown, sizeof sm->unknown,
			    _("itemNo %s is not in the goods file"),
			    t->item[0] ? t->item : "(empty)");
			unknown = sm->unknown;
		}
		memset(&items[i], 0, sizeof items[i]);
		items[i].gcode = t->gcode;
		items[i].value = t->value;
		items[i].nq = t->nq;
		if (t->nq) {
			items[i].q[0].unit = t->unit[0];
			items[i].q[0].qty = t->q[0].qty;
		}
	}
	if (c->r->goods != NULL && unknown == NULL) {
		rc = tax_estimate(c->r->tax, day, regime, items, sm->ntl,
		    extra, &e);
		if (rc == 0) {
			lo = e.lo;
			hi = e.hi;
			open = e.open;
		} else {
			snprintf(sm->unknown, sizeof sm->unknown,
			    "%s: %s", items[e.unknown].gcode,
			    _(tax_strwhy(e.why)));
			unknown = sm->unknown;
		}
	}
	if (c->r->goods == NULL || unknown != NULL) {
		if (tax_vat_min(c->r->tax, day, &vmin) != 0)
			return;		/* no rate before 2016-04-08 */
		lo = regime == TAX_WITHIN ? dec_mul_ratio(base, vmin.v * 7,
		    (__int128)100000 * 10) : dec_mul(base, vmin);
		hi = lo;
		open = 1;
	}
	if (unknown != NULL && on(c, R_TAX_RATE))
		hit(c, R_TAX_RATE, "itemNo", c->h.ln[F_taxTotal],
		    _("%s: taxTotal is checked only against the least tax any "
		    "goods owe"), unknown);
	if (dec_sign(tax) == 0 && dec_sign(lo) > 0) {
		if (on(c, R_TAX_NONE))
			hit(c, R_TAX_NONE, "taxTotal", c->h.ln[F_taxTotal],
			    _("taxTotal is 0, the goods owe at least %s "
			    "(dutiable value %s on %s)"),
			    fmtdec(dec_round(lo, 2), b1, sizeof b1),
			    fmtdec(base, b2, sizeof b2),
			    fmtday(day, d1, sizeof d1));
		return;
	}
	if (!on(c, R_TAX_ORDER))
		return;
	if (dec_cmp(tax, lo) < 0 && !tax_within(c->r, lo, tax)) {
		if (open)
			hit(c, R_TAX_ORDER, "taxTotal", c->h.ln[F_taxTotal],
			    _("taxTotal %s is below %s, the least tax any goods "
			    "owe on the dutiable value %s on %s"),
			    fmtdec(tax, b1, sizeof b1),
			    fmtdec(dec_round(lo, 2), b2, sizeof b2),
			    fmtdec(base, b3, sizeof b3),
			    fmtday(day, d1, sizeof d1));
		else
			goto outside;
	} else if (!open && dec_cmp(tax, hi) > 0 && !tax_within(c->r, hi,
	    tax))
		goto outside;
	return;
outside:
	if (dec_cmp(lo, hi) == 0)
		hit(c, R_TAX_ORDER, "taxTotal", c->h.ln[F_taxTotal],
		    _("taxTotal %s, the estimated tax is %s (%s, rates of %s)"),
		    fmtdec(tax, b1, sizeof b1),
		    fmtdec(dec_round(lo, 2), b2, sizeof b2),
		    regime == TAX_WITHIN ? _("within the limits") :
		    _("in full"), fmtday(day, d1, sizeof d1));
	else
		hit(c, R_TAX_ORDER, "taxTotal", c->h.ln[F_taxTotal],
		    _("taxTotal %s is outside the estimated tax, %s to %s (%s, "
		    "rates of %s)"), fmtdec(tax, b1, sizeof b1),
		    fmtdec(dec_round(lo, 2), b2, sizeof b2),
		    fmtdec(dec_round(hi, 2), b3, sizeof b3),
		    regime == TAX_WITHIN ? _("within the limits") :
		    _("in full"), fmtday(day, d1, sizeof d1));
}

/* |a - b| per amount, summed: how far a scenario is from the bill. */
static struct dec
distance(const struct tax_amounts *a, const struct dec *bill)
{
	return dec_add(dec_add(dec_abs(dec_sub(a->tariff, bill[0])),
	    dec_abs(dec_sub(a->vat, bill[1]))),
	    dec_abs(dec_sub(a->ct, bill[2])));
}

/*
 * V-TAX-002 on one line of a tax bill (CEB816): its tariff, VAT and CT
 * against the tax on its taxPrice, on the bill's day.  The bill does not
 * say whether the parcel was within the limits, nor (having no
 * quantities) whether a CT threshold was reached, so the line agrees
 * when one of these readings gives its three amounts within the
 * tolerance: within the limits (no tariff, 70%) -- unless its taxPrice
 * adds up to more than the single-transaction limit of the day, which
 * leaves only the single item -- or in full with the bill's own tariff;
 * CT due or not where a threshold applies.
 */
static void
check_bill_line(struct ctx *c, struct sums *sm)
{
	struct tax_rates r;
	struct tax_amounts a, best;
	struct dec price, bill[3], bestd = dec_from_int(0);
	static const enum field amt[3] = { F_customsTax, F_valueAddedTax,
		F_consumptionTax };
	char b[7][64], code[11];
	const char *s;
	size_t len;
	int k, reg, due, found = 0, have = 0;
	enum tax_why w;

	if (sm->lines == 1) {
		const struct policy_row *pr = policy_at(&c->r->pol,
		    judge_day(c));
		struct dec sum = dec_from_int(0), v;
		size_t l0, nl, l;

		sm->bill_ok = 1;
		for (k = 0; k < 3; k++)
			sm->bill[k] = dec_from_int(0);
		fdoc_lines(c->d, c->ri, &l0, &nl);
		for (l = l0; l < l0 + nl; l++)
			if (decof(fdoc_line_field(c->d, l, F_taxPrice), &v) == 0)
				sum = dec_add(sum, v);
		sm->bill_over = pr != NULL && dec_cmp(sum, pr->single) > 0;
	}
	for (k = 0; k < 3; k++)
		if (decof(c->l.v[amt[k]], &bill[k]) != 0)
			sm->bill_ok = 0;
		else
			sm->bill[k] = dec_add(sm->bill[k], bill[k]);
	if (c->r->tax == NULL || !sm->bill_ok ||
	    decof(c->l.v[F_taxPrice], &price) != 0 ||
	    c->l.v[F_gcode] == NULL || (len = span(c->l.v[F_gcode], &s)) != 10)
		return;
	snprintf(code, sizeof code, "%.10s", s);
	w = tax_rates(c->r->tax, s, len, judge_day(c), &r);
	if (w != TAX_KNOWN) {
		if (sm->unknown_line == 0) {
			sm->unknown_line = sm->lines;
			snprintf(sm->unknown, sizeof sm->unknown, "%s: %s",
			    code, _(tax_strwhy(w)));
		}
		return;
	}
	if (!on(c, R_TAX_BILL))
		return;
	for (reg = sm->bill_over; reg < 2 && !found; reg++)
		for (due = 0; due < 2 && !found; due++) {
			if (due && dec_sign(r.ct) <= 0)
				continue;
			if (!due && dec_sign(r.ct) > 0 &&
			    dec_sign(r.threshold) <= 0)
				continue;
			tax_apply(&r, reg ? TAX_FULL : TAX_WITHIN, price, due,
			    &bill[0], &a);
			if (tax_within(c->r, a.tariff, bill[0]) &&
			    tax_within(c->r, a.vat, bill[1]) &&
			    tax_within(c->r, a.ct, bill[2]))
				found = 1;
			else if (!have || dec_cmp(distance(&a, bill),
			    bestd) < 0) {
				best = a;
				bestd = distance(&a, bill);
				have = 1;
			}
		}
	if (found || !have)
		return;
	hit(c, R_TAX_BILL, "valueAddedTax", c->l.ln[F_valueAddedTax] ?
	    c->l.ln[F_valueAddedTax] : c->l.ln[F_gcode],
	    _("line %ld (%s, taxPrice %s): the bill says tariff %s, VAT %s, "
	    "CT %s; the nearest estimate is tariff %s, VAT %s, CT %s"),
	    sm->lines, code, fmtdec(price, b[0], sizeof b[0]),
	    fmtdec(bill[0], b[1], sizeof b[1]),
	    fmtdec(bill[1], b[2], sizeof b[2]),
	    fmtdec(bill[2], b[3], sizeof b[3]),
	    fmtdec(dec_round(best.tariff, 2), b[4], sizeof b[4]),
	    fmtdec(dec_round(best.vat, 2), b[5], sizeof b[5]),
	    fmtdec(dec_round(best.ct, 2), b[6], sizeof b[6]));
}

/* V-TAX-002 on the head of a tax bill: its totals are the lines' sums;
 * V-TAX-003 for its first line without a rate. */
static void
check_bill(struct ctx *c, struct sums *sm)
{
	static const enum field amt[3] = { F_customsTax, F_valueAddedTax,
		F_consumptionTax };
	struct dec head;
	char b1[64], b2[64];
	int k;

	if (sm->unknown_line > 0 && on(c, R_TAX_RATE))
		hit(c, R_TAX_RATE, "gcode", 0,
		    _("line %ld, %s: the bill's tax is not checked"),
		    sm->unknown_line, sm->unknown);
	if (!sm->bill_ok || sm->lines == 0 || !on(c, R_TAX_BILL))
		return;
	for (k = 0; k < 3; k++)
		if (decof(c->h.v[amt[k]], &head) == 0 &&
		    !tax_within(c->r, sm->bill[k], head))
			hit(c, R_TAX_BILL, field_names[amt[k]],
			    c->h.ln[amt[k]], _("%s is %s, the lines add up to "
			    "%s"), field_names[amt[k]],
			    fmtdec(head, b1, sizeof b1),
			    fmtdec(sm->bill[k], b2, sizeof b2));
}

static void
check_line(struct ctx *c, struct sums *sm)
{
	struct dec q, p, t, q2;
	char b1[64], b2[64], b3[64];
	const char *s;
	size_t len;

	sm->lines++;
	check_blanks(c, &c->l);
	check_codes(c, &c->l);
	check_signs(c, &c->l);
	if (filled(c->l.v[F_totalPrice]) &&
	    decof(c->l.v[F_totalPrice], &t) == 0)
		sm->total = dec_add(sm->total, t);
	else
		sm->total_ok = 0;
	if (sm->lines == 1 && decof(c->l.v[F_qty], &q) == 0)
		sm->qty1 = q;
	if (on(c, R_AMT_LINE) && decof(c->l.v[F_qty], &q) == 0 &&
	    decof(c->l.v[F_price], &p) == 0 &&
	    decof(c->l.v[F_totalPrice], &t) == 0) {
		struct dec tol = c->r->tol_pct ?
		    tolerance(c->r, dec_mul(q, p)) : c->r->tol;

		if (!dec_mul_within(q, p, t, tol))
			hit(c, R_AMT_LINE, "totalPrice", c->l.ln[F_totalPrice],
			    _("totalPrice is %s, qty x price is %s x %s"),
			    fmtdec(t, b1, sizeof b1), fmtdec(q, b2, sizeof b2),
			    fmtdec(p, b3, sizeof b3));
	}
	if (on(c, R_AMT_GNUM) && c->l.v[F_gnum] != NULL && !sm->gnum_bad) {
		long want = sm->gnum_next++;

		len = span(c->l.v[F_gnum], &s);
		if (len == 0 || len > 9 || !digits(s, len) ||
		    num(s, len) != want) {
			sm->gnum_bad = 1;
			if (len > 0 && len <= 9 && digits(s, len) &&
			    num(s, len) < want)
				hit(c, R_AMT_GNUM, "gnum", c->l.ln[F_gnum],
				    _("gnum %d repeats or goes back, expected "
				    "%ld"), num(s, len), want);
			else
				hit(c, R_AMT_GNUM, "gnum", c->l.ln[F_gnum],
				    _("gnum %s, expected %ld"),
				    show(c->l.v[F_gnum], b1, sizeof b1), want);
		}
	}
	if (on(c, R_AMT_QTY2)) {
		int hu = filled(c->l.v[F_unit2]), hq = filled(c->l.v[F_qty2]);

		if (hu && (!hq || decof(c->l.v[F_qty2], &q2) != 0 ||
		    dec_sign(q2) <= 0))
			hit(c, R_AMT_QTY2, "qty2", c->l.ln[F_qty2] ?
			    c->l.ln[F_qty2] : c->l.ln[F_unit2],
			    _("unit2 is %s but qty2 is not a positive number"),
			    show(c->l.v[F_unit2], b1, sizeof b1));
		else if (!hu && hq)
			hit(c, R_AMT_QTY2, "qty2", c->l.ln[F_qty2],
			    _("qty2 is %s without unit2"),
			    show(c->l.v[F_qty2], b1, sizeof b1));
	}
	if (c->l.v[F_gcode] != NULL && (len = span(c->l.v[F_gcode], &s)) > 0) {
		if (len != 10 || !digits(s, len)) {
			if (on(c, R_CODE_HS))
				hit(c, R_CODE_HS, "gcode", c->l.ln[F_gcode],
				    _("%s is not 10 digits"),
				    show(c->l.v[F_gcode], b1, sizeof b1));
		} else {
			check_plist(c, s, len);
			check_units(c, s);
		}
	}
	if (c->m->type->code == 311)
		keep_line(c, sm);
	else if (c->m->type->code == 816)
		check_bill_line(c, sm);
}

static void
check_totals(struct ctx *c, struct sums *sm)
{
	struct dec gv, fr, tax, disc, paid, ins, value, want, extra;
	char b1[64], b2[64], d1[32];
	int code = c->m->type->code;
	const struct policy_row *pr;
	enum tax_regime regime = TAX_WITHIN;
	long day;

	if (on(c, R_AMT_GOODS) && sm->lines > 0 && sm->total_ok &&
	    decof(c->h.v[F_goodsValue], &gv) == 0 && !within(c->r, sm->total,
	    gv))
		hit(c, R_AMT_GOODS, "goodsValue", c->h.ln[F_goodsValue],
		    _("goodsValue is %s, the lines' totalPrice add up to %s"),
		    fmtdec(gv, b1, sizeof b1), fmtdec(sm->total, b2, sizeof b2));
	if (on(c, R_AMT_PAID) && decof(c->h.v[F_goodsValue], &gv) == 0 &&
	    decof(c->h.v[F_freight], &fr) == 0 &&
	    decof(c->h.v[F_taxTotal], &tax) == 0 &&
	    decof(c->h.v[F_discount], &disc) == 0 &&
	    decof(c->h.v[F_acturalPaid], &paid) == 0) {
		want = dec_sub(dec_add(dec_add(gv, fr), tax), disc);
		if (!within(c->r, want, paid))
			hit(c, R_AMT_PAID, "acturalPaid",
			    c->h.ln[F_acturalPaid], _("acturalPaid is %s, "
			    "goodsValue + freight + taxTotal - discount is %s"),
			    fmtdec(paid, b1, sizeof b1),
			    fmtdec(want, b2, sizeof b2));
	}
	if (on(c, R_AMT_WEIGHT) && decof(c->h.v[F_netWeight], &gv) == 0 &&
	    decof(c->h.v[F_grossWeight], &fr) == 0 && dec_cmp(gv, fr) > 0)
		hit(c, R_AMT_WEIGHT, "netWeight", c->h.ln[F_netWeight],
		    _("netWeight %s exceeds grossWeight %s"),
		    fmtdec(gv, b1, sizeof b1), fmtdec(fr, b2, sizeof b2));
	if (on(c, R_AMT_PACKNO) && decof(c->h.v[F_packNo], &gv) == 0 &&
	    dec_cmp(gv, dec_from_int(1)) != 0)
		hit(c, R_AMT_PACKNO, "packNo", c->h.ln[F_packNo],
		    _("packNo is %s, expected 1"), fmtdec(gv, b1, sizeof b1));
	/* The dutiable value: goods, freight and insurance (2016/18). */
	extra = dec_from_int(0);
	if (decof(c->h.v[F_freight], &fr) == 0)
		extra = fr;
	if (code == 311) {
		if (decof(c->h.v[F_goodsValue], &gv) != 0)
			return;
		value = dec_add(gv, extra);
	} else if (code == 621) {
		if (sm->lines == 0 || !sm->total_ok)
			return;
		if (decof(c->h.v[F_insuredFee], &ins) == 0)
			extra = dec_add(extra, ins);
		value = dec_add(sm->total, extra);
	} else
		return;
	/*
	 * The limits in force on the record's day (policy.h): an inventory
	 * is judged on its declaration, as customs judges it (-621005); an
	 * order only on its appTime, a warning, since its inventory, which
	 * customs judges, is declared later, perhaps under another limit.
	 */
	day = judge_day(c);
	if ((pr = policy_at(&c->r->pol, day)) != NULL &&
	    dec_cmp(value, pr->single) > 0) {
		if (sm->lines == 1 && dec_cmp(sm->qty1, dec_from_int(1)) == 0 &&
		    pr->single_item && dec_cmp(value, pr->annual) <= 0) {
			if (on(c, R_LIM_ITEM))
				hit(c, R_LIM_ITEM, code == 311 ? "goodsValue" :
				    "totalPrice", c->h.ln[F_goodsValue],
				    _("value %s of one indivisible item exceeds "
				    "the single-transaction limit %s"),
				    fmtdec(value, b1, sizeof b1),
				    fmtdec(pr->single, b2, sizeof b2));
			regime = TAX_FULL;
		} else {
			if (code == 621 && on(c, R_LIM_SINGLE))
				hit(c, R_LIM_SINGLE, "totalPrice", 0,
				    _("value %s exceeds the single-transaction "
				    "limit %s in force on %s"),
				    fmtdec(value, b1, sizeof b1),
				    fmtdec(pr->single, b2, sizeof b2),
				    fmtday(day, d1, sizeof d1));
			else if (code == 311 && on(c, R_LIM_ORDER))
				hit(c, R_LIM_ORDER, "goodsValue",
				    c->h.ln[F_goodsValue], _("value %s exceeds "
				    "the single-transaction limit %s in force on "
				    "%s, the order's appTime; customs judges the "
				    "limit on its inventory's declaration date"),
				    fmtdec(value, b1, sizeof b1),
				    fmtdec(pr->single, b2, sizeof b2),
				    fmtday(day, d1, sizeof d1));
			return;
		}
	}
	if (code == 311)
		check_order_tax(c, sm, extra, day, regime);
}

/* ---- entry points ---- */

int
rules_check_record(const struct rules *r, const struct msg *m,
    const struct fdoc *d, size_t ri, const struct diag_loc *loc,
    struct rules_result *res)
{
	struct ctx c;
	struct sums sm;
	size_t l0, nl, line;

	if (r == NULL || m == NULL || m->type == NULL || d == NULL ||
	    ri >= fdoc_records(d) || !r->any[m->type - msg_types])
		return 0;
	memset(&c, 0, sizeof c);
	c.r = r;
	c.m = m;
	c.loc = loc;
	c.res = res;
	c.d = d;
	c.ri = ri;
	fdoc_head(d, ri, &c.h);
	check_guid(&c);
	check_app(&c);
	check_times(&c);
	if (on(&c, R_ID_CHECK) || on(&c, R_ID_BIRTH) || on(&c, R_ID_LEGACY) ||
	    on(&c, R_ID_SHAPE) || on(&c, R_ID_TYPE)) {
		check_person(&c, F_buyerIdType, F_buyerIdNumber);
		check_person(&c, F_payerIdType, F_payerIdNumber);
	}
	check_blanks(&c, &c.h);
	check_enterprises(&c);
	check_codes(&c, &c.h);
	check_signs(&c, &c.h);
	check_trade(&c);
	memset(&sm, 0, sizeof sm);
	sm.total_ok = 1;
	sm.gnum_next = 1;
	fdoc_lines(d, ri, &l0, &nl);
	for (line = l0; line < l0 + nl; line++) {
		fdoc_line(d, line, &c.l);
		check_line(&c, &sm);
		if (on(&c, R_DEP_1210) && bonded(&c) &&
		    !filled(c.l.v[F_itemRecordNo]))
			hit(&c, R_DEP_1210, "itemRecordNo", c.l.ln[F_gnum] ?
			    c.l.ln[F_gnum] : fdoc_line_line(d, line),
			    _("line %ld: itemRecordNo is empty with tradeMode "
			    "1210"), sm.lines);
	}
	check_totals(&c, &sm);
	if (m->type->code == 816)
		check_bill(&c, &sm);
	free(sm.tl);
	return c.errors;
}

/*
 * The time a message claims for itself, as UTC seconds: the appTime of
 * its first record (China time), or an envelope's TransInfo/CreatTime.
 * Returns 0, or -1 when there is none to read.
 */
static int
message_time(const struct msg *m, long long *t)
{
	xmlNodePtr rec, ti, ct;
	const char *s;
	const char *why;
	int y, mo, d, h, mi, se;
	size_t len;
	char buf[16];

	if (m->type != NULL) {
		rec = msg_record_first(m);
		if (rec == NULL || (s = msg_field(msg_head(m, rec),
		    "appTime")) == NULL || (len = span(s, &s)) != 14 ||
		    parse_time(s, len, t, &why) != 0)
			return -1;
		*t -= 8 * 3600;
		return 0;
	}
	if ((ti = msg_child(m->root, MSG_NS_DXP, "TransInfo")) == NULL ||
	    (ct = msg_child(ti, MSG_NS_DXP, "CreatTime")) == NULL ||
	    (s = eltext(ct)) == NULL || span(s, &s) < 19 ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi,
	    &se) != 6)
		return -1;
	snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d", y, mo, d, h, mi,
	    se);
	if (parse_time(buf, 14, t, &why) != 0)
		return -1;
	*t -= 8 * 3600;
	return 0;
}

static void
utc_day(time_t t, char *buf, size_t n)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, n, "%Y-%m-%d",
	    &tm) == 0)
		snprintf(buf, n, "?");
}

int
rules_check_signature(const struct rules *r, const struct msg *m,
    const struct diag_loc *loc, struct rules_result *res,
    const struct dsig_verdict *v)
{
	/* What customs answers for each failure (table 7-2, table 7-1). */
	static const struct {
		enum dsig_status st;
		enum rule_no rule;
		const char *what;
	} map[] = {
		{ DSIG_DIGEST, R_SIG_DIGEST,
		  N_("signed data does not match (加签数据比对失败)") },
		{ DSIG_SIGNATURE, R_SIG_VALUE,
		  N_("signature verification failed (验签失败)") },
		{ DSIG_CERT, R_SIG_CERT,
		  N_("signing certificate missing or unreadable (数字签名无效)") },
		{ DSIG_ALGORITHM, R_SIG_ALG,
		  N_("signature algorithm not allowed (数字签名无效)") },
		{ DSIG_MALFORMED, R_SIG_FORM,
		  N_("signature block malformed (数字签名无效)") },
		{ DSIG_REFERENCE, R_SIG_REF,
		  N_("signed content is not the whole message (数字签名无效)") },
		{ DSIG_UNTRUSTED, R_SIG_TRUST,
		  N_("signing certificate not issued by a trusted CA "
		  "(数字签名无效)") },
	};
	struct ctx c;
	char field[40], nb[16], na[16], at[16];
	long long t;
	long line;
	size_t i;

	if (r == NULL || m == NULL || v->status == DSIG_NONE)
		return 0;
	if (v->status == DSIG_NOMEM) {
		diag_trouble(loc->source, loc->line, "%s", v->detail);
		return 1;
	}
	memset(&c, 0, sizeof c);
	c.r = r;
	c.m = m;
	c.loc = loc;
	c.res = res;
	snprintf(field, sizeof field, "ds:%s", v->field);
	line = v->node != NULL ? msg_line(m, v->node) : 0;
	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].st == v->status && r->on[map[i].rule])
			hit(&c, map[i].rule, field, line, "%s: %s",
			    _(map[i].what), v->detail);
	if (v->not_after > 0 && r->on[R_SIG_TIME] &&
	    message_time(m, &t) == 0 && (t < (long long)v->not_before ||
	    t > (long long)v->not_after)) {
		utc_day(v->not_before, nb, sizeof nb);
		utc_day(v->not_after, na, sizeof na);
		utc_day((time_t)t, at, sizeof at);
		hit(&c, R_SIG_TIME, "ds:X509Certificate", line,
		    _("certificate expired or not yet valid (数字签名过期): "
		    "valid %s to %s, the message is of %s"), nb, na, at);
	}
	if (v->status == DSIG_OK && r->on[R_SIG_OK])
		hit(&c, R_SIG_OK, "ds:Signature", line,
		    _("signature verified: %s, signer %s, serial %s%s"),
		    dsig_alg_name(v->alg), v->subject, v->serial,
		    v->digest_without_pi ? _(" (without the processing "
		    "instructions before the root)") : "");
	return c.errors;
}

int
rules_check_message(const struct rules *r, const struct msg *m,
    const struct fdoc *d, const struct diag_loc *loc,
    struct rules_result *res)
{
	struct ctx c;
	const char *cc;
	long line;

	if (r == NULL || m == NULL || m->type == NULL || d == NULL)
		return 0;
	memset(&c, 0, sizeof c);
	c.r = r;
	c.m = m;
	c.loc = loc;
	c.res = res;
	c.d = d;
	judge_guid(&c, R_GUID_ROOT, m->guid, fdoc_root_line(d));
	if (on(&c, R_KEY_BLANKS) && m->type->kind == MSG_DECLARATION &&
	    (cc = fdoc_copcode(d, &line)) != NULL)
		padded(&c, "copCode", cc, line);
	return c.errors;
}

/* ---- loading ---- */

static int
type_in(const char *types, const struct msg_type *t)
{
	const char *p = types;
	char code[8];

	if (strcmp(types, "*") == 0)
		return 1;
	if (strcmp(types, "decl") == 0)
		return t->kind == MSG_DECLARATION;
	if (strcmp(types, "rcpt") == 0)
		return t->kind == MSG_RECEIPT;
	snprintf(code, sizeof code, "%d", t->code);
	while (*p) {
		size_t n = strcspn(p, " ");

		if (n == strlen(code) && strncmp(p, code, n) == 0)
			return 1;
		p += n;
		if (*p == ' ')
			p++;
	}
	return 0;
}

static int
parse_sev(const char *s, enum diag_sev *out)
{
	if (strcmp(s, "error") == 0)
		*out = DIAG_ERROR;
	else if (strcmp(s, "warning") == 0)
		*out = DIAG_WARNING;
	else if (strcmp(s, "info") == 0)
		*out = DIAG_INFO;
	else
		return -1;
	return 0;
}

static int
parse_bool(const char *s, unsigned char *out)
{
	static const char *const yes[] = { "1", "yes", "true", "on", "y",
		NULL };
	static const char *const no[] = { "0", "no", "false", "off", "n",
		NULL };
	int i;

	for (i = 0; yes[i]; i++)
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
	for (i = 0; no[i]; i++)
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	return -1;
}

/* --rules FILE: CSV rule,enabled,severity (enabled or severity may be empty). */
static int
load_overrides(struct rules *r, const char *path, char *err, size_t n)
{
	struct csvio *cv;
	char **f;
	size_t nf;
	int cr, ce, cs, rc;

	if ((cv = csvio_open(path, err, n)) == NULL)
		return -1;
	cr = csvio_col(cv, "rule");
	ce = csvio_col(cv, "enabled");
	cs = csvio_col(cv, "severity");
	if (cr < 0 || (ce < 0 && cs < 0)) {
		snprintf(err, n, _("%s: the header needs a rule column and an "
		    "enabled or severity column"), path);
		csvio_close(cv);
		return -1;
	}
	while ((rc = csvio_next(cv, &f, &nf)) == 1) {
		const char *id = csvio_get(cv, cr);
		const char *en = ce >= 0 ? csvio_get(cv, ce) : "";
		const char *sv = cs >= 0 ? csvio_get(cv, cs) : "";
		int i;

		if (strncmp(id, "S-", 2) == 0)
			continue;	/* structural rules are not adjustable */
		for (i = 0; i < NRULES; i++)
			if (strcmp(vrule[i].id, id) == 0)
				break;
		if (i == NRULES) {
			snprintf(err, n, _("%s:%ld: unknown rule \"%s\""), path,
			    csvio_line(cv), id);
			break;
		}
		if (*en && parse_bool(en, &r->on[i]) != 0) {
			snprintf(err, n, _("%s:%ld: enabled must be yes or no, "
			    "not \"%s\""), path, csvio_line(cv), en);
			break;
		}
		if (*sv && parse_sev(sv, &r->sev[i]) != 0) {
			snprintf(err, n, _("%s:%ld: severity must be error, "
			    "warning or info, not \"%s\""), path,
			    csvio_line(cv), sv);
			break;
		}
	}
	if (rc < 0)
		snprintf(err, n, "%s:%ld: %s", path, csvio_line(cv),
		    csvio_error(cv));
	csvio_close(cv);
	return rc == 0 ? 0 : -1;
}

/* --tolerance: an amount ("0.01") or a percentage ("1%"). */
static int
parse_tolerance(const char *s, int *pct, struct dec *tol)
{
	char buf[64];
	size_t len = strlen(s);

	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, s, len + 1);
	*pct = 0;
	if (buf[len - 1] == '%') {
		*pct = 1;
		buf[len - 1] = '\0';
	}
	if (dec_parse_str(buf, tol) != DEC_OK || dec_sign(*tol) < 0)
		return -1;
	return 0;
}

/*
 * The limits (--policy, else tables/quota-policy.csv of the data
 * directory: the same file as ceb-quota-check's), the tax rates
 * (--tax-rates, else tables/tax-rates.csv), the goods file (--goods) and
 * the tax tolerance (--tax-tolerance, default 0.5 CNY).  -c DIR names
 * code tables only: a directory made for an earlier release need not
 * hold these.
 */
static int
load_tax(struct rules *r, const struct rules_opts *o, char *err, size_t n)
{
	char path[4096], why[400];
	const char *p;
	long line;

	if (parse_tolerance(o->tax_tolerance ? o->tax_tolerance : "0.5",
	    &r->ttol_pct, &r->ttol) != 0) {
		snprintf(err, n, _("--tax-tolerance: \"%s\" is not an amount "
		    "or a percentage"), o->tax_tolerance);
		return -1;
	}
	if ((p = o->policy_file) == NULL)
		p = codetab_path(NULL, "tables", PKGDATADIR,
		    "quota-policy.csv", path, sizeof path);
	if (p == NULL) {
		snprintf(err, n, _("code table path too long"));
		return -1;
	}
	if (policy_load(&r->pol, p, why, sizeof why, &line) != 0) {
		if (line > 0)
			snprintf(err, n, "%s:%ld: %s", p, line, why);
		else
			snprintf(err, n, "%s: %s", p, why);
		return -1;
	}
	if ((p = o->tax_rates) == NULL)
		p = codetab_path(NULL, "tables", PKGDATADIR, "tax-rates.csv",
		    path, sizeof path);
	if (p == NULL) {
		snprintf(err, n, _("code table path too long"));
		return -1;
	}
	if ((r->tax = tax_load(p, why, sizeof why)) == NULL) {
		snprintf(err, n, "%s: %s", p, why);
		return -1;
	}
	if (o->goods != NULL &&
	    (r->goods = codetab_load(o->goods, "itemNo", err, n)) == NULL)
		return -1;
	return 0;
}

/* Now, in China time (UTC+8); SOURCE_DATE_EPOCH pins it for tests. */
static long long
china_now(void)
{
	return (long long)loop_time() + 8 * 3600;
}


struct rules *
rules_load(const struct rules_opts *o, char *err, size_t n)
{
	struct rules *r;
	char path[4096], stampbuf[18];
	size_t i, k;

	(void)field_of("guid");	/* builds the name table before any thread */
	if ((r = calloc(1, sizeof *r)) == NULL) {
		snprintf(err, n, "out of memory");
		return NULL;
	}
	r->edition = o->edition;
	r->now = china_now();
	receipt_stamp(r->now, stampbuf);
	memcpy(r->today, stampbuf, 8);
	r->today[8] = '\0';
	for (i = 0; i < NRULES; i++) {
		r->on[i] = 1;
		r->sev[i] = vrule[i].sev;
		for (k = 0; k < msg_ntypes && k < 64; k++)
			r->applies[i][k] = (unsigned char)type_in(
			    vrule[i].types, &msg_types[k]);
	}
	/* V-ID-013: every key field of every type, and the code fields. */
	for (k = 0; k < msg_ntypes; k++)
		for (i = 0; i < sizeof msg_types[k].keys /
		    sizeof msg_types[k].keys[0]; i++) {
			int f = msg_types[k].keys[i] != NULL ?
			    field_of(msg_types[k].keys[i]) : -1;

			if (f >= 0)
				r->blank[f] = 1;
		}
	for (i = 0; i < sizeof code_fields / sizeof code_fields[0]; i++)
		r->blank[code_fields[i]] = 1;
	for (i = 0; i < NFIELDS; i++)
		if (r->blank[i])
			r->blank_list[r->nblank++] = (unsigned short)i;
	if (o->tolerance != NULL &&
	    parse_tolerance(o->tolerance, &r->tol_pct, &r->tol) != 0) {
		snprintf(err, n, _("--tolerance: \"%s\" is not an amount or a "
		    "percentage"), o->tolerance);
		goto fail;
	}
	for (i = 0; i < NTABLES; i++) {
		if (codetab_path(o->codes_dir, "tables", PKGDATADIR,
		    table_files[i], path, sizeof path) == NULL) {
			snprintf(err, n, _("code table path too long"));
			goto fail;
		}
		if ((r->tab[i] = codetab_load(path, "code", err, n)) == NULL)
			goto fail;
		r->complete[i] = codetab_complete(r->tab[i]);
	}
	if (load_tax(r, o, err, n) != 0)
		goto fail;
	if (o->positive_list != NULL &&
	    (r->plist = codetab_load(o->positive_list, "code", err, n)) ==
	    NULL)
		goto fail;
	if (o->rules_file != NULL &&
	    load_overrides(r, o->rules_file, err, n) != 0)
		goto fail;
	for (i = 0; i < NRULES; i++)
		for (k = 0; k < msg_ntypes && k < 64; k++)
			if (r->on[i] && r->applies[i][k])
				r->any[k] = 1;
	return r;
fail:
	rules_free(r);
	return NULL;
}

void
rules_free(struct rules *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < NTABLES; i++)
		codetab_free(r->tab[i]);
	codetab_free(r->plist);
	codetab_free(r->goods);
	policy_free(&r->pol);
	tax_free(r->tax);
	receipt_writer_free(r->rw);
	free(r);
}

int
rules_receipt_open(const struct rules *r, const char *dir, char *err,
    size_t n)
{
	struct rules *w = (struct rules *)r;	/* the writer is run state */

	if (w->rw == NULL && (w->rw = receipt_writer_new(dir, err, n)) == NULL)
		return -1;
	return 0;
}

int
rules_receipt(const struct rules *r, const char *dir, const struct msg *m,
    xmlNodePtr rec, int passed, const struct rules_result *res, char *err,
    size_t n)
{
	struct rules *w = (struct rules *)r;	/* the writer is run state */

	if (w->rw == NULL && (w->rw = receipt_writer_new(dir, err, n)) == NULL)
		return -1;
	return receipt_write(w->rw, r->now, m, rec, passed, res, err, n);
}
