/*
 * gen.h: the parts of ceb-gen shared between its files: the random number
 * generator, the text buffer the XML is written into, the tables of
 * realistic values (gen-data.c), the output (gen-out.c: day files or one
 * file per message, messages assembled from records, the answer key), the
 * defect kinds and their selection, and the two parcel generators
 * (gen-import.c, gen-export.c).
 *
 * Everything the generator writes is a function of the options and the
 * seed: no clock, no environment, no hash of a pointer.
 */
#ifndef CEB_GEN_H
#define CEB_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- random numbers: xoshiro256** seeded through splitmix64 ---- */

struct rng {
	uint64_t s[4];
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in 0..n-1 (n > 0). */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Uniform in lo..hi inclusive. */
long long rng_range(struct rng *r, long long lo, long long hi);
/* Nonzero with probability permille/1000. */
int rng_permille(struct rng *r, int permille);

/* ---- growing text buffer ---- */

struct sbuf {
	char *p;
	size_t n, cap;
};

void sb_reserve(struct sbuf *b, size_t more);
void sb_putn(struct sbuf *b, const char *s, size_t n);
void sb_puts(struct sbuf *b, const char *s);
void sb_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* <ceb:name>value</ceb:name>, value escaped for XML text. */
void sb_el(struct sbuf *b, const char *name, const char *value);
/* The same with a formatted value. */
void sb_elf(struct sbuf *b, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An amount held in 10^-5 units, written with 2..5 decimals. */
void sb_eldec(struct sbuf *b, const char *name, long long v);
/* An integer. */
void sb_elint(struct sbuf *b, const char *name, long long v);
/* Format an amount in 10^-5 units into buf (at least 2 decimals). */
char *gen_dec(long long v, char *buf, size_t n);
#define GEN_UNIT 100000LL	/* 1.00000 */
#define GEN_CENT 1000LL		/* 0.01000 */

/* ---- tables (gen-data.c); each names its source there ---- */

struct gen_area {
	const char *code;	/* GB/T 2260 6-digit code */
	const char *province, *city, *county;
};
extern const struct gen_area gen_areas[];
extern const size_t gen_nareas;

extern const char *const gen_surnames[];
extern const size_t gen_nsurnames;
extern const char *const gen_given[];
extern const size_t gen_ngiven;
extern const char *const gen_streets[];
extern const size_t gen_nstreets;

struct gen_product {
	const char *hs8;	/* 8-digit tariff line (hs8_units_2023) */
	const char *name;	/* goods name, ours */
	const char *unit;	/* declared unit */
	const char *unit1;	/* first legal unit */
	const char *unit2;	/* second legal unit or NULL */
	int price_lo, price_hi;	/* unit price range, CNY */
	int grams;		/* net weight of one unit */
	const char *origins;	/* country codes, space separated */
	const char *brands;	/* brand words for gmodel, '|' separated */
	int dup_unit;		/* declared unit == unit1 (qty1 = qty) */
};
extern const struct gen_product gen_products[];
extern const size_t gen_nproducts;

struct gen_site {
	const char *customs;	/* declaring customs (customsCode) */
	const char *port;	/* port customs (portCode) */
	const char *traf;	/* CEB trafMode */
	const char *name;	/* short place name for enterprise names */
};
extern const struct gen_site gen_bonded_sites[];	/* 1210 import */
extern const size_t gen_nbonded_sites;
extern const struct gen_site gen_direct_sites[];	/* 9610 import */
extern const size_t gen_ndirect_sites;
/* --sender-shapes: offices of the 2018-12 code list (after the others). */
extern const struct gen_site gen_bonded_site_2018b, gen_direct_site_2018b;
extern const struct gen_site gen_export_sites[];	/* 9610 export */
extern const size_t gen_nexport_sites;

struct gen_dest {
	const char *country;	/* destination country code */
	const char *pod;	/* port of destination (legacy port code) */
	const char *iata;	/* destination airport for flight routes */
};
extern const struct gen_dest gen_dests[];
extern const size_t gen_ndests;

struct gen_carrier {
	const char *iata;	/* 2-letter airline code */
	const char *prefix;	/* 3-digit AWB prefix */
	const char *name;
};
extern const struct gen_carrier gen_airlines[];
extern const size_t gen_nairlines;
extern const char *const gen_vessels[];
extern const size_t gen_nvessels;
extern const char *const gen_name_words[];
extern const size_t gen_nname_words;

/* ---- defects ---- */

/*
 * FAM_RISK: risk patterns for ceb-risk, drawn with a random stream of
 * their own so that the rest of the batch is the same with or without
 * them; never set by -D all (each is asked for by name).
 */
enum gen_family { FAM_IMPORT, FAM_EXPORT, FAM_EXPORT_BILL, FAM_RISK };

struct gen_defect {
	const char *name;	/* stable kind name in the answer key */
	enum gen_family fam;	/* which population it is drawn from */
	const char *what;	/* one line for --list-defects */
};
extern const struct gen_defect gen_defects[];

enum {
	D_NONE = -1,
	D_STRUCT_MISSING, D_STRUCT_OVERLENGTH, D_STRUCT_ORDER, D_STRUCT_DUP,
	D_BIZ_ID, D_BIZ_BIRTH, D_BIZ_LINE, D_BIZ_PAID, D_BIZ_CODE, D_BIZ_GUID,
	D_REC_ORDER, D_REC_PAYMENT, D_REC_WAYBILL, D_REC_AMOUNT, D_REC_BUYER,
	D_REC_CONSIGNEE, D_REC_LINE,
	D_QUOTA_SINGLE, D_QUOTA_ANNUAL, D_QUOTA_ITEM,
	D_SIG_CHANGED, D_SIG_DIGEST, D_SIG_VALUE, D_SIG_CERT,
	D_EXP_NOT_DEPARTED, D_EXP_UNRELEASED, D_EXP_DUP, D_EXP_WEIGHT,
	D_EXP_MISSING_PART,
	D_RISK_UNDERVALUED, D_RISK_WEIGHT, D_RISK_ORIGIN, D_RISK_RING,
	D_RISK_SPLIT, D_RISK_UNDER_LIMIT, D_RISK_MISMATCH, D_RISK_NOT_DEPARTED,
	D_COUNT
};

/*
 * Exact selection of k items out of a population of n, several kinds at
 * once and at most one kind per item: each call draws for the next item.
 */
struct gen_pick {
	long long left[D_COUNT];	/* still to place, per kind */
	long long pop;			/* items not yet drawn */
};
int gen_pick_next(struct gen_pick *p, struct rng *r, int first, int last);

/* ---- output ---- */

/* Who sends a message (one message holds records of one sender). */
struct gen_party {
	char code[19];
	char name[101];
	char dxp[31];
};

struct gen_opts {
	long long nimport, nexport;
	uint64_t seed;
	int days;
	int start_y, start_m, start_d;
	int dirmode, gzip;
	int max_records;	/* records per message, 0 = realistic mix */
	int split;		/* waybills per 607/509 message */
	int bill_size;		/* most parcels under one master bill */
	int bonded_permille;
	int sea_permille;
	int cancel_permille, return_permille;
	int receipts;
	int shapes;		/* --sender-shapes */
	const char *out;	/* NULL = stdout */
	const char *key;	/* answer key path or NULL */
	const char *manifest_csv, *manifest_xml;
	int sign;		/* GEN_SIGN_*: --sign */
	const char *sign_key;	/* --sign-key, or NULL: the test key */
	const char *sign_cert;	/* --sign-cert */
	double rate[D_COUNT];	/* < 0 unset; < 1 rate; else a count */
	int is_count[D_COUNT];
};

/* Open the outputs; returns 0 or -1 after reporting the trouble. */
int out_open(const struct gen_opts *o);
/* Flush every open message and close; returns 0 or -1. */
int out_close(void);

/*
 * Append one record (its complete XML text) to the open message of type
 * code from sender s on day (0-based).  The message is written when it is
 * full.  When defect >= 0, an answer-key row is written for the record
 * with the business key key once the message's position is known.
 */
void out_record(int day, int code, const struct gen_party *s,
    const char *xml, size_t len, int defect, const char *key);
/* A second key row, of kind defect, for the record of the next
 * out_record() (a parcel that carries a risk pattern besides a defect). */
void out_also(int defect);
/* Like out_record, but the key row is added to the record last appended. */
void out_key_last(int day, int code, const struct gen_party *s, int defect,
    const char *key);
/* Force the open message of (day, code, s) out (a 607 part is complete). */
void out_flush_one(int day, int code, const struct gen_party *s);
/* Drop the open message of (day, code, s) unwritten (a missing part). */
void out_drop_one(int day, int code, const struct gen_party *s);
/* Write a whole manifest document (MT2201 ...) to the manifest output. */
void out_manifest(const char *xml, size_t len, const char *type);
/* Write one manifest CSV row. */
void out_manifest_row(const char *const *cols);
/* Nonzero once an output failed (reported once). */
int out_failed(void);

/* ---- dates ---- */

struct gen_date {
	int y, m, d;
	char ymd[16];		/* YYYYMMDD */
};
void gen_day(const struct gen_opts *o, int day, struct gen_date *out);
/* YYYYMMDDhhmmss of day + seconds into the day. */
void gen_time14(const struct gen_date *d, long sec, char out[15]);
/* yyyyMMddHHmmssSSS */
void gen_time17(const struct gen_date *d, long sec, int ms, char out[18]);

/* ---- shared value makers (gen-data.c) ---- */

void gen_guid(struct rng *r, char out[37]);
/*
 * --sender-shapes: from now on gen_guid() writes guids as many senders
 * build them, 36 upper-case characters that are no UUID (two letters,
 * "CEB", 14 digits, a 17-digit counter).
 */
void gen_guid_sender(void);
/* A payment company's customs code that begins with letters. */
void gen_letter_code(struct rng *r, char out[11]);
void gen_id_number(struct rng *r, char out[19]);
void gen_person_name(struct rng *r, char *out, size_t n);
void gen_phone(struct rng *r, char out[12]);
void gen_address(struct rng *r, char *out, size_t n, const char **district);
void gen_uscc(struct rng *r, char out[19]);
void gen_customs_code(struct rng *r, const char *district, char out[11]);
void gen_enterprise(struct rng *r, struct gen_party *p, const char *suffix,
    const char *district);
void gen_awb(struct rng *r, const char *prefix, char out[12]);
/* The XML-DSig block with placeholder values (required by 621/623/625). */
extern const char gen_signature[];

/* --sign: real signatures with a test key, or the placeholder block. */
enum { GEN_SIGN_RSA, GEN_SIGN_SM2, GEN_SIGN_NONE };
/* The TEST keys of testdata/keys (gen-keys.c). */
extern const char gen_rsa_key[], gen_rsa_cert[];
extern const char gen_sm2_key[], gen_sm2_cert[];
extern const char gen_other_cert[];

/* ---- the generators ---- */

int gen_import(const struct gen_opts *o, struct rng *r);
int gen_export(const struct gen_opts *o, struct rng *r);

#endif
