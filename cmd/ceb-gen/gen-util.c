/*
 * gen-util.c: ceb-gen's random numbers, text buffer, dates and the exact
 * selection of defect carriers.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "gen.h"
#include "i18n.h"

/* splitmix64 spreads the seed; xoshiro256** (Blackman, Vigna) draws. */
void
rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++) {
		uint64_t z = (seed += 0x9E3779B97F4A7C15ULL);

		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
		z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
		r->s[i] = z ^ (z >> 31);
	}
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

uint64_t
rng_below(struct rng *r, uint64_t n)
{
	/* Rejection keeps the draw unbiased (and platform-independent). */
	uint64_t lim = UINT64_MAX - UINT64_MAX % n, x;

	while ((x = rng_next(r)) >= lim)
		;
	return x % n;
}

long long
rng_range(struct rng *r, long long lo, long long hi)
{
	return lo + (long long)rng_below(r, (uint64_t)(hi - lo + 1));
}

int
rng_permille(struct rng *r, int permille)
{
	return (int)rng_below(r, 1000) < permille;
}

void
sb_reserve(struct sbuf *b, size_t more)
{
	if (b->n + more + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->n + more + 1)
			cap *= 2;
		if ((b->p = realloc(b->p, cap)) == NULL) {
			diag_trouble(NULL, 0, "%s", _("out of memory"));
			exit(diag_exit());
		}
		b->cap = cap;
	}
}

void
sb_putn(struct sbuf *b, const char *s, size_t n)
{
	sb_reserve(b, n);
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void
sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	sb_reserve(b, 256);
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	if ((size_t)n >= b->cap - b->n) {
		sb_reserve(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
	}
	b->n += (size_t)n;
}

static void
sb_text(struct sbuf *b, const char *s)
{
	const char *p;

	for (p = s; *p; p++) {
		if (*p == '&' || *p == '<' || *p == '>') {
			sb_putn(b, s, (size_t)(p - s));
			sb_puts(b, *p == '&' ? "&amp;" : *p == '<' ? "&lt;" :
			    "&gt;");
			s = p + 1;
		}
	}
	sb_putn(b, s, (size_t)(p - s));
}

void
sb_el(struct sbuf *b, const char *name, const char *value)
{
	sb_puts(b, "<ceb:");
	sb_puts(b, name);
	sb_puts(b, ">");
	sb_text(b, value);
	sb_puts(b, "</ceb:");
	sb_puts(b, name);
	sb_puts(b, ">");
}

void
sb_elf(struct sbuf *b, const char *name, const char *fmt, ...)
{
	char v[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof v, fmt, ap);
	va_end(ap);
	sb_el(b, name, v);
}

char *
gen_dec(long long v, char *buf, size_t n)
{
	long long ip = (v < 0 ? -v : v) / GEN_UNIT;
	long long fp = (v < 0 ? -v : v) % GEN_UNIT;
	int dec = 5;

	while (dec > 2 && fp % 10 == 0) {
		fp /= 10;
		dec--;
	}
	snprintf(buf, n, "%s%lld.%0*lld", v < 0 ? "-" : "", ip, dec, fp);
	return buf;
}

void
sb_eldec(struct sbuf *b, const char *name, long long v)
{
	char d[48];

	sb_el(b, name, gen_dec(v, d, sizeof d));
}

void
sb_elint(struct sbuf *b, const char *name, long long v)
{
	sb_elf(b, name, "%lld", v);
}

/* Days since 0000-03-01 of the proleptic Gregorian calendar. */
static long
days_from(int y, int m, int d)
{
	long yy = y - (m <= 2), era, yoe, doy, doe;

	era = (yy >= 0 ? yy : yy - 399) / 400;
	yoe = yy - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe;
}

static void
civil(long z, int *y, int *m, int *d)
{
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

void
gen_day(const struct gen_opts *o, int day, struct gen_date *out)
{
	civil(days_from(o->start_y, o->start_m, o->start_d) + day, &out->y,
	    &out->m, &out->d);
	snprintf(out->ymd, sizeof out->ymd, "%04d%02d%02d", out->y % 10000,
	    out->m, out->d);
}

void
gen_time14(const struct gen_date *d, long sec, char out[15])
{
	if (sec < 0)
		sec = 0;
	if (sec > 86399)
		sec = 86399;
	snprintf(out, 15, "%.8s%02ld%02ld%02ld", d->ymd, sec / 3600,
	    sec / 60 % 60, sec % 60);
}

void
gen_time17(const struct gen_date *d, long sec, int ms, char out[18])
{
	char t[15], b[48];

	gen_time14(d, sec, t);
	snprintf(b, sizeof b, "%.14s%03d", t, (ms % 1000 + 1000) % 1000);
	memcpy(out, b, 17);
	out[17] = '\0';
}

/*
 * Selection sampling generalised to several kinds: item i is given kind j
 * with probability left[j] / pop, so that after the whole population has
 * been drawn exactly left[j] items carry kind j (Knuth, TAOCP 3.4.2,
 * Algorithm S).  Only kinds first..last are drawn.
 */
int
gen_pick_next(struct gen_pick *p, struct rng *r, int first, int last)
{
	long long x, acc = 0;
	int j;

	if (p->pop <= 0)
		return D_NONE;
	x = (long long)rng_below(r, (uint64_t)p->pop);
	p->pop--;
	for (j = first; j <= last; j++) {
		acc += p->left[j];
		if (x < acc) {
			p->left[j]--;
			return j;
		}
	}
	return D_NONE;
}
