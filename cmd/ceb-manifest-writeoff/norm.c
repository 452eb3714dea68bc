/*
 * norm.c: the normalisation done before any join.  The carrier's manifest
 * and the CEB messages write the same bill, voyage and transport mode in
 * different ways:
 *   - bill numbers: "618-43844743" in a CEB billNo, "61843844743" in the
 *     manifest; dashes and spaces are dropped and letters upper-cased;
 *   - transport mode: CEB trafMode is the JGS-20 list (5 air, 2 sea,
 *     4 road, 3 rail, 6 post), the manifest BorderTransportMeans/TypeCode
 *     is UN/ECE Rec. 19 (4 air, 1 sea, 3 road, 2 rail, 5 post) -- see
 *     manifest-notes §2.2 (1/4 verified in samples, the rest inferred);
 *   - voyage: a manifest JourneyID carries the flight date after a slash
 *     ("MI987/20171031") where the CEB voyageNo is "MI987"; flight numbers
 *     are written with or without leading zeros.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

#include "wo.h"

struct modemap {
	char code;
	char mode;
};

static const struct modemap ceb_modes[] = {
	{ '2', 'S' }, { '3', 'T' }, { '4', 'R' }, { '5', 'A' }, { '6', 'P' },
	{ 0, 0 }
};
static const struct modemap mft_modes[] = {
	{ '1', 'S' }, { '2', 'T' }, { '3', 'R' }, { '4', 'A' }, { '5', 'P' },
	{ 0, 0 }
};

static char
map_mode(const struct modemap *t, const char *code)
{
	while (code && isspace((unsigned char)*code))
		code++;
	if (code == NULL || code[0] == '\0')
		return '?';
	if (code[1] != '\0' && !isspace((unsigned char)code[1]))
		return '?';
	for (; t->code; t++)
		if (t->code == code[0])
			return t->mode;
	return '?';
}

char
norm_mode_ceb(const char *code)
{
	return map_mode(ceb_modes, code);
}

char
norm_mode_mft(const char *code)
{
	return map_mode(mft_modes, code);
}

char
norm_mode_word(const char *s, int ceb)
{
	static const struct { const char *w; char m; } words[] = {
		{ "AIR", 'A' }, { "SEA", 'S' }, { "ROAD", 'R' },
		{ "RAIL", 'T' }, { "POST", 'P' }, { "MAIL", 'P' },
		{ "A", 'A' }, { "S", 'S' }, { "R", 'R' }, { "T", 'T' },
		{ "P", 'P' }, { NULL, 0 }
	};
	size_t i;

	while (*s && isspace((unsigned char)*s))
		s++;
	for (i = 0; words[i].w; i++)
		if (strcasecmp(s, words[i].w) == 0)
			return words[i].m;
	return ceb ? norm_mode_ceb(s) : norm_mode_mft(s);
}

const char *
norm_mode_name(char m)
{
	switch (m) {
	case 'A': return "air";
	case 'S': return "sea";
	case 'R': return "road";
	case 'T': return "rail";
	case 'P': return "post";
	default: return "unknown";
	}
}

static void
squeeze(const char *s, char *out, size_t n, int dashes, int slash)
{
	size_t o = 0;

	if (n == 0)
		return;
	for (; s && *s && o + 1 < n; s++) {
		unsigned char c = (unsigned char)*s;

		if (isspace(c) || (dashes && c == '-'))
			continue;
		if (slash && c == '/')
			break;
		out[o++] = (char)toupper(c);
	}
	out[o] = '\0';
}

void
norm_bill(const char *s, char *out, size_t n)
{
	squeeze(s, out, n, 1, 0);
}

/*
 * logisticsNo: normalised like a bill, since the manifest's house column
 * may hold it (a house bill and a parcel number are compared as one).
 */
void
norm_lno(const char *s, char *out, size_t n)
{
	squeeze(s, out, n, 1, 0);
}

void
norm_voyage(const char *s, char mode, char *out, size_t n)
{
	size_t len, i, z;

	squeeze(s, out, n, 1, 1);
	len = strlen(out);
	/*
	 * Air: a two-character airline designator, then the flight number
	 * (digits, optionally one letter suffix).  Drop its leading zeros.
	 */
	if (mode != 'A' || len < 4)
		return;
	for (i = 2; i < len && isdigit((unsigned char)out[i]); i++)
		;
	if (i == 2 || (i < len - 1) || (i == len - 1 &&
	    !isalpha((unsigned char)out[i])))
		return;
	for (z = 2; z + 1 < i && out[z] == '0'; z++)
		;
	if (z > 2)
		memmove(out + 2, out + z, len - z + 1);
}

long
norm_day(const char *s)
{
	struct tm tm;
	int i;

	if (s == NULL)
		return -1;
	for (i = 0; i < 8; i++)
		if (!isdigit((unsigned char)s[i]))
			return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 +
	    (s[2] - '0') * 10 + (s[3] - '0') - 1900;
	tm.tm_mon = (s[4] - '0') * 10 + (s[5] - '0') - 1;
	tm.tm_mday = (s[6] - '0') * 10 + (s[7] - '0');
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31)
		return -1;
	tm.tm_hour = 12;
	{
		int mday = tm.tm_mday;	/* timegm() normalises tm */
		time_t t = timegm(&tm);
		struct tm back;

		if (gmtime_r(&t, &back) == NULL || back.tm_mday != mday)
			return -1;
		return (long)(t / 86400);
	}
}

char *
norm_day_str(long day, char *buf)
{
	time_t t = (time_t)day * 86400 + 43200;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 9, "%Y%m%d", &tm);
	return buf;
}
