/*
 * summary.c: draft CEB701 汇总申请单 (summary applications) for written-off
 * inventories that are not yet summarised (--summary DIR).
 *
 * Only inventories with statisticsFlag B (汇总申报) are summarised; A
 * (简化申报) needs no summary.  Inventories are grouped by merge keys:
 *   official (CEB701 head fields, spec §3.12): customsCode (申报地海关),
 *     agentCode (申报单位), ebcCode (收发货人), and ownerCode (生产销售单位)
 *     when --summary-flag 2;
 *   configurable (--merge-keys, from GACC 2018 No.194 as recalled, not
 *     confirmed): trafMode, portCode, country, loctNo, ieMonth (the month
 *     of ieDate -- summaries are monthly).
 * One message per group (split into msgCount parts of at most 1000
 * invtNo), appStatus 1 (暂存: a draft for the operator to check, sign and
 * declare).  Everything in it is derived from the inventories and --now,
 * so a rerun writes the same files under the same names: a run killed
 * after writing them and before committing the state rewrites identical
 * files, and nothing is summarised twice.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "i18n.h"
#include "outfile.h"
#include "loop.h"
#include "state.h"
#include "fnv.h"
#include "wo.h"

#define SUMMARY_MAX_LIST 1000

static const char *const key_names[] = {
	"customsCode", "agentCode", "ebcCode", "ownerCode", "trafMode",
	"portCode", "country", "loctNo", "ieMonth", NULL
};

static const char *
key_value(const struct done *d, int k, char *buf, size_t n)
{
	switch (k) {
	case 0: return d->pf->customsCode;
	case 1: return d->agentCode;
	case 2: return d->pf->ebcCode;
	case 3: return d->pf->ownerCode;
	case 4: return d->pf->trafMode;
	case 5: return d->pf->portCode;
	case 6: return d->pf->country;
	case 7: return d->pf->loctNo;
	case 8:
		snprintf(buf, n, "%.6s", d->pf->ieDate);
		return buf;
	}
	return "";
}

/* Parse --merge-keys into a bit set; -1 on an unknown name (reported). */
int
summary_keys(const char *list, int flag, unsigned *set)
{
	char buf[512], *tok, *save = NULL;
	int k;

	*set = 1u << 0 | 1u << 1 | 1u << 2;
	if (flag == 2)
		*set |= 1u << 3;
	if (list == NULL || *list == '\0')
		return 0;
	snprintf(buf, sizeof buf, "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		for (k = 0; key_names[k]; k++)
			if (strcmp(tok, key_names[k]) == 0)
				break;
		if (key_names[k] == NULL) {
			loop_usage_error("--merge-keys", _("unknown key %s"),
			    tok);
			return -1;
		}
		*set |= 1u << k;
	}
	return 0;
}

/*
 * The done rows to summarise, read back from done.c in their order: the
 * row id, the merge key and the invtNo of each (the rest is read again
 * for the head of a part).
 */
struct cand {
	long id;
	const char *key, *invtNo;
};

static int
cmp_idx(const void *a, const void *b)
{
	const struct cand *i = a, *j = b;
	int c = strcmp(i->key, j->key);

	if (c == 0)
		c = strcmp(i->invtNo, j->invtNo);
	return c;
}

static void
xml_text(FILE *f, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		default: fputc(*s, f);
		}
}

static void
el(FILE *f, const char *name, const char *v)
{
	fprintf(f, "\t\t\t<ceb:%s>", name);
	xml_text(f, v);
	fprintf(f, "</ceb:%s>\n", name);
}

static void
uuid_of(const char *seed, char *out)
{
	char b[512];
	uint64_t h1, h2;

	snprintf(b, sizeof b, "g1|%s", seed);
	h1 = wo_hash(b);
	snprintf(b, sizeof b, "g2|%s", seed);
	h2 = wo_hash(b);
	snprintf(out, 37, "%08X-%04X-%04X-%04X-%012llX",
	    (unsigned)(h1 >> 32), (unsigned)(h1 >> 16) & 0xffff,
	    (unsigned)h1 & 0xffff, (unsigned)(h2 >> 48),
	    (unsigned long long)(h2 & 0xffffffffffffULL));
}

static int
write_part(struct wo *w, const struct cand *idx, size_t from, size_t to,
    long seq, long cnt, const char *copNo)
{
	static struct done_row r;
	const struct done *d = &r.d;
	char path[4096], err[300], seed[256], guid[40], hguid[40], apptime[15],
	    name[128], cnt_s[24], seq_s[24], flag[4], dxp[64];
	struct state_out *o;
	FILE *f;
	size_t i;
	struct diag_loc dl;
	WO_EXTRA(x);

	if (done_get(idx[from].id, &r) != 0)
		return -1;
	snprintf(name, sizeof name, "CEB701-%s-%ld.xml", copNo, seq);
	snprintf(path, sizeof path, "%s/%s", w->o.summary_dir, name);
	snprintf(seed, sizeof seed, "%s|%ld", copNo, seq);
	uuid_of(seed, guid);
	snprintf(seed, sizeof seed, "head|%s|%ld", copNo, seq);
	uuid_of(seed, hguid);
	snprintf(apptime, sizeof apptime, "%s000000", w->o.now_str);
	snprintf(cnt_s, sizeof cnt_s, "%ld", cnt);
	snprintf(seq_s, sizeof seq_s, "%ld", seq);
	snprintf(flag, sizeof flag, "%d", w->o.summary_flag);
	snprintf(dxp, sizeof dxp, "DXPENT%.24s", d->agentCode);
	if ((o = state_create(path, 0, 0644, err, sizeof err)) == NULL) {
		diag_trouble(path, 0, "%s", err);
		return -1;
	}
	f = state_file(o);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<ceb:CEB701Message guid=\"%s\" version=\"1.0\" "
	    "xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\">\n"
	    "\t<ceb:SummaryApply>\n\t\t<ceb:SummaryApplyHead>\n", guid);
	el(f, "guid", hguid);
	el(f, "appType", "1");
	el(f, "appTime", apptime);
	el(f, "appStatus", "1");
	el(f, "customsCode", d->pf->customsCode);
	el(f, "copNo", copNo);
	el(f, "agentCode", d->agentCode);
	el(f, "agentName", d->pf->agentName);
	el(f, "ebcCode", d->pf->ebcCode);
	el(f, "ebcName", d->pf->ebcName);
	el(f, "declAgentCode", w->o.decl_code ? w->o.decl_code : d->agentCode);
	el(f, "declAgentName", w->o.decl_name ? w->o.decl_name : d->pf->agentName);
	if (*d->pf->loctNo)
		el(f, "loctNo", d->pf->loctNo);
	el(f, "summaryFlag", flag);
	el(f, "itemNameFlag", w->o.item_name_flag);
	el(f, "msgCount", cnt_s);
	el(f, "msgSeqNo", seq_s);
	fputs("\t\t</ceb:SummaryApplyHead>\n", f);
	for (i = from; i < to; i++) {
		fputs("\t\t<ceb:SummaryApplyList>\n", f);
		el(f, "invtNo", idx[i].invtNo);
		fputs("\t\t</ceb:SummaryApplyList>\n", f);
	}
	fputs("\t</ceb:SummaryApply>\n\t<ceb:BaseTransfer>\n", f);
	el(f, "copCode", w->o.cop_code ? w->o.cop_code : d->agentCode);
	el(f, "copName", w->o.cop_name ? w->o.cop_name : d->pf->agentName);
	el(f, "dxpMode", "DXP");
	el(f, "dxpId", w->o.dxp_id ? w->o.dxp_id : dxp);
	fputs("\t</ceb:BaseTransfer>\n</ceb:CEB701Message>\n", f);
	if (ferror(f)) {
		state_abort(o);
		diag_trouble(path, 0, _("cannot write summary"));
		return -1;
	}
	if (state_commit(o, err, sizeof err) != 0) {
		diag_trouble(path, 0, "%s", err);
		return -1;
	}
	memset(&dl, 0, sizeof dl);
	dl.source = name;
	dl.message = 1;
	dl.type = "CEB701";
	dl.guid = guid;
	dl.record = 1;
	snprintf(seed, sizeof seed, "%s/%s", d->pf->ebcCode, copNo);
	dl.key = seed;
	x[X_OUTCOME] = "summarised";
	diag_finding(&dl, "W-SUM-001", DIAG_INFO, "", x,
	    _("draft summary application, part %ld of %ld, %zu "
	    "inventories"), seq, cnt, to - from);
	diag_tally(_("summary messages"), 1);
	return 0;
}

/* Temporary files of a run killed while writing summaries. */
static void
sweep_tmp(const char *dir)
{
	DIR *dp;
	struct dirent *de;
	char path[4096];

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL)
		if (strncmp(de->d_name, "CEB701-", 7) == 0 &&
		    strstr(de->d_name, ".xml.tmp.") != NULL) {
			snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
			unlink(path);
		}
	closedir(dp);
}

int
summary_write(struct wo *w)
{
	struct cand *idx = NULL;
	size_t n = 0, cap = 0, start;
	struct done_row r;
	unsigned set;
	char err[300];
	int r_ = -1;

	if (summary_keys(w->o.merge_keys, w->o.summary_flag, &set) != 0)
		return -1;
	if (state_mkdir(w->o.summary_dir, err, sizeof err) != 0) {
		diag_trouble(w->o.summary_dir, 0, "%s", err);
		return -1;
	}
	/* Not a symbolic link, not a folder others can write into
	 * (docs/security.md; --allow-shared-dir). */
	{
		int dfd = outfile_dir(w->o.summary_dir, err, sizeof err);

		if (dfd < 0) {
			diag_trouble(NULL, 0, "--summary: %s", err);
			return -1;
		}
		close(dfd);
	}
	sweep_tmp(w->o.summary_dir);
	memset(&r, 0, sizeof r);
	done_iter();
	while (done_next(&r)) {
		struct done *d = &r.d;
		char kb[1024], mb[16];
		size_t o = 0;
		int k;

		wo_mem_tick();
		if (strcmp(d->outcome, "written-off") != 0 ||
		    strcmp(d->pf->statFlag, "B") != 0 || *d->sumCopNo)
			continue;
		if (*d->invtNo == '\0') {
			struct diag_loc dl;
			WO_EXTRA(x);

			if (!d->is_new)
				continue;
			memset(&dl, 0, sizeof dl);
			dl.type = "CEB603";
			dl.key = d->copNo;
			x[X_OUTCOME] = "not-summarised";
			x[X_LNO] = d->lno;
			diag_finding(&dl, "W-SUM-002", DIAG_WARNING, "invtNo", x,
			    _("written off but no invtNo known yet (no 604 "
			    "receipt carried it)"));
			continue;
		}
		kb[0] = '\0';
		for (k = 0; key_names[k]; k++)
			if (set & (1u << k))
				o += (size_t)snprintf(kb + o, sizeof kb - o,
				    "%s|", key_value(d, k, mb, sizeof mb));
		idx = wo_grow_raw(idx, &cap, n + 1, sizeof *idx);
		idx[n].id = r.id;
		idx[n].key = wo_str(kb);
		idx[n].invtNo = wo_str(d->invtNo);
		n++;
	}
	done_row_free(&r);
	if (n > 1)	/* the array may be NULL when empty */
		qsort(idx, n, sizeof *idx, cmp_idx);
	for (start = 0; start < n;) {
		size_t end = start, j, from;
		char seed[64], copNo[31];
		uint64_t h = FNV64_INIT;
		long cnt, seq;

		while (end < n && strcmp(idx[end].key, idx[start].key) == 0)
			end++;
		for (j = start; j < end; j++) {
			if (j == start)
				h = fnv64_str(h, idx[j].key);
			h = fnv64(fnv64_str(h, idx[j].invtNo), "|", 1);
		}
		snprintf(seed, sizeof seed, "%016llX", (unsigned long long)h);
		snprintf(copNo, sizeof copNo, "WO%s%.12s", w->o.now_str, seed);
		cnt = (long)((end - start + SUMMARY_MAX_LIST - 1) /
		    SUMMARY_MAX_LIST);
		for (seq = 1, from = start; from < end; seq++) {
			size_t to = from + SUMMARY_MAX_LIST < end ?
			    from + SUMMARY_MAX_LIST : end;

			if (write_part(w, idx, from, to, seq, cnt, copNo) != 0)
				goto fail;
			from = to;
		}
		for (j = start; j < end; j++)
			done_set(idx[j].id, DONE_SUMCOPNO, copNo);
		start = end;
	}
	r_ = 0;
fail:
	wo_grow_free(idx, &cap, sizeof *idx);
	return r_;
}
