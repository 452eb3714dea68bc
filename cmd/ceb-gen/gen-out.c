/*
 * gen-out.c: where ceb-gen's records go.  Records are collected per day,
 * message type and sender into an open message; a message is written
 * when it holds its drawn number of records (or 4 MB), and at the end.
 * Messages go to one stream per day (plain or gzip) or to one file per
 * message.  The answer key learns a record's message index only when its
 * message is written, so key rows wait with their message.
 *
 * Declarations carry a ds:Signature: by default a real one, made with
 * the TEST key of testdata/keys (or --sign-key), so that every tool that
 * verifies accepts the batch; the sig- defects alter a signed message
 * afterwards.  The placeholder block is signed in place (common/dsig.h)
 * and spliced back into the text, so the layout is the same either way.
 *
 * Memory is bounded by the open messages (at most 100 records or 4 MB
 * each, one per day, type and sender), never by the batch.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "csvio.h"
#include "diag.h"
#include "dsig.h"
#include "gen.h"
#include "outfile.h"
#include "i18n.h"
#include "loop.h"
#include "msg.h"
#include "stream.h"

#define MSG_BYTES_MAX (4u << 20)

struct keyrow {
	int rec;
	int defect;
	char key[96];
};

struct mbuf {
	int day, code;
	struct gen_party party;
	struct sbuf recs;
	int nrec, target;
	struct keyrow *keys;
	int nkeys, capkeys;
	struct mbuf *chain;
};

struct sink {
	FILE *f;
	gzFile gz;
	struct outfile *of;	/* a file: common/outfile.h */
	char *source;		/* name a reader reports for this stream */
	long nmsg;
};

static struct {
	const struct gen_opts *o;
	struct rng rng;		/* message sizes and guids */
	struct mbuf **all;	/* in creation order */
	size_t nall, capall;
	struct mbuf *hash[4096];
	struct sink *days;	/* stream mode: one per day */
	long *dayfiles;		/* dir mode: files written per day */
	struct sink key;	/* -k */
	struct sink mcsv;	/* -m */
	struct sink mxml;
	long nmxml;
	int failed;
	long ndefects;
	struct sbuf tmp;
	struct dsig_signer *signer;	/* NULL: --sign none */
	char *other_cert;		/* base64 DER for sig-wrong-certificate */
} out;

static char *pem_body(const char *pem);

int
out_failed(void)
{
	return out.failed;
}

static void
fail(const char *what)
{
	if (!out.failed)
		diag_trouble(NULL, 0, _("cannot write %s: %s"), what,
		    strerror(errno ? errno : EIO));
	out.failed = 1;
}

static int
mkdirs(const char *path)
{
	char buf[4096], *p;

	snprintf(buf, sizeof buf, "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0777) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL) {
		diag_trouble(NULL, 0, _("out of memory"));
		exit(diag_exit());
	}
	return p;
}

/*
 * Start writing path (NULL or "-": standard output): a new file of a
 * random name in its directory, renamed over path by sink_close()
 * (common/outfile.h: no symbolic link followed); sync 0 for the files
 * of -d, thousands of them, which a rerun makes again.
 */
static int
sink_open(struct sink *s, const char *path, int gz, int sync)
{
	char err[512];

	memset(s, 0, sizeof *s);
	if (path == NULL || strcmp(path, "-") == 0) {
		s->source = xstrdup("stdin");
		if (gz)
			s->gz = gzdopen(dup(1), "wb1");
		else
			s->f = stdout;
		if (s->f == NULL && s->gz == NULL) {
			diag_trouble(NULL, 0, _("cannot create %s: %s"),
			    _("standard output"), strerror(errno));
			return -1;
		}
		return 0;
	}
	s->source = xstrdup(path);
	if ((s->of = outfile_open(path, outfile_mode(0), err, sizeof err)) ==
	    NULL) {
		diag_trouble(NULL, 0, _("cannot create %s: %s"), path, err);
		return -1;
	}
	if (!sync)
		outfile_nosync(s->of);
	if (gz) {
		int fd = dup(fileno(outfile_stream(s->of)));

		if (fd < 0 || (s->gz = gzdopen(fd, "wb1")) == NULL) {
			diag_trouble(NULL, 0, _("cannot create %s: %s"), path,
			    strerror(errno ? errno : ENOMEM));
			if (fd >= 0)
				close(fd);
			outfile_abort(s->of);
			s->of = NULL;
			return -1;
		}
	} else
		s->f = outfile_stream(s->of);
	return 0;
}

static void
sink_write(struct sink *s, const char *p, size_t n)
{
	if (out.failed)
		return;
	if (s->gz) {
		if (n > 0 && gzwrite(s->gz, p, (unsigned)n) != (int)n)
			fail(s->source);
	} else if (fwrite(p, 1, n, s->f) != n)
		fail(s->source);
}

static int
sink_close(struct sink *s)
{
	char err[512];
	int r = 0;

	if (s->gz && gzclose(s->gz) != Z_OK)
		r = -1;
	if (s->of) {
		if (out.failed)		/* no half batch left behind */
			r = -1;
		if (r == 0 && outfile_commit(s->of, err, sizeof err) != 0) {
			diag_trouble(NULL, 0, _("cannot write %s: %s"),
			    s->source, err);
			out.failed = 1;
			r = -1;
		} else if (r != 0)
			outfile_abort(s->of);
	} else if (s->f == stdout && fflush(stdout) != 0)
		r = -1;
	if (r != 0 && !out.failed)
		fail(s->source);
	free(s->source);
	s->gz = NULL;
	s->f = NULL;
	s->of = NULL;
	s->source = NULL;
	return r;
}

static int open_all(const struct gen_opts *o);

/* Open every output; when one cannot be, those opened are removed. */
int
out_open(const struct gen_opts *o)
{
	int d;

	if (open_all(o) == 0)
		return 0;
	out.failed = 1;
	for (d = 0; out.days && d < o->days; d++)
		if (out.days[d].source)
			sink_close(&out.days[d]);
	if (out.key.source)
		sink_close(&out.key);
	if (out.mcsv.source)
		sink_close(&out.mcsv);
	if (out.mxml.source)
		sink_close(&out.mxml);
	return -1;
}

static int
open_all(const struct gen_opts *o)
{
	const char *ext = o->gzip ? ".xml.gz" : ".xml";
	char path[4096];
	int d;

	out.o = o;
	rng_seed(&out.rng, o->seed ^ 0x6F75747075747321ULL);
	if (o->sign != GEN_SIGN_NONE) {
		char err[400];

		if (o->sign_key)
			out.signer = dsig_signer_new(o->sign_key,
			    loop_env("CEB_SIGN_PASS"), o->sign_cert, NULL, err,
			    sizeof err);
		else if (o->sign == GEN_SIGN_SM2)
			out.signer = dsig_signer_new_pem(gen_sm2_key,
			    gen_sm2_cert, NULL, err, sizeof err);
		else
			out.signer = dsig_signer_new_pem(gen_rsa_key,
			    gen_rsa_cert, NULL, err, sizeof err);
		if (out.signer == NULL) {
			diag_trouble(NULL, 0, "%s", err);
			return -1;
		}
		out.other_cert = pem_body(gen_other_cert);
	}
	if (o->dirmode || o->days > 1) {
		if (o->out == NULL || strcmp(o->out, "-") == 0) {
			diag_trouble(NULL, 0, _("-d and --days need -o DIR"));
			return -1;
		}
		if (mkdirs(o->out) != 0) {
			diag_trouble(NULL, 0, _("cannot create %s: %s"), o->out,
			    strerror(errno));
			return -1;
		}
	}
	if (o->dirmode) {
		out.dayfiles = calloc((size_t)o->days, sizeof *out.dayfiles);
		for (d = 0; d < o->days && o->days > 1; d++) {
			snprintf(path, sizeof path, "%s/day%d", o->out, d + 1);
			if (mkdirs(path) != 0) {
				diag_trouble(NULL, 0, _("cannot create %s: %s"),
				    path, strerror(errno));
				return -1;
			}
		}
	} else {
		out.days = calloc((size_t)o->days, sizeof *out.days);
		for (d = 0; d < o->days; d++) {
			if (o->days > 1)
				snprintf(path, sizeof path, "%s/day%d%s",
				    o->out, d + 1, ext);
			if (sink_open(&out.days[d], o->days > 1 ? path : o->out,
			    o->gzip, 1) != 0)
				return -1;
		}
	}
	if (o->key) {
		static const char *const hdr[] = { "source", "message",
		    "record", "key", "defect" };

		if (sink_open(&out.key, o->key, 0, 1) != 0)
			return -1;
		csvio_write_row(out.key.f, hdr, 5);
	}
	if (o->manifest_csv) {
		static const char *const hdr[] = { "trafMode", "voyageNo",
		    "date", "billNo", "logisticsNo", "pieces", "grossWeight" };

		if (sink_open(&out.mcsv, o->manifest_csv, 0, 1) != 0)
			return -1;
		csvio_write_row(out.mcsv.f, hdr, 7);
	}
	if (o->manifest_xml) {
		if (o->dirmode) {
			if (mkdirs(o->manifest_xml) != 0) {
				diag_trouble(NULL, 0, _("cannot create %s: %s"),
				    o->manifest_xml, strerror(errno));
				return -1;
			}
		} else if (sink_open(&out.mxml, o->manifest_xml, 0, 1) != 0)
			return -1;
	}
	return 0;
}

static struct mbuf *
find(int day, int code, const struct gen_party *s, int create)
{
	unsigned h = 2166136261u;
	const char *p;
	struct mbuf *m;

	for (p = s->code; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h = (h ^ (unsigned)code * 31u ^ (unsigned)day * 7919u) % 4096u;
	for (m = out.hash[h]; m; m = m->chain)
		if (m->day == day && m->code == code &&
		    strcmp(m->party.code, s->code) == 0)
			return m;
	if (!create)
		return NULL;
	if ((m = calloc(1, sizeof *m)) == NULL) {
		diag_trouble(NULL, 0, _("out of memory"));
		exit(diag_exit());
	}
	m->day = day;
	m->code = code;
	m->party = *s;
	m->chain = out.hash[h];
	out.hash[h] = m;
	if (out.nall == out.capall) {
		out.capall = out.capall ? out.capall * 2 : 256;
		out.all = realloc(out.all, out.capall * sizeof *out.all);
		if (out.all == NULL) {
			diag_trouble(NULL, 0, _("out of memory"));
			exit(diag_exit());
		}
	}
	out.all[out.nall++] = m;
	return m;
}

/* How many records the next message of this kind will hold. */
static int
draw_target(int code)
{
	int x;

	if (code == 607 || code == 509)
		return 1;
	if (out.o->max_records > 0)
		return out.o->max_records;
	x = (int)rng_below(&out.rng, 100);
	if (x < 40)
		return 1;
	if (x < 70)
		return (int)rng_range(&out.rng, 2, 10);
	if (x < 90)
		return (int)rng_range(&out.rng, 11, 50);
	return (int)rng_range(&out.rng, 51, 100);
}

/* The base64 body of a PEM block, malloc'd. */
static char *
pem_body(const char *pem)
{
	char *s = xstrdup(pem), *o = s;
	const char *p = strchr(pem, '\n');

	for (p = p ? p + 1 : pem; *p && *p != '-'; p++)
		if (*p != '\n')
			*o++ = *p;
	*o = '\0';
	return s;
}

/* The signature defect carried by a record of m, or D_NONE. */
static int
sig_defect(const struct mbuf *m)
{
	int i;

	for (i = 0; i < m->nkeys; i++)
		if (m->keys[i].defect >= D_SIG_CHANGED &&
		    m->keys[i].defect <= D_SIG_CERT)
			return m->keys[i].defect;
	return D_NONE;
}

/* Change the first character of the text of element name in s[0..n). */
static void
flip_text(char *s, size_t n, const char *name)
{
	char open[64];
	char *p;

	snprintf(open, sizeof open, "<ds:%s>", name);
	if ((p = memmem(s, n, open, strlen(open))) != NULL) {
		p += strlen(open);
		*p = *p == 'A' ? 'B' : 'A';
	}
}

/*
 * Replace the placeholder signature at b->p + at with a real one over the
 * message, then apply defect (D_SIG_*, or D_NONE).
 */
static void
sign_message(struct sbuf *b, size_t at, int defect)
{
	size_t plen = strlen(gen_signature), slen;
	struct stream_err err;
	xmlBufferPtr xb;
	xmlDocPtr doc;
	xmlNodePtr sig;
	char why[300], *p;

	memset(&err, 0, sizeof err);
	if ((doc = stream_parse_memory(b->p, b->n, "ceb-gen", &err)) == NULL ||
	    (sig = msg_child(xmlDocGetRootElement(doc), MSG_NS_DS,
	    "Signature")) == NULL || dsig_sign(out.signer, doc, NULL, 1, why,
	    sizeof why) != 0 || (xb = xmlBufferCreate()) == NULL) {
		diag_trouble(NULL, 0, _("cannot sign a message: %s"), doc ?
		    why : err.msg);
		exit(diag_exit());
	}
	sig = msg_child(xmlDocGetRootElement(doc), MSG_NS_DS, "Signature");
	xmlNodeDump(xb, doc, sig, 0, 0);
	slen = (size_t)xmlBufferLength(xb);
	sb_reserve(b, slen);
	memmove(b->p + at + slen, b->p + at + plen, b->n - at - plen);
	memcpy(b->p + at, xmlBufferContent(xb), slen);
	b->n = b->n - plen + slen;
	xmlBufferFree(xb);
	xmlFreeDoc(doc);
	if (defect == D_SIG_CHANGED) {
		/* The last hex digit of the root guid. */
		if ((p = memmem(b->p, b->n, "guid=\"", 6)) != NULL &&
		    (p = memchr(p + 6, '"', b->n - (size_t)(p + 6 - b->p))) !=
		    NULL)
			p[-1] = p[-1] == '0' ? '1' : '0';
	} else if (defect == D_SIG_DIGEST)
		flip_text(b->p, b->n, "DigestValue");
	else if (defect == D_SIG_VALUE)
		flip_text(b->p, b->n, "SignatureValue");
	else if (defect == D_SIG_CERT) {
		char *c = memmem(b->p, b->n, "<ds:X509Certificate>", 20), *e;
		size_t ol, nl = strlen(out.other_cert);

		if (c == NULL || (e = memmem(c, b->n - (size_t)(c - b->p),
		    "</ds:X509Certificate>", 21)) == NULL)
			return;
		c += 20;
		ol = (size_t)(e - c);
		sb_reserve(b, nl);
		memmove(c + nl, c + ol, b->n - (size_t)(c + ol - b->p));
		memcpy(c, out.other_cert, nl);
		b->n = b->n - ol + nl;
	}
}

static void
compose(struct mbuf *m, struct sbuf *b)
{
	const struct msg_type *t = msg_type_by_code(m->code);
	char guid[37];
	size_t at = 0;

	gen_guid(&out.rng, guid);
	b->n = 0;
	sb_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<ceb:%s guid=\"%s\" version=\"1.0\" "
	    "xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\">\n", t->root, guid);
	sb_putn(b, m->recs.p, m->recs.n);
	if (t->kind == MSG_DECLARATION) {
		sb_puts(b, "<ceb:BaseTransfer>");
		sb_el(b, "copCode", m->party.code);
		sb_el(b, "copName", m->party.name);
		sb_el(b, "dxpMode", "DXP");
		sb_el(b, "dxpId", m->party.dxp);
		sb_puts(b, "</ceb:BaseTransfer>\n");
		at = b->n;
		sb_puts(b, gen_signature);
		sb_puts(b, "\n");
	}
	sb_printf(b, "</ceb:%s>\n", t->root);
	if (at > 0 && out.signer)
		sign_message(b, at, sig_defect(m));
}

static void
write_message(struct mbuf *m)
{
	const char *source;
	char path[4096], mno[24], rno[24];
	long index;
	int i;

	if (m->nrec == 0)
		return;
	compose(m, &out.tmp);
	if (out.o->dirmode) {
		struct sink s;
		long n = ++out.dayfiles[m->day];

		if (out.o->days > 1)
			snprintf(path, sizeof path, "%s/day%d/%08ld-CEB%d.xml%s",
			    out.o->out, m->day + 1, n, m->code,
			    out.o->gzip ? ".gz" : "");
		else
			snprintf(path, sizeof path, "%s/%08ld-CEB%d.xml%s",
			    out.o->out, n, m->code, out.o->gzip ? ".gz" : "");
		if (sink_open(&s, path, out.o->gzip, 0) != 0) {
			out.failed = 1;
			return;
		}
		sink_write(&s, out.tmp.p, out.tmp.n);
		sink_close(&s);
		source = path;
		index = 1;
	} else {
		struct sink *s = &out.days[m->day];

		sink_write(s, out.tmp.p, out.tmp.n);
		source = s->source;
		index = ++s->nmsg;
	}
	diag_messages(1);
	diag_records(m->nrec, m->nrec, 0);
	out.ndefects += m->nkeys;
	for (i = 0; i < m->nkeys && out.key.f; i++) {
		const char *row[5];

		snprintf(mno, sizeof mno, "%ld", index);
		snprintf(rno, sizeof rno, "%d", m->keys[i].rec);
		row[0] = source;
		row[1] = mno;
		row[2] = rno;
		row[3] = m->keys[i].key;
		row[4] = gen_defects[m->keys[i].defect].name;
		if (csvio_write_row(out.key.f, row, 5) != 0)
			fail(out.o->key);
	}
	m->recs.n = 0;
	m->nrec = 0;
	m->nkeys = 0;
	m->target = 0;
}

static void
add_key(struct mbuf *m, int rec, int defect, const char *key)
{
	if (m->nkeys == m->capkeys) {
		m->capkeys = m->capkeys ? m->capkeys * 2 : 4;
		m->keys = realloc(m->keys, (size_t)m->capkeys * sizeof *m->keys);
		if (m->keys == NULL) {
			diag_trouble(NULL, 0, _("out of memory"));
			exit(diag_exit());
		}
	}
	m->keys[m->nkeys].rec = rec;
	m->keys[m->nkeys].defect = defect;
	snprintf(m->keys[m->nkeys].key, sizeof m->keys[m->nkeys].key, "%s",
	    key);
	m->nkeys++;
}

/* The kind out_also() asked for, for the next out_record(). */
static int also = -1;

void
out_also(int defect)
{
	also = defect;
}

void
out_record(int day, int code, const struct gen_party *s, const char *xml,
    size_t len, int defect, const char *key)
{
	struct mbuf *m = find(day, code, s, 1);

	if (m->target == 0)
		m->target = draw_target(code);
	sb_putn(&m->recs, xml, len);
	m->nrec++;
	if (defect >= 0)
		add_key(m, m->nrec, defect, key);
	if (also >= 0)
		add_key(m, m->nrec, also, key);
	also = -1;
	/*
	 * A signature defect spoils its whole message: the message ends
	 * with the record the key names, so each holds at most one.
	 */
	if ((code != 607 && code != 509 &&
	    (m->nrec >= m->target || m->recs.n >= MSG_BYTES_MAX)) ||
	    (defect >= D_SIG_CHANGED && defect <= D_SIG_CERT))
		write_message(m);
}

void
out_key_last(int day, int code, const struct gen_party *s, int defect,
    const char *key)
{
	struct mbuf *m = find(day, code, s, 0);

	if (m != NULL && m->nrec > 0)
		add_key(m, m->nrec, defect, key);
}

void
out_flush_one(int day, int code, const struct gen_party *s)
{
	struct mbuf *m = find(day, code, s, 0);

	if (m != NULL)
		write_message(m);
}

void
out_drop_one(int day, int code, const struct gen_party *s)
{
	struct mbuf *m = find(day, code, s, 0);

	if (m != NULL) {
		m->recs.n = 0;
		m->nrec = 0;
		m->nkeys = 0;
		m->target = 0;
	}
}

void
out_manifest(const char *xml, size_t len, const char *type)
{
	char path[4096];

	if (out.o->manifest_xml == NULL)
		return;
	if (out.o->dirmode) {
		struct sink s;

		snprintf(path, sizeof path, "%s/%08ld-%s.xml",
		    out.o->manifest_xml, ++out.nmxml, type);
		if (sink_open(&s, path, 0, 0) != 0) {
			out.failed = 1;
			return;
		}
		sink_write(&s, xml, len);
		sink_close(&s);
	} else
		sink_write(&out.mxml, xml, len);
}

void
out_manifest_row(const char *const *cols)
{
	if (out.mcsv.f && csvio_write_row(out.mcsv.f, cols, 7) != 0)
		fail(out.o->manifest_csv);
}

int
out_close(void)
{
	size_t i;
	int d;

	for (i = 0; i < out.nall; i++)
		write_message(out.all[i]);
	for (i = 0; i < out.nall; i++) {
		free(out.all[i]->recs.p);
		free(out.all[i]->keys);
		free(out.all[i]);
	}
	free(out.all);
	if (out.days) {
		for (d = 0; d < out.o->days; d++)
			sink_close(&out.days[d]);
		free(out.days);
	}
	free(out.dayfiles);
	if (out.o->key)
		sink_close(&out.key);
	if (out.o->manifest_csv)
		sink_close(&out.mcsv);
	if (out.o->manifest_xml && !out.o->dirmode)
		sink_close(&out.mxml);
	free(out.tmp.p);
	dsig_signer_free(out.signer);
	free(out.other_cert);
	if (diag_status() != 2)
		diag_tally(_("defects"), out.ndefects);
	return out.failed ? -1 : 0;
}
