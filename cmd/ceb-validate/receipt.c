/*
 * receipt.c: customs-style receipts (ceb-validate -R DIR).
 *
 * The layout of each receipt record (element names, order, which are
 * optional) follows the 2022 XSDs (the same in 2018 for these types); the
 * values come from the declaration's head.  Where a receipt element is
 * required but the declaration cannot supply it, this file decides, and
 * the man page says so:
 *  - guid: derived from the record (its guid, key and its position among
 *    the receipts of the run) and written as an upper-case UUID, so that a
 *    run over the same input writes the same receipts (under new file
 *    numbers: numbering goes on from the files already in the folder);
 *  - preNo (the e-port's pre-entry number, C18): the record's own preNo
 *    when it has 18 characters, otherwise "B" + the day of the run +
 *    "000000000", a number the e-port would never assign;
 *  - copNo of 622/624/626 (required, 1..20): the record's copNo, else its
 *    orderNo cut to 20 characters;
 *  - msgSeqNo: the record's, else 1;
 *  - import invtNo (C18, optional): only when the record has 18 characters.
 * returnStatus is 120 (海关入库) for an accepted record and 100 (海关退单)
 * for a rejected one; returnInfo (at most 1000 characters) lists the
 * errors as "RULE field: detail" separated by "; ".
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "i18n.h"
#include "outfile.h"
#include "receipt.h"

struct receipt_writer {
	char *dir;
	int dfd;		/* the folder, opened once (outfile_dir()) */
	unsigned long count;	/* receipts of this run */
	unsigned long base;	/* highest file number found in dir */
};

/*
 * The highest NNNNNN of the files NNNNNN-CEB... in dir into *max (0 when
 * none).  Returns 0, or -1 with err (not a directory, unreadable).
 */
static int
highest_number(int dfd, const char *dir, unsigned long *max, char *err,
    size_t n)
{
	DIR *d;
	struct dirent *e;
	int fd = dup(dfd);

	*max = 0;
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		snprintf(err, n, "%s: %s", dir, errno == ENOTDIR ?
		    _("not a directory") : strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		const char *p = e->d_name;
		unsigned long v = 0;
		int digits = 0;

		for (; *p >= '0' && *p <= '9' && digits < 18; p++, digits++)
			v = v * 10 + (unsigned long)(*p - '0');
		if (digits >= 6 && strncmp(p, "-CEB", 4) == 0 && v > *max)
			*max = v;
	}
	closedir(d);
	return 0;
}

/*
 * Receipt layouts by receipt type: the record's elements between guid and
 * returnStatus.  A trailing '?' marks an optional element (left out when
 * the declaration has no value).
 */
static const struct layout {
	int code;
	const char *fields;
} layouts[] = {
	{ 312, "ebpCode ebcCode orderNo" },
	{ 412, "payCode payTransactionId" },
	{ 512, "logisticsCode logisticsNo" },
	{ 514, "logisticsCode logisticsNo logisticsStatus" },
	{ 622, "customsCode? ebpCode? ebcCode? agentCode? copNo preNo invtNo?" },
	{ 624, "customsCode? agentCode? ebpCode? ebcCode? copNo preNo invtNo?" },
	{ 626, "customsCode? agentCode? ebpCode? ebcCode? copNo preNo invtNo?" },
	{ 712, "customsCode? operatorCode? copNo? preNo? rkdNo?" },
	{ 304, "ebpCode ebcCode orderNo" },
	{ 404, "ebcCode orderNo payNo?" },
	{ 506, "logisticsCode logisticsNo" },
	{ 508, "operatorCode logisticsCode preNo copNo billNo msgSeqNo" },
	{ 510, "logisticsCode copNo preNo msgSeqNo" },
	{ 604, "agentCode copNo preNo invtNo ebcCode ebpCode orderNo "
	    "statisticsFlag" },
	{ 606, "agentCode copNo preNo invtNo" },
	{ 608, "agentCode logisticsCode copNo preNo billNo msgSeqNo" },
	{ 214, "ebpCode? ebcCode? agentCode coElNo preNo? invtNo" },
	{ 216, "operatorCode logisticsCode logisticsNo coElNo preNo?" },
	{ 702, "agentCode ebcCode copNo preNo sumNo? msgSeqNo" },
};

struct receipt_writer *
receipt_writer_new(const char *dir, char *err, size_t n)
{
	struct receipt_writer *w;
	int dfd;

	/* Not a symbolic link, not a folder others can write into. */
	if ((dfd = outfile_dir(dir, err, n)) < 0)
		return NULL;
	if ((w = calloc(1, sizeof *w)) != NULL &&
	    highest_number(dfd, dir, &w->base, err, n) != 0) {
		free(w);
		close(dfd);
		return NULL;
	}
	if (w == NULL ||
	    (w->dir = strdup(dir)) == NULL) {
		free(w);
		close(dfd);
		snprintf(err, n, "%s", strerror(ENOMEM));
		return NULL;
	}
	w->dfd = dfd;
	return w;
}

void
receipt_writer_free(struct receipt_writer *w)
{
	if (w == NULL)
		return;
	close(w->dfd);
	free(w->dir);
	free(w);
}

/* Trimmed copy of a field of head into buf ("" when absent). */
static const char *
value(xmlNodePtr head, const char *name, char *buf, size_t n)
{
	const char *v = msg_field(head, name);
	size_t len;

	buf[0] = '\0';
	if (v == NULL)
		return buf;
	while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
		v++;
	len = strlen(v);
	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t' ||
	    v[len - 1] == '\n' || v[len - 1] == '\r'))
		len--;
	if (len >= n) {
		/* Cut on a character boundary: half a UTF-8 sequence would
		 * make the receipt unreadable XML (fuzz-validate-receipt). */
		len = n - 1;
		while (len > 0 && ((unsigned char)v[len] & 0xC0) == 0x80)
			len--;
	}
	snprintf(buf, n, "%.*s", (int)len, v);
	return buf;
}

/* Write s with XML escapes. */
static void
esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: putc(*s, f); break;
		}
	}
}

static void
element(FILE *f, const char *name, const char *v)
{
	fprintf(f, "\t\t<%s>", name);
	esc(f, v);
	fprintf(f, "</%s>\n", name);
}

/* Cut s to at most max characters (UTF-8), in place. */
static void
cut_chars(char *s, size_t max)
{
	size_t chars = 0;
	char *p;

	for (p = s; *p; p++) {
		if (((unsigned char)*p & 0xC0) != 0x80) {
			if (chars == max) {
				*p = '\0';
				return;
			}
			chars++;
		}
	}
}

static uint64_t
fnv64(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	h ^= 0xff;
	h *= 1099511628211ULL;
	return h;
}

/* A deterministic upper-case UUID for the receipt. */
static void
receipt_guid(const char *a, const char *b, const char *c, char out[37])
{
	uint64_t h1 = 14695981039346656037ULL, h2 = 0x9E3779B97F4A7C15ULL;

	h1 = fnv64(fnv64(fnv64(h1, a), b), c);
	h2 = fnv64(fnv64(fnv64(h2 ^ h1, c), a), b);
	snprintf(out, 37, "%08llX-%04llX-%04llX-%04llX-%012llX",
	    (unsigned long long)(h1 >> 32),
	    (unsigned long long)((h1 >> 16) & 0xFFFF),
	    (unsigned long long)(h1 & 0xFFFF),
	    (unsigned long long)(h2 >> 48),
	    (unsigned long long)(h2 & 0xFFFFFFFFFFFFULL));
}

void
receipt_stamp(long long t, char out[18])
{
	long long z = t / 86400 + 719468, era, doe, yoe, y, doy, mp, d, m;
	long long sec = ((t % 86400) + 86400) % 86400;
	char buf[80];

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp + (mp < 10 ? 3 : -9);
	y += m <= 2;
	snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d000",
	    (int)(y % 10000), (int)m, (int)d, (int)(sec / 3600),
	    (int)(sec / 60 % 60), (int)(sec % 60));
	memcpy(out, buf, 17);
	out[17] = '\0';
}

static void
write_fields(FILE *f, const struct layout *lay, xmlNodePtr head,
    const char *when)
{
	const char *p = lay->fields;
	char name[32], buf[256];

	while (*p) {
		size_t len = strcspn(p, " ");
		int opt = len > 0 && p[len - 1] == '?';
		const char *v;

		snprintf(name, sizeof name, "%.*s", (int)(len - opt), p);
		p += len;
		while (*p == ' ')
			p++;
		v = value(head, name, buf, sizeof buf);
		if (strcmp(name, "preNo") == 0) {
			if (strlen(v) != 18) {
				if (opt)
					continue;
				snprintf(buf, sizeof buf, "B%.8s000000000",
				    when);
			}
		} else if (strcmp(name, "invtNo") == 0 && opt) {
			if (strlen(v) != 18)
				continue;
		} else if (strcmp(name, "copNo") == 0 && !opt && *v == '\0') {
			value(head, "orderNo", buf, sizeof buf);
			cut_chars(buf, 20);
		} else if (strcmp(name, "msgSeqNo") == 0 && *v == '\0')
			snprintf(buf, sizeof buf, "1");
		else if (opt && *v == '\0')
			continue;
		element(f, name, buf);
	}
}

static void
return_info(const struct rules_result *res, int passed, char *buf, size_t n)
{
	size_t i, len;

	if (passed || res == NULL || res->n == 0) {
		snprintf(buf, n, "%s", passed ? "ceb-validate: 逻辑校验通过 "
		    "(every check passed)" : "ceb-validate: 退单 (rejected)");
		return;
	}
	len = (size_t)snprintf(buf, n, "ceb-validate: 退单 (rejected): ");
	for (i = 0; i < res->n && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s %s",
		    i ? "; " : "", res->item[i].rule, res->item[i].text);
	cut_chars(buf, 1000);
}

int
receipt_write(struct receipt_writer *w, long long now, const struct msg *m,
    xmlNodePtr rec, int passed, const struct rules_result *res, char *err,
    size_t n)
{
	const struct msg_type *rt;
	const struct layout *lay = NULL;
	xmlNodePtr head;
	char path[256], tmp[64], key[256], name[96], num[24], guid[37];
	char when[18], info[4096], g[64];
	size_t i, k;
	FILE *f;

	if (m->type == NULL || m->type->receipt == 0 ||
	    (rt = msg_type_by_code(m->type->receipt)) == NULL)
		return 0;
	for (i = 0; i < sizeof layouts / sizeof layouts[0]; i++)
		if (layouts[i].code == rt->code)
			lay = &layouts[i];
	if (lay == NULL)
		return 0;
	head = msg_head(m, rec);
	w->count++;
	msg_key(m, rec, key, sizeof key);
	for (i = 0, k = 0; key[i] && k < 80; i++, k++) {
		unsigned char ch = (unsigned char)key[i];

		name[k] = (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= 'a' && ch <= 'z') || ch == '.' || ch == '-' ?
		    (char)ch : '_';
	}
	name[k] = '\0';
	snprintf(num, sizeof num, "%lu", w->count);
	receipt_guid(value(head, "guid", g, sizeof g), key, num, guid);
	receipt_stamp(now, when);
	return_info(res, passed, info, sizeof info);
	/* Written under a name no one can guess, never through a link,
	 * then given its numbered name without replacing anything there
	 * (another run into the same folder takes the next number). */
	if ((f = outfile_tmp(w->dfd, "receipt", outfile_mode(0), tmp,
	    sizeof tmp)) == NULL) {
		snprintf(err, n, "%s: %s", w->dir, strerror(errno));
		return -1;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<%s guid=\"%s\" version=\"1.0\" "
	    "xmlns=\"" MSG_NS_CEB "\">\n\t<%s>\n", rt->root, guid, rt->record);
	element(f, "guid", guid);
	write_fields(f, lay, head, when);
	element(f, "returnStatus", passed ? "120" : "100");
	element(f, "returnTime", when);
	element(f, "returnInfo", info);
	fprintf(f, "\t</%s>\n</%s>\n", rt->record, rt->root);
	if (ferror(f) | (fflush(f) != 0) | (fsync(fileno(f)) != 0) |
	    (fclose(f) != 0)) {
		snprintf(err, n, "%s/%s: %s", w->dir, tmp, strerror(errno));
		(void)unlinkat(w->dfd, tmp, 0);
		return -1;
	}
	for (k = 0; ; k++) {
		snprintf(path, sizeof path, "%06lu-CEB%d-%s.xml",
		    w->base + w->count, rt->code, name);
		if (outfile_publish(w->dfd, tmp, path) == 0)
			break;
		if (errno != EEXIST || k == 100000) {
			snprintf(err, n, "%s/%s: %s", w->dir, path,
			    strerror(errno));
			(void)unlinkat(w->dfd, tmp, 0);
			return -1;
		}
		w->base++;	/* taken meanwhile: the next number */
	}
	return 0;
}
