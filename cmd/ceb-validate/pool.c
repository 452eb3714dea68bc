/*
 * pool.c: ceb-validate -j N.  The documents are framed on the main
 * thread, then parsed and validated on N worker threads, each with its
 * parser, validation contexts and field set for the whole run (the
 * compiled schemas shared read-only);
 * findings, rules and output happen back on the main thread in input
 * order.  The queue between them is bounded, so memory does not grow with
 * the input.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "loop.h"
#include "validate.h"

/*
 * Documents travel to the workers in batches, so that the threads meet
 * once per batch rather than once per (often small) document.  A batch
 * is a chunk of the stream: its documents' bytes lie back to back in one
 * block of its own (stream_doc_pack()), and a finished batch is made
 * empty and used again, its block, jobs and field sets with it, so that
 * the steady state of a run allocates nothing per document.
 */
#define BATCH_DOCS 32
#define BATCH_BYTES (64 * 1024)
/* A batch's block holds BATCH_BYTES and the document that overflows
 * them; one grown for a larger document is given back after use. */
#define BATCH_MEM (2 * BATCH_BYTES)

struct batch {
	struct job *v[BATCH_DOCS];	/* v[n..] kept from earlier use */
	size_t n, bytes;
	int done;
	int taken;		/* claimed by a worker or the main thread */
	struct batch *next;	/* on the garbage or the free list */
	char *mem;		/* the documents' bytes and origins */
	size_t used, cap;
};

static void
batch_free(struct batch *b)
{
	size_t i;

	for (i = 0; i < BATCH_DOCS && b->v[i] != NULL; i++)
		job_free(b->v[i]);
	free(b->mem);
	free(b);
}

/* Empty b for the next chunk of the stream (a worker's work). */
static void
batch_recycle(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		job_recycle(b->v[i]);
	if (b->cap > BATCH_MEM) {
		free(b->mem);
		b->mem = NULL;
		b->cap = 0;
	}
	b->n = b->bytes = b->used = 0;
	b->done = b->taken = 0;
	b->next = NULL;
}

/*
 * Claim the oldest batch nobody works on (t->pool.mu held), or NULL.  The
 * trees of finished batches are freed by the workers, off the main
 * thread, which is the one that cannot be parallel.
 */
static struct batch *
claim(struct tool *t)
{
	struct batch *b;

	while (t->pool.next != t->pool.tail) {
		b = t->pool.ring[t->pool.next % t->pool.cap];
		t->pool.next++;
		if (!b->taken) {
			b->taken = 1;
			return b;
		}
	}
	return NULL;
}

static void
run_batch(struct tool *t, struct batch *b, struct schema_vctx *v,
    struct wcache *c, struct saxw *w)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		if (v)
			judge_work(t, b->v[i], v, c, w);
		else
			b->v[i]->vfail = 1;
	}
}

static void *
worker(void *arg)
{
	struct tool *t = arg;
	struct schema_vctx *v = schema_vctx_new();
	struct wcache c;
	struct saxw *w = NULL;
	struct batch *b, *g;

	memset(&c, 0, sizeof c);
	if (v != NULL && t->sax)
		w = sax_new(t, v, &c);	/* NULL: the tree judges all */
	for (;;) {
		pthread_mutex_lock(&t->pool.mu);
		while (t->pool.next == t->pool.tail && t->pool.garbage == NULL && !t->pool.stop)
			pthread_cond_wait(&t->pool.cv_work, &t->pool.mu);
		g = t->pool.garbage;
		t->pool.garbage = NULL;
		b = claim(t);
		if (b == NULL && g == NULL && t->pool.stop) {
			pthread_mutex_unlock(&t->pool.mu);
			break;
		}
		pthread_mutex_unlock(&t->pool.mu);
		while (g) {
			struct batch *x = g->next;

			batch_recycle(g);
			pthread_mutex_lock(&t->pool.mu);
			g->next = t->pool.spare;
			t->pool.spare = g;
			pthread_mutex_unlock(&t->pool.mu);
			g = x;
		}
		if (b == NULL)
			continue;
		run_batch(t, b, v, &c, w);
		pthread_mutex_lock(&t->pool.mu);
		b->done = 1;
		pthread_cond_signal(&t->pool.cv_done);
		pthread_mutex_unlock(&t->pool.mu);
	}
	sax_free(w);
	schema_vctx_free(v);
	return NULL;
}

/*
 * Finish the oldest batch.  With wait set, rather than sit idle until it
 * is done, the main thread validates a batch nobody has claimed yet.
 */
static int
drain_one(struct tool *t, int wait, int *rc)
{
	struct batch *b, *mine;
	size_t i;

	pthread_mutex_lock(&t->pool.mu);
	if (t->pool.count == 0) {
		pthread_mutex_unlock(&t->pool.mu);
		return 0;
	}
	b = t->pool.ring[t->pool.head % t->pool.cap];
	while (!b->done && wait) {
		if ((mine = claim(t)) != NULL) {
			pthread_mutex_unlock(&t->pool.mu);
			run_batch(t, mine, t->vctx, &t->cache, t->saxw);
			pthread_mutex_lock(&t->pool.mu);
			mine->done = 1;
			continue;
		}
		pthread_cond_wait(&t->pool.cv_done, &t->pool.mu);
	}
	if (!b->done) {
		pthread_mutex_unlock(&t->pool.mu);
		return 0;
	}
	t->pool.head++;
	t->pool.count--;
	pthread_mutex_unlock(&t->pool.mu);
	for (i = 0; i < b->n; i++) {
		if (*rc != 0)
			diag_messages(-1);	/* read, never judged */
		else if (judge_finish(t, b->v[i]) != 0)
			*rc = -1;
	}
	pthread_mutex_lock(&t->pool.mu);
	b->next = t->pool.garbage;
	t->pool.garbage = b;
	pthread_cond_signal(&t->pool.cv_work);
	pthread_mutex_unlock(&t->pool.mu);
	return 1;
}

/* Hand the batch being filled to the workers. */
static int
push(struct tool *t)
{
	int rc = 0;

	if (t->pool.cur == NULL)
		return 0;
	while (t->pool.count == t->pool.cap)
		drain_one(t, 1, &rc);
	pthread_mutex_lock(&t->pool.mu);
	t->pool.ring[t->pool.tail % t->pool.cap] = t->pool.cur;
	t->pool.tail++;
	t->pool.count++;
	pthread_cond_signal(&t->pool.cv_work);
	pthread_mutex_unlock(&t->pool.mu);
	t->pool.cur = NULL;
	while (rc == 0 && drain_one(t, 0, &rc))
		;
	return rc;
}

/* A batch to fill: one a worker made empty, or a new one. */
static struct batch *
batch_get(struct tool *t)
{
	struct batch *b;

	pthread_mutex_lock(&t->pool.mu);
	if ((b = t->pool.spare) != NULL)
		t->pool.spare = b->next;
	pthread_mutex_unlock(&t->pool.mu);
	if (b == NULL)
		b = calloc(1, sizeof *b);
	else
		b->next = NULL;
	return b;
}

int
pool_submit(struct tool *t, struct stream_doc *d)
{
	struct pool *q = &t->pool;
	size_t need = stream_doc_pack_size(d);
	struct batch *b;
	struct job *j;

	/* A document goes whole into one batch's block. */
	if (q->cur != NULL && q->cur->n > 0 &&
	    q->cur->used + need > q->cur->cap && push(t) != 0)
		return -1;
	if (q->cur == NULL && (q->cur = batch_get(t)) == NULL)
		goto nomem;
	b = q->cur;
	if (b->used + need > b->cap) {	/* b is empty: a larger block */
		size_t c = need > BATCH_MEM ? need : BATCH_MEM;
		char *m = malloc(c);

		if (m == NULL)
			goto nomem;
		free(b->mem);
		b->mem = m;
		b->cap = c;
	}
	if ((j = b->v[b->n]) == NULL &&
	    (j = b->v[b->n] = calloc(1, sizeof *j)) == NULL)
		goto nomem;
	stream_doc_pack(loop_stream(), d, b->mem + b->used);
	b->used += need;
	j->d = *d;
	b->n++;
	b->bytes += d->len;
	if (b->n == BATCH_DOCS || b->bytes >= BATCH_BYTES)
		return push(t);
	return 0;
nomem:
	diag_trouble(d->source, d->line, "%s", strerror(ENOMEM));
	return -1;
}

int
pool_start(struct tool *t, int n)
{
	int i;

	t->pool.cap = (size_t)n * 2 + 2;
	if ((t->pool.ring = calloc(t->pool.cap, sizeof *t->pool.ring)) == NULL)
		return -1;
	pthread_mutex_init(&t->pool.mu, NULL);
	pthread_mutex_init(&t->find_mu, NULL);
	pthread_cond_init(&t->pool.cv_work, NULL);
	pthread_cond_init(&t->pool.cv_done, NULL);
	t->threaded = 1;
	for (i = 0; i < n; i++) {
		if (pthread_create(&t->pool.th[i], NULL, worker, t) != 0)
			break;
		t->pool.nth++;
	}
	return t->pool.nth > 0 ? 0 : -1;
}

int
pool_flush(void *arg)
{
	struct tool *t = arg;
	int rc = push(t);

	while (t->pool.count > 0)
		drain_one(t, 1, &rc);
	return rc;
}

int
pool_stop(struct tool *t, int rc)
{
	int i;

	if (pool_flush(t) != 0)
		rc = -1;
	pthread_mutex_lock(&t->pool.mu);
	t->pool.stop = 1;
	pthread_cond_broadcast(&t->pool.cv_work);
	pthread_mutex_unlock(&t->pool.mu);
	for (i = 0; i < t->pool.nth; i++)
		pthread_join(t->pool.th[i], NULL);
	while (t->pool.garbage) {
		struct batch *x = t->pool.garbage->next;
		batch_free(t->pool.garbage);
		t->pool.garbage = x;
	}
	while (t->pool.spare) {
		struct batch *x = t->pool.spare->next;
		batch_free(t->pool.spare);
		t->pool.spare = x;
	}
	free(t->pool.ring);
	return rc;
}
