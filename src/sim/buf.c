/*-------------------------------------------------------------------------
 * buf.c
 *	  See buf.h.
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* grow: room for n more bytes plus the terminator. */
static void
grow(AgBuf *b, size_t n)
{
	if (b->len + n + 1 <= b->cap)
		return;
	while (b->len + n + 1 > b->cap)
		b->cap = b->cap ? b->cap * 2 : 4096;
	b->data = realloc(b->data, b->cap);
	if (b->data == NULL)
		abort();
}

void
ag_buf_reset(AgBuf *b)
{
	b->len = 0;
	grow(b, 0);
	b->data[0] = '\0';
}

void
ag_buf_free(AgBuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void
ag_buf_append(AgBuf *b, const char *s, size_t n)
{
	grow(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
ag_buf_puts(AgBuf *b, const char *s)
{
	ag_buf_append(b, s, strlen(s));
}

void
ag_buf_printf(AgBuf *b, const char *fmt, ...)
{
	va_list ap;
	int		n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	grow(b, (size_t) n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t) n;
}

/* compact: drop consumed events once they are half the array. */
static void
compact(AgEventBuf *q)
{
	if (q->head == 0 || q->head < q->n / 2)
		return;
	memmove(q->ev, q->ev + q->head, (q->n - q->head) * sizeof(AgEvent));
	q->n -= q->head;
	q->head = 0;
}

void
ag_evbuf_push(AgEventBuf *q, AgEvent e)
{
	compact(q);
	if (q->n == q->cap)
	{
		q->cap = q->cap ? q->cap * 2 : 1024;
		q->ev = realloc(q->ev, q->cap * sizeof(AgEvent));
		if (q->ev == NULL)
			abort();
	}
	q->ev[q->n++] = e;
}

/* cmp_event: (ts, order); order is unique within a home. */
static int
cmp_event(const void *a, const void *b)
{
	const AgEvent *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

void
ag_evbuf_sort(AgEventBuf *q)
{
	qsort(q->ev + q->head, q->n - q->head, sizeof(AgEvent), cmp_event);
}

AgEvent *
ag_evbuf_head(AgEventBuf *q)
{
	return q->head < q->n ? &q->ev[q->head] : NULL;
}

void
ag_evbuf_pop(AgEventBuf *q)
{
	if (q->head < q->n)
		q->head++;
}

void
ag_evbuf_push_front(AgEventBuf *q, AgEvent e)
{
	if (q->head > 0)
	{
		q->ev[--q->head] = e;
		return;
	}
	ag_evbuf_push(q, e); /* grows; then rotate it to the front */
	memmove(q->ev + 1, q->ev, (q->n - 1) * sizeof(AgEvent));
	q->ev[0] = e;
}

void
ag_evbuf_free(AgEventBuf *q)
{
	free(q->ev);
	memset(q, 0, sizeof(*q));
}
